#!/bin/sh
# SPDX-License-Identifier: MIT
# The sealed personal records at the bureau (issue 18): two visitors
# register with their ID cards at the gate (a third has none: id-missing,
# no record); the gate syncs online with `sentinel-bureau serve`, whose
# bundle carries the two sealed records ("records", bundle.h); the bureau
# keeps them (nothing of the card in clear anywhere in its database: the
# full name and number, in UTF-8, UCS-2 and GB 18030, are not in its file,
# or its dump, beside the sealed bytes); `person` opens one with the
# bureau's key for a reason and a member of staff, and `audit` shows the
# opening (also a failed one); the audit is append-only; `verify` checks
# the chain with the records; `purge` removes the records past
# personal_days and records the purge; the entries stay, the bureau's
# chain and the gate's (after its own retention) still verify; serve
# purges too after each bundle it takes (records of January visits posted
# to it are gone when it answers, the purge in the audit).  With
# SENTINEL_BUREAU_DB=postgresql (test-bureau-pg.sh) the same against
# PostgreSQL.
. tests/scenario/lib.sh

[ -x "$B/sentinel-bureau" ] || { echo "test-bureau-personal: $B/sentinel-bureau not built: skipped"; exit 77; }
bureau_backend
DB=$(bureau_db personal) || fail "bureau database"
ctl=$B/sentinelctl
bur() { "$B/sentinel-bureau" --db "$DB" --key "$T/bureau.key" "$@"; }
bdb() { "$B/sentinel-bureau" --db "$DB" "$@"; }

cat >"$T/card.scn" <<SCN
$(card_visit "name=张三丰 number=11010519491231002X from=20200101 to=20400101")
$(card_visit "name=王五 number=440524188001010014 from=20200101 to=20400101" 36.6)
$(card_visit "none")
SCN
write_idcard_conf "$T/g/gate.conf" "$T/card.scn" "$T/bureau.key.pub" keys/device.key
printf '\n[retention]\npersonal_days = 28\n' >>"$T/g/gate.conf"

"$B/sentinel-bureau" keys init --key "$T/bureau.key" >/dev/null || fail "bureau keys init"
"$ctl" keys init --config "$T/g/gate.conf" >/dev/null || fail "gate keys init"
bdb register --device test-gate --pub "$T/g/keys/device.pub" >/dev/null || fail "register"
"$B/sentineld" -f -c "$T/g/gate.conf" 2>"$T/g/stderr" || fail "sentineld: $(cat "$T/g/stderr")"
expect_eq "the gate's sealed records" "$(sqlite3 "$T/g/gate.db" "SELECT group_concat(seq) FROM personal")" "1,2"

# A crash at a bureau (a database of its own) while it keeps a bundle from a
# stick: killed (gdb) as it writes the sealed records, it holds neither the
# bundle's entries nor their records (one transaction, both backends), so
# nothing is acknowledged and the same bundle, imported again, brings both.
. "$ROOT/tests/sync/stick.sh"
make_stick "$T/stick"
sync_usb "$T/stick" "$T/g/gate.conf" >"$T/sync-usb.out" 2>&1 || fail "sync usb: $(cat "$T/sync-usb.out")"
DBX=$(bureau_db crash) || fail "bureau database for the crash"
"$B/sentinel-bureau" --db "$DBX" register --device test-gate --pub "$T/g/keys/device.pub" >/dev/null ||
	fail "register (crash)"
case $(uname -m) in x86_64) arg2='$rsi' ;; aarch64) arg2='$x1' ;; *) arg2= ;; esac
if command -v gdb >/dev/null && [ -n "$arg2" ]; then
	# The second argument of sqlite3_prepare_v2() and PQexecParams() is the SQL.
	gdb -nx -batch -ex 'set breakpoint pending on' \
		-ex "break sqlite3_prepare_v2 if \$_regex((char *)$arg2, \".*INTO personal [(]\")" \
		-ex "break PQexecParams if \$_regex((char *)$arg2, \".*INTO personal [(]\")" -ex run -ex kill \
		--args "$B/sentinel-bureau" --db "$DBX" --key "$T/bureau.key" import "$T/stick/mnt" \
		>"$T/gdb.out" 2>&1
	grep -q 'INTO personal\|Breakpoint 1,\|Breakpoint 2,' "$T/gdb.out" || fail "gdb: no stop at the records: $(cat "$T/gdb.out")"
	expect_eq "killed while keeping the records: entries and records" \
		"$(bureau_sql "$DBX" "SELECT (SELECT count(*) FROM entries), (SELECT count(*) FROM personal)")" "0|0"
	out=$("$B/sentinel-bureau" --db "$DBX" --key "$T/bureau.key" import "$T/stick/mnt" 2>&1)
	expect_eq "imported again after the crash" "$(echo "$out" | grep -c 'new 3 duplicate 0.* personal records 2')" "1"
	expect_eq "after the crash: entries and records" \
		"$(bureau_sql "$DBX" "SELECT (SELECT count(*) FROM entries), (SELECT count(*) FROM personal)")" "3|2"
