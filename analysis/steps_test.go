package analysis

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
)

// Censorship cases written as data: the steps a probe would record, and
// the verdict expected.

func msmtOf(t *testing.T, test, input, cc string, keys any) *measurement.Measurement {
	t.Helper()
	b, err := json.Marshal(keys)
	if err != nil {
		t.Fatal(err)
	}
	return &measurement.Measurement{TestName: test, Input: measurement.Input(input), ProbeCC: cc,
		MeasurementStartTime: "2026-01-02 03:04:05", ReportID: "r1", TestKeys: b}
}

func aQuery(host string, addrs ...string) measurement.DNSQuery {
	q := measurement.DNSQuery{Hostname: host, QueryType: "A", Engine: "udp", ResolverAddress: "192.0.2.53:53"}
	for _, a := range addrs {
		q.Answers = append(q.Answers, measurement.DNSAnswer{AnswerType: "A", IPv4: a})
	}
	return q
}

func failedQuery(host, f string) measurement.DNSQuery {
	q := aQuery(host)
	q.Failure = failure.Ptr(f)
	return q
}

func connect(ip string, port int, f string) measurement.TCPConnect {
	return measurement.TCPConnect{IP: ip, Port: port, Status: measurement.TCPConnectStatus{Success: f == "", Failure: failure.Ptr(f)}}
}

func handshake(addr, sni, f string) measurement.TLSHandshake {
	return measurement.TLSHandshake{Network: "tcp", Address: addr, ServerName: sni, Failure: failure.Ptr(f)}
}

func request(url string, code int64, body, f string) measurement.HTTPTransaction {
	return measurement.HTTPTransaction{Failure: failure.Ptr(f),
		Request:  measurement.HTTPRequest{Method: "GET", URL: url},
		Response: measurement.HTTPResponse{Code: code, Body: measurement.MaybeBinary(body)}}
}

type want struct {
	status      verdict.Status
	confidence  verdict.Confidence
	blocking    string // "false", "null" or the method
	fingerprint string
	explains    string // a piece of the explanation
}

func check(t *testing.T, v verdict.Verdict, w want) {
	t.Helper()
	b := mustJSON(v.Blocking)
	if v.Status != w.status || v.Confidence != w.confidence || strings.Trim(b, `"`) != w.blocking ||
		v.Fingerprint != w.fingerprint || !strings.Contains(v.Explanation, w.explains) {
		t.Fatalf("got status=%s confidence=%s blocking=%s fingerprint=%q explanation=%q\nwant %+v",
			v.Status, v.Confidence, b, v.Fingerprint, v.Explanation, w)
	}
	if len(v.Evidence) == 0 && v.Status != verdict.StatusOK {
		t.Fatalf("no evidence for %s", v.Explanation)
	}
	if v.AnalysisVersion != Version {
		t.Fatalf("analysis_version %d", v.AnalysisVersion)
	}
}

