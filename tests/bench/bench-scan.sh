#!/bin/sh
# SPDX-License-Identifier: MIT
# Scanner figures on the shared test data (interfaces.md test data rules;
# issue 4 targets).  Builds tests/bench/bench-scan-frames.c against
# BUILD_DIR/libsentinel.a with the project's flags, then prints:
#   scan clean|camera   images, exact payloads, right colours, yellow/red as green, ms
#   scan photos         qr-photos/qrcode-1..4: exact texts (CRLF->LF, trailing space dropped)
#   scan falsepositives qr-photos/falsepositives-1: images with any code (must be 0)
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
# shellcheck disable=SC2046,SC2086
${CC:-gcc} -std=c11 $warn -D_GNU_SOURCE -I. -Ifirmware -Iboard $(pkg-config --cflags $pkgs) \
	-O2 -g -o "$prog" tests/bench/bench-scan-frames.c "$b/libsentinel.a" \
	$(pkg-config --libs $pkgs) -lm

"$prog" sets "$data"
"$prog" cost "$data" 5

if command -v valgrind >/dev/null 2>&1; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	ir() {	# ir FRAME FUNCTION MODE: instructions inside FUNCTION for one frame
		valgrind -q --tool=callgrind --callgrind-out-file="$tmp/cg" --toggle-collect="$2" \
			"$prog" one "$data/$1" "$3" >/dev/null
		sed -n 's/^totals: *//p; s/^summary: *//p' "$tmp/cg" | head -n 1
	}
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
