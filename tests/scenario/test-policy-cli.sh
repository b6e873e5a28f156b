#!/bin/sh
# SPDX-License-Identifier: MIT
# sentinelctl policy install / show: a signed rule set goes in atomically and
# only when newer; a tampered one (one byte flipped), one from another key and
# an old one are refused with the active set unchanged, byte for byte.
. tests/scenario/lib.sh
R=$ROOT/tests/fixtures/rules
CTL="$B/sentinelctl"

printf 'show none\n' >"$T/empty.scn"
write_rules_conf "$T" empty.scn "$R/bureau.key.pub"
NOW="--now 2026-11-29T04:00:00Z"

out=$("$CTL" policy show --config "$T/gate.conf" $NOW 2>&1)
expect_eq "show without a rule set: exit" "$?" "1"
expect_eq "show without a rule set: message" "$out" \
	"sentinelctl: policy: $T/rules/rules.cose: no rule set installed ([rules] dir $T/rules of $T/gate.conf)"
# A [rules] dir that cannot take the file: the error names the key (issue 16).
touch "$T/notadir"
sed 's|^dir = rules$|dir = notadir|' "$T/gate.conf" >"$T/bad-dir.conf"
out=$("$CTL" policy install --config "$T/bad-dir.conf" $NOW "$R/rules-v1.cose" 2>&1)
expect_eq "install into a file: exit" "$?" "2"
case $out in
"sentinelctl: policy: $R/rules-v1.cose: not installed: "*" ([rules] dir $T/notadir of $T/bad-dir.conf)") ;;
*) fail "install into a file: $out" ;;
esac

out=$("$CTL" policy install --config "$T/gate.conf" $NOW "$R/rules-v1.cose" 2>&1)
expect_eq "install v1: exit" "$?" "0"
expect_eq "install v1: output" "$out" "installed rule set version 1 (was 0: none), fresh"
cmp -s "$R/rules-v1.cose" "$T/rules/rules.cose" || fail "rules.cose is not the installed file"
[ ! -e "$T/rules/rules.cose.tmp" ] || fail "temporary file left behind"

out=$("$CTL" policy show --config "$T/gate.conf" $NOW 2>&1)
expect_eq "show v1: exit" "$?" "0"
expect_eq "show v1" "$out" "version           1
home              阳光养老院
gates             all of the home
mode              closed
issued            2026-11-27T08:00:00Z
age               1d 20h
valid from        2026-11-28T00:00:00Z
valid until       2026-12-06T00:00:00Z
hard limit        2026-12-13T00:00:00Z
freshness         fresh
fever threshold   37.3
colours           green
formats           healthcode hcert
max visitors      5
risk regions      620100
max test age      7 days
staff             2
  S001            张*  last test 2026-11-27, due 2026-12-04
  S002            李*  last test 2026-11-21, due 2026-11-28"

out=$("$CTL" policy show --config "$T/gate.conf" --now 2026-12-07T00:00:00Z 2>&1 | grep freshness)
expect_eq "show v1 a day past its validity" "$out" "freshness         stale"
out=$("$CTL" policy show --config "$T/gate.conf" --now 2026-12-13T00:00:00Z 2>&1 | grep freshness)
expect_eq "show v1 at the hard limit" "$out" "freshness         expired"

# Refused: nothing changes.
expect_run "tampered" 1 \
	"sentinelctl: policy: $R/rules-v2-tampered.cose: refused: signature: signature does not verify" \
	"$CTL" policy install --config "$T/gate.conf" $NOW "$R/rules-v2-tampered.cose"
expect_run "other key" 1 \
	"sentinelctl: policy: $R/rules-v2-other.cose: refused: signature: signed by another key (kid does not match)" \
	"$CTL" policy install --config "$T/gate.conf" $NOW "$R/rules-v2-other.cose"
expect_run "same version" 1 \
	"sentinelctl: policy: $R/rules-v1.cose: refused: version 1 is not newer than the active version 1" \
	"$CTL" policy install --config "$T/gate.conf" $NOW "$R/rules-v1.cose"
out=$("$CTL" policy install --config "$T/gate.conf" $NOW "$R/rules-v1.json" 2>&1)
expect_eq "not COSE: exit" "$?" "1"
cmp -s "$R/rules-v1.cose" "$T/rules/rules.cose" || fail "a refused install changed rules.cose"
[ "$(ls "$T/rules" | tr '\n' ' ')" = "rules.cose rules.kept.cose " ] ||
	fail "files left in the rules dir: $(ls "$T/rules")"

