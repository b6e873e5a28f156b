// SPDX-License-Identifier: MIT
/*
 * store: the store's shared helpers: SQLite result codes to store errors, the
 * error message, single-value queries, statement stepping; strerror.
 */
#include <string.h>

#include <sqlite3.h>

#include "common/i18n.h"
#include "store/store.h"
#include "store/store_internal.h"

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
enum snt_store_err store__fail_sqlite(struct snt_store *st, int rc)
{
	snt_strlcpy(st->errmsg, sqlite3_errmsg(st->db), sizeof(st->errmsg));
	return map_rc(rc);
}

enum snt_store_err store__fail_msg(struct snt_store *st, enum snt_store_err err, const char *msg)
{
	snt_strlcpy(st->errmsg, msg, sizeof(st->errmsg));
	return err;
}

enum snt_store_err store__exec_sql(struct snt_store *st, const char *sql)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? SNT_STORE_OK : store__fail_sqlite(st, rc);
}

/* Roll back an open transaction, keeping the first failure's message. */
void store__rollback(struct snt_store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

enum snt_store_err store__begin(struct snt_store *st)
{
	if (st->readonly)
		return store__fail_msg(st, SNT_STORE_ERR_READONLY, _("store opened read-only"));
	return store__exec_sql(st, "BEGIN IMMEDIATE");
}

enum snt_store_err store__commit(struct snt_store *st)
{
	enum snt_store_err err = store__exec_sql(st, "COMMIT");

	if (err)
		store__rollback(st);
	return err;
}

/*
 * Prepare the one-row query @sql and step to its row, held in *@s (the
 * caller finalizes it); on an error (no row included) nothing is left to
 * finalize.
 */
static enum snt_store_err query_row(struct snt_store *st, const char *sql, sqlite3_stmt **s)
{
	enum snt_store_err err;
	int rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);
	if (rc != SQLITE_OK)
		return store__fail_sqlite(st, rc);
	rc = sqlite3_step(*s);
	if (rc == SQLITE_ROW)
		return SNT_STORE_OK;
	err = rc == SQLITE_DONE ? store__fail_msg(st, SNT_STORE_ERR_SQL, _("query returned no row"))
				: store__fail_sqlite(st, rc);
	sqlite3_finalize(*s);
	*s = NULL;
	return err;
}

/* Run a one-row, one-column query returning an integer. */
enum snt_store_err store__query_int(struct snt_store *st, const char *sql, int64_t *v)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err = query_row(st, sql, &s);

	if (err)
		return err;
	*v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return SNT_STORE_OK;
}

/* Run a one-row, one-column query returning text, into @buf. */
enum snt_store_err store__query_text(struct snt_store *st, const char *sql, char *buf, size_t size)
{
	sqlite3_stmt *s = NULL;
	const unsigned char *t;
	enum snt_store_err err = query_row(st, sql, &s);

	if (err)
		return err;
	t = sqlite3_column_text(s, 0);
	snt_strlcpy(buf, t ? (const char *)t : "", size);
	sqlite3_finalize(s);
	return SNT_STORE_OK;
}

/* A NUL-terminated, valid UTF-8 string within @size bytes. */
bool store__field_str_ok(const char *s, size_t size)
{
	const char *nul = memchr(s, '\0', size);

	return nul && snt_entry_utf8_valid((const unsigned char *)s, (size_t)(nul - s));
}

enum snt_store_err store__prepare(struct snt_store *st, const char *sql, sqlite3_stmt **out)
{
	int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);

	return rc == SQLITE_OK ? SNT_STORE_OK : store__fail_sqlite(st, rc);
}

/* Prepare @sql and bind @n integer parameters ?1..?n; the first failure's code. */
enum snt_store_err store__prepare_bind(struct snt_store *st, const char *sql, sqlite3_stmt **out,
				       int n, const int64_t *args)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, out, NULL);

	for (int i = 0; i < n && rc == SQLITE_OK; i++)
		rc = sqlite3_bind_int64(*out, i + 1, args[i]);
	return rc == SQLITE_OK ? SNT_STORE_OK : store__fail_sqlite(st, rc);
}

/* Step a statement that writes: SQLITE_DONE is success. */
enum snt_store_err store__step_done(struct snt_store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	return rc == SQLITE_DONE ? SNT_STORE_OK : store__fail_sqlite(st, rc);
}

/*
 * Step an iterator's statement to its next row: SNT_STORE_OK on a row;
 * SNT_STORE_ERR_DONE at the end (and ever after: *@done is set, stepping a
 * finished statement again would restart it) or the mapped failure.
 */
enum snt_store_err store__row_step(struct snt_store *st, sqlite3_stmt *s, bool *done)
{
	int rc;

	if (*done)
		return SNT_STORE_ERR_DONE;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return SNT_STORE_OK;
	*done = true;
	return rc == SQLITE_DONE ? SNT_STORE_ERR_DONE : store__fail_sqlite(st, rc);
}

static const char *const err_text[] = {
	[SNT_STORE_OK] = N_("success"),
	[SNT_STORE_ERR_INVAL] = N_("invalid argument"),
	[SNT_STORE_ERR_OPEN] = N_("cannot open the log database"),
	[SNT_STORE_ERR_READONLY] = N_("the log database is read-only"),
	[SNT_STORE_ERR_FULL] = N_("disk full"),
	[SNT_STORE_ERR_IO] = N_("I/O error on the log database"),
	[SNT_STORE_ERR_CORRUPT] = N_("not a database, or the log database is corrupt"),
	[SNT_STORE_ERR_SCHEMA] = N_("the log database's schema is not one this program knows"),
	[SNT_STORE_ERR_BUSY] = N_("the log database is locked by another writer"),
	[SNT_STORE_ERR_NOMEM] = N_("out of memory"),
	[SNT_STORE_ERR_SQL] = N_("SQLite error"),
	[SNT_STORE_ERR_DONE] = N_("no more entries"),
	[SNT_STORE_ERR_STALE] = N_("the acknowledgement is older than the one recorded"),
	[SNT_STORE_ERR_RANGE] = N_("sequence number past the last entry"),
	[SNT_STORE_ERR_EXISTS] = N_("that boot is already rebased to another time"),
};

const char *snt_store_strerror(enum snt_store_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown store error"));
}

const char *snt_store_errmsg(const struct snt_store *st)
{
	return st ? st->errmsg : "";
}
