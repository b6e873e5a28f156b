// SPDX-License-Identifier: MIT
/*
 * The bureau database on a PostgreSQL server (15, through libpq; backend.h).
 *
 * Layout (table bureau_meta: application 'sentinel-bureau', schema '6'; a
 * database of schema '1' to '5' is brought to '6' on open, in one
 * transaction; schema 5 adds entries' and priority's birth_year, after
 * received_utc_ms, db_pg_query.c; schema 6 makes the fevers' index
 * without a regular expression, schema_v6):
 *   devices   id, device (unique), pub_pem, kid (8 bytes), registered,
 *             last_contact (0 = never; moved only by a merge that brings
 *             new entries), and what the merges keep up to date so that
 *             no query counts a device's rows: ack_seq and ack_hash (the
 *             last seq held contiguous from 1 and its hash), max_seq
 *             (highest regular seq), prio_max_seq, n_entries, n_priority;
 *             home (NULL = not given), revoked_utc_ms (0 = not revoked),
 *             revoked_reason; (schema 3) retention's cut: cut_seq,
 *             cut_hash, cut_time_utc_ms as in the SQLite file.
 *   entries   dev (a device's id: no foreign key, whose check per row would
 *             cost a bulk load more than the rows; the merge looked the
 *             device up), then the gate log's entry columns (SNT_STORE_ROW_COLUMNS:
 *             bigint, text, bytea; NULL as in the gate's log), written and
 *             read through the gate's own row code (snt_store_row_values(),
 *             snt_store_row_from_values()), then received_utc_ms.  Range
 *             partitioned by month of time_utc_ms (entries_YYYY_MM, made
 *             ahead of the months the merges meet, back to 2000-01 and up
 *             to a year past the bureau's clock); times outside go to
 *             entries_default.  Retention drops whole partitions.  Primary
 *             key (dev, seq, time_utc_ms): a unique key of a partitioned
 *             table must hold the partition key, so (dev, seq) is kept
 *             unique by the merge, which holds the device's row lock
 *             (SELECT ... FOR UPDATE) and inserts only the seqs not held.
 *             Indexes for the inspectors' queries: (dev, time_utc_ms)
 *             (a home's day: the home's gates), (decision, time_utc_ms)
 *             for denials and referrals, (dev, time_utc_ms) of fevers.
 *             Append-only: a trigger refuses UPDATE and DELETE.
 *   priority  the same columns, not partitioned: copies from priority
 *             bundles; primary key (dev, seq); dev as in entries.
 *   verdicts, alerts, bundles: as in the SQLite file (db_sqlite.c).
 *   handovers (schema 2), retentions (schema 3): as in the SQLite file
 *             (db_pg_life.c).  A retention drops the months before its cut
 *             as whole partitions and deletes what else lies below each
 *             device's cut, the append-only trigger letting DELETE through
 *             only in a transaction that set bureau.retention.
 *   personal, personal_audit (schema 4): as in the SQLite file
 *             (db_pg_personal.c): the entries' sealed personal records, and
 *             the append-only audit of their openings and purges.
 *
 * A merge: the partitions of the months its entries meet made first (each
 * in its own transaction: making one locks the table); then one
 * transaction: the device's row locked (its revocation and retention cut
 * read with it); the chain checks against what is held for first - 1 and
 * last + 1; then batch by batch (bureau_merge_src, db_pg_copy.c): a batch
 * past everything held (the common case: a gate's next bundle) cannot
 * overlap: its rows are streamed straight into entries by COPY (binary
 * format), one COPY for all such batches of the bundle (the server inserts
 * one batch while the bureau decodes the next); a batch that meets what is
 * held is streamed into the temporary staging table (made once per
 * session, ON COMMIT DELETE ROWS) and one statement finds the first of its
 * seqs whose held row differs (IS DISTINCT FROM over every column: byte
 * equality of text and bytea) from the staged one; the batch's sealed
 * personal records.  After the last batch one INSERT ... SELECT adds the
 * staged seqs not held (a held one is the same row, so its key conflicts:
 * ON CONFLICT DO NOTHING; those up to the acknowledged seq are held and not
 * tried); the device's row updated and the bundle's row added; COMMIT.
 * Two merges of one device wait for each
 * other (the row lock), so a bundle imported twice at once, or a gate's
 * upload racing its stick's import, inserts each seq once and every
 * acknowledgement counts what the other committed.  A client killed
 * mid-merge leaves nothing: the server rolls the transaction back.
 *
 * Durability: the server's (synchronous_commit on, its default): COMMIT
 * returns after the WAL is flushed, so an acknowledgement sent after it is
 * safe to purge on.
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

#define PG_SCHEMA_VERSION 6	/* bureau_meta's schema: 1 made by schema_v1, each later by its step */
#define PG_APPLICATION "sentinel-bureau"

