package measurement

import (
	"encoding/json"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// unquote returns the value of the JSON string b as encoding/json decodes
// it into a string: escapes decoded, a lone or broken UTF-16 surrogate
// and each byte of invalid UTF-8 replaced with U+FFFD. It reports false
// for anything that is not exactly one JSON string (a raw control
// character, an unescaped quote, a bad escape), which callers leave to
// encoding/json to refuse with its own error. It saves encoding/json's
// validation pass and reflection over the strings that have escapes,
// most HTTP bodies.
func unquote(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	s := b[1 : len(b)-1]
	out := make([]byte, 0, len(s)+utf8.UTFMax)
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '"' || c < ' ':
			return "", false
		case c == '\\':
			if r+1 >= len(s) {
				return "", false
			}
			if c = s[r+1]; c == 'u' {
				rr := hex4(s, r+2)
				if rr < 0 {
					return "", false
				}
				r += 6
				if utf16.IsSurrogate(rr) {
					if r+1 < len(s) && s[r] == '\\' && s[r+1] == 'u' {
						if dec := utf16.DecodeRune(rr, hex4(s, r+2)); dec != unicode.ReplacementChar {
							r += 6
							out = utf8.AppendRune(out, dec)
							continue
						}
					}
					rr = unicode.ReplacementChar
				}
				out = utf8.AppendRune(out, rr)
				continue
			}
			e, ok := unescape(c)
			if !ok {
				return "", false
			}
			out = append(out, e)
			r += 2
		case c < utf8.RuneSelf:
			out = append(out, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			out = utf8.AppendRune(out, rr)
			r += size
		}
	}
	return string(out), true
}

// UnquoteJSON is json.Unmarshal(b, &s) for a string s, with the same
// result and error, faster on strings with escapes (a measurement held as
// a JSON string by OONI's API): unquote, or encoding/json and its error
// for anything unquote leaves to it.
func UnquoteJSON(b []byte) (string, error) {
	if s, ok := unquote(b); ok {
		return s, nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

// unescape returns the byte a one-letter JSON escape stands for.
func unescape(c byte) (byte, bool) {
	switch c {
	case '"', '\\', '/':
		return c, true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	}
	return 0, false
}

// hex4 returns the value of the four hexadecimal digits at s[i:], or -1.
func hex4(s []byte, i int) rune {
	if i+4 > len(s) {
		return -1
	}
	var r rune
	for _, c := range s[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}
