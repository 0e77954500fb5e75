package measurement

// The archival structures of OONI's data formats: one entry per network
// step. Times T0 and T are seconds since the measurement began; Failure is
// nil on success and otherwise a string from internal/failure.

// DNSQuery is one DNS round trip (df-002-dnst).
type DNSQuery struct {
	Answers          []DNSAnswer `json:"answers"`
	Engine           string      `json:"engine"`
	Failure          *string     `json:"failure"`
	GetaddrinfoError int64       `json:"getaddrinfo_error,omitempty"`
	Hostname         string      `json:"hostname"`
	QueryType        string      `json:"query_type"`
	RawResponse      BinaryData  `json:"raw_response,omitempty"`
	Rcode            int64       `json:"rcode,omitempty"`
	ResolverHostname *string     `json:"resolver_hostname"`
	ResolverPort     *string     `json:"resolver_port"`
	ResolverAddress  string      `json:"resolver_address"`
	T0               float64     `json:"t0,omitempty"`
	T                float64     `json:"t"`
	Tags             []string    `json:"tags"`
	TransactionID    int64       `json:"transaction_id,omitempty"`
}

// DNSAnswer is one resource record of a DNS answer.
type DNSAnswer struct {
	ASN        int64  `json:"asn,omitempty"`
	ASOrgName  string `json:"as_org_name,omitempty"`
	AnswerType string `json:"answer_type"`
	Hostname   string `json:"hostname,omitempty"`
	IPv4       string `json:"ipv4,omitempty"`
	IPv6       string `json:"ipv6,omitempty"`
	// ALPN lists the protocols of an HTTPS (SVCB) record.
	ALPN []string `json:"alpn,omitempty"`
	TTL  *uint32  `json:"ttl"`
}

// TCPConnect is one TCP connect attempt (df-005-tcpconnect).
type TCPConnect struct {
	IP            string           `json:"ip"`
	Port          int              `json:"port"`
	Status        TCPConnectStatus `json:"status"`
	T0            float64          `json:"t0,omitempty"`
	T             float64          `json:"t"`
	Tags          []string         `json:"tags"`
	TransactionID int64            `json:"transaction_id,omitempty"`
}

// TCPConnectStatus is the outcome of a TCPConnect.
type TCPConnectStatus struct {
	Blocked *bool   `json:"blocked,omitempty"`
	Failure *string `json:"failure"`
	Success bool    `json:"success"`
}

// TLSHandshake is one TLS or QUIC handshake (df-006-tlshandshake).
type TLSHandshake struct {
	Network            string       `json:"network"`
	Address            string       `json:"address"`
	CipherSuite        string       `json:"cipher_suite"`
	Failure            *string      `json:"failure"`
	SoError            *string      `json:"so_error,omitempty"`
	NegotiatedProtocol string       `json:"negotiated_protocol"`
	NoTLSVerify        bool         `json:"no_tls_verify"`
	PeerCertificates   []BinaryData `json:"peer_certificates"`
	ServerName         string       `json:"server_name"`
	T0                 float64      `json:"t0,omitempty"`
	T                  float64      `json:"t"`
	Tags               []string     `json:"tags"`
	TLSVersion         string       `json:"tls_version"`
	TransactionID      int64        `json:"transaction_id,omitempty"`
}

// HTTPTransaction is one HTTP round trip (df-001-httpt).
type HTTPTransaction struct {
	Network       string       `json:"network,omitempty"`
	Address       string       `json:"address,omitempty"`
	ALPN          string       `json:"alpn,omitempty"`
	Failure       *string      `json:"failure"`
	Request       HTTPRequest  `json:"request"`
	Response      HTTPResponse `json:"response"`
	T0            float64      `json:"t0,omitempty"`
	T             float64      `json:"t"`
	Tags          []string     `json:"tags"`
	TransactionID int64        `json:"transaction_id,omitempty"`
}

// HTTPRequest is the request half of an HTTPTransaction.
type HTTPRequest struct {
	Body            MaybeBinary            `json:"body"`
	BodyIsTruncated bool                   `json:"body_is_truncated"`
	HeadersList     []HTTPHeader           `json:"headers_list"`
	Headers         map[string]MaybeBinary `json:"headers"`
	Method          string                 `json:"method"`
	Tor             HTTPTor                `json:"tor"`
	Transport       string                 `json:"x_transport"`
	URL             string                 `json:"url"`
}

// HTTPTor is a legacy field kept for compatibility; always not-Tor here.
type HTTPTor struct {
	ExitIP   *string `json:"exit_ip"`
	ExitName *string `json:"exit_name"`
	IsTor    bool    `json:"is_tor"`
}

// HTTPResponse is the response half of an HTTPTransaction.
type HTTPResponse struct {
	Body            MaybeBinary            `json:"body"`
	BodyIsTruncated bool                   `json:"body_is_truncated"`
	Code            int64                  `json:"code"`
	HeadersList     []HTTPHeader           `json:"headers_list"`
	Headers         map[string]MaybeBinary `json:"headers"`
}

// NetworkEvent is one I/O operation (df-008-netevents).
type NetworkEvent struct {
	Address       string   `json:"address,omitempty"`
	Failure       *string  `json:"failure"`
	NumBytes      int64    `json:"num_bytes,omitempty"`
	Operation     string   `json:"operation"`
	Proto         string   `json:"proto,omitempty"`
	T0            float64  `json:"t0,omitempty"`
	T             float64  `json:"t"`
	Tags          []string `json:"tags"`
	TransactionID int64    `json:"transaction_id,omitempty"`
}

// Steps holds the archival lists that most tests' keys carry. Tests embed
// it in their test keys; readers decode a measurement's keys into it to get
// at the network steps whatever the test.
type Steps struct {
	Queries        []DNSQuery        `json:"queries"`
	TCPConnect     []TCPConnect      `json:"tcp_connect"`
	TLSHandshakes  []TLSHandshake    `json:"tls_handshakes"`
	QUICHandshakes []TLSHandshake    `json:"quic_handshakes"`
	Requests       []HTTPTransaction `json:"requests"`
	NetworkEvents  []NetworkEvent    `json:"network_events"`
	// DNSLateReplies are answers that arrived after the first one for the
	// same query: the signature of on-path DNS injection (web_connectivity
	// v0.5 "dns_late_replies").
	DNSLateReplies []DNSQuery `json:"dns_late_replies,omitempty"`
}
