package aggregate_test

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sonde-project/sonde/analysis/aggregate"
	"github.com/sonde-project/sonde/analysis/report"
	"github.com/sonde-project/sonde/analysis/reporttest"
	"github.com/sonde-project/sonde/internal/chserver/chtest"
	"github.com/sonde-project/sonde/internal/warehouse"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

func openScenario(t *testing.T) driver.Conn {
	t.Helper()
	conn, _, _ := reporttest.Database(t, true)
	return conn
}

func scenarioFilter() aggregate.Filter {
	return aggregate.Filter{CC: reporttest.CC, Since: reporttest.Since, Until: reporttest.Until}
}

func sortCounts(c []aggregate.Count) {
	slices.SortFunc(c, func(a, b aggregate.Count) int {
		return cmp.Or(a.Day.Compare(b.Day), cmp.Compare(a.ASN, b.ASN), cmp.Compare(a.Domain, b.Domain), cmp.Compare(a.Method, b.Method))
	})
}

func TestCountsMatchWhatWasLoaded(t *testing.T) {
	store := aggregate.NewStore(openScenario(t), aggregate.Limits{})
	got, err := store.Counts(context.Background(), scenarioFilter())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := reporttest.Rows(reporttest.Outcomes())
	sortCounts(got)
	sortCounts(want)
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("row %d: got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

// TestReportFromClickHouseMatchesGolden: the report built from ClickHouse
// is byte for byte the golden report built from the same rows in memory.
func TestReportFromClickHouseMatchesGolden(t *testing.T) {
	store := aggregate.NewStore(openScenario(t), aggregate.Limits{})
	for _, kind := range []string{report.KindCountry, report.KindDomain} {
		t.Run(kind, func(t *testing.T) {
			req := report.Request{
				Kind: kind, CC: reporttest.CC, Since: reporttest.Since, Until: reporttest.Until,
				Categories:     reporttest.Categories,
				MeasurementURL: "https://collector.example/api/v1/measurements/",
				Now:            func() time.Time { return reporttest.Now },
			}
			if kind == report.KindDomain {
				req.CC, req.Domain = "", "twitter.com"
			}
			r, err := report.Build(context.Background(), store, req)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := report.WriteJSON(&got, r); err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile("../report/testdata/scenario-" + kind + ".json")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				os.WriteFile(t.TempDir()+"/got.json", got.Bytes(), 0o644)
				t.Errorf("report from ClickHouse differs from analysis/report/testdata/scenario-%s.json", kind)
			}
		})
	}
}

func TestAggregateByAxes(t *testing.T) {
	store := aggregate.NewStore(openScenario(t), aggregate.Limits{})
	f := scenarioFilter()
	f.Domain = "twitter.com"
	rows, err := store.Aggregate(context.Background(), aggregate.AxisQuery{Filter: f, AxisX: "probe_asn", AxisY: "blocking_method"})
	if err != nil {
		t.Fatal(err)
	}
	dns := map[string]int64{}
	var total int64
	for _, r := range rows {
		if r.Y == "dns" {
			dns[r.X] += r.Confirmed
		}
		total += r.OK + r.Anomaly + r.Confirmed + r.Failure
	}
	if total != 21*4*6 {
		t.Errorf("%d measurements of twitter.com, want %d", total, 21*4*6)
	}
	for _, asn := range []string{"AS44244", "AS197207", "AS58224"} {
		if dns[asn] < 80 {
			t.Errorf("%s: %d confirmed DNS blocking of twitter.com, want most of 19 days × 6", asn, dns[asn])
		}
	}
	if dns["AS12880"] != 0 {
		t.Errorf("AS12880 never blocked twitter.com, got %d", dns["AS12880"])
	}
	one, err := store.Aggregate(context.Background(), aggregate.AxisQuery{Filter: scenarioFilter()})
	if err != nil || len(one) != 1 || one[0].OK+one[0].Anomaly+one[0].Confirmed+one[0].Failure != 2520 {
		t.Errorf("no axis: %+v, %v", one, err)
	}
	if _, err := store.Aggregate(context.Background(), aggregate.AxisQuery{AxisX: "raw"}); !errors.Is(err, aggregate.ErrBadAxis) {
		t.Errorf("axis raw: %v", err)
	}
	if _, err := store.Aggregate(context.Background(), aggregate.AxisQuery{Filter: scenarioFilter(), AxisX: "measurement_start_day", MaxRows: 5}); !errors.Is(err, aggregate.ErrTooMuch) {
		t.Errorf("21 days with a 5-row limit: %v", err)
	}
	countries, err := store.Countries(context.Background(), reporttest.Since, reporttest.Until)
	if err != nil || len(countries) != 1 || countries[0].CC != "IR" || countries[0].Measurements != 2520 || countries[0].AnomalousSites != 5 {
		t.Errorf("countries %+v, %v", countries, err)
	}
}

// TestInjectionThroughEveryFilter sends SQL through every value a caller
// controls: nothing matches, nothing breaks, nothing is dropped.
func TestInjectionThroughEveryFilter(t *testing.T) {
	conn := openScenario(t)
	store := aggregate.NewStore(conn, aggregate.Limits{})
	ctx := context.Background()
	attacks := []string{
		"IR' OR '1'='1", `IR" OR 1=1 --`, "'; DROP TABLE verdicts; --", `\'; DROP TABLE verdict_daily; --`,
		"x') UNION ALL SELECT * FROM system.tables --", "IR\x00", "?", "{cc:String}",
	}
	for _, a := range attacks {
		for _, f := range []aggregate.Filter{
			{CC: a}, {Domain: a}, {TestName: a}, {CC: "IR", Domain: a, TestName: a},
		} {
			for name, run := range map[string]func() (int, error){
				"counts": func() (int, error) { r, err := store.Counts(ctx, f); return len(r), err },
				"evidence": func() (int, error) {
					r, err := store.Evidence(ctx, f, 3)
					return len(r), err
				},
				"aggregate": func() (int, error) {
					r, err := store.Aggregate(ctx, aggregate.AxisQuery{Filter: f, AxisX: "probe_cc"})
					return len(r), err
				},
			} {
				n, err := run()
				if err != nil {
					t.Errorf("%s with %+v: %v", name, f, err)
				}
				if n != 0 {
					t.Errorf("%s with %+v matched %d rows", name, f, n)
				}
			}
		}
		if _, err := store.Counts(ctx, aggregate.Filter{ASN: a}); !errors.Is(err, aggregate.ErrBadASN) {
			t.Errorf("ASN %q: %v", a, err)
		}
	}
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM verdicts").Scan(&n); err != nil || n != 2520 {
		t.Fatalf("verdicts after the attacks: %d rows, %v", n, err)
	}
	if err := conn.QueryRow(ctx, "SELECT count() FROM verdict_daily").Scan(&n); err != nil || n == 0 {
		t.Fatalf("verdict_daily after the attacks: %d rows, %v", n, err)
	}
}

