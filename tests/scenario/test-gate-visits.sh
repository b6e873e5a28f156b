#!/bin/sh
# SPDX-License-Identifier: MIT
# The real sentineld on the simulated board: every visitor's entry and every
# line of the board's output log, exactly; the door opens only for admitted
# visitors and only with the sequence number of their committed entry.
. tests/scenario/lib.sh

cat >"$T/visits.scn" <<SCN
# 1 green, normal: admit
$(visit "$FIX/green.png" 36.5)
# 2 red: deny
$(visit "$FIX/red.png" 36.6)
# 3 the green code again within the window, normal: no entry, door again for entry 1
$(visit "$FIX/green.png" 36.7)
# 3b the same screen again within the window, with a fever: a new entry
temp 38.9
presence 1
wait 10000
presence 0
wait 2000
# 4 nothing shown: refer
$(visit none 36.4)
# 5 yellow with a confirmed fever: deny
$(visit "$FIX/yellow.png" "38.0 37.9" 12000 70000)
# 6 green after the window, cold wind twice then plausible: admit, new entry
show $FIX/green.png
temp 30.1 33.0 36.2
presence 1
wait 10000
presence 0
SCN
write_conf "$T/gate.conf" visits.scn gate.db out.log

sentineld_run "$T/gate.conf" "sentineld exit status"

got=$("$B/sentinelctl" entries --json --db "$T/gate.db")
expect_eq "entries --json" "$got" \
'{"seq": 1, "time": "2026-11-29T00:00:00Z", "clock": "trusted", "kind": "visitor", "format": "healthcode", "colour": "green", "verified": "unverified", "temp_c": 36.5, "decision": "admit", "reasons": ["code-green", "temp-normal"], "door": "opened"}
{"seq": 2, "time": "2026-11-29T00:00:12Z", "clock": "trusted", "kind": "visitor", "format": "healthcode", "colour": "red", "verified": "unverified", "temp_c": 36.6, "decision": "deny", "reasons": ["code-red", "temp-normal"], "door": "shut"}
{"seq": 3, "time": "2026-11-29T00:00:37Z", "clock": "trusted", "kind": "visitor", "format": "healthcode", "colour": "green", "verified": "unverified", "temp_c": 38.9, "decision": "deny", "reasons": ["fever", "duplicate", "code-green"], "door": "shut"}
{"seq": 4, "time": "2026-11-29T00:00:50Z", "clock": "trusted", "kind": "visitor", "format": "none", "colour": "unknown", "verified": "none", "temp_c": 36.4, "decision": "refer", "reasons": ["no-code", "temp-normal"], "door": "shut"}
{"seq": 5, "time": "2026-11-29T00:01:01Z", "clock": "trusted", "kind": "visitor", "format": "healthcode", "colour": "yellow", "verified": "unverified", "temp_c": 37.9, "decision": "deny", "reasons": ["fever", "code-yellow"], "door": "shut"}
{"seq": 6, "time": "2026-11-29T00:02:24Z", "clock": "trusted", "kind": "visitor", "format": "healthcode", "colour": "green", "verified": "unverified", "temp_c": 36.2, "decision": "admit", "reasons": ["code-green", "temp-normal"], "door": "opened"}'

got=$(cat "$T/out.log")
expect_eq "output log" "$got" \
'0 display "请出示健康码\nPlease show your health code"
0 display "请出示健康码\nPlease show your health code"
0 display "请看向测温区\nPlease face the thermometer"
0 led-green 1
0 relay 1 seq=1
0 display "绿码 体温正常 请通行\nGreen code, temperature normal: please enter"
3000 relay 0
3000 led-green 0
10000 display "请出示健康码\nPlease show your health code"
12000 display "请出示健康码\nPlease show your health code"
12000 display "请看向测温区\nPlease face the thermometer"
12000 display "红码 禁止入内 值班电话 0931-1\nRed code: entry refused. Duty phone 0931-1"
12000 led-red 1
12000 buzzer 1
12200 buzzer 0
14200 led-red 0
22000 display "请出示健康码\nPlease show your health code"
24000 display "请出示健康码\nPlease show your health code"
24000 display "请看向测温区\nPlease face the thermometer"
24000 led-green 1
24000 relay 1 seq=1
24000 display "绿码 体温正常 请通行\nGreen code, temperature normal: please enter"
27000 relay 0
27000 led-green 0
34000 display "请出示健康码\nPlease show your health code"
36000 display "请出示健康码\nPlease show your health code"
36000 display "请看向测温区\nPlease face the thermometer"
36000 display "请再测一次体温\nPlease measure once more"
37000 display "体温异常 请在此等候 已通知值班人员 值班电话 0931-1\nTemperature too high: please wait here, staff are called. Duty phone 0931-1"
37000 led-red 1
37000 buzzer 1
37300 buzzer 0
37600 buzzer 1
37900 buzzer 0
38200 buzzer 1
38500 buzzer 0
40800 led-red 0
46000 display "请出示健康码\nPlease show your health code"
48000 display "请出示健康码\nPlease show your health code"
50000 display "请看向测温区\nPlease face the thermometer"
50000 display "未识别到健康码 请等待工作人员 值班电话 0931-1\nNo health code read: please wait for staff. Duty phone 0931-1"
50000 led-red 1
50000 buzzer 1
50200 buzzer 0
52200 led-red 0
58000 display "请出示健康码\nPlease show your health code"
60000 display "请出示健康码\nPlease show your health code"
60000 display "请看向测温区\nPlease face the thermometer"
60000 display "请再测一次体温\nPlease measure once more"
61000 display "体温异常 请在此等候 已通知值班人员 值班电话 0931-1\nTemperature too high: please wait here, staff are called. Duty phone 0931-1"
61000 led-red 1
61000 buzzer 1
61300 buzzer 0
61600 buzzer 1
61900 buzzer 0
62200 buzzer 1
62500 buzzer 0
64800 led-red 0
72000 display "请出示健康码\nPlease show your health code"
142000 display "请出示健康码\nPlease show your health code"
142000 display "请看向测温区\nPlease face the thermometer"
142000 display "请靠近重新测温\nPlease come closer and measure again"
143000 display "请靠近重新测温\nPlease come closer and measure again"
144000 led-green 1
144000 relay 1 seq=6
144000 display "绿码 体温正常 请通行\nGreen code, temperature normal: please enter"
147000 relay 0
147000 led-green 0
152000 display "请出示健康码\nPlease show your health code"'

# Every door opening names a committed, admitted entry.
grep ' relay 1' "$T/out.log" | sed 's/.*seq=//' | while read -r seq; do
	"$B/sentinelctl" entries --json --db "$T/gate.db" | grep -q "\"seq\": *$seq,.*\"decision\": *\"admit\"" ||
		echo "relay opened for seq $seq without an admitted entry"
done >"$T/orphans"
expect_eq "door openings without an admitted entry" "$(cat "$T/orphans")" ""

# The daemon's log names visits, never payloads.
for token in FixtureGreenToken0001 FixtureRedToken0002 FixtureYellowToken0003 620102 620105; do
	grep -q "$token" "$T/stderr" && fail "stderr contains payload text $token"
done
expect_eq "visit lines" "$(grep -c 'visit [0-9]*: ' "$T/stderr")" "7"

finish
