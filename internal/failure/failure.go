// Package failure is the vocabulary of network failures shared by the
// probe, the control helper and the analysis: OONI's failure strings
// (probe-cli netxlite), so that measurements from either project compare.
//
// # Design
//
// An error is classified once, where it happens ([Classify]), into a
// constant string. Everything downstream (the analysis, reports, SQL
// queries) compares those constants and never looks at error text. An
// error that fits no known class becomes "unknown_failure: <text>" with IP
// addresses removed from the text, so an unexpected error never leaks the
// probe's address into a measurement.
package failure

// Failures of OONI's vocabulary.
const (
	// Generic network failures.
	GenericTimeout          = "generic_timeout_error"
	ConnectionRefused       = "connection_refused"
	ConnectionReset         = "connection_reset"
	ConnectionAborted       = "connection_aborted"
	ConnectionAlreadyClosed = "connection_already_closed"
	HostUnreachable         = "host_unreachable"
	NetworkUnreachable      = "network_unreachable"
	AddressFamilyNotSupp    = "address_family_not_supported"
	PermissionDenied        = "permission_denied"
	EOF                     = "eof_error"
	Interrupted             = "interrupted"

	// DNS failures.
	DNSNXDOMAIN             = "dns_nxdomain_error"
	DNSNoAnswer             = "dns_no_answer"
	DNSRefused              = "dns_refused_error"
	DNSServfail             = "dns_servfail_error"
	DNSNonRecoverable       = "dns_non_recoverable_failure"
	DNSTemporary            = "dns_temporary_failure"
	DNSBogon                = "dns_bogon_error"
	DNSReplyWithWrongID     = "dns_reply_with_wrong_query_id"
	DNSDuplicateResponse    = "dns_duplicate_response"
	AndroidDNSCacheNoData   = "android_dns_cache_no_data"
	DNSAddressFamilyNotSupp = "dns_address_family_not_supported"

	// TLS failures.
	SSLInvalidHostname    = "ssl_invalid_hostname"
	SSLUnknownAuthority   = "ssl_unknown_authority"
	SSLInvalidCertificate = "ssl_invalid_certificate"
	SSLFailedHandshake    = "ssl_failed_handshake"

	// QUIC failures.
	QUICIncompatibleVersion = "quic_incompatible_version"

	// HTTP failures.
	HTTPInvalidRedirectLocationHost = "http_invalid_redirect_location_host"
	HTTPUnexpectedRedirectURL       = "http_unexpected_redirect_url"
	HTTPUnexpectedStatusCode        = "http_unexpected_status_code"
	HTTPTooManyRedirects            = "http_too_many_redirects"

	// JSONParse is a control helper answer that is not JSON.
	JSONParse = "json_parse_error"

	// UnknownPrefix starts a failure that fits no class: "unknown_failure: <text>".
	UnknownPrefix = "unknown_failure"
)

// Operations that fail, recorded next to the failure where a test keeps
// it ("failed_operation" in OONI's observations).
const (
	OpResolve         = "resolve"
	OpConnect         = "connect"
	OpTLSHandshake    = "tls_handshake"
	OpQUICHandshake   = "quic_handshake"
	OpHTTPRoundTrip   = "http_round_trip"
	OpRead            = "read"
	OpWrite           = "write"
	OpClose           = "close"
	OpHTTPTransaction = "http_transaction"
)

// Ptr returns a pointer to f, or nil when f is empty: the archival
// representation of a failure (null on success).
func Ptr(f string) *string {
	if f == "" {
		return nil
	}
	return &f
}

// Of returns the failure string behind a pointer, "" for nil.
func Of(f *string) string {
	if f == nil {
		return ""
	}
	return *f
}
