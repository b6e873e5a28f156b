#!/bin/sh
# SPDX-License-Identifier: MIT
# sentinel-bureau devices revoke, register --home, devices (issue 17), and
# the city report, against SQLite, or PostgreSQL with
# SENTINEL_BUREAU_DB=postgresql (test-bureau-pg.sh):
# - a revoked gate's later bundle is refused naming the reason, what it sent
#   before stays, a second revocation keeps the first, an unknown gate or an
#   empty reason is refused; devices shows it revoked (text and JSON, with
#   its home and how far the bureau holds its log);
# - report --day: the page's totals, per-home rows (gates grouped by home,
#   a gate without one by its id), every chart bar's data-count, silent
#   gates (revoked, never heard of) by name, no script and no URL, a hostile
#   home name escaped; a bad day refused; --timezone (its day, an unknown
#   zone refused); --output replaced by rename, a link or a directory
#   refused, - standard output.
. tests/scenario/lib.sh
bureau_begin test-bureau-city city
"$BB" keys init --key "$K" >/dev/null || fail "keys init"
# Entry i of a gate at 2026-11-29T00:00:00Z + 20 s * i, every 10th (+5) a fever (denied).
"$G" --bureau-pub "$K.pub" --keys keys --logs logs --out stage --flat --devices 6 --entries 5000 \
	--per-bundle 2500 >/dev/null || fail "gen_bundles"
reg() { "$BB" --db "$DB" register --device "$1" --pub "keys/$1.key.pub" ${2:+--home "$2"} >/dev/null || fail "register $1"; }
reg gate-001 阳光养老院
reg gate-002 阳光养老院
reg gate-003 '<script>x</script>院'
reg gate-004
reg gate-005 阳光养老院
mkdir in && cp stage/gate-00[1-4]-*.snb stage/gate-005-1-2500-regular.snb in/
"$BB" --db "$DB" --key "$K" import in >/dev/null || fail "import"

# ---- revocation ----
out=$("$BB" --db "$DB" devices revoke --device gate-005 --reason "board stolen 2026-11-30")
expect_eq "revoke: exit" "$?" "0"
expect_eq "revoke" "$out" "revoked gate-005: its later bundles are refused (board stolen 2026-11-30)
the issuer list of home 阳光养老院 now revokes its key: the home's gates refuse its passes from their next sync"
out=$("$BB" --db "$DB" devices revoke --device gate-005 --reason "again")
expect_eq "revoke again" "$out" "gate-005 was revoked already (board stolen 2026-11-30)"
out=$("$BB" --db "$DB" devices revoke --device gate-009 --reason x 2>&1)
expect_eq "revoke unknown: exit" "$?" "1"
expect_eq "revoke unknown" "$out" "sentinel-bureau: devices: device gate-009 is not registered"
"$BB" --db "$DB" devices revoke --device gate-005 --reason "" >/dev/null 2>&1
expect_eq "revoke without a reason: exit" "$?" "2"
mkdir late && cp stage/gate-005-2501-5000-regular.snb late/
out=$("$BB" --db "$DB" --key "$K" import late)
expect_eq "revoked gate's bundle: exit" "$?" "1"
expect_eq "revoked gate's bundle" "$out" \
	"late/gate-005-2501-5000-regular.snb: rejected: device gate-005 is revoked (board stolen 2026-11-30): bundle refused"
expect_eq "revoked gate's earlier entries stay" "$("$BB" --db "$DB" entries --device gate-005 --json | wc -l)" "2500"
expect_eq "devices: revoked" "$("$BB" --db "$DB" devices | grep gate-005 | sed 's/ kid [0-9a-f]*//; s/ contact [^ ]*//')" \
	"gate-005 last 2500 entries 2500 priority 0 gaps none revoked"
expect_eq "devices --json: home, synced until, revoked" \
	"$("$BB" --db "$DB" devices --json | jq -c 'select(.device == "gate-005") | [.home, .synced_until, .revoked.reason, (.unsynced_s > 0)]')" \
	'["阳光养老院","2026-11-29T13:53:20Z","board stolen 2026-11-30",true]'
expect_eq "devices --json: no home" "$("$BB" --db "$DB" devices --json | jq -c 'select(.device == "gate-004") | [.home, .revoked]')" \
	'[null,null]'

