#!/bin/sh
# SPDX-License-Identifier: MIT
# Bundle export throughput (issue 7): 100,000 entries exported as 20 sealed,
# signed bundles of 5,000 (tests/bench/bench_bundle.c), then opened again.
# Prints (wall seconds; cpu_seconds = the process's CPU time, which a loaded
# machine does not inflate), the export line last:
#   bundle open entries=N seconds=S entries_per_s=R cpu_seconds=C
#   bundle export entries=N seconds=S entries_per_s=R cpu_seconds=C bytes=B
# Figures, not pass/fail (exit non-zero only if a bundle does not open).
# usage: bench-bundle.sh [BUILD_DIR] [ENTRIES]   (make bench)
set -eu
b=${1:-build}
n=${2:-100000}
. tests/bench/lib.sh
bench_begin bench-bundle "${TMPDIR:-/tmp}" tests/modules.a
sh tests/bench/build-prog.sh "$b" "$tmp/bench_bundle" tests/bench/bench_bundle.c -O2
"$tmp/bench_bundle" "$n"
