package analysis

import (
	"fmt"
	"strings"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
)

// The generic analysis: any test whose keys hold OONI's archival steps
// (queries, tcp_connect, tls_handshakes, quic_handshakes, requests,
// dns_late_replies), such as sonde's dns, tcpconnect, tls, http and quic
// tests and OONI's urlgetter. Without a control it relies on signals that
// need none: fingerprints, injected DNS answers, private addresses for
// public names, and the first network layer where everything failed.

func hasSteps(s *measurement.Steps) bool {
	return len(s.Queries)+len(s.TCPConnect)+len(s.TLSHandshakes)+len(s.QUICHandshakes)+
		len(s.Requests)+len(s.DNSLateReplies) > 0
}

// analyzeSteps is the rule for sonde's own single-target tests. Keys that
// carry a control (the control helper's "control" object) are compared
// with it as web_connectivity is.
func analyzeSteps(c *msmt) {
	if k := c.keys(); k.object("control") != nil {
		analyzeWebConnectivity(c)
		return
	}
	steps, dropped := c.decodeSteps()
	if !hasSteps(&steps) {
		note := "The measurement holds no network steps: the test did not run."
		if dropped > 0 {
			note = fmt.Sprintf("The measurement's %d network steps could not be read.", dropped)
		}
		c.addEvidence(verdict.Evidence{Step: "analysis", Note: "no network steps in test_keys"})
		setUnknown(c.m, verdict.Failure, note)
		return
	}
	analyzeStepsOnly(c, &steps, "")
}

// analyzeStepsOnly decides from the steps alone; note, when set, is added
// as evidence (e.g. why no test-specific rule applied).
func analyzeStepsOnly(c *msmt, s *measurement.Steps, note string) {
	if note != "" {
		c.addEvidence(verdict.Evidence{Step: "analysis", Note: note})
	}
	host := c.m.Domain
	matches, _ := matchFingerprints(c.fp, s)
	switch {
	case fingerprintVerdict(c, matches):
	case injectedDNS(c, s):
	case bogusNXDOMAIN(c, s, host, nil):
	case bogonAnswer(c, s, host, nil):
	case firstFailedLayer(c, s, host):
	default:
		setOK(c.m, okSentence(c.m.Input, s))
	}
}

// injectedDNS finds a query that got two different answers: the first,
// usually forged by an injector racing the real resolver, and a late one.
func injectedDNS(c *msmt, s *measurement.Steps) bool {
	for _, late := range s.DNSLateReplies {
		lateAddrs := answerAddrs([]measurement.DNSQuery{late}, "")
		if len(lateAddrs) == 0 {
			continue
		}
		for _, q := range s.Queries {
			if !sameHost(q.Hostname, late.Hostname) || q.QueryType != late.QueryType ||
				(late.ResolverAddress != "" && q.ResolverAddress != late.ResolverAddress) {
				continue
			}
			first := answerAddrs([]measurement.DNSQuery{q}, "")
			if len(first) == 0 || intersects(first, lateAddrs) {
				continue
			}
			setBlocked(c.m, measurement.BlockingDNS, verdict.Anomaly, fmt.Sprintf(
				"Two different DNS answers came back for %s: first %s, then %s. A second answer to one query is the sign of a forged answer injected on the network path.",
				q.Hostname, strings.Join(first, ", "), strings.Join(lateAddrs, ", ")))
			c.addEvidence(verdict.Evidence{Step: "dns", Target: q.Hostname, Observed: strings.Join(first, ", "),
				Expected: strings.Join(lateAddrs, ", "), Note: "first answer; a different answer arrived later (dns_late_replies)"})
			return true
		}
	}
	return false
}

// bogusNXDOMAIN recognises an ISP resolver that answers a name that does
// not exist with its advertising server (dnsmasq-china-list). That is ad
// hijacking, not censorship. controlAddrs is nil without a control.
func bogusNXDOMAIN(c *msmt, s *measurement.Steps, host string, controlAddrs []string) bool {
	for _, a := range answerAddrs(s.Queries, host) {
		if !c.fp.BogusNXDOMAIN(a) {
			continue
		}
		ev := verdict.Evidence{Step: "dns", Target: host, Observed: a,
			Note: "address a resolver returns instead of NXDOMAIN to show advertising (dnsmasq-china-list bogus-nxdomain)"}
		if len(controlAddrs) > 0 {
			ev.Expected = strings.Join(controlAddrs, ", ")
			c.addEvidence(ev)
			setBlocked(c.m, measurement.BlockingDNS, verdict.Anomaly, fmt.Sprintf(
				"The DNS answer for %s was %s, an advertising address some resolvers give for names that do not exist, although the name exists (the control got %s).",
				host, a, strings.Join(controlAddrs, ", ")))
			return true
		}
		c.addEvidence(ev)
		setDown(c.m, fmt.Sprintf(
			"The DNS answer for %s was %s, an address some resolvers give for names that do not exist, to show advertising: the domain does not exist. This is ad hijacking by the resolver, not censorship.",
			host, a))
		return true
	}
	return false
}

// bogonAnswer flags a private or reserved address for a public name, a
// common way to block by DNS. controlAddrs is nil without a control; when
// the control also got such addresses the answer is not suspicious.
func bogonAnswer(c *msmt, s *measurement.Steps, host string, controlAddrs []string) bool {
	if localName(host) || isIP(host) || allBogons(controlAddrs) {
		return false
	}
	for _, q := range s.Queries {
		if host != "" && !sameHost(q.Hostname, host) {
			continue
		}
		if localName(q.Hostname) {
			continue
		}
		for _, a := range answerAddrs([]measurement.DNSQuery{q}, "") {
			if !bogon(a) {
				continue
			}
			c.addEvidence(verdict.Evidence{Step: "dns", Target: q.Hostname, Observed: a,
				Expected: strings.Join(controlAddrs, ", "), Note: "private or reserved address for a public name"})
			setBlocked(c.m, measurement.BlockingDNS, verdict.Anomaly, fmt.Sprintf(
				"The DNS answer for %s was %s, a private address that cannot be the real site: the resolver was told to hide it.",
				q.Hostname, a))
			return true
		}
	}
	return false
}

// okSentence says what worked.
func okSentence(target string, s *measurement.Steps) string {
	if target == "" {
		target = "the target"
	}
	var worked []string
	if len(s.Queries) > 0 {
		worked = append(worked, "DNS")
	}
	if len(s.TCPConnect) > 0 {
		worked = append(worked, "connecting")
	}
	if len(s.TLSHandshakes) > 0 {
		worked = append(worked, "the TLS handshake")
	}
	if len(s.QUICHandshakes) > 0 {
		worked = append(worked, "the QUIC handshake")
	}
	if len(s.Requests) > 0 {
		worked = append(worked, "the HTTP request")
	}
	if len(worked) == 0 {
		return target + " was reachable."
	}
	return fmt.Sprintf("%s was reachable: %s worked.", target, joinWords(worked))
}

func joinWords(w []string) string {
	switch len(w) {
	case 0:
		return ""
	case 1:
		return w[0]
	}
	return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
}
