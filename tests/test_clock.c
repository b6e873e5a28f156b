// SPDX-License-Identifier: MIT
/* Unit tests of time formatting and parsing (firmware/clock/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clock/clock.h"

static void test_format(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(snt_clock_format_rfc3339(0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_int_equal(snt_clock_format_rfc3339(1764403199999, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2025-11-29T07:59:59Z");
	assert_int_equal(snt_clock_format_rfc3339(951782400000, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2000-02-29T00:00:00Z");
	assert_int_equal(snt_clock_format_rfc3339(-1, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	assert_int_equal(snt_clock_format_rfc3339(0, buf, 20), -1);
	assert_int_equal(snt_clock_format_rfc3339(400000000000000LL, buf, sizeof(buf)), -1);
	assert_int_equal(snt_clock_format_rfc3339(INT64_MIN, buf, sizeof(buf)), -1);
	assert_int_equal(snt_clock_format_rfc3339(INT64_MAX, buf, sizeof(buf)), -1);
	assert_int_equal(snt_clock_format_rfc3339(253402300799999LL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "9999-12-31T23:59:59Z");
	assert_int_equal(snt_clock_format_rfc3339(-62167219200000LL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0000-01-01T00:00:00Z");
}

static void test_parse(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(snt_clock_parse_rfc3339("2026-11-29T08:00:00+08:00", &t), 0);
	assert_int_equal(t, 1795910400000LL);
	assert_int_equal(snt_clock_parse_rfc3339("2026-11-29T00:00:00Z", &t), 0);
	assert_int_equal(t, 1795910400000LL);
	assert_int_equal(snt_clock_parse_rfc3339("2026-11-29 00:00:00.250z", &t), 0);
	assert_int_equal(t, 1795910400250LL);
	assert_int_equal(snt_clock_parse_rfc3339("2024-02-29T00:00:00Z", &t), 0);
	assert_int_equal(snt_clock_parse_rfc3339("2023-02-29T00:00:00Z", &t), -1);
	assert_int_equal(snt_clock_parse_rfc3339("2026-13-01T00:00:00Z", &t), -1);
	assert_int_equal(snt_clock_parse_rfc3339("2026-11-29T24:00:00Z", &t), -1);
	assert_int_equal(snt_clock_parse_rfc3339("2026-11-29T08:00:00", &t), -1);
	assert_int_equal(snt_clock_parse_rfc3339("2026-11-29T08:00:00Zjunk", &t), -1);
	assert_int_equal(snt_clock_parse_rfc3339("2026-11-29", &t), -1);
	assert_int_equal(snt_clock_parse_rfc3339("", &t), -1);
	assert_int_equal(snt_clock_parse_rfc3339("2026-11-29T08:00:00.Z", &t), -1);
}

static void test_roundtrip(void **state)
{
	(void)state;
	for (int64_t t = 0; t < 5000000000000LL; t += 86399999LL * 37) {
		char buf[32];
		int64_t back;

		assert_int_equal(snt_clock_format_rfc3339(t, buf, sizeof(buf)), 0);
		assert_int_equal(snt_clock_parse_rfc3339(buf, &back), 0);
		assert_int_equal(back, t / 1000 * 1000);
	}
}

static void test_state_names(void **state)
{
	enum snt_clock_state s;

	(void)state;
	assert_string_equal(snt_clock_state_name(SNT_CLOCK_TRUSTED), "trusted");
	assert_string_equal(snt_clock_state_name(SNT_CLOCK_UNTRUSTED), "untrusted");
	assert_string_equal(snt_clock_state_name(SNT_CLOCK_REBASED), "rebased");
	assert_int_equal(snt_clock_state_from_name("rebased", &s), 0);
	assert_int_equal(s, SNT_CLOCK_REBASED);
	assert_int_equal(snt_clock_state_from_name("ok", &s), -1);
}

static void test_judge(void **state)
{
	const int64_t t = 1795910400000LL;	/* 2026-11-29 */

	(void)state;
	/* Boot without network: the source is not synchronised. */
	assert_int_equal(snt_clock_judge(SNT_CLOCK_UNTRUSTED, t, 0), SNT_CLOCK_UNTRUSTED);
	assert_int_equal(snt_clock_judge(SNT_CLOCK_TRUSTED, t, 0), SNT_CLOCK_TRUSTED);
	/* The clock jumps back behind a time once trusted: untrusted even if "synced". */
	assert_int_equal(snt_clock_judge(SNT_CLOCK_TRUSTED, t - 3600000, t), SNT_CLOCK_UNTRUSTED);
	assert_int_equal(snt_clock_judge(SNT_CLOCK_TRUSTED, 0, t), SNT_CLOCK_UNTRUSTED);
	/* A small NTP step back stays trusted. */
	assert_int_equal(snt_clock_judge(SNT_CLOCK_TRUSTED, t - SNT_CLOCK_BACKSTEP_TOLERANCE_MS, t),
			 SNT_CLOCK_TRUSTED);
	assert_int_equal(snt_clock_judge(SNT_CLOCK_TRUSTED, t - SNT_CLOCK_BACKSTEP_TOLERANCE_MS - 1, t),
			 SNT_CLOCK_UNTRUSTED);
	/* Years ahead: only a synchronised source is believed. */
	assert_int_equal(snt_clock_judge(SNT_CLOCK_UNTRUSTED, t + 10LL * 365 * 86400000, t),
			 SNT_CLOCK_UNTRUSTED);
	assert_int_equal(snt_clock_judge(SNT_CLOCK_TRUSTED, t + 10LL * 365 * 86400000, t),
			 SNT_CLOCK_TRUSTED);
	/* "rebased" is never a live state. */
	assert_int_equal(snt_clock_judge(SNT_CLOCK_REBASED, t, 0), SNT_CLOCK_UNTRUSTED);
}

