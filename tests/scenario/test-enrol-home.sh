#!/bin/sh
# SPDX-License-Identifier: MIT
# An enrolled gate gets its home's rule sets and trust lists with no hand
# work (issue 16): the bureau records the home's current rule set
# (`policy sign --db`) and trust list (`trust sign --db`); `enrol` puts both
# in the package without --rules; the gate installs them; enrol-import (by
# stick) and POST /v1/enrol (online) register the gate as serving the home
# the package was made for, so `devices` shows it and `export` puts the
# next rule set on its stick; online, the package answered carries the
# home's set current at that moment.
# The bureau's own key is refused as a gate's key, online and by stick, as
# `register` refuses it.  A trust file that holds no key is refused by
# `enrol` and by the gate, naming the file.  The gate checks the package
# whole before it writes anything: a bad rule set, CA, trust file, a field
# of the wrong type or a field it does not know refuse it, and no key,
# seal key or enrolment file is left behind.
. tests/scenario/lib.sh

[ -x "$B/sentinel-bureau" ] || { echo "skip: no sentinel-bureau in $B"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed (make deps)"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl not installed"; exit 77; }
bureau_backend
DB=$(bureau_db bureau) || exit 1
bureau_state "$DB"
# shellcheck disable=SC2086
bur() { "$B/sentinel-bureau" --db "$DB" $SD "$@"; }
ctl=$B/sentinelctl
cp "$ROOT/tests/fixtures/shc/spec-examples-issuer.jwks.json" "$T/issuers.jwks.json"

rules_json() { # VERSION
	printf '{"v": 2, "home": "阳光养老院", "version": %s, "mode": "open", "fever_threshold_mdc": 37300,
 "colours": ["green"], "formats": ["healthcode"], "max_visitors": 5, "risk_regions": [],
 "staff": [], "max_test_age_days": 7, "valid_from": "2026-11-28T00:00:00Z",
 "valid_until": "2036-01-01T00:00:00Z", "hard_limit_ms": 604800000, "issued": "2026-11-28T08:00:00Z"}\n' "$1"
}
# gate_conf DIR: a gate not enrolled yet, its files under DIR.
gate_conf() {
	mkdir -p "$1/rules"
	write_unenrolled_conf "$1/gate.conf" rules
}

"$B/sentinel-bureau" keys init --key "$T/bureau.key" >/dev/null || fail "bureau keys init"
rules_json 1 >"$T/rules-v1.json"
bur --key "$T/bureau.key" policy sign --in "$T/rules-v1.json" --out "$T/rules-v1.cose" >/dev/null || fail "sign v1"
bur --key "$T/bureau.key" trust sign --home 阳光养老院 --version 1 --in "$T/issuers.jwks.json" \
	--out "$T/trust-v1.cose" >/dev/null || fail "trust sign v1"

# By stick.  The package carries the home's current set and list without --rules.
out=$(bur enrol --home 阳光养老院 --gate gate-1 --bureau-key "$T/bureau.key.pub" --output "$T/s1" 2>&1)
expect_eq "enrol: exit" "$?" "0"
expect_eq "enrol: the home's set and list" "$(printf '%s\n' "$out" | grep -E '^(rule set|trust list|no )')" \
	"rule set: version 1, the home's current one
trust list: version 1, the home's current one"
gate_conf "$T/g1"
out=$("$ctl" enrol --config "$T/g1/gate.conf" "$T/s1" 2>&1)
expect_eq "gate enrol: exit" "$?" "0"
expect_eq "gate enrol: installed" "$(printf '%s\n' "$out" | grep -E '^(rule set|trust list):' | sed 's/(was 0), .*/(was 0)/')" \
	"rule set: installed version 1 (was 0)
trust list: installed version 1 (was 0)"
cmp -s "$T/issuers.jwks.json" "$T/g1/rules/trust/issuers.jwks.json" || fail "the home's trust list not installed"
expect_eq "status: rule set" "$("$ctl" status --config "$T/g1/gate.conf" --now 2026-11-29T12:00:00Z | grep '^rule set')" \
	"rule set       version 1, age 1d 4h, fresh"
