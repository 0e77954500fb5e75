package collector_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/internal/probeapi"
)

// writeCert writes a self-signed certificate for 127.0.0.1 and its key.
func writeCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "collector.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestServesTLSFromFiles(t *testing.T) {
	certFile, keyFile, pool := writeCert(t)
	f := start(t, false, func(c *collector.Config) {
		c.TLS = collector.TLSConfig{CertFile: certFile, KeyFile: keyFile}
		c.Auth.MetricsToken = "metrics-secret"
	})
	addr := f.serve(t)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	base := "https://" + addr
	resp, err := client.Get(base + probeapi.PathHealth)
	if err != nil || resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("health over TLS: %v", err)
	}
	resp.Body.Close()
	if _, err := http.Get("http://" + addr + probeapi.PathHealth); err == nil {
		// Go's TLS server answers plain HTTP with a 400; what matters is
		// that it does not serve the API in clear text.
		t.Log("plain HTTP got an answer (the TLS server's 400)")
	}
	// Metrics need the token.
	resp, _ = client.Get(base + probeapi.PathMetrics)
	if resp.StatusCode != 401 {
		t.Errorf("metrics without the token: %d", resp.StatusCode)
	}
	resp.Body.Close()
	req, _ := http.NewRequest("GET", base+probeapi.PathMetrics, nil)
	req.Header.Set("Authorization", "Bearer metrics-secret")
	resp, err = client.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("metrics with the token: %v", err)
	}
	var body strings.Builder
	buf := make([]byte, 64<<10)
	n, _ := resp.Body.Read(buf)
	body.Write(buf[:n])
	resp.Body.Close()
	if !strings.Contains(body.String(), "sonde_collector_http_requests_total") {
		t.Errorf("metrics: %s", body.String())
	}
}
