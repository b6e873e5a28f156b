/* SPDX-License-Identifier: MIT */
/*
 * db_sqlite_internal.h: what the files of the SQLite bureau backend share,
 * for use only inside tools/bureau/: db_sqlite.c (the schema and its
 * migrations, open and close, registration, seal keys, the merge of a
 * bundle, the backend table bureau_backend_sqlite), db_sqlite_query.c
 * (devices, gaps, entry iteration, verifications and verdicts, alerts, rule
 * sets, revocation, day counts), db_sqlite_life.c (key handovers,
 * retention) and db_sqlite_personal.c (sealed personal records, their
 * retention and audit).  Each query function is the backend.h operation of the same
 * name, with its arguments, results and errors.
 */
#ifndef SNT_BUREAU_DB_SQLITE_INTERNAL_H
#define SNT_BUREAU_DB_SQLITE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "tools/bureau/backend.h"
#include "tools/bureau/bureau.h"

struct sqlite_db {
	struct bureau_db base;
	sqlite3 *db;
	sqlite3_stmt *st_dev;		/* device -> id */
	sqlite3_stmt *st_ins[2];	/* insert or ignore into entries / priority */
	sqlite3_stmt *st_get[2];	/* one row of entries / priority */
	sqlite3_stmt *st_next;		/* seqs after the cursor */
};

struct sqlite_iter {
	struct bureau_entry_iter base;
	struct sqlite_db *db;
	sqlite3_stmt *stmt;
	uint8_t *payload;
};

/* db_sqlite.c: helpers */

/* "bureau database: @what: " and SQLite's message into @why.  Return BUREAU_ERR_DB. */
enum bureau_err sqlite__db_fail(struct sqlite_db *db, char *why, size_t n, const char *what);
/* Run @sql (no results).  Return BUREAU_OK or sqlite__db_fail()'s. */
enum bureau_err sqlite__exec(struct sqlite_db *db, const char *sql, char *why, size_t n);
/* Roll back the open transaction, if any. */
void sqlite__rollback(struct sqlite_db *db);
/*
 * The row id of @device into *@id.  Return BUREAU_OK; BUREAU_ERR_NOTFOUND
 * (not registered) or BUREAU_ERR_DB, said in @why.
 */
enum bureau_err sqlite__lookup(struct sqlite_db *db, const char *device, int64_t *id, char *why, size_t n);
/*
 * The entry row at @s into @e by the gate's row decoder
 * (snt_store_row_decode()).  Return 0, -1 when it does not decode.
 */
int sqlite__read_entry(sqlite3_stmt *s, struct snt_entry *e);
/*
 * The hash of @dev's entry @seq held in entries.  Return 1 held, 0 none,
 * -1 on an error (database, or not 32 bytes).
 */
int sqlite__held_hash(struct sqlite_db *db, int64_t dev, int64_t seq, uint8_t hash[SNT_HASH_LEN]);
/*
 * The integer in the first column of the first row of @sql, with ?1 bound
 * to @a and ?2 (when @sql has it) to @b, into *@out.  Return 0, -1 on a
 * database error or no row.
 */
int sqlite__int_of(struct sqlite_db *db, const char *sql, int64_t a, int64_t b, int64_t *out);
/*
 * The last seq of @dev's entries held without a gap from its cut (what an
 * acknowledgement covers; the devices row's ack_seq, which
 * sqlite__counts_move() keeps) into *@ack.  Return 0, -1 on a database
 * error.
 */
int sqlite__ack_seq_of(struct sqlite_db *db, int64_t dev, int64_t *ack);
/*
 * Add @d_entries and @d_copies (negative: rows removed) to @dev's
 * counters of entries and priority copies held, and move its ack_seq on
 * past what is held contiguous from the ack (or the cut, when that is
 * higher), into *@ack; inside the caller's transaction.  Return 0, -1 on a
 * database error.
 */
int sqlite__counts_move(struct sqlite_db *db, int64_t dev, int64_t d_entries, int64_t d_copies, int64_t *ack);

/* db_sqlite_query.c: the backend.h operations of the same names */

enum bureau_err sqlite__device_info(struct bureau_db *base_, const char *device,
				      struct bureau_device_info *out, char *why, size_t n);
enum bureau_err sqlite__device_state(struct bureau_db *base_, const char *device,
				     struct bureau_device_info *out, char *why, size_t n);
enum bureau_err sqlite__devices(struct bureau_db *base_, char (**ids)[BUREAU_DEVICE_LEN], size_t *count,
				char *why, size_t n);
enum bureau_err sqlite__gaps(struct bureau_db *base_, const char *device, int64_t **ranges,
			       size_t *count, char *why, size_t n);
enum bureau_err sqlite__entries_new(struct bureau_db *base_, const char *device, bool copies,
				      struct bureau_entry_iter **out, char *why, size_t n);
