#!/bin/sh
# SPDX-License-Identifier: MIT
# Privacy at rest (issue 14 item 9): a signed certificate admitted at the
# gate is logged as the SHA-256 of what was scanned, with its masked
# subject, never as the certificate.  A DCC (vector AT/1 from
# $SENTINEL_TESTDATA: Gabriele Musterfrau-Gößinger, born 1998-02-26) and a
# green health code are admitted, the log goes to the bureau by a fake
# stick; then the log, its WAL, the bundles on the stick and the bureau's
# database (and WAL) are searched byte for byte for the HC1 payload, the
# holder's names and birth date: none is there.  The entry's payload hash
# is the SHA-256 of the scanned payload, at the gate and at the bureau; the
# health code's token is kept (the bureau's platform check needs it).
# Skipped without the test data, failing under CI=true.
. tests/scenario/lib.sh

[ -x "$B/sentinel-bureau" ] || { echo "test-privacy-rest: $B/sentinel-bureau not built: skipped"; exit 77; }
dcc_vector
jq() { sqlite3 :memory: "select json_extract(readfile('$j'), '\$.$1')"; }
jq TESTCTX.CERTIFICATE | base64 -d >"$T/dsc.der"
jq 2DCODE | base64 -d >"$T/dcc.png"
jq PREFIX | tr -d '\n' >"$T/hc1.txt"
sha=$(sha256sum <"$T/hc1.txt" | cut -d' ' -f1)
dob=$(jq JSON.dob)
expect_eq "the vector's birth date" "$dob" "1998-02-26"

cat >"$T/visits.scn" <<SCN
$(visit "$T/dcc.png" 36.5)
$(visit "$FIX/green.png" 36.6)
SCN
write_conf "$T/gate.conf" visits.scn gate.db out.log
sed -i "s#^start = .*#start = 2021-05-06T18:00:00Z#; s#^duty_phone = .*#&\ntrust = $T/dsc.der#" "$T/gate.conf"
append_sync_conf "$T/gate.conf"
"$B/sentineld" -f -c "$T/gate.conf" 2>"$T/stderr" || fail "sentineld failed: $(cat "$T/stderr")"
got=$("$B/sentinelctl" entries --json --db "$T/gate.db" | sed -E 's/"time": "[^"]*", //')
expect_eq "entries" "$got" \
'{"seq": 1, "clock": "trusted", "kind": "visitor", "format": "hcert", "colour": "black", "verified": "valid", "temp_c": 36.5, "decision": "admit", "reasons": ["temp-normal"], "door": "opened", "subject": "G* M*"}
{"seq": 2, "clock": "trusted", "kind": "visitor", "format": "healthcode", "colour": "green", "verified": "unverified", "temp_c": 36.6, "decision": "admit", "reasons": ["code-green", "temp-normal"], "door": "opened"}'
expect_eq "the DCC's payload hash is the SHA-256 of what was scanned" \
	"$(sqlite3 "$T/gate.db" "SELECT payload IS NULL, lower(hex(payload_hash)) FROM entries WHERE seq = 1")" "1|$sha"
expect_eq "the health code's token is kept" \
	"$(sqlite3 "$T/gate.db" "SELECT payload IS NOT NULL, payload_hash IS NULL FROM entries WHERE seq = 2")" "1|1"
"$B/sentinelctl" verify-log --db "$T/gate.db" >/dev/null || fail "verify-log"

# The log to the bureau by a fake stick (as test-sync.sh).
"$B/sentinelctl" keys init --config "$T/gate.conf" >/dev/null || fail "keys init"
"$B/sentinel-bureau" keys init --key "$T/bureau.key" >/dev/null || fail "bureau keys init"
"$B/sentinel-bureau" --db "$T/bureau.db" register --device test-gate --pub "$T/keys/device.pub" >/dev/null ||
	fail "bureau register"
