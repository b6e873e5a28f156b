#!/bin/sh
# SPDX-License-Identifier: MIT
# Visitor screen figures (issue 15 targets).  Builds tests/bench/bench_screen.c
# against BUILD_DIR/tests/modules.a with the project's flags, then prints:
#   draw       result screen at 1280x720: median ms (target <= 15 ms)
#   callgrind  instructions per result screen (Ir in draw_screens / screens,
#              after a warm-up: fonts loaded, glyphs cached), for an estimate on
#              a Pi 4; and the first screen of a process (fonts loaded)
#   preview    640x480 camera frames of the shared test data, scanned and drawn
#              into a 1280x720 preview, on one core (taskset -c 0): frames per
#              second (target >= 15) and the scan / draw shares
#   rss        resident memory after 1,000 and BENCH_SCREEN_CHANGES (10000) screens
# Figures, not pass/fail.
# usage: bench-screen.sh [BUILD_DIR]   (make bench)
set -eu
b=${1:-build}
data=${SENTINEL_TESTDATA:-../shared/testdata}
changes=${BENCH_SCREEN_CHANGES:-10000}
pkgs=$(sed -n 's/^PKGS *:= *//p' Makefile | head -n 1)
warn="-Wall -Wextra -Werror -Wmissing-prototypes -Wshadow -Wcast-qual -Wsign-compare \
-Wstrict-prototypes -Wformat=2"
prog=$b/bench-screen
# shellcheck disable=SC2046,SC2086
${CC:-gcc} -std=c11 $warn -D_GNU_SOURCE -I. -Ifirmware -Iboard $(pkg-config --cflags $pkgs) \
	-O2 -g -o "$prog" tests/bench/bench_screen.c "$b/tests/modules.a" \
	$(pkg-config --libs $pkgs) -lm
one=""
command -v taskset >/dev/null 2>&1 && one="taskset -c 0"

$one "$prog" draw 200
if command -v valgrind >/dev/null 2>&1; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	k=10
	valgrind -q --tool=callgrind --callgrind-out-file="$tmp/cg" --toggle-collect=draw_screens \
		"$prog" one $k >/dev/null
	ir=$(sed -n 's/^totals: *//p; s/^summary: *//p' "$tmp/cg" | head -n 1)
	valgrind -q --tool=callgrind --callgrind-out-file="$tmp/cg1" --toggle-collect=snt_screen_render_own \
		"$prog" one 0 >/dev/null
	first=$(sed -n 's/^totals: *//p; s/^summary: *//p' "$tmp/cg1" | head -n 1)
	awk -v ir="$ir" -v k=$k -v first="$first" 'BEGIN { printf "callgrind result screen 1280x720: %.2f M instructions per screen (%d screens after a warm-up); the first 4 of a process (fonts loaded): %.1f M\n", ir / k / 1e6, k, first / 1e6 }'
else
	echo "callgrind: valgrind not installed, skipped"
fi
if [ -d "$data/healthcode/camera" ]; then
	$one "$prog" preview "$data" 10
else
	echo "preview: $data/healthcode/camera not found (set SENTINEL_TESTDATA), skipped"
fi
"$prog" rss "$changes"
