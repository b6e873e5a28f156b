// SPDX-License-Identifier: MIT
#include <langinfo.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include <jansson.h>

#include "common/i18n.h"
#include "review/review.h"

#define MS_PER_S INT64_C(1000)

/* Broken-down fields of a time as typed, before any conversion. */
struct fields {
	int year, mon, day, hour, min, sec;
	int ms;			/* fraction of an RFC 3339 time, truncated to ms */
	bool has_time;		/* HH:MM given */
	bool has_zone;		/* Z or an offset given: UTC */
	int offset_min;		/* east of UTC, when has_zone */
};

/* Exactly @n decimal digits at *@p; advances *@p. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t yy = y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static enum snt_review_err parse_fields(const char *s, struct fields *f)
{
	const char *p = s;
	bool frac = false;

	memset(f, 0, sizeof(*f));
	if (!digits(&p, 4, &f->year) || !expect(&p, '-') || !digits(&p, 2, &f->mon) ||
	    !expect(&p, '-') || !digits(&p, 2, &f->day))
		return SNT_REVIEW_ERR_SYNTAX;
	if (*p == '\0')
		goto check;
	if (*p != ' ' && *p != 'T' && *p != 't')
		return SNT_REVIEW_ERR_SYNTAX;
	p++;
	if (!digits(&p, 2, &f->hour) || !expect(&p, ':') || !digits(&p, 2, &f->min))
		return SNT_REVIEW_ERR_SYNTAX;
	f->has_time = true;
	if (*p == ':') {
		p++;
		if (!digits(&p, 2, &f->sec))
			return SNT_REVIEW_ERR_SYNTAX;
		if (*p == '.') {
			int scale = 100, n = 0;

			frac = true;
			p++;
			while (*p >= '0' && *p <= '9') {
				f->ms += (*p - '0') * scale;
				scale /= 10;
				p++;
				n++;
			}
			if (n == 0)
				return SNT_REVIEW_ERR_SYNTAX;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
			f->has_zone = true;
		} else if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1, oh, om;

			p++;
			if (!digits(&p, 2, &oh) || !expect(&p, ':') || !digits(&p, 2, &om))
				return SNT_REVIEW_ERR_SYNTAX;
			if (oh > 23 || om > 59)
				return SNT_REVIEW_ERR_RANGE;
			f->has_zone = true;
			f->offset_min = sign * (oh * 60 + om);
		} else if (frac) {
			return SNT_REVIEW_ERR_SYNTAX;	/* a fraction only with a zone (RFC 3339) */
		}
	}
	if (*p != '\0')
		return SNT_REVIEW_ERR_SYNTAX;
check:
	if (f->year < 1970 || f->mon < 1 || f->mon > 12 || f->day < 1 ||
	    f->day > days_in_month(f->year, f->mon) || f->hour > 23 || f->min > 59 || f->sec > 59)
		return SNT_REVIEW_ERR_RANGE;
	return SNT_REVIEW_OK;
}

/*
 * Local y-m-d h:m:s to UTC ms.  @exact: the fields must come back unchanged
 * (a time skipped by a daylight-saving change does not); a day's midnight
 * is not checked (where midnight is skipped the day starts at 01:00).
 */
static enum snt_review_err local_to_utc(int y, int mon, int d, int h, int mi, int sec, bool exact,
					int64_t *utc_ms)
{
	struct tm tm = { 0 };
	time_t t;

	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return SNT_REVIEW_ERR_RANGE;
	if (exact && (tm.tm_year != y - 1900 || tm.tm_mon != mon - 1 || tm.tm_mday != d ||
		      tm.tm_hour != h || tm.tm_min != mi || tm.tm_sec != sec))
		return SNT_REVIEW_ERR_RANGE;
	*utc_ms = (int64_t)t * MS_PER_S;
	return SNT_REVIEW_OK;
}

