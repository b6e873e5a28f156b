#!/bin/sh
# SPDX-License-Identifier: MIT
# The age rule (issue 18): a rule set with min_age 18 and max_age 80 and
# visitors registering with their resident ID cards on the simulated
# reader.  The age comes from the card's full birth date on the local day
# of the visit in the gate's zone (Asia/Shanghai: the visits at
# 2026-11-28T20:00Z are on 29 November there, still the 28th in UTC): 18 on
# the birthday itself is admitted, 17 the day before it refers with
# age-out-of-range, 80 is admitted, 81 refers; the screen and the voice say
# why ("age" screen and prompt).  Under the age rule each entry keeps its
# holder's birth year (sentinelctl entries --json, --csv and the table),
# which the chain covers, the bundles carry and the bureau keeps (on both
# backends: test-bureau-pg.sh runs this script against PostgreSQL too); the
# same visitors under a rule set without an age rule leave no birth year,
# in the entries or anywhere in the log's files.
. tests/scenario/lib.sh
bureau_backend

"$B/sentinel-bureau" keys init --key "$T/bureau.key" >/dev/null || fail "bureau keys init"
cat >"$T/rules.json" <<JSON
{"v": 2, "home": "阳光养老院", "version": 1, "mode": "open", "fever_threshold_mdc": 37300, "colours": ["green"],
 "formats": ["healthcode"], "max_visitors": 0, "risk_regions": [], "staff": [],
 "max_test_age_days": 7, "valid_from": "2026-11-27T00:00:00Z", "valid_until": "2026-12-20T00:00:00Z",
 "hard_limit_ms": 86400000, "issued": "2026-11-26T08:00:00Z", "min_age": 18, "max_age": 80}
JSON
"$B/sentinel-bureau" --key "$T/bureau.key" policy sign --in "$T/rules.json" --out "$T/rules.cose" >/dev/null ||
	fail "policy sign"
# A set whose bounds are the wrong way round is refused naming the field.
sed 's/"max_age": 80/"max_age": 17/' "$T/rules.json" >"$T/bad.json"
out=$("$B/sentinel-bureau" policy sign --check --in "$T/bad.json" 2>&1)
expect_eq "min_age above max_age: exit" "$?" "1"
echo "$out" | grep -q "max_age.*below min_age" || fail "min_age above max_age: $out"

n=11010519491231002X	# a valid number; the card's birth field is what counts
cat >"$T/age.scn" <<SCN
# 1 76 years old: admitted
$(card_visit "name=张三丰 number=$n birth=19491231 from=20200101 to=20400101")
# 2 18 on the local day (the 29th in Shanghai): admitted
$(card_visit "name=李小四 number=$n birth=20081129 from=20200101 to=20400101")
# 3 17: the birthday is tomorrow; refer
$(card_visit "name=王小五 number=$n birth=20081130 from=20200101 to=20400101")
# 4 80 on the day: admitted
$(card_visit "name=赵六 number=$n birth=19461129 from=20200101 to=20400101")
# 5 81: refer
$(card_visit "name=钱七 number=$n birth=19451128 from=20200101 to=20400101")
SCN
mkdir -p "$T/rules"
write_idcard_conf "$T/gate.conf" age.scn "$T/bureau.key.pub" keys/device.key
sed -i 's/^start = .*/start = 2026-11-28T20:00:00Z/' "$T/gate.conf"
cat >>"$T/gate.conf" <<CONF

[rules]
dir = rules

[audio]
clips = $(cd "$B" && pwd)/clips
CONF
"$B/sentinelctl" policy install --config "$T/gate.conf" --now 2026-11-28T00:00:00Z "$T/rules.cose" >/dev/null ||
	fail "policy install"
expect_eq "policy show: the age rule" \
	"$("$B/sentinelctl" policy show --config "$T/gate.conf" | grep '^age rule')" "age rule          18-80 years"
sentineld_run "$T/gate.conf" "sentineld exit status"

got=$(decisions "$T/gate.db")
expect_eq "decisions" "$got" "admit code-green,temp-normal
admit code-green,temp-normal
refer age-out-of-range,code-green,temp-normal
admit code-green,temp-normal
refer age-out-of-range,code-green,temp-normal"
# The screen says why, and so does the voice.
expect_eq "told: age" "$(grep -c 'display "年龄不符合本院探视规定 请等待工作人员.*age outside the home.s visiting rule: please wait for staff' \
	"$T/out.log")" "2"
expect_eq "the age screens" "$(ls "$T"/screens/*-age.png 2>/dev/null | wc -l)" "2"
expect_eq "the age prompts" "$(grep -c ' audio "age-\(zh\|en\)"' "$T/out.log")" "4"
grep -q ' audio "refer-zh"' "$T/out.log" && fail "a refer prompt instead of the age prompt"

