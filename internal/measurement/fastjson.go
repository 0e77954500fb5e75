package measurement

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"

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
// of the field named key and returns its index, or -1 for a key that is
// not a field's name (ignored).
type fastObject interface {
	set(key, value []byte) (int, error)
}

// decodeObject fills o from the JSON object raw, as encoding/json would;
// names are o's JSON field names, for the keys that match one only
// regardless of case.
func decodeObject(raw []byte, o fastObject, names []string) error {
	if null, err := expect(raw, '{'); null || err != nil {
		return err
	}
	var seen uint64
	return canonjson.Members(raw, func(k, v []byte) error {
		if bytes.IndexByte(k, '\\') >= 0 {
			return errFallback
		}
		i, err := o.set(k, v)
		if err != nil {
			return err
		}
		if i < 0 {
			for _, n := range names {
				if bytes.EqualFold(k, []byte(n)) {
					return errFallback
				}
			}
			return nil
		}
		if seen&(1<<i) != 0 {
			return errFallback
		}
		seen |= 1 << i
		return nil
	})
}

// expect reports whether raw is null, and errType when it is neither null
// nor a value starting with start.
func expect(raw []byte, start byte) (null bool, err error) {
	switch raw[0] {
	case 'n':
		return true, nil
	case start:
		return false, nil
	}
	return false, errType
}

// decodeSlice fills *dst from the JSON array raw, each element with elem.
// null sets nil; [] sets an empty, non-nil slice, as encoding/json does.
func decodeSlice[T any](raw []byte, dst *[]T, elem func([]byte, *T) error) error {
	if null, err := expect(raw, '['); null || err != nil {
		if null {
			*dst = nil
		}
		return err
	}
	out := make([]T, 0, 4)
	err := canonjson.Elements(raw, func(v []byte) error {
		out = append(out, *new(T))
		return elem(v, &out[len(out)-1])
	})
	if err != nil {
		return err
	}
	*dst = out
	return nil
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
	if s, ok := unquote(raw); ok {
		*dst = s
		return nil
	}
	return json.Unmarshal(raw, dst)
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

func decodeStringPtr(raw []byte, dst **string) error { return decodePtr(raw, dst, decodeString) }

func decodeStrings(raw []byte, dst *[]string) error {
	return decodeSlice(raw, dst, decodeString)
}

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
func decodeMap[V any](raw []byte, dst *map[string]V, val func([]byte, *V) error) error {
	if null, err := expect(raw, '{'); null || err != nil {
		if null {
			*dst = nil
		}
		return err
	}
	m := map[string]V{}
	err := canonjson.Members(raw, func(k, v []byte) error {
		var key string
		if err := decodeString(append(append([]byte{'"'}, k...), '"'), &key); err != nil {
			return err
		}
		var value V
		if err := val(v, &value); err != nil {
			return err
		}
		m[key] = value
		return nil
	})
	if err != nil {
		return err
	}
	*dst = m
	return nil
}

func decodeStringMap(raw []byte, dst *map[string]string) error {
	return decodeMap(raw, dst, decodeString)
}

func decodeHeaderMap(raw []byte, dst *map[string]MaybeBinary) error {
	return decodeMap(raw, dst, unmarshaler[MaybeBinary])
}

// unmarshaler decodes a custom type: its UnmarshalJSON is what
// encoding/json calls, null included.
func unmarshaler[T any, P interface {
	*T
	json.Unmarshaler
}](raw []byte, dst *T) error {
	return P(dst).UnmarshalJSON(raw)
}
