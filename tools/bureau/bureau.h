/* SPDX-License-Identifier: MIT */
/*
 * sentinel-bureau: the civil-affairs bureau's receiver of the gates' logs.
 * Internal interfaces shared by the files of tools/bureau/ (bureau-only
 * code, not a firmware module).  Only main.c and serve.c print.
 *
 * The bureau database (--db: an SQLite file, default ./bureau.db, or a
 * PostgreSQL URI; backend.h) holds every registered gate (device id, public key, kid), every entry received from
 * it (the columns of the gate's log, byte for byte, keyed by (device, seq)),
 * the copies received in priority bundles, the platform's verdicts, alerts
 * and a journal of accepted bundles.  Layouts in db_sqlite.c and db_pg.c.
 */
#ifndef SNT_BUREAU_H
#define SNT_BUREAU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "common/common.h"
#include "entry/entry.h"
#include "store/store.h"

#define BUREAU_WHY_LEN 256		/* one-line reasons */
#define BUREAU_DEVICE_LEN 65		/* device id: up to 64 characters + NUL */
#define BUREAU_MAX_BUNDLE ((size_t)64 << 20)	/* largest bundle file or body, bytes */
#define BUREAU_STREAM_ABOVE ((size_t)2 << 20)	/* bundle files larger are read in pieces (bureau_import_dir()) */
#define BUREAU_MAX_VERDICTS 4096	/* most verdicts returned in one acknowledgement */
#define BUREAU_HOME_LEN 96		/* a home's name, UTF-8 + NUL */
#define BUREAU_REASON_LEN 128		/* a revocation's reason, UTF-8 + NUL */

enum bureau_err {
	BUREAU_OK = 0,
	BUREAU_ERR_INVAL,	/* bad argument */
	BUREAU_ERR_NOMEM,
	BUREAU_ERR_DB,		/* the bureau database failed (SQLite or PostgreSQL; why names it) */
	BUREAU_ERR_REJECT,	/* the input was refused (why says what was wrong); nothing stored */
	BUREAU_ERR_NOTFOUND,	/* no such device */
	BUREAU_ERR_EXISTS,	/* the device is registered with another key */
	BUREAU_ERR_IO,		/* a file could not be read or written (why names it) */
};

/* A manifest, decoded; kinds as in firmware/sync/bundle.h. */
struct bureau_manifest {
	char device[BUREAU_DEVICE_LEN];
	bool priority;			/* a priority bundle of copies (fevers, denials) */
	int64_t first, last, count;
	uint8_t prev[SNT_HASH_LEN];	/* hash of first - 1 (zeros for seq 1) */
	uint8_t head[SNT_HASH_LEN];	/* hash of last */
	int64_t created_utc_ms;
};

/* What one merge did. */
struct bureau_merge_result {
	int64_t new_entries;
	int64_t duplicates;
	int64_t ack_seq;		/* the device's acknowledgement seq afterwards */
	int64_t records;		/* sealed personal records newly kept */
};

struct bureau_verdict {
	int64_t seq;
	enum snt_colour colour;		/* green, yellow or red */
	char platform[33];
	int64_t received_utc_ms;	/* when it was recorded (bureau_db_verdicts_all() only) */
};

struct bureau_device_info {
	char device[BUREAU_DEVICE_LEN];
	uint8_t kid[8];
	int64_t ack_seq;		/* last seq held contiguous from 1 */
	uint8_t ack_hash[SNT_HASH_LEN];	/* hash of ack_seq (zeros when 0) */
	int64_t max_seq;		/* highest seq held (regular or priority copy) */
	int64_t entries;		/* regular entries held */
	int64_t priority;		/* priority copies held */
	int64_t last_contact_utc_ms;	/* 0 = never */
	int64_t ack_time_utc_ms;	/* the gate's time of entry ack_seq (0 when none): older is unsynced */
	char home[BUREAU_HOME_LEN];	/* "" when not given */
	int64_t revoked_utc_ms;		/* 0 = not revoked */
	char revoked_reason[BUREAU_REASON_LEN];
	int64_t cut_seq;		/* the first seq kept by retention (1: nothing removed) */
	uint8_t cut_hash[SNT_HASH_LEN];	/* the hash of cut_seq - 1 (zeros when cut_seq is 1) */
	int64_t cut_time_utc_ms;	/* the gate's time of cut_seq - 1 (0 when cut_seq is 1) */
};

struct bureau_db;

/* ---- backend.c: the database, by either backend (backend.h) ---- */