/* The day after y-m-d. */
static void next_day(int *y, int *m, int *d)
{
	if (*d < days_in_month(*y, *m)) {
		(*d)++;
	} else if (*m < 12) {
		(*m)++;
		*d = 1;
	} else {
		(*y)++;
		*m = 1;
		*d = 1;
	}
}

enum snt_review_err snt_review_parse_time(const char *s, enum snt_review_bound bound,
					  int64_t *utc_ms)
{
	struct fields f;
	enum snt_review_err err;
	int64_t v;

	if (!s || !utc_ms)
		return SNT_REVIEW_ERR_INVAL;
	err = parse_fields(s, &f);
	if (err)
		return err;
	if (f.has_zone) {
		v = days_from_civil(f.year, f.mon, f.day) * 86400 + f.hour * 3600 + f.min * 60 + f.sec;
		v -= (int64_t)f.offset_min * 60;
		*utc_ms = v * MS_PER_S + f.ms;
		return SNT_REVIEW_OK;
	}
	if (f.has_time)
		err = local_to_utc(f.year, f.mon, f.day, f.hour, f.min, f.sec, true, &v);
	else {
		if (bound == SNT_REVIEW_UNTIL)
			next_day(&f.year, &f.mon, &f.day);
		err = local_to_utc(f.year, f.mon, f.day, 0, 0, 0, false, &v);
	}
	if (err)
		return err;
	*utc_ms = v;
	return SNT_REVIEW_OK;
}

enum snt_review_err snt_review_parse_day(const char *s, int64_t *start_ms, int64_t *end_ms)
{
	struct fields f;
	enum snt_review_err err;
	int64_t a, b;

	if (!s || !start_ms || !end_ms)
		return SNT_REVIEW_ERR_INVAL;
	err = parse_fields(s, &f);
	if (err)
		return err;
	if (f.has_time)
		return SNT_REVIEW_ERR_SYNTAX;
	err = local_to_utc(f.year, f.mon, f.day, 0, 0, 0, false, &a);
	if (err)
		return err;
	next_day(&f.year, &f.mon, &f.day);
	err = local_to_utc(f.year, f.mon, f.day, 0, 0, 0, false, &b);
	if (err)
		return err;
	*start_ms = a;
	*end_ms = b;
	return SNT_REVIEW_OK;
}

enum snt_review_err snt_review_local(int64_t utc_ms, struct tm *out)
{
	int64_t secs;
	time_t t;

	if (!out)
		return SNT_REVIEW_ERR_INVAL;
	secs = utc_ms / MS_PER_S - (utc_ms % MS_PER_S < 0);
	t = (time_t)secs;
	if (!localtime_r(&t, out))
		return SNT_REVIEW_ERR_RANGE;
	return SNT_REVIEW_OK;
}

enum snt_review_err snt_review_day_start(int64_t utc_ms, int64_t *start_ms, int64_t *next_ms)
{
	struct tm tm;
	enum snt_review_err err;
	int y, m, d;

	if (!start_ms)
		return SNT_REVIEW_ERR_INVAL;
	err = snt_review_local(utc_ms, &tm);
	if (err)
		return err;
	y = tm.tm_year + 1900;
	m = tm.tm_mon + 1;
	d = tm.tm_mday;
	err = local_to_utc(y, m, d, 0, 0, 0, false, start_ms);
	if (err || !next_ms)
		return err;
	next_day(&y, &m, &d);
	return local_to_utc(y, m, d, 0, 0, 0, false, next_ms);
}

enum snt_review_err snt_review_format_local(int64_t utc_ms, char *buf, size_t size)
{
	struct tm tm;
	enum snt_review_err err;

	if (!buf || size < SNT_REVIEW_LOCAL_LEN)
		return SNT_REVIEW_ERR_INVAL;
	err = snt_review_local(utc_ms, &tm);
	if (err)
		return err;
	if (tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
		return SNT_REVIEW_ERR_RANGE;
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return SNT_REVIEW_OK;
}

/* Floor division of ms to whole seconds, also before 1970. */
static int64_t floor_s(int64_t ms)
{
	return ms / MS_PER_S - (ms % MS_PER_S < 0);
}

/* Local time of second @secs without the cache. */
static bool local_of(int64_t secs, struct tm *tm)
{
	time_t t = (time_t)secs;

	return localtime_r(&t, tm) != NULL;
}

enum snt_review_err snt_review_hour_get(struct snt_review_hour *h, int64_t utc_ms,
					struct snt_review_when *out)
{
	int64_t secs, into;

