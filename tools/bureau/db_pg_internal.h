/* SPDX-License-Identifier: MIT */
/*
 * db_pg_internal.h: what the files of the PostgreSQL bureau backend
 * share, for use only inside tools/bureau/: db_pg.c (the schema, open
 * and close, the merge of a bundle, the backend table bureau_backend_pg),
 * db_pg_copy.c (the bulk load by COPY), db_pg_part.c (the monthly
 * partitions), db_pg_query.c (devices, gaps, entry
 * iteration, verifications and verdicts, alerts, seal keys, rule sets,
 * revocation, day counts), db_pg_life.c (registration, key handovers,
 * retention) and db_pg_personal.c (sealed personal records, their
 * retention and audit).  Each query function is the backend.h operation of the same
 * name, with its arguments, results and errors.
 */
#ifndef SNT_BUREAU_DB_PG_INTERNAL_H
#define SNT_BUREAU_DB_PG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "tools/bureau/backend.h"
#include "tools/bureau/bureau.h"

#define PG_MAX_PARAMS 24
#define PG_LOCK_SCHEMA "1397642306"	/* advisory lock key while making the schema or a partition */

struct pg_db {
	struct bureau_db base;
	PGconn *conn;
	char shown[256];		/* the target for messages, password hidden */
	char *differ_sql[2];		/* first staged seq differing from entries / priority */
	int32_t *months;		/* months (year * 12 + month - 1) with a partition, sorted */
	size_t n_months, cap_months;
	int32_t *refused;		/* months whose partition could not be made (rows in the default) */
	size_t n_refused, cap_refused;
};

struct pg_iter {
	struct bureau_entry_iter base;
	struct pg_db *db;
	PGresult *res;			/* the current batch */
	int row, rows;
	bool done;
};

/* Parameters of one statement: text (format 0) or binary (format 1). */
struct params {
	int n;
	const char *v[PG_MAX_PARAMS];
	int len[PG_MAX_PARAMS];
	int fmt[PG_MAX_PARAMS];
	char num[PG_MAX_PARAMS][24];
};

/* A COPY ... FROM STDIN (FORMAT binary) of entries (db_pg_copy.c): zeroed before its first use. */
struct pg_copy {
	const char *table;		/* the table of the COPY in progress; NULL: none */
	uint8_t *p;			/* data not sent yet */
	size_t len, cap;
	bool failed;			/* out of memory */
};

/* db_pg_copy.c: the bulk load */

/*
 * pg__put_be() - @v as the @n (1 to 8) bytes at @p, most significant first:
 * the network byte order of PostgreSQL's binary COPY and array formats.
 */
void pg__put_be(uint8_t *p, size_t n, uint64_t v);

/*
 * pg__copy_begin() - a COPY into @table (a string that outlives the COPY)
 * in progress on @c: the one in progress when it is into @table already,
 * else the one in progress ended (pg__copy_end()) and a new one started.
 * Return BUREAU_OK; BUREAU_ERR_NOMEM; BUREAU_ERR_DB with @why.
 */
enum bureau_err pg__copy_begin(struct pg_db *db, struct pg_copy *c, const char *table, char *why, size_t n);
/*
 * pg__copy_rows() - the @count entries @e of device @dev (checked by
 * snt_entry_check()), received at @now_ms, into the COPY in progress (sent
 * in chunks: what stays buffered is less than a chunk).  Return BUREAU_OK;
 * BUREAU_ERR_NOMEM; BUREAU_ERR_DB with @why.
 */
enum bureau_err pg__copy_rows(struct pg_db *db, struct pg_copy *c, int64_t dev, const struct snt_entry *e,
			      size_t count, int64_t now_ms, char *why, size_t n);
/*
 * pg__copy_end() - the COPY in progress, if any, ended and its result
 * read (the connection free for other statements).  Return BUREAU_OK;
 * BUREAU_ERR_NOMEM; BUREAU_ERR_DB with @why (the server refused a row).
 */
enum bureau_err pg__copy_end(struct pg_db *db, struct pg_copy *c, char *why, size_t n);
/* pg__copy_done() - a COPY still in progress ended as failed (nothing of it kept); @c's buffer freed. */
void pg__copy_done(struct pg_db *db, struct pg_copy *c);

/* db_pg_part.c: the monthly partitions */

/* pg__load_months() - read which months have a partition into @db->months. */
enum bureau_err pg__load_months(struct pg_db *db, char *why, size_t n);

