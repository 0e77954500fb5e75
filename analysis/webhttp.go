package analysis

import (
	"fmt"
	"strings"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
)

// compareHTTP judges the last HTTP answer of the redirect chain against
// the control's.
func (w *web) compareHTTP() {
	c, s, ctrl := w.c, &w.tk.Steps, w.ctrl
	r, ok := finalRequest(s.Requests)
	if !ok {
		if f := w.tk.HTTPExperimentFailure; f != nil {
			w.httpFailed(stepFailure{"http_request", w.url, *f}, nil)
			return
		}
		if w.dnsSuspect {
			w.blocked(measurement.BlockingDNS, w.dnsEvidence(), fmt.Sprintf(
				"The DNS answer for %s was %s, not the site's addresses (%s).", w.host,
				strings.Join(w.probeAddrs, ", "), strings.Join(w.ctrlAddrs, ", ")))
			return
		}
		setUnknown(c.m, verdict.Failure, "The probe recorded no HTTP request for "+w.url+", so there is no page to compare.")
		return
	}
	if r.Failure != nil {
		w.httpFailed(stepFailure{"http_request", r.Request.URL, *r.Failure}, r)
		return
	}
	if isHTTPS(r.Request.URL) && r.Response.Code > 0 {
		c.addEvidence(verdict.Evidence{Step: "http_request", Target: r.Request.URL,
			Observed: fmt.Sprintf("status %d over HTTPS", r.Response.Code), Note: w.dnsWhy})
		setOK(c.m, fmt.Sprintf("The page %s loaded over HTTPS with a valid certificate, so it came from the real site.", r.Request.URL))
		return
	}
	if ctrlFail := failure.Of(ctrl.HTTPRequest.Failure); ctrlFail != "" {
		if w.dnsSuspect {
			w.blocked(measurement.BlockingDNS, w.dnsEvidence(), fmt.Sprintf(
				"The DNS answer for %s was %s, not the site's addresses (%s).", w.host,
				strings.Join(w.probeAddrs, ", "), strings.Join(w.ctrlAddrs, ", ")))
			return
		}
		c.addEvidence(verdict.Evidence{Step: "control", Failure: ctrlFail, Note: "the control could not load the page"})
		setUnknown(c.m, verdict.Failure, fmt.Sprintf(
			"The probe loaded %s, but the control could not (%s), so the page cannot be compared.", r.Request.URL, ctrlFail))
		return
	}
	match, observed, expected := w.pageMatches(r)
	ev := verdict.Evidence{Step: "http_request", Target: r.Request.URL, Observed: observed, Expected: expected}
	if match {
		ev.Note = firstNonEmpty(w.dnsWhy, "the page matches the control's")
		c.addEvidence(ev)
		setOK(c.m, fmt.Sprintf("%s was reachable: the page matches what the uncensored control got.", w.url))
		return
	}
	if w.dnsSuspect {
		c.addEvidence(ev)
		w.blocked(measurement.BlockingDNS, w.dnsEvidence(), fmt.Sprintf(
			"The DNS answer for %s was %s, not the site's addresses (%s), and the page from there differs from the real one.",
			w.host, strings.Join(w.probeAddrs, ", "), strings.Join(w.ctrlAddrs, ", ")))
		return
	}
	ev.Note = "the page differs from the control's"
	c.addEvidence(ev)
	sentence := fmt.Sprintf("The page the probe got for %s differs from the control's (%s; the control got %s), without a known blockpage.",
		w.url, observed, expected)
	for _, f := range c.fp.MatchBody(string(r.Response.Body)) {
		if !f.FalsePositive() {
			continue
		}
		c.addEvidence(verdict.Evidence{Step: "http_request", Target: r.Request.URL, Observed: "response body",
			Note: "matches " + f.Name + ", a page known not to be a blockpage"})
		sentence += " It looks like a known non-censorship page (" + f.Name + "), so the site itself may have changed."
		break
	}
	setBlocked(c.m, measurement.BlockingHTTPDiff, verdict.Anomaly, sentence)
}

// httpFailed: the probe's last HTTP request failed.
func (w *web) httpFailed(f stepFailure, r *measurement.HTTPTransaction) {
	if unknownFailure(f.failure) {
		w.blocked(measurement.BlockingHTTPFailure, f, fmt.Sprintf("The request for %s failed.", f.target))
		return
	}
	ctrlFail := failure.Of(w.ctrl.HTTPRequest.Failure)
	if ctrlFail != "" {
		w.downOrUnknown(f, ctrlFail)
		return
	}
	if w.dnsSuspect && len(w.tk.Requests) <= 1 && w.blameDNS(f) {
		return
	}
	method := measurement.BlockingHTTPFailure
	if r != nil {
		method = httpFailureMethod(r, &w.tk.Steps)
	} else if tlsFailure(f.failure) {
		method = measurement.BlockingTLS
	}
	w.blocked(method, f, fmt.Sprintf("The request for %s failed (%s), while the control loaded it (status %d).",
		f.target, describeFailure(f.failure), w.ctrl.HTTPRequest.StatusCode))
}

// pageMatches applies OONI's rule: same status code, and the same body
// length (within 30%), or the same headers (see headersMatch), or the same
// title. The probe's own body and title comparisons are used when it
// recorded them (it saw the whole body; the archived one may be
// truncated); otherwise they are computed here.
func (w *web) pageMatches(r *measurement.HTTPTransaction) (bool, string, string) {
	ctrl := &w.ctrl.HTTPRequest
	resp := &r.Response
	title := htmlTitle(string(resp.Body))
	observed := fmt.Sprintf("status %d, %d bytes", resp.Code, len(resp.Body))
	if title != "" {
		observed += fmt.Sprintf(", title %q", title)
	}
	expected := fmt.Sprintf("status %d, %d bytes", ctrl.StatusCode, ctrl.BodyLength)
	if ctrl.Title != "" {
		expected += fmt.Sprintf(", title %q", strings.TrimSpace(ctrl.Title))
	}
	status := resp.Code == ctrl.StatusCode
	if w.tk.StatusCodeMatch != nil {
		status = *w.tk.StatusCodeMatch
	}
	body := false
	if w.tk.BodyLengthMatch != nil {
		body = *w.tk.BodyLengthMatch
	} else if !resp.BodyIsTruncated && ctrl.BodyLength > 0 {
		body = proportion(int64(len(resp.Body)), ctrl.BodyLength) > 0.7
	}
	// Headers are archived whole, so they are compared here, with this
	// analysis' list of common headers, unless the archive lacks them.
	headers := headersMatch(responseHeaders(resp), ctrl.Headers)
	if w.tk.HeadersMatch != nil && (len(responseHeaders(resp)) == 0 || len(ctrl.Headers) == 0) {
		headers = *w.tk.HeadersMatch
	}
	titles := titlesMatch(title, ctrl.Title)
	if w.tk.TitleMatch != nil {
		titles = *w.tk.TitleMatch
	}
	return status && (body || headers || titles), observed, expected
}

func proportion(a, b int64) float64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > b {
		a, b = b, a
	}
	return float64(a) / float64(b)
}