#define ENTRY_COLS_SQL \
	"	seq bigint NOT NULL CHECK (seq >= 1),\n" \
	"	boot_id text NOT NULL,\n" \
	"	mono_ms bigint NOT NULL,\n" \
	"	time_utc_ms bigint NOT NULL,\n" \
	"	clock text NOT NULL,\n" \
	"	kind text NOT NULL,\n" \
	"	format text NOT NULL,\n" \
	"	colour text NOT NULL,\n" \
	"	verified text NOT NULL,\n" \
	"	temp_dc bigint,\n" \
	"	decision text NOT NULL,\n" \
	"	reasons text NOT NULL,\n" \
	"	door text NOT NULL,\n" \
	"	subject text,\n" \
	"	payload bytea,\n" \
	"	detail text,\n" \
	"	prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),\n" \
	"	hash bytea NOT NULL CHECK (length(hash) = 32),\n" \
	"	payload_hash bytea CHECK (payload_hash IS NULL OR (length(payload_hash) = 32 AND payload IS NULL)),\n" \
	"	received_utc_ms bigint NOT NULL,\n"

static const char schema_v1[] =
	"CREATE TABLE bureau_meta (key text PRIMARY KEY, value text NOT NULL);\n"
	"INSERT INTO bureau_meta VALUES ('application', '" PG_APPLICATION "'), ('schema', '1');\n"
	"CREATE TABLE devices (\n"
	"	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
	"	device text NOT NULL UNIQUE,\n"
	"	pub_pem text NOT NULL,\n"
	"	kid bytea NOT NULL CHECK (length(kid) = 8),\n"
	"	registered_utc_ms bigint NOT NULL,\n"
	"	last_contact_utc_ms bigint NOT NULL DEFAULT 0,\n"
	"	ack_seq bigint NOT NULL DEFAULT 0,\n"
	"	ack_hash bytea CHECK (length(ack_hash) = 32),\n"
	"	max_seq bigint NOT NULL DEFAULT 0,\n"
	"	prio_max_seq bigint NOT NULL DEFAULT 0,\n"
	"	n_entries bigint NOT NULL DEFAULT 0,\n"
	"	n_priority bigint NOT NULL DEFAULT 0,\n"
	"	seal_key text CHECK (length(seal_key) <= 512),\n"
	"	home text,\n"
	"	revoked_utc_ms bigint NOT NULL DEFAULT 0,\n"
	"	revoked_reason text\n"
	");\n"
	"CREATE FUNCTION bureau_append_only() RETURNS trigger LANGUAGE plpgsql AS\n"
	"$$BEGIN RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME; END$$;\n"
	"CREATE TABLE entries (\n"
	"	dev bigint NOT NULL,\n"
	ENTRY_COLS_SQL
	"	PRIMARY KEY (dev, seq, time_utc_ms)\n"
	") PARTITION BY RANGE (time_utc_ms);\n"
	"CREATE TABLE entries_default PARTITION OF entries DEFAULT;\n"
	"CREATE INDEX entries_dev_time ON entries (dev, time_utc_ms);\n"
	"CREATE INDEX entries_decision ON entries (decision, time_utc_ms) WHERE decision <> 'admit';\n"
	"CREATE INDEX entries_fever ON entries (dev, time_utc_ms) WHERE reasons ~ '(^|,)fever(,|$)';\n"
	"CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON entries\n"
	"	FOR EACH ROW EXECUTE FUNCTION bureau_append_only();\n"
	"CREATE TABLE priority (\n"
	"	dev bigint NOT NULL,\n"
	ENTRY_COLS_SQL
	"	PRIMARY KEY (dev, seq)\n"
	");\n"
	"CREATE TRIGGER priority_append_only BEFORE UPDATE OR DELETE ON priority\n"
	"	FOR EACH ROW EXECUTE FUNCTION bureau_append_only();\n"
	"CREATE TABLE verdicts (\n"
	"	dev bigint NOT NULL REFERENCES devices(id),\n"
	"	seq bigint NOT NULL,\n"
	"	colour text NOT NULL CHECK (colour IN ('green', 'yellow', 'red')),\n"
	"	platform text NOT NULL,\n"
	"	received_utc_ms bigint NOT NULL,\n"
	"	PRIMARY KEY (dev, seq)\n"
	");\n"
	"CREATE TABLE alerts (\n"
	"	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
	"	dev bigint NOT NULL REFERENCES devices(id),\n"
	"	seq bigint NOT NULL,\n"
	"	kind text NOT NULL,\n"
	"	detail text NOT NULL,\n"
	"	created_utc_ms bigint NOT NULL\n"
	");\n"
	"CREATE TABLE bundles (\n"
	"	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
	"	dev bigint NOT NULL REFERENCES devices(id),\n"
	"	kind text NOT NULL,\n"
	"	first_seq bigint NOT NULL,\n"
	"	last_seq bigint NOT NULL,\n"
	"	count bigint NOT NULL,\n"
	"	created_utc_ms bigint NOT NULL,\n"
	"	received_utc_ms bigint NOT NULL,\n"
	"	new bigint NOT NULL,\n"
	"	duplicate bigint NOT NULL,\n"
	"	source text NOT NULL\n"
	");\n"
	"CREATE INDEX bundles_dev ON bundles (dev, id);\n"
	"CREATE TABLE rule_sets (\n"
	"	home text PRIMARY KEY,\n"
	"	version bigint NOT NULL CHECK (version >= 1),\n"
	"	cose bytea NOT NULL,\n"
	"	recorded_utc_ms bigint NOT NULL\n"
	");\n";

/*
 * Schema 5 -> 6: the fevers' index with the predicate (',' || reasons || ',') LIKE '%,fever,%', which
 * holds for the same rows as reasons ~ '(^|,)fever(,|$)' but costs a bulk load about a tenth of the
 * server's instructions less (the regular expression ran for every row inserted).  An inspector's
 * query uses the index with that predicate.
 */
