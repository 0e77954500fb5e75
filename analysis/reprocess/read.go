package reprocess

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/sonde-project/sonde/analysis"
)

// queryTime bounds each query but the streaming ones, which last as long
// as their window takes to analyse.
const queryTime = 10 * time.Minute

// day is one UTC day and how many measurements it holds.
type day struct {
	at    time.Time
	count uint64
}

// window is a range of whole days inside one month, [from, to).
type window struct {
	from, to time.Time
	count    uint64
}

func (w window) month() uint32 { return uint32(w.from.Year()*100 + int(w.from.Month())) }

// filter is a WHERE clause of fixed fragments and its bound arguments.
type filter struct {
	parts []string
	args  []any
}

func (f *filter) add(cond string, args ...any) {
	f.parts = append(f.parts, cond)
	f.args = append(f.args, args...)
}

func (f *filter) String() string {
	if len(f.parts) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(f.parts, " AND ")
}

// where is the configuration's filter on a table with
// measurement_start_time, probe_cc and test_name, within [from, to) when
// those are not zero.
func (r *run) where(from, to time.Time) *filter {
	f := &filter{}
	if from.IsZero() || (!r.cfg.Since.IsZero() && r.cfg.Since.After(from)) {
		from = r.cfg.Since
	}
	if to.IsZero() || (!r.cfg.Until.IsZero() && r.cfg.Until.Before(to)) {
		to = r.cfg.Until
	}
	if !from.IsZero() {
		f.add("measurement_start_time >= ?", from)
	}
	if !to.IsZero() {
		f.add("measurement_start_time < ?", to)
	}
	if r.cfg.CC != "" {
		f.add("probe_cc = ?", r.cfg.CC)
	}
	if r.cfg.TestName != "" {
		f.add("test_name = ?", r.cfg.TestName)
	}
	return f
}

// days lists the days of the range that hold measurements.
func (r *run) days(ctx context.Context) ([]day, error) {
	ctx, cancel := context.WithTimeout(ctx, queryTime)
	defer cancel()
	f := r.where(time.Time{}, time.Time{})
	rows, err := r.conn.Query(ctx, "SELECT toDate(measurement_start_time) AS d, count() FROM measurements"+f.String()+
		" GROUP BY d ORDER BY d", f.args...)
	if err != nil {
		return nil, fmt.Errorf("listing the days that hold measurements: %w", err)
	}
	defer rows.Close()
	var out []day
	for rows.Next() {
		var d day
		if err := rows.Scan(&d.at, &d.count); err != nil {
			return nil, fmt.Errorf("listing the days that hold measurements: %w", err)
		}
		d.at = time.Date(d.at.Year(), d.at.Month(), d.at.Day(), 0, 0, 0, 0, time.UTC)
		out = append(out, d)
		r.sum.InRange += int64(d.count)
	}
	return out, rows.Err()
}

// splitWindows groups consecutive days of one month into windows of at
// most size measurements (a day with more is a window of its own).
func splitWindows(days []day, size int) []window {
	var out []window
	for _, d := range days {
		end := d.at.AddDate(0, 0, 1)
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.month() == (window{from: d.at}).month() && last.count+d.count <= uint64(size) {
				last.to, last.count = end, last.count+d.count
				continue
			}
		}
		out = append(out, window{from: d.at, to: end, count: d.count})
	}
	return out
}

// window reads the window's measurements to recompute, streaming, and
// handles them a batch at a time.
func (r *run) window(ctx context.Context, w window) error {
	f := r.where(w.from, w.to)
	q := "SELECT measurement_uid, raw FROM measurements FINAL" + f.String()
	args := f.args
	if !r.cfg.All {
		// Up to date: a verdict of the current rules (or newer ones: an
		// older binary never undoes a newer one's work).
		cur := r.where(w.from, w.to)
		cur.add("analysis_version >= ?", uint32(analysis.Version))
		q += andOrWhere(f) + "measurement_uid NOT IN (SELECT measurement_uid FROM verdicts" + cur.String() + ")"
		args = append(append([]any{}, f.args...), cur.args...)
	}
	// Blocks of at most one batch: the driver buffers two of them.
	qctx := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"max_block_size": r.cfg.BatchSize}))
	rows, err := r.conn.Query(qctx, q, args...)
	if err != nil {
		return fmt.Errorf("reading the measurements of %s: %w", w.from.Format(time.DateOnly), err)
	}
	defer rows.Close()
	batch := make([]stored, 0, r.cfg.BatchSize)
	for rows.Next() {
		var s stored
		if err := rows.Scan(&s.uid, &s.raw); err != nil {
			return fmt.Errorf("reading the measurements of %s: %w", w.from.Format(time.DateOnly), err)
		}
		batch = append(batch, s)
		if len(batch) == r.cfg.BatchSize {
			if err := r.batch(ctx, w, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading the measurements of %s: %w", w.from.Format(time.DateOnly), err)
	}
	return r.batch(ctx, w, batch)
}

func andOrWhere(f *filter) string {
	if len(f.parts) == 0 {
		return " WHERE "
	}
	return " AND "
}

// stored is one measurement as the measurements table holds it.
type stored struct {
	uid, raw string
}
