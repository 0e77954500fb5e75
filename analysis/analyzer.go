package analysis

import (
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
)

// Version is the version of the rules. It is stored in every verdict
// (analysis_version) and bumped whenever a rule changes, so that stored
// verdicts of an older version can be recomputed.
const Version = 3

// Config configures an Analyzer. The zero value uses the embedded
// fingerprints.
type Config struct {
	// FingerprintsDir is a directory holding fingerprints_dns.csv and
	// fingerprints_http.csv (OONI's blocking-fingerprints layout), and
	// optionally bogus-nxdomain.china.conf, to use instead of the embedded
	// copies. OPTIONAL.
	FingerprintsDir string
}

// Analyzer turns measurements into verdicts. It holds the fingerprints,
// loaded once; it is safe for concurrent use.
type Analyzer struct {
	fp *Fingerprints
}

// New loads the fingerprints and returns an Analyzer.
func New(cfg Config) (*Analyzer, error) {
	var fsys fs.FS
	if cfg.FingerprintsDir != "" {
		fsys = os.DirFS(cfg.FingerprintsDir)
	} else {
		sub, err := fs.Sub(embedded, "fingerprints")
		if err != nil {
			return nil, err
		}
		fsys = sub
	}
	fp, err := LoadFingerprints(fsys)
	if err != nil {
		if cfg.FingerprintsDir != "" {
			return nil, fmt.Errorf("%s: %w", cfg.FingerprintsDir, err)
		}
		return nil, err
	}
	return &Analyzer{fp: fp}, nil
}

// Fingerprints returns the fingerprints the Analyzer uses.
func (a *Analyzer) Fingerprints() *Fingerprints { return a.fp }

var defaultAnalyzer = sync.OnceValue(func() *Analyzer {
	a, err := New(Config{})
	if err != nil {
		// The embedded files are checked by the tests; this cannot
		// happen in a released binary.
		panic("analysis: embedded fingerprints: " + err.Error())
	}
	return a
})

// Default returns the Analyzer with the embedded fingerprints, loaded on
// first use.
func Default() *Analyzer { return defaultAnalyzer() }

// Analyze returns the verdict for m with the embedded fingerprints.
func Analyze(m *measurement.Measurement) verdict.Verdict { return Default().Analyze(m) }

// Analyze returns the verdict for one measurement. It never panics and
// gives the same verdict for the same measurement every time: a
// measurement it cannot read, or a test it does not know, gets an
// "unknown" verdict that says why.
func (a *Analyzer) Analyze(m *measurement.Measurement) verdict.Verdict {
	return a.analyze(m, nil)
}

// analyze is Analyze; shared, when not nil, keeps the steps decoded on
// the way (AnalyzeWithSteps).
func (a *Analyzer) analyze(m *measurement.Measurement, shared *sharedSteps) (v verdict.Verdict) {
	if m == nil {
		return verdict.Verdict{
			Blocking: measurement.Blocking{}, Confidence: verdict.Failure, Status: verdict.StatusUnknown,
			Evidence: []verdict.Evidence{}, Explanation: "There was no measurement to analyse.",
			AnalysisVersion: Version,
		}
	}
	defer func() {
		if r := recover(); r != nil {
			v = a.envelope(m)
			setUnknown(&v, verdict.Failure,
				fmt.Sprintf("The analysis could not read this %s measurement (internal error: %v).", m.TestName, r))
		}
	}()
	v = a.envelope(m)
	ctx := &msmt{m: &v, raw: m, fp: a.fp, shared: shared, keysValid: m.TestKeysValid()}
	if shared != nil {
		shared.keysValid = ctx.keysValid
	}
	rule, ok := testRules[m.TestName]
	if !ok {
		rule = analyzeUnknownTest
	}
	rule(ctx)
	finish(&v)
	return v
}

// envelope copies the identifying fields of m into a verdict.
func (a *Analyzer) envelope(m *measurement.Measurement) verdict.Verdict {
	return verdict.Verdict{
		MeasurementUID:       m.MeasurementUID,
		ReportID:             m.ReportID,
		Input:                string(m.Input),
		Domain:               domainOf(string(m.Input)),
		TestName:             m.TestName,
		ProbeCC:              m.ProbeCC,
		ProbeASN:             m.ProbeASN,
		MeasurementStartTime: m.MeasurementStartTime,
		Evidence:             []verdict.Evidence{},
		AnalysisVersion:      Version,
	}
}

// msmt is what a test's rule works on: the measurement, the verdict being
// built and the fingerprints.
type msmt struct {
	raw    *measurement.Measurement
	m      *verdict.Verdict
	fp     *Fingerprints
	shared *sharedSteps // nil: decode the steps each time they are asked for
	// keysValid: raw.TestKeys is valid JSON, checked once for the
	// decoders that would each check it again.
	keysValid bool
}

// keys returns the test keys read leniently: decodeKeys(c.raw.TestKeys).
func (c *msmt) keys() keys {
	if !c.keysValid {
		return nil
	}
	return splitKeys(c.raw.TestKeys)
}

