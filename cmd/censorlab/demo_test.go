package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/lab"
	"github.com/sonde-project/sonde/internal/lab/scenario"
)

// TestDemo runs what `make demo` runs, with the mixed scenario: it must
// detect the censorship (every expectation met), write a report naming
// every blocked site, print the report's path last, and leave nothing
// behind but the report.
func TestDemo(t *testing.T) {
	needLab(t)
	bin := binaries(t)
	outDir := t.TempDir()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	path, err := runDemo(ctx, demoConfig{Scenario: "mixed", Bin: bin, Out: outDir, Stdout: &stdout, Stderr: &stderr, ProbeQuiet: true})
	if err != nil {
		t.Fatalf("demo: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	text := stdout.String()
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if last := lines[len(lines)-1]; last != path || !filepath.IsAbs(path) {
		t.Errorf("last line %q, want the report's absolute path %q", last, path)
	}
	if strings.Contains(text, "MISMATCH") {
		t.Errorf("the demo's verdicts differ from the scenario's:\n%s", text)
	}
	sc, _ := scenario.LoadShipped("mixed")
	blocked := map[string]bool{}
	for _, tg := range sc.Targets {
		if tg.Expect.Blocking.Method != "" {
			blocked[hostOf(tg.URL)] = true
		}
	}
	rep, err := readReport(strings.TrimSuffix(path, ".html") + ".json")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Headline.BlockedSites != len(blocked) || rep.Headline.MeasuredSites != len(sc.Targets) ||
		rep.Totals.Total() != int64(demoProbes*len(sc.Targets)) {
		t.Errorf("report headline %+v, totals %+v: want %d of %d sites blocked, %d measurements",
			rep.Headline, rep.Totals, len(blocked), len(sc.Targets), demoProbes*len(sc.Targets))
	}
	for _, g := range rep.Groups {
		for _, f := range g.Findings {
			if !blocked[f.Domain] {
				t.Errorf("the report says %s was blocked: %s", f.Domain, f.Sentence)
			}
			delete(blocked, f.Domain)
		}
	}
	if len(blocked) > 0 {
		t.Errorf("the report misses blocked sites %v", blocked)
	}
	html, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(html, []byte(rep.Headline.Sentence)) || !strings.Contains(text, rep.Headline.Sentence) {
		t.Errorf("the HTML report or the output lacks the headline %q (%v)", rep.Headline.Sentence, err)
	}
	checkCleanedUp(t, text)
}

// TestDemoInterrupted: Ctrl-C while the probes measure stops the demo,
// and everything it started is gone.
func TestDemoInterrupted(t *testing.T) {
	needLab(t)
	bin := binaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	stdout := &cancelOn{marker: "probe run -t", cancel: cancel}
	outDir := t.TempDir()
	_, err := runDemo(ctx, demoConfig{Scenario: "mixed", Bin: bin, Out: outDir, Stdout: stdout, Stderr: stdout, ProbeQuiet: true})
	if !errors.Is(err, context.Canceled) && ctx.Err() == nil {
		t.Fatalf("demo after Ctrl-C: %v\n%s", err, stdout.String())
	}
	if !stdout.seen() {
		t.Fatalf("the demo never started measuring: %v\n%s", err, stdout.String())
	}
	checkCleanedUp(t, stdout.String())
	if entries, _ := os.ReadDir(outDir); len(entries) > 0 {
		t.Errorf("an interrupted demo wrote %d files to the report directory", len(entries))
	}
}

// TestDemoWithoutRoot: run by an ordinary user, the demo says what it
// needs and fails.
func TestDemoWithoutRoot(t *testing.T) {
	needLab(t) // as root, to switch to another user
	bin := binaries(t)
	cmd := exec.Command(filepath.Join(bin, "censorlab"), "demo", "--bin", bin, "--out", t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	cmd.Dir = os.TempDir()
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
	for _, want := range []string{"needs root", "sudo make demo"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestDemoNeedsBinaries(t *testing.T) {
	var stderr bytes.Buffer
	err := demoNeeds(demoConfig{Bin: t.TempDir(), Stderr: &stderr})
	if !errors.Is(err, errDemoNeeds) || !strings.Contains(stderr.String(), "probe is missing: build it") {
		t.Errorf("demoNeeds: %v\n%s", err, stderr.String())
	}
}

var (
	labIDRE   = regexp.MustCompile(`lab ([0-9a-f]{6}),`)
	workDirRE = regexp.MustCompile(`(/\S*/sonde-demo-\d+)`)
)

// checkCleanedUp: the lab the output names has no leftovers, the demo's
// working directory (named at the start) is gone, and no
// process runs from it (ClickHouse, the collector).
func checkCleanedUp(t *testing.T, output string) {
	t.Helper()
	m := labIDRE.FindStringSubmatch(output)
	if m == nil {
		t.Fatalf("no lab ID in the output:\n%s", output)
	}
	if left := lab.Leftovers(m[1]); len(left) > 0 {
		t.Errorf("lab %s left %v", m[1], left)
	}
	w := workDirRE.FindStringSubmatch(output)
	if w == nil {
		t.Fatalf("no working directory in the output:\n%s", output)
	}
	if _, err := os.Stat(w[1]); !os.IsNotExist(err) {
		t.Errorf("the demo's directory %s is still there (%v)", w[1], err)
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if data, err := os.ReadFile(p); err == nil && bytes.Contains(data, []byte(w[1])) {
			t.Errorf("%s still runs: %s", filepath.Dir(p), bytes.ReplaceAll(data, []byte{0}, []byte{' '}))
		}
	}
}

// cancelOn collects output and cancels 2s after marker appears in it.
type cancelOn struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	cancel func()
	hit    bool
}

func (c *cancelOn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if !c.hit && strings.Contains(c.buf.String(), c.marker) {
		c.hit = true
		time.AfterFunc(2*time.Second, c.cancel) // the probes are measuring by then
	}
	return len(p), nil
}

func (c *cancelOn) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

func (c *cancelOn) seen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hit
}

func hostOf(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	host, _, _ := strings.Cut(u, "/")
	return host
}
