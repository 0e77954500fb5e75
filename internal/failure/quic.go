package failure

import (
	"errors"

	"github.com/quic-go/quic-go"
)

// TLS alerts (RFC 8446 §6) that a QUIC CRYPTO_ERROR carries in its low
// byte (RFC 9001 §4.8: the error code is 0x100 + the alert).
const (
	alertBadCertificate         = 42
	alertUnsupportedCertificate = 43
	alertCertificateRevoked     = 44
	alertCertificateExpired     = 45
	alertCertificateUnknown     = 46
	alertUnknownCA              = 48
	alertUnrecognizedName       = 112
)

// classifyQUIC maps quic-go's errors. It runs before the generic checks
// because every quic-go connection error also matches net.ErrClosed.
func classifyQUIC(err error) string {
	var (
		version   *quic.VersionNegotiationError
		reset     *quic.StatelessResetError
		handshake *quic.HandshakeTimeoutError
		idle      *quic.IdleTimeoutError
		transport *quic.TransportError
	)
	switch {
	case errors.As(err, &version):
		return QUICIncompatibleVersion
	case errors.As(err, &reset):
		return ConnectionReset
	case errors.As(err, &handshake), errors.As(err, &idle):
		return GenericTimeout
	case errors.As(err, &transport):
		if !transport.Remote {
			// A local CRYPTO_ERROR wraps the certificate error that caused it.
			if f := classifyX509(err); f != "" {
				return f
			}
		}
		return classifyTransportError(transport)
	}
	return ""
}

func classifyTransportError(e *quic.TransportError) string {
	if e.ErrorCode == quic.ConnectionRefused {
		return ConnectionRefused
	}
	if e.ErrorCode < 0x100 || e.ErrorCode > 0x1ff {
		return ""
	}
	switch uint8(e.ErrorCode) {
	case alertBadCertificate, alertUnsupportedCertificate, alertCertificateRevoked,
		alertCertificateExpired, alertCertificateUnknown:
		return SSLInvalidCertificate
	case alertUnknownCA:
		return SSLUnknownAuthority
	case alertUnrecognizedName:
		return SSLInvalidHostname
	}
	return SSLFailedHandshake
}
