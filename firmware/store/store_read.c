// SPDX-License-Identifier: MIT
/*
 * store: reading entries back: one by seq, or an iterator in seq order.
 */
#include <stdlib.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_internal.h"

enum snt_store_err snt_store_get(struct snt_store *st, int64_t seq, struct snt_entry *e)
{
	enum snt_store_err err;
	int rc;

	if (!st || !e)
		return SNT_STORE_ERR_INVAL;
	rc = sqlite3_bind_int64(st->st_get, 1, seq);
	if (rc != SQLITE_OK)
		return store__fail_sqlite(st, rc);
	rc = sqlite3_step(st->st_get);
	if (rc == SQLITE_ROW)
		err = store__decode_row(st, st->st_get, true, e);
	else if (rc == SQLITE_DONE)
		err = SNT_STORE_ERR_DONE;
	else
		err = store__fail_sqlite(st, rc);
	sqlite3_reset(st->st_get);
	return err;
}

enum snt_store_err snt_store_iter_new(struct snt_store *st, int64_t after_seq,
				      struct snt_store_iter **out)
{
	struct snt_store_iter *it;
	enum snt_store_err err;
	int rc;

	if (!st || !out)
		return SNT_STORE_ERR_INVAL;
	it = calloc(1, sizeof(*it));
	if (!it)
		return store__fail_msg(st, SNT_STORE_ERR_NOMEM, _("out of memory"));
	it->st = st;
	rc = sqlite3_prepare_v2(st->db, "SELECT " ENTRY_COLS " FROM entries WHERE seq > ?1 ORDER BY seq",
				-1, &it->stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(it->stmt, 1, after_seq);
	if (rc != SQLITE_OK) {
		err = store__fail_sqlite(st, rc);
		goto err_free;
	}
	*out = it;
	return SNT_STORE_OK;

err_free:
	snt_store_iter_free(it);
	return err;
}

enum snt_store_err snt_store_iter_next(struct snt_store_iter *it, struct snt_entry *e)
{
	enum snt_store_err err;
	int rc;

	if (!it || !e)
		return SNT_STORE_ERR_INVAL;
	if (it->done)
		return SNT_STORE_ERR_DONE;
	rc = sqlite3_step(it->stmt);
	if (rc == SQLITE_ROW) {
		err = store__decode_row(it->st, it->stmt, false, e);
	} else if (rc == SQLITE_DONE) {
		err = SNT_STORE_ERR_DONE;
	} else {
		err = store__fail_sqlite(it->st, rc);
	}
	if (err) {
		/* Stop here: stepping again after DONE would restart the query. */
		it->done = true;
		sqlite3_reset(it->stmt);
	}
	return err;
}

void snt_store_iter_free(struct snt_store_iter *it)
{
	if (!it)
		return;
	sqlite3_finalize(it->stmt);
	free(it);
}
