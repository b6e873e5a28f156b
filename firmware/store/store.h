/* SPDX-License-Identifier: MIT */
/*
 * store: the gate's durable log of entries in SQLite (3.40).
 *
 * The database runs in WAL mode with synchronous=FULL (SQLite "Write-Ahead
 * Logging" and "PRAGMA synchronous"): snt_store_append() returns only after
 * the entry's transaction is committed and the WAL fsync'd, so an entry that
 * was acknowledged survives a power cut.  The schema is versioned with
 * PRAGMA user_version and migrated forward on open.  Entries are append-only:
 * triggers refuse UPDATE and DELETE, except the retention purge.
 *
 * Each entry carries a per-device sequence number (1, 2, 3, ... without
 * gaps) and a SHA-256 hash chain: hash = SHA-256(prev_hash || canonical
 * entry), the canonical form of the entry module (snt_entry_hash_input()).
 * The first entry's prev_hash is 32 zero bytes.
 *
 * Retention (schema version 2): the bureau's acknowledgement cursor
 * (snt_store_set_ack()) is the highest seq the bureau holds; a purge
 * (snt_store_purge()) removes an acknowledged, old enough prefix of the
 * chain and records it (range, count, and the hash of its last entry, which
 * becomes the anchor the rest of the chain links to).  The sequence goes on
 * after a purge; snt_store_verify() checks the remaining chain from the
 * anchor.  Clock rebasing (snt_store_set_rebase()) records, per boot id, the
 * UTC time of that boot once trusted time is known, so entries written
 * under an untrusted clock get a computed time without being modified.
 *
 * Schema version 3 adds to each entry an optional detail record (JSON:
 * the temperature measurement, the staff reference, an override's original
 * decision, the rule set; covered by the chain hash when present), an index
 * on time for the review CLI, and three tables outside the chain: events
 * (exits, fire alarm, device faults: what is not a check-in), alerts (what
 * staff must see and acknowledge; fevers and referrals are raised by a
 * trigger in the same transaction as their entry) and verdicts (the issuing
 * platform's online verdict on a health code, returned by the bureau).
 *
 * Schema version 5 keeps, of a signed certificate's payload (a format whose
 * payload is digested, snt_code_format_keep()), only its SHA-256 (column
 * payload_hash): the certificate carries the holder's name and birth date,
 * and what the decision and the audit need is the verified result, the
 * masked subject and that hash.  Health-code tokens are kept as they are
 * (the bureau's platform check needs them).  Entries logged before schema 5
 * keep the payload they were logged with: their hash covers it, so no
 * migration or purge rewrites them; a purge of an acknowledged prefix
 * removes them whole (PRAGMA secure_delete: their bytes are overwritten,
 * not left in free pages).
 *
 * Schema version 4 rebuilds the entries table with CHECK lists generated
 * from the entry module's name tables (snt_entry_sql_check()), rows and
 * hashes unchanged; a new name in one of those tables is one more such
 * rebuild step.
 *
 * Schema version 6 adds the seal (fss.h): with a seal key attached
 * (snt_store_seal_attach()), each entry is sealed in its own transaction
 * (table seals: seq, epoch, tag), so a history rewritten with recomputed
 * hashes is found by whoever holds the first key (snt_store_verify_ex()).
 *
 * The head file.  Outside the database, "<db>.head" records the chain head
 * of the last append, so a log that went backwards (rows deleted behind
 * the triggers' back, a -wal file deleted after a kill) is found even though
 * what is left is a valid chain.  Format, text, three lines, mode 0600:
 *
 *   sentinel-head-v1
 *   seq <the last seq appended, decimal>
 *   hash <its chain hash, 64 lower-case hex digits>
 *
 * It is replaced atomically (snt_write_atomic(): temporary file, fsync,
 * rename, fsync of the directory) after each append has committed: a crash
 * between the commit and the rename leaves the file behind the log by that
 * append, which is not damage (the log may be ahead of its head file, as
 * long as it holds the head file's seq with its hash); a log behind its head
 * file, or holding another hash at its seq, is (snt_store_head_check()).
 * Once a head file exists (written by an append, by snt_store_head_write()
 * or read by snt_store_head_check() on this connection), the next append
 * also records meta('head_file') in its transaction, so a head file deleted
 * later is missed, not taken for a log that never had one; a kill at any
 * point never leaves that record without the file.
 *
 * Schema version 7 adds personal records (snt_store_personal_put()): a
 * visitor's full ID-card record sealed to the bureau (sign.h snt_seal()),
 * one per entry, outside the chain (the entry's detail record carries the
 * SHA-256 of the sealed bytes, so the chain covers the digest, not the
 * record), and the log of their retention purges.
 *
 * Readers (sentinelctl) open the same file concurrently; WAL lets them read
 * while the daemon writes.
 */
#ifndef SNT_STORE_H
#define SNT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock/clock.h"
#include "common/common.h"
#include "entry/entry.h"
#include "fss/fss.h"

#define SNT_STORE_SCHEMA_VERSION 8

enum snt_store_err {
	SNT_STORE_OK = 0,
	SNT_STORE_ERR_INVAL,	/* NULL or out-of-range argument */
	SNT_STORE_ERR_OPEN,	/* the file cannot be opened or created (path, permissions) */
	SNT_STORE_ERR_READONLY,	/* the database or its directory is read-only */
	SNT_STORE_ERR_FULL,	/* disk full (SQLITE_FULL) */
	SNT_STORE_ERR_IO,	/* I/O error (SQLITE_IOERR) */
	SNT_STORE_ERR_CORRUPT,	/* not a database, or malformed (SQLITE_CORRUPT/NOTADB) */
	SNT_STORE_ERR_SCHEMA,	/* schema newer than this program, or a migration failed */
	SNT_STORE_ERR_BUSY,	/* locked by another writer past the busy timeout */
	SNT_STORE_ERR_NOMEM,
	SNT_STORE_ERR_SQL,	/* any other SQLite error */
	SNT_STORE_ERR_DONE,	/* iterator: no more entries; lookup: no such row (not a failure) */
	SNT_STORE_ERR_STALE,	/* acknowledgement below the one already recorded */
	SNT_STORE_ERR_RANGE,	/* sequence number past the last entry */
	SNT_STORE_ERR_EXISTS,	/* boot id already rebased to another time or source */
};

#define SNT_REBASE_SOURCE_LEN 33	/* rebase source name: 32 characters + NUL */

struct snt_store;
struct snt_store_iter;

