package main

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"time"

	"github.com/sonde-project/sonde/internal/controlhelper"
)

const usageText = `controlhelper - the control helper of sonde, the censorship measurement network

Probes in filtered networks ask this helper what a website looks like from
an unfiltered one: its DNS answers (with the network of each address), TCP
connections to each address, the TLS handshake, and the web page (status,
headers, length, title). Comparing the two views shows how a site is
blocked. The helper speaks the protocol of OONI's test helper (oohelperd),
so OONI Probe can use it as well.

Run it on a machine whose network does not filter the web. It makes
outgoing connections to the sites probes ask about, and nothing else: it
never connects to loopback, private, link-local or other non-public
addresses, whatever a client asks, unless you list them with --allow-prefix.

Usage:
  controlhelper [flags]

Examples:
  controlhelper --listen :8080
  controlhelper --listen :443 --tls-cert /etc/sonde/th.pem --tls-key /etc/sonde/th.key
  controlhelper --listen 203.0.113.80:80 --allow-prefix 192.0.2.0/24 \
      --allow-prefix 198.51.100.0/24 --dns-server 203.0.113.53:53 --ca-file lab-ca.pem

Flags:
`

// options are the parsed flags.
type options struct {
	listen          string
	allow           []netip.Prefix
	dnsServers      []string
	maxConcurrency  int
	requestTimeout  time.Duration
	tlsCert, tlsKey string
	caFile          string
	disableQUIC     bool
	sourceAddr      netip.Addr
	logLevel        slog.Level
	maxRequestBytes int64
	maxPageBytes    int64
}

func parseFlags(args []string, stdout io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("controlhelper", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned, the usage printed below
	fs.Usage = func() {}
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080",
		"address to listen on, host:port (\":8080\" for every interface)")
	fs.Func("allow-prefix", "let the helper connect to this non-public address range, e.g. 192.0.2.0/24\n"+
		"(repeatable; for a lab or a test network only: never on a helper the Internet can reach)",
		func(s string) error {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return fmt.Errorf("want an address range such as 192.0.2.0/24: %v", err)
			}
			o.allow = append(o.allow, p.Masked())
			return nil
		})
	fs.Func("dns-server", "resolver to ask, host:port (repeatable; default: the nameservers of /etc/resolv.conf)",
		func(s string) error {
			o.dnsServers = append(o.dnsServers, s)
			return nil
		})
	fs.IntVar(&o.maxConcurrency, "max-concurrency", controlhelper.DefaultMaxConcurrency,
		"requests measured at once; more are answered 503 with Retry-After")
	fs.DurationVar(&o.requestTimeout, "request-timeout", controlhelper.DefaultRequestTimeout,
		"longest time spent on one request")
	fs.Int64Var(&o.maxRequestBytes, "max-request-bytes", controlhelper.DefaultMaxRequestBytes, "largest request accepted")
	fs.Int64Var(&o.maxPageBytes, "max-page-bytes", controlhelper.DefaultMaxBodyBytes, "most of a web page read")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "serve HTTPS with this certificate (PEM file; needs --tls-key)")
	fs.StringVar(&o.tlsKey, "tls-key", "", "private key of --tls-cert (PEM file)")
	fs.StringVar(&o.caFile, "ca-file", "", "also trust the CAs in this PEM file when checking sites (e.g. a lab's CA)")
	fs.TextVar(&o.sourceAddr, "source-addr", netip.Addr{},
		"local address the helper's connections leave from, on a machine with several (default: the system's choice)")
	fs.BoolVar(&o.disableQUIC, "disable-quic", false, "never do QUIC or HTTP/3, even for probes that ask")
	fs.TextVar(&o.logLevel, "log-level", slog.LevelInfo, "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usageText)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v (see controlhelper --help)", errUsage, err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%w: unexpected argument %q (see controlhelper --help)", errUsage, fs.Arg(0))
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return nil, fmt.Errorf("%w: --tls-cert and --tls-key go together", errUsage)
	}
	if o.maxConcurrency < 1 || o.requestTimeout <= 0 || o.maxRequestBytes < 1 || o.maxPageBytes < 1 {
		return nil, fmt.Errorf("%w: --max-concurrency, --request-timeout, --max-request-bytes and --max-page-bytes must be positive", errUsage)
	}
	return o, nil
}

// config turns the options into the helper's configuration.
func (o *options) config(logger *slog.Logger) (controlhelper.Config, error) {
	cfg := controlhelper.Config{
		AllowPrefixes:   o.allow,
		DNSServers:      o.dnsServers,
		MaxConcurrency:  o.maxConcurrency,
		RequestTimeout:  o.requestTimeout,
		MaxRequestBytes: o.maxRequestBytes,
		MaxBodyBytes:    o.maxPageBytes,
		DisableQUIC:     o.disableQUIC,
		SourceAddr:      o.sourceAddr,
		Logger:          logger,
	}
	if o.caFile != "" {
		pem, err := os.ReadFile(o.caFile)
		if err != nil {
			return cfg, fmt.Errorf("--ca-file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return cfg, fmt.Errorf("--ca-file %s: no PEM certificate in it", o.caFile)
		}
		cfg.RootCAs = pool
	}
	for _, p := range o.allow {
		if p.Bits() < 8 || p.Addr().Is6() && p.Bits() < 16 {
			return cfg, fmt.Errorf("--allow-prefix %s is too wide: list the lab's ranges one by one", p)
		}
	}
	return cfg, nil
}
