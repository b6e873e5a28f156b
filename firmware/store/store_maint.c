// SPDX-License-Identifier: MIT
/*
 * store: the log's upkeep: the bureau's acknowledgement cursor, the retention
 * purge of an acknowledged prefix, and clock rebasing per boot id.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_internal.h"

enum snt_store_err snt_store_set_ack(struct snt_store *st, int64_t seq)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int64_t cur, last;
	char msg[128];

	if (!st || seq < 0)
		return SNT_STORE_ERR_INVAL;
	err = store__begin(st);
	if (err)
		goto err_rollback;
	err = store__query_int(st, "SELECT seq FROM ack WHERE id = 1", &cur);
	if (!err)
		err = snt_store_last_seq(st, &last);
	if (err)
		goto err_rollback;
	if (seq < cur) {
		snprintf(msg, sizeof(msg), _("acknowledgement %lld is below the recorded %lld"),
			 (long long)seq, (long long)cur);
		err = store__fail_msg(st, SNT_STORE_ERR_STALE, msg);
		goto err_rollback;
	}
	if (seq > last) {
		snprintf(msg, sizeof(msg), _("acknowledgement %lld is past the last seq %lld"),
			 (long long)seq, (long long)last);
		err = store__fail_msg(st, SNT_STORE_ERR_RANGE, msg);
		goto err_rollback;
	}
	if (seq != cur) {
		err = store__prepare_bind(st, "UPDATE ack SET seq = ?1 WHERE id = 1", &s, 1, &seq);
		if (!err)
			err = store__step_done(st, s);
		sqlite3_finalize(s);
		if (err)
			goto err_rollback;
	}
	return store__commit(st);

err_rollback:
	store__rollback(st);
	return err;
}

enum snt_store_err snt_store_get_ack(struct snt_store *st, int64_t *seq)
{
	if (!st || !seq)
		return SNT_STORE_ERR_INVAL;
	return store__query_int(st, "SELECT seq FROM ack WHERE id = 1", seq);
}

/*
 * Check one decoded entry against @c: its seq is the one due, its prev_hash
 * links, its hash recomputes.  *@reason: NULL when it holds (and @c moves on
 * past it), else the finding in snt_store_verify()'s words.
 * Return: SNT_STORE_OK, or SNT_STORE_ERR_NOMEM if SHA-256 failed.
 */
enum snt_store_err store__check_link(struct snt_store *st, struct chain *c,
				     const struct snt_entry *e, const char **reason)
{
	uint8_t h[SNT_HASH_LEN];
	struct snt_entry_names t;
	enum snt_store_err err;

	*reason = NULL;
	/* Rows come in seq order after the anchor: a lower seq is a purged one. */
	if (e->seq < c->next_seq) {
		*reason = N_("entry inside a purged range");
		return SNT_STORE_OK;
	}
	if (e->seq > c->next_seq) {
		*reason = N_("gap before");
		return SNT_STORE_OK;
	}
	if (memcmp(e->prev_hash, c->prev, SNT_HASH_LEN)) {
		*reason = N_("prev_hash does not link");
		return SNT_STORE_OK;
	}
	/*
	 * store__decode_cols() reads the detail record by its shape only; the
	 * full check (one JSON object, no duplicate names) is here, a finding
	 * at this entry like any other invalid column.
	 */
	if (store__entry_prepare(e, &t) != SNT_STORE_OK) {
		*reason = store__detail_ok(e->detail) ? N_("invalid entry") : N_("invalid detail");
		return SNT_STORE_OK;
	}
	err = store__hash_entry(st->md, e, &t, h);
	if (err)
		return store__fail_msg(st, err, _("SHA-256 failed"));
	if (memcmp(h, e->hash, SNT_HASH_LEN)) {
		*reason = N_("hash mismatch");
		return SNT_STORE_OK;
	}
	c->next_seq = e->seq + 1;
	memcpy(c->prev, e->hash, SNT_HASH_LEN);
	return SNT_STORE_OK;
}

enum snt_store_err store__walk_row(struct snt_store *st, sqlite3_stmt *s, struct chain *c,
				   struct snt_entry *e, enum col *bad, int64_t *seq, const char **reason)
{
	enum snt_store_err err = store__decode_cols(st, s, false, e, bad, seq);

