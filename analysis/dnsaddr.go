package analysis

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/sonde-project/sonde/internal/measurement"
)

// bogon reports whether addr cannot be a public web server's address:
// private, loopback, link-local, unspecified, multicast or shared (CGNAT)
// space. The documentation ranges (192.0.2.0/24, 198.51.100.0/24,
// 203.0.113.0/24, 2001:db8::/32) are deliberately NOT bogons here: the
// censorship lab uses them as its "public" Internet.
func bogon(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	if a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsUnspecified() || a.IsMulticast() || a.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range bogonPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

var bogonPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
}

// localName reports whether host is a name that only resolves inside a
// network, for which a private address is expected.
func localName(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || !strings.Contains(host, ".") {
		return true
	}
	for _, s := range []string{".local", ".lan", ".home.arpa", ".internal", ".localhost", ".intranet", ".corp", ".home"} {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

// isIP reports whether s is an IP address literal.
func isIP(s string) bool {
	_, err := netip.ParseAddr(strings.Trim(s, "[]"))
	return err == nil
}

// answerValue is what a DNS answer says: its address or, for a CNAME,
// the name.
func answerValue(a measurement.DNSAnswer) string {
	switch {
	case a.IPv4 != "":
		return a.IPv4
	case a.IPv6 != "":
		return a.IPv6
	}
	return a.Hostname
}

// answerAddrs returns the IP addresses in the answers of queries for host
// ("" means any host), in order, without repeats.
func answerAddrs(queries []measurement.DNSQuery, host string) []string {
	var out []string
	for _, q := range queries {
		if host != "" && !sameHost(q.Hostname, host) {
			continue
		}
		for _, a := range q.Answers {
			v := a.IPv4
			if v == "" {
				v = a.IPv6
			}
			if v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// answerASNs returns the ASNs the probe recorded for its answers.
func answerASNs(queries []measurement.DNSQuery, host string) map[int64]bool {
	out := map[int64]bool{}
	for _, q := range queries {
		if host != "" && !sameHost(q.Hostname, host) {
			continue
		}
		for _, a := range q.Answers {
			if a.ASN > 0 {
				out[a.ASN] = true
			}
		}
	}
	return out
}

func sameHost(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}

// onlyIPs keeps the entries of a list that are IP addresses (the control's
// dns.addrs also lists CNAMEs).
func onlyIPs(list []string) []string {
	var out []string
	for _, s := range list {
		if isIP(s) {
			out = append(out, s)
		}
	}
	return out
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

func allBogons(addrs []string) bool {
	if len(addrs) == 0 {
		return false
	}
	for _, a := range addrs {
		if !bogon(a) {
			return false
		}
	}
	return true
}

// sortedKeys returns the keys of a map in order, for deterministic output.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
