package runner

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sonde-project/sonde/probe/nettest"
)

// lockedBuffer is a bytes.Buffer safe for the progress goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestProgressPlainLines(t *testing.T) {
	var buf lockedBuffer
	out := filepath.Join(t.TempDir(), "r.jsonl")
	blocked := map[string]string{"https://site1.example/": "tcp_ip"}
	_, err := Run(context.Background(), Config{Tests: []nettest.Measurer{echo("web_connectivity", blocked)},
		Targets: urls(3), Output: out, Parallel: 1, Progress: &buf})
	if err != nil {
		t.Fatal(err)
	}
	want := "measuring 3 (test, target) pairs\n" +
		"[1/3] web_connectivity https://site0.example/: ok\n" +
		"[2/3] web_connectivity https://site1.example/: looks blocked (tcp_ip)\n" +
		"[3/3] web_connectivity https://site2.example/: ok\n"
	if got := buf.String(); got != want {
		t.Errorf("progress:\n%s\nwant:\n%s", got, want)
	}
}

func TestProgressTerminalLine(t *testing.T) {
	var buf lockedBuffer
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
	out := filepath.Join(t.TempDir(), "r.jsonl")
	blocked := map[string]string{"https://site1.example/": "dns"}
	_, err := Run(context.Background(), Config{Tests: []nettest.Measurer{echo("web_connectivity", blocked)},
		Targets: urls(4), Output: out, Parallel: 1, Progress: &buf, Terminal: true, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	for _, want := range []string{
		"\r\x1b[Kweb_connectivity https://site1.example/: looks blocked (dns)\n",
		"\r\x1b[K4/4  ",
		"blocked: 1  failed: 0",
		"0s left",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("terminal progress lacks %q:\n%q", want, got)
		}
	}
	if strings.Contains(got, "site0") {
		t.Errorf("terminal progress printed a line for a target that was fine:\n%q", got)
	}
	if !strings.HasSuffix(got, "\n") {
		t.Errorf("terminal progress does not end on a fresh line: %q", got)
	}
}

func TestSummaryPrint(t *testing.T) {
	s := &Summary{
		Output: "out.jsonl", Targets: 4, Planned: 6, Written: 5, AlreadyDone: 2, CouldNotRun: 1,
		Problems:   []Problem{{Test: "dns", Input: "bad input", Err: "not a domain"}},
		Blocked:    map[string][]string{"https://a/": {"dns", "dns"}, "https://b/": {"tcp_ip", "http-failure"}},
		NotBlocked: 2, Undecided: 1, Failures: map[string]int{"connection_reset": 2},
		Elapsed: 1500 * time.Millisecond,
	}
	var buf bytes.Buffer
	s.Print(&buf)
	want := `
Done: 6 measurements of 4 targets in 1.5s.
Skipped 2 measurements already in out.jsonl.
2 of 4 targets looked blocked:
  dns               1  the name did not resolve to the site's real address
  http-failure      1  the web request failed
  tcp_ip            1  connections to the site's address failed
  - https://a/ (dns)
  - https://b/ (http-failure, tcp_ip)
Not blocked: 2 measurements; could not tell: 1.
Network failures seen: connection_reset ×2;
Could not measure 1 (nothing written; a re-run tries again):
  - dns bad input: not a domain
Results: out.jsonl (5 new measurements; read them with: jq . out.jsonl)
`
	if buf.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", buf.String(), want)
	}
	s.Interrupted, s.Blocked = true, map[string][]string{}
	buf.Reset()
	s.Print(&buf)
	if !strings.Contains(buf.String(), "Stopped after 6 of 6 measurements (1.5s). Run the same command again to continue.") ||
		!strings.Contains(buf.String(), "No target looked blocked.") {
		t.Errorf("interrupted summary:\n%s", buf.String())
	}
}
