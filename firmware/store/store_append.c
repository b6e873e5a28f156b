// SPDX-License-Identifier: MIT
/*
 * store: appending entries: the chain head, one entry or a batch in one
 * transaction, each linked to the last (and sealed, with a seal key) and
 * fsync'd before it returns; the head file replaced after the commit.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_internal.h"

/*
 * Begin an append's write transaction: the key its entries are sealed with
 * (store__seal_begin()), the chain head read under it (store__log_head()) and
 * the head file recorded (store__head_mark()).
 */
static enum snt_store_err begin_at_head(struct snt_store *st, int64_t *seq, uint8_t hash[SNT_HASH_LEN])
{
	enum snt_store_err err = store__begin(st);

	if (err)
		return err;
	store__seal_begin(st);
	err = store__log_head(st, seq, hash);
	return err ? err : store__head_mark(st);
}

/*
 * Inside the caller's write transaction: give @n the seq after @head_seq and
 * the prev_hash @head_hash, hash it and insert it.  @t: store__entry_prepare()'d
 * names of @n.
 */
static enum snt_store_err insert_entry(struct snt_store *st, struct snt_entry *n,
				       const struct snt_entry_names *t, int64_t head_seq,
				       const uint8_t head_hash[SNT_HASH_LEN])
{
	enum snt_store_err err;
	int rc;

	n->seq = head_seq + 1;
	memcpy(n->prev_hash, head_hash, SNT_HASH_LEN);
	err = store__hash_entry(st->md, n, t, n->hash);
	if (err)
		return store__fail_msg(st, err, _("SHA-256 failed"));
	rc = snt_store_row_bind(st->st_insert, 1, n, t);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st->st_insert);
	err = rc == SQLITE_DONE ? SNT_STORE_OK : store__fail_sqlite(st, rc);
	sqlite3_reset(st->st_insert);
	sqlite3_clear_bindings(st->st_insert);
	return err;
}

enum snt_store_err snt_store_append(struct snt_store *st, struct snt_entry *e)
{
	uint8_t head_hash[SNT_HASH_LEN];
	struct snt_entry n;
	struct snt_entry_names t;
	enum snt_store_err err;
	int64_t head_seq;

	if (!st || !e)
		return SNT_STORE_ERR_INVAL;
	n = *e;
	err = snt_store_entry_digest(&n);
	if (err)
		return store__fail_msg(st, err, err == SNT_STORE_ERR_INVAL ? _("entry has a field out of range")
									: _("SHA-256 failed"));
	err = store__entry_prepare(&n, &t);
	if (err)
		return store__fail_msg(st, err, _("entry has a field out of range"));

	err = begin_at_head(st, &head_seq, head_hash);
	if (err)
		goto err_rollback;
	err = insert_entry(st, &n, &t, head_seq, head_hash);
	if (!err)
		err = store__seal_entry(st, &n);
	if (err)
		goto err_rollback;
	err = store__exec_sql(st, "COMMIT");
	if (err)
		goto err_rollback;
	store__head_committed(st, n.seq, n.hash);

	*e = n;
	return SNT_STORE_OK;

err_rollback:
	store__rollback(st);
	store__seal_abort(st);
	return err;
}

enum snt_store_err snt_store_append_batch(struct snt_store *st, struct snt_entry *e, size_t n)
{
	uint8_t head_hash[SNT_HASH_LEN];
	struct snt_entry_names t;
	enum snt_store_err err;
	int64_t head_seq;

	if (!e && n > 0)
		return SNT_STORE_ERR_INVAL;
	if (!st) {
		err = SNT_STORE_ERR_INVAL;
		goto err_clear;
	}
	if (n == 0)
		return SNT_STORE_OK;
	/* Every entry is checked before anything is written. */
	for (size_t i = 0; i < n; i++) {
		err = snt_store_entry_digest(&e[i]);
		if (!err)
			err = store__entry_prepare(&e[i], &t);
		if (err) {
			char msg[96];	/* the Chinese text too, with a 20-digit index */

			snprintf(msg, sizeof(msg), err == SNT_STORE_ERR_NOMEM ? _("batch entry %zu could not be hashed")
				 : _("batch entry %zu has a field out of range"), i);
			err = store__fail_msg(st, err, msg);
			goto err_clear;
		}
	}

	err = begin_at_head(st, &head_seq, head_hash);
	if (err)
		goto err_rollback;
	for (size_t i = 0; i < n; i++) {
		if (store__entry_prepare(&e[i], &t) != SNT_STORE_OK) {
			err = store__fail_msg(st, SNT_STORE_ERR_INVAL, _("entry has a field out of range"));
			goto err_rollback;
		}
		err = insert_entry(st, &e[i], &t, head_seq, head_hash);
		if (!err)
			err = store__seal_entry(st, &e[i]);
		if (err)
			goto err_rollback;
		head_seq = e[i].seq;
		memcpy(head_hash, e[i].hash, SNT_HASH_LEN);
	}
	err = store__exec_sql(st, "COMMIT");
	if (err)
		goto err_rollback;
	store__head_committed(st, head_seq, head_hash);
	return SNT_STORE_OK;

err_rollback:
	store__rollback(st);
	store__seal_abort(st);
err_clear:
	for (size_t i = 0; i < n; i++) {
		e[i].seq = 0;
		memset(e[i].prev_hash, 0, SNT_HASH_LEN);
		memset(e[i].hash, 0, SNT_HASH_LEN);
	}
	return err;
}

enum snt_store_err snt_store_last_seq(struct snt_store *st, int64_t *seq)
{
	enum snt_store_err err = SNT_STORE_OK;
	int rc;

	if (!st || !seq)
		return SNT_STORE_ERR_INVAL;
	rc = sqlite3_step(st->st_max);
	if (rc == SQLITE_ROW)
		*seq = sqlite3_column_int64(st->st_max, 0);
	else if (rc == SQLITE_DONE)
		err = store__fail_msg(st, SNT_STORE_ERR_SQL, _("query returned no row"));
	else
		err = store__fail_sqlite(st, rc);
	sqlite3_reset(st->st_max);
	return err;
}
