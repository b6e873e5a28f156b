#!/bin/sh
# SPDX-License-Identifier: MIT
# sentineld under systemd (Type=notify, WatchdogSec): READY=1 once it serves
# the gate, WATCHDOG=1 at half the interval from its wait loop (on the board
# clock: virtual time on the simulated board), STOPPING=1 when it leaves.
# A Python datagram socket stands in for systemd's.
. tests/scenario/lib.sh

command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }

cat >"$T/s.scn" <<SCN
$(visit "$FIX/green.png" 36.5 10000 5000)
SCN
write_conf "$T/gate.conf" s.scn gate.db out.log
notify_listen "$T/notify" "$T/got"
NOTIFY_SOCKET="$T/notify" WATCHDOG_USEC=4000000 "$B/sentineld" -f -c "$T/gate.conf" 2>"$T/err"
expect_eq "exit" "$?" "0"
wait $py
expect_eq "first" "$(head -n 1 "$T/got")" "READY=1|STATUS=serving the gate"
expect_eq "last" "$(tail -n 1 "$T/got")" "STOPPING=1"
n=$(grep -c '^WATCHDOG=1$' "$T/got")
[ "$n" -ge 5 ] || fail "watchdog pings: $n, want at least 5 over 15 s at a 4 s interval"

# A malformed WATCHDOG_USEC is reported, and the gate still runs.
rm -f "$T/gate.db" "$T/gate.db.head"	# the log and its head file
WATCHDOG_USEC=soon "$B/sentineld" -f -c "$T/gate.conf" 2>"$T/err2"
expect_eq "bad watchdog exit" "$?" "0"
grep -q "systemd notification: NOTIFY_SOCKET or WATCHDOG_USEC invalid" "$T/err2" ||
	fail "bad WATCHDOG_USEC not reported"

[ "$failures" -eq 0 ]
