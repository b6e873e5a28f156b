// SPDX-License-Identifier: MIT
/*
 * The bureau database in an SQLite 3.40 file (backend.h).
 *
 * Durability: journal_mode=WAL with synchronous=FULL.  NORMAL would be
 * faster only by one fsync per transaction, and there is one transaction per
 * bundle; but an acknowledgement sent after a commit lets the gate purge the
 * entries, so a commit lost to a power cut after NORMAL would lose entries
 * for good.  FULL it is.
 *
 * Layout (PRAGMA application_id 0x534e5442 "SNTB", user_version 10; a
 * file of version 1 to 9 is brought to 10 on open, in one transaction):
 *   devices   id, device (unique), pub_pem, kid (8 bytes), registered,
 *             last_contact (0 = never; set only by an accepted bundle
 *             that brings new entries: a replay does not move it),
 *             seal_key (version 3: the gate's first seal key, the text of
 *             its key file at epoch 0 (fss.h), NULL = none registered),
 *             home (version 4: the gate's [station] home; NULL = not known);
 *             version 5: revoked_utc_ms (0 = not revoked), revoked_reason;
 *             version 7: retention's cut, cut_seq (the first seq kept, 1 =
 *             nothing removed), cut_hash and cut_time_utc_ms (hash and gate
 *             time of cut_seq - 1; NULL and 0 while cut_seq is 1);
 *             and (version 5) the index entries_dev_time (a gate's day, the
 *             city report);
 *             version 10: what the merges and the retention keep up to
 *             date so that no merge counts a device's rows: n_entries and
 *             n_priority (rows held), ack_seq (the last seq held contiguous
 *             from the cut: cut_seq - 1 when cut_seq is not held); the
 *             upgrade counts them once
 *   entries   dev, then the gate log's entry columns (SNT_STORE_ROW_COLUMNS,
 *             store.h), written and read by the gate's own row code
 *             (snt_store_row_bind(), snt_store_row_decode()): enums as
 *             names, reasons comma-joined, temp_dc NULL = none, subject
 *             NULL = unknown, payload NULL = none, detail NULL = none,
 *             prev_hash, hash; then received_utc_ms, then (version 2)
 *             payload_hash: a signed certificate's payload arrives only as
 *             its SHA-256 (snt_code_format_keep()); entries a gate logged
 *             before its schema 5 carry the payload, which their chain hash
 *             covers, and are kept as they came.  PRIMARY KEY (dev, seq).
 *             Append-only (triggers refuse UPDATE and DELETE; a retention
 *             drops and remakes the DELETE trigger inside its transaction).
 *   priority  the same columns: copies from priority bundles; the regular
 *             stream must match them byte for byte.
 *   verdicts  dev, seq, colour, platform, received; once per (dev, seq).
 *   alerts    id, dev, seq, kind ('contradiction'), detail, created.
 *   bundles   journal of accepted bundles: dev, kind, first, last, count,
 *             created, received, new, duplicate, source (file name or
 *             "http").
 *   rule_sets (version 4) each home's current rule set: home (primary key), version,
 *             cose (the signed COSE_Sign1 bytes as sent to the gates),
 *             recorded.
 *   handovers (version 6) a device's key handovers (bureau_db_rekey()): dev,
 *             time, old_kid, old_pub_pem, new_kid, after_seq (the highest
 *             seq held then), by_whom, reason.
 *   retentions (version 7) journal of retentions: before (the month cut),
 *             time, entries and copies removed.
 *   personal  (version 8) the entries' sealed personal records (bundle.h
 *             "records"): dev, seq (PRIMARY KEY (dev, seq)), time_utc_ms
 *             (the entry's: the visit, which the retention counts from),
 *             received_utc_ms, sealed (the bytes as the gate sealed them:
 *             only the bureau's private key opens them).  Rows are never
 *             updated (a trigger refuses it); the retention deletes them
 *             (db_sqlite_personal.c).
 *   entries, priority (version 9) birth_year: the registered visitor's
 *             birth year where the gate kept one (an age rule), else NULL.
 *   personal_audit (version 8) append-only (triggers refuse UPDATE and
 *             DELETE): id, time_utc_ms, action ('open' or 'purge'); an
 *             opening's device, seq, staff, reason and outcome; a purge's
 *             cutoff_utc_ms and count.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sign/sign.h"
#include "tools/bureau/backend.h"
#include "tools/bureau/bureau.h"
#include "tools/bureau/db_sqlite_internal.h"
#include "common/i18n.h"

#define BUREAU_APPLICATION_ID "1397642306"	/* 0x534e5442, "SNTB" */
#define BUREAU_SCHEMA_VERSION 10
#ifndef BUREAU_PAGE_SIZE
#define BUREAU_PAGE_SIZE "65536"
#endif
#ifndef BUREAU_SQLITE_CACHE_KB
#define BUREAU_SQLITE_CACHE_KB "2048"	/* SQLite's page cache per connection, KiB */
#endif


#define ENTRY_TABLE(name) \
	"CREATE TABLE " name " (\n" \
	"	dev INTEGER NOT NULL REFERENCES devices(id),\n" \
	"	seq INTEGER NOT NULL CHECK (seq >= 1),\n" \
	"	boot_id TEXT NOT NULL,\n" \
	"	mono_ms INTEGER NOT NULL,\n" \
	"	time_utc_ms INTEGER NOT NULL,\n" \
	"	clock TEXT NOT NULL,\n" \
	"	kind TEXT NOT NULL,\n" \
	"	format TEXT NOT NULL,\n" \
	"	colour TEXT NOT NULL,\n" \
	"	verified TEXT NOT NULL,\n" \
	"	temp_dc INTEGER,\n" \
	"	decision TEXT NOT NULL,\n" \
	"	reasons TEXT NOT NULL,\n" \
	"	door TEXT NOT NULL,\n" \
	"	subject TEXT,\n" \
	"	payload BLOB,\n" \
	"	detail TEXT,\n" \
	"	prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),\n" \
	"	hash BLOB NOT NULL CHECK (length(hash) = 32),\n" \
	"	received_utc_ms INTEGER NOT NULL,\n" \
	"	PRIMARY KEY (dev, seq)\n" \
	") STRICT;\n" \
	"CREATE TRIGGER " name "_no_update BEFORE UPDATE ON " name "\n" \
	"BEGIN SELECT RAISE(ABORT, '" name " are append-only'); END;\n" \
	"CREATE TRIGGER " name "_no_delete BEFORE DELETE ON " name "\n" \
	"BEGIN SELECT RAISE(ABORT, '" name " are append-only'); END;\n"

