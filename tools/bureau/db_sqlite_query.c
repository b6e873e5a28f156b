// SPDX-License-Identifier: MIT
/*
 * The SQLite bureau backend's queries (db_sqlite_internal.h): devices,
 * gaps, entry iteration, verifications and verdicts, alerts, rule sets,
 * revocation and day counts.  The layout is described in db_sqlite.c.
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

enum bureau_err sqlite__device_info(struct bureau_db *base_, const char *device,
				      struct bureau_device_info *out, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;

	sqlite3_stmt *s;
	int64_t dev;
	enum bureau_err err;
	int rc;

	memset(out, 0, sizeof(*out));
	err = sqlite__exec(db, "BEGIN", why, n);	/* one snapshot */
	if (err)
		return err;
	err = sqlite__lookup(db, device, &dev, why, n);
	if (err)
		goto out;
	if (sqlite3_prepare_v2(db->db,
			       "SELECT device, kid, last_contact_utc_ms, "
			       "n_entries, n_priority, "
			       "max((SELECT coalesce(max(seq), 0) FROM entries WHERE dev = ?1), "
			       "    (SELECT coalesce(max(seq), 0) FROM priority WHERE dev = ?1)), "
			       "coalesce(home, ''), revoked_utc_ms, coalesce(revoked_reason, ''), cut_seq, cut_hash, "
			       "cut_time_utc_ms FROM devices WHERE id = ?1", -1, &s, NULL) != SQLITE_OK) {
		err = sqlite__db_fail(db, why, n, "device");
		goto out;
	}
	sqlite3_bind_int64(s, 1, dev);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snt_strlcpy(out->device, (const char *)sqlite3_column_text(s, 0), sizeof(out->device));
		if (sqlite3_column_bytes(s, 1) == 8)
			memcpy(out->kid, sqlite3_column_blob(s, 1), 8);
		out->last_contact_utc_ms = sqlite3_column_int64(s, 2);
		out->entries = sqlite3_column_int64(s, 3);
		out->priority = sqlite3_column_int64(s, 4);
		out->max_seq = sqlite3_column_int64(s, 5);
		snt_strlcpy(out->home, (const char *)sqlite3_column_text(s, 6), sizeof(out->home));
		out->revoked_utc_ms = sqlite3_column_int64(s, 7);
		snt_strlcpy(out->revoked_reason, (const char *)sqlite3_column_text(s, 8), sizeof(out->revoked_reason));
		out->cut_seq = sqlite3_column_int64(s, 9);
		if (sqlite3_column_bytes(s, 10) == SNT_HASH_LEN)
			memcpy(out->cut_hash, sqlite3_column_blob(s, 10), SNT_HASH_LEN);
		out->cut_time_utc_ms = sqlite3_column_int64(s, 11);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		err = sqlite__db_fail(db, why, n, "device");
		goto out;
	}
	if (sqlite__ack_seq_of(db, dev, &out->ack_seq)) {
		err = sqlite__db_fail(db, why, n, "ack");
		goto out;
	}
	if (out->ack_seq > 0 && out->ack_seq == out->cut_seq - 1) {
		/* Nothing held past the retention's cut yet: the cut's own hash and time. */
		memcpy(out->ack_hash, out->cut_hash, SNT_HASH_LEN);
		out->ack_time_utc_ms = out->cut_time_utc_ms;
		goto out;
	}
	if (out->ack_seq > 0 && sqlite__held_hash(db, dev, out->ack_seq, out->ack_hash) != 1) {
		err = sqlite__db_fail(db, why, n, "ack hash");
		goto out;
	}
	if (out->ack_seq > 0 && sqlite__int_of(db, "SELECT time_utc_ms FROM entries WHERE dev = ?1 AND seq = ?2", dev,
					       out->ack_seq, &out->ack_time_utc_ms))
		err = sqlite__db_fail(db, why, n, "ack time");
out:
	(void)sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL);
	return err;
}

