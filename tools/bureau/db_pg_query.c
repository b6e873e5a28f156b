// SPDX-License-Identifier: MIT
/*
 * The PostgreSQL bureau backend's queries (db_pg_internal.h): devices,
 * gaps, entry iteration, verifications and verdicts, alerts, seal keys,
 * rule sets, revocation and day counts.  The schema is in db_pg.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libpq-fe.h>
#include "sign/sign.h"
#include "tools/bureau/backend.h"
#include "tools/bureau/bureau.h"
#include "tools/bureau/db_pg_internal.h"
#include "common/i18n.h"

#define PG_FETCH "1000"			/* rows per FETCH of an entry iterator */

enum bureau_err pg__device_info(struct bureau_db *base_, const char *device, struct bureau_device_info *out,
				      char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	PGresult *r;

	memset(out, 0, sizeof(*out));
	pg__p_text(&p, device);
	r = pg__run(db,
		"SELECT device, kid, last_contact_utc_ms, n_entries, n_priority, greatest(max_seq, prio_max_seq), "
		"ack_seq, ack_hash, coalesce(home, ''), revoked_utc_ms, coalesce(revoked_reason, ''), "
		"CASE WHEN ack_seq > 0 AND ack_seq = cut_seq - 1 THEN cut_time_utc_ms ELSE "
		"coalesce((SELECT time_utc_ms FROM entries e WHERE e.dev = d.id AND e.seq = d.ack_seq), 0) END, "
		"cut_seq, cut_hash, cut_time_utc_ms FROM devices d WHERE device = $1",
		&p, PGRES_TUPLES_OK, why, n, "device");
	if (!r)
		return BUREAU_ERR_DB;
	if (PQntuples(r) != 1) {
		PQclear(r);
		snprintf(why, n, _("device %s is not registered"), device);
		return BUREAU_ERR_NOTFOUND;
	}
	snt_strlcpy(out->device, PQgetvalue(r, 0, 0), sizeof(out->device));
	if (PQgetlength(r, 0, 1) == 8)
		memcpy(out->kid, PQgetvalue(r, 0, 1), 8);
	out->last_contact_utc_ms = pg__get_int(r, 0, 2);
	out->entries = pg__get_int(r, 0, 3);
	out->priority = pg__get_int(r, 0, 4);
	out->max_seq = pg__get_int(r, 0, 5);
	out->ack_seq = pg__get_int(r, 0, 6);
	if (PQgetlength(r, 0, 7) == SNT_HASH_LEN)
		memcpy(out->ack_hash, PQgetvalue(r, 0, 7), SNT_HASH_LEN);
	snt_strlcpy(out->home, PQgetvalue(r, 0, 8), sizeof(out->home));
	out->revoked_utc_ms = pg__get_int(r, 0, 9);
	snt_strlcpy(out->revoked_reason, PQgetvalue(r, 0, 10), sizeof(out->revoked_reason));
	out->ack_time_utc_ms = pg__get_int(r, 0, 11);
	out->cut_seq = pg__get_int(r, 0, 12);
	if (PQgetlength(r, 0, 13) == SNT_HASH_LEN)
		memcpy(out->cut_hash, PQgetvalue(r, 0, 13), SNT_HASH_LEN);
	out->cut_time_utc_ms = pg__get_int(r, 0, 14);
	PQclear(r);
	return BUREAU_OK;
}

enum bureau_err pg__device_state(struct bureau_db *base_, const char *device, struct bureau_device_info *out,
				 char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	PGresult *r;

	memset(out, 0, sizeof(*out));
	pg__p_text(&p, device);
	r = pg__run(db,
		"SELECT device, kid, last_contact_utc_ms, coalesce(home, ''), revoked_utc_ms, "
		"coalesce(revoked_reason, '') FROM devices WHERE device = $1",
		&p, PGRES_TUPLES_OK, why, n, "device");
	if (!r)
		return BUREAU_ERR_DB;
	if (PQntuples(r) != 1) {
		PQclear(r);
		snprintf(why, n, _("device %s is not registered"), device);
		return BUREAU_ERR_NOTFOUND;
	}
	snt_strlcpy(out->device, PQgetvalue(r, 0, 0), sizeof(out->device));
	if (PQgetlength(r, 0, 1) == 8)
		memcpy(out->kid, PQgetvalue(r, 0, 1), 8);
	out->last_contact_utc_ms = pg__get_int(r, 0, 2);
	snt_strlcpy(out->home, PQgetvalue(r, 0, 3), sizeof(out->home));
	out->revoked_utc_ms = pg__get_int(r, 0, 4);
	snt_strlcpy(out->revoked_reason, PQgetvalue(r, 0, 5), sizeof(out->revoked_reason));
	PQclear(r);
	return BUREAU_OK;
}

