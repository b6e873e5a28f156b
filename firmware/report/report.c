// SPDX-License-Identifier: MIT
/*
 * report: the daily HTML report (see report.h).  The page is built in one
 * growing buffer; every text goes through esc_put() (HTML character
 * references, invalid UTF-8 and control characters as U+FFFD), markup only
 * through literal formats.
 */
#include <ctype.h>
#include <libintl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "report/report.h"

#define _(s) dgettext(SNT_REPORT_TEXTDOMAIN, s)
#define P_(one, many, n) dngettext(SNT_REPORT_TEXTDOMAIN, one, many, (unsigned long)(n))
#define N_(s) s

#define N_DECISIONS 3
#define N_COLOURS 5
#define N_CLOCKS 3
#define N_KINDS 2
#define ORIGINAL_LEN 8

/* Chart geometry, in SVG user units (integers: no LC_NUMERIC dependence). */
#define CH_LEFT 50
#define CH_RIGHT 30
#define CH_TOP 34
#define CH_PLOT 160
#define CH_BOTTOM 40

/* One row of the denial/referral/fever table. */
struct row {
	int64_t seq;
	int64_t time_utc_ms;
	enum snt_clock_state clock;
	enum snt_person_kind kind;
	char subject[SNT_SUBJECT_LEN];
	char idcard_last4[8];			/* the ID number's last four from the detail, "" = none */
	enum snt_colour colour;
	bool has_temp;
	int temp_dc;
	enum snt_decision decision;
	snt_reasons_t reasons;
	char staff[SNT_STAFF_REF_LEN];		/* staff reference from the detail, "" = none */
	bool has_override;
	char override_by[SNT_STAFF_REF_LEN];	/* staff reference or "button" */
	char override_original[ORIGINAL_LEN];	/* admit|deny|refer, "" = not given */
	bool has_measure;			/* the detail's measurement record */
	bool has_skin;				/* skin and ambient figures in it */
	int64_t skin_mdc, ambient_mdc;		/* milli-°C */
	int64_t readings, faults;
};

struct snt_report {
	char *home;
	char *gate;
	char day[11];
	int64_t day_start_utc_ms;
	int64_t day_end_utc_ms;
	int fever_threshold_mdc;
	int64_t rules_version;
	int64_t rules_issued_utc_ms;
	enum snt_report_freshness rules_freshness;
	char *rules_error;		/* NULL = none */
	int64_t exits;
	int64_t now_utc_ms;

	int64_t entries;
	int64_t hours[24];
	int64_t temps[SNT_REPORT_TEMP_BINS];
	int64_t temp_below, temp_above, temp_none;
	int64_t decisions[N_DECISIONS];
	int64_t colours[N_COLOURS];
	int64_t clocks[N_CLOCKS];
	int64_t kinds[N_KINDS];
	int64_t fevers;
	bool detail_rules;		/* a "rules" member was seen in the day's entries */
	int64_t detail_rules_version;	/* the last one seen */
	bool detail_rules_stale;

	struct row *rows;
	size_t nrows, caprows;
};

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

/* Decision and colour names in enum order, with their human words and bar fills. */
static const char *const decision_words[N_DECISIONS] = {
	N_("admitted"), N_("denied"), N_("referred"),
};
static const char *const decision_fill[N_DECISIONS] = { "#2e8b57", "#b22222", "#e69500" };
static const char *const colour_words[N_COLOURS] = {
	N_("unknown"), N_("green"), N_("yellow"), N_("red"), N_("black"),
};
static const char *const colour_fill[N_COLOURS] = { "#a0a0a0", "#00a651", "#f2c500", "#e0002a",
						     "#333333" };
/* The colour chart lists green, yellow, red, black, unknown. */
static const enum snt_colour colour_order[N_COLOURS] = {
	SNT_COLOUR_GREEN, SNT_COLOUR_YELLOW, SNT_COLOUR_RED, SNT_COLOUR_BLACK, SNT_COLOUR_UNKNOWN,
};

#define FILL_HOURS "#1f77b4"
#define FILL_TEMP "#7b5ea7"
#define FILL_TEMP_FEVER "#c0392b"
#define FILL_FEVER_LINE "#ff0000"

