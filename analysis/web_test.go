package analysis

import (
	"testing"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
)

// web_connectivity cases: the probe's steps and the control's view.

func control(addrs []string, tcp map[string]bool, status int64, body int64, title string, httpFailure string) *measurement.ControlResponse {
	c := &measurement.ControlResponse{
		DNS:         measurement.ControlDNS{Addrs: addrs},
		TCPConnect:  map[string]measurement.ControlTCPConnect{},
		HTTPRequest: measurement.ControlHTTPRequest{StatusCode: status, BodyLength: body, Title: title, Failure: failure.Ptr(httpFailure)},
		IPInfo:      map[string]measurement.ControlIPInfo{},
	}
	for ep, ok := range tcp {
		c.TCPConnect[ep] = measurement.ControlTCPConnect{Status: ok}
	}
	return c
}

const page = "<html><head><title>The Example News</title></head><body>" +
	"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.</body></html>"

func TestWebConnectivityScenarios(t *testing.T) {
	okControl := control([]string{"203.0.113.5"}, map[string]bool{"203.0.113.5:80": true}, 200, int64(len(page)), "The Example News", "")
	cases := []struct {
		name string
		tk   measurement.WebTestKeys
		want want
	}{
		{"same page as the control", measurement.WebTestKeys{
			Steps: measurement.Steps{Queries: []measurement.DNSQuery{aQuery("news.example", "203.0.113.5")},
				TCPConnect: []measurement.TCPConnect{connect("203.0.113.5", 80, "")},
				Requests:   []measurement.HTTPTransaction{request("http://news.example/", 200, page, "")}},
			Control: okControl},
			want{verdict.StatusOK, verdict.OK, "false", "", "the page matches"}},
		{"a censor-looking answer the control also got", measurement.WebTestKeys{
			// 127.0.0.1 is in OONI's DNS fingerprints (cl.dns_br_localhost),
			// but the uncensored control resolves the name to it too.
			Steps: measurement.Steps{Queries: []measurement.DNSQuery{aQuery("news.example", "127.0.0.1")},
				TCPConnect: []measurement.TCPConnect{connect("127.0.0.1", 80, failure.ConnectionRefused)}},
			Control: control([]string{"127.0.0.1"}, map[string]bool{"127.0.0.1:80": false}, 0, 0, "", failure.ConnectionRefused)},
			want{verdict.StatusDown, verdict.OK, "false", "", ""}},
		{"the same censor answer without the control's agreement", measurement.WebTestKeys{
			Steps:   measurement.Steps{Queries: []measurement.DNSQuery{aQuery("news.example", "127.0.0.1")}},
			Control: okControl},
			want{verdict.StatusBlocked, verdict.Anomaly, "dns", "cl.dns_br_localhost", "many filters use for blocked sites"}},
		{"other addresses in the control's network (a CDN)", measurement.WebTestKeys{
			Steps: measurement.Steps{Queries: []measurement.DNSQuery{{Hostname: "news.example", QueryType: "A",
				Answers: []measurement.DNSAnswer{{AnswerType: "A", IPv4: "198.51.100.77", ASN: 64500}}}},
				TCPConnect: []measurement.TCPConnect{connect("198.51.100.77", 80, "")},
				Requests:   []measurement.HTTPTransaction{request("http://news.example/", 200, page, "")}},
			Control: func() *measurement.ControlResponse {
				c := control([]string{"203.0.113.5"}, nil, 200, int64(len(page)), "The Example News", "")
				c.IPInfo["203.0.113.5"] = measurement.ControlIPInfo{ASN: 64500}
				return c
			}()},
			want{verdict.StatusOK, verdict.OK, "false", "", "reachable"}},
		{"other addresses, and nothing reachable there", measurement.WebTestKeys{
			Steps: measurement.Steps{Queries: []measurement.DNSQuery{aQuery("news.example", "198.51.100.66")},
				TCPConnect: []measurement.TCPConnect{connect("198.51.100.66", 80, failure.GenericTimeout)}},
			Control: okControl},
			want{verdict.StatusBlocked, verdict.Anomaly, "dns", "", "was 198.51.100.66, not the site's addresses (203.0.113.5)"}},
		{"connections fail where the control connects", measurement.WebTestKeys{
			Steps: measurement.Steps{Queries: []measurement.DNSQuery{aQuery("news.example", "203.0.113.5")},
				TCPConnect: []measurement.TCPConnect{connect("203.0.113.5", 80, failure.GenericTimeout)}},
			Control: okControl},
			want{verdict.StatusBlocked, verdict.Anomaly, "tcp_ip", "", "while the control connected"}},
		{"connections fail for the control too: down", measurement.WebTestKeys{
			Steps: measurement.Steps{Queries: []measurement.DNSQuery{aQuery("news.example", "203.0.113.5")},
				TCPConnect: []measurement.TCPConnect{connect("203.0.113.5", 80, failure.GenericTimeout)}},
			Control: control([]string{"203.0.113.5"}, map[string]bool{"203.0.113.5:80": false}, 0, 0, "", "generic_timeout_error")},
			want{verdict.StatusDown, verdict.OK, "false", "", "the site is down, not blocked"}},
		{"NXDOMAIN where the control resolves", measurement.WebTestKeys{
			Steps:   measurement.Steps{Queries: []measurement.DNSQuery{failedQuery("news.example", failure.DNSNXDOMAIN)}},
			Control: okControl},
			want{verdict.StatusBlocked, verdict.Anomaly, "dns", "", "while the control resolved it to 203.0.113.5"}},
		{"a different page, no fingerprint", measurement.WebTestKeys{
			Steps: measurement.Steps{Queries: []measurement.DNSQuery{aQuery("news.example", "203.0.113.5")},
				TCPConnect: []measurement.TCPConnect{connect("203.0.113.5", 80, "")},
				Requests:   []measurement.HTTPTransaction{request("http://news.example/", 403, "<title>Quite another page</title>", "")}},
			Control: okControl},
			want{verdict.StatusBlocked, verdict.Anomaly, "http-diff", "", "differs from the control's"}},
		{"a reset during the request where the control loads the page", measurement.WebTestKeys{
			Steps: measurement.Steps{Queries: []measurement.DNSQuery{aQuery("news.example", "203.0.113.5")},
				TCPConnect: []measurement.TCPConnect{connect("203.0.113.5", 80, "")},
				Requests:   []measurement.HTTPTransaction{request("http://news.example/", 0, "", failure.ConnectionReset)}},
			Control: okControl},
			want{verdict.StatusBlocked, verdict.Anomaly, "http-failure", "", "while the control loaded it"}},
		{"a TLS reset where the control completes the handshake", measurement.WebTestKeys{
			Steps: measurement.Steps{Queries: []measurement.DNSQuery{aQuery("news.example", "203.0.113.5")},
				TCPConnect:    []measurement.TCPConnect{connect("203.0.113.5", 443, "")},
				TLSHandshakes: []measurement.TLSHandshake{handshake("203.0.113.5:443", "news.example", failure.ConnectionReset)}},
			Control: func() *measurement.ControlResponse {
				c := control([]string{"203.0.113.5"}, map[string]bool{"203.0.113.5:443": true}, 200, 100, "", "")
				c.TLSHandshake = map[string]measurement.ControlTLSHandshake{"203.0.113.5:443": {ServerName: "news.example", Status: true}}
				return c
			}()},
			want{verdict.StatusBlocked, verdict.Anomaly, "tls", "", "while the control completed it"}},
		{"the control helper failed", measurement.WebTestKeys{
			Steps:          measurement.Steps{TCPConnect: []measurement.TCPConnect{connect("203.0.113.5", 80, failure.GenericTimeout)}},
			ControlFailure: failure.Ptr(failure.ConnectionRefused)},
			want{verdict.StatusUnknown, verdict.Failure, "null", "", "cannot be judged"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check(t, Analyze(msmtOf(t, "web_connectivity", "http://news.example/", "XY", c.tk)), c.want)
		})
	}
}

