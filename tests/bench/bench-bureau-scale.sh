#!/bin/sh
# SPDX-License-Identifier: MIT
# The inspectors' queries with 10,000,000 entries stored (issue 17), both
# backends in the same run.  DEVICES simulated gates (gen_bundles: real gate
# logs, sealed and signed) send their first 100 entries through
# `sentinel-bureau import`; then each gate's history is filled up to
# ENTRIES entries straight in the database, copies of those 100 rows moved
# on in seq and time (100 entries every 2.4 hours: 1,000 a gate a day) by
# one INSERT ... SELECT per gate: rows valid enough for the queries (their
# hashes do not chain), written by the database alone.  The PostgreSQL
# cluster is private (tests/scenario/pg.sh, the server's defaults); the
# partitions of the months filled are made as the bureau makes them, and
# the devices' counters moved on (in the SQLite file too, from its version
# 10).  Prints per backend
#   bureau <backend> scale_fill entries=E seconds=S
#   bureau <backend> scale reimport_ms_per_bundle=M bundles=G history=H
#       (one `import` of every gate's first bundle of 100 entries again,
#       all duplicates: the wall time over the G bundles, each one's merge
#       and acknowledgement with H entries held for its gate, before the
#       fill and after it; median of 3)
#   bureau <backend> scale home_day_ms=M rows=R   (one gate's day, median of 21;
#                                                 sqlite3's timer counts whole ms)
#   bureau <backend> scale city_report_ms=M report_cpu_s=C gates=G day=D
# (the report command's wall time and its CPU seconds, user + sys: median
# of 5 runs)
#   bureau <backend> scale db_bytes=B
# With BASE=<another sentinel-bureau> its reimport and city report run on
# the same databases too (label bureau=base), for a baseline in the same
# run.  The SQLite file is then made by BASE, and BASE runs on it first:
# an older file is brought to this build's version when it first opens it
# (printed as bureau sqlite scale upgrade_ms=M, the time of a `devices`).
# Figures, not pass/fail.
# usage: [BASE=path] bench-bureau-scale.sh [BUILD_DIR] [DEVICES] [ENTRIES]   (100 x 100,000 = 10,000,000)
set -u
B=${1:-build}
devices=${2:-100}
entries=${3:-100000}
if [ "$entries" -lt 200 ] || [ $((entries % 100)) -ne 0 ]; then
	echo "bench-bureau-scale: ENTRIES must be a multiple of 100, at least 200" >&2
	exit 1
fi
. tests/bench/lib.sh
bureau_bench_begin bench-bureau-scale bench-bureau-scale.XXXXXX
bb=$B/sentinel-bureau
"$bb" keys init --key "$T/bureau.key" >/dev/null
"$T/gen_bundles" --bureau-pub "$T/bureau.key.pub" --keys "$T/keys" --logs "$T/logs" --out "$T/stick" \
	--devices "$devices" --entries 100 --per-bundle 100 >/dev/null || exit 1
