package netx

import (
	"bytes"
	"html"
	"strings"
	"unicode/utf8"
)

// maxTitle bounds the title kept, in bytes.
const maxTitle = 256

// Title returns the text of the first <title> element of an HTML body,
// unescaped, with runs of white space made one space, at most maxTitle
// bytes; "" when there is none. It looks at the body as bytes, like OONI's
// title_match, and never fails on broken HTML.
func Title(body []byte) string {
	lower := asciiLower(body)
	start := bytes.Index(lower, []byte("<title"))
	if start < 0 {
		return ""
	}
	rest := lower[start+len("<title"):]
	if len(rest) == 0 || (rest[0] != '>' && !isSpace(rest[0])) {
		return "" // <titles> or similar
	}
	open := bytes.IndexByte(rest, '>')
	if open < 0 {
		return ""
	}
	textStart := start + len("<title") + open + 1
	end := bytes.Index(lower[textStart:], []byte("</title"))
	if end < 0 {
		return ""
	}
	text := html.UnescapeString(string(body[textStart : textStart+end]))
	text = strings.Join(strings.Fields(strings.ToValidUTF8(text, "\uFFFD")), " ")
	if len(text) > maxTitle {
		cut := maxTitle
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	return text
}

// asciiLower lowers ASCII letters only, so that offsets in the result are
// offsets in b (bytes.ToLower may change the length of non-UTF-8 input).
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' }
