package webconnectivity_test

import (
	"net"
	"net/http"
	"testing"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/targettest"
	"github.com/sonde-project/sonde/probe/nettest/webconnectivity"
)

// The censorship cases, written as data: the censor's rule, and what
// web_connectivity must conclude. Each runs the probe, a real control
// helper and real servers on loopback.

// scenario is one censorship case.
type scenario struct {
	name   string
	scheme string // "http" or "https"
	rule   rule   // what the censor in front of the site does to the probe
	sni    string // the name the resetSNI rule matches
	host   string // the name measured (site.test unless set)
	// lyingDNS sends the probe's resolver to hijackIP for site.test.
	lyingDNS bool
	// h3 serves HTTP/3 next to HTTPS; dropQUIC drops the probe's datagrams.
	h3, dropQUIC bool

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
		{name: "https works", scheme: "https", rule: pass,
			blocking: measurement.NotBlocked, accessible: &yes, dns: measurement.DNSConsistent,
			check: func(t *testing.T, tk *webconnectivity.TestKeys) {
				if len(tk.Endpoints) != 1 || tk.Endpoints[0].TCP != "" || tk.Endpoints[0].TLS != "" ||
					tk.Endpoints[0].ControlTLS != "" || tk.Endpoints[0].ASN != siteASN || tk.Endpoints[0].Flags != 11 {
					t.Errorf("x_endpoints %+v", tk.Endpoints)
				}
			}},
		{name: "http works", scheme: "http", rule: pass,
			blocking: measurement.NotBlocked, accessible: &yes, dns: measurement.DNSConsistent,
			check: func(t *testing.T, tk *webconnectivity.TestKeys) {
				if !isTrue(tk.StatusCodeMatch) || !isTrue(tk.BodyLengthMatch) || !isTrue(tk.TitleMatch) || !isTrue(tk.HeadersMatch) {
					t.Errorf("comparisons: status %v body %v title %v headers %v", tk.StatusCodeMatch, tk.BodyLengthMatch, tk.TitleMatch, tk.HeadersMatch)
				}
			}},
		{name: "lying resolver", scheme: "http", rule: pass, lyingDNS: true,
			blocking: measurement.BlockedBy(measurement.BlockingDNS), accessible: &no, dns: measurement.DNSInconsistent,
			check: func(t *testing.T, tk *webconnectivity.TestKeys) {
				if tk.Endpoints[0].Address[:len(hijackIP)] != hijackIP || tk.Endpoints[0].ASN != censorASN {
					t.Errorf("x_endpoints %+v", tk.Endpoints)
				}
			}},
		{name: "reset after the ClientHello for the blocked name", scheme: "https", rule: resetSNI, sni: "site.test",
			blocking: measurement.BlockedBy(measurement.BlockingTLS), accessible: &no, dns: measurement.DNSConsistent,
			check: func(t *testing.T, tk *webconnectivity.TestKeys) {
				if ep := tk.Endpoints[0]; ep.TCP != "" || ep.TLS != failure.ConnectionReset || ep.ControlTLS != "" {
					t.Errorf("x_endpoints %+v", tk.Endpoints)
				}
				if tk.HTTPExperimentFailure != nil || len(tk.Requests) != 0 {
					t.Errorf("fetched through a failed handshake: %v", tk.Requests)
				}
			}},
		{name: "another name on the same censored address", scheme: "https", rule: resetSNI, sni: "site.test", host: "other.test",
			blocking: measurement.NotBlocked, accessible: &yes, dns: measurement.DNSConsistent},
		{name: "blockpage instead of the page", scheme: "http", rule: blockpage,
			blocking: measurement.BlockedBy(measurement.BlockingHTTPDiff), accessible: &no, dns: measurement.DNSConsistent,
			check: func(t *testing.T, tk *webconnectivity.TestKeys) {
				if !isTrue(tk.StatusCodeMatch) || isTrue(tk.BodyLengthMatch) || isTrue(tk.TitleMatch) || isTrue(tk.HeadersMatch) {
					t.Errorf("comparisons: status %v body %v title %v headers %v", tk.StatusCodeMatch, tk.BodyLengthMatch, tk.TitleMatch, tk.HeadersMatch)
				}
				if tk.BodyProportion == nil || *tk.BodyProportion > 0.7 {
					t.Errorf("body_proportion %v", tk.BodyProportion)
				}
			}},
		{name: "black-holed address", scheme: "https", rule: blackhole,
			blocking: measurement.BlockedBy(measurement.BlockingTCPIP), accessible: &no, dns: measurement.DNSConsistent,
			check: func(t *testing.T, tk *webconnectivity.TestKeys) {
				if ep := tk.Endpoints[0]; ep.TCP != failure.GenericTimeout || ep.ControlTCP != "" {
					t.Errorf("x_endpoints %+v", tk.Endpoints)
				}
				if len(tk.TCPConnect) == 0 || tk.TCPConnect[0].Status.Blocked == nil || !*tk.TCPConnect[0].Status.Blocked {
					t.Errorf("tcp_connect %+v", tk.TCPConnect)
				}
			}},
		{name: "http/3 works", scheme: "https", rule: pass, h3: true,
			blocking: measurement.NotBlocked, accessible: &yes, dns: measurement.DNSConsistent,
			check: func(t *testing.T, tk *webconnectivity.TestKeys) {
				if ep := tk.Endpoints[0]; ep.QUIC != "" || ep.ControlQUIC != "" {
					t.Errorf("x_endpoints %+v", tk.Endpoints)
				}
				if n := len(tk.Requests); n < 2 || tk.Requests[n-1].Network != "udp" || tk.Requests[n-1].Response.Code != 200 {
					t.Errorf("no HTTP/3 request after the TCP one: %+v", tk.Requests)
				}
			}},
		{name: "quic blocked", scheme: "https", rule: pass, h3: true, dropQUIC: true,
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
			if (sc.rule == blackhole || sc.dropQUIC) && !canBlackhole {
				t.Skip("the black-hole censor needs Linux socket filters")
			}
			runScenario(t, sc)
		})
	}
}

