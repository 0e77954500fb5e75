package webconnectivity

import (
	"strings"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
)

// verdict is web_connectivity's reading of a measurement.
type verdict struct {
	blocking   measurement.Blocking
	accessible *bool
	flags      int64
}

var (
	yes, no = true, false

	undecided = verdict{}
	down      = verdict{blocking: measurement.NotBlocked, accessible: &no}
	success   = verdict{blocking: measurement.NotBlocked, accessible: &yes, flags: FlagSuccess}
)

func blocked(method string, flag int64) verdict {
	return verdict{blocking: measurement.BlockedBy(method), accessible: &no, flags: flag}
}

// decide reads the test keys as OONI's web_connectivity v0.4 does (the
// order of the checks, the leniency of the page comparison), with three
// changes from v0.5 and from this project:
//
//   - a failure that the control shares means the site is down, not
//     blocked: blocking false, accessible false (v0.5);
//   - TCP connects failing are tcp_ip only when the control connected
//     (v0.4 did not ask the control);
//   - TLS handshakes failing where the control's worked are "tls"; v0.4
//     called that http-failure, and so do OONI's readers of v0.4 data.
//
// When the page came over HTTPS and matched the control, a QUIC handshake
// failing on every address where the control's worked gives blocking
// "quic" with accessible true: the site works, its HTTP/3 is blocked.
func decide(tk *measurement.WebTestKeys, eps []Endpoint) verdict {
	v := decideTCP(tk, eps)
	if v.accessible != nil && *v.accessible && quicBlocked(eps) {
		v.blocking, v.flags = measurement.BlockedBy(measurement.BlockingQUIC), v.flags|FlagQUIC
	}
	return v
}

func decideTCP(tk *measurement.WebTestKeys, eps []Endpoint) verdict {
	final := finalRequest(tk)
	// A page fetched over HTTPS came from the real server: the
	// certificate says so.
	if final != nil && final.Failure == nil && strings.HasPrefix(final.Request.URL, "https://") {
		return success
	}
	ctrl := tk.Control
	if tk.ControlFailure != nil || ctrl == nil {
		return undecided
	}
	dnsFailure := failure.Of(tk.DNSExperimentFailure)
	if (dnsFailure == failure.DNSNXDOMAIN || dnsFailure == failure.AndroidDNSCacheNoData) &&
		failure.Of(ctrl.DNS.Failure) == failure.ControlDNSNameError {
		return down // the name does not exist, for the control either
	}
	if tk.DNSConsistency != nil && *tk.DNSConsistency == measurement.DNSInconsistent {
		return blocked(measurement.BlockingDNS, FlagDNS)
	}
	if tcp := outcomes(eps, func(e Endpoint) (string, string) { return e.TCP, e.ControlTCP }); tcp.tried && !tcp.worked {
		if tcp.controlWorked || (!tcp.controlTried && anyStatus(ctrl.TCPConnect)) {
			return blocked(measurement.BlockingTCPIP, FlagTCPIP)
		}
		return down
	}
	if tls := outcomes(eps, func(e Endpoint) (string, string) { return e.TLS, e.ControlTLS }); tls.tried && !tls.worked {
		if tls.controlWorked || (!tls.controlTried && ctrl.HTTPRequest.Failure == nil && ctrl.HTTPRequest.StatusCode > 0) {
			return blocked(measurement.BlockingTLS, FlagTLS)
		}
		return down
	}
	if ctrl.HTTPRequest.Failure != nil {
		if final == nil || final.Failure != nil {
			return down
		}
		return undecided // the probe got a page the control could not
	}
	if final == nil {
		return undecided
	}
	if final.Failure != nil {
		return decideFailedFetch(tk, final)
	}
	if m := statusCodeMatch(&final.Response, ctrl); m != nil && *m {
		for _, match := range []*bool{tk.BodyLengthMatch, tk.HeadersMatch, tk.TitleMatch} {
			if match != nil && *match {
				return success
			}
		}
	}
	return blocked(measurement.BlockingHTTPDiff, FlagHTTPDiff)
}

// decideFailedFetch reads a fetch that failed although the connections to
// the target worked (a redirect elsewhere, a reset after the request).
func decideFailedFetch(tk *measurement.WebTestKeys, final *measurement.HTTPTransaction) verdict {
	for _, h := range tk.TLSHandshakes {
		if h.TransactionID == final.TransactionID && final.TransactionID != 0 && h.Failure != nil {
			return blocked(measurement.BlockingTLS, FlagTLS)
		}
	}
	switch f := *final.Failure; {
	case f == failure.DNSNXDOMAIN:
		return blocked(measurement.BlockingDNS, FlagDNS) // a redirect's name was made to not exist
	case failure.IsUnknown(f):
		return undecided // a failure we cannot read is no evidence
	}
	return blocked(measurement.BlockingHTTPFailure, FlagHTTPFailure)
}

// finalRequest is the final transaction of the fetch over TCP
// (requests[0] in OONI's order), nil when there was no fetch.
func finalRequest(tk *measurement.WebTestKeys) *measurement.HTTPTransaction {
	for i := range tk.Requests {
		if tk.Requests[i].Network != "udp" {
			return &tk.Requests[i]
		}
	}
	return nil
}

// stepOutcomes sums up one kind of step over the endpoints.
type stepOutcomes struct {
	tried, worked, controlTried, controlWorked bool
}

func outcomes(eps []Endpoint, get func(Endpoint) (probe, control string)) stepOutcomes {
	var o stepOutcomes
	for _, e := range eps {
		probe, control := get(e)
		o.tried = o.tried || probe != notAttempted
		o.worked = o.worked || probe == ""
		o.controlTried = o.controlTried || control != notAttempted
		o.controlWorked = o.controlWorked || control == ""
	}
	return o
}

func anyStatus(m map[string]measurement.ControlTCPConnect) bool {
	for _, r := range m {
		if r.Status {
			return true
		}
	}
	return false
}

// quicBlocked: the probe tried QUIC and never got through, the control
// did.
func quicBlocked(eps []Endpoint) bool {
	q := outcomes(eps, func(e Endpoint) (string, string) { return e.QUIC, e.ControlQUIC })
	return q.tried && !q.worked && q.controlWorked
}
