#!/bin/sh
# SPDX-License-Identifier: MIT
# Scanner figures on the shared health-code captures (interfaces.md test
# data rules).  Prints, per set: images, exact payloads, right colours,
# yellow/red reported green, and decode time (median, p90, max ms).
# usage: bench-scan.sh [BUILD_DIR]   (make bench)
set -eu
b=${1:-build}
data=${SENTINEL_TESTDATA:-../shared/testdata}
if [ ! -f "$data/healthcode/manifest.tsv" ]; then
	echo "bench-scan: $data/healthcode not found: set SENTINEL_TESTDATA" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for set in clean camera; do
	grep "^$set/" "$data/healthcode/manifest.tsv" >"$tmp/m"
	cut -f1 "$tmp/m" | sed "s#^#$data/healthcode/#" >"$tmp/files"
	# shellcheck disable=SC2046
	"$b/sentinelctl" scan --json $(cat "$tmp/files") >"$tmp/out" || true
	awk -F'\t' -v out="$tmp/out" -v set="$set" '
	function jstr(line, key,   i, s) {
		i = index(line, "\"" key "\": \"")
		if (!i) return ""
		s = substr(line, i + length(key) + 5)
		return substr(s, 1, index(s, "\"") - 1)
	}
	{
		getline line < out
		text = jstr(line, "text"); colour = jstr(line, "colour")
		ms = line; sub(/.*"ms": /, "", ms); sub(/}.*/, "", ms)
		n++; t[n] = ms + 0
		if (text == $3) ok++
		if (colour == $2) col++
		if ((($2 == "yellow") || ($2 == "red")) && colour == "green") bad++
	}
	END {
		# insertion sort of the times
		for (i = 2; i <= n; i++) { v = t[i]; j = i - 1; while (j > 0 && t[j] > v) { t[j + 1] = t[j]; j-- } t[j + 1] = v }
		printf "scan %-6s images=%d payload_exact=%d colour_right=%d yellow_red_as_green=%d ms_median=%.1f ms_p90=%.1f ms_max=%.1f\n",
			set, n, ok, col, bad, t[int((n + 1) / 2)], t[int(n * 0.9 + 0.5)], t[n]
	}' "$tmp/m"
done
