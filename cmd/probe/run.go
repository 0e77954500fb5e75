package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/sonde-project/sonde/internal/scrub"
	"github.com/sonde-project/sonde/probe/config"
	"github.com/sonde-project/sonde/probe/consent"
	"github.com/sonde-project/sonde/probe/nettest"
	"github.com/sonde-project/sonde/probe/runner"
)

// parseFlags parses a subcommand's flags, printing its help on request
// (on standard output) and the mistake otherwise.
func (a *app) parseFlags(fs *flag.FlagSet, help string, args []string) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	// Flags may come after the files ("probe upload results.jsonl
	// --collector URL"), as volunteers type them; "--" ends the flags.
	var files []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(a.stdout, help)
			return errHelp
		}
		if err != nil {
			return usagef("%s: %v (run \"probe %s --help\" for the options)", fs.Name(), err, fs.Name())
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			files = append(files, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		files = append(files, rest[0])
		args = rest[1:]
	}
	fs.Parse(append([]string{"--"}, files...)) // fs.Args() is now the files
	if fs.NArg() > 0 && fs.Name() == "run" {
		return usagef("run: unexpected %q: give targets with -i or -f", fs.Arg(0))
	}
	return nil
}

// run is "probe run".
func (a *app) run(ctx context.Context, args []string) int {
	var o runOptions
	if err := a.parseFlags(newRunFlags(&o, io.Discard), runHelp, args); err != nil {
		return a.exit(err)
	}
	p, err := a.prepare(ctx, &o)
	if err != nil {
		return a.exit(err)
	}
	defer p.close()
	return a.measure(ctx, &o, p)
}

// plan is everything a run needs, made ready by prepare.
type plan struct {
	cfg       runner.Config
	session   *session // nil with --no-upload
	scrubbed  []string // where the scrubbed addresses come from
	dropped   int      // targets dropped by category opt-outs
	clockNote string   // the clock's correction, when there is one
}

func (p *plan) close() {
	if p.session != nil {
		p.session.queue.Close()
	}
}

// prepare checks the options, asks for consent, reads the targets, checks
// in with the collector and learns the addresses to scrub.
func (a *app) prepare(ctx context.Context, o *runOptions) (*plan, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	tests, err := a.measurers(o.tests.values)
	if err != nil {
		return nil, err
	}
	dir, cf, err := loadConfig(o.configDir)
	if err != nil {
		return nil, err
	}
	if err := consent.Ensure(dir, o.yes, a.interactive, a.stdin, a.stderr); err != nil {
		return nil, err
	}
	roots, err := loadRoots(o.caFile)
	if err != nil {
		return nil, err
	}
	p := &plan{}
	p.cfg = runner.Config{
		Tests: tests, Output: o.output, Parallel: o.parallel,
		Env: nettest.Env{StepTimeout: o.stepTimeout, Resolver: o.resolver, TLSFingerprint: o.tlsFingerprint,
			RootCAs: roots, ControlURL: o.control},
		Envelope: runner.Envelope{ProbeCC: o.probeCC, ProbeASN: o.probeASN, ProbeNetworkName: o.network},
		Now:      a.now,
	}
	if p.cfg.TestOptions, err = splitOptions(o.options.values, o.tests.values); err != nil {
		return nil, usagef("%v", err)
	}
	optOut := append(append([]string(nil), cf.CategoriesOptOut...), o.optOut.values...)
	if p.cfg.Targets, p.dropped, err = localTargets(o, optOut); err != nil {
		return nil, err
	}
	if !o.noUpload {
		if p.session, err = a.startSession(ctx, o, cf, dir, roots, optOut); err != nil {
			return nil, err
		}
		p.session.apply(&p.cfg, o, optOut, &p.dropped)
		p.cfg.Now, p.clockNote = a.correctClock(p)
		if err := p.session.openReports(ctx, &p.cfg, p.cfg.Now()); err != nil {
			return nil, err
		}
	}
	if len(p.cfg.Targets) == 0 {
		if p.dropped > 0 {
			return nil, fmt.Errorf("every target is in a category you opted out of (%d dropped)", p.dropped)
		}
		return nil, usagef("nothing to measure: give targets with -i URL or -f LIST")
	}
	addrs, sources, err := a.addressesToScrub(ctx, o, cf, p.session)
	if err != nil {
		return nil, err
	}
	p.cfg.Scrubber, p.scrubbed = scrub.New(addrs...), sources
	return p, nil
}

