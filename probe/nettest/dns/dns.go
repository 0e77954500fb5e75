// Package dns is the "dns" network test: it resolves a domain with one
// resolver, for several query types, and watches for injected answers.
// Over UDP it keeps listening after the first answer: a second, different
// answer to the same query is the signature of on-path DNS injection.
package dns

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	miekg "github.com/miekg/dns"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/probe/nettest"
	"github.com/sonde-project/sonde/probe/netx"
)

// Config is the test's options.
type Config struct {
	// Resolver overrides Env.Resolver ("udp://IP:53", …). OPTIONAL.
	Resolver string `option:"resolver"`
	// Types is a comma-separated list of query types. OPTIONAL:
	// "A,AAAA,HTTPS", or "A,AAAA" with the system resolver.
	Types string `option:"types"`
}

// TestKeys are the test's keys.
type TestKeys struct {
	measurement.Steps
	// Resolver is the resolver used, as a URL or "system".
	Resolver string `json:"resolver"`
	// Failure is null when some query found an address, else the failure
	// of the first query.
	Failure *string `json:"failure"`
	// Addresses are the addresses of the first answers.
	Addresses []string `json:"addresses"`
	// LateAnswersDiffer is true when an answer that came after the first
	// one to the same query differs from it (injection).
	LateAnswersDiffer bool `json:"late_answers_differ"`
	// Bogons lists the addresses of the first answers that no public
	// site has (private, loopback, link-local, …): a censor's answer.
	Bogons []string `json:"bogons"`
}

// Measurer is the dns test.
type Measurer struct{}

// Name implements nettest.Measurer.
func (Measurer) Name() string { return "dns" }

// Version implements nettest.Measurer.
func (Measurer) Version() string { return "0.1.0" }

// Measure resolves input, a domain name or a URL whose host is one.
func (Measurer) Measure(ctx context.Context, env *nettest.Env, input string) (*nettest.Result, error) {
	var cfg Config
	if err := netx.DecodeOptions(env.Options, &cfg); err != nil {
		return nil, err
	}
	domain, err := domainOf(input)
	if err != nil {
		return nil, err
	}
	ncfg := netx.ConfigFromEnv(env)
	if cfg.Resolver != "" {
		ncfg.Resolver = cfg.Resolver
	}
	n, err := netx.New(ncfg)
	if err != nil {
		return nil, err
	}
	types, err := queryTypes(cfg.Types, n.Resolver().String())
	if err != nil {
		return nil, err
	}
	results := make([][]measurement.DNSAnswer, len(types))
	errs := make([]error, len(types))
	done := make(chan int)
	for i, qtype := range types {
		go func() {
			results[i], errs[i] = n.Resolver().Lookup(ctx, domain, qtype)
			done <- i
		}()
	}
	for range types {
		<-done
	}
	n.Close() // waits for the late answers
	tk := &TestKeys{Steps: n.Steps(), Resolver: n.Resolver().String(), Addresses: []string{}, Bogons: []string{}}
	for i := range types {
		if errs[i] == nil {
			tk.Addresses = append(tk.Addresses, netx.Addresses(results[i])...)
		}
	}
	if len(tk.Addresses) == 0 {
		tk.Failure = failure.Ptr(failure.Classify(errs[0]))
	}
	for _, a := range tk.Addresses {
		if isBogon(a) {
			tk.Bogons = append(tk.Bogons, a)
		}
	}
	tk.LateAnswersDiffer = lateAnswersDiffer(tk.Queries, tk.DNSLateReplies)
	return &nettest.Result{TestKeys: tk, Blocking: tk.blocking(), Failure: failure.Of(tk.Failure)}, nil
}

// blocking is the test's own reading: injection or a bogon answer is DNS
// blocking; an answer with public addresses is not; a failure alone
// (NXDOMAIN, timeout) cannot tell a censor from a broken site.
func (tk *TestKeys) blocking() measurement.Blocking {
	switch {
	case tk.LateAnswersDiffer, len(tk.Bogons) > 0:
		return measurement.BlockedBy(measurement.BlockingDNS)
	case tk.Failure == nil:
		return measurement.NotBlocked
	}
	return measurement.Blocking{}
}

// lateAnswersDiffer compares each late answer with the first answer to
// the same query (same transaction id): other addresses or another rcode.
func lateAnswersDiffer(first, late []measurement.DNSQuery) bool {
	for _, l := range late {
		for _, q := range first {
			if q.TransactionID != l.TransactionID {
				continue
			}
			a, b := netx.Addresses(q.Answers), netx.Addresses(l.Answers)
			slices.Sort(a)
			slices.Sort(b)
			if q.Rcode != l.Rcode || !slices.Equal(a, b) {
				return true
			}
		}
	}
	return false
}

// isBogon reports an address that cannot be a public site's.
func isBogon(s string) bool {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	a = a.Unmap()
	return a.IsPrivate() || a.IsLoopback() || a.IsUnspecified() || a.IsLinkLocalUnicast() ||
		a.IsMulticast() || a.IsInterfaceLocalMulticast() || netip.MustParsePrefix("100.64.0.0/10").Contains(a) ||
		netip.MustParsePrefix("0.0.0.0/8").Contains(a) || netip.MustParsePrefix("240.0.0.0/4").Contains(a)
}

func queryTypes(list, resolver string) ([]uint16, error) {
	if list == "" {
		list = "A,AAAA,HTTPS"
		if resolver == "system" {
			list = "A,AAAA"
		}
	}
	types, err := netx.ParseTypes(list)
	if err != nil {
		return nil, fmt.Errorf("option types: %w", err)
	}
	if resolver == "system" {
		for _, t := range types {
			if t != miekg.TypeA && t != miekg.TypeAAAA {
				return nil, fmt.Errorf("option types: the system resolver answers only A and AAAA; choose a resolver with -O resolver=udp://IP:53")
			}
		}
	}
	return types, nil
}

// domainOf accepts "example.org" or "https://example.org/path".
func domainOf(input string) (string, error) {
	host := strings.TrimSpace(input)
	if strings.Contains(host, "://") {
		u, err := url.Parse(host)
		if err != nil {
			return "", fmt.Errorf("input %q: %w", input, err)
		}
		host = u.Hostname()
	}
	host = strings.TrimSuffix(host, ".")
	if host == "" || strings.ContainsAny(host, "/: ") || net.ParseIP(host) != nil {
		return "", fmt.Errorf("input %q: want a domain name such as example.org", input)
	}
	return host, nil
}
