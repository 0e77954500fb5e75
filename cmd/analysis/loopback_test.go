package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sonde-project/sonde/internal/verdict"
	"github.com/sonde-project/sonde/probe/nettest"
	"github.com/sonde-project/sonde/probe/nettest/webconnectivity"
	"github.com/sonde-project/sonde/probe/nettest/webconnectivity/wctest"
	"github.com/sonde-project/sonde/probe/runner"
	"github.com/sonde-project/sonde/probe/targets"
)

var update = flag.Bool("update", false, "rewrite the golden verdicts in testdata/loopback")

// The censorship scenarios of web_connectivity's tests (wctest), measured
// for real on loopback by the probe's runner, then judged by `analysis
// verdict`: each must get the verdict and the confidence a researcher
// expects. The probe is in Iran (AS58224), so a fingerprint of Iran's
// national filter confirms the blocking.

type loopbackCase struct {
	name string
	wctest.Scenario
	status     verdict.Status
	blocking   any // false or the method
	confidence verdict.Confidence
	// fingerprint is the fingerprint that must match, for confirmed ones.
	fingerprint string
}

func loopbackCases() []loopbackCase {
	https, http := wctest.Scenario{Scheme: "https"}, wctest.Scenario{Scheme: "http"}
	with := func(s wctest.Scenario, f func(*wctest.Scenario)) wctest.Scenario { f(&s); return s }
	return []loopbackCase{
		{name: "all fine", Scenario: https,
			status: verdict.StatusOK, blocking: false, confidence: verdict.OK},
		{name: "lying resolver", Scenario: with(http, func(s *wctest.Scenario) { s.LyingDNS = true }),
			status: verdict.StatusBlocked, blocking: "dns", confidence: verdict.Anomaly},
		{name: "lying resolver with Iran's blockpage address", Scenario: with(http, func(s *wctest.Scenario) {
			s.LyingDNS, s.LieAddr = true, "10.10.34.34"
		}), status: verdict.StatusBlocked, blocking: "dns", confidence: verdict.Confirmed, fingerprint: "ooni.ir_4"},
		{name: "reset after the ClientHello for one name", Scenario: with(https, func(s *wctest.Scenario) {
			s.Censor = wctest.CensorConfig{Rule: wctest.ResetSNI, SNI: "site.test"}
		}), status: verdict.StatusBlocked, blocking: "tls", confidence: verdict.Anomaly},
		{name: "another name on the censored address", Scenario: with(https, func(s *wctest.Scenario) {
			s.Censor, s.Host = wctest.CensorConfig{Rule: wctest.ResetSNI, SNI: "site.test"}, "other.test"
		}), status: verdict.StatusOK, blocking: false, confidence: verdict.OK},
		{name: "unknown blockpage instead of the page", Scenario: with(http, func(s *wctest.Scenario) {
			s.Censor = wctest.CensorConfig{Rule: wctest.Blockpage}
		}), status: verdict.StatusBlocked, blocking: "http-diff", confidence: verdict.Anomaly},
		{name: "Iran's blockpage instead of the page", Scenario: with(http, func(s *wctest.Scenario) {
			s.Censor = wctest.CensorConfig{Rule: wctest.Blockpage, Page: wctest.IranBlockpageHTML}
		}), status: verdict.StatusBlocked, blocking: "http-diff", confidence: verdict.Confirmed, fingerprint: "ooni.ir_0"},
		{name: "black-holed address", Scenario: with(https, func(s *wctest.Scenario) {
			s.Censor = wctest.CensorConfig{Rule: wctest.Blackhole}
		}), status: verdict.StatusBlocked, blocking: "tcp_ip", confidence: verdict.Anomaly},
		{name: "site down for the control too", Scenario: with(https, func(s *wctest.Scenario) { s.Down = true }),
			status: verdict.StatusDown, blocking: false, confidence: verdict.OK},
	}
}

func TestLoopbackScenarioVerdicts(t *testing.T) {
	for _, c := range loopbackCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if why := c.Skip(); why != "" {
				t.Skip(why)
			}
			setup := wctest.Build(t, c.Scenario)
			line := measureLine(t, setup)
			code, out, errOut := runCLI(t, line, "verdict")
			if code != 0 {
				t.Fatalf("analysis verdict: exit %d: %s", code, errOut)
			}
			var v struct {
				Status      verdict.Status     `json:"status"`
				Blocking    any                `json:"blocking"`
				Confidence  verdict.Confidence `json:"confidence"`
				Fingerprint string             `json:"fingerprint"`
				Accessible  *bool              `json:"accessible"`
			}
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if v.Status != c.status || v.Blocking != c.blocking || v.Confidence != c.confidence || v.Fingerprint != c.fingerprint {
				t.Errorf("verdict %s %v %s %q, want %s %v %s %q\n%s", v.Status, v.Blocking, v.Confidence, v.Fingerprint,
					c.status, c.blocking, c.confidence, c.fingerprint, out)
			}
			golden(t, c.name, setup.URL, out)
		})
	}
}

// measureLine measures the scenario's URL with web_connectivity through
// the probe's runner, as the probe does, and returns the line it wrote.
func measureLine(t *testing.T, s *wctest.Setup) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "results.jsonl")
	env := *s.Env
	sum, err := runner.Run(context.Background(), runner.Config{
		Tests:    []nettest.Measurer{&webconnectivity.Measurer{DNSLateWindow: -1}},
		Targets:  []targets.Target{{Input: s.URL}},
		Output:   out,
		Env:      env,
		Envelope: runner.Envelope{ProbeCC: "IR", ProbeASN: "AS58224", ProbeNetworkName: "Iran Cell Service and Communication Company"},
	})
	if err != nil || sum.Written != 1 {
		t.Fatalf("runner: %v, summary %+v", err, sum)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var fileName = regexp.MustCompile(`[^a-z0-9]+`)

var port = regexp.MustCompile(`(site\.test|other\.test|127\.0\.0\.[0-9]|10\.10\.34\.34|\]):[0-9]+`)

// golden compares the verdict, with the run's ports and identifiers
// taken out, with testdata/loopback/NAME.json (go test -update rewrites
// it; review the diff).
func golden(t *testing.T, name, url, line string) {
	t.Helper()
	var v map[string]any
	json.Unmarshal([]byte(line), &v)
	for _, k := range []string{"report_id", "measurement_start_time", "measurement_uid"} {
		delete(v, k)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v)
	got := port.ReplaceAll(buf.Bytes(), []byte("$1:PORT"))
	path := filepath.Join("testdata", "loopback", fileName.ReplaceAllString(strings.ToLower(name), "-")+".json")
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("verdict of %s differs from %s (go test -update rewrites it; review the diff):\n%s", url, path, got)
	}
}
