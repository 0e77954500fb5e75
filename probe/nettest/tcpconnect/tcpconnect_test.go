package tcpconnect

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/targettest"
	"github.com/sonde-project/sonde/probe/nettest"
)

func TestMeasure(t *testing.T) {
	open := targettest.NewHTTPServer(t, targettest.Website("open"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	_, openPort, _ := net.SplitHostPort(open.Addr)
	zone := targettest.NewZone(t, "example.org. 60 IN A 127.0.0.1")
	dns := targettest.NewDNSServer(t, targettest.Answer(zone))
	for _, c := range []struct {
		input    string
		resolver string
		failure  string
		blocking measurement.Blocking
	}{
		{open.Addr, "", "", measurement.NotBlocked},
		{"tcpconnect://" + open.Addr, "", "", measurement.NotBlocked},
		{"http://example.org:" + openPort + "/", "udp://" + dns.Addr, "", measurement.NotBlocked},
		{closed, "", failure.ConnectionRefused, measurement.Blocking{}},
		{"nowhere.example:443", "udp://" + dns.Addr, failure.DNSNXDOMAIN, measurement.Blocking{}},
	} {
		env := &nettest.Env{Begin: time.Now(), Resolver: c.resolver, StepTimeout: time.Second}
		res, err := Measurer{}.Measure(context.Background(), env, c.input)
		if err != nil {
			t.Fatal(err)
		}
		tk := res.TestKeys.(*TestKeys)
		if res.Failure != c.failure || res.Blocking != c.blocking || failure.Of(tk.Failure) != c.failure {
			t.Fatalf("%s: failure %q blocking %+v", c.input, res.Failure, res.Blocking)
		}
		if c.failure != failure.DNSNXDOMAIN && len(tk.TCPConnect) != 1 {
			t.Fatalf("%s: %d connects", c.input, len(tk.TCPConnect))
		}
	}
}

func TestBadInput(t *testing.T) {
	env := &nettest.Env{Begin: time.Now()}
	for _, input := range []string{"", "example.org", "ftp://", "example.org:"} {
		if _, err := (Measurer{}).Measure(context.Background(), env, input); err == nil {
			t.Errorf("input %q accepted", input)
		}
	}
	env.Options = map[string]string{"port": "80"}
	if _, err := (Measurer{}).Measure(context.Background(), env, "example.org:80"); err == nil {
		t.Error("an unknown option was accepted")
	}
}
