// SPDX-License-Identifier: MIT
/* Unit tests of the entry's vocabulary and canonical form (firmware/entry/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "entry/entry.h"

/* One enum field's name functions, through ints. */
struct enum_case {
	enum snt_entry_enum field;
	const char *column;
	size_t count;
	const char *(*name)(int v);
	int (*parse)(const char *name, int *v);
	const char *out_of_range;	/* what name() gives past the table */
	const char *names;		/* the names of interfaces.md, in order, comma-joined: the table starts with them */
};

#define WRAP(type, fn) \
	static const char *fn##_n(int v) { return snt_##fn##_name((enum type)v); } \
	static int fn##_p(const char *name, int *v) \
	{ \
		enum type x; \
		int rc = snt_##fn##_from_name(name, &x); \
		if (!rc) \
			*v = (int)x; \
		return rc; \
	}
WRAP(snt_clock_state, clock_state)
WRAP(snt_person_kind, person_kind)
WRAP(snt_code_format, code_format)
WRAP(snt_colour, colour)
WRAP(snt_verified, verified)
WRAP(snt_decision, decision)
WRAP(snt_door, door)
WRAP(snt_reason, reason)

static const struct enum_case enums[] = {
	{ SNT_ENTRY_ENUM_CLOCK, "clock", SNT_CLOCK_STATE_COUNT, clock_state_n, clock_state_p, "?",
	  "untrusted,trusted,rebased" },
	{ SNT_ENTRY_ENUM_KIND, "kind", SNT_PERSON_KIND_COUNT, person_kind_n, person_kind_p, NULL, "visitor,staff" },
	{ SNT_ENTRY_ENUM_FORMAT, "format", SNT_CODE_FORMAT_COUNT, code_format_n, code_format_p, "?",
	  "none,healthcode,hcert,lt1,nzcp,shc" },
	{ SNT_ENTRY_ENUM_COLOUR, "colour", SNT_COLOUR_COUNT, colour_n, colour_p, "unknown",
	  "unknown,green,yellow,red,black" },
	{ SNT_ENTRY_ENUM_VERIFIED, "verified", SNT_VERIFIED_COUNT, verified_n, verified_p, "?",
	  "none,unverified,valid,invalid" },
	{ SNT_ENTRY_ENUM_DECISION, "decision", SNT_DECISION_COUNT, decision_n, decision_p, "?", "admit,deny,refer" },
	{ SNT_ENTRY_ENUM_DOOR, "door", SNT_DOOR_COUNT, door_n, door_p, NULL, "shut,opened" },
};

/* Every table complete (a non-empty, unique, lower-case name per value) and every name round-trips. */
static void test_tables_round_trip(void **state)
{
	(void)state;
	assert_int_equal(SNT_ARRAY_SIZE(enums), SNT_ENTRY_ENUM_COUNT);
	for (size_t k = 0; k < SNT_ARRAY_SIZE(enums); k++) {
		const struct enum_case *c = &enums[k];
		size_t n = 0;
		const char *const *names = snt_entry_enum_names(c->field, &n);
		char joined[256] = "";

		assert_non_null(names);
		assert_int_equal(n, c->count);
		assert_string_equal(snt_entry_enum_column(c->field), c->column);
		for (size_t i = 0; i < n; i++) {
			int v = -1;

			assert_non_null(names[i]);
			assert_true(names[i][0] != '\0');
			assert_int_equal(strspn(names[i], "abcdefghijklmnopqrstuvwxyz0123456789-"), strlen(names[i]));
			assert_string_equal(c->name((int)i), names[i]);
			assert_int_equal(c->parse(names[i], &v), 0);
			assert_int_equal(v, (int)i);
			for (size_t j = 0; j < i; j++)
				assert_string_not_equal(names[j], names[i]);
			snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s", i ? "," : "",
				 names[i]);
		}
		/* New names go after these (stored and exchanged by name, never renamed or reused). */
		if (strncmp(joined, c->names, strlen(c->names)) ||
		    (joined[strlen(c->names)] != '\0' && joined[strlen(c->names)] != ','))
			fail_msg("%s names \"%s\" do not start with \"%s\"", c->column, joined, c->names);
		if (c->out_of_range)
			assert_string_equal(c->name((int)n), c->out_of_range);
		else
			assert_null(c->name((int)n));
		{
			int v = 7;

			assert_int_equal(c->parse("no-such-name", &v), -1);
			assert_int_equal(c->parse(NULL, &v), -1);
			assert_int_equal(v, 7);
		}
	}
	assert_null(snt_entry_enum_column(SNT_ENTRY_ENUM_COUNT));
	assert_null(snt_entry_enum_names(SNT_ENTRY_ENUM_COUNT, &(size_t){ 0 }));
}

