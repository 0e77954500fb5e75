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

func (q *DNSQuery) set(k, v []byte) (int, error) {
	switch string(k) {
	case "answers":
		return 0, decodeSlice(v, &q.Answers, func(raw []byte, a *DNSAnswer) error { return decodeObject(raw, a, dnsAnswerNames) })
	case "engine":
		return 1, decodeString(v, &q.Engine)
	case "failure":
		return 2, decodeStringPtr(v, &q.Failure)
	case "getaddrinfo_error":
		return 3, decodeInt(v, &q.GetaddrinfoError, 64)
	case "hostname":
		return 4, decodeString(v, &q.Hostname)
	case "query_type":
		return 5, decodeString(v, &q.QueryType)
	case "raw_response":
		return 6, unmarshaler(v, &q.RawResponse)
	case "rcode":
		return 7, decodeInt(v, &q.Rcode, 64)
	case "resolver_hostname":
		return 8, decodeStringPtr(v, &q.ResolverHostname)
	case "resolver_port":
		return 9, decodeStringPtr(v, &q.ResolverPort)
	case "resolver_address":
		return 10, decodeString(v, &q.ResolverAddress)
	case "t0":
		return 11, decodeFloat(v, &q.T0)
	case "t":
		return 12, decodeFloat(v, &q.T)
	case "tags":
		return 13, decodeStrings(v, &q.Tags)
	case "transaction_id":
		return 14, decodeInt(v, &q.TransactionID, 64)
	}
	return -1, nil
}

func (a *DNSAnswer) set(k, v []byte) (int, error) {
	switch string(k) {
	case "asn":
		return 0, decodeInt(v, &a.ASN, 64)
	case "as_org_name":
		return 1, decodeString(v, &a.ASOrgName)
	case "answer_type":
		return 2, decodeString(v, &a.AnswerType)
	case "hostname":
		return 3, decodeString(v, &a.Hostname)
	case "ipv4":
		return 4, decodeString(v, &a.IPv4)
	case "ipv6":
		return 5, decodeString(v, &a.IPv6)
	case "alpn":
		return 6, decodeStrings(v, &a.ALPN)
	case "ttl":
		return 7, decodeUint32Ptr(v, &a.TTL)
	}
	return -1, nil
}

func (c *TCPConnect) set(k, v []byte) (int, error) {
	switch string(k) {
	case "ip":
		return 0, decodeString(v, &c.IP)
	case "port":
		return 1, decodeGoInt(v, &c.Port)
	case "status":
		return 2, decodeObject(v, &c.Status, tcpStatusNames)
	case "t0":
		return 3, decodeFloat(v, &c.T0)
	case "t":
		return 4, decodeFloat(v, &c.T)
	case "tags":
		return 5, decodeStrings(v, &c.Tags)
	case "transaction_id":
		return 6, decodeInt(v, &c.TransactionID, 64)
	}
	return -1, nil
}

func (s *TCPConnectStatus) set(k, v []byte) (int, error) {
	switch string(k) {
	case "blocked":
		return 0, decodeBoolPtr(v, &s.Blocked)
	case "failure":
		return 1, decodeStringPtr(v, &s.Failure)
	case "success":
		return 2, decodeBool(v, &s.Success)
	}
	return -1, nil
}

func (h *TLSHandshake) set(k, v []byte) (int, error) {
	switch string(k) {
	case "network":
		return 0, decodeString(v, &h.Network)
	case "address":
		return 1, decodeString(v, &h.Address)
	case "cipher_suite":
		return 2, decodeString(v, &h.CipherSuite)
	case "failure":
		return 3, decodeStringPtr(v, &h.Failure)
	case "so_error":
		return 4, decodeStringPtr(v, &h.SoError)
	case "negotiated_protocol":
		return 5, decodeString(v, &h.NegotiatedProtocol)
	case "no_tls_verify":
		return 6, decodeBool(v, &h.NoTLSVerify)
	case "peer_certificates":
		return 7, decodeSlice(v, &h.PeerCertificates, unmarshaler[BinaryData])
	case "server_name":
		return 8, decodeString(v, &h.ServerName)
	case "t0":
		return 9, decodeFloat(v, &h.T0)
	case "t":
		return 10, decodeFloat(v, &h.T)
	case "tags":
		return 11, decodeStrings(v, &h.Tags)
	case "tls_version":
		return 12, decodeString(v, &h.TLSVersion)
	case "transaction_id":
		return 13, decodeInt(v, &h.TransactionID, 64)
	}
	return -1, nil
}

