/* SPDX-License-Identifier: MIT */
/*
 * report: the daily report of one gate as a self-contained printable HTML
 * page (HTML Living Standard, UTF-8) with inline SVG 1.1 charts.
 *
 * Self-contained: no script, no style sheet, font, image or link fetched
 * from anywhere (no URL at all); CSS is inline with an @media print block
 * for A4 paper.  Every piece of text is HTML-escaped (& < > " ' as
 * character references; invalid UTF-8 and control characters become
 * U+FFFD), so a hostile name such as "<script>" in an entry's subject comes
 * out inert.  Geometry is written as integers, so the page does not depend
 * on LC_NUMERIC.
 *
 * The page holds: a header (home, gate, day and its time zone, the rule
 * set and its age, the clock state of the day's entries, when it was made);
 * a summary line; four charts, each an <svg class="chart" id="...">:
 *   chart-hours     entries per local hour, 24 bars (data-key "00".."23")
 *   chart-temps     temperatures, 90 bins of 0.1 °C over 34.0-43.0 °C
 *                   (data-key "34.0".."42.9"; 43.0 counts in the last bin)
 *                   with the fever threshold as a line (class fever-line)
 *   chart-decisions admit, deny, refer (data-key the decision name)
 *   chart-colours   green, yellow, red, black, unknown (data-key the name)
 * every bar a <rect class="bar" data-key="..." data-count="N">, drawn (with
 * height 0) even when its count is 0; and a table (class refusals) with one
 * row per denial, referral, fever or staff override (reason override-admit
 * or override-deny, or an "override" in the detail) (tr class="row") giving seq, local time,
 * kind, masked subject (with the ID number's last four from the detail's
 * "idcard" for a registered visitor: "张* 002X"), colour, temperature,
 * decision, the reasons as codes
 * with their human text (snt_reason_text(), in the page's language), and a
 * staff override from the entry's detail.  An
 * empty day says so (p class="empty") and draws the charts empty.
 *
 * Human text is translated with gettext (domain SNT_REPORT_TEXTDOMAIN, in
 * UTF-8 whatever the locale's codeset); decision, colour, clock and reason
 * codes are not translated (interfaces.md).  Times are local (TZ): the day
 * runs from local midnight to the next local midnight (23 or 25 hours
 * across a daylight-saving change).
 *
 * No I/O, no clock reading: the time of the report is passed in.
 */
#ifndef SNT_REPORT_H
#define SNT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "store/store.h"

/* gettext domain of the report's text (and of sentinelctl's). */
#define SNT_REPORT_TEXTDOMAIN "sentinel"

/* Temperature chart: 0.1 °C bins from 34.0 °C (inclusive) to 43.0 °C (inclusive). */
#define SNT_REPORT_TEMP_MIN_DC 340
#define SNT_REPORT_TEMP_MAX_DC 430
#define SNT_REPORT_TEMP_BINS (SNT_REPORT_TEMP_MAX_DC - SNT_REPORT_TEMP_MIN_DC)

enum snt_report_err {
	SNT_REPORT_OK = 0,
	SNT_REPORT_ERR_INVAL,	/* NULL argument, or a field out of range */
	SNT_REPORT_ERR_DATE,	/* not a valid YYYY-MM-DD date */
	SNT_REPORT_ERR_TIME,	/* the local day cannot be represented (mktime failed) */
	SNT_REPORT_ERR_NOMEM,
};

/* A rule set's freshness (rules/rules.h snt_rules_freshness()), as the header shows it. */
enum snt_report_freshness {
	SNT_REPORT_RULES_UNKNOWN = 0,
	SNT_REPORT_RULES_FRESH,
	SNT_REPORT_RULES_STALE,		/* past its validity: entries are marked rules-stale */
	SNT_REPORT_RULES_EXPIRED,	/* past the hard limit: no unattended admission */
};

