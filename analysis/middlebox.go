package analysis

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/sonde-project/sonde/internal/verdict"
)

// Middlebox tests: they look for equipment on the path that rewrites
// HTTP, which often means censorship or surveillance gear. Scored as
// OONI's fastpath scores them. A middlebox is not a block of a site, so
// these verdicts have no blocking method; the status says "blocked" when
// traffic was tampered with.

func analyzeHeaderFieldManipulation(c *msmt) {
	k := c.keys()
	reqs := k.list("requests")
	if len(reqs) == 0 {
		testBroke(c, "no request was recorded")
		return
	}
	r := splitKeys(reqs[0])
	if r == nil {
		testBroke(c, "the request could not be read")
		return
	}
	if r.has("response") && r.null("response") {
		testBroke(c, "the test helper did not answer")
		return
	}
	body, ok := r.object("response").str("body")
	if !ok {
		tampered(c, "the answer had no body: something on the path replaced it")
		return
	}
	var echo struct {
		HeadersDict map[string][]string `json:"headers_dict"`
	}
	if json.Unmarshal([]byte(body), &echo) != nil || echo.HeadersDict == nil {
		tampered(c, "the test helper's echo of the request was garbled on the way back")
		return
	}
	received := map[[2]string]bool{}
	for name, vals := range echo.HeadersDict {
		if len(vals) > 0 {
			received[[2]string{name, vals[0]}] = true
		}
	}
	sent := map[[2]string]bool{}
	for name, raw := range r.object("request").object("headers") {
		var v string
		if json.Unmarshal(raw, &v) == nil {
			sent[[2]string{name, v}] = true
		}
	}
	delete(received, [2]string{"Connection", "close"})
	delete(sent, [2]string{"Connection", "close"})
	diff := 0
	for h := range sent {
		if !received[h] {
			diff++
		}
	}
	for h := range received {
		if !sent[h] {
			diff++
		}
	}
	if diff == 0 {
		setOK(c.m, "No middlebox: the HTTP headers reached the test server unchanged.")
		return
	}
	tampered(c, fmt.Sprintf("%d HTTP headers were changed between the probe and the test server", diff))
}

func analyzeInvalidRequestLine(c *msmt) {
	k := c.keys()
	sent, received := k.list("sent"), k.list("received")
	if len(sent) == 0 && len(received) == 0 {
		testBroke(c, "nothing was sent or received")
		return
	}
	changed := 0
	for i := 0; i < len(sent) && i < len(received); i++ {
		if !bytes.Equal(bytes.TrimSpace(sent[i]), bytes.TrimSpace(received[i])) {
			changed++
		}
	}
	if changed == 0 {
		setOK(c.m, "No middlebox: invalid HTTP request lines came back unchanged from the test server.")
		return
	}
	tampered(c, fmt.Sprintf("%d of %d invalid HTTP request lines came back changed", changed, min(len(sent), len(received))))
}

// tampered records a middlebox on the path.
func tampered(c *msmt, what string) {
	c.addEvidence(verdict.Evidence{Step: "http_request", Note: what})
	setBlocked(c.m, "", verdict.Anomaly, "A middlebox on the network path tampered with HTTP traffic: "+what+". Such equipment is often used for censorship or surveillance.")
}
