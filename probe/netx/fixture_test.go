package netx

import (
	"crypto/tls"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/targettest"
)

// lab is the loopback world most tests share: a CA the Net trusts, a DNS
// server that knows example.org, and an HTTPS site for it.
type lab struct {
	ca    *targettest.CA
	dns   *targettest.DNSServer
	https *targettest.WebServer
}

func newLab(t *testing.T) *lab {
	t.Helper()
	ca := targettest.NewCA(t)
	zone := targettest.NewZone(t,
		"example.org. 300 IN A 127.0.0.1",
		"www.example.org. 300 IN CNAME example.org.",
		"example.org. 300 IN HTTPS 1 . alpn=h3,h2 ipv4hint=127.0.0.1",
	)
	return &lab{
		ca:  ca,
		dns: targettest.NewDNSServer(t, targettest.Answer(zone)),
		https: targettest.NewHTTPSServer(t, targettest.HTTPSConfig{
			Certificates: []tls.Certificate{ca.Issue("example.org", "www.example.org", "127.0.0.1")},
		}),
	}
}

// newNet returns a Net that trusts the lab's CA and resolves with its DNS
// server.
func (l *lab) newNet(t *testing.T, mutate ...func(*Config)) *Net {
	t.Helper()
	cfg := Config{RootCAs: l.ca.Pool(), Resolver: "udp://" + l.dns.Addr, StepTimeout: 2 * time.Second, DNSLateWindow: 200 * time.Millisecond}
	for _, m := range mutate {
		m(&cfg)
	}
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func port(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i+1:]
		}
	}
	return ""
}
