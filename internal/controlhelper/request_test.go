package controlhelper

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// ooniRequest is a request as OONI's probes (web_connectivity v0.5) send it.
const ooniRequest = `{"http_request":"https://www.example.com/","http_request_headers":{"Accept":["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"],"Accept-Language":["en-US;q=0.8,en;q=0.5"],"User-Agent":["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/104.0.0.0 Safari/537.36"]},"tcp_connect":["93.184.216.34:443","[2606:2800:220:1:248:1893:25c8:1946]:443"],"x_quic_enabled":true}`

func TestParseRequestOONI(t *testing.T) {
	req, err := ParseRequest([]byte(ooniRequest))
	if err != nil {
		t.Fatal(err)
	}
	if req.HTTPRequest != "https://www.example.com/" || len(req.TCPConnect) != 2 || !req.XQUICEnabled ||
		len(req.HTTPRequestHeaders["User-Agent"]) != 1 {
		t.Fatalf("%+v", req)
	}
	// OONI's legacy probes send no x_quic_enabled and no headers.
	if _, err := ParseRequest([]byte(`{"http_request":"http://example.org","tcp_connect":[]}`)); err != nil {
		t.Fatal(err)
	}
	// Experimental flags of newer OONI probes are ignored.
	if _, err := ParseRequest([]byte(`{"http_request":"http://example.org","x_future_flag":{"a":[1]}}`)); err != nil {
		t.Fatal(err)
	}
}

func TestParseRequestErrors(t *testing.T) {
	long := "https://example.org/" + strings.Repeat("a", maxURLBytes)
	many := make([]string, maxTCPConnect+1)
	for i := range many {
		many[i] = fmt.Sprintf("192.0.2.%d:443", i%250)
	}
	manyJSON, _ := json.Marshal(many)
	cases := []struct {
		name, body, want string
	}{
		{"empty", ``, "not JSON"},
		{"array", `[]`, "want a JSON object"},
		{"unknown field", `{"http_request":"http://a.example","tcp_conect":[]}`, `unknown field "tcp_conect"`},
		{"duplicate", `{"http_request":"http://a.example","http_request":"http://b.example"}`, "appears twice"},
		{"trailing", `{"http_request":"http://a.example"} {}`, "data after the JSON object"},
		{"missing url", `{"tcp_connect":[]}`, `missing field "http_request"`},
		{"empty url", `{"http_request":""}`, "http_request is empty"},
		{"wrong type", `{"http_request":42}`, `field "http_request"`},
		{"headers not lists", `{"http_request":"http://a.example","http_request_headers":{"A":"b"}}`, `field "http_request_headers"`},
		{"scheme", `{"http_request":"ftp://a.example/"}`, "scheme must be http or https"},
		{"file", `{"http_request":"file:///etc/passwd"}`, "scheme must be http or https"},
		{"no host", `{"http_request":"http:///path"}`, "has no host"},
		{"bad port", `{"http_request":"http://a.example:99999/"}`, "invalid port"},
		{"not a url", `{"http_request":"http://a b.example:x/"}`, "not a URL"},
		{"long url", `{"http_request":"` + long + `"}`, "longer than"},
		{"endpoint not ip", `{"http_request":"http://a.example","tcp_connect":["a.example:443"]}`, "want IP:port"},
		{"endpoint no port", `{"http_request":"http://a.example","tcp_connect":["192.0.2.1"]}`, "want IP:port"},
		{"endpoint port 0", `{"http_request":"http://a.example","tcp_connect":["192.0.2.1:0"]}`, "want IP:port"},
		{"endpoint zone", `{"http_request":"http://a.example","tcp_connect":["[fe80::1%eth0]:80"]}`, "want IP:port"},
		{"too many endpoints", `{"http_request":"http://a.example","tcp_connect":` + string(manyJSON) + `}`, "at most 64"},
		{"header too long", `{"http_request":"http://a.example","http_request_headers":{"A":["` + strings.Repeat("x", 2000) + `"]}}`, "longer than 1024"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseRequest([]byte(c.body))
			if err == nil {
				t.Fatalf("accepted %s", c.body)
			}
			if !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q, want one containing %q", err, c.want)
			}
		})
	}
}

// FuzzParseRequest: the decoder never panics, and what it accepts is a
// request Measure accepts too and that encodes back to an accepted request.
func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(ooniRequest))
	f.Add([]byte(`{"http_request":"http://a.example","tcp_connect":["[::1]:80"],"x_y":null}`))
	f.Add([]byte(`{"http_request":"https://xn--bcher-kva.example:8443/p?q#f"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := ParseRequest(data)
		if err != nil {
			if !errors.Is(err, ErrBadRequest) {
				t.Fatalf("error without ErrBadRequest: %v", err)
			}
			return
		}
		if _, err := parseTarget(req.HTTPRequest); err != nil {
			t.Fatalf("accepted a URL the measurement rejects: %v", err)
		}
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseRequest(again); err != nil {
			t.Fatalf("re-encoded request rejected: %v\n%s", err, again)
		}
	})
}
