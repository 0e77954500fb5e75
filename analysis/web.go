package analysis

import (
	"fmt"
	"strings"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
)

// web is the analysis of one web_connectivity measurement (OONI ts-017,
// and sonde's own test of the same name): the probe's steps compared with
// the control helper's view.
type web struct {
	c    *msmt
	tk   *measurement.WebTestKeys
	host string
	url  string
	ctrl *measurement.ControlResponse // nil without a usable control

	probeAddrs, ctrlAddrs []string
	dnsSuspect            bool   // the probe's addresses differ from the control's
	dnsWhy                string // why the addresses are (in)consistent
}

func analyzeWebConnectivity(c *msmt) {
	var tk measurement.WebTestKeys
	var stepsExact bool
	var err error
	if c.keysValid {
		tk, stepsExact, err = measurement.DecodeWebTestKeysSteps(c.raw.TestKeys)
	} else {
		tk, err = measurement.DecodeWebTestKeys(c.raw.TestKeys)
	}
	if err != nil {
		steps, _ := c.decodeSteps()
		if hasSteps(&steps) {
			analyzeStepsOnly(c, &steps, "the web_connectivity keys could not be read ("+err.Error()+"); the verdict rests on the network steps alone")
			return
		}
		setUnknown(c.m, verdict.Failure, "The measurement's results could not be read: "+err.Error()+".")
		return
	}
	if stepsExact {
		c.takeSteps(&tk.Steps)
	} else {
		c.offerSteps(&tk.Steps)
	}
	w := &web{c: c, tk: &tk, host: c.m.Domain, url: string(c.raw.Input)}
	w.analyze()
}

func (w *web) analyze() {
	c, tk := w.c, w.tk
	matches, _ := matchFingerprints(c.fp, &tk.Steps)
	if tk.ControlFailure == nil {
		matches = dropControlAgreed(matches, tk.Control)
	}
	if fingerprintVerdict(c, matches) {
		w.blockpageThroughDNS()
		return
	}
	for _, f := range []*string{tk.DNSExperimentFailure, tk.HTTPExperimentFailure, tk.ControlFailure} {
		if f != nil && unknownFailure(*f) {
			c.addEvidence(verdict.Evidence{Step: "analysis", Failure: *f, Note: "the probe could not classify this error"})
			setUnknown(c.m, verdict.Failure, fmt.Sprintf(
				"The test of %s broke: the probe hit an error it could not classify (%s), so nothing can be said about blocking.", w.url, *f))
			return
		}
	}
	if !hasSteps(&tk.Steps) && tk.Control == nil && tk.HTTPExperimentFailure == nil && tk.DNSExperimentFailure == nil {
		setUnknown(c.m, verdict.Failure, "The measurement holds no results: the test did not run.")
		return
	}
	if injectedDNS(c, &tk.Steps) {
		return
	}
	if tk.ControlFailure == nil && tk.Control != nil && controlHasData(tk.Control) {
		w.ctrl = tk.Control
	}
	if w.ctrl == nil {
		w.withoutControl()
		return
	}
	w.withControl()
}

// blockpageThroughDNS re-reads a blockpage verdict. When the page came
// from an address only the probe's resolver gave (the control resolved
// the name to other addresses, in other networks), the censor's resolver
// sent the probe to its blockpage server (Iran's 10.10.34.34 and the
// like): the blocking happened at the DNS. OONI's web_connectivity names
// the first layer that differs from the control, so the method becomes
// dns; the fingerprint still gives the confidence.
func (w *web) blockpageThroughDNS() {
	c, tk := w.c, w.tk
	if c.m.Blocking.Method != measurement.BlockingHTTPDiff || tk.ControlFailure != nil ||
		tk.Control == nil || !controlHasData(tk.Control) {
		return
	}
	w.ctrl = tk.Control
	w.probeAddrs = answerAddrs(tk.Queries, w.host)
	w.ctrlAddrs = onlyIPs(w.ctrl.DNS.Addrs)
	w.checkDNSConsistency()
	if !w.dnsSuspect {
		return
	}
	c.m.Blocking = measurement.BlockedBy(measurement.BlockingDNS)
	dns := verdict.Evidence{Step: "dns", Target: w.host, Observed: strings.Join(w.probeAddrs, ", "),
		Expected: strings.Join(w.ctrlAddrs, ", "), Note: "the blockpage came from this address, which only the probe's resolver gave"}
	c.m.Evidence = append([]verdict.Evidence{dns}, c.m.Evidence...)
	c.m.Explanation = fmt.Sprintf("The DNS answer for %s was %s, not the site's addresses (%s); %s",
		w.host, dns.Observed, dns.Expected, lowerFirst(c.m.Explanation))
}

