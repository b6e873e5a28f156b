// SPDX-License-Identifier: MIT
/*
 * bundle reader: opening bundles (unseal, signature, then the payload
 * decoded as a stream by bundle_decode.c), strict decoding of
 * acknowledgements, signed time and other signed documents (formats in
 * bundle.h).  Well-formedness and bounds are checked on the raw bytes
 * (bundle__payload_bounded(), snt_cose_cbor_load()) before libcbor loads
 * anything; then every field is checked.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "clock/clock.h"
#include "codes/codes.h"
#include "common/i18n.h"
#include "cose/cose.h"
#include "policy/policy.h"
#include "sync/bundle.h"
#include "sync/bundle_internal.h"

/* SNT_BUNDLE_MAX_SEQ written out, for messages. */
_Static_assert(SNT_BUNDLE_MAX_ACK_RULES == 1048576, "the messages' 1048576 is SNT_BUNDLE_MAX_ACK_RULES");
_Static_assert(SNT_BUNDLE_MAX_SEQ == 9007199254740991, "the messages' 9007199254740991 is SNT_BUNDLE_MAX_SEQ");
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
		return prefix ? bundle__fail_field(d, prefix, _("not a map"))
			      : bundle__fail(d, SNT_BUNDLE_ERR_CBOR, NULL, 0, _("payload is not a CBOR map"));
	pairs = cbor_map_handle(root);
	got = cbor_map_size(root);
	for (size_t i = 0; i < n; i++) {
		cbor_item_t *k = i < got ? pairs[i].key : NULL;
		size_t kl = strlen(f[i].key);

		snprintf(name, sizeof(name), "%s%s%s", prefix ? prefix : "", prefix ? "." : "", f[i].key);
		if (!k || !cbor_isa_string(k) || !cbor_string_is_definite(k) || cbor_string_length(k) != kl ||
		    memcmp(cbor_string_handle(k), f[i].key, kl)) {
			if (type && i == 0)
				return bundle__fail(d, SNT_BUNDLE_ERR_TYPE, "type", 0,
						    _("no \"type\" first in the map"));
			if (type && i == 1)
				return bundle__fail(d, SNT_BUNDLE_ERR_VERSION, "v", 0, _("no \"v\" second in the map"));
			return bundle__fail_field(d, name, _("missing or out of order"));
		}
		f[i].val = pairs[i].value;
		/* The type and version decide before the rest of the keys. */
		if (type && i == 0) {
			cbor_item_t *t = f[0].val;
			size_t tl = strlen(type);

			if (!cbor_isa_string(t) || !cbor_string_is_definite(t) || cbor_string_length(t) != tl ||
			    memcmp(cbor_string_handle(t), type, tl))
				return bundle__fail(d, SNT_BUNDLE_ERR_TYPE, "type", 0,
						    _("\"type\" is not \"%s\""), type);
		}
		if (type && i == 1 && (!cbor_isa_uint(f[1].val) || cbor_get_int(f[1].val) != SNT_BUNDLE_VERSION))
			return bundle__fail(d, SNT_BUNDLE_ERR_VERSION, "v", 0, _("\"v\" is not %d"), SNT_BUNDLE_VERSION);
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
			return bundle__fail(d, SNT_BUNDLE_ERR_FIELD, name, 0, _("unknown field \"%s\""), name);
		}
		return prefix ? bundle__fail(d, SNT_BUNDLE_ERR_FIELD, prefix, 0, _("%s has an unknown field"), prefix)
			      : bundle__fail(d, SNT_BUNDLE_ERR_FIELD, "", 0, _("map has an unknown field"));
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

static int get_name(const cbor_item_t *v, char *buf, size_t size)
{
	return get_text(v, buf, size, false);
}

static enum snt_bundle_err decode_device(const cbor_item_t *v, char device[SNT_DEVICE_ID_LEN],
					 struct snt_bundle_diag *d)
{
	if (get_text(v, device, SNT_DEVICE_ID_LEN, false) || !snt_bundle_device_id_valid(device))
		return bundle__fail_field(d, "device",
				    _("not a device id (1-63 of [A-Za-z0-9._-], not starting with '.')"));
	return SNT_BUNDLE_OK;
}

