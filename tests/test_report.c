// SPDX-License-Identifier: MIT
/*
 * report: the local day's bounds, the counts behind each chart (read back
 * from the bars' data-count), escaping of hostile text, the empty day, the
 * header's rule set and clock lines, and argument errors.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "report/report.h"
#include "tests/entry_make.h"

#define DAY_MS INT64_C(86400000)
#define HOUR_MS INT64_C(3600000)
/* 2026-11-29T00:00:00Z */
#define T_DAY INT64_C(1795910400000)

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static int setup(void **state)
{
	(void)state;
	setlocale(LC_ALL, "C");
	set_tz("UTC0");
	return 0;
}

/* A header for 2026-11-29 in the current TZ. */
static void header_for(struct snt_report_header *h, const char *day)
{
	memset(h, 0, sizeof(*h));
	assert_int_equal(snt_report_day_bounds(day, &h->day_start_utc_ms, &h->day_end_utc_ms),
			 SNT_REPORT_OK);
	h->day = day;
	h->home = "Sunshine Home";
	h->gate = "gate-1";
	h->fever_threshold_mdc = 37300;
	h->exits = -1;
	h->now_utc_ms = T_DAY + DAY_MS;
}

static void entry(struct snt_entry *e, int64_t seq, int64_t t, enum snt_decision d, snt_reasons_t reasons,
		  enum snt_colour c, int temp_dc)
{
	entry_green_visitor(e, "", 0, t);
	e->seq = seq;
	e->colour = c;
	e->has_temp = temp_dc != 0;
	e->temp_dc = temp_dc;
	e->decision = d;
	e->reasons = reasons;
	e->door = d == SNT_DECISION_ADMIT ? SNT_DOOR_OPENED : SNT_DOOR_SHUT;
}

static char *render(struct snt_report *r)
{
	char *html = NULL;
	size_t len = 0;

	assert_int_equal(snt_report_render(r, &html, &len), SNT_REPORT_OK);
	assert_non_null(html);
	assert_int_equal(strlen(html), len);
	return html;
}

/* The data-count of the bar @key in chart @chart, or -1 when absent. */
static long long bar_count(const char *html, const char *chart, const char *key)
{
	char pat[96];
	const char *svg, *end, *p;

	snprintf(pat, sizeof(pat), "id=\"%s\"", chart);
	svg = strstr(html, pat);
	if (!svg)
		return -1;
	end = strstr(svg, "</svg>");
	snprintf(pat, sizeof(pat), "data-key=\"%s\" data-count=\"", key);
	p = strstr(svg, pat);
	if (!p || p > end)
		return -1;
	return atoll(p + strlen(pat));
}

/* Occurrences of @needle in @hay. */
static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_day_bounds(void **state)
{
	int64_t a = 1, z = 2;

	(void)state;
	assert_int_equal(snt_report_day_bounds("2026-11-29", &a, &z), SNT_REPORT_OK);
	assert_int_equal(a, T_DAY);
	assert_int_equal(z, T_DAY + DAY_MS);
	/* China Standard Time: the day starts at 16:00 UTC the day before. */
	set_tz("CST-8");
	assert_int_equal(snt_report_day_bounds("2026-11-29", &a, &z), SNT_REPORT_OK);
	assert_int_equal(a, T_DAY - 8 * HOUR_MS);
	assert_int_equal(z, T_DAY + 16 * HOUR_MS);
	/* A daylight-saving day is 23 hours (Central Europe, last Sunday of March). */
	set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
	assert_int_equal(snt_report_day_bounds("2026-03-29", &a, &z), SNT_REPORT_OK);
	assert_int_equal(z - a, 23 * HOUR_MS);
	assert_int_equal(snt_report_day_bounds("2026-10-25", &a, &z), SNT_REPORT_OK);
	assert_int_equal(z - a, 25 * HOUR_MS);
	set_tz("UTC0");
	assert_int_equal(snt_report_day_bounds("2024-02-29", &a, &z), SNT_REPORT_OK);
}

