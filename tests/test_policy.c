// SPDX-License-Identifier: MIT
/* Unit tests of the decision rule (firmware/policy/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/policy.h"

struct rule_case {
	const char *name;
	struct snt_policy_input in;
	enum snt_decision decision;
	const char *reasons;
};

#define GREEN_CODE .code_read = true, .format = SNT_FORMAT_HEALTHCODE, .verified = SNT_VERIFIED_UNVERIFIED, \
	.payload_text = true

static const struct rule_case cases[] = {
	{ "green + normal admits",
	  { .store_ok = true, GREEN_CODE, .colour = SNT_COLOUR_GREEN, .temp = SNT_TEMP_NORMAL },
	  SNT_DECISION_ADMIT, "code-green,temp-normal" },
	{ "yellow denies",
	  { .store_ok = true, GREEN_CODE, .colour = SNT_COLOUR_YELLOW, .temp = SNT_TEMP_NORMAL },
	  SNT_DECISION_DENY, "code-yellow,temp-normal" },
	{ "red denies",
	  { .store_ok = true, GREEN_CODE, .colour = SNT_COLOUR_RED, .temp = SNT_TEMP_NORMAL },
	  SNT_DECISION_DENY, "code-red,temp-normal" },
	{ "fever denies even with green",
	  { .store_ok = true, GREEN_CODE, .colour = SNT_COLOUR_GREEN, .temp = SNT_TEMP_FEVER },
	  SNT_DECISION_DENY, "fever,code-green" },
	{ "fever and red: both reasons, fever first",
	  { .store_ok = true, GREEN_CODE, .colour = SNT_COLOUR_RED, .temp = SNT_TEMP_FEVER },
	  SNT_DECISION_DENY, "fever,code-red" },
	{ "no code refers",
	  { .store_ok = true, .temp = SNT_TEMP_NORMAL },
	  SNT_DECISION_REFER, "no-code,temp-normal" },
	{ "unknown colour refers",
	  { .store_ok = true, GREEN_CODE, .colour = SNT_COLOUR_UNKNOWN, .temp = SNT_TEMP_NORMAL },
	  SNT_DECISION_REFER, "colour-unknown,temp-normal" },
	{ "black code refers as colour-unknown",
	  { .store_ok = true, GREEN_CODE, .colour = SNT_COLOUR_BLACK, .temp = SNT_TEMP_NORMAL },
	  SNT_DECISION_REFER, "colour-unknown,temp-normal" },
	{ "implausible temperature refers",
	  { .store_ok = true, GREEN_CODE, .colour = SNT_COLOUR_GREEN, .temp = SNT_TEMP_IMPLAUSIBLE },
	  SNT_DECISION_REFER, "temp-implausible,code-green" },
	{ "sensor fault refers",
	  { .store_ok = true, GREEN_CODE, .colour = SNT_COLOUR_GREEN, .temp = SNT_TEMP_FAULT },
	  SNT_DECISION_REFER, "sensor-fault,code-green" },
	{ "no temperature is never a pass",
	  { .store_ok = true, GREEN_CODE, .colour = SNT_COLOUR_GREEN, .temp = SNT_TEMP_NONE },
	  SNT_DECISION_REFER, "sensor-fault,code-green" },
	{ "yellow outweighs implausible: deny",
	  { .store_ok = true, GREEN_CODE, .colour = SNT_COLOUR_YELLOW, .temp = SNT_TEMP_IMPLAUSIBLE },
	  SNT_DECISION_DENY, "code-yellow,temp-implausible" },
	{ "store fault keeps green+normal out",
	  { .store_ok = false, GREEN_CODE, .colour = SNT_COLOUR_GREEN, .temp = SNT_TEMP_NORMAL },
	  SNT_DECISION_REFER, "store-fault,code-green,temp-normal" },
	{ "store fault with fever still denies",
	  { .store_ok = false, GREEN_CODE, .colour = SNT_COLOUR_GREEN, .temp = SNT_TEMP_FEVER },
	  SNT_DECISION_DENY, "store-fault,fever,code-green" },
	{ "duplicate is informational",
	  { .store_ok = true, GREEN_CODE, .colour = SNT_COLOUR_GREEN, .temp = SNT_TEMP_NORMAL,
	    .duplicate = true },
	  SNT_DECISION_ADMIT, "duplicate,code-green,temp-normal" },
	{ "duplicate with fever denies",
	  { .store_ok = true, GREEN_CODE, .colour = SNT_COLOUR_GREEN, .temp = SNT_TEMP_FEVER,
	    .duplicate = true },
	  SNT_DECISION_DENY, "fever,duplicate,code-green" },
	{ "invalid signature refers, colour ignored",
	  { .store_ok = true, .code_read = true, .format = SNT_FORMAT_HCERT, .payload_text = true,
	    .verified = SNT_VERIFIED_INVALID, .colour = SNT_COLOUR_GREEN, .temp = SNT_TEMP_NORMAL },
	  SNT_DECISION_REFER, "signature-invalid,temp-normal" },
	{ "a signed format not verified is not admitted on colour",
	  { .store_ok = true, .code_read = true, .format = SNT_FORMAT_NZCP, .payload_text = true,
	    .verified = SNT_VERIFIED_UNVERIFIED, .colour = SNT_COLOUR_GREEN, .temp = SNT_TEMP_NORMAL },
	  SNT_DECISION_REFER, "signature-invalid,temp-normal" },
	{ "a signed certificate checked against an untrusted clock refers with clock-untrusted",
	  { .store_ok = true, .code_read = true, .format = SNT_FORMAT_HCERT, .payload_text = true,
	    .verified = SNT_VERIFIED_UNVERIFIED, .clock_untrusted = true, .colour = SNT_COLOUR_GREEN,
	    .temp = SNT_TEMP_NORMAL },
	  SNT_DECISION_REFER, "clock-untrusted,temp-normal" },
	{ "... and with expired when its dates failed against that clock",
	  { .store_ok = true, .code_read = true, .format = SNT_FORMAT_HCERT, .payload_text = true,
	    .verified = SNT_VERIFIED_UNVERIFIED, .clock_untrusted = true, .cert_expired = true,
	    .colour = SNT_COLOUR_GREEN, .temp = SNT_TEMP_NORMAL },
	  SNT_DECISION_REFER, "expired,clock-untrusted,temp-normal" },
	{ "an expired certificate with a trusted clock refers with expired",
	  { .store_ok = true, .code_read = true, .format = SNT_FORMAT_SHC, .payload_text = true,
	    .verified = SNT_VERIFIED_INVALID, .cert_expired = true, .colour = SNT_COLOUR_BLACK,
	    .temp = SNT_TEMP_NORMAL },
	  SNT_DECISION_REFER, "expired,temp-normal" },
	{ "a valid signed certificate and a normal temperature admit",
	  { .store_ok = true, .code_read = true, .format = SNT_FORMAT_HCERT, .payload_text = true,
	    .verified = SNT_VERIFIED_VALID, .colour = SNT_COLOUR_BLACK, .temp = SNT_TEMP_NORMAL },
	  SNT_DECISION_ADMIT, "temp-normal" },
	{ "a binary payload drawn green refers",
	  { .store_ok = true, .code_read = true, .format = SNT_FORMAT_HEALTHCODE,
	    .verified = SNT_VERIFIED_UNVERIFIED, .colour = SNT_COLOUR_GREEN, .temp = SNT_TEMP_NORMAL },
	  SNT_DECISION_REFER, "code-invalid,temp-normal" },
	{ "an empty payload is no code",
	  { .store_ok = true, .code_read = true, .format = SNT_FORMAT_NONE,
	    .colour = SNT_COLOUR_GREEN, .temp = SNT_TEMP_NORMAL },
	  SNT_DECISION_REFER, "no-code,temp-normal" },
};

static void test_rules(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct snt_policy_result r;
		char buf[256];

		snt_policy_decide(&cases[i].in, &r);
		assert_int_equal(snt_reasons_format(r.reasons, ",", buf, sizeof(buf)),
				 (int)strlen(cases[i].reasons));
		if (strcmp(buf, cases[i].reasons) || r.decision != cases[i].decision)
			fail_msg("%s: got %s (%s), want %s (%s)", cases[i].name,
				 snt_decision_name(r.decision), buf,
				 snt_decision_name(cases[i].decision), cases[i].reasons);
	}
}

static void test_reason_names_are_the_contract(void **state)
{
	/*
	 * interfaces.md, in order of weight, plus code-invalid (added after
	 * no-code) and format-not-accepted (added after it, issue 8), and
	 * wrong-home (after signature-invalid), rules-missing and pass-used
	 * (either side of closed-mode, at its weight; issue 14), id-invalid
	 * (after signature-invalid), id-expired (after expired), id-missing
	 * (after no-code) and age-out-of-range (after id-expired; issue 18),
	 * issuer-revoked (after revoked: a pass signed by a revoked gate's key;
	 * issue 17).
	 */
	static const char *const want[] = {
		"store-fault", "sensor-fault", "fever", "code-red", "code-yellow",
		"signature-invalid", "id-invalid", "wrong-home", "expired", "id-expired", "age-out-of-range", "revoked",
		"issuer-revoked", "rules-missing", "closed-mode", "pass-used",
		"capacity",
		"risk-region", "staff-test-overdue", "no-code", "id-missing", "code-invalid", "format-not-accepted", "colour-unknown",
		"temp-implausible", "clock-untrusted", "rules-stale", "duplicate",
		"override-admit", "override-deny", "code-green", "temp-normal",
	};
	int last = -1;

	(void)state;
	/*
	 * Each of them, in this order of weight; a reason added later is one
	 * more row of the entry table at its weight, between or after them.
	 */
	assert_true(SNT_REASON_COUNT >= (int)(sizeof(want) / sizeof(want[0])));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		enum snt_reason r;

		assert_int_equal(snt_reason_from_name(want[i], &r), 0);
		assert_string_equal(snt_reason_name(r), want[i]);
		if ((int)r <= last)
			fail_msg("reason %s weighs more than %s", want[i], want[i - 1]);
		last = (int)r;
	}
	assert_string_equal(snt_reason_name((enum snt_reason)0), want[0]);
	assert_string_equal(snt_reason_name((enum snt_reason)(SNT_REASON_COUNT - 1)),
			    want[sizeof(want) / sizeof(want[0]) - 1]);
	assert_null(snt_reason_name(SNT_REASON_COUNT));
	assert_string_equal(snt_decision_name(SNT_DECISION_ADMIT), "admit");
	assert_string_equal(snt_decision_name(SNT_DECISION_DENY), "deny");
	assert_string_equal(snt_decision_name(SNT_DECISION_REFER), "refer");
}

