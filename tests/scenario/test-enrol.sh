#!/bin/sh
# SPDX-License-Identifier: MIT
# Enrolment by stick: the bureau makes a gate's package (sentinel-bureau
# enrol), the gate takes it from a stick (a directory here), makes its key,
# installs the bureau's key, trust list and rule set and writes its public
# key back; the bureau imports it (enrol-import) and the token then works no
# more.  The gate's first seal key goes to the bureau the same way (written
# back to the stick, 0600, and removed from it by enrol-import; online in the
# request) and leaves the gate: a visit synced afterwards is imported with its
# seals verified, and a history rewritten on the gate (the log made again,
# sealed with a new key) is refused.  sentinelctl status before and after.  A package with a bad field is
# refused naming it, and nothing is enrolled.
. tests/scenario/lib.sh

[ -x "$B/sentinel-bureau" ] || { echo "skip: no sentinel-bureau in $B"; exit 77; }
R=$ROOT/tests/fixtures/rules
BUR="$B/sentinel-bureau"
bureau_backend
DB=$(bureau_db bureau) || exit 1
bureau_state "$DB"
S=$T/stick
mkdir -p "$S" "$T/gate"
cp "$ROOT/tests/fixtures/shc/spec-examples-issuer.jwks.json" "$T/issuers.jwks.json"

write_unenrolled_conf "$T/gate/gate.conf" .

# Not enrolled yet.
out=$("$B/sentinelctl" status --config "$T/gate/gate.conf" --now 2026-11-29T12:00:00Z 2>&1)
expect_eq "status before: exit" "$?" "1"
expect_eq "status before" "$out" "enrolled       NO: the gate opens for nobody (no $T/gate/enrolment/enrolment.conf)
home           -
gate           -
bureau         -
rule set       none
trust list     none
clock          $(printf '%s' "$out" | sed -n 's/^clock          //p')
unsynced       0
last sync      never
alerts open    0"

out=$("$BUR" --db "$DB" $SD enrol --home 阳光养老院 --gate sun-gate-1 --bureau-key "$R/bureau.key.pub" \
	--duty-phone 0931-1 --rules "$R/rules-v1.cose" --trust "$T/issuers.jwks.json" --output "$S" 2>&1)
expect_eq "bureau enrol: exit" "$?" "0"
token=$(printf '%s\n' "$out" | sed -n 's/^one-time token (online enrolment): //p')
expect_eq "bureau enrol: output" "$out" "no trust list: home 阳光养老院 has none yet (trust sign --db gives it one)
enrolment package for gate sun-gate-1: $S/sentinel/enrol/sun-gate-1/package.json
one-time token (online enrolment): $token
its copy is kept in $(cd "$TOKD" && pwd -P)/ (serve and enrol-import with this --db and state directory look there)"
# sync_and_import GATE_CONF STICK: one sentineld run of visits.scn with the
# gate's configuration, its bundle synced to STICK (a simulated USB stick)
# and imported by the bureau; the import's output in $T/import.out.
cat >"$T/visits.scn" <<SCN
$(visit "$FIX/green.png" 36.5 10000 61000)
$(visit "$FIX/green.png" 36.6 10000 61000)
SCN
. "$ROOT/tests/sync/stick.sh"
sync_and_import() {
	sed "s#^scenario = /dev/null#scenario = $T/visits.scn\nstart = 2026-11-29T12:00:00Z\nclock = trusted\noutput = out.log#" \
		"$1" >"$1.run"
	"$B/sentineld" -f -c "$1.run" 2>"$T/sentineld.err" || fail "sentineld ($1): $(cat "$T/sentineld.err")"
	make_stick "$2"
	sync_usb "$2" "$1.run" >"$T/sync.out" 2>&1 || fail "sync usb ($1): $(cat "$T/sync.out")"
	"$BUR" --db "$DB" $SD --key "$R/bureau.key" import "$2/mnt" >"$T/import.out" 2>&1
}
expect_eq "token form" "$(printf '%s' "$token" | grep -cE '^[0-9a-f]{32}$')" "1"
stok=$(stick_token "$S/sentinel/enrol/sun-gate-1/package.json")
expect_eq "tokens kept, private" "$(stat -c %a "$TOKD/$stok.json" "$TOKD/$token.online")" "600
600"
expect_eq "the stick's token is not the online one" "$(printf '%s' "$stok" | grep -cE '^[0-9a-f]{32}$') $([ "$stok" = "$token" ] && echo same)" "1 "

