package censor

import (
	"crypto/tls"
	"net"
	"testing"
	"time"
)

// clientHello returns the bytes a real Go TLS client sends first.
func clientHello(t testing.TB, sni string) []byte {
	t.Helper()
	c, s := net.Pipe()
	defer s.Close()
	go func() {
		_ = tls.Client(c, &tls.Config{ServerName: sni, InsecureSkipVerify: sni == ""}).Handshake()
		c.Close()
	}()
	_ = s.SetReadDeadline(time.Now().Add(5 * time.Second))
	var buf []byte
	tmp := make([]byte, 4096)
	for {
		n, err := s.Read(tmp)
		buf = append(buf, tmp[:n]...)
		if _, perr := parseSNI(buf); perr != errIncomplete || err != nil {
			return buf
		}
	}
}

func TestParseSNI(t *testing.T) {
	hello := clientHello(t, "www.Wikipedia.org")
	if got, err := parseSNI(hello); err != nil || got != "www.wikipedia.org" {
		t.Fatalf("parseSNI = %q, %v", got, err)
	}
	// Split like two TCP segments: the first part is incomplete.
	if _, err := parseSNI(hello[:len(hello)/2]); err != errIncomplete {
		t.Errorf("half a hello: %v, want errIncomplete", err)
	}
	if _, err := parseSNI([]byte("GET / HTTP/1.1\r\n")); err != errNotHello {
		t.Errorf("HTTP: %v, want errNotHello", err)
	}
	noSNI := clientHello(t, "")
	if got, err := parseSNI(noSNI); err != nil || got != "" {
		t.Errorf("hello without SNI: %q, %v", got, err)
	}
}

func TestParseHost(t *testing.T) {
	cases := map[string]struct {
		in   string
		host string
		err  error
	}{
		"plain":      {"GET / HTTP/1.1\r\nHost: www.BBC.com\r\nAccept: */*\r\n\r\n", "www.bbc.com", nil},
		"port":       {"GET / HTTP/1.1\r\nhost:www.bbc.com:8080\r\n\r\n", "www.bbc.com", nil},
		"incomplete": {"GET / HTTP/1.1\r\nHost: www.bb", "", errIncomplete},
		"no host":    {"GET / HTTP/1.0\r\n\r\n", "", nil},
		"not http":   {"GET / SMTP\r\n\r\n", "", errNotHTTP},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			host, err := parseHost([]byte(c.in))
			if host != c.host || err != c.err {
				t.Errorf("parseHost = %q, %v; want %q, %v", host, err, c.host, c.err)
			}
		})
	}
	if !looksHTTP([]byte("GE")) || looksHTTP([]byte("\x16\x03")) || !looksTLS([]byte{0x16}) {
		t.Error("looksHTTP/looksTLS")
	}
}

func TestNamesMatchSubdomains(t *testing.T) {
	n := names{"twitter.com"}
	for host, want := range map[string]bool{
		"twitter.com": true, "www.twitter.com": true, "WWW.Twitter.COM.": true,
		"nottwitter.com": false, "twitter.com.evil": false, "": false,
	} {
		if n.match(host) != want {
			t.Errorf("match(%q) = %v", host, !want)
		}
	}
}

// FuzzParseSNI: the censor reads what any client sends; it must never
// panic or read past what it was given.
func FuzzParseSNI(f *testing.F) {
	f.Add(clientHello(f, "twitter.com"))
	f.Add([]byte{0x16, 3, 1, 0, 4, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		name, err := parseSNI(b)
		if err != nil && name != "" {
			t.Fatalf("name %q with error %v", name, err)
		}
	})
}

func FuzzParseHost(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: example.org\r\n\r\n"))
	f.Add([]byte("POST /x HTTP/1.0\r\nHOST: [::1]:80\r\n\r\nbody"))
	f.Fuzz(func(t *testing.T, b []byte) {
		host, err := parseHost(b)
		if err != nil && host != "" {
			t.Fatalf("host %q with error %v", host, err)
		}
	})
}
