package measurement

// The fast decoder's field tables for web_connectivity's keys outside the
// network steps (DecodeWebTestKeys): the verdict fields and the control
// helper's response, which encoding/json used to decode at a sixth of a
// measurement's cost. Same rules as faststeps.go: anything unusual gives
// up (errFallback) and encoding/json decodes the whole keys.

// webKeys is WebTestKeys as the fast decoder fills it: the step lists
// (indices 0 to 6, in stepListNames' order) decoded entry by entry, with
// the count of the entries that did not fit.
type webKeys struct {
	tk      *WebTestKeys
	dropped int
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

func (w *webKeys) set(k []byte, c *cursor) (int, error) {
	for j, name := range stepListNames {
		if string(k) == name {
			w.dropped += w.tk.Steps.decodeList(j, c)
			return j, nil
		}
	}
	tk, n := w.tk, len(stepListNames)
	switch string(k) {
	case "agent":
		return n, decodeString(c.value(), &tk.Agent)
	case "client_resolver":
		return n + 1, decodeString(c.value(), &tk.ClientResolver)
	case "retries":
		return n + 2, decodePtr(c.value(), &tk.Retries, decodeInt64)
	case "socksproxy":
		return n + 3, decodeStringPtr(c.value(), &tk.SOCKSProxy)
	case "dns_experiment_failure":
		return n + 4, decodeStringPtr(c.value(), &tk.DNSExperimentFailure)
	case "dns_consistency":
		return n + 5, decodeStringPtr(c.value(), &tk.DNSConsistency)
	case "http_experiment_failure":
		return n + 6, decodeStringPtr(c.value(), &tk.HTTPExperimentFailure)
	case "control_failure":
		return n + 7, decodeStringPtr(c.value(), &tk.ControlFailure)
	case "control":
		return n + 8, decodePtrAt(c, &tk.Control, func(c *cursor, r *ControlResponse) error { return decodeObject(c, r, controlNames) })
	case "body_length_match":
		return n + 9, decodeBoolPtr(c.value(), &tk.BodyLengthMatch)
	case "body_proportion":
		return n + 10, decodePtr(c.value(), &tk.BodyProportion, decodeFloat)
	case "status_code_match":
		return n + 11, decodeBoolPtr(c.value(), &tk.StatusCodeMatch)
	case "headers_match":
		return n + 12, decodeBoolPtr(c.value(), &tk.HeadersMatch)
	case "title_match":
		return n + 13, decodeBoolPtr(c.value(), &tk.TitleMatch)
	case "accessible":
		return n + 14, decodeBoolPtr(c.value(), &tk.Accessible)
	case "blocking":
		return n + 15, unmarshaler(c.value(), &tk.Blocking)
	case "x_status":
		return n + 16, decodeInt64(c.value(), &tk.XStatus)
	case "x_blocking_flags":
		return n + 17, decodeInt64(c.value(), &tk.XBlockingFlags)
	}
	return -1, nil
}

func decodeInt64(raw []byte, dst *int64) error { return decodeInt(raw, dst, 64) }

func (r *ControlResponse) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "tcp_connect":
		return 0, decodeMap(c, &r.TCPConnect, func(c *cursor, t *ControlTCPConnect) error { return decodeObject(c, t, controlTCPNames) })
	case "tls_handshake":
		return 1, decodeMap(c, &r.TLSHandshake, decodeControlTLS)
	case "quic_handshake":
		return 2, decodeMap(c, &r.QUICHandshake, decodeControlTLS)
	case "http_request":
		return 3, decodeObject(c, &r.HTTPRequest, controlHTTPNames)
	case "http3_request":
		return 4, decodePtrAt(c, &r.HTTP3Request, func(c *cursor, h *ControlHTTPRequest) error { return decodeObject(c, h, controlHTTPNames) })
	case "dns":
		return 5, decodeObject(c, &r.DNS, controlDNSNames)
	case "ip_info":
		return 6, decodeMap(c, &r.IPInfo, func(c *cursor, i *ControlIPInfo) error { return decodeObject(c, i, controlIPInfoNames) })
	}
	return -1, nil
}

func decodeControlTLS(c *cursor, h *ControlTLSHandshake) error {
	return decodeObject(c, h, controlTLSNames)
}

func (t *ControlTCPConnect) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "status":
		return 0, decodeBool(c.value(), &t.Status)
	case "failure":
		return 1, decodeStringPtr(c.value(), &t.Failure)
	}
	return -1, nil
}

func (h *ControlTLSHandshake) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "server_name":
		return 0, decodeString(c.value(), &h.ServerName)
	case "status":
		return 1, decodeBool(c.value(), &h.Status)
	case "failure":
		return 2, decodeStringPtr(c.value(), &h.Failure)
	}
	return -1, nil
}

func (h *ControlHTTPRequest) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "body_length":
		return 0, decodeInt64(c.value(), &h.BodyLength)
	case "discovered_h3_endpoint":
		return 1, decodeString(c.value(), &h.DiscoveredH3Endpoint)
	case "failure":
		return 2, decodeStringPtr(c.value(), &h.Failure)
	case "title":
		return 3, decodeString(c.value(), &h.Title)
	case "headers":
		return 4, decodeStringMap(c, &h.Headers)
	case "status_code":
		return 5, decodeInt64(c.value(), &h.StatusCode)
	}
	return -1, nil
}

func (d *ControlDNS) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "failure":
		return 0, decodeStringPtr(c.value(), &d.Failure)
	case "addrs":
		return 1, decodeStrings(c, &d.Addrs)
	}
	return -1, nil
}

func (i *ControlIPInfo) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "asn":
		return 0, decodeInt64(c.value(), &i.ASN)
	case "flags":
		return 1, decodeInt64(c.value(), &i.Flags)
	}
	return -1, nil
}
