package aggregate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// rollupSelect counts verdicts the way the verdict_daily_mv view does
// (internal/warehouse/migrations/0101_verdict_daily.sql);
// TestRollupCountsAsTheView holds it to that migration's back-fill.
const rollupSelect = `SELECT
    toDate(measurement_start_time) AS day,
    probe_cc,
    probe_asn,
    domain,
    test_name,
    if(confidence IN ('anomaly', 'confirmed') AND blocking NOT IN ('false', 'null'), blocking, '') AS blocking_method,
    toUInt64(countIf(confidence = 'ok')) AS ok_count,
    toUInt64(countIf(confidence = 'anomaly')) AS anomaly_count,
    toUInt64(countIf(confidence = 'confirmed')) AS confirmed_count,
    toUInt64(countIf(confidence NOT IN ('ok', 'anomaly', 'confirmed'))) AS failure_count
FROM verdicts FINAL
WHERE toYYYYMM(measurement_start_time) = ?
GROUP BY day, probe_cc, probe_asn, domain, test_name, blocking_method`

// Rebuild recomputes the daily counts of one month from the verdicts, one
// per measurement (the newest analysis), and swaps the month's partition
// of verdict_daily for the result. Run it after re-inserting verdicts of
// that month (`analysis reprocess`): the materialized view counts every
// insert, so a measurement analysed twice is counted twice until then.
// Verdicts inserted while Rebuild runs may be left out; run it again.
func (s *Store) Rebuild(ctx context.Context, month time.Time) error {
	partition := month.UTC().Year()*100 + int(month.UTC().Month())
	var suffix [6]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return err
	}
	staging := "verdict_daily_rebuild_" + hex.EncodeToString(suffix[:])
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if err := s.conn.Exec(ctx, "CREATE TABLE "+staging+" AS verdict_daily"); err != nil {
		return fmt.Errorf("rebuild %d: %w", partition, err)
	}
	defer func() { _ = s.conn.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+staging) }()
	if err := s.conn.Exec(ctx, "INSERT INTO "+staging+" "+rollupSelect, partition); err != nil {
		return fmt.Errorf("rebuild %d: %w", partition, err)
	}
	if err := s.conn.Exec(ctx, fmt.Sprintf("ALTER TABLE verdict_daily REPLACE PARTITION %d FROM %s", partition, staging)); err != nil {
		return fmt.Errorf("rebuild %d: %w", partition, err)
	}
	return nil
}

// CountrySummary is one country of the reports' index.
type CountrySummary struct {
	CC           string `json:"probe_cc"`
	Measurements int64  `json:"measurement_count"`
	// AnomalousSites counts domains with at least one anomaly or
	// confirmed measurement.
	AnomalousSites int64 `json:"anomalous_sites"`
}

// Countries lists the countries with measurements in [since, until).
func (s *Store) Countries(ctx context.Context, since, until time.Time) ([]CountrySummary, error) {
	w, _ := filterWhere(Filter{Since: since, Until: until}, "day")
	q := `SELECT probe_cc, sum(ok_count + anomaly_count + confirmed_count + failure_count),
  uniqExactIf(domain, anomaly_count + confirmed_count > 0)
FROM verdict_daily` + w.String() + `
GROUP BY probe_cc ORDER BY probe_cc`
	rows, cancel, err := s.query(ctx, 1000, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("countries: %w", err)
	}
	defer cancel()
	defer rows.Close()
	var out []CountrySummary
	for rows.Next() {
		var c CountrySummary
		var n, sites uint64
		if err := rows.Scan(&c.CC, &n, &sites); err != nil {
			return nil, fmt.Errorf("countries: %w", err)
		}
		c.Measurements, c.AnomalousSites = int64(n), int64(sites)
		out = append(out, c)
	}
	return out, rows.Err()
}
