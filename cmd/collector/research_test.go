package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector/collectortest"
	"github.com/sonde-project/sonde/internal/chserver/chtest"
)

// TestServesResearchAPI runs the binary with research.serve: what a probe
// uploads is found by the researcher API once the loader has landed it, and
// the report pages answer with HTML.
func TestServesResearchAPI(t *testing.T) {
	addr, db := chtest.Database(t)
	listen := freeAddr(t)
	p := startProc(t, writeConfig(t, t.TempDir(), listen, addr, db, "research: {serve: true}\n"), listen)
	defer p.stop(t)

	corpus := collectortest.Load(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	client := &http.Client{Timeout: 10 * time.Second}
	uids, err := upload(ctx, client, p.url, [][]byte{corpus.Measurement(1, time.Now().Add(-time.Hour))})
	if err != nil || len(uids) != 1 {
		t.Fatalf("upload: %v %v", uids, err)
	}

	get := func(path string) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.url+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		return resp.StatusCode, resp.Header, string(b)
	}
	var raw map[string]any
	for {
		code, _, body := get("/api/v1/measurements/" + uids[0])
		if code == http.StatusOK {
			if err := json.Unmarshal([]byte(body), &raw); err != nil {
				t.Fatalf("measurement is not JSON: %v", err)
			}
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("measurement %s never reached the API (last status %d: %s)\n%s", uids[0], code, body, p.log)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if raw["test_name"] == nil || raw["probe_cc"] == nil {
		t.Errorf("raw measurement lacks its envelope: %v", raw)
	}
	cc, _ := raw["probe_cc"].(string)
	if code, _, body := get("/api/v1/measurements?probe_cc=" + cc + "&since=" + time.Now().AddDate(0, 0, -7).Format("2006-01-02")); code != 200 || !strings.Contains(body, uids[0]) {
		t.Errorf("search by country: %d %s", code, body)
	}
	code, hdr, body := get("/reports/")
	if code != 200 || !strings.Contains(hdr.Get("Content-Type"), "text/html") || !strings.Contains(body, "<h1") {
		t.Errorf("report pages: %d %q", code, hdr.Get("Content-Type"))
	}
	if hdr.Get("Content-Security-Policy") == "" || hdr.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("report pages lack security headers: %v", hdr)
	}
	// The collector's own POST on the same path still takes uploads.
	if _, err := upload(ctx, client, p.url, [][]byte{corpus.Measurement(2, time.Now().Add(-time.Hour))}); err != nil {
		t.Errorf("upload next to the API: %v", err)
	}
}
