package analysis

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/sonde-project/sonde/internal/canonjson"
)

// keys is a test's keys read leniently: every field is kept as raw JSON
// and read with the typed getters below, which report a field of an
// unexpected type as absent instead of failing the whole decode. Keys from
// a decade of probes differ in small ways; this keeps one odd field from
// hiding all the others.
type keys map[string]json.RawMessage

// decodeKeys reads a JSON object; anything else gives nil keys.
func decodeKeys(raw json.RawMessage) keys {
	if !canonjson.Valid(raw) {
		return nil // encoding/json would refuse it too
	}
	return splitKeys(raw)
}

// splitKeys is decodeKeys for valid JSON (a value of keys, or test keys
// checked once): the values are slices of raw, which gives what
// encoding/json gives unless a key is escaped or not ASCII (encoding/json
// would rewrite it): those go through encoding/json.
func splitKeys(raw json.RawMessage) keys {
	k := keys{}
	err := canonjson.Members(raw, func(name, v []byte) error {
		for _, c := range name {
			if c == '\\' || c >= 0x80 {
				return errOdd
			}
		}
		k[string(name)] = v
		return nil
	})
	if err == nil {
		return k
	}
	if err != errOdd {
		return nil // valid, but not an object
	}
	k = nil
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

// list returns a list field's items (nil for anything else). The
// values of keys are valid JSON (decodeKeys checked them), and so are
// the items.
func (k keys) list(name string) []json.RawMessage {
	v, ok := k[name]
	if !ok {
		return nil
	}
	l := []json.RawMessage{}
	if canonjson.Elements(v, func(item []byte) error { l = append(l, item); return nil }) != nil {
		return nil // not a list (null included)
	}
	return l
}

// object returns an object field (nil for anything else).
func (k keys) object(name string) keys {
	if v, ok := k[name]; ok {
		return splitKeys(v)
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
