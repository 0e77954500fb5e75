// Package tls is the "tls" network test: a TLS handshake with a chosen
// SNI, the server's certificate chain, and optionally a second handshake
// to the same address with a benign SNI, which tells SNI-based blocking
// from a server that is down.
package tls

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/probe/nettest"
	"github.com/sonde-project/sonde/probe/netx"
)

// maxAddresses bounds the addresses tried until one accepts a connection.
const maxAddresses = 8

// ControlTag marks the steps of the control handshake.
const ControlTag = "control_sni"

// Config is the test's options.
type Config struct {
	// SNI is the server name sent. OPTIONAL: the input's host.
	SNI string `option:"sni"`
	// ControlSNI is a benign server name for a second handshake to the
	// same address, without certificate verification. OPTIONAL.
	ControlSNI string `option:"control_sni"`
}

// TestKeys are the test's keys.
type TestKeys struct {
	measurement.Steps
	// SNI and ControlSNI are the names sent.
	SNI        string `json:"sni"`
	ControlSNI string `json:"control_sni,omitempty"`
	// Address is the "IP:port" handshaken with.
	Address string `json:"address"`
	// Failure is the handshake's failure (or the DNS or connect failure
	// that prevented it); null on success.
	Failure *string `json:"failure"`
	// ControlFailure is the control handshake's failure; null on success
	// or without a control.
	ControlFailure *string `json:"control_failure"`
	// Certificates describe the chain the server sent, even when it did
	// not verify.
	Certificates []Certificate `json:"certificates"`
}

// Measurer is the tls test.
type Measurer struct{}

// Name implements nettest.Measurer.
func (Measurer) Name() string { return "tls" }

// Version implements nettest.Measurer.
func (Measurer) Version() string { return "0.1.0" }

// Measure handshakes with input: "host[:port]", "tlshandshake://host:port"
// or a URL (port 443 unless it says another).
func (Measurer) Measure(ctx context.Context, env *nettest.Env, input string) (*nettest.Result, error) {
	var cfg Config
	if err := netx.DecodeOptions(env.Options, &cfg); err != nil {
		return nil, err
	}
	host, port, err := endpointOf(input)
	if err != nil {
		return nil, err
	}
	n, err := netx.FromEnv(env)
	if err != nil {
		return nil, err
	}
	tk := &TestKeys{SNI: cmpOr(cfg.SNI, host), ControlSNI: cfg.ControlSNI, Certificates: []Certificate{}}
	var controlErr error
	err = tk.handshake(ctx, n, host, port)
	if tk.Address != "" && cfg.ControlSNI != "" {
		controlErr = control(netx.WithTags(ctx, ControlTag), n, tk.Address, cfg.ControlSNI)
		tk.ControlFailure = failure.Ptr(failure.Classify(controlErr))
	}
	n.Close()
	tk.Steps = n.Steps()
	tk.Failure = failure.Ptr(failure.Classify(err))
	for _, h := range tk.TLSHandshakes {
		if len(h.Tags) == 0 || h.Tags[0] != ControlTag {
			tk.Certificates = describe(h.PeerCertificates)
		}
	}
	return &nettest.Result{TestKeys: tk, Blocking: tk.blocking(err, controlErr), Failure: failure.Of(tk.Failure)}, nil
}

// handshake connects to the first address that accepts and handshakes
// there once.
func (tk *TestKeys) handshake(ctx context.Context, n *netx.Net, host, port string) error {
	addrs, err := n.Resolver().LookupHost(ctx, host)
	for _, ip := range addrs[:min(len(addrs), maxAddresses)] {
		var conn net.Conn
		if conn, err = n.DialTCP(ctx, net.JoinHostPort(ip, port)); err != nil {
			continue
		}
		tk.Address = conn.RemoteAddr().String()
		tc, err := n.TLSHandshake(ctx, conn, netx.TLSConfig{ServerName: tk.SNI})
		if err == nil {
			tc.Close()
		}
		return err
	}
	return err
}

// control handshakes with a benign SNI, accepting any certificate: it
// only asks whether TLS gets through to that address.
func control(ctx context.Context, n *netx.Net, address, sni string) error {
	conn, err := n.DialTCP(ctx, address)
	if err != nil {
		return err
	}
	tc, err := n.TLSHandshake(ctx, conn, netx.TLSConfig{ServerName: sni, NoVerify: true})
	if err == nil {
		tc.Close()
	}
	return err
}

// blocking is the test's own reading. With a control: the SNI failed
// where the benign one passed, TLS blocking; both failed, undecided.
// Without: a reset, an EOF or a timeout during the handshake (what
// SNI-filtering middleboxes cause) is read as TLS blocking; a certificate
// error or a connect failure is undecided.
func (tk *TestKeys) blocking(err, controlErr error) measurement.Blocking {
	if err == nil {
		return measurement.NotBlocked
	}
	var fe *failure.Error
	if !asFailure(err, &fe) || fe.Operation != failure.OpTLSHandshake {
		return measurement.Blocking{}
	}
	if tk.ControlSNI != "" { // the control ran: the handshake got as far as the address
		if controlErr == nil {
			return measurement.BlockedBy(measurement.BlockingTLS)
		}
		return measurement.Blocking{}
	}
	switch fe.Failure {
	case failure.ConnectionReset, failure.EOF, failure.GenericTimeout:
		return measurement.BlockedBy(measurement.BlockingTLS)
	}
	return measurement.Blocking{}
}

// endpointOf parses the input forms into host and port.
func endpointOf(input string) (host, port string, err error) {
	s := strings.TrimPrefix(strings.TrimSpace(input), "tlshandshake://")
	bad := fmt.Errorf("input %q: want host[:port] (example.org), tlshandshake://host:port or a URL", input)
	if strings.Contains(s, "://") {
		u, perr := url.Parse(s)
		if perr != nil || u.Hostname() == "" || u.Scheme != "https" {
			return "", "", bad
		}
		return u.Hostname(), cmpOr(u.Port(), "443"), nil
	}
	if host, port, err = net.SplitHostPort(s); err != nil {
		host, port = strings.Trim(s, "[]"), "443"
	}
	if host == "" || port == "" || strings.ContainsAny(host, "/ ") {
		return "", "", bad
	}
	return host, port, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
