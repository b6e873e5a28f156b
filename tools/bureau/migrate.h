/* SPDX-License-Identifier: MIT */
/*
 * Copy a whole bureau database into another (either backend to either,
 * e.g. the SQLite file into PostgreSQL), then check the copy.
 *
 * Per device: its registration (key, kid, registration time); its regular
 * entries, merged in runs of at most SNT_BUNDLE_MAX_ENTRIES contiguous
 * entries received together (bureau_db_merge(): the chain checks of any
 * bundle, each run at its original receipt time, so entries keep their
 * receipt times and the device its last contact); its priority copies
 * likewise; its platform verdicts at their times (which raises the same
 * contradiction alerts again); its sealed personal records (each read back
 * equal); then its first seal key, home and revocation.  The journal of accepted bundles of the copy
 * holds one row per run, source "migrate".  Merging is idempotent: an
 * interrupted migration is run again.
 * Then the check: per device the counts of entries, copies and verdicts,
 * home and revocation,
 * the acknowledgement seq and hash, the gaps, and every entry of both,
 * in order, byte for byte, each entry's chain hash recomputed
 * (snt_store_entry_hash()) and linked to the one before; the total of
 * alerts; then the audit of personal records, row by row in order (an
 * interrupted run appends the rows the copy lacks).
 */
#ifndef SNT_BUREAU_MIGRATE_H
#define SNT_BUREAU_MIGRATE_H

#include <stddef.h>
#include <stdint.h>

#include "tools/bureau/bureau.h"

struct bureau_migrate_device {
	const char *device;
	int64_t entries, copies, verdicts;	/* copied (held in the copy afterwards) */
	int64_t hashes;				/* chain hashes recomputed and matched */
	int64_t records;			/* sealed personal records held in the copy */
};

/* Called after each device is copied and checked. */
typedef void (*bureau_migrate_cb)(void *arg, const struct bureau_migrate_device *d);

struct bureau_migrate_report {
	size_t devices;
	int64_t entries, copies, verdicts, alerts, hashes;
	int64_t records, audit;			/* personal records, audit rows */
};

/*
 * bureau_migrate() - copy everything of @from into @to (both open, may be
 * different backends), then check it (above).
 * Return: BUREAU_OK; BUREAU_ERR_EXISTS when @to holds a device with
 * another key; BUREAU_ERR_REJECT when the check finds a difference (@why
 * names device, seq and what differs); BUREAU_ERR_DB, _NOMEM.
 */
enum bureau_err bureau_migrate(struct bureau_db *from, struct bureau_db *to, bureau_migrate_cb cb, void *arg,
			       struct bureau_migrate_report *r, char *why, size_t n) SNT_WUR;

#endif /* SNT_BUREAU_MIGRATE_H */
