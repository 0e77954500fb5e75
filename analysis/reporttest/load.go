package reporttest

import (
	"context"
	"fmt"
	"time"

	"github.com/sonde-project/sonde/internal/warehouse"
)

// Load writes the outcomes' measurements, observations and verdicts into
// the warehouse the way the collector's loader does: through the
// warehouse's rows and batch writers, in batches of batchSize.
func Load(ctx context.Context, w *warehouse.Writer, outcomes []Outcome, batchSize int) error {
	received := Now
	for start := 0; start < len(outcomes); start += batchSize {
		end := min(start+batchSize, len(outcomes))
		var ms []warehouse.MeasurementRow
		var obs []warehouse.ObservationRow
		var vs []warehouse.VerdictRow
		for _, o := range outcomes[start:end] {
			m, raw, err := Measurement(o)
			if err != nil {
				return fmt.Errorf("reporttest: %s: %w", o.UID, err)
			}
			ms = append(ms, warehouse.NewMeasurementRow(m, string(raw), received))
			obs = append(obs, warehouse.NewObservationRows(m)...)
			vs = append(vs, warehouse.NewVerdictRow(m, Verdict(o), received.Add(time.Minute)))
		}
		if err := w.InsertMeasurements(ctx, ms); err != nil {
			return err
		}
		if err := w.InsertObservations(ctx, obs); err != nil {
			return err
		}
		if err := w.InsertVerdicts(ctx, vs); err != nil {
			return err
		}
	}
	return nil
}
