package lab

import (
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/lab/check"
)

func run(t *testing.T, l *Lab, req check.Request) check.Result {
	t.Helper()
	res, err := l.Check(ctxT(t, 30*time.Second), Probe, req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestDNSInjection: the forged answer arrives first, the real one later.
func TestDNSInjection(t *testing.T) {
	l := sharedLab(t)
	res := run(t, l, check.Request{Kind: check.DNS, Name: "twitter.com", Server: "203.0.113.53:53", Listen: 1500 * time.Millisecond})
	if res.Failure != "" || len(res.Answers) < 2 {
		t.Fatalf("want a forged and a real answer, got %+v", res)
	}
	first, last := res.Answers[0], res.Answers[len(res.Answers)-1]
	if strings.Join(first.Addrs, ",") != "203.0.113.250" {
		t.Errorf("first answer %v, want the forged 203.0.113.250", first.Addrs)
	}
	if strings.Join(last.Addrs, ",") != "203.0.113.11" || last.After <= first.After {
		t.Errorf("later answer %+v, want the real 203.0.113.11 after %v", last, first.After)
	}
	benign := run(t, l, check.Request{Kind: check.DNS, Name: "example.org", Server: "203.0.113.53:53", Listen: 500 * time.Millisecond})
	if len(benign.Answers) != 1 || benign.Answers[0].Addrs[0] != "203.0.113.10" {
		t.Errorf("example.org: %+v, want one real answer", benign)
	}
}

// TestResolverHijack: the censor's resolver answers the blockpage address,
// which serves the blockpage; other names resolve normally.
func TestResolverHijack(t *testing.T) {
	l := sharedLab(t)
	res := run(t, l, check.Request{Kind: check.DNS, Name: "www.instagram.com", Server: "203.0.113.53:53", Listen: 500 * time.Millisecond})
	if len(res.Answers) != 1 || res.Answers[0].Addrs[0] != "198.51.100.34" {
		t.Fatalf("hijacked answer %+v, want only 198.51.100.34", res)
	}
	page := run(t, l, check.Request{Kind: check.HTTP, URL: "http://www.instagram.com/"})
	if page.Failure != "" || page.Title != "Access restricted" {
		t.Errorf("GET through the system resolver: %+v, want the blockpage", page)
	}
	ok := run(t, l, check.Request{Kind: check.HTTP, URL: "http://www.dw.com/"})
	if ok.Failure != "" || ok.Title != "DW - Breaking World News" {
		t.Errorf("benign GET: %+v", ok)
	}
}

// TestSNIReset: a ClientHello naming a blocked SNI is reset; another SNI
// to the same address completes.
func TestSNIReset(t *testing.T) {
	l := sharedLab(t)
	blocked := run(t, l, check.Request{Kind: check.TLS, Name: "www.wikipedia.org", Addr: "203.0.113.14:443"})
	if blocked.Failure != failure.ConnectionReset {
		t.Errorf("blocked SNI: failure %q, want %s", blocked.Failure, failure.ConnectionReset)
	}
	benign := run(t, l, check.Request{Kind: check.TLS, Name: "example.org", Addr: "203.0.113.14:443"})
	if benign.Failure != "" {
		t.Errorf("benign SNI to the same address: %q", benign.Failure)
	}
}

// TestHTTPInjection: a request for a blocked Host gets the blockpage, a
// reset, or the real page, as the rules say.
func TestHTTPInjection(t *testing.T) {
	l := sharedLab(t)
	page := run(t, l, check.Request{Kind: check.HTTP, URL: "http://www.bbc.com/", Addr: "203.0.113.12:80"})
	if page.Failure != "" || page.Status != 200 || page.Title != "Access restricted" {
		t.Errorf("blocked Host: %+v, want the injected blockpage", page)
	}
	tls := run(t, l, check.Request{Kind: check.HTTP, URL: "https://www.bbc.com/", Addr: "203.0.113.12:443"})
	if tls.Failure != "" || tls.Title != "BBC - Homepage" {
		t.Errorf("HTTPS to the same site: %+v, want the real page", tls)
	}
	reset := run(t, l, check.Request{Kind: check.HTTP, URL: "http://www.hrw.org/", Addr: "203.0.113.21:80"})
	if reset.Failure != failure.ConnectionReset {
		t.Errorf("reset Host: %+v, want %s", reset, failure.ConnectionReset)
	}
}

// TestBlackhole: a blackholed address times out; others answer.
func TestBlackhole(t *testing.T) {
	l := sharedLab(t)
	res := run(t, l, check.Request{Kind: check.TLS, Name: "telegram.org", Addr: "203.0.113.17:443", Timeout: 2 * time.Second})
	if res.Failure != failure.GenericTimeout {
		t.Errorf("blackholed: failure %q, want %s", res.Failure, failure.GenericTimeout)
	}
}

// TestQUICBlock: HTTP/3 to the site fails while HTTPS over TCP works, and
// HTTP/3 to another site works.
func TestQUICBlock(t *testing.T) {
	l := sharedLab(t)
	h3 := run(t, l, check.Request{Kind: check.HTTP3, URL: "https://signal.org/", Timeout: 2 * time.Second})
	if h3.Failure == "" {
		t.Errorf("HTTP/3 to a QUIC-blocked site succeeded: %+v", h3)
	}
	tcp := run(t, l, check.Request{Kind: check.HTTP, URL: "https://signal.org/"})
	if tcp.Failure != "" || tcp.Title != "Signal >> Home" {
		t.Errorf("HTTPS to the same site: %+v", tcp)
	}
	other := run(t, l, check.Request{Kind: check.HTTP3, URL: "https://example.org/"})
	if other.Failure != "" || other.Title != "Example Domain" {
		t.Errorf("HTTP/3 to an unblocked site: %+v", other)
	}
}

// TestThrottling: downloads from throttled sites (by SNI and by address)
// are much slower than from an untouched one. Rates are compared with a
// generous ratio, never against a clock.
func TestThrottling(t *testing.T) {
	l := sharedLab(t)
	const size = "400000"
	fast := run(t, l, check.Request{Kind: check.Download, URL: "https://example.org/download?bytes=" + size})
	if fast.Failure != "" || fast.Bytes != 400000 {
		t.Fatalf("unthrottled download: %+v", fast)
	}
	for _, url := range []string{"https://www.youtube.com/download?bytes=", "http://news.ycombinator.com/download?bytes="} {
		slow := run(t, l, check.Request{Kind: check.Download, URL: url + size, Timeout: 20 * time.Second})
		if slow.Failure != "" || slow.Bytes != 400000 {
			t.Fatalf("%s: %+v", url, slow)
		}
		t.Logf("%s: %.0f B/s, unthrottled %.0f B/s", url, slow.Rate(), fast.Rate())
		if slow.Rate()*4 > fast.Rate() {
			t.Errorf("%s: %.0f B/s is not much slower than %.0f B/s", url, slow.Rate(), fast.Rate())
		}
		if slow.Rate() > 2*250000 { // 2 Mbit/s = 250 kB/s
			t.Errorf("%s: %.0f B/s is above twice the 2mbit limit", url, slow.Rate())
		}
	}
}

func checkDNS(name string) check.Request {
	return check.Request{Kind: check.DNS, Name: name, Server: "203.0.113.53:53", Listen: 300 * time.Millisecond}
}