/*
 * snt_store_open() - open (creating if needed) the log at @path, set WAL and
 * synchronous=FULL, and migrate the schema to SNT_STORE_SCHEMA_VERSION.
 * @path: database file; its directory must exist.
 * @readonly: open for reading only (no create, no migration, no change to
 *     the file); for the CLI.  The file must already hold the current schema.
 *     A writable open keeps the -wal and -shm files when closed so that such
 *     readers need no write access to the directory.
 * @out: receives the store; close with snt_store_close().  Untouched on error.
 * The connection uses a busy timeout of 5000 ms and foreign keys on.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_INVAL if @path or @out is NULL or @path
 * is empty; SNT_STORE_ERR_OPEN if the file cannot be opened/created (missing
 * file when @readonly, missing directory, a new file in a read-only
 * directory, no read permission); SNT_STORE_ERR_READONLY if it cannot be
 * written (writable open only: write-protected file, or an existing file in
 * a read-only directory without its -wal/-shm files); SNT_STORE_ERR_IO for
 * a path that is a directory;
 * SNT_STORE_ERR_CORRUPT if it is not a database; SNT_STORE_ERR_SCHEMA if its
 * user_version is newer than this program, if it is another program's
 * database (foreign application_id or tables without a user_version), if
 * @readonly and the schema is older than this program (an empty file
 * included), or if a migration step failed (the file is left as it was);
 * SNT_STORE_ERR_SQL if WAL could not be enabled; SNT_STORE_ERR_BUSY,
 * _IO, _FULL, _NOMEM for the matching SQLite failures.
 */
enum snt_store_err snt_store_open(const char *path, bool readonly, struct snt_store **out) SNT_WUR;

/*
 * snt_store_close() - finalize statements and close the database; NULL does
 * nothing.  Free every iterator of @st first.
 */
void snt_store_close(struct snt_store *st);

/*
 * snt_store_append() - append one entry durably.
 * @st: a store opened writable.
 * @e: the entry; seq, prev_hash and hash are ignored on input and set by the
 *     store on success.  boot_id and subject must be NUL-terminated valid
 *     UTF-8 within their arrays; subject must be masked already; payload is
 *     borrowed, payload_len 0 means none; a payload of a format whose
 *     payload is digested is stored as its SHA-256 (snt_store_entry_digest(),
 *     applied to @e too on success).  temp_dc is ignored unless has_temp.
 * The sequence number is the last one + 1 and prev_hash the last entry's hash
 * (32 zero bytes for the first), both read inside the same BEGIN IMMEDIATE
 * transaction as the insert, so concurrent writers cannot fork the chain.
 * Return: SNT_STORE_OK once the transaction is committed (fsync'd);
 * SNT_STORE_ERR_INVAL for a NULL argument, an enum out of range, a reason bit
 * past SNT_REASON_COUNT, an unterminated or non-UTF-8 string, a payload_len
 * without payload or above SNT_ENTRY_MAX_PAYLOAD, a payload together with a
 * payload hash; SNT_STORE_ERR_READONLY when
 * @st was opened read-only or the file became read-only; SNT_STORE_ERR_FULL,
 * _IO, _BUSY, _CORRUPT, _NOMEM, _SQL for the matching SQLite failures (a
 * last entry whose hash is not 32 bytes is _CORRUPT); in every error case the
 * transaction was rolled back, nothing was written and @e is unchanged.
 */
enum snt_store_err snt_store_append(struct snt_store *st, struct snt_entry *e) SNT_WUR;

/*
 * snt_store_entry_digest() - what the log keeps of @e's payload
 * (snt_code_format_keep()): for a format whose payload is digested and an
 * entry that carries one, set payload_hash to the SHA-256 (FIPS 180-4) of
 * the payload_len bytes at payload, has_payload_hash, and drop the payload
 * (payload NULL, payload_len 0); otherwise leave @e as it is.
 * snt_store_append() and snt_store_append_batch() apply it to every entry;
 * a writer that keeps an entry anywhere else first (the fallback journal)
 * calls it before.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_INVAL for a NULL @e, a payload_len
 * without payload or above SNT_ENTRY_MAX_PAYLOAD, or a payload together
 * with a payload hash (@e unchanged); SNT_STORE_ERR_NOMEM when OpenSSL
 * fails (@e unchanged).
 */
enum snt_store_err snt_store_entry_digest(struct snt_entry *e) SNT_WUR;

/*
 * snt_store_append_batch() - append @n entries durably in one transaction,
 * in array order: the same as @n calls of snt_store_append() (the store
 * assigns each seq and computes each hash, the chain trigger checks each
 * insert) but with one commit and one fsync, for bulk loads such as merging
 * a fallback journal or benchmarks.  The WAL holds the whole batch until the
 * commit: keep @n to a few thousand entries.
 * @st: a store opened writable.
 * @e: array of @n entries, as for snt_store_append(); each one's payload is
 *     first put through snt_store_entry_digest() (whatever the outcome); on
 *     success each one's seq, prev_hash and hash are set.
 * @n: number of entries; 0 does nothing and returns SNT_STORE_OK.
 * Return: SNT_STORE_OK once every entry is committed (fsync'd); the errors
 * of snt_store_append() under the same conditions (SNT_STORE_ERR_INVAL also
 * for @e NULL with @n > 0), any invalid entry failing the whole batch before
 * anything is written.  On every error nothing was written, and the seq,
 * prev_hash and hash of all @n entries are zeroed (none of them is in the
 * log).
 */
enum snt_store_err snt_store_append_batch(struct snt_store *st, struct snt_entry *e,
					  size_t n) SNT_WUR;

/*
 * snt_store_last_seq() - highest sequence number the log has assigned,
 * purged entries included (the sequence goes on after a purge).
 * Return: SNT_STORE_OK and *seq (0 when nothing was ever appended);
 * SNT_STORE_ERR_INVAL for a NULL argument; or an SQLite failure mapped as
 * for snt_store_append().
 */
enum snt_store_err snt_store_last_seq(struct snt_store *st, int64_t *seq) SNT_WUR;

/*
 * snt_store_get() - read entry @seq.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_DONE if no such entry (never
 * appended, or purged);
 * SNT_STORE_ERR_INVAL for a NULL argument; SNT_STORE_ERR_CORRUPT when a
 * stored value does not parse (unknown name, reasons not in canonical order,
 * hash not 32 bytes, string too long or with NUL/invalid UTF-8); or an
 * SQLite failure mapped as for snt_store_append().  On error @e is
 * unspecified.  The payload of @e points into store memory valid until the
 * next call on @st.
 */
enum snt_store_err snt_store_get(struct snt_store *st, int64_t seq, struct snt_entry *e) SNT_WUR;

/*
 * snt_store_iter_new() - iterate entries with seq > @after_seq in order.
 * Rows are read one at a time (nothing is loaded in bulk); the iterator
 * holds an SQLite read transaction until freed, so free it promptly.
 * Return: SNT_STORE_OK and *out; free with snt_store_iter_free() before
 * closing @st.  SNT_STORE_ERR_INVAL for a NULL argument; SNT_STORE_ERR_NOMEM;
 * or an SQLite failure mapped as for snt_store_append().
 */
enum snt_store_err snt_store_iter_new(struct snt_store *st, int64_t after_seq,
				      struct snt_store_iter **out) SNT_WUR;

/*
 * snt_store_iter_next() - next entry into @e.  The payload points into
 * iterator memory valid until the next call.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_DONE at the end; SNT_STORE_ERR_CORRUPT
 * when a stored value is out of range (as for snt_store_get()); or another
 * error as for snt_store_get().  After an error other than _DONE the
 * iterator must only be freed.
 */
