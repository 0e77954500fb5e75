package netx_test

import (
	"context"
	"crypto/tls"
	"fmt"

	"github.com/miekg/dns"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/targettest"
	"github.com/sonde-project/sonde/probe/netx"
)

// Fetch a page through a resolver and a browser ClientHello, then read
// the recorded steps.
func ExampleNet_HTTPGet() {
	t := &targettest.Standalone{}
	defer t.Close()
	ca := targettest.NewCA(t)
	site := targettest.NewHTTPSServer(t, targettest.HTTPSConfig{Certificates: []tls.Certificate{ca.Issue("example.org")}})
	resolver := targettest.NewDNSServer(t, targettest.Answer(targettest.NewZone(t, "example.org. 60 IN A 127.0.0.1")))

	n, err := netx.New(netx.Config{RootCAs: ca.Pool(), Resolver: "udp://" + resolver.Addr, DNSLateWindow: -1})
	if err != nil {
		panic(err)
	}
	defer n.Close()
	_, port, _ := splitPort(site.Addr)
	resp, err := n.HTTPGet(context.Background(), "https://example.org:"+port+"/redirect/1", netx.HTTPOptions{})
	if err != nil {
		panic(err)
	}
	steps := n.Steps()
	fmt.Println(resp.StatusCode, resp.Proto, resp.Title)
	fmt.Println(len(steps.Queries), "queries,", len(steps.TCPConnect), "connects,", len(steps.Requests), "requests")
	// Output:
	// 200 HTTP/2.0 sonde test site
	// 4 queries, 2 connects, 2 requests
}

// A failure is a result: the step is recorded with its OONI failure string.
func ExampleNet_TLSHandshake() {
	t := &targettest.Standalone{}
	defer t.Close()
	censor := targettest.NewTCPServer(t, targettest.ResetAfterClientHello())

	n, _ := netx.New(netx.Config{})
	conn, err := n.DialTCP(context.Background(), censor.Addr)
	if err != nil {
		panic(err)
	}
	_, err = n.TLSHandshake(context.Background(), conn, netx.TLSConfig{ServerName: "blocked.example"})
	fmt.Println(failure.Classify(err), *n.Steps().TLSHandshakes[0].Failure)
	// Output: connection_reset connection_reset
}

// A UDP resolver keeps listening after its first answer: an injected
// answer wins, the real one is kept in DNSLateReplies.
func ExampleResolver_lateReplies() {
	t := &targettest.Standalone{}
	defer t.Close()
	forged := targettest.NewZone(t, "example.org. 60 IN A 10.10.34.35")
	real := targettest.NewZone(t, "example.org. 300 IN A 93.184.215.14")
	srv := targettest.NewDNSServer(t, targettest.Inject(forged, real, 0))

	n, _ := netx.New(netx.Config{Resolver: "udp://" + srv.Addr})
	answers, _ := n.Resolver().Lookup(context.Background(), "example.org", dns.TypeA)
	n.Close() // waits for the late answers
	fmt.Println(answers[0].IPv4, n.Steps().DNSLateReplies[0].Answers[0].IPv4)
	// Output: 10.10.34.35 93.184.215.14
}

func splitPort(addr string) (string, string, error) {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[:i], addr[i+1:], nil
		}
	}
	return addr, "", fmt.Errorf("no port in %q", addr)
}
