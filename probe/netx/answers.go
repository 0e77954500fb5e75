package netx

import (
	"strings"

	"github.com/miekg/dns"

	"github.com/sonde-project/sonde/internal/measurement"
)

// Answers converts the answer section of a DNS reply into archival
// answers: A, AAAA, CNAME, NS and PTR with their data, other known types
// by name only, and HTTPS
// records with their ALPN list and address hints.
func Answers(reply *dns.Msg) []measurement.DNSAnswer {
	out := []measurement.DNSAnswer{}
	if reply == nil {
		return out
	}
	for _, rr := range reply.Answer {
		h := rr.Header()
		ttl := h.Ttl
		a := measurement.DNSAnswer{AnswerType: dns.TypeToString[h.Rrtype], TTL: &ttl}
		if a.AnswerType == "" {
			continue // a type miekg/dns does not know: nothing to say about it
		}
		switch v := rr.(type) {
		case *dns.A:
			a.IPv4 = v.A.String()
		case *dns.AAAA:
			a.IPv6 = v.AAAA.String()
		case *dns.CNAME:
			a.Hostname = v.Target
		case *dns.NS:
			a.Hostname = v.Ns
		case *dns.PTR:
			a.Hostname = v.Ptr
		case *dns.HTTPS:
			a.Hostname = v.Target
			out = append(out, svcbAnswers(a, v.Value)...)
			continue
		}
		out = append(out, a)
	}
	return out
}

// svcbAnswers records an HTTPS record as one answer with its ALPN list,
// followed by one answer per address hint (answer_type "HTTPS" with the
// hint in ipv4 or ipv6), so that address comparisons see the hints too.
func svcbAnswers(a measurement.DNSAnswer, values []dns.SVCBKeyValue) []measurement.DNSAnswer {
	var hints []measurement.DNSAnswer
	for _, kv := range values {
		switch v := kv.(type) {
		case *dns.SVCBAlpn:
			a.ALPN = append([]string{}, v.Alpn...)
		case *dns.SVCBIPv4Hint:
			for _, ip := range v.Hint {
				h := a
				h.IPv4, h.ALPN = ip.String(), nil
				hints = append(hints, h)
			}
		case *dns.SVCBIPv6Hint:
			for _, ip := range v.Hint {
				h := a
				h.IPv6, h.ALPN = ip.String(), nil
				hints = append(hints, h)
			}
		}
	}
	return append([]measurement.DNSAnswer{a}, hints...)
}

// Addresses returns the IPv4 and IPv6 addresses among answers (hints of
// HTTPS records included), without duplicates, in order.
func Addresses(answers []measurement.DNSAnswer) []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range answers {
		ip := a.IPv4 + a.IPv6
		if ip != "" && !seen[ip] {
			seen[ip] = true
			out = append(out, ip)
		}
	}
	return out
}

// ParseTypes parses a comma-separated list of query types ("A,AAAA,HTTPS").
func ParseTypes(list string) ([]uint16, error) {
	var out []uint16
	for _, name := range strings.Split(list, ",") {
		name = strings.ToUpper(strings.TrimSpace(name))
		t, ok := dns.StringToType[name]
		if !ok || name == "" {
			return nil, configErr("unknown DNS query type %q", name)
		}
		out = append(out, t)
	}
	return out, nil
}
