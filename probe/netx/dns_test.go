package netx

import (
	"context"
	"crypto/tls"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/sonde-project/sonde/internal/targettest"
)

func TestResolvers(t *testing.T) {
	ca := targettest.NewCA(t)
	zone := targettest.NewZone(t,
		"example.org. 300 IN A 93.184.215.14",
		"example.org. 300 IN AAAA 2606:2800:21f:cb07:6820:80da:af6b:8b2c",
		"www.example.org. 300 IN CNAME example.org.",
		"example.org. 300 IN HTTPS 1 . alpn=h3,h2 ipv4hint=93.184.215.14",
	)
	plain := targettest.NewDNSServer(t, targettest.Answer(zone))
	dot := targettest.NewDoTServer(t, targettest.Answer(zone), ca.Issue("127.0.0.1"))
	doh := targettest.NewHTTPSServer(t, targettest.HTTPSConfig{
		Certificates: []tls.Certificate{ca.Issue("127.0.0.1")}, Handler: targettest.DoHHandler(targettest.Answer(zone)),
	})
	for _, c := range []struct{ spec, engine string }{
		{"udp://" + plain.Addr, EngineUDP},
		{"tcp://" + plain.Addr, EngineTCP},
		{"tls://" + dot.Addr, EngineDoT},
		{"https://" + doh.Addr + "/dns-query", EngineDoH},
	} {
		t.Run(c.engine, func(t *testing.T) {
			n, err := New(Config{RootCAs: ca.Pool(), Resolver: c.spec, StepTimeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			addrs, err := n.Resolver().LookupHost(context.Background(), "www.example.org")
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(addrs)
			if !slices.Equal(addrs, []string{"2606:2800:21f:cb07:6820:80da:af6b:8b2c", "93.184.215.14"}) {
				t.Fatalf("addresses %v", addrs)
			}
			answers, err := n.Resolver().Lookup(context.Background(), "example.org", dns.TypeHTTPS)
			if err != nil || len(answers) != 2 || !slices.Equal(answers[0].ALPN, []string{"h3", "h2"}) || answers[1].IPv4 != "93.184.215.14" {
				t.Fatalf("HTTPS answers %+v %v", answers, err)
			}
			n.Close()
			steps := n.Steps()
			if len(steps.Queries) != 3 {
				t.Fatalf("%d queries", len(steps.Queries))
			}
			for _, q := range steps.Queries {
				if q.Engine != c.engine || q.Failure != nil || len(q.RawResponse) == 0 || q.T < q.T0 {
					t.Fatalf("query %+v", q)
				}
			}
			if c.engine == EngineDoT && (len(steps.TLSHandshakes) != 3 || steps.TLSHandshakes[0].Tags[0] != "resolver") {
				t.Fatalf("DoT handshakes %+v", steps.TLSHandshakes)
			}
		})
	}
}

// TestLateReplies: the injector's forged answer is the result, and the
// real one is recorded as a late reply.
func TestLateReplies(t *testing.T) {
	forged := targettest.NewZone(t, "example.org. 60 IN A 10.10.34.35")
	real := targettest.NewZone(t, "example.org. 300 IN A 93.184.215.14")
	srv := targettest.NewDNSServer(t, targettest.Inject(forged, real, 30*time.Millisecond))
	n, err := New(Config{Resolver: "udp://" + srv.Addr, DNSLateWindow: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	answers, err := n.Resolver().Lookup(context.Background(), "example.org", dns.TypeA)
	if err != nil || answers[0].IPv4 != "10.10.34.35" {
		t.Fatalf("first answer %+v %v", answers, err)
	}
	n.Close()
	steps := n.Steps()
	if len(steps.DNSLateReplies) != 1 {
		t.Fatalf("%d late replies", len(steps.DNSLateReplies))
	}
	late := steps.DNSLateReplies[0]
	if late.Answers[0].IPv4 != "93.184.215.14" || late.T <= steps.Queries[0].T || late.TransactionID != steps.Queries[0].TransactionID {
		t.Fatalf("late %+v, first %+v", late, steps.Queries[0])
	}
}

func TestSystemResolver(t *testing.T) {
	n, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := n.Resolver().LookupHost(context.Background(), "localhost")
	if err != nil || !slices.Contains(addrs, "127.0.0.1") {
		t.Fatalf("localhost: %v %v", addrs, err)
	}
	if q := n.Steps().Queries[0]; q.Engine != EngineSystem || q.QueryType != "ANY" {
		t.Fatalf("query %+v", q)
	}
	if _, err := n.Resolver().Lookup(context.Background(), "localhost", dns.TypeHTTPS); err == nil {
		t.Fatal("the system resolver sent an HTTPS query")
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{TLSFingerprint: "netscape"},
		{Resolver: "udp://dns.example:53"},
		{Resolver: "ftp://192.0.2.1"},
		{Resolver: "not a url"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted it", cfg)
		}
	}
	if _, err := ParseTypes("A,aaaa, HTTPS"); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseTypes("A,BOGUS"); err == nil {
		t.Fatal("ParseTypes accepted BOGUS")
	}
}
