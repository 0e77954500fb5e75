package collector_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/probeapi"
)

// TestProbeClockSkew: a measurement whose start is at most
// limits.max_clock_skew ahead of the collector's clock, or at most
// limits.max_age old, is taken; beyond either, or before OONI began, it
// gets 400 with the collector's time in the reason, so the probe's
// operator can see the clock is off. Check-in tells the probe the
// collector's time (utc_time), from which it corrects its own.
func TestProbeClockSkew(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	cfg := collector.Config{DataDir: t.TempDir()}
	cfg.ClickHouse.Addr = "127.0.0.1:1"
	cfg.Auth.AllowAnonymous = true
	cfg.Limits.MaxClockSkew = 10 * time.Minute
	cfg.Limits.MaxAge = 30 * 24 * time.Hour
	svc, err := collector.Open(cfg, collector.Deps{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc.Handler())
	f := &fixture{svc: svc, srv: srv, dir: cfg.DataDir}
	defer func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		svc.Close(ctx)
	}()
	for _, tc := range []struct {
		name       string
		start      time.Time
		testStart  time.Duration // relative to start
		code       int
		reasonPart string
	}{
		{"9 minutes ahead", now.Add(9 * time.Minute), -time.Second, 200, ""},
		{"11 minutes ahead", now.Add(11 * time.Minute), -time.Second, 400, "is in the future (the collector's clock says 2026-06-01 12:00:00)"},
		{"a year ahead", now.AddDate(1, 0, 0), -time.Second, 400, "in the future"},
		{"29 days old", now.Add(-29 * 24 * time.Hour), -time.Second, 200, ""},
		{"31 days old", now.Add(-31 * 24 * time.Hour), -time.Second, 400, "older than this collector accepts"},
		{"before OONI", time.Date(2011, 12, 31, 0, 0, 0, 0, time.UTC), -time.Second, 400, "older than"},
		{"test started after the measurement", now.Add(-time.Hour), 2 * time.Minute, 400, "does not fit"},
		{"test started 8 days before", now.Add(-time.Hour), -8 * 24 * time.Hour, 400, "does not fit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := realMeasurement(t, "http://clock.example/"+tc.name, tc.start)
			d["test_start_time"] = measurement.FormatTime(tc.start.Add(tc.testStart))
			b := mustJSON(probeapi.BatchSubmitRequest{Measurements: []json.RawMessage{mustJSON(d)}})
			code, body, _ := f.do(t, call{method: "POST", path: probeapi.PathBatchSubmit, body: b})
			var out probeapi.BatchSubmitResponse
			if code != 200 || json.Unmarshal(body, &out) != nil || len(out.Results) != 1 {
				t.Fatalf("%d %s", code, body)
			}
			r := out.Results[0]
			switch {
			case tc.code == 200 && r.Status != probeapi.StatusStored:
				t.Errorf("refused: %s", r.Error)
			case tc.code != 200 && (r.Status != probeapi.StatusRejected || !strings.Contains(r.Error, tc.reasonPart)):
				t.Errorf("got %s %q, want rejected with %q", r.Status, r.Error, tc.reasonPart)
			}
		})
	}
	code, body := f.post(t, probeapi.PathCheckIn, "", probeapi.CheckInRequest{})
	var ci probeapi.CheckInResponse
	if code != 200 || json.Unmarshal(body, &ci) != nil || ci.UTCTime != "2026-06-01T12:00:00Z" {
		t.Errorf("check-in utc_time %q (%d), want the collector's clock", ci.UTCTime, code)
	}
}
