package targettest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"time"
)

// CA is a test certificate authority. Clients trust it through Pool.
type CA struct {
	// Cert is the CA's own certificate.
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
	tb   T
}

// NewCA returns a fresh certificate authority, valid from an hour ago for
// ten years.
func NewCA(tb T) *CA {
	tb.Helper()
	key := newKey(tb)
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(tb),
		Subject:               pkix.Name{CommonName: "sonde test CA", Organization: []string{"sonde tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatalf("targettest: creating the CA: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatalf("targettest: parsing the CA: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{Cert: cert, key: key, pool: pool, tb: tb}
}

// Pool returns a pool holding only this CA: what a client trusts.
func (ca *CA) Pool() *x509.CertPool { return ca.pool }

// Issue returns a certificate for names (DNS names or IP addresses),
// valid from an hour ago for a day. A "wrong-name" certificate is simply
// one issued for other names than the client asks for.
func (ca *CA) Issue(names ...string) tls.Certificate {
	now := time.Now()
	return ca.issue(names, now.Add(-time.Hour), now.Add(24*time.Hour))
}

// IssueExpired returns a certificate for names that expired yesterday.
func (ca *CA) IssueExpired(names ...string) tls.Certificate {
	now := time.Now()
	return ca.issue(names, now.Add(-30*24*time.Hour), now.Add(-24*time.Hour))
}

func (ca *CA) issue(names []string, notBefore, notAfter time.Time) tls.Certificate {
	ca.tb.Helper()
	return leaf(ca.tb, names, notBefore, notAfter, ca.Cert, ca.key)
}

// SelfSigned returns a certificate for names signed by its own key, which
// no client trusts.
func SelfSigned(tb T, names ...string) tls.Certificate {
	tb.Helper()
	now := time.Now()
	return leaf(tb, names, now.Add(-time.Hour), now.Add(24*time.Hour), nil, nil)
}

// leaf makes a server certificate; with a nil parent it signs itself.
func leaf(tb T, names []string, notBefore, notAfter time.Time, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) tls.Certificate {
	tb.Helper()
	key := newKey(tb)
	tmpl := &x509.Certificate{
		SerialNumber: serial(tb),
		Subject:      pkix.Name{Organization: []string{"sonde tests"}},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if len(names) > 0 {
		tmpl.Subject.CommonName = names[0]
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		tb.Fatalf("targettest: issuing a certificate for %v: %v", names, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatalf("targettest: parsing a certificate: %v", err)
	}
	chain := [][]byte{der}
	if parent != tmpl {
		chain = append(chain, parent.Raw)
	}
	return tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: cert}
}

func newKey(tb T) *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatalf("targettest: generating a key: %v", err)
	}
	return key
}

func serial(tb T) *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		tb.Fatalf("targettest: serial number: %v", err)
	}
	return n
}