// TestOwnTestWithControl: sonde's own tests compare with a control when
// their keys carry one.
func TestOwnTestWithControl(t *testing.T) {
	tk := measurement.WebTestKeys{
		Steps: measurement.Steps{Queries: []measurement.DNSQuery{aQuery("news.example", "203.0.113.5")},
			TCPConnect: []measurement.TCPConnect{connect("203.0.113.5", 80, failure.ConnectionRefused)}},
		Control: control([]string{"203.0.113.5"}, map[string]bool{"203.0.113.5:80": true}, 200, 10, "", ""),
	}
	check(t, Analyze(msmtOf(t, "tcpconnect", "http://news.example/", "XY", tk)),
		want{verdict.StatusBlocked, verdict.Anomaly, "tcp_ip", "", "while the control connected"})
}

// TestBlockpageThroughDNS: Iran's way. The censor's resolver answers the
// address of its blockpage server, which serves a page matching a
// fingerprint. The blocking happened at the DNS (the control resolved
// the site elsewhere), confirmed by the page; a blockpage injected on the
// path, after a correct DNS answer, stays http-diff.
func TestBlockpageThroughDNS(t *testing.T) {
	const blockpage = `<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256"><title>M1-6</title></head>` +
		`<body><iframe src="http://10.10.34.34?type=Invalid Site&policy=MainPolicy " style="width: 100%; height: 100%" scrolling="no" marginwidth="0" marginheight="0" frameborder="0" vspace="0" hspace="0"></iframe></body></html>`
	ctrl := control([]string{"203.0.113.5"}, map[string]bool{"203.0.113.5:80": true}, 200, int64(len(page)), "The Example News", "")
	hijacked := measurement.WebTestKeys{
		Steps: measurement.Steps{Queries: []measurement.DNSQuery{aQuery("news.example", "198.51.100.34")},
			TCPConnect: []measurement.TCPConnect{connect("198.51.100.34", 80, "")},
			Requests:   []measurement.HTTPTransaction{request("http://news.example/", 200, blockpage, "")}},
		Control: ctrl}
	v := Analyze(msmtOf(t, "web_connectivity", "http://news.example/", "IR", hijacked))
	check(t, v, want{verdict.StatusBlocked, verdict.Confirmed, "dns", "ooni.ir_0",
		"The DNS answer for news.example was 198.51.100.34, not the site's addresses (203.0.113.5); the request for http://news.example/ got the blockpage"})
	if len(v.Evidence) < 2 || v.Evidence[0].Step != "dns" || v.Evidence[1].Step != "http_request" {
		t.Errorf("evidence %+v: want the DNS answer, then the blockpage", v.Evidence)
	}

	onPath := hijacked
	onPath.Steps = measurement.Steps{Queries: []measurement.DNSQuery{aQuery("news.example", "203.0.113.5")},
		TCPConnect: []measurement.TCPConnect{connect("203.0.113.5", 80, "")},
		Requests:   []measurement.HTTPTransaction{request("http://news.example/", 200, blockpage, "")}}
	check(t, Analyze(msmtOf(t, "web_connectivity", "http://news.example/", "IR", onPath)),
		want{verdict.StatusBlocked, verdict.Confirmed, "http-diff", "ooni.ir_0", "got the blockpage"})
}