	*reason = NULL;
	if (err == SNT_STORE_ERR_CORRUPT)
		return err;
	if (err)
		return store__fail_msg(st, err, _("out of memory"));
	return store__check_link(st, c, e, reason);
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
	err = store__prepare_bind(st, "SELECT last_seq, anchor_hash FROM purges ORDER BY last_seq DESC LIMIT 1",
			   &s, 0, NULL);
	if (err)
		goto out;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->next_seq = sqlite3_column_int64(s, 0) + 1;
		if (!store__col_hash(s, 1, c->prev))
			err = store__fail_msg(st, SNT_STORE_ERR_CORRUPT, _("purge record: anchor is not 32 bytes"));
	} else if (rc != SQLITE_DONE) {
		err = store__fail_sqlite(st, rc);
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
	err = store__prepare_bind(st,
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
		err = store__query_int(st, "SELECT coalesce(max(seq), 0) FROM entries", &max_seq);
		if (!err && max_seq > limit) {
			*last = limit;
			*more = true;
		} else if (!err) {
			*last = max_seq;
			out->next_seq = 0;
			out->stop = SNT_PURGE_STOP_END;
		}
	} else {
		err = store__fail_sqlite(st, rc);
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

	err = store__prepare_bind(st, "SELECT " ENTRY_COLS " FROM entries WHERE seq BETWEEN ?1 AND ?2 "
			       "ORDER BY seq", &s, 2, args);
	if (err)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		err = store__walk_row(st, s, c, &e, &bad, &seq, &reason);
		if (err == SNT_STORE_ERR_CORRUPT) {
			snprintf(msg, sizeof(msg), _("entry %lld: invalid %s; nothing purged"),
				 (long long)seq, store__col_names[bad]);
			err = store__fail_msg(st, err, msg);
			goto out;
		}
		if (err)
			goto out;
		if (reason) {
			snprintf(msg, sizeof(msg), _("entry %lld: %s; nothing purged"), (long long)e.seq,
				 _(reason));
			err = store__fail_msg(st, SNT_STORE_ERR_CORRUPT, msg);
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		err = store__fail_sqlite(st, rc);
		goto out;
	}
	if (c->next_seq != last + 1) {
		snprintf(msg, sizeof(msg), _("entry %lld: missing; nothing purged"),
			 (long long)c->next_seq);
		err = store__fail_msg(st, SNT_STORE_ERR_CORRUPT, msg);
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
	err = store__exec_sql(st, "BEGIN IMMEDIATE");
	if (err)
		goto err_rollback;
	err = store__query_int(st, "SELECT seq FROM ack WHERE id = 1", &ack);
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
		err = store__exec_sql(st, "COMMIT");
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

		err = store__prepare_bind(st, "INSERT INTO purges (first_seq, last_seq, count, cutoff_utc_ms, "
				       "ack_seq, purged_utc_ms, anchor_hash) "
				       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &s, 6, args);
	}
	if (!err) {
		int rc = sqlite3_bind_blob(s, 7, c.prev, SNT_HASH_LEN, SQLITE_STATIC);

		err = rc == SQLITE_OK ? store__step_done(st, s) : store__fail_sqlite(st, rc);
	}
	sqlite3_finalize(s);
	if (err)
		goto err_rollback;
	err = store__exec_sql(st, "COMMIT");
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
	store__rollback(st);
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
		return store__fail_msg(st, SNT_STORE_ERR_READONLY, _("store opened read-only"));
	memset(out, 0, sizeof(*out));
	/* Chunks, so that the daemon's appends never wait for a long purge. */
	do {
		err = purge_chunk(st, older_than_utc_ms, now_utc_ms, out, &more);
	} while (!err && more);
	return err;
}

/* 1 to @max bytes of [a-z0-9-]. */
bool store__source_ok(const char *s, size_t max)
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
	    !store__source_ok(source, SNT_REBASE_SOURCE_LEN - 1) || utc_at_boot_ms < 0 ||
	    utc_at_boot_ms > UTC_MS_MAX)
		return SNT_STORE_ERR_INVAL;
	err = store__begin(st);
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
			snprintf(msg, sizeof(msg), _("boot %.36s is already rebased"), boot_id);
			err = store__fail_msg(st, SNT_STORE_ERR_EXISTS, msg);
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
		err = rc == SQLITE_OK ? store__step_done(st, s) : store__fail_sqlite(st, rc);
		sqlite3_finalize(s);
		s = NULL;
		if (err)
			goto err_rollback;
	} else {
		err = store__fail_sqlite(st, rc);
		sqlite3_finalize(s);
		s = NULL;
		goto err_rollback;
	}
	return store__commit(st);

