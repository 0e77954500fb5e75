package sites

import "net/netip"

// The lab's address plan. Every address comes from the documentation
// ranges of RFC 5737 and exists only inside the lab's namespaces:
//
//	192.0.2.0/24       the probe's network: the probe and the censor router
//	198.51.100.0/28    the censor router's link to the Internet namespace
//	198.51.100.32/27   addresses of the censor itself (blockpage, its resolver)
//	198.51.100.248/30  the host link: the root namespace and the Internet namespace
//	203.0.113.0/24     the Internet: DNS, sites, control helper, collector
var (
	ProbeNet    = netip.MustParsePrefix("192.0.2.0/24")
	Probe       = netip.MustParseAddr("192.0.2.10")
	CensorProbe = netip.MustParseAddr("192.0.2.1") // the probe's gateway

	TransitNet  = netip.MustParsePrefix("198.51.100.0/28")
	CensorInet  = netip.MustParseAddr("198.51.100.1")
	InetTransit = netip.MustParseAddr("198.51.100.2")

	// Blockpage is the censor's blockpage server. It stands in for Iran's
	// 10.10.34.34, which the lab cannot use (private range).
	Blockpage = netip.MustParseAddr("198.51.100.34")
	// CensorResolver is the censor's own resolver, where hijacked DNS
	// queries are redirected.
	CensorResolver = netip.MustParseAddr("198.51.100.53")

	HostLinkNet = netip.MustParsePrefix("198.51.100.248/30")
	// HostSide is the root namespace's end of the host link: services the
	// lab's processes must reach on the host may listen here (the same in
	// every lab: with concurrent labs, prefer lab.Lab.Forward).
	HostSide = netip.MustParseAddr("198.51.100.249")
	// InetHostSide is the Internet namespace's end of the host link: the
	// host reaches services of the Internet namespace here.
	InetHostSide = netip.MustParseAddr("198.51.100.250")

	InternetNet = netip.MustParsePrefix("203.0.113.0/24")
	// AuthDNS is the authoritative server of every lab name.
	AuthDNS = netip.MustParseAddr("203.0.113.2")
	// Resolver is the public resolver the probe uses (think 8.8.8.8).
	Resolver = netip.MustParseAddr("203.0.113.53")
	// Control and Collector are reserved for the control helper and the
	// collector, which the end-to-end harness starts in the Internet
	// namespace.
	Control   = netip.MustParseAddr("203.0.113.100")
	Collector = netip.MustParseAddr("203.0.113.101")
	// Refuser refuses every connection (TCP RST, ICMP port unreachable):
	// the default address in forged DNS answers, so that a probe fails
	// fast instead of waiting for a timeout.
	Refuser = netip.MustParseAddr("203.0.113.250")
)

// Infrastructure names, resolvable in the lab like the sites.
const (
	ControlName   = "control.sonde.test"
	CollectorName = "collector.sonde.test"
	ResolverName  = "dns.sonde.test"
	AuthDNSName   = "ns1.sonde.test"
)

// Zone maps every name the lab's authoritative server knows to its
// address: the sites and the infrastructure.
func Zone() map[string]netip.Addr {
	z := map[string]netip.Addr{
		ControlName: Control, CollectorName: Collector,
		ResolverName: Resolver, AuthDNSName: AuthDNS,
	}
	for _, s := range Catalog {
		for _, n := range s.Names() {
			z[n] = s.Addr
		}
	}
	return z
}

// InternetAddrs lists the addresses the Internet namespace owns.
func InternetAddrs() []netip.Addr {
	a := []netip.Addr{AuthDNS, Resolver, Control, Collector, Refuser}
	for _, s := range Catalog {
		a = append(a, s.Addr)
	}
	return a
}
