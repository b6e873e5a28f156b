#!/bin/sh
# SPDX-License-Identifier: MIT
# Key handover for a replaced board (issue 17): the gate gate-001 sends
# entries 1-100 under its first key; register --replace --reason hands it
# over to a new key (a new board carrying the gate's log, or a re-keyed
# gate); devices and devices --json show the handover (old and new kid,
# last seq held, who, why); a bundle signed with the old key is refused
# naming the handover, one signed with the new key continues the chain with
# no gap; the new key again changes nothing.  --replace without --reason, --reason without --replace:
# usage errors.  migrate copies the handover (once when run twice).  A
# database from before the handovers is migrated on open.  Against SQLite,
# and against PostgreSQL by test-bureau-pg.sh.
. tests/scenario/lib.sh
bureau_begin test-bureau-handover
imp() { "$BB" --db "$DB" import --key "$K" "$@"; }

"$BB" keys init --key "$K" >/dev/null || fail "keys init"
# The gate's log, exported under its first key (keys/) and under the new one (keys2/).
"$G" --bureau-pub "$K.pub" --keys keys --logs logs --out old --flat --entries 300 --per-bundle 100 \
	>/dev/null || fail "gen old"
"$G" --bureau-pub "$K.pub" --keys keys2 --logs logs --out new --flat --entries 300 --per-bundle 100 \
	>/dev/null || fail "gen new"
"$BB" --db "$DB" register --device gate-001 --pub keys/gate-001.key.pub --home 阳光养老院 >/dev/null ||
	fail "register"
kid() { "$BB" --db "$DB" devices --json | jq -r "select(.device==\"$1\").kid"; }
old_kid=$(kid gate-001)

mkdir in1 && cp old/gate-001-1-100-regular.snb in1/
expect_eq "import 1-100 (old key)" "$(imp in1)" \
	"in1/gate-001-1-100-regular.snb: device gate-001 entries 1-100 new 100 duplicate 0"

# Usage errors: no reason, a reason without --replace.
out=$("$BB" --db "$DB" register --device gate-001 --pub keys2/gate-001.key.pub --replace 2>&1)
expect_eq "replace without reason: exit" "$?" "2"
expect_eq "replace without reason" "$(echo "$out" | head -n 1)" \
	"sentinel-bureau: register: device gate-001 is registered with another key: a handover to the new key needs --reason (and --by)"
out=$("$BB" --db "$DB" register --device gate-001 --pub keys2/gate-001.key.pub --reason x 2>&1)
expect_eq "reason without replace: exit" "$?" "2"
expect_eq "reason without replace" "$(echo "$out" | head -n 1)" \
	"sentinel-bureau: register: --reason and --by go with --replace (a handover to a new key)"
expect_eq "key unchanged after the usage errors" "$(kid gate-001)" "$old_kid"

# The handover.
out=$("$BB" --db "$DB" register --device gate-001 --pub keys2/gate-001.key.pub --replace \
	--reason "board broken, SD card moved" --by "李工")
expect_eq "handover exit" "$?" "0"
new_kid=$(kid gate-001)
[ "$new_kid" != "$old_kid" ] || fail "kid did not change"
expect_eq "handover" "$out" \
	"handed over gate-001 from kid $old_kid to kid $new_kid after seq 100 (board broken, SD card moved, by 李工): bundles signed with the old key are refused"
out=$("$BB" --db "$DB" register --device gate-001 --pub keys2/gate-001.key.pub --replace --reason again)
expect_eq "same new key again" "$out" "gate-001 already registered with this key (kid $new_kid)"

# devices shows it; --json gives its fields.
dev=$("$BB" --db "$DB" devices | sed 's/ contact .*//; s/^  handover [^ ]* /  handover T /')
expect_eq "devices" "$dev" "gate-001 kid $new_kid last 100 entries 100 priority 0 gaps none
  handover T kid $old_kid -> $new_kid after seq 100 by 李工: board broken, SD card moved"
expect_eq "devices --json handovers" \
	"$("$BB" --db "$DB" devices --json | jq -c '.handovers | map([.old_kid, .new_kid, .after_seq, .by, .reason, (.time | test("^20[0-9-]+T"))])')" \
	"[[\"$old_kid\",\"$new_kid\",100,\"李工\",\"board broken, SD card moved\",true]]"

# The old key's later bundle is refused; the new key's continue the chain.
mkdir in2 && cp old/gate-001-101-200-regular.snb in2/
out=$(imp in2)
expect_eq "old key refused: exit" "$?" "1"
case $out in
"in2/gate-001-101-200-regular.snb: rejected: signed with device gate-001's key kid $old_kid, replaced at 20"*"Z (board broken, SD card moved): bundle refused") ;;
*) fail "old key refused: $out" ;;
esac
mkdir in3 && cp new/gate-001-101-200-regular.snb new/gate-001-201-300-regular.snb in3/
expect_eq "new key accepted" "$(imp in3)" \
	"in3/gate-001-101-200-regular.snb: device gate-001 entries 101-200 new 100 duplicate 0