enum bureau_err pg__devices(struct bureau_db *base_, char (**ids)[BUREAU_DEVICE_LEN], size_t *count,
				  char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	char (*arr)[BUREAU_DEVICE_LEN];
	PGresult *r;
	int rows;

	r = pg__run(db, "SELECT device FROM devices ORDER BY device COLLATE \"C\"", NULL, PGRES_TUPLES_OK, why, n,
		"devices");
	if (!r)
		return BUREAU_ERR_DB;
	rows = PQntuples(r);
	arr = calloc(rows > 0 ? (size_t)rows : 1, sizeof(*arr));
	if (!arr) {
		PQclear(r);
		return BUREAU_ERR_NOMEM;
	}
	for (int i = 0; i < rows; i++)
		snt_strlcpy(arr[i], PQgetvalue(r, i, 0), BUREAU_DEVICE_LEN);
	PQclear(r);
	*ids = arr;
	*count = (size_t)rows;
	return BUREAU_OK;
}

enum bureau_err pg__gaps(struct bureau_db *base_, const char *device, int64_t **ranges, size_t *count,
			       char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	int64_t dev, ack, max_seq, max, *arr = NULL;
	size_t cnt = 0, cap = 0;
	PGresult *r;

	pg__p_text(&p, device);
	r = pg__run(db, "SELECT id, ack_seq, max_seq, greatest(max_seq, prio_max_seq) FROM devices WHERE device = $1", &p,
		PGRES_TUPLES_OK, why, n, "gaps");
	if (!r)
		return BUREAU_ERR_DB;
	if (PQntuples(r) != 1) {
		PQclear(r);
		snprintf(why, n, _("device %s is not registered"), device);
		return BUREAU_ERR_NOTFOUND;
	}
	dev = pg__get_int(r, 0, 0);
	ack = pg__get_int(r, 0, 1);
	max_seq = pg__get_int(r, 0, 2);
	max = pg__get_int(r, 0, 3);
	PQclear(r);
	/* 1 .. ack is held without a gap: only what follows is read. */
	p.n = 0;
	pg__p_int(&p, dev);
	pg__p_int(&p, ack);
	r = pg__run(db,
		"SELECT coalesce(pv, $2) + 1, seq - 1 FROM (SELECT seq, lag(seq) OVER (ORDER BY seq) AS pv "
		"FROM entries WHERE dev = $1 AND seq > $2) s WHERE seq > coalesce(pv, $2) + 1 ORDER BY seq",
		&p, PGRES_TUPLES_OK, why, n, "gaps");
	if (!r)
		return BUREAU_ERR_DB;
	for (int i = 0; i < PQntuples(r); i++) {
		if (bureau__push_pair(&arr, &cnt, &cap, pg__get_int(r, i, 0), pg__get_int(r, i, 1))) {
			PQclear(r);
			free(arr);
			return BUREAU_ERR_NOMEM;
		}
	}
	PQclear(r);
	/* Past the last regular entry up to a priority copy's seq: missing too. */
	if (max > max_seq && bureau__push_pair(&arr, &cnt, &cap, max_seq + 1, max)) {
		free(arr);
		return BUREAU_ERR_NOMEM;
	}
	*ranges = arr;
	*count = cnt / 2;
	return BUREAU_OK;
}

/*
 * Schema 4 -> 5: the registered visitor's birth year in entries and
 * priority (the gate keeps one only under an age rule; NULL otherwise).
 * The tables' other columns keep their places: the merge copies stage to
 * them by position.
 */
const char pg__schema_v5[] =
	"ALTER TABLE entries ADD COLUMN birth_year bigint CHECK (birth_year IS NULL OR\n"
	"	birth_year BETWEEN 1800 AND 9999);\n"
	"ALTER TABLE priority ADD COLUMN birth_year bigint CHECK (birth_year IS NULL OR\n"
	"	birth_year BETWEEN 1800 AND 9999);\n"
	"UPDATE bureau_meta SET value = '5' WHERE key = 'schema';\n";

_Static_assert(SNT_ENTRY_BIRTH_YEAR_MIN == 1800 && SNT_ENTRY_BIRTH_YEAR_MAX == 9999, "birth_year's CHECK");

