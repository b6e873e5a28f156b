// SPDX-License-Identifier: MIT
/*
 * bundle reader: strict decoding of bundles, acknowledgements, signed time
 * and other signed documents (formats in bundle.h).  Well-formedness and
 * bounds are checked on the raw bytes (snt_cose_cbor_load()) before libcbor
 * loads anything; then every field is checked.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock/clock.h"
#include "codes/codes.h"
#include "cose/cose.h"
#include "policy/policy.h"
#include "sync/bundle.h"
#include "sync/bundle_internal.h"

/* SNT_BUNDLE_MAX_SEQ written out, for messages. */
#define SEQ_MAX_TEXT "9007199254740991"
#define RULES_MAX_TEXT "1048576"	/* SNT_BUNDLE_MAX_ACK_RULES */
_Static_assert(SNT_BUNDLE_MAX_SEQ == 9007199254740991, "SEQ_MAX_TEXT is SNT_BUNDLE_MAX_SEQ");
_Static_assert(SNT_FSS_TAG_LEN == SNT_HASH_LEN, "get_hash() reads a seal's tag");

/* ---- strict decoding ---- */

struct field {
	const char *key;
	cbor_item_t *val;
};

/*
 * @root must be a definite map whose keys are exactly @f[0..n) in order
 * (the first two being "type" and "v", checked here against @type).
 */
static enum snt_bundle_err map_fields(const cbor_item_t *root, const char *type, struct field *f, size_t n,
				      const char *prefix, struct snt_bundle_diag *d)
{
	struct cbor_pair *pairs;
	size_t got;
	char name[SNT_BUNDLE_FIELD_LEN];

	if (!cbor_isa_map(root) || !cbor_map_is_definite(root))
		return prefix ? bundle__fail_field(d, prefix, "not a map")
			      : bundle__fail(d, SNT_BUNDLE_ERR_CBOR, NULL, 0, "payload is not a CBOR map");
	pairs = cbor_map_handle(root);
	got = cbor_map_size(root);
	for (size_t i = 0; i < n; i++) {
		cbor_item_t *k = i < got ? pairs[i].key : NULL;
		size_t kl = strlen(f[i].key);

		snprintf(name, sizeof(name), "%s%s%s", prefix ? prefix : "", prefix ? "." : "", f[i].key);
		if (!k || !cbor_isa_string(k) || !cbor_string_is_definite(k) || cbor_string_length(k) != kl ||
		    memcmp(cbor_string_handle(k), f[i].key, kl)) {
			if (type && i == 0)
				return bundle__fail(d, SNT_BUNDLE_ERR_TYPE, "type", 0, "no \"type\" first in the map");
			if (type && i == 1)
				return bundle__fail(d, SNT_BUNDLE_ERR_VERSION, "v", 0, "no \"v\" second in the map");
			return bundle__fail_field(d, name, "missing or out of order");
		}
		f[i].val = pairs[i].value;
		/* The type and version decide before the rest of the keys. */
		if (type && i == 0) {
			cbor_item_t *t = f[0].val;
			size_t tl = strlen(type);

			if (!cbor_isa_string(t) || !cbor_string_is_definite(t) || cbor_string_length(t) != tl ||
			    memcmp(cbor_string_handle(t), type, tl))
				return bundle__fail(d, SNT_BUNDLE_ERR_TYPE, "type", 0, "\"type\" is not \"%s\"", type);
		}
		if (type && i == 1 && (!cbor_isa_uint(f[1].val) || cbor_get_int(f[1].val) != SNT_BUNDLE_VERSION))
			return bundle__fail(d, SNT_BUNDLE_ERR_VERSION, "v", 0, "\"v\" is not %d", SNT_BUNDLE_VERSION);
	}
	if (got != n) {
		if (got > n && cbor_isa_string(pairs[n].key) && cbor_string_is_definite(pairs[n].key)) {
			size_t kl = cbor_string_length(pairs[n].key);

			if (kl >= sizeof(name))
				kl = sizeof(name) - 1;
			for (size_t i = 0; i < kl; i++) {
				uint8_t c = cbor_string_handle(pairs[n].key)[i];

				name[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
			}
			name[kl] = '\0';
			return bundle__fail(d, SNT_BUNDLE_ERR_FIELD, name, 0, "unknown field \"%s\"", name);
		}
		return bundle__fail(d, SNT_BUNDLE_ERR_FIELD, prefix ? prefix : "", 0, "%s has an unknown field",
			    prefix ? prefix : "map");
	}
	return SNT_BUNDLE_OK;
}

static int get_uint(const cbor_item_t *v, int64_t *out)
{
	uint64_t x;

	if (!cbor_isa_uint(v))
		return -1;
	x = cbor_get_int(v);
	if (x > INT64_MAX)
		return -1;
	*out = (int64_t)x;
	return 0;
}

static int get_int(const cbor_item_t *v, int64_t *out)
{
	uint64_t x;

	if (cbor_isa_uint(v))
		return get_uint(v, out);
	if (!cbor_isa_negint(v))
		return -1;
	x = cbor_get_int(v);
	if (x > INT64_MAX)
		return -1;
	*out = -1 - (int64_t)x;
	return 0;
}

/* A definite text string of 0 < len < size bytes, no NUL, into @buf. */
static int get_text(const cbor_item_t *v, char *buf, size_t size, bool allow_empty)
{
	if (snt_cose_cbor_text_copy(v, buf, size) || (!allow_empty && !buf[0]))
		return -1;
	return 0;
}

static int get_hash(const cbor_item_t *v, uint8_t out[SNT_HASH_LEN])
{
	if (!cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v) || cbor_bytestring_length(v) != SNT_HASH_LEN)
		return -1;
	memcpy(out, cbor_bytestring_handle(v), SNT_HASH_LEN);
	return 0;
}

