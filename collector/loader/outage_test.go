package loader_test

import (
	"context"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector/loader"
	"github.com/sonde-project/sonde/internal/chserver"
)

// TestClickHouseOutage stops ClickHouse while measurements arrive: the
// spool grows, the loader retries, and once ClickHouse is back the spool
// drains and every measurement is stored once.
func TestClickHouseOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("needs ClickHouse; skipped because of -short")
	}
	ctx := context.Background()
	srv, err := chserver.Start(ctx, chserver.Config{})
	if err != nil {
		t.Fatalf("this test needs a ClickHouse server: %v", err)
	}
	defer srv.Stop()
	e := setup(t, srv.Addr(), "outage")
	l := loader.New(e.sp, e.store, loader.Config{Analyze: analyze, BatchSize: 10, RetryMin: 50 * time.Millisecond, RetryMax: 300 * time.Millisecond, Poll: 50 * time.Millisecond})
	finish := run(t, l)
	defer finish()

	recs := records(t, 60)
	if err := e.sp.Append(ctx, recs[:20]...); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first 20 loaded", func() bool { return l.Stats().Loaded == 20 })

	srv.Kill() // as a crash would
	for _, r := range recs[20:] {
		if err := e.sp.Append(ctx, r); err != nil {
			t.Fatalf("the spool must take uploads while ClickHouse is down: %v", err)
		}
	}
	waitFor(t, "the loader to notice the outage", func() bool { return l.Stats().Errors >= 2 })
	if st := e.sp.Stats(); st.PendingBytes == 0 {
		t.Fatal("the spool is empty while ClickHouse is down")
	}
	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the spool to drain", func() bool { return e.sp.Stats().PendingBytes == 0 })
	if n := count(t, e.conn, "SELECT count() FROM measurements"); n != 60 {
		t.Errorf("after the outage: %d measurements, want 60", n)
	}
	if n := count(t, e.conn, "SELECT count() FROM observations"); n != 240 {
		t.Errorf("after the outage: %d observations, want 240", n)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
