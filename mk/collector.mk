# The collector: BenchmarkIngest drives the collector binary with
# collector/loadgen (2,000 simulated probes with their own tokens, a
# quarter on OONI's report protocol, 100,000 realistic measurements) and
# prints acknowledged/s, landed/s, p50/p99 upload latency, the collector's
# CPU and peak RSS, next to a raw batch insert of the same rows into the
# same ClickHouse (the ceiling); then the CPU cost of accepting one
# measurement at the door (and of the door it replaced) and of preparing
# it for ClickHouse in the loader. BENCH_MEASUREMENTS=N, BENCH_PROBES=N
# change the load.
BENCHES += bench-collector
.PHONY: bench-collector
bench-collector:
	$(GO) test -run '^$$' -bench Ingest -benchtime 1x -timeout 40m ./cmd/collector/
	$(GO) test -run '^$$' -bench CheckAndPrepare -benchtime 2s -cpu 1 ./collector/
	$(GO) test -run '^$$' -bench Prepare -benchtime 10x -cpu 1 ./collector/loader/
	$(GO) test -run '^$$' -bench InsertMeasurements -benchtime 20x ./internal/warehouse/
