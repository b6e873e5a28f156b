#!/bin/sh
# SPDX-License-Identifier: MIT
# Closed management on the simulated board (issue 8), with the bureau's rule
# set tests/fixtures/rules/rules-v1 (closed mode, staff S001 tested
# 2026-11-27, S002 tested 2026-11-21, risk region 620100, valid until
# 2026-12-06): a closed-mode morning with staff and a pre-approved visitor, a
# visitor without a pass, a staff member whose test is 8 days old and the
# override of that referral by another staff member's badge, a visitor from a
# risk region, an override without a badge; a tampered rule set refused with
# nothing changed; and the same queue under a stale set.
. tests/scenario/lib.sh
R=$ROOT/tests/fixtures/rules
command -v qrencode >/dev/null || { echo "SKIP: qrencode not installed (make deps)"; exit 77; }

# Green health codes of region 110105 (not at risk), one token each.
for n in 1 2 3 4 5; do
	qrencode -s 8 -m 4 --foreground=00A651 -o "$T/g$n.png" \
		"https://hc.example.cn/code?region=110105&t=RulesScenario$n" || fail "qrencode"
done

cat >"$T/day.scn" <<SCN
# 1 staff S001: badge, then the health code (two scans): admit, kind staff
show $R/badge-S001.png $T/g1.png
temp 36.5
presence 1
wait 10000
presence 0
wait 2000
# 2 a pre-approved visitor: pass and health code
show $R/pass-P0001.png $T/g2.png
temp 36.6
presence 1
wait 10000
presence 0
wait 2000
# SIGHUP between visitors: the rule set is read again (the same one here; a
# new one installed mid-queue: tests/test_checkin_rules.c)
signal hup
# 3 a visitor without a pass: refer, closed-mode
$(visit "$T/g3.png" 36.4)
# 4 staff S002, whose last test is 8 days old: refer, staff-test-overdue
show $R/badge-S002.png $T/g4.png
temp 36.7
presence 1
wait 10000
presence 0
wait 2000
# 5a S002's own badge does not override S002's referral (30 s, then refused)
show $R/badge-S002.png
$(press button 500)
wait 40000
# 5b staff S001 overrides it: button, then badge
show $R/badge-S001.png
$(press button 500)
wait 8000
# 6 a visitor from a risk region (620102 is in 620100) with the pass visitor 2
# came in with, still inside: refer (risk-region, pass-used)
show $R/pass-P0001.png $ROOT/tests/fixtures/scenario/green.png
temp 36.5
presence 1
wait 10000
presence 0
wait 2000
# 7 the button without a badge: no override
show none
$(press button 500)
wait 40000
# 8 a badge from another bureau: a visitor with signature-invalid (and no pass)
show $R/badge-S001-other.png $T/g5.png
temp 36.5
presence 1
wait 10000
presence 0
SCN

# The same queue without the two 30-second badge scans of refused overrides (5a, 7),
# for the stale and expired runs.
awk '/^# 5a /{skip=1} /^# 5b /{skip=0} /^# 7 /{skip=1} /^# 8 /{skip=0} !skip' "$T/day.scn" >"$T/short.scn"

setup_gate() {	# DIR START [SCENARIO]
	scn=${3:-$T/day.scn}
	write_rules_conf "$1" "$scn" "$R/bureau.key.pub"
	sed -i "s/^start = .*/start = $2/" "$1/gate.conf"
}

setup_gate "$T/a" 2026-11-29T00:00:00Z
"$B/sentinelctl" policy install --config "$T/a/gate.conf" --now 2026-11-29T00:00:00Z "$R/rules-v1.cose" \
	>/dev/null || fail "install v1"

# A tampered set (one byte flipped) is refused; the active file is unchanged.
cp "$T/a/rules/rules.cose" "$T/before.cose"
out=$("$B/sentinelctl" policy install --config "$T/a/gate.conf" --now 2026-11-29T00:00:00Z \
	"$R/rules-v2-tampered.cose" 2>&1)
expect_eq "tampered set: exit" "$?" "1"
expect_eq "tampered set: message" "$out" \
	"sentinelctl: policy: $R/rules-v2-tampered.cose: refused: signature: signature does not verify"
cmp -s "$T/before.cose" "$T/a/rules/rules.cose" || fail "the tampered install changed rules.cose"

"$B/sentineld" -f -c "$T/a/gate.conf" 2>"$T/a/stderr"
expect_eq "sentineld exit status" "$?" "0"
expect_eq "rule set loaded at start and at SIGHUP, between visits" \
	"$(grep -oE 'start: rule set version 1 \(closed, fresh\)|visit [0-9]+: entry|SIGHUP: rule set version 1' "$T/a/stderr" | head -5)" \
	"start: rule set version 1 (closed, fresh)
