// Package lab runs the censorship lab: a probe host, a censor router and
// an "Internet" host in Linux network namespaces on one machine, with the
// censor following a scenario (package scenario). It is the backbone of
// sonde's end-to-end tests and of the demo.
//
//	probe 192.0.2.10 ── censor (192.0.2.1 | 198.51.100.1) ── Internet 203.0.113.0/24
//	                                                          └─ host link 198.51.100.248/30 ── root namespace
//
// Start builds it all and returns a Lab: its addresses, the lab CA the
// probe must trust (CAPath), and ways to run programs inside: RunInProbe
// (the probe), StartInInternet (the control helper, the collector),
// Command for anything else, Check for small built-in clients. Close
// tears everything down; a crashed run's leftovers are swept by the next
// Start or by `censorlab down`.
//
// # Design
//
// The lab's own programs (the Internet's servers, the censor, the checks)
// run by re-executing the current binary with a role in its environment:
// censorlab's main and the TestMain of every test binary that starts a lab
// call Child first. No separate binary has to be built before a test, and
// every child is owned: it starts in its own process group with a
// parent-death signal, reads its configuration from a pipe, stops when
// the pipe closes, and is reaped by the lab.
//
// Services that run on the host (ClickHouse, for the end-to-end tests and
// the demo) stay on loopback; Forward listens inside the Internet
// namespace and relays to them. The sockets are made by this process on a
// thread that entered the namespace (netns.Enter), so no route, address
// or firewall rule of the host changes. The host link (Addrs.HostSide)
// would carry the same traffic, but its root-side address is the same in
// every lab: with labs of several test binaries at once, the oldest
// lab's link takes the route.
//
// Nothing leaves the lab: only documentation addresses are used, no
// namespace has a route out, and the censor's nftables table and tc tree
// live and die with its namespace.
package lab
