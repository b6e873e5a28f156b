// SPDX-License-Identifier: MIT
/* Unit tests of the bureau's rule set (firmware/rules/): decoding, signature, install. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cbor.h>
#include <cmocka.h>

#include "common/common.h"
#include "cose/cose.h"
#include "files.h"
#include "rules/rules.h"
#include "sign/sign.h"

#define T0 1796083200000LL	/* 2026-12-01T00:00:00Z */
#define DAY 86400000LL
#define HOME "阳光养老院"

/* This gate: the home's gate-1. */
static const struct snt_rules_gate G = { HOME, "gate-1" };

/* ---- building payloads ---- */

static cbor_item_t *text(const char *s)
{
	return cbor_move(cbor_build_string(s));
}

static cbor_item_t *uint_(uint64_t v)
{
	return cbor_move(cbor_build_uint64(v));
}

static cbor_item_t *texts(const char *const *v, size_t n)
{
	cbor_item_t *a = cbor_new_definite_array(n);

	for (size_t i = 0; i < n; i++)
		assert_true(cbor_array_push(a, text(v[i])));
	return cbor_move(a);
}

static cbor_item_t *staff_item(const char *ref, const char *name, const char *date)
{
	cbor_item_t *m = cbor_new_definite_map(3);

	assert_true(cbor_map_add(m, (struct cbor_pair){ text("ref"), text(ref) }));
	assert_true(cbor_map_add(m, (struct cbor_pair){ text("name"), text(name) }));
	assert_true(cbor_map_add(m, (struct cbor_pair){ text("last_test"), text(date) }));
	return cbor_move(m);
}

/*
 * A valid rule-set payload of version @version, except: the key @skip is
 * left out, and @extra_key (when non-NULL) is added (or, if it is a key of
 * the set, replaces its value) with @extra (consumed).
 */
static uint8_t *payload(uint64_t version, const char *skip, const char *extra_key, cbor_item_t *extra,
			size_t *len)
{
	static const char *const colours[] = { "green" };
	static const char *const formats[] = { "healthcode", "hcert" };
	static const char *const regions[] = { "620100", "110105" };
	cbor_item_t *m = cbor_new_definite_map(20), *staff = cbor_new_definite_array(2);
	struct cbor_pair def[16];
	size_t n = 0, cap = 0;
	uint8_t *buf = NULL;

	assert_true(cbor_array_push(staff, staff_item("S001", "张*", "2026-11-28")));
	assert_true(cbor_array_push(staff, staff_item("S002", "L** W*", "2026-11-20")));
	def[n++] = (struct cbor_pair){ text("type"), text("rules") };
	def[n++] = (struct cbor_pair){ text("v"), uint_(2) };
	def[n++] = (struct cbor_pair){ text("home"), text(HOME) };
	def[n++] = (struct cbor_pair){ text("version"), uint_(version) };
	def[n++] = (struct cbor_pair){ text("mode"), text("closed") };
	def[n++] = (struct cbor_pair){ text("fever_threshold_mdc"), uint_(37300) };
	def[n++] = (struct cbor_pair){ text("colours"), texts(colours, 1) };
	def[n++] = (struct cbor_pair){ text("formats"), texts(formats, 2) };
	def[n++] = (struct cbor_pair){ text("max_visitors"), uint_(10) };
	def[n++] = (struct cbor_pair){ text("risk_regions"), texts(regions, 2) };
	def[n++] = (struct cbor_pair){ text("staff"), cbor_move(staff) };
	def[n++] = (struct cbor_pair){ text("max_test_age_days"), uint_(7) };
	def[n++] = (struct cbor_pair){ text("valid_from"), uint_(T0) };
	def[n++] = (struct cbor_pair){ text("valid_until"), uint_(T0 + 7 * DAY) };
	def[n++] = (struct cbor_pair){ text("hard_limit_ms"), uint_(14 * DAY) };
	def[n++] = (struct cbor_pair){ text("issued"), uint_(T0 - DAY) };
	for (size_t i = 0; i < n; i++) {
		/* Held here until the end: a skipped or replaced default is freed then. */
		cbor_incref(def[i].key);
		cbor_incref(def[i].value);
	}
	for (size_t i = 0; i < n; i++) {
		const char *k = (const char *)cbor_string_handle(def[i].key);
		size_t kl = cbor_string_length(def[i].key);

		if (skip && strlen(skip) == kl && !memcmp(k, skip, kl))
			continue;
		if (extra_key && strlen(extra_key) == kl && !memcmp(k, extra_key, kl)) {
			assert_true(cbor_map_add(m, (struct cbor_pair){ def[i].key, extra }));
			extra_key = NULL;
			continue;
		}
		assert_true(cbor_map_add(m, def[i]));
	}
	if (extra_key)
		assert_true(cbor_map_add(m, (struct cbor_pair){ text(extra_key), extra }));
	*len = cbor_serialize_alloc(m, &buf, &cap);
	assert_true(*len > 0);
	cbor_decref(&m);
	for (size_t i = 0; i < n; i++) {
		cbor_decref(&def[i].key);
		cbor_decref(&def[i].value);
	}
	return buf;
}

static void expect_payload_error(uint8_t *buf, size_t len, const char *want)
{
	struct snt_rules *r = NULL;
	char err[256];

	assert_int_equal(snt_rules_decode(buf, len, &r, err, sizeof(err)), SNT_RULES_ERR_PAYLOAD);
	assert_null(r);
	assert_string_equal(err, want);
	free(buf);
}

/* The payload payload(@ver, @skip, @key, @val) is refused with the message @want. */
#define EXPECT_ERR(ver, skip, key, val, want)                                  \
	do {                                                                   \
		size_t l_;                                                     \
		uint8_t *b_ = payload(ver, skip, key, val, &l_);               \
		expect_payload_error(b_, l_, want);                            \
	} while (0)

/* ---- tests ---- */

