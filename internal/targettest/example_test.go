package targettest_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/sonde-project/sonde/internal/targettest"
)

// A DNS server that answers from a zone; names it does not hold get
// NXDOMAIN.
func ExampleNewDNSServer() {
	t := &targettest.Standalone{}
	defer t.Close()
	zone := targettest.NewZone(t, "example.org. 300 IN A 93.184.215.14")
	srv := targettest.NewDNSServer(t, targettest.Answer(zone))

	q := new(dns.Msg)
	q.SetQuestion("example.org.", dns.TypeA)
	r, _, err := (&dns.Client{Timeout: time.Second}).Exchange(q, srv.Addr)
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Answer[0].(*dns.A).A)
	// Output: 93.184.215.14
}

// An on-path injector: the forged answer comes first, the real one 20ms
// later on the same socket.
func ExampleInject() {
	t := &targettest.Standalone{}
	defer t.Close()
	forged := targettest.NewZone(t, "example.org. 60 IN A 10.10.34.35")
	real := targettest.NewZone(t, "example.org. 300 IN A 93.184.215.14")
	srv := targettest.NewDNSServer(t, targettest.Inject(forged, real, 20*time.Millisecond))
	fmt.Println(srv.Addr != "")
	// Output: true
}

// An HTTPS site with a certificate from a test CA, and a middlebox
// behaviour: ClientHellos naming blocked.example are reset.
func ExampleNewHTTPSServer() {
	t := &targettest.Standalone{}
	defer t.Close()
	ca := targettest.NewCA(t)
	srv := targettest.NewHTTPSServer(t, targettest.HTTPSConfig{
		Certificates: []tls.Certificate{ca.Issue("example.org"), ca.Issue("blocked.example")},
		ResetSNI:     []string{"blocked.example"},
	})
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: "example.org"},
	}}
	resp, err := client.Get(srv.URL + "/")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	fmt.Println(resp.StatusCode, strings.Contains(string(body), "<title>sonde test site</title>"))
	// Output: 200 true
}

// A TCP server that resets the connection after the ClientHello, as an
// SNI-filtering censor does.
func ExampleResetAfterClientHello() {
	t := &targettest.Standalone{}
	defer t.Close()
	srv := targettest.NewTCPServer(t, targettest.ResetAfterClientHello())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := (&tls.Dialer{Config: &tls.Config{ServerName: "example.org"}}).DialContext(ctx, "tcp", srv.Addr)
	if conn != nil {
		conn.Close()
	}
	fmt.Println(strings.HasSuffix(err.Error(), "connection reset by peer"))
	// Output: true
}