func runScenario(t *testing.T, sc scenario) {
	zone := []string{"site.test. 60 IN A " + probeIP, "other.test. 60 IN A " + probeIP}
	w := newWorld(t, zone...)
	var upstream string
	var h3port string
	if sc.h3 {
		h3port = w.h3Site("sonde test site", sc.dropQUIC, "site.test", "other.test")
	}
	if sc.scheme == "https" {
		upstream = w.httpsSite("sonde test site", h3port, "site.test", "other.test").Addr
	} else {
		upstream = targettest.NewHTTPServer(t, targettest.Website("sonde test site")).Addr
	}
	c := newCensor(t, probeIP+":0", upstream, sc.rule, sc.sni)
	_, port, _ := net.SplitHostPort(c.Addr)
	probeDNS := w.realDNS.Addr
	if sc.lyingDNS {
		newCensor(t, net.JoinHostPort(hijackIP, port), upstream, hijack, "")
		lies := targettest.NewZone(t, "site.test. 60 IN A "+hijackIP, "other.test. 60 IN A "+hijackIP)
		probeDNS = targettest.NewDNSServer(t, targettest.Answer(lies)).Addr
	}
	host := sc.host
	if host == "" {
		host = "site.test"
	}
	url := sc.scheme + "://" + net.JoinHostPort(host, port) + "/"
	res, tk := w.measure(w.env(probeDNS), url)

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
	w := newWorld(t, "site.test. 60 IN A "+probeIP)
	site := w.httpsSite("sonde test site", "", "site.test")
	c := newCensor(t, probeIP+":0", site.Addr, resetSNI, "site.test")
	_, port, _ := net.SplitHostPort(c.Addr)
	resp, err := http.Post(w.helper.URL, "application/json",
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
	w := newWorld(t, "site.test. 60 IN A "+probeIP)
	deadPort := closedPort(t)
	site := targettest.NewHTTPServer(t, targettest.Website("sonde test site"))
	_, sitePort, _ := net.SplitHostPort(site.Addr)
	tlsSite := w.httpsSite("sonde test site", "", "site.test")
	_, tlsPort, _ := net.SplitHostPort(tlsSite.Addr)
	noHelper := w.env(w.realDNS.Addr)
	noHelper.ControlURL = "http://127.0.0.1:" + closedPort(t) + "/"
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
			env := w.env(w.realDNS.Addr)
			if c.noControl {
				env = noHelper
			}
			_, tk := w.measure(env, c.url)
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

// closedPort returns a port of probeIP where nothing listens.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", probeIP+":0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	return port
}
