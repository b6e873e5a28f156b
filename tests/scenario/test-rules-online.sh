#!/bin/sh
# SPDX-License-Identifier: MIT
# A new rule set reaches the gate in the bureau's online acknowledgement
# (issue 16): the bureau records version 2 as the home's current set
# (`policy sign --db`); the gate, under version 1, syncs online with
# `sentinel-bureau serve` on loopback; the acknowledgement carries the set
# (bundle.h, ack "rules"), the gate installs it and says so in the summary;
# the bureau's log names it.  A later sync finds nothing newer; a gate of
# another home gets no set; a rule set the gate refuses (another home's)
# is an error of the sync, and the gate keeps its set.
. tests/scenario/lib.sh

[ -x "$B/sentinel-bureau" ] || { echo "test-rules-online: $B/sentinel-bureau not built: skipped"; exit 77; }
ctl=$B/sentinelctl
bur() { "$B/sentinel-bureau" --db "$T/bureau.db" --key "$T/bureau.key" "$@"; }

rules_json() { # VERSION MODE HOME
	printf '{"v": 2, "home": "%s", "version": %s, "mode": "%s", "fever_threshold_mdc": 37300,
 "colours": ["green"], "formats": ["healthcode"], "max_visitors": 5, "risk_regions": [],
 "staff": [], "max_test_age_days": 7, "valid_from": "2026-11-28T00:00:00Z",
 "valid_until": "2036-01-01T00:00:00Z", "hard_limit_ms": 604800000, "issued": "2026-11-28T08:00:00Z"}\n' \
		"${3:-阳光养老院}" "$1" "$2"
}
rules_json 1 closed >"$T/rules-v1.json"
rules_json 2 open >"$T/rules-v2.json"
rules_json 5 open 松鹤养老院 >"$T/other-v5.json"

cat >"$T/one.scn" <<SCN
$(visit "$FIX/green.png" 36.5)
SCN
write_rules_conf "$T/g" "$T/one.scn" "$T/bureau.key.pub" keys/device.key
"$B/sentinel-bureau" keys init --key "$T/bureau.key" >/dev/null || fail "bureau keys init"
"$ctl" keys init --config "$T/g/gate.conf" >/dev/null || fail "gate keys init"
bur register --device test-gate --pub "$T/g/keys/device.pub" --home 阳光养老院 >/dev/null || fail "register"
bur policy sign --in "$T/rules-v1.json" --out "$T/rules-v1.cose" >/dev/null || fail "sign v1"
"$ctl" policy install --config "$T/g/gate.conf" --now 2026-11-29T00:00:00Z "$T/rules-v1.cose" \
	>/dev/null || fail "install v1"
"$B/sentineld" -f -c "$T/g/gate.conf" 2>"$T/g/stderr" || fail "sentineld: $(cat "$T/g/stderr")"
bur policy sign --in "$T/rules-v2.json" --out "$T/rules-v2.cose" >/dev/null ||
	fail "sign v2 --db"

serve_start "$T/serve" --db "$T/bureau.db" --key "$T/bureau.key" serve --listen 127.0.0.1:0
sed -i "s#^bureau_key = .*#&\nbureau_url = http://127.0.0.1:$port#" "$T/g/gate.conf"

out=$("$ctl" sync online --config "$T/g/gate.conf" 2>&1)
expect_eq "sync online: exit" "$?" "0"
expect_eq "sync online installs the set" "$(echo "$out" | grep 'rule sets:')" \
	"  rule sets:         installed version 2 (was 1), fresh; sentineld applies it before the next visit"
expect_eq "the gate holds version 2" "$("$ctl" policy show --config "$T/g/gate.conf" \
	--now 2026-11-29T00:00:00Z | grep -E '^(version|mode) ')" "version           2
mode              open"
expect_eq "the bureau's log names it" "$(grep -c 'POST /v1/bundle 200 .* rules 2$' "$T/serve.log")" "1"

# Again, after another visitor: the acknowledgement carries the same set, not newer.
"$B/sentineld" -f -c "$T/g/gate.conf" 2>>"$T/g/stderr" || fail "sentineld (second run)"
out=$("$ctl" sync online --config "$T/g/gate.conf" 2>&1)
expect_eq "sync online again: exit" "$?" "0"
expect_eq "sync online again: the same set" "$(echo "$out" | grep 'rule sets:')" \
	"  rule sets:         not newer than the active set: version 2 is not newer than the active version 2"

# A set the gate refuses (the bureau's record of another home's set under this home, as a
# damaged or wrong bureau database would give it): an error of the sync; the gate keeps version 2.
bur policy sign --in "$T/other-v5.json" --out "$T/other-v5.cose" >/dev/null || fail "sign other"
sqlite3 "$T/bureau.db" "UPDATE rule_sets SET cose = readfile('$T/other-v5.cose'), version = 5" 2>"$T/sql.err" ||
	fail "sqlite3: $(cat "$T/sql.err")"
"$B/sentineld" -f -c "$T/g/gate.conf" 2>>"$T/g/stderr" || fail "sentineld (third run)"
out=$("$ctl" sync online --config "$T/g/gate.conf" 2>&1)
expect_eq "a refused set: exit" "$?" "1"
case $out in *"sentinelctl: sync: the acknowledgement's rule set: not installed: "*) ;;
*) fail "a refused set: $out" ;; esac
expect_eq "the gate keeps version 2" "$("$ctl" policy show --config "$T/g/gate.conf" \
	--now 2026-11-29T00:00:00Z | grep -E '^version ')" "version           2"

serve_stop
finish
