# The collector: end-to-end ingest of 100,000 realistic measurements from
# 50 concurrent uploaders into a private ClickHouse (acknowledged/s and
# landed/s), next to a raw batch insert of the same rows (the ceiling),
# and the collector's peak RSS; then the CPU cost of accepting one
# measurement at the door and of preparing it for ClickHouse in the loader
# (with the analysis). BENCH_MEASUREMENTS=N changes the count.
BENCHES += bench-collector
.PHONY: bench-collector
bench-collector:
	$(GO) test -run '^$$' -bench Ingest -benchtime 1x -timeout 40m ./cmd/collector/
	$(GO) test -run '^$$' -bench CheckAndPrepare -benchtime 2s -cpu 1 ./collector/
	$(GO) test -run '^$$' -bench Prepare -benchtime 10x ./collector/loader/
