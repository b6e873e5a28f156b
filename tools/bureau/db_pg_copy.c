// SPDX-License-Identifier: MIT
/*
 * The PostgreSQL bureau backend's bulk load: entries streamed into a table
 * by COPY ... FROM STDIN in binary format (PostgreSQL "COPY": "Binary
 * Format": the header, one tuple of 1 + SNT_STORE_ROW_NCOLUMNS + 1 fields
 * per entry, the trailer), in chunks of PG_COPY_CHUNK bytes, so that the
 * client's memory does not grow with the rows.  One COPY may take the rows
 * of many batches (pg__copy_rows() again and again): the server inserts a
 * batch while the bureau decodes the next, and pays a COPY's setup (its
 * partition routing, the multi-insert buffers' slots) once per bundle
 * rather than once per batch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tools/bureau/backend.h"
#include "tools/bureau/bureau.h"
#include "tools/bureau/db_pg_internal.h"

void pg__put_be(uint8_t *p, size_t n, uint64_t v)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

#define PG_COPY_CHUNK (256 * 1024)	/* bytes sent per PQputCopyData() */

/* Room for @add more bytes at the end of @c's buffer (its length grown by @add); NULL: out of memory. */
static uint8_t *cb_room(struct pg_copy *c, size_t add)
{
	size_t need = c->len + add;
	uint8_t *q = bureau__grow(c->p, &c->cap, need < PG_COPY_CHUNK ? PG_COPY_CHUNK : need, 1);

	if (!q) {
		c->failed = true;
		return NULL;
	}
	c->p = q;
	c->len = need;
	return q + need - add;
}

static void cb_int(struct pg_copy *c, int64_t v)
{
	uint8_t *q = cb_room(c, 12);

	if (q) {
		pg__put_be(q, 4, 8);
		pg__put_be(q + 4, 8, (uint64_t)v);
	}
}

static void cb_bytes(struct pg_copy *c, const void *p, size_t len)
{
	uint8_t *q = cb_room(c, 4 + len);

	if (q) {
		pg__put_be(q, 4, (uint32_t)len);
		if (len)
			memcpy(q + 4, p, len);
	}
}

static void cb_null(struct pg_copy *c)
{
	uint8_t *q = cb_room(c, 4);

	if (q)
		pg__put_be(q, 4, 0xffffffffu);
}

/* The buffered data sent: 0, or -1 when libpq could not send it. */
static int cb_flush(struct pg_db *db, struct pg_copy *c)
{
	if (c->len == 0)
		return 0;
	if (PQputCopyData(db->conn, (const char *)c->p, (int)c->len) != 1)
		return -1;
	c->len = 0;
	return 0;
}

/* The results of the COPY ended: BUREAU_OK, or @err (BUREAU_ERR_DB with @why when the server failed it). */
static enum bureau_err copy_results(struct pg_db *db, enum bureau_err err, char *why, size_t n)
{
	PGresult *r;

	why[0] = '\0';
	while ((r = PQgetResult(db->conn)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && !err)
			err = pg__fail(db, r, why, n, "copy");
		PQclear(r);
	}
	if (err == BUREAU_ERR_DB && !why[0])
		pg__fail(db, NULL, why, n, "copy");
	return err;
}

enum bureau_err pg__copy_begin(struct pg_db *db, struct pg_copy *c, const char *table, char *why, size_t n)
{
	static const uint8_t header[19] = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0 };
	enum bureau_err err;
	char sql[512];
	PGresult *r;
	uint8_t *q;

	if (c->table && !strcmp(c->table, table))
		return BUREAU_OK;
	err = pg__copy_end(db, c, why, n);
	if (err)
		return err;
	/* By name: birth_year (schema 5) comes after received_utc_ms in the tables. */
	/* i18n-exempt: SQL */
	snprintf(sql, sizeof(sql), "COPY %s (dev, " SNT_STORE_ROW_COLUMNS ", received_utc_ms) FROM STDIN (FORMAT binary)",
		 table);
	r = PQexec(db->conn, sql);
	if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
		err = pg__fail(db, r, why, n, "copy");
		PQclear(r);
		return err;
	}
	PQclear(r);
	c->table = table;
	c->failed = false;
	c->len = 0;
	q = cb_room(c, sizeof(header));
	if (q)
		memcpy(q, header, sizeof(header));
	return c->failed ? BUREAU_ERR_NOMEM : BUREAU_OK;
}

enum bureau_err pg__copy_rows(struct pg_db *db, struct pg_copy *c, int64_t dev, const struct snt_entry *e,
			      size_t count, int64_t now_ms, char *why, size_t n)
{
	uint8_t *q;

	for (size_t i = 0; i < count && !c->failed; i++) {
		struct snt_store_value v[SNT_STORE_ROW_NCOLUMNS];
		struct snt_entry_names names;

		/* Checked by the merge already: a failure here is not expected. */
		if (snt_entry_check(&e[i], &names) || snt_store_row_values(&e[i], &names, v)) {
			c->failed = true;
			break;
		}
		q = cb_room(c, 2);
		if (!q)
			break;
		pg__put_be(q, 2, 1 + SNT_STORE_ROW_NCOLUMNS + 1);
		cb_int(c, dev);
		for (int k = 0; k < SNT_STORE_ROW_NCOLUMNS; k++) {
			switch (v[k].type) {
			case SNT_STORE_INTEGER:
				cb_int(c, v[k].i);
				break;
			case SNT_STORE_TEXT:
			case SNT_STORE_BLOB:
				cb_bytes(c, v[k].p, v[k].len);
				break;
			default:
				cb_null(c);
				break;
			}
		}
		cb_int(c, now_ms);
		if (c->len >= PG_COPY_CHUNK && cb_flush(db, c))
			return pg__fail(db, NULL, why, n, "copy");
	}
	return c->failed ? BUREAU_ERR_NOMEM : BUREAU_OK;
}

enum bureau_err pg__copy_end(struct pg_db *db, struct pg_copy *c, char *why, size_t n)
{
	enum bureau_err err = BUREAU_OK;
	uint8_t *q;

	if (!c->table)
		return BUREAU_OK;
	c->table = NULL;
	q = cb_room(c, 2);
	if (q)
		pg__put_be(q, 2, 0xffff);
	if (c->failed || cb_flush(db, c)) {
		(void)PQputCopyEnd(db->conn, "staging failed");
		err = c->failed ? BUREAU_ERR_NOMEM : BUREAU_ERR_DB;
	} else if (PQputCopyEnd(db->conn, NULL) != 1) {
		err = BUREAU_ERR_DB;
	}
	c->len = 0;
	return copy_results(db, err, why, n);
}

void pg__copy_done(struct pg_db *db, struct pg_copy *c)
{
	char why[BUREAU_WHY_LEN];

	if (c->table) {
		c->table = NULL;
		(void)PQputCopyEnd(db->conn, "merge failed");
		(void)copy_results(db, BUREAU_ERR_DB, why, sizeof(why));
	}
	free(c->p);
	c->p = NULL;
	c->len = c->cap = 0;
}