enum bureau_err sqlite__device_state(struct bureau_db *base_, const char *device,
				     struct bureau_device_info *out, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db->db,
			       "SELECT device, kid, last_contact_utc_ms, coalesce(home, ''), revoked_utc_ms, "
			       "coalesce(revoked_reason, '') FROM devices WHERE device = ?1", -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "device");
	sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snt_strlcpy(out->device, (const char *)sqlite3_column_text(s, 0), sizeof(out->device));
		if (sqlite3_column_bytes(s, 1) == 8)
			memcpy(out->kid, sqlite3_column_blob(s, 1), 8);
		out->last_contact_utc_ms = sqlite3_column_int64(s, 2);
		snt_strlcpy(out->home, (const char *)sqlite3_column_text(s, 3), sizeof(out->home));
		out->revoked_utc_ms = sqlite3_column_int64(s, 4);
		snt_strlcpy(out->revoked_reason, (const char *)sqlite3_column_text(s, 5), sizeof(out->revoked_reason));
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE) {
		snprintf(why, n, _("device %s is not registered"), device);
		return BUREAU_ERR_NOTFOUND;
	}
	if (rc != SQLITE_ROW)
		return sqlite__db_fail(db, why, n, "device");
	return BUREAU_OK;
}

enum bureau_err sqlite__devices(struct bureau_db *base_, char (**ids)[BUREAU_DEVICE_LEN], size_t *count,
				  char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;

	char (*arr)[BUREAU_DEVICE_LEN] = NULL;
	size_t cnt = 0, cap = 0;
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db->db, "SELECT device FROM devices ORDER BY device", -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "devices");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			void *p = realloc(arr, ncap * sizeof(*arr));

			if (!p) {
				free(arr);
				sqlite3_finalize(s);
				return BUREAU_ERR_NOMEM;
			}
			arr = p;
			cap = ncap;
		}
		snt_strlcpy(arr[cnt++], (const char *)sqlite3_column_text(s, 0), BUREAU_DEVICE_LEN);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(arr);
		return sqlite__db_fail(db, why, n, "devices");
	}
	*ids = arr;
	*count = cnt;
	return BUREAU_OK;
}

enum bureau_err sqlite__gaps(struct bureau_db *base_, const char *device, int64_t **ranges,
			       size_t *count, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;

	sqlite3_stmt *s;
	int64_t dev, cur = 0, max = 0, *arr = NULL;
	size_t cnt = 0, cap = 0;
	enum bureau_err err;
	int rc;

	err = sqlite__lookup(db, device, &dev, why, n);
	if (err)
		return err;
	if (sqlite3_prepare_v2(db->db,
			       "SELECT max((SELECT coalesce(max(seq), 0) FROM entries WHERE dev = ?1), "
			       "(SELECT coalesce(max(seq), 0) FROM priority WHERE dev = ?1)), "
			       "(SELECT max(ack_seq, cut_seq - 1) FROM devices WHERE id = ?1)", -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "gaps");
	sqlite3_bind_int64(s, 1, dev);
	if (sqlite3_step(s) == SQLITE_ROW) {
		max = sqlite3_column_int64(s, 0);
		cur = sqlite3_column_int64(s, 1);	/* held without a gap up to here; what retention removed is none */
	}
	sqlite3_finalize(s);
	s = db->st_next;
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_int64(s, 2, cur);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(s, 0);

		if (seq > cur + 1 && bureau__push_pair(&arr, &cnt, &cap, cur + 1, seq - 1))
			goto err_nomem;
		cur = seq;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(arr);
		return sqlite__db_fail(db, why, n, "gaps");
	}
	/* Past the last regular entry up to a priority copy's seq: missing too. */
	if (max > cur && bureau__push_pair(&arr, &cnt, &cap, cur + 1, max))
		goto err_nomem;
	*ranges = arr;
	*count = cnt / 2;
	return BUREAU_OK;

err_nomem:
	sqlite3_reset(s);
	free(arr);
	return BUREAU_ERR_NOMEM;
}