	if (!h || !out)
		return SNT_REVIEW_ERR_INVAL;
	secs = floor_s(utc_ms);
	if (!(h->end_ms > h->start_ms && utc_ms >= h->start_ms && utc_ms < h->end_ms)) {
		struct tm now, last;
		int64_t start;

		if (!local_of(secs, &now))
			return SNT_REVIEW_ERR_RANGE;
		start = secs - now.tm_min * 60 - now.tm_sec;
		/*
		 * The whole hour has one offset when its first second is HH:00:00 and
		 * its last HH:59:59 of the same local hour.
		 */
		if (local_of(start + 3599, &last) && last.tm_hour == now.tm_hour &&
		    last.tm_mday == now.tm_mday && last.tm_min == 59 && last.tm_sec == 59 &&
		    local_of(start, &h->tm) && h->tm.tm_hour == now.tm_hour &&
		    h->tm.tm_mday == now.tm_mday && h->tm.tm_min == 0 && h->tm.tm_sec == 0) {
			h->start_ms = start * MS_PER_S;
			h->end_ms = (start + 3600) * MS_PER_S;
		} else {
			/* A change inside the hour: this second alone. */
			h->tm = now;
			h->start_ms = secs * MS_PER_S;
			h->end_ms = (secs + 1) * MS_PER_S;
		}
	}
	into = secs - h->start_ms / MS_PER_S;
	out->year = h->tm.tm_year + 1900;
	out->mon = h->tm.tm_mon + 1;
	out->mday = h->tm.tm_mday;
	out->hour = h->tm.tm_hour;
	out->min = h->tm.tm_min + (int)(into / 60);
	out->sec = h->tm.tm_sec + (int)(into % 60);
	return SNT_REVIEW_OK;
}

/* @n (0-99) as two digits at @p. */
static void two(char *p, int n)
{
	p[0] = (char)('0' + n / 10 % 10);
	p[1] = (char)('0' + n % 10);
}

void snt_review_when_text(const struct snt_review_when *w, char day[11], char hms[9])
{
	if (day && (w->year < 0 || w->year > 9999)) {
		day[0] = '?';
		day[1] = '\0';
	} else if (day) {
		two(day, w->year / 100);
		two(day + 2, w->year % 100);
		day[4] = '-';
		two(day + 5, w->mon);
		day[7] = '-';
		two(day + 8, w->mday);
		day[10] = '\0';
	}
	if (hms) {
		two(hms, w->hour);
		hms[2] = ':';
		two(hms + 3, w->min);
		hms[5] = ':';
		two(hms + 6, w->sec);
		hms[8] = '\0';
	}
}

struct range {
	uint32_t lo, hi;
};

/* Unicode 15 East Asian Width W and F (UAX #11), coalesced. */
static const struct range wide[] = {
	{ 0x1100, 0x115f }, { 0x231a, 0x231b }, { 0x2329, 0x232a }, { 0x23e9, 0x23ec },
	{ 0x2614, 0x2615 }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff }, { 0x3400, 0x4dbf },
	{ 0x4e00, 0x9fff }, { 0xa000, 0xa4cf }, { 0xa960, 0xa97f }, { 0xac00, 0xd7a3 },
	{ 0xf900, 0xfaff }, { 0xfe10, 0xfe19 }, { 0xfe30, 0xfe6f }, { 0xff00, 0xff60 },
	{ 0xffe0, 0xffe6 }, { 0x16fe0, 0x18aff }, { 0x1b000, 0x1b2ff }, { 0x1f004, 0x1f004 },
	{ 0x1f200, 0x1f2ff }, { 0x1f300, 0x1f64f }, { 0x1f680, 0x1f6ff }, { 0x1f900, 0x1f9ff },
	{ 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
};

/* Combining marks and zero-width characters (general categories Mn, Me, Cf in common blocks). */
static const struct range zero[] = {
	{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd }, { 0x0610, 0x061a },
	{ 0x064b, 0x065f }, { 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff }, { 0x200b, 0x200f },
	{ 0x202a, 0x202e }, { 0x2060, 0x2064 }, { 0x20d0, 0x20ff }, { 0x302a, 0x302d },
	{ 0x3099, 0x309a }, { 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f }, { 0xfeff, 0xfeff },
	{ 0xe0100, 0xe01ef },
};

static bool in_ranges(const struct range *r, size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cp < r[mid].lo)
			hi = mid;
		else if (cp > r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

int snt_review_char_width(uint32_t cp)
{
	if (cp == 0)
		return 0;
	if (snt_char_unsafe(cp))
		return -1;
	if (in_ranges(zero, SNT_ARRAY_SIZE(zero), cp))
		return 0;
	if (in_ranges(wide, SNT_ARRAY_SIZE(wide), cp))
		return 2;
	return 1;
}

bool snt_review_locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "UTF8"));
}