/* Counting items without building any (bundle_internal.h). */
int bundle__count_items(const uint8_t *p, size_t len, size_t *pos, unsigned int depth, size_t *left)
{
	uint8_t major;
	uint64_t arg, n;

	if (depth > BUNDLE_PAYLOAD_MAX_DEPTH || *left == 0 || *pos >= len || (p[*pos] & 0x1f) > 27)
		return -1;
	(*left)--;
	if (bundle__read_head(p, len, pos, &major, &arg))
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
			if (bundle__count_items(p, len, pos, depth + 1, left))
				return -1;
		return 0;
	case 6:
		return bundle__count_items(p, len, pos, depth + 1, left);
	default:
		return 0;	/* integers, simple values, floats (their bytes were read by read_head) */
	}
}

int bundle__payload_bounded(const uint8_t *p, size_t len, size_t max_items)
{
	size_t pos = 0, left = max_items;

	return bundle__count_items(p, len, &pos, 0, &left) || pos != len ? -1 : 0;
}

enum snt_bundle_err snt_bundle_manifest_get(const struct snt_bundle *b, struct snt_bundle_manifest *m)
{
	if (!b || !m)
		return SNT_BUNDLE_ERR_INVAL;
	*m = b->manifest;
	return SNT_BUNDLE_OK;
}

int bundle__read_head(const uint8_t *p, size_t len, size_t *pos, uint8_t *major, uint64_t *arg)
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

	if (bundle__read_head(p, len, pos, &major, &arg) || major != 3 || arg > len - *pos)
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

/*
 * The "device" of an unverified bundle payload, read without building
 * items: the map must start with "type": "bundle", "v": 1, "device": tstr.
 */
static enum snt_bundle_err peek_device(const uint8_t *p, size_t len, char device[SNT_DEVICE_ID_LEN],
				       struct snt_bundle_diag *d)
{
	size_t pos = 0, n;
	uint8_t major;
	uint64_t arg;
	const char *s;

	if (bundle__read_head(p, len, &pos, &major, &arg) || major != 5)
		return bundle__fail(d, SNT_BUNDLE_ERR_CBOR, NULL, 0, _("payload is not a CBOR map"));
	if (read_text(p, len, &pos, &s, &n) || !text_is(s, n, "type") || read_text(p, len, &pos, &s, &n) ||
	    !text_is(s, n, "bundle"))
		return bundle__fail(d, SNT_BUNDLE_ERR_TYPE, "type", 0, _("\"type\" is not \"bundle\""));
	if (read_text(p, len, &pos, &s, &n) || !text_is(s, n, "v") || bundle__read_head(p, len, &pos, &major, &arg) ||
	    major != 0 || arg != SNT_BUNDLE_VERSION)
		return bundle__fail(d, SNT_BUNDLE_ERR_VERSION, "v", 0, _("\"v\" is not %d"), SNT_BUNDLE_VERSION);
	if (read_text(p, len, &pos, &s, &n) || !text_is(s, n, "device") || read_text(p, len, &pos, &s, &n) ||
	    n >= SNT_DEVICE_ID_LEN)
		return bundle__fail_field(d, "device",
				    _("not a device id (1-63 of [A-Za-z0-9._-], not starting with '.')"));
	memcpy(device, s, n);
	device[n] = '\0';
	if (strlen(device) != n || !snt_bundle_device_id_valid(device))
		return bundle__fail_field(d, "device",
				    _("not a device id (1-63 of [A-Za-z0-9._-], not starting with '.')"));
	return SNT_BUNDLE_OK;
}

static enum snt_bundle_err fail_read(struct snt_bundle_diag *d)
{
	return bundle__fail(d, SNT_BUNDLE_ERR_IO, NULL, 0, _("the file could not be read"));
}

static enum snt_bundle_err map_open_err(enum snt_sign_err se, struct snt_bundle_diag *d)
{
	switch (se) {
	case SNT_SIGN_ERR_NOMEM:
		return bundle__fail_sign(d, SNT_BUNDLE_ERR_NOMEM, se, _("signature"));
	case SNT_SIGN_ERR_KID:
		return bundle__fail_sign(d, SNT_BUNDLE_ERR_KID, se, _("signature"));
	case SNT_SIGN_ERR_NOT_COSE:
	case SNT_SIGN_ERR_ALG:
	case SNT_SIGN_ERR_SIGNATURE:
		return bundle__fail_sign(d, SNT_BUNDLE_ERR_SIGNATURE, se, _("signature"));
	default:
		return bundle__fail_sign(d, SNT_BUNDLE_ERR_INVAL, se, _("key"));
	}
}

