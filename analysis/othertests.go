package analysis

import (
	"fmt"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
)

// Other and legacy tests, scored as OONI's fastpath scores them.

// analyzeHTTPRequests is the legacy http_requests test (2012-2016): a
// request from the probe compared with one over Tor.
func analyzeHTTPRequests(c *msmt) {
	k := c.keys()
	steps, _ := c.decodeSteps()
	var direct measurement.Steps
	for _, r := range steps.Requests {
		if !r.Request.Tor.IsTor {
			direct.Requests = append(direct.Requests, r)
		}
	}
	if matches, _ := matchFingerprints(c.fp, &direct); len(matches) > 0 {
		for _, m := range matches {
			if m.fp.Confirms(c.raw.ProbeCC) {
				fingerprintVerdict(c, []fpMatch{m})
				return
			}
		}
	}
	body, ok1 := k.boolean("body_length_match")
	headers, ok2 := k.boolean("headers_match")
	if !ok1 || !ok2 {
		testBroke(c, "the page could not be compared with the one fetched over Tor")
		return
	}
	if body && headers {
		setOK(c.m, fmt.Sprintf("%s was reachable: the page matches the one fetched over Tor.", c.m.Input))
		return
	}
	c.addEvidence(verdict.Evidence{Step: "http_request", Target: c.m.Input,
		Observed: fmt.Sprintf("body length match: %v, headers match: %v", body, headers), Expected: "the page fetched over Tor"})
	setBlocked(c.m, measurement.BlockingHTTPDiff, verdict.Anomaly, fmt.Sprintf(
		"The page the probe got for %s differs from the one fetched over Tor, without a known blockpage.", c.m.Input))
}

// analyzeDNSConsistency is the legacy dns_consistency test: the same name
// asked of several resolvers and of a control resolver. OONI does not score
// it; sonde reports the resolvers that disagreed.
func analyzeDNSConsistency(c *msmt) {
	k := c.keys()
	var bad []string
	for _, raw := range k.list("inconsistent") {
		var s string
		if decodeString(raw, &s) {
			bad = append(bad, s)
		}
	}
	if len(bad) == 0 {
		setOK(c.m, fmt.Sprintf("The resolvers' answers for %s agreed with the control resolver's.", c.m.Input))
		return
	}
	for _, r := range bad {
		c.addEvidence(verdict.Evidence{Step: "dns", Target: r, Note: "answer differs from the control resolver's"})
	}
	setBlocked(c.m, measurement.BlockingDNS, verdict.Anomaly, fmt.Sprintf(
		"%d resolvers gave answers for %s that differ from the control resolver's.", len(bad), c.m.Input))
}

// analyzeLegacyTCPConnect is the legacy tcp_connect test (ts-008).
func analyzeLegacyTCPConnect(c *msmt) {
	k := c.keys()
	conn, _ := k.str("connection")
	if conn == "success" {
		setOK(c.m, fmt.Sprintf("The connection to %s worked.", c.m.Input))
		return
	}
	c.addEvidence(verdict.Evidence{Step: "tcp_connect", Target: c.m.Input, Failure: conn})
	setBlocked(c.m, measurement.BlockingTCPIP, verdict.Anomaly, fmt.Sprintf(
		"The connection to %s failed (%s).", c.m.Input, describeFailure(conn)))
}

func analyzeSTUNReachability(c *msmt) {
	k := c.keys()
	ep, _ := k.str("endpoint")
	if f, _ := k.str("failure"); f != "" {
		c.addEvidence(verdict.Evidence{Step: "stun", Target: ep, Failure: f})
		setBlocked(c.m, "", verdict.Anomaly, fmt.Sprintf("The STUN server %s (used by voice and video calls) was unreachable: %s.", ep, describeFailure(f)))
		return
	}
	setOK(c.m, fmt.Sprintf("The STUN server %s (used by voice and video calls) answered.", ep))
}

// analyzeDNSCheck: a DNS-over-HTTPS/TLS/UDP resolver is reachable when at
// least one of its addresses answered the lookup.
func analyzeDNSCheck(c *msmt) {
	k := c.keys()
	if f, _ := k.str("bootstrap_failure"); f != "" {
		c.addEvidence(verdict.Evidence{Step: "dns", Target: c.m.Domain, Failure: f, Note: "could not resolve the resolver's own name"})
		setBlocked(c.m, measurement.BlockingDNS, verdict.Anomaly, fmt.Sprintf(
			"The resolver %s could not be used: its own name did not resolve (%s).", c.m.Input, describeFailure(f)))
		return
	}
	lookups := k.object("lookups")
	if len(lookups) == 0 {
		testBroke(c, "no lookup was recorded")
		return
	}
	var first stepFailure
	for _, addr := range sortedKeys(lookups) {
		l := splitKeys(lookups[addr])
		f, _ := l.str("failure")
		if l.null("failure") {
			setOK(c.m, fmt.Sprintf("The resolver %s answered.", c.m.Input))
			return
		}
		if first.failure == "" {
			first = stepFailure{"dns", addr, firstNonEmpty(f, "unknown_error")}
		}
	}
	c.addEvidence(first.evidence("every address of the resolver failed"))
	setBlocked(c.m, measurement.BlockingTCPIP, verdict.Anomaly, fmt.Sprintf(
		"The resolver %s did not answer from any of its addresses (%s).", c.m.Input, describeFailure(first.failure)))
}

func analyzeBrowserWeb(c *msmt) {
	k := c.keys()
	switch res, _ := k.str("result"); res {
	case "ok":
		setOK(c.m, fmt.Sprintf("A real browser loaded %s.", c.m.Input))
	case "error":
		c.addEvidence(verdict.Evidence{Step: "browser", Target: c.m.Input, Observed: "error"})
		setBlocked(c.m, "", verdict.Anomaly, fmt.Sprintf("A real browser could not load %s.", c.m.Input))
	default:
		testBroke(c, "the browser reported no result")
	}
}

// analyzeDash: a video streaming speed test. OONI flags every failure as
// a failed measurement, not as blocking.
func analyzeDash(c *msmt) {
	k := c.keys()
	if len(k) == 0 {
		testBroke(c, "the test recorded nothing")
		return
	}
	if f, _ := k.str("failure"); f != "" {
		testBroke(c, "the speed test failed: "+f)
		return
	}
	setOK(c.m, "The video streaming test ran: its server was reachable. It measures speed, not blocking.")
}

// analyzeNDT: a speed test OONI does not score.
func analyzeNDT(c *msmt) {
	k := c.keys()
	if f, _ := k.str("failure"); f != "" {
		c.addEvidence(verdict.Evidence{Step: "ndt", Failure: f})
		setUnknown(c.m, verdict.OK, "The speed test (NDT) reported an error ("+f+"). Speed tests measure performance, not blocking; sonde, like OONI, does not score them.")
		return
	}
	setOK(c.m, "The speed test (NDT) ran: its server was reachable. It measures performance, not blocking.")
}

func decodeString(raw []byte, s *string) bool {
	k := keys{"v": raw}
	v, ok := k.str("v")
	*s = v
	return ok
}
