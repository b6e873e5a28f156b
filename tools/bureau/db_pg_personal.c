// SPDX-License-Identifier: MIT
/*
 * The PostgreSQL bureau backend's sealed personal records, their retention
 * and the audit of openings and purges (operations as in backend.h and
 * bureau.h), and the step of the schema that makes their tables:
 *   personal (schema 4): the entries' sealed personal records (bundle.h
 *     "records"): dev, seq (primary key (dev, seq)), time_utc_ms (the
 *     entry's: the visit, which the retention counts from),
 *     received_utc_ms, sealed (bytea, as the gate sealed it: only the
 *     bureau's private key opens it); never updated (a trigger refuses
 *     it), deleted by the retention;
 *   personal_audit (schema 4): append-only (a trigger refuses UPDATE and
 *     DELETE): id, time_utc_ms, action ('open' or 'purge'), an opening's
 *     device, seq, staff, reason and outcome, a purge's cutoff_utc_ms and
 *     count.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tools/bureau/backend.h"
#include "tools/bureau/bureau.h"
#include "tools/bureau/db_pg_internal.h"
#include "common/i18n.h"

const char pg__schema_v4[] =
	"CREATE TABLE personal (\n"
	"	dev bigint NOT NULL REFERENCES devices(id),\n"
	"	seq bigint NOT NULL CHECK (seq >= 1),\n"
	"	time_utc_ms bigint NOT NULL,\n"
	"	received_utc_ms bigint NOT NULL,\n"
	"	sealed bytea NOT NULL,\n"
	"	PRIMARY KEY (dev, seq)\n"
	");\n"
	"CREATE INDEX personal_time ON personal (time_utc_ms);\n"
	"CREATE FUNCTION bureau_never_changed() RETURNS trigger LANGUAGE plpgsql AS\n"
	"$$BEGIN RAISE EXCEPTION '% rows are never changed', TG_TABLE_NAME; END$$;\n"
	"CREATE TRIGGER personal_no_update BEFORE UPDATE ON personal\n"
	"	FOR EACH ROW EXECUTE FUNCTION bureau_never_changed();\n"
	"CREATE TABLE personal_audit (\n"
	"	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
	"	time_utc_ms bigint NOT NULL,\n"
	"	action text NOT NULL CHECK (action IN ('open', 'purge')),\n"
	"	device text,\n"
	"	seq bigint,\n"
	"	staff text,\n"
	"	reason text,\n"
	"	outcome text NOT NULL,\n"
	"	cutoff_utc_ms bigint,\n"
	"	count bigint\n"
	");\n"
	"CREATE TRIGGER personal_audit_append_only BEFORE UPDATE OR DELETE ON personal_audit\n"
	"	FOR EACH ROW EXECUTE FUNCTION bureau_append_only();\n"
	"UPDATE bureau_meta SET value = '4' WHERE key = 'schema';\n";

/*
 * A one-dimensional array of the @count records' @field (0 seq, 1
 * time_utc_ms: int8; 2 sealed: bytea), element type @oid, in PostgreSQL's
 * binary array format (array_recv: ndim, has-null flag, element type, the
 * dimension and its lower bound, then each element's length and bytes).
 * Return the malloc()ed array and its size in *@size; NULL when out of
 * memory.
 */
static uint8_t *binary_array(uint32_t oid, size_t count, const struct bureau_record *r, int field, size_t *size)
{
	size_t n = 20, k = 20;
	uint8_t *a;

	for (size_t i = 0; i < count; i++)
		n += 4 + (field == 2 ? r[i].len : 8);
	a = malloc(n);
	if (!a)
		return NULL;
	pg__put_be(a, 4, 1);		/* ndim */
	pg__put_be(a + 4, 4, 0);		/* no null */
	pg__put_be(a + 8, 4, oid);
	pg__put_be(a + 12, 4, count);	/* the dimension */
	pg__put_be(a + 16, 4, 1);		/* its lower bound */
	for (size_t i = 0; i < count; i++) {
		if (field == 2) {
			pg__put_be(a + k, 4, r[i].len);
			memcpy(a + k + 4, r[i].sealed, r[i].len);
			k += 4 + r[i].len;
		} else {
			pg__put_be(a + k, 4, 8);
			pg__put_be(a + k + 4, 8, (uint64_t)(field == 0 ? r[i].seq : r[i].time_utc_ms));
			k += 12;
		}
	}
	*size = n;
	return a;
}

