package wctest

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

// Addresses and networks of the scenarios.
const (
	// ProbeIP is where the probe's connections come from.
	ProbeIP = "127.0.0.1"
	// ControlIP is where the control helper's connections come from.
	ControlIP = "127.0.0.2"
	// HijackIP is where a lying resolver sends the probe by default: the
	// censor's blockpage server, in the censor's network.
	HijackIP = "127.0.0.3"
	// SiteIP is where a scenario's site (behind its censor) listens. Not
	// 127.0.0.1: OONI's DNS fingerprints list it (cl.dns_br_localhost, a
	// common way to block with DNS), so a site there looks blocked to the
	// analysis.
	SiteIP = "127.0.0.4"
	// SiteASN and CensorASN are the networks the helper reports for the
	// sites' addresses and for HijackIP.
	SiteASN   = 64500
	CensorASN = 64666
)

// Rule is what a censor does to the probe's connections.
type Rule int

// Rules.
const (
	Pass      Rule = iota // relay everything
	ResetSNI              // reset after a ClientHello for one server name
	Blockpage             // answer HTTP requests with a blockpage
	Blackhole             // drop the probe's SYNs (Linux: a socket filter)
	Hijack                // a censor's own server: a blockpage for everyone
)

// BlockpageHTML is what a censor serves instead of the page unless told
// otherwise: small, with its own title and its own server's headers, as
// real blockpages are, but matching no known fingerprint (the test of
// cmd/analysis checks that).
const BlockpageHTML = `<html><head><title>Notice</title></head><body>The page you asked for cannot be shown on this network.</body></html>`

// IranBlockpageHTML is Iran's national blockpage as probes in Iran receive
// it: an iframe to 10.10.34.34, which OONI's fingerprints ooni.ir_0 and
// cl.nat_ir_iframe_forward_ipv4 match.
const IranBlockpageHTML = `<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256"><title>M1-6
</title></head><body><iframe src="http://10.10.34.34?type=Invalid Site&policy=MainPolicy " style="width: 100%; height: 100%" scrolling="no" marginwidth="0" marginheight="0" frameborder="0" vspace="0" hspace="0"></iframe></body></html>`

// Censor is a TCP relay in front of a real server that applies its rule
// to connections from the probe.
type Censor struct {
	// Addr is where it listens, "IP:port".
	Addr     string
	ln       net.Listener
	upstream string
	rule     Rule
	sni      string
	page     string

	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
}

// CensorConfig says what a censor does.
type CensorConfig struct {
	// Rule is applied to the probe's connections. OPTIONAL: Pass.
	Rule Rule
	// SNI is the server name ResetSNI resets. REQUIRED with ResetSNI.
	SNI string
	// Page is the blockpage's body. OPTIONAL: BlockpageHTML.
	Page string
}

// NewCensor listens on listen ("IP:port") in front of upstream (not
// needed by Hijack). It stops at the end of the test.
func NewCensor(t testing.TB, listen, upstream string, cfg CensorConfig) *Censor {
	t.Helper()
	var lc net.ListenConfig
	if cfg.Rule == Blackhole {
		lc.Control = DropFrom(t, ProbeIP)
	}
	ln, err := lc.Listen(context.Background(), "tcp", listen)
	if err != nil {
		t.Fatal(err)
	}
	c := &Censor{Addr: ln.Addr().String(), ln: ln, upstream: upstream, rule: cfg.Rule, sni: cfg.SNI, page: cfg.Page}
	if c.page == "" {
		c.page = BlockpageHTML
	}
	c.wg.Go(c.serve)
	t.Cleanup(c.close)
	return c
}

func (c *Censor) serve() {
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			return
		}
		c.track(conn)
		c.wg.Go(func() { c.handle(conn) })
	}
}

func (c *Censor) track(conn net.Conn) {
	c.mu.Lock()
	c.conns = append(c.conns, conn)
	c.mu.Unlock()
}

func (c *Censor) close() {
	c.ln.Close()
	c.mu.Lock()
	for _, conn := range c.conns {
		conn.Close()
	}
	c.mu.Unlock()
	c.wg.Wait()
}

func (c *Censor) handle(conn net.Conn) {
	defer conn.Close()
	host, _, _ := net.SplitHostPort(conn.RemoteAddr().String())
	if c.rule == Hijack {
		c.serveBlockpage(conn)
		return
	}
	if host != ProbeIP {
		c.relay(conn, nil)
		return
	}
	switch c.rule {
	case Blockpage:
		c.serveBlockpage(conn)
	case ResetSNI:
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
func (c *Censor) relay(conn net.Conn, prefix []byte) {
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

func (c *Censor) serveBlockpage(conn net.Conn) {
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := http.ReadRequest(bufio.NewReader(io.LimitReader(conn, 64<<10))); err != nil {
		return
	}
	io.WriteString(conn, "HTTP/1.1 200 OK\r\nServer: censorbox\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"+c.page)
}
