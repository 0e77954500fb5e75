package collectorclient

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sonde-project/sonde/probe/collectorclient/collectortest"
)

func TestUploadThroughSOCKS5(t *testing.T) {
	srv := collectortest.New(t)
	proxy := collectortest.NewSOCKS5(t)
	h, err := NewHTTPClient(proxy.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{BaseURL: srv.URL, HTTP: h}
	m := json.RawMessage(`{"test_name":"dns"}`)
	if _, err := c.BatchSubmit(context.Background(), []json.RawMessage{m}); err != nil {
		t.Fatal(err)
	}
	if len(proxy.Sent()) == 0 || len(srv.Stored()) != 1 {
		t.Errorf("relayed %d connections, stored %d", len(proxy.Sent()), len(srv.Stored()))
	}
	if sent := bytes.Join(proxy.Sent(), nil); !bytes.Contains(sent, []byte(`{"test_name":"dns"}`)) {
		t.Errorf("the proxy did not see the measurement go by: %q", sent)
	}
}

func TestUploadThroughHTTPProxy(t *testing.T) {
	srv := collectortest.New(t)
	var proxied atomic.Int32
	target, _ := url.Parse(srv.URL)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A forward proxy gets the absolute URL of the collector.
		if r.URL.Host != target.Host {
			http.Error(w, "wrong host "+r.URL.Host, http.StatusBadGateway)
			return
		}
		proxied.Add(1)
		out, _ := http.NewRequestWithContext(r.Context(), r.Method, r.URL.String(), r.Body)
		out.Header = r.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	defer proxy.Close()
	h, err := NewHTTPClient(proxy.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{BaseURL: srv.URL, HTTP: h}
	if _, err := c.BatchSubmit(context.Background(), []json.RawMessage{[]byte(`{"test_name":"dns"}`)}); err != nil {
		t.Fatal(err)
	}
	if proxied.Load() != 1 || len(srv.Stored()) != 1 {
		t.Errorf("proxied %d, stored %d", proxied.Load(), len(srv.Stored()))
	}
}

func TestParseProxy(t *testing.T) {
	for in, want := range map[string]string{
		"socks5://127.0.0.1:9050": "",
		"http://proxy:3128":       "",
		"ftp://proxy:21":          `--proxy "ftp://proxy:21": use socks5://HOST:PORT or http://HOST:PORT`,
		"socks5://127.0.0.1":      "give a host and a port",
		"127.0.0.1:9050":          "",
	} {
		_, err := ParseProxy(in)
		switch {
		case want == "" && in == "127.0.0.1:9050":
			if err == nil {
				t.Errorf("%q accepted", in)
			}
		case want == "" && err != nil:
			t.Errorf("%q: %v", in, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}
