/* SPDX-License-Identifier: MIT */
/*
 * store_internal.h: what the files of firmware/store/ share, for use only
 * inside firmware/store/: the store's and iterator's structs, the entry
 * columns of a row, and the store__ functions one file calls in another.
 */
#ifndef SNT_STORE_INTERNAL_H
#define SNT_STORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "common/i18n.h"
#include "store/store.h"

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
	COL_PAYLOAD_HASH,
	COL_BIRTH_YEAR,
};

#define ENTRY_COLS SNT_STORE_ROW_COLUMNS

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
	char head_path[4096];		/* "<db>.head" */
	bool head_marked;		/* meta('head_file') committed by this connection */
	bool head_mark_pending;		/* ... inserted in the open append transaction */
	bool head_exists;		/* this connection wrote or read a valid head file */
	int head_errno;			/* errno of the last head-file write, 0 when it succeeded */
	int seal_errno;			/* errno of the last key-file write, 0 when it succeeded */
	struct snt_fss *seal;		/* the evolving seal key (snt_store_seal_attach()), or NULL */
	struct snt_fss seal_next;	/* inside an append: the key as of its last entry */
	char seal_path[4096];
	sqlite3_stmt *st_seal;		/* INSERT INTO seals */
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

/* Where a chain walk stands: the seq the next entry must have, and its prev_hash. */
struct chain {
	int64_t next_seq;
	uint8_t prev[SNT_HASH_LEN];
};

/* ---- store.c ---- */

/* Record SQLite's message for @rc and return the mapped error. */
enum snt_store_err store__fail_sqlite(struct snt_store *st, int rc);

enum snt_store_err store__fail_msg(struct snt_store *st, enum snt_store_err err, const char *msg);

enum snt_store_err store__exec_sql(struct snt_store *st, const char *sql);

/*
 * Start a write transaction (BEGIN IMMEDIATE): SNT_STORE_ERR_READONLY when
 * @st was opened read-only, else store__exec_sql()'s result.
 */
enum snt_store_err store__begin(struct snt_store *st);

/* Roll back an open transaction, keeping the first failure's message. */
void store__rollback(struct snt_store *st);

/* Commit the open transaction; when COMMIT fails, roll it back.  Return: SNT_STORE_OK or COMMIT's error. */
enum snt_store_err store__commit(struct snt_store *st);

/* Run a one-row, one-column query returning an integer. */
enum snt_store_err store__query_int(struct snt_store *st, const char *sql, int64_t *v);

/* Run a one-row, one-column query returning text, into @buf. */
enum snt_store_err store__query_text(struct snt_store *st, const char *sql, char *buf, size_t size);

/* A NUL-terminated, valid UTF-8 string within @size bytes. */
bool store__field_str_ok(const char *s, size_t size);

enum snt_store_err store__prepare(struct snt_store *st, const char *sql, sqlite3_stmt **out);

/* Prepare @sql and bind @n integer parameters ?1..?n; the first failure's code. */
enum snt_store_err store__prepare_bind(struct snt_store *st, const char *sql, sqlite3_stmt **out,
				       int n, const int64_t *args);

/* Step a statement that writes: SQLITE_DONE is success. */
enum snt_store_err store__step_done(struct snt_store *st, sqlite3_stmt *s);

/*
 * Step an iterator's statement to its next row: SNT_STORE_OK on a row;
 * SNT_STORE_ERR_DONE at the end (and ever after: *@done is set, stepping a
 * finished statement again would restart it) or the mapped failure.
 */
enum snt_store_err store__row_step(struct snt_store *st, sqlite3_stmt *s, bool *done);

/* ---- store_row.c ---- */

extern const char *const store__col_names[];

/* A detail record: "" (none) or one JSON object (RFC 8259), no duplicate names. */
bool store__detail_ok(const char *d);

enum snt_store_err store__fail_column(struct snt_store *st, int64_t seq, enum col c);

/*
 * Check every field of @e that is hashed and stored, and fill @t with the
 * names.  Return SNT_STORE_OK or SNT_STORE_ERR_INVAL.
 */
enum snt_store_err store__entry_prepare(const struct snt_entry *e, struct snt_entry_names *t);

/*
 * SHA-256(prev_hash || canonical form) (snt_entry_hash_input()), with the
 * digest context @ctx (reset here; reused across entries).
 */
enum snt_store_err store__hash_entry(EVP_MD_CTX *ctx, const struct snt_entry *e,
				     const struct snt_entry_names *t, uint8_t out[SNT_HASH_LEN]);

/* Integer column, which must be stored as an integer (or NULL if @nullable). */
bool store__col_int(sqlite3_stmt *s, enum col c, bool nullable, bool *present, int64_t *v);

