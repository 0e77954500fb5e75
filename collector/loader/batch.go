package loader

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"github.com/sonde-project/sonde/collector/spool"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
	"github.com/sonde-project/sonde/internal/warehouse"
)

// rows is one batch, extracted once and written as often as it takes.
type rows struct {
	// full asks store1 to look up every table: the batch may be partly
	// stored already (a replay after a restart, or a retry after a failed
	// write). Otherwise it is new to this process and only the
	// measurements table (written last) is looked up.
	full         bool
	uids         []string
	from, to     time.Time
	measurements []warehouse.MeasurementRow
	// observations of measurement i are observations[obsEnd[i-1]:obsEnd[i]].
	observations []warehouse.ObservationRow
	obsEnd       []int
	verdicts     []warehouse.VerdictRow

	// Where the batch's time went, for the debug log.
	read, prepared, lookup, write time.Duration
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
	nobs := 0
	for _, e := range out {
		nobs += len(e.obs)
	}
	r := &rows{
		uids:         make([]string, 0, len(out)),
		measurements: make([]warehouse.MeasurementRow, 0, len(out)),
		observations: make([]warehouse.ObservationRow, 0, nobs),
		obsEnd:       make([]int, 0, len(out)),
		verdicts:     make([]warehouse.VerdictRow, 0, len(out)),
	}
	seen := make(map[string]bool, len(out))
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
		r.observations = append(r.observations, e.obs...)
		r.obsEnd = append(r.obsEnd, len(r.observations))
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
		// The door wrote valid JSON and the spool checks every record's
		// checksum, but the document is checked again as it is decoded
		// (one pass, ~1 GB/s): anything else would be a bug or another
		// version's spool, and must not reach ClickHouse.
		m, err = measurement.ParseAliasing(doc)
	}
	if err == nil && m.MeasurementUID == "" {
		err = fmt.Errorf("no measurement_uid")
	}
	if err != nil {
		return extracted{err: err}
	}
	// The row's raw JSON is the record's bytes, not a copy of them: a
	// spool.Batch's records are the loader's and never written, and the
	// row lives no longer than the batch.
	e := extracted{m: m, row: warehouse.NewMeasurementRow(m, unsafe.String(unsafe.SliceData(doc), len(doc)), received)}
	e.start, _ = m.StartTime()
	v, steps, analyzed := l.analyze(m)
	if !analyzed {
		steps, _ = measurement.DecodeSteps(m.TestKeys)
	}
	e.obs = warehouse.NewObservationRowsFromSteps(m, &steps)
	if l.cfg.Analyze != nil || l.cfg.AnalyzeWithSteps != nil {
		row := warehouse.NewVerdictRow(m, v, now)
		e.v = &row
	}
	return e
}

// analyze runs the injected analysis, and returns the steps when it
// decoded them (ok); a panic in it becomes an unknown verdict rather
// than a stopped loader.
func (l *Loader) analyze(m *measurement.Measurement) (v verdict.Verdict, steps measurement.Steps, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			l.stats.analysisPanics.Add(1)
			l.cfg.Logger.Error("loader: the analysis panicked; storing an unknown verdict", "measurement_uid", m.MeasurementUID, "panic", fmt.Sprint(p))
			v, ok = verdict.Verdict{Status: verdict.StatusUnknown, Confidence: verdict.Failure, Explanation: "The analysis failed on this measurement."}, false
		}
	}()
	switch {
	case l.cfg.AnalyzeWithSteps != nil:
		v, steps = l.cfg.AnalyzeWithSteps(m)
		return v, steps, true
	case l.cfg.Analyze != nil:
		return l.cfg.Analyze(m), steps, false
	}
	return v, steps, false
}

// store1 writes what each table does not hold yet: observations and
// verdicts first, measurements last, so a visible measurement row has its
// other rows visible too.
//
// A measurement's rows in the three tables are all there or none is,
// except after a write that failed between tables or a crash: a batch
// new to this process (not r.full) therefore needs one look-up, of the
// measurements table, which is written last (through its uid-sorted
// index, measurement_index, which the same insert fills).
func (l *Loader) store1(ctx context.Context, r *rows) error {
	if len(r.uids) == 0 {
		return nil
	}
	lookup := func(table string) (map[string]bool, error) {
		return l.store.Present(ctx, table, r.uids, r.from, r.to)
	}
	t0 := time.Now()
	defer func() { r.write = time.Since(t0) - r.lookup }()
	// A batch new to this process is looked up in the uid-sorted index
	// of the measurements table (the same insert fills both); a replay
	// or a retry reads the tables themselves.
	first := warehouse.TableMeasurementIndex
	if r.full {
		first = warehouse.TableMeasurements
	}
	stored, err := lookup(first)
	if err != nil {
		return err
	}
	obsPresent, verdictsPresent := stored, stored
	if r.full {
		if obsPresent, err = lookup(warehouse.TableObservations); err != nil {
			return err
		}
		if len(r.verdicts) > 0 {
			if verdictsPresent, err = lookup(warehouse.TableVerdicts); err != nil {
				return err
			}
		}
	}
	r.lookup = time.Since(t0)
	obs := r.observations
	if len(obsPresent) > 0 {
		obs = nil
		for i, uid := range r.uids {
			if !obsPresent[uid] {
				obs = append(obs, r.observations[r.obsStart(i):r.obsEnd[i]]...)
			}
		}
	}
	if err := l.store.InsertObservations(ctx, obs); err != nil {
		return err
	}
	if err := l.store.InsertVerdicts(ctx, missing(r.verdicts, verdictsPresent, func(v *warehouse.VerdictRow) string { return v.MeasurementUID })); err != nil {
		return err
	}
	ms := missing(r.measurements, stored, func(m *warehouse.MeasurementRow) string { return m.MeasurementUID })
	if err := l.store.InsertMeasurements(ctx, ms); err != nil {
		return err
	}
	l.stats.loaded.Add(int64(len(ms)))
	l.stats.duplicates.Add(int64(len(r.measurements) - len(ms)))
	return nil
}

func (r *rows) obsStart(i int) int {
	if i == 0 {
		return 0
	}
	return r.obsEnd[i-1]
}

// missing returns the rows whose uid is not in present (rows itself when
// that is all of them).
func missing[R any](rows []R, present map[string]bool, uidOf func(*R) string) []R {
	if len(present) == 0 {
		return rows
	}
	out := make([]R, 0, len(rows))
	for i := range rows {
		if !present[uidOf(&rows[i])] {
			out = append(out, rows[i])
		}
	}
	return out
}