out=$("$B/sentinelctl" enrol --config "$T/gate/gate.conf" "$S" 2>&1)
expect_eq "enrol: exit" "$?" "0"
expect_eq "enrol: output" "$out" "enrolled: gate sun-gate-1 of 阳光养老院
device key $T/gate/device.key
rule set: installed version 1 (was 0), $(printf '%s\n' "$out" | sed -n 's/.*(was 0), //p')
first seal key handed over and removed from the gate: $T/gate/device.seal0
public key written back to $S/sentinel/enrol/sun-gate-1/device.pub: take the stick to the bureau (sentinel-bureau enrol-import)
first seal key written back to $S/sentinel/enrol/sun-gate-1/seal0: secret, for the bureau only (enrol-import registers it and removes it from the stick)"
expect_eq "device key mode" "$(stat -c %a "$T/gate/device.key")" "600"
expect_eq "seal0 on the stick: mode" "$(stat -c %a "$S/sentinel/enrol/sun-gate-1/seal0")" "600"
expect_eq "seal keys on the gate" "$(cd "$T/gate" && ls device.seal*) $(stat -c %a "$T/gate/device.seal")" "device.seal 600"
cmp -s "$T/gate/device.pub" "$S/sentinel/enrol/sun-gate-1/device.pub" || fail "the key written back is not the gate's"
cmp -s "$T/issuers.jwks.json" "$T/gate/enrolment/trust/issuers.jwks.json" || fail "trust list not installed"
cmp -s "$R/bureau.key.pub" "$T/gate/enrolment/bureau.pub" || fail "bureau key not installed"
expect_eq "enrolment file" "$(grep -v '^#' "$T/gate/enrolment/enrolment.conf")" "[station]
home = 阳光养老院
device_id = sun-gate-1
duty_phone = 0931-1
trust = trust

[sync]
bureau_key = bureau.pub

[rules]
required = yes"
out=$("$B/sentinelctl" status --config "$T/gate/gate.conf" --now 2026-11-29T12:00:00Z 2>&1)
expect_eq "status after" "$(printf '%s\n' "$out" | grep -v '^clock')" "enrolled       yes
home           阳光养老院
gate           sun-gate-1
bureau         by stick only
rule set       version 1, age 2d 4h, fresh
trust list     none
unsynced       0
last sync      never
alerts open    0"
out=$("$B/sentinelctl" status --json --config "$T/gate/gate.conf" --now 2026-11-29T12:00:00Z 2>&1)
expect_eq "status --json" "$(printf '%s' "$out" | sed 's/"clock":"[a-z]*"/"clock":"X"/')" \
	'{"enrolled":true,"home":"阳光养老院","gate":"sun-gate-1","bureau":"by stick only","rules":{"version":1,"issued":"2026-11-27T08:00:00Z","age_s":187200,"freshness":"fresh"},"rules_missing":false,"clock":"X","unsynced":0,"last_sync":null,"alerts_open":0,"trust":null}'

# The USB unit's call before each sync: nothing to do once enrolled.
out=$("$B/sentinelctl" enrol --if-needed --config "$T/gate/gate.conf" "$S" 2>&1)
expect_eq "enrolled, --if-needed: exit" "$?" "0"
expect_eq "enrolled, --if-needed" "$out" ""
# Once enrolled, a second package is refused.
out=$("$B/sentinelctl" enrol --config "$T/gate/gate.conf" "$S" 2>&1)
expect_eq "enrol twice: exit" "$?" "1"
expect_eq "enrol twice" "$out" "sentinelctl: enrol: already enrolled as gate sun-gate-1 ($T/gate/enrolment/enrolment.conf); remove it to enrol again"