enum bureau_err pg__records_insert(struct pg_db *db, int64_t dev, const struct bureau_record *r, size_t count,
				   int64_t now_ms, int64_t *stored, char *why, size_t n)
{
	enum bureau_err err = BUREAU_OK;
	struct params p = { 0 };
	uint8_t *seqs, *times, *sealed;
	size_t ls = 0, lt = 0, lb = 0;
	PGresult *res;

	if (count == 0)
		return BUREAU_OK;
	/* One statement for the batch's records: their columns as arrays (int8 20, bytea 17), unnested. */
	seqs = binary_array(20, count, r, 0, &ls);
	times = binary_array(20, count, r, 1, &lt);
	sealed = binary_array(17, count, r, 2, &lb);
	if (!seqs || !times || !sealed || ls > INT32_MAX || lt > INT32_MAX || lb > INT32_MAX) {
		err = BUREAU_ERR_NOMEM;
		goto out;
	}
	pg__p_int(&p, dev);
	pg__p_blob(&p, seqs, ls);
	pg__p_blob(&p, times, lt);
	pg__p_int(&p, now_ms);
	pg__p_blob(&p, sealed, lb);
	res = pg__run(db,
		      "INSERT INTO personal (dev, seq, time_utc_ms, received_utc_ms, sealed) "
		      "SELECT $1, u.seq, u.t, $4, u.sealed FROM unnest($2::bigint[], $3::bigint[], $5::bytea[]) "
		      "AS u(seq, t, sealed) WHERE u.seq >= (SELECT cut_seq FROM devices WHERE id = $1) "
		      "ON CONFLICT (dev, seq) DO NOTHING",
		      &p, PGRES_COMMAND_OK, why, n, "keep personal records");
	if (!res) {
		err = BUREAU_ERR_DB;
		goto out;
	}
	*stored += strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
out:
	free(seqs);
	free(times);
	free(sealed);
	return err;
}

enum bureau_err pg__records_put(struct bureau_db *base_, const char *device, const struct bureau_record *r,
				size_t count, int64_t now_ms, int64_t *stored, char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	enum bureau_err err;
	int64_t dev = 0;

	err = pg__cmd(db, "BEGIN", NULL, why, n, "keep personal records");
	if (err)
		return err;
	err = pg__lookup(db, device, false, &dev, why, n);
	if (!err)
		err = pg__records_insert(db, dev, r, count, now_ms, stored, why, n);
	if (!err)
		err = pg__cmd(db, "COMMIT", NULL, why, n, "keep personal records");
	if (err) {
		*stored = 0;
		pg__rollback(db);
	}
	return err;
}

enum bureau_err pg__record_get(struct bureau_db *base_, const char *device, int64_t seq, uint8_t **sealed,
			       size_t *len, char **detail, char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	enum bureau_err err;
	int64_t dev = 0;
	PGresult *r;
	size_t blen, dlen;

	err = pg__lookup(db, device, false, &dev, why, n);
	if (err)
		return err;
	pg__p_int(&p, dev);
	pg__p_int(&p, seq);
	/* The entry's detail from the regular stream, else from a priority copy. */
	r = pg__run(db,
		    "SELECT p.sealed, coalesce((SELECT detail FROM entries e WHERE e.dev = p.dev AND e.seq = p.seq LIMIT 1),"
		    " (SELECT detail FROM priority c WHERE c.dev = p.dev AND c.seq = p.seq), '') "
		    "FROM personal p WHERE p.dev = $1 AND p.seq = $2",
		    &p, PGRES_TUPLES_OK, why, n, "read a personal record");
	if (!r)
		return BUREAU_ERR_DB;
	if (PQntuples(r) != 1) {
		PQclear(r);
		snprintf(why, n, _("device %s holds no personal record for seq %" PRId64 " (never received, or purged)"),
			 device, seq);
		return BUREAU_ERR_NOTFOUND;
	}
	blen = (size_t)PQgetlength(r, 0, 0);
	dlen = (size_t)PQgetlength(r, 0, 1);
	*sealed = blen ? malloc(blen) : NULL;
	*detail = malloc(dlen + 1);
	if (!*sealed || !*detail) {
		free(*sealed);
		free(*detail);
		*sealed = NULL;
		*detail = NULL;
		PQclear(r);
		return BUREAU_ERR_NOMEM;
	}
	memcpy(*sealed, PQgetvalue(r, 0, 0), blen);
	*len = blen;
	memcpy(*detail, PQgetvalue(r, 0, 1), dlen);
	(*detail)[dlen] = '\0';
	PQclear(r);
	return BUREAU_OK;
}

