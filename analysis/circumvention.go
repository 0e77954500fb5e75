package analysis

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sonde-project/sonde/internal/verdict"
)

// Circumvention tools, scored as OONI's fastpath scores them. A tool that
// fails to start is "blocked" with the method left open (null): these
// tests rarely record which network step failed.

func analyzeTor(c *msmt) {
	k := c.keys()
	if k.isList("targets") {
		testBroke(c, "an early, experimental format of the tor test")
		return
	}
	targets := k.object("targets")
	if len(targets) == 0 {
		testBroke(c, "no Tor target was measured")
		return
	}
	blocked, ok := 0, 0
	var firstFailed stepFailure
	for _, name := range sortedKeys(targets) {
		t := splitKeys(targets[name])
		if !t.has("failure") || !t.has("network_events") {
			testBroke(c, "a Tor target lacks its results")
			return
		}
		if b, isBool := t.boolean("failure"); isBool && !b {
			continue // not run
		}
		f, isStr := t.str("failure")
		switch {
		case t.null("failure"):
			ok++
		case isStr && f == "":
			testBroke(c, "a Tor target has an empty failure")
			return
		default:
			blocked++
			if firstFailed.failure == "" {
				tn, _ := t.str("target_name")
				firstFailed = stepFailure{"tor_target", firstNonEmpty(tn, name), f}
			}
		}
	}
	if blocked+ok == 0 {
		testBroke(c, "no Tor target was measured")
		return
	}
	c.addEvidence(verdict.Evidence{Step: "analysis", Target: "Tor directory authorities and bridges",
		Observed: fmt.Sprintf("%d of %d reachable", ok, ok+blocked)})
	if float64(blocked)/float64(blocked+ok) > 0.5 {
		c.addEvidence(firstFailed.evidence("first unreachable target"))
		setBlocked(c.m, "", verdict.Anomaly, fmt.Sprintf(
			"Tor looked blocked: only %d of %d Tor directory authorities and bridges were reachable.", ok, ok+blocked))
		return
	}
	setOK(c.m, fmt.Sprintf("Tor was reachable: %d of %d Tor directory authorities and bridges answered.", ok, ok+blocked))
}

func analyzeVanillaTor(c *msmt) {
	k := c.keys()
	logs, ok := k["tor_logs"]
	if !ok || isNullJSON(logs) {
		logs, ok = k["tor_log"]
	}
	if !ok || isNullJSON(logs) {
		testBroke(c, "no Tor log was recorded")
		return
	}
	if torDone(logs) {
		setOK(c.m, "Tor started: it connected to the Tor network (bootstrap 100%).")
		return
	}
	progress, _ := k.number("tor_progress")
	progress = min(100, max(0, progress))
	if progress == 100 {
		setOK(c.m, "Tor started: it connected to the Tor network (bootstrap 100%).")
		return
	}
	summary, _ := k.str("tor_progress_summary")
	f, _ := k.str("failure")
	c.addEvidence(verdict.Evidence{Step: "tor_bootstrap", Failure: f, Observed: fmt.Sprintf("%.0f%%: %s", progress, summary)})
	setBlocked(c.m, "", verdict.Anomaly, fmt.Sprintf(
		"Tor looked blocked: it could not connect to the Tor network (stuck at %.0f%%%s).", progress, summarySuffix(summary)))
}

func summarySuffix(s string) string {
	if s == "" {
		return ""
	}
	return ", " + strings.ToLower(s[:1]) + s[1:]
}

// torDone looks for Tor's "bootstrapped 100%" line: as a substring of a
// string log, as a whole line of a list of lines.
func torDone(logs json.RawMessage) bool {
	done := []string{"Bootstrapped 100%: Done", "Bootstrapped 100% (done): Done"}
	var s string
	if json.Unmarshal(logs, &s) == nil {
		return strings.Contains(s, done[0]) || strings.Contains(s, done[1])
	}
	var lines []json.RawMessage
	if json.Unmarshal(logs, &lines) == nil {
		for _, raw := range lines {
			var l string
			if json.Unmarshal(raw, &l) == nil && (l == done[0] || l == done[1]) {
				return true
			}
		}
	}
	return false
}

