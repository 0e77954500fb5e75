// Package quic is the "quic" network test: a QUIC handshake and an
// HTTP/3 GET of a URL.
package quic

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/probe/nettest"
	"github.com/sonde-project/sonde/probe/netx"
)

// Config is the test's options.
type Config struct {
	// SNI is the TLS server name to send instead of the URL's host.
	// OPTIONAL.
	SNI string `option:"sni"`
	// Address is an IP (or IP:port) to connect to instead of resolving
	// the host. OPTIONAL.
	Address string `option:"address"`
}

// TestKeys are the test's keys.
type TestKeys struct {
	measurement.Steps
	// Failure and FailedOperation as in the http test ("quic_handshake"
	// when QUIC did not get through).
	Failure         *string `json:"failure"`
	FailedOperation *string `json:"failed_operation"`
	StatusCode      int64   `json:"status_code"`
	Title           string  `json:"title"`
	FinalURL        string  `json:"final_url"`
}

// Measurer is the quic test.
type Measurer struct{}

// Name implements nettest.Measurer.
func (Measurer) Name() string { return "quic" }

// Version implements nettest.Measurer.
func (Measurer) Version() string { return "0.1.0" }

// Measure fetches input over HTTP/3: an https:// URL or "host[:port]"
// (the URL https://host[:port]/).
func (Measurer) Measure(ctx context.Context, env *nettest.Env, input string) (*nettest.Result, error) {
	var cfg Config
	if err := netx.DecodeOptions(env.Options, &cfg); err != nil {
		return nil, err
	}
	target, err := urlOf(input)
	if err != nil {
		return nil, err
	}
	n, err := netx.FromEnv(env)
	if err != nil {
		return nil, err
	}
	resp, err := n.HTTPGet(ctx, target, netx.HTTPOptions{HTTP3: true, SNI: cfg.SNI, Address: cfg.Address})
	n.Close()
	tk := &TestKeys{Steps: n.Steps()}
	if resp != nil {
		tk.StatusCode, tk.Title, tk.FinalURL = int64(resp.StatusCode), resp.Title, resp.URL
	}
	blocking := measurement.NotBlocked
	if err != nil {
		var fe *failure.Error
		if !errors.As(err, &fe) {
			return nil, err
		}
		tk.Failure, tk.FailedOperation = failure.Ptr(fe.Failure), failure.Ptr(fe.Operation)
		// The test's own reading: a QUIC handshake that times out is what
		// UDP or QUIC filtering looks like; anything else is undecided.
		blocking = measurement.Blocking{}
		if fe.Operation == failure.OpQUICHandshake && fe.Failure == failure.GenericTimeout {
			blocking = measurement.BlockedBy(measurement.BlockingQUIC)
		}
	}
	return &nettest.Result{TestKeys: tk, Blocking: blocking, Failure: failure.Of(tk.Failure)}, nil
}

// urlOf turns the input into an https URL.
func urlOf(input string) (string, error) {
	s := strings.TrimSpace(input)
	if !strings.Contains(s, "://") {
		if host, _, err := net.SplitHostPort(s); err != nil || host == "" {
			s = "https://" + strings.Trim(s, "[]") + "/"
			if strings.Contains(strings.Trim(input, "[]"), ":") { // a bare IPv6 address
				s = "https://[" + strings.Trim(input, "[]") + "]/"
			}
		} else {
			s = "https://" + s + "/"
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || strings.ContainsAny(u.Hostname(), " /") {
		return "", fmt.Errorf("input %q: want an https:// URL or host[:port]", input)
	}
	return u.String(), nil
}
