// Package chtest gives tests a real ClickHouse server: one private server
// per test binary, started on first use, and a fresh database per test.
//
// A test that needs ClickHouse fails when the server cannot run; it never
// skips itself silently. Only `go test -short` skips such tests, and says
// so.
package chtest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sonde-project/sonde/internal/chserver"
)

var (
	once    sync.Once
	shared  *chserver.Server
	initErr error
	dbSeq   atomic.Int64
)

// User and Password log in to the shared server, for tests of
// authentication; the default user needs no password.
const (
	User           = "sonde_test"
	Password       = "correct horse battery staple"
	passwordSHA256 = "c4bbcb1fbec99d65bf59d85c8cb62ee2db963f0fe106f483d9afa73bd4e39a8a" // of Password
)

// Main runs the tests of a package and stops the shared server afterwards.
// Call it from TestMain: func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.Stop()
	}
	return code
}

// Server returns the test binary's shared server, starting it on first
// use. Without TestMain calling Main, the server is stopped when the
// process exits (it is killed with the test binary).
func Server(t testing.TB) *chserver.Server {
	t.Helper()
	if testing.Short() {
		t.Skip("needs ClickHouse; skipped because of -short")
	}
	once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		shared, initErr = chserver.Start(ctx, chserver.Config{Users: []chserver.User{{Name: User, PasswordSHA256: passwordSHA256}}})
	})
	if initErr != nil {
		t.Fatalf("this test needs a ClickHouse server: %v", initErr)
	}
	return shared
}

// Database creates a database for this test, dropped when it ends, and
// returns the server's native address and the database name.
func Database(t testing.TB) (addr, db string) {
	t.Helper()
	srv := Server(t)
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(t.Name()))
	if len(name) > 40 {
		name = name[:40]
	}
	db = fmt.Sprintf("t%d_%d_%s", os.Getpid(), dbSeq.Add(1), name)
	conn := Open(t, srv.Addr(), "default")
	ctx := context.Background()
	if err := conn.Exec(ctx, "CREATE DATABASE "+db); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		if os.Getenv("SONDE_KEEP_TEST_DB") == "" {
			_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db)
		}
	})
	return srv.Addr(), db
}

// Open connects to addr and database db, closed when the test ends.
func Open(t testing.TB, addr, db string) driver.Conn {
	t.Helper()
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:        []string{addr},
		Auth:        clickhouse.Auth{Database: db, Username: "default"},
		DialTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatalf("clickhouse open: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
