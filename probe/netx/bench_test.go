package netx

import (
	"context"
	"crypto/tls"
	"testing"

	"github.com/miekg/dns"

	"github.com/sonde-project/sonde/internal/targettest"
)

// BenchmarkDNSLookupUDP is one recorded UDP query and answer on loopback.
func BenchmarkDNSLookupUDP(b *testing.B) {
	srv := targettest.NewDNSServer(b, targettest.Answer(targettest.NewZone(b, "example.org. 60 IN A 192.0.2.1")))
	n, err := New(Config{Resolver: "udp://" + srv.Addr, DNSLateWindow: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.Resolver().Lookup(context.Background(), "example.org", dns.TypeA); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTLSHandshake is one recorded connect and Chrome-fingerprint
// TLS 1.3 handshake on loopback.
func BenchmarkTLSHandshake(b *testing.B) {
	ca := targettest.NewCA(b)
	srv := targettest.NewHTTPSServer(b, targettest.HTTPSConfig{Certificates: []tls.Certificate{ca.Issue("example.org")}})
	n, err := New(Config{RootCAs: ca.Pool()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		conn, err := n.DialTCP(context.Background(), srv.Addr)
		if err != nil {
			b.Fatal(err)
		}
		tc, err := n.TLSHandshake(context.Background(), conn, TLSConfig{ServerName: "example.org"})
		if err != nil {
			b.Fatal(err)
		}
		tc.Close()
	}
}

// BenchmarkHTTPGet is one recorded HTTPS GET (resolve, connect, handshake,
// HTTP/2 round trip, body) on loopback.
func BenchmarkHTTPGet(b *testing.B) {
	ca := targettest.NewCA(b)
	srv := targettest.NewHTTPSServer(b, targettest.HTTPSConfig{Certificates: []tls.Certificate{ca.Issue("example.org")}})
	n, err := New(Config{RootCAs: ca.Pool()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.HTTPGet(context.Background(), "https://example.org/", HTTPOptions{Address: srv.Addr}); err != nil {
			b.Fatal(err)
		}
	}
}