# ---- the city report ----
reg gate-006 阳光养老院	# registered, never heard of: silent
out=$(TZ=UTC0 "$BB" --db "$DB" report --day 2026-11-29 --output city.html)
expect_eq "report: exit" "$?" "0"
expect_eq "report" "$out" "city report 2026-11-29: city.html ($(wc -c <city.html) bytes)"
count() { grep -o "data-key=\"$1\" data-count=\"[0-9]*\"" city.html | sed 's/.*data-count="//; s/"//'; }
row() { tr -d '\n' <city.html | grep -o "<tr class=\"$1[^>]*>.*" | sed 's|</tr>.*||; s|<[^>]*>| |g; s/  */ /g; s/^ //; s/ $//'; }
# The day is China Standard Time's (UTC+8, whatever TZ says): 2026-11-28T16:00Z to 2026-11-29T16:00Z.
# Four gates with 2,879 entries in it (seq 1 at 08:00:20 CST, 2,879 at 23:59:40), gate-005 with 2,500, gate-006 none.
expect_eq "city row" "$(row city)" "全市 City 6 14016 1402 1402 0 0 2 0"
expect_eq "home rows" "$(tr -d '\n' <city.html | grep -o '<tr class="home[^"]*" data-home="[^"]*"' | sed 's/.*data-home=//')" \
	'"&lt;script&gt;x&lt;/script&gt;院"
"gate-004"
"阳光养老院"'
expect_eq "the home of three gates" "$(row 'home warn" data-home="阳光养老院')" \
	"阳光养老院 4 8258 826 826 0 0 2 0 gate-005, gate-006"
expect_eq "hour 00 bar" "$(count 00)" "0"
expect_eq "hour 08 bar" "$(count 08)" "895"
expect_eq "hour 13 bar" "$(count 13)" "900"
expect_eq "hour 21 bar (gate-005 ends at 21:53:20)" "$(count 21)" "881"
expect_eq "hour 23 bar" "$(count 23)" "720"
expect_eq "fevers bar" "$(count 阳光养老院/fevers)" "826"
expect_eq "denials bar" "$(count gate-004/denials)" "288"
grep -q '<script>' city.html && fail "a script element (the hostile home name unescaped)"
grep -qi 'src=\|href=\|url(\|http' city.html && fail "a URL in the report"
out=$("$BB" --db "$DB" report --day 2026-02-30 --output bad.html 2>&1)
expect_eq "bad day: exit" "$?" "2"
expect_eq "bad day" "$(printf '%s\n' "$out" | head -n 1)" "sentinel-bureau: report: --day: '2026-02-30' is not a valid YYYY-MM-DD date"
[ ! -e bad.html ] || fail "a refused report wrote its file"

# --timezone: the day of another zone (UTC: seq 1 at 00:00:20, 179 entries a gate in hour 00).
out=$("$BB" --db "$DB" --timezone UTC report --day 2026-11-29 --output utc.html)
expect_eq "report --timezone UTC: exit" "$?" "0"
expect_eq "report --timezone UTC: hour 00 bar" "$(grep -o 'data-key="00" data-count="[0-9]*"' utc.html | sed 's/.*data-count="//; s/"//')" "895"
grep -q 'UTC (UTC+0000)' utc.html || fail "report --timezone UTC: the page does not name the zone"
out=$("$BB" --db "$DB" --timezone Asia/Nowhere report --day 2026-11-29 --output bad.html 2>&1)
expect_eq "report --timezone unknown: exit" "$?" "2"
expect_eq "report --timezone unknown" "$(printf '%s\n' "$out" | head -n 1)" \
	"sentinel-bureau: --timezone: 'Asia/Nowhere' is not a time zone of the tz database (e.g. Asia/Shanghai; /usr/share/zoneinfo, package tzdata)"
[ ! -e bad.html ] || fail "a report with an unknown zone wrote its file"

# --output: a new file renamed over the old page (a hard link to the old one keeps the old
# content), never through a symbolic link or into a directory; - is standard output.
echo old >old.html && ln old.html kept.html
"$BB" --db "$DB" report --day 2026-11-29 --output old.html >/dev/null || fail "report over an old page"
expect_eq "report replaces by rename" "$(cat kept.html)" "old"
page() { grep -v '<th>生成时间 Made</th>' "$1"; }	# the page without the time it was made
[ "$(page old.html)" = "$(page city.html)" ] || fail "report over an old page: not the page"
ln -s kept.html link.html
out=$("$BB" --db "$DB" report --day 2026-11-29 --output link.html 2>&1)
expect_eq "report to a link: exit" "$?" "2"
expect_eq "report to a link" "$out" "sentinel-bureau: report: cannot write link.html: a symbolic link; give a regular file, or - for standard output"
[ -L link.html ] && [ "$(cat kept.html)" = old ] || fail "report to a link: the link or its target changed"
mkdir dir.html
out=$("$BB" --db "$DB" report --day 2026-11-29 --output dir.html 2>&1)
expect_eq "report to a directory: exit" "$?" "2"
expect_eq "report to a directory" "$out" "sentinel-bureau: report: cannot write dir.html: Is a directory; give a regular file, or - for standard output"
"$BB" --db "$DB" report --day 2026-11-29 --output - >stdout.html || fail "report --output -"
[ "$(page stdout.html)" = "$(page city.html)" ] || fail "report --output -: not the page"
[ ! -e ./- ] || fail "report --output - made a file named -"
finish
