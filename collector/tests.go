package collector

import "regexp"

// builtinTests are the test names the collector accepts: OONI's (current
// and legacy, so the whole corpus can be re-uploaded) and sonde's own.
// Operators add more with extra_test_names.
var builtinTests = []string{
	// OONI, current.
	"web_connectivity", "dnscheck", "stunreachability", "tor", "torsf", "vanilla_tor",
	"telegram", "whatsapp", "signal", "facebook_messenger", "psiphon", "riseupvpn",
	"http_header_field_manipulation", "http_invalid_request_line", "ndt", "dash",
	"urlgetter", "echcheck", "openvpn", "simplequicping", "tlsping", "tcpping",
	"dnsping", "browser_web", "portfiltering", "tlsmiddlebox", "quicping",
	// OONI, legacy.
	"http_requests", "dns_consistency", "tcp_connect", "http_host", "dns_injection",
	"meek_fronted_requests_test", "bridge_reachability", "lantern", "multi_protocol_traceroute",
	"captive_portal",
	// sonde.
	"dns", "tcpconnect", "tls", "http", "quic", "http3", "dns_resolver_consistency",
	"throttling",
}

var testName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// KnownTests returns the set of accepted test names: the built-in list
// plus extra.
func KnownTests(extra []string) map[string]bool {
	known := make(map[string]bool, len(builtinTests)+len(extra))
	for _, n := range builtinTests {
		known[n] = true
	}
	for _, n := range extra {
		known[n] = true
	}
	return known
}