elif [ "${CI:-}" = true ]; then
	fail "gdb is missing (make deps) or the machine is neither x86_64 nor aarch64"
else
	echo "test-bureau-personal: no gdb (make deps): the crash at the bureau not tested"
fi

serve_start "$T/serve" --db "$DB" --key "$T/bureau.key" serve --listen 127.0.0.1:0
sed -i "s#^bureau_key = .*#&\nbureau_url = http://127.0.0.1:$port#" "$T/g/gate.conf"
out=$("$ctl" sync online --config "$T/g/gate.conf" 2>&1)
expect_eq "sync online: exit" "$?" "0"
serve_stop

expect_eq "the bureau keeps the two records" "$(bureau_sql "$DB" "SELECT seq FROM personal ORDER BY seq")" "1
2"
expect_eq "serve's line names the records" "$(grep -c 'POST /v1/bundle 200 .* personal records 2' "$T/serve.log")" "1"
expect_eq "audit: empty" "$(bdb audit)" "The audit is empty: no personal record has been opened or purged."
expect_eq "the entries" "$(bdb entries --device test-gate --json | jq -r '.seq' | tr '\n' ' ')" "1 2 3 "

# Nothing of a card in clear at the bureau: its file (SQLite) or its dump (PostgreSQL).
if bureau_pg; then
	"$PG_BIN/pg_dump" --data-only -d "$DB" >"$T/bureau.dump" || fail "pg_dump"
	set -- "$T/bureau.dump"
else
	set -- "$DB" "$DB-wal"
fi
grep -qaF '张*' "$T/g/gate.db" || fail "the masked name is not in the gate's log"
expect_no_card_values "张三丰 11010519491231002X 王五 440524188001010014" "$@" "$T/serve.log" "$T/serve.err"

# Opening one record: printed, and the opening recorded first.
out=$(bur person --device test-gate --seq 1 --reason "contact tracing 2026-12 cluster" --staff S-007 2>&1)
expect_eq "person: exit" "$?" "0"
expect_eq "person: name and number" "$(echo "$out" | grep -E '^(name|sex|nation|number|birth):')" "name:       张三丰
sex:        女 female
nation:     汉族 Han
birth:      19491231
number:     11010519491231002X"
out=$(bur person --device test-gate --seq 2 --reason "contact tracing" --staff S-008 --json 2>&1)
expect_eq "person --json" "$(echo "$out" | jq -r '[.seq, .name, .number, .audit] | @tsv')" "2	王五	440524188001010014	2"
expect_eq "person --json: the codes and their names" \
	"$(echo "$out" | jq -r '[.sex, .sex_zh, .sex_en, .nation, .nation_zh, .nation_en] | @tsv')" "1	男	male	01	汉族	Han"
out=$(bur person --device test-gate --seq 3 --reason "contact tracing" --staff S-007 2>&1)
expect_eq "person: no record: exit" "$?" "1"
expect_eq "person: no record" "$out" \
	"sentinel-bureau: person: device test-gate holds no personal record for seq 3 (never received, or purged)"
"$B/sentinel-bureau" --db "$DB" --key "$T/bureau.key" person --device test-gate --seq 1 --staff S-007 \
	>/dev/null 2>&1
expect_eq "person without a reason: exit" "$?" "2"
expect_eq "audit" "$(bdb audit --json | jq -r '[.id, .action, .device, .seq, .staff, .outcome, .reason] | @tsv')" \
	"1	open	test-gate	1	S-007	opened	contact tracing 2026-12 cluster
