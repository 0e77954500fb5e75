package censor

import (
	"io"
	"net"
	"net/http"
	"net/netip"

	"github.com/miekg/dns"

	"github.com/sonde-project/sonde/internal/lab/sites"
)

// hijacker is the censor's own resolver, where every DNS query of the
// probe's network is redirected when a dns-hijack rule is active: blocked
// names get the blockpage address (Iran's 10.10.34.34 in the field),
// others are relayed to the resolver the probe asked for.
type hijacker struct {
	blocked   names
	blockpage netip.Addr
	upstream  dns.Handler
}

func (h hijacker) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	if len(req.Question) != 1 || !h.blocked.match(req.Question[0].Name) {
		h.upstream.ServeDNS(w, req)
		return
	}
	q := req.Question[0]
	m := new(dns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	if q.Qtype == dns.TypeA {
		m.Answer = append(m.Answer, &dns.A{
			Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300},
			A:   net.IP(h.blockpage.AsSlice()),
		})
	}
	_ = w.WriteMsg(m)
}

// blockpageHandler serves the blockpage for every request, whatever its
// Host: what the server at the blockpage address does.
func blockpageHandler(page string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page)
	})
}

// upstream relays to the lab's public resolver.
func upstream() dns.Handler {
	return sites.Forwarder{Upstream: net.JoinHostPort(sites.Resolver.String(), "53")}
}
