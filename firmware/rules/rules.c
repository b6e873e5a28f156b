// SPDX-License-Identifier: MIT
/*
 * The bureau's rule set: strict decoding, verification, atomic install.
 * See rules.h for the format.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cbor.h>

#include "common/i18n.h"
#include "cose/cose.h"
#include "rules/rules.h"
#include "rules/rules_internal.h"
#include "sign/sign.h"

#define MS_PER_DAY 86400000LL
/* Times must be plausible epoch milliseconds: 1970 .. 9999-12-31. */
#define MAX_TIME_MS 253402300799999LL

static const char *const err_text[] = {
	[SNT_RULES_OK] = N_("success"),
	[SNT_RULES_ERR_INVAL] = N_("invalid argument"),
	[SNT_RULES_ERR_NOMEM] = N_("out of memory"),
	[SNT_RULES_ERR_NONE] = N_("no rule set installed"),
	[SNT_RULES_ERR_IO] = N_("rule-set file I/O error"),
	[SNT_RULES_ERR_TOO_LARGE] = N_("rule-set file too large"),
	[SNT_RULES_ERR_SIGNATURE] = N_("rule set not signed by the bureau's key"),
	[SNT_RULES_ERR_PAYLOAD] = N_("invalid rule set"),
	[SNT_RULES_ERR_OLD] = N_("rule set not newer than the active one"),
	[SNT_RULES_ERR_ELSEWHERE] = N_("addressed to another home or gate"),
};

static const char *const freshness_names[] = {
	[SNT_RULES_FRESH] = "fresh",
	[SNT_RULES_STALE] = "stale",
	[SNT_RULES_EXPIRED] = "expired",
};

static const char *const mode_names[] = {
	[SNT_RULES_OPEN] = "open",
	[SNT_RULES_CLOSED] = "closed",
};

const char *snt_rules_strerror(enum snt_rules_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error"));
}

const char *snt_rules_freshness_name(enum snt_rules_freshness f)
{
	return snt_table_text(freshness_names, SNT_ARRAY_SIZE(freshness_names), f, "?");
}

const char *snt_rules_mode_name(enum snt_rules_mode m)
{
	return snt_table_text(mode_names, SNT_ARRAY_SIZE(mode_names), m, "?");
}

uint64_t snt_rules_event_version(const char *detail)
{
	unsigned long long v;

	return detail && sscanf(detail, "version %llu", &v) == 1 ? (uint64_t)v : 0;
}

/* ---- dates (proleptic Gregorian, H. Hinnant's days_from_civil) ---- */

static int32_t days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

int snt_rules_parse_date(const char *s, int32_t *day)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, dim;

	if (!s || !day || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1)
		return -1;
	dim = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	if (d > dim)
		return -1;
	*day = days_from_civil(y, m, d);
	return 0;
}

void snt_rules_format_date(int32_t day, char *buf, size_t size)
{
	/* H. Hinnant's civil_from_days. */
	int z = day + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int y = yoe + era * 400;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int d = doy - (153 * mp + 2) / 5 + 1;
	int m = mp + (mp < 10 ? 3 : -9);

	y += m <= 2;
	snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
}

/* ---- strict CBOR decoding ---- */

struct dec {
	char *errbuf;
	size_t errlen;
};

/* An unsigned integer (major type 0). */
static int get_uint(const cbor_item_t *item, uint64_t *out)
{
	if (!item || !cbor_isa_uint(item))
		return -1;
	*out = cbor_get_int(item);
	return 0;
}

/* An integer of major type 0 or 1 within int64. */
static int get_int(const cbor_item_t *item, int64_t *out)
{
	uint64_t v;

	if (!item || !(cbor_isa_uint(item) || cbor_isa_negint(item)))
		return -1;
	v = cbor_get_int(item);
	if (v > INT64_MAX)
		return -1;
	*out = cbor_isa_uint(item) ? (int64_t)v : -1 - (int64_t)v;
	return 0;
}

static enum snt_rules_err bad(struct dec *d, const char *field, const char *why)
{
	snt_msg(d->errbuf, d->errlen, _("field '%s': %s"), field, why);
	return SNT_RULES_ERR_PAYLOAD;
}

static enum snt_rules_err get_time(struct dec *d, const cbor_item_t *v, const char *field, int64_t *out)
{
	uint64_t t;

	if (get_uint(v, &t))
		return bad(d, field, _("not an unsigned integer (ms since the epoch)"));
	if (t > (uint64_t)MAX_TIME_MS)
		return bad(d, field, _("time past the year 9999"));
	*out = (int64_t)t;
	return SNT_RULES_OK;
}

static int is_printable_ascii(const char *s)
{
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return 0;
	return 1;
}

static enum snt_rules_err dec_colours(struct dec *d, const cbor_item_t *v, struct snt_rules *r)
{
	char name[16], field[32];

