#!/bin/sh
# SPDX-License-Identifier: MIT
# The forward-secure seal end to end (issue 14 item 5c): `sentinelctl keys
# init` makes the gate's first seal key, the bureau registers it, sentineld
# seals each entry in the epoch of its (simulated, trusted) time and evolves
# the key on disk; verify-log --seal-key checks every seal; the bundle
# carries the seals and the bureau checks them on import, refusing a bundle
# whose seal was forged (the entry's seal tag replaced) and taking the
# genuine one.
. tests/scenario/lib.sh

[ -x "$B/sentinel-bureau" ] || { echo "test-log-seal: $B/sentinel-bureau not built: skipped"; exit 77; }
ctl=$B/sentinelctl
bur() {
	case $1 in
	import | export) "$B/sentinel-bureau" --db "$T/bureau.db" --key "$T/bureau.key" "$@" ;;
	*) "$B/sentinel-bureau" --db "$T/bureau.db" "$@" ;;
	esac
}

cat >"$T/visits.scn" <<SCN
$(visit "$FIX/green.png" 36.5 10000 61000)
$(visit "$FIX/red.png" 36.6 10000 61000)
$(visit "$FIX/green.png" 36.7 10000 61000)
SCN
write_conf "$T/gate.conf" visits.scn gate.db out.log
# The simulated clock in 2099, after the seal's epoch 0 (keys init, now):
# the entries fall some 26,000 one-day epochs later.
sed -i 's/^start = .*/start = 2099-01-01T00:00:00Z/' "$T/gate.conf"
cat >>"$T/gate.conf" <<CONF

[sync]
device_key = keys/device.key
bureau_key = bureau.key.pub
CONF
mkdir -p "$T/keys"
out=$("$ctl" keys init --config "$T/gate.conf" --seal-epoch 86400)
expect_eq "keys init exit" "$?" "0"
expect_eq "keys init: seal key" "$(echo "$out" | sed -n 4p)" \
	"seal key $T/keys/device.seal, first key for the bureau $T/keys/device.seal0 (epochs of 86400 s, from seq 1)"
expect_eq "seal key mode" "$(stat -c %a "$T/keys/device.seal0") $(stat -c %a "$T/keys/device.seal")" "600 600"
out=$("$ctl" keys seal --config "$T/gate.conf" 2>&1)
expect_eq "keys seal again exit" "$?" "1"
expect_eq "keys seal again" "$out" "sentinelctl: keys: $T/keys/device.seal0: exists already: not overwritten"
"$B/sentinel-bureau" keys init --key "$T/bureau.key" >/dev/null || fail "bureau keys init"
out=$(bur register --device test-gate --pub "$T/keys/device.pub" --seal-key "$T/keys/device.seal0")
expect_eq "register: seal key line" "$(echo "$out" | sed -n 2p)" "test-gate: seal key registered"

# The gate seals its entries; the key file moves on to their epoch.
"$B/sentineld" -f -c "$T/gate.conf" 2>"$T/stderr" || fail "sentineld failed: $(cat "$T/stderr")"
expect_eq "gate entries" "$("$ctl" entries --db "$T/gate.db" --json | wc -l)" "3"
"$ctl" verify-log --db "$T/gate.db" --json --seal-key "$T/keys/device.seal0" >"$T/v.json"
expect_eq "verify-log --seal-key exit" "$?" "0"
expect_eq "verify-log --seal-key" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["status"], d["sealed"], d["head_seq"])' "$T/v.json")" \
	"clean 3 3"
cmp -s "$T/keys/device.seal" "$T/keys/device.seal0" && fail "the gate still holds the first key"
# The gate's evolving key is no first key: refused.
out=$(bur register --device test-gate --pub "$T/keys/device.pub" --seal-key "$T/keys/device.seal" 2>&1)
expect_eq "register the evolving key: exit" "$?" "2"
case $out in *"not a first seal key (epoch "*", not 0): register the .seal0 file") ;; *) fail "register the evolving key: $out" ;; esac

. "$ROOT/tests/sync/stick.sh"
S=$T/stick
make_stick "$S"

# A forged seal on entry 2 (its tag replaced, the entry untouched).
cp "$T/gate.db" "$T/good.db"
[ -e "$T/gate.db-wal" ] && cp "$T/gate.db-wal" "$T/good.db-wal"
python3 - "$T/gate.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("DROP TRIGGER seals_no_update; UPDATE seals SET tag = zeroblob(32) WHERE seq = 2;")
db.close()
PY
"$ctl" verify-log --db "$T/gate.db" --seal-key "$T/keys/device.seal0" >"$T/v.out"
expect_eq "forged seal: verify-log exit" "$?" "1"
expect_eq "forged seal: verify-log" "$(sed 's/, [0-9.]* s$//' "$T/v.out")" \
	"damaged: seq 2: seal does not verify (1 entry checked before it, last good seq 1)"
sync_usb "$S" >/dev/null 2>&1 || fail "sync usb (forged)"
bur import "$S/mnt" >"$T/import.out" 2>&1
expect_eq "forged seal: import exit" "$?" "1"
grep -q "entry seq 2: seal does not verify" "$T/import.out" || fail "forged seal: import: $(cat "$T/import.out")"

