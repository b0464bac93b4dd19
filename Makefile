# Everything installs itself: Go downloads the modules on the first build, and
# the Ginkgo CLI and staticcheck are Go tools of this module (go.mod "tool").

GO      ?= go
BIN     := bin/harness
REPORTS ?= reports
ARGS    ?=
# Stamp the binary with its git revision when git can read the checkout
# (a CI clone owned by another user cannot, which would fail the build).
BUILDVCS := $(shell git status --porcelain >/dev/null 2>&1 && echo auto || echo false)
# -trimpath: code locations in outputs start at the module ("loginharness/..."),
# never at a folder of the machine that built it, so CI artifacts travel.
GINKGO  := $(GO) tool ginkgo --trimpath --output-dir=$(REPORTS)

.PHONY: run test proof-per-minute bench-per-minute stress-load stress-full-run conformance load report mock bench bench-go lint build

## run: the main job: conformance and load on the embedded mock, then the HTML report
run: build
	./$(BIN) run --out $(REPORTS) $(ARGS)

## test: lint, then every test: unit, fuzz seed corpora, Ginkgo suites, browser
# One test binary at a time (-p 1): the load and limiter tests measure rates,
# and on a 2-core CI machine a compile or a second test beside them skews those.
# The end-to-end tests run the harness as child processes that mostly wait
# (Retry-After, paced load at tens of requests a second), so more of them
# run side by side (-parallel) than the machine has cores.
E2E_PARALLEL ?= 6
test: lint
	$(GO) test -p 1 -timeout 12m $$($(GO) list ./... | grep -v /tests/e2e)
	$(GO) test -parallel $(E2E_PARALLEL) -timeout 12m ./tests/e2e/

## proof-per-minute: the rate verdicts on limiters counting per window (fixed
## window, sliding log, two-window counter; correct, half and twice the quota)
## with 60 s windows instead of make test's 10 s; about 5 minutes
proof-per-minute:
	HARNESS_WINDOW_PROOF=60s $(GO) test -count=1 -p 1 -run TestLimitersCountingPerWindow -timeout 30m -v ./internal/load/

## bench-per-minute: every scenario, one after another as live, against a
## correct limiter of 1 req/s counted per WINDOW (default 60s: 60 a minute),
## with the live defaults; prints the plan, time and requests per scenario
## (about 40 s at WINDOW=1s, 4 minutes at 10s, 20 at 60s)
WINDOW ?= 60s
bench-per-minute:
	HARNESS_BENCH_WINDOW=$(WINDOW) $(GO) test -count=1 -run TestBenchPerMinute -timeout 40m -v ./internal/load/

## stress-load: the load verdicts against every limiter of internal/limitertest,
## five times in a row, with goroutines spinning beside them to keep the machine
## busy (HARNESS_STRESS_CPU), as CI machines are; about 6 minutes
STRESS_CPU ?= 4
stress-load:
	HARNESS_STRESS_CPU=$(STRESS_CPU) $(GO) test -count 5 -timeout 60m -run 'TestLimiterMatrix|TestDishonestServersFail|TestLimitFoundWithoutExpectation|TestDriftsFailTheRightScenario|TestRefusalsInsideAnEarlierRetryAfterAreNoFault|TestObeyingClientIsJudgedOnTheMock|TestLimitersCountingPerWindow' ./internal/load/

## stress-full-run: full live harness runs (preflight, conformance, load) against
## every correct limiter of internal/limitertest, leaky bucket included, and the
## one that refuses within its limit, three times in a row beside $(STRESS_CPU)
## busy loops (the harness runs as a child process, so they spin in their own);
## about 20 minutes
stress-full-run:
	@pids=""; for i in $$(seq $(STRESS_CPU)); do sh -c 'while :; do :; done' & pids="$$pids $$!"; done; \
	$(GO) test -count 3 -timeout 90m -run 'TestFullRunAgainstCorrectLimiters|TestFullRunBlamesRefusalsWithinTheLimit' ./tests/e2e/; \
	status=$$?; kill $$pids; exit $$status

## conformance: the conformance suite alone, as QA runs it
conformance:
	$(GINKGO) --json-report=conformance.json --junit-report=conformance.xml ./suites/conformance

## load: the load scenarios alone
load:
	$(GINKGO) --json-report=load.json --junit-report=load.xml ./suites/loadtest

## report: render $(REPORTS)/index.html again from the JSON already there
report: build
	./$(BIN) report --in $(REPORTS)

## mock: serve the mock on 127.0.0.1:8080 (ARGS="--help" lists its settings)
mock: build
	./$(BIN) mock $(ARGS)

## bench: mock vs bare handler (Vegeta and wrk), validation cost against plain
## kin-openapi, load fidelity up to 20k req/s or plain Vegeta's ceiling, limiter
## accuracy, suite wall time, memory -> $(REPORTS)/bench.json (~4 min; ARGS=--quick ~1 min)
bench:
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null) || echo "wrk missing: its rows are skipped"
	$(GO) run ./cmd/harness-bench --out $(REPORTS)/bench.json $(ARGS)

## bench-go: the Go micro-benchmarks (ns/op, allocs/op) of every package
bench-go:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

## lint: gofmt, go vet and staticcheck
lint:
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

build:
	$(GO) build -trimpath -buildvcs=$(BUILDVCS) -o $(BIN) ./cmd/harness
