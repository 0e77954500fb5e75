package controlhelper

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/targettest"
)

const testASN = 64500

// lab is one test's world: a DNS server, a CA, and a helper configured to
// use them, allowed to connect to loopback.
type lab struct {
	ca  *targettest.CA
	dns string
	h   *Handler
}

func newLab(t testing.TB, zone dnsZone, tweak func(*Config)) *lab {
	t.Helper()
	l := &lab{ca: targettest.NewCA(t), dns: startDNS(t, zone)}
	cfg := Config{
		AllowPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		DNSServers:    []string{l.dns},
		RootCAs:       l.ca.Pool(),
		LookupASN:     func(netip.Addr) (int64, string) { return testASN, "Test AS" },
		StepTimeout:   2 * time.Second,
		HTTPTimeout:   5 * time.Second,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l.h = h
	return l
}

func (l *lab) measure(t testing.TB, req measurement.ControlRequest) *measurement.ControlResponse {
	t.Helper()
	resp, err := l.h.Measure(context.Background(), &req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

const page = `<html><head><title>Site of the test</title></head><body>hello</body></html>`

// TestMeasureHTTPS: a working HTTPS site that advertises HTTP/3, measured
// with QUIC enabled, gives a complete answer.
func TestMeasureHTTPS(t *testing.T) {
	l := newLab(t, dnsZone{"site.test": {"127.0.0.1"}}, nil)
	cert := l.ca.Issue("site.test")
	h3port := portOf(targettest.NewHTTP3Server(t, []tls.Certificate{cert}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, page+"h3")
	})).Addr)
	ln := listen(t, "127.0.0.1:0")
	serveHTTP(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.UserAgent() != "test-agent" {
			t.Errorf("user agent %q", r.UserAgent())
		}
		w.Header().Set("Alt-Svc", `h3-29=":1"; ma=60, h3=":`+h3port+`"; ma=86400`)
		w.Header().Set("X-Test", "yes")
		fmt.Fprint(w, page)
	}), &cert)
	ep := "127.0.0.1:" + port(ln)

	resp := l.measure(t, measurement.ControlRequest{
		HTTPRequest:        "https://site.test:" + port(ln) + "/",
		HTTPRequestHeaders: map[string][]string{"User-Agent": {"test-agent"}, "Cookie": {"dropped"}},
		TCPConnect:         []string{ep},
		XQUICEnabled:       true,
	})

	if resp.DNS.Failure != nil || len(resp.DNS.Addrs) != 1 || resp.DNS.Addrs[0] != "127.0.0.1" {
		t.Errorf("dns %+v", resp.DNS)
	}
	if c := resp.TCPConnect[ep]; !c.Status || c.Failure != nil || len(resp.TCPConnect) != 1 {
		t.Errorf("tcp_connect %+v", resp.TCPConnect)
	}
	if h := resp.TLSHandshake[ep]; !h.Status || h.ServerName != "site.test" || h.Failure != nil {
		t.Errorf("tls_handshake %+v", resp.TLSHandshake)
	}
	r := resp.HTTPRequest
	if r.Failure != nil || r.StatusCode != 200 || r.BodyLength != int64(len(page)) ||
		r.Title != "Site of the test" || r.Headers["X-Test"] != "yes" {
		t.Errorf("http_request %+v", r)
	}
	if want := "site.test:" + h3port; r.DiscoveredH3Endpoint != want {
		t.Errorf("discovered_h3_endpoint %q, want %q", r.DiscoveredH3Endpoint, want)
	}
	info := resp.IPInfo["127.0.0.1"]
	wantFlags := int64(measurement.IPFlagResolvedByProbe | measurement.IPFlagResolvedByTH | measurement.IPFlagValidForDomain)
	if info.ASN != testASN || info.Flags != wantFlags {
		t.Errorf("ip_info %+v, want flags %d", resp.IPInfo, wantFlags)
	}
	qep := "127.0.0.1:" + h3port
	if q := resp.QUICHandshake[qep]; !q.Status || q.ServerName != "site.test" {
		t.Errorf("quic_handshake %+v", resp.QUICHandshake)
	}
	if h3 := resp.HTTP3Request; h3 == nil || h3.StatusCode != 200 || h3.BodyLength != int64(len(page)+2) {
		t.Errorf("http3_request %+v", h3)
	}
}

