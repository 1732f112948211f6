# Gatehouse. Everything a fresh machine needs beyond Go is fetched by `go`
# from go.mod (OPA is a go.mod tool: `go tool opa`).

GO        ?= go
BIN       := bin/gatehouse
DATA_DIR  ?= ./gatehouse-data
ADDR      ?= 127.0.0.1:8181
BENCH     ?= .
BENCHTIME ?= 2s
USERS     ?= 50000
CONNS     ?= 32
DURATION  ?= 10s
FUZZTIME_SHORT ?= 3s
BENCH_ARGS ?=
ROUNDS    ?= 10

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## build bin/gatehouse
	$(GO) build -o $(BIN) ./cmd/gatehouse

.PHONY: run
run: build ## start the server on 127.0.0.1:8181 with the embedded store and demo data
	$(BIN) seed --demo --data-dir $(DATA_DIR)
	$(BIN) serve --data-dir $(DATA_DIR) --addr $(ADDR)

.PHONY: test
test: test-rego test-go fuzz-short ## every test: Rego, Go with the race detector, each fuzz target briefly

.PHONY: test-go
test-go: browser ## Go unit, integration and end-to-end tests (race detector on)
	$(GO) test -race -count=1 -timeout 8m ./...

# browser installs Debian's chromium for the console test (tests/console)
# when it is missing: as root, or through sudo when that works without a
# password. When it cannot, it says so and succeeds: the test then skips.
.PHONY: browser
browser: ## install chromium for the console test when missing (Debian apt)
	@if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	else echo "make browser: chromium is missing and this user cannot install it (not root, no sudo); the console test will skip. Install it with: apt-get install -y --no-install-recommends chromium"; exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then echo "make browser: no apt-get here; install chromium yourself (the console test skips without it)"; exit 0; fi; \
	echo "make browser: installing chromium with apt-get"; \
	{ $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends chromium; } \
	  || echo "make browser: installing chromium failed; the console test will skip"

.PHONY: test-rego
test-rego: ## Rego tests with coverage, opa check --strict, opa fmt
	$(GO) tool opa fmt --list --fail policies
	$(GO) tool opa check --strict policies
	$(GO) tool opa test --coverage --threshold 100 policies >/dev/null
	$(GO) tool opa test policies

.PHONY: fuzz
fuzz: ## run every Go fuzz target for FUZZTIME each (default 1m)
	@$(MAKE) --no-print-directory fuzz-run FUZZTIME=$(or $(FUZZTIME),1m)

.PHONY: fuzz-short
fuzz-short: ## run every Go fuzz target briefly (what make test does)
	@$(MAKE) --no-print-directory fuzz-run FUZZTIME=$(FUZZTIME_SHORT)

# fuzz-run fuzzes each FuzzXxx in turn (go test takes one target at a
# time), finding them in the test files rather than compiling every package
# (.ci/fuzz; it repeats once a run Go ended at its deadline without a
# failing input).
.PHONY: fuzz-run
fuzz-run:
	@GO=$(GO) ./.ci/fuzz $(FUZZTIME)

.PHONY: props chaos
props: ## the differential and property tests at full size (slow)
	$(GO) test -count=1 -timeout 30m -run 'Equal|Agree|Follow' ./engine/ -args -routes.seeds=5 -routes.rounds=30 -hooks.modules=60 -lookups.users=3000 -lookups.questions=3000 -whohas.users=1000 -whohas.queries=200 -whohas.rounds=10
	GATEHOUSE_DIFF_CASES=5000 $(GO) test -count=1 -timeout 30m ./tests/properties/ -args -escalation.cases=5000

chaos: ## crash test: ROUNDS rounds of SIGKILLing a server, then the store, with writes in flight
	$(GO) test -race -count=1 -v -run Chaos -timeout 30m ./tests/chaos/ -args -chaos.rounds=$(ROUNDS)

.PHONY: bench
bench: bench-go bench-servers ## every benchmark: in-process, then gatehouse vs stock OPA vs no-op Gin

.PHONY: bench-go
bench-go: ## Go benchmarks: one decision in-process (plain and by route), loading, at 1k and 50k users; route matching
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) -timeout 30m ./engine/ ./engine/apps/

.PHONY: bench-servers
bench-servers: ## side-by-side HTTP benchmark (USERS, CONNS, DURATION, BENCH_ARGS)
	$(GO) run ./tests/bench --users $(USERS) --concurrency $(CONNS) --duration $(DURATION) $(BENCH_ARGS)

.PHONY: fmt
fmt: ## format Go and Rego
	gofmt -w $$(git ls-files '*.go')
	$(GO) tool opa fmt -w policies

.PHONY: lint
lint: ## go vet, gofmt and opa checks
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) tool opa fmt --list --fail policies
	$(GO) tool opa check --strict policies

.PHONY: clean
clean: ## remove build output and the demo store
	rm -rf bin $(DATA_DIR)
