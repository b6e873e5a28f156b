// SPDX-License-Identifier: MIT
/*
 * store: verify-log: the whole chain checked in one read transaction (sequence,
 * links from the anchor, every hash recomputed, purges, rebases).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_internal.h"

/* Record a finding in the report: damaged at @seq (0: not one entry's). */
static void SNT_PRINTF(3, 4) damaged(struct snt_store_verify_report *r, int64_t seq,
				     const char *fmt, ...)
{
	va_list ap;

	r->status = SNT_VERIFY_DAMAGED;
	r->first_bad_seq = seq;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

/*
 * An SQLite failure while verifying: a database SQLite finds corrupt is a
 * finding at @seq, any other failure an error.  Return the error to give
 * the caller (SNT_STORE_OK for a finding).
 */
static enum snt_store_err verify_failure(struct snt_store *st, struct snt_store_verify_report *r,
					 enum snt_store_err err, int64_t seq)
{
	if (err != SNT_STORE_ERR_CORRUPT)
		return err;
	damaged(r, seq, "unreadable: %s", snt_store_errmsg(st));
	return SNT_STORE_OK;
}

/* The hash form and the purge records; sets @c to the anchor. */
static enum snt_store_err verify_purges(struct snt_store *st, struct snt_store_verify_report *r,
					struct chain *c)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	char form[64];
	int rc;

	c->next_seq = 1;
	memset(c->prev, 0, SNT_HASH_LEN);
	err = store__query_text(st, "SELECT value FROM meta WHERE key = 'hash_form'", form, sizeof(form));
	if (err)
		return verify_failure(st, r, err, 0);
	if (strcmp(form, SNT_HASH_FORM)) {
		damaged(r, 0, "unknown hash form");
		return SNT_STORE_OK;
	}
	err = store__prepare_bind(st, "SELECT first_seq, last_seq, count, anchor_hash FROM purges "
			       "ORDER BY last_seq", &s, 0, NULL);
	if (err)
		return verify_failure(st, r, err, 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t first = sqlite3_column_int64(s, 0);
		int64_t last = sqlite3_column_int64(s, 1);
		int64_t count = sqlite3_column_int64(s, 2);

		if (first != c->next_seq || last < first || count != last - first + 1 ||
		    !store__col_hash(s, 3, c->prev)) {
			damaged(r, 0, "purge record does not follow");
			goto out;
		}
		c->next_seq = last + 1;
		r->purges++;
	}
	if (rc != SQLITE_DONE)
		err = verify_failure(st, r, store__fail_sqlite(st, rc), 0);
out:
	r->anchor_seq = c->next_seq - 1;
	sqlite3_finalize(s);
	return err;
}

/*
 * The rebase rows' values, as the schema's CHECK constraints state them:
 * PRAGMA integrity_check skips CHECK constraints on a read-only connection.
 */
static enum snt_store_err verify_rebase(struct snt_store *st, struct snt_store_verify_report *r)
{
	enum snt_store_err err;
	int64_t bad;

	err = store__query_int(st, "SELECT count(*) FROM rebase WHERE NOT ("
			    "length(CAST(boot_id AS BLOB)) BETWEEN 1 AND 36 "
			    "AND utc_at_boot_ms BETWEEN 0 AND " STR(UTC_MS_MAX_SQL) " "
			    "AND length(source) BETWEEN 1 AND 32 AND source NOT GLOB '*[^a-z0-9-]*')",
			&bad);
	if (err)
		return verify_failure(st, r, err, 0);
	if (bad)
		damaged(r, 0, "rebase record invalid");
	return SNT_STORE_OK;
}

/* Every entry in seq order, from the anchor. */
static enum snt_store_err verify_entries(struct snt_store *st, struct snt_store_verify_report *r,
					 struct chain *c)
{
	sqlite3_stmt *s = NULL;
	const char *reason;
	enum snt_store_err err;
	struct snt_entry e;
	enum col bad;
	int64_t seq;
	int rc;

	r->last_good_seq = c->next_seq - 1;
	err = store__prepare_bind(st, "SELECT " ENTRY_COLS " FROM entries ORDER BY seq", &s, 0, NULL);
	if (err)
		return verify_failure(st, r, err, c->next_seq);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		err = store__decode_cols(st, s, false, &e, &bad, &seq);
		if (err == SNT_STORE_ERR_CORRUPT) {
			damaged(r, seq, "invalid %s", store__col_names[bad]);
			err = SNT_STORE_OK;
			goto out;
		}
		if (err) {
			err = store__fail_msg(st, err, "out of memory");
			goto out;
		}
		err = store__check_link(st, c, &e, &reason);
		if (err)
			goto out;
		if (reason) {
			damaged(r, e.seq, "%s", reason);
			goto out;
		}
		if (r->entries++ == 0)
			r->first_seq = e.seq;
		r->last_good_seq = e.seq;
	}
	if (rc != SQLITE_DONE)
		err = verify_failure(st, r, store__fail_sqlite(st, rc), c->next_seq);
out:
	sqlite3_finalize(s);
	return err;
}

enum snt_store_err snt_store_verify(struct snt_store *st, const struct snt_clock *clk,
				    struct snt_store_verify_report *out)
{
	enum snt_store_err err;
	struct chain c;
	int64_t t0 = clk ? snt_clock_mono_ms(clk) : 0;
	char msg[SNT_VERIFY_REASON_LEN];

	if (!st || !out)
		return SNT_STORE_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	/* One read transaction: every check sees the same snapshot. */
	err = store__exec_sql(st, "BEGIN");
	if (err)
		goto err_rollback;
	err = verify_purges(st, out, &c);
	if (err)
		goto err_rollback;
	if (out->status == SNT_VERIFY_CLEAN) {
		err = store__query_int(st, "SELECT seq FROM ack WHERE id = 1", &out->ack_seq);
		if (err)
			err = verify_failure(st, out, err, 0);
		if (err)
			goto err_rollback;
	}
	if (out->status == SNT_VERIFY_CLEAN) {
		err = verify_rebase(st, out);
		if (err)
			goto err_rollback;
	}
	if (out->status == SNT_VERIFY_CLEAN) {
		err = verify_entries(st, out, &c);
		if (err)
			goto err_rollback;
	}
	if (out->status == SNT_VERIFY_CLEAN && out->ack_seq >= c.next_seq)
		damaged(out, c.next_seq, "acknowledged entries missing");
	if (out->status == SNT_VERIFY_CLEAN) {
		err = store__query_text(st, "PRAGMA integrity_check(1)", msg, sizeof(msg));
		if (err)
			err = verify_failure(st, out, err, 0);
		if (err)
			goto err_rollback;
		if (out->status == SNT_VERIFY_CLEAN && strcmp(msg, "ok"))
			damaged(out, 0, "integrity_check: %s", msg);
	}
	/* Nothing was written: end the read transaction (if SQLite has not already). */
	store__rollback(st);
	if (clk)
		out->elapsed_ms = snt_clock_mono_ms(clk) - t0;
	return SNT_STORE_OK;

err_rollback:
	store__rollback(st);
	return err;
}
