// SPDX-License-Identifier: MIT
/*
 * The bureau database in an SQLite file (db_sqlite.c): a device's
 * lifecycle after its registration: the key handovers (table handovers,
 * schema version 6) and retention (the devices' cut columns and table
 * retentions, version 7).  Each function is the backend.h operation of the same
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
#include "common/i18n.h"

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

/* ---- retention ---- */

/* The DELETE triggers of the append-only tables, as schema version 1 made them. */
#define NO_DELETE(name) \
	"CREATE TRIGGER " name "_no_delete BEFORE DELETE ON " name "\n" \
	"BEGIN SELECT RAISE(ABORT, '" name " are append-only'); END;\n"

/* Raise @dev's cut past its last entry before @before_ms; *@moved when it moved. */
static enum bureau_err raise_cut(struct sqlite_db *db, int64_t dev, int64_t cut, int64_t before_ms, bool *moved,
				 char *why, size_t n)
{
	sqlite3_stmt *s;
	int64_t last = 0;
	int rc;

	*moved = false;
	if (sqlite3_prepare_v2(db->db, "SELECT seq, hash, time_utc_ms FROM entries WHERE dev = ?1 AND seq = (SELECT "
			       "max(seq) FROM entries WHERE dev = ?1 AND time_utc_ms < ?2)", -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "retention");
	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_int64(s, 2, before_ms);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		last = sqlite3_column_int64(s, 0);
	if (rc == SQLITE_ROW && last + 1 > cut) {
		sqlite3_stmt *u;

		if (sqlite3_column_bytes(s, 1) != SNT_HASH_LEN ||
		    sqlite3_prepare_v2(db->db, "UPDATE devices SET cut_seq = ?2, cut_hash = ?3, cut_time_utc_ms = ?4 "
				       "WHERE id = ?1", -1, &u, NULL) != SQLITE_OK) {
			sqlite3_finalize(s);
			return sqlite__db_fail(db, why, n, "retention");
		}
		sqlite3_bind_int64(u, 1, dev);
		sqlite3_bind_int64(u, 2, last + 1);
		sqlite3_bind_blob(u, 3, sqlite3_column_blob(s, 1), SNT_HASH_LEN, SQLITE_TRANSIENT);
		sqlite3_bind_int64(u, 4, sqlite3_column_int64(s, 2));
		rc = sqlite3_step(u) == SQLITE_DONE ? SQLITE_DONE : SQLITE_ERROR;
		sqlite3_finalize(u);
		*moved = rc == SQLITE_DONE;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? BUREAU_OK : sqlite__db_fail(db, why, n, "retention");
}

/* Delete @dev's rows below @cut from @table; their number added to *@count. */
static enum bureau_err delete_below(struct sqlite_db *db, const char *table, int64_t dev, int64_t cut,
				    int64_t *count, char *why, size_t n)
{
	char sql[96];
	sqlite3_stmt *s;
	int rc;

	/* i18n-exempt: SQL */
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE dev = ?1 AND seq < ?2", table);
	if (sqlite3_prepare_v2(db->db, sql, -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "retention");
	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_int64(s, 2, cut);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sqlite__db_fail(db, why, n, "retention");
	*count += sqlite3_changes(db->db);
	return BUREAU_OK;
}

enum bureau_err sqlite__retention(struct bureau_db *base_, int64_t before_ms, int64_t now_ms,
				  struct bureau_retention_result *res, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	sqlite3_stmt *s = NULL;
	enum bureau_err err;
	int rc = SQLITE_DONE;

	err = sqlite__exec(db, "BEGIN IMMEDIATE", why, n);
	if (err)
		return err;
	/* The cuts first, from what is held before the month. */
	if (sqlite3_prepare_v2(db->db, "SELECT id, cut_seq FROM devices ORDER BY id", -1, &s, NULL) != SQLITE_OK) {
		err = sqlite__db_fail(db, why, n, "retention");
		goto out;
	}
	while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		bool moved;

		err = raise_cut(db, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1), before_ms, &moved, why, n);
		res->devices += moved;
	}
	if (!err && rc != SQLITE_DONE)
		err = sqlite__db_fail(db, why, n, "retention");
	sqlite3_finalize(s);
	s = NULL;
	/* Then what lies below each cut, past the append-only triggers of this transaction only. */
	if (!err)
		err = sqlite__exec(db, "DROP TRIGGER entries_no_delete; DROP TRIGGER priority_no_delete", why, n);
	if (!err && sqlite3_prepare_v2(db->db, "SELECT id, cut_seq FROM devices WHERE cut_seq > 1 ORDER BY id", -1, &s,
				       NULL) != SQLITE_OK)
		err = sqlite__db_fail(db, why, n, "retention");
	while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t dev = sqlite3_column_int64(s, 0), cut = sqlite3_column_int64(s, 1);
		int64_t e0 = res->entries, c0 = res->copies, ack;

		err = delete_below(db, "entries", dev, cut, &res->entries, why, n);
		if (!err)
			err = delete_below(db, "priority", dev, cut, &res->copies, why, n);
		/* The device's counters less what went, its ack at least at the cut. */
		if (!err && sqlite__counts_move(db, dev, e0 - res->entries, c0 - res->copies, &ack))
			err = sqlite__db_fail(db, why, n, "retention");
		/* Their sealed personal records go with them (no entry is left to hold their digest). */
		if (!err)
			err = delete_below(db, "personal", dev, cut, &res->records, why, n);
	}
	if (!err && rc != SQLITE_DONE)
		err = sqlite__db_fail(db, why, n, "retention");
	sqlite3_finalize(s);
	s = NULL;
	if (!err)
		err = sqlite__exec(db, NO_DELETE("entries") NO_DELETE("priority"), why, n);
	if (!err && res->records > 0) {
		struct bureau_audit a = { .time_utc_ms = now_ms, .purge = true, .cutoff_utc_ms = before_ms,
					  .count = res->records };

		snt_strlcpy(a.outcome, "removed", sizeof(a.outcome));
		err = sqlite__audit_add(base_, &a, why, n);
	}
	if (!err && sqlite3_prepare_v2(db->db, "INSERT INTO retentions (before_utc_ms, time_utc_ms, entries, copies) "
				       "VALUES (?1, ?2, ?3, ?4)", -1, &s, NULL) != SQLITE_OK)
		err = sqlite__db_fail(db, why, n, "retention");
	if (!err) {
		sqlite3_bind_int64(s, 1, before_ms);
		sqlite3_bind_int64(s, 2, now_ms);
		sqlite3_bind_int64(s, 3, res->entries);
		sqlite3_bind_int64(s, 4, res->copies);
		if (sqlite3_step(s) != SQLITE_DONE)
			err = sqlite__db_fail(db, why, n, "retention");
	}
	sqlite3_finalize(s);
	if (!err)
		err = sqlite__exec(db, "COMMIT", why, n);
out:
	sqlite__rollback(db);
	if (err)
		memset(res, 0, sizeof(*res));
	return err;
}

