package controlhelper

import (
	"github.com/sonde-project/sonde/internal/failure"
)

// The "dns", "tcp_connect" and "http_request" parts of the answer carry the
// failure names of OONI's first test helper, as oohelperd maps them (see
// internal/failure/control.go); OONI's probes compare against those names.
// Each function takes a failure of the ordinary vocabulary ("" for none)
// and returns the name to publish (nil for none).

// dnsFailure maps a DNS lookup failure. A lookup that found no address
// but no error either (NOERROR without records) is not a failure in the
// legacy protocol: the answer is an empty list.
func dnsFailure(f string) *string {
	switch f {
	case "", failure.DNSNoAnswer:
		return nil
	case failure.DNSNXDOMAIN:
		return failure.Ptr(failure.ControlDNSNameError)
	case failure.DNSNonRecoverable, failure.DNSRefused, failure.DNSServfail, failure.DNSTemporary:
		return failure.Ptr(failure.ControlDNSServerFailure)
	}
	return failure.Ptr(failure.ControlUnknownError)
}

// tcpFailure maps a TCP connect failure.
func tcpFailure(f string) *string {
	switch f {
	case "":
		return nil
	case failure.GenericTimeout:
		return failure.Ptr(f)
	case failure.ConnectionRefused:
		return failure.Ptr(failure.ControlConnectionRefused)
	}
	return failure.Ptr(failure.ControlConnectError)
}

// httpFailure maps a page fetch failure; op is the operation that failed
// (a timeout while resolving a name is a DNS failure for the legacy
// protocol).
func httpFailure(f, op string) *string {
	switch f {
	case "":
		return nil
	case failure.DNSNXDOMAIN, failure.DNSNoAnswer, failure.DNSNonRecoverable, failure.DNSRefused,
		failure.DNSServfail, failure.DNSTemporary:
		return failure.Ptr(failure.ControlDNSLookupError)
	case failure.GenericTimeout:
		if op == failure.OpResolve {
			return failure.Ptr(failure.ControlDNSLookupError)
		}
		return failure.Ptr(f)
	case failure.ConnectionRefused:
		return failure.Ptr(failure.ControlConnectionRefused)
	}
	return failure.Ptr(failure.ControlUnknownError)
}
