package publicip

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	cases := []struct {
		name, body string
		code       int
		want, err  string
	}{
		{"plain text", "203.0.113.9\n", 200, "203.0.113.9", ""},
		{"json", `{"ip":"2001:db8::7"}`, 200, "2001:db8::7", ""},
		{"mapped", "::ffff:198.51.100.4", 200, "198.51.100.4", ""},
		{"html", "<html>your ip</html>", 200, "", "the answer is not an IP address"},
		{"bad json", `{"ip":1}`, 200, "", "not JSON with an ip field"},
		{"loopback", "127.0.0.1", 200, "", "127.0.0.1 cannot be a public address"},
		{"status", "", 500, "", "answered 500"},
		{"too long", strings.Repeat(" ", 2000) + "203.0.113.9", 200, "", "more than 1024 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(c.code)
				w.Write([]byte(c.body))
			}))
			defer srv.Close()
			a, err := Lookup(context.Background(), nil, srv.URL)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || a.String() != c.want {
				t.Fatalf("got %v, %v", a, err)
			}
		})
	}
	if _, err := Lookup(context.Background(), nil, "ftp://x/"); err == nil || !strings.Contains(err.Error(), "give an http or https URL") {
		t.Errorf("ftp URL: %v", err)
	}
}

func TestIsPublic(t *testing.T) {
	for s, want := range map[string]bool{
		"203.0.113.9": true, "8.8.8.8": true, "2a00:1450::1": true, "::ffff:8.8.8.8": true,
		"10.1.2.3": false, "192.168.1.1": false, "172.16.0.1": false, "fd00::1": false,
		"127.0.0.1": false, "::1": false, "fe80::1": false, "169.254.1.1": false, "0.0.0.0": false,
	} {
		if got := IsPublic(netip.MustParseAddr(s)); got != want {
			t.Errorf("IsPublic(%s) = %v", s, got)
		}
	}
}

func TestLocalHasNoPrivateAddress(t *testing.T) {
	addrs, err := Local()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if !IsPublic(a) {
			t.Errorf("Local returned %s", a)
		}
	}
}

func FuzzParseAnswer(f *testing.F) {
	f.Add([]byte("203.0.113.9\n"))
	f.Add([]byte(`{"ip":"2001:db8::1"}`))
	f.Add([]byte("fe80::1%eth0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseAnswer(b)
		if err == nil && (!a.IsValid() || a.IsLoopback() || a.Zone() != "") {
			t.Fatalf("accepted %v", a)
		}
	})
}
