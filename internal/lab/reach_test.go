package lab

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/lab/check"
	"github.com/sonde-project/sonde/internal/lab/sites"
)

// TestForwardReachesTheHost: a program on the Internet host reaches a
// server on this host's loopback through Forward (as the collector
// reaches ClickHouse), the listener exists only inside the lab, and Close
// tears it down with a connection still open.
func TestForwardReachesTheHost(t *testing.T) {
	l := privateLab(t)
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html><head><title>on the host</title></head></html>")
	}))
	defer host.Close()
	addr, err := l.Forward(Internet, "127.0.0.1:0", host.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Check(ctxT(t, 30*time.Second), Internet, check.Request{Kind: check.HTTP, URL: "http://" + addr.String() + "/"})
	if err != nil || res.Failure != "" || res.Title != "on the host" {
		t.Fatalf("from the Internet host: %+v, %v", res, err)
	}
	if c, err := net.DialTimeout("tcp", addr.String(), time.Second); err == nil {
		c.Close()
		t.Fatalf("%s answers in the root namespace too: the listener is not in the lab", addr)
	}
	if res, err := l.Check(ctxT(t, 30*time.Second), Probe, check.Request{Kind: check.HTTP, URL: "http://" + addr.String() + "/", Timeout: time.Second}); err != nil || res.Failure == "" {
		t.Errorf("the probe host reached the Internet host's loopback: %+v, %v", res, err)
	}

	// A connection left open when the lab closes.
	open, err := l.Dial(ctxT(t, 10*time.Second), Internet, "tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	fmt.Fprint(open, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, err := open.Read(make([]byte, 10)); err != nil {
		t.Fatalf("relayed read: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close hung with a relayed connection open")
	}
	if left := Leftovers(l.ID); len(left) > 0 {
		t.Errorf("left after Close: %v", left)
	}
	if _, err := io.ReadAll(open); err != nil && !strings.Contains(err.Error(), "reset") {
		t.Errorf("the open connection after Close: %v", err)
	}
	if _, err := l.Forward(Internet, "127.0.0.1:0", host.Listener.Addr().String()); err == nil {
		t.Error("Forward on a closed lab worked")
	}
}

// TestServeInTheLab: a server of this process listens on the collector's
// address inside the lab with a certificate from the lab CA; HTTPClient
// reaches it by name, and reaches the lab's sites.
func TestServeInTheLab(t *testing.T) {
	l := sharedLab(t)
	cert, key, err := l.IssueCert([]string{sites.CollectorName}, []netip.Addr{sites.Collector})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(cert, key)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := l.Listen(Internet, "tcp", sites.Collector.String()+":8443")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "collector here") }),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{pair}},
		ReadHeaderTimeout: 5 * time.Second,
	}
	served := make(chan error, 1)
	go func() { served <- srv.ServeTLS(ln, "", "") }()
	defer func() {
		srv.Close()
		<-served
	}()

	client := l.HTTPClient(Internet, map[string]netip.Addr{sites.CollectorName: sites.Collector, "example.org": netip.MustParseAddr("203.0.113.10")})
	defer client.CloseIdleConnections()
	get := func(url string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		return string(body)
	}
	if got := get("https://" + sites.CollectorName + ":8443/"); got != "collector here" {
		t.Errorf("collector: %q", got)
	}
	if got := get("https://example.org/"); !strings.Contains(got, "Example Domain") {
		t.Errorf("example.org: %q", got)
	}
	if _, err := l.Dial(context.Background(), Internet, "tcp", "example.org:443"); err == nil {
		t.Error("Dial resolved a name")
	}
}
