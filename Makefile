# sonde: build, test, benchmark and demo. `make help` lists the targets.
#
# Every target that needs system packages (ClickHouse, iproute2, nftables,
# Chromium) installs them first through scripts/deps.sh: with apt-get when
# run as root, otherwise with a message saying what to install.

GO        ?= go
BIN       := bin
DIST      := dist
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
GOFLAGS_BUILD := -trimpath -ldflags "-s -w -X github.com/sonde-project/sonde/internal/version.Version=$(VERSION)"
# The probe is one static binary for every platform volunteers use.
PROBE_PLATFORMS := linux/amd64 linux/arm64 linux/arm darwin/amd64 darwin/arm64 windows/amd64
# How long each fuzz target runs in `make test` (the seed corpora always run).
FUZZTIME  ?= 5s
TEST_TIMEOUT ?= 13m

# Binaries under cmd/ (each cmd/<name> becomes bin/<name>).
CMDS := $(notdir $(wildcard cmd/*))

.PHONY: all help build cross deps test test-short fuzz bench check demo clean

all: build

help:
	@echo "make build   build bin/ (native) and dist/ (the probe for every platform)"
	@echo "make test    install what the tests need, run every test and a short fuzz pass"
	@echo "make bench   print throughput, latency and memory figures"
	@echo "make demo    run the censorship lab end to end and write a report (root)"
	@echo "make check   gofmt, go vet, staticcheck, tests with -race"
	@echo "make deps    install the Debian packages the tests need (root)"

build:
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -o $(BIN)/ ./cmd/...
	@$(MAKE) --no-print-directory cross

# cross: the probe for every platform, as dist/probe-<os>-<arch>[.exe].
cross:
	@mkdir -p $(DIST)
	@set -e; if [ -d cmd/probe ]; then for p in $(PROBE_PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
	  echo "  probe $$os/$$arch"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build $(GOFLAGS_BUILD) -o $(DIST)/probe-$$os-$$arch$$ext ./cmd/probe; \
	done; fi

deps:
	@scripts/deps.sh test

test: deps
	$(GO) vet ./...
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...
	@scripts/fuzz.sh $(FUZZTIME)

# test-short: the tests that need neither root nor ClickHouse.
test-short:
	$(GO) test -short -count=1 ./...

fuzz:
	@scripts/fuzz.sh $(or $(FUZZ),60s)

STATICCHECK := $(shell $(GO) env GOPATH)/bin/staticcheck
$(STATICCHECK):
	$(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2

check: deps $(STATICCHECK)
	@bad=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$bad" ]; then echo "gofmt needed: $$bad"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...
	$(GO) generate ./... && git diff --exit-code --stat
	$(GO) test -race -count=1 -timeout 20m ./...

# demo: sonde end to end in the censorship lab (root): installs what is
# missing, builds, then runs a private ClickHouse, the lab with the mixed
# scenario, the collector and the probe; prints the verdicts and the
# country report and, on its last line, the HTML report's path (in out/).
# Everything else is removed when it ends, also on Ctrl-C.
DEMO_SCENARIO ?= mixed
demo:
	@command -v $(GO) >/dev/null 2>&1 || { echo "make demo needs Go (https://go.dev/dl/) to build sonde." >&2; exit 1; }
	@if [ "$$(id -u)" -ne 0 ]; then \
	  echo "make demo runs the censorship lab (Linux network namespaces), a private ClickHouse," >&2; \
	  echo "the collector and the probe on this machine: it needs root. Run:  sudo make demo" >&2; \
	  scripts/deps.sh demo >/dev/null 2>&1 || scripts/deps.sh demo || true; \
	  exit 1; \
	fi
	@scripts/deps.sh demo
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -o $(BIN)/ ./cmd/probe ./cmd/collector ./cmd/analysis ./cmd/censorlab
	@$(BIN)/censorlab demo --scenario $(DEMO_SCENARIO) --bin $(BIN) --out out

# Benchmarks: each area adds its own bench-<area> target in mk/<area>.mk
# and appends it to BENCHES.
BENCHES :=
-include mk/*.mk

bench: deps build $(BENCHES)

clean:
	rm -rf $(BIN) $(DIST)
