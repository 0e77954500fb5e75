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
		st = u.Follow(ctx, wake)
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