static const char schema_v1[] =
	"PRAGMA application_id = " BUREAU_APPLICATION_ID ";\n"
	"CREATE TABLE devices (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	device TEXT NOT NULL UNIQUE,\n"
	"	pub_pem TEXT NOT NULL,\n"
	"	kid BLOB NOT NULL CHECK (length(kid) = 8),\n"
	"	registered_utc_ms INTEGER NOT NULL,\n"
	"	last_contact_utc_ms INTEGER NOT NULL DEFAULT 0\n"
	") STRICT;\n"
	ENTRY_TABLE("entries")
	ENTRY_TABLE("priority")
	"CREATE TABLE verdicts (\n"
	"	dev INTEGER NOT NULL REFERENCES devices(id),\n"
	"	seq INTEGER NOT NULL,\n"
	"	colour TEXT NOT NULL CHECK (colour IN ('green', 'yellow', 'red')),\n"
	"	platform TEXT NOT NULL,\n"
	"	received_utc_ms INTEGER NOT NULL,\n"
	"	PRIMARY KEY (dev, seq)\n"
	") STRICT;\n"
	"CREATE TABLE alerts (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	dev INTEGER NOT NULL REFERENCES devices(id),\n"
	"	seq INTEGER NOT NULL,\n"
	"	kind TEXT NOT NULL,\n"
	"	detail TEXT NOT NULL,\n"
	"	created_utc_ms INTEGER NOT NULL\n"
	") STRICT;\n"
	"CREATE TABLE bundles (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	dev INTEGER NOT NULL REFERENCES devices(id),\n"
	"	kind TEXT NOT NULL,\n"
	"	first_seq INTEGER NOT NULL,\n"
	"	last_seq INTEGER NOT NULL,\n"
	"	count INTEGER NOT NULL,\n"
	"	created_utc_ms INTEGER NOT NULL,\n"
	"	received_utc_ms INTEGER NOT NULL,\n"
	"	new INTEGER NOT NULL,\n"
	"	duplicate INTEGER NOT NULL,\n"
	"	source TEXT NOT NULL\n"
	") STRICT;\n"
	"PRAGMA user_version = 1;\n";

/* Version 1 -> 2: the payload's SHA-256 in place of a signed certificate's payload. */
#define PAYLOAD_HASH_COLUMN(name) \
	"ALTER TABLE " name " ADD COLUMN payload_hash BLOB CHECK (payload_hash IS NULL OR\n" \
	"	(length(payload_hash) = 32 AND payload IS NULL));\n"

static const char schema_v2[] =
	PAYLOAD_HASH_COLUMN("entries")
	PAYLOAD_HASH_COLUMN("priority")
	"PRAGMA user_version = 2;\n";

/* Version 2 -> 3: the gate's first seal key in its device record. */
static const char schema_v3[] =
	"ALTER TABLE devices ADD COLUMN seal_key TEXT CHECK (seal_key IS NULL OR length(seal_key) <= 512);\n"
	"PRAGMA user_version = 3;\n";

/* Version 3 -> 4: a gate's home, and each home's current rule set. */
static const char schema_v4[] =
	"ALTER TABLE devices ADD COLUMN home TEXT;\n"
	"CREATE TABLE rule_sets (\n"
	"	home TEXT PRIMARY KEY,\n"
	"	version INTEGER NOT NULL CHECK (version >= 1),\n"
	"	cose BLOB NOT NULL,\n"
	"	recorded_utc_ms INTEGER NOT NULL\n"
	") STRICT;\n"
	"PRAGMA user_version = 4;\n";

/* Version 4 -> 5: a device's revocation; a gate's day by index. */
static const char schema_v5[] =
	"ALTER TABLE devices ADD COLUMN revoked_utc_ms INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE devices ADD COLUMN revoked_reason TEXT;\n"
	"CREATE INDEX entries_dev_time ON entries (dev, time_utc_ms);\n"
	"PRAGMA user_version = 5;\n";

/* Version 5 -> 6: a device's key handovers (db_sqlite_life.c). */
static const char schema_v6[] =
	"CREATE TABLE handovers (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	dev INTEGER NOT NULL REFERENCES devices(id),\n"
	"	time_utc_ms INTEGER NOT NULL,\n"
	"	old_kid BLOB NOT NULL CHECK (length(old_kid) = 8),\n"
	"	old_pub_pem TEXT NOT NULL,\n"
	"	new_kid BLOB NOT NULL CHECK (length(new_kid) = 8),\n"
	"	after_seq INTEGER NOT NULL,\n"
	"	by_whom TEXT NOT NULL,\n"
	"	reason TEXT NOT NULL\n"
	") STRICT;\n"
	"CREATE INDEX handovers_dev ON handovers (dev, time_utc_ms);\n"
	"PRAGMA user_version = 6;\n";