func TestStepScenarios(t *testing.T) {
	cases := []struct {
		name  string
		test  string
		input string
		cc    string
		steps measurement.Steps
		want  want
	}{
		{"censor DNS answer matches a fingerprint", "dns", "twitter.com", "IR",
			measurement.Steps{Queries: []measurement.DNSQuery{aQuery("twitter.com", "10.10.34.34")}},
			want{verdict.StatusBlocked, verdict.Confirmed, "dns", "ooni.ir_4", "10.10.34.34, the address Iran's national filter uses"}},
		{"a late, different answer: injection", "dns", "example.org", "CN",
			measurement.Steps{Queries: []measurement.DNSQuery{aQuery("example.org", "203.0.113.9")},
				DNSLateReplies: []measurement.DNSQuery{aQuery("example.org", "198.51.100.7")}},
			want{verdict.StatusBlocked, verdict.Anomaly, "dns", "", "first 203.0.113.9, then 198.51.100.7"}},
		{"a late answer equal to the first is not injection", "dns", "example.org", "CN",
			measurement.Steps{Queries: []measurement.DNSQuery{aQuery("example.org", "203.0.113.9")},
				DNSLateReplies: []measurement.DNSQuery{aQuery("example.org", "203.0.113.9")}},
			want{verdict.StatusOK, verdict.OK, "false", "", "was reachable"}},
		{"a private address for a public name", "dns", "news.example.com", "XY",
			measurement.Steps{Queries: []measurement.DNSQuery{aQuery("news.example.com", "10.1.2.3")}},
			want{verdict.StatusBlocked, verdict.Anomaly, "dns", "", "10.1.2.3, a private address"}},
		{"a private address for a local name is normal", "dns", "printer.local", "XY",
			measurement.Steps{Queries: []measurement.DNSQuery{aQuery("printer.local", "192.168.1.20")}},
			want{verdict.StatusOK, verdict.OK, "false", "", "was reachable"}},
		{"the lab's documentation addresses are not bogons", "dns", "site.example", "XY",
			measurement.Steps{Queries: []measurement.DNSQuery{aQuery("site.example", "203.0.113.10")}},
			want{verdict.StatusOK, verdict.OK, "false", "", "was reachable"}},
		{"an advertising answer for a missing name is not censorship", "dns", "nosuch.example.cn", "CN",
			measurement.Steps{Queries: []measurement.DNSQuery{aQuery("nosuch.example.cn", "61.183.1.186")}},
			want{verdict.StatusDown, verdict.OK, "false", "", "ad hijacking"}},
		{"connection reset during the TLS handshake", "tls", "https://blocked.example/", "XY",
			measurement.Steps{TCPConnect: []measurement.TCPConnect{connect("203.0.113.5", 443, "")},
				TLSHandshakes: []measurement.TLSHandshake{handshake("203.0.113.5:443", "blocked.example", failure.ConnectionReset)}},
			want{verdict.StatusBlocked, verdict.Anomaly, "tls", "", "the connection was reset"}},
		{"every connection times out", "tcpconnect", "203.0.113.5:443", "XY",
			measurement.Steps{TCPConnect: []measurement.TCPConnect{connect("203.0.113.5", 443, failure.GenericTimeout)}},
			want{verdict.StatusBlocked, verdict.Anomaly, "tcp_ip", "", "timed out"}},
		{"one of two connections works", "tcpconnect", "site.example", "XY",
			measurement.Steps{TCPConnect: []measurement.TCPConnect{connect("2001:db8::1", 443, failure.HostUnreachable), connect("203.0.113.5", 443, "")}},
			want{verdict.StatusOK, verdict.OK, "false", "", "was reachable"}},
		{"QUIC fails while TLS over TCP works", "quic", "https://site.example/", "XY",
			measurement.Steps{TLSHandshakes: []measurement.TLSHandshake{handshake("203.0.113.5:443", "site.example", "")},
				QUICHandshakes: []measurement.TLSHandshake{handshake("203.0.113.5:443", "site.example", failure.GenericTimeout)}},
			want{verdict.StatusBlocked, verdict.Anomaly, "quic", "", "only QUIC"}},
		{"HTTP body matches a blockpage", "http", "http://blocked.example/", "ID",
			measurement.Steps{Requests: []measurement.HTTPTransaction{request("http://blocked.example/", 200, "<p>Contact aduankonten@kominfo.go.id</p>", "")}},
			want{verdict.StatusBlocked, verdict.Confirmed, "http-diff", "ooni.id_kominfo", "blockpage of Indonesia's national filter"}},
		{"an unclassified error means the test broke", "http", "http://site.example/", "XY",
			measurement.Steps{Requests: []measurement.HTTPTransaction{request("http://site.example/", 0, "", "unknown_failure: boom")}},
			want{verdict.StatusUnknown, verdict.Failure, "null", "", "error of the probe itself"}},
		{"an HTTPS request reset with no handshake recorded is TLS", "http", "https://site.example/", "XY",
			measurement.Steps{Requests: []measurement.HTTPTransaction{request("https://site.example/", 0, "", failure.ConnectionReset)}},
			want{verdict.StatusBlocked, verdict.Anomaly, "tls", "", "was reset"}},
		{"everything works", "http", "http://site.example/", "XY",
			measurement.Steps{Queries: []measurement.DNSQuery{aQuery("site.example", "203.0.113.5")},
				TCPConnect: []measurement.TCPConnect{connect("203.0.113.5", 80, "")},
				Requests:   []measurement.HTTPTransaction{request("http://site.example/", 200, "<title>Site</title>", "")}},
			want{verdict.StatusOK, verdict.OK, "false", "", "DNS, connecting and the HTTP request worked"}},
		{"NXDOMAIN without a control", "dns", "site.example", "XY",
			measurement.Steps{Queries: []measurement.DNSQuery{failedQuery("site.example", failure.DNSNXDOMAIN)}},
			want{verdict.StatusBlocked, verdict.Anomaly, "dns", "", "no control measurement"}},
		{"no steps at all", "dns", "site.example", "XY", measurement.Steps{},
			want{verdict.StatusUnknown, verdict.Failure, "null", "", "did not run"}},
		{"an unknown test with steps is analysed from them", "fancy_new_test", "https://blocked.example/", "XY",
			measurement.Steps{TLSHandshakes: []measurement.TLSHandshake{handshake("203.0.113.5:443", "blocked.example", failure.ConnectionReset)}},
			want{verdict.StatusBlocked, verdict.Anomaly, "tls", "", "was reset"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check(t, Analyze(msmtOf(t, c.test, c.input, c.cc, c.steps)), c.want)
		})
	}
}

func TestUnknownTestWithoutSteps(t *testing.T) {
	v := Analyze(msmtOf(t, "teleportation", "", "XY", map[string]any{"qubits": 3}))
	check(t, v, want{verdict.StatusUnknown, verdict.Failure, "null", "", `does not know the test "teleportation"`})
}

func TestAnalyzeNilAndGarbage(t *testing.T) {
	if v := Analyze(nil); v.Confidence != verdict.Failure || v.Status != verdict.StatusUnknown {
		t.Fatalf("nil measurement: %+v", v)
	}
	for _, keys := range []string{`null`, `[]`, `"x"`, `{"queries":"nope","requests":[1,2]}`, `{"control":{"tcp_connect":7}}`} {
		for name := range testRules {
			m := &measurement.Measurement{TestName: name, TestKeys: json.RawMessage(keys), MeasurementStartTime: "2026-01-02 03:04:05"}
			v := Analyze(m)
			if v.Confidence == "" || v.Status == "" || v.Explanation == "" {
				t.Fatalf("%s %s: incomplete verdict %+v", name, keys, v)
			}
		}
	}
}
