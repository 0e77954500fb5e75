package http

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/targettest"
	"github.com/sonde-project/sonde/probe/nettest"
)

// resetMidBody answers with headers and part of a body, then resets: what
// a censor that inspects the response does.
func resetMidBody() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "100000")
		w.WriteHeader(200)
		w.Write([]byte("<html><title>cut</title>")) //nolint:errcheck // test server
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		conn.(*net.TCPConn).SetLinger(0)
		conn.Close()
	})
}

func TestMeasure(t *testing.T) {
	ca := targettest.NewCA(t)
	site := targettest.NewHTTPSServer(t, targettest.HTTPSConfig{Certificates: []tls.Certificate{ca.Issue("example.org")}, Handler: targettest.Website("Example")})
	zone := targettest.NewZone(t, "example.org. 60 IN A 127.0.0.1")
	dns := targettest.NewDNSServer(t, targettest.Answer(zone))
	_, port, _ := net.SplitHostPort(site.Addr)
	reset := targettest.NewTCPServer(t, targettest.ResetAfterClientHello()).Addr
	cut := targettest.NewHTTPServer(t, resetMidBody()).Addr
	cases := []struct {
		name, input, address string
		failure, op          string
		blocking             measurement.Blocking
		title                string
	}{
		{"ok", "https://example.org:" + port + "/redirect/2", "", "", "", measurement.NotBlocked, "Example"},
		{"404", "https://example.org:" + port + "/status/404", "", "", "", measurement.Blocking{}, ""},
		{"tls reset", "https://example.org/", reset, failure.ConnectionReset, failure.OpTLSHandshake, measurement.BlockedBy(measurement.BlockingTLS), ""},
		{"body reset", "http://example.org/", cut, failure.ConnectionReset, failure.OpRead, measurement.BlockedBy(measurement.BlockingHTTPFailure), ""},
		{"nxdomain", "https://nowhere.example/", "", failure.DNSNXDOMAIN, failure.OpResolve, measurement.Blocking{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := &nettest.Env{Begin: time.Now(), RootCAs: ca.Pool(), Resolver: "udp://" + dns.Addr, StepTimeout: time.Second}
			if c.address != "" {
				env.Options = map[string]string{"address": c.address}
			}
			res, err := Measurer{}.Measure(context.Background(), env, c.input)
			if err != nil {
				t.Fatal(err)
			}
			tk := res.TestKeys.(*TestKeys)
			if res.Failure != c.failure || failure.Of(tk.FailedOperation) != c.op || res.Blocking != c.blocking || tk.Title != c.title {
				t.Fatalf("failure %q op %q blocking %+v title %q", res.Failure, failure.Of(tk.FailedOperation), res.Blocking, tk.Title)
			}
			if len(tk.Requests) == 0 || failure.Of(tk.Requests[0].Failure) != c.failure {
				t.Fatalf("requests %+v", tk.Requests)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	env := &nettest.Env{Begin: time.Now()}
	for _, input := range []string{"", "example.org", "ftp://example.org/"} {
		if _, err := (Measurer{}).Measure(context.Background(), env, input); err == nil {
			t.Errorf("input %q accepted", input)
		}
	}
	env.Options = map[string]string{"method": "POST"}
	if _, err := (Measurer{}).Measure(context.Background(), env, "https://example.org/"); err == nil {
		t.Error("an unknown option was accepted")
	}
}
