package warehouse

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Config says where the warehouse is. The zero value connects to a local
// server's "sonde" database as "default" without a password.
type Config struct {
	// Addr is the native protocol address, host:port. OPTIONAL:
	// 127.0.0.1:9000.
	Addr string `yaml:"addr"`
	// Database is created when missing. OPTIONAL: "sonde".
	Database string `yaml:"database"`
	// Username and Password authenticate. OPTIONAL: "default", none.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// DialTimeout bounds connecting. OPTIONAL: 5s.
	DialTimeout time.Duration `yaml:"dial_timeout"`
	// QueryTimeout bounds each query and batch insert. OPTIONAL: 2m.
	QueryTimeout time.Duration `yaml:"query_timeout"`
}

var databaseName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// ErrBadDatabase is returned for a database name that is not a plain
// identifier.
var ErrBadDatabase = errors.New("warehouse: database name must be letters, digits and _ (at most 64), not starting with a digit")

func (c Config) withDefaults() Config {
	c.Addr = cmp.Or(c.Addr, "127.0.0.1:9000")
	c.Database = cmp.Or(c.Database, "sonde")
	c.Username = cmp.Or(c.Username, "default")
	c.DialTimeout = cmp.Or(c.DialTimeout, 5*time.Second)
	c.QueryTimeout = cmp.Or(c.QueryTimeout, 2*time.Minute)
	return c
}

// Validate checks the configuration without connecting.
func (c Config) Validate() error {
	if !databaseName.MatchString(c.withDefaults().Database) {
		return ErrBadDatabase
	}
	return nil
}

// Open returns a connection pool for the warehouse's database. It does
// not dial: the first query does. Call [CreateDatabase] and [Migrate]
// before writing.
func Open(c Config) (driver.Conn, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c = c.withDefaults()
	return open(c, c.Database)
}

// CreateDatabase creates the configured database when it does not exist.
func CreateDatabase(ctx context.Context, c Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	c = c.withDefaults()
	admin, err := open(c, "default")
	if err != nil {
		return err
	}
	defer admin.Close()
	if err := admin.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+c.Database); err != nil {
		return fmt.Errorf("warehouse: creating database %s on %s: %w", c.Database, c.Addr, err)
	}
	return nil
}

// Setup connects, creates the database if needed and applies the
// migrations: what a program does before using the warehouse.
func Setup(ctx context.Context, c Config) (driver.Conn, error) {
	if err := CreateDatabase(ctx, c); err != nil {
		return nil, err
	}
	conn, err := Open(c)
	if err != nil {
		return nil, err
	}
	if _, err := Migrate(ctx, conn); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// writeBounded bounds each write to ClickHouse by the query timeout.
// clickhouse-go bounds reads (ReadTimeout), but a write to a server that
// stopped reading (frozen, or its host overloaded) would wait for as long
// as the connection stays up, which TCP lets be forever, and the loader
// with it (TestStalledServer).
type writeBounded struct {
	net.Conn
	timeout time.Duration
}

func (c writeBounded) Write(p []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// SyscallConn lets clickhouse-go check a pooled connection before reusing
// it (it peeks at the socket to see whether the server closed it).
func (c writeBounded) SyscallConn() (syscall.RawConn, error) {
	return c.Conn.(syscall.Conn).SyscallConn()
}

func open(c Config, db string) (driver.Conn, error) {
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:         []string{c.Addr},
		Auth:         clickhouse.Auth{Database: db, Username: c.Username, Password: c.Password},
		DialTimeout:  c.DialTimeout,
		ReadTimeout:  c.QueryTimeout,
		MaxOpenConns: 8,
		DialContext: func(ctx context.Context, addr string) (net.Conn, error) {
			nc, err := (&net.Dialer{Timeout: c.DialTimeout}).DialContext(ctx, "tcp", addr)
			if err != nil {
				return nil, err
			}
			return writeBounded{nc, c.QueryTimeout}, nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("warehouse: connecting to %s: %w", c.Addr, err)
	}
	return conn, nil
}
