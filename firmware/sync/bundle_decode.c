// SPDX-License-Identifier: MIT
/*
 * bundle decoder: strict decoding of a bundle's payload (format in
 * bundle.h) as a stream.  The bytes are bounded (bundle__payload_bounded())
 * and checked well-formed (snt_cose_cbor_check(), text strings UTF-8) first;
 * then the payload is read item by item with libcbor's streaming decoder
 * and every field is checked, in the order bundle.h documents.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock/clock.h"
#include "codes/codes.h"
#include "common/common.h"
#include "common/i18n.h"
#include "cose/cose.h"
#include "policy/policy.h"
#include "sync/bundle.h"
#include "sync/bundle_internal.h"

/* SNT_BUNDLE_MAX_SEQ written out, for messages. */
_Static_assert(SNT_BUNDLE_MAX_SEQ == 9007199254740991, "the messages' 9007199254740991 is SNT_BUNDLE_MAX_SEQ");
_Static_assert(SNT_FSS_TAG_LEN == SNT_HASH_LEN, "pull_hash() reads a seal's tag");

void snt_bundle_free(struct snt_bundle *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		free((void *)(uintptr_t)b->entries[i].payload);
	free(b->entries);
	free(b->seals);
	for (size_t i = 0; b->records && i < b->n; i++)
		free((void *)(uintptr_t)b->records[i].sealed);
	free(b->records);
	free(b);
}

/*
 * A bundle's payload is read item by item with libcbor's streaming decoder
 * (cbor_stream_decode(): per call one scalar, one whole definite string or
 * the head of an array or map, reported to the callbacks below, nothing
 * allocated), so decoding builds no tree of items: the entries are decoded
 * one after the other straight from the payload's bytes into the entry
 * array, and what a bundle costs in memory is its bytes and its entries.
 */
enum pull_kind { PULL_OTHER, PULL_UINT, PULL_NEGINT, PULL_BYTES, PULL_TEXT, PULL_ARRAY, PULL_MAP, PULL_NULL };

/*
 * A payload read in pieces (bundle__reader_new_src()) is seen through a
 * window of BUNDLE_WINDOW bytes per cursor, read again from its source
 * wherever the cursor goes beyond it; what a window hands out is valid
 * until the cursor moves on, so the entries' payloads and records are
 * copied into the reader's arena, kept until the next batch.
 */
#define BUNDLE_WINDOW ((size_t)256 << 10)
#define PULL_ITEM_MAX ((size_t)SNT_ENTRY_MAX_PAYLOAD + 4096)	/* a view from the cursor holds any item decoded */
#define ARENA_BLOCK ((size_t)256 << 10)
_Static_assert(PULL_ITEM_MAX < BUNDLE_WINDOW, "a window holds the largest item read");

struct window {
	const struct bundle_src *src;
	uint8_t *buf;		/* BUNDLE_WINDOW + BUNDLE_SRC_SLACK bytes */
	size_t off, len;	/* the payload's bytes [off, off + len) are in @buf */
	bool failed;		/* the source failed: nothing more is read */
};

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	uint8_t data[];
};

struct arena {
	struct arena_block *head, *cur, *tail;
};

struct pull {
	const uint8_t *p;	/* the payload, @len bytes (NULL with a window); the next item at @pos */
	size_t len, pos;
	struct window *w;	/* NULL: the payload is in memory at @p */
	struct arena *a;	/* with a window: where borrowed strings are copied */
	enum pull_kind kind;	/* of the item read last; PULL_OTHER: a float, simple value, tag or indefinite head */
	uint64_t u;		/* PULL_UINT: the value; PULL_NEGINT: -1 - the value; PULL_ARRAY, PULL_MAP: size */
	const uint8_t *data;	/* PULL_BYTES, PULL_TEXT: the string's bytes, borrowed from @p */
	size_t data_len;
};

static void pull_set(void *ctx, enum pull_kind kind, uint64_t u)
{
	struct pull *r = ctx;

	r->kind = kind;
	r->u = u;
}

static void pull_u8(void *ctx, uint8_t v)
{
	pull_set(ctx, PULL_UINT, v);
}

static void pull_u16(void *ctx, uint16_t v)
{
	pull_set(ctx, PULL_UINT, v);
}

static void pull_u32(void *ctx, uint32_t v)
{
	pull_set(ctx, PULL_UINT, v);
}

static void pull_u64(void *ctx, uint64_t v)
{
	pull_set(ctx, PULL_UINT, v);
}

static void pull_n8(void *ctx, uint8_t v)
{
	pull_set(ctx, PULL_NEGINT, v);
}

static void pull_n16(void *ctx, uint16_t v)
{
	pull_set(ctx, PULL_NEGINT, v);
}

static void pull_n32(void *ctx, uint32_t v)
{
	pull_set(ctx, PULL_NEGINT, v);
}

static void pull_n64(void *ctx, uint64_t v)
{
	pull_set(ctx, PULL_NEGINT, v);
}

static void pull_string(struct pull *r, enum pull_kind kind, cbor_data data, size_t len)
{
	r->kind = kind;
	r->data = data;
	r->data_len = len;
}

static void pull_bytes(void *ctx, cbor_data data, size_t len)
{
	pull_string(ctx, PULL_BYTES, data, len);
}

static void pull_text(void *ctx, cbor_data data, size_t len)
{
	pull_string(ctx, PULL_TEXT, data, len);
}

static void pull_array(void *ctx, size_t n)
{
	pull_set(ctx, PULL_ARRAY, n);
}

static void pull_map(void *ctx, size_t n)
{
	pull_set(ctx, PULL_MAP, n);
}

static void pull_null(void *ctx)
{
	pull_set(ctx, PULL_NULL, 0);
}

/* Anything else is of no type a bundle's field takes: left PULL_OTHER. */
static void pull_other(void *ctx)
{
	pull_set(ctx, PULL_OTHER, 0);
}

static void pull_other_tag(void *ctx, uint64_t v)
{
	(void)v;
	pull_other(ctx);
}

