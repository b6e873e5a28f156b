#!/bin/sh
# SPDX-License-Identifier: MIT
# `make synctest` (issue 7): the gate's log reaches the bureau on loopback,
# online and by USB stick, and arrives whole, once, field by field.
#
#  1. the demo's gate log (board/sim/demo, as `make demo` runs it), then
#     10,000 simulated entries (tests/sync/filler.c, snt_store_append_batch);
#  2. keys for the gate (sentinelctl keys init) and the bureau, registration;
#  3. online: `sentinelctl sync online` to `sentinel-bureau serve` on
#     127.0.0.1:<free port> (the demo and the first 5,000 entries);
#  4. USB: the next 5,000 entries written to a stick directory (a fake mount:
#     --sysfs-root/--mountinfo), `sentinel-bureau import`, `sentinel-bureau
#     export` writing the acknowledgement back, `sentinelctl sync usb`
#     importing it;
#  5. every field of every entry, hash included, compared;
#  6. everything re-sent (a copy of the log taken before any sync, online
#     and by stick): nothing changes at the bureau;
#  7. fault runs, each rejected or resumed with a clear message and nothing
#     lost or duplicated: the connection cut at random byte offsets (at
#     least 50 cuts, tests/sync/cutproxy.py), the stick directory removed
#     mid-write, a bundle truncated, a byte flipped, a bundle of another
#     device's key claiming this gate's id, old bundles re-sent after newer
#     ones;
#  8. the last comparison; the last line is
#     gate=N bureau=M equal=yes|no duplicates=D
# and the exit status is 0 only when equal.  (The bundle export figure is
# tests/bench/bench-bundle.sh's, in `make bench`.)
# usage: synctest.sh BUILD_DIR [SEED]
set -u
b=$(cd "${1:?usage: synctest.sh BUILD_DIR [SEED]}" && pwd)
seed=${2:-$(date +%s)}
root=$(pwd)
for p in sentinelctl sentineld sentinel-bureau tests/modules.a; do
	[ -e "$b/$p" ] || { echo "synctest: $b/$p missing: run make first" >&2; exit 2; }
done
T=$(mktemp -d "$b/synctest.XXXXXX")
T=$(cd "$T" && pwd)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	umount "$T/full/mnt" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
die() { echo "synctest: $*" >&2; exit 1; }
step() { echo "== $*"; }
problems=0
problem() { echo "synctest: PROBLEM: $*" >&2; problems=$((problems + 1)); }

ctl=$b/sentinelctl
# sentinel-bureau; --key only for the commands that use the bureau's private key.
bur() {
	case $1 in
	serve | import | export | ack) "$b/sentinel-bureau" --db "$T/bureau.db" --key "$T/bureau.key" "$@" ;;
	*) "$b/sentinel-bureau" --db "$T/bureau.db" "$@" ;;
	esac
}
# Python for the helpers: the system's (quick to start) when there is one.
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
# rnd KEY LO HI: a number in [LO, HI] drawn from the seed and KEY.
rnd() { printf '%s' "$seed-$1" | cksum | awk -v lo="$2" -v hi="$3" '{ print lo + ($1 % (hi - lo + 1)) }'; }

# The filler, built against this build's library.
pkgs=$(sed -n 's/^PKGS *:= *//p' Makefile | head -n 1)
# shellcheck disable=SC2046,SC2086
gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O2 -I. -Ifirmware -Iboard $(pkg-config --cflags $pkgs) \
	-o "$T/filler" tests/sync/filler.c "$b/tests/modules.a" $(pkg-config --libs $pkgs) -lm ||
	die "cannot build tests/sync/filler.c"

step "demo gate log (board/sim/demo/run-demo.sh)"
sh board/sim/demo/run-demo.sh "$b" >"$T/demo.out" 2>&1 || { cat "$T/demo.out" >&2; die "the demo failed"; }
device=$(sed -n 's/^device_id *= *//p' board/sim/demo/demo.conf)
cp "$b/demo/demo.db" "$T/gate.db"
[ -e "$b/demo/demo.db-wal" ] && cp "$b/demo/demo.db-wal" "$T/gate.db-wal"
cp board/sim/demo/demo.scenario "$T/"
mkdir -p "$T/other"
cp "$T/gate.db" "$T/other/gate.db"	# the demo's log, never synced (for the other key's bundles)
[ -e "$T/gate.db-wal" ] && cp "$T/gate.db-wal" "$T/other/gate.db-wal"
demo_n=$("$ctl" entries --db "$T/gate.db" --json | wc -l)
echo "demo entries: $demo_n (device $device)"

