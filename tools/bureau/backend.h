/* SPDX-License-Identifier: MIT */
/*
 * The bureau database's backends behind one interface: the embedded SQLite
 * file (db_sqlite.c, the default) and a PostgreSQL server through libpq
 * (db_pg.c).  bureau_db_open() picks one by its target: a
 * "postgresql://..." or "postgres://..." URI (libpq "Connection URIs")
 * selects PostgreSQL, anything else is the path of an SQLite file.  A
 * build without the PostgreSQL backend (make BUREAU_PG=no, which defines
 * SNT_BUREAU_NO_PG and leaves db_pg*.c and libpq out) refuses such a URI
 * with BUREAU_ERR_DB, its reason naming the missing backend.
 *
 * Every operation of bureau.h's bureau_db_* functions is one entry of
 * struct bureau_backend, with the same arguments, results and errors as
 * documented there; the dispatching functions (backend.c) only look up the
 * backend.  Both backends apply the same merge rules (chain continuity per
 * device, idempotent by device and sequence number, byte equality of what
 * is held twice, priority copies equal to the regular stream) and give the
 * same outputs; the scenario tests run against both.
 *
 * A backend's database handle begins with struct bureau_db and its entry
 * iterator with struct bureau_entry_iter (C11 6.7.2.1: a pointer to a
 * structure points to its first member), so the dispatcher reaches the
 * backend from either.
 */
#ifndef SNT_BUREAU_BACKEND_H
#define SNT_BUREAU_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/bureau/bureau.h"