	if (!cbor_isa_array(v) || !cbor_array_is_definite(v))
		return bad(d, "colours", _("not a definite array"));
	for (size_t i = 0; i < cbor_array_size(v); i++) {
		enum snt_colour c;

		snprintf(field, sizeof(field), "colours[%zu]", i);
		if (snt_cose_cbor_text_copy(cbor_array_handle(v)[i], name, sizeof(name)))
			return bad(d, field, _("not a colour name"));
		if (snt_colour_from_name(name, &c) || (c != SNT_COLOUR_GREEN && c != SNT_COLOUR_YELLOW))
			return bad(d, field, _("not \"green\" or \"yellow\""));
		if (r->colours & (1u << c))
			return bad(d, field, _("listed twice"));
		r->colours |= 1u << c;
	}
	if (!(r->colours & (1u << SNT_COLOUR_GREEN)))
		return bad(d, "colours", _("\"green\" is required"));
	return SNT_RULES_OK;
}

static enum snt_rules_err dec_formats(struct dec *d, const cbor_item_t *v, struct snt_rules *r)
{
	char name[16], field[32];

	if (!cbor_isa_array(v) || !cbor_array_is_definite(v))
		return bad(d, "formats", _("not a definite array"));
	if (cbor_array_size(v) == 0)
		return bad(d, "formats", _("empty"));
	for (size_t i = 0; i < cbor_array_size(v); i++) {
		enum snt_code_format f;

		snprintf(field, sizeof(field), "formats[%zu]", i);
		if (snt_cose_cbor_text_copy(cbor_array_handle(v)[i], name, sizeof(name)))
			return bad(d, field, _("not a format name"));
		if (snt_code_format_from_name(name, &f) || f == SNT_FORMAT_NONE)
			return bad(d, field, _("not one of healthcode, hcert, lt1, nzcp, shc"));
		if (r->formats & (1u << f))
			return bad(d, field, _("listed twice"));
		r->formats |= 1u << f;
	}
	return SNT_RULES_OK;
}

static enum snt_rules_err dec_regions(struct dec *d, const cbor_item_t *v, struct snt_rules *r)
{
	char field[40];

	if (!cbor_isa_array(v) || !cbor_array_is_definite(v))
		return bad(d, "risk_regions", _("not a definite array"));
	if (cbor_array_size(v) > SNT_RULES_MAX_REGIONS)
		return bad(d, "risk_regions", _("more than 1024 regions"));
	for (size_t i = 0; i < cbor_array_size(v); i++) {
		char *reg = r->regions[i];

		snprintf(field, sizeof(field), "risk_regions[%zu]", i);
		if (snt_cose_cbor_text_copy(cbor_array_handle(v)[i], reg, SNT_REGION_LEN) || strlen(reg) != 6 ||
		    strspn(reg, "0123456789") != 6 || !strcmp(reg, "000000"))
			return bad(d, field, _("not a six-digit region code"));
		for (size_t j = 0; j < i; j++)
			if (!strcmp(r->regions[j], reg))
				return bad(d, field, _("listed twice"));
		r->n_regions = i + 1;
	}
	return SNT_RULES_OK;
}

static enum snt_rules_err dec_staff_one(struct dec *d, const cbor_item_t *m, size_t i,
					struct snt_rules_staff *s)
{
	static const char *const names[] = { "ref", "name", "last_test" };
	bool seen[3] = { false, false, false };
	char field[48], key[16];
	struct cbor_pair *pairs;

	snprintf(field, sizeof(field), "staff[%zu]", i);
	if (!cbor_isa_map(m) || !cbor_map_is_definite(m))
		return bad(d, field, _("not a definite map"));
	pairs = cbor_map_handle(m);
	for (size_t k = 0; k < cbor_map_size(m); k++) {
		const cbor_item_t *v = pairs[k].value;
		int idx, rc;

		if (snt_cose_cbor_text_copy(pairs[k].key, key, sizeof(key)))
			return bad(d, field, _("a key is not a short text string"));
		idx = snt_name_index(names, SNT_ARRAY_SIZE(names), key);
		snprintf(field, sizeof(field), "staff[%zu].%s", i, key);
		if (idx < 0)
			return bad(d, field, _("unknown key"));
		if (seen[idx])
			return bad(d, field, _("given twice"));
		seen[idx] = true;
		switch (idx) {
		case 0:
			rc = snt_cose_cbor_text_copy(v, s->ref, sizeof(s->ref));
			if (rc || !s->ref[0] || !is_printable_ascii(s->ref))
				return bad(d, field, _("not a reference of 1-32 printable ASCII characters"));
			break;
		case 1:
			rc = snt_cose_cbor_text_copy(v, s->name, sizeof(s->name));
			if (rc || !s->name[0] || !snt_code_is_text((const uint8_t *)s->name, strlen(s->name)))
				return bad(d, field, _("not a masked name of 1-63 bytes of text"));
			break;
		default:
			if (snt_cose_cbor_text_copy(v, s->last_test, sizeof(s->last_test)) ||
			    snt_rules_parse_date(s->last_test, &s->last_test_day))
				return bad(d, field, _("not a date YYYY-MM-DD"));
			break;
		}
	}
	for (size_t k = 0; k < SNT_ARRAY_SIZE(names); k++) {
		if (!seen[k]) {
			snprintf(field, sizeof(field), "staff[%zu].%s", i, names[k]);
			return bad(d, field, _("missing"));
		}
	}
	return SNT_RULES_OK;
}

