// Package browsertest loads pages in a real headless Chromium (Debian's
// chromium package) for tests, and reports what a reader would see: the
// DOM after load, console errors (including Content-Security-Policy
// violations), the network requests the page made, and a screenshot.
//
// # Design
//
// Chromium is driven over the DevTools protocol (CDP) on its WebSocket,
// with golang.org/x/net/websocket, already a dependency: the few commands
// needed (open a tab, navigate, evaluate, screenshot) and the events read
// (console, log, exceptions, requests, load) fit in a small client, where a
// CDP library would bring hundreds of generated types. The flags keep
// Chromium from reaching for the network it does not have (updates,
// QUIC, sync), without which it hangs on a closed network.
//
// A test that needs the browser fails when Chromium cannot start; only
// `go test -short` skips it.
package browsertest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// callTimeout bounds every DevTools command.
const callTimeout = 20 * time.Second

// Browser is one headless Chromium process.
type Browser struct {
	cmd  *exec.Cmd
	ws   *websocket.Conn
	done sync.WaitGroup

	mu      sync.Mutex
	nextID  int64
	waiting map[int64]chan message
	// listeners get the events of one session.
	listeners map[string]func(message)
}

type message struct {
	ID        int64           `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// Binary is the Chromium executable: $SONDE_CHROMIUM, or chromium on the
// PATH (Debian's /usr/bin/chromium).
func Binary() (string, error) {
	if p := os.Getenv("SONDE_CHROMIUM"); p != "" {
		return p, nil
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		return "", fmt.Errorf("chromium not found: install Debian's chromium package (scripts/deps.sh browser, as root): %w", err)
	}
	return p, nil
}

var listening = regexp.MustCompile(`DevTools listening on (ws://\S+)`)

// Start runs a headless Chromium for the test, stopped when the test ends.
func Start(t testing.TB) *Browser {
	t.Helper()
	if testing.Short() {
		t.Skip("needs Chromium; skipped because of -short")
	}
	bin, err := Binary()
	if err != nil {
		t.Fatalf("this test needs a browser: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
		"--user-data-dir="+t.TempDir(), "--remote-debugging-address=127.0.0.1",
		"--remote-debugging-port=0", "--remote-allow-origins=http://127.0.0.1",
		"--window-size=1200,900", "about:blank")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("this test needs a browser: start %s: %v", bin, err)
	}
	b := &Browser{cmd: cmd, waiting: map[int64]chan message{}, listeners: map[string]func(message){}}
	found := make(chan string, 1)
	b.done.Add(1)
	go func() { // reads Chromium's log until it exits
		defer b.done.Done()
		sc := bufio.NewScanner(stderr)
		var tail []string
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
			tail = append(tail[max(0, len(tail)-20):], sc.Text())
		}
		close(found)
		if t.Failed() {
			t.Logf("chromium's last log lines:\n%s", strings.Join(tail, "\n"))
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	stop := func() {
		cancel()
		_ = cmd.Wait()
		b.done.Wait()
	}
	var wsURL string
	select {
	case u, ok := <-found:
		if !ok {
			stop()
			t.Fatalf("this test needs a browser: chromium exited before listening")
		}
		wsURL = u
	case <-time.After(30 * time.Second):
		stop()
		t.Fatalf("this test needs a browser: chromium did not start within 30s")
	}
	cfg, err := websocket.NewConfig(wsURL, "http://127.0.0.1")
	if err == nil {
		cfg.Dialer = nil
		b.ws, err = websocket.DialConfig(cfg)
	}
	if err != nil {
		stop()
		t.Fatalf("connect to chromium: %v", err)
	}
	b.ws.MaxPayloadBytes = 128 << 20
	b.done.Add(1)
	go b.read()
	t.Cleanup(func() {
		ctx, cancelCall := context.WithTimeout(context.Background(), 5*time.Second)
		_, _ = b.call(ctx, "", "Browser.close", nil)
		cancelCall()
		_ = b.ws.Close()
		timer := time.AfterFunc(10*time.Second, cancel)
		_ = cmd.Wait()
		timer.Stop()
		cancel()
		b.done.Wait()
	})
	return b
}

// read dispatches answers to their callers and events to their session's
// listener, until the connection closes.
func (b *Browser) read() {
	defer b.done.Done()
	for {
		var m message
		if err := websocket.JSON.Receive(b.ws, &m); err != nil {
			b.mu.Lock()
			for id, ch := range b.waiting {
				close(ch)
				delete(b.waiting, id)
			}
			b.mu.Unlock()
			return
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch := b.waiting[m.ID]; ch != nil {
				ch <- m
				delete(b.waiting, m.ID)
			}
		} else if l := b.listeners[m.SessionID]; l != nil {
			l(m)
		}
		b.mu.Unlock()
	}
}

// call sends one command and waits for its answer.
func (b *Browser) call(ctx context.Context, session, method string, params any) (json.RawMessage, error) {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan message, 1)
	b.waiting[id] = ch
	b.mu.Unlock()
	raw, err := json.Marshal(params)
	if err != nil {
		return nil, err
	}
	if params == nil {
		raw = []byte("{}")
	}
	if err := websocket.JSON.Send(b.ws, message{ID: id, Method: method, Params: raw, SessionID: session}); err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return nil, fmt.Errorf("%s: connection to chromium closed", method)
		}
		if m.Error != nil {
			return nil, fmt.Errorf("%s: %s", method, m.Error.Message)
		}
		return m.Result, nil
	case <-ctx.Done():
		b.mu.Lock()
		delete(b.waiting, id)
		b.mu.Unlock()
		return nil, fmt.Errorf("%s: %w", method, ctx.Err())
	}
}