static bool is_null(const cbor_item_t *v)
{
	/* cbor_is_null() asserts on a float: check the width first. */
	return cbor_isa_float_ctrl(v) && cbor_float_get_width(v) == CBOR_FLOAT_0 && cbor_is_null(v);
}

static int get_name(const cbor_item_t *v, char *buf, size_t size)
{
	return get_text(v, buf, size, false);
}

/* One entry array; @idx for field names.  The payload is copied (malloc). */
static enum snt_bundle_err decode_entry(const cbor_item_t *arr, size_t idx, struct snt_entry *e,
					struct snt_bundle_diag *d)
{
	static const char *const cols[BUNDLE_ENTRY_COLUMNS] = {
		"seq", "boot_id", "mono_ms", "time_utc_ms", "clock", "kind", "format", "colour", "verified",
		"temp_dc", "decision", "reasons", "door", "subject", "payload", "detail", "prev_hash", "hash",
		"payload_hash",
	};
	cbor_item_t **it;
	char name[SNT_BUNDLE_FIELD_LEN], reasons[BUNDLE_REASONS_MAX];
	int64_t v;
	int col = 0;

	memset(e, 0, sizeof(*e));
	if (!cbor_isa_array(arr) || !cbor_array_is_definite(arr) ||
	    (cbor_array_size(arr) != BUNDLE_ENTRY_COLUMNS && cbor_array_size(arr) != BUNDLE_ENTRY_COLUMNS_V1)) {
		snprintf(name, sizeof(name), "entries[%zu]", idx);
		return bundle__fail_field(d, name, "not an array of 19 (or 18) columns");
	}
	it = cbor_array_handle(arr);
	if (get_uint(it[0], &e->seq) || e->seq < 1 || e->seq > SNT_BUNDLE_MAX_SEQ)
		goto bad;
	col = 1;
	if (get_text(it[1], e->boot_id, sizeof(e->boot_id), true))
		goto bad;
	col = 2;
	if (get_int(it[2], &e->mono_ms))
		goto bad;
	col = 3;
	if (get_int(it[3], &e->time_utc_ms))
		goto bad;
	{
		char s[32];

		col = 4;
		if (get_name(it[4], s, sizeof(s)) || snt_clock_state_from_name(s, &e->clock))
			goto bad;
		col = 5;
		if (get_name(it[5], s, sizeof(s)) || snt_person_kind_from_name(s, &e->kind))
			goto bad;
		col = 6;
		if (get_name(it[6], s, sizeof(s)) || snt_code_format_from_name(s, &e->format))
			goto bad;
		col = 7;
		if (get_name(it[7], s, sizeof(s)) || snt_colour_from_name(s, &e->colour))
			goto bad;
		col = 8;
		if (get_name(it[8], s, sizeof(s)) || snt_verified_from_name(s, &e->verified))
			goto bad;
		col = 9;
		if (is_null(it[9])) {
			e->has_temp = false;
		} else {
			/* Any int the store can hold: the encoder sends what the log has. */
			if (get_int(it[9], &v) || v < INT_MIN || v > INT_MAX)
				goto bad;
			e->has_temp = true;
			e->temp_dc = (int)v;
		}
		col = 10;
		if (get_name(it[10], s, sizeof(s)) || snt_decision_from_name(s, &e->decision))
			goto bad;
		col = 11;
		if (get_text(it[11], reasons, sizeof(reasons), true))
			goto bad;
		if (reasons[0]) {
			char check[BUNDLE_REASONS_MAX];

			if (snt_reasons_parse(reasons, &e->reasons) || e->reasons == 0 ||
			    snt_reasons_format(e->reasons, ",", check, sizeof(check)) < 0 || strcmp(check, reasons))
				goto bad;
		}
		col = 12;
		if (get_name(it[12], s, sizeof(s)) || snt_door_from_name(s, &e->door))
			goto bad;
	}
	col = 13;
	if (!is_null(it[13]) && get_text(it[13], e->subject, sizeof(e->subject), false))
		goto bad;
	col = 14;
	if (!is_null(it[14])) {
		size_t n;
		uint8_t *p;

		if (!cbor_isa_bytestring(it[14]) || !cbor_bytestring_is_definite(it[14]))
			goto bad;
		n = cbor_bytestring_length(it[14]);
		if (n == 0 || n > SNT_ENTRY_MAX_PAYLOAD)
			goto bad;
		p = malloc(n);
		if (!p)
			return bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, 0, "out of memory");
		memcpy(p, cbor_bytestring_handle(it[14]), n);
		e->payload = p;
		e->payload_len = n;
	}
	col = 15;
	if (!is_null(it[15]) && get_text(it[15], e->detail, sizeof(e->detail), false))
		goto bad;
	col = 16;
	if (get_hash(it[16], e->prev_hash))
		goto bad;
	col = 17;
	if (get_hash(it[17], e->hash))
		goto bad;
	/* Never beside a payload (snt_entry_check()). */
	col = 18;
	if (cbor_array_size(arr) > 18 && !is_null(it[18])) {
		if (e->payload_len || get_hash(it[18], e->payload_hash))
			goto bad;
		e->has_payload_hash = true;
	}
	return SNT_BUNDLE_OK;
