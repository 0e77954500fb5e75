package main

import (
	"context"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sonde-project/sonde/collector/collectortest"
	"github.com/sonde-project/sonde/internal/chserver"
	"github.com/sonde-project/sonde/internal/chserver/chtest"
)

func TestMain(m *testing.M) {
	code := chtest.Main(m)
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// stream uploads batches of 5 from 8 goroutines until ctx ends, and
// returns every uid acknowledged.
func stream(ctx context.Context, url string, corpus *collectortest.Corpus, first int) map[string]bool {
	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	at := time.Now().Add(-time.Hour)
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				var batch [][]byte
				for k := range 5 {
					batch = append(batch, corpus.Measurement(first+(w*1_000_000)+i*5+k, at))
				}
				uids, err := upload(ctx, client, url, batch)
				if err != nil {
					time.Sleep(20 * time.Millisecond)
					continue
				}
				mu.Lock()
				for _, u := range uids {
					acked[u] = true
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return acked
}

// checkExactlyOnce waits until every acknowledged uid is in ClickHouse
// and checks that none is there twice.
func checkExactlyOnce(t *testing.T, conn driver.Conn, acked map[string]bool) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(2 * time.Minute)
	var missing int
	for {
		rows, err := conn.Query(ctx, "SELECT measurement_uid, count() FROM measurements GROUP BY measurement_uid")
		if err != nil {
			t.Fatal(err)
		}
		stored := map[string]uint64{}
		for rows.Next() {
			var uid string
			var n uint64
			if err := rows.Scan(&uid, &n); err != nil {
				t.Fatal(err)
			}
			stored[uid] = n
		}
		rows.Close()
		missing = 0
		for uid := range acked {
			if stored[uid] == 0 {
				missing++
			}
		}
		for uid, n := range stored {
			if n != 1 {
				t.Fatalf("measurement %s is stored %d times", uid, n)
			}
		}
		if missing == 0 {
			t.Logf("%d acknowledged measurements, all stored once (%d rows in all)", len(acked), len(stored))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged measurements are not in ClickHouse", missing, len(acked))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestSIGKILLLosesNothing kills the collector with SIGKILL in the middle
// of a stream of uploads, restarts it, and checks that every
// acknowledged measurement is in ClickHouse exactly once.
func TestSIGKILLLosesNothing(t *testing.T) {
	addr, db := chtest.Database(t)
	conn := chtest.Open(t, addr, db)
	corpus := collectortest.Load(t)
	dir := t.TempDir()
	listen := freeAddr(t)
	config := writeConfig(t, dir, listen, addr, db, "")
	p := startProc(t, config, listen)

	ctx, cancel := context.WithCancel(context.Background())
	var acked map[string]bool
	done := make(chan struct{})
	go func() { acked = stream(ctx, p.url, corpus, 0); close(done) }()
	time.Sleep(1500 * time.Millisecond)
	p.kill(t) // mid-stream: uploads in flight fail, acknowledged ones must survive
	time.Sleep(200 * time.Millisecond)
	p = startProc(t, config, listen)
	time.Sleep(700 * time.Millisecond)
	cancel()
	<-done
	if len(acked) < 50 {
		t.Fatalf("only %d measurements acknowledged: the stream did not run", len(acked))
	}
	checkExactlyOnce(t, conn, acked)
	p.stop(t)
}

// TestClickHouseOutageDuringUploads kills ClickHouse while probes upload:
// uploads keep being acknowledged into the spool, and once ClickHouse is
// back the spool drains into it.
func TestClickHouseOutageDuringUploads(t *testing.T) {
	if testing.Short() {
		t.Skip("needs ClickHouse; skipped because of -short")
	}
	srv, err := chserver.Start(context.Background(), chserver.Config{})
	if err != nil {
		t.Fatalf("this test needs a ClickHouse server: %v", err)
	}
	defer srv.Stop()
	corpus := collectortest.Load(t)
	dir := t.TempDir()
	listen := freeAddr(t)
	p := startProc(t, writeConfig(t, dir, listen, srv.Addr(), "outage", ""), listen)

	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	before := stream(ctx, p.url, corpus, 0)
	cancel()
	srv.Kill()
	ctx, cancel = context.WithTimeout(context.Background(), 1500*time.Millisecond)
	during := stream(ctx, p.url, corpus, 50_000_000)
	cancel()
	if len(during) < 20 {
		t.Fatalf("only %d uploads acknowledged while ClickHouse was down", len(during))
	}
	if err := srv.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	conn := chtest.Open(t, srv.Addr(), "outage")
	for uid := range before {
		during[uid] = true
	}
	checkExactlyOnce(t, conn, during)
	p.stop(t)
}

// TestGracefulShutdownFlushes: after SIGTERM the process exits 0 and
// everything acknowledged is in ClickHouse.
func TestGracefulShutdownFlushes(t *testing.T) {
	addr, db := chtest.Database(t)
	conn := chtest.Open(t, addr, db)
	corpus := collectortest.Load(t)
	listen := freeAddr(t)
	p := startProc(t, writeConfig(t, t.TempDir(), listen, addr, db, ""), listen)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	acked := stream(ctx, p.url, corpus, 0)
	cancel()
	p.stop(t)
	// The process is gone: what is not in ClickHouse now never will be.
	// (Uploads cut off by the client's deadline may be stored too,
	// unacknowledged; they count as long as they are stored once.)
	checkExactlyOnce(t, conn, acked)
}