enum snt_store_err snt_store_iter_next(struct snt_store_iter *it, struct snt_entry *e) SNT_WUR;

/* snt_store_iter_free() - NULL does nothing. */
void snt_store_iter_free(struct snt_store_iter *it);

/*
 * snt_store_set_ack() - move the acknowledgement cursor: the highest seq the
 * bureau has confirmed it holds (set by sync after the bureau's signed
 * acknowledgement; tests set it directly).  Purges never go above it.
 * @st: a store opened writable.
 * @seq: the acknowledged seq, 0 <= @seq <= snt_store_last_seq(); setting
 *     the value already recorded again succeeds and changes nothing.
 * A trigger refuses the same moves from raw SQL.
 * Return: SNT_STORE_OK once committed (fsync'd); SNT_STORE_ERR_INVAL for
 * @st NULL or @seq < 0; SNT_STORE_ERR_READONLY when @st was opened
 * read-only; SNT_STORE_ERR_STALE if @seq is below the recorded cursor (it
 * never goes backwards); SNT_STORE_ERR_RANGE if @seq is above the last seq
 * the log has assigned; or an SQLite failure mapped as for
 * snt_store_append().  On error the cursor is unchanged.
 */
enum snt_store_err snt_store_set_ack(struct snt_store *st, int64_t seq) SNT_WUR;

/*
 * snt_store_get_ack() - the acknowledgement cursor (0 until the bureau has
 * acknowledged anything, and for a log migrated from schema version 1).
 * Return: SNT_STORE_OK and *seq; SNT_STORE_ERR_INVAL for a NULL argument;
 * or an SQLite failure mapped as for snt_store_append().
 */
enum snt_store_err snt_store_get_ack(struct snt_store *st, int64_t *seq) SNT_WUR;

/* Why a purge stopped where it did. */
enum snt_purge_stop {
	SNT_PURGE_STOP_END = 0,	/* no entry left: everything up to the last seq was removed */
	SNT_PURGE_STOP_ACK,	/* the next entry is not acknowledged (seq > ack) */
	SNT_PURGE_STOP_CUTOFF,	/* the next entry is not older than the cutoff */
};

struct snt_store_purge_result {
	int64_t count;			/* entries removed; 0 = nothing to purge */
	int64_t first_seq;		/* first removed (when count > 0) */
	int64_t last_seq;		/* last removed (when count > 0) */
	uint8_t anchor[SNT_HASH_LEN];	/* hash of last_seq: the new chain anchor (when count > 0) */
	int64_t ack_seq;		/* the acknowledgement cursor the purge honoured */
	int64_t next_seq;		/* first entry kept, 0 when none is left */
	enum snt_purge_stop stop;	/* why next_seq was kept */
};

/* Most entries one purge transaction removes (see snt_store_purge()). */
#define SNT_STORE_PURGE_CHUNK 5000

/*
 * snt_store_purge() - the retention purge: remove the longest prefix of the
 * remaining chain whose entries are all acknowledged (seq <= the cursor of
 * snt_store_set_ack()) and older than @older_than_utc_ms, and record it in
 * the purges table in the same transaction.
 * An entry's time for this rule is its rebased time (utc_at_boot_ms of its
 * boot id + mono_ms) when it was written under an untrusted clock and its
 * boot has a rebase row, else its time_utc_ms.  Before removing anything the
 * range is checked like snt_store_verify() does (sequence, links from the
 * current anchor, every hash recomputed), so a purge never erases the
 * evidence of a damaged entry.  The record (first_seq, last_seq, count,
 * anchor_hash = hash of last_seq, cutoff, ack, time) is what lets the rest
 * of the chain verify: the next entry's prev_hash is the anchor.  Raw SQL
 * can only delete entries the same way: inserting a purge record that a
 * trigger checks (contiguous prefix, not above the cursor, every entry of
 * the range present, anchor equal to the stored hash) deletes the range.
 * The work is done in transactions of at most SNT_STORE_PURGE_CHUNK entries,
 * each checked, recorded and committed on its own, so a writer (the daemon)
 * never waits longer than one chunk (tens of ms) for the write lock; a long
 * purge leaves one purge record per chunk.
 * @st: a store opened writable.
 * @older_than_utc_ms: cutoff, ms since the epoch: only entries strictly
 *     older are removed (for "older than DAYS": now - DAYS * 86400000).
 * @now_utc_ms: the time of the purge, recorded with it (ms since the epoch).
 * @out: receives the result (first_seq..last_seq over every chunk, the
 *     anchor of the last), also when there was nothing to purge.
 * Return: SNT_STORE_OK (with out->count 0 when nothing qualified);
 * SNT_STORE_ERR_INVAL for a NULL argument; SNT_STORE_ERR_READONLY when @st
 * was opened read-only; SNT_STORE_ERR_CORRUPT if an entry of the range fails
 * the check (the message names its seq and the reason); or an SQLite
 * failure mapped as for snt_store_append().  On error the failing chunk
 * removed nothing; chunks committed before it stay purged (complete,
 * recorded, and the chain verifies), and @out counts them (count 0: none),
 * its stop and next_seq being unspecified.
 */
enum snt_store_err snt_store_purge(struct snt_store *st, int64_t older_than_utc_ms,
				   int64_t now_utc_ms, struct snt_store_purge_result *out) SNT_WUR;

/*
 * snt_store_set_rebase() - record the UTC time at which boot @boot_id
 * started, once trusted time is known during (or after) that boot, so that
 * an entry written under an untrusted clock in that boot has the computed
 * time @utc_at_boot_ms + its mono_ms (the entries themselves are never
 * modified).  One row per boot id, written once: a trigger refuses updates,
 * deletes and a second row for the same boot.
 * @st: a store opened writable.
 * @boot_id: the kernel boot id, NUL-terminated UTF-8, 1 to 36 bytes.
 * @utc_at_boot_ms: ms since the epoch at monotonic time 0 of that boot,
 *     0 <= value < 253402300800000 (year 10000).
 * @source: where the trusted time came from, 1 to 32 characters of
 *     [a-z0-9-] (the clock module names them, e.g. "ntp", "bureau").
 * @recorded_utc_ms: the (trusted) time of recording, ms since the epoch.
 * Return: SNT_STORE_OK once committed (fsync'd), also when the same boot id
 * was already recorded with the same @utc_at_boot_ms and @source (nothing
 * changes); SNT_STORE_ERR_INVAL for a NULL argument or a value out of the
 * ranges above; SNT_STORE_ERR_READONLY when @st was opened read-only;
 * SNT_STORE_ERR_EXISTS if @boot_id was already recorded with another time
 * or source (the first record stays); or an SQLite failure mapped as for
 * snt_store_append().
 */
enum snt_store_err snt_store_set_rebase(struct snt_store *st, const char *boot_id,
					int64_t utc_at_boot_ms, const char *source,
					int64_t recorded_utc_ms) SNT_WUR;

