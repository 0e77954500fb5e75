package loader

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sonde-project/sonde/collector/spool"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
	"github.com/sonde-project/sonde/internal/warehouse"
)

// Source is where measurements wait: the spool.
type Source interface {
	Read(maxRecords int, maxBytes int64) (spool.Batch, error)
	Commit(spool.Position) error
	Notify() <-chan struct{}
}

// Store is where they go: warehouse.Writer.
type Store interface {
	Present(ctx context.Context, table string, uids []string, from, to time.Time) (map[string]bool, error)
	InsertMeasurements(ctx context.Context, rows []warehouse.MeasurementRow) error
	InsertObservations(ctx context.Context, rows []warehouse.ObservationRow) error
	InsertVerdicts(ctx context.Context, rows []warehouse.VerdictRow) error
}

// AnalyzeFunc computes the verdict of one measurement (analysis.Analyze).
type AnalyzeFunc func(*measurement.Measurement) verdict.Verdict

// AnalyzeStepsFunc computes the verdict of one measurement and returns
// its network steps as measurement.DecodeSteps reads them
// (analysis.AnalyzeWithSteps): the test keys are decoded once for the
// verdict and the observations.
type AnalyzeStepsFunc func(*measurement.Measurement) (verdict.Verdict, measurement.Steps)

// Config tunes a Loader. The zero value works.
type Config struct {
	// BatchSize is the most measurements per batch. OPTIONAL: 5000.
	BatchSize int
	// BatchBytes bounds a batch's JSON, and with it the loader's memory:
	// two batches are in hand at a time (one prepared, one written), each
	// a few times its JSON once decoded and encoded for ClickHouse.
	// OPTIONAL: 32 MiB, about 5,000 typical measurements: ClickHouse
	// spends a third less CPU on 5,000-row inserts than on 2,500-row ones.
	BatchBytes int64
	// RetryMin and RetryMax bound the backoff between attempts while
	// ClickHouse fails. OPTIONAL: 500ms and 30s.
	RetryMin, RetryMax time.Duration
	// Poll is how often the spool is looked at without a notification.
	// OPTIONAL: 1s.
	Poll time.Duration
	// Analyze computes verdicts. OPTIONAL: without it no verdicts are
	// stored (run `analysis reprocess` later).
	Analyze AnalyzeFunc
	// AnalyzeWithSteps, when set, is used instead of Analyze. OPTIONAL.
	AnalyzeWithSteps AnalyzeStepsFunc
	// Logger. OPTIONAL: none.
	Logger *slog.Logger
	// Now. OPTIONAL: time.Now.
	Now func() time.Time
}

// Loader moves measurements from a Source to a Store.
type Loader struct {
	cfg    Config
	src    Source
	store  Store
	finish chan struct{}
	once   sync.Once

	stats struct {
		batches, loaded, duplicates, bad, errors, analysisPanics atomic.Int64
		lastLoad                                                 atomic.Int64 // unix seconds
		lastError                                                atomic.Value // string
	}
}

// New returns a Loader; start it with Run.
func New(src Source, store Store, cfg Config) *Loader {
	cfg.BatchSize = cmp.Or(cfg.BatchSize, 5000)
	cfg.BatchBytes = cmp.Or(cfg.BatchBytes, 32<<20)
	cfg.RetryMin = cmp.Or(cfg.RetryMin, 500*time.Millisecond)
	cfg.RetryMax = cmp.Or(cfg.RetryMax, 30*time.Second)
	cfg.Poll = cmp.Or(cfg.Poll, time.Second)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Loader{cfg: cfg, src: src, store: store, finish: make(chan struct{})}
}

// Finish asks Run to return as soon as it has loaded everything that is
// in the spool now (graceful shutdown). Cancel Run's context to stop it
// sooner.
func (l *Loader) Finish() { l.once.Do(func() { close(l.finish) }) }