bad:
	snprintf(name, sizeof(name), "entries[%zu].%s", idx, cols[col]);
	return bundle__fail(d, SNT_BUNDLE_ERR_FIELD, name, e->seq, "field \"%s\": wrong type or out of range", name);
}

void snt_bundle_free(struct snt_bundle *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		free((void *)(uintptr_t)b->entries[i].payload);
	free(b->entries);
	free(b->seals);
	free(b);
}

static enum snt_bundle_err decode_device(const cbor_item_t *v, char device[SNT_DEVICE_ID_LEN],
					 struct snt_bundle_diag *d)
{
	if (get_text(v, device, SNT_DEVICE_ID_LEN, false) || !snt_bundle_device_id_valid(device))
		return bundle__fail_field(d, "device", "not a device id (1-63 of [A-Za-z0-9._-], not starting with '.')");
	return SNT_BUNDLE_OK;
}

/* "seals": one seal or null per entry (bundle.h). */
static enum snt_bundle_err decode_seals(const cbor_item_t *v, struct snt_bundle *b, struct snt_bundle_diag *d)
{
	if (!cbor_isa_array(v) || !cbor_array_is_definite(v) || cbor_array_size(v) != b->n)
		return bundle__fail_field(d, "seals", "not an array of one seal or null per entry");
	b->seals = calloc(b->n, sizeof(*b->seals));
	if (!b->seals)
		return bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, 0, "out of memory");
	for (size_t i = 0; i < b->n; i++) {
		const cbor_item_t *it = cbor_array_handle(v)[i];
		struct snt_bundle_seal *s = &b->seals[i];

		if (is_null(it))
			continue;
		if (!cbor_isa_array(it) || !cbor_array_is_definite(it) || cbor_array_size(it) != 2 ||
		    get_uint(cbor_array_handle(it)[0], &s->epoch) || s->epoch > SNT_FSS_EPOCH_MAX ||
		    get_hash(cbor_array_handle(it)[1], s->tag))
			return bundle__fail(d, SNT_BUNDLE_ERR_FIELD, "seals", b->entries[i].seq,
					    "entry seq %" PRId64 ": seal not [epoch, 32-byte tag] or null",
					    b->entries[i].seq);
		s->present = true;
	}
	return SNT_BUNDLE_OK;
}

static enum snt_bundle_err decode_bundle_map(const cbor_item_t *root, struct snt_bundle **out,
					     struct snt_bundle_diag *d)
{
	struct field f[] = { { "type", NULL },	{ "v", NULL },	  { "device", NULL }, { "kind", NULL },
			     { "first", NULL }, { "last", NULL }, { "count", NULL },  { "prev", NULL },
			     { "head", NULL },	{ "created", NULL }, { "entries", NULL }, { "seals", NULL } };
	size_t nf = SNT_ARRAY_SIZE(f) - 1;
	struct snt_bundle *b;
	struct snt_bundle_manifest *m;
	enum snt_bundle_err rc;
	char kind[16];
	size_t n;