/*
 * snt_store_get_rebase() - the recorded UTC time at the start of boot
 * @boot_id (see snt_store_set_rebase()).
 * Return: SNT_STORE_OK and *utc_at_boot_ms; SNT_STORE_ERR_DONE when that
 * boot was never rebased; SNT_STORE_ERR_INVAL for a NULL argument; or an
 * SQLite failure mapped as for snt_store_append().
 */
enum snt_store_err snt_store_get_rebase(struct snt_store *st, const char *boot_id,
					int64_t *utc_at_boot_ms) SNT_WUR;

/*
 * snt_store_last_trusted_utc() - the latest wall time the gate ever held as
 * trusted: the time of the last entry written with a trusted clock, or a
 * rebase record's recording time, whichever is later (0 when none); after a
 * correction (snt_store_correct_trusted()) only the corrected time and what
 * was written after it count.  At
 * start the daemon judges its clock against it (snt_clock_judge()).
 * Return: SNT_STORE_OK and *utc_ms; SNT_STORE_ERR_INVAL for a NULL
 * argument; or an SQLite failure mapped as for snt_store_append().
 */
enum snt_store_err snt_store_last_trusted_utc(struct snt_store *st, int64_t *utc_ms) SNT_WUR;

/*
 * snt_store_correct_trusted() - the latest trusted time was wrong (a wall
 * clock set ahead while it claimed to be synchronised, clock.h): from now on
 * snt_store_last_trusted_utc() counts only @utc_ms (a second source's time:
 * the bureau's signed time, sync.h) and the entries and rebase records
 * written after this call.  Nothing is modified or deleted: the mark is one
 * row of meta ('trusted_floor': the last seq, the last rebase record and
 * @utc_ms, as JSON), replaced by a later correction; one statement, durable
 * as every commit.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_INVAL for NULL or @utc_ms outside
 * 1970-9999; SNT_STORE_ERR_READONLY; an SQLite failure mapped as for
 * snt_store_append().
 */
enum snt_store_err snt_store_correct_trusted(struct snt_store *st, int64_t utc_ms) SNT_WUR;

/*
 * snt_store_set_contact() - record the gate's last contact with the bureau:
 * @utc_ms, the bureau's signed time (ms since the epoch) of an
 * acknowledgement the gate has taken (sync, online or by stick).  A time
 * older than the one recorded changes nothing.
 * Return: SNT_STORE_OK once committed; SNT_STORE_ERR_INVAL for @st NULL or
 * @utc_ms not in (0, the store's time bound]; SNT_STORE_ERR_READONLY; or an
 * SQLite failure mapped as for snt_store_append().
 */
enum snt_store_err snt_store_set_contact(struct snt_store *st, int64_t utc_ms) SNT_WUR;

/*
 * snt_store_get_contact() - the time snt_store_set_contact() recorded into
 * *@utc_ms, 0 when the bureau has never been reached.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_INVAL for a NULL argument; or an
 * SQLite failure.
 */
enum snt_store_err snt_store_get_contact(struct snt_store *st, int64_t *utc_ms) SNT_WUR;

/*
 * snt_store_rebase_entry() - the time to show for @e, read from the log: an
 * entry written under an untrusted clock whose boot was later rebased
 * (snt_store_set_rebase()) gets time_utc_ms = the boot's start + its
 * mono_ms and the state SNT_CLOCK_REBASED; any other entry is left as it
 * is.  Only @e in memory changes, never the log (its hash covers what was
 * recorded).  The last boot id looked up is cached in @st.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_INVAL for a NULL argument; or an
 * SQLite failure mapped as for snt_store_append().
 */
enum snt_store_err snt_store_rebase_entry(struct snt_store *st, struct snt_entry *e) SNT_WUR;

enum snt_verify_status {
	SNT_VERIFY_CLEAN = 0,
	SNT_VERIFY_DAMAGED,
};

#define SNT_VERIFY_REASON_LEN 160

/* What snt_store_verify() found. */
struct snt_store_verify_report {
	enum snt_verify_status status;
	/*
	 * The first bad entry, by seq; 0 when clean or when the damage is not
	 * one entry's (integrity_check, a purge record, the hash form).
	 */
	int64_t first_bad_seq;
	/*
	 * "" when clean, else one of: "gap before" (entries missing before
	 * first_bad_seq), "prev_hash does not link", "hash mismatch",
	 * "invalid <column>" (a stored value that does not parse: unknown enum
	 * or reason name, reasons out of order, bad text, hash not 32 bytes;
	 * <column> is the column's name, e.g. "invalid clock"),
	 * "entry inside a purged range", "acknowledged entries missing" (the
	 * log ends before the acknowledgement cursor; first_bad_seq is the
	 * first missing seq), "unreadable: <SQLite message>", "purge record
	 * does not follow" (ranges not contiguous from 1, or count not the
	 * range's size; first_bad_seq 0), "unknown hash form",
	 * "rebase record invalid" (first_bad_seq 0), "personal record does not
	 * match its digest" (a sealed personal record whose SHA-256 is not the
	 * idcard.sealed its entry holds), or
	 * "integrity_check: <first message of PRAGMA integrity_check>".
	 */
	char reason[SNT_VERIFY_REASON_LEN];
	/* reason in the user's language (gettext), for people; reason stays English */
	char reason_text[2 * SNT_VERIFY_REASON_LEN];
	int64_t entries;	/* entries that passed every check (before the first bad one) */
	int64_t last_good_seq;	/* seq of the last of them; the anchor's seq when none */
	int64_t first_seq;	/* first entry checked, 0 when the log has no entry */
	int64_t anchor_seq;	/* last purged seq (0 when never purged): the chain starts after it */
	int64_t purges;		/* purge records checked */
	int64_t ack_seq;	/* the acknowledgement cursor */
	int64_t elapsed_ms;	/* on @clk's monotonic time; 0 without a clock */
	int64_t head_seq;	/* snt_store_verify_ex() with head: the head file's seq; else -1 */
	int64_t sealed;		/* snt_store_verify_ex() with a seal key: entries whose seal verified */
};

/*
 * snt_store_verify() - check the whole log, in one read transaction
 * (a consistent snapshot while the daemon writes), streaming: one row at a
 * time, constant memory.  Checks, stopping at the first finding: the hash
 * form; the purge records (contiguous ranges from seq 1, counts); the
 * rebase rows' values; every entry in seq order: no entry inside a purged
 * range, the sequence without gaps from the anchor's seq + 1 (or 1), every
 * stored value valid, prev_hash equal to the previous entry's hash (or the
 * purge anchor, or 32 zero bytes for seq 1), the hash recomputed from the
 * columns (snt_store_entry_hash()); the log reaching the acknowledgement
 * cursor; the sealed personal records against the digests their entries
 * hold; then PRAGMA integrity_check (which skips CHECK constraints on a
 * read-only connection: the stored values of entries, purges and rebase
 * rows are checked here instead).
 * A database SQLite reports as corrupt while reading is a finding
 * ("unreadable: ..."), not an error.
 * @st: an open store, read-only or writable; no iterator of @st may be open.
 * @clk: clock for elapsed_ms (its monotonic time), or NULL.
 * @out: receives the report.
 * Return: SNT_STORE_OK with @out filled (clean or damaged);
 * SNT_STORE_ERR_INVAL for @st or @out NULL; SNT_STORE_ERR_NOMEM; or another
 * SQLite failure (I/O, busy) mapped as for snt_store_append(), when the log
 * could not be read to the end: @out is then unspecified.
 */