/*
 * bureau_db_open() - open or create the bureau database @path: an SQLite
 * file (WAL, synchronous=FULL: an acknowledgement lets the gate purge, so
 * what it acknowledges must be on disk; foreign keys, busy timeout 5 s), or
 * a PostgreSQL server when @path is a "postgresql://" or "postgres://" URI
 * (bureau_db_is_url(); the schema made when the database holds none).
 */
enum bureau_err bureau_db_open(const char *path, struct bureau_db **out, char *why, size_t n) SNT_WUR;

/*
 * bureau_db_open_mode() - bureau_db_open(), making the schema only with
 * @create; without it a database that holds none is BUREAU_ERR_NOTFOUND
 * (for a PostgreSQL URI; a missing SQLite file is the caller's to check).
 */
enum bureau_err bureau_db_open_mode(const char *path, bool create, struct bureau_db **out, char *why,
				    size_t n) SNT_WUR;
void bureau_db_close(struct bureau_db *db);

/* bureau_db_is_url() - whether @path names a PostgreSQL server ("postgresql://", "postgres://"). */
bool bureau_db_is_url(const char *path);

/* The state directory of a PostgreSQL database when none is given (sentinel-bureau(8)). */
#define BUREAU_STATE_DIR_DEFAULT "/var/lib/sentinel-bureau"

/*
 * bureau_state_dir() - the directory of the bureau's files beside its
 * database: @what is "enrol" (the enrolment tokens, enrol.h) or "trust"
 * (the homes' trust lists, trust.h).  With @state_dir (--state-dir,
 * [bureau] state_dir; NULL or "" for none): STATE_DIR/WHAT; else for a
 * PostgreSQL @db (bureau_db_is_url()): BUREAU_STATE_DIR_DEFAULT/WHAT; else
 * beside the SQLite file: DB.WHAT.  Nothing is made or checked here.
 * @out: receives the path (@size bytes).
 * Return: 0; -1 when it does not fit in @out or an argument is NULL.
 */
int bureau_state_dir(const char *db, const char *state_dir, const char *what, char *out, size_t size) SNT_WUR;

/*
 * bureau_db_shown() - @path for messages: a URI's password replaced by
 * "***" (userinfo, RFC 3986 3.2.1, and a password= parameter); control
 * bytes escaped (bureau_escape()).  Written into @out (@n bytes).
 */
void bureau_db_shown(const char *path, char *out, size_t n);

/* bureau_db_backend() - "sqlite" or "postgresql". */
const char *bureau_db_backend(const struct bureau_db *db);

/*
 * bureau_db_register() - register @device with public key @pub (PEM text);
 * the same key again changes nothing; another key is BUREAU_ERR_EXISTS
 * unless @replace.  *@changed tells whether anything was written.
 */
enum bureau_err bureau_db_register(struct bureau_db *db, const char *device, const char *pub_pem,
				   const uint8_t kid[8], bool replace, int64_t now_ms, bool *changed,
				   char *why, size_t n) SNT_WUR;

/*
 * bureau_db_set_seal_key() - record @text, the gate's first seal key (the
 * key file's text at epoch 0, fss.h), in @device's record; the same key
 * again changes nothing; another is BUREAU_ERR_EXISTS unless @replace.
 * BUREAU_ERR_NOTFOUND when @device is not registered.
 */
enum bureau_err bureau_db_set_seal_key(struct bureau_db *db, const char *device, const char *text,
				       bool replace, bool *changed, char *why, size_t n) SNT_WUR;

/*
 * bureau_db_seal_key() - @device's first seal key text into @buf ("" when
 * none is registered).  BUREAU_ERR_NOTFOUND when @device is not registered.
 */
enum bureau_err bureau_db_seal_key(struct bureau_db *db, const char *device, char *buf, size_t size,
				   char *why, size_t n) SNT_WUR;

/*
 * bureau_db_set_home() - record that @device (registered) serves the home
 * @home (its [station] home, as rule sets name it).
 * Return: BUREAU_OK; BUREAU_ERR_INVAL (NULL or empty); BUREAU_ERR_NOTFOUND
 * when not registered; BUREAU_ERR_DB.
 */
enum bureau_err bureau_db_set_home(struct bureau_db *db, const char *device, const char *home, char *why,
				   size_t n) SNT_WUR;

/*
 * bureau_db_rules_put() - make the signed rule set @cose (@len bytes, its
 * payload naming @home and @version) the current set of @home, unless one
 * of the same or a newer version is held.
 * @held: receives the version held afterwards.
 * Return: BUREAU_OK; BUREAU_ERR_EXISTS when not newer (@why says which is
 * held; nothing changes); BUREAU_ERR_INVAL; BUREAU_ERR_DB.
 */
enum bureau_err bureau_db_rules_put(struct bureau_db *db, const char *home, uint64_t version, const uint8_t *cose,
				    size_t len, int64_t now_ms, uint64_t *held, char *why, size_t n) SNT_WUR;

