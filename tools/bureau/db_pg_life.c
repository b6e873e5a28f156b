// SPDX-License-Identifier: MIT
/*
 * The bureau database on a PostgreSQL server (db_pg.c): a device's
 * registration and its lifecycle after it: the key handovers (table
 * handovers, schema 2) and retention (the devices' cut columns, table
 * retentions, schema 3).  Each function is the backend.h operation of the
 * same name, with its arguments, results and errors.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "tools/bureau/backend.h"
#include "tools/bureau/bureau.h"
#include "tools/bureau/db_pg_internal.h"
#include "common/i18n.h"

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

/* Schema 2 -> 3: retention's cut per device, its journal, DELETE let through for it. */
const char pg__schema_v3[] =
	"ALTER TABLE devices ADD COLUMN cut_seq bigint NOT NULL DEFAULT 1 CHECK (cut_seq >= 1),\n"
	"	ADD COLUMN cut_hash bytea CHECK (cut_hash IS NULL OR length(cut_hash) = 32),\n"
	"	ADD COLUMN cut_time_utc_ms bigint NOT NULL DEFAULT 0;\n"
	"CREATE TABLE retentions (\n"
	"	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
	"	before_utc_ms bigint NOT NULL,\n"
	"	time_utc_ms bigint NOT NULL,\n"
	"	entries bigint NOT NULL,\n"
	"	copies bigint NOT NULL\n"
	");\n"
	"CREATE OR REPLACE FUNCTION bureau_append_only() RETURNS trigger LANGUAGE plpgsql AS\n"
	"$$BEGIN\n"
	"	IF TG_OP = 'DELETE' AND current_setting('bureau.retention', true) = 'on' THEN RETURN OLD; END IF;\n"
	"	RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME;\n"
	"END$$;\n"
	"UPDATE bureau_meta SET value = '3' WHERE key = 'schema';\n";

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
		if (same || !replace) {
			pg__rollback(db);
			return bureau__held_other(same, device, _("key (kid differs)"), why, n);
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
		snprintf(why, n, _("bureau database: rekey: device %s has no key"), device);
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

/* ---- retention ---- */

/* The months (year * 12 + month - 1) of the partitions before month @before, into @out (free()). */
static enum bureau_err old_partitions(struct pg_db *db, int before, char (**out)[32], size_t *count, char *why,
				      size_t n)
{
	PGresult *r = pg__run(db,
			  "SELECT c.relname FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c "
			  "ON c.oid = i.inhrelid WHERE i.inhparent = 'entries'::regclass ORDER BY 1",
			  NULL, PGRES_TUPLES_OK, why, n, "partitions");
	char (*arr)[32];
	size_t k = 0;

	*out = NULL;
	*count = 0;
	if (!r)
		return BUREAU_ERR_DB;
	arr = calloc((size_t)PQntuples(r) + 1, sizeof(*arr));
	if (!arr) {
		PQclear(r);
		return BUREAU_ERR_NOMEM;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		int y, mo;
		char tail;

		if (sscanf(PQgetvalue(r, i, 0), "entries_%4d_%2d%c", &y, &mo, &tail) == 2 && mo >= 1 && mo <= 12 &&
		    y * 12 + mo - 1 < before)
			snt_strlcpy(arr[k++], PQgetvalue(r, i, 0), sizeof(arr[0]));
	}
	PQclear(r);
	*out = arr;
	*count = k;
	return BUREAU_OK;
}

/* Each statement of retention in turn: the cuts, the counts, the drops and deletes, the devices' rows. */
static const char *const retention_sql[] = {
	/* The cut of each device moves past its last entry before the month. */
	"UPDATE devices d SET cut_seq = l.seq + 1, cut_hash = e.hash, cut_time_utc_ms = e.time_utc_ms "
	"FROM (SELECT dev, max(seq) AS seq FROM entries WHERE time_utc_ms < $1 GROUP BY dev) l "
	"JOIN entries e ON e.dev = l.dev AND e.seq = l.seq WHERE d.id = l.dev AND d.cut_seq < l.seq + 1",
	/* What lies below the cuts, counted per device before it goes. */
	"CREATE TEMP TABLE retained ON COMMIT DROP AS SELECT d.id AS dev, "
	"(SELECT count(*) FROM entries e WHERE e.dev = d.id AND e.seq < d.cut_seq) AS entries, "
	"(SELECT count(*) FROM priority p WHERE p.dev = d.id AND p.seq < d.cut_seq) AS copies "
	"FROM devices d WHERE d.cut_seq > 1",
};

/* The run held contiguous from @dev's cut - 1: the acknowledgement after retention. */
static const char ack_sql[] =
	"UPDATE devices d SET ack_seq = a.seq, ack_hash = CASE WHEN a.seq = d.cut_seq - 1 THEN d.cut_hash "
	"ELSE (SELECT hash FROM entries e WHERE e.dev = d.id AND e.seq = a.seq) END "
	"FROM (SELECT d2.id, coalesce((SELECT min(s.seq) FROM (SELECT seq, lead(seq) OVER (ORDER BY seq) AS nx "
	"FROM entries WHERE dev = d2.id AND seq >= d2.cut_seq) s WHERE s.nx IS NULL OR s.nx <> s.seq + 1), "
	"d2.cut_seq - 1) AS seq FROM devices d2 WHERE d2.cut_seq > 1 AND d2.ack_seq < d2.cut_seq - 1 AND "
	"EXISTS (SELECT 1 FROM entries e2 WHERE e2.dev = d2.id AND e2.seq = d2.cut_seq) "
	"UNION ALL SELECT d3.id, d3.cut_seq - 1 FROM devices d3 WHERE d3.cut_seq > 1 AND d3.ack_seq < d3.cut_seq - 1 "
	"AND NOT EXISTS (SELECT 1 FROM entries e3 WHERE e3.dev = d3.id AND e3.seq = d3.cut_seq)) a WHERE d.id = a.id";

enum bureau_err pg__retention(struct bureau_db *base_, int64_t before_ms, int64_t now_ms,
			      struct bureau_retention_result *res, char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	char (*parts)[32] = NULL;
	size_t nparts = 0;
	enum bureau_err err;
	time_t t = (time_t)(before_ms / 1000);
	struct tm tm;
	PGresult *r;

	if (!gmtime_r(&t, &tm))
		return BUREAU_ERR_INVAL;
	err = pg__cmd(db, "BEGIN", NULL, why, n, "retention");
	if (!err)
		err = pg__cmd(db, "SET LOCAL bureau.retention = 'on'", NULL, why, n, "retention");
	if (!err) {
		/* No merge, nor partition made, meanwhile. */
		r = pg__run(db, "SELECT pg_advisory_xact_lock(1397642306), (SELECT count(*) FROM (SELECT id FROM devices "
			    "FOR UPDATE) l)", NULL, PGRES_TUPLES_OK, why, n, "retention");
		err = r ? BUREAU_OK : BUREAU_ERR_DB;
		PQclear(r);
	}
	pg__p_int(&p, before_ms);
	if (!err) {
		r = pg__run(db, retention_sql[0], &p, PGRES_COMMAND_OK, why, n, "retention");
		err = r ? BUREAU_OK : BUREAU_ERR_DB;
		if (r)
			res->devices = strtoll(PQcmdTuples(r), NULL, 10);
		PQclear(r);
	}
	if (!err)
		err = pg__cmd(db, retention_sql[1], NULL, why, n, "retention");
	if (!err)
		err = old_partitions(db, (tm.tm_year + 1900) * 12 + tm.tm_mon, &parts, &nparts, why, n);
	for (size_t i = 0; !err && i < nparts; i++) {
		char sql[64];

		snprintf(sql, sizeof(sql), "DROP TABLE %s", parts[i]);
		err = pg__cmd(db, sql, NULL, why, n, "retention");
	}
	res->partitions = (int64_t)nparts;
	free(parts);
	if (!err)
		err = pg__cmd(db, "DELETE FROM entries e USING devices d WHERE e.dev = d.id AND e.seq < d.cut_seq", NULL,
			      why, n, "retention");
	if (!err)
		err = pg__cmd(db, "DELETE FROM priority e USING devices d WHERE e.dev = d.id AND e.seq < d.cut_seq", NULL,
			      why, n, "retention");
	if (!err) {
		/* The sealed personal records of the removed entries go with them, the removal in the audit. */
		r = pg__run(db, "DELETE FROM personal e USING devices d WHERE e.dev = d.id AND e.seq < d.cut_seq", NULL,
			    PGRES_COMMAND_OK, why, n, "retention");
		err = r ? BUREAU_OK : BUREAU_ERR_DB;
		if (r)
			res->records = strtoll(PQcmdTuples(r), NULL, 10);
		PQclear(r);
	}
	if (!err && res->records > 0) {
		p.n = 0;
		pg__p_int(&p, now_ms);
		pg__p_int(&p, before_ms);
		pg__p_int(&p, res->records);
		err = pg__cmd(db, "INSERT INTO personal_audit (time_utc_ms, action, outcome, cutoff_utc_ms, count) "
			      "VALUES ($1, 'purge', 'removed', $2, $3)", &p, why, n, "retention");
	}
	if (!err)
		err = pg__cmd(db, "UPDATE devices d SET n_entries = d.n_entries - r.entries, n_priority = d.n_priority - "
			      "r.copies, max_seq = coalesce((SELECT max(seq) FROM entries e WHERE e.dev = d.id), 0), "
			      "prio_max_seq = coalesce((SELECT max(seq) FROM priority p WHERE p.dev = d.id), 0) "
			      "FROM retained r WHERE d.id = r.dev AND (r.entries > 0 OR r.copies > 0)", NULL, why, n,
			      "retention");
	if (!err)
		err = pg__cmd(db, ack_sql, NULL, why, n, "retention");
	if (!err) {
		r = pg__run(db, "SELECT coalesce(sum(entries), 0)::bigint, coalesce(sum(copies), 0)::bigint FROM retained",
			    NULL, PGRES_TUPLES_OK, why, n, "retention");
		err = r ? BUREAU_OK : BUREAU_ERR_DB;
		if (r) {
			res->entries = pg__get_int(r, 0, 0);
			res->copies = pg__get_int(r, 0, 1);
		}
		PQclear(r);
	}
	if (!err) {
		p.n = 0;
		pg__p_int(&p, before_ms);
		pg__p_int(&p, now_ms);
		pg__p_int(&p, res->entries);
		pg__p_int(&p, res->copies);
		err = pg__cmd(db, "INSERT INTO retentions (before_utc_ms, time_utc_ms, entries, copies) VALUES "
			      "($1, $2, $3, $4)", &p, why, n, "retention");
	}
	if (!err)
		err = pg__cmd(db, "COMMIT", NULL, why, n, "retention");
	pg__rollback(db);
	if (err)
		memset(res, 0, sizeof(*res));
	return err;
}

enum bureau_err pg__cut(struct bureau_db *base_, const char *device, int64_t *seq, uint8_t hash[SNT_HASH_LEN],
			char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	PGresult *r;

	*seq = 1;
	memset(hash, 0, SNT_HASH_LEN);
	pg__p_text(&p, device);
	r = pg__run(db, "SELECT cut_seq, cut_hash FROM devices WHERE device = $1", &p, PGRES_TUPLES_OK, why, n, "cut");
	if (!r)
		return BUREAU_ERR_DB;
	if (PQntuples(r) != 1) {
		PQclear(r);
		snprintf(why, n, _("device %s is not registered"), device);
		return BUREAU_ERR_NOTFOUND;
	}
	*seq = pg__get_int(r, 0, 0);
	if (PQgetlength(r, 0, 1) == SNT_HASH_LEN)
		memcpy(hash, PQgetvalue(r, 0, 1), SNT_HASH_LEN);
	PQclear(r);
	return BUREAU_OK;
}

enum bureau_err pg__cut_copy(struct bureau_db *base_, const char *device, int64_t seq,
			     const uint8_t hash[SNT_HASH_LEN], int64_t time_ms, char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	enum bureau_err err;
	int64_t dev;

	err = pg__lookup(db, device, false, &dev, why, n);
	if (err)
		return err;
	pg__p_int(&p, dev);
	pg__p_int(&p, seq);
	pg__p_blob(&p, hash, SNT_HASH_LEN);
	pg__p_int(&p, time_ms);
	/* Nothing is held below the cut: the acknowledgement starts at it. */
	return pg__cmd(db, "UPDATE devices SET cut_seq = $2, cut_hash = $3, cut_time_utc_ms = $4, "
		       "ack_seq = greatest(ack_seq, $2 - 1), "
		       "ack_hash = CASE WHEN ack_seq < $2 - 1 THEN $3 ELSE ack_hash END WHERE id = $1 AND cut_seq < $2",
		       &p, why, n, "cut");
}
