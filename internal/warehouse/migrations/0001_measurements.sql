-- The raw measurement: the scrubbed JSON as the collector acknowledged it,
-- plus the columns that searches filter on. One row per measurement_uid;
-- ReplacingMergeTree is a safety net for two collectors loading the same
-- re-upload at once (the loader already skips uids that are present).
CREATE TABLE IF NOT EXISTS measurements (
    measurement_uid        String,
    report_id              String,
    test_name              String,
    test_version           String,
    probe_cc               String,
    probe_asn              UInt32,
    probe_network_name     String,
    resolver_asn           UInt32,
    input                  String,
    domain                 String,
    measurement_start_time DateTime,
    test_start_time        DateTime,
    test_runtime           Float64,
    software_name          String,
    software_version       String,
    platform               String,
    data_format_version    String,
    received_time          DateTime,
    raw                    String
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(measurement_start_time)
ORDER BY (probe_cc, test_name, toDate(measurement_start_time), domain, measurement_uid)
