package aggregate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Axes are the dimensions an aggregation can be broken down by, named as
// in OONI's /api/v1/aggregation, with the rollup's expression of each.
var Axes = map[string]string{
	"measurement_start_day": "toString(day)",
	"probe_cc":              "probe_cc",
	"probe_asn":             "concat('AS', toString(probe_asn))",
	"domain":                "domain",
	"test_name":             "test_name",
	"blocking_method":       "blocking_method",
}

// AxisNames lists the axes in a stable order, for messages.
func AxisNames() []string {
	names := make([]string, 0, len(Axes))
	for n := range Axes {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// ErrBadAxis is returned for an axis not in Axes.
var ErrBadAxis = errors.New("unknown axis")

// AxisQuery is an aggregation: the filter's measurements counted by
// outcome, broken down by up to two axes.
type AxisQuery struct {
	Filter
	AxisX, AxisY string // "" for none
	// MaxRows bounds the answer; 0 means the store's limit.
	MaxRows int
}

// AxisRow is one cell of an aggregation.
type AxisRow struct {
	X, Y                            string
	OK, Anomaly, Confirmed, Failure int64
}

// Aggregate counts measurements by outcome over the rollup, broken down by
// the query's axes. The axes are looked up in Axes: their names never
// reach the SQL text.
func (s *Store) Aggregate(ctx context.Context, aq AxisQuery) ([]AxisRow, error) {
	dims := []string{"''", "''"}
	var group []string
	for i, axis := range []string{aq.AxisX, aq.AxisY} {
		if axis == "" {
			continue
		}
		expr, ok := Axes[axis]
		if !ok {
			return nil, fmt.Errorf("%w %q: use one of %s", ErrBadAxis, axis, strings.Join(AxisNames(), ", "))
		}
		dims[i] = expr
		group = append(group, expr)
	}
	w, err := filterWhere(aq.Filter, "day")
	if err != nil {
		return nil, err
	}
	q := "SELECT " + dims[0] + ", " + dims[1] + `,
  sum(ok_count), sum(anomaly_count), sum(confirmed_count), sum(failure_count)
FROM verdict_daily` + w.String()
	if len(group) > 0 {
		q += " GROUP BY " + strings.Join(group, ", ") + " ORDER BY " + strings.Join(group, ", ")
	}
	limit := s.limits.maxRows()
	if aq.MaxRows > 0 {
		limit = min(limit, aq.MaxRows)
	}
	rows, cancel, err := s.query(ctx, limit, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("aggregation: %w", err)
	}
	defer cancel()
	defer rows.Close()
	var out []AxisRow
	for rows.Next() {
		var r AxisRow
		var ok, an, co, fa uint64
		if err := rows.Scan(&r.X, &r.Y, &ok, &an, &co, &fa); err != nil {
			return nil, fmt.Errorf("aggregation: %w", err)
		}
		if len(out) == limit {
			return nil, ErrTooMuch
		}
		r.OK, r.Anomaly, r.Confirmed, r.Failure = int64(ok), int64(an), int64(co), int64(fa)
		out = append(out, r)
	}
	return out, rows.Err()
}
