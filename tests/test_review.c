// SPDX-License-Identifier: MIT
/*
 * Unit tests of firmware/review: times typed by staff in two time zones
 * (China, no daylight saving; US Eastern, with its 23- and 25-hour days),
 * RFC 3339 times, every error; local formatting; display widths of
 * Chinese, combining and control characters with and without a UTF-8
 * locale; CSV quoting and inert formula cells; occupancy.  Time zones are
 * POSIX TZ strings, so no tzdata is needed.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "review/review.h"

#define H_MS INT64_C(3600000)
#define DAY_MS (24 * H_MS)
/* 2026-11-29T00:00:00Z */
#define T_1129 INT64_C(1795910400000)

static void set_tz(const char *tz)
{
	assert_int_equal(setenv("TZ", tz, 1), 0);
	tzset();
}

static int tz_china(void **state)
{
	(void)state;
	set_tz("CST-8");
	return 0;
}

static int tz_eastern(void **state)
{
	(void)state;
	set_tz("EST5EDT,M3.2.0,M11.1.0");
	return 0;
}

static void test_parse_local_china(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(snt_review_parse_time("2026-11-29", SNT_REVIEW_SINCE, &t), SNT_REVIEW_OK);
	assert_int_equal(t, T_1129 - 8 * H_MS);
	assert_int_equal(snt_review_parse_time("2026-11-29", SNT_REVIEW_UNTIL, &t), SNT_REVIEW_OK);
	assert_int_equal(t, T_1129 + 16 * H_MS);
	assert_int_equal(snt_review_parse_time("2026-11-29 08:30", SNT_REVIEW_SINCE, &t), SNT_REVIEW_OK);
	assert_int_equal(t, T_1129 + 30 * 60000);
	/* A time is the same instant for either bound. */
	assert_int_equal(snt_review_parse_time("2026-11-29T08:30:15", SNT_REVIEW_UNTIL, &t),
			 SNT_REVIEW_OK);
	assert_int_equal(t, T_1129 + 30 * 60000 + 15000);
	/* Year end: --until the last day is the next year's first instant. */
	assert_int_equal(snt_review_parse_time("2026-12-31", SNT_REVIEW_UNTIL, &t), SNT_REVIEW_OK);
	assert_int_equal(t, INT64_C(1798761600000) - 8 * H_MS);
	assert_int_equal(snt_review_parse_time("2024-02-29", SNT_REVIEW_UNTIL, &t), SNT_REVIEW_OK);
	assert_int_equal(t, INT64_C(1709251200000) - 8 * H_MS);	/* 2024-03-01 local */
}