/* Reasons: every one named, unique, with both texts; the set formats and parses in weight order. */
static void test_reasons(void **state)
{
	char buf[SNT_REASONS_TEXT_LEN];
	snt_reasons_t set;

	(void)state;
	for (int i = 0; i < SNT_REASON_COUNT; i++) {
		int v = -1;
		const char *name = reason_n(i);

		assert_non_null(name);
		assert_int_equal(reason_p(name, &v), 0);
		assert_int_equal(v, i);
		assert_non_null(snt_reason_text((enum snt_reason)i, SNT_LANG_ZH));
		assert_non_null(snt_reason_text((enum snt_reason)i, SNT_LANG_EN));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(reason_n(j), name);
	}
	assert_null(reason_n(SNT_REASON_COUNT));
	assert_string_equal(reason_n(0), "store-fault");
	assert_string_equal(reason_n(SNT_REASON_COUNT - 1), "temp-normal");
	/* Every reason at once fits the text buffer and parses back. */
	assert_true(snt_reasons_format(SNT_REASONS_ALL, ",", buf, sizeof(buf)) > 0);
	assert_int_equal(snt_reasons_parse(buf, &set), 0);
	assert_int_equal(set, SNT_REASONS_ALL);
	assert_int_equal(snt_reasons_format(SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL) | SNT_REASON_BIT(SNT_REASON_FEVER),
					    ", ", buf, sizeof(buf)),
			 (int)strlen("fever, temp-normal"));
	assert_string_equal(buf, "fever, temp-normal");
	assert_int_equal(snt_reasons_parse("fever,,temp-normal", &set), -1);
	assert_int_equal(snt_reasons_parse("fever,", &set), -1);
	assert_int_equal(snt_reasons_parse("fever,no-such", &set), -1);
	assert_int_equal(snt_reasons_parse("", &set), 0);
	assert_int_equal(set, 0);
}

