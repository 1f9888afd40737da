# imredis: `make run` serves on the embedded default, `make test` runs everything.
GO       ?= go
BIN      := bin/imredis
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
ENGINE   ?= buntdb:./data/imredis.db
ADDR     ?= 127.0.0.1:6379
FUZZTIME ?= 20s

.PHONY: build run test deps lint fuzz bench bench-quick

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/imredis

run: build
	./$(BIN) --addr $(ADDR) --engine $(ENGINE)

# deps installs what the tests need on a fresh Debian machine: redis-server and
# redis-cli (real Redis for the upstream engine and side-by-side runs).
deps:
	@command -v redis-server >/dev/null && command -v redis-cli >/dev/null || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools; }
	$(GO) mod download

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt: $$out"; exit 1; fi
	$(GO) vet ./...

# test runs every Go test under the race detector (engines against a real
# redis-server, kill -9 crash cycles, the keyspace proof), every Go benchmark
# once, then the client matrix and the quick side-by-side benchmark, so that
# none of them can rot.
test: deps lint
	$(GO) test -race -count=1 -timeout 30m ./...
	$(MAKE) bench-go BENCHTIME=1x
	$(MAKE) test-clients
	$(MAKE) bench-quick BENCHFLAGS="--out $$(mktemp -d)" # its results file stays out of the work tree

fuzz:
	@for t in $$(grep -rhoE '^func (Fuzz[A-Za-z0-9_]+)' --include='*_test.go' . | sed 's/func //'); do \
		pkg=$$(grep -rlE "^func $$t\(" --include='*_test.go' . | xargs dirname); \
		echo "== $$t ($$pkg)"; $(GO) test $$pkg -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

# BENCHFLAGS passes extra flags to cmd/imbench, e.g. --engines memory:,buntdb:
# or --only get,save (see go run ./cmd/imbench -h).
BENCHFLAGS ?=

# bench measures imredis (every engine that starts) side by side with a real
# redis-server at 10k, 100k and 1M incidents (about ten minutes); the markdown
# table goes to stdout and bench/results/<date>-full.md.
bench: build
	$(GO) build -o bin/imbench ./cmd/imbench
	./bin/imbench --mode full --imredis $(BIN) $(BENCHFLAGS)

# bench-go runs the Go benchmarks of the hot paths: RESP framing and parsing,
# reply writing, incident validation, the indexes, each engine's save, get,
# list and count (conformance.Bench; redis:// against a redis-server of its
# own), and a whole in-process server (bench/server_bench_test.go).
BENCHTIME ?= 1s
.PHONY: bench-go
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

# bench-instructions counts the instructions per operation of one Go
# benchmark under callgrind (installed when missing), a measure that repeats
# where timings do not: make bench-instructions PKG=./engine BENCH='ParseShared$$'
PKG   ?= ./engine
BENCH ?= ParseShared$$
.PHONY: bench-instructions
bench-instructions:
	@command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind; }
	bash bench/instructions.sh $(PKG) '$(BENCH)'

# bench-quick runs the same harness at 10k incidents in well under a minute.
# It fails when a server does not start or a command errors, never on a ratio.
bench-quick: build
	$(GO) build -o bin/imbench ./cmd/imbench
	./bin/imbench --mode quick --imredis $(BIN) $(BENCHFLAGS)

# bench-durable is the buntdb engine's durable-write acceptance as a user runs
# it: redis-benchmark -c 50 of INC.SAVE (--fsync always) against SET on a
# redis-server with appendfsync always, alternating for ROUNDS rounds.
.PHONY: bench-durable
bench-durable: build
	bash bench/durable.sh $(BIN)

# test-clients runs the client matrix against a fresh bin/imredis: redis-cli and
# redis-benchmark, ioredis 5 and 6, node-redis 4, 5 and 6, redis-py 4.3.4 with
# and without hiredis, go-redis v9 (clients/README.md). setup.sh installs the
# Debian packages when missing and the Node clients pinned in the lockfile.
.PHONY: test-clients
test-clients: build
	bash clients/setup.sh && bash clients/run.sh

# crash runs the kill -9 crash tests of crashtest/ for CRASH_CYCLES cycles per
# fsync policy (make test runs 20). No -race here, so that every cycle carries
# the most writes; make test covers the race detector. CRASH_SEED replays a run.
CRASH_CYCLES ?= 200

.PHONY: crash
crash:
	CRASH_CYCLES=$(CRASH_CYCLES) $(GO) test -count=1 -timeout 60m -v -run '^TestCrash' ./crashtest/
