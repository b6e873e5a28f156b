#!/bin/sh
# SPDX-License-Identifier: MIT
# The timers of a gate synced by stick only, whose clock may never be
# trusted (issue 16): the commands of sentinel-purge.service and
# sentinel-sync.service, as the units run them (their ExecStart lines, the
# paths pointed at this test's gate), succeed with one line and change
# nothing: the purge on an untrusted clock with no bureau time this boot
# (the test-only --untrusted-clock stands for a board without NTP), the
# sync with no [sync] bureau_url or before enrolment.  The purge does use
# the bureau's time of this boot when the log holds it (a rebase record of
# the current boot id), and without --if-trusted an unknown time stays an
# error.  A sync, by hand, on a gate that is not enrolled says so.
. tests/scenario/lib.sh

BIN=$(cd "$B" && pwd)
[ -r /proc/sys/kernel/random/boot_id ] || { echo "skip: no boot id"; exit 77; }
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed"; exit 77; }

# A stick-only gate's log: a visit on 2026-11-29, acknowledged.
cat >"$T/visits.scn" <<SCN
$(visit "$FIX/green.png" 36.5)
SCN
write_conf "$T/gate.conf" "$T/visits.scn" "$T/gate.db" "$T/out.log"
"$B/sentineld" -f -c "$T/gate.conf" 2>"$T/sentineld.err" || fail "sentineld: $(cat "$T/sentineld.err")"
sqlite3 "$T/gate.db" "UPDATE ack SET seq = 1" || fail "ack"

# unit_cmd UNIT: its ExecStart as the unit runs it, @BINDIR@ this build, the gate's files this test's.
unit_cmd() {
	sed -n 's/^ExecStart=//p' "board/rpi/$1" | sed "s#@BINDIR@#$BIN#; s#/var/lib/sentinel/sentinel.db#$T/gate.db#; s#/etc/sentinel/sentinel.conf#$T/sync.conf#"
}

# The purge timer on an untrusted clock, no bureau time: skipped, exit 0, nothing removed.
purge=$(unit_cmd sentinel-purge.service)
out=$(sh -c "$purge --untrusted-clock" 2>&1)
expect_eq "purge unit, untrusted clock: exit" "$?" "0"
expect_eq "purge unit, untrusted clock" "$out" \
	"purge skipped: the clock is not trusted (not NTP-synchronised, no bureau time this boot); nothing removed"
expect_eq "nothing purged" "$(sqlite3 "$T/gate.db" 'SELECT count(*) FROM entries')" "1"
# By hand, without --if-trusted: an error naming the way out.
out=$("$B/sentinelctl" purge --older-than 90 --db "$T/gate.db" --untrusted-clock 2>&1)
expect_eq "purge by hand, untrusted clock: exit" "$?" "2"
expect_eq "purge by hand, untrusted clock" "$out" \
	"sentinelctl: purge: the system clock is not synchronised (NTP) and this boot has no bureau time, so 'now' is not known: give --now (or --if-trusted to skip)"
# The bureau's time of this boot (an online sync's, recorded as a rebase): now = 2027-06-01, so
# the visit of 2026-11-29 is older than 90 days and goes.
boot=$(cat /proc/sys/kernel/random/boot_id)
up_ms=$(awk '{ printf "%d", $1 * 1000 }' /proc/uptime)
sqlite3 "$T/gate.db" "INSERT INTO rebase VALUES ('$boot', 1811808000000 - $up_ms, 'bureau', 1811808000000)" ||
	fail "rebase record"
out=$(sh -c "$purge --untrusted-clock" 2>&1)
expect_eq "purge unit, bureau time: exit" "$?" "0"
case $out in
"purged seq 1-1 (1 entry) older than 2027-03-0"*) ;;
*) fail "purge unit, bureau time: $out" ;;
esac
expect_eq "purged" "$(sqlite3 "$T/gate.db" 'SELECT count(*) FROM entries')" "0"

# The sync timer on a stick-only gate (no bureau_url): nothing to do, exit 0.
sync=$(unit_cmd sentinel-sync.service)
# sync_conf [ENROLMENT]: the gate's configuration with no bureau_url (and [station] enrolment).
sync_conf() {
	printf '[station]\nboard = sim\ndb = %s/gate.db\ndevice_id = test-gate\nhome = 阳光养老院\n%s\n[sim]\nscenario = /dev/null\n[sync]\ndevice_key = %s/device.key\nbureau_key = %s/tests/fixtures/rules/bureau.key.pub\n' \
		"$T" "${1:+enrolment = $1}" "$T" "$ROOT" >"$T/sync.conf"
}
sync_conf
out=$(sh -c "$sync" 2>&1)
expect_eq "sync unit, stick only: exit" "$?" "0"
expect_eq "sync unit, stick only" "$out" \
	"sync online: nothing to do: no [sync] bureau_url in $T/sync.conf (this gate syncs by stick)"
# Not enrolled yet: nothing to do for the timer; by hand, "not enrolled".
sync_conf "$T/enrolment/enrolment.conf"
out=$(sh -c "$sync" 2>&1)
expect_eq "sync unit, not enrolled: exit" "$?" "0"
expect_eq "sync unit, not enrolled" "$out" "sync online: nothing to do: not enrolled (no $T/enrolment/enrolment.conf)"
out=$("$B/sentinelctl" sync online --config "$T/sync.conf" 2>&1)
expect_eq "sync by hand, not enrolled: exit" "$?" "2"
expect_eq "sync by hand, not enrolled" "$out" \
	"sentinelctl: sync: not enrolled (no $T/enrolment/enrolment.conf): nothing to sync; enrol the gate first ('sentinelctl enrol')"
finish
