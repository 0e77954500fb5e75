package loader_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sonde-project/sonde/collector/loader"
	"github.com/sonde-project/sonde/collector/spool"
	"github.com/sonde-project/sonde/internal/chserver/chtest"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
	"github.com/sonde-project/sonde/internal/warehouse"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

const realWeb = "../../testdata/ooni/backend-fastpath/20250527233111.802678_ID_webconnectivity_5a37ec909dbf14e3.json"

// records returns n spool records made from a real measurement, each with
// its own uid and input.
func records(t testing.TB, n int) [][]byte {
	t.Helper()
	raw, err := os.ReadFile(realWeb)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	out := make([][]byte, n)
	for i := range n {
		doc["measurement_uid"] = fmt.Sprintf("20250527233108.%06d_ID_webconnectivity_%016x", i, i)
		doc["input"] = fmt.Sprintf("http://site%d.example/", i)
		b, _ := json.Marshal(doc)
		out[i] = loader.EncodeRecord(time.Unix(1748388668, 0), b)
	}
	return out
}

func analyze(m *measurement.Measurement) verdict.Verdict {
	if m.Input == "http://site3.example/" {
		panic("analysis bug")
	}
	return verdict.Verdict{Status: verdict.StatusOK, Confidence: verdict.OK, Blocking: measurement.NotBlocked, AnalysisVersion: 1}
}

type env struct {
	sp    *spool.Spool
	conn  driver.Conn
	store *warehouse.Writer
}

func setup(t *testing.T, addr, db string) *env {
	t.Helper()
	ctx := context.Background()
	conn, err := warehouse.Setup(ctx, warehouse.Config{Addr: addr, Database: db, QueryTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := warehouse.Migrate(ctx, conn); err != nil {
		t.Fatal(err)
	}
	sp, err := spool.Open(spool.Config{Dir: t.TempDir(), SegmentBytes: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.Close() })
	return &env{sp: sp, conn: conn, store: warehouse.NewWriter(conn)}
}

func count(t *testing.T, conn driver.Conn, q string) uint64 {
	t.Helper()
	var n uint64
	if err := conn.QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// run starts the loader and returns a function that finishes it.
func run(t *testing.T, l *loader.Loader) (finish func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := l.Run(ctx); err != nil {
			t.Error(err)
		}
	})
	return func() {
		l.Finish()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Error("the loader did not finish within a minute")
		}
		cancel()
		wg.Wait()
	}
}

func TestLoadsEveryTableExactlyOnce(t *testing.T) {
	addr, db := chtest.Database(t)
	e := setup(t, addr, db)
	recs := records(t, 40)
	// A replayed batch: the first 15 are already in ClickHouse (a crash
	// after the insert, before the checkpoint), and record 7 is in the
	// spool twice (a retried upload).
	l0 := loader.New(e.sp, e.store, loader.Config{Analyze: analyze, BatchSize: 15})
	if err := e.sp.Append(context.Background(), recs[:15]...); err != nil {
		t.Fatal(err)
	}
	finish := run(t, l0)
	finish()
	sp2, err := spool.Open(spool.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sp2.Close()
	if err := sp2.Append(context.Background(), recs...); err != nil {
		t.Fatal(err)
	}
	if err := sp2.Append(context.Background(), recs[7]); err != nil {
		t.Fatal(err)
	}
	l := loader.New(sp2, e.store, loader.Config{Analyze: analyze, BatchSize: 8})
	run(t, l)()

	if n := count(t, e.conn, "SELECT count() FROM measurements"); n != 40 {
		t.Errorf("measurements: %d rows, want 40", n)
	}
	if n := count(t, e.conn, "SELECT uniqExact(measurement_uid) FROM measurements"); n != 40 {
		t.Errorf("distinct uids: %d, want 40", n)
	}
	if n := count(t, e.conn, "SELECT count() FROM observations"); n != 40*4 {
		t.Errorf("observations: %d rows, want 160 (4 steps each)", n)
	}
	if n := count(t, e.conn, "SELECT count() FROM verdicts"); n != 40 {
		t.Errorf("verdicts: %d rows, want 40", n)
	}
	if n := count(t, e.conn, "SELECT count() FROM verdicts WHERE status = 'unknown' AND input = 'http://site3.example/'"); n != 1 {
		t.Errorf("the verdict of the measurement that made the analysis panic: %d unknown rows, want 1", n)
	}
	st := l.Stats()
	if st.Loaded != 25 || st.Duplicates != 16 || st.AnalysisPanics != 1 {
		t.Errorf("stats %+v: want 25 loaded, 16 duplicates (15 replayed + 1 repeated), 1 analysis panic", st)
	}
	if ps := sp2.Stats(); ps.PendingBytes != 0 {
		t.Errorf("spool still holds %d bytes", ps.PendingBytes)
	}
}
