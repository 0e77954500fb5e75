package controlhelper

import (
	"crypto/tls"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/sonde-project/sonde/internal/targettest"
)

// The loopback servers the tests measure, from internal/targettest, and
// listeners that count who connects.

// dnsZone gives the A/AAAA answers of a test's DNS server: a name mapped
// to nil exists without addresses (NOERROR, no data); names under
// "servfail." get SERVFAIL; other names do not exist (NXDOMAIN).
type dnsZone map[string][]string

// startDNS starts a targettest DNS server for zone and returns its address.
func startDNS(t testing.TB, zone dnsZone) string {
	t.Helper()
	var records []string
	for name, addrs := range zone {
		if len(addrs) == 0 {
			records = append(records, name+`. 60 IN TXT "no address"`)
		}
		for _, a := range addrs {
			rtype := "A"
			if netip.MustParseAddr(a).Is6() {
				rtype = "AAAA"
			}
			records = append(records, name+". 60 IN "+rtype+" "+a)
		}
	}
	answer := targettest.Answer(targettest.NewZone(t, records...))
	servfail := targettest.Rcode(dns.RcodeServerFailure)
	return targettest.NewDNSServer(t, func(q *dns.Msg) []targettest.DNSReply {
		if strings.HasPrefix(strings.ToLower(q.Question[0].Name), "servfail.") {
			return servfail(q)
		}
		return answer(q)
	}).Addr
}

// serveHTTP runs handler on ln (with TLS when cert is given) until the test
// ends.
func serveHTTP(t testing.TB, ln net.Listener, handler http.Handler, cert *tls.Certificate) {
	t.Helper()
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	if cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	var wg sync.WaitGroup
	wg.Go(func() { srv.Serve(ln) })
	t.Cleanup(func() { srv.Close(); wg.Wait() })
}

// countingListener counts the connections it accepts and remembers where
// they came from.
type countingListener struct {
	net.Listener
	accepted atomic.Int64
	mu       sync.Mutex
	from     map[string]int // by client IP
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
		ip, _, _ := net.SplitHostPort(c.RemoteAddr().String())
		l.mu.Lock()
		if l.from == nil {
			l.from = map[string]int{}
		}
		l.from[ip]++
		l.mu.Unlock()
	}
	return c, err
}

// clients returns how many connections came from each IP.
func (l *countingListener) clients() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.from)
}

// listen opens a TCP listener on addr ("127.0.0.1:0").
func listen(t testing.TB, addr string) *countingListener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return &countingListener{Listener: ln}
}

func port(ln net.Listener) string {
	_, p, _ := net.SplitHostPort(ln.Addr().String())
	return p
}

// portOf returns the port of "host:port".
func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}
