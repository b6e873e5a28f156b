#!/bin/sh
# SPDX-License-Identifier: MIT
# Sync by USB stick, with the real binaries (the small cousin of `make
# synctest`): sentinelctl keys init/show, a gate log from sentineld on the
# simulated board, one round trip through a fake stick (a directory listed
# in an injected mountinfo file, with a fake sysfs tree: --mountinfo,
# --sysfs-root) and sentinel-bureau import/export; a stale mount point, a
# device that is not removable, a symlinked station directory, symlinks and
# unexpected names in in/, a tampered acknowledgement and another device's
# acknowledgement are refused, each naming the file; nothing is lost.
. tests/scenario/lib.sh

[ -x "$B/sentinel-bureau" ] || { echo "test-sync: $B/sentinel-bureau not built: skipped"; exit 77; }
bureau_backend
BDB=$(bureau_db bureau) || exit 1
ctl=$B/sentinelctl
bur() {
	case $1 in
	import | export | ack) "$B/sentinel-bureau" --db "$BDB" --key "$T/bureau.key" "$@" ;;
	*) "$B/sentinel-bureau" --db "$BDB" "$@" ;;
	esac
}

cat >"$T/visits.scn" <<SCN
$(visit "$FIX/green.png" 36.5)
$(visit "$FIX/red.png" 36.6 10000 70000)
show $FIX/green.png
temp 38.9 38.8
presence 1
wait 12000
presence 0
SCN
write_conf "$T/gate.conf" visits.scn gate.db out.log
append_sync_conf "$T/gate.conf"
"$B/sentineld" -f -c "$T/gate.conf" 2>"$T/stderr" || fail "sentineld failed: $(cat "$T/stderr")"
n=$("$ctl" entries --db "$T/gate.db" --json | wc -l)
expect_eq "gate entries" "$n" "3"
cp "$T/gate.db" "$T/online.db"	# the same log, for the online sync below
[ -e "$T/gate.db-wal" ] && cp "$T/gate.db-wal" "$T/online.db-wal"
cp "$T/gate.db" "$T/tty.db"	# and for the progress on a terminal
[ -e "$T/gate.db-wal" ] && cp "$T/gate.db-wal" "$T/tty.db-wal"

# keys init: the key pair, mode 0600, and the public key beside it; never overwritten.
out=$("$ctl" keys init --config "$T/gate.conf")
expect_eq "keys init exit" "$?" "0"
expect_eq "keys init: public key path" "$(echo "$out" | sed -n 2p)" "public key $T/keys/device.pub"
expect_eq "device key mode" "$(stat -c %a "$T/keys/device.key")" "600"
kid=$(echo "$out" | sed -n 3p)
out=$("$ctl" keys init --config "$T/gate.conf" 2>&1)
expect_eq "keys init again exit" "$?" "1"
expect_eq "keys init again" "$out" \
	"sentinelctl: keys: $T/keys/device.key: a device key exists already: not overwritten"
out=$("$ctl" keys show --config "$T/gate.conf")
expect_eq "keys show: PEM" "$(echo "$out" | head -n 1)" "-----BEGIN PUBLIC KEY-----"
expect_eq "keys show: kid" "$(echo "$out" | tail -n 1)" "$kid"
expect_eq "keys show: the public key file" "$(echo "$out" | sed '$d')" "$(cat "$T/keys/device.pub")"

"$B/sentinel-bureau" keys init --key "$T/bureau.key" >/dev/null || fail "bureau keys init"
bur register --device test-gate --pub "$T/keys/device.pub" >/dev/null || fail "bureau register"

. "$ROOT/tests/sync/stick.sh"
sync_usb() { # STICK
	"$ctl" sync usb --config "$T/gate.conf" --sysfs-root "$1/sys" --mountinfo "$1/mountinfo" "$1/mnt"
}
S=$T/stick
make_stick "$S"
D=$S/mnt/sentinel/test-gate

# A stale mount point: the directory is there, the mount is not.
grep -v ' vfat ' "$S/mountinfo" >"$T/stale.mountinfo"
out=$("$ctl" sync usb --config "$T/gate.conf" --sysfs-root "$S/sys" --mountinfo "$T/stale.mountinfo" \
	"$S/mnt" 2>&1)