# gate.conf: the gate; url filled in per run.
write_conf() { # FILE DB URL
	cat >"$1" <<CONF
[station]
board = sim
db = $2
device_id = $device
[sim]
scenario = demo.scenario
start = 2026-11-29T08:00:00+08:00
clock = trusted
[sync]
device_key = $T/device.key
bureau_key = $T/bureau.key.pub
bureau_url = $3
timeout_s = 10
retries = 8
CONF
}

step "keys and registration"
write_conf "$T/gate.conf" gate.db "http://127.0.0.1:9"
"$ctl" keys init --config "$T/gate.conf" || die "keys init failed"
"$b/sentinel-bureau" keys init --key "$T/bureau.key" >/dev/null || die "sentinel-bureau keys init failed"
[ -e "$T/bureau.key.pub" ] || die "the bureau's public key is not at $T/bureau.key.pub"
bur register --device "$device" --pub "$T/device.pub" >/dev/null || die "register failed"

# A stick: a directory listed as a mount in a fake mountinfo, with a fake sysfs.
. "$root/tests/sync/stick.sh"
sync_usb() { # STICK CONF [options]
	s=$1; c=$2; shift 2
	"$ctl" sync usb --config "$c" --sysfs-root "$s/sys" --mountinfo "$s/mountinfo" "$@" "$s/mnt"
}

free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { # PORT
	$py - "$1" <<'PY' || die "nothing listens on 127.0.0.1:$1"
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}

step "sentinel-bureau serve on loopback"
port=$(free_port)
"$b/sentinel-bureau" --db "$T/bureau.db" --key "$T/bureau.key" serve --listen "127.0.0.1:$port" \
	>"$T/serve.log" 2>&1 &
serve_pid=$!
pids="$pids $serve_pid"
wait_port "$port"
write_conf "$T/gate.conf" gate.db "http://127.0.0.1:$port"
cp "$T/gate.db" "$T/gate0.db"	# before any sync (for re-sending everything)
[ -e "$T/gate.db-wal" ] && cp "$T/gate.db-wal" "$T/gate0.db-wal"

compare() { # LABEL -> sets cmp_line, returns compare.py's status
	"$ctl" entries --db "$T/gate.db" --json >"$T/gate.json" || die "sentinelctl entries failed"
	"$T/filler" --hashes "$T/gate.db" >"$T/gate.hashes" || die "filler --hashes failed"
	bur entries --device "$device" --json >"$T/bureau.json" || die "sentinel-bureau entries failed"
	$py tests/sync/compare.py "$T/gate.json" "$T/gate.hashes" "$T/bureau.json" >"$T/cmp.out"
	rc=$?
	cmp_line=$(tail -n 1 "$T/cmp.out")
	echo "$1: $cmp_line"
	[ "$rc" -eq 0 ] || { sed '$d' "$T/cmp.out" >&2; problem "$1: not equal"; }
	return "$rc"
}

step "online: the demo and 5,000 entries"
"$T/filler" "$T/gate.db" 5000 "$seed" || die "filler failed"
"$ctl" sync online --config "$T/gate.conf" >"$T/online1.out" 2>&1 || { cat "$T/online1.out" >&2; die "sync online failed"; }
sed 's/^/  /' "$T/online1.out"

step "USB: 5,000 more by stick, bureau import and export, ack back"
"$T/filler" "$T/gate.db" 5000 "$((seed + 1))" || die "filler failed"
make_stick "$T/stick"
sync_usb "$T/stick" "$T/gate.conf" >"$T/usb1.out" 2>&1 || { cat "$T/usb1.out" >&2; die "sync usb failed"; }
sed 's/^/  /' "$T/usb1.out"
mkdir -p "$T/sent" && cp "$T/stick/mnt/sentinel/$device/out/"*.snb "$T/sent/"
bur import "$T/stick/mnt" >"$T/import1.out" 2>&1 || { cat "$T/import1.out" >&2; die "bureau import failed"; }
bur export "$T/stick/mnt" >"$T/export1.out" 2>&1 || { cat "$T/export1.out" >&2; die "bureau export failed"; }
sync_usb "$T/stick" "$T/gate.conf" >"$T/usb2.out" 2>&1 || { cat "$T/usb2.out" >&2; die "sync usb (ack) failed"; }
sed 's/^/  /' "$T/usb2.out"
last=$("$T/filler" --hashes "$T/gate.db" | tail -n 1 | cut -d' ' -f1)
grep -q "acknowledged: *up to $last " "$T/usb2.out" || problem "the stick's acknowledgement did not reach seq $last"

step "compare"
compare "after online + USB"

