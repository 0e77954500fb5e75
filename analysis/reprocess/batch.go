package reprocess

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/warehouse"
)

// writeTime bounds the insert of one batch. The insert is not cut by
// Ctrl-C: a batch is written whole or not at all.
const writeTime = 5 * time.Minute

// batch analyses measurements of window w and writes the verdicts that
// differ from the stored ones.
func (r *run) batch(ctx context.Context, w window, batch []stored) error {
	if len(batch) == 0 {
		return nil
	}
	uids := make([]string, len(batch))
	for i, s := range batch {
		uids[i] = s.uid
	}
	old, err := r.storedVerdicts(ctx, w, uids)
	if err != nil {
		return err
	}
	now := r.cfg.Now().UTC().Truncate(time.Second)
	var rows []warehouse.VerdictRow
	for _, s := range batch {
		r.sum.Read++
		m, err := measurement.ParseAliasing([]byte(s.raw)) // a fresh copy
		if err != nil {
			r.sum.Unreadable++
			if r.sum.FirstUnreadable == "" {
				r.sum.FirstUnreadable = s.uid + ": " + err.Error()
			}
			continue
		}
		m.MeasurementUID = s.uid
		row := warehouse.NewVerdictRow(m, r.cfg.Analyzer.Analyze(m), now)
		r.sum.Recomputed++
		prev, had := old[s.uid]
		if had && sameVerdict(prev, row) {
			r.sum.UpToDate++
			continue
		}
		if had && !row.AnalyzedTime.After(prev.AnalyzedTime) {
			row.AnalyzedTime = prev.AnalyzedTime.Add(time.Second)
		}
		from, to := outcomeOf(prev), outcomeOf(row)
		if !had {
			from = outcome{}
		}
		if from != to {
			r.sum.Changed++
			r.sum.changes[change{from, to}]++
		}
		rows = append(rows, row)
	}
	r.sum.Written += int64(len(rows))
	if len(rows) > 0 {
		// Marked first: a write that fails half-way is rebuilt too.
		r.touched[w.month()] = true
	}
	if !r.cfg.DryRun && len(rows) > 0 {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTime)
		err := r.writer.InsertVerdicts(wctx, rows)
		cancel()
		if err != nil {
			r.sum.Written -= int64(len(rows))
			return fmt.Errorf("writing the verdicts: %w", err)
		}
	}
	r.prog.tick()
	if r.cfg.afterBatch != nil {
		r.cfg.afterBatch()
	}
	return nil
}

// storedVerdicts returns the newest stored verdict of each of uids, all
// measured in window w.
func (r *run) storedVerdicts(ctx context.Context, w window, uids []string) (map[string]warehouse.VerdictRow, error) {
	ctx, cancel := context.WithTimeout(ctx, queryTime)
	defer cancel()
	set := clickhouse.GroupSet{Value: make([]any, len(uids))}
	for i, u := range uids {
		set.Value[i] = u
	}
	rows, err := r.conn.Query(ctx, `SELECT measurement_uid, argMax(status, analyzed_time), argMax(blocking, analyzed_time),
  argMax(accessible, analyzed_time), argMax(confidence, analyzed_time), argMax(fingerprint, analyzed_time),
  argMax(explanation, analyzed_time), argMax(evidence, analyzed_time), argMax(analysis_version, analyzed_time),
  max(analyzed_time)
FROM verdicts
WHERE measurement_start_time >= ? AND measurement_start_time < ? AND measurement_uid IN ?
GROUP BY measurement_uid`, w.from, w.to, set)
	if err != nil {
		return nil, fmt.Errorf("reading the stored verdicts: %w", err)
	}
	defer rows.Close()
	out := make(map[string]warehouse.VerdictRow, len(uids))
	for rows.Next() {
		var v warehouse.VerdictRow
		if err := rows.Scan(&v.MeasurementUID, &v.Status, &v.Blocking, &v.Accessible, &v.Confidence, &v.Fingerprint,
			&v.Explanation, &v.Evidence, &v.AnalysisVersion, &v.AnalyzedTime); err != nil {
			return nil, fmt.Errorf("reading the stored verdicts: %w", err)
		}
		v.AnalyzedTime = v.AnalyzedTime.UTC()
		out[v.MeasurementUID] = v
	}
	return out, rows.Err()
}

// sameVerdict: b says exactly what a says, by the same rules.
func sameVerdict(a, b warehouse.VerdictRow) bool {
	return a.Status == b.Status && a.Blocking == b.Blocking && a.Accessible == b.Accessible &&
		a.Confidence == b.Confidence && a.Fingerprint == b.Fingerprint && a.Explanation == b.Explanation &&
		a.Evidence == b.Evidence && a.AnalysisVersion == b.AnalysisVersion
}
