package warehouse_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/chserver/chtest"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
	"github.com/sonde-project/sonde/internal/warehouse"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

const realWeb = "../../testdata/ooni/backend-fastpath/20250527233111.802678_ID_webconnectivity_5a37ec909dbf14e3.json"

func openMigrated(t *testing.T) *warehouse.Writer {
	t.Helper()
	addr, db := chtest.Database(t)
	ctx := context.Background()
	conn, err := warehouse.Setup(ctx, warehouse.Config{Addr: addr, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := warehouse.Migrate(ctx, conn); err != nil {
		t.Fatal(err)
	}
	return warehouse.NewWriter(conn)
}

func TestMigrateIsIdempotentAndMatchesRows(t *testing.T) {
	addr, db := chtest.Database(t)
	ctx := context.Background()
	cfg := warehouse.Config{Addr: addr, Database: db}
	if err := warehouse.CreateDatabase(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	conn, err := warehouse.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	first, err := warehouse.Migrate(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	migs, _ := warehouse.Migrations()
	if len(first) != len(migs) || len(first) < 3 {
		t.Fatalf("first run applied %v, want all %d migrations", first, len(migs))
	}
	again, err := warehouse.Migrate(ctx, conn)
	if err != nil || len(again) != 0 {
		t.Fatalf("second run applied %v (err %v), want nothing", again, err)
	}
	// Every row struct names exactly the table's columns, in order.
	for table, typ := range map[string]reflect.Type{
		warehouse.TableMeasurements: reflect.TypeFor[warehouse.MeasurementRow](),
		warehouse.TableObservations: reflect.TypeFor[warehouse.ObservationRow](),
		warehouse.TableVerdicts:     reflect.TypeFor[warehouse.VerdictRow](),
	} {
		rows, err := conn.Query(ctx, "SELECT name FROM system.columns WHERE database = ? AND table = ?", db, table) // in position order (18.16 has no position column)
		if err != nil {
			t.Fatal(err)
		}
		var cols []string
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			cols = append(cols, c)
		}
		rows.Close()
		if want := warehouse.Columns(typ); !slices.Equal(cols, want) {
			t.Errorf("%s columns %v, row struct %v", table, cols, want)
		}
	}
}

func loadReal(t *testing.T) (*measurement.Measurement, []byte) {
	t.Helper()
	raw, err := os.ReadFile(realWeb)
	if err != nil {
		t.Fatal(err)
	}
	m, err := measurement.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	m.MeasurementUID = "20250527233108.000001_ID_webconnectivity_0123456789abcdef"
	return m, raw
}

func TestInsertAndPresent(t *testing.T) {
	w := openMigrated(t)
	ctx := context.Background()
	m, raw := loadReal(t)
	obs := warehouse.NewObservationRows(m)
	acc := true
	v := verdict.Verdict{Status: verdict.StatusOK, Confidence: verdict.OK, Blocking: measurement.NotBlocked, Accessible: &acc, AnalysisVersion: 1}
	if err := w.InsertMeasurements(ctx, []warehouse.MeasurementRow{warehouse.NewMeasurementRow(m, string(raw), time.Now())}); err != nil {
		t.Fatal(err)
	}
	if err := w.InsertObservations(ctx, obs); err != nil {
		t.Fatal(err)
	}
	if err := w.InsertVerdicts(ctx, []warehouse.VerdictRow{warehouse.NewVerdictRow(m, v, time.Now())}); err != nil {
		t.Fatal(err)
	}
	start, _ := m.StartTime()
	for _, table := range []string{warehouse.TableMeasurements, warehouse.TableObservations, warehouse.TableVerdicts, warehouse.TableMeasurementIndex} {
		got, err := w.Present(ctx, table, []string{m.MeasurementUID, "20250527233108.000001_ID_webconnectivity_ffffffffffffffff"}, start, start)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !got[m.MeasurementUID] {
			t.Errorf("%s: Present = %v, want only %s", table, got, m.MeasurementUID)
		}
	}
	// 5000 uids (a default loader batch) make a query larger than
	// ClickHouse's max_query_size: Present splits it.
	many := []string{m.MeasurementUID}
	for i := range 5000 {
		many = append(many, fmt.Sprintf("20250527233108.%06d_ID_webconnectivity_%016x", i, i))
	}
	if got, err := w.Present(ctx, warehouse.TableMeasurements, many, start, start); err != nil || len(got) != 1 {
		t.Errorf("Present of 5001 uids = %d found, %v; want the one stored", len(got), err)
	}
	// Outside the time range nothing is found: the range really filters.
	got, err := w.Present(ctx, warehouse.TableMeasurements, []string{m.MeasurementUID}, start.Add(time.Hour), start.Add(2*time.Hour))
	if err != nil || len(got) != 0 {
		t.Errorf("Present outside the range = %v, %v", got, err)
	}
}

func TestObservationRowsOfRealMeasurement(t *testing.T) {
	m, _ := loadReal(t)
	rows := warehouse.NewObservationRows(m)
	var steps []string
	for i, r := range rows {
		if r.StepIndex != uint32(i) || r.MeasurementUID != m.MeasurementUID || r.ProbeCC != "ID" || r.ProbeASN != 23693 {
			t.Errorf("row %d: bad identity %+v", i, r)
		}
		steps = append(steps, r.Step)
	}
	want := []string{"dns_query", "tcp_connect", "http_request", "http_request"}
	if !slices.Equal(steps, want) {
		t.Fatalf("steps %v, want %v", steps, want)
	}
	dns := rows[0]
	if dns.Hostname != "archive.org" || len(dns.DNSAnswers) == 0 || len(dns.DNSAnswers) != len(dns.DNSAnswerTypes) {
		t.Errorf("dns row %+v", dns)
	}
	if rows[1].IP == "" || rows[1].Port != 80 {
		t.Errorf("tcp row %+v", rows[1])
	}
	if rows[2].HTTPURL == "" || rows[2].HTTPMethod != "GET" {
		t.Errorf("http row %+v", rows[2])
	}
}

func TestDomain(t *testing.T) {
	for in, want := range map[string]string{
		"http://Archive.org/x?y":     "archive.org",
		"https://[2001:db8::1]:443/": "2001:db8::1",
		"example.com":                "example.com",
		"Example.COM.":               "example.com",
		"1.2.3.4:443":                "1.2.3.4",
		"":                           "",
	} {
		if got := warehouse.Domain(in); got != want {
			t.Errorf("Domain(%q) = %q, want %q", in, got, want)
		}
	}
}
