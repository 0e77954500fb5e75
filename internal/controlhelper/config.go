package controlhelper

import (
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/miekg/dns"
)

// Config configures a Handler. The zero value works: it measures public
// addresses only, asks the resolvers of /etc/resolv.conf, and applies the
// limits below.
type Config struct {
	// AllowPrefixes are address ranges the helper may connect to although
	// they are not publicly routable: the censorship lab's documentation
	// ranges, loopback in tests. OPTIONAL: none, so the helper connects only
	// to public addresses. Never list private or loopback ranges on a helper
	// that serves the Internet: any client could then make it connect there.
	AllowPrefixes []netip.Prefix

	// DNSServers are the resolvers the helper asks, as "host:port". The
	// helper should sit where DNS is not filtered; a resolver on loopback is
	// fine (the allow-list does not apply to the helper's own resolvers).
	// OPTIONAL: the nameservers of /etc/resolv.conf.
	DNSServers []string

	// LookupASN returns the autonomous system of an address, for the ASN of
	// each address in ip_info. OPTIONAL: every address gets AS0, as
	// oohelperd writes when its database has no answer.
	LookupASN func(netip.Addr) (asn int64, org string)

	// RootCAs verifies the certificates of the measured servers. OPTIONAL:
	// the system roots (the lab and the tests give their own CA).
	RootCAs *x509.CertPool

	// MaxConcurrency is how many requests are measured at once; a request
	// beyond it is answered 503 with Retry-After. OPTIONAL: 32.
	MaxConcurrency int
	// MaxRequestBytes bounds a request body. OPTIONAL: 64 KiB.
	MaxRequestBytes int64
	// MaxBodyBytes bounds how much of a fetched page is read (the rest is
	// not counted in body_length). OPTIONAL: 16 MiB, oohelperd's limit.
	MaxBodyBytes int64
	// MaxEndpoints bounds the (address, port) pairs connected to for one
	// request; the probe's own addresses come first. OPTIONAL: 32.
	MaxEndpoints int

	// DNSTimeout bounds the DNS lookup. OPTIONAL: 4s, as oohelperd.
	DNSTimeout time.Duration
	// StepTimeout bounds each TCP connect, TLS handshake and QUIC
	// handshake. OPTIONAL: 10s.
	StepTimeout time.Duration
	// HTTPTimeout bounds each page fetch, redirects and body included.
	// OPTIONAL: 15s, as oohelperd.
	HTTPTimeout time.Duration
	// RequestTimeout bounds the whole measurement of one request.
	// OPTIONAL: 30s.
	RequestTimeout time.Duration

	// SourceAddr is the local address the helper's connections leave
	// from, on a machine with several: it is used for destinations of its
	// family (IPv4 or IPv6) and the system chooses for the others.
	// OPTIONAL: the system chooses.
	SourceAddr netip.Addr

	// DisableQUIC turns off QUIC handshakes and HTTP/3 fetches even for
	// clients that ask for them (x_quic_enabled). OPTIONAL: QUIC is
	// measured when the client asks and the page advertises HTTP/3.
	DisableQUIC bool

	// Logger receives one debug line per request and warnings about
	// configuration. OPTIONAL: nil discards.
	Logger *slog.Logger
}

// Defaults of Config.
const (
	DefaultMaxConcurrency  = 32
	DefaultMaxRequestBytes = 64 << 10
	DefaultMaxBodyBytes    = 16 << 20
	DefaultMaxEndpoints    = 32
	DefaultDNSTimeout      = 4 * time.Second
	DefaultStepTimeout     = 10 * time.Second
	DefaultHTTPTimeout     = 15 * time.Second
	DefaultRequestTimeout  = 30 * time.Second
)

// resolvConf is where the default DNS servers come from.
var resolvConf = "/etc/resolv.conf"

// withDefaults returns c with every zero field filled, or an error saying
// which field is wrong.
func (c Config) withDefaults() (Config, error) {
	if c.SourceAddr.IsValid() {
		c.SourceAddr = c.SourceAddr.Unmap()
	}
	for _, p := range c.AllowPrefixes {
		if !p.IsValid() {
			return c, fmt.Errorf("allow-list: invalid prefix %v", p)
		}
	}
	for name, v := range map[string]int64{
		"MaxConcurrency": int64(c.MaxConcurrency), "MaxRequestBytes": c.MaxRequestBytes,
		"MaxBodyBytes": c.MaxBodyBytes, "MaxEndpoints": int64(c.MaxEndpoints),
		"DNSTimeout": int64(c.DNSTimeout), "StepTimeout": int64(c.StepTimeout),
		"HTTPTimeout": int64(c.HTTPTimeout), "RequestTimeout": int64(c.RequestTimeout),
	} {
		if v < 0 {
			return c, fmt.Errorf("%s is negative (%d): leave it zero for the default", name, v)
		}
	}
	c.MaxConcurrency = orDefault(c.MaxConcurrency, DefaultMaxConcurrency)
	c.MaxRequestBytes = orDefault(c.MaxRequestBytes, DefaultMaxRequestBytes)
	c.MaxBodyBytes = orDefault(c.MaxBodyBytes, DefaultMaxBodyBytes)
	c.MaxEndpoints = orDefault(c.MaxEndpoints, DefaultMaxEndpoints)
	c.DNSTimeout = orDefault(c.DNSTimeout, DefaultDNSTimeout)
	c.StepTimeout = orDefault(c.StepTimeout, DefaultStepTimeout)
	c.HTTPTimeout = orDefault(c.HTTPTimeout, DefaultHTTPTimeout)
	c.RequestTimeout = orDefault(c.RequestTimeout, DefaultRequestTimeout)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.LookupASN == nil {
		c.LookupASN = func(netip.Addr) (int64, string) { return 0, "" }
	}
	if len(c.DNSServers) == 0 {
		servers, err := systemDNSServers(resolvConf)
		if err != nil {
			return c, err
		}
		c.DNSServers = servers
	}
	for _, s := range c.DNSServers {
		if _, _, err := net.SplitHostPort(s); err != nil {
			return c, fmt.Errorf("DNS server %q: want host:port (e.g. 127.0.0.53:53)", s)
		}
	}
	return c, nil
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// errNoDNSServers says how to fix a machine without resolvers.
var errNoDNSServers = errors.New("no DNS servers: list them in /etc/resolv.conf or in the configuration")

func systemDNSServers(path string) ([]string, error) {
	conf, err := dns.ClientConfigFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (reading %s: %v)", errNoDNSServers, path, err)
	}
	var out []string
	for _, s := range conf.Servers {
		out = append(out, net.JoinHostPort(s, conf.Port))
	}
	if len(out) == 0 {
		return nil, errNoDNSServers
	}
	return out, nil
}
