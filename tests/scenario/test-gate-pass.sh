#!/bin/sh
# SPDX-License-Identifier: MIT
# Visit passes issued at the home by a gate, and their revocation (issue
# 17; firmware/issuers/issuers.h).  Three gates of one home under the
# closed-mode rule set; the bureau registers them with the home:
# - gate A issues a pass with its own device key (`sentinelctl pass issue`)
#   and admits it itself at once; gates B and C, without the home's issuer
#   list yet, refer it (signature-invalid: another key);
# - B takes the issuer list from the stick (`export`, in/issuers-N.cose),
#   C from the online acknowledgement (`serve`, "issuers"): both admit the
#   pass, naming A as its issuer in the entry;
# - the bureau revokes A (`devices revoke`); C syncs by stick, B online:
#   both refer the pass with issuer-revoked, and the screen says why;
# - a handover of gate C (register --replace) moves the list to C's new
#   key: B refers a pass of C's old key (issuer-revoked) and admits one of
#   its new key; an older list is not taken again;
# - staff badges are not issued by a gate; a gate not enrolled issues
#   nothing.
# Against SQLite, and against PostgreSQL by test-bureau-pg.sh.
. tests/scenario/lib.sh
R=$ROOT/tests/fixtures/rules
command -v qrencode >/dev/null || { echo "SKIP: qrencode not installed (make deps)"; exit 77; }
[ -x "$B/sentinel-bureau" ] || { echo "SKIP: $B/sentinel-bureau not built"; exit 77; }
bureau_backend
case $B in /*) ;; *) B="$ROOT/$B" ;; esac
ctl=$B/sentinelctl
DB=$(bureau_db bureau) || exit 1
cp "$R/bureau.key" "$R/bureau.key.pub" "$T/"
bur() { "$B/sentinel-bureau" --db "$DB" --key "$T/bureau.key" "$@"; }

# Times around now: the online acknowledgement gives the gates the bureau's
# time, so each run's simulated clock starts after it (start = now + 1 min).
now=$(date -u +%s)
t() { date -u -d "@$((now + $1))" +%Y-%m-%dT%H:%M:%SZ; }
cat >"$T/rules.json" <<JSON
{"v": 2, "home": "阳光养老院", "version": 1, "mode": "closed", "fever_threshold_mdc": 37300, "colours": ["green"],
 "formats": ["healthcode"], "max_visitors": 5, "risk_regions": [], "staff": [], "max_test_age_days": 7,
 "valid_from": "$(t -86400)", "valid_until": "$(t 604800)", "hard_limit_ms": 604800000, "issued": "$(t -86400)"}
JSON
"$B/sentinel-bureau" --key "$T/bureau.key" policy sign --in "$T/rules.json" --out "$T/rules.cose" >/dev/null || fail "policy sign"
qrencode -s 8 -m 4 --foreground=00A651 -o "$T/green.png" "https://hc.example.cn/code?region=110105&t=GatePass" ||
	fail "qrencode"
qrencode -s 8 -m 4 --foreground=00A651 -o "$T/green2.png" "https://hc.example.cn/code?region=110105&t=GatePass2" ||
	fail "qrencode"
person() {	# IMAGES...: one person at the gate
	visit "$*" 36.5 10000 5000
	echo
}
entries() {	# DB: seq, decision, reasons, the pass's issuer
	"$ctl" entries --db "$1" --json | jq -r '[.seq, .decision, (.reasons | join(","))] | @tsv'
}
run_gate() {	# NAME N: gate NAME's run N (scenario: the pass and a green code), stderr NAME/errN
	sed -i "s/^start = .*/start = $(date -u -d '+1 min' +%Y-%m-%dT%H:%M:%SZ)/" "$T/$1/gate.conf"
	"$B/sentineld" -f -c "$T/$1/gate.conf" 2>"$T/$1/err$2" || fail "gate $1 run $2: $(cat "$T/$1/err$2")"
}

person "$T/pass-a.png" "$T/green.png" >"$T/visit.scn"
for g in a b c; do
	write_rules_conf "$T/$g" "$T/visit.scn" "$T/bureau.key.pub" keys/device.key
	sed -i "s/^device_id = .*/device_id = gate-$g/" "$T/$g/gate.conf"
	"$ctl" keys init --config "$T/$g/gate.conf" >/dev/null || fail "keys init $g"
	"$ctl" policy install --config "$T/$g/gate.conf" "$T/rules.cose" >/dev/null ||
		fail "policy install $g"
	bur register --device "gate-$g" --pub "$T/$g/keys/device.pub" --home 阳光养老院 >/dev/null ||
		fail "register $g"
