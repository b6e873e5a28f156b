#!/bin/sh
# SPDX-License-Identifier: MIT
# A gate that already holds its bureau's key takes no other bureau's package
# (issue 16): the enrolment package on a stick is not signed (the gate has no
# key to check it with before enrolment), and the udev rule enrols a gate that
# is not enrolled from any stick labelled SENTINEL, so whoever plugs one in
# could make the gate theirs: their bureau key, their rule set.  When the
# configuration's [sync] bureau_key names a file that is there before
# enrolment (the installer put the bureau's key at /etc/sentinel/bureau.pub),
# the package must carry that key: another one is refused, nothing enrolled,
# no key made.  Without such a file (the packaged default) the package's key
# is taken as before.
. tests/scenario/lib.sh
R=$ROOT/tests/fixtures/rules
BUR="$B/sentinel-bureau"
[ -x "$BUR" ] || { echo "SKIP: $BUR not built"; exit 77; }

# gate DIR - an unenrolled gate whose configuration names DIR/bureau.pub as [sync] bureau_key.
gate() {
	mkdir -p "$1/rules"
	write_unenrolled_conf "$1/gate.conf" rules
	sed -i 's/^\[sync\]$/[sync]\nbureau_key = bureau.pub/' "$1/gate.conf"
}

# 1. The bureau's key placed on the gate; a stick from another "bureau": refused.
gate "$T/a"
cp "$R/bureau.key.pub" "$T/a/bureau.pub"
"$BUR" --db "$T/b.db" enrol --home 阳光养老院 --gate gate-a --bureau-key "$R/other.pub" --output "$T/evil" \
	>"$T/evil.out" 2>&1 || fail "the other bureau's package: $(cat "$T/evil.out")"
expect_run "another bureau's package" 1 \
	"sentinelctl: enrol: $T/evil/sentinel/enrol/gate-a/package.json: refused: the package is from another bureau (its key is not $T/a/bureau.pub, [sync] bureau_key)" \
	"$B/sentinelctl" enrol --config "$T/a/gate.conf" "$T/evil"
expect_eq "another bureau's package: nothing made" "$(cd "$T/a" && ls)" "bureau.pub
gate.conf
rules"
[ -e "$T/evil/sentinel/enrol/gate-a/device.pub" ] && fail "another bureau's package: a key written back"

# 2. The bureau's own package: enrolled.
"$BUR" --db "$T/b.db" enrol --home 阳光养老院 --gate gate-a --bureau-key "$R/bureau.key.pub" --output "$T/good" \
	>"$T/good.out" 2>&1 || fail "the bureau's package: $(cat "$T/good.out")"
"$B/sentinelctl" enrol --config "$T/a/gate.conf" "$T/good" >"$T/a.out" 2>&1 || fail "enrol: $(cat "$T/a.out")"
[ -e "$T/a/enrolment/enrolment.conf" ] || fail "the bureau's package did not enrol"

# 3. No key file where the configuration points: any package's key is taken (as before).
gate "$T/c"
"$B/sentinelctl" enrol --config "$T/c/gate.conf" "$T/evil" >"$T/c.out" 2>&1 || fail "enrol (no pin): $(cat "$T/c.out")"
[ -e "$T/c/enrolment/enrolment.conf" ] || fail "without a key file the package did not enrol"
finish
