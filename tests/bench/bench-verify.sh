#!/bin/sh
# SPDX-License-Identifier: MIT
# Verification figures (issue 5): the median time of one HC1 verification
# (decode + signature + claims) on DCC vectors AT/1, DE/1 and CH/1 (the key
# size printed tells ES256 from PS256), from $SENTINEL_TESTDATA.  Target: under 2 ms.  Figures,
# not pass/fail.
# usage: bench-verify.sh [BUILD_DIR] [N]   (make bench)
set -eu
b=${1:-build}
n=${2:-2000}
data=${SENTINEL_TESTDATA:-../shared/testdata}
. tests/bench/lib.sh
bench_begin bench-verify "${TMPDIR:-/tmp}" tests/modules.a
if [ ! -d "$data/dcc" ]; then
	echo "bench-verify: test data $data/dcc not found: set SENTINEL_TESTDATA (skipped)" >&2
	exit 0
fi
sh tests/bench/build-prog.sh "$b" "$tmp/bench_verify" tests/bench/bench_verify.c -O2
for c in AT/2DCode/raw/1.json DE/2DCode/raw/1.json CH/2DCode/raw/1.json; do
	j="$data/dcc/$c"
	[ -f "$j" ] || continue
	sqlite3 :memory: "select json_extract(readfile('$j'), '\$.PREFIX')" >"$tmp/p.txt"
	sqlite3 :memory: "select json_extract(readfile('$j'), '\$.TESTCTX.CERTIFICATE')" | base64 -d >"$tmp/c.der"
	at=$(sqlite3 :memory: "select json_extract(readfile('$j'), '\$.TESTCTX.VALIDATIONCLOCK')")
	alg=$(openssl x509 -inform DER -in "$tmp/c.der" -noout -pubkey | openssl pkey -pubin -noout -text | head -1)
	printf '%s (%s): ' "$c" "$alg"
	"$tmp/bench_verify" "$tmp/p.txt" "$tmp/c.der" "$at" "$n" || echo "(not valid at its clock)"
done
