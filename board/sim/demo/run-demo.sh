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
rm -f "$work/demo.db" "$work/demo.db-wal" "$work/demo.db-shm" "$work/demo.db.head" "$work/outputs.log" "$work/audio.wav"
rm -rf "$work/screens"

echo "== making the visitors' phone screens (qrencode + ImageMagick) in $work/phones"
sh "$here/make-screens.sh" "$work/phones"

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

# The gate's screens (screens/NNNN-<state>.png), one row per visitor: a row
# starts at each visit's first preview screen; the idle screens between
# visitors are left out.
sheet=$work/contact-sheet.html
{
	echo '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
	echo '<title>sentinel demo: what each visitor saw</title>'
	echo '<style>body{font-family:sans-serif;background:#222;color:#eee}td{vertical-align:top;padding:4px}'
	echo 'img{width:320px;border:1px solid #555}th{text-align:left;font-weight:normal;max-width:14em}</style>'
	echo '</head><body><h1>sentinel demo: the visitor screen, one row per visitor</h1><table>'
	n=0 prev=
	for f in "$work"/screens/*.png; do
		[ -e "$f" ] || continue
		name=${f##*/}
		state=${name#*-}
		state=${state%.png}
		# Idle: between visitors, not part of a visit.
		[ "$state" = idle ] && { prev=$state; continue; }
		if [ "$state" = preview ] && [ "$prev" != preview ]; then
			[ "$n" -gt 0 ] && echo '</td></tr>'
			n=$((n + 1))
			label=$(sed -n "${n}p" "$work/labels" | sed 's/&/\&amp;/g; s/</\&lt;/g')
			printf '<tr><th>%d. %s</th><td>' "$n" "$label"
		fi
		printf '<img src="screens/%s" alt="%s" title="%s">' "$name" "$state" "$name"
		prev=$state
	done
	[ "$n" -gt 0 ] && echo '</td></tr>'
	echo '</table></body></html>'
} >"$sheet"
echo
echo "== the visitors' screens: $(ls "$work"/screens/*.png | wc -l) in $work/screens," \
	"voice prompts in $work/audio.wav ($(grep -c ' audio "' "$work/outputs.log") clips)"
echo "contact sheet: $sheet"
