package measurement

import "encoding/json"

// The fast decoder's field tables: one set method per archival structure,
// a case per JSON field name (see fastjson.go).

var (
	dnsQueryNames     = []string{"answers", "engine", "failure", "getaddrinfo_error", "hostname", "query_type", "raw_response", "rcode", "resolver_hostname", "resolver_port", "resolver_address", "t0", "t", "tags", "transaction_id"}
	dnsAnswerNames    = []string{"asn", "as_org_name", "answer_type", "hostname", "ipv4", "ipv6", "alpn", "ttl"}
	tcpConnectNames   = []string{"ip", "port", "status", "t0", "t", "tags", "transaction_id"}
	tcpStatusNames    = []string{"blocked", "failure", "success"}
	tlsNames          = []string{"network", "address", "cipher_suite", "failure", "so_error", "negotiated_protocol", "no_tls_verify", "peer_certificates", "server_name", "t0", "t", "tags", "tls_version", "transaction_id"}
	httpNames         = []string{"network", "address", "alpn", "failure", "request", "response", "t0", "t", "tags", "transaction_id"}
	httpRequestNames  = []string{"body", "body_is_truncated", "headers_list", "headers", "method", "tor", "x_transport", "url"}
	httpTorNames      = []string{"exit_ip", "exit_name", "is_tor"}
	httpResponseNames = []string{"body", "body_is_truncated", "code", "headers_list", "headers"}
	networkEventNames = []string{"address", "failure", "num_bytes", "operation", "proto", "t0", "t", "tags", "transaction_id"}
)

func (q *DNSQuery) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "answers":
		return 0, decodeSlice(c, &q.Answers, func(c *cursor, a *DNSAnswer) error { return decodeObject(c, a, dnsAnswerNames) })
	case "engine":
		return 1, decodeString(c.value(), &q.Engine)
	case "failure":
		return 2, decodeStringPtr(c.value(), &q.Failure)
	case "getaddrinfo_error":
		return 3, decodeInt(c.value(), &q.GetaddrinfoError, 64)
	case "hostname":
		return 4, decodeString(c.value(), &q.Hostname)
	case "query_type":
		return 5, decodeString(c.value(), &q.QueryType)
	case "raw_response":
		return 6, unmarshaler(c.value(), &q.RawResponse)
	case "rcode":
		return 7, decodeInt(c.value(), &q.Rcode, 64)
	case "resolver_hostname":
		return 8, decodeStringPtr(c.value(), &q.ResolverHostname)
	case "resolver_port":
		return 9, decodeStringPtr(c.value(), &q.ResolverPort)
	case "resolver_address":
		return 10, decodeString(c.value(), &q.ResolverAddress)
	case "t0":
		return 11, decodeFloat(c.value(), &q.T0)
	case "t":
		return 12, decodeFloat(c.value(), &q.T)
	case "tags":
		return 13, decodeStrings(c, &q.Tags)
	case "transaction_id":
		return 14, decodeInt(c.value(), &q.TransactionID, 64)
	}
	return -1, nil
}

func (a *DNSAnswer) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "asn":
		return 0, decodeInt(c.value(), &a.ASN, 64)
	case "as_org_name":
		return 1, decodeString(c.value(), &a.ASOrgName)
	case "answer_type":
		return 2, decodeString(c.value(), &a.AnswerType)
	case "hostname":
		return 3, decodeString(c.value(), &a.Hostname)
	case "ipv4":
		return 4, decodeString(c.value(), &a.IPv4)
	case "ipv6":
		return 5, decodeString(c.value(), &a.IPv6)
	case "alpn":
		return 6, decodeStrings(c, &a.ALPN)
	case "ttl":
		return 7, decodeUint32Ptr(c.value(), &a.TTL)
	}
	return -1, nil
}

func (tc *TCPConnect) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "ip":
		return 0, decodeString(c.value(), &tc.IP)
	case "port":
		return 1, decodeGoInt(c.value(), &tc.Port)
	case "status":
		return 2, decodeObject(c, &tc.Status, tcpStatusNames)
	case "t0":
		return 3, decodeFloat(c.value(), &tc.T0)
	case "t":
		return 4, decodeFloat(c.value(), &tc.T)
	case "tags":
		return 5, decodeStrings(c, &tc.Tags)
	case "transaction_id":
		return 6, decodeInt(c.value(), &tc.TransactionID, 64)
	}
	return -1, nil
}

func (s *TCPConnectStatus) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "blocked":
		return 0, decodeBoolPtr(c.value(), &s.Blocked)
	case "failure":
		return 1, decodeStringPtr(c.value(), &s.Failure)
	case "success":
		return 2, decodeBool(c.value(), &s.Success)
	}
	return -1, nil
}