/* Version 6 -> 7: retention's cut per device and its journal (db_sqlite_life.c). */
static const char schema_v7[] =
	"ALTER TABLE devices ADD COLUMN cut_seq INTEGER NOT NULL DEFAULT 1 CHECK (cut_seq >= 1);\n"
	"ALTER TABLE devices ADD COLUMN cut_hash BLOB CHECK (cut_hash IS NULL OR length(cut_hash) = 32);\n"
	"ALTER TABLE devices ADD COLUMN cut_time_utc_ms INTEGER NOT NULL DEFAULT 0;\n"
	"CREATE TABLE retentions (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	before_utc_ms INTEGER NOT NULL,\n"
	"	time_utc_ms INTEGER NOT NULL,\n"
	"	entries INTEGER NOT NULL,\n"
	"	copies INTEGER NOT NULL\n"
	") STRICT;\n"
	"PRAGMA user_version = 7;\n";

/* Version 7 -> 8: the entries' sealed personal records and the audit of their openings and purges. */
static const char schema_v8[] =
	"CREATE TABLE personal (\n"
	"	dev INTEGER NOT NULL REFERENCES devices(id),\n"
	"	seq INTEGER NOT NULL CHECK (seq >= 1),\n"
	"	time_utc_ms INTEGER NOT NULL,\n"
	"	received_utc_ms INTEGER NOT NULL,\n"
	"	sealed BLOB NOT NULL,\n"
	"	PRIMARY KEY (dev, seq)\n"
	") STRICT;\n"
	"CREATE INDEX personal_time ON personal (time_utc_ms);\n"
	"CREATE TRIGGER personal_no_update BEFORE UPDATE ON personal\n"
	"BEGIN SELECT RAISE(ABORT, 'personal records are never changed'); END;\n"
	"CREATE TABLE personal_audit (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	time_utc_ms INTEGER NOT NULL,\n"
	"	action TEXT NOT NULL CHECK (action IN ('open', 'purge')),\n"
	"	device TEXT,\n"
	"	seq INTEGER,\n"
	"	staff TEXT,\n"
	"	reason TEXT,\n"
	"	outcome TEXT NOT NULL,\n"
	"	cutoff_utc_ms INTEGER,\n"
	"	count INTEGER\n"
	") STRICT;\n"
	"CREATE TRIGGER personal_audit_no_update BEFORE UPDATE ON personal_audit\n"
	"BEGIN SELECT RAISE(ABORT, 'personal_audit is append-only'); END;\n"
	"CREATE TRIGGER personal_audit_no_delete BEFORE DELETE ON personal_audit\n"
	"BEGIN SELECT RAISE(ABORT, 'personal_audit is append-only'); END;\n"
	"PRAGMA user_version = 8;\n";

/* Version 8 -> 9: a registered visitor's birth year, kept by the gate only under an age rule. */
#define STR_(x) #x
#define STR(x) STR_(x)
#define BIRTH_YEAR_COLUMN(name) \
	"ALTER TABLE " name " ADD COLUMN birth_year INTEGER CHECK (birth_year IS NULL OR\n" \
	"	birth_year BETWEEN " STR(SNT_ENTRY_BIRTH_YEAR_MIN) " AND " STR(SNT_ENTRY_BIRTH_YEAR_MAX) ");\n"

static const char schema_v9[] =
	BIRTH_YEAR_COLUMN("entries")
	BIRTH_YEAR_COLUMN("priority")
	"PRAGMA user_version = 9;\n";

/*
 * Version 9 -> 10: the devices' counters (sqlite__counts_move()), counted
 * once here: ack_seq is the last seq of the run held from cut_seq (a seq
 * held whose next is not), cut_seq - 1 when cut_seq is not held.
 */
static const char schema_v10[] =
	"ALTER TABLE devices ADD COLUMN n_entries INTEGER NOT NULL DEFAULT 0 CHECK (n_entries >= 0);\n"
	"ALTER TABLE devices ADD COLUMN n_priority INTEGER NOT NULL DEFAULT 0 CHECK (n_priority >= 0);\n"
	"ALTER TABLE devices ADD COLUMN ack_seq INTEGER NOT NULL DEFAULT 0 CHECK (ack_seq >= 0);\n"
	"UPDATE devices SET n_entries = (SELECT count(*) FROM entries e WHERE e.dev = devices.id),\n"
	"	n_priority = (SELECT count(*) FROM priority p WHERE p.dev = devices.id);\n"
	"UPDATE devices SET ack_seq = CASE\n"
	"	WHEN NOT EXISTS (SELECT 1 FROM entries e WHERE e.dev = devices.id AND e.seq = devices.cut_seq)\n"
	"		THEN cut_seq - 1\n"
	"	WHEN n_entries = (SELECT max(seq) FROM entries e WHERE e.dev = devices.id) - cut_seq + 1\n"
	"		THEN (SELECT max(seq) FROM entries e WHERE e.dev = devices.id)\n"
	"	ELSE (SELECT min(e.seq) FROM entries e WHERE e.dev = devices.id AND e.seq >= devices.cut_seq AND\n"
	"		NOT EXISTS (SELECT 1 FROM entries f WHERE f.dev = e.dev AND f.seq = e.seq + 1)) END;\n"
	"PRAGMA user_version = 10;\n";


enum bureau_err sqlite__db_fail(struct sqlite_db *db, char *why, size_t n, const char *what)
{
	snprintf(why, n, _("bureau database: %s: %s"), what, sqlite3_errmsg(db->db));
	return BUREAU_ERR_DB;
}