# The genuine log: accepted.
rm -f "$T/gate.db-wal" "$T/gate.db-shm"
cp "$T/good.db" "$T/gate.db"
[ -e "$T/good.db-wal" ] && cp "$T/good.db-wal" "$T/gate.db-wal"
rm -f "$S/mnt/sentinel/test-gate/out/"*.snb
sync_usb "$S" >/dev/null 2>&1 || fail "sync usb (genuine)"
bur import "$S/mnt" >"$T/import2.out" 2>&1
expect_eq "genuine: import exit" "$?" "0"
expect_eq "genuine: import" "$(sed 's/^[^:]*: //' "$T/import2.out")" \
	"device test-gate entries 1-3 new 3 duplicate 0 seals verified 3
device test-gate entries 2-2 new 1 duplicate 0 (priority) seals verified 1"

# A history rewritten by someone holding the gate's current seal key (issue
# 14 item 5c): entry 2 (a red code, denied) made an admission, the hashes
# after it recomputed, every seal from it on made again with the key of the
# gate's last epoch, the head file rewritten.  Another gate, with epochs of
# a second and its simulated clock a day ahead of the key's start (so the
# epochs stay below SNT_FSS_EPOCH_MAX), so each entry has an epoch of its
# own.  verify-log --seal-key and the bureau's import both
# refuse it: the seal's epoch is not the one of the entry's time.  (Moving
# the entries' times into that last epoch as well is not found: store.h.)
pkgs=$(sed -n 's/^PKGS *:= *//p' Makefile | head -n 1)
san=
nm "$B/tests/modules.a" 2>/dev/null | grep -q __asan && san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
# shellcheck disable=SC2086
gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O1 -g $san -I. -Ifirmware -Iboard $(pkg-config --cflags $pkgs) \
	-o "$T/seal-forge" tests/scenario/seal-forge.c "$B/tests/modules.a" $(pkg-config --libs $pkgs) -lm ||
	{ fail "cannot build seal-forge"; finish; }
G=$T/g2
mkdir -p "$G/keys"
cp "$T/visits.scn" "$G/visits.scn"
write_conf "$G/gate.conf" visits.scn gate.db out.log
sed -i "s/^start = .*/start = $(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)/" "$G/gate.conf"
printf '\n[sync]\ndevice_key = keys/device.key\nbureau_key = %s\n' "$T/bureau.key.pub" >>"$G/gate.conf"
"$ctl" keys init --config "$G/gate.conf" --seal-epoch 1 >/dev/null || fail "keys init (g2)"
bur2() {
	case $1 in
	import) "$B/sentinel-bureau" --db "$G/bureau.db" --key "$T/bureau.key" "$@" ;;
	*) "$B/sentinel-bureau" --db "$G/bureau.db" "$@" ;;
	esac
}
bur2 register --device test-gate --pub "$G/keys/device.pub" --seal-key "$G/keys/device.seal0" >/dev/null ||
	fail "register (g2)"
"$B/sentineld" -f -c "$G/gate.conf" 2>"$G/stderr" || fail "sentineld (g2) failed: $(cat "$G/stderr")"
expect_eq "g2: decisions" "$(sqlite3 "$G/gate.db" "SELECT seq, decision FROM entries ORDER BY seq" | tr '\n' ' ')" \
	"1|admit 2|deny 3|admit "
expect_eq "g2: an epoch each" "$(sqlite3 "$G/gate.db" "SELECT count(DISTINCT epoch) FROM seals")" "3"
"$T/seal-forge" "$G/gate.db" "$G/keys/device.seal" 2 || fail "seal-forge"
expect_eq "rewritten: entry 2" "$(sqlite3 "$G/gate.db" "SELECT decision, door FROM entries WHERE seq = 2")" \
	"admit|opened"
"$ctl" verify-log --db "$G/gate.db" >"$G/v.out"
expect_eq "rewritten: verify-log without the key exit" "$?" "0"
"$ctl" verify-log --db "$G/gate.db" --seal-key "$G/keys/device.seal0" >"$G/v.out"
expect_eq "rewritten: verify-log --seal-key exit" "$?" "1"
expect_eq "rewritten: verify-log --seal-key" "$(sed 's/, [0-9.]* s$//' "$G/v.out")" \
	"damaged: seq 2: seal epoch out of order (1 entry checked before it, last good seq 1)"
make_stick "$G/stick"
"$ctl" sync usb --config "$G/gate.conf" --sysfs-root "$G/stick/sys" --mountinfo "$G/stick/mountinfo" \
	"$G/stick/mnt" >/dev/null 2>&1 || fail "sync usb (rewritten)"
bur2 import "$G/stick/mnt" >"$G/import.out" 2>&1
expect_eq "rewritten: import exit" "$?" "1"
expect_eq "rewritten: import" "$(sed 's/^[^:]*: //' "$G/import.out")" \
	"rejected: entry seq 2: seal epoch out of order"
expect_eq "rewritten: nothing merged" "$(sqlite3 "$G/bureau.db" "SELECT count(*) FROM entries")" "0"

finish
