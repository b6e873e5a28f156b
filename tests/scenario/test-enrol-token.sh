#!/bin/sh
# SPDX-License-Identifier: MIT
# The stick's token is no online token (issue 16): the enrolment package on
# a stick carries a one-time token for enrol-import, in clear; whoever reads
# the stick (a copy made on its way to the gate, or before it is back at the
# bureau) must not enrol a gate of theirs online under that gate's id, which
# would register their key (and first seal key) for it, so their bundles
# import as that gate's, and refuse the real gate's enrol-import.  `enrol`
# prints a second token for the online enrolment, which the stick never
# carries; spending either spends both.  Before: the stick's token was the
# online token, and the copy enrolled first.  A stick whose enrolment folder
# is a symbolic link is refused before the package (and its token) is
# written through it (before: written where the link pointed).  Online, a
# gate without its [rules] dir asks the bureau nothing (the token stays good).
. tests/scenario/lib.sh
R=$ROOT/tests/fixtures/rules
BUR="$B/sentinel-bureau"
[ -x "$BUR" ] || { echo "SKIP: $BUR not built"; exit 77; }
bureau_backend
DB=$(bureau_db bureau) || exit 1
bureau_state "$DB"
"$BUR" --db "$DB" $SD --key "$R/bureau.key" policy sign --in "$R/rules-v1.json" --out "$T/rules.cose" >/dev/null ||
	fail "policy sign"
for g in real copy late; do
	mkdir -p "$T/$g/rules"
	write_unenrolled_conf "$T/$g/gate.conf" rules
done
kid() {	# GATE: its key id at the bureau ("" when not registered)
	"$BUR" --db "$DB" $SD devices | sed -n "s/^$1 kid \\([0-9a-f]*\\) .*/\\1/p"
}

# 1. The package of gate-s, on a stick; its online token printed.
"$BUR" --db "$DB" $SD enrol --home 阳光养老院 --gate gate-s --bureau-key "$R/bureau.key.pub" --output "$T/stick" \
	>"$T/enrol.out" 2>&1 || fail "bureau enrol: $(cat "$T/enrol.out")"
online=$(sed -n 's/^one-time token (online enrolment): //p' "$T/enrol.out")
stok=$(stick_token "$T/stick/sentinel/enrol/gate-s/package.json")
grep -q "$online" "$T/stick/sentinel/enrol/gate-s/package.json" && fail "the online token is on the stick"
serve_start "$T/serve" --db "$DB" $SD --key "$R/bureau.key" serve --listen 127.0.0.1:0

# 2. The stick's token used online (a copy of the stick): refused, nothing registered.
expect_run "the stick's token online" 1 \
	"sentinelctl: enrol: http://127.0.0.1:$port/v1/enrol: the bureau refused the enrolment (HTTP 403): unknown or already used enrolment token" \
	"$B/sentinelctl" enrol --config "$T/copy/gate.conf" --online "http://127.0.0.1:$port" --token "$stok"
expect_eq "the stick's token online: nothing registered" "$(kid gate-s)" ""

# 3. The real gate enrols by stick and the bureau imports its key: gate-s is the real gate.
"$B/sentinelctl" enrol --config "$T/real/gate.conf" "$T/stick" >"$T/real.out" 2>&1 || fail "enrol: $(cat "$T/real.out")"
out=$("$BUR" --db "$DB" $SD enrol-import "$T/stick" 2>&1)
expect_eq "enrol-import" "$out" "registered gate-s (enrolled), home 阳光养老院
gate-s: seal key registered"
expect_eq "gate-s has the real gate's key" "$(kid gate-s)" \
	"$(openssl pkey -pubin -in "$T/real/device.pub" -outform der 2>/dev/null | sha256sum | cut -c1-16)"
# ... and its online token is spent with it.
expect_run "online token after the stick" 1 \
	"sentinelctl: enrol: http://127.0.0.1:$port/v1/enrol: the bureau refused the enrolment (HTTP 403): unknown or already used enrolment token" \
	"$B/sentinelctl" enrol --config "$T/copy/gate.conf" --online "http://127.0.0.1:$port" --token "$online"