static void test_parse_rfc3339(void **state)
{
	int64_t t;

	(void)state;
	/* Independent of TZ (set to China here). */
	assert_int_equal(snt_review_parse_time("2026-11-29T08:30:00+08:00", SNT_REVIEW_SINCE, &t),
			 SNT_REVIEW_OK);
	assert_int_equal(t, T_1129 + 30 * 60000);
	assert_int_equal(snt_review_parse_time("2026-11-29T00:00:00Z", SNT_REVIEW_UNTIL, &t),
			 SNT_REVIEW_OK);
	assert_int_equal(t, T_1129);
	assert_int_equal(snt_review_parse_time("2026-11-29 00:00:00.250z", SNT_REVIEW_SINCE, &t),
			 SNT_REVIEW_OK);
	assert_int_equal(t, T_1129 + 250);
	assert_int_equal(snt_review_parse_time("2026-11-28T19:00:00-05:00", SNT_REVIEW_SINCE, &t),
			 SNT_REVIEW_OK);
	assert_int_equal(t, T_1129);
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *s;
		enum snt_review_err err;
	} bad[] = {
		{ "", SNT_REVIEW_ERR_SYNTAX },
		{ "29/11/2026", SNT_REVIEW_ERR_SYNTAX },
		{ "2026-11-29x", SNT_REVIEW_ERR_SYNTAX },
		{ "2026-11-29 ", SNT_REVIEW_ERR_SYNTAX },
		{ "2026-11-9", SNT_REVIEW_ERR_SYNTAX },
		{ "2026-11-29 8:30", SNT_REVIEW_ERR_SYNTAX },
		{ "2026-11-29 08:30Z", SNT_REVIEW_ERR_SYNTAX },	/* RFC 3339 needs seconds */
		{ "2026-11-29 08:30:00.5", SNT_REVIEW_ERR_SYNTAX },	/* fraction without a zone */
		{ "2026-11-29T08:30:00+0800", SNT_REVIEW_ERR_SYNTAX },
		{ "2026-11-29T08:30:00.Z", SNT_REVIEW_ERR_SYNTAX },
		{ "yesterday", SNT_REVIEW_ERR_SYNTAX },
		{ "2026-13-01", SNT_REVIEW_ERR_RANGE },
		{ "2026-00-01", SNT_REVIEW_ERR_RANGE },
		{ "2026-02-29", SNT_REVIEW_ERR_RANGE },
		{ "2026-04-31", SNT_REVIEW_ERR_RANGE },
		{ "2026-11-00", SNT_REVIEW_ERR_RANGE },
		{ "2026-11-29 24:00", SNT_REVIEW_ERR_RANGE },
		{ "2026-11-29 23:60", SNT_REVIEW_ERR_RANGE },
		{ "2026-11-29 23:59:60", SNT_REVIEW_ERR_RANGE },
		{ "2026-11-29T00:00:00+24:00", SNT_REVIEW_ERR_RANGE },
		{ "1969-12-31", SNT_REVIEW_ERR_RANGE },
	};
	int64_t t = 42, s, e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (snt_review_parse_time(bad[i].s, SNT_REVIEW_SINCE, &t) != bad[i].err)
			fail_msg("'%s': want %d", bad[i].s, bad[i].err);
		assert_int_equal(t, 42);
	}
	assert_int_equal(snt_review_parse_time(NULL, SNT_REVIEW_SINCE, &t), SNT_REVIEW_ERR_INVAL);
	assert_int_equal(snt_review_parse_time("2026-11-29", SNT_REVIEW_SINCE, NULL),
			 SNT_REVIEW_ERR_INVAL);
	assert_int_equal(snt_review_parse_day("2026-11-29 08:00", &s, &e), SNT_REVIEW_ERR_SYNTAX);
	assert_int_equal(snt_review_parse_day("2026-02-30", &s, &e), SNT_REVIEW_ERR_RANGE);
	assert_int_equal(snt_review_parse_day(NULL, &s, &e), SNT_REVIEW_ERR_INVAL);
	assert_string_equal(snt_review_strerror(SNT_REVIEW_ERR_RANGE), "no such date or time");
	assert_string_equal(snt_review_strerror((enum snt_review_err)99), "unknown error");
}

static void test_day_china(void **state)
{
	int64_t s, e;
	char buf[SNT_REVIEW_LOCAL_LEN];

	(void)state;
	assert_int_equal(snt_review_parse_day("2026-11-29", &s, &e), SNT_REVIEW_OK);
	assert_int_equal(s, T_1129 - 8 * H_MS);
	assert_int_equal(e - s, DAY_MS);
	assert_int_equal(snt_review_day_start(T_1129 + 17 * H_MS, &s, &e), SNT_REVIEW_OK);
	assert_int_equal(s, T_1129 + 16 * H_MS);	/* 01:00 local on the 30th */
	assert_int_equal(e, T_1129 + 40 * H_MS);
	assert_int_equal(snt_review_format_local(T_1129 + 1500, buf, sizeof(buf)), SNT_REVIEW_OK);
	assert_string_equal(buf, "2026-11-29 08:00:01");
	assert_int_equal(snt_review_format_local(-1, buf, sizeof(buf)), SNT_REVIEW_OK);
	assert_string_equal(buf, "1970-01-01 07:59:59");
	assert_int_equal(snt_review_format_local(0, buf, sizeof(buf) - 1), SNT_REVIEW_ERR_INVAL);
}

