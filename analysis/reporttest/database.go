package reporttest

import (
	"context"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sonde-project/sonde/internal/chserver/chtest"
	"github.com/sonde-project/sonde/internal/warehouse"
)

// Database gives the test a fresh migrated warehouse database on the test
// binary's ClickHouse (chtest), with the scenario's outcomes loaded when
// load is true. The connection is closed when the test ends.
func Database(t testing.TB, load bool) (conn driver.Conn, addr, db string) {
	t.Helper()
	addr, db = chtest.Database(t)
	ctx := context.Background()
	conn, err := warehouse.Open(warehouse.Config{Addr: addr, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := warehouse.Migrate(ctx, conn); err != nil {
		t.Fatal(err)
	}
	if load {
		if err := Load(ctx, warehouse.NewWriter(conn), Outcomes(), 1000); err != nil {
			t.Fatal(err)
		}
	}
	return conn, addr, db
}