/*
 * Text column into @buf of @size bytes: fits with its NUL, no NUL inside,
 * valid UTF-8.  NULL gives "" when @nullable; a stored "" is then invalid.
 */
bool store__col_text(sqlite3_stmt *s, enum col c, bool nullable, char *buf, size_t size);

bool store__col_hash(sqlite3_stmt *s, enum col c, uint8_t out[SNT_HASH_LEN]);

/*
 * Decode the current row of @s (columns ENTRY_COLS) into @out.  The payload
 * is copied into the store's buffer when @copy, else points into @s.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_CORRUPT with *@bad the first column
 * whose stored value is not valid and *@seq the row's seq (0 if the seq
 * itself is not valid); SNT_STORE_ERR_NOMEM.  No message is recorded.
 */
enum snt_store_err store__decode_cols(struct snt_store *st, sqlite3_stmt *s, bool copy,
				      struct snt_entry *out, enum col *bad, int64_t *seq);

/* store__decode_cols(), recording the failure's message on @st. */
enum snt_store_err store__decode_row(struct snt_store *st, sqlite3_stmt *s, bool copy,
				     struct snt_entry *out);


/* ---- store_head.c ---- */

/*
 * The chain head: the seq and hash of the last entry, else of the last
 * purge's anchor; 0 and 32 zero bytes for an empty chain.  Inside an
 * append's write transaction, what the next entry follows.
 */
enum snt_store_err store__log_head(struct snt_store *st, int64_t *seq, uint8_t hash[SNT_HASH_LEN]);

/*
 * Inside the caller's write transaction, before the first insert: record
 * meta('head_file') once per connection.
 */
enum snt_store_err store__head_mark(struct snt_store *st);

/* At the start of an append transaction: the key the entries are sealed with. */
void store__seal_begin(struct snt_store *st);

/*
 * Inside the caller's write transaction, after @e was inserted: seal it
 * (when a key is attached) in its epoch: for a trusted clock the epoch of
 * its time, never below the previous entry's; else the previous entry's.
 * The key moves forward in memory only; it is written after the commit.
 */
enum snt_store_err store__seal_entry(struct snt_store *st, const struct snt_entry *e);

/* After a rolled-back append: forget the keys it moved to. */
void store__seal_abort(struct snt_store *st);

/*
 * After a commit whose last entry is (@seq, @hash): the seal key file moves
 * on to the epoch of the last entry (the earlier key erased), then the head
 * file is replaced.
 */
void store__head_committed(struct snt_store *st, int64_t seq, const uint8_t hash[SNT_HASH_LEN]);

/* ---- store_maint.c ---- */

/*
 * Check one decoded entry against @c: its seq is the one due, its prev_hash
 * links, its hash recomputes.  *@reason: NULL when it holds (and @c moves on
 * past it), else the finding in snt_store_verify()'s words.
 * Return: SNT_STORE_OK, or SNT_STORE_ERR_NOMEM if SHA-256 failed.
 */
enum snt_store_err store__check_link(struct snt_store *st, struct chain *c,
				     const struct snt_entry *e, const char **reason);

/*
 * Decode the entry row at @s into @e and check it against @c
 * (store__check_link()), as verification and purge walk the chain.
 * Return: SNT_STORE_OK, *@reason NULL or the link's finding;
 * SNT_STORE_ERR_CORRUPT, a column that does not decode: *@bad which, *@seq
 * the row's seq (no message recorded); another error with its message.
 */
enum snt_store_err store__walk_row(struct snt_store *st, sqlite3_stmt *s, struct chain *c,
				   struct snt_entry *e, enum col *bad, int64_t *seq, const char **reason);

/* 1 to @max bytes of [a-z0-9-]. */
bool store__source_ok(const char *s, size_t max);

/*
 * Write a meta row: the one statement @sql with ?1 bound to @utc_ms (as
 * decimal text when @as_text), a committed change of its own.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_INVAL (@st NULL, @utc_ms not in
 * 1..9999-12-31); SNT_STORE_ERR_READONLY; the mapped SQLite failure.
 */
enum snt_store_err store__meta_put(struct snt_store *st, const char *sql, int64_t utc_ms, bool as_text);

/* ---- store_query.c ---- */

enum snt_store_err store__query_bind(struct snt_store *st, const struct snt_store_query *q,
				     sqlite3_stmt *s);

/* Run @sql (one integer result) with @q's bounds bound. */
enum snt_store_err store__query_count(struct snt_store *st, const char *sql,
				      const struct snt_store_query *q, int64_t *n);

#endif /* SNT_STORE_INTERNAL_H */
