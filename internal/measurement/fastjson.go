package measurement

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/sonde-project/sonde/internal/canonjson"
)

// A decoder of the archival structures (DecodeSteps' lists) that gives
// exactly what encoding/json gives, several times faster: no reflection,
// no validation pass (the input is a part of a document encoding/json or
// internal/canonjson has checked), strings used as they are when they
// need no unescaping. Where encoding/json's behaviour is intricate — a key
// spelled in another case, a key given twice, an escaped key — the fast
// path gives up (errFallback) and encoding/json decodes that entry. A
// fuzz test holds the two to the same results.

// errFallback: decode this value with encoding/json instead.
var errFallback = errors.New("measurement: decode with encoding/json")

// errType: encoding/json would fail (the value has another JSON type
// than the field). Only the fact of the failure matters: the entry is
// dropped either way.
var errType = errors.New("measurement: wrong JSON type")

// fastObject is a struct the fast decoder can fill: set decodes the value
// of the field named key at c and returns its index, or -1 for a key that
// is not a field's name (ignored, and left for the caller to skip).
type fastObject interface {
	set(key []byte, c *cursor) (int, error)
}

// cursor is a position in valid JSON. The decoders of containers read
// the value at c.i and move c.i past it, so that each byte is scanned
// about once however deep it is; after an error c.i is unspecified.
type cursor struct {
	b []byte
	i int
	// one says b is exactly one value, delimited already (a member
	// handed over by canonjson): the value at 0 is b, not scanned again.
	one bool
}

// value returns the raw value at the cursor (for the decoders of
// scalars) and moves past it. Where b is not valid JSON after all it
// returns null and stays, which the containers' walk refuses.
func (c *cursor) value() []byte {
	if c.one && c.i == 0 && len(c.b) > 0 {
		c.i = len(c.b)
		return c.b
	}
	end := canonjson.ValueEnd(c.b, c.i)
	if end <= c.i {
		return []byte("null")
	}
	v := c.b[c.i:end]
	c.i = end
	return v
}

// decodeObject fills o from the JSON object at c, as encoding/json would;
// names are o's JSON field names, for the keys that match one only
// regardless of case.
func decodeObject(c *cursor, o fastObject, names []string) error {
	if null, err := c.expect('{'); null || err != nil {
		return err
	}
	var seen uint64
	end, err := canonjson.MembersAt(c.b, c.i, func(k []byte, i int) (int, error) {
		c.i = i
		f, err := o.set(k, c)
		if err != nil {
			return 0, err
		}
		known, err := checkKey(names, k, f, &seen)
		if err != nil {
			return 0, err
		}
		if !known {
			return canonjson.ValueEnd(c.b, i), nil
		}
		return c.i, nil
	})
	c.i = end
	return err
}

// checkKey decides, once the member k of an object has been decoded as
// field f (o.set: -1 for a key that is no field, whose value is not
// read), whether encoding/json would agree; where it might not it returns
// errFallback: an escaped key, a key that matches one of names only in
// another case, a field given twice (seen holds the fields set so far).
func checkKey(names []string, k []byte, f int, seen *uint64) (known bool, err error) {
	switch {
	case bytes.IndexByte(k, '\\') >= 0: // no field's name: set left it alone
		return false, errFallback
	case f < 0:
		for _, n := range names {
			if bytes.EqualFold(k, []byte(n)) {
				return false, errFallback
			}
		}
		return false, nil
	case *seen&(1<<f) != 0:
		return false, errFallback
	}
	*seen |= 1 << f
	return true, nil
}

// expect reports whether the value at c is null (and moves past it), and
// errType when it is neither null nor a value starting with start.
func (c *cursor) expect(start byte) (null bool, err error) {
	if c.i >= len(c.b) {
		return false, errType
	}
	switch c.b[c.i] {
	case 'n':
		c.i += len("null")
		return true, nil
	case start:
		return false, nil
	}
	return false, errType
}

// decodeSlice fills *dst from the JSON array at c, each element with
// elem. null sets nil; [] sets an empty, non-nil slice, as encoding/json
// does.
func decodeSlice[T any](c *cursor, dst *[]T, elem func(*cursor, *T) error) error {
	if null, err := c.expect('['); null || err != nil {
		if null {
			*dst = nil
		}
		return err
	}
	out := make([]T, 0, 4)
	end, err := canonjson.ElementsAt(c.b, c.i, func(i int) (int, error) {
		out = append(out, *new(T))
		c.i = i
		if err := elem(c, &out[len(out)-1]); err != nil {
			return 0, err
		}
		return c.i, nil
	})
	if err != nil {
		return err
	}
	c.i = end
	*dst = out
	return nil
}

// decodeValues is decodeSlice for elements decoded from their raw JSON.
func decodeValues[T any](c *cursor, dst *[]T, elem func([]byte, *T) error) error {
	return decodeSlice(c, dst, func(c *cursor, v *T) error { return elem(c.value(), v) })
}

func decodeString(raw []byte, dst *string) error {
	switch raw[0] {
	case 'n':
		return nil
	case '"':
	default:
		return errType
	}
	if s, ok := plainString(raw); ok {
		*dst = s
		return nil
	}
	s, err := UnquoteJSON(raw)
	if err != nil {
		return err
	}
	*dst = s
	return nil
}

