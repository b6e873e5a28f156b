// SPDX-License-Identifier: MIT
/*
 * store: the gate's durable, hash-chained log of entries in SQLite.
 *
 * Durability (domain lesson 8): journal_mode=WAL, synchronous=FULL, so a
 * COMMIT returns only after the WAL is fsync'd ("PRAGMA synchronous",
 * https://sqlite.org/pragma.html#pragma_synchronous).  Busy timeout 5000 ms,
 * foreign keys on, SQLITE_DBCONFIG_DEFENSIVE on (no writable_schema tricks
 * around the append-only triggers), secure_delete on (what a purge removes
 * is overwritten with zeros, not left in free pages: entries logged before
 * schema 5 may hold a certificate's payload).  The writer keeps the -wal and -shm
 * files on close (SQLITE_FCNTL_PERSIST_WAL) so read-only readers that cannot
 * write the directory can always open the log.
 *
 * Schema: versioned by PRAGMA user_version; migrations[i] takes a file from
 * version i to i + 1, each in its own BEGIN IMMEDIATE transaction together
 * with the user_version bump, so a failed step leaves the file as it was.
 * PRAGMA application_id marks the file as sentinel's (SNT_APPLICATION_ID).
 * Enums are stored as their names, checked by CHECK constraints; entries
 * are append-only (triggers refuse UPDATE and DELETE) and a BEFORE INSERT
 * trigger refuses a seq that does not follow the last one or a prev_hash
 * that is not the last hash, so even a raw SQL writer cannot fork the chain.
 *
 * Version 2 adds retention and clock rebasing, with triggers that hold for
 * raw SQL writers too (only DROP TRIGGER gets around them, and what that
 * allows shows in snt_store_verify() as a gap or a broken link):
 *   ack     one row (id 1): the bureau's acknowledgement cursor; it only
 *           moves forward, never past the last seq assigned.
 *   purges  one row per purge: first_seq, last_seq, count, anchor_hash (the
 *           hash of last_seq), cutoff_utc_ms, ack_seq, purged_utc_ms.  A
 *           BEFORE INSERT trigger admits a record only for the next
 *           contiguous prefix of the chain (first_seq = previous last_seq
 *           + 1, or 1), not above the cursor, with every entry of the range
 *           present and anchor_hash equal to the stored hash of last_seq; an
 *           AFTER INSERT trigger then deletes that range.  entries' DELETE
 *           trigger refuses any row not inside a recorded purge, so the
 *           only delete is this one, in the same transaction as its record.
 *           Purge records are append-only.
 *   rebase  boot_id -> utc_at_boot_ms, source, recorded_utc_ms; written once
 *           per boot id, never updated or deleted.
 * The chain trigger continues after a purge: the next seq follows the
 * highest of the entries and the purged ranges, and with no entry left the
 * next prev_hash must be the last purge's anchor.
 *
 * Version 3 adds entries.detail (the detail record of struct snt_entry, a
 * JSON object or NULL), the index entries_time, and tables outside the
 * chain: events (append-only), alerts (acknowledged once: only ack_utc_ms
 * and ack_by may change, once; triggers raise a fever alert for an entry
 * with reason fever, a referral alert for any other refer, a device-fault
 * alert for a device-fault event, each in the inserting transaction) and
 * verdicts (one per seq, never changed).
 *
 * Version 4 rebuilds entries with the enum CHECK lists generated from the
 * entry module's tables.
 *
 * Version 5 adds entries.payload_hash: the SHA-256 of a scanned payload the
 * log does not keep (a signed certificate's, snt_code_format_keep()), never
 * beside a payload (CHECK).  Rows written before keep what they hold: the
 * chain hash covers their payload, so no step rewrites them.
 *
 * Version 6 adds seals: one row per sealed entry (seq, the seal epoch, the
 * 32-byte tag of fss.h over the entry's seq and chain hash), written in the
 * entry's transaction when the store has a seal key (snt_store_seal_attach());
 * append-only, deleted only for purged seqs.
 *
 * Version 7 adds personal (the sealed personal records, outside the chain)
 * and personal_purges.
 *
 * Version 8 adds entries.birth_year: the registered visitor's birth year,
 * kept only under a rule set's age rule (NULL otherwise, and in every row
 * written before).
 *
 * The chain hash is SHA-256 over the entry module's canonical form
 * (snt_entry_hash_input(), "sentinel-entry-v4" since schema 8, which hashes
 * every row without a birth year as "sentinel-entry-v3" of schema 5 to 7
 * did, every row of schema 3 and 4 as "sentinel-entry-v2" and of schema 1
 * and 2 as "sentinel-entry-v1" did; its name is kept in meta('hash_form')),
 * computed from the values as stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/store_internal.h"

#define SNT_APPLICATION_ID 1397642316	/* 0x534e544c, "SNTL" */

/*
 * A migration step that is no SQL text: rebuild the entries table with the
 * CHECK lists of this program's entry module (rebuild_entries()).
 */
#define REBUILD_ENTRIES NULL