enum snt_store_err snt_store_verify(struct snt_store *st, const struct snt_clock *clk,
				    struct snt_store_verify_report *out) SNT_WUR;

/* Options of snt_store_verify_ex(); zero-initialised = snt_store_verify(). */
struct snt_store_verify_opts {
	bool head;			/* also check the head file (snt_store_head_check()) */
	const struct snt_fss *seal;	/* the first key k(0): check every seal from its first_seq; NULL = none */
};

/*
 * snt_store_verify_ex() - snt_store_verify(), and with @opts:
 * - head: the head file, after the entries: "head went backwards: the log
 *   ends at seq L, its head file records seq H" (first_bad_seq L + 1), "head
 *   file hash differs" (first_bad_seq H), "head file missing" (the log
 *   recorded that it had one; first_bad_seq 0), "head file invalid"
 *   (first_bad_seq 0); report->head_seq is the file's seq (-1 when none);
 * - seal: every entry from the key's first_seq on, in seq order: "seal
 *   missing", "seal epoch out of order" (not the epoch the gate gives it:
 *   for a trusted clock the epoch of the entry's time, never below the
 *   previous entry's; else the previous entry's), "seal does not verify",
 *   each at the entry's seq; report->sealed counts the entries whose seal
 *   verified.  Who holds the key of epoch E (the gate's, taken at E) can
 *   seal a rewritten entry only as of E: rewriting a sealed entry of an
 *   earlier epoch then also means moving its trusted time into E.
 * Every run also cross-checks the alerts and events against the entries:
 * "alert <id> names a missing entry" (its seq, not purged, is not in the
 * log), "alert <id> does not match its entry" (a fever alert for an entry
 * without the reason fever, a referral for one not decided refer), "alert
 * missing" (an entry with fever or refer, after the first entry an alert
 * names, without its alert), "alert <id> names a missing event",
 * "event <id> has no alert" (a device fault), each at the entry's seq or 0.
 * @opts: may be NULL (snt_store_verify()).
 * Return: as snt_store_verify(); SNT_STORE_ERR_OPEN also when the head file
 * exists but cannot be read (the message names the errno).
 */
enum snt_store_err snt_store_verify_ex(struct snt_store *st, const struct snt_clock *clk,
				       const struct snt_store_verify_opts *opts,
				       struct snt_store_verify_report *out) SNT_WUR;

/* What snt_store_head_check() found. */
enum snt_head_state {
	SNT_HEAD_OK = 0,	/* the log holds the head file's seq with its hash (it may be ahead) */
	SNT_HEAD_NONE,		/* no head file, and the log never recorded one: none to check */
	SNT_HEAD_MISSING,	/* no head file, but the log recorded that it had one */
	SNT_HEAD_BEHIND,	/* the log ends before the head file's seq: it went backwards */
	SNT_HEAD_FORKED,	/* the log holds another hash at the head file's seq */
	SNT_HEAD_INVALID,	/* the head file is not in the format above */
};

struct snt_store_head {
	enum snt_head_state state;
	int64_t log_seq;			/* the log's chain head (last entry or purge anchor), 0 = none */
	uint8_t log_hash[SNT_HASH_LEN];
	int64_t file_seq;			/* the head file's; -1 when there is none or it is invalid */
	uint8_t file_hash[SNT_HASH_LEN];
};

/*
 * snt_store_head_check() - compare the log's chain head with its head file
 * ("<db>.head"; format above).  The log's seq at the file's is looked up
 * among the entries and the purge anchors; a seq purged past any anchor
 * cannot be compared and counts as held.
 * Return: SNT_STORE_OK with @out filled; SNT_STORE_ERR_INVAL for a NULL
 * argument; SNT_STORE_ERR_OPEN when the head file exists but cannot be read
 * (a symbolic link, not a regular file, no permission: the message says
 * which); an SQLite failure mapped as for snt_store_append().
 */
enum snt_store_err snt_store_head_check(struct snt_store *st, struct snt_store_head *out) SNT_WUR;

/*
 * snt_store_head_write() - write the head file from the log's chain head now
 * (what each append does after its commit), and record meta('head_file'):
 * for the daemon's start on a log that has none yet (SNT_HEAD_NONE).
 * Return: SNT_STORE_OK; SNT_STORE_ERR_INVAL for NULL; SNT_STORE_ERR_READONLY
 * for a read-only store; SNT_STORE_ERR_IO when the file could not be written
 * (the message names the errno); an SQLite failure.
 */
enum snt_store_err snt_store_head_write(struct snt_store *st) SNT_WUR;

/*
 * snt_store_head_errno() - the errno value of the last head-file or seal-key
 * write that failed after an append had committed (the entry is in the log;
 * the next append tries again), 0 when the last one succeeded.  For the
 * daemon to report.
 */
int snt_store_head_errno(const struct snt_store *st);

/* snt_head_state_name() - "ok", "none", "missing", "behind", "forked", "invalid"; NULL if out of range. */
const char *snt_head_state_name(enum snt_head_state s);

/*
 * snt_store_seal_attach() - seal every entry appended from now on with the
 * evolving key in the key file at @path (fss.h; `sentinelctl keys init`
 * makes it beside the device key).  The key is moved forward to the last
 * epoch the log has sealed with, if the file is behind it.  On each append
 * the epoch is that of the entry's time (its time_utc_ms, from the injected
 * clock) when the entry's clock is trusted, never below the previous
 * entry's, else the previous entry's; the entry and its seal are committed
 * together, then a new epoch's key replaces the key file (the earlier key
 * erased) before the head file is written.  A crash in between leaves the
 * file behind the log, which the next attach moves forward.  A key file
 * that cannot be rewritten does not fail the append: the key in memory
 * moves on, and snt_store_head_errno() reports the errno.
 * @st: a store opened writable.
 * @path: the key file; copied.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_INVAL for a NULL argument or a path
 * too long; SNT_STORE_ERR_READONLY; SNT_STORE_ERR_OPEN when the key file
 * cannot be read (ENOENT: none; the message names the errno and seal's
 * text), SNT_STORE_ERR_CORRUPT when it is not a key file or the log's last
 * seal epoch is out of its range; an SQLite failure.
 */
enum snt_store_err snt_store_seal_attach(struct snt_store *st, const char *path) SNT_WUR;

/*
 * snt_store_seal_get() - entry @seq's seal as the log holds it (for the
 * bundles to the bureau): *@epoch and @tag (SNT_FSS_TAG_LEN bytes).
 * Return: SNT_STORE_OK; SNT_STORE_ERR_DONE when the entry has none;
 * SNT_STORE_ERR_INVAL for a NULL argument; SNT_STORE_ERR_CORRUPT for a
 * stored tag that is not SNT_FSS_TAG_LEN bytes; an SQLite failure.
 */
