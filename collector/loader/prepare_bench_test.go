package loader

import (
	"fmt"
	"testing"
	"time"

	"github.com/sonde-project/sonde/analysis"
	"github.com/sonde-project/sonde/collector/collectortest"
	"github.com/sonde-project/sonde/collector/spool"
)

// BenchmarkPrepare is the loader's CPU cost per measurement before
// ClickHouse: decoding, row extraction and the analysis.
func BenchmarkPrepare(b *testing.B) {
	corpus := collectortest.Load(b)
	at := time.Now().Add(-time.Hour)
	var batch spool.Batch
	for i := range 500 {
		doc := corpus.Measurement(i, at)
		doc = append(fmt.Appendf(nil, `{"measurement_uid":"x%d",`, i), doc[1:]...)
		batch.Records = append(batch.Records, EncodeRecord(at, doc))
	}
	l := New(nil, nil, Config{Analyze: analysis.Analyze})
	b.ResetTimer()
	for range b.N {
		if r := l.prepare(batch); len(r.uids) != 500 {
			b.Fatal(len(r.uids))
		}
	}
	b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "measurements/s")
}
