package analysis

import (
	"fmt"
	"strings"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
)

// withControl compares the probe's view with the control's, layer by
// layer: DNS, TCP, TLS, QUIC, then the HTTP answer.
func (w *web) withControl() {
	c, s, ctrl := w.c, &w.tk.Steps, w.ctrl
	w.probeAddrs = answerAddrs(s.Queries, w.host)
	w.ctrlAddrs = onlyIPs(ctrl.DNS.Addrs)
	if bogusNXDOMAIN(c, s, w.host, w.ctrlAddrs) {
		return
	}
	if len(w.probeAddrs) == 0 && !isIP(w.host) && (len(s.Queries) > 0 || w.tk.DNSExperimentFailure != nil) {
		w.probeDNSFailed()
		return
	}
	if bogonAnswer(c, s, w.host, w.ctrlAddrs) {
		return
	}
	w.checkDNSConsistency()

	if failed, ok := connectFailures(s.TCPConnect); len(failed) > 0 && !ok {
		if w.blameDNS(failed[0]) {
			return
		}
		if w.controlConnected(failed) {
			w.blocked(measurement.BlockingTCPIP, failed[0], fmt.Sprintf(
				"Every connection to %s failed (%s), while the control connected to the same addresses.",
				targetName(c, failed[0]), describeFailure(failed[0].failure)))
			return
		}
		w.down(failed[0], "the control could not connect either")
		return
	}
	if tlsFailed, ok := handshakeFailures("tls_handshake", s.TLSHandshakes); len(tlsFailed) > 0 && !ok {
		if w.blameDNS(tlsFailed[0]) {
			return
		}
		if w.controlHandshook(ctrl.TLSHandshake, tlsFailed) {
			w.blocked(measurement.BlockingTLS, tlsFailed[0], fmt.Sprintf(
				"The secure connection (TLS) to %s failed (%s), while the control completed it.",
				targetName(c, tlsFailed[0]), describeFailure(tlsFailed[0].failure)))
			return
		}
		w.downOrUnknown(tlsFailed[0], failure.Of(ctrl.HTTPRequest.Failure))
		return
	}
	if quicFailed, ok := handshakeFailures("quic_handshake", s.QUICHandshakes); len(quicFailed) > 0 && !ok &&
		w.controlHandshook(ctrl.QUICHandshake, quicFailed) {
		w.blocked(measurement.BlockingQUIC, quicFailed[0], fmt.Sprintf(
			"The QUIC (HTTP/3) handshake to %s failed (%s), while the control completed it.",
			targetName(c, quicFailed[0]), describeFailure(quicFailed[0].failure)))
		w.stillLoadedOverTCP()
		return
	}
	w.compareHTTP()
}

// probeDNSFailed: the probe got no address for the host.
func (w *web) probeDNSFailed() {
	c := w.c
	f, _ := dnsLayerFailure(&w.tk.Steps, w.host)
	if f.failure == "" {
		f = stepFailure{"dns", w.host, failure.Of(w.tk.DNSExperimentFailure)}
	}
	if f.failure == "" {
		f.failure = failure.DNSNoAnswer
	}
	ctrlFail := failure.Of(w.ctrl.DNS.Failure)
	if len(w.ctrlAddrs) == 0 {
		ev := f.evidence("the control could not resolve the name either")
		ev.Expected = "control: " + firstNonEmpty(ctrlFail, "no address ("+strings.Join(w.ctrl.DNS.Addrs, ", ")+")")
		c.addEvidence(ev)
		setDown(c.m, fmt.Sprintf(
			"Neither the probe nor the uncensored control could resolve %s to an address (probe: %s; control: %s). The domain does not resolve anywhere: the site is down, not blocked.",
			w.host, describeFailure(f.failure), firstNonEmpty(describeControlDNS(w.ctrl), "no address")))
		return
	}
	w.blocked(measurement.BlockingDNS, f, fmt.Sprintf(
		"The probe's resolver could not resolve %s (%s), while the control resolved it to %s.",
		w.host, describeFailure(f.failure), strings.Join(w.ctrlAddrs, ", ")))
}