/* Decode row @row of a binary result of the entry columns (from column 0) into @e, through the gate's code. */
static int decode_row(const PGresult *r, int row, struct snt_entry *e)
{
	static const enum snt_store_type types[SNT_STORE_ROW_NCOLUMNS] = {
		SNT_STORE_INTEGER, SNT_STORE_TEXT, SNT_STORE_INTEGER, SNT_STORE_INTEGER, SNT_STORE_TEXT,
		SNT_STORE_TEXT, SNT_STORE_TEXT, SNT_STORE_TEXT, SNT_STORE_TEXT, SNT_STORE_INTEGER,
		SNT_STORE_TEXT, SNT_STORE_TEXT, SNT_STORE_TEXT, SNT_STORE_TEXT, SNT_STORE_BLOB,
		SNT_STORE_TEXT, SNT_STORE_BLOB, SNT_STORE_BLOB, SNT_STORE_BLOB, SNT_STORE_INTEGER,
	};
	struct snt_store_value v[SNT_STORE_ROW_NCOLUMNS];

	if (PQnfields(r) < SNT_STORE_ROW_NCOLUMNS)
		return -1;
	for (int c = 0; c < SNT_STORE_ROW_NCOLUMNS; c++) {
		memset(&v[c], 0, sizeof(v[c]));
		if (PQgetisnull(r, row, c)) {
			v[c].type = SNT_STORE_NULL;
			continue;
		}
		v[c].type = types[c];
		if (types[c] == SNT_STORE_INTEGER) {
			if (PQgetlength(r, row, c) != 8)
				return -1;
			v[c].i = pg__get_int(r, row, c);
		} else {
			v[c].p = PQgetvalue(r, row, c);
			v[c].len = (size_t)PQgetlength(r, row, c);
		}
	}
	return snt_store_row_from_values(v, e, NULL) == SNT_STORE_OK ? 0 : -1;
}

enum bureau_err pg__entries_new(struct bureau_db *base_, const char *device, bool copies,
				      struct bureau_entry_iter **out, char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	struct pg_iter *it;
	enum bureau_err err;
	int64_t dev;

	err = pg__lookup(db, device, false, &dev, why, n);
	if (err)
		return err;
	it = calloc(1, sizeof(*it));
	if (!it)
		return BUREAU_ERR_NOMEM;
	it->base.ops = &bureau_backend_pg;
	it->db = db;
	/* A cursor in a read-only snapshot: one batch of rows in memory at a time. */
	err = pg__cmd(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL, why, n, "entries");
	if (err) {
		free(it);
		return err;
	}
	pg__p_int(&p, dev);
	err = pg__cmd(db, copies ? "DECLARE entries_it NO SCROLL CURSOR FOR SELECT " SNT_STORE_ROW_COLUMNS
			       ", received_utc_ms FROM priority WHERE dev = $1 ORDER BY seq"
			     : "DECLARE entries_it NO SCROLL CURSOR FOR SELECT " SNT_STORE_ROW_COLUMNS
			       ", received_utc_ms FROM entries WHERE dev = $1 ORDER BY seq", &p, why, n, "entries");
	if (err) {
		pg__rollback(db);
		free(it);
		return err;
	}
	*out = &it->base;
	return BUREAU_OK;
}

enum bureau_err pg__entries_next(struct bureau_entry_iter *base_, struct snt_entry *e, char *why, size_t n)
{
	struct pg_iter *it = (struct pg_iter *)base_;

	if (it->done)
		return BUREAU_ERR_NOTFOUND;
	if (it->row >= it->rows) {
		PQclear(it->res);
		it->res = pg__run(it->db, "FETCH " PG_FETCH " FROM entries_it", NULL, PGRES_TUPLES_OK, why, n, "entries");
		if (!it->res)
			return BUREAU_ERR_DB;
		it->row = 0;
		it->rows = PQntuples(it->res);
		if (it->rows == 0) {
			it->done = true;
			return BUREAU_ERR_NOTFOUND;
		}
	}
	if (decode_row(it->res, it->row, e)) {
		snprintf(why, n, _("bureau database: entry %" PRId64 ": a stored value is not valid"),
			 PQgetlength(it->res, it->row, 0) == 8 ? pg__get_int(it->res, it->row, 0) : 0);
		return BUREAU_ERR_DB;
	}
	it->base.received_utc_ms = pg__get_int(it->res, it->row, SNT_STORE_ROW_NCOLUMNS);
	it->row++;
	return BUREAU_OK;
}

void pg__entries_free(struct bureau_entry_iter *base_)
{
	struct pg_iter *it = (struct pg_iter *)base_;

	if (!it)
		return;
	PQclear(it->res);
	pg__rollback(it->db);	/* ends the read-only transaction and its cursor */
	free(it);
}

