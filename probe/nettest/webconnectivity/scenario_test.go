package webconnectivity_test

import (
	"net"
	"net/http"
	"testing"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/targettest"
	"github.com/sonde-project/sonde/probe/nettest/webconnectivity"
	"github.com/sonde-project/sonde/probe/nettest/webconnectivity/wctest"
)

// The censorship cases, written as data: the censor's rule, and what
// web_connectivity must conclude. Each runs the probe, a real control
// helper and real servers on loopback.

// scenario is one censorship case (wctest.Scenario) and what the probe
// must conclude.
type scenario struct {
	name string
	wctest.Scenario

	blocking   measurement.Blocking
	accessible *bool
	dns        string // the expected dns_consistency
	check      func(t *testing.T, tk *webconnectivity.TestKeys)
}

var (
	yes, no = true, false
)

func scenarios() []scenario {
	return []scenario{
		{name: "https works", Scenario: wctest.Scenario{Scheme: "https"},
			blocking: measurement.NotBlocked, accessible: &yes, dns: measurement.DNSConsistent,
			check: func(t *testing.T, tk *webconnectivity.TestKeys) {
				if len(tk.Endpoints) != 1 || tk.Endpoints[0].TCP != "" || tk.Endpoints[0].TLS != "" ||
					tk.Endpoints[0].ControlTLS != "" || tk.Endpoints[0].ASN != wctest.SiteASN || tk.Endpoints[0].Flags != 11 {
					t.Errorf("x_endpoints %+v", tk.Endpoints)
				}
			}},
		{name: "http works", Scenario: wctest.Scenario{Scheme: "http"},
			blocking: measurement.NotBlocked, accessible: &yes, dns: measurement.DNSConsistent,
			check: func(t *testing.T, tk *webconnectivity.TestKeys) {
				if !isTrue(tk.StatusCodeMatch) || !isTrue(tk.BodyLengthMatch) || !isTrue(tk.TitleMatch) || !isTrue(tk.HeadersMatch) {
					t.Errorf("comparisons: status %v body %v title %v headers %v", tk.StatusCodeMatch, tk.BodyLengthMatch, tk.TitleMatch, tk.HeadersMatch)
				}
			}},
		{name: "lying resolver", Scenario: wctest.Scenario{Scheme: "http", LyingDNS: true},
			blocking: measurement.BlockedBy(measurement.BlockingDNS), accessible: &no, dns: measurement.DNSInconsistent,
			check: func(t *testing.T, tk *webconnectivity.TestKeys) {
				if tk.Endpoints[0].Address[:len(wctest.HijackIP)] != wctest.HijackIP || tk.Endpoints[0].ASN != wctest.CensorASN {
					t.Errorf("x_endpoints %+v", tk.Endpoints)
				}
			}},
		{name: "reset after the ClientHello for the blocked name", Scenario: wctest.Scenario{Scheme: "https", Censor: wctest.CensorConfig{Rule: wctest.ResetSNI, SNI: "site.test"}},
			blocking: measurement.BlockedBy(measurement.BlockingTLS), accessible: &no, dns: measurement.DNSConsistent,
			check: func(t *testing.T, tk *webconnectivity.TestKeys) {
				if ep := tk.Endpoints[0]; ep.TCP != "" || ep.TLS != failure.ConnectionReset || ep.ControlTLS != "" {
					t.Errorf("x_endpoints %+v", tk.Endpoints)
				}
				if tk.HTTPExperimentFailure != nil || len(tk.Requests) != 0 {
					t.Errorf("fetched through a failed handshake: %v", tk.Requests)
				}
			}},
		{name: "another name on the same censored address", Scenario: wctest.Scenario{Scheme: "https", Censor: wctest.CensorConfig{Rule: wctest.ResetSNI, SNI: "site.test"}, Host: "other.test"},
			blocking: measurement.NotBlocked, accessible: &yes, dns: measurement.DNSConsistent},
		{name: "blockpage instead of the page", Scenario: wctest.Scenario{Scheme: "http", Censor: wctest.CensorConfig{Rule: wctest.Blockpage}},
			blocking: measurement.BlockedBy(measurement.BlockingHTTPDiff), accessible: &no, dns: measurement.DNSConsistent,
			check: func(t *testing.T, tk *webconnectivity.TestKeys) {
				if !isTrue(tk.StatusCodeMatch) || isTrue(tk.BodyLengthMatch) || isTrue(tk.TitleMatch) || isTrue(tk.HeadersMatch) {
					t.Errorf("comparisons: status %v body %v title %v headers %v", tk.StatusCodeMatch, tk.BodyLengthMatch, tk.TitleMatch, tk.HeadersMatch)
				}
				if tk.BodyProportion == nil || *tk.BodyProportion > 0.7 {
					t.Errorf("body_proportion %v", tk.BodyProportion)
				}
			}},
		{name: "black-holed address", Scenario: wctest.Scenario{Scheme: "https", Censor: wctest.CensorConfig{Rule: wctest.Blackhole}},
			blocking: measurement.BlockedBy(measurement.BlockingTCPIP), accessible: &no, dns: measurement.DNSConsistent,
			check: func(t *testing.T, tk *webconnectivity.TestKeys) {
				if ep := tk.Endpoints[0]; ep.TCP != failure.GenericTimeout || ep.ControlTCP != "" {
					t.Errorf("x_endpoints %+v", tk.Endpoints)
				}
				if len(tk.TCPConnect) == 0 || tk.TCPConnect[0].Status.Blocked == nil || !*tk.TCPConnect[0].Status.Blocked {
					t.Errorf("tcp_connect %+v", tk.TCPConnect)
				}
			}},
		{name: "http/3 works", Scenario: wctest.Scenario{Scheme: "https", H3: true},
			blocking: measurement.NotBlocked, accessible: &yes, dns: measurement.DNSConsistent,
			check: func(t *testing.T, tk *webconnectivity.TestKeys) {
				if ep := tk.Endpoints[0]; ep.QUIC != "" || ep.ControlQUIC != "" {
					t.Errorf("x_endpoints %+v", tk.Endpoints)
				}
				if n := len(tk.Requests); n < 2 || tk.Requests[n-1].Network != "udp" || tk.Requests[n-1].Response.Code != 200 {
					t.Errorf("no HTTP/3 request after the TCP one: %+v", tk.Requests)
				}
			}},
		{name: "quic blocked", Scenario: wctest.Scenario{Scheme: "https", H3: true, DropQUIC: true},
			blocking: measurement.BlockedBy(measurement.BlockingQUIC), accessible: &yes, dns: measurement.DNSConsistent,
			check: func(t *testing.T, tk *webconnectivity.TestKeys) {
				if ep := tk.Endpoints[0]; ep.QUIC != failure.GenericTimeout || ep.ControlQUIC != "" {
					t.Errorf("x_endpoints %+v", tk.Endpoints)
				}
			}},
	}
}

