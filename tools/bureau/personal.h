/* SPDX-License-Identifier: MIT */
/*
 * The sealed personal records at the bureau: kept from the bundles that
 * carry them (bundle.h "records"), opened one at a time with the bureau's
 * private key for a stated reason by a named member of staff (every opening
 * recorded in the append-only audit first), removed by the retention
 * (personal_days after the visit, the purge recorded in the audit), and the
 * chain of every gate's entries checked with the records still held.
 *
 * A record is the card's full text as the gate sealed it (checkin.h: JSON
 * {"v": 1, "device", "time", "name", "sex", "nation", "birth", "address",
 * "number", "authority", "valid_from", "valid_to"}; sign.h snt_seal()).
 * Only the bureau's private key opens it.  Nothing here prints; nothing
 * personal goes into an error message.
 */
#ifndef SNT_BUREAU_PERSONAL_H
#define SNT_BUREAU_PERSONAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "sync/bundle.h"
#include "tools/bureau/bureau.h"

#define BUREAU_PERSONAL_DAYS 28		/* default retention at the bureau, days after the visit */
#define BUREAU_PERSONAL_DAYS_MAX 3650
#define BUREAU_PERSON_FIELD_LEN 256	/* one field of a card's text, UTF-8 + NUL */

/* One opened record: the card's text fields, each "" when absent. */
struct bureau_person {
	char device[BUREAU_DEVICE_LEN];		/* the device the gate named in the record */
	int64_t time_utc_ms;			/* the visit, as the gate sealed it */
	char name[BUREAU_PERSON_FIELD_LEN], sex[BUREAU_PERSON_FIELD_LEN], nation[BUREAU_PERSON_FIELD_LEN];
	char birth[BUREAU_PERSON_FIELD_LEN], address[BUREAU_PERSON_FIELD_LEN], number[BUREAU_PERSON_FIELD_LEN];
	char authority[BUREAU_PERSON_FIELD_LEN], valid_from[BUREAU_PERSON_FIELD_LEN];
	char valid_to[BUREAU_PERSON_FIELD_LEN];
	int64_t audit_id;			/* the audit row of this opening */
};

/*
 * bureau_person_open() - open the record of @device's entry @seq for @staff
 * (a reference of 1-64 bytes of text) because of @reason (1-256 bytes of
 * text), at @now_ms, with the bureau's private key @key: read it, check its
 * SHA-256 against the digest its entry holds, unseal and decode it, and
 * append the opening to the audit (outcome "opened", or "not held" /
 * "unreadable" when it fails; always before anything is returned).
 * @out receives the fields (wipe it with bureau_person_wipe()).
 * Return: BUREAU_OK; BUREAU_ERR_INVAL (NULL, staff or reason empty, too
 * long, or not UTF-8 text); BUREAU_ERR_NOTFOUND (no such device, or no
 * record held for @seq: never received, or purged); BUREAU_ERR_REJECT (the
 * record does not match its entry's digest, does not unseal with @key, or
 * is not a card's text); BUREAU_ERR_DB (also when the audit could not be
 * written: then nothing is opened); BUREAU_ERR_NOMEM.
 */
enum bureau_err bureau_person_open(struct bureau_db *db, EVP_PKEY *key, const char *device, int64_t seq,
				   const char *staff, const char *reason, int64_t now_ms, struct bureau_person *out,
				   char *why, size_t n) SNT_WUR;

/* bureau_person_wipe() - clear @p's fields from memory (explicit_bzero). */
void bureau_person_wipe(struct bureau_person *p);

/*
 * bureau_personal_purge() - the retention: remove the records of visits
 * more than @days (1 to BUREAU_PERSONAL_DAYS_MAX) days before @now_ms, the
 * purge recorded in the audit when any was removed
 * (bureau_db_records_purge()).  Entries stay.  *@removed: how many.
 * Return: BUREAU_OK; BUREAU_ERR_INVAL (@days out of range); BUREAU_ERR_DB.
 */
enum bureau_err bureau_personal_purge(struct bureau_db *db, int days, int64_t now_ms, int64_t *removed, char *why,
				      size_t n) SNT_WUR;

/* What bureau_verify_device() found. */
struct bureau_verify_result {
	int64_t entries;		/* regular entries checked */
	int64_t first, last;		/* their lowest and highest seq (0 when none) */
	int64_t links;			/* entries whose prev_hash matched the hash of the entry before */
	int64_t digests;		/* entries whose detail names a sealed record's digest */
	int64_t records;		/* of which the record is held and matches the digest */
	int64_t purged;			/* not held: removed by a purge the audit records (the visit before its cutoff) */
	int64_t missing;		/* not held, and no purge in the audit removed it */
};

/*
 * bureau_verify_device() - check @device's regular entries in seq order:
 * each entry's hash recomputed (snt_store_entry_hash()), each entry that
 * follows its predecessor linked to it by prev_hash (entry 1's prev_hash
 * zero), and each sealed record still held matching the digest its entry
 * holds.  A record not held is counted as purged when a purge in the audit
 * removed the records of visits before a time after its visit (the chain
 * covers the digest, not the record: no finding), else as missing (lost at
 * the bureau, or never sent: a gate sends only the records it still holds);
 * the caller tells the two apart.
 * Return: BUREAU_OK (@r filled); BUREAU_ERR_REJECT with @why naming the
 * first bad seq (hash, link, or a record that does not match);
 * BUREAU_ERR_NOTFOUND (device); BUREAU_ERR_DB; BUREAU_ERR_NOMEM.
 */
enum bureau_err bureau_verify_device(struct bureau_db *db, const char *device, struct bureau_verify_result *r,
				     char *why, size_t n) SNT_WUR;

#endif /* SNT_BUREAU_PERSONAL_H */