expect_eq "stale mount exit" "$?" "1"
expect_eq "stale mount" "$out" \
	"sentinelctl: sync: usb: $S/mnt: not a mount point (not in $T/stale.mountinfo)"
[ -e "$S/mnt/sentinel" ] && fail "something was written to a stale mount point"
# Mounted, but the block device is not removable.
echo 0 >"$S/sys/devices/usb1/block/sdz/removable"
out=$(sync_usb "$S" 2>&1)
expect_eq "not removable exit" "$?" "1"
case $out in *"is not removable ("*"/removable reads 0)") ;; *) fail "not removable: $out" ;; esac
echo 1 >"$S/sys/devices/usb1/block/sdz/removable"
# The station directory a symlink out of the stick.
mkdir -p "$S/mnt/sentinel" "$T/elsewhere"
ln -s "$T/elsewhere" "$D"
out=$(sync_usb "$S" 2>&1)
expect_eq "symlinked station directory exit" "$?" "1"
expect_eq "symlinked station directory" "$out" \
	"sentinelctl: sync: usb: $S/mnt/sentinel/test-gate: a symlink, not a directory: refused"
rm "$D"
[ -z "$(ls "$T/elsewhere")" ] || fail "something was written through the symlink"

# The round trip: gate -> stick -> bureau -> stick -> gate.
out=$(sync_usb "$S")
expect_eq "sync usb exit" "$?" "0"
expect_eq "sync usb: sent" "$(echo "$out" | grep 'entries sent')" \
	"  entries sent:      1-3 (3) in 1 bundle"
expect_eq "sync usb: priority" "$(echo "$out" | grep 'priority copies')" \
	"  priority copies:   2 in 1 bundle"
size=$(cat "$D/out/"*.snb | wc -c)
expect_eq "sync usb: files" "$(echo "$out" | grep 'files written')" \
	"  files written:     2 ($size bytes), acknowledged bundles removed: 0"
expect_eq "stick out/" "$(LC_ALL=C ls "$D/out")" "test-gate-1-3-regular.snb
test-gate-2-3-priority.snb"
# The issuing platform (a fake) says red for every token: the gate read green twice.
printf '#!/bin/sh\ncat >/dev/null\necho red\n' >"$T/platform.sh"
chmod +x "$T/platform.sh"
"$B/sentinel-bureau" --db "$BDB" --key "$T/bureau.key" --platform-cmd "$T/platform.sh" \
	import "$S/mnt" >"$T/import.out" 2>&1 || fail "bureau import: $(cat "$T/import.out")"
# Importing again (duplicates) with standard error on a terminal: a counter there, cleared at the end.
script -qec "'$B/sentinel-bureau' --db '$BDB' --key '$T/bureau.key' import '$S/mnt' >'$T/import2.out'" \
	/dev/null >"$T/import-tty.out" </dev/null
expect_eq "bureau import: progress on a terminal" "$(od -An -c "$T/import-tty.out" | tr -s ' \n' ' ')" \
	"$(printf '\r\033[K\rimport: 1 done, 0 rejected\033[K\r\033[K\rimport: 2 done, 0 rejected\033[K\r\033[K' |
		od -An -c | tr -s ' \n' ' ')"
expect_eq "bureau import: the lines on standard output" "$(wc -l <"$T/import2.out")" "2"
bur export "$S/mnt" >"$T/export.out" 2>&1 || fail "bureau export: $(cat "$T/export.out")"
ack=$(ls "$D/in" | grep '^ack-')
expect_eq "acknowledgement file" "$ack" "ack-test-gate-3.cose"
cp "$D/in/$ack" "$T/good-ack"

