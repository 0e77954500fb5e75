package controlhelper

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/measurement"
)

// post sends body to url and returns the status, the decoded JSON answer
// and the response.
func post(t *testing.T, url, body string) (int, map[string]any, *http.Response) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if resp.StatusCode != http.StatusNotFound && json.Unmarshal(data, &out) != nil {
		t.Fatalf("answer is not JSON: %q", data)
	}
	return resp.StatusCode, out, resp
}

func TestHandlerOverHTTP(t *testing.T) {
	l := newLab(t, dnsZone{"site.test": {"127.0.0.1"}}, func(c *Config) { c.MaxRequestBytes = 1024 })
	site := listen(t, "127.0.0.1:0")
	serveHTTP(t, site, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, page) }), nil)
	mux := http.NewServeMux()
	l.h.Mount(mux)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "landing page") })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	good := `{"http_request":"http://site.test:` + port(site) + `/","tcp_connect":["127.0.0.1:` + port(site) + `"]}`

	for _, path := range []string{PathOONI, PathAPI} {
		status, body, resp := post(t, srv.URL+path, good)
		if status != 200 || resp.Header.Get("Content-Type") != "application/json" ||
			!strings.HasPrefix(resp.Header.Get("Server"), "sonde-controlhelper/") {
			t.Fatalf("%s: %d %v %v", path, status, resp.Header, body)
		}
		var cr measurement.ControlResponse
		raw, _ := json.Marshal(body)
		if err := json.Unmarshal(raw, &cr); err != nil || cr.HTTPRequest.Title != "Site of the test" {
			t.Fatalf("%s: answer %s (%v)", path, raw, err)
		}
	}
	cases := []struct {
		name, path, body string
		status           int
		want             string
	}{
		{"bad json", PathAPI, `{"http_request":`, 400, "not JSON"},
		{"bad url", PathOONI, `{"http_request":"gopher://x/"}`, 400, "scheme must be http or https"},
		{"too large", PathAPI, `{"http_request":"http://a.example/` + strings.Repeat("a", 2000) + `"}`, 413, "larger than 1024 bytes"},
		{"other path", "/api/v1/other", good, 404, ""},
		{"below root", "/x", good, 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body, _ := post(t, srv.URL+c.path, c.body)
			if status != c.status {
				t.Fatalf("status %d, want %d (%v)", status, c.status, body)
			}
			if c.want != "" && !strings.Contains(fmt.Sprint(body["error"]), c.want) {
				t.Fatalf("error %q, want %q", body["error"], c.want)
			}
		})
	}
	resp, err := http.Get(srv.URL + PathAPI)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", resp.StatusCode)
	}
	rec := httptest.NewRecorder()
	l.h.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/", nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "POST" {
		t.Fatalf("PUT served directly: %d %v", rec.Code, rec.Header())
	}
	if s := l.h.Stats(); s.Measured != 2 || s.Rejected != 4 {
		t.Fatalf("stats %+v", s)
	}
}

// TestHandlerBusy: with every slot taken, a request is answered 503 with
// Retry-After at once instead of queueing.
func TestHandlerBusy(t *testing.T) {
	release := make(chan struct{})
	l := newLab(t, dnsZone{"slow.test": {"127.0.0.1"}}, func(c *Config) { c.MaxConcurrency = 1 })
	slow := listen(t, "127.0.0.1:0")
	entered := make(chan struct{}, 1)
	serveHTTP(t, slow, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	}), nil)
	srv := httptest.NewServer(l.h)
	defer srv.Close()
	body := `{"http_request":"http://slow.test:` + port(slow) + `/"}`

	var wg sync.WaitGroup
	var firstStatus int
	wg.Go(func() {
		resp, err := http.Post(srv.URL, "application/json", strings.NewReader(body))
		if err == nil {
			firstStatus = resp.StatusCode
			resp.Body.Close()
		}
	})
	<-entered // the first request holds the only slot
	start := time.Now()
	status, answer, resp := post(t, srv.URL, body)
	waited := time.Since(start)
	close(release)
	wg.Wait()
	if status != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
		!strings.Contains(fmt.Sprint(answer["error"]), "busy") {
		t.Fatalf("second request: %d %v %v", status, resp.Header, answer)
	}
	if waited > 2*time.Second {
		t.Fatalf("the busy answer took %v: it queued", waited)
	}
	if firstStatus != 200 {
		t.Fatalf("first request: %d", firstStatus)
	}
	if s := l.h.Stats(); s.Busy != 1 || s.Measured != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	if _, err := New(Config{DNSServers: []string{"127.0.0.1"}}); err == nil || !strings.Contains(err.Error(), "host:port") {
		t.Fatalf("DNS server without port: %v", err)
	}
	if _, err := New(Config{DNSServers: []string{"127.0.0.1:53"}, MaxConcurrency: -1}); err == nil {
		t.Fatal("negative MaxConcurrency accepted")
	}
	old := resolvConf
	defer func() { resolvConf = old }()
	resolvConf = t.TempDir() + "/missing"
	if _, err := New(Config{}); err == nil || !strings.Contains(err.Error(), "no DNS servers") {
		t.Fatalf("missing resolv.conf: %v", err)
	}
	resolvConf = t.TempDir() + "/resolv.conf"
	if err := os.WriteFile(resolvConf, []byte("nameserver 192.0.2.53\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{})
	if err != nil || len(h.cfg.DNSServers) != 1 || h.cfg.DNSServers[0] != "192.0.2.53:53" {
		t.Fatalf("resolv.conf servers: %v %v", h, err)
	}
}
