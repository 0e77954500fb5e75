package collector_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector"
)

// TestAutocert serves HTTPS with tls.autocert_domains against a stand-in
// ACME directory (the tests have no Internet): a handshake for a name not
// listed fails before any ACME request, one for the listed name makes the
// collector ask the configured directory (which cannot issue, so that
// handshake fails too), and the certificate cache is created owner-only.
func TestAutocert(t *testing.T) {
	var asked atomic.Int64
	acme := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		http.Error(w, "this stand-in issues nothing", http.StatusServiceUnavailable)
	}))
	defer acme.Close()
	cache := filepath.Join(t.TempDir(), "certs")
	f := start(t, false, func(c *collector.Config) {
		c.TLS = collector.TLSConfig{AutocertDomains: []string{"collector.example.org"}, AutocertCacheDir: cache, AutocertDirectoryURL: acme.URL}
	})
	addr := f.serve(t)
	handshake := func(name string) error {
		d := &net.Dialer{Timeout: 5 * time.Second}
		c, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{ServerName: name, InsecureSkipVerify: true})
		if err == nil {
			c.Close()
		}
		return err
	}
	if err := handshake("other.example.org"); err == nil {
		t.Fatal("a handshake for a name not in autocert_domains succeeded")
	}
	if n := asked.Load(); n != 0 {
		t.Fatalf("a name not in autocert_domains made %d ACME requests", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- handshake("collector.example.org") }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a handshake succeeded with an ACME server that issues nothing")
		}
	case <-ctx.Done():
		t.Fatal("the handshake for the listed name hung")
	}
	if asked.Load() == 0 {
		t.Fatal("the listed name did not reach the configured ACME directory")
	}
	if st, err := os.Stat(cache); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("certificate cache: %v, mode %v", err, st.Mode().Perm())
	}
}