enum bureau_err sqlite__cut(struct bureau_db *base_, const char *device, int64_t *seq, uint8_t hash[SNT_HASH_LEN],
			    char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	sqlite3_stmt *s;
	int rc;

	*seq = 1;
	memset(hash, 0, SNT_HASH_LEN);
	if (sqlite3_prepare_v2(db->db, "SELECT cut_seq, cut_hash FROM devices WHERE device = ?1", -1, &s, NULL) !=
	    SQLITE_OK)
		return sqlite__db_fail(db, why, n, "cut");
	sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(s, 0);
		if (sqlite3_column_bytes(s, 1) == SNT_HASH_LEN)
			memcpy(hash, sqlite3_column_blob(s, 1), SNT_HASH_LEN);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE) {
		snprintf(why, n, _("device %s is not registered"), device);
		return BUREAU_ERR_NOTFOUND;
	}
	return rc == SQLITE_ROW ? BUREAU_OK : sqlite__db_fail(db, why, n, "cut");
}

enum bureau_err sqlite__cut_copy(struct bureau_db *base_, const char *device, int64_t seq,
				 const uint8_t hash[SNT_HASH_LEN], int64_t time_ms, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	sqlite3_stmt *s;
	enum bureau_err err;
	int64_t dev, ack;
	int rc;

	err = sqlite__lookup(db, device, &dev, why, n);
	if (err)
		return err;
	if (sqlite3_prepare_v2(db->db, "UPDATE devices SET cut_seq = ?2, cut_hash = ?3, cut_time_utc_ms = ?4 "
			       "WHERE id = ?1 AND cut_seq < ?2", -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "cut");
	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_int64(s, 2, seq);
	sqlite3_bind_blob(s, 3, hash, SNT_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, time_ms);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	/* The ack at least at the new cut (counted on from there). */
	if (rc == SQLITE_DONE && sqlite__counts_move(db, dev, 0, 0, &ack))
		rc = SQLITE_ERROR;
	return rc == SQLITE_DONE ? BUREAU_OK : sqlite__db_fail(db, why, n, "cut");
}
