package warehouse_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sonde-project/sonde/internal/chserver/chtest"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
	"github.com/sonde-project/sonde/internal/warehouse"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

const realWeb = "../../testdata/ooni/backend-fastpath/20250527233111.802678_ID_webconnectivity_5a37ec909dbf14e3.json"

// setUp gives a test a database of its own, migrated (warehouse.Setup):
// a connection to it, closed when the test ends, and its address and name.
func setUp(t testing.TB) (conn driver.Conn, addr, db string) {
	t.Helper()
	addr, db = chtest.Database(t)
	conn, err := warehouse.Setup(context.Background(), warehouse.Config{Addr: addr, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, addr, db
}

func openMigrated(t testing.TB) *warehouse.Writer {
	t.Helper()
	conn, _, _ := setUp(t)
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

func loadReal(t testing.TB) (*measurement.Measurement, []byte) {
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

// realRows returns n measurement rows of the real measurement, each
// under its own uid.
func realRows(t testing.TB, n int) []warehouse.MeasurementRow {
	m, raw := loadReal(t)
	rows := make([]warehouse.MeasurementRow, n)
	for i := range rows {
		m.MeasurementUID = fmt.Sprintf("20250527233108.%06d_ID_webconnectivity_%016x", i, i)
		rows[i] = warehouse.NewMeasurementRow(m, string(raw), time.Now())
	}
	return rows
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

// TestInsertIsOnePart: an insert larger than one block (the writer sends
// blockRows rows at a time) is still one INSERT, which ClickHouse stores
// as one part, and every row arrives.
func TestInsertIsOnePart(t *testing.T) {
	conn, _, db := setUp(t)
	ctx := context.Background()
	w := warehouse.NewWriter(conn)
	const n = 1234 // two full blocks and a partial one
	rows := realRows(t, n)
	if err := w.InsertMeasurements(ctx, rows); err != nil {
		t.Fatal(err)
	}
	var count, uids, parts uint64
	if err := conn.QueryRow(ctx, "SELECT count(), uniqExact(measurement_uid) FROM measurements").Scan(&count, &uids); err != nil {
		t.Fatal(err)
	}
	// Inactive parts count too: parts merged into one stay listed for
	// minutes, so one part here was written as one.
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.parts WHERE database = ? AND table = 'measurements'", db).Scan(&parts); err != nil {
		t.Fatal(err)
	}
	if count != n || uids != n || parts != 1 {
		t.Errorf("after one insert of %d rows: %d rows, %d uids, %d parts; want %d, %d, 1", n, count, uids, parts, n, n)
	}
}

// TestStalledServer: an insert into a server that stopped reading (an
// overloaded host, a stalled network path) fails within the query
// timeout instead of waiting forever, even with no deadline on its
// context; once the server reads again, the same insert lands, once.
func TestStalledServer(t *testing.T) {
	direct, addr, db := setUp(t)
	ctx := context.Background()
	// The writer's connections pass through a proxy that stops
	// forwarding what the client sends after its first 1 MB.
	p := newStallProxy(t, addr, 1<<20)
	conn, err := warehouse.Open(warehouse.Config{Addr: p.addr, Database: db, QueryTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	w := warehouse.NewWriter(conn)
	// Far more than the socket buffers hold (~75 MB), so that writing
	// blocks.
	rows := realRows(t, 5000)
	done := make(chan error, 1)
	go func() { done <- w.InsertMeasurements(ctx, rows) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "write") {
			t.Fatalf("an insert into a stalled server returned %v, want a write timeout", err)
		}
		t.Logf("stalled server: %v", err)
	case <-time.After(time.Minute):
		p.resume() // lets the insert return before the test ends
		<-done
		t.Fatal("an insert into a stalled server was still waiting after a minute (query timeout 2s)")
	}
	p.resume()
	if err := w.InsertMeasurements(ctx, rows); err != nil {
		t.Fatalf("after the server read again: %v", err)
	}
	var n uint64
	if err := direct.QueryRow(ctx, "SELECT count() FROM measurements").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != uint64(len(rows)) {
		t.Errorf("%d rows stored, want %d: the failed insert left rows behind", n, len(rows))
	}
}

// stallProxy forwards TCP connections to a server; what clients send
// stops being forwarded after limit bytes in all, until resume.
type stallProxy struct {
	addr    string
	limit   int64
	mu      sync.Mutex
	sent    int64
	resumed chan struct{}
	once    sync.Once
}

func newStallProxy(t *testing.T, target string, limit int64) *stallProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallProxy{addr: ln.Addr().String(), limit: limit, resumed: make(chan struct{})}
	var wg sync.WaitGroup
	var conns []net.Conn
	var connsMu sync.Mutex
	t.Cleanup(func() {
		ln.Close()
		p.resume()
		connsMu.Lock()
		for _, c := range conns {
			c.Close()
		}
		connsMu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			connsMu.Lock()
			conns = append(conns, client, server)
			connsMu.Unlock()
			wg.Go(func() { io.Copy(client, server); client.Close() })
			wg.Go(func() { p.forward(server, client); server.Close() })
		}
	})
	return p
}

// forward copies from client to server, waiting for resume once the
// limit is reached.
func (p *stallProxy) forward(server, client net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		p.mu.Lock()
		stalled := p.sent >= p.limit
		p.mu.Unlock()
		if stalled {
			<-p.resumed
		}
		n, err := client.Read(buf)
		if n > 0 {
			p.mu.Lock()
			p.sent += int64(n)
			p.mu.Unlock()
			if _, werr := server.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *stallProxy) resume() { p.once.Do(func() { close(p.resumed) }) }

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
