package runner

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sonde-project/sonde/internal/scrub"
	"github.com/sonde-project/sonde/probe/nettest"
)

// BenchmarkRunOverhead is the runner's own cost per measurement (envelope,
// scrubbing, leak check, grouped write and fsync) with a test that does
// no network work.
func BenchmarkRunOverhead(b *testing.B) {
	scrubber := scrub.New(planted)
	keys := leakyKeys(&testing.T{})
	m := &funcMeasurer{name: "web_connectivity", fn: func(context.Context, *nettest.Env, string) (*nettest.Result, error) {
		return &nettest.Result{TestKeys: keys}, nil
	}}
	const n = 1000
	b.ReportAllocs()
	for range b.N {
		out := filepath.Join(b.TempDir(), "r.jsonl")
		s, err := Run(context.Background(), Config{Tests: []nettest.Measurer{m}, Targets: urls(n), Output: out,
			Parallel: 32, Scrubber: scrubber})
		if err != nil || s.Written != n {
			b.Fatalf("%+v, %v", s, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/measurement")
}
