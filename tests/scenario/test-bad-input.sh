#!/bin/sh
# SPDX-License-Identifier: MIT
# Bad input to the real programs: each gets one clear error line naming the
# file and line or the value, a non-zero exit, and the log keeps exactly
# what it had.
. tests/scenario/lib.sh

# A log with two entries to protect.
cat >"$T/good.scn" <<SCN
$(visit "$FIX/green.png" 36.5 10000 1000)
show $FIX/red.png
presence 1
SCN
write_conf "$T/gate.conf" good.scn gate.db out.log
umask 022
"$B/sentineld" -f -c "$T/gate.conf" 2>/dev/null
expect_eq "good run" "$?" "0"
# A new log is private whatever the umask: the database, its -wal and -shm.
expect_eq "log files 0600 under umask 022" "$(stat -c '%n %a' "$T/gate.db" "$T/gate.db-wal" "$T/gate.db-shm" | sed "s#$T/##")" "gate.db 600
gate.db-wal 600
gate.db-shm 600"
before=$("$B/sentinelctl" entries --json --db "$T/gate.db")
expect_eq "entries before" "$(printf '%s\n' "$before" | wc -l)" "2"

# The log's companion files are never opened through a symbolic link, nor
# when they are no regular file: the daemon refuses to start, the file a
# link points to is untouched (it used to be truncated as a torn journal).
printf 'precious\n' >"$T/victim"
for f in journal lock; do
	rm -f "$T/gate.db.$f"
	ln -s "$T/victim" "$T/gate.db.$f"
	"$B/sentineld" -f -c "$T/gate.conf" 2>"$T/link-$f.err"
	[ "$?" -ne 0 ] || fail "symlink at gate.db.$f: exit status 0"
	expect_eq "symlink at gate.db.$f: victim untouched" "$(cat "$T/victim")" "precious"
	rm -f "$T/gate.db.$f"
done
expect_eq "symlink at the journal" "$(cat "$T/link-journal.err")" \
	"sentineld: fallback journal $T/gate.db.journal: a symbolic link or not a regular file: refused"
expect_eq "symlink at the lock" "$(cat "$T/link-lock.err")" \
	"sentineld: lock file $T/gate.db.lock: a symbolic link (not followed)"
mkfifo "$T/gate.db.journal"
"$B/sentineld" -f -c "$T/gate.conf" 2>"$T/fifo.err"
[ "$?" -ne 0 ] || fail "FIFO at gate.db.journal: exit status 0"
expect_eq "FIFO at the journal" "$(cat "$T/fifo.err")" \
	"sentineld: fallback journal $T/gate.db.journal: a symbolic link or not a regular file: refused"
rm -f "$T/gate.db.journal"
# SQLite's own companions (-wal, -shm): a symbolic link there is refused by
# the daemon and the readers before SQLite can write through it.
mv "$T/gate.db-wal" "$T/wal.saved"
ln -s "$T/victim" "$T/gate.db-wal"
"$B/sentineld" -f -c "$T/gate.conf" 2>"$T/link-wal.err"
[ "$?" -ne 0 ] || fail "symlink at gate.db-wal: exit status 0"
expect_eq "symlink at the WAL" "$(cat "$T/link-wal.err")" \
	"sentineld: log database $T/gate.db: $T/gate.db-wal: a symbolic link (not followed)"
"$B/sentinelctl" entries --db "$T/gate.db" >/dev/null 2>"$T/link-wal-ctl.err"
expect_eq "symlink at the WAL, reader: exit" "$?" "2"
expect_eq "symlink at the WAL, reader" "$(cat "$T/link-wal-ctl.err")" \
	"sentinelctl: entries: cannot open $T/gate.db: $T/gate.db-wal: a symbolic link (not followed)"
expect_eq "symlink at the WAL: victim untouched" "$(cat "$T/victim")" "precious"
rm -f "$T/gate.db-wal"
mv "$T/wal.saved" "$T/gate.db-wal"
expect_eq "entries after the refusals" "$("$B/sentinelctl" entries --json --db "$T/gate.db")" "$before"