# 4. Online first (gate-t): its online token enrols; the stick's reply after it is refused.
"$BUR" --db "$DB" $SD enrol --home 阳光养老院 --gate gate-t --bureau-key "$R/bureau.key.pub" --output "$T/stick2" \
	>"$T/enrol2.out" 2>&1 || fail "bureau enrol gate-t: $(cat "$T/enrol2.out")"
online2=$(sed -n 's/^one-time token (online enrolment): //p' "$T/enrol2.out")
"$B/sentinelctl" enrol --config "$T/late/gate.conf" --online "http://127.0.0.1:$port" --token "$online2" \
	>"$T/late.out" 2>&1 || fail "online enrol gate-t: $(cat "$T/late.out")"
P=$T/stick2/sentinel/enrol/gate-t
"$B/sentinelctl" keys init --config "$T/copy/gate.conf" >/dev/null 2>&1
cp "$T/copy/device.pub" "$P/device.pub" 2>/dev/null || fail "no key for the stick reply"
printf '{"gate": "gate-t", "token": "%s"}\n' "$(stick_token "$P/package.json")" >"$P/reply.json"
out=$("$BUR" --db "$DB" $SD enrol-import "$T/stick2" 2>&1)
expect_eq "stick reply after online: refused" "$out" \
	"sentinel-bureau: enrol-import: gate gate-t: refused: unknown or already used enrolment token"
expect_eq "gate-t has the online gate's key" "$(kid gate-t)" \
	"$(openssl pkey -pubin -in "$T/late/device.pub" -outform der 2>/dev/null | sha256sum | cut -c1-16)"

# 6. Online, a gate that cannot take the package ([rules] dir missing) asks nothing: the bureau
# registers nothing and the token stays good for the retry (before: the bureau registered the key
# and spent the token, the gate then failed and removed the key, and a new token was refused:
# "registered with another key").
"$BUR" --db "$DB" $SD enrol --home 阳光养老院 --gate gate-w --bureau-key "$R/bureau.key.pub" --output "$T/stick4" \
	>"$T/enrol4.out" 2>&1 || fail "bureau enrol gate-w: $(cat "$T/enrol4.out")"
online4=$(sed -n 's/^one-time token (online enrolment): //p' "$T/enrol4.out")
mkdir -p "$T/w"
write_unenrolled_conf "$T/w/gate.conf" rules
expect_run "no [rules] dir" 2 \
	"sentinelctl: enrol: [rules] dir $T/w/rules: No such file or directory: nothing sent to the bureau" \
	"$B/sentinelctl" enrol --config "$T/w/gate.conf" --online "http://127.0.0.1:$port" --token "$online4"
expect_eq "no [rules] dir: nothing registered" "$(kid gate-w)" ""
mkdir "$T/w/rules"
"$B/sentinelctl" enrol --config "$T/w/gate.conf" --online "http://127.0.0.1:$port" --token "$online4" \
	>"$T/w.out" 2>&1 || fail "the retry with the same token: $(cat "$T/w.out")"
serve_stop

# 5. A stick whose folders point elsewhere (a symbolic link, e.g. left by a gate): the package
# and its token are not written there; refused before any token is made.
mkdir -p "$T/stick3/sentinel" "$T/elsewhere"
ln -s "$T/elsewhere" "$T/stick3/sentinel/enrol"
ls "$TOKD" >"$T/tokens.before"
expect_run "symlinked stick folder" 1 "sentinel-bureau: enrol: $T/stick3/sentinel/enrol: a symbolic link: refused" \
	"$BUR" --db "$DB" $SD enrol --home 阳光养老院 --gate gate-u --bureau-key "$R/bureau.key.pub" --output "$T/stick3"
expect_eq "symlinked stick folder: nothing written through it" "$(find "$T/elsewhere" -mindepth 1)" ""
expect_eq "symlinked stick folder: no token made" "$(ls "$TOKD")" "$(cat "$T/tokens.before")"
finish
