/* SPDX-License-Identifier: MIT */
/*
 * store: the gate's durable log of entries in SQLite (3.40).
 *
 * The database runs in WAL mode with synchronous=FULL (SQLite "Write-Ahead
 * Logging" and "PRAGMA synchronous"): snt_store_append() returns only after
 * the entry's transaction is committed and the WAL fsync'd, so an entry that
 * was acknowledged survives a power cut.  The schema is versioned with
 * PRAGMA user_version and migrated forward on open.  Entries are append-only:
 * triggers refuse UPDATE and DELETE.
 *
 * Each entry carries a per-device sequence number (1, 2, 3, ... without
 * gaps) and a SHA-256 hash chain: hash = SHA-256(prev_hash || canonical
 * entry), the canonical form being documented in store.c.  The first
 * entry's prev_hash is 32 zero bytes.
 *
 * Readers (sentinelctl) open the same file concurrently; WAL lets them read
 * while the daemon writes.
 */
#ifndef SNT_STORE_H
#define SNT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock/clock.h"
#include "codes/codes.h"
#include "common/common.h"
#include "policy/policy.h"
#include "scan/scan.h"

#define SNT_STORE_SCHEMA_VERSION 1

enum snt_store_err {
	SNT_STORE_OK = 0,
	SNT_STORE_ERR_INVAL,	/* NULL or out-of-range argument */
	SNT_STORE_ERR_OPEN,	/* the file cannot be opened or created (path, permissions) */
	SNT_STORE_ERR_READONLY,	/* the database or its directory is read-only */
	SNT_STORE_ERR_FULL,	/* disk full (SQLITE_FULL) */
	SNT_STORE_ERR_IO,	/* I/O error (SQLITE_IOERR) */
	SNT_STORE_ERR_CORRUPT,	/* not a database, or malformed (SQLITE_CORRUPT/NOTADB) */
	SNT_STORE_ERR_SCHEMA,	/* schema newer than this program, or a migration failed */
	SNT_STORE_ERR_BUSY,	/* locked by another writer past the busy timeout */
	SNT_STORE_ERR_NOMEM,
	SNT_STORE_ERR_SQL,	/* any other SQLite error */
	SNT_STORE_ERR_DONE,	/* iterator: no more entries (not a failure) */
};

enum snt_person_kind {
	SNT_KIND_VISITOR = 0,
	SNT_KIND_STAFF,
};

enum snt_door {
	SNT_DOOR_SHUT = 0,
	SNT_DOOR_OPENED,
};

#define SNT_BOOT_ID_LEN 37	/* 36 characters + NUL */
#define SNT_SUBJECT_LEN 64	/* masked name, UTF-8, NUL-terminated */
#define SNT_HASH_LEN 32		/* SHA-256 */
#define SNT_STORE_MAX_PAYLOAD 65536	/* largest payload kept, bytes */

/*
 * One entry.  Strings are NUL-terminated arrays; the payload (the raw code
 * token, kept for online verification at sync) is a pointer: borrowed by
 * snt_store_append(), owned by the iterator for entries read back.
 */
struct snt_entry {
	int64_t seq;				/* assigned by the store on append */
	char boot_id[SNT_BOOT_ID_LEN];		/* kernel boot id at the time */
	int64_t mono_ms;			/* monotonic ms since that boot */
	int64_t time_utc_ms;			/* wall time, ms since the epoch */
	enum snt_clock_state clock;
	enum snt_person_kind kind;
	enum snt_code_format format;
	enum snt_colour colour;
	enum snt_verified verified;
	bool has_temp;
	int temp_dc;				/* tenths of °C, when has_temp */
	enum snt_decision decision;
	snt_reasons_t reasons;
	enum snt_door door;
	char subject[SNT_SUBJECT_LEN];		/* masked name; "" when unknown */
	const uint8_t *payload;			/* raw code bytes, or NULL */
	size_t payload_len;			/* 0 = no payload (read back as NULL) */
	uint8_t prev_hash[SNT_HASH_LEN];	/* set by the store */
	uint8_t hash[SNT_HASH_LEN];		/* set by the store */
};

struct snt_store;
struct snt_store_iter;

