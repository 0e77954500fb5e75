package collector_test

import (
	"crypto/tls"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/internal/probeapi"
)

// TestSecurityHeadersOnEveryAnswer: answers of every kind (success,
// client error, unknown path, refused method) carry nosniff, no
// referrer, no framing and a CSP that allows nothing.
func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	f := start(t, false, nil)
	token := f.register(t)
	for _, c := range []call{
		{method: "GET", path: probeapi.PathHealth},
		{method: "GET", path: probeapi.PathMetrics},
		{method: "POST", path: probeapi.PathCheckIn, token: token, body: []byte(`{}`)},
		{method: "POST", path: probeapi.PathBatchSubmit, token: token, body: []byte(`{`)},
		{method: "POST", path: probeapi.PathBatchSubmit, token: "nope", body: []byte(`{}`)},
		{method: "GET", path: "/no/such/thing"},
		{method: "GET", path: probeapi.PathBatchSubmit},
	} {
		code, _, hd := f.do(t, c)
		for k, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
			"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
		} {
			if !strings.HasPrefix(hd.Get(k), want) {
				t.Errorf("%s %s (%d): %s = %q, want %q", c.method, c.path, code, k, hd.Get(k), want)
			}
		}
		if hd.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s %s: HSTS over plain HTTP", c.method, c.path)
		}
	}
}

// TestHSTSOverTLS: over HTTPS answers carry Strict-Transport-Security.
func TestHSTSOverTLS(t *testing.T) {
	certFile, keyFile, pool := writeCert(t)
	f := start(t, false, func(c *collector.Config) { c.TLS = collector.TLSConfig{CertFile: certFile, KeyFile: keyFile} })
	addr := f.serve(t)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://" + addr + probeapi.PathHealth)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("HSTS: %q", resp.Header.Get("Strict-Transport-Security"))
	}
}

// TestCORSIsReadOnly: a page on another site may read the public JSON
// (GET, preflight for GET), never upload (no CORS on POST, preflight for
// POST refused), never read the metrics; cors.disable and an origin
// list narrow it.
func TestCORSIsReadOnly(t *testing.T) {
	f := start(t, false, nil)
	origin := map[string]string{"Origin": "https://research.example"}
	preflight := func(f *fixture, method string) (int, http.Header) {
		code, _, hd := f.do(t, call{method: "OPTIONS", path: probeapi.PathHealth,
			header: map[string]string{"Origin": "https://research.example", "Access-Control-Request-Method": method}})
		return code, hd
	}
	if _, _, hd := f.do(t, call{method: "GET", path: probeapi.PathHealth, header: origin}); hd.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("GET with an Origin: Access-Control-Allow-Origin %q, want *", hd.Get("Access-Control-Allow-Origin"))
	}
	if code, hd := preflight(f, "GET"); code != 204 || !strings.Contains(hd.Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("preflight for GET: %d %v", code, hd)
	}
	if code, hd := preflight(f, "POST"); code != 403 || hd.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight for POST: %d, Access-Control-Allow-Origin %q", code, hd.Get("Access-Control-Allow-Origin"))
	}
	_, _, hd := f.do(t, call{method: "POST", path: probeapi.PathCheckIn, body: []byte(`{}`), header: origin})
	if hd.Get("Access-Control-Allow-Origin") != "" {
		t.Error("a POST answered with CORS")
	}
	if _, _, hd := f.do(t, call{method: "GET", path: probeapi.PathMetrics, header: origin}); hd.Get("Access-Control-Allow-Origin") != "" {
		t.Error("metrics answered with CORS")
	}

	listed := start(t, false, func(c *collector.Config) { c.CORS.AllowOrigins = []string{"https://dashboard.example"} })
	for o, want := range map[string]string{"https://dashboard.example": "https://dashboard.example", "https://research.example": ""} {
		_, _, hd := listed.do(t, call{method: "GET", path: probeapi.PathHealth, header: map[string]string{"Origin": o}})
		if got := hd.Get("Access-Control-Allow-Origin"); got != want || (want != "" && hd.Get("Vary") != "Origin") {
			t.Errorf("origin list, %s: Access-Control-Allow-Origin %q (Vary %q), want %q", o, got, hd.Get("Vary"), want)
		}
	}
	off := start(t, false, func(c *collector.Config) { c.CORS.Disable = true })
	if _, _, hd := off.do(t, call{method: "GET", path: probeapi.PathHealth, header: origin}); hd.Get("Access-Control-Allow-Origin") != "" {
		t.Error("cors.disable: still answered with CORS")
	}
}
