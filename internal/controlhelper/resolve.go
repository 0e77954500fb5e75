package controlhelper

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/sonde-project/sonde/internal/failure"
)

// maxAddrs bounds the addresses kept from one lookup.
const maxAddrs = 64

// resolver asks the configured DNS servers for A and AAAA records with
// miekg/dns, so that it sees the response codes (NXDOMAIN, SERVFAIL,
// REFUSED, no data) that the system resolver would blur.
type resolver struct {
	servers []string
	timeout time.Duration // for the whole lookup
	source  netip.Addr    // local address, when valid
}

// lookup returns the addresses of host (ASCII, without a final dot), A
// records first. On failure the error is a *failure.Error.
func (r *resolver) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	var (
		wg      sync.WaitGroup
		answers [2]queryResult
	)
	for i, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		wg.Go(func() { answers[i] = r.query(ctx, host, qtype) })
	}
	wg.Wait()
	var addrs []netip.Addr
	seen := map[netip.Addr]bool{}
	for _, a := range answers {
		for _, ip := range a.addrs {
			if !seen[ip] && len(addrs) < maxAddrs {
				seen[ip] = true
				addrs = append(addrs, ip)
			}
		}
	}
	if len(addrs) > 0 {
		return addrs, nil
	}
	return nil, failure.New(lookupFailure(answers[0], answers[1]), failure.OpResolve, nil)
}

// lookupFailure says why neither query gave an address. NXDOMAIN wins (a
// name that does not exist has no records of any type), then a resolver
// failure, then a network failure, then "no answer".
func lookupFailure(a, aaaa queryResult) string {
	rank := func(f string) int {
		switch f {
		case failure.DNSNXDOMAIN:
			return 4
		case failure.DNSServfail, failure.DNSRefused, failure.DNSNonRecoverable:
			return 3
		case failure.DNSNoAnswer, "":
			return 1
		}
		return 2 // timeouts and other network failures
	}
	best := a.failure
	if rank(aaaa.failure) > rank(best) {
		best = aaaa.failure
	}
	if best == "" {
		return failure.DNSNoAnswer
	}
	return best
}

type queryResult struct {
	addrs   []netip.Addr
	failure string
}

// query asks each server in turn until one answers.
func (r *resolver) query(ctx context.Context, host string, qtype uint16) queryResult {
	msg := new(dns.Msg)
	msg.SetQuestion(dns.Fqdn(host), qtype)
	msg.SetEdns0(1232, false)
	var res queryResult
	for i, server := range r.servers {
		// Share what is left of the deadline among the servers left, so
		// that a dead first server does not eat the whole lookup.
		tctx, cancel := ctx, context.CancelFunc(func() {})
		if deadline, ok := ctx.Deadline(); ok {
			tctx, cancel = context.WithTimeout(ctx, time.Until(deadline)/time.Duration(len(r.servers)-i))
		}
		resp, err := exchange(tctx, msg, server, r.local(server))
		cancel()
		if err != nil {
			res.failure = failure.Classify(err)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		return decodeAnswer(resp, qtype)
	}
	return res
}

// local returns the local address to query server from, nil for the
// system's choice.
func (r *resolver) local(server string) net.Addr {
	ap, err := netip.ParseAddrPort(server)
	if !r.source.IsValid() || err != nil || ap.Addr().Unmap().Is4() != r.source.Is4() {
		return nil
	}
	return &net.UDPAddr{IP: r.source.AsSlice()}
}

// exchange sends msg over UDP and again over TCP when the answer is
// truncated.
func exchange(ctx context.Context, msg *dns.Msg, server string, local net.Addr) (*dns.Msg, error) {
	client := &dns.Client{Net: "udp", UDPSize: 1232}
	if local != nil {
		client.Dialer = &net.Dialer{LocalAddr: local}
	}
	if deadline, ok := ctx.Deadline(); ok {
		client.Timeout = time.Until(deadline)
	}
	resp, _, err := client.ExchangeContext(ctx, msg, server)
	if err == nil && resp.Truncated {
		client.Net = "tcp"
		if local != nil {
			client.Dialer = &net.Dialer{LocalAddr: &net.TCPAddr{IP: local.(*net.UDPAddr).IP}}
		}
		resp, _, err = client.ExchangeContext(ctx, msg, server)
	}
	if err != nil {
		return nil, err
	}
	return resp, nil
}

func decodeAnswer(resp *dns.Msg, qtype uint16) queryResult {
	switch resp.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return queryResult{failure: failure.DNSNXDOMAIN}
	case dns.RcodeServerFailure:
		return queryResult{failure: failure.DNSServfail}
	case dns.RcodeRefused:
		return queryResult{failure: failure.DNSRefused}
	default:
		return queryResult{failure: failure.DNSNonRecoverable}
	}
	var res queryResult
	for _, rr := range resp.Answer {
		var ip netip.Addr
		switch v := rr.(type) {
		case *dns.A:
			if qtype == dns.TypeA {
				ip, _ = netip.AddrFromSlice(v.A.To4())
			}
		case *dns.AAAA:
			if qtype == dns.TypeAAAA {
				ip, _ = netip.AddrFromSlice(v.AAAA.To16())
			}
		}
		if ip.IsValid() {
			res.addrs = append(res.addrs, ip.Unmap())
		}
	}
	if len(res.addrs) == 0 {
		res.failure = failure.DNSNoAnswer
	}
	return res
}
