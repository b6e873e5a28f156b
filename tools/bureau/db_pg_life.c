// SPDX-License-Identifier: MIT
/*
 * The bureau database on a PostgreSQL server (db_pg.c): a device's
 * registration and its lifecycle after it, the key handovers (table
 * handovers, schema 2).  Each function is the backend.h operation of the
 * same name, with its arguments, results and errors.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tools/bureau/backend.h"
#include "tools/bureau/bureau.h"
#include "tools/bureau/db_pg_internal.h"

/* Schema 1 -> 2: a device's key handovers. */
const char pg__schema_v2[] =
	"CREATE TABLE handovers (\n"
	"	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
	"	dev bigint NOT NULL REFERENCES devices(id),\n"
	"	time_utc_ms bigint NOT NULL,\n"
	"	old_kid bytea NOT NULL CHECK (length(old_kid) = 8),\n"
	"	old_pub_pem text NOT NULL,\n"
	"	new_kid bytea NOT NULL CHECK (length(new_kid) = 8),\n"
	"	after_seq bigint NOT NULL,\n"
	"	by_whom text NOT NULL,\n"
	"	reason text NOT NULL\n"
	");\n"
	"CREATE INDEX handovers_dev ON handovers (dev, time_utc_ms);\n"
	"UPDATE bureau_meta SET value = '2' WHERE key = 'schema';\n";

enum bureau_err pg__register(struct bureau_db *base_, const char *device, const char *pub_pem,
				   const uint8_t kid[8], bool replace, int64_t now_ms, bool *changed, char *why,
				   size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	enum bureau_err err;
	PGresult *r;

	*changed = false;
	err = pg__cmd(db, "BEGIN", NULL, why, n, "register");
	if (err)
		return err;
	/* A first registration of the same id by two processes at once: one waits for the other. */
	pg__p_text(&p, device);
	r = pg__run(db, "SELECT pg_advisory_xact_lock(hashtext($1))", &p, PGRES_TUPLES_OK, why, n, "register");
	if (!r)
		goto err_db;
	PQclear(r);
	r = pg__run(db, "SELECT kid FROM devices WHERE device = $1 FOR UPDATE", &p, PGRES_TUPLES_OK, why, n, "register");
	if (!r)
		goto err_db;
	if (PQntuples(r) == 1) {
		bool same = PQgetlength(r, 0, 0) == 8 && !memcmp(PQgetvalue(r, 0, 0), kid, 8);

		PQclear(r);
		if (same) {
			pg__rollback(db);
			return BUREAU_OK;
		}
		if (!replace) {
			pg__rollback(db);
			snprintf(why, n, "device %s is registered with another key (kid differs); use --replace",
				 device);
			return BUREAU_ERR_EXISTS;
		}
		pg__p_text(&p, pub_pem);
		pg__p_blob(&p, kid, 8);
		r = pg__run(db, "UPDATE devices SET pub_pem = $2, kid = $3 WHERE device = $1", &p, PGRES_COMMAND_OK, why,
			n, "register");
	} else {
		PQclear(r);
		pg__p_text(&p, pub_pem);
		pg__p_blob(&p, kid, 8);
		pg__p_int(&p, now_ms);
		r = pg__run(db, "INSERT INTO devices (device, pub_pem, kid, registered_utc_ms) VALUES ($1, $2, $3, $4)", &p,
			PGRES_COMMAND_OK, why, n, "register");
	}
	if (!r)
		goto err_db;
	PQclear(r);
	err = pg__cmd(db, "COMMIT", NULL, why, n, "register");
	if (err) {
		pg__rollback(db);
		return err;
	}
	*changed = true;
	return BUREAU_OK;
err_db:
	pg__rollback(db);
	return BUREAU_ERR_DB;
}

static enum bureau_err insert_handover(struct pg_db *db, int64_t dev, const struct bureau_handover *h, char *why,
				       size_t n)
{
	struct params p = { 0 };

	pg__p_int(&p, dev);
	pg__p_int(&p, h->time_utc_ms);
	pg__p_blob(&p, h->old_kid, 8);
	pg__p_text(&p, h->old_pub_pem);
	pg__p_blob(&p, h->new_kid, 8);
	pg__p_int(&p, h->after_seq);
	pg__p_text(&p, h->by);
	pg__p_text(&p, h->reason);
	return pg__cmd(db, "INSERT INTO handovers (dev, time_utc_ms, old_kid, old_pub_pem, new_kid, after_seq, by_whom, "
		       "reason) SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE NOT EXISTS (SELECT 1 FROM handovers "
		       "WHERE dev = $1 AND time_utc_ms = $2 AND old_kid = $3)", &p, why, n, "handover");
}