static void test_decode_valid(void **state)
{
	struct snt_rules *r = NULL;
	size_t len;
	uint8_t *buf = payload(3, NULL, NULL, NULL, &len);
	char err[256];

	(void)state;
	assert_int_equal(snt_rules_decode(buf, len, &r, err, sizeof(err)), SNT_RULES_OK);
	assert_int_equal(r->version, 3);
	assert_int_equal(r->mode, SNT_RULES_CLOSED);
	assert_int_equal(r->fever_threshold_mdc, 37300);
	assert_int_equal(r->colours, 1u << SNT_COLOUR_GREEN);
	assert_int_equal(r->formats, (1u << SNT_FORMAT_HEALTHCODE) | (1u << SNT_FORMAT_HCERT));
	assert_int_equal(r->max_visitors, 10);
	assert_int_equal(r->n_regions, 2);
	assert_string_equal(r->regions[1], "110105");
	assert_int_equal(r->n_staff, 2);
	assert_string_equal(r->staff[0].ref, "S001");
	assert_string_equal(r->staff[0].name, "张*");
	assert_string_equal(r->staff[1].last_test, "2026-11-20");
	assert_int_equal(r->max_test_age_days, 7);
	assert_int_equal(r->valid_from_ms, T0);
	assert_int_equal(r->valid_until_ms, T0 + 7 * DAY);
	assert_int_equal(r->hard_limit_ms, 14 * DAY);
	assert_int_equal(r->issued_ms, T0 - DAY);
	assert_non_null(snt_rules_staff_find(r, "S002"));
	assert_null(snt_rules_staff_find(r, "S003"));
	assert_null(snt_rules_staff_find(r, "S00"));
	/* No "min_age" nor "max_age": no age rule, every age allowed. */
	assert_false(r->has_min_age || r->has_max_age);
	assert_false(snt_rules_age_rule(r));
	assert_true(snt_rules_age_allowed(r, 0) && snt_rules_age_allowed(r, 150));
	assert_false(snt_rules_age_rule(NULL));
	snt_rules_free(r);
	free(buf);
	/* One bound alone is an age rule. */
	buf = payload(3, NULL, "min_age", uint_(60), &len);
	assert_int_equal(snt_rules_decode(buf, len, &r, err, sizeof(err)), SNT_RULES_OK);
	assert_true(r->has_min_age && !r->has_max_age);
	assert_int_equal(r->min_age, 60);
	assert_true(snt_rules_age_rule(r));
	assert_false(snt_rules_age_allowed(r, 59));
	assert_true(snt_rules_age_allowed(r, 60) && snt_rules_age_allowed(r, 150));
	snt_rules_free(r);
	free(buf);
	buf = payload(3, NULL, "max_age", uint_(0), &len);
	assert_int_equal(snt_rules_decode(buf, len, &r, err, sizeof(err)), SNT_RULES_OK);
	assert_true(!r->has_min_age && r->has_max_age && r->max_age == 0);
	assert_true(snt_rules_age_allowed(r, 0));
	assert_false(snt_rules_age_allowed(r, 1));
	snt_rules_free(r);
	free(buf);
}

