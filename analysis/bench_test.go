package analysis

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sonde-project/sonde/internal/measurement"
)

// The benchmarks print verdicts per second over the real OONI
// measurements of testdata/ooni (make bench-analysis runs them on one core).

func benchInputs(b *testing.B) ([]*measurement.Measurement, [][]byte) {
	var ms []*measurement.Measurement
	var raws [][]byte
	for _, row := range readIndex(b) {
		raw, err := os.ReadFile(filepath.Join(ooniDir, row.path))
		if err != nil {
			b.Fatal(err)
		}
		m, err := ParseRecord(raw)
		if err != nil {
			continue
		}
		ms = append(ms, m)
		raws = append(raws, raw)
	}
	return ms, raws
}

// BenchmarkAnalyze: Analyze alone, on parsed measurements.
func BenchmarkAnalyze(b *testing.B) {
	ms, _ := benchInputs(b)
	a := Default()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		for _, m := range ms {
			a.Analyze(m)
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "verdicts/s")
	b.ReportMetric(float64(len(ms)), "measurements")
}

// BenchmarkParseAndAnalyze: from the raw bytes, as `analysis verdict` and
// the collector's loader do.
func BenchmarkParseAndAnalyze(b *testing.B) {
	_, raws := benchInputs(b)
	a := Default()
	size := 0
	for _, r := range raws {
		size += len(r)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		for _, raw := range raws {
			m, err := ParseRecord(raw)
			if err != nil {
				b.Fatal(err)
			}
			a.Analyze(m)
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "verdicts/s")
}
