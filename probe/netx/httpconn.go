package netx

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"

	"github.com/quic-go/quic-go/http3"
	"golang.org/x/net/http2"
)

// maxHeaderBytes bounds the response headers of every protocol.
const maxHeaderBytes = 64 << 10

// maxAddresses bounds the addresses tried for one request.
const maxAddresses = 8

// target says where a request's connection goes.
type target struct {
	// address is an IP or IP:port to dial instead of resolving; "" resolves.
	address string
	// sni replaces the URL's host as TLS server name; "" keeps it.
	sni string
	// http3 dials QUIC instead of TCP (https only).
	http3 bool
	// resolver resolves the URL's host when address is "".
	resolver Resolver
}

// httpConn is one connection ready for one request.
type httpConn struct {
	rt      http.RoundTripper
	close   func()
	id      int64
	network string // "tcp" or "udp"
	address string
	alpn    string
}

// openHTTPConn resolves, connects and handshakes for u, recording every
// step. It returns a *failure.Error for a network failure.
func (n *Net) openHTTPConn(ctx context.Context, u *url.URL, t target) (*httpConn, error) {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if port == "" {
		return nil, errors.New("netx: URL scheme must be http or https: " + u.String())
	}
	var addrs []string
	switch {
	case t.address != "":
		addr := t.address
		if _, _, err := net.SplitHostPort(addr); err != nil {
			addr = net.JoinHostPort(addr, port)
		}
		addrs = []string{addr}
	default:
		ips, err := t.resolver.LookupHost(ctx, u.Hostname())
		if err != nil {
			return nil, err
		}
		for _, ip := range ips[:min(len(ips), maxAddresses)] {
			addrs = append(addrs, net.JoinHostPort(ip, port))
		}
	}
	sni := u.Hostname()
	if t.sni != "" {
		sni = t.sni
	}
	if t.http3 {
		if u.Scheme != "https" {
			return nil, errors.New("netx: HTTP/3 needs an https URL: " + u.String())
		}
		return n.openHTTP3(ctx, addrs, sni)
	}
	var (
		conn net.Conn
		err  error
	)
	for _, addr := range addrs {
		if conn, err = n.DialTCP(ctx, addr); err == nil {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	hc := &httpConn{id: n.transactionID(conn), network: "tcp", address: conn.RemoteAddr().String()}
	if u.Scheme == "http" {
		hc.rt, hc.close = oneShotHTTP1(conn), func() { conn.Close() }
		return hc, nil
	}
	tconn, err := n.TLSHandshake(ctx, conn, TLSConfig{ServerName: sni})
	if err != nil {
		return nil, err
	}
	hc.alpn = tconn.State.NegotiatedProtocol
	hc.close = func() { tconn.Close() }
	if hc.alpn != "h2" {
		hc.rt = oneShotHTTP1(tconn)
		return hc, nil
	}
	// net/http's replacement for this API takes only a *tls.Conn, not a
	// uTLS connection, hence the deprecated x/net/http2 one.
	//lint:ignore SA1019 see above
	cc, err := (&http2.Transport{MaxHeaderListSize: maxHeaderBytes}).NewClientConn(tconn)
	if err != nil {
		tconn.Close()
		return nil, err
	}
	hc.rt, hc.close = cc, func() { cc.Close(); tconn.Close() }
	return hc, nil
}

// openHTTP3 runs a QUIC handshake with the first address that answers.
func (n *Net) openHTTP3(ctx context.Context, addrs []string, sni string) (*httpConn, error) {
	var err error
	for _, addr := range addrs {
		qconn, id, qerr := n.quicHandshake(ctx, addr, TLSConfig{ServerName: sni})
		if err = qerr; err != nil {
			continue
		}
		cc := (&http3.Transport{MaxResponseHeaderBytes: maxHeaderBytes}).NewClientConn(qconn)
		return &httpConn{
			rt: cc, close: func() { qconn.CloseWithError(0, "") }, //nolint:errcheck // closing anyway
			id: id, network: "udp", address: addr, alpn: "h3",
		}, nil
	}
	return nil, err
}

// oneShotHTTP1 is an HTTP/1.1 round tripper over conn, for one request.
func oneShotHTTP1(conn net.Conn) http.RoundTripper {
	dial := func(context.Context, string, string) (net.Conn, error) {
		if conn == nil {
			return nil, errors.New("netx: connection already used")
		}
		c := conn
		conn = nil
		return c, nil
	}
	return &http.Transport{
		DialContext:            dial,
		DialTLSContext:         dial,
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: maxHeaderBytes,
		Proxy:                  nil,
	}
}