/* The entry columns of schema 3 and 4, before payload_hash; of schema 5 to 7, before birth_year. */
#define ENTRY_COLS_V4 "seq, boot_id, mono_ms, time_utc_ms, clock, kind, format, colour, verified, temp_dc, " \
		      "decision, reasons, door, subject, payload, detail, prev_hash, hash"
#define ENTRY_COLS_V7 ENTRY_COLS_V4 ", payload_hash"

/*
 * migrations[i] brings user_version i to i + 1.  Never edit a released step;
 * add a new one.  SQLite cannot alter a CHECK: a new name in one of the
 * entry module's enum tables (a code format, a colour, ...) is one more
 * REBUILD_ENTRIES step (a new reason needs none: reasons are checked by
 * their alphabet, and by name when read).
 */
static const char *const migrations[] = {
	/* 0 -> 1: the first schema */
	"PRAGMA application_id = " STR(SNT_APPLICATION_ID) ";\n"
	"CREATE TABLE meta (\n"
	"	key TEXT PRIMARY KEY NOT NULL,\n"
	"	value TEXT NOT NULL\n"
	") STRICT;\n"
	"INSERT INTO meta (key, value) VALUES ('hash_form', 'sentinel-entry-v1');\n"
	"CREATE TABLE entries (\n"
	"	seq INTEGER PRIMARY KEY CHECK (seq >= 1),\n"
	"	boot_id TEXT NOT NULL CHECK (length(CAST(boot_id AS BLOB)) <= 36),\n"
	"	mono_ms INTEGER NOT NULL,\n"
	"	time_utc_ms INTEGER NOT NULL,\n"
	"	clock TEXT NOT NULL CHECK (clock IN ('untrusted', 'trusted', 'rebased')),\n"
	"	kind TEXT NOT NULL CHECK (kind IN ('visitor', 'staff')),\n"
	"	format TEXT NOT NULL CHECK (format IN ('none', 'healthcode', 'hcert', 'lt1',\n"
	"		'nzcp', 'shc')),\n"
	"	colour TEXT NOT NULL CHECK (colour IN ('unknown', 'green', 'yellow', 'red',\n"
	"		'black')),\n"
	"	verified TEXT NOT NULL CHECK (verified IN ('none', 'unverified', 'valid',\n"
	"		'invalid')),\n"
	"	temp_dc INTEGER,\n"
	"	decision TEXT NOT NULL CHECK (decision IN ('admit', 'deny', 'refer')),\n"
	"	reasons TEXT NOT NULL CHECK (reasons NOT GLOB '*[^a-z,-]*'),\n"
	"	door TEXT NOT NULL CHECK (door IN ('opened', 'shut')),\n"
	"	subject TEXT CHECK (subject IS NULL OR\n"
	"		length(CAST(subject AS BLOB)) BETWEEN 1 AND 63),\n"
	"	payload BLOB CHECK (payload IS NULL OR length(payload) BETWEEN 1 AND 65536),\n"
	"	prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),\n"
	"	hash BLOB NOT NULL CHECK (length(hash) = 32)\n"
	") STRICT;\n"
	"CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries\n"
	"BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;\n"
	"CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries\n"
	"BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;\n"
	"CREATE TRIGGER entries_chain BEFORE INSERT ON entries\n"
	"WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM entries)\n"
	"  OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM entries ORDER BY seq DESC\n"
	"	LIMIT 1), zeroblob(32))\n"
	"BEGIN SELECT RAISE(ABORT, 'entries must extend the chain'); END;\n",
	/* 1 -> 2: acknowledgement cursor, purges, clock rebasing */
	"CREATE TABLE ack (\n"
	"	id INTEGER PRIMARY KEY CHECK (id = 1),\n"
	"	seq INTEGER NOT NULL CHECK (seq >= 0)\n"
	") STRICT;\n"
	"INSERT INTO ack (id, seq) VALUES (1, 0);\n"
	"CREATE TRIGGER ack_one_row BEFORE INSERT ON ack\n"
	"BEGIN SELECT RAISE(ABORT, 'the acknowledgement cursor is one row'); END;\n"
	"CREATE TRIGGER ack_no_delete BEFORE DELETE ON ack\n"
	"BEGIN SELECT RAISE(ABORT, 'the acknowledgement cursor is one row'); END;\n"
	"CREATE TRIGGER ack_forward BEFORE UPDATE ON ack\n"
	"WHEN NEW.id IS NOT OLD.id OR NEW.seq < OLD.seq\n"
	"  OR NEW.seq > max(coalesce((SELECT max(seq) FROM entries), 0),\n"
	"		coalesce((SELECT max(last_seq) FROM purges), 0))\n"
	"BEGIN SELECT RAISE(ABORT, 'the acknowledgement cursor only moves forward, up to the last"
	" entry'); END;\n"
	"CREATE TABLE purges (\n"
	"	first_seq INTEGER NOT NULL CHECK (first_seq >= 1),\n"
	"	last_seq INTEGER PRIMARY KEY CHECK (last_seq >= first_seq),\n"
	"	count INTEGER NOT NULL,\n"
	"	anchor_hash BLOB NOT NULL CHECK (length(anchor_hash) = 32),\n"
	"	cutoff_utc_ms INTEGER NOT NULL,\n"
	"	ack_seq INTEGER NOT NULL,\n"
	"	purged_utc_ms INTEGER NOT NULL\n"
	") STRICT;\n"
	"CREATE TRIGGER purges_rule BEFORE INSERT ON purges\n"
	"WHEN NEW.first_seq IS NOT coalesce((SELECT max(last_seq) FROM purges), 0) + 1\n"
	"  OR NEW.last_seq < NEW.first_seq\n"
	"  OR NEW.last_seq > (SELECT seq FROM ack WHERE id = 1)\n"
	"  OR NEW.ack_seq IS NOT (SELECT seq FROM ack WHERE id = 1)\n"
	"  OR NEW.count IS NOT NEW.last_seq - NEW.first_seq + 1\n"
	"  OR NEW.count IS NOT (SELECT count(*) FROM entries\n"
	"	WHERE seq BETWEEN NEW.first_seq AND NEW.last_seq)\n"
	"  OR NEW.anchor_hash IS NOT (SELECT hash FROM entries WHERE seq = NEW.last_seq)\n"
	"BEGIN SELECT RAISE(ABORT, 'a purge removes an acknowledged prefix of the chain'); END;\n"
	"CREATE TRIGGER purges_delete_range AFTER INSERT ON purges\n"
	"BEGIN DELETE FROM entries WHERE seq BETWEEN NEW.first_seq AND NEW.last_seq; END;\n"
	"CREATE TRIGGER purges_no_update BEFORE UPDATE ON purges\n"
	"BEGIN SELECT RAISE(ABORT, 'purge records are append-only'); END;\n"
	"CREATE TRIGGER purges_no_delete BEFORE DELETE ON purges\n"
	"BEGIN SELECT RAISE(ABORT, 'purge records are append-only'); END;\n"
	"DROP TRIGGER entries_no_delete;\n"
	"CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries\n"
	"WHEN NOT EXISTS (SELECT 1 FROM purges WHERE last_seq >= OLD.seq AND first_seq <= OLD.seq)\n"
	"BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;\n"
	"DROP TRIGGER entries_chain;\n"
	"CREATE TRIGGER entries_chain BEFORE INSERT ON entries\n"
	"WHEN NEW.seq IS NOT max(coalesce((SELECT max(seq) FROM entries), 0),\n"
	"		coalesce((SELECT max(last_seq) FROM purges), 0)) + 1\n"
	"  OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM entries ORDER BY seq DESC LIMIT 1),\n"
	"	(SELECT anchor_hash FROM purges ORDER BY last_seq DESC LIMIT 1), zeroblob(32))\n"
	"BEGIN SELECT RAISE(ABORT, 'entries must extend the chain'); END;\n"
	"CREATE TABLE rebase (\n"
	"	boot_id TEXT PRIMARY KEY NOT NULL\n"
	"		CHECK (length(CAST(boot_id AS BLOB)) BETWEEN 1 AND 36),\n"
	"	utc_at_boot_ms INTEGER NOT NULL\n"
	"		CHECK (utc_at_boot_ms BETWEEN 0 AND " STR(UTC_MS_MAX_SQL) "),\n"
	"	source TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 32\n"
	"		AND source NOT GLOB '*[^a-z0-9-]*'),\n"
	"	recorded_utc_ms INTEGER NOT NULL\n"
	") STRICT;\n"
	"CREATE TRIGGER rebase_once BEFORE INSERT ON rebase\n"
	"WHEN EXISTS (SELECT 1 FROM rebase WHERE boot_id = NEW.boot_id)\n"
	"BEGIN SELECT RAISE(ABORT, 'a boot is rebased once'); END;\n"
	"CREATE TRIGGER rebase_no_update BEFORE UPDATE ON rebase\n"
	"BEGIN SELECT RAISE(ABORT, 'a boot is rebased once'); END;\n"
	"CREATE TRIGGER rebase_no_delete BEFORE DELETE ON rebase\n"
	"BEGIN SELECT RAISE(ABORT, 'a boot is rebased once'); END;\n",
	/* 2 -> 3: detail records, time index, events, alerts, verdicts */
	"ALTER TABLE entries ADD COLUMN detail TEXT CHECK (detail IS NULL OR\n"
	"	(length(CAST(detail AS BLOB)) BETWEEN 2 AND " STR(SNT_DETAIL_MAX) "\n"
	"	 AND json_valid(detail) AND json_type(detail) = 'object'));\n"
	"UPDATE meta SET value = 'sentinel-entry-v2' WHERE key = 'hash_form';\n"
	"CREATE INDEX entries_time ON entries (time_utc_ms);\n"
	"CREATE TABLE events (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	boot_id TEXT NOT NULL CHECK (length(CAST(boot_id AS BLOB)) <= 36),\n"
	"	mono_ms INTEGER NOT NULL,\n"
	"	time_utc_ms INTEGER NOT NULL,\n"
	"	clock TEXT NOT NULL CHECK (clock IN ('untrusted', 'trusted', 'rebased')),\n"
	"	kind TEXT NOT NULL CHECK (kind IN ('exit', 'fire-alarm', 'fire-clear',\n"
	"		'device-fault', 'rules', 'sync')),\n"
	"	detail TEXT CHECK (detail IS NULL OR length(CAST(detail AS BLOB)) BETWEEN 1 AND 255)\n"
	") STRICT;\n"
	"CREATE INDEX events_time ON events (kind, time_utc_ms);\n"
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events\n"
	"BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;\n"
	"CREATE TABLE alerts (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	created_utc_ms INTEGER NOT NULL,\n"
	"	kind TEXT NOT NULL CHECK (kind IN ('fever', 'referral', 'contradiction',\n"
	"		'device-fault')),\n"
	"	seq INTEGER,\n"
	"	event_id INTEGER REFERENCES events (id),\n"
	"	detail TEXT CHECK (detail IS NULL OR length(CAST(detail AS BLOB)) BETWEEN 1 AND 255),\n"
	"	ack_utc_ms INTEGER,\n"
	"	ack_by TEXT CHECK (ack_by IS NULL OR (length(ack_by) BETWEEN 1 AND 32\n"
	"		AND ack_by NOT GLOB '*[^A-Za-z0-9-]*')),\n"
	"	CHECK ((ack_utc_ms IS NULL) = (ack_by IS NULL))\n"
	") STRICT;\n"
	"CREATE INDEX alerts_open ON alerts (ack_utc_ms, id);\n"
	"CREATE TRIGGER alerts_ack_once BEFORE UPDATE ON alerts\n"
	"WHEN OLD.ack_utc_ms IS NOT NULL OR NEW.id IS NOT OLD.id\n"
	"  OR NEW.created_utc_ms IS NOT OLD.created_utc_ms OR NEW.kind IS NOT OLD.kind\n"
	"  OR NEW.seq IS NOT OLD.seq OR NEW.event_id IS NOT OLD.event_id\n"
	"  OR NEW.detail IS NOT OLD.detail\n"
	"BEGIN SELECT RAISE(ABORT, 'an alert is acknowledged once'); END;\n"
	"CREATE TRIGGER alerts_no_delete BEFORE DELETE ON alerts\n"
	"BEGIN SELECT RAISE(ABORT, 'alerts are kept'); END;\n"
	"CREATE TRIGGER entries_alert_fever AFTER INSERT ON entries\n"
	"WHEN (',' || NEW.reasons || ',') GLOB '*,fever,*'\n"
	"BEGIN INSERT INTO alerts (created_utc_ms, kind, seq) VALUES\n"
	"	(NEW.time_utc_ms, 'fever', NEW.seq); END;\n"
	"CREATE TRIGGER entries_alert_referral AFTER INSERT ON entries\n"
	"WHEN NEW.decision = 'refer'\n"
	"  AND NOT (',' || NEW.reasons || ',') GLOB '*,fever,*'\n"
	"BEGIN INSERT INTO alerts (created_utc_ms, kind, seq, detail) VALUES\n"
	"	(NEW.time_utc_ms, 'referral', NEW.seq, nullif(NEW.reasons, '')); END;\n"
	"CREATE TRIGGER events_alert_fault AFTER INSERT ON events\n"
	"WHEN NEW.kind = 'device-fault'\n"
	"BEGIN INSERT INTO alerts (created_utc_ms, kind, event_id, detail) VALUES\n"
	"	(NEW.time_utc_ms, 'device-fault', NEW.id, NEW.detail); END;\n"
	"CREATE TABLE verdicts (\n"
	"	seq INTEGER PRIMARY KEY,\n"
	"	colour TEXT NOT NULL CHECK (colour IN ('green', 'yellow', 'red')),\n"
	"	platform TEXT NOT NULL CHECK (length(platform) BETWEEN 1 AND 32\n"
	"		AND platform NOT GLOB '*[^a-z0-9-]*'),\n"
	"	received_utc_ms INTEGER NOT NULL\n"
	") STRICT;\n"
	"CREATE TRIGGER verdicts_once BEFORE UPDATE ON verdicts\n"
	"BEGIN SELECT RAISE(ABORT, 'a verdict is recorded once'); END;\n"
	"CREATE TRIGGER verdicts_no_delete BEFORE DELETE ON verdicts\n"
	"BEGIN SELECT RAISE(ABORT, 'a verdict is recorded once'); END;\n",
	/* 3 -> 4: the enum CHECK lists of entries generated from the entry module's tables */
	REBUILD_ENTRIES,
	/* 4 -> 5: a signed certificate's payload kept as its SHA-256 only */
	"ALTER TABLE entries ADD COLUMN payload_hash BLOB CHECK (payload_hash IS NULL OR\n"
	"	(length(payload_hash) = 32 AND payload IS NULL));\n"
	"UPDATE meta SET value = 'sentinel-entry-v3' WHERE key = 'hash_form';\n",
	/* 5 -> 6: the forward-secure seal of each entry (fss.h) */
	"CREATE TABLE seals (\n"
	"	seq INTEGER PRIMARY KEY CHECK (seq >= 1),\n"
	"	epoch INTEGER NOT NULL CHECK (epoch BETWEEN 0 AND " STR(SNT_FSS_EPOCH_MAX) "),\n"
	"	tag BLOB NOT NULL CHECK (length(tag) = " STR(SNT_FSS_TAG_LEN) ")\n"
	") STRICT;\n"
	"CREATE TRIGGER seals_no_update BEFORE UPDATE ON seals\n"
	"BEGIN SELECT RAISE(ABORT, 'seals are append-only'); END;\n"
	"CREATE TRIGGER seals_no_delete BEFORE DELETE ON seals\n"
	"WHEN OLD.seq > coalesce((SELECT max(last_seq) FROM purges), 0)\n"
	"BEGIN SELECT RAISE(ABORT, 'seals are deleted only with their purged entries'); END;\n",
	/* 6 -> 7: personal records sealed to the bureau, outside the chain, and their purges */
	"CREATE TABLE personal (\n"
	"	seq INTEGER PRIMARY KEY CHECK (seq >= 1),\n"
	"	created_utc_ms INTEGER NOT NULL,\n"
	"	sealed BLOB NOT NULL CHECK (length(sealed) BETWEEN " STR(SNT_STORE_PERSONAL_MIN) " AND "
	STR(SNT_STORE_PERSONAL_MAX) ")\n"
	") STRICT;\n"
	"CREATE INDEX personal_created ON personal (created_utc_ms);\n"
	"CREATE TABLE personal_purges (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	time_utc_ms INTEGER NOT NULL,\n"
	"	cutoff_utc_ms INTEGER NOT NULL,\n"
	"	count INTEGER NOT NULL CHECK (count >= 1)\n"
	") STRICT;\n",
	/* 7 -> 8: the birth year of a registered visitor, kept only under an age rule */
	"ALTER TABLE entries ADD COLUMN birth_year INTEGER CHECK (birth_year IS NULL OR\n"
	"	birth_year BETWEEN " STR(SNT_ENTRY_BIRTH_YEAR_MIN) " AND " STR(SNT_ENTRY_BIRTH_YEAR_MAX) ");\n"
	"UPDATE meta SET value = '" SNT_HASH_FORM "' WHERE key = 'hash_form';\n",
};

