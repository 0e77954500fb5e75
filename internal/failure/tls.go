package failure

import (
	"crypto/tls"
	"errors"
	"net"

	utls "github.com/refraction-networking/utls"
)

// classifyTLS covers TLS errors that carry no x509 error: alerts the peer
// sent, alerts raised locally, and records that are not TLS at all (a
// middlebox answering a ClientHello with plain text). crypto/tls and its
// fork uTLS have the same error types under different packages; both are
// checked.
func classifyTLS(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" {
		// crypto/tls and uTLS report a received alert this way.
		return SSLFailedHandshake
	}
	var (
		alert   tls.AlertError
		ualert  utls.AlertError
		record  tls.RecordHeaderError
		urecord utls.RecordHeaderError
		ech     *tls.ECHRejectionError
		uech    *utls.ECHRejectionError
	)
	switch {
	case errors.As(err, &alert), errors.As(err, &ualert),
		errors.As(err, &record), errors.As(err, &urecord),
		errors.As(err, &ech), errors.As(err, &uech):
		return SSLFailedHandshake
	}
	return ""
}
