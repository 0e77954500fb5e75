package loadgen

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sonde-project/sonde/internal/probeapi"
)

// Config describes a load. The zero value (with Collector and Corpus set)
// is 2,000 probes uploading 100,000 measurements, 64 requests at a time.
type Config struct {
	// Collector is the collector's base URL. REQUIRED.
	Collector string
	// Corpus makes the measurements. REQUIRED.
	Corpus *Corpus
	// Probes is the number of simulated probes, each with its own token
	// (registered before the clock starts). OPTIONAL: 2000.
	Probes int
	// Measurements is how many to upload in all. OPTIONAL: 100000.
	Measurements int
	// Concurrency is the number of requests in flight. OPTIONAL: 64.
	Concurrency int
	// BatchSize is the number of measurements per batch upload.
	// OPTIONAL: 20.
	BatchSize int
	// OONIShare is the share of probes that speak OONI's report protocol
	// (one measurement per request); the others send batches, half as a
	// JSON list and half as JSON lines. OPTIONAL: 0.25; negative: none.
	OONIShare float64
	// Anonymous uploads without tokens (the collector must allow it).
	// OPTIONAL.
	Anonymous bool
	// Start is the newest measurement_start_time; measurements spread
	// over the hour before it. OPTIONAL: an hour ago.
	Start time.Time
	// Client sends the requests. OPTIONAL: one with Concurrency
	// connections.
	Client *http.Client
}

func (c *Config) defaults() {
	c.Probes = cmp.Or(c.Probes, 2000)
	c.Measurements = cmp.Or(c.Measurements, 100_000)
	c.Concurrency = cmp.Or(c.Concurrency, 64)
	c.BatchSize = cmp.Or(c.BatchSize, 20)
	c.OONIShare = cmp.Or(c.OONIShare, 0.25)
	if c.Start.IsZero() {
		c.Start = time.Now().Add(-time.Hour)
	}
	if c.Client == nil {
		c.Client = &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{
			MaxIdleConnsPerHost: c.Concurrency, MaxConnsPerHost: c.Concurrency, DisableCompression: true,
		}}
	}
}

// probe is one simulated probe.
type probe struct {
	token   string
	ooni    bool   // OONI's report protocol
	ndjson  bool   // batches as JSON lines
	report  string // its open report, for OONI probes
	indexes []int  // the measurements it uploads
}

// task is one upload request.
type task struct {
	p       *probe
	indexes []int
}

// Run registers the probes, opens their reports, then uploads every
// measurement, Concurrency requests at a time, retrying what the
// collector refuses for a while (429, 503, 507, a cut connection); only
// the uploads are timed.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Collector == "" || cfg.Corpus == nil {
		return nil, errors.New("loadgen: Collector and Corpus are required")
	}
	cfg.defaults()
	cfg.Collector = strings.TrimSuffix(cfg.Collector, "/")
	probes, err := setUp(ctx, &cfg)
	if err != nil {
		return nil, err
	}
	tasks := make(chan task)
	res := newResult()
	var wg sync.WaitGroup
	start := time.Now()
	for range cfg.Concurrency {
		wg.Go(func() {
			for t := range tasks {
				upload(ctx, &cfg, t, res)
			}
		})
	}
	feed(ctx, &cfg, probes, tasks)
	close(tasks)
	wg.Wait()
	res.Elapsed = time.Since(start)
	for _, p := range probes {
		if p.ooni {
			path := strings.Replace(probeapi.PathCloseReport, "{report_id}", p.report, 1)
			post(ctx, cfg.Client, cfg.Collector+path, p.token, "application/json", []byte(`{}`))
		}
	}
	return res, ctx.Err()
}

// setUp registers the probes and opens the OONI probes' reports,
// Concurrency at a time.
func setUp(ctx context.Context, cfg *Config) ([]*probe, error) {
	probes := make([]*probe, cfg.Probes)
	every := 0
	if cfg.OONIShare > 0 {
		every = max(int(1/cfg.OONIShare+0.5), 1)
	}
	for i := range probes {
		probes[i] = &probe{ooni: every > 0 && i%every == 0, ndjson: i%2 == 1}
	}
	for i := range cfg.Measurements {
		p := probes[i%len(probes)]
		p.indexes = append(p.indexes, i)
	}
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, cfg.Concurrency)
	var wg sync.WaitGroup
	for _, p := range probes {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := p.setUp(ctx, cfg); err != nil {
				mu.Lock()
				firstErr = cmp.Or(firstErr, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return probes, firstErr
}

func (p *probe) setUp(ctx context.Context, cfg *Config) error {
	if !cfg.Anonymous {
		var reg probeapi.RegisterResponse
		if err := call(ctx, cfg.Client, cfg.Collector+probeapi.PathRegister, "", probeapi.RegisterRequest{SoftwareName: "sonde-loadgen"}, &reg); err != nil {
			return fmt.Errorf("loadgen: registering a probe: %w", err)
		}
		p.token = reg.Token
	}
	if !p.ooni {
		return nil
	}
	var open probeapi.OpenReportResponse
	req := probeapi.OpenReportRequest{
		DataFormatVersion: "0.2.0", Format: "json", ProbeASN: "AS30722", ProbeCC: "IT",
		SoftwareName: "sonde-loadgen", SoftwareVersion: "1", TestName: "web_connectivity", TestVersion: "0.4.3",
	}
	if err := call(ctx, cfg.Client, cfg.Collector+probeapi.PathOpenReport, p.token, req, &open); err != nil {
		return fmt.Errorf("loadgen: opening a report: %w", err)
	}
	p.report = open.ReportID
	return nil
}

// feed hands out the uploads round-robin over the probes, as many probes
// uploading at once would.
func feed(ctx context.Context, cfg *Config, probes []*probe, tasks chan<- task) {
	for round := 0; ; round++ {
		sent := false
		for _, p := range probes {
			n := 1
			if !p.ooni {
				n = cfg.BatchSize
			}
			first := round * n
			if first >= len(p.indexes) {
				continue
			}
			select {
			case tasks <- task{p: p, indexes: p.indexes[first:min(first+n, len(p.indexes))]}:
				sent = true
			case <-ctx.Done():
				return
			}
		}
		if !sent {
			return
		}
	}
}

// call posts v as JSON and decodes the 200 answer into out.
func call(ctx context.Context, client *http.Client, url, token string, v, out any) error {
	body, _ := json.Marshal(v)
	code, answer, err := post(ctx, client, url, token, "application/json", body)
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("%s: %d %s", url, code, answer)
	}
	return json.Unmarshal(answer, out)
}

func post(ctx context.Context, client *http.Client, url, token, ctype string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", ctype)
	if token != "" {
		req.Header.Set(probeapi.AuthHeader, "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp.StatusCode, answer, err
}

// counter is an atomic count.
type counter = atomic.Int64