static void test_day_invalid(void **state)
{
	static const char *const bad[] = {
		"2026-02-29", "2026-02-30", "2026-13-01", "2026-00-10", "2026-04-31", "2026-01-00",
		"2026-1-01", "2026-01-1", "2026-01-01x", " 2026-01-01", "", "2026/01/01", "abcd-ef-gh",
		"1969-12-31", "+026-01-01", "2026-01-0a",
	};
	int64_t a = 7, z = 9;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(snt_report_day_bounds(bad[i], &a, &z), SNT_REPORT_ERR_DATE);
		assert_int_equal(a, 7);
		assert_int_equal(z, 9);
	}
	assert_int_equal(snt_report_day_bounds(NULL, &a, &z), SNT_REPORT_ERR_INVAL);
	assert_int_equal(snt_report_day_bounds("2026-01-01", NULL, &z), SNT_REPORT_ERR_INVAL);
}

static void test_new_invalid(void **state)
{
	struct snt_report_header h;
	struct snt_report *r = NULL;

	(void)state;
	header_for(&h, "2026-11-29");
	assert_int_equal(snt_report_new(NULL, &r), SNT_REPORT_ERR_INVAL);
	assert_int_equal(snt_report_new(&h, NULL), SNT_REPORT_ERR_INVAL);
	h.fever_threshold_mdc = 33000;
	assert_int_equal(snt_report_new(&h, &r), SNT_REPORT_ERR_INVAL);
	header_for(&h, "2026-11-29");
	h.day_end_utc_ms = h.day_start_utc_ms;
	assert_int_equal(snt_report_new(&h, &r), SNT_REPORT_ERR_INVAL);
	header_for(&h, "2026-11-29");
	h.day = "2026-11-31";
	assert_int_equal(snt_report_new(&h, &r), SNT_REPORT_ERR_INVAL);
	assert_null(r);
	snt_report_free(NULL);
}

