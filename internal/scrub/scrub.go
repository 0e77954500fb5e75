// Package scrub removes a volunteer's IP addresses from measurements
// before they are written anywhere.
//
// # Design
//
// A probe's public address can turn up anywhere in a measurement: in a
// response body ("your IP is …"), a header (X-Forwarded-For, a blockpage's
// query string), a DNS answer, a failure text, or in binary form inside a
// base64 blob (a raw DNS message carries an A record as four bytes). Field
// by field scrubbing misses the field nobody thought of, so a Scrubber
// walks the whole JSON document: every object key and every string value
// is scrubbed of the address's text forms, and every string that decodes
// as base64 is also scrubbed of the address's binary form and encoded
// again. The text forms are the dotted quad, every spelling of an IPv6
// address (compressed or not, any case) and the reverse-DNS names.
//
// Text forms are replaced by "[scrubbed]" (OONI's marker); binary forms by
// the loopback address of the same family, so a DNS message stays
// well-formed. Loopback and unspecified addresses are never scrubbed: they
// reveal nothing and the probe_ip field itself is set to 127.0.0.1.
package scrub

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"

	"github.com/sonde-project/sonde/internal/measurement"
)

// Marker replaces an address's text forms.
const Marker = "[scrubbed]"

// Scrubber removes a fixed set of addresses. The zero value and a nil
// Scrubber scrub nothing. It is safe for concurrent use.
type Scrubber struct {
	addrs []netip.Addr
	texts []string // lower-case text forms, longest first
	// anchors[i] is the start of texts[i] that has no letters: where it
	// is absent, so is the form, in any case.
	anchors [][]byte
	bins    [][]byte // binary forms
	loops   [][]byte // what each binary form becomes
}

// New returns a Scrubber for addrs. Invalid, loopback and unspecified
// addresses are ignored.
func New(addrs ...netip.Addr) *Scrubber {
	s := &Scrubber{}
	for _, a := range addrs {
		a = a.Unmap()
		if !a.IsValid() || a.IsLoopback() || a.IsUnspecified() {
			continue
		}
		s.addrs = append(s.addrs, a)
		s.texts = append(s.texts, textForms(a)...)
		bin := a.AsSlice()
		loop := netip.IPv6Loopback().AsSlice()
		if a.Is4() {
			loop = []byte{127, 0, 0, 1}
		}
		s.bins = append(s.bins, bin)
		s.loops = append(s.loops, loop)
	}
	// Longest first, so that a full IPv6 spelling is replaced before a
	// shorter one that it contains.
	for i := range s.texts {
		for j := i + 1; j < len(s.texts); j++ {
			if len(s.texts[j]) > len(s.texts[i]) {
				s.texts[i], s.texts[j] = s.texts[j], s.texts[i]
			}
		}
	}
	for _, form := range s.texts {
		s.anchors = append(s.anchors, anchor(form))
	}
	return s
}

// Parse returns a Scrubber for addresses given as text. It fails on text
// that is not an IP address, so that a misconfigured address is not
// silently left unscrubbed.
func Parse(addrs ...string) (*Scrubber, error) {
	var list []netip.Addr
	for _, s := range addrs {
		a, err := netip.ParseAddr(strings.Trim(s, "[]"))
		if err != nil {
			return nil, fmt.Errorf("scrub: %q is not an IP address", s)
		}
		list = append(list, a)
	}
	return New(list...), nil
}

// Addrs returns the addresses this Scrubber removes.
func (s *Scrubber) Addrs() []netip.Addr {
	if s == nil {
		return nil
	}
	return append([]netip.Addr(nil), s.addrs...)
}

func textForms(a netip.Addr) []string {
	forms := []string{a.String()}
	if a.Is4() {
		b := a.As4()
		forms = append(forms, fmt.Sprintf("%d.%d.%d.%d.in-addr.arpa", b[3], b[2], b[1], b[0]))
		return forms
	}
	b := a.As16()
	var full, nopad, nibbles strings.Builder
	for i := 0; i < 16; i += 2 {
		if i > 0 {
			full.WriteByte(':')
			nopad.WriteByte(':')
		}
		v := binary.BigEndian.Uint16(b[i:])
		fmt.Fprintf(&full, "%04x", v)
		fmt.Fprintf(&nopad, "%x", v)
	}
	for i := 15; i >= 0; i-- {
		fmt.Fprintf(&nibbles, "%x.%x.", b[i]&0xf, b[i]>>4)
	}
	nibbles.WriteString("ip6.arpa")
	return append(forms, full.String(), nopad.String(), nibbles.String())
}

// String returns in with every text form of the addresses replaced.
func (s *Scrubber) String(in string) string {
	if s == nil || len(s.texts) == 0 {
		return in
	}
	return string(s.text([]byte(in)))
}

func (s *Scrubber) text(b []byte) []byte {
	return s.replaceForms(b, false)
}

// replaceForms replaces every text form in b (see replaceText), skipping
// the forms whose letter-free start is absent.
func (s *Scrubber) replaceForms(b []byte, sameLength bool) []byte {
	for i, form := range s.texts {
		if a := s.anchors[i]; len(a) >= 2 && !bytes.Contains(b, a) {
			continue
		}
		b = replaceText(b, form, sameLength)
	}
	return b
}

