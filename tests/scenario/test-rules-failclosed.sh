#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 14: a closed-mode gate fails closed and its credentials are bound to
# their home.
#  1. A gate that has had a rule set never falls back to "no rules": with
#     rules.cose overwritten it uses the kept copy; with every copy gone (or
#     the bureau key unreadable) every visit refers with rules-missing, an
#     alert is raised and the display says so.
#  2. A visit pass admits one visitor once per visit: shown by three people
#     15 s apart it admits the first (pass-used for the others); after an
#     exit it admits again up to its "uses", also across a restart; another
#     home's pass and badge admit no one (wrong-home).
#  4. A set valid from a later time waits pending and takes over when the
#     gate's trusted clock reaches it (not on an untrusted clock).
. tests/scenario/lib.sh
R=$ROOT/tests/fixtures/rules
command -v qrencode >/dev/null || { echo "SKIP: qrencode not installed (make deps)"; exit 77; }
[ -x "$B/sentinel-bureau" ] || { echo "SKIP: $B/sentinel-bureau not built"; exit 77; }

for n in 1 2 3 4 5 6 7 8 9 10 11 12; do
	qrencode -s 8 -m 4 --foreground=00A651 -o "$T/g$n.png" \
		"https://hc.example.cn/code?region=110105&t=FailClosed$n" || fail "qrencode"
done
issue_pass() {	# OUT HOME USES
	"$B/sentinel-bureau" --key "$R/bureau.key" pass issue --home "$2" --id "P-$3-$(basename "$1" .png)" \
		--visitor 王 --uses "$3" --from 2026-11-29T00:00:00Z --until 2026-11-29T04:00:00Z \
		--issued 2026-11-28T00:00:00Z --out "$1" >/dev/null || fail "pass issue $1"
}
issue_pass "$T/pass2.png" 阳光养老院 2
issue_pass "$T/elsewhere.png" 月亮养老院 1
"$B/sentinel-bureau" --key "$R/bureau.key" badge issue --home 月亮养老院 --ref S001 \
	--issued 2026-11-20T00:00:00Z --out "$T/badge-elsewhere.png" >/dev/null || fail "badge issue"

setup_gate() {	# DIR SCENARIO
	write_rules_conf "$1" "$2" "$R/bureau.key.pub"
}
person() {	# IMAGES...: one person at the gate, a line of its own
	visit "$*" 36.5 10000 5000
	echo
}
press_exit() {
	press exit-button 500
	printf '\nwait 5000\n'
}
rerun() {	# DIR N SCN [SED]: DIR's gate run N on scenario SCN (SED edits its configuration too), stderr DIR/errN
	sed -i "s|^scenario = .*|scenario = $3|${4:+; $4}" "$1/gate.conf"
	"$B/sentineld" -f -c "$1/gate.conf" 2>"$1/err$2" || fail "run $(basename "$1")$2"
}
entries() {	# DB
	"$B/sentinelctl" entries --db "$1" --json | jq -r '[.seq, .kind, .decision, (.reasons | join(","))] | @tsv'
}

# ---- 1. fail closed ----
{ person "$R/pass-P0001.png" "$T/g1.png"; person "$T/g2.png"; } >"$T/a1.scn"
setup_gate "$T/a" "$T/a1.scn"
"$B/sentinelctl" policy install --config "$T/a/gate.conf" --now 2026-11-29T00:00:00Z "$R/rules-v1.cose" \
	>/dev/null || fail "install v1"
"$B/sentineld" -f -c "$T/a/gate.conf" 2>"$T/a/err1" || fail "run a1"
# Overwritten: the kept copy keeps the gate closed.
printf 'not a rule set' >"$T/a/rules/rules.cose"
person "$T/g3.png" >"$T/a2.scn"
rerun "$T/a" 2 "$T/a2.scn"
grep -q "start: rules: $T/a/rules/rules.cose: .*; using the kept copy rules.kept.cose" "$T/a/err2" ||
	fail "the kept copy was not used: $(cat "$T/a/err2")"
# Every copy gone: rules-missing for everyone, staff too; an alert; shown.
rm -f "$T/a/rules/rules.cose" "$T/a/rules/rules.kept.cose"
{ person "$T/g4.png"; person "$R/badge-S001.png" "$T/g5.png"; } >"$T/a3.scn"
rerun "$T/a" 3 "$T/a3.scn"
# The bureau key unreadable: the same.
person "$T/g6.png" >"$T/a4.scn"
rerun "$T/a" 4 "$T/a4.scn" "s|^bureau_key = .*|bureau_key = $T/missing.pub|"
expect_eq "fail closed: entries" "$(entries "$T/a/gate.db")" "1	visitor	admit	code-green,temp-normal
2	visitor	refer	closed-mode,code-green,temp-normal
3	visitor	refer	closed-mode,code-green,temp-normal
4	visitor	refer	rules-missing,code-green,temp-normal
5	visitor	refer	rules-missing,code-green,temp-normal
6	visitor	refer	rules-missing,code-green,temp-normal"
grep -q "start: no rule set verifies (.*; last in force: version 1 (closed)): every visit is referred (rules-missing)" \
	"$T/a/err3" || fail "rules-missing not logged: $(cat "$T/a/err3")"
expect_eq "fail closed: alert" "$("$B/sentinelctl" alerts --db "$T/a/gate.db" --json | \
	jq -r 'select(.kind == "device-fault") | .detail' | sort -u)" \
	"rules: no rule set verifies, every visit referred (last: version 1 (closed))"
