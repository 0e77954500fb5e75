package sites

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func TestPlanUsesDocumentationRangesOnly(t *testing.T) {
	doc := []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24")}
	addrs := append(InternetAddrs(), Probe, CensorProbe, CensorInet, InetTransit, Blockpage, CensorResolver, HostSide, InetHostSide)
	seen := map[netip.Addr]bool{}
	for _, a := range addrs {
		ok := false
		for _, p := range doc {
			ok = ok || p.Contains(a)
		}
		if !ok {
			t.Errorf("%s is outside the documentation ranges", a)
		}
		if seen[a] {
			t.Errorf("%s is used twice", a)
		}
		seen[a] = true
	}
}

// TestDNS runs the authority and the forwarder on loopback and resolves
// through both.
func TestDNS(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	g := NewGroup(ctx)
	defer func() { cancel(); g.Wait() }()
	auth, fwd := freeAddr(t), freeAddr(t)
	if err := g.DNS(auth, Authority{Zone: Zone()}); err != nil {
		t.Fatal(err)
	}
	if err := g.DNS(fwd, Forwarder{Upstream: auth, Delay: 10 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	c := &dns.Client{Timeout: 2 * time.Second}
	cases := []struct {
		name  string
		qtype uint16
		rcode int
		addr  string
	}{
		{"www.bbc.com.", dns.TypeA, dns.RcodeSuccess, "203.0.113.12"},
		{"BBC.com.", dns.TypeA, dns.RcodeSuccess, "203.0.113.12"},
		{"collector.sonde.test.", dns.TypeA, dns.RcodeSuccess, "203.0.113.101"},
		{"www.bbc.com.", dns.TypeAAAA, dns.RcodeSuccess, ""},
		{"nosuch.example.", dns.TypeA, dns.RcodeNameError, ""},
	}
	for _, server := range []string{auth, fwd} {
		for _, tc := range cases {
			m := new(dns.Msg)
			m.SetQuestion(tc.name, tc.qtype)
			r, _, err := c.Exchange(m, server)
			if err != nil {
				t.Fatalf("%s %s: %v", server, tc.name, err)
			}
			got := ""
			if len(r.Answer) == 1 {
				got = r.Answer[0].(*dns.A).A.String()
			}
			if r.Rcode != tc.rcode || got != tc.addr {
				t.Errorf("%s %s: rcode %d answer %q, want %d %q", server, tc.name, r.Rcode, got, tc.rcode, tc.addr)
			}
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestHandlerAndCA serves the sites over TLS with a certificate from the
// lab CA and checks pages are distinct and verify against the CA only.
func TestHandlerAndCA(t *testing.T) {
	ca, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.Issue(Names(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(Handler(`h3=":443"`))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	defer srv.Close()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: "twitter.com"}}}
	titles := map[string]bool{}
	for _, host := range []string{"twitter.com", "www.bbc.com", "signal.org"} {
		req, _ := http.NewRequest("GET", srv.URL+"/", nil)
		req.Host = host
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		s, _ := Lookup(host)
		if !strings.Contains(string(body), "<title>"+s.Title+"</title>") || resp.Header.Get("Alt-Svc") == "" {
			t.Errorf("%s: %s", host, body)
		}
		titles[s.Title] = true
	}
	if len(titles) != 3 {
		t.Errorf("pages are not distinct: %v", titles)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/download?bytes=12345", nil)
	req.Host = "example.org"
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if n != 12345 {
		t.Errorf("download sent %d bytes", n)
	}
	// A client that does not trust the lab CA refuses the sites.
	_, err = (&http.Client{Timeout: 5 * time.Second}).Get(srv.URL + "/")
	if err == nil {
		t.Error("the system roots accepted a lab certificate")
	}
}