/*
 * The verified payload of the bundle file @file: unsealed into *@plain
 * (in @file itself when @in_place, else a new buffer the caller frees),
 * the device looked up by the payload's unverified "device", the
 * signature checked; *@payload points into *@plain.
 */
static enum snt_bundle_err open_verified(EVP_PKEY *bureau_priv, snt_bundle_lookup_fn lookup, void *ctx,
					 uint8_t *file, size_t len, bool in_place, uint8_t **plain,
					 const uint8_t **payload, size_t *payload_len, uint8_t kid[SNT_SIGN_KID_LEN],
					 struct snt_bundle_diag *diag)
{
	uint8_t *cose = NULL;
	const uint8_t *peek = NULL;
	size_t cose_len = 0, peek_len = 0;
	char device[SNT_DEVICE_ID_LEN];
	EVP_PKEY *key = NULL;
	enum snt_sign_err se;
	enum snt_bundle_err rc;

	*plain = NULL;
	se = in_place ? snt_unseal_inplace(bureau_priv, file, len, &cose, &cose_len)
		      : snt_unseal(bureau_priv, file, len, &cose, &cose_len);
	if (se == SNT_SIGN_ERR_NOMEM)
		return bundle__fail_sign(diag, SNT_BUNDLE_ERR_NOMEM, se, _("unseal"));
	if (se == SNT_SIGN_ERR_INVAL || se == SNT_SIGN_ERR_NOT_EC || se == SNT_SIGN_ERR_NOT_P256)
		return bundle__fail_sign(diag, SNT_BUNDLE_ERR_INVAL, se, _("bureau key"));
	if (se)
		return bundle__fail_sign(diag, SNT_BUNDLE_ERR_UNSEAL, se, _("unseal"));
	if (!in_place)
		*plain = cose;
	se = snt_sign1_peek(cose, cose_len, kid, &peek, &peek_len);
	if (se)
		return map_open_err(se == SNT_SIGN_ERR_KID ? SNT_SIGN_ERR_NOT_COSE : se, diag);
	/* The unverified payload names the device whose key is to verify it. */
	rc = peek_device(peek, peek_len, device, diag);
	if (rc)
		return rc;
	if (lookup(ctx, device, kid, &key) || !key)
		return bundle__fail(diag, SNT_BUNDLE_ERR_UNKNOWN_DEVICE, "device", 0,
				    _("device %s is not registered"), device);
	se = snt_sign1_verify(cose, cose_len, key, payload, payload_len);
	EVP_PKEY_free(key);
	if (se) {
		rc = map_open_err(se, diag);
		if (rc == SNT_BUNDLE_ERR_KID)
			bundle__fail_sign(diag, rc, se, _("signature (not the key registered for the device)"));
		return rc;
	}
	return SNT_BUNDLE_OK;
}

enum snt_bundle_err snt_bundle_open(EVP_PKEY *bureau_priv, snt_bundle_lookup_fn lookup, void *ctx,
				    const uint8_t *file, size_t len, struct snt_bundle **out,
				    struct snt_bundle_diag *diag)
{
	uint8_t *plain = NULL, kid[SNT_SIGN_KID_LEN];
	const uint8_t *payload = NULL;
	size_t payload_len = 0;
	enum snt_bundle_err rc;

	bundle__diag_clear(diag);
	if (!bureau_priv || !lookup || !file || !out)
		return SNT_BUNDLE_ERR_INVAL;
	/* Not in place: @file is the caller's, read-only. */
	rc = open_verified(bureau_priv, lookup, ctx, (uint8_t *)(uintptr_t)file, len, false, &plain, &payload,
			   &payload_len, kid, diag);
	if (!rc)
		rc = snt_bundle_decode(payload, payload_len, out, diag);
	if (!rc)
		memcpy((*out)->kid, kid, SNT_SIGN_KID_LEN);
	free(plain);
	return rc;
}

