#!/usr/bin/env bash
# run.sh runs the client matrix: it starts bin/imredis (memory engine,
# --requirepass, a free port) and runs every client suite against it, each
# bounded by `timeout`, then prints `clients: N passed, M failed` and exits
# non-zero if any suite failed. Run clients/setup.sh first (make test-clients
# does both). The go-redis suite (clients/gotest) starts its own in-process
# server through internal/servertest, as `go test ./...` does.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export IMREDIS_HOST=127.0.0.1
export IMREDIS_PASSWORD=secret
GO=${GO:-go}

work=$(mktemp -d)
server=
cleanup() {
	if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
		kill "$server"
		wait "$server" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -x bin/imredis ]; then
	echo "run: building bin/imredis"
	$GO build -o bin/imredis ./cmd/imredis || exit 1
fi

# Port 0: the server binds a free port and its "imredis serving" log line says which.
bin/imredis --addr 127.0.0.1:0 --engine memory: --requirepass "$IMREDIS_PASSWORD" --http-addr '' 2>"$work/server.log" &
server=$!
for _ in $(seq 100); do
	addr=$(grep -m1 '"message":"imredis serving"' "$work/server.log" | sed -n 's/.*"addr":"\([^"]*\)".*/\1/p')
	[ -n "$addr" ] && break
	kill -0 "$server" 2>/dev/null || break
	sleep 0.1
done
if [ -z "${addr:-}" ]; then
	echo "run: imredis did not report its address:" >&2
	cat "$work/server.log" >&2
	exit 1
fi
export IMREDIS_PORT=${addr##*:}
echo "run: $(bin/imredis --version 2>&1 | head -n1) serving on $addr"

passed=0
failed=0
failures=()
# suite NAME SECONDS COMMAND...: run one suite with a deadline; print its
# output when it fails.
suite() {
	local name=$1 secs=$2 start rc
	shift 2
	start=$(date +%s)
	timeout --kill-after=5 "$secs" "$@" >"$work/out" 2>&1
	rc=$?
	if [ $rc = 0 ]; then
		passed=$((passed + 1))
		printf 'PASS %-22s %3ds  %s\n' "$name" $(($(date +%s) - start)) "$(tail -n 1 "$work/out")"
	else
		failed=$((failed + 1))
		failures+=("$name")
		[ $rc = 124 ] && echo "run: $name timed out after ${secs}s"
		printf 'FAIL %-22s %3ds  (exit %d)\n' "$name" $(($(date +%s) - start)) "$rc"
		sed 's/^/    /' "$work/out"
	fi
	if ! kill -0 "$server" 2>/dev/null; then
		echo "run: imredis exited during $name:"
		sed 's/^/    /' "$work/server.log"
		exit 1
	fi
}

# node_suite NAME: one clients/node/test/NAME.test.js file, summed up in its last line.
node_suite() {
	cd clients/node || return 1
	local out rc
	out=$(node --test --test-reporter=spec --test-timeout=30000 "test/$1.test.js" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	echo "$1 $(node -p "require('$1/package.json').version"): $(grep -Eo '^ℹ (pass|fail) [0-9]+' <<<"$out" | cut -c5- | paste -sd' ')"
	return $rc
}
# python_suite: redis-py with the pure-Python parser and with hiredis.
python_suite() {
	cd clients/python || return 1
	local out rc
	out=$(/usr/bin/python3 -m unittest -v test_clients 2>&1)
	rc=$?
	printf '%s\n' "$out"
	echo "redis-py $(/usr/bin/python3 -c 'import redis; print(redis.__version__)'): $(grep -m1 '^Ran ' <<<"$out"), $(tail -n 1 <<<"$out")"
	return $rc
}
export -f node_suite python_suite

# redis-benchmark first: it asserts that no error reply happens while it runs,
# and the other suites provoke error replies on purpose.
suite redis-benchmark 60 bash clients/benchmark.sh
suite redis-cli 60 bash clients/cli.sh
for f in clients/node/test/*.test.js; do
	name=$(basename "$f" .test.js)
	suite "node $name" 60 bash -c 'node_suite "$1"' _ "$name"
done
suite "python redis-py" 60 bash -c python_suite
suite "go go-redis" 150 $GO test -race -count=1 ./clients/gotest/

# No input from any client may make the server log an error or a panic.
if grep -E '"level":"(error|fatal|panic)"|^panic:|goroutine [0-9]+ \[' "$work/server.log" >"$work/errors"; then
	failed=$((failed + 1))
	failures+=("server log")
	echo "FAIL server log: errors logged while the clients ran"
	sed 's/^/    /' "$work/errors" | head -n 50
else
	passed=$((passed + 1))
	printf "PASS %-22s %3ds  %s\n" "server log" 0 "no error logged"
fi

echo
[ $failed = 0 ] || echo "failed: ${failures[*]}"
echo "clients: $passed passed, $failed failed"
[ $failed = 0 ]