// check rejects contradictory or malformed options.
func (o *runOptions) check() error {
	switch {
	case len(o.tests.values) == 0:
		return usagef("run: name a test with -t, such as -t web_connectivity (\"probe list\" shows them all)")
	case o.output == "":
		return usagef("run: say where to write the results with -o, such as -o results.jsonl")
	case o.noUpload && o.collector != "":
		return usagef("run: --no-upload and --collector contradict each other")
	case o.parallel < 1 || o.parallel > 1024:
		return usagef("run: --parallel %d: give a number from 1 to 1024", o.parallel)
	case o.stepTimeout <= 0:
		return usagef("run: --step-timeout must be positive, such as 10s")
	case o.probeCC != "" && !runner.ValidCC(o.probeCC):
		return usagef("run: --probe-cc %q: give a two-letter country code in capitals, such as IT", o.probeCC)
	}
	if o.probeASN != "" && !strings.HasPrefix(o.probeASN, "AS") {
		o.probeASN = "AS" + o.probeASN
	}
	if o.probeASN != "" && !runner.ValidASN(o.probeASN) {
		return usagef("run: --probe-asn %q: give AS and a number, such as AS30722", o.probeASN)
	}
	return checkEnvOptions(o)
}

// measurers looks the tests up in the catalog.
func (a *app) measurers(names []string) ([]nettest.Measurer, error) {
	var out []nettest.Measurer
	seen := map[string]bool{}
	for _, n := range names {
		e, ok := a.tests[n]
		if !ok {
			return nil, usagef("run: there is no test %q; the tests are: %s", n, strings.Join(testNames(a.tests), ", "))
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, e.New())
		}
	}
	return out, nil
}

// loadConfig finds the probe's directory and reads its config.json.
func loadConfig(flagDir string) (string, *config.File, error) {
	dir := flagDir
	if dir == "" {
		var err error
		if dir, err = config.Dir(); err != nil {
			return "", nil, err
		}
	}
	cf, err := config.Load(dir)
	return dir, cf, err
}

// measure runs the plan: Ctrl-C stops handing out work, a second one
// abandons the measurements in progress.
func (a *app) measure(ctx context.Context, o *runOptions, p *plan) int {
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	abortCtx, abort := context.WithCancel(context.Background())
	defer abort()
	sigs, stopSigs := a.notifySignal()
	defer stopSigs()
	var watchers sync.WaitGroup
	done := make(chan struct{})
	watchers.Add(1)
	go func() {
		defer watchers.Done()
		a.watchSignals(sigs, done, stopRun, abort)
	}()

	p.cfg.Abort = abortCtx
	if !o.quiet {
		p.cfg.Progress, p.cfg.Terminal = a.stderr, a.terminal
	}
	if o.verbose {
		p.cfg.Logger = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	var follow func()
	if p.session != nil {
		follow = p.session.follow(abortCtx, p.cfg.Logger, &p.cfg)
	}
	a.announce(o, p)
	summary, err := runner.Run(runCtx, p.cfg)
	if follow != nil {
		follow()
	}
	close(done)
	watchers.Wait()
	if summary != nil {
		summary.Print(a.stdout)
	}
	if p.session != nil {
		a.finishUploads(ctx, p.session, summary != nil && summary.Interrupted, sigs)
	}
	switch {
	case err != nil:
		return a.exit(err)
	case summary.Interrupted:
		return exitInterrupted
	}
	return exitOK
}

func (a *app) watchSignals(sigs <-chan os.Signal, done <-chan struct{}, stop, abort func()) {
	n := 0
	for {
		select {
		case <-done:
			return
		case <-sigs:
			n++
			if n == 1 {
				stop()
				fmt.Fprintln(a.stderr, "\nStopping: finishing the measurements in progress (press Ctrl-C again to abandon them)...")
				continue
			}
			abort()
			fmt.Fprintln(a.stderr, "\nAbandoning the measurements in progress.")
			return
		}
	}
}

// announce says what is about to happen.
func (a *app) announce(o *runOptions, p *plan) {
	if p.clockNote != "" {
		fmt.Fprintln(a.stderr, p.clockNote)
	}
	if o.quiet {
		return
	}
	var names []string
	for _, t := range p.cfg.Tests {
		names = append(names, t.Name())
	}
	fmt.Fprintf(a.stderr, "Measuring %d targets with %s; results go to %s.\n", len(p.cfg.Targets), strings.Join(names, ", "), o.output)
	if p.dropped > 0 {
		fmt.Fprintf(a.stderr, "Left out %d targets in categories you opted out of.\n", p.dropped)
	}
	if len(p.scrubbed) > 0 {
		fmt.Fprintf(a.stderr, "Your IP address is removed from every measurement (learned from: %s).\n", strings.Join(p.scrubbed, ", "))
	}
	if p.session == nil {
		fmt.Fprintln(a.stderr, "Nothing is uploaded (--no-upload).")
	}

}
