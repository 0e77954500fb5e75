package reprocess_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/analysis"
	"github.com/sonde-project/sonde/analysis/reprocess"
	"github.com/sonde-project/sonde/internal/warehouse"
)

// snapshot is everything a run could change: every verdict row and every
// row of verdict_daily, unsummed.
func (f *fixture) snapshot(t *testing.T) string {
	t.Helper()
	v := f.strings(t, `SELECT concat(measurement_uid, status, blocking, confidence, toString(analysis_version), toString(analyzed_time)) AS s FROM verdicts ORDER BY s`)
	d := f.strings(t, `SELECT concat(`+keyText+`, toString(ok_count), toString(anomaly_count), toString(confirmed_count), toString(failure_count)) AS s FROM verdict_daily ORDER BY s`)
	return strings.Join(v, "\n") + "\n--\n" + strings.Join(d, "\n")
}

func run(t *testing.T, f *fixture, cfg reprocess.Config) *reprocess.Summary {
	t.Helper()
	var progress bytes.Buffer
	cfg.Progress = &progress
	s, err := reprocess.Run(context.Background(), f.conn, cfg)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, progress.String())
	}
	return s
}

// TestReprocessOutdatedThenNothing: the default run recomputes exactly the
// verdicts of older rules and the missing ones, leaves the current ones,
// rebuilds the daily counts so that they count the newest verdicts, and a
// second run changes nothing.
func TestReprocessOutdatedThenNothing(t *testing.T) {
	f := load(t, 10)
	s := run(t, f, reprocess.Config{BatchSize: 7})

	got := f.newest(t)
	var outdated, changed int64
	for uid, m := range f.ms {
		want := expected(m)
		switch f.kind[uid] {
		case kindStale, kindMissing:
			outdated++
			if old := staleOf(0); f.kind[uid] == kindMissing || old.Status != want.Status || old.Blocking != want.Blocking || old.Confidence != want.Confidence {
				changed++
			}
		case kindCurrentBad:
			want = staleOf(analysis.Version) // left alone: stamped with the current rules
		}
		if got[uid] != want {
			t.Errorf("%s (kind %d): newest verdict %+v, want %+v", uid, f.kind[uid], got[uid], want)
		}
	}
	if s.InRange != int64(len(f.ms))+1 || s.Read != outdated+1 || s.Unreadable != 1 || s.Recomputed != outdated ||
		s.Written != outdated || s.Changed != changed || s.UpToDate != 0 {
		t.Errorf("summary %+v; want %d in range, %d read, 1 unreadable, %d written, %d changed", s, len(f.ms)+1, outdated+1, outdated, changed)
	}
	if strings.Join(s.Rebuilt, ",") != "2026-03,2026-04,2026-05" {
		t.Errorf("rebuilt %v", s.Rebuilt)
	}
	var sum int64
	for _, c := range s.Changes() {
		sum += c.Count
	}
	if sum != changed || len(s.Changes()) == 0 {
		t.Errorf("changes %v add up to %d, want %d", s.Changes(), sum, changed)
	}
	f.dailyMatchesVerdicts(t)

	before := f.snapshot(t)
	again := run(t, f, reprocess.Config{})
	if again.Read != 1 || again.Written != 0 || again.Changed != 0 || len(again.Rebuilt) != 0 {
		t.Errorf("second run: %+v", again)
	}
	if after := f.snapshot(t); after != before {
		t.Errorf("the second run changed the tables")
	}
}

// TestReprocessAll: --all also recomputes verdicts stamped with the
// current rules, writes only those that differ, and is idempotent.
func TestReprocessAll(t *testing.T) {
	f := load(t, 6)
	run(t, f, reprocess.Config{})
	s := run(t, f, reprocess.Config{All: true, BatchSize: 5})
	var bad int64
	for uid := range f.ms {
		if f.kind[uid] == kindCurrentBad {
			bad++
		}
	}
	if s.Read != int64(len(f.ms))+1 || s.Written != bad || s.UpToDate != int64(len(f.ms))-bad {
		t.Errorf("--all: %+v; want %d written, %d up to date", s, bad, int64(len(f.ms))-bad)
	}
	got := f.newest(t)
	for uid, m := range f.ms {
		if want := expected(m); got[uid] != want {
			t.Errorf("%s: %+v, want %+v", uid, got[uid], want)
		}
	}
	f.dailyMatchesVerdicts(t)
	before := f.snapshot(t)
	if again := run(t, f, reprocess.Config{All: true}); again.Written != 0 || len(again.Rebuilt) != 0 {
		t.Errorf("second --all: %+v", again)
	}
	if f.snapshot(t) != before {
		t.Error("the second --all changed the tables")
	}
}

