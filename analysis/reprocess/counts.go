package reprocess

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// inconsistentMonths returns the months of the range whose daily counts
// disagree with the verdicts: the total of verdict_daily against the
// number of measurements with a verdict (verdicts FINAL keeps one per
// measurement). A month differs after a run that wrote verdicts and was
// killed before rebuilding it, or after verdicts were re-inserted by hand.
func (r *run) inconsistentMonths(ctx context.Context) ([]uint32, error) {
	ctx, cancel := context.WithTimeout(ctx, queryTime)
	defer cancel()
	verdicts, err := r.monthTotals(ctx, "SELECT toYYYYMM(measurement_start_time) AS m, count() FROM verdicts FINAL", r.where(time.Time{}, time.Time{}))
	if err != nil {
		return nil, fmt.Errorf("counting the verdicts: %w", err)
	}
	daily := &filter{}
	if !r.cfg.Since.IsZero() {
		daily.add("day >= toDate(?)", r.cfg.Since.Format(time.DateOnly))
	}
	if !r.cfg.Until.IsZero() {
		daily.add("day < toDate(?)", r.cfg.Until.Format(time.DateOnly))
	}
	if r.cfg.CC != "" {
		daily.add("probe_cc = ?", r.cfg.CC)
	}
	if r.cfg.TestName != "" {
		daily.add("test_name = ?", r.cfg.TestName)
	}
	counted, err := r.monthTotals(ctx, "SELECT toYYYYMM(day) AS m, sum(ok_count + anomaly_count + confirmed_count + failure_count) FROM verdict_daily", daily)
	if err != nil {
		return nil, fmt.Errorf("reading the daily counts: %w", err)
	}
	var off []uint32
	for m, n := range verdicts {
		if counted[m] != n {
			off = append(off, m)
		}
	}
	for m, n := range counted {
		if _, ok := verdicts[m]; !ok && n != 0 {
			off = append(off, m)
		}
	}
	slices.Sort(off)
	return off, nil
}

func (r *run) monthTotals(ctx context.Context, q string, f *filter) (map[uint32]uint64, error) {
	rows, err := r.conn.Query(ctx, q+f.String()+" GROUP BY m", f.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[uint32]uint64{}
	for rows.Next() {
		var m uint32
		var n uint64
		if err := rows.Scan(&m, &n); err != nil {
			return nil, err
		}
		out[m] = n
	}
	return out, rows.Err()
}

func sortedMonths(set map[uint32]bool) []uint32 {
	out := make([]uint32, 0, len(set))
	for m := range set {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}