/*
 * bureau_db_rules_for() - the current rule set of @device's home.
 * @cose: receives a copy of the signed bytes (free()), @len its size,
 * @version its version.
 * Return: BUREAU_OK; BUREAU_ERR_NOTFOUND when the device is not registered,
 * its home is not known or the home has no set (@why says which);
 * BUREAU_ERR_NOMEM; BUREAU_ERR_DB.
 */
enum bureau_err bureau_db_rules_for(struct bureau_db *db, const char *device, uint8_t **cose, size_t *len,
				    uint64_t *version, char *why, size_t n) SNT_WUR;

/*
 * bureau_db_rules_home() - the current rule set of the home @home (as
 * bureau_db_rules_put() made it), e.g. for an enrolment package made before
 * the gate is registered.
 * @cose: receives a copy of the signed bytes (free()), @len its size,
 * @version its version.
 * Return: BUREAU_OK; BUREAU_ERR_NOTFOUND when the home has no set (@why
 * says so); BUREAU_ERR_INVAL (NULL); BUREAU_ERR_NOMEM; BUREAU_ERR_DB.
 */
enum bureau_err bureau_db_rules_home(struct bureau_db *db, const char *home, uint8_t **cose, size_t *len,
				     uint64_t *version, char *why, size_t n) SNT_WUR;

/*
 * bureau_db_device_key() - the registered public key of @device (new EVP_PKEY,
 * EVP_PKEY_free()).  BUREAU_ERR_NOTFOUND when not registered.
 */
enum bureau_err bureau_db_device_key(struct bureau_db *db, const char *device, EVP_PKEY **key,
				     char *why, size_t n) SNT_WUR;

/* Entries per batch a merge takes from a stream (bureau_db_merge_stream()): its memory, not the bundle's size. */
#define BUREAU_MERGE_BATCH 1000

struct bureau_record;

/*
 * A verified bundle's entries as a merge pulls them, in batches, in the
 * manifest's order (bureau_db_merge_stream()).
 */
struct bureau_merge_src {
	/*
	 * next() - the next batch: *@e, *@count entries (borrowed until the next
	 * call; 0 after the last), and *@nr sealed personal records *@r of those
	 * entries (borrowed likewise; 0 when none).  A batch may be refused:
	 * BUREAU_ERR_REJECT with @why (the bundle fails its checks there), or
	 * BUREAU_ERR_NOMEM; the merge then stores nothing of the bundle.
	 */
	enum bureau_err (*next)(void *ctx, const struct snt_entry **e, size_t *count, const struct bureau_record **r,
				size_t *nr, char *why, size_t n);
	/*
	 * times() - call @fn(@arg, t) with each entry's time_utc_ms, before the
	 * merge's transaction begins (PostgreSQL makes the months' partitions
	 * from them); NULL when not known ahead.
	 */
	void (*times)(void *ctx, void (*fn)(void *arg, int64_t time_utc_ms), void *arg);
	void *ctx;
};

/*
 * bureau_db_merge_stream() - merge one verified bundle, manifest @m, whose
 * entries @src hands out in batches, for @m->device in one transaction:
 * the device's row locked, its revocation and retention cut read inside
 * it; chain continuity with what is held; byte equality of overlaps; the
 * inserts, batch by batch, with the sealed personal records the batches
 * carry; then the acknowledgement, the device's contact and the bundle's
 * row.  All or nothing: a batch @src refuses, or any failure, rolls all of
 * it back.  BUREAU_ERR_REJECT with @why naming device and seq on a fork or
 * forgery, or naming the reason when the device is revoked.  Entries below
 * the device's cut (bureau_db_retention()) count as duplicates and are not
 * stored (nor their records); the entry at the cut must link to the cut's
 * hash, the one before it must have that hash.  @source names where the
 * bundle came from ("http", a file name).
 * Return: BUREAU_OK (@res filled); BUREAU_ERR_REJECT; BUREAU_ERR_NOTFOUND
 * (not registered); BUREAU_ERR_NOMEM; BUREAU_ERR_DB.
 */
enum bureau_err bureau_db_merge_stream(struct bureau_db *db, const struct bureau_manifest *m,
				       const struct bureau_merge_src *src, const char *source, int64_t now_ms,
				       struct bureau_merge_result *res, char *why, size_t n_why) SNT_WUR;

/*
 * bureau_db_merge() - bureau_db_merge_stream() of the @n entries @e (in
 * the manifest's order, checked already), without personal records.
 */
