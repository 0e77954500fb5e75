package analysis

import (
	"fmt"
	"strings"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
)

// firstFailedLayer walks DNS, TCP, TLS, QUIC and HTTP in order and stops at
// the first layer where every attempt failed: later failures are its
// consequences. Without a control, such a failure is an anomaly (the site
// may also be down; the explanation says there was no control). A failure
// the probe could not classify means the test broke. It reports whether it
// decided.
func firstFailedLayer(c *msmt, s *measurement.Steps, host string) bool {
	if f, ok := dnsLayerFailure(s, host); ok {
		return layerVerdict(c, measurement.BlockingDNS, f,
			fmt.Sprintf("The probe could not resolve %s: %s.", f.target, describeFailure(f.failure)))
	}
	if failed, ok := connectFailures(s.TCPConnect); len(failed) > 0 && !ok {
		return layerVerdict(c, measurement.BlockingTCPIP, failed[0],
			fmt.Sprintf("Every connection to %s failed: %s.", targetName(c, failed[0]), describeFailure(failed[0].failure)))
	}
	tlsFailed, tlsOK := handshakeFailures("tls_handshake", s.TLSHandshakes)
	if len(tlsFailed) > 0 && !tlsOK {
		return layerVerdict(c, measurement.BlockingTLS, tlsFailed[0],
			fmt.Sprintf("The secure connection (TLS) to %s failed: %s.", targetName(c, tlsFailed[0]), describeFailure(tlsFailed[0].failure)))
	}
	quicFailed, quicOK := handshakeFailures("quic_handshake", s.QUICHandshakes)
	if len(quicFailed) > 0 && !quicOK {
		extra := ""
		if tlsOK {
			extra = " HTTPS over TCP worked, so only QUIC (HTTP/3) is affected."
		}
		return layerVerdict(c, measurement.BlockingQUIC, quicFailed[0],
			fmt.Sprintf("The QUIC handshake to %s failed: %s.%s", targetName(c, quicFailed[0]), describeFailure(quicFailed[0].failure), extra))
	}
	if r, ok := finalRequest(s.Requests); ok && r.Failure != nil {
		f := stepFailure{"http_request", r.Request.URL, *r.Failure}
		method := httpFailureMethod(r, s)
		return layerVerdict(c, method, f,
			fmt.Sprintf("The request for %s failed: %s.", r.Request.URL, describeFailure(f.failure)))
	}
	return false
}

// layerVerdict records a failed layer without a control.
func layerVerdict(c *msmt, method string, f stepFailure, sentence string) bool {
	if unknownFailure(f.failure) {
		c.addEvidence(f.evidence("the probe could not classify this error"))
		setUnknown(c.m, verdict.Failure, sentence+" That is an error of the probe itself, so nothing can be said about blocking.")
		return true
	}
	c.addEvidence(f.evidence("every attempt at this step failed; no control to compare with"))
	setBlocked(c.m, method, verdict.Anomaly, sentence+" There was no control measurement, so the site may also be down.")
	return true
}

// dnsLayerFailure reports a DNS failure when every query for host failed
// and none gave an address.
func dnsLayerFailure(s *measurement.Steps, host string) (stepFailure, bool) {
	var first stepFailure
	n := 0
	for _, q := range s.Queries {
		if host != "" && !sameHost(q.Hostname, host) {
			continue
		}
		n++
		if q.Failure == nil || len(answerAddrs([]measurement.DNSQuery{q}, "")) > 0 {
			return stepFailure{}, false
		}
		if first.failure == "" {
			first = stepFailure{"dns", q.Hostname, *q.Failure}
		}
	}
	return first, n > 0
}

// finalRequest returns the last request of a redirect chain: the one with
// the latest time, or the first listed (OONI lists the chain last to
// first) when the times do not tell.
func finalRequest(list []measurement.HTTPTransaction) (*measurement.HTTPTransaction, bool) {
	if len(list) == 0 {
		return nil, false
	}
	best := 0
	for i := range list {
		if list[i].T > list[best].T {
			best = i
		}
	}
	return &list[best], true
}

// httpFailureMethod names the layer an HTTP request failed at: TLS when
// the failure is a certificate or handshake error, or when an HTTPS
// request failed at the connection with no TLS handshake recorded as
// successful; DNS for a resolution failure; otherwise http-failure.
func httpFailureMethod(r *measurement.HTTPTransaction, s *measurement.Steps) string {
	f := failure.Of(r.Failure)
	switch {
	case tlsFailure(f) || strings.HasPrefix(f, "ssl_error"):
		return measurement.BlockingTLS
	case dnsFailure(f):
		return measurement.BlockingDNS
	}
	if strings.HasPrefix(strings.ToLower(r.Request.URL), "https://") && r.Response.Code == 0 &&
		(f == failure.ConnectionReset || f == failure.EOF || f == failure.GenericTimeout) {
		if _, ok := handshakeFailures("tls_handshake", s.TLSHandshakes); !ok {
			return measurement.BlockingTLS
		}
	}
	return measurement.BlockingHTTPFailure
}

// targetName names what a failed step was about, preferring the domain.
func targetName(c *msmt, f stepFailure) string {
	if c.m.Domain != "" && !strings.Contains(f.target, c.m.Domain) {
		return c.m.Domain + " (" + f.target + ")"
	}
	return f.target
}
