package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sonde-project/sonde/internal/chserver"
	"github.com/sonde-project/sonde/internal/lab"
	"github.com/sonde-project/sonde/internal/lab/netns"
	"github.com/sonde-project/sonde/internal/lab/scenario"
)

// demoConfig is what `censorlab demo` runs.
type demoConfig struct {
	Scenario string // shipped name or file
	Bin      string // directory of probe, collector, analysis
	Out      string // where the report goes
	// Stdout receives the story and the report; Stderr the probe's
	// progress display and errors.
	Stdout, Stderr io.Writer
	// ProbeQuiet turns the probe's progress display off (tests).
	ProbeQuiet bool
}

// demoDatabase is the ClickHouse database of the demo's private server.
const demoDatabase = "sonde"

// demoProbes is how many probes measure at once in the demo, like
// volunteers on the same network: a report counts a site as blocked in a
// network only from several measurements (analysis/blockevent's
// MinMeasurements, 5), never from one.
const demoProbes = 5

func demoCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	name := fs.String("scenario", "mixed", "shipped scenario name or scenario file")
	bin := fs.String("bin", "", "directory holding the probe, collector and analysis binaries (default: this binary's)")
	outDir := fs.String("out", "out", "directory for the report (HTML, JSON, CSV)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		*bin = filepath.Dir(exe)
	}
	cfg := demoConfig{Scenario: *name, Bin: *bin, Out: *outDir, Stdout: out, Stderr: os.Stderr}
	if err := demoNeeds(cfg); err != nil {
		return err
	}
	_, err := runDemo(ctx, cfg)
	if err != nil && ctx.Err() != nil {
		fmt.Fprintln(out, "\nInterrupted: the lab, the collector and ClickHouse were stopped and removed.")
		return errInterrupted
	}
	return err
}

// errInterrupted ends a demo stopped by Ctrl-C (exit status 130).
var errInterrupted = errors.New("interrupted")

// errDemoNeeds is the error of a machine the demo cannot run on.
var errDemoNeeds = errors.New("the demo cannot run on this machine")

// demoNeeds says everything the demo lacks at once: root, the lab's
// commands, ClickHouse, the binaries.
func demoNeeds(cfg demoConfig) error {
	var needs []string
	if err := netns.Check(); err != nil {
		needs = append(needs, strings.Split(err.Error(), "\n")...)
	}
	if _, err := chserver.Binary(); err != nil {
		needs = append(needs, "ClickHouse is not installed: install the Debian packages clickhouse-server and clickhouse-client (scripts/deps.sh demo does it as root)")
	}
	for _, b := range []string{"probe", "collector", "analysis"} {
		if _, err := os.Stat(filepath.Join(cfg.Bin, b)); err != nil {
			needs = append(needs, fmt.Sprintf("%s is missing: build it (make build, or go build -o %s/ ./cmd/%s)", filepath.Join(cfg.Bin, b), cfg.Bin, b))
		}
	}
	if len(needs) == 0 {
		return nil
	}
	fmt.Fprintf(cfg.Stderr, "The demo runs the censorship lab (Linux network namespaces), a private ClickHouse,\n"+
		"the collector and the probe on this machine. It needs:\n")
	for _, n := range needs {
		fmt.Fprintf(cfg.Stderr, "  - %s\n", n)
	}
	fmt.Fprintf(cfg.Stderr, "Then run it as root: sudo make demo\n")
	return errDemoNeeds
}

