#!/bin/sh
# SPDX-License-Identifier: MIT
# Retention (issue 17): gates whose entries run one a day from 2026-01-02
# (entry i on day i); retention --before 2026-04 removes seqs 1-89 of each
# gate (and their priority copies), records the cut (first kept seq 90, the
# hash and time of seq 89), and leaves: the acknowledgement at the same seq,
# devices with no false gap ("kept from 90"; a real gap past the cut stays,
# one below a later cut goes), imports of old bundles counted as duplicates,
# a forked old bundle and one that does not link to the cut refused, a gate
# whose every entry went (ack at the cut) taking its next bundle, retention
# again removing nothing, a month in the future or not a month refused, and
# migrate of the retained database (and of a retained SQLite file) checking
# clean with the cut copied.  On PostgreSQL (test-bureau-pg.sh) the months
# go as whole partitions.  A gate whose visitors registered with ID cards:
# the sealed personal records of the entries retention removes go with them
# (a purge in the audit), so person finds none (no digest mismatch), the
# records kept still open, verify passes, and an old bundle brought again
# keeps no record below the cut.
. tests/scenario/lib.sh
bureau_begin test-bureau-retention
imp() { "$BB" --db "$1" import --key "$K" "$2"; }
START=1767225600000	# 2026-01-01T00:00:00Z: entry i at day i
gen() { "$G" --bureau-pub "$K.pub" --keys keys --start-ms $START --interval-s 86400 "$@" >/dev/null; }
field() { "$BB" --db "$1" devices --json | jq -c "select(.device==\"$2\") | $3"; }

"$BB" keys init --key "$K" >/dev/null || fail "keys init"
gen --logs logs --out stage --flat --devices 2 --entries 300 --per-bundle 100 --priority || fail "gen"
gen --logs logs3 --out stage3 --flat --prefix solo --entries 100 --per-bundle 50 || fail "gen solo"
gen --logs logs-fork --out fork --flat --entries 100 --per-bundle 100 --variant 1 || fail "gen fork"

# gate-001 whole with its copies; gate-002 with a gap 101-200; solo-001 only 1-50.
fill() {
	for d in gate-001 gate-002 solo-001; do
		"$BB" --db "$1" register --device $d --pub keys/$d.key.pub >/dev/null || fail "register $d"
	done
	rm -rf in-a in-b in-c && mkdir in-a in-b in-c
	cp stage/gate-001-* in-a/
	cp stage/gate-002-1-100-regular.snb stage/gate-002-201-300-regular.snb in-b/
	cp stage3/solo-001-1-50-regular.snb in-c/
	imp "$1" in-a >/dev/null && imp "$1" in-b >/dev/null && imp "$1" in-c >/dev/null || fail "import into $1"
}
fill "$DB"
expect_eq "before: gate-001" "$(field "$DB" gate-001 '[.last, .entries, .priority, .gaps, .kept_from]')" \
	'[300,300,30,[],null]'
expect_eq "before: gate-002" "$(field "$DB" gate-002 '[.last, .entries, .gaps]')" '[100,200,[[101,200]]]'

# Bad months.
out=$("$BB" --db "$DB" retention --before 2099-01 2>&1)
expect_eq "future month: exit" "$?" "2"
expect_eq "future month" "$(echo "$out" | head -n 1)" \
	"sentinel-bureau: retention: --before: 2099-01 is past the current month"
out=$("$BB" --db "$DB" retention --before 2026-4 2>&1)
expect_eq "not a month: exit" "$?" "2"
expect_eq "not a month" "$(echo "$out" | head -n 1)" \
	"sentinel-bureau: retention: --before: '2026-4' is not a month YYYY-MM (from 2000-01)"

# The cut at 2026-04: seqs 1-89 of each gate, copies 5..85 of gate-001 (9), all 50 of solo-001.
out=$("$BB" --db "$DB" retention --before 2026-04)
expect_eq "retention exit" "$?" "0"
if bureau_pg; then parts=3; else parts=0; fi
expect_eq "retention" "$out" \
	"retention before 2026-04: entries 228 copies 9 removed, gates cut 3, partitions dropped $parts"
h89=$(sqlite3 logs/gate-001.db "SELECT hex(hash) FROM entries WHERE seq = 89" | tr 'A-F' 'a-f')
expect_eq "gate-001 after" "$(field "$DB" gate-001 '[.last, .entries, .priority, .gaps, .kept_from.seq, .kept_from.prev_hash, .kept_from.prev_time]')" \
	"[300,211,21,[],90,\"$h89\",\"2026-03-31T00:00:00Z\"]"
expect_eq "gate-002 after: the real gap stays" "$(field "$DB" gate-002 '[.last, .entries, .gaps, .kept_from.seq]')" \
	'[100,111,[[101,200]],90]'