static const char schema_v6[] =
	"DROP INDEX IF EXISTS entries_fever;\n"
	"CREATE INDEX entries_fever ON entries (dev, time_utc_ms) WHERE (',' || reasons || ',') LIKE '%,fever,%';\n"
	"UPDATE bureau_meta SET value = '6' WHERE key = 'schema';\n";

/* The steps after schema 1: schema_steps[v - 2] brings schema v - 1 to v. */
static const char *const schema_steps[] = { pg__schema_v2, pg__schema_v3, pg__schema_v4, pg__schema_v5,
					    schema_v6 };

/* The entry columns as a row of table alias a compared with alias b: built once. */
static const char entry_cols[] = SNT_STORE_ROW_COLUMNS;


void pg__p_int(struct params *p, int64_t x)
{
	snprintf(p->num[p->n], sizeof(p->num[p->n]), "%" PRId64, x);
	p->v[p->n] = p->num[p->n];
	p->len[p->n] = 0;
	p->fmt[p->n] = 0;
	p->n++;
}

void pg__p_text(struct params *p, const char *s)
{
	p->v[p->n] = s;
	p->len[p->n] = 0;
	p->fmt[p->n] = 0;
	p->n++;
}

void pg__p_blob(struct params *p, const void *b, size_t len)
{
	p->v[p->n] = b;
	p->len[p->n] = (int)len;
	p->fmt[p->n] = 1;
	p->n++;
}

static void p_null(struct params *p)
{
	p->v[p->n] = NULL;
	p->len[p->n] = 0;
	p->fmt[p->n] = 0;
	p->n++;
}

/* The server's message, one line (libpq ends it with a newline). */
static const char *pg_msg(const struct pg_db *db, const PGresult *r)
{
	static const char none[] = "no message";
	const char *m = r ? PQresultErrorMessage(r) : NULL;

	if (!m || !*m)
		m = PQerrorMessage(db->conn);
	return m && *m ? m : none;
}

enum bureau_err pg__fail(struct pg_db *db, const PGresult *r, char *why, size_t n, const char *what)
{
	char line[BUREAU_WHY_LEN];
	size_t k;

	snt_strlcpy(line, pg_msg(db, r), sizeof(line));
	k = strcspn(line, "\n");
	line[k] = '\0';
	snprintf(why, n, _("bureau database: %s: %s"), what, line);
	return BUREAU_ERR_DB;
}

/* Run @sql with @p (may be NULL); results in binary format.  NULL on failure (why set). */
PGresult *pg__run(struct pg_db *db, const char *sql, const struct params *p, ExecStatusType want, char *why,
		     size_t n, const char *what)
{
	PGresult *r = PQexecParams(db->conn, sql, p ? p->n : 0, NULL, p ? p->v : NULL, p ? p->len : NULL,
				   p ? p->fmt : NULL, 1);

	if (!r || PQresultStatus(r) != want) {
		pg__fail(db, r, why, n, what);
		PQclear(r);
		return NULL;
	}
	return r;
}

enum bureau_err pg__cmd(struct pg_db *db, const char *sql, const struct params *p, char *why, size_t n,
			   const char *what)
{
	PGresult *r = pg__run(db, sql, p, PGRES_COMMAND_OK, why, n, what);

	if (!r)
		return BUREAU_ERR_DB;
	PQclear(r);
	return BUREAU_OK;
}

