package controlhelper

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
)

// discoverH3 returns the HTTP/3 endpoint ("host:port") that the first
// response of the redirect chain advertises in Alt-Svc, as oohelperd does,
// or "". An endpoint without a host (h3=":443") is on the target's host.
func discoverH3(resp *http.Response, t *target) string {
	for i := 0; i < 32 && resp.Request != nil && resp.Request.Response != nil; i++ {
		resp = resp.Request.Response
	}
	authority := parseAltSvc(resp.Header.Get("Alt-Svc"))
	if authority == "" {
		return ""
	}
	host, port, err := net.SplitHostPort(authority)
	if err != nil {
		return ""
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return ""
	}
	if host == "" {
		host = t.Hostname
	}
	return net.JoinHostPort(host, port)
}

// parseAltSvc returns the authority of the first "h3" alternative of an
// Alt-Svc header value (RFC 7838): `h3=":443"; ma=86400, h3-29=":443"`
// gives ":443". Drafts (h3-29) are not HTTP/3 and are ignored.
func parseAltSvc(value string) string {
	for _, entry := range strings.Split(value, ",") {
		alt, _, _ := strings.Cut(entry, ";")
		proto, authority, ok := strings.Cut(strings.TrimSpace(alt), "=")
		if !ok || proto != "h3" {
			continue
		}
		return strings.Trim(strings.TrimSpace(authority), `"`)
	}
	return ""
}

// quicHandshake does a QUIC handshake with ep (ALPN h3, SNI the target's
// host).
func (h *Handler) quicHandshake(ctx context.Context, ep netip.AddrPort, t *target) measurement.ControlTLSHandshake {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.StepTimeout)
	defer cancel()
	d := h.quicDialer()
	defer d.close()
	conn, err := d.dial(ctx, ep, h.tlsConfig(t, []string{http3.NextProtoH3}), h.quicConfig())
	if err == nil {
		conn.CloseWithError(0, "")
	}
	return measurement.ControlTLSHandshake{
		ServerName: t.Hostname,
		Status:     err == nil,
		Failure:    failure.Ptr(failure.Classify(err)),
	}
}

func (h *Handler) quicConfig() *quic.Config {
	return &quic.Config{HandshakeIdleTimeout: h.cfg.StepTimeout, MaxIdleTimeout: h.cfg.StepTimeout}
}

// quicDialer dials QUIC connections on sockets of its own and closes them
// all in close.
type quicDialer struct {
	guard  guard
	source func(dest netip.Addr) (netip.Addr, bool)
	mu     sync.Mutex
	socks  []*net.UDPConn
	trs    []*quic.Transport
}

func (h *Handler) quicDialer() *quicDialer { return &quicDialer{guard: h.guard, source: h.source} }

func (d *quicDialer) dial(ctx context.Context, ep netip.AddrPort, tlsConf *tls.Config, conf *quic.Config) (*quic.Conn, error) {
	if err := d.guard.check(ep.Addr()); err != nil {
		return nil, err
	}
	var local *net.UDPAddr
	if src, ok := d.source(ep.Addr()); ok {
		local = &net.UDPAddr{IP: src.AsSlice()}
	}
	sock, err := net.ListenUDP("udp", local)
	if err != nil {
		return nil, err
	}
	tr := &quic.Transport{Conn: sock}
	d.mu.Lock()
	d.socks, d.trs = append(d.socks, sock), append(d.trs, tr)
	d.mu.Unlock()
	return tr.Dial(ctx, net.UDPAddrFromAddrPort(ep), tlsConf, conf)
}

func (d *quicDialer) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, tr := range d.trs {
		tr.Close()
	}
	for _, s := range d.socks {
		s.Close()
	}
	d.socks, d.trs = nil, nil
}

// fetchH3 GETs the target page over HTTP/3 from the advertised endpoint
// ("host:port"), resolving and guarding like fetch.
func (h *Handler) fetchH3(ctx context.Context, t *target, h3 string, headers map[string][]string, n *names) measurement.ControlHTTPRequest {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.HTTPTimeout)
	defer cancel()
	d := h.quicDialer()
	defer d.close()
	tr := &http3.Transport{
		TLSClientConfig: &tls.Config{RootCAs: h.cfg.RootCAs},
		QUICConfig:      h.quicConfig(),
		Dial: func(ctx context.Context, addr string, tlsConf *tls.Config, conf *quic.Config) (*quic.Conn, error) {
			return dialEach(ctx, n, addr, func(ap netip.AddrPort) (*quic.Conn, error) {
				return d.dial(ctx, ap, tlsConf, conf)
			})
		},
	}
	defer tr.Close()
	u := *t.URL
	u.Scheme, u.Host = "https", h3
	res, _ := h.get(ctx, &http.Client{Transport: tr, Jar: newJar()}, u.String(), headers)
	return res
}