/* Issue 14 item 6: within a boot the wall clock may not run ahead of the monotonic time. */
static void test_judge_step(void **state)
{
	const int64_t t = 1795910400000LL, year = 365LL * 86400000;
	const struct snt_clock_anchor here = { t, 5000, true }, before = { t, 5000, false }, none = { 0, 0, false };

	(void)state;
	/* A minute of monotonic time, a minute of wall time: trusted; with a minute's slack more. */
	assert_int_equal(snt_clock_judge_step(SNT_CLOCK_TRUSTED, t + 60000, 65000, &here), SNT_CLOCK_TRUSTED);
	assert_int_equal(snt_clock_judge_step(SNT_CLOCK_TRUSTED, t + 60000 + SNT_CLOCK_STEP_TOLERANCE_MS, 65000,
					      &here), SNT_CLOCK_TRUSTED);
	assert_int_equal(snt_clock_judge_step(SNT_CLOCK_TRUSTED, t + 60001 + SNT_CLOCK_STEP_TOLERANCE_MS, 65000,
					      &here), SNT_CLOCK_UNTRUSTED);
	/* A year ahead after a minute, though the source says synchronised: untrusted. */
	assert_int_equal(snt_clock_judge_step(SNT_CLOCK_TRUSTED, t + year, 65000, &here), SNT_CLOCK_UNTRUSTED);
	/* Across boots the monotonic time says nothing: the source's word counts. */
	assert_int_equal(snt_clock_judge_step(SNT_CLOCK_TRUSTED, t + year, 65000, &before), SNT_CLOCK_TRUSTED);
	assert_int_equal(snt_clock_judge_step(SNT_CLOCK_TRUSTED, t + year, 65000, &none), SNT_CLOCK_TRUSTED);
	assert_int_equal(snt_clock_judge_step(SNT_CLOCK_TRUSTED, t + year, 65000, NULL), SNT_CLOCK_TRUSTED);
	/* The rules of snt_clock_judge() still hold. */
	assert_int_equal(snt_clock_judge_step(SNT_CLOCK_UNTRUSTED, t + 1000, 6000, &here), SNT_CLOCK_UNTRUSTED);
	assert_int_equal(snt_clock_judge_step(SNT_CLOCK_TRUSTED, t - 3600000, 6000, &here), SNT_CLOCK_UNTRUSTED);
	assert_int_equal(snt_clock_judge_step(SNT_CLOCK_TRUSTED, t - 3600000, 6000, &before), SNT_CLOCK_UNTRUSTED);
	/* Extremes do not overflow. */
	assert_int_equal(snt_clock_judge_step(SNT_CLOCK_TRUSTED, INT64_MAX, INT64_MAX, &here), SNT_CLOCK_TRUSTED);
	assert_int_equal(snt_clock_judge_step(SNT_CLOCK_TRUSTED, INT64_MAX - 3000, 10000, &here), SNT_CLOCK_UNTRUSTED);
	assert_int_equal(snt_clock_judge_step(SNT_CLOCK_TRUSTED, INT64_MIN, 0, &here), SNT_CLOCK_UNTRUSTED);
}

static void test_system_clock(void **state)
{
	struct snt_clock c;
	char boot[37];
	int64_t a, b;

	(void)state;
	snt_clock_system(&c);
	assert_string_equal(c.source, "ntp");
	a = snt_clock_mono_ms(&c);
	snt_clock_sleep_ms(&c, 5);
	b = snt_clock_mono_ms(&c);
	assert_true(b >= a + 5);
	assert_true(snt_clock_utc_ms(&c) > 1600000000000LL);
	assert_int_equal(snt_clock_boot_id(boot, sizeof(boot)), 0);
	assert_int_equal(strlen(boot), 36);
	assert_int_equal(snt_clock_boot_id(boot, 10), -1);
}

/* Local midnights in the zone set, whatever TZ was inherited. */
static void test_local_midnight(void **state)
{
	int64_t m = 0, t;

	(void)state;
	assert_int_equal(snt_clock_use_zone("Asia/Shanghai"), 0);
	assert_int_equal(snt_clock_parse_rfc3339("2026-11-29T15:59:59Z", &t), 0);
	assert_int_equal(snt_clock_local_midnight(t, &m), 0);
	assert_int_equal(m, t - (24 * 3600 - 1) * 1000LL);	/* 2026-11-28T16:00Z */
	assert_int_equal(snt_clock_local_midnight(t + 1000, &m), 0);
	assert_int_equal(m, t + 1000);				/* 2026-11-29T16:00Z */
	assert_int_equal(snt_clock_use_zone("UTC"), 0);
	assert_int_equal(snt_clock_local_midnight(t, &m), 0);
	assert_int_equal(m, t - (16 * 3600 - 1) * 1000LL);
	assert_int_equal(snt_clock_use_zone(""), -1);
	assert_int_equal(snt_clock_use_zone(NULL), -1);
	assert_int_equal(snt_clock_use_zone("Asia/Shanghai"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_judge_step),
		cmocka_unit_test(test_system_clock),
		cmocka_unit_test(test_local_midnight),
	};

	return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
