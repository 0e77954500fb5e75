package controlhelper

import (
	"net"
	"net/netip"
	"sort"

	"github.com/sonde-project/sonde/internal/measurement"
)

// addrInfo is what the helper knows of one address before measuring it.
type addrInfo struct {
	addr  netip.Addr
	flags int64
}

// newIPInfo merges the addresses the probe resolved (the hosts of its
// tcp_connect endpoints) with those the helper resolved, as oohelperd
// does. An address the helper may not connect to is flagged a bogon: for
// a helper on the Internet those are exactly the non-public addresses; in
// the lab the allow-listed documentation ranges count as public, so that
// the lab's sites are measured and compared like real ones.
func (h *Handler) newIPInfo(probeEndpoints []string, resolved []netip.Addr) []addrInfo {
	flags := map[netip.Addr]int64{}
	var order []netip.Addr
	add := func(a netip.Addr, flag int64) {
		if _, ok := flags[a]; !ok {
			order = append(order, a)
		}
		flags[a] |= flag
	}
	for _, ep := range probeEndpoints {
		if ap, err := netip.ParseAddrPort(ep); err == nil {
			add(ap.Addr().Unmap(), measurement.IPFlagResolvedByProbe)
		}
	}
	for _, a := range resolved {
		add(a.Unmap(), measurement.IPFlagResolvedByTH)
	}
	out := make([]addrInfo, 0, len(order))
	for _, a := range order {
		f := flags[a]
		if !h.guard.permits(a) {
			f |= measurement.IPFlagBogon
		}
		out = append(out, addrInfo{addr: a, flags: f})
	}
	return out
}

// ipInfoMap is the "ip_info" part of the answer.
func (h *Handler) ipInfoMap(infos []addrInfo) map[string]measurement.ControlIPInfo {
	out := make(map[string]measurement.ControlIPInfo, len(infos))
	for _, info := range infos {
		asn, _ := h.cfg.LookupASN(info.addr)
		out[info.addr.String()] = measurement.ControlIPInfo{ASN: asn, Flags: info.flags}
	}
	return out
}

// endpoint is one (address, port) the helper connects to.
type endpoint struct {
	addr  netip.AddrPort
	tls   bool // also do a TLS handshake
	probe bool // the probe resolved this address
}

// String is the key of the endpoint in tcp_connect and tls_handshake:
// "192.0.2.1:443", "[2001:db8::1]:443".
func (e endpoint) String() string { return e.addr.String() }

// plan lists the endpoints to measure, as oohelperd does: the URL's port
// when it names one; otherwise 443 for https, and both 80 and 443 for
// http, since a working TLS handshake on 443 shows the address is valid
// for the domain. A TLS handshake is done on port 443 and, for https
// URLs, on the URL's port (oohelperd does TLS only on 443). Bogons are
// skipped; past max endpoints, the probe's addresses are kept first.
func plan(t *target, infos []addrInfo, max int) []endpoint {
	ports := []string{t.Port}
	if !t.Explicit && t.URL.Scheme == "http" {
		ports = []string{"80", "443"}
	}
	var out []endpoint
	for _, info := range infos {
		if info.flags&measurement.IPFlagBogon != 0 {
			continue
		}
		for _, port := range ports {
			ap, err := netip.ParseAddrPort(net.JoinHostPort(info.addr.String(), port))
			if err != nil {
				continue // ports were checked when parsing the target
			}
			out = append(out, endpoint{
				addr:  ap,
				tls:   port == "443" || (t.URL.Scheme == "https" && port == t.Port),
				probe: info.flags&measurement.IPFlagResolvedByProbe != 0,
			})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].probe != out[j].probe {
			return out[i].probe
		}
		return out[i].String() < out[j].String()
	})
	if len(out) > max {
		out = out[:max]
	}
	return out
}
