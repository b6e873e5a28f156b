// SPDX-License-Identifier: MIT
/*
 * store: verify-log: the whole chain checked in one read transaction (sequence,
 * links from the anchor, every hash recomputed, purges, rebases), and on
 * request the head file and every seal; the alerts and events against the
 * entries.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "common/common.h"
#include "store/store.h"
#include "store/store_internal.h"

/*
 * Record a finding in the report: damaged at @seq (0: not one entry's);
 * @fmt (marked N_()) gives the reason in English and, through the
 * catalogue, reason_text in the user's language.
 */
static void SNT_PRINTF(3, 4) damaged(struct snt_store_verify_report *r, int64_t seq,
				     const char *fmt, ...)
{
	va_list ap, aq;

	r->status = SNT_VERIFY_DAMAGED;
	r->first_bad_seq = seq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	vsnprintf(r->reason_text, sizeof(r->reason_text), _(fmt), aq);
	va_end(aq);
	va_end(ap);
}

/* damaged() for one of the fixed reasons of the walk (marked N_() where set). */
static void damaged_as(struct snt_store_verify_report *r, int64_t seq, const char *reason)
{
	r->status = SNT_VERIFY_DAMAGED;
	r->first_bad_seq = seq;
	snt_strlcpy(r->reason, reason, sizeof(r->reason));
	snt_strlcpy(r->reason_text, _(reason), sizeof(r->reason_text));
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
	damaged(r, seq, N_("unreadable: %s"), snt_store_errmsg(st));
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
		damaged(r, 0, N_("unknown hash form"));
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
			damaged(r, 0, N_("purge record does not follow"));
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
		damaged(r, 0, N_("rebase record invalid"));
	return SNT_STORE_OK;
}

/*
 * Entry @e's seal (columns SNT_STORE_ROW_NCOLUMNS and + 1 of @s: epoch and
 * tag, NULL when it has none) against the verifier's key @v.  *@reason: NULL
 * when it holds.
 */
static enum snt_store_err check_seal(sqlite3_stmt *s, struct snt_fss *v, const struct snt_entry *e,
				     const char **reason)
{
	int ce = SNT_STORE_ROW_NCOLUMNS, ct = SNT_STORE_ROW_NCOLUMNS + 1;
	enum snt_fss_err serr;
	int64_t epoch;

	*reason = NULL;
	if (e->seq < v->first_seq)
		return SNT_STORE_OK;
	if (sqlite3_column_type(s, ce) != SQLITE_INTEGER || sqlite3_column_type(s, ct) != SQLITE_BLOB ||
	    sqlite3_column_bytes(s, ct) != SNT_FSS_TAG_LEN) {
		*reason = N_("seal missing");
		return SNT_STORE_OK;
	}
	epoch = sqlite3_column_int64(s, ce);
	if (epoch != snt_store_seal_epoch(v, e)) {
		*reason = N_("seal epoch out of order");
		return SNT_STORE_OK;
	}
	serr = snt_fss_check(v, epoch, e->seq, e->hash, sqlite3_column_blob(s, ct));
	if (serr == SNT_FSS_ERR_RANGE)
		*reason = N_("seal epoch out of order");
	else if (serr == SNT_FSS_ERR_MISMATCH)
		*reason = N_("seal does not verify");
	else if (serr)
		return SNT_STORE_ERR_NOMEM;
	return SNT_STORE_OK;
}

/* Every entry in seq order, from the anchor; with @v, each one's seal. */
static enum snt_store_err verify_entries(struct snt_store *st, struct snt_store_verify_report *r,
					 struct chain *c, struct snt_fss *v)
{
	sqlite3_stmt *s = NULL;
	const char *reason;
	enum snt_store_err err;
	struct snt_entry e;
	enum col bad;
	int64_t seq;
	int rc;