step "re-send everything (a copy of the log from before any sync): nothing changes"
bur entries --device "$device" --json >"$T/before-resend.json"
write_conf "$T/gate0.conf" gate0.db "http://127.0.0.1:$port"
"$T/filler" "$T/gate0.db" 5000 "$seed" && "$T/filler" "$T/gate0.db" 5000 "$((seed + 1))" || die "filler failed"
"$ctl" sync online --config "$T/gate0.conf" >"$T/resend.out" 2>&1 || { cat "$T/resend.out" >&2; problem "re-sending online failed"; }
bur import "$T/stick/mnt" >/dev/null 2>&1 || true	# bundles acknowledged were removed; import what is left
mkdir -p "$T/resend-stick/mnt/sentinel/$device/out" && cp "$T/sent/"*.snb "$T/resend-stick/mnt/sentinel/$device/out/"
bur import "$T/resend-stick/mnt" >"$T/resend-import.out" 2>&1 || { cat "$T/resend-import.out" >&2; problem "re-importing the stick failed"; }
bur entries --device "$device" --json >"$T/after-resend.json"
cmp -s "$T/before-resend.json" "$T/after-resend.json" && echo "re-send: the bureau's entries are unchanged" ||
	problem "re-sending changed the bureau's entries"

step "fault: connection cut at random byte offsets (cutproxy.py)"
rm -f "$T/proxy.port" "$T/cut.next"
$py tests/sync/cutproxy.py "$T/proxy.port" "$port" "$T/cut.next" >"$T/proxy.out" 2>&1 &
proxy_pid=$!
pids="$pids $proxy_pid"
for _ in $(seq 200); do [ -s "$T/proxy.port" ] && break; sleep 0.05; done
[ -s "$T/proxy.port" ] || die "the proxy did not start"
write_conf "$T/cut.conf" gate.db "http://127.0.0.1:$(cat "$T/proxy.port")"
runs=0; retries=0
while [ "$(grep -c '^cut after' "$T/proxy.out")" -lt 50 ] && [ "$runs" -lt 150 ]; do
	runs=$((runs + 1))
	"$T/filler" "$T/gate.db" "$(rnd "n$runs" 1 40)" "$((seed + 100 + runs))" || die "filler failed"
	# The first connection carries the priority bundle (0-40 copies: 0.7-16 kB) or the
	# regular one, then the acknowledgement: the cut lands in the request or the reply.
	rnd "c$runs" 1 3000 >"$T/cut.next"
	if ! "$ctl" sync online --config "$T/cut.conf" --backoff-ms 20 >"$T/cut.out" 2>&1; then
		cat "$T/cut.out" >&2
		problem "run $runs: sync online did not resume after the cut"
	fi
	r=$(sed -n 's/.*attempts: *[0-9]* (\([0-9]*\) retried.*/\1/p' "$T/cut.out")
	retries=$((retries + ${r:-0}))
	rm -f "$T/cut.next"
done
cuts=$(grep -c '^cut after' "$T/proxy.out")
echo "runs=$runs cuts=$cuts retries=$retries (every run completed)"
grep '^  attempts' "$T/cut.out" | sed 's/^ */last run: /'
[ "$cuts" -ge 50 ] || problem "only $cuts cuts in $runs runs"
compare "after the cuts"

step "fault: stick directory removed mid-write"
"$T/filler" "$T/gate.db" 12000 "$((seed + 7))" || die "filler failed"
rm -rf "$T/stick2"; make_stick "$T/stick2"
sync_usb "$T/stick2" "$T/gate.conf" --write-delay-ms 400 >"$T/pull.out" 2>&1 &
upid=$!
for _ in $(seq 200); do
	ls "$T/stick2/mnt/sentinel/$device/out/"*.snb >/dev/null 2>&1 && break
	sleep 0.02
done
rm -rf "$T/stick2/mnt/sentinel"
if wait "$upid"; then
	problem "sync usb succeeded although the stick directory was removed mid-write"
else
	msg=$(grep -E 'removed|gone|No such' "$T/pull.out" | head -n 1)
	echo "refused: $msg"
	[ -n "$msg" ] || { cat "$T/pull.out" >&2; problem "no clear message for the removed directory"; }
fi
# Plugged in again: the same sync completes.
sync_usb "$T/stick2" "$T/gate.conf" >"$T/pull2.out" 2>&1 || { cat "$T/pull2.out" >&2; problem "sync usb after re-plugging failed"; }
bur import "$T/stick2/mnt" >/dev/null 2>&1 || problem "bureau import of the re-plugged stick failed"
bur export "$T/stick2/mnt" >/dev/null 2>&1 || problem "bureau export failed"
sync_usb "$T/stick2" "$T/gate.conf" >/dev/null 2>&1 || problem "sync usb (ack) failed"

