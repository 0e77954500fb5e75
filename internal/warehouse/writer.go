package warehouse

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Tables the writers insert into.
const (
	TableMeasurements = "measurements"
	TableObservations = "observations"
	TableVerdicts     = "verdicts"
	// TableMeasurementIndex is filled from measurements by a materialized
	// view and sorted by uid: Present reads only the granules of the uids
	// asked for, where the measurements table (sorted for per-country
	// queries) makes it read every uid of the period.
	TableMeasurementIndex = "measurement_index"
)

// Writer inserts rows in batches. It is safe for concurrent use.
type Writer struct {
	conn driver.Conn
}

// NewWriter returns a Writer on conn (from [Open], after [Migrate]).
func NewWriter(conn driver.Conn) *Writer { return &Writer{conn: conn} }

// InsertMeasurements inserts rows as one batch.
func (w *Writer) InsertMeasurements(ctx context.Context, rows []MeasurementRow) error {
	return insert(ctx, w.conn, TableMeasurements, rows, measurementColumns)
}

// InsertObservations inserts rows as one batch.
func (w *Writer) InsertObservations(ctx context.Context, rows []ObservationRow) error {
	return insert(ctx, w.conn, TableObservations, rows, observationColumns)
}

// InsertVerdicts inserts rows as one batch.
func (w *Writer) InsertVerdicts(ctx context.Context, rows []VerdictRow) error {
	return insert(ctx, w.conn, TableVerdicts, rows, verdictColumns)
}

// Present returns which of uids table already holds. from and to bound
// the measurement_start_time of the uids, so that only those months'
// partitions are read. The uids are looked up presentChunk at a time, so
// that a query stays under ClickHouse's max_query_size (256 KiB by
// default) whatever the batch size.
func (w *Writer) Present(ctx context.Context, table string, uids []string, from, to time.Time) (map[string]bool, error) {
	switch table {
	case TableMeasurements, TableObservations, TableVerdicts, TableMeasurementIndex:
	default:
		return nil, fmt.Errorf("warehouse: unknown table %q", table)
	}
	present := map[string]bool{}
	for len(uids) > 0 {
		n := min(len(uids), presentChunk)
		if err := w.present(ctx, table, uids[:n], from, to, present); err != nil {
			return nil, err
		}
		uids = uids[n:]
	}
	return present, nil
}

// presentChunk uids of at most ~100 bytes make a query of ~100 KiB.
const presentChunk = 1000

func (w *Writer) present(ctx context.Context, table string, uids []string, from, to time.Time, present map[string]bool) error {
	q := "SELECT DISTINCT measurement_uid FROM " + table +
		" WHERE measurement_start_time >= ? AND measurement_start_time <= ? AND measurement_uid IN ?"
	set := clickhouse.GroupSet{Value: make([]any, len(uids))}
	for i, u := range uids {
		set.Value[i] = u
	}
	rows, err := w.conn.Query(ctx, q, from.UTC().Truncate(time.Second), to.UTC(), set)
	if err != nil {
		return fmt.Errorf("warehouse: looking up uids in %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid string
		if err := rows.Scan(&uid); err != nil {
			return fmt.Errorf("warehouse: looking up uids in %s: %w", table, err)
		}
		present[uid] = true
	}
	return rows.Err()
}

// insert writes rows as one INSERT, sent blockRows rows at a time.
//
// The client builds each column of a block in one buffer: a whole batch
// as one block grew the raw JSON column to tens of MB, copying it about
// five times on the way (Go grows large slices by a quarter), which was
// half the collector's allocation. Blocks of blockRows reuse the same
// buffers and cost ClickHouse nothing: the server squashes the blocks
// of one INSERT into one part (TestInsertIsOnePart).
func insert[T any](ctx context.Context, conn driver.Conn, table string, rows []T, columns func([]T) []any) error {
	if len(rows) == 0 {
		return nil
	}
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+table+" ("+columnList[T]()+")")
	if err != nil {
		return fmt.Errorf("warehouse: insert into %s: %w", table, err)
	}
	for len(rows) > 0 {
		n := min(len(rows), blockRows)
		for i, col := range columns(rows[:n]) {
			if err := batch.Column(i).Append(col); err != nil {
				_ = batch.Abort()
				return fmt.Errorf("warehouse: insert into %s: column %d: %w", table, i, err)
			}
		}
		if rows = rows[n:]; len(rows) == 0 {
			break
		}
		err := ctx.Err()
		if err == nil {
			err = batch.Flush()
		}
		if err != nil {
			_ = batch.Abort()
			return fmt.Errorf("warehouse: insert into %s: %w", table, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("warehouse: insert into %s: %w", table, err)
	}
	return nil
}

// blockRows is how many rows go in one block of an INSERT: ~3 MB of
// measurements.
const blockRows = 500

var columnLists sync.Map // reflect.Type → string

// columnList is the comma-separated `ch` tags of T's fields, in order.
func columnList[T any]() string {
	t := reflect.TypeFor[T]()
	if s, ok := columnLists.Load(t); ok {
		return s.(string)
	}
	s := strings.Join(Columns(t), ", ")
	columnLists.Store(t, s)
	return s
}

// Columns returns the `ch` tags of a row struct type's fields, in order.
func Columns(t reflect.Type) []string {
	var cols []string
	for i := range t.NumField() {
		if tag := t.Field(i).Tag.Get("ch"); tag != "" && tag != "-" {
			cols = append(cols, tag)
		}
	}
	return cols
}
