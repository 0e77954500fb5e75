package upload

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sonde-project/sonde/probe/collectorclient"
	"github.com/sonde-project/sonde/probe/collectorclient/collectortest"
)

func TestFollowUploadsWhileARunGoesOn(t *testing.T) {
	srv := collectortest.New(t)
	q, _ := Open(t.TempDir())
	defer q.Close()
	u := &Uploader{Queue: q, Collector: &collectorclient.Client{BaseURL: srv.URL}, Sleep: noWait}
	wake := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var st Stats
	wg.Add(1)
	go func() {
		defer wg.Done()
		st = u.Follow(ctx, wake, nil)
	}()
	for i, m := range measurements(30, "r") {
		if _, err := q.Add(m); err != nil {
			t.Fatal(err)
		}
		if i%7 == 0 {
			select {
			case wake <- struct{}{}:
			default:
			}
		}
	}
	wake <- struct{}{}
	deadline := time.Now().Add(10 * time.Second)
	for q.Len() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if q.Len() != 0 || len(srv.Stored()) != 30 || st.Stored != 30 || st.Pending != 0 {
		t.Errorf("queue %d, stored %d, stats %+v", q.Len(), len(srv.Stored()), st)
	}
}

// TestFollowStopsAfterTheRequestInFlight: stopping Follow at the end of a
// run lets the upload in flight finish, so its acknowledgement is kept and
// the measurements are not sent again.
func TestFollowStopsAfterTheRequestInFlight(t *testing.T) {
	srv := collectortest.New(t)
	srv.Set(func(s *collectortest.Server) { s.UploadDelay = 200 * time.Millisecond })
	q, _ := Open(t.TempDir())
	defer q.Close()
	fill(t, q, measurements(5, "r"))
	u := &Uploader{Queue: q, Collector: &collectorclient.Client{BaseURL: srv.URL}, MaxBatch: 3, Sleep: noWait}
	wake, stop := make(chan struct{}, 1), make(chan struct{})
	done := make(chan Stats)
	go func() { done <- u.Follow(context.Background(), wake, stop) }()
	wake <- struct{}{}
	for srv.Requests("batch") == 0 {
		time.Sleep(time.Millisecond)
	}
	close(stop)
	st := <-done
	if st.Stored != 3 || st.Pending != 2 || q.Len() != 2 || len(srv.Stored()) != 3 || srv.Requests("batch") != 1 {
		t.Fatalf("stats %+v, queue %d, stored %d, %d requests", st, q.Len(), len(srv.Stored()), srv.Requests("batch"))
	}
	// The rest goes later, and nothing twice.
	if _, err := u.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	for h, n := range srv.Received() {
		if n != 1 {
			t.Errorf("%s received %d times", h[:8], n)
		}
	}
}