step "fault: a full stick (a 256 kB tmpfs; needs root, else skipped)"
mkdir -p "$T/full/mnt"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=256k sntfull "$T/full/mnt" 2>/dev/null; then
	make_stick "$T/full"
	"$T/filler" "$T/gate.db" 3000 "$((seed + 9))" || die "filler failed"
	if sync_usb "$T/full" "$T/gate.conf" >"$T/full.out" 2>&1; then
		problem "sync usb to a full stick succeeded"
	else
		echo "refused: $(grep -m1 'full' "$T/full.out")"
		grep -q 'the stick is full' "$T/full.out" || problem "no clear message for the full stick"
	fi
	left=$(ls -A "$T/full/mnt/sentinel/$device/out/")
	echo "left on the stick: ${left:-nothing}"
	case $left in *.tmp-*) problem "a temporary file was left on the full stick" ;; esac
	umount "$T/full/mnt"
	# The entries are still to be sent: the next stick takes them.
	rm -rf "$T/stick3"; make_stick "$T/stick3"
	sync_usb "$T/stick3" "$T/gate.conf" >/dev/null 2>&1 || problem "sync usb after the full stick failed"
	bur import "$T/stick3/mnt" >/dev/null 2>&1 || problem "bureau import after the full stick failed"
	bur export "$T/stick3/mnt" >/dev/null 2>&1 || problem "bureau export failed"
	sync_usb "$T/stick3" "$T/gate.conf" >/dev/null 2>&1 || problem "sync usb (ack) failed"
else
	echo "skipped: not root or no tmpfs"
fi

first=$(ls "$T/sent/"*.snb | head -n 1)
bad_import() { # LABEL FILE: the bureau must refuse it with a message naming it
	rm -rf "$T/bad" && mkdir -p "$T/bad" && cp "$2" "$T/bad/"
	bur entries --device "$device" --json >"$T/b1.json"
	if bur import "$T/bad" >"$T/bad.out" 2>&1; then
		problem "$1: accepted"
	fi
	echo "$1: $(grep -v '^import:' "$T/bad.out" | head -n 1)"
	grep -q "$(basename "$2")" "$T/bad.out" || problem "$1: the message does not name the file"
	bur entries --device "$device" --json >"$T/b2.json"
	cmp -s "$T/b1.json" "$T/b2.json" || problem "$1: the bureau's entries changed"
}

step "fault: truncated bundle, flipped byte"
size=$(stat -c %s "$first")
head -c $((size / 2)) "$first" >"$T/$(basename "$first")"
bad_import "truncated" "$T/$(basename "$first")"
cp "$first" "$T/flip.snb"
off=$(rnd flip 100 $((size - 1)))
$py -c "import sys; p=sys.argv[1]; o=int(sys.argv[2]); d=bytearray(open(p,'rb').read()); d[o]^=0x01; open(p,'wb').write(d)" "$T/flip.snb" "$off"
mv "$T/flip.snb" "$T/$(basename "$first")"
bad_import "byte $off flipped" "$T/$(basename "$first")"

step "fault: a bundle replayed from another device (another key claiming $device)"
cp board/sim/demo/demo.scenario "$T/other/"
sed -e "s#$T/device.key#$T/other/device.key#" "$T/gate.conf" >"$T/other/gate.conf"
"$ctl" keys init --config "$T/other/gate.conf" >/dev/null || die "keys init (other) failed"
make_stick "$T/other/stick"
sync_usb "$T/other/stick" "$T/other/gate.conf" >/dev/null 2>&1 || die "sync usb (other) failed"
bad_import "another key" "$(ls "$T/other/stick/mnt/sentinel/$device/out/"*regular.snb | head -n 1)"
write_conf "$T/other/online.conf" gate.db "http://127.0.0.1:$port"
sed -i -e "s#$T/device.key#$T/other/device.key#" "$T/other/online.conf"
if "$ctl" sync online --config "$T/other/online.conf" >"$T/other.out" 2>&1; then
	problem "online: the bureau accepted another key's bundle"
else
	echo "online: $(grep -m1 'refused' "$T/other.out")"
fi

step "fault: old bundles re-sent after newer ones"
bur entries --device "$device" --json >"$T/b1.json"
rm -rf "$T/old" && mkdir -p "$T/old" && cp "$T/sent/"*.snb "$T/old/"
bur import "$T/old" >"$T/old.out" 2>&1 || true
sed 's/^/  /' "$T/old.out" | head -n 5
bur entries --device "$device" --json >"$T/b2.json"
cmp -s "$T/b1.json" "$T/b2.json" && echo "old bundles: nothing changed" || problem "old bundles changed the bureau's entries"

step "final comparison"
kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null
compare "final"
rc=$?
[ "$problems" -eq 0 ] || { echo "synctest: $problems problem(s) above" >&2; rc=1; }
echo "$cmp_line"
[ "$rc" -eq 0 ] || exit 1
case $cmp_line in *equal=yes*) exit 0 ;; *) exit 1 ;; esac