/* The same text means another instant in another zone; DST days are 23 and 25 hours. */
static void test_day_eastern(void **state)
{
	int64_t s, e, t;
	char buf[SNT_REVIEW_LOCAL_LEN];

	(void)state;
	assert_int_equal(snt_review_parse_time("2026-11-29", SNT_REVIEW_SINCE, &t), SNT_REVIEW_OK);
	assert_int_equal(t, T_1129 + 5 * H_MS);
	assert_int_equal(snt_review_parse_time("2026-07-01 12:00", SNT_REVIEW_SINCE, &t),
			 SNT_REVIEW_OK);
	assert_int_equal(t, INT64_C(1782921600000));	/* 2026-07-01T16:00:00Z, EDT */
	assert_int_equal(snt_review_parse_day("2026-03-08", &s, &e), SNT_REVIEW_OK);
	assert_int_equal(e - s, 23 * H_MS);
	assert_int_equal(snt_review_parse_day("2026-11-01", &s, &e), SNT_REVIEW_OK);
	assert_int_equal(e - s, 25 * H_MS);
	/* 02:30 does not exist on 8 March. */
	assert_int_equal(snt_review_parse_time("2026-03-08 02:30", SNT_REVIEW_SINCE, &t),
			 SNT_REVIEW_ERR_RANGE);
	assert_int_equal(snt_review_format_local(T_1129, buf, sizeof(buf)), SNT_REVIEW_OK);
	assert_string_equal(buf, "2026-11-28 19:00:00");
}

/* The hour cache gives what localtime_r() gives, across daylight-saving changes. */
static void check_hours(const char *tz, int64_t from_ms, int64_t to_ms, int64_t step_ms)
{
	struct snt_review_hour h = { 0 };
	struct snt_review_when w;
	int64_t refreshes = 0, last_start = -1;

	set_tz(tz);
	for (int64_t t = from_ms; t < to_ms; t += step_ms) {
		time_t secs = (time_t)(t / 1000 - (t % 1000 < 0));
		struct tm tm;

		assert_non_null(localtime_r(&secs, &tm));
		assert_int_equal(snt_review_hour_get(&h, t, &w), SNT_REVIEW_OK);
		if (h.start_ms != last_start) {
			refreshes++;
			last_start = h.start_ms;
		}
		if (w.year != tm.tm_year + 1900 || w.mon != tm.tm_mon + 1 || w.mday != tm.tm_mday ||
		    w.hour != tm.tm_hour || w.min != tm.tm_min || w.sec != tm.tm_sec)
			fail_msg("%s at %lld: %04d-%02d-%02d %02d:%02d:%02d, want %02d:%02d:%02d", tz,
				 (long long)t, w.year, w.mon, w.mday, w.hour, w.min, w.sec, tm.tm_hour,
				 tm.tm_min, tm.tm_sec);
	}
	/*
	 * About one refresh per hour, not one per call; an hour with a change
	 * inside it (or starting mid-hour) is served a second at a time.
	 */
	assert_true(refreshes < (to_ms - from_ms) / H_MS + 2 * H_MS / step_ms + 10);
	assert_true(refreshes < (to_ms - from_ms) / step_ms / 2);
}

static void test_hour_cache(void **state)
{
	struct snt_review_hour h = { 0 };
	struct snt_review_when w;

	(void)state;
	/* US Eastern, 2026-03-07 to 03-10 and 2026-10-31 to 11-03, every 7.3 s. */
	check_hours("EST5EDT,M3.2.0,M11.1.0", INT64_C(1772841600000), INT64_C(1773100800000), 7300);
	check_hours("EST5EDT,M3.2.0,M11.1.0", INT64_C(1793404800000), INT64_C(1793664000000), 7300);
	/* Lord Howe Island's half-hour changes (at 02:00 local), every 13 s around them. */
	check_hours("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", INT64_C(1791030600000),
		    INT64_C(1791052200000), 13000);
	check_hours("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", INT64_C(1775304000000),
		    INT64_C(1775325600000), 13000);
	/* Changes in the middle of an hour (02:30), every second around them. */
	check_hours("EST5EDT,M3.2.0/2:30,M11.1.0/2:30", INT64_C(1772940000000),
		    INT64_C(1772962000000), 1000);
	check_hours("EST5EDT,M3.2.0/2:30,M11.1.0/2:30", INT64_C(1793500000000),
		    INT64_C(1793525000000), 1000);
	/* China, backwards and across 1970. */
	check_hours("CST-8", -INT64_C(7200000), INT64_C(7200000), 999);
	set_tz("CST-8");
	assert_int_equal(snt_review_hour_get(&h, T_1129 + 3599999, &w), SNT_REVIEW_OK);
	assert_int_equal(w.hour, 8);
	assert_int_equal(w.min, 59);
	assert_int_equal(w.sec, 59);
	assert_int_equal(snt_review_hour_get(&h, T_1129 - 1, &w), SNT_REVIEW_OK);
	assert_int_equal(w.hour, 7);
	{
		char day[11], hms[9];
		struct snt_review_when x = { 2026, 11, 29, 8, 5, 9 };

		snt_review_when_text(&x, day, hms);
		assert_string_equal(day, "2026-11-29");
		assert_string_equal(hms, "08:05:09");
		x.year = 10000;
		snt_review_when_text(&x, day, NULL);
		assert_string_equal(day, "?");
	}
	assert_int_equal(snt_review_hour_get(NULL, 0, &w), SNT_REVIEW_ERR_INVAL);
	assert_int_equal(snt_review_hour_get(&h, 0, NULL), SNT_REVIEW_ERR_INVAL);
}

