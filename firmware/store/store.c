// SPDX-License-Identifier: MIT
/*
 * store: the gate's durable, hash-chained log of entries in SQLite.
 *
 * Durability (domain lesson 8): journal_mode=WAL, synchronous=FULL, so a
 * COMMIT returns only after the WAL is fsync'd ("PRAGMA synchronous",
 * https://sqlite.org/pragma.html#pragma_synchronous).  Busy timeout 5000 ms,
 * foreign keys on, SQLITE_DBCONFIG_DEFENSIVE on (no writable_schema tricks
 * around the append-only triggers).  The writer keeps the -wal and -shm
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
 * The chain hash is SHA-256 over the entry module's canonical form
 * (snt_entry_hash_input(), "sentinel-entry-v2" since schema 3; its name is
 * kept in meta('hash_form')), computed from the values as stored.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "store/store.h"

#define SNT_APPLICATION_ID 1397642316	/* 0x534e544c, "SNTL" */
#define STR_(x) #x
#define STR(x) STR_(x)
#define SNT_HASH_FORM SNT_ENTRY_HASH_FORM
#define BUSY_TIMEOUT_MS 5000
#define NAME_LEN 32			/* longest stored enum name + NUL, with room */
#define UTC_MS_MAX_SQL 253402300799999	/* 9999-12-31T23:59:59.999Z, the rebase bound */
#define UTC_MS_MAX ((int64_t)UTC_MS_MAX_SQL)
#define SNT_DETAIL_MAX 1023		/* SNT_DETAIL_LEN - 1, for the schema text */
_Static_assert(SNT_DETAIL_MAX == SNT_DETAIL_LEN - 1, "detail bound");

enum col {
	COL_SEQ = 0,
	COL_BOOT_ID,
	COL_MONO_MS,
	COL_TIME_UTC_MS,
	COL_CLOCK,
	COL_KIND,
	COL_FORMAT,
	COL_COLOUR,
	COL_VERIFIED,
	COL_TEMP_DC,
	COL_DECISION,
	COL_REASONS,
	COL_DOOR,
	COL_SUBJECT,
	COL_PAYLOAD,
	COL_DETAIL,
	COL_PREV_HASH,
	COL_HASH,
};

#define ENTRY_COLS "seq, boot_id, mono_ms, time_utc_ms, clock, kind, format, colour, " \
		   "verified, temp_dc, decision, reasons, door, subject, payload, detail, prev_hash, hash"

static const char *const col_names[] = {
	"seq", "boot_id", "mono_ms", "time_utc_ms", "clock", "kind", "format", "colour",
	"verified", "temp_dc", "decision", "reasons", "door", "subject", "payload",
	"detail", "prev_hash", "hash",
};

/*
 * migrations[i] brings user_version i to i + 1.  Never edit a released step;
 * add a new one (SQLite cannot alter a CHECK: a new enum name means a step
 * that rebuilds the table).
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
	"UPDATE meta SET value = '" SNT_HASH_FORM "' WHERE key = 'hash_form';\n"
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
};

_Static_assert(SNT_ARRAY_SIZE(migrations) == SNT_STORE_SCHEMA_VERSION,
	       "one migration step per schema version");

struct snt_store {
	sqlite3 *db;
	bool readonly;
	EVP_MD_CTX *md;			/* SHA-256 context, reused by every hash */
	sqlite3_stmt *st_last;		/* seq, hash of the chain head (last entry or anchor) */
	sqlite3_stmt *st_max;		/* highest seq assigned, 0 when none */
	sqlite3_stmt *st_insert;
	sqlite3_stmt *st_get;
	uint8_t *payload_buf;		/* snt_store_get()'s payload copy */
	size_t payload_cap;
	char errmsg[256];
	/* snt_store_rebase_entry()'s last lookup */
	char rebase_boot[SNT_BOOT_ID_LEN];
	bool rebase_found;
	int64_t rebase_utc_at_boot_ms;
};

struct snt_store_iter {
	struct snt_store *st;
	sqlite3_stmt *stmt;
	bool done;
};

static enum snt_store_err map_rc(int rc)
{
	if (rc == SQLITE_IOERR_NOMEM)
		return SNT_STORE_ERR_NOMEM;
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return SNT_STORE_OK;
	case SQLITE_FULL:
		return SNT_STORE_ERR_FULL;
	case SQLITE_READONLY:
		return SNT_STORE_ERR_READONLY;
	case SQLITE_IOERR:
		return SNT_STORE_ERR_IO;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return SNT_STORE_ERR_CORRUPT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return SNT_STORE_ERR_BUSY;
	case SQLITE_CANTOPEN:
		return SNT_STORE_ERR_OPEN;
	case SQLITE_NOMEM:
		return SNT_STORE_ERR_NOMEM;
	default:
		return SNT_STORE_ERR_SQL;
	}
}

/* Record SQLite's message for @rc and return the mapped error. */
static enum snt_store_err fail_sqlite(struct snt_store *st, int rc)
{
	snt_strlcpy(st->errmsg, sqlite3_errmsg(st->db), sizeof(st->errmsg));
	return map_rc(rc);
}

static enum snt_store_err fail_msg(struct snt_store *st, enum snt_store_err err, const char *msg)
{
	snt_strlcpy(st->errmsg, msg, sizeof(st->errmsg));
	return err;
}

static enum snt_store_err fail_column(struct snt_store *st, int64_t seq, enum col c)
{
	snprintf(st->errmsg, sizeof(st->errmsg), "entry %lld: stored %s is not valid",
		 (long long)seq, col_names[c]);
	return SNT_STORE_ERR_CORRUPT;
}

static enum snt_store_err exec_sql(struct snt_store *st, const char *sql)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? SNT_STORE_OK : fail_sqlite(st, rc);
}

/* Roll back an open transaction, keeping the first failure's message. */
static void rollback(struct snt_store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Run a one-row, one-column query returning an integer. */
static enum snt_store_err query_int(struct snt_store *st, const char *sql, int64_t *v)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fail_sqlite(st, rc);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		err = rc == SQLITE_DONE ? fail_msg(st, SNT_STORE_ERR_SQL, "query returned no row")
					: fail_sqlite(st, rc);
		goto err_finalize;
	}
	*v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return SNT_STORE_OK;

err_finalize:
	sqlite3_finalize(s);
	return err;
}

/* Run a one-row, one-column query returning text, into @buf. */
static enum snt_store_err query_text(struct snt_store *st, const char *sql, char *buf, size_t size)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	const unsigned char *t;
	int rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fail_sqlite(st, rc);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		err = rc == SQLITE_DONE ? fail_msg(st, SNT_STORE_ERR_SQL, "query returned no row")
					: fail_sqlite(st, rc);
		goto err_finalize;
	}
	t = sqlite3_column_text(s, 0);
	snt_strlcpy(buf, t ? (const char *)t : "", size);
	sqlite3_finalize(s);
	return SNT_STORE_OK;

err_finalize:
	sqlite3_finalize(s);
	return err;
}

/* A NUL-terminated, valid UTF-8 string within @size bytes. */
static bool field_str_ok(const char *s, size_t size)
{
	const char *nul = memchr(s, '\0', size);

	return nul && snt_entry_utf8_valid((const unsigned char *)s, (size_t)(nul - s));
}

/* A detail record: "" (none) or one JSON object (RFC 8259), no duplicate names. */
static bool detail_ok(const char *d)
{
	json_error_t jerr;
	json_t *j;
	bool ok;

	if (!d[0])
		return true;
	if (d[0] != '{')
		return false;
	j = json_loads(d, JSON_REJECT_DUPLICATES, &jerr);
	ok = j && json_is_object(j);
	json_decref(j);
	return ok;
}

/*
 * Check every field of @e that is hashed and stored, and fill @t with the
 * names.  Return SNT_STORE_OK or SNT_STORE_ERR_INVAL.
 */
static enum snt_store_err entry_prepare(const struct snt_entry *e, struct snt_entry_names *t)
{
	if (snt_entry_check(e, t) || !detail_ok(e->detail))
		return SNT_STORE_ERR_INVAL;
	return SNT_STORE_OK;
}

/* Incremental SHA-256 over the canonical form; @ok drops to false on failure. */
struct hasher {
	EVP_MD_CTX *ctx;
	bool ok;
};

static void h_bytes(void *ctx, const void *p, size_t n)
{
	struct hasher *h = ctx;

	if (h->ok && n > 0 && EVP_DigestUpdate(h->ctx, p, n) != 1)
		h->ok = false;
}

/*
 * SHA-256(prev_hash || canonical form), see the top of this file, with the
 * digest context @ctx (reset here; reused across entries).
 */
static enum snt_store_err hash_entry(EVP_MD_CTX *ctx, const struct snt_entry *e,
				     const struct snt_entry_names *t, uint8_t out[SNT_HASH_LEN])
{
	struct hasher h = { .ctx = ctx, .ok = true };
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	if (EVP_DigestInit_ex(h.ctx, EVP_sha256(), NULL) != 1)
		h.ok = false;
	if (h.ok)
		snt_entry_hash_input(e, t, h_bytes, &h);
	if (h.ok && (EVP_DigestFinal_ex(h.ctx, md, &md_len) != 1 || md_len != SNT_HASH_LEN))
		h.ok = false;
	if (!h.ok)
		return SNT_STORE_ERR_NOMEM;
	memcpy(out, md, SNT_HASH_LEN);
	return SNT_STORE_OK;
}

/* Integer column, which must be stored as an integer (or NULL if @nullable). */
static bool col_int(sqlite3_stmt *s, enum col c, bool nullable, bool *present, int64_t *v)
{
	int type = sqlite3_column_type(s, c);

	if (type == SQLITE_NULL && nullable) {
		*present = false;
		*v = 0;
		return true;
	}
	if (type != SQLITE_INTEGER)
		return false;
	*present = true;
	*v = sqlite3_column_int64(s, c);
	return true;
}

/*
 * Text column into @buf of @size bytes: fits with its NUL, no NUL inside,
 * valid UTF-8.  NULL gives "" when @nullable; a stored "" is then invalid.
 */
static bool col_text(sqlite3_stmt *s, enum col c, bool nullable, char *buf, size_t size)
{
	int type = sqlite3_column_type(s, c);
	const unsigned char *t;
	int n;

	if (type == SQLITE_NULL && nullable) {
		buf[0] = '\0';
		return true;
	}
	if (type != SQLITE_TEXT)
		return false;
	t = sqlite3_column_text(s, c);
	n = sqlite3_column_bytes(s, c);
	if (!t || n < 0 || (size_t)n >= size || strlen((const char *)t) != (size_t)n)
		return false;
	if (nullable && n == 0)
		return false;
	if (!snt_entry_utf8_valid(t, (size_t)n))
		return false;
	memcpy(buf, t, (size_t)n + 1);
	return true;
}