static enum snt_rules_err dec_staff(struct dec *d, const cbor_item_t *v, struct snt_rules *r)
{
	enum snt_rules_err err;
	char field[48];

	if (!cbor_isa_array(v) || !cbor_array_is_definite(v))
		return bad(d, "staff", _("not a definite array"));
	if (cbor_array_size(v) > SNT_RULES_MAX_STAFF)
		return bad(d, "staff", _("more than 1024 staff"));
	for (size_t i = 0; i < cbor_array_size(v); i++) {
		err = dec_staff_one(d, cbor_array_handle(v)[i], i, &r->staff[i]);
		if (err)
			return err;
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(r->staff[j].ref, r->staff[i].ref)) {
				snprintf(field, sizeof(field), "staff[%zu].ref", i);
				return bad(d, field, _("reference listed twice"));
			}
		}
		r->n_staff = i + 1;
	}
	return SNT_RULES_OK;
}

/*
 * A "gates" array: 1-@max distinct device ids of 1-63 printable ASCII
 * characters into @gates; rules_gates() is shared with credential.c.
 */
enum snt_rules_err rules__gates(const cbor_item_t *v, size_t max, char (*gates)[SNT_RULES_GATE_LEN], size_t *n,
				char *errbuf, size_t errlen)
{
	struct dec d = { errbuf, errlen };
	char field[64];

	if (!cbor_isa_array(v) || !cbor_array_is_definite(v))
		return bad(&d, "gates", _("not a definite array"));
	if (cbor_array_size(v) == 0 || cbor_array_size(v) > max) {
		snprintf(field, sizeof(field), _("not 1-%zu gates"), max);
		return bad(&d, "gates", field);
	}
	for (size_t i = 0; i < cbor_array_size(v); i++) {
		snprintf(field, sizeof(field), "gates[%zu]", i);
		if (snt_cose_cbor_text_copy(cbor_array_handle(v)[i], gates[i], SNT_RULES_GATE_LEN) || !gates[i][0] ||
		    !is_printable_ascii(gates[i]))
			return bad(&d, field, _("not a device id of 1-63 printable ASCII characters"));
		for (size_t j = 0; j < i; j++)
			if (!strcmp(gates[j], gates[i]))
				return bad(&d, field, _("listed twice"));
		*n = i + 1;
	}
	return SNT_RULES_OK;
}

/* A "home": 1-127 bytes of text. */
enum snt_rules_err rules__home(const cbor_item_t *v, char *home, char *errbuf, size_t errlen)
{
	struct dec d = { errbuf, errlen };

	if (snt_cose_cbor_text_copy(v, home, SNT_RULES_HOME_LEN) || !home[0] ||
	    !snt_code_is_text((const uint8_t *)home, strlen(home)))
		return bad(&d, "home", _("not a home of 1-127 bytes of text"));
	return SNT_RULES_OK;
}

enum key_id {
	K_TYPE, K_V, K_HOME, K_GATES, K_VERSION, K_MODE, K_FEVER, K_COLOURS, K_FORMATS, K_MAX_VISITORS, K_REGIONS,
	K_STAFF, K_TEST_AGE, K_FROM, K_UNTIL, K_HARD, K_ISSUED, K_IDCARD_KEY, K_MIN_AGE, K_MAX_AGE, K_COUNT
};

static const char *const key_names[K_COUNT] = {
	[K_TYPE] = "type", [K_V] = "v", [K_HOME] = "home", [K_GATES] = "gates", [K_VERSION] = "version", [K_MODE] = "mode",
	[K_FEVER] = "fever_threshold_mdc", [K_COLOURS] = "colours", [K_FORMATS] = "formats",
	[K_MAX_VISITORS] = "max_visitors", [K_REGIONS] = "risk_regions", [K_STAFF] = "staff",
	[K_TEST_AGE] = "max_test_age_days", [K_FROM] = "valid_from", [K_UNTIL] = "valid_until",
	[K_HARD] = "hard_limit_ms", [K_ISSUED] = "issued", [K_IDCARD_KEY] = "idcard_key", [K_MIN_AGE] = "min_age",
	[K_MAX_AGE] = "max_age",
};

static enum snt_rules_err dec_field(struct dec *d, enum key_id k, const cbor_item_t *v, struct snt_rules *r)
{
	const char *f = key_names[k];
	char text[16];
	uint64_t u = 0;
	int64_t i;