static const char style[] =
	"body{font-family:\"Noto Sans CJK SC\",\"Noto Sans SC\",\"Microsoft YaHei\","
	"\"PingFang SC\",sans-serif;color:#111;margin:24px;max-width:1040px}\n"
	"h1{font-size:1.5em;margin:0 0 .4em}\n"
	"h2{font-size:1.1em;margin:1.2em 0 .3em}\n"
	"table{border-collapse:collapse}\n"
	"th,td{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top;"
	"font-size:.9em}\n"
	"table.meta th{background:#eee}\n"
	"table.refusals{width:100%}\n"
	"table.refusals th{background:#eee;white-space:nowrap}\n"
	"table.refusals td{white-space:nowrap}\n"
	"table.refusals td.subject,table.refusals td.reasons,table.refusals td.action"
	"{white-space:normal}\n"
	"small.measure{white-space:normal;display:inline-block;max-width:14em}\n"
	"code{font-family:monospace;font-size:.95em}\n"
	".empty{font-size:1.2em;font-weight:bold}\n"
	".summary{margin:.8em 0}\n"
	".chart{display:block;max-width:100%;height:auto}\n"
	"section{break-inside:avoid;page-break-inside:avoid}\n"
	"svg text{font-size:12px;fill:#111}\n"
	"@media print{\n"
	"@page{size:A4;margin:12mm}\n"
	"body{margin:0;max-width:none}\n"
	".chart{width:100%}\n"
	"tr{break-inside:avoid;page-break-inside:avoid}\n"
	"thead{display:table-header-group}\n"
	"}\n";

/* ---- output buffer ---- */

static void buf_reserve(struct buf *b, size_t extra)
{
	size_t want;
	char *p;

	if (b->oom)
		return;
	if (extra > SIZE_MAX / 2 - b->len) {
		b->oom = true;
		return;
	}
	want = b->len + extra + 1;
	if (want <= b->cap)
		return;
	if (want < b->cap * 2)
		want = b->cap * 2;
	if (want < 4096)
		want = 4096;
	p = realloc(b->p, want);
	if (!p) {
		b->oom = true;
		return;
	}
	b->p = p;
	b->cap = want;
}

static void buf_put(struct buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

/* Markup only: @fmt is a literal and its arguments are numbers or markup. */
static void SNT_PRINTF(2, 3) buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	buf_reserve(b, (size_t)n);
	if (b->oom)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/*
 * Text: HTML character references for & < > " ', U+FFFD for what is not
 * text (invalid UTF-8, and what snt_char_unsafe() names but newline and tab:
 * C0/C1 controls, DEL, bidi controls, which would reorder the page).
 */
static void esc_put(struct buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str);

	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		int len = snt_utf8_decode(s + i, n - i, &cp);

		if (len == 0 || (snt_char_unsafe(cp) && cp != '\n' && cp != '\t')) {
			buf_puts(b, "\xef\xbf\xbd");
			i += len ? (size_t)len : 1;
			continue;
		}
		switch (cp) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		default: buf_put(b, (const char *)s + i, (size_t)len);
		}
		i += (size_t)len;
	}
}

/* Text from a format (translated formats included): the whole result is escaped. */
static void SNT_PRINTF(2, 3) esc_printf(struct buf *b, const char *fmt, ...)
{
	char small[512];
	char *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		esc_put(b, small);
		return;
	}
	big = malloc((size_t)n + 1);
	if (!big) {
		b->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	esc_put(b, big);
	free(big);
}

/* ---- time ---- */

/* Seconds from ms, rounding towards minus infinity. */
static time_t ms_to_time(int64_t ms)
{
	int64_t s = ms / 1000;

	if (ms % 1000 < 0)
		s--;
	return (time_t)s;
}

static bool local_tm(int64_t utc_ms, struct tm *tm)
{
	time_t t = ms_to_time(utc_ms);

	return localtime_r(&t, tm) != NULL;
}

/* "YYYY-MM-DD HH:MM" local, or "?" */
static void format_local(int64_t utc_ms, char *out, size_t size, bool seconds_only)
{
	struct tm tm;

	if (!local_tm(utc_ms, &tm) ||
	    strftime(out, size, seconds_only ? "%H:%M:%S" : "%Y-%m-%d %H:%M", &tm) == 0)
		snt_strlcpy(out, "?", size);
}

/* "+08:00" for the zone in force at @utc_ms, with its abbreviation. */
static void format_zone(int64_t utc_ms, char *out, size_t size)
{
	struct tm tm;
	long off;
	char sign;

	if (!local_tm(utc_ms, &tm)) {
		snt_strlcpy(out, "?", size);
		return;
	}
	off = tm.tm_gmtoff;
	sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	snprintf(out, size, "%s, UTC%c%02ld:%02ld", tm.tm_zone ? tm.tm_zone : "?", sign,
		 off / 3600, off / 60 % 60);
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

enum snt_report_err snt_report_day_bounds(const char *day, int64_t *start_utc_ms,
					  int64_t *end_utc_ms)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	struct tm a, z;
	time_t ta, tz;
	int y, m, d;

	if (!day || !start_utc_ms || !end_utc_ms)
		return SNT_REPORT_ERR_INVAL;
	if (strlen(day) != 10 || day[4] != '-' || day[7] != '-')
		return SNT_REPORT_ERR_DATE;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)day[i]))
			return SNT_REPORT_ERR_DATE;
	y = atoi(day);
	m = (day[5] - '0') * 10 + (day[6] - '0');
	d = (day[8] - '0') * 10 + (day[9] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1)
		return SNT_REPORT_ERR_DATE;
	if (d > mdays[m - 1] + (m == 2 && is_leap(y) ? 1 : 0))
		return SNT_REPORT_ERR_DATE;

	tzset();
	memset(&a, 0, sizeof(a));
	a.tm_year = y - 1900;
	a.tm_mon = m - 1;
	a.tm_mday = d;
	a.tm_isdst = -1;
	z = a;
	z.tm_mday = d + 1;
	ta = mktime(&a);
	tz = mktime(&z);
	if (ta == (time_t)-1 || tz == (time_t)-1 || tz <= ta)
		return SNT_REPORT_ERR_TIME;
	*start_utc_ms = (int64_t)ta * 1000;
	*end_utc_ms = (int64_t)tz * 1000;
	return SNT_REPORT_OK;
}

