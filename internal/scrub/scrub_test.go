package scrub

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/sonde-project/sonde/internal/measurement"
)

func mustParse(t *testing.T, addrs ...string) *Scrubber {
	t.Helper()
	s, err := Parse(addrs...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestString(t *testing.T) {
	s := mustParse(t, "203.0.113.7", "2001:db8:0:0:1::5")
	cases := []struct{ in, want string }{
		{"your ip is 203.0.113.7.", "your ip is [scrubbed]."},
		{"203.0.113.7:443", "[scrubbed]:443"},
		{"not 203.0.113.70 nor 1203.0.113.7 nor 203.0.113.7.5", "not 203.0.113.70 nor 1203.0.113.7 nor 203.0.113.7.5"},
		{"v6 2001:db8::1:0:0:5 here", "v6 [scrubbed] here"},
		{"upper 2001:DB8::1:0:0:5", "upper [scrubbed]"},
		{"full 2001:0db8:0000:0000:0001:0000:0000:0005", "full [scrubbed]"},
		{"nopad 2001:db8:0:0:1:0:0:5", "nopad [scrubbed]"},
		{"[2001:db8::1:0:0:5]:443", "[[scrubbed]]:443"},
		{"ptr 7.113.0.203.in-addr.arpa.", "ptr [scrubbed]."},
		{"other 2001:db8::1:0:0:56", "other 2001:db8::1:0:0:56"},
	}
	for _, c := range cases {
		if got := s.String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIgnoresLoopbackAndRejectsGarbage(t *testing.T) {
	s := mustParse(t, "127.0.0.1", "::1", "0.0.0.0")
	if got := s.String("127.0.0.1"); got != "127.0.0.1" {
		t.Fatal(got)
	}
	if _, err := Parse("not-an-ip"); err == nil {
		t.Fatal("garbage accepted")
	}
	var nilScrubber *Scrubber
	if nilScrubber.String("203.0.113.7") != "203.0.113.7" {
		t.Fatal("nil scrubber changed text")
	}
}

func TestPrintableBinaryFormDoesNotCorruptText(t *testing.T) {
	s := mustParse(t, "65.66.67.68") // "ABCD"
	if got := s.String("ABCD is fine"); got != "ABCD is fine" {
		t.Fatal(got)
	}
	if got := string(s.Bytes([]byte("xABCDx"))); got != "x\x7f\x00\x00\x01x" {
		t.Fatalf("binary form kept: %q", got)
	}
}

// TestMeasurementPlantedEverywhere plants the probe's address in a body, a
// header, a header list, a DNS answer, a raw DNS message (binary), a
// failure string and a map key, and checks that none survives.
func TestMeasurementPlantedEverywhere(t *testing.T) {
	const ip = "198.51.100.23"
	s := mustParse(t, ip)

	msg := new(dns.Msg)
	msg.SetQuestion("whoami.example.", dns.TypeA)
	rr, err := dns.NewRR("whoami.example. 60 IN A " + ip)
	if err != nil {
		t.Fatal(err)
	}
	msg.Answer = append(msg.Answer, rr)
	raw, err := msg.Pack()
	if err != nil {
		t.Fatal(err)
	}

	keys := measurement.WebTestKeys{}
	keys.Queries = []measurement.DNSQuery{{
		Hostname: "whoami.example", QueryType: "A", RawResponse: raw,
		Answers: []measurement.DNSAnswer{{AnswerType: "A", IPv4: ip}},
	}}
	keys.Requests = []measurement.HTTPTransaction{{
		Failure: ptr("unknown_failure: read tcp " + ip + ":5555->192.0.2.1:80: weird"),
		Response: measurement.HTTPResponse{
			Body:        measurement.MaybeBinary("<p>Your address: " + ip + "</p>"),
			Headers:     map[string]measurement.MaybeBinary{"X-Client-Ip": ip},
			HeadersList: []measurement.HTTPHeader{{Key: "X-Client-Ip", Value: ip}},
		},
	}, {
		Response: measurement.HTTPResponse{Body: measurement.MaybeBinary("\xff\xfe binary " + ip)},
	}}
	keys.Control = &measurement.ControlResponse{
		TCPConnect: map[string]measurement.ControlTCPConnect{ip + ":443": {Status: true}},
	}
	tk, err := json.Marshal(keys)
	if err != nil {
		t.Fatal(err)
	}
	m := &measurement.Measurement{
		TestName: "web_connectivity", MeasurementStartTime: "2026-11-23 00:00:00",
		ProbeIP: ip, ResolverIP: "192.0.2.53", Input: "http://whoami.example/?ip=" + ip,
		Annotations: map[string]string{"note": ip}, TestKeys: tk,
	}
	if err := s.Measurement(m); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), ip) {
		t.Fatalf("address survived in text: %s", out)
	}
	if leaks := s.Leaks(out); len(leaks) > 0 {
		t.Fatalf("address survived at %v", leaks)
	}
	if m.ProbeIP != measurement.ScrubbedIP || m.ResolverIP != "192.0.2.53" {
		t.Fatalf("probe_ip %q resolver_ip %q", m.ProbeIP, m.ResolverIP)
	}
	// The raw DNS message is still a DNS message, now answering loopback.
	var back measurement.WebTestKeys
	if err := json.Unmarshal(m.TestKeys, &back); err != nil {
		t.Fatal(err)
	}
	var scrubbed dns.Msg
	if err := scrubbed.Unpack(back.Queries[0].RawResponse); err != nil {
		t.Fatalf("raw DNS message broken by scrubbing: %v", err)
	}
	if a := scrubbed.Answer[0].(*dns.A).A.String(); a != "127.0.0.1" {
		t.Fatalf("raw answer %s", a)
	}
	if !strings.Contains(string(back.Requests[1].Response.Body), "[***********]") {
		t.Fatalf("binary body not scrubbed: %q", back.Requests[1].Response.Body)
	}
}

// TestBinaryKeepsLengths: an address written as text inside binary data
// (a DNS TXT record) is replaced by a marker of the same length, so the
// message still parses.
func TestBinaryKeepsLengths(t *testing.T) {
	const ip = "198.51.100.23"
	s := mustParse(t, ip)
	msg := new(dns.Msg)
	msg.SetQuestion("myip.example.", dns.TypeTXT)
	rr, err := dns.NewRR(`myip.example. 60 IN TXT "your address is ` + ip + `"`)
	if err != nil {
		t.Fatal(err)
	}
	msg.Answer = append(msg.Answer, rr)
	raw, err := msg.Pack()
	if err != nil {
		t.Fatal(err)
	}
	clean := s.Bytes(raw)
	if len(clean) != len(raw) || strings.Contains(string(clean), ip) {
		t.Fatalf("scrubbed message: %q", clean)
	}
	var back dns.Msg
	if err := back.Unpack(clean); err != nil {
		t.Fatalf("the scrubbed message no longer parses: %v", err)
	}
	if txt := back.Answer[0].(*dns.TXT).Txt[0]; txt != "your address is [***********]" {
		t.Fatalf("TXT %q", txt)
	}
}

func TestJSONKeepsNumbersAndOtherText(t *testing.T) {
	s := mustParse(t, "192.0.2.200")
	in := `{"big":12345678901234567890,"f":0.1,"s":"<a href=x>192.0.2.200</a>","k":{"192.0.2.200:80":1}}`
	out, err := s.JSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"big":12345678901234567890,"f":0.1,"k":{"[scrubbed]:80":1},"s":"<a href=x>[scrubbed]</a>"}`
	if string(out) != want {
		t.Fatalf("got  %s\nwant %s", out, want)
	}
	if _, err := s.JSON([]byte(`{"a":`)); err == nil {
		t.Fatal("broken JSON accepted")
	}
}

func ptr(s string) *string { return &s }

func FuzzJSON(f *testing.F) {
	f.Add(`{"a":"x"}`, uint8(3))
	f.Add(`{"body":{"format":"base64","data":"AAAA"},"list":["", "y"]}`, uint8(0))
	addr := netip.MustParseAddr("203.0.113.9")
	s := New(addr)
	f.Fuzz(func(t *testing.T, doc string, where uint8) {
		var v any
		if json.Unmarshal([]byte(doc), &v) != nil {
			return
		}
		// Plant the address in text and in binary form, then scrub.
		planted := map[string]any{
			"doc":  v,
			"text": strings.Repeat("z", int(where%7)) + addr.String(),
			"bin":  base64.StdEncoding.EncodeToString(append([]byte(strings.Repeat("q", int(where%5))), addr.AsSlice()...)),
		}
		in, err := json.Marshal(planted)
		if err != nil {
			return
		}
		out, err := s.JSON(in)
		if err != nil {
			t.Fatalf("valid JSON rejected: %v", err)
		}
		if leaks := s.Leaks(out); len(leaks) > 0 {
			t.Fatalf("leaks %v in %s", leaks, out)
		}
		if !json.Valid(out) {
			t.Fatalf("invalid output %s", out)
		}
	})
}

func TestValueMatchesJSON(t *testing.T) {
	s := New(netip.MustParseAddr("203.0.113.7"))
	doc := []byte(`{"a":"my ip is 203.0.113.7","203.0.113.7":[1.50,"x",{"b":"ywBxBw=="}],"n":12345678901234567890}`)
	want, err := s.JSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s.Value(v)); err != nil {
		t.Fatal(err)
	}
	if got := bytes.TrimSpace(buf.Bytes()); !bytes.Equal(got, want) {
		t.Errorf("Value then encode:\n%s\nJSON:\n%s", got, want)
	}
	if leaks := s.Leaks(want); leaks != nil {
		t.Errorf("leaks: %v", leaks)
	}
	var none *Scrubber
	if none.Value(v) == nil {
		t.Error("a nil Scrubber must return the value")
	}
}
