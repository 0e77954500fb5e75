package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/probeapi"
	"github.com/sonde-project/sonde/internal/warehouse"
	"github.com/sonde-project/sonde/probe/collectorclient"
	"github.com/sonde-project/sonde/probe/collectorclient/collectortest"
)

// skewed makes the harness's clock wrong by skew.
func (h *harness) skewed(skew time.Duration) {
	h.app.now = func() time.Time { return time.Now().Add(skew) }
}

// checkTimes checks that m's times are the real time (not this computer's
// skewed one) within a few seconds, and its correction annotation.
func checkTimes(t *testing.T, m *measurement.Measurement, wantCorrection string) {
	t.Helper()
	for name, s := range map[string]string{"measurement_start_time": m.MeasurementStartTime, "test_start_time": m.TestStartTime} {
		at, err := measurement.ParseTime(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := time.Since(at); d < -5*time.Second || d > 30*time.Second {
			t.Errorf("%s %s is %s away from the real time", name, s, d)
		}
	}
	if got := m.Annotations[AnnotationClockCorrection]; got != wantCorrection {
		t.Errorf("annotation %s = %q, want %q", AnnotationClockCorrection, got, wantCorrection)
	}
}

// TestClockSkewCorrectedAtCheckIn: a probe whose clock is hours off
// writes and uploads measurements in the collector's time, with the
// correction in their annotations; a small difference is left alone.
func TestClockSkewCorrectedAtCheckIn(t *testing.T) {
	for _, c := range []struct {
		name string
		skew time.Duration
		want int64 // the correction's seconds; 0: none
	}{
		{"three hours ahead", 3 * time.Hour, -3 * 3600},
		{"two days behind", -48 * time.Hour, 48 * 3600},
		{"twenty seconds ahead", 20 * time.Second, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := collectortest.New(t)
			h := newHarness(t, nil)
			h.skewed(c.skew)
			out := filepath.Join(h.dir, "r.jsonl")
			if code := h.run("run", "-t", "echo", "-i", "https://a.example/", "-o", out, "--collector", srv.URL, "--yes", "--quiet"); code != 0 {
				t.Fatalf("exit %d\n%s", code, h.stderr.String())
			}
			stored := srv.Stored()
			if len(stored) != 1 {
				t.Fatalf("%d stored", len(stored))
			}
			for _, raw := range stored {
				m, err := measurement.Parse(raw)
				if err != nil {
					t.Fatal(err)
				}
				if c.want == 0 {
					at, _ := m.StartTime()
					if d := at.Sub(time.Now().Add(c.skew)); d < -5*time.Second || d > 5*time.Second || m.Annotations[AnnotationClockCorrection] != "" {
						t.Errorf("a small difference was corrected: %s, annotations %v", m.MeasurementStartTime, m.Annotations)
					}
					continue
				}
				// The estimate is within a second or two of the truth.
				got, _ := strconv.ParseInt(m.Annotations[AnnotationClockCorrection], 10, 64)
				if d := got - c.want; d < -2 || d > 2 {
					t.Errorf("correction %d s, want %d", got, c.want)
				}
				checkTimes(t, m, m.Annotations[AnnotationClockCorrection])
			}
			local := readResults(t, out)
			if len(local) != 1 || local[0].MeasurementStartTime != mustParse(t, stored).MeasurementStartTime {
				t.Errorf("the results file and the upload differ")
			}
			note := strings.Contains(h.stderr.String(), "measurement times are corrected")
			if note != (c.want != 0) {
				t.Errorf("note about the clock: %v\n%s", note, h.stderr.String())
			}
		})
	}
}

func mustParse(t *testing.T, stored map[string]json.RawMessage) *measurement.Measurement {
	t.Helper()
	for _, raw := range stored {
		m, err := measurement.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	return nil
}

// realCollector runs the collector package itself (spool on disk; its
// ClickHouse loader finds no server and retries, which does not stop it
// from accepting), accepting the harness's echo test.
func realCollector(t *testing.T) string {
	t.Helper()
	cfg := collector.Config{
		DataDir:        t.TempDir(),
		ClickHouse:     warehouse.Config{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond},
		ExtraTestNames: []string{"echo"},
	}
	svc, err := collector.Open(cfg, collector.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		svc.Close(ctx)
	})
	return srv.URL
}

// TestRealCollectorAndASkewedClock: the collector refuses, with a 400
// that names measurement_start_time, what a probe three hours ahead wrote
// offline; the same probe checking in writes corrected times, which the
// collector accepts.
func TestRealCollectorAndASkewedClock(t *testing.T) {
	url := realCollector(t)
	h := newHarness(t, nil)
	h.skewed(3 * time.Hour)

	offline := filepath.Join(h.dir, "offline.jsonl")
	if code := h.run("run", "-t", "echo", "-i", "https://a.example/", "-o", offline, "--no-upload", "--yes", "--quiet"); code != 0 {
		t.Fatalf("offline run: exit %d\n%s", code, h.stderr.String())
	}
	line := strings.TrimSpace(string(mustRead(t, offline)))

	// OONI's path answers the refusal with its status.
	c := &collectorclient.Client{BaseURL: url}
	reg, err := c.Register(context.Background(), probeapi.RegisterRequest{SoftwareName: "sonde"})
	if err != nil {
		t.Fatal(err)
	}
	c.Token = reg.Token
	id, err := c.OpenReport(context.Background(), probeapi.OpenReportRequest{DataFormatVersion: measurement.DataFormatVersion,
		ProbeCC: "ZZ", ProbeASN: "AS0", SoftwareName: "sonde", SoftwareVersion: "test", TestName: "echo", TestVersion: "0.1.0",
		TestStartTime: measurement.FormatTime(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Submit(context.Background(), id, []byte(line))
	var se *collectorclient.StatusError
	if !errors.As(err, &se) || se.Code != 400 || !strings.Contains(se.Message, "measurement_start_time") ||
		!strings.Contains(se.Message, "in the future") || !strings.Contains(se.Message, "check the probe's clock") {
		t.Fatalf("submitting the uncorrected measurement: %v", err)
	}

	// probe upload of that file: refused, and the reason kept.
	if code := h.run("upload", "--collector", url, offline); code != 0 || !strings.Contains(h.stdout.String(), "1 refused by the collector") {
		t.Fatalf("upload: exit %d\n%s%s", code, h.stdout.String(), h.stderr.String())
	}
	reasons, _ := filepath.Glob(filepath.Join(h.dir, "home", "queue", "rejected", "*.reason"))
	if len(reasons) != 1 || !strings.Contains(string(mustRead(t, reasons[0])), "measurement_start_time") {
		t.Errorf("rejected reasons %v", reasons)
	}

	// A run that checks in writes corrected times: accepted.
	online := filepath.Join(h.dir, "online.jsonl")
	if code := h.run("run", "-t", "echo", "-i", "https://b.example/", "-o", online, "--collector", url); code != 0 ||
		!strings.Contains(h.stdout.String(), "Uploaded: 1 new, 0 already there, 0 refused") {
		t.Fatalf("run with the collector: exit %d\n%s%s", code, h.stdout.String(), h.stderr.String())
	}
	ms := readResults(t, online)
	if len(ms) != 1 {
		t.Fatalf("%d measurements", len(ms))
	}
	checkTimes(t, ms[0], ms[0].Annotations[AnnotationClockCorrection])
	if got, _ := strconv.Atoi(ms[0].Annotations[AnnotationClockCorrection]); got > -3*3600+2 || got < -3*3600-2 {
		t.Errorf("correction %d s, want about -10800", got)
	}
}
