package warehouse_test

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/warehouse"
)

// BenchmarkInsertMeasurements inserts batches of 5,000 measurement rows
// whose raw JSON is the size of a real Web Connectivity measurement (the
// collector's loader writes batches of up to 5,000). It reports the
// client's own CPU time per row next to the wall time, which includes
// ClickHouse's: the client's share is what the collector pays.
func BenchmarkInsertMeasurements(b *testing.B) {
	m, raw := loadReal(b)
	const n = 5000
	at := time.Now().Add(-time.Hour)
	rows := make([]warehouse.MeasurementRow, n)
	for i := range rows {
		m.MeasurementUID = fmt.Sprintf("%s_bench_%08d", at.Format("20060102150405"), i)
		// Distinct documents of the same size, as ClickHouse would see them.
		rows[i] = warehouse.NewMeasurementRow(m, strings.Replace(string(raw), `"input":`, fmt.Sprintf(`"n":%d,"input":`, i), 1), at)
	}
	w := openMigrated(b)
	ctx := context.Background()
	b.SetBytes(int64(n * len(raw)))
	cpu0 := selfCPU()
	b.ResetTimer()
	for range b.N {
		if err := w.InsertMeasurements(ctx, rows); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((selfCPU()-cpu0).Nanoseconds())/1000/float64(b.N*n), "client-µs/row")
}

// selfCPU is the user and system CPU time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