// lowerFirst lowers the first letter of a sentence that goes on another.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func controlHasData(c *measurement.ControlResponse) bool {
	return len(c.DNS.Addrs) > 0 || c.DNS.Failure != nil || len(c.TCPConnect) > 0 ||
		c.HTTPRequest.StatusCode != 0 || c.HTTPRequest.Failure != nil
}

// withoutControl decides when the control helper gave nothing to compare
// with: a page loaded over HTTPS is the real site; a reset or a
// private-address answer speak for themselves; anything else cannot be
// judged.
func (w *web) withoutControl() {
	c, s := w.c, &w.tk.Steps
	why := "the control could not be reached"
	if w.tk.ControlFailure != nil {
		why = "the control could not be reached (" + *w.tk.ControlFailure + ")"
		c.addEvidence(verdict.Evidence{Step: "control", Failure: *w.tk.ControlFailure, Note: "no control measurement"})
	}
	if r, ok := finalRequest(s.Requests); ok && r.Failure == nil && r.Response.Code > 0 && isHTTPS(r.Request.URL) {
		setOK(c.m, fmt.Sprintf("The page %s loaded over HTTPS with a valid certificate, so it came from the real site.", r.Request.URL))
		return
	}
	if bogusNXDOMAIN(c, s, w.host, nil) || bogonAnswer(c, s, w.host, nil) {
		return
	}
	if f, ok := w.resetSomewhere(); ok {
		method := measurement.BlockingTCPIP
		switch f.step {
		case "tls_handshake":
			method = measurement.BlockingTLS
		case "http_request":
			if r, ok := finalRequest(s.Requests); ok {
				method = httpFailureMethod(r, s)
			}
		}
		c.addEvidence(f.evidence("a reset connection is rarely a network accident"))
		setBlocked(c.m, method, verdict.Anomaly, fmt.Sprintf(
			"The connection to %s was reset (%s). Resets are a common way to block sites; %s, so this could not be checked against an uncensored view.",
			targetName(c, f), stepName(f.step), why))
		return
	}
	setUnknown(c.m, verdict.Failure, fmt.Sprintf("The probe's results for %s cannot be judged: %s.", w.url, why))
}

// resetSomewhere finds a connection reset at the TCP, TLS or HTTP step.
func (w *web) resetSomewhere() (stepFailure, bool) {
	s := &w.tk.Steps
	failed, _ := connectFailures(s.TCPConnect)
	tlsFailed, _ := handshakeFailures("tls_handshake", s.TLSHandshakes)
	for _, f := range append(failed, tlsFailed...) {
		if f.failure == failure.ConnectionReset {
			return f, true
		}
	}
	for _, r := range s.Requests {
		if failure.Of(r.Failure) == failure.ConnectionReset {
			return stepFailure{"http_request", r.Request.URL, failure.ConnectionReset}, true
		}
	}
	if len(s.Requests) == 0 && failure.Of(w.tk.HTTPExperimentFailure) == failure.ConnectionReset {
		return stepFailure{"http_request", w.url, failure.ConnectionReset}, true
	}
	return stepFailure{}, false
}

func stepName(step string) string {
	switch step {
	case "tcp_connect":
		return "while connecting"
	case "tls_handshake":
		return "during the TLS handshake"
	case "http_request":
		return "during the HTTP request"
	}
	return step
}

func isHTTPS(u string) bool { return strings.HasPrefix(strings.ToLower(u), "https://") }