_Static_assert(SNT_ARRAY_SIZE(migrations) == SNT_STORE_SCHEMA_VERSION,
	       "one migration step per schema version");

/*
 * Refuse files that are not (or not yet, when @readonly) sentinel logs of a
 * version this program knows.  Reading the header here is also what finds
 * a file that is not a database at all (SQLITE_NOTADB).
 */
static enum snt_store_err check_identity(struct snt_store *st, bool readonly)
{
	enum snt_store_err err;
	int64_t version, app_id;
	char msg[96];

	err = store__query_int(st, "PRAGMA user_version", &version);
	if (err)
		return err;
	err = store__query_int(st, "PRAGMA application_id", &app_id);
	if (err)
		return err;
	if (app_id != 0 && app_id != SNT_APPLICATION_ID)
		return store__fail_msg(st, SNT_STORE_ERR_SCHEMA, _("not a sentinel log (application_id)"));
	if (version < 0 || version > SNT_STORE_SCHEMA_VERSION) {
		snprintf(msg, sizeof(msg), _("schema version %lld is not known to this program (%d)"),
			 (long long)version, SNT_STORE_SCHEMA_VERSION);
		return store__fail_msg(st, SNT_STORE_ERR_SCHEMA, msg);
	}
	if (version > 0 && app_id != SNT_APPLICATION_ID)
		return store__fail_msg(st, SNT_STORE_ERR_SCHEMA, _("not a sentinel log (application_id)"));
	if (readonly && version < SNT_STORE_SCHEMA_VERSION) {
		snprintf(msg, sizeof(msg), _("schema version %lld, this program needs %d"),
			 (long long)version, SNT_STORE_SCHEMA_VERSION);
		return store__fail_msg(st, SNT_STORE_ERR_SCHEMA, msg);
	}
	return SNT_STORE_OK;
}

