package collectorclient

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sonde-project/sonde/probe/collectorclient/collectortest"
)

// socks5Server is a minimal SOCKS5 proxy (RFC 1928: no authentication,
// CONNECT only) on loopback, counting the connections it relays.
func socks5Server(t *testing.T) (addr string, relayed *atomic.Int32) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	relayed = new(atomic.Int32)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go socks5Relay(c, relayed)
		}
	}()
	return l.Addr().String(), relayed
}

func socks5Relay(c net.Conn, relayed *atomic.Int32) {
	defer c.Close()
	buf := make([]byte, 262)
	// Greeting: version, methods.
	if _, err := io.ReadFull(c, buf[:2]); err != nil || buf[0] != 5 {
		return
	}
	if _, err := io.ReadFull(c, buf[:buf[1]]); err != nil {
		return
	}
	c.Write([]byte{5, 0})
	// Request: version, CONNECT, reserved, address type.
	if _, err := io.ReadFull(c, buf[:4]); err != nil || buf[1] != 1 {
		return
	}
	var host string
	switch buf[3] {
	case 1:
		io.ReadFull(c, buf[:4])
		host = net.IP(buf[:4]).String()
	case 3:
		io.ReadFull(c, buf[:1])
		n := int(buf[0])
		io.ReadFull(c, buf[:n])
		host = string(buf[:n])
	default:
		return
	}
	io.ReadFull(c, buf[:2])
	port := binary.BigEndian.Uint16(buf[:2])
	up, err := net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(int(port))))
	if err != nil {
		c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	defer up.Close()
	relayed.Add(1)
	c.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0})
	done := make(chan struct{})
	go func() { io.Copy(up, c); up.(*net.TCPConn).CloseWrite(); close(done) }()
	io.Copy(c, up)
	<-done
}

func TestUploadThroughSOCKS5(t *testing.T) {
	srv := collectortest.New(t)
	proxyAddr, relayed := socks5Server(t)
	h, err := NewHTTPClient("socks5://"+proxyAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{BaseURL: srv.URL, HTTP: h}
	m := json.RawMessage(`{"test_name":"dns"}`)
	if _, err := c.BatchSubmit(context.Background(), []json.RawMessage{m}); err != nil {
		t.Fatal(err)
	}
	if relayed.Load() == 0 || len(srv.Stored()) != 1 {
		t.Errorf("relayed %d connections, stored %d", relayed.Load(), len(srv.Stored()))
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