static int64_t *collect_ints(PGresult *r, size_t *count)
{
	int rows = PQntuples(r);
	int64_t *arr = calloc(rows > 0 ? (size_t)rows : 1, sizeof(*arr));

	if (!arr)
		return NULL;
	for (int i = 0; i < rows; i++)
		arr[i] = pg__get_int(r, i, 0);
	*count = (size_t)rows;
	return arr;
}

enum bureau_err pg__pending_verifications(struct bureau_db *base_, const char *device, int64_t from,
						int64_t to, int64_t **seqs, size_t *count, char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	enum bureau_err err;
	int64_t dev;
	PGresult *r;

	err = pg__lookup(db, device, false, &dev, why, n);
	if (err)
		return err;
	pg__p_int(&p, dev);
	pg__p_int(&p, from);
	pg__p_int(&p, to);
	r = pg__run(db,
		"SELECT seq FROM entries e WHERE dev = $1 AND seq BETWEEN $2 AND $3 AND format = 'healthcode' "
		"AND verified = 'unverified' AND payload IS NOT NULL "
		"AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.dev = e.dev AND v.seq = e.seq) "
		"UNION "
		"SELECT seq FROM priority p WHERE dev = $1 AND seq BETWEEN $2 AND $3 AND format = 'healthcode' "
		"AND verified = 'unverified' AND payload IS NOT NULL "
		"AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.dev = p.dev AND v.seq = p.seq) "
		"ORDER BY 1",
		&p, PGRES_TUPLES_OK, why, n, "pending verifications");
	if (!r)
		return BUREAU_ERR_DB;
	*seqs = collect_ints(r, count);
	PQclear(r);
	return *seqs ? BUREAU_OK : BUREAU_ERR_NOMEM;
}

enum bureau_err pg__payload(struct bureau_db *base_, const char *device, int64_t seq, uint8_t **payload,
				  size_t *len, enum snt_colour *colour, char *why, size_t n)
{
	static const char *const sql[2] = {
		"SELECT " SNT_STORE_ROW_COLUMNS " FROM entries WHERE dev = $1 AND seq = $2",
		"SELECT " SNT_STORE_ROW_COLUMNS " FROM priority WHERE dev = $1 AND seq = $2",
	};
	struct pg_db *db = (struct pg_db *)base_;
	enum bureau_err err;
	int64_t dev;

	err = pg__lookup(db, device, false, &dev, why, n);
	if (err)
		return err;
	for (int t = 0; t < 2; t++) {
		struct params p = { 0 };
		struct snt_entry e;
		PGresult *r;

		pg__p_int(&p, dev);
		pg__p_int(&p, seq);
		r = pg__run(db, sql[t], &p, PGRES_TUPLES_OK, why, n, "payload");
		if (!r)
			return BUREAU_ERR_DB;
		if (PQntuples(r) == 0) {
			PQclear(r);
			continue;
		}
		err = bureau__payload_copy(decode_row(r, 0, &e) ? NULL : &e, device, seq, payload, len, colour, why, n);
		PQclear(r);
		return err;
	}
	snprintf(why, n, _("device %s seq %" PRId64 ": no such entry"), device, seq);
	return BUREAU_ERR_NOTFOUND;
}

enum bureau_err pg__verdict_add(struct bureau_db *base_, const char *device, const struct bureau_verdict *v,
				      int64_t now_ms, bool *contradiction, char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	uint8_t *payload = NULL;
	size_t len = 0;
	enum snt_colour read_colour;
	enum bureau_err err;
	int64_t dev;
	PGresult *r;
	char detail[128];

	*contradiction = false;
	err = pg__payload(base_, device, v->seq, &payload, &len, &read_colour, why, n);
	free(payload);
	if (err)
		return err;
	err = pg__lookup(db, device, false, &dev, why, n);
	if (err)
		return err;
	err = pg__cmd(db, "BEGIN", NULL, why, n, "verdict");
	if (err)
		return err;
	pg__p_int(&p, dev);
	pg__p_int(&p, v->seq);
	pg__p_text(&p, snt_colour_name(v->colour));
	pg__p_text(&p, v->platform);
	pg__p_int(&p, now_ms);
	r = pg__run(db,
		"INSERT INTO verdicts (dev, seq, colour, platform, received_utc_ms) VALUES ($1, $2, $3, $4, $5) "
		"ON CONFLICT (dev, seq) DO NOTHING",
		&p, PGRES_COMMAND_OK, why, n, "verdict");
	if (!r)
		goto err_db;
	if (!strcmp(PQcmdTuples(r), "1") && v->colour != read_colour) {
		*contradiction = true;
		/* i18n-exempt: an alert's detail, stored in the bureau database */
		snprintf(detail, sizeof(detail), "platform %s says %s, the gate read %s", v->platform,
			 snt_colour_name(v->colour), snt_colour_name(read_colour));
		PQclear(r);
		p.n = 0;
		pg__p_int(&p, dev);
		pg__p_int(&p, v->seq);
		pg__p_text(&p, detail);
		pg__p_int(&p, now_ms);
		r = pg__run(db,
			"INSERT INTO alerts (dev, seq, kind, detail, created_utc_ms) VALUES ($1, $2, 'contradiction', $3, $4)",
			&p, PGRES_COMMAND_OK, why, n, "verdict");
		if (!r)
			goto err_db;
	}
	PQclear(r);
	err = pg__cmd(db, "COMMIT", NULL, why, n, "verdict");
	if (err)
		pg__rollback(db);
	return err;
err_db:
	pg__rollback(db);
	return BUREAU_ERR_DB;
}

