package runner

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/scrub"
	"github.com/sonde-project/sonde/internal/targettest"
	"github.com/sonde-project/sonde/probe/nettest"
	dnstest "github.com/sonde-project/sonde/probe/nettest/dns"
	httptest "github.com/sonde-project/sonde/probe/nettest/http"
	"github.com/sonde-project/sonde/probe/targets"
)

// TestRealTestsDoNotLeakThePlantedAddress runs the real dns and http tests
// against loopback servers that hand the probe's public address back: a
// page that shows it in its body and a header, and a DNS server that
// answers with it. The results file holds it in no form.
func TestRealTestsDoNotLeakThePlantedAddress(t *testing.T) {
	ip := planted.String()
	web := targettest.NewHTTPServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Client-IP", ip)
		w.Header().Set("Set-Cookie", "seen="+ip+"; Path=/")
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><head><title>What is my IP</title></head><body>Your IP address is " + ip + "</body></html>"))
	}))
	zone := targettest.NewZone(t, "whoami.example. 60 IN A "+ip, "whoami.example. 60 IN TXT \"client "+ip+"\"")
	resolver := targettest.NewDNSServer(t, targettest.Answer(zone))

	out := filepath.Join(t.TempDir(), "r.jsonl")
	scrubber := scrub.New(planted)
	runs := []Config{
		{Tests: []nettest.Measurer{httptest.Measurer{}}, Targets: []targets.Target{{Input: web.URL + "/whoami"}}},
		{Tests: []nettest.Measurer{dnstest.Measurer{}}, Targets: []targets.Target{{Input: "whoami.example"}},
			TestOptions: map[string]map[string]string{"dns": {"resolver": "udp://" + resolver.Addr, "types": "A,TXT"}}},
	}
	for _, cfg := range runs {
		cfg.Output, cfg.Scrubber = out, scrubber
		s, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if s.Written != 1 || s.Leaked != 0 || s.CouldNotRun != 0 {
			t.Fatalf("summary %+v", s)
		}
	}
	raw, _ := os.ReadFile(out)
	if strings.Contains(string(raw), ip) || strings.Contains(string(raw), "77.113.0.203.in-addr.arpa") {
		t.Errorf("the results file holds the planted address:\n%s", raw)
	}
	if leaks := scrubber.Leaks(raw); leaks != nil {
		t.Errorf("leaks: %v", leaks)
	}
	ms := readLines(t, out)
	httpSteps, _ := measurement.DecodeSteps(ms[0].TestKeys)
	if len(httpSteps.Requests) == 0 {
		t.Fatalf("http test keys without requests: %s", ms[0].TestKeys)
	}
	resp := httpSteps.Requests[0].Response
	if !strings.Contains(string(resp.Body), "Your IP address is [scrubbed]") || string(resp.Headers["X-Client-Ip"]) != "[scrubbed]" {
		t.Errorf("http response as written: body %q, headers %v", resp.Body, resp.Headers)
	}
	dnsSteps, _ := measurement.DecodeSteps(ms[1].TestKeys)
	found := false
	for _, q := range dnsSteps.Queries {
		for _, a := range q.Answers {
			if a.AnswerType == "A" {
				found = true
				if a.IPv4 != "[scrubbed]" {
					t.Errorf("DNS answer written as %q", a.IPv4)
				}
			}
		}
		raw := []byte(q.RawResponse)
		if bytes.Contains(raw, []byte(ip)) || bytes.Contains(raw, planted.AsSlice()) {
			t.Errorf("raw DNS response still holds the address: %s", base64.StdEncoding.EncodeToString(raw))
		}
		// The A answer's four bytes became 127.0.0.1 and the message still
		// parses. (The TXT answer's text became "[scrubbed]", which is
		// shorter: internal/scrub does not keep lengths in binary data, so
		// a message with the address as text no longer parses. Privacy
		// first; reported to the integrator.)
		if q.QueryType == "A" && len(raw) > 0 {
			var msg dns.Msg
			if err := msg.Unpack(raw); err != nil {
				t.Errorf("raw A response no longer parses: %v", err)
			} else if a, ok := msg.Answer[0].(*dns.A); !ok || a.A.String() != "127.0.0.1" {
				t.Errorf("raw A answer %v", msg.Answer)
			}
		}
	}
	if !found {
		t.Errorf("no A answer in the dns measurement: %s", ms[1].TestKeys)
	}
}