static bool col_hash(sqlite3_stmt *s, enum col c, uint8_t out[SNT_HASH_LEN])
{
	const void *p;

	if (sqlite3_column_type(s, c) != SQLITE_BLOB)
		return false;
	p = sqlite3_column_blob(s, c);
	if (!p || sqlite3_column_bytes(s, c) != SNT_HASH_LEN)
		return false;
	memcpy(out, p, SNT_HASH_LEN);
	return true;
}

/*
 * Decode the current row of @s (columns ENTRY_COLS) into @out.  The payload
 * is copied into the store's buffer when @copy, else points into @s.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_CORRUPT with *@bad the first column
 * whose stored value is not valid and *@seq the row's seq (0 if the seq
 * itself is not valid); SNT_STORE_ERR_NOMEM.  No message is recorded.
 */
static enum snt_store_err decode_cols(struct snt_store *st, sqlite3_stmt *s, bool copy,
				      struct snt_entry *out, enum col *bad, int64_t *seq)
{
	struct snt_entry e;
	char name[NAME_LEN];
	char reasons[SNT_REASONS_TEXT_LEN];
	bool present;
	int64_t v;

	memset(&e, 0, sizeof(e));
	*seq = 0;
	*bad = COL_SEQ;
	if (!col_int(s, COL_SEQ, false, &present, &e.seq) || e.seq < 1)
		return SNT_STORE_ERR_CORRUPT;
	*seq = e.seq;
	*bad = COL_BOOT_ID;
	if (!col_text(s, COL_BOOT_ID, false, e.boot_id, sizeof(e.boot_id)))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_MONO_MS;
	if (!col_int(s, COL_MONO_MS, false, &present, &e.mono_ms))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_TIME_UTC_MS;
	if (!col_int(s, COL_TIME_UTC_MS, false, &present, &e.time_utc_ms))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_CLOCK;
	if (!col_text(s, COL_CLOCK, false, name, sizeof(name)) ||
	    snt_clock_state_from_name(name, &e.clock))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_KIND;
	if (!col_text(s, COL_KIND, false, name, sizeof(name)) ||
	    snt_person_kind_from_name(name, &e.kind))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_FORMAT;
	if (!col_text(s, COL_FORMAT, false, name, sizeof(name)) ||
	    snt_code_format_from_name(name, &e.format))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_COLOUR;
	if (!col_text(s, COL_COLOUR, false, name, sizeof(name)) ||
	    snt_colour_from_name(name, &e.colour))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_VERIFIED;
	if (!col_text(s, COL_VERIFIED, false, name, sizeof(name)) ||
	    snt_verified_from_name(name, &e.verified))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_TEMP_DC;
	if (!col_int(s, COL_TEMP_DC, true, &e.has_temp, &v) || v < INT_MIN || v > INT_MAX)
		return SNT_STORE_ERR_CORRUPT;
	e.temp_dc = (int)v;
	*bad = COL_DECISION;
	if (!col_text(s, COL_DECISION, false, name, sizeof(name)) ||
	    snt_decision_from_name(name, &e.decision))
		return SNT_STORE_ERR_CORRUPT;
	/* Reasons must parse and be in canonical order, or the hash is moot. */
	*bad = COL_REASONS;
	if (!col_text(s, COL_REASONS, false, reasons, sizeof(reasons)))
		return SNT_STORE_ERR_CORRUPT;
	if (reasons[0]) {
		char check[SNT_REASONS_TEXT_LEN];

		if (snt_reasons_parse(reasons, &e.reasons) || e.reasons == 0 ||
		    snt_reasons_format(e.reasons, ",", check, sizeof(check)) < 0 ||
		    strcmp(check, reasons))
			return SNT_STORE_ERR_CORRUPT;
	}
	*bad = COL_DOOR;
	if (!col_text(s, COL_DOOR, false, name, sizeof(name)) || snt_door_from_name(name, &e.door))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_SUBJECT;
	if (!col_text(s, COL_SUBJECT, true, e.subject, sizeof(e.subject)))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_PAYLOAD;
	switch (sqlite3_column_type(s, COL_PAYLOAD)) {
	case SQLITE_NULL:
		break;
	case SQLITE_BLOB: {
		const void *p = sqlite3_column_blob(s, COL_PAYLOAD);
		int n = sqlite3_column_bytes(s, COL_PAYLOAD);

		if (!p || n <= 0 || n > SNT_ENTRY_MAX_PAYLOAD)
			return SNT_STORE_ERR_CORRUPT;
		e.payload_len = (size_t)n;
		if (!copy) {
			e.payload = p;
			break;
		}
		if (st->payload_cap < e.payload_len) {
			uint8_t *nb = realloc(st->payload_buf, e.payload_len);

			if (!nb)
				return SNT_STORE_ERR_NOMEM;
			st->payload_buf = nb;
			st->payload_cap = e.payload_len;
		}
		memcpy(st->payload_buf, p, e.payload_len);
		e.payload = st->payload_buf;
		break;
	}
	default:
		return SNT_STORE_ERR_CORRUPT;
	}
	/*
	 * The schema's CHECK made it a JSON object; reading stays cheap (the
	 * full parse is snt_store_verify()'s, through entry_prepare()).
	 */
	*bad = COL_DETAIL;
	if (!col_text(s, COL_DETAIL, true, e.detail, sizeof(e.detail)) ||
	    (e.detail[0] && (e.detail[0] != '{' || e.detail[strlen(e.detail) - 1] != '}')))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_PREV_HASH;
	if (!col_hash(s, COL_PREV_HASH, e.prev_hash))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_HASH;
	if (!col_hash(s, COL_HASH, e.hash))
		return SNT_STORE_ERR_CORRUPT;
	*out = e;
	return SNT_STORE_OK;
}

/* decode_cols(), recording the failure's message on @st. */
static enum snt_store_err decode_row(struct snt_store *st, sqlite3_stmt *s, bool copy,
				     struct snt_entry *out)
{
	enum snt_store_err err;
	int64_t seq;
	enum col bad;

