package netx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"sort"
	"time"

	utls "github.com/refraction-networking/utls"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
)

// fingerprint is a ClientHello to imitate.
type fingerprint struct {
	name string
	id   utls.ClientHelloID
}

// fingerprints maps Config.TLSFingerprint names to uTLS ClientHellos.
// "go" is Go's own ClientHello, for comparison.
var fingerprints = map[string]utls.ClientHelloID{
	"chrome":  utls.HelloChrome_Auto,
	"firefox": utls.HelloFirefox_Auto,
	"safari":  utls.HelloSafari_Auto,
	"edge":    utls.HelloEdge_Auto,
	"ios":     utls.HelloIOS_Auto,
	"android": utls.HelloAndroid_11_OkHttp,
	"go":      utls.HelloGolang,
}

// DefaultFingerprint is the ClientHello used when none is named.
const DefaultFingerprint = "chrome"

// Fingerprints returns the names Config.TLSFingerprint accepts, sorted.
func Fingerprints() []string {
	names := make([]string, 0, len(fingerprints))
	for n := range fingerprints {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func lookupFingerprint(name string) (fingerprint, error) {
	if name == "" {
		name = DefaultFingerprint
	}
	id, ok := fingerprints[name]
	if !ok {
		return fingerprint{}, configErr("unknown TLS fingerprint %q (known: %v)", name, Fingerprints())
	}
	return fingerprint{name: name, id: id}, nil
}

// TLSConfig says how to handshake.
type TLSConfig struct {
	// ServerName is sent as SNI and is the name the certificate must
	// match. REQUIRED unless NoVerify.
	ServerName string
	// NoVerify accepts any certificate (recorded as no_tls_verify).
	// OPTIONAL.
	NoVerify bool
}

// TLSConn is a connection after a successful handshake.
type TLSConn struct {
	net.Conn
	// State describes the handshake (version, cipher suite, ALPN,
	// certificates).
	State tls.ConnectionState
}

// TLSHandshake runs a TLS handshake over conn with the Net's browser
// ClientHello and records a tls_handshakes entry (with the certificates
// the server sent, even when they fail verification). On failure it
// closes conn and returns a *failure.Error.
func (n *Net) TLSHandshake(ctx context.Context, conn net.Conn, cfg TLSConfig) (*TLSConn, error) {
	id := n.transactionID(conn)
	tags := tagsOf(ctx)
	ctx, cancel := n.stepContext(ctx)
	defer cancel()
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d) //nolint:errcheck // the context bounds the handshake too
	}
	uconf := &utls.Config{
		ServerName:         cfg.ServerName,
		RootCAs:            n.cfg.RootCAs,
		InsecureSkipVerify: cfg.NoVerify,
		NextProtos:         []string{"h2", "http/1.1"}, // used by the "go" fingerprint only
	}
	uconn := utls.UClient(conn, uconf, n.fingerprint.id)
	step := n.startHandshake("tcp", conn.RemoteAddr().String(), cfg, tags, id)
	err := uconn.HandshakeContext(ctx)
	us := uconn.ConnectionState()
	state := tls.ConnectionState{
		Version: us.Version, HandshakeComplete: us.HandshakeComplete, CipherSuite: us.CipherSuite,
		NegotiatedProtocol: us.NegotiatedProtocol, ServerName: cfg.ServerName,
		PeerCertificates: us.PeerCertificates, VerifiedChains: us.VerifiedChains,
	}
	if f := step.done(state, err); err != nil {
		conn.Close()
		return nil, failure.New(f, failure.OpTLSHandshake, err)
	}
	conn.SetDeadline(time.Time{}) //nolint:errcheck // clearing the handshake deadline
	return &TLSConn{Conn: uconn, State: state}, nil
}

// handshakeStep is a TLS or QUIC handshake in progress.
type handshakeStep struct {
	n       *Net
	network string // "tcp" (TLS) or "udp" (QUIC)
	address string
	cfg     TLSConfig
	tags    []string
	id      int64
	t0      time.Time
}

func (n *Net) startHandshake(network, address string, cfg TLSConfig, tags []string, id int64) *handshakeStep {
	h := &handshakeStep{n: n, network: network, address: address, cfg: cfg, tags: tags, id: id, t0: n.now()}
	n.event(measurement.NetworkEvent{Address: address, Operation: h.op() + "_start", Proto: network,
		T0: n.Since(h.t0), T: n.Since(h.t0), Tags: tags, TransactionID: id})
	return h
}

func (h *handshakeStep) op() string {
	if h.network == "udp" {
		return failure.OpQUICHandshake
	}
	return failure.OpTLSHandshake
}

// done records the handshake in tls_handshakes or quic_handshakes and
// returns its failure string.
func (h *handshakeStep) done(state tls.ConnectionState, err error) string {
	n, t := h.n, h.n.now()
	f := failure.Classify(err)
	entry := handshakeEntry(h.network, h.address, h.cfg, state, err)
	entry.Failure, entry.T0, entry.T, entry.Tags, entry.TransactionID = failure.Ptr(f), n.Since(h.t0), n.Since(t), h.tags, h.id
	n.record(func(s *measurement.Steps) {
		if h.network == "udp" {
			s.QUICHandshakes = append(s.QUICHandshakes, entry)
		} else {
			s.TLSHandshakes = append(s.TLSHandshakes, entry)
		}
	})
	n.event(measurement.NetworkEvent{Address: h.address, Failure: failure.Ptr(f), Operation: h.op() + "_done", Proto: h.network,
		T0: n.Since(t), T: n.Since(t), Tags: h.tags, TransactionID: h.id})
	if f != "" {
		n.log.Debug("handshake failed", "operation", h.op(), "address", h.address, "sni", h.cfg.ServerName, "failure", f)
	}
	return f
}

// handshakeEntry fills the archival fields of a TLS or QUIC handshake
// that do not depend on timing.
func handshakeEntry(network, address string, cfg TLSConfig, state tls.ConnectionState, err error) measurement.TLSHandshake {
	certs := state.PeerCertificates
	if len(certs) == 0 {
		certs = unverifiedCertificates(err)
	}
	entry := measurement.TLSHandshake{
		Network: network, Address: address, ServerName: cfg.ServerName, NoTLSVerify: cfg.NoVerify,
		NegotiatedProtocol: state.NegotiatedProtocol, PeerCertificates: []measurement.BinaryData{},
	}
	if err == nil {
		entry.CipherSuite = tls.CipherSuiteName(state.CipherSuite)
		entry.TLSVersion = versionName(state.Version)
	}
	for _, c := range certs {
		entry.PeerCertificates = append(entry.PeerCertificates, measurement.BinaryData(c.Raw))
	}
	return entry
}

// unverifiedCertificates returns the chain a server sent when its
// verification failed (crypto/tls and uTLS both keep it in the error).
func unverifiedCertificates(err error) []*x509.Certificate {
	var ue *utls.CertificateVerificationError
	if errors.As(err, &ue) {
		return ue.UnverifiedCertificates
	}
	var se *tls.CertificateVerificationError
	if errors.As(err, &se) {
		return se.UnverifiedCertificates
	}
	return nil
}

// versionName writes a TLS version as OONI does ("TLSv1.3").
func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLSv1"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS13:
		return "TLSv1.3"
	}
	return ""
}
