package loader

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/sonde-project/sonde/collector/spool"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
	"github.com/sonde-project/sonde/internal/warehouse"
)

// rows is one batch, extracted once and written as often as it takes.
type rows struct {
	uids         []string
	from, to     time.Time
	measurements []warehouse.MeasurementRow
	observations map[string][]warehouse.ObservationRow
	verdicts     []warehouse.VerdictRow
}

// extracted is one record's rows, computed in parallel.
type extracted struct {
	m     *measurement.Measurement
	row   warehouse.MeasurementRow
	obs   []warehouse.ObservationRow
	v     *warehouse.VerdictRow
	start time.Time
	err   error
}

func (l *Loader) prepare(b spool.Batch) *rows {
	now := l.cfg.Now()
	out := make([]extracted, len(b.Records))
	// Decoding, extraction and the analysis are CPU work per record:
	// spread them over the cores, one goroutine per core, all waited for.
	workers := min(runtime.GOMAXPROCS(0), len(b.Records))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(b.Records); i += workers {
				out[i] = l.extract(b.Records[i], now)
			}
		})
	}
	wg.Wait()
	r := &rows{observations: map[string][]warehouse.ObservationRow{}}
	seen := map[string]bool{}
	for _, e := range out {
		if e.err != nil {
			l.stats.bad.Add(1)
			l.cfg.Logger.Error("loader: skipping a spool record that is not a measurement", "err", e.err)
			continue
		}
		uid := e.m.MeasurementUID
		if seen[uid] {
			l.stats.duplicates.Add(1)
			continue
		}
		seen[uid] = true
		if len(r.uids) == 0 || e.start.Before(r.from) {
			r.from = e.start
		}
		if len(r.uids) == 0 || e.start.After(r.to) {
			r.to = e.start
		}
		r.uids = append(r.uids, uid)
		r.measurements = append(r.measurements, e.row)
		r.observations[uid] = e.obs
		if e.v != nil {
			r.verdicts = append(r.verdicts, *e.v)
		}
	}
	return r
}

func (l *Loader) extract(rec []byte, now time.Time) extracted {
	received, doc, err := DecodeRecord(rec)
	var m *measurement.Measurement
	if err == nil {
		m, err = measurement.Parse(doc)
	}
	if err == nil && m.MeasurementUID == "" {
		err = fmt.Errorf("no measurement_uid")
	}
	if err != nil {
		return extracted{err: err}
	}
	e := extracted{m: m, row: warehouse.NewMeasurementRow(m, doc, received), obs: warehouse.NewObservationRows(m)}
	e.start, _ = m.StartTime()
	if l.cfg.Analyze != nil {
		v := warehouse.NewVerdictRow(m, l.analyze(m), now)
		e.v = &v
	}
	return e
}

// analyze runs the injected analysis; a panic in it becomes an unknown
// verdict rather than a stopped loader.
func (l *Loader) analyze(m *measurement.Measurement) (v verdict.Verdict) {
	defer func() {
		if p := recover(); p != nil {
			l.stats.analysisPanics.Add(1)
			l.cfg.Logger.Error("loader: the analysis panicked; storing an unknown verdict", "measurement_uid", m.MeasurementUID, "panic", fmt.Sprint(p))
			v = verdict.Verdict{Status: verdict.StatusUnknown, Confidence: verdict.Failure, Explanation: "The analysis failed on this measurement."}
		}
	}()
	return l.cfg.Analyze(m)
}

// store1 writes what each table does not hold yet: observations and
// verdicts first, measurements last, so a visible measurement row has its
// other rows visible too.
func (l *Loader) store1(ctx context.Context, r *rows) error {
	if len(r.uids) == 0 {
		return nil
	}
	obs, err := missingRows(ctx, l, r, warehouse.TableObservations, r.uids,
		func(uid string) string { return uid },
		func(uid string) []warehouse.ObservationRow { return r.observations[uid] })
	if err != nil {
		return err
	}
	if err := l.store.InsertObservations(ctx, obs); err != nil {
		return err
	}
	if len(r.verdicts) > 0 {
		vs, err := missingRows(ctx, l, r, warehouse.TableVerdicts, r.verdicts,
			func(v warehouse.VerdictRow) string { return v.MeasurementUID },
			func(v warehouse.VerdictRow) []warehouse.VerdictRow { return []warehouse.VerdictRow{v} })
		if err != nil {
			return err
		}
		if err := l.store.InsertVerdicts(ctx, vs); err != nil {
			return err
		}
	}
	ms, err := missingRows(ctx, l, r, warehouse.TableMeasurements, r.measurements,
		func(m warehouse.MeasurementRow) string { return m.MeasurementUID },
		func(m warehouse.MeasurementRow) []warehouse.MeasurementRow { return []warehouse.MeasurementRow{m} })
	if err != nil {
		return err
	}
	if err := l.store.InsertMeasurements(ctx, ms); err != nil {
		return err
	}
	l.stats.loaded.Add(int64(len(ms)))
	l.stats.duplicates.Add(int64(len(r.measurements) - len(ms)))
	return nil
}

// missingRows returns the rows (rowsOf) of the items whose uid (uidOf)
// table does not hold yet.
func missingRows[I, R any](ctx context.Context, l *Loader, r *rows, table string, items []I, uidOf func(I) string, rowsOf func(I) []R) ([]R, error) {
	present, err := l.store.Present(ctx, table, r.uids, r.from, r.to)
	if err != nil {
		return nil, err
	}
	var out []R
	for _, it := range items {
		if !present[uidOf(it)] {
			out = append(out, rowsOf(it)...)
		}
	}
	return out, nil
}
