// SPDX-License-Identifier: MIT
/*
 * The SQLite bureau backend's sealed personal records, their retention and
 * the audit of openings and purges (tables personal and personal_audit,
 * db_sqlite.c; operations as in backend.h and bureau.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "tools/bureau/backend.h"
#include "tools/bureau/bureau.h"
#include "tools/bureau/db_sqlite_internal.h"
#include "common/i18n.h"

enum bureau_err sqlite__records_insert(struct sqlite_db *db, int64_t dev, const struct bureau_record *r, size_t count,
				       int64_t now_ms, int64_t *stored, char *why, size_t n)
{
	sqlite3_stmt *s = NULL;
	enum bureau_err err = BUREAU_OK;

	if (count == 0)
		return BUREAU_OK;
	/* Not below the retention's cut: the entry is gone, nothing would hold the record's digest. */
	if (sqlite3_prepare_v2(db->db,
			       "INSERT OR IGNORE INTO personal (dev, seq, time_utc_ms, received_utc_ms, sealed) "
			       "SELECT ?1, ?2, ?3, ?4, ?5 WHERE ?2 >= (SELECT cut_seq FROM devices WHERE id = ?1)", -1, &s,
			       NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "keep personal records");
	for (size_t i = 0; i < count; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, dev);
		sqlite3_bind_int64(s, 2, r[i].seq);
		sqlite3_bind_int64(s, 3, r[i].time_utc_ms);
		sqlite3_bind_int64(s, 4, now_ms);
		sqlite3_bind_blob(s, 5, r[i].sealed, (int)r[i].len, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE) {
			err = sqlite__db_fail(db, why, n, "keep personal records");
			break;
		}
		*stored += sqlite3_changes(db->db);
	}
	sqlite3_finalize(s);
	return err;
}

enum bureau_err sqlite__records_put(struct bureau_db *base_, const char *device, const struct bureau_record *r,
				    size_t count, int64_t now_ms, int64_t *stored, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	enum bureau_err err;
	int64_t dev = 0;

	err = sqlite__exec(db, "BEGIN IMMEDIATE", why, n);
	if (err)
		return err;
	err = sqlite__lookup(db, device, &dev, why, n);
	if (!err)
		err = sqlite__records_insert(db, dev, r, count, now_ms, stored, why, n);
	if (!err)
		err = sqlite__exec(db, "COMMIT", why, n);
	if (err) {
		*stored = 0;
		sqlite__rollback(db);
	}
	return err;
}

enum bureau_err sqlite__record_get(struct bureau_db *base_, const char *device, int64_t seq, uint8_t **sealed,
				   size_t *len, char **detail, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	sqlite3_stmt *s = NULL;
	enum bureau_err err;
	int64_t dev = 0;
	int rc;

	err = sqlite__lookup(db, device, &dev, why, n);
	if (err)
		return err;
	/* The entry's detail from the regular stream, else from a priority copy. */
	if (sqlite3_prepare_v2(db->db,
			       "SELECT p.sealed, coalesce((SELECT detail FROM entries e WHERE e.dev = p.dev AND e.seq = p.seq),"
			       " (SELECT detail FROM priority c WHERE c.dev = p.dev AND c.seq = p.seq), '') "
			       "FROM personal p WHERE p.dev = ?1 AND p.seq = ?2", -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "read a personal record");
	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_int64(s, 2, seq);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		snprintf(why, n, _("device %s holds no personal record for seq %lld (never received, or purged)"), device,
			 (long long)seq);
		err = BUREAU_ERR_NOTFOUND;
	} else if (rc != SQLITE_ROW) {
		err = sqlite__db_fail(db, why, n, "read a personal record");
	} else {
		size_t blen = (size_t)sqlite3_column_bytes(s, 0);
		const char *d = (const char *)sqlite3_column_text(s, 1);

		*sealed = blen ? malloc(blen) : NULL;
		*detail = strdup(d ? d : "");
		if (!*sealed || !*detail) {
			free(*sealed);
			free(*detail);
			*sealed = NULL;
			*detail = NULL;
			err = BUREAU_ERR_NOMEM;
		} else {
			memcpy(*sealed, sqlite3_column_blob(s, 0), blen);
			*len = blen;
		}
	}
	sqlite3_finalize(s);
	return err;
}