enum snt_store_err snt_store_seal_get(struct snt_store *st, int64_t seq, int64_t *epoch,
				      uint8_t tag[SNT_FSS_TAG_LEN]) SNT_WUR;

/*
 * snt_store_seal_epoch() - the epoch entry @e is sealed in when the key is
 * at @k's epoch (the epoch of the entry sealed before it, or the first
 * key's): for a trusted clock the epoch of its time (snt_fss_epoch_at(),
 * never below @k's), for any other clock @k's.  The gate seals by this
 * rule; verify-log and the bureau check each seal's epoch against it.
 * Return: the epoch; @k's epoch when an argument is NULL.
 */
int64_t snt_store_seal_epoch(const struct snt_fss *k, const struct snt_entry *e);

/* Durability settings of an open store, read back from SQLite. */
struct snt_store_info {
	char journal_mode[16];	/* "wal" for a writable store */
	int synchronous;	/* PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA */
	int user_version;	/* schema version, SNT_STORE_SCHEMA_VERSION */
	int busy_timeout_ms;	/* PRAGMA busy_timeout */
	bool foreign_keys;	/* PRAGMA foreign_keys */
	bool readonly;		/* opened (or became) read-only */
};

/*
 * snt_store_get_info() - query the connection's live settings (for tests,
 * `sentineld -n` and self-tests: proof that WAL and synchronous=FULL hold).
 * Return: SNT_STORE_OK and *out; SNT_STORE_ERR_INVAL for a NULL argument;
 * or an SQLite failure mapped as for snt_store_append().
 */
enum snt_store_err snt_store_get_info(struct snt_store *st, struct snt_store_info *out) SNT_WUR;

/*
 * snt_store_entry_hash() - recompute an entry's chain hash:
 * SHA-256(@e->prev_hash || canonical form of @e), the canonical form being
 * the entry module's (snt_entry_hash_input(), SNT_ENTRY_HASH_FORM).  Uses
 * every field but hash itself, seq and payload included.  For verify-log and
 * the bureau: equal to @e->hash for an untouched entry read back.
 * @out: receives SNT_HASH_LEN bytes (may be @e->hash).
 * Return: SNT_STORE_OK; SNT_STORE_ERR_INVAL under the same conditions as
 * snt_store_append() (NULL, enum out of range, bad string, bad payload);
 * SNT_STORE_ERR_NOMEM if OpenSSL could not allocate its digest context.
 */
enum snt_store_err snt_store_entry_hash(const struct snt_entry *e, uint8_t out[SNT_HASH_LEN]) SNT_WUR;

/*
 * ---- An entry as a row: the log's columns, for every table that holds entries ----
 *
 * The gate's log and the bureau's tables store an entry in these columns,
 * in this order, each value as it is hashed: enums and reasons by name
 * (snt_entry_names), temp_dc, subject, payload, detail, payload_hash and
 * birth_year NULL when absent, the two chain hashes and the payload hash as
 * 32-byte blobs, birth_year an integer.
 */
#define SNT_STORE_ROW_COLUMNS "seq, boot_id, mono_ms, time_utc_ms, clock, kind, format, colour, " \
			      "verified, temp_dc, decision, reasons, door, subject, payload, detail, prev_hash, hash, " \
			      "payload_hash, birth_year"
#define SNT_STORE_ROW_NCOLUMNS 20

/*
 * One column's value of an entry row, as any SQL database holds it: the
 * types of SQLite's storage classes ("Datatypes In SQLite"), which a
 * PostgreSQL row maps onto (bigint, text, bytea, NULL).  Text is UTF-8,
 * not NUL-terminated (len bytes); p points into the memory of whoever
 * filled the value.
 */
enum snt_store_type {
	SNT_STORE_NULL = 0,
	SNT_STORE_INTEGER,
	SNT_STORE_TEXT,
	SNT_STORE_BLOB,
	SNT_STORE_FLOAT,	/* no entry column holds one: refused by the decoder */
};

struct snt_store_value {
	enum snt_store_type type;
	int64_t i;		/* SNT_STORE_INTEGER */
	const void *p;		/* SNT_STORE_TEXT, SNT_STORE_BLOB */
	size_t len;		/* bytes at p */
};

/*
 * snt_store_row_values() - entry @e as the SNT_STORE_ROW_NCOLUMNS values of
 * a row (@v, in the order of SNT_STORE_ROW_COLUMNS): what
 * snt_store_row_bind() binds, for a database other than SQLite.  The
 * values point into @e and @names (borrowed: keep both unchanged while @v
 * is used).
 * @names: @e's names, from snt_entry_check() (which @e must have passed).
 * Return: 0; -1 for a NULL argument.
 */
int snt_store_row_values(const struct snt_entry *e, const struct snt_entry_names *names,
			 struct snt_store_value v[SNT_STORE_ROW_NCOLUMNS]) SNT_WUR;

/*
 * snt_store_row_from_values() - decode the values @v (SNT_STORE_ROW_COLUMNS
 * order) into @e, with the checks of snt_store_row_decode(); the payload
 * points into @v's memory.
 * @bad: receives NULL, or the name of the first column whose value is not
 * valid (may be NULL).
 * Return: SNT_STORE_OK; SNT_STORE_ERR_INVAL for a NULL @v or @e;
 * SNT_STORE_ERR_CORRUPT for a value that is not valid (@e untouched).
 */
enum snt_store_err snt_store_row_from_values(const struct snt_store_value v[SNT_STORE_ROW_NCOLUMNS],
					     struct snt_entry *e, const char **bad) SNT_WUR;

struct sqlite3_stmt;

/*
 * snt_store_row_bind() - bind entry @e to the parameters @first ..
 * @first + SNT_STORE_ROW_NCOLUMNS - 1 of @s, in the order of
 * SNT_STORE_ROW_COLUMNS (SQLite 3 "Binding Values To Prepared Statements").
 * Text and blobs are bound SQLITE_STATIC: @e and @names must stay unchanged
 * until @s is stepped and reset.
 * @names: @e's names, from snt_entry_check() (which @e must have passed).
 * Return: SQLITE_OK; SQLITE_MISUSE for a NULL argument or @first < 1; else
 * the first failing sqlite3_bind_*() call's result code (SQLITE_RANGE when
 * @s has too few parameters, SQLITE_TOOBIG, SQLITE_NOMEM).
 */
int snt_store_row_bind(struct sqlite3_stmt *s, int first, const struct snt_entry *e,
		       const struct snt_entry_names *names) SNT_WUR;