	r->last_good_seq = c->next_seq - 1;
	err = store__prepare_bind(st, "SELECT " ENTRY_COLS ", "
				  "(SELECT epoch FROM seals WHERE seals.seq = entries.seq), "
				  "(SELECT tag FROM seals WHERE seals.seq = entries.seq) "
				  "FROM entries ORDER BY seq", &s, 0, NULL);
	if (err)
		return verify_failure(st, r, err, c->next_seq);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		err = store__walk_row(st, s, c, &e, &bad, &seq, &reason);
		if (err == SNT_STORE_ERR_CORRUPT) {
			damaged(r, seq ? seq : c->next_seq, N_("invalid %s"), store__col_names[bad]);
			err = SNT_STORE_OK;
			goto out;
		}
		if (err)
			goto out;
		if (reason) {
			damaged_as(r, e.seq, reason);
			goto out;
		}
		if (v) {
			err = check_seal(s, v, &e, &reason);
			if (err) {
				err = store__fail_msg(st, err, _("seal: HMAC failed"));
				goto out;
			}
			if (reason) {
				damaged_as(r, e.seq, reason);
				goto out;
			}
			if (e.seq >= v->first_seq)
				r->sealed++;
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

/*
 * One query's first row, two integers (an id or seq, and a seq): *@found
 * false when it returns none.
 */
static enum snt_store_err first_row(struct snt_store *st, const char *sql, int64_t arg, bool *found,
				    int64_t *a, int64_t *b)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int rc;

	*found = false;
	err = store__prepare_bind(st, sql, &s, 0, NULL);
	if (!err && sqlite3_bind_parameter_count(s) > 0 && sqlite3_bind_int64(s, 1, arg) != SQLITE_OK)
		err = store__fail_sqlite(st, sqlite3_errcode(st->db));
	if (err)
		goto out;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*found = true;
		*a = sqlite3_column_int64(s, 0);
		*b = sqlite3_column_int64(s, 1);
	} else if (rc != SQLITE_DONE) {
		err = store__fail_sqlite(st, rc);
	}
out:
	sqlite3_finalize(s);
	return err;
}

/*
 * The alerts and events against the entries (what the schema's triggers
 * write together with them): each check's first finding.  @anchor: the
 * last purged seq (alerts about purged entries are not compared).
 */
