package tls

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/targettest"
	"github.com/sonde-project/sonde/probe/nettest"
)

func TestMeasure(t *testing.T) {
	ca := targettest.NewCA(t)
	filtering := targettest.NewHTTPSServer(t, targettest.HTTPSConfig{
		Certificates: []tls.Certificate{ca.Issue("blocked.example"), ca.Issue("benign.example")},
		ResetSNI:     []string{"blocked.example"},
	}).Addr
	selfSigned := targettest.NewHTTPSServer(t, targettest.HTTPSConfig{Certificates: []tls.Certificate{targettest.SelfSigned(t, "blocked.example")}}).Addr
	resetAll := targettest.NewTCPServer(t, targettest.ResetAfterClientHello()).Addr
	hang := targettest.NewTCPServer(t, targettest.Hang()).Addr
	tlsBlocked := measurement.BlockedBy(measurement.BlockingTLS)
	cases := []struct {
		name     string
		input    string
		options  map[string]string
		failure  string
		control  string
		blocking measurement.Blocking
		certs    int
	}{
		{"benign", "tlshandshake://" + filtering, map[string]string{"sni": "benign.example"}, "", "", measurement.NotBlocked, 2},
		{"sni reset, control passes", filtering, map[string]string{"sni": "blocked.example", "control_sni": "benign.example"},
			failure.ConnectionReset, "", tlsBlocked, 0},
		{"reset without control", resetAll, map[string]string{"sni": "blocked.example"}, failure.ConnectionReset, "", tlsBlocked, 0},
		{"reset, control fails too", resetAll, map[string]string{"sni": "blocked.example", "control_sni": "benign.example"},
			failure.ConnectionReset, failure.ConnectionReset, measurement.Blocking{}, 0},
		{"hang", hang, map[string]string{"sni": "blocked.example"}, failure.GenericTimeout, "", tlsBlocked, 0},
		{"self-signed", selfSigned, map[string]string{"sni": "blocked.example"}, failure.SSLUnknownAuthority, "", measurement.Blocking{}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := &nettest.Env{Begin: time.Now(), RootCAs: ca.Pool(), StepTimeout: 300 * time.Millisecond, Options: c.options}
			res, err := Measurer{}.Measure(context.Background(), env, c.input)
			if err != nil {
				t.Fatal(err)
			}
			tk := res.TestKeys.(*TestKeys)
			if res.Failure != c.failure || failure.Of(tk.ControlFailure) != c.control || res.Blocking != c.blocking {
				t.Fatalf("failure %q control %q blocking %+v", res.Failure, failure.Of(tk.ControlFailure), res.Blocking)
			}
			if len(tk.Certificates) != c.certs {
				t.Fatalf("%d certificates: %+v", len(tk.Certificates), tk.Certificates)
			}
			if c.certs > 0 && tk.Certificates[0].DNSNames[0] != tk.SNI {
				t.Fatalf("leaf %+v", tk.Certificates[0])
			}
			wantHandshakes := 1
			if c.options["control_sni"] != "" {
				wantHandshakes = 2
			}
			if len(tk.TLSHandshakes) != wantHandshakes || tk.TLSHandshakes[0].ServerName != tk.SNI {
				t.Fatalf("handshakes %+v", tk.TLSHandshakes)
			}
			if _, err := json.Marshal(tk); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	env := &nettest.Env{Begin: time.Now()}
	for _, input := range []string{"", "http://example.org/", "example.org:"} {
		if _, err := (Measurer{}).Measure(context.Background(), env, input); err == nil {
			t.Errorf("input %q accepted", input)
		}
	}
	env.Options = map[string]string{"server_name": "x"}
	if _, err := (Measurer{}).Measure(context.Background(), env, "example.org"); err == nil {
		t.Error("an unknown option was accepted")
	}
}

func TestDescribeGarbage(t *testing.T) {
	got := describe([]measurement.BinaryData{[]byte("not a certificate")})
	if len(got) != 1 || got[0].ParseError == "" || got[0].SHA256 == "" {
		t.Fatalf("%+v", got)
	}
}
