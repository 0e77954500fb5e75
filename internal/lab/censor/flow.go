package censor

import (
	"time"
)

// flowState is what the engine knows of a connection.
type flowState int

const (
	flowCollecting flowState = iota // buffering the first bytes
	flowDone                        // decided: leave it alone
	flowReset                       // decided: reset it, again on retransmission
)

// flow is a client's first bytes on one TCP connection, reassembled in
// order (out-of-order segments are ignored; the client retransmits).
type flow struct {
	key   flowKey
	state flowState
	next  uint32 // next expected sequence number
	buf   []byte
	seen  time.Time
}

// add appends an in-order segment; it reports whether buf grew.
func (f *flow) add(seq uint32, payload []byte) bool {
	if seq != f.next || len(f.buf) >= maxFirstBytes {
		return false
	}
	n := min(len(payload), maxFirstBytes-len(f.buf))
	f.buf = append(f.buf, payload[:n]...)
	f.next += uint32(len(payload))
	return true
}

// Limits of the flow table: a lab censor watches a handful of probes.
const (
	maxFlows = 4096
	flowTTL  = 2 * time.Minute
)

// flowTable holds flows; only the engine's reading goroutine touches it.
type flowTable struct {
	m map[flowKey]*flow
}

// get returns the flow of key, starting one at seq if the segment is the
// stream's first data. It returns nil when the table is full.
func (t *flowTable) get(key flowKey, seq uint32, now time.Time) *flow {
	if t.m == nil {
		t.m = make(map[flowKey]*flow)
	}
	if f, ok := t.m[key]; ok {
		f.seen = now
		return f
	}
	if len(t.m) >= maxFlows {
		for k, f := range t.m {
			if now.Sub(f.seen) > flowTTL {
				delete(t.m, k)
			}
		}
		if len(t.m) >= maxFlows {
			return nil
		}
	}
	f := &flow{key: key, next: seq, seen: now}
	t.m[key] = f
	return f
}

func (t *flowTable) drop(key flowKey) { delete(t.m, key) }