2	open	test-gate	2	S-008	opened	contact tracing
3	open	test-gate	3	S-007	not held	contact tracing"
expect_eq "audit (text)" "$(bdb audit | sed -n 1p | cut -c1-6,29-)" \
	"   1  open   device test-gate seq 1 by S-007: opened (contact tracing 2026-12 cluster)"
# The audit is append-only.
bureau_sql "$DB" "UPDATE personal_audit SET staff = 'nobody'" >/dev/null 2>&1 && fail "the audit was updated"
bureau_sql "$DB" "DELETE FROM personal_audit" >/dev/null 2>&1 && fail "the audit was deleted"
expect_eq "audit kept" "$(bureau_sql "$DB" "SELECT count(*) FROM personal_audit")" "3"

# migrate copies the records and the audit, each checked.
DB2=$(bureau_db copy) || fail "second bureau database"
out=$("$B/sentinel-bureau" migrate --from "$DB" --to "$DB2" 2>&1)
expect_eq "migrate: exit" "$?" "0"
expect_eq "migrate: records and audit" "$(echo "$out" | tail -n 1)" "personal records 2 and audit rows 3 copied and checked"
expect_eq "migrated audit" "$("$B/sentinel-bureau" --db "$DB2" audit --json | jq -r '[.id, .staff, .outcome] | @tsv')" \
	"1	S-007	opened
2	S-008	opened
3	S-007	not held"
out=$("$B/sentinel-bureau" --db "$DB2" --key "$T/bureau.key" person --device test-gate --seq 1 --reason "migrated copy" \
	--staff S-009 2>&1)
expect_eq "person in the copy" "$(echo "$out" | grep '^number:')" "number:     11010519491231002X"

expect_eq "verify" "$(bdb verify)" \
	"test-gate: verified: 3 entries (seq 1-3), chain intact; personal records: 2 of 2 held, each matching its entry's digest"
# A record gone with no purge in the audit (deleted behind the bureau's back, in the copy): verify
# tells it from a purge, and fails.
bureau_sql "$DB2" "DELETE FROM personal WHERE seq = 2" >/dev/null || fail "delete a record in the copy"
out=$("$B/sentinel-bureau" --db "$DB2" verify)
expect_eq "verify: a record missing: exit" "$?" "1"
expect_eq "verify: a record missing" "$out" "test-gate: records missing: 3 entries (seq 1-3), chain intact; \
personal records: 1 of 2 held, 0 removed by the retention, 1 missing with no purge in the audit (lost, or never sent \
by the gate)"
expect_eq "verify --json: a record missing" \
	"$("$B/sentinel-bureau" --db "$DB2" verify --json | jq -r '[.result, .records, .purged, .missing] | @tsv')" \
	"records-missing	1	0	1"

# The retention: the visits were on 2026-11-29, more than a day ago.
out=$(bdb purge --personal-days 1)
expect_eq "purge: exit" "$?" "0"
expect_eq "purge" "$out" "personal records: 2 of visits over 1 day old removed; the entries stay"
expect_eq "no record left" "$(bureau_sql "$DB" "SELECT count(*) FROM personal")" "0"
expect_eq "entries stay" "$(bdb entries --device test-gate --json | wc -l)" "3"
expect_eq "the purge in the audit" "$(bdb audit --json | jq -r 'select(.action == "purge") | [.id, .removed] | @tsv')" \
	"4	2"
out=$(bur person --device test-gate --seq 1 --reason "contact tracing" --staff S-007 2>&1)
expect_eq "person after the purge: exit" "$?" "1"
expect_eq "verify after the purge" \
	"$(bdb verify --json | jq -r '[.result, .entries, .digests, .records, .purged, .missing] | @tsv')" \
	"verified	3	2	0	2	0"
out=$(bdb verify)
expect_eq "verify after the purge: exit" "$?" "0"
expect_eq "verify after the purge (text)" "$out" "test-gate: verified: 3 entries (seq 1-3), chain intact; \
personal records: 0 of 2 held, each matching its entry's digest, 2 removed by the retention (in the audit)"
expect_eq "purge again: nothing" "$(bdb purge --personal-days 1)" \
	"personal records: 0 of visits over 1 day old removed; the entries stay"
expect_eq "audit rows" "$(bureau_sql "$DB" "SELECT count(*) FROM personal_audit")" "5"

