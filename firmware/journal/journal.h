/* SPDX-License-Identifier: MIT */
/*
 * journal: the small fallback journal of entries that could not go into the
 * log.  When the log database cannot be written (disk full, read-only
 * filesystem, I/O error) the door stays locked for unattended entry; only a
 * staff override still opens it, and that override is recorded here first,
 * durably, before the door opens.  It counts as the entry: its sequence
 * number is the one the log will give it, and it is merged into the log, in
 * order, when the log can be written again.
 *
 * File format (one record per line, append-only, fdatasync'd per record):
 *   <crc32 of the JSON text, 8 lower-case hex digits> ' ' <JSON object> '\n'
 * The CRC is zlib's crc32() (ISO-HDLC / IEEE 802.3 polynomial).  The JSON
 * object carries every field of struct snt_entry except the hashes (which
 * the log computes on merge): seq, boot_id, mono_ms, time_utc_ms, clock,
 * kind, format, colour, verified, temp_dc (or null), decision, reasons
 * (comma-separated names), door, subject (or null), payload_hex (or null),
 * detail (the detail record as a JSON string, or null; absent in records
 * written before schema 3), then payload_sha256_hex (64 lower-case hex
 * digits) only when the entry has a payload hash (absent in records
 * written before schema 5), then birth_year (an integer) only when the
 * entry keeps one (an age rule; absent in records written before schema 8).  A payload the log keeps only as its SHA-256
 * (snt_code_format_keep()) is written as that hash, never as itself.
 * A last line without its newline or with a bad CRC is a record torn by a
 * power cut: it was never acknowledged (the door opens only after the
 * fdatasync), so it is dropped when the journal is opened.
 */
#ifndef SNT_JOURNAL_H
#define SNT_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "store/store.h"

/* Most records the journal holds: beyond that, overrides are refused too. */
#define SNT_JOURNAL_MAX_RECORDS 1000

enum snt_journal_err {
	SNT_JOURNAL_OK = 0,
	SNT_JOURNAL_ERR_INVAL,	/* NULL argument, or an entry without a sequence number */
	SNT_JOURNAL_ERR_IO,	/* open/read/write/fsync failed; errno is kept (snt_journal_errno) */
	SNT_JOURNAL_ERR_CORRUPT,/* a record before the last one does not parse or fails its CRC */
	SNT_JOURNAL_ERR_FULL,	/* SNT_JOURNAL_MAX_RECORDS pending already */
	SNT_JOURNAL_ERR_ORDER,	/* a record's seq does not follow the log's (merge) or the previous record */
	SNT_JOURNAL_ERR_STORE,	/* the log refused a record during a merge (see the store error) */
	SNT_JOURNAL_ERR_NOMEM,
	SNT_JOURNAL_ERR_NOTREG,	/* the path is a symbolic link or not a regular file: refused */
};

struct snt_journal;

/*
 * snt_journal_open() - open (creating, mode 0600) the journal at @path and
 * read its records, never through a symbolic link and only a regular file
 * (snt_open_companion()).  A torn last record is cut off the file (and
 * fsync'd).
 * @out: receives the journal; close with snt_journal_close().
 * Return: SNT_JOURNAL_OK; SNT_JOURNAL_ERR_INVAL; SNT_JOURNAL_ERR_IO when the
 * file cannot be opened or read; SNT_JOURNAL_ERR_CORRUPT when a record other
 * than the last is damaged (the file is left as it is, for an engineer);
 * after SNT_JOURNAL_ERR_IO errno holds the cause (*out is NULL, so
 * snt_journal_errno() has no journal to ask);
 * SNT_JOURNAL_ERR_NOTREG when @path is a symbolic link, a FIFO, a device
 * or a directory (nothing read or written); SNT_JOURNAL_ERR_NOMEM.
 */
enum snt_journal_err snt_journal_open(const char *path, struct snt_journal **out) SNT_WUR;

/* snt_journal_close() - NULL does nothing. */
void snt_journal_close(struct snt_journal *j);

/* snt_journal_pending() - records not yet merged into the log. */
size_t snt_journal_pending(const struct snt_journal *j);

/*
 * snt_journal_last_seq() - the sequence number of the last pending record,
 * or 0 when none: the next entry, wherever it goes, takes the larger of this
 * and the log's last seq, plus one.
 */
int64_t snt_journal_last_seq(const struct snt_journal *j);

/*
 * snt_journal_append() - append @e durably (write + fdatasync).
 * @e: complete entry with e->seq set by the caller to the next sequence
 *     number (see snt_journal_last_seq()); hashes are ignored; payload is
 *     copied, or its SHA-256 in its place (snt_store_entry_digest()).
 * Return: SNT_JOURNAL_OK once the record is on disk; SNT_JOURNAL_ERR_INVAL;
 * SNT_JOURNAL_ERR_ORDER when e->seq does not follow the last pending record;
 * SNT_JOURNAL_ERR_FULL; SNT_JOURNAL_ERR_IO (the record may be torn on disk:
 * it is not acknowledged and is dropped at the next open).
 */
enum snt_journal_err snt_journal_append(struct snt_journal *j, const struct snt_entry *e) SNT_WUR;

/*
 * snt_journal_merge() - append the pending records to @st in order, then
 * empty the journal (truncate + fsync).  Records whose seq the log already
 * holds with the same boot id, monotonic time and decision (a merge cut short
 * by a power cut) are skipped.
 * @merged: receives how many records were appended (may be NULL).
 * Return: SNT_JOURNAL_OK (also when there was nothing to merge);
 * SNT_JOURNAL_ERR_ORDER when the log's next seq is not the first record's
 * (or a held seq differs); SNT_JOURNAL_ERR_STORE when the log refused an
 * append (the records not merged stay pending; *@store_err says why);
 * SNT_JOURNAL_ERR_IO when the journal could not be emptied (the records are
 * all in the log; the next merge skips them).
 */
enum snt_journal_err snt_journal_merge(struct snt_journal *j, struct snt_store *st, size_t *merged,
				       enum snt_store_err *store_err) SNT_WUR;

/* snt_journal_errno() - errno of the last SNT_JOURNAL_ERR_IO, else 0. */
int snt_journal_errno(const struct snt_journal *j);

/* snt_journal_strerror() - static English text; never NULL. */
const char *snt_journal_strerror(enum snt_journal_err err);

#endif /* SNT_JOURNAL_H */
