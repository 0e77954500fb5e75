package controlhelper

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/targettest"
)

func TestResolverFallsBackToNextServer(t *testing.T) {
	good := startDNS(t, dnsZone{"site.test": {"192.0.2.1", "2001:db8::1"}})
	r := &resolver{servers: []string{targettest.NewUDPBlackhole(t), good}, timeout: time.Second}
	addrs, err := r.lookup(context.Background(), "site.test")
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")}
	if len(addrs) != 2 || addrs[0] != want[0] || addrs[1] != want[1] {
		t.Fatalf("addrs %v, want %v (A first)", addrs, want)
	}
}

func TestResolverTimeout(t *testing.T) {
	l := newLab(t, dnsZone{}, func(c *Config) {
		c.DNSServers = []string{targettest.NewUDPBlackhole(t)}
		c.DNSTimeout = 200 * time.Millisecond
	})
	start := time.Now()
	resp := l.measure(t, measurement.ControlRequest{HTTPRequest: "https://site.test/"})
	if time.Since(start) > 3*time.Second {
		t.Fatalf("took %v: the DNS deadline was not applied", time.Since(start))
	}
	// oohelperd reports a DNS timeout as unknown_error, and the fetch's as
	// dns_lookup_error.
	if failure.Of(resp.DNS.Failure) != failure.ControlUnknownError ||
		failure.Of(resp.HTTPRequest.Failure) != failure.ControlDNSLookupError {
		t.Fatalf("dns %+v http %+v", resp.DNS, resp.HTTPRequest)
	}
}

// TestResolverRetriesTruncatedOverTCP: an answer too large for UDP comes
// back truncated and the resolver asks again over TCP.
func TestResolverRetriesTruncatedOverTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
			m.Truncated = true
		} else if q.Question[0].Qtype == dns.TypeA {
			m.Answer = append(m.Answer, &dns.A{
				Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
				A:   net.IPv4(192, 0, 2, 77),
			})
		}
		w.WriteMsg(m)
	})
	for _, srv := range []*dns.Server{{Listener: ln, Handler: handler}, {PacketConn: pc, Handler: handler}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go srv.ActivateAndServe()
		<-started
		t.Cleanup(func() { srv.Shutdown() })
	}
	r := &resolver{servers: []string{ln.Addr().String()}, timeout: 2 * time.Second}
	addrs, err := r.lookup(context.Background(), "big.test")
	if err != nil || len(addrs) != 1 || addrs[0] != netip.MustParseAddr("192.0.2.77") {
		t.Fatalf("addrs %v err %v", addrs, err)
	}
}
