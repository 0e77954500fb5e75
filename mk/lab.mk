# The censorship lab (internal/lab, cmd/censorlab). Needs root.

.PHONY: lab-up lab-down lab-test e2e bench-lab

# lab-up: start the lab with SCENARIO (default mixed) until Ctrl-C.
SCENARIO ?= mixed
lab-up:
	@scripts/deps.sh lab
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -o $(BIN)/censorlab ./cmd/censorlab
	$(BIN)/censorlab up --scenario $(SCENARIO)

# lab-down: remove what crashed labs left behind.
lab-down:
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -o $(BIN)/censorlab ./cmd/censorlab
	$(BIN)/censorlab down

lab-test:
	@scripts/deps.sh lab
	$(GO) test -count=1 ./internal/lab/... ./cmd/censorlab/...

# e2e: every shipped scenario end to end, and the demo's tests (root).
e2e:
	@scripts/deps.sh demo
	$(GO) test -count=1 -v -run 'EndToEnd|Demo' ./cmd/censorlab/

BENCHES += bench-lab
bench-lab:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2000x ./internal/lab/censor/
	$(GO) test -run '^$$' -bench . -benchtime 3x ./internal/lab/
