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
#include "cose/cose.h"
#include "policy/policy.h"
#include "sync/bundle.h"
#include "sync/bundle_internal.h"

/* SNT_BUNDLE_MAX_SEQ written out, for messages. */
#define SEQ_MAX_TEXT "9007199254740991"
_Static_assert(SNT_BUNDLE_MAX_SEQ == 9007199254740991, "SEQ_MAX_TEXT is SNT_BUNDLE_MAX_SEQ");
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

struct pull {
	const uint8_t *p;	/* the payload, @len bytes; the next item at @pos */
	size_t len, pos;
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

/* Read the next item into @r.  Return 0; -1 at the end or when libcbor cannot decode it. */
static int pull_next(struct pull *r)
{
	struct cbor_decoder_result res;

	r->kind = PULL_OTHER;
	if (r->pos >= r->len)
		return -1;
	res = cbor_stream_decode(r->p + r->pos, r->len - r->pos, &pull_callbacks, r);
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

/* Skip the item at @r's position (its lengths bounded by payload_bounded()). */
static int pull_skip(struct pull *r)
{
	size_t left = SIZE_MAX;

	return bundle__count_items(r->p, r->len, &r->pos, 0, &left);
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

/* The entry array at @r's position; @idx for field names.  The payload is copied (malloc). */
static enum snt_bundle_err decode_entry(struct pull *r, size_t idx, struct snt_entry *e, struct snt_bundle_diag *d)
{
	static const char *const cols[BUNDLE_ENTRY_COLUMNS] = {
		"seq", "boot_id", "mono_ms", "time_utc_ms", "clock", "kind", "format", "colour", "verified",
		"temp_dc", "decision", "reasons", "door", "subject", "payload", "detail", "prev_hash", "hash",
		"payload_hash",
	};
	char name[SNT_BUNDLE_FIELD_LEN], reasons[BUNDLE_REASONS_MAX], s[32];
	uint64_t ncols;
	int64_t v;
	int col = 0;

	memset(e, 0, sizeof(*e));
	if (pull_next(r) || r->kind != PULL_ARRAY ||
	    (r->u != BUNDLE_ENTRY_COLUMNS && r->u != BUNDLE_ENTRY_COLUMNS_V1)) {
		snprintf(name, sizeof(name), "entries[%zu]", idx);
		return bundle__fail_field(d, name, "not an array of 19 (or 18) columns");
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
		uint8_t *p;

		if (r->kind != PULL_BYTES || r->data_len == 0 || r->data_len > SNT_ENTRY_MAX_PAYLOAD)
			goto bad;
		p = malloc(r->data_len);
		if (!p)
			return bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, 0, "out of memory");
		memcpy(p, r->data, r->data_len);
		e->payload = p;
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
	return SNT_BUNDLE_OK;
bad:
	snprintf(name, sizeof(name), "entries[%zu].%s", idx, cols[col]);
	return bundle__fail(d, SNT_BUNDLE_ERR_FIELD, name, e->seq, "field \"%s\": wrong type or out of range", name);
}

/* "seals" at @r's position: one seal or null per entry (bundle.h). */
static enum snt_bundle_err decode_seals(struct pull *r, struct snt_bundle *b, struct snt_bundle_diag *d)
{
	if (pull_next(r) || r->kind != PULL_ARRAY || r->u != b->n)
		return bundle__fail_field(d, "seals", "not an array of one seal or null per entry");
	b->seals = calloc(b->n, sizeof(*b->seals));
	if (!b->seals)
		return bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, 0, "out of memory");
	for (size_t i = 0; i < b->n; i++) {
		struct snt_bundle_seal *s = &b->seals[i];

		if (pull_next(r))
			goto bad;
		if (r->kind == PULL_NULL)
			continue;
		if (r->kind != PULL_ARRAY || r->u != 2 || pull_next(r) || pull_uint(r, &s->epoch) ||
		    s->epoch > SNT_FSS_EPOCH_MAX || pull_next(r) || pull_hash(r, s->tag))
			goto bad;
		s->present = true;
		continue;
bad:
		return bundle__fail(d, SNT_BUNDLE_ERR_FIELD, "seals", b->entries[i].seq,
				    "entry seq %" PRId64 ": seal not [epoch, 32-byte tag] or null", b->entries[i].seq);
	}
	return SNT_BUNDLE_OK;
}

/*
 * "records" at @r's position: one sealed personal record or null per entry,
 * each of its size and matching the digest its entry holds (bundle.h).
 */
static enum snt_bundle_err decode_records(struct pull *r, struct snt_bundle *b, struct snt_bundle_diag *d)
{
	if (pull_next(r) || r->kind != PULL_ARRAY || r->u != b->n)
		return bundle__fail_field(d, "records", "not an array of one record or null per entry");
	b->records = calloc(b->n, sizeof(*b->records));
	if (!b->records)
		return bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, 0, "out of memory");
	for (size_t i = 0; i < b->n; i++) {
		struct snt_bundle_record *rec = &b->records[i];
		uint8_t *copy;

		if (pull_next(r))
			goto bad;
		if (r->kind == PULL_NULL)
			continue;
		if (r->kind != PULL_BYTES || r->data_len < SNT_STORE_PERSONAL_MIN ||
		    r->data_len > SNT_STORE_PERSONAL_MAX || !snt_bundle_record_matches(&b->entries[i], r->data, r->data_len))
			goto bad;
		copy = malloc(r->data_len);
		if (!copy)
			return bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, 0, "out of memory");
		memcpy(copy, r->data, r->data_len);
		rec->sealed = copy;
		rec->len = r->data_len;
		continue;
bad:
		return bundle__fail(d, SNT_BUNDLE_ERR_FIELD, "records", b->entries[i].seq,
				    "entry seq %" PRId64 ": personal record not of its size or digest", b->entries[i].seq);
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
		return bundle__fail(d, SNT_BUNDLE_ERR_CBOR, NULL, 0, "payload is not a CBOR map");
	got = (size_t)r->u;
	for (size_t i = 0; i < got && i < K_ALL + 1; i++) {
		key[i] = r->pos;
		if (pull_skip(r))
			return bundle__fail(d, SNT_BUNDLE_ERR_CBOR, NULL, 0, "payload is not well-formed CBOR");
		pos[i] = r->pos;
		if (pull_skip(r))
			return bundle__fail(d, SNT_BUNDLE_ERR_CBOR, NULL, 0, "payload is not well-formed CBOR");
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
				return bundle__fail(d, SNT_BUNDLE_ERR_TYPE, "type", 0, "no \"type\" first in the map");
			if (i == K_V)
				return bundle__fail(d, SNT_BUNDLE_ERR_VERSION, "v", 0, "no \"v\" second in the map");
			return bundle__fail_field(d, keys[i], "missing or out of order");
		}
		/* The type and version decide before the rest of the keys. */
		if (i == K_TYPE && (pull_at(r, val[i]) || !pull_text_is(r, "bundle")))
			return bundle__fail(d, SNT_BUNDLE_ERR_TYPE, "type", 0, "\"type\" is not \"bundle\"");
		if (i == K_V && (pull_at(r, val[i]) || r->kind != PULL_UINT || r->u != SNT_BUNDLE_VERSION))
			return bundle__fail(d, SNT_BUNDLE_ERR_VERSION, "v", 0, "\"v\" is not %d", SNT_BUNDLE_VERSION);
	}
	if (got != nf) {
		if (got > nf && !pull_at(r, key[nf]) && r->kind == PULL_TEXT) {
			size_t kl = r->data_len < sizeof(name) - 1 ? r->data_len : sizeof(name) - 1;

			for (size_t i = 0; i < kl; i++)
				name[i] = r->data[i] >= 0x20 && r->data[i] < 0x7f ? (char)r->data[i] : '?';
			name[kl] = '\0';
			return bundle__fail(d, SNT_BUNDLE_ERR_FIELD, name, 0, "unknown field \"%s\"", name);
		}
		return bundle__fail(d, SNT_BUNDLE_ERR_FIELD, "", 0, "map has an unknown field");
	}
	*nkeys = nf;
	return SNT_BUNDLE_OK;
}

