#!/usr/bin/env bash
# instructions.sh PACKAGE BENCHMARK prints the instructions one operation of a
# Go benchmark executes, counted by valgrind's callgrind. Unlike timings on a
# shared or virtual machine, the count repeats to about 0.1% from run to run,
# so it tells apart changes of a few percent. BENCHMARK must match a single
# benchmark. The benchmark runs twice, N and 3N times (N=10000 unless set),
# and the difference is divided by 2N, so that its setup cancels out.
set -euo pipefail
pkg=${1:?usage: instructions.sh PACKAGE BENCHMARK}
bench=${2:?usage: instructions.sh PACKAGE BENCHMARK}
n=${N:-10000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go test -c -o "$dir/bench.test" "$pkg"
count() {
	GOMAXPROCS=1 GOGC=off valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$dir/bench.test" -test.run '^$' -test.bench "$bench" -test.benchtime "${1}x" 2>&1 |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
a=$(count "$n")
b=$(count $((3 * n)))
if [ -z "$a" ] || [ -z "$b" ]; then
	echo "instructions.sh: callgrind reported no count for $bench in $pkg" >&2
	exit 1
fi
echo "$bench ($pkg): $(((b - a) / (2 * n))) instructions/op"
