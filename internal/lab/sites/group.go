package sites

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/miekg/dns"
	"github.com/quic-go/quic-go/http3"
)

// Group runs servers until its context ends, then shuts them all down;
// Wait returns when every server goroutine has returned.
type Group struct {
	ctx      context.Context
	wg       sync.WaitGroup
	mu       sync.Mutex
	shutdown []func()
	errs     chan error
}

// NewGroup returns a group whose servers stop when ctx ends.
func NewGroup(ctx context.Context) *Group {
	g := &Group{ctx: ctx, errs: make(chan error, 64)}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		<-ctx.Done()
		g.mu.Lock()
		defer g.mu.Unlock()
		for _, f := range g.shutdown {
			f()
		}
	}()
	return g
}

func (g *Group) onShutdown(f func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.shutdown = append(g.shutdown, f)
}

func (g *Group) serve(what string, run func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := run(); err != nil && g.ctx.Err() == nil {
			select {
			case g.errs <- fmt.Errorf("%s: %w", what, err):
			default:
			}
		}
	}()
}

// Errors delivers errors of servers that stopped before the context ended.
func (g *Group) Errors() <-chan error { return g.errs }

// Wait waits for every server to return (after the context ends).
func (g *Group) Wait() { g.wg.Wait() }

// DNS serves h over UDP and TCP on addr (host:port).
func (g *Group) DNS(addr string, h dns.Handler) error {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return fmt.Errorf("dns server: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		pc.Close()
		return fmt.Errorf("dns server: %w", err)
	}
	for _, s := range []*dns.Server{
		{PacketConn: pc, Handler: h, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second},
		{Listener: ln, Handler: h, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second},
	} {
		s := s
		g.onShutdown(func() { _ = s.Shutdown() })
		g.serve("dns "+addr, s.ActivateAndServe)
	}
	return nil
}

// HTTP serves h on addr (host:port), over TLS when cfg is not nil; every
// connection's first answer waits delay.
func (g *Group) HTTP(addr string, h http.Handler, cfg *tls.Config, delay time.Duration) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("web server: %w", err)
	}
	var l net.Listener = distantListener{Listener: ln, delay: delay}
	if cfg != nil {
		l = tls.NewListener(l, cfg)
	}
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 30 * time.Second,
		MaxHeaderBytes: 64 << 10}
	g.onShutdown(func() { _ = s.Close() })
	g.serve("web "+addr, func() error {
		if err := s.Serve(l); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	return nil
}

// HTTP3 serves h over HTTP/3 (QUIC) on the UDP addr (host:port).
func (g *Group) HTTP3(addr string, h http.Handler, cfg *tls.Config) error {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return fmt.Errorf("http3 server: %w", err)
	}
	s := &http3.Server{Handler: h, TLSConfig: http3.ConfigureTLSConfig(cfg)}
	g.onShutdown(func() { _ = s.Close(); _ = pc.Close() })
	g.serve("http3 "+addr, func() error {
		if err := s.Serve(pc); !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			return err
		}
		return nil
	})
	return nil
}