expect_eq "solo-001 after: nothing left, ack at the cut" \
	"$(field "$DB" solo-001 '[.last, .entries, .gaps, .kept_from.seq, .synced_until]')" \
	'[50,0,[],51,"2026-02-20T00:00:00Z"]'
"$BB" --db "$DB" devices >devices.txt
expect_eq "devices: kept from" "$(sed 's/ kid [0-9a-f]*//; s/ contact .* kept/ kept/' devices.txt)" \
	"gate-001 last 300 entries 211 priority 21 gaps none kept from 90
gate-002 last 100 entries 111 priority 0 gaps 101-200 kept from 90
solo-001 last 50 entries 0 priority 0 gaps none kept from 51"
expect_eq "first entry held" "$("$BB" --db "$DB" entries --device gate-001 --json | jq -s '.[0].seq')" "90"
if ! bureau_pg; then
	# A file of version 9 (before the devices' counters) here, with a cut, a gap past it and a
	# gate whose every entry went, is brought to version 10 on open: the counters counted from
	# what is held, the same as the merges and the retention kept them; nothing else changes.
	sqlite3 "$DB" ".backup '$T/v9.db'" || fail "backup"
	sqlite3 "$T/v9.db" "ALTER TABLE devices DROP COLUMN n_entries; ALTER TABLE devices DROP COLUMN n_priority;
		ALTER TABLE devices DROP COLUMN ack_seq; PRAGMA user_version = 9" || fail "make a version 9 database"
	expect_eq "version 9 brought to 10: devices" \
		"$("$BB" --db "$T/v9.db" devices --json | jq -c 'del(.unsynced_s)')" \
		"$("$BB" --db "$DB" devices --json | jq -c 'del(.unsynced_s)')"
	counters="SELECT device, n_entries, n_priority, ack_seq FROM devices ORDER BY device"
	expect_eq "version 9 brought to 10: counters" "$(sqlite3 "$T/v9.db" "PRAGMA user_version; $counters")" \
		"10
$(sqlite3 "$DB" "$counters")"
	expect_eq "the counters kept" "$(sqlite3 "$DB" "$counters")" "gate-001|211|21|300
gate-002|111|0|100
solo-001|0|0|50"
	expect_eq "version 9 brought to 10: entries" "$(sqlite3 "$T/v9.db" "SELECT count(*), sum(seq) FROM entries")" \
		"$(sqlite3 "$DB" "SELECT count(*), sum(seq) FROM entries")"
fi
mkdir ack && "$BB" --db "$DB" ack --key "$K" --device gate-001 --output ack >/dev/null || fail "ack"
expect_eq "ack after retention" \
	"$("$G" --bureau-pub "$K.pub" --check-ack ack/sentinel/gate-001/in/ack-gate-001-300.cose)" \
	"ack device=gate-001 seq=300 verdicts=0"
if bureau_pg; then
	expect_eq "partitions of 2026-01..03 dropped" "$(bureau_sql "$DB" "SELECT string_agg(c.relname, ',' ORDER BY c.relname)
		FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'entries'::regclass
		AND c.relname < 'entries_2026_05'")" "entries_2026_04"
else
	expect_eq "nothing older held" "$(sqlite3 "$DB" "SELECT count(*) FROM entries WHERE seq < 90")" "0"
	sqlite3 "$DB" "DELETE FROM entries WHERE seq = 100" 2>&1 | grep -q "entries are append-only" ||
		fail "the DELETE trigger is not back"
fi

# Again the same month: nothing.
expect_eq "retention again" "$("$BB" --db "$DB" retention --before 2026-04)" \
	"retention before 2026-04: entries 0 copies 0 removed, gates cut 0, partitions dropped 0"

# Later imports: old bundles are duplicates; a fork below the cut, or not linking to it, is refused.
out=$(imp "$DB" in-a)
expect_eq "old bundles again" "$(echo "$out" | sed -n '1,2p')" \
	"in-a/gate-001-1-100-regular.snb: device gate-001 entries 1-100 new 0 duplicate 100
in-a/gate-001-5-95-priority.snb: device gate-001 entries 5-95 new 0 duplicate 10 (priority)"
mkdir in-f && cp fork/gate-001-1-100-regular.snb in-f/
out=$(imp "$DB" in-f)
expect_eq "fork below the cut: exit" "$?" "1"
expect_eq "fork below the cut" "$out" \
	"in-f/gate-001-1-100-regular.snb: rejected: device gate-001 seq 89: does not link to the hash recorded at the retention cut (seq 90 kept first; fork or forgery)"
# solo-001 goes on from its cut: its next bundle links to it.
mkdir in-d && cp stage3/solo-001-51-100-regular.snb in-d/
expect_eq "next bundle after a full cut" "$(imp "$DB" in-d)" \
	"in-d/solo-001-51-100-regular.snb: device solo-001 entries 51-100 new 50 duplicate 0"
