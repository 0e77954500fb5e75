# The probe: runner, uploads, privacy pieces and cmd/probe.
#
# bench-probe builds bin/probe and runs it as a volunteer would against a
# loopback web server: 1,000 URLs with the real http test at --parallel 1
# and --parallel 32, printing targets a minute and the probe's peak RSS
# (the child's maxrss); then the runner's own cost per measurement.

BENCHES += bench-probe

.PHONY: bench-probe
bench-probe:
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -o $(BIN)/probe ./cmd/probe
	PROBE_BIN=$(CURDIR)/$(BIN)/probe $(GO) test -run '^$$' -bench 'BenchmarkProbeRun' -benchtime 1x -count 1 ./cmd/probe/
	$(GO) test -run '^$$' -bench 'BenchmarkRunOverhead' -benchtime 3x -count 1 ./probe/runner/