/*
 * The verdicts of @device in seq order: with @latest only the last
 * BUREAU_MAX_VERDICTS and no received time, else every one with its received
 * time.  Rows with a colour this build does not know are skipped.
 */
static enum bureau_err pg_verdicts_select(struct pg_db *db, const char *device, bool latest,
					  struct bureau_verdict **out, size_t *count, char *why, size_t n)
{
	struct bureau_verdict *arr;
	struct params p = { 0 };
	enum bureau_err err;
	size_t cnt = 0, cap;
	int64_t dev;
	PGresult *r;

	err = pg__lookup(db, device, false, &dev, why, n);
	if (err)
		return err;
	pg__p_int(&p, dev);
	if (latest) {
		pg__p_int(&p, BUREAU_MAX_VERDICTS);
		r = pg__run(db,
			"SELECT seq, colour, platform FROM (SELECT seq, colour, platform FROM verdicts WHERE dev = $1 "
			"ORDER BY seq DESC LIMIT $2) v ORDER BY seq",
			&p, PGRES_TUPLES_OK, why, n, "verdicts");
	} else {
		r = pg__run(db, "SELECT seq, colour, platform, received_utc_ms FROM verdicts WHERE dev = $1 ORDER BY seq",
			&p, PGRES_TUPLES_OK, why, n, "verdicts");
	}
	if (!r)
		return BUREAU_ERR_DB;
	cap = latest ? BUREAU_MAX_VERDICTS : (PQntuples(r) > 0 ? (size_t)PQntuples(r) : 1);
	arr = calloc(cap, sizeof(*arr));
	if (!arr) {
		PQclear(r);
		return BUREAU_ERR_NOMEM;
	}
	for (int i = 0; i < PQntuples(r) && cnt < cap; i++) {
		struct bureau_verdict *v = &arr[cnt];

		v->seq = pg__get_int(r, i, 0);
		if (snt_colour_from_name(PQgetvalue(r, i, 1), &v->colour))
			continue;
		snt_strlcpy(v->platform, PQgetvalue(r, i, 2), sizeof(v->platform));
		if (!latest)
			v->received_utc_ms = pg__get_int(r, i, 3);
		cnt++;
	}
	PQclear(r);
	*out = arr;
	*count = cnt;
	return BUREAU_OK;
}

enum bureau_err pg__verdicts(struct bureau_db *base_, const char *device, struct bureau_verdict **out,
				   size_t *count, char *why, size_t n)
{
	return pg_verdicts_select((struct pg_db *)base_, device, true, out, count, why, n);
}

enum bureau_err pg__alerts(struct bureau_db *base_, struct bureau_alert **out, size_t *count, char *why,
				 size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct bureau_alert *arr;
	PGresult *r;
	int rows;

	r = pg__run(db,
		"SELECT a.id, d.device, a.seq, a.kind, a.detail, a.created_utc_ms FROM alerts a "
		"JOIN devices d ON d.id = a.dev ORDER BY a.id",
		NULL, PGRES_TUPLES_OK, why, n, "alerts");
	if (!r)
		return BUREAU_ERR_DB;
	rows = PQntuples(r);
	arr = calloc(rows > 0 ? (size_t)rows : 1, sizeof(*arr));
	if (!arr) {
		PQclear(r);
		return BUREAU_ERR_NOMEM;
	}
	for (int i = 0; i < rows; i++) {
		struct bureau_alert *a = &arr[i];

		a->id = pg__get_int(r, i, 0);
		snt_strlcpy(a->device, PQgetvalue(r, i, 1), sizeof(a->device));
		a->seq = pg__get_int(r, i, 2);
		snt_strlcpy(a->kind, PQgetvalue(r, i, 3), sizeof(a->kind));
		snt_strlcpy(a->detail, PQgetvalue(r, i, 4), sizeof(a->detail));
		a->created_utc_ms = pg__get_int(r, i, 5);
	}
	PQclear(r);
	*out = arr;
	*count = (size_t)rows;
	return BUREAU_OK;
}

