package researchapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/sonde-project/sonde/analysis/aggregate"
)

// measurement answers GET /api/v1/measurements/{uid} with the raw
// measurement JSON as the collector stored it.
func (h *Handler) measurement(w http.ResponseWriter, r *http.Request) error {
	uid := r.PathValue("uid")
	if _, err := parseParams(r.URL.RawQuery); err != nil {
		return err
	}
	if !uidRe.MatchString(uid) {
		return bad("measurement_uid", uid, "a measurement id (letters, digits, '.', '_' and '-')")
	}
	// The index gives the full sorting key of the row, so the second
	// query reads one granule instead of every uid.
	rows, cancel, err := aggregate.Query(r.Context(), h.conn, h.cfg.QueryTime,
		`SELECT probe_cc, test_name, measurement_start_time, domain FROM measurement_index
WHERE measurement_uid = ? LIMIT 1`, uid)
	if err != nil {
		return err
	}
	var cc, test, domain string
	var start time.Time
	found := rows.Next()
	if found {
		err = rows.Scan(&cc, &test, &start, &domain)
	}
	rows.Close()
	cancel()
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%w: no measurement with id %q", errNotFound, uid)
	}
	rows, cancel, err = aggregate.Query(r.Context(), h.conn, h.cfg.QueryTime,
		`SELECT raw FROM measurements
WHERE probe_cc = ? AND test_name = ? AND toDate(measurement_start_time) = toDate(?)
  AND measurement_start_time = ? AND domain = ? AND measurement_uid = ? LIMIT 1`,
		cc, test, start.UTC().Format(time.DateOnly), start.UTC(), domain, uid)
	if err != nil {
		return err
	}
	defer cancel()
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return fmt.Errorf("%w: no measurement with id %q", errNotFound, uid)
	}
	var raw string
	if err := rows.Scan(&raw); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, err = w.Write([]byte(raw))
	return err
}

// searchResult is one measurement of a search page.
type searchResult struct {
	MeasurementUID       string   `json:"measurement_uid"`
	ReportID             string   `json:"report_id"`
	TestName             string   `json:"test_name"`
	ProbeCC              string   `json:"probe_cc"`
	ProbeASN             string   `json:"probe_asn"`
	ProbeNetworkName     string   `json:"probe_network_name"`
	Input                string   `json:"input"`
	Domain               string   `json:"domain"`
	MeasurementStartTime string   `json:"measurement_start_time"`
	MeasurementURL       string   `json:"measurement_url"`
	Verdict              *verdict `json:"verdict"`
}

type verdict struct {
	Confidence  string `json:"confidence"`
	Blocking    string `json:"blocking"`
	Status      string `json:"status"`
	Explanation string `json:"explanation,omitempty"`
}

var searchParams = []string{"probe_cc", "probe_asn", "domain", "test_name", "verdict", "since", "until", "limit", "cursor"}