enum bureau_err sqlite__exec(struct sqlite_db *db, const char *sql, char *why, size_t n)
{
	if (sqlite3_exec(db->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, sql);
	return BUREAU_OK;
}

void sqlite__rollback(struct sqlite_db *db)
{
	if (!sqlite3_get_autocommit(db->db))
		(void)sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
}

static int query_int(struct sqlite_db *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int prepare(struct sqlite_db *db, const char *sql, sqlite3_stmt **s)
{
	return sqlite3_prepare_v3(db->db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL) == SQLITE_OK ? 0 : -1;
}

static void sq_close(struct bureau_db *base_);

static enum bureau_err sq_open(const char *path, bool create, struct bureau_db **out, char *why, size_t n)
{
	struct sqlite_db *db;
	int64_t version = 0, appid = 0, tables = 0;
	enum bureau_err err;

	(void)create;	/* a missing file is main's to report; an empty one gets the schema */
	if (!path || !*path || !out)
		return BUREAU_ERR_INVAL;
	db = calloc(1, sizeof(*db));
	if (!db)
		return BUREAU_ERR_NOMEM;
	db->base.ops = &bureau_backend_sqlite;
	if (sqlite3_open_v2(path, &db->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		snprintf(why, n, _("cannot open %s: %s"), path, db->db ? sqlite3_errmsg(db->db) : _("out of memory"));
		err = BUREAU_ERR_DB;
		goto err_close;
	}
	sqlite3_busy_timeout(db->db, 5000);
	(void)sqlite3_db_config(db->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	if (query_int(db, "PRAGMA user_version", &version) || query_int(db, "PRAGMA application_id", &appid) ||
	    query_int(db, "SELECT count(*) FROM sqlite_schema", &tables)) {
		snprintf(why, n, _("cannot open %s: %s"), path, sqlite3_errmsg(db->db));
		err = BUREAU_ERR_DB;
		goto err_close;
	}
	if (tables > 0 && (appid != 1397642306 || version < 1 || version > BUREAU_SCHEMA_VERSION)) {
		snprintf(why, n, _("cannot open %s: not a sentinel-bureau database (or another version)"), path);
		err = BUREAU_ERR_DB;
		goto err_close;
	}
	/*
	 * Large pages for a new file (before WAL is set, when it can still
	 * change): a bundle's thousands of rows are written in far fewer WAL
	 * frames and system calls.  The page cache is bounded to
	 * BUREAU_SQLITE_CACHE_KB: SQLite fills it with every page an import
	 * writes, so a larger one grows the process with the data (what it
	 * does not hold the kernel's page cache still serves).
	 */
	if (tables == 0) {
		err = sqlite__exec(db, "PRAGMA page_size=" BUREAU_PAGE_SIZE, why, n);
		if (err)
			goto err_close;
	}
	err = sqlite__exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
		       "PRAGMA cache_size=-" BUREAU_SQLITE_CACHE_KB, why, n);
	if (err)
		goto err_close;
	if (tables == 0 || version < BUREAU_SCHEMA_VERSION) {
		err = sqlite__exec(db, "BEGIN IMMEDIATE", why, n);
		if (err)
			goto err_close;
		/* Read again under the write lock: another process may have done it. */
		if (query_int(db, "PRAGMA user_version", &version)) {
			err = sqlite__db_fail(db, why, n, "user_version");
			sqlite__rollback(db);
			goto err_close;
		}
		if (version == 0)
			err = sqlite__exec(db, schema_v1, why, n);
		if (!err && version < 2)
			err = sqlite__exec(db, schema_v2, why, n);
		if (!err && version < 3)
			err = sqlite__exec(db, schema_v3, why, n);
		if (!err && version < 4)
			err = sqlite__exec(db, schema_v4, why, n);
		if (!err && version < 5)
			err = sqlite__exec(db, schema_v5, why, n);
		if (!err && version < 6)
			err = sqlite__exec(db, schema_v6, why, n);
		if (!err && version < 7)
			err = sqlite__exec(db, schema_v7, why, n);
		if (!err && version < 8)
			err = sqlite__exec(db, schema_v8, why, n);
		if (!err && version < 9)
			err = sqlite__exec(db, schema_v9, why, n);
		if (!err && version < 10)
			err = sqlite__exec(db, schema_v10, why, n);
		if (!err)
			err = sqlite__exec(db, "COMMIT", why, n);
		if (err) {
			sqlite__rollback(db);
			goto err_close;
		}
	}
	if (prepare(db, "SELECT id FROM devices WHERE device = ?1", &db->st_dev) ||
	    prepare(db, "INSERT OR IGNORE INTO entries (dev, " SNT_STORE_ROW_COLUMNS ", received_utc_ms) VALUES "
			"(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
		    &db->st_ins[0]) ||
	    prepare(db, "INSERT OR IGNORE INTO priority (dev, " SNT_STORE_ROW_COLUMNS ", received_utc_ms) VALUES "
			"(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
		    &db->st_ins[1]) ||
	    prepare(db, "SELECT " SNT_STORE_ROW_COLUMNS " FROM entries WHERE dev = ?1 AND seq = ?2", &db->st_get[0]) ||
	    prepare(db, "SELECT " SNT_STORE_ROW_COLUMNS " FROM priority WHERE dev = ?1 AND seq = ?2", &db->st_get[1]) ||
	    prepare(db, "SELECT seq, hash FROM entries WHERE dev = ?1 AND seq > ?2 ORDER BY seq", &db->st_next)) {
		err = sqlite__db_fail(db, why, n, "prepare");
		goto err_close;
	}
	*out = &db->base;
	return BUREAU_OK;

err_close:
	sq_close(&db->base);
	return err;
}

static void sq_close(struct bureau_db *base_)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;

	if (!db)
		return;
	sqlite3_finalize(db->st_dev);
	for (int i = 0; i < 2; i++) {
		sqlite3_finalize(db->st_ins[i]);
		sqlite3_finalize(db->st_get[i]);
	}
	sqlite3_finalize(db->st_next);
	sqlite3_close(db->db);
	free(db);
}

/* Device row id; 0 when not registered, -1 on a database error. */
static int64_t device_id(struct sqlite_db *db, const char *device)
{
	int64_t id = 0;
	int rc;

	sqlite3_reset(db->st_dev);
	sqlite3_bind_text(db->st_dev, 1, device, -1, SQLITE_STATIC);
	rc = sqlite3_step(db->st_dev);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(db->st_dev, 0);
	else if (rc != SQLITE_DONE)
		id = -1;
	sqlite3_reset(db->st_dev);
	return id;
}

enum bureau_err sqlite__lookup(struct sqlite_db *db, const char *device, int64_t *id, char *why, size_t n)
{
	*id = device_id(db, device);
	if (*id < 0)
		return sqlite__db_fail(db, why, n, "device lookup");
	if (*id == 0) {
		snprintf(why, n, _("device %s is not registered"), device);
		return BUREAU_ERR_NOTFOUND;
	}
	return BUREAU_OK;
}

static enum bureau_err sq_register(struct bureau_db *base_, const char *device, const char *pub_pem,
				   const uint8_t kid[8], bool replace, int64_t now_ms, bool *changed,
				   char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;

	sqlite3_stmt *s = NULL;
	enum bureau_err err;
	int rc;

	*changed = false;
	err = sqlite__exec(db, "BEGIN IMMEDIATE", why, n);
	if (err)
		return err;
	if (sqlite3_prepare_v2(db->db, "SELECT kid FROM devices WHERE device = ?1", -1, &s, NULL) != SQLITE_OK)
		goto err_db;
	sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *held = sqlite3_column_blob(s, 0);
		bool same = sqlite3_column_bytes(s, 0) == 8 && held && memcmp(held, kid, 8) == 0;

		sqlite3_finalize(s);
		s = NULL;
		if (same || !replace) {
			sqlite__rollback(db);
			return bureau__held_other(same, device, _("key (kid differs)"), why, n);
		}
		if (sqlite3_prepare_v2(db->db, "UPDATE devices SET pub_pem = ?2, kid = ?3 WHERE device = ?1", -1,
				       &s, NULL) != SQLITE_OK)
			goto err_db;
	} else if (rc == SQLITE_DONE) {
		sqlite3_finalize(s);
		s = NULL;
		if (sqlite3_prepare_v2(db->db,
				       "INSERT INTO devices (device, pub_pem, kid, registered_utc_ms) "
				       "VALUES (?1, ?2, ?3, ?4)", -1, &s, NULL) != SQLITE_OK)
			goto err_db;
		sqlite3_bind_int64(s, 4, now_ms);
	} else {
		goto err_db;
	}
	sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, pub_pem, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, kid, 8, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto err_db;
	sqlite3_finalize(s);
	s = NULL;
	err = sqlite__exec(db, "COMMIT", why, n);
	if (err) {
		sqlite__rollback(db);
		return err;
	}
	*changed = true;
	return BUREAU_OK;

err_db:
	err = sqlite__db_fail(db, why, n, "register");
	sqlite3_finalize(s);
	sqlite__rollback(db);
	return err;
}

static enum bureau_err sq_set_seal_key(struct bureau_db *base_, const char *device, const char *text,
				       bool replace, bool *changed, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	sqlite3_stmt *s = NULL;
	enum bureau_err err;
	int rc;

	*changed = false;
	err = sqlite__exec(db, "BEGIN IMMEDIATE", why, n);
	if (err)
		return err;
	if (sqlite3_prepare_v2(db->db, "SELECT seal_key FROM devices WHERE device = ?1", -1, &s, NULL) != SQLITE_OK)
		goto err_db;
	sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(s);
		sqlite__rollback(db);
		snprintf(why, n, _("device %s is not registered"), device);
		return BUREAU_ERR_NOTFOUND;
	}
	if (rc != SQLITE_ROW)
		goto err_db;
	if (sqlite3_column_type(s, 0) == SQLITE_TEXT) {
		bool same = !strcmp((const char *)sqlite3_column_text(s, 0), text);

		if (same || !replace) {
			sqlite3_finalize(s);
			sqlite__rollback(db);
			return bureau__held_other(same, device, _("seal key"), why, n);
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(db->db, "UPDATE devices SET seal_key = ?2 WHERE device = ?1", -1, &s, NULL) !=
	    SQLITE_OK)
		goto err_db;
	sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto err_db;
	sqlite3_finalize(s);
	err = sqlite__exec(db, "COMMIT", why, n);
	if (err) {
		sqlite__rollback(db);
		return err;
	}
	*changed = true;
	return BUREAU_OK;

err_db:
	err = sqlite__db_fail(db, why, n, "seal key");
	sqlite3_finalize(s);
	sqlite__rollback(db);
	return err;
}

static enum bureau_err sq_seal_key(struct bureau_db *base_, const char *device, char *buf, size_t size,
				   char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	sqlite3_stmt *s = NULL;
	enum bureau_err err = BUREAU_OK;
	int rc;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(db->db, "SELECT seal_key FROM devices WHERE device = ?1", -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "seal key");
	sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(s, 0) == SQLITE_TEXT &&
		    snt_strlcpy(buf, (const char *)sqlite3_column_text(s, 0), size) >= size) {
			snprintf(why, n, _("device %s: registered seal key too long"), device);
			err = BUREAU_ERR_DB;
		}
	} else if (rc == SQLITE_DONE) {
		snprintf(why, n, _("device %s is not registered"), device);
		err = BUREAU_ERR_NOTFOUND;
	} else {
		err = sqlite__db_fail(db, why, n, "seal key");
	}
	sqlite3_finalize(s);
	return err;
}