err_rollback:
	store__rollback(st);
	return err;
}

enum snt_store_err snt_store_get_rebase(struct snt_store *st, const char *boot_id,
					int64_t *utc_at_boot_ms)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	bool done = false;
	int rc;

	if (!st || !boot_id || !utc_at_boot_ms)
		return SNT_STORE_ERR_INVAL;
	rc = sqlite3_prepare_v2(st->db, "SELECT utc_at_boot_ms FROM rebase WHERE boot_id = ?1", -1, &s,
				NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 1, boot_id, -1, SQLITE_STATIC);
	err = rc == SQLITE_OK ? store__row_step(st, s, &done) : store__fail_sqlite(st, rc);
	if (!err)
		*utc_at_boot_ms = sqlite3_column_int64(s, 0);
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
	 * table without a scan.  A correction (meta 'trusted_floor',
	 * snt_store_correct_trusted()) sets aside what came before it.
	 */
	return store__query_int(st,
			 "WITH f(v) AS (SELECT coalesce((SELECT value FROM meta WHERE key = 'trusted_floor'),"
			 " '{}'))"
			 " SELECT max(coalesce((SELECT time_utc_ms FROM entries WHERE clock = 'trusted'"
			 " AND seq > coalesce((SELECT json_extract(v, '$.seq') FROM f), 0)"
			 " ORDER BY seq DESC LIMIT 1), 0),"
			 " coalesce((SELECT max(recorded_utc_ms) FROM rebase"
			 " WHERE rowid > coalesce((SELECT json_extract(v, '$.rebase') FROM f), 0)), 0),"
			 " coalesce((SELECT json_extract(v, '$.utc') FROM f), 0))",
			 utc_ms);
}

enum snt_store_err store__meta_put(struct snt_store *st, const char *sql, int64_t utc_ms, bool as_text)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	char v[24];
	int rc;

	if (!st || utc_ms <= 0 || utc_ms > UTC_MS_MAX)
		return SNT_STORE_ERR_INVAL;
	if (st->readonly)
		return store__fail_msg(st, SNT_STORE_ERR_READONLY, _("store opened read-only"));
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK && as_text) {
		snprintf(v, sizeof(v), "%lld", (long long)utc_ms);
		rc = sqlite3_bind_text(s, 1, v, -1, SQLITE_TRANSIENT);
	} else if (rc == SQLITE_OK) {
		rc = sqlite3_bind_int64(s, 1, utc_ms);
	}
	err = rc == SQLITE_OK ? store__step_done(st, s) : store__fail_sqlite(st, rc);
	sqlite3_finalize(s);
	return err;
}

enum snt_store_err snt_store_correct_trusted(struct snt_store *st, int64_t utc_ms)
{
	return store__meta_put(st, "INSERT OR REPLACE INTO meta (key, value) VALUES ('trusted_floor',"
			       " json_object('seq', (SELECT coalesce(max(seq), 0) FROM entries),"
			       " 'rebase', (SELECT coalesce(max(rowid), 0) FROM rebase), 'utc', ?1))",
			       utc_ms, false);
}

enum snt_store_err snt_store_set_contact(struct snt_store *st, int64_t utc_ms)
{
	/* meta holds text: the newest time kept, compared as integers. */
	return store__meta_put(st, "INSERT INTO meta (key, value) VALUES ('bureau_contact', ?1)"
			       " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
			       " WHERE CAST(excluded.value AS INTEGER) > CAST(meta.value AS INTEGER)",
			       utc_ms, true);
}

enum snt_store_err snt_store_get_contact(struct snt_store *st, int64_t *utc_ms)
{
	if (!st || !utc_ms)
		return SNT_STORE_ERR_INVAL;
	return store__query_int(st,
				"SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta"
				" WHERE key = 'bureau_contact'), 0)",
				utc_ms);
}