/*
 * WAL, and keep the -wal and -shm files when the writer closes
 * (SQLITE_FCNTL_PERSIST_WAL): a reader that may not write the directory
 * (sentinelctl run by staff) can then still open the log read-only while
 * the daemon is stopped ("Read-Only Databases", https://sqlite.org/wal.html).
 */
static enum snt_store_err set_wal(struct snt_store *st)
{
	enum snt_store_err err;
	char mode[16];
	int persist = 1;
	int rc;

	err = store__query_text(st, "PRAGMA journal_mode=WAL", mode, sizeof(mode));
	if (err)
		return err;
	if (strcmp(mode, "wal"))
		return store__fail_msg(st, SNT_STORE_ERR_SQL, _("journal_mode=WAL refused"));
	rc = sqlite3_file_control(st->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
	if (rc != SQLITE_OK)
		return store__fail_sqlite(st, rc);
	return SNT_STORE_OK;
}

/* Apply every step from the file's version on, one transaction each. */
/*
 * The entries table as this program's entry module names its values: the
 * definition of schema 3 with every enum column's CHECK list generated by
 * snt_entry_sql_check() (names in enum order), the payload_hash column of
 * schema 5 when @payload_hash and the birth_year column of schema 8 when
 * @birth_year.  @name: the table's name.
 * Return: SNT_STORE_OK, or SNT_STORE_ERR_NOMEM when @buf is too small.
 */
static enum snt_store_err entries_ddl(const char *name, bool payload_hash, bool birth_year, char *buf, size_t size)
{
	char check[SNT_ENTRY_ENUM_COUNT][160];
	int n;

