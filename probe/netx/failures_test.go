package netx

import (
	"context"
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/targettest"
)

// TestFailureStrings produces every failure string netx can report
// against a real loopback server, and checks both the returned error and
// the recorded step.
func TestFailureStrings(t *testing.T) {
	ca := targettest.NewCA(t)
	https := func(cert tls.Certificate, protos ...string) string {
		return targettest.NewHTTPSServer(t, targettest.HTTPSConfig{Certificates: []tls.Certificate{cert}, NextProtos: protos}).Addr
	}
	tcpServer := func(b targettest.TCPBehavior) string { return targettest.NewTCPServer(t, b).Addr }
	closedPort := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln.Close()
		return ln.Addr().String()
	}
	dnsServer := func(b targettest.DNSBehavior) string { return targettest.NewDNSServer(t, b).Addr }
	zone := targettest.NewZone(t, "example.org. 60 IN A 192.0.2.1")
	quicServer := func(cert tls.Certificate, protos ...string) string {
		return targettest.NewQUICServer(t, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: protos}, nil).Addr
	}

	type op func(ctx context.Context, n *Net) (func(measurement.Steps) *string, error)
	handshake := func(addr, sni string) op {
		return func(ctx context.Context, n *Net) (func(measurement.Steps) *string, error) {
			conn, err := n.DialTCP(ctx, addr)
			if err == nil {
				var tc *TLSConn
				if tc, err = n.TLSHandshake(ctx, conn, TLSConfig{ServerName: sni}); err == nil {
					tc.Close()
				}
			}
			return func(s measurement.Steps) *string { return s.TLSHandshakes[0].Failure }, err
		}
	}
	connect := func(addr string) op {
		return func(ctx context.Context, n *Net) (func(measurement.Steps) *string, error) {
			_, err := n.DialTCP(ctx, addr)
			return func(s measurement.Steps) *string { return s.TCPConnect[0].Status.Failure }, err
		}
	}
	lookup := func(resolver string, qtype uint16) op {
		return func(ctx context.Context, n *Net) (func(measurement.Steps) *string, error) {
			r, err := n.NewResolver(resolver)
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Lookup(ctx, "example.org", qtype)
			return func(s measurement.Steps) *string { return s.Queries[0].Failure }, err
		}
	}
	quicHandshake := func(addr, sni string) op {
		return func(ctx context.Context, n *Net) (func(measurement.Steps) *string, error) {
			conn, err := n.QUICHandshake(ctx, addr, TLSConfig{ServerName: sni})
			if err == nil {
				conn.CloseWithError(0, "")
			}
			return func(s measurement.Steps) *string { return s.QUICHandshakes[0].Failure }, err
		}
	}

	cases := []struct {
		name string
		op   op
		want string
	}{
		{"tcp refused", connect(closedPort()), failure.ConnectionRefused},
		{"tls reset after hello", handshake(tcpServer(targettest.ResetAfterClientHello()), "example.org"), failure.ConnectionReset},
		{"tls eof after hello", handshake(tcpServer(targettest.CloseAfterClientHello()), "example.org"), failure.EOF},
		{"tls hang", handshake(tcpServer(targettest.Hang()), "example.org"), failure.GenericTimeout},
		{"tls wrong name", handshake(https(ca.Issue("other.example")), "example.org"), failure.SSLInvalidHostname},
		{"tls self-signed", handshake(https(targettest.SelfSigned(t, "example.org")), "example.org"), failure.SSLUnknownAuthority},
		{"tls expired", handshake(https(ca.IssueExpired("example.org")), "example.org"), failure.SSLInvalidCertificate},
		{"tls no common ALPN", handshake(https(ca.Issue("example.org"), "x-none"), "example.org"), failure.SSLFailedHandshake},
		{"dns nxdomain", lookup("udp://"+dnsServer(targettest.Rcode(dns.RcodeNameError)), dns.TypeA), failure.DNSNXDOMAIN},
		{"dns servfail", lookup("udp://"+dnsServer(targettest.Rcode(dns.RcodeServerFailure)), dns.TypeA), failure.DNSServfail},
		{"dns refused", lookup("tcp://"+dnsServer(targettest.Rcode(dns.RcodeRefused)), dns.TypeA), failure.DNSRefused},
		{"dns notimp", lookup("udp://"+dnsServer(targettest.Rcode(dns.RcodeNotImplemented)), dns.TypeA), failure.DNSServerMisbehaving},
		{"dns no answer", lookup("udp://"+dnsServer(targettest.Answer(zone)), dns.TypeAAAA), failure.DNSNoAnswer},
		{"dns silent udp", lookup("udp://"+dnsServer(targettest.Silent()), dns.TypeA), failure.GenericTimeout},
		{"dns silent tcp", lookup("tcp://"+dnsServer(targettest.Silent()), dns.TypeA), failure.GenericTimeout},
		{"dns tcp refused", lookup("tcp://"+closedPort(), dns.TypeA), failure.ConnectionRefused},
		{"quic blackhole", quicHandshake(targettest.NewUDPBlackhole(t), "example.org"), failure.GenericTimeout},
		{"quic version", quicHandshake(targettest.NewQUICVersionNegotiator(t, targettest.DraftQUICVersion), "example.org"), failure.QUICIncompatibleVersion},
		{"quic wrong name", quicHandshake(quicServer(ca.Issue("other.example"), "h3"), "example.org"), failure.SSLInvalidHostname},
		{"quic self-signed", quicHandshake(quicServer(targettest.SelfSigned(t, "example.org"), "h3"), "example.org"), failure.SSLUnknownAuthority},
		{"quic expired", quicHandshake(quicServer(ca.IssueExpired("example.org"), "h3"), "example.org"), failure.SSLInvalidCertificate},
		{"quic no common ALPN", quicHandshake(quicServer(ca.Issue("example.org"), "x-none"), "example.org"), failure.SSLFailedHandshake},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			n, err := New(Config{RootCAs: ca.Pool(), StepTimeout: 300 * time.Millisecond, DNSLateWindow: -1})
			if err != nil {
				t.Fatal(err)
			}
			recorded, err := c.op(context.Background(), n)
			if got := failure.Classify(err); got != c.want {
				t.Fatalf("returned %q, want %q (%v)", got, c.want, err)
			}
			if got := failure.Of(recorded(n.Steps())); got != c.want {
				t.Fatalf("recorded %q, want %q", got, c.want)
			}
		})
	}
}
