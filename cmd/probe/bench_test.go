//go:build linux

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/targettest"
)

// BenchmarkProbeRun runs the probe binary, as a volunteer would, with the
// real http test over 1,000 URLs of a loopback server, at --parallel 1 and
// 32. It reports targets measured per minute and the probe's peak
// resident memory (the kernel's maxrss of the child process).
func BenchmarkProbeRun(b *testing.B) {
	const targets = 1000
	web := targettest.NewHTTPServer(b, pages(0))
	for _, parallel := range []int{1, 32} {
		b.Run(fmt.Sprintf("parallel=%d", parallel), func(b *testing.B) {
			var perMin, peakMB float64
			for range b.N {
				dir := b.TempDir()
				list := writeList(b, dir, pageURLs(web.URL, targets))
				out := filepath.Join(dir, "results.jsonl")
				cmd := probeCmd(b, filepath.Join(dir, "home"), "run", "-t", "http", "-f", list, "-o", out,
					"--no-upload", "--yes", "--quiet", "--parallel", fmt.Sprint(parallel))
				start := time.Now()
				if outb, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("probe: %v\n%s", err, outb)
				}
				elapsed := time.Since(start)
				if n := len(resultLines(b, out)); n != targets {
					b.Fatalf("%d measurements, want %d", n, targets)
				}
				perMin = float64(targets) / elapsed.Minutes()
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					peakMB = float64(ru.Maxrss) / 1024 // kilobytes on Linux
				}
				os.RemoveAll(dir)
			}
			b.ReportMetric(perMin, "targets/min")
			b.ReportMetric(peakMB, "peak-RSS-MiB")
			b.ReportMetric(0, "ns/op")
			b.Logf("--parallel %d: %.0f targets a minute, peak RSS %.1f MiB measuring %d targets", parallel, perMin, peakMB, targets)
		})
	}
}