static void pull_other_float(void *ctx, float v)
{
	(void)v;
	pull_other(ctx);
}

static void pull_other_double(void *ctx, double v)
{
	(void)v;
	pull_other(ctx);
}

static void pull_other_bool(void *ctx, bool v)
{
	(void)v;
	pull_other(ctx);
}

static const struct cbor_callbacks pull_callbacks = {
	.uint8 = pull_u8,
	.uint16 = pull_u16,
	.uint32 = pull_u32,
	.uint64 = pull_u64,
	.negint8 = pull_n8,
	.negint16 = pull_n16,
	.negint32 = pull_n32,
	.negint64 = pull_n64,
	.byte_string_start = pull_other,
	.byte_string = pull_bytes,
	.string = pull_text,
	.string_start = pull_other,
	.indef_array_start = pull_other,
	.array_start = pull_array,
	.indef_map_start = pull_other,
	.map_start = pull_map,
	.tag = pull_other_tag,
	.float2 = pull_other_float,
	.float4 = pull_other_float,
	.float8 = pull_other_double,
	.undefined = pull_other,
	.null = pull_null,
	.boolean = pull_other_bool,
	.indef_break = pull_other,
};

/*
 * The payload's bytes from @r's position: *@b, *@avail of them, at least
 * @need (as far as the payload goes) when read in a window (@need at most
 * BUNDLE_WINDOW).  Return 0; -1 when the source failed.
 */
static int pull_view(struct pull *r, size_t need, const uint8_t **b, size_t *avail)
{
	struct window *w = r->w;
	size_t rem = r->len - r->pos;

	if (!w) {
		*b = r->p + r->pos;
		*avail = rem;
		return 0;
	}
	if (need > rem)
		need = rem;
	if (r->pos < w->off || r->pos - w->off > w->len || w->len - (r->pos - w->off) < need) {
		size_t n = rem < BUNDLE_WINDOW ? rem : BUNDLE_WINDOW;

		if (w->failed || w->src->read(w->src->ctx, r->pos, w->buf, n)) {
			w->failed = true;
			return -1;
		}
		w->off = r->pos;
		w->len = n;
	}
	*b = w->buf + (r->pos - w->off);
	*avail = w->len - (r->pos - w->off);
	return 0;
}

/* The string read last, kept until the next batch: borrowed from the payload in memory, else copied. */
static const uint8_t *pull_keep(struct pull *r)
{
	struct arena *a = r->a;
	struct arena_block *k;

	if (!r->w)
		return r->data;
	for (k = a->cur; k && k->cap - k->used < r->data_len; k = k->next)
		;
	if (!k) {
		size_t cap = r->data_len > ARENA_BLOCK ? r->data_len : ARENA_BLOCK;

		k = malloc(sizeof(*k) + cap);
		if (!k)
			return NULL;
		k->next = NULL;
		k->used = 0;
		k->cap = cap;
		if (a->tail)
			a->tail->next = k;
		else
			a->head = k;
		a->tail = k;
	}
	a->cur = k;
	memcpy(k->data + k->used, r->data, r->data_len);
	k->used += r->data_len;
	return k->data + k->used - r->data_len;
}

/* Read the next item into @r.  Return 0; -1 at the end or when libcbor cannot decode it. */
static int pull_next(struct pull *r)
{
	struct cbor_decoder_result res;
	const uint8_t *b;
	size_t avail;

	r->kind = PULL_OTHER;
	if (r->pos >= r->len || pull_view(r, PULL_ITEM_MAX, &b, &avail))
		return -1;
	res = cbor_stream_decode(b, avail, &pull_callbacks, r);
	if (res.status != CBOR_DECODER_FINISHED || res.read == 0)
		return -1;
	r->pos += res.read;
	return 0;
}

/* Read the item at @off of @r's payload. */
static int pull_at(struct pull *r, size_t off)
{
	r->pos = off;
	return pull_next(r);
}

static int pull_uint(const struct pull *r, int64_t *out)
{
	if (r->kind != PULL_UINT || r->u > INT64_MAX)
		return -1;
	*out = (int64_t)r->u;
	return 0;
}

static int pull_int(const struct pull *r, int64_t *out)
{
	if (r->kind == PULL_UINT)
		return pull_uint(r, out);
	if (r->kind != PULL_NEGINT || r->u > INT64_MAX)
		return -1;
	*out = -1 - (int64_t)r->u;
	return 0;
}

/* A text string of less than @size bytes, no NUL (empty only when @allow_empty), into @buf. */
static int pull_str(const struct pull *r, char *buf, size_t size, bool allow_empty)
{
	if (r->kind != PULL_TEXT || r->data_len >= size || (!allow_empty && r->data_len == 0) ||
	    (r->data_len && memchr(r->data, '\0', r->data_len)))
		return -1;
	if (r->data_len)
		memcpy(buf, r->data, r->data_len);
	buf[r->data_len] = '\0';
	return 0;
}

static int pull_name(const struct pull *r, char *buf, size_t size)
{
	return pull_str(r, buf, size, false);
}

static bool pull_text_is(const struct pull *r, const char *want)
{
	return r->kind == PULL_TEXT && r->data_len == strlen(want) && !memcmp(r->data, want, r->data_len);
}

static int pull_hash(const struct pull *r, uint8_t out[SNT_HASH_LEN])
{
	if (r->kind != PULL_BYTES || r->data_len != SNT_HASH_LEN)
		return -1;
	memcpy(out, r->data, SNT_HASH_LEN);
	return 0;
}


/*
 * Whether every text string of the item at *@pos is UTF-8 (RFC 3629), as
 * libcbor's cbor_load() demands of a well-formed payload.  Definite lengths
 * within the bytes only (bundle__payload_bounded()).
 */
