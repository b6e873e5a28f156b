#!/bin/sh
# SPDX-License-Identifier: MIT
# Memory of `sentinel-bureau import` against bundle size (issue 17), both
# backends in the same run.  Three sticks of simulated gates
# (tests/bench/gen_bundles.c: real gate logs exported as sealed, signed
# bundles), each ONE bundle: 500 entries, 5,000 (the most a gate writes,
# SNT_BUNDLE_MAX_ENTRIES) and 50,000 (beyond any gate's, within the
# bureau's SNT_BUNDLE_MAX_ACCEPT).  Each is imported into a new SQLite file
# and a new database of a private PostgreSQL 15 cluster
# (tests/scenario/pg.sh); prints per import
#   bureau <backend> import_rss entries=E per_bundle=K max_rss_kb=R seconds=S cpu_s=C [failed]
# (max_rss_kb: the import process's maximum resident set, getrusage(2)
# through GNU time's %M; cpu_s: its user + system seconds; failed: the
# import refused the bundle, as a bureau older than the streaming reader
# refuses one of more than 5,000 entries).  With BASE=<another
# sentinel-bureau> the same imports run with that binary too (label
# bureau=base), back to back, for a baseline in the same run.  Figures,
# not pass/fail.
# usage: [BASE=path] bench-bureau-rss.sh [BUILD_DIR]
set -u
B=${1:-build}
if [ ! -x /usr/bin/time ]; then
	echo "bench-bureau-rss: /usr/bin/time (GNU time) missing" >&2
	exit 1
fi
. tests/bench/lib.sh
bureau_bench_begin bench-bureau-rss bench-bureau-rss.XXXXXX
"$B/sentinel-bureau" keys init --key "$T/bureau.key" >/dev/null
# stick NAME ENTRIES PER_BUNDLE
stick() {
	"$T/gen_bundles" --bureau-pub "$T/bureau.key.pub" --keys "$T/keys" --logs "$T/logs" --out "$T/$1" \
		--prefix "$1" --devices 1 --entries "$2" --per-bundle "$3" >/dev/null || exit 1
}
stick small 500 500
stick one 5000 5000
stick big 50000 50000
rm -rf "$T/logs"
n=0
# import LABEL BUREAU STICK ENTRIES PER_BUNDLE
import() {
	n=$((n + 1))
	sq="$T/rss-$n.db"
	pg=$(pg_newdb rss$n)
	for db in "$sq" "$pg"; do
		case $db in postgresql*) k=postgresql ;; *) k=sqlite ;; esac
		for key in "$T"/keys/*.key.pub; do
			"$2" --db "$db" register --device "$(basename "$key" .key.pub)" --pub "$key" >/dev/null || exit 1
		done
		a=$(date +%s%N)
		f=""
		/usr/bin/time -f '%M %U %S' -o "$T/rss" "$2" --db "$db" import --key "$T/bureau.key" "$T/$3" \
			>"$T/import.out" 2>&1 || f=" failed"
		b=$(date +%s%N)
		awk -v k="$k" -v l="$1$f" -v e="$4" -v p="$5" -v t="$(tail -n 1 "$T/rss")" -v a="$a" -v b="$b" 'BEGIN {
			split(t, r, " ")
			printf "bureau %s import_rss entries=%d per_bundle=%d max_rss_kb=%d seconds=%.2f cpu_s=%.2f%s\n",
				k, e, p, r[1], (b - a) / 1e9, r[2] + r[3], l }'
	done
	rm -f "$sq"*
}
for what in "small 500 500" "one 5000 5000" "big 50000 50000"; do
	set -- $what
	[ -z "${BASE:-}" ] || import " bureau=base" "$BASE" "$@"
	import "" "$B/sentinel-bureau" "$@"
done