	for (int f = 0; f < SNT_ENTRY_ENUM_COUNT; f++)
		if (snt_entry_sql_check((enum snt_entry_enum)f, NULL, check[f], sizeof(check[f])) < 0)
			return SNT_STORE_ERR_NOMEM;
	/* i18n-exempt: SQL */
	n = snprintf(buf, size,
		     "CREATE TABLE %s (\n"
		     "	seq INTEGER PRIMARY KEY CHECK (seq >= 1),\n"
		     "	boot_id TEXT NOT NULL CHECK (length(CAST(boot_id AS BLOB)) <= 36),\n"
		     "	mono_ms INTEGER NOT NULL,\n"
		     "	time_utc_ms INTEGER NOT NULL,\n"
		     "	clock TEXT NOT NULL CHECK (%s),\n"
		     "	kind TEXT NOT NULL CHECK (%s),\n"
		     "	format TEXT NOT NULL CHECK (%s),\n"
		     "	colour TEXT NOT NULL CHECK (%s),\n"
		     "	verified TEXT NOT NULL CHECK (%s),\n"
		     "	temp_dc INTEGER,\n"
		     "	decision TEXT NOT NULL CHECK (%s),\n"
		     "	reasons TEXT NOT NULL CHECK (reasons NOT GLOB '*[^a-z,-]*'),\n"
		     "	door TEXT NOT NULL CHECK (%s),\n"
		     "	subject TEXT CHECK (subject IS NULL OR\n"
		     "		length(CAST(subject AS BLOB)) BETWEEN 1 AND 63),\n"
		     "	payload BLOB CHECK (payload IS NULL OR length(payload) BETWEEN 1 AND 65536),\n"
		     "	prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),\n"
		     "	hash BLOB NOT NULL CHECK (length(hash) = 32),\n"
		     "	detail TEXT CHECK (detail IS NULL OR\n"
		     "		(length(CAST(detail AS BLOB)) BETWEEN 2 AND " STR(SNT_DETAIL_MAX) "\n"
		     "		 AND json_valid(detail) AND json_type(detail) = 'object'))%s%s\n"
		     ") STRICT",
		     name, check[SNT_ENTRY_ENUM_CLOCK], check[SNT_ENTRY_ENUM_KIND], check[SNT_ENTRY_ENUM_FORMAT],
		     check[SNT_ENTRY_ENUM_COLOUR], check[SNT_ENTRY_ENUM_VERIFIED], check[SNT_ENTRY_ENUM_DECISION],
		     check[SNT_ENTRY_ENUM_DOOR],
		     payload_hash ? ",\n	payload_hash BLOB CHECK (payload_hash IS NULL OR\n"
				    "		(length(payload_hash) = 32 AND payload IS NULL))" : "",
		     birth_year ? ",\n	birth_year INTEGER CHECK (birth_year IS NULL OR\n"
				  "		birth_year BETWEEN " STR(SNT_ENTRY_BIRTH_YEAR_MIN) " AND "
				  STR(SNT_ENTRY_BIRTH_YEAR_MAX) ")" : "");
	return n < 0 || (size_t)n >= size ? SNT_STORE_ERR_NOMEM : SNT_STORE_OK;
}

/*
 * A migration step that rebuilds the entries table with entries_ddl(),
 * inside the caller's transaction, keeping every row and column as it is
 * (the chain hashes cover values, not the table; payload_hash only when the
 * table has it already, from schema 5 on): the indexes and triggers that name
 * entries (its own, and those of ack and purges) are saved, dropped, and
 * made again from their saved text once the new table has taken the name
 * (SQLite "Making Other Kinds Of Table Schema Changes", ALTER TABLE).
 */
static enum snt_store_err rebuild_entries(struct snt_store *st)
{
	/* One saved index or trigger: its text, and whether it must be dropped by name. */
	struct saved {
		char *sql;
		char *drop;
	} *saved = NULL;
	sqlite3_stmt *s = NULL;
	char ddl[2048];
	size_t n = 0, cap = 0;
	enum snt_store_err err;
	int64_t has_payload_hash, has_birth_year;
	int rc;

