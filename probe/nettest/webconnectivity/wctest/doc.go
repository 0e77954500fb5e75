// Package wctest builds censorship scenarios on loopback for
// web_connectivity: real sites (HTTP, HTTPS with a test CA, HTTP/3), real
// DNS servers (one that tells the truth, one that lies), a real control
// helper, and a censor in front of a site that treats the probe's
// connections as a middlebox would — it resets them after a ClientHello
// for one server name, answers with a blockpage, or black-holes them —
// while it lets the control helper's through.
//
// The web_connectivity tests check the probe's own reading of these
// scenarios; cmd/analysis checks the analysis's verdict on the same
// measurements. It is for tests only (internal/archtest forbids importing
// a package named …test outside _test.go files), and it does not import
// web_connectivity (one network test's package never imports another):
// the caller measures with the Env and URL a scenario gives.
//
// # Design
//
// The probe and the helper share one machine, so they are told apart by
// source address: the probe's connections leave from [ProbeIP]
// (127.0.0.1) and the helper's from [ControlIP] (127.0.0.2,
// controlhelper.Config.SourceAddr). The censor is a TCP relay listening on
// [SiteIP] (127.0.0.4) in front of the real server: it applies its [Rule] to
// connections from ProbeIP and relays every other one. A black hole is a
// classic BPF filter on the listening socket that drops SYNs from ProbeIP
// (Linux, unprivileged); elsewhere [CanBlackhole] is false.
//
// A lying resolver sends the probe to [HijackIP] (127.0.0.3), where the
// censor's own server answers every request with its blockpage, or to an
// address of the caller's choice (Iran's 10.10.34.34, which matches an
// OONI DNS fingerprint). The helper's ASN lookup puts HijackIP in
// [CensorASN] and every other address in [SiteASN], so the analysis can
// tell the censor's network from the site's.
package wctest
