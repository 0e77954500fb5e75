package aggregate_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/sonde-project/sonde/analysis/aggregate"
	"github.com/sonde-project/sonde/analysis/reporttest"
	"github.com/sonde-project/sonde/internal/measurement"
)

// TestBulkData checks the benchmarks' generated population: every
// measurement parses, matches its row, and is counted once in the rollup.
func TestBulkData(t *testing.T) {
	conn, _, _ := reporttest.Database(t, false)
	ctx := context.Background()
	since := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	const n = 50_000
	if err := reporttest.Bulk(ctx, conn, n, since); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, "SELECT measurement_uid, probe_cc, probe_asn, input, measurement_start_time, raw FROM measurements LIMIT 500")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var uid, cc, input, raw string
		var asn uint32
		var start time.Time
		if err := rows.Scan(&uid, &cc, &asn, &input, &start, &raw); err != nil {
			t.Fatal(err)
		}
		m, err := measurement.Parse([]byte(raw))
		if err != nil {
			t.Fatalf("%s: %v\n%.300s", uid, err, raw)
		}
		if m.MeasurementUID != uid || m.ProbeCC != cc || m.ProbeASN != aggregate.FormatASN(asn) || string(m.Input) != input ||
			m.MeasurementStartTime != measurement.FormatTime(start) {
			t.Fatalf("raw does not match its row: %+v vs %s %s %d %s %s", m, uid, cc, asn, input, start)
		}
		var keys struct {
			Blocking measurement.Blocking `json:"blocking"`
		}
		if err := json.Unmarshal(m.TestKeys, &keys); err != nil {
			t.Fatalf("%s: test_keys: %v", uid, err)
		}
		seen++
	}
	if seen != 500 {
		t.Fatalf("read %d rows", seen)
	}
	store := aggregate.NewStore(conn, aggregate.Limits{})
	all, err := store.Aggregate(ctx, aggregate.AxisQuery{AxisX: "probe_cc"})
	if err != nil {
		t.Fatal(err)
	}
	var total, blocked int64
	for _, r := range all {
		total += r.OK + r.Anomaly + r.Confirmed + r.Failure
		blocked += r.Anomaly + r.Confirmed
	}
	if len(all) != 20 || total != n || blocked < n/20 || blocked > n/4 {
		t.Errorf("%d countries, %d measurements, %d blocked", len(all), total, blocked)
	}
	var indexed uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM measurement_index").Scan(&indexed); err != nil || indexed != n {
		t.Errorf("measurement_index has %d rows (%v), want %d", indexed, err, n)
	}
}
