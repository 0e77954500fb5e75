package researchapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sonde-project/sonde/analysis/reporttest"
	"github.com/sonde-project/sonde/collector/researchapi"
	"github.com/sonde-project/sonde/internal/chserver/chtest"
	"github.com/sonde-project/sonde/internal/warehouse"
)

// BenchmarkTenMillion measures, over 10 million stored measurements (or
// $SONDE_BENCH_MEASUREMENTS), the latency of the pages and the API call
// that readers wait for: a country report (30 days), a domain report (30
// days, every country) and an aggregation (92 days by day and country).
// It reports p50 and p99 in milliseconds.
func BenchmarkTenMillion(b *testing.B) {
	n := 10_000_000
	if s := os.Getenv("SONDE_BENCH_MEASUREMENTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("SONDE_BENCH_MEASUREMENTS: %v", err)
		}
	}
	addr, db := chtest.Database(b)
	ctx := context.Background()
	conn, err := warehouse.Open(warehouse.Config{Addr: addr, Database: db, QueryTimeout: 30 * time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	if _, err := warehouse.Migrate(ctx, conn); err != nil {
		b.Fatal(err)
	}
	since := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	start := time.Now()
	if err := reporttest.Bulk(ctx, conn, n, since); err != nil {
		b.Fatal(err)
	}
	_ = conn.Exec(ctx, "OPTIMIZE TABLE verdict_daily FINAL")
	fmt.Printf("generated %d measurements with verdicts in %s\n", n, time.Since(start).Round(time.Second))
	srv := httptest.NewServer(researchapi.New(conn, researchapi.Config{QueryTime: time.Minute,
		Now: func() time.Time { return since.AddDate(0, 0, reporttest.BulkDays) }}))
	defer srv.Close()

	month := "since=2026-09-01&until=2026-10-01"
	for _, c := range []struct{ name, path string }{
		{"country-report", "/reports/country/IR?" + month},
		{"domain-report", "/reports/domain/twitter.com?" + month},
		{"aggregation-api", "/api/v1/aggregation?axis_x=measurement_start_day&axis_y=probe_cc&since=2026-08-01&until=2026-11-01"},
		{"aggregation-api-one-domain", "/api/v1/aggregation?probe_cc=IR&domain=twitter.com&axis_x=probe_asn&axis_y=blocking_method&" + month},
	} {
		b.Run(c.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				t0 := time.Now()
				resp, err := srv.Client().Get(srv.URL + c.path)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("%s: %d", c.path, resp.StatusCode)
				}
				lat = append(lat, time.Since(t0))
			}
			slices.Sort(lat)
			ms := func(q float64) float64 {
				return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
			}
			b.ReportMetric(ms(0.50), "p50-ms")
			b.ReportMetric(ms(0.99), "p99-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}