	err = decode_cols(st, s, copy, out, &bad, &seq);
	if (err == SNT_STORE_ERR_CORRUPT)
		return fail_column(st, seq, bad);
	if (err)
		return fail_msg(st, err, "out of memory");
	return SNT_STORE_OK;
}

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

	err = query_int(st, "PRAGMA user_version", &version);
	if (err)
		return err;
	err = query_int(st, "PRAGMA application_id", &app_id);
	if (err)
		return err;
	if (app_id != 0 && app_id != SNT_APPLICATION_ID)
		return fail_msg(st, SNT_STORE_ERR_SCHEMA, "not a sentinel log (application_id)");
	if (version < 0 || version > SNT_STORE_SCHEMA_VERSION) {
		snprintf(msg, sizeof(msg), "schema version %lld is not known to this program (%d)",
			 (long long)version, SNT_STORE_SCHEMA_VERSION);
		return fail_msg(st, SNT_STORE_ERR_SCHEMA, msg);
	}
	if (version > 0 && app_id != SNT_APPLICATION_ID)
		return fail_msg(st, SNT_STORE_ERR_SCHEMA, "not a sentinel log (application_id)");
	if (readonly && version < SNT_STORE_SCHEMA_VERSION) {
		snprintf(msg, sizeof(msg), "schema version %lld, this program needs %d",
			 (long long)version, SNT_STORE_SCHEMA_VERSION);
		return fail_msg(st, SNT_STORE_ERR_SCHEMA, msg);
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

	err = query_text(st, "PRAGMA journal_mode=WAL", mode, sizeof(mode));
	if (err)
		return err;
	if (strcmp(mode, "wal"))
		return fail_msg(st, SNT_STORE_ERR_SQL, "journal_mode=WAL refused");
	rc = sqlite3_file_control(st->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
	if (rc != SQLITE_OK)
		return fail_sqlite(st, rc);
	return SNT_STORE_OK;
}

/* Apply every step from the file's version on, one transaction each. */
static enum snt_store_err migrate(struct snt_store *st)
{
	enum snt_store_err err;
	char sql[64];

	for (;;) {
		int64_t version, objects;
		int rc;

		err = exec_sql(st, "BEGIN IMMEDIATE");
		if (err)
			return err;
		/* Read again under the write lock: another process may have migrated. */
		err = query_int(st, "PRAGMA user_version", &version);
		if (err)
			goto err_rollback;
		if (version < 0 || version > SNT_STORE_SCHEMA_VERSION) {
			err = fail_msg(st, SNT_STORE_ERR_SCHEMA, "schema version is not known to this program");
			goto err_rollback;
		}
		if (version == SNT_STORE_SCHEMA_VERSION)
			break;
		if (version == 0) {
			err = query_int(st, "SELECT count(*) FROM sqlite_schema", &objects);
			if (err)
				goto err_rollback;
			if (objects > 0) {
				err = fail_msg(st, SNT_STORE_ERR_SCHEMA,
					       "not a sentinel log (tables without a schema version)");
				goto err_rollback;
			}
		}
		rc = sqlite3_exec(st->db, migrations[version], NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			err = fail_sqlite(st, rc);
			if (err == SNT_STORE_ERR_SQL)
				err = SNT_STORE_ERR_SCHEMA;
			goto err_rollback;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld", (long long)version + 1);
		err = exec_sql(st, sql);
		if (err)
			goto err_rollback;
		err = exec_sql(st, "COMMIT");
		if (err)
			goto err_rollback;
	}
	err = exec_sql(st, "COMMIT");
	if (err)
		goto err_rollback;
	return SNT_STORE_OK;

err_rollback:
	rollback(st);
	return err;
}

static enum snt_store_err prepare(struct snt_store *st, const char *sql, sqlite3_stmt **out)
{
	int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);

	return rc == SQLITE_OK ? SNT_STORE_OK : fail_sqlite(st, rc);
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
	flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_EXRESCODE, NULL);
	if (rc != SQLITE_OK) {
		err = st->db ? fail_sqlite(st, rc) : SNT_STORE_ERR_NOMEM;
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
		err = fail_sqlite(st, rc);
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
	err = exec_sql(st, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON");
	if (err)
		goto err_close;
	if (!readonly) {
		err = migrate(st);
		if (err)
			goto err_close;
	}
	st->md = EVP_MD_CTX_new();
	if (!st->md) {
		err = fail_msg(st, SNT_STORE_ERR_NOMEM, "out of memory");
		goto err_close;
	}
	/* The chain head: the last entry, else the last purge's anchor. */
	err = prepare(st, "SELECT seq, hash FROM (SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1) "
			  "UNION ALL SELECT seq, hash FROM (SELECT last_seq AS seq, anchor_hash AS hash "
			  "FROM purges ORDER BY last_seq DESC LIMIT 1) ORDER BY seq DESC LIMIT 1",
		      &st->st_last);
	if (!err)
		err = prepare(st, "SELECT max(coalesce((SELECT max(seq) FROM entries), 0), "
				  "coalesce((SELECT max(last_seq) FROM purges), 0))", &st->st_max);
	if (!err)
		err = prepare(st, "INSERT INTO entries (" ENTRY_COLS ") VALUES "
				  "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
			      &st->st_insert);
	if (!err)
		err = prepare(st, "SELECT " ENTRY_COLS " FROM entries WHERE seq = ?1", &st->st_get);
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
	sqlite3_close_v2(st->db);
	EVP_MD_CTX_free(st->md);
	free(st->payload_buf);
	free(st);
}

/* Bind one entry's columns to the insert statement; the first failure's code. */
static int bind_entry(sqlite3_stmt *s, const struct snt_entry *e, const struct snt_entry_names *t)
{
	const struct {
		enum col col;
		const char *text;
	} texts[] = {
		{ COL_BOOT_ID, e->boot_id },
		{ COL_CLOCK, t->clock },
		{ COL_KIND, t->kind },
		{ COL_FORMAT, t->format },
		{ COL_COLOUR, t->colour },
		{ COL_VERIFIED, t->verified },
		{ COL_DECISION, t->decision },
		{ COL_REASONS, t->reasons },
		{ COL_DOOR, t->door },
		{ COL_SUBJECT, e->subject[0] ? e->subject : NULL },
		{ COL_DETAIL, e->detail[0] ? e->detail : NULL },
	};
	int rc;

	rc = sqlite3_bind_int64(s, COL_SEQ + 1, e->seq);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, COL_MONO_MS + 1, e->mono_ms);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, COL_TIME_UTC_MS + 1, e->time_utc_ms);
	for (size_t i = 0; i < SNT_ARRAY_SIZE(texts) && rc == SQLITE_OK; i++) {
		if (texts[i].text)
			rc = sqlite3_bind_text(s, texts[i].col + 1, texts[i].text, -1, SQLITE_STATIC);
		else
			rc = sqlite3_bind_null(s, texts[i].col + 1);
	}
	if (rc == SQLITE_OK)
		rc = e->has_temp ? sqlite3_bind_int(s, COL_TEMP_DC + 1, e->temp_dc)
				 : sqlite3_bind_null(s, COL_TEMP_DC + 1);
	if (rc == SQLITE_OK)
		rc = e->payload_len > 0 ? sqlite3_bind_blob(s, COL_PAYLOAD + 1, e->payload,
							    (int)e->payload_len, SQLITE_STATIC)
					: sqlite3_bind_null(s, COL_PAYLOAD + 1);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(s, COL_PREV_HASH + 1, e->prev_hash, SNT_HASH_LEN, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(s, COL_HASH + 1, e->hash, SNT_HASH_LEN, SQLITE_STATIC);
	return rc;
}

/*
 * Read the chain head inside the caller's write transaction: the seq and
 * hash the next entry follows (0 and 32 zero bytes for an empty chain).
 */
static enum snt_store_err read_head(struct snt_store *st, int64_t *seq, uint8_t hash[SNT_HASH_LEN])
{
	enum snt_store_err err = SNT_STORE_OK;
	int rc;

	rc = sqlite3_step(st->st_last);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st->st_last, 0);
		if (!col_hash(st->st_last, 1, hash))
			err = fail_column(st, *seq, COL_HASH);
	} else if (rc == SQLITE_DONE) {
		*seq = 0;
		memset(hash, 0, SNT_HASH_LEN);
	} else {
		err = fail_sqlite(st, rc);
	}
	sqlite3_reset(st->st_last);
	return err;
}

/*
 * Inside the caller's write transaction: give @n the seq after @head_seq and
 * the prev_hash @head_hash, hash it and insert it.  @t: entry_prepare()'d
 * names of @n.
 */
static enum snt_store_err insert_entry(struct snt_store *st, struct snt_entry *n,
				       const struct snt_entry_names *t, int64_t head_seq,
				       const uint8_t head_hash[SNT_HASH_LEN])
{
	enum snt_store_err err;
	int rc;

	n->seq = head_seq + 1;
	memcpy(n->prev_hash, head_hash, SNT_HASH_LEN);
	err = hash_entry(st->md, n, t, n->hash);
	if (err)
		return fail_msg(st, err, "SHA-256 failed");
	rc = bind_entry(st->st_insert, n, t);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st->st_insert);
	err = rc == SQLITE_DONE ? SNT_STORE_OK : fail_sqlite(st, rc);
	sqlite3_reset(st->st_insert);
	sqlite3_clear_bindings(st->st_insert);
	return err;
}

enum snt_store_err snt_store_append(struct snt_store *st, struct snt_entry *e)
{
	uint8_t head_hash[SNT_HASH_LEN];
	struct snt_entry n;
	struct snt_entry_names t;
	enum snt_store_err err;
	int64_t head_seq;

	if (!st || !e)
		return SNT_STORE_ERR_INVAL;
	err = entry_prepare(e, &t);
	if (err)
		return fail_msg(st, err, "entry has a field out of range");
	if (st->readonly)
		return fail_msg(st, SNT_STORE_ERR_READONLY, "store opened read-only");

	n = *e;
	err = exec_sql(st, "BEGIN IMMEDIATE");
	if (err)
		goto err_rollback;
	err = read_head(st, &head_seq, head_hash);
	if (err)
		goto err_rollback;
	err = insert_entry(st, &n, &t, head_seq, head_hash);
	if (err)
		goto err_rollback;
	err = exec_sql(st, "COMMIT");
	if (err)
		goto err_rollback;

	e->seq = n.seq;
	memcpy(e->prev_hash, n.prev_hash, SNT_HASH_LEN);
	memcpy(e->hash, n.hash, SNT_HASH_LEN);
	return SNT_STORE_OK;

err_rollback:
	rollback(st);
	return err;
}

enum snt_store_err snt_store_append_batch(struct snt_store *st, struct snt_entry *e, size_t n)
{
	uint8_t head_hash[SNT_HASH_LEN];
	struct snt_entry_names t;
	enum snt_store_err err;
	int64_t head_seq;

	if (!e && n > 0)
		return SNT_STORE_ERR_INVAL;
	if (!st) {
		err = SNT_STORE_ERR_INVAL;
		goto err_clear;
	}
	if (n == 0)
		return SNT_STORE_OK;
	/* Every entry is checked before anything is written. */
	for (size_t i = 0; i < n; i++) {
		err = entry_prepare(&e[i], &t);
		if (err) {
			char msg[64];

			snprintf(msg, sizeof(msg), "batch entry %zu has a field out of range", i);
			err = fail_msg(st, err, msg);
			goto err_clear;
		}
	}
	if (st->readonly) {
		err = fail_msg(st, SNT_STORE_ERR_READONLY, "store opened read-only");
		goto err_clear;
	}

	err = exec_sql(st, "BEGIN IMMEDIATE");
	if (err)
		goto err_rollback;
	err = read_head(st, &head_seq, head_hash);
	if (err)
		goto err_rollback;
	for (size_t i = 0; i < n; i++) {
		if (entry_prepare(&e[i], &t) != SNT_STORE_OK) {
			err = fail_msg(st, SNT_STORE_ERR_INVAL, "entry has a field out of range");
			goto err_rollback;
		}
		err = insert_entry(st, &e[i], &t, head_seq, head_hash);
		if (err)
			goto err_rollback;
		head_seq = e[i].seq;
		memcpy(head_hash, e[i].hash, SNT_HASH_LEN);
	}
	err = exec_sql(st, "COMMIT");
	if (err)
		goto err_rollback;
	return SNT_STORE_OK;

err_rollback:
	rollback(st);
err_clear:
	for (size_t i = 0; i < n; i++) {
		e[i].seq = 0;
		memset(e[i].prev_hash, 0, SNT_HASH_LEN);
		memset(e[i].hash, 0, SNT_HASH_LEN);
	}
	return err;
}

enum snt_store_err snt_store_last_seq(struct snt_store *st, int64_t *seq)
{
	enum snt_store_err err = SNT_STORE_OK;
	int rc;

	if (!st || !seq)
		return SNT_STORE_ERR_INVAL;
	rc = sqlite3_step(st->st_max);
	if (rc == SQLITE_ROW)
		*seq = sqlite3_column_int64(st->st_max, 0);
	else if (rc == SQLITE_DONE)
		err = fail_msg(st, SNT_STORE_ERR_SQL, "query returned no row");
	else
		err = fail_sqlite(st, rc);
	sqlite3_reset(st->st_max);
	return err;
}

enum snt_store_err snt_store_get(struct snt_store *st, int64_t seq, struct snt_entry *e)
{
	enum snt_store_err err;
	int rc;

	if (!st || !e)
		return SNT_STORE_ERR_INVAL;
	rc = sqlite3_bind_int64(st->st_get, 1, seq);
	if (rc != SQLITE_OK)
		return fail_sqlite(st, rc);
	rc = sqlite3_step(st->st_get);
	if (rc == SQLITE_ROW)
		err = decode_row(st, st->st_get, true, e);
	else if (rc == SQLITE_DONE)
		err = SNT_STORE_ERR_DONE;
	else
		err = fail_sqlite(st, rc);
	sqlite3_reset(st->st_get);
	return err;
}

enum snt_store_err snt_store_iter_new(struct snt_store *st, int64_t after_seq,
				      struct snt_store_iter **out)
{
	struct snt_store_iter *it;
	enum snt_store_err err;
	int rc;