static enum snt_bundle_err decode_bundle(struct pull *r, struct snt_bundle **out, struct snt_bundle_diag *d)
{
	size_t val[K_ALL], nf = 0, n;
	struct snt_bundle *b;
	struct snt_bundle_manifest *m;
	enum snt_bundle_err rc;
	char kind[16];

	rc = bundle_keys(r, val, &nf, d);
	if (rc)
		return rc;
	b = calloc(1, sizeof(*b));
	if (!b)
		return bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, 0, "out of memory");
	m = &b->manifest;
	if (pull_at(r, val[K_DEVICE]) || pull_str(r, m->device, SNT_DEVICE_ID_LEN, false) ||
	    !snt_bundle_device_id_valid(m->device)) {
		rc = bundle__fail_field(d, "device", "not a device id (1-63 of [A-Za-z0-9._-], not starting with '.')");
		goto err;
	}
	if (pull_at(r, val[K_KIND]) || pull_name(r, kind, sizeof(kind)) || snt_bundle_kind_from_name(kind, &m->kind)) {
		rc = bundle__fail_field(d, "kind", "not \"regular\" or \"priority\"");
		goto err;
	}
	if (pull_at(r, val[K_FIRST]) || pull_uint(r, &m->first) || m->first < 1 || m->first > SNT_BUNDLE_MAX_SEQ) {
		rc = bundle__fail_field(d, "first", "not an unsigned integer from 1 to " SEQ_MAX_TEXT);
		goto err;
	}
	if (pull_at(r, val[K_LAST]) || pull_uint(r, &m->last) || m->last < m->first || m->last > SNT_BUNDLE_MAX_SEQ) {
		rc = bundle__fail_field(d, "last", "not an unsigned integer from first to " SEQ_MAX_TEXT);
		goto err;
	}
	if (pull_at(r, val[K_COUNT]) || pull_uint(r, &m->count)) {
		rc = bundle__fail_field(d, "count", "not an unsigned integer");
		goto err;
	}
	if (m->count < 1 || m->count > SNT_BUNDLE_MAX_ENTRIES) {
		rc = bundle__fail(d, SNT_BUNDLE_ERR_COUNT, "count", 0, "count %" PRId64 " not within 1 to %d", m->count,
			  SNT_BUNDLE_MAX_ENTRIES);
		goto err;
	}
	if (pull_at(r, val[K_PREV]) || pull_hash(r, m->prev)) {
		rc = bundle__fail_field(d, "prev", "not a 32-byte string");
		goto err;
	}
	if (pull_at(r, val[K_HEAD]) || pull_hash(r, m->head)) {
		rc = bundle__fail_field(d, "head", "not a 32-byte string");
		goto err;
	}
	if (pull_at(r, val[K_CREATED]) || pull_int(r, &m->created_ms)) {
		rc = bundle__fail_field(d, "created", "not an integer");
		goto err;
	}
	if (pull_at(r, val[K_ENTRIES]) || r->kind != PULL_ARRAY) {
		rc = bundle__fail_field(d, "entries", "not an array");
		goto err;
	}
	n = (size_t)r->u;
	if (n != (size_t)m->count) {
		rc = bundle__fail(d, SNT_BUNDLE_ERR_COUNT, "count", 0, "count %" PRId64 " but %zu entries", m->count, n);
		goto err;
	}
	b->entries = calloc(n, sizeof(*b->entries));
	if (!b->entries) {
		rc = bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, 0, "out of memory");
		goto err;
	}
	/* The entries one after the other, from just past the array's head. */
	for (size_t i = 0; i < n; i++) {
		rc = decode_entry(r, i, &b->entries[i], d);
		b->n = i + 1;	/* entry i may own a payload even on error */
		if (rc)
			goto err;
	}
	rc = bundle__check(m, b->entries, n, d);
	if (rc)
		goto err;
	if (val[K_SEALS]) {
		r->pos = val[K_SEALS];
		rc = decode_seals(r, b, d);
		if (rc)
			goto err;
	}
	if (val[K_RECORDS]) {
		r->pos = val[K_RECORDS];
		rc = decode_records(r, b, d);
		if (rc)
			goto err;
	}
	*out = b;
	return SNT_BUNDLE_OK;
