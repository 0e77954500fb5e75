package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/internal/warehouse"
)

// chFlags are the flags that find ClickHouse, as the collector finds it.
type chFlags struct {
	fs                   *flag.FlagSet
	path, addr, db, user *string
}

// clickHouseHelp explains chFlags, for a command's --help.
const clickHouseHelp = `ClickHouse is found as the collector finds it: --config reads the clickhouse
section of the collector's configuration (addr, database, username,
password); --clickhouse, --database and --username override it. The password
comes from the configuration or the SONDE_CLICKHOUSE_PASSWORD environment
variable, never from the command line (where other users of the machine
could read it).`

func clickHouseFlags(fs *flag.FlagSet) *chFlags {
	return &chFlags{
		fs:   fs,
		path: fs.String("config", "", "read ClickHouse's address, database and login from the collector's configuration `FILE` (collector.yml)"),
		addr: fs.String("clickhouse", "127.0.0.1:9000", "ClickHouse native `ADDRESS` (collector.yml: clickhouse.addr)"),
		db:   fs.String("database", "sonde", "ClickHouse `DATABASE` the collector writes (collector.yml: clickhouse.database)"),
		user: fs.String("username", "default", "ClickHouse `USER` (collector.yml: clickhouse.username)"),
	}
}

// config is the collector's clickhouse section (from --config), with the
// flags given on the command line on top.
func (f *chFlags) config() (warehouse.Config, error) {
	var ch warehouse.Config
	if *f.path != "" {
		c, err := collector.LoadConfig(*f.path)
		if err != nil {
			return ch, err
		}
		ch = c.ClickHouse
	}
	set := map[string]bool{}
	f.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *f.path == "" || set["clickhouse"] {
		ch.Addr = *f.addr
	}
	if *f.path == "" || set["database"] {
		ch.Database = *f.db
	}
	if *f.path == "" || set["username"] {
		ch.Username = *f.user
	}
	if p := os.Getenv("SONDE_CLICKHOUSE_PASSWORD"); p != "" {
		ch.Password = p
	}
	ch.QueryTimeout = max(ch.QueryTimeout, 10*time.Minute)
	return ch, ch.Validate()
}

// openClickHouse connects to ClickHouse and checks that it answers and
// takes the login, so that a wrong address or password is said as such.
func openClickHouse(ctx context.Context, ch warehouse.Config) (driver.Conn, error) {
	conn, err := warehouse.Open(ch)
	if err == nil {
		pctx, cancel := context.WithTimeout(ctx, ch.DialTimeout+5*time.Second)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			conn.Close()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("cannot reach ClickHouse at %s as %s: %w", ch.Addr, cmp.Or(ch.Username, "default"), err)
	}
	return conn, nil
}
