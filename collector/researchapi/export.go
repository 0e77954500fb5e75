package researchapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/sonde-project/sonde/analysis/aggregate"
)

var errTooMuchExport = errors.New("too many measurements for one export")

var exportParams = []string{"probe_cc", "probe_asn", "domain", "test_name", "since", "until"}

// export answers GET /api/v1/export: every measurement of a period (and
// filter) as raw JSON, one per line (JSONL), oldest first, streamed.
func (h *Handler) export(w http.ResponseWriter, r *http.Request) error {
	if q := r.URL.Query(); q.Get("since") == "" || q.Get("until") == "" {
		return fmt.Errorf("%w: an export needs since and until (at most %d days apart)", ErrBadParam, h.cfg.MaxExportDays)
	}
	_, f, since, until, err := h.filtered(r, exportParams, 1, h.cfg.MaxExportDays)
	if err != nil {
		return err
	}
	cond, args, err := aggregate.Where(f, "toDate(measurement_start_time)")
	if err != nil {
		return err
	}
	where := " WHERE measurement_start_time >= ? AND measurement_start_time < ?"
	if cond != "" {
		where += " AND " + strings.TrimPrefix(cond, " WHERE ")
	}
	args = append([]any{since, until}, args...)

	// Count first: an export that would pass the limit is refused before
	// anything is streamed, never cut short.
	rows, cancel, err := aggregate.Query(r.Context(), h.conn, h.cfg.QueryTime, "SELECT count() FROM measurements"+where, args...)
	if err != nil {
		return err
	}
	var n uint64
	if rows.Next() {
		err = rows.Scan(&n)
	}
	rows.Close()
	cancel()
	if err != nil {
		return err
	}
	if n > uint64(h.cfg.MaxExportRows) {
		return fmt.Errorf("%w: %d measurements match, the limit is %d; export a shorter period or one country",
			errTooMuchExport, n, h.cfg.MaxExportRows)
	}
	rows, cancel, err = aggregate.Query(r.Context(), h.conn, h.cfg.ExportTime,
		"SELECT raw FROM measurements"+where+" ORDER BY measurement_start_time, measurement_uid LIMIT ?",
		append(args, h.cfg.MaxExportRows)...)
	if err != nil {
		return err
	}
	defer cancel()
	defer rows.Close()
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Content-Disposition", `attachment; filename="measurements.jsonl"`)
	w.Header().Set("X-Measurement-Count", fmt.Sprint(n))
	flusher, _ := w.(http.Flusher)
	written := 0
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			h.cfg.Logger.Error("researchapi: export cut short", "err", err)
			return nil // the status is sent; the short count tells the client
		}
		if _, err := w.Write(append([]byte(raw), '\n')); err != nil {
			return nil // the client went away
		}
		if written++; written%1000 == 0 && flusher != nil {
			flusher.Flush()
		}
	}
	if err := rows.Err(); err != nil {
		h.cfg.Logger.Error("researchapi: export cut short", "err", err, "written", written)
	}
	return nil
}
