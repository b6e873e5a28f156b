#!/bin/sh
# SPDX-License-Identifier: MIT
# A package is refused when its enrolment file would not read back as the
# package says (issue 16): `sentinelctl enrol` writes the home, the duty
# phone and the bureau's URL as "key = value" lines of the enrolment file,
# whose parser cuts a value at " ;" (an inline comment) and refuses a line
# longer than 198 bytes.  Before: a home "阳光 ;养老院" enrolled, then the gate
# read its home as "阳光" and refused its own rule set (every visit referred,
# rules-missing), and a bureau URL of 200 bytes enrolled a gate whose
# configuration no program could load any more (sentineld, status: "line
# longer than 198 bytes").  Now both are refused naming the field, nothing
# enrolled, and `sentinel-bureau enrol` makes no such package.
. tests/scenario/lib.sh
R=$ROOT/tests/fixtures/rules
BUR="$B/sentinel-bureau"
[ -x "$BUR" ] || { echo "SKIP: $BUR not built"; exit 77; }

# enrol_refused WHAT GATE FIELD KEY VALUE - the bureau's package for GATE with KEY's value set to
# VALUE on the stick (as a bureau before this check made it) refused by the gate naming FIELD,
# exit 1, nothing enrolled; status still loads the configuration.
enrol_refused() {
	_what=$1 _g=$2 _field=$3
	"$BUR" --db "$T/b.db" enrol --home 阳光养老院 --gate "$_g" --bureau-key "$R/bureau.key.pub" \
		--bureau-url https://bureau.example.cn --output "$T/s-$_g" >"$T/$_g.bureau" 2>&1 ||
		fail "$_what: bureau enrol: $(cat "$T/$_g.bureau")"
	python3 - "$T/s-$_g/sentinel/enrol/$_g/package.json" "$4" "$5" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d[sys.argv[2]] = sys.argv[3]
json.dump(d, open(sys.argv[1], "w"), ensure_ascii=False)
PY
	mkdir -p "$T/$_g/rules"
	write_unenrolled_conf "$T/$_g/gate.conf" rules
	out=$("$B/sentinelctl" enrol --config "$T/$_g/gate.conf" "$T/s-$_g" 2>&1)
	expect_eq "$_what: exit" "$?" "1"
	expect_eq "$_what: refused naming the field" "$(printf '%s\n' "$out" | sed 's/^[^ ]* [^ ]* [^ ]* refused: bad //')" \
		"$_field"
	[ -e "$T/$_g/enrolment/enrolment.conf" ] && fail "$_what: the gate enrolled"
	"$B/sentinelctl" status --config "$T/$_g/gate.conf" >"$T/$_g.status" 2>&1
	expect_eq "$_what: status loads the configuration" "$?" "1"
}

enrol_refused "home with ' ;'" gate-a \
	"home (as the enrolment file would read it back: no ' ;', no blank at either end)" home "阳光 ;养老院"
enrol_refused "bureau URL of 200 bytes" gate-b \
	"bureau_url (as the enrolment file would read it back: at most 185 bytes, no ' ;')" \
	bureau_url "https://bureau.example.cn/$(printf '%0174d' 0)"

# The bureau makes no such package.
expect_run "bureau: home with ' ;'" 2 \
	"sentinel-bureau: enrol: --home: a gate's enrolment file would not read it back (' ;' starts a comment there; no blank at either end)" \
	"$BUR" --db "$T/b.db" enrol --home "阳光 ;养老院" --gate gate-d --bureau-key "$R/bureau.key.pub" --output "$T/s-d"
expect_run "bureau: URL of 200 bytes" 2 \
	"sentinel-bureau: enrol: --bureau-url: not an http:// or https:// URL of at most 185 bytes" \
	"$BUR" --db "$T/b.db" enrol --home 阳光养老院 --gate gate-d --bureau-key "$R/bureau.key.pub" --output "$T/s-d" \
	--bureau-url "https://bureau.example.cn/$(printf '%0174d' 0)"

# A home with a ';' not after a blank, and a URL of 185 bytes, read back as written: enrolled.
"$BUR" --db "$T/b.db" enrol --home "阳光;养老院" --gate gate-c --bureau-key "$R/bureau.key.pub" --output "$T/s-c" \
	--bureau-url "https://bureau.example.cn/$(printf '%0159d' 0)" >"$T/c.bureau" 2>&1 || fail "bureau enrol gate-c"
mkdir -p "$T/c/rules"
write_unenrolled_conf "$T/c/gate.conf" rules
"$B/sentinelctl" enrol --config "$T/c/gate.conf" "$T/s-c" >"$T/c.out" 2>&1 || fail "enrol gate-c: $(cat "$T/c.out")"
out=$("$B/sentinelctl" status --config "$T/c/gate.conf" 2>&1)
expect_eq "home and URL read back" "$(printf '%s\n' "$out" | grep -E '^(home|bureau) ')" \
	"home           阳光;养老院
bureau         https://bureau.example.cn/$(printf '%0159d' 0)"
finish
