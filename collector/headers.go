package collector

import (
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/sonde-project/sonde/internal/probeapi"
)

// Content security policies: JSON and text need nothing; an HTML page
// (the reports the collector serves) may use its own styles and images,
// scripts only from the collector itself, and never be framed. A handler
// that sets its own Content-Security-Policy keeps it.
const (
	cspNone = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
	cspHTML = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
		"font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

var (
	nosniff    = []string{"nosniff"}
	noReferrer = []string{"no-referrer"}
	deny       = []string{"DENY"}
	hsts       = []string{"max-age=63072000"}
)

// secure wraps every handler the collector serves:
//
//   - An HTTP/1 request with Transfer-Encoding is refused (411) and its
//     connection closed: uploads must say their Content-Length. Go reads
//     chunked bodies correctly, but a proxy in front that framed the same
//     bytes by Content-Length would see other requests than the
//     collector does (request smuggling); refusing the ambiguity closes
//     that door. HTTP/1.0 requests other than GET and HEAD are refused
//     for the same reason (Go drops their Transfer-Encoding unseen). Go
//     itself answers 400 to conflicting Content-Lengths and to a folded
//     Content-Length, and 501 to transfer codings other than chunked,
//     before any handler.
//   - Security headers on every answer: nosniff, no referrer, no
//     framing, a CSP (strict for HTML), and HSTS over TLS.
//   - CORS on the public GET endpoints when cors allows it (public):
//     browsers on other sites may read the JSON; preflights are answered
//     for GET and HEAD only, so no cross-origin page can upload.
func (s *Service) secure(h http.Handler, public bool) http.Handler {
	cors := public && !s.cfg.CORS.Disable
	origins := s.cfg.CORS.AllowOrigins
	if len(origins) == 0 {
		origins = []string{"*"}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		// Canonical keys, values shared: no allocation per request.
		hd["X-Content-Type-Options"] = nosniff
		hd["Referrer-Policy"] = noReferrer
		hd["X-Frame-Options"] = deny
		if r.TLS != nil {
			hd["Strict-Transport-Security"] = hsts
		}
		if r.ProtoMajor == 1 && len(r.TransferEncoding) > 0 {
			hd.Set("Connection", "close")
			hd.Set("Content-Security-Policy", cspNone)
			writeError(w, http.StatusLengthRequired, "send the body with a Content-Length header: Transfer-Encoding is not accepted")
			return
		}
		if r.ProtoMajor == 1 && r.ProtoMinor == 0 && r.Method != http.MethodGet && r.Method != http.MethodHead {
			// Go ignores Transfer-Encoding in HTTP/1.0 (and drops it
			// before any handler sees it); a proxy may not.
			hd.Set("Connection", "close")
			hd.Set("Content-Security-Policy", cspNone)
			writeError(w, http.StatusBadRequest, "send uploads with HTTP/1.1 or later")
			return
		}
		if p := r.URL.Path; p != path.Clean(p) && p != path.Clean(p)+"/" || strings.ContainsAny(p, "\\\x00") {
			// ServeMux would redirect to the cleaned path; say no instead.
			hd.Set("Content-Security-Policy", cspNone)
			writeError(w, http.StatusBadRequest, "the path holds . or .. segments, a backslash or a NUL: no endpoint has such a path")
			return
		}
		origin := r.Header.Get("Origin")
		allowed := cors && origin != "" && r.URL.Path != probeapi.PathMetrics && (origins[0] == "*" || slices.Contains(origins, origin))
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			preflight(w, r, allowed, origins[0] == "*")
			return
		}
		if allowed && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			allowOrigin(hd, origin, origins[0] == "*")
		}
		h.ServeHTTP(&headerWriter{ResponseWriter: w}, r)
	})
}

func allowOrigin(hd http.Header, origin string, any bool) {
	if any {
		hd.Set("Access-Control-Allow-Origin", "*")
		return
	}
	hd.Set("Access-Control-Allow-Origin", origin)
	hd.Add("Vary", "Origin")
}

// preflight answers a CORS preflight: GET and HEAD without credentials,
// nothing else.
func preflight(w http.ResponseWriter, r *http.Request, allowed, any bool) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", cspNone)
	method := r.Header.Get("Access-Control-Request-Method")
	if !allowed || (method != http.MethodGet && method != http.MethodHead) {
		writeError(w, http.StatusForbidden, "cross-origin requests may only read (GET) the public endpoints")
		return
	}
	allowOrigin(hd, r.Header.Get("Origin"), any)
	hd.Set("Access-Control-Allow-Methods", "GET, HEAD")
	hd.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// headerWriter sets the Content-Security-Policy a handler did not set,
// by the type of what it writes.
type headerWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *headerWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		hd := w.Header()
		if hd.Get("Content-Security-Policy") == "" {
			if strings.HasPrefix(hd.Get("Content-Type"), "text/html") {
				hd.Set("Content-Security-Policy", cspHTML)
			} else {
				hd.Set("Content-Security-Policy", cspNone)
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *headerWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", http.DetectContentType(b))
		}
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (read
// deadlines for slow bodies, flushing).
func (w *headerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