enum snt_bundle_err snt_bundle_reader_open(EVP_PKEY *bureau_priv, snt_bundle_lookup_fn lookup, void *ctx,
					   uint8_t *file, size_t len, size_t max, size_t batch,
					   struct snt_bundle_reader **out, struct snt_bundle_diag *diag)
{
	uint8_t *plain = NULL, kid[SNT_SIGN_KID_LEN];
	const uint8_t *payload = NULL;
	size_t payload_len = 0;
	enum snt_bundle_err rc;

	bundle__diag_clear(diag);
	if (!bureau_priv || !lookup || !file || !out)
		return SNT_BUNDLE_ERR_INVAL;
	*out = NULL;
	rc = open_verified(bureau_priv, lookup, ctx, file, len, true, &plain, &payload, &payload_len, kid, diag);
	if (!rc)
		rc = snt_bundle_reader_new(payload, payload_len, max, batch, out, diag);
	if (!rc)
		bundle__reader_set_kid(*out, kid);
	return rc;
}

/* ---- a bundle file read in pieces ---- */

#define FILE_PIECE ((size_t)64 << 10)	/* first reading: pieces ending at multiples of it in the file */
#define PEEK_LEN 256			/* plaintext kept of the first reading: the COSE head, the payload's "device" */

/* The payload of a verified file, decrypted again piece by piece (struct bundle_src). */
struct file_src {
	const struct snt_bundle_file *f;
	struct snt_unseal_stream *us;
	size_t payload_off;		/* in the plaintext */
};

static int file_src_read(void *ctx, size_t off, uint8_t *buf, size_t n)
{
	struct file_src *fs = ctx;
	size_t p = fs->payload_off + off, a = p - p % SNT_SEAL_BLOCK, lead = p - a;

	/* From the block @p lies in: @buf has BUNDLE_SRC_SLACK (>= SNT_SEAL_BLOCK - 1) bytes of room for @lead. */
	if (fs->f->read(fs->f->ctx, SNT_SEAL_HEAD_LEN + a, buf, lead + n) ||
	    snt_unseal_stream_at(fs->us, a, buf, lead + n, buf))
		return -1;
	if (lead)
		memmove(buf, buf + lead, n);
	return 0;
}

static void file_src_release(void *ctx)
{
	struct file_src *fs = ctx;

	snt_unseal_stream_free(fs->us);
	free(fs);
}

static enum snt_bundle_err unseal_err(enum snt_sign_err se, struct snt_bundle_diag *diag)
{
	if (se == SNT_SIGN_ERR_NOMEM)
		return bundle__fail_sign(diag, SNT_BUNDLE_ERR_NOMEM, se, _("unseal"));
	if (se == SNT_SIGN_ERR_INVAL || se == SNT_SIGN_ERR_NOT_EC || se == SNT_SIGN_ERR_NOT_P256)
		return bundle__fail_sign(diag, SNT_BUNDLE_ERR_INVAL, se, _("bureau key"));
	return bundle__fail_sign(diag, SNT_BUNDLE_ERR_UNSEAL, se, _("unseal"));
}

/*
 * The first reading of @f: every byte through the seal's tag and the
 * signature's digest; *@us the stream, authenticated; @peek the
 * plaintext's first bytes (*@npeek of them).  Errors of the seal first.
 */
