package measurement

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/sonde-project/sonde/internal/canonjson"
)

// MaybeBinary is a byte string that encodes as a JSON string when it is
// valid UTF-8 and as {"format":"base64","data":"..."} otherwise
// (df-001-httpt "body" and header values).
type MaybeBinary string

type binaryObject struct {
	Format string `json:"format"`
	Data   string `json:"data"`
}

// MarshalJSON implements json.Marshaler.
func (v MaybeBinary) MarshalJSON() ([]byte, error) {
	if utf8.ValidString(string(v)) {
		return json.Marshal(string(v))
	}
	return json.Marshal(binaryObject{Format: "base64", Data: base64.StdEncoding.EncodeToString([]byte(v))})
}

// UnmarshalJSON implements json.Unmarshaler. It accepts a string, null
// (empty), or a base64 object, with or without padding.
func (v *MaybeBinary) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*v = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		if s, ok := plainString(b); ok {
			*v = MaybeBinary(s)
			return nil
		}
		s, err := UnquoteJSON(b)
		if err != nil {
			return err
		}
		*v = MaybeBinary(s)
		return nil
	case len(b) > 0 && b[0] == '{':
		data, err := decodeBinaryObject(b)
		if err != nil {
			return err
		}
		*v = MaybeBinary(data)
		return nil
	}
	return errors.New("binary value: want a string, null or a base64 object")
}

// decodeBinaryObject decodes {"format":"base64","data":"..."}: with the
// fast decoder when it is valid JSON (it is small, so checking it is
// cheap) and nothing unusual, else with encoding/json and its error.
func decodeBinaryObject(b []byte) ([]byte, error) {
	var o binaryObject
	if !canonjson.Valid(b) || decodeObject(&cursor{b: b}, &o, binaryNames) != nil {
		o = binaryObject{}
		if err := json.Unmarshal(b, &o); err != nil {
			return nil, err
		}
	}
	if o.Format != "base64" {
		return nil, fmt.Errorf("binary value: unknown format %q", o.Format)
	}
	data, err := decodeBase64(o.Data)
	if err != nil {
		return nil, fmt.Errorf("binary value: %w", err)
	}
	return data, nil
}

var binaryNames = []string{"format", "data"}

func (o *binaryObject) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "format":
		return 0, decodeString(c.value(), &o.Format)
	case "data":
		return 1, decodeString(c.value(), &o.Data)
	}
	return -1, nil
}

// decodeBase64 accepts padded and unpadded standard base64, as OONI's
// pipeline does (some probes wrote it without padding).
func decodeBase64(s string) ([]byte, error) {
	if data, err := base64.StdEncoding.DecodeString(s); err == nil {
		return data, nil
	}
	for len(s) > 0 && s[len(s)-1] == '=' {
		s = s[:len(s)-1]
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// BinaryData is always base64: {"format":"base64","data":"..."}
// (peer certificates, raw DNS messages).
type BinaryData []byte

// MarshalJSON implements json.Marshaler.
func (d BinaryData) MarshalJSON() ([]byte, error) {
	return json.Marshal(binaryObject{Format: "base64", Data: base64.StdEncoding.EncodeToString(d)})
}

// UnmarshalJSON implements json.Unmarshaler. A bare base64 string is also
// accepted.
func (d *BinaryData) UnmarshalJSON(b []byte) error {
	var mb MaybeBinary
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		s, err := UnquoteJSON(b)
		if err != nil {
			return err
		}
		data, err := decodeBase64(s)
		if err != nil {
			return fmt.Errorf("binary data: %w", err)
		}
		*d = data
		return nil
	}
	if len(b) > 0 && b[0] == '{' {
		data, err := decodeBinaryObject(b)
		if err != nil {
			return err
		}
		if len(data) > 0 { // (an empty one as it always was, through a string)
			*d = data
			return nil
		}
	}
	if err := mb.UnmarshalJSON(b); err != nil {
		return err
	}
	*d = BinaryData(mb)
	return nil
}

// HTTPHeader is one entry of headers_list: a [name, value] pair.
type HTTPHeader struct {
	Key   string
	Value MaybeBinary
}

// MarshalJSON implements json.Marshaler.
func (h HTTPHeader) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{h.Key, h.Value})
}

// UnmarshalJSON implements json.Unmarshaler.
func (h *HTTPHeader) UnmarshalJSON(b []byte) error {
	var two [2][]byte
	n := 0
	if canonjson.Elements(b, func(v []byte) error {
		if n < len(two) {
			two[n] = v
		}
		n++
		return nil
	}) == nil && n == 2 {
		if key, ok := plainString(two[0]); ok {
			h.Key = key
			return h.Value.UnmarshalJSON(two[1])
		}
	}
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	if len(pair) != 2 {
		return fmt.Errorf("header: want [name, value], got %d elements", len(pair))
	}
	if err := json.Unmarshal(pair[0], &h.Key); err != nil {
		return fmt.Errorf("header name: %w", err)
	}
	return h.Value.UnmarshalJSON(pair[1])
}

// plainString returns the value of the JSON string b when it needs no
// decoding (no escape, valid UTF-8): bodies and headers nearly always,
// and then encoding/json's second pass over them is saved. b must be a
// valid JSON value, as encoding/json hands to UnmarshalJSON: a string
// then holds no raw control character or unescaped quote.
func plainString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	s := b[1 : len(b)-1]
	if bytes.IndexByte(s, '\\') >= 0 || !utf8.Valid(s) {
		return "", false
	}
	return string(s), true
}
