package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector/collectortest"
	"github.com/sonde-project/sonde/collector/loadgen"
	"github.com/sonde-project/sonde/internal/chserver"
	"github.com/sonde-project/sonde/internal/chserver/chtest"
)

// BenchmarkIngest drives the collector binary with collector/loadgen:
// BENCH_MEASUREMENTS (default 100,000) realistic measurements from
// BENCH_PROBES (default 2,000) simulated probes with their own tokens, a
// quarter speaking OONI's report protocol and the rest sending batches of
// 20, 64 requests in flight. It prints the rate acknowledged (fsync'd in
// the spool) and landed in ClickHouse (measurements, observations and
// verdicts), the upload latency, the collector's CPU time and peak RSS,
// and the ceiling: the same rows inserted straight into the same
// ClickHouse in batches, the best of three runs. ClickHouse has a private server; it, the
// collector and the load generator share the machine's cores. Run it with
// -benchtime 1x.
func BenchmarkIngest(b *testing.B) {
	total, probes := envInt("BENCH_MEASUREMENTS", 100_000), envInt("BENCH_PROBES", 2000)
	corpus := collectortest.Load(b)
	srv, err := chserver.Start(context.Background(), chserver.Config{})
	if err != nil {
		b.Fatalf("this benchmark needs a ClickHouse server: %v", err)
	}
	defer srv.Stop()
	chPID := pidWithArg(srv.Dir())
	listen := freeAddr(b)
	extra := "limits: {max_concurrent_uploads: 64}\nloader: {retry_max: 1s}\n"
	// BENCH_CPUPROFILE names a file for the collector's CPU profile during
	// the uploads (and file.loadgen for the load generator's).
	profile := os.Getenv("BENCH_CPUPROFILE")
	admin := freeAddr(b)
	if profile != "" {
		extra += fmt.Sprintf("admin: {listen: %q, token_sha256: %q, pprof: true}\n", admin, benchAdminHash)
	}
	p := startProc(b, writeConfig(b, b.TempDir(), listen, srv.Addr(), "bench", extra), listen)
	conn := chtest.Open(b, srv.Addr(), "bench")
	for range b.N {
		cpu0, ch0, self0 := cpuTime(p.cmd.Process.Pid), cpuTime(chPID), cpuTime(os.Getpid())
		stopProfile := func() {}
		if profile != "" {
			go fetchProfile(b, "http://"+admin, profile)
			stopProfile = profileSelf(b, profile+".loadgen")
		}
		res, err := loadgen.Run(context.Background(), loadgen.Config{
			Collector: p.url, Corpus: corpus, Probes: probes, Measurements: total, Start: time.Now().Add(-time.Hour),
		})
		if err != nil {
			b.Fatal(err)
		}
		if res.Acked.Load() != int64(total) {
			b.Fatalf("%d of %d acknowledged (%d rejected)", res.Acked.Load(), total, res.Rejected.Load())
		}
		landed := waitLanded(b, conn, total, time.Now().Add(-res.Elapsed))
		stopProfile()
		cpu, chCPU, selfCPU := cpuTime(p.cmd.Process.Pid)-cpu0, cpuTime(chPID)-ch0, cpuTime(os.Getpid())-self0
		rss := p.peakRSS()
		// Parts of level 0 are what inserts wrote (merges write higher
		// levels), and stay listed for minutes once merged away.
		var inserts uint64
		if err := conn.QueryRow(context.Background(), "SELECT count() FROM system.parts WHERE database = 'bench' AND table = 'measurements' AND level = 0").Scan(&inserts); err != nil {
			b.Fatal(err)
		}
		ceiling, worst, raw := ceiling(b, corpus, srv.Addr(), chPID, conn, total)

		ackRate, landRate := res.Rate(), float64(total)/landed.Seconds()
		b.ReportMetric(ackRate, "acked/s")
		b.ReportMetric(landRate, "landed/s")
		b.ReportMetric(ceiling, "raw-insert/s")
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		each := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 / float64(total) }
		fmt.Printf("\ncollector ingest: %d realistic measurements (mean %.1f KiB) from %d simulated probes with their own tokens\n"+
			"  (a quarter OONI's report protocol, one measurement per request; the others batches of 20), 64 requests in flight\n",
			total, float64(res.Bytes.Load())/float64(total)/1024, probes)
		fmt.Printf("  acknowledged (fsync'd in the spool): %6.0f measurements/s  (%.1fs)\n", ackRate, res.Elapsed.Seconds())
		fmt.Printf("  landed in ClickHouse:                %6.0f measurements/s  (%.1fs; measurements, observations, verdicts)\n", landRate, landed.Seconds())
		fmt.Printf("  ceiling, raw batch insert:           %6.0f measurements/s  (the same rows straight into the same ClickHouse; best of %d, worst %.0f)\n", ceiling, ceilingRuns, worst)
		fmt.Printf("  acknowledged / ceiling:              %6.0f%%\n", 100*ackRate/ceiling)
		fmt.Printf("  landed / ceiling:                    %6.0f%%\n", 100*landRate/ceiling)
		fmt.Printf("  upload latency p50 / p99:            %6.1f / %.1f ms  (OONI submit %.1f / %.1f ms, batch of 20 %.1f / %.1f ms)\n",
			ms(res.Percentile("", 0.5)), ms(res.Percentile("", 0.99)),
			ms(res.Percentile(loadgen.KindOONI, 0.5)), ms(res.Percentile(loadgen.KindOONI, 0.99)),
			ms(res.Percentile(loadgen.KindNDJSON, 0.5)), ms(res.Percentile(loadgen.KindNDJSON, 0.99)))
		fmt.Printf("  collector CPU:                       %6.1f s   (%.0f µs per measurement, door and loader)\n", cpu.Seconds(), each(cpu))
		fmt.Printf("  loader inserts:                      %6d    (mean %d measurements)\n", inserts, total/max(int(inserts), 1))
		fmt.Printf("  collector peak RSS:                  %6.0f MiB\n", float64(rss)/(1<<20))
		fmt.Printf("  ClickHouse CPU / load generator CPU: %6.1f s / %.1f s\n", chCPU.Seconds(), selfCPU.Seconds())
		fmt.Printf("  CPU per measurement, ingest:         %6.0f µs collector + %.0f µs ClickHouse (+ %.0f µs load generator)\n", each(cpu), each(chCPU), each(selfCPU))
		fmt.Printf("  CPU per measurement, raw insert:     %6.0f µs client + %.0f µs ClickHouse (best run)\n", each(raw.client), each(raw.clickhouse))
		fmt.Printf("  machine: %d cores (%s), shared by the collector, ClickHouse and the load generator\n\n", runtime.NumCPU(), cpuModel())
	}
	p.stop(b)
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
