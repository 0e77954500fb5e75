-- Daily outcome counts per (country, network, domain, test, blocking
-- method): what the reports, the aggregation API and most researcher SQL
-- read instead of scanning verdicts. Owned by analysis/aggregate.
--
-- A materialized view keeps the counts current as verdicts arrive; when
-- `analysis reprocess` re-inserts verdicts of a month (ReplacingMergeTree
-- keeps only the newest, but the view counted both), aggregate.Rebuild
-- recomputes that month from verdicts FINAL and swaps the partition.
-- SummingMergeTree adds rows of one key when parts merge: always read
-- with sum(…) GROUP BY.
CREATE TABLE IF NOT EXISTS verdict_daily (
    day             Date,
    probe_cc        String,
    probe_asn       UInt32,
    domain          String,
    test_name       String,
    blocking_method String,
    ok_count        UInt64,
    anomaly_count   UInt64,
    confirmed_count UInt64,
    failure_count   UInt64
) ENGINE = SummingMergeTree((ok_count, anomaly_count, confirmed_count, failure_count))
PARTITION BY toYYYYMM(day)
ORDER BY (probe_cc, day, probe_asn, domain, test_name, blocking_method);

CREATE MATERIALIZED VIEW IF NOT EXISTS verdict_daily_mv TO verdict_daily AS
SELECT
    toDate(measurement_start_time) AS day,
    probe_cc,
    probe_asn,
    domain,
    test_name,
    if(confidence IN ('anomaly', 'confirmed') AND blocking NOT IN ('false', 'null'), blocking, '') AS blocking_method,
    toUInt64(countIf(confidence = 'ok')) AS ok_count,
    toUInt64(countIf(confidence = 'anomaly')) AS anomaly_count,
    toUInt64(countIf(confidence = 'confirmed')) AS confirmed_count,
    toUInt64(countIf(confidence NOT IN ('ok', 'anomaly', 'confirmed'))) AS failure_count
FROM verdicts
GROUP BY day, probe_cc, probe_asn, domain, test_name, blocking_method;

-- Counts of verdicts stored before this migration.
INSERT INTO verdict_daily
SELECT
    toDate(measurement_start_time) AS day,
    probe_cc,
    probe_asn,
    domain,
    test_name,
    if(confidence IN ('anomaly', 'confirmed') AND blocking NOT IN ('false', 'null'), blocking, '') AS blocking_method,
    toUInt64(countIf(confidence = 'ok')) AS ok_count,
    toUInt64(countIf(confidence = 'anomaly')) AS anomaly_count,
    toUInt64(countIf(confidence = 'confirmed')) AS confirmed_count,
    toUInt64(countIf(confidence NOT IN ('ok', 'anomaly', 'confirmed'))) AS failure_count
FROM verdicts FINAL
GROUP BY day, probe_cc, probe_asn, domain, test_name, blocking_method;
