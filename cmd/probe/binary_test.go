package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sonde-project/sonde/internal/measurement"
)

// The probe binary, built once for the tests and benchmarks that run it
// as a volunteer would. PROBE_BIN names one already built (make
// bench-probe passes bin/probe).
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

func probeBinary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		if p := os.Getenv("PROBE_BIN"); p != "" {
			binPath = p
			return
		}
		buildDir, buildErr = os.MkdirTemp("", "probe-bin")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "probe")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binPath
}

// probeCmd prepares the binary with its own home directory.
func probeCmd(tb testing.TB, home string, args ...string) *exec.Cmd {
	cmd := exec.Command(probeBinary(tb), args...)
	cmd.Env = append(os.Environ(), "SONDE_PROBE_HOME="+home)
	return cmd
}

// resultLines checks that every line of a results file is one OONI
// measurement and returns them.
func resultLines(tb testing.TB, path string) []*measurement.Measurement {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		tb.Fatalf("%s does not end with a newline", path)
	}
	var out []*measurement.Measurement
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		m, err := measurement.Parse(sc.Bytes())
		if err != nil {
			tb.Fatalf("line %d of %s: %v", len(out)+1, path, err)
		}
		out = append(out, m)
	}
	return out
}

// writeList writes targets one per line.
func writeList(tb testing.TB, dir string, inputs []string) string {
	path := filepath.Join(dir, "list.txt")
	if err := os.WriteFile(path, []byte("# targets\n"+strings.Join(inputs, "\n")+"\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}
