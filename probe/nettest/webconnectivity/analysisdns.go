package webconnectivity

import (
	"net/netip"
	"sort"

	"github.com/sonde-project/sonde/internal/bogon"
	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/probe/netx"
)

// resolverAnswer is what one resolver of the probe answered for the
// target's host.
type resolverAnswer struct {
	name    string   // "system", "udp://127.0.0.1:53", …
	addrs   []string // A and AAAA answers, in order, without duplicates
	failure string   // the lookup's failure when it found no address
}

// resolverName names the resolver of a query: "system", or the engine
// and the resolver's address ("udp://127.0.0.1:53", "dot://…"), or the
// URL of a DNS-over-HTTPS resolver.
func resolverName(q measurement.DNSQuery) string {
	switch {
	case q.Engine == netx.EngineSystem || q.Engine == "getaddrinfo" || q.Engine == "system":
		return "system"
	case q.Engine == netx.EngineDoH:
		return q.ResolverAddress
	}
	return q.Engine + "://" + q.ResolverAddress
}

// answersByResolver groups the A/AAAA/ANY queries for host by resolver,
// the system resolver first (the primary one, whose failure is
// dns_experiment_failure; without it, the first resolver is). A resolver
// failed when none of its queries found an address; its failure is then
// that of its first failed query.
func answersByResolver(host string, queries []measurement.DNSQuery) []resolverAnswer {
	var out []resolverAnswer
	index := map[string]int{}
	for _, q := range queries {
		if q.Hostname != host || (q.QueryType != "A" && q.QueryType != "AAAA" && q.QueryType != "ANY") {
			continue
		}
		name := resolverName(q)
		i, ok := index[name]
		if !ok {
			i = len(out)
			index[name] = i
			out = append(out, resolverAnswer{name: name})
		}
		r := &out[i]
		for _, a := range netx.Addresses(q.Answers) {
			if !contains(r.addrs, a) {
				r.addrs = append(r.addrs, a)
			}
		}
		if q.Failure != nil && r.failure == "" {
			r.failure = *q.Failure
		}
	}
	for i := range out {
		if len(out[i].addrs) > 0 {
			out[i].failure = ""
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name == "system" && out[j].name != "system" })
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// dnsConsistency compares the probe's answers with the control's, with
// OONI's algorithm (web_connectivity v0.4, from Measurement Kit), judging
// each resolver of the probe on its own: the answers are inconsistent as
// soon as one resolver's are. The ASN of each address comes from the
// control's ip_info. It returns nil when it cannot tell (no control, or
// the control's own lookup failed other than with NXDOMAIN).
//
// The first resolver is the primary one: a failure of another resolver
// that is not a DNS answer (a timeout to a public resolver, say) says
// nothing about the site and is ignored.
func dnsConsistency(hostIsIP bool, answers []resolverAnswer, ctrl *measurement.ControlResponse) *string {
	consistent, inconsistent := measurement.DNSConsistent, measurement.DNSInconsistent
	if hostIsIP {
		return &consistent
	}
	if ctrl == nil {
		return nil
	}
	if f := failure.Of(ctrl.DNS.Failure); f != "" && f != failure.ControlDNSNameError {
		return nil
	}
	judged := false
	for i, r := range answers {
		if r.failure != "" && i > 0 && !isDNSAnswer(r.failure) {
			continue
		}
		judged = true
		if !resolverConsistent(r, ctrl) {
			return &inconsistent
		}
	}
	if !judged {
		return nil
	}
	return &consistent
}

// isDNSAnswer reports whether a lookup failure is something a resolver
// answered (as opposed to a network failure).
func isDNSAnswer(f string) bool {
	switch f {
	case failure.DNSNXDOMAIN, failure.AndroidDNSCacheNoData, failure.DNSNoAnswer,
		failure.DNSServfail, failure.DNSRefused, failure.DNSNonRecoverable:
		return true
	}
	return false
}

func resolverConsistent(r resolverAnswer, ctrl *measurement.ControlResponse) bool {
	ctrlFailure := failure.Of(ctrl.DNS.Failure)
	switch {
	case ctrlFailure == failure.ControlDNSNameError:
		// Consistent only if the probe was told so too.
		return r.failure == failure.DNSNXDOMAIN || r.failure == failure.AndroidDNSCacheNoData
	case len(ctrl.DNS.Addrs) == 0:
		// The name exists without addresses: consistent if the probe
		// found none either.
		return r.failure == failure.DNSNoAnswer
	case r.failure != "":
		return false
	}
	// A bogon among the answers that the control did not give is a
	// censor's answer (OONI v0.5 flags bogons the same way).
	ctrlBogons := false
	for _, a := range ctrl.DNS.Addrs {
		ctrlBogons = ctrlBogons || isBogon(a, ctrl)
	}
	for _, a := range r.addrs {
		if isBogon(a, ctrl) && !ctrlBogons {
			return false
		}
	}
	// Same network (ASN) or same address: consistent.
	asns := map[int64]bool{}
	for _, a := range ctrl.DNS.Addrs {
		if asn := ctrl.IPInfo[canonical(a)].ASN; asn != 0 {
			asns[asn] = true
		}
	}
	for _, a := range r.addrs {
		if asn := ctrl.IPInfo[canonical(a)].ASN; asn != 0 && asns[asn] {
			return true
		}
		if contains(ctrl.DNS.Addrs, a) {
			return true
		}
	}
	return false
}

// isBogon trusts the control's flag when the control saw the address
// (its allow-list makes a lab's addresses public), else the probe's list.
func isBogon(addr string, ctrl *measurement.ControlResponse) bool {
	if info, ok := ctrl.IPInfo[canonical(addr)]; ok {
		return info.Flags&measurement.IPFlagBogon != 0
	}
	a, err := netip.ParseAddr(addr)
	return err == nil && bogon.Is(a)
}

// canonical writes an address as the control's ip_info keys it.
func canonical(addr string) string {
	if a, err := netip.ParseAddr(addr); err == nil {
		return a.Unmap().String()
	}
	return addr
}