// search answers GET /api/v1/measurements: measurements matching the
// filters, newest first, a page at a time.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) error {
	p, f, since, until, err := h.filtered(r, searchParams, 31, h.cfg.MaxSearchDays)
	if err != nil {
		return err
	}
	limit, err := p.intParam("limit", 100, 1, h.cfg.MaxPageSize)
	if err != nil {
		return err
	}
	verdictFilter, err := p.oneOf("verdict", "", verdicts...)
	if err != nil {
		return err
	}
	var after *cursor
	if s := p.get("cursor"); s != "" {
		c, err := parseCursor(s)
		if err != nil {
			return err
		}
		after = &c
	}

	cond, args, err := aggregate.Where(f, "toDate(measurement_start_time)")
	if err != nil {
		return err
	}
	conds := []string{"measurement_start_time >= ?", "measurement_start_time < ?"}
	args = append([]any{since, until}, args...)
	if cond != "" {
		conds = append(conds, strings.TrimPrefix(cond, " WHERE "))
	}
	if verdictFilter != "" {
		// The newest verdict of each measurement (FINAL) must match.
		vcond, vargs, _ := aggregate.Where(f, "toDate(measurement_start_time)")
		sub := "SELECT measurement_uid FROM verdicts FINAL" + vcond
		if vcond == "" {
			sub += " WHERE "
		} else {
			sub += " AND "
		}
		sub += "measurement_start_time >= ? AND measurement_start_time < ? AND confidence = ?"
		conds = append(conds, "measurement_uid IN ("+sub+")")
		args = append(args, vargs...)
		args = append(args, since, until, verdictFilter)
	}
	if after != nil {
		conds = append(conds, "(measurement_start_time < ? OR (measurement_start_time = ? AND measurement_uid < ?))")
		args = append(args, after.Time, after.Time, after.UID)
	}
	q := `SELECT measurement_uid, report_id, test_name, probe_cc, probe_asn, probe_network_name, input, domain,
  measurement_start_time FROM measurements WHERE ` + strings.Join(conds, " AND ") + `
ORDER BY measurement_start_time DESC, measurement_uid DESC LIMIT ?`
	args = append(args, limit+1)
	rows, cancel, err := aggregate.Query(r.Context(), h.conn, h.cfg.QueryTime, q, args...)
	if err != nil {
		return err
	}
	defer cancel()
	defer rows.Close()
	results := []searchResult{}
	var times []time.Time
	for rows.Next() {
		var res searchResult
		var asn uint32
		var start time.Time
		if err := rows.Scan(&res.MeasurementUID, &res.ReportID, &res.TestName, &res.ProbeCC, &asn,
			&res.ProbeNetworkName, &res.Input, &res.Domain, &start); err != nil {
			return err
		}
		res.ProbeASN = aggregate.FormatASN(asn)
		res.MeasurementStartTime = start.UTC().Format("2006-01-02T15:04:05Z")
		res.MeasurementURL = "/api/v1/measurements/" + url.PathEscape(res.MeasurementUID)
		results = append(results, res)
		times = append(times, start.UTC())
	}
	if err := rows.Err(); err != nil {
		return err
	}
	meta := map[string]any{"limit": limit, "since": since.Format(time.RFC3339), "until": until.Format(time.RFC3339)}
	if len(results) > limit {
		results, times = results[:limit], times[:limit]
		next := cursor{Time: times[limit-1], UID: results[limit-1].MeasurementUID}.String()
		q := r.URL.Query()
		q.Set("cursor", next)
		meta["next_cursor"] = next
		meta["next_url"] = "/api/v1/measurements?" + q.Encode()
	}
	meta["count"] = len(results)
	if err := h.attachVerdicts(r, results, times); err != nil {
		return err
	}
	return writeJSON(w, map[string]any{"metadata": meta, "results": results})
}

// attachVerdicts adds each result's newest verdict.
func (h *Handler) attachVerdicts(r *http.Request, results []searchResult, times []time.Time) error {
	if len(results) == 0 {
		return nil
	}
	uids := clickhouse.GroupSet{}
	first, last := times[0], times[0]
	for i, res := range results {
		uids.Value = append(uids.Value, res.MeasurementUID)
		first, last = minTime(first, times[i]), maxTime(last, times[i])
	}
	rows, cancel, err := aggregate.Query(r.Context(), h.conn, h.cfg.QueryTime,
		`SELECT measurement_uid, argMax(confidence, analyzed_time), argMax(blocking, analyzed_time),
  argMax(status, analyzed_time), argMax(explanation, analyzed_time)
FROM verdicts WHERE measurement_start_time >= ? AND measurement_start_time <= ? AND measurement_uid IN ?
GROUP BY measurement_uid`, first, last, uids)
	if err != nil {
		return err
	}
	defer cancel()
	defer rows.Close()
	byUID := map[string]*verdict{}
	for rows.Next() {
		var uid string
		var v verdict
		if err := rows.Scan(&uid, &v.Confidence, &v.Blocking, &v.Status, &v.Explanation); err != nil {
			return err
		}
		byUID[uid] = &v
	}
	for i := range results {
		results[i].Verdict = byUID[results[i].MeasurementUID]
	}
	return rows.Err()
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