enum bureau_err pg__verdicts_all(struct bureau_db *base_, const char *device, struct bureau_verdict **out,
				       size_t *count, char *why, size_t n)
{
	return pg_verdicts_select((struct pg_db *)base_, device, false, out, count, why, n);
}

enum bureau_err pg__device_row(struct bureau_db *base_, const char *device, char **pub_pem, uint8_t kid[8],
				     int64_t *registered_utc_ms, char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	PGresult *r;

	pg__p_text(&p, device);
	r = pg__run(db, "SELECT pub_pem, kid, registered_utc_ms FROM devices WHERE device = $1", &p, PGRES_TUPLES_OK, why,
		n, "device");
	if (!r)
		return BUREAU_ERR_DB;
	if (PQntuples(r) != 1 || PQgetlength(r, 0, 1) != 8) {
		PQclear(r);
		snprintf(why, n, _("device %s is not registered"), device);
		return BUREAU_ERR_NOTFOUND;
	}
	*pub_pem = strdup(PQgetvalue(r, 0, 0));
	memcpy(kid, PQgetvalue(r, 0, 1), 8);
	*registered_utc_ms = pg__get_int(r, 0, 2);
	PQclear(r);
	return *pub_pem ? BUREAU_OK : BUREAU_ERR_NOMEM;
}

/* Run @sql ($1 device, $2 text, $3 time) on @device's row; NOTFOUND when none. */
static enum bureau_err pg_update_device(struct pg_db *db, const char *sql, const char *device, const char *text,
					int64_t t, bool *changed, char *why, size_t n)
{
	struct params p = { 0 };
	enum bureau_err err;
	int64_t dev;
	PGresult *r;

	err = pg__lookup(db, device, false, &dev, why, n);
	if (err)
		return err;
	pg__p_text(&p, device);
	pg__p_text(&p, text);
	pg__p_int(&p, t);
	r = pg__run(db, sql, &p, PGRES_COMMAND_OK, why, n, "device");
	if (!r)
		return BUREAU_ERR_DB;
	*changed = strcmp(PQcmdTuples(r), "0") != 0;
	PQclear(r);
	return BUREAU_OK;
}

enum bureau_err pg__revoke(struct bureau_db *base_, const char *device, const char *reason, int64_t now_ms,
				 bool *changed, char *why, size_t n)
{
	return pg_update_device((struct pg_db *)base_,
				"UPDATE devices SET revoked_utc_ms = $3, revoked_reason = $2 "
				"WHERE device = $1 AND revoked_utc_ms = 0", device, reason, now_ms, changed, why, n);
}

enum bureau_err pg__set_home(struct bureau_db *base_, const char *device, const char *home, char *why,
				   size_t n)
{
	bool changed;

	return pg_update_device((struct pg_db *)base_, "UPDATE devices SET home = $2 WHERE device = $1 AND $3 = 0",
				device, home, 0, &changed, why, n);
}

/*
 * Every gate's day in one statement: the gates' rows, each joined to its own
 * range's groups by hour (LATERAL: one index scan of (dev, time_utc_ms) per
 * gate); the range a parameter of the unnamed statement, which the server
 * plans with its values, so only the months' partitions the day meets are
 * read.  A gate without entries that day has one row with a NULL hour.  A
 * reason is found as ",fever," in ",reasons," (strpos: half the time of a
 * regular expression over a day's rows).  JIT compilation off for it: the
 * estimate of a city's day passes jit_above_cost, and compiling took longer
 * (60-75 ms) than the query saves, on 1,000,000 entries as on 10,000,000.
 */
