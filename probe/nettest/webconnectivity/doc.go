// Package webconnectivity is the web_connectivity test: it loads a URL the
// way a browser would, asks a control helper (OONI's oohelperd protocol)
// how the same URL looks from an uncensored network, and compares the two
// to say whether the page is blocked, and how: by DNS, TCP/IP, TLS, HTTP
// (a failure, or a different page such as a blockpage) or QUIC. Its test
// keys are OONI's (ts-017), so OONI's pipeline reads them, plus
// "x_endpoints", one line per address with what the probe and the control
// saw there.
//
// # Design
//
// The steps: resolve the host with the system resolver and the chosen one
// (Env.Resolver), at once; then, at the same time, query the control with
// the addresses found, and connect to every address (TLS handshake too for
// https); then fetch the page from the first address that worked (netx
// follows redirects); then, when the page or the control advertises HTTP/3
// for the same host, do QUIC handshakes and an HTTP/3 fetch.
//
// A control helper that is busy (503 or 429, as sonde's answers past its
// concurrency limit, or 502/504 from a proxy in front) is asked up to three
// times, waiting what its Retry-After says, within the control's deadline;
// any other answer but 200 is the control_failure
// "http_unexpected_status_code".
//
// A page is not fetched when no address could be connected to: the TCP or
// TLS results already say why, and a second attempt would only cost a
// second timeout. OONI's v0.4 always fetched; its http_experiment_failure
// is then null here.
//
// The analysis works on the test keys alone (analyse, decide), so it reads
// OONI's measurements as well as ours; the tests run it on OONI's
// measurements and check that it agrees with what OONI's probes concluded.
// The page comparisons (body_length_match, body_proportion,
// status_code_match, headers_match, title_match) and dns_consistency are
// OONI v0.4's algorithms, unchanged, so the keys mean the same in both
// projects' data; dns_consistency is judged per resolver (a lying resolver
// is not hidden by an honest one) with the ASNs the control's ip_info
// gives, and a bogon answer the control did not give is inconsistent.
//
// The verdict follows OONI v0.4's order, with v0.5's reading of failures
// the control shares (the site is down: blocking false, accessible false)
// and with "tls" for handshakes that fail where the control's work, which
// OONI's v0.4 calls http-failure. A page fetched over HTTPS is accessible
// whatever else happened (its certificate proves it came from the site);
// if QUIC then fails on every address where the control's handshakes
// worked, blocking is "quic" and accessible stays true.
package webconnectivity