static enum bureau_err sq_device_key(struct bureau_db *base_, const char *device, EVP_PKEY **key,
				     char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;

	sqlite3_stmt *s = NULL;
	enum bureau_err err = BUREAU_OK;
	enum snt_sign_err serr;
	int rc;

	if (sqlite3_prepare_v2(db->db, "SELECT pub_pem FROM devices WHERE device = ?1", -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "device key");
	sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		serr = snt_sign_key_public_from_pem((const char *)sqlite3_column_text(s, 0),
						    (size_t)sqlite3_column_bytes(s, 0), key);
		if (serr) {
			snprintf(why, n, _("device %s: registered key unusable: %s"), device,
				 snt_sign_strerror(serr));
			err = BUREAU_ERR_DB;
		}
	} else if (rc == SQLITE_DONE) {
		snprintf(why, n, _("device %s is not registered"), device);
		err = BUREAU_ERR_NOTFOUND;
	} else {
		err = sqlite__db_fail(db, why, n, "device key");
	}
	sqlite3_finalize(s);
	return err;
}

/*
 * Bind the row of @e (checked, with its @names) to an insert of the
 * device @dev: dev ?1, the entry columns from ?2, received_utc_ms after them.
 */
static int bind_entry(sqlite3_stmt *s, int64_t dev, const struct snt_entry *e, const struct snt_entry_names *names,
		      int64_t now_ms)
{
	int rc = sqlite3_bind_int64(s, 1, dev);

	if (rc == SQLITE_OK)
		rc = snt_store_row_bind(s, 2, e, names);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 2 + SNT_STORE_ROW_NCOLUMNS, now_ms);
	return rc;
}

