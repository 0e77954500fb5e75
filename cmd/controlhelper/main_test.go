package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"encoding/json"
	"github.com/sonde-project/sonde/internal/measurement"
)

func TestHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, &out, &errOut, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Usage:", "--allow-prefix", "-max-concurrency", "oohelperd", "never connects to loopback"} {
		if !strings.Contains(out.String(), strings.TrimPrefix(want, "-")) {
			t.Errorf("--help lacks %q:\n%s", want, out.String())
		}
	}
	if errOut.Len() != 0 {
		t.Errorf("--help wrote to stderr: %q", errOut.String())
	}
}

func TestFlagErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--allow-prefix", "10.0.0.1"}, "want an address range"},
		{[]string{"--tls-cert", "c.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"--max-concurrency", "0"}, "must be positive"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--no-such-flag"}, "flag provided but not defined"},
	}
	for _, c := range cases {
		_, err := parseFlags(c.args, io.Discard)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want usage error with %q", c.args, err, c.want)
		}
	}
	o, err := parseFlags([]string{"--allow-prefix", "0.0.0.0/0", "--dns-server", "127.0.0.1:53"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.config(nil); err == nil || !strings.Contains(err.Error(), "too wide") {
		t.Errorf("0.0.0.0/0 accepted: %v", err)
	}
	o, _ = parseFlags([]string{"--ca-file", t.TempDir() + "/none.pem"}, io.Discard)
	if _, err := o.config(nil); err == nil || !strings.Contains(err.Error(), "--ca-file") {
		t.Errorf("missing CA file: %v", err)
	}
	if _, err := parseFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

// TestServe runs the binary's server on loopback and measures a site.
func TestServe(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<title>served</title>")
	}))
	defer site.Close()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan net.Addr, 1)
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() {
		done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--allow-prefix", "127.0.0.0/8",
			"--dns-server", "127.0.0.1:1"}, io.Discard, &logs, ready)
	}()
	var addr net.Addr
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	base := "http://" + addr.String()
	body := `{"http_request":"` + site.URL + `/","tcp_connect":["` + strings.TrimPrefix(site.URL, "http://") + `"]}`
	resp, err := http.Post(base+"/", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var cr measurement.ControlResponse
	err = json.NewDecoder(resp.Body).Decode(&cr)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || cr.HTTPRequest.Title != "served" {
		t.Fatalf("%d %+v %v", resp.StatusCode, cr, err)
	}
	resp, err = http.Get(base + "/health")
	if err != nil {
		t.Fatal(err)
	}
	health, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(string(health), "ok measured=1") {
		t.Fatalf("health %q", health)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if !strings.Contains(logs.String(), "control helper listening") || !strings.Contains(logs.String(), "non-public addresses is allowed") {
		t.Fatalf("logs: %s", logs.String())
	}
}