	if (!st || !out)
		return SNT_STORE_ERR_INVAL;
	it = calloc(1, sizeof(*it));
	if (!it)
		return fail_msg(st, SNT_STORE_ERR_NOMEM, "out of memory");
	it->st = st;
	rc = sqlite3_prepare_v2(st->db, "SELECT " ENTRY_COLS " FROM entries WHERE seq > ?1 ORDER BY seq",
				-1, &it->stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(it->stmt, 1, after_seq);
	if (rc != SQLITE_OK) {
		err = fail_sqlite(st, rc);
		goto err_free;
	}
	*out = it;
	return SNT_STORE_OK;

err_free:
	snt_store_iter_free(it);
	return err;
}

enum snt_store_err snt_store_iter_next(struct snt_store_iter *it, struct snt_entry *e)
{
	enum snt_store_err err;
	int rc;

	if (!it || !e)
		return SNT_STORE_ERR_INVAL;
	if (it->done)
		return SNT_STORE_ERR_DONE;
	rc = sqlite3_step(it->stmt);
	if (rc == SQLITE_ROW) {
		err = decode_row(it->st, it->stmt, false, e);
	} else if (rc == SQLITE_DONE) {
		err = SNT_STORE_ERR_DONE;
	} else {
		err = fail_sqlite(it->st, rc);
	}
	if (err) {
		/* Stop here: stepping again after DONE would restart the query. */
		it->done = true;
		sqlite3_reset(it->stmt);
	}
	return err;
}

void snt_store_iter_free(struct snt_store_iter *it)
{
	if (!it)
		return;
	sqlite3_finalize(it->stmt);
	free(it);
}

/* Prepare @sql and bind @n integer parameters ?1..?n; the first failure's code. */
static enum snt_store_err prepare_bind(struct snt_store *st, const char *sql, sqlite3_stmt **out,
				       int n, const int64_t *args)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, out, NULL);

	for (int i = 0; i < n && rc == SQLITE_OK; i++)
		rc = sqlite3_bind_int64(*out, i + 1, args[i]);
	return rc == SQLITE_OK ? SNT_STORE_OK : fail_sqlite(st, rc);
}

/* Step a statement that writes: SQLITE_DONE is success. */
static enum snt_store_err step_done(struct snt_store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	return rc == SQLITE_DONE ? SNT_STORE_OK : fail_sqlite(st, rc);
}

enum snt_store_err snt_store_set_ack(struct snt_store *st, int64_t seq)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int64_t cur, last;
	char msg[128];

	if (!st || seq < 0)
		return SNT_STORE_ERR_INVAL;
	if (st->readonly)
		return fail_msg(st, SNT_STORE_ERR_READONLY, "store opened read-only");
	err = exec_sql(st, "BEGIN IMMEDIATE");
	if (err)
		goto err_rollback;
	err = query_int(st, "SELECT seq FROM ack WHERE id = 1", &cur);
	if (!err)
		err = snt_store_last_seq(st, &last);
	if (err)
		goto err_rollback;
	if (seq < cur) {
		snprintf(msg, sizeof(msg), "acknowledgement %lld is below the recorded %lld",
			 (long long)seq, (long long)cur);
		err = fail_msg(st, SNT_STORE_ERR_STALE, msg);
		goto err_rollback;
	}
	if (seq > last) {
		snprintf(msg, sizeof(msg), "acknowledgement %lld is past the last seq %lld",
			 (long long)seq, (long long)last);
		err = fail_msg(st, SNT_STORE_ERR_RANGE, msg);
		goto err_rollback;
	}
	if (seq != cur) {
		err = prepare_bind(st, "UPDATE ack SET seq = ?1 WHERE id = 1", &s, 1, &seq);
		if (!err)
			err = step_done(st, s);
		sqlite3_finalize(s);
		if (err)
			goto err_rollback;
	}
	err = exec_sql(st, "COMMIT");
	if (err)
		goto err_rollback;
	return SNT_STORE_OK;

err_rollback:
	rollback(st);
	return err;
}

enum snt_store_err snt_store_get_ack(struct snt_store *st, int64_t *seq)
{
	if (!st || !seq)
		return SNT_STORE_ERR_INVAL;
	return query_int(st, "SELECT seq FROM ack WHERE id = 1", seq);
}

/* Where a chain walk stands: the seq the next entry must have, and its prev_hash. */
struct chain {
	int64_t next_seq;
	uint8_t prev[SNT_HASH_LEN];
};

/*
 * Check one decoded entry against @c: its seq is the one due, its prev_hash
 * links, its hash recomputes.  *@reason: NULL when it holds (and @c moves on
 * past it), else the finding in snt_store_verify()'s words.
 * Return: SNT_STORE_OK, or SNT_STORE_ERR_NOMEM if SHA-256 failed.
 */
static enum snt_store_err check_link(struct snt_store *st, struct chain *c,
				     const struct snt_entry *e, const char **reason)
{
	uint8_t h[SNT_HASH_LEN];
	struct snt_entry_names t;
	enum snt_store_err err;

	*reason = NULL;
	/* Rows come in seq order after the anchor: a lower seq is a purged one. */
	if (e->seq < c->next_seq) {
		*reason = "entry inside a purged range";
		return SNT_STORE_OK;
	}
	if (e->seq > c->next_seq) {
		*reason = "gap before";
		return SNT_STORE_OK;
	}
	if (memcmp(e->prev_hash, c->prev, SNT_HASH_LEN)) {
		*reason = "prev_hash does not link";
		return SNT_STORE_OK;
	}
	/* decode_cols() accepted only what entry_prepare() accepts. */
	if (entry_prepare(e, &t) != SNT_STORE_OK)
		return fail_msg(st, SNT_STORE_ERR_INVAL, "decoded entry out of range");
	err = hash_entry(st->md, e, &t, h);
	if (err)
		return fail_msg(st, err, "SHA-256 failed");
	if (memcmp(h, e->hash, SNT_HASH_LEN)) {
		*reason = "hash mismatch";
		return SNT_STORE_OK;
	}
	c->next_seq = e->seq + 1;
	memcpy(c->prev, e->hash, SNT_HASH_LEN);
	return SNT_STORE_OK;
}

/*
 * The last purge's range end and anchor, or 0 and 32 zero bytes if the log
 * was never purged (the chain then starts at seq 1 from zeros).
 */
static enum snt_store_err read_anchor(struct snt_store *st, struct chain *c)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int rc;

	c->next_seq = 1;
	memset(c->prev, 0, SNT_HASH_LEN);
	err = prepare_bind(st, "SELECT last_seq, anchor_hash FROM purges ORDER BY last_seq DESC LIMIT 1",
			   &s, 0, NULL);
	if (err)
		goto out;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->next_seq = sqlite3_column_int64(s, 0) + 1;
		if (!col_hash(s, 1, c->prev))
			err = fail_msg(st, SNT_STORE_ERR_CORRUPT, "purge record: anchor is not 32 bytes");
	} else if (rc != SQLITE_DONE) {
		err = fail_sqlite(st, rc);
	}
out:
	sqlite3_finalize(s);
	return err;
}

/*
 * The purge's stopping point inside its write transaction, looking no
 * further than @limit: the first entry after the anchor that is not
 * acknowledged or not older than the cutoff.  An entry's time is its
 * rebased time when it was written under an untrusted clock and its boot
 * was rebased, else its time_utc_ms.  *@last: the last seq to purge in this
 * chunk; *@more: no stop up to @limit and entries beyond it (out->stop and
 * out->next_seq are then left for a later chunk to set).
 */
static enum snt_store_err purge_stop(struct snt_store *st, int64_t anchor_seq, int64_t ack,
				     int64_t cutoff, int64_t limit,
				     struct snt_store_purge_result *out, int64_t *last, bool *more)
{
	const int64_t args[] = { anchor_seq, ack, cutoff, limit };
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int64_t max_seq;
	int rc;

	*more = false;
	err = prepare_bind(st,
			   "SELECT e.seq, e.seq > ?2 FROM entries AS e "
			   "LEFT JOIN rebase AS r ON r.boot_id = e.boot_id "
			   "WHERE e.seq > ?1 AND e.seq <= ?4 AND (e.seq > ?2 OR "
			   "(CASE WHEN e.clock = 'untrusted' AND r.utc_at_boot_ms IS NOT NULL "
			   "THEN r.utc_at_boot_ms + e.mono_ms ELSE e.time_utc_ms END) >= ?3) "
			   "ORDER BY e.seq LIMIT 1", &s, 4, args);
	if (err)
		goto out;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->next_seq = sqlite3_column_int64(s, 0);
		out->stop = sqlite3_column_int(s, 1) ? SNT_PURGE_STOP_ACK : SNT_PURGE_STOP_CUTOFF;
		*last = out->next_seq - 1;
	} else if (rc == SQLITE_DONE) {
		err = query_int(st, "SELECT coalesce(max(seq), 0) FROM entries", &max_seq);
		if (!err && max_seq > limit) {
			*last = limit;
			*more = true;
		} else if (!err) {
			*last = max_seq;
			out->next_seq = 0;
			out->stop = SNT_PURGE_STOP_END;
		}
	} else {
		err = fail_sqlite(st, rc);
	}
out:
	sqlite3_finalize(s);
	return err;
}

/*
 * Walk entries @first..@last inside the purge's transaction, checking them
 * as snt_store_verify() does, from the chain state @c; on success @c->prev
 * is the hash of @last.  A finding is SNT_STORE_ERR_CORRUPT naming the seq.
 */
static enum snt_store_err purge_check_range(struct snt_store *st, struct chain *c, int64_t first,
					    int64_t last)
{
	const int64_t args[] = { first, last };
	sqlite3_stmt *s = NULL;
	const char *reason = NULL;
	enum snt_store_err err;
	struct snt_entry e;
	int64_t seq = first;
	enum col bad;
	char msg[160];
	int rc;

	err = prepare_bind(st, "SELECT " ENTRY_COLS " FROM entries WHERE seq BETWEEN ?1 AND ?2 "
			       "ORDER BY seq", &s, 2, args);
	if (err)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		err = decode_cols(st, s, false, &e, &bad, &seq);
		if (err == SNT_STORE_ERR_CORRUPT) {
			snprintf(msg, sizeof(msg), "entry %lld: invalid %s; nothing purged",
				 (long long)seq, col_names[bad]);
			err = fail_msg(st, err, msg);
			goto out;
		}
		if (err) {
			err = fail_msg(st, err, "out of memory");
			goto out;
		}
		err = check_link(st, c, &e, &reason);
		if (err)
			goto out;
		if (reason) {
			snprintf(msg, sizeof(msg), "entry %lld: %s; nothing purged", (long long)e.seq,
				 reason);
			err = fail_msg(st, SNT_STORE_ERR_CORRUPT, msg);
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		err = fail_sqlite(st, rc);
		goto out;
	}
	if (c->next_seq != last + 1) {
		snprintf(msg, sizeof(msg), "entry %lld: missing; nothing purged",
			 (long long)c->next_seq);
		err = fail_msg(st, SNT_STORE_ERR_CORRUPT, msg);
	}
out:
	sqlite3_finalize(s);
	return err;
}