enum bureau_err sqlite__entries_new(struct bureau_db *base_, const char *device, bool copies,
				      struct bureau_entry_iter **out, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;

	struct sqlite_iter *it;
	int64_t dev;
	enum bureau_err err;

	err = sqlite__lookup(db, device, &dev, why, n);
	if (err)
		return err;
	it = calloc(1, sizeof(*it));
	if (!it)
		return BUREAU_ERR_NOMEM;
	it->db = db;
	if (sqlite3_prepare_v2(db->db, copies ? "SELECT " SNT_STORE_ROW_COLUMNS ", received_utc_ms FROM priority "
						"WHERE dev = ?1 ORDER BY seq"
					      : "SELECT " SNT_STORE_ROW_COLUMNS ", received_utc_ms FROM entries "
						"WHERE dev = ?1 ORDER BY seq", -1,
			       &it->stmt, NULL) != SQLITE_OK) {
		free(it);
		return sqlite__db_fail(db, why, n, "entries");
	}
	sqlite3_bind_int64(it->stmt, 1, dev);
	it->base.ops = &bureau_backend_sqlite;
	*out = &it->base;
	return BUREAU_OK;
}

enum bureau_err sqlite__entries_next(struct bureau_entry_iter *base_, struct snt_entry *e, char *why, size_t n)
{
	struct sqlite_iter *it = (struct sqlite_iter *)base_;
	int rc = sqlite3_step(it->stmt);

	if (rc == SQLITE_DONE)
		return BUREAU_ERR_NOTFOUND;
	if (rc != SQLITE_ROW)
		return sqlite__db_fail(it->db, why, n, "entries");
	if (sqlite__read_entry(it->stmt, e)) {
		snprintf(why, n, _("bureau database: entry %lld: a stored value is not valid"),
			 (long long)sqlite3_column_int64(it->stmt, 0));
		return BUREAU_ERR_DB;
	}
	it->base.received_utc_ms = sqlite3_column_int64(it->stmt, SNT_STORE_ROW_NCOLUMNS);
	return BUREAU_OK;
}

void sqlite__entries_free(struct bureau_entry_iter *base_)
{
	struct sqlite_iter *it = (struct sqlite_iter *)base_;

	if (!it)
		return;
	sqlite3_finalize(it->stmt);
	free(it);
}

enum bureau_err sqlite__pending_verifications(struct bureau_db *base_, const char *device, int64_t from,
						int64_t to, int64_t **seqs, size_t *count, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;

	static const char sql[] =
		"SELECT seq FROM entries e WHERE dev = ?1 AND seq BETWEEN ?2 AND ?3 AND format = 'healthcode' "
		"AND verified = 'unverified' AND payload IS NOT NULL "
		"AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.dev = e.dev AND v.seq = e.seq) "
		"UNION "
		"SELECT seq FROM priority p WHERE dev = ?1 AND seq BETWEEN ?2 AND ?3 AND format = 'healthcode' "
		"AND verified = 'unverified' AND payload IS NOT NULL "
		"AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.dev = p.dev AND v.seq = p.seq) "
		"ORDER BY 1";
	sqlite3_stmt *s;
	int64_t dev, *arr = NULL;
	size_t cnt = 0, cap = 0;
	enum bureau_err err;
	int rc;

	err = sqlite__lookup(db, device, &dev, why, n);
	if (err)
		return err;
	if (sqlite3_prepare_v2(db->db, sql, -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "pending verifications");
	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			void *p = realloc(arr, ncap * sizeof(*arr));

			if (!p) {
				free(arr);
				sqlite3_finalize(s);
				return BUREAU_ERR_NOMEM;
			}
			arr = p;
			cap = ncap;
		}
		arr[cnt++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(arr);
		return sqlite__db_fail(db, why, n, "pending verifications");
	}
	*seqs = arr;
	*count = cnt;
	return BUREAU_OK;
}

enum bureau_err sqlite__payload(struct bureau_db *base_, const char *device, int64_t seq,
				  uint8_t **payload, size_t *len, enum snt_colour *colour, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;

	int64_t dev;
	enum bureau_err err;

	err = sqlite__lookup(db, device, &dev, why, n);
	if (err)
		return err;
	for (int t = 0; t < 2; t++) {
		sqlite3_stmt *s = db->st_get[t];
		struct snt_entry e;
		int rc;

		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, dev);
		sqlite3_bind_int64(s, 2, seq);
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE) {
			sqlite3_reset(s);
			continue;
		}
		err = bureau__payload_copy(rc != SQLITE_ROW || sqlite__read_entry(s, &e) ? NULL : &e, device, seq, payload,
					   len, colour, why, n);
		sqlite3_reset(s);
		return err;
	}
	snprintf(why, n, _("device %s seq %" PRId64 ": no such entry"), device, seq);
	return BUREAU_ERR_NOTFOUND;
}

