#!/bin/sh
# SPDX-License-Identifier: MIT
# Scanner figures on the shared test data (interfaces.md test data rules;
# issues 4 and 19 targets).  Builds tests/bench/bench-scan-frames.c against
# BUILD_DIR/tests/modules.a with the project's flags (and, when pkg-config
# finds zxing-cpp, tests/bench/bench_zxing.cpp with g++, so zxing-cpp's
# figures on the same frames come in the same run), then prints:
#   scan|zxing ROOT/SET images, exact payloads, exact with the right colour,
#                       yellow/red as green, ms (healthcode clean and camera,
#                       healthcode-small, healthcode-hard)
#   scan|zxing photos   qr-photos/qrcode-1..4: exact texts (CRLF->LF, trailing space dropped)
#   scan|zxing falsepositives qr-photos/falsepositives-1: images with any code (must be 0)
#   empty               60 generated 640x480 frames with no code (noise, hand,
#                       coat, blank phone screen, room): median ms, scanner and
#                       zxing-cpp, and the ratio
#   replay              grab + scan through the V4L2 camera over a replayed
#                       YUYV device: frames per second with no code in view and
#                       with the camera set's codes, under a real board's default
#                       scan budget (BENCH_SCAN_BUDGET_MS overrides it; the other
#                       figures use no budget, as sentinelctl scan)
#   callgrind empty     instructions per empty frame, scanner and zxing-cpp
#   cost camera         median ms per 640x480 frame, scanner vs one plain zbar pass
#                       over the luma plane of the same frame, side by side, and the ratio
#   cost camera-code-painted-out   the same frames with the code painted out
#   callgrind           instructions for one frame: scanner, and one zbar luma pass
#   rss                 resident memory over BENCH_SCAN_FRAMES (10000) scans
# Figures, not pass/fail: the unit tests assert the counts.
# usage: bench-scan.sh [BUILD_DIR]   (make bench)
set -eu
b=${1:-build}
data=${SENTINEL_TESTDATA:-../shared/testdata}
frames=${BENCH_SCAN_FRAMES:-10000}
# Frames for callgrind: a yellow code plain zbar misses, a green one it reads.
one=${BENCH_SCAN_ONE:-healthcode/camera/001-yellow.jpg healthcode/camera/003-green.jpg}
if [ ! -f "$data/healthcode/manifest.tsv" ]; then
	echo "bench-scan: $data/healthcode not found: set SENTINEL_TESTDATA" >&2
	exit 1
fi
pkgs="sqlite3 zbar libpng libjpeg inih jansson libcrypto"
warn="-Wall -Wextra -Werror -Wmissing-prototypes -Wshadow -Wcast-qual -Wsign-compare \
-Wstrict-prototypes -Wformat=2"
prog=$b/bench-scan-frames
zx_def= zx_obj= zx_libs=
if pkg-config --exists zxing && command -v "${CXX:-g++}" >/dev/null 2>&1; then
	# shellcheck disable=SC2046
	${CXX:-g++} -std=c++17 -O2 -g -Wall -Wextra -Werror $(pkg-config --cflags zxing) \
		-c -o "$b/bench_zxing.o" tests/bench/bench_zxing.cpp
	zx_def=-DBENCH_ZXING zx_obj=$b/bench_zxing.o zx_libs="$(pkg-config --libs zxing) -lstdc++"
else
	echo "bench-scan: zxing-cpp (libzxing-dev) or g++ missing: no zxing-cpp figures"
fi
# shellcheck disable=SC2046,SC2086
${CC:-gcc} -std=c11 $warn -D_GNU_SOURCE $zx_def -I. -Ifirmware -Iboard $(pkg-config --cflags $pkgs) \
	-O2 -g -o "$prog" tests/bench/bench-scan-frames.c $zx_obj "$b/tests/modules.a" \
	$(pkg-config --libs $pkgs) $zx_libs -lm

"$prog" sets "$data"
"$prog" empty 3
"$prog" replay "$data" 600
"$prog" cost "$data" 5

if command -v valgrind >/dev/null 2>&1; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	ir() {	# ir FRAME FUNCTION MODE: instructions inside FUNCTION for one frame
		valgrind -q --tool=callgrind --callgrind-out-file="$tmp/cg" --toggle-collect="$2" \
			"$prog" one "$data/$1" "$3" >/dev/null
		sed -n 's/^totals: *//p; s/^summary: *//p' "$tmp/cg" | head -n 1
	}
	for k in 0 1 2 3 4; do	# one frame of each kind of empty frame
		valgrind -q --tool=callgrind --callgrind-out-file="$tmp/cg" \
			--toggle-collect=snt_scanner_scan "$prog" one-empty $k >/dev/null
		s_ir=$(sed -n 's/^totals: *//p; s/^summary: *//p' "$tmp/cg" | head -n 1)
		z_ir=0
		if [ -n "$zx_def" ]; then
			valgrind -q --tool=callgrind --callgrind-out-file="$tmp/cg" \
				--toggle-collect=bench_zxing_read "$prog" one-empty $k zxing >/dev/null
			z_ir=$(sed -n 's/^totals: *//p; s/^summary: *//p' "$tmp/cg" | head -n 1)
		fi
		echo "callgrind empty=$k scanner_Ir=$s_ir zxing_Ir=$z_ir"
	done
	for f in $one; do
		s_ir=$(ir "$f" snt_scanner_scan scan)
		z_ir=$(ir "$f" zbar_scan_image zbar)
		awk -v f="$f" -v s="$s_ir" -v z="$z_ir" 'BEGIN {
			printf "callgrind frame=%s scanner_Ir=%s zbar_luma_Ir=%s ratio=%.2f\n",
				f, s, z, s / z }'
	done
else
	echo "callgrind: valgrind not installed, skipped"
fi

"$prog" rss "$data" "$frames"
