#!/bin/sh
# SPDX-License-Identifier: MIT
# `sentinelctl verify` as tools outside the project see it (interfaces.md):
# one JSON object, fields absent when they do not apply, stage names, exit
# codes 0 valid / 1 invalid or unverified / 2 usage or I/O.  The signed
# cases use the DCC and NZCP vectors in $SENTINEL_TESTDATA (skipped without
# them, failing under CI=true); health codes need nothing.
. tests/scenario/lib.sh
V="$B/sentinelctl verify"

# A health code: unverified, with its region; exit 1.
$V --json --at 2026-11-29T00:00:00Z 'HC:620102:FixtureGreenToken0001' >"$T/out" 2>"$T/err"
expect_eq "health code exit" "$?" "1"
expect_eq "health code" "$(cat "$T/out")" \
	'{"format": "healthcode", "result": "unverified", "stage": null, "clock": "given", "region": "620102"}'
# The same from an image: scanned first, with the colour.
$V --json --at 2026-11-29T00:00:00Z "$FIX/green.png" >"$T/out"
expect_eq "image exit" "$?" "1"
expect_eq "image" "$(cat "$T/out")" \
	'{"format": "healthcode", "result": "unverified", "stage": null, "clock": "given", "colour": "green", "region": "620102"}'
# An image without a code: stage scan.
$V --json --at 2026-11-29T00:00:00Z "$ROOT/tests/fixtures/image/grey.jpg" >"$T/out"
expect_eq "no code exit" "$?" "1"
expect_eq "no code" "$(cat "$T/out")" '{"result": "invalid", "stage": "scan", "clock": "given"}'
# @FILE with a trailing newline; a broken HC1 fails at base45; no trust store at all.
printf 'HC1:NCF~~~\n' >"$T/p.txt"
$V --json --at 2026-11-29T00:00:00Z "@$T/p.txt" >"$T/out"
expect_eq "base45 exit" "$?" "1"
expect_eq "base45" "$(cat "$T/out")" '{"format": "hcert", "result": "invalid", "stage": "base45", "clock": "given"}'
# Without --at the clock is the system's, judged: given never appears.
$V --json 'HC:620102:x' | grep -qE '"clock": "(trusted|untrusted)"' || fail "system clock state"
# Usage and I/O errors: exit 2.
$V >/dev/null 2>&1
expect_eq "no argument" "$?" "2"
$V --at yesterday x >/dev/null 2>&1
expect_eq "bad --at" "$?" "2"
$V --trust "$T/missing" x >/dev/null 2>&1
expect_eq "missing trust file" "$?" "2"
$V "@$T/missing" >/dev/null 2>&1
expect_eq "missing @FILE" "$?" "2"
$V --bogus x >/dev/null 2>&1
expect_eq "unknown option" "$?" "2"
$V --help >/dev/null
expect_eq "--help" "$?" "0"

# A validly signed DCC whose issuer and name carry terminal escapes, an OSC
# title sequence and U+202E: the text line shows them escaped, never raw.
openssl ecparam -name prime256v1 -genkey -noout -out "$T/dsc.pem" 2>/dev/null &&
	openssl req -new -x509 -key "$T/dsc.pem" -out "$T/dsc.der" -outform DER -days 2 -subj "/CN=DSC/C=AT" \
		2>/dev/null || fail "openssl: cannot make a signing certificate"
now=$(date +%s)
python3 tests/scenario/make-dcc.py "$T/dsc.pem" "$T/dsc.der" "$(printf 'A\033]0;pwn\007T\342\200\256')" \
	"$(printf '\033[2JMuster')" "$now" $((now + 86400)) >"$T/evil.txt" || fail "make-dcc"
at=$(date -u -d "@$((now + 60))" +%Y-%m-%dT%H:%M:%SZ)
$V --trust "$T/dsc.der" --at "$at" "@$T/evil.txt" >"$T/evil.out"
expect_eq "hostile DCC: exit" "$?" "0"
expect_eq "hostile DCC: escaped" "$(sed -E 's/ kid=[^ ]*//; s/ issued=[^ ]* expires=[^ ]*//' "$T/evil.out")" \
	'format=hcert result=valid stage=- clock=given issuer=A\x1b]0;pwn\x07T\u202e subject=A* \x1b*'
expect_eq "hostile DCC: no raw control" "$(tr -d '\n' <"$T/evil.out" | LC_ALL=C grep -c "$(printf '[\001-\037]')")" "0"

data=${SENTINEL_TESTDATA:-$ROOT/../shared/testdata}
if [ ! -d "$data/dcc" ] || [ ! -d "$data/nzcp" ]; then
	if [ "${CI:-}" = "true" ]; then
		fail "test data $data not found: set SENTINEL_TESTDATA (CI=true, so this fails)"
		finish
	fi
	echo "SKIP (signed cases): test data $data not found: set SENTINEL_TESTDATA to run them" >&2
	finish
fi
# DCC AT/1: its certificate as the trust store (DER), at its validation clock.
j="$data/dcc/AT/2DCode/raw/1.json"
sqlite3 :memory: "select json_extract(readfile('$j'), '\$.PREFIX')" >"$T/at1.txt"
sqlite3 :memory: "select json_extract(readfile('$j'), '\$.TESTCTX.CERTIFICATE')" | base64 -d >"$T/at1.der"
at=$(sqlite3 :memory: "select json_extract(readfile('$j'), '\$.TESTCTX.VALIDATIONCLOCK')")
$V --json --trust "$T/at1.der" --at "$at" "@$T/at1.txt" >"$T/out" 2>"$T/err"
expect_eq "dcc valid exit" "$?" "0"
expect_eq "dcc valid" "$(cat "$T/out")" \
	'{"format": "hcert", "result": "valid", "stage": null, "clock": "given", "kid": "2Rk3X8HntrI=", "issuer": "AT", "issued": "2021-05-06T18:00:00Z", "expires": "2021-11-02T18:00:00Z", "subject": "G* M*"}'
expect_eq "no name printed" "$(cat "$T/err" "$T/out" | grep -c -e Gabriele -e Musterfrau)" "0"
# The same certificate in PEM, given as a directory.
mkdir "$T/trust"
{ echo "-----BEGIN CERTIFICATE-----"; base64 "$T/at1.der"; echo "-----END CERTIFICATE-----"; } >"$T/trust/at1.pem"
$V --trust "$T/trust" --at "$at" "@$T/at1.txt" >/dev/null
expect_eq "dcc via PEM directory" "$?" "0"
# Expired at a later time; an unknown signer.
$V --json --trust "$T/at1.der" --at 2022-07-01T00:00:00Z "@$T/at1.txt" | grep -q '"result": "invalid", "stage": "expired"' ||
	fail "dcc expired"
$V --json --at "$at" "@$T/at1.txt" | grep -q '"stage": "trust"' || fail "dcc without trust"
# NZCP with the issuer's DID document, pinned clock.
n="$data/nzcp/spec/examples"
$V --json --trust "$n/valid/did.json" --at 2021-11-03T00:00:00Z "@$n/valid/nzcp.txt" >"$T/out"
expect_eq "nzcp valid exit" "$?" "0"
grep -q '"format": "nzcp", "result": "valid"' "$T/out" || fail "nzcp valid: $(cat "$T/out")"
$V --json --trust "$n/valid/did.json" --at 2021-11-03T00:00:00Z "@$n/invalid/nzcp-modified-sig.txt" |
	grep -q '"stage": "signature"' || fail "nzcp modified signature"
finish
