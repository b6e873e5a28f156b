#!/bin/sh
# SPDX-License-Identifier: MIT
# The gate verifies signed certificates offline ([station] trust): a valid
# DCC admits on its signature (not its colour); the same DCC with an
# untrusted clock refers with clock-untrusted (never valid); after its
# expiry it refers with expired (a year on in a new boot: a clock set a
# year ahead within one boot is not trusted, clock.h); with no trust store
# it refers with signature-invalid.  Uses the DCC vector AT/1 from $SENTINEL_TESTDATA
# (skipped without it, failing under CI=true).
. tests/scenario/lib.sh

dcc_vector
sqlite3 :memory: "select json_extract(readfile('$j'), '\$.TESTCTX.CERTIFICATE')" | base64 -d >"$T/dsc.der"
sqlite3 :memory: "select json_extract(readfile('$j'), '\$.2DCODE')" | base64 -d >"$T/dcc.png"

cat >"$T/visits.scn" <<SCN
# 1 valid DCC, trusted clock: admit
$(visit "$T/dcc.png" 36.5 10000 70000)
# 2 the same DCC, clock untrusted: refer, clock-untrusted (the entry is shown
# rebased: this boot had trusted time before)
clock untrusted
temp 36.5
presence 1
wait 10000
presence 0
wait 70000
# 3 "trusted" again, but set a year on within the boot: not trusted
# (clock-untrusted, and expired against that clock)
clock trusted
clock set 2022-06-01T00:00:00Z
temp 36.5
presence 1
wait 10000
presence 0
SCN
write_conf "$T/gate.conf" visits.scn gate.db out.log
sed -i "s#^start = .*#start = 2021-05-06T18:00:00Z#; s#^duty_phone = .*#&\ntrust = $T/dsc.der#" "$T/gate.conf"

"$B/sentineld" -n -c "$T/gate.conf" >/dev/null
expect_eq "sentineld -n with a trust store" "$?" "0"
sentineld_run "$T/gate.conf" "sentineld exit status"
got=$("$B/sentinelctl" entries --json --db "$T/gate.db" | sed -E 's/"time": "[^"]*", //')
# 4 a new boot a year on, synchronised: refer, expired
cat >"$T/later.scn" <<SCN
show $T/dcc.png
temp 36.5
presence 1
wait 10000
presence 0
SCN
write_conf "$T/later.conf" later.scn gate.db out2.log
sed -i "s#^start = .*#start = 2022-06-01T00:00:00Z\nboot_id = 55555555-5555-4555-8555-555555555555#; s#^duty_phone = .*#&\ntrust = $T/dsc.der#" \
	"$T/later.conf"
"$B/sentineld" -f -c "$T/later.conf" 2>>"$T/stderr"
expect_eq "sentineld exit status (a year on)" "$?" "0"
got=$("$B/sentinelctl" entries --json --db "$T/gate.db" | sed -E 's/"time": "[^"]*", //')
expect_eq "entries" "$got" \
'{"seq": 1, "clock": "trusted", "kind": "visitor", "format": "hcert", "colour": "black", "verified": "valid", "temp_c": 36.5, "decision": "admit", "reasons": ["temp-normal"], "door": "opened", "subject": "G* M*"}
{"seq": 2, "clock": "rebased", "kind": "visitor", "format": "hcert", "colour": "black", "verified": "unverified", "temp_c": 36.5, "decision": "refer", "reasons": ["clock-untrusted", "temp-normal"], "door": "shut", "subject": "G* M*"}
{"seq": 3, "clock": "rebased", "kind": "visitor", "format": "hcert", "colour": "black", "verified": "unverified", "temp_c": 36.5, "decision": "refer", "reasons": ["expired", "clock-untrusted", "temp-normal"], "door": "shut", "subject": "G* M*"}
{"seq": 4, "clock": "trusted", "kind": "visitor", "format": "hcert", "colour": "black", "verified": "invalid", "temp_c": 36.5, "decision": "refer", "reasons": ["expired", "temp-normal"], "door": "shut", "subject": "G* M*"}'
expect_eq "no name or payload in the daemon's log" "$(grep -c -e Gabriele -e Musterfrau -e HC1: "$T/stderr")" "0"

# Without a trust store the same DCC refers with signature-invalid.
write_conf "$T/none.conf" visits.scn none.db none.log
sed -i "s#^start = .*#start = 2021-05-06T18:00:00Z#" "$T/none.conf"
"$B/sentineld" -f -c "$T/none.conf" 2>/dev/null
"$B/sentinelctl" entries --json --db "$T/none.db" | head -1 | grep -q '"verified": "invalid", .*"reasons": \["signature-invalid", "temp-normal"\]' ||
	fail "no trust store: $("$B/sentinelctl" entries --json --db "$T/none.db" | head -1)"

# A trust store that cannot be loaded: -n names the key.
sed -i "s#^trust = .*#trust = $T/missing.der#" "$T/gate.conf"
"$B/sentineld" -n -c "$T/gate.conf" >/dev/null 2>"$T/err"
expect_eq "-n with a missing trust store" "$?" "1"
grep -q "key 'trust'" "$T/err" || fail "-n error names the key: $(cat "$T/err")"
finish
