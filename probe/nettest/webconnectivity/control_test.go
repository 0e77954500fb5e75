package webconnectivity

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
)

func TestControlClientFailures(t *testing.T) {
	good := `{"tcp_connect":{},"http_request":{"status_code":200,"body_length":5,"headers":{}},"dns":{"failure":null,"addrs":["192.0.2.1"]}}`
	cases := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"ok", func(w http.ResponseWriter, r *http.Request) {
			var req measurement.ControlRequest
			if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&req) != nil || req.HTTPRequest != "https://example.org/" {
				http.Error(w, "bad", http.StatusBadRequest)
				return
			}
			w.Write([]byte(good))
		}, ""},
		{"status", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "busy", http.StatusServiceUnavailable) }, failure.HTTPUnexpectedStatusCode},
		{"not json", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) }, failure.JSONParse},
		{"empty object", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) }, failure.JSONParse},
		{"too large", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"tcp_connect":{},"x":"`))
			w.Write([]byte(strings.Repeat("a", maxControlAnswer)))
			w.Write([]byte(`"}`))
		}, failure.JSONParse},
		{"slow", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body) // then the server notices the client leaving
			<-r.Context().Done()
		}, failure.GenericTimeout},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(c.handler)
			defer srv.Close()
			client := newControlClient(srv.URL+"/", nil, 300*time.Millisecond)
			ctrl, f := client.query(context.Background(), measurement.ControlRequest{HTTPRequest: "https://example.org/"})
			if f != c.want || (f == "") != (ctrl != nil) {
				t.Fatalf("failure %q (answer %v), want %q", f, ctrl != nil, c.want)
			}
		})
	}
	_, f := newControlClient("", nil, time.Second).query(context.Background(), measurement.ControlRequest{})
	if !failure.IsUnknown(f) || !strings.Contains(f, "no control helper") {
		t.Fatalf("no URL: %q", f)
	}
}

// FuzzDecodeControl: a control helper's answer, whatever it is, decodes
// or is refused; what decodes encodes again.
func FuzzDecodeControl(f *testing.F) {
	f.Add([]byte(`{"tcp_connect":{"192.0.2.1:443":{"status":true,"failure":null}},"tls_handshake":{},"quic_handshake":{},"http_request":{"body_length":1256,"discovered_h3_endpoint":"","failure":null,"title":"Example Domain","headers":{"Server":"x"},"status_code":200},"http3_request":null,"dns":{"failure":null,"addrs":["192.0.2.1"]},"ip_info":{"192.0.2.1":{"asn":15133,"flags":11}}}`))
	f.Add([]byte(`{"tcp_connect":null,"http_request":{"body_length":-1,"failure":"unknown_error","status_code":-1,"headers":{}},"dns":{"failure":"dns_name_error","addrs":[]}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctrl, err := decodeControl(data)
		if err != nil {
			return
		}
		if _, err := json.Marshal(ctrl); err != nil {
			t.Fatalf("decoded answer does not encode: %v", err)
		}
	})
}

// TestControlClientRetriesABusyHelper: a helper at its concurrency limit
// (503, 429) is asked again within the control's deadline; one that stays
// busy, or says no for another reason, is not asked forever.
func TestControlClientRetriesABusyHelper(t *testing.T) {
	good := `{"tcp_connect":{},"http_request":{"status_code":200,"body_length":5,"headers":{}},"dns":{"failure":null,"addrs":["192.0.2.1"]}}`
	cases := []struct {
		name      string
		statuses  []int // answers before the good one
		wantCalls int
		want      string
	}{
		{"busy once", []int{503}, 2, ""},
		{"rate limited twice", []int{429, 503}, 3, ""},
		{"busy for good", []int{503, 503, 503, 503}, maxControlAttempts, failure.HTTPUnexpectedStatusCode},
		{"refused", []int{400}, 1, failure.HTTPUnexpectedStatusCode},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				if calls <= len(c.statuses) {
					w.Header().Set("Retry-After", "0")
					http.Error(w, "busy", c.statuses[calls-1])
					return
				}
				w.Write([]byte(good))
			}))
			defer srv.Close()
			ctrl, f := newControlClient(srv.URL, nil, 5*time.Second).query(context.Background(), measurement.ControlRequest{HTTPRequest: "https://example.org/"})
			if f != c.want || (f == "") != (ctrl != nil) || calls != c.wantCalls {
				t.Fatalf("failure %q (answer %v) after %d calls, want %q after %d", f, ctrl != nil, calls, c.want, c.wantCalls)
			}
		})
	}
	// A Retry-After longer than the time left is not waited for: the
	// probe gives up at once instead of at its deadline.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "4")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	start := time.Now()
	_, f := newControlClient(srv.URL, nil, 3*time.Second).query(context.Background(), measurement.ControlRequest{HTTPRequest: "https://example.org/"})
	if f != failure.HTTPUnexpectedStatusCode || time.Since(start) > 2*time.Second {
		t.Fatalf("failure %q after %v", f, time.Since(start))
	}
}