	err = store__query_int(st, "SELECT count(*) FROM pragma_table_info('entries') WHERE name = 'payload_hash'",
			       &has_payload_hash);
	if (!err)
		err = store__query_int(st, "SELECT count(*) FROM pragma_table_info('entries') WHERE name = 'birth_year'",
				       &has_birth_year);
	if (err)
		return err;

	err = store__prepare(st,
			     "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE type IN ('index', 'trigger')"
			     " AND sql IS NOT NULL AND (tbl_name = 'entries' OR sql LIKE '%entries%') ORDER BY rowid",
			     &s);
	if (err)
		return err;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(s, 0);
		const char *name = (const char *)sqlite3_column_text(s, 1);
		const char *tbl = (const char *)sqlite3_column_text(s, 2);
		const char *sql = (const char *)sqlite3_column_text(s, 3);

		if (n == cap) {
			size_t nc = cap ? 2 * cap : 16;
			struct saved *ns = realloc(saved, nc * sizeof(*ns));

			if (!ns)
				goto err_nomem;
			saved = ns;
			cap = nc;
		}
		if (!type || !name || !tbl || !sql)
			goto err_nomem;
		saved[n].sql = strdup(sql);
		saved[n].drop = NULL;
		/* entries' own indexes and triggers go with the table; the others' are dropped by name. */
		if (strcmp(tbl, "entries") && !strcmp(type, "trigger") &&
		    asprintf(&saved[n].drop, "DROP TRIGGER \"%s\"", name) < 0)
			saved[n].drop = NULL;
		n++;
		if (!saved[n - 1].sql || (strcmp(tbl, "entries") && !strcmp(type, "trigger") && !saved[n - 1].drop))
			goto err_nomem;
	}
	if (rc != SQLITE_DONE) {
		err = store__fail_sqlite(st, rc);
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	for (size_t i = 0; i < n && !err; i++)
		if (saved[i].drop)
			err = store__exec_sql(st, saved[i].drop);
	if (!err && entries_ddl("entries_new", has_payload_hash > 0, has_birth_year > 0, ddl, sizeof(ddl)))
		goto err_nomem;
	if (!err)
		err = store__exec_sql(st, ddl);
	if (!err && has_birth_year)
		err = store__exec_sql(st, "INSERT INTO entries_new (" ENTRY_COLS ") SELECT " ENTRY_COLS
				   " FROM entries ORDER BY seq");
	else if (!err && has_payload_hash)
		err = store__exec_sql(st, "INSERT INTO entries_new (" ENTRY_COLS_V7 ") SELECT " ENTRY_COLS_V7
				   " FROM entries ORDER BY seq");
	else if (!err)
		err = store__exec_sql(st, "INSERT INTO entries_new (" ENTRY_COLS_V4 ") SELECT " ENTRY_COLS_V4
				   " FROM entries ORDER BY seq");
	if (!err)
		err = store__exec_sql(st, "DROP TABLE entries");
	if (!err)
		err = store__exec_sql(st, "ALTER TABLE entries_new RENAME TO entries");
	for (size_t i = 0; i < n && !err; i++)
		err = store__exec_sql(st, saved[i].sql);
	goto out;

err_nomem:
	err = store__fail_msg(st, SNT_STORE_ERR_NOMEM, _("out of memory"));
out:
	sqlite3_finalize(s);
	for (size_t i = 0; i < n; i++) {
		free(saved[i].sql);
		free(saved[i].drop);
	}
	free(saved);
	return err;
}

static enum snt_store_err migrate(struct snt_store *st)
{
	enum snt_store_err err;
	char sql[64];

