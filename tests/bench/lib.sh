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