done

# ---- gate A issues a pass ----
from=$(t -3600) until=$(t 14400)
out=$("$ctl" pass issue --config "$T/a/gate.conf" --id A-0001 --visitor 王五 --from "$from" --until "$until" \
	--out "$T/pass-a.png" --card "$T/pass-a-card.png")
expect_eq "pass issue: exit" "$?" "0"
expect_eq "pass issue" "$(echo "$out" | sed 's/, [0-9]* characters)$/, N characters)/')" \
	"pass A-0001: $T/pass-a.png, card $T/pass-a-card.png (visitor 王*, 1 entry, $from to $until, N characters)"
[ -s "$T/pass-a-card.png" ] || fail "no card written"
expect_run "a badge is the bureau's" 2 \
"sentinelctl: pass: usage: pass issue (see --help); staff badges are issued by the bureau
Try 'sentinelctl pass --help'." "$ctl" pass badge --config "$T/a/gate.conf"
sed "s#^device_id = gate-a\$#enrolment = $T/none.enrol#; /^home = /d" "$T/a/gate.conf" >"$T/unenrolled.conf"
out=$("$ctl" pass issue --config "$T/unenrolled.conf" --id X --visitor 王 --from 2026-11-29 --until 2026-11-30 \
	--out "$T/x.png" 2>&1)
expect_eq "not enrolled: exit" "$?" "1"
expect_eq "not enrolled" "$out" \
	"sentinelctl: pass: $T/unenrolled.conf: this gate is not enrolled: it issues no pass (sentinelctl enrol)"

# A admits its own pass; B and C, with no issuer list, do not know A's key.
run_gate a 1
expect_eq "gate A admits its own pass" "$(entries "$T/a/gate.db")" "1	admit	code-green,temp-normal"
run_gate b 1
run_gate c 1
for g in b c; do
	expect_eq "gate $g without the list" "$(entries "$T/$g/gate.db")" \
		"1	refer	signature-invalid,closed-mode,code-green,temp-normal"
done

# ---- B: the issuer list by stick ----
stick_export "$T/s1" "$T/export1.out" --db "$DB" --key "$T/bureau.key"
v1=$(sed -n 's#^issuers gate-b version \([0-9]*\): .*#\1#p' "$T/export1.out")
[ -n "$v1" ] || fail "export names no issuer list: $(cat "$T/export1.out")"
[ -f "$T/s1/mnt/sentinel/gate-b/in/issuers-$v1.cose" ] || fail "no issuer list on the stick"
sync_usb "$T/s1" "$T/b/gate.conf" >"$T/b/sync1" 2>&1
expect_eq "B sync usb: exit" "$?" "0"
expect_eq "B installs the list" "$(grep 'issuer lists:' "$T/b/sync1")" \
	"  issuer lists:      installed version $v1 (was 0): 3 gates sign passes, 0 keys revoked; sentineld takes it up before the next visit"
run_gate b 2
expect_eq "B takes the list up" "$(grep -o 'issuer list version.*' "$T/b/err2")" \
	"issuer list version $v1 of the bureau taken up: 3 gates sign passes, 0 keys revoked"

# ---- C: the issuer list online ----
serve_start "$T/serve" --db "$DB" --key "$T/bureau.key" serve --listen 127.0.0.1:0
for g in b c; do
	sed -i "s#^bureau_key = .*#&\nbureau_url = http://127.0.0.1:$port#" "$T/$g/gate.conf"
done
"$ctl" sync online --config "$T/c/gate.conf" >"$T/c/sync1" 2>&1
expect_eq "C sync online: exit" "$?" "0"
expect_eq "C installs the list" "$(grep 'issuer lists:' "$T/c/sync1")" \
	"  issuer lists:      installed version $v1 (was 0): 3 gates sign passes, 0 keys revoked; sentineld takes it up before the next visit"
run_gate c 2
for g in b c; do
	expect_eq "gate $g admits A's pass" "$(entries "$T/$g/gate.db" | tail -n 1)" "2	admit	code-green,temp-normal"
done
for g in b c; do
	expect_eq "gate $g logs the pass's issuer" \
		"$(sqlite3 "$T/$g/gate.db" "SELECT count(*) FROM entries WHERE detail LIKE '%\"pass_by\":\"gate-a\"%'")" "1"
done