enum bureau_err bureau_db_merge(struct bureau_db *db, const struct bureau_manifest *m,
				const struct snt_entry *e, size_t n, const char *source, int64_t now_ms,
				struct bureau_merge_result *res, char *why, size_t n_why) SNT_WUR;

/*
 * bureau_db_revoke() - revoke @device at @now_ms for @reason (1 to
 * BUREAU_REASON_LEN - 1 bytes of UTF-8): its later bundles are refused
 * naming the reason (bureau_db_merge()); what it sent before stays.  A
 * device revoked already keeps its first revocation (*@changed false).
 * Return: BUREAU_OK; BUREAU_ERR_NOTFOUND; BUREAU_ERR_INVAL (reason);
 * BUREAU_ERR_DB.
 */
enum bureau_err bureau_db_revoke(struct bureau_db *db, const char *device, const char *reason, int64_t now_ms,
				 bool *changed, char *why, size_t n) SNT_WUR;

#define BUREAU_BY_LEN 64		/* who made a handover: UTF-8 + NUL */
#define BUREAU_PEM_LEN 512		/* a P-256 public key's PEM text + NUL */

/* One key handover of a device (bureau_db_rekey()). */
struct bureau_handover {
	int64_t time_utc_ms;		/* when the bureau recorded it */
	uint8_t old_kid[8];		/* the key replaced */
	char old_pub_pem[BUREAU_PEM_LEN];
	uint8_t new_kid[8];		/* the key that took over */
	int64_t after_seq;		/* the highest seq held then: the new key continues the chain after it */
	char by[BUREAU_BY_LEN];		/* who made it */
	char reason[BUREAU_REASON_LEN];
};

/*
 * bureau_db_rekey() - the gate @device (registered) continues under the
 * public key @pub_pem (PEM text, kid @kid): a new board in place of a
 * broken one, or a re-keyed gate.  In one transaction the device's key is
 * replaced and the handover recorded (the old key and kid, the new kid,
 * the highest seq held, @now_ms, @by and @reason, each 1 to
 * BUREAU_BY_LEN - 1 and BUREAU_REASON_LEN - 1 bytes of UTF-8).  From then
 * on bundles signed with the old key are refused (bureau_import_bundle());
 * the new key's bundles continue the same chain.  The same key again
 * changes nothing (*@changed false).
 * Return: BUREAU_OK; BUREAU_ERR_NOTFOUND (not registered); BUREAU_ERR_INVAL
 * (@by or @reason); BUREAU_ERR_DB.
 */
enum bureau_err bureau_db_rekey(struct bureau_db *db, const char *device, const char *pub_pem, const uint8_t kid[8],
				const char *by, const char *reason, int64_t now_ms, bool *changed, char *why,
				size_t n) SNT_WUR;

/*
 * bureau_db_handovers() - @device's key handovers, oldest first (free()
 * *@out; NULL and 0 when none).
 * Return: BUREAU_OK; BUREAU_ERR_NOTFOUND; BUREAU_ERR_NOMEM; BUREAU_ERR_DB.
 */
enum bureau_err bureau_db_handovers(struct bureau_db *db, const char *device, struct bureau_handover **out,
				    size_t *count, char *why, size_t n) SNT_WUR;

/*
 * bureau_db_handover_copy() - record @h for @device as it is (migrate: the
 * device registered with its current key already); a handover of the same
 * time and old kid held already changes nothing.
 * Return: BUREAU_OK; BUREAU_ERR_NOTFOUND; BUREAU_ERR_DB.
 */
enum bureau_err bureau_db_handover_copy(struct bureau_db *db, const char *device, const struct bureau_handover *h,
					char *why, size_t n) SNT_WUR;

/* What one retention removed (bureau_db_retention()). */
struct bureau_retention_result {
	int64_t entries;		/* regular entries removed */
	int64_t copies;			/* priority copies removed */
	int64_t devices;		/* devices whose first kept seq moved */
	int64_t partitions;		/* monthly partitions dropped (PostgreSQL; 0 for SQLite) */
	int64_t records;		/* sealed personal records of the removed entries removed with them */
};

/*
 * bureau_db_retention() - remove what the bureau holds from before
 * @before_ms (the first millisecond of a month, UTC), in one transaction:
 * for each device the first seq kept becomes the one after the last entry
 * whose gate time is before @before_ms (a "cut"), and every entry and
 * priority copy below it goes, so that what stays is the device's chain
 * whole from the cut (an entry below it whose time came after @before_ms,
 * a clock that went backwards, goes with it).  The cut is recorded per
 * device: its first kept seq, the hash and the gate time of the seq before
 * it; bureau_db_merge() then links a bundle to the cut's hash, counts
 * entries below the cut as duplicates without storing them, and the
 * acknowledgement and gaps count from the cut (bureau_db_device_info(),
 * bureau_db_gaps()).  A cut never moves back.  On PostgreSQL the months
 * before @before_ms are dropped as whole partitions.  The sealed personal
 * records of the entries below a cut go with them, and when any did, the
 * removal is appended to the audit as a purge (at @now_ms, cutoff
 * @before_ms, the count), as bureau_db_records_purge() records one.
 * Return: BUREAU_OK; BUREAU_ERR_INVAL (@before_ms not a month's start);
 * BUREAU_ERR_DB.
 */