visit 1: entry
visit 2: entry
SIGHUP: rule set version 1
visit 3: entry"

entries=$("$B/sentinelctl" entries --db "$T/a/gate.db" --json | \
	jq -r '[.seq, .kind, .decision, (.reasons | join(",")), .door] | @tsv')
expect_eq "entries" "$entries" "1	staff	admit	code-green,temp-normal	opened
2	visitor	admit	code-green,temp-normal	opened
3	visitor	refer	closed-mode,code-green,temp-normal	shut
4	staff	refer	staff-test-overdue,code-green,temp-normal	shut
5	staff	admit	staff-test-overdue,override-admit,code-green,temp-normal	opened
6	visitor	refer	pass-used,risk-region,code-green,temp-normal	shut
7	visitor	refer	signature-invalid,closed-mode,code-green,temp-normal	shut"

details=$(sqlite3 "$T/a/gate.db" "SELECT seq, json_remove(detail, '\$.measure') FROM entries ORDER BY seq")
expect_eq "detail records" "$details" '1|{"staff":"S001","rules":{"version":1,"stale":false}}
2|{"pass":"P-0001","rules":{"version":1,"stale":false}}
3|{"rules":{"version":1,"stale":false}}
4|{"staff":"S002","rules":{"version":1,"stale":false}}
5|{"staff":"S002","rules":{"version":1,"stale":false},"override":{"by":"S001","original":"refer"}}
6|{"pass":"P-0001","rules":{"version":1,"stale":false}}
7|{"rules":{"version":1,"stale":false}}'

# (the output log writes a message's line break as \n)
grep -qF 'display "核酸检测自 2026-11-28 起超期 请等待工作人员 值班电话 0931-1\ntest overdue since 2026-11-28: please wait for staff. Duty phone 0931-1"' "$T/a/out.log" ||
	fail "no overdue message"
expect_eq "badge prompts (5a, 5b, 7)" "$(grep -cF 'display "请工作人员出示工作证\nStaff: please show your badge"' "$T/a/out.log")" "3"
expect_eq "overrides refused after 30 s (5a: own badge, 7: none)" \
	"$(grep -cF 'display "未读取到工作证 未放行\nNo staff badge read: not admitted"' "$T/a/out.log")" "2"
expect_eq "log lines of the refused overrides" \
	"$(grep -c "staff button: no staff badge on the roster was shown for the override; door shut" "$T/a/stderr")" "2"
expect_eq "door openings" "$(grep -oE 'relay 1 seq=[0-9]+' "$T/a/out.log" | tr '\n' ' ')" \
	"relay 1 seq=1 relay 1 seq=2 relay 1 seq=5 "
# Nothing personal in the daemon's log: no staff references, names, pass ids, tokens.
if grep -E 'S00[12]|P-0001|王|张|李|RulesScenario|SNB1' "$T/a/stderr"; then
	fail "personal data in the daemon's log"
fi

# The same queue a day after the set's validity: every entry rules-stale, shown on the display;
# at the hard limit unattended admission stops.
setup_gate "$T/b" 2026-12-06T01:00:00Z "$T/short.scn"
cp "$R/rules-v1.cose" "$T/b/rules/rules.cose"
"$B/sentineld" -f -c "$T/b/gate.conf" 2>"$T/b/stderr"
expect_eq "stale: exit status" "$?" "0"
n=$("$B/sentinelctl" entries --db "$T/b/gate.db" --json | jq -r 'select(.reasons | index("rules-stale")) | .seq' | wc -l)
expect_eq "stale: every entry rules-stale" "$n" "7"
# Every decision message (six visits; the override shows its own) says so.
expect_eq "stale: shown on every decision" "$(grep -cF 'display "规则已过期 / Rules stale\n' "$T/b/out.log")" "6"
# (S001's test of 2026-11-27 is overdue by now too; the gate keeps working: the override admits.)
expect_eq "stale: the override still admits" \
	"$("$B/sentinelctl" entries --db "$T/b/gate.db" --json | jq -r 'select(.seq == 5) | .decision')" "admit"

setup_gate "$T/c" 2026-12-13T01:00:00Z "$T/short.scn"
cp "$R/rules-v1.cose" "$T/c/rules/rules.cose"
"$B/sentineld" -f -c "$T/c/gate.conf" 2>"$T/c/stderr"
# Past the hard limit no unattended admission: everything refers; only the staff override admits.
expect_eq "expired: decisions" "$("$B/sentinelctl" entries --db "$T/c/gate.db" --json | \
	jq -r 'select(.reasons | index("override-admit") | not) | .decision' | sort -u)" "refer"
