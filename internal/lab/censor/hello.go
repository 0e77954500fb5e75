package censor

import (
	"bytes"
	"errors"
	"strings"
)

// Parsers of what a censor reads in a TCP stream's first bytes. Both are
// bounded by the buffer they are given and never allocate beyond it.

var (
	errIncomplete = errors.New("incomplete")
	errNotHello   = errors.New("not a TLS ClientHello")
	errNotHTTP    = errors.New("not an HTTP request")
)

// maxFirstBytes bounds how much of a stream the censor buffers before it
// decides: a ClientHello with post-quantum key shares spans two segments.
const maxFirstBytes = 16 << 10

// looksTLS says whether a stream starts like a TLS handshake record.
func looksTLS(b []byte) bool { return len(b) > 0 && b[0] == 0x16 }

// looksHTTP says whether a stream starts like an HTTP/1 request.
func looksHTTP(b []byte) bool {
	for _, m := range []string{"GET ", "POST ", "HEAD ", "PUT ", "OPTIONS ", "DELETE ", "PATCH ", "CONNECT "} {
		n := min(len(b), len(m))
		if n > 0 && string(b[:n]) == m[:n] {
			return true
		}
	}
	return false
}

// parseSNI returns the server name of the ClientHello at the start of b:
// errIncomplete when b holds only part of the first record, errNotHello
// when it is not a ClientHello, "" when the hello names no server.
func parseSNI(b []byte) (string, error) {
	if len(b) < 5 {
		return "", errIncomplete
	}
	if b[0] != 0x16 || b[1] != 3 {
		return "", errNotHello
	}
	n := int(b[3])<<8 | int(b[4])
	if len(b) < 5+n {
		return "", errIncomplete
	}
	r := reader(b[5 : 5+n])
	if t, ok := r.u8(); !ok || t != 1 { // client_hello
		return "", errNotHello
	}
	// The hello may continue in another record: parse what this one holds.
	if _, ok := r.u24(); !ok {
		return "", errNotHello
	}
	if !r.skip(2+32) || !r.skipVec(1) || !r.skipVec(2) || !r.skipVec(1) {
		return "", errNotHello
	}
	exts, ok := r.vec(2)
	if !ok {
		return "", nil // no extensions
	}
	for len(exts) >= 4 {
		typ, _ := exts.u16()
		data, ok := exts.vec(2)
		if !ok {
			return "", errNotHello
		}
		if typ != 0 { // server_name
			continue
		}
		list, ok := data.vec(2)
		for ok && len(list) >= 3 {
			kind, _ := list.u8()
			name, ok2 := list.vec(2)
			if !ok2 {
				break
			}
			if kind == 0 {
				return strings.ToLower(string(name)), nil
			}
		}
		return "", errNotHello
	}
	return "", nil
}

// parseHost returns the Host of the HTTP request at the start of b:
// errIncomplete until the header ends.
func parseHost(b []byte) (string, error) {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		if len(b) >= maxFirstBytes {
			return "", errNotHTTP
		}
		return "", errIncomplete
	}
	lines := bytes.Split(b[:end], []byte("\r\n"))
	if len(bytes.Fields(lines[0])) != 3 || !bytes.HasPrefix(bytes.Fields(lines[0])[2], []byte("HTTP/1.")) {
		return "", errNotHTTP
	}
	for _, l := range lines[1:] {
		k, v, ok := bytes.Cut(l, []byte(":"))
		if ok && strings.EqualFold(string(bytes.TrimSpace(k)), "host") {
			h := strings.ToLower(strings.TrimSpace(string(v)))
			if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
				h = h[:i]
			}
			return h, nil
		}
	}
	return "", nil
}

// reader reads TLS's big-endian fields, failing softly at the end.
type reader []byte

func (r *reader) u8() (int, bool) {
	if len(*r) < 1 {
		return 0, false
	}
	v := int((*r)[0])
	*r = (*r)[1:]
	return v, true
}

func (r *reader) u16() (int, bool) {
	if len(*r) < 2 {
		return 0, false
	}
	v := int((*r)[0])<<8 | int((*r)[1])
	*r = (*r)[2:]
	return v, true
}

func (r *reader) u24() (int, bool) {
	if len(*r) < 3 {
		return 0, false
	}
	v := int((*r)[0])<<16 | int((*r)[1])<<8 | int((*r)[2])
	*r = (*r)[3:]
	return v, true
}

func (r *reader) skip(n int) bool {
	if len(*r) < n {
		return false
	}
	*r = (*r)[n:]
	return true
}

// vec reads a vector with a size-byte length prefix.
func (r *reader) vec(size int) (reader, bool) {
	var n int
	var ok bool
	if size == 1 {
		n, ok = r.u8()
	} else {
		n, ok = r.u16()
	}
	if !ok || len(*r) < n {
		return nil, false
	}
	v := (*r)[:n]
	*r = (*r)[n:]
	return v, true
}

func (r *reader) skipVec(size int) bool {
	_, ok := r.vec(size)
	return ok
}