enum bureau_err bureau_db_retention(struct bureau_db *db, int64_t before_ms, int64_t now_ms,
				    struct bureau_retention_result *res, char *why, size_t n) SNT_WUR;

/*
 * bureau_db_cut_copy() - raise @device's cut to @seq with the hash @hash and
 * gate time @time_ms of @seq - 1 (migrate, before the entries: the device
 * holds none below @seq); a cut at @seq or past it changes nothing.
 * Return: BUREAU_OK; BUREAU_ERR_NOTFOUND; BUREAU_ERR_INVAL; BUREAU_ERR_DB.
 */
enum bureau_err bureau_db_cut_copy(struct bureau_db *db, const char *device, int64_t seq,
				   const uint8_t hash[SNT_HASH_LEN], int64_t time_ms, char *why, size_t n) SNT_WUR;

/* What one gate logged in one time range (the city report). */
struct bureau_day_counts {
	int64_t entries, denials, referrals;
	int64_t fevers;			/* entries with reason fever */
	int64_t staff_overdue;		/* staff entries with reason staff-test-overdue */
	int64_t hours[24];		/* entries per hour from the range's start (the 25th hour in the 24th) */
};

/* One gate's record and its counts of one time range (bureau_db_city_day()). */
struct bureau_gate_day {
	char device[BUREAU_DEVICE_LEN];
	char home[BUREAU_HOME_LEN];	/* "" = not given */
	int64_t last_contact_utc_ms;	/* 0 = never */
	int64_t revoked_utc_ms;		/* 0 = not revoked */
	struct bureau_day_counts c;	/* its regular entries whose gate time is in the range */
};

/*
 * bureau_db_city_day() - every registered gate, in order of device id (byte
 * order), with the counts of its regular entries whose gate time is in
 * [@from_ms, @to_ms), into *@out (free()) and *@count: one query for the
 * whole city (one round trip to a server), each gate's range read by the
 * index on device and time (on PostgreSQL only the months' partitions the
 * range meets).
 * Return: BUREAU_OK; BUREAU_ERR_NOMEM; BUREAU_ERR_DB.
 */
enum bureau_err bureau_db_city_day(struct bureau_db *db, int64_t from_ms, int64_t to_ms,
				   struct bureau_gate_day **out, size_t *count, char *why, size_t n) SNT_WUR;

/* bureau_db_device_info() - one device's state; BUREAU_ERR_NOTFOUND. */
enum bureau_err bureau_db_device_info(struct bureau_db *db, const char *device,
				      struct bureau_device_info *out, char *why, size_t n) SNT_WUR;

/*
 * bureau_db_device_state() - what @device's record holds, without looking
 * at its entries: device, kid, home, last contact and revocation filled;
 * entries, priority, max_seq, ack_seq, ack_hash and ack_time_utc_ms 0
 * (bureau_db_device_info() has those).  One row by its key, however many
 * entries are held: the city report asks it of every gate.
 * Return: BUREAU_OK; BUREAU_ERR_NOTFOUND; BUREAU_ERR_DB.
 */
enum bureau_err bureau_db_device_state(struct bureau_db *db, const char *device,
				       struct bureau_device_info *out, char *why, size_t n) SNT_WUR;

/* bureau_db_devices() - every registered device id in order (array of BUREAU_DEVICE_LEN strings, free()). */
enum bureau_err bureau_db_devices(struct bureau_db *db, char (**ids)[BUREAU_DEVICE_LEN], size_t *count,
				  char *why, size_t n) SNT_WUR;

/* bureau_db_gaps() - missing ranges [a, b] of @device up to its highest seq (free() *ranges; pairs). */
enum bureau_err bureau_db_gaps(struct bureau_db *db, const char *device, int64_t **ranges,
			       size_t *count, char *why, size_t n) SNT_WUR;

/*
 * Iterate a device's entries in seq order (bureau_db_entries_next returns
 * BUREAU_ERR_NOTFOUND at the end); the entry's payload stays valid until
 * the next call.  bureau_db_copies_new(): its priority copies instead.
 * bureau_db_entries_received(): when the bureau received the entry the
 * last next() returned (ms since the epoch).
 */
