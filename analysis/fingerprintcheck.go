package analysis

import (
	"net"
	"slices"
	"strconv"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
)

// fpMatch is one fingerprint that matched, with where.
type fpMatch struct {
	fp       *Fingerprint
	step     string // "dns" or "http_request"
	target   string // the host name or URL
	observed string // the answer, header or "response body"
}

// matchFingerprints applies the fingerprints to every DNS answer and every
// HTTP response of the steps. Matches of known false positives (scope
// "fp") are returned separately.
func matchFingerprints(fp *Fingerprints, s *measurement.Steps) (blocking, falsePos []fpMatch) {
	add := func(m fpMatch) {
		if m.fp.FalsePositive() {
			falsePos = append(falsePos, m)
		} else {
			blocking = append(blocking, m)
		}
	}
	for _, list := range [][]measurement.DNSQuery{s.Queries, s.DNSLateReplies} {
		for _, q := range list {
			for _, a := range q.Answers {
				v := answerValue(a)
				if v == "" {
					continue
				}
				for _, f := range fp.MatchDNS(v) {
					add(fpMatch{fp: f, step: "dns", target: q.Hostname, observed: v})
				}
			}
		}
	}
	for _, r := range s.Requests {
		resp := &r.Response
		for _, h := range responseHeaders(resp) {
			for _, f := range fp.MatchHeader(h.Key, string(h.Value)) {
				add(fpMatch{fp: f, step: "http_request", target: r.Request.URL, observed: h.Key + ": " + string(h.Value)})
			}
		}
		if resp.Body != "" {
			for _, f := range fp.matchBlockpageBody(string(resp.Body)) {
				add(fpMatch{fp: f, step: "http_request", target: r.Request.URL, observed: "response body"})
			}
		}
	}
	return blocking, falsePos
}

// dropControlAgreed removes the DNS matches of addresses the control also
// resolved: an address the uncensored vantage point gets is the site's
// own, however much it looks like a censor's answer (127.0.0.1 is both a
// Brazilian ISP's block answer and what some names really resolve to).
func dropControlAgreed(matches []fpMatch, ctrl *measurement.ControlResponse) []fpMatch {
	if ctrl == nil || len(ctrl.DNS.Addrs) == 0 {
		return matches
	}
	out := matches[:0:0]
	for _, m := range matches {
		if m.step == "dns" && slices.Contains(ctrl.DNS.Addrs, m.observed) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// responseHeaders returns headers_list when the probe wrote it, and the
// headers map otherwise.
func responseHeaders(resp *measurement.HTTPResponse) []measurement.HTTPHeader {
	if len(resp.HeadersList) > 0 {
		return resp.HeadersList
	}
	out := make([]measurement.HTTPHeader, 0, len(resp.Headers))
	for _, k := range sortedKeys(resp.Headers) {
		out = append(out, measurement.HTTPHeader{Key: k, Value: resp.Headers[k]})
	}
	return out
}

// fingerprintVerdict decides on fingerprint matches: a confirming match
// (the fingerprint is known in the probe's country, or belongs to a
// national or ISP filter) is a confirmed block; another match is an
// anomaly. It reports whether it decided.
func fingerprintVerdict(c *msmt, matches []fpMatch) bool {
	if len(matches) == 0 {
		return false
	}
	best := matches[0]
	for _, m := range matches {
		if m.fp.Confirms(c.raw.ProbeCC) {
			best = m
			break
		}
	}
	method := measurement.BlockingHTTPDiff
	sentence := httpFingerprintSentence(firstNonEmpty(string(c.raw.Input), best.target), best.fp, c.raw.ProbeCC)
	if best.step == "dns" {
		method = measurement.BlockingDNS
		sentence = dnsFingerprintSentence(best.target, best.observed, best.fp, c.raw.ProbeCC)
	}
	conf := verdict.Confirmed
	if !best.fp.Confirms(c.raw.ProbeCC) {
		conf = verdict.Anomaly
		sentence += " That fingerprint is not known in this country, so the match is strong evidence but not proof."
	}
	setBlocked(c.m, method, conf, sentence)
	c.m.Fingerprint = best.fp.Name
	c.addEvidence(verdict.Evidence{Step: best.step, Target: best.target, Observed: best.observed,
		Expected: "not a blockpage", Note: "matches fingerprint " + best.fp.Name})
	for _, m := range matches {
		if m != best {
			c.addEvidence(verdict.Evidence{Step: m.step, Target: m.target, Observed: m.observed,
				Note: "also matches fingerprint " + m.fp.Name})
		}
	}
	return true
}

// stepFailure is a step's failure with what it was about.
type stepFailure struct {
	step, target, failure string
}

func (f stepFailure) evidence(note string) verdict.Evidence {
	return verdict.Evidence{Step: f.step, Target: f.target, Failure: f.failure, Note: note}
}

// tcpTarget names a TCP connect attempt.
func tcpTarget(t measurement.TCPConnect) string {
	return net.JoinHostPort(t.IP, strconv.Itoa(t.Port))
}

// tlsTarget names a TLS or QUIC handshake.
func tlsTarget(h measurement.TLSHandshake) string {
	if h.ServerName == "" {
		return h.Address
	}
	if h.Address == "" {
		return h.ServerName
	}
	return h.Address + " (" + h.ServerName + ")"
}

// connectFailures returns the failed connects and whether any succeeded.
func connectFailures(list []measurement.TCPConnect) (failed []stepFailure, ok bool) {
	for _, t := range list {
		if t.Status.Success {
			ok = true
			continue
		}
		f := failure.Of(t.Status.Failure)
		if f == "" {
			f = "unknown_error"
		}
		failed = append(failed, stepFailure{"tcp_connect", tcpTarget(t), f})
	}
	return failed, ok
}

// handshakeFailures returns the failed handshakes and whether any
// succeeded.
func handshakeFailures(step string, list []measurement.TLSHandshake) (failed []stepFailure, ok bool) {
	for _, h := range list {
		if h.Failure == nil {
			ok = true
			continue
		}
		failed = append(failed, stepFailure{step, tlsTarget(h), *h.Failure})
	}
	return failed, ok
}
