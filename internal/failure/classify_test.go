package failure

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestClassifyTable(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"refused errno", &net.OpError{Op: "dial", Err: &netSyscallError{syscall.ECONNREFUSED}}, ConnectionRefused},
		{"reset errno", fmt.Errorf("read: %w", syscall.ECONNRESET), ConnectionReset},
		{"host unreachable", syscall.EHOSTUNREACH, HostUnreachable},
		{"network unreachable", syscall.ENETUNREACH, NetworkUnreachable},
		{"deadline", context.DeadlineExceeded, GenericTimeout},
		{"canceled", context.Canceled, Interrupted},
		{"eof", io.EOF, EOF},
		{"unexpected eof", fmt.Errorf("reading body: %w", io.ErrUnexpectedEOF), EOF},
		{"closed", net.ErrClosed, ConnectionAlreadyClosed},
		{"hostname", x509.HostnameError{Host: "example.org", Certificate: &x509.Certificate{}}, SSLInvalidHostname},
		{"authority", x509.UnknownAuthorityError{}, SSLUnknownAuthority},
		{"expired", x509.CertificateInvalidError{Reason: x509.Expired}, SSLInvalidCertificate},
		{"nxdomain", &net.DNSError{Err: "no such host", Name: "x.example", IsNotFound: true}, DNSNXDOMAIN},
		{"dns timeout", &net.DNSError{Err: "timeout", IsTimeout: true}, GenericTimeout},
		{"classified stays", fmt.Errorf("wrapped: %w", New(DNSNoAnswer, OpResolve, nil)), DNSNoAnswer},
		{"tls alert text", errors.New("remote error: tls: handshake failure"), SSLFailedHandshake},
		{"quic version", errors.New("No compatible QUIC version found"), QUICIncompatibleVersion},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Classify(c.err); got != c.want {
				t.Fatalf("Classify(%v) = %q, want %q", c.err, got, c.want)
			}
		})
	}
}

type netSyscallError struct{ errno syscall.Errno }

func (e *netSyscallError) Error() string { return "connect: " + e.errno.Error() }
func (e *netSyscallError) Unwrap() error { return e.errno }

// TestClassifyRealSockets provokes failures on loopback rather than
// building errors by hand: the error chain the kernel and the net package
// produce is what matters.
func TestClassifyRealSockets(t *testing.T) {
	t.Run("refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		_, err = net.DialTimeout("tcp", addr, time.Second)
		if got := Classify(err); got != ConnectionRefused {
			t.Fatalf("got %q for %v", got, err)
		}
	})
	t.Run("reset", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		done := make(chan struct{})
		go func() {
			defer close(done)
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.(*net.TCPConn).SetLinger(0) // close sends RST
			c.Close()
		}()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil { // the RST may also reach the dial itself
			defer c.Close()
			<-done
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			_, err = c.Read(make([]byte, 1))
		}
		if got := Classify(err); got != ConnectionReset {
			t.Fatalf("got %q for %v", got, err)
		}
	})
	t.Run("read timeout", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		_, err = c.Read(make([]byte, 1))
		if got := Classify(err); got != GenericTimeout {
			t.Fatalf("got %q for %v", got, err)
		}
	})
	t.Run("eof", func(t *testing.T) {
		a, b := net.Pipe()
		b.Close()
		_, err := a.Read(make([]byte, 1))
		if got := Classify(err); got != EOF {
			t.Fatalf("got %q for %v", got, err)
		}
	})
}

func TestUnknownScrubsAddresses(t *testing.T) {
	err := errors.New("dial tcp 203.0.113.7:443 from [2001:db8::1]:5555: weird thing")
	got := Classify(err)
	if !IsUnknown(got) {
		t.Fatalf("not unknown: %q", got)
	}
	if strings.Contains(got, "203.0.113.7") || strings.Contains(got, "2001:db8::1") {
		t.Fatalf("address survived: %q", got)
	}
	if got != "unknown_failure: dial tcp [scrubbed]:443 from [scrubbed]:5555: weird thing" {
		t.Fatalf("got %q", got)
	}
}

func TestPtr(t *testing.T) {
	if Ptr("") != nil || *Ptr(EOF) != EOF || Of(nil) != "" || Of(Ptr(EOF)) != EOF {
		t.Fatal("Ptr/Of")
	}
}

func FuzzScrubAddresses(f *testing.F) {
	f.Add("dial tcp 192.0.2.1:80: refused")
	f.Add("[2001:db8::1]:443 1.2.3.4")
	f.Add("::00000.0.0.0") // an IPv6 match used to uncover 0.0.0.0
	f.Add("::ffff:192.0.2.1")
	f.Fuzz(func(t *testing.T, s string) {
		out := ScrubAddresses(s)
		if ipv4Text.MatchString(out) {
			t.Fatalf("an IPv4 address survived: %q -> %q", s, out)
		}
		for _, m := range ipv6Text.FindAllString(out, -1) {
			if net.ParseIP(strings.Trim(m, "[]")) != nil {
				t.Fatalf("an IPv6 address survived: %q -> %q (%q)", s, out, m)
			}
		}
	})
}

func TestRcode(t *testing.T) {
	for rcode, want := range map[int]string{
		0: "", 1: DNSServerMisbehaving, 2: DNSServfail, 3: DNSNXDOMAIN, 4: DNSServerMisbehaving, 5: DNSRefused, 23: DNSServerMisbehaving,
	} {
		if got := Rcode(rcode); got != want {
			t.Errorf("Rcode(%d) = %q, want %q", rcode, got, want)
		}
	}
}
