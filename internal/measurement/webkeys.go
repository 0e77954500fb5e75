package measurement

import (
	"encoding/json"

	"github.com/sonde-project/sonde/internal/canonjson"
)

// DecodeWebTestKeys is json.Unmarshal(raw, &keys) for web_connectivity's
// test keys, with the same result and the same error, faster: the network
// steps, most of the bytes, go through DecodeSteps' decoder and the other
// fields through the same fast decoder (fastweb.go). Whenever that could
// differ from encoding/json (a key spelled in another case, given twice or
// escaped, a value of the wrong type, a step entry that does not fit,
// invalid JSON), encoding/json decodes the whole.
func DecodeWebTestKeys(raw []byte) (WebTestKeys, error) {
	var tk WebTestKeys
	if !canonjson.Valid(raw) {
		return tk, json.Unmarshal(raw, &tk)
	}
	w := webKeys{tk: &tk}
	if len(raw) == 0 || raw[0] != '{' || decodeObject(raw, &w, webKeyNames) != nil {
		tk = WebTestKeys{}
		return tk, json.Unmarshal(raw, &tk)
	}
	s := &tk.Steps
	dropped := decodeList(w.lists[0], &s.Queries, dnsQueryNames) +
		decodeList(w.lists[1], &s.TCPConnect, tcpConnectNames) +
		decodeList(w.lists[2], &s.TLSHandshakes, tlsNames) +
		decodeList(w.lists[3], &s.QUICHandshakes, tlsNames) +
		decodeList(w.lists[4], &s.Requests, httpNames) +
		decodeList(w.lists[5], &s.NetworkEvents, networkEventNames) +
		decodeList(w.lists[6], &s.DNSLateReplies, dnsQueryNames)
	if dropped > 0 {
		tk = WebTestKeys{}
		return tk, json.Unmarshal(raw, &tk)
	}
	return tk, nil
}

var stepListNames = []string{"queries", "tcp_connect", "tls_handshakes", "quic_handshakes", "requests", "network_events", "dns_late_replies"}
