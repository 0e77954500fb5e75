package netx

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/probe/nettest"
)

// Defaults of Config.
const (
	DefaultStepTimeout   = nettest.DefaultStepTimeout
	DefaultMaxBodySize   = 1 << 19
	DefaultDNSLateWindow = time.Second
	DefaultMaxRedirects  = 10
	// maxEvents bounds network_events per Net: reads and writes of a
	// large body would otherwise grow them without end.
	maxEvents = 512
)

// Config is what a Net needs. The zero value works.
type Config struct {
	// Begin is the measurement start that every t0 and t is relative to.
	// OPTIONAL: the time New is called.
	Begin time.Time
	// Logger receives debug lines. OPTIONAL: nil discards.
	Logger *slog.Logger
	// StepTimeout bounds each step (a DNS query, a connect, a handshake,
	// an HTTP round trip with its body). OPTIONAL: DefaultStepTimeout.
	StepTimeout time.Duration
	// RootCAs verifies servers' certificates. OPTIONAL: the system roots.
	RootCAs *x509.CertPool
	// TLSFingerprint names the ClientHello to imitate; see Fingerprints.
	// OPTIONAL: "chrome".
	TLSFingerprint string
	// Resolver is the resolver for names, as a URL ("udp://IP:53",
	// "tcp://IP:53", "tls://HOST:853", "https://HOST/dns-query") or
	// "system". OPTIONAL: "system".
	Resolver string
	// MaxBodySize bounds the HTTP response body kept. OPTIONAL:
	// DefaultMaxBodySize.
	MaxBodySize int64
	// DNSLateWindow is how long a UDP resolver listens for more answers
	// after the first one. OPTIONAL: DefaultDNSLateWindow; negative: not
	// at all.
	DNSLateWindow time.Duration
	// Now is the clock. OPTIONAL: time.Now.
	Now func() time.Time
}

// Net is one measurement's instrumented network. It is safe for
// concurrent use.
type Net struct {
	cfg         Config
	log         *slog.Logger
	fingerprint fingerprint
	resolver    Resolver

	nextID atomic.Int64
	late   sync.WaitGroup // UDP resolvers still listening for late answers

	mu     sync.Mutex
	steps  measurement.Steps
	events int
}

// ErrConfig is wrapped by the errors of New for a configuration it
// cannot use.
var ErrConfig = errors.New("netx: bad configuration")

// New returns a Net. It fails on an unknown TLS fingerprint or a resolver
// URL it cannot use.
func New(cfg Config) (*Net, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Begin.IsZero() {
		cfg.Begin = cfg.Now()
	}
	if cfg.StepTimeout <= 0 {
		cfg.StepTimeout = DefaultStepTimeout
	}
	if cfg.MaxBodySize <= 0 {
		cfg.MaxBodySize = DefaultMaxBodySize
	}
	if cfg.DNSLateWindow == 0 {
		cfg.DNSLateWindow = DefaultDNSLateWindow
	}
	n := &Net{cfg: cfg, log: cfg.Logger}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	fp, err := lookupFingerprint(cfg.TLSFingerprint)
	if err != nil {
		return nil, err
	}
	n.fingerprint = fp
	if n.resolver, err = n.NewResolver(cfg.Resolver); err != nil {
		return nil, err
	}
	return n, nil
}

// FromEnv returns a Net configured from a test's environment: its
// measurement start, logger, step timeout, roots, fingerprint and
// resolver.
func FromEnv(env *nettest.Env) (*Net, error) {
	return New(ConfigFromEnv(env))
}

// ConfigFromEnv returns the Config that FromEnv uses, for a test that
// changes a field before calling New.
func ConfigFromEnv(env *nettest.Env) Config {
	return Config{
		Begin:          env.Begin,
		Logger:         env.Log(),
		StepTimeout:    env.Timeout(),
		RootCAs:        env.RootCAs,
		TLSFingerprint: env.TLSFingerprint,
		Resolver:       env.Resolver,
	}
}

// Resolver returns the resolver of Config.Resolver.
func (n *Net) Resolver() Resolver { return n.resolver }

// Close waits until the UDP resolvers stop listening for late answers
// (at most Config.DNSLateWindow after their first answer). Call it before
// Steps when late answers matter.
func (n *Net) Close() error {
	n.late.Wait()
	return nil
}

// Steps returns a copy of what has been recorded so far.
func (n *Net) Steps() measurement.Steps {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.steps
	s.Queries = clone(s.Queries)
	s.TCPConnect = clone(s.TCPConnect)
	s.TLSHandshakes = clone(s.TLSHandshakes)
	s.QUICHandshakes = clone(s.QUICHandshakes)
	s.Requests = clone(s.Requests)
	s.NetworkEvents = clone(s.NetworkEvents)
	s.DNSLateReplies = clone(s.DNSLateReplies)
	return s
}

// clone copies a list, keeping nil as nil and an empty list empty, so
// that JSON shows [] for "none" and omits nothing by accident.
func clone[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return append(make([]T, 0, len(s)), s...)
}

// Since returns OONI's float seconds from the measurement start to at.
func (n *Net) Since(at time.Time) float64 { return measurement.T(n.cfg.Begin, at) }

func (n *Net) now() time.Time { return n.cfg.Now() }

func (n *Net) newID() int64 { return n.nextID.Add(1) }

// stepContext bounds one step by the step timeout.
func (n *Net) stepContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, n.cfg.StepTimeout)
}

// record appends under the lock.
func (n *Net) record(f func(s *measurement.Steps)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	f(&n.steps)
}

// event records a network event, up to maxEvents.
func (n *Net) event(ev measurement.NetworkEvent) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.events >= maxEvents {
		return
	}
	n.events++
	n.steps.NetworkEvents = append(n.steps.NetworkEvents, ev)
}

type tagsKey struct{}

// WithTags returns a context whose steps are recorded with tags added to
// their "tags" list: a test marks the steps of one phase ("control_sni",
// "resolver") so readers can tell them apart.
func WithTags(ctx context.Context, tags ...string) context.Context {
	old, _ := ctx.Value(tagsKey{}).([]string)
	return context.WithValue(ctx, tagsKey{}, append(append([]string{}, old...), tags...))
}

// tagsOf returns the tags of ctx, never nil (OONI writes [] rather than
// null).
func tagsOf(ctx context.Context) []string {
	if t, ok := ctx.Value(tagsKey{}).([]string); ok {
		return t
	}
	return []string{}
}

func configErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
}
