# The analysis: verdicts per second per core over the OONI measurements in
# testdata/ooni (Analyze alone, and parse + Analyze from the raw bytes).
BENCHES += bench-analysis
.PHONY: bench-analysis
bench-analysis:
	$(GO) test -run '^$$' -bench . -benchtime 2s -cpu 1 ./analysis/