// Bytes returns binary data b with every text form of the addresses
// replaced, and every binary form replaced by loopback. It does not modify
// b. For text, use String: an address's four bytes can be printable
// ("65.66.67.68" is "ABCD").
func (s *Scrubber) Bytes(b []byte) []byte {
	if s == nil || len(s.texts) == 0 {
		return b
	}
	out := s.replaceForms(b, true)
	for i, bin := range s.bins {
		if bytes.Contains(out, bin) {
			out = bytes.ReplaceAll(out, bin, s.loops[i])
		}
	}
	return out
}

// replaceText replaces form (lower case) in b, ignoring case, where it is
// not part of a longer address: "1.2.3.4" is not found in "11.2.3.45".
// With sameLength, the marker is fitted to the form's length ("[*****]"),
// so that binary framing around it (a DNS TXT record's length byte) holds.
func replaceText(b []byte, form string, sameLength bool) []byte {
	lower := asciiLower(b)
	if !bytes.Contains(lower, []byte(form)) {
		return b
	}
	var out []byte
	last := 0
	for i := 0; i+len(form) <= len(lower); {
		j := bytes.Index(lower[i:], []byte(form))
		if j < 0 {
			break
		}
		start, end := i+j, i+j+len(form)
		if partOfLongerAddress(lower, start, end, form) {
			i = start + 1
			continue
		}
		out = append(out, b[last:start]...)
		if sameLength {
			out = append(out, fitted(len(form))...)
		} else {
			out = append(out, Marker...)
		}
		last, i = end, end
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// fitted returns a marker of exactly n bytes: "[***]" (n ≥ 2).
func fitted(n int) []byte {
	m := bytes.Repeat([]byte{'*'}, n)
	m[0], m[n-1] = '[', ']'
	return m
}

// asciiLower lower-cases ASCII letters only, so that offsets in the result
// are offsets in b (bytes.ToLower changes lengths of invalid UTF-8).
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

func partOfLongerAddress(b []byte, start, end int, form string) bool {
	isV6 := strings.Contains(form, ":")
	adjacent := func(c byte) bool {
		switch {
		case c >= '0' && c <= '9':
			return true
		case isV6 && (c >= 'a' && c <= 'f' || c == ':'):
			return true
		}
		return false
	}
	if start > 0 {
		c := b[start-1]
		if adjacent(c) || (!isV6 && c == '.' && start > 1 && b[start-2] >= '0' && b[start-2] <= '9') {
			return true
		}
	}
	if end < len(b) {
		c := b[end]
		if adjacent(c) || (!isV6 && c == '.' && end+1 < len(b) && b[end+1] >= '0' && b[end+1] <= '9') {
			return true
		}
	}
	return false
}

// JSON scrubs a JSON document: every key and string value, and the binary
// form inside every base64 string. The output is the same document with
// object keys sorted; numbers are kept as written.
func (s *Scrubber) JSON(doc []byte) ([]byte, error) {
	if s == nil || len(s.texts) == 0 {
		return doc, nil
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("scrub: %w", err)
	}
	v = s.walk(v)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("scrub: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Value scrubs a JSON document already decoded into Go values
// (map[string]any, []any, string, json.Number, …, as encoding/json
// decodes with UseNumber): every key and string, and the binary form
// inside every base64 string. Maps are replaced, slices scrubbed in
// place; encode the result. It is JSON without the decoding and encoding,
// for callers that hold the document anyway.
func (s *Scrubber) Value(v any) any {
	if s == nil || len(s.texts) == 0 {
		return v
	}
	return s.walk(v)
}

func (s *Scrubber) walk(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[s.String(k)] = s.walk(val)
		}
		return out
	case []any:
		for i := range x {
			x[i] = s.walk(x[i])
		}
		return x
	case string:
		return s.scrubValue(x)
	}
	return v
}

func (s *Scrubber) scrubValue(v string) string {
	v = s.String(v)
	if len(v) < 8 || !looksBase64(v) {
		return v
	}
	enc := base64.StdEncoding
	data, err := enc.DecodeString(v)
	if err != nil {
		enc = base64.RawStdEncoding
		if data, err = enc.DecodeString(v); err != nil {
			return v
		}
	}
	clean := s.Bytes(data)
	if bytes.Equal(clean, data) {
		return v
	}
	return enc.EncodeToString(clean)
}

func looksBase64(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}

// Measurement scrubs m in place: probe_ip becomes 127.0.0.1 and every
// other field is scrubbed as by JSON.
func (s *Scrubber) Measurement(m *measurement.Measurement) error {
	m.ProbeIP = measurement.ScrubbedIP
	if s == nil || len(s.texts) == 0 {
		return nil
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("scrub: %w", err)
	}
	clean, err := s.JSON(raw)
	if err != nil {
		return err
	}
	var out measurement.Measurement
	if err := json.Unmarshal(clean, &out); err != nil {
		return fmt.Errorf("scrub: %w", err)
	}
	*m = out
	return nil
}

// Leaks reports where in doc an address survives: a text form anywhere, or
// a binary form inside a base64 string. Tests and the probe's last check
// before writing use it; nil means none.
func (s *Scrubber) Leaks(doc []byte) []string {
	if s == nil || len(s.texts) == 0 {
		return nil
	}
	var leaks []string
	if c := s.text(doc); !bytes.Equal(c, doc) {
		leaks = append(leaks, "text or binary form in the document")
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return leaks
	}
	var visit func(path string, v any)
	visit = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				visit(path+"."+k, val)
			}
		case []any:
			for i, val := range x {
				visit(fmt.Sprintf("%s[%d]", path, i), val)
			}
		case string:
			if s.scrubValue(x) != x {
				leaks = append(leaks, path)
			}
		}
	}
	visit("$", v)
	return leaks
}
