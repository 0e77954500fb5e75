package measurement

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// WebTestKeys are the test keys of web_connectivity (ts-017), as written by
// this project's probe and by OONI's probes since 2016. Fields that older
// probes did not write decode as nil.
type WebTestKeys struct {
	Steps
	Agent          string  `json:"agent,omitempty"`
	ClientResolver string  `json:"client_resolver,omitempty"`
	Retries        *int64  `json:"retries"`
	SOCKSProxy     *string `json:"socksproxy"`

	DNSExperimentFailure  *string `json:"dns_experiment_failure"`
	DNSConsistency        *string `json:"dns_consistency"`
	HTTPExperimentFailure *string `json:"http_experiment_failure"`

	ControlFailure *string          `json:"control_failure"`
	Control        *ControlResponse `json:"control"`

	BodyLengthMatch *bool    `json:"body_length_match"`
	BodyProportion  *float64 `json:"body_proportion"`
	StatusCodeMatch *bool    `json:"status_code_match"`
	HeadersMatch    *bool    `json:"headers_match"`
	TitleMatch      *bool    `json:"title_match"`

	Accessible *bool    `json:"accessible"`
	Blocking   Blocking `json:"blocking"`

	XStatus        int64 `json:"x_status,omitempty"`
	XBlockingFlags int64 `json:"x_blocking_flags,omitempty"`
}

// DNS consistency values of WebTestKeys.DNSConsistency.
const (
	DNSConsistent   = "consistent"
	DNSInconsistent = "inconsistent"
	DNSReverseMatch = "reverse_match"
)

// Blocking is web_connectivity's "blocking" key: false (not blocked), a
// method string ("dns", "tcp_ip", "http-failure", "http-diff", and this
// project's "tls" and "quic"), or null (could not decide).
type Blocking struct {
	Decided bool   // false means null
	Method  string // "" with Decided means false
}

// Blocking methods.
const (
	BlockingDNS         = "dns"
	BlockingTCPIP       = "tcp_ip"
	BlockingTLS         = "tls"
	BlockingHTTPFailure = "http-failure"
	BlockingHTTPDiff    = "http-diff"
	BlockingQUIC        = "quic"
)

// NotBlocked is the Blocking value false.
var NotBlocked = Blocking{Decided: true}

// BlockedBy returns the Blocking value for method.
func BlockedBy(method string) Blocking { return Blocking{Decided: true, Method: method} }

// MarshalJSON implements json.Marshaler.
func (b Blocking) MarshalJSON() ([]byte, error) {
	switch {
	case !b.Decided:
		return []byte("null"), nil
	case b.Method == "":
		return []byte("false"), nil
	}
	return json.Marshal(b.Method)
}

// UnmarshalJSON implements json.Unmarshaler. It accepts false, null, a
// string, and (from some legacy probes) true, read as an unnamed method.
func (b *Blocking) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch string(data) {
	case "null":
		*b = Blocking{}
		return nil
	case "false":
		*b = NotBlocked
		return nil
	case "true":
		*b = BlockedBy("unknown")
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("blocking: want false, null or a string: %w", err)
	}
	*b = BlockedBy(s)
	return nil
}

// ControlRequest is what a probe sends to the control helper: OONI's
// oohelperd request.
type ControlRequest struct {
	HTTPRequest        string              `json:"http_request"`
	HTTPRequestHeaders map[string][]string `json:"http_request_headers"`
	TCPConnect         []string            `json:"tcp_connect"`
	XQUICEnabled       bool                `json:"x_quic_enabled,omitempty"`
}

// ControlResponse is the control helper's view of a URL: OONI's oohelperd
// response, also stored as web_connectivity's "control" key. Like
// oohelperd, it always writes "quic_handshake" (an empty object when QUIC
// was not measured) and "http3_request" (null when not measured).
type ControlResponse struct {
	TCPConnect    map[string]ControlTCPConnect   `json:"tcp_connect"`
	TLSHandshake  map[string]ControlTLSHandshake `json:"tls_handshake,omitempty"`
	QUICHandshake map[string]ControlTLSHandshake `json:"quic_handshake"`
	HTTPRequest   ControlHTTPRequest             `json:"http_request"`
	HTTP3Request  *ControlHTTPRequest            `json:"http3_request"`
	DNS           ControlDNS                     `json:"dns"`
	IPInfo        map[string]ControlIPInfo       `json:"ip_info,omitempty"`
}

// ControlTCPConnect is the helper's TCP connect result for one endpoint.
type ControlTCPConnect struct {
	Status  bool    `json:"status"`
	Failure *string `json:"failure"`
}

// ControlTLSHandshake is the helper's TLS or QUIC handshake result for one
// endpoint.
type ControlTLSHandshake struct {
	ServerName string  `json:"server_name"`
	Status     bool    `json:"status"`
	Failure    *string `json:"failure"`
}

// ControlHTTPRequest is the helper's HTTP result.
type ControlHTTPRequest struct {
	BodyLength           int64             `json:"body_length"`
	DiscoveredH3Endpoint string            `json:"discovered_h3_endpoint"`
	Failure              *string           `json:"failure"`
	Title                string            `json:"title"`
	Headers              map[string]string `json:"headers"`
	StatusCode           int64             `json:"status_code"`
}

// ControlDNS is the helper's DNS result.
type ControlDNS struct {
	Failure *string  `json:"failure"`
	Addrs   []string `json:"addrs"`
}

// ControlIPInfo describes one address the helper or the probe saw.
type ControlIPInfo struct {
	ASN   int64 `json:"asn"`
	Flags int64 `json:"flags"`
}

// Flags of ControlIPInfo, as in oohelperd (e.g. 11 = resolved by the probe
// and by the helper, and valid for the domain).
const (
	IPFlagResolvedByProbe = 1 << iota
	IPFlagResolvedByTH
	IPFlagBogon
	IPFlagValidForDomain
)