# The bureau registers the key written back; the token works once.
cp -R "$S" "$T/stick-copy"
out=$("$BUR" --db "$DB" $SD enrol-import "$S" 2>&1)
expect_eq "enrol-import: exit" "$?" "0"
expect_eq "enrol-import" "$out" "registered sun-gate-1 (enrolled), home 阳光养老院
sun-gate-1: seal key registered"
[ -e "$S/sentinel/enrol/sun-gate-1/seal0" ] && fail "enrol-import left seal0 on the stick"
# A visit, synced and imported: its seals verified.
sync_and_import "$T/gate/gate.conf" "$T/u1"
expect_eq "stick gate: import: exit" "$?" "0"
expect_eq "stick gate: import" "$(sed 's/^[^:]*: //' "$T/import.out")" \
	"device sun-gate-1 entries 1-2 new 2 duplicate 0 seals verified 2"
# The history rewritten on the gate: the log made again from nothing and
# sealed with a new key (the first one is at the bureau only): refused.
rm -f "$T/gate/gate.db" "$T/gate/gate.db-wal" "$T/gate/gate.db-shm" "$T/gate/gate.db.head" "$T/gate/device.seal"
"$B/sentinelctl" keys seal --config "$T/gate/gate.conf" >/dev/null || fail "keys seal (rewrite)"
sync_and_import "$T/gate/gate.conf" "$T/u2"
expect_eq "rewritten history: import: exit" "$?" "1"
expect_eq "rewritten history: import" "$(sed 's/^[^:]*: //' "$T/import.out")" \
	"rejected: entry seq 1: seal does not verify"
"$BUR" --db "$DB" $SD devices | grep -q '^sun-gate-1 ' || fail "sun-gate-1 not among the devices: $("$BUR" --db "$DB" $SD devices)"
out=$("$BUR" --db "$DB" $SD enrol-import "$T/stick-copy" 2>&1)
expect_eq "token again: exit" "$?" "1"
expect_eq "token again" "$out" "sentinel-bureau: enrol-import: gate sun-gate-1: refused: unknown or already used enrolment token"
# A seal0 on the stick that is a symbolic link: refused, not followed.
rm "$T/stick-copy/sentinel/enrol/sun-gate-1/seal0"
ln -s "$T/gate/device.seal" "$T/stick-copy/sentinel/enrol/sun-gate-1/seal0"
out=$("$BUR" --db "$DB" $SD enrol-import "$T/stick-copy" 2>&1)
expect_eq "symlinked seal0: exit" "$?" "1"
expect_eq "symlinked seal0" "$out" "sentinel-bureau: enrol-import: $T/stick-copy/sentinel/enrol/sun-gate-1/seal0: a symbolic link: refused"
# A device.pub on the stick that is a symbolic link (here to the bureau's own key): refused, not
# followed, nothing registered.
"$BUR" --db "$DB" $SD enrol --home 阳光养老院 --gate sun-gate-8 --bureau-key "$R/bureau.key.pub" \
	--output "$T/s8" >"$T/s8.out" 2>&1 || fail "eighth package not made"
tok8=$(stick_token "$T/s8/sentinel/enrol/sun-gate-8/package.json")
G8="$T/s8/sentinel/enrol/sun-gate-8"
printf '{"gate": "sun-gate-8", "token": "%s"}\n' "$tok8" >"$G8/reply.json"
ln -s "$R/bureau.key.pub" "$G8/device.pub"
out=$("$BUR" --db "$DB" $SD enrol-import "$T/s8" 2>&1)
expect_eq "symlinked device.pub: exit" "$?" "1"
expect_eq "symlinked device.pub" "$out" "sentinel-bureau: enrol-import: $G8/device.pub: a symbolic link: refused"
"$BUR" --db "$DB" $SD devices | grep '^sun-gate-8 ' && fail "a symlinked device.pub registered sun-gate-8"
# The gate's id registered already with another key: refused with the reason, and the token not
# spent, so the reply is taken once the bureau has settled it.
rm "$G8/device.pub"
for k in a b; do
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/k8$k.key" 2>/dev/null &&
		openssl pkey -in "$T/k8$k.key" -pubout -out "$T/k8$k.pub" || fail "openssl key $k"
