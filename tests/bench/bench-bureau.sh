#!/bin/sh
# SPDX-License-Identifier: MIT
# Bureau import throughput (issue 7): 100 simulated gates x 10,000 entries
# each (tests/bench/gen_bundles.c: real gate logs through the store, exported
# as sealed, signed bundles of 5,000 entries with the library's bundle code),
# imported by `sentinel-bureau import` from one stick directory.  Prints
#   bureau import entries=E devices=D seconds=S entries_per_s=R
# then the same for re-importing everything (all duplicates) and the
# database size.  Figures, not pass/fail.  Work files under the build
# directory (a real filesystem: fsync counts); removed afterwards.
# usage: bench-bureau.sh [BUILD_DIR] [DEVICES] [ENTRIES]   (make bench)
set -eu
b=${1:-build}
devices=${2:-100}
entries=${3:-10000}
. tests/bench/lib.sh
bench_begin bench-bureau "$b" sentinel-bureau tests/modules.a
sh tests/bench/build-prog.sh "$b" "$tmp/gen_bundles" tests/bench/gen_bundles.c -O2
bb=$b/sentinel-bureau
"$bb" keys init --key "$tmp/bureau.key" >/dev/null
gen=$("$tmp/gen_bundles" --bureau-pub "$tmp/bureau.key.pub" --keys "$tmp/keys" --logs "$tmp/logs" \
	--out "$tmp/stick" --devices "$devices" --entries "$entries" --per-bundle 5000)
for k in "$tmp"/keys/*.key.pub; do
	d=$(basename "$k" .key.pub)
	"$bb" --db "$tmp/bureau.db" register --device "$d" --pub "$k" >/dev/null
done
# Wall time is the figure; the CPU time of the import (user + sys, from the
# shell's `times` for its children) shows how much of it was spent waiting
# for the disk (the commit's fsync) or for a busy machine.
children_cpu() {
	awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub(/s$/, "", p[2]); t += p[1] * 60 + p[2] } print t }' "$1"
}
run() {
	times >"$tmp/times0"
	t0=$(date +%s%N)
	"$bb" --db "$tmp/bureau.db" import --key "$tmp/bureau.key" "$tmp/stick" >"$tmp/import.out"
	t1=$(date +%s%N)
	times >"$tmp/times1"
	c0=$(children_cpu "$tmp/times0")
	c1=$(children_cpu "$tmp/times1")
	n=$((devices * entries))
	awk -v a="$t0" -v b="$t1" -v c0="$c0" -v c1="$c1" -v n="$n" -v d="$devices" -v what="$1" 'BEGIN {
		s = (b - a) / 1e9
		printf "bureau %s entries=%d devices=%d seconds=%.2f entries_per_s=%.0f cpu_seconds=%.2f\n",
			what, n, d, s, n / s, c1 - c0 }'
}
run import
new=$(awk '{ s += $(NF - 2) } END { print s }' "$tmp/import.out")
run reimport
dup=$(awk '{ s += $NF } END { print s }' "$tmp/import.out")
size=$(stat -c %s "$tmp/bureau.db")
echo "bureau generate $gen"
echo "bureau new=$new reimport_duplicates=$dup db_bytes=$size bytes_per_entry=$((size / (devices * entries)))"