/* ---- accumulation ---- */

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

enum snt_report_err snt_report_new(const struct snt_report_header *hdr, struct snt_report **out)
{
	struct snt_report *r;
	int64_t a, z;

	if (!hdr || !out || !hdr->day)
		return SNT_REPORT_ERR_INVAL;
	/* Only the form is checked here: the bounds come from the caller. */
	if (strlen(hdr->day) != 10 || snt_report_day_bounds(hdr->day, &a, &z) == SNT_REPORT_ERR_DATE)
		return SNT_REPORT_ERR_INVAL;
	if (hdr->day_end_utc_ms <= hdr->day_start_utc_ms || hdr->fever_threshold_mdc < 34000 ||
	    hdr->fever_threshold_mdc > 43000 || hdr->rules_version < 0 ||
	    (unsigned)hdr->rules_freshness > SNT_REPORT_RULES_EXPIRED)
		return SNT_REPORT_ERR_INVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return SNT_REPORT_ERR_NOMEM;
	r->home = dup_or_empty(hdr->home);
	r->gate = dup_or_empty(hdr->gate);
	if (hdr->rules_error)
		r->rules_error = strdup(hdr->rules_error);
	if (!r->home || !r->gate || (hdr->rules_error && !r->rules_error)) {
		snt_report_free(r);
		return SNT_REPORT_ERR_NOMEM;
	}
	snt_strlcpy(r->day, hdr->day, sizeof(r->day));
	r->day_start_utc_ms = hdr->day_start_utc_ms;
	r->day_end_utc_ms = hdr->day_end_utc_ms;
	r->fever_threshold_mdc = hdr->fever_threshold_mdc;
	r->rules_version = hdr->rules_version;
	r->rules_issued_utc_ms = hdr->rules_issued_utc_ms;
	r->rules_freshness = hdr->rules_freshness;
	r->exits = hdr->exits;
	r->now_utc_ms = hdr->now_utc_ms;
	*out = r;
	return SNT_REPORT_OK;
}

void snt_report_free(struct snt_report *r)
{
	if (!r)
		return;
	free(r->home);
	free(r->gate);
	free(r->rules_error);
	free(r->rows);
	free(r);
}

int64_t snt_report_entries(const struct snt_report *r)
{
	return r ? r->entries : 0;
}

int64_t snt_report_rows(const struct snt_report *r)
{
	return r ? (int64_t)r->nrows : 0;
}

/* Copy a JSON string member of @obj into @out when it is a string. */
static void json_str(json_t *obj, const char *key, char *out, size_t size)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_string(v))
		snt_strlcpy(out, json_string_value(v), size);
}