func isTrue(b *bool) bool { return b != nil && *b }

func TestScenarios(t *testing.T) {
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			if why := sc.Skip(); why != "" {
				t.Skip(why)
			}
			runScenario(t, sc)
		})
	}
}

func runScenario(t *testing.T, sc scenario) {
	s := wctest.Build(t, sc.Scenario)
	res, tk := measure(t, s.Env, s.URL)

	if tk.Blocking != sc.blocking || !samePtr(tk.Accessible, sc.accessible) {
		t.Errorf("blocking %s accessible %s, want %s %s", jsonOf(tk.Blocking), jsonOf(tk.Accessible), jsonOf(sc.blocking), jsonOf(sc.accessible))
	}
	if res.Blocking != tk.Blocking {
		t.Errorf("Result.Blocking %v differs from the keys' %v", res.Blocking, tk.Blocking)
	}
	if failure.Of(tk.DNSConsistency) != sc.dns {
		t.Errorf("dns_consistency %q, want %q", failure.Of(tk.DNSConsistency), sc.dns)
	}
	if tk.Control == nil || tk.ControlFailure != nil {
		t.Fatalf("no control: %v", failure.Of(tk.ControlFailure))
	}
	if sc.check != nil {
		sc.check(t, tk)
	}
	if t.Failed() {
		t.Logf("test keys: %s", jsonOf(tk))
	}
}