	/* "seals" is optional, and last. */
	if (cbor_isa_map(root) && cbor_map_is_definite(root) && cbor_map_size(root) == nf + 1) {
		const cbor_item_t *k = cbor_map_handle(root)[nf].key;

		if (cbor_isa_string(k) && cbor_string_is_definite(k) && cbor_string_length(k) == 5 &&
		    !memcmp(cbor_string_handle(k), "seals", 5))
			nf++;
	}
	rc = map_fields(root, "bundle", f, nf, NULL, d);
	if (rc)
		return rc;
	b = calloc(1, sizeof(*b));
	if (!b)
		return bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, 0, "out of memory");
	m = &b->manifest;
	rc = decode_device(f[2].val, m->device, d);
	if (rc)
		goto err;
	if (get_name(f[3].val, kind, sizeof(kind)) || snt_bundle_kind_from_name(kind, &m->kind)) {
		rc = bundle__fail_field(d, "kind", "not \"regular\" or \"priority\"");
		goto err;
	}
	if (get_uint(f[4].val, &m->first) || m->first < 1 || m->first > SNT_BUNDLE_MAX_SEQ) {
		rc = bundle__fail_field(d, "first", "not an unsigned integer from 1 to " SEQ_MAX_TEXT);
		goto err;
	}
	if (get_uint(f[5].val, &m->last) || m->last < m->first || m->last > SNT_BUNDLE_MAX_SEQ) {
		rc = bundle__fail_field(d, "last", "not an unsigned integer from first to " SEQ_MAX_TEXT);
		goto err;
	}
	if (get_uint(f[6].val, &m->count)) {
		rc = bundle__fail_field(d, "count", "not an unsigned integer");
		goto err;
	}
	if (m->count < 1 || m->count > SNT_BUNDLE_MAX_ENTRIES) {
		rc = bundle__fail(d, SNT_BUNDLE_ERR_COUNT, "count", 0, "count %" PRId64 " not within 1 to %d", m->count,
			  SNT_BUNDLE_MAX_ENTRIES);
		goto err;
	}
	if (get_hash(f[7].val, m->prev)) {
		rc = bundle__fail_field(d, "prev", "not a 32-byte string");
		goto err;
	}
	if (get_hash(f[8].val, m->head)) {
		rc = bundle__fail_field(d, "head", "not a 32-byte string");
		goto err;
	}
	if (get_int(f[9].val, &m->created_ms)) {
		rc = bundle__fail_field(d, "created", "not an integer");
		goto err;
	}
	if (!cbor_isa_array(f[10].val) || !cbor_array_is_definite(f[10].val)) {
		rc = bundle__fail_field(d, "entries", "not an array");
		goto err;
	}
	n = cbor_array_size(f[10].val);
	if (n != (size_t)m->count) {
		rc = bundle__fail(d, SNT_BUNDLE_ERR_COUNT, "count", 0, "count %" PRId64 " but %zu entries", m->count, n);
		goto err;
	}
	b->entries = calloc(n, sizeof(*b->entries));
	if (!b->entries) {
		rc = bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, 0, "out of memory");
		goto err;
	}
	for (size_t i = 0; i < n; i++) {
		rc = decode_entry(cbor_array_handle(f[10].val)[i], i, &b->entries[i], d);
		b->n = i + 1;	/* entry i may own a payload even on error */
		if (rc)
			goto err;
	}
	rc = bundle__check(m, b->entries, n, d);
	if (rc)
		goto err;
	if (nf == SNT_ARRAY_SIZE(f)) {
		rc = decode_seals(f[11].val, b, d);
		if (rc)
			goto err;
	}
	*out = b;
	return SNT_BUNDLE_OK;
err:
	snt_bundle_free(b);
	return rc;
}

/*
 * Count the items of one CBOR data item at *pos without building any
 * (RFC 8949 §3, definite lengths only: our encoders write no other), to
 * bound what libcbor would allocate: more than *left items, nesting deeper
 * than PAYLOAD_MAX_DEPTH, an indefinite length, or a declared length or
 * count larger than the bytes remaining is refused.  Return 0 or -1.
 */
#define PAYLOAD_MAX_DEPTH 8

static int read_head(const uint8_t *p, size_t len, size_t *pos, uint8_t *major, uint64_t *arg);

static int count_items(const uint8_t *p, size_t len, size_t *pos, unsigned int depth, size_t *left)
{
	uint8_t major;
	uint64_t arg, n;

	if (depth > PAYLOAD_MAX_DEPTH || *left == 0 || *pos >= len || (p[*pos] & 0x1f) > 27)
		return -1;
	(*left)--;
	if (read_head(p, len, pos, &major, &arg))
		return -1;
	switch (major) {
	case 2:
	case 3:
		if (arg > len - *pos)
			return -1;
		*pos += (size_t)arg;
		return 0;
	case 4:
	case 5:
		if (arg > len - *pos || (major == 5 && arg > (len - *pos) / 2))
			return -1;
		n = major == 5 ? arg * 2 : arg;
		if (n > *left)
			return -1;
		for (uint64_t i = 0; i < n; i++)
			if (count_items(p, len, pos, depth + 1, left))
				return -1;
		return 0;
	case 6:
		return count_items(p, len, pos, depth + 1, left);
	default:
		return 0;	/* integers, simple values, floats (their bytes were read by read_head) */
	}
}