/*
 * pg__bundle_months() - make the partitions of the months @src's entries
 * meet (bureau_merge_src.times()) and of this month and the next two,
 * each in its own transaction, before a merge's; the list of partitions
 * read again first when the entries meet a month before this one (a
 * retention elsewhere may have dropped it).  BUREAU_OK; BUREAU_ERR_NOMEM;
 * BUREAU_ERR_DB.
 */
enum bureau_err pg__bundle_months(struct pg_db *db, const struct bureau_merge_src *src, int64_t now_ms, char *why,
				  size_t n);

/* db_pg.c: helpers */

/* pg__fail() - BUREAU_ERR_DB with @why "bureau database: @what: <the server's message, one line>". */
enum bureau_err pg__fail(struct pg_db *db, const PGresult *r, char *why, size_t n, const char *what);

/* Parameters of a statement, appended in order: an integer (text format), */
void pg__p_int(struct params *p, int64_t x);
/* a string (text format, not copied), */
void pg__p_text(struct params *p, const char *s);
/* bytes (binary format, not copied). */
void pg__p_blob(struct params *p, const void *b, size_t len);
/*
 * Run @sql with @p (may be NULL); results in binary format.  Return the
 * result when its status is @want (PQclear() it), else NULL with @why
 * ("bureau database: @what: " and the server's message).
 */
PGresult *pg__run(struct pg_db *db, const char *sql, const struct params *p, ExecStatusType want, char *why,
		     size_t n, const char *what);
/* pg__run() of a statement without rows.  Return BUREAU_OK, or BUREAU_ERR_DB with @why. */
enum bureau_err pg__cmd(struct pg_db *db, const char *sql, const struct params *p, char *why, size_t n,
			   const char *what);
/*
 * pg__begin_schema() - begin a transaction holding the schema's advisory
 * lock (PG_LOCK_SCHEMA), to change the schema or add a partition.  Return
 * BUREAU_OK; BUREAU_ERR_DB with @why ("bureau database: @what: ...") and
 * nothing left open.
 */
enum bureau_err pg__begin_schema(struct pg_db *db, char *why, size_t n, const char *what);
/* Roll back the open transaction, if any. */
void pg__rollback(struct pg_db *db);
/* An integer column of a binary result (int8, int4, int2). */
int64_t pg__get_int(const PGresult *r, int row, int col);
/*
 * The device's row id (locked FOR UPDATE when @lock, inside a
 * transaction).  Return BUREAU_OK; BUREAU_ERR_NOTFOUND (not registered) or
 * BUREAU_ERR_DB, said in @why.
 */
enum bureau_err pg__lookup(struct pg_db *db, const char *device, bool lock, int64_t *id, char *why, size_t n);

/* db_pg_query.c: the backend.h operations of the same names */

enum bureau_err pg__device_info(struct bureau_db *base_, const char *device, struct bureau_device_info *out,
				      char *why, size_t n);
enum bureau_err pg__device_state(struct bureau_db *base_, const char *device, struct bureau_device_info *out,
				 char *why, size_t n);
enum bureau_err pg__devices(struct bureau_db *base_, char (**ids)[BUREAU_DEVICE_LEN], size_t *count,
				  char *why, size_t n);
enum bureau_err pg__gaps(struct bureau_db *base_, const char *device, int64_t **ranges, size_t *count,
			       char *why, size_t n);
enum bureau_err pg__entries_new(struct bureau_db *base_, const char *device, bool copies,
				      struct bureau_entry_iter **out, char *why, size_t n);
enum bureau_err pg__entries_next(struct bureau_entry_iter *base_, struct snt_entry *e, char *why, size_t n);
void pg__entries_free(struct bureau_entry_iter *base_);
enum bureau_err pg__pending_verifications(struct bureau_db *base_, const char *device, int64_t from,
						int64_t to, int64_t **seqs, size_t *count, char *why, size_t n);
enum bureau_err pg__payload(struct bureau_db *base_, const char *device, int64_t seq, uint8_t **payload,
				  size_t *len, enum snt_colour *colour, char *why, size_t n);
enum bureau_err pg__verdict_add(struct bureau_db *base_, const char *device, const struct bureau_verdict *v,
				      int64_t now_ms, bool *contradiction, char *why, size_t n);
enum bureau_err pg__verdicts(struct bureau_db *base_, const char *device, struct bureau_verdict **out,
				   size_t *count, char *why, size_t n);
enum bureau_err pg__alerts(struct bureau_db *base_, struct bureau_alert **out, size_t *count, char *why,
				 size_t n);
enum bureau_err pg__verdicts_all(struct bureau_db *base_, const char *device, struct bureau_verdict **out,
				       size_t *count, char *why, size_t n);