// Run loads batches until its context is cancelled (it returns nil) or,
// after Finish, until the spool is empty.
//
// Two goroutines share the work: one reads the spool and prepares the
// next batch (decoding, extraction, analysis) while the other writes the
// previous one to ClickHouse and commits the checkpoint, so that CPU work
// and ClickHouse overlap. Checkpoints are committed in spool order, by
// the writer only.
func (l *Loader) Run(ctx context.Context) error {
	ready := make(chan prepared, 1)
	pctx, stopProducer := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { l.produce(pctx, ready) })
	defer func() {
		stopProducer()
		wg.Wait()
	}()
	backoff := l.cfg.RetryMin
	for {
		var p prepared
		var ok bool
		select {
		case p, ok = <-ready:
		case <-ctx.Done():
			return nil
		}
		if !ok {
			return nil // finished: the spool is empty
		}
		if p.rows != nil {
			for {
				err := l.store1(ctx, p.rows)
				if err == nil {
					break
				}
				p.rows.full = true // it may have stopped between tables
				l.fail("writing to ClickHouse", err)
				if !l.sleep(ctx, &backoff) {
					return nil
				}
			}
			backoff = l.cfg.RetryMin
			l.cfg.Logger.Debug("loader: batch written", "measurements", len(p.rows.measurements),
				"observations", len(p.rows.observations), "read", p.rows.read, "prepare", p.rows.prepared,
				"lookup", p.rows.lookup, "write", p.rows.write)
		}
		for {
			err := l.src.Commit(p.end)
			if err == nil {
				break
			}
			l.fail("committing the spool checkpoint", err)
			if !l.sleep(ctx, &backoff) {
				return nil
			}
		}
		if p.rows != nil {
			l.stats.batches.Add(1)
			l.stats.lastLoad.Store(l.cfg.Now().Unix())
		}
	}
}

// prepared is a batch ready to write, or (rows nil) only a checkpoint to
// commit: the reader moved past empty or corrupt segments.
type prepared struct {
	rows *rows
	end  spool.Position
}

// produce reads and prepares batches for Run until ctx ends or, after
// Finish, the spool is empty; it closes ready when it returns.
func (l *Loader) produce(ctx context.Context, ready chan<- prepared) {
	defer close(ready)
	backoff := l.cfg.RetryMin
	var sent spool.Position
	// Until the reader first catches up, the batches may have been
	// written, wholly or in part, by the process before this one.
	caughtUp := false
	send := func(p prepared) bool {
		select {
		case ready <- p:
			sent = p.end
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		t0 := time.Now()
		b, err := l.src.Read(l.cfg.BatchSize, l.cfg.BatchBytes)
		if err != nil {
			l.fail("reading the spool", err)
			if !l.sleep(ctx, &backoff) {
				return
			}
			continue
		}
		backoff = l.cfg.RetryMin
		if b.Corrupt > 0 {
			l.stats.bad.Add(int64(b.Corrupt))
			l.cfg.Logger.Error("spool segment ended in a corrupt record; the rest of that segment was skipped", "segments", b.Corrupt)
		}
		if len(b.Records) > 0 {
			t1 := time.Now()
			r := l.prepare(b)
			r.full = !caughtUp
			r.read, r.prepared = t1.Sub(t0), time.Since(t1)
			if !send(prepared{rows: r, end: b.End}) {
				return
			}
			continue
		}
		caughtUp = true
		if b.End.Segment != sent.Segment && !send(prepared{end: b.End}) {
			return
		}
		select {
		case <-l.finish:
			return
		case <-ctx.Done():
			return
		case <-l.src.Notify():
		case <-time.After(l.cfg.Poll):
		}
	}
}

func (l *Loader) fail(what string, err error) {
	l.stats.errors.Add(1)
	msg := fmt.Sprintf("%s: %v", what, err)
	l.stats.lastError.Store(msg)
	l.cfg.Logger.Warn("loader: "+what+"; will retry", "err", err)
}

// sleep waits for the backoff and doubles it; false means stop now.
func (l *Loader) sleep(ctx context.Context, backoff *time.Duration) bool {
	t := time.NewTimer(*backoff)
	defer t.Stop()
	*backoff = min(*backoff*2, l.cfg.RetryMax)
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Stats are the loader's counters, for health and metrics.
type Stats struct {
	Batches, Loaded, Duplicates, Bad, Errors, AnalysisPanics int64
	LastLoad                                                 time.Time
	LastError                                                string
}

// Stats returns the counters.
func (l *Loader) Stats() Stats {
	s := Stats{
		Batches:        l.stats.batches.Load(),
		Loaded:         l.stats.loaded.Load(),
		Duplicates:     l.stats.duplicates.Load(),
		Bad:            l.stats.bad.Load(),
		Errors:         l.stats.errors.Load(),
		AnalysisPanics: l.stats.analysisPanics.Load(),
	}
	if t := l.stats.lastLoad.Load(); t > 0 {
		s.LastLoad = time.Unix(t, 0).UTC()
	}
	s.LastError, _ = l.stats.lastError.Load().(string)
	return s
}
