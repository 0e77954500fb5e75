package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sonde-project/sonde/analysis"
	"github.com/sonde-project/sonde/collector/collectortest"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/warehouse"
)

// waitLanded waits until total measurements are in ClickHouse and returns
// the time since start (to 0.1 s). It gives up when nothing lands for two minutes.
func waitLanded(b *testing.B, conn driver.Conn, total int, start time.Time) time.Duration {
	var last uint64
	progress := time.Now()
	for {
		var n uint64
		if err := conn.QueryRow(context.Background(), "SELECT count() FROM measurements").Scan(&n); err != nil {
			b.Fatal(err)
		}
		if n >= uint64(total) {
			return time.Since(start)
		}
		if n != last {
			last, progress = n, time.Now()
		}
		if time.Since(progress) > 2*time.Minute {
			b.Fatalf("only %d of %d landed, and nothing more for two minutes", n, total)
		}
		// Each poll is a query, which costs ClickHouse ~0.5 ms of CPU:
		// every 20 ms that was 3% of its CPU during the run.
		time.Sleep(100 * time.Millisecond)
	}
}

// waitMerged waits (up to a minute) until ClickHouse has no merge
// running, so that the ceiling is not measured against the merges the
// ingest left behind.
func waitMerged(b *testing.B, conn driver.Conn) {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var n uint64
		if err := conn.QueryRow(context.Background(), "SELECT count() FROM system.merges").Scan(&n); err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// ceilingRuns is how many times the raw insert is measured: ClickHouse's
// background work makes one run vary by a third; the best is the ceiling.
const ceilingRuns = 3

// ceiling runs rawInsert ceilingRuns times, each into a fresh database
// after ClickHouse's merges have settled, and returns the best and the
// worst rate, and the CPU time per measurement of the best run.
func ceiling(b *testing.B, corpus *collectortest.Corpus, addr string, chPID int, conn driver.Conn, total int) (best, worst float64, cost insertCost) {
	for i := range ceilingRuns {
		waitMerged(b, conn)
		r, c := rawInsert(b, corpus, addr, chPID, fmt.Sprintf("ceiling%d", i), total)
		if i == 0 || r > best {
			best, cost = r, c
		}
		if i == 0 || r < worst {
			worst = r
		}
	}
	return best, worst, cost
}

// insertCost is the CPU time a raw insert took, ClickHouse's and the
// client's (the benchmark process: encoding the rows and sending them).
type insertCost struct{ clickhouse, client time.Duration }

// rawInsert inserts the rows the collector writes for the same
// measurements (measurements, observations, verdicts) straight into a
// fresh database in batches of 5000 measurements, and returns
// measurements per second and the CPU time used, counting only the
// inserts.
func rawInsert(b *testing.B, corpus *collectortest.Corpus, addr string, chPID int, database string, total int) (float64, insertCost) {
	ctx := context.Background()
	conn, err := warehouse.Setup(ctx, warehouse.Config{Addr: addr, Database: database})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	w := warehouse.NewWriter(conn)
	at := time.Now().Add(-time.Hour)
	var spent time.Duration
	var cost insertCost
	for first := 0; first < total; first += 5000 {
		var ms []warehouse.MeasurementRow
		var obs []warehouse.ObservationRow
		var vs []warehouse.VerdictRow
		for i := first; i < min(first+5000, total); i++ {
			raw := corpus.Measurement(i, at.Add(-time.Duration(i%3600)*time.Second))
			m, err := measurement.Parse(raw)
			if err != nil {
				b.Fatal(err)
			}
			m.MeasurementUID = fmt.Sprintf("%s.%06d_%s_raw_%016x", at.Format("20060102150405"), i%1_000_000, m.ProbeCC, i)
			ms = append(ms, warehouse.NewMeasurementRow(m, string(raw), at))
			obs = append(obs, warehouse.NewObservationRows(m)...)
			vs = append(vs, warehouse.NewVerdictRow(m, analysis.Analyze(m), at))
		}
		t0, ch0, self0 := time.Now(), cpuTime(chPID), cpuTime(os.Getpid())
		if err := w.InsertObservations(ctx, obs); err != nil {
			b.Fatal(err)
		}
		if err := w.InsertVerdicts(ctx, vs); err != nil {
			b.Fatal(err)
		}
		if err := w.InsertMeasurements(ctx, ms); err != nil {
			b.Fatal(err)
		}
		spent += time.Since(t0)
		cost.clickhouse += cpuTime(chPID) - ch0
		cost.client += cpuTime(os.Getpid()) - self0
	}
	return float64(total) / spent.Seconds(), cost
}

// cpuTime is the user and system CPU time a process has used (0 when it
// cannot be read).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil || pid <= 0 {
		return 0
	}
	// The command may hold spaces: fields start after the last ')'.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// pidWithArg finds the process whose command line contains arg (the
// private ClickHouse server, by its directory), or 0.
func pidWithArg(arg string) int {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(cmdline), arg) && strings.Contains(string(cmdline), "clickhouse") {
			return pid
		}
	}
	return 0
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// The admin token of the benchmark's collector, for its profiler.
const (
	benchAdminToken = "bench-admin-token"
	benchAdminHash  = "623bd2be1ca30473f9d2430a4579f17300654830b88e21f862c5f8ca13b65536" // its SHA-256
)

// fetchProfile saves a 20-second CPU profile of the collector, taken
// from its admin API once the uploads are under way, and then a heap
// profile (file.heap).
func fetchProfile(b *testing.B, admin, file string) {
	time.Sleep(3 * time.Second)
	req, _ := http.NewRequest(http.MethodGet, admin+"/debug/pprof/profile?seconds=20", nil)
	req.Header.Set("Authorization", "Bearer "+benchAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Logf("profile: %v", err)
		return
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		b.Logf("profile: %d %s", resp.StatusCode, data)
		return
	}
	os.WriteFile(file, data, 0o600)
	// And the heap as it is then, next to it.
	req, _ = http.NewRequest(http.MethodGet, admin+"/debug/pprof/heap", nil)
	req.Header.Set("Authorization", "Bearer "+benchAdminToken)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		os.WriteFile(file+".heap", data, 0o600)
	}
}

// profileSelf starts a CPU profile of this process (the load generator,
// while it uploads) into file; the function it returns stops it.
func profileSelf(b *testing.B, file string) func() {
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
