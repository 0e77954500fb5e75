package reprocess

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sonde-project/sonde/analysis"
	"github.com/sonde-project/sonde/analysis/aggregate"
	"github.com/sonde-project/sonde/internal/warehouse"
)

// Config is one reprocessing run. The zero value recomputes, everywhere,
// the verdicts of older rules with the embedded fingerprints.
type Config struct {
	// Analyzer computes the verdicts. OPTIONAL: analysis.Default().
	Analyzer *analysis.Analyzer
	// All recomputes every verdict, not only those of older rules (or
	// missing). OPTIONAL.
	All bool
	// Since and Until bound the measurement_start_time of the
	// measurements, [Since, Until), in whole UTC days (Since is rounded
	// down, Until up). OPTIONAL: no bound.
	Since, Until time.Time
	// CC narrows to one country ("IR"), TestName to one test
	// ("web_connectivity"). OPTIONAL.
	CC, TestName string
	// DryRun reads and analyses, counts what would change and writes
	// nothing. OPTIONAL.
	DryRun bool
	// BatchSize is how many measurements are read, analysed and written
	// at once: it bounds the memory. OPTIONAL: 1000.
	BatchSize int
	// WindowSize bounds the measurements of one window of days (one
	// query). OPTIONAL: 200,000.
	WindowSize int
	// Progress receives a progress line every few seconds. OPTIONAL.
	Progress io.Writer
	// Now stamps the verdicts' analyzed_time. OPTIONAL: time.Now.
	Now func() time.Time

	// afterBatch is called after each batch is written (tests).
	afterBatch func()
}

// ErrBadFilter is returned for a filter that cannot be right.
var ErrBadFilter = errors.New("reprocess: bad filter")

var (
	ccPattern   = regexp.MustCompile(`^[A-Z]{2}$`)
	testPattern = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)
)

// Validate checks the filters without connecting.
func (c Config) Validate() error { return c.normalize() }

func (c *Config) normalize() error {
	if c.CC != "" && !ccPattern.MatchString(c.CC) {
		return fmt.Errorf("%w: the country %q is not a two-letter code in capitals, such as IR", ErrBadFilter, c.CC)
	}
	if c.TestName != "" && !testPattern.MatchString(c.TestName) {
		return fmt.Errorf("%w: the test %q is not a test name, such as web_connectivity", ErrBadFilter, c.TestName)
	}
	const day = 24 * time.Hour
	if !c.Since.IsZero() {
		c.Since = c.Since.UTC().Truncate(day)
	}
	if !c.Until.IsZero() {
		u := c.Until.UTC()
		if t := u.Truncate(day); !t.Equal(u) {
			u = t.Add(day)
		}
		c.Until = u
	}
	if !c.Since.IsZero() && !c.Until.IsZero() && !c.Since.Before(c.Until) {
		return fmt.Errorf("%w: the period from %s until %s is empty", ErrBadFilter,
			c.Since.Format(time.DateOnly), c.Until.Format(time.DateOnly))
	}
	c.BatchSize = cmp.Or(max(c.BatchSize, 0), 1000)
	c.WindowSize = cmp.Or(max(c.WindowSize, 0), 200_000)
	if c.Analyzer == nil {
		c.Analyzer = analysis.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// Run recomputes the verdicts the configuration selects and rebuilds the
// daily counts of the months it wrote to, and of the months of its range
// whose counts disagree with the verdicts. When ctx is cancelled it writes
// the batch in flight, rebuilds the months written so far and returns
// the summary with Interrupted set: the tables are consistent and a new
// run finishes the job.
func Run(ctx context.Context, conn driver.Conn, cfg Config) (*Summary, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	r := &run{
		conn: conn, cfg: &cfg, writer: warehouse.NewWriter(conn),
		sum:     &Summary{DryRun: cfg.DryRun, All: cfg.All, Version: analysis.Version, changes: map[change]int64{}},
		touched: map[uint32]bool{},
	}
	r.prog = &progress{w: cfg.Progress, sum: r.sum}
	err := r.measurements(ctx)
	if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled)) {
		r.sum.Interrupted, err = true, nil
	}
	r.prog.done()
	// The counts are settled even after an interruption or an error, so
	// that the tables are never left over-counted by this run.
	settleErr := r.settle(ctx, err == nil && !r.sum.Interrupted)
	return r.sum, errors.Join(err, settleErr)
}

// run is the state of one Run.
type run struct {
	conn    driver.Conn
	cfg     *Config
	writer  *warehouse.Writer
	sum     *Summary
	prog    *progress
	touched map[uint32]bool // months (YYYYMM) written to
}

// measurements reads, analyses and writes window after window.
func (r *run) measurements(ctx context.Context) error {
	days, err := r.days(ctx)
	if err != nil {
		return err
	}
	windows := splitWindows(days, r.cfg.WindowSize)
	r.prog.windows = len(windows)
	for i, w := range windows {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.prog.window(i, w)
		if err := r.window(ctx, w); err != nil {
			return err
		}
	}
	return nil
}

// settle rebuilds the daily counts of the months written to and, with
// check (a run that went to the end), of the months whose counts disagree
// with the verdicts. A dry run only lists them.
func (r *run) settle(ctx context.Context, check bool) error {
	months := r.touched
	if check {
		off, err := r.inconsistentMonths(ctx)
		if err != nil {
			return err
		}
		for _, m := range off {
			months[m] = true
		}
	}
	store := aggregate.NewStore(r.conn, aggregate.Limits{})
	var errs []error
	for _, m := range sortedMonths(months) {
		month := time.Date(int(m/100), time.Month(m%100), 1, 0, 0, 0, 0, time.UTC)
		if !r.cfg.DryRun {
			r.prog.printf("reprocess: rebuilding the daily counts of %s\n", month.Format("2006-01"))
			// Not cut short by Ctrl-C: this is what makes stopping safe.
			if err := store.Rebuild(context.WithoutCancel(ctx), month); err != nil {
				errs = append(errs, fmt.Errorf("rebuilding the daily counts of %s (run again to retry): %w", month.Format("2006-01"), err))
				continue
			}
		}
		r.sum.Rebuilt = append(r.sum.Rebuilt, month.Format("2006-01"))
	}
	return errors.Join(errs...)
}
