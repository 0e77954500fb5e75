package aggregate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sonde-project/sonde/internal/verdict"
)

// Conn is what the store needs of a ClickHouse connection
// (clickhouse-go's driver.Conn has it).
type Conn interface {
	Query(ctx context.Context, query string, args ...any) (driver.Rows, error)
	Exec(ctx context.Context, query string, args ...any) error
}

// Limits bound what one query may cost. The zero value uses the defaults.
type Limits struct {
	// QueryTime bounds each query, on the server (max_execution_time) and
	// on the client (context). Default 30s.
	QueryTime time.Duration
	// MaxRows bounds the rows one query returns. Default 2,000,000.
	MaxRows int
}

func (l Limits) queryTime() time.Duration { return cmp.Or(l.QueryTime, 30*time.Second) }
func (l Limits) maxRows() int             { return cmp.Or(l.MaxRows, 2_000_000) }

// ErrTooMuch is returned when a query would return more rows than the
// limit allows.
var ErrTooMuch = errors.New("the answer is too large: narrow the filter (a shorter period, one country, one network or one domain)")

// Store reads the rollup and the verdicts from ClickHouse. Every value
// from a caller reaches the server as a bound parameter; the SQL text is
// made only of the constants in this package.
type Store struct {
	conn   Conn
	limits Limits
}

// NewStore returns a store on conn, a connection to a database migrated
// by internal/warehouse.
func NewStore(conn Conn, limits Limits) *Store { return &Store{conn: conn, limits: limits} }

// query runs q with the store's limits and a cap of maxRows+1 rows (one
// more, so that reaching the cap can be told from matching it).
func (s *Store) query(ctx context.Context, maxRows int, q string, args ...any) (driver.Rows, context.CancelFunc, error) {
	return Query(ctx, s.conn, s.limits.queryTime(), q+" LIMIT "+strconv.Itoa(maxRows+1), args...)
}

// Query runs q on conn within d: a client deadline and, on the server,
// max_execution_time. Call the returned cancel function after reading
// the rows.
func Query(ctx context.Context, conn Conn, d time.Duration, q string, args ...any) (driver.Rows, context.CancelFunc, error) {
	ctx, cancel := context.WithTimeout(ctx, d+5*time.Second)
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{
		"max_execution_time": max(int(d.Seconds()), 1),
	}))
	rows, err := conn.Query(ctx, q, args...)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	return rows, cancel, nil
}

// where is a WHERE clause and its arguments, built from fixed fragments.
type where struct {
	parts []string
	args  []any
}

func (w *where) add(cond string, arg any) {
	w.parts = append(w.parts, cond)
	w.args = append(w.args, arg)
}

func (w *where) String() string {
	if len(w.parts) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.parts, " AND ")
}

// Where returns the conditions of a filter as a WHERE clause (empty when
// the filter is) and its bound arguments; dayCol is the SQL expression of
// a row's day.
func Where(f Filter, dayCol string) (string, []any, error) {
	w, err := filterWhere(f, dayCol)
	if err != nil {
		return "", nil, err
	}
	return w.String(), w.args, nil
}

// filterWhere turns a filter into conditions; dayCol is the expression of
// the row's day.
func filterWhere(f Filter, dayCol string) (*where, error) {
	w := &where{}
	if !f.Since.IsZero() {
		w.add(dayCol+" >= toDate(?)", f.Since.UTC().Format(time.DateOnly))
	}
	if !f.Until.IsZero() {
		w.add(dayCol+" < toDate(?)", f.Until.UTC().Format(time.DateOnly))
	}
	if f.CC != "" {
		w.add("probe_cc = ?", f.CC)
	}
	if len(f.AnyCC) > 0 {
		set := clickhouse.GroupSet{}
		for _, cc := range f.AnyCC {
			set.Value = append(set.Value, cc)
		}
		w.add("probe_cc IN ?", set)
	}
	if f.ASN != "" {
		n, err := ParseASN(f.ASN)
		if err != nil {
			return nil, err
		}
		w.add("probe_asn = ?", n)
	}
	if f.Domain != "" {
		w.add("domain = ?", f.Domain)
	}
	if f.TestName != "" {
		w.add("test_name = ?", f.TestName)
	}
	return w, nil
}

// ErrBadASN is returned for a network number that is not "AS" and digits.
var ErrBadASN = errors.New(`a network is "AS" followed by its number, e.g. AS44244`)

// ParseASN parses "AS44244" (or "44244").
func ParseASN(s string) (uint32, error) {
	n, err := strconv.ParseUint(strings.TrimPrefix(strings.ToUpper(s), "AS"), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%w (got %q)", ErrBadASN, s)
	}
	return uint32(n), nil
}

// FormatASN is the inverse of ParseASN.
func FormatASN(n uint32) string { return "AS" + strconv.FormatUint(uint64(n), 10) }

const countsQuery = `SELECT day, probe_cc, probe_asn, domain, test_name, blocking_method,
  sum(ok_count), sum(anomaly_count), sum(confirmed_count), sum(failure_count)
FROM verdict_daily`

