package lab

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// Listen opens a listener inside host's namespace, served by this
// process: for servers of the harness that programs in the lab must
// reach. The caller closes it.
func (l *Lab) Listen(h Host, network, addr string) (net.Listener, error) {
	var ln net.Listener
	err := l.set.Do(string(h), func() (err error) {
		ln, err = net.Listen(network, addr)
		return err
	})
	if err != nil && ln != nil {
		ln.Close()
		ln = nil
	}
	return ln, err
}

// Dial connects from inside host's namespace to addr, a literal
// ip:port (names are not resolved): how this process, in the root
// namespace, talks to a server of the lab.
func (l *Lab) Dial(ctx context.Context, h Host, network, addr string) (net.Conn, error) {
	if _, err := netip.ParseAddrPort(addr); err != nil {
		return nil, fmt.Errorf("lab dial: %q is not a literal ip:port: %w", addr, err)
	}
	var c net.Conn
	err := l.set.Do(string(h), func() (err error) {
		var d net.Dialer
		c, err = d.DialContext(ctx, network, addr)
		return err
	})
	if err != nil && c != nil {
		c.Close()
		c = nil
	}
	return c, err
}

// HTTPClient returns a client whose connections start inside host's
// namespace and trust the lab CA. URLs name literal addresses, or lab
// names listed in resolve (name → address), since nothing resolves
// names here.
func (l *Lab) HTTPClient(h Host, resolve map[string]netip.Addr) *http.Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if a, ok := resolve[host]; ok {
				addr = net.JoinHostPort(a.String(), port)
			}
			return l.Dial(ctx, h, network, addr)
		},
		TLSClientConfig:       &tls.Config{RootCAs: l.ca.Pool()},
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: time.Minute}
}

// Forward listens on listen inside host's namespace and relays every
// connection to to, dialed from this process's own namespace: how a
// program in the lab reaches a server on the host (ClickHouse on
// 127.0.0.1) without a route out of the lab. It returns the address
// listened on; Close stops it. The lab's host link would do the same,
// but its root-side address is the same for every lab, so it is not
// usable when labs of several test binaries run at once.
func (l *Lab) Forward(h Host, listen, to string) (net.Addr, error) {
	ln, err := l.Listen(h, "tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("lab forward %s → %s: %w", listen, to, err)
	}
	f := &forwarder{ln: ln, to: to, conns: map[net.Conn]bool{}}
	l.mu.Lock()
	if l.closing {
		l.mu.Unlock()
		ln.Close()
		return nil, errors.New("lab forward: lab closed")
	}
	l.forwarders = append(l.forwarders, f)
	l.mu.Unlock()
	f.wg.Add(1)
	go f.serve()
	return ln.Addr(), nil
}

// forwarder relays connections accepted in the lab to an address on the
// host. Its goroutines are owned by it and waited for by close.
type forwarder struct {
	ln    net.Listener
	to    string
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]bool
	done  bool
}

func (f *forwarder) serve() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.wg.Add(1)
		go f.relay(c)
	}
}

func (f *forwarder) track(c net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done {
		c.Close()
		return false
	}
	f.conns[c] = true
	return true
}

func (f *forwarder) relay(in net.Conn) {
	defer f.wg.Done()
	if !f.track(in) {
		return
	}
	out, err := net.DialTimeout("tcp", f.to, 10*time.Second)
	if err != nil {
		in.Close()
		return
	}
	if !f.track(out) {
		in.Close()
		return
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // owned by relay, which waits for it
		defer wg.Done()
		_, _ = io.Copy(out, in)
		out.(*net.TCPConn).CloseWrite()
	}()
	_, _ = io.Copy(in, out)
	in.(*net.TCPConn).CloseWrite()
	wg.Wait()
	in.Close()
	out.Close()
	f.mu.Lock()
	delete(f.conns, in)
	delete(f.conns, out)
	f.mu.Unlock()
}

// close stops accepting, cuts the connections in flight and waits for
// every goroutine.
func (f *forwarder) close() {
	f.ln.Close()
	f.mu.Lock()
	f.done = true
	for c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

// IssueCert returns a certificate and key (PEM) for names and addrs,
// signed by the lab CA: for servers the harness runs in the lab, such as
// the collector at sites.CollectorName.
func (l *Lab) IssueCert(names []string, addrs []netip.Addr) (certPEM, keyPEM []byte, err error) {
	if len(names) == 0 {
		return nil, nil, errors.New("lab certificate: no name")
	}
	return l.ca.Issue(names, addrs)
}
