package netx

import (
	"context"
	"net"
	"net/url"
	"sync"

	"github.com/miekg/dns"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
)

// Resolver resolves names and records every query in Steps.Queries.
type Resolver interface {
	// Lookup sends one query of type qtype (dns.TypeA, dns.TypeHTTPS, …)
	// for domain and returns the answers. An empty answer is the failure
	// dns_no_answer. The system resolver answers only A and AAAA.
	Lookup(ctx context.Context, domain string, qtype uint16) ([]measurement.DNSAnswer, error)
	// LookupHost returns the IPv4 and IPv6 addresses of domain (A and
	// AAAA queries in parallel); it fails only when neither has one.
	LookupHost(ctx context.Context, domain string) ([]string, error)
	// String is the resolver as given to NewResolver ("system",
	// "udp://IP:53", …).
	String() string
}

// Engines recorded in queries[].engine, as OONI names them.
const (
	EngineSystem = "golang_net_resolver"
	EngineUDP    = "udp"
	EngineTCP    = "tcp"
	EngineDoT    = "dot"
	EngineDoH    = "doh"
)

// NewResolver returns the resolver a URL names: "system" (or ""),
// "udp://IP:PORT", "tcp://IP:PORT", "tls://HOST:PORT" (DNS over TLS, port
// 853 by default) or "https://HOST/PATH" (DNS over HTTPS). A host that is
// a name is resolved with the system resolver, recorded too.
func (n *Net) NewResolver(spec string) (Resolver, error) {
	if spec == "" || spec == "system" {
		return &systemResolver{n: n}, nil
	}
	u, err := url.Parse(spec)
	if err != nil || u.Host == "" {
		return nil, configErr("resolver %q: want system, udp://IP:53, tcp://IP:53, tls://HOST:853 or https://HOST/PATH", spec)
	}
	r := &dnsResolver{n: n, spec: spec}
	switch u.Scheme {
	case "udp":
		r.engine, r.exchange = EngineUDP, n.exchangeUDP
	case "tcp":
		r.engine, r.exchange = EngineTCP, n.exchangeTCP
	case "tls", "dot":
		r.engine, r.exchange = EngineDoT, n.exchangeDoT
	case "https":
		r.engine, r.exchange = EngineDoH, n.exchangeDoH
	default:
		return nil, configErr("resolver %q: unknown scheme %q (want udp, tcp, tls or https)", spec, u.Scheme)
	}
	r.address = u.Host
	if r.engine == EngineDoH {
		r.address = spec
	} else if u.Port() == "" {
		port := "53"
		if r.engine == EngineDoT {
			port = "853"
		}
		r.address = net.JoinHostPort(u.Hostname(), port)
	}
	if r.engine == EngineUDP || r.engine == EngineTCP {
		if _, _, err := splitIPPort(r.address); err != nil {
			return nil, configErr("resolver %q: want an IP address and port", spec)
		}
	}
	return r, nil
}

// exchangeFunc sends q to address and returns the first valid reply with
// its raw bytes. onLate, when not nil, receives later replies to q (UDP).
type exchangeFunc func(ctx context.Context, address string, q *dns.Msg, onLate func(lateReply)) (*dns.Msg, []byte, error)

// lateReply is an answer that came after the first one.
type lateReply struct {
	msg *dns.Msg
	raw []byte
	at  float64
}

// dnsResolver is every resolver but the system one: queries built and
// parsed with miekg/dns.
type dnsResolver struct {
	n        *Net
	spec     string
	engine   string
	address  string // IP:port, HOST:port or the DoH URL
	exchange exchangeFunc
}

func (r *dnsResolver) String() string { return r.spec }

func (r *dnsResolver) Lookup(ctx context.Context, domain string, qtype uint16) ([]measurement.DNSAnswer, error) {
	n := r.n
	tags := tagsOf(ctx)
	ctx, cancel := n.stepContext(ctx)
	defer cancel()
	q := NewQuery(domain, qtype)
	entry := measurement.DNSQuery{
		Engine: r.engine, Hostname: domain, QueryType: dns.TypeToString[qtype], ResolverAddress: r.address,
		Tags: tags, TransactionID: n.newID(), Answers: []measurement.DNSAnswer{},
	}
	entry.T0 = n.Since(n.now())
	base := entry // the late answers' copy: entry changes below, concurrently with them
	onLate := func(l lateReply) {
		late := base
		late.Tags = append(append([]string{}, tags...), "late")
		late.T = l.at
		late.RawResponse = l.raw
		late.Rcode = int64(l.msg.Rcode)
		late.Answers = Answers(l.msg)
		late.Failure = failure.Ptr(replyFailure(l.msg, qtype))
		n.record(func(s *measurement.Steps) { s.DNSLateReplies = append(s.DNSLateReplies, late) })
	}
	// The connects and handshakes of TCP, DoT and DoH are tagged as the
	// resolver's, so readers can tell them from the measured target's.
	reply, raw, err := r.exchange(WithTags(ctx, "resolver"), r.address, q, onLate)
	entry.T = n.Since(n.now())
	var f string
	if err != nil {
		f = failure.Classify(err)
	} else {
		entry.RawResponse, entry.Rcode, entry.Answers = raw, int64(reply.Rcode), Answers(reply)
		f = replyFailure(reply, qtype)
	}
	entry.Failure = failure.Ptr(f)
	n.record(func(s *measurement.Steps) { s.Queries = append(s.Queries, entry) })
	if f != "" {
		n.log.Debug("DNS query failed", "domain", domain, "type", entry.QueryType, "resolver", r.spec, "failure", f)
		return entry.Answers, failure.New(f, failure.OpResolve, err)
	}
	return entry.Answers, nil
}

func (r *dnsResolver) LookupHost(ctx context.Context, domain string) ([]string, error) {
	return lookupHost(ctx, r, domain)
}

// NewQuery returns a recursive query for domain of type qtype, with
// EDNS(0) advertising 1232-byte answers (the DNS Flag Day size).
func NewQuery(domain string, qtype uint16) *dns.Msg {
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(domain), qtype)
	q.RecursionDesired = true
	q.SetEdns0(1232, false)
	return q
}

// replyFailure classifies a reply: its rcode, else dns_no_answer when no
// record of the asked type (or a CNAME, for CNAME queries) is there.
func replyFailure(reply *dns.Msg, qtype uint16) string {
	if f := failure.Rcode(reply.Rcode); f != "" {
		return f
	}
	for _, rr := range reply.Answer {
		if rr.Header().Rrtype == qtype {
			return ""
		}
	}
	return failure.DNSNoAnswer
}

// lookupHost queries A and AAAA in parallel and merges the addresses.
func lookupHost(ctx context.Context, r Resolver, domain string) ([]string, error) {
	if ip := net.ParseIP(domain); ip != nil {
		return []string{ip.String()}, nil
	}
	var (
		wg      sync.WaitGroup
		answers [2][]measurement.DNSAnswer
		errs    [2]error
	)
	for i, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i], errs[i] = r.Lookup(ctx, domain, qtype)
		}()
	}
	wg.Wait()
	addrs := []string{}
	for i := range answers {
		if errs[i] != nil {
			continue
		}
		for _, a := range answers[i] {
			if a.IPv4 != "" {
				addrs = append(addrs, a.IPv4)
			} else if a.IPv6 != "" {
				addrs = append(addrs, a.IPv6)
			}
		}
	}
	if len(addrs) > 0 {
		return addrs, nil
	}
	// The A failure says more (an AAAA query often has no answer).
	if errs[0] != nil {
		return nil, errs[0]
	}
	return nil, errs[1]
}