	switch (k) {
	case K_TYPE:
		if (snt_cose_cbor_text_copy(v, text, sizeof(text)) || strcmp(text, "rules"))
			return bad(d, f, _("not \"rules\""));
		return SNT_RULES_OK;
	case K_V:
		if (get_uint(v, &u) || u != 2)
			return bad(d, f, u == 1 ? _("format version 1 names no home: not accepted (version 2 needed)") :
				   _("not format version 2"));
		return SNT_RULES_OK;
	case K_HOME:
		return rules__home(v, r->home, d->errbuf, d->errlen);
	case K_GATES:
		return rules__gates(v, SNT_RULES_MAX_GATES, r->gates, &r->n_gates, d->errbuf, d->errlen);
	case K_VERSION:
		if (get_uint(v, &u) || u == 0 || u > INT64_MAX)
			return bad(d, f, _("not an unsigned integer 1-2^63"));
		r->version = u;
		return SNT_RULES_OK;
	case K_MODE: {
		int m;

		if (snt_cose_cbor_text_copy(v, text, sizeof(text)) ||
		    (m = snt_name_index(mode_names, SNT_ARRAY_SIZE(mode_names), text)) < 0)
			return bad(d, f, _("not \"open\" or \"closed\""));
		r->mode = (enum snt_rules_mode)m;
		return SNT_RULES_OK;
	}
	case K_FEVER:
		if (get_int(v, &i) || i < 37000 || i > 39000)
			return bad(d, f, _("not an integer 37000-39000 (milli-degrees Celsius)"));
		r->fever_threshold_mdc = (int32_t)i;
		return SNT_RULES_OK;
	case K_COLOURS:
		return dec_colours(d, v, r);
	case K_FORMATS:
		return dec_formats(d, v, r);
	case K_MAX_VISITORS:
		if (get_uint(v, &u) || u > 100000)
			return bad(d, f, _("not an unsigned integer 0-100000"));
		r->max_visitors = (uint32_t)u;
		return SNT_RULES_OK;
	case K_REGIONS:
		return dec_regions(d, v, r);
	case K_STAFF:
		return dec_staff(d, v, r);
	case K_TEST_AGE:
		if (get_uint(v, &u) || u < 1 || u > 366)
			return bad(d, f, _("not an unsigned integer 1-366 (days)"));
		r->max_test_age_days = (uint32_t)u;
		return SNT_RULES_OK;
	case K_FROM:
		return get_time(d, v, f, &r->valid_from_ms);
	case K_UNTIL:
		return get_time(d, v, f, &r->valid_until_ms);
	case K_HARD:
		if (get_uint(v, &u) || u > 366ULL * MS_PER_DAY)
			return bad(d, f, _("not an unsigned integer 0-366 days in ms"));
		r->hard_limit_ms = (int64_t)u;
		return SNT_RULES_OK;
	case K_ISSUED:
		return get_time(d, v, f, &r->issued_ms);
	case K_IDCARD_KEY:
		if (!cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v) ||
		    cbor_bytestring_length(v) < SNT_RULES_IDCARD_KEY_MIN ||
		    cbor_bytestring_length(v) > SNT_RULES_IDCARD_KEY_MAX)
			return bad(d, f, _("not a byte string of 16-64 bytes"));
		r->idcard_key_len = cbor_bytestring_length(v);
		memcpy(r->idcard_key, cbor_bytestring_handle(v), r->idcard_key_len);
		return SNT_RULES_OK;
	case K_MIN_AGE:
	case K_MAX_AGE:
		if (get_uint(v, &u) || u > SNT_RULES_AGE_MAX)
			return bad(d, f, _("not an unsigned integer 0-150 (years)"));
		if (k == K_MIN_AGE) {
			r->has_min_age = true;
			r->min_age = (uint32_t)u;
		} else {
			r->has_max_age = true;
			r->max_age = (uint32_t)u;
		}
		return SNT_RULES_OK;
	case K_COUNT:
		break;
	}
	return bad(d, f, _("unknown key"));
}

bool snt_rules_age_rule(const struct snt_rules *r)
{
	return r && (r->has_min_age || r->has_max_age);
}

bool snt_rules_age_allowed(const struct snt_rules *r, uint32_t age)
{
	if (!snt_rules_age_rule(r))
		return true;
	return (!r->has_min_age || age >= r->min_age) && (!r->has_max_age || age <= r->max_age);
}

