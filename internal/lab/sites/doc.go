// Package sites is the censorship lab's Internet: its address plan, its
// catalog of web sites (real names on documentation addresses, each with
// a page of its own), the lab CA, and the servers that run in the
// Internet namespace: every site over HTTP, HTTPS and HTTP/3, an
// authoritative DNS server for the lab's names and a public resolver.
//
// # Design
//
// One catalog drives everything (the DNS zone, the certificate's names,
// the addresses on the Internet host, the scenario validator), so a site
// added here exists everywhere at once. Servers answer the first bytes of
// every connection (and the resolver every query) after a delay, the
// distance to the Internet: on-path injection then wins its race as it
// does in the field, without relying on netem, which some kernels lack.
// The CA is generated for each run and never leaves the lab's directory.
package sites