/*
 * Read the entry columns of @s (SNT_STORE_ROW_COLUMNS from column 0) into
 * @e, as the gate's log reads them; the payload points into @s's memory
 * until the next step.
 */
int sqlite__read_entry(sqlite3_stmt *s, struct snt_entry *e)
{
	return snt_store_row_decode(s, e, NULL) == SNT_STORE_OK ? 0 : -1;
}

/*
 * Compare @e with the row held in table @t (0 entries, 1 priority):
 * 1 equal, 0 none held, -1 different, -2 database error.
 */
static int compare_held(struct sqlite_db *db, int t, int64_t dev, const struct snt_entry *e)
{
	sqlite3_stmt *s = db->st_get[t];
	struct snt_entry held;
	int rc, res;

	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_int64(s, 2, e->seq);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		res = 0;
	else if (rc != SQLITE_ROW)
		res = -2;
	else if (sqlite__read_entry(s, &held))
		res = -1;	/* an unreadable held row is no match either */
	else
		res = snt_entry_equal(&held, e) ? 1 : -1;
	sqlite3_reset(s);
	return res;
}

/*
 * A hash column held in entries for @seq (@col: 16 prev_hash, 17 hash, as
 * the gate's row) into @out: 1 found, 0 none, -1 error.
 */
static int held_hash_col(struct sqlite_db *db, int64_t dev, int64_t seq, int col, uint8_t out[SNT_HASH_LEN])
{
	sqlite3_stmt *s = db->st_get[0];
	int rc, res = 0;

	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_int64(s, 2, seq);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_bytes(s, col) == SNT_HASH_LEN) {
			memcpy(out, sqlite3_column_blob(s, col), SNT_HASH_LEN);
			res = 1;
		} else {
			res = -1;
		}
	} else if (rc != SQLITE_DONE) {
		res = -1;
	}
	sqlite3_reset(s);
	return res;
}

/* Hash held in entries for @seq: 1 found, 0 none, -1 error. */
int sqlite__held_hash(struct sqlite_db *db, int64_t dev, int64_t seq, uint8_t hash[SNT_HASH_LEN])
{
	return held_hash_col(db, dev, seq, 17, hash);
}

/* prev_hash held in entries for @seq: 1 found, 0 none, -1 error. */
static int held_prev(struct sqlite_db *db, int64_t dev, int64_t seq, uint8_t prev[SNT_HASH_LEN])
{
	return held_hash_col(db, dev, seq, 16, prev);
}

static int count_range(struct sqlite_db *db, const char *table, int64_t dev, int64_t a, int64_t b, int64_t *out)
{
	char sql[160];
	sqlite3_stmt *s;
	int rc;

	/* i18n-exempt: SQL */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE dev = ?1 AND seq BETWEEN ?2 AND ?3", table);
	if (sqlite3_prepare_v2(db->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_int64(s, 2, a);
	sqlite3_bind_int64(s, 3, b);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* The last seq held contiguous from @from + 1 (@from when that is missing). */
static int contiguous_end(struct sqlite_db *db, int64_t dev, int64_t from, int64_t *ack)
{
	sqlite3_stmt *s = db->st_next;
	int64_t cur = from;
	int rc;

	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_int64(s, 2, from);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(s, 0);

		if (seq != cur + 1)
			break;
		cur = seq;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	*ack = cur;
	return 0;
}

int sqlite__int_of(struct sqlite_db *db, const char *sql, int64_t a, int64_t b, int64_t *out)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, a);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, b);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* @dev's acknowledgement as the merges keep it (version 10's ack_seq): the last seq held contiguous from the cut. */
int sqlite__ack_seq_of(struct sqlite_db *db, int64_t dev, int64_t *ack)
{
	return sqlite__int_of(db, "SELECT max(ack_seq, cut_seq - 1) FROM devices WHERE id = ?1", dev, 0, ack);
}

/*
 * Move @dev's counters by @d_entries and @d_copies (negative after a
 * retention) and its ack_seq on past what is now held contiguous, read from
 * the ack held (or the cut, when that is higher) on, never from the first
 * entry: the count equal to max - cut + 1 means no gap (the common case);
 * else a walk from the ack, which stops at once at a gap that stays.  The
 * new ack in *@ack.  Inside the caller's transaction.
 */
