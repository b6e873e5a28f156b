#!/bin/sh
# SPDX-License-Identifier: MIT
# A board without a real-time clock (domain.md lesson 5): entries written
# while the clock is untrusted keep their recorded time and state, and get a
# computed ("rebased") time once trusted time arrives in the same boot; a
# clock that later claims sync but jumps back behind a trusted time is not
# trusted.  The entries themselves are never modified (verify-log stays clean).
. tests/scenario/lib.sh

# run NAME DB SED - the gate on scenario NAME.scn with log DB, its
# configuration (NAME.conf) edited by the sed(1) script SED; exit status
# the daemon's.
run() {
	write_conf "$T/$1.conf" "$1.scn" "$2" "$1.out"
	sed -i "$3" "$T/$1.conf"
	"$B/sentineld" -f -c "$T/$1.conf" 2>"$T/$1.err"
}

cat >"$T/boot1.scn" <<SCN
clock untrusted
clock set 2000-01-01T00:00:00Z
$(visit "$FIX/green.png" 36.5)
show $FIX/red.png
presence 1
wait 10000
presence 0
wait 2000
clock set 2026-11-29T08:00:00Z
clock trusted
show $FIX/yellow.png
presence 1
wait 10000
presence 0
SCN
run boot1 gate.db 's/^clock = trusted/clock = untrusted\nboot_id = 11111111-1111-4111-8111-111111111111/'
expect_eq "boot 1" "$?" "0"

# Boot 2: the clock says it is synchronised but is an hour behind boot 1's trusted time.
cat >"$T/boot2.scn" <<SCN
clock set 2026-11-29T07:00:00Z
clock trusted
show $FIX/green.png
temp 36.6
presence 1
wait 10000
presence 0
SCN
run boot2 gate.db 's/^clock = trusted/clock = trusted\nboot_id = 22222222-2222-4222-8222-222222222222/'
expect_eq "boot 2" "$?" "0"

got=$("$B/sentinelctl" entries --json --db "$T/gate.db" | sed -E 's/.*"seq": ([0-9]+), "time": "([^"]*)", "clock": "([a-z]+)".*/\1 \2 \3/')
expect_eq "times and clock states" "$got" "1 2026-11-29T07:59:36Z rebased
2 2026-11-29T07:59:48Z rebased
3 2026-11-29T08:00:00Z trusted
4 2026-11-29T07:00:00Z untrusted"
# What was recorded is untouched: the raw rows still say 2000 and untrusted.
expect_eq "raw row 1" "$(sqlite3 "$T/gate.db" 'SELECT clock, time_utc_ms FROM entries WHERE seq = 1')" \
	"untrusted|946684800000"
"$B/sentinelctl" verify-log --db "$T/gate.db" >/dev/null
expect_eq "verify-log" "$?" "0"

# Clock poisoning (issue 14 item 6): while trusted, the wall clock is set a year
# ahead; then back, and trusted again.  The year-ahead entry is not trusted (the
# wall clock ran ahead of the monotonic time), so it does not become the latest
# trusted time: the entries after it, and after a restart in the same boot and
# in a new synchronised boot, are trusted.
cat >"$T/p1.scn" <<SCN
$(visit "$FIX/green.png" 36.5)
clock set 2027-11-29T08:00:30Z
clock trusted
show $FIX/yellow.png
presence 1
wait 10000
presence 0
wait 2000
clock set 2026-11-29T08:01:00Z
clock trusted
show $FIX/red.png
presence 1
wait 10000
presence 0
SCN
run p1 poison.db 's/^start = .*/start = 2026-11-29T08:00:00Z\nboot_id = 33333333-3333-4333-8333-333333333333/' ||
	fail "poison run 1"
# A restart in a new boot with a synchronised clock.
cat >"$T/p2.scn" <<SCN
show none
presence 1
wait 10000
presence 0
SCN
run p2 poison.db 's/^start = .*/start = 2026-11-29T09:00:00Z\nboot_id = 44444444-4444-4444-8444-444444444444/' ||
	fail "poison run 2"
# (the untrusted entry 2 is shown rebased onto its boot's line; its row keeps what was read)
got=$("$B/sentinelctl" entries --json --db "$T/poison.db" | jq -r '[.seq, .time[0:13], .clock] | @tsv')
expect_eq "a year-ahead step is not trusted and poisons nothing" "$got" "1	2026-11-29T08	trusted
2	2026-11-29T08	rebased
3	2026-11-29T08	trusted
4	2026-11-29T09	trusted"
expect_eq "the year-ahead row" "$(sqlite3 "$T/poison.db" "SELECT clock, time_utc_ms > 1800000000000 FROM entries WHERE seq = 2")" \
	"untrusted|1"
finish
