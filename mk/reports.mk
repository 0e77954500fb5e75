# Reports, aggregation and the researcher API (analysis/report,
# analysis/aggregate, collector/researchapi).
#
# bench-reports generates 10 million realistic measurements with verdicts
# in a private ClickHouse (server-side INSERT … SELECT, a few minutes) and
# prints p50/p99 latency of the country report, the domain report and the
# aggregation API. BENCH_REPORTS_N changes the size.
BENCH_REPORTS_N ?= 10000000
BENCHES += bench-reports
.PHONY: bench-reports test-reports
bench-reports:
	SONDE_BENCH_MEASUREMENTS=$(BENCH_REPORTS_N) $(GO) test -run '^$$' -bench 'TenMillion' -benchtime 20x -timeout 40m ./collector/researchapi/
	$(GO) test -run '^$$' -bench 'Events' -benchtime 2000x ./analysis/blockevent/

# test-reports: the reading side's tests, browser tests included (as root
# the first time: Chromium and ClickHouse are installed when missing).
# Screenshots go to $(SONDE_ARTIFACTS), default /tmp/sonde-artifacts.
test-reports:
	@scripts/deps.sh test browser
	$(GO) test -count=1 ./analysis/blockevent/ ./analysis/aggregate/ ./analysis/report/ ./collector/researchapi/ ./internal/browsertest/ ./cmd/analysis/