// runDemo runs the scenario through the whole of sonde and writes the
// country report; it returns the HTML report's path, which it prints on
// its last line. Everything it started is stopped and removed when it
// returns, also when ctx is cancelled (Ctrl-C); the report stays.
func runDemo(ctx context.Context, cfg demoConfig) (string, error) {
	start := time.Now()
	out := cfg.Stdout
	sc, err := scenario.Resolve(cfg.Scenario)
	if err != nil {
		return "", err
	}
	work, err := os.MkdirTemp("", "sonde-demo-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	fmt.Fprintf(out, "sonde demo: scenario %q (%s)\n%s\nWorking files (logs, results) in %s, removed at the end.\n\n",
		sc.Name, sc.Country, sc.Description, work)

	step := newSteps(out, 6)
	step.begin("Starting a private ClickHouse")
	ch, err := chserver.Start(ctx, chserver.Config{Dir: filepath.Join(work, "clickhouse")})
	if err != nil {
		return "", err
	}
	defer ch.Stop()
	step.done(ch.Addr())

	step.begin("Starting the lab: probe host, censor, Internet host")
	l, err := lab.Start(ctx, lab.Config{Scenario: sc, Dir: filepath.Join(work, "lab")})
	if err != nil {
		return "", err
	}
	defer l.Close()
	step.done(fmt.Sprintf("lab %s, %d censorship rules", l.ID, len(sc.Rules)))

	step.begin("Starting the collector on the Internet host (uploads, control helper, researcher API)")
	st, err := startStack(ctx, l, stackConfig{Bin: cfg.Bin, ClickHouse: ch.Addr(), Database: demoDatabase, Dir: work})
	if err != nil {
		return "", err
	}
	defer st.stop()
	step.done(st.CollectorURL)

	step.begin(fmt.Sprintf("Measuring from the probe host, through the censor: %d probes at once, the first one shown", demoProbes))
	fmt.Fprintln(out)
	n, err := st.measure(ctx, sc, demoProbes, probeOutput{Stdout: out, Stderr: cfg.Stderr, Quiet: cfg.ProbeQuiet,
		Before: func(g testGroup) {
			fmt.Fprintf(out, "\n  probe run -t %s over %d targets (a Citizen Lab test list):\n", g.Test, len(g.Targets))
		}})
	if err != nil {
		return "", err
	}
	step.doneAfterOutput(fmt.Sprintf("%d measurements uploaded", n))

	step.begin("Waiting for the collector to store the analysis' verdicts")
	verdicts, err := waitVerdicts(ctx, ch.Addr(), demoDatabase, n, time.Minute)
	if err != nil {
		return "", fmt.Errorf("%w\nthe collector's log:\n%s", err, st.logTail())
	}
	step.done(fmt.Sprintf("%d verdicts in ClickHouse", len(verdicts)))

	fmt.Fprintf(out, "\nWhat the analysis concluded, target by target, and what the scenario expects:\n\n")
	mismatches := writeVerdictTable(out, sc, verdicts)
	if len(mismatches) > 0 {
		fmt.Fprintf(out, "\n%d of %d targets differ from the scenario's expectations (see above).\n", len(mismatches), len(sc.Targets))
	}
	fmt.Fprintln(out)
	step.begin("Writing the country report with `analysis report`")
	path, err := writeDemoReport(ctx, cfg, sc, ch.Addr(), work)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(out, "\nDone in %s. The lab, the collector and ClickHouse are stopped and removed; the report stays.\n",
		time.Since(start).Round(time.Second))
	fmt.Fprintf(out, "HTML report (with .json and .csv beside it):\n%s\n", path)
	return path, nil
}

// steps numbers the demo's steps as it goes.
type steps struct {
	w       io.Writer
	n, of   int
	started time.Time
}

func newSteps(w io.Writer, of int) *steps { return &steps{w: w, of: of} }

func (s *steps) begin(what string) {
	s.n++
	s.started = time.Now()
	fmt.Fprintf(s.w, "[%d/%d] %s… ", s.n, s.of, what)
}

func (s *steps) done(detail string) {
	fmt.Fprintf(s.w, "ok (%s, %.1fs)\n", detail, time.Since(s.started).Seconds())
}

// doneAfterOutput ends a step that printed lines of its own.
func (s *steps) doneAfterOutput(detail string) {
	fmt.Fprintf(s.w, "[%d/%d] ok (%s, %.1fs)\n", s.n, s.of, detail, time.Since(s.started).Seconds())
}
