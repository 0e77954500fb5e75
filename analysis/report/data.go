package report

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sonde-project/sonde/analysis/aggregate"
)

// Source is where reports get their data: the daily counts and the
// evidence rows of a filter (the ClickHouse store in analysis/aggregate,
// or anything that holds the same rows).
type Source interface {
	Counts(ctx context.Context, f aggregate.Filter) ([]aggregate.Count, error)
	// Evidence returns up to perCell measurements that showed blocking
	// (confirmed first, newest first) for each (country, network, domain).
	Evidence(ctx context.Context, f aggregate.Filter, perCell int) ([]aggregate.Evidence, error)
}

// Build validates the request, reads its rows from src and composes the
// report.
func Build(ctx context.Context, src Source, req Request) (*Report, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	f := aggregate.Filter{CC: req.CC, Domain: req.Domain, Since: req.Since, Until: req.Until}
	counts, err := src.Counts(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("report counts: %w", err)
	}
	var evidence []aggregate.Evidence
	if scope, ok := evidenceScope(req, counts); ok {
		if evidence, err = src.Evidence(ctx, scope, candidatesPerCell); err != nil {
			return nil, fmt.Errorf("report evidence: %w", err)
		}
	}
	return Compose(req, counts, evidence), nil
}

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// CSVHeader is the first line of WriteCSV.
var CSVHeader = []string{
	"probe_cc", "country", "probe_asn", "domain", "category", "status", "blocking_method",
	"ok_count", "anomaly_count", "confirmed_count", "failure_count",
	"first_blocked", "last_blocked", "ongoing", "evidence",
}

// WriteCSV writes the network-by-domain table, one line per network and
// domain measured, with the evidence ids separated by spaces.
func WriteCSV(w io.Writer, r *Report, categories map[string]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, row := range r.Table.Rows {
		for i, c := range row.Cells {
			if c.Status == StatusNotMeasured {
				continue
			}
			domain := r.Table.Columns[i]
			rec := []string{
				row.CC, CountryName(row.CC), row.ASN, domain, categories[domain], c.Status, c.Method,
				itoa(c.OK), itoa(c.Anomaly), itoa(c.Confirmed), itoa(c.Failure),
				day(c.FirstBlocked), day(c.LastBlocked), strconv.FormatBool(c.Ongoing), strings.Join(c.Evidence, " "),
			}
			for j := range rec {
				rec[j] = cellSafe(rec[j])
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// cellSafe keeps spreadsheets from running a value as a formula.
func cellSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
