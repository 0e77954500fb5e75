package reprocess_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sonde-project/sonde/analysis"
	"github.com/sonde-project/sonde/analysis/reporttest"
	"github.com/sonde-project/sonde/internal/chserver/chtest"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
	"github.com/sonde-project/sonde/internal/warehouse"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

// templates are real OONI measurements (testdata/ooni) of several tests
// and countries; the fixture's measurements are copies of them at other
// times.
var templates = []string{
	"bug_352.json", // IR, DNS blocking, confirmed
	"report1.json", // US, accessible
	"20250527233111.802678_ID_webconnectivity_5a37ec909dbf14e3.json", // ID, blockpage
	"bug_351.json",  // NL
	"tor.json",      // IT, tor
	"whatsapp.json", // IE, whatsapp
}

// Kinds of stored verdict, by measurement number modulo 4.
const (
	kindStale      = iota // a wrong verdict of older rules
	kindMissing           // no verdict
	kindCurrentBad        // a wrong verdict stamped with the current rules
	kindCurrentOK         // the right verdict of the current rules
)

// fixture is what was loaded.
type fixture struct {
	conn driver.Conn
	ms   map[string]*measurement.Measurement // by uid
	kind map[string]int
}

// months of the fixture: three, so that narrowing by time shows.
var months = []time.Time{
	time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC),
}

// load writes n measurements per month through the warehouse's own rows
// and writers, as the collector's loader does, with verdicts of every
// kind, plus one stored measurement that no longer parses.
func load(t *testing.T, n int) *fixture {
	t.Helper()
	conn, _, _ := reporttest.Database(t, false)
	ctx := context.Background()
	f := &fixture{conn: conn, ms: map[string]*measurement.Measurement{}, kind: map[string]int{}}
	w := warehouse.NewWriter(conn)
	loaded := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	var mrows []warehouse.MeasurementRow
	var vrows []warehouse.VerdictRow
	i := 0
	for _, month := range months {
		for j := range n {
			m := template(t, templates[i%len(templates)])
			at := month.Add(time.Duration(j) * 7 * time.Hour)
			m.MeasurementStartTime = measurement.FormatTime(at)
			m.TestStartTime = m.MeasurementStartTime
			m.MeasurementUID = fmt.Sprintf("%s.%06d_%s_%s_%016x", at.Format("20060102150405"), i,
				m.ProbeCC, "reprocess", i)
			raw, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			mrows = append(mrows, warehouse.NewMeasurementRow(m, string(raw), loaded))
			f.ms[m.MeasurementUID], f.kind[m.MeasurementUID] = m, i%4
			switch i % 4 {
			case kindStale:
				vrows = append(vrows, warehouse.NewVerdictRow(m, wrong(0), loaded))
			case kindCurrentBad:
				vrows = append(vrows, warehouse.NewVerdictRow(m, wrong(analysis.Version), loaded))
			case kindCurrentOK:
				vrows = append(vrows, warehouse.NewVerdictRow(m, analysis.Analyze(m), loaded))
			}
			i++
		}
	}
	// A stored measurement that no longer parses: counted, never fatal.
	mrows = append(mrows, warehouse.MeasurementRow{MeasurementUID: "20260402000000.999999_XX_broken_0", TestName: "web_connectivity",
		ProbeCC: "XX", MeasurementStartTime: months[1].Add(time.Hour), TestStartTime: months[1].Add(time.Hour), ReceivedTime: loaded, Raw: "not json"})
	if err := w.InsertMeasurements(ctx, mrows); err != nil {
		t.Fatal(err)
	}
	if err := w.InsertVerdicts(ctx, vrows); err != nil {
		t.Fatal(err)
	}
	return f
}

func template(t *testing.T, name string) *measurement.Measurement {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "ooni", "backend-fastpath", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := measurement.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// wrong is a verdict that says "not blocked" of everything.
func wrong(version int) verdict.Verdict {
	yes := true
	return verdict.Verdict{Status: verdict.StatusOK, Blocking: measurement.NotBlocked, Accessible: &yes,
		Confidence: verdict.OK, Explanation: "stale rules", AnalysisVersion: version}
}

// stored is a measurement's newest verdict.
type stored struct {
	Status, Blocking, Confidence, Explanation string
	Version                                   uint32
}

// newest reads every measurement's newest verdict.
func (f *fixture) newest(t *testing.T) map[string]stored {
	t.Helper()
	rows, err := f.conn.Query(context.Background(), `SELECT measurement_uid, argMax(status, analyzed_time),
  argMax(blocking, analyzed_time), argMax(confidence, analyzed_time), argMax(explanation, analyzed_time),
  argMax(analysis_version, analyzed_time)
FROM verdicts GROUP BY measurement_uid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]stored{}
	for rows.Next() {
		var uid string
		var s stored
		if err := rows.Scan(&uid, &s.Status, &s.Blocking, &s.Confidence, &s.Explanation, &s.Version); err != nil {
			t.Fatal(err)
		}
		out[uid] = s
	}
	return out
}

// expected is the verdict the current rules give m.
func expected(m *measurement.Measurement) stored {
	r := warehouse.NewVerdictRow(m, analysis.Analyze(m), time.Now())
	return stored{r.Status, r.Blocking, r.Confidence, r.Explanation, r.AnalysisVersion}
}

// staleOf is what the fixture stored for a measurement of a stale kind.
func staleOf(version uint32) stored {
	return stored{"ok", "false", "ok", "stale rules", version}
}

// dailyMatchesVerdicts checks that verdict_daily holds exactly the counts
// of the newest verdicts, key by key.
func (f *fixture) dailyMatchesVerdicts(t *testing.T) {
	t.Helper()
	const key = "day, probe_cc, probe_asn, domain, test_name, blocking_method"
	daily := f.strings(t, "SELECT concat("+keyText+", '|', toString(sum(ok_count)), '/', toString(sum(anomaly_count)), '/', toString(sum(confirmed_count)), '/', toString(sum(failure_count))) AS s FROM verdict_daily GROUP BY "+key+" HAVING sum(ok_count + anomaly_count + confirmed_count + failure_count) > 0 ORDER BY s")
	want := f.strings(t, `SELECT concat(`+keyText+`, '|', toString(countIf(confidence = 'ok')), '/', toString(countIf(confidence = 'anomaly')), '/', toString(countIf(confidence = 'confirmed')), '/', toString(countIf(confidence NOT IN ('ok', 'anomaly', 'confirmed')))) AS s
FROM (SELECT toDate(t) AS day, probe_cc, probe_asn, domain, test_name, confidence,
  if(confidence IN ('anomaly', 'confirmed') AND blocking NOT IN ('false', 'null'), blocking, '') AS blocking_method
  FROM (SELECT measurement_start_time AS t, probe_cc, probe_asn, domain, test_name, confidence, blocking FROM verdicts FINAL))
GROUP BY `+key+` ORDER BY s`)
	if fmt.Sprint(daily) != fmt.Sprint(want) {
		t.Errorf("verdict_daily does not count the newest verdicts:\n got %v\nwant %v", daily, want)
	}
	if len(want) == 0 {
		t.Error("no verdicts at all")
	}
}

// keyText is verdict_daily's key as one string.
const keyText = "toString(day), '|', probe_cc, '|', toString(probe_asn), '|', domain, '|', test_name, '|', blocking_method"

func (f *fixture) strings(t *testing.T, q string, args ...any) []string {
	t.Helper()
	rows, err := f.conn.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func (f *fixture) count(t *testing.T, q string) uint64 {
	t.Helper()
	var n uint64
	if err := f.conn.QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	return n
}
