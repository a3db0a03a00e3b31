# casehold: `make run` starts it locally; `make test` installs what the tests need and runs them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CACHE       ?= $(CURDIR)/.cache
TOOLS       := $(CACHE)/bin
STATICCHECK := $(TOOLS)/staticcheck
BENCHSTAT   := $(TOOLS)/benchstat
FUZZTIME    ?= 10s
# Every fuzz target: package path and function name.
FUZZ_TARGETS := ./internal/casehold:FuzzParseStaffCSV ./internal/mailintake:FuzzParse ./internal/mailintake:FuzzBase64Reader ./internal/pdfcheck:FuzzCheck ./internal/pdfcheck:FuzzScanMatchesReference ./internal/httpapi:FuzzCreateMatterJSON ./internal/auth:FuzzActorFromClaims ./internal/evpack:FuzzVerify ./internal/webui:FuzzReadSession ./internal/webui:FuzzFormBody ./internal/auditlog:FuzzCheckProofs ./internal/intake:FuzzLambdaEvents

.PHONY: help run run-aws test test-s3-compat check unit fuzz bench build tools clean-data ui-assets screenshots

help: ## list targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# The local inbox takes .eml files a member of staff drops in, which carry no SES verdicts:
# accepting them is asked for here, never a silent default.
run: export CASEHOLD_INTAKE_REQUIRE_VERDICTS ?= false
run: ## start casehold locally on the embedded default (data in ./var)
	@echo "make run: compiling casehold (the first time takes a minute or two: Go fetches and builds the dependencies)..."
	@go build -o $(TOOLS)/casehold ./cmd/casehold
	@echo "make run: starting casehold serve (Ctrl-C stops it)"
	@$(TOOLS)/casehold serve

run-aws: ## start the AWS emulators and casehold on them, with the same local sign-in (data forgotten on stop)
	CASEHOLD_CACHE=$(CACHE) infra/run-aws.sh

test: tools check ## everything CI runs: lint, race tests with the AWS emulators and headless Chromium, short fuzzing
	@AXE=$$(CASEHOLD_CACHE=$(CACHE) infra/browser.sh) && \
	  CASEHOLD_CACHE=$(CACHE) infra/emulators.sh run -- env CASEHOLD_REQUIRE_EMULATORS=1 \
	  CASEHOLD_REQUIRE_BROWSER=1 CASEHOLD_AXE_JS=$$AXE go test -race -count=1 ./...
	$(MAKE) fuzz

check: tools ## gofmt, go vet, staticcheck
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...
	$(STATICCHECK) ./...

unit: ## fast tests without emulators (AWS adapter tests skip with a note)
	go test -race ./...

fuzz: ## run each fuzz target for FUZZTIME
	@FUZZTIME=$(FUZZTIME) infra/fuzz.sh $(FUZZ_TARGETS)

test-s3-compat: ## the S3 suites against a second S3 implementation (SeaweedFS; builds it the first time)
	CASEHOLD_CACHE=$(CACHE) infra/s3compat.sh

bench: tools ## benchmarks side by side with their baselines (see infra/bench.sh)
	CASEHOLD_CACHE=$(CACHE) infra/bench.sh

build: ## build every command and function
	go build ./...

tools: $(STATICCHECK) $(BENCHSTAT)

$(STATICCHECK):
	GOBIN=$(TOOLS) go install honnef.co/go/tools/cmd/staticcheck@v0.8.2

$(BENCHSTAT):
	GOBIN=$(TOOLS) go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

# The web UI (internal/webui): GOV.UK Frontend's build is committed, so `make run` needs only Go.
ui-assets: ## refresh the web UI's GOV.UK Frontend CSS/JS from npm (records the version)
	CASEHOLD_CACHE=$(CACHE) infra/ui-assets.sh

screenshots: ## retake docs/screenshots with the browser tests
	@AXE=$$(CASEHOLD_CACHE=$(CACHE) infra/browser.sh) && CASEHOLD_SCREENSHOTS=1 CASEHOLD_REQUIRE_BROWSER=1 \
	  CASEHOLD_AXE_JS=$$AXE go test -count=1 -run TestBrowserJourney ./internal/webui/

clean-data: ## delete the local data folder ./var (evidence included!)
	rm -rf ./var

include infra/sam.mk