	for (;;) {
		int64_t version, objects;
		int rc;

		err = store__exec_sql(st, "BEGIN IMMEDIATE");
		if (err)
			return err;
		/* Read again under the write lock: another process may have migrated. */
		err = store__query_int(st, "PRAGMA user_version", &version);
		if (err)
			goto err_rollback;
		if (version < 0 || version > SNT_STORE_SCHEMA_VERSION) {
			err = store__fail_msg(st, SNT_STORE_ERR_SCHEMA, _("schema version is not known to this program"));
			goto err_rollback;
		}
		if (version == SNT_STORE_SCHEMA_VERSION)
			break;
		if (version == 0) {
			err = store__query_int(st, "SELECT count(*) FROM sqlite_schema", &objects);
			if (err)
				goto err_rollback;
			if (objects > 0) {
				err = store__fail_msg(st, SNT_STORE_ERR_SCHEMA,
					       _("not a sentinel log (tables without a schema version)"));
				goto err_rollback;
			}
		}
		if (migrations[version] == REBUILD_ENTRIES) {
			err = rebuild_entries(st);
			if (err == SNT_STORE_ERR_SQL)
				err = SNT_STORE_ERR_SCHEMA;
			if (err)
				goto err_rollback;
		} else {
			rc = sqlite3_exec(st->db, migrations[version], NULL, NULL, NULL);
			if (rc != SQLITE_OK) {
				err = store__fail_sqlite(st, rc);
				if (err == SNT_STORE_ERR_SQL)
					err = SNT_STORE_ERR_SCHEMA;
				goto err_rollback;
			}
		}
		/* i18n-exempt: SQL */
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld", (long long)version + 1);
		err = store__exec_sql(st, sql);
		if (err)
			goto err_rollback;
		err = store__exec_sql(st, "COMMIT");
		if (err)
			goto err_rollback;
	}
	return store__commit(st);

err_rollback:
	store__rollback(st);
	return err;
}

enum snt_store_err snt_store_open(const char *path, bool readonly, struct snt_store **out)
{
	struct snt_store *st;
	struct stat sb;
	enum snt_store_err err;
	int flags, rc;

