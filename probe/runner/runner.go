package runner

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/scrub"
	"github.com/sonde-project/sonde/probe/nettest"
	"github.com/sonde-project/sonde/probe/targets"
)

// Config is one run. The zero value of every OPTIONAL field works.
type Config struct {
	// Tests are the tests to run on every target. REQUIRED.
	Tests []nettest.Measurer
	// Targets are the inputs. REQUIRED.
	Targets []targets.Target
	// Output is the JSONL results file, appended to and resumed from.
	// REQUIRED.
	Output string
	// Parallel bounds how many measurements run at once. OPTIONAL: 4.
	Parallel int
	// Env is given to every test (its Begin is set per measurement).
	// OPTIONAL.
	Env nettest.Env
	// TestOptions are each test's options by test name ("-O"); they
	// replace Env.Options for that test. OPTIONAL.
	TestOptions map[string]map[string]string
	// MeasurementTimeout bounds one measurement, all its steps together.
	// OPTIONAL: 12 step timeouts.
	MeasurementTimeout time.Duration
	// Envelope is what every measurement shares. OPTIONAL.
	Envelope Envelope
	// Scrubber removes the probe's addresses from every measurement
	// before it is written. OPTIONAL: nil only sets probe_ip to 127.0.0.1.
	Scrubber *scrub.Scrubber
	// Written is called with each measurement after it is safely in
	// Output (the upload queue takes it from there). An error is counted
	// and logged; the run goes on. OPTIONAL.
	Written func(line []byte) error
	// Progress receives the progress display. OPTIONAL: none.
	Progress io.Writer
	// Terminal draws a live progress line instead of one line per
	// measurement.
	Terminal bool
	// Abort, when done, cancels the measurements in progress (a second
	// Ctrl-C). OPTIONAL: they finish or reach their deadline.
	Abort context.Context
	// Now is the clock. OPTIONAL: time.Now.
	Now func() time.Time
	// Logger receives debug lines. OPTIONAL.
	Logger *slog.Logger
}

// DefaultParallel is the number of measurements at once when
// Config.Parallel is zero: modest, so that a slow link does not turn its
// own congestion into timeouts that look like blocking.
const DefaultParallel = 4

// ErrNoTests and ErrNoTargets reject an empty run.
var (
	ErrNoTests   = errors.New("no test to run")
	ErrNoTargets = errors.New("no target to measure")
)

// job is one (test, target) pair to measure.
type job struct {
	m      nettest.Measurer
	target targets.Target
}

// outcome is what became of a job.
type outcome struct {
	test, input string
	line        []byte // the measurement, "" when none was written
	blocking    measurement.Blocking
	failure     string
	err         string // the test could not run
	leaked      bool
}

func (o *outcome) verdict() string {
	switch {
	case o.err != "":
		return "could not measure: " + o.err
	case o.leaked:
		return "NOT WRITTEN: your address survived scrubbing"
	case o.blocking.Decided && o.blocking.Method != "":
		return "looks blocked (" + o.blocking.Method + ")"
	case o.blocking.Decided:
		return "ok"
	case o.failure != "":
		return "could not tell (" + o.failure + ")"
	}
	return "done"
}

// Run measures every target with every test, appending to cfg.Output as
// each measurement finishes and skipping pairs the file already holds.
// When ctx is cancelled (Ctrl-C) it hands out no more work, lets the
// measurements in progress finish or reach their deadline, writes them and
// returns the summary with Interrupted set. It returns an error when it
// could not run at all or could not write.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	if len(cfg.Tests) == 0 {
		return nil, ErrNoTests
	}
	if len(cfg.Targets) == 0 {
		return nil, ErrNoTargets
	}
	res, err := OpenResults(cfg.Output)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	r := newRun(&cfg, res)
	return r.run(ctx)
}

// run is the state of one Run.
type run struct {
	cfg       *Config
	res       *Results
	now       func() time.Time
	log       *slog.Logger
	stamps    map[string]stamp // per test: report id and start
	annots    map[string]string
	prog      *progress
	summary   Summary
	writeErr  error
	abort     context.Context
	measureTO time.Duration
}

func newRun(cfg *Config, res *Results) *run {
	r := &run{cfg: cfg, res: res, now: cfg.Now, log: cfg.Logger, abort: cfg.Abort}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.abort == nil {
		r.abort = context.Background()
	}
	r.measureTO = cfg.MeasurementTimeout
	if r.measureTO <= 0 {
		r.measureTO = 12 * cfg.Env.Timeout()
	}
	start := r.now()
	r.stamps = map[string]stamp{}
	for _, m := range cfg.Tests {
		id := cfg.Envelope.ReportIDs[m.Name()]
		if id == "" {
			id = NewReportID(start, m.Name(), cfg.Envelope.ProbeCC, cfg.Envelope.ProbeASN)
		}
		r.stamps[m.Name()] = stamp{reportID: id, testStart: start}
	}
	r.annots = cfg.Envelope.annotations()
	r.prog = &progress{w: cfg.Progress, terminal: cfg.Terminal, now: r.now}
	r.summary = Summary{Output: res.Path(), Blocked: map[string][]string{}, Failures: map[string]int{}}
	return r
}

// plan lists the pairs left to measure, target by target.
func (r *run) plan() []job {
	var jobs []job
	seen := map[string]bool{}
	for _, t := range r.cfg.Targets {
		if seen[t.Input] {
			continue
		}
		seen[t.Input] = true
		for _, m := range r.cfg.Tests {
			if r.res.Done(m.Name(), t.Input) {
				r.summary.AlreadyDone++
				continue
			}
			jobs = append(jobs, job{m: m, target: t})
		}
	}
	r.summary.Targets = len(seen)
	return jobs
}

func (r *run) run(ctx context.Context) (*Summary, error) {
	started := r.now()
	jobs := r.plan()
	r.summary.Planned = len(jobs)
	r.prog.begin(len(jobs))

	parallel := max(r.cfg.Parallel, 0)
	if parallel == 0 {
		parallel = DefaultParallel
	}
	// Work is handed out through todo; the dispatcher stops at ctx.Done
	// (or a write error) and workers drain what they hold.
	todo := make(chan job)
	done := make(chan *outcome, parallel)
	stopDispatch := make(chan struct{})
	var stopOnce sync.Once
	stop := func() { stopOnce.Do(func() { close(stopDispatch) }) }

	var workers sync.WaitGroup
	var skipped atomic.Int64
	for range min(parallel, max(len(jobs), 1)) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for j := range todo {
				// A job handed out as the run was being stopped (the
				// dispatcher's select may pick the send) is not started.
				if ctx.Err() != nil || isClosed(stopDispatch) {
					skipped.Add(1)
					continue
				}
				done <- r.measure(ctx, j)
			}
		}()
	}
	var dispatched int
	go func() {
		defer close(todo)
		for _, j := range jobs {
			select {
			case <-ctx.Done():
				return
			case <-stopDispatch:
				return
			case todo <- j:
				dispatched++
			}
		}
	}()
	go func() {
		workers.Wait()
		close(done)
	}()

	r.write(done, stop)
	r.prog.end()
	// The dispatcher has returned: workers.Wait (closing done) follows
	// close(todo), so reading dispatched is ordered after its writes.
	r.summary.NotStarted = len(jobs) - dispatched + int(skipped.Load())
	r.summary.Interrupted = r.summary.NotStarted > 0
	r.summary.Elapsed = r.now().Sub(started)
	if r.writeErr != nil {
		return &r.summary, r.writeErr
	}
	return &r.summary, nil
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
