package upload

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/probe/collectorclient"
	"github.com/sonde-project/sonde/probe/collectorclient/collectortest"
)

// measurements returns n distinct measurement lines for report.
func measurements(n int, report string) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = fmt.Appendf(nil, `{"test_name":"dns","report_id":%q,"input":"site%d.example","test_keys":{"body":"<b>%d</b>"}}`, report, i, i)
	}
	return out
}

func fill(t *testing.T, q *Queue, ms [][]byte) {
	t.Helper()
	for _, m := range ms {
		if added, err := q.Add(m); err != nil || !added {
			t.Fatalf("Add: %v, %v", added, err)
		}
	}
}

func noWait(context.Context, time.Duration) error { return nil }

// TestCutConnectionsLoseNothingAndResendNothingAcknowledged cuts
// connections before and after the collector stores an upload, and answers
// 503 once: everything arrives, is stored once, leaves the queue, and
// nothing whose acknowledgement arrived is sent again.
func TestCutConnectionsLoseNothingAndResendNothingAcknowledged(t *testing.T) {
	srv := collectortest.New(t)
	srv.Set(func(s *collectortest.Server) { s.CutBeforeStore, s.Fail503, s.CutAfterStore = 1, 1, 2 })
	q, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ms := measurements(120, "r1")
	fill(t, q, ms)
	u := &Uploader{Queue: q, Collector: &collectorclient.Client{BaseURL: srv.URL}, MaxBatch: 25, Sleep: noWait}
	st, err := u.Drain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	stored := srv.Stored()
	for i, m := range ms {
		if _, ok := stored[collectortest.Hash(m)]; !ok {
			t.Errorf("measurement %d was lost", i)
		}
	}
	if len(stored) != 120 || q.Len() != 0 || st.Pending != 0 {
		t.Errorf("stored %d, queue holds %d, stats %+v", len(stored), q.Len(), st)
	}
	if again := srv.ResentAfterAck(); len(again) > 0 {
		t.Errorf("%d measurements were sent again after their acknowledgement", len(again))
	}
	// The first batch: cut before it was read, 503, then stored twice
	// with the acknowledgement cut, then acknowledged as a duplicate. It
	// reached the collector 3 times and was stored once.
	resent := 0
	for _, n := range srv.Received() {
		if n > 1 {
			resent++
			if n != 3 {
				t.Errorf("a measurement reached the collector %d times", n)
			}
		}
	}
	if resent != 25 || st.Duplicates != 25 || st.Stored != 95 {
		t.Errorf("%d received more than once, stats %+v; want the first batch of 25", resent, st)
	}
	if n := srv.Requests("batch"); n != 5+4 {
		t.Errorf("%d batch requests, want 5 batches and 4 failed attempts", n)
	}
}