out=$("$CTL" policy install --config "$T/gate.conf" $NOW "$R/rules-v2.cose" 2>&1)
expect_eq "install v2: exit" "$?" "0"
expect_eq "install v2: output" "$out" "installed rule set version 2 (was 1), fresh"
cmp -s "$R/rules-v2.cose" "$T/rules/rules.cose" || fail "v2 not installed"

# Issue 14 item 3: another home's set, however new and however lax, is refused at
# install, and placed on the disk by hand it neither loads nor blocks the home's
# own next set.
if [ -x "$B/sentinel-bureau" ]; then
	sed -e 's/"home": "阳光养老院"/"home": "月亮养老院"/' -e 's/"version": 2/"version": 999/' \
		-e 's/"fever_threshold_mdc": 37300/"fever_threshold_mdc": 39000/' \
		-e 's/"colours": \["green"\]/"colours": ["green", "yellow"]/' "$R/rules-v2.json" >"$T/x.json"
	"$B/sentinel-bureau" --key "$R/bureau.key" policy sign --in "$T/x.json" --out "$T/x999.cose" >/dev/null ||
		fail "sign x999"
	out=$("$CTL" policy install --config "$T/gate.conf" $NOW "$T/x999.cose" 2>&1)
	expect_eq "another home's set: exit" "$?" "1"
	expect_eq "another home's set: message" "$out" \
		"sentinelctl: policy: $T/x999.cose: refused: addressed to home '月亮养老院', this gate's home is '阳光养老院'"
	cmp -s "$R/rules-v2.cose" "$T/rules/rules.cose" || fail "another home's set changed rules.cose"
	# Copied over rules.cose: the kept v2 is shown, and v3 of the home still installs.
	cp "$T/x999.cose" "$T/rules/rules.cose"
	out=$("$CTL" policy show --config "$T/gate.conf" $NOW 2>&1 | head -2)
	expect_eq "another home's set on disk: show" "$out" \
		"sentinelctl: policy: $T/rules/rules.cose: addressed to home '月亮养老院', this gate's home is '阳光养老院'; showing the kept copy rules.kept.cose
version           2"
	sed 's/"version": 2/"version": 3/' "$R/rules-v2.json" >"$T/v3.json"
	"$B/sentinel-bureau" --key "$R/bureau.key" policy sign --in "$T/v3.json" --out "$T/v3.cose" >/dev/null ||
		fail "sign v3"
	out=$("$CTL" policy install --config "$T/gate.conf" $NOW "$T/v3.cose" 2>&1)
	expect_eq "the home's v3 after a foreign v999" "$out" "installed rule set version 3 (was 2), fresh"

	# Issue 14 item 4: a set valid from 2030 is kept pending, not reported fresh.
	sed -e 's/"version": 2/"version": 4/' -e 's/"valid_from": "2026-11-28T00:00:00Z"/"valid_from": "2030-01-01T00:00:00Z"/' \
		-e 's/"valid_until": "2026-12-06T00:00:00Z"/"valid_until": "2030-02-01T00:00:00Z"/' \
		"$R/rules-v2.json" >"$T/v4.json"
	"$B/sentinel-bureau" --key "$R/bureau.key" policy sign --in "$T/v4.json" --out "$T/v4.cose" >/dev/null ||
		fail "sign v4"
	out=$("$CTL" policy install --config "$T/gate.conf" $NOW "$T/v4.cose" 2>&1)
	expect_eq "a set valid from 2030" "$out" \
		"rule set version 4 pending: valid from 2030-01-01T00:00:00Z (active version 3)"
	out=$("$CTL" policy show --config "$T/gate.conf" $NOW 2>&1 | grep -E '^(version|pending) ')
	expect_eq "show: active v3, v4 pending" "$out" "version           3
pending           version 4, valid from 2030-01-01T00:00:00Z"
fi

# Usage errors.
"$CTL" policy 2>/dev/null
expect_eq "no subcommand: exit" "$?" "2"
"$CTL" policy install --config "$T/gate.conf" 2>/dev/null
expect_eq "install without FILE: exit" "$?" "2"
"$CTL" policy show --config "$T/gate.conf" --now yesterday 2>/dev/null
expect_eq "bad --now: exit" "$?" "2"
out=$("$CTL" policy install --config "$T/gate.conf" $NOW "$T/missing.cose" 2>&1)
expect_eq "missing file: exit" "$?" "2"
expect_eq "missing file: message" "$out" "sentinelctl: policy: $T/missing.cose: No such file or directory"

finish