# A log whose schema and entries were only in its write-ahead log: the
# daemon killed (SIGKILL) before any checkpoint, then gate.db-wal deleted.
# The reader says so, instead of "schema is not one this program knows".
cat >"$T/wal.scn" <<SCN
show $FIX/green.png
temp 36.5
presence 1
wait 10000
signal stop
wait 1000
SCN
write_conf "$T/wal.conf" wal.scn wal.db wal-out.log
"$B/sentineld" -f -c "$T/wal.conf" 2>"$T/wal.err" &
pid=$!
wait_stopped "$pid"
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
rm -f "$T/wal.db-wal" "$T/wal.db-shm"
"$B/sentinelctl" entries --db "$T/wal.db" >/dev/null 2>"$T/wal-ctl.err"
expect_eq "schema only in a deleted WAL: exit" "$?" "2"
expect_eq "schema only in a deleted WAL" "$(cat "$T/wal-ctl.err")" \
	"sentinelctl: entries: cannot open $T/wal.db: the file holds no log: its tables and entries were only in the write-ahead log $T/wal.db-wal, which is missing or empty (put it back beside the file, or restore a backup)"

# run_bad NAME SCENARIO-TEXT WANT-STDERR
run_bad() {
	printf '%s\n' "$2" >"$T/$1.scn"
	write_conf "$T/$1.conf" "$1.scn" gate.db out.log
	"$B/sentineld" -f -c "$T/$1.conf" 2>"$T/$1.err"
	rc=$?
	[ "$rc" -ne 0 ] || fail "$1: exit status 0"
	expect_eq "$1: stderr" "$(cat "$T/$1.err")" "$3"
	expect_eq "$1: log unchanged" "$("$B/sentinelctl" entries --json --db "$T/gate.db")" "$before"
}

run_bad missing-image "show $T/nowhere.png" \
	"sentineld: board sim: $T/missing-image.scn:1: image $T/nowhere.png: No such file or directory"
printf 'GIF89a not really' >"$T/fake.png"
run_bad not-an-image "temp 36.5
show $T/fake.png" \
	"sentineld: board sim: $T/not-an-image.scn:2: image $T/fake.png: not a PNG or JPEG image"
head -c 300 "$FIX/green.png" >"$T/truncated.png"
run_bad truncated-image "show $T/truncated.png" \
	"sentineld: board sim: $T/truncated-image.scn:1: image $T/truncated.png: corrupt image data"
run_bad temp-not-number "presence 1
temp 36.5 hot" \
	"sentineld: board sim: $T/temp-not-number.scn:2: temperature 'hot' is not a number"
run_bad bad-line "presence 1
wait 100
open the door" \
	"sentineld: board sim: $T/bad-line.scn:3: unknown command 'open' (known: presence, button, wait, show, temp, card, signal, clock)"

# Not regular files: a FIFO would block forever, /dev/zero never ends.
mkfifo "$T/fifo.scn" "$T/fifo.png"
write_conf "$T/fifo.conf" fifo.scn gate.db out.log
timeout 10 "$B/sentineld" -f -c "$T/fifo.conf" 2>"$T/fifo.err"
expect_eq "FIFO scenario: exit" "$?" "1"
expect_eq "FIFO scenario" "$(cat "$T/fifo.err")" "sentineld: board sim: $T/fifo.scn: not a regular file"
run_bad fifo-image "show $T/fifo.png" \
	"sentineld: board sim: $T/fifo-image.scn:1: image $T/fifo.png: not a regular file"
write_conf "$T/zero.conf" /dev/zero gate.db out.log
timeout 10 "$B/sentineld" -f -c "$T/zero.conf" 2>"$T/zero.err"
expect_eq "/dev/zero scenario" "$(cat "$T/zero.err")" "sentineld: board sim: /dev/zero: not a regular file"
timeout 10 "$B/sentinelctl" scan --json "$T/fifo.png" >"$T/fifo.json"
expect_eq "scan a FIFO: exit" "$?" "1"
expect_eq "scan a FIFO" "$(cat "$T/fifo.json")" "{\"file\": \"$T/fifo.png\", \"error\": \"not a regular file\"}"
timeout 10 "$B/sentinelctl" entries --db "$T/fifo.scn" >/dev/null 2>&1
expect_eq "entries on a FIFO: exit" "$?" "2"

