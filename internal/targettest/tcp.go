package targettest

import (
	"io"
	"net"
	"sync"
	"time"
)

// TCPBehavior handles one accepted connection. done is closed when the
// server closes: a behaviour that waits must watch it. The server closes
// conn after the behaviour returns.
type TCPBehavior func(conn *net.TCPConn, done <-chan struct{})

// TCPServer is a TCP server on loopback that treats every connection as
// its behaviour says.
type TCPServer struct {
	// Addr is "127.0.0.1:PORT".
	Addr string

	ln     net.Listener
	behave TCPBehavior
	done   chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
}

// NewTCPServer starts a TCP server.
func NewTCPServer(tb T, behave TCPBehavior) *TCPServer {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("targettest: TCP server: %v", err)
	}
	s := &TCPServer{Addr: ln.Addr().String(), ln: ln, behave: behave, done: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go s.serve()
	tb.Cleanup(s.Close)
	return s
}

func (s *TCPServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.behave(c.(*net.TCPConn), s.done)
			c.Close()
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

// Close stops accepting, tells behaviours to stop, closes the open
// connections and waits for every goroutine.
func (s *TCPServer) Close() {
	s.once.Do(func() {
		close(s.done)
		s.ln.Close()
		s.mu.Lock()
		for c := range s.conns {
			c.SetDeadline(time.Now()) //nolint:errcheck // unblocks reads
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
}

// maxRecord bounds what the behaviours read: a TLS record is at most
// 5 + 2^14 + 2048 bytes.
const maxRecord = 5 + 1<<14 + 2048

// readRecord reads one TLS record (or whatever the client sends first),
// bounded, with a deadline.
func readRecord(conn net.Conn) {
	conn.SetReadDeadline(time.Now().Add(10 * time.Second)) //nolint:errcheck // best effort
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(conn, hdr); err != nil {
		return
	}
	n := int(hdr[3])<<8 | int(hdr[4])
	io.CopyN(io.Discard, conn, int64(min(n, maxRecord))) //nolint:errcheck // we only wait for it
}

// rst closes conn with a TCP reset instead of a FIN.
func rst(conn *net.TCPConn) {
	conn.SetLinger(0) //nolint:errcheck // a plain close is the fallback
	conn.Close()
}

// ResetAfterClientHello reads the client's first TLS record and resets
// the connection: what an SNI-filtering middlebox looks like to a client
// (connection_reset during the TLS handshake).
func ResetAfterClientHello() TCPBehavior {
	return func(conn *net.TCPConn, _ <-chan struct{}) {
		readRecord(conn)
		rst(conn)
	}
}

// CloseAfterClientHello reads the client's first TLS record and closes
// the connection normally (eof_error during the TLS handshake).
func CloseAfterClientHello() TCPBehavior {
	return func(conn *net.TCPConn, _ <-chan struct{}) {
		readRecord(conn)
	}
}

// Reset resets every connection as soon as it is accepted.
func Reset() TCPBehavior {
	return func(conn *net.TCPConn, _ <-chan struct{}) { rst(conn) }
}

// Hang accepts, reads and discards what the client sends, and never
// answers, until the server closes (generic_timeout_error for the client).
func Hang() TCPBehavior {
	return func(conn *net.TCPConn, done <-chan struct{}) {
		io.Copy(io.Discard, conn) //nolint:errcheck // Close's deadline or the client's FIN ends it
		<-done
	}
}

// NewUDPBlackhole returns the address of a UDP socket that reads what it
// is sent and never answers: QUIC handshakes and DNS queries to it time
// out. The socket closes at the end of the test.
func NewUDPBlackhole(tb T) string {
	tb.Helper()
	return serveUDP(tb, "UDP blackhole", func([]byte) []byte { return nil })
}

// serveUDP answers each datagram with what answer returns (nothing for
// nil) until the end of the test, and returns the address.
func serveUDP(tb T, what string, answer func(datagram []byte) []byte) string {
	tb.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("targettest: %s: %v", what, err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 1<<16)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if out := answer(buf[:n]); out != nil {
				pc.WriteTo(out, from) //nolint:errcheck // the client retries or times out
			}
		}
	}()
	tb.Cleanup(func() { pc.Close(); wg.Wait() })
	return pc.LocalAddr().String()
}
