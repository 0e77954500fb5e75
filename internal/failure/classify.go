package failure

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"syscall"
)

// Error is an error already classified: its Failure is a string of the
// vocabulary. Code that classifies an error wraps it in an *Error so that
// callers further up never classify it again.
type Error struct {
	Failure   string // a constant of this package, or "unknown_failure: …"
	Operation string // one of the Op constants, "" when unknown
	Err       error  // the underlying error, for logs; never published
}

func (e *Error) Error() string { return e.Failure }
func (e *Error) Unwrap() error { return e.Err }

// New returns an already-classified error.
func New(failure, op string, err error) *Error {
	return &Error{Failure: failure, Operation: op, Err: err}
}

// Classify returns the failure string for err, "" for nil. An *Error in
// the chain is returned as it is; otherwise the error is classified by its
// type (errno values, timeouts, certificate errors), then by text for the
// few errors of the standard library that have no type.
func Classify(err error) string {
	if err == nil {
		return ""
	}
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Failure
	}
	if f := classifyQUIC(err); f != "" {
		return f
	}
	if f := classifyErrno(err); f != "" {
		return f
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return GenericTimeout
	case errors.Is(err, context.Canceled):
		return Interrupted
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return EOF
	case errors.Is(err, net.ErrClosed):
		return ConnectionAlreadyClosed
	}
	if f := classifyX509(err); f != "" {
		return f
	}
	if f := classifyTLS(err); f != "" {
		return f
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return DNSNXDOMAIN
		case dnsErr.IsTimeout:
			return GenericTimeout
		}
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return GenericTimeout
	}
	if f := classifyText(err.Error()); f != "" {
		return f
	}
	return Unknown(err)
}

func classifyErrno(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return ""
	}
	switch errno {
	case syscall.ECONNREFUSED:
		return ConnectionRefused
	case syscall.ECONNRESET:
		return ConnectionReset
	case syscall.ECONNABORTED:
		return ConnectionAborted
	case syscall.EHOSTUNREACH:
		return HostUnreachable
	case syscall.ENETUNREACH:
		return NetworkUnreachable
	case syscall.ETIMEDOUT:
		return GenericTimeout
	case syscall.EAFNOSUPPORT:
		return AddressFamilyNotSupp
	case syscall.EACCES, syscall.EPERM:
		return PermissionDenied
	case syscall.EPIPE:
		return ConnectionReset
	}
	return ""
}

func classifyX509(err error) string {
	var hostErr x509.HostnameError
	if errors.As(err, &hostErr) {
		return SSLInvalidHostname
	}
	var authErr x509.UnknownAuthorityError
	if errors.As(err, &authErr) {
		return SSLUnknownAuthority
	}
	var invalidErr x509.CertificateInvalidError
	if errors.As(err, &invalidErr) {
		return SSLInvalidCertificate
	}
	return ""
}

// classifyText covers errors that libraries return as plain text. Each
// pattern is a message that a typed check above cannot see.
func classifyText(s string) string {
	switch {
	case strings.HasSuffix(s, "connection refused"):
		return ConnectionRefused
	case strings.HasSuffix(s, "connection reset by peer"):
		return ConnectionReset
	case strings.HasSuffix(s, "no route to host"):
		return HostUnreachable
	case strings.HasSuffix(s, "network is unreachable"):
		return NetworkUnreachable
	case strings.Contains(s, "i/o timeout"), strings.Contains(s, "timeout: no recent network activity"),
		strings.Contains(s, "handshake did not complete in time"):
		return GenericTimeout
	case strings.Contains(s, "no such host"):
		return DNSNXDOMAIN
	case strings.Contains(s, "use of closed network connection"):
		return ConnectionAlreadyClosed
	case strings.HasSuffix(s, "EOF"):
		return EOF
	case strings.Contains(s, "certificate is valid for"), strings.Contains(s, "certificate is not valid for any names"):
		return SSLInvalidHostname
	case strings.Contains(s, "certificate signed by unknown authority"):
		return SSLUnknownAuthority
	case strings.Contains(s, "certificate has expired"), strings.Contains(s, "not yet valid"):
		return SSLInvalidCertificate
	case strings.Contains(s, "tls: "), strings.Contains(s, "remote error: tls"):
		return SSLFailedHandshake
	case strings.Contains(s, "No compatible QUIC version found"):
		return QUICIncompatibleVersion
	}
	return ""
}

var (
	ipv4Text = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b`)
	// ipv6Text also takes a trailing dotted quad, as in ::ffff:192.0.2.1.
	ipv6Text = regexp.MustCompile(`\[?[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}(?:\.\d{1,3}){0,3}\]?`)
)

// Unknown returns "unknown_failure: <text>" with every IP address in the
// text replaced by "[scrubbed]": unknown errors often quote the address
// they were dialing or, worse, the local address.
func Unknown(err error) string {
	return UnknownPrefix + ": " + ScrubAddresses(err.Error())
}

// ScrubAddresses replaces the IPv4 and IPv6 addresses in s by "[scrubbed]".
// A replacement can make a new address appear ("::00000.0.0.0" hides
// 0.0.0.0 behind an IPv6 match), so it repeats until nothing changes. Each
// pass consumes characters of s that "[scrubbed]" never contains (digits,
// colons), so the loop ends after at most len(s) passes.
func ScrubAddresses(s string) string {
	for range len(s) + 1 {
		next := ipv6Text.ReplaceAllStringFunc(s, func(m string) string {
			if net.ParseIP(strings.Trim(m, "[]")) == nil {
				return m
			}
			return "[scrubbed]"
		})
		next = ipv4Text.ReplaceAllString(next, "[scrubbed]")
		if next == s {
			break
		}
		s = next
	}
	return s
}

// IsUnknown reports whether f is an unclassified failure.
func IsUnknown(f string) bool {
	return strings.HasPrefix(f, UnknownPrefix)
}
