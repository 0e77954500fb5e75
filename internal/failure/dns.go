package failure

// DNSServerMisbehaving is a DNS answer with an rcode that is neither
// success nor one of the classified errors (FORMERR, NOTIMP, …), as OONI
// names it.
const DNSServerMisbehaving = "dns_server_misbehaving"

// DNS response codes (RFC 1035 §4.1.1), named here so that this package
// does not depend on a DNS library.
const (
	rcodeSuccess       = 0
	rcodeServerFailure = 2
	rcodeNameError     = 3
	rcodeRefused       = 5
)

// Rcode returns the failure for a DNS response code, "" for NOERROR.
// An empty NOERROR answer is not an rcode failure: the resolver reports it
// as DNSNoAnswer.
func Rcode(rcode int) string {
	switch rcode {
	case rcodeSuccess:
		return ""
	case rcodeNameError:
		return DNSNXDOMAIN
	case rcodeServerFailure:
		return DNSServfail
	case rcodeRefused:
		return DNSRefused
	}
	return DNSServerMisbehaving
}
