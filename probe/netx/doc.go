// Package netx is the probe's instrumented network: resolvers (system,
// UDP, TCP, DNS over TLS, DNS over HTTPS), a TCP dialer, TLS handshakes
// with a browser's ClientHello (uTLS), QUIC handshakes and HTTP/1.1,
// HTTP/2 and HTTP/3 round trips. Everything done through a [Net] is
// recorded, with timings relative to the measurement start and a failure
// string from OONI's vocabulary, in the archival structures of
// internal/measurement: [Net.Steps] returns them for a test's keys.
//
// A network test makes one Net per measurement ([New] or [FromEnv]),
// does its work through it, calls [Net.Close] and puts [Net.Steps] in its
// test keys.
//
// # Design
//
// Classified once, where it fails. Each building block classifies its
// own error with failure.Classify and returns a *failure.Error carrying
// the failure string and the operation; callers further up (an HTTP round
// trip that failed in its TLS handshake) pass that error on, and
// failure.Classify returns the same string for it.
//
// Addresses, not names. DialTCP and QUICHandshake take "IP:port": a name
// is resolved through a Resolver, so that the DNS step is recorded too.
// HTTPGet resolves with the Net's resolver, or dials the address the
// caller gives (HTTPOptions.Address) while sending another SNI and Host
// — what web_connectivity and the censorship lab need.
//
// One connection per round trip. HTTPGet opens a connection for each
// request and closes it after the body: no pool hides a step, and every
// request's TCP connect, TLS handshake and transaction share a
// transaction_id.
//
// Bounded. Every step has a deadline (Config.StepTimeout), bodies are
// kept up to Config.MaxBodySize, DNS messages are read into fixed buffers
// (UDP) or bounded by their length prefix (TCP, TLS) or a byte limit
// (HTTPS), response headers are limited, redirects are bounded.
//
// Late DNS answers. A UDP resolver returns its first answer at once and
// keeps its socket open for Config.DNSLateWindow: every further answer to
// the same query is recorded in Steps.DNSLateReplies. An on-path injector
// answers first with a forged reply; the real one arrives later and lands
// there. Net.Close waits for these listeners, so a Net owns every
// goroutine it starts.
//
// TLS fingerprints. TLS over TCP goes through uTLS with a browser's
// ClientHello (Config.TLSFingerprint, default a current Chrome), so a
// censor that blocks unusual ClientHellos sees an ordinary browser. QUIC
// goes through quic-go, which uses crypto/tls: its ClientHello is Go's.
// When a browser ClientHello offers h2, HTTPGet speaks HTTP/2 (x/net/http2)
// if the server picks it.
//
// Step order. Steps are appended as they finish, except requests, which
// are kept newest first as OONI's probes do (requests[0] is the final
// response of a redirect chain).
package netx