static int texts_valid(const uint8_t *p, size_t len, size_t *pos, unsigned int depth)
{
	uint8_t major;
	uint64_t arg;

	if (depth > BUNDLE_PAYLOAD_MAX_DEPTH || bundle__read_head(p, len, pos, &major, &arg))
		return -1;
	switch (major) {
	case 2:
	case 3:
		if (arg > len - *pos)
			return -1;
		for (size_t i = 0; major == 3 && i < arg;) {
			uint32_t cp;
			int k = p[*pos + i] < 0x80 ? 1 : snt_utf8_decode(p + *pos + i, (size_t)arg - i, &cp);

			if (k == 0)
				return -1;
			i += (size_t)k;
		}
		*pos += (size_t)arg;
		return 0;
	case 4:
	case 5:
		if (arg > len - *pos)
			return -1;
		for (uint64_t i = 0; i < (major == 5 ? arg * 2 : arg); i++)
			if (texts_valid(p, len, pos, depth + 1))
				return -1;
		return 0;
	case 6:
		return texts_valid(p, len, pos, depth + 1);
	default:
		return 0;
	}
}

/*
 * Past the item at @r's position, its items counted from *@left
 * (bundle__count_items()) and, with @check, checked well-formed
 * (snt_cose_cbor_check(), texts UTF-8), as the whole payload in memory is
 * checked: in a window an item is checked whole when it fits, else (an
 * array or map of many items) its head and then its items one by one.
 * Return: 0; -1 (bounds, as bundle__count_items()); -2 (not well-formed).
 */
static int walk_tree(struct pull *r, unsigned int depth, size_t *left, bool check)
{
	const uint8_t *b;
	size_t avail, rel = 0, q = 0, saved = *left;
	uint8_t major;
	uint64_t arg, n;
	int rc;

	if (r->pos >= r->len || pull_view(r, PULL_ITEM_MAX, &b, &avail))
		return -1;
	rc = bundle__count_items(b, avail, &rel, depth, left);
	if (rc && r->w && avail < r->len - r->pos && avail < BUNDLE_WINDOW) {
		/* Perhaps only cut by the window's end: again from a window that starts here. */
		*left = saved;
		rel = 0;
		if (pull_view(r, BUNDLE_WINDOW, &b, &avail))
			return -1;
		rc = bundle__count_items(b, avail, &rel, depth, left);
	}
	if (!rc) {
		if (check && (snt_cose_cbor_check(b, rel) || texts_valid(b, rel, &q, depth)))
			return -2;
		r->pos += rel;
		return 0;
	}
	*left = saved;
	if (!r->w || avail == r->len - r->pos)
		return -1;
	/* Longer than a window: an array or map's head, then its items. */
	rel = 0;
	if (depth > BUNDLE_PAYLOAD_MAX_DEPTH || *left == 0 || (b[0] & 0x1f) > 27 ||
	    bundle__read_head(b, avail, &rel, &major, &arg) || (major != 4 && major != 5))
		return -1;
	(*left)--;
	r->pos += rel;
	if (arg > r->len - r->pos || (major == 5 && arg > (r->len - r->pos) / 2))
		return -1;
	n = major == 5 ? arg * 2 : arg;
	if (n > *left)
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		rc = walk_tree(r, depth + 1, left, check);
		if (rc)
			return rc;
	}
	return 0;
}

/* Skip the item at @r's position (its lengths bounded by payload_bounded()). */
static int pull_skip(struct pull *r)
{
	size_t left = SIZE_MAX;

	return walk_tree(r, 0, &left, false);
}

/* The entry array at @r's position; @idx for field names.  The payload is borrowed from @r's bytes. */
static enum snt_bundle_err decode_entry(struct pull *r, size_t idx, struct snt_entry *e, struct snt_bundle_diag *d)
{
	static const char *const cols[BUNDLE_ENTRY_COLUMNS_BIRTH] = {
		"seq", "boot_id", "mono_ms", "time_utc_ms", "clock", "kind", "format", "colour", "verified",
		"temp_dc", "decision", "reasons", "door", "subject", "payload", "detail", "prev_hash", "hash",
		"payload_hash", "birth_year",
	};
	char name[SNT_BUNDLE_FIELD_LEN], reasons[BUNDLE_REASONS_MAX], s[32];
	uint64_t ncols;
	int64_t v;
	int col = 0;

