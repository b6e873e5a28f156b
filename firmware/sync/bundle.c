// SPDX-License-Identifier: MIT
/*
 * bundle: what the writer and the reader share (bundle_internal.h): the
 * diagnostics, names, the manifest-against-entries rules, file names and
 * error texts.  Writing is bundle_write.c, reading bundle_read.c.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "common/i18n.h"
#include "sync/bundle.h"
#include "sync/bundle_internal.h"

const uint8_t bundle__zero_hash[SNT_HASH_LEN];

/* ---- diagnostics ---- */

void bundle__diag_clear(struct snt_bundle_diag *d)
{
	if (d)
		memset(d, 0, sizeof(*d));
}

enum snt_bundle_err bundle__fail(struct snt_bundle_diag *d, enum snt_bundle_err err, const char *field, int64_t seq,
				const char *fmt, ...)
{
	va_list ap;
	uint32_t cp;
	size_t len, i;
	int n;

	if (!d)
		return err;
	memset(d, 0, sizeof(*d));
	if (field)
		snt_strlcpy(d->field, field, sizeof(d->field));
	d->seq = seq;
	va_start(ap, fmt);
	n = vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	if (n < (int)sizeof(d->msg))
		return err;
	/* Cut short (a translated message is UTF-8): end before a character cut in two. */
	len = strlen(d->msg);
	for (i = len; i > 0 && len - i < 3 && ((uint8_t)d->msg[i - 1] & 0xc0) == 0x80; i--)
		;
	if (i > 0 && (uint8_t)d->msg[i - 1] >= 0xc0 &&
	    snt_utf8_decode((const uint8_t *)d->msg + i - 1, len - i + 1, &cp) == 0)
		d->msg[i - 1] = '\0';
	return err;
}

enum snt_bundle_err bundle__fail_field(struct snt_bundle_diag *d, const char *field, const char *what)
{
	return bundle__fail(d, SNT_BUNDLE_ERR_FIELD, field, 0, _("field \"%s\": %s"), field, what);
}

enum snt_bundle_err bundle__fail_sign(struct snt_bundle_diag *d, enum snt_bundle_err err, enum snt_sign_err se,
				     const char *stage)
{
	bundle__fail(d, err, NULL, 0, _("%s: %s"), stage, snt_sign_strerror(se));
	if (d)
		d->sign = se;
	return err;
}

/* ---- names ---- */

bool snt_bundle_device_id_valid(const char *id)
{
	return snt_device_id_valid(id);
}

static const char *const kind_names[] = { "regular", "priority" };

const char *snt_bundle_kind_name(enum snt_bundle_kind k)
{
	return (unsigned)k < SNT_ARRAY_SIZE(kind_names) ? kind_names[k] : NULL;
}

int snt_bundle_kind_from_name(const char *name, enum snt_bundle_kind *out)
{
	int i = snt_name_index(kind_names, SNT_ARRAY_SIZE(kind_names), name);

	if (i < 0)
		return -1;
	*out = (enum snt_bundle_kind)i;
	return 0;
}

