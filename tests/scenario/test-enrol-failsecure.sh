#!/bin/sh
# SPDX-License-Identifier: MIT
# An enrolled gate is fail-secure (issue 16): the enrolment package carried
# the home's rule set, so the gate is under the bureau's rules from its
# first visit, whatever its log says.  With every copy of the rule set
# deleted before sentineld first took one (a fresh log: no rules event in
# it), every visit is referred with rules-missing, an alert is raised, the
# journal, systemd's status (STATUS=) and `sentinelctl status` say so; the
# enrolment file records it ([rules] required = yes), and an enrolment file
# that does not say (its [rules] section lost) means required.  A gate enrolled
# from a package without a rule set (required = no), and a configuration
# without an enrolment file and without [rules] required (the demo, a
# developer's gate), keep admitting without rules.
. tests/scenario/lib.sh
R=$ROOT/tests/fixtures/rules
[ -x "$B/sentinel-bureau" ] || { echo "SKIP: $B/sentinel-bureau not built"; exit 77; }
command -v qrencode >/dev/null || { echo "SKIP: qrencode not installed (make deps)"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed (make deps)"; exit 77; }

for n in 1 2; do
	qrencode -s 8 -m 4 --foreground=00A651 -o "$T/green$n.png" \
		"https://hc.example.cn/code?region=110105&t=FailSecure$n" || fail "qrencode"
done
# The home's rule set: closed management, valid long before and after the scenario's day and the
# real time (enrol installs it by the real clock).
sed -e 's/"valid_from": "[^"]*"/"valid_from": "2020-01-01T00:00:00Z"/' -e 's/"issued": "[^"]*"/"issued": "2020-01-01T08:00:00Z"/' \
	-e 's/"valid_until": "[^"]*"/"valid_until": "2036-01-01T00:00:00Z"/' "$R/rules-v1.json" >"$T/rules.json"
"$B/sentinel-bureau" --key "$R/bureau.key" policy sign --in "$T/rules.json" --out "$T/rules.cose" >/dev/null ||
	fail "policy sign"
"$B/sentinel-bureau" --key "$R/bureau.key" pass issue --home 阳光养老院 --id P-FS-1 --visitor 王 \
	--from 2026-11-29T00:00:00Z --until 2026-11-29T04:00:00Z --issued 2026-11-28T00:00:00Z \
	--out "$T/pass.png" >/dev/null || fail "pass issue"

# enrolled DIR GATE [--rules FILE]: DIR/gate.conf, a simulated gate enrolled
# from the bureau's stick DIR/stick (package for GATE), its [sim] scenario
# DIR/visit.scn and output DIR/out.log.
enrolled() {
	_d=$1 _g=$2
	shift 2
	mkdir -p "$_d/rules"
	write_unenrolled_conf "$_d/gate.conf" rules
	"$B/sentinel-bureau" --db "$T/bureau.db" enrol --home 阳光养老院 --gate "$_g" --duty-phone 0931-1 \
		--bureau-key "$R/bureau.key.pub" "$@" --output "$_d/stick" >"$_d/bureau.out" 2>&1 ||
		fail "bureau enrol $_g: $(cat "$_d/bureau.out")"
	"$B/sentinelctl" enrol --config "$_d/gate.conf" "$_d/stick" >"$_d/enrol.out" 2>&1 ||
		fail "enrol $_g: $(cat "$_d/enrol.out")"
	sed -i "s|^scenario = .*|scenario = visit.scn\noutput = out.log\nstart = 2026-11-29T01:00:00Z\nclock = trusted|" \
		"$_d/gate.conf"
}
visitors() {	# a green code alone, then a visit pass with another green code
	printf '%s\n%s\n' "$(visit "$T/green1.png" 36.5 10000 5000)" "$(visit "$T/pass.png $T/green2.png" 36.5 10000 5000)"
}
visitor() {	# a green code alone (without a rule set a pass is a code of no colour)
	printf '%s\n' "$(visit "$T/green1.png" 36.5 10000 5000)"
}
entries() {	# DB
	"$B/sentinelctl" entries --db "$1" --json | jq -r '[.seq, .decision, (.reasons | join(","))] | @tsv'
}

# 1. Enrolled with the home's closed rule set, every copy deleted before the daemon first ran.
G=$T/a
enrolled "$G" gate-a --rules "$T/rules.cose"
grep -q '^rule set: installed version 1 ' "$G/enrol.out" || fail "the package's rule set: $(cat "$G/enrol.out")"
expect_eq "enrolment file: rules required" "$(sed -n '/^\[rules\]$/,$p' "$G/enrolment/enrolment.conf")" "[rules]
required = yes"
rm -f "$G/rules/rules.cose" "$G/rules/rules.kept.cose" "$G/rules/rules.pending.cose"
visitors >"$G/visit.scn"
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
notify_listen "$T/notify" "$T/got"
NOTIFY_SOCKET="$T/notify" "$B/sentineld" -f -c "$G/gate.conf" 2>"$G/err" || fail "sentineld: $(cat "$G/err")"
wait $py
expect_eq "enrolled, rules deleted: systemd status" "$(head -n 1 "$T/got")" \
	"READY=1|STATUS=rule set missing: every visit referred (rules-missing)"
expect_eq "enrolled, rules deleted: every visit referred" "$(entries "$G/gate.db")" "1	refer	rules-missing,code-green,temp-normal
2	refer	rules-missing,code-green,temp-normal"
expect_eq "enrolled, rules deleted: the door stays shut" "$(grep -c ' relay 1' "$G/out.log")" "0"
grep -q "start: no rule set verifies (.*; last in force: none, \[rules\] required): every visit is referred (rules-missing)" \
	"$G/err" || fail "rules-missing not logged: $(cat "$G/err")"
expect_eq "enrolled, rules deleted: alert" "$("$B/sentinelctl" alerts --db "$G/gate.db" --json |
	jq -r 'select(.kind == "device-fault") | .detail' | sort -u)" \
	"rules: no rule set verifies, every visit referred (last: none, [rules] required)"
