package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sonde-project/sonde/internal/lab/scenario"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
	"github.com/sonde-project/sonde/internal/warehouse"
)

// waitVerdicts waits until ClickHouse holds a verdict for each of the n
// measurements uploaded (the collector's loader writes them
// asynchronously), then returns them.
func waitVerdicts(ctx context.Context, addr, db string, n int, timeout time.Duration) ([]verdict.Verdict, error) {
	conn, err := warehouse.Open(warehouse.Config{Addr: addr, Database: db, QueryTimeout: 30 * time.Second})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var have uint64
	for {
		err := conn.QueryRow(ctx, "SELECT uniqExact(measurement_uid) FROM verdicts").Scan(&have)
		if err == nil && have >= uint64(n) {
			return readVerdicts(ctx, conn)
		}
		select {
		case <-ctx.Done():
			if err != nil {
				return nil, fmt.Errorf("reading the verdicts in %s: %w", db, err)
			}
			return nil, fmt.Errorf("ClickHouse holds %d verdicts after %s; the probe wrote %d measurements "+
				"(were some not uploaded, or refused by the collector?)", have, timeout, n)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// readVerdicts reads every verdict of the database (the newest one per
// measurement).
func readVerdicts(ctx context.Context, conn interface {
	Select(ctx context.Context, dest any, query string, args ...any) error
}) ([]verdict.Verdict, error) {
	var rows []warehouse.VerdictRow
	if err := conn.Select(ctx, &rows, `SELECT measurement_uid, report_id, test_name, probe_cc, probe_asn,
		input, domain, measurement_start_time, status, blocking, accessible, confidence, fingerprint,
		explanation, evidence, analysis_version, analyzed_time
		FROM verdicts FINAL ORDER BY test_name, input, measurement_uid`); err != nil {
		return nil, fmt.Errorf("reading the verdicts: %w", err)
	}
	out := make([]verdict.Verdict, 0, len(rows))
	for _, r := range rows {
		v := verdict.Verdict{
			MeasurementUID: r.MeasurementUID, ReportID: r.ReportID, Input: r.Input, Domain: r.Domain,
			TestName: r.TestName, ProbeCC: r.ProbeCC, ProbeASN: fmt.Sprintf("AS%d", r.ProbeASN),
			MeasurementStartTime: r.MeasurementStartTime.Format(time.DateTime),
			Confidence:           verdict.Confidence(r.Confidence), Status: verdict.Status(r.Status),
			Fingerprint: r.Fingerprint, Explanation: r.Explanation, AnalysisVersion: int(r.AnalysisVersion),
		}
		switch r.Blocking {
		case "null":
		case "false":
			v.Blocking = measurement.NotBlocked
		default:
			v.Blocking = measurement.BlockedBy(r.Blocking)
		}
		if r.Accessible >= 0 {
			a := r.Accessible == 1
			v.Accessible = &a
		}
		if err := json.Unmarshal([]byte(r.Evidence), &v.Evidence); err != nil {
			return nil, fmt.Errorf("verdict %s: evidence: %w", r.MeasurementUID, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// writeVerdictTable prints one line per target of the scenario: what was
// expected, what the analysis concluded, whether they match, and why;
// then the evidence of each mismatch. It returns the mismatches.
func writeVerdictTable(w io.Writer, sc *scenario.Scenario, verdicts []verdict.Verdict) []scenario.Mismatch {
	mismatches := sc.Compare(verdicts)
	bad := map[string]bool{}
	for _, m := range mismatches {
		bad[m.Target.TestName()+" "+m.Target.URL] = true
	}
	byKey := map[string][]verdict.Verdict{}
	for _, v := range verdicts {
		k := v.TestName + " " + strings.TrimSuffix(v.Input, "/")
		byKey[k] = append(byKey[k], v)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tTEST\tEXPECTED\tGOT\t\tWHY")
	for _, t := range sc.Targets {
		want := expectString(t.Expect.Blocking.String(), t.Expect.Confidence)
		if t.Expect.Accessible != nil {
			want += accessibleWord(t.Expect.Accessible)
		}
		got, why := summarize(t, byKey[t.TestName()+" "+strings.TrimSuffix(t.URL, "/")])
		mark := "ok"
		if bad[t.TestName()+" "+t.URL] {
			mark = "MISMATCH"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.URL, t.TestName(), want, got, mark, why)
	}
	tw.Flush()
	for _, m := range mismatches {
		fmt.Fprintf(w, "\n%s\n", m)
		if m.Target.Why != "" {
			fmt.Fprintf(w, "  the expectation: %s\n", m.Target.Why)
		}
		if m.Got != nil {
			for _, e := range m.Got.Evidence {
				data, _ := json.Marshal(e)
				fmt.Fprintf(w, "  evidence: %s\n", data)
			}
			fmt.Fprintf(w, "  measurement: %s\n", m.Got.MeasurementUID)
		}
	}
	return mismatches
}

// summarize says what the verdicts of one target were ("dns/anomaly",
// "dns/anomaly ×4, null/failure ×1") and the explanation to show: that of
// a verdict that differs from the expectation, if any.
func summarize(t scenario.Target, vs []verdict.Verdict) (got, why string) {
	if len(vs) == 0 {
		return "no verdict", ""
	}
	counts := map[string]int{}
	var order []string
	mismatched := false
	for i, v := range vs {
		s := expectString(scenario.Blocking{Blocking: v.Blocking}.String(), string(v.Confidence))
		if t.Expect.Accessible != nil {
			s += accessibleWord(v.Accessible)
		}
		if counts[s] == 0 {
			order = append(order, s)
		}
		counts[s]++
		if why == "" || (!mismatched && !t.Expect.Matches(&vs[i])) {
			why, mismatched = v.Explanation, !t.Expect.Matches(&vs[i])
		}
	}
	if len(vs) == 1 {
		return order[0], why
	}
	parts := make([]string, len(order))
	for i, s := range order {
		parts[i] = fmt.Sprintf("%s ×%d", s, counts[s])
	}
	return strings.Join(parts, ", "), why
}

func expectString(blocking, confidence string) string {
	if blocking == "" {
		blocking = "null"
	}
	return blocking + "/" + confidence
}

func accessibleWord(a *bool) string {
	switch {
	case a == nil:
		return "/accessible?"
	case *a:
		return "/accessible"
	}
	return "/inaccessible"
}
