/* SPDX-License-Identifier: MIT */
/*
 * review: the pure parts of the staff's review commands (sentinelctl
 * entries, stats, export, alerts): reading the times staff type, local
 * days, the display width of UTF-8 text for aligned tables, RFC 4180 CSV
 * fields with formula cells made inert, and the occupancy count.  Nothing
 * here reads the clock, opens files or prints.
 *
 * Local time is the process's time zone (TZ, tzset(3)); conversions go
 * through mktime(3)/localtime_r(3), so a day is 23, 24 or 25 hours long
 * across daylight-saving changes.
 */
#ifndef SNT_REVIEW_H
#define SNT_REVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/common.h"

enum snt_review_err {
	SNT_REVIEW_OK = 0,
	SNT_REVIEW_ERR_INVAL,	/* NULL argument or buffer of size 0 */
	SNT_REVIEW_ERR_SYNTAX,	/* text is not one of the accepted forms */
	SNT_REVIEW_ERR_RANGE,	/* a field out of range (month 13, 30 February, 25:00),
				 * a local time that does not exist (skipped by a
				 * daylight-saving change) or a year outside 1970-9999 */
};

/* Which end of a period a time given by staff bounds. */
enum snt_review_bound {
	SNT_REVIEW_SINCE = 0,	/* inclusive start */
	SNT_REVIEW_UNTIL,	/* exclusive end */
};

/*
 * snt_review_parse_time() - a time typed by staff, to UTC ms.
 * @s: one of
 *     "YYYY-MM-DD"                 a local day: SNT_REVIEW_SINCE gives its
 *                                  first instant, SNT_REVIEW_UNTIL the first
 *                                  instant of the next day (so --since D
 *                                  --until D is the whole day D);
 *     "YYYY-MM-DD HH:MM[:SS]"      local time ('T' accepted for the space);
 *     RFC 3339 with "Z" or "+HH:MM"/"-HH:MM" (RFC 3339 §5.6, fractional
 *                                  seconds allowed), UTC by definition.
 * @bound: which end @s is (matters only for a day alone).
 * @utc_ms: receives ms since the Unix epoch.
 * Return: SNT_REVIEW_OK; SNT_REVIEW_ERR_INVAL for a NULL argument;
 * SNT_REVIEW_ERR_SYNTAX for any other text (extra characters included);
 * SNT_REVIEW_ERR_RANGE as described at the enum.  *utc_ms is untouched on
 * error.
 */
enum snt_review_err snt_review_parse_time(const char *s, enum snt_review_bound bound,
					  int64_t *utc_ms) SNT_WUR;

/*
 * snt_review_parse_day() - a local day "YYYY-MM-DD" to its bounds
 * [*start_ms, *end_ms): end is the next day's first instant (23-25 hours
 * later across daylight-saving changes).
 * Return: as snt_review_parse_time() (any form but a day alone is
 * SNT_REVIEW_ERR_SYNTAX).
 */
enum snt_review_err snt_review_parse_day(const char *s, int64_t *start_ms, int64_t *end_ms) SNT_WUR;

/*
 * snt_review_local() - the local broken-down time of @utc_ms (floor to the
 * second, also before 1970) into @out (localtime_r(3)).
 * Return: SNT_REVIEW_OK; SNT_REVIEW_ERR_INVAL for @out NULL;
 * SNT_REVIEW_ERR_RANGE when localtime_r() cannot represent it.
 */
enum snt_review_err snt_review_local(int64_t utc_ms, struct tm *out) SNT_WUR;

/*
 * snt_review_day_start() - first instant of the local day holding @utc_ms,
 * and (@next_ms, may be NULL) of the day after it.
 * Return: SNT_REVIEW_OK; SNT_REVIEW_ERR_INVAL; SNT_REVIEW_ERR_RANGE.
 */
enum snt_review_err snt_review_day_start(int64_t utc_ms, int64_t *start_ms, int64_t *next_ms) SNT_WUR;

/* Length of snt_review_format_local()'s text + NUL. */
#define SNT_REVIEW_LOCAL_LEN 20

/*
 * snt_review_format_local() - "YYYY-MM-DD HH:MM:SS" in local time into
 * @buf of at least SNT_REVIEW_LOCAL_LEN bytes.
 * Return: SNT_REVIEW_OK; SNT_REVIEW_ERR_INVAL (NULL, @size too small);
 * SNT_REVIEW_ERR_RANGE (year outside 0-9999).
 */
