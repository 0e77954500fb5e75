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