/* A resident ID card: a wrong check digit or an expired card refers. */
static void test_id_card_reasons(void **state)
{
	struct snt_policy_input in = {
		.store_ok = true, .code_read = true, .format = SNT_FORMAT_HEALTHCODE, .colour = SNT_COLOUR_GREEN,
		.verified = SNT_VERIFIED_UNVERIFIED, .temp = SNT_TEMP_NORMAL, .payload_text = true,
	};
	struct snt_policy_result res;

	(void)state;
	snt_policy_decide(&in, &res);
	assert_int_equal(res.decision, SNT_DECISION_ADMIT);
	in.id_invalid = true;
	snt_policy_decide(&in, &res);
	assert_int_equal(res.decision, SNT_DECISION_REFER);
	assert_int_equal(res.reasons, SNT_REASON_BIT(SNT_REASON_ID_INVALID) | SNT_REASON_BIT(SNT_REASON_CODE_GREEN) |
					      SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL));
	in.id_invalid = false;
	in.id_expired = true;
	snt_policy_decide(&in, &res);
	assert_int_equal(res.decision, SNT_DECISION_REFER);
	assert_int_equal(res.reasons, SNT_REASON_BIT(SNT_REASON_ID_EXPIRED) | SNT_REASON_BIT(SNT_REASON_CODE_GREEN) |
					      SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL));
	/* Staff too (here also overdue: no roster). */
	in.person = SNT_KIND_STAFF;
	snt_policy_decide(&in, &res);
	assert_int_equal(res.decision, SNT_DECISION_REFER);
	assert_true(res.reasons & SNT_REASON_BIT(SNT_REASON_ID_EXPIRED));
	/* A red code still denies, the card's reason listed with it. */
	in.person = SNT_KIND_VISITOR;
	in.colour = SNT_COLOUR_RED;
	snt_policy_decide(&in, &res);
	assert_int_equal(res.decision, SNT_DECISION_DENY);
	assert_true(res.reasons & SNT_REASON_BIT(SNT_REASON_ID_EXPIRED));
	/* No card read where one is required: refer with id-missing, after no-code's weight. */
	in.colour = SNT_COLOUR_GREEN;
	in.id_expired = false;
	in.id_missing = true;
	snt_policy_decide(&in, &res);
	assert_int_equal(res.decision, SNT_DECISION_REFER);
	assert_int_equal(res.reasons, SNT_REASON_BIT(SNT_REASON_ID_MISSING) | SNT_REASON_BIT(SNT_REASON_CODE_GREEN) |
					      SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL));
	in.code_read = false;
	in.format = SNT_FORMAT_NONE;
	snt_policy_decide(&in, &res);
	assert_int_equal(res.decision, SNT_DECISION_REFER);
	assert_int_equal(res.reasons, SNT_REASON_BIT(SNT_REASON_NO_CODE) | SNT_REASON_BIT(SNT_REASON_ID_MISSING) |
					      SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL));
	assert_true(SNT_REASON_NO_CODE < SNT_REASON_ID_MISSING && SNT_REASON_ID_MISSING < SNT_REASON_CODE_INVALID);
}

