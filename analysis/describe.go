package analysis

import (
	"fmt"
	"strings"

	"github.com/sonde-project/sonde/internal/failure"
)

// Plain-language pieces of the explanations, written for policy staff.

// describeFailure says in words what a failure string means.
func describeFailure(f string) string {
	switch {
	case f == failure.ConnectionReset:
		return "the connection was reset"
	case f == failure.GenericTimeout || f == "generic_timeout_error" || f == "tcp_timed_out_error":
		return "it timed out"
	case f == failure.ConnectionRefused || f == "connection_refused_error":
		return "the connection was refused"
	case f == failure.EOF:
		return "the connection was closed unexpectedly"
	case f == failure.DNSNXDOMAIN || f == "dns_name_error" || f == "dns_lookup_error":
		return "the resolver said the name does not exist"
	case f == failure.DNSNoAnswer:
		return "the resolver gave no address"
	case f == failure.DNSRefused:
		return "the resolver refused to answer"
	case f == failure.DNSServfail:
		return "the resolver failed (SERVFAIL)"
	case f == failure.AndroidDNSCacheNoData:
		return "Android's resolver gave no address"
	case f == failure.SSLInvalidHostname:
		return "the server showed a certificate for another name"
	case f == failure.SSLUnknownAuthority:
		return "the certificate was signed by an unknown authority"
	case f == failure.SSLInvalidCertificate:
		return "the certificate was invalid"
	case strings.HasPrefix(f, "ssl_error"):
		return "the secure connection (TLS) failed: " + strings.TrimSpace(strings.TrimPrefix(f, "ssl_error:"))
	case f == failure.SSLFailedHandshake:
		return "the secure (TLS) handshake failed"
	case f == failure.HostUnreachable || f == failure.NetworkUnreachable:
		return "the network said the address is unreachable"
	case f == "response_never_received":
		return "no response came back"
	case f == "http_invalid_redirect_url" || f == failure.HTTPInvalidRedirectLocationHost:
		return "the site redirected to an invalid address"
	case strings.HasPrefix(f, failure.UnknownPrefix):
		return "the probe hit an error it could not classify"
	case f == "unknown_error":
		return "it failed"
	}
	return "it failed (" + f + ")"
}

// unknownFailure reports whether f is an error the probe could not
// classify: a sign of a probe bug more than of the network.
func unknownFailure(f string) bool {
	return strings.HasPrefix(f, failure.UnknownPrefix)
}

// tlsFailure reports whether f is a certificate or handshake failure.
func tlsFailure(f string) bool {
	return strings.HasPrefix(f, "ssl_") || f == failure.SSLFailedHandshake
}

// methodOfFailure guesses the blocking method from a failure string
// alone, for tests that do not record the failed step.
func methodOfFailure(f string) string {
	switch {
	case dnsFailure(f):
		return "dns"
	case tlsFailure(f) || strings.HasPrefix(f, "ssl_error"):
		return "tls"
	case f == failure.ConnectionRefused || f == failure.HostUnreachable || f == failure.NetworkUnreachable:
		return "tcp_ip"
	}
	return "http-failure"
}

// dnsFailure reports whether f is a name resolution failure.
func dnsFailure(f string) bool {
	return strings.HasPrefix(f, "dns_") || f == failure.AndroidDNSCacheNoData
}

// fingerprintOwner names who uses a fingerprint, for a sentence such as
// "the address Iran's national filter uses for blocked sites".
func fingerprintOwner(f *Fingerprint, probeCC string) string {
	switch f.Scope {
	case "prod":
		return "a filtering product"
	case "vbw":
		return "many filters"
	}
	country := ""
	cc := strings.ToUpper(probeCC)
	for _, c := range f.ExpectedCountries {
		if c == cc {
			country = countryName(cc)
		}
	}
	if country == "" && len(f.ExpectedCountries) == 1 {
		country = countryName(f.ExpectedCountries[0])
	}
	if country == "" {
		return "a known filter"
	}
	switch f.Scope {
	case "nat":
		return possessive(country) + " national filter"
	case "isp":
		return "an Internet provider in " + country
	case "inst":
		return "an institution in " + country
	}
	return "a filter in " + country
}

func possessive(name string) string {
	if strings.HasSuffix(name, "s") {
		return name + "'"
	}
	return name + "'s"
}

// dnsFingerprintSentence explains a DNS answer that matched f.
func dnsFingerprintSentence(host, answer string, f *Fingerprint, probeCC string) string {
	verb := "uses"
	if f.Scope == "vbw" { // "many filters"
		verb = "use"
	}
	return fmt.Sprintf("The DNS answer for %s was %s, the address %s %s for blocked sites.",
		host, answer, fingerprintOwner(f, probeCC), verb)
}

// httpFingerprintSentence explains a blockpage that matched f.
func httpFingerprintSentence(target string, f *Fingerprint, probeCC string) string {
	if f.Location == "header.location" {
		return fmt.Sprintf("The request for %s was redirected to the blockpage of %s.",
			target, fingerprintOwner(f, probeCC))
	}
	return fmt.Sprintf("The request for %s got the blockpage of %s.", target, fingerprintOwner(f, probeCC))
}