enum bureau_err pg__city_day(struct bureau_db *base_, int64_t from_ms, int64_t to_ms, struct bureau_gate_day **out,
			     size_t *count, char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct bureau_gate_day *arr = NULL, *g = NULL;
	struct params p = { 0 };
	size_t cnt = 0, cap = 0;
	PGresult *r;

	if (pg__cmd(db, "BEGIN READ ONLY", NULL, why, n, "city") ||
	    pg__cmd(db, "SET LOCAL jit = off", NULL, why, n, "city")) {
		pg__rollback(db);
		return BUREAU_ERR_DB;
	}
	pg__p_int(&p, from_ms);
	pg__p_int(&p, to_ms);
	r = pg__run(db,
		"SELECT d.device, coalesce(d.home, ''), d.last_contact_utc_ms, d.revoked_utc_ms, x.h, x.n, x.deny, "
		"x.refer, x.fever, x.staff FROM devices d LEFT JOIN LATERAL (SELECT least(23, (e.time_utc_ms - $1) / "
		"3600000) AS h, count(*) AS n, count(*) FILTER (WHERE e.decision = 'deny') AS deny, "
		"count(*) FILTER (WHERE e.decision = 'refer') AS refer, "
		"count(*) FILTER (WHERE strpos(',' || e.reasons || ',', ',fever,') > 0) AS fever, "
		"count(*) FILTER (WHERE e.kind = 'staff' AND strpos(',' || e.reasons || ',', ',staff-test-overdue,') > 0) "
		"AS staff "
		"FROM entries e WHERE e.dev = d.id AND e.time_utc_ms >= $1 AND e.time_utc_ms < $2 GROUP BY 1) x ON true "
		"ORDER BY d.device COLLATE \"C\", x.h",
		&p, PGRES_TUPLES_OK, why, n, "city");
	pg__rollback(db);	/* read only: nothing to commit */
	if (!r)
		return BUREAU_ERR_DB;
	for (int i = 0; i < PQntuples(r); i++) {
		if (!g || strcmp(g->device, PQgetvalue(r, i, 0)) != 0) {
			g = bureau__gate_day_add(&arr, &cnt, &cap, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
						 pg__get_int(r, i, 2), pg__get_int(r, i, 3));
			if (!g) {
				PQclear(r);
				free(arr);
				return BUREAU_ERR_NOMEM;
			}
		}
		if (!PQgetisnull(r, i, 4))
			bureau__day_add(&g->c, pg__get_int(r, i, 4), pg__get_int(r, i, 5), pg__get_int(r, i, 6),
					pg__get_int(r, i, 7), pg__get_int(r, i, 8), pg__get_int(r, i, 9));
	}
	PQclear(r);
	*out = arr;
	*count = cnt;
	return BUREAU_OK;
}

enum bureau_err pg__set_seal_key(struct bureau_db *base_, const char *device, const char *text,
				       bool replace, bool *changed, char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	enum bureau_err err;
	PGresult *r;

	*changed = false;
	err = pg__cmd(db, "BEGIN", NULL, why, n, "seal key");
	if (err)
		return err;
	pg__p_text(&p, device);
	r = pg__run(db, "SELECT seal_key FROM devices WHERE device = $1 FOR UPDATE", &p, PGRES_TUPLES_OK, why, n,
		"seal key");
	if (!r) {
		pg__rollback(db);
		return BUREAU_ERR_DB;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		pg__rollback(db);
		snprintf(why, n, _("device %s is not registered"), device);
		return BUREAU_ERR_NOTFOUND;
	}
	if (!PQgetisnull(r, 0, 0)) {
		bool same = !strcmp(PQgetvalue(r, 0, 0), text);

		if (same || !replace) {
			PQclear(r);
			pg__rollback(db);
			return bureau__held_other(same, device, _("seal key"), why, n);
		}
	}
	PQclear(r);
	pg__p_text(&p, text);
	r = pg__run(db, "UPDATE devices SET seal_key = $2 WHERE device = $1", &p, PGRES_COMMAND_OK, why, n, "seal key");
	if (!r) {
		pg__rollback(db);
		return BUREAU_ERR_DB;
	}
	PQclear(r);
	err = pg__cmd(db, "COMMIT", NULL, why, n, "seal key");
	if (err) {
		pg__rollback(db);
		return err;
	}
	*changed = true;
	return BUREAU_OK;
}

enum bureau_err pg__seal_key(struct bureau_db *base_, const char *device, char *buf, size_t size, char *why,
				   size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	enum bureau_err err = BUREAU_OK;
	PGresult *r;

	buf[0] = '\0';
	pg__p_text(&p, device);
	r = pg__run(db, "SELECT seal_key FROM devices WHERE device = $1", &p, PGRES_TUPLES_OK, why, n, "seal key");
	if (!r)
		return BUREAU_ERR_DB;
	if (PQntuples(r) != 1) {
		snprintf(why, n, _("device %s is not registered"), device);
		err = BUREAU_ERR_NOTFOUND;
	} else if (!PQgetisnull(r, 0, 0) && snt_strlcpy(buf, PQgetvalue(r, 0, 0), size) >= size) {
		snprintf(why, n, _("device %s: registered seal key too long"), device);
		err = BUREAU_ERR_DB;
	}
	PQclear(r);
	return err;
}

