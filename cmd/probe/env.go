package main

import (
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/sonde-project/sonde/probe/catalog"
	"github.com/sonde-project/sonde/probe/collectorclient"
	"github.com/sonde-project/sonde/probe/publicip"
	"github.com/sonde-project/sonde/probe/targets"
)

// fingerprints are the browsers --tls-fingerprint can imitate
// (nettest.Env.TLSFingerprint).
var fingerprints = []string{"chrome", "firefox", "safari", "edge", "ios", "go"}

// resolverSchemes are the kinds of --resolver (nettest.Env.Resolver).
var resolverSchemes = []string{"udp", "tcp", "tls", "https"}

// checkEnvOptions checks the options the tests are given.
func checkEnvOptions(o *runOptions) error {
	if o.tlsFingerprint != "" && !slices.Contains(fingerprints, o.tlsFingerprint) {
		return usagef("run: --tls-fingerprint %q: choose one of %s", o.tlsFingerprint, strings.Join(fingerprints, ", "))
	}
	if o.resolver != "" && o.resolver != "system" {
		u, err := url.Parse(o.resolver)
		if err != nil || !slices.Contains(resolverSchemes, u.Scheme) || u.Host == "" {
			return usagef("run: --resolver %q: give udp://IP:53, tcp://IP:53, tls://HOST:853, https://HOST/dns-query or system", o.resolver)
		}
	}
	if o.control != "" {
		if err := collectorclient.CheckServiceURL(o.control); err != nil {
			return usagef("run: --control: %v", err)
		}
	}
	if o.proxy != "" {
		if _, err := collectorclient.ParseProxy(o.proxy); err != nil {
			return usagef("run: %v", err)
		}
	}
	for _, u := range o.publicIPURLs.values {
		if err := publicip.CheckURL(u); err != nil {
			return usagef("run: %v", err)
		}
	}
	for _, c := range o.optOut.values {
		if !targets.CheckCategory(c) {
			return usagef("run: --categories-opt-out: %q is not a category code (such as NEWS, PORN, LGBT)", c)
		}
	}
	return nil
}

// loadRoots returns the system's trusted authorities plus those of file,
// or nil (the system's) without a file.
func loadRoots(file string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca-file %s: no PEM certificate in it", file)
	}
	return pool, nil
}

// localTargets reads -i and -f, then drops opted-out categories.
func localTargets(o *runOptions, optOut []string) ([]targets.Target, int, error) {
	ts, err := targets.FromInputs(o.inputs.values)
	if err != nil {
		return nil, 0, usagef("run: %v", err)
	}
	for _, f := range o.lists.values {
		more, err := targets.LoadFile(f)
		if err != nil {
			return nil, 0, err
		}
		ts = append(ts, more...)
	}
	kept, dropped := targets.OptOut(targets.Dedupe(ts), optOut)
	return kept, dropped, nil
}

// testNames lists the catalog's tests, sorted.
func testNames(tests map[string]catalog.Entry) []string {
	names := make([]string, 0, len(tests))
	for n := range tests {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
