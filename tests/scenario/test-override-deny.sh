#!/bin/sh
# SPDX-License-Identifier: MIT
# The staff button after a referral (issue 8, sentineld(8)): one press admits
# when 2 s pass without a second one; a second press within 2 s of the first
# denies (a new entry: decision deny, override-deny, "override": {"by",
# "original": "refer"}; the door stays shut).  After a deny there is nothing
# to deny: one press admits at once (test-buttons.sh) and a second finds no
# visit.  Under a rule set the deny, like the admit, needs a staff badge.
. tests/scenario/lib.sh

# press_twice SHOW - a scenario's lines: a visitor showing SHOW (36.5 °C)
# for whom staff press the button twice, the second 500 ms after the first.
press_twice() {
	printf 'show %s\ntemp 36.5\npresence 1\nwait 6000\n%s\nwait 400\n%s\nwait 2000\npresence 0\nwait 2000' \
		"$1" "$(press button)" "$(press button)"
}

cat >"$T/d.scn" <<SCN
# 1 no code: referred; staff press twice (the second 500 ms after the first): deny
$(press_twice none)
# 2 no code again: one press; admitted when 2 s pass without a second
temp 36.6
presence 1
wait 6000
$(press button)
wait 5000
presence 0
wait 2000
# 3 a red code: denied already; the first press admits at once, the second finds nothing
$(press_twice "$FIX/red.png")
# 4 no code; a press, then the second after 2100 ms: too late, the first has admitted
show none
temp 36.7
presence 1
wait 6000
button button 1
wait 2100
button button 1
wait 3000
presence 0
wait 2000
# 5 no code; one press, then the next visitor arrives within the 2 s: the press admits first
temp 36.8
presence 1
wait 6000
button button 1
wait 500
presence 0
wait 500
show $FIX/green.png
presence 1
SCN
write_conf "$T/d.conf" d.scn d.db out.log
sentineld_run "$T/d.conf" "exit status"
expect_eq "entries" "$("$B/sentinelctl" entries --json --db "$T/d.db" | \
	jq -r '[.seq, .decision, (.reasons | join(",")), .door] | @tsv')" \
"1	refer	no-code,temp-normal	shut
2	deny	no-code,override-deny,temp-normal	shut
3	refer	no-code,temp-normal	shut
4	admit	no-code,override-admit,temp-normal	opened
5	deny	code-red,temp-normal	shut
6	admit	code-red,override-admit,temp-normal	opened
7	refer	no-code,temp-normal	shut
8	admit	no-code,override-admit,temp-normal	opened
9	refer	no-code,temp-normal	shut
10	admit	no-code,override-admit,temp-normal	opened
11	admit	code-green,temp-normal	opened"
# The override entries carry the first one's facts (temperature) and who overrode what.
expect_eq "details" "$(sqlite3 "$T/d.db" "SELECT seq, mono_ms, temp_dc, json_extract(detail, '\$.override') FROM entries WHERE seq IN (1, 2, 3, 4, 6) ORDER BY seq")" \
'1|2000|365|
2|6500|365|{"by":"button","original":"refer"}
3|14500|366|
4|20500|366|{"by":"button","original":"refer"}
6|31600|365|{"by":"button","original":"deny"}'
# 1: the deny at the second press (6500), the door shut: red light, no relay.
expect_eq "output log of visit 1" "$(awk '$1 < 12500' "$T/out.log")" \
'0 display "请出示健康码\nPlease show your health code"
0 display "请出示健康码\nPlease show your health code"
2000 display "请看向测温区\nPlease face the thermometer"
2000 display "未识别到健康码 请等待工作人员 值班电话 0931-1\nNo health code read: please wait for staff. Duty phone 0931-1"
2000 led-red 1
2000 buzzer 1
2200 buzzer 0
4200 led-red 0
6500 display "工作人员已拒绝入内\nRefused by staff"
6500 led-red 1
8500 led-red 0
10500 display "请出示健康码\nPlease show your health code"'
# 2: pressed at 18500, admitted at 20500; 4: pressed at 45100, admitted at 47100 (the second
# press, 2100 ms after the first, comes too late); 5: pressed at 61100, admitted when the next
# visitor arrives (62100), before the 2 s are up.
expect_eq "door openings" "$(grep -oE '^[0-9]+ relay 1 seq=[0-9]+' "$T/out.log" | tr '\n' ' ')" \
	"20500 relay 1 seq=4 31600 relay 1 seq=6 47100 relay 1 seq=8 62100 relay 1 seq=10 65100 relay 1 seq=11 "
expect_eq "daemon log" "$(sed 's/^sentineld: //' "$T/stderr" | grep -v '^started\|^board script')" \
"visit 1: entry 1: refer (no-code,temp-normal) code none/unknown temp 36.5C door shut
staff override: entry 2: deny: door shut
visit 2: entry 3: refer (no-code,temp-normal) code none/unknown temp 36.6C door shut
staff override: entry 4: admit: door opened
visit 3: entry 5: deny (code-red,temp-normal) code healthcode/red temp 36.5C door shut
staff override: entry 6: admit: door opened
staff button: no refused visit to override; door shut
visit 4: entry 7: refer (no-code,temp-normal) code none/unknown temp 36.7C door shut
staff override: entry 8: admit: door opened
staff button: no refused visit to override; door shut
visit 5: entry 9: refer (no-code,temp-normal) code none/unknown temp 36.8C door shut
staff override: entry 10: admit: door opened
visit 6: entry 11: admit (code-green,temp-normal) code healthcode/green temp 36.8C door opened"

# Under the bureau's rule set (v1, closed mode): a visitor without a pass is referred; two
# presses and staff S001's badge deny, recorded with S001.
R=$ROOT/tests/fixtures/rules
cat >"$T/r.scn" <<SCN
$(visit "$R/green-a.png" 36.5)
show $R/badge-S001.png
button button 1
wait 300
button button 1
SCN
write_rules_conf "$T/r" "$T/r.scn" "$R/bureau.key.pub"
"$B/sentinelctl" policy install --config "$T/r/gate.conf" --now 2026-11-29T00:00:00Z "$R/rules-v1.cose" \
	>/dev/null || fail "install v1"
"$B/sentineld" -f -c "$T/r/gate.conf" 2>"$T/r/stderr"
expect_eq "rules: exit status" "$?" "0"
expect_eq "rules: entries" "$("$B/sentinelctl" entries --json --db "$T/r/gate.db" | \
	jq -r '[.seq, .decision, (.reasons | join(",")), .door] | @tsv')" \
"1	refer	closed-mode,code-green,temp-normal	shut
2	deny	closed-mode,override-deny,code-green,temp-normal	shut"
expect_eq "rules: detail of the deny" \
	"$(sqlite3 "$T/r/gate.db" "SELECT json_remove(detail, '\$.measure') FROM entries WHERE seq = 2")" \
	'{"rules":{"version":1,"stale":false},"override":{"by":"S001","original":"refer"}}'
grep -qF 'display "请工作人员出示工作证\nStaff: please show your badge"' "$T/r/out.log" || fail "rules: no badge prompt"
grep -qF 'display "工作人员已拒绝入内\nRefused by staff"' "$T/r/out.log" || fail "rules: no refusal shown"
grep -q 'relay 1' "$T/r/out.log" && fail "rules: the door opened"
grep -E 'S001|SNB1' "$T/r/stderr" && fail "rules: personal data in the daemon's log"
finish
