/* SPDX-License-Identifier: MIT */
/*
 * Internal interface between the bundle files of the sync module
 * (bundle.c, bundle_write.c, bundle_read.c, bundle_decode.c): diagnostics, the rules the
 * writer and the reader both apply, and the entry array's shape.  Not for
 * use outside firmware/sync/.
 */
#ifndef SNT_BUNDLE_INTERNAL_H
#define SNT_BUNDLE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "sign/sign.h"
#include "sync/bundle.h"

/*
 * Columns of one entry array in a bundle (bundle.h, "entries"): 19, 20 with
 * a birth year; the first 18 in older bundles.
 */
#define BUNDLE_ENTRY_COLUMNS 19
#define BUNDLE_ENTRY_COLUMNS_BIRTH 20
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
 * order the decoder reports: count (1 to @max entries), first/last, then per
 * entry order (a gap in a regular bundle included), chain and hash; then
 * prev and head.  The three steps below, for a whole array.
 * Return: SNT_BUNDLE_OK or the first violation's error, described in @d.
 */
enum snt_bundle_err bundle__check(const struct snt_bundle_manifest *m, const struct snt_entry *e, size_t n,
				  size_t max, struct snt_bundle_diag *d);

/*
 * bundle__check_span() - @m's count against @n entries (1 to @max) and
 * its first/last range; @first and @last, when not NULL, must be entries
 * first and last.  Return: SNT_BUNDLE_OK, _COUNT or _MANIFEST.
 */
enum snt_bundle_err bundle__check_span(const struct snt_bundle_manifest *m, size_t n, size_t max,
				       const struct snt_entry *first, const struct snt_entry *last,
				       struct snt_bundle_diag *d);

/*
 * bundle__check_entry() - entry @e (index @i) after @prev (NULL for the
 * bundle's first): order, chain (regular bundles), hash.
 * Return: SNT_BUNDLE_OK, _ORDER, _CHAIN, _HASH, _FIELD or _NOMEM.
 */
enum snt_bundle_err bundle__check_entry(const struct snt_bundle_manifest *m, const struct snt_entry *prev,
					const struct snt_entry *e, size_t i, struct snt_bundle_diag *d);

/* bundle__check_ends() - the regular count rule, prev against @first, head against @last. */
enum snt_bundle_err bundle__check_ends(const struct snt_bundle_manifest *m, const struct snt_entry *first,
				       const struct snt_entry *last, struct snt_bundle_diag *d);

/* Deepest nesting of items in a payload (bundle__count_items()). */
#define BUNDLE_PAYLOAD_MAX_DEPTH 8

/*
 * bundle__read_head() - the head of the CBOR data item at *@pos of @p (@len
 * bytes; RFC 8949 §3: its major type into *@major, its argument into
 * *@arg, definite forms only); *@pos moves past the head.
 * Return: 0; -1 when the head is cut short or its additional information
 * is 28 to 31.
 */
int bundle__read_head(const uint8_t *p, size_t len, size_t *pos, uint8_t *major, uint64_t *arg);

/*
 * bundle__count_items() - count the items of the CBOR data item at *@pos
 * of @p (@len bytes) without building any (RFC 8949 §3, definite lengths
 * only: our encoders write no other), moving *@pos past it and taking
 * each from *@left, to bound what a decoder would allocate.  @depth: the
 * item's nesting (0 for a payload's top).
 * Return: 0; -1 for more than *@left items, nesting deeper than
 * BUNDLE_PAYLOAD_MAX_DEPTH, an indefinite length, or a declared length or
 * count larger than the bytes remaining.
 */
int bundle__count_items(const uint8_t *p, size_t len, size_t *pos, unsigned int depth, size_t *left);

/*
 * bundle__payload_bounded() - whether @p (@len bytes) is exactly one data
 * item of at most @max_items items (bundle__count_items()).
 * Return: 0; -1 when not.
 */
int bundle__payload_bounded(const uint8_t *p, size_t len, size_t max_items);

/*
 * A verified payload of @len bytes read in pieces (bundle_read.c's file
 * reader): @read copies @n bytes at @off of the payload into @buf, which
 * has BUNDLE_SRC_SLACK bytes of room beyond @n; 0, or -1 when they cannot
 * be read as they were verified.  @release frees @ctx (NULL: nothing).
 */
struct bundle_src {
	int (*read)(void *ctx, size_t off, uint8_t *buf, size_t n);
	void (*release)(void *ctx);
	void *ctx;
	size_t len;
};

#define BUNDLE_SRC_SLACK 16

/*
 * bundle__reader_new_src() - snt_bundle_reader_new() of the payload @src
 * (taken over: released by the reader, also on error), read in windows.
 * Return: as snt_bundle_reader_new(); SNT_BUNDLE_ERR_IO when @src fails.
 */
enum snt_bundle_err bundle__reader_new_src(const struct bundle_src *src, size_t max, size_t batch,
					   struct snt_bundle_reader **out, struct snt_bundle_diag *diag);

/* bundle__reader_set_kid() - record the kid that signed the reader's bundle (bundle_read.c). */
void bundle__reader_set_kid(struct snt_bundle_reader *rd, const uint8_t kid[SNT_SIGN_KID_LEN]);

#endif /* SNT_BUNDLE_INTERNAL_H */
