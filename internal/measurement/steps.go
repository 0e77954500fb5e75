package measurement

import (
	"encoding/json"
)

// DecodeSteps extracts the network steps from any test's keys. It is
// lenient: a list that does not have the archival shape (a legacy probe, a
// test that reuses a key name for something else) is decoded entry by
// entry, and entries that do not fit are dropped and counted.
func DecodeSteps(testKeys json.RawMessage) (steps Steps, dropped int) {
	var keys map[string]json.RawMessage
	if json.Unmarshal(testKeys, &keys) != nil {
		return Steps{}, 0
	}
	dropped += decodeList(keys["queries"], &steps.Queries)
	dropped += decodeList(keys["tcp_connect"], &steps.TCPConnect)
	dropped += decodeList(keys["tls_handshakes"], &steps.TLSHandshakes)
	dropped += decodeList(keys["quic_handshakes"], &steps.QUICHandshakes)
	dropped += decodeList(keys["requests"], &steps.Requests)
	dropped += decodeList(keys["network_events"], &steps.NetworkEvents)
	dropped += decodeList(keys["dns_late_replies"], &steps.DNSLateReplies)
	return steps, dropped
}

func decodeList[T any](raw json.RawMessage, out *[]T) (dropped int) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0
	}
	if json.Unmarshal(raw, out) == nil {
		return 0
	}
	*out = nil
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return 1
	}
	for _, item := range items {
		var v T
		if json.Unmarshal(item, &v) != nil {
			dropped++
			continue
		}
		*out = append(*out, v)
	}
	return dropped
}