static enum snt_bundle_err file_first(EVP_PKEY *bureau_priv, const struct snt_bundle_file *f,
				      struct snt_unseal_stream **us, struct snt_sign1_stream *ss, uint8_t *peek,
				      size_t *npeek, struct snt_bundle_diag *diag)
{
	uint8_t head[SNT_SEAL_HEAD_LEN], tag[SNT_SEAL_TAG_LEN], *piece;
	size_t ct_len, done = 0;
	enum snt_sign_err se;

	memset(head, 0, sizeof(head));
	if (f->len >= SNT_SEAL_HEAD_LEN && f->read(f->ctx, 0, head, sizeof(head)))
		return fail_read(diag);
	se = snt_unseal_stream_begin(bureau_priv, head, f->len, us);
	if (se)
		return unseal_err(se, diag);
	ct_len = f->len - SNT_SEAL_OVERHEAD;
	piece = malloc(FILE_PIECE);
	if (!piece)
		return bundle__fail(diag, SNT_BUNDLE_ERR_NOMEM, NULL, 0, _("out of memory"));
	*npeek = 0;
	while (done < ct_len) {
		size_t at = SNT_SEAL_HEAD_LEN + done, k = FILE_PIECE - at % FILE_PIECE;

		if (k > ct_len - done)
			k = ct_len - done;
		if (f->read(f->ctx, at, piece, k)) {
			free(piece);
			return fail_read(diag);
		}
		se = snt_unseal_stream_update(*us, piece, k, piece);
		if (se) {
			free(piece);
			return unseal_err(se, diag);
		}
		if (*npeek < PEEK_LEN) {
			size_t c = PEEK_LEN - *npeek < k ? PEEK_LEN - *npeek : k;

			memcpy(peek + *npeek, piece, c);
			*npeek += c;
		}
		se = snt_sign1_stream_update(ss, piece, k);	/* a refusal sticks: snt_sign1_stream_end() tells it */
		done += k;
	}
	OPENSSL_cleanse(piece, FILE_PIECE);
	free(piece);
	if (f->read(f->ctx, SNT_SEAL_HEAD_LEN + ct_len, tag, sizeof(tag)))
		return fail_read(diag);
	se = snt_unseal_stream_final(*us, tag);
	return se ? unseal_err(se, diag) : SNT_BUNDLE_OK;
}

enum snt_bundle_err snt_bundle_reader_open_file(EVP_PKEY *bureau_priv, snt_bundle_lookup_fn lookup, void *ctx,
						const struct snt_bundle_file *f, size_t max, size_t batch,
						struct snt_bundle_reader **out, struct snt_bundle_diag *diag)
{
	struct snt_unseal_stream *us = NULL;
	struct snt_sign1_stream *ss = NULL;
	struct file_src *fs;
	uint8_t peek[PEEK_LEN], kid[SNT_SIGN_KID_LEN];
	char device[SNT_DEVICE_ID_LEN];
	size_t npeek = 0, off = 0, len = 0;
	EVP_PKEY *key = NULL;
	enum snt_sign_err se;
	enum snt_bundle_err rc;

