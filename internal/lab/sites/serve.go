package sites

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"
)

// Config is what the Internet namespace's servers need.
type Config struct {
	// CertPEM and KeyPEM are the sites' certificate, issued by the lab CA
	// for every name of the catalog. REQUIRED.
	CertPEM []byte `json:"cert_pem"`
	KeyPEM  []byte `json:"key_pem"`
	// Delay is how long servers wait before their first answer on a
	// connection, and the resolver before answering: the distance to the
	// Internet. OPTIONAL: 30ms. Negative means none.
	Delay time.Duration `json:"delay"`
}

func (c Config) delay() time.Duration {
	switch {
	case c.Delay < 0:
		return 0
	case c.Delay == 0:
		return 30 * time.Millisecond
	}
	return c.Delay
}

// Serve starts the lab's Internet on the addresses of the address plan
// (which must exist: run it in the Internet namespace): every site over
// HTTP, HTTPS and HTTP/3, the authoritative DNS server and the public
// resolver. They stop when ctx ends; Wait on the group for them.
func Serve(ctx context.Context, cfg Config) (*Group, error) {
	cert, err := tls.X509KeyPair(cfg.CertPEM, cfg.KeyPEM)
	if err != nil {
		return nil, fmt.Errorf("sites certificate: %w", err)
	}
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	ctx, cancel := context.WithCancel(ctx)
	g := NewGroup(ctx)
	fail := func(err error) (*Group, error) {
		cancel()
		g.Wait()
		return nil, err
	}
	if err := g.DNS(hostPort(AuthDNS.String(), 53), Authority{Zone: Zone()}); err != nil {
		return fail(err)
	}
	fwd := Forwarder{Upstream: hostPort(AuthDNS.String(), 53), Delay: cfg.delay()}
	if err := g.DNS(hostPort(Resolver.String(), 53), fwd); err != nil {
		return fail(err)
	}
	plain, secure := Handler(""), Handler(`h3=":443"; ma=86400`)
	for _, s := range Catalog {
		a := s.Addr.String()
		if err := g.HTTP(hostPort(a, 80), plain, nil, cfg.delay()); err != nil {
			return fail(err)
		}
		if err := g.HTTP(hostPort(a, 443), secure, tlsCfg.Clone(), cfg.delay()); err != nil {
			return fail(err)
		}
		if err := g.HTTP3(hostPort(a, 443), secure, tlsCfg.Clone()); err != nil {
			return fail(err)
		}
	}
	go func() { <-ctx.Done(); cancel() }()
	return g, nil
}

func hostPort(host string, port int) string { return net.JoinHostPort(host, fmt.Sprint(port)) }
