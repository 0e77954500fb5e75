package loader

import (
	"context"
	"fmt"
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

func (l *Loader) prepare(b spool.Batch) *rows {
	r := &rows{observations: map[string][]warehouse.ObservationRow{}}
	seen := map[string]bool{}
	now := l.cfg.Now()
	for _, rec := range b.Records {
		received, doc, err := DecodeRecord(rec)
		var m *measurement.Measurement
		if err == nil {
			m, err = measurement.Parse(doc)
		}
		if err == nil && m.MeasurementUID == "" {
			err = fmt.Errorf("no measurement_uid")
		}
		if err != nil {
			l.stats.bad.Add(1)
			l.cfg.Logger.Error("loader: skipping a spool record that is not a measurement", "err", err)
			continue
		}
		if seen[m.MeasurementUID] {
			l.stats.duplicates.Add(1)
			continue
		}
		seen[m.MeasurementUID] = true
		start, _ := m.StartTime()
		if len(r.uids) == 0 || start.Before(r.from) {
			r.from = start
		}
		if len(r.uids) == 0 || start.After(r.to) {
			r.to = start
		}
		r.uids = append(r.uids, m.MeasurementUID)
		r.measurements = append(r.measurements, warehouse.NewMeasurementRow(m, doc, received))
		r.observations[m.MeasurementUID] = warehouse.NewObservationRows(m)
		if l.cfg.Analyze != nil {
			r.verdicts = append(r.verdicts, warehouse.NewVerdictRow(m, l.analyze(m), now))
		}
	}
	return r
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
	missing := func(table string) (map[string]bool, error) {
		present, err := l.store.Present(ctx, table, r.uids, r.from, r.to)
		if err != nil {
			return nil, err
		}
		return present, nil
	}
	present, err := missing(warehouse.TableObservations)
	if err != nil {
		return err
	}
	var obs []warehouse.ObservationRow
	for _, uid := range r.uids {
		if !present[uid] {
			obs = append(obs, r.observations[uid]...)
		}
	}
	if err := l.store.InsertObservations(ctx, obs); err != nil {
		return err
	}
	if len(r.verdicts) > 0 {
		if present, err = missing(warehouse.TableVerdicts); err != nil {
			return err
		}
		var vs []warehouse.VerdictRow
		for _, v := range r.verdicts {
			if !present[v.MeasurementUID] {
				vs = append(vs, v)
			}
		}
		if err := l.store.InsertVerdicts(ctx, vs); err != nil {
			return err
		}
	}
	if present, err = missing(warehouse.TableMeasurements); err != nil {
		return err
	}
	var ms []warehouse.MeasurementRow
	for _, m := range r.measurements {
		if !present[m.MeasurementUID] {
			ms = append(ms, m)
		}
	}
	if err := l.store.InsertMeasurements(ctx, ms); err != nil {
		return err
	}
	l.stats.loaded.Add(int64(len(ms)))
	l.stats.duplicates.Add(int64(len(r.measurements) - len(ms)))
	return nil
}