static void test_char_width(void **state)
{
	(void)state;
	assert_int_equal(snt_review_char_width('a'), 1);
	assert_int_equal(snt_review_char_width(0x5f20), 2);	/* 张 */
	assert_int_equal(snt_review_char_width(0x3000), 2);	/* ideographic space */
	assert_int_equal(snt_review_char_width(0xff21), 2);	/* fullwidth A */
	assert_int_equal(snt_review_char_width(0xac00), 2);	/* Hangul */
	assert_int_equal(snt_review_char_width(0x1f600), 2);	/* emoji */
	assert_int_equal(snt_review_char_width(0x20000), 2);	/* CJK extension B */
	assert_int_equal(snt_review_char_width(0x0301), 0);	/* combining acute */
	assert_int_equal(snt_review_char_width(0x200b), 0);	/* zero width space */
	assert_int_equal(snt_review_char_width(0xe9), 1);	/* é */
	assert_int_equal(snt_review_char_width(0x1b), -1);
	assert_int_equal(snt_review_char_width(0x7f), -1);
	assert_int_equal(snt_review_char_width(0x9b), -1);	/* C1 CSI */
}

/* Checks shared by the built-in table and a UTF-8 locale. */
static void check_fit(bool use_locale)
{
	char out[64];
	int w;

	assert_int_equal(snt_review_width("\xe5\xbc\xa0*", use_locale), 3);	/* 张* */
	assert_int_equal(snt_review_width("abc", use_locale), 3);
	assert_int_equal(snt_review_width("e\xcc\x81", use_locale), 1);	/* e + combining acute */
	assert_int_equal(snt_review_fit("\xe5\xbc\xa0*", 12, use_locale, out, sizeof(out), &w),
			 SNT_REVIEW_OK);
	assert_string_equal(out, "\xe5\xbc\xa0*");
	assert_int_equal(w, 3);
	/* 张三丰李四 (10 columns) in 5: two characters and the cut mark. */
	assert_int_equal(snt_review_fit("\xe5\xbc\xa0\xe4\xb8\x89\xe4\xb8\xb0\xe6\x9d\x8e\xe5\x9b\x9b",
					5, use_locale, out, sizeof(out), &w),
			 SNT_REVIEW_OK);
	assert_string_equal(out, "\xe5\xbc\xa0\xe4\xb8\x89~");
	assert_int_equal(w, 5);
	/* In 4 the second character does not fit beside the mark: 3 columns. */
	assert_int_equal(snt_review_fit("\xe5\xbc\xa0\xe4\xb8\x89\xe4\xb8\xb0", 4, use_locale, out,
					sizeof(out), &w),
			 SNT_REVIEW_OK);
	assert_string_equal(out, "\xe5\xbc\xa0~");
	assert_int_equal(w, 3);
	/* Exactly full: no cut. */
	assert_int_equal(snt_review_fit("\xe5\xbc\xa0\xe4\xb8\x89", 4, use_locale, out, sizeof(out), &w),
			 SNT_REVIEW_OK);
	assert_string_equal(out, "\xe5\xbc\xa0\xe4\xb8\x89");
	/* Terminal escapes and invalid bytes cannot reach the terminal. */
	assert_int_equal(snt_review_fit("\x1b[2J\xff\xc0\xaf" "a", 20, use_locale, out, sizeof(out), &w),
			 SNT_REVIEW_OK);
	assert_string_equal(out, "?[2J???a");
	assert_int_equal(w, 8);
	/* Nor bidi controls (U+202E, U+2066) and C1 controls (U+009B). */
	assert_int_equal(snt_review_fit("a\xe2\x80\xae" "b\xe2\x81\xa6" "c\xc2\x9b", 20, use_locale, out, sizeof(out), &w),
			 SNT_REVIEW_OK);
	assert_string_equal(out, "a?b?c?");
	assert_int_equal(w, 6);
	assert_int_equal(snt_review_fit("", 3, use_locale, out, sizeof(out), &w), SNT_REVIEW_OK);
	assert_string_equal(out, "");
	assert_int_equal(w, 0);
	assert_int_equal(snt_review_fit("abc", 0, use_locale, out, sizeof(out), &w),
			 SNT_REVIEW_ERR_INVAL);
	assert_int_equal(snt_review_fit("\xe5\xbc\xa0", 4, use_locale, out, 3, &w), SNT_REVIEW_ERR_INVAL);
	assert_int_equal(snt_review_fit(NULL, 4, use_locale, out, sizeof(out), &w), SNT_REVIEW_ERR_INVAL);
}