# A database that cannot be written: no directory, a directory in its place.
write_conf "$T/nodir.conf" good.scn "$T/no/such/dir/gate.db" out.log
"$B/sentineld" -f -c "$T/nodir.conf" 2>"$T/nodir.err"
[ "$?" -ne 0 ] || fail "unwritable db: exit status 0"
grep -q "log database $T/no/such/dir/gate.db: " "$T/nodir.err" || fail "unwritable db: error does not name the path: $(cat "$T/nodir.err")"
[ ! -e "$T/no" ] || fail "unwritable db: something was created"
mkdir "$T/isdir.db"
write_conf "$T/isdir.conf" good.scn isdir.db out.log
"$B/sentineld" -f -c "$T/isdir.conf" 2>"$T/isdir.err"
[ "$?" -ne 0 ] || fail "db is a directory: exit status 0"
grep -q "log database $T/isdir.db: " "$T/isdir.err" || fail "db is a directory: $(cat "$T/isdir.err")"
# Not a database at all: refused, and left as it was.
printf 'precious notes\n' >"$T/notes.db"
write_conf "$T/notdb.conf" good.scn notes.db out.log
"$B/sentineld" -f -c "$T/notdb.conf" 2>"$T/notdb.err"
[ "$?" -ne 0 ] || fail "not a database: exit status 0"
expect_eq "not a database: file untouched" "$(cat "$T/notes.db")" "precious notes"

# The config file: checked by -n, errors name file and line.
expect_eq "sentineld -n" "$("$B/sentineld" -n -c "$T/gate.conf")" "$T/gate.conf: configuration OK"
printf '[station]\nboard = sim\n[checkin]\ntemp_tries = many\n' >"$T/badval.conf"
expect_run "bad config value" 1 "sentineld: $T/badval.conf:4: key 'temp_tries': 'many' is not an integer" \
	"$B/sentineld" -n -c "$T/badval.conf"
# device_id and home are checked as sync and the bureau check them.
printf '[station]\nboard = sim\ndevice_id = ../../../escape\n' >"$T/badid.conf"
expect_run "bad device_id" 1 \
	"sentineld: $T/badid.conf:3: key 'device_id': '../../../escape' is not 1-63 of [A-Za-z0-9._-] (not starting with '.')" \
	"$B/sentineld" -n -c "$T/badid.conf"
printf '[station]\nboard = sim\nhome = Sunny\377Home\n' >"$T/badhome.conf"
expect_run "non-UTF-8 home" 1 \
	"sentineld: $T/badhome.conf:3: key 'home': not UTF-8 text (invalid bytes or control characters)" \
	"$B/sentineld" -n -c "$T/badhome.conf"
"$B/sentineld" -n -c "$T/none.conf" 2>"$T/none.err"
expect_eq "missing config: exit" "$?" "1"
expect_eq "missing config: stderr" "$(cat "$T/none.err")" "sentineld: $T/none.conf: No such file or directory"
"$B/sentineld" --bogus 2>"$T/opt.err"
expect_eq "unknown option: exit" "$?" "2"
expect_eq "unknown option: stderr" "$(cat "$T/opt.err")" "sentineld: unknown option --bogus
Try 'sentineld --help'."
# -n checks what start-up would, and creates nothing.
write_conf "$T/n1.conf" absent.scn gate.db out.log
"$B/sentineld" -n -c "$T/n1.conf" 2>"$T/n1.err"
expect_eq "-n, missing scenario: exit" "$?" "1"
expect_eq "-n, missing scenario" "$(cat "$T/n1.err")" "sentineld: board sim: $T/absent.scn: No such file or directory"
write_conf "$T/n2.conf" good.scn "$T/nodir/gate.db" out.log
"$B/sentineld" -n -c "$T/n2.conf" 2>"$T/n2.err"
expect_eq "-n, db directory missing: exit" "$?" "1"
expect_eq "-n, db directory missing" "$(cat "$T/n2.err")" \
	"sentineld: log database $T/nodir/gate.db: directory $T/nodir: No such file or directory"
write_conf "$T/n3.conf" good.scn fresh.db fresh-out.log
expect_eq "-n, good" "$("$B/sentineld" -n -c "$T/n3.conf")" "$T/n3.conf: configuration OK"
[ ! -e "$T/fresh.db" ] && [ ! -e "$T/fresh-out.log" ] || fail "-n created files"

# sentinelctl on a log that is not there.
"$B/sentinelctl" entries --db "$T/absent.db" >/dev/null 2>"$T/absent.err"
expect_eq "entries on a missing db: exit" "$?" "2"
grep -q "$T/absent.db" "$T/absent.err" || fail "entries on a missing db: error does not name it: $(cat "$T/absent.err")"
[ ! -e "$T/absent.db" ] || fail "entries created a database"

# The log is still whole.
expect_eq "integrity" "$(sqlite3 "$T/gate.db" 'PRAGMA integrity_check')" "ok"
finish