// Counts returns the daily counts of the filter's measurements that have
// a domain, one row per (day, country, network, domain, test, method).
func (s *Store) Counts(ctx context.Context, f Filter) ([]Count, error) {
	w, err := filterWhere(f, "day")
	if err != nil {
		return nil, err
	}
	w.parts = append(w.parts, "domain != ''")
	q := countsQuery + w.String() + `
GROUP BY day, probe_cc, probe_asn, domain, test_name, blocking_method
ORDER BY day, probe_cc, probe_asn, domain, test_name, blocking_method`
	rows, cancel, err := s.query(ctx, s.limits.maxRows(), q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("daily counts: %w", err)
	}
	defer cancel()
	defer rows.Close()
	var out []Count
	for rows.Next() {
		var c Count
		var asn uint32
		var ok, an, co, fa uint64
		if err := rows.Scan(&c.Day, &c.CC, &asn, &c.Domain, &c.TestName, &c.Method, &ok, &an, &co, &fa); err != nil {
			return nil, fmt.Errorf("daily counts: %w", err)
		}
		if len(out) == s.limits.maxRows() {
			return nil, ErrTooMuch
		}
		c.Day = c.Day.UTC()
		c.ASN = FormatASN(asn)
		c.OK, c.Anomaly, c.Confirmed, c.Failure = int64(ok), int64(an), int64(co), int64(fa)
		out = append(out, c)
	}
	return out, rows.Err()
}

const evidenceColumns = `measurement_uid, measurement_start_time, probe_cc, probe_asn, domain, input,
  test_name, blocking, confidence, fingerprint, explanation`

// newestColumns are evidenceColumns as of each measurement's newest
// verdict.
const newestColumns = `measurement_uid, argMax(measurement_start_time, analyzed_time), argMax(probe_cc, analyzed_time),
  argMax(probe_asn, analyzed_time), argMax(domain, analyzed_time), argMax(input, analyzed_time),
  argMax(test_name, analyzed_time), argMax(blocking, analyzed_time), argMax(confidence, analyzed_time),
  argMax(fingerprint, analyzed_time), argMax(explanation, analyzed_time)`

// Evidence returns up to perCell blocked measurements (anomaly or
// confirmed) of each (country, network, domain) of the filter: confirmed
// first, then newest first.
//
// It reads in two steps rather than through verdicts FINAL, which merges
// every row of the range before filtering and is slow on large tables:
// candidates first (the filter's blocked verdicts, perCell per cell), then
// the newest verdict of each candidate, so a measurement re-analysed as
// not blocked is never cited and none is cited twice.
func (s *Store) Evidence(ctx context.Context, f Filter, perCell int) ([]Evidence, error) {
	w, err := filterWhere(f, "toDate(measurement_start_time)")
	if err != nil {
		return nil, err
	}
	w.parts = append(w.parts, "confidence IN ('anomaly', 'confirmed')", "domain != ''")
	args := append(append([]any{}, w.args...), max(perCell, 1))
	candidates, err := s.evidenceRows(ctx, "SELECT "+evidenceColumns+" FROM verdicts"+w.String()+`
ORDER BY probe_cc, probe_asn, domain, confidence = 'confirmed' DESC, measurement_start_time DESC, measurement_uid DESC
LIMIT ? BY probe_cc, probe_asn, domain`, args...)
	if err != nil || len(candidates) == 0 {
		return nil, err
	}
	uids := clickhouse.GroupSet{}
	for _, c := range candidates {
		uids.Value = append(uids.Value, c.MeasurementUID)
	}
	// The same filter keeps the second read in the same parts of the
	// sorting key; every verdict of a candidate matches it.
	w, _ = filterWhere(f, "toDate(measurement_start_time)")
	w.add("measurement_uid IN ?", uids)
	newest, err := s.evidenceRows(ctx, "SELECT "+newestColumns+" FROM verdicts"+w.String()+" GROUP BY measurement_uid", w.args...)
	if err != nil {
		return nil, err
	}
	still := map[string]Evidence{}
	for _, e := range newest {
		if e.Confidence == verdict.Anomaly || e.Confidence == verdict.Confirmed {
			still[e.MeasurementUID] = e
		}
	}
	var out []Evidence
	for _, c := range candidates {
		if e, ok := still[c.MeasurementUID]; ok {
			out = append(out, e)
			delete(still, c.MeasurementUID)
		}
	}
	slices.SortStableFunc(out, func(a, b Evidence) int {
		return cmp.Or(cmp.Compare(a.CC, b.CC), cmp.Compare(a.ASN, b.ASN), cmp.Compare(a.Domain, b.Domain),
			cmp.Compare(rank(b.Confidence), rank(a.Confidence)), b.Time.Compare(a.Time),
			cmp.Compare(b.MeasurementUID, a.MeasurementUID))
	})
	return out, nil
}

func rank(c verdict.Confidence) int {
	if c == verdict.Confirmed {
		return 1
	}
	return 0
}

func (s *Store) evidenceRows(ctx context.Context, q string, args ...any) ([]Evidence, error) {
	rows, cancel, err := s.query(ctx, s.limits.maxRows(), q, args...)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	defer cancel()
	defer rows.Close()
	var out []Evidence
	for rows.Next() {
		var e Evidence
		var asn uint32
		var confidence string
		if err := rows.Scan(&e.MeasurementUID, &e.Time, &e.CC, &asn, &e.Domain, &e.Input, &e.TestName,
			&e.Method, &confidence, &e.Fingerprint, &e.Explanation); err != nil {
			return nil, fmt.Errorf("evidence: %w", err)
		}
		if len(out) == s.limits.maxRows() {
			return nil, ErrTooMuch
		}
		e.Time, e.ASN, e.Confidence = e.Time.UTC(), FormatASN(asn), verdict.Confidence(confidence)
		out = append(out, e)
	}
	return out, rows.Err()
}