	memset(e, 0, sizeof(*e));
	if (pull_next(r) || r->kind != PULL_ARRAY ||
	    (r->u != BUNDLE_ENTRY_COLUMNS && r->u != BUNDLE_ENTRY_COLUMNS_BIRTH && r->u != BUNDLE_ENTRY_COLUMNS_V1)) {
		snprintf(name, sizeof(name), "entries[%zu]", idx);
		return bundle__fail_field(d, name, _("not an array of 19 (or 20, or 18) columns"));
	}
	ncols = r->u;
	if (pull_next(r) || pull_uint(r, &e->seq) || e->seq < 1 || e->seq > SNT_BUNDLE_MAX_SEQ)
		goto bad;
	col = 1;
	if (pull_next(r) || pull_str(r, e->boot_id, sizeof(e->boot_id), true))
		goto bad;
	col = 2;
	if (pull_next(r) || pull_int(r, &e->mono_ms))
		goto bad;
	col = 3;
	if (pull_next(r) || pull_int(r, &e->time_utc_ms))
		goto bad;
	col = 4;
	if (pull_next(r) || pull_name(r, s, sizeof(s)) || snt_clock_state_from_name(s, &e->clock))
		goto bad;
	col = 5;
	if (pull_next(r) || pull_name(r, s, sizeof(s)) || snt_person_kind_from_name(s, &e->kind))
		goto bad;
	col = 6;
	if (pull_next(r) || pull_name(r, s, sizeof(s)) || snt_code_format_from_name(s, &e->format))
		goto bad;
	col = 7;
	if (pull_next(r) || pull_name(r, s, sizeof(s)) || snt_colour_from_name(s, &e->colour))
		goto bad;
	col = 8;
	if (pull_next(r) || pull_name(r, s, sizeof(s)) || snt_verified_from_name(s, &e->verified))
		goto bad;
	col = 9;
	if (pull_next(r))
		goto bad;
	if (r->kind != PULL_NULL) {
		/* Any int the store can hold: the encoder sends what the log has. */
		if (pull_int(r, &v) || v < INT_MIN || v > INT_MAX)
			goto bad;
		e->has_temp = true;
		e->temp_dc = (int)v;
	}
	col = 10;
	if (pull_next(r) || pull_name(r, s, sizeof(s)) || snt_decision_from_name(s, &e->decision))
		goto bad;
	col = 11;
	if (pull_next(r) || pull_str(r, reasons, sizeof(reasons), true))
		goto bad;
	if (reasons[0]) {
		char check[BUNDLE_REASONS_MAX];

		if (snt_reasons_parse(reasons, &e->reasons) || e->reasons == 0 ||
		    snt_reasons_format(e->reasons, ",", check, sizeof(check)) < 0 || strcmp(check, reasons))
			goto bad;
	}
	col = 12;
	if (pull_next(r) || pull_name(r, s, sizeof(s)) || snt_door_from_name(s, &e->door))
		goto bad;
	col = 13;
	if (pull_next(r) || (r->kind != PULL_NULL && pull_str(r, e->subject, sizeof(e->subject), false)))
		goto bad;
	col = 14;
	if (pull_next(r))
		goto bad;
	if (r->kind != PULL_NULL) {
		if (r->kind != PULL_BYTES || r->data_len == 0 || r->data_len > SNT_ENTRY_MAX_PAYLOAD)
			goto bad;
		e->payload = pull_keep(r);
		if (!e->payload)
			return bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, 0, _("out of memory"));
		e->payload_len = r->data_len;
	}
	col = 15;
	if (pull_next(r) || (r->kind != PULL_NULL && pull_str(r, e->detail, sizeof(e->detail), false)))
		goto bad;
	col = 16;
	if (pull_next(r) || pull_hash(r, e->prev_hash))
		goto bad;
	col = 17;
	if (pull_next(r) || pull_hash(r, e->hash))
		goto bad;
	/* Never beside a payload (snt_entry_check()). */
	col = 18;
	if (ncols > 18) {
		if (pull_next(r))
			goto bad;
		if (r->kind != PULL_NULL) {
			if (e->payload_len || pull_hash(r, e->payload_hash))
				goto bad;
			e->has_payload_hash = true;
		}
	}
	/* The birth year, only in an entry that keeps one (never a null: 19 columns then). */
	col = 19;
	if (ncols > 19) {
		if (pull_next(r) || pull_int(r, &v) || v < SNT_ENTRY_BIRTH_YEAR_MIN || v > SNT_ENTRY_BIRTH_YEAR_MAX)
			goto bad;
		e->birth_year = (int32_t)v;
	}
	return SNT_BUNDLE_OK;
bad:
	snprintf(name, sizeof(name), "entries[%zu].%s", idx, cols[col]);
	return bundle__fail(d, SNT_BUNDLE_ERR_FIELD, name, e->seq, _("field \"%s\": wrong type or out of range"), name);
}

/*
 * The seals of entries @e[0..@n) from "seals" at @r's position (one seal or
 * null per entry, bundle.h), into @s.
 */
static enum snt_bundle_err decode_seals(struct pull *r, const struct snt_entry *e, size_t n,
					struct snt_bundle_seal *s, struct snt_bundle_diag *d)
{
	for (size_t i = 0; i < n; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		if (pull_next(r))
			goto bad;
		if (r->kind == PULL_NULL)
			continue;
		if (r->kind != PULL_ARRAY || r->u != 2 || pull_next(r) || pull_uint(r, &s[i].epoch) ||
		    s[i].epoch > SNT_FSS_EPOCH_MAX || pull_next(r) || pull_hash(r, s[i].tag))
			goto bad;
		s[i].present = true;
		continue;
bad:
		return bundle__fail(d, SNT_BUNDLE_ERR_FIELD, "seals", e[i].seq,
				    _("entry seq %" PRId64 ": seal not [epoch, 32-byte tag] or null"), e[i].seq);
	}
	return SNT_BUNDLE_OK;
}

/*
 * The sealed personal records of entries @e[0..@n) from "records" at @r's
 * position (one record or null per entry, each of its size and matching the
 * digest its entry holds, bundle.h), into @rec, borrowed from @r's bytes.
 */
static enum snt_bundle_err decode_records(struct pull *r, const struct snt_entry *e, size_t n,
					  struct snt_bundle_record *rec, struct snt_bundle_diag *d)
{
	for (size_t i = 0; i < n; i++) {
		memset(&rec[i], 0, sizeof(rec[i]));
		if (pull_next(r))
			goto bad;
		if (r->kind == PULL_NULL)
			continue;
		if (r->kind != PULL_BYTES || r->data_len < SNT_STORE_PERSONAL_MIN ||
		    r->data_len > SNT_STORE_PERSONAL_MAX || !snt_bundle_record_matches(&e[i], r->data, r->data_len))
			goto bad;
		rec[i].sealed = pull_keep(r);
		if (!rec[i].sealed)
			return bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, 0, _("out of memory"));
		rec[i].len = r->data_len;
		continue;
bad:
		return bundle__fail(d, SNT_BUNDLE_ERR_FIELD, "records", e[i].seq,
				    _("entry seq %" PRId64 ": personal record not of its size or digest"), e[i].seq);
	}
	return SNT_BUNDLE_OK;
}

enum {
	K_TYPE, K_V, K_DEVICE, K_KIND, K_FIRST, K_LAST, K_COUNT, K_PREV, K_HEAD, K_CREATED, K_ENTRIES, K_SEALS,
	K_RECORDS, K_ALL
};

/*
 * The bundle map's keys: exactly "type", "v", "device" ... "entries" and
 * the optional "seals" and "records", in this order, "type" and "v"
 * checked before the others; the offsets of the values into @val, by key
 * (val[K_SEALS] and val[K_RECORDS] 0 when absent).
 */
static enum snt_bundle_err bundle_keys(struct pull *r, size_t val[K_ALL], size_t *nkeys, struct snt_bundle_diag *d)
{
	const char *keys[K_ALL] = { "type", "v", "device", "kind", "first", "last", "count", "prev",
				    "head", "created", "entries", NULL, NULL };
	size_t key[K_ALL + 1], pos[K_ALL + 1], got, nf = K_SEALS;
	char name[SNT_BUNDLE_FIELD_LEN];

