package censor

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/sonde-project/sonde/internal/lab/sites"
)

// The kernel does what it does best: dropping (black-holing, QUIC
// blocking), redirecting (resolver hijack) and shaping (throttling).
// Everything lives in one nftables table and one tc qdisc tree inside the
// censor's namespace, gone with it.

// Table is the censor's nftables table.
const Table = "sonde_censor"

// throttleClass is the tc class (1:N) of throttle i.
func throttleClass(i int) string { return fmt.Sprintf("1:%d", 10+i) }

// throttleSet is the nft set of the flows throttle i slows down.
func throttleSet(i int) string { return fmt.Sprintf("throttle%d", i) }

// Ruleset returns the nftables ruleset for p; probeIf is the censor's
// interface towards the probe.
func (p *Policy) Ruleset(probeIf string) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	w("table ip %s {", Table)
	for i, t := range p.Throttles {
		if len(t.sni) > 0 {
			w("  set %s { type ipv4_addr . inet_service . ipv4_addr . inet_service; flags timeout; timeout 10m; size 65536; }", throttleSet(i))
		}
	}
	w("  chain prerouting {")
	w("    type nat hook prerouting priority dstnat; policy accept;")
	if len(p.Hijack) > 0 {
		// Every DNS query from the probe's network goes to the censor's resolver.
		for _, proto := range []string{"udp", "tcp"} {
			w("    iifname %q ip daddr != %s %s dport 53 dnat to %s", probeIf, sites.CensorResolver, proto, sites.CensorResolver)
		}
	}
	w("  }")
	w("  chain forward {")
	w("    type filter hook forward priority filter; policy accept;")
	for _, m := range p.Blackhole {
		for _, r := range m.rules("", "") {
			w("    %s drop", r)
		}
		for _, r := range m.rules("", "s") {
			w("    %s drop", r)
		}
	}
	for _, m := range p.QUIC {
		for _, r := range m.rules("udp", "") {
			w("    %s drop", r)
		}
	}
	w("  }")
	w("  chain postrouting {")
	w("    type filter hook postrouting priority filter; policy accept;")
	for i, t := range p.Throttles {
		if len(t.prefixes) > 0 {
			w("    oifname %q ip saddr %s meta priority set %s", probeIf, set(t.prefixes), throttleClass(i))
		}
		if len(t.sni) > 0 {
			w("    oifname %q ip daddr . tcp dport . ip saddr . tcp sport @%s meta priority set %s", probeIf, throttleSet(i), throttleClass(i))
		}
	}
	w("  }")
	w("}")
	return b.String()
}

// rules returns nft match expressions for m: on destination addresses and
// ports, or on source ones when dir is "s" (the answers). proto limits the
// ports to one protocol; "" means TCP and UDP.
func (m kernelMatch) rules(proto, dir string) []string {
	addr := "ip daddr"
	port := "dport"
	if dir == "s" {
		addr, port = "ip saddr", "sport"
	}
	var head string
	if len(m.prefixes) > 0 {
		head = addr + " " + set(m.prefixes) + " "
	}
	if len(m.ports) == 0 {
		if proto == "" {
			return []string{strings.TrimSpace(head)}
		}
		return []string{head + "meta l4proto " + proto}
	}
	protos := []string{"tcp", "udp"}
	if proto != "" {
		protos = []string{proto}
	}
	var out []string
	for _, pr := range protos {
		var ps []string
		for _, p := range m.ports {
			ps = append(ps, fmt.Sprint(p))
		}
		out = append(out, fmt.Sprintf("%s%s %s { %s }", head, pr, port, strings.Join(ps, ", ")))
	}
	return out
}

func set(prefixes []netip.Prefix) string {
	var s []string
	for _, p := range prefixes {
		s = append(s, p.String())
	}
	return "{ " + strings.Join(s, ", ") + " }"
}

// TC returns the tc commands (argument lists) that shape the probe's
// downlink for p's throttles: an HTB tree whose default class is
// unlimited and whose class 1:1N holds throttle N (nft puts packets there
// by setting their priority). Empty without throttles.
func (p *Policy) TC(probeIf string) [][]string {
	if len(p.Throttles) == 0 {
		return nil
	}
	cmds := [][]string{
		{"qdisc", "replace", "dev", probeIf, "root", "handle", "1:", "htb", "default", "1"},
		{"class", "add", "dev", probeIf, "parent", "1:", "classid", "1:1", "htb", "rate", "10gbit"},
	}
	for i, t := range p.Throttles {
		cmds = append(cmds, []string{"class", "add", "dev", probeIf, "parent", "1:", "classid", throttleClass(i),
			"htb", "rate", t.rate, "ceil", t.rate, "burst", "4k", "cburst", "4k", "quantum", "1514"})
	}
	return cmds
}

// element is the nft set element of a flow, as the postrouting rule sees
// the answers: server address and port, client address and port.
func element(k flowKey) string {
	return fmt.Sprintf("%s . %d . %s . %d", k.client.Addr(), k.client.Port(), k.server.Addr(), k.server.Port())
}