enum bureau_err sqlite__entries_next(struct bureau_entry_iter *base_, struct snt_entry *e, char *why, size_t n);
void sqlite__entries_free(struct bureau_entry_iter *base_);
enum bureau_err sqlite__pending_verifications(struct bureau_db *base_, const char *device, int64_t from,
						int64_t to, int64_t **seqs, size_t *count, char *why, size_t n);
enum bureau_err sqlite__payload(struct bureau_db *base_, const char *device, int64_t seq,
				  uint8_t **payload, size_t *len, enum snt_colour *colour, char *why, size_t n);
enum bureau_err sqlite__verdict_add(struct bureau_db *base_, const char *device,
				      const struct bureau_verdict *v, int64_t now_ms, bool *contradiction,
				      char *why, size_t n);
enum bureau_err sqlite__verdicts(struct bureau_db *base_, const char *device,
				   struct bureau_verdict **out, size_t *count, char *why, size_t n);
enum bureau_err sqlite__alerts(struct bureau_db *base_, struct bureau_alert **out, size_t *count,
				 char *why, size_t n);
enum bureau_err sqlite__rules_put(struct bureau_db *base_, const char *home, uint64_t version, const uint8_t *cose,
				    size_t len, int64_t now_ms, uint64_t *held, char *why, size_t n);
enum bureau_err sqlite__rules_home(struct bureau_db *base_, const char *home, uint8_t **cose, size_t *len,
				    uint64_t *version, char *why, size_t n);
enum bureau_err sqlite__rules_for(struct bureau_db *base_, const char *device, uint8_t **cose, size_t *len,
				    uint64_t *version, char *why, size_t n);
enum bureau_err sqlite__verdicts_all(struct bureau_db *base_, const char *device, struct bureau_verdict **out,
				       size_t *count, char *why, size_t n);
enum bureau_err sqlite__device_row(struct bureau_db *base_, const char *device, char **pub_pem, uint8_t kid[8],
				     int64_t *registered_utc_ms, char *why, size_t n);
enum bureau_err sqlite__revoke(struct bureau_db *base_, const char *device, const char *reason, int64_t now_ms,
				 bool *changed, char *why, size_t n);
enum bureau_err sqlite__set_home(struct bureau_db *base_, const char *device, const char *home, char *why,
				   size_t n);
enum bureau_err sqlite__city_day(struct bureau_db *base_, int64_t from_ms, int64_t to_ms,
				 struct bureau_gate_day **out, size_t *count, char *why, size_t n);

/* db_sqlite_life.c: the backend.h operations of the same names */

enum bureau_err sqlite__rekey(struct bureau_db *base_, const char *device, const char *pub_pem, const uint8_t kid[8],
			      const char *by, const char *reason, int64_t now_ms, bool *changed, char *why, size_t n);
enum bureau_err sqlite__handovers(struct bureau_db *base_, const char *device, struct bureau_handover **out,
				  size_t *count, char *why, size_t n);
enum bureau_err sqlite__handover_copy(struct bureau_db *base_, const char *device, const struct bureau_handover *h,
				      char *why, size_t n);
enum bureau_err sqlite__retention(struct bureau_db *base_, int64_t before_ms, int64_t now_ms,
				  struct bureau_retention_result *res, char *why, size_t n);
enum bureau_err sqlite__cut(struct bureau_db *base_, const char *device, int64_t *seq, uint8_t hash[SNT_HASH_LEN],
			    char *why, size_t n);
enum bureau_err sqlite__cut_copy(struct bureau_db *base_, const char *device, int64_t seq,
				 const uint8_t hash[SNT_HASH_LEN], int64_t time_ms, char *why, size_t n);

/* db_sqlite_personal.c: the backend.h operations of the same names */

/*
 * sqlite__records_insert() - keep the sealed personal records @r[0..@count)
 * of device @dev inside the caller's transaction (one held already stays);
 * *@stored grows by those newly kept.  BUREAU_OK or BUREAU_ERR_DB.
 */
enum bureau_err sqlite__records_insert(struct sqlite_db *db, int64_t dev, const struct bureau_record *r, size_t count,
				       int64_t now_ms, int64_t *stored, char *why, size_t n);
enum bureau_err sqlite__records_put(struct bureau_db *base_, const char *device, const struct bureau_record *r,
				    size_t count, int64_t now_ms, int64_t *stored, char *why, size_t n);
enum bureau_err sqlite__record_get(struct bureau_db *base_, const char *device, int64_t seq, uint8_t **sealed,
				   size_t *len, char **detail, char *why, size_t n);
enum bureau_err sqlite__records_purge(struct bureau_db *base_, int64_t cutoff_ms, int64_t now_ms, int64_t *removed,
				      char *why, size_t n);
enum bureau_err sqlite__audit_add(struct bureau_db *base_, const struct bureau_audit *a, char *why, size_t n);
enum bureau_err sqlite__audit(struct bureau_db *base_, struct bureau_audit **out, size_t *count, char *why,
			      size_t n);

#endif
