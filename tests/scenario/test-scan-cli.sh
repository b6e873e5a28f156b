#!/bin/sh
# SPDX-License-Identifier: MIT
# `sentinelctl scan` as tools outside the project see it (interfaces.md):
# one JSON object per image, one line each, in argument order; error objects
# for unreadable images; exit 0 / 1 / 2.
. tests/scenario/lib.sh
IMG=$ROOT/tests/fixtures/image

printf 'not an image' >"$T/fake.png"
"$B/sentinelctl" scan --json "$FIX/green.png" "$T/missing.png" "$FIX/red.png" "$T/fake.png" \
	"$IMG/truncated.png" >"$T/out" 2>"$T/err"
expect_eq "exit with unreadable images" "$?" "1"
expect_eq "one line per image" "$(wc -l <"$T/out")" "5"
n=0
while IFS= read -r line; do
	n=$((n + 1))
	printf '%s' "$line" >"$T/line"
	expect_eq "line $n is valid JSON" "$(sqlite3 :memory: "select json_valid(readfile('$T/line'))")" "1"
done <"$T/out"
# Fields and order, with the volatile "ms" masked.
got=$(sed -E 's/"ms": [0-9.e+-]+/"ms": X/' "$T/out")
expect_eq "scan --json" "$got" \
"{\"file\": \"$FIX/green.png\", \"codes\": [{\"format\": \"qr\", \"text\": \"HC:620102:FixtureGreenToken0001\", \"bytes_hex\": \"48433a3632303130323a46697874757265477265656e546f6b656e30303031\", \"colour\": \"green\", \"points\": $(sed -n 1p "$T/out" | sed -E 's/.*"points": (\[\[[^]]*\](, \[[^]]*\]){3}\]).*/\1/')}], \"ms\": X}
{\"file\": \"$T/missing.png\", \"error\": \"cannot open: No such file or directory\"}
{\"file\": \"$FIX/red.png\", \"codes\": [{\"format\": \"qr\", \"text\": \"HC:620102:FixtureRedToken0002\", \"bytes_hex\": \"48433a3632303130323a46697874757265526564546f6b656e30303032\", \"colour\": \"red\", \"points\": $(sed -n 3p "$T/out" | sed -E 's/.*"points": (\[\[[^]]*\](, \[[^]]*\]){3}\]).*/\1/')}], \"ms\": X}
{\"file\": \"$T/fake.png\", \"error\": \"not a PNG or JPEG image\"}
{\"file\": \"$IMG/truncated.png\", \"error\": \"corrupt image data\"}"
# Four corner points of integers.
sed -n 1p "$T/out" | grep -qE '"points": \[\[[0-9]+, [0-9]+\], \[[0-9]+, [0-9]+\], \[[0-9]+, [0-9]+\], \[[0-9]+, [0-9]+\]\]' ||
	fail "points are not four [x, y] pairs"
expect_eq "stderr names no payload" "$(grep -c Fixture "$T/err")" "0"

# An image with no code: read fine, no codes, exit 0.
"$B/sentinelctl" scan --json "$IMG/grey.jpg" >"$T/none"
expect_eq "exit with no codes" "$?" "0"
expect_eq "no codes" "$(sed -E 's/"ms": [0-9.e+-]+/"ms": X/' "$T/none")" \
	"{\"file\": \"$IMG/grey.jpg\", \"codes\": [], \"ms\": X}"

# Usage errors.
"$B/sentinelctl" scan --json >/dev/null 2>&1
expect_eq "no images" "$?" "2"
"$B/sentinelctl" scan --bogus "$FIX/green.png" >/dev/null 2>&1
expect_eq "unknown option" "$?" "2"
"$B/sentinelctl" scan --help >/dev/null
expect_eq "--help" "$?" "0"
"$B/sentinelctl" nonsense >/dev/null 2>&1
expect_eq "unknown command" "$?" "2"
# A CMYK JPEG says so (not "not a PNG or JPEG image").
expect_eq "CMYK JPEG" "$("$B/sentinelctl" scan "$IMG/cmyk.jpg" 2>&1)" \
	"sentinelctl: scan: $IMG/cmyk.jpg: a CMYK JPEG: not supported (save it as an RGB or greyscale JPEG, or a PNG)"
# A payload with a NUL, U+202E (right-to-left override) and ESC: the text
# line shows all of it, every control escaped (nothing after the NUL lost,
# nothing raw reaches the terminal); --json keeps the NUL as \u0000.
if command -v qrencode >/dev/null 2>&1; then
	printf 'HC1:a\000b\342\200\256c\033[2J' >"$T/nul.bin"
	qrencode -8 -r "$T/nul.bin" -s 6 -o "$T/nul.png"
	expect_eq "text after a NUL, controls escaped" "$("$B/sentinelctl" scan "$T/nul.png")" \
		"$T/nul.png: black: HC1:a\\x00b\\u202ec\\x1b[2J"
	expect_eq "NUL in --json" "$("$B/sentinelctl" scan --json "$T/nul.png" | jq -r '.codes[0].bytes_hex, (.codes[0].text | length)')" \
		"4843313a610062e280ae631b5b324a
13"
else
	fail "qrencode missing (make deps)"
fi
finish
