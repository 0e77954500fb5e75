// Package tcpconnect is the "tcpconnect" network test: it resolves a host
// and connects to each of its addresses on one port.
package tcpconnect

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

// maxAddresses bounds the addresses connected to.
const maxAddresses = 8

// Config is the test's options: it takes none.
type Config struct{}

// TestKeys are the test's keys.
type TestKeys struct {
	measurement.Steps
	// Failure is null when a connect succeeded, else the DNS failure or
	// the last connect's failure.
	Failure *string `json:"failure"`
	// Endpoint is the "host:port" measured.
	Endpoint string `json:"endpoint"`
}

// Measurer is the tcpconnect test.
type Measurer struct{}

// Name implements nettest.Measurer.
func (Measurer) Name() string { return "tcpconnect" }

// Version implements nettest.Measurer.
func (Measurer) Version() string { return "0.1.0" }

// Measure connects to input: "host:port", "tcpconnect://host:port", or
// a URL (port 80 or 443 unless it says another).
func (Measurer) Measure(ctx context.Context, env *nettest.Env, input string) (*nettest.Result, error) {
	if err := netx.DecodeOptions(env.Options, &Config{}); err != nil {
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
	tk := &TestKeys{Endpoint: net.JoinHostPort(host, port)}
	addrs, err := n.Resolver().LookupHost(ctx, host)
	for _, ip := range addrs[:min(len(addrs), maxAddresses)] {
		var conn net.Conn
		if conn, err = n.DialTCP(ctx, net.JoinHostPort(ip, port)); err == nil {
			conn.Close()
			break
		}
	}
	n.Close()
	tk.Steps = n.Steps()
	tk.Failure = failure.Ptr(failure.Classify(err))
	// A refused or timed-out connect alone cannot tell a censor from a
	// server that is down: only success is read.
	var blocking measurement.Blocking
	if err == nil {
		blocking = measurement.NotBlocked
	}
	return &nettest.Result{TestKeys: tk, Blocking: blocking, Failure: failure.Of(tk.Failure)}, nil
}

// endpointOf parses the input forms into host and port.
func endpointOf(input string) (host, port string, err error) {
	s := strings.TrimSpace(input)
	s = strings.TrimPrefix(s, "tcpconnect://")
	if strings.Contains(s, "://") {
		u, perr := url.Parse(s)
		if perr != nil || u.Hostname() == "" {
			return "", "", fmt.Errorf("input %q: not a URL", input)
		}
		host, port = u.Hostname(), u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
	} else if host, port, err = net.SplitHostPort(s); err != nil {
		return "", "", fmt.Errorf("input %q: want host:port (example.org:443), tcpconnect://host:port or a URL", input)
	}
	if host == "" || port == "" {
		return "", "", fmt.Errorf("input %q: want host:port (example.org:443), tcpconnect://host:port or a URL", input)
	}
	return host, port, nil
}