done
cp "$T/k8a.pub" "$G8/device.pub"
"$BUR" --db "$DB" $SD register --device sun-gate-8 --pub "$T/k8b.pub" >/dev/null || fail "register sun-gate-8"
out=$("$BUR" --db "$DB" $SD enrol-import "$T/s8" 2>&1)
expect_eq "registered with another key: exit" "$?" "1"
expect_eq "registered with another key" "$out" \
	"sentinel-bureau: enrol-import: gate sun-gate-8: refused: device sun-gate-8 is registered with another key (kid differs); use --replace"
[ -e "$TOKD/$tok8.json" ] || fail "a refused registration spent the token"
"$BUR" --db "$DB" $SD register --replace --reason "the enrolled board" --device sun-gate-8 \
	--pub "$T/k8a.pub" >/dev/null ||
	fail "register --replace sun-gate-8"
out=$("$BUR" --db "$DB" $SD enrol-import "$T/s8" 2>&1)
expect_eq "after the conflict is settled: exit" "$?" "0"
expect_eq "after the conflict is settled" "$out" "registered sun-gate-8 (enrolled), home 阳光养老院"
# A reply carrying another gate's token: refused before anything is registered (neither gate's
# key), and that token stays the other gate's.
for g in 9 10; do
	"$BUR" --db "$DB" $SD enrol --home 阳光养老院 --gate sun-gate-$g --bureau-key "$R/bureau.key.pub" \
		--output "$T/s9" >"$T/s$g.out" 2>&1 || fail "package of sun-gate-$g not made"
done
tok9=$(stick_token "$T/s9/sentinel/enrol/sun-gate-9/package.json")
G10="$T/s9/sentinel/enrol/sun-gate-10"
printf '{"gate": "sun-gate-10", "token": "%s"}\n' "$tok9" >"$G10/reply.json"
cp "$T/k8b.pub" "$G10/device.pub"
out=$("$BUR" --db "$DB" $SD enrol-import "$T/s9" 2>&1)
expect_eq "another gate's token: exit" "$?" "1"
expect_eq "another gate's token" "$out" \
	"sentinel-bureau: enrol-import: gate sun-gate-10: refused: the token was made for another gate"
"$BUR" --db "$DB" $SD devices | grep -E '^sun-gate-(9|10) ' && fail "another gate's token registered a gate"
[ -e "$TOKD/$tok9.json" ] || fail "another gate's token was spent"

# A package with a bad field: refused naming it; nothing enrolled.
mkdir -p "$T/g2" "$T/plain-stick"
sed 's#enrolment/enrolment.conf#e2/enrolment.conf#' "$T/gate/gate.conf" >"$T/g2/gate.conf"
# A sync stick without a package: nothing to do for the USB unit, an error by hand.
out=$("$B/sentinelctl" enrol --if-needed --config "$T/g2/gate.conf" "$T/plain-stick" 2>&1)
expect_eq "no package, --if-needed: exit" "$?" "0"
"$B/sentinelctl" enrol --config "$T/g2/gate.conf" "$T/plain-stick" >/dev/null 2>&1
expect_eq "no package: exit" "$?" "1"
"$BUR" --db "$DB" $SD enrol --home 阳光养老院 --gate sun-gate-2 --bureau-key "$R/bureau.key.pub" \
	--output "$T/s2" >/dev/null 2>&1 || fail "second package not made"
