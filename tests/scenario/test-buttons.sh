#!/bin/sh
# SPDX-License-Identifier: MIT
# The staff button overrides a refusal (a new entry, then the door), the exit
# button releases the door for leaving (no entry, no seq), the fire alarm
# holds the door released and suspends check-ins and overrides.
. tests/scenario/lib.sh

cat >"$T/b.scn" <<SCN
show $FIX/red.png
temp 36.5
presence 1
wait 6000
$(press button)
wait 2000
presence 0
wait 1000
$(press exit-button)
wait 1000
button fire-alarm 1
wait 100
presence 1
wait 5000
presence 0
wait 100
button button 1
wait 5000
button fire-alarm 0
SCN
write_conf "$T/b.conf" b.scn b.db out.log
sentineld_run "$T/b.conf" "exit status"
expect_eq "output log" "$(cat "$T/out.log")" '0 display "请出示健康码\nPlease show your health code"
0 display "请出示健康码\nPlease show your health code"
0 display "请看向测温区\nPlease face the thermometer"
0 display "红码 禁止入内 值班电话 0931-1\nRed code: entry refused. Duty phone 0931-1"
0 led-red 1
0 buzzer 1
200 buzzer 0
2200 led-red 0
6000 led-green 1
6000 relay 1 seq=2
6000 display "工作人员已放行 请通行\nAdmitted by staff: please enter"
9000 relay 0
9000 led-green 0
11000 display "请出示健康码\nPlease show your health code"
12000 relay 1
12000 display "请通行\nExit: please go through"
15000 relay 0
16000 relay 1
16000 display "火警 门已打开 请疏散\nFire alarm: door released, please evacuate"
16000 led-red 1
16000 buzzer 1
26200 buzzer 0
26200 led-red 0
26200 relay 0
26200 display "请出示健康码\nPlease show your health code"'
got=$("$B/sentinelctl" entries --json --db "$T/b.db" | sed -E 's/.*"seq": ([0-9]+).*"decision": "([a-z]+)", "reasons": \[([^]]*)\], "door": "([a-z]+)".*/\1 \2 \3 \4/; s/"//g')
expect_eq "entries" "$got" "1 deny code-red, temp-normal shut
2 admit code-red, override-admit, temp-normal opened"
expect_eq "daemon log" "$(sed 's/^sentineld: //' "$T/stderr" | grep -v '^started\|^board script')" \
"visit 1: entry 1: deny (code-red,temp-normal) code healthcode/red temp 36.5C door shut
staff override: entry 2: admit: door opened
exit: door released for leaving
FIRE ALARM: door released
fire alarm active: no check-in
staff button: fire alarm active; door shut
fire alarm cleared: door locked"
finish
