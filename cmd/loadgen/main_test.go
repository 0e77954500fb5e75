package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/collector/collectortest"
)

// TestLoadgenAgainstACollector runs the command against a collector in
// this process (its spool only: ClickHouse is not needed to acknowledge):
// every measurement is acknowledged, through both protocols, by distinct
// probes.
func TestLoadgenAgainstACollector(t *testing.T) {
	cfg := collector.Config{DataDir: t.TempDir()}
	cfg.ClickHouse.Addr = "127.0.0.1:1" // nothing listens there: the spool keeps everything
	cfg.RateLimit.PerIP = collector.Rate{Rate: -1}
	cfg.RateLimit.RegisterPerIP = collector.Rate{Rate: -1}
	svc, err := collector.Open(cfg, collector.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc.Handler())
	defer func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		svc.Close(ctx)
	}()
	var out bytes.Buffer
	code := run([]string{"-collector", srv.URL, "-probes", "40", "-measurements", "400", "-concurrency", "8",
		"-corpus", filepath.Join(collectortest.Root(), "testdata", "ooni", "backend-fastpath")}, &out)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	if !regexp.MustCompile(`acknowledged: 400 measurements in [0-9.]+s = [0-9]+/s \(0 rejected`).MatchString(out.String()) {
		t.Errorf("output:\n%s", out.String())
	}
	for _, kind := range []string{"ooni-submit", "batch-json", "batch-jsonl", "p50", "p99"} {
		if !strings.Contains(out.String(), kind) {
			t.Errorf("output does not mention %s:\n%s", kind, out.String())
		}
	}
	if code := run([]string{"-probes", "1"}, &out); code != 2 {
		t.Errorf("without -collector: exit %d, want 2", code)
	}
}
