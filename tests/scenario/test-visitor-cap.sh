#!/bin/sh
# SPDX-License-Identifier: MIT
# The open-mode visitor cap counts who is inside (issue 16): with
# max_visitors 2 and [checkin] expected_stay_min 15, four visitors 10
# minutes apart, none pressing the exit button, are all admitted: each
# admitted visitor counts for 15 minutes only, so there are never more than
# two inside.  Then two more within a minute fill the cap (the fourth and
# fifth are inside: the sixth is referred with capacity), one exit lets the
# seventh in, and after local midnight (Asia/Shanghai, 16:00 UTC) the count
# starts again from 0, whatever TZ the daemon inherited.
. tests/scenario/lib.sh
R=$ROOT/tests/fixtures/rules
[ -x "$B/sentinel-bureau" ] || { echo "test-visitor-cap: $B/sentinel-bureau not built: skipped"; exit 77; }
command -v qrencode >/dev/null || { echo "SKIP: qrencode not installed (make deps)"; exit 77; }

for n in 1 2 3 4 5 6 7 8 9; do
	qrencode -s 8 -m 4 --foreground=00A651 -o "$T/g$n.png" \
		"https://hc.example.cn/code?region=110105&t=CapScenario$n" || fail "qrencode"
done
cat >"$T/rules.json" <<JSON
{"v": 2, "home": "阳光养老院", "version": 1, "mode": "open", "fever_threshold_mdc": 37300,
 "colours": ["green"], "formats": ["healthcode"], "max_visitors": 2, "risk_regions": [],
 "staff": [], "max_test_age_days": 7, "valid_from": "2026-11-28T00:00:00Z",
 "valid_until": "2036-01-01T00:00:00Z", "hard_limit_ms": 604800000, "issued": "2026-11-28T08:00:00Z"}
JSON
"$B/sentinel-bureau" --key "$R/bureau.key" policy sign --in "$T/rules.json" --out "$T/rules.cose" >/dev/null ||
	fail "sign"

# Starts at 2026-11-29 15:00 UTC (23:00 in Shanghai); visits 1-4 come 10 minutes apart.
cat >"$T/q.scn" <<SCN
$(visit "$T/g1.png" 36.5 10000 590000)
$(visit "$T/g2.png" 36.5 10000 590000)
$(visit "$T/g3.png" 36.5 10000 590000)
$(visit "$T/g4.png" 36.5)
$(visit "$T/g5.png" 36.5)
button exit-button 1
wait 100
button exit-button 0
wait 5000
$(visit "$T/g6.png" 36.5)
$(visit "$T/g7.png" 36.5)
SCN
mkdir -p "$T/g/rules"
write_conf "$T/g/gate.conf" "$T/q.scn" gate.db out.log
sed -i 's/^start = .*/start = 2026-11-29T15:00:00Z\nboot_id = 44444444-4444-4444-8444-444444444444/' "$T/g/gate.conf"
cat >>"$T/g/gate.conf" <<CONF

[sync]
bureau_key = $R/bureau.key.pub

[rules]
dir = rules
CONF
sed 's/^\[checkin\]$/[checkin]\nexpected_stay_min = 15/' "$T/g/gate.conf" >"$T/g/day1.conf"
"$B/sentinelctl" policy install --config "$T/g/day1.conf" --now 2026-11-29T00:00:00Z "$T/rules.cose" \
	>/dev/null || fail "install"
TZ=America/New_York "$B/sentineld" -f -c "$T/g/day1.conf" 2>"$T/g/stderr1"
expect_eq "sentineld exit status" "$?" "0"
# Visitor 4 at 15:30: 1 and 2 have stayed their 15 minutes, 3 is inside: admitted.  Visitor 5 with
# 3 and 4 inside: the cap.  An exit (3 leaves): 6 is admitted, 7 meets the cap (4 and 6 inside).
expect_eq "visitors 10 minutes apart with no exit are admitted" \
	"$("$B/sentinelctl" entries --db "$T/g/gate.db" --json | jq -r '[.seq, .time, .decision, (.reasons | join(","))] | @tsv')" \
	"1	2026-11-29T15:00:00Z	admit	code-green,temp-normal
2	2026-11-29T15:10:00Z	admit	code-green,temp-normal
3	2026-11-29T15:20:00Z	admit	code-green,temp-normal
4	2026-11-29T15:30:00Z	admit	code-green,temp-normal
5	2026-11-29T15:30:12Z	refer	capacity,code-green,temp-normal
6	2026-11-29T15:30:32Z	admit	code-green,temp-normal
7	2026-11-29T15:30:44Z	refer	capacity,code-green,temp-normal"

# A restart at 15:50 UTC with no expiry (expected_stay_min 0): the day's five admissions less one
# exit are read back (4 inside: visitor 8 meets the cap); at local midnight (16:00 UTC in Shanghai,
# not the inherited TZ's) the count starts from 0: 9 and 10 are admitted, 11 meets the cap.
cat >"$T/q2.scn" <<SCN
$(visit "$T/g8.png" 36.5 10000 590000)
$(visit "$T/g9.png" 36.5)
$(visit "$T/g1.png" 36.5)
$(visit "$T/g2.png" 36.5)
SCN
sed -e 's/^\[checkin\]$/[checkin]\nexpected_stay_min = 0/' -e "s|^scenario = .*|scenario = $T/q2.scn|" \
	-e 's/^start = .*/start = 2026-11-29T15:50:00Z/' -e 's/^boot_id = .*/boot_id = 55555555-5555-4555-8555-555555555555/' \
	"$T/g/gate.conf" >"$T/g/day2.conf"
TZ=UTC "$B/sentineld" -f -c "$T/g/day2.conf" 2>"$T/g/stderr2"
expect_eq "sentineld exit status (restart)" "$?" "0"
expect_eq "restored at start, reset at local midnight" \
	"$("$B/sentinelctl" entries --db "$T/g/gate.db" --json | jq -r 'select(.seq > 7) | [.seq, .time, .decision, (.reasons | join(","))] | @tsv')" \
	"8	2026-11-29T15:50:00Z	refer	capacity,code-green,temp-normal
9	2026-11-29T16:00:00Z	admit	code-green,temp-normal
10	2026-11-29T16:00:12Z	admit	code-green,temp-normal
11	2026-11-29T16:00:24Z	refer	capacity,code-green,temp-normal"
finish