	if (pull_at(r, 0) || r->kind != PULL_MAP)
		return bundle__fail(d, SNT_BUNDLE_ERR_CBOR, NULL, 0, _("payload is not a CBOR map"));
	got = (size_t)r->u;
	for (size_t i = 0; i < got && i < K_ALL + 1; i++) {
		key[i] = r->pos;
		if (pull_skip(r))
			return bundle__fail(d, SNT_BUNDLE_ERR_CBOR, NULL, 0, _("payload is not well-formed CBOR"));
		pos[i] = r->pos;
		if (pull_skip(r))
			return bundle__fail(d, SNT_BUNDLE_ERR_CBOR, NULL, 0, _("payload is not well-formed CBOR"));
	}
	for (size_t i = 0; i < K_ALL; i++)
		val[i] = i < K_SEALS && i < got ? pos[i] : 0;
	/* "seals" and "records" are optional, in this order, and last. */
	if (got > nf && !pull_at(r, key[nf]) && pull_text_is(r, "seals")) {
		keys[nf] = "seals";
		val[K_SEALS] = pos[nf++];
	}
	if (got > nf && !pull_at(r, key[nf]) && pull_text_is(r, "records")) {
		keys[nf] = "records";
		val[K_RECORDS] = pos[nf++];
	}
	for (size_t i = 0; i < nf; i++) {
		if (i >= got || pull_at(r, key[i]) || !pull_text_is(r, keys[i])) {
			if (i == K_TYPE)
				return bundle__fail(d, SNT_BUNDLE_ERR_TYPE, "type", 0,
						    _("no \"type\" first in the map"));
			if (i == K_V)
				return bundle__fail(d, SNT_BUNDLE_ERR_VERSION, "v", 0, _("no \"v\" second in the map"));
			return bundle__fail_field(d, keys[i], _("missing or out of order"));
		}
		/* The type and version decide before the rest of the keys. */
		if (i == K_TYPE && (pull_at(r, val[i]) || !pull_text_is(r, "bundle")))
			return bundle__fail(d, SNT_BUNDLE_ERR_TYPE, "type", 0, _("\"type\" is not \"bundle\""));
		if (i == K_V && (pull_at(r, val[i]) || r->kind != PULL_UINT || r->u != SNT_BUNDLE_VERSION))
			return bundle__fail(d, SNT_BUNDLE_ERR_VERSION, "v", 0, _("\"v\" is not %d"), SNT_BUNDLE_VERSION);
	}
	if (got != nf) {
		if (got > nf && !pull_at(r, key[nf]) && r->kind == PULL_TEXT) {
			size_t kl = r->data_len < sizeof(name) - 1 ? r->data_len : sizeof(name) - 1;

			for (size_t i = 0; i < kl; i++)
				name[i] = r->data[i] >= 0x20 && r->data[i] < 0x7f ? (char)r->data[i] : '?';
			name[kl] = '\0';
			return bundle__fail(d, SNT_BUNDLE_ERR_FIELD, name, 0, _("unknown field \"%s\""), name);
		}
		return bundle__fail(d, SNT_BUNDLE_ERR_FIELD, "", 0, _("map has an unknown field"));
	}
	*nkeys = nf;
	return SNT_BUNDLE_OK;
}

/* A bundle read as a stream (bundle.h, snt_bundle_reader_new()). */
struct snt_bundle_reader {
	struct pull e, s, r;		/* cursors over the payload: the entries, the seals, the records */
	struct snt_bundle_manifest manifest;
	uint8_t kid[SNT_SIGN_KID_LEN];
	bool has_seals, has_records;	/* the bundle carries "seals", "records" */
	bool failed;			/* a batch was refused: nothing more is read */
	size_t n, done, batch;		/* entries in the bundle, returned so far, per batch */
	size_t max;			/* the most entries taken */
	size_t entries_pos;		/* offset of the first entry's array */
	struct snt_entry first, last;	/* the bundle's first entry, the last one returned */
	struct snt_entry *entries;	/* batch entries, seals, records */
	struct snt_bundle_seal *seals;
	struct snt_bundle_record *records;
	struct bundle_src src;		/* read in pieces (bundle__reader_new_src()): the source, */
	struct window win[3];		/* the windows of the cursors e, s and r, */
	struct arena arena;		/* and the copies of a batch's strings */
};

void snt_bundle_reader_free(struct snt_bundle_reader *rd)
{
	if (!rd)
		return;
	free(rd->entries);
	free(rd->seals);
	free(rd->records);
	for (size_t i = 0; i < SNT_ARRAY_SIZE(rd->win); i++)
		free(rd->win[i].buf);
	while (rd->arena.head) {
		struct arena_block *k = rd->arena.head;

		rd->arena.head = k->next;
		free(k);
	}
	if (rd->src.release)
		rd->src.release(rd->src.ctx);
	free(rd);
}

/* Whether a window's source failed: the bundle could not be read again as it was checked. */
static bool reader_io_failed(const struct snt_bundle_reader *rd)
{
	for (size_t i = 0; i < SNT_ARRAY_SIZE(rd->win); i++)
		if (rd->win[i].failed)
			return true;
	return false;
}

static enum snt_bundle_err fail_io(struct snt_bundle_diag *d)
{
	return bundle__fail(d, SNT_BUNDLE_ERR_IO, NULL, 0, _("the file could not be read again as it was verified"));
}

/* A count outside 1 to @max: SNT_BUNDLE_ERR_COUNT with diag.limit @max (callers tell a limit by it). */
static enum snt_bundle_err fail_count_limit(struct snt_bundle_diag *d, uint64_t count, size_t max)
{
	bundle__fail(d, SNT_BUNDLE_ERR_COUNT, "count", 0, _("count %" PRIu64 " not within 1 to %zu"), count, max);
	if (d)
		d->limit = max;
	return SNT_BUNDLE_ERR_COUNT;
}