enum snt_rules_err snt_rules_decode(const uint8_t *buf, size_t len, struct snt_rules **out, char *errbuf,
				    size_t errlen)
{
	struct dec d = { errbuf, errlen };
	bool seen[K_COUNT] = { false };
	enum snt_rules_err err = SNT_RULES_OK;
	struct snt_rules *r;
	struct cbor_pair *pairs;
	cbor_item_t *root;
	char key[32];

	if (!buf || !out)
		return SNT_RULES_ERR_INVAL;
	snt_msg(errbuf, errlen, "%s", "");
	/* Bounded well-formedness check first: no allocation for lengths the input cannot hold. */
	root = snt_cose_cbor_load(buf, len);
	if (!root) {
		snt_msg(errbuf, errlen, _("payload: not one well-formed CBOR item"));
		return SNT_RULES_ERR_PAYLOAD;
	}
	if (!cbor_isa_map(root) || !cbor_map_is_definite(root)) {
		cbor_decref(&root);
		snt_msg(errbuf, errlen, _("payload: not a definite CBOR map"));
		return SNT_RULES_ERR_PAYLOAD;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		cbor_decref(&root);
		return SNT_RULES_ERR_NOMEM;
	}
	pairs = cbor_map_handle(root);
	for (size_t i = 0; i < cbor_map_size(root) && !err; i++) {
		int k;

		if (snt_cose_cbor_text_copy(pairs[i].key, key, sizeof(key))) {
			snt_msg(errbuf, errlen, _("payload: key %zu is not a short text string"), i);
			err = SNT_RULES_ERR_PAYLOAD;
			break;
		}
		k = snt_name_index(key_names, K_COUNT, key);
		if (k < 0) {
			err = bad(&d, key, _("unknown key"));
			break;
		}
		if (seen[k]) {
			err = bad(&d, key, _("given twice"));
			break;
		}
		seen[k] = true;
		err = dec_field(&d, (enum key_id)k, pairs[i].value, r);
	}
	for (int k = 0; k < K_COUNT && !err; k++)
		if (!seen[k] && k != K_GATES && k != K_IDCARD_KEY && k != K_MIN_AGE && k != K_MAX_AGE)
			err = bad(&d, key_names[k], _("missing"));
	if (!err && r->has_min_age && r->has_max_age && r->min_age > r->max_age)
		err = bad(&d, "max_age", _("below min_age"));
	if (!err && r->valid_until_ms <= r->valid_from_ms)
		err = bad(&d, "valid_until", _("not after valid_from"));
	if (!err && r->valid_until_ms > MAX_TIME_MS - r->hard_limit_ms)
		err = bad(&d, "hard_limit_ms", _("valid_until + hard_limit_ms past the year 9999"));
	cbor_decref(&root);
	if (err) {
		free(r);
		return err;
	}
	*out = r;
	return SNT_RULES_OK;
}

enum snt_rules_err rules__sign1_open(const uint8_t *buf, size_t len, EVP_PKEY *bureau_pub, uint8_t **payload,
				     size_t *plen, char *errbuf, size_t errlen)
{
	enum snt_sign_err serr = snt_sign1_open(buf, len, bureau_pub, payload, plen);

	if (serr == SNT_SIGN_ERR_NOMEM)
		return SNT_RULES_ERR_NOMEM;
	if (serr == SNT_SIGN_ERR_INVAL || serr == SNT_SIGN_ERR_NOT_EC || serr == SNT_SIGN_ERR_NOT_P256) {
		snt_msg(errbuf, errlen, _("bureau key: %s"), snt_sign_strerror(serr));
		return SNT_RULES_ERR_INVAL;
	}
	if (serr) {
		snt_msg(errbuf, errlen, _("signature: %s"), snt_sign_strerror(serr));
		return SNT_RULES_ERR_SIGNATURE;
	}
	return SNT_RULES_OK;
}

enum snt_rules_err snt_rules_open(const uint8_t *buf, size_t len, EVP_PKEY *bureau_pub,
				  struct snt_rules **out, char *errbuf, size_t errlen)
{
	enum snt_rules_err err;
	uint8_t *payload = NULL;
	size_t plen = 0;

	if (!buf || !bureau_pub || !out)
		return SNT_RULES_ERR_INVAL;
	err = rules__sign1_open(buf, len, bureau_pub, &payload, &plen, errbuf, errlen);
	if (err)
		return err;
	err = snt_rules_decode(payload, plen, out, errbuf, errlen);
	free(payload);
	return err;
}

/* Read a whole regular file of at most SNT_RULES_MAX_FILE bytes. */
static enum snt_rules_err read_file(const char *path, uint8_t **out, size_t *out_len, char *errbuf,
				    size_t errlen)
{
	int rc = snt_read_file(path, SNT_RULES_MAX_FILE, out, out_len);

	switch (rc) {
	case 0:
		return SNT_RULES_OK;
	case ENOENT:
		return SNT_RULES_ERR_NONE;
	case ENOMEM:
		return SNT_RULES_ERR_NOMEM;
	case SNT_ETOOBIG:
		snt_msg(errbuf, errlen, P_("%s: larger than %d bytes", "%s: larger than %d bytes", SNT_RULES_MAX_FILE), path,
			SNT_RULES_MAX_FILE);
		return SNT_RULES_ERR_TOO_LARGE;
	case SNT_EREAD:
		rc = errno;
		snt_msg(errbuf, errlen, _("%s: read error: %s"), path, strerror(rc));
		errno = rc;
		return SNT_RULES_ERR_IO;
	default:
		snt_msg(errbuf, errlen, _("%s: %s"), path, snt_open_strerror(rc));
		if (rc > 0)
			errno = rc;
		return SNT_RULES_ERR_IO;
	}
}

