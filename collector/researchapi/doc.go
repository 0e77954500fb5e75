// Package researchapi is the collector's reading side: the researcher API
// (a measurement by id, search, aggregation, bulk export) under /api/v1/
// and the live report pages (country list, country and domain reports,
// domain search) under /reports/. README.md documents every endpoint with
// curl examples.
//
// # Design
//
// The handler takes a ClickHouse connection (anything with Query and
// Exec, see aggregate.Conn) and a [Config] of limits, and reads the tables
// of internal/warehouse: measurements for raw JSON, search and export;
// verdicts for the verdict of each search result; verdict_daily (the
// rollup of analysis/aggregate) for aggregation and reports;
// measurement_index to find one measurement by id without scanning.
//
// Input is distrusted twice. Every parameter is validated against what
// it can be (a country code, "AS" and digits, a domain name, a test name,
// a day or UTC time, a number in range, a value from a fixed list, a
// cursor this API issued); unknown or repeated parameters are refused
// with a message that says what is expected. Then values reach ClickHouse
// only as bound parameters: the SQL text is made of constants, and axis
// names select from a fixed map.
//
// Every query has a deadline and max_execution_time; searches return at
// most MaxPageSize rows a page, with keyset (cursor) pagination that stays
// correct while data arrives; aggregations fail with 422 past
// MaxAggregationRows rather than truncate; an export is counted first and
// refused past MaxExportRows, then streamed oldest first.
//
// Pages run no script: the Content-Security-Policy allows only the page's
// own style (by hash) and forbids framing; the API answers with open CORS
// (public data, no credentials) and nosniff.
package researchapi
