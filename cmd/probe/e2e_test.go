package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/targettest"
)

// pages serves /page/N: a small HTML page, after delay.
func pages(delay time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<html><head><title>%s</title></head><body>a page</body></html>", r.URL.Path)
	})
}

func pageURLs(base string, n int) []string {
	urls := make([]string, n)
	for i := range urls {
		urls[i] = fmt.Sprintf("%s/page/%d", base, i)
	}
	return urls
}

// TestBinaryMeasuresAListOfURLs: what a volunteer does. The binary runs
// the real http test over a list of URLs on a loopback server and writes
// OONI JSONL that jq reads.
func TestBinaryMeasuresAListOfURLs(t *testing.T) {
	web := targettest.NewHTTPServer(t, pages(0))
	dir := t.TempDir()
	list := writeList(t, dir, pageURLs(web.URL, 20))
	out := filepath.Join(dir, "results.jsonl")
	cmd := probeCmd(t, filepath.Join(dir, "home"), "run", "-t", "http", "-f", list, "-o", out, "--no-upload", "--yes", "--parallel", "4")
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("probe run: %v\n%s", err, stderrOf(err))
	}
	ms := resultLines(t, out)
	if len(ms) != 20 {
		t.Fatalf("%d measurements, want 20", len(ms))
	}
	for _, m := range ms {
		if m.TestName != "http" || m.ProbeIP != "127.0.0.1" || !strings.HasPrefix(string(m.Input), web.URL+"/page/") {
			t.Errorf("measurement %+v", m)
		}
		if !strings.Contains(string(m.TestKeys), `"status_code":200`) {
			t.Errorf("test keys %s", m.TestKeys)
		}
	}
	if !strings.Contains(string(stdout), "Done: 20 measurements of 20 targets") || !strings.Contains(string(stdout), "No target looked blocked.") {
		t.Errorf("summary:\n%s", stdout)
	}
	// jq reads it, when this machine has jq (the Go check above reads every
	// line as JSON either way).
	if jq, err := exec.LookPath("jq"); err == nil {
		got, err := exec.Command(jq, "-c", "{input, test_name, status: .test_keys.status_code}", out).Output()
		if err != nil {
			t.Fatalf("jq: %v", err)
		}
		if n := strings.Count(string(got), `"status":200`); n != 20 {
			t.Errorf("jq read %d measurements:\n%s", n, got)
		}
	}
}

// TestBinaryCtrlCThenResume sends a real SIGINT to the probe: it stops,
// writes what finished, exits 130; the same command then finishes the
// list, and every URL is measured exactly once.
func TestBinaryCtrlCThenResume(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	web := targettest.NewHTTPServer(t, pages(150*time.Millisecond))
	dir := t.TempDir()
	list := writeList(t, dir, pageURLs(web.URL, 30))
	out := filepath.Join(dir, "results.jsonl")
	args := []string{"run", "-t", "http", "-f", list, "-o", out, "--no-upload", "--yes", "--parallel", "2"}
	cmd := probeCmd(t, filepath.Join(dir, "home"), args...)
	var stdout strings.Builder
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for a few measurements, then press Ctrl-C.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, _ := os.ReadFile(out); strings.Count(string(b), "\n") >= 4 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Fatalf("after Ctrl-C: %v, want exit status 130\n%s", err, stdout.String())
	}
	first := resultLines(t, out)
	if len(first) < 4 || len(first) >= 30 || !strings.Contains(stdout.String(), "Run the same command again to continue") {
		t.Fatalf("%d measurements after Ctrl-C\n%s", len(first), stdout.String())
	}
	again, err := probeCmd(t, filepath.Join(dir, "home"), args...).Output()
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, stderrOf(err))
	}
	all := resultLines(t, out)
	seen := map[string]int{}
	for _, m := range all {
		seen[string(m.Input)]++
	}
	if len(all) != 30 || len(seen) != 30 {
		t.Fatalf("%d measurements of %d URLs after resuming, want 30 of 30", len(all), len(seen))
	}
	if want := fmt.Sprintf("Skipped %d measurements already in", len(first)); !strings.Contains(string(again), want) {
		t.Errorf("resume summary lacks %q:\n%s", want, again)
	}
}

func stderrOf(err error) string {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(exit.Stderr)
	}
	return ""
}
