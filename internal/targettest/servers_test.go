package targettest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
)

func handshake(addr, sni string, pool *x509.CertPool) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(500 * time.Millisecond))
	return tls.Client(conn, &tls.Config{ServerName: sni, RootCAs: pool}).Handshake()
}

func TestCertificates(t *testing.T) {
	ca := NewCA(t)
	cases := []struct {
		name string
		cert tls.Certificate
		want any // the x509 error type the client must see, nil for success
	}{
		{"valid", ca.Issue("example.org"), nil},
		{"wrong name", ca.Issue("other.example"), x509.HostnameError{}},
		{"expired", ca.IssueExpired("example.org"), x509.CertificateInvalidError{}},
		{"self-signed", SelfSigned(t, "example.org"), x509.UnknownAuthorityError{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewHTTPSServer(t, HTTPSConfig{Certificates: []tls.Certificate{c.cert}})
			err := handshake(s.Addr, "example.org", ca.Pool())
			switch want := c.want.(type) {
			case nil:
				if err != nil {
					t.Fatal(err)
				}
			case x509.HostnameError:
				if !errors.As(err, &want) {
					t.Fatalf("want a hostname error, got %v", err)
				}
			case x509.CertificateInvalidError:
				if !errors.As(err, &want) || want.Reason != x509.Expired {
					t.Fatalf("want an expired certificate, got %v", err)
				}
			case x509.UnknownAuthorityError:
				if !errors.As(err, &want) {
					t.Fatalf("want an unknown authority, got %v", err)
				}
			}
		})
	}
}

func TestHTTPSServer(t *testing.T) {
	ca := NewCA(t)
	s := NewHTTPSServer(t, HTTPSConfig{
		Certificates: []tls.Certificate{ca.Issue("example.org"), ca.Issue("blocked.example")},
		ResetSNI:     []string{"blocked.example"},
	})
	if err := handshake(s.Addr, "example.org", ca.Pool()); err != nil {
		t.Fatalf("benign SNI: %v", err)
	}
	err := handshake(s.Addr, "blocked.example", ca.Pool())
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("blocked SNI: want a reset, got %v", err)
	}
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: ca.Pool(), ServerName: "example.org"},
		ForceAttemptHTTP2: true,
	}}
	resp, err := client.Get(s.URL + "/redirect/3")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if resp.ProtoMajor != 2 || !strings.Contains(string(body), "<title>sonde test site</title>") {
		t.Fatalf("%s %q", resp.Proto, body)
	}
}

func TestTCPBehaviours(t *testing.T) {
	for _, c := range []struct {
		name   string
		behave TCPBehavior
		want   error
	}{
		{"reset after hello", ResetAfterClientHello(), syscall.ECONNRESET},
		{"close after hello", CloseAfterClientHello(), io.EOF},
		{"hang", Hang(), context.DeadlineExceeded},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := NewTCPServer(t, c.behave)
			err := handshake(s.Addr, "example.org", nil)
			if c.want == context.DeadlineExceeded {
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					t.Fatalf("want a timeout, got %v", err)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("want %v, got %v", c.want, err)
			}
		})
	}
}

func TestHTTP3Server(t *testing.T) {
	ca := NewCA(t)
	s := NewHTTP3Server(t, []tls.Certificate{ca.Issue("example.org")}, nil)
	tr := &http3.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: "example.org"}}
	defer tr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "https://"+s.Addr+"/", nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.ProtoMajor != 3 {
		t.Fatalf("%d %s", resp.StatusCode, resp.Proto)
	}
}

func TestQUICServerAndBlackhole(t *testing.T) {
	ca := NewCA(t)
	s := NewQUICServer(t, &tls.Config{Certificates: []tls.Certificate{ca.Issue("example.org")}, NextProtos: []string{"x"}}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := quic.DialAddr(ctx, s.Addr, &tls.Config{RootCAs: ca.Pool(), ServerName: "example.org", NextProtos: []string{"x"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	conn.CloseWithError(0, "")

	hole := NewUDPBlackhole(t)
	_, err = quic.DialAddr(ctx, hole, &tls.Config{ServerName: "example.org", NextProtos: []string{"x"}},
		&quic.Config{HandshakeIdleTimeout: 200 * time.Millisecond})
	var timeout *quic.IdleTimeoutError
	if !errors.As(err, &timeout) {
		t.Fatalf("blackhole: want an idle timeout, got %v", err)
	}
}
