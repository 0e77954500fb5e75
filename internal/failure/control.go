package failure

// The failure strings of OONI's control helper protocol. The first OONI
// test helper (oonib, in Python) named failures after Twisted's errors;
// oohelperd still maps its failures to those names in the "dns",
// "tcp_connect" and "http_request" parts of its answer, and OONI's probes
// compare against them (web_connectivity v0.4 checks the control's DNS
// failure for "dns_name_error"). The "tls_handshake" and "quic_handshake"
// parts, which oonib never had, use the ordinary vocabulary above.
//
// A control helper speaking OONI's protocol writes these; a probe reading
// a control answer must accept both these and the ordinary strings.
const (
	// ControlDNSNameError: the domain does not exist (NXDOMAIN).
	ControlDNSNameError = "dns_name_error"
	// ControlDNSServerFailure: the resolver failed (SERVFAIL, REFUSED, a
	// temporary or non-recoverable failure).
	ControlDNSServerFailure = "dns_server_failure"
	// ControlDNSLookupError: the HTTP fetch failed while resolving.
	ControlDNSLookupError = "dns_lookup_error"
	// ControlConnectionRefused: the connection was refused (TCP, HTTP).
	ControlConnectionRefused = "connection_refused_error"
	// ControlConnectError: any other TCP connect failure but a timeout.
	ControlConnectError = "connect_error"
	// ControlUnknownError: any other failure (DNS, HTTP).
	ControlUnknownError = "unknown_error"
)
