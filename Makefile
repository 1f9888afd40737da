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

test: deps lint
	$(GO) test -race -count=1 -timeout 20m ./...

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

# bench-quick runs the same harness at 10k incidents in well under a minute.
# It fails when a server does not start or a command errors, never on a ratio.
bench-quick: build
	$(GO) build -o bin/imbench ./cmd/imbench
	./bin/imbench --mode quick --imredis $(BIN) $(BENCHFLAGS)
