package measurement

import (
	"bytes"
	"encoding/json"

	"github.com/sonde-project/sonde/internal/canonjson"
)

// DecodeWebTestKeys is json.Unmarshal(raw, &keys) for web_connectivity's
// test keys, with the same result and the same error, faster: the network
// steps, most of the bytes, go through DecodeSteps' decoder and
// encoding/json decodes the rest. Whenever that split could differ from
// decoding the whole (a step list spelled in another case or given twice,
// an entry that does not fit, invalid JSON), it decodes the whole.
func DecodeWebTestKeys(raw []byte) (WebTestKeys, error) {
	var tk WebTestKeys
	if !canonjson.Valid(raw) {
		return tk, json.Unmarshal(raw, &tk)
	}
	lists := map[string][]byte{}
	head := []byte{'{'}
	err := canonjson.Members(raw, func(k, v []byte) error {
		if bytes.IndexByte(k, '\\') >= 0 {
			return errFallback
		}
		for _, name := range stepListNames {
			if string(k) == name {
				if lists[name] != nil {
					return errFallback
				}
				lists[name] = v
				return nil
			}
			if bytes.EqualFold(k, []byte(name)) {
				return errFallback
			}
		}
		if len(head) > 1 {
			head = append(head, ',')
		}
		head = append(append(append(append(head, '"'), k...), '"', ':'), v...)
		return nil
	})
	if err != nil {
		return tk, json.Unmarshal(raw, &tk)
	}
	var s Steps
	dropped := decodeList(lists["queries"], &s.Queries, dnsQueryNames) +
		decodeList(lists["tcp_connect"], &s.TCPConnect, tcpConnectNames) +
		decodeList(lists["tls_handshakes"], &s.TLSHandshakes, tlsNames) +
		decodeList(lists["quic_handshakes"], &s.QUICHandshakes, tlsNames) +
		decodeList(lists["requests"], &s.Requests, httpNames) +
		decodeList(lists["network_events"], &s.NetworkEvents, networkEventNames) +
		decodeList(lists["dns_late_replies"], &s.DNSLateReplies, dnsQueryNames)
	if dropped > 0 || json.Unmarshal(append(head, '}'), &tk) != nil {
		tk = WebTestKeys{}
		return tk, json.Unmarshal(raw, &tk)
	}
	tk.Steps = s
	return tk, nil
}

var stepListNames = []string{"queries", "tcp_connect", "tls_handshakes", "quic_handshakes", "requests", "network_events", "dns_late_replies"}
