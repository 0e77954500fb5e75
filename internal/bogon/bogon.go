// Package bogon says which IP addresses are not publicly routable:
// loopback, private, link-local, carrier-grade NAT, multicast, the
// documentation and benchmarking ranges and the other special-purpose
// ranges of IANA's registries. The control helper refuses to connect to
// them (unless allow-listed) and flags them in ip_info; web_connectivity
// treats a DNS answer among them as a sign of a lying resolver, as OONI's
// probes do with their "bogons".
package bogon

import "net/netip"

// specialPrefixes are IANA's special-purpose ranges (RFC 6890 and
// successors) that are not globally reachable. The checks of net/netip
// (IsLoopback, IsPrivate, …) cover part of them; this list adds the rest.
var specialPrefixes = mustPrefixes(
	"0.0.0.0/8",          // "this network"
	"100.64.0.0/10",      // carrier-grade NAT
	"192.0.0.0/24",       // IETF protocol assignments
	"192.0.2.0/24",       // TEST-NET-1
	"192.88.99.0/24",     // 6to4 relay anycast (deprecated)
	"198.18.0.0/15",      // benchmarking
	"198.51.100.0/24",    // TEST-NET-2
	"203.0.113.0/24",     // TEST-NET-3
	"240.0.0.0/4",        // reserved, and 255.255.255.255
	"64:ff9b:1::/48",     // local-use NAT64
	"100::/64",           // discard-only
	"2001::/23",          // IETF protocol assignments
	"2001:db8::/32",      // documentation
	"3fff::/20",          // documentation (RFC 9637)
	"fc00::/7",           // unique local
	"fec0::/10",          // site-local (deprecated)
	"5f00::/16",          // segment routing SIDs
	"::ffff:0:0:0/96",    // IPv4-translated
	"::/96",              // IPv4-compatible (deprecated)
	"ff00::/8",           // multicast (also IsMulticast)
	"fe80::/10",          // link-local (also IsLinkLocalUnicast)
	"::1/128",            // loopback (also IsLoopback)
	"169.254.0.0/16",     // link-local (also IsLinkLocalUnicast)
	"224.0.0.0/4",        // multicast (also IsMulticast)
	"127.0.0.0/8",        // loopback (also IsLoopback)
	"10.0.0.0/8",         // private (also IsPrivate)
	"172.16.0.0/12",      // private (also IsPrivate)
	"192.168.0.0/16",     // private (also IsPrivate)
	"255.255.255.255/32", // broadcast
)

// Addresses that embed an IPv4 address, judged by the address they embed.
var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

func mustPrefixes(list ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(list))
	for i, s := range list {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// Is reports whether addr is a bogon: not a globally routable unicast
// address. IPv4 addresses written as IPv6 (::ffff:a.b.c.d) are judged as
// IPv4; NAT64 and 6to4 addresses are judged on the IPv4 address they
// embed. An invalid address or one with a zone is a bogon.
func Is(addr netip.Addr) bool { return !isPublic(addr) }

func isPublic(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || addr.Zone() != "" {
		return false
	}
	if addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() || addr.IsMulticast() ||
		addr.IsUnspecified() || addr.IsInterfaceLocalMulticast() || addr.IsLinkLocalMulticast() {
		return false
	}
	if addr.Is6() {
		b := addr.As16()
		switch {
		case nat64Prefix.Contains(addr):
			return isPublic(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(addr):
			return isPublic(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	for _, p := range specialPrefixes {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}
