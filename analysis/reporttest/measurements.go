package reporttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/sonde-project/sonde/analysis"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
)

// Templates are real OONI web_connectivity measurements (testdata/ooni),
// one per kind of outcome: the generated measurements are these with
// another uid, time, network and input.
var Templates = map[string]string{
	"ok":        "backend-fastpath/report1.json", // US, accessible
	"dns":       "backend-fastpath/bug_352.json", // IR, DNS blockpage address
	"http-diff": "backend-fastpath/20250527233111.802678_ID_webconnectivity_5a37ec909dbf14e3.json",
	"anomaly":   "backend-fastpath/bug_351.json", // NL, http-failure
	"failure":   "backend-fastpath/web_connectivity_null.json",
}

// TestdataDir is the repository's testdata/ooni folder.
func TestdataDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "ooni")
}

var (
	loadOnce  sync.Once
	templates map[string]*measurement.Measurement
	loadErr   error
)

// Template returns a parsed copy of the template for an outcome.
func Template(kind string) (*measurement.Measurement, error) {
	loadOnce.Do(func() {
		templates = map[string]*measurement.Measurement{}
		for k, name := range Templates {
			b, err := os.ReadFile(filepath.Join(TestdataDir(), name))
			if err != nil {
				loadErr = err
				return
			}
			m, err := measurement.Parse(b)
			if err != nil {
				loadErr = fmt.Errorf("%s: %w", name, err)
				return
			}
			templates[k] = m
		}
	})
	if loadErr != nil {
		return nil, loadErr
	}
	m := *templates[kind]
	return &m, nil
}

// templateKind picks the real measurement an outcome is made from.
func templateKind(o Outcome) string {
	switch {
	case o.Confidence == verdict.OK:
		return "ok"
	case o.Confidence == verdict.Failure:
		return "failure"
	case o.Confidence == verdict.Confirmed && o.Method == "http-diff":
		return "http-diff"
	case o.Confidence == verdict.Confirmed:
		return "dns"
	}
	return "anomaly"
}

// Measurement builds the OONI measurement of an outcome: a real
// measurement of the same kind, moved to the outcome's uid, time, country,
// network and input, with the blocking key of its verdict.
func Measurement(o Outcome) (*measurement.Measurement, []byte, error) {
	m, err := Template(templateKind(o))
	if err != nil {
		return nil, nil, err
	}
	m.MeasurementUID = o.UID
	m.ReportID = "20261101T000000Z_webconnectivity_" + CC + "_" + o.ASN[2:] + "_n1_sondereporttest"
	m.ProbeCC, m.ProbeASN = CC, o.ASN
	m.ProbeNetworkName = "Network " + o.ASN
	m.ProbeIP = measurement.ScrubbedIP
	// The template's own host becomes the outcome's everywhere in its
	// test keys (DNS queries, connections, requests), so the measurement
	// is about one site throughout.
	if host := hostOf(string(m.Input)); host != "" {
		m.TestKeys = bytes.ReplaceAll(m.TestKeys, []byte(host), []byte(o.Domain))
	}
	m.Input = measurement.Input(Input(o.Domain))
	m.MeasurementStartTime = measurement.FormatTime(o.At)
	m.TestStartTime = m.MeasurementStartTime
	var keys map[string]any
	if json.Unmarshal(m.TestKeys, &keys) == nil && keys != nil {
		keys["blocking"] = blocking(o)
		if b, err := json.Marshal(keys); err == nil {
			m.TestKeys = b
		}
	}
	raw, err := json.Marshal(m)
	return m, raw, err
}

func hostOf(input string) string {
	u, err := url.Parse(input)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func blocking(o Outcome) any {
	switch o.Confidence {
	case verdict.OK:
		return false
	case verdict.Anomaly, verdict.Confirmed:
		return o.Method
	}
	return nil
}

// Verdict is the scenario's verdict on an outcome's measurement.
func Verdict(o Outcome) verdict.Verdict {
	v := verdict.Verdict{
		MeasurementUID: o.UID, Input: Input(o.Domain), Domain: o.Domain, TestName: "web_connectivity",
		ProbeCC: CC, ProbeASN: o.ASN, MeasurementStartTime: measurement.FormatTime(o.At),
		Confidence: o.Confidence, AnalysisVersion: analysis.Version,
	}
	yes, no := true, false
	switch o.Confidence {
	case verdict.OK:
		v.Status, v.Blocking, v.Accessible = verdict.StatusOK, measurement.NotBlocked, &yes
	case verdict.Anomaly, verdict.Confirmed:
		v.Status, v.Blocking, v.Accessible = verdict.StatusBlocked, measurement.BlockedBy(o.Method), &no
		v.Evidence = []verdict.Evidence{{Step: "control", Note: "differs from the control"}}
	default:
		v.Status = verdict.StatusUnknown
	}
	v.Fingerprint, v.Explanation = Explanation(o)
	return v
}