/* The detail members the report shows; an unparsable detail is ignored. */
static void read_detail(struct snt_report *r, const struct snt_entry *e, struct row *row)
{
	json_t *root, *v;

	if (!e->detail[0])
		return;
	root = json_loads(e->detail, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		return;
	}
	json_str(root, "staff", row->staff, sizeof(row->staff));
	v = json_object_get(root, "idcard");
	if (json_is_object(v)) {
		json_str(v, "last4", row->idcard_last4, sizeof(row->idcard_last4));
		/* Four ASCII letters or digits, else none. */
		if (strlen(row->idcard_last4) != 4 ||
		    strspn(row->idcard_last4, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != 4)
			row->idcard_last4[0] = '\0';
	}
	v = json_object_get(root, "override");
	if (json_is_object(v)) {
		row->has_override = true;
		json_str(v, "by", row->override_by, sizeof(row->override_by));
		json_str(v, "original", row->override_original, sizeof(row->override_original));
	}
	v = json_object_get(root, "measure");
	if (json_is_object(v)) {
		json_t *skin = json_object_get(v, "skin_mdc"), *amb = json_object_get(v, "ambient_mdc");

		row->has_measure = true;
		row->readings = json_integer_value(json_object_get(v, "readings"));
		row->faults = json_integer_value(json_object_get(v, "faults"));
		if (json_is_integer(skin) && json_is_integer(amb)) {
			row->has_skin = true;
			row->skin_mdc = json_integer_value(skin);
			row->ambient_mdc = json_integer_value(amb);
		}
	}
	v = json_object_get(root, "rules");
	if (json_is_object(v) && json_is_integer(json_object_get(v, "version"))) {
		r->detail_rules = true;
		r->detail_rules_version = json_integer_value(json_object_get(v, "version"));
		r->detail_rules_stale = json_is_true(json_object_get(v, "stale"));
	}
	json_decref(root);
}

enum snt_report_err snt_report_add(struct snt_report *r, const struct snt_entry *e)
{
	struct row row;
	struct tm tm;
	bool fever;

	if (!r || !e)
		return SNT_REPORT_ERR_INVAL;
	if ((unsigned)e->decision >= N_DECISIONS || (unsigned)e->colour >= N_COLOURS ||
	    (unsigned)e->clock >= N_CLOCKS || (unsigned)e->kind >= N_KINDS)
		return SNT_REPORT_ERR_INVAL;
	fever = (e->reasons & SNT_REASON_BIT(SNT_REASON_FEVER)) != 0;
	memset(&row, 0, sizeof(row));
	read_detail(r, e, &row);
	/* Denials, referrals, fevers, and every staff override (an admit too). */
	if (e->decision != SNT_DECISION_ADMIT || fever || row.has_override ||
	    (e->reasons & (SNT_REASON_BIT(SNT_REASON_OVERRIDE_ADMIT) |
			   SNT_REASON_BIT(SNT_REASON_OVERRIDE_DENY)))) {
		if (r->nrows == r->caprows) {
			size_t cap = r->caprows ? r->caprows * 2 : 64;
			struct row *p = realloc(r->rows, cap * sizeof(*p));

			if (!p)
				return SNT_REPORT_ERR_NOMEM;
			r->rows = p;
			r->caprows = cap;
		}
		row.seq = e->seq;
		row.time_utc_ms = e->time_utc_ms;
		row.clock = e->clock;
		row.kind = e->kind;
		snt_strlcpy(row.subject, e->subject, sizeof(row.subject));
		row.colour = e->colour;
		row.has_temp = e->has_temp;
		row.temp_dc = e->temp_dc;
		row.decision = e->decision;
		row.reasons = e->reasons;
		r->rows[r->nrows++] = row;
	}
	r->entries++;
	if (local_tm(e->time_utc_ms, &tm) && tm.tm_hour >= 0 && tm.tm_hour < 24)
		r->hours[tm.tm_hour]++;
	if (!e->has_temp)
		r->temp_none++;
	else if (e->temp_dc < SNT_REPORT_TEMP_MIN_DC)
		r->temp_below++;
	else if (e->temp_dc > SNT_REPORT_TEMP_MAX_DC)
		r->temp_above++;
	else if (e->temp_dc == SNT_REPORT_TEMP_MAX_DC)
		r->temps[SNT_REPORT_TEMP_BINS - 1]++;
	else
		r->temps[e->temp_dc - SNT_REPORT_TEMP_MIN_DC]++;
	r->decisions[e->decision]++;
	r->colours[e->colour]++;
	r->clocks[e->clock]++;
	r->kinds[e->kind]++;
	if (fever)
		r->fevers++;
	return SNT_REPORT_OK;
}

/* ---- rendering ---- */

/*
 * The language of the reason texts (policy/policy.h): the one the message
 * catalogue in use is written in, so the page speaks one language.
 */
static enum snt_lang page_lang(void)
{
	/* TRANSLATORS: the HTML language tag of this translation (BCP 47). */
	return strncmp(_("en"), "zh", 2) == 0 ? SNT_LANG_ZH : SNT_LANG_EN;
}

/* "37.52" from milli-°C, rounded to hundredths (exact, no double). */
static void format_mdc(int64_t mdc, char *out, size_t size)
{
	long long a = mdc < 0 ? -(long long)mdc : (long long)mdc;

	if (mdc < -1000000000 || mdc > 1000000000) {
		snt_strlcpy(out, "?", size);
		return;
	}
	a = (a + 5) / 10;
	snprintf(out, size, "%s%lld.%02lld", mdc < 0 ? "-" : "", a / 100, a % 100);
}

/* "36.5" from tenths of a degree (exact, no double). */
static void format_dc(int dc, char *out, size_t size)
{
	long v = dc, a = v < 0 ? -v : v;

	snprintf(out, size, "%s%ld.%ld", v < 0 ? "-" : "", a / 10, a % 10);
}

struct bar {
	char key[16];		/* data-key */
	const char *label;	/* label under the bar (or at its left edge), NULL = none */
	int64_t count;
	const char *fill;
};

struct chart {
	const char *id;
	const char *title;	/* translated */
	const struct bar *bars;
	size_t n;
	int bw;			/* bar slot width */
	bool edge_labels;	/* labels mark the slot's left edge (a scale) */
	const char *end_label;	/* with edge_labels: the label at the right end */
	bool counts;		/* print the count above each non-empty bar */
	int marker_x;		/* > 0: the fever line at this x from the plot's left */
	const char *marker_text;
};

static void svg_chart(struct buf *b, const struct chart *c)
{
	int w = CH_LEFT + (int)c->n * c->bw + CH_RIGHT;
	int h = CH_TOP + CH_PLOT + CH_BOTTOM;
	int base = CH_TOP + CH_PLOT;
	int gap = c->bw >= 20 ? c->bw / 8 : 1;
	int64_t max = 0;

	for (size_t i = 0; i < c->n; i++)
		if (c->bars[i].count > max)
			max = c->bars[i].count;

	buf_printf(b, "<section>\n<h2>");
	esc_put(b, c->title);
	buf_printf(b, "</h2>\n<svg class=\"chart\" id=\"%s\" "
		      "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
		   c->id, w, h, w, h);
	esc_put(b, c->title);
	buf_printf(b, "\">\n");
	/* Axes and the top of the scale. */
	buf_printf(b, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#111\" "
		      "stroke-width=\"1\"/>\n",
		   CH_LEFT, CH_TOP, CH_LEFT, base);
	buf_printf(b, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#111\" "
		      "stroke-width=\"1\"/>\n",
		   CH_LEFT, base, w - CH_RIGHT, base);
	buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", CH_LEFT - 6, base + 4);
	if (max > 0) {
		buf_printf(b, "<line class=\"grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
			      "stroke=\"#ccc\" stroke-width=\"1\"/>\n",
			   CH_LEFT, CH_TOP, w - CH_RIGHT, CH_TOP);
		buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%lld</text>\n", CH_LEFT - 6,
			   CH_TOP + 4, (long long)max);
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct bar *bar = &c->bars[i];
		int x = CH_LEFT + (int)i * c->bw;
		int bh = 0;

		if (max > 0 && bar->count > 0) {
			bh = (int)((bar->count * CH_PLOT * 2 + max) / (2 * max));
			if (bh < 1)
				bh = 1;
		}
		buf_printf(b, "<rect class=\"bar\" data-key=\"");
		esc_put(b, bar->key);
		buf_printf(b, "\" data-count=\"%lld\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
			      "fill=\"%s\"/>\n",
			   (long long)bar->count, x + gap, base - bh, c->bw - 2 * gap, bh, bar->fill);
		if (c->counts && bar->count > 0)
			buf_printf(b, "<text class=\"n\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%lld"
				      "</text>\n",
				   x + c->bw / 2, base - bh - 4, (long long)bar->count);
		if (bar->label) {
			buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
				   c->edge_labels ? x : x + c->bw / 2, base + 16);
			esc_put(b, bar->label);
			buf_printf(b, "</text>\n");
		}
	}
	if (c->edge_labels && c->end_label) {
		buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
			   CH_LEFT + (int)c->n * c->bw, base + 16);
		esc_put(b, c->end_label);
		buf_printf(b, "</text>\n");
	}
	if (c->marker_x > 0) {
		int x = CH_LEFT + c->marker_x;

		buf_printf(b, "<line class=\"fever-line\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
			      "stroke=\"%s\" stroke-width=\"4\" stroke-dasharray=\"10 4\"/>\n",
			   x, CH_TOP - 14, x, base, FILL_FEVER_LINE);
		buf_printf(b, "<text class=\"fever-label\" x=\"%d\" y=\"%d\" style=\"fill:%s\">", x + 6,
			   CH_TOP - 4, FILL_FEVER_LINE);
		esc_put(b, c->marker_text);
		buf_printf(b, "</text>\n");
	}
	if (max == 0) {
		buf_printf(b, "<text class=\"none\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
			   CH_LEFT + (int)c->n * c->bw / 2, CH_TOP + CH_PLOT / 2);
		esc_put(b, _("no entries"));
		buf_printf(b, "</text>\n");
	}
	buf_printf(b, "</svg>\n");
}

