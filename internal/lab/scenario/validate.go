package scenario

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/sonde-project/sonde/internal/lab/sites"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
)

// Actions lists the valid rule actions.
var Actions = []string{DNSInject, DNSHijack, RST, Blockpage, Blackhole, QUICBlock, Throttle, None}

// Blockpages lists the blockpage styles.
var Blockpages = []string{"generic", "iran", "indonesia", "russia", "turkey"}

// Methods lists the blocking methods an expectation may name.
var Methods = []string{
	measurement.BlockingDNS, measurement.BlockingTCPIP, measurement.BlockingTLS,
	measurement.BlockingHTTPFailure, measurement.BlockingHTTPDiff, measurement.BlockingQUIC,
}

// fields says which match fields each action accepts; the first listed
// group must not be empty when required is true.
var fields = map[string]struct {
	allowed  []string
	required bool // at least one match field must be given
}{
	DNSInject: {[]string{"domains", "answer"}, true},
	DNSHijack: {[]string{"domains"}, true},
	RST:       {[]string{"sni", "hosts", "ports"}, true},
	Blockpage: {[]string{"hosts", "ports"}, true},
	Blackhole: {[]string{"domains", "ips", "ports"}, true},
	QUICBlock: {[]string{"domains", "ips", "ports"}, false},
	Throttle:  {[]string{"domains", "ips", "sni", "rate"}, true},
	None:      {nil, false},
}

var (
	nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	testRE = regexp.MustCompile(`^[a-z0-9_]+$`)
	rateRE = regexp.MustCompile(`^[1-9][0-9]*(bit|kbit|mbit|gbit)$`)
	ccRE   = regexp.MustCompile(`^[A-Z]{2}$`)
)

// Validate checks the whole scenario and returns every problem found, one
// per line, each naming where it is ("rules[2]: ...").
func (s *Scenario) Validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !nameRE.MatchString(s.Name) {
		add("name: %q must be lower-case letters, digits and dashes", s.Name)
	}
	if strings.TrimSpace(s.Description) == "" {
		add("description: required")
	}
	if !ccRE.MatchString(s.Country) {
		add("country: %q must be an ISO 3166 alpha-2 code (ZZ for none)", s.Country)
	} else if s.Country != "ZZ" && len(s.Sources) == 0 {
		add("sources: required: cite the public reports a country's scenario follows")
	}
	if s.Blockpage != "" && !slices.Contains(Blockpages, s.Blockpage) {
		add("blockpage: %q is not one of %s", s.Blockpage, strings.Join(Blockpages, ", "))
	}
	if len(s.Rules) == 0 {
		add("rules: required (write a single {action: none} rule for an uncensored network)")
	}
	for i, r := range s.Rules {
		for _, err := range r.validate() {
			add("rules[%d] (%s): %w", i, r.Action, err)
		}
	}
	if len(s.Targets) == 0 {
		add("targets: required")
	}
	seen := map[string]int{}
	for i, t := range s.Targets {
		key := t.TestName() + " " + t.URL
		if j, dup := seen[key]; dup {
			add("targets[%d]: %s is already targets[%d]", i, t.URL, j)
		}
		seen[key] = i
		for _, err := range t.validate() {
			add("targets[%d]: %w", i, err)
		}
	}
	return errors.Join(errs...)
}