# status: the trust list installed, its version, home, issue time and age (the list was signed a
# moment ago: 0d 0h), one line and the "trust" object after the other keys of --json.
out=$("$ctl" status --json --config "$T/g1/gate.conf")
tissued=$(printf '%s' "$out" | jq -r '.trust.issued')
expect_eq "status --json: trust" "$(printf '%s' "$out" | jq -c '[keys_unsorted[-1], .trust.version, .trust.home, (.trust.age_s < 3600)]')" \
	'["trust",1,"阳光养老院",true]'
expect_eq "status --json: trust issued" "$(printf '%s' "$tissued" | grep -cE '^2[0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$')" "1"
expect_eq "status: trust list" "$("$ctl" status --config "$T/g1/gate.conf" | grep '^trust list')" \
	"trust list     version 1, home 阳光养老院, issued $tissued, age 0d 0h"
ls -A "$T/g1/enrolment" | grep -q '^\.enrol-' && fail "the temporary directory was left behind"
out=$(bur enrol-import "$T/s1" 2>&1)
expect_eq "enrol-import: exit" "$?" "0"
expect_eq "enrol-import" "$out" "registered gate-1 (enrolled), home 阳光养老院
gate-1: seal key registered"
expect_eq "devices --json: home" "$(bur devices --json | jq -r 'select(.device == "gate-1") | .home')" "阳光养老院"
# The next set goes onto the gate's stick at export.
rules_json 2 >"$T/rules-v2.json"
bur --key "$T/bureau.key" policy sign --in "$T/rules-v2.json" --out "$T/rules-v2.cose" >/dev/null || fail "sign v2"
mkdir -p "$T/x1"
bur --key "$T/bureau.key" export "$T/x1" >"$T/export.out" 2>&1 || fail "export: $(cat "$T/export.out")"
cmp -s "$T/x1/sentinel/gate-1/in/rules-2.cose" "$T/rules-v2.cose" || fail "export: no rules-2.cose for gate-1: $(cat "$T/export.out")"
[ -e "$T/x1/sentinel/gate-1/in/trust-1.cose" ] || fail "export: no trust-1.cose for gate-1: $(cat "$T/export.out")"

# The bureau's own public key written back as a gate's: refused, the token unspent.
bur enrol --home 阳光养老院 --gate gate-3 --bureau-key "$T/bureau.key.pub" --output "$T/s3" >"$T/s3.out" 2>&1 ||
	fail "package of gate-3 not made"
tok3=$(stick_token "$T/s3/sentinel/enrol/gate-3/package.json")
printf '{"gate": "gate-3", "token": "%s"}\n' "$tok3" >"$T/s3/sentinel/enrol/gate-3/reply.json"
cp "$T/bureau.key.pub" "$T/s3/sentinel/enrol/gate-3/device.pub"
out=$(bur enrol-import "$T/s3" 2>&1)
expect_eq "own key by stick: exit" "$?" "1"
expect_eq "own key by stick" "$out" \
	"sentinel-bureau: enrol-import: gate gate-3: refused: the gate's key is the bureau's own key, not a gate's"
[ -e "$TOKD/$tok3.json" ] || fail "own key by stick: the token was spent"

# Online: the package answered carries the set current then (version 3, signed after the package).
serve_start "$T/serve" --db "$DB" $SD --key "$T/bureau.key" serve --listen 127.0.0.1:0
bur enrol --home 阳光养老院 --gate gate-2 --bureau-key "$T/bureau.key.pub" --bureau-url "http://127.0.0.1:$port" \
	--output "$T/s2" >"$T/s2.out" 2>&1 || fail "package of gate-2 not made"
tok2=$(sed -n 's/^one-time token (online enrolment): //p' "$T/s2.out")
rules_json 3 >"$T/rules-v3.json"
bur --key "$T/bureau.key" policy sign --in "$T/rules-v3.json" --out "$T/rules-v3.cose" >/dev/null || fail "sign v3"
# The bureau's own key sent as the gate's: 403, the token unspent.
out=$(jq -n --arg t "$tok2" --rawfile k "$T/bureau.key.pub" '{token: $t, device_pub: $k}' |
	curl -s -w '\n%{http_code}' --data-binary @- -H 'Content-Type: application/json' "http://127.0.0.1:$port/v1/enrol")
