package controlhelper

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"
)

// ErrForbiddenAddress is returned when the helper is asked to connect to an
// address that is not publicly routable (loopback, private, link-local,
// multicast, documentation, …) and not in the allow-list.
var ErrForbiddenAddress = errors.New("address is not publicly routable and not allowed")

// specialPrefixes are the ranges a control helper on the Internet must never
// connect to on behalf of a client: IANA's special-purpose registries
// (RFC 6890 and successors) minus the globally reachable ones. The checks of
// net/netip (IsLoopback, IsPrivate, …) cover part of them; this list adds
// the rest.
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

// IsPublic reports whether addr is a globally routable unicast address: one
// a control helper may connect to without an allow-list. IPv4 addresses
// written as IPv6 (::ffff:a.b.c.d) are judged as IPv4; NAT64 and 6to4
// addresses are judged on the IPv4 address they embed as well.
func IsPublic(addr netip.Addr) bool {
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
			return IsPublic(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(addr):
			return IsPublic(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	for _, p := range specialPrefixes {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// guard decides which addresses the helper may connect to.
type guard struct {
	allow []netip.Prefix
}

// permits reports whether the helper may connect to addr: a public address,
// or one inside an allow-listed prefix.
func (g guard) permits(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range g.allow {
		if p.Contains(addr) {
			return true
		}
	}
	return IsPublic(addr)
}

// check returns ErrForbiddenAddress, wrapped with the address, when addr is
// not permitted.
func (g guard) check(addr netip.Addr) error {
	if g.permits(addr) {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrForbiddenAddress, addr)
}

// control is a net.Dialer Control hook: it runs after name resolution,
// right before the socket connects, so it sees the address actually dialed
// whatever path led there (a redirect, a DNS answer, an IP literal).
func (g guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse %q", ErrForbiddenAddress, address)
	}
	return g.check(ap.Addr())
}