void pg__rollback(struct pg_db *db)
{
	if (PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		PQclear(PQexec(db->conn, "ROLLBACK"));
}

static uint64_t be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* An integer column of a binary result (int8, int4, int2). */
int64_t pg__get_int(const PGresult *r, int row, int col)
{
	const unsigned char *p = (const unsigned char *)PQgetvalue(r, row, col);

	switch (PQgetlength(r, row, col)) {
	case 8:
		return (int64_t)be64(p);
	case 4:
		return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
	case 2:
		return (int16_t)((uint16_t)(p[0] << 8 | p[1]));
	default:
		return 0;
	}
}

/* ---- the schema ---- */

static char *differ_sql(const char *held)
{
	char list_a[1024] = "", list_b[1024] = "", *sql = NULL;
	const char *p = entry_cols;

	while (*p) {
		size_t k = strcspn(p, ",");
		char col[32];

		snprintf(col, sizeof(col), "%.*s", (int)k, p);
		snprintf(list_a + strlen(list_a), sizeof(list_a) - strlen(list_a), "%sh.%s", list_a[0] ? ", " : "",
			 col);
		snprintf(list_b + strlen(list_b), sizeof(list_b) - strlen(list_b), "%ss.%s", list_b[0] ? ", " : "",
			 col);
		p += k;
		while (*p == ',' || *p == ' ')
			p++;
	}
	if (asprintf(&sql, "SELECT min(s.seq) FROM stage s JOIN %s h ON h.dev = s.dev AND h.seq = s.seq "
			   "WHERE s.seq >= $1 AND (%s) IS DISTINCT FROM (%s)", held, list_a, list_b) < 0)
		return NULL;
	return sql;
}

enum bureau_err pg__begin_schema(struct pg_db *db, char *why, size_t n, const char *what)
{
	enum bureau_err err = pg__cmd(db, "BEGIN", NULL, why, n, what);
	PGresult *r;

	if (err)
		return err;
	r = pg__run(db, "SELECT pg_advisory_xact_lock(" PG_LOCK_SCHEMA ")", NULL, PGRES_TUPLES_OK, why, n, what);
	if (!r) {
		pg__rollback(db);
		return BUREAU_ERR_DB;
	}
	PQclear(r);
	return BUREAU_OK;
}

/*
 * 0 schema present and ours, 1 empty database, -1 failure or not ours (why
 * set).  *@version: the schema's version (1 to PG_SCHEMA_VERSION) when 0.
 */
static int schema_state(struct pg_db *db, int *version, char *why, size_t n)
{
	PGresult *r = pg__run(db,
			  "SELECT to_regclass('bureau_meta') IS NOT NULL, "
			  "(SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema())",
			  NULL, PGRES_TUPLES_OK, why, n, "schema");
	bool has_meta;
	int64_t tables;
	int state = -1;

	*version = 0;
	if (!r)
		return -1;
	has_meta = PQgetvalue(r, 0, 0)[0] != 0;
	tables = pg__get_int(r, 0, 1);
	PQclear(r);
	if (!has_meta && tables == 0)
		return 1;
	if (has_meta) {
		r = pg__run(db, "SELECT string_agg(key || '=' || value, ',' ORDER BY key COLLATE \"C\") FROM bureau_meta",
			NULL, PGRES_TUPLES_OK, why, n, "schema");
		if (!r)
			return -1;
		if (!PQgetisnull(r, 0, 0)) {
			char tail;

			if (sscanf(PQgetvalue(r, 0, 0), "application=" PG_APPLICATION ",schema=%d%c", version, &tail) == 1 &&
			    *version >= 1 && *version <= PG_SCHEMA_VERSION)
				state = 0;
		}
		PQclear(r);
	}
	if (state < 0)
		snprintf(why, n, _("cannot open %s: not a sentinel-bureau database (or another version)"), db->shown);
	return state;
}

/*
 * Make the schema in an empty database, or bring an older one to
 * PG_SCHEMA_VERSION: one transaction under the schema's advisory lock.
 */
static enum bureau_err make_schema(struct pg_db *db, char *why, size_t n)
{
	enum bureau_err err;
	PGresult *r;
	int state, version;

	err = pg__begin_schema(db, why, n, "schema");
	if (err)
		return err;
	state = schema_state(db, &version, why, n);	/* made by another process meanwhile? */
	if (state < 0) {
		pg__rollback(db);
		return BUREAU_ERR_DB;
	}
	if (state == 1)
		version = 0;
	for (; version < PG_SCHEMA_VERSION; version++) {
		r = PQexec(db->conn, version == 0 ? schema_v1 : schema_steps[version - 1]);
		if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
			err = pg__fail(db, r, why, n, version == 0 ? "create the schema" : "migrate the schema");
			PQclear(r);
			pg__rollback(db);
			return err;
		}
		PQclear(r);
	}
	err = pg__cmd(db, "COMMIT", NULL, why, n, "schema");
	if (err)
		pg__rollback(db);
	return err;
}

/* ---- open, close ---- */

static void no_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;	/* library code never prints: the server's notices are dropped */
}

static void pg_close(struct bureau_db *base_)
{
	struct pg_db *db = (struct pg_db *)base_;

	if (!db)
		return;
	if (db->conn)
		PQfinish(db->conn);
	free(db->differ_sql[0]);
	free(db->differ_sql[1]);
	free(db->months);
	free(db->refused);
	free(db);
}

static enum bureau_err pg_open(const char *target, bool create, struct bureau_db **out, char *why, size_t n)
{
	struct pg_db *db;
	enum bureau_err err;
	int state, version;

	if (!target || !out)
		return BUREAU_ERR_INVAL;
	db = calloc(1, sizeof(*db));
	if (!db)
		return BUREAU_ERR_NOMEM;
	db->base.ops = &bureau_backend_pg;
	bureau_db_shown(target, db->shown, sizeof(db->shown));
	db->conn = PQconnectdb(target);
	if (!db->conn) {
		err = BUREAU_ERR_NOMEM;
		goto err_close;
	}
	PQsetNoticeProcessor(db->conn, no_notice, NULL);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		char line[BUREAU_WHY_LEN];

		snt_strlcpy(line, PQerrorMessage(db->conn), sizeof(line));
		line[strcspn(line, "\n")] = '\0';
		snprintf(why, n, _("cannot open %s: %s"), db->shown, line);
		err = BUREAU_ERR_DB;
		goto err_close;
	}
	err = pg__cmd(db, "SET client_min_messages = warning", NULL, why, n, "session");
	if (err)
		goto err_close;
	state = schema_state(db, &version, why, n);
	if (state < 0) {
		err = BUREAU_ERR_DB;
		goto err_close;
	}
	if (state == 1 && !create) {
		snprintf(why, n, _("no bureau database at %s (register a gate or import first, or give --db)"),
			 db->shown);
		err = BUREAU_ERR_NOTFOUND;
		goto err_close;
	}
	if (state == 1 || version < PG_SCHEMA_VERSION) {
		err = make_schema(db, why, n);
		if (err)
			goto err_close;
	}
	err = pg__cmd(db,
		  "CREATE TEMP TABLE stage (LIKE priority INCLUDING DEFAULTS) ON COMMIT DELETE ROWS",
		  NULL, why, n, "staging table");
	if (err)
		goto err_close;
	db->differ_sql[0] = differ_sql("entries");
	db->differ_sql[1] = differ_sql("priority");
	if (!db->differ_sql[0] || !db->differ_sql[1]) {
		err = BUREAU_ERR_NOMEM;
		goto err_close;
	}
	err = pg__load_months(db, why, n);
	if (err)
		goto err_close;
	*out = &db->base;
	return BUREAU_OK;

