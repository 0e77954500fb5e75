package measurement

import (
	"bytes"
	"encoding/json"

	"github.com/sonde-project/sonde/internal/canonjson"
)

// DecodeSteps extracts the network steps from any test's keys. It is
// lenient: a list that does not have the archival shape (a legacy probe, a
// test that reuses a key name for something else) is decoded entry by
// entry, and entries that do not fit are dropped and counted.
//
// The result is what encoding/json gives (decoding the keys, then each
// list, then each entry of a list that fails as a whole); the work is done
// by a decoder that needs neither reflection nor a validation pass per
// level (fastjson.go).
func DecodeSteps(testKeys json.RawMessage) (steps Steps, dropped int) {
	lists := map[string]json.RawMessage{}
	if !canonjson.Valid(testKeys) {
		return Steps{}, 0
	}
	err := canonjson.Members(testKeys, func(k, v []byte) error {
		if bytes.IndexByte(k, '\\') >= 0 {
			return errFallback
		}
		switch string(k) {
		case "queries", "tcp_connect", "tls_handshakes", "quic_handshakes", "requests", "network_events", "dns_late_replies":
			lists[string(k)] = v // the last of a repeated key wins, as in a map
		}
		return nil
	})
	if err == errFallback {
		lists = nil
		if json.Unmarshal(testKeys, &lists) != nil {
			return Steps{}, 0
		}
	} else if err != nil {
		return Steps{}, 0 // not an object
	}
	dropped += decodeList(lists["queries"], &steps.Queries, dnsQueryNames)
	dropped += decodeList(lists["tcp_connect"], &steps.TCPConnect, tcpConnectNames)
	dropped += decodeList(lists["tls_handshakes"], &steps.TLSHandshakes, tlsNames)
	dropped += decodeList(lists["quic_handshakes"], &steps.QUICHandshakes, tlsNames)
	dropped += decodeList(lists["requests"], &steps.Requests, httpNames)
	dropped += decodeList(lists["network_events"], &steps.NetworkEvents, networkEventNames)
	dropped += decodeList(lists["dns_late_replies"], &steps.DNSLateReplies, dnsQueryNames)
	return steps, dropped
}

// decodeList decodes a list of valid JSON: all of it when every entry
// fits, otherwise the entries that fit (nil when none does); a value that
// is not a list counts as one dropped.
func decodeList[T any, P interface {
	*T
	fastObject
}](raw json.RawMessage, out *[]T, names []string) (dropped int) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0
	}
	if raw[0] != '[' {
		return 1
	}
	items := make([]T, 0, 8)
	canonjson.Elements(raw, func(item []byte) error {
		items = append(items, *new(T))
		if !fastEntry[T, P](item, names, &items[len(items)-1]) {
			items = items[:len(items)-1]
			dropped++
		}
		return nil
	})
	if dropped > 0 && len(items) == 0 {
		items = nil
	}
	*out = items
	return dropped
}