enum bureau_err sqlite__records_purge(struct bureau_db *base_, int64_t cutoff_ms, int64_t now_ms, int64_t *removed,
				      char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	sqlite3_stmt *s = NULL;
	enum bureau_err err;
	int64_t count = 0;

	err = sqlite__exec(db, "BEGIN IMMEDIATE", why, n);
	if (err)
		return err;
	if (sqlite3_prepare_v2(db->db, "DELETE FROM personal WHERE time_utc_ms < ?1", -1, &s, NULL) != SQLITE_OK) {
		err = sqlite__db_fail(db, why, n, "purge personal records");
		goto out;
	}
	sqlite3_bind_int64(s, 1, cutoff_ms);
	if (sqlite3_step(s) != SQLITE_DONE) {
		err = sqlite__db_fail(db, why, n, "purge personal records");
		goto out;
	}
	count = sqlite3_changes(db->db);
	sqlite3_finalize(s);
	s = NULL;
	if (count > 0) {
		if (sqlite3_prepare_v2(db->db,
				       "INSERT INTO personal_audit (time_utc_ms, action, outcome, cutoff_utc_ms, count) "
				       "VALUES (?1, 'purge', 'removed', ?2, ?3)", -1, &s, NULL) != SQLITE_OK) {
			err = sqlite__db_fail(db, why, n, "record the purge");
			goto out;
		}
		sqlite3_bind_int64(s, 1, now_ms);
		sqlite3_bind_int64(s, 2, cutoff_ms);
		sqlite3_bind_int64(s, 3, count);
		if (sqlite3_step(s) != SQLITE_DONE) {
			err = sqlite__db_fail(db, why, n, "record the purge");
			goto out;
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	err = sqlite__exec(db, "COMMIT", why, n);
out:
	sqlite3_finalize(s);
	if (err)
		sqlite__rollback(db);
	else
		*removed = count;
	return err;
}

enum bureau_err sqlite__audit_add(struct bureau_db *base_, const struct bureau_audit *a, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	sqlite3_stmt *s = NULL;
	enum bureau_err err = BUREAU_OK;

	if (sqlite3_prepare_v2(db->db, a->purge ?
			       "INSERT INTO personal_audit (time_utc_ms, action, outcome, cutoff_utc_ms, count) "
			       "VALUES (?1, 'purge', ?6, ?7, ?8)" :
			       "INSERT INTO personal_audit (time_utc_ms, action, device, seq, staff, reason, outcome) "
			       "VALUES (?1, 'open', ?2, ?3, ?4, ?5, ?6)", -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "record the opening");
	sqlite3_bind_int64(s, 1, a->time_utc_ms);
	if (a->purge) {
		sqlite3_bind_int64(s, 7, a->cutoff_utc_ms);
		sqlite3_bind_int64(s, 8, a->count);
	} else {
		sqlite3_bind_text(s, 2, a->device, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, a->seq);
		sqlite3_bind_text(s, 4, a->staff, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, a->reason, -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(s, 6, a->outcome, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		err = sqlite__db_fail(db, why, n, "record the opening");
	sqlite3_finalize(s);
	return err;
}

static void copy_text(sqlite3_stmt *s, int col, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snt_strlcpy(out, t ? (const char *)t : "", size);
}

enum bureau_err sqlite__audit(struct bureau_db *base_, struct bureau_audit **out, size_t *count, char *why,
			      size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	struct bureau_audit *v = NULL;
	sqlite3_stmt *s = NULL;
	size_t k = 0, cap = 0;
	int rc;

	if (sqlite3_prepare_v2(db->db,
			       "SELECT id, time_utc_ms, action, device, seq, staff, reason, outcome, cutoff_utc_ms, count "
			       "FROM personal_audit ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "read the audit");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct bureau_audit *a;

		if (k == cap) {
			struct bureau_audit *nv = realloc(v, (cap ? 2 * cap : 16) * sizeof(*v));

			if (!nv) {
				sqlite3_finalize(s);
				free(v);
				return BUREAU_ERR_NOMEM;
			}
			v = nv;
			cap = cap ? 2 * cap : 16;
		}
		a = &v[k++];
		memset(a, 0, sizeof(*a));
		a->id = sqlite3_column_int64(s, 0);
		a->time_utc_ms = sqlite3_column_int64(s, 1);
		a->purge = !strcmp((const char *)sqlite3_column_text(s, 2), "purge");
		copy_text(s, 3, a->device, sizeof(a->device));
		a->seq = sqlite3_column_int64(s, 4);
		copy_text(s, 5, a->staff, sizeof(a->staff));
		copy_text(s, 6, a->reason, sizeof(a->reason));
		copy_text(s, 7, a->outcome, sizeof(a->outcome));
		a->cutoff_utc_ms = sqlite3_column_int64(s, 8);
		a->count = sqlite3_column_int64(s, 9);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return sqlite__db_fail(db, why, n, "read the audit");
	}
	*out = v;
	*count = k;
	return BUREAU_OK;
}