err_close:
	pg_close(&db->base);
	return err;
}

/* ---- devices ---- */

/* The device's row id (locked FOR UPDATE when @lock, inside a transaction); 0 when not registered. */
enum bureau_err pg__lookup(struct pg_db *db, const char *device, bool lock, int64_t *id, char *why, size_t n)
{
	struct params p = { 0 };
	PGresult *r;

	pg__p_text(&p, device);
	r = pg__run(db, lock ? "SELECT id FROM devices WHERE device = $1 FOR UPDATE" : "SELECT id FROM devices WHERE device = $1",
		&p, PGRES_TUPLES_OK, why, n, "device lookup");
	if (!r)
		return BUREAU_ERR_DB;
	*id = PQntuples(r) == 1 ? pg__get_int(r, 0, 0) : 0;
	PQclear(r);
	if (*id == 0) {
		snprintf(why, n, _("device %s is not registered"), device);
		return BUREAU_ERR_NOTFOUND;
	}
	return BUREAU_OK;
}

static enum bureau_err pg_device_key(struct bureau_db *base_, const char *device, EVP_PKEY **key, char *why,
				     size_t n)
{
	struct pg_db *db = (struct pg_db *)base_;
	struct params p = { 0 };
	enum bureau_err err = BUREAU_OK;
	enum snt_sign_err serr;
	PGresult *r;

	pg__p_text(&p, device);
	r = pg__run(db, "SELECT pub_pem FROM devices WHERE device = $1", &p, PGRES_TUPLES_OK, why, n, "device key");
	if (!r)
		return BUREAU_ERR_DB;
	if (PQntuples(r) == 1) {
		serr = snt_sign_key_public_from_pem(PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), key);
		if (serr) {
			snprintf(why, n, _("device %s: registered key unusable: %s"), device, snt_sign_strerror(serr));
			err = BUREAU_ERR_DB;
		}
	} else {
		snprintf(why, n, _("device %s is not registered"), device);
		err = BUREAU_ERR_NOTFOUND;
	}
	PQclear(r);
	return err;
}

/* ---- the merge ---- */

/* The held row's hash (@col "hash" or "prev_hash") of entries seq @seq: 1 found, 0 none, -1 error. */
static int held(struct pg_db *db, int64_t dev, int64_t seq, bool prev, uint8_t out[SNT_HASH_LEN], char *why,
		size_t n)
{
	struct params p = { 0 };
	PGresult *r;
	int res = 0;

	pg__p_int(&p, dev);
	pg__p_int(&p, seq);
	r = pg__run(db, prev ? "SELECT prev_hash FROM entries WHERE dev = $1 AND seq = $2"
			 : "SELECT hash FROM entries WHERE dev = $1 AND seq = $2",
		&p, PGRES_TUPLES_OK, why, n, "chain");
	if (!r)
		return -1;
	if (PQntuples(r) >= 1 && PQgetlength(r, 0, 0) == SNT_HASH_LEN) {
		memcpy(out, PQgetvalue(r, 0, 0), SNT_HASH_LEN);
		res = 1;
	}
	PQclear(r);
	return res;
}

/*
 * The first seq from @from on of the staged rows that differs from the row held in @t (0 entries, 1
 * priority); 0 none.
 */
static enum bureau_err first_differing(struct pg_db *db, int t, int64_t from, int64_t *seq, char *why, size_t n)
{
	struct params p = { 0 };
	PGresult *r;

	pg__p_int(&p, from);
	r = pg__run(db, db->differ_sql[t], &p, PGRES_TUPLES_OK, why, n, "merge");

	if (!r)
		return BUREAU_ERR_DB;
	*seq = PQgetisnull(r, 0, 0) ? 0 : pg__get_int(r, 0, 0);
	PQclear(r);
	return BUREAU_OK;
}

/* The end of the run held contiguous from @ack + 1 (which is held). */
static enum bureau_err run_end(struct pg_db *db, int64_t dev, int64_t ack, int64_t *end, char *why, size_t n)
{
	struct params p = { 0 };
	PGresult *r;

	pg__p_int(&p, dev);
	pg__p_int(&p, ack);
	r = pg__run(db,
		"SELECT s.seq FROM (SELECT seq, lead(seq) OVER (ORDER BY seq) AS nx FROM entries "
		"WHERE dev = $1 AND seq > $2) s WHERE s.nx IS NULL OR s.nx <> s.seq + 1 ORDER BY s.seq LIMIT 1",
		&p, PGRES_TUPLES_OK, why, n, "ack");
	if (!r)
		return BUREAU_ERR_DB;
	*end = PQntuples(r) == 1 ? pg__get_int(r, 0, 0) : ack;
	PQclear(r);
	return BUREAU_OK;
}

/*
 * The staged rows (the batches that met what is held) inserted where not held: *@added how many; a
 * regular seq up to @ack (held contiguous) is held.  The stage is empty at the start of each merge (ON
 * COMMIT DELETE ROWS; a rollback drops its rows too).
 */
