#!/usr/bin/env bash
# durable.sh IMREDIS_BIN: the durable-write acceptance of the buntdb engine, as
# a user runs it. redis-benchmark sends INC.SAVE of one incident with random
# ids (__rand_int__ in the id's last group) to imredis on buntdb with
# --fsync always, and SET of the same JSON under random keys to redis-server
# with appendonly yes, appendfsync always; both 50 clients, pipeline 1. The
# two runs alternate for ROUNDS rounds so that each pair shares the
# machine's state; every round prints both rates and their ratio, and the
# last line the median ratio.
# Settings (environment): ROUNDS (3), REQUESTS per run (50000), CLIENTS (50).
set -euo pipefail

bin=${1:?usage: durable.sh IMREDIS_BIN}
rounds=${ROUNDS:-3}
requests=${REQUESTS:-50000}
clients=${CLIENTS:-50}

# A realistic incident without timestamps: the server stamps created_at and
# updated_at, as it does for clients that leave them out.
doc='{"id":"00000000-0000-4000-8000-__rand_int__","severity":"P1","state":"Investigating","incident_type":"Performance","source":"gateway-eu-west","title":"p99 latency of chat completions above SLO on gpt-4o route","description":"The p99 latency of /v1/chat/completions on the gpt-4o route rose from 2.1 s to 7.8 s after the 14:02 deploy; error rate unchanged. Token throughput per replica fell by 40 percent.","labels":{"team":"inference","region":"eu-west-1","model":"gpt-4o","tier":"gold"},"fingerprint":"latency-gpt-4o-eu-west"}'

dir=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_ping() {
	for _ in $(seq 100); do
		if [ "$(redis-cli -p "$1" PING 2>/dev/null)" = PONG ]; then return 0; fi
		sleep 0.1
	done
	echo "server on port $1 did not start" >&2
	exit 1
}

# rate PORT ARGS...: requests per second of one redis-benchmark run.
rate() {
	local port=$1
	shift
	redis-benchmark -p "$port" -c "$clients" -n "$requests" -r 1000000000 -q "$@" |
		tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -n 1 | cut -d' ' -f1
}

im_port=$(free_port)
"$bin" --addr "127.0.0.1:$im_port" --http-addr "" --engine "buntdb:$dir/imredis/imredis.db" \
	--fsync always --log-level warn &
pids+=($!)
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$dir" --save '' \
	--appendonly yes --appendfsync always --loglevel warning >/dev/null &
pids+=($!)
wait_ping "$im_port"
wait_ping "$redis_port"

echo "payload: ${#doc} bytes; $clients clients, pipeline 1, $requests requests per run"
ratios=()
for r in $(seq "$rounds"); do
	im=$(rate "$im_port" INC.SAVE "$doc")
	rd=$(rate "$redis_port" SET 'llm-im:incident:__rand_int__' "$doc")
	ratio=$(awk -v a="$im" -v b="$rd" 'BEGIN { printf "%.2f", a / b }')
	ratios+=("$ratio")
	printf 'round %d: imredis INC.SAVE (buntdb, fsync always) %s req/s; redis SET (appendfsync always) %s req/s; ratio %sx\n' \
		"$r" "$im" "$rd" "$ratio"
done
redis-cli -p "$im_port" INFO persistence | tr -d '\r' | grep -E '^(fsyncs|writes|fsync_time_ms):' | paste -sd' '
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "median ratio: %sx\n", v[int((NR + 1) / 2)] }'
