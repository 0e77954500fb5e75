package collector

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestHTMLGetsAStrictCSP: a page the collector serves (the reports) gets
// a CSP that allows no inline script, no other origin and no framing,
// unless its handler sets its own.
func TestHTMLGetsAStrictCSP(t *testing.T) {
	s := &Service{}
	page := s.secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<!doctype html><title>report</title><p>hello</p>"))
	}), true)
	own := s.secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<p>mine</p>"))
	}), true)
	rec := httptest.NewRecorder()
	page.ServeHTTP(rec, httptest.NewRequest("GET", "/reports/IT.html", nil))
	if got := rec.Header().Get("Content-Security-Policy"); got != cspHTML || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("HTML page: CSP %q, type %q", got, rec.Header().Get("Content-Type"))
	}
	rec = httptest.NewRecorder()
	own.ServeHTTP(rec, httptest.NewRequest("GET", "/reports/own.html", nil))
	if got := rec.Header().Get("Content-Security-Policy"); got != "default-src 'self'" {
		t.Errorf("a handler's own CSP was replaced by %q", got)
	}
}