enum bureau_err pg__records_purge(struct bureau_db *base_, int64_t cutoff_ms, int64_t now_ms, int64_t *removed,
				  char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	enum bureau_err err;
	PGresult *r;
	int64_t count = 0;

	err = pg__cmd(db, "BEGIN", NULL, why, n, "purge personal records");
	if (err)
		return err;
	pg__p_int(&p, cutoff_ms);
	r = pg__run(db, "DELETE FROM personal WHERE time_utc_ms < $1", &p, PGRES_COMMAND_OK, why, n,
		    "purge personal records");
	if (!r) {
		err = BUREAU_ERR_DB;
	} else {
		count = strtoll(PQcmdTuples(r), NULL, 10);
		PQclear(r);
	}
	if (!err && count > 0) {
		struct params q = { 0 };

		pg__p_int(&q, now_ms);
		pg__p_int(&q, cutoff_ms);
		pg__p_int(&q, count);
		err = pg__cmd(db,
			      "INSERT INTO personal_audit (time_utc_ms, action, outcome, cutoff_utc_ms, count) "
			      "VALUES ($1, 'purge', 'removed', $2, $3)", &q, why, n, "record the purge");
	}
	if (!err)
		err = pg__cmd(db, "COMMIT", NULL, why, n, "purge personal records");
	if (err)
		pg__rollback(db);
	else
		*removed = count;
	return err;
}

enum bureau_err pg__audit_add(struct bureau_db *base_, const struct bureau_audit *a, char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };

	if (a->purge) {
		pg__p_int(&p, a->time_utc_ms);
		pg__p_text(&p, a->outcome);
		pg__p_int(&p, a->cutoff_utc_ms);
		pg__p_int(&p, a->count);
		return pg__cmd(db,
			       "INSERT INTO personal_audit (time_utc_ms, action, outcome, cutoff_utc_ms, count) "
			       "VALUES ($1, 'purge', $2, $3, $4)", &p, why, n, "record the purge");
	}
	pg__p_int(&p, a->time_utc_ms);
	pg__p_text(&p, a->device);
	pg__p_int(&p, a->seq);
	pg__p_text(&p, a->staff);
	pg__p_text(&p, a->reason);
	pg__p_text(&p, a->outcome);
	return pg__cmd(db,
		       "INSERT INTO personal_audit (time_utc_ms, action, device, seq, staff, reason, outcome) "
		       "VALUES ($1, 'open', $2, $3, $4, $5, $6)", &p, why, n, "record the opening");
}

/* Text column @col of row @row into @out (@size bytes; "" for NULL). */
static void copy_text(const PGresult *r, int row, int col, char *out, size_t size)
{
	size_t len = PQgetisnull(r, row, col) ? 0 : (size_t)PQgetlength(r, row, col);

	if (len >= size)
		len = size - 1;
	memcpy(out, PQgetvalue(r, row, col), len);
	out[len] = '\0';
}

enum bureau_err pg__audit(struct bureau_db *base_, struct bureau_audit **out, size_t *count, char *why, size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct bureau_audit *v;
	PGresult *r;
	int rows;

	r = pg__run(db,
		    "SELECT id, time_utc_ms, action, device, coalesce(seq, 0), staff, reason, outcome, "
		    "coalesce(cutoff_utc_ms, 0), coalesce(count, 0) FROM personal_audit ORDER BY id",
		    NULL, PGRES_TUPLES_OK, why, n, "read the audit");
	if (!r)
		return BUREAU_ERR_DB;
	rows = PQntuples(r);
	v = calloc(rows > 0 ? (size_t)rows : 1, sizeof(*v));
	if (!v) {
		PQclear(r);
		return BUREAU_ERR_NOMEM;
	}
	for (int i = 0; i < rows; i++) {
		struct bureau_audit *a = &v[i];
		char action[8];

		a->id = pg__get_int(r, i, 0);
		a->time_utc_ms = pg__get_int(r, i, 1);
		copy_text(r, i, 2, action, sizeof(action));
		a->purge = !strcmp(action, "purge");
		copy_text(r, i, 3, a->device, sizeof(a->device));
		a->seq = pg__get_int(r, i, 4);
		copy_text(r, i, 5, a->staff, sizeof(a->staff));
		copy_text(r, i, 6, a->reason, sizeof(a->reason));
		copy_text(r, i, 7, a->outcome, sizeof(a->outcome));
		a->cutoff_utc_ms = pg__get_int(r, i, 8);
		a->count = pg__get_int(r, i, 9);
	}
	PQclear(r);
	*out = v;
	*count = (size_t)rows;
	return BUREAU_OK;
}
