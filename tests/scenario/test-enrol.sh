#!/bin/sh
# SPDX-License-Identifier: MIT
# Enrolment by stick: the bureau makes a gate's package (sentinel-bureau
# enrol), the gate takes it from a stick (a directory here), makes its key,
# installs the bureau's key, trust list and rule set and writes its public
# key back; the bureau imports it (enrol-import) and the token then works no
# more.  sentinelctl status before and after.  A package with a bad field is
# refused naming it, and nothing is enrolled.
. tests/scenario/lib.sh

[ -x "$B/sentinel-bureau" ] || { echo "skip: no sentinel-bureau in $B"; exit 77; }
R=$ROOT/tests/fixtures/rules
BUR="$B/sentinel-bureau"
S=$T/stick
mkdir -p "$S" "$T/gate"
cp "$R/other.pub" "$T/trust-list.pem"

cat >"$T/gate/gate.conf" <<CONF
[station]
board = sim
db = gate.db
enrolment = enrolment/enrolment.conf
[sim]
scenario = /dev/null
[sync]
device_key = device.key
[rules]
dir = .
CONF

# Not enrolled yet.
out=$("$B/sentinelctl" status --config "$T/gate/gate.conf" --now 2026-11-29T12:00:00Z 2>&1)
expect_eq "status before: exit" "$?" "1"
expect_eq "status before" "$out" "enrolled       NO: the gate opens for nobody (no $T/gate/enrolment/enrolment.conf)
home           -
gate           -
bureau         -
rule set       none
clock          $(printf '%s' "$out" | sed -n 's/^clock          //p')
unsynced       0
last sync      never
alerts open    0"

out=$("$BUR" --db "$T/bureau.db" enrol --home 阳光养老院 --gate sun-gate-1 --bureau-key "$R/bureau.key.pub" \
	--duty-phone 0931-1 --rules "$R/rules-v1.cose" --trust "$T/trust-list.pem" --output "$S" 2>&1)
expect_eq "bureau enrol: exit" "$?" "0"
token=$(printf '%s\n' "$out" | sed -n 's/^one-time token (online enrolment): //p')
expect_eq "bureau enrol: output" "$out" "enrolment package for gate sun-gate-1: $S/sentinel/enrol/sun-gate-1/package.json
one-time token (online enrolment): $token"
expect_eq "token form" "$(printf '%s' "$token" | grep -cE '^[0-9a-f]{32}$')" "1"
expect_eq "token kept, private" "$(stat -c %a "$T/bureau.db.enrol/$token.json")" "600"

out=$("$B/sentinelctl" enrol --config "$T/gate/gate.conf" "$S" 2>&1)
expect_eq "enrol: exit" "$?" "0"
expect_eq "enrol: output" "$out" "enrolled: gate sun-gate-1 of 阳光养老院
device key $T/gate/device.key
rule set: installed version 1 (was 0), $(printf '%s\n' "$out" | sed -n 's/.*(was 0), //p')
public key written back to $S/sentinel/enrol/sun-gate-1/device.pub: take the stick to the bureau (sentinel-bureau enrol-import)"
expect_eq "device key mode" "$(stat -c %a "$T/gate/device.key")" "600"
cmp -s "$T/gate/device.pub" "$S/sentinel/enrol/sun-gate-1/device.pub" || fail "the key written back is not the gate's"
cmp -s "$T/trust-list.pem" "$T/gate/enrolment/trust/trust-list.pem" || fail "trust list not installed"
cmp -s "$R/bureau.key.pub" "$T/gate/enrolment/bureau.pub" || fail "bureau key not installed"
expect_eq "enrolment file" "$(grep -v '^#' "$T/gate/enrolment/enrolment.conf")" "[station]
home = 阳光养老院
device_id = sun-gate-1
duty_phone = 0931-1
trust = trust