static void chart_hours(struct buf *b, const struct snt_report *r)
{
	static const char *const hour_labels[24] = {
		"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11",
		"12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23",
	};
	struct bar bars[24];
	struct chart c = {
		.id = "chart-hours",
		.title = _("Entries per hour"),
		.bars = bars,
		.n = 24,
		.bw = 40,
		.counts = true,
	};

	for (int i = 0; i < 24; i++) {
		snprintf(bars[i].key, sizeof(bars[i].key), "%02d", i);
		bars[i].label = hour_labels[i];
		bars[i].count = r->hours[i];
		bars[i].fill = FILL_HOURS;
	}
	svg_chart(b, &c);
	buf_printf(b, "<p class=\"note\">");
	esc_put(b, _("Hours in local time, by the time each entry was made."));
	buf_printf(b, "</p>\n</section>\n");
}

static void chart_temps(struct buf *b, const struct snt_report *r)
{
	static const char *const deg_labels[9] = { "34", "35", "36", "37", "38", "39", "40", "41", "42" };
	struct bar bars[SNT_REPORT_TEMP_BINS];
	char thr[16], marker[96];
	struct chart c = {
		.id = "chart-temps",
		.title = _("Temperatures (°C)"),
		.bars = bars,
		.n = SNT_REPORT_TEMP_BINS,
		.bw = 10,
		.edge_labels = true,
		.end_label = "43",
		/* 10 units per 0.1 °C = 100 m°C. */
		.marker_x = (r->fever_threshold_mdc - SNT_REPORT_TEMP_MIN_DC * 100) / 10,
	};

	snprintf(thr, sizeof(thr), "%d.%d", r->fever_threshold_mdc / 1000,
		 r->fever_threshold_mdc / 100 % 10);
	if (r->fever_threshold_mdc % 100)
		snprintf(thr, sizeof(thr), "%d.%02d", r->fever_threshold_mdc / 1000,
			 r->fever_threshold_mdc / 10 % 100);
	snprintf(marker, sizeof(marker), _("fever ≥ %s °C"), thr);
	c.marker_text = marker;
	if (c.marker_x <= 0)
		c.marker_x = 1;
	for (int i = 0; i < SNT_REPORT_TEMP_BINS; i++) {
		int dc = SNT_REPORT_TEMP_MIN_DC + i;

		format_dc(dc, bars[i].key, sizeof(bars[i].key));
		bars[i].label = i % 10 == 0 ? deg_labels[i / 10] : NULL;
		bars[i].count = r->temps[i];
		bars[i].fill = dc * 100 >= r->fever_threshold_mdc ? FILL_TEMP_FEVER : FILL_TEMP;
	}
	svg_chart(b, &c);
	buf_printf(b, "<p class=\"note\">");
	esc_printf(b, _("Bins of 0.1 °C. Below 34.0 °C: %lld; above 43.0 °C: %lld; not measured: %lld."),
		   (long long)r->temp_below, (long long)r->temp_above, (long long)r->temp_none);
	buf_printf(b, "</p>\n</section>\n");
}