/*
 * snt_store_open() - open (creating if needed) the log at @path, set WAL and
 * synchronous=FULL, and migrate the schema to SNT_STORE_SCHEMA_VERSION.
 * @path: database file; its directory must exist.
 * @readonly: open for reading only (no create, no migration, no change to
 *     the file); for the CLI.  The file must already hold the current schema.
 *     A writable open keeps the -wal and -shm files when closed so that such
 *     readers need no write access to the directory.
 * @out: receives the store; close with snt_store_close().  Untouched on error.
 * The connection uses a busy timeout of 5000 ms and foreign keys on.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_INVAL if @path or @out is NULL or @path
 * is empty; SNT_STORE_ERR_OPEN if the file cannot be opened/created (missing
 * file when @readonly, missing directory, a new file in a read-only
 * directory, no read permission); SNT_STORE_ERR_READONLY if it cannot be
 * written (writable open only: write-protected file, or an existing file in
 * a read-only directory without its -wal/-shm files); SNT_STORE_ERR_IO for
 * a path that is a directory;
 * SNT_STORE_ERR_CORRUPT if it is not a database; SNT_STORE_ERR_SCHEMA if its
 * user_version is newer than this program, if it is another program's
 * database (foreign application_id or tables without a user_version), if
 * @readonly and the schema is older than this program (an empty file
 * included), or if a migration step failed (the file is left as it was);
 * SNT_STORE_ERR_SQL if WAL could not be enabled; SNT_STORE_ERR_BUSY,
 * _IO, _FULL, _NOMEM for the matching SQLite failures.
 */
enum snt_store_err snt_store_open(const char *path, bool readonly, struct snt_store **out) SNT_WUR;

/*
 * snt_store_close() - finalize statements and close the database; NULL does
 * nothing.  Free every iterator of @st first.
 */
void snt_store_close(struct snt_store *st);

/*
 * snt_store_append() - append one entry durably.
 * @st: a store opened writable.
 * @e: the entry; seq, prev_hash and hash are ignored on input and set by the
 *     store on success.  boot_id and subject must be NUL-terminated valid
 *     UTF-8 within their arrays; subject must be masked already; payload is
 *     borrowed, payload_len 0 means none.  temp_dc is ignored unless has_temp.
 * The sequence number is the last one + 1 and prev_hash the last entry's hash
 * (32 zero bytes for the first), both read inside the same BEGIN IMMEDIATE
 * transaction as the insert, so concurrent writers cannot fork the chain.
 * Return: SNT_STORE_OK once the transaction is committed (fsync'd);
 * SNT_STORE_ERR_INVAL for a NULL argument, an enum out of range, a reason bit
 * past SNT_REASON_COUNT, an unterminated or non-UTF-8 string, a payload_len
 * without payload or above SNT_STORE_MAX_PAYLOAD; SNT_STORE_ERR_READONLY when
 * @st was opened read-only or the file became read-only; SNT_STORE_ERR_FULL,
 * _IO, _BUSY, _CORRUPT, _NOMEM, _SQL for the matching SQLite failures (a
 * last entry whose hash is not 32 bytes is _CORRUPT); in every error case the
 * transaction was rolled back, nothing was written and @e is unchanged.
 */
enum snt_store_err snt_store_append(struct snt_store *st, struct snt_entry *e) SNT_WUR;

/*
 * snt_store_last_seq() - highest sequence number in the log.
 * Return: SNT_STORE_OK and *seq (0 when empty); SNT_STORE_ERR_INVAL for a
 * NULL argument; or an SQLite failure mapped as for snt_store_append().
 */
enum snt_store_err snt_store_last_seq(struct snt_store *st, int64_t *seq) SNT_WUR;

/*
 * snt_store_get() - read entry @seq.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_DONE if no such entry;
 * SNT_STORE_ERR_INVAL for a NULL argument; SNT_STORE_ERR_CORRUPT when a
 * stored value does not parse (unknown name, reasons not in canonical order,
 * hash not 32 bytes, string too long or with NUL/invalid UTF-8); or an
 * SQLite failure mapped as for snt_store_append().  On error @e is
 * unspecified.  The payload of @e points into store memory valid until the
 * next call on @st.
 */
enum snt_store_err snt_store_get(struct snt_store *st, int64_t seq, struct snt_entry *e) SNT_WUR;