static void test_decode_errors(void **state)
{
	static const char *const yellow_only[] = { "yellow" };
	static const char *const twice[] = { "green", "green" };
	static const char *const red[] = { "green", "red" };
	static const char *const bad_format[] = { "qr" };
	static const char *const bad_region[] = { "62010" };
	size_t len;
	uint8_t *buf;

	(void)state;
	EXPECT_ERR(1, "mode", NULL, NULL, "field 'mode': missing");
	EXPECT_ERR(1, "staff", NULL, NULL, "field 'staff': missing");
	EXPECT_ERR(1, NULL, "colour", text("green"),
			     "field 'colour': unknown key");
	EXPECT_ERR(1, NULL, "type", text("badge"),
			     "field 'type': not \"rules\"");
	EXPECT_ERR(1, NULL, "v", uint_(3), "field 'v': not format version 2");
	EXPECT_ERR(1, NULL, "v", uint_(1),
		   "field 'v': format version 1 names no home: not accepted (version 2 needed)");
	EXPECT_ERR(1, "home", NULL, NULL, "field 'home': missing");
	EXPECT_ERR(1, NULL, "idcard_key", cbor_move(cbor_build_bytestring((const uint8_t *)"short", 5)),
		   "field 'idcard_key': not a byte string of 16-64 bytes");
	EXPECT_ERR(1, NULL, "idcard_key", text("0123456789abcdef0123"),
		   "field 'idcard_key': not a byte string of 16-64 bytes");
	EXPECT_ERR(1, NULL, "home", text(""), "field 'home': not a home of 1-127 bytes of text");
	EXPECT_ERR(1, NULL, "min_age", uint_(151), "field 'min_age': not an unsigned integer 0-150 (years)");
	EXPECT_ERR(1, NULL, "max_age", text("80"), "field 'max_age': not an unsigned integer 0-150 (years)");
	EXPECT_ERR(1, NULL, "max_age", cbor_move(cbor_build_negint8(0)),
		   "field 'max_age': not an unsigned integer 0-150 (years)");
	EXPECT_ERR(1, NULL, "gates", texts((const char *const[]){ "g1", "g1" }, 2), "field 'gates[1]': listed twice");
	EXPECT_ERR(1, NULL, "gates", texts(NULL, 0), "field 'gates': not 1-64 gates");
	EXPECT_ERR(1, NULL, "gates", texts((const char *const[]){ "gate 1" }, 1),
		   "field 'gates[0]': not a device id of 1-63 printable ASCII characters");
	EXPECT_ERR(0, NULL, NULL, NULL,
			     "field 'version': not an unsigned integer 1-2^63");
	EXPECT_ERR(1, NULL, "mode", text("half"),
			     "field 'mode': not \"open\" or \"closed\"");
	EXPECT_ERR(1, NULL, "fever_threshold_mdc", uint_(45000),
			     "field 'fever_threshold_mdc': not an integer 37000-39000 (milli-degrees Celsius)");
	EXPECT_ERR(1, NULL, "colours", texts(yellow_only, 1),
			     "field 'colours': \"green\" is required");
	EXPECT_ERR(1, NULL, "colours", texts(twice, 2),
			     "field 'colours[1]': listed twice");
	EXPECT_ERR(1, NULL, "colours", texts(red, 2),
			     "field 'colours[1]': not \"green\" or \"yellow\"");
	EXPECT_ERR(1, NULL, "formats", texts(bad_format, 1),
			     "field 'formats[0]': not one of healthcode, hcert, lt1, nzcp, shc");
	EXPECT_ERR(1, NULL, "risk_regions", texts(bad_region, 1),
			     "field 'risk_regions[0]': not a six-digit region code");
	EXPECT_ERR(1, NULL, "max_test_age_days", uint_(0),
			     "field 'max_test_age_days': not an unsigned integer 1-366 (days)");
	EXPECT_ERR(1, NULL, "valid_until", uint_(T0),
			     "field 'valid_until': not after valid_from");
	EXPECT_ERR(1, NULL, "issued", text("yesterday"),
			     "field 'issued': not an unsigned integer (ms since the epoch)");
	{
		cbor_item_t *s = cbor_new_definite_array(1);

		assert_true(cbor_array_push(s, staff_item("S001", "张*", "2026-02-30")));
		EXPECT_ERR(1, NULL, "staff", cbor_move(s),
				     "field 'staff[0].last_test': not a date YYYY-MM-DD");
	}
	{
		cbor_item_t *s = cbor_new_definite_array(2);

		assert_true(cbor_array_push(s, staff_item("S001", "A*", "2026-02-20")));
		assert_true(cbor_array_push(s, staff_item("S001", "B*", "2026-02-21")));
		EXPECT_ERR(1, NULL, "staff", cbor_move(s),
				     "field 'staff[1].ref': reference listed twice");
	}
	{
		cbor_item_t *s = cbor_new_definite_array(1);

		assert_true(cbor_array_push(s, staff_item("S 01", "A*", "2026-02-20")));
		EXPECT_ERR(1, NULL, "staff", cbor_move(s),
				     "field 'staff[0].ref': not a reference of 1-32 printable ASCII characters");
	}
	{
		cbor_item_t *s = cbor_new_definite_array(1), *m = cbor_new_definite_map(2);

		assert_true(cbor_map_add(m, (struct cbor_pair){ text("ref"), text("S9") }));
		assert_true(cbor_map_add(m, (struct cbor_pair){ text("name"), text("A*") }));
		assert_true(cbor_array_push(s, cbor_move(m)));
		EXPECT_ERR(1, NULL, "staff", cbor_move(s),
				     "field 'staff[0].last_test': missing");
	}

	/* A key given twice: the map head says 17 pairs, "mode": "open" appended. */
	{
		static const uint8_t dup[] = { 0x64, 'm', 'o', 'd', 'e', 0x64, 'o', 'p', 'e', 'n' };

		buf = payload(1, NULL, NULL, NULL, &len);
		assert_int_equal(buf[0], 0xb0);
		buf = realloc(buf, len + sizeof(dup));
		assert_non_null(buf);
		buf[0] = 0xb1;
		memcpy(buf + len, dup, sizeof(dup));
		expect_payload_error(buf, len + sizeof(dup), "field 'mode': given twice");
	}
	/* Not CBOR, trailing bytes, not a map, a huge declared length. */
	{
		static const uint8_t junk[] = { 0xff, 0x00 };
		static const uint8_t arr[] = { 0x80 };
		static const uint8_t huge[] = { 0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
		struct snt_rules *r = NULL;
		char err[128];

		assert_int_equal(snt_rules_decode(junk, sizeof(junk), &r, err, sizeof(err)), SNT_RULES_ERR_PAYLOAD);
		assert_string_equal(err, "payload: not one well-formed CBOR item");
		assert_int_equal(snt_rules_decode(arr, sizeof(arr), &r, err, sizeof(err)), SNT_RULES_ERR_PAYLOAD);
		assert_string_equal(err, "payload: not a definite CBOR map");
		assert_int_equal(snt_rules_decode(huge, sizeof(huge), &r, err, sizeof(err)), SNT_RULES_ERR_PAYLOAD);
		assert_string_equal(err, "payload: not one well-formed CBOR item");
		buf = payload(1, NULL, NULL, NULL, &len);
		buf = realloc(buf, len + 1);
		buf[len] = 0x00;
		assert_int_equal(snt_rules_decode(buf, len + 1, &r, err, sizeof(err)), SNT_RULES_ERR_PAYLOAD);
		assert_string_equal(err, "payload: not one well-formed CBOR item");
		free(buf);
	}
}

static void test_dates(void **state)
{
	int32_t d;
	char buf[SNT_RULES_DATE_LEN];

	(void)state;
	assert_int_equal(snt_rules_parse_date("1970-01-01", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(snt_rules_parse_date("2026-12-01", &d), 0);
	assert_int_equal((int64_t)d * DAY, T0);
	assert_int_equal(snt_rules_parse_date("2024-02-29", &d), 0);
	snt_rules_format_date(d, buf, sizeof(buf));
	assert_string_equal(buf, "2024-02-29");
	assert_int_equal(snt_rules_parse_date("2023-02-29", &d), -1);
	assert_int_equal(snt_rules_parse_date("2100-02-29", &d), -1);
	assert_int_equal(snt_rules_parse_date("2026-13-01", &d), -1);
	assert_int_equal(snt_rules_parse_date("2026-1-01", &d), -1);
	assert_int_equal(snt_rules_parse_date("2026-01-01x", &d), -1);
	assert_int_equal(snt_rules_parse_date("1969-12-31", &d), -1);
	assert_int_equal(snt_rules_parse_date("2026/01/01", &d), -1);
}

static void test_freshness_and_regions(void **state)
{
	struct snt_rules *r = NULL;
	size_t len;
	uint8_t *buf = payload(1, NULL, NULL, NULL, &len);
	char err[128];

	(void)state;
	assert_int_equal(snt_rules_decode(buf, len, &r, err, sizeof(err)), SNT_RULES_OK);
	free(buf);
	assert_int_equal(snt_rules_freshness(r, T0), SNT_RULES_FRESH);
	assert_int_equal(snt_rules_freshness(r, T0 + 7 * DAY - 1), SNT_RULES_FRESH);
	assert_int_equal(snt_rules_freshness(r, T0 + 7 * DAY), SNT_RULES_STALE);
	assert_int_equal(snt_rules_freshness(r, T0 + 21 * DAY - 1), SNT_RULES_STALE);
	assert_int_equal(snt_rules_freshness(r, T0 + 21 * DAY), SNT_RULES_EXPIRED);
	assert_string_equal(snt_rules_freshness_name(SNT_RULES_STALE), "stale");
	/* 620100: a prefecture (Lanzhou) covers its districts; 110105 only itself. */
	assert_true(snt_rules_region_at_risk(r, "620100"));
	assert_true(snt_rules_region_at_risk(r, "620102"));
	assert_false(snt_rules_region_at_risk(r, "620200"));
	assert_true(snt_rules_region_at_risk(r, "110105"));
	assert_false(snt_rules_region_at_risk(r, "110106"));
	assert_false(snt_rules_region_at_risk(r, ""));
	assert_false(snt_rules_region_at_risk(NULL, "620100"));
	snt_rules_free(r);
}

/* ---- signature and install ---- */

struct fx {
	EVP_PKEY *bureau;
	EVP_PKEY *other;
	char dir[64];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(snt_sign_key_generate(&f->bureau), SNT_SIGN_OK);
	assert_int_equal(snt_sign_key_generate(&f->other), SNT_SIGN_OK);
	tmp_dir_make(f->dir, sizeof(f->dir), "snt-rules");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	static const char *const files[] = { SNT_RULES_FILE, SNT_RULES_TMP_FILE, SNT_RULES_KEPT_FILE,
					     SNT_RULES_PENDING_FILE };

	tmp_dir_remove(f->dir, files, SNT_ARRAY_SIZE(files));
	EVP_PKEY_free(f->bureau);
	EVP_PKEY_free(f->other);
	free(f);
	return 0;
}

/* A signed set: payload(@version, NULL, @key, @val) (@key NULL: the default set). */
static uint8_t *signed_set_x(EVP_PKEY *key, uint64_t version, const char *extra_key, cbor_item_t *extra,
			     size_t *len)
{
	size_t plen;
	uint8_t *p = payload(version, NULL, extra_key, extra, &plen), *out = NULL;

	assert_int_equal(snt_sign1_es256(key, p, plen, &out, len), SNT_SIGN_OK);
	free(p);
	return out;
}

static uint8_t *signed_set(EVP_PKEY *key, uint64_t version, size_t *len)
{
	return signed_set_x(key, version, NULL, NULL, len);
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(65536);

	assert_non_null(f);
	*len = fread(buf, 1, 65536, f);
	fclose(f);
	return buf;
}

/* The version a rules event's detail names (sentineld's "version N (mode)"); 0 for none. */
static void test_event_version(void **state)
{
	(void)state;
	assert_int_equal(snt_rules_event_version("version 2 (closed)"), 2);
	assert_int_equal(snt_rules_event_version("version 18446744073709551615 (open)"), UINT64_MAX);
	assert_int_equal(snt_rules_event_version("version 7"), 7);
	assert_int_equal(snt_rules_event_version("?"), 0);
	assert_int_equal(snt_rules_event_version(""), 0);
	assert_int_equal(snt_rules_event_version("none, [rules] required"), 0);
	assert_int_equal(snt_rules_event_version(NULL), 0);
}

static void test_install(void **state)
{
	struct fx *f = *state;
	struct snt_rules_install_result res;
	struct snt_rules *r = NULL;
	char err[256], path[128];
	uint8_t *v1, *v2, *v2b, *other, *onfile;
	size_t l1, l2, l2b, lo, lf;

	snprintf(path, sizeof(path), "%s/%s", f->dir, SNT_RULES_FILE);
	v1 = signed_set(f->bureau, 1, &l1);
	v2 = signed_set(f->bureau, 2, &l2);
	v2b = signed_set(f->bureau, 2, &l2b);
	other = signed_set(f->other, 5, &lo);

	assert_int_equal(snt_rules_load(f->dir, f->bureau, &G, &r, NULL, err, sizeof(err)), SNT_RULES_ERR_NONE);

	assert_int_equal(snt_rules_install(f->dir, f->bureau, &G, v1, l1, T0, &res, err, sizeof(err)), SNT_RULES_OK);
	assert_int_equal(res.version, 1);
	assert_int_equal(res.previous, 0);
	assert_int_equal(res.freshness, SNT_RULES_FRESH);
	onfile = read_all(path, &lf);
	assert_int_equal(lf, l1);
	assert_memory_equal(onfile, v1, l1);
	free(onfile);
	assert_int_equal(access(f->dir, F_OK), 0);

	/* Same version again: refused, file unchanged. */
	assert_int_equal(snt_rules_install(f->dir, f->bureau, &G, v1, l1, T0, &res, err, sizeof(err)),
			 SNT_RULES_ERR_OLD);
	assert_string_equal(err, "version 1 is not newer than the active version 1");

	/* Another key: refused. */
	assert_int_equal(snt_rules_install(f->dir, f->bureau, &G, other, lo, T0, &res, err, sizeof(err)),
			 SNT_RULES_ERR_SIGNATURE);
	assert_string_equal(err, "signature: signed by another key (kid does not match)");
	onfile = read_all(path, &lf);
	assert_memory_equal(onfile, v1, l1);
	free(onfile);

	/* Every single flipped byte of v2 is refused, leaving v1 active. */
	for (size_t i = 0; i < l2; i++) {
		enum snt_rules_err e;

		v2[i] ^= 0x01;
		e = snt_rules_install(f->dir, f->bureau, &G, v2, l2, T0, &res, err, sizeof(err));
		v2[i] ^= 0x01;
		if (e != SNT_RULES_ERR_SIGNATURE)
			fail_msg("byte %zu flipped: %s (%s)", i, snt_rules_strerror(e), err);
	}
	onfile = read_all(path, &lf);
	assert_int_equal(lf, l1);
	assert_memory_equal(onfile, v1, l1);
	free(onfile);
	assert_int_equal(access(f->dir, F_OK), 0);

	/* v2 goes in; a second v2 (another signature) is not newer. */
	assert_int_equal(snt_rules_install(f->dir, f->bureau, &G, v2, l2, T0 + 8 * DAY, &res, err, sizeof(err)),
			 SNT_RULES_OK);
	assert_int_equal(res.version, 2);
	assert_int_equal(res.previous, 1);
	assert_int_equal(res.freshness, SNT_RULES_STALE);
	assert_int_equal(snt_rules_install(f->dir, f->bureau, &G, v2b, l2b, T0, &res, err, sizeof(err)),
			 SNT_RULES_ERR_OLD);
	assert_int_equal(snt_rules_load(f->dir, f->bureau, &G, &r, NULL, err, sizeof(err)), SNT_RULES_OK);
	assert_int_equal(r->version, 2);
	snt_rules_free(r);

	/* Loading with another key names the file. */
	r = NULL;
	assert_int_equal(snt_rules_load(f->dir, f->other, &G, &r, NULL, err, sizeof(err)), SNT_RULES_ERR_SIGNATURE);
	assert_null(r);
	assert_non_null(strstr(err, "/rules.cose: signature: "));

	/* No temporary left behind. */
	snprintf(path, sizeof(path), "%s/%s", f->dir, SNT_RULES_TMP_FILE);
	assert_int_equal(access(path, F_OK), -1);

	free(v1);
	free(v2);
	free(v2b);
	free(other);
}

static void put(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Issue 14 item 3: a set addressed to another home (or other gates) never installs or blocks one. */
static void test_home(void **state)
{
	static const char *const other_gates[] = { "gate-2" };
	static const char *const our_gates[] = { "gate-2", "gate-1" };
	struct fx *f = *state;
	struct snt_rules_install_result res;
	struct snt_rules *r = NULL;
	struct snt_rules_load_info info;
	const struct snt_rules_gate g2 = { HOME, "gate-2" };
	char err[256];
	uint8_t *x999, *g, *mine, *v1, *v2;
	size_t lx, lg, lm, l1, l2;

	x999 = signed_set_x(f->bureau, 999, "home", text("月亮养老院"), &lx);
	g = signed_set_x(f->bureau, 998, "gates", texts(other_gates, 1), &lg);
	mine = signed_set_x(f->bureau, 3, "gates", texts(our_gates, 2), &lm);
	v1 = signed_set(f->bureau, 1, &l1);
	v2 = signed_set(f->bureau, 2, &l2);

	/* Another home's set, whatever its version: refused, nothing written. */
	assert_int_equal(snt_rules_install(f->dir, f->bureau, &G, x999, lx, T0, &res, err, sizeof(err)),
			 SNT_RULES_ERR_ELSEWHERE);
	assert_string_equal(err, "addressed to home '月亮养老院', this gate's home is '阳光养老院'");
	assert_int_equal(snt_rules_load(f->dir, f->bureau, &G, &r, NULL, err, sizeof(err)), SNT_RULES_ERR_NONE);
	/* Another gate of the home: refused here, taken by that gate. */
	assert_int_equal(snt_rules_install(f->dir, f->bureau, &G, g, lg, T0, &res, err, sizeof(err)),
			 SNT_RULES_ERR_ELSEWHERE);
	assert_string_equal(err, "addressed to gates of home '阳光养老院' other than 'gate-1'");
	assert_int_equal(snt_rules_install(f->dir, f->bureau, &G, v1, l1, T0, &res, err, sizeof(err)), SNT_RULES_OK);

	/* The foreign set put in place by hand: not loaded (the kept copy is), and it blocks no update. */
	put(f->dir, SNT_RULES_FILE, x999, lx);
	assert_int_equal(snt_rules_load(f->dir, f->bureau, &G, &r, &info, err, sizeof(err)), SNT_RULES_OK);
	assert_int_equal(r->version, 1);
	assert_true(info.kept);
	assert_non_null(strstr(info.active_error, "/rules.cose: addressed to home '月亮养老院'"));
	snt_rules_free(r);
	assert_int_equal(snt_rules_install(f->dir, f->bureau, &G, v2, l2, T0, &res, err, sizeof(err)), SNT_RULES_OK);
	assert_int_equal(res.previous, 1);
	assert_int_equal(snt_rules_load(f->dir, f->bureau, &G, &r, &info, err, sizeof(err)), SNT_RULES_OK);
	assert_int_equal(r->version, 2);
	assert_false(info.kept);
	snt_rules_free(r);

	/* A set naming this gate among others is taken; the other gate takes it too. */
	assert_int_equal(snt_rules_install(f->dir, f->bureau, &G, mine, lm, T0, &res, err, sizeof(err)), SNT_RULES_OK);
	assert_int_equal(snt_rules_load(f->dir, f->bureau, &g2, &r, NULL, err, sizeof(err)), SNT_RULES_OK);
	assert_int_equal(r->n_gates, 2);
	assert_string_equal(r->gates[1], "gate-1");
	assert_string_equal(r->home, HOME);
	snt_rules_free(r);
	free(x999);
	free(g);
	free(mine);
	free(v1);
	free(v2);
}

/* Issue 14 item 1 (files): a damaged or deleted rules.cose falls back to the kept copy. */
static void test_kept(void **state)
{
	struct fx *f = *state;
	struct snt_rules *r = NULL;
	struct snt_rules_load_info info;
	char err[256], path[160];
	uint8_t *v1, junk[4] = { 1, 2, 3, 4 };
	size_t l1;

	v1 = signed_set(f->bureau, 1, &l1);
	assert_int_equal(snt_rules_install(f->dir, f->bureau, &G, v1, l1, T0, NULL, err, sizeof(err)), SNT_RULES_OK);
	put(f->dir, SNT_RULES_FILE, junk, sizeof(junk));
	assert_int_equal(snt_rules_load(f->dir, f->bureau, &G, &r, &info, err, sizeof(err)), SNT_RULES_OK);
	assert_int_equal(r->version, 1);
	assert_true(info.kept);
	assert_non_null(strstr(info.active_error, "/rules.cose: signature: "));
	snt_rules_free(r);
	snprintf(path, sizeof(path), "%s/%s", f->dir, SNT_RULES_FILE);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(snt_rules_load(f->dir, f->bureau, &G, &r, &info, err, sizeof(err)), SNT_RULES_OK);
	assert_true(info.kept);
	assert_non_null(strstr(info.active_error, "/rules.cose: no rule set installed"));
	snt_rules_free(r);
	/* Both gone or damaged: the error of the active file. */
	put(f->dir, SNT_RULES_FILE, junk, sizeof(junk));
	put(f->dir, SNT_RULES_KEPT_FILE, junk, sizeof(junk));
	r = NULL;
	assert_int_equal(snt_rules_load(f->dir, f->bureau, &G, &r, &info, err, sizeof(err)), SNT_RULES_ERR_SIGNATURE);
	assert_null(r);
	free(v1);
}

/* Issue 14 item 4: a set not valid yet is kept pending and takes over at valid_from on a trusted clock. */
static void test_pending(void **state)
{
	struct fx *f = *state;
	struct snt_rules_install_result res;
	struct snt_rules *r = NULL;
	struct snt_rules_load_info info;
	const int64_t later = T0 + 30 * DAY;
	char err[256], path[160];
	uint8_t *v1, *v2, *v3;
	size_t l1, l2, l3;
	bool promoted;

	v1 = signed_set(f->bureau, 1, &l1);
	v3 = signed_set(f->bureau, 3, &l3);
	assert_int_equal(snt_rules_install(f->dir, f->bureau, &G, v1, l1, T0, &res, err, sizeof(err)), SNT_RULES_OK);
	assert_false(res.pending);
	/* v2: valid from T0 + 30 days (to T0 + 37 days). */
	{
		cbor_item_t *until = uint_(later + 7 * DAY);
		size_t plen;
		uint8_t *p = payload(2, NULL, "valid_until", until, &plen), *q;
		struct snt_rules *d = NULL;

		assert_int_equal(snt_rules_decode(p, plen, &d, err, sizeof(err)), SNT_RULES_OK);
		d->valid_from_ms = later;
		free(p);
		assert_int_equal(snt_rules_encode(d, &q, &plen, err, sizeof(err)), SNT_RULES_OK);
		assert_int_equal(snt_sign1_es256(f->bureau, q, plen, &v2, &l2), SNT_SIGN_OK);
		free(q);
		snt_rules_free(d);
	}
	assert_int_equal(snt_rules_install(f->dir, f->bureau, &G, v2, l2, T0, &res, err, sizeof(err)), SNT_RULES_OK);
	assert_true(res.pending);
	assert_int_equal(res.valid_from_ms, later);
	assert_int_equal(res.previous, 1);
	/* The active set is still v1; v2 waits. */
	assert_int_equal(snt_rules_load(f->dir, f->bureau, &G, &r, &info, err, sizeof(err)), SNT_RULES_OK);
	assert_int_equal(r->version, 1);
	assert_true(info.pending);
	assert_int_equal(info.pending_version, 2);
	assert_int_equal(info.pending_from_ms, later);
	snt_rules_free(r);
	/* Not before its time, not on an untrusted clock. */
	assert_int_equal(snt_rules_promote(f->dir, f->bureau, &G, later - 1, true, &promoted, err, sizeof(err)),
			 SNT_RULES_OK);
	assert_false(promoted);
	assert_int_equal(snt_rules_promote(f->dir, f->bureau, &G, later, false, &promoted, err, sizeof(err)),
			 SNT_RULES_OK);
	assert_false(promoted);
	/* Its time on a trusted clock: it takes over. */
	assert_int_equal(snt_rules_promote(f->dir, f->bureau, &G, later, true, &promoted, err, sizeof(err)),
			 SNT_RULES_OK);
	assert_true(promoted);
	assert_int_equal(snt_rules_load(f->dir, f->bureau, &G, &r, &info, err, sizeof(err)), SNT_RULES_OK);
	assert_int_equal(r->version, 2);
	assert_false(info.pending);
	assert_false(info.kept);
	snt_rules_free(r);
	snprintf(path, sizeof(path), "%s/%s", f->dir, SNT_RULES_PENDING_FILE);
	assert_int_equal(access(path, F_OK), -1);
	/* A pending set is not newer than itself; a newer set valid now replaces both. */
	assert_int_equal(snt_rules_install(f->dir, f->bureau, &G, v3, l3, later, &res, err, sizeof(err)),
			 SNT_RULES_OK);
	assert_false(res.pending);
	free(v1);
	free(v2);
	free(v3);
}

static void test_install_unwritable(void **state)
{
	struct fx *f = *state;
	char err[256], dir[128];
	uint8_t *v1;
	size_t l1;

	snprintf(dir, sizeof(dir), "%s/missing", f->dir);
	v1 = signed_set(f->bureau, 1, &l1);
	assert_int_equal(snt_rules_install(dir, f->bureau, &G, v1, l1, T0, NULL, err, sizeof(err)), SNT_RULES_ERR_IO);
	assert_non_null(strstr(err, "/missing/rules.cose.tmp: No such file or directory"));
	assert_int_equal(snt_rules_install(NULL, f->bureau, &G, v1, l1, T0, NULL, err, sizeof(err)),
			 SNT_RULES_ERR_INVAL);
	free(v1);
}

static void test_base45_encode(void **state)
{
	char out[64];
	uint8_t back[32], in[31];
	size_t n;

	(void)state;
	/* RFC 9285 §4.3 examples. */
	assert_int_equal(snt_cose_base45_encode((const uint8_t *)"AB", 2, out), 3);
	assert_string_equal(out, "BB8");
	assert_int_equal(snt_cose_base45_encode((const uint8_t *)"Hello!!", 7, out), 11);
	assert_string_equal(out, "%69 VD92EX0");
	snt_cose_base45_encode((const uint8_t *)"base-45", 7, out);
	assert_string_equal(out, "UJCLQE7W581");
	assert_int_equal(snt_cose_base45_encode(NULL, 0, out), 0);
	assert_string_equal(out, "");
	/* Round trip over every length up to 31 with extreme bytes. */
	for (size_t len = 1; len <= sizeof(in); len++) {
		for (size_t i = 0; i < len; i++)
			in[i] = (uint8_t)(i % 3 == 0 ? 0xff : i * 37);
		assert_int_equal(snt_cose_base45_encode(in, len, out), SNT_COSE_BASE45_LEN(len));
		assert_int_equal(snt_cose_base45_decode((const uint8_t *)out, strlen(out), back, sizeof(back), &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(back, in, len);
	}
}

static void test_credentials(void **state)
{
	struct fx *f = *state;
	struct snt_credential c = { .kind = SNT_CREDENTIAL_BADGE, .home = HOME, .ref = "S001", .issued_ms = T0 }, got;
	char *text = NULL, err[256];
	size_t len;

	assert_int_equal(snt_credential_issue(&c, f->bureau, &text), SNT_RULES_OK);
	assert_true(snt_credential_is((const uint8_t *)text, strlen(text)));
	assert_memory_equal(text, "SNB1:", 5);
	assert_int_equal(strspn(text + 5, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"), strlen(text) - 5);
	assert_int_equal(snt_credential_open((const uint8_t *)text, strlen(text), f->bureau, &got, err, sizeof(err)),
			 SNT_RULES_OK);
	assert_int_equal(got.kind, SNT_CREDENTIAL_BADGE);
	assert_string_equal(got.ref, "S001");
	assert_int_equal(got.issued_ms, T0);
	/* Another bureau's badge; one character changed. */
	assert_int_equal(snt_credential_open((const uint8_t *)text, strlen(text), f->other, &got, err, sizeof(err)),
			 SNT_RULES_ERR_SIGNATURE);
	assert_string_equal(err, "signature: signed by another key (kid does not match)");
	len = strlen(text);
	text[len - 3] = text[len - 3] == 'A' ? 'B' : 'A';
	assert_int_not_equal(snt_credential_open((const uint8_t *)text, len, f->bureau, &got, err, sizeof(err)),
			     SNT_RULES_OK);
	free(text);

	memset(&c, 0, sizeof(c));
	c.kind = SNT_CREDENTIAL_PASS;
	snt_strlcpy(c.home, HOME, sizeof(c.home));
	c.uses = 1;
	snt_strlcpy(c.id, "P-2026-0042", sizeof(c.id));
	snt_strlcpy(c.visitor, "王*", sizeof(c.visitor));
	c.from_ms = T0 + 9 * 3600000LL;
	c.until_ms = T0 + 11 * 3600000LL;
	c.issued_ms = T0 - DAY;
	assert_int_equal(snt_credential_issue(&c, f->bureau, &text), SNT_RULES_OK);
	assert_int_equal(snt_credential_open((const uint8_t *)text, strlen(text), f->bureau, &got, err, sizeof(err)),
			 SNT_RULES_OK);
	assert_int_equal(got.kind, SNT_CREDENTIAL_PASS);
	assert_string_equal(got.id, "P-2026-0042");
	assert_string_equal(got.visitor, "王*");
	assert_int_equal(got.from_ms, c.from_ms);
	assert_int_equal(got.until_ms, c.until_ms);
	assert_int_equal(got.issued_ms, c.issued_ms);
	assert_false(got.has_card);
	free(text);
	/* A pass naming its holder's ID card carries the keyed hash. */
	c.has_card = true;
	memset(c.card, 0xc3, sizeof(c.card));
	assert_int_equal(snt_credential_issue(&c, f->bureau, &text), SNT_RULES_OK);
	assert_int_equal(snt_credential_open((const uint8_t *)text, strlen(text), f->bureau, &got, err, sizeof(err)),
			 SNT_RULES_OK);
	assert_true(got.has_card);
	assert_memory_equal(got.card, c.card, sizeof(c.card));
	free(text);
	c.has_card = false;

	/* What the gate would refuse is not issued. */
	c.until_ms = c.from_ms;
	assert_int_equal(snt_credential_issue(&c, f->bureau, &text), SNT_RULES_ERR_INVAL);
	c.until_ms = c.from_ms + 1;
	c.id[0] = '\0';
	assert_int_equal(snt_credential_issue(&c, f->bureau, &text), SNT_RULES_ERR_INVAL);
	c.kind = SNT_CREDENTIAL_BADGE;
	assert_int_equal(snt_credential_issue(&c, f->bureau, &text), SNT_RULES_ERR_INVAL);
	snt_strlcpy(c.ref, "S001", sizeof(c.ref));
	assert_int_equal(snt_credential_issue(&c, f->other, &text), SNT_RULES_OK);
	free(text);

	/* Not SNB1:, bad base45, a health-code token, too long. */
	assert_int_equal(snt_credential_open((const uint8_t *)"HC1:XX", 6, f->bureau, &got, err, sizeof(err)),
			 SNT_RULES_ERR_PAYLOAD);
	assert_string_equal(err, "not an SNB1: badge or pass");
	assert_int_equal(snt_credential_open((const uint8_t *)"SNB1:ab", 7, f->bureau, &got, err, sizeof(err)),
			 SNT_RULES_ERR_PAYLOAD);
	assert_string_equal(err, "not base45 after SNB1:");
	assert_false(snt_credential_is((const uint8_t *)"SNB1", 4));
	assert_false(snt_credential_is((const uint8_t *)"https://hc.example/?region=620102", 33));
	{
		char *big = malloc(SNT_CREDENTIAL_MAX_TEXT + 2);

		memset(big, 'A', SNT_CREDENTIAL_MAX_TEXT + 1);
		memcpy(big, "SNB1:", 5);
		assert_int_equal(snt_credential_open((const uint8_t *)big, SNT_CREDENTIAL_MAX_TEXT + 1, f->bureau, &got,
						     err, sizeof(err)), SNT_RULES_ERR_PAYLOAD);
		assert_string_equal(err, "longer than 2048 characters");
		free(big);
	}
	/* A signed rule set shown as a badge: right signature, wrong document. */
	{
		size_t l1;
		uint8_t *v1 = signed_set(f->bureau, 1, &l1);
		char *t = malloc(5 + SNT_COSE_BASE45_LEN(l1) + 1);

		memcpy(t, "SNB1:", 5);
		snt_cose_base45_encode(v1, l1, t + 5);
		assert_int_equal(snt_credential_open((const uint8_t *)t, strlen(t), f->bureau, &got, err, sizeof(err)),
				 SNT_RULES_ERR_PAYLOAD);
		assert_string_equal(err, "field 'version': unknown key");
		free(t);
		free(v1);
	}
}

static void test_rules_encode(void **state)
{
	struct snt_rules *r = NULL, *back = NULL;
	uint8_t *buf = NULL;
	size_t len;
	char err[256];

	(void)state;
	buf = payload(4, NULL, NULL, NULL, &len);
	assert_int_equal(snt_rules_decode(buf, len, &r, err, sizeof(err)), SNT_RULES_OK);
	free(buf);
	assert_int_equal(snt_rules_encode(r, &buf, &len, err, sizeof(err)), SNT_RULES_OK);
	assert_int_equal(snt_rules_decode(buf, len, &back, err, sizeof(err)), SNT_RULES_OK);
	free(buf);
	assert_int_equal(back->version, 4);
	assert_int_equal(back->mode, r->mode);
	assert_int_equal(back->colours, r->colours);
	assert_int_equal(back->formats, r->formats);
	assert_int_equal(back->n_regions, 2);
	assert_string_equal(back->regions[0], "620100");
	assert_int_equal(back->n_staff, 2);
	assert_string_equal(back->staff[1].name, "L** W*");
	assert_int_equal(back->staff[1].last_test_day, r->staff[1].last_test_day);
	assert_int_equal(back->valid_until_ms, r->valid_until_ms);
	assert_int_equal(back->hard_limit_ms, r->hard_limit_ms);
	assert_int_equal(back->issued_ms, r->issued_ms);
	assert_int_equal(back->idcard_key_len, 0);
	snt_rules_free(back);

	/* The home's ID-card key travels when given. */
	r->idcard_key_len = 32;
	memset(r->idcard_key, 0x5a, 32);
	assert_int_equal(snt_rules_encode(r, &buf, &len, err, sizeof(err)), SNT_RULES_OK);
	assert_int_equal(snt_rules_decode(buf, len, &back, err, sizeof(err)), SNT_RULES_OK);
	free(buf);
	assert_int_equal(back->idcard_key_len, 32);
	assert_memory_equal(back->idcard_key, r->idcard_key, 32);
	assert_false(snt_rules_age_rule(back));
	snt_rules_free(back);
	r->idcard_key_len = 0;

	/* The age rule travels when given, each bound on its own; min_age above max_age is refused. */
	r->has_min_age = r->has_max_age = true;
	r->min_age = 18;
	r->max_age = 80;
	assert_int_equal(snt_rules_encode(r, &buf, &len, err, sizeof(err)), SNT_RULES_OK);
	assert_int_equal(snt_rules_decode(buf, len, &back, err, sizeof(err)), SNT_RULES_OK);
	free(buf);
	assert_true(back->has_min_age && back->has_max_age);
	assert_int_equal(back->min_age, 18);
	assert_int_equal(back->max_age, 80);
	snt_rules_free(back);
	r->has_min_age = false;
	assert_int_equal(snt_rules_encode(r, &buf, &len, err, sizeof(err)), SNT_RULES_OK);
	assert_int_equal(snt_rules_decode(buf, len, &back, err, sizeof(err)), SNT_RULES_OK);
	free(buf);
	assert_true(!back->has_min_age && back->has_max_age && back->max_age == 80);
	snt_rules_free(back);
	r->has_min_age = true;
	r->min_age = 81;
	assert_int_equal(snt_rules_encode(r, &buf, &len, err, sizeof(err)), SNT_RULES_ERR_INVAL);
	assert_null(buf);
	assert_string_equal(err, "field 'max_age': below min_age");
	r->has_min_age = r->has_max_age = false;

	r->colours = 1u << SNT_COLOUR_YELLOW;
	assert_int_equal(snt_rules_encode(r, &buf, &len, err, sizeof(err)), SNT_RULES_ERR_INVAL);
	assert_null(buf);
	assert_string_equal(err, "field 'colours': \"green\" is required");
	r->colours = 1u << SNT_COLOUR_GREEN | 1u << SNT_COLOUR_RED;
	assert_int_equal(snt_rules_encode(r, &buf, &len, err, sizeof(err)), SNT_RULES_ERR_INVAL);
	assert_string_equal(err, "field 'colours': only \"green\" and \"yellow\" may be accepted");
	r->colours = 1u << SNT_COLOUR_GREEN;
	r->formats |= 1u << SNT_FORMAT_NONE;
	assert_int_equal(snt_rules_encode(r, &buf, &len, err, sizeof(err)), SNT_RULES_ERR_INVAL);
	assert_string_equal(err, "field 'formats': not one of healthcode, hcert, lt1, nzcp, shc");
	snt_rules_free(r);
}

static void test_strerror(void **state)
{
	(void)state;
	for (int e = SNT_RULES_OK; e <= SNT_RULES_ERR_ELSEWHERE; e++)
		assert_string_not_equal(snt_rules_strerror((enum snt_rules_err)e), "unknown error");
	assert_string_equal(snt_rules_strerror((enum snt_rules_err)99), "unknown error");
}

/* A test with a fresh fixture: setup() before it, teardown() after. */
#define WITH_FIXTURE(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_valid),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_event_version),
		cmocka_unit_test(test_freshness_and_regions),
		WITH_FIXTURE(test_install),
		WITH_FIXTURE(test_install_unwritable),
		WITH_FIXTURE(test_home),
		WITH_FIXTURE(test_kept),
		WITH_FIXTURE(test_pending),
		cmocka_unit_test(test_base45_encode),
		WITH_FIXTURE(test_credentials),
		cmocka_unit_test(test_rules_encode),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
