// Package controlhelper is the control helper: from an uncensored vantage
// point it answers "what does this URL look like from here". Given a URL
// and the addresses the probe resolved, it resolves the name, connects to
// every address, does the TLS handshake, fetches the page (and, when asked
// and advertised, does QUIC handshakes and an HTTP/3 fetch), and answers in
// the JSON protocol of OONI's test helper, oohelperd. OONI's probes can
// therefore use a sonde helper and sonde's probes can use OONI's.
//
// The collector mounts a [Handler] (see [Handler.Mount]); cmd/controlhelper
// runs one on its own.
//
// # Design
//
// The protocol is oohelperd's, field for field, including its quirks: the
// "dns", "tcp_connect" and "http_request" parts carry the failure names of
// OONI's first helper (dns_name_error, connect_error, …; see legacy.go),
// an HTTP failure reports status and body length -1, a plain-http URL is
// also tried on port 443 to learn whether each address is valid for the
// domain (ip_info flag 8), and "quic_handshake" / "http3_request" are
// always written. Two deliberate differences: a TLS handshake is also done
// on an https URL's explicit port (oohelperd does TLS only on 443), and
// the HTTP/3 fetch requests the URL's path rather than "/".
//
// A helper that connects wherever a client asks is an open door into the
// network it runs in (SSRF). Every connection therefore goes through a
// guard: an address that is not publicly routable (loopback, private,
// link-local, CGNAT, multicast, documentation and other special ranges) is
// refused unless it falls inside Config.AllowPrefixes. The guard is applied
// when planning (such addresses are flagged bogons in ip_info and not
// connected to, as oohelperd does with bogons), when the page fetch dials
// (after its own DNS lookup, so a DNS answer or a redirect cannot lead
// elsewhere), and at the socket itself through net.Dialer.Control, which
// sees the address actually connected to whatever path led there. The
// helper's own resolvers are configuration, not client input, and are
// exempt.
//
// Work is bounded everywhere: the request body (64 KiB), the number of
// endpoints (32) and of addresses kept from DNS (64), the page read (16 MiB,
// of which only the first MiB stays in memory to find the title), response
// headers (256 KiB), redirects (10), a deadline per step and per request,
// at most 8 connections at once per request, and at most MaxConcurrency
// requests at once: one more is answered 503 with Retry-After rather than
// queued, so a flood cannot pile up goroutines or sockets.
//
// DNS goes through miekg/dns rather than the system resolver, so that the
// answer distinguishes NXDOMAIN, SERVFAIL, REFUSED and "no data" as
// oohelperd does. The page is fetched from the addresses that lookup found,
// so the DNS answer and the fetch agree.
package controlhelper
