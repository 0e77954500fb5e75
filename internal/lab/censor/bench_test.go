package censor

import (
	"net"
	"net/netip"
	"testing"

	"github.com/google/gopacket/layers"
)

// BenchmarkParseSNI: how fast the censor reads a ClientHello.
func BenchmarkParseSNI(b *testing.B) {
	hello := clientHello(b, "www.wikipedia.org")
	b.SetBytes(int64(len(hello)))
	for b.Loop() {
		if _, err := parseSNI(hello); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkForgeDNSAnswer: the work between seeing a query and injecting
// the forged answer.
func BenchmarkForgeDNSAnswer(b *testing.B) {
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}}
	ip := &layers.IPv4{SrcIP: net.IP{192, 0, 2, 10}, DstIP: net.IP{203, 0, 113, 53}}
	udp := &layers.UDP{SrcPort: 40000, DstPort: 53}
	q := &layers.DNS{ID: 7, RD: true, Questions: []layers.DNSQuestion{{Name: []byte("twitter.com"), Type: layers.DNSTypeA, Class: layers.DNSClassIN}}}
	answer := netip.MustParseAddr("203.0.113.250")
	for b.Loop() {
		if _, err := forgeDNSAnswer(eth, ip, udp, q, answer); err != nil {
			b.Fatal(err)
		}
	}
}
