package netx

import (
	"context"
	"errors"
	"net"

	"github.com/miekg/dns"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
)

// systemResolver is Go's resolver: /etc/resolv.conf and /etc/hosts on
// Unix (the probe builds without cgo), the system's settings elsewhere.
type systemResolver struct{ n *Net }

func (r *systemResolver) String() string { return "system" }

// errSystemType is returned for a query type the system resolver cannot
// send.
var errSystemType = errors.New("netx: the system resolver answers only A and AAAA queries")

func (r *systemResolver) Lookup(ctx context.Context, domain string, qtype uint16) ([]measurement.DNSAnswer, error) {
	network := map[uint16]string{dns.TypeA: "ip4", dns.TypeAAAA: "ip6"}[qtype]
	if network == "" {
		return nil, errSystemType
	}
	return r.lookup(ctx, domain, network, dns.TypeToString[qtype])
}

// LookupHost sends one getaddrinfo-like query for both families, recorded
// as query type ANY, as OONI does for the system resolver.
func (r *systemResolver) LookupHost(ctx context.Context, domain string) ([]string, error) {
	if ip := net.ParseIP(domain); ip != nil {
		return []string{ip.String()}, nil
	}
	answers, err := r.lookup(ctx, domain, "ip", "ANY")
	if err != nil {
		return nil, err
	}
	return Addresses(answers), nil
}

func (r *systemResolver) lookup(ctx context.Context, domain, network, qtype string) ([]measurement.DNSAnswer, error) {
	n := r.n
	entry := measurement.DNSQuery{
		Engine: EngineSystem, Hostname: domain, QueryType: qtype, Tags: tagsOf(ctx),
		TransactionID: n.newID(), Answers: []measurement.DNSAnswer{},
	}
	ctx, cancel := n.stepContext(ctx)
	defer cancel()
	entry.T0 = n.Since(n.now())
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, network, domain)
	entry.T = n.Since(n.now())
	for _, a := range addrs {
		a = a.Unmap()
		if a.Is4() {
			entry.Answers = append(entry.Answers, measurement.DNSAnswer{AnswerType: "A", IPv4: a.String()})
		} else {
			entry.Answers = append(entry.Answers, measurement.DNSAnswer{AnswerType: "AAAA", IPv6: a.String()})
		}
	}
	f := failure.Classify(err)
	if err == nil && len(addrs) == 0 {
		f = failure.DNSNoAnswer
	}
	entry.Failure = failure.Ptr(f)
	n.record(func(s *measurement.Steps) { s.Queries = append(s.Queries, entry) })
	if f != "" {
		n.log.Debug("system resolver failed", "domain", domain, "failure", f)
		return entry.Answers, failure.New(f, failure.OpResolve, err)
	}
	return entry.Answers, nil
}