	bundle__diag_clear(diag);
	if (!bureau_priv || !lookup || !f || !f->read || !out || f->len > SNT_BUNDLE_MAX_FILE)
		return SNT_BUNDLE_ERR_INVAL;
	*out = NULL;
	if (snt_sign1_stream_new(&ss))
		return bundle__fail(diag, SNT_BUNDLE_ERR_NOMEM, NULL, 0, _("out of memory"));
	rc = file_first(bureau_priv, f, &us, ss, peek, &npeek, diag);
	if (rc)
		goto out;
	/* Authentic from here; the signature is checked with the key of the device the payload names. */
	se = snt_sign1_stream_end(ss, kid, &off, &len);
	if (se) {
		rc = map_open_err(se == SNT_SIGN_ERR_KID ? SNT_SIGN_ERR_NOT_COSE : se, diag);
		goto out;
	}
	rc = peek_device(peek + off, npeek - off < len ? npeek - off : len, device, diag);
	if (rc)
		goto out;
	if (lookup(ctx, device, kid, &key) || !key) {
		rc = bundle__fail(diag, SNT_BUNDLE_ERR_UNKNOWN_DEVICE, "device", 0,
				    _("device %s is not registered"), device);
		goto out;
	}
	se = snt_sign1_stream_verify(ss, key);
	EVP_PKEY_free(key);
	if (se) {
		rc = map_open_err(se, diag);
		if (rc == SNT_BUNDLE_ERR_KID)
			bundle__fail_sign(diag, rc, se, _("signature (not the key registered for the device)"));
		goto out;
	}
	fs = calloc(1, sizeof(*fs));
	if (!fs) {
		rc = bundle__fail(diag, SNT_BUNDLE_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto out;
	}
	fs->f = f;
	fs->us = us;
	fs->payload_off = off;
	us = NULL;
	rc = bundle__reader_new_src(&(struct bundle_src){ .read = file_src_read, .release = file_src_release,
							  .ctx = fs, .len = len },
				    max, batch, out, diag);
	if (!rc)
		bundle__reader_set_kid(*out, kid);
out:
	snt_unseal_stream_free(us);
	snt_sign1_stream_free(ss);
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
	if (bundle__payload_bounded(payload, payload_len, SNT_SIGNED_MAX_ITEMS)) {
		free(payload);
		return bundle__fail(d, SNT_BUNDLE_ERR_CBOR, NULL, 0,
			    P_("payload refused before decoding (more than %d item, nested deeper than %d, "
			       "an indefinite length, or a length beyond its bytes)",
			       "payload refused before decoding (more than %d items, nested deeper than %d, "
			       "an indefinite length, or a length beyond its bytes)", SNT_SIGNED_MAX_ITEMS),
			    SNT_SIGNED_MAX_ITEMS, BUNDLE_PAYLOAD_MAX_DEPTH);
	}
	*root = snt_cose_cbor_load(payload, payload_len);
	free(payload);
	if (!*root)
		return bundle__fail(d, SNT_BUNDLE_ERR_CBOR, NULL, 0, _("payload is not well-formed CBOR"));
	if (!cbor_isa_map(*root) || !cbor_map_is_definite(*root)) {
		cbor_decref(root);
		return bundle__fail(d, SNT_BUNDLE_ERR_CBOR, NULL, 0, _("payload is not a CBOR map"));
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
			/* i18n-exempt: "type" and "v" are the CBOR keys named */
			rc = bundle__fail(diag, nt > 1 ? SNT_BUNDLE_ERR_TYPE : SNT_BUNDLE_ERR_VERSION, nt > 1 ? "type" : "v", 0,
				  _("\"%s\" repeated"), nt > 1 ? "type" : "v");
			goto err;
		}
	}
	t = snt_cose_map_str(root, "type");
	if (!t || get_text(t, type, SNT_BUNDLE_TYPE_LEN, false)) {
		rc = bundle__fail(diag, SNT_BUNDLE_ERR_TYPE, "type", 0, _("no \"type\" of 1-15 bytes"));
		goto err;
	}
	v = snt_cose_map_str(root, "v");
	if (!v || !cbor_isa_uint(v) || cbor_get_int(v) != SNT_BUNDLE_VERSION) {
		rc = bundle__fail(diag, SNT_BUNDLE_ERR_VERSION, "v", 0, _("\"v\" is not %d"), SNT_BUNDLE_VERSION);
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
	free(a->trust);
	free(a->issuers);
	free(a);
}

/* Whether @k is the definite text string @name. */
static bool key_equals(const cbor_item_t *k, const char *name)
{
	size_t n = strlen(name);

	return cbor_isa_string(k) && cbor_string_is_definite(k) && cbor_string_length(k) == n &&
	       !memcmp(cbor_string_handle(k), name, n);
}

/* A signed document an acknowledgement carries (field @name): 1 to SNT_BUNDLE_MAX_ACK_RULES bytes, copied. */
static enum snt_bundle_err get_doc(const cbor_item_t *r, const char *name, uint8_t **out, size_t *len,
				   struct snt_bundle_diag *d)
{
	if (!cbor_isa_bytestring(r) || !cbor_bytestring_is_definite(r) || cbor_bytestring_length(r) < 1 ||
	    cbor_bytestring_length(r) > SNT_BUNDLE_MAX_ACK_RULES)
		return bundle__fail_field(d, name, _("not a byte string of 1 to 1048576 bytes"));
	*len = cbor_bytestring_length(r);
	*out = malloc(*len);
	if (!*out)
		return bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, 0, _("out of memory"));
	memcpy(*out, cbor_bytestring_handle(r), *len);
	return SNT_BUNDLE_OK;
}

static enum snt_bundle_err decode_ack(const cbor_item_t *root, struct snt_bundle_ack *a, struct snt_bundle_diag *d)
{
	struct field f[] = { { "type", NULL }, { "v", NULL },	 { "device", NULL },  { "seq", NULL },
			     { "head", NULL }, { "time", NULL }, { "verdicts", NULL }, { "rules", NULL },
			     { "trust", NULL }, { "issuers", NULL } };
	enum snt_bundle_err rc;
	size_t n, nf = 7;
	int rules_at = -1, trust_at = -1, issuers_at = -1;

