package reprocess_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sonde-project/sonde/analysis/reporttest"
	"github.com/sonde-project/sonde/analysis/reprocess"
)

// BenchmarkReprocess recomputes every verdict of a warehouse filled with
// realistic measurements (reporttest.Bulk: 20 countries, 92 days;
// SONDE_BENCH_REPROCESS=N measurements, default 100,000) and reports
// measurements per second and the peak heap, which the batch size bounds
// whatever the number of measurements.
func BenchmarkReprocess(b *testing.B) {
	n := 100_000
	if s := os.Getenv("SONDE_BENCH_REPROCESS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	conn, _, _ := reporttest.Database(b, false)
	ctx := context.Background()
	if err := reporttest.Bulk(ctx, conn, n, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var peak uint64
	for b.Loop() {
		runtime.GC()
		stop := sampleHeap(&peak)
		// --all with a clock that moves on: every verdict is recomputed
		// and compared; the made-up ones are written.
		s, err := reprocess.Run(ctx, conn, reprocess.Config{All: true})
		stop()
		if err != nil || s.Read != int64(n) {
			b.Fatalf("%v, %+v", err, s)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "measurements/s")
	b.ReportMetric(float64(peak)/(1<<20), "MiB-peak-heap")
}

// sampleHeap records the largest heap in use until stop is called.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			*peak = max(*peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}
