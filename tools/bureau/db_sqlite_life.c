// SPDX-License-Identifier: MIT
/*
 * The bureau database in an SQLite file (db_sqlite.c): a device's
 * lifecycle after its registration, the key handovers (table handovers,
 * schema version 6).  Each function is the backend.h operation of the same
 * name, with its arguments, results and errors.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "tools/bureau/backend.h"
#include "tools/bureau/bureau.h"
#include "tools/bureau/db_sqlite_internal.h"

static const char *col_text(sqlite3_stmt *s, int col)
{
	const char *t = (const char *)sqlite3_column_text(s, col);

	return t ? t : "";
}

static enum bureau_err insert_handover(struct sqlite_db *db, int64_t dev, const struct bureau_handover *h, char *why,
				       size_t n)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db->db,
			       "INSERT INTO handovers (dev, time_utc_ms, old_kid, old_pub_pem, new_kid, after_seq, "
			       "by_whom, reason) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE NOT EXISTS (SELECT 1 FROM "
			       "handovers WHERE dev = ?1 AND time_utc_ms = ?2 AND old_kid = ?3)",
			       -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "handover");
	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_int64(s, 2, h->time_utc_ms);
	sqlite3_bind_blob(s, 3, h->old_kid, 8, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, h->old_pub_pem, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 5, h->new_kid, 8, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, h->after_seq);
	sqlite3_bind_text(s, 7, h->by, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, h->reason, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? BUREAU_OK : sqlite__db_fail(db, why, n, "handover");
}

enum bureau_err sqlite__rekey(struct bureau_db *base_, const char *device, const char *pub_pem, const uint8_t kid[8],
			      const char *by, const char *reason, int64_t now_ms, bool *changed, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	struct bureau_handover h = { .time_utc_ms = now_ms };
	sqlite3_stmt *s = NULL;
	enum bureau_err err;
	int64_t dev;
	int rc;

	*changed = false;
	err = sqlite__exec(db, "BEGIN IMMEDIATE", why, n);
	if (err)
		return err;
	err = sqlite__lookup(db, device, &dev, why, n);
	if (err)
		goto out;
	if (sqlite3_prepare_v2(db->db,
			       "SELECT kid, pub_pem, max((SELECT coalesce(max(seq), 0) FROM entries WHERE dev = ?1), "
			       "(SELECT coalesce(max(seq), 0) FROM priority WHERE dev = ?1)) FROM devices WHERE id = ?1",
			       -1, &s, NULL) != SQLITE_OK)
		goto err_db;
	sqlite3_bind_int64(s, 1, dev);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW || sqlite3_column_bytes(s, 0) != 8)
		goto err_db;
	memcpy(h.old_kid, sqlite3_column_blob(s, 0), 8);
	snt_strlcpy(h.old_pub_pem, col_text(s, 1), sizeof(h.old_pub_pem));
	h.after_seq = sqlite3_column_int64(s, 2);
	sqlite3_finalize(s);
	s = NULL;
	if (!memcmp(h.old_kid, kid, 8))
		goto out;	/* the same key: nothing to hand over */
	memcpy(h.new_kid, kid, 8);
	snt_strlcpy(h.by, by, sizeof(h.by));
	snt_strlcpy(h.reason, reason, sizeof(h.reason));
	if (sqlite3_prepare_v2(db->db, "UPDATE devices SET pub_pem = ?2, kid = ?3 WHERE id = ?1", -1, &s, NULL) !=
	    SQLITE_OK)
		goto err_db;
	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_text(s, 2, pub_pem, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, kid, 8, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	s = NULL;
	if (rc != SQLITE_DONE)
		goto err_db;
	err = insert_handover(db, dev, &h, why, n);
	if (!err)
		err = sqlite__exec(db, "COMMIT", why, n);
	if (!err)
		*changed = true;
	goto out;
err_db:
	err = sqlite__db_fail(db, why, n, "rekey");
	sqlite3_finalize(s);
out:
	sqlite__rollback(db);
	return err;
}

enum bureau_err sqlite__handovers(struct bureau_db *base_, const char *device, struct bureau_handover **out,
				  size_t *count, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	struct bureau_handover *arr = NULL;
	size_t cnt = 0, cap = 0;
	sqlite3_stmt *s;
	enum bureau_err err;
	int64_t dev;
	int rc;

	err = sqlite__lookup(db, device, &dev, why, n);
	if (err)
		return err;
	if (sqlite3_prepare_v2(db->db,
			       "SELECT time_utc_ms, old_kid, old_pub_pem, new_kid, after_seq, by_whom, reason "
			       "FROM handovers WHERE dev = ?1 ORDER BY time_utc_ms, id", -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "handovers");
	sqlite3_bind_int64(s, 1, dev);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct bureau_handover *h;

		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			void *p = realloc(arr, ncap * sizeof(*arr));

			if (!p) {
				err = BUREAU_ERR_NOMEM;
				break;
			}
			arr = p;
			cap = ncap;
		}
		h = &arr[cnt++];
		memset(h, 0, sizeof(*h));
		h->time_utc_ms = sqlite3_column_int64(s, 0);
		if (sqlite3_column_bytes(s, 1) == 8)
			memcpy(h->old_kid, sqlite3_column_blob(s, 1), 8);
		snt_strlcpy(h->old_pub_pem, col_text(s, 2), sizeof(h->old_pub_pem));
		if (sqlite3_column_bytes(s, 3) == 8)
			memcpy(h->new_kid, sqlite3_column_blob(s, 3), 8);
		h->after_seq = sqlite3_column_int64(s, 4);
		snt_strlcpy(h->by, col_text(s, 5), sizeof(h->by));
		snt_strlcpy(h->reason, col_text(s, 6), sizeof(h->reason));
	}
	if (!err && rc != SQLITE_DONE)
		err = sqlite__db_fail(db, why, n, "handovers");
	sqlite3_finalize(s);
	if (err) {
		free(arr);
		return err;
	}
	*out = arr;
	*count = cnt;
	return BUREAU_OK;
}

enum bureau_err sqlite__handover_copy(struct bureau_db *base_, const char *device, const struct bureau_handover *h,
				      char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	enum bureau_err err;
	int64_t dev;

	err = sqlite__lookup(db, device, &dev, why, n);
	if (err)
		return err;
	return insert_handover(db, dev, h, why, n);
}
