package analysis

import (
	"bytes"
	"encoding/json"
	"strings"
)

// keys is a test's keys read leniently: every field is kept as raw JSON
// and read with the typed getters below, which report a field of an
// unexpected type as absent instead of failing the whole decode. Keys from
// a decade of probes differ in small ways; this keeps one odd field from
// hiding all the others.
type keys map[string]json.RawMessage

// decodeKeys reads a JSON object; anything else gives nil keys.
func decodeKeys(raw json.RawMessage) keys {
	var k keys
	if json.Unmarshal(raw, &k) != nil {
		return nil
	}
	return k
}

// has reports whether the field is present (even if null).
func (k keys) has(name string) bool {
	_, ok := k[name]
	return ok
}

// null reports whether the field is absent or null.
func (k keys) null(name string) bool {
	v, ok := k[name]
	return !ok || isNullJSON(v)
}

func isNullJSON(v json.RawMessage) bool {
	return len(v) == 0 || bytes.Equal(bytes.TrimSpace(v), []byte("null"))
}

// str returns a string field.
func (k keys) str(name string) (string, bool) {
	var s string
	if v, ok := k[name]; ok && json.Unmarshal(v, &s) == nil && !isNullJSON(v) {
		return s, true
	}
	return "", false
}

// boolean returns a boolean field.
func (k keys) boolean(name string) (val, ok bool) {
	var b bool
	if v, present := k[name]; present && !isNullJSON(v) && json.Unmarshal(v, &b) == nil {
		return b, true
	}
	return false, false
}

// number returns a numeric field.
func (k keys) number(name string) (float64, bool) {
	var f float64
	if v, ok := k[name]; ok && !isNullJSON(v) && json.Unmarshal(v, &f) == nil {
		return f, true
	}
	return 0, false
}

// list returns a list field's items (nil for anything else).
func (k keys) list(name string) []json.RawMessage {
	var l []json.RawMessage
	if v, ok := k[name]; ok && json.Unmarshal(v, &l) == nil {
		return l
	}
	return nil
}

// object returns an object field (nil for anything else).
func (k keys) object(name string) keys {
	if v, ok := k[name]; ok {
		return decodeKeys(v)
	}
	return nil
}

// isList reports whether a field is a JSON list.
func (k keys) isList(name string) bool {
	v := bytes.TrimSpace(k[name])
	return len(v) > 0 && v[0] == '['
}

// unknownFailureKey finds a top-level "…failure" field holding an error
// the probe could not classify (OONI's fastpath flags those measurements
// as failed).
func (k keys) unknownFailureKey() (string, string, bool) {
	for _, name := range sortedKeys(k) {
		if !strings.HasSuffix(name, "failure") {
			continue
		}
		if s, ok := k.str(name); ok && unknownFailure(s) {
			return name, s, true
		}
	}
	return "", "", false
}

// isString reports whether a field is a JSON string.
func (k keys) isString(name string) bool {
	v := bytes.TrimSpace(k[name])
	return len(v) > 0 && v[0] == '"'
}