/*
 * One purge transaction of at most SNT_STORE_PURGE_CHUNK entries; adds what
 * it removed to @out.  *@more: call again, the stop was not reached yet.
 */
static enum snt_store_err purge_chunk(struct snt_store *st, int64_t cutoff, int64_t now,
				      struct snt_store_purge_result *out, bool *more)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	struct chain c;
	int64_t ack, first, last = 0;

	*more = false;
	err = exec_sql(st, "BEGIN IMMEDIATE");
	if (err)
		goto err_rollback;
	err = query_int(st, "SELECT seq FROM ack WHERE id = 1", &ack);
	if (!err)
		err = read_anchor(st, &c);
	if (!err)
		err = purge_stop(st, c.next_seq - 1, ack, cutoff,
				 c.next_seq - 1 + SNT_STORE_PURGE_CHUNK, out, &last, more);
	if (err)
		goto err_rollback;
	out->ack_seq = ack;
	first = c.next_seq;
	if (last < first) {
		*more = false;
		err = exec_sql(st, "COMMIT");
		if (err)
			goto err_rollback;
		return SNT_STORE_OK;
	}
	err = purge_check_range(st, &c, first, last);
	if (err)
		goto err_rollback;

	/* The purges_rule trigger checks the record; purges_delete_range deletes. */
	{
		const int64_t args[] = { first, last, last - first + 1, cutoff, ack, now };

		err = prepare_bind(st, "INSERT INTO purges (first_seq, last_seq, count, cutoff_utc_ms, "
				       "ack_seq, purged_utc_ms, anchor_hash) "
				       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &s, 6, args);
	}
	if (!err) {
		int rc = sqlite3_bind_blob(s, 7, c.prev, SNT_HASH_LEN, SQLITE_STATIC);

		err = rc == SQLITE_OK ? step_done(st, s) : fail_sqlite(st, rc);
	}
	sqlite3_finalize(s);
	if (err)
		goto err_rollback;
	err = exec_sql(st, "COMMIT");
	if (err)
		goto err_rollback;
	if (out->count == 0)
		out->first_seq = first;
	out->last_seq = last;
	out->count += last - first + 1;
	memcpy(out->anchor, c.prev, SNT_HASH_LEN);
	return SNT_STORE_OK;

err_rollback:
	*more = false;
	rollback(st);
	return err;
}

enum snt_store_err snt_store_purge(struct snt_store *st, int64_t older_than_utc_ms,
				   int64_t now_utc_ms, struct snt_store_purge_result *out)
{
	enum snt_store_err err;
	bool more;

	if (!st || !out)
		return SNT_STORE_ERR_INVAL;
	if (st->readonly)
		return fail_msg(st, SNT_STORE_ERR_READONLY, "store opened read-only");
	memset(out, 0, sizeof(*out));
	/* Chunks, so that the daemon's appends never wait for a long purge. */
	do {
		err = purge_chunk(st, older_than_utc_ms, now_utc_ms, out, &more);
	} while (!err && more);
	return err;
}

/* 1 to @max bytes of [a-z0-9-]. */
static bool source_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* A boot id: 1 to 36 bytes of valid UTF-8. */
static bool boot_id_ok(const char *s)
{
	size_t n = strnlen(s, SNT_BOOT_ID_LEN);

	return n >= 1 && n < SNT_BOOT_ID_LEN && snt_entry_utf8_valid((const unsigned char *)s, n);
}


enum snt_store_err snt_store_set_rebase(struct snt_store *st, const char *boot_id,
					int64_t utc_at_boot_ms, const char *source,
					int64_t recorded_utc_ms)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	char msg[96];
	int rc;

	if (!st || !boot_id || !source || !boot_id_ok(boot_id) ||
	    !source_ok(source, SNT_REBASE_SOURCE_LEN - 1) || utc_at_boot_ms < 0 ||
	    utc_at_boot_ms > UTC_MS_MAX)
		return SNT_STORE_ERR_INVAL;
	if (st->readonly)
		return fail_msg(st, SNT_STORE_ERR_READONLY, "store opened read-only");
	err = exec_sql(st, "BEGIN IMMEDIATE");
	if (err)
		goto err_rollback;
	rc = sqlite3_prepare_v2(st->db, "SELECT utc_at_boot_ms, source FROM rebase WHERE boot_id = ?1",
				-1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 1, boot_id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *old = sqlite3_column_text(s, 1);
		bool same = sqlite3_column_int64(s, 0) == utc_at_boot_ms && old &&
			    !strcmp((const char *)old, source);

		sqlite3_finalize(s);
		s = NULL;
		if (!same) {
			snprintf(msg, sizeof(msg), "boot %.36s is already rebased", boot_id);
			err = fail_msg(st, SNT_STORE_ERR_EXISTS, msg);
			goto err_rollback;
		}
	} else if (rc == SQLITE_DONE) {
		sqlite3_finalize(s);
		rc = sqlite3_prepare_v2(st->db, "INSERT INTO rebase (boot_id, utc_at_boot_ms, source, "
					"recorded_utc_ms) VALUES (?1, ?2, ?3, ?4)", -1, &s, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_text(s, 1, boot_id, -1, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 2, utc_at_boot_ms);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_text(s, 3, source, -1, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 4, recorded_utc_ms);
		err = rc == SQLITE_OK ? step_done(st, s) : fail_sqlite(st, rc);
		sqlite3_finalize(s);
		s = NULL;
		if (err)
			goto err_rollback;
	} else {
		err = fail_sqlite(st, rc);
		sqlite3_finalize(s);
		s = NULL;
		goto err_rollback;
	}
	err = exec_sql(st, "COMMIT");
	if (err)
		goto err_rollback;
	return SNT_STORE_OK;

err_rollback:
	rollback(st);
	return err;
}

enum snt_store_err snt_store_get_rebase(struct snt_store *st, const char *boot_id,
					int64_t *utc_at_boot_ms)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int rc;

	if (!st || !boot_id || !utc_at_boot_ms)
		return SNT_STORE_ERR_INVAL;
	rc = sqlite3_prepare_v2(st->db, "SELECT utc_at_boot_ms FROM rebase WHERE boot_id = ?1", -1, &s,
				NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 1, boot_id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*utc_at_boot_ms = sqlite3_column_int64(s, 0);
		err = SNT_STORE_OK;
	} else if (rc == SQLITE_DONE) {
		err = SNT_STORE_ERR_DONE;
	} else {
		err = fail_sqlite(st, rc);
	}
	sqlite3_finalize(s);
	return err;
}

enum snt_store_err snt_store_rebase_entry(struct snt_store *st, struct snt_entry *e)
{
	enum snt_store_err err;

	if (!st || !e)
		return SNT_STORE_ERR_INVAL;
	if (e->clock != SNT_CLOCK_UNTRUSTED)
		return SNT_STORE_OK;
	if (strcmp(st->rebase_boot, e->boot_id)) {
		err = snt_store_get_rebase(st, e->boot_id, &st->rebase_utc_at_boot_ms);
		if (err != SNT_STORE_OK && err != SNT_STORE_ERR_DONE)
			return err;
		st->rebase_found = err == SNT_STORE_OK;
		snt_strlcpy(st->rebase_boot, e->boot_id, sizeof(st->rebase_boot));
	}
	if (st->rebase_found) {
		e->time_utc_ms = st->rebase_utc_at_boot_ms + e->mono_ms;
		e->clock = SNT_CLOCK_REBASED;
	}
	return SNT_STORE_OK;
}

enum snt_store_err snt_store_last_trusted_utc(struct snt_store *st, int64_t *utc_ms)
{
	if (!st || !utc_ms)
		return SNT_STORE_ERR_INVAL;
	/*
	 * Trusted times only move forward (snt_clock_judge()), so the last
	 * trusted entry by seq holds the latest one: found from the end of the
	 * table without a scan.
	 */
	return query_int(st,
			 "SELECT max(coalesce((SELECT time_utc_ms FROM entries WHERE clock = 'trusted'"
			 " ORDER BY seq DESC LIMIT 1), 0),"
			 " coalesce((SELECT max(recorded_utc_ms) FROM rebase), 0))",
			 utc_ms);
}

/* Record a finding in the report: damaged at @seq (0: not one entry's). */
static void SNT_PRINTF(3, 4) damaged(struct snt_store_verify_report *r, int64_t seq,
				     const char *fmt, ...)
{
	va_list ap;

	r->status = SNT_VERIFY_DAMAGED;
	r->first_bad_seq = seq;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

/*
 * An SQLite failure while verifying: a database SQLite finds corrupt is a
 * finding at @seq, any other failure an error.  Return the error to give
 * the caller (SNT_STORE_OK for a finding).
 */
static enum snt_store_err verify_failure(struct snt_store *st, struct snt_store_verify_report *r,
					 enum snt_store_err err, int64_t seq)
{
	if (err != SNT_STORE_ERR_CORRUPT)
		return err;
	damaged(r, seq, "unreadable: %s", snt_store_errmsg(st));
	return SNT_STORE_OK;
}

/* The hash form and the purge records; sets @c to the anchor. */
static enum snt_store_err verify_purges(struct snt_store *st, struct snt_store_verify_report *r,
					struct chain *c)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	char form[64];
	int rc;

	c->next_seq = 1;
	memset(c->prev, 0, SNT_HASH_LEN);
	err = query_text(st, "SELECT value FROM meta WHERE key = 'hash_form'", form, sizeof(form));
	if (err)
		return verify_failure(st, r, err, 0);
	if (strcmp(form, SNT_HASH_FORM)) {
		damaged(r, 0, "unknown hash form");
		return SNT_STORE_OK;
	}
	err = prepare_bind(st, "SELECT first_seq, last_seq, count, anchor_hash FROM purges "
			       "ORDER BY last_seq", &s, 0, NULL);
	if (err)
		return verify_failure(st, r, err, 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t first = sqlite3_column_int64(s, 0);
		int64_t last = sqlite3_column_int64(s, 1);
		int64_t count = sqlite3_column_int64(s, 2);

		if (first != c->next_seq || last < first || count != last - first + 1 ||
		    !col_hash(s, 3, c->prev)) {
			damaged(r, 0, "purge record does not follow");
			goto out;
		}
		c->next_seq = last + 1;
		r->purges++;
	}
	if (rc != SQLITE_DONE)
		err = verify_failure(st, r, fail_sqlite(st, rc), 0);
out:
	r->anchor_seq = c->next_seq - 1;
	sqlite3_finalize(s);
	return err;
}

