package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/sonde-project/sonde/analysis"
	"github.com/sonde-project/sonde/analysis/reprocess"
)

const reprocessHelp = `Usage: analysis reprocess [--config collector.yml] [--all] [--since DAY] [--until DAY]
                          [--country CC] [--test NAME] [--dry-run] [options]

Recomputes the verdicts stored in ClickHouse with this binary's rules (version
%d) and fingerprints, then rebuilds the daily counts that reports read. Run it
after upgrading the analysis or changing the fingerprints.

By default only measurements whose verdict was made by older rules (or that
have none) are recomputed; --all recomputes every one (a verdict that comes
out the same is not written again). --since, --until, --country and --test
narrow the measurements; days are UTC, --since included, --until not.

  analysis reprocess --config /etc/sonde/collector.yml
  analysis reprocess --all --country IR --since 2026-11-01 --dry-run

--dry-run reads and analyses, prints how many verdicts would change and how
(old outcome → new outcome), and writes nothing. Progress goes to standard
error, the summary to standard output.

It is safe to stop with Ctrl-C: the batch in flight is written, the daily
counts of the months touched are rebuilt, and running the same command again
finishes the job. Running it twice changes nothing the second time.

` + clickHouseHelp + ` Options:
`

func runReprocess(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("reprocess", flag.ContinueOnError)
	fs.SetOutput(stderr)
	chf := clickHouseFlags(fs)
	fpDir := fs.String("fingerprints", "", "use the blocking fingerprints in `DIR` (fingerprints_dns.csv, fingerprints_http.csv) instead of the built-in copy")
	all := fs.Bool("all", false, "recompute every verdict, not only those of older rules")
	sinceS := fs.String("since", "", "first `DAY` (YYYY-MM-DD) of the measurements to recompute")
	untilS := fs.String("until", "", "`DAY` (YYYY-MM-DD) after the last one")
	cc := fs.String("country", "", "only the measurements of country `CC` (e.g. IR)")
	test := fs.String("test", "", "only the measurements of test `NAME` (e.g. web_connectivity)")
	dry := fs.Bool("dry-run", false, "count what would change; write nothing")
	batch := fs.Int("batch", 1000, "measurements read, analysed and written at once (`N`); bounds the memory")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), reprocessHelp, analysis.Version)
		fs.PrintDefaults()
	}
	if ok, code := parseFlags(fs, args, stdout); !ok {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "analysis reprocess: "+format+"\n", a...)
		return code
	}
	if fs.NArg() > 0 {
		return fail(2, "unexpected argument %q (see analysis reprocess --help)", fs.Arg(0))
	}
	if *batch < 1 || *batch > 100_000 {
		return fail(2, "--batch %d: give a number from 1 to 100000", *batch)
	}
	ch, err := chf.config()
	if err != nil {
		return fail(2, "%v", err)
	}
	cfg := reprocess.Config{All: *all, CC: *cc, TestName: *test, DryRun: *dry, BatchSize: *batch, Progress: stderr}
	if cfg.Since, err = optionalDay("--since", *sinceS); err != nil {
		return fail(2, "%v", err)
	}
	if cfg.Until, err = optionalDay("--until", *untilS); err != nil {
		return fail(2, "%v", err)
	}
	if err := cfg.Validate(); err != nil {
		return fail(2, "%v", err)
	}
	if cfg.Analyzer, err = analysis.New(analysis.Config{FingerprintsDir: *fpDir}); err != nil {
		return fail(1, "cannot load the fingerprints: %v", err)
	}
	conn, err := openClickHouse(ctx, ch)
	if err != nil {
		return fail(1, "%v", err)
	}
	defer conn.Close()
	sum, err := reprocess.Run(ctx, conn, cfg)
	if errors.Is(err, reprocess.ErrBadFilter) {
		return fail(2, "%v", err)
	}
	if sum != nil {
		sum.Print(stdout)
	}
	switch {
	case err != nil:
		return fail(1, "%v (is --database %s the collector's database, migrated?)", err, ch.Database)
	case sum.Interrupted:
		return 130
	}
	return 0
}

// optionalDay parses a YYYY-MM-DD flag; "" is no bound.
func optionalDay(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, fmt.Errorf("%s %q is not a day (YYYY-MM-DD)", name, s)
	}
	return t, nil
}
