package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector/collectortest"
	"github.com/sonde-project/sonde/internal/chserver/chtest"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/warehouse"
)

// BenchmarkIngest measures end-to-end ingest: BENCH_MEASUREMENTS
// (default 100,000) realistic measurements uploaded by 50 concurrent
// uploaders in batches of 20 to the collector binary, acknowledged
// (fsync'd in the spool) and landed in ClickHouse; then the same rows
// inserted straight into the same ClickHouse in batches, the ceiling; and
// the collector's peak RSS. Run it with -benchtime 1x.
func BenchmarkIngest(b *testing.B) {
	total := 100_000
	if v, err := strconv.Atoi(os.Getenv("BENCH_MEASUREMENTS")); err == nil && v > 0 {
		total = v
	}
	const uploaders, batchSize = 50, 20
	corpus := collectortest.Load(b)
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	addr, db := chtest.Database(b)
	conn := chtest.Open(b, addr, db)
	listen := freeAddr(b)
	p := startProc(b, writeConfig(b, b.TempDir(), listen, addr, db, "limits: {max_concurrent_uploads: 64}\n"), listen)

	for range b.N {
		var next, acked, bytesSent atomic.Int64
		var wg sync.WaitGroup
		client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: uploaders}}
		start := time.Now()
		for range uploaders {
			wg.Go(func() {
				for {
					first := int(next.Add(batchSize)) - batchSize
					if first >= total {
						return
					}
					var batch [][]byte
					for i := first; i < min(first+batchSize, total); i++ {
						m := corpus.Measurement(i, at)
						bytesSent.Add(int64(len(m)))
						batch = append(batch, m)
					}
					for {
						uids, err := upload(context.Background(), client, p.url, batch)
						if err == nil {
							acked.Add(int64(len(uids)))
							break
						}
						b.Logf("upload: %v (retrying)", err)
						time.Sleep(100 * time.Millisecond)
					}
				}
			})
		}
		wg.Wait()
		ackTime := time.Since(start)
		var landed uint64
		for landed < uint64(total) {
			if err := conn.QueryRow(context.Background(), "SELECT count() FROM measurements").Scan(&landed); err != nil {
				b.Fatal(err)
			}
			if time.Since(start) > 20*time.Minute {
				b.Fatalf("only %d of %d landed after 20 minutes", landed, total)
			}
			time.Sleep(50 * time.Millisecond)
		}
		landTime := time.Since(start)
		rss := p.peakRSS()
		ceiling := rawInsert(b, corpus, total, at)

		ackRate := float64(acked.Load()) / ackTime.Seconds()
		landRate := float64(total) / landTime.Seconds()
		b.ReportMetric(ackRate, "acked/s")
		b.ReportMetric(landRate, "landed/s")
		b.ReportMetric(ceiling, "raw-insert/s")
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
		fmt.Printf("\ncollector ingest: %d realistic measurements (mean %.1f KiB, %.0f MiB in all) from %d concurrent uploaders, batches of %d\n",
			total, float64(bytesSent.Load())/float64(total)/1024, float64(bytesSent.Load())/(1<<20), uploaders, batchSize)
		fmt.Printf("  acknowledged (fsync'd in the spool): %8.0f measurements/s  (%.1fs)\n", ackRate, ackTime.Seconds())
		fmt.Printf("  landed in ClickHouse:                %8.0f measurements/s  (%.1fs, with observations and verdicts)\n", landRate, landTime.Seconds())
		fmt.Printf("  ceiling, raw batch insert:           %8.0f measurements/s  (the same rows, straight into the same ClickHouse)\n", ceiling)
		fmt.Printf("  collector peak RSS:                  %8.1f MiB\n\n", float64(rss)/(1<<20))
	}
	p.stop(b)
}

// rawInsert inserts the same measurements' rows (measurements and
// observations; verdicts need the analysis) straight into a fresh
// database in batches of 5000 and returns measurements per second,
// counting only the inserts.
func rawInsert(b *testing.B, corpus *collectortest.Corpus, total int, at time.Time) float64 {
	addr, db := chtest.Database(b)
	ctx := context.Background()
	conn, err := warehouse.Setup(ctx, warehouse.Config{Addr: addr, Database: db})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	w := warehouse.NewWriter(conn)
	var spent time.Duration
	for first := 0; first < total; first += 5000 {
		var ms []warehouse.MeasurementRow
		var obs []warehouse.ObservationRow
		for i := first; i < min(first+5000, total); i++ {
			raw := corpus.Measurement(i, at)
			m, err := measurement.Parse(raw)
			if err != nil {
				b.Fatal(err)
			}
			m.MeasurementUID = fmt.Sprintf("%s.%06d_IT_raw_%016x", at.Format("20060102150405"), i%1_000_000, i)
			ms = append(ms, warehouse.NewMeasurementRow(m, raw, at))
			obs = append(obs, warehouse.NewObservationRows(m)...)
		}
		t0 := time.Now()
		if err := w.InsertObservations(ctx, obs); err != nil {
			b.Fatal(err)
		}
		if err := w.InsertMeasurements(ctx, ms); err != nil {
			b.Fatal(err)
		}
		spent += time.Since(t0)
	}
	return float64(total) / spent.Seconds()
}
