// Package aggregate reads measurement outcomes out of ClickHouse already
// counted: per day, country, network (ASN), domain, test and blocking
// method, how many measurements were ok, anomalies, confirmed blocking or
// failures. Reports, the researcher API's aggregation and most questions
// researchers ask are answered from these counts.
//
// # Design
//
// The counts live in the verdict_daily table (a SummingMergeTree,
// migration 0101 in internal/warehouse), filled by a materialized view as
// verdicts are inserted, so they are current without a scheduler. A
// verdict inserted twice for one measurement (`analysis reprocess`) is
// counted twice by the view; [Store.Rebuild] recomputes a month from the
// newest verdicts (verdicts FINAL) into a staging table and swaps the
// month's partition in one ALTER … REPLACE PARTITION. Both run on
// ClickHouse 18.16 and current releases.
//
// Reads always sum(…) GROUP BY, because a SummingMergeTree only adds rows
// of one key when parts merge. Evidence (the measurement ids behind a
// claim) comes from the verdicts table itself, a few per (country,
// network, domain) with LIMIT n BY.
//
// Every caller's value reaches the server as a bound parameter; the SQL
// text is made only of this package's constants, and axis names are
// looked up in [Axes]. Every query carries max_execution_time, a client
// deadline and a row cap ([Limits]); past the cap the answer is
// [ErrTooMuch], never a silently truncated result.
//
// The question "which networks in this country blocked this domain last
// month, and how" is one query on the rollup:
//
//	SELECT probe_asn, blocking_method, sum(anomaly_count), sum(confirmed_count)
//	FROM verdict_daily
//	WHERE probe_cc = 'IR' AND domain = 'twitter.com'
//	  AND day >= '2026-10-01' AND day < '2026-11-01'
//	  AND anomaly_count + confirmed_count > 0
//	GROUP BY probe_asn, blocking_method ORDER BY probe_asn
package aggregate
