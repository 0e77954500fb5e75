// Package targettest ("targets for tests") starts real servers on loopback
// that answer, lie and misbehave, so that network code is tested against
// the real thing rather than mocks: DNS servers built on miekg/dns, a test
// certificate authority, TLS, HTTP(S) and HTTP/3 servers, and TCP servers
// that reset or hang.
//
// It is for tests only (its name ends in "test": internal/archtest forbids
// importing it outside _test.go files).
//
// Every constructor takes a [T] (any testing.TB) and registers the server's Close
// with t.Cleanup, so a test never leaks a goroutine or a socket; Close is
// also exported and may be called earlier (it is idempotent). Servers listen
// on 127.0.0.1 with a port chosen by the kernel, and expose their address as
// Addr ("127.0.0.1:PORT").
//
// # What is here
//
//   - [NewCA]: a certificate authority whose [CA.Pool] a client trusts, and
//     which issues valid, expired, wrong-name and (with [SelfSigned])
//     untrusted certificates.
//   - [NewDNSServer] with a [DNSBehavior]: [Answer] from a [Zone] (a lying
//     resolver is Answer with a forged zone), [Inject] (a fast forged answer
//     then the real one, as on-path injectors do), [Silent], [Rcode]
//     (NXDOMAIN, SERVFAIL, REFUSED). UDP and TCP on the same port;
//     [NewDoTServer] and [DoHHandler] for DNS over TLS and over HTTPS.
//   - [NewHTTPSServer] / [NewHTTPServer]: net/http servers with HTTP/1.1 and
//     HTTP/2, a certificate per name, and optional TCP resets for chosen
//     SNIs (an SNI-filtering middlebox); [NewHTTP3Server] from quic-go.
//     [Website] is a small site with a title, redirect chains and a large
//     page.
//   - [NewTCPServer] with a [TCPBehavior]: [ResetAfterClientHello],
//     [CloseAfterClientHello], [Reset], [Hang].
//   - [NewUDPBlackhole]: a UDP port that reads and never answers (QUIC and
//     DNS timeouts); [NewQUICVersionNegotiator]: a QUIC server that speaks
//     only versions the client does not; [NewQUICServer]: a bare QUIC
//     server whose TLS and QUIC settings the test chooses.
//
// # Design
//
// Behaviours are plain functions ([DNSBehavior], [TCPBehavior]) so a test
// can write its own censor in three lines; the ones here are the cases the
// project's tests share. A behaviour that waits (Inject's delay, Hang)
// watches a done channel that Close closes, so Close returns promptly and
// then waits for every goroutine it started.
package targettest

// T is what the constructors need from a test: *testing.T, *testing.B and
// *testing.F satisfy it (so does any testing.TB). Fatalf stops the test
// when a server cannot start; Cleanup registers the server's Close.
type T interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}
