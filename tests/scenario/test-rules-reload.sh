#!/bin/sh
# SPDX-License-Identifier: MIT
# A rule set installed mid-queue on the running daemon (issue 8): sentineld
# runs on the simulated board under tests/fixtures/rules/rules-v1 (closed
# mode); while visitor 2 is being checked, `sentinelctl policy install`
# installs rules-v2 (open mode, at most 1 visitor inside) and the daemon gets
# SIGHUP.  Visitors 1 and 2 are decided by v1 (referred, closed-mode), the
# switch happens between visits, visitors 3 and 4 by v2 (admitted, then the
# cap); every visit runs to its end and each entry records its set's version
# (detail "rules": {"version": N}).
#
# Timing: the sim runs on a virtual clock, so a scenario's minutes pass in
# milliseconds of real time and a test that installed the file and sent
# SIGHUP "meanwhile" would race the daemon.  Instead the scenario says
# `signal stop` 500 ms (virtual) into visitor 2's visit, whose first
# reading is implausible (a cold forehead): the board raises SIGSTOP on the
# daemon itself when the visit takes its second reading 1000 ms in, that is
# in the middle of the visit.  The test waits until the daemon is stopped,
# installs v2, sends SIGHUP with kill and lets it go on with SIGCONT.  The
# SIGHUP stays pending in the daemon's signalfd until its wait loop reads it,
# after visitor 2's visit: the outcome is the same on every run.
. tests/scenario/lib.sh
R=$ROOT/tests/fixtures/rules
command -v qrencode >/dev/null || { echo "SKIP: qrencode not installed (make deps)"; exit 77; }

for n in 1 2 3 4; do
	qrencode -s 8 -m 4 --foreground=00A651 -o "$T/g$n.png" \
		"https://hc.example.cn/code?region=110105&t=ReloadScenario$n" || fail "qrencode"
done

cat >"$T/q.scn" <<SCN
# 1 a visitor without a pass, under v1 (closed): refer
$(visit "$T/g1.png" 36.5)
# 2 the same under v1, a cold forehead first (measured again 1 s later); mid-visit, at
#   that second reading, the daemon is frozen: the test installs v2 and sends SIGHUP
$(frozen_visit "$T/g2.png")
# 3 under v2 (open, at most 1 inside): admit
$(visit "$T/g3.png" 36.5)
# 4 under v2: the cap
show $T/g4.png
temp 36.4
presence 1
wait 10000
presence 0
SCN

write_rules_conf "$T/g" "$T/q.scn" "$R/bureau.key.pub"
"$B/sentinelctl" policy install --config "$T/g/gate.conf" --now 2026-11-29T00:00:00Z "$R/rules-v1.cose" \
	>/dev/null || fail "install v1"

sentineld_frozen "$T/g/gate.conf"
expect_eq "frozen in visit 2, before its entry" \
	"$(grep -oE 'visit [0-9]+: entry [0-9]+' "$T/g/stderr" | tr '\n' ' ')" "visit 1: entry 1 "
"$B/sentinelctl" policy install --config "$T/g/gate.conf" --now 2026-11-29T00:00:00Z "$R/rules-v2.cose" \
	>/dev/null || fail "install v2 while sentineld runs"
kill -HUP "$pid" || fail "SIGHUP"
sentineld_resume

expect_eq "the reload comes between visits 2 and 3" \
	"$(grep -oE 'start: rule set version [0-9]+|visit [0-9]+: entry [0-9]+|SIGHUP: rule set version [0-9]+' "$T/g/stderr")" \
	"start: rule set version 1
visit 1: entry 1
visit 2: entry 2
SIGHUP: rule set version 2
visit 3: entry 3
visit 4: entry 4"
expect_eq "decisions and rule set versions" \
	"$("$B/sentinelctl" entries --db "$T/g/gate.db" --json | \
		jq -r '[.seq, .decision, (.reasons | join(",")), .door] | @tsv')
$(sqlite3 "$T/g/gate.db" "SELECT seq, json_extract(detail, '\$.rules.version'), mono_ms FROM entries ORDER BY seq")" \
	"1	refer	closed-mode,code-green,temp-normal	shut
2	refer	closed-mode,code-green,temp-normal	shut
3	admit	code-green,temp-normal	opened
4	refer	capacity,code-green,temp-normal	shut
1|1|0
2|1|13000
3|2|24000
4|2|36000"
# Visit 2 ran to its end across the stop and the install: asked to measure again, measured at
# 13000 ms (where it was frozen), decided under v1, shown, its red light on and off.
expect_eq "visit 2's outputs" "$(awk '$1 >= 12000 && $1 < 24000' "$T/g/out.log")" \
	'12000 display "请出示健康码\nPlease show your health code"
12000 display "请看向测温区\nPlease face the thermometer"
12000 display "请靠近重新测温\nPlease come closer and measure again"
13000 display "封闭管理 需有效探视预约 请等待工作人员 值班电话 0931-1\nclosed management: a valid visit pass is needed: please wait for staff. Duty phone 0931-1"
13000 led-red 1
13000 buzzer 1
13200 buzzer 0
15200 led-red 0
22000 display "请出示健康码\nPlease show your health code"'
expect_eq "no visit failed" "$(grep -c 'scanner failure\|NO ENTRY' "$T/g/stderr")" "0"
expect_eq "door openings" "$(grep -oE 'relay 1 seq=[0-9]+' "$T/g/out.log" | tr '\n' ' ')" "relay 1 seq=3 "
finish
