#!/bin/sh
# SPDX-License-Identifier: MIT
# Registration with a resident ID card on the simulated reader (the real
# serial driver over a pseudo-terminal): a walk-in registers by card and is
# admitted with the masked name and the last four characters; a wrong check
# digit refers (id-invalid), an expired card refers (id-expired); a visitor
# who places no card is referred (id-missing), as is one whose reader
# answers garbage, which is also a device-fault event.  Nothing of the full name or
# the full number reaches the log database, its WAL, stderr, the output
# log or an export, in UTF-8, UCS-2 or GB 18030.  The full record is sealed
# to the bureau's key beside its entry, the entry's detail record carries
# its SHA-256, and after [retention] personal_days the records are removed,
# the removal recorded, and the log still verifies.
. tests/scenario/lib.sh

"$B/sentinel-bureau" keys init --key "$T/bureau.key" >/dev/null || fail "bureau keys init"

# A find-card answer with a wrong checksum (9B is right).
printf '\252\252\252\226\151\000\004\000\000\237\000' >"$T/broken.bin"
cat >"$T/card.scn" <<SCN
# 1 a walk-in with a valid card: admit, registered
$(card_visit "name=张三丰 number=11010519491231002X from=20200101 to=20400101")
# 2 a number whose check digit is wrong: refer
$(card_visit "name=李小四 number=110105194912310021 from=20200101 to=20400101")
# 3 an expired card: refer
$(card_visit "name=王五 number=440524188001010014 from=20051231 to=20251231")
# 4 no card placed: not registered, refer
$(card_visit "none")
# 5 the reader answers garbage: a device fault, not registered, refer
$(card_visit "frames broken.bin")
SCN
write_idcard_conf "$T/gate.conf" card.scn "$T/bureau.key.pub"
printf '\n[retention]\npersonal_days = 28\n' >>"$T/gate.conf"

sentineld_run "$T/gate.conf" "sentineld exit status"

got=$(decisions "$T/gate.db")
expect_eq "decisions" "$got" "admit code-green,temp-normal
refer id-invalid,code-green,temp-normal
refer id-expired,code-green,temp-normal
refer id-missing,code-green,temp-normal
refer id-missing,code-green,temp-normal"
got=$(sqlite3 "$T/gate.db" "SELECT seq, coalesce(subject, '-'), coalesce(json_extract(detail, '\$.idcard.last4'), '-') FROM entries ORDER BY seq")
expect_eq "subjects and last four" "$got" "1|张*|002X
2|李*|0021
3|王*|0014
4|-|-
5|-|-"
# The three cards read are sealed beside their entries; each entry's detail
# carries the SHA-256 of its sealed record (the chain covers the digest).
got=$(python3 - "$T/gate.db" <<'PY'
import hashlib, json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for seq, sealed, detail in db.execute(
        "SELECT p.seq, p.sealed, e.detail FROM personal p JOIN entries e USING (seq) ORDER BY p.seq"):
    ok = json.loads(detail)["idcard"]["sealed"] == hashlib.sha256(sealed).hexdigest()
    print(seq, sealed[:4].decode(), "digest" if ok else "MISMATCH")
PY
)
expect_eq "sealed records" "$got" "1 SNE1 digest
2 SNE1 digest
3 SNE1 digest"
got=$(sqlite3 "$T/gate.db" "SELECT detail FROM events WHERE kind = 'device-fault'")
expect_eq "reader fault event" "$got" "idreader: answer to find card has a wrong checksum"
expect_eq "asked for the card" "$(grep -c 'display "请将身份证放在读卡区' "$T/out.log")" "5"
# The visitors with no card read are told why on the screen (in both languages).
expect_eq "told: no card read" "$(grep -c 'display "未读取身份证 请等待工作人员.*no ID card read: please wait for staff' \
	"$T/out.log")" "2"

# Where staff review entries, the masked name with the last four: the table, JSON
# (idcard_last4, after the keys of interfaces.md), CSV (a last column idcard_last4),
# the exports and the report.
expect_eq "entries: the table's subjects" \
	"$("$B/sentinelctl" entries --db "$T/gate.db" | grep -oE '(张|李|王)\* [0-9X]{4}' | tr '\n' ' ')" \
	"张* 002X 李* 0021 王* 0014 "
expect_eq "entries --json: idcard_last4" \
	"$("$B/sentinelctl" entries --json --db "$T/gate.db" | jq -r '.idcard_last4 // "-"' | tr '\n' ' ')" \
	"002X 0021 0014 - - "
expect_eq "entries --csv: idcard_last4" \
	"$("$B/sentinelctl" entries --csv --db "$T/gate.db" | tr -d '\r' | awk -F, '{ n = NF - 1; print $n }' | tr '\n' ' ')" \
	"idcard_last4 002X 0021 0014   "

