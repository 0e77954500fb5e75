package controlhelper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/net/idna"

	"github.com/sonde-project/sonde/internal/measurement"
)

// Limits on a request, beyond its size in bytes.
const (
	maxURLBytes       = 4096
	maxTCPConnect     = 64
	maxHeaderNames    = 32
	maxHeaderValues   = 16
	maxHeaderValueLen = 1024
)

// ErrBadRequest is wrapped by every error ParseRequest returns.
var ErrBadRequest = errors.New("bad control request")

func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadRequest, fmt.Sprintf(format, args...))
}

// ParseRequest decodes and checks a control request (OONI's oohelperd
// request). It is strict: the body must be one JSON object; unknown fields,
// repeated fields and trailing data are rejected, except fields named
// "x_…", OONI's prefix for experimental flags, which are ignored so that
// newer OONI probes keep working. The URL must be http or https with a
// host; every tcp_connect entry must be "IP:port".
func ParseRequest(data []byte) (*measurement.ControlRequest, error) {
	fields, err := splitObject(data)
	if err != nil {
		return nil, err
	}
	for _, name := range fieldOrder(fields) {
		if !knownField(name) && !strings.HasPrefix(name, "x_") {
			return nil, badRequest("unknown field %q (known: http_request, http_request_headers, tcp_connect, x_quic_enabled)", name)
		}
	}
	var req measurement.ControlRequest
	for _, f := range []struct {
		name   string
		target any
	}{
		{"http_request", &req.HTTPRequest},
		{"http_request_headers", &req.HTTPRequestHeaders},
		{"tcp_connect", &req.TCPConnect},
		{"x_quic_enabled", &req.XQUICEnabled},
	} {
		raw, ok := fields[f.name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, f.target); err != nil {
			return nil, badRequest("field %q: %v", f.name, err)
		}
	}
	if _, ok := fields["http_request"]; !ok {
		return nil, badRequest("missing field \"http_request\" (the URL to measure)")
	}
	if _, err := parseTarget(req.HTTPRequest); err != nil {
		return nil, err
	}
	if err := checkEndpoints(req.TCPConnect); err != nil {
		return nil, err
	}
	if err := checkHeaders(req.HTTPRequestHeaders); err != nil {
		return nil, err
	}
	return &req, nil
}

func knownField(name string) bool {
	switch name {
	case "http_request", "http_request_headers", "tcp_connect", "x_quic_enabled":
		return true
	}
	return false
}

// fieldOrder returns the names of fields sorted, so that errors do not
// depend on map order.
func fieldOrder(fields map[string]json.RawMessage) []string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// splitObject reads one JSON object into its fields, rejecting repeated
// names and anything after the object.
func splitObject(data []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, badRequest("not JSON: %v", jsonError(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, badRequest("want a JSON object, got %v", tok)
	}
	fields := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, badRequest("not JSON: %v", jsonError(err))
		}
		name, _ := tok.(string) // object keys are always strings
		if _, dup := fields[name]; dup {
			return nil, badRequest("field %q appears twice", name)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, badRequest("not JSON: field %q: %v", name, jsonError(err))
		}
		fields[name] = raw
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, badRequest("not JSON: %v", jsonError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badRequest("data after the JSON object")
	}
	return fields, nil
}

// jsonError words the decoder's error for a person: io.EOF alone says
// nothing.
func jsonError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the JSON text ends early")
	}
	return err
}

// target is the URL to measure, checked.
type target struct {
	URL      *url.URL
	Hostname string     // as in the URL (what SNI and server_name carry)
	ASCII    string     // the hostname in ASCII (punycode), what DNS asks
	IP       netip.Addr // valid when the hostname is an IP literal
	Port     string     // the URL's port, or the scheme's default
	Explicit bool       // the URL names its port
}

func parseTarget(raw string) (*target, error) {
	if raw == "" {
		return nil, badRequest("http_request is empty: want the URL to measure")
	}
	if len(raw) > maxURLBytes {
		return nil, badRequest("http_request is longer than %d bytes", maxURLBytes)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, badRequest("http_request is not a URL: %v", err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, badRequest("http_request %q: the scheme must be http or https", raw)
	}
	t := &target{URL: u, Hostname: u.Hostname(), Port: u.Port(), Explicit: u.Port() != ""}
	if t.Hostname == "" {
		return nil, badRequest("http_request %q has no host", raw)
	}
	if t.Explicit {
		if n, err := strconv.Atoi(t.Port); err != nil || n < 1 || n > 65535 {
			return nil, badRequest("http_request %q: invalid port %q", raw, t.Port)
		}
	} else if u.Scheme == "https" {
		t.Port = "443"
	} else {
		t.Port = "80"
	}
	if ip, err := netip.ParseAddr(t.Hostname); err == nil {
		if ip.Zone() != "" {
			return nil, badRequest("http_request %q: scoped IPv6 addresses are not measured", raw)
		}
		t.IP, t.ASCII = ip.Unmap(), t.Hostname
		return t, nil
	}
	ascii, err := idna.Lookup.ToASCII(t.Hostname)
	if err != nil {
		return nil, badRequest("http_request %q: invalid host name: %v", raw, err)
	}
	t.ASCII = strings.ToLower(ascii)
	return t, nil
}

func checkEndpoints(list []string) error {
	if len(list) > maxTCPConnect {
		return badRequest("tcp_connect lists %d endpoints; at most %d are measured", len(list), maxTCPConnect)
	}
	for i, ep := range list {
		ap, err := netip.ParseAddrPort(ep)
		if err != nil || ap.Port() == 0 || ap.Addr().Zone() != "" {
			return badRequest("tcp_connect[%d] = %q: want IP:port, e.g. 192.0.2.1:443 or [2001:db8::1]:443", i, ep)
		}
	}
	return nil
}

func checkHeaders(h map[string][]string) error {
	if len(h) > maxHeaderNames {
		return badRequest("http_request_headers has %d names; at most %d", len(h), maxHeaderNames)
	}
	for name, values := range h {
		if len(values) > maxHeaderValues {
			return badRequest("http_request_headers[%q] has %d values; at most %d", name, len(values), maxHeaderValues)
		}
		for _, v := range values {
			if len(v) > maxHeaderValueLen {
				return badRequest("http_request_headers[%q]: a value is longer than %d bytes", name, maxHeaderValueLen)
			}
		}
	}
	return nil
}