static int payload_bounded(const uint8_t *p, size_t len, size_t max_items)
{
	size_t pos = 0, left = max_items;

	return count_items(p, len, &pos, 0, &left) || pos != len ? -1 : 0;
}

enum snt_bundle_err snt_bundle_decode(const uint8_t *cbor, size_t len, struct snt_bundle **out,
				      struct snt_bundle_diag *diag)
{
	cbor_item_t *root;
	enum snt_bundle_err rc;

	bundle__diag_clear(diag);
	if (!cbor || !out)
		return SNT_BUNDLE_ERR_INVAL;
	if (payload_bounded(cbor, len, SNT_BUNDLE_MAX_ITEMS))
		return bundle__fail(diag, SNT_BUNDLE_ERR_CBOR, NULL, 0,
			    "payload refused before decoding (more than %d items, nested deeper than %d, "
			    "an indefinite length, or a length beyond its bytes)", SNT_BUNDLE_MAX_ITEMS, PAYLOAD_MAX_DEPTH);
	root = snt_cose_cbor_load(cbor, len);
	if (!root)
		return bundle__fail(diag, SNT_BUNDLE_ERR_CBOR, NULL, 0, "payload is not well-formed CBOR");
	rc = decode_bundle_map(root, out, diag);
	cbor_decref(&root);
	return rc;
}

enum snt_bundle_err snt_bundle_manifest_get(const struct snt_bundle *b, struct snt_bundle_manifest *m)
{
	if (!b || !m)
		return SNT_BUNDLE_ERR_INVAL;
	*m = b->manifest;
	return SNT_BUNDLE_OK;
}

/*
 * The "device" of an unverified bundle payload, read without building
 * items: the map must start with "type": "bundle", "v": 1, "device": tstr.
 */
static int read_head(const uint8_t *p, size_t len, size_t *pos, uint8_t *major, uint64_t *arg)
{
	uint8_t ib, ai;

	if (*pos >= len)
		return -1;
	ib = p[(*pos)++];
	*major = ib >> 5;
	ai = ib & 0x1f;
	if (ai < 24) {
		*arg = ai;
		return 0;
	}
	if (ai > 27)
		return -1;
	{
		size_t n = (size_t)1 << (ai - 24);

		if (len - *pos < n)
			return -1;
		*arg = 0;
		for (size_t i = 0; i < n; i++)
			*arg = *arg << 8 | p[(*pos)++];
	}
	return 0;
}

static int read_text(const uint8_t *p, size_t len, size_t *pos, const char **s, size_t *n)
{
	uint8_t major;
	uint64_t arg;

	if (read_head(p, len, pos, &major, &arg) || major != 3 || arg > len - *pos)
		return -1;
	*s = (const char *)p + *pos;
	*n = (size_t)arg;
	*pos += (size_t)arg;
	return 0;
}

static int text_is(const char *s, size_t n, const char *want)
{
	return n == strlen(want) && !memcmp(s, want, n);
}

static enum snt_bundle_err peek_device(const uint8_t *p, size_t len, char device[SNT_DEVICE_ID_LEN],
				       struct snt_bundle_diag *d)
{
	size_t pos = 0, n;
	uint8_t major;
	uint64_t arg;
	const char *s;

	if (read_head(p, len, &pos, &major, &arg) || major != 5)
		return bundle__fail(d, SNT_BUNDLE_ERR_CBOR, NULL, 0, "payload is not a CBOR map");
	if (read_text(p, len, &pos, &s, &n) || !text_is(s, n, "type") || read_text(p, len, &pos, &s, &n) ||
	    !text_is(s, n, "bundle"))
		return bundle__fail(d, SNT_BUNDLE_ERR_TYPE, "type", 0, "\"type\" is not \"bundle\"");
	if (read_text(p, len, &pos, &s, &n) || !text_is(s, n, "v") || read_head(p, len, &pos, &major, &arg) ||
	    major != 0 || arg != SNT_BUNDLE_VERSION)
		return bundle__fail(d, SNT_BUNDLE_ERR_VERSION, "v", 0, "\"v\" is not %d", SNT_BUNDLE_VERSION);
	if (read_text(p, len, &pos, &s, &n) || !text_is(s, n, "device") || read_text(p, len, &pos, &s, &n) ||
	    n >= SNT_DEVICE_ID_LEN)
		return bundle__fail_field(d, "device", "not a device id (1-63 of [A-Za-z0-9._-], not starting with '.')");
	memcpy(device, s, n);
	device[n] = '\0';
	if (strlen(device) != n || !snt_bundle_device_id_valid(device))
		return bundle__fail_field(d, "device", "not a device id (1-63 of [A-Za-z0-9._-], not starting with '.')");
	return SNT_BUNDLE_OK;
}