struct bureau_entry_iter;
enum bureau_err bureau_db_entries_new(struct bureau_db *db, const char *device,
				      struct bureau_entry_iter **out, char *why, size_t n) SNT_WUR;
enum bureau_err bureau_db_copies_new(struct bureau_db *db, const char *device,
				     struct bureau_entry_iter **out, char *why, size_t n) SNT_WUR;
enum bureau_err bureau_db_entries_next(struct bureau_entry_iter *it, struct snt_entry *e, char *why,
				       size_t n) SNT_WUR;
int64_t bureau_db_entries_received(const struct bureau_entry_iter *it);
void bureau_db_entries_free(struct bureau_entry_iter *it);

/*
 * bureau_db_pending_verifications() - seqs of @device's entries (regular or
 * priority copy) in [@from, @to] with format healthcode, verified
 * unverified, a payload and no verdict yet (free() *seqs).
 */
enum bureau_err bureau_db_pending_verifications(struct bureau_db *db, const char *device, int64_t from,
						int64_t to, int64_t **seqs, size_t *count, char *why,
						size_t n) SNT_WUR;

/* bureau_db_payload() - the payload and colour of @device's entry @seq (free() *payload). */
enum bureau_err bureau_db_payload(struct bureau_db *db, const char *device, int64_t seq,
				  uint8_t **payload, size_t *len, enum snt_colour *colour, char *why,
				  size_t n) SNT_WUR;

/*
 * bureau_db_verdict_add() - record the platform's verdict; once per (device,
 * seq); a contradiction of the colour the gate read also raises an alert
 * (*contradiction).  Same transaction.
 */
enum bureau_err bureau_db_verdict_add(struct bureau_db *db, const char *device,
				      const struct bureau_verdict *v, int64_t now_ms, bool *contradiction,
				      char *why, size_t n) SNT_WUR;

/* bureau_db_verdicts() - up to BUREAU_MAX_VERDICTS verdicts of @device, highest seqs, in seq order. */
enum bureau_err bureau_db_verdicts(struct bureau_db *db, const char *device,
				   struct bureau_verdict **out, size_t *count, char *why, size_t n) SNT_WUR;

/* bureau_db_verdicts_all() - every verdict of @device in seq order, with its time (free() *out). */
enum bureau_err bureau_db_verdicts_all(struct bureau_db *db, const char *device, struct bureau_verdict **out,
				       size_t *count, char *why, size_t n) SNT_WUR;

/*
 * bureau_db_device_row() - @device's registration: its public key (PEM,
 * new string, free()), kid and registration time.  BUREAU_ERR_NOTFOUND.
 */
enum bureau_err bureau_db_device_row(struct bureau_db *db, const char *device, char **pub_pem, uint8_t kid[8],
				     int64_t *registered_utc_ms, char *why, size_t n) SNT_WUR;

/* One alert for the `alerts` command. */
struct bureau_alert {
	int64_t id;
	char device[BUREAU_DEVICE_LEN];
	int64_t seq;
	char kind[32];
	char detail[128];
	int64_t created_utc_ms;
};

/* bureau_db_alerts() - every alert, oldest first (free() *out). */
enum bureau_err bureau_db_alerts(struct bureau_db *db, struct bureau_alert **out, size_t *count,
				 char *why, size_t n) SNT_WUR;

/* ---- import.c: bundles in, acknowledgements and signed time out ---- */

struct bureau_platform;
struct snt_clock;

/* What every command works with. */
struct bureau_ctx {
	struct bureau_db *db;
	EVP_PKEY *key;				/* the bureau's private key; NULL when not loaded */
	const struct bureau_platform *platform;	/* online verification, or NULL */
	const struct snt_clock *clk;		/* UTC for receipt times, acks, signed time */
};

struct bureau_import_result {
	struct bureau_manifest m;		/* valid when the manifest was read */
	struct bureau_merge_result merge;
	size_t verdicts;			/* new platform verdicts recorded */
	size_t contradictions;			/* of which contradict the gate's colour */
	size_t platform_failures;		/* tokens the platform could not answer for */
	size_t sealed;				/* entries whose seal was verified (fss.h) */
	int64_t records;			/* sealed personal records newly kept (personal.h) */
	char platform_why[BUREAU_WHY_LEN];	/* the first failure's reason */
};

