#!/bin/sh
# SPDX-License-Identifier: MIT
# The bureau's two backends in the same run (issue 17): DEVICES simulated
# gates x ENTRIES entries (default 100 x 10,000 = 1,000,000; gen_bundles:
# real gate logs exported as sealed, signed bundles of 5,000 entries)
# imported by `sentinel-bureau import` from one stick directory, into an
# SQLite file and into a private PostgreSQL 15 cluster (tests/scenario/pg.sh,
# the server's durable defaults: fsync, synchronous_commit on).  Prints per
# backend
#   bureau <backend> import entries=E seconds=S entries_per_s=R bureau_cpu_s=C server_cpu_s=P
# (bureau_cpu_s: the import process, user + sys; server_cpu_s: every
# PostgreSQL process of the cluster), then the same stick split by gate
# into JOBS parts imported at once by JOBS processes (JOBS connections)
# into a second PostgreSQL database ("postgresql import jobs=J"), then the
# reimport (all duplicates)
# and the query figures on what is stored: one home's day (a gate's
# entries of one day, 21 runs in one session, median ms), the city report
# of one day (the command's wall time) and the database size.  Figures,
# not pass/fail.
# usage: bench-bureau-pg.sh [BUILD_DIR] [DEVICES] [ENTRIES] [JOBS]   (make bench; JOBS default 4)
set -u
B=${1:-build}
devices=${2:-100}
entries=${3:-10000}
jobs=${4:-4}
[ "$jobs" -le "$devices" ] || jobs=$devices
. tests/bench/lib.sh
bureau_bench_begin bench-bureau-pg bench-bureau-pg.XXXXXX
bb=$B/sentinel-bureau
"$bb" keys init --key "$T/bureau.key" >/dev/null
gen=$("$T/gen_bundles" --bureau-pub "$T/bureau.key.pub" --keys "$T/keys" --logs "$T/logs" \
	--out "$T/stick" --devices "$devices" --entries "$entries" --per-bundle 5000) || exit 1
echo "bureau generate $gen"
rm -rf "$T/logs"
pgdb=$(pg_newdb bench)
ticks=$(getconf CLK_TCK)
# CPU seconds of the cluster: the postmaster and its live children, and what its exited children used
# (its cutime and cstime).  A child reaped while its siblings are read would be in neither (read
# at once after an import, its backend was sometimes missing: 0.16 s of about 7 s, at load 3-4):
# the children are read again until the exited children's time is the same before and after.
server_cpu() {
	pm=$(head -n 1 "$SENTINEL_PG_DIR/data/postmaster.pid")
	_i=0
	while :; do
		_a=$(awk '{ print $16 + $17 }' "/proc/$pm/stat")
		_k=$(for c in $(cat "/proc/$pm/task/$pm/children" 2>/dev/null); do
			awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null
		done | awk '{ s += $1 } END { print s + 0 }')
		_b=$(awk '{ print $14 + $15 + $16 + $17 " " $16 + $17 }' "/proc/$pm/stat")
		_i=$((_i + 1))
		[ "${_b#* }" = "$_a" ] || [ $_i -ge 50 ] && break
	done
	echo "${_b% *} $_k" | awk -v t="$ticks" '{ printf "%.2f", ($1 + $2) / t }'
}
children_cpu() {
	awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub(/s$/, "", p[2]); t += p[1] * 60 + p[2] } print t }' "$1"
}
run() { # BACKEND DB WHAT [PARTS]: PARTS imports at once, of $T/part0 ... (else one of $T/stick)
	s0=$(server_cpu)
	times >"$T/times0"
	t0=$(date +%s%N)
	if [ -n "${4:-}" ]; then
		for j in $(seq 0 $(($4 - 1))); do
			"$bb" --db "$2" import --key "$T/bureau.key" "$T/part$j" >"$T/import$j.out" ||
				echo "bench-bureau-pg: import $j into $1 failed" >&2 &
		done
		wait
	else
		"$bb" --db "$2" import --key "$T/bureau.key" "$T/stick" >"$T/import.out" ||
			echo "bench-bureau-pg: import into $1 failed" >&2
	fi
	t1=$(date +%s%N)
	times >"$T/times1"
	s1=$(server_cpu)
	[ "$1" = postgresql ] || s1=$s0
	awk -v a="$t0" -v b="$t1" -v c0="$(children_cpu "$T/times0")" -v c1="$(children_cpu "$T/times1")" \
		-v s0="$s0" -v s1="$s1" -v n="$((devices * entries))" -v what="$1 $3" 'BEGIN {
		s = (b - a) / 1e9
		printf "bureau %s entries=%d seconds=%.2f entries_per_s=%.0f bureau_cpu_s=%.2f server_cpu_s=%.2f\n",
			what, n, s, n / s, c1 - c0, s1 - s0 }'
}
pgpar=$(pg_newdb benchpar)
for k in "$T"/keys/*.key.pub; do
	d=$(basename "$k" .key.pub)
	"$bb" --db "$T/bureau.db" register --device "$d" --pub "$k" >/dev/null
	"$bb" --db "$pgdb" register --device "$d" --pub "$k" >/dev/null
	"$bb" --db "$pgpar" register --device "$d" --pub "$k" >/dev/null
done
# The stick split by gate into $jobs sticks (hard links: import refuses symbolic links).
i=0
for d in "$T"/stick/sentinel/*/; do
	mkdir -p "$T/part$((i % jobs))/sentinel"
	cp -al "$d" "$T/part$((i % jobs))/sentinel/"
	i=$((i + 1))
done
run sqlite "$T/bureau.db" import
run postgresql "$pgdb" import
run postgresql "$pgpar" "import jobs=$jobs" "$jobs"
run sqlite "$T/bureau.db" reimport
run postgresql "$pgdb" reimport
# One home's day: a gate's entries of its second day (the inspectors' query), median of 21 runs in one session.
day0=1795910400000
q="SELECT count(*), count(*) FILTER (WHERE decision <> 'admit') FROM entries WHERE dev = (SELECT id FROM devices WHERE device = 'gate-001') AND time_utc_ms >= $((day0 + 86400000)) AND time_utc_ms < $((day0 + 2 * 86400000));"
bureau_bench_home_day "$T/bureau.db" "$pgdb" "$q"
echo "bureau sqlite home_day_ms=$sq_ms"
echo "bureau postgresql home_day_ms=$pg_ms"
# The city report of that day (the whole command: open, one query per gate, the page).
for db in "$T/bureau.db" "$pgdb"; do
	a=$(date +%s%N)
	TZ=UTC "$bb" --db "$db" report --day 2026-11-30 --output "$T/city.html" >/dev/null
	b=$(date +%s%N)
	case $db in postgresql*) k=postgresql ;; *) k=sqlite ;; esac
	echo "bureau $k city_report_ms=$(((b - a) / 1000000)) gates=$devices"
done
echo "bureau sqlite db_bytes=$(stat -c %s "$T/bureau.db")"
echo "bureau postgresql db_bytes=$(pg_sql "$pgdb" "SELECT pg_database_size(current_database())")"