enum bureau_err sqlite__verdict_add(struct bureau_db *base_, const char *device,
				      const struct bureau_verdict *v, int64_t now_ms, bool *contradiction,
				      char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;

	sqlite3_stmt *s = NULL;
	uint8_t *payload = NULL;
	size_t len = 0;
	enum snt_colour read_colour;
	int64_t dev;
	enum bureau_err err;
	char detail[128];

	*contradiction = false;
	err = sqlite__payload(&db->base, device, v->seq, &payload, &len, &read_colour, why, n);
	free(payload);
	if (err)
		return err;
	err = sqlite__lookup(db, device, &dev, why, n);
	if (err)
		return err;
	err = sqlite__exec(db, "BEGIN IMMEDIATE", why, n);
	if (err)
		return err;
	if (sqlite3_prepare_v2(db->db,
			       "INSERT OR IGNORE INTO verdicts (dev, seq, colour, platform, received_utc_ms) "
			       "VALUES (?1, ?2, ?3, ?4, ?5)", -1, &s, NULL) != SQLITE_OK)
		goto err_db;
	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_int64(s, 2, v->seq);
	sqlite3_bind_text(s, 3, snt_colour_name(v->colour), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, v->platform, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, now_ms);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto err_db;
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_changes(db->db) == 1 && v->colour != read_colour) {
		*contradiction = true;
		/* i18n-exempt: an alert's detail, stored in the bureau database */
		snprintf(detail, sizeof(detail), "platform %s says %s, the gate read %s", v->platform,
			 snt_colour_name(v->colour), snt_colour_name(read_colour));
		if (sqlite3_prepare_v2(db->db,
				       "INSERT INTO alerts (dev, seq, kind, detail, created_utc_ms) "
				       "VALUES (?1, ?2, 'contradiction', ?3, ?4)", -1, &s, NULL) != SQLITE_OK)
			goto err_db;
		sqlite3_bind_int64(s, 1, dev);
		sqlite3_bind_int64(s, 2, v->seq);
		sqlite3_bind_text(s, 3, detail, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, now_ms);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto err_db;
		sqlite3_finalize(s);
		s = NULL;
	}
	err = sqlite__exec(db, "COMMIT", why, n);
	if (err)
		sqlite__rollback(db);
	return err;

err_db:
	err = sqlite__db_fail(db, why, n, "verdict");
	sqlite3_finalize(s);
	sqlite__rollback(db);
	return err;
}

enum bureau_err sqlite__verdicts(struct bureau_db *base_, const char *device,
				   struct bureau_verdict **out, size_t *count, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;

	struct bureau_verdict *arr;
	sqlite3_stmt *s;
	size_t cnt = 0;
	int64_t dev;
	enum bureau_err err;
	int rc;

	err = sqlite__lookup(db, device, &dev, why, n);
	if (err)
		return err;
	arr = calloc(BUREAU_MAX_VERDICTS, sizeof(*arr));
	if (!arr)
		return BUREAU_ERR_NOMEM;
	if (sqlite3_prepare_v2(db->db,
			       "SELECT seq, colour, platform FROM (SELECT seq, colour, platform FROM verdicts "
			       "WHERE dev = ?1 ORDER BY seq DESC LIMIT ?2) ORDER BY seq", -1, &s, NULL) != SQLITE_OK) {
		free(arr);
		return sqlite__db_fail(db, why, n, "verdicts");
	}
	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_int(s, 2, BUREAU_MAX_VERDICTS);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && cnt < BUREAU_MAX_VERDICTS) {
		struct bureau_verdict *v = &arr[cnt];

		v->seq = sqlite3_column_int64(s, 0);
		if (snt_colour_from_name((const char *)sqlite3_column_text(s, 1), &v->colour))
			continue;
		snt_strlcpy(v->platform, (const char *)sqlite3_column_text(s, 2), sizeof(v->platform));
		cnt++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		free(arr);
		return sqlite__db_fail(db, why, n, "verdicts");
	}
	*out = arr;
	*count = cnt;
	return BUREAU_OK;
}

