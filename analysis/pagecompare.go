package analysis

import (
	"maps"
	"strings"

	"github.com/sonde-project/sonde/internal/measurement"
)

// htmlTitle extracts the text of the first <title> element, within the
// first 64 KiB of the body, with spaces collapsed.
func htmlTitle(body string) string {
	if len(body) > 64<<10 {
		body = body[:64<<10]
	}
	lower := strings.ToLower(body)
	i := strings.Index(lower, "<title")
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(lower[i:], '>')
	if j < 0 {
		return ""
	}
	start := i + j + 1
	end := strings.Index(lower[start:], "</title")
	if end < 0 || end > 1024 {
		return ""
	}
	return strings.Join(strings.Fields(body[start:start+end]), " ")
}

// titlesMatch follows OONI: the titles match when the first word of five
// letters or more of the probe's title is the same in the control's.
func titlesMatch(probe, control string) bool {
	p := strings.Fields(strings.ToLower(probe))
	c := strings.Fields(strings.ToLower(control))
	for _, w := range p {
		if len([]rune(w)) < 5 {
			continue
		}
		for _, v := range c {
			if len([]rune(v)) >= 5 {
				return v == w
			}
		}
		return false
	}
	return false
}

// commonHeaders are headers most servers send, which say nothing about
// whether two answers came from the same server.
var commonHeaders = map[string]bool{
	"date": true, "content-type": true, "server": true, "cache-control": true, "vary": true,
	"set-cookie": true, "location": true, "expires": true, "x-powered-by": true,
	"content-encoding": true, "last-modified": true, "accept-ranges": true, "pragma": true,
	"x-frame-options": true, "etag": true, "x-content-type-options": true, "age": true,
	"via": true, "p3p": true, "x-xss-protection": true, "content-language": true,
	"cf-ray": true, "strict-transport-security": true, "link": true, "x-varnish": true,
	"content-length": true, "connection": true, "transfer-encoding": true, "keep-alive": true,
}

// hopByHop are headers that transports add or remove on the way: they
// are not part of what a server answered.
var hopByHop = map[string]bool{"connection": true, "keep-alive": true, "transfer-encoding": true, "proxy-connection": true}

// headersMatch follows OONI's rule: the probe's and the control's answers
// match when they share an uncommon header, or when they carry the same
// header names. Two bare answers, with no uncommon header on either side
// but different names (an injected page without the server's Date and
// Server), do not match. Framing headers such as Content-Length, which
// every server and every injector sends, are common here, unlike in
// OONI's list.
func headersMatch(probe []measurement.HTTPHeader, control map[string]string) bool {
	if len(control) == 0 {
		return false
	}
	pset, cset := map[string]bool{}, map[string]bool{}
	for _, h := range probe {
		if k := strings.ToLower(h.Key); !hopByHop[k] {
			pset[k] = true
		}
	}
	for k := range control {
		if k := strings.ToLower(k); !hopByHop[k] {
			cset[k] = true
		}
	}
	for k := range pset {
		if cset[k] && !commonHeaders[k] {
			return true
		}
	}
	return maps.Equal(pset, cset)
}
