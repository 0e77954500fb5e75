package webconnectivity

import (
	"strings"

	"github.com/sonde-project/sonde/internal/measurement"
)

// The comparisons of the probe's page with the control's, exactly as
// OONI's web_connectivity v0.4 does them (from Measurement Kit), so that
// the keys mean the same in both projects' data. Each returns nil when the
// comparison does not apply. resp is the final response of the probe's
// fetch (requests[0]), nil when there was none.

// bodyProportionFactor: bodies match when the shorter is more than 70% of
// the longer.
const bodyProportionFactor = 0.7

// bodyLengthMatch compares the body lengths. It does not apply when either
// is empty or the probe's body was truncated.
func bodyLengthMatch(resp *measurement.HTTPResponse, ctrl *measurement.ControlResponse) (match *bool, proportion *float64) {
	if resp == nil || ctrl == nil || resp.BodyIsTruncated {
		return nil, nil
	}
	probe, control := int64(len(resp.Body)), ctrl.HTTPRequest.BodyLength
	if probe <= 0 || control <= 0 {
		return nil, nil
	}
	p := float64(min(probe, control)) / float64(max(probe, control))
	m := p > bodyProportionFactor
	return &m, &p
}

// statusCodeMatch compares the status codes. A differing 5xx from the
// control does not count (the control's fetch may have been refused).
func statusCodeMatch(resp *measurement.HTTPResponse, ctrl *measurement.ControlResponse) *bool {
	if resp == nil || ctrl == nil || resp.Code <= 0 || ctrl.HTTPRequest.StatusCode <= 0 {
		return nil
	}
	m := resp.Code == ctrl.HTTPRequest.StatusCode
	if !m && ctrl.HTTPRequest.StatusCode/100 == 5 {
		return nil
	}
	return &m
}

// commonHeaders are headers almost every server sends; a match on them
// says nothing.
var commonHeaders = map[string]bool{
	"date": true, "content-type": true, "server": true, "cache-control": true, "vary": true,
	"set-cookie": true, "location": true, "expires": true, "x-powered-by": true,
	"content-encoding": true, "last-modified": true, "accept-ranges": true, "pragma": true,
	"x-frame-options": true, "etag": true, "x-content-type-options": true, "age": true, "via": true,
	"p3p": true, "x-xss-protection": true, "content-language": true, "cf-ray": true,
	"strict-transport-security": true, "link": true, "x-varnish": true,
}

// headersMatch compares the header names: they match when the sets are
// equal or share an uncommon header.
func headersMatch(resp *measurement.HTTPResponse, ctrl *measurement.ControlResponse) *bool {
	if resp == nil || ctrl == nil || resp.Code <= 0 || ctrl.HTTPRequest.StatusCode <= 0 {
		return nil
	}
	probe, control := map[string]bool{}, map[string]bool{}
	for k := range resp.Headers {
		probe[strings.ToLower(k)] = true
	}
	for k := range ctrl.HTTPRequest.Headers {
		control[strings.ToLower(k)] = true
	}
	equal := len(probe) == len(control)
	shared := false
	for k := range probe {
		equal = equal && control[k]
		shared = shared || (control[k] && !commonHeaders[k])
	}
	m := equal || shared
	return &m
}

// minTitleWord: title words shorter than this are ignored.
const minTitleWord = 5

// titleMatch compares the titles word by word: every word of at least
// five bytes of either title must be in the other (order and case aside).
func titleMatch(resp *measurement.HTTPResponse, ctrl *measurement.ControlResponse) *bool {
	if resp == nil || ctrl == nil || resp.Code <= 0 || resp.BodyIsTruncated || ctrl.HTTPRequest.StatusCode <= 0 {
		return nil
	}
	probe := measurement.HTMLTitle([]byte(resp.Body))
	if probe == "" {
		return nil
	}
	const inProbe, inControl = 1, 2
	words := map[string]int{}
	for _, w := range strings.Split(probe, " ") {
		if len(w) >= minTitleWord {
			words[strings.ToLower(w)] |= inProbe
		}
	}
	for _, w := range strings.Split(ctrl.HTTPRequest.Title, " ") {
		if len(w) >= minTitleWord {
			words[strings.ToLower(w)] |= inControl
		}
	}
	m := true
	for _, seen := range words {
		m = m && seen == inProbe|inControl
	}
	return &m
}
