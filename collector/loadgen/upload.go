package loadgen

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sonde-project/sonde/internal/probeapi"
)

// Kinds of upload, for the latencies.
const (
	KindOONI   = "ooni-submit" // POST /report/{id}, one measurement
	KindBatch  = "batch-json"  // POST /api/v1/measurements, a JSON list
	KindNDJSON = "batch-jsonl" // POST /api/v1/measurements, JSON lines
)

// Result is what a Run measured.
type Result struct {
	// Acked counts measurements acknowledged (stored or duplicate);
	// Rejected those refused as invalid (a 4xx other than 429).
	Acked, Rejected counter
	// Requests counts upload requests answered 200; Retries those
	// refused for a while (429, 503, 507) or cut off and sent again.
	Requests, Retries counter
	// Bytes counts the measurements' bytes sent (acknowledged or not).
	Bytes counter
	// Elapsed is the time from the first upload to the last answer.
	Elapsed time.Duration

	mu        sync.Mutex
	latencies map[string][]time.Duration // per kind, of the requests answered 200
}

func newResult() *Result { return &Result{latencies: map[string][]time.Duration{}} }

// Rate is acknowledged measurements per second.
func (r *Result) Rate() float64 { return float64(r.Acked.Load()) / r.Elapsed.Seconds() }

// Percentile returns the q-th percentile (0 < q ≤ 1) of the latency of
// the upload requests of kind ("" for all kinds).
func (r *Result) Percentile(kind string, q float64) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	var all []time.Duration
	for k, l := range r.latencies {
		if kind == "" || k == kind {
			all = append(all, l...)
		}
	}
	if len(all) == 0 {
		return 0
	}
	slices.Sort(all)
	return all[min(int(q*float64(len(all))), len(all)-1)]
}

// Count returns how many requests of kind were answered 200.
func (r *Result) Count(kind string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.latencies[kind])
}

func (r *Result) observe(kind string, d time.Duration) {
	r.mu.Lock()
	r.latencies[kind] = append(r.latencies[kind], d)
	r.mu.Unlock()
}

// upload sends one task until the collector answers it for good.
func upload(ctx context.Context, cfg *Config, t task, res *Result) {
	kind, url, ctype, body := request(cfg, t)
	res.Bytes.Add(int64(len(body)))
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		start := time.Now()
		code, answer, err := post(ctx, cfg.Client, url, t.p.token, ctype, body)
		took := time.Since(start)
		switch {
		case err == nil && code == http.StatusOK:
			res.Requests.Add(1)
			res.observe(kind, took)
			acked, rejected := count(kind, answer)
			res.Acked.Add(acked)
			res.Rejected.Add(rejected)
			return
		case err == nil && code >= 400 && code < 500 && code != http.StatusTooManyRequests && code != http.StatusRequestTimeout:
			res.Rejected.Add(int64(len(t.indexes)))
			return
		}
		res.Retries.Add(1)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 2*time.Second)
	}
}

// request builds the upload of a task, in one allocation.
func request(cfg *Config, t task) (kind, url, ctype string, body []byte) {
	at := func(i int) time.Time { return cfg.Start.Add(-time.Duration(i%3600) * time.Second) }
	size := 64
	for _, i := range t.indexes {
		size += cfg.Corpus.MaxLen(i) + 1
	}
	body = make([]byte, 0, size)
	if t.p.ooni {
		i := t.indexes[0]
		// As json.Marshal(probeapi.SubmitRequest{…}) writes it, without
		// re-reading the content.
		body = append(body, `{"format":"json","content":`...)
		body = append(cfg.Corpus.AppendMeasurement(body, i, at(i), t.p.report), '}')
		return KindOONI, cfg.Collector + strings.Replace(probeapi.PathSubmit, "{report_id}", t.p.report, 1), "application/json", body
	}
	if t.p.ndjson {
		for _, i := range t.indexes {
			body = append(cfg.Corpus.AppendMeasurement(body, i, at(i), ""), '\n')
		}
		return KindNDJSON, cfg.Collector + probeapi.PathBatchSubmit, "application/x-ndjson", body
	}
	body = append(body, `{"measurements":[`...)
	for j, i := range t.indexes {
		if j > 0 {
			body = append(body, ',')
		}
		body = cfg.Corpus.AppendMeasurement(body, i, at(i), "")
	}
	return KindBatch, cfg.Collector + probeapi.PathBatchSubmit, "application/json", append(body, `]}`...)
}

// count reads an upload's answer: measurements acknowledged and
// rejected.
func count(kind string, answer []byte) (acked, rejected int64) {
	if kind == KindOONI {
		var sub probeapi.SubmitResponse
		if json.Unmarshal(answer, &sub) == nil && sub.MeasurementUID != "" {
			return 1, 0
		}
		return 0, 1
	}
	var out probeapi.BatchSubmitResponse
	if json.Unmarshal(answer, &out) != nil {
		return 0, 0
	}
	for _, r := range out.Results {
		if r.Status == probeapi.StatusRejected {
			rejected++
		} else {
			acked++
		}
	}
	return acked, rejected
}
