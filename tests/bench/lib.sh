# SPDX-License-Identifier: MIT
# Helpers for the benchmark scripts of tests/bench/ (sourced; $b is the
# build directory).

# bench_begin NAME DIR FILE... - the start of benchmark NAME: every FILE
# (a path under $b) is there, else exit 1 naming it; $tmp a new directory
# under DIR, removed at exit.
bench_begin() {
	_name=$1 _dir=$2
	shift 2
	for _f in "$@"; do
		[ -e "$b/$_f" ] || { echo "$_name: $b/$_f missing: run make first" >&2; exit 1; }
	done
	tmp=$(mktemp -d "$_dir/$_name.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
}

# bureau_bench_begin NAME TEMPLATE - the start of benchmark NAME of the
# bureau on both backends, with $B the build directory: sentinel-bureau and
# tests/modules.a built there, else exit 1 naming them; B made absolute; T
# a new directory from the mktemp(1) TEMPLATE (relative to B unless
# absolute), mode 755, removed at exit; PG_OPTS "" (the server's durable
# defaults) and a private PostgreSQL cluster started (tests/scenario/pg.sh),
# stopped and removed at exit (also on failure, SIGINT or SIGTERM);
# $T/gen_bundles built (tests/bench/gen_bundles.c, -O2).
bureau_bench_begin() {
	if [ ! -x "$B/sentinel-bureau" ] || [ ! -f "$B/tests/modules.a" ]; then
		echo "$1: $B/sentinel-bureau or $B/tests/modules.a missing: run make first" >&2
		exit 1
	fi
	case $B in /*) ;; *) B="$(pwd)/$B" ;; esac
	case $2 in /*) T=$(mktemp -d "$2") ;; *) T=$(mktemp -d "$B/$2") ;; esac
	chmod 755 "$T"
	# At exit, also on failure or a signal: the private cluster stopped (pg_stop) and $T removed.
	trap 'command -v pg_stop >/dev/null 2>&1 && pg_stop; rm -rf "$T"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	PG_OPTS=""
	. tests/scenario/pg.sh
	pg_start
	sh tests/bench/build-prog.sh "$B" "$T/gen_bundles" tests/bench/gen_bundles.c -O2 || exit 1
}

# bureau_bench_home_day SQLITE_DB PG_URI QUERY - the inspectors' query
# QUERY (PostgreSQL's SQL; qs its SQLite form, the count(*) FILTER (WHERE
# decision <> 'admit') a sum()) run 21 times in one session of each
# backend: sq_ms and pg_ms the median milliseconds (2 decimals).
bureau_bench_home_day() {
	qs=$(echo "$3" | sed 's/count(\*) FILTER (WHERE decision <> .admit.)/sum(decision <> '"'"'admit'"'"')/')
	sq_ms=$(for _i in $(seq 21); do printf '%s\n' "$qs"; done | sqlite3 -cmd '.timer on' "$1" |
		sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' | awk '{ print $1 * 1000 }' | bench_median)
	pg_ms=$({ printf '%s\n' '\timing on'; for _i in $(seq 21); do printf '%s\n' "$3"; done; } |
		"$PG_BIN/psql" -X -q -At -d "$2" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | bench_median)
}

# bench_median - the median of the numbers on standard input, one a line, with 2 decimals.
bench_median() {
	sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] }'
}
