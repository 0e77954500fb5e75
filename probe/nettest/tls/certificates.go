package tls

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"time"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
)

// Certificate describes one certificate of the chain a server sent (the
// DER itself is in tls_handshakes[].peer_certificates).
type Certificate struct {
	Subject   string   `json:"subject"`
	Issuer    string   `json:"issuer"`
	NotBefore string   `json:"not_before"`
	NotAfter  string   `json:"not_after"`
	DNSNames  []string `json:"dns_names"`
	IPs       []string `json:"ip_addresses"`
	SHA256    string   `json:"sha256"`
	// ParseError is set when the DER does not parse (a middlebox sent
	// garbage); the other fields are then empty but for SHA256.
	ParseError string `json:"parse_error,omitempty"`
}

// describe parses a chain as recorded.
func describe(chain []measurement.BinaryData) []Certificate {
	out := []Certificate{}
	for _, der := range chain {
		sum := sha256.Sum256(der)
		c := Certificate{SHA256: hex.EncodeToString(sum[:]), DNSNames: []string{}, IPs: []string{}}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			c.ParseError = err.Error()
			out = append(out, c)
			continue
		}
		c.Subject, c.Issuer = cert.Subject.String(), cert.Issuer.String()
		c.NotBefore, c.NotAfter = cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339)
		c.DNSNames = append(c.DNSNames, cert.DNSNames...)
		for _, ip := range cert.IPAddresses {
			c.IPs = append(c.IPs, ip.String())
		}
		out = append(out, c)
	}
	return out
}

func asFailure(err error, fe **failure.Error) bool { return errors.As(err, fe) }
