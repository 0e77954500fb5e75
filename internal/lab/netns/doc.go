// Package netns creates and removes the censorship lab's network: three
// Linux network namespaces (the probe host, the censor router, the
// Internet host), the veth pairs between them, a host link from the root
// namespace to the Internet host, addresses from the documentation ranges
// and the routes; it runs commands inside them and sweeps away what a
// crashed run left behind.
//
// # Design
//
// The package drives iproute2 (`ip -batch`, `ip netns exec`) rather than
// speaking netlink: iproute2, nft and tc are needed anyway (nft and tc
// have no pure-Go equivalent in the project's pinned dependencies), each
// step is a readable command that is logged and can be replayed by hand,
// and a batch per namespace keeps set-up to a handful of processes.
// `ip netns exec` also gives each command the namespace's own
// /etc/resolv.conf (from /etc/netns/NAME), so the probe's system resolver
// is the lab's public resolver.
//
// Every lab has a random ID; its namespaces are named sondelab-ID-ROLE and
// it holds an flock on /run/sonde-lab/ID.lock for as long as it lives. The
// kernel drops the lock when the process dies, even by SIGKILL, so Sweep
// can tell a live lab (lock held: left alone, so labs of concurrent test
// binaries coexist) from a dead one (lock free: its processes are killed,
// its namespaces, host link and /etc/netns files removed). Commands run in
// the lab start in their own process group with a parent-death signal, and
// Close kills every group it started before deleting the namespaces.
package netns