struct bureau_backend {
	const char *name;	/* "sqlite" or "postgresql" */
	/*
	 * open() - open @target (an SQLite path or a PostgreSQL URI); with
	 * @create, make the schema when the database holds none; without,
	 * BUREAU_ERR_NOTFOUND when it holds none (@why names @target
	 * without its password).
	 */
	enum bureau_err (*open)(const char *target, bool create, struct bureau_db **out, char *why, size_t n);
	void (*close)(struct bureau_db *db);
	enum bureau_err (*reg)(struct bureau_db *db, const char *device, const char *pub_pem, const uint8_t kid[8],
			       bool replace, int64_t now_ms, bool *changed, char *why, size_t n);
	enum bureau_err (*device_key)(struct bureau_db *db, const char *device, EVP_PKEY **key, char *why,
				      size_t n);
	/*
	 * merge() - bureau_db_merge_stream(): one transaction over every batch
	 * of @src; the retention cut read inside it and applied with
	 * bureau__cut_start() and bureau__cut_batch().
	 */
	enum bureau_err (*merge)(struct bureau_db *db, const struct bureau_manifest *m,
				 const struct bureau_merge_src *src, const char *source, int64_t now_ms,
				 struct bureau_merge_result *res, char *why, size_t n);
	enum bureau_err (*device_info)(struct bureau_db *db, const char *device, struct bureau_device_info *out,
				       char *why, size_t n);
	enum bureau_err (*device_state)(struct bureau_db *db, const char *device, struct bureau_device_info *out,
					char *why, size_t n);
	enum bureau_err (*devices)(struct bureau_db *db, char (**ids)[BUREAU_DEVICE_LEN], size_t *count,
				   char *why, size_t n);
	enum bureau_err (*gaps)(struct bureau_db *db, const char *device, int64_t **ranges, size_t *count,
				char *why, size_t n);
	/* entries_new() - @copies false: the regular entries; true: the priority copies. */
	enum bureau_err (*entries_new)(struct bureau_db *db, const char *device, bool copies,
				       struct bureau_entry_iter **out, char *why, size_t n);
	enum bureau_err (*entries_next)(struct bureau_entry_iter *it, struct snt_entry *e, char *why, size_t n);
	void (*entries_free)(struct bureau_entry_iter *it);
	enum bureau_err (*pending_verifications)(struct bureau_db *db, const char *device, int64_t from,
						 int64_t to, int64_t **seqs, size_t *count, char *why, size_t n);
	enum bureau_err (*payload)(struct bureau_db *db, const char *device, int64_t seq, uint8_t **payload,
				   size_t *len, enum snt_colour *colour, char *why, size_t n);
	enum bureau_err (*verdict_add)(struct bureau_db *db, const char *device, const struct bureau_verdict *v,
				       int64_t now_ms, bool *contradiction, char *why, size_t n);
	enum bureau_err (*verdicts)(struct bureau_db *db, const char *device, struct bureau_verdict **out,
				    size_t *count, char *why, size_t n);
	enum bureau_err (*alerts)(struct bureau_db *db, struct bureau_alert **out, size_t *count, char *why,
				  size_t n);
	enum bureau_err (*set_seal_key)(struct bureau_db *db, const char *device, const char *text, bool replace,
					bool *changed, char *why, size_t n);
	enum bureau_err (*seal_key)(struct bureau_db *db, const char *device, char *buf, size_t size, char *why,
				    size_t n);
	enum bureau_err (*verdicts_all)(struct bureau_db *db, const char *device, struct bureau_verdict **out,
					size_t *count, char *why, size_t n);
	enum bureau_err (*device_row)(struct bureau_db *db, const char *device, char **pub_pem, uint8_t kid[8],
				      int64_t *registered_utc_ms, char *why, size_t n);
	enum bureau_err (*revoke)(struct bureau_db *db, const char *device, const char *reason, int64_t now_ms,
				  bool *changed, char *why, size_t n);
	enum bureau_err (*set_home)(struct bureau_db *db, const char *device, const char *home, char *why,
				    size_t n);
	enum bureau_err (*city_day)(struct bureau_db *db, int64_t from_ms, int64_t to_ms, struct bureau_gate_day **out,
				    size_t *count, char *why, size_t n);
	enum bureau_err (*rules_put)(struct bureau_db *db, const char *home, uint64_t version, const uint8_t *cose,
				     size_t len, int64_t now_ms, uint64_t *held, char *why, size_t n);
	enum bureau_err (*rules_for)(struct bureau_db *db, const char *device, uint8_t **cose, size_t *len,
				     uint64_t *version, char *why, size_t n);
	enum bureau_err (*rules_home)(struct bureau_db *db, const char *home, uint8_t **cose, size_t *len,
				      uint64_t *version, char *why, size_t n);
	enum bureau_err (*rekey)(struct bureau_db *db, const char *device, const char *pub_pem, const uint8_t kid[8],
				 const char *by, const char *reason, int64_t now_ms, bool *changed, char *why,
				 size_t n);
	enum bureau_err (*handovers)(struct bureau_db *db, const char *device, struct bureau_handover **out,
				     size_t *count, char *why, size_t n);
	enum bureau_err (*handover_copy)(struct bureau_db *db, const char *device, const struct bureau_handover *h,
					 char *why, size_t n);
	enum bureau_err (*retention)(struct bureau_db *db, int64_t before_ms, int64_t now_ms,
				     struct bureau_retention_result *res, char *why, size_t n);
	/* cut() - @device's first kept seq (1 when none removed) and the hash of the seq before it. */
	enum bureau_err (*cut)(struct bureau_db *db, const char *device, int64_t *seq, uint8_t hash[SNT_HASH_LEN],
			       char *why, size_t n);
	enum bureau_err (*cut_copy)(struct bureau_db *db, const char *device, int64_t seq,
				    const uint8_t hash[SNT_HASH_LEN], int64_t time_ms, char *why, size_t n);
	/* Sealed personal records and their audit (db_sqlite_personal.c, db_pg_personal.c). */
	enum bureau_err (*records_put)(struct bureau_db *db, const char *device, const struct bureau_record *r,
				       size_t count, int64_t now_ms, int64_t *stored, char *why, size_t n);
	enum bureau_err (*record_get)(struct bureau_db *db, const char *device, int64_t seq, uint8_t **sealed,
				      size_t *len, char **detail, char *why, size_t n);
	enum bureau_err (*records_purge)(struct bureau_db *db, int64_t cutoff_ms, int64_t now_ms, int64_t *removed,
					 char *why, size_t n);
	enum bureau_err (*audit_add)(struct bureau_db *db, const struct bureau_audit *a, char *why, size_t n);
	enum bureau_err (*audit)(struct bureau_db *db, struct bureau_audit **out, size_t *count, char *why,
				 size_t n);
};

/* The head of every backend's database handle. */
struct bureau_db {
	const struct bureau_backend *ops;
};

/* The head of every backend's entry iterator. */
struct bureau_entry_iter {
	const struct bureau_backend *ops;
	int64_t received_utc_ms;	/* of the entry the last next() returned */
};

/*
 * The retention cut as a merge applies it (both backends, the rule in one
 * place: backend.c).  Read inside the merge's transaction with the
 * backend's cut().
 */
