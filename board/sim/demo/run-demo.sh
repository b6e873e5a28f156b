#!/bin/sh
# SPDX-License-Identifier: MIT
# `make demo`: run sentineld on the simulated board over the demo scenario,
# print one line per visitor, then the log as `sentinelctl entries` shows it.
# usage: run-demo.sh BUILD_DIR
set -eu
bin=$(cd "${1:?usage: run-demo.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$bin/demo
mkdir -p "$work"
cp "$here/demo.conf" "$here/demo.scenario" "$work/"
rm -f "$work/demo.db" "$work/demo.db-wal" "$work/demo.db-shm" "$work/outputs.log"

echo "== making the visitors' phone screens (qrencode + ImageMagick) in $work/screens"
sh "$here/make-screens.sh" "$work/screens"

echo "== sentineld on the simulated board: $(grep -c '^# @' "$work/demo.scenario") people at the gate"
"$bin/sentineld" -f -c "$work/demo.conf" 2>"$work/sentineld.stderr" || {
	cat "$work/sentineld.stderr" >&2
	echo "demo: sentineld failed" >&2
	exit 1
}
# Pair each visit line of the daemon with the scenario's "# @" label.
grep '^# @' "$work/demo.scenario" | sed 's/^# @ *//' >"$work/labels"
grep -E 'visit [0-9]+:' "$work/sentineld.stderr" | grep -vE 'camera failed|thermometer failed|outputs could' |
	sed -E 's/^sentineld: visit ([0-9]+): //' >"$work/visits"
n=0
while IFS= read -r label; do
	n=$((n + 1))
	line=$(sed -n "${n}p" "$work/visits")
	printf '%2d  %s\n      -> %s\n' "$n" "$label" "$line"
done <"$work/labels"
echo
echo "== door openings in the board's output log ($work/outputs.log)"
grep ' relay 1' "$work/outputs.log" || true
echo
echo "== sentinelctl entries --db $work/demo.db"
"$bin/sentinelctl" entries --db "$work/demo.db"
