package canonjson

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Scalars: numbers and strings, read and written.

func truncate(b []byte) string {
	if len(b) > 64 {
		return string(b[:64]) + "…"
	}
	return string(b)
}

func (s *state) number() error {
	src, start := s.src, s.i
	i := validNumber(src, start)
	if i < 0 {
		return s.fail("invalid number")
	}
	lit := src[start:i]
	if len(lit) > s.maxNum {
		return s.fail("number longer than %d characters", s.maxNum)
	}
	if len(lit) > 18 || bytes.ContainsAny(lit, "eE") {
		if _, err := strconv.ParseFloat(string(lit), 64); err != nil {
			return s.fail("number %s is out of range", truncate(lit))
		}
	}
	s.i = i
	s.out = append(s.out, lit...)
	return nil
}

// string reads the string at s.i and returns its decoded value: a slice
// of the input when it has no escapes, else of s.str.
func (s *state) string() ([]byte, error) {
	src := s.src
	start := s.i + 1
	j := start
	for j < len(src) {
		c := src[j]
		switch {
		case c == '"':
			s.i = j + 1
			return src[start:j], nil
		case c == '\\':
			return s.escaped(start, j)
		case c < 0x20:
			s.i = j
			return nil, s.fail("control character %#02x in a string", c)
		case c < utf8.RuneSelf:
			j++
		default:
			size, err := s.utf8At(j)
			if err != nil {
				return nil, err
			}
			j += size
		}
	}
	s.i = j
	return nil, s.fail("unexpected end of JSON in a string")
}

// escaped decodes a string from j, its first backslash, on.
func (s *state) escaped(start, j int) ([]byte, error) {
	src := s.src
	buf := append(s.str[:0], src[start:j]...)
	for j < len(src) {
		c := src[j]
		switch {
		case c == '"':
			s.i, s.str = j+1, buf
			return buf, nil
		case c == '\\':
			if j+1 >= len(src) {
				s.i = j
				return nil, s.fail("unexpected end of JSON in a string")
			}
			switch e := src[j+1]; e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r := u4(src[j:])
				if r < 0 {
					s.i = j
					return nil, s.fail("invalid \\u escape in a string")
				}
				if utf16.IsSurrogate(r) {
					// A valid pair is one rune; anything else is U+FFFD,
					// as encoding/json decodes it.
					if dec := utf16.DecodeRune(r, u4(src[j+6:])); dec != utf8.RuneError {
						buf = utf8.AppendRune(buf, dec)
						j += 12
						continue
					}
					r = utf8.RuneError
				}
				buf = utf8.AppendRune(buf, r)
				j += 6
				continue
			default:
				s.i = j
				return nil, s.fail("invalid escape \\%c in a string", e)
			}
			j += 2
		case c < 0x20:
			s.i = j
			return nil, s.fail("control character %#02x in a string", c)
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			j++
		default:
			size, err := s.utf8At(j)
			if err != nil {
				return nil, err
			}
			buf = append(buf, src[j:j+size]...)
			j += size
		}
	}
	s.i, s.str = j, buf
	return nil, s.fail("unexpected end of JSON in a string")
}

// u4 decodes the \uXXXX at the start of b, or returns -1.
func u4(b []byte) rune {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range b[2:6] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// utf8At returns the size of the valid UTF-8 sequence at src[j], or an
// error.
func (s *state) utf8At(j int) (int, error) {
	r, size := utf8.DecodeRune(s.src[j:])
	if r == utf8.RuneError && size == 1 {
		s.i = j
		return 0, s.fail("invalid UTF-8 in a string")
	}
	return size, nil
}

const hex = "0123456789abcdef"

// needsEscape marks the ASCII bytes encoding/json escapes (without HTML
// escaping): control characters, '"' and '\\'.
var needsEscape = func() (t [utf8.RuneSelf]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// AppendString appends s as a JSON string, escaped exactly as
// encoding/json escapes it with SetEscapeHTML(false): control characters,
// '"', '\\', U+2028 and U+2029, and invalid UTF-8 as U+FFFD.
func AppendString(dst, s []byte) []byte { return appendString(dst, s) }

func appendString(dst, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !needsEscape[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
