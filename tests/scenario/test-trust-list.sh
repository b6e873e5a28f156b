#!/bin/sh
# SPDX-License-Identifier: MIT
# The home's trust list reaches the running gate from the bureau, signed
# and verified as the rule set is (issue 16; firmware/trustlist/trustlist.h):
# - the bureau signs the issuer key files as the home's list
#   (`trust sign --db`); a file that holds no key, an older version are
#   refused naming them;
# - by stick: `export` puts it on the stick (in/trust-1.cose); the gate's
#   `sentinelctl sync usb` installs it in [rules] dir while sentineld runs,
#   and the daemon takes it up before the next visitor with no signal (it
#   is frozen in visit 1 with the board's `signal stop`, as in
#   test-rules-stick.sh, and only let go on with SIGCONT);
# - a list on the stick signed by another key is an error of the sync and
#   the installed list stays;
# - online: version 2 rides in the acknowledgement of `serve` (its log line
#   ends 'trust 2'), the sync installs it, its files replace version 1's
#   whole, and the daemon takes it up at its next start.
. tests/scenario/lib.sh

[ -x "$B/sentinel-bureau" ] || { echo "test-trust-list: $B/sentinel-bureau not built: skipped"; exit 77; }
ctl=$B/sentinelctl
bur() { "$B/sentinel-bureau" --db "$T/bureau.db" --key "$T/bureau.key" "$@"; }
JWKS=$ROOT/tests/fixtures/shc/spec-examples-issuer.jwks.json
cp "$JWKS" "$T/issuers.jwks.json"
cp "$JWKS" "$T/more.jwks.json"
printf 'not a key\n' >"$T/bad.pem"

cat >"$T/q.scn" <<SCN
$(frozen_visit "$FIX/green.png")
$(visit "$FIX/green.png" 36.5)
SCN
cat >"$T/one.scn" <<SCN
$(visit "$FIX/green.png" 36.5)
SCN
mkdir -p "$T/g/rules" "$T/g/keys"
write_conf "$T/g/gate.conf" "$T/q.scn" gate.db out.log
cat >>"$T/g/gate.conf" <<CONF

[sync]
device_key = keys/device.key
bureau_key = $T/bureau.key.pub

[rules]
dir = rules
CONF

"$B/sentinel-bureau" keys init --key "$T/bureau.key" >/dev/null || fail "bureau keys init"
"$B/sentinel-bureau" keys init --key "$T/other.key" >/dev/null || fail "other keys init"
"$ctl" keys init --config "$T/g/gate.conf" >/dev/null || fail "gate keys init"
bur register --device test-gate --pub "$T/g/keys/device.pub" --home 阳光养老院 >/dev/null || fail "register"

# ---- the bureau ----
out=$(bur trust sign --home 阳光养老院 --version 1 --in "$T/issuers.jwks.json" --out "$T/trust-v1.cose")
expect_eq "trust sign: exit" "$?" "0"
expect_eq "trust sign --db" "$out" \
	"trust list of home 阳光养老院 version 1: $T/trust-v1.cose (1 file, $(wc -c <"$T/trust-v1.cose") bytes)
recorded as the current trust list of home 阳光养老院 (was version 0)"
out=$(bur trust sign --home 阳光养老院 --version 2 --in "$T/issuers.jwks.json" --in "$T/bad.pem" \
	--out "$T/bad.cose" 2>&1)
expect_eq "a file without a key: exit" "$?" "1"
expect_eq "a file without a key" "$out" \
	"sentinel-bureau: trust: trust list refused: file 'bad.pem': not a certificate, DCC trust list, DID document or JWK set"
[ -e "$T/bad.cose" ] && fail "a refused list was written"
out=$(bur trust sign --home 阳光养老院 --version 1 --in "$T/more.jwks.json" --out "$T/again.cose" 2>&1 >/dev/null)
expect_eq "not newer: exit" "$?" "1"
expect_eq "not newer" "$out" \
	"sentinel-bureau: trust: home '阳光养老院' has trust list version 1 already: version 1 is not newer"
"$B/sentinel-bureau" --key "$T/other.key" trust sign --home 阳光养老院 --version 9 --in "$T/issuers.jwks.json" \
	--out "$T/forged.cose" >/dev/null || fail "sign with another key"

# ---- by stick, to the running daemon ----
stick_sync_frozen "$T/g/gate.conf" trust 1 "$T/trust-v1.cose" \
	"  trust lists:       installed version 1 (was 0), 1 file; sentineld takes it up before the next visit"
expect_eq "the list is taken up between visits 1 and 2" \
	"$(grep -oE 'visit [0-9]+:|trust list.*' "$T/g/stderr")" \
	"visit 1:
trust list version 1 of the bureau taken up (was 0): 1 issuer key
visit 2:"
cmp -s "$T/g/rules/trust/issuers.jwks.json" "$JWKS" || fail "the gate's trust file is not the list's"

# Signed by another key: refused, version 1 stays.
cp "$T/forged.cose" "$S/mnt/sentinel/test-gate/in/trust-9.cose"
sync_usb "$S" "$T/g/gate.conf" >"$T/sync2.out" 2>&1
expect_eq "a forged list: exit" "$?" "1"
grep -q "^sentinelctl: sync: $S/mnt/sentinel/test-gate/in/trust-9.cose: not installed: not signed by the bureau's key: " \
	"$T/sync2.out" || fail "a forged list: $(cat "$T/sync2.out")"
cmp -s "$T/g/rules/trust.cose" "$T/trust-v1.cose" || fail "a forged list replaced the installed one"
rm "$S/mnt/sentinel/test-gate/in/trust-9.cose"

# ---- online: version 2 in the acknowledgement ----
bur trust sign --home 阳光养老院 --version 2 --in "$T/more.jwks.json" --in "$T/issuers.jwks.json" \
	--out "$T/trust-v2.cose" >/dev/null || fail "sign v2"
serve_start "$T/serve" --db "$T/bureau.db" --key "$T/bureau.key" serve --listen 127.0.0.1:0
sed -i "s#^bureau_key = .*#&\nbureau_url = http://127.0.0.1:$port#; s#q\.scn#one.scn#" "$T/g/gate.conf"
"$B/sentineld" -f -c "$T/g/gate.conf" 2>"$T/g/stderr2" || fail "sentineld (second run)"
out=$("$ctl" sync online --config "$T/g/gate.conf" 2>&1)
expect_eq "sync online: exit" "$?" "0"
expect_eq "sync online installs the list" "$(echo "$out" | grep 'trust lists:')" \
	"  trust lists:       installed version 2 (was 1), 2 files; sentineld takes it up before the next visit"
expect_eq "the bureau's log names it" "$(grep -c 'POST /v1/bundle 200 .* trust 2$' "$T/serve.log")" "1"
expect_eq "version 2's files replace version 1's" "$(ls "$T/g/rules/trust")" "issuers.jwks.json
more.jwks.json"
"$B/sentineld" -f -c "$T/g/gate.conf" 2>"$T/g/stderr3" || fail "sentineld (third run)"
expect_eq "taken up at start" "$(grep -oE 'trust list.*' "$T/g/stderr3")" \
	"trust list version 2 of the bureau taken up (was 0): 2 issuer keys"
serve_stop
finish