func TestQueueSurvivesRestartAndNeverResendsAcknowledged(t *testing.T) {
	dir := t.TempDir()
	q, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ms := measurements(5, "r1")
	fill(t, q, ms)
	if added, _ := q.Add(ms[0]); added {
		t.Error("a pending measurement was queued twice")
	}
	items := q.Pending()
	if err := q.Ack(items[0].Hash, "uid-0"); err != nil {
		t.Fatal(err)
	}
	// A crash between the two steps of Ack: the ack is logged, the
	// pending file is still there.
	if _, err := fmt.Fprintf(q.ackLog, "%s uid-1\n", items[1].Hash); err != nil {
		t.Fatal(err)
	}
	q.Close()
	// A half-written file from a crash in Add.
	os.WriteFile(filepath.Join(dir, "pending", "x.json.tmp"), []byte("{"), 0o600)

	q, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if q.Len() != 3 {
		t.Fatalf("after restart %d pending, want 3", q.Len())
	}
	for _, it := range q.Pending() {
		if it.Hash == items[0].Hash || it.Hash == items[1].Hash {
			t.Errorf("an acknowledged measurement is pending again")
		}
	}
	if added, _ := q.Add(ms[0]); added {
		t.Error("an acknowledged measurement was queued again")
	}
	if _, err := os.Stat(filepath.Join(dir, "pending", "x.json.tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Error("the half-written file was kept")
	}
	srv := collectortest.New(t)
	u := &Uploader{Queue: q, Collector: &collectorclient.Client{BaseURL: srv.URL}, Sleep: noWait}
	if _, err := u.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(srv.Received()) != 3 {
		t.Errorf("sent %d measurements, want the 3 never acknowledged", len(srv.Received()))
	}
}

func TestTornAckLog(t *testing.T) {
	dir := t.TempDir()
	q, _ := Open(dir)
	fill(t, q, measurements(2, "r"))
	it := q.Pending()
	q.Close()
	// A crash in the middle of logging the second acknowledgement.
	os.WriteFile(filepath.Join(dir, "acked.log"), []byte(it[0].Hash+" uid\n"+it[1].Hash+" ui"), 0o600)
	q, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if q.Len() != 0 {
		t.Errorf("%d pending: a torn but whole hash counts as acknowledged", q.Len())
	}
	q.Close()
	b, _ := os.ReadFile(filepath.Join(dir, "acked.log"))
	if want := it[0].Hash + " uid\n" + it[1].Hash + " -\n"; string(b) != want {
		t.Errorf("acked.log = %q", b)
	}
}

func TestRejectedAreKeptAside(t *testing.T) {
	dir := t.TempDir()
	srv := collectortest.New(t)
	srv.Set(func(s *collectortest.Server) { s.Reject = "site1." })
	q, _ := Open(dir)
	defer q.Close()
	fill(t, q, measurements(3, "r"))
	u := &Uploader{Queue: q, Collector: &collectorclient.Client{BaseURL: srv.URL}, Sleep: noWait}
	st, err := u.Drain(context.Background())
	if err != nil || st.Stored != 2 || st.Rejected != 1 || q.Len() != 0 {
		t.Fatalf("stats %+v, %v", st, err)
	}
	reasons, _ := filepath.Glob(filepath.Join(dir, "rejected", "*.reason"))
	if len(reasons) != 1 {
		t.Fatalf("%d reasons", len(reasons))
	}
	b, _ := os.ReadFile(reasons[0])
	m, _ := os.ReadFile(strings.TrimSuffix(reasons[0], ".reason") + ".json")
	if string(b) != "test_name is not a known test\n" || !strings.Contains(string(m), "site1.example") {
		t.Errorf("rejected %q: %s", b, m)
	}
}

func TestOneByOneWhenTheCollectorHasNoBatchPath(t *testing.T) {
	srv := collectortest.New(t)
	srv.Set(func(s *collectortest.Server) { s.NoBatch = true; s.CutAfterStore = 1 })
	c := &collectorclient.Client{BaseURL: srv.URL}
	report, err := c.OpenReport(context.Background(), probeRequest())
	if err != nil {
		t.Fatal(err)
	}
	q, _ := Open(t.TempDir())
	defer q.Close()
	fill(t, q, measurements(4, report))
	fill(t, q, measurements(1, "20240101T000000Z_dns_ZZ_0_n1_unknownreport"))
	u := &Uploader{Queue: q, Collector: c, Sleep: noWait}
	st, err := u.Drain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The submit whose answer was cut is sent again; the collector stores
	// it once and acknowledges it (OONI's path has no "duplicate").
	if st.Stored != 4 || st.Rejected != 1 || len(srv.Stored()) != 4 || srv.Requests("submit") != 6 {
		t.Errorf("stats %+v, stored %d, %d submits", st, len(srv.Stored()), srv.Requests("submit"))
	}
	if len(srv.ResentAfterAck()) > 0 {
		t.Error("resent after acknowledgement")
	}
}

func TestDrainStopsOnARefusedToken(t *testing.T) {
	srv := collectortest.New(t)
	srv.Set(func(s *collectortest.Server) { s.Token = "right" })
	q, _ := Open(t.TempDir())
	defer q.Close()
	fill(t, q, measurements(3, "r"))
	u := &Uploader{Queue: q, Collector: &collectorclient.Client{BaseURL: srv.URL, Token: "wrong"}, Sleep: noWait}
	st, err := u.Drain(context.Background())
	var se *collectorclient.StatusError
	if !errors.As(err, &se) || se.Code != 401 || st.Pending != 3 || srv.Requests("batch") != 1 {
		t.Fatalf("stats %+v, err %v, %d requests", st, err, srv.Requests("batch"))
	}
}

func TestDrainGivesUpAndKeepsTheQueue(t *testing.T) {
	srv := collectortest.New(t)
	srv.Set(func(s *collectortest.Server) { s.Fail503 = 100 })
	q, _ := Open(t.TempDir())
	defer q.Close()
	fill(t, q, measurements(3, "r"))
	var waits []time.Duration
	u := &Uploader{Queue: q, Collector: &collectorclient.Client{BaseURL: srv.URL}, Patience: 4,
		Backoff: Backoff{Rand: func() float64 { return 0.5 }},
		Sleep:   func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
	st, err := u.Drain(context.Background())
	if !errors.Is(err, ErrGaveUp) || !strings.Contains(err.Error(), "503") || st.Pending != 3 {
		t.Fatalf("stats %+v, err %v", st, err)
	}
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}
	if fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
}

func TestBackoff(t *testing.T) {
	b := Backoff{Base: time.Second, Max: 10 * time.Second, Rand: func() float64 { return 0.999999 }}
	var got []time.Duration
	for i := range 6 {
		got = append(got, b.Delay(i).Round(time.Second))
	}
	if fmt.Sprint(got) != "[1s 2s 4s 8s 10s 10s]" {
		t.Errorf("delays %v", got)
	}
	// Full jitter: anywhere between zero and the step.
	for range 100 {
		if d := (Backoff{}).Delay(3); d < 0 || d >= 8*time.Second {
			t.Fatalf("delay %v out of [0, 8s)", d)
		}
	}
}

func TestDrainStopsWhenCancelled(t *testing.T) {
	srv := collectortest.New(t)
	srv.Set(func(s *collectortest.Server) { s.Fail503 = 100 })
	q, _ := Open(t.TempDir())
	defer q.Close()
	fill(t, q, measurements(2, "r"))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	u := &Uploader{Queue: q, Collector: &collectorclient.Client{BaseURL: srv.URL}, Backoff: Backoff{Base: time.Hour}}
	st, err := u.Drain(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || st.Pending != 2 {
		t.Fatalf("stats %+v, err %v", st, err)
	}
}