// TestMeasureWithoutQUIC: without x_quic_enabled the helper does no QUIC
// but still reports the endpoint, and writes the empty QUIC parts.
func TestMeasureWithoutQUIC(t *testing.T) {
	l := newLab(t, dnsZone{"site.test": {"127.0.0.1"}}, nil)
	cert := l.ca.Issue("site.test")
	ln := listen(t, "127.0.0.1:0")
	serveHTTP(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Alt-Svc", `h3=":443"`)
		fmt.Fprint(w, page)
	}), &cert)
	resp := l.measure(t, measurement.ControlRequest{HTTPRequest: "https://site.test:" + port(ln) + "/"})
	if resp.HTTPRequest.DiscoveredH3Endpoint != "site.test:443" || resp.HTTP3Request != nil || len(resp.QUICHandshake) != 0 {
		t.Fatalf("h3 %q, http3_request %+v, quic %+v", resp.HTTPRequest.DiscoveredH3Endpoint, resp.HTTP3Request, resp.QUICHandshake)
	}
	// Only the helper resolved the address: flags 2 (TH) | 8 (valid).
	if f := resp.IPInfo["127.0.0.1"].Flags; f != measurement.IPFlagResolvedByTH|measurement.IPFlagValidForDomain {
		t.Fatalf("flags %d", f)
	}
}

// TestMeasureRedirectAndCookies: redirects are followed and cookies kept,
// as a browser would.
func TestMeasureRedirectAndCookies(t *testing.T) {
	l := newLab(t, dnsZone{"site.test": {"127.0.0.1"}}, nil)
	ln := listen(t, "127.0.0.1:0")
	serveHTTP(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			http.SetCookie(w, &http.Cookie{Name: "seen", Value: "1"})
			http.Redirect(w, r, "/final", http.StatusFound)
		case "/final":
			if c, err := r.Cookie("seen"); err != nil || c.Value != "1" {
				http.Error(w, "no cookie", http.StatusForbidden)
				return
			}
			fmt.Fprint(w, page)
		}
	}), nil)
	resp := l.measure(t, measurement.ControlRequest{HTTPRequest: "http://site.test:" + port(ln) + "/"})
	if r := resp.HTTPRequest; r.StatusCode != 200 || r.Title != "Site of the test" {
		t.Fatalf("http_request %+v", r)
	}
	if _, ok := resp.TLSHandshake["127.0.0.1:"+port(ln)]; ok {
		t.Fatal("TLS attempted on a plain-http port")
	}
}

// TestMeasureBodyLimit: body_length stops at MaxBodyBytes.
func TestMeasureBodyLimit(t *testing.T) {
	l := newLab(t, dnsZone{"site.test": {"127.0.0.1"}}, func(c *Config) { c.MaxBodyBytes = 1000 })
	ln := listen(t, "127.0.0.1:0")
	serveHTTP(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, strings.Repeat("x", 5000))
	}), nil)
	resp := l.measure(t, measurement.ControlRequest{HTTPRequest: "http://site.test:" + port(ln) + "/"})
	if resp.HTTPRequest.BodyLength != 1000 || resp.HTTPRequest.Failure != nil {
		t.Fatalf("http_request %+v", resp.HTTPRequest)
	}
}

// TestMeasureIPLiteral: a URL with an address skips DNS and writes an empty
// list of addresses, as oohelperd does.
func TestMeasureIPLiteral(t *testing.T) {
	l := newLab(t, dnsZone{}, nil)
	ln := listen(t, "127.0.0.1:0")
	serveHTTP(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, page) }), nil)
	resp := l.measure(t, measurement.ControlRequest{
		HTTPRequest: "http://127.0.0.1:" + port(ln) + "/",
		TCPConnect:  []string{"127.0.0.1:" + port(ln)},
	})
	if resp.DNS.Addrs == nil || len(resp.DNS.Addrs) != 0 || resp.DNS.Failure != nil {
		t.Errorf("dns %+v", resp.DNS)
	}
	if resp.HTTPRequest.StatusCode != 200 || !resp.TCPConnect["127.0.0.1:"+port(ln)].Status {
		t.Errorf("%+v", resp)
	}
	if f := resp.IPInfo["127.0.0.1"].Flags; f != measurement.IPFlagResolvedByProbe {
		t.Errorf("flags %d", f)
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := port(ln)
	ln.Close()
	return p
}