// TestRebuildAfterReprocess: re-inserted verdicts are counted twice by the
// view until Rebuild recomputes the month from the newest verdicts.
func TestRebuildAfterReprocess(t *testing.T) {
	conn := openScenario(t)
	ctx := context.Background()
	store := aggregate.NewStore(conn, aggregate.Limits{})
	// Reprocess: every twitter.com verdict again, the DNS ones now failures.
	var rows []warehouse.VerdictRow
	for _, o := range reporttest.Outcomes() {
		if o.Domain != "twitter.com" {
			continue
		}
		m, _, err := reporttest.Measurement(o)
		if err != nil {
			t.Fatal(err)
		}
		v := reporttest.Verdict(o)
		if o.Method == "dns" {
			v.Confidence = "failure"
		}
		rows = append(rows, warehouse.NewVerdictRow(m, v, reporttest.Now.Add(time.Hour)))
	}
	if err := warehouse.NewWriter(conn).InsertVerdicts(ctx, rows); err != nil {
		t.Fatal(err)
	}
	total := func() (all, confirmed int64) {
		got, err := store.Aggregate(ctx, aggregate.AxisQuery{Filter: aggregate.Filter{Domain: "twitter.com"}})
		if err != nil {
			t.Fatal(err)
		}
		return got[0].OK + got[0].Anomaly + got[0].Confirmed + got[0].Failure, got[0].Confirmed
	}
	if all, _ := total(); all != 2*504 {
		t.Fatalf("before rebuild: %d, want the view's double count %d", all, 2*504)
	}
	// Evidence cites only what the newest analysis still calls blocked.
	ev, err := store.Evidence(ctx, aggregate.Filter{CC: "IR", Domain: "twitter.com"}, 12)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range ev {
		if e.Method == "dns" || seen[e.MeasurementUID] {
			t.Fatalf("evidence %+v: re-analysed as failed, or cited twice", e)
		}
		seen[e.MeasurementUID] = true
	}
	if err := store.Rebuild(ctx, reporttest.Since); err != nil {
		t.Fatal(err)
	}
	if all, confirmed := total(); all != 504 || confirmed != 0 {
		t.Fatalf("after rebuild: %d measurements, %d confirmed; want 504 and 0", all, confirmed)
	}
	var leftovers uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name LIKE 'verdict_daily_rebuild_%'").Scan(&leftovers); err != nil || leftovers != 0 {
		t.Errorf("staging tables left: %d, %v", leftovers, err)
	}
}