static void test_counts(void **state)
{
	struct snt_report_header h;
	struct snt_report *r;
	struct snt_entry e;
	char *html;

	(void)state;
	set_tz("CST-8");
	header_for(&h, "2026-11-29");
	h.exits = 4;
	assert_int_equal(snt_report_new(&h, &r), SNT_REPORT_OK);
	/* 08:05 local: admit, green 36.5 */
	entry(&e, 1, T_DAY + 5 * 60000, SNT_DECISION_ADMIT,
	      SNT_REASON_BIT(SNT_REASON_CODE_GREEN) | SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL),
	      SNT_COLOUR_GREEN, 365);
	assert_int_equal(snt_report_add(r, &e), SNT_REPORT_OK);
	/* 08:30: a staff member, untrusted clock, 43.0 (the last bin) */
	entry(&e, 2, T_DAY + 30 * 60000, SNT_DECISION_ADMIT, SNT_REASON_BIT(SNT_REASON_CODE_GREEN),
	      SNT_COLOUR_GREEN, 430);
	e.kind = SNT_KIND_STAFF;
	e.clock = SNT_CLOCK_UNTRUSTED;
	snt_strlcpy(e.detail, "{\"staff\":\"S-17\",\"rules\":{\"version\":5,\"stale\":true}}",
		    sizeof(e.detail));
	assert_int_equal(snt_report_add(r, &e), SNT_REPORT_OK);
	/* 09:00: fever denied, 38.9 */
	entry(&e, 3, T_DAY + HOUR_MS, SNT_DECISION_DENY,
	      SNT_REASON_BIT(SNT_REASON_FEVER) | SNT_REASON_BIT(SNT_REASON_CODE_GREEN), SNT_COLOUR_GREEN,
	      389);
	snt_strlcpy(e.subject, "<script>alert('x')</script>&", sizeof(e.subject));
	snt_strlcpy(e.detail, "{\"measure\":{\"skin_mdc\":37516,\"ambient_mdc\":-2004,\"body_mdc\":38900,"
		    "\"samples\":5,\"used\":5,\"rejected\":0,\"faults\":1,\"readings\":2}}",
		    sizeof(e.detail));
	assert_int_equal(snt_report_add(r, &e), SNT_REPORT_OK);
	/* 09:01: the same admitted by staff override, fever kept: a row too */
	entry(&e, 4, T_DAY + HOUR_MS + 60000, SNT_DECISION_ADMIT,
	      SNT_REASON_BIT(SNT_REASON_FEVER) | SNT_REASON_BIT(SNT_REASON_OVERRIDE_ADMIT),
	      SNT_COLOUR_GREEN, 389);
	snt_strlcpy(e.detail, "{\"override\":{\"by\":\"S-17\",\"original\":\"deny\"}}", sizeof(e.detail));
	assert_int_equal(snt_report_add(r, &e), SNT_REPORT_OK);
	/* 23:59 local (15:59 UTC): refer, no code, 33.9 (below the chart), rebased */
	entry(&e, 5, T_DAY + 16 * HOUR_MS - 60000, SNT_DECISION_REFER,
	      SNT_REASON_BIT(SNT_REASON_NO_CODE) | SNT_REASON_BIT(SNT_REASON_TEMP_IMPLAUSIBLE),
	      SNT_COLOUR_UNKNOWN, 339);
	e.format = SNT_FORMAT_NONE;
	e.clock = SNT_CLOCK_REBASED;
	snt_strlcpy(e.subject, "\xff\xfe bad", sizeof(e.subject));	/* not UTF-8 */
	snt_strlcpy(e.detail, "{not json", sizeof(e.detail));
	assert_int_equal(snt_report_add(r, &e), SNT_REPORT_OK);
	/* no temperature, yellow deny at 12:00 local */
	entry(&e, 6, T_DAY + 4 * HOUR_MS, SNT_DECISION_DENY, SNT_REASON_BIT(SNT_REASON_CODE_YELLOW),
	      SNT_COLOUR_YELLOW, 0);
	assert_int_equal(snt_report_add(r, &e), SNT_REPORT_OK);
	/* 43.1: above the chart */
	entry(&e, 7, T_DAY + 4 * HOUR_MS + 1, SNT_DECISION_REFER,
	      SNT_REASON_BIT(SNT_REASON_TEMP_IMPLAUSIBLE), SNT_COLOUR_BLACK, 431);
	assert_int_equal(snt_report_add(r, &e), SNT_REPORT_OK);

	assert_int_equal(snt_report_entries(r), 7);
	assert_int_equal(snt_report_rows(r), 5);
	html = render(r);

	/* Hours: local 08 x2, 09 x2, 12 x2, 23 x1; every hour has a bar. */
	assert_int_equal(bar_count(html, "chart-hours", "08"), 2);
	assert_int_equal(bar_count(html, "chart-hours", "09"), 2);
	assert_int_equal(bar_count(html, "chart-hours", "12"), 2);
	assert_int_equal(bar_count(html, "chart-hours", "23"), 1);
	assert_int_equal(bar_count(html, "chart-hours", "00"), 0);
	assert_int_equal(bar_count(html, "chart-hours", "24"), -1);
	/* Temperatures: 0.1 °C bins, 43.0 in the last one. */
	assert_int_equal(bar_count(html, "chart-temps", "36.5"), 1);
	assert_int_equal(bar_count(html, "chart-temps", "38.9"), 2);
	assert_int_equal(bar_count(html, "chart-temps", "42.9"), 1);
	assert_int_equal(bar_count(html, "chart-temps", "34.0"), 0);
	assert_int_equal(bar_count(html, "chart-temps", "43.0"), -1);
	assert_non_null(strstr(html, "Below 34.0 °C: 1; above 43.0 °C: 1; not measured: 1."));
	/* The fever line at 37.3 °C: 33 bins of 10 units from x = 50. */
	assert_int_equal(count(html, "class=\"fever-line\""), 1);
	assert_non_null(strstr(html, "class=\"fever-line\" x1=\"380\""));
	assert_non_null(strstr(html, "fever ≥ 37.3 °C"));
	/* Decisions and colours */
	assert_int_equal(bar_count(html, "chart-decisions", "admit"), 3);
	assert_int_equal(bar_count(html, "chart-decisions", "deny"), 2);
	assert_int_equal(bar_count(html, "chart-decisions", "refer"), 2);
	assert_int_equal(bar_count(html, "chart-colours", "green"), 4);
	assert_int_equal(bar_count(html, "chart-colours", "yellow"), 1);
	assert_int_equal(bar_count(html, "chart-colours", "red"), 0);
	assert_int_equal(bar_count(html, "chart-colours", "black"), 1);
	assert_int_equal(bar_count(html, "chart-colours", "unknown"), 1);
	assert_int_equal(count(html, "<rect class=\"bar\""), 24 + 90 + 3 + 5);
	assert_int_equal(count(html, "<svg class=\"chart\""), 4);
	/* The table: rows for 3, 4, 5, 6, 7; reasons as code and text. */
	assert_int_equal(count(html, "<tr class=\"row"), 5);
	assert_non_null(strstr(html, "<code>fever</code> temperature too high"));
	assert_non_null(strstr(html, "override by S-17 (was deny)"));
	assert_non_null(strstr(html, "38.9<br><small class=\"measure\">skin 37.52, ambient -2.00, 2 readings; "
				     "1 sensor faults</small>"));
	assert_non_null(strstr(html, "<code>no-code</code> no health code<br>"));
	/* Hostile and broken text is inert. */
	assert_null(strstr(html, "<script"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"));
	assert_non_null(strstr(html, "\xef\xbf\xbd\xef\xbf\xbd bad"));
	/* Header */
	assert_non_null(strstr(html, "<td>Sunshine Home</td>"));
	assert_non_null(strstr(html, "<td>gate-1</td>"));
	assert_non_null(strstr(html, "5 trusted, 1 untrusted, 1 rebased"));
	assert_non_null(strstr(html, "version 5 (as recorded in the day&#39;s entries), out of date"));
	assert_non_null(strstr(html, "Entries: 7 (visitors 6, staff 1). Admitted 3, denied 2, "
				     "referred 2; fevers 2. Exits: 4."));
	assert_non_null(strstr(html, "UTC+08:00"));
	/* Self-contained: nothing fetched, no script. */
	assert_null(strstr(html, "http"));
	assert_null(strstr(html, "src="));
	assert_null(strstr(html, "href"));
	assert_null(strstr(html, "url("));
	assert_null(strstr(html, "@import"));
	assert_null(strstr(html, "class=\"empty\""));
	assert_non_null(strstr(html, "@media print"));
	assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
	free(html);
	snt_report_free(r);
}

static void test_empty_day(void **state)
{
	struct snt_report_header h;
	struct snt_report *r;
	char *html;

	(void)state;
	header_for(&h, "2026-11-29");
	h.home = "";
	h.gate = NULL;
	assert_int_equal(snt_report_new(&h, &r), SNT_REPORT_OK);
	html = render(r);
	assert_non_null(strstr(html, "<p class=\"empty\">No entries on this day.</p>"));
	assert_int_equal(count(html, "<svg class=\"chart\""), 4);
	assert_int_equal(count(html, "<rect class=\"bar\""), 24 + 90 + 3 + 5);
	assert_int_equal(count(html, "data-count=\"0\""), 24 + 90 + 3 + 5);
	assert_int_equal(count(html, "no entries</text>"), 4);
	assert_int_equal(count(html, "class=\"fever-line\""), 1);
	assert_int_equal(count(html, "<tr class=\"row"), 0);
	assert_non_null(strstr(html, "<th>Home</th><td>not configured</td>"));
	assert_non_null(strstr(html, "<th>Gate</th><td>not configured</td>"));
	assert_non_null(strstr(html, "<td>no rule set</td>"));
	assert_non_null(strstr(html, "0 trusted, 0 untrusted, 0 rebased"));
	assert_null(strstr(html, "Exits:"));
	free(html);
	snt_report_free(r);
}

static void test_rules_header(void **state)
{
	struct snt_report_header h;
	struct snt_report *r;
	char *html;

	(void)state;
	header_for(&h, "2026-11-29");
	h.rules_version = 12;
	h.rules_issued_utc_ms = T_DAY - 10 * DAY_MS;
	h.rules_freshness = SNT_REPORT_RULES_FRESH;
	h.now_utc_ms = T_DAY + 12 * HOUR_MS;
	assert_int_equal(snt_report_new(&h, &r), SNT_REPORT_OK);
	html = render(r);
	assert_non_null(strstr(html, "<td>version 12, issued 2026-11-19 00:00 (10 days old), fresh</td>"));
	free(html);
	snt_report_free(r);

	h.rules_error = "signature: <bad>";
	assert_int_equal(snt_report_new(&h, &r), SNT_REPORT_OK);
	html = render(r);
	assert_non_null(strstr(html, "the installed rule set cannot be read: signature: &lt;bad&gt;"));
	free(html);
	snt_report_free(r);

	h.rules_freshness = (enum snt_report_freshness)9;
	assert_int_equal(snt_report_new(&h, &r), SNT_REPORT_ERR_INVAL);
}

static void test_add_invalid(void **state)
{
	struct snt_report_header h;
	struct snt_report *r;
	struct snt_entry e;
	char *html = NULL;
	size_t len;

	(void)state;
	header_for(&h, "2026-11-29");
	assert_int_equal(snt_report_new(&h, &r), SNT_REPORT_OK);
	entry(&e, 1, T_DAY, SNT_DECISION_ADMIT, 0, SNT_COLOUR_GREEN, 365);
	e.decision = (enum snt_decision)3;
	assert_int_equal(snt_report_add(r, &e), SNT_REPORT_ERR_INVAL);
	entry(&e, 1, T_DAY, SNT_DECISION_ADMIT, 0, (enum snt_colour)5, 365);
	assert_int_equal(snt_report_add(r, &e), SNT_REPORT_ERR_INVAL);
	assert_int_equal(snt_report_add(r, NULL), SNT_REPORT_ERR_INVAL);
	assert_int_equal(snt_report_add(NULL, &e), SNT_REPORT_ERR_INVAL);
	assert_int_equal(snt_report_entries(r), 0);
	assert_int_equal(snt_report_render(r, NULL, &len), SNT_REPORT_ERR_INVAL);
	assert_int_equal(snt_report_render(NULL, &html, &len), SNT_REPORT_ERR_INVAL);
	assert_null(html);
	snt_report_free(r);
}

static void test_many_rows(void **state)
{
	struct snt_report_header h;
	struct snt_report *r;
	struct snt_entry e;
	char *html;

	(void)state;
	header_for(&h, "2026-11-29");
	assert_int_equal(snt_report_new(&h, &r), SNT_REPORT_OK);
	for (int i = 0; i < 1000; i++) {
		entry(&e, i + 1, T_DAY + i * 60000, SNT_DECISION_DENY, SNT_REASON_BIT(SNT_REASON_CODE_RED),
		      SNT_COLOUR_RED, 365);
		assert_int_equal(snt_report_add(r, &e), SNT_REPORT_OK);
	}
	assert_int_equal(snt_report_rows(r), 1000);
	html = render(r);
	assert_int_equal(count(html, "<tr class=\"row d-deny\">"), 1000);
	assert_int_equal(bar_count(html, "chart-colours", "red"), 1000);
	/* The tallest bar is the full 160 units. */
	assert_non_null(strstr(html, "data-key=\"red\" data-count=\"1000\" x=\"254\" y=\"34\" width=\"72\" "
				     "height=\"160\""));
	free(html);
	snt_report_free(r);
}

/* Staff overrides are listed even when the entry was admitted without a fever. */
static void test_override_rows(void **state)
{
	struct snt_report_header h;
	struct snt_report *r;
	struct snt_entry e;
	char *html;

	(void)state;
	header_for(&h, "2026-11-29");
	assert_int_equal(snt_report_new(&h, &r), SNT_REPORT_OK);
	/* 1: an ordinary admit: no row */
	entry(&e, 1, T_DAY, SNT_DECISION_ADMIT, SNT_REASON_BIT(SNT_REASON_CODE_GREEN), SNT_COLOUR_GREEN,
	      365);
	assert_int_equal(snt_report_add(r, &e), SNT_REPORT_OK);
	/* 2: a referral admitted with the staff button */
	entry(&e, 2, T_DAY + 60000, SNT_DECISION_ADMIT,
	      SNT_REASON_BIT(SNT_REASON_NO_CODE) | SNT_REASON_BIT(SNT_REASON_OVERRIDE_ADMIT),
	      SNT_COLOUR_UNKNOWN, 365);
	snt_strlcpy(e.detail, "{\"override\":{\"by\":\"button\",\"original\":\"refer\"}}",
		    sizeof(e.detail));
	assert_int_equal(snt_report_add(r, &e), SNT_REPORT_OK);
	/* 3: admitted by staff S001, the original decision a denial */
	entry(&e, 3, T_DAY + 120000, SNT_DECISION_ADMIT,
	      SNT_REASON_BIT(SNT_REASON_CODE_YELLOW) | SNT_REASON_BIT(SNT_REASON_OVERRIDE_ADMIT),
	      SNT_COLOUR_YELLOW, 365);
	snt_strlcpy(e.detail, "{\"staff\":\"S001\",\"override\":{\"by\":\"S001\",\"original\":\"deny\"}}",
		    sizeof(e.detail));
	assert_int_equal(snt_report_add(r, &e), SNT_REPORT_OK);
	/* 4: the reason without a detail record: a row, no staff action known */
	entry(&e, 4, T_DAY + 180000, SNT_DECISION_ADMIT, SNT_REASON_BIT(SNT_REASON_OVERRIDE_ADMIT),
	      SNT_COLOUR_GREEN, 365);
	assert_int_equal(snt_report_add(r, &e), SNT_REPORT_OK);
	assert_int_equal(snt_report_entries(r), 4);
	assert_int_equal(snt_report_rows(r), 3);
	html = render(r);
	assert_int_equal(count(html, "<tr class=\"row"), 3);
	assert_non_null(strstr(html, "override by the staff button (was refer)"));
	assert_non_null(strstr(html, "override by S001 (was deny)"));
	assert_int_equal(count(html, "<td class=\"action\"></td>"), 1);
	assert_non_null(strstr(html, "<code>override-admit</code>"));
	free(html);
	snt_report_free(r);
}

static void test_strings(void **state)
{
	(void)state;
	for (int e = SNT_REPORT_OK; e <= SNT_REPORT_ERR_NOMEM; e++)
		assert_string_not_equal(snt_report_strerror((enum snt_report_err)e), "unknown error");
	assert_string_equal(snt_report_strerror((enum snt_report_err)99), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_day_bounds, setup),
		cmocka_unit_test_setup(test_day_invalid, setup),
		cmocka_unit_test_setup(test_new_invalid, setup),
		cmocka_unit_test_setup(test_counts, setup),
		cmocka_unit_test_setup(test_empty_day, setup),
		cmocka_unit_test_setup(test_rules_header, setup),
		cmocka_unit_test_setup(test_add_invalid, setup),
		cmocka_unit_test_setup(test_many_rows, setup),
		cmocka_unit_test_setup(test_override_rows, setup),
		cmocka_unit_test_setup(test_strings, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