// TestMeasureFailures: each broken server gives the failure names OONI's
// probes expect in each part of the answer.
func TestMeasureFailures(t *testing.T) {
	cases := []struct {
		name string
		// setup returns the URL to measure and the probe's endpoint.
		setup            func(t *testing.T, l *lab) (url, ep string)
		dns, tcp, tls    string // "" = success, "-" = absent
		http             string
		httpStatus       int64
		wantDNSAddrCount int
	}{
		{
			name: "nxdomain",
			setup: func(t *testing.T, l *lab) (string, string) {
				return "https://nx.site.test/", ""
			},
			dns: failure.ControlDNSNameError, tcp: "-", tls: "-", http: failure.ControlDNSLookupError, httpStatus: -1,
		},
		{
			name: "servfail",
			setup: func(t *testing.T, l *lab) (string, string) {
				return "https://servfail.site.test/", ""
			},
			dns: failure.ControlDNSServerFailure, tcp: "-", tls: "-", http: failure.ControlDNSLookupError, httpStatus: -1,
		},
		{
			name: "no data",
			setup: func(t *testing.T, l *lab) (string, string) {
				return "https://empty.test/", ""
			},
			dns: "", tcp: "-", tls: "-", http: failure.ControlDNSLookupError, httpStatus: -1,
		},
		{
			name: "refused",
			setup: func(t *testing.T, l *lab) (string, string) {
				p := closedPort(t)
				return "https://site.test:" + p + "/", "127.0.0.1:" + p
			},
			tcp: failure.ControlConnectionRefused, tls: "-", http: failure.ControlConnectionRefused, httpStatus: -1,
			wantDNSAddrCount: 1,
		},
		{
			name: "wrong certificate",
			setup: func(t *testing.T, l *lab) (string, string) {
				cert := l.ca.Issue("other.test")
				ln := listen(t, "127.0.0.1:0")
				serveHTTP(t, ln, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), &cert)
				return "https://site.test:" + port(ln) + "/", "127.0.0.1:" + port(ln)
			},
			tls: failure.SSLInvalidHostname, http: failure.ControlUnknownError, httpStatus: -1, wantDNSAddrCount: 1,
		},
		{
			name: "reset after ClientHello",
			setup: func(t *testing.T, l *lab) (string, string) {
				srv := targettest.NewTCPServer(t, targettest.ResetAfterClientHello())
				return "https://site.test:" + portOf(srv.Addr) + "/", srv.Addr
			},
			tls: failure.ConnectionReset, http: failure.ControlUnknownError, httpStatus: -1, wantDNSAddrCount: 1,
		},
		{
			name: "server never answers",
			setup: func(t *testing.T, l *lab) (string, string) {
				srv := targettest.NewTCPServer(t, targettest.Hang())
				return "https://site.test:" + portOf(srv.Addr) + "/", srv.Addr
			},
			tls: failure.GenericTimeout, http: failure.GenericTimeout, httpStatus: -1, wantDNSAddrCount: 1,
		},
	}
	zone := dnsZone{"site.test": {"127.0.0.1"}, "empty.test": nil}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := newLab(t, zone, func(cfg *Config) {
				cfg.StepTimeout = 300 * time.Millisecond
				cfg.HTTPTimeout = 600 * time.Millisecond
			})
			url, ep := c.setup(t, l)
			req := measurement.ControlRequest{HTTPRequest: url}
			if ep != "" {
				req.TCPConnect = []string{ep}
			}
			resp := l.measure(t, req)
			if got := failure.Of(resp.DNS.Failure); got != c.dns || len(resp.DNS.Addrs) != c.wantDNSAddrCount {
				t.Errorf("dns %+v, want failure %q and %d addresses", resp.DNS, c.dns, c.wantDNSAddrCount)
			}
			checkPart(t, "tcp_connect", c.tcp, ep, func() (*string, bool) {
				r, ok := resp.TCPConnect[ep]
				return r.Failure, ok
			})
			checkPart(t, "tls_handshake", c.tls, ep, func() (*string, bool) {
				r, ok := resp.TLSHandshake[ep]
				return r.Failure, ok
			})
			r := resp.HTTPRequest
			if failure.Of(r.Failure) != c.http || r.StatusCode != c.httpStatus {
				t.Errorf("http_request failure %q status %d, want %q %d", failure.Of(r.Failure), r.StatusCode, c.http, c.httpStatus)
			}
			if r.Failure != nil && (r.BodyLength != -1 || r.Headers == nil) {
				t.Errorf("a failed fetch must report body_length -1 and empty headers: %+v", r)
			}
		})
	}
}

func checkPart(t *testing.T, part, want, ep string, get func() (*string, bool)) {
	t.Helper()
	f, ok := get()
	switch {
	case want == "-" && ok:
		t.Errorf("%s[%s] present: %v", part, ep, failure.Of(f))
	case want != "-" && !ok:
		t.Errorf("%s[%s] missing", part, ep)
	case want != "-" && failure.Of(f) != want:
		t.Errorf("%s[%s] failure %q, want %q", part, ep, failure.Of(f), want)
	}
}

// TestMeasureFromSourceAddr: with SourceAddr every connection leaves from
// that address.
func TestMeasureFromSourceAddr(t *testing.T) {
	l := newLab(t, dnsZone{"site.test": {"127.0.0.1"}}, func(c *Config) { c.SourceAddr = netip.MustParseAddr("127.0.0.2") })
	cert := l.ca.Issue("site.test")
	ln := listen(t, "127.0.0.1:0")
	serveHTTP(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, page) }), &cert)
	resp := l.measure(t, measurement.ControlRequest{
		HTTPRequest: "https://site.test:" + port(ln) + "/",
		TCPConnect:  []string{"127.0.0.1:" + port(ln)},
	})
	if resp.HTTPRequest.StatusCode != 200 || !resp.TLSHandshake["127.0.0.1:"+port(ln)].Status {
		t.Fatalf("%+v", resp)
	}
	if got := ln.clients(); len(got) != 1 || got["127.0.0.2"] != 2 {
		t.Fatalf("connections by client address %v, want 2 from 127.0.0.2", got)
	}
}