expect_eq "solo-001 then" "$(field "$DB" solo-001 '[.last, .entries, .gaps]')" '[100,50,[]]'

# A later month removes gate-002's gap below its new cut, and solo-001's entries before it.
"$BB" --db "$DB" retention --before 2026-08 >/dev/null || fail "retention 2026-08"
expect_eq "gate-002 after 2026-08" "$(field "$DB" gate-002 '[.last, .entries, .gaps, .kept_from.seq]')" \
	'[300,89,[],212]'
expect_eq "gate-001 after 2026-08" "$(field "$DB" gate-001 '[.last, .entries, .gaps, .kept_from.seq]')" \
	'[300,89,[],212]'
expect_eq "solo-001 after 2026-08" "$(field "$DB" solo-001 '[.last, .entries, .gaps, .kept_from.seq]')" \
	'[100,0,[],101]'

# migrate of the retained database, and of a retained SQLite file (into PostgreSQL under test-bureau-pg.sh).
strip() { jq -c 'del(.last_contact, .unsynced_s)'; }
TO=$(bureau_db copy) || fail "copy db"
out=$("$BB" migrate --from "$DB" --to "$TO" 2>&1)
expect_eq "migrate exit" "$?" "0"
expect_eq "migrated devices" "$("$BB" --db "$TO" devices --json | strip)" "$("$BB" --db "$DB" devices --json | strip)"
SRC="$T/src.db"
fill "$SRC"
"$BB" --db "$SRC" retention --before 2026-04 >/dev/null || fail "retention of the SQLite file"
TO2=$(bureau_db copy2) || fail "copy2 db"
out=$("$BB" migrate --from "$SRC" --to "$TO2" 2>&1)
expect_eq "migrate SQLite file exit" "$?" "0"
echo "$out" | grep -q "differ" && fail "migrate SQLite file: $out"
expect_eq "migrated SQLite file" "$("$BB" --db "$TO2" devices --json | strip)" \
	"$("$BB" --db "$SRC" devices --json | strip)"
expect_eq "the copy takes what follows" "$(imp "$TO2" in-d)" \
	"in-d/solo-001-51-100-regular.snb: device solo-001 entries 51-100 new 50 duplicate 0"

# Personal records (issue 18): card-001's every 4th visitor registered with an ID card.
gen --logs logs-r --out stage-r --flat --prefix card --entries 100 --per-bundle 100 --records || fail "gen records"
DBR=$(bureau_db records) || fail "records db"
"$BB" --db "$DBR" register --device card-001 --pub keys/card-001.key.pub >/dev/null || fail "register card-001"
mkdir in-r && cp stage-r/card-001-1-100-regular.snb in-r/
expect_eq "records imported" "$("$BB" --db "$DBR" --key "$K" import --personal-days 3650 in-r)" \
	"in-r/card-001-1-100-regular.snb: device card-001 entries 1-100 new 100 duplicate 0 personal records 25"
person() { "$BB" --db "$DBR" --key "$K" person --device card-001 --seq "$1" --reason "contact tracing" --staff S-1; }
expect_eq "a record opens before" "$(person 4 | grep '^number:')" "number:     11010519491231002X"
out=$("$BB" --db "$DBR" retention --before 2026-04)
expect_eq "retention with records: exit" "$?" "0"
expect_eq "retention with records" "$out" \
	"retention before 2026-04: entries 89 copies 0 removed, gates cut 1, partitions dropped $parts
personal records: 22 of the entries removed, removed with them (in the audit)"
out=$(person 4 2>&1)
expect_eq "person below the cut: exit" "$?" "1"
expect_eq "person below the cut: no digest mismatch" "$out" \
	"sentinel-bureau: person: device card-001 holds no personal record for seq 4 (never received, or purged)"
expect_eq "a record past the cut opens" "$(person 92 | grep '^number:')" "number:     11010519491231002X"
expect_eq "verify after retention" "$("$BB" --db "$DBR" verify)" \
	"card-001: verified: 11 entries (seq 90-100), chain intact; personal records: 3 of 3 held, each matching its entry's digest"
expect_eq "the removal in the audit" \
	"$("$BB" --db "$DBR" audit --json | jq -c 'select(.action == "purge") | [.before, .removed]')" \
	'["2026-04-01T00:00:00Z",22]'
expect_eq "records held" "$(bureau_sql "$DBR" "SELECT count(*) FROM personal")" "3"
# The old bundle again: its entries below the cut are duplicates, and their records are not kept.
expect_eq "old bundle with records again" "$("$BB" --db "$DBR" --key "$K" import --personal-days 3650 in-r)" \
	"in-r/card-001-1-100-regular.snb: device card-001 entries 1-100 new 0 duplicate 100"
expect_eq "no record below the cut" "$(bureau_sql "$DBR" "SELECT count(*) FROM personal")" "3"
"$BB" --db "$DBR" verify >/dev/null || fail "verify after the old bundle"
finish
