-- One verdict per measurement (internal/verdict). `analysis reprocess`
-- inserts a newer row for the same measurement; ReplacingMergeTree keeps
-- the one with the latest analyzed_time when parts merge, and queries that
-- must see exactly one verdict per measurement use FINAL or
-- argMax(…, analyzed_time).
CREATE TABLE IF NOT EXISTS verdicts (
    measurement_uid        String,
    report_id              String,
    test_name              String,
    probe_cc               String,
    probe_asn              UInt32,
    input                  String,
    domain                 String,
    measurement_start_time DateTime,
    status                 String,
    blocking               String,
    accessible             Int8,
    confidence             String,
    fingerprint            String,
    explanation            String,
    evidence               String,
    analysis_version       UInt32,
    analyzed_time          DateTime
) ENGINE = ReplacingMergeTree(analyzed_time)
PARTITION BY toYYYYMM(measurement_start_time)
ORDER BY (probe_cc, test_name, toDate(measurement_start_time), probe_asn, domain, measurement_uid)
