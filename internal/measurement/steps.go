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
	if !canonjson.Valid(testKeys) {
		return Steps{}, 0
	}
	return DecodeStepsValid(testKeys)
}

// DecodeStepsValid is DecodeSteps for test keys known to be valid JSON
// (part of a document checked with canonjson.Valid or encoding/json),
// without checking them again. For anything else its result is
// unspecified.
func DecodeStepsValid(testKeys json.RawMessage) (steps Steps, dropped int) {
	var per [7]int // each list's dropped entries: the last of a repeated key wins
	c := cursor{b: testKeys}
	_, err := canonjson.MembersAt(testKeys, 0, func(k []byte, i int) (int, error) {
		if bytes.IndexByte(k, '\\') >= 0 {
			return 0, errFallback
		}
		for j, name := range stepListNames {
			if string(k) == name {
				c.i = i
				per[j] = steps.decodeList(j, &c)
				return c.i, nil
			}
		}
		return canonjson.ValueEnd(testKeys, i), nil
	})
	if err == errFallback {
		var lists map[string]json.RawMessage
		if json.Unmarshal(testKeys, &lists) != nil {
			return Steps{}, 0
		}
		steps, per = Steps{}, [7]int{}
		for j, name := range stepListNames {
			if raw := lists[name]; len(raw) > 0 {
				per[j] = steps.decodeList(j, &cursor{b: raw})
			}
		}
	} else if err != nil {
		return Steps{}, 0 // not an object
	}
	for _, n := range per {
		dropped += n
	}
	return steps, dropped
}

var stepListNames = []string{"queries", "tcp_connect", "tls_handshakes", "quic_handshakes", "requests", "network_events", "dns_late_replies"}

// decodeList decodes the list number j of stepListNames at c into s and
// returns how many of its entries it dropped.
func (s *Steps) decodeList(j int, c *cursor) int {
	switch j {
	case 0:
		return decodeList(c, &s.Queries, dnsQueryNames)
	case 1:
		return decodeList(c, &s.TCPConnect, tcpConnectNames)
	case 2:
		return decodeList(c, &s.TLSHandshakes, tlsNames)
	case 3:
		return decodeList(c, &s.QUICHandshakes, tlsNames)
	case 4:
		return decodeList(c, &s.Requests, httpNames)
	case 5:
		return decodeList(c, &s.NetworkEvents, networkEventNames)
	}
	return decodeList(c, &s.DNSLateReplies, dnsQueryNames)
}

// decodeList decodes the list of valid JSON at c into *out, and moves c
// past it: all of it when every entry fits, otherwise the entries that
// fit (nil when none does); null sets nil, and a value that is not a list
// sets nil and counts as one dropped.
func decodeList[T any, P interface {
	*T
	fastObject
}](c *cursor, out *[]T, names []string) (dropped int) {
	if null, err := c.expect('['); null || err != nil {
		*out = nil
		if err != nil {
			c.value()
			return 1
		}
		return 0
	}
	items := make([]T, 0, 8)
	c.i, _ = canonjson.ElementsAt(c.b, c.i, func(i int) (int, error) {
		items = append(items, *new(T))
		c.i = i
		if !fastEntry[T, P](c, names, &items[len(items)-1]) {
			items = items[:len(items)-1]
			dropped++
		}
		return c.i, nil
	})
	if dropped > 0 && len(items) == 0 {
		items = nil
	}
	*out = items
	return dropped
}