func describeControlDNS(ctrl *measurement.ControlResponse) string {
	if ctrl.DNS.Failure != nil {
		return describeFailure(*ctrl.DNS.Failure)
	}
	if len(ctrl.DNS.Addrs) > 0 {
		return "only the alias " + strings.Join(ctrl.DNS.Addrs, ", ")
	}
	return ""
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// blameDNS: when the probe's addresses were not the site's, a failure to
// reach them is DNS blocking.
func (w *web) blameDNS(f stepFailure) bool {
	if !w.dnsSuspect {
		return false
	}
	w.c.addEvidence(f.evidence("this address came from the probe's resolver only"))
	w.blocked(measurement.BlockingDNS, w.dnsEvidence(), fmt.Sprintf(
		"The DNS answer for %s was %s, not the site's addresses (%s), and %s.",
		w.host, strings.Join(w.probeAddrs, ", "), strings.Join(w.ctrlAddrs, ", "),
		strings.TrimPrefix(describeFailure(f.failure), "it ")+" at that address"))
	return true
}

func (w *web) dnsEvidence() stepFailure {
	return stepFailure{"dns", w.host, ""}
}

// controlConnected reports whether the control reached any endpoint the
// probe failed to, or (without per-endpoint results) loaded the page.
func (w *web) controlConnected(failed []stepFailure) bool {
	known := false
	for _, f := range failed {
		if r, ok := w.ctrl.TCPConnect[f.target]; ok {
			known = true
			if r.Status {
				return true
			}
		}
	}
	return !known && w.ctrl.HTTPRequest.Failure == nil && w.ctrl.HTTPRequest.StatusCode > 0
}

// controlHandshook is controlConnected for TLS or QUIC handshakes.
func (w *web) controlHandshook(results map[string]measurement.ControlTLSHandshake, failed []stepFailure) bool {
	known := false
	for _, f := range failed {
		ep := strings.SplitN(f.target, " ", 2)[0]
		if r, ok := results[ep]; ok {
			known = true
			if r.Status {
				return true
			}
		}
	}
	return !known && w.ctrl.HTTPRequest.Failure == nil && w.ctrl.HTTPRequest.StatusCode > 0
}

// blocked records a block found by comparison with the control; an error
// the probe could not classify means the test broke instead.
func (w *web) blocked(method string, f stepFailure, sentence string) {
	if unknownFailure(f.failure) {
		w.c.addEvidence(f.evidence("the probe could not classify this error"))
		setUnknown(w.c.m, verdict.Failure, sentence+" The probe's error is one it could not classify, so nothing can be said about blocking.")
		return
	}
	if f.failure != "" || f.step != "dns" {
		w.c.addEvidence(f.evidence("the control succeeded at this step"))
	}
	if w.dnsWhy != "" && method == measurement.BlockingDNS {
		w.c.addEvidence(verdict.Evidence{Step: "dns", Target: w.host, Observed: strings.Join(w.probeAddrs, ", "),
			Expected: strings.Join(w.ctrlAddrs, ", "), Note: w.dnsWhy})
	}
	setBlocked(w.c.m, method, verdict.Anomaly, sentence)
}

// down records that the control failed at the same step.
func (w *web) down(f stepFailure, why string) {
	w.c.addEvidence(f.evidence(why))
	setDown(w.c.m, fmt.Sprintf("%s could not be reached from the probe (%s), and %s: the site is down, not blocked.",
		w.url, describeFailure(f.failure), why))
}

// downOrUnknown: the probe failed and the control's HTTP request failed
// too. OONI's control helpers report most failures other than DNS,
// timeouts and refusals as "unknown_error"; then sonde cannot tell a site
// that is down from a test that broke, and keeps the probe's own reading
// (blocking false: down; blocking null: undecided).
func (w *web) downOrUnknown(f stepFailure, ctrlFail string) {
	if ctrlFail == "" {
		w.blocked(httpFailureMethodFor(f), f, fmt.Sprintf("%s failed from the probe (%s), while the control loaded it.",
			w.url, describeFailure(f.failure)))
		return
	}
	why := "the control failed too (" + ctrlFail + ")"
	if ctrlFail == "unknown_error" && !w.tk.Blocking.Decided {
		w.c.addEvidence(f.evidence(why))
		w.c.addEvidence(verdict.Evidence{Step: "control", Failure: ctrlFail,
			Note: "the control's error is unclassified, and the probe itself could not decide (blocking: null)"})
		setUnknown(w.c.m, verdict.Failure, fmt.Sprintf(
			"Both the probe (%s) and the control failed to load %s, and the control's error is unclassified, so sonde cannot tell whether the site was down or the test broke.",
			describeFailure(f.failure), w.url))
		return
	}
	w.down(f, why)
}

func httpFailureMethodFor(f stepFailure) string {
	switch f.step {
	case "tls_handshake":
		return measurement.BlockingTLS
	case "quic_handshake":
		return measurement.BlockingQUIC
	case "tcp_connect":
		return measurement.BlockingTCPIP
	}
	return measurement.BlockingHTTPFailure
}

// stillLoadedOverTCP: with only QUIC blocked, a page that loaded over
// HTTPS (its certificate proves it came from the site) means the site is
// still accessible: HTTP/3 is blocked, the site is not.
func (w *web) stillLoadedOverTCP() {
	v := w.c.m
	if v.Status != verdict.StatusBlocked {
		return
	}
	for _, r := range w.tk.Requests {
		if r.Failure == nil && r.Response.Code > 0 && isHTTPS(r.Request.URL) {
			yes := true
			v.Accessible = &yes
			v.Explanation += fmt.Sprintf(" The page %s still loaded over HTTPS: HTTP/3 is blocked, the site is not.", r.Request.URL)
			return
		}
	}
}