/*
 * The age rule (min_age, max_age of the rule set): a visitor whose card's age is outside
 * it refers with age-out-of-range, right after id-expired's weight; staff, a visitor
 * without a card's age, and a set without an age rule never do.
 */
static void test_age_rule(void **state)
{
	static struct snt_rules rules;
	struct snt_policy_input in = {
		.store_ok = true, .code_read = true, .format = SNT_FORMAT_HEALTHCODE, .colour = SNT_COLOUR_GREEN,
		.verified = SNT_VERIFIED_UNVERIFIED, .temp = SNT_TEMP_NORMAL, .payload_text = true,
	};
	const snt_reasons_t ok = SNT_REASON_BIT(SNT_REASON_CODE_GREEN) | SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL);
	struct snt_policy_result res;

	(void)state;
	assert_int_equal(SNT_REASON_AGE_OUT_OF_RANGE, SNT_REASON_ID_EXPIRED + 1);
	assert_string_equal(snt_reason_name(SNT_REASON_AGE_OUT_OF_RANGE), "age-out-of-range");
	/* No rule set, then one without an age rule: any age passes. */
	in.has_id_age = true;
	in.id_age = 3;
	snt_policy_decide(&in, &res);
	assert_int_equal(res.decision, SNT_DECISION_ADMIT);
	memset(&rules, 0, sizeof(rules));
	rules.colours = 1u << SNT_COLOUR_GREEN;
	rules.formats = 1u << SNT_FORMAT_HEALTHCODE;
	rules.valid_until_ms = INT64_MAX / 2;
	rules.max_test_age_days = 7;
	in.rules = &rules;
	in.now_ms = 1000;
	snt_policy_decide(&in, &res);
	assert_int_equal(res.decision, SNT_DECISION_ADMIT);
	assert_int_equal(res.reasons, ok);
	/* 18 to 80: the bounds themselves pass, one year past either refers. */
	rules.has_min_age = rules.has_max_age = true;
	rules.min_age = 18;
	rules.max_age = 80;
	for (uint32_t age = 16; age <= 82; age++) {
		in.id_age = age;
		snt_policy_decide(&in, &res);
		if (age >= 18 && age <= 80) {
			assert_int_equal(res.decision, SNT_DECISION_ADMIT);
			assert_int_equal(res.reasons, ok);
		} else {
			assert_int_equal(res.decision, SNT_DECISION_REFER);
			assert_int_equal(res.reasons, SNT_REASON_BIT(SNT_REASON_AGE_OUT_OF_RANGE) | ok);
		}
	}
	/* One bound alone. */
	rules.has_max_age = false;
	in.id_age = 99;
	snt_policy_decide(&in, &res);
	assert_int_equal(res.decision, SNT_DECISION_ADMIT);
	in.id_age = 17;
	snt_policy_decide(&in, &res);
	assert_int_equal(res.decision, SNT_DECISION_REFER);
	/* No age known (no card, or none that gives one): no such reason. */
	in.has_id_age = false;
	snt_policy_decide(&in, &res);
	assert_int_equal(res.decision, SNT_DECISION_ADMIT);
	/* Listed after id-expired, and a red code still denies. */
	in.has_id_age = true;
	in.id_expired = true;
	snt_policy_decide(&in, &res);
	assert_int_equal(res.decision, SNT_DECISION_REFER);
	assert_int_equal(res.reasons, SNT_REASON_BIT(SNT_REASON_ID_EXPIRED) |
					      SNT_REASON_BIT(SNT_REASON_AGE_OUT_OF_RANGE) | ok);
	{
		char buf[128];

		assert_true(snt_reasons_format(res.reasons, ",", buf, sizeof(buf)) > 0);
		assert_string_equal(buf, "id-expired,age-out-of-range,code-green,temp-normal");
	}
	in.id_expired = false;
	in.colour = SNT_COLOUR_RED;
	snt_policy_decide(&in, &res);
	assert_int_equal(res.decision, SNT_DECISION_DENY);
	assert_true(res.reasons & SNT_REASON_BIT(SNT_REASON_AGE_OUT_OF_RANGE));
	/* Staff are not judged by the visitors' age rule. */
	in.colour = SNT_COLOUR_GREEN;
	in.person = SNT_KIND_STAFF;
	snt_policy_decide(&in, &res);
	assert_false(res.reasons & SNT_REASON_BIT(SNT_REASON_AGE_OUT_OF_RANGE));
}