# The full name and number, in every encoding, nowhere.
"$B/sentinelctl" entries --json --detail --db "$T/gate.db" >"$T/entries.json" || fail "entries --json"
"$B/sentinelctl" entries --csv --db "$T/gate.db" >"$T/entries.csv" || fail "entries --csv"
"$B/sentinelctl" export --format csv --output "$T/export.csv" --db "$T/gate.db" >/dev/null || fail "export csv"
"$B/sentinelctl" export --format json --output "$T/export.json" --db "$T/gate.db" >/dev/null || fail "export json"
TZ=CST-8 "$B/sentinelctl" report --day 2026-11-29 --output "$T/report.html" --db "$T/gate.db" \
	>/dev/null || fail "report"
grep -q '张\*' "$T/entries.json" || fail "the masked name is not in the export"
expect_eq "export csv: idcard_last4" "$(tr -d '\r' <"$T/export.csv" | awk -F, 'NR > 1 { n = NF - 1; print $n }' | tr '\n' ' ')" \
	"002X 0021 0014   "
expect_eq "export json: idcard_last4" "$(jq -r '.idcard_last4 // "-"' "$T/export.json" | tr '\n' ' ')" \
	"002X 0021 0014 - - "
expect_eq "report: the referred with their last four" \
	"$(grep -oE '<td class=\"subject\">[^<]*' "$T/report.html" | sed 's/.*>//' | tr '\n' ' ')" \
	"李* 0021 王* 0014 — — "
expect_no_card_values "张三丰 11010519491231002X 李小四 110105194912310021" "$T/gate.db" "$T/gate.db-wal" \
	"$T/stderr" "$T/out.log" "$T/entries.json" "$T/entries.csv" "$T/export.csv" "$T/export.json" "$T/report.html"

# 29 days later: the gate's start removes the sealed records (older than 28
# days), with no visitor; the entries stay and the log verifies.
cat >"$T/later.scn" <<SCN
wait 1000
SCN
sed -e "s#^scenario = .*#scenario = later.scn#" -e "s#^start = .*#start = 2026-12-28T00:00:00Z#" \
	"$T/gate.conf" >"$T/later.conf"
"$B/sentineld" -f -c "$T/later.conf" 2>>"$T/stderr"
expect_eq "sentineld later exit status" "$?" "0"
expect_eq "sealed records after the retention" "$(sqlite3 "$T/gate.db" "SELECT count(*) FROM personal")" "0"
expect_eq "the purge recorded" "$(sqlite3 "$T/gate.db" "SELECT count, cutoff_utc_ms FROM personal_purges")" \
	"3|$(( ($(date -ud 2026-12-28T00:00:00Z +%s) - 28 * 86400) * 1000 ))"
expect_eq "entries kept" "$(sqlite3 "$T/gate.db" "SELECT count(*) FROM entries")" "5"
"$B/sentinelctl" verify-log --db "$T/gate.db" >"$T/verify.out" 2>&1
expect_eq "verify-log after the purge" "$?" "0"

# The repeat window (60 s) under register = idcard, no rule set: the same
# screen again with the same card is one visit (the door opens again for
# entry 1, no entry); with another card it is another visitor, a new entry
# (marked duplicate); with no card after a card, a new entry referred
# id-missing; a refusal with no card repeated with no card is one visit.
cat >"$T/repeat.scn" <<SCN
# 1 张三 with the green screen: admit
card name=张三 number=11010519491231002X from=20200101 to=20400101
$(visit "$FIX/green.png" 36.5 12000 3000)
# 2 张三 again, the same card: the first decision repeated
$(visit "$FIX/green.png" 36.5 12000 3000)
# 3 李四 shows the same screen within the minute: registered, a new entry
card name=李四 number=62010219480315011X from=20200101 to=20400101
$(visit "$FIX/green.png" 36.6 12000 3000)
# 4 someone with no card and the same screen: referred, a new entry
card none
$(visit "$FIX/green.png" 36.6 12000 3000)
# 5 again with no card: the refusal repeated
$(visit "$FIX/green.png" 36.6 12000 3000)
SCN
mkdir -p "$T/r"
sed -e "s#^scenario = .*#scenario = $T/repeat.scn#" -e "s#^output = .*#output = out.log#" "$T/gate.conf" >"$T/r/gate.conf"
"$B/sentineld" -f -c "$T/r/gate.conf" 2>"$T/r/stderr"
expect_eq "repeat: sentineld exit status" "$?" "0"
got=$(decisions "$T/r/gate.db")
expect_eq "repeat: decisions" "$got" "admit code-green,temp-normal
admit duplicate,code-green,temp-normal
refer id-missing,duplicate,code-green,temp-normal"
expect_eq "repeat: subjects" "$(sqlite3 "$T/r/gate.db" "SELECT seq, coalesce(subject, '-') FROM entries ORDER BY seq")" \
	"1|张*