int sqlite__counts_move(struct sqlite_db *db, int64_t dev, int64_t d_entries, int64_t d_copies, int64_t *ack)
{
	sqlite3_stmt *s;
	int64_t a = 0, cut = 1, cnt = 0, max = 0;
	int rc;

	if (sqlite3_prepare_v2(db->db, "SELECT max(ack_seq, cut_seq - 1), cut_seq, n_entries + ?2, "
			       "(SELECT coalesce(max(seq), 0) FROM entries WHERE dev = ?1) FROM devices WHERE id = ?1",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_int64(s, 2, d_entries);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		a = sqlite3_column_int64(s, 0);
		cut = sqlite3_column_int64(s, 1);
		cnt = sqlite3_column_int64(s, 2);
		max = sqlite3_column_int64(s, 3);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW || cut < 1 || cnt < 0)
		return -1;
	if (cnt > 0 && cnt == max - cut + 1)
		a = max;
	else if (contiguous_end(db, dev, a, &a))
		return -1;
	if (sqlite3_prepare_v2(db->db, "UPDATE devices SET n_entries = n_entries + ?2, n_priority = n_priority + ?3, "
			       "ack_seq = ?4 WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_int64(s, 2, d_entries);
	sqlite3_bind_int64(s, 3, d_copies);
	sqlite3_bind_int64(s, 4, a);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return -1;
	*ack = a;
	return 0;
}

static enum bureau_err db_touch(struct sqlite_db *db, const char *device, int64_t now_ms, char *why, size_t n);

/* BUREAU_ERR_REJECT naming the reason when device @dev is revoked. */
static enum bureau_err refuse_revoked(struct sqlite_db *db, int64_t dev, const char *device, char *why, size_t n)
{
	sqlite3_stmt *s;
	enum bureau_err err = BUREAU_OK;
	int rc;

	if (sqlite3_prepare_v2(db->db, "SELECT revoked_utc_ms, coalesce(revoked_reason, '') FROM devices WHERE id = ?1",
			       -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "revoked");
	sqlite3_bind_int64(s, 1, dev);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_int64(s, 0) != 0) {
		snprintf(why, n, _("device %s is revoked (%s): bundle refused"), device,
			 (const char *)sqlite3_column_text(s, 1));
		err = BUREAU_ERR_REJECT;
	} else if (rc != SQLITE_ROW) {
		err = sqlite__db_fail(db, why, n, "revoked");
	}
	sqlite3_finalize(s);
	return err;
}

/* BUREAU_ERR_REJECT unless what is held for @m's last + 1 links to its head. */
static enum bureau_err head_links(struct sqlite_db *db, int64_t dev, const struct bureau_manifest *m, char *why,
				  size_t n)
{
	uint8_t h[SNT_HASH_LEN];
	int r = held_prev(db, dev, m->last + 1, h);

	if (r < 0)
		return sqlite__db_fail(db, why, n, "merge");
	if (r == 1 && memcmp(h, m->head, SNT_HASH_LEN) != 0) {
		snprintf(why, n,
			 _("device %s seq %" PRId64 ": the entry held for seq %" PRId64
			 " does not link to this bundle's head (fork or forgery)"), m->device, m->last, m->last + 1);
		return BUREAU_ERR_REJECT;
	}
	return BUREAU_OK;
}

static enum bureau_err sq_merge(struct bureau_db *base_, const struct bureau_manifest *m0,
				const struct bureau_merge_src *src, const char *source, int64_t now_ms,
				struct bureau_merge_result *res, char *why, size_t n_why)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;

	static const uint8_t zero[SNT_HASH_LEN];
	int t = m0->priority ? 1 : 0;
	sqlite3_stmt *s = NULL;
	struct snt_entry_names names;
	struct bureau_manifest kept, *m = &kept;
	struct bureau_cut cut;
	uint8_t h[SNT_HASH_LEN];
	int64_t dev, prio_held = 0, bad = 0, lo = INT64_MAX;
	enum bureau_err err;
	int r;

	memset(res, 0, sizeof(*res));
	err = sqlite__exec(db, "BEGIN IMMEDIATE", why, n_why);
	if (err)
		return err;
	err = sqlite__lookup(db, m0->device, &dev, why, n_why);
	if (err)
		goto err_rollback;
	err = refuse_revoked(db, dev, m0->device, why, n_why);
	if (!err)
		err = sqlite__cut(base_, m0->device, &cut.seq, cut.hash, why, n_why);
	if (!err)
		err = bureau__cut_start(m0, &cut, &kept, why, n_why);
	if (err)
		goto err_rollback;
	if (!m->priority && !cut.none_kept) {
		/* The bundle's prev must link to what is held for first - 1. */
		if (m->first > 1) {
			r = sqlite__held_hash(db, dev, m->first - 1, h);
			if (r < 0)
				goto err_db;
			if (r == 1 && memcmp(h, m->prev, SNT_HASH_LEN) != 0) {
				snprintf(why, n_why,
					 _("device %s seq %" PRId64 ": prev does not link to the hash held for seq %"
					 PRId64 " (fork or forgery)"), m->device, m->first, m->first - 1);
				err = BUREAU_ERR_REJECT;
				goto err_rollback;
			}
		} else if (memcmp(m->prev, zero, SNT_HASH_LEN) != 0) {
			snprintf(why, n_why, _("device %s seq 1: prev is not 32 zero bytes"), m->device);
			err = BUREAU_ERR_REJECT;
			goto err_rollback;
		}
		/* ... and what is held for last + 1 must link to its head (after the cut's links when below it). */
		if (m->first == m0->first) {
			err = head_links(db, dev, m, why, n_why);
			if (err)
				goto err_rollback;
		}
		if (count_range(db, "priority", dev, m->first, m->last, &prio_held))
			goto err_db;
	}
	for (;;) {
		const struct snt_entry *e = NULL;
		const struct bureau_record *rec = NULL;
		size_t n = 0, nr = 0;

		err = src->next(src->ctx, &e, &n, &rec, &nr, why, n_why);
		if (err)
			goto err_rollback;
		if (n == 0)
			break;
		err = bureau__cut_batch(m, &cut, &e, &n, &rec, &nr, why, n_why);
		if (err)
			goto err_rollback;
		s = db->st_ins[t];
		for (size_t i = 0; i < n; i++) {
			lo = e[i].seq < lo ? e[i].seq : lo;
			if (snt_entry_check(&e[i], &names)) {
				snprintf(why, n_why, _("device %s seq %" PRId64 ": a field out of range"), m->device,
					 e[i].seq);
				err = BUREAU_ERR_REJECT;
				goto err_rollback;
			}
			if (m->priority) {
				/* A copy must equal the regular entry when that is held. */
				r = compare_held(db, 0, dev, &e[i]);
				if (r == -2)
					goto err_db;
				if (r == -1) {
					bad = e[i].seq;
					goto err_differs;
				}
			}
			sqlite3_reset(s);
			if (bind_entry(s, dev, &e[i], &names, now_ms) != SQLITE_OK || sqlite3_step(s) != SQLITE_DONE)
				goto err_db;
			if (sqlite3_changes(db->db) == 1) {
				res->new_entries++;
				if (prio_held > 0) {
					r = compare_held(db, 1, dev, &e[i]);
					if (r == -2)
						goto err_db;
					if (r == -1) {
						bad = e[i].seq;
						goto err_differs;
					}
				}
			} else {
				r = compare_held(db, t, dev, &e[i]);
				if (r == -2)
					goto err_db;
				if (r != 1) {
					bad = e[i].seq;
					goto err_differs;
				}
				res->duplicates++;
			}
		}
		sqlite3_reset(s);
		s = NULL;
		/* The sealed personal records after their entries, in the same transaction. */
		err = sqlite__records_insert(db, dev, rec, nr, now_ms, &res->records, why, n_why);
		if (err)
			goto err_rollback;
	}
	if (!m->priority && !cut.none_kept && m->first != m0->first) {
		err = head_links(db, dev, m, why, n_why);
		if (err)
			goto err_rollback;
	}
	if (sqlite__counts_move(db, dev, t ? 0 : res->new_entries, t ? res->new_entries : 0, &res->ack_seq))
		goto err_db;
	if (lo == INT64_MAX) {
		/* Nothing kept (all below the retention cut): nothing recorded, the acknowledgement as it is. */
		res->duplicates = cut.below;
		err = sqlite__exec(db, "COMMIT", why, n_why);
		if (err)
			goto err_rollback;
		return BUREAU_OK;
	}
	if (sqlite3_prepare_v2(db->db,
			       "INSERT INTO bundles (dev, kind, first_seq, last_seq, count, created_utc_ms, "
			       "received_utc_ms, new, duplicate, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
			       -1, &s, NULL) != SQLITE_OK)
		goto err_db;
	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_text(s, 2, m->priority ? "priority" : "regular", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, lo);
	sqlite3_bind_int64(s, 4, m->last);
	sqlite3_bind_int64(s, 5, res->new_entries + res->duplicates);
	sqlite3_bind_int64(s, 6, m->created_utc_ms);
	sqlite3_bind_int64(s, 7, now_ms);
	sqlite3_bind_int64(s, 8, res->new_entries);
	sqlite3_bind_int64(s, 9, res->duplicates);
	sqlite3_bind_text(s, 10, source ? source : "", -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto err_db;
	sqlite3_finalize(s);
	s = NULL;
	/* A replay (nothing new) is no sign of life: only new entries are a contact. */
	err = res->new_entries > 0 ? db_touch(db, m->device, now_ms, why, n_why) : BUREAU_OK;
	if (err)
		goto err_rollback;
	err = sqlite__exec(db, "COMMIT", why, n_why);
	if (err)
		goto err_rollback;
	res->duplicates += cut.below;
	return BUREAU_OK;

err_differs:
	sqlite3_reset(db->st_ins[t]);
	snprintf(why, n_why,
		 _("device %s seq %" PRId64 ": differs from the entry held (forgery or fork); bundle refused"),
		 m->device, bad);
	memset(res, 0, sizeof(*res));
	sqlite__rollback(db);
	return BUREAU_ERR_REJECT;
err_db:
	err = sqlite__db_fail(db, why, n_why, "merge");
err_rollback:
	if (s && s != db->st_ins[t])
		sqlite3_finalize(s);
	else if (s)
		sqlite3_reset(s);
	memset(res, 0, sizeof(*res));
	sqlite__rollback(db);
	return err;
}

/*
 * Record a contact with @device at @now_ms: called by the merge only, inside
 * its transaction.  Only an accepted bundle with new entries is a contact (a
 * replayed bundle, though validly signed, is not); an unauthenticated
 * request (GET /v1/time names any device) must not move the date.
 */
static enum bureau_err db_touch(struct sqlite_db *db, const char *device, int64_t now_ms, char *why, size_t n)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db->db,
			       "UPDATE devices SET last_contact_utc_ms = max(last_contact_utc_ms, ?2) WHERE device = ?1",
			       -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "contact");
	sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now_ms);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sqlite__db_fail(db, why, n, "contact");
	return BUREAU_OK;
}

