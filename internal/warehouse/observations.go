package warehouse

import (
	"regexp"
	"strings"
	"time"

	"github.com/sonde-project/sonde/internal/measurement"
)

// Steps of ObservationRow.Step.
const (
	StepDNSQuery      = "dns_query"
	StepDNSLateReply  = "dns_late_reply"
	StepTCPConnect    = "tcp_connect"
	StepTLSHandshake  = "tls_handshake"
	StepQUICHandshake = "quic_handshake"
	StepHTTPRequest   = "http_request"
)

// ObservationRow is one row of the observations table: one network step.
// Columns that do not apply to the step are zero.
type ObservationRow struct {
	MeasurementUID       string    `ch:"measurement_uid"`
	ReportID             string    `ch:"report_id"`
	TestName             string    `ch:"test_name"`
	ProbeCC              string    `ch:"probe_cc"`
	ProbeASN             uint32    `ch:"probe_asn"`
	Input                string    `ch:"input"`
	Domain               string    `ch:"domain"`
	MeasurementStartTime time.Time `ch:"measurement_start_time"`
	StepIndex            uint32    `ch:"step_index"`
	Step                 string    `ch:"step"`
	TransactionID        int64     `ch:"transaction_id"`
	T0                   float64   `ch:"t0"`
	T                    float64   `ch:"t"`
	Failure              string    `ch:"failure"`
	Success              uint8     `ch:"success"`
	Hostname             string    `ch:"hostname"`
	IP                   string    `ch:"ip"`
	Port                 uint16    `ch:"port"`

	DNSQueryType   string   `ch:"dns_query_type"`
	DNSEngine      string   `ch:"dns_engine"`
	DNSResolver    string   `ch:"dns_resolver"`
	DNSRcode       int64    `ch:"dns_rcode"`
	DNSAnswerTypes []string `ch:"dns_answer_types"`
	DNSAnswers     []string `ch:"dns_answers"`
	DNSAnswerASNs  []uint32 `ch:"dns_answer_asns"`

	TLSServerName         string `ch:"tls_server_name"`
	TLSVersion            string `ch:"tls_version"`
	TLSCipherSuite        string `ch:"tls_cipher_suite"`
	TLSNegotiatedProtocol string `ch:"tls_negotiated_protocol"`
	TLSPeerCertificates   uint16 `ch:"tls_peer_certificates"`
	TLSNoVerify           uint8  `ch:"tls_no_verify"`

	HTTPMethod        string `ch:"http_method"`
	HTTPURL           string `ch:"http_url"`
	HTTPStatus        int64  `ch:"http_status"`
	HTTPBodyLength    int64  `ch:"http_body_length"`
	HTTPBodyTruncated uint8  `ch:"http_body_truncated"`
	HTTPTitle         string `ch:"http_title"`
	HTTPServer        string `ch:"http_server"`
	HTTPLocation      string `ch:"http_location"`
}

// NewObservationRows returns one row per network step in m's test keys
// (measurement.DecodeSteps), in the order DNS queries, late DNS replies,
// TCP connects, TLS handshakes, QUIC handshakes, HTTP requests.
func NewObservationRows(m *measurement.Measurement) []ObservationRow {
	steps, _ := measurement.DecodeSteps(m.TestKeys)
	start, _ := m.StartTime()
	base := ObservationRow{
		MeasurementUID:       m.MeasurementUID,
		ReportID:             m.ReportID,
		TestName:             m.TestName,
		ProbeCC:              m.ProbeCC,
		ProbeASN:             ASN(m.ProbeASN),
		Input:                string(m.Input),
		Domain:               Domain(string(m.Input)),
		MeasurementStartTime: start.UTC(),
	}
	var rows []ObservationRow
	add := func(r ObservationRow) {
		r.StepIndex = uint32(len(rows))
		r.Success = boolByte(r.Failure == "")
		rows = append(rows, r)
	}
	for _, q := range steps.Queries {
		add(dnsRow(base, StepDNSQuery, q))
	}
	for _, q := range steps.DNSLateReplies {
		add(dnsRow(base, StepDNSLateReply, q))
	}
	for _, c := range steps.TCPConnect {
		r := base
		r.Step, r.TransactionID, r.T0, r.T = StepTCPConnect, c.TransactionID, c.T0, c.T
		r.Failure = failureString(c.Status.Failure)
		r.IP, r.Port = c.IP, uint16(c.Port)
		add(r)
	}
	for _, h := range steps.TLSHandshakes {
		add(tlsRow(base, StepTLSHandshake, h))
	}
	for _, h := range steps.QUICHandshakes {
		add(tlsRow(base, StepQUICHandshake, h))
	}
	for _, h := range steps.Requests {
		add(httpRow(base, h))
	}
	return rows
}