/*
 * The rebase rows' values, as the schema's CHECK constraints state them:
 * PRAGMA integrity_check skips CHECK constraints on a read-only connection.
 */
static enum snt_store_err verify_rebase(struct snt_store *st, struct snt_store_verify_report *r)
{
	enum snt_store_err err;
	int64_t bad;

	err = query_int(st, "SELECT count(*) FROM rebase WHERE NOT ("
			    "length(CAST(boot_id AS BLOB)) BETWEEN 1 AND 36 "
			    "AND utc_at_boot_ms BETWEEN 0 AND " STR(UTC_MS_MAX_SQL) " "
			    "AND length(source) BETWEEN 1 AND 32 AND source NOT GLOB '*[^a-z0-9-]*')",
			&bad);
	if (err)
		return verify_failure(st, r, err, 0);
	if (bad)
		damaged(r, 0, "rebase record invalid");
	return SNT_STORE_OK;
}

/* Every entry in seq order, from the anchor. */
static enum snt_store_err verify_entries(struct snt_store *st, struct snt_store_verify_report *r,
					 struct chain *c)
{
	sqlite3_stmt *s = NULL;
	const char *reason;
	enum snt_store_err err;
	struct snt_entry e;
	enum col bad;
	int64_t seq;
	int rc;

	r->last_good_seq = c->next_seq - 1;
	err = prepare_bind(st, "SELECT " ENTRY_COLS " FROM entries ORDER BY seq", &s, 0, NULL);
	if (err)
		return verify_failure(st, r, err, c->next_seq);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		err = decode_cols(st, s, false, &e, &bad, &seq);
		if (err == SNT_STORE_ERR_CORRUPT) {
			damaged(r, seq, "invalid %s", col_names[bad]);
			err = SNT_STORE_OK;
			goto out;
		}
		if (err) {
			err = fail_msg(st, err, "out of memory");
			goto out;
		}
		err = check_link(st, c, &e, &reason);
		if (err)
			goto out;
		if (reason) {
			damaged(r, e.seq, "%s", reason);
			goto out;
		}
		if (r->entries++ == 0)
			r->first_seq = e.seq;
		r->last_good_seq = e.seq;
	}
	if (rc != SQLITE_DONE)
		err = verify_failure(st, r, fail_sqlite(st, rc), c->next_seq);
out:
	sqlite3_finalize(s);
	return err;
}

enum snt_store_err snt_store_verify(struct snt_store *st, const struct snt_clock *clk,
				    struct snt_store_verify_report *out)
{
	enum snt_store_err err;
	struct chain c;
	int64_t t0 = clk ? snt_clock_mono_ms(clk) : 0;
	char msg[SNT_VERIFY_REASON_LEN];

	if (!st || !out)
		return SNT_STORE_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	/* One read transaction: every check sees the same snapshot. */
	err = exec_sql(st, "BEGIN");
	if (err)
		goto err_rollback;
	err = verify_purges(st, out, &c);
	if (err)
		goto err_rollback;
	if (out->status == SNT_VERIFY_CLEAN) {
		err = query_int(st, "SELECT seq FROM ack WHERE id = 1", &out->ack_seq);
		if (err)
			err = verify_failure(st, out, err, 0);
		if (err)
			goto err_rollback;
	}
	if (out->status == SNT_VERIFY_CLEAN) {
		err = verify_rebase(st, out);
		if (err)
			goto err_rollback;
	}
	if (out->status == SNT_VERIFY_CLEAN) {
		err = verify_entries(st, out, &c);
		if (err)
			goto err_rollback;
	}
	if (out->status == SNT_VERIFY_CLEAN && out->ack_seq >= c.next_seq)
		damaged(out, c.next_seq, "acknowledged entries missing");
	if (out->status == SNT_VERIFY_CLEAN) {
		err = query_text(st, "PRAGMA integrity_check(1)", msg, sizeof(msg));
		if (err)
			err = verify_failure(st, out, err, 0);
		if (err)
			goto err_rollback;
		if (out->status == SNT_VERIFY_CLEAN && strcmp(msg, "ok"))
			damaged(out, 0, "integrity_check: %s", msg);
	}
	/* Nothing was written: end the read transaction (if SQLite has not already). */
	rollback(st);
	if (clk)
		out->elapsed_ms = snt_clock_mono_ms(clk) - t0;
	return SNT_STORE_OK;

err_rollback:
	rollback(st);
	return err;
}

enum snt_store_err snt_store_get_info(struct snt_store *st, struct snt_store_info *out)
{
	enum snt_store_err err;
	int64_t v;

	if (!st || !out)
		return SNT_STORE_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	err = query_text(st, "PRAGMA journal_mode", out->journal_mode, sizeof(out->journal_mode));
	if (err)
		return err;
	err = query_int(st, "PRAGMA synchronous", &v);
	if (err)
		return err;
	out->synchronous = (int)v;
	err = query_int(st, "PRAGMA user_version", &v);
	if (err)
		return err;
	out->user_version = (int)v;
	err = query_int(st, "PRAGMA busy_timeout", &v);
	if (err)
		return err;
	out->busy_timeout_ms = (int)v;
	err = query_int(st, "PRAGMA foreign_keys", &v);
	if (err)
		return err;
	out->foreign_keys = v != 0;
	out->readonly = st->readonly || sqlite3_db_readonly(st->db, "main") == 1;
	return SNT_STORE_OK;
}

enum snt_store_err snt_store_entry_hash(const struct snt_entry *e, uint8_t out[SNT_HASH_LEN])
{
	struct snt_entry_names t;
	enum snt_store_err err;
	EVP_MD_CTX *ctx;

	if (!e || !out)
		return SNT_STORE_ERR_INVAL;
	err = entry_prepare(e, &t);
	if (err)
		return err;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return SNT_STORE_ERR_NOMEM;
	err = hash_entry(ctx, e, &t, out);
	EVP_MD_CTX_free(ctx);
	return err;
}

/*
 * Step an iterator's statement to its next row: SNT_STORE_OK on a row;
 * SNT_STORE_ERR_DONE at the end (and ever after: *@done is set, stepping a
 * finished statement again would restart it) or the mapped failure.
 */
static enum snt_store_err row_step(struct snt_store *st, sqlite3_stmt *s, bool *done)
{
	int rc;

	if (*done)
		return SNT_STORE_ERR_DONE;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return SNT_STORE_OK;
	*done = true;
	return rc == SQLITE_DONE ? SNT_STORE_ERR_DONE : fail_sqlite(st, rc);
}

/* ---- Review queries, events, alerts, verdicts (schema 3) ---- */

/* Append " AND col IN ('a', 'b')" for the bits of @mask over @n names. */
static bool sql_in(char *sql, size_t size, const char *col, unsigned mask, unsigned n,
		   const char *(*name)(unsigned))
{
	size_t len = strlen(sql);
	bool first = true;

	if (mask == 0)
		return true;
	len += (size_t)snprintf(sql + len, len < size ? size - len : 0, " AND %s IN (", col);
	for (unsigned i = 0; i < n; i++) {
		if (!(mask & (1u << i)))
			continue;
		len += (size_t)snprintf(sql + len, len < size ? size - len : 0, "%s'%s'",
					first ? "" : ", ", name(i));
		first = false;
	}
	len += (size_t)snprintf(sql + len, len < size ? size - len : 0, ")");
	return len < size;
}

static const char *decision_name_u(unsigned i) { return snt_decision_name((enum snt_decision)i); }
static const char *colour_name_u(unsigned i) { return snt_colour_name((enum snt_colour)i); }
static const char *kind_name_u(unsigned i) { return snt_person_kind_name((enum snt_person_kind)i); }

/* The WHERE clause of @q (without limit/order); false if @q is invalid or too long. */
static bool query_where(const struct snt_store_query *q, char *sql, size_t size)
{
	if (q->since_utc_ms < 0 || q->until_utc_ms < 0 || q->limit < 0 ||
	    (q->since_utc_ms && q->until_utc_ms && q->since_utc_ms > q->until_utc_ms) ||
	    q->decisions >> (SNT_DECISION_COUNT) || q->colours >> (SNT_COLOUR_COUNT) ||
	    q->kinds >> (SNT_PERSON_KIND_COUNT))
		return false;
	snprintf(sql, size, " WHERE 1");
	if (q->since_utc_ms)
		strncat(sql, " AND time_utc_ms >= ?1", size - strlen(sql) - 1);
	if (q->until_utc_ms)
		strncat(sql, " AND time_utc_ms < ?2", size - strlen(sql) - 1);
	if (q->fever_only)
		strncat(sql, " AND (',' || reasons || ',') GLOB '*,fever,*'", size - strlen(sql) - 1);
	return sql_in(sql, size, "decision", q->decisions, SNT_DECISION_COUNT, decision_name_u) &&
	       sql_in(sql, size, "colour", q->colours, SNT_COLOUR_COUNT, colour_name_u) &&
	       sql_in(sql, size, "kind", q->kinds, SNT_PERSON_KIND_COUNT, kind_name_u) &&
	       strlen(sql) + 1 < size;
}

static enum snt_store_err query_bind(struct snt_store *st, const struct snt_store_query *q,
				     sqlite3_stmt *s)
{
	int rc = SQLITE_OK;

	if (q->since_utc_ms)
		rc = sqlite3_bind_int64(s, 1, q->since_utc_ms);
	if (rc == SQLITE_OK && q->until_utc_ms)
		rc = sqlite3_bind_int64(s, 2, q->until_utc_ms);
	return rc == SQLITE_OK ? SNT_STORE_OK : fail_sqlite(st, rc);
}

enum snt_store_err snt_store_query_new(struct snt_store *st, const struct snt_store_query *q,
				       struct snt_store_iter **out)
{
	struct snt_store_iter *it;
	enum snt_store_err err;
	char where[512], sql[1024];
	int rc;