bool bundle__platform_valid(const char *p)
{
	size_t n;

	for (n = 0; p[n]; n++)
		if (n >= SNT_PLATFORM_LEN - 1 || !((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9') || p[n] == '-'))
			return false;
	return n > 0;
}

/* ---- shared bundle rules (encoder and decoder) ---- */

enum snt_bundle_err bundle__check_span(const struct snt_bundle_manifest *m, size_t n, size_t max,
				       const struct snt_entry *first, const struct snt_entry *last,
				       struct snt_bundle_diag *d)
{
	if (n == 0 || n > max || m->count != (int64_t)n) {
		bundle__fail(d, SNT_BUNDLE_ERR_COUNT, "count", 0,
			     P_("count %" PRId64 " but %zu entry (1 to %zu allowed)",
				"count %" PRId64 " but %zu entries (1 to %zu allowed)", n), m->count, n, max);
		if (d && (n == 0 || n > max))
			d->limit = max;
		return SNT_BUNDLE_ERR_COUNT;
	}
	if (m->first < 1 || m->last < m->first)
		return bundle__fail(d, SNT_BUNDLE_ERR_MANIFEST, "first", 0,
				    _("first %" PRId64 ", last %" PRId64 " out of range"),
			    m->first, m->last);
	if ((first && first->seq != m->first) || (last && last->seq != m->last))
		return bundle__fail(d, SNT_BUNDLE_ERR_MANIFEST, first && first->seq != m->first ? "first" : "last", 0,
			    _("manifest first/last %" PRId64 "-%" PRId64 " but entries %" PRId64 "-%" PRId64), m->first,
			    m->last, first ? first->seq : m->first, last ? last->seq : m->last);
	return SNT_BUNDLE_OK;
}

enum snt_bundle_err bundle__check_entry(const struct snt_bundle_manifest *m, const struct snt_entry *prev,
					const struct snt_entry *e, size_t i, struct snt_bundle_diag *d)
{
	uint8_t h[SNT_HASH_LEN];
	enum snt_store_err se;

	if (e->seq < 1)
		return bundle__fail(d, SNT_BUNDLE_ERR_ORDER, "seq", e->seq, _("entry %zu: seq %" PRId64 " below 1"), i,
			    e->seq);
	if (prev) {
		if (m->kind == SNT_BUNDLE_REGULAR && e->seq != prev->seq + 1)
			return bundle__fail(d, SNT_BUNDLE_ERR_ORDER, "seq", e->seq,
				    _("entry seq %" PRId64 " follows seq %" PRId64 " (gap or out of order)"),
				    e->seq, prev->seq);
		if (e->seq <= prev->seq)
			return bundle__fail(d, SNT_BUNDLE_ERR_ORDER, "seq", e->seq,
				    _("entry seq %" PRId64 " follows seq %" PRId64 " (not ascending)"), e->seq,
				    prev->seq);
		if (m->kind == SNT_BUNDLE_REGULAR && memcmp(e->prev_hash, prev->hash, SNT_HASH_LEN))
			return bundle__fail(d, SNT_BUNDLE_ERR_CHAIN, "prev_hash", e->seq,
				    _("entry seq %" PRId64 ": prev_hash does not link"), e->seq);
	}
	if (e->seq == 1 && memcmp(e->prev_hash, bundle__zero_hash, SNT_HASH_LEN))
		return bundle__fail(d, SNT_BUNDLE_ERR_CHAIN, "prev_hash", 1,
			    _("entry seq 1: prev_hash is not 32 zero bytes"));
	se = snt_store_entry_hash(e, h);
	if (se == SNT_STORE_ERR_NOMEM)
		return bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, e->seq, _("out of memory"));
	if (se)
		return bundle__fail(d, SNT_BUNDLE_ERR_FIELD, "entries", e->seq,
			    _("entry seq %" PRId64 ": a value out of range"), e->seq);
	if (memcmp(h, e->hash, SNT_HASH_LEN))
		return bundle__fail(d, SNT_BUNDLE_ERR_HASH, "hash", e->seq, _("entry seq %" PRId64 ": hash mismatch"),
			    e->seq);
	return SNT_BUNDLE_OK;
}

enum snt_bundle_err bundle__check_ends(const struct snt_bundle_manifest *m, const struct snt_entry *first,
				       const struct snt_entry *last, struct snt_bundle_diag *d)
{
	/* Unreachable after the contiguity check; kept as the rule itself. */
	if (m->kind == SNT_BUNDLE_REGULAR && m->last - m->first + 1 != m->count)
		return bundle__fail(d, SNT_BUNDLE_ERR_COUNT, "count", 0,
			    _("regular bundle count %" PRId64 " is not last - first + 1 = %" PRId64), m->count,
			    m->last - m->first + 1);
	if (memcmp(m->prev, first->prev_hash, SNT_HASH_LEN))
		return bundle__fail(d, SNT_BUNDLE_ERR_MANIFEST, "prev", first->seq,
			    _("manifest prev is not the prev_hash of entry seq %" PRId64), first->seq);
	if (memcmp(m->head, last->hash, SNT_HASH_LEN))
		return bundle__fail(d, SNT_BUNDLE_ERR_MANIFEST, "head", last->seq,
			    _("manifest head is not the hash of entry seq %" PRId64), last->seq);
	return SNT_BUNDLE_OK;
}

enum snt_bundle_err bundle__check(const struct snt_bundle_manifest *m, const struct snt_entry *e, size_t n,
				  size_t max, struct snt_bundle_diag *d)
{
	enum snt_bundle_err rc = bundle__check_span(m, n, max, n ? &e[0] : NULL, n ? &e[n - 1] : NULL, d);

	for (size_t i = 0; !rc && i < n; i++)
		rc = bundle__check_entry(m, i ? &e[i - 1] : NULL, &e[i], i, d);
	return rc ? rc : bundle__check_ends(m, &e[0], &e[n - 1], d);
}

/* ---- file names ---- */

static enum snt_bundle_err name_put(char *buf, size_t size, const char *fmt, ...) SNT_PRINTF(3, 4);

static enum snt_bundle_err name_put(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? SNT_BUNDLE_ERR_INVAL : SNT_BUNDLE_OK;
}

enum snt_bundle_err snt_bundle_file_name(const struct snt_bundle_manifest *m, char *buf, size_t size)
{
	if (!m || !buf || !snt_bundle_device_id_valid(m->device) || m->first < 0 || m->last < 0 ||
	    !snt_bundle_kind_name(m->kind))
		return SNT_BUNDLE_ERR_INVAL;
	return name_put(buf, size, "%s-%" PRId64 "-%" PRId64 "-%s" SNT_BUNDLE_EXT, m->device, m->first, m->last,
			snt_bundle_kind_name(m->kind));
}

enum snt_bundle_err snt_bundle_ack_file_name(const char *device, int64_t seq, char *buf, size_t size)
{
	if (!buf || !snt_bundle_device_id_valid(device) || seq < 0)
		return SNT_BUNDLE_ERR_INVAL;
	/* i18n-exempt: a file name */
	return name_put(buf, size, "ack-%s-%" PRId64 SNT_BUNDLE_COSE_EXT, device, seq);
}

enum snt_bundle_err snt_bundle_time_file_name(const char *device, int64_t time_ms, char *buf, size_t size)
{
	if (!buf || !snt_bundle_device_id_valid(device) || time_ms < 0)
		return SNT_BUNDLE_ERR_INVAL;
	/* i18n-exempt: a file name */
	return name_put(buf, size, "time-%s-%" PRId64 SNT_BUNDLE_COSE_EXT, device, time_ms);
}

/* A decimal number ending at @end (exclusive), starting after the last '-' before it. */
static int num_from_right(const char *start, const char **end, int64_t *out)
{
	const char *p = *end;
	int64_t v = 0;
	size_t digits;

	while (p > start && p[-1] >= '0' && p[-1] <= '9')
		p--;
	digits = (size_t)(*end - p);
	if (digits == 0 || digits > 18 || (digits > 1 && *p == '0') || p == start || p[-1] != '-')
		return -1;
	for (const char *q = p; q < *end; q++)
		v = v * 10 + (*q - '0');
	*out = v;
	*end = p - 1;	/* at the '-' */
	return 0;
}

static int device_part(const char *start, const char *end, char *device)
{
	char dev[SNT_DEVICE_ID_LEN];
	size_t n = (size_t)(end - start);

	if (n == 0 || n >= sizeof(dev))
		return -1;
	memcpy(dev, start, n);
	dev[n] = '\0';
	if (!snt_bundle_device_id_valid(dev))
		return -1;
	if (device)
		memcpy(device, dev, n + 1);
	return 0;
}

static int has_suffix(const char *name, const char *suffix, const char **end)
{
	size_t n = strlen(name), s = strlen(suffix);

	if (n <= s || strcmp(name + n - s, suffix))
		return -1;
	*end = name + n - s;
	return 0;
}

int snt_bundle_file_name_parse(const char *name, char *device, int64_t *first, int64_t *last,
			       enum snt_bundle_kind *kind)
{
	const char *end, *dash;
	enum snt_bundle_kind k;
	char kbuf[16];
	int64_t f, l;

	if (!name || strlen(name) >= SNT_BUNDLE_NAME_LEN || has_suffix(name, SNT_BUNDLE_EXT, &end))
		return -1;
	dash = end;
	while (dash > name && dash[-1] != '-')
		dash--;
	if (dash == name || (size_t)(end - dash) >= sizeof(kbuf))
		return -1;
	memcpy(kbuf, dash, (size_t)(end - dash));
	kbuf[end - dash] = '\0';
	if (snt_bundle_kind_from_name(kbuf, &k))
		return -1;
	end = dash - 1;
	if (num_from_right(name, &end, &l) || num_from_right(name, &end, &f) || f < 1 || f > l)
		return -1;
	if (device_part(name, end, device))
		return -1;
	if (first)
		*first = f;
	if (last)
		*last = l;
	if (kind)
		*kind = k;
	return 0;
}

static int cose_name_parse(const char *name, const char *prefix, char *device, int64_t *num)
{
	const char *end;
	size_t pl = strlen(prefix);
	int64_t v;

	if (!name || strlen(name) >= SNT_BUNDLE_NAME_LEN || strncmp(name, prefix, pl) ||
	    has_suffix(name, SNT_BUNDLE_COSE_EXT, &end) || end < name + pl)
		return -1;
	if (num_from_right(name + pl, &end, &v) || device_part(name + pl, end, device))
		return -1;
	if (num)
		*num = v;
	return 0;
}

int snt_bundle_ack_file_name_parse(const char *name, char *device, int64_t *seq)
{
	return cose_name_parse(name, "ack-", device, seq);
}

int snt_bundle_time_file_name_parse(const char *name, char *device, int64_t *time_ms)
{
	return cose_name_parse(name, "time-", device, time_ms);
}

static const char *const err_text[] = {
	[SNT_BUNDLE_OK] = N_("success"),
	[SNT_BUNDLE_ERR_INVAL] = N_("invalid argument"),
	[SNT_BUNDLE_ERR_NOMEM] = N_("out of memory"),
	[SNT_BUNDLE_ERR_UNSEAL] = N_("cannot unseal (truncated, altered, or sealed to another key)"),
	[SNT_BUNDLE_ERR_SIGNATURE] = N_("signature not valid"),
	[SNT_BUNDLE_ERR_UNKNOWN_DEVICE] = N_("unknown device"),
	[SNT_BUNDLE_ERR_KID] = N_("signed by a key other than the expected one (kid mismatch)"),
	[SNT_BUNDLE_ERR_CBOR] = N_("payload is not a well-formed CBOR map"),
	[SNT_BUNDLE_ERR_TYPE] = N_("wrong or unknown document type"),
	[SNT_BUNDLE_ERR_VERSION] = N_("unsupported version"),
	[SNT_BUNDLE_ERR_FIELD] = N_("bad field"),
	[SNT_BUNDLE_ERR_COUNT] = N_("count does not match"),
	[SNT_BUNDLE_ERR_MANIFEST] = N_("manifest does not match the entries"),
	[SNT_BUNDLE_ERR_ORDER] = N_("entries out of order or with a gap"),
	[SNT_BUNDLE_ERR_CHAIN] = N_("chain broken (prev_hash does not link)"),
	[SNT_BUNDLE_ERR_HASH] = N_("entry hash mismatch"),
	[SNT_BUNDLE_ERR_CRYPTO] = N_("signing or sealing failed"),
	[SNT_BUNDLE_ERR_IO] = N_("the bundle file could not be read again as it was checked"),
};

const char *snt_bundle_strerror(enum snt_bundle_err err)
{
	return _(snt_table_text(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error")));
}

bool snt_bundle_record_matches(const struct snt_entry *e, const uint8_t *sealed, size_t len)
{
	uint8_t digest[SNT_HASH_LEN], want[SNT_HASH_LEN];
	const char *hex;
	unsigned int dn = 0;
	json_t *root;
	bool ok = false;

	if (!e || !sealed || !len || !e->detail[0])
		return false;
	root = json_loads(e->detail, JSON_REJECT_DUPLICATES, NULL);
	hex = json_string_value(json_object_get(json_object_get(root, "idcard"), "sealed"));
	if (hex && strlen(hex) == 2 * SNT_HASH_LEN && snt_hex_decode(hex, want) == SNT_HASH_LEN &&
	    EVP_Digest(sealed, len, digest, &dn, EVP_sha256(), NULL) && dn == SNT_HASH_LEN)
		ok = !memcmp(digest, want, SNT_HASH_LEN);
	json_decref(root);
	return ok;
}
