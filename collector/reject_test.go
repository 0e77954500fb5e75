package collector_test

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/internal/probeapi"
)

func TestBadInputGetsAClear4xx(t *testing.T) {
	f := start(t, false, func(c *collector.Config) {
		c.Limits.MaxMeasurementBytes = 64 << 10
	})
	token := f.register(t)
	now := time.Now()
	submit := func(doc map[string]any) []byte {
		content, _ := json.Marshal(doc)
		b, _ := json.Marshal(probeapi.SubmitRequest{Format: "json", Content: content})
		return b
	}
	with := func(key string, v any) []byte {
		d := realMeasurement(t, "http://a.example/", now)
		d[key] = v
		return submit(d)
	}
	const report = "20250101T000000Z_webconnectivity_IT_30722_n1_abcdefghijklmnop"
	big := realMeasurement(t, "http://a.example/", now)
	big["annotations"].(map[string]any)["pad"] = strings.Repeat("x", 70<<10)
	deep := strings.Repeat("[", 100) + strings.Repeat("]", 100)
	for _, tc := range []struct {
		name, path, token string
		body              []byte
		code              int
		reason            string
	}{
		{"malformed JSON", submitPath(report), token, []byte(`{"format":"json","content":{`), 400, "invalid JSON"},
		{"content not an object", submitPath(report), token, []byte(`{"format":"json","content":[1]}`), 400, "not a JSON object"},
		{"yaml format", submitPath(report), token, []byte(`{"format":"yaml","content":"x"}`), 400, "format must be"},
		{"unknown test", submitPath(report), token, with("test_name", "rm_rf"), 400, "unknown test_name"},
		{"future", submitPath(report), token, with("measurement_start_time", "2099-01-01 00:00:00"), 400, "in the future"},
		{"absurdly old", submitPath(report), token, with("measurement_start_time", "2001-01-01 00:00:00"), 400, "older than"},
		{"bad time", submitPath(report), token, with("measurement_start_time", "yesterday"), 400, "measurement_start_time"},
		{"bad cc", submitPath(report), token, with("probe_cc", "Italy"), 400, "probe_cc"},
		{"bad asn", submitPath(report), token, with("probe_asn", "30722"), 400, "probe_asn"},
		{"test_keys not an object", submitPath(report), token, with("test_keys", "x"), 400, "test_keys"},
		{"report mismatch", submitPath(report), token, with("report_id", "20250101T000000Z_other"), 400, "is not the report"},
		{"too deep", submitPath(report), token, []byte(`{"format":"json","content":{"a":` + deep + `}}`), 400, "nested"},
		{"oversized", submitPath(report), token, submit(big), 413, "limit"},
		{"bad report id", "/report/a%20b", token, with("x", 1), 400, "report id"},
		{"no token", submitPath(report), "", with("x", 1), 401, "needs a probe token"},
		{"bad token", submitPath(report), "sonde_nottherealone", with("x", 1), 401, "unknown probe token"},
		{"empty batch", probeapi.PathBatchSubmit, token, []byte(`{"measurements":[]}`), 400, "no measurements"},
		{"unknown endpoint", "/api/v9/x", token, nil, 404, "no such endpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body, _ := f.do(t, call{method: "POST", path: tc.path, token: tc.token, body: tc.body})
			var e probeapi.Error
			json.Unmarshal(body, &e)
			if code != tc.code || !strings.Contains(e.Error, tc.reason) {
				t.Errorf("got %d %q, want %d with %q", code, body, tc.code, tc.reason)
			}
		})
	}
}

func TestRateLimitPerProbe(t *testing.T) {
	f := start(t, false, func(c *collector.Config) {
		c.RateLimit.PerProbe = collector.Rate{Rate: 0.01, Burst: 3}
	})
	flood, quiet := f.register(t), f.register(t)
	codes := map[int]int{}
	var retry string
	for range 10 {
		code, _, h := f.do(t, call{method: "POST", path: probeapi.PathCheckIn, token: flood, body: []byte(`{}`)})
		codes[code]++
		if code == 429 {
			retry = h.Get("Retry-After")
		}
	}
	if codes[200] != 3 || codes[429] != 7 || retry == "" {
		t.Errorf("flooding probe: %v (Retry-After %q), want 3 answered and 7 refused with Retry-After", codes, retry)
	}
	if code, _, _ := f.do(t, call{method: "POST", path: probeapi.PathCheckIn, token: quiet, body: []byte(`{}`)}); code != 200 {
		t.Errorf("another probe was refused (%d) because of the flood", code)
	}
}

// TestSlowClientsDoNotBlockOthers: a client that never finishes its
// headers is cut off by ReadHeaderTimeout, and others are served
// meanwhile.
func TestSlowClientsDoNotBlockOthers(t *testing.T) {
	f := start(t, false, func(c *collector.Config) {
		c.Limits.ReadHeaderTimeout = 300 * time.Millisecond
		c.Limits.ReadTimeout = time.Second
	})
	addr := f.serve(t)
	var slow []net.Conn
	for range 20 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("POST /api/v1/measurements HTTP/1.1\r\nHost: x\r\n")) // and then nothing
		slow = append(slow, c)
	}
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get("http://" + addr + probeapi.PathHealth)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health while 20 clients dawdle: %v", err)
	}
	resp.Body.Close()
	for _, c := range slow {
		c.SetReadDeadline(time.Now().Add(3 * time.Second))
		buf := make([]byte, 1)
		if _, err := c.Read(buf); err == nil {
			// The server may answer 408 before closing; then it must close.
			if _, err := c.Read(make([]byte, 4096)); err == nil {
				if _, err := c.Read(buf); err == nil {
					t.Errorf("a slow client's connection is still open")
				}
			}
		} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Errorf("the server kept a slow client's connection open past ReadHeaderTimeout")
		}
		c.Close()
	}
}

func TestSpoolFullIs507(t *testing.T) {
	f := start(t, false, func(c *collector.Config) { c.Spool.MaxBytes = 64 << 10 })
	token := f.register(t)
	var got507 bool
	for i := range 20 {
		d := realMeasurement(t, "http://a.example/"+strings.Repeat("x", i), time.Now())
		b, _ := json.Marshal(probeapi.BatchSubmitRequest{Measurements: []json.RawMessage{mustJSON(d)}})
		code, body, _ := f.do(t, call{method: "POST", path: probeapi.PathBatchSubmit, token: token, body: b})
		if code == 507 {
			got507 = strings.Contains(string(body), "spool is full")
			break
		}
		if code != 200 {
			t.Fatalf("upload %d: %d %s", i, code, body)
		}
	}
	if !got507 {
		t.Fatal("a full spool (ClickHouse unreachable) never answered 507 with a reason")
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