enum snt_review_err snt_review_format_local(int64_t utc_ms, char *buf, size_t size) SNT_WUR;

/*
 * A local hour remembered, so that bucketing or printing many times of the
 * same hour costs one localtime_r(3) per hour instead of one per time.
 * Zero-initialise; valid for times in [start_ms, end_ms).
 */
struct snt_review_hour {
	int64_t start_ms;	/* first instant of the local hour */
	int64_t end_ms;		/* first instant after it (start + 1 h, or sooner at a
				 * daylight-saving change inside the hour) */
	struct tm tm;		/* local time at start_ms (minutes and seconds 0) */
};

/* Local time of one instant, from snt_review_hour_get(). */
struct snt_review_when {
	int year, mon, mday;	/* 1-based month and day */
	int hour, min, sec;
};

/*
 * snt_review_hour_get() - the local date and time of @utc_ms (floor to the
 * second), through the cache @h: refreshed with localtime_r(3) only when
 * @utc_ms is outside it.  Gives what localtime_r() gives for every instant.
 * Return: SNT_REVIEW_OK and *@out; SNT_REVIEW_ERR_INVAL for NULL;
 * SNT_REVIEW_ERR_RANGE when localtime_r() cannot represent it.
 */
enum snt_review_err snt_review_hour_get(struct snt_review_hour *h, int64_t utc_ms,
					struct snt_review_when *out) SNT_WUR;

/*
 * snt_review_when_text() - @w as "YYYY-MM-DD" into @day (11 bytes) and
 * "HH:MM:SS" into @hms (9 bytes); either may be NULL.  A year outside
 * 0-9999 gives "?" for the day.
 */
void snt_review_when_text(const struct snt_review_when *w, char day[11], char hms[9]);

/*
 * snt_review_char_width() - terminal columns of code point @cp without the
 * locale's help (for the C locale): 0 for combining marks, zero-width
 * characters and NUL; 2 for East Asian Wide and Fullwidth characters
 * (Unicode UAX #11: Hangul Jamo, CJK radicals to Yi, Hangul syllables,
 * CJK compatibility ideographs, vertical and small forms, fullwidth forms,
 * emoji, planes 2 and 3); -1 for what snt_char_unsafe() names (C0/C1
 * controls, DEL, U+2028/U+2029, bidi controls); 1 otherwise.
 */
int snt_review_char_width(uint32_t cp);

/*
 * snt_review_locale_utf8() - whether the current LC_CTYPE locale is UTF-8
 * (nl_langinfo(CODESET)), i.e. whether mbrtowc(3)/wcwidth(3) can be used.
 */
bool snt_review_locale_utf8(void);

/*
 * snt_review_fit() - @s (UTF-8) made safe and at most @cols terminal
 * columns wide, for one table cell.
 * Each character is measured with mbrtowc(3) + wcwidth(3) when
 * @use_locale (a UTF-8 LC_CTYPE, see snt_review_locale_utf8()), else with
 * the built-in UTF-8 decoder and snt_review_char_width().  Control
 * characters (snt_char_unsafe(): C0, DEL, C1, bidi) and invalid bytes
 * become '?' (one column), so hostile text cannot move the cursor or
 * reorder the line.  When @s is wider than @cols it is cut at a
 * character boundary and ends with '~' within @cols.
 * @out: receives the text, NUL-terminated; @size bytes (4 * @cols + 1 is
 *     always enough).
 * @width: receives the columns of @out (may be NULL).
 * Return: SNT_REVIEW_OK; SNT_REVIEW_ERR_INVAL for NULL @s/@out, @cols < 1
 * or @size too small for the result.
 */
enum snt_review_err snt_review_fit(const char *s, int cols, bool use_locale, char *out,
				   size_t size, int *width) SNT_WUR;

/*
 * snt_review_width() - terminal columns of @s as snt_review_fit() counts
 * them without cutting (controls and invalid bytes count 1).
 */
int snt_review_width(const char *s, bool use_locale);