static enum bureau_err stage_merge(struct pg_db *db, bool priority, bool overlaps, int64_t ack, int64_t *added,
				   char *why, size_t n)
{
	struct params p = { 0 };
	PGresult *r;

	if (priority)
		r = pg__run(db, "INSERT INTO priority SELECT * FROM stage ON CONFLICT (dev, seq) DO NOTHING", NULL,
			    PGRES_COMMAND_OK, why, n, "merge");
	else if (!overlaps)
		r = pg__run(db, "INSERT INTO entries SELECT * FROM stage", NULL, PGRES_COMMAND_OK, why, n, "merge");
	else {
		/* A staged row held has every column the same (first_differing()), its time too: its key. */
		pg__p_int(&p, ack);
		r = pg__run(db, "INSERT INTO entries SELECT * FROM stage WHERE seq > $1 "
			    "ON CONFLICT (dev, seq, time_utc_ms) DO NOTHING", &p, PGRES_COMMAND_OK, why, n, "merge");
	}
	if (!r)
		return BUREAU_ERR_DB;
	*added = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return BUREAU_OK;
}

/* BUREAU_ERR_REJECT unless what is held for @m's last + 1 (when up to @max_seq) links to its head. */
static enum bureau_err head_links(struct pg_db *db, int64_t dev, const struct bureau_manifest *m, int64_t max_seq,
				  char *why, size_t n)
{
	uint8_t h[SNT_HASH_LEN];
	int k = m->last + 1 <= max_seq ? held(db, dev, m->last + 1, true, h, why, n) : 0;

	if (k < 0)
		return BUREAU_ERR_DB;
	if (k == 1 && memcmp(h, m->head, SNT_HASH_LEN) != 0) {
		snprintf(why, n,
			 _("device %s seq %" PRId64 ": the entry held for seq %" PRId64
			 " does not link to this bundle's head (fork or forgery)"), m->device, m->last, m->last + 1);
		return BUREAU_ERR_REJECT;
	}
	return BUREAU_OK;
}

static enum bureau_err pg_merge(struct bureau_db *base_, const struct bureau_manifest *m0,
				const struct bureau_merge_src *src, const char *source, int64_t now_ms,
				struct bureau_merge_result *res, char *why, size_t n_why)
{
	static const uint8_t zero[SNT_HASH_LEN];
	struct pg_db *db = (struct pg_db *)base_;
	struct snt_entry_names names;
	struct bureau_manifest kept, *m = &kept;
	struct bureau_cut cut;
	struct params p = { 0 };
	struct pg_copy copy = { 0 };
	uint8_t h[SNT_HASH_LEN], ack_hash[SNT_HASH_LEN], hi_hash[SNT_HASH_LEN] = { 0 };
	int64_t dev, ack, max_seq, held_max, prio_max, n_prio, lo = INT64_MAX, hi = 0, staged = 0;
	bool overlaps = false;	/* a staged batch met the entries held */
	enum bureau_err err;
	PGresult *r;
	int k;