	/* "rules", "trust", "issuers", each optional, after the seven keys every acknowledgement has. */
	if (cbor_isa_map(root) && cbor_map_is_definite(root) && cbor_map_size(root) > nf) {
		const struct cbor_pair *p = cbor_map_handle(root);

		if (key_equals(p[nf].key, "rules")) {
			rules_at = (int)nf++;
		}
		if (cbor_map_size(root) > nf && key_equals(p[nf].key, "trust")) {
			f[nf].key = "trust";
			trust_at = (int)nf++;
		}
		if (cbor_map_size(root) > nf && key_equals(p[nf].key, "issuers")) {
			f[nf].key = "issuers";
			issuers_at = (int)nf++;
		}
	}
	rc = map_fields(root, "ack", f, nf, NULL, d);
	if (rc)
		return rc;
	rc = decode_device(f[2].val, a->device, d);
	if (rc)
		return rc;
	if (get_uint(f[3].val, &a->seq) || a->seq > SNT_BUNDLE_MAX_SEQ)
		return bundle__fail_field(d, "seq", _("not an unsigned integer up to 9007199254740991"));
	if (get_hash(f[4].val, a->head))
		return bundle__fail_field(d, "head", _("not a 32-byte string"));
	if (a->seq == 0 && memcmp(a->head, bundle__zero_hash, SNT_HASH_LEN))
		return bundle__fail_field(d, "head", _("not 32 zero bytes for seq 0"));
	if (get_int(f[5].val, &a->time_ms))
		return bundle__fail_field(d, "time", _("not an integer"));
	if (!cbor_isa_array(f[6].val) || !cbor_array_is_definite(f[6].val))
		return bundle__fail_field(d, "verdicts", _("not an array"));
	n = cbor_array_size(f[6].val);
	if (n > SNT_BUNDLE_MAX_VERDICTS) {
		bundle__fail(d, SNT_BUNDLE_ERR_COUNT, "verdicts", 0,
			     P_("%zu verdict, more than %d", "%zu verdicts, more than %d", n), n, SNT_BUNDLE_MAX_VERDICTS);
		if (d)
			d->limit = SNT_BUNDLE_MAX_VERDICTS;
		return SNT_BUNDLE_ERR_COUNT;
	}
	a->verdicts = calloc(n ? n : 1, sizeof(*a->verdicts));
	if (!a->verdicts)
		return bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, 0, _("out of memory"));
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
			return bundle__fail_field(d, name, _("not an unsigned integer from 1 to 9007199254740991"));
		}
		if (get_name(vf[1].val, colour, sizeof(colour)) || snt_colour_from_name(colour, &v->colour) ||
		    (v->colour != SNT_COLOUR_GREEN && v->colour != SNT_COLOUR_YELLOW && v->colour != SNT_COLOUR_RED)) {
			snprintf(name, sizeof(name), "%s.colour", prefix);
			return bundle__fail_field(d, name, _("not green, yellow or red"));
		}
		if (get_name(vf[2].val, v->platform, sizeof(v->platform)) || !bundle__platform_valid(v->platform)) {
			snprintf(name, sizeof(name), "%s.platform", prefix);
			return bundle__fail_field(d, name, _("not 1-32 of [a-z0-9-]"));
		}
		a->n_verdicts = i + 1;
	}
	if (rules_at >= 0) {
		rc = get_doc(f[rules_at].val, "rules", &a->rules, &a->rules_len, d);
		if (rc)
			return rc;
	}
	if (trust_at >= 0) {
		rc = get_doc(f[trust_at].val, "trust", &a->trust, &a->trust_len, d);
		if (rc)
			return rc;
	}
	if (issuers_at >= 0)
		return get_doc(f[issuers_at].val, "issuers", &a->issuers, &a->issuers_len, d);
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
		return bundle__fail(diag, SNT_BUNDLE_ERR_NOMEM, NULL, 0, _("out of memory"));
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
		rc = bundle__fail_field(diag, "time", _("not an integer"));
	cbor_decref(&root);
	if (rc)
		return rc;
	memcpy(device, dev, SNT_DEVICE_ID_LEN);
	*time_ms = t;
	return SNT_BUNDLE_OK;
}