struct bureau_cut {
	int64_t seq;			/* the device's first kept seq (1: nothing removed) */
	uint8_t hash[SNT_HASH_LEN];	/* the hash of seq - 1 */
	int64_t below;			/* the bundle's entries below it so far: duplicates, not stored */
	bool none_kept;			/* a regular bundle wholly below it: no chain check, nothing stored */
};

/*
 * bureau__cut_start() - @m against the cut @c: a regular bundle starting
 * at the cut must link to the cut's hash (BUREAU_ERR_REJECT with @why);
 * @kept receives the manifest of what the merge keeps (a regular bundle
 * starting below the cut starts at it, its prev the cut's hash).
 */
enum bureau_err bureau__cut_start(const struct bureau_manifest *m, struct bureau_cut *c,
				  struct bureau_manifest *kept, char *why, size_t n);

/*
 * bureau__cut_batch() - a batch against the cut @c: in a regular bundle
 * entry seq == cut must link to the cut's hash and seq == cut - 1 must have
 * it (BUREAU_ERR_REJECT with @why); the entries below the cut (a prefix:
 * ascending seq) are taken off *@e / *@count and counted in c->below, their
 * records off *@r / *@nr.
 */
enum bureau_err bureau__cut_batch(const struct bureau_manifest *m, struct bureau_cut *c, const struct snt_entry **e,
				  size_t *count, const struct bureau_record **r, size_t *nr, char *why, size_t n);

/*
 * bureau__held_other() - the rule of a registration that finds a value
 * held (reg()'s key, set_seal_key()'s seal key): the same value again
 * changes nothing, another one is refused (the caller replaces it only
 * when asked to).  @what names the value in "device @device is registered
 * with another @what; use --replace".
 * Return: BUREAU_OK when @same; else BUREAU_ERR_EXISTS with @why.
 */
enum bureau_err bureau__held_other(bool same, const char *device, const char *what, char *why, size_t n);

/*
 * bureau__grow() - the array @arr of *@cap elements of @size bytes with
 * room for @need: as it is when it has, else grown with realloc()
 * (doubling, from 16), *@cap updated.
 * Return: the array (it may have moved); NULL when out of memory (@arr is
 * then unchanged, still the caller's to free).
 */
void *bureau__grow(void *arr, size_t *cap, size_t need, size_t size);

/*
 * bureau__gate_day_add() - append a gate's row, its counts zero, to the
 * array *@arr of *@cnt rows (capacity *@cap): @device, @home ("" = none),
 * its last contact and revocation times (bureau_db_city_day()).
 * Return: the new row; NULL out of memory (*@arr unchanged, still to free).
 */
struct bureau_gate_day *bureau__gate_day_add(struct bureau_gate_day **arr, size_t *cnt, size_t *cap,
					     const char *device, const char *home, int64_t last_contact_utc_ms,
					     int64_t revoked_utc_ms);

/*
 * bureau__day_add() - add one hour's group to @c: @hour from the range's
 * start (outside 0-23 counted in the totals only), @k entries, of which
 * @deny denials, @refer referrals, @fever fevers, @staff staff overdue.
 */
void bureau__day_add(struct bureau_day_counts *c, int64_t hour, int64_t k, int64_t deny, int64_t refer,
		     int64_t fever, int64_t staff);

/*
 * bureau__push_pair() - append @a and @b to the array *@arr of *@cnt
 * integers (capacity *@cap), as gaps() lists its ranges.
 * Return: 0; -1 out of memory (*@arr unchanged, still to free).
 */
int bureau__push_pair(int64_t **arr, size_t *cnt, size_t *cap, int64_t a, int64_t b);

/*
 * bureau__payload_copy() - payload()'s result from the entry @e of @device
 * seq @seq as read (NULL when its row did not decode): a copy of its
 * payload into *@payload (to free) and *@len, its colour into *@colour.
 * Return: BUREAU_OK; BUREAU_ERR_DB ("no readable payload", in @why) when @e
 * is NULL or has no payload; BUREAU_ERR_NOMEM.
 */
enum bureau_err bureau__payload_copy(const struct snt_entry *e, const char *device, int64_t seq, uint8_t **payload,
				     size_t *len, enum snt_colour *colour, char *why, size_t n);

extern const struct bureau_backend bureau_backend_sqlite;	/* db_sqlite.c */
extern const struct bureau_backend bureau_backend_pg;		/* db_pg.c */

#endif /* SNT_BUREAU_BACKEND_H */