/* What the page's header shows; strings are copied by snt_report_new(). */
struct snt_report_header {
	const char *home;		/* the care home ([station] home), UTF-8; NULL or "" = not configured */
	const char *gate;		/* the gate ([station] device_id); NULL or "" = not configured */
	const char *day;		/* "YYYY-MM-DD", as passed to snt_report_day_bounds() */
	int64_t day_start_utc_ms;	/* the local day, from snt_report_day_bounds() */
	int64_t day_end_utc_ms;
	int fever_threshold_mdc;	/* milli-°C, 34000-43000 ([checkin] fever_threshold_c) */
	/*
	 * The rule set in force (rules/rules.h): rules_version 0 = none known
	 * to the caller (the page then shows the last "rules" member of the
	 * day's entries' detail, or "no rule set"); rules_issued_utc_ms 0 =
	 * issue time unknown (no age shown); rules_freshness as judged at
	 * now_utc_ms.  rules_error: why the installed rule set could not be
	 * read (shown instead), NULL = no error.
	 */
	int64_t rules_version;
	int64_t rules_issued_utc_ms;
	enum snt_report_freshness rules_freshness;
	const char *rules_error;
	int64_t exits;			/* exit events that day, -1 = unknown (not shown) */
	int64_t now_utc_ms;		/* when the report is made: "generated" and the rule set's age */
};

struct snt_report;

/*
 * snt_report_day_bounds() - the local day @day ("YYYY-MM-DD", exactly ten
 * characters, a real calendar date from 1970-01-02 to 9999-12-31) as
 * [*@start_utc_ms, *@end_utc_ms): from its local midnight to the next one,
 * in the time zone of TZ (tzset(3)).  A day whose midnight does not exist
 * (a zone that skips it) starts at the first local time of that day.
 * Return: SNT_REPORT_OK; SNT_REPORT_ERR_INVAL for a NULL argument;
 * SNT_REPORT_ERR_DATE when @day is malformed or no such date (2026-02-30,
 * 2026-13-01, " 2026-1-1", "2026-01-01x"); SNT_REPORT_ERR_TIME when mktime(3)
 * cannot represent it.  Outputs are untouched on error.
 */
enum snt_report_err snt_report_day_bounds(const char *day, int64_t *start_utc_ms,
					  int64_t *end_utc_ms) SNT_WUR;

/*
 * snt_report_new() - start a report with @hdr (copied).
 * Return: SNT_REPORT_OK and *@out (free with snt_report_free());
 * SNT_REPORT_ERR_INVAL for a NULL argument, a NULL or malformed @hdr->day,
 * day_end_utc_ms <= day_start_utc_ms, or a fever threshold outside
 * 34000-43000; SNT_REPORT_ERR_NOMEM.
 */
enum snt_report_err snt_report_new(const struct snt_report_header *hdr,
				   struct snt_report **out) SNT_WUR;

/*
 * snt_report_add() - count entry @e (already passed through
 * snt_store_rebase_entry(), so its time and clock are the ones to show):
 * its local hour, temperature, decision, colour, clock state and kind; and
 * keep a row for the table when it was denied, referred, had a fever or
 * was overridden by staff (reason override-admit/override-deny or an
 * "override" member in its detail)
 * (copying what the row shows; @e is not kept).  Its detail, when it is
 * JSON, gives the staff reference, an override and the rule set; a detail
 * that does not parse is ignored (the entry still counts).
 * Return: SNT_REPORT_OK; SNT_REPORT_ERR_INVAL for a NULL argument or an
 * enum out of range; SNT_REPORT_ERR_NOMEM (the entry was not counted).
 */
enum snt_report_err snt_report_add(struct snt_report *r, const struct snt_entry *e) SNT_WUR;

/* snt_report_entries() - entries counted so far (0 for NULL). */
int64_t snt_report_entries(const struct snt_report *r);

/* snt_report_rows() - rows of the denial/referral/fever table so far (0 for NULL). */
int64_t snt_report_rows(const struct snt_report *r);

/*
 * snt_report_render() - the page, as described at the top of this file.
 * @html: receives a malloc'd NUL-terminated UTF-8 string; the caller frees it.
 * @len: receives its length (without the NUL).
 * Return: SNT_REPORT_OK; SNT_REPORT_ERR_INVAL for a NULL argument;
 * SNT_REPORT_ERR_NOMEM (nothing returned).
 */
enum snt_report_err snt_report_render(const struct snt_report *r, char **html, size_t *len) SNT_WUR;

/* snt_report_free() - NULL does nothing. */
void snt_report_free(struct snt_report *r);

/* snt_report_strerror() - static English text for @err; never NULL. */
const char *snt_report_strerror(enum snt_report_err err);

#endif /* SNT_REPORT_H */
