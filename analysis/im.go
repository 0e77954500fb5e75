package analysis

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
)

// Instant-messaging tests, scored as OONI's fastpath scores them.

// firstStepFailure names the layer of the first failure among the steps,
// to say how an app was blocked.
func firstStepFailure(s *measurement.Steps) (string, stepFailure, bool) {
	for _, q := range s.Queries {
		if q.Failure != nil && len(q.Answers) == 0 {
			return measurement.BlockingDNS, stepFailure{"dns", q.Hostname, *q.Failure}, true
		}
	}
	if failed, _ := connectFailures(s.TCPConnect); len(failed) > 0 {
		return measurement.BlockingTCPIP, failed[0], true
	}
	if failed, _ := handshakeFailures("tls_handshake", s.TLSHandshakes); len(failed) > 0 {
		return measurement.BlockingTLS, failed[0], true
	}
	for i := range s.Requests {
		if r := &s.Requests[i]; r.Failure != nil {
			return httpFailureMethod(r, s), stepFailure{"http_request", r.Request.URL, *r.Failure}, true
		}
	}
	return "", stepFailure{}, false
}

// appBlocked records an app found blocked. The method comes from the
// failure that decided (known, when set), or else from the first failed
// step.
func appBlocked(c *msmt, app, what string, known ...stepFailure) {
	sentence := fmt.Sprintf("%s looked blocked: %s.", app, what)
	if len(known) > 0 && known[0].failure != "" {
		c.addEvidence(known[0].evidence("the failure that decided"))
		setBlocked(c.m, methodOfFailure(known[0].failure), verdict.Anomaly, sentence)
		return
	}
	steps, _ := c.decodeSteps()
	method, f, ok := firstStepFailure(&steps)
	if ok {
		c.addEvidence(f.evidence("first failed step"))
		sentence += fmt.Sprintf(" The first failure: %s for %s.", describeFailure(f.failure), f.target)
	}
	setBlocked(c.m, method, verdict.Anomaly, sentence)
}

// testBroke records a measurement OONI considers unreliable.
func testBroke(c *msmt, why string) {
	c.addEvidence(verdict.Evidence{Step: "analysis", Note: why})
	setUnknown(c.m, verdict.Failure, "The test did not run properly ("+why+"), so nothing can be said about blocking.")
}

// tcpCounts counts connects that succeeded and failed (df-005).
func tcpCounts(k keys) (ok, failed int) {
	for _, raw := range k.list("tcp_connect") {
		st := splitKeys(raw).object("status")
		if s, present := st.boolean("success"); present {
			if s {
				ok++
			} else {
				failed++
			}
		}
	}
	return ok, failed
}

func analyzeTelegram(c *msmt) {
	k := c.keys()
	webBlocked := false
	if s, _ := k.str("telegram_web_status"); s == "blocked" {
		webBlocked = true
	}
	acc, unr := tcpCounts(k)
	httpOK, httpFailed := 0, 0
	webFailure := ""
	for _, raw := range k.list("requests") {
		r := splitKeys(raw)
		var url string
		if req := r.object("request"); req != nil {
			url, _ = req.str("url")
			if !req.has("url") || !r.has("failure") {
				testBroke(c, "a request has no URL: a probe bug")
				return
			}
		} else {
			testBroke(c, "a request has no URL: a probe bug")
			return
		}
		f, _ := r.str("failure")
		if url == "https://web.telegram.org/" || url == "http://web.telegram.org/" {
			if f != "" {
				webFailure = f
			}
			continue
		}
		if r.null("failure") {
			httpOK++
		} else {
			httpFailed++
		}
	}
	score := 0.5
	if acc+unr > 0 {
		score = float64(unr) / float64(acc+unr)
	}
	if httpOK+httpFailed > 0 {
		score += float64(httpFailed) / float64(httpOK+httpFailed)
	} else {
		score += 0.5
	}
	if webBlocked {
		score++
	}
	summary := fmt.Sprintf("%d of %d Telegram servers accepted a connection, %d of %d HTTP requests to them worked",
		acc, acc+unr, httpOK, httpOK+httpFailed)
	c.addEvidence(verdict.Evidence{Step: "tcp_connect", Target: "Telegram servers", Observed: fmt.Sprintf("%d of %d reachable", acc, acc+unr)})
	if webFailure != "" {
		c.addEvidence(verdict.Evidence{Step: "http_request", Target: "https://web.telegram.org/", Failure: webFailure})
		summary += "; the web version failed: " + describeFailure(webFailure)
	}
	if score > 0.5 {
		var known []stepFailure
		if webFailure != "" && unr == 0 {
			known = append(known, stepFailure{"http_request", "https://web.telegram.org/", webFailure})
		}
		appBlocked(c, "Telegram", summary, known...)
		return
	}
	setOK(c.m, "Telegram was reachable: "+summary+".")
}