sed -i 's/"gate": "sun-gate-2"/"gate": "..\/x"/' "$T/s2/sentinel/enrol/sun-gate-2/package.json"
out=$("$B/sentinelctl" enrol --config "$T/g2/gate.conf" "$T/s2" 2>&1)
expect_eq "bad package: exit" "$?" "1"
expect_eq "bad package" "$out" "sentinelctl: enrol: $T/s2/sentinel/enrol/sun-gate-2/package.json: refused: bad gate (a device id)"
[ -e "$T/g2/e2/enrolment.conf" ] && fail "a refused package enrolled the gate"
# A package in another gate's folder.
"$BUR" --db "$DB" $SD enrol --home 阳光养老院 --gate sun-gate-6 --bureau-key "$R/bureau.key.pub" \
	--output "$T/s6" >/dev/null 2>&1 || fail "sixth package not made"
mv "$T/s6/sentinel/enrol/sun-gate-6" "$T/s6/sentinel/enrol/sun-gate-7"
out=$("$B/sentinelctl" enrol --config "$T/g2/gate.conf" "$T/s6" 2>&1)
expect_eq "package in another folder: exit" "$?" "1"
expect_eq "package in another folder" "$out" \
	"sentinelctl: enrol: $T/s6/sentinel/enrol/sun-gate-7/package.json: refused: the package is for gate sun-gate-6, not sun-gate-7"
# A package folder that is a symbolic link (the write-back would go through it): not taken.
mkdir -p "$T/s5/sentinel/enrol" "$T/elsewhere"
mv "$T/s2/sentinel/enrol/sun-gate-2" "$T/elsewhere/sun-gate-2"
ln -s "$T/elsewhere/sun-gate-2" "$T/s5/sentinel/enrol/sun-gate-2"
out=$("$B/sentinelctl" enrol --config "$T/g2/gate.conf" "$T/s5" 2>&1)
expect_eq "symlinked package: exit" "$?" "1"
expect_eq "symlinked package" "$out" "sentinelctl: enrol: $T/s5/sentinel/enrol: no package"
expect_eq "nothing written through the link" "$(ls "$T/elsewhere/sun-gate-2")" "package.json"
# A rule set of another home: refused by the bureau (the gate refuses it too: test-enrol-home.sh).
out=$("$BUR" --db "$DB" $SD enrol --home 别的养老院 --gate sun-gate-3 --bureau-key "$R/bureau.key.pub" \
	--rules "$R/rules-v1.cose" --output "$T/s3" 2>&1)
expect_eq "other home's rules: exit" "$?" "2"
expect_eq "other home's rules" "$out" "sentinel-bureau: enrol: --rules $R/rules-v1.cose: refused: addressed to another home or gate: addressed to home '阳光养老院', this gate's home is '别的养老院'"
[ -e "$T/s3/sentinel/enrol/sun-gate-3/package.json" ] && fail "a package with another home's rule set was made"

# Online: the gate sends the one-time token with its new key; the bureau
# registers it at once and answers with the package.  The token works once.
serve_start "$T/serve" --db "$DB" $SD --key "$R/bureau.key" serve --listen 127.0.0.1:0
out=$("$BUR" --db "$DB" $SD enrol --home 阳光养老院 --gate sun-gate-4 --bureau-key "$R/bureau.key.pub" \
	--bureau-url "http://127.0.0.1:$port" --rules "$R/rules-v1.cose" --output "$T/s4" 2>&1)
token4=$(printf '%s\n' "$out" | sed -n 's/^one-time token (online enrolment): //p')
mkdir -p "$T/g4"
sed 's#enrolment/enrolment.conf#e4/enrolment.conf#; s#^device_key = device\.key#device_key = d4.key#' "$T/gate/gate.conf" >"$T/g4/gate.conf"
sed -i 's#^dir = .#dir = r4#' "$T/g4/gate.conf"
mkdir -p "$T/g4/r4"
out=$("$B/sentinelctl" enrol --config "$T/g4/gate.conf" --online "http://127.0.0.1:$port" --token "$token4" 2>&1)
expect_eq "online enrol: exit" "$?" "0"
expect_eq "online enrol" "$(printf '%s\n' "$out" | sed 's/(was 0), .*/(was 0)/')" "enrolled: gate sun-gate-4 of 阳光养老院
device key $T/g4/d4.key
rule set: installed version 1 (was 0)
first seal key handed over and removed from the gate: $T/g4/d4.seal0
registered with the bureau at http://127.0.0.1:$port"
[ -e "$T/g4/d4.seal0" ] && fail "online enrolment left the first seal key on the gate"
sync_and_import "$T/g4/gate.conf" "$T/u4"
expect_eq "online gate: import: exit" "$?" "0"
expect_eq "online gate: import" "$(sed 's/^[^:]*: //' "$T/import.out")" \
	"device sun-gate-4 entries 1-2 new 2 duplicate 0 seals verified 2"