// TestScenarioHelperSeesTheSite: the censor lets the helper through, the
// premise of every scenario (a censor that blocked both would make every
// case "down").
func TestScenarioHelperSeesTheSite(t *testing.T) {
	w := wctest.NewWorld(t, "site.test. 60 IN A "+wctest.ProbeIP)
	site := w.HTTPSSite("sonde test site", "", "site.test")
	c := wctest.NewCensor(t, wctest.ProbeIP+":0", site.Addr, wctest.CensorConfig{Rule: wctest.ResetSNI, SNI: "site.test"})
	_, port, _ := net.SplitHostPort(c.Addr)
	resp, err := http.Post(w.Helper.URL, "application/json",
		jsonReader(`{"http_request":"https://site.test:`+port+`/","tcp_connect":["127.0.0.1:`+port+`"]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	ctrl := decodeJSON[measurement.ControlResponse](t, resp.Body)
	if ctrl.HTTPRequest.StatusCode != 200 || !ctrl.TLSHandshake["127.0.0.1:"+port].Status {
		t.Fatalf("the helper did not get through the censor: %+v", ctrl)
	}
}

// TestOutcomesWithoutCensor: what is not censorship must not read as
// censorship: a dead site and a name that does not exist are "down"
// (blocking false, accessible false); without a control nothing can be
// said of an http page, while an https page that loads is accessible.
func TestOutcomesWithoutCensor(t *testing.T) {
	w := wctest.NewWorld(t, "site.test. 60 IN A "+wctest.ProbeIP)
	deadPort := wctest.ClosedPort(t, wctest.ProbeIP)
	site := targettest.NewHTTPServer(t, targettest.Website("sonde test site"))
	_, sitePort, _ := net.SplitHostPort(site.Addr)
	tlsSite := w.HTTPSSite("sonde test site", "", "site.test")
	_, tlsPort, _ := net.SplitHostPort(tlsSite.Addr)
	noHelper := w.Env(w.RealDNS.Addr)
	noHelper.ControlURL = "http://127.0.0.1:" + wctest.ClosedPort(t, wctest.ProbeIP) + "/"
	cases := []struct {
		name, url   string
		noControl   bool
		blocking    measurement.Blocking
		accessible  *bool
		dnsFailure  string
		ctrlFailure string
	}{
		{name: "site down", url: "https://site.test:" + deadPort + "/", blocking: measurement.NotBlocked, accessible: &no},
		{name: "name does not exist", url: "https://nx.test/", blocking: measurement.NotBlocked, accessible: &no,
			dnsFailure: failure.DNSNXDOMAIN},
		{name: "no control, http", url: "http://site.test:" + sitePort + "/", noControl: true,
			ctrlFailure: failure.ConnectionRefused},
		{name: "no control, https works", url: "https://site.test:" + tlsPort + "/", noControl: true,
			blocking: measurement.NotBlocked, accessible: &yes, ctrlFailure: failure.ConnectionRefused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := w.Env(w.RealDNS.Addr)
			if c.noControl {
				env = noHelper
			}
			_, tk := measure(t, env, c.url)
			if tk.Blocking != c.blocking || !samePtr(tk.Accessible, c.accessible) {
				t.Errorf("blocking %s accessible %s, want %s %s", jsonOf(tk.Blocking), jsonOf(tk.Accessible), jsonOf(c.blocking), jsonOf(c.accessible))
			}
			if failure.Of(tk.DNSExperimentFailure) != c.dnsFailure || failure.Of(tk.ControlFailure) != c.ctrlFailure {
				t.Errorf("dns_experiment_failure %q control_failure %q", failure.Of(tk.DNSExperimentFailure), failure.Of(tk.ControlFailure))
			}
			if t.Failed() {
				t.Logf("test keys: %s", jsonOf(tk))
			}
		})
	}
}