enum bureau_err sqlite__alerts(struct bureau_db *base_, struct bureau_alert **out, size_t *count,
				 char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;

	struct bureau_alert *arr = NULL;
	size_t cnt = 0, cap = 0;
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db->db,
			       "SELECT a.id, d.device, a.seq, a.kind, a.detail, a.created_utc_ms FROM alerts a "
			       "JOIN devices d ON d.id = a.dev ORDER BY a.id", -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "alerts");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct bureau_alert *a;

		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			void *p = realloc(arr, ncap * sizeof(*arr));

			if (!p) {
				free(arr);
				sqlite3_finalize(s);
				return BUREAU_ERR_NOMEM;
			}
			arr = p;
			cap = ncap;
		}
		a = &arr[cnt++];
		a->id = sqlite3_column_int64(s, 0);
		snt_strlcpy(a->device, (const char *)sqlite3_column_text(s, 1), sizeof(a->device));
		a->seq = sqlite3_column_int64(s, 2);
		snt_strlcpy(a->kind, (const char *)sqlite3_column_text(s, 3), sizeof(a->kind));
		snt_strlcpy(a->detail, (const char *)sqlite3_column_text(s, 4), sizeof(a->detail));
		a->created_utc_ms = sqlite3_column_int64(s, 5);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(arr);
		return sqlite__db_fail(db, why, n, "alerts");
	}
	*out = arr;
	*count = cnt;
	return BUREAU_OK;
}

