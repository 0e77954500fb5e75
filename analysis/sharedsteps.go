package analysis

import (
	"bytes"

	"github.com/sonde-project/sonde/internal/canonjson"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
)

// AnalyzeWithSteps is Analyze with the embedded fingerprints, which also
// returns the network steps of m's test keys exactly as
// measurement.DecodeSteps reads them. The collector's loader stores those
// steps as observations: most rules decode them anyway, so they are
// decoded once for both.
func AnalyzeWithSteps(m *measurement.Measurement) (verdict.Verdict, measurement.Steps) {
	return Default().AnalyzeWithSteps(m)
}

// AnalyzeWithSteps is Analyze, which also returns the network steps of
// m's test keys exactly as measurement.DecodeSteps reads them.
func (a *Analyzer) AnalyzeWithSteps(m *measurement.Measurement) (verdict.Verdict, measurement.Steps) {
	if m == nil {
		return a.Analyze(m), measurement.Steps{}
	}
	var s sharedSteps
	v := a.analyze(m, &s)
	if !s.ok {
		s.steps, _ = decodeSteps(m.TestKeys, s.keysValid)
	}
	return v, s.steps
}

// sharedSteps are the steps of a measurement's test keys, decoded once
// while it is analysed.
type sharedSteps struct {
	steps   measurement.Steps
	dropped int
	ok      bool // steps hold what DecodeSteps gives
	// keysValid: the test keys are valid JSON (set by the analysis).
	keysValid bool
}

// decodeSteps is measurement.DecodeSteps(c.raw.TestKeys), decoded once
// per analysis.
func (c *msmt) decodeSteps() (measurement.Steps, int) {
	if c.shared == nil {
		return decodeSteps(c.raw.TestKeys, c.keysValid)
	}
	if !c.shared.ok {
		c.shared.steps, c.shared.dropped = decodeSteps(c.raw.TestKeys, c.keysValid)
		c.shared.ok = true
	}
	return c.shared.steps, c.shared.dropped
}

// decodeSteps is measurement.DecodeSteps, without its validation pass
// when the keys are known to be valid JSON.
func decodeSteps(testKeys []byte, valid bool) (measurement.Steps, int) {
	if valid {
		return measurement.DecodeStepsValid(testKeys)
	}
	return measurement.DecodeSteps(testKeys)
}

// offerSteps records steps decoded as part of a larger structure (the
// web_connectivity keys) as what DecodeSteps would give, when it would:
// the structure decoded without error, and the keys name each list once,
// spelled exactly (encoding/json matches struct fields regardless of
// case; DecodeSteps does not).
func (c *msmt) offerSteps(s *measurement.Steps) {
	if c.shared == nil || c.shared.ok || !plainStepKeys(c.raw.TestKeys) {
		return
	}
	c.shared.steps, c.shared.dropped, c.shared.ok = *s, 0, true
}

// takeSteps records steps that are what DecodeSteps gives for the test
// keys, with nothing dropped (measurement.DecodeWebTestKeysSteps said so).
func (c *msmt) takeSteps(s *measurement.Steps) {
	if c.shared == nil || c.shared.ok {
		return
	}
	c.shared.steps, c.shared.dropped, c.shared.ok = *s, 0, true
}

var stepKeys = []string{"queries", "tcp_connect", "tls_handshakes", "quic_handshakes", "requests", "network_events", "dns_late_replies"}

func plainStepKeys(testKeys []byte) bool {
	seen := map[string]bool{}
	err := canonjson.Members(testKeys, func(k, _ []byte) error {
		if bytes.IndexByte(k, '\\') >= 0 {
			return errOdd
		}
		for _, name := range stepKeys {
			if bytes.EqualFold(k, []byte(name)) {
				if string(k) != name || seen[name] {
					return errOdd
				}
				seen[name] = true
			}
		}
		return nil
	})
	return err == nil
}

type oddKeys struct{}

func (oddKeys) Error() string { return "odd keys" }

var errOdd error = oddKeys{}