# Hostile names in in/: each refused by name, the rest still imported.
ln -s /etc/passwd "$D/in/ack-test-gate-2.cose"
touch "$D/in/..evil" "$D/in/notes.txt"
# A name with a newline and ESC: printed escaped, it cannot forge a line or colour the terminal.
forged=$(printf 'a\nsentinelctl: sync: fake\033[31m')
touch "$D/in/$forged"
mkfifo "$D/in/time-test-gate-5.cose"
out=$(sync_usb "$S" 2>"$T/err")
expect_eq "sync usb with hostile names exit" "$?" "1"
expect_eq "hostile names refused" "$(LC_ALL=C sort "$T/err")" \
"sentinelctl: sync: $S/mnt/sentinel/test-gate/in/'..evil': not a plain file name: refused
sentinelctl: sync: $S/mnt/sentinel/test-gate/in/'a\\x0asentinelctl: sync: fake\\x1b[31m': not a plain file name: refused
sentinelctl: sync: $S/mnt/sentinel/test-gate/in/ack-test-gate-2.cose: a symlink: refused
sentinelctl: sync: $S/mnt/sentinel/test-gate/in/notes.txt: not an acknowledgement, signed time, rule set, trust list or issuer list file: refused
sentinelctl: sync: $S/mnt/sentinel/test-gate/in/time-test-gate-5.cose: not a regular file: refused"
expect_eq "acknowledged despite them" "$(echo "$out" | grep 'acknowledged:')" \
	"  acknowledged:      up to 3 (was 0)"
expect_eq "verdicts: two contradict the colour read" "$(echo "$out" | grep 'verdicts:')" \
	"  verdicts:          3 recorded, 2 contradictions"
expect_eq "acknowledged bundles removed from the stick" "$(ls "$D/out")" ""
# Time on a stick is as old as the bureau's export: reported, never applied (no rebase).
ls "$D/in/"time-test-gate-*.cose >/dev/null 2>&1 || fail "bureau export wrote no signed time"
case $(echo "$out" | grep '  time:') in
"  time:              the stick's signed time "*"Z is not fresh: not applied (online sync or NTP gives trusted time)") ;;
*) fail "stick time line: $(echo "$out" | grep 'time:')" ;;
esac
expect_eq "the gate's clock is not behind the stick's time" "$(echo "$out" | grep '  clock:')" ""
rm -f "$D/in/ack-test-gate-2.cose" "$D/in/..evil" "$D/in/notes.txt" "$D/in/time-test-gate-5.cose" "$D/in/$forged"

# A second sync while one runs (the lock held by flock(1)): refused at once, nothing touched.
out=$(flock "$T/gate.db.sync.lock" sh -c '"$0" sync usb --config "$1" --sysfs-root "$2" --mountinfo "$3" "$4" 2>&1; echo "exit $?"' \
	"$ctl" "$T/gate.conf" "$S/sys" "$S/mountinfo" "$S/mnt")
expect_eq "concurrent sync refused" "$out" \
"sentinelctl: sync: another sync is running (lock $T/gate.db.sync.lock)
exit 1"
expect_eq "lock file mode" "$(stat -c %a "$T/gate.db.sync.lock")" "600"

# A tampered acknowledgement: one byte of the signed payload changed.
python3 - "$T/good-ack" "$D/in/$ack" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[len(d) // 2] ^= 0x01
open(sys.argv[2], "wb").write(d)
PY
out=$(sync_usb "$S" 2>&1 >/dev/null)
expect_eq "tampered ack exit" "$?" "1"
case $out in
"sentinelctl: sync: $D/in/$ack: acknowledgement: "*) ;;
*) fail "tampered ack message: $out" ;;
esac
# Another device's acknowledgement, renamed as ours: the payload names the other device.
bur register --device other-gate --pub "$T/keys/device.pub" >/dev/null 2>&1
mkdir -p "$T/o/sentinel/other-gate/out"
bur ack --device other-gate --output "$T/o" >/dev/null 2>&1 || fail "bureau ack for other-gate"
cp "$(ls "$T/o/sentinel/other-gate/in/"ack-* | head -n 1)" "$D/in/$ack"
out=$(sync_usb "$S" 2>&1 >/dev/null)
expect_eq "other device's ack exit" "$?" "1"
expect_eq "other device's ack" "$out" \
	"sentinelctl: sync: $D/in/$ack: acknowledgement for device 'other-gate', this gate is 'test-gate': refused"
cp "$T/good-ack" "$D/in/$ack"

