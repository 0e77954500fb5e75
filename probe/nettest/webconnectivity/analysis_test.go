package webconnectivity

import (
	"testing"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
)

func ptr[T any](v T) *T { return &v }

// ctrlWith is a control answer that resolved addrs, with ip_info ASNs.
func ctrlWith(addrs []string, asns map[string]int64) *measurement.ControlResponse {
	c := &measurement.ControlResponse{DNS: measurement.ControlDNS{Addrs: addrs}, IPInfo: map[string]measurement.ControlIPInfo{}}
	for a, asn := range asns {
		c.IPInfo[a] = measurement.ControlIPInfo{ASN: asn, Flags: measurement.IPFlagResolvedByTH}
	}
	return c
}

func TestDNSConsistency(t *testing.T) {
	ok := func(name string, addrs ...string) resolverAnswer { return resolverAnswer{name: name, addrs: addrs} }
	bad := func(name, f string) resolverAnswer { return resolverAnswer{name: name, failure: f} }
	site := ctrlWith([]string{"93.184.216.34"}, map[string]int64{"93.184.216.34": 15133, "93.184.216.35": 15133, "198.51.100.9": 64666})
	nx := &measurement.ControlResponse{DNS: measurement.ControlDNS{Failure: ptr(failure.ControlDNSNameError), Addrs: []string{}}}
	ctrlBroken := &measurement.ControlResponse{DNS: measurement.ControlDNS{Failure: ptr(failure.ControlUnknownError)}}
	noData := &measurement.ControlResponse{DNS: measurement.ControlDNS{Addrs: []string{}}}
	cases := []struct {
		name    string
		ip      bool
		answers []resolverAnswer
		ctrl    *measurement.ControlResponse
		want    string // "" = nil
	}{
		{"same address", false, []resolverAnswer{ok("system", "93.184.216.34")}, site, "consistent"},
		{"same network", false, []resolverAnswer{ok("system", "93.184.216.35")}, site, "consistent"},
		{"other network", false, []resolverAnswer{ok("system", "198.51.100.9")}, site, "inconsistent"},
		{"no ASN, no overlap", false, []resolverAnswer{ok("system", "203.0.113.1")}, site, "inconsistent"},
		{"bogon answer", false, []resolverAnswer{ok("system", "10.10.34.36")}, ctrlWith([]string{"157.240.1.35"}, nil), "inconsistent"},
		{"both nxdomain", false, []resolverAnswer{bad("system", failure.DNSNXDOMAIN)}, nx, "consistent"},
		{"probe nxdomain only", false, []resolverAnswer{bad("system", failure.DNSNXDOMAIN)}, site, "inconsistent"},
		{"probe timeout", false, []resolverAnswer{bad("system", failure.GenericTimeout)}, site, "inconsistent"},
		{"control nxdomain only", false, []resolverAnswer{ok("system", "93.184.216.34")}, nx, "inconsistent"},
		{"control broken", false, []resolverAnswer{ok("system", "93.184.216.34")}, ctrlBroken, ""},
		{"both no data", false, []resolverAnswer{bad("system", failure.DNSNoAnswer)}, noData, "consistent"},
		{"no control", false, []resolverAnswer{ok("system", "93.184.216.34")}, nil, ""},
		{"ip literal", true, nil, nil, "consistent"},
		{"second resolver lies", false, []resolverAnswer{ok("system", "93.184.216.34"), ok("udp://192.0.2.53:53", "198.51.100.9")}, site, "inconsistent"},
		{"second resolver unreachable", false, []resolverAnswer{ok("system", "93.184.216.34"), bad("udp://192.0.2.53:53", failure.GenericTimeout)}, site, "consistent"},
		{"second resolver says nxdomain", false, []resolverAnswer{ok("system", "93.184.216.34"), bad("udp://192.0.2.53:53", failure.DNSNXDOMAIN)}, site, "inconsistent"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := failure.Of(dnsConsistency(c.ip, c.answers, c.ctrl)); got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestAnswersByResolver(t *testing.T) {
	q := func(engine, addr, qtype, ip string, f string) measurement.DNSQuery {
		out := measurement.DNSQuery{Engine: engine, ResolverAddress: addr, Hostname: "example.org", QueryType: qtype, Failure: failure.Ptr(f)}
		if ip != "" {
			out.Answers = []measurement.DNSAnswer{{AnswerType: qtype, IPv4: ip}}
		}
		return out
	}
	got := answersByResolver("example.org", []measurement.DNSQuery{
		q("udp", "192.0.2.53:53", "A", "", failure.GenericTimeout),
		q("golang_net_resolver", "", "ANY", "93.184.216.34", ""),
		q("udp", "192.0.2.53:53", "AAAA", "", failure.DNSNoAnswer),
		{Engine: "udp", Hostname: "other.example", QueryType: "A"},
	})
	if len(got) != 2 || got[0].name != "system" || got[0].addrs[0] != "93.184.216.34" ||
		got[1].name != "udp://192.0.2.53:53" || got[1].failure != failure.GenericTimeout {
		t.Fatalf("%+v", got)
	}
}

func TestHTTPComparisons(t *testing.T) {
	page := `<html><title>Example Domain for tests</title>` + string(make([]byte, 1000)) + `</html>`
	resp := &measurement.HTTPResponse{Code: 200, Body: measurement.MaybeBinary(page),
		Headers: map[string]measurement.MaybeBinary{"Date": "x", "Content-Type": "text/html", "X-Site": "1"}}
	ctrl := &measurement.ControlResponse{HTTPRequest: measurement.ControlHTTPRequest{
		StatusCode: 200, BodyLength: int64(len(page)) + 100, Title: "Example DOMAIN for tests",
		Headers: map[string]string{"Date": "y", "Content-Type": "text/html", "X-Site": "2", "Content-Length": "5"},
	}}
	m, p := bodyLengthMatch(resp, ctrl)
	if m == nil || !*m || p == nil || *p < 0.9 {
		t.Errorf("body %v %v", m, p)
	}
	if m := statusCodeMatch(resp, ctrl); m == nil || !*m {
		t.Errorf("status %v", m)
	}
	if m := headersMatch(resp, ctrl); m == nil || !*m {
		t.Errorf("headers (share X-Site) %v", m)
	}
	if m := titleMatch(resp, ctrl); m == nil || !*m {
		t.Errorf("title %v", m)
	}

	block := &measurement.HTTPResponse{Code: 200, Body: `<title>Access Denied</title>`,
		Headers: map[string]measurement.MaybeBinary{"Server": "censor", "Connection": "close"}}
	if m, _ := bodyLengthMatch(block, ctrl); m == nil || *m {
		t.Errorf("blockpage body %v", m)
	}
	if m := headersMatch(block, ctrl); m == nil || *m {
		t.Errorf("blockpage headers %v", m)
	}
	if m := titleMatch(block, ctrl); m == nil || *m {
		t.Errorf("blockpage title %v", m)
	}
	// Not applicable.
	if m, p := bodyLengthMatch(&measurement.HTTPResponse{Code: 200, Body: "x", BodyIsTruncated: true}, ctrl); m != nil || p != nil {
		t.Error("truncated body compared")
	}
	if m := statusCodeMatch(&measurement.HTTPResponse{Code: 200}, &measurement.ControlResponse{HTTPRequest: measurement.ControlHTTPRequest{StatusCode: 503}}); m != nil {
		t.Error("a differing 5xx from the control counted")
	}
	if m := titleMatch(&measurement.HTTPResponse{Code: 200, Body: "no title"}, ctrl); m != nil {
		t.Error("title compared without a title")
	}
	if m := headersMatch(nil, ctrl); m != nil {
		t.Error("headers compared without a response")
	}
}