/* Strict UTF-8 (RFC 3629) at the NUL-terminated @s: bytes of one character (1-4), or 0 if invalid. */
static int utf8_decode(const unsigned char *s, uint32_t *cp)
{
	return snt_utf8_decode(s, strnlen((const char *)s, 4), cp);
}

/* One character at @s: its bytes (*len, 0 at the end) and columns (-1: show '?'). */
static void next_char(const char *s, bool use_locale, size_t *len, int *cols)
{
	if (*s == '\0') {
		*len = 0;
		*cols = 0;
		return;
	}
	if (use_locale) {
		mbstate_t st;
		wchar_t wc;
		size_t r;

		memset(&st, 0, sizeof(st));
		r = mbrtowc(&wc, s, strnlen(s, MB_LEN_MAX), &st);
		if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
			*len = 1;
			*cols = -1;
			return;
		}
		*len = r;
		*cols = snt_char_unsafe((uint32_t)wc) ? -1 : wcwidth(wc);
		return;
	}
	{
		uint32_t cp;
		int n = utf8_decode((const unsigned char *)s, &cp);

		if (n == 0) {
			*len = 1;
			*cols = -1;
			return;
		}
		*len = (size_t)n;
		*cols = snt_review_char_width(cp);
	}
}

int snt_review_width(const char *s, bool use_locale)
{
	int w = 0;

	if (!s)
		return 0;
	for (;;) {
		size_t len;
		int c;

		next_char(s, use_locale, &len, &c);
		if (len == 0)
			return w;
		w += c < 0 ? 1 : c;
		s += len;
	}
}

enum snt_review_err snt_review_fit(const char *s, int cols, bool use_locale, char *out,
				   size_t size, int *width)
{
	int total, limit, w = 0;
	size_t o = 0;

	if (!s || !out || cols < 1 || size == 0)
		return SNT_REVIEW_ERR_INVAL;
	total = snt_review_width(s, use_locale);
	limit = total <= cols ? cols : cols - 1;
	for (;;) {
		size_t len;
		int c;

		next_char(s, use_locale, &len, &c);
		if (len == 0)
			break;
		if (w + (c < 0 ? 1 : c) > limit)
			break;
		if (c < 0) {
			if (o + 1 >= size)
				return SNT_REVIEW_ERR_INVAL;
			out[o++] = '?';
			w++;
		} else {
			if (o + len >= size)
				return SNT_REVIEW_ERR_INVAL;
			memcpy(out + o, s, len);
			o += len;
			w += c;
		}
		s += len;
	}
	if (total > cols) {
		if (o + 1 >= size)
			return SNT_REVIEW_ERR_INVAL;
		out[o++] = '~';
		w++;
	}
	out[o] = '\0';
	if (width)
		*width = w;
	return SNT_REVIEW_OK;
}

