package collector

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// metrics are the collector's counters, exposed in Prometheus' text
// format on /metrics. A handful of counters does not need a client
// library.
type metrics struct {
	mu       sync.Mutex
	requests map[[2]string]int64 // route, status → count

	stored, duplicates, rejected atomic.Int64
	spoolErrors, rateLimited     atomic.Int64
	ackNanos, acks               atomic.Int64
}

func newMetrics() *metrics { return &metrics{requests: map[[2]string]int64{}} }

func (m *metrics) request(route string, status int) {
	m.mu.Lock()
	m.requests[[2]string{route, fmt.Sprint(status)}]++
	m.mu.Unlock()
}

func (m *metrics) acked(d time.Duration) {
	m.ackNanos.Add(int64(d))
	m.acks.Add(1)
}

// write writes every metric; gauges come from the Service.
func (m *metrics) write(w io.Writer, s *Service) {
	counter := func(name, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	gauge := func(name, help string, v float64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %g\n", name, help, name, name, v)
	}
	m.mu.Lock()
	keys := make([][2]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	fmt.Fprintf(w, "# HELP sonde_collector_http_requests_total HTTP requests by route and status.\n# TYPE sonde_collector_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(w, "sonde_collector_http_requests_total{route=%q,code=%q} %d\n", k[0], k[1], m.requests[k])
	}
	m.mu.Unlock()
	fmt.Fprintf(w, "# HELP sonde_collector_measurements_total Submitted measurements by result.\n# TYPE sonde_collector_measurements_total counter\n")
	fmt.Fprintf(w, "sonde_collector_measurements_total{result=\"stored\"} %d\n", m.stored.Load())
	fmt.Fprintf(w, "sonde_collector_measurements_total{result=\"duplicate\"} %d\n", m.duplicates.Load())
	fmt.Fprintf(w, "sonde_collector_measurements_total{result=\"rejected\"} %d\n", m.rejected.Load())
	counter("sonde_collector_spool_errors_total", "Uploads refused because the spool could not write them.", m.spoolErrors.Load())
	counter("sonde_collector_rate_limited_total", "Requests refused by a rate limit.", m.rateLimited.Load())
	counter("sonde_collector_ack_seconds_count", "Acknowledged uploads.", m.acks.Load())
	gauge("sonde_collector_ack_seconds_sum", "Time from request to acknowledgement, summed.", float64(m.ackNanos.Load())/1e9)
	if s == nil {
		return
	}
	st := s.spool.Stats()
	gauge("sonde_collector_spool_pending_bytes", "Bytes in the spool not yet in ClickHouse.", float64(st.PendingBytes))
	gauge("sonde_collector_spool_segments", "Spool files.", float64(st.Segments))
	ls := s.loader.Stats()
	counter("sonde_collector_loader_batches_total", "Batches written to ClickHouse.", ls.Batches)
	counter("sonde_collector_loader_measurements_total", "Measurements written to ClickHouse.", ls.Loaded)
	counter("sonde_collector_loader_duplicates_total", "Measurements skipped because ClickHouse had them.", ls.Duplicates)
	counter("sonde_collector_loader_errors_total", "Failed attempts to write to ClickHouse or the checkpoint.", ls.Errors)
	counter("sonde_collector_loader_bad_records_total", "Spool records that could not be loaded.", ls.Bad)
	if !ls.LastLoad.IsZero() {
		gauge("sonde_collector_loader_last_load_timestamp_seconds", "When the last batch was written.", float64(ls.LastLoad.Unix()))
	}
}
