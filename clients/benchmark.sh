#!/usr/bin/env bash
# redis-benchmark (Debian redis-tools) against a running imredis: PING, then
# INC.SAVE of incidents with random ids and GET of incident keys, plain and
# pipelined. Every run must finish without one error reply: redis-benchmark
# exits non-zero on the first one, and the server's INFO stats
# total_error_replies must not move (so run it while no other client is
# sending commands that fail on purpose).
# Needs IMREDIS_HOST, IMREDIS_PORT and IMREDIS_PASSWORD; exits 1 if a check fails.
set -uo pipefail

host=${IMREDIS_HOST:-127.0.0.1}
port=${IMREDIS_PORT:?IMREDIS_PORT is required}
pass=${IMREDIS_PASSWORD:?IMREDIS_PASSWORD is required}
n=2000
failed=0

cli() { redis-cli -h "$host" -p "$port" -a "$pass" --no-auth-warning "$@"; }
errors() { cli INFO stats | tr -d '\r' | sed -n 's/^total_error_replies://p'; }
source_count() { cli INC.COUNT SOURCE redis-benchmark; }
# bench NAME ARGS...: one redis-benchmark run that must exit 0 with a CSV row
# and nothing on stderr.
bench() {
	local name=$1 out err rc
	shift
	err=$(mktemp)
	out=$(timeout 60 redis-benchmark -h "$host" -p "$port" -a "$pass" -n "$n" --csv "$@" 2>"$err")
	rc=$?
	if [ $rc != 0 ] || [ -s "$err" ] || [ "$(wc -l <<<"$out")" -lt 2 ]; then
		printf 'FAIL %s: exit %d\n%s\n%s\n' "$name" "$rc" "$out" "$(cat "$err")"
		failed=1
	else
		printf '%-22s %s requests/s\n' "$name" "$(tail -n 1 <<<"$out" | awk -F'","' '{print $(NF-6)}')"
	fi
	rm -f "$err"
}

# __rand_int__ expands to 12 decimal digits (-r < 10^12), which makes the last
# group of a valid v4 UUID.
doc='{"id":"00000000-0000-4000-8000-__rand_int__","severity":"P3","incident_type":"Performance","source":"redis-benchmark","title":"redis-benchmark probe","labels":{"bench":"yes"}}'

errors_before=$(errors)
count_before=$(source_count)
bench "PING" -t ping
bench "INC.SAVE" -r 100000 INC.SAVE "$doc"
bench "INC.SAVE -P 16" -r 100000 -P 16 INC.SAVE "$doc"
bench "GET incident key" -r 100000 GET 'llm-im:incident:00000000-0000-4000-8000-__rand_int__'
bench "INC.COUNT -P 16" -P 16 INC.COUNT SEVERITY P3
errors_after=$(errors)
count_after=$(source_count)

if [ "$errors_after" != "$errors_before" ]; then
	echo "FAIL total_error_replies moved from $errors_before to $errors_after"
	failed=1
fi
# 2 x 2000 saves of ids drawn from 100000: a few collide, most are new.
saved=$((count_after - count_before))
if [ "$saved" -lt 3000 ] || [ "$saved" -gt $((2 * n)) ]; then
	echo "FAIL INC.COUNT SOURCE redis-benchmark grew by $saved, want 3000..$((2 * n))"
	failed=1
fi
id=$(cli --raw INC.LIST SOURCE redis-benchmark LIMIT 0 1 | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
if ! grep -Eq '^00000000-0000-4000-8000-[0-9]{12}$' <<<"$id"; then
	echo "FAIL saved id $id is not 00000000-0000-4000-8000-<12 digits>"
	failed=1
fi

echo "redis-benchmark: $saved incidents saved, error replies $errors_before -> $errors_after, $([ $failed = 0 ] && echo ok || echo FAILED)"
exit $failed
