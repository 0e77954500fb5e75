# analysis reprocess: measurements recomputed per second and the peak heap
# over a private ClickHouse filled with realistic measurements
# (reporttest.Bulk). BENCH_REPROCESS_N changes the count (default 100,000).
BENCH_REPROCESS_N ?= 100000
BENCHES += bench-followups
.PHONY: bench-followups
bench-followups:
	SONDE_BENCH_REPROCESS=$(BENCH_REPROCESS_N) $(GO) test -run '^$$' -bench Reprocess -benchtime 1x -timeout 30m ./analysis/reprocess/
