#!/bin/sh
# SPDX-License-Identifier: MIT
# Review figures (issue 9) at 1,000,000 entries over 100 days (filled by
# bench_review_fill.c through snt_store_append_batch, with an exit event
# for each admitted visitor): the median wall time of RUNS (default 20)
# runs of listing one day (`sentinelctl entries --day D`, table) and of
# `sentinelctl stats --day D`, and the median time and the largest
# maximum resident set size of exporting every entry to CSV (and to JSON
# lines); each with its median CPU time (user + system), which a loaded
# machine does not inflate.  Targets: one day listed and stats --day under
# 100 ms, export under 10 s with bounded memory.  Figures, not pass/fail.
# The time zone is China's (TZ=CST-8).  Work files go under the build
# directory.  RUNS=20 by default (about 10 minutes with the fill).
# usage: bench-review.sh [BUILD_DIR] [N] [RUNS]   (make bench)
set -eu
b=${1:-build}
n=${2:-1000000}
runs=${3:-20}
. tests/bench/lib.sh
bench_begin bench-review "$b" tests/modules.a sentinelctl
export TZ=CST-8
# The library flags as the Makefile computes them (PKG_CFLAGS, PKG_LIBS).
mkvar() {
	printf 'bench-review-print:\n\t@echo $(%s)\n' "$1" |
		make -s --no-print-directory -f Makefile -f - bench-review-print
}
# shellcheck disable=SC2046
gcc -std=c11 -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow -Wcast-qual -Wsign-compare \
	-Wstrict-prototypes -Wformat=2 -D_GNU_SOURCE -O2 -I. -Ifirmware -Iboard \
	$(mkvar PKG_CFLAGS) -o "$tmp/fill" tests/bench/bench_review_fill.c \
	"$b/tests/modules.a" $(mkvar PKG_LIBS) -lm
fill=$("$tmp/fill" "$tmp/review.db" "$n" 100)
echo "review $fill"
db=$tmp/review.db
day=2022-02-20	# day 50 of 100

# timed CMD...: $runs runs (output discarded); prints the median wall
# milliseconds and the median CPU milliseconds (user + system, from
# /usr/bin/time: 10 ms resolution), the largest max RSS, as
# "median_ms=W cpu_ms=C max_rss_kib=R".
timed() {
	i=0
	: >"$tmp/times"
	while [ "$i" -lt "$runs" ]; do
		/usr/bin/time -f '%e %U %S %M' -o "$tmp/t1" "$@" >/dev/null
		cat "$tmp/t1" >>"$tmp/times"
		i=$((i + 1))
	done
	awk '{ w[NR] = $1 * 1000; c[NR] = ($2 + $3) * 1000; if ($4 > r) r = $4 }
	function med(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
		return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	END { printf "median_ms=%.0f cpu_ms=%.0f max_rss_kib=%d", med(w, NR), med(c, NR), r }' "$tmp/times"
}

rows=$("$b/sentinelctl" entries --db "$db" --day "$day" --json | wc -l)
echo "review list-day $(timed "$b/sentinelctl" entries --db "$db" --day "$day") rows=$rows runs=$runs"
echo "review stats-day $(timed "$b/sentinelctl" stats --db "$db" --day "$day") runs=$runs"
echo "review startup $(timed "$b/sentinelctl" --version) runs=$runs (process start alone: the 30 shared libraries)"

# The exports: every entry to CSV and to JSON lines.
for fmt in csv json; do
	fig=$(timed "$b/sentinelctl" export --db "$db" --format "$fmt" --output "$tmp/all.$fmt")
	secs=$(echo "$fig" | sed 's/median_ms=\([0-9]*\).*/\1/' | awk '{ printf "%.2f", $1 / 1000 }')
	rss=$(echo "$fig" | sed 's/.*max_rss_kib=//')
	"$b/sentinelctl" export --db "$db" --format "$fmt" --output "$tmp/all.$fmt" >"$tmp/export.out"
	echo "review export-all seconds=$secs max_rss_kib=$rss format=$fmt runs=$runs bytes=$(wc -c <"$tmp/all.$fmt") ($(cat "$tmp/export.out"); $fig)"
done