grep -qF 'display "规则已过期 需工作人员核验 / Rules expired: staff check everyone\n' "$T/c/out.log" ||
	fail "expired not shown"

# Occupancy survives a restart: open mode with at most one visitor inside (v2).
setup_gate "$T/d" 2026-11-29T02:00:00Z
cp "$R/rules-v2.cose" "$T/d/rules/rules.cose"
cat >"$T/d1.scn" <<SCN
show $T/g1.png
temp 36.5
presence 1
wait 10000
presence 0
SCN
cat >"$T/d2.scn" <<SCN
$(visit "$T/g2.png" 36.5)
$(press exit-button 500)
wait 5000
show $T/g3.png
presence 1
wait 10000
presence 0
SCN
sed -i "s|^scenario = .*|scenario = $T/d1.scn|" "$T/d/gate.conf"
"$B/sentineld" -f -c "$T/d/gate.conf" 2>"$T/d/stderr1" || fail "run d1"
sed -i "s|^scenario = .*|scenario = $T/d2.scn|" "$T/d/gate.conf"
"$B/sentineld" -f -c "$T/d/gate.conf" 2>"$T/d/stderr2" || fail "run d2"
expect_eq "cap across a restart, then an exit" \
	"$("$B/sentinelctl" entries --db "$T/d/gate.db" --json | jq -r '[.seq, .decision, (.reasons | join(","))] | @tsv')" \
	"1	admit	code-green,temp-normal
2	refer	capacity,code-green,temp-normal
3	admit	code-green,temp-normal"

# A visit pass issued for a full name carries only the masked name (the QR
# code is readable by anyone), and the gate admits its holder.
if [ -x "$B/sentinel-bureau" ]; then
	out=$("$B/sentinel-bureau" --key "$R/bureau.key" pass issue --home 阳光养老院 --id P-Z --visitor '张三' \
		--from 2026-11-29T00:00:00Z --until 2026-11-29T02:00:00Z --issued 2026-11-28T08:00:00Z \
		--out "$T/pass-z.png" 2>&1)
	expect_eq "pass for a full name: exit" "$?" "0"
	case $out in "pass P-Z: $T/pass-z.png (visitor 张*, "*" characters)") ;;
	*) fail "pass for a full name: summary: $out" ;; esac
	qr=$("$B/sentinelctl" scan --json "$T/pass-z.png" | jq -r '.codes[0].text')
	expect_eq "the pass's QR holds the masked name only" "$(python3 - "$qr" <<'PY'
import sys
C = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
s = sys.argv[1]
assert s.startswith("SNB1:"), s
s = s[5:]
out = bytearray()
for i in range(0, len(s), 3):
    ch = s[i:i + 3]
    v = sum(C.index(c) * 45 ** k for k, c in enumerate(ch))
    out += v.to_bytes(2 if len(ch) == 3 else 1, "big")
print("masked" if "张*".encode() in out and "三".encode() not in out else "NOT masked")
PY
)" "masked"
	out=$("$B/sentinel-bureau" --key "$R/bureau.key" pass issue --home 阳光养老院 --id P-Y --visitor '	' \
		--from 2026-11-29T00:00:00Z --until 2026-11-29T02:00:00Z --out "$T/pass-y.png" 2>&1)
	expect_eq "pass for no name: exit" "$?" "2"
	expect_eq "pass for no name: message" "$out" \
		"sentinel-bureau: pass: --visitor: not a name (1-95 bytes of printable UTF-8 text)
Try 'sentinel-bureau --help'."
	[ ! -e "$T/pass-y.png" ] || fail "a pass for no name was written"
	setup_gate "$T/e" 2026-11-29T00:30:00Z "$T/e.scn"
	cp "$R/rules-v1.cose" "$T/e/rules/rules.cose"
	cat >"$T/e.scn" <<SCN
show $T/pass-z.png $T/g2.png
temp 36.6
presence 1
wait 10000
presence 0
SCN
	"$B/sentineld" -f -c "$T/e/gate.conf" 2>"$T/e/stderr" || fail "run e"
	expect_eq "the masked pass admits its holder" \
		"$("$B/sentinelctl" entries --db "$T/e/gate.db" --json | jq -r '[.seq, .kind, .decision, (.reasons | join(","))] | @tsv')" \
		"1	visitor	admit	code-green,temp-normal"
	expect_eq "the masked pass in the detail" \
		"$(sqlite3 "$T/e/gate.db" "SELECT json_extract(detail, '\$.pass') FROM entries")" "P-Z"
fi

finish