static void chart_decisions(struct buf *b, const struct snt_report *r)
{
	struct bar bars[N_DECISIONS];
	struct chart c = {
		.id = "chart-decisions",
		.title = _("Decisions"),
		.bars = bars,
		.n = N_DECISIONS,
		.bw = 160,
		.counts = true,
	};

	for (int i = 0; i < N_DECISIONS; i++) {
		snt_strlcpy(bars[i].key, snt_decision_name((enum snt_decision)i), sizeof(bars[i].key));
		bars[i].label = _(decision_words[i]);
		bars[i].count = r->decisions[i];
		bars[i].fill = decision_fill[i];
	}
	svg_chart(b, &c);
	buf_printf(b, "</section>\n");
}

static void chart_colours(struct buf *b, const struct snt_report *r)
{
	struct bar bars[N_COLOURS];
	struct chart c = {
		.id = "chart-colours",
		.title = _("Health-code colours"),
		.bars = bars,
		.n = N_COLOURS,
		.bw = 96,
		.counts = true,
	};

	for (int i = 0; i < N_COLOURS; i++) {
		enum snt_colour col = colour_order[i];

		snt_strlcpy(bars[i].key, snt_colour_name(col), sizeof(bars[i].key));
		bars[i].label = _(colour_words[col]);
		bars[i].count = r->colours[col];
		bars[i].fill = colour_fill[col];
	}
	svg_chart(b, &c);
	buf_printf(b, "<p class=\"note\">");
	esc_put(b, _("Unknown: no code, or a colour the gate could not read clearly."));
	buf_printf(b, "</p>\n</section>\n");
}

static void meta_row(struct buf *b, const char *key, const char *value)
{
	buf_printf(b, "<tr><th>");
	esc_put(b, key);
	buf_printf(b, "</th><td>");
	esc_put(b, value);
	buf_printf(b, "</td></tr>\n");
}

