// SPDX-License-Identifier: MIT
/*
 * The PostgreSQL bureau backend's monthly partitions of entries (db_pg.c
 * describes the layout): which exist, and making those a merge's entries
 * meet, before the merge's transaction.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "tools/bureau/backend.h"
#include "tools/bureau/bureau.h"
#include "tools/bureau/db_pg_internal.h"

#define PG_FIRST_MONTH (2000 * 12)	/* no partition before 2000-01 */
#define PG_MONTHS_AHEAD 12		/* nor more than a year past the bureau's clock */
#define PG_MONTHS_MADE_AHEAD 2		/* made ahead of now: this month and the next two */

static int month_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static bool month_in(const int32_t *arr, size_t count, int32_t m)
{
	return count && bsearch(&m, arr, count, sizeof(*arr), month_cmp) != NULL;
}

static int month_add(int32_t **arr, size_t *count, size_t *cap, int32_t m)
{
	int32_t *p = bureau__grow(*arr, cap, *count + 1, sizeof(**arr));

	if (!p)
		return -1;
	*arr = p;
	p[(*count)++] = m;
	qsort(*arr, *count, sizeof(**arr), month_cmp);
	return 0;
}

/* The month (year * 12 + month - 1) of @ms (UTC); INT32_MIN outside what gmtime can say. */
static int32_t month_of(int64_t ms)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		return INT32_MIN;
	return (int32_t)((tm.tm_year + 1900) * 12 + tm.tm_mon);
}

/* The first millisecond of month @m (UTC). */
static int64_t month_start_ms(int32_t m)
{
	struct tm tm = { .tm_year = m / 12 - 1900, .tm_mon = m % 12, .tm_mday = 1 };

	return (int64_t)timegm(&tm) * 1000;
}

/* Read the partitions that exist: their names are entries_YYYY_MM. */
enum bureau_err pg__load_months(struct pg_db *db, char *why, size_t n)
{
	PGresult *r = pg__run(db,
			  "SELECT c.relname FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c "
			  "ON c.oid = i.inhrelid WHERE i.inhparent = 'entries'::regclass",
			  NULL, PGRES_TUPLES_OK, why, n, "partitions");

	if (!r)
		return BUREAU_ERR_DB;
	db->n_months = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		int y, mo;
		char tail;

		if (sscanf(PQgetvalue(r, i, 0), "entries_%4d_%2d%c", &y, &mo, &tail) == 2 && mo >= 1 && mo <= 12 &&
		    month_add(&db->months, &db->n_months, &db->cap_months, (int32_t)(y * 12 + mo - 1))) {
			PQclear(r);
			return BUREAU_ERR_NOMEM;
		}
	}
	PQclear(r);
	return BUREAU_OK;
}

/*
 * Make the partition of month @m (own transaction, before a merge's).  A
 * month whose rows already went to the default partition keeps them there
 * (the server refuses the partition): remembered, not retried.
 */
static enum bureau_err make_month(struct pg_db *db, int32_t m, char *why, size_t n)
{
	char sql[320];
	PGresult *r;
	int64_t from = month_start_ms(m), to = month_start_ms(m + 1);
	enum bureau_err err;

	/* i18n-exempt: SQL */
	snprintf(sql, sizeof(sql),
		 "CREATE TABLE IF NOT EXISTS entries_%04d_%02d PARTITION OF entries FOR VALUES FROM (%" PRId64
		 ") TO (%" PRId64 ")", m / 12, m % 12 + 1, from, to);
	err = pg__begin_schema(db, why, n, "partition");
	if (err)
		return err;
	r = PQexec(db->conn, sql);
	if (r && PQresultStatus(r) == PGRES_COMMAND_OK) {
		PQclear(r);
		err = pg__cmd(db, "COMMIT", NULL, why, n, "partition");
		if (err) {
			pg__rollback(db);
			return err;
		}
		return month_add(&db->months, &db->n_months, &db->cap_months, m) ? BUREAU_ERR_NOMEM : BUREAU_OK;
	}
	{
		const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
		bool in_default = state && !strcmp(state, "23514");	/* check_violation: rows in the default */

		if (!in_default)
			err = pg__fail(db, r, why, n, "partition");
		PQclear(r);
		pg__rollback(db);
		if (!in_default)
			return err;
	}
	return month_add(&db->refused, &db->n_refused, &db->cap_refused, m) ? BUREAU_ERR_NOMEM : BUREAU_OK;
}

/* Partitions for the months @months (@count; within the bounds) and the months ahead of @now_ms. */
static enum bureau_err make_months(struct pg_db *db, const int32_t *months, size_t count, int64_t now_ms,
				   char *why, size_t n)
{
	int32_t now = month_of(now_ms);
	enum bureau_err err;

	if (now == INT32_MIN)
		return BUREAU_OK;
	for (int32_t m = now; m <= now + PG_MONTHS_MADE_AHEAD; m++) {
		if (!month_in(db->months, db->n_months, m) && !month_in(db->refused, db->n_refused, m)) {
			err = make_month(db, m, why, n);
			if (err)
				return err;
		}
	}
	for (size_t i = 0; i < count; i++) {
		int32_t m = months[i];

		if (m < PG_FIRST_MONTH || m > now + PG_MONTHS_AHEAD)
			continue;
		if (month_in(db->months, db->n_months, m) || month_in(db->refused, db->n_refused, m))
			continue;
		err = make_month(db, m, why, n);
		if (err)
			return err;
	}
	return BUREAU_OK;
}


/* The months a bundle's entries meet (bureau_merge_src.times()), each once. */
struct month_set {
	int32_t *m;
	size_t n, cap;
	int32_t last;
	bool failed;
};

static void month_seen(void *arg, int64_t time_utc_ms)
{
	struct month_set *s = arg;
	int32_t m = month_of(time_utc_ms);

	if (m == s->last || s->failed)
		return;
	s->last = m;
	if (!month_in(s->m, s->n, m) && month_add(&s->m, &s->n, &s->cap, m))
		s->failed = true;
}

/*
 * The partitions of the months @src's entries meet, and of this month and
 * the next two: a month before this one may have been dropped by a
 * retention in another process since the list was read, so the list is
 * read again first when the bundle meets one (making a partition is
 * idempotent, CREATE TABLE IF NOT EXISTS, but one believed present would
 * not be made).
 */
enum bureau_err pg__bundle_months(struct pg_db *db, const struct bureau_merge_src *src, int64_t now_ms, char *why,
				  size_t n)
{
	struct month_set months = { .last = INT32_MIN };
	int32_t now = month_of(now_ms);
	enum bureau_err err = BUREAU_OK;
	bool old = false;

	if (src->times)
		src->times(src->ctx, month_seen, &months);
	if (months.failed) {
		free(months.m);
		return BUREAU_ERR_NOMEM;
	}
	for (size_t i = 0; i < months.n; i++)
		old = old || (months.m[i] >= PG_FIRST_MONTH && months.m[i] < now);
	if (old)
		err = pg__load_months(db, why, n);
	if (!err)
		err = make_months(db, months.m, months.n, now_ms, why, n);
	free(months.m);
	return err;
}
