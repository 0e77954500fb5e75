package censor

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/sonde-project/sonde/internal/lab/scenario"
	"github.com/sonde-project/sonde/internal/lab/sites"
)

// names matches a host name against a list of domains: a domain matches
// itself and its subdomains ("twitter.com" matches "www.twitter.com").
type names []string

func (n names) match(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, d := range n {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// ports matches a destination port; empty matches every port.
type ports []int

func (p ports) match(port uint16) bool { return len(p) == 0 || slices.Contains(p, int(port)) }

// Policy is a scenario compiled for the censor: what the packet engine
// watches for and what the kernel is told to do.
type Policy struct {
	Inject   []dnsInjection // dns-inject rules
	Hijack   names          // dns-hijack: names the censor's resolver answers with the blockpage
	RSTSNI   []portNames    // rst on ClientHello SNI
	RSTHost  []portNames    // rst on HTTP Host
	PageHost []portNames    // blockpage on HTTP Host
	// Kernel work.
	Blackhole []kernelMatch
	QUIC      []kernelMatch
	Throttles []throttle
	// Blockpage is the page served or injected.
	Blockpage string
}

type dnsInjection struct {
	names  names
	answer netip.Addr
}

type portNames struct {
	names names
	ports ports
}

// kernelMatch is a set of destination prefixes (every address when
// empty) and ports (every port when empty).
type kernelMatch struct {
	prefixes []netip.Prefix
	ports    ports
}

type throttle struct {
	rate     string
	prefixes []netip.Prefix
	sni      names
}

// Compile turns a validated scenario into a Policy.
func Compile(s *scenario.Scenario) (*Policy, error) {
	p := &Policy{Blockpage: BlockpageHTML(s.Blockpage)}
	for i, r := range s.Rules {
		prefixes, err := rulePrefixes(r)
		if err != nil {
			return nil, fmt.Errorf("rules[%d]: %w", i, err)
		}
		switch r.Action {
		case scenario.DNSInject:
			answer := sites.Refuser
			if r.Answer != "" {
				answer = netip.MustParseAddr(r.Answer)
			}
			p.Inject = append(p.Inject, dnsInjection{names: r.Domains, answer: answer})
		case scenario.DNSHijack:
			p.Hijack = append(p.Hijack, r.Domains...)
		case scenario.RST:
			if len(r.SNI) > 0 {
				p.RSTSNI = append(p.RSTSNI, portNames{r.SNI, r.Ports})
			}
			if len(r.Hosts) > 0 {
				p.RSTHost = append(p.RSTHost, portNames{r.Hosts, r.Ports})
			}
		case scenario.Blockpage:
			p.PageHost = append(p.PageHost, portNames{r.Hosts, r.Ports})
		case scenario.Blackhole:
			p.Blackhole = append(p.Blackhole, kernelMatch{prefixes, r.Ports})
		case scenario.QUICBlock:
			pp := r.Ports
			if len(pp) == 0 {
				pp = []int{443}
			}
			p.QUIC = append(p.QUIC, kernelMatch{prefixes, pp})
		case scenario.Throttle:
			p.Throttles = append(p.Throttles, throttle{rate: r.Rate, prefixes: prefixes, sni: r.SNI})
		case scenario.None:
		default:
			return nil, fmt.Errorf("rules[%d]: unknown action %q", i, r.Action)
		}
	}
	return p, nil
}

// rulePrefixes returns the rule's IPs and its domains' lab addresses.
func rulePrefixes(r scenario.Rule) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, ip := range r.IPs {
		p, err := scenario.ParsePrefix(ip)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if r.Action == scenario.Blackhole || r.Action == scenario.QUICBlock || r.Action == scenario.Throttle {
		for _, d := range r.Domains {
			s, ok := sites.Lookup(d)
			if !ok {
				return nil, fmt.Errorf("%s is not a lab site", d)
			}
			out = append(out, netip.PrefixFrom(s.Addr, 32))
		}
	}
	return out, nil
}

// injectFor returns the forged answer for a DNS query name, if any.
func (p *Policy) injectFor(name string) (netip.Addr, bool) {
	for _, in := range p.Inject {
		if in.names.match(name) {
			return in.answer, true
		}
	}
	return netip.Addr{}, false
}

func matchAny(list []portNames, host string, port uint16) bool {
	for _, pn := range list {
		if pn.ports.match(port) && pn.names.match(host) {
			return true
		}
	}
	return false
}

// throttleFor returns the index of the first throttle whose SNI list
// matches, or -1.
func (p *Policy) throttleFor(sni string) int {
	for i, t := range p.Throttles {
		if t.sni.match(sni) {
			return i
		}
	}
	return -1
}

// watchesTCP says whether the engine has anything to do with TCP payloads.
func (p *Policy) watchesTCP() bool {
	if len(p.RSTSNI)+len(p.RSTHost)+len(p.PageHost) > 0 {
		return true
	}
	for _, t := range p.Throttles {
		if len(t.sni) > 0 {
			return true
		}
	}
	return false
}
