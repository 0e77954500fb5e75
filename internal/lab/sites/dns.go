package sites

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Authority answers for the lab's names with the zone it is given: A
// records for known names, no data for other types, NXDOMAIN otherwise.
type Authority struct {
	Zone map[string]netip.Addr
	TTL  uint32
}

// ServeDNS implements dns.Handler.
func (a Authority) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	if len(req.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		_ = w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	name := strings.TrimSuffix(strings.ToLower(q.Name), ".")
	addr, ok := a.Zone[name]
	switch {
	case !ok:
		m.Rcode = dns.RcodeNameError
	case q.Qtype == dns.TypeA:
		m.Answer = append(m.Answer, &dns.A{
			Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: max(a.TTL, 60)},
			A:   net.IP(addr.AsSlice()),
		})
	}
	_ = w.WriteMsg(m)
}

// Forwarder is the lab's public resolver: it asks Upstream (the lab's
// authoritative server) after Delay, the time a real recursive resolution
// takes, and relays the answer.
type Forwarder struct {
	Upstream string // host:port
	Delay    time.Duration
	Timeout  time.Duration // per upstream query; OPTIONAL: 2s
}

// ServeDNS implements dns.Handler.
func (f Forwarder) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	time.Sleep(f.Delay)
	timeout := f.Timeout
	if timeout == 0 {
		timeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c := &dns.Client{Net: "udp", Timeout: timeout}
	resp, _, err := c.ExchangeContext(ctx, req, f.Upstream)
	if err != nil {
		m := new(dns.Msg)
		m.SetRcode(req, dns.RcodeServerFailure)
		m.RecursionAvailable = true
		_ = w.WriteMsg(m)
		return
	}
	resp.Id = req.Id
	resp.Authoritative = false
	resp.RecursionAvailable = true
	_ = w.WriteMsg(resp)
}