/*
 * bureau_import_bundle() - unseal @buf (@len bytes, at most
 * BUREAU_MAX_BUNDLE) with the bureau key in place (@buf is spent: it
 * holds the plaintext afterwards, or zeros), open the signed bundle with
 * the key registered for its manifest's device (kid checked), then read
 * it as a stream (snt_bundle_reader_open(): at most SNT_BUNDLE_MAX_ACCEPT
 * entries, refused naming the limit above it) into the merge
 * (bureau_db_merge_stream()), batch by batch: each batch's entries checked
 * (every hash recomputed, the chain inside the bundle), their seals
 * against the device's seal key, their sealed personal records kept with
 * them; a bundle refused half way leaves nothing merged.  Then ask the
 * platform about the tokens of the range that have no verdict yet.  Of the
 * bundle's size only @buf is held in memory.
 * @expect_device: the device whose stick directory the file came from, or
 *     NULL: a bundle of another device is refused.
 * Return: BUREAU_OK; BUREAU_ERR_REJECT with @why; BUREAU_ERR_DB; _NOMEM.
 * Platform failures do not refuse the bundle (counted in @res).
 */
enum bureau_err bureau_import_bundle(const struct bureau_ctx *c, uint8_t *buf, size_t len,
				     const char *source, const char *expect_device,
				     struct bureau_import_result *res, char *why, size_t n) SNT_WUR;

/*
 * Called once per file by bureau_import_dir(); @res valid when @err is
 * BUREAU_OK.  @file is DIR/... for messages, control bytes escaped
 * (bureau_escape()): print it as it is.
 */
typedef void (*bureau_import_cb)(void *arg, const char *file, enum bureau_err err,
				 const struct bureau_import_result *res, const char *why);

/*
 * bureau_import_dir() - every *.snb directly in @dir and in
 * @dir/sentinel/<device>/out/, in order (device, first seq, kind).
 * Symlinks and non-regular files are refused by name, never followed;
 * files over BUREAU_MAX_BUNDLE are refused.  A file of at most
 * BUREAU_STREAM_ABOVE bytes is read whole (bureau_import_bundle()); a
 * larger one in pieces (snt_bundle_reader_open_file(), snt_bundle_fd_new():
 * every byte verified before anything is merged, a file that changes while
 * it is read refused), so that memory does not grow with the bundle.
 * Return: BUREAU_OK once every file was reported (accepted or not);
 * BUREAU_ERR_IO when @dir cannot be opened (@why).
 */
enum bureau_err bureau_import_dir(const struct bureau_ctx *c, const char *dir, bureau_import_cb cb,
				  void *arg, char *why, size_t n) SNT_WUR;

/*
 * bureau_make_ack() - the bureau-signed acknowledgement for @device: its
 * acknowledgement seq (held contiguous from 1), that entry's hash, now, and
 * its verdicts (COSE_Sign1, free() *out).  *seq receives the seq.
 * @rules_version: NULL for none; else the current rule set of the device's
 * home goes into the acknowledgement ("rules", bundle.h: the online
 * answer) when there is one, and *@rules_version receives its version (0:
 * none); so does the home's issuer list ("issuers": bureau_issuers_for()).
 * @trust, @trust_len: the home's signed trust list (bureau_trust_for()) to
 * go into the acknowledgement ("trust"), or NULL, 0 for none.
 */
enum bureau_err bureau_make_ack(const struct bureau_ctx *c, const char *device, uint8_t **out,
				size_t *len, int64_t *seq, uint64_t *rules_version, const uint8_t *trust,
				size_t trust_len, char *why, size_t n) SNT_WUR;

/*
 * bureau_make_time() - signed time {device, now} for @device, registered or
 * not (a gate checks the device in it; the answer for an unknown id is the
 * same as for a known one, so it tells nobody which ids exist).
 * Return: BUREAU_OK; BUREAU_ERR_NOMEM; BUREAU_ERR_IO when signing fails.
 */
enum bureau_err bureau_make_time(const struct bureau_ctx *c, const char *device, uint8_t **out,
				 size_t *len, int64_t *now_ms, char *why, size_t n) SNT_WUR;

/*
 * bureau_write_file() - write @len bytes to @dirfd/@name durably: a
 * temporary name, fsync, rename, fsync of the directory.
 */
enum bureau_err bureau_write_file(int dirfd, const char *name, const uint8_t *buf, size_t len,
				  char *why, size_t n) SNT_WUR;

/* ---- backend.c: sealed personal records and their audit (personal.h uses them) ---- */

#define BUREAU_STAFF_LEN 65		/* a staff reference: 1-64 bytes of text + NUL */
#define BUREAU_AUDIT_TEXT_LEN 257	/* an opening's reason: 1-256 bytes of text + NUL */
#define BUREAU_OUTCOME_LEN 24

/* One sealed personal record of a gate's entry (bundle.h "records"). */
struct bureau_record {
	int64_t seq;			/* the entry's seq */
	int64_t time_utc_ms;		/* the entry's time (the visit), which the retention counts from */
	const uint8_t *sealed;		/* the sealed bytes, SNT_STORE_PERSONAL_MIN .. _MAX */
	size_t len;
};

