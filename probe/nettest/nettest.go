// Package nettest is the contract between the runner and the network
// tests: what a test is given and what it returns. Each test lives in its
// own package below this one (dns, tcpconnect, tls, http, quic,
// webconnectivity); the runner turns a test's Result into an OONI
// measurement, scrubs it and writes it.
//
// The rule of OONI's probe-cli holds: a network failure is a result, not
// a Go error. Measure returns an error only when it could not measure at
// all (bad input, a broken configuration); a refused connection, a forged
// DNS answer or a timeout are recorded in the test keys.
package nettest

import (
	"context"
	"crypto/x509"
	"log/slog"
	"time"

	"github.com/sonde-project/sonde/internal/measurement"
)

// Measurer is one network test.
type Measurer interface {
	// Name is the OONI test_name ("dns", "web_connectivity", …).
	Name() string
	// Version is the test_version, bumped when the test keys change.
	Version() string
	// Measure measures one input (a URL, a domain, an endpoint: each test
	// documents what it takes). env.Begin is the measurement start that
	// every t0/t is relative to.
	Measure(ctx context.Context, env *Env, input string) (*Result, error)
}

// Env is what a test is given besides its input. The zero value of every
// field but Begin works.
type Env struct {
	// Begin is the measurement start. REQUIRED.
	Begin time.Time
	// Logger receives debug lines. OPTIONAL: nil discards.
	Logger *slog.Logger
	// Resolver is the resolver to use besides the system one, as a URL:
	// "udp://192.0.2.53:53", "tcp://…", "tls://host:853", "https://host/dns-query",
	// or "system". OPTIONAL: system.
	Resolver string
	// TLSFingerprint names the browser ClientHello to imitate ("chrome",
	// "firefox", "safari", "edge", "ios", "go"). OPTIONAL: current Chrome.
	TLSFingerprint string
	// RootCAs verifies servers' certificates. OPTIONAL: the system roots
	// (the lab adds its own CA here).
	RootCAs *x509.CertPool
	// StepTimeout bounds each network step (one DNS query, one connect,
	// one handshake, one HTTP round trip). OPTIONAL: 10s.
	StepTimeout time.Duration
	// ControlURL is the control helper (OONI oohelperd protocol), for tests
	// that compare with an uncensored view. OPTIONAL: those tests record a
	// control_failure without it.
	ControlURL string
	// Options are test-specific settings ("-O key=value" on the command
	// line), documented by each test; a test rejects keys it does not know.
	// OPTIONAL.
	Options map[string]string
}

// Result is what a test measured.
type Result struct {
	// TestKeys become the measurement's test_keys; they must encode to a
	// JSON object.
	TestKeys any
	// Blocking is the test's own reading, for the volunteer's summary:
	// measurement.NotBlocked, measurement.BlockedBy(method), or the zero
	// value when it cannot tell. The analysis decides again from the keys.
	Blocking measurement.Blocking
	// Failure is the test's top-level failure, "" on success, for the
	// summary ("the site did not answer").
	Failure string
	// TestHelpers lists the helpers the test used (test_helpers).
	// OPTIONAL.
	TestHelpers map[string]any
}

// DefaultStepTimeout is the step deadline when Env.StepTimeout is zero.
const DefaultStepTimeout = 10 * time.Second

// Timeout returns the step deadline to use.
func (e *Env) Timeout() time.Duration {
	if e == nil || e.StepTimeout <= 0 {
		return DefaultStepTimeout
	}
	return e.StepTimeout
}

// Log returns the logger, never nil.
func (e *Env) Log() *slog.Logger {
	if e == nil || e.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Logger
}
