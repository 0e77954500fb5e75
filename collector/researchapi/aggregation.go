package researchapi

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/sonde-project/sonde/analysis/aggregate"
)

var aggregationParams = []string{"axis_x", "axis_y", "probe_cc", "probe_asn", "domain", "test_name", "since", "until", "format"}

// aggregation answers GET /api/v1/aggregation: measurement counts by
// outcome, broken down by up to two axes, as JSON (OONI's shape) or CSV.
func (h *Handler) aggregation(w http.ResponseWriter, r *http.Request) error {
	p, f, since, until, err := h.filtered(r, aggregationParams, 31, h.cfg.MaxSearchDays)
	if err != nil {
		return err
	}
	// The rollup counts whole days.
	f.Since, f.Until = since.Truncate(24*time.Hour), until
	axes := aggregate.AxisNames()
	x, err := p.oneOf("axis_x", "", axes...)
	if err != nil {
		return err
	}
	y, err := p.oneOf("axis_y", "", axes...)
	if err != nil {
		return err
	}
	if y != "" && x == "" {
		return fmt.Errorf("%w: axis_y needs axis_x", ErrBadParam)
	}
	if x != "" && x == y {
		return fmt.Errorf("%w: axis_x and axis_y are both %s", ErrBadParam, x)
	}
	format, err := p.oneOf("format", "json", "json", "csv")
	if err != nil {
		return err
	}
	rows, err := h.store.Aggregate(r.Context(), aggregate.AxisQuery{Filter: f, AxisX: x, AxisY: y, MaxRows: h.cfg.MaxAggregationRows})
	if err != nil {
		return err
	}
	if format == "csv" {
		return writeAggregationCSV(w, x, y, rows)
	}
	out := make([]map[string]any, 0, len(rows))
	for _, row := range rows {
		m := map[string]any{
			"ok_count": row.OK, "anomaly_count": row.Anomaly, "confirmed_count": row.Confirmed,
			"failure_count": row.Failure, "measurement_count": row.OK + row.Anomaly + row.Confirmed + row.Failure,
		}
		if x != "" {
			m[x] = row.X
		}
		if y != "" {
			m[y] = row.Y
		}
		out = append(out, m)
	}
	body := map[string]any{"dimension_count": dims(x, y), "v": 0,
		"since": since.Format(time.RFC3339), "until": until.Format(time.RFC3339)}
	if x == "" && len(out) == 1 {
		body["result"] = out[0]
	} else {
		body["result"] = out
	}
	return writeJSON(w, body)
}

func dims(x, y string) int {
	n := 0
	for _, a := range []string{x, y} {
		if a != "" {
			n++
		}
	}
	return n
}

func writeAggregationCSV(w http.ResponseWriter, x, y string, rows []aggregate.AxisRow) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="aggregation.csv"`)
	cw := csv.NewWriter(w)
	var header []string
	for _, a := range []string{x, y} {
		if a != "" {
			header = append(header, a)
		}
	}
	header = append(header, "anomaly_count", "confirmed_count", "failure_count", "ok_count", "measurement_count")
	if err := cw.Write(header); err != nil {
		return err
	}
	itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
	for _, row := range rows {
		var rec []string
		if x != "" {
			rec = append(rec, csvSafe(row.X))
		}
		if y != "" {
			rec = append(rec, csvSafe(row.Y))
		}
		rec = append(rec, itoa(row.Anomaly), itoa(row.Confirmed), itoa(row.Failure), itoa(row.OK),
			itoa(row.OK+row.Anomaly+row.Confirmed+row.Failure))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps spreadsheets from running a value as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}