static void test_fit_builtin(void **state)
{
	(void)state;
	check_fit(false);
}

static void test_fit_locale(void **state)
{
	(void)state;
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		skip();
		return;
	}
	assert_true(snt_review_locale_utf8());
	check_fit(true);
	setlocale(LC_CTYPE, "C");
	assert_false(snt_review_locale_utf8());
}

static void check_cell(const char *in, bool text, const char *want)
{
	char out[64];
	size_t n = snt_review_csv_cell(in, text, out, sizeof(out));

	if (strcmp(out, want) != 0 || n != strlen(want))
		fail_msg("cell '%s': got '%s' (%zu), want '%s'", in ? in : "(null)", out, n, want);
}

static void test_csv_cell(void **state)
{
	char small[6];

	(void)state;
	check_cell("plain", true, "plain");
	check_cell("", true, "");
	check_cell(NULL, true, "");
	check_cell("\xe5\xbc\xa0*", true, "\xe5\xbc\xa0*");
	check_cell("a,b", true, "\"a,b\"");
	check_cell("say \"hi\"", true, "\"say \"\"hi\"\"\"");
	/* Controls escaped (snt_escape()): a CSV is read on terminals too. */
	check_cell("two\r\nlines", true, "two\\x0d\\x0alines");
	check_cell("\x1b[31mred", true, "\\x1b[31mred");
	check_cell("txt\xe2\x80\xaegpj", true, "txt\\u202egpj");
	check_cell(" padded", true, "\" padded\"");
	/* Formula cells made inert. */
	check_cell("=1+2", true, "'=1+2");
	check_cell("+1", true, "'+1");
	check_cell("-1", true, "'-1");
	check_cell("@SUM(A1:A9)", true, "'@SUM(A1:A9)");
	check_cell("\tx", true, "\\x09x");
	check_cell("\rx", true, "\\x0dx");
	check_cell("=HYPERLINK(\"http://x\",\"y\")", true, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	/* A number this program formatted stays a number. */
	check_cell("-0.5", false, "-0.5");
	check_cell("36.5", false, "36.5");
	/* Not at the start: left as it is. */
	check_cell("a=b", true, "a=b");
	/* snprintf-like: the whole length, output cut and terminated. */
	assert_int_equal(snt_review_csv_cell("=a,b,c", true, small, sizeof(small)), 9);
	assert_string_equal(small, "\"'=a,");
	assert_int_equal(snt_review_csv_cell("abc", true, NULL, 0), 3);
}

/* The literal jansson writes for @s (JSON_ENCODE_ANY), compared with ours. */
static void check_json(const char *s)
{
	json_t *j = json_string(s);
	char *want = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	char out[512];
	int n = snt_review_json_string(s, out, sizeof(out));

	if (!want) {
		assert_int_equal(n, -1);	/* jansson refuses it too */
	} else {
		if (n < 0 || strcmp(out, want) != 0)
			fail_msg("json of '%s': got '%s', want '%s'", s, n < 0 ? "(error)" : out, want);
		assert_int_equal(n, (int)strlen(want));
	}
	free(want);
	json_decref(j);
}

static void test_json_string(void **state)
{
	char s[8], small[6];

	(void)state;
	for (int c = 1; c < 0x100; c++) {
		s[0] = 'a';
		s[1] = (char)c;
		s[2] = '/';
		s[3] = '\0';
		check_json(s);	/* every byte: controls, quote, backslash, DEL, lone high bytes */
	}
	check_json("");
	check_json("\xe5\xbc\xa0*");
	check_json("\xf0\x9f\x98\x80 emoji");
	check_json("=HYPERLINK(\"http://x\",\"y\")");
	check_json("a,\"b\"\nc\r\t\b\f\\");
	check_json("\xc0\xaf");			/* overlong: invalid */
	check_json("\xed\xa0\x80");		/* surrogate: invalid */
	check_json("\xe5\xbc");			/* truncated */
	assert_int_equal(snt_review_json_string(NULL, s, sizeof(s)), -1);
	assert_int_equal(snt_review_json_string("abcd", small, sizeof(small)), -1);
	assert_int_equal(snt_review_json_string("abc", small, sizeof(small)), 5);
	assert_string_equal(small, "\"abc\"");
}

static void test_json_object_ok(void **state)
{
	static const char *const good[] = {
		"{}", "{ }", "{\"a\":1}", "{\"a\": 1, \"b\": [1, -2.5e+3, 0.0, true, false, null]}",
		"{\"measure\":{\"skin_mdc\":36500,\"ambient_mdc\":-2004},\"staff\":\"S001\"}",
		"{\"s\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00\"}", "{\"\xe5\xbc\xa0\":\"\xf0\x9f\x98\x80\"}",
		"{\"a\":{}} ", "{\"a\":[]}", "{\"a\":[[]]}", "{\"a\":0E5}",
	};
	static const char *const bad[] = {
		"", "[]", "1", "\"a\"", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}", "{a:1}",
		"{\"a\":1}x", "{\"a\":1}{}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}",
		"{\"a\":1e}", "{\"a\":+1}", "{\"a\":tru}", "{\"a\":nul}", "{\"a\":[1,]}", "{\"a\":[1 2]}",
		"{\"a\":\"x}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12g4\"}",
		"{\"a\":\"\t\"}", "{\n\"a\":1}", "{\"a\":1}\n", "{\t}", "{\"a\":\"\xc0\xaf\"}",
		"{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xe5\xbc\"}", "{\"a\":'x'}",
		"{\"a\":1} {\"b\":2}", "{\"a\":1,\"b\":2,\"x\":{\"\":[{\"y\":[}]}}",
	};
	char deep[200];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (!snt_review_json_object_ok(good[i]))
			fail_msg("good rejected: %s", good[i]);
		/* jansson agrees that it is one object */
		json_t *j = json_loads(good[i], 0, NULL);

		if (!json_is_object(j))
			fail_msg("jansson rejects: %s", good[i]);
		json_decref(j);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (snt_review_json_object_ok(bad[i]))
			fail_msg("bad accepted: %s", bad[i]);
	assert_false(snt_review_json_object_ok(NULL));
	/* Nesting: 32 containers (the object and 31 arrays) accepted, 33 not. */
	for (int arrays = 31; arrays <= 32; arrays++) {
		n = 0;
		memcpy(deep, "{\"a\":", 5);
		n = 5;
		for (int i = 0; i < arrays; i++)
			deep[n++] = '[';
		for (int i = 0; i < arrays; i++)
			deep[n++] = ']';
		deep[n++] = '}';
		deep[n] = '\0';
		assert_int_equal(snt_review_json_object_ok(deep), arrays == 31);
	}
}