static enum snt_bundle_err map_open_err(enum snt_sign_err se, struct snt_bundle_diag *d)
{
	switch (se) {
	case SNT_SIGN_ERR_NOMEM:
		return bundle__fail_sign(d, SNT_BUNDLE_ERR_NOMEM, se, "signature");
	case SNT_SIGN_ERR_KID:
		return bundle__fail_sign(d, SNT_BUNDLE_ERR_KID, se, "signature");
	case SNT_SIGN_ERR_NOT_COSE:
	case SNT_SIGN_ERR_ALG:
	case SNT_SIGN_ERR_SIGNATURE:
		return bundle__fail_sign(d, SNT_BUNDLE_ERR_SIGNATURE, se, "signature");
	default:
		return bundle__fail_sign(d, SNT_BUNDLE_ERR_INVAL, se, "key");
	}
}

enum snt_bundle_err snt_bundle_open(EVP_PKEY *bureau_priv, snt_bundle_lookup_fn lookup, void *ctx,
				    const uint8_t *file, size_t len, struct snt_bundle **out,
				    struct snt_bundle_diag *diag)
{
	uint8_t *cose = NULL, *payload = NULL, kid[SNT_SIGN_KID_LEN];
	size_t cose_len = 0, payload_len = 0;
	struct snt_cose_sign1 c;
	char device[SNT_DEVICE_ID_LEN];
	EVP_PKEY *key = NULL;
	enum snt_sign_err se;
	enum snt_bundle_err rc;

	bundle__diag_clear(diag);
	if (!bureau_priv || !lookup || !file || !out)
		return SNT_BUNDLE_ERR_INVAL;
	se = snt_unseal(bureau_priv, file, len, &cose, &cose_len);
	if (se == SNT_SIGN_ERR_NOMEM)
		return bundle__fail_sign(diag, SNT_BUNDLE_ERR_NOMEM, se, "unseal");
	if (se == SNT_SIGN_ERR_INVAL || se == SNT_SIGN_ERR_NOT_EC || se == SNT_SIGN_ERR_NOT_P256)
		return bundle__fail_sign(diag, SNT_BUNDLE_ERR_INVAL, se, "bureau key");
	if (se)
		return bundle__fail_sign(diag, SNT_BUNDLE_ERR_UNSEAL, se, "unseal");
	se = snt_sign1_kid(cose, cose_len, kid);
	if (se) {
		rc = map_open_err(se == SNT_SIGN_ERR_KID ? SNT_SIGN_ERR_NOT_COSE : se, diag);
		goto out;
	}
	/* The unverified payload names the device whose key is to verify it. */
	if (snt_cose_sign1_parse(cose, cose_len, &c) != SNT_COSE_OK) {
		rc = map_open_err(SNT_SIGN_ERR_NOT_COSE, diag);
		goto out;
	}
	rc = peek_device(c.payload, c.payload_len, device, diag);
	snt_cose_sign1_free(&c);
	if (rc)
		goto out;
	if (lookup(ctx, device, kid, &key) || !key) {
		rc = bundle__fail(diag, SNT_BUNDLE_ERR_UNKNOWN_DEVICE, "device", 0, "device %s is not registered", device);
		goto out;
	}
	se = snt_sign1_open(cose, cose_len, key, &payload, &payload_len);
	if (se) {
		rc = map_open_err(se, diag);
		if (rc == SNT_BUNDLE_ERR_KID)
			bundle__fail_sign(diag, rc, se, "signature (not the key registered for the device)");
		goto out;
	}
	rc = snt_bundle_decode(payload, payload_len, out, diag);
	if (!rc)
		memcpy((*out)->kid, kid, SNT_SIGN_KID_LEN);
out:
	EVP_PKEY_free(key);
	free(payload);
	free(cose);
	return rc;
}

/* ---- generic signed documents ---- */

static enum snt_bundle_err open_signed(EVP_PKEY *pub, const uint8_t *buf, size_t len, cbor_item_t **root,
				       struct snt_bundle_diag *d)
{
	uint8_t *payload = NULL;
	size_t payload_len = 0;
	enum snt_sign_err se;

	se = snt_sign1_open(buf, len, pub, &payload, &payload_len);
	if (se)
		return map_open_err(se, d);
	if (payload_bounded(payload, payload_len, SNT_SIGNED_MAX_ITEMS)) {
		free(payload);
		return bundle__fail(d, SNT_BUNDLE_ERR_CBOR, NULL, 0,
			    "payload refused before decoding (more than %d items, nested deeper than %d, "
			    "an indefinite length, or a length beyond its bytes)", SNT_SIGNED_MAX_ITEMS, PAYLOAD_MAX_DEPTH);
	}
	*root = snt_cose_cbor_load(payload, payload_len);
	free(payload);
	if (!*root)
		return bundle__fail(d, SNT_BUNDLE_ERR_CBOR, NULL, 0, "payload is not well-formed CBOR");
	if (!cbor_isa_map(*root) || !cbor_map_is_definite(*root)) {
		cbor_decref(root);
		return bundle__fail(d, SNT_BUNDLE_ERR_CBOR, NULL, 0, "payload is not a CBOR map");
	}
	return SNT_BUNDLE_OK;
}