# serve purges after each bundle it takes, as import does: a gate whose card records are of
# January's visits (months past 30 days) posts them; none stays, the purge is in the audit.
sh tests/bench/build-prog.sh "$B" "$T/gen_bundles" tests/bench/gen_bundles.c || fail "build gen_bundles"
"$T/gen_bundles" --bureau-pub "$T/bureau.key.pub" --keys "$T/gk" --logs "$T/gl" --out "$T/gs" --flat \
	--prefix card --entries 20 --start-ms 1767225600000 --interval-s 86400 --records >/dev/null || fail "gen_bundles"
bdb register --device card-001 --pub "$T/gk/card-001.key.pub" >/dev/null || fail "register card-001"
serve_start "$T/serve2" --db "$DB" --key "$T/bureau.key" serve --listen 127.0.0.1:0 --personal-days 30
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$T/gs/card-001-1-20-regular.snb" \
	-H 'Content-Type: application/octet-stream' "http://127.0.0.1:$port/v1/bundle")
serve_stop
expect_eq "serve: the bundle taken" "$code" "200"
expect_eq "serve: its line" "$(grep -o 'card-001 regular .*' "$T/serve2.log" | sed 's/ ack .*personal/ ... personal/')" \
	"card-001 regular entries 1-20 new 20 duplicate 0 ... personal purged 5"
expect_eq "serve: no record kept" "$(bureau_sql "$DB" "SELECT count(*) FROM personal")" "0"
expect_eq "serve: the purge in the audit" \
	"$(bdb audit --json | jq -r 'select(.action == "purge") | [.id, .removed] | @tsv' | tail -n 1)" "6	5"
expect_eq "verify after serve's purge" "$(bdb verify --device card-001 --json | jq -r '[.result, .digests, .records] | @tsv')" \
	"verified	5	0"

# The gate's own retention 29 days later; its log still verifies.
printf 'wait 1000\n' >"$T/later.scn"
sed -e "s#^scenario = .*#scenario = $T/later.scn#" -e "s#^start = .*#start = 2026-12-28T00:00:00Z#" \
	"$T/g/gate.conf" >"$T/g/later.conf"
"$B/sentineld" -f -c "$T/g/later.conf" 2>>"$T/g/stderr" || fail "sentineld later"
expect_eq "the gate's records removed" "$(sqlite3 "$T/g/gate.db" "SELECT count(*) FROM personal")" "0"
"$ctl" verify-log --db "$T/g/gate.db" >"$T/verify.out" 2>&1
expect_eq "the gate's verify-log after its purge" "$?" "0"

# A database of the schema before the personal records (SQLite 7, PostgreSQL '3') is brought
# to the current one when opened (and the birth years, SQLite 9, PostgreSQL '5'; the fevers' index, '6'), its rows kept.
if bureau_pg; then
	pg_sql "$DB" "DROP TABLE personal; DROP TABLE personal_audit; DROP FUNCTION bureau_never_changed();
		ALTER TABLE entries DROP COLUMN birth_year; ALTER TABLE priority DROP COLUMN birth_year;
		UPDATE bureau_meta SET value = '3' WHERE key = 'schema'" || fail "make a schema 3 database"
	bdb devices >/dev/null || fail "devices on a schema 3 database"
	expect_eq "migrated to schema 6" "$(pg_sql "$DB" "SELECT value FROM bureau_meta WHERE key = 'schema';
		SELECT count(*) FROM personal_audit; SELECT count(*) FROM entries;
		SELECT count(*) FROM entries WHERE birth_year IS NULL")" "6
0
23
23"
else
	sqlite3 "$DB" "DROP TABLE personal; DROP TABLE personal_audit; ALTER TABLE entries DROP COLUMN birth_year; ALTER TABLE priority DROP COLUMN birth_year;
		ALTER TABLE devices DROP COLUMN n_entries; ALTER TABLE devices DROP COLUMN n_priority;
		ALTER TABLE devices DROP COLUMN ack_seq; PRAGMA user_version = 7" ||
		fail "make a version 7 database"
	bdb devices >/dev/null || fail "devices on a version 7 database"
	expect_eq "migrated to version 10" "$(sqlite3 "$DB" "PRAGMA user_version; SELECT count(*) FROM personal_audit;
		SELECT count(*) FROM entries; SELECT count(*) FROM entries WHERE birth_year IS NULL")" "10
0
23
23"
fi
finish