static void test_detail_read(void **state)
{
	struct snt_review_detail d;

	(void)state;
	snt_review_detail_read("{\"measure\":{\"skin_mdc\":36500},\"staff\":\"S001\",\"override\":"
			       "{\"by\":\"S-17\",\"original\":\"deny\"},\"pass\":\"P-7\",\"rules\":{\"version\":3}}",
			       &d);
	assert_string_equal(d.staff, "S001");
	assert_string_equal(d.override_by, "S-17");
	assert_string_equal(d.override_original, "deny");
	assert_string_equal(d.pass, "P-7");
	/* Only the measurement: nothing. */
	snt_review_detail_read("{\"measure\":{\"skin_mdc\":36500}}", &d);
	assert_string_equal(d.staff, "");
	assert_string_equal(d.override_by, "");
	assert_string_equal(d.pass, "");
	/* Not strings, not an object, duplicates, broken: nothing. */
	snt_review_detail_read("{\"staff\":7,\"override\":\"S1\",\"pass\":null}", &d);
	assert_string_equal(d.staff, "");
	assert_string_equal(d.override_by, "");
	assert_string_equal(d.pass, "");
	snt_review_detail_read("{\"override\":{\"by\":[\"x\"],\"original\":\"admit\"}}", &d);
	assert_string_equal(d.override_by, "");
	assert_string_equal(d.override_original, "admit");
	snt_review_detail_read("{\"staff\":\"A\",\"staff\":\"B\"}", &d);
	assert_string_equal(d.staff, "");
	snt_review_detail_read("{\"staff\":\"A\"", &d);
	assert_string_equal(d.staff, "");
	snt_review_detail_read("", &d);
	assert_string_equal(d.staff, "");
	snt_review_detail_read(NULL, &d);
	assert_string_equal(d.staff, "");
	snt_review_detail_read("{}", NULL);	/* nothing happens */
	/* Text as stored: escapes decoded, nothing else changed. */
	snt_review_detail_read("{\"pass\":\"=1+\\u0041\\n\"}", &d);
	assert_string_equal(d.pass, "=1+A\n");
	/* A registered visitor's last four (checkin.h "idcard"); only four ASCII letters or digits. */
	snt_review_detail_read("{\"measure\":{},\"idcard\":{\"last4\":\"002X\",\"hash\":\"ab\",\"sealed\":\"cd\"}}", &d);
	assert_string_equal(d.idcard_last4, "002X");
	assert_string_equal(d.staff, "");
	snt_review_detail_read("{\"idcard\":{\"last4\":\"0021\"},\"pass\":\"P-1\"}", &d);
	assert_string_equal(d.idcard_last4, "0021");
	assert_string_equal(d.pass, "P-1");
	snt_review_detail_read("{\"idcard\":{\"last4\":\"=1+2\"}}", &d);
	assert_string_equal(d.idcard_last4, "");
	snt_review_detail_read("{\"idcard\":{\"last4\":\"00212\"}}", &d);
	assert_string_equal(d.idcard_last4, "");
	snt_review_detail_read("{\"idcard\":{\"last4\":\"\\u001b[3\"}}", &d);
	assert_string_equal(d.idcard_last4, "");
	snt_review_detail_read("{\"idcard\":\"002X\"}", &d);
	assert_string_equal(d.idcard_last4, "");
}