/*
 * snt_store_row_decode() - decode the entry in columns 0 ..
 * SNT_STORE_ROW_NCOLUMNS - 1 (SNT_STORE_ROW_COLUMNS) of @s's current row,
 * strictly: integers stored as integers, enums by a name of the entry
 * module, reasons that parse and are in the order of weight, strings valid
 * UTF-8 that fit their arrays, a payload of 1 to SNT_ENTRY_MAX_PAYLOAD
 * bytes or NULL, a detail record shaped as a JSON object or NULL, 32-byte
 * hashes, a 32-byte payload hash or NULL (NULL when there is a payload).  The payload points into @s's row: valid until @s is stepped,
 * reset or finalized.
 * @bad: receives NULL, or the name of the first column whose stored value
 * is not valid (may be NULL).
 * Return: SNT_STORE_OK; SNT_STORE_ERR_INVAL for a NULL @s or @e;
 * SNT_STORE_ERR_CORRUPT for a value that is not valid (@e is then
 * untouched).
 */
enum snt_store_err snt_store_row_decode(struct sqlite3_stmt *s, struct snt_entry *e, const char **bad) SNT_WUR;

/*
 * ---- Review queries (schema 3) ----
 */

/* Filter for snt_store_query_new(); zero-initialised = every entry. */
struct snt_store_query {
	int64_t since_utc_ms;	/* time_utc_ms >= this; 0 = no lower bound */
	int64_t until_utc_ms;	/* time_utc_ms < this; 0 = no upper bound */
	unsigned decisions;	/* bit (1u << enum snt_decision); 0 = any */
	unsigned colours;	/* bit (1u << enum snt_colour); 0 = any */
	unsigned kinds;		/* bit (1u << enum snt_person_kind); 0 = any */
	bool fever_only;	/* only entries whose reasons include fever */
	bool newest_first;	/* descending seq instead of ascending */
	int64_t limit;		/* most entries returned; 0 = no limit */
};

/*
 * snt_store_query_new() - iterate the entries matching @q, with
 * snt_store_iter_next() / snt_store_iter_free(): in seq order (or reverse)
 * without time bounds; with a time bound, in the order of time_utc_ms then
 * seq (the same order unless an untrusted clock wrote times out of order),
 * walking the index on time_utc_ms without a sort.  The time bounds use the
 * recorded time_utc_ms (entries
 * written under an untrusted clock are matched by their recorded time; pass
 * each through snt_store_rebase_entry() to show it).  Streaming: rows are
 * read one at a time, memory does not grow with the result.
 * Return: as snt_store_iter_new(); SNT_STORE_ERR_INVAL also for since >
 * until (both given), a negative limit or a mask bit past the enum.
 */
enum snt_store_err snt_store_query_new(struct snt_store *st, const struct snt_store_query *q,
				       struct snt_store_iter **out) SNT_WUR;

/*
 * snt_store_count() - how many entries match @q (limit ignored), for a
 * CLI that checks an export wrote every row.
 * Return: SNT_STORE_OK and *n; errors as snt_store_query_new().
 */
enum snt_store_err snt_store_count(struct snt_store *st, const struct snt_store_query *q,
				   int64_t *n) SNT_WUR;

/* Sealed personal records kept: from the seal's overhead (sign.h SNT_SEAL_OVERHEAD) to this many bytes. */
#define SNT_STORE_PERSONAL_MIN 97
#define SNT_STORE_PERSONAL_MAX 4096

/*
 * snt_store_personal_put() - keep the sealed personal record of entry @seq
 * (committed, fsync'd), created at @created_utc_ms.
 * @sealed, @len: the sealed bytes (opaque here), SNT_STORE_PERSONAL_MIN to
 * SNT_STORE_PERSONAL_MAX bytes; copied.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_INVAL (NULL, @seq < 1, a length out
 * of range); SNT_STORE_ERR_EXISTS when a record for @seq is kept already;
 * SNT_STORE_ERR_READONLY;
 * SQLite failures as snt_store_append().
 */
enum snt_store_err snt_store_personal_put(struct snt_store *st, int64_t seq, int64_t created_utc_ms,
					  const uint8_t *sealed, size_t len) SNT_WUR;

/*
 * snt_store_personal_get() - the sealed record of entry @seq.
 * @out, @len: receive a copy (free()).
 * Return: SNT_STORE_OK; SNT_STORE_ERR_DONE when none is kept (never made,
 * or purged); SNT_STORE_ERR_INVAL; SQLite failures.
 */
enum snt_store_err snt_store_personal_get(struct snt_store *st, int64_t seq, uint8_t **out,
					  size_t *len) SNT_WUR;

/*
 * snt_store_personal_purge() - the retention of personal records: remove
 * every sealed record created before @cutoff_utc_ms, and when any went,
 * record the purge (time @now_utc_ms, the cutoff, the count) in
 * personal_purges, in one transaction.  Entries stay and still verify.
 * @removed: receives the count (may be NULL).
 * Return: SNT_STORE_OK; SNT_STORE_ERR_INVAL; SNT_STORE_ERR_READONLY; SQLite
 * failures (then nothing is removed).
 */
enum snt_store_err snt_store_personal_purge(struct snt_store *st, int64_t cutoff_utc_ms, int64_t now_utc_ms,
					    int64_t *removed) SNT_WUR;

/* What an event records (schema 3): not a check-in, outside the chain. */
enum snt_event_kind {
	SNT_EVENT_EXIT = 0,		/* the exit button released the door (someone left) */
	SNT_EVENT_FIRE_ALARM,		/* the fire-alarm input became active: door released */
	SNT_EVENT_FIRE_CLEAR,		/* the fire-alarm input cleared */
	SNT_EVENT_DEVICE_FAULT,		/* a device failed (detail names role and fault); raises an alert */
	SNT_EVENT_RULES,		/* a rule set was installed (detail: version) */
	SNT_EVENT_SYNC,			/* a sync ran (detail: summary) */
	SNT_EVENT_KIND_COUNT
};

#define SNT_EVENT_DETAIL_LEN 256

struct snt_event {
	int64_t id;				/* assigned by the store */
	char boot_id[SNT_BOOT_ID_LEN];
	int64_t mono_ms;
	int64_t time_utc_ms;
	enum snt_clock_state clock;
	enum snt_event_kind kind;
	char detail[SNT_EVENT_DETAIL_LEN];	/* short text, no personal data; "" = none */
};

/*
 * snt_store_event_add() - record @ev durably (committed, fsync'd); sets
 * ev->id.  A device-fault event also raises an alert (kind device-fault,
 * same transaction).
 * Return: SNT_STORE_OK; SNT_STORE_ERR_INVAL (NULL, kind out of range, bad
 * strings); SNT_STORE_ERR_READONLY; SQLite failures as snt_store_append().
 */
enum snt_store_err snt_store_event_add(struct snt_store *st, struct snt_event *ev) SNT_WUR;

/*
 * snt_store_events_count() - events of @kind with time_utc_ms in
 * [@since_utc_ms, @until_utc_ms) (0 = unbounded), e.g. exits for occupancy.
 */
enum snt_store_err snt_store_events_count(struct snt_store *st, enum snt_event_kind kind,
					  int64_t since_utc_ms, int64_t until_utc_ms,
					  int64_t *n) SNT_WUR;

struct snt_store_event_iter;

