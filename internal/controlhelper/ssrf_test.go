package controlhelper

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"testing"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
)

func TestGuardAllowList(t *testing.T) {
	g := guard{allow: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}
	if !g.permits(netip.MustParseAddr("192.0.2.10")) || !g.permits(netip.MustParseAddr("::ffff:192.0.2.10")) {
		t.Error("allow-listed address refused")
	}
	if g.permits(netip.MustParseAddr("198.51.100.1")) || g.permits(netip.MustParseAddr("127.0.0.1")) {
		t.Error("an address outside the allow-list is permitted")
	}
	for _, addr := range []string{"10.1.2.3:80", "169.254.169.254:80", "[::1]:443", "127.0.0.1:22", "nonsense"} {
		if err := g.control("tcp", addr, nil); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("control(%s) = %v, want ErrForbiddenAddress", addr, err)
		}
	}
	if err := g.control("tcp", "192.0.2.10:443", nil); err != nil {
		t.Errorf("control(allowed) = %v", err)
	}
}

// ssrfLab is a helper with no allow-list (as on the Internet) and a DNS
// server that answers with internal addresses.
func ssrfLab(t *testing.T) *lab {
	return newLab(t, dnsZone{
		"loopback.test": {"127.0.0.1"},
		"metadata.test": {"169.254.169.254"},
		"private.test":  {"10.20.30.40"},
	}, func(c *Config) { c.AllowPrefixes = nil })
}

// TestSSRFRefusesProbeEndpoints: endpoints a client lists that point inside
// the helper's network are flagged bogons and never connected to.
func TestSSRFRefusesProbeEndpoints(t *testing.T) {
	l := ssrfLab(t)
	ln := listen(t, "127.0.0.1:0")
	serveHTTP(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), nil)
	p := port(ln)
	eps := []string{"127.0.0.1:" + p, "10.1.2.3:" + p, "169.254.169.254:" + p, "[::1]:" + p, "[fe80::1]:" + p, "192.168.0.1:" + p}
	resp := l.measure(t, measurement.ControlRequest{HTTPRequest: "http://127.0.0.1:" + p + "/", TCPConnect: eps})
	if n := ln.accepted.Load(); n != 0 {
		t.Fatalf("the helper connected to loopback %d times", n)
	}
	if len(resp.TCPConnect) != 0 || len(resp.TLSHandshake) != 0 {
		t.Errorf("measured forbidden endpoints: %+v %+v", resp.TCPConnect, resp.TLSHandshake)
	}
	for _, ep := range eps {
		ap := netip.MustParseAddrPort(ep)
		if info := resp.IPInfo[ap.Addr().String()]; info.Flags != measurement.IPFlagResolvedByProbe|measurement.IPFlagBogon {
			t.Errorf("ip_info[%s] = %+v, want probe|bogon", ap.Addr(), info)
		}
	}
	if resp.HTTPRequest.Failure == nil || resp.HTTPRequest.StatusCode != -1 {
		t.Errorf("the fetch of a loopback URL did not fail: %+v", resp.HTTPRequest)
	}
}

// TestSSRFRefusesDNSAnswers: a name that resolves to an internal address is
// reported, flagged a bogon, and neither connected to nor fetched.
func TestSSRFRefusesDNSAnswers(t *testing.T) {
	l := ssrfLab(t)
	ln := listen(t, "127.0.0.1:0")
	serveHTTP(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), nil)
	for _, name := range []string{"loopback.test", "metadata.test", "private.test"} {
		t.Run(name, func(t *testing.T) {
			resp := l.measure(t, measurement.ControlRequest{HTTPRequest: "http://" + name + ":" + port(ln) + "/"})
			if len(resp.DNS.Addrs) != 1 || resp.DNS.Failure != nil {
				t.Fatalf("dns %+v", resp.DNS)
			}
			if f := resp.IPInfo[resp.DNS.Addrs[0]].Flags; f != measurement.IPFlagResolvedByTH|measurement.IPFlagBogon {
				t.Errorf("flags %d, want TH|bogon", f)
			}
			if len(resp.TCPConnect) != 0 {
				t.Errorf("tcp_connect %+v", resp.TCPConnect)
			}
			if failure.Of(resp.HTTPRequest.Failure) != failure.ControlUnknownError {
				t.Errorf("http_request %+v", resp.HTTPRequest)
			}
		})
	}
	if n := ln.accepted.Load(); n != 0 {
		t.Fatalf("the helper connected to loopback %d times", n)
	}
}

// TestSSRFRefusesRedirects: an allowed site that redirects inside the
// helper's network does not lead the helper there, by address or by name.
func TestSSRFRefusesRedirects(t *testing.T) {
	inside := listen(t, "127.0.0.2:0") // not allowed: only 127.0.0.1/32 is
	serveHTTP(t, inside, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "secret") }), nil)
	targets := []string{
		"http://127.0.0.2:" + port(inside) + "/",
		"http://inside.test:" + port(inside) + "/",
		"http://[::1]:" + port(inside) + "/",
		"http://169.254.169.254/latest/meta-data/",
		"http://10.0.0.1/",
	}
	var insideV6 *countingListener
	if ln, err := net.Listen("tcp", "[::1]:"+port(inside)); err == nil {
		insideV6 = &countingListener{Listener: ln}
		serveHTTP(t, insideV6, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "secret") }), nil)
	}
	l := newLab(t, dnsZone{"site.test": {"127.0.0.1"}, "inside.test": {"127.0.0.2"}}, func(c *Config) {
		c.AllowPrefixes = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	for i, target := range targets {
		t.Run(target, func(t *testing.T) {
			outside := listen(t, "127.0.0.1:0")
			serveHTTP(t, outside, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, targets[i], http.StatusFound)
			}), nil)
			resp := l.measure(t, measurement.ControlRequest{HTTPRequest: "http://site.test:" + port(outside) + "/"})
			if outside.accepted.Load() == 0 {
				t.Fatal("the allowed site was not fetched")
			}
			if resp.HTTPRequest.Failure == nil || resp.HTTPRequest.StatusCode != -1 {
				t.Errorf("the redirect was followed: %+v", resp.HTTPRequest)
			}
		})
	}
	if n := inside.accepted.Load(); n != 0 {
		t.Fatalf("the helper connected to 127.0.0.2 %d times", n)
	}
	if insideV6 != nil && insideV6.accepted.Load() != 0 {
		t.Fatal("the helper connected to [::1]")
	}
}
