package netx

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/targettest"
)

func TestHTTPGetHTTPS(t *testing.T) {
	l := newLab(t)
	for _, fp := range Fingerprints() {
		t.Run(fp, func(t *testing.T) {
			n := l.newNet(t, func(c *Config) { c.TLSFingerprint = fp })
			resp, err := n.HTTPGet(context.Background(), "https://example.org:"+port(l.https.Addr)+"/redirect/2", HTTPOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 200 || resp.Title != "sonde test site" || resp.Redirects != 2 {
				t.Fatalf("got %d %q after %d redirects", resp.StatusCode, resp.Title, resp.Redirects)
			}
			steps := n.Steps()
			if len(steps.Requests) != 3 || steps.Requests[0].Response.Code != 200 || steps.Requests[2].Response.Code != 302 {
				t.Fatalf("requests not newest first: %+v", steps.Requests)
			}
			if len(steps.TLSHandshakes) != 3 || steps.TLSHandshakes[0].Failure != nil || len(steps.TLSHandshakes[0].PeerCertificates) != 2 {
				t.Fatalf("handshakes: %+v", steps.TLSHandshakes)
			}
			if steps.Requests[0].TransactionID != steps.TLSHandshakes[2].TransactionID {
				t.Fatal("the last request and its handshake do not share a transaction id")
			}
			t.Logf("%s: %s %s", fp, resp.Proto, steps.TLSHandshakes[0].TLSVersion)
		})
	}
}

func TestHTTPGetAddressAndSNI(t *testing.T) {
	l := newLab(t)
	n := l.newNet(t, func(c *Config) { c.Resolver = "udp://" + targettest.NewUDPBlackhole(t) })
	// The name does not resolve (the resolver never answers): the Address
	// is dialed, example.org is sent as SNI and Host.
	resp, err := n.HTTPGet(context.Background(), "https://blocked.example/", HTTPOptions{
		Address: l.https.Addr, SNI: "example.org",
	})
	if err != nil {
		t.Fatal(err)
	}
	steps := n.Steps()
	if resp.StatusCode != 200 || len(steps.Queries) != 0 || steps.TLSHandshakes[0].ServerName != "example.org" {
		t.Fatalf("%d, queries %v, SNI %q", resp.StatusCode, steps.Queries, steps.TLSHandshakes[0].ServerName)
	}
	if got := steps.Requests[0].Request.Headers["Host"]; got != "blocked.example" {
		t.Fatalf("Host %q", got)
	}
}

func TestHTTPGetBodyLimitAndRedirectBound(t *testing.T) {
	l := newLab(t)
	n := l.newNet(t, func(c *Config) { c.MaxBodySize = 1000 })
	base := "https://example.org:" + port(l.https.Addr)
	resp, err := n.HTTPGet(context.Background(), base+"/large", HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Body) != 1000 || !resp.BodyTruncated || resp.Title != "large" {
		t.Fatalf("body %d truncated %v title %q", len(resp.Body), resp.BodyTruncated, resp.Title)
	}
	if r := n.Steps().Requests[0].Response; !r.BodyIsTruncated || len(r.Body) != 1000 {
		t.Fatalf("recorded body %d truncated %v", len(r.Body), r.BodyIsTruncated)
	}
	_, err = n.HTTPGet(context.Background(), base+"/redirect/5", HTTPOptions{MaxRedirects: 2})
	if got := failure.Classify(err); got != failure.HTTPTooManyRedirects {
		t.Fatalf("got %q (%v)", got, err)
	}
	resp, err = n.HTTPGet(context.Background(), base+"/redirect/5", HTTPOptions{MaxRedirects: -1})
	if err != nil || resp.StatusCode != 302 {
		t.Fatalf("no redirects: %v %v", resp, err)
	}
}

func TestHTTPGetPlainAndHTTP3(t *testing.T) {
	l := newLab(t)
	n := l.newNet(t)
	plain := targettest.NewHTTPServer(t, targettest.Website("plain"))
	resp, err := n.HTTPGet(context.Background(), "http://example.org:"+port(plain.Addr)+"/", HTTPOptions{})
	if err != nil || resp.Title != "plain" || resp.Proto != "HTTP/1.1" {
		t.Fatalf("plain: %+v %v", resp, err)
	}
	h3 := targettest.NewHTTP3Server(t, []tls.Certificate{l.ca.Issue("example.org")}, targettest.Website("over quic"))
	resp, err = n.HTTPGet(context.Background(), "https://example.org:"+port(h3.Addr)+"/redirect/1", HTTPOptions{HTTP3: true})
	if err != nil || resp.Title != "over quic" || resp.Proto != "HTTP/3.0" {
		t.Fatalf("h3: %+v %v", resp, err)
	}
	steps := n.Steps()
	if len(steps.QUICHandshakes) != 2 || steps.QUICHandshakes[0].NegotiatedProtocol != "h3" || steps.Requests[0].Network != "udp" {
		t.Fatalf("quic steps: %+v", steps.QUICHandshakes)
	}
}

func TestTitle(t *testing.T) {
	for in, want := range map[string]string{
		"<html><head><TITLE>Hello &amp;\n  world</TITLE>": "Hello & world",
		`<title lang="en">x</title>`:                      "x",
		"<titles>no</titles>":                             "",
		"<title>unclosed":                                 "",
		"no title":                                        "",
		"<title>" + strings.Repeat("é", 200) + "</title>": strings.Repeat("é", 128),
	} {
		if got := Title([]byte(in)); got != want {
			t.Errorf("Title(%.40q) = %q, want %q", in, got, want)
		}
	}
}

// TestHTTPGetFailedOperation: the error names the step that failed.
func TestHTTPGetFailedOperation(t *testing.T) {
	l := newLab(t)
	n := l.newNet(t, func(c *Config) { c.StepTimeout = 300 * time.Millisecond })
	for _, c := range []struct {
		addr, op, f string
	}{
		{targettest.NewTCPServer(t, targettest.ResetAfterClientHello()).Addr, failure.OpTLSHandshake, failure.ConnectionReset},
		{targettest.NewTCPServer(t, targettest.Hang()).Addr, failure.OpTLSHandshake, failure.GenericTimeout},
	} {
		_, err := n.HTTPGet(context.Background(), "https://example.org/", HTTPOptions{Address: c.addr})
		var fe *failure.Error
		if !errors.As(err, &fe) || fe.Operation != c.op || fe.Failure != c.f {
			t.Fatalf("%s: got %#v", c.addr, err)
		}
		if got := failure.Of(n.Steps().Requests[0].Failure); got != c.f {
			t.Fatalf("recorded %q", got)
		}
	}
}