// decodePtr fills a pointer field: null sets nil, anything else a new
// value decoded with dec.
func decodePtr[T any](raw []byte, dst **T, dec func([]byte, *T) error) error {
	if raw[0] == 'n' {
		*dst = nil
		return nil
	}
	v := new(T)
	if err := dec(raw, v); err != nil {
		return err
	}
	*dst = v
	return nil
}

// decodePtrAt is decodePtr for a value decoded at the cursor.
func decodePtrAt[T any](c *cursor, dst **T, dec func(*cursor, *T) error) error {
	if c.i < len(c.b) && c.b[c.i] == 'n' {
		c.i += len("null")
		*dst = nil
		return nil
	}
	v := new(T)
	if err := dec(c, v); err != nil {
		return err
	}
	*dst = v
	return nil
}

func decodeStringPtr(raw []byte, dst **string) error { return decodePtr(raw, dst, decodeString) }

func decodeStrings(c *cursor, dst *[]string) error { return decodeValues(c, dst, decodeString) }

func decodeInt(raw []byte, dst *int64, bits int) error {
	if raw[0] == 'n' {
		return nil
	}
	n, err := strconv.ParseInt(string(raw), 10, bits)
	if err != nil {
		return errType
	}
	*dst = n
	return nil
}

func decodeGoInt(raw []byte, dst *int) error {
	var n int64
	if err := decodeInt(raw, &n, strconv.IntSize); err != nil || raw[0] == 'n' {
		return err
	}
	*dst = int(n)
	return nil
}

func decodeUint32Ptr(raw []byte, dst **uint32) error {
	return decodePtr(raw, dst, func(raw []byte, v *uint32) error {
		n, err := strconv.ParseUint(string(raw), 10, 32)
		if err != nil {
			return errType
		}
		*v = uint32(n)
		return nil
	})
}

func decodeFloat(raw []byte, dst *float64) error {
	if raw[0] == 'n' {
		return nil
	}
	if c := raw[0]; c != '-' && (c < '0' || c > '9') {
		return errType
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return errType
	}
	*dst = f
	return nil
}

func decodeBool(raw []byte, dst *bool) error {
	switch string(raw) {
	case "null":
	case "true":
		*dst = true
	case "false":
		*dst = false
	default:
		return errType
	}
	return nil
}

func decodeBoolPtr(raw []byte, dst **bool) error { return decodePtr(raw, dst, decodeBool) }

// decodeMap fills a map (the annotations, the headers): null sets nil,
// an object a new map with the keys as encoding/json decodes them (the
// last of a repeated key wins) and each value decoded with val; a null
// value is the zero value, as encoding/json has it.
func decodeMap[V any](c *cursor, dst *map[string]V, val func(*cursor, *V) error) error {
	if null, err := c.expect('{'); null || err != nil {
		if null {
			*dst = nil
		}
		return err
	}
	m := map[string]V{}
	value := new(V) // one for the whole map: val's argument escapes
	end, err := canonjson.MembersAt(c.b, c.i, func(k []byte, i int) (int, error) {
		key, err := mapKey(k)
		if err != nil {
			return 0, err
		}
		*value = *new(V)
		c.i = i
		if err := val(c, value); err != nil {
			return 0, err
		}
		m[key] = *value
		return c.i, nil
	})
	if err != nil {
		return err
	}
	c.i = end
	*dst = m
	return nil
}

// mapKey decodes an object's key (the bytes between its quotes).
func mapKey(k []byte) (string, error) {
	if bytes.IndexByte(k, '\\') < 0 && utf8.Valid(k) {
		return string(k), nil
	}
	var key string
	err := decodeString(append(append([]byte{'"'}, k...), '"'), &key)
	return key, err
}

// decodeAny decodes a value as encoding/json does into an any: objects
// as map[string]any, arrays as []any, numbers as float64.
func decodeAny(c *cursor, dst *any) error {
	if c.i >= len(c.b) {
		return errType
	}
	switch c.b[c.i] {
	case '{':
		var m map[string]any
		if err := decodeMap(c, &m, decodeAny); err != nil {
			return err
		}
		*dst = m
	case '[':
		var l []any
		if err := decodeSlice(c, &l, decodeAny); err != nil {
			return err
		}
		*dst = l
	case '"':
		var s string
		if err := decodeString(c.value(), &s); err != nil {
			return err
		}
		*dst = s
	case 't', 'f':
		var b bool
		if err := decodeBool(c.value(), &b); err != nil {
			return err
		}
		*dst = b
	case 'n':
		c.value()
		*dst = nil
	default:
		var f float64
		if err := decodeFloat(c.value(), &f); err != nil {
			return err
		}
		*dst = f
	}
	return nil
}

func decodeStringMap(c *cursor, dst *map[string]string) error {
	return decodeMap(c, dst, func(c *cursor, s *string) error { return decodeString(c.value(), s) })
}

func decodeHeaderMap(c *cursor, dst *map[string]MaybeBinary) error {
	return decodeMap(c, dst, func(c *cursor, v *MaybeBinary) error { return v.UnmarshalJSON(c.value()) })
}

// unmarshaler decodes a custom type: its UnmarshalJSON is what
// encoding/json calls, null included.
func unmarshaler[T any, P interface {
	*T
	json.Unmarshaler
}](raw []byte, dst *T) error {
	return P(dst).UnmarshalJSON(raw)
}