enum bureau_err pg__rules_put(struct bureau_db *base_, const char *home, uint64_t version, const uint8_t *cose,
				    size_t len, int64_t now_ms, uint64_t *held, char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	PGresult *r;

	pg__p_text(&p, home);
	pg__p_int(&p, (int64_t)version);
	pg__p_blob(&p, cose, len);
	pg__p_int(&p, now_ms);
	r = pg__run(db,
		"INSERT INTO rule_sets (home, version, cose, recorded_utc_ms) VALUES ($1, $2, $3, $4) "
		"ON CONFLICT (home) DO UPDATE SET version = excluded.version, cose = excluded.cose, "
		"recorded_utc_ms = excluded.recorded_utc_ms WHERE excluded.version > rule_sets.version RETURNING version",
		&p, PGRES_TUPLES_OK, why, n, "record rule set");
	if (!r)
		return BUREAU_ERR_DB;
	if (PQntuples(r) == 1) {
		PQclear(r);
		*held = version;
		return BUREAU_OK;
	}
	PQclear(r);
	p.n = 1;
	r = pg__run(db, "SELECT version FROM rule_sets WHERE home = $1", &p, PGRES_TUPLES_OK, why, n, "rule set version");
	if (!r)
		return BUREAU_ERR_DB;
	*held = PQntuples(r) == 1 ? (uint64_t)pg__get_int(r, 0, 0) : 0;
	PQclear(r);
	snprintf(why, n, _("home '%s' has rule set version %" PRIu64 " already: version %" PRIu64 " is not newer"), home,
		 *held, version);
	return BUREAU_ERR_EXISTS;
}

enum bureau_err pg__rules_home(struct bureau_db *base_, const char *home, uint8_t **cose, size_t *len,
				uint64_t *version, char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	PGresult *r;

	pg__p_text(&p, home);
	r = pg__run(db, "SELECT version, cose FROM rule_sets WHERE home = $1", &p, PGRES_TUPLES_OK, why, n,
		    "rule set lookup");
	if (!r)
		return BUREAU_ERR_DB;
	if (PQntuples(r) != 1 || PQgetlength(r, 0, 1) <= 0) {
		PQclear(r);
		snprintf(why, n, _("home '%s' has no rule set"), home);
		return BUREAU_ERR_NOTFOUND;
	}
	*cose = malloc((size_t)PQgetlength(r, 0, 1));
	if (!*cose) {
		PQclear(r);
		return BUREAU_ERR_NOMEM;
	}
	memcpy(*cose, PQgetvalue(r, 0, 1), (size_t)PQgetlength(r, 0, 1));
	*len = (size_t)PQgetlength(r, 0, 1);
	*version = (uint64_t)pg__get_int(r, 0, 0);
	PQclear(r);
	return BUREAU_OK;
}

enum bureau_err pg__rules_for(struct bureau_db *base_, const char *device, uint8_t **cose, size_t *len,
				    uint64_t *version, char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	enum bureau_err err;
	int64_t dev;
	PGresult *r;

	err = pg__lookup(db, device, false, &dev, why, n);
	if (err)
		return err;
	pg__p_int(&p, dev);
	r = pg__run(db, "SELECT r.version, r.cose FROM devices d JOIN rule_sets r ON r.home = d.home WHERE d.id = $1", &p,
		PGRES_TUPLES_OK, why, n, "rule set lookup");
	if (!r)
		return BUREAU_ERR_DB;
	if (PQntuples(r) != 1 || PQgetlength(r, 0, 1) <= 0) {
		PQclear(r);
		snprintf(why, n, _("device %s: no rule set for its home"), device);
		return BUREAU_ERR_NOTFOUND;
	}
	*cose = malloc((size_t)PQgetlength(r, 0, 1));
	if (!*cose) {
		PQclear(r);
		return BUREAU_ERR_NOMEM;
	}
	memcpy(*cose, PQgetvalue(r, 0, 1), (size_t)PQgetlength(r, 0, 1));
	*len = (size_t)PQgetlength(r, 0, 1);
	*version = (uint64_t)pg__get_int(r, 0, 0);
	PQclear(r);
	return BUREAU_OK;
}
