#!/bin/sh
# SPDX-License-Identifier: MIT
# Run fuzz targets one after another, each for SECONDS, on a corpus kept in
# B/fuzz/corpus-<name> grown from the seeds of tests/fuzz/make-seeds.py;
# crashes go to B/fuzz/artifacts/.  Prints each target's last status line
# (#executions, cov: edges, ft: features) and exits non-zero on a finding.
#   make fuzz && sh tests/fuzz/run.sh build 600 image config
set -eu
B=$1 SECONDS_EACH=$2
shift 2
[ -d "$B/fuzz/seeds" ] || python3 tests/fuzz/make-seeds.py "$B/fuzz/seeds"
mkdir -p "$B/fuzz/artifacts"
status=0
for t in "$@"; do
	corpus=$B/fuzz/corpus-$t
	mkdir -p "$corpus"
	[ -d "$B/fuzz/seeds/$t" ] && seeds=$B/fuzz/seeds/$t || seeds=
	log=$B/fuzz/$t.log
	# shellcheck disable=SC2086
	if "$B/fuzz/fuzz_$t" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -rss_limit_mb=2048 \
		-artifact_prefix="$B/fuzz/artifacts/$t-" "$corpus" $seeds >"$log" 2>&1; then
		r=ok
	else
		r=FAILED
		status=1
	fi
	echo "fuzz_$t: $r $(grep -E '^#[0-9]+' "$log" | tail -n 1) $(grep -E 'stat::number_of_executed_units' "$log")"
done
exit $status