grep -q "^bureau_url = http://127.0.0.1:$port\$" "$T/g4/e4/enrolment.conf" || fail "online enrolment: no bureau_url"
"$BUR" --db "$DB" $SD devices | grep -q '^sun-gate-4 ' || fail "sun-gate-4 not registered online"
# Plain http to anything but this machine is refused before anything is sent.
expect_run "plain http elsewhere" 1 \
	"sentinelctl: enrol: already enrolled as gate sun-gate-4 ($T/g4/e4/enrolment.conf); remove it to enrol again" \
	"$B/sentinelctl" enrol --config "$T/g4/gate.conf" --online "http://127.0.0.1.example.org:$port" \
	--token 00000000000000000000000000000000
# refused_online N URL TOKEN WHAT MESSAGE - gate N (gate 4's configuration, its files eN/ and
# dN.*) enrolled online at URL with TOKEN: refused (exit 1) with MESSAGE, nothing enrolled, no
# key file left.
refused_online() {
	mkdir -p "$T/g$1/r4"
	sed "s#e4/#e$1/#; s#d4\\.key#d$1.key#" "$T/g4/gate.conf" >"$T/g$1/gate.conf"
	expect_run "$4" 1 "$5" "$B/sentinelctl" enrol --config "$T/g$1/gate.conf" --online "$2" --token "$3"
	[ -e "$T/g$1/e$1/enrolment.conf" ] && fail "$4: the gate enrolled"
	expect_eq "$4: no key files left" "$(cd "$T/g$1" && ls "d$1".* 2>/dev/null)" ""
}
refused_online 6 "http://127.0.0.1.example.org:$port" 00000000000000000000000000000000 \
	"plain http elsewhere (not enrolled)" \
	"sentinelctl: enrol: --online: 'http://127.0.0.1.example.org:$port' is not https:// (plain http only to 127.0.0.1 or localhost)"
# The same token again (another gate's attempt): refused, nothing enrolled, no key left behind.
refused_online 5 "http://127.0.0.1:$port" "$token4" "token twice online" \
	"sentinelctl: enrol: http://127.0.0.1:$port/v1/enrol: the bureau refused the enrolment (HTTP 403): unknown or already used enrolment token"
# A bad package in the bureau's answer: refused naming the field; the keys made for the request
# are removed again, nothing is enrolled (before: the device and seal keys stayed on the gate).
"$BUR" --db "$DB" $SD enrol --home 阳光养老院 --gate sun-gate-7 --bureau-key "$R/bureau.key.pub" \
	--output "$T/s7" >"$T/s7.out" 2>&1 || fail "package of sun-gate-7 not made"
tok7=$(sed -n 's/^one-time token (online enrolment): //p' "$T/s7.out")
sed -i 's/^{/{"surprise": 1, /' "$TOKD/$(stick_token "$T/s7/sentinel/enrol/sun-gate-7/package.json").json"
refused_online 7 "http://127.0.0.1:$port" "$tok7" "bad package online" \
	"sentinelctl: enrol: http://127.0.0.1:$port: refused: unknown field 'surprise'"
# A stick reply with the token spent online is refused too.
serve_stop
grep -q "$token4" "$T/serve.log" "$T/serve.err" && fail "the token is in the bureau's log"

finish