# ---- the bureau revokes A ----
"$B/sentinel-bureau" --db "$DB" devices revoke --device gate-a --reason "board stolen" >/dev/null || fail "revoke"
# C by stick.
stick_export "$T/s2" "$T/export2.out" --db "$DB" --key "$T/bureau.key"
v2=$(sed -n 's#^issuers gate-c version \([0-9]*\): .*#\1#p' "$T/export2.out")
[ -n "$v2" ] && [ "$v2" -gt "$v1" ] || fail "the revocation did not make a newer list ($v1, $v2)"
sync_usb "$T/s2" "$T/c/gate.conf" >"$T/c/sync2" 2>&1
expect_eq "C sync usb: exit" "$?" "0"
expect_eq "C installs the revocation" "$(grep 'issuer lists:' "$T/c/sync2")" \
	"  issuer lists:      installed version $v2 (was $v1): 2 gates sign passes, 1 key revoked; sentineld takes it up before the next visit"
# B online.
"$ctl" sync online --config "$T/b/gate.conf" >"$T/b/sync2" 2>&1
expect_eq "B sync online: exit" "$?" "0"
expect_eq "B installs the revocation" "$(grep 'issuer lists:' "$T/b/sync2")" \
	"  issuer lists:      installed version $v2 (was $v1): 2 gates sign passes, 1 key revoked; sentineld takes it up before the next visit"
serve_stop
run_gate b 3
run_gate c 3
for g in b c; do
	expect_eq "gate $g refers the revoked gate's pass" "$(entries "$T/$g/gate.db" | tail -n 1)" \
		"3	refer	issuer-revoked,closed-mode,code-green,temp-normal"
	grep -qF '签发设备已撤销' "$T/$g/out.log" || fail "gate $g: the screen does not say the issuer was revoked"
done
# ---- a handover moves the list to the new key ----
# Gate C's pass under its first key, then C re-keyed (a new board): the
# bureau hands the gate over; B's next list names C's new key and revokes
# the old one.
"$ctl" pass issue --config "$T/c/gate.conf" --id C-OLD --visitor 赵六 --from "$from" --until "$until" \
	--out "$T/pass-c-old.png" >/dev/null || fail "pass issue c (old key)"
mv "$T/c/keys" "$T/c/keys.old" && mkdir "$T/c/keys"
"$ctl" keys init --config "$T/c/gate.conf" >/dev/null || fail "keys init c (new board)"
"$B/sentinel-bureau" --db "$DB" register --device gate-c --pub "$T/c/keys/device.pub" --replace \
	--reason "board broken" --by 李工 >/dev/null || fail "handover c"
"$ctl" pass issue --config "$T/c/gate.conf" --id C-NEW --visitor 赵六 --from "$from" --until "$until" \
	--out "$T/pass-c-new.png" >/dev/null || fail "pass issue c (new key)"
serve_start "$T/serve2" --db "$DB" --key "$T/bureau.key" serve --listen 127.0.0.1:0
sed -i "s#^bureau_url = .*#bureau_url = http://127.0.0.1:$port#" "$T/b/gate.conf"
"$ctl" sync online --config "$T/b/gate.conf" >"$T/b/sync3" 2>&1
expect_eq "B sync online after the handover: exit" "$?" "0"
v3=$(sed -n 's/^  issuer lists: *installed version \([0-9]*\) (was .*/\1/p' "$T/b/sync3")
[ -n "$v3" ] && [ "$v3" -gt "$v2" ] || fail "the handover did not make a newer list: $(cat "$T/b/sync3")"
expect_eq "B installs the handover" "$(grep 'issuer lists:' "$T/b/sync3")" \
	"  issuer lists:      installed version $v3 (was $v2): 2 gates sign passes, 2 keys revoked; sentineld takes it up before the next visit"
serve_stop
{ person "$T/pass-c-old.png" "$T/green.png"; person "$T/pass-c-new.png" "$T/green2.png"; } >"$T/handover.scn"
sed -i "s#^scenario = .*#scenario = $T/handover.scn#" "$T/b/gate.conf"
run_gate b 4
expect_eq "B: the replaced key's pass refused, the new key's admitted" "$(entries "$T/b/gate.db" | tail -n 2)" \
"4	refer	issuer-revoked,closed-mode,code-green,temp-normal
5	admit	code-green,temp-normal"

# An older list (the first stick's) is not taken again.
sync_usb "$T/s1" "$T/c/gate.conf" >"$T/c/sync3" 2>&1
expect_eq "an older list: kept" "$(grep 'issuer lists:' "$T/c/sync3")" \
	"  issuer lists:      not newer than the installed list: version $v1 is not newer than the installed version $v2"
finish
