#!/bin/sh
# SPDX-License-Identifier: MIT
# Store figures (issue 3): commit latency per entry with fsync (median, p99),
# entries per second in a burst of single commits, bulk insert rate and
# database bytes per entry at 1,000,000 entries (through the store's own
# append_batch, so the store computes every hash), `sentinelctl verify-log`
# time at those 1,000,000 entries, then the time to purge the older half
# (all acknowledged) and verify-log's verdict after it.  Figures, not
# pass/fail; the verify-log lines show it found the log clean.
# Work files go under the build directory (a real filesystem: fsync counts)
# and are removed afterwards.  A few minutes on a 2-core machine.
# usage: bench-store.sh [BUILD_DIR] [BULK_N]   (make bench)
set -eu
b=${1:-build}
n=${2:-1000000}
. tests/bench/lib.sh
bench_begin bench-store "$b" tests/modules.a sentinelctl
sh tests/bench/build-prog.sh "$b" "$tmp/bench_store" tests/bench/bench_store.c -O2
figures=$("$tmp/bench_store" "$tmp" 1000 "$n")
t0=$(date +%s%N)
rc=0
"$b/sentinelctl" verify-log --db "$tmp/bulk.db" >"$tmp/verify" || rc=$?
t1=$(date +%s%N)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
key=verify_s
[ "$n" -eq 1000000 ] && key=verify_1m_s
purge=$("$tmp/bench_store" --purge "$tmp")
rc2=0
"$b/sentinelctl" verify-log --db "$tmp/bulk.db" >"$tmp/verify2" || rc2=$?
echo "store $figures $key=$secs verify_exit=$rc $purge verify_after_purge_exit=$rc2"
echo "store verify-log: $(cat "$tmp/verify")"
echo "store verify-log after purge: $(cat "$tmp/verify2")"