/* The SQL CHECK lists, generated from the tables, in the schema's form. */
static void test_sql_check(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(snt_entry_sql_check(SNT_ENTRY_ENUM_CLOCK, NULL, buf, sizeof(buf)),
			 (int)strlen("clock IN ('untrusted', 'trusted', 'rebased')"));
	assert_string_equal(buf, "clock IN ('untrusted', 'trusted', 'rebased')");
	assert_true(snt_entry_sql_check(SNT_ENTRY_ENUM_DOOR, "d", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "d IN ('shut', 'opened')");
	assert_true(snt_entry_sql_check(SNT_ENTRY_ENUM_FORMAT, NULL, buf, sizeof(buf)) > 0);
	assert_memory_equal(buf, "format IN ('none', 'healthcode', 'hcert', 'lt1', 'nzcp', 'shc'",
			    strlen("format IN ('none', 'healthcode', 'hcert', 'lt1', 'nzcp', 'shc'"));
	assert_string_equal(buf + strlen(buf) - 2, "')");
	/* Every name of every table in its field's list. */
	for (int f = 0; f < SNT_ENTRY_ENUM_COUNT; f++) {
		size_t n = 0;
		const char *const *names = snt_entry_enum_names((enum snt_entry_enum)f, &n);

		assert_true(snt_entry_sql_check((enum snt_entry_enum)f, NULL, buf, sizeof(buf)) > 0);
		for (size_t i = 0; i < n; i++) {
			char quoted[64];

			snprintf(quoted, sizeof(quoted), "'%s'", names[i]);
			assert_non_null(strstr(buf, quoted));
		}
	}
	assert_int_equal(snt_entry_sql_check(SNT_ENTRY_ENUM_FORMAT, NULL, buf, 20), -1);
	assert_int_equal(snt_entry_sql_check(SNT_ENTRY_ENUM_COUNT, NULL, buf, sizeof(buf)), -1);
}

static void collect(void *ctx, const void *p, size_t n)
{
	struct {
		uint8_t b[512];
		size_t len;
	} *c = ctx;

	assert_true(n > 0 && c->len + n <= sizeof(c->b));
	memcpy(c->b + c->len, p, n);
	c->len += n;
}

/* The canonical form, byte for byte, of a small entry with and without a detail record. */
static void test_hash_input(void **state)
{
	struct snt_entry e = {
		.seq = 2,
		.boot_id = "b",
		.mono_ms = 3,
		.time_utc_ms = 4,
		.clock = SNT_CLOCK_TRUSTED,
		.kind = SNT_KIND_STAFF,
		.format = SNT_FORMAT_LT1,
		.colour = SNT_COLOUR_RED,
		.verified = SNT_VERIFIED_VALID,
		.decision = SNT_DECISION_DENY,
		.reasons = SNT_REASON_BIT(SNT_REASON_FEVER) | SNT_REASON_BIT(SNT_REASON_CODE_RED),
		.door = SNT_DOOR_SHUT,
	};
	struct snt_entry_names t;
	struct {
		uint8_t b[512];
		size_t len;
	} c = { .len = 0 };
	static const char want[] =
		"\0\0\0\x11sentinel-entry-v1"
		"\0\0\0\0\0\0\0\x02" "\0\0\0\x01" "b" "\0\0\0\0\0\0\0\x03" "\0\0\0\0\0\0\0\x04"
		"\0\0\0\x07trusted" "\0\0\0\x05staff" "\0\0\0\x03lt1" "\0\0\0\x03red" "\0\0\0\x05valid"
		"\0" "\0\0\0\x04" "deny" "\0\0\0\x0e" "fever,code-red" "\0\0\0\x04shut" "\0" "\0";

	(void)state;
	memset(e.prev_hash, 0xab, sizeof(e.prev_hash));
	assert_int_equal(snt_entry_check(&e, &t), 0);
	assert_string_equal(t.reasons, "fever,code-red");
	snt_entry_hash_input(&e, &t, collect, &c);
	assert_int_equal(c.len, SNT_HASH_LEN + sizeof(want) - 1);
	for (size_t i = 0; i < SNT_HASH_LEN; i++)
		assert_int_equal(c.b[i], 0xab);
	assert_memory_equal(c.b + SNT_HASH_LEN, want, sizeof(want) - 1);

	/* A detail record: 0x01 STR(detail) appended. */
	snt_strlcpy(e.detail, "{}", sizeof(e.detail));
	c.len = 0;
	assert_int_equal(snt_entry_check(&e, &t), 0);
	snt_entry_hash_input(&e, &t, collect, &c);
	assert_int_equal(c.len, SNT_HASH_LEN + sizeof(want) - 1 + 7);
	assert_memory_equal(c.b + c.len - 7, "\x01\0\0\0\x02{}", 7);

	/* A payload hash (sentinel-entry-v3): 0x02 STR(32 bytes) in the payload's place, before the detail. */
	e.has_payload_hash = true;
	memset(e.payload_hash, 0x5c, sizeof(e.payload_hash));
	c.len = 0;
	assert_int_equal(snt_entry_check(&e, &t), 0);
	snt_entry_hash_input(&e, &t, collect, &c);
	assert_int_equal(c.len, SNT_HASH_LEN + sizeof(want) - 1 + 36 + 7);
	assert_memory_equal(c.b + SNT_HASH_LEN, want, sizeof(want) - 2);
	assert_memory_equal(c.b + SNT_HASH_LEN + sizeof(want) - 2, "\x02\0\0\0\x20", 5);
	for (size_t i = 0; i < SNT_HASH_LEN; i++)
		assert_int_equal(c.b[SNT_HASH_LEN + sizeof(want) - 2 + 5 + i], 0x5c);
	assert_memory_equal(c.b + c.len - 7, "\x01\0\0\0\x02{}", 7);

	/* A birth year (sentinel-entry-v4): 0x02 I64(year) last; without one the form is v3's, unchanged. */
	{
		size_t v3 = c.len;
		uint8_t before[512];

		memcpy(before, c.b, v3);
		e.birth_year = 1949;
		c.len = 0;
		assert_int_equal(snt_entry_check(&e, &t), 0);
		snt_entry_hash_input(&e, &t, collect, &c);
		assert_int_equal(c.len, v3 + 9);
		assert_memory_equal(c.b, before, v3);
		assert_memory_equal(c.b + v3, "\x02\0\0\0\0\0\0\x07\x9d", 9);
		e.birth_year = 0;
		c.len = 0;
		snt_entry_hash_input(&e, &t, collect, &c);
		assert_int_equal(c.len, v3);
		assert_memory_equal(c.b, before, v3);
	}
	assert_string_equal(SNT_ENTRY_HASH_FORM, "sentinel-entry-v4");
}

/* What the log keeps of each format's payload: a health code's token, a certificate's SHA-256. */
static void test_format_keep(void **state)
{
	(void)state;
	assert_int_equal(snt_code_format_keep(SNT_FORMAT_NONE), SNT_PAYLOAD_KEPT);
	assert_int_equal(snt_code_format_keep(SNT_FORMAT_HEALTHCODE), SNT_PAYLOAD_KEPT);
	assert_int_equal(snt_code_format_keep(SNT_FORMAT_HCERT), SNT_PAYLOAD_DIGEST);
	assert_int_equal(snt_code_format_keep(SNT_FORMAT_LT1), SNT_PAYLOAD_DIGEST);
	assert_int_equal(snt_code_format_keep(SNT_FORMAT_NZCP), SNT_PAYLOAD_DIGEST);
	assert_int_equal(snt_code_format_keep(SNT_FORMAT_SHC), SNT_PAYLOAD_DIGEST);
	assert_int_equal(snt_code_format_keep((enum snt_code_format)SNT_CODE_FORMAT_COUNT), SNT_PAYLOAD_DIGEST);
	assert_int_equal(snt_code_format_keep((enum snt_code_format)-1), SNT_PAYLOAD_DIGEST);
}

/* snt_entry_check() refuses every out-of-range field. */
static void test_check(void **state)
{
	struct snt_entry ok = { .boot_id = "b" }, e;

	(void)state;
	assert_int_equal(snt_entry_check(&ok, NULL), 0);
	assert_int_equal(snt_entry_check(NULL, NULL), -1);
#define BAD(stmt) \
	do { \
		e = ok; \
		stmt; \
		assert_int_equal(snt_entry_check(&e, NULL), -1); \
	} while (0)
	BAD(e.clock = (enum snt_clock_state)SNT_CLOCK_STATE_COUNT);
	BAD(e.kind = (enum snt_person_kind)SNT_PERSON_KIND_COUNT);
	BAD(e.format = (enum snt_code_format)SNT_CODE_FORMAT_COUNT);
	BAD(e.colour = (enum snt_colour)SNT_COLOUR_COUNT);
	BAD(e.verified = (enum snt_verified)SNT_VERIFIED_COUNT);
	BAD(e.decision = (enum snt_decision)SNT_DECISION_COUNT);
	BAD(e.door = (enum snt_door)SNT_DOOR_COUNT);
	BAD(e.reasons = SNT_REASON_BIT(SNT_REASON_COUNT));
	BAD(memset(e.boot_id, 'a', sizeof(e.boot_id)));
	BAD(snt_strlcpy(e.subject, "\xc0\xaf", sizeof(e.subject)));
	BAD(e.payload_len = 1);
	BAD((e.payload = (const uint8_t *)"x", e.payload_len = SNT_ENTRY_MAX_PAYLOAD + 1));
	BAD((e.payload = (const uint8_t *)"x", e.payload_len = 1, e.has_payload_hash = true));
	BAD(e.birth_year = SNT_ENTRY_BIRTH_YEAR_MIN - 1);
	BAD(e.birth_year = SNT_ENTRY_BIRTH_YEAR_MAX + 1);
	BAD(e.birth_year = -1949);
#undef BAD
	e = ok;
	e.birth_year = SNT_ENTRY_BIRTH_YEAR_MIN;
	assert_int_equal(snt_entry_check(&e, NULL), 0);
	e.birth_year = SNT_ENTRY_BIRTH_YEAR_MAX;
	assert_int_equal(snt_entry_check(&e, NULL), 0);
	e = ok;
	e.has_payload_hash = true;
	assert_int_equal(snt_entry_check(&e, NULL), 0);
	assert_true(snt_entry_utf8_valid((const unsigned char *)"\xe5\xbc\xa0", 3));
	assert_false(snt_entry_utf8_valid((const unsigned char *)"\xed\xa0\x80", 3));
	assert_false(snt_entry_utf8_valid((const unsigned char *)"\xf4\x90\x80\x80", 4));
}

/* snt_entry_enum_value(): each enum field of an entry by its column's table. */
static void test_enum_value(void **state)
{
	struct snt_entry e = {
		.clock = SNT_CLOCK_REBASED, .kind = SNT_KIND_STAFF, .format = SNT_FORMAT_NZCP,
		.colour = SNT_COLOUR_BLACK, .verified = SNT_VERIFIED_INVALID, .decision = SNT_DECISION_REFER,
		.door = SNT_DOOR_OPENED,
	};
	static const char *const want[SNT_ENTRY_ENUM_COUNT] = {
		"rebased", "staff", "nzcp", "black", "invalid", "refer", "opened",
	};

	(void)state;
	for (int f = 0; f < SNT_ENTRY_ENUM_COUNT; f++)
		assert_string_equal(snt_entry_enum_value(&e, (enum snt_entry_enum)f), want[f]);
	assert_null(snt_entry_enum_value(&e, SNT_ENTRY_ENUM_COUNT));
	assert_null(snt_entry_enum_value(NULL, SNT_ENTRY_ENUM_CLOCK));
	e.door = (enum snt_door)SNT_DOOR_COUNT;
	assert_null(snt_entry_enum_value(&e, SNT_ENTRY_ENUM_DOOR));
}

/* snt_entry_equal(): every field counts, temp_dc only with a temperature, the payload by its bytes. */
static void test_equal(void **state)
{
	static const uint8_t p1[] = { 1, 2 }, p2[] = { 1, 2 }, p3[] = { 1, 3 };
	struct snt_entry a = { .seq = 1, .boot_id = "b", .payload = p1, .payload_len = 2 }, b;

	(void)state;
	b = a;
	b.payload = p2;
	assert_true(snt_entry_equal(&a, &b));
	b.temp_dc = 5;
	assert_true(snt_entry_equal(&a, &b));
	b.has_temp = true;
	assert_false(snt_entry_equal(&a, &b));
	b = a;
	b.payload = p3;
	assert_false(snt_entry_equal(&a, &b));
	b = a;
	b.hash[31] = 1;
	assert_false(snt_entry_equal(&a, &b));
	b = a;
	b.reasons = SNT_REASON_BIT(SNT_REASON_FEVER);
	assert_false(snt_entry_equal(&a, &b));
	b = a;
	snt_strlcpy(b.detail, "{}", sizeof(b.detail));
	assert_false(snt_entry_equal(&a, &b));
	/* The payload hash, only where there is one. */
	a.payload = NULL;
	a.payload_len = 0;
	b = a;
	b.payload_hash[0] = 1;
	assert_true(snt_entry_equal(&a, &b));
	b.has_payload_hash = true;
	assert_false(snt_entry_equal(&a, &b));
	a.has_payload_hash = true;
	assert_false(snt_entry_equal(&a, &b));
	a.payload_hash[0] = 1;
	assert_true(snt_entry_equal(&a, &b));
	/* The birth year. */
	b.birth_year = 1949;
	assert_false(snt_entry_equal(&a, &b));
	a.birth_year = 1949;
	assert_true(snt_entry_equal(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_round_trip),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_sql_check),
		cmocka_unit_test(test_hash_input),
		cmocka_unit_test(test_format_keep),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_enum_value),
		cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
