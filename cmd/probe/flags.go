package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// listFlag collects a flag given several times; commas also separate
// values when split is set (-t dns,http).
type listFlag struct {
	values []string
	split  bool
}

func (l *listFlag) String() string { return strings.Join(l.values, ",") }

func (l *listFlag) Set(s string) error {
	if !l.split {
		l.values = append(l.values, s)
		return nil
	}
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			l.values = append(l.values, v)
		}
	}
	return nil
}

// runOptions are the flags of `probe run`.
type runOptions struct {
	tests, inputs, lists, options listFlag
	publicIPURLs, optOut          listFlag
	output                        string
	noUpload, yes, quiet, verbose bool
	collector, proxy, configDir   string
	resolver, tlsFingerprint      string
	caFile, control               string
	parallel                      int
	stepTimeout                   time.Duration
	probeCC, probeASN, network    string
}

func newRunFlags(o *runOptions, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(w)
	o.tests.split, o.optOut.split = true, true
	fs.Var(&o.tests, "t", "")
	fs.Var(&o.inputs, "i", "")
	fs.Var(&o.lists, "f", "")
	fs.StringVar(&o.output, "o", "", "")
	fs.BoolVar(&o.noUpload, "no-upload", false, "")
	fs.StringVar(&o.collector, "collector", "", "")
	fs.BoolVar(&o.yes, "yes", false, "")
	fs.Var(&o.options, "O", "")
	fs.IntVar(&o.parallel, "parallel", 4, "")
	fs.DurationVar(&o.stepTimeout, "step-timeout", 10*time.Second, "")
	fs.StringVar(&o.resolver, "resolver", "", "")
	fs.StringVar(&o.tlsFingerprint, "tls-fingerprint", "", "")
	fs.StringVar(&o.caFile, "ca-file", "", "")
	fs.StringVar(&o.control, "control", "", "")
	fs.StringVar(&o.probeCC, "probe-cc", "", "")
	fs.StringVar(&o.probeASN, "probe-asn", "", "")
	fs.StringVar(&o.network, "probe-network-name", "", "")
	fs.Var(&o.publicIPURLs, "public-ip-url", "")
	fs.StringVar(&o.proxy, "proxy", "", "")
	fs.Var(&o.optOut, "categories-opt-out", "")
	fs.StringVar(&o.configDir, "config-dir", "", "")
	fs.BoolVar(&o.quiet, "quiet", false, "")
	fs.BoolVar(&o.verbose, "v", false, "")
	fs.Usage = func() { fmt.Fprint(w, runHelp) }
	return fs
}

const runHelp = `Usage: probe run -t TEST [-i URL]... [-f LIST] -o RESULTS.jsonl [--no-upload] [options]

Measures every target with every test you name and appends one OONI
measurement per line to RESULTS.jsonl as each one finishes. Your IP address
is removed from every measurement before it is written. Stop at any time
with Ctrl-C; run the same command again to continue where it stopped.

What to measure
  -t TEST              a test to run (see "probe list"); repeat it or use commas
                       for several: -t dns,tcpconnect
  -i URL               a target; repeat for several
  -f FILE              a list of targets: a Citizen Lab test list (CSV) or a file
                       with one target per line (# starts a comment)
  -O KEY=VALUE         an option of the test (see "probe list"); with several
                       tests, name the test: -O tls.sni=example.org
  --categories-opt-out CODES
                       never measure these Citizen Lab categories (comma
                       separated, such as PORN,LGBT); applies to CSV lists and
                       to the collector's list

Where results go
  -o FILE              the results file (JSON lines); REQUIRED. An existing file
                       is continued: targets already in it are skipped
  --no-upload          keep results on this computer only
  --collector URL      the collector to upload to (default: from the config)
  --proxy URL          send uploads through a proxy: socks5://HOST:PORT or
                       http://HOST:PORT (Tor: socks5://127.0.0.1:9050)

How to measure
  --parallel N         measurements at once (default 4); more is faster, but on
                       a slow connection may turn congestion into timeouts
  --step-timeout D     deadline of each network step, such as 10s (default 10s)
  --resolver URL       the DNS resolver besides the system's:
                       udp://IP:53, tcp://IP:53, tls://HOST:853,
                       https://HOST/dns-query
  --tls-fingerprint N  the browser to look like: chrome, firefox, safari, edge,
                       ios, go (default chrome)
  --ca-file FILE       also trust the certificate authorities in this PEM file
  --control URL        the control helper that shows what sites look like from
                       outside (default: from the collector)

About you (published with every measurement)
  --probe-cc CC        your country code, such as IT (default: from the
                       collector, or ZZ: unknown)
  --probe-asn ASN      your network, such as AS30722 (default: from the
                       collector, or AS0: unknown)
  --probe-network-name NAME
                       your network's name (default: from the collector)
  --public-ip-url URL  a service that answers with your public IP address, so
                       that it can be removed from measurements; repeat for
                       IPv4 and IPv6 services. The collector tells the probe
                       your address too; without either, only the addresses of
                       this computer's own interfaces are removed

Other
  --yes                you have read "probe consent" and agree (needed once when
                       there is no terminal to ask you)
  --config-dir DIR     the probe's directory (default: $SONDE_PROBE_HOME or
                       your configuration directory)
  --quiet              no progress display, only the summary
  -v                   debug log on the error output

Times
  Measurement times are UTC by this computer's clock. When it uploads, the
  probe compares that clock with the collector's at check-in: if it is off by
  more than a minute, the times it writes are corrected and the correction is
  recorded (annotation clock_correction_seconds). With --no-upload nothing
  checks the clock: set it right (NTP), or a collector may refuse the results
  when you upload them later.

Examples
  probe run -t web_connectivity -i https://example.org/ -o results.jsonl --no-upload
  probe run -t web_connectivity -f ir.csv -o results.jsonl --collector https://collector.example.org
  jq -c '{input, test_name, blocking: .test_keys.blocking}' results.jsonl

Exit status: 0 when the run ended, 130 when stopped by Ctrl-C, 2 for a
mistake on the command line, 1 for any other error.
`

var errUsage = errors.New("usage")

// splitOptions turns -O values into options for each test: "key=value"
// goes to every test, "test.key=value" to that test only.
func splitOptions(values, tests []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, t := range tests {
		out[t] = map[string]string{}
	}
	for _, v := range values {
		key, value, ok := strings.Cut(v, "=")
		if !ok || key == "" {
			return nil, fmt.Errorf("-O %q: write KEY=VALUE", v)
		}
		if test, k, ok := strings.Cut(key, "."); ok {
			if _, chosen := out[test]; chosen {
				out[test][k] = value
				continue
			}
		}
		for _, t := range tests {
			out[t][key] = value
		}
	}
	return out, nil
}