// TestReprocessNarrowing: --country, --test, --since/--until recompute
// only what they select.
func TestReprocessNarrowing(t *testing.T) {
	cases := []struct {
		name   string
		cfg    reprocess.Config
		picked func(uid string, cc, test string, at time.Time) bool
	}{
		{"country", reprocess.Config{CC: "IR"}, func(_, cc, _ string, _ time.Time) bool { return cc == "IR" }},
		{"test", reprocess.Config{TestName: "tor"}, func(_, _, test string, _ time.Time) bool { return test == "tor" }},
		{"period", reprocess.Config{Since: months[1], Until: months[1].AddDate(0, 0, 2)},
			func(_, _, _ string, at time.Time) bool {
				return !at.Before(months[1]) && at.Before(months[1].AddDate(0, 0, 2))
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := load(t, 10)
			s := run(t, f, c.cfg)
			got := f.newest(t)
			var picked int64
			for uid, m := range f.ms {
				at, _ := m.StartTime()
				sel := c.picked(uid, m.ProbeCC, m.TestName, at)
				want := expected(m)
				switch {
				case f.kind[uid] == kindCurrentBad:
					want = staleOf(analysis.Version)
				case f.kind[uid] == kindCurrentOK:
				case sel:
					picked++
				case f.kind[uid] == kindStale:
					want = staleOf(0)
				case f.kind[uid] == kindMissing:
					want = stored{}
				}
				if got[uid] != want {
					t.Errorf("%s (%s %s %s, kind %d): %+v, want %+v", uid, m.ProbeCC, m.TestName, m.MeasurementStartTime, f.kind[uid], got[uid], want)
				}
			}
			if picked == 0 || s.Written != picked {
				t.Errorf("%d written, want %d (> 0)", s.Written, picked)
			}
			f.dailyMatchesVerdicts(t)
		})
	}
}

// TestReprocessDryRun counts what would change and writes nothing; the
// real run then does what the dry run said.
func TestReprocessDryRun(t *testing.T) {
	f := load(t, 8)
	before := f.snapshot(t)
	dry := run(t, f, reprocess.Config{DryRun: true})
	if f.snapshot(t) != before {
		t.Fatal("the dry run wrote")
	}
	if dry.Written == 0 || dry.Changed == 0 || strings.Join(dry.Rebuilt, ",") != "2026-03,2026-04,2026-05" {
		t.Errorf("dry run %+v", dry)
	}
	var out bytes.Buffer
	dry.Print(&out)
	for _, want := range []string{"Would write", "Would rebuild the daily counts of 2026-03, 2026-04, 2026-05", "ok (ok) → blocked by dns (confirmed)", "no verdict → ok (ok)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry-run summary lacks %q:\n%s", want, out.String())
		}
	}
	real := run(t, f, reprocess.Config{})
	if real.Written != dry.Written || real.Changed != dry.Changed || len(real.Changes()) != len(dry.Changes()) {
		t.Errorf("the run (%+v) did not do what the dry run (%+v) said", real, dry)
	}
	for i, c := range real.Changes() {
		if c != dry.Changes()[i] {
			t.Errorf("change %d: %+v, dry run said %+v", i, c, dry.Changes()[i])
		}
	}
}

// TestReprocessInterrupted: Ctrl-C after the first batch leaves the daily
// counts consistent with the verdicts, and the next run finishes.
func TestReprocessInterrupted(t *testing.T) {
	f := load(t, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := reprocess.Config{BatchSize: 3}
	reprocess.SetAfterBatch(&cfg, cancel)
	s, err := reprocess.Run(ctx, f.conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Interrupted || s.Written != 3 || len(s.Rebuilt) != 1 {
		t.Fatalf("interrupted run: %+v", s)
	}
	f.dailyMatchesVerdicts(t)
	rest := run(t, f, reprocess.Config{})
	if rest.Interrupted || rest.Written == 0 {
		t.Fatalf("the re-run: %+v", rest)
	}
	for uid, m := range f.ms {
		if k := f.kind[uid]; k == kindStale || k == kindMissing {
			if got := f.newest(t)[uid]; got != expected(m) {
				t.Errorf("%s after the re-run: %+v", uid, got)
			}
		}
	}
	f.dailyMatchesVerdicts(t)
}

// TestReprocessRepairsAKilledRun: a run killed after writing verdicts and
// before rebuilding leaves a month over-counted; the next run has nothing
// to recompute there but sees the counts disagree and rebuilds the month.
func TestReprocessRepairsAKilledRun(t *testing.T) {
	f := load(t, 6)
	var rows []warehouse.VerdictRow
	for uid, m := range f.ms {
		at, _ := m.StartTime()
		if k := f.kind[uid]; (k == kindStale || k == kindMissing) && at.Month() == time.April {
			rows = append(rows, warehouse.NewVerdictRow(m, analysis.Analyze(m), time.Now()))
		}
	}
	if len(rows) == 0 {
		t.Fatal("no stale verdict in April")
	}
	if err := warehouse.NewWriter(f.conn).InsertVerdicts(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, "SELECT sum(ok_count + anomaly_count + confirmed_count + failure_count) FROM verdict_daily WHERE toYYYYMM(day) = 202604"); n == f.count(t, "SELECT count() FROM verdicts FINAL WHERE toYYYYMM(measurement_start_time) = 202604") {
		t.Fatal("the simulated kill did not over-count April")
	}
	dry := run(t, f, reprocess.Config{DryRun: true, Since: months[1], Until: months[2]})
	if dry.Written != 0 || strings.Join(dry.Rebuilt, ",") != "2026-04" {
		t.Errorf("dry run over April: %+v", dry)
	}
	s := run(t, f, reprocess.Config{Since: months[1], Until: months[2]})
	if s.Written != 0 || strings.Join(s.Rebuilt, ",") != "2026-04" {
		t.Errorf("run over April: %+v", s)
	}
	f.dailyMatchesVerdicts(t)
}

func TestReprocessBadFilters(t *testing.T) {
	for _, cfg := range []reprocess.Config{
		{CC: "ir"}, {TestName: "Web Connectivity"},
		{Since: months[1], Until: months[0]},
	} {
		if _, err := reprocess.Run(context.Background(), nil, cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}