	memset(res, 0, sizeof(*res));
	why[0] = '\0';
	/* Partitions are made before the merge's transaction (each in its own): they lock the table. */
	err = pg__bundle_months(db, src, now_ms, why, n_why);
	if (err)
		return err;
	err = pg__cmd(db, "BEGIN", NULL, why, n_why, "merge");
	if (err)
		return err;
	pg__p_text(&p, m0->device);
	r = pg__run(db, "SELECT id, ack_seq, ack_hash, max_seq, prio_max_seq, n_priority, revoked_utc_ms, "
		    "coalesce(revoked_reason, ''), cut_seq, cut_hash FROM devices WHERE device = $1 FOR UPDATE",
		&p, PGRES_TUPLES_OK, why, n_why, "device lookup");
	if (!r)
		goto err_rollback;
	if (PQntuples(r) != 1) {
		PQclear(r);
		snprintf(why, n_why, _("device %s is not registered"), m0->device);
		err = BUREAU_ERR_NOTFOUND;
		goto err_rollback;
	}
	dev = pg__get_int(r, 0, 0);
	ack = pg__get_int(r, 0, 1);
	memset(ack_hash, 0, sizeof(ack_hash));
	if (PQgetlength(r, 0, 2) == SNT_HASH_LEN)
		memcpy(ack_hash, PQgetvalue(r, 0, 2), SNT_HASH_LEN);
	max_seq = held_max = pg__get_int(r, 0, 3);
	prio_max = pg__get_int(r, 0, 4);
	n_prio = pg__get_int(r, 0, 5);
	if (pg__get_int(r, 0, 6) != 0) {
		snprintf(why, n_why, _("device %s is revoked (%s): bundle refused"), m0->device, PQgetvalue(r, 0, 7));
		PQclear(r);
		err = BUREAU_ERR_REJECT;
		goto err_rollback;
	}
	/* The retention cut, read under the device's lock. */
	cut.seq = pg__get_int(r, 0, 8);
	memset(cut.hash, 0, sizeof(cut.hash));
	if (PQgetlength(r, 0, 9) == SNT_HASH_LEN)
		memcpy(cut.hash, PQgetvalue(r, 0, 9), SNT_HASH_LEN);
	PQclear(r);
	err = bureau__cut_start(m0, &cut, &kept, why, n_why);
	if (err)
		goto err_rollback;
	if (!m->priority && !cut.none_kept) {
		/* The bundle's prev must link to what is held for first - 1. */
		if (m->first > 1) {
			k = m->first - 1 <= max_seq ? held(db, dev, m->first - 1, false, h, why, n_why) : 0;
			if (k < 0)
				goto err_rollback;
			if (k == 1 && memcmp(h, m->prev, SNT_HASH_LEN) != 0) {
				snprintf(why, n_why,
					 _("device %s seq %" PRId64 ": prev does not link to the hash held for seq %"
					 PRId64 " (fork or forgery)"), m->device, m->first, m->first - 1);
				err = BUREAU_ERR_REJECT;
				goto err_rollback;
			}
		} else if (memcmp(m->prev, zero, SNT_HASH_LEN) != 0) {
			snprintf(why, n_why, _("device %s seq 1: prev is not 32 zero bytes"), m->device);
			err = BUREAU_ERR_REJECT;
			goto err_rollback;
		}
		/* ... and what is held for last + 1 must link to its head (after the cut's links when below it). */
		if (m->first == m0->first) {
			err = head_links(db, dev, m, max_seq, why, n_why);
			if (err)
				goto err_rollback;
		}
	}
	for (;;) {
		const struct snt_entry *e = NULL;
		const struct bureau_record *rec = NULL;
		size_t count = 0, nr = 0;
		int64_t blo = INT64_MAX, bhi = 0, added;

		err = src->next(src->ctx, &e, &count, &rec, &nr, why, n_why);
		if (err)
			goto err_rollback;
		if (count == 0)
			break;
		err = bureau__cut_batch(m, &cut, &e, &count, &rec, &nr, why, n_why);
		if (err)
			goto err_rollback;
		if (count == 0)
			continue;
		for (size_t i = 0; i < count; i++) {
			if (snt_entry_check(&e[i], &names)) {
				snprintf(why, n_why, _("device %s seq %" PRId64 ": a field out of range"), m->device, e[i].seq);
				err = BUREAU_ERR_REJECT;
				goto err_rollback;
			}
			blo = e[i].seq < blo ? e[i].seq : blo;
			if (e[i].seq > hi) {
				hi = e[i].seq;
				memcpy(hi_hash, e[i].hash, SNT_HASH_LEN);
			}
			bhi = e[i].seq > bhi ? e[i].seq : bhi;
		}
		if (!m->priority && blo > held_max && !(n_prio > 0 && blo <= prio_max)) {
			/* Past everything held: no overlap to compare, every row is new; one COPY for such batches. */
			err = pg__copy_begin(db, &copy, "entries", why, n_why);
			if (!err)
				err = pg__copy_rows(db, &copy, dev, e, count, now_ms, why, n_why);
			if (err)
				goto err_rollback;
			added = (int64_t)count;
		} else {
			int64_t bad_e = 0, bad_p = 0, bad;
			bool meets_e = blo <= held_max, meets_p = n_prio > 0 && blo <= prio_max;

			/* Staged (one COPY while no batch meets what is held), inserted after the last batch. */
			err = pg__copy_begin(db, &copy, "stage", why, n_why);
			if (!err)
				err = pg__copy_rows(db, &copy, dev, e, count, now_ms, why, n_why);
			if (!err && (meets_e || meets_p))
				err = pg__copy_end(db, &copy, why, n_why);
			if (err)
				goto err_rollback;
			staged += (int64_t)count;
			overlaps = overlaps || meets_e;
			/* Overlaps must be byte for byte what is held (regular stream and copies alike). */
			if (meets_e) {
				err = first_differing(db, 0, blo, &bad_e, why, n_why);
				if (err)
					goto err_rollback;
			}
			if (meets_p) {
				err = first_differing(db, 1, blo, &bad_p, why, n_why);
				if (err)
					goto err_rollback;
			}
			bad = bad_e && bad_p ? (bad_e < bad_p ? bad_e : bad_p) : (bad_e ? bad_e : bad_p);
			if (bad) {
				snprintf(why, n_why,
					 _("device %s seq %" PRId64 ": differs from the entry held (forgery or fork); bundle refused"),
					 m->device, bad);
				err = BUREAU_ERR_REJECT;
				goto err_rollback;
			}
			added = (int64_t)count;	/* until stage_merge() says how many were held already */
		}
		res->new_entries += added;
		res->duplicates += (int64_t)count - added;
		lo = blo < lo ? blo : lo;
		if (!m->priority && bhi > held_max)
			held_max = bhi;
		/* The sealed personal records after their entries, in the same transaction. */
		if (nr > 0) {
			err = pg__copy_end(db, &copy, why, n_why);
			if (!err)
				err = pg__records_insert(db, dev, rec, nr, now_ms, &res->records, why, n_why);
			if (err)
				goto err_rollback;
		}
	}
	err = pg__copy_end(db, &copy, why, n_why);
	if (err)
		goto err_rollback;
	pg__copy_done(db, &copy);
	if (staged > 0) {
		int64_t added;

		err = stage_merge(db, m->priority, overlaps, ack, &added, why, n_why);
		if (err)
			goto err_rollback;
		res->new_entries -= staged - added;
		res->duplicates += staged - added;
	}
	if (!m->priority && !cut.none_kept && m->first != m0->first) {
		err = head_links(db, dev, m, max_seq, why, n_why);
		if (err)
			goto err_rollback;
	}
	if (lo == INT64_MAX) {
		/* Nothing kept (all below the retention cut): nothing recorded, the acknowledgement as it is. */
		res->ack_seq = ack;
		res->duplicates = cut.below;
		err = pg__cmd(db, "COMMIT", NULL, why, n_why, "merge");
		if (err)
			goto err_rollback;
		return BUREAU_OK;
	}
	/* The acknowledgement: the run from 1 grows when the bundle holds ack + 1. */
	if (!m->priority && res->new_entries > 0 && lo <= ack + 1 && hi >= ack + 1 && max_seq <= hi &&
	    hi - lo + 1 == res->new_entries + res->duplicates) {
		/* Every seq from lo to hi held now, none held above: the run ends at the bundle's last. */
		ack = hi;
		memcpy(ack_hash, hi_hash, SNT_HASH_LEN);
	} else if (!m->priority && res->new_entries > 0 && lo <= ack + 1 && hi >= ack + 1) {
		int64_t end;

		err = run_end(db, dev, ack, &end, why, n_why);
		if (err)
			goto err_rollback;
		if (end != ack) {
			k = held(db, dev, end, false, ack_hash, why, n_why);
			if (k != 1) {
				if (k == 0)
					snprintf(why, n_why, _("bureau database: ack: seq %" PRId64 " not held"), end);
				err = BUREAU_ERR_DB;
				goto err_rollback;
			}
			ack = end;
		}
	}
	res->ack_seq = ack;
	p.n = 0;
	pg__p_int(&p, dev);
	pg__p_int(&p, m->priority ? 0 : res->new_entries);
	pg__p_int(&p, m->priority ? res->new_entries : 0);
	pg__p_int(&p, m->priority ? max_seq : (hi > max_seq ? hi : max_seq));
	pg__p_int(&p, m->priority ? (hi > prio_max ? hi : prio_max) : prio_max);
	pg__p_int(&p, ack);
	if (ack > 0)
		pg__p_blob(&p, ack_hash, SNT_HASH_LEN);
	else
		p_null(&p);
	/* A replay (nothing new) is no sign of life: only new entries are a contact. */
	pg__p_int(&p, res->new_entries > 0 ? now_ms : 0);
	r = pg__run(db,
		"UPDATE devices SET n_entries = n_entries + $2, n_priority = n_priority + $3, max_seq = $4, "
		"prio_max_seq = $5, ack_seq = $6, ack_hash = $7, "
		"last_contact_utc_ms = greatest(last_contact_utc_ms, $8) WHERE id = $1",
		&p, PGRES_COMMAND_OK, why, n_why, "merge");
	if (!r)
		goto err_rollback;
	PQclear(r);
	p.n = 0;
	pg__p_int(&p, dev);
	pg__p_text(&p, m->priority ? "priority" : "regular");
	pg__p_int(&p, lo);
	pg__p_int(&p, m->last);
	pg__p_int(&p, res->new_entries + res->duplicates);
	pg__p_int(&p, m->created_utc_ms);
	pg__p_int(&p, now_ms);
	pg__p_int(&p, res->new_entries);
	pg__p_int(&p, res->duplicates);
	pg__p_text(&p, source ? source : "");
	r = pg__run(db,
		"INSERT INTO bundles (dev, kind, first_seq, last_seq, count, created_utc_ms, received_utc_ms, new, "
		"duplicate, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
		&p, PGRES_COMMAND_OK, why, n_why, "merge");
	if (!r)
		goto err_rollback;
	PQclear(r);
	err = pg__cmd(db, "COMMIT", NULL, why, n_why, "merge");
	if (err)
		goto err_rollback;
	res->duplicates += cut.below;
	return BUREAU_OK;

err_rollback:
	if (!err)
		err = BUREAU_ERR_DB;
	memset(res, 0, sizeof(*res));
	pg__copy_done(db, &copy);
	pg__rollback(db);
	return err;
}

