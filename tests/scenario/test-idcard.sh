#!/bin/sh
# SPDX-License-Identifier: MIT
# Registration with a resident ID card on the simulated reader (the real
# serial driver over a pseudo-terminal): a walk-in registers by card and is
# admitted with the masked name and the last four characters; a wrong check
# digit refers (id-invalid), an expired card refers (id-expired); a visitor
# who places no card goes on without one; a broken answer of the reader is
# a device-fault event and the visit goes on.  Nothing of the full name or
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
card name=张三丰 number=11010519491231002X from=20200101 to=20400101
$(visit "$FIX/green.png" 36.5 10000 70000)
# 2 a number whose check digit is wrong: refer
card name=李小四 number=110105194912310021 from=20200101 to=20400101
$(visit "$FIX/green.png" 36.5 10000 70000)
# 3 an expired card: refer
card name=王五 number=440524188001010014 from=20051231 to=20251231
$(visit "$FIX/green.png" 36.5 10000 70000)
# 4 no card placed: admitted without one
card none
$(visit "$FIX/green.png" 36.5 10000 70000)
# 5 the reader answers garbage: a device fault, the visit goes on
card frames broken.bin
$(visit "$FIX/green.png" 36.5 10000 70000)
SCN
write_conf "$T/gate.conf" card.scn gate.db out.log
cat >>"$T/gate.conf" <<CONF

[idreader]
timeout_ms = 100

[sync]
bureau_key = $T/bureau.key.pub

[retention]
personal_days = 28
CONF
sed -i 's/^alert_ms = 2000$/alert_ms = 2000\nregister = idcard\ncard_timeout_ms = 3000/' "$T/gate.conf"

"$B/sentineld" -f -c "$T/gate.conf" 2>"$T/stderr"
expect_eq "sentineld exit status" "$?" "0"

got=$("$B/sentinelctl" entries --json --db "$T/gate.db" |
	sed -E 's/.*"decision": "([a-z]+)", "reasons": \[([^]]*)\].*/\1 \2/; s/"//g; s/, /,/g')
expect_eq "decisions" "$got" "admit code-green,temp-normal
refer id-invalid,code-green,temp-normal
refer id-expired,code-green,temp-normal
admit code-green,temp-normal
admit code-green,temp-normal"
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

# The full name and number, in every encoding, nowhere.
"$B/sentinelctl" entries --json --detail --db "$T/gate.db" >"$T/entries.json" || fail "entries --json"
"$B/sentinelctl" entries --csv --db "$T/gate.db" >"$T/entries.csv" || fail "entries --csv"
"$B/sentinelctl" export --format csv --output "$T/export.csv" --db "$T/gate.db" >/dev/null || fail "export csv"
"$B/sentinelctl" export --format json --output "$T/export.json" --db "$T/gate.db" >/dev/null || fail "export json"
TZ=CST-8 "$B/sentinelctl" report --day 2026-11-29 --output "$T/report.html" --db "$T/gate.db" \
	>/dev/null || fail "report"
grep -q '张\*' "$T/entries.json" || fail "the masked name is not in the export"
for s in 张三丰 11010519491231002X 李小四 110105194912310021; do
	for enc in UTF-8 UCS-2LE UCS-2BE GB18030; do
		printf '%s' "$s" | iconv -f UTF-8 -t "$enc" >"$T/needle"
		for f in gate.db gate.db-wal stderr out.log entries.json entries.csv export.csv export.json \
			report.html; do
			[ -e "$T/$f" ] || continue
			if grep -qaF -f "$T/needle" "$T/$f" 2>/dev/null; then
				fail "$f holds a card's full value ($enc)"
			fi
		done
	done
done

# 29 days later: the next visit removes the sealed records (older than 28
# days); the entries stay and the log verifies.
cat >"$T/later.scn" <<SCN
card none
$(visit "$FIX/green.png" 36.5)
SCN
sed -e "s#^scenario = .*#scenario = later.scn#" -e "s#^start = .*#start = 2026-12-28T00:00:00Z#" \
	"$T/gate.conf" >"$T/later.conf"
"$B/sentineld" -f -c "$T/later.conf" 2>>"$T/stderr"
expect_eq "sentineld later exit status" "$?" "0"
expect_eq "sealed records after the retention" "$(sqlite3 "$T/gate.db" "SELECT count(*) FROM personal")" "0"
expect_eq "the purge recorded" "$(sqlite3 "$T/gate.db" "SELECT count, cutoff_utc_ms FROM personal_purges")" \
	"3|$(( ($(date -ud 2026-12-28T00:00:00Z +%s) - 28 * 86400) * 1000 + 3000 ))"
expect_eq "entries kept" "$(sqlite3 "$T/gate.db" "SELECT count(*) FROM entries")" "6"
"$B/sentinelctl" verify-log --db "$T/gate.db" >"$T/verify.out" 2>&1
expect_eq "verify-log after the purge" "$?" "0"
finish