expect_eq "own key online" "$out" "the gate's key is the bureau's own key, not a gate's

403"
[ -e "$TOKD/$tok2.online" ] || fail "own key online: the token was spent"
gate_conf "$T/g2"
out=$("$ctl" enrol --config "$T/g2/gate.conf" --online "http://127.0.0.1:$port" --token "$tok2" 2>&1)
expect_eq "online enrol: exit" "$?" "0"
expect_eq "online enrol: installed" "$(printf '%s\n' "$out" | grep -E '^(rule set|trust list):' | sed 's/(was 0), .*/(was 0)/')" \
	"rule set: installed version 3 (was 0)
trust list: installed version 1 (was 0)"
expect_eq "devices --json: home (online)" "$(bur devices --json | jq -r 'select(.device == "gate-2") | .home')" "阳光养老院"
serve_stop

# A trust file that holds no key: refused by enrol, naming it.
printf 'not a key\n' >"$T/junk.pem"
out=$(bur enrol --home 阳光养老院 --gate gate-4 --bureau-key "$T/bureau.key.pub" --trust "$T/junk.pem" \
	--output "$T/s4" 2>&1)
expect_eq "enrol --trust junk: exit" "$?" "2"
expect_eq "enrol --trust junk" "$out" \
	"sentinel-bureau: enrol: --trust $T/junk.pem: refused: file 'junk.pem': not a certificate, DCC trust list, DID document or JWK set"
[ -e "$T/s4/sentinel/enrol/gate-4/package.json" ] && fail "enrol --trust junk wrote a package"

# The gate refuses a bad package whole, before writing anything.
bur enrol --home 阳光养老院 --gate gate-5 --bureau-key "$T/bureau.key.pub" --output "$T/s5" >/dev/null 2>&1 ||
	fail "package of gate-5 not made"
P5=$T/s5/sentinel/enrol/gate-5/package.json
cp "$P5" "$T/p5.json"
# refused JQ_FILTER WHAT MESSAGE: the package changed by JQ_FILTER is refused with MESSAGE, nothing written.
refused() {
	jq "$1" "$T/p5.json" >"$P5" || fail "jq $1"
	rm -rf "$T/g5"
	gate_conf "$T/g5"
	out=$("$ctl" enrol --config "$T/g5/gate.conf" "$T/s5" 2>&1)
	expect_eq "$2: exit" "$?" "1"
	expect_eq "$2" "$out" "sentinelctl: enrol: $P5: refused: $3"
	left=$(cd "$T/g5" && ls -A | grep -v -e '^gate.conf$' -e '^rules$'; ls -A "$T/g5/rules")
	expect_eq "$2: nothing written" "$left" ""
	left=$(ls -A "$T/s5/sentinel/enrol/gate-5")
	expect_eq "$2: nothing written back" "$left" "package.json"
}
refused '.rules = "00ff"' "a rule set that is no rule set" \
	"bad rules (rule set not signed by the bureau's key: signature: not COSE_Sign1 as sentinel signs it)"
refused ".trust = {\"a.pem\": \"00\"}" "a trust file of no key" \
	"bad trust (file 'a.pem': not a certificate, DCC trust list, DID document or JWK set)"
refused '.bureau_ca = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"' \
	"a CA that is no certificate" "bad bureau_ca (PEM certificates)"
refused '.extra = "x"' "an unknown field" "unknown field 'extra'"
refused '.home = 1' "a home that is not a string" "bad home (not a string)"
refused '.rules = "'"$(od -An -v -tx1 "$T/rules-v1.cose" | tr -d ' \n')"'" | .home = "别的养老院"' \
	"another home's rule set" \
	"bad rules (addressed to another home or gate: addressed to home '阳光养老院', this gate's home is '别的养老院')"