enum bureau_err sqlite__rules_put(struct bureau_db *base_, const char *home, uint64_t version, const uint8_t *cose,
				    size_t len, int64_t now_ms, uint64_t *held, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	sqlite3_stmt *s = NULL;
	int rc;

	*held = 0;
	if (!db || !home || !*home || !cose || !len || version < 1 || version > INT64_MAX || len > INT32_MAX)
		return BUREAU_ERR_INVAL;
	if (sqlite3_prepare_v2(db->db,
			       "INSERT INTO rule_sets (home, version, cose, recorded_utc_ms) VALUES (?1, ?2, ?3, ?4) "
			       "ON CONFLICT (home) DO UPDATE SET version = excluded.version, cose = excluded.cose, "
			       "recorded_utc_ms = excluded.recorded_utc_ms WHERE excluded.version > rule_sets.version "
			       "RETURNING version", -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "record rule set");
	sqlite3_bind_text(s, 1, home, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (int64_t)version);
	sqlite3_bind_blob(s, 3, cose, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now_ms);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*held = version;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sqlite__db_fail(db, why, n, "record rule set");
	if (*held)
		return BUREAU_OK;
	if (sqlite3_prepare_v2(db->db, "SELECT version FROM rule_sets WHERE home = ?1", -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "rule set version");
	sqlite3_bind_text(s, 1, home, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		*held = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	snprintf(why, n, _("home '%s' has rule set version %" PRIu64 " already: version %" PRIu64 " is not newer"),
		 home, *held, version);
	return BUREAU_ERR_EXISTS;
}

enum bureau_err sqlite__rules_home(struct bureau_db *base_, const char *home, uint8_t **cose, size_t *len,
				    uint64_t *version, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(db->db, "SELECT version, cose FROM rule_sets WHERE home = ?1", -1, &s, NULL) !=
	    SQLITE_OK)
		return sqlite__db_fail(db, why, n, "rule set lookup");
	sqlite3_bind_text(s, 1, home, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(s, 1);
		int bl = sqlite3_column_bytes(s, 1);

		*cose = b && bl > 0 ? malloc((size_t)bl) : NULL;
		if (!*cose) {
			sqlite3_finalize(s);
			return BUREAU_ERR_NOMEM;
		}
		memcpy(*cose, b, (size_t)bl);
		*len = (size_t)bl;
		*version = (uint64_t)sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		return BUREAU_OK;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sqlite__db_fail(db, why, n, "rule set lookup");
	snprintf(why, n, _("home '%s' has no rule set"), home);
	return BUREAU_ERR_NOTFOUND;
}

enum bureau_err sqlite__rules_for(struct bureau_db *base_, const char *device, uint8_t **cose, size_t *len,
				    uint64_t *version, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	sqlite3_stmt *s = NULL;
	enum bureau_err err;
	int64_t id;
	int rc;

	*cose = NULL;
	*len = 0;
	*version = 0;
	if (!db || !device)
		return BUREAU_ERR_INVAL;
	err = sqlite__lookup(db, device, &id, why, n);
	if (err)
		return err;
	if (sqlite3_prepare_v2(db->db,
			       "SELECT r.version, r.cose FROM devices d JOIN rule_sets r ON r.home = d.home "
			       "WHERE d.id = ?1", -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "rule set lookup");
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(s, 1);
		int bl = sqlite3_column_bytes(s, 1);

		*cose = b && bl > 0 ? malloc((size_t)bl) : NULL;
		if (!*cose) {
			sqlite3_finalize(s);
			return BUREAU_ERR_NOMEM;
		}
		memcpy(*cose, b, (size_t)bl);
		*len = (size_t)bl;
		*version = (uint64_t)sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		return BUREAU_OK;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sqlite__db_fail(db, why, n, "rule set lookup");
	snprintf(why, n, _("device %s: no rule set for its home"), device);
	return BUREAU_ERR_NOTFOUND;
}
enum bureau_err sqlite__verdicts_all(struct bureau_db *base_, const char *device, struct bureau_verdict **out,
				       size_t *count, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	struct bureau_verdict *arr = NULL;
	size_t cnt = 0, cap = 0;
	sqlite3_stmt *s;
	int64_t dev;
	enum bureau_err err;
	int rc;

	err = sqlite__lookup(db, device, &dev, why, n);
	if (err)
		return err;
	if (sqlite3_prepare_v2(db->db, "SELECT seq, colour, platform, received_utc_ms FROM verdicts WHERE dev = ?1 "
			       "ORDER BY seq", -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "verdicts");
	sqlite3_bind_int64(s, 1, dev);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct bureau_verdict *v;

		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			void *p = realloc(arr, ncap * sizeof(*arr));

			if (!p) {
				free(arr);
				sqlite3_finalize(s);
				return BUREAU_ERR_NOMEM;
			}
			arr = p;
			cap = ncap;
		}
		v = &arr[cnt];
		memset(v, 0, sizeof(*v));
		v->seq = sqlite3_column_int64(s, 0);
		if (snt_colour_from_name((const char *)sqlite3_column_text(s, 1), &v->colour))
			continue;
		snt_strlcpy(v->platform, (const char *)sqlite3_column_text(s, 2), sizeof(v->platform));
		v->received_utc_ms = sqlite3_column_int64(s, 3);
		cnt++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(arr);
		return sqlite__db_fail(db, why, n, "verdicts");
	}
	*out = arr;
	*count = cnt;
	return BUREAU_OK;
}

enum bureau_err sqlite__device_row(struct bureau_db *base_, const char *device, char **pub_pem, uint8_t kid[8],
				     int64_t *registered_utc_ms, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	enum bureau_err err = BUREAU_OK;
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db->db, "SELECT pub_pem, kid, registered_utc_ms FROM devices WHERE device = ?1", -1, &s,
			       NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "device");
	sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(s, 1) == 8) {
		*pub_pem = strdup((const char *)sqlite3_column_text(s, 0));
		memcpy(kid, sqlite3_column_blob(s, 1), 8);
		*registered_utc_ms = sqlite3_column_int64(s, 2);
		if (!*pub_pem)
			err = BUREAU_ERR_NOMEM;
	} else if (rc == SQLITE_DONE) {
		snprintf(why, n, _("device %s is not registered"), device);
		err = BUREAU_ERR_NOTFOUND;
	} else {
		err = sqlite__db_fail(db, why, n, "device");
	}
	sqlite3_finalize(s);
	return err;
}

/* Run @sql (?1 device, ?2 text, ?3 time) on @device's row; NOTFOUND when none. */
static enum bureau_err sq_update_device(struct sqlite_db *db, const char *sql, const char *device, const char *text,
					int64_t t, int *changes, char *why, size_t n)
{
	sqlite3_stmt *s;
	int64_t dev;
	enum bureau_err err;
	int rc;

	err = sqlite__lookup(db, device, &dev, why, n);
	if (err)
		return err;
	if (sqlite3_prepare_v2(db->db, sql, -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "device");
	sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, t);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sqlite__db_fail(db, why, n, "device");
	*changes = sqlite3_changes(db->db);
	return BUREAU_OK;
}

enum bureau_err sqlite__revoke(struct bureau_db *base_, const char *device, const char *reason, int64_t now_ms,
				 bool *changed, char *why, size_t n)
{
	int changes = 0;
	enum bureau_err err;

	err = sq_update_device((struct sqlite_db *)base_,
			       "UPDATE devices SET revoked_utc_ms = ?3, revoked_reason = ?2 "
			       "WHERE device = ?1 AND revoked_utc_ms = 0", device, reason, now_ms, &changes, why, n);
	*changed = changes > 0;
	return err;
}

enum bureau_err sqlite__set_home(struct bureau_db *base_, const char *device, const char *home, char *why,
				   size_t n)
{
	int changes = 0;

	return sq_update_device((struct sqlite_db *)base_, "UPDATE devices SET home = ?2 WHERE device = ?1 AND ?3 = 0",
				device, home, 0, &changes, why, n);
}

/*
 * Every gate's day in one statement: each gate's rows of the range by the
 * index entries_dev_time (the outer join keeps a gate without entries
 * that day, its one row with a NULL hour and a count of 0), grouped by
 * gate and hour.
 */
enum bureau_err sqlite__city_day(struct bureau_db *base_, int64_t from_ms, int64_t to_ms,
				 struct bureau_gate_day **out, size_t *count, char *why, size_t n)
{
	struct sqlite_db *db = (struct sqlite_db *)base_;
	struct bureau_gate_day *arr = NULL, *g = NULL;
	size_t cnt = 0, cap = 0;
	int64_t last_id = 0;
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db->db,
			       "SELECT d.id, d.device, coalesce(d.home, ''), d.last_contact_utc_ms, d.revoked_utc_ms, "
			       "min(23, (e.time_utc_ms - ?1) / 3600000) AS h, count(e.dev), total(e.decision = 'deny'), "
			       "total(e.decision = 'refer'), total(instr(',' || e.reasons || ',', ',fever,') > 0), "
			       "total(e.kind = 'staff' AND instr(',' || e.reasons || ',', ',staff-test-overdue,') > 0) "
			       "FROM devices d LEFT JOIN entries e ON e.dev = d.id AND e.time_utc_ms >= ?1 AND "
			       "e.time_utc_ms < ?2 GROUP BY d.id, h ORDER BY d.device, h",
			       -1, &s, NULL) != SQLITE_OK)
		return sqlite__db_fail(db, why, n, "city");
	sqlite3_bind_int64(s, 1, from_ms);
	sqlite3_bind_int64(s, 2, to_ms);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!g || sqlite3_column_int64(s, 0) != last_id) {
			last_id = sqlite3_column_int64(s, 0);
			g = bureau__gate_day_add(&arr, &cnt, &cap, (const char *)sqlite3_column_text(s, 1),
						 (const char *)sqlite3_column_text(s, 2), sqlite3_column_int64(s, 3),
						 sqlite3_column_int64(s, 4));
			if (!g) {
				sqlite3_finalize(s);
				free(arr);
				return BUREAU_ERR_NOMEM;
			}
		}
		if (sqlite3_column_int64(s, 6) > 0)
			bureau__day_add(&g->c, sqlite3_column_int64(s, 5), sqlite3_column_int64(s, 6),
					sqlite3_column_int64(s, 7), sqlite3_column_int64(s, 8), sqlite3_column_int64(s, 9),
					sqlite3_column_int64(s, 10));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(arr);
		return sqlite__db_fail(db, why, n, "city");
	}
	*out = arr;
	*count = cnt;
	return BUREAU_OK;
}
