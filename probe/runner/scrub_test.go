package runner

import (
	"context"
	"encoding/base64"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/scrub"
	"github.com/sonde-project/sonde/probe/nettest"
)

// planted is the probe's public address in these tests (TEST-NET-3).
var planted = netip.MustParseAddr("203.0.113.77")

// leakyKeys returns test keys that carry the probe's address where real
// measurements do: an HTTP body and header, a DNS answer and the raw DNS
// message (binary, base64), a failure text and a reverse-DNS name.
func leakyKeys(t *testing.T) measurement.Steps {
	msg := new(dns.Msg)
	msg.SetQuestion("whoami.example.", dns.TypeA)
	msg.Response = true
	msg.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: "whoami.example.", Rrtype: dns.TypeA,
		Class: dns.ClassINET, Ttl: 60}, A: planted.AsSlice()}}
	raw, err := msg.Pack()
	if err != nil {
		t.Fatal(err)
	}
	ip := planted.String()
	fail := "unknown_failure: read udp " + ip + ":5353: connection refused"
	return measurement.Steps{
		Queries: []measurement.DNSQuery{{
			Hostname: "whoami.example", QueryType: "A", Engine: "udp", ResolverAddress: "192.0.2.53:53",
			Answers:     []measurement.DNSAnswer{{AnswerType: "A", IPv4: ip}, {AnswerType: "PTR", Hostname: "77.113.0.203.in-addr.arpa"}},
			RawResponse: raw,
		}},
		Requests: []measurement.HTTPTransaction{{
			Failure: &fail,
			Request: measurement.HTTPRequest{Method: "GET", URL: "http://whoami.example/"},
			Response: measurement.HTTPResponse{
				Code: 200,
				Body: measurement.MaybeBinary("<html><body>Your IP address is " + ip + "</body></html>"),
				Headers: map[string]measurement.MaybeBinary{"X-Client-Ip": measurement.MaybeBinary(ip),
					"X-Forwarded-For": measurement.MaybeBinary("10.0.0.1, " + ip)},
				HeadersList: []measurement.HTTPHeader{{Key: "X-Client-Ip", Value: measurement.MaybeBinary(ip)}},
			},
		}},
	}
}

// TestScrubbedBeforeWriting: the probe's address planted in a body, a
// header and a DNS answer (text and binary) is nowhere in the file.
func TestScrubbedBeforeWriting(t *testing.T) {
	keys := leakyKeys(t)
	m := &funcMeasurer{name: "web_connectivity", fn: func(context.Context, *nettest.Env, string) (*nettest.Result, error) {
		return &nettest.Result{TestKeys: keys, TestHelpers: map[string]any{"backend": "https://" + planted.String() + "/"}}, nil
	}}
	out := filepath.Join(t.TempDir(), "r.jsonl")
	s, err := Run(context.Background(), Config{Tests: []nettest.Measurer{m}, Targets: urls(1), Output: out,
		Scrubber: scrub.New(planted)})
	if err != nil {
		t.Fatal(err)
	}
	if s.Written != 1 || s.Leaked != 0 {
		t.Fatalf("summary %+v", s)
	}
	b, _ := os.ReadFile(out)
	text := string(b)
	for _, form := range []string{"203.0.113.77", "77.113.0.203.in-addr.arpa",
		base64.StdEncoding.EncodeToString(keys.Queries[0].RawResponse)} {
		if strings.Contains(text, form) {
			t.Errorf("the results file still holds %q", form)
		}
	}
	if leaks := scrub.New(planted).Leaks(b); leaks != nil {
		t.Errorf("Leaks: %v", leaks)
	}
	// The scrubbed measurement still reads as one: the body kept its text
	// around the marker, the DNS message is still a DNS message.
	got := readLines(t, out)[0]
	steps, dropped := measurement.DecodeSteps(got.TestKeys)
	if dropped != 0 || len(steps.Requests) != 1 || len(steps.Queries) != 1 {
		t.Fatalf("steps %+v, dropped %d", steps, dropped)
	}
	if body := string(steps.Requests[0].Response.Body); body != "<html><body>Your IP address is [scrubbed]</body></html>" {
		t.Errorf("body %q", body)
	}
	if h := string(steps.Requests[0].Response.Headers["X-Forwarded-For"]); h != "10.0.0.1, [scrubbed]" {
		t.Errorf("header %q", h)
	}
	var msg dns.Msg
	if err := msg.Unpack(steps.Queries[0].RawResponse); err != nil {
		t.Fatalf("raw DNS response no longer parses: %v", err)
	}
	if a := msg.Answer[0].(*dns.A).A.String(); a != "127.0.0.1" {
		t.Errorf("raw DNS answer %s, want the loopback address", a)
	}
	if got.ProbeIP != "127.0.0.1" {
		t.Errorf("probe_ip %q", got.ProbeIP)
	}
}