static void rules_text(const struct snt_report *r, char *out, size_t size)
{
	static const char *const fresh_words[] = {
		"", N_(", fresh"), N_(", out of date"), N_(", expired: no unattended admission"),
	};
	char issued[32];
	const char *fresh;

	if (r->rules_error) {
		snprintf(out, size, _("the installed rule set cannot be read: %s"), r->rules_error);
	} else if (r->rules_version > 0) {
		fresh = r->rules_freshness ? _(fresh_words[r->rules_freshness]) : "";
		if (r->rules_issued_utc_ms > 0) {
			int64_t days = (r->now_utc_ms - r->rules_issued_utc_ms) / 86400000;

			format_local(r->rules_issued_utc_ms, issued, sizeof(issued), false);
			snprintf(out, size, P_("version %lld, issued %s (%lld day old)%s",
					       "version %lld, issued %s (%lld days old)%s", days < 0 ? 0 : days),
				 (long long)r->rules_version, issued, (long long)(days < 0 ? 0 : days),
				 fresh);
		} else {
			snprintf(out, size, _("version %lld%s"), (long long)r->rules_version, fresh);
		}
	} else if (r->detail_rules) {
		snprintf(out, size, _("version %lld (as recorded in the day's entries)%s"),
			 (long long)r->detail_rules_version,
			 r->detail_rules_stale ? _(fresh_words[SNT_REPORT_RULES_STALE]) : "");
	} else {
		snt_strlcpy(out, _("no rule set"), size);
	}
}

static void header(struct buf *b, const struct snt_report *r)
{
	char line[512], zone[64], now[32];

	buf_printf(b, "<header>\n<h1>");
	esc_printf(b, _("Gate report for %s"), r->day);
	buf_printf(b, "</h1>\n<table class=\"meta\">\n");
	meta_row(b, _("Home"), r->home[0] ? r->home : _("not configured"));
	meta_row(b, _("Gate"), r->gate[0] ? r->gate : _("not configured"));
	format_zone(r->day_start_utc_ms, zone, sizeof(zone));
	snprintf(line, sizeof(line), _("%s, local time (%s)"), r->day, zone);
	meta_row(b, _("Day"), line);
	rules_text(r, line, sizeof(line));
	meta_row(b, _("Rule set"), line);
	snprintf(line, sizeof(line), _("%lld trusted, %lld untrusted, %lld rebased"),
		 (long long)r->clocks[SNT_CLOCK_TRUSTED], (long long)r->clocks[SNT_CLOCK_UNTRUSTED],
		 (long long)r->clocks[SNT_CLOCK_REBASED]);
	meta_row(b, _("Clock"), line);
	format_local(r->now_utc_ms, now, sizeof(now), false);
	meta_row(b, _("Generated"), now);
	buf_printf(b, "</table>\n</header>\n");
}

static void summary(struct buf *b, const struct snt_report *r)
{
	buf_printf(b, "<p class=\"summary\">");
	esc_printf(b, _("Entries: %lld (visitors %lld, staff %lld). Admitted %lld, denied %lld, "
			"referred %lld; fevers %lld."),
		   (long long)r->entries, (long long)r->kinds[SNT_KIND_VISITOR],
		   (long long)r->kinds[SNT_KIND_STAFF], (long long)r->decisions[SNT_DECISION_ADMIT],
		   (long long)r->decisions[SNT_DECISION_DENY],
		   (long long)r->decisions[SNT_DECISION_REFER], (long long)r->fevers);
	if (r->exits >= 0) {
		buf_puts(b, " ");
		esc_printf(b, _("Exits: %lld."), (long long)r->exits);
	}
	buf_printf(b, "</p>\n");
	if (r->entries == 0) {
		buf_printf(b, "<p class=\"empty\">");
		esc_put(b, _("No entries on this day."));
		buf_printf(b, "</p>\n");
	}
}