static void test_reasons_format_parse(void **state)
{
	snt_reasons_t set = SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL) | SNT_REASON_BIT(SNT_REASON_FEVER);
	snt_reasons_t back = 0;
	char buf[64], tiny[8];

	(void)state;
	assert_int_equal(snt_reasons_format(set, ", ", buf, sizeof(buf)), 18);
	assert_string_equal(buf, "fever, temp-normal");
	assert_int_equal(snt_reasons_format(set, ",", tiny, sizeof(tiny)), -1);
	assert_int_equal(strlen(tiny) < sizeof(tiny), 1);
	assert_int_equal(snt_reasons_format(0, ",", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");

	assert_int_equal(snt_reasons_parse("fever,temp-normal", &back), 0);
	assert_int_equal(back, set);
	assert_int_equal(snt_reasons_parse("", &back), 0);
	assert_int_equal(back, 0);
	assert_int_equal(snt_reasons_parse("fever,", &back), -1);
	assert_int_equal(snt_reasons_parse(",fever", &back), -1);
	assert_int_equal(snt_reasons_parse("fever,,code-red", &back), -1);
	assert_int_equal(snt_reasons_parse("fever,hot", &back), -1);
}

static void test_reason_texts(void **state)
{
	struct snt_policy_result res = { .decision = SNT_DECISION_REFER, .test_due_day = -1 };
	char buf[256];

	(void)state;
	for (int i = 0; i < SNT_REASON_COUNT; i++) {
		const char *zh = snt_reason_text((enum snt_reason)i, SNT_LANG_ZH);
		const char *en = snt_reason_text((enum snt_reason)i, SNT_LANG_EN);

		if (!zh || !en || !*zh || !*en || !strcmp(zh, en))
			fail_msg("reason %s has no Chinese and English text", snt_reason_name((enum snt_reason)i));
	}
	assert_null(snt_reason_text(SNT_REASON_COUNT, SNT_LANG_EN));
	assert_null(snt_reason_text(SNT_REASON_FEVER, (enum snt_lang)2));
	assert_string_equal(snt_reason_text(SNT_REASON_CAPACITY, SNT_LANG_EN), "visitor limit reached");

	res.reasons = SNT_REASON_BIT(SNT_REASON_STAFF_TEST_OVERDUE) | SNT_REASON_BIT(SNT_REASON_CODE_GREEN);
	assert_int_equal(snt_policy_explain(&res, SNT_LANG_EN, "; ", buf, sizeof(buf)),
			 (int)strlen("no test on record; green health code"));
	assert_string_equal(buf, "no test on record; green health code");
	res.test_due_day = 20785;	/* 2026-11-28 (2026-12-01 is day 20788) */
	assert_true(snt_policy_explain(&res, SNT_LANG_EN, "; ", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "test overdue since 2026-11-28; green health code");
	assert_true(snt_policy_explain(&res, SNT_LANG_ZH, "，", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "核酸检测自 2026-11-28 起超期，绿码");
	assert_int_equal(snt_policy_explain(&res, SNT_LANG_EN, "; ", buf, 10), -1);
	assert_string_equal(buf, "test over");	/* truncated, terminated */
	res.reasons = 0;
	assert_int_equal(snt_policy_explain(&res, SNT_LANG_EN, "; ", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

/* The cap's occupancy: expected stay, exits (the one inside longest leaves), midnight. */
static void test_occupancy(void **state)
{
	const int64_t min = 60000, day0 = 1764345600000LL;	/* 2025-11-28T16:00Z, a Shanghai midnight */
	struct snt_occupancy *o = malloc(sizeof(*o));

	(void)state;
	assert_non_null(o);
	snt_occupancy_init(o, 15 * min);
	assert_int_equal(snt_occupancy_count(o, day0 + 60 * min, day0), 0);
	snt_occupancy_admit(o, day0 + 60 * min, day0);
	snt_occupancy_admit(o, day0 + 70 * min, day0);
	assert_int_equal(snt_occupancy_count(o, day0 + 74 * min, day0), 2);
	/* The first has stayed 15 minutes at 75: out. */
	assert_int_equal(snt_occupancy_count(o, day0 + 75 * min - 1, day0), 2);
	assert_int_equal(snt_occupancy_count(o, day0 + 75 * min, day0), 1);
	/* An exit takes the one inside longest; another exit with no one inside does nothing. */
	snt_occupancy_admit(o, day0 + 76 * min, day0);
	snt_occupancy_exit(o, day0 + 77 * min, day0);
	assert_int_equal(snt_occupancy_count(o, day0 + 77 * min, day0), 1);
	assert_int_equal(o->admitted_ms[0], day0 + 76 * min);
	snt_occupancy_exit(o, day0 + 78 * min, day0);
	snt_occupancy_exit(o, day0 + 78 * min, day0);
	assert_int_equal(snt_occupancy_count(o, day0 + 78 * min, day0), 0);
	/* No expiry: counted until midnight, then from 0. */
	snt_occupancy_set_stay(o, 0);
	snt_occupancy_admit(o, day0 + 1000 * min, day0);
	snt_occupancy_admit(o, day0 + 1400 * min, day0);
	assert_int_equal(snt_occupancy_count(o, day0 + 1439 * min, day0), 2);
	assert_int_equal(snt_occupancy_count(o, day0 + 1440 * min, day0 + 1440 * min), 0);
	snt_occupancy_admit(o, day0 + 1441 * min, day0 + 1440 * min);
	assert_int_equal(snt_occupancy_count(o, day0 + 1441 * min, day0 + 1440 * min), 1);
	/* Past SNT_OCCUPANCY_MAX the oldest is dropped. */
	for (int i = 0; i < SNT_OCCUPANCY_MAX + 5; i++)
		snt_occupancy_admit(o, day0 + 1442 * min + i, day0 + 1440 * min);
	assert_int_equal(snt_occupancy_count(o, day0 + 1443 * min, day0 + 1440 * min), SNT_OCCUPANCY_MAX);
	free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_occupancy),
		cmocka_unit_test(test_reason_names_are_the_contract),
		cmocka_unit_test(test_id_card_reasons),
		cmocka_unit_test(test_age_rule),
		cmocka_unit_test(test_reasons_format_parse),
		cmocka_unit_test(test_reason_texts),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
