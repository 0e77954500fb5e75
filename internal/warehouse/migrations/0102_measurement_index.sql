-- Where each measurement is: the measurements table is sorted for
-- per-country queries, so finding one uid would read every uid. This small
-- table, sorted by uid, gives the full sorting key of the measurement's
-- row, and the researcher API's GET /api/v1/measurements/{uid} reads one
-- granule of each. Owned by collector/researchapi.
CREATE TABLE IF NOT EXISTS measurement_index (
    measurement_uid        String,
    probe_cc               String,
    test_name              String,
    measurement_start_time DateTime,
    domain                 String
) ENGINE = ReplacingMergeTree()
ORDER BY measurement_uid;

CREATE MATERIALIZED VIEW IF NOT EXISTS measurement_index_mv TO measurement_index AS
SELECT measurement_uid, probe_cc, test_name, measurement_start_time, domain
FROM measurements;

INSERT INTO measurement_index
SELECT measurement_uid, probe_cc, test_name, measurement_start_time, domain
FROM measurements;