/*
 * The manifest's fields and the head of "entries", in the order decode
 * reports them, into @rd (its cursor @rd->e left at the first entry).
 */
static enum snt_bundle_err read_manifest(struct pull *r, struct snt_bundle_reader *rd, struct snt_bundle_diag *d)
{
	size_t val[K_ALL], nf = 0;
	struct snt_bundle_manifest *m = &rd->manifest;
	enum snt_bundle_err rc;
	char kind[16];

	rc = bundle_keys(r, val, &nf, d);
	if (rc)
		return rc;
	if (pull_at(r, val[K_DEVICE]) || pull_str(r, m->device, SNT_DEVICE_ID_LEN, false) ||
	    !snt_bundle_device_id_valid(m->device))
		return bundle__fail_field(d, "device",
				    _("not a device id (1-63 of [A-Za-z0-9._-], not starting with '.')"));
	if (pull_at(r, val[K_KIND]) || pull_name(r, kind, sizeof(kind)) || snt_bundle_kind_from_name(kind, &m->kind))
		return bundle__fail_field(d, "kind", _("not \"regular\" or \"priority\""));
	if (pull_at(r, val[K_FIRST]) || pull_uint(r, &m->first) || m->first < 1 || m->first > SNT_BUNDLE_MAX_SEQ)
		return bundle__fail_field(d, "first", _("not an unsigned integer from 1 to 9007199254740991"));
	if (pull_at(r, val[K_LAST]) || pull_uint(r, &m->last) || m->last < m->first || m->last > SNT_BUNDLE_MAX_SEQ)
		return bundle__fail_field(d, "last", _("not an unsigned integer from first to 9007199254740991"));
	if (pull_at(r, val[K_COUNT]) || pull_uint(r, &m->count))
		return bundle__fail_field(d, "count", _("not an unsigned integer"));
	if (m->count < 1 || (uint64_t)m->count > rd->max)
		return fail_count_limit(d, (uint64_t)m->count, rd->max);
	if (pull_at(r, val[K_PREV]) || pull_hash(r, m->prev))
		return bundle__fail_field(d, "prev", _("not a 32-byte string"));
	if (pull_at(r, val[K_HEAD]) || pull_hash(r, m->head))
		return bundle__fail_field(d, "head", _("not a 32-byte string"));
	if (pull_at(r, val[K_CREATED]) || pull_int(r, &m->created_ms))
		return bundle__fail_field(d, "created", _("not an integer"));
	if (pull_at(r, val[K_ENTRIES]) || r->kind != PULL_ARRAY)
		return bundle__fail_field(d, "entries", _("not an array"));
	rd->n = (size_t)r->u;
	if (rd->n != (size_t)m->count)
		return bundle__fail(d, SNT_BUNDLE_ERR_COUNT, "count", 0,
				    P_("count %" PRId64 " but %zu entry", "count %" PRId64 " but %zu entries", rd->n),
				    m->count, rd->n);
	rd->entries_pos = r->pos;
	rd->e.pos = r->pos;
	rd->has_seals = val[K_SEALS] != 0;
	rd->s.pos = val[K_SEALS];
	rd->has_records = val[K_RECORDS] != 0;
	rd->r.pos = val[K_RECORDS];
	return SNT_BUNDLE_OK;
}

/*
 * The manifest's "count", read ahead of any other check from the heads of
 * the map's first seven keys and values in their order ("type" ...
 * "count"), so that a bundle of too many entries is refused naming the
 * limit before its items are counted; 0 when it is not found so.
 */
static uint64_t peek_count(const uint8_t *p, size_t len)
{
	static const char *const keys[] = { "type", "v", "device", "kind", "first", "last", "count" };
	size_t pos = 0;
	uint8_t major;
	uint64_t arg;

	if (bundle__read_head(p, len, &pos, &major, &arg) || major != 5)
		return 0;
	for (size_t i = 0; i < SNT_ARRAY_SIZE(keys); i++) {
		if (bundle__read_head(p, len, &pos, &major, &arg) || major != 3 || arg != strlen(keys[i]) ||
		    arg > len - pos || memcmp(p + pos, keys[i], (size_t)arg))
			return 0;
		pos += (size_t)arg;
		if (bundle__read_head(p, len, &pos, &major, &arg))
			return 0;
		if (i == SNT_ARRAY_SIZE(keys) - 1)
			return major == 0 && arg <= INT64_MAX ? arg : 0;	/* beyond: the field's own refusal */
		if (major == 2 || major == 3) {
			if (arg > len - pos)
				return 0;
			pos += (size_t)arg;
		} else if (major != 0 && major != 1) {
			return 0;
		}
	}
	return 0;
}

static enum snt_bundle_err refused_early(size_t max, struct snt_bundle_diag *diag)
{
	return bundle__fail(diag, SNT_BUNDLE_ERR_CBOR, NULL, 0,
			    P_("payload refused before decoding (more than %zu item, nested deeper than %d, "
			       "an indefinite length, or a length beyond its bytes)",
			       "payload refused before decoding (more than %zu items, nested deeper than %d, "
			       "an indefinite length, or a length beyond its bytes)", SNT_BUNDLE_ITEMS(max)),
			    SNT_BUNDLE_ITEMS(max), BUNDLE_PAYLOAD_MAX_DEPTH);
}

static enum snt_bundle_err reader_start(struct snt_bundle_reader *rd, struct pull *r, size_t batch,
					struct snt_bundle_diag *diag);

enum snt_bundle_err snt_bundle_reader_new(const uint8_t *cbor, size_t len, size_t max, size_t batch,
					  struct snt_bundle_reader **out, struct snt_bundle_diag *diag)
{
	struct pull r = { .p = cbor, .len = len };
	struct snt_bundle_reader *rd;
	enum snt_bundle_err rc;
	size_t pos = 0;

