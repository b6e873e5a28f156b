// SPDX-License-Identifier: MIT
/*
 * Personal records sealed to the bureau (schema 7): kept beside the chain,
 * purged by their own retention.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_internal.h"

enum snt_store_err snt_store_personal_put(struct snt_store *st, int64_t seq, int64_t created_utc_ms,
					  const uint8_t *sealed, size_t len)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int64_t have = 0;
	int rc;

	if (!st || !sealed || seq < 1 || len < SNT_STORE_PERSONAL_MIN || len > SNT_STORE_PERSONAL_MAX)
		return SNT_STORE_ERR_INVAL;
	err = store__begin(st);
	if (err)
		return err;
	err = store__prepare_bind(st, "SELECT count(*) FROM personal WHERE seq = ?1", &s, 1, &seq);
	if (!err) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			have = sqlite3_column_int64(s, 0);
		else
			err = store__fail_sqlite(st, rc);
	}
	sqlite3_finalize(s);
	s = NULL;
	if (!err && have)
		err = store__fail_msg(st, SNT_STORE_ERR_EXISTS, _("a personal record for this entry is kept already"));
	if (!err) {
		const int64_t args[2] = { seq, created_utc_ms };

		err = store__prepare_bind(st, "INSERT INTO personal (seq, created_utc_ms, sealed) VALUES (?1, ?2, ?3)",
					  &s, 2, args);
	}
	if (!err) {
		rc = sqlite3_bind_blob(s, 3, sealed, (int)len, SQLITE_STATIC);
		err = rc == SQLITE_OK ? store__step_done(st, s) : store__fail_sqlite(st, rc);
	}
	sqlite3_finalize(s);
	if (err) {
		store__rollback(st);
		return err;
	}
	return store__commit(st);
}

enum snt_store_err snt_store_personal_get(struct snt_store *st, int64_t seq, uint8_t **out, size_t *len)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	bool done = false;

	if (!st || !out || !len)
		return SNT_STORE_ERR_INVAL;
	*out = NULL;
	*len = 0;
	err = store__prepare_bind(st, "SELECT sealed FROM personal WHERE seq = ?1", &s, 1, &seq);
	if (err)
		return err;
	err = store__row_step(st, s, &done);
	if (!err) {
		const void *p = sqlite3_column_blob(s, 0);
		int n = sqlite3_column_bytes(s, 0);

		*out = n > 0 ? malloc((size_t)n) : NULL;
		if (!*out) {
			err = SNT_STORE_ERR_NOMEM;
		} else {
			memcpy(*out, p, (size_t)n);
			*len = (size_t)n;
		}
	}
	sqlite3_finalize(s);
	return err;
}

enum snt_store_err snt_store_personal_purge(struct snt_store *st, int64_t cutoff_utc_ms, int64_t now_utc_ms,
					    int64_t *removed)
{
	const int64_t cut[1] = { cutoff_utc_ms };
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int64_t n = 0;

	if (removed)
		*removed = 0;
	if (!st)
		return SNT_STORE_ERR_INVAL;
	err = store__begin(st);
	if (err)
		return err;
	err = store__prepare_bind(st, "DELETE FROM personal WHERE created_utc_ms < ?1", &s, 1, cut);
	if (!err)
		err = store__step_done(st, s);
	sqlite3_finalize(s);
	s = NULL;
	if (!err)
		n = sqlite3_changes(st->db);
	if (!err && n > 0) {
		const int64_t args[3] = { now_utc_ms, cutoff_utc_ms, n };

		err = store__prepare_bind(st,
					  "INSERT INTO personal_purges (time_utc_ms, cutoff_utc_ms, count)"
					  " VALUES (?1, ?2, ?3)",
					  &s, 3, args);
		if (!err)
			err = store__step_done(st, s);
		sqlite3_finalize(s);
	}
	if (err) {
		store__rollback(st);
		return err;
	}
	err = store__commit(st);
	if (!err && removed)
		*removed = n;
	return err;
}