func (r Rule) validate() []error {
	spec, ok := fields[r.Action]
	if !ok {
		return []error{fmt.Errorf("action: %q is not one of %s", r.Action, strings.Join(Actions, ", "))}
	}
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	given := map[string]bool{
		"domains": len(r.Domains) > 0, "sni": len(r.SNI) > 0, "hosts": len(r.Hosts) > 0,
		"ips": len(r.IPs) > 0, "ports": len(r.Ports) > 0, "answer": r.Answer != "", "rate": r.Rate != "",
	}
	matched := false
	for _, f := range []string{"domains", "sni", "hosts", "ips", "ports", "answer", "rate"} {
		if !given[f] {
			continue
		}
		if !slices.Contains(spec.allowed, f) {
			add("%s: not used by %s (it uses %s)", f, r.Action, orNothing(spec.allowed))
			continue
		}
		matched = matched || (f != "ports" && f != "answer" && f != "rate")
	}
	if spec.required && !matched {
		add("nothing to match: give %s", orNothing(matchFields(spec.allowed)))
	}
	if r.Action == Throttle && !given["rate"] {
		add("rate: required (for example 128kbit)")
	}
	if given["rate"] && !rateRE.MatchString(r.Rate) {
		add("rate: %q must be a number and a unit: bit, kbit, mbit or gbit", r.Rate)
	}
	for _, d := range r.Domains {
		if err := checkName(d); err != nil {
			add("domains: %w", err)
		} else if needsSite(r.Action) {
			if _, ok := sites.Lookup(d); !ok {
				add("domains: %q is not a lab site (see `censorlab sites`)", d)
			}
		}
	}
	for _, list := range [][]string{r.SNI, r.Hosts} {
		for _, d := range list {
			if err := checkName(d); err != nil {
				add("%w", err)
			}
		}
	}
	for _, ip := range r.IPs {
		if _, err := ParsePrefix(ip); err != nil {
			add("ips: %w", err)
		}
	}
	for _, p := range r.Ports {
		if p < 1 || p > 65535 {
			add("ports: %d is not a port number", p)
		}
	}
	if r.Answer != "" {
		if a, err := netip.ParseAddr(r.Answer); err != nil || !a.Is4() {
			add("answer: %q is not an IPv4 address", r.Answer)
		}
	}
	return errs
}

func needsSite(action string) bool {
	return action == Blackhole || action == QUICBlock || action == Throttle
}

func matchFields(allowed []string) []string {
	var out []string
	for _, f := range allowed {
		if f != "ports" && f != "answer" && f != "rate" {
			out = append(out, f)
		}
	}
	return out
}

func orNothing(list []string) string {
	if len(list) == 0 {
		return "nothing"
	}
	return strings.Join(list, ", ")
}

// ParsePrefix parses an IPv4 address or prefix ("203.0.113.11",
// "203.0.113.0/28").
func ParsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil && p.Addr().Is4() {
		return p.Masked(), nil
	}
	if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
		return netip.PrefixFrom(a, 32), nil
	}
	return netip.Prefix{}, fmt.Errorf("%q is not an IPv4 address or prefix", s)
}

var labelRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

func checkName(d string) error {
	if d == "" || len(d) > 253 || d != strings.ToLower(d) {
		return fmt.Errorf("%q is not a lower-case domain name", d)
	}
	for _, l := range strings.Split(d, ".") {
		if len(l) > 63 || !labelRE.MatchString(l) {
			return fmt.Errorf("%q is not a lower-case domain name", d)
		}
	}
	return nil
}

func (t Target) validate() []error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	u, err := url.Parse(t.URL)
	switch {
	case t.URL == "":
		add("url: required")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		add("url: %q is not an http or https URL", t.URL)
	default:
		if _, ok := sites.Lookup(u.Hostname()); !ok {
			add("url: %s is not a lab site (see `censorlab sites`)", u.Hostname())
		}
	}
	if t.Test != "" && !testRE.MatchString(t.Test) {
		add("test: %q is not a test name", t.Test)
	}
	b := t.Expect.Blocking
	switch {
	case !b.Decided:
		add("expect.blocking: required: false or one of %s", strings.Join(Methods, ", "))
	case b.Method != "" && !slices.Contains(Methods, b.Method):
		add("expect.blocking: %q is not false or one of %s", b.Method, strings.Join(Methods, ", "))
	}
	c := verdict.Confidence(t.Expect.Confidence)
	switch c {
	case verdict.Confirmed, verdict.Anomaly:
		if b.Decided && b.Method == "" {
			add("expect: confidence %s needs a blocking method, not false", c)
		}
	case verdict.OK:
		if b.Method != "" {
			add("expect: confidence ok contradicts blocking %q", b.Method)
		}
	case verdict.Failure:
	case "":
		add("expect.confidence: required: confirmed, anomaly, ok or failure")
	default:
		add("expect.confidence: %q is not confirmed, anomaly, ok or failure", c)
	}
	return errs
}
