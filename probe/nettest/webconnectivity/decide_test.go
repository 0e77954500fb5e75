package webconnectivity

import (
	"encoding/json"
	"testing"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
)

func TestDecide(t *testing.T) {
	okCtrl := func() *measurement.ControlResponse {
		return &measurement.ControlResponse{
			TCPConnect:  map[string]measurement.ControlTCPConnect{"192.0.2.1:443": {Status: true}},
			HTTPRequest: measurement.ControlHTTPRequest{StatusCode: 200, Title: "Example Domain", BodyLength: 100},
		}
	}
	httpsOK := measurement.HTTPTransaction{Request: measurement.HTTPRequest{URL: "https://example.org/"}, Response: measurement.HTTPResponse{Code: 200}}
	httpOK := measurement.HTTPTransaction{Request: measurement.HTTPRequest{URL: "http://example.org/"}, Response: measurement.HTTPResponse{Code: 200}}
	failed := func(f string, id int64) measurement.HTTPTransaction {
		return measurement.HTTPTransaction{Request: measurement.HTTPRequest{URL: "http://example.org/"}, Failure: &f, TransactionID: id}
	}
	ep := func(tcp, tls, ctcp, ctls string) []Endpoint {
		return []Endpoint{{Address: "192.0.2.1:443", TCP: tcp, TLS: tls, QUIC: notAttempted, ControlTCP: ctcp, ControlTLS: ctls, ControlQUIC: notAttempted}}
	}
	working := ep("", "", "", "")
	cases := []struct {
		name string
		tk   measurement.WebTestKeys
		eps  []Endpoint
		want string // blocking/accessible as JSON
	}{
		{"https page", measurement.WebTestKeys{Steps: measurement.Steps{Requests: []measurement.HTTPTransaction{httpsOK}},
			DNSConsistency: ptr("inconsistent")}, working, `false/true`},
		{"no control", measurement.WebTestKeys{ControlFailure: ptr("connection_refused")}, working, `null/null`},
		{"name does not exist", measurement.WebTestKeys{Control: &measurement.ControlResponse{DNS: measurement.ControlDNS{Failure: ptr(failure.ControlDNSNameError)}},
			DNSExperimentFailure: ptr(failure.DNSNXDOMAIN), DNSConsistency: ptr("consistent")}, nil, `false/false`},
		{"dns", measurement.WebTestKeys{Control: okCtrl(), DNSConsistency: ptr("inconsistent")}, working, `"dns"/false`},
		{"tcp_ip", measurement.WebTestKeys{Control: okCtrl(), DNSConsistency: ptr("consistent")},
			ep(failure.GenericTimeout, notAttempted, "", notAttempted), `"tcp_ip"/false`},
		{"tcp down", measurement.WebTestKeys{Control: okCtrl(), DNSConsistency: ptr("consistent")},
			ep(failure.ConnectionRefused, notAttempted, failure.ControlConnectionRefused, notAttempted), `false/false`},
		{"tcp_ip, endpoint unknown to the control", measurement.WebTestKeys{Control: okCtrl(), DNSConsistency: ptr("consistent")},
			ep(failure.GenericTimeout, notAttempted, notAttempted, notAttempted), `"tcp_ip"/false`},
		{"tls", measurement.WebTestKeys{Control: okCtrl(), DNSConsistency: ptr("consistent")},
			ep("", failure.ConnectionReset, "", ""), `"tls"/false`},
		{"tls down", measurement.WebTestKeys{Control: okCtrl(), DNSConsistency: ptr("consistent")},
			ep("", failure.SSLInvalidCertificate, "", failure.SSLInvalidCertificate), `false/false`},
		{"both fetches fail", measurement.WebTestKeys{Control: func() *measurement.ControlResponse {
			c := okCtrl()
			c.HTTPRequest.Failure = ptr(failure.ControlUnknownError)
			return c
		}(), Steps: measurement.Steps{Requests: []measurement.HTTPTransaction{failed(failure.ConnectionReset, 0)}}}, working, `false/false`},
		{"fetch reset", measurement.WebTestKeys{Control: okCtrl(), Steps: measurement.Steps{Requests: []measurement.HTTPTransaction{failed(failure.ConnectionReset, 0)}}},
			working, `"http-failure"/false`},
		{"fetch's redirect name made to not exist", measurement.WebTestKeys{Control: okCtrl(), Steps: measurement.Steps{Requests: []measurement.HTTPTransaction{failed(failure.DNSNXDOMAIN, 0)}}},
			working, `"dns"/false`},
		{"fetch's TLS handshake", measurement.WebTestKeys{Control: okCtrl(), Steps: measurement.Steps{
			Requests:      []measurement.HTTPTransaction{failed(failure.ConnectionReset, 7)},
			TLSHandshakes: []measurement.TLSHandshake{{TransactionID: 7, Failure: ptr(failure.ConnectionReset)}},
		}}, working, `"tls"/false`},
		{"unreadable fetch failure", measurement.WebTestKeys{Control: okCtrl(), Steps: measurement.Steps{Requests: []measurement.HTTPTransaction{failed("unknown_failure: x", 0)}}},
			working, `null/null`},
		{"same page", measurement.WebTestKeys{Control: okCtrl(), Steps: measurement.Steps{Requests: []measurement.HTTPTransaction{httpOK}}, TitleMatch: ptr(true)},
			working, `false/true`},
		{"other page", measurement.WebTestKeys{Control: okCtrl(), Steps: measurement.Steps{Requests: []measurement.HTTPTransaction{httpOK}},
			TitleMatch: ptr(false), BodyLengthMatch: ptr(false), HeadersMatch: ptr(false)}, working, `"http-diff"/false`},
		{"other status", measurement.WebTestKeys{Control: okCtrl(), Steps: measurement.Steps{Requests: []measurement.HTTPTransaction{
			{Request: measurement.HTTPRequest{URL: "http://example.org/"}, Response: measurement.HTTPResponse{Code: 403}}}},
			TitleMatch: ptr(true)}, working, `"http-diff"/false`},
		{"quic blocked", measurement.WebTestKeys{Steps: measurement.Steps{Requests: []measurement.HTTPTransaction{httpsOK}}},
			[]Endpoint{{TCP: "", TLS: "", QUIC: failure.GenericTimeout, ControlQUIC: ""}}, `"quic"/true`},
		{"quic fails for the control too", measurement.WebTestKeys{Steps: measurement.Steps{Requests: []measurement.HTTPTransaction{httpsOK}}},
			[]Endpoint{{TCP: "", TLS: "", QUIC: failure.GenericTimeout, ControlQUIC: failure.GenericTimeout}}, `false/true`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := decide(&c.tk, c.eps)
			b, _ := json.Marshal(v.blocking)
			a, _ := json.Marshal(v.accessible)
			if got := string(b) + "/" + string(a); got != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestParseOptions(t *testing.T) {
	o, err := parseOptions(map[string]string{"system_resolver": "false", "quic": "0"})
	if err != nil || o.system || o.quic {
		t.Fatalf("%+v %v", o, err)
	}
	for _, bad := range []map[string]string{{"sni": "x"}, {"quic": "maybe"}} {
		if _, err := parseOptions(bad); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
	for _, in := range []string{"ftp://example.org/", "example.org", "http:///x", "https://example.org:0/"} {
		if _, err := parseInput(in); err == nil {
			t.Errorf("accepted input %q", in)
		}
	}
}