/* Append @c at *@o when it fits; always counts. */
static void put(char *out, size_t size, size_t *o, char c)
{
	if (*o + 1 < size)
		out[*o] = c;
	(*o)++;
}

size_t snt_review_csv_cell(const char *raw, bool text, char *out, size_t size)
{
	bool quote = false, inert = false;
	size_t o = 0, n;
	char *s;

	if (out && size)
		out[0] = '\0';
	if (!raw)
		return 0;
	s = snt_escape_dup(raw, 0);
	if (!s)
		return 0;
	n = strlen(s);
	if (text && n > 0 && strchr("=+-@\t\r", s[0]))
		inert = true;
	if (strpbrk(s, ",\"\r\n") || (n > 0 && (s[0] == ' ' || s[n - 1] == ' ')))
		quote = true;
	if (!out)
		size = 0;
	if (quote)
		put(out, size, &o, '"');
	if (inert)
		put(out, size, &o, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			put(out, size, &o, '"');
		put(out, size, &o, *p);
	}
	if (quote)
		put(out, size, &o, '"');
	if (size)
		out[o < size ? o : size - 1] = '\0';
	free(s);
	return o;
}

int snt_review_json_string(const char *s, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (!s || !out || size == 0)
		return -1;
#define PUT(c)                                  \
	do {                                    \
		if (o + 1 >= size)              \
			return -1;              \
		out[o++] = (char)(c);           \
	} while (0)
	PUT('"');
	while (*s) {
		unsigned char c = (unsigned char)*s;
		uint32_t cp;
		int n;

		if (c >= 0x80) {
			n = utf8_decode((const unsigned char *)s, &cp);
			if (n == 0)
				return -1;
			for (int i = 0; i < n; i++)
				PUT(s[i]);
			s += n;
			continue;
		}
		s++;
		switch (c) {
		case '"':
		case '\\':
			PUT('\\');
			PUT(c);
			break;
		case '\b':
			PUT('\\');
			PUT('b');
			break;
		case '\f':
			PUT('\\');
			PUT('f');
			break;
		case '\n':
			PUT('\\');
			PUT('n');
			break;
		case '\r':
			PUT('\\');
			PUT('r');
			break;
		case '\t':
			PUT('\\');
			PUT('t');
			break;
		default:
			if (c < 0x20) {
				PUT('\\');
				PUT('u');
				PUT('0');
				PUT('0');
				PUT(hex[c >> 4]);
				PUT(hex[c & 15]);
			} else {
				PUT(c);
			}
		}
	}
	PUT('"');
#undef PUT
	out[o] = '\0';
	return (int)o;
}

void snt_review_occupancy_step(struct snt_review_occupancy *o, int delta, int64_t utc_ms)
{
	if (!o)
		return;
	o->inside += delta;
	if (o->inside < 0)
		o->inside = 0;
	if (o->inside > o->peak) {
		o->peak = o->inside;
		o->peak_utc_ms = utc_ms;
	}
}

static const char *const err_text[] = {
	[SNT_REVIEW_OK] = N_("success"),
	[SNT_REVIEW_ERR_INVAL] = N_("invalid argument"),
	[SNT_REVIEW_ERR_SYNTAX] = N_("not a date (YYYY-MM-DD), a local time (YYYY-MM-DD HH:MM[:SS]) or an RFC 3339 time"),
	[SNT_REVIEW_ERR_RANGE] = N_("no such date or time"),
};

const char *snt_review_strerror(enum snt_review_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error"));
}

/* ---- detail records ---- */

#define JSON_MAX_DEPTH 32

static void json_ws(const char **p)
{
	while (**p == ' ')
		(*p)++;
}

