package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/probe/catalog"
	"github.com/sonde-project/sonde/probe/nettest"
	"github.com/sonde-project/sonde/probe/upload"
)

// The tests of this file run the command in this process with test-only
// Measurers: they check the command's wiring (flags, consent, targets,
// the collector, scrubbing, stopping), not network behaviour.

// plantedIP is the volunteer's public address in these tests.
const plantedIP = "203.0.113.50"

// echoTest says "not blocked" and records its input, and the planted
// address in a body and a header, as a page showing "your IP" would.
type echoTest struct{}

func (echoTest) Name() string    { return "echo" }
func (echoTest) Version() string { return "0.1.0" }
func (echoTest) Measure(_ context.Context, env *nettest.Env, input string) (*nettest.Result, error) {
	keys := map[string]any{
		"input": input, "options": env.Options, "control": env.ControlURL,
		"body": "Your IP is " + plantedIP, "headers": map[string]string{"X-Client-IP": plantedIP},
	}
	res := &nettest.Result{TestKeys: keys, Blocking: measurement.NotBlocked}
	if strings.Contains(input, "blocked") {
		res.Blocking = measurement.BlockedBy(measurement.BlockingDNS)
	}
	return res, nil
}

// gateTest holds every measurement until release is closed.
type gateTest struct {
	started chan string
	release chan struct{}
}

func (g *gateTest) Name() string    { return "gate" }
func (g *gateTest) Version() string { return "0.1.0" }
func (g *gateTest) Measure(ctx context.Context, _ *nettest.Env, input string) (*nettest.Result, error) {
	g.started <- input
	select {
	case <-g.release:
	case <-ctx.Done():
	}
	return &nettest.Result{TestKeys: map[string]string{"input": input}, Blocking: measurement.NotBlocked}, nil
}

// syncBuffer is safe for the progress goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness is one probe invocation in this process.
type harness struct {
	app            *app
	stdout, stderr *syncBuffer
	signals        chan os.Signal
	dir            string
}

func newHarness(t *testing.T, gate *gateTest) *harness {
	h := &harness{stdout: &syncBuffer{}, stderr: &syncBuffer{}, signals: make(chan os.Signal, 2), dir: t.TempDir()}
	tests := map[string]catalog.Entry{
		"echo": {New: func() nettest.Measurer { return echoTest{} }, Input: "anything", Summary: "echoes its input"},
	}
	if gate != nil {
		tests["gate"] = catalog.Entry{New: func() nettest.Measurer { return gate }, Input: "anything", Summary: "waits"}
	}
	h.app = &app{
		stdin: strings.NewReader(""), stdout: h.stdout, stderr: h.stderr, tests: tests,
		now:          time.Now,
		notifySignal: func() (<-chan os.Signal, func()) { return h.signals, func() {} },
		backoff:      upload.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond},
	}
	t.Setenv("SONDE_PROBE_HOME", filepath.Join(h.dir, "home"))
	return h
}

func (h *harness) run(args ...string) int {
	h.stdout.mu.Lock()
	h.stdout.b.Reset()
	h.stdout.mu.Unlock()
	h.stderr.mu.Lock()
	h.stderr.b.Reset()
	h.stderr.mu.Unlock()
	return h.app.main(context.Background(), args)
}

// readResults parses a results file, failing on any line that is not a
// measurement.
func readResults(t *testing.T, path string) []*measurement.Measurement {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []*measurement.Measurement
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if line == "" {
			continue
		}
		m, err := measurement.Parse([]byte(line))
		if err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		out = append(out, m)
	}
	return out
}