static int join(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

enum snt_rules_err snt_rules_addressed(const char *home, const char (*gates)[SNT_RULES_GATE_LEN],
				       size_t n_gates, const struct snt_rules_gate *gate, char *errbuf,
				       size_t errlen)
{
	const char *gh, *gd;

	if (!home || (n_gates && !gates) || !gate)
		return SNT_RULES_ERR_INVAL;
	gh = gate->home ? gate->home : "";
	gd = gate->device_id ? gate->device_id : "";
	if (strcmp(home, gh)) {
		snt_msg(errbuf, errlen, _("addressed to home '%s', this gate's home is '%s'"), home, gh);
		return SNT_RULES_ERR_ELSEWHERE;
	}
	if (n_gates == 0)
		return SNT_RULES_OK;
	for (size_t i = 0; i < n_gates; i++)
		if (!strcmp(gates[i], gd))
			return SNT_RULES_OK;
	snt_msg(errbuf, errlen, _("addressed to gates of home '%s' other than '%s'"), home, gd);
	return SNT_RULES_ERR_ELSEWHERE;
}

/*
 * <@dir>/@name: read, verified, decoded and addressed to @gate; its bytes
 * into *@raw (may be NULL; free()).  @errbuf names the file.
 */
static enum snt_rules_err open_file(const char *dir, const char *name, EVP_PKEY *pub,
				    const struct snt_rules_gate *gate, struct snt_rules **out, uint8_t **raw,
				    size_t *raw_len, char *errbuf, size_t errlen)
{
	enum snt_rules_err err;
	struct snt_rules *r = NULL;
	char path[4096], why[384] = "";
	uint8_t *buf = NULL;
	size_t len = 0;

	if (join(path, sizeof(path), dir, name)) {
		snt_msg(errbuf, errlen, _("%s: path too long"), dir);
		return SNT_RULES_ERR_INVAL;
	}
	err = read_file(path, &buf, &len, errbuf, errlen);
	if (err == SNT_RULES_ERR_NONE)
		snt_msg(errbuf, errlen, _("%s: no rule set installed"), path);
	if (err)
		return err;
	err = snt_rules_open(buf, len, pub, &r, why, sizeof(why));
	if (!err) {
		err = snt_rules_addressed(r->home, (const char (*)[SNT_RULES_GATE_LEN])r->gates, r->n_gates, gate,
					  why, sizeof(why));
		if (err) {
			snt_rules_free(r);
			r = NULL;
		}
	}
	if (err) {
		snt_msg(errbuf, errlen, _("%s: %s"), path, why[0] ? why : snt_rules_strerror(err));
		free(buf);
		return err;
	}
	*out = r;
	if (raw) {
		*raw = buf;
		*raw_len = len;
	} else {
		free(buf);
	}
	return SNT_RULES_OK;
}

static bool fatal(enum snt_rules_err e)
{
	return e == SNT_RULES_ERR_NOMEM || e == SNT_RULES_ERR_INVAL;
}

void snt_rules_dir_stamp(const char *dir, struct snt_rules_stamp *out)
{
	static const char *const names[3] = { SNT_RULES_FILE, SNT_RULES_KEPT_FILE, SNT_RULES_PENDING_FILE };

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < 3; i++) {
		char path[PATH_MAX];
		struct stat sb;

		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path) ||
		    stat(path, &sb) != 0)
			continue;
		out->file[i].dev = (uint64_t)sb.st_dev;
		out->file[i].ino = (uint64_t)sb.st_ino;
		out->file[i].size = (uint64_t)sb.st_size;
		out->file[i].ctime_ns = (int64_t)sb.st_ctim.tv_sec * 1000000000 + sb.st_ctim.tv_nsec;
		out->file[i].mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	}
}

bool snt_rules_stamp_equal(const struct snt_rules_stamp *a, const struct snt_rules_stamp *b)
{
	for (size_t i = 0; i < 3; i++) {
		if (a->file[i].dev != b->file[i].dev || a->file[i].ino != b->file[i].ino ||
		    a->file[i].size != b->file[i].size || a->file[i].ctime_ns != b->file[i].ctime_ns ||
		    a->file[i].mtime_ns != b->file[i].mtime_ns)
			return false;
	}
	return true;
}

enum snt_rules_err snt_rules_load(const char *dir, EVP_PKEY *bureau_pub, const struct snt_rules_gate *gate,
				  struct snt_rules **out, struct snt_rules_load_info *info, char *errbuf,
				  size_t errlen)
{
	struct snt_rules_load_info dummy;
	struct snt_rules *r = NULL, *p = NULL;
	enum snt_rules_err err, kerr;
	char active_why[256] = "", kept_why[256] = "";

	if (!dir || !bureau_pub || !gate || !out)
		return SNT_RULES_ERR_INVAL;
	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	err = open_file(dir, SNT_RULES_FILE, bureau_pub, gate, &r, NULL, NULL, active_why, sizeof(active_why));
	if (fatal(err)) {
		snt_msg(errbuf, errlen, "%s", active_why);
		return err;
	}
	if (err) {
		/* The active file is gone or damaged: the last good set, kept beside it. */
		kerr = open_file(dir, SNT_RULES_KEPT_FILE, bureau_pub, gate, &r, NULL, NULL, kept_why,
				 sizeof(kept_why));
		if (fatal(kerr)) {
			snt_msg(errbuf, errlen, "%s", kept_why);
			return kerr;
		}
		if (kerr) {
			if (err == SNT_RULES_ERR_NONE && kerr != SNT_RULES_ERR_NONE) {
				snt_msg(errbuf, errlen, "%s", kept_why);
				return kerr;
			}
			snt_msg(errbuf, errlen, "%s", active_why);
			return err;
		}
		info->kept = true;
		snt_strlcpy(info->active_error, active_why, sizeof(info->active_error));
	}
	if (open_file(dir, SNT_RULES_PENDING_FILE, bureau_pub, gate, &p, NULL, NULL, NULL, 0) == SNT_RULES_OK) {
		if (p->version > r->version) {
			info->pending = true;
			info->pending_version = p->version;
			info->pending_from_ms = p->valid_from_ms;
		}
		snt_rules_free(p);
	}
	*out = r;
	return SNT_RULES_OK;
}

