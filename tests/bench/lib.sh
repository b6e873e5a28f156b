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
# defaults) and a private PostgreSQL cluster started (tests/scenario/pg.sh);
# $T/gen_bundles built (tests/bench/gen_bundles.c, -O2).
bureau_bench_begin() {
	if [ ! -x "$B/sentinel-bureau" ] || [ ! -f "$B/tests/modules.a" ]; then
		echo "$1: $B/sentinel-bureau or $B/tests/modules.a missing: run make first" >&2
		exit 1
	fi
	case $B in /*) ;; *) B="$(pwd)/$B" ;; esac
	case $2 in /*) T=$(mktemp -d "$2") ;; *) T=$(mktemp -d "$B/$2") ;; esac
	chmod 755 "$T"
	trap 'rm -rf "$T"' EXIT
	PG_OPTS=""
	. tests/scenario/pg.sh
	pg_start
	sh tests/bench/build-prog.sh "$B" "$T/gen_bundles" tests/bench/gen_bundles.c -O2 || exit 1
}
