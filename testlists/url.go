package testlists

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// urlProblem is what is wrong with a URL, in a list maintainer's words.
type urlProblem struct {
	msg, fix string
}

func (p *urlProblem) Error() string { return p.msg }

// Normalize returns the canonical form of a list URL, the key under which
// two rows name the same request: scheme and host in lower case, an
// internationalised host in its ASCII (punycode) form, no trailing dot, no
// default port, "/" for an empty path, percent-escapes in upper case with
// unreserved characters decoded, non-ASCII characters escaped, and no
// fragment (the part after "#" never leaves the browser). http and https,
// and www. and the bare domain, stay distinct: lists test them on purpose.
// The error says what is wrong with an invalid URL.
func Normalize(raw string) (string, error) {
	u, p := parseListURL(raw, false)
	if p != nil {
		return "", p
	}
	var b strings.Builder
	b.WriteString(u.Scheme)
	b.WriteString("://")
	b.WriteString(u.Host)
	path := normalizeEscapes(u.EscapedPath())
	if path == "" {
		path = "/"
	}
	b.WriteString(path)
	if q := normalizeEscapes(u.RawQuery); q != "" {
		b.WriteByte('?')
		b.WriteString(q)
	}
	return b.String(), nil
}

// parseListURL checks a list URL and returns it parsed, with Host already
// canonical (lower case, ASCII, no trailing dot, no default port). strict
// applies upstream's extra rule that a URL has a path ("/" at least).
func parseListURL(raw string, strict bool) (*url.URL, *urlProblem) {
	if raw == "" {
		return nil, &urlProblem{"the url column is empty", "write the full URL, e.g. https://example.org/"}
	}
	for _, r := range raw {
		switch {
		case r == ' ':
			return nil, &urlProblem{"the URL contains a space", "percent-encode it as %20, or remove it"}
		case r == '\\':
			return nil, &urlProblem{"the URL contains a backslash", "use / instead"}
		case unicode.IsSpace(r) || unicode.IsControl(r):
			return nil, &urlProblem{fmt.Sprintf("the URL contains the invisible character %U", r), "retype the URL"}
		}
	}
	if !utf8.ValidString(raw) {
		return nil, &urlProblem{"the URL is not valid UTF-8", "save the file as UTF-8"}
	}
	if !strings.Contains(raw, "://") {
		return nil, &urlProblem{"the URL has no scheme", "write it as https://" + strings.TrimPrefix(raw, "//") + " or http://…"}
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &urlProblem{"not a valid URL: " + err.Error(), "check the characters after the host; escape % as %25"}
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, &urlProblem{fmt.Sprintf("the scheme %q is not http or https", u.Scheme), "test lists hold web addresses: start with http:// or https://"}
	}
	if u.User != nil {
		return nil, &urlProblem{"the URL has a user name or password before @", "remove the part between :// and @"}
	}
	host, p := canonicalHost(u)
	if p != nil {
		return nil, p
	}
	u.Host = host
	if strict && u.Opaque == "" && u.Path == "" {
		return nil, &urlProblem{"the URL has no path", "add a trailing slash: " + u.Scheme + "://" + host + "/"}
	}
	return u, nil
}

// canonicalHost validates u's host and port and returns them canonical.
func canonicalHost(u *url.URL) (string, *urlProblem) {
	name := u.Hostname()
	if name == "" {
		return "", &urlProblem{"the URL has no host name", "write it as https://example.org/…"}
	}
	port := u.Port()
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return "", &urlProblem{fmt.Sprintf("the port %q is not between 1 and 65535", port), "remove the :port or correct it"}
		}
		port = strconv.Itoa(n)
		if (u.Scheme == "http" && n == 80) || (u.Scheme == "https" && n == 443) {
			port = ""
		}
	}
	if strings.HasPrefix(u.Host, "[") {
		ip, err := netip.ParseAddr(name)
		if err != nil || !ip.Is6() {
			return "", &urlProblem{fmt.Sprintf("%q is not an IPv6 address", name), "write an IPv6 address in brackets, e.g. http://[2001:db8::1]/"}
		}
		name = "[" + ip.String() + "]"
	} else if ip, err := netip.ParseAddr(name); err == nil && ip.Is4() {
		name = ip.String()
	} else {
		n, p := canonicalDomain(name)
		if p != nil {
			return "", p
		}
		name = n
	}
	if port != "" {
		return name + ":" + port, nil
	}
	return name, nil
}

// canonicalDomain returns a domain name in lower-case ASCII without the
// trailing dot, or says why it is not a valid host name.
func canonicalDomain(name string) (string, *urlProblem) {
	name = strings.TrimSuffix(name, ".")
	ascii, err := idna.Lookup.ToASCII(name)
	if err == nil {
		// The ASCII form must itself be valid (it is what Normalize returns).
		var again string
		if again, err = idna.Lookup.ToASCII(ascii); err == nil && again != ascii {
			err = fmt.Errorf("its ASCII form %q is not stable", ascii)
		}
	}
	if err != nil {
		return "", &urlProblem{fmt.Sprintf("%q is not a valid host name (%v)", name, err),
			"a host name has only letters, digits, hyphens and dots"}
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return "", &urlProblem{fmt.Sprintf("the host %q has no top-level domain", name), "write the full domain, e.g. example.org"}
	}
	for _, l := range labels {
		if l == "" {
			return "", &urlProblem{fmt.Sprintf("the host %q has an empty label (two dots in a row?)", name), "remove the extra dot"}
		}
		if len(l) > 63 {
			return "", &urlProblem{fmt.Sprintf("the host %q has a label longer than 63 characters", name), "check the host name"}
		}
	}
	if len(ascii) > 253 {
		return "", &urlProblem{"the host name is longer than 253 characters", "check the host name"}
	}
	return ascii, nil
}

// normalizeEscapes rewrites an escaped path or query: %xx in upper case,
// unreserved characters (RFC 3986 §2.3) decoded, bytes that must be
// escaped (non-ASCII, controls, space) escaped.
func normalizeEscapes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			v := unhex(s[i+1])<<4 | unhex(s[i+2])
			if isUnreserved(v) {
				b.WriteByte(v)
			} else {
				fmt.Fprintf(&b, "%%%02X", v)
			}
			i += 2
			continue
		}
		if c == '%' || c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '`' ||
			c == '{' || c == '}' || c == '|' || c == '\\' || c == '^' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
