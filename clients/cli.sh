#!/usr/bin/env bash
# redis-cli (Debian redis-tools) against a running imredis: one-shot, -3, -a,
# --user/--pass, piped input (a REPL session that fetches COMMAND DOCS), the
# seed's llm-im: keyspace flow, the change feed and error replies.
# Needs IMREDIS_HOST, IMREDIS_PORT and IMREDIS_PASSWORD; exits 1 if a check fails.
set -uo pipefail

host=${IMREDIS_HOST:-127.0.0.1}
port=${IMREDIS_PORT:?IMREDIS_PORT is required}
pass=${IMREDIS_PASSWORD:?IMREDIS_PASSWORD is required}
tmp=$(mktemp -d)
subpid=
cleanup() {
	[ -n "$subpid" ] && kill "$subpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

failed=0
checks=0
# check NAME WANT GOT: exact comparison.
check() {
	checks=$((checks + 1))
	if [ "$2" != "$3" ]; then
		printf 'FAIL %s\n  want: %q\n  got:  %q\n' "$1" "$2" "$3"
		failed=1
	fi
}
# check_match NAME EXTENDED-REGEX GOT: grep -E on the whole output.
check_match() {
	checks=$((checks + 1))
	if ! grep -Eq -- "$2" <<<"$3"; then
		printf 'FAIL %s\n  want match: %s\n  got:  %q\n' "$1" "$2" "$3"
		failed=1
	fi
}

anon() { redis-cli -h "$host" -p "$port" "$@"; }
cli() { redis-cli -h "$host" -p "$port" -a "$pass" --no-auth-warning "$@"; }
uuid() { cat /proc/sys/kernel/random/uuid; }
doc() { printf '{"id":"%s","severity":"P1","incident_type":"Infrastructure","source":"%s","title":"redis-cli probe"}' "$1" "$2"; }

# Acceptance: NOAUTH before AUTH, a wrong password refused, HELLO 3 AUTH.
check "unauthenticated INC.COUNT" "NOAUTH Authentication required." "$(anon INC.COUNT 2>&1)"
out=$(redis-cli -h "$host" -p "$port" -a wrong-password --no-auth-warning INC.COUNT 2>"$tmp/err")
check "wrong password: AUTH refused" "AUTH failed: WRONGPASS invalid username-password pair or user is disabled." "$(cat "$tmp/err")"
check "wrong password: command refused" "NOAUTH Authentication required." "$out"
out=$(redis-cli -h "$host" -p "$port" --user default --pass wrong-password --no-auth-warning PING 2>&1)
check_match "--user/--pass wrong password" "WRONGPASS invalid username-password pair or user is disabled\." "$out"
# redis-cli -3 sends HELLO 3 on connect, refused before AUTH exactly as Redis
# refuses it (on stderr); the HELLO 3 AUTH command itself then authenticates.
out=$(anon -3 HELLO 3 AUTH default "$pass" 2>/dev/null)
check_match "-3 HELLO 3 AUTH default <pass> reports proto 3" "^proto 3$" "$out"
check_match "-3 HELLO 3 AUTH: server field" "^server redis$" "$out"
check_match "-3 HELLO 3 AUTH: version field" "^version 7\.2\.4$" "$out"

# One-shot forms.
check "-a one-shot PING" "PONG" "$(cli PING 2>&1)"
check "--user/--pass PING" "PONG" "$(redis-cli -h "$host" -p "$port" --user default --pass "$pass" --no-auth-warning PING 2>&1)"
check "-3 -a PING" "PONG" "$(cli -3 PING 2>&1)"
check_match "-3 CLIENT INFO says resp=3" " resp=3 " "$(cli -3 CLIENT INFO 2>&1)"
check_match "CLIENT INFO says resp=2" " resp=2 " "$(cli CLIENT INFO 2>&1)"

src="cli-$(uuid)"
id=$(uuid)
check "INC.SAVE" "$id" "$(cli INC.SAVE "$(doc "$id" "$src")" 2>&1)"
check_match "INC.GET" "^\{\"id\":\"$id\",.*\"state\":\"Detected\"" "$(cli INC.GET "$id" 2>&1)"
check_match "INC.LIST" "^\{\"id\":\"$id\"" "$(cli INC.LIST SOURCE "$src" 2>&1)"
check "INC.COUNT" "1" "$(cli INC.COUNT SOURCE "$src" 2>&1)"
# RESP2 renders INC.STATS as a flat array, RESP3 as a map ("key value" lines).
check_match "INC.STATS under RESP2" "^total$" "$(cli INC.STATS 2>&1)"
check_match "INC.STATS under -3" "^total [0-9]+$" "$(cli -3 INC.STATS 2>&1)"
check_match "error reply" "^INVALID " "$(cli INC.SAVE '{not json' 2>&1)"
check_match "info server" "^redis_version:7\.2\.4" "$(cli INFO server 2>&1 | tr -d '\r')"

# Piped input: one REPL session (redis-cli first asks COMMAND DOCS for hints).
out=$(printf 'INC.COUNT SOURCE %s\nPING\n' "$src" | cli 2>"$tmp/err")
check "piped INC.COUNT + PING" $'1\nPONG' "$out"
check "piped: nothing on stderr" "" "$(cat "$tmp/err")"
out=$(printf 'CLIENT SETNAME cli-matrix\nCLIENT GETNAME\n' | cli -3 2>&1)
check "piped -3 CLIENT SETNAME/GETNAME" $'OK\ncli-matrix' "$out"

# The seed's layout flow.
key="llm-im:incident:$id"
temp="llm-im:temp:$(uuid)"
check_match "GET incident key" "^\{\"id\":\"$id\"" "$(cli GET "$key" 2>&1)"
check_match "SMEMBERS llm-im:severity:P1" "^$id$" "$(cli SMEMBERS llm-im:severity:P1 2>&1)"
check "SADD of an existing member" "0" "$(cli SADD llm-im:severity:P1 "$id" 2>&1)"
check_match "SUNIONSTORE into temp" "^[1-9][0-9]*$" "$(cli SUNIONSTORE "$temp" llm-im:severity:P1 llm-im:severity:P2 2>&1)"
check "EXPIRE temp" "1" "$(cli EXPIRE "$temp" 60 2>&1)"
check_match "TTL temp" "^(60|59|58)$" "$(cli TTL "$temp" 2>&1)"
check_match "SINTER temp state" "^$id$" "$(cli SINTER "$temp" llm-im:state:Detected 2>&1)"
check "DEL incident key" "1" "$(cli DEL "$key" 2>&1)"
check "SISMEMBER after DEL" "0" "$(cli SISMEMBER llm-im:incidents "$id" 2>&1)"
check "DEL temp" "1" "$(cli DEL "$temp" 2>&1)"
check_match "COMMAND COUNT" "^[1-9][0-9]*$" "$(cli COMMAND COUNT 2>&1)"
check "COMMAND COUNT = COMMAND LIST entries" "$(cli COMMAND COUNT 2>&1)" "$(cli COMMAND LIST 2>&1 | wc -l)"
check_match "key outside the keyspace" "^ERR key outside the incident keyspace" "$(cli GET foo 2>&1)"

# Change feed: a RESP2 and a RESP3 subscriber each see the INC.SAVE.
for proto in 2 3; do
	id=$(uuid)
	timeout 10 redis-cli -h "$host" -p "$port" -a "$pass" --no-auth-warning -"$proto" SUBSCRIBE llm-im:events >"$tmp/sub" 2>&1 &
	subpid=$!
	for _ in $(seq 50); do grep -qx 1 "$tmp/sub" && break; sleep 0.1; done
	cli INC.SAVE "$(doc "$id" "$src")" >/dev/null
	for _ in $(seq 50); do grep -q "$id" "$tmp/sub" && break; sleep 0.1; done
	kill "$subpid" 2>/dev/null
	wait "$subpid" 2>/dev/null
	subpid=
	check_match "change feed under RESP$proto" "^\{\"op\":\"saved\",\"db\":0,\"id\":\"$id\",\"severity\":\"P1\",\"state\":\"Detected\",\"updated_at\":\"[^\"]+\"\}$" "$(cat "$tmp/sub")"
done

echo "redis-cli $(redis-cli --version | awk '{print $2}'): $checks checks, $([ $failed = 0 ] && echo ok || echo FAILED)"
exit $failed