refused 'del(.rules) | .trust_list = "'"$(od -An -v -tx1 "$T/trust-v1.cose" | tr -d ' \n')"'" | .home = "别的养老院"' \
	"another home's trust list" \
	"bad trust_list (addressed to another home: addressed to home '阳光养老院', not '别的养老院')"
# The same package unchanged enrols.
cp "$T/p5.json" "$P5"
rm -rf "$T/g5"
gate_conf "$T/g5"
"$ctl" enrol --config "$T/g5/gate.conf" "$T/s5" >/dev/null 2>&1 || fail "the unchanged package does not enrol"

# The state directory: the clerk runs enrol and trust sign in one working directory, enrol-import
# and serve run in others (systemd's /), all with the same --state-dir: one token directory and
# one trust-list directory, nothing kept in the working directories (before: with PostgreSQL
# ./bureau.enrol and ./bureau.trust, so each working directory had its own).
mkdir -p "$T/clerk" "$T/root" "$T/st"
case $B in /*) BA=$B ;; *) BA=$ROOT/$B ;; esac
bst() { "$BA/sentinel-bureau" --db "$DB" --state-dir "$T/st" "$@"; }
out=$(cd "$T/clerk" && bst --key "$T/bureau.key" trust sign --home 阳光养老院 --version 2 \
	--in "$T/issuers.jwks.json" --out "$T/trust-v2.cose" 2>&1)
expect_eq "state dir: trust sign: exit" "$?" "0"
out=$(cd "$T/clerk" && bst enrol --home 阳光养老院 --gate gate-7 --bureau-key "$T/bureau.key.pub" \
	--output "$T/s7" 2>&1)
expect_eq "state dir: enrol: exit" "$?" "0"
tok7=$(printf '%s\n' "$out" | sed -n 's/^one-time token (online enrolment): //p')
expect_eq "state dir: enrol" "$(printf '%s\n' "$out" | grep -E '^(trust list|its copy)')" \
	"trust list: version 2, the home's current one
its copy is kept in $(cd "$T/st" && pwd -P)/enrol/ (serve and enrol-import with this --db and state directory look there)"
expect_eq "state dir: the token, private" "$(stat -c %a "$T/st/enrol/$tok7.online")" "600"
gate_conf "$T/g7"
"$ctl" enrol --config "$T/g7/gate.conf" "$T/s7" >"$T/g7.out" 2>&1 || fail "gate-7 enrol: $(cat "$T/g7.out")"
out=$(cd "$T/root" && bst enrol-import "$T/s7" 2>&1)
expect_eq "state dir: enrol-import elsewhere: exit" "$?" "0"
expect_eq "state dir: enrol-import elsewhere" "$out" "registered gate-7 (enrolled), home 阳光养老院
gate-7: seal key registered"
# Online: the token made in the clerk's directory is redeemed by serve running in another, whose
# answer carries the trust list recorded there too.
out=$(cd "$T/clerk" && bst enrol --home 阳光养老院 --gate gate-8 --bureau-key "$T/bureau.key.pub" \
	--output "$T/s8" 2>&1)
tok8=$(printf '%s\n' "$out" | sed -n 's/^one-time token (online enrolment): //p')
cd "$T/root" || exit 1
serve_start "$T/serve8" --db "$DB" --state-dir "$T/st" --key "$T/bureau.key" serve --listen 127.0.0.1:0
cd "$ROOT" || exit 1
gate_conf "$T/g8"
out=$("$ctl" enrol --config "$T/g8/gate.conf" --online "http://127.0.0.1:$port" --token "$tok8" 2>&1)
expect_eq "state dir: online enrol: exit" "$?" "0"
expect_eq "state dir: online enrol: trust list" "$(printf '%s\n' "$out" | grep '^trust list:' | sed 's/(was 0), .*/(was 0)/')" \
	"trust list: installed version 2 (was 0)"
serve_stop
expect_eq "state dir: nothing in the working directories" "$(ls -A "$T/clerk" "$T/root")" "$T/clerk:

$T/root:"
expect_eq "state dir: its directories" "$(ls "$T/st")" "enrol
trust"

finish
