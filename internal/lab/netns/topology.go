package netns

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/sonde-project/sonde/internal/lab/sites"
)

// Interfaces of the lab, by namespace. Inside a namespace names need not
// be unique on the machine; only the host link's root end does.
const (
	ProbeIf       = "eth0"   // probe: towards the censor
	CensorProbeIf = "probe0" // censor: towards the probe
	CensorInetIf  = "inet0"  // censor: towards the Internet
	InetIf        = "eth0"   // Internet: towards the censor
	InetHostIf    = "host0"  // Internet: towards the root namespace
)

// Fixed MAC addresses (locally administered), so the censor knows its
// neighbours without learning them.
var (
	ProbeMAC       = mustMAC("02:5e:00:00:00:0a")
	CensorProbeMAC = mustMAC("02:5e:00:00:00:01")
	CensorInetMAC  = mustMAC("02:5e:00:00:01:01")
	InetMAC        = mustMAC("02:5e:00:00:01:02")
)

func mustMAC(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

// Build wires the namespaces (see package sites for the address plan):
//
//	probe eth0 ── probe0 censor inet0 ── eth0 inet host0 ── slID-h (root)
//
// The probe's default route goes through the censor; the censor routes
// the Internet's /24; nothing has a route out of the lab. The probe's and
// the Internet's /etc/resolv.conf name the lab's public resolver.
func (s *Set) Build(ctx context.Context) error {
	P, C, I := s.Name(Probe), s.Name(Censor), s.Name(Inet)
	root := []string{
		fmt.Sprintf("link add %s address %s netns %s type veth peer name %s address %s netns %s",
			ProbeIf, ProbeMAC, P, CensorProbeIf, CensorProbeMAC, C),
		fmt.Sprintf("link add %s address %s netns %s type veth peer name %s address %s netns %s",
			CensorInetIf, CensorInetMAC, C, InetIf, InetMAC, I),
		fmt.Sprintf("link add %s type veth peer name %s netns %s", s.HostLink(), InetHostIf, I),
		fmt.Sprintf("addr add %s/30 dev %s", sites.HostSide, s.HostLink()),
		fmt.Sprintf("link set %s up", s.HostLink()),
	}
	if err := s.Batch(ctx, "", root); err != nil {
		return err
	}
	probe := []string{
		"link set lo up",
		fmt.Sprintf("addr add %s/%d dev %s", sites.Probe, sites.ProbeNet.Bits(), ProbeIf),
		fmt.Sprintf("link set %s up", ProbeIf),
		fmt.Sprintf("route add default via %s", sites.CensorProbe),
	}
	censor := []string{
		"link set lo up",
		fmt.Sprintf("addr add %s/32 dev lo", sites.Blockpage),
		fmt.Sprintf("addr add %s/32 dev lo", sites.CensorResolver),
		fmt.Sprintf("addr add %s/%d dev %s", sites.CensorProbe, sites.ProbeNet.Bits(), CensorProbeIf),
		fmt.Sprintf("addr add %s/%d dev %s", sites.CensorInet, sites.TransitNet.Bits(), CensorInetIf),
		fmt.Sprintf("link set %s up", CensorProbeIf),
		fmt.Sprintf("link set %s up", CensorInetIf),
		fmt.Sprintf("route add %s via %s", sites.InternetNet, sites.InetTransit),
		fmt.Sprintf("neigh replace %s lladdr %s dev %s nud permanent", sites.Probe, ProbeMAC, CensorProbeIf),
		fmt.Sprintf("neigh replace %s lladdr %s dev %s nud permanent", sites.InetTransit, InetMAC, CensorInetIf),
	}
	inet := []string{
		"link set lo up",
		fmt.Sprintf("addr add %s/%d dev %s", sites.InetTransit, sites.TransitNet.Bits(), InetIf),
		fmt.Sprintf("addr add %s/30 dev %s", sites.InetHostSide, InetHostIf),
		fmt.Sprintf("link set %s up", InetIf),
		fmt.Sprintf("link set %s up", InetHostIf),
		fmt.Sprintf("route add %s via %s", sites.ProbeNet, sites.CensorInet),
		fmt.Sprintf("route add 198.51.100.32/27 via %s", sites.CensorInet),
	}
	for _, a := range sites.InternetAddrs() {
		inet = append(inet, fmt.Sprintf("addr add %s/32 dev lo", a))
	}
	for role, lines := range map[string][]string{Probe: probe, Censor: censor, Inet: inet} {
		if err := s.Batch(ctx, role, lines); err != nil {
			return err
		}
	}
	// Forwarding on the censor only; no IPv6 anywhere (the lab is IPv4:
	// no router solicitations or DAD in the censor's capture).
	for _, r := range Roles {
		script := "for f in /proc/sys/net/ipv6/conf/*/disable_ipv6; do echo 1 > $f; done"
		if r == Censor {
			script += "; echo 1 > /proc/sys/net/ipv4/ip_forward"
		}
		if err := s.Run(ctx, r, nil, "sh", "-c", script); err != nil {
			return err
		}
	}
	resolv := fmt.Sprintf("# written by the sonde censorship lab\nnameserver %s\noptions timeout:2 attempts:2\n", sites.Resolver)
	for _, r := range []string{Probe, Inet} {
		dir := filepath.Join("/etc/netns", s.Name(r))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("lab resolv.conf: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte(resolv), 0o644); err != nil {
			return fmt.Errorf("lab resolv.conf: %w", err)
		}
	}
	return nil
}

// Leftovers lists what of lab id remains on the machine: namespaces, the
// host link, /etc/netns directories, the lock file. Empty after Close.
func Leftovers(id string) []string {
	var left []string
	for _, r := range Roles {
		name := Prefix + id + "-" + r
		for _, p := range []string{filepath.Join("/run/netns", name), filepath.Join("/etc/netns", name)} {
			if _, err := os.Stat(p); err == nil {
				left = append(left, p)
			}
		}
	}
	for _, p := range []string{filepath.Join("/sys/class/net", hostLinkName(id)), filepath.Join(LockDir, id+".lock")} {
		if _, err := os.Stat(p); err == nil {
			left = append(left, p)
		}
	}
	return left
}

// String describes the set for logs.
func (s *Set) String() string {
	var names []string
	for _, r := range Roles {
		names = append(names, s.Name(r))
	}
	return strings.Join(names, " ")
}
