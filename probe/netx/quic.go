package netx

import (
	"context"
	"crypto/tls"

	"github.com/quic-go/quic-go"

	"github.com/sonde-project/sonde/internal/failure"
)

// QUICHandshake dials address ("IP:port", UDP), runs a QUIC handshake
// offering ALPN "h3" and records a quic_handshakes entry. quic-go uses
// crypto/tls, so the ClientHello is Go's, not a browser's. The caller
// closes the returned connection (CloseWithError), which also closes its
// UDP socket. A network failure is returned as a *failure.Error.
func (n *Net) QUICHandshake(ctx context.Context, address string, cfg TLSConfig) (*quic.Conn, error) {
	conn, _, err := n.quicHandshake(ctx, address, cfg)
	return conn, err
}

// quicHandshake is QUICHandshake that also returns the transaction id.
func (n *Net) quicHandshake(ctx context.Context, address string, cfg TLSConfig) (*quic.Conn, int64, error) {
	if _, _, err := splitIPPort(address); err != nil {
		return nil, 0, err
	}
	id := n.newID()
	tags := tagsOf(ctx)
	ctx, cancel := n.stepContext(ctx)
	defer cancel()
	tconf := &tls.Config{
		ServerName:         cfg.ServerName,
		RootCAs:            n.cfg.RootCAs,
		InsecureSkipVerify: cfg.NoVerify,
		NextProtos:         []string{"h3"},
	}
	qconf := &quic.Config{HandshakeIdleTimeout: n.cfg.StepTimeout, MaxIdleTimeout: n.cfg.StepTimeout}
	step := n.startHandshake("udp", address, cfg, tags, id)
	conn, err := quic.DialAddr(ctx, address, tconf, qconf)
	var state tls.ConnectionState
	if err == nil {
		state = conn.ConnectionState().TLS
	}
	if f := step.done(state, err); err != nil {
		return nil, id, failure.New(f, failure.OpQUICHandshake, err)
	}
	return conn, id, nil
}