in3/gate-001-201-300-regular.snb: device gate-001 entries 201-300 new 100 duplicate 0"
expect_eq "devices after" "$("$BB" --db "$DB" devices --json | jq -c '[.last, .gaps, .entries]')" '[300,[],300]'
# The first key's bundle already held is a duplicate no more: refused too.
out=$(imp in1)
expect_eq "old key's old bundle: exit" "$?" "1"
# Another gate's key is still "not the one registered".
"$BB" --db "$DB" register --device gate-002 --pub keys/gate-001.key.pub >/dev/null || fail "register gate-002"
"$G" --bureau-pub "$K.pub" --keys keys --logs logs-x --out forged --flat --prefix gate --devices 2 --entries 10 \
	--sign-key keys2/gate-001.key >/dev/null || fail "gen forged"
mkdir in4 && cp forged/gate-002-1-10-regular.snb in4/
expect_eq "another key" "$(imp in4)" \
	"in4/gate-002-1-10-regular.snb: rejected: signed by a key that is not the one registered for device gate-002"

# The ack names seq 300 under the new key's chain.
mkdir ack && "$BB" --db "$DB" ack --key "$K" --device gate-001 --output ack >/dev/null || fail "ack"
expect_eq "ack" "$("$G" --bureau-pub "$K.pub" --check-ack ack/sentinel/gate-001/in/ack-gate-001-300.cose)" \
	"ack device=gate-001 seq=300 verdicts=0"

# migrate copies the handover, and the copy refuses the old key too.
TO=$(bureau_db copy) || fail "copy db"
"$BB" migrate --from "$DB" --to "$TO" >/dev/null || fail "migrate"
expect_eq "migrated handovers" "$("$BB" --db "$TO" devices --json | jq -c 'select(.device=="gate-001") | [.kid, (.handovers | map([.old_kid, .new_kid, .after_seq, .by]))]')" \
	"[\"$new_kid\",[[\"$old_kid\",\"$new_kid\",100,\"李工\"]]]"
"$BB" migrate --from "$DB" --to "$TO" >/dev/null || fail "migrate again"
expect_eq "migrated twice: one handover" "$("$BB" --db "$TO" devices --json | jq -c 'select(.device=="gate-001") | .handovers | length')" "1"
out=$("$BB" --db "$TO" import --key "$K" in2)
case $out in *"rejected: signed with device gate-001's key kid $old_kid, replaced at"*) ;; *) fail "copy: old key: $out" ;; esac

# A database made before the handovers and retention (SQLite version 5, PostgreSQL schema 1; so
# also before the personal records) is brought to the current version on open, its rows kept.
OLD=$(bureau_db old) || fail "old db"
"$BB" --db "$OLD" register --device gate-001 --pub keys/gate-001.key.pub >/dev/null || fail "register old"
"$BB" --db "$OLD" import --key "$K" in1 >/dev/null || fail "import old"
if bureau_pg; then
	bureau_sql "$OLD" "DROP TABLE handovers; DROP TABLE retentions; ALTER TABLE devices DROP COLUMN cut_seq,
		DROP COLUMN cut_hash, DROP COLUMN cut_time_utc_ms; DROP TABLE personal; DROP TABLE personal_audit;
		DROP FUNCTION bureau_never_changed(); ALTER TABLE entries DROP COLUMN birth_year;
		ALTER TABLE priority DROP COLUMN birth_year; UPDATE bureau_meta SET value = '1' WHERE key = 'schema'" >/dev/null
	"$BB" --db "$OLD" register --device gate-001 --pub keys2/gate-001.key.pub --replace --reason re-keyed \
		>/dev/null || fail "handover on a schema 1 database"
	expect_eq "schema 1 migrated" "$(bureau_sql "$OLD" "SELECT value FROM bureau_meta WHERE key = 'schema';
		SELECT count(*) FROM handovers; SELECT n_entries FROM devices; SELECT cut_seq FROM devices")" "6
1
100
1"
else
	sqlite3 "$OLD" "DROP TABLE handovers; ALTER TABLE devices DROP COLUMN cut_seq; ALTER TABLE devices DROP COLUMN cut_hash;
		ALTER TABLE devices DROP COLUMN cut_time_utc_ms; DROP TABLE retentions; DROP TABLE personal;
		DROP TABLE personal_audit; ALTER TABLE entries DROP COLUMN birth_year; ALTER TABLE priority DROP COLUMN birth_year;
		ALTER TABLE devices DROP COLUMN n_entries; ALTER TABLE devices DROP COLUMN n_priority;
		ALTER TABLE devices DROP COLUMN ack_seq; PRAGMA user_version = 5" ||
		fail "make a version 5 database"
	"$BB" --db "$OLD" register --device gate-001 --pub keys2/gate-001.key.pub --replace --reason re-keyed \
		>/dev/null || fail "handover on a version 5 database"
	expect_eq "version 5 migrated" "$(sqlite3 "$OLD" "PRAGMA user_version; SELECT count(*) FROM handovers;
		SELECT count(*) FROM entries; SELECT cut_seq FROM devices; SELECT n_entries, ack_seq FROM devices")" "10
1
100
1
100|100"
fi

finish