enum snt_bundle_err snt_bundle_open_signed(EVP_PKEY *pub, const uint8_t *buf, size_t len,
					   char type[SNT_BUNDLE_TYPE_LEN], cbor_item_t **map,
					   struct snt_bundle_diag *diag)
{
	cbor_item_t *root = NULL, *t, *v;
	enum snt_bundle_err rc;

	bundle__diag_clear(diag);
	if (!pub || !buf || !type || !map)
		return SNT_BUNDLE_ERR_INVAL;
	rc = open_signed(pub, buf, len, &root, diag);
	if (rc)
		return rc;
	/* Key uniqueness: snt_cose_map_str() finds the first; refuse a repeated "type"/"v". */
	{
		struct cbor_pair *pairs = cbor_map_handle(root);
		size_t nt = 0, nv = 0;

		for (size_t i = 0; i < cbor_map_size(root); i++) {
			cbor_item_t *k = pairs[i].key;

			if (!cbor_isa_string(k) || !cbor_string_is_definite(k))
				continue;
			nt += text_is((const char *)cbor_string_handle(k), cbor_string_length(k), "type");
			nv += text_is((const char *)cbor_string_handle(k), cbor_string_length(k), "v");
		}
		if (nt > 1 || nv > 1) {
			rc = bundle__fail(diag, nt > 1 ? SNT_BUNDLE_ERR_TYPE : SNT_BUNDLE_ERR_VERSION, nt > 1 ? "type" : "v", 0,
				  "\"%s\" repeated", nt > 1 ? "type" : "v");
			goto err;
		}
	}
	t = snt_cose_map_str(root, "type");
	if (!t || get_text(t, type, SNT_BUNDLE_TYPE_LEN, false)) {
		rc = bundle__fail(diag, SNT_BUNDLE_ERR_TYPE, "type", 0, "no \"type\" of 1-15 bytes");
		goto err;
	}
	v = snt_cose_map_str(root, "v");
	if (!v || !cbor_isa_uint(v) || cbor_get_int(v) != SNT_BUNDLE_VERSION) {
		rc = bundle__fail(diag, SNT_BUNDLE_ERR_VERSION, "v", 0, "\"v\" is not %d", SNT_BUNDLE_VERSION);
		goto err;
	}
	*map = root;
	return SNT_BUNDLE_OK;
err:
	type[0] = '\0';
	cbor_decref(&root);
	return rc;
}

void snt_bundle_ack_free(struct snt_bundle_ack *a)
{
	if (!a)
		return;
	free(a->verdicts);
	free(a->rules);
	free(a);
}

static enum snt_bundle_err decode_ack(const cbor_item_t *root, struct snt_bundle_ack *a, struct snt_bundle_diag *d)
{
	struct field f[] = { { "type", NULL }, { "v", NULL },	 { "device", NULL },  { "seq", NULL },
			     { "head", NULL }, { "time", NULL }, { "verdicts", NULL }, { "rules", NULL } };
	enum snt_bundle_err rc;
	size_t n, nf = SNT_ARRAY_SIZE(f) - 1;

	/* "rules" is the one optional key, last. */
	if (cbor_isa_map(root) && cbor_map_is_definite(root) && cbor_map_size(root) == SNT_ARRAY_SIZE(f))
		nf = SNT_ARRAY_SIZE(f);
	rc = map_fields(root, "ack", f, nf, NULL, d);
	if (rc)
		return rc;
	rc = decode_device(f[2].val, a->device, d);
	if (rc)
		return rc;
	if (get_uint(f[3].val, &a->seq) || a->seq > SNT_BUNDLE_MAX_SEQ)
		return bundle__fail_field(d, "seq", "not an unsigned integer up to " SEQ_MAX_TEXT);
	if (get_hash(f[4].val, a->head))
		return bundle__fail_field(d, "head", "not a 32-byte string");
	if (a->seq == 0 && memcmp(a->head, bundle__zero_hash, SNT_HASH_LEN))
		return bundle__fail_field(d, "head", "not 32 zero bytes for seq 0");
	if (get_int(f[5].val, &a->time_ms))
		return bundle__fail_field(d, "time", "not an integer");
	if (!cbor_isa_array(f[6].val) || !cbor_array_is_definite(f[6].val))
		return bundle__fail_field(d, "verdicts", "not an array");
	n = cbor_array_size(f[6].val);
	if (n > SNT_BUNDLE_MAX_VERDICTS)
		return bundle__fail(d, SNT_BUNDLE_ERR_COUNT, "verdicts", 0, "%zu verdicts, more than %d", n,
			    SNT_BUNDLE_MAX_VERDICTS);
	a->verdicts = calloc(n ? n : 1, sizeof(*a->verdicts));
	if (!a->verdicts)
		return bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, 0, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct field vf[] = { { "seq", NULL }, { "colour", NULL }, { "platform", NULL } };
		struct snt_bundle_verdict *v = &a->verdicts[i];
		char prefix[24], name[SNT_BUNDLE_FIELD_LEN], colour[16];