enum bureau_err pg__device_row(struct bureau_db *base_, const char *device, char **pub_pem, uint8_t kid[8],
				     int64_t *registered_utc_ms, char *why, size_t n);
enum bureau_err pg__revoke(struct bureau_db *base_, const char *device, const char *reason, int64_t now_ms,
				 bool *changed, char *why, size_t n);
enum bureau_err pg__set_home(struct bureau_db *base_, const char *device, const char *home, char *why,
				   size_t n);
enum bureau_err pg__city_day(struct bureau_db *base_, int64_t from_ms, int64_t to_ms, struct bureau_gate_day **out,
			     size_t *count, char *why, size_t n);
enum bureau_err pg__set_seal_key(struct bureau_db *base_, const char *device, const char *text,
				       bool replace, bool *changed, char *why, size_t n);
enum bureau_err pg__seal_key(struct bureau_db *base_, const char *device, char *buf, size_t size, char *why,
				   size_t n);
enum bureau_err pg__rules_put(struct bureau_db *base_, const char *home, uint64_t version, const uint8_t *cose,
				    size_t len, int64_t now_ms, uint64_t *held, char *why, size_t n);
enum bureau_err pg__rules_home(struct bureau_db *base_, const char *home, uint8_t **cose, size_t *len,
				uint64_t *version, char *why, size_t n);
enum bureau_err pg__rules_for(struct bureau_db *base_, const char *device, uint8_t **cose, size_t *len,
				    uint64_t *version, char *why, size_t n);

/* db_pg_life.c: the steps from schema 1 to 2 and 2 to 3 (db_pg.c runs them); the backend.h operations */

extern const char pg__schema_v2[];
extern const char pg__schema_v3[];
enum bureau_err pg__register(struct bureau_db *base_, const char *device, const char *pub_pem,
			     const uint8_t kid[8], bool replace, int64_t now_ms, bool *changed, char *why, size_t n);

enum bureau_err pg__rekey(struct bureau_db *base_, const char *device, const char *pub_pem, const uint8_t kid[8],
			  const char *by, const char *reason, int64_t now_ms, bool *changed, char *why, size_t n);
enum bureau_err pg__handovers(struct bureau_db *base_, const char *device, struct bureau_handover **out,
			      size_t *count, char *why, size_t n);
enum bureau_err pg__handover_copy(struct bureau_db *base_, const char *device, const struct bureau_handover *h,
				  char *why, size_t n);
enum bureau_err pg__retention(struct bureau_db *base_, int64_t before_ms, int64_t now_ms,
			      struct bureau_retention_result *res, char *why, size_t n);
enum bureau_err pg__cut(struct bureau_db *base_, const char *device, int64_t *seq, uint8_t hash[SNT_HASH_LEN],
			char *why, size_t n);
enum bureau_err pg__cut_copy(struct bureau_db *base_, const char *device, int64_t seq,
			     const uint8_t hash[SNT_HASH_LEN], int64_t time_ms, char *why, size_t n);

/* db_pg_personal.c: the step from schema 3 to 4 (db_pg.c runs it), and the backend.h operations of the same names */

extern const char pg__schema_v4[];
/*
 * pg__records_insert() - keep the sealed personal records @r[0..@count) of
 * device @dev inside the caller's transaction (one held already stays);
 * *@stored grows by those newly kept.  BUREAU_OK or BUREAU_ERR_DB.
 */
enum bureau_err pg__records_insert(struct pg_db *db, int64_t dev, const struct bureau_record *r, size_t count,
				   int64_t now_ms, int64_t *stored, char *why, size_t n);
/* Schema 4 -> 5: entries' and priority's birth_year (db_pg_query.c). */
extern const char pg__schema_v5[];
enum bureau_err pg__records_put(struct bureau_db *base_, const char *device, const struct bureau_record *r,
				size_t count, int64_t now_ms, int64_t *stored, char *why, size_t n);
enum bureau_err pg__record_get(struct bureau_db *base_, const char *device, int64_t seq, uint8_t **sealed,
			       size_t *len, char **detail, char *why, size_t n);
enum bureau_err pg__records_purge(struct bureau_db *base_, int64_t cutoff_ms, int64_t now_ms, int64_t *removed,
				  char *why, size_t n);
enum bureau_err pg__audit_add(struct bureau_db *base_, const struct bureau_audit *a, char *why, size_t n);
enum bureau_err pg__audit(struct bureau_db *base_, struct bureau_audit **out, size_t *count, char *why, size_t n);

#endif