# Nothing was lost: the log is whole, the cursor at 3, a sync event per run.
"$ctl" verify-log --db "$T/gate.db" >/dev/null || fail "verify-log after sync"
expect_eq "entries after sync" "$("$ctl" entries --db "$T/gate.db" --json | wc -l)" "3"
out=$(sync_usb "$S")
expect_eq "sync usb again exit" "$?" "0"
expect_eq "nothing more to send" "$(echo "$out" | grep 'entries sent')" \
	"  entries sent:      none (everything up to 3 was acknowledged)"

# Online over TLS with the bureau's certificate pinned ([sync] bureau_ca).
if command -v openssl >/dev/null && command -v python3 >/dev/null; then
	for c in tls other; do
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
			-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
			-keyout "$T/$c.key" -out "$T/$c.crt" 2>/dev/null || fail "openssl req ($c)"
	done
	serve_start "$T/serve" --db "$BDB" --key "$T/bureau.key" serve --listen 127.0.0.1:0 \
		--tls-cert "$T/tls.crt" --tls-key "$T/tls.key"
	online_conf() { # CA
		sed -e 's/^db = .*/db = online.db/' "$T/gate.conf" >"$T/online.conf"
		printf 'bureau_url = https://127.0.0.1:%s\nbureau_ca = %s\nretries = 2\n' "$port" "$1" >>"$T/online.conf"
	}
	# Another CA pinned: refused at once (not retried), nothing moves.
	online_conf "$T/other.crt"
	out=$("$ctl" sync online --config "$T/online.conf" --backoff-ms 10 2>&1)
	expect_eq "wrong CA exit" "$?" "1"
	case $out in
	*"not delivered (not retried): https://127.0.0.1:$port/v1/bundle: "*"(pinned CA: [sync] bureau_ca)"*) ;;
	*) fail "wrong CA message: $out" ;;
	esac
	expect_eq "wrong CA: one attempt" "$(echo "$out" | grep 'attempts:')" \
		"  attempts:          1 (0 retried, 0 ms in backoff)"
	expect_eq "wrong CA: nothing delivered" "$(echo "$out" | grep 'entries sent')" \
		"  entries sent:      none (not delivered: sending failed, error above)"
	# The bureau's own certificate: delivered, acknowledged (the bureau holds them already).
	online_conf "$T/tls.crt"
	out=$("$ctl" sync online --config "$T/online.conf" 2>&1)
	expect_eq "online over TLS exit" "$?" "0"
	expect_eq "online over TLS: acknowledged" "$(echo "$out" | grep 'acknowledged:')" \
		"  acknowledged:      up to 3 (was 0)"
	serve_stop
	# The bureau gone: each request and each wait before a retry shown on a terminal (script(1)),
	# nothing of it off one.
	sed 's/^db = .*/db = tty.db/' "$T/online.conf" >"$T/tty.conf"
	script -qec "'$ctl' sync online --config '$T/tty.conf' --backoff-ms 10 >/dev/null" /dev/null \
		>"$T/tty.out" </dev/null
	expect_eq "online progress on a terminal" "$(tr '\r' '\n' <"$T/tty.out" | sed 's/\x1b\[K//' |
		grep -E '^sync: request [0-9]+: sending' | sed -e 's/sending [0-9]* bytes/sending N bytes/')" \
		"sync: request 1: sending N bytes
sync: request 2: sending N bytes
sync: request 3: sending N bytes"
	# A wait before a retry is shown when there is one (a random backoff may be 0 ms).
	tr '\r' '\n' <"$T/tty.out" | grep -E '^sync: request' | grep -vE '^sync: request [1-3]: sending [0-9]+ bytes|^sync: request [12] failed: retrying in [0-9]+\.[0-9] s' &&
		fail "online progress: unexpected lines"
	"$ctl" sync online --config "$T/tty.conf" --backoff-ms 10 >/dev/null 2>"$T/notty.err"
	expect_eq "no progress off a terminal" "$(grep -c 'request' "$T/notty.err")" "0"
	got=$(bur entries --device test-gate --json | wc -l)
	expect_eq "bureau entries after re-sending online" "$got" "3"
fi
finish