	if (!path || !*path || !out)
		return SNT_STORE_ERR_INVAL;
	/* A FIFO or device in place of the log would block or mislead SQLite. */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
		return S_ISDIR(sb.st_mode) ? SNT_STORE_ERR_IO : SNT_STORE_ERR_OPEN;
	st = calloc(1, sizeof(*st));
	if (!st)
		return SNT_STORE_ERR_NOMEM;
	st->readonly = readonly;
	if (snprintf(st->head_path, sizeof(st->head_path), "%s.head", path) >= (int)sizeof(st->head_path)) {
		free(st);
		return SNT_STORE_ERR_INVAL;
	}
	flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_EXRESCODE, NULL);
	if (rc != SQLITE_OK) {
		err = st->db ? store__fail_sqlite(st, rc) : SNT_STORE_ERR_NOMEM;
		goto err_close;
	}
	/* SQLite falls back to read-only for a write-protected file. */
	if (!readonly && sqlite3_db_readonly(st->db, "main") == 1) {
		err = SNT_STORE_ERR_READONLY;
		goto err_close;
	}
	rc = sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	if (rc == SQLITE_OK)
		rc = sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	if (rc != SQLITE_OK) {
		err = store__fail_sqlite(st, rc);
		goto err_close;
	}
	err = check_identity(st, readonly);
	if (err)
		goto err_close;
	if (!readonly) {
		err = set_wal(st);
		if (err)
			goto err_close;
	}
	err = store__exec_sql(st, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON");
	if (err)
		goto err_close;
	if (!readonly) {
		err = migrate(st);
		if (err)
			goto err_close;
	}
	st->md = EVP_MD_CTX_new();
	if (!st->md) {
		err = store__fail_msg(st, SNT_STORE_ERR_NOMEM, _("out of memory"));
		goto err_close;
	}
	/* The chain head: the last entry, else the last purge's anchor. */
	err = store__prepare(st, "SELECT seq, hash FROM (SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1) "
			  "UNION ALL SELECT seq, hash FROM (SELECT last_seq AS seq, anchor_hash AS hash "
			  "FROM purges ORDER BY last_seq DESC LIMIT 1) ORDER BY seq DESC LIMIT 1",
		      &st->st_last);
	if (!err)
		err = store__prepare(st, "SELECT max(coalesce((SELECT max(seq) FROM entries), 0), "
				  "coalesce((SELECT max(last_seq) FROM purges), 0))", &st->st_max);
	if (!err)
		err = store__prepare(st, "INSERT INTO entries (" ENTRY_COLS ") VALUES "
				  "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
			      &st->st_insert);
	if (!err)
		err = store__prepare(st, "SELECT " ENTRY_COLS " FROM entries WHERE seq = ?1", &st->st_get);
	if (err)
		goto err_close;
	st->errmsg[0] = '\0';
	*out = st;
	return SNT_STORE_OK;

err_close:
	snt_store_close(st);
	return err;
}

void snt_store_close(struct snt_store *st)
{
	if (!st)
		return;
	sqlite3_finalize(st->st_last);
	sqlite3_finalize(st->st_max);
	sqlite3_finalize(st->st_insert);
	sqlite3_finalize(st->st_get);
	sqlite3_finalize(st->st_seal);
	sqlite3_close_v2(st->db);
	snt_fss_wipe(st->seal);
	free(st->seal);
	EVP_MD_CTX_free(st->md);
	free(st->payload_buf);
	free(st);
}

enum snt_store_err snt_store_get_info(struct snt_store *st, struct snt_store_info *out)
{
	enum snt_store_err err;
	int64_t v;

	if (!st || !out)
		return SNT_STORE_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	err = store__query_text(st, "PRAGMA journal_mode", out->journal_mode, sizeof(out->journal_mode));
	if (err)
		return err;
	err = store__query_int(st, "PRAGMA synchronous", &v);
	if (err)
		return err;
	out->synchronous = (int)v;
	err = store__query_int(st, "PRAGMA user_version", &v);
	if (err)
		return err;
	out->user_version = (int)v;
	err = store__query_int(st, "PRAGMA busy_timeout", &v);
	if (err)
		return err;
	out->busy_timeout_ms = (int)v;
	err = store__query_int(st, "PRAGMA foreign_keys", &v);
	if (err)
		return err;
	out->foreign_keys = v != 0;
	out->readonly = st->readonly || sqlite3_db_readonly(st->db, "main") == 1;
	return SNT_STORE_OK;
}