	bundle__diag_clear(diag);
	if (!cbor || !out || max < 1 || max > SNT_BUNDLE_MAX_ACCEPT || batch < 1)
		return SNT_BUNDLE_ERR_INVAL;
	*out = NULL;
	if (peek_count(cbor, len) > max)
		return fail_count_limit(diag, peek_count(cbor, len), max);
	if (bundle__payload_bounded(cbor, len, SNT_BUNDLE_ITEMS(max)))
		return refused_early(max, diag);
	/* What libcbor's cbor_load() would refuse, refused here too: not well-formed, or text not UTF-8. */
	if (snt_cose_cbor_check(cbor, len) || texts_valid(cbor, len, &pos, 0))
		return bundle__fail(diag, SNT_BUNDLE_ERR_CBOR, NULL, 0, _("payload is not well-formed CBOR"));
	rd = calloc(1, sizeof(*rd));
	if (!rd)
		return bundle__fail(diag, SNT_BUNDLE_ERR_NOMEM, NULL, 0, _("out of memory"));
	rd->e = rd->s = rd->r = r;
	rd->max = max;
	rc = reader_start(rd, &r, batch, diag);
	if (rc)
		return rc;
	*out = rd;
	return SNT_BUNDLE_OK;
}

enum snt_bundle_err bundle__reader_new_src(const struct bundle_src *src, size_t max, size_t batch,
					   struct snt_bundle_reader **out, struct snt_bundle_diag *diag)
{
	struct snt_bundle_reader *rd;
	struct pull r;
	const uint8_t *b;
	size_t avail, left = SNT_BUNDLE_ITEMS(max);
	enum snt_bundle_err rc;
	int wt;

