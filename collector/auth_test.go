package collector_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/internal/probeapi"
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func upload1(t *testing.T, f *fixture, token, from string) (int, string) {
	t.Helper()
	d := realMeasurement(t, "http://auth.example/"+from, time.Now().Add(-time.Minute))
	b := mustJSON(probeapi.BatchSubmitRequest{Measurements: []json.RawMessage{mustJSON(d)}})
	code, body, _ := f.do(t, call{method: "POST", path: probeapi.PathBatchSubmit, token: token, body: b,
		header: map[string]string{"X-Forwarded-For": from}})
	return code, string(body)
}

// TestGuessedTokensAreRefusedAndSlowedDown: an address that tries made-up
// tokens gets 401, and 429 once it has spent its failed-authentication
// budget (20); a probe with a valid token on another address is not
// affected; nothing is stored. The budget refills slowly here (one guess
// every 100 s) so that a slow machine does not earn a 21st guess.
func TestGuessedTokensAreRefusedAndSlowedDown(t *testing.T) {
	f := start(t, false, func(c *collector.Config) { c.Auth.FailedAuthPerIP = collector.Rate{Rate: 0.01, Burst: 20} })
	valid := f.register(t)
	codes := map[int]int{}
	for range 40 {
		var b [32]byte
		rand.Read(b[:])
		code, _ := upload1(t, f, "sonde_"+base64.RawURLEncoding.EncodeToString(b[:]), "198.51.100.66")
		codes[code]++
	}
	if codes[401] != 20 || codes[429] != 20 {
		t.Errorf("40 guesses got %v, want 20×401 then 20×429", codes)
	}
	for _, bad := range []string{strings.Repeat("A", 5000), "sonde_" + valid[6:len(valid)-1], valid + "x", "Bearer"} {
		if code, _ := upload1(t, f, bad, "198.51.100.67"); code != 401 {
			t.Errorf("token %.20q…: %d, want 401", bad, code)
		}
	}
	if n := f.spooled(t); n != 0 {
		t.Fatalf("guessed tokens stored %d bytes", n)
	}
	if code, body := upload1(t, f, valid, "198.51.100.1"); code != 200 {
		t.Errorf("the valid probe: %d %s", code, body)
	}
}

// TestRevokedTokenIsRefusedAfterRestart: a bearer token sent again by
// whoever copied it (replay) works until the operator revokes it through
// the admin API; then it gets 401, also after a restart, while other
// probes go on. The admin API needs its own token and is not on the
// public listener.
func TestRevokedTokenIsRefusedAfterRestart(t *testing.T) {
	const adminToken = "admin-secret-for-the-test"
	edit := func(c *collector.Config) {
		c.Admin.Listen = "127.0.0.1:0"
		c.Admin.TokenSHA256 = sha256Hex(adminToken)
	}
	f := start(t, false, edit)
	admin := httptest.NewServer(f.svc.AdminHandler())
	defer admin.Close()
	others := []string{f.register(t), f.register(t)}
	// The probe whose token was copied (its id is in its registration).
	var reg probeapi.RegisterResponse
	code, body := f.post(t, probeapi.PathRegister, "", probeapi.RegisterRequest{})
	if code != 200 || json.Unmarshal(body, &reg) != nil {
		t.Fatal("register")
	}
	if code, body := upload1(t, f, reg.Token, "198.51.100.1"); code != 200 {
		t.Fatalf("before revocation: %d %s", code, body)
	}
	adminDo := func(method, path, token string) (int, string) {
		req, _ := http.NewRequest(method, admin.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp.StatusCode, string(b)
	}
	revokePath := strings.Replace(collector.PathAdminRevoke, "{probe_id}", reg.ProbeID, 1)
	for _, tc := range []struct{ token string }{{""}, {"wrong"}, {adminToken + "x"}, {strings.ToUpper(adminToken)}} {
		if code, _ := adminDo("POST", revokePath, tc.token); code != 401 {
			t.Errorf("revoke with admin token %q: %d, want 401", tc.token, code)
		}
	}
	if code, body := adminDo("POST", revokePath, adminToken); code != 200 || !strings.Contains(body, reg.ProbeID) {
		t.Fatalf("revoke: %d %s", code, body)
	}
	if code, _ := adminDo("POST", revokePath, adminToken); code != 404 {
		t.Errorf("revoking twice: %d, want 404", code)
	}
	if code, body := upload1(t, f, reg.Token, "198.51.100.2"); code != 401 || !strings.Contains(body, "revoked") {
		t.Errorf("the revoked token, replayed: %d %s", code, body)
	}
	if code, body := adminDo("GET", collector.PathAdminStatus, adminToken); code != 200 || !strings.Contains(body, `"revocations":1`) {
		t.Errorf("status: %d %s", code, body)
	}
	if code, _, _ := f.do(t, call{method: "GET", path: collector.PathAdminStatus, token: adminToken}); code != 404 {
		t.Errorf("the admin API answers on the public listener: %d", code)
	}
	if code, _ := adminDo("GET", "/debug/pprof/", adminToken); code != 404 {
		t.Errorf("pprof without admin.pprof: %d, want 404", code)
	}

	// Restart on the same data: the revocation holds.
	f.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	f.svc.Close(ctx)
	g := start(t, false, func(c *collector.Config) { edit(c); c.DataDir = f.dir })
	if code, _ := upload1(t, g, reg.Token, "198.51.100.2"); code != 401 {
		t.Errorf("the revoked token after a restart: %d, want 401", code)
	}
	for _, tok := range others {
		if code, body := upload1(t, g, tok, "198.51.100.3"); code != 200 {
			t.Errorf("another probe after the restart: %d %s", code, body)
		}
	}
}

// TestMetricsTokenByHash: with metrics_token_sha256 the configuration
// holds no token, and /metrics needs the token it hashes.
func TestMetricsTokenByHash(t *testing.T) {
	f := start(t, false, func(c *collector.Config) { c.Auth.MetricsTokenSHA256 = sha256Hex("scrape-me") })
	for token, want := range map[string]int{"": 401, "scrape-m": 401, "scrape-me": 200} {
		if code, _, _ := f.do(t, call{method: "GET", path: probeapi.PathMetrics, token: token}); code != want {
			t.Errorf("metrics with %q: %d, want %d", token, code, want)
		}
	}
}
