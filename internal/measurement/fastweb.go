package measurement

// The fast decoder's field tables for web_connectivity's keys outside the
// network steps (DecodeWebTestKeys): the verdict fields and the control
// helper's response, which encoding/json used to decode at a sixth of a
// measurement's cost. Same rules as faststeps.go: anything unusual gives
// up (errFallback) and encoding/json decodes the whole keys.

// webKeys is WebTestKeys as the fast decoder fills it: the step lists
// (indices 0 to 6, in stepListNames' order) are only delimited, to be
// decoded entry by entry afterwards; the other fields are decoded in
// place.
type webKeys struct {
	tk    *WebTestKeys
	lists [7][]byte
}

var (
	webKeyNames = append(append([]string{}, stepListNames...),
		"agent", "client_resolver", "retries", "socksproxy", "dns_experiment_failure", "dns_consistency",
		"http_experiment_failure", "control_failure", "control", "body_length_match", "body_proportion",
		"status_code_match", "headers_match", "title_match", "accessible", "blocking", "x_status", "x_blocking_flags")
	controlNames       = []string{"tcp_connect", "tls_handshake", "quic_handshake", "http_request", "http3_request", "dns", "ip_info"}
	controlTCPNames    = []string{"status", "failure"}
	controlTLSNames    = []string{"server_name", "status", "failure"}
	controlHTTPNames   = []string{"body_length", "discovered_h3_endpoint", "failure", "title", "headers", "status_code"}
	controlDNSNames    = []string{"failure", "addrs"}
	controlIPInfoNames = []string{"asn", "flags"}
)

func (w *webKeys) set(k, v []byte) (int, error) {
	for i, name := range stepListNames {
		if string(k) == name {
			w.lists[i] = v
			return i, nil
		}
	}
	tk, n := w.tk, len(stepListNames)
	switch string(k) {
	case "agent":
		return n, decodeString(v, &tk.Agent)
	case "client_resolver":
		return n + 1, decodeString(v, &tk.ClientResolver)
	case "retries":
		return n + 2, decodePtr(v, &tk.Retries, decodeInt64)
	case "socksproxy":
		return n + 3, decodeStringPtr(v, &tk.SOCKSProxy)
	case "dns_experiment_failure":
		return n + 4, decodeStringPtr(v, &tk.DNSExperimentFailure)
	case "dns_consistency":
		return n + 5, decodeStringPtr(v, &tk.DNSConsistency)
	case "http_experiment_failure":
		return n + 6, decodeStringPtr(v, &tk.HTTPExperimentFailure)
	case "control_failure":
		return n + 7, decodeStringPtr(v, &tk.ControlFailure)
	case "control":
		return n + 8, decodePtr(v, &tk.Control, func(raw []byte, c *ControlResponse) error { return decodeObject(raw, c, controlNames) })
	case "body_length_match":
		return n + 9, decodeBoolPtr(v, &tk.BodyLengthMatch)
	case "body_proportion":
		return n + 10, decodePtr(v, &tk.BodyProportion, decodeFloat)
	case "status_code_match":
		return n + 11, decodeBoolPtr(v, &tk.StatusCodeMatch)
	case "headers_match":
		return n + 12, decodeBoolPtr(v, &tk.HeadersMatch)
	case "title_match":
		return n + 13, decodeBoolPtr(v, &tk.TitleMatch)
	case "accessible":
		return n + 14, decodeBoolPtr(v, &tk.Accessible)
	case "blocking":
		return n + 15, unmarshaler(v, &tk.Blocking)
	case "x_status":
		return n + 16, decodeInt64(v, &tk.XStatus)
	case "x_blocking_flags":
		return n + 17, decodeInt64(v, &tk.XBlockingFlags)
	}
	return -1, nil
}

func decodeInt64(raw []byte, dst *int64) error { return decodeInt(raw, dst, 64) }

func (c *ControlResponse) set(k, v []byte) (int, error) {
	switch string(k) {
	case "tcp_connect":
		return 0, decodeMap(v, &c.TCPConnect, func(raw []byte, t *ControlTCPConnect) error { return decodeObject(raw, t, controlTCPNames) })
	case "tls_handshake":
		return 1, decodeMap(v, &c.TLSHandshake, decodeControlTLS)
	case "quic_handshake":
		return 2, decodeMap(v, &c.QUICHandshake, decodeControlTLS)
	case "http_request":
		return 3, decodeObject(v, &c.HTTPRequest, controlHTTPNames)
	case "http3_request":
		return 4, decodePtr(v, &c.HTTP3Request, func(raw []byte, h *ControlHTTPRequest) error { return decodeObject(raw, h, controlHTTPNames) })
	case "dns":
		return 5, decodeObject(v, &c.DNS, controlDNSNames)
	case "ip_info":
		return 6, decodeMap(v, &c.IPInfo, func(raw []byte, i *ControlIPInfo) error { return decodeObject(raw, i, controlIPInfoNames) })
	}
	return -1, nil
}

func decodeControlTLS(raw []byte, h *ControlTLSHandshake) error {
	return decodeObject(raw, h, controlTLSNames)
}

func (t *ControlTCPConnect) set(k, v []byte) (int, error) {
	switch string(k) {
	case "status":
		return 0, decodeBool(v, &t.Status)
	case "failure":
		return 1, decodeStringPtr(v, &t.Failure)
	}
	return -1, nil
}

func (h *ControlTLSHandshake) set(k, v []byte) (int, error) {
	switch string(k) {
	case "server_name":
		return 0, decodeString(v, &h.ServerName)
	case "status":
		return 1, decodeBool(v, &h.Status)
	case "failure":
		return 2, decodeStringPtr(v, &h.Failure)
	}
	return -1, nil
}

func (h *ControlHTTPRequest) set(k, v []byte) (int, error) {
	switch string(k) {
	case "body_length":
		return 0, decodeInt64(v, &h.BodyLength)
	case "discovered_h3_endpoint":
		return 1, decodeString(v, &h.DiscoveredH3Endpoint)
	case "failure":
		return 2, decodeStringPtr(v, &h.Failure)
	case "title":
		return 3, decodeString(v, &h.Title)
	case "headers":
		return 4, decodeStringMap(v, &h.Headers)
	case "status_code":
		return 5, decodeInt64(v, &h.StatusCode)
	}
	return -1, nil
}

func (d *ControlDNS) set(k, v []byte) (int, error) {
	switch string(k) {
	case "failure":
		return 0, decodeStringPtr(v, &d.Failure)
	case "addrs":
		return 1, decodeStrings(v, &d.Addrs)
	}
	return -1, nil
}

func (i *ControlIPInfo) set(k, v []byte) (int, error) {
	switch string(k) {
	case "asn":
		return 0, decodeInt64(v, &i.ASN)
	case "flags":
		return 1, decodeInt64(v, &i.Flags)
	}
	return -1, nil
}