enum bureau_err pg__rekey(struct bureau_db *base_, const char *device, const char *pub_pem, const uint8_t kid[8],
			  const char *by, const char *reason, int64_t now_ms, bool *changed, char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct bureau_handover h = { .time_utc_ms = now_ms };
	struct params p = { 0 };
	enum bureau_err err;
	PGresult *r;
	int64_t dev;

	*changed = false;
	err = pg__cmd(db, "BEGIN", NULL, why, n, "rekey");
	if (err)
		return err;
	err = pg__lookup(db, device, true, &dev, why, n);	/* the row lock: no merge meanwhile */
	if (err)
		goto out;
	pg__p_int(&p, dev);
	r = pg__run(db, "SELECT kid, pub_pem, greatest(max_seq, prio_max_seq) FROM devices WHERE id = $1", &p,
		    PGRES_TUPLES_OK, why, n, "rekey");
	if (!r) {
		err = BUREAU_ERR_DB;
		goto out;
	}
	if (PQntuples(r) != 1 || PQgetlength(r, 0, 0) != 8) {
		PQclear(r);
		snprintf(why, n, "bureau database: rekey: device %s has no key", device);
		err = BUREAU_ERR_DB;
		goto out;
	}
	memcpy(h.old_kid, PQgetvalue(r, 0, 0), 8);
	snt_strlcpy(h.old_pub_pem, PQgetvalue(r, 0, 1), sizeof(h.old_pub_pem));
	h.after_seq = pg__get_int(r, 0, 2);
	PQclear(r);
	if (!memcmp(h.old_kid, kid, 8))
		goto out;	/* the same key: nothing to hand over */
	memcpy(h.new_kid, kid, 8);
	snt_strlcpy(h.by, by, sizeof(h.by));
	snt_strlcpy(h.reason, reason, sizeof(h.reason));
	pg__p_text(&p, pub_pem);
	pg__p_blob(&p, kid, 8);
	err = pg__cmd(db, "UPDATE devices SET pub_pem = $2, kid = $3 WHERE id = $1", &p, why, n, "rekey");
	if (!err)
		err = insert_handover(db, dev, &h, why, n);
	if (!err)
		err = pg__cmd(db, "COMMIT", NULL, why, n, "rekey");
	if (!err)
		*changed = true;
out:
	pg__rollback(db);
	return err;
}

enum bureau_err pg__handovers(struct bureau_db *base_, const char *device, struct bureau_handover **out,
			      size_t *count, char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct bureau_handover *arr;
	struct params p = { 0 };
	enum bureau_err err;
	PGresult *r;
	int64_t dev;
	int rows;

	err = pg__lookup(db, device, false, &dev, why, n);
	if (err)
		return err;
	pg__p_int(&p, dev);
	r = pg__run(db, "SELECT time_utc_ms, old_kid, old_pub_pem, new_kid, after_seq, by_whom, reason FROM handovers "
		    "WHERE dev = $1 ORDER BY time_utc_ms, id", &p, PGRES_TUPLES_OK, why, n, "handovers");
	if (!r)
		return BUREAU_ERR_DB;
	rows = PQntuples(r);
	if (rows == 0) {
		PQclear(r);
		return BUREAU_OK;
	}
	arr = calloc((size_t)rows, sizeof(*arr));
	if (!arr) {
		PQclear(r);
		return BUREAU_ERR_NOMEM;
	}
	for (int i = 0; i < rows; i++) {
		struct bureau_handover *h = &arr[i];

		h->time_utc_ms = pg__get_int(r, i, 0);
		if (PQgetlength(r, i, 1) == 8)
			memcpy(h->old_kid, PQgetvalue(r, i, 1), 8);
		snt_strlcpy(h->old_pub_pem, PQgetvalue(r, i, 2), sizeof(h->old_pub_pem));
		if (PQgetlength(r, i, 3) == 8)
			memcpy(h->new_kid, PQgetvalue(r, i, 3), 8);
		h->after_seq = pg__get_int(r, i, 4);
		snt_strlcpy(h->by, PQgetvalue(r, i, 5), sizeof(h->by));
		snt_strlcpy(h->reason, PQgetvalue(r, i, 6), sizeof(h->reason));
	}
	PQclear(r);
	*out = arr;
	*count = (size_t)rows;
	return BUREAU_OK;
}

enum bureau_err pg__handover_copy(struct bureau_db *base_, const char *device, const struct bureau_handover *h,
				  char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	enum bureau_err err;
	int64_t dev;

	err = pg__lookup(db, device, false, &dev, why, n);
	if (err)
		return err;
	return insert_handover(db, dev, h, why, n);
}