[sync]
bureau_key = bureau.pub"
out=$("$B/sentinelctl" status --config "$T/gate/gate.conf" --now 2026-11-29T12:00:00Z 2>&1)
expect_eq "status after" "$(printf '%s\n' "$out" | grep -v '^clock')" "enrolled       yes
home           阳光养老院
gate           sun-gate-1
bureau         by stick only
rule set       version 1, age 2d 4h, fresh
unsynced       0
last sync      never
alerts open    0"
out=$("$B/sentinelctl" status --json --config "$T/gate/gate.conf" --now 2026-11-29T12:00:00Z 2>&1)
expect_eq "status --json" "$(printf '%s' "$out" | sed 's/"clock":"[a-z]*"/"clock":"X"/')" \
	'{"enrolled":true,"home":"阳光养老院","gate":"sun-gate-1","bureau":"by stick only","rules":{"version":1,"issued":"2026-11-27T08:00:00Z","age_s":187200,"freshness":"fresh"},"clock":"X","unsynced":0,"last_sync":null,"alerts_open":0}'

# Once enrolled, a second package is refused.
out=$("$B/sentinelctl" enrol --config "$T/gate/gate.conf" "$S" 2>&1)
expect_eq "enrol twice: exit" "$?" "1"
expect_eq "enrol twice" "$out" "sentinelctl: enrol: already enrolled as gate sun-gate-1 ($T/gate/enrolment/enrolment.conf); remove it to enrol again"

# The bureau registers the key written back; the token works once.
cp -R "$S" "$T/stick-copy"
out=$("$BUR" --db "$T/bureau.db" enrol-import "$S" 2>&1)
expect_eq "enrol-import: exit" "$?" "0"
expect_eq "enrol-import" "$out" "registered sun-gate-1 (enrolled)"
"$BUR" --db "$T/bureau.db" devices | grep -q '^sun-gate-1 ' || fail "sun-gate-1 not among the devices: $("$BUR" --db "$T/bureau.db" devices)"
out=$("$BUR" --db "$T/bureau.db" enrol-import "$T/stick-copy" 2>&1)
expect_eq "token again: exit" "$?" "1"
expect_eq "token again" "$out" "sentinel-bureau: enrol-import: gate sun-gate-1: refused: unknown or already used enrolment token"

# A package with a bad field: refused naming it; nothing enrolled.
mkdir -p "$T/g2"
sed 's#enrolment/enrolment.conf#e2/enrolment.conf#' "$T/gate/gate.conf" >"$T/g2/gate.conf"
"$BUR" --db "$T/bureau.db" enrol --home 阳光养老院 --gate sun-gate-2 --bureau-key "$R/bureau.key.pub" \
	--output "$T/s2" >/dev/null 2>&1 || fail "second package not made"
sed -i 's/"gate": "sun-gate-2"/"gate": "..\/x"/' "$T/s2/sentinel/enrol/sun-gate-2/package.json"
out=$("$B/sentinelctl" enrol --config "$T/g2/gate.conf" "$T/s2" 2>&1)
expect_eq "bad package: exit" "$?" "1"
expect_eq "bad package" "$out" "sentinelctl: enrol: $T/s2/sentinel/enrol/sun-gate-2/package.json: refused: bad gate (a device id)"
[ -e "$T/g2/e2/enrolment.conf" ] && fail "a refused package enrolled the gate"
# A rule set of another home: refused, not enrolled.
"$BUR" --db "$T/bureau.db" enrol --home 别的养老院 --gate sun-gate-3 --bureau-key "$R/bureau.key.pub" \
	--rules "$R/rules-v1.cose" --output "$T/s3" >/dev/null 2>&1 || fail "third package not made"
out=$("$B/sentinelctl" enrol --config "$T/g2/gate.conf" "$T/s3" 2>&1)
expect_eq "other home's rules: exit" "$?" "1"
case $out in "sentinelctl: enrol: the package's rule set: not installed: "*) ;; *) fail "other home's rules: $out" ;; esac
[ -e "$T/g2/e2/enrolment.conf" ] && fail "a package with another home's rule set enrolled the gate"

finish