err:
	snt_bundle_free(b);
	return rc;
}

enum snt_bundle_err snt_bundle_decode(const uint8_t *cbor, size_t len, struct snt_bundle **out,
				      struct snt_bundle_diag *diag)
{
	struct pull r = { .p = cbor, .len = len };
	size_t pos = 0;

	bundle__diag_clear(diag);
	if (!cbor || !out)
		return SNT_BUNDLE_ERR_INVAL;
	if (bundle__payload_bounded(cbor, len, SNT_BUNDLE_MAX_ITEMS))
		return bundle__fail(diag, SNT_BUNDLE_ERR_CBOR, NULL, 0,
			    "payload refused before decoding (more than %d items, nested deeper than %d, "
			    "an indefinite length, or a length beyond its bytes)", SNT_BUNDLE_MAX_ITEMS, BUNDLE_PAYLOAD_MAX_DEPTH);
	/* What libcbor's cbor_load() would refuse, refused here too: not well-formed, or text not UTF-8. */
	if (snt_cose_cbor_check(cbor, len) || texts_valid(cbor, len, &pos, 0))
		return bundle__fail(diag, SNT_BUNDLE_ERR_CBOR, NULL, 0, "payload is not well-formed CBOR");
	return decode_bundle(&r, out, diag);
}