out=$("$B/sentinelctl" status --config "$G/gate.conf" --now 2026-11-29T12:00:00Z)
expect_eq "status: exit" "$?" "1"
expect_eq "status: rule set" "$(printf '%s\n' "$out" | grep '^rule set')" \
	"rule set       none: every visit is referred (rules-missing)"
expect_eq "status --json: rules_missing" "$("$B/sentinelctl" status --json --config "$G/gate.conf" | jq -c '[.rules, .rules_missing]')" \
	"[null,true]"

# 2. Damaged rather than deleted: the same.
G=$T/b
enrolled "$G" gate-b --rules "$T/rules.cose"
printf 'not a rule set' >"$G/rules/rules.cose"
printf 'not a rule set' >"$G/rules/rules.kept.cose"
visitors >"$G/visit.scn"
"$B/sentineld" -f -c "$G/gate.conf" 2>"$G/err" || fail "sentineld (damaged): $(cat "$G/err")"
expect_eq "enrolled, rules damaged: every visit referred" "$(entries "$G/gate.db")" "1	refer	rules-missing,code-green,temp-normal
2	refer	rules-missing,code-green,temp-normal"

# 3. The rule set in place: closed management, the pass admits, the code alone is referred.
G=$T/c
enrolled "$G" gate-c --rules "$T/rules.cose"
visitors >"$G/visit.scn"
"$B/sentineld" -f -c "$G/gate.conf" 2>"$G/err" || fail "sentineld (rules): $(cat "$G/err")"
expect_eq "enrolled with rules: closed management" "$(entries "$G/gate.db")" "1	refer	closed-mode,code-green,temp-normal
2	admit	code-green,temp-normal"
expect_eq "status with rules: rules_missing" "$("$B/sentinelctl" status --json --config "$G/gate.conf" | jq -c '.rules_missing')" \
	"false"

# 3b. The enrolment file lost its [rules] section (truncated, edited by hand), the rule set is
# deleted too and the log is fresh: an enrolment file that does not say whether a rule set is
# required means required, so the gate still refers every visit instead of opening.
G=$T/c2
enrolled "$G" gate-c2 --rules "$T/rules.cose"
sed -i '/^\[rules\]$/,$d' "$G/enrolment/enrolment.conf"
grep -q 'required' "$G/enrolment/enrolment.conf" && fail "[rules] not removed: $(cat "$G/enrolment/enrolment.conf")"
rm -f "$G/rules/rules.cose" "$G/rules/rules.kept.cose" "$G/rules/rules.pending.cose"
visitor >"$G/visit.scn"
"$B/sentineld" -f -c "$G/gate.conf" 2>"$G/err" || fail "sentineld (no [rules]): $(cat "$G/err")"
expect_eq "enrolment file without [rules], rules deleted: referred" "$(entries "$G/gate.db")" \
	"1	refer	rules-missing,code-green,temp-normal"
expect_eq "enrolment file without [rules]: the door stays shut" "$(grep -c ' relay 1' "$G/out.log")" "0"
expect_eq "enrolment file without [rules]: status --json" \
	"$("$B/sentinelctl" status --json --config "$G/gate.conf" | jq -c '.rules_missing')" "true"

# 4. Enrolled from a package without a rule set: the enrolment file says so (required = no), no
# closed management, as before.
G=$T/d
enrolled "$G" gate-d
expect_eq "enrolment file without a rule set: not required" "$(sed -n '/^\[rules\]$/,$p' "$G/enrolment/enrolment.conf")" "[rules]
required = no"
visitor >"$G/visit.scn"
"$B/sentineld" -f -c "$G/gate.conf" 2>"$G/err" || fail "sentineld (no rules): $(cat "$G/err")"
expect_eq "enrolled without rules: admits" "$(entries "$G/gate.db" | cut -f2 | sort -u)" "admit"
expect_eq "status without rules" "$("$B/sentinelctl" status --config "$G/gate.conf" | grep '^rule set')" \
	"rule set       none"

# 5. A configuration that is its own enrolment (no enrolment file): [rules] required makes it
# fail-secure too; without it (the demo, a developer's gate) it admits without rules.
mkdir -p "$T/e"
visitor >"$T/e/visit.scn"
write_rules_conf "$T/e" "$T/e/visit.scn" "$R/bureau.key.pub"
"$B/sentineld" -f -c "$T/e/gate.conf" 2>"$T/e/err" || fail "sentineld (dev): $(cat "$T/e/err")"
expect_eq "no enrolment file, no [rules] required: admits" "$(entries "$T/e/gate.db" | cut -f2 | sort -u)" "admit"
mkdir -p "$T/f"
visitor >"$T/f/visit.scn"
write_rules_conf "$T/f" "$T/f/visit.scn" "$R/bureau.key.pub"
printf 'required = yes\n' >>"$T/f/gate.conf"
"$B/sentineld" -f -c "$T/f/gate.conf" 2>"$T/f/err" || fail "sentineld (required): $(cat "$T/f/err")"
expect_eq "[rules] required = yes: referred" "$(entries "$T/f/gate.db" | cut -f2,3 | sort -u)" \
	"refer	rules-missing,code-green,temp-normal"
finish
