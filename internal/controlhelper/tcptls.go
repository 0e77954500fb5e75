package controlhelper

import (
	"context"
	"crypto/tls"
	"net"
	"net/netip"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
)

// tcpResult is the outcome of connecting to one endpoint.
type tcpResult struct {
	tcp measurement.ControlTCPConnect
	tls *measurement.ControlTLSHandshake // nil when not attempted
}

// dialer returns a net.Dialer for dest that refuses forbidden addresses at
// connect time, whatever led to them.
func (h *Handler) dialer(dest netip.Addr) *net.Dialer {
	d := &net.Dialer{Timeout: h.cfg.StepTimeout, Control: h.guard.control}
	if src, ok := h.source(dest); ok {
		d.LocalAddr = &net.TCPAddr{IP: src.AsSlice()}
	}
	return d
}

// source returns Config.SourceAddr when it suits dest's family.
func (h *Handler) source(dest netip.Addr) (netip.Addr, bool) {
	src := h.cfg.SourceAddr
	return src, src.IsValid() && src.Is4() == dest.Unmap().Is4()
}

// tcpTLS connects to ep and, when ep.tls, does a TLS handshake with
// serverName as SNI, verifying the certificate for it.
func (h *Handler) tcpTLS(ctx context.Context, ep endpoint, t *target) tcpResult {
	var res tcpResult
	dctx, cancel := context.WithTimeout(ctx, h.cfg.StepTimeout)
	defer cancel()
	conn, err := h.dialer(ep.addr.Addr()).DialContext(dctx, "tcp", ep.String())
	res.tcp = measurement.ControlTCPConnect{Status: err == nil, Failure: tcpFailure(failure.Classify(err))}
	if err != nil {
		return res
	}
	defer conn.Close()
	if !ep.tls {
		return res
	}
	tctx, cancel := context.WithTimeout(ctx, h.cfg.StepTimeout)
	defer cancel()
	tconn := tls.Client(conn, h.tlsConfig(t, []string{"h2", "http/1.1"}))
	err = tconn.HandshakeContext(tctx)
	res.tls = &measurement.ControlTLSHandshake{
		ServerName: t.Hostname,
		Status:     err == nil,
		Failure:    failure.Ptr(failure.Classify(err)),
	}
	return res
}

// tlsConfig is the TLS configuration of every handshake for target t.
func (h *Handler) tlsConfig(t *target, alpn []string) *tls.Config {
	return &tls.Config{
		ServerName: t.ASCII,
		NextProtos: alpn,
		RootCAs:    h.cfg.RootCAs,
	}
}