static enum snt_store_err verify_alerts(struct snt_store *st, struct snt_store_verify_report *r,
					int64_t anchor)
{
	static const struct {
		const char *sql;	/* ?1 (when used) = anchor; returns (alert or event id, seq) */
		const char *fmt;	/* the finding; %lld = the id */
		bool id_only;		/* the finding is no entry's: first_bad_seq 0 */
	} checks[] = {
		{ "SELECT a.id, a.seq FROM alerts a WHERE a.seq IS NOT NULL AND a.seq > ?1 "
		  "AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.seq = a.seq) ORDER BY a.id LIMIT 1",
		  N_("alert %lld names a missing entry"), false },
		{ "SELECT a.id, a.seq FROM alerts a JOIN entries e ON e.seq = a.seq WHERE "
		  "(a.kind = 'fever' AND NOT (',' || e.reasons || ',') GLOB '*,fever,*') OR "
		  "(a.kind = 'referral' AND e.decision <> 'refer') ORDER BY a.id LIMIT 1",
		  N_("alert %lld does not match its entry"), false },
		{ "SELECT 0, e.seq FROM entries e WHERE e.seq >= (SELECT min(seq) FROM alerts) AND ("
		  "((',' || e.reasons || ',') GLOB '*,fever,*' AND NOT EXISTS (SELECT 1 FROM alerts a "
		  "WHERE a.seq = e.seq AND a.kind = 'fever')) OR "
		  "(e.decision = 'refer' AND NOT (',' || e.reasons || ',') GLOB '*,fever,*' AND NOT "
		  "EXISTS (SELECT 1 FROM alerts a WHERE a.seq = e.seq AND a.kind = 'referral'))) "
		  "ORDER BY e.seq LIMIT 1",
		  N_("alert missing"), false },
		{ "SELECT a.id, 0 FROM alerts a WHERE a.event_id IS NOT NULL AND NOT EXISTS "
		  "(SELECT 1 FROM events v WHERE v.id = a.event_id) ORDER BY a.id LIMIT 1",
		  N_("alert %lld names a missing event"), true },
		{ "SELECT v.id, 0 FROM events v WHERE v.kind = 'device-fault' AND NOT EXISTS "
		  "(SELECT 1 FROM alerts a WHERE a.event_id = v.id) ORDER BY v.id LIMIT 1",
		  N_("event %lld has no alert"), true },
	};
	enum snt_store_err err;
	int64_t id, seq;
	bool found;

	for (size_t i = 0; i < SNT_ARRAY_SIZE(checks); i++) {
		err = first_row(st, checks[i].sql, anchor, &found, &id, &seq);
		if (err)
			return verify_failure(st, r, err, 0);
		if (!found)
			continue;
		/* The format is one of the literals above. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		damaged(r, checks[i].id_only ? 0 : seq, checks[i].fmt, (long long)id);
#pragma GCC diagnostic pop
		return SNT_STORE_OK;
	}
	return SNT_STORE_OK;
}

/*
 * The sealed personal records against their entries: the SHA-256 of each
 * record whose entry holds a digest (idcard.sealed, which the chain covers)
 * must be that digest.
 */
static enum snt_store_err verify_personal(struct snt_store *st, struct snt_store_verify_report *r)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int rc;

	err = store__prepare_bind(st, "SELECT p.seq, p.sealed, json_extract(e.detail, '$.idcard.sealed') "
				  "FROM personal p JOIN entries e USING (seq) "
				  "WHERE json_extract(e.detail, '$.idcard.sealed') IS NOT NULL ORDER BY p.seq", &s, 0, NULL);
	if (err)
		return verify_failure(st, r, err, 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(s, 0);
		const void *blob = sqlite3_column_blob(s, 1);
		int len = sqlite3_column_bytes(s, 1);
		const char *want = (const char *)sqlite3_column_text(s, 2);
		uint8_t md[SNT_HASH_LEN];
		char hex[2 * SNT_HASH_LEN + 1];
		unsigned int md_len = 0;

		if (!blob || !want || EVP_Digest(blob, (size_t)len, md, &md_len, EVP_sha256(), NULL) != 1 ||
		    md_len != SNT_HASH_LEN) {
			err = store__fail_msg(st, SNT_STORE_ERR_NOMEM, _("personal record: SHA-256 failed"));
			break;
		}
		snt_hex_encode(md, SNT_HASH_LEN, hex);
		if (strcmp(hex, want)) {
			damaged(r, seq, N_("personal record does not match its digest"));
			break;
		}
	}
	if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = verify_failure(st, r, store__fail_sqlite(st, rc), 0);
	sqlite3_finalize(s);
	return err;
}

/* The head file against the log: a finding when it went backwards or forked. */
static enum snt_store_err verify_head(struct snt_store *st, struct snt_store_verify_report *r)
{
	struct snt_store_head h;
	enum snt_store_err err;

	err = snt_store_head_check(st, &h);
	if (err)
		return err == SNT_STORE_ERR_OPEN ? err : verify_failure(st, r, err, 0);
	r->head_seq = h.file_seq;
	switch (h.state) {
	case SNT_HEAD_OK:
	case SNT_HEAD_NONE:
		break;
	case SNT_HEAD_MISSING:
		damaged(r, 0, N_("head file missing"));
		break;
	case SNT_HEAD_INVALID:
		damaged(r, 0, N_("head file invalid"));
		break;
	case SNT_HEAD_BEHIND:
		damaged(r, h.log_seq + 1, N_("head went backwards: the log ends at seq %lld, "
			"its head file records seq %lld"), (long long)h.log_seq, (long long)h.file_seq);
		break;
	case SNT_HEAD_FORKED:
		damaged(r, h.file_seq, N_("head file hash differs"));
		break;
	}
	return SNT_STORE_OK;
}

enum snt_store_err snt_store_verify(struct snt_store *st, const struct snt_clock *clk,
				    struct snt_store_verify_report *out)
{
	return snt_store_verify_ex(st, clk, NULL, out);
}

enum snt_store_err snt_store_verify_ex(struct snt_store *st, const struct snt_clock *clk,
				       const struct snt_store_verify_opts *opts,
				       struct snt_store_verify_report *out)
{
	struct snt_fss v = { 0 }, *vp = NULL;
	enum snt_store_err err;
	struct chain c;
	int64_t t0 = clk ? snt_clock_mono_ms(clk) : 0;
	char msg[SNT_VERIFY_REASON_LEN];

	if (!st || !out)
		return SNT_STORE_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	out->head_seq = -1;
	if (opts && opts->seal) {
		v = *opts->seal;
		vp = &v;
	}
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
		err = verify_entries(st, out, &c, vp);
		if (err)
			goto err_rollback;
	}
	if (out->status == SNT_VERIFY_CLEAN && out->ack_seq >= c.next_seq)
		damaged(out, c.next_seq, N_("acknowledged entries missing"));
	if (out->status == SNT_VERIFY_CLEAN && opts && opts->head) {
		err = verify_head(st, out);
		if (err)
			goto err_rollback;
	}
	if (out->status == SNT_VERIFY_CLEAN) {
		err = verify_alerts(st, out, out->anchor_seq);
		if (err)
			goto err_rollback;
	}
	if (out->status == SNT_VERIFY_CLEAN) {
		err = verify_personal(st, out);
		if (err)
			goto err_rollback;
	}
	if (out->status == SNT_VERIFY_CLEAN) {
		err = store__query_text(st, "PRAGMA integrity_check(1)", msg, sizeof(msg));
		if (err)
			err = verify_failure(st, out, err, 0);
		if (err)
			goto err_rollback;
		if (out->status == SNT_VERIFY_CLEAN && strcmp(msg, "ok"))
			damaged(out, 0, N_("integrity_check: %s"), msg);
	}
	/* Nothing was written: end the read transaction (if SQLite has not already). */
	store__rollback(st);
	snt_fss_wipe(&v);
	if (clk)
		out->elapsed_ms = snt_clock_mono_ms(clk) - t0;
	return SNT_STORE_OK;

err_rollback:
	store__rollback(st);
	snt_fss_wipe(&v);
	return err;
}