func analyzeTorSnowflake(c *msmt) {
	if c.raw.SoftwareVersion == "3.8.3" && strings.HasPrefix(c.raw.SoftwareName, "ooniprobe-android") {
		testBroke(c, "ooniprobe-android 3.8.3 had a snowflake bug")
		return
	}
	toolResult(c, "Tor with the Snowflake bridge")
}

// toolResult scores a tool by its top-level failure.
func toolResult(c *msmt, tool string) {
	k := c.keys()
	if f, _ := k.str("failure"); f != "" {
		c.addEvidence(verdict.Evidence{Step: "bootstrap", Target: tool, Failure: f})
		setBlocked(c.m, "", verdict.Anomaly, fmt.Sprintf("%s looked blocked: it could not start (%s).", tool, describeFailure(f)))
		return
	}
	setOK(c.m, tool+" worked: it connected.")
}

func analyzePsiphon(c *msmt) {
	k := c.keys()
	if k.null("failure") {
		if bt, _ := k.number("bootstrap_time"); bt == 0 {
			testBroke(c, "Psiphon reported neither success nor failure")
			return
		}
	}
	toolResult(c, "Psiphon")
}

func analyzeOpenVPN(c *msmt) {
	k := c.keys()
	switch s, ok := k.boolean("success"); {
	case !ok:
		testBroke(c, "the test did not say whether the VPN connected")
	case !s:
		f, _ := k.str("failure")
		c.addEvidence(verdict.Evidence{Step: "openvpn_handshake", Failure: f})
		setBlocked(c.m, "", verdict.Anomaly, "The OpenVPN connection failed ("+describeFailure(f)+").")
	default:
		setOK(c.m, "The OpenVPN connection worked.")
	}
}

// analyzeRiseupVPN: OONI stopped scoring riseupvpn in October 2023
// (ooni/backend#745), because failures of RiseupVPN's own servers showed
// up as blocking. sonde does the same: no verdict, with what the probe
// reported as evidence.
func analyzeRiseupVPN(c *msmt) {
	k := c.keys()
	api, _ := k.str("api_status")
	c.addEvidence(verdict.Evidence{Step: "analysis", Target: "RiseupVPN API", Observed: "api_status: " + firstNonEmpty(api, "none"),
		Note: "not scored: failures of RiseupVPN's own servers look like blocking"})
	setUnknown(c.m, verdict.OK, "sonde does not score RiseupVPN tests, as OONI does not: failures of RiseupVPN's own servers look like blocking. The probe reported the API as "+firstNonEmpty(api, "unknown")+".")
}

func analyzeMeek(c *msmt) {
	k := c.keys()
	reqs := k.list("requests")
	if len(reqs) == 0 {
		testBroke(c, "no request was recorded")
		return
	}
	score := 0.0
	for _, raw := range reqs {
		r := splitKeys(raw)
		url, _ := r.object("request").str("url")
		resp := r.object("response")
		if r.null("response") || resp == nil {
			c.addEvidence(verdict.Evidence{Step: "http_request", Target: url, Note: "no response"})
			setBlocked(c.m, "", verdict.Anomaly, "The meek bridge looked blocked: a request through the CDN got no response.")
			return
		}
		if code, _ := resp.number("code"); code != 200 {
			c.addEvidence(verdict.Evidence{Step: "http_request", Target: url, Observed: fmt.Sprintf("status %.0f", code), Expected: "status 200"})
			setBlocked(c.m, "", verdict.Anomaly, "The meek bridge looked blocked: a request through the CDN failed.")
			return
		}
		if !strings.HasPrefix(meekServer(resp), "ECAcc ") {
			score += 0.5
		}
	}
	if score > 0.5 {
		setBlocked(c.m, "", verdict.Anomaly, "The meek bridge looked blocked: the answers did not come from the expected CDN.")
		return
	}
	setOK(c.m, "The meek bridge was reachable through its CDN.")
}

// meekServer reads the Server header from a map or a list of pairs.
func meekServer(resp keys) string {
	if h := resp.object("headers"); h != nil {
		s, _ := h.str("Server")
		return s
	}
	for _, raw := range resp.list("headers") {
		var pair []json.RawMessage
		if json.Unmarshal(raw, &pair) == nil && len(pair) == 2 {
			var name string
			var vals []string
			if json.Unmarshal(pair[0], &name) == nil && name == "Server" && json.Unmarshal(pair[1], &vals) == nil && len(vals) > 0 {
				return vals[0]
			}
		}
	}
	return ""
}
