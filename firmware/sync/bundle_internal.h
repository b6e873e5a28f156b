/* SPDX-License-Identifier: MIT */
/*
 * Internal interface between the bundle files of the sync module
 * (bundle.c, bundle_write.c, bundle_read.c): diagnostics, the rules the
 * writer and the reader both apply, and the entry array's shape.  Not for
 * use outside firmware/sync/.
 */
#ifndef SNT_BUNDLE_INTERNAL_H
#define SNT_BUNDLE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "sign/sign.h"
#include "sync/bundle.h"

/* Columns of one entry array in a bundle (bundle.h, "entries"); the first 18 in older bundles. */
#define BUNDLE_ENTRY_COLUMNS 19
#define BUNDLE_ENTRY_COLUMNS_V1 18
/* Longest reasons text of one entry, NUL included. */
#define BUNDLE_REASONS_MAX 512

/* 32 zero bytes: the prev_hash of entry seq 1. */
extern const uint8_t bundle__zero_hash[SNT_HASH_LEN];

/* bundle__diag_clear() - zero @d; NULL does nothing. */
void bundle__diag_clear(struct snt_bundle_diag *d);

/*
 * bundle__fail() - fill @d (when not NULL) with @field, @seq and the
 * printf-style message, and return @err.
 */
enum snt_bundle_err bundle__fail(struct snt_bundle_diag *d, enum snt_bundle_err err, const char *field, int64_t seq,
				 const char *fmt, ...) SNT_PRINTF(5, 6);

/* bundle__fail_field() - SNT_BUNDLE_ERR_FIELD with 'field "@field": @what'. */
enum snt_bundle_err bundle__fail_field(struct snt_bundle_diag *d, const char *field, const char *what);

/* bundle__fail_sign() - @err with "@stage: <sign error>" and d->sign = @se. */
enum snt_bundle_err bundle__fail_sign(struct snt_bundle_diag *d, enum snt_bundle_err err, enum snt_sign_err se,
				      const char *stage);

/* bundle__platform_valid() - a platform name: 1 to SNT_PLATFORM_LEN - 1 of [a-z0-9-]. */
bool bundle__platform_valid(const char *p);

/*
 * bundle__check() - the manifest @m against the entries @e[0..@n), in the
 * order the decoder reports: count, first/last, then per entry order (a gap
 * in a regular bundle included), chain and hash; then prev and head.
 * Return: SNT_BUNDLE_OK or the first violation's error, described in @d.
 */
enum snt_bundle_err bundle__check(const struct snt_bundle_manifest *m, const struct snt_entry *e, size_t n,
				  struct snt_bundle_diag *d);

#endif /* SNT_BUNDLE_INTERNAL_H */
