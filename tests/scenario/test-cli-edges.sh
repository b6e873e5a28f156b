#!/bin/sh
# SPDX-License-Identifier: MIT
# Edges a fresh pair of eyes found in the command lines (issue 16): the
# global --key given to enrol or enrol-import is "does not apply to this
# command", as for the other commands; policy sign --check takes the global
# --db (a wrapper may always give it) and reads only --in; a bureau_url
# without a host and a section line without its ']' are named for what
# they are; export leaves one acknowledgement and one signed time per gate
# on the stick, not one more at every export; a visit pass whose window is
# over when it is issued is refused; --seq, --staff and --personal-days on a
# command that does not take them are refused naming the option and the command;
# an unknown option or one without its value names the command given.
. tests/scenario/lib.sh

[ -x "$B/sentinel-bureau" ] || { echo "skip: no sentinel-bureau in $B"; exit 77; }
BUR=$B/sentinel-bureau
R=$ROOT/tests/fixtures/rules

for c in "enrol --home H --gate g --bureau-key $R/bureau.key.pub --output $T/s" "enrol-import $T/s"; do
	# shellcheck disable=SC2086
	out=$("$BUR" --db "$T/bureau.db" --key "$R/bureau.key" $c 2>&1)
	expect_eq "--key with ${c%% *}: exit" "$?" "2"
	expect_eq "--key with ${c%% *}" "$out" "sentinel-bureau: ${c%% *}: option --key does not apply to this command
Try 'sentinel-bureau --help'."
done

# A command-specific option on a command that does not take it: refused naming both, nothing done
# (before: --seq, --staff and --personal-days were taken silently by every command).
for c in "devices --seq 3" "audit --staff s-1" "devices --personal-days 5" "verify --seq 1" \
	"entries --device g --personal-days 5" "alerts --staff s-1"; do
	w=${c%% *}
	o=$(printf '%s\n' "$c" | sed 's/.* \(--[a-z-]*\) [^ ]*$/\1/')
	# shellcheck disable=SC2086
	out=$("$BUR" --db "$T/bureau.db" $c 2>&1)
	expect_eq "$o with $w: exit" "$?" "2"
	expect_eq "$o with $w" "$out" "sentinel-bureau: $w: option $o does not apply to this command
Try 'sentinel-bureau --help'."
done
[ -e "$T/bureau.db" ] && fail "a refused option made a database"

# An unknown option names the command given, whichever parser reads it (before: enrol-import said
# "enrol", badge issue and pass issue "policy", the commands of main.c none).
for c in enrol enrol-import "policy sign" "badge issue" "pass issue" "trust sign" devices serve export import \
	person purge; do
	w=${c%% *}
	# shellcheck disable=SC2086
	out=$("$BUR" --db "$T/bureau.db" $c --bogus 2>&1 | head -n 1)
	expect_eq "unknown option with $c" "$out" "sentinel-bureau: $w: unknown option '--bogus'"
	# shellcheck disable=SC2086
	out=$("$BUR" $c --home 2>&1 | head -n 1)
	expect_eq "option without its value with $c" "$out" "sentinel-bureau: $w: option '--home' needs an argument"
done

out=$("$BUR" --db "$T/bureau.db" policy sign --check --in "$R/rules-v1.json" 2>&1)
expect_eq "policy sign --check with --db: exit" "$?" "0"
expect_eq "policy sign --check with --db" "$out" "$("$BUR" policy sign --check --in "$R/rules-v1.json" 2>&1)"
[ -e "$T/bureau.db" ] && fail "policy sign --check made a database"

# A gate's configuration: bureau_url with no host; a section line with no ']'.
cat >"$T/gate.conf" <<CONF
[station]
board = sim
db = $T/gate.db
device_id = g1
[sim]
scenario = /dev/null
[sync]
device_key = $T/device.key
bureau_key = $R/bureau.key.pub
bureau_url = https://
CONF
"$B/sentinelctl" keys init --config "$T/gate.conf" >/dev/null 2>&1 || fail "keys init"
out=$("$B/sentinelctl" sync online --config "$T/gate.conf" 2>&1)
expect_eq "bureau_url https://: exit" "$?" "2"
case $out in
*"bureau_url: no host name (https://HOST[:PORT][/PATH])"*) ;;
*) fail "bureau_url https://: $out" ;;
esac
sed -i 's/^\[sim\]$/[sim/' "$T/gate.conf"
out=$("$B/sentinelctl" status --config "$T/gate.conf" 2>&1)
expect_eq "[sim without ]: exit" "$?" "2"
case $out in
*"$T/gate.conf:5: section line '[sim' has no closing ']'"*) ;;
*) fail "[sim without ]: $out" ;;
esac

# export: the newest acknowledgement and time of each gate, the older ones removed, nothing else.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/g.key" 2>/dev/null &&
	openssl pkey -in "$T/g.key" -pubout -out "$T/g.pub" || fail "openssl"
"$BUR" --db "$T/bureau.db" register --device gate-1 --pub "$T/g.pub" >/dev/null || fail "register"
IN=$T/stick/sentinel/gate-1/in
mkdir -p "$IN"
for f in ack-gate-1-7.cose time-gate-1-5.cose ack-gate-10-1.cose notes.txt ack-gate-1-x.cose; do
	echo old >"$IN/$f"
done
for i in 1 2; do
	"$BUR" --db "$T/bureau.db" --key "$R/bureau.key" export "$T/stick" >"$T/export$i.out" 2>&1 ||
		fail "export $i: $(cat "$T/export$i.out")"
	sleep 0.01
done
ack=$(sed -n 's#^ack gate-1 seq 0: .*/in/##p' "$T/export2.out")
tm=$(sed -n 's#^time gate-1 ms [0-9]*: .*/in/##p' "$T/export2.out")
expect_eq "the stick after two exports" "$(ls "$IN" | sort)" "$(printf '%s\n' "$ack" "$tm" ack-gate-10-1.cose ack-gate-1-x.cose notes.txt | sort)"

out=$("$BUR" --key "$R/bureau.key" pass issue --home 阳光养老院 --id P-1 --visitor '钱*' \
	--from 2026-11-29T01:00:00Z --until 2026-11-29T03:00:00Z --issued 2026-11-30T00:00:00Z --out "$T/p.png" 2>&1)
expect_eq "pass for a window over: exit" "$?" "2"
expect_eq "pass for a window over" "$out" "sentinel-bureau: pass: --until 2026-11-29T03:00:00Z: the window is over already (the pass is issued at 2026-11-30T00:00:00Z): it would admit nobody
Try 'sentinel-bureau --help'."
[ -e "$T/p.png" ] && fail "a pass for a window over was written"
"$BUR" --key "$R/bureau.key" pass issue --home 阳光养老院 --id P-2 --visitor '钱*' \
	--from 2026-11-29T01:00:00Z --until 2026-11-29T03:00:00Z --issued 2026-11-29T02:00:00Z --out "$T/p2.png" \
	>/dev/null 2>&1 || fail "a pass issued inside its window was refused"
finish