/*
 * snt_store_iter_new() - iterate entries with seq > @after_seq in order.
 * Rows are read one at a time (nothing is loaded in bulk); the iterator
 * holds an SQLite read transaction until freed, so free it promptly.
 * Return: SNT_STORE_OK and *out; free with snt_store_iter_free() before
 * closing @st.  SNT_STORE_ERR_INVAL for a NULL argument; SNT_STORE_ERR_NOMEM;
 * or an SQLite failure mapped as for snt_store_append().
 */
enum snt_store_err snt_store_iter_new(struct snt_store *st, int64_t after_seq,
				      struct snt_store_iter **out) SNT_WUR;

/*
 * snt_store_iter_next() - next entry into @e.  The payload points into
 * iterator memory valid until the next call.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_DONE at the end; SNT_STORE_ERR_CORRUPT
 * when a stored value is out of range (as for snt_store_get()); or another
 * error as for snt_store_get().  After an error other than _DONE the
 * iterator must only be freed.
 */
enum snt_store_err snt_store_iter_next(struct snt_store_iter *it, struct snt_entry *e) SNT_WUR;

/* snt_store_iter_free() - NULL does nothing. */
void snt_store_iter_free(struct snt_store_iter *it);

/* Durability settings of an open store, read back from SQLite. */
struct snt_store_info {
	char journal_mode[16];	/* "wal" for a writable store */
	int synchronous;	/* PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA */
	int user_version;	/* schema version, SNT_STORE_SCHEMA_VERSION */
	int busy_timeout_ms;	/* PRAGMA busy_timeout */
	bool foreign_keys;	/* PRAGMA foreign_keys */
	bool readonly;		/* opened (or became) read-only */
};

/*
 * snt_store_get_info() - query the connection's live settings (for tests,
 * `sentineld -n` and self-tests: proof that WAL and synchronous=FULL hold).
 * Return: SNT_STORE_OK and *out; SNT_STORE_ERR_INVAL for a NULL argument;
 * or an SQLite failure mapped as for snt_store_append().
 */
enum snt_store_err snt_store_get_info(struct snt_store *st, struct snt_store_info *out) SNT_WUR;

/*
 * snt_store_entry_hash() - recompute an entry's chain hash:
 * SHA-256(@e->prev_hash || canonical form of @e), the canonical form being
 * the one documented at the top of store.c ("sentinel-entry-v1").  Uses
 * every field but hash itself, seq and payload included.  For verify-log and
 * the bureau: equal to @e->hash for an untouched entry read back.
 * @out: receives SNT_HASH_LEN bytes (may be @e->hash).
 * Return: SNT_STORE_OK; SNT_STORE_ERR_INVAL under the same conditions as
 * snt_store_append() (NULL, enum out of range, bad string, bad payload);
 * SNT_STORE_ERR_NOMEM if OpenSSL could not allocate its digest context.
 */
enum snt_store_err snt_store_entry_hash(const struct snt_entry *e, uint8_t out[SNT_HASH_LEN]) SNT_WUR;

/* snt_store_strerror() - static English text for @err; never NULL. */
const char *snt_store_strerror(enum snt_store_err err);

/*
 * snt_store_errmsg() - SQLite's (or the store's) message for the last
 * failure on @st, for the operator: it names no entry content; "" when none
 * or @st is NULL.  Valid until the next call on @st.
 */
const char *snt_store_errmsg(const struct snt_store *st);

/* snt_person_kind_name() - "visitor" or "staff"; NULL if @k is out of range. */
const char *snt_person_kind_name(enum snt_person_kind k);

/*
 * snt_person_kind_from_name() - parse a name from snt_person_kind_name().
 * Return: 0 and *out set; -1 if @name is NULL or not one of them.
 */
int snt_person_kind_from_name(const char *name, enum snt_person_kind *out) SNT_WUR;

/* snt_door_name() - "opened" or "shut"; NULL if @d is out of range. */
const char *snt_door_name(enum snt_door d);

/*
 * snt_door_from_name() - parse a name from snt_door_name().
 * Return: 0 and *out set; -1 if @name is NULL or not one of them.
 */
int snt_door_from_name(const char *name, enum snt_door *out) SNT_WUR;

#endif /* SNT_STORE_H */