rm -rf "$T/logs"
sq=$T/bureau.db
pg=$(pg_newdb scale)
mk=${BASE:-$bb}	# the SQLite file in the older version when there is a BASE
for db in "$sq" "$pg"; do
	for k in "$T"/keys/*.key.pub; do
		"$mk" --db "$db" register --device "$(basename "$k" .key.pub)" --pub "$k" >/dev/null || exit 1
	done
	"$mk" --db "$db" import --key "$T/bureau.key" "$T/stick" >/dev/null || exit 1
done
now() { date +%s%N; }
# The CPU seconds (user + sys) of the shell's finished children, from `times`.
children_cpu() {
	awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub(/s$/, "", p[2]); t += p[1] * 60 + p[2] } print t }' "$1"
}
# timed N CMD...: run CMD N times; ms and cpu the medians of its wall
# milliseconds and CPU seconds.
timed() {
	: >"$T/runs"
	_n=$1
	shift
	for _i in $(seq "$_n"); do
		times >"$T/times0"
		_a=$(now)
		"$@" >/dev/null || echo "bench-bureau-scale: $* failed" >&2
		_b=$(now)
		times >"$T/times1"
		echo "$(((_b - _a) / 1000000)) $(awk -v a="$(children_cpu "$T/times0")" \
			-v b="$(children_cpu "$T/times1")" 'BEGIN { printf "%.2f", b - a }')" >>"$T/runs"
	done
	ms=$(cut -d ' ' -f 1 "$T/runs" | bench_median | cut -d . -f 1)
	cpu=$(cut -d ' ' -f 2 "$T/runs" | bench_median)
}
# reimport HISTORY DB: every gate's first bundle again, the wall time per bundle.
reimport() {
	timed 3 "$prog" --db "$2" import --key "$T/bureau.key" "$T/stick"
	echo "bureau $k scale reimport_ms_per_bundle=$(awk -v m="$ms" -v g="$devices" 'BEGIN { printf "%.1f", m / g }') bundles=$devices history=$1$label"
}
# Before the fill: every gate's first bundle again, by each build (by this one on a
# copy of the SQLite file, which BASE must still read after the fill).
for db in "$sq" "$pg"; do
	case $db in postgresql*) k=postgresql ;; *) k=sqlite ;; esac
	for prog in ${BASE:+"$BASE"} "$bb"; do
		on=$db label=" bureau=base"
		[ "$prog" = "$bb" ] && label=
		if [ "$prog" = "$bb" ] && [ -n "${BASE:-}" ] && [ $k = sqlite ]; then
			cp "$sq" "$T/small.db" && on=$T/small.db
		fi
		reimport 100 "$on"
	done
done
copies=$((entries / 100 - 1))
step=8640000	# 2.4 hours: 100 entries each, 1,000 a day
day0=1795910400000	# 2026-11-29T00:00:00Z, gen_bundles' first day
cols="boot_id, mono_ms, time_utc_ms, clock, kind, format, colour, verified, temp_dc, decision, reasons, door, subject, payload, detail, prev_hash, hash, payload_hash, received_utc_ms"
# Each copy of seq 1 (seq 101, 201, ...) links to seq 100's hash: what is held past the gate's
# first bundle links to its head, so that bundle imports again after the fill.
link="CASE WHEN e.seq = 1 THEN (SELECT h.hash FROM entries h WHERE h.dev = e.dev AND h.seq = 100) ELSE e.prev_hash END"
moved="boot_id, mono_ms + k * $step, time_utc_ms + k * $step, clock, kind, format, colour, verified, temp_dc, decision, reasons, door, subject, payload, detail, $link, hash, payload_hash, received_utc_ms"
# SQLite: per gate, the copies in (seq) order, one transaction.
a=$(now)
{
	echo "PRAGMA cache_size=-262144; BEGIN;"
	for i in $(seq "$devices"); do
		echo "WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c WHERE k < $copies)"
		echo "INSERT INTO entries (dev, seq, $cols) SELECT dev, seq + 100 * k, $moved"
		echo "FROM c CROSS JOIN (SELECT * FROM entries WHERE dev = $i AND seq <= 100) e ORDER BY k, seq;"
	done
	# The devices' counters (version 10) as the merges would have moved them on.
	if [ "$(sqlite3 "$sq" "PRAGMA user_version")" -ge 10 ]; then
		echo "UPDATE devices SET n_entries = $entries, ack_seq = $entries;"
	fi
	echo "COMMIT; ANALYZE;"
} | sqlite3 "$sq" || exit 1
b=$(now)
echo "bureau sqlite scale_fill entries=$((devices * entries)) seconds=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')"
# PostgreSQL: the months' partitions as make_month() names them, then per gate the copies.
a=$(now)
{
	last=$((day0 + (copies + 1) * step))
	echo "SET client_min_messages = warning;"
	echo "DO \$\$ DECLARE m date := date_trunc('month', to_timestamp($day0 / 1000.0) AT TIME ZONE 'UTC');"
	echo "BEGIN WHILE m <= (to_timestamp($last / 1000.0) AT TIME ZONE 'UTC')::date LOOP"
	echo "EXECUTE format('CREATE TABLE IF NOT EXISTS entries_%s PARTITION OF entries FOR VALUES FROM (%s) TO (%s)',"
	echo "  to_char(m, 'YYYY_MM'), (extract(epoch FROM m::timestamp AT TIME ZONE 'UTC') * 1000)::bigint,"
	echo "  (extract(epoch FROM (m + interval '1 month')::timestamp AT TIME ZONE 'UTC') * 1000)::bigint);"
	echo "m := m + interval '1 month'; END LOOP; END \$\$;"
	for i in $(seq "$devices"); do
		echo "INSERT INTO entries (dev, seq, $cols) SELECT dev, seq + 100 * k, $moved"
		echo "FROM generate_series(1::bigint, $copies) k CROSS JOIN (SELECT * FROM entries WHERE dev = $i AND seq <= 100) e ORDER BY k, seq;"
	done
	echo "UPDATE devices d SET n_entries = $entries, max_seq = $entries, ack_seq = $entries,"
	echo "  ack_hash = (SELECT hash FROM entries e WHERE e.dev = d.id AND e.seq = $entries);"
	echo "VACUUM ANALYZE;"
} | "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$pg" >/dev/null || exit 1
b=$(now)
echo "bureau postgresql scale_fill entries=$((devices * entries)) seconds=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')"
# One gate's day (its 1,000 entries of the middle day), median of 21 in one session.
days=$(((copies + 1) * step / 86400000))
d=$((day0 + days / 2 * 86400000))
q="SELECT count(*), count(*) FILTER (WHERE decision <> 'admit') FROM entries WHERE dev = (SELECT id FROM devices WHERE device = 'gate-001') AND time_utc_ms >= $d AND time_utc_ms < $((d + 86400000));"
bureau_bench_home_day "$sq" "$pg" "$q"
rows=$(echo "$qs" | sqlite3 "$sq" | cut -d '|' -f 1)
echo "bureau sqlite scale home_day_ms=$sq_ms rows=$rows"
echo "bureau postgresql scale home_day_ms=$pg_ms rows=$rows"
# Per backend (BASE first: the SQLite file is then brought to this build's version):
# every gate's first bundle again with its history held, and the city report of that day,
# the whole command (open, the gates' counts, the page).
day=$(TZ=UTC date -d "@$((d / 1000))" +%F)
for db in "$sq" "$pg"; do
	case $db in postgresql*) k=postgresql ;; *) k=sqlite ;; esac
	for prog in ${BASE:+"$BASE"} "$bb"; do
		label=" bureau=base"
		[ "$prog" = "$bb" ] && label=
		if [ "$prog" = "$bb" ] && [ -n "${BASE:-}" ] && [ $k = sqlite ]; then
			a=$(now)
			"$bb" --db "$db" devices >/dev/null || echo "bench-bureau-scale: devices on $k failed" >&2
			b=$(now)
			echo "bureau sqlite scale upgrade_ms=$(((b - a) / 1000000)) entries=$((devices * entries))"
		fi
		reimport "$entries" "$db"
		timed 5 env TZ=UTC "$prog" --db "$db" report --day "$day" --output "$T/city.html"
		echo "bureau $k scale city_report_ms=$ms report_cpu_s=$cpu gates=$devices day=$day$label"
	done
done
echo "bureau sqlite scale db_bytes=$(stat -c %s "$sq")"
echo "bureau postgresql scale db_bytes=$(pg_sql "$pg" "SELECT pg_database_size(current_database())")"