func dnsRow(r ObservationRow, step string, q measurement.DNSQuery) ObservationRow {
	r.Step, r.TransactionID, r.T0, r.T = step, q.TransactionID, q.T0, q.T
	r.Failure = failureString(q.Failure)
	r.Hostname = q.Hostname
	r.DNSQueryType, r.DNSEngine, r.DNSResolver, r.DNSRcode = q.QueryType, q.Engine, q.ResolverAddress, q.Rcode
	r.DNSAnswerTypes, r.DNSAnswers, r.DNSAnswerASNs = []string{}, []string{}, []uint32{}
	for _, a := range q.Answers {
		value := a.Hostname
		switch {
		case a.IPv4 != "":
			value = a.IPv4
		case a.IPv6 != "":
			value = a.IPv6
		}
		r.DNSAnswerTypes = append(r.DNSAnswerTypes, a.AnswerType)
		r.DNSAnswers = append(r.DNSAnswers, value)
		r.DNSAnswerASNs = append(r.DNSAnswerASNs, uint32(max(a.ASN, 0)))
	}
	return r
}

func tlsRow(r ObservationRow, step string, h measurement.TLSHandshake) ObservationRow {
	r.Step, r.TransactionID, r.T0, r.T = step, h.TransactionID, h.T0, h.T
	r.Failure = failureString(h.Failure)
	r.IP, r.Port = splitAddress(h.Address)
	r.Hostname, r.TLSServerName = h.ServerName, h.ServerName
	r.TLSVersion, r.TLSCipherSuite, r.TLSNegotiatedProtocol = h.TLSVersion, h.CipherSuite, h.NegotiatedProtocol
	r.TLSPeerCertificates = uint16(min(len(h.PeerCertificates), 65535))
	r.TLSNoVerify = boolByte(h.NoTLSVerify)
	return r
}

func httpRow(r ObservationRow, h measurement.HTTPTransaction) ObservationRow {
	r.Step, r.TransactionID, r.T0, r.T = StepHTTPRequest, h.TransactionID, h.T0, h.T
	r.Failure = failureString(h.Failure)
	r.IP, r.Port = splitAddress(h.Address)
	r.Hostname = Domain(h.Request.URL)
	r.HTTPMethod, r.HTTPURL = h.Request.Method, h.Request.URL
	r.HTTPStatus = h.Response.Code
	r.HTTPBodyLength = int64(len(h.Response.Body))
	r.HTTPBodyTruncated = boolByte(h.Response.BodyIsTruncated)
	r.HTTPTitle = Title(string(h.Response.Body))
	r.HTTPServer = header(h.Response, "Server")
	r.HTTPLocation = header(h.Response, "Location")
	return r
}

func header(resp measurement.HTTPResponse, name string) string {
	for _, kv := range resp.HeadersList {
		if strings.EqualFold(kv.Key, name) {
			return string(kv.Value)
		}
	}
	for k, v := range resp.Headers {
		if strings.EqualFold(k, name) {
			return string(v)
		}
	}
	return ""
}

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// Title returns the text of an HTML body's <title>, trimmed and at most
// 1 KiB, or "".
func Title(body string) string {
	if len(body) > 1<<20 {
		body = body[:1<<20]
	}
	m := titleRE.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	title := strings.Join(strings.Fields(m[1]), " ")
	if len(title) > 1024 {
		title = strings.ToValidUTF8(title[:1024], "")
	}
	return title
}