/*
 * snt_store_events_new() - iterate the events of @kind with time_utc_ms in
 * [@since_utc_ms, @until_utc_ms) (0 = unbounded), oldest first (by time,
 * then id), one row at a time through the index on (kind, time): e.g. the
 * exits that the review's occupancy count merges with the entries.  Like
 * the entry iterators it holds an SQLite read transaction until freed.
 * Return: SNT_STORE_OK and *out (free with snt_store_events_free() before
 * closing @st); SNT_STORE_ERR_INVAL for a NULL argument, a kind out of
 * range, a negative bound or since > until (both given);
 * SNT_STORE_ERR_NOMEM; or an SQLite failure mapped as for
 * snt_store_append().
 */
enum snt_store_err snt_store_events_new(struct snt_store *st, enum snt_event_kind kind,
					int64_t since_utc_ms, int64_t until_utc_ms,
					struct snt_store_event_iter **out) SNT_WUR;

/*
 * snt_store_events_next() - next event into @ev (its kind is the one asked
 * for).  Return: SNT_STORE_OK; SNT_STORE_ERR_DONE at the end;
 * SNT_STORE_ERR_CORRUPT when a stored value does not parse; or an SQLite
 * failure.  After an error other than _DONE the iterator must only be freed.
 */
enum snt_store_err snt_store_events_next(struct snt_store_event_iter *it,
					 struct snt_event *ev) SNT_WUR;

/* snt_store_events_free() - NULL does nothing. */
void snt_store_events_free(struct snt_store_event_iter *it);

/*
 * snt_store_event_last() - the last event of @kind (by time, then id, as
 * snt_store_events_new() gives them) into @ev: e.g. the rules event that
 * names the rule set last in force.  @ev is untouched unless one is found.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_DONE when the log has none (not a
 * failure); SNT_STORE_ERR_INVAL for a NULL argument or a kind out of range;
 * or a failure of snt_store_events_new() or snt_store_events_next().
 */
enum snt_store_err snt_store_event_last(struct snt_store *st, enum snt_event_kind kind,
					struct snt_event *ev) SNT_WUR;

/* snt_event_kind_name() - "exit", "fire-alarm", "fire-clear", "device-fault", "rules", "sync"; NULL if out of range. */
const char *snt_event_kind_name(enum snt_event_kind k);

enum snt_alert_kind {
	SNT_ALERT_FEVER = 0,		/* an entry with reason fever (trigger) */
	SNT_ALERT_REFERRAL,		/* an entry decided refer (trigger) */
	SNT_ALERT_CONTRADICTION,	/* the platform's verdict contradicts the colour read */
	SNT_ALERT_DEVICE_FAULT,		/* from a device-fault event (trigger) */
	SNT_ALERT_KIND_COUNT
};

#define SNT_STAFF_REF_LEN 33	/* staff reference: 1-32 characters of [A-Za-z0-9-] + NUL */

struct snt_alert {
	int64_t id;
	int64_t created_utc_ms;
	enum snt_alert_kind kind;
	int64_t seq;				/* the entry it is about; 0 = none */
	int64_t event_id;			/* the event it is about; 0 = none */
	char detail[SNT_EVENT_DETAIL_LEN];	/* short text, no personal data */
	int64_t ack_utc_ms;			/* 0 = not acknowledged */
	char ack_by[SNT_STAFF_REF_LEN];		/* staff reference; "" until acknowledged */
};

/*
 * snt_store_alert_add() - raise an alert of @kind about entry @seq (0 =
 * none) with @detail ("" or short text, no personal data) at @now_utc_ms;
 * *id receives its id (may be NULL).  Fevers, referrals and device faults
 * are raised by the store itself; this is for contradictions.
 */
enum snt_store_err snt_store_alert_add(struct snt_store *st, enum snt_alert_kind kind, int64_t seq,
				       const char *detail, int64_t now_utc_ms, int64_t *id) SNT_WUR;

/*
 * snt_store_alert_ack() - staff @staff_ref acknowledge alert @id at
 * @now_utc_ms (once; a trigger refuses a second acknowledgement or any
 * other change).
 * Return: SNT_STORE_OK; SNT_STORE_ERR_DONE when there is no alert @id;
 * SNT_STORE_ERR_EXISTS when it was acknowledged already; SNT_STORE_ERR_INVAL
 * for a staff reference not of 1-32 [A-Za-z0-9-]; others as append.
 */
enum snt_store_err snt_store_alert_ack(struct snt_store *st, int64_t id, const char *staff_ref,
				       int64_t now_utc_ms) SNT_WUR;

struct snt_store_alert_iter;

/*
 * snt_store_alerts_new() - iterate alerts newest first (by id); only the
 * unacknowledged ones when @unacked_only.  Free with
 * snt_store_alerts_free().
 */
enum snt_store_err snt_store_alerts_new(struct snt_store *st, bool unacked_only,
					struct snt_store_alert_iter **out) SNT_WUR;
/* snt_store_alerts_next() - next alert; SNT_STORE_ERR_DONE at the end. */
enum snt_store_err snt_store_alerts_next(struct snt_store_alert_iter *it, struct snt_alert *a) SNT_WUR;
/* snt_store_alerts_free() - NULL does nothing. */
void snt_store_alerts_free(struct snt_store_alert_iter *it);

/* snt_alert_kind_name() - "fever", "referral", "contradiction", "device-fault"; NULL if out of range. */
const char *snt_alert_kind_name(enum snt_alert_kind k);

/*
 * snt_store_verdict_add() - record the issuing platform's verdict on entry
 * @seq's health code (colour green/yellow/red as the platform says,
 * @platform its name, 1-32 of [a-z0-9-]); once per seq: the same verdict
 * again succeeds and changes nothing, another is SNT_STORE_ERR_EXISTS.
 * When @colour differs from the entry's colour a contradiction alert is
 * raised in the same transaction (*contradiction set true).
 * Return: SNT_STORE_OK; SNT_STORE_ERR_DONE if entry @seq is not in the log;
 * SNT_STORE_ERR_EXISTS; SNT_STORE_ERR_INVAL; others as append.
 */
enum snt_store_err snt_store_verdict_add(struct snt_store *st, int64_t seq, enum snt_colour colour,
					 const char *platform, int64_t now_utc_ms,
					 bool *contradiction) SNT_WUR;

/*
 * snt_store_verdict_get() - the verdict recorded for @seq.
 * Return: SNT_STORE_OK and *colour; SNT_STORE_ERR_DONE when none.
 */
enum snt_store_err snt_store_verdict_get(struct snt_store *st, int64_t seq,
					 enum snt_colour *colour) SNT_WUR;

/* snt_store_strerror() - static English text for @err; never NULL. */
const char *snt_store_strerror(enum snt_store_err err);

/*
 * snt_store_errmsg() - SQLite's (or the store's) message for the last
 * failure on @st, for the operator: it names no entry content; "" when none
 * or @st is NULL.  Valid until the next call on @st.
 */
const char *snt_store_errmsg(const struct snt_store *st);

#endif /* SNT_STORE_H */
