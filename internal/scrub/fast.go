package scrub

import (
	"bytes"
	"encoding/base64"
	"sync"
)

// The methods in this file scrub one JSON key or string at a time, for
// callers that walk the document themselves (the collector rewrites each
// upload in one pass with internal/canonjson). They give the same result
// as JSON and Value, and they neither copy nor allocate when there is
// nothing to scrub, which is nearly always: a quick search for a part of
// each address's text that has no letters in it (so that case does not
// matter) rules most strings out before the full, case-insensitive one.

// Key scrubs an object key as JSON and Value do: the text forms. It
// returns k itself when there is nothing to scrub.
func (s *Scrubber) Key(k []byte) []byte {
	if s == nil || len(s.texts) == 0 || !s.mayHaveText(k) {
		return k
	}
	return s.text(k)
}

// StringValue scrubs a string value (decoded) as JSON and Value do: the
// text forms, and the binary forms inside a string that decodes as
// base64. It returns v itself when there is nothing to scrub.
func (s *Scrubber) StringValue(v []byte) []byte {
	if s == nil || len(s.texts) == 0 {
		return v
	}
	if s.mayHaveText(v) {
		v = s.text(v)
	}
	if len(v) < 8 || !looksBase64Bytes(v) {
		return v
	}
	bufp := decodeBufs.Get().(*[]byte)
	defer decodeBufs.Put(bufp)
	enc := base64.StdEncoding
	data, ok := decodeInto(bufp, enc, v)
	if !ok {
		enc = base64.RawStdEncoding
		if data, ok = decodeInto(bufp, enc, v); !ok {
			return v
		}
	}
	if !s.mayHaveText(data) && !s.hasBinary(data) {
		return v
	}
	clean := s.Bytes(data)
	if bytes.Equal(clean, data) {
		return v
	}
	return enc.AppendEncode(nil, clean)
}

var decodeBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func decodeInto(bufp *[]byte, enc *base64.Encoding, v []byte) ([]byte, bool) {
	n := enc.DecodedLen(len(v))
	if cap(*bufp) < n {
		*bufp = make([]byte, n)
	}
	buf := (*bufp)[:n]
	m, err := enc.Decode(buf, v)
	if err != nil {
		return nil, false
	}
	return buf[:m], true
}

func (s *Scrubber) hasBinary(b []byte) bool {
	for _, bin := range s.bins {
		if bytes.Contains(b, bin) {
			return true
		}
	}
	return false
}

// mayHaveText reports whether a text form may be in b. False is certain;
// true means "look properly".
func (s *Scrubber) mayHaveText(b []byte) bool {
	for i, form := range s.texts {
		a := s.anchors[i]
		if len(a) < 2 {
			if len(b) >= len(form) {
				return true // no usable anchor: let the full search decide
			}
			continue
		}
		if bytes.Contains(b, a) {
			return true
		}
	}
	return false
}

// anchor is the longest prefix of form without ASCII letters: it is
// spelled the same in any case.
func anchor(form string) []byte {
	for i := 0; i < len(form); i++ {
		if c := form[i] | 0x20; c >= 'a' && c <= 'z' {
			return []byte(form[:i])
		}
	}
	return []byte(form)
}

func looksBase64Bytes(v []byte) bool {
	for _, c := range v {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}
