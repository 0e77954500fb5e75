package targettest

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
)

// HTTP3Server is an HTTP/3 server on loopback (quic-go).
type HTTP3Server struct {
	// Addr is "127.0.0.1:PORT" (UDP).
	Addr string

	srv  *http3.Server
	pc   net.PacketConn
	wg   sync.WaitGroup
	once sync.Once
}

// NewHTTP3Server starts an HTTP/3 server with certs (chosen by SNI) and
// handler (OPTIONAL: Website("sonde test site")).
func NewHTTP3Server(tb T, certs []tls.Certificate, handler http.Handler) *HTTP3Server {
	tb.Helper()
	if handler == nil {
		handler = Website("sonde test site")
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("targettest: HTTP/3 server: %v", err)
	}
	s := &HTTP3Server{
		Addr: pc.LocalAddr().String(),
		srv:  &http3.Server{TLSConfig: http3.ConfigureTLSConfig(&tls.Config{Certificates: certs}), Handler: handler},
		pc:   pc,
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.srv.Serve(pc) //nolint:errcheck // ends at Close
	}()
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server and waits for it.
func (s *HTTP3Server) Close() {
	s.once.Do(func() {
		s.srv.Close() //nolint:errcheck // best effort in cleanup
		s.pc.Close()
		s.wg.Wait()
	})
}

// QUICServer is a bare QUIC server: it completes handshakes and holds the
// connections until Close. Its tls.Config and quic.Config are the test's,
// to provoke failures (no common ALPN, no common QUIC version).
type QUICServer struct {
	// Addr is "127.0.0.1:PORT" (UDP).
	Addr string

	ln   *quic.Listener
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// NewQUICServer starts a QUIC server. tlsConf needs Certificates and
// NextProtos; quicConf may be nil.
func NewQUICServer(tb T, tlsConf *tls.Config, quicConf *quic.Config) *QUICServer {
	tb.Helper()
	ln, err := quic.ListenAddr("127.0.0.1:0", tlsConf, quicConf)
	if err != nil {
		tb.Fatalf("targettest: QUIC server: %v", err)
	}
	s := &QUICServer{Addr: ln.Addr().String(), ln: ln, done: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept(context.Background())
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				select {
				case <-conn.Context().Done():
				case <-s.done:
				}
				conn.CloseWithError(0, "") //nolint:errcheck // closing anyway
			}()
		}
	}()
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server, closes its connections and waits for them.
func (s *QUICServer) Close() {
	s.once.Do(func() {
		close(s.done)
		s.ln.Close()
		s.wg.Wait()
	})
}