/* The gate's time of entry @seq of @dev. */
const struct bureau_backend bureau_backend_sqlite = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.reg = sq_register,
	.device_key = sq_device_key,
	.merge = sq_merge,
	.device_info = sqlite__device_info,
	.device_state = sqlite__device_state,
	.devices = sqlite__devices,
	.gaps = sqlite__gaps,
	.entries_new = sqlite__entries_new,
	.entries_next = sqlite__entries_next,
	.entries_free = sqlite__entries_free,
	.pending_verifications = sqlite__pending_verifications,
	.payload = sqlite__payload,
	.verdict_add = sqlite__verdict_add,
	.verdicts = sqlite__verdicts,
	.alerts = sqlite__alerts,
	.set_seal_key = sq_set_seal_key,
	.seal_key = sq_seal_key,
	.verdicts_all = sqlite__verdicts_all,
	.device_row = sqlite__device_row,
	.revoke = sqlite__revoke,
	.set_home = sqlite__set_home,
	.city_day = sqlite__city_day,
	.rules_put = sqlite__rules_put,
	.rules_for = sqlite__rules_for,
	.rules_home = sqlite__rules_home,
	.rekey = sqlite__rekey,
	.handovers = sqlite__handovers,
	.handover_copy = sqlite__handover_copy,
	.retention = sqlite__retention,
	.cut = sqlite__cut,
	.cut_copy = sqlite__cut_copy,
	.records_put = sqlite__records_put,
	.record_get = sqlite__record_get,
	.records_purge = sqlite__records_purge,
	.audit_add = sqlite__audit_add,
	.audit = sqlite__audit,
};