static void test_occupancy(void **state)
{
	struct snt_review_occupancy o = { 0 };

	(void)state;
	snt_review_occupancy_step(&o, -1, 5);	/* someone admitted before the period leaves */
	assert_int_equal(o.inside, 0);
	assert_int_equal(o.peak, 0);
	assert_int_equal(o.peak_utc_ms, 0);
	snt_review_occupancy_step(&o, 1, 10);
	snt_review_occupancy_step(&o, 1, 20);
	snt_review_occupancy_step(&o, -1, 30);
	snt_review_occupancy_step(&o, 1, 40);	/* back to 2: the peak stays the first time */
	assert_int_equal(o.peak, 2);
	assert_int_equal(o.peak_utc_ms, 20);
	snt_review_occupancy_step(&o, -1, 50);
	snt_review_occupancy_step(&o, -1, 60);
	snt_review_occupancy_step(&o, -1, 70);
	assert_int_equal(o.inside, 0);
	snt_review_occupancy_step(&o, 1, 80);
	assert_int_equal(o.inside, 1);
	assert_int_equal(o.peak, 2);
	snt_review_occupancy_step(NULL, 1, 90);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_parse_local_china, tz_china),
		cmocka_unit_test_setup(test_parse_rfc3339, tz_china),
		cmocka_unit_test_setup(test_parse_errors, tz_china),
		cmocka_unit_test_setup(test_day_china, tz_china),
		cmocka_unit_test_setup(test_day_eastern, tz_eastern),
		cmocka_unit_test(test_hour_cache),
		cmocka_unit_test(test_char_width),
		cmocka_unit_test(test_fit_builtin),
		cmocka_unit_test(test_fit_locale),
		cmocka_unit_test(test_csv_cell),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_json_object_ok),
		cmocka_unit_test(test_detail_read),
		cmocka_unit_test(test_occupancy),
	};

	return cmocka_run_group_tests_name("review", tests, NULL, NULL);
}
