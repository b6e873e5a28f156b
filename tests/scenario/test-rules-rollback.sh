#!/bin/sh
# SPDX-License-Identifier: MIT
# A rule set rolled back is refused (issue 16): an enrolled gate has taken
# version 2 of its home's rule set (closed management; the log's rules event
# says so), then the files in [rules] dir are replaced by version 1 (open
# management, signed by the same bureau, valid): put back by hand, or by
# `policy install` after the newer files were lost.  sentineld does not go
# back to it: at start every visit is referred with rules-missing (the
# journal and `sentinelctl status` name the versions); while it runs, the set in force (version 2)
# stays.  Before: version 1 was taken and the visitor admitted, door open.
. tests/scenario/lib.sh
R=$ROOT/tests/fixtures/rules
[ -x "$B/sentinel-bureau" ] || { echo "SKIP: $B/sentinel-bureau not built"; exit 77; }
command -v qrencode >/dev/null || { echo "SKIP: qrencode not installed (make deps)"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed (make deps)"; exit 77; }

for n in 1 2 3; do
	qrencode -s 8 -m 4 --foreground=00A651 -o "$T/green$n.png" \
		"https://hc.example.cn/code?region=110105&t=Rollback$n" || fail "qrencode"
done
# Version 1: open management; version 2: closed.  Both valid long before and after the scenario's
# day and the real time (enrol and policy install install by the real clock).
sed -e 's/"valid_from": "[^"]*"/"valid_from": "2020-01-01T00:00:00Z"/' -e 's/"issued": "[^"]*"/"issued": "2020-01-01T08:00:00Z"/' \
	-e 's/"valid_until": "[^"]*"/"valid_until": "2036-01-01T00:00:00Z"/' "$R/rules-v1.json" >"$T/v.json"
sed -e 's/"mode": "closed"/"mode": "open"/' "$T/v.json" >"$T/v1.json"
sed -e 's/"version": 1/"version": 2/' "$T/v.json" >"$T/v2.json"
for v in 1 2; do
	"$B/sentinel-bureau" --key "$R/bureau.key" policy sign --in "$T/v$v.json" --out "$T/v$v.cose" >/dev/null ||
		fail "policy sign v$v"
done

G=$T/g
mkdir -p "$G/rules"
write_unenrolled_conf "$G/gate.conf" rules
"$B/sentinel-bureau" --db "$T/bureau.db" enrol --home 阳光养老院 --gate gate-r --duty-phone 0931-1 \
	--bureau-key "$R/bureau.key.pub" --rules "$T/v2.cose" --output "$G/stick" >"$G/bureau.out" 2>&1 ||
	fail "bureau enrol: $(cat "$G/bureau.out")"
"$B/sentinelctl" enrol --config "$G/gate.conf" "$G/stick" >"$G/enrol.out" 2>&1 || fail "enrol: $(cat "$G/enrol.out")"
sed -i "s|^scenario = .*|scenario = visit.scn\noutput = out.log\nstart = 2026-11-29T01:00:00Z\nclock = trusted|" \
	"$G/gate.conf"

# 1. Version 2 taken: a green code alone is referred (closed management).
visit "$T/green1.png" 36.5 10000 5000 >"$G/visit.scn"
"$B/sentineld" -f -c "$G/gate.conf" 2>"$G/err1" || fail "sentineld (v2): $(cat "$G/err1")"
expect_eq "version 2 in force" "$(decisions "$G/gate.db")" "refer closed-mode,code-green,temp-normal"

# 2. The files replaced by version 1 (open): refused at start, every visit referred, the door shut.
cp "$T/v1.cose" "$G/rules/rules.cose"
cp "$T/v1.cose" "$G/rules/rules.kept.cose"
"$B/sentineld" -f -c "$G/gate.conf" 2>"$G/err2" || fail "sentineld (v1 back): $(cat "$G/err2")"
expect_eq "version 1 put back: referred" "$(decisions "$G/gate.db" | sed -n 2p)" \
	"refer rules-missing,code-green,temp-normal"
expect_eq "version 1 put back: the door stays shut" "$(grep -c ' relay 1' "$G/out.log")" "0"
grep -q "start: rules: version 1 is older than version 2, last in force: refused (rolled back); no rule set" \
	"$G/err2" || fail "the rollback is not logged: $(cat "$G/err2")"

st=$("$B/sentinelctl" status --config "$G/gate.conf" --now 2026-11-29T12:00:00Z; echo "exit $?")
expect_eq "status names both versions" "$(printf '%s\n' "$st" | grep -E '^(rule set|exit)')" \
	"rule set       version 1 refused: older than version 2, last in force: every visit is referred (rules-missing)
exit 1"
expect_eq "status --json: no rule set" \
	"$("$B/sentinelctl" status --json --config "$G/gate.conf" | jq -c '{rules, rules_missing}')" \
	'{"rules":null,"rules_missing":true}'

# 3. Lost, then version 1 given to policy install (it sees no active set): refused by the log's
# last rules event (version 2), nothing installed, exit 1; sentineld still refers every visit.
# Before: 'installed rule set version 1 (was 0: none)', exit 0.
rm -f "$G/rules/rules.cose" "$G/rules/rules.kept.cose"
out=$("$B/sentinelctl" policy install --config "$G/gate.conf" --now 2026-11-29T00:00:00Z "$T/v1.cose" 2>&1; echo "exit $?")
expect_eq "policy install of version 1 after a loss: refused" "$out" \
	"sentinelctl: policy: $T/v1.cose: refused: version 1 is older than version 2, the last in force by the log $G/gate.db (rolled back): nothing installed
exit 1"
expect_eq "policy install refused: no file in [rules] dir" "$(ls "$G/rules")" ""
"$B/sentineld" -f -c "$G/gate.conf" 2>"$G/err3" || fail "sentineld (v1 refused): $(cat "$G/err3")"
expect_eq "version 1 refused after a loss: referred" "$(decisions "$G/gate.db" | sed -n 3p)" \
	"refer rules-missing,code-green,temp-normal"

# 3b. A log that cannot be read (not a database): policy install refuses (fail-secure), naming the log.
sed "s|^db = .*|db = $G/bad.db|" "$G/gate.conf" >"$G/bad.conf"
grep -q "^db = $G/bad.db" "$G/bad.conf" || fail "no db line in $G/gate.conf"
printf 'not a sentinel log\n' >"$G/bad.db"
out=$("$B/sentinelctl" policy install --config "$G/bad.conf" --now 2026-11-29T00:00:00Z "$T/v2.cose" 2>&1; echo "exit $?")
expect_eq "policy install with an unreadable log: refused" "$(printf '%s\n' "$out" | sed -n '2,$p')" \
	"sentinelctl: policy: $T/v2.cose: not installed: the log $G/bad.db ([station] db of $G/bad.conf) cannot be read, so the version last in force is not known
exit 2"
printf '%s\n' "$out" | head -1 | grep -q "^sentinelctl: policy: cannot open $G/bad.db: " ||
	fail "the unreadable log is not named: $out"
expect_eq "unreadable log: no file in [rules] dir" "$(ls "$G/rules")" ""

# 4. Version 2 (the one last in force) installed again: taken as before.  While sentineld runs under
# it, version 1 put back mid-visit: version 2 stays.
out=$("$B/sentinelctl" policy install --config "$G/gate.conf" --now 2026-11-29T00:00:00Z "$T/v2.cose" 2>&1; echo "exit $?")
expect_eq "policy install of version 2 (last in force)" "$out" "installed rule set version 2 (was 0: none), fresh
exit 0"
printf '%s\n%s\n' "$(frozen_visit "$T/green2.png")" "$(visit "$T/green3.png" 36.5 10000 5000)" >"$G/visit.scn"
sentineld_frozen "$G/gate.conf"
cp "$T/v1.cose" "$G/rules/rules.cose.new" && mv "$G/rules/rules.cose.new" "$G/rules/rules.cose"
cp "$T/v1.cose" "$G/rules/rules.kept.cose"
sentineld_resume
expect_eq "version 1 put back while running: version 2 stays" "$(decisions "$G/gate.db" | sed -n '4,5p')" \
	"refer closed-mode,code-green,temp-normal
refer closed-mode,code-green,temp-normal"
grep -q "rules dir: rules: version 1 is older than version 2, last in force: refused (rolled back); keeping version 2" \
	"$G/stderr" || fail "the rollback while running is not logged: $(cat "$G/stderr")"
finish
