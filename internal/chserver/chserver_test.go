package chserver_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sonde-project/sonde/internal/chserver"
	"github.com/sonde-project/sonde/internal/chserver/chtest"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

func TestDatabaseRoundTrip(t *testing.T) {
	addr, db := chtest.Database(t)
	conn := chtest.Open(t, addr, db)
	ctx := context.Background()
	if err := conn.Exec(ctx, "CREATE TABLE x (d Date, s String) ENGINE = MergeTree PARTITION BY toYYYYMM(d) ORDER BY s"); err != nil {
		t.Fatal(err)
	}
	insert(t, conn, "INSERT INTO x (d, s)", time.Now(), "hello")
	var s string
	if err := conn.QueryRow(ctx, "SELECT s FROM x").Scan(&s); err != nil || s != "hello" {
		t.Fatalf("got %q, %v", s, err)
	}
}

// TestRestartKeepsData kills a server as a crash would and starts it again
// on the same directory: what was stored is still there.
func TestRestartKeepsData(t *testing.T) {
	if testing.Short() {
		t.Skip("needs ClickHouse; skipped because of -short")
	}
	ctx := context.Background()
	srv, err := chserver.Start(ctx, chserver.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	conn := chtest.Open(t, srv.Addr(), "default")
	if err := conn.Exec(ctx, "CREATE TABLE k (s String) ENGINE = MergeTree ORDER BY s"); err != nil {
		t.Fatal(err)
	}
	insert(t, conn, "INSERT INTO k (s)", "kept")
	srv.Kill()
	if err := conn.Ping(ctx); err == nil {
		t.Fatal("a killed server answered")
	}
	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	conn2 := chtest.Open(t, srv.Addr(), "default")
	var n uint64
	if err := conn2.QueryRow(ctx, "SELECT count() FROM k WHERE s = 'kept'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("after restart: %d rows, %v", n, err)
	}
}

// insert appends one row through a batch. (An inline "INSERT ... VALUES"
// through Exec never returns on ClickHouse 18.16's native protocol.)
func insert(t *testing.T, conn driver.Conn, query string, row ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := conn.PrepareBatch(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append(row...); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
}

// TestPasswordUser: a configured user logs in with its password and
// with nothing else; a user name that is not a plain word is refused
// before anything is written.
func TestPasswordUser(t *testing.T) {
	addr, db := chtest.Database(t)
	ctx := context.Background()
	login := func(user, password string) error {
		conn, err := clickhouse.Open(&clickhouse.Options{
			Addr: []string{addr}, Auth: clickhouse.Auth{Database: db, Username: user, Password: password}, DialTimeout: 5 * time.Second,
		})
		if err != nil {
			return err
		}
		defer conn.Close()
		return conn.Ping(ctx)
	}
	if err := login(chtest.User, chtest.Password); err != nil {
		t.Fatalf("the configured user with its password: %v", err)
	}
	if err := login(chtest.User, chtest.Password+"x"); err == nil {
		t.Error("a wrong password logged in")
	}
	if err := login(chtest.User, ""); err == nil {
		t.Error("no password logged in")
	}
	for _, u := range []chserver.User{
		{Name: "a><b", PasswordSHA256: strings.Repeat("0", 64)},
		{Name: "default", PasswordSHA256: strings.Repeat("0", 64)},
		{Name: "reader", PasswordSHA256: "secret"},
	} {
		if _, err := chserver.Start(ctx, chserver.Config{Users: []chserver.User{u}}); err == nil || !strings.Contains(err.Error(), "SHA-256") {
			t.Errorf("user %+v: %v", u, err)
		}
	}
}