/* Write @len bytes to a new @path (mode 0644), fsync'd. */
static int write_durable(const char *path, const uint8_t *buf, size_t len)
{
	int fd, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -1;
	if (snt_write_all(fd, buf, len) || fsync(fd))
		goto err_close;
	if (close(fd))
		return -1;
	return 0;
err_close:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* <@dir>/@name := @buf, through <name>.tmp, rename and a directory fsync. */
static enum snt_rules_err put_file(const char *dir, const char *name, const uint8_t *buf, size_t len,
				   char *errbuf, size_t errlen)
{
	char path[4096], tmp[4096];
	int saved;

	if (join(path, sizeof(path), dir, name) || snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snt_msg(errbuf, errlen, _("%s: path too long"), dir);
		return SNT_RULES_ERR_INVAL;
	}
	if (write_durable(tmp, buf, len)) {
		saved = errno;
		unlink(tmp);
		snt_msg(errbuf, errlen, _("%s: %s"), tmp, strerror(saved));
		errno = saved;
		return SNT_RULES_ERR_IO;
	}
	if (rename(tmp, path)) {
		saved = errno;
		unlink(tmp);
		snt_msg(errbuf, errlen, _("%s: rename: %s"), path, strerror(saved));
		errno = saved;
		return SNT_RULES_ERR_IO;
	}
	saved = snt_fsync_dir(dir);
	if (saved) {
		snt_msg(errbuf, errlen, _("%s: fsync: %s"), dir, strerror(saved));
		errno = saved;
		return SNT_RULES_ERR_IO;
	}
	return SNT_RULES_OK;
}

/* Remove <@dir>/@name (gone already is fine) durably. */
static enum snt_rules_err drop_file(const char *dir, const char *name, char *errbuf, size_t errlen)
{
	char path[4096];
	int saved;

	if (join(path, sizeof(path), dir, name)) {
		snt_msg(errbuf, errlen, _("%s: path too long"), dir);
		return SNT_RULES_ERR_INVAL;
	}
	if (unlink(path) && errno != ENOENT) {
		snt_msg(errbuf, errlen, _("%s: %s"), path, strerror(errno));
		return SNT_RULES_ERR_IO;
	}
	saved = snt_fsync_dir(dir);
	if (saved) {
		snt_msg(errbuf, errlen, _("%s: fsync: %s"), dir, strerror(saved));
		errno = saved;
		return SNT_RULES_ERR_IO;
	}
	return SNT_RULES_OK;
}

/* @buf becomes the active set: rules.cose, then its kept copy; a pending set (older) goes. */
static enum snt_rules_err make_active(const char *dir, const uint8_t *buf, size_t len, char *errbuf,
				      size_t errlen)
{
	enum snt_rules_err err;

	err = put_file(dir, SNT_RULES_FILE, buf, len, errbuf, errlen);
	if (!err)
		err = put_file(dir, SNT_RULES_KEPT_FILE, buf, len, errbuf, errlen);
	if (!err)
		err = drop_file(dir, SNT_RULES_PENDING_FILE, errbuf, errlen);
	return err;
}

enum snt_rules_err snt_rules_install(const char *dir, EVP_PKEY *bureau_pub, const struct snt_rules_gate *gate,
				     const uint8_t *buf, size_t len, int64_t now_ms,
				     struct snt_rules_install_result *res, char *errbuf, size_t errlen)
{
	struct snt_rules *fresh = NULL, *other = NULL;
	char why[512];
	enum snt_rules_err err;
	uint64_t previous = 0, pending = 0;
	bool later;

	if (!dir || !bureau_pub || !gate || !buf)
		return SNT_RULES_ERR_INVAL;
	if (len > SNT_RULES_MAX_FILE) {
		snt_msg(errbuf, errlen, P_("larger than %d bytes", "larger than %d bytes", SNT_RULES_MAX_FILE),
			SNT_RULES_MAX_FILE);
		return SNT_RULES_ERR_TOO_LARGE;
	}
	err = snt_rules_open(buf, len, bureau_pub, &fresh, errbuf, errlen);
	if (err)
		return err;
	err = snt_rules_addressed(fresh->home, (const char (*)[SNT_RULES_GATE_LEN])fresh->gates, fresh->n_gates,
				  gate, errbuf, errlen);
	if (err)
		goto out;

	/* The active and pending sets; one that does not verify or is addressed elsewhere counts as none. */
	err = snt_rules_load(dir, bureau_pub, gate, &other, NULL, why, sizeof(why));
	if (err == SNT_RULES_OK) {
		previous = other->version;
		snt_rules_free(other);
		other = NULL;
	} else if (err == SNT_RULES_ERR_NOMEM || err == SNT_RULES_ERR_IO || err == SNT_RULES_ERR_INVAL) {
		snt_msg(errbuf, errlen, "%s", why);
		goto out;
	}
	err = open_file(dir, SNT_RULES_PENDING_FILE, bureau_pub, gate, &other, NULL, NULL, why, sizeof(why));
	if (err == SNT_RULES_OK) {
		pending = other->version;
		snt_rules_free(other);
		other = NULL;
	} else if (err == SNT_RULES_ERR_NOMEM || err == SNT_RULES_ERR_IO || err == SNT_RULES_ERR_INVAL) {
		snt_msg(errbuf, errlen, "%s", why);
		goto out;
	}
	err = SNT_RULES_ERR_OLD;
	if (fresh->version <= previous) {
		snt_msg(errbuf, errlen, _("version %llu is not newer than the active version %llu"),
		 (unsigned long long)fresh->version, (unsigned long long)previous);
		goto out;
	}
	if (fresh->version <= pending) {
		snt_msg(errbuf, errlen, _("version %llu is not newer than the pending version %llu"),
		 (unsigned long long)fresh->version, (unsigned long long)pending);
		goto out;
	}
	later = now_ms < fresh->valid_from_ms;
	if (later)
		err = put_file(dir, SNT_RULES_PENDING_FILE, buf, len, errbuf, errlen);
	else
		err = make_active(dir, buf, len, errbuf, errlen);
	if (err)
		goto out;
	if (res) {
		res->version = fresh->version;
		res->previous = previous;
		res->freshness = snt_rules_freshness(fresh, now_ms);
		res->pending = later;
		res->valid_from_ms = fresh->valid_from_ms;
	}
out:
	snt_rules_free(fresh);
	return err;
}

enum snt_rules_err snt_rules_promote(const char *dir, EVP_PKEY *bureau_pub, const struct snt_rules_gate *gate,
				     int64_t now_ms, bool clock_trusted, bool *promoted, char *errbuf,
				     size_t errlen)
{
	struct snt_rules *p = NULL, *active = NULL;
	enum snt_rules_err err;
	uint8_t *raw = NULL;
	size_t len = 0;
	char why[512];

	if (promoted)
		*promoted = false;
	if (!dir || !bureau_pub || !gate)
		return SNT_RULES_ERR_INVAL;
	err = open_file(dir, SNT_RULES_PENDING_FILE, bureau_pub, gate, &p, &raw, &len, why, sizeof(why));
	if (err == SNT_RULES_ERR_NONE)
		return SNT_RULES_OK;
	if (err == SNT_RULES_ERR_NOMEM || err == SNT_RULES_ERR_IO || err == SNT_RULES_ERR_INVAL) {
		snt_msg(errbuf, errlen, "%s", why);
		return err;
	}
	if (err)	/* damaged or addressed elsewhere: never to take over */
		return drop_file(dir, SNT_RULES_PENDING_FILE, errbuf, errlen);
	err = snt_rules_load(dir, bureau_pub, gate, &active, NULL, why, sizeof(why));
	if (err == SNT_RULES_ERR_NOMEM || err == SNT_RULES_ERR_IO || err == SNT_RULES_ERR_INVAL) {
		snt_msg(errbuf, errlen, "%s", why);
		goto out;
	}
	if (err == SNT_RULES_OK && p->version <= active->version) {
		err = drop_file(dir, SNT_RULES_PENDING_FILE, errbuf, errlen);
		goto out;
	}
	err = SNT_RULES_OK;
	if (!clock_trusted || now_ms < p->valid_from_ms)
		goto out;
	err = make_active(dir, raw, len, errbuf, errlen);
	if (!err && promoted)
		*promoted = true;
out:
	snt_rules_free(active);
	snt_rules_free(p);
	free(raw);
	return err;
}

void snt_rules_free(struct snt_rules *r)
{
	free(r);
}

enum snt_rules_freshness snt_rules_freshness(const struct snt_rules *r, int64_t now_ms)
{
	if (!r || now_ms < r->valid_until_ms)
		return SNT_RULES_FRESH;
	if (now_ms < r->valid_until_ms + r->hard_limit_ms)
		return SNT_RULES_STALE;
	return SNT_RULES_EXPIRED;
}

const struct snt_rules_staff *snt_rules_staff_find(const struct snt_rules *r, const char *ref)
{
	if (!r || !ref)
		return NULL;
	for (size_t i = 0; i < r->n_staff; i++)
		if (!strcmp(r->staff[i].ref, ref))
			return &r->staff[i];
	return NULL;
}

bool snt_rules_region_at_risk(const struct snt_rules *r, const char *region)
{
	if (!r || !region || strlen(region) != 6)
		return false;
	for (size_t i = 0; i < r->n_regions; i++) {
		const char *e = r->regions[i];

		if (!strcmp(e, region))
			return true;
		if (!strcmp(e + 2, "0000") && !memcmp(e, region, 2))
			return true;
		if (!strcmp(e + 4, "00") && !memcmp(e, region, 4))
			return true;
	}
	return false;
}
