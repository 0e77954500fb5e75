// Package warehouse is sonde's ClickHouse storage: the schema (versioned
// SQL migrations embedded in the binary), the connection, the rows
// extracted from a measurement, and the batch writers. The collector's
// loader writes through it; the analysis and the reports read the tables
// it defines. README.md in this folder documents every table.
//
// # Design
//
// The schema runs unchanged on Debian's clickhouse-server 18.16 and on
// current releases, so it uses only what 18.16 has: String, integer,
// Float64, DateTime and Array columns, MergeTree-family engines with
// PARTITION BY and ORDER BY expressions. No IPv4/IPv6 types, no
// DateTime64, no codecs, no TTL, no LowCardinality, no JSONExtract: every
// column is extracted in Go (rows.go), once, at load time.
//
// Every table is partitioned by the month of measurement_start_time and
// sorted by (probe_cc, test_name, day, …, measurement_uid), so a
// measurement's rows in every table live in one partition (a batch insert
// of one measurement is all or nothing per table) and the questions the
// reports ask — per country, test, day, network, domain — read a narrow
// range of the primary index.
//
// Migrations are numbered files in migrations/, applied in order by
// [Migrate] and recorded in schema_migrations. 18.16 has no
// "ADD COLUMN IF NOT EXISTS", so a migration runs exactly once per
// database; the first CREATE TABLE statements are idempotent anyway.
//
// Inserts go only through batches that name their columns (INSERT INTO t
// (a, b, …)); the column list comes from the `ch` tags of the row structs,
// so the SQL and the Go rows cannot drift apart. (INSERT … VALUES through
// Exec hangs on 18.16's native protocol.)
package warehouse