# The birth years, in the entries and their outputs; the log verifies.
expect_eq "birth years" "$("$B/sentinelctl" entries --json --db "$T/gate.db" | jq -r '.birth_year' | tr '\n' ' ')" \
	"1949 2008 2008 1946 1945 "
expect_eq "birth year in the CSV" "$("$B/sentinelctl" entries --csv --db "$T/gate.db" | tr -d '\r' | cut -d, -f1,19 |
	sed -n '1,2p')" "seq,birth_year
1,1949"
expect_eq "birth year in the table" "$("$B/sentinelctl" entries --db "$T/gate.db" | grep -c 'born 19[0-9][0-9]')" "3"
"$B/sentinelctl" verify-log --db "$T/gate.db" >"$T/verify.out" 2>&1
expect_eq "verify-log with birth years" "$?" "0"
# Changing a kept birth year breaks the chain.
cp "$T/gate.db" "$T/tampered.db"
sqlite3 "$T/tampered.db" "DROP TRIGGER entries_no_update; UPDATE entries SET birth_year = 1990 WHERE seq = 3" ||
	fail "tamper"
"$B/sentinelctl" verify-log --db "$T/tampered.db" >"$T/verify2.out" 2>&1
expect_eq "verify-log after a changed birth year: exit" "$?" "1"

# The bureau keeps them: the gate syncs online with sentinel-bureau serve.
DB=$(bureau_db age) || fail "bureau database"
mkdir -p "$T/keys"
"$B/sentinelctl" keys init --config "$T/gate.conf" >/dev/null || fail "gate keys init"
"$B/sentinel-bureau" --db "$DB" register --device test-gate --pub "$T/keys/device.pub" >/dev/null || fail "register"
serve_start "$T/serve" --db "$DB" --key "$T/bureau.key" serve --listen 127.0.0.1:0
sed -i "s#^bureau_key = .*#&\nbureau_url = http://127.0.0.1:$port#" "$T/gate.conf"
out=$("$B/sentinelctl" sync online --config "$T/gate.conf" 2>&1)
expect_eq "sync online: exit" "$?" "0"
serve_stop
expect_eq "the bureau's birth years" \
	"$("$B/sentinel-bureau" --db "$DB" entries --device test-gate --json | jq -r '.birth_year' | tr '\n' ' ')" \
	"1949 2008 2008 1946 1945 "
expect_eq "the bureau's column" "$(bureau_sql "$DB" "SELECT count(birth_year) FROM entries")" "5"
"$B/sentinel-bureau" --db "$DB" verify >/dev/null || fail "bureau verify"

# The same visitors under a set without an age rule: no birth year kept, anywhere.
sed -e 's/, "min_age": 18, "max_age": 80//' -e 's/"version": 1/"version": 2/' "$T/rules.json" >"$T/rules2.json"
"$B/sentinel-bureau" --key "$T/bureau.key" policy sign --in "$T/rules2.json" --out "$T/rules2.cose" >/dev/null ||
	fail "policy sign 2"
mkdir -p "$T/n/rules"
sed -e "s#^db = .*#db = n/gate.db#" -e "s#^output = .*#output = n/out.log#" -e "s#^dir = rules#dir = n/rules#" \
	"$T/gate.conf" >"$T/n.conf"
"$B/sentinelctl" policy install --config "$T/n.conf" --now 2026-11-28T00:00:00Z "$T/rules2.cose" >/dev/null ||
	fail "policy install 2"
"$B/sentineld" -f -c "$T/n.conf" 2>"$T/n/stderr"
expect_eq "no age rule: sentineld exit status" "$?" "0"
expect_eq "no age rule: everyone admitted" \
	"$("$B/sentinelctl" entries --json --db "$T/n/gate.db" | jq -r '.decision' | sort | uniq -c | tr -s ' ')" " 5 admit"
expect_eq "no age rule: no birth year kept" "$(sqlite3 "$T/n/gate.db" "SELECT count(birth_year) FROM entries")" "0"
"$B/sentinelctl" entries --json --detail --db "$T/n/gate.db" | grep -q birth && fail "a birth year in the entries"
# (The birth dates in full: a bare year could be digits of a hash in hex.)
for y in 19491231 20081129 20081130 19461129 19451128; do
	for f in "$T/n/gate.db" "$T/n/gate.db-wal" "$T/n/out.log" "$T/n/stderr"; do
		[ -e "$f" ] || continue
		grep -qaF "$y" "$f" && fail "$f gives the birth year away ($y)"
	done
done
finish