. "$ROOT/tests/sync/stick.sh"
S=$T/stick
make_stick "$S"
sync_usb "$S" >"$T/sync.out" 2>&1 || fail "sync usb: $(cat "$T/sync.out")"
bundles=$(ls "$S/mnt/sentinel/test-gate/out/"*.snb)
[ -n "$bundles" ] || fail "no bundle on the stick"
cp $bundles "$T/"
"$B/sentinel-bureau" --db "$T/bureau.db" --key "$T/bureau.key" import "$S/mnt" >"$T/import.out" 2>&1 ||
	fail "bureau import: $(cat "$T/import.out")"
expect_eq "the bureau's payload hash" \
	"$(sqlite3 "$T/bureau.db" "SELECT payload IS NULL, lower(hex(payload_hash)) FROM entries WHERE seq = 1")" "1|$sha"
expect_eq "the bureau keeps the health code's token" \
	"$(sqlite3 "$T/bureau.db" "SELECT payload IS NOT NULL FROM entries WHERE seq = 2")" "1"

# Byte for byte: nothing of the certificate or its holder anywhere at rest.
hc1=$(cat "$T/hc1.txt")
[ "${#hc1}" -gt 100 ] || fail "the HC1 payload was not read from the vector"
for f in "$T/gate.db" "$T/gate.db-wal" "$T/bureau.db" "$T/bureau.db-wal" "$T"/*.snb; do
	[ -e "$f" ] || continue
	for s in "$hc1" "${hc1#HC1:}" Gabriele GABRIELE Musterfrau MUSTERFRAU "$dob"; do
		n=$(grep -c -a -F -e "$s" "$f")
		label=$s
		[ "${#s}" -gt 24 ] && label="the HC1 payload"
		expect_eq "$(basename "$f") holds $label" "$n" "0"
	done
done
# A bureau database of version 1 (no payload_hash, no seal_key, no home or
# rule_sets, nor version 5's revocation, version 6's handovers, version 7's retention or version 8's
# personal records and audit) is brought to the current version (8) on open, rows kept.
cp "$T/bureau.db" "$T/old.db"
sqlite3 "$T/old.db" "PRAGMA wal_checkpoint(TRUNCATE); ALTER TABLE entries DROP COLUMN payload_hash;
	ALTER TABLE priority DROP COLUMN payload_hash; ALTER TABLE devices DROP COLUMN seal_key;
	ALTER TABLE devices DROP COLUMN home; DROP TABLE rule_sets; DROP INDEX entries_dev_time;
	ALTER TABLE devices DROP COLUMN revoked_utc_ms; ALTER TABLE devices DROP COLUMN revoked_reason;
	DROP TABLE handovers; ALTER TABLE devices DROP COLUMN cut_seq; ALTER TABLE devices DROP COLUMN cut_hash;
	ALTER TABLE devices DROP COLUMN cut_time_utc_ms; DROP TABLE retentions; DROP TABLE personal;
	DROP TABLE personal_audit; ALTER TABLE entries DROP COLUMN birth_year; ALTER TABLE priority DROP COLUMN birth_year;
	ALTER TABLE devices DROP COLUMN n_entries; ALTER TABLE devices DROP COLUMN n_priority;
	ALTER TABLE devices DROP COLUMN ack_seq; PRAGMA user_version = 1;" >/dev/null ||
	fail "making a version 1 bureau database"
"$B/sentinel-bureau" --db "$T/old.db" devices >/dev/null || fail "bureau devices on a version 1 database"
expect_eq "bureau database migrated" "$(sqlite3 "$T/old.db" "PRAGMA user_version; SELECT count(*) FROM entries;
	SELECT count(*) FROM pragma_table_info('priority') WHERE name = 'payload_hash';
	SELECT count(*) FROM pragma_table_info('devices') WHERE name = 'seal_key';
	SELECT count(*) FROM pragma_table_info('devices') WHERE name IN ('home', 'revoked_utc_ms', 'revoked_reason');
	SELECT count(*) FROM handovers; SELECT count(*) FROM retentions; SELECT min(cut_seq) FROM devices;
	SELECT count(*) FROM sqlite_schema WHERE name IN ('personal', 'personal_audit')")" "10
2
1
1
3
0
0
1
2"

# The gate keeps its WAL (store.h); the bureau's is searched when it is there.
[ -s "$T/gate.db-wal" ] || fail "the gate's WAL was not there to search"
finish