func (h *HTTPTransaction) set(k, v []byte) (int, error) {
	switch string(k) {
	case "network":
		return 0, decodeString(v, &h.Network)
	case "address":
		return 1, decodeString(v, &h.Address)
	case "alpn":
		return 2, decodeString(v, &h.ALPN)
	case "failure":
		return 3, decodeStringPtr(v, &h.Failure)
	case "request":
		return 4, decodeObject(v, &h.Request, httpRequestNames)
	case "response":
		return 5, decodeObject(v, &h.Response, httpResponseNames)
	case "t0":
		return 6, decodeFloat(v, &h.T0)
	case "t":
		return 7, decodeFloat(v, &h.T)
	case "tags":
		return 8, decodeStrings(v, &h.Tags)
	case "transaction_id":
		return 9, decodeInt(v, &h.TransactionID, 64)
	}
	return -1, nil
}

func (r *HTTPRequest) set(k, v []byte) (int, error) {
	switch string(k) {
	case "body":
		return 0, unmarshaler(v, &r.Body)
	case "body_is_truncated":
		return 1, decodeBool(v, &r.BodyIsTruncated)
	case "headers_list":
		return 2, decodeSlice(v, &r.HeadersList, unmarshaler[HTTPHeader])
	case "headers":
		return 3, decodeHeaderMap(v, &r.Headers)
	case "method":
		return 4, decodeString(v, &r.Method)
	case "tor":
		return 5, decodeObject(v, &r.Tor, httpTorNames)
	case "x_transport":
		return 6, decodeString(v, &r.Transport)
	case "url":
		return 7, decodeString(v, &r.URL)
	}
	return -1, nil
}

func (t *HTTPTor) set(k, v []byte) (int, error) {
	switch string(k) {
	case "exit_ip":
		return 0, decodeStringPtr(v, &t.ExitIP)
	case "exit_name":
		return 1, decodeStringPtr(v, &t.ExitName)
	case "is_tor":
		return 2, decodeBool(v, &t.IsTor)
	}
	return -1, nil
}

func (r *HTTPResponse) set(k, v []byte) (int, error) {
	switch string(k) {
	case "body":
		return 0, unmarshaler(v, &r.Body)
	case "body_is_truncated":
		return 1, decodeBool(v, &r.BodyIsTruncated)
	case "code":
		return 2, decodeInt(v, &r.Code, 64)
	case "headers_list":
		return 3, decodeSlice(v, &r.HeadersList, unmarshaler[HTTPHeader])
	case "headers":
		return 4, decodeHeaderMap(v, &r.Headers)
	}
	return -1, nil
}

func (e *NetworkEvent) set(k, v []byte) (int, error) {
	switch string(k) {
	case "address":
		return 0, decodeString(v, &e.Address)
	case "failure":
		return 1, decodeStringPtr(v, &e.Failure)
	case "num_bytes":
		return 2, decodeInt(v, &e.NumBytes, 64)
	case "operation":
		return 3, decodeString(v, &e.Operation)
	case "proto":
		return 4, decodeString(v, &e.Proto)
	case "t0":
		return 5, decodeFloat(v, &e.T0)
	case "t":
		return 6, decodeFloat(v, &e.T)
	case "tags":
		return 7, decodeStrings(v, &e.Tags)
	case "transaction_id":
		return 8, decodeInt(v, &e.TransactionID, 64)
	}
	return -1, nil
}

// fastEntry decodes one list entry as json.Unmarshal(raw, &v) would: the
// fast path, or encoding/json where the fast path gives up. It reports
// whether encoding/json would have succeeded.
func fastEntry[T any, P interface {
	*T
	fastObject
}](raw []byte, names []string, v *T) bool {
	err := decodeObject(raw, P(v), names)
	if err == errFallback {
		var fresh T
		if json.Unmarshal(raw, &fresh) != nil {
			return false
		}
		*v = fresh
		return true
	}
	return err == nil
}
