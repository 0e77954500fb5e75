package collectortest

import (
	"encoding/binary"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

// SOCKS5 is a SOCKS5 proxy on loopback (RFC 1928: no authentication,
// CONNECT only) that records every byte its clients send, the handshake
// included: what a network observer between the probe and the proxy
// would see.
type SOCKS5 struct {
	// Addr is "127.0.0.1:PORT".
	Addr string
	ln   net.Listener
	wg   sync.WaitGroup

	mu    sync.Mutex
	sent  []*recorder // one per connection
	conns []net.Conn
}

// maxRecorded bounds what is recorded of one connection.
const maxRecorded = 64 << 20

// NewSOCKS5 starts a proxy; it stops at the end of the test.
func NewSOCKS5(t testing.TB) *SOCKS5 {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &SOCKS5{Addr: ln.Addr().String(), ln: ln}
	p.wg.Go(p.serve)
	t.Cleanup(p.Close)
	return p
}

// URL is the proxy as the probe's --proxy takes it.
func (p *SOCKS5) URL() string { return "socks5://" + p.Addr }

// Sent returns, for each connection relayed so far, the bytes its client
// sent.
func (p *SOCKS5) Sent() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([][]byte, len(p.sent))
	for i, r := range p.sent {
		out[i] = r.bytes()
	}
	return out
}

// Close stops the proxy and its connections and waits for them.
func (p *SOCKS5) Close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *SOCKS5) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		rec := &recorder{}
		p.mu.Lock()
		p.sent = append(p.sent, rec)
		p.conns = append(p.conns, c)
		p.mu.Unlock()
		p.wg.Go(func() { p.relay(c, rec) })
	}
}

// relay answers the handshake and copies both ways, recording what the
// client sends.
func (p *SOCKS5) relay(c net.Conn, rec *recorder) {
	defer c.Close()
	in := io.TeeReader(c, rec)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	target, ok := handshake(in, c)
	if !ok {
		return
	}
	up, err := net.DialTimeout("tcp", target, 5*time.Second)
	if err != nil {
		c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0}) // connection refused
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, up)
	p.mu.Unlock()
	defer up.Close()
	c.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0})
	c.SetDeadline(time.Time{})
	var wg sync.WaitGroup
	wg.Go(func() {
		io.Copy(up, in)
		up.(*net.TCPConn).CloseWrite()
	})
	io.Copy(c, up)
	c.(*net.TCPConn).CloseWrite()
	wg.Wait()
}

// handshake reads the greeting and the CONNECT request and returns the
// target "host:port".
func handshake(in io.Reader, c net.Conn) (string, bool) {
	buf := make([]byte, 256)
	if _, err := io.ReadFull(in, buf[:2]); err != nil || buf[0] != 5 {
		return "", false
	}
	if _, err := io.ReadFull(in, buf[:buf[1]]); err != nil {
		return "", false
	}
	c.Write([]byte{5, 0}) // no authentication
	if _, err := io.ReadFull(in, buf[:4]); err != nil || buf[1] != 1 {
		return "", false
	}
	var host string
	switch buf[3] {
	case 1:
		if _, err := io.ReadFull(in, buf[:4]); err != nil {
			return "", false
		}
		host = net.IP(buf[:4]).String()
	case 3:
		if _, err := io.ReadFull(in, buf[:1]); err != nil {
			return "", false
		}
		n := int(buf[0])
		if _, err := io.ReadFull(in, buf[:n]); err != nil {
			return "", false
		}
		host = string(buf[:n])
	case 4:
		if _, err := io.ReadFull(in, buf[:16]); err != nil {
			return "", false
		}
		host = net.IP(buf[:16]).String()
	default:
		return "", false
	}
	if _, err := io.ReadFull(in, buf[:2]); err != nil {
		return "", false
	}
	return net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(buf[:2])))), true
}

// recorder keeps what it is written, up to maxRecorded.
type recorder struct {
	mu  sync.Mutex
	buf []byte
}

func (r *recorder) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if room := maxRecorded - len(r.buf); room > 0 {
		r.buf = append(r.buf, b[:min(len(b), room)]...)
	}
	return len(b), nil
}

func (r *recorder) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.buf...)
}
