package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sonde-project/sonde/analysis/aggregate"
	"github.com/sonde-project/sonde/analysis/report"
)

const reportHelp = `Usage: analysis report (--country CC | --domain DOMAIN) [--since DAY] [--until DAY] [-o FILE.html]
                       [--config collector.yml] [options]

Writes a policy report from the measurements stored in ClickHouse: which sites
were blocked, in how many networks, since when, how (DNS, TCP/IP, TLS, HTTP,
QUIC) and with what confidence, with a timeline, a network-by-site table and
the measurement ids behind every claim.

It writes three files with the same data: FILE.html (one self-contained page
that opens offline: no script, nothing fetched), FILE.json and FILE.csv (one
line per network and site). The last line printed is the HTML file's path.

  analysis report --country IR --since 2026-11-01 --until 2026-12-01
  analysis report --domain twitter.com --since 2026-11-01 -o twitter.html

Days are UTC; --since is included and --until is not (the default period is
the 30 days up to and including today).

` + clickHouseHelp + ` Options:
`

func runReport(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cc := fs.String("country", "", "report on the country `CC` (ISO 3166 code, e.g. IR); with --domain, only that country")
	domain := fs.String("domain", "", "report on the site `DOMAIN` (e.g. twitter.com) in every country")
	sinceS := fs.String("since", "", "first `DAY` of the period, YYYY-MM-DD (default: 30 days before --until)")
	untilS := fs.String("until", "", "`DAY` after the period, YYYY-MM-DD (default: tomorrow)")
	out := fs.String("o", "", "write the report to `FILE.html` (and .json, .csv beside it); default report-SUBJECT-SINCE-UNTIL.html")
	chf := clickHouseFlags(fs)
	categories := fs.String("categories", "", "Citizen Lab test list `CSV` giving each site's category (url,category_code,…)")
	measurementURL := fs.String("measurement-url", "", "link evidence to `URL`+id, e.g. https://collector.example/api/v1/measurements/")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), reportHelp)
		fs.PrintDefaults()
	}
	if ok, code := parseFlags(fs, args, stdout); !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "analysis report: "+format+"\n", a...)
		return 1
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q (see analysis report --help)", fs.Arg(0))
	}
	req := report.Request{Kind: report.KindCountry, CC: *cc, Domain: *domain, MeasurementURL: *measurementURL}
	if *domain != "" {
		req.Kind = report.KindDomain
	}
	var err error
	if req.Since, req.Until, err = period(*sinceS, *untilS, time.Now()); err != nil {
		return fail("%v", err)
	}
	if err := req.Validate(); err != nil {
		return fail("%v", err)
	}
	if *categories != "" {
		f, err := os.Open(*categories)
		if err != nil {
			return fail("%v", err)
		}
		req.Categories, err = report.ReadCategories(f)
		f.Close()
		if err != nil {
			return fail("%s: %v", *categories, err)
		}
	}
	ch, err := chf.config()
	if err != nil {
		return fail("%v", err)
	}
	conn, err := openClickHouse(ctx, ch)
	if err != nil {
		return fail("%v", err)
	}
	defer conn.Close()
	rep, err := report.Build(ctx, aggregate.NewStore(conn, aggregate.Limits{QueryTime: 5 * time.Minute}), req)
	if err != nil {
		return fail("%v (is --database %s the collector's database, migrated?)", err, ch.Database)
	}
	path := *out
	if path == "" {
		path = fmt.Sprintf("report-%s-%s-%s.html", strings.ToLower(rep.Subject),
			req.Since.Format(time.DateOnly), req.Until.Format(time.DateOnly))
	}
	if err := writeReportFiles(path, rep, req.Categories); err != nil {
		return fail("%v", err)
	}
	fmt.Fprintln(stdout, rep.Headline.Sentence)
	fmt.Fprintln(stdout, path)
	return 0
}

// period parses --since and --until, with their defaults.
func period(sinceS, untilS string, now time.Time) (since, until time.Time, err error) {
	until = now.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	if untilS != "" {
		if until, err = time.Parse(time.DateOnly, untilS); err != nil {
			return since, until, fmt.Errorf("--until %q is not a day (YYYY-MM-DD)", untilS)
		}
	}
	since = until.AddDate(0, 0, -30)
	if sinceS != "" {
		if since, err = time.Parse(time.DateOnly, sinceS); err != nil {
			return since, until, fmt.Errorf("--since %q is not a day (YYYY-MM-DD)", sinceS)
		}
	}
	return since, until, nil
}

// writeReportFiles writes FILE.html, FILE.json and FILE.csv, each through
// a temporary file renamed into place, so a failure leaves no half file.
func writeReportFiles(htmlPath string, rep *report.Report, categories map[string]string) error {
	base := strings.TrimSuffix(htmlPath, filepath.Ext(htmlPath))
	name := filepath.Base(base)
	writers := []struct {
		path  string
		write func(io.Writer) error
	}{
		{htmlPath, func(w io.Writer) error {
			return report.WriteHTML(w, rep, report.Page{DataLinks: []report.Link{{Name: "JSON", Href: name + ".json"}, {Name: "CSV", Href: name + ".csv"}}})
		}},
		{base + ".json", func(w io.Writer) error { return report.WriteJSON(w, rep) }},
		{base + ".csv", func(w io.Writer) error { return report.WriteCSV(w, rep, categories) }},
	}
	for _, f := range writers {
		var buf bytes.Buffer
		if err := f.write(&buf); err != nil {
			return err
		}
		tmp := f.path + ".tmp"
		if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, f.path); err != nil {
			return err
		}
	}
	return nil
}