static void table_row(struct buf *b, const struct row *row, enum snt_lang lang)
{
	char t[16], temp[16];
	const char *dname = snt_decision_name(row->decision);
	bool first = true;

	format_local(row->time_utc_ms, t, sizeof(t), true);
	buf_printf(b, "<tr class=\"row d-%s\"><td>%lld</td><td>", dname, (long long)row->seq);
	esc_put(b, t);
	if (row->clock != SNT_CLOCK_TRUSTED) {
		buf_printf(b, " <code>");
		esc_put(b, snt_clock_state_name(row->clock));
		buf_printf(b, "</code>");
	}
	buf_printf(b, "</td><td>");
	esc_put(b, row->kind == SNT_KIND_STAFF ? _("staff") : _("visitor"));
	if (row->staff[0]) {
		buf_puts(b, " ");
		esc_put(b, row->staff);
	}
	buf_printf(b, "</td><td class=\"subject\">");
	esc_put(b, row->subject[0] ? row->subject : "\xe2\x80\x94");
	if (row->idcard_last4[0]) {
		/* A registered visitor: the ID number's last four beside the masked name. */
		buf_puts(b, " ");
		esc_put(b, row->idcard_last4);
	}
	buf_printf(b, "</td><td>");
	esc_put(b, _(colour_words[row->colour]));
	buf_printf(b, "</td><td>");
	if (row->has_temp)
		format_dc(row->temp_dc, temp, sizeof(temp));
	else
		snt_strlcpy(temp, "\xe2\x80\x94", sizeof(temp));
	esc_put(b, temp);
	if (row->has_measure) {
		char skin[24], amb[24];

		buf_printf(b, "<br><small class=\"measure\">");
		if (row->has_skin) {
			format_mdc(row->skin_mdc, skin, sizeof(skin));
			format_mdc(row->ambient_mdc, amb, sizeof(amb));
			esc_printf(b, P_("skin %s, ambient %s, %lld reading", "skin %s, ambient %s, %lld readings",
					 row->readings), skin, amb,
				   (long long)row->readings);
		} else {
			esc_printf(b, P_("%lld reading", "%lld readings", row->readings), (long long)row->readings);
		}
		if (row->faults > 0) {
			buf_puts(b, "; ");
			esc_printf(b, _("%lld sensor faults"), (long long)row->faults);
		}
		buf_printf(b, "</small>");
	}
	buf_printf(b, "</td><td><code>%s</code> ", dname);
	esc_put(b, _(decision_words[row->decision]));
	buf_printf(b, "</td><td class=\"reasons\">");
	for (int i = 0; i < SNT_REASON_COUNT; i++) {
		const char *code, *text;

		if (!(row->reasons & SNT_REASON_BIT(i)))
			continue;
		code = snt_reason_name((enum snt_reason)i);
		if (!code)
			continue;
		text = snt_reason_text((enum snt_reason)i, lang);
		if (!first)
			buf_printf(b, "<br>");
		first = false;
		buf_printf(b, "<code>");
		esc_put(b, code);
		buf_printf(b, "</code>");
		if (text) {
			buf_puts(b, " ");
			esc_put(b, text);
		}
	}
	buf_printf(b, "</td><td class=\"action\">");
	if (row->has_override) {
		const char *by = row->override_by[0] ? row->override_by : "?";

		if (!strcmp(by, "button"))
			by = _("the staff button");
		if (row->override_original[0])
			esc_printf(b, _("override by %s (was %s)"), by, row->override_original);
		else
			esc_printf(b, _("override by %s"), by);
	}
	buf_printf(b, "</td></tr>\n");
}

static void table(struct buf *b, const struct snt_report *r)
{
	static const char *const heads[] = {
		N_("Seq"), N_("Time"), N_("Kind"), N_("Name"), N_("Colour"), N_("°C"),
		N_("Decision"), N_("Reasons"), N_("Staff action"),
	};

	enum snt_lang lang = page_lang();

	buf_printf(b, "<section class=\"refusals\">\n<h2>");
	esc_put(b, _("Denials, referrals and fevers"));
	buf_printf(b, "</h2>\n");
	if (r->nrows == 0) {
		buf_printf(b, "<p class=\"none\">");
		esc_put(b, _("None."));
		buf_printf(b, "</p>\n</section>\n");
		return;
	}
	buf_printf(b, "<table class=\"refusals\">\n<thead><tr>");
	for (size_t i = 0; i < SNT_ARRAY_SIZE(heads); i++) {
		buf_printf(b, "<th>");
		esc_put(b, _(heads[i]));
		buf_printf(b, "</th>");
	}
	buf_printf(b, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < r->nrows; i++)
		table_row(b, &r->rows[i], lang);
	buf_printf(b, "</tbody>\n</table>\n</section>\n");
}

enum snt_report_err snt_report_render(const struct snt_report *r, char **html, size_t *len)
{
	struct buf b = { 0 };

	if (!r || !html || !len)
		return SNT_REPORT_ERR_INVAL;
	buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"");
	esc_put(&b, _("en"));
	buf_printf(&b, "\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
	esc_printf(&b, _("Gate report for %s"), r->day);
	buf_printf(&b, "</title>\n<style>\n");
	buf_puts(&b, style);
	buf_printf(&b, "</style>\n</head>\n<body>\n");
	header(&b, r);
	summary(&b, r);
	chart_hours(&b, r);
	chart_temps(&b, r);
	chart_decisions(&b, r);
	chart_colours(&b, r);
	table(&b, r);
	buf_printf(&b, "<footer><p class=\"note\">");
	esc_put(&b, _("Made by sentinelctl report from the gate's log. Reason codes are the log's; "
		      "the text beside them explains them."));
	buf_printf(&b, "</p></footer>\n</body>\n</html>\n");
	if (b.oom) {
		free(b.p);
		return SNT_REPORT_ERR_NOMEM;
	}
	*html = b.p;
	*len = b.len;
	return SNT_REPORT_OK;
}

static const char *const err_text[] = {
	[SNT_REPORT_OK] = N_("success"),
	[SNT_REPORT_ERR_INVAL] = N_("invalid argument"),
	[SNT_REPORT_ERR_DATE] = N_("not a valid date (YYYY-MM-DD)"),
	[SNT_REPORT_ERR_TIME] = N_("the day cannot be represented in local time"),
	[SNT_REPORT_ERR_NOMEM] = N_("out of memory"),
};

const char *snt_report_strerror(enum snt_report_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error"));
}
