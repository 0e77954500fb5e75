package targettest

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
)

// WebServer is an HTTP or HTTPS server on loopback (net/http, HTTP/1.1 and
// HTTP/2 over TLS).
type WebServer struct {
	// Addr is "127.0.0.1:PORT".
	Addr string
	// URL is "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT".
	URL string

	srv *httptest.Server
}

// Close stops the server and waits for the requests in flight.
func (s *WebServer) Close() { s.srv.Close() }

// NewHTTPServer starts a plain-text HTTP server.
func NewHTTPServer(tb T, handler http.Handler) *WebServer {
	tb.Helper()
	srv := httptest.NewUnstartedServer(handler)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	s := &WebServer{Addr: srv.Listener.Addr().String(), URL: srv.URL, srv: srv}
	tb.Cleanup(s.Close)
	return s
}

// HTTPSConfig configures NewHTTPSServer.
type HTTPSConfig struct {
	// Certificates are served by SNI: the first whose names match, else
	// the first. REQUIRED.
	Certificates []tls.Certificate
	// Handler answers requests. OPTIONAL: Website("sonde test site").
	Handler http.Handler
	// ResetSNI lists server names whose ClientHello is answered with a TCP
	// reset, as an SNI-filtering middlebox does; other names get a normal
	// handshake. OPTIONAL.
	ResetSNI []string
	// NextProtos are the ALPN protocols offered. OPTIONAL: h2, http/1.1.
	NextProtos []string
}

// NewHTTPSServer starts an HTTPS server.
func NewHTTPSServer(tb T, cfg HTTPSConfig) *WebServer {
	tb.Helper()
	if len(cfg.Certificates) == 0 {
		tb.Fatalf("targettest: NewHTTPSServer needs a certificate")
	}
	handler := cfg.Handler
	if handler == nil {
		handler = Website("sonde test site")
	}
	srv := httptest.NewUnstartedServer(handler)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.EnableHTTP2 = true
	srv.TLS = &tls.Config{
		Certificates: cfg.Certificates,
		NextProtos:   cfg.NextProtos,
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			if slices.Contains(cfg.ResetSNI, hello.ServerName) {
				if tc, ok := hello.Conn.(*net.TCPConn); ok {
					rst(tc)
				}
				return nil, fmt.Errorf("targettest: reset for SNI %q", hello.ServerName)
			}
			return nil, nil
		},
	}
	if srv.TLS.NextProtos == nil {
		srv.TLS.NextProtos = []string{"h2", "http/1.1"}
	}
	srv.StartTLS()
	s := &WebServer{Addr: srv.Listener.Addr().String(), URL: srv.URL, srv: srv}
	tb.Cleanup(s.Close)
	return s
}

// LargeBodySize is the size of Website's /large page.
const LargeBodySize = 2 << 20

// Website is a small site:
//
//	/               an HTML page whose <title> is title
//	/redirect/N     a chain of N 302 redirects ending at /
//	/redirect-to?u= one 302 redirect to the URL u
//	/large          a page of LargeBodySize bytes
//	/status/CODE    an empty answer with that status code
func Website(title string) http.Handler {
	page := "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title +
		"</title></head>\n<body><h1>" + title + "</h1><p>A page served by a sonde test.</p></body></html>\n"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page) //nolint:errcheck // the client may be gone
	})
	mux.HandleFunc("GET /redirect/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil || n < 0 {
			http.Error(w, "bad redirect count", http.StatusBadRequest)
			return
		}
		next := "/"
		if n > 1 {
			next = "/redirect/" + strconv.Itoa(n-1)
		}
		http.Redirect(w, r, next, http.StatusFound)
	})
	mux.HandleFunc("GET /redirect-to", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("u"), http.StatusFound)
	})
	mux.HandleFunc("GET /large", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<html><head><title>large</title></head><body>") //nolint:errcheck // the client may be gone
		io.WriteString(w, strings.Repeat("x", LargeBodySize-64))           //nolint:errcheck // the client may be gone
	})
	mux.HandleFunc("GET /status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(r.PathValue("code"))
		if err != nil || code < 100 || code > 999 {
			http.Error(w, "bad status code", http.StatusBadRequest)
			return
		}
		w.WriteHeader(code)
	})
	return mux
}
