// SPDX-License-Identifier: MIT
/*
 * store: the review queries: entries matching a filter (time, decision, colour,
 * kind, fever) streamed in order, and their count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_internal.h"

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

enum snt_store_err store__query_bind(struct snt_store *st, const struct snt_store_query *q,
				     sqlite3_stmt *s)
{
	int rc = SQLITE_OK;

	if (q->since_utc_ms)
		rc = sqlite3_bind_int64(s, 1, q->since_utc_ms);
	if (rc == SQLITE_OK && q->until_utc_ms)
		rc = sqlite3_bind_int64(s, 2, q->until_utc_ms);
	return rc == SQLITE_OK ? SNT_STORE_OK : store__fail_sqlite(st, rc);
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
		/* i18n-exempt: SQL */
		snprintf(sql, sizeof(sql), "SELECT " ENTRY_COLS " FROM entries%s ORDER BY time_utc_ms%s, "
			 "seq%s LIMIT %lld", where, q->newest_first ? " DESC" : "",
			 q->newest_first ? " DESC" : "", q->limit ? (long long)q->limit : -1LL);
	else
		/* i18n-exempt: SQL */
		snprintf(sql, sizeof(sql), "SELECT " ENTRY_COLS " FROM entries%s ORDER BY seq%s LIMIT %lld",
			 where, q->newest_first ? " DESC" : "", q->limit ? (long long)q->limit : -1LL);
	it = calloc(1, sizeof(*it));
	if (!it)
		return store__fail_msg(st, SNT_STORE_ERR_NOMEM, _("out of memory"));
	it->st = st;
	rc = sqlite3_prepare_v2(st->db, sql, -1, &it->stmt, NULL);
	if (rc != SQLITE_OK) {
		err = store__fail_sqlite(st, rc);
		goto err_free;
	}
	err = store__query_bind(st, q, it->stmt);
	if (err)
		goto err_free;
	*out = it;
	return SNT_STORE_OK;

err_free:
	snt_store_iter_free(it);
	return err;
}

/* Run @sql (one integer result) with @q's bounds bound. */
enum snt_store_err store__query_count(struct snt_store *st, const char *sql,
				      const struct snt_store_query *q, int64_t *n)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__fail_sqlite(st, rc);
	err = store__query_bind(st, q, s);
	if (!err) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			*n = sqlite3_column_int64(s, 0);
		else
			err = store__fail_sqlite(st, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
	}
	sqlite3_finalize(s);
	return err;
}

enum snt_store_err snt_store_count(struct snt_store *st, const struct snt_store_query *q, int64_t *n)
{
	char where[512], sql[640];

	if (!st || !q || !n || !query_where(q, where, sizeof(where)))
		return SNT_STORE_ERR_INVAL;
	/* i18n-exempt: SQL */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM entries%s", where);
	return store__query_count(st, sql, q, n);
}