	if (!st || !q || !out || !query_where(q, where, sizeof(where)))
		return SNT_STORE_ERR_INVAL;
	/*
	 * A time-bounded query walks the time index in its own order (time,
	 * then seq: the index holds the rowid), so SQLite needs no sort.
	 */
	if (q->since_utc_ms || q->until_utc_ms)
		snprintf(sql, sizeof(sql), "SELECT " ENTRY_COLS " FROM entries%s ORDER BY time_utc_ms%s, "
			 "seq%s LIMIT %lld", where, q->newest_first ? " DESC" : "",
			 q->newest_first ? " DESC" : "", q->limit ? (long long)q->limit : -1LL);
	else
		snprintf(sql, sizeof(sql), "SELECT " ENTRY_COLS " FROM entries%s ORDER BY seq%s LIMIT %lld",
			 where, q->newest_first ? " DESC" : "", q->limit ? (long long)q->limit : -1LL);
	it = calloc(1, sizeof(*it));
	if (!it)
		return fail_msg(st, SNT_STORE_ERR_NOMEM, "out of memory");
	it->st = st;
	rc = sqlite3_prepare_v2(st->db, sql, -1, &it->stmt, NULL);
	if (rc != SQLITE_OK) {
		err = fail_sqlite(st, rc);
		goto err_free;
	}
	err = query_bind(st, q, it->stmt);
	if (err)
		goto err_free;
	*out = it;
	return SNT_STORE_OK;

err_free:
	snt_store_iter_free(it);
	return err;
}

/* Run @sql (one integer result) with @q's bounds bound. */
static enum snt_store_err query_count(struct snt_store *st, const char *sql,
				      const struct snt_store_query *q, int64_t *n)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fail_sqlite(st, rc);
	err = query_bind(st, q, s);
	if (!err) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			*n = sqlite3_column_int64(s, 0);
		else
			err = fail_sqlite(st, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
	}
	sqlite3_finalize(s);
	return err;
}

enum snt_store_err snt_store_count(struct snt_store *st, const struct snt_store_query *q, int64_t *n)
{
	char where[512], sql[640];

	if (!st || !q || !n || !query_where(q, where, sizeof(where)))
		return SNT_STORE_ERR_INVAL;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM entries%s", where);
	return query_count(st, sql, q, n);
}

static const char *const event_kind_names[] = {
	[SNT_EVENT_EXIT] = "exit",
	[SNT_EVENT_FIRE_ALARM] = "fire-alarm",
	[SNT_EVENT_FIRE_CLEAR] = "fire-clear",
	[SNT_EVENT_DEVICE_FAULT] = "device-fault",
	[SNT_EVENT_RULES] = "rules",
	[SNT_EVENT_SYNC] = "sync",
};
_Static_assert(SNT_ARRAY_SIZE(event_kind_names) == SNT_EVENT_KIND_COUNT, "event names");

const char *snt_event_kind_name(enum snt_event_kind k)
{
	return (unsigned)k < SNT_EVENT_KIND_COUNT ? event_kind_names[k] : NULL;
}

static const char *const alert_kind_names[] = {
	[SNT_ALERT_FEVER] = "fever",
	[SNT_ALERT_REFERRAL] = "referral",
	[SNT_ALERT_CONTRADICTION] = "contradiction",
	[SNT_ALERT_DEVICE_FAULT] = "device-fault",
};
_Static_assert(SNT_ARRAY_SIZE(alert_kind_names) == SNT_ALERT_KIND_COUNT, "alert names");

const char *snt_alert_kind_name(enum snt_alert_kind k)
{
	return (unsigned)k < SNT_ALERT_KIND_COUNT ? alert_kind_names[k] : NULL;
}

/* Short operator text for events and alerts: "" or 1-255 bytes of UTF-8 without controls. */
static bool short_text_ok(const char *s, size_t size)
{
	if (!field_str_ok(s, size) || strlen(s) > 255)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* Run one write statement in its own committed transaction. */
static enum snt_store_err write_one(struct snt_store *st, sqlite3_stmt *s, int64_t *rowid)
{
	enum snt_store_err err;

	err = exec_sql(st, "BEGIN IMMEDIATE");
	if (err)
		return err;
	err = step_done(st, s);
	if (!err && rowid)
		*rowid = sqlite3_last_insert_rowid(st->db);
	if (!err)
		err = exec_sql(st, "COMMIT");
	if (err)
		rollback(st);
	return err;
}

enum snt_store_err snt_store_event_add(struct snt_store *st, struct snt_event *ev)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	const char *clock, *kind;
	int rc;

	if (!st || !ev)
		return SNT_STORE_ERR_INVAL;
	clock = snt_clock_state_name(ev->clock);
	kind = snt_event_kind_name(ev->kind);
	if (!clock || !kind || !field_str_ok(ev->boot_id, sizeof(ev->boot_id)) ||
	    !short_text_ok(ev->detail, sizeof(ev->detail)))
		return SNT_STORE_ERR_INVAL;
	if (st->readonly)
		return fail_msg(st, SNT_STORE_ERR_READONLY, "store opened read-only");
	rc = sqlite3_prepare_v2(st->db, "INSERT INTO events (boot_id, mono_ms, time_utc_ms, clock, kind, "
				"detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 1, ev->boot_id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 2, ev->mono_ms);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 3, ev->time_utc_ms);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 4, clock, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 5, kind, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = ev->detail[0] ? sqlite3_bind_text(s, 6, ev->detail, -1, SQLITE_STATIC)
				   : sqlite3_bind_null(s, 6);
	err = rc == SQLITE_OK ? write_one(st, s, &ev->id) : fail_sqlite(st, rc);
	sqlite3_finalize(s);
	return err;
}

enum snt_store_err snt_store_events_count(struct snt_store *st, enum snt_event_kind kind,
					  int64_t since_utc_ms, int64_t until_utc_ms, int64_t *n)
{
	struct snt_store_query q = { .since_utc_ms = since_utc_ms, .until_utc_ms = until_utc_ms };
	char sql[256];

	if (!st || !n || !snt_event_kind_name(kind) || since_utc_ms < 0 || until_utc_ms < 0)
		return SNT_STORE_ERR_INVAL;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM events WHERE kind = '%s'%s%s",
		 snt_event_kind_name(kind), since_utc_ms ? " AND time_utc_ms >= ?1" : "",
		 until_utc_ms ? " AND time_utc_ms < ?2" : "");
	return query_count(st, sql, &q, n);
}

struct snt_store_event_iter {
	struct snt_store *st;
	sqlite3_stmt *stmt;
	enum snt_event_kind kind;
	bool done;
};

enum snt_store_err snt_store_events_new(struct snt_store *st, enum snt_event_kind kind,
					int64_t since_utc_ms, int64_t until_utc_ms,
					struct snt_store_event_iter **out)
{
	struct snt_store_query q = { .since_utc_ms = since_utc_ms, .until_utc_ms = until_utc_ms };
	struct snt_store_event_iter *it;
	enum snt_store_err err;
	char sql[256];
	int rc;

	if (!st || !out || !snt_event_kind_name(kind) || since_utc_ms < 0 || until_utc_ms < 0 ||
	    (since_utc_ms && until_utc_ms && since_utc_ms > until_utc_ms))
		return SNT_STORE_ERR_INVAL;
	snprintf(sql, sizeof(sql), "SELECT id, boot_id, mono_ms, time_utc_ms, clock, detail FROM events "
		 "WHERE kind = '%s'%s%s ORDER BY time_utc_ms, id", snt_event_kind_name(kind),
		 since_utc_ms ? " AND time_utc_ms >= ?1" : "", until_utc_ms ? " AND time_utc_ms < ?2" : "");
	it = calloc(1, sizeof(*it));
	if (!it)
		return fail_msg(st, SNT_STORE_ERR_NOMEM, "out of memory");
	it->st = st;
	it->kind = kind;
	rc = sqlite3_prepare_v2(st->db, sql, -1, &it->stmt, NULL);
	err = rc == SQLITE_OK ? query_bind(st, &q, it->stmt) : fail_sqlite(st, rc);
	if (err) {
		snt_store_events_free(it);
		return err;
	}
	*out = it;
	return SNT_STORE_OK;
}

enum snt_store_err snt_store_events_next(struct snt_store_event_iter *it, struct snt_event *ev)
{
	enum snt_store_err err;
	char clock[NAME_LEN];
	bool present;

	if (!it || !ev)
		return SNT_STORE_ERR_INVAL;
	err = row_step(it->st, it->stmt, &it->done);
	if (err)
		return err;
	memset(ev, 0, sizeof(*ev));
	ev->kind = it->kind;
	if (!col_int(it->stmt, 0, false, &present, &ev->id) ||
	    !col_text(it->stmt, 1, false, ev->boot_id, sizeof(ev->boot_id)) ||
	    !col_int(it->stmt, 2, false, &present, &ev->mono_ms) ||
	    !col_int(it->stmt, 3, false, &present, &ev->time_utc_ms) ||
	    !col_text(it->stmt, 4, false, clock, sizeof(clock)) ||
	    snt_clock_state_from_name(clock, &ev->clock) != 0 ||
	    !col_text(it->stmt, 5, true, ev->detail, sizeof(ev->detail))) {
		it->done = true;
		return fail_msg(it->st, SNT_STORE_ERR_CORRUPT, "event row does not parse");
	}
	return SNT_STORE_OK;
}

void snt_store_events_free(struct snt_store_event_iter *it)
{
	if (!it)
		return;
	sqlite3_finalize(it->stmt);
	free(it);
}

enum snt_store_err snt_store_alert_add(struct snt_store *st, enum snt_alert_kind kind, int64_t seq,
				       const char *detail, int64_t now_utc_ms, int64_t *id)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int rc;

	if (!st || !snt_alert_kind_name(kind) || seq < 0 || !detail ||
	    !short_text_ok(detail, strlen(detail) + 1))
		return SNT_STORE_ERR_INVAL;
	if (st->readonly)
		return fail_msg(st, SNT_STORE_ERR_READONLY, "store opened read-only");
	rc = sqlite3_prepare_v2(st->db, "INSERT INTO alerts (created_utc_ms, kind, seq, detail) "
				"VALUES (?1, ?2, nullif(?3, 0), nullif(?4, ''))", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, now_utc_ms);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 2, snt_alert_kind_name(kind), -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 3, seq);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 4, detail, -1, SQLITE_STATIC);
	err = rc == SQLITE_OK ? write_one(st, s, id) : fail_sqlite(st, rc);
	sqlite3_finalize(s);
	return err;
}