/*
 * snt_review_csv_cell() - one CSV field (RFC 4180 §2): @s with its
 * controls (C0, DEL, C1, bidi) and invalid UTF-8 escaped by snt_escape()
 * (a CSV is read on terminals too), then enclosed in double
 * quotes, inner quotes doubled, when it holds a comma, a quote, CR or LF
 * (or starts or ends with a space, which spreadsheets trim).  When @text
 * (a value that came from outside: not a number this program formatted),
 * a field starting with '=', '+', '-', '@', TAB or CR is made inert with a
 * leading apostrophe (OWASP "CSV injection"), so a spreadsheet shows it as
 * text instead of running it as a formula.
 * @out: receives the field, NUL-terminated, truncated to @size - 1 bytes.
 * Return: the length of the whole field (as snprintf(3): a value >= @size
 * means @out was too small); 0 with @out "" for NULL @s (or no memory).
 */
size_t snt_review_csv_cell(const char *s, bool text, char *out, size_t size);

/*
 * snt_review_json_string() - @s as a JSON string literal (RFC 8259 §7),
 * quotes included, escaped exactly as jansson's json_dumps() does without
 * flags, so hand-written JSON lines equal jansson's: '"' and '\\' escaped,
 * \b \f \n \r \t, the other controls below U+0020 as \u00XX (upper-case
 * hex), everything else (UTF-8 included, '/' and DEL) as it is.
 * @out: receives the literal, NUL-terminated; @size bytes.
 * Return: its length; -1 when @s is NULL or not valid UTF-8 (RFC 3629;
 * jansson refuses such strings too) or @out is too small.
 */
int snt_review_json_string(const char *s, char *out, size_t size) SNT_WUR;

/*
 * Occupancy: people inside, from door openings for admitted entries
 * (+1) and exit events (-1), never below 0 (someone admitted before the
 * period, or who left through a fire exit, may go out); the peak and when
 * it was first reached.  Zero-initialise, then step in time order.
 */
struct snt_review_occupancy {
	int64_t inside;		/* now */
	int64_t peak;		/* highest so far */
	int64_t peak_utc_ms;	/* when it was first reached; 0 while peak is 0 */
};

/* snt_review_occupancy_step() - one admitted entry (+1) or exit (-1) at @utc_ms. */
void snt_review_occupancy_step(struct snt_review_occupancy *o, int delta, int64_t utc_ms);

/*
 * snt_review_json_object_ok() - whether @s is exactly one JSON object
 * (RFC 8259) on one line, so that it can be put as it is into a JSON line:
 * strict UTF-8 (RFC 3629), no byte below 0x20 anywhere (the only
 * whitespace between tokens is the space), nesting at most 32 deep,
 * nothing after it.  Duplicate names are not looked for.  Linear in the
 * length, no allocation.  false for NULL.
 */
bool snt_review_json_object_ok(const char *s);

/* Largest member text of a detail record (the record is at most 1023 bytes). */
#define SNT_REVIEW_DETAIL_TEXT 1024

/*
 * The members of an entry's detail record (struct snt_entry.detail in
 * store/store.h) that the review output shows; "" when absent or not a
 * JSON string.
 */
struct snt_review_detail {
	char staff[SNT_REVIEW_DETAIL_TEXT];		/* "staff": the staff reference */
	char override_by[SNT_REVIEW_DETAIL_TEXT];	/* "override"."by": staff reference or "button" */
	char override_original[SNT_REVIEW_DETAIL_TEXT];	/* "override"."original": admit|deny|refer */
	char pass[SNT_REVIEW_DETAIL_TEXT];		/* "pass": the visit pass id */
	char idcard_last4[8];		/* "idcard"."last4": the ID number's last four (4 ASCII letters or digits), else "" */
};

/*
 * snt_review_detail_read() - fill @out from the detail record @detail
 * ("" or NULL: none).  The record is parsed (jansson) only when it names
 * one of the members; a record that does not parse as a JSON object, or
 * has duplicate names, gives all members "".  The text is as stored: not
 * escaped or checked for content (the caller makes it safe for its output).
 * Nothing for @out NULL.
 */
void snt_review_detail_read(const char *detail, struct snt_review_detail *out);

/* snt_review_strerror() - static English text for @err; never NULL. */
const char *snt_review_strerror(enum snt_review_err err);

#endif /* SNT_REVIEW_H */
