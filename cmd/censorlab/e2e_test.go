package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/chserver/chtest"
	"github.com/sonde-project/sonde/internal/lab"
	"github.com/sonde-project/sonde/internal/lab/netns"
	"github.com/sonde-project/sonde/internal/lab/scenario"
)

func TestMain(m *testing.M) {
	lab.Child() // the lab re-executes this test binary for its own programs
	code := chtest.Main(m)
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// binaries builds the real probe, collector, analysis and censorlab once
// per test binary and returns their directory (readable by all, for
// TestDemoWithoutRoot).
func binaries(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "sonde-e2e-bin-"); buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", binDir+"/", "../probe", "../collector", "../analysis", ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		buildErr = os.Chmod(binDir, 0o755)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

// needLab skips with -short, and fails when the lab cannot run here.
func needLab(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: end to end, this test needs root, the lab and ClickHouse")
	}
	if err := netns.Check(); err != nil {
		t.Fatalf("the end-to-end tests need root, ip, nft and tc (go test -short skips them): %v", err)
	}
}

// TestScenariosEndToEnd runs every shipped scenario through the whole of
// sonde: the lab's censor, the real probe binary on the probe host, the
// real collector on the Internet host (uploads, the control helper),
// ClickHouse, the analysis in the collector's loader; then compares the
// stored verdicts with the scenario's expectations, target by target.
func TestScenariosEndToEnd(t *testing.T) {
	needLab(t)
	bin := binaries(t)
	for _, name := range scenario.Shipped() {
		t.Run(name, func(t *testing.T) {
			sc, err := scenario.LoadShipped(name)
			if err != nil {
				t.Fatal(err)
			}
			runScenario(t, bin, sc)
		})
	}
}

func runScenario(t *testing.T, bin string, sc *scenario.Scenario) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	start := time.Now()
	chAddr, db := chtest.Database(t)
	dir := t.TempDir()
	defer keepArtifacts(t, sc.Name, dir)
	l, err := lab.Start(ctx, lab.Config{Scenario: sc, Dir: filepath.Join(dir, "lab")})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	st, err := startStack(ctx, l, stackConfig{Bin: bin, ClickHouse: chAddr, Database: db, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.stop()
	up := time.Since(start)
	var probeOut bytes.Buffer
	n, err := st.measure(ctx, sc, 1, probeOutput{Stdout: &probeOut, Stderr: &probeOut, Quiet: true})
	if err != nil {
		t.Fatalf("%v\n%s", err, probeOut.String())
	}
	measured := time.Since(start)
	verdicts, err := waitVerdicts(ctx, chAddr, db, n, time.Minute)
	if err != nil {
		t.Fatalf("%v\ncollector log:\n%s\nprobe:\n%s", err, st.logTail(), probeOut.String())
	}
	var table bytes.Buffer
	mismatches := writeVerdictTable(&table, sc, verdicts)
	t.Logf("%s: %d targets, %d matched; %d measurements, %d verdicts; lab and collector up in %s, measured by %s, verdicts by %s",
		sc.Name, len(sc.Targets), len(sc.Targets)-len(mismatches), n, len(verdicts), up.Round(time.Millisecond),
		measured.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if len(mismatches) > 0 {
		t.Errorf("%d of %d targets of scenario %s got another verdict than expected:\n%s",
			len(mismatches), len(sc.Targets), sc.Name, table.String())
	} else {
		t.Logf("\n%s", table.String())
	}
}

// keepArtifacts copies, when the test failed, what explains a failure
// (the probe's results, the collector's log and configuration, the lab's
// logs and the censor's packet trace) to $SONDE_ARTIFACTS/e2e-NAME
// (default: sonde-artifacts in the temporary directory), for CI to keep;
// SONDE_E2E_KEEP=1 keeps them for passing tests too.
func keepArtifacts(t *testing.T, name, dir string) {
	if !t.Failed() && os.Getenv("SONDE_E2E_KEEP") == "" {
		return
	}
	root := os.Getenv("SONDE_ARTIFACTS")
	if root == "" {
		root = filepath.Join(os.TempDir(), "sonde-artifacts")
	}
	dst := filepath.Join(root, "e2e-"+name)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Log(err)
		return
	}
	for _, f := range []string{"results.jsonl", "collector.log", "collector.yml", "lab/inet.log", "lab/censor.log", "lab/censor.pcap"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			continue
		}
		_ = os.WriteFile(filepath.Join(dst, filepath.Base(f)), data, 0o644)
	}
	t.Logf("artifacts: %s", dst)
}