2|李*
3|-"
expect_eq "repeat: the door opened for" "$(grep -o 'relay 1 seq=[0-9]*' "$T/r/out.log" | tr '\n' ' ')" \
	"relay 1 seq=1 relay 1 seq=1 relay 1 seq=2 "
expect_eq "repeat: asked for the card" "$(grep -c 'display "请将身份证放在读卡区' "$T/r/out.log")" "5"

# Closed mode with a rule set that gives the home's ID-card key: a pass that
# names its holder's card (keyed hash) admits its holder with that card, and
# refers the same pass with another person's card (closed-mode); the holder's
# next visit carries the same keyed hash, so the repeat is recognised without
# the number.
command -v qrencode >/dev/null || { echo "SKIP: qrencode not installed (make deps)"; finish; }
KEYHEX=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
cat >"$T/rules.json" <<JSON
{"v": 2, "home": "阳光养老院", "version": 1, "mode": "closed", "fever_threshold_mdc": 37300, "colours": ["green"],
 "formats": ["healthcode"], "max_visitors": 0, "risk_regions": [], "staff": [],
 "max_test_age_days": 7, "valid_from": "2026-11-28T00:00:00Z", "valid_until": "2026-12-20T00:00:00Z",
 "hard_limit_ms": 86400000, "issued": "2026-11-27T08:00:00Z", "idcard_key": "$KEYHEX"}
JSON
"$B/sentinel-bureau" --key "$T/bureau.key" policy sign --in "$T/rules.json" --out "$T/rules.cose" >/dev/null ||
	fail "policy sign"
# The bureau's keyed hash of the holder's number (idcard.h), here with openssl.
hash=$(printf 'sentinel-idcard-v1\000440524188001010014' |
	openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEYHEX" | sed 's/.*= //')
"$B/sentinel-bureau" --key "$T/bureau.key" pass issue --home 阳光养老院 --id P-CARD --issued 2026-11-28T00:00:00Z --visitor 王五 \
	--from 2026-11-29T00:00:00Z --until 2026-11-30T00:00:00Z --uses 3 --card-hash "$hash" \
	--out "$T/pass.png" >/dev/null || fail "pass issue"
for n in 1 2 3; do
	qrencode -s 8 -m 4 --foreground=00A651 -o "$T/g$n.png" \
		"https://hc.example.cn/code?region=110105&t=CardScenario$n" || fail "qrencode"
done
cat >"$T/closed.scn" <<SCN
# 1 the holder: pass, health code and her card
card name=王五 number=440524188001010014 from=20200101 to=20400101
$(visit "$T/pass.png $T/g1.png" 36.5)
$(press exit-button 500)
wait 2000
# 2 someone else with the same pass and their own card: refer
card name=赵六 number=11010519491231002X from=20200101 to=20400101
$(visit "$T/pass.png $T/g2.png" 36.5)
# 3 the holder again, with her card: admitted, the same keyed hash
card name=王五 number=440524188001010014 from=20200101 to=20400101
show $T/pass.png $T/g3.png
temp 36.5
presence 1
wait 10000
presence 0
SCN
mkdir -p "$T/c/rules"
write_conf "$T/c/gate.conf" "$T/closed.scn" gate.db out.log
sed -i 's/^alert_ms = 2000$/alert_ms = 2000\nregister = idcard-or-pass\ncard_timeout_ms = 3000/' "$T/c/gate.conf"
printf '\n[idreader]\ntimeout_ms = 2000\n\n[sync]\nbureau_key = %s\n\n[rules]\ndir = rules\n' \
	"$T/bureau.key.pub" >>"$T/c/gate.conf"
"$B/sentinelctl" policy install --config "$T/c/gate.conf" --now 2026-11-29T00:00:00Z "$T/rules.cose" \
	>/dev/null || fail "policy install"
"$B/sentineld" -f -c "$T/c/gate.conf" 2>"$T/c/stderr"
expect_eq "closed: sentineld exit status" "$?" "0"
got=$(decisions "$T/c/gate.db")
expect_eq "closed: decisions" "$got" "admit code-green,temp-normal
refer closed-mode,code-green,temp-normal
admit code-green,temp-normal"
got=$(sqlite3 "$T/c/gate.db" "SELECT seq, subject, json_extract(detail, '\$.idcard.hash') = '$hash'
	FROM entries ORDER BY seq")
expect_eq "closed: the holder recognised by the keyed hash" "$got" "1|王*|1
2|赵*|0
3|王*|1"
finish