expect_eq "fail closed: shown" "$(grep -cF 'display "规则缺失 需工作人员核验 / Rule set missing: staff check everyone\n' \
	"$T/a/out.log")" "3"
# A gate that never had a rule set is not affected.
person "$T/g7.png" >"$T/n.scn"
setup_gate "$T/n" "$T/n.scn"
"$B/sentineld" -f -c "$T/n/gate.conf" 2>"$T/n/err" || fail "run n"
expect_eq "never had rules" "$(entries "$T/n/gate.db")" "1	visitor	admit	code-green,temp-normal"

# ---- 2. passes ----
{
	person "$R/pass-P0001.png" "$T/g1.png"	# 1 admit
	person "$R/pass-P0001.png" "$T/g2.png"	# 2 the same pass, another person: pass-used
	person "$R/pass-P0001.png" "$T/g3.png"	# 3 and a third
	press_exit
	person "$R/pass-P0001.png" "$T/g4.png"	# 4 after an exit, its one entry given: pass-used
	person "$T/pass2.png" "$T/g5.png"	# 5 a pass for 2 entries: admit
	person "$T/pass2.png" "$T/g6.png"	# 6 its holder inside: pass-used
	press_exit
	person "$T/pass2.png" "$T/g7.png"	# 7 after an exit: admit (re-entry)
	person "$T/elsewhere.png" "$T/g8.png"	# 8 another home's pass: wrong-home
	person "$T/badge-elsewhere.png" "$T/g9.png"	# 9 another home's badge: a visitor, wrong-home
} >"$T/b1.scn"
setup_gate "$T/b" "$T/b1.scn"
cp "$R/rules-v1.cose" "$T/b/rules/rules.cose"
"$B/sentineld" -f -c "$T/b/gate.conf" 2>"$T/b/err1" || fail "run b1"
# A restart: what the passes gave is read back from the log.
{ press_exit; person "$T/pass2.png" "$T/g10.png"; } >"$T/b2.scn"	# 10 2 entries given: pass-used
rerun "$T/b" 2 "$T/b2.scn" "s|^start = .*|start = 2026-11-29T01:00:00Z|"
expect_eq "passes: entries" "$(entries "$T/b/gate.db")" "1	visitor	admit	code-green,temp-normal
2	visitor	refer	pass-used,code-green,temp-normal
3	visitor	refer	pass-used,code-green,temp-normal
4	visitor	refer	pass-used,code-green,temp-normal
5	visitor	admit	code-green,temp-normal
6	visitor	refer	pass-used,code-green,temp-normal
7	visitor	admit	code-green,temp-normal
8	visitor	refer	wrong-home,closed-mode,code-green,temp-normal
9	visitor	refer	wrong-home,closed-mode,code-green,temp-normal
10	visitor	refer	pass-used,code-green,temp-normal"
expect_eq "passes: door openings" "$(grep -oE 'relay 1 seq=[0-9]+' "$T/b/out.log" | tr '\n' ' ')" \
	"relay 1 seq=1 relay 1 seq=5 relay 1 seq=7 "
grep -qF 'display "探视预约已使用 请等待工作人员 值班电话 0931-1\nvisit pass already used: please wait for staff. Duty phone 0931-1"' \
	"$T/b/out.log" || fail "pass-used not explained on the display"

# ---- 4. pending until valid_from ----
sed -e 's/"version": 2/"version": 3/' -e 's/"valid_from": "2026-11-28T00:00:00Z"/"valid_from": "2026-11-29T00:01:00Z"/' \
	"$R/rules-v2.json" >"$T/v3.json"
"$B/sentinel-bureau" --key "$R/bureau.key" policy sign --in "$T/v3.json" --out "$T/v3.cose" >/dev/null || fail "sign v3"
{ person "$T/g1.png"; printf 'wait 60000\n'; person "$T/g2.png"; } >"$T/c.scn"
for clk in trusted untrusted; do
	setup_gate "$T/c$clk" "$T/c.scn"
	sed -i "s/^clock = .*/clock = $clk/" "$T/c$clk/gate.conf"
	"$B/sentinelctl" policy install --config "$T/c$clk/gate.conf" --now 2026-11-29T00:00:00Z "$R/rules-v1.cose" \
		>/dev/null || fail "install v1 ($clk)"
	out=$("$B/sentinelctl" policy install --config "$T/c$clk/gate.conf" --now 2026-11-29T00:00:00Z "$T/v3.cose")
	expect_eq "v3 pending ($clk)" "$out" "rule set version 3 pending: valid from 2026-11-29T00:01:00Z (active version 1)"
	"$B/sentineld" -f -c "$T/c$clk/gate.conf" 2>"$T/c$clk/err" || fail "run c ($clk)"
done
expect_eq "pending: a trusted clock takes v3 at its time" \
	"$(sqlite3 "$T/ctrusted/gate.db" "SELECT seq, json_extract(detail, '\$.rules.version') FROM entries")" "1|1
2|3"
expect_eq "pending: an untrusted clock keeps v1" \
	"$(sqlite3 "$T/cuntrusted/gate.db" "SELECT seq, json_extract(detail, '\$.rules.version') FROM entries")" "1|1
2|1"
grep -q "valid_from: rule set version 3 (open, fresh)" "$T/ctrusted/err" || fail "promotion not logged"
finish