/* A string literal at *@p (RFC 8259 §7): escapes checked, no raw controls, strict UTF-8. */
static bool json_string_ok(const char **p)
{
	const char *s = *p;

	if (*s++ != '"')
		return false;
	for (;;) {
		unsigned char c = (unsigned char)*s;
		uint32_t cp;
		int n;

		if (c == '"') {
			*p = s + 1;
			return true;
		}
		if (c < 0x20)		/* NUL (the end), or a raw control */
			return false;
		if (c == '\\') {
			s++;
			if (*s == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!s[i] || !strchr("0123456789abcdefABCDEF", s[i]))
						return false;
				s += 5;
			} else if (*s && strchr("\"\\/bfnrt", *s)) {
				s++;
			} else {
				return false;
			}
			continue;
		}
		if (c >= 0x80) {
			n = utf8_decode((const unsigned char *)s, &cp);
			if (n == 0)
				return false;
			s += n;
			continue;
		}
		s++;
	}
}

/* A number at *@p (RFC 8259 §6). */
static bool json_number_ok(const char **p)
{
	const char *s = *p;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	*p = s;
	return true;
}

static bool json_value_ok(const char **p, int depth)
{
	const char *s = *p;
	char close;

	switch (*s) {
	case '"':
		return json_string_ok(p);
	case 't':
	case 'f':
	case 'n': {
		static const char *const lits[] = { "true", "false", "null" };

		for (size_t i = 0; i < 3; i++) {
			size_t n = strlen(lits[i]);

			if (!strncmp(s, lits[i], n)) {
				*p = s + n;
				return true;
			}
		}
		return false;
	}
	case '{':
	case '[':
		break;
	default:
		return json_number_ok(p);
	}
	if (depth >= JSON_MAX_DEPTH)
		return false;
	close = *s == '{' ? '}' : ']';
	s++;
	json_ws(&s);
	if (*s == close) {
		*p = s + 1;
		return true;
	}
	for (;;) {
		if (close == '}') {
			if (!json_string_ok(&s))
				return false;
			json_ws(&s);
			if (*s++ != ':')
				return false;
			json_ws(&s);
		}
		if (!json_value_ok(&s, depth + 1))
			return false;
		json_ws(&s);
		if (*s == close) {
			*p = s + 1;
			return true;
		}
		if (*s++ != ',')
			return false;
		json_ws(&s);
	}
}

bool snt_review_json_object_ok(const char *s)
{
	if (!s || *s != '{')
		return false;
	if (!json_value_ok(&s, 0))
		return false;
	json_ws(&s);
	return *s == '\0';
}

static void detail_member(json_t *obj, const char *key, char *out, size_t size)
{
	json_t *v = json_object_get(obj, key);

	out[0] = '\0';
	if (json_is_string(v) && strlen(json_string_value(v)) < size)
		snt_strlcpy(out, json_string_value(v), size);
}

void snt_review_detail_read(const char *detail, struct snt_review_detail *out)
{
	json_t *root, *ov;

	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	/* Most records hold only "measure" (and "rules"): nothing to parse. */
	if (!detail || !detail[0] ||
	    (!strstr(detail, "\"staff\"") && !strstr(detail, "\"override\"") &&
	     !strstr(detail, "\"pass\"") && !strstr(detail, "\"idcard\"")))
		return;
	root = json_loads(detail, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		return;
	}
	detail_member(root, "staff", out->staff, sizeof(out->staff));
	detail_member(root, "pass", out->pass, sizeof(out->pass));
	ov = json_object_get(root, "override");
	if (json_is_object(ov)) {
		detail_member(ov, "by", out->override_by, sizeof(out->override_by));
		detail_member(ov, "original", out->override_original,
			      sizeof(out->override_original));
	}
	ov = json_object_get(root, "idcard");
	if (json_is_object(ov)) {
		detail_member(ov, "last4", out->idcard_last4, sizeof(out->idcard_last4));
		/* Four ASCII letters or digits (a GB 11643 number's: digits, the last perhaps X), else none. */
		if (strlen(out->idcard_last4) != 4 ||
		    strspn(out->idcard_last4, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != 4)
			out->idcard_last4[0] = '\0';
	}
	json_decref(root);
}