/* A staff reference: 1-32 characters of [A-Za-z0-9-]. */
static bool staff_ref_ok(const char *r)
{
	size_t n = strlen(r);

	if (n < 1 || n >= SNT_STAFF_REF_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= 'A' && r[i] <= 'Z') ||
		      (r[i] >= '0' && r[i] <= '9') || r[i] == '-'))
			return false;
	return true;
}

enum snt_store_err snt_store_alert_ack(struct snt_store *st, int64_t id, const char *staff_ref,
				       int64_t now_utc_ms)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int64_t acked = -1;
	int rc;

	if (!st || !staff_ref || !staff_ref_ok(staff_ref) || id < 1)
		return SNT_STORE_ERR_INVAL;
	if (st->readonly)
		return fail_msg(st, SNT_STORE_ERR_READONLY, "store opened read-only");
	err = exec_sql(st, "BEGIN IMMEDIATE");
	if (err)
		return err;
	err = prepare_bind(st, "SELECT ack_utc_ms IS NOT NULL FROM alerts WHERE id = ?1", &s, 1, &id);
	if (!err) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			acked = sqlite3_column_int64(s, 0);
		else if (rc == SQLITE_DONE)
			err = SNT_STORE_ERR_DONE;
		else
			err = fail_sqlite(st, rc);
	}
	sqlite3_finalize(s);
	s = NULL;
	if (!err && acked)
		err = fail_msg(st, SNT_STORE_ERR_EXISTS, "alert already acknowledged");
	if (!err) {
		rc = sqlite3_prepare_v2(st->db, "UPDATE alerts SET ack_utc_ms = ?1, ack_by = ?2 "
					"WHERE id = ?3", -1, &s, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 1, now_utc_ms);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_text(s, 2, staff_ref, -1, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 3, id);
		err = rc == SQLITE_OK ? step_done(st, s) : fail_sqlite(st, rc);
		sqlite3_finalize(s);
	}
	if (!err)
		err = exec_sql(st, "COMMIT");
	if (err)
		rollback(st);
	return err;
}

struct snt_store_alert_iter {
	struct snt_store *st;
	sqlite3_stmt *stmt;
	bool done;
};

enum snt_store_err snt_store_alerts_new(struct snt_store *st, bool unacked_only,
					struct snt_store_alert_iter **out)
{
	struct snt_store_alert_iter *it;
	int rc;

	if (!st || !out)
		return SNT_STORE_ERR_INVAL;
	it = calloc(1, sizeof(*it));
	if (!it)
		return fail_msg(st, SNT_STORE_ERR_NOMEM, "out of memory");
	it->st = st;
	rc = sqlite3_prepare_v2(st->db, unacked_only ?
				"SELECT id, created_utc_ms, kind, seq, event_id, detail, ack_utc_ms, ack_by "
				"FROM alerts WHERE ack_utc_ms IS NULL ORDER BY id DESC" :
				"SELECT id, created_utc_ms, kind, seq, event_id, detail, ack_utc_ms, ack_by "
				"FROM alerts ORDER BY id DESC", -1, &it->stmt, NULL);
	if (rc != SQLITE_OK) {
		snt_store_alerts_free(it);
		return fail_sqlite(st, rc);
	}
	*out = it;
	return SNT_STORE_OK;
}

enum snt_store_err snt_store_alerts_next(struct snt_store_alert_iter *it, struct snt_alert *a)
{
	enum snt_store_err err;
	char kind[NAME_LEN];
	bool present;

	if (!it || !a)
		return SNT_STORE_ERR_INVAL;
	err = row_step(it->st, it->stmt, &it->done);
	if (err)
		return err;
	memset(a, 0, sizeof(*a));
	if (!col_int(it->stmt, 0, false, &present, &a->id) ||
	    !col_int(it->stmt, 1, false, &present, &a->created_utc_ms) ||
	    !col_text(it->stmt, 2, false, kind, sizeof(kind)) ||
	    !col_int(it->stmt, 3, true, &present, &a->seq) ||
	    !col_int(it->stmt, 4, true, &present, &a->event_id) ||
	    !col_text(it->stmt, 5, true, a->detail, sizeof(a->detail)) ||
	    !col_int(it->stmt, 6, true, &present, &a->ack_utc_ms) ||
	    !col_text(it->stmt, 7, true, a->ack_by, sizeof(a->ack_by))) {
		it->done = true;
		return fail_msg(it->st, SNT_STORE_ERR_CORRUPT, "alert row does not parse");
	}
	for (a->kind = 0; a->kind < SNT_ALERT_KIND_COUNT; a->kind++)
		if (!strcmp(kind, alert_kind_names[a->kind]))
			return SNT_STORE_OK;
	it->done = true;
	return fail_msg(it->st, SNT_STORE_ERR_CORRUPT, "alert kind unknown");
}

void snt_store_alerts_free(struct snt_store_alert_iter *it)
{
	if (!it)
		return;
	sqlite3_finalize(it->stmt);
	free(it);
}

enum snt_store_err snt_store_verdict_add(struct snt_store *st, int64_t seq, enum snt_colour colour,
					 const char *platform, int64_t now_utc_ms,
					 bool *contradiction)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	char held[NAME_LEN] = "", held_platform[SNT_REBASE_SOURCE_LEN] = "";
	char entry_colour[NAME_LEN] = "";
	const char *name = snt_colour_name(colour);
	int rc;

	if (!st || !platform || !contradiction || seq < 1 || !source_ok(platform, 32) ||
	    (colour != SNT_COLOUR_GREEN && colour != SNT_COLOUR_YELLOW && colour != SNT_COLOUR_RED))
		return SNT_STORE_ERR_INVAL;
	*contradiction = false;
	if (st->readonly)
		return fail_msg(st, SNT_STORE_ERR_READONLY, "store opened read-only");
	err = exec_sql(st, "BEGIN IMMEDIATE");
	if (err)
		return err;
	err = prepare_bind(st, "SELECT colour FROM entries WHERE seq = ?1", &s, 1, &seq);
	if (!err) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			if (!col_text(s, 0, false, entry_colour, sizeof(entry_colour)))
				err = fail_msg(st, SNT_STORE_ERR_CORRUPT, "entry colour does not parse");
		} else {
			err = rc == SQLITE_DONE ? SNT_STORE_ERR_DONE : fail_sqlite(st, rc);
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	if (!err)
		err = prepare_bind(st, "SELECT colour, platform FROM verdicts WHERE seq = ?1", &s, 1, &seq);
	if (!err) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			if (!col_text(s, 0, false, held, sizeof(held)) ||
			    !col_text(s, 1, false, held_platform, sizeof(held_platform)))
				err = fail_msg(st, SNT_STORE_ERR_CORRUPT, "verdict row does not parse");
		} else if (rc != SQLITE_DONE) {
			err = fail_sqlite(st, rc);
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	if (!err && held[0]) {
		if (strcmp(held, name) || strcmp(held_platform, platform))
			err = fail_msg(st, SNT_STORE_ERR_EXISTS, "another verdict is recorded for this entry");
		rollback(st);
		return err;
	}
	if (!err) {
		rc = sqlite3_prepare_v2(st->db, "INSERT INTO verdicts (seq, colour, platform, "
					"received_utc_ms) VALUES (?1, ?2, ?3, ?4)", -1, &s, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 1, seq);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_text(s, 3, platform, -1, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 4, now_utc_ms);
		err = rc == SQLITE_OK ? step_done(st, s) : fail_sqlite(st, rc);
		sqlite3_finalize(s);
		s = NULL;
	}
	if (!err && strcmp(entry_colour, name)) {
		char detail[96];

		snprintf(detail, sizeof(detail), "read %s, platform %s says %s", entry_colour, platform,
			 name);
		rc = sqlite3_prepare_v2(st->db, "INSERT INTO alerts (created_utc_ms, kind, seq, detail) "
					"VALUES (?1, 'contradiction', ?2, ?3)", -1, &s, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 1, now_utc_ms);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 2, seq);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_text(s, 3, detail, -1, SQLITE_TRANSIENT);
		err = rc == SQLITE_OK ? step_done(st, s) : fail_sqlite(st, rc);
		sqlite3_finalize(s);
		if (!err)
			*contradiction = true;
	}
	if (!err)
		err = exec_sql(st, "COMMIT");
	if (err) {
		rollback(st);
		*contradiction = false;
	}
	return err;
}

enum snt_store_err snt_store_verdict_get(struct snt_store *st, int64_t seq, enum snt_colour *colour)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	char name[NAME_LEN];
	int rc;

	if (!st || !colour)
		return SNT_STORE_ERR_INVAL;
	err = prepare_bind(st, "SELECT colour FROM verdicts WHERE seq = ?1", &s, 1, &seq);
	if (!err) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			if (!col_text(s, 0, false, name, sizeof(name)) ||
			    snt_colour_from_name(name, colour))
				err = fail_msg(st, SNT_STORE_ERR_CORRUPT, "verdict row does not parse");
		} else {
			err = rc == SQLITE_DONE ? SNT_STORE_ERR_DONE : fail_sqlite(st, rc);
		}
	}
	sqlite3_finalize(s);
	return err;
}

const char *snt_store_strerror(enum snt_store_err err)
{
	switch (err) {
	case SNT_STORE_OK:
		return "success";
	case SNT_STORE_ERR_INVAL:
		return "invalid argument";
	case SNT_STORE_ERR_OPEN:
		return "cannot open the log database";
	case SNT_STORE_ERR_READONLY:
		return "the log database is read-only";
	case SNT_STORE_ERR_FULL:
		return "disk full";
	case SNT_STORE_ERR_IO:
		return "I/O error on the log database";
	case SNT_STORE_ERR_CORRUPT:
		return "not a database, or the log database is corrupt";
	case SNT_STORE_ERR_SCHEMA:
		return "the log database's schema is not one this program knows";
	case SNT_STORE_ERR_BUSY:
		return "the log database is locked by another writer";
	case SNT_STORE_ERR_NOMEM:
		return "out of memory";
	case SNT_STORE_ERR_SQL:
		return "SQLite error";
	case SNT_STORE_ERR_DONE:
		return "no more entries";
	case SNT_STORE_ERR_STALE:
		return "the acknowledgement is older than the one recorded";
	case SNT_STORE_ERR_RANGE:
		return "sequence number past the last entry";
	case SNT_STORE_ERR_EXISTS:
		return "that boot is already rebased to another time";
	}
	return "unknown store error";
}

const char *snt_store_errmsg(const struct snt_store *st)
{
	return st ? st->errmsg : "";
}

