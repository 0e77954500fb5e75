package webconnectivity_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// The scenario tests run the probe and the control helper on one machine.
// The probe's connections leave from 127.0.0.1 and the helper's from
// 127.0.0.2 (controlhelper.Config.SourceAddr), so a censor in front of a
// site can treat them as two networks: it censors the probe's and lets
// the helper's through, like a middlebox on the probe's side only.
const (
	probeIP   = "127.0.0.1"
	controlIP = "127.0.0.2"
)

// rule is what a censor does to the probe's connections.
type rule int

const (
	pass      rule = iota // relay everything
	resetSNI              // reset after a ClientHello for one server name
	blockpage             // answer HTTP requests with a blockpage
	blackhole             // drop the probe's SYNs (Linux: a socket filter)
	hijack                // a censor's own server: a blockpage for everyone
)

// censor is a TCP relay in front of a real server that applies its rule to
// connections from the probe.
type censor struct {
	Addr     string
	ln       net.Listener
	upstream string
	rule     rule
	sni      string

	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
}

// newCensor listens on listen ("IP:port") in front of upstream.
func newCensor(t testing.TB, listen, upstream string, r rule, sni string) *censor {
	t.Helper()
	var lc net.ListenConfig
	if r == blackhole {
		lc.Control = dropFrom(t, probeIP)
	}
	ln, err := lc.Listen(context.Background(), "tcp", listen)
	if err != nil {
		t.Fatal(err)
	}
	c := &censor{Addr: ln.Addr().String(), ln: ln, upstream: upstream, rule: r, sni: sni}
	c.wg.Go(c.serve)
	t.Cleanup(c.close)
	return c
}

func (c *censor) serve() {
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			return
		}
		c.track(conn)
		c.wg.Go(func() { c.handle(conn) })
	}
}

func (c *censor) track(conn net.Conn) {
	c.mu.Lock()
	c.conns = append(c.conns, conn)
	c.mu.Unlock()
}

func (c *censor) close() {
	c.ln.Close()
	c.mu.Lock()
	for _, conn := range c.conns {
		conn.Close()
	}
	c.mu.Unlock()
	c.wg.Wait()
}

func (c *censor) handle(conn net.Conn) {
	defer conn.Close()
	host, _, _ := net.SplitHostPort(conn.RemoteAddr().String())
	if c.rule == hijack {
		serveBlockpage(conn)
		return
	}
	if host != probeIP {
		c.relay(conn, nil)
		return
	}
	switch c.rule {
	case blockpage:
		serveBlockpage(conn)
	case resetSNI:
		hello, sni := peekClientHello(conn)
		if sni == c.sni {
			conn.(*net.TCPConn).SetLinger(0) // close with a RST
			return
		}
		c.relay(conn, hello)
	default:
		c.relay(conn, nil)
	}
}

// relay connects to the upstream server, sends it what was already read
// from the client, and copies both ways until either side closes.
func (c *censor) relay(conn net.Conn, prefix []byte) {
	up, err := net.DialTimeout("tcp", c.upstream, 5*time.Second)
	if err != nil {
		return
	}
	c.track(up)
	defer up.Close()
	if _, err := up.Write(prefix); err != nil {
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		io.Copy(up, conn)
		up.(*net.TCPConn).CloseWrite()
	})
	io.Copy(conn, up)
	conn.(*net.TCPConn).CloseWrite()
	wg.Wait()
}

// peekClientHello reads the client's ClientHello and returns the bytes
// read and the server name it asks for.
func peekClientHello(conn net.Conn) ([]byte, string) {
	var buf bytes.Buffer
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	defer conn.SetReadDeadline(time.Time{})
	var sni string
	stop := errors.New("seen the ClientHello")
	tls.Server(readOnlyConn{Conn: conn, r: io.TeeReader(conn, &buf)}, &tls.Config{
		GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
			sni = h.ServerName
			return nil, stop
		},
	}).Handshake()
	return buf.Bytes(), sni
}

// readOnlyConn reads through r and swallows writes (the alert the TLS
// server sends when GetConfigForClient stops it).
type readOnlyConn struct {
	net.Conn
	r io.Reader
}

func (c readOnlyConn) Read(b []byte) (int, error)  { return c.r.Read(b) }
func (c readOnlyConn) Write(b []byte) (int, error) { return len(b), nil }

// blockpageHTML is what the censor serves instead of the page: small, with
// its own title and its own server's headers, as real blockpages are.
const blockpageHTML = `<html><head><title>Access Denied</title></head><body>This website is not accessible in your country.</body></html>`

func serveBlockpage(conn net.Conn) {
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := http.ReadRequest(bufio.NewReader(conn)); err != nil {
		return
	}
	io.WriteString(conn, "HTTP/1.1 200 OK\r\nServer: censorbox\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"+blockpageHTML)
}