func (h *TLSHandshake) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "network":
		return 0, decodeString(c.value(), &h.Network)
	case "address":
		return 1, decodeString(c.value(), &h.Address)
	case "cipher_suite":
		return 2, decodeString(c.value(), &h.CipherSuite)
	case "failure":
		return 3, decodeStringPtr(c.value(), &h.Failure)
	case "so_error":
		return 4, decodeStringPtr(c.value(), &h.SoError)
	case "negotiated_protocol":
		return 5, decodeString(c.value(), &h.NegotiatedProtocol)
	case "no_tls_verify":
		return 6, decodeBool(c.value(), &h.NoTLSVerify)
	case "peer_certificates":
		return 7, decodeValues(c, &h.PeerCertificates, unmarshaler[BinaryData])
	case "server_name":
		return 8, decodeString(c.value(), &h.ServerName)
	case "t0":
		return 9, decodeFloat(c.value(), &h.T0)
	case "t":
		return 10, decodeFloat(c.value(), &h.T)
	case "tags":
		return 11, decodeStrings(c, &h.Tags)
	case "tls_version":
		return 12, decodeString(c.value(), &h.TLSVersion)
	case "transaction_id":
		return 13, decodeInt(c.value(), &h.TransactionID, 64)
	}
	return -1, nil
}

func (h *HTTPTransaction) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "network":
		return 0, decodeString(c.value(), &h.Network)
	case "address":
		return 1, decodeString(c.value(), &h.Address)
	case "alpn":
		return 2, decodeString(c.value(), &h.ALPN)
	case "failure":
		return 3, decodeStringPtr(c.value(), &h.Failure)
	case "request":
		return 4, decodeObject(c, &h.Request, httpRequestNames)
	case "response":
		return 5, decodeObject(c, &h.Response, httpResponseNames)
	case "t0":
		return 6, decodeFloat(c.value(), &h.T0)
	case "t":
		return 7, decodeFloat(c.value(), &h.T)
	case "tags":
		return 8, decodeStrings(c, &h.Tags)
	case "transaction_id":
		return 9, decodeInt(c.value(), &h.TransactionID, 64)
	}
	return -1, nil
}

func (r *HTTPRequest) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "body":
		return 0, unmarshaler(c.value(), &r.Body)
	case "body_is_truncated":
		return 1, decodeBool(c.value(), &r.BodyIsTruncated)
	case "headers_list":
		return 2, decodeValues(c, &r.HeadersList, unmarshaler[HTTPHeader])
	case "headers":
		return 3, decodeHeaderMap(c, &r.Headers)
	case "method":
		return 4, decodeString(c.value(), &r.Method)
	case "tor":
		return 5, decodeObject(c, &r.Tor, httpTorNames)
	case "x_transport":
		return 6, decodeString(c.value(), &r.Transport)
	case "url":
		return 7, decodeString(c.value(), &r.URL)
	}
	return -1, nil
}

func (t *HTTPTor) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "exit_ip":
		return 0, decodeStringPtr(c.value(), &t.ExitIP)
	case "exit_name":
		return 1, decodeStringPtr(c.value(), &t.ExitName)
	case "is_tor":
		return 2, decodeBool(c.value(), &t.IsTor)
	}
	return -1, nil
}

func (r *HTTPResponse) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "body":
		return 0, unmarshaler(c.value(), &r.Body)
	case "body_is_truncated":
		return 1, decodeBool(c.value(), &r.BodyIsTruncated)
	case "code":
		return 2, decodeInt(c.value(), &r.Code, 64)
	case "headers_list":
		return 3, decodeValues(c, &r.HeadersList, unmarshaler[HTTPHeader])
	case "headers":
		return 4, decodeHeaderMap(c, &r.Headers)
	}
	return -1, nil
}

func (e *NetworkEvent) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "address":
		return 0, decodeString(c.value(), &e.Address)
	case "failure":
		return 1, decodeStringPtr(c.value(), &e.Failure)
	case "num_bytes":
		return 2, decodeInt(c.value(), &e.NumBytes, 64)
	case "operation":
		return 3, decodeString(c.value(), &e.Operation)
	case "proto":
		return 4, decodeString(c.value(), &e.Proto)
	case "t0":
		return 5, decodeFloat(c.value(), &e.T0)
	case "t":
		return 6, decodeFloat(c.value(), &e.T)
	case "tags":
		return 7, decodeStrings(c, &e.Tags)
	case "transaction_id":
		return 8, decodeInt(c.value(), &e.TransactionID, 64)
	}
	return -1, nil
}

// fastEntry decodes the list entry at c as json.Unmarshal(entry, &v)
// would, and moves c past it: the fast path, or encoding/json where the
// fast path gives up. It reports whether encoding/json would have
// succeeded.
func fastEntry[T any, P interface {
	*T
	fastObject
}](c *cursor, names []string, v *T) bool {
	start := c.i
	err := decodeObject(c, P(v), names)
	if err == nil {
		return true
	}
	c.i = start
	raw := c.value()
	if err == errFallback {
		var fresh T
		if json.Unmarshal(raw, &fresh) != nil {
			return false
		}
		*v = fresh
		return true
	}
	return false
}