func analyzeWhatsApp(c *msmt) {
	k := c.keys()
	_, uf, unknown := k.unknownFailureKey()
	if wf, _ := k.str("whatsapp_web_failure"); strings.Contains(wf, "unknown_failure 'ascii' co") {
		testBroke(c, "a known probe bug: "+wf)
		return
	}
	reqs := k.list("requests")
	if len(reqs) == 0 {
		testBroke(c, "no HTTP request was recorded")
		return
	}
	var web, reg *bool
	var webF, regF string
	for _, raw := range reqs {
		r := splitKeys(raw)
		url, _ := r.object("request").str("url")
		f, _ := r.str("failure")
		// OONI: failure in (None, "", False); a missing key is a failure.
		okv := r.has("failure") && (r.null("failure") || (r.isString("failure") && f == ""))
		if b, isBool := r.boolean("failure"); isBool && !b {
			okv = true
		}
		switch url {
		case "https://web.whatsapp.com/":
			web, webF = &okv, f
		case "https://v.whatsapp.net/v2/register":
			v := r.null("failure")
			reg, regF = &v, f
		}
	}
	if web == nil || reg == nil {
		testBroke(c, "the web or registration request is missing: a probe bug")
		return
	}
	if unknown {
		testBroke(c, "the probe hit an error it could not classify: "+uf)
		return
	}
	if !*web || !*reg {
		what := "the registration server failed: " + describeFailure(regF)
		known := stepFailure{"http_request", "https://v.whatsapp.net/v2/register", regF}
		if !*web {
			what = "WhatsApp Web failed: " + describeFailure(webF)
			known = stepFailure{"http_request", "https://web.whatsapp.com/", webF}
			if !*reg {
				what += "; the registration server failed: " + describeFailure(regF)
			}
		}
		appBlocked(c, "WhatsApp", what, known)
		return
	}
	acc, unr := tcpCounts(k)
	switch {
	case acc+unr == 0:
		testBroke(c, "no connection to WhatsApp's servers was recorded")
	case acc > 0:
		setOK(c.m, fmt.Sprintf("WhatsApp was reachable: the web version, the registration server and %d of %d servers worked.", acc, acc+unr))
	default:
		appBlocked(c, "WhatsApp", fmt.Sprintf("none of its %d servers accepted a connection", unr))
	}
}

var facebookConsistency = []string{
	"facebook_b_api_dns_consistent", "facebook_b_api_reachable", "facebook_b_graph_dns_consistent",
	"facebook_b_graph_reachable", "facebook_edge_dns_consistent", "facebook_edge_reachable",
	"facebook_external_cdn_dns_consistent", "facebook_external_cdn_reachable",
	"facebook_scontent_cdn_dns_consistent", "facebook_scontent_cdn_reachable",
	"facebook_star_dns_consistent", "facebook_star_reachable", "facebook_stun_dns_consistent",
}

func analyzeFacebookMessenger(c *msmt) {
	k := c.keys()
	score := 0.0
	var bad []string
	if facebookAllGood(k) {
		setOK(c.m, "Facebook Messenger was reachable: its servers resolved to Facebook's addresses and accepted connections.")
		return
	}
	for _, name := range facebookConsistency {
		if v, ok := k.boolean(name); ok && !v {
			score += 0.5
			bad = append(bad, name)
		}
	}
	dnsBlocking, _ := k.boolean("facebook_dns_blocking")
	tcpBlocking, _ := k.boolean("facebook_tcp_blocking")
	if dnsBlocking {
		score += 0.5
		bad = append(bad, "facebook_dns_blocking")
	}
	if tcpBlocking {
		score += 0.5
		bad = append(bad, "facebook_tcp_blocking")
	}
	if score <= 0.5 {
		setOK(c.m, "Facebook Messenger was reachable: its servers resolved to Facebook's addresses and accepted connections.")
		return
	}
	for _, name := range sortedStrings(bad) {
		c.addEvidence(verdict.Evidence{Step: "analysis", Target: name, Observed: fmt.Sprint(name == "facebook_dns_blocking" || name == "facebook_tcp_blocking")})
	}
	method := measurement.BlockingTCPIP
	what := "connections to its servers failed"
	if dnsBlocking {
		method, what = measurement.BlockingDNS, "its servers' names resolved to addresses that are not Facebook's"
	}
	setBlocked(c.m, method, verdict.Anomaly, "Facebook Messenger looked blocked: "+what+".")
}

func sortedStrings(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// facebookAllGood is OONI's workaround for probes that set
// facebook_dns_blocking true while every endpoint was consistent and
// reachable (see fastpath test_facebook_messenger).
func facebookAllGood(k keys) bool {
	for _, name := range []string{"facebook_b_api_dns_consistent", "facebook_b_api_reachable",
		"facebook_b_graph_dns_consistent", "facebook_b_graph_reachable", "facebook_dns_blocking",
		"facebook_edge_dns_consistent", "facebook_edge_reachable", "facebook_star_dns_consistent",
		"facebook_star_reachable", "facebook_stun_dns_consistent"} {
		if v, ok := k.boolean(name); !ok || !v {
			return false
		}
	}
	v, ok := k.boolean("facebook_tcp_blocking")
	return ok && !v
}
