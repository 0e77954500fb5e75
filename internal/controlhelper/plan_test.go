package controlhelper

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"reflect"
	"testing"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
)

func TestPlan(t *testing.T) {
	infos := []addrInfo{
		{addr: netip.MustParseAddr("203.0.113.5"), flags: measurement.IPFlagResolvedByTH},
		{addr: netip.MustParseAddr("198.51.100.1"), flags: measurement.IPFlagResolvedByProbe},
		{addr: netip.MustParseAddr("2001:db8::1"), flags: measurement.IPFlagResolvedByTH},
		{addr: netip.MustParseAddr("10.0.0.1"), flags: measurement.IPFlagResolvedByTH | measurement.IPFlagBogon},
	}
	show := func(eps []endpoint) []string {
		var out []string
		for _, e := range eps {
			out = append(out, fmt.Sprintf("%s tls=%v", e, e.tls))
		}
		return out
	}
	cases := []struct {
		url  string
		max  int
		want []string
	}{
		{"http://example.org/", 32, []string{
			"198.51.100.1:443 tls=true", "198.51.100.1:80 tls=false",
			"203.0.113.5:443 tls=true", "203.0.113.5:80 tls=false",
			"[2001:db8::1]:443 tls=true", "[2001:db8::1]:80 tls=false",
		}},
		{"https://example.org/", 32, []string{
			"198.51.100.1:443 tls=true", "203.0.113.5:443 tls=true", "[2001:db8::1]:443 tls=true",
		}},
		{"https://example.org:8443/", 32, []string{
			"198.51.100.1:8443 tls=true", "203.0.113.5:8443 tls=true", "[2001:db8::1]:8443 tls=true",
		}},
		{"http://example.org:8080/", 32, []string{
			"198.51.100.1:8080 tls=false", "203.0.113.5:8080 tls=false", "[2001:db8::1]:8080 tls=false",
		}},
		// Past the limit the probe's addresses are kept first.
		{"https://example.org/", 1, []string{"198.51.100.1:443 tls=true"}},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			tg, err := parseTarget(c.url)
			if err != nil {
				t.Fatal(err)
			}
			if got := show(plan(tg, infos, c.max)); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("plan\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestLegacyFailures(t *testing.T) {
	cases := []struct {
		name string
		got  *string
		want string
	}{
		{"dns ok", dnsFailure(""), ""},
		{"dns nxdomain", dnsFailure(failure.DNSNXDOMAIN), "dns_name_error"},
		{"dns no answer is no failure", dnsFailure(failure.DNSNoAnswer), ""},
		{"dns servfail", dnsFailure(failure.DNSServfail), "dns_server_failure"},
		{"dns refused", dnsFailure(failure.DNSRefused), "dns_server_failure"},
		{"dns timeout", dnsFailure(failure.GenericTimeout), "unknown_error"},
		{"tcp refused", tcpFailure(failure.ConnectionRefused), "connection_refused_error"},
		{"tcp timeout", tcpFailure(failure.GenericTimeout), "generic_timeout_error"},
		{"tcp unreachable", tcpFailure(failure.HostUnreachable), "connect_error"},
		{"http dns", httpFailure(failure.DNSNXDOMAIN, failure.OpResolve), "dns_lookup_error"},
		{"http dns timeout", httpFailure(failure.GenericTimeout, failure.OpResolve), "dns_lookup_error"},
		{"http timeout", httpFailure(failure.GenericTimeout, failure.OpRead), "generic_timeout_error"},
		{"http refused", httpFailure(failure.ConnectionRefused, ""), "connection_refused_error"},
		{"http reset", httpFailure(failure.ConnectionReset, ""), "unknown_error"},
		{"http tls", httpFailure(failure.SSLInvalidHostname, ""), "unknown_error"},
	}
	for _, c := range cases {
		if failure.Of(c.got) != c.want {
			t.Errorf("%s: %q, want %q", c.name, failure.Of(c.got), c.want)
		}
	}
}

func TestParseAltSvc(t *testing.T) {
	cases := map[string]string{
		`h3=":443"; ma=86400, h3-29=":443"; ma=86400`: ":443",
		`h3-29=":443", h3="alt.example:8443"`:         "alt.example:8443",
		`h2=":443"`:                                   "",
		`clear`:                                       "",
		``:                                            "",
		` h3 =":443"`:                                 "",
	}
	for in, want := range cases {
		if got := parseAltSvc(in); got != want {
			t.Errorf("parseAltSvc(%q) = %q, want %q", in, got, want)
		}
	}
	tg, _ := parseTarget("https://example.org:8443/")
	for value, want := range map[string]string{
		`h3=":443"`:                "example.org:443",
		`h3="alt.example:4433"`:    "alt.example:4433",
		`h3=":0"`:                  "",
		`h3="[2001:db8::1]:443"`:   "2001:db8::1",
		`h3="no-port.example"`:     "",
		`h3=":99999"; ma=3600`:     "",
		`h3-29=":443", h3=":8443"`: "example.org:8443",
	} {
		resp := &http.Response{Header: http.Header{"Alt-Svc": {value}}, Request: &http.Request{URL: &url.URL{}}}
		got := discoverH3(resp, tg)
		if want == "2001:db8::1" {
			want = "[2001:db8::1]:443"
		}
		if got != want {
			t.Errorf("discoverH3(%q) = %q, want %q", value, got, want)
		}
	}
}

func TestLookupFailure(t *testing.T) {
	q := func(f string) queryResult { return queryResult{failure: f} }
	cases := []struct {
		a, aaaa queryResult
		want    string
	}{
		{q(failure.DNSNXDOMAIN), q(failure.DNSNoAnswer), failure.DNSNXDOMAIN},
		{q(failure.DNSNoAnswer), q(failure.DNSNXDOMAIN), failure.DNSNXDOMAIN},
		{q(failure.DNSNoAnswer), q(failure.DNSNoAnswer), failure.DNSNoAnswer},
		{q(failure.GenericTimeout), q(failure.DNSNoAnswer), failure.GenericTimeout},
		{q(failure.GenericTimeout), q(failure.DNSServfail), failure.DNSServfail},
		{q(""), q(""), failure.DNSNoAnswer},
	}
	for _, c := range cases {
		if got := lookupFailure(c.a, c.aaaa); got != c.want {
			t.Errorf("lookupFailure(%q, %q) = %q, want %q", c.a.failure, c.aaaa.failure, got, c.want)
		}
	}
}