		snprintf(prefix, sizeof(prefix), "verdicts[%zu]", i);
		rc = map_fields(cbor_array_handle(f[6].val)[i], NULL, vf, SNT_ARRAY_SIZE(vf), prefix, d);
		if (rc)
			return rc;
		if (get_uint(vf[0].val, &v->seq) || v->seq < 1 || v->seq > SNT_BUNDLE_MAX_SEQ) {
			snprintf(name, sizeof(name), "%s.seq", prefix);
			return bundle__fail_field(d, name, "not an unsigned integer from 1 to " SEQ_MAX_TEXT);
		}
		if (get_name(vf[1].val, colour, sizeof(colour)) || snt_colour_from_name(colour, &v->colour) ||
		    (v->colour != SNT_COLOUR_GREEN && v->colour != SNT_COLOUR_YELLOW && v->colour != SNT_COLOUR_RED)) {
			snprintf(name, sizeof(name), "%s.colour", prefix);
			return bundle__fail_field(d, name, "not green, yellow or red");
		}
		if (get_name(vf[2].val, v->platform, sizeof(v->platform)) || !bundle__platform_valid(v->platform)) {
			snprintf(name, sizeof(name), "%s.platform", prefix);
			return bundle__fail_field(d, name, "not 1-32 of [a-z0-9-]");
		}
		a->n_verdicts = i + 1;
	}
	if (nf == SNT_ARRAY_SIZE(f)) {
		const cbor_item_t *r = f[7].val;

		if (!cbor_isa_bytestring(r) || !cbor_bytestring_is_definite(r) || cbor_bytestring_length(r) < 1 ||
		    cbor_bytestring_length(r) > SNT_BUNDLE_MAX_ACK_RULES)
			return bundle__fail_field(d, "rules", "not a byte string of 1 to " RULES_MAX_TEXT " bytes");
		a->rules_len = cbor_bytestring_length(r);
		a->rules = malloc(a->rules_len);
		if (!a->rules)
			return bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, 0, "out of memory");
		memcpy(a->rules, cbor_bytestring_handle(r), a->rules_len);
	}
	return SNT_BUNDLE_OK;
}

enum snt_bundle_err snt_bundle_ack_open(EVP_PKEY *bureau_pub, const uint8_t *buf, size_t len,
					struct snt_bundle_ack **out, struct snt_bundle_diag *diag)
{
	cbor_item_t *root = NULL;
	struct snt_bundle_ack *a;
	enum snt_bundle_err rc;

	bundle__diag_clear(diag);
	if (!bureau_pub || !buf || !out)
		return SNT_BUNDLE_ERR_INVAL;
	rc = open_signed(bureau_pub, buf, len, &root, diag);
	if (rc)
		return rc;
	a = calloc(1, sizeof(*a));
	if (!a) {
		cbor_decref(&root);
		return bundle__fail(diag, SNT_BUNDLE_ERR_NOMEM, NULL, 0, "out of memory");
	}
	rc = decode_ack(root, a, diag);
	cbor_decref(&root);
	if (rc) {
		snt_bundle_ack_free(a);
		return rc;
	}
	*out = a;
	return SNT_BUNDLE_OK;
}

enum snt_bundle_err snt_bundle_time_open(EVP_PKEY *bureau_pub, const uint8_t *buf, size_t len,
					 char device[SNT_DEVICE_ID_LEN], int64_t *time_ms,
					 struct snt_bundle_diag *diag)
{
	struct field f[] = { { "type", NULL }, { "v", NULL }, { "device", NULL }, { "time", NULL } };
	cbor_item_t *root = NULL;
	char dev[SNT_DEVICE_ID_LEN];
	int64_t t;
	enum snt_bundle_err rc;

	bundle__diag_clear(diag);
	if (!bureau_pub || !buf || !device || !time_ms)
		return SNT_BUNDLE_ERR_INVAL;
	rc = open_signed(bureau_pub, buf, len, &root, diag);
	if (rc)
		return rc;
	rc = map_fields(root, "time", f, SNT_ARRAY_SIZE(f), NULL, diag);
	if (!rc)
		rc = decode_device(f[2].val, dev, diag);
	if (!rc && get_int(f[3].val, &t))
		rc = bundle__fail_field(diag, "time", "not an integer");
	cbor_decref(&root);
	if (rc)
		return rc;
	memcpy(device, dev, SNT_DEVICE_ID_LEN);
	*time_ms = t;
	return SNT_BUNDLE_OK;
}