/* One row of the audit of personal records: an opening, or a retention purge. */
struct bureau_audit {
	int64_t id;			/* ascending, from 1 (set by the database) */
	int64_t time_utc_ms;		/* when */
	bool purge;			/* false: an opening; true: a purge */
	char device[BUREAU_DEVICE_LEN];	/* opening: the record's device ("" for a purge) */
	int64_t seq;			/* opening: the record's entry (0 for a purge) */
	char staff[BUREAU_STAFF_LEN];	/* opening: who opened it ("" for a purge) */
	char reason[BUREAU_AUDIT_TEXT_LEN]; /* opening: why ("" for a purge) */
	char outcome[BUREAU_OUTCOME_LEN]; /* opening: "opened", "not held", "unreadable"; purge: "removed" */
	int64_t cutoff_utc_ms;		/* purge: records of visits before this time were removed (0 for an opening) */
	int64_t count;			/* purge: how many (0 for an opening) */
};

/*
 * bureau_db_records_put() - keep @count sealed records @r of @device's
 * entries (registered device), received at @now_ms, in one transaction;
 * a record held already for (device, seq) is left as it is (the bundle
 * layer checked each against its entry's digest), and one of an entry
 * below the device's retention cut (bureau_db_retention(): its entry is
 * gone) is not kept.  *@stored: how many were new.
 * Return: BUREAU_OK; BUREAU_ERR_INVAL (NULL, a size out of range);
 * BUREAU_ERR_NOTFOUND (device); BUREAU_ERR_DB (nothing kept).
 */
enum bureau_err bureau_db_records_put(struct bureau_db *db, const char *device, const struct bureau_record *r,
				      size_t count, int64_t now_ms, int64_t *stored, char *why, size_t n) SNT_WUR;

/*
 * bureau_db_record_get() - the sealed record of @device's entry @seq
 * (*@sealed: free()) and that entry's detail record as held
 * (*@detail: free(); "" when the entry is not held), for the digest check.
 * Return: BUREAU_OK; BUREAU_ERR_NOTFOUND (no such device, or no record
 * held: never received, or purged); BUREAU_ERR_NOMEM; BUREAU_ERR_DB.
 */
enum bureau_err bureau_db_record_get(struct bureau_db *db, const char *device, int64_t seq, uint8_t **sealed,
				     size_t *len, char **detail, char *why, size_t n) SNT_WUR;

/*
 * bureau_db_records_purge() - remove every record whose visit was before
 * @cutoff_ms and, when any was, append a purge row (at @now_ms, with the
 * cutoff and the count) to the audit, in one transaction.  Entries stay.
 * *@removed: how many.
 * Return: BUREAU_OK; BUREAU_ERR_DB (nothing removed).
 */
enum bureau_err bureau_db_records_purge(struct bureau_db *db, int64_t cutoff_ms, int64_t now_ms, int64_t *removed,
					char *why, size_t n) SNT_WUR;

/*
 * bureau_db_audit_add() - append @a to the audit, durably: an opening
 * (device, seq, staff, reason, outcome, time), or a purge (time, outcome,
 * cutoff, count >= 1: as migrate copies one); the id is the database's.
 * The audit is append-only (the database refuses UPDATE and DELETE).
 * Return: BUREAU_OK; BUREAU_ERR_INVAL; BUREAU_ERR_DB.
 */
enum bureau_err bureau_db_audit_add(struct bureau_db *db, const struct bureau_audit *a, char *why,
				    size_t n) SNT_WUR;

/* bureau_db_audit() - every audit row in id order (*@out: free()). */
enum bureau_err bureau_db_audit(struct bureau_db *db, struct bureau_audit **out, size_t *count, char *why,
				size_t n) SNT_WUR;

/* bureau_device_id_valid() - the gate's rule for device ids (bundle.h). */
bool bureau_device_id_valid(const char *id);

/*
 * bureau_escape() - @s (may be NULL: "") for printing, by snt_escape()
 * (common.h): controls (C0, DEL, C1, bidi) and invalid UTF-8 escaped as
 * \xNN or \uNNNN, so a hostile file name, path, HTTP method or URL cannot
 * forge a line, send a terminal escape sequence or reorder the line.
 * Written into @out (@n bytes, NUL terminated), cut (never inside an
 * escape or a character) when too small.
 */
void bureau_escape(const char *s, char *out, size_t n);

/* bureau_escape_dup() - bureau_escape() into a new string of the needed size (free()); NULL without memory. */
char *bureau_escape_dup(const char *s);

#endif /* SNT_BUREAU_H */