/* ---- reading ---- */

const struct bureau_backend bureau_backend_pg = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.reg = pg__register,
	.device_key = pg_device_key,
	.merge = pg_merge,
	.device_info = pg__device_info,
	.device_state = pg__device_state,
	.devices = pg__devices,
	.gaps = pg__gaps,
	.entries_new = pg__entries_new,
	.entries_next = pg__entries_next,
	.entries_free = pg__entries_free,
	.pending_verifications = pg__pending_verifications,
	.payload = pg__payload,
	.verdict_add = pg__verdict_add,
	.verdicts = pg__verdicts,
	.alerts = pg__alerts,
	.set_seal_key = pg__set_seal_key,
	.seal_key = pg__seal_key,
	.verdicts_all = pg__verdicts_all,
	.device_row = pg__device_row,
	.revoke = pg__revoke,
	.set_home = pg__set_home,
	.city_day = pg__city_day,
	.rules_put = pg__rules_put,
	.rules_for = pg__rules_for,
	.rules_home = pg__rules_home,
	.rekey = pg__rekey,
	.handovers = pg__handovers,
	.handover_copy = pg__handover_copy,
	.retention = pg__retention,
	.cut = pg__cut,
	.cut_copy = pg__cut_copy,
	.records_put = pg__records_put,
	.record_get = pg__record_get,
	.records_purge = pg__records_purge,
	.audit_add = pg__audit_add,
	.audit = pg__audit,
};