func TestHeadersMatch(t *testing.T) {
	hs := func(keys ...string) []measurement.HTTPHeader {
		var out []measurement.HTTPHeader
		for _, k := range keys {
			out = append(out, measurement.HTTPHeader{Key: k, Value: "x"})
		}
		return out
	}
	server := map[string]string{"Content-Length": "264", "Content-Type": "text/html", "Date": "x", "Server": "nginx"}
	cases := []struct {
		name    string
		probe   []measurement.HTTPHeader
		control map[string]string
		want    bool
	}{
		{"same names", hs("content-length", "Content-Type", "Date", "Server", "Connection"), server, true},
		{"an injected page: framing headers only", hs("Content-Length", "Content-Type", "Connection"), server, false},
		{"a shared uncommon header", hs("X-Cache", "Content-Type"), map[string]string{"X-Cache": "HIT", "Date": "x"}, true},
		{"only common headers, different ones", hs("Date"), map[string]string{"Server": "x"}, false},
		{"no control headers", hs("Date"), nil, false},
	}
	for _, c := range cases {
		if got := headersMatch(c.probe, c.control); got != c.want {
			t.Errorf("%s: headersMatch = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestBarePageInjected: a blockpage without a known fingerprint, injected
// on the path, with the same status and only framing headers in common
// with the real answer, differs from the control's page, whatever the
// probe's OONI-style headers_match said (Content-Length is uncommon in
// OONI's list).
func TestBarePageInjected(t *testing.T) {
	const injected = "<html><head><title>Access restricted</title></head><body><h1>Access restricted</h1></body></html>"
	yes := true
	r := request("http://news.example/", 200, injected, "")
	r.Response.Headers = map[string]measurement.MaybeBinary{"Content-Length": "97", "Content-Type": "text/html"}
	ctrl := control([]string{"203.0.113.5"}, map[string]bool{"203.0.113.5:80": true}, 200, int64(len(page)), "The Example News", "")
	ctrl.HTTPRequest.Headers = map[string]string{"Content-Length": "200", "Content-Type": "text/html", "Date": "x", "Server": "nginx"}
	tk := measurement.WebTestKeys{
		Steps: measurement.Steps{Queries: []measurement.DNSQuery{aQuery("news.example", "203.0.113.5")},
			TCPConnect: []measurement.TCPConnect{connect("203.0.113.5", 80, "")},
			Requests:   []measurement.HTTPTransaction{r}},
		Control:      ctrl,
		HeadersMatch: &yes,
	}
	check(t, Analyze(msmtOf(t, "web_connectivity", "http://news.example/", "XY", tk)),
		want{verdict.StatusBlocked, verdict.Anomaly, "http-diff", "", "differs from the control's"})
}

// TestQUICBlockedSiteAccessible: HTTP/3 dropped while the page loads over
// HTTPS is blocking "quic" with the site still accessible, as the probe's
// web_connectivity says.
func TestQUICBlockedSiteAccessible(t *testing.T) {
	ctrl := control([]string{"203.0.113.5"}, map[string]bool{"203.0.113.5:443": true}, 200, int64(len(page)), "The Example News", "")
	ctrl.TLSHandshake = map[string]measurement.ControlTLSHandshake{"203.0.113.5:443": {ServerName: "news.example", Status: true}}
	ctrl.QUICHandshake = map[string]measurement.ControlTLSHandshake{"203.0.113.5:443": {ServerName: "news.example", Status: true}}
	quic := handshake("203.0.113.5:443", "news.example", failure.GenericTimeout)
	quic.Network = "udp"
	tk := measurement.WebTestKeys{
		Steps: measurement.Steps{Queries: []measurement.DNSQuery{aQuery("news.example", "203.0.113.5")},
			TCPConnect:     []measurement.TCPConnect{connect("203.0.113.5", 443, "")},
			TLSHandshakes:  []measurement.TLSHandshake{handshake("203.0.113.5:443", "news.example", "")},
			QUICHandshakes: []measurement.TLSHandshake{quic},
			Requests:       []measurement.HTTPTransaction{request("https://news.example/", 200, page, "")}},
		Control: ctrl,
	}
	v := Analyze(msmtOf(t, "web_connectivity", "https://news.example/", "XY", tk))
	check(t, v, want{verdict.StatusBlocked, verdict.Anomaly, "quic", "", "still loaded over HTTPS: HTTP/3 is blocked, the site is not"})
	if v.Accessible == nil || !*v.Accessible {
		t.Errorf("accessible = %v, want true", v.Accessible)
	}
}
