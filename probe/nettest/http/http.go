// Package http is the "http" network test: a GET of a URL as a browser
// does it, redirects followed and bounded, the body kept up to a limit
// and its title extracted.
package http

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/probe/nettest"
	"github.com/sonde-project/sonde/probe/netx"
)

// Config is the test's options.
type Config struct {
	// Address is an IP (or IP:port) to connect to instead of resolving
	// the URL's host. OPTIONAL.
	Address string `option:"address"`
	// SNI is the TLS server name to send instead of the URL's host.
	// OPTIONAL.
	SNI string `option:"sni"`
}

// TestKeys are the test's keys.
type TestKeys struct {
	measurement.Steps
	// Failure is the fetch's failure, null on success; FailedOperation is
	// the step that failed ("resolve", "connect", "tls_handshake",
	// "http_round_trip", "read", "http_transaction").
	Failure         *string `json:"failure"`
	FailedOperation *string `json:"failed_operation"`
	// The final response (after redirects).
	StatusCode      int64  `json:"status_code"`
	Title           string `json:"title"`
	BodyLength      int64  `json:"body_length"`
	BodyIsTruncated bool   `json:"body_is_truncated"`
	FinalURL        string `json:"final_url"`
	Redirects       int    `json:"redirects"`
}

// Measurer is the http test.
type Measurer struct{}

// Name implements nettest.Measurer.
func (Measurer) Name() string { return "http" }

// Version implements nettest.Measurer.
func (Measurer) Version() string { return "0.1.0" }

// Measure fetches input, an http:// or https:// URL.
func (Measurer) Measure(ctx context.Context, env *nettest.Env, input string) (*nettest.Result, error) {
	var cfg Config
	if err := netx.DecodeOptions(env.Options, &cfg); err != nil {
		return nil, err
	}
	if u, err := url.Parse(input); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("input %q: want an http:// or https:// URL", input)
	}
	n, err := netx.FromEnv(env)
	if err != nil {
		return nil, err
	}
	resp, err := n.HTTPGet(ctx, input, netx.HTTPOptions{Address: cfg.Address, SNI: cfg.SNI})
	n.Close()
	tk := &TestKeys{Steps: n.Steps()}
	if resp != nil {
		tk.StatusCode, tk.Title, tk.FinalURL, tk.Redirects = int64(resp.StatusCode), resp.Title, resp.URL, resp.Redirects
		tk.BodyLength, tk.BodyIsTruncated = int64(len(resp.Body)), resp.BodyTruncated
	}
	blocking := measurement.NotBlocked
	if resp != nil && resp.StatusCode >= 400 {
		blocking = measurement.Blocking{} // an error page or a blockpage: the analysis compares
	}
	if err != nil {
		var fe *failure.Error
		if !errors.As(err, &fe) {
			return nil, err // not a network failure: the URL could not be fetched at all
		}
		tk.Failure, tk.FailedOperation = failure.Ptr(fe.Failure), failure.Ptr(fe.Operation)
		blocking = blockingOf(fe)
	}
	return &nettest.Result{TestKeys: tk, Blocking: blocking, Failure: failure.Of(tk.Failure)}, nil
}

// blockingOf is the test's own reading of a failure: a reset, an EOF or
// a timeout during the TLS handshake is TLS blocking, during the request
// or the body HTTP blocking; anything else (DNS, connect, certificates)
// is undecided without a control.
func blockingOf(fe *failure.Error) measurement.Blocking {
	switch fe.Failure {
	case failure.ConnectionReset, failure.EOF, failure.GenericTimeout:
	default:
		return measurement.Blocking{}
	}
	switch fe.Operation {
	case failure.OpTLSHandshake:
		return measurement.BlockedBy(measurement.BlockingTLS)
	case failure.OpHTTPRoundTrip, failure.OpRead:
		return measurement.BlockedBy(measurement.BlockingHTTPFailure)
	}
	return measurement.Blocking{}
}