	bundle__diag_clear(diag);
	rc = !src || !src->read || !out || max < 1 || max > SNT_BUNDLE_MAX_ACCEPT || batch < 1 ? SNT_BUNDLE_ERR_INVAL
											       : SNT_BUNDLE_OK;
	rd = rc ? NULL : calloc(1, sizeof(*rd));
	if (!rd) {
		if (src && src->release)
			src->release(src->ctx);
		return rc ? rc : bundle__fail(diag, SNT_BUNDLE_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	*out = NULL;
	rd->src = *src;
	rd->max = max;
	for (size_t i = 0; i < SNT_ARRAY_SIZE(rd->win); i++) {
		rd->win[i].src = &rd->src;
		rd->win[i].buf = malloc(BUNDLE_WINDOW + BUNDLE_SRC_SLACK);
		if (!rd->win[i].buf) {
			snt_bundle_reader_free(rd);
			return bundle__fail(diag, SNT_BUNDLE_ERR_NOMEM, NULL, 0, _("out of memory"));
		}
	}
	r = (struct pull){ .len = src->len, .w = &rd->win[0], .a = &rd->arena };
	rc = SNT_BUNDLE_OK;
	if (pull_view(&r, PULL_ITEM_MAX, &b, &avail))
		rc = fail_io(diag);
	else if (peek_count(b, avail) > max)
		rc = fail_count_limit(diag, peek_count(b, avail), max);
	else if ((wt = walk_tree(&r, 0, &left, true)) != 0 || r.pos != r.len)
		rc = reader_io_failed(rd) ? fail_io(diag) : wt == -2 ? bundle__fail(diag, SNT_BUNDLE_ERR_CBOR, NULL, 0,
					_("payload is not well-formed CBOR")) : refused_early(max, diag);
	if (rc) {
		snt_bundle_reader_free(rd);
		return rc;
	}
	r.pos = 0;
	rd->e = rd->s = rd->r = r;
	rd->s.w = &rd->win[1];
	rd->r.w = &rd->win[2];
	rc = reader_start(rd, &r, batch, diag);
	if (rc)
		return reader_io_failed(rd) ? fail_io(diag) : rc;
	*out = rd;
	return SNT_BUNDLE_OK;
}

/* The manifest, the cursors and the batch arrays of @rd, read by @r (@rd freed on error). */
static enum snt_bundle_err reader_start(struct snt_bundle_reader *rd, struct pull *r, size_t batch,
					struct snt_bundle_diag *diag)
{
	enum snt_bundle_err rc;
	size_t k;

	rc = read_manifest(r, rd, diag);
	if (rc) {
		if (reader_io_failed(rd))
			rc = fail_io(diag);
		snt_bundle_reader_free(rd);
		return rc;
	}
	k = batch < rd->n ? batch : rd->n;
	rd->batch = k;
	rd->entries = calloc(k, sizeof(*rd->entries));
	rd->seals = rd->has_seals ? calloc(k, sizeof(*rd->seals)) : NULL;
	rd->records = rd->has_records ? calloc(k, sizeof(*rd->records)) : NULL;
	if (!rd->entries || (rd->has_seals && !rd->seals) || (rd->has_records && !rd->records)) {
		snt_bundle_reader_free(rd);
		return bundle__fail(diag, SNT_BUNDLE_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	return SNT_BUNDLE_OK;
}

const struct snt_bundle_manifest *snt_bundle_reader_manifest(const struct snt_bundle_reader *rd)
{
	return &rd->manifest;
}

void snt_bundle_reader_kid(const struct snt_bundle_reader *rd, uint8_t kid[SNT_SIGN_KID_LEN])
{
	memcpy(kid, rd->kid, SNT_SIGN_KID_LEN);
}

void bundle__reader_set_kid(struct snt_bundle_reader *rd, const uint8_t kid[SNT_SIGN_KID_LEN])
{
	memcpy(rd->kid, kid, SNT_SIGN_KID_LEN);
}

bool snt_bundle_reader_has_records(const struct snt_bundle_reader *rd)
{
	return rd->has_records;
}

/* One batch: its entries' fields, their order, chain and hashes, then their seals and records. */
static enum snt_bundle_err reader_batch(struct snt_bundle_reader *rd, size_t k, struct snt_bundle_diag *d)
{
	const struct snt_bundle_manifest *m = &rd->manifest;
	struct snt_entry *e = rd->entries;
	bool final = rd->done + k == rd->n;
	enum snt_bundle_err rc;

	/* The last batch's copies are let go. */
	for (struct arena_block *b = rd->arena.head; b; b = b->next)
		b->used = 0;
	rd->arena.cur = rd->arena.head;

	for (size_t i = 0; i < k; i++) {
		rc = decode_entry(&rd->e, rd->done + i, &e[i], d);
		if (rc)
			return rc;
	}
	rc = bundle__check_span(m, rd->n, rd->max, rd->done == 0 ? &e[0] : NULL, final ? &e[k - 1] : NULL, d);
	for (size_t i = 0; !rc && i < k; i++)
		rc = bundle__check_entry(m, i ? &e[i - 1] : rd->done ? &rd->last : NULL, &e[i], rd->done + i, d);
	if (rc)
		return rc;
	if (rd->done == 0)
		rd->first = e[0];
	rd->last = e[k - 1];
	if (final) {
		rc = bundle__check_ends(m, &rd->first, &rd->last, d);
		if (rc)
			return rc;
	}
	if (rd->has_seals) {
		if (rd->done == 0 && (pull_next(&rd->s) || rd->s.kind != PULL_ARRAY || rd->s.u != rd->n))
			return bundle__fail_field(d, "seals", _("not an array of one seal or null per entry"));
		rc = decode_seals(&rd->s, e, k, rd->seals, d);
		if (rc)
			return rc;
	}
	if (rd->has_records) {
		if (rd->done == 0 && (pull_next(&rd->r) || rd->r.kind != PULL_ARRAY || rd->r.u != rd->n))
			return bundle__fail_field(d, "records", _("not an array of one record or null per entry"));
		rc = decode_records(&rd->r, e, k, rd->records, d);
		if (rc)
			return rc;
	}
	return SNT_BUNDLE_OK;
}

enum snt_bundle_err snt_bundle_reader_next(struct snt_bundle_reader *rd, struct snt_bundle_batch *out,
					   struct snt_bundle_diag *diag)
{
	enum snt_bundle_err rc;
	size_t k;

	bundle__diag_clear(diag);
	if (!rd || !out)
		return SNT_BUNDLE_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if (rd->failed)
		return bundle__fail(diag, SNT_BUNDLE_ERR_INVAL, NULL, 0, _("the bundle was refused already"));
	if (rd->done == rd->n)
		return SNT_BUNDLE_OK;
	k = rd->n - rd->done < rd->batch ? rd->n - rd->done : rd->batch;
	rc = reader_batch(rd, k, diag);
	if (rc) {
		rd->failed = true;
		return reader_io_failed(rd) ? fail_io(diag) : rc;
	}
	rd->done += k;
	out->entries = rd->entries;
	out->seals = rd->has_seals ? rd->seals : NULL;
	out->records = rd->has_records ? rd->records : NULL;
	out->n = k;
	out->last = rd->done == rd->n;
	return SNT_BUNDLE_OK;
}

void snt_bundle_reader_times(const struct snt_bundle_reader *rd, void (*fn)(void *arg, int64_t time_utc_ms),
			     void *arg)
{
	struct pull r = rd->e;

	r.pos = rd->entries_pos;
	for (size_t i = 0; i < rd->n; i++) {
		uint64_t ncols;
		int64_t t;

		if (pull_next(&r) || r.kind != PULL_ARRAY || r.u < 4)
			return;
		ncols = r.u;
		/* seq, boot_id, mono_ms, then time_utc_ms: each a single item */
		for (int c = 0; c < 3; c++)
			if (pull_next(&r))
				return;
		if (pull_next(&r) || pull_int(&r, &t))
			return;
		fn(arg, t);
		for (uint64_t c = 4; c < ncols; c++)
			if (pull_next(&r) || r.kind == PULL_ARRAY || r.kind == PULL_MAP)
				return;
	}
}

enum snt_bundle_err snt_bundle_decode(const uint8_t *cbor, size_t len, struct snt_bundle **out,
				      struct snt_bundle_diag *diag)
{
	struct snt_bundle_reader *rd = NULL;
	struct snt_bundle_batch batch;
	struct snt_bundle *b;
	enum snt_bundle_err rc;

	bundle__diag_clear(diag);
	if (!cbor || !out)
		return SNT_BUNDLE_ERR_INVAL;
	/* One batch of every entry: the checks in the order documented. */
	rc = snt_bundle_reader_new(cbor, len, SNT_BUNDLE_MAX_ENTRIES, SNT_BUNDLE_MAX_ENTRIES, &rd, diag);
	if (rc)
		return rc;
	rc = snt_bundle_reader_next(rd, &batch, diag);
	if (rc)
		goto out;
	b = calloc(1, sizeof(*b));
	if (!b) {
		rc = bundle__fail(diag, SNT_BUNDLE_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto out;
	}
	b->manifest = rd->manifest;
	/* The arrays change hands; payloads and records are copied out of @cbor. */
	b->entries = rd->entries;
	rd->entries = NULL;
	b->n = batch.n;
	if (rd->has_seals) {
		b->seals = rd->seals;
		rd->seals = NULL;
	}
	if (rd->has_records) {
		b->records = rd->records;
		rd->records = NULL;
	}
	for (size_t i = 0; i < b->n && !rc; i++) {
		struct snt_entry *e = &b->entries[i];
		struct snt_bundle_record *r = b->records ? &b->records[i] : NULL;
		uint8_t *copy;

		if (e->payload) {
			copy = malloc(e->payload_len);
			if (copy)
				memcpy(copy, e->payload, e->payload_len);
			else
				rc = SNT_BUNDLE_ERR_NOMEM;
			e->payload = copy;
		}
		if (r && r->sealed) {
			copy = rc ? NULL : malloc(r->len);
			if (copy)
				memcpy(copy, r->sealed, r->len);
			else
				rc = SNT_BUNDLE_ERR_NOMEM;
			r->sealed = copy;
		}
		/* Out of memory: what is still borrowed is let go, not freed. */
		for (size_t j = i + 1; rc && j < b->n; j++) {
			b->entries[j].payload = NULL;
			if (b->records)
				b->records[j].sealed = NULL;
		}
	}
	if (rc) {
		snt_bundle_free(b);
		rc = bundle__fail(diag, SNT_BUNDLE_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto out;
	}
	*out = b;
out:
	snt_bundle_reader_free(rd);
	return rc;
}
