package collector

import (
	"net/netip"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector/collectortest"
)

// BenchmarkCheckAndPrepare is the CPU cost of accepting one measurement:
// validation, scrubbing of a public uploader address, canonical form and
// uid.
func BenchmarkCheckAndPrepare(b *testing.B) {
	corpus := collectortest.Load(b)
	at := time.Now().Add(-time.Hour)
	v := &validator{maxBytes: 4 << 20, known: KnownTests(nil), maxAge: 24 * time.Hour, maxFuture: time.Hour, now: time.Now}
	docs := make([][]byte, 64)
	size := 0
	for i := range docs {
		docs[i] = corpus.Measurement(i, at)
		size += len(docs[i])
	}
	uploader := netip.MustParseAddr("203.0.113.7")
	b.SetBytes(int64(size / len(docs)))
	b.ResetTimer()
	for i := range b.N {
		raw := docs[i%len(docs)]
		m, rej := v.check(raw)
		if rej != nil {
			b.Fatal(rej)
		}
		if _, err := prepare(raw, m, uploader, ""); err != nil {
			b.Fatal(err)
		}
	}
}