// domainOf returns the lower-case host of a URL input, or the input itself
// when it is a bare domain; "" for inputs that name no host.
func domainOf(input string) string {
	input = strings.TrimSpace(input)
	if input == "" || strings.ContainsAny(input, " \t") {
		return ""
	}
	if strings.Contains(input, "://") {
		u, err := url.Parse(input)
		if err != nil {
			return ""
		}
		return strings.ToLower(u.Hostname())
	}
	if strings.ContainsAny(input, "/?#") {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(input, "."))
}

// finish fills Accessible and Blocking from Status when a rule left them
// to the defaults, so every verdict is consistent.
func finish(v *verdict.Verdict) {
	if v.Confidence == "" {
		v.Confidence = verdict.Failure
	}
	if v.Status == "" {
		v.Status = verdict.StatusUnknown
	}
	if len(v.Evidence) == 0 && v.Status != verdict.StatusOK {
		v.Evidence = append(v.Evidence, verdict.Evidence{Step: "analysis", Note: "the measurement holds nothing more specific to show"})
	}
	if v.Evidence == nil {
		v.Evidence = []verdict.Evidence{}
	}
}

// setOK marks the target reachable.
func setOK(v *verdict.Verdict, explanation string) {
	t := true
	v.Status, v.Confidence = verdict.StatusOK, verdict.OK
	v.Blocking, v.Accessible = measurement.NotBlocked, &t
	v.Explanation = explanation
}

// setBlocked marks the target blocked by method ("" when the method is
// not known) with the given confidence.
func setBlocked(v *verdict.Verdict, method string, c verdict.Confidence, explanation string) {
	f := false
	v.Status, v.Confidence = verdict.StatusBlocked, c
	v.Blocking, v.Accessible = measurement.Blocking{}, &f
	if method != "" {
		v.Blocking = measurement.BlockedBy(method)
	}
	v.Explanation = explanation
}

// setDown marks the target unreachable from the control too: not blocked.
func setDown(v *verdict.Verdict, explanation string) {
	f := false
	v.Status, v.Confidence = verdict.StatusDown, verdict.OK
	v.Blocking, v.Accessible = measurement.NotBlocked, &f
	v.Explanation = explanation
}

// setUnknown says nothing can be decided.
func setUnknown(v *verdict.Verdict, c verdict.Confidence, explanation string) {
	v.Status, v.Confidence = verdict.StatusUnknown, c
	v.Blocking, v.Accessible = measurement.Blocking{}, nil
	v.Explanation = explanation
}

// addEvidence appends one observation.
func (c *msmt) addEvidence(e verdict.Evidence) { c.m.Evidence = append(c.m.Evidence, e) }

func analyzeUnknownTest(c *msmt) {
	steps, _ := c.decodeSteps()
	if !hasSteps(&steps) {
		steps = nestedSteps(c.keys())
	}
	if hasSteps(&steps) {
		analyzeStepsOnly(c, &steps,
			fmt.Sprintf("sonde has no rule of its own for the test %q; this verdict rests on its network steps alone", c.raw.TestName))
		return
	}
	c.addEvidence(verdict.Evidence{Step: "analysis", Target: c.raw.TestName, Note: "no rule for this test and no network steps in its keys"})
	setUnknown(c.m, verdict.Failure,
		fmt.Sprintf("sonde's analysis does not know the test %q and its results hold no network steps it can read, so it gives no verdict.", c.raw.TestName))
}

// nestedSteps gathers the steps of tests that record one set of steps per
// repetition in a "pings" list (OONI's tcpping, tlsping, dnsping,
// simplequicping, quicping).
func nestedSteps(k keys) measurement.Steps {
	var out measurement.Steps
	for _, raw := range k.list("pings") {
		s, _ := measurement.DecodeStepsValid(raw)
		k := splitKeys(raw)
		for _, name := range []string{"query", "tcp_connect", "tls_handshake", "quic_handshake"} {
			if one := k[name]; len(one) > 0 && !isNullJSON(one) {
				wrapped, _ := measurement.DecodeStepsValid([]byte(`{"` + pluralStep(name) + `":[` + string(one) + `]}`))
				appendSteps(&s, &wrapped)
			}
		}
		appendSteps(&out, &s)
	}
	return out
}

func pluralStep(name string) string {
	switch name {
	case "query":
		return "queries"
	case "tls_handshake":
		return "tls_handshakes"
	case "quic_handshake":
		return "quic_handshakes"
	}
	return name
}

func appendSteps(dst, src *measurement.Steps) {
	dst.Queries = append(dst.Queries, src.Queries...)
	dst.TCPConnect = append(dst.TCPConnect, src.TCPConnect...)
	dst.TLSHandshakes = append(dst.TLSHandshakes, src.TLSHandshakes...)
	dst.QUICHandshakes = append(dst.QUICHandshakes, src.QUICHandshakes...)
	dst.Requests = append(dst.Requests, src.Requests...)
	dst.DNSLateReplies = append(dst.DNSLateReplies, src.DNSLateReplies...)
}
