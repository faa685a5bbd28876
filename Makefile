# wasmsched: `make serve` to try it in a browser, `make test` to check everything.
SHELL    := /bin/bash
.SHELLFLAGS := -o pipefail -c
GO       ?= go
WASM_EXEC = $(shell $(GO) env GOROOT)/lib/wasm/go_js_wasm_exec
# The site folder `make build` writes, and the URL path it is served under:
# BASE=/name for a project page such as GitHub Pages' (empty is the root).
DIST     ?= dist
BASE     ?=
ADDR     ?= 127.0.0.1:8080
# The build refuses to replace a site built for another base, which a
# server may be serving under that base; FORCE=1 replaces it anyway.
FORCE    ?=
# make bench runs each benchmark BENCH_COUNT times and prints the medians.
BENCH_COUNT ?= 5

# actionlint checks the GitHub Actions workflow; `go run` fetches it from
# the Go module proxy once.
ACTIONLINT = github.com/rhysd/actionlint/cmd/actionlint@v1.7.12

.PHONY: test setup vet lint-workflows test-native test-wasm test-e2e test-durable bench bench-browser bench-durable build serve clean

# Each step in turn; the last line says what passed, or which step failed.
TEST_STEPS = setup vet test-native test-wasm test-durable test-e2e
test:
	@passed=""; for step in $(TEST_STEPS); do \
		$(MAKE) --no-print-directory $$step || { \
			echo; echo "make test: FAILED at step $$step (run: make $$step); passed before it:$${passed:- none}"; exit 1; }; \
		passed="$$passed $$step"; \
	done; \
	browser="browser (Chromium)"; command -v chromium >/dev/null 2>&1 || browser="browser SKIPPED (no Chromium)"; \
	echo; echo "make test: passed: workflow lint, vet and gofmt, native (go test -race), wasm (Node), durable (SQLite, Postgres), $$browser"

# Node.js runs the wasm tests, Chromium the browser tests: installed with
# apt-get when missing and run as root, else it says what to install.
setup:
	@bash scripts/setup

vet: lint-workflows
	$(GO) vet ./...
	$(GO) vet -tags e2e ./e2e/
	@files=$$(git ls-files --cached --others --exclude-standard '*.go' 2>/dev/null || find . -name '*.go'); \
	test -z "$$(gofmt -l $$files)" || { echo "gofmt needed:"; gofmt -l $$files; exit 1; }

lint-workflows:
	$(GO) run $(ACTIONLINT) .github/workflows/*.yml

test-native:
	$(GO) test -race -count=1 -timeout 10m ./...

# The scheduler's tests and the plain-Go logic of the page (the virtual
# clock, the run, its history, the lessons), run as WebAssembly under Node
# with Go's own runner.
test-wasm:
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$(WASM_EXEC)" . ./sched/... ./internal/...

# The durable package (River on SQLite and Postgres) is a module of its
# own, in durable/, so that the page and plain sched users never pull in
# River, pgx or SQLite. Its Postgres tests start the distribution's
# Postgres on loopback (scripts/setup installs it as root); without one
# they are skipped, saying so, except under CI=true, where they fail.
test-durable:
	cd durable && $(GO) vet ./...
	cd durable && $(GO) test -race -count=1 -timeout 20m ./...

# The browser tests build the site (root and BASE=/wasmsched), serve it
# with cmd/serve on a free loopback port and drive Chromium. They sit behind
# the e2e build tag so that `go test ./...` stays fast. With
# WASMSCHED_DIST=dist they test that build instead of building their own.
test-e2e:
	$(GO) test -tags e2e -count=1 -v -timeout 15m ./e2e/

# The scheduler at up to a million jobs, against a goroutine per job in
# the same run (sched/bench_test.go says what each figure is), then the
# medians of the BENCH_COUNT runs.
bench:
	@out=$$(mktemp) && trap 'rm -f "$$out"' EXIT && \
	echo "$(GO) test -bench . -count $(BENCH_COUNT) ./sched/" && \
	$(GO) test -run='^$$' -bench=. -benchtime=1x -count=$(BENCH_COUNT) ./sched/ | tee "$$out" && \
	echo && echo "Medians of $(BENCH_COUNT) runs (and their range):" && \
	bash scripts/benchmedian "$$out"

# The durable package against River used directly and against in-memory
# sched, on SQLite and on Postgres, in one run (durable/bench_test.go says
# what each figure is), then the medians of the BENCH_COUNT runs.
bench-durable:
	@out=$$(mktemp) && trap 'rm -f "$$out"' EXIT && \
	echo "cd durable && $(GO) test -bench . -count $(BENCH_COUNT)" && \
	(cd durable && $(GO) test -run='^$$' -bench=. -benchtime=1x -count=$(BENCH_COUNT) -timeout 90m .) | tee "$$out" && \
	echo && echo "Medians of $(BENCH_COUNT) runs (and their range):" && \
	bash scripts/benchmedian "$$out"

# The site in Chromium, once (e2e/bench_test.go says what each figure is):
# the first click that works after a load, single and batched 1 ms jobs'
# lateness, a 100,000-job batch's long tasks, app.wasm's sizes; a table of
# them all at the end. It builds and serves the site as test-e2e does.
bench-browser:
	$(GO) test -tags e2e -run '^$$' -bench Browser -benchtime 1x -count 1 -timeout 20m ./e2e/


# The wasm goes to a temporary folder and gensite replaces $(DIST) as a
# whole once the site is complete, so a failed build leaves the old one
# and a running `make serve` goes on serving it meanwhile. gensite keeps
# what it compresses in the user's cache folder, so an unchanged build
# compresses nothing.
build:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	echo "$(GO) run ./cmd/buildwasm (GOOS=js GOARCH=wasm go build ./cmd/wasm, go-app's server side left out)" && \
	$(GO) run ./cmd/buildwasm -go '$(GO)' -o "$$tmp/app.wasm" && \
	echo "$(GO) run ./cmd/gensite -out $(DIST) -base '$(BASE)'$(if $(filter 1 yes true,$(FORCE)), -force)" && \
	$(GO) run ./cmd/gensite -out '$(DIST)' -wasm "$$tmp/app.wasm" -base '$(BASE)'$(if $(filter 1 yes true,$(FORCE)), -force)

# A busy port or a bad BASE is reported before the build, not after it.
# With BASE=/name the site is served under /name/, as GitHub Pages serves
# a project's site.
# The server is built into bin/ and run as itself, not with `go run`,
# which exits with an error when Ctrl-C stops the server it runs.
serve:
	@$(GO) build -o bin/serve ./cmd/serve
	@bin/serve -check -addr '$(ADDR)' -base '$(BASE)'
	@$(MAKE) --no-print-directory build
	@exec bin/serve -dir '$(DIST)' -addr '$(ADDR)' -base '$(BASE)'

# Also the hidden work folders of a gensite run that was killed, and the
# patched copy of go-app that cmd/buildwasm keeps.
clean:
	rm -rf bin .wasmbuild '$(DIST)' '$(dir $(DIST)).$(notdir $(DIST)).gensite-'*
