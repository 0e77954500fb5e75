package quic

import (
	"context"
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/targettest"
	"github.com/sonde-project/sonde/probe/nettest"
)

func TestMeasure(t *testing.T) {
	ca := targettest.NewCA(t)
	h3 := targettest.NewHTTP3Server(t, []tls.Certificate{ca.Issue("example.org")}, targettest.Website("Over QUIC"))
	_, port, _ := net.SplitHostPort(h3.Addr)
	zone := targettest.NewZone(t, "example.org. 60 IN A 127.0.0.1")
	dns := targettest.NewDNSServer(t, targettest.Answer(zone))
	cases := []struct {
		name, input, address string
		failure, op          string
		blocking             measurement.Blocking
	}{
		{"ok", "https://example.org:" + port + "/redirect/1", "", "", "", measurement.NotBlocked},
		{"host:port", "example.org:" + port, "", "", "", measurement.NotBlocked},
		{"udp dropped", "example.org", targettest.NewUDPBlackhole(t), failure.GenericTimeout, failure.OpQUICHandshake, measurement.BlockedBy(measurement.BlockingQUIC)},
		{"old version", "example.org", targettest.NewQUICVersionNegotiator(t, targettest.DraftQUICVersion),
			failure.QUICIncompatibleVersion, failure.OpQUICHandshake, measurement.Blocking{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := &nettest.Env{Begin: time.Now(), RootCAs: ca.Pool(), Resolver: "udp://" + dns.Addr, StepTimeout: 500 * time.Millisecond}
			if c.address != "" {
				env.Options = map[string]string{"address": c.address}
			}
			res, err := Measurer{}.Measure(context.Background(), env, c.input)
			if err != nil {
				t.Fatal(err)
			}
			tk := res.TestKeys.(*TestKeys)
			if res.Failure != c.failure || failure.Of(tk.FailedOperation) != c.op || res.Blocking != c.blocking {
				t.Fatalf("failure %q op %q blocking %+v", res.Failure, failure.Of(tk.FailedOperation), res.Blocking)
			}
			if len(tk.QUICHandshakes) == 0 || failure.Of(tk.QUICHandshakes[0].Failure) != c.failure {
				t.Fatalf("handshakes %+v", tk.QUICHandshakes)
			}
			if c.failure == "" && (tk.Title != "Over QUIC" || tk.Requests[0].Network != "udp") {
				t.Fatalf("title %q requests %+v", tk.Title, tk.Requests)
			}
		})
	}
}

func TestURLOf(t *testing.T) {
	for in, want := range map[string]string{
		"example.org":             "https://example.org/",
		"example.org:8443":        "https://example.org:8443/",
		"https://example.org/a?b": "https://example.org/a?b",
		"2001:db8::1":             "https://[2001:db8::1]/",
		"[2001:db8::1]:443":       "https://[2001:db8::1]:443/",
	} {
		if got, err := urlOf(in); err != nil || got != want {
			t.Errorf("urlOf(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "http://example.org/", "a b"} {
		if _, err := urlOf(bad); err == nil {
			t.Errorf("urlOf(%q) accepted", bad)
		}
	}
}
