// SPDX-License-Identifier: MIT
/*
 * The city report (city.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock/clock.h"
#include "tools/bureau/city.h"
#include "common/i18n.h"

/* Chart geometry (px), as the gate's report. */
#define CH_LEFT 48
#define CH_RIGHT 12
#define CH_TOP 24
#define CH_PLOT 160
#define CH_BOTTOM 64

#define FILL_HOURS "#1f77b4"
#define FILL_FEVER "#c0392b"
#define FILL_DENY "#e69500"

static const char style[] =
	"body{font-family:\"Noto Sans CJK SC\",\"Noto Sans SC\",\"Microsoft YaHei\","
	"\"PingFang SC\",sans-serif;color:#111;margin:24px;max-width:1040px}\n"
	"h1{font-size:1.5em;margin:0 0 .4em}\n"
	"h2{font-size:1.1em;margin:1.2em 0 .3em}\n"
	"table{border-collapse:collapse}\n"
	"th,td{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top;font-size:.9em}\n"
	"th{background:#eee}\n"
	"td.n{text-align:right}\n"
	"table.homes{width:100%}\n"
	"tr.warn td{background:#fdecea}\n"
	".chart{display:block;max-width:100%;height:auto}\n"
	"section{break-inside:avoid;page-break-inside:avoid}\n"
	"svg text{font-size:12px;fill:#111}\n"
	".legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}\n"
	"@media print{\n"
	"@page{size:A4;margin:12mm}\n"
	"body{margin:0;max-width:none}\n"
	".chart{width:100%}\n"
	"tr{break-inside:avoid;page-break-inside:avoid}\n"
	"thead{display:table-header-group}\n"
	"}\n";

/* One home's (or the city's) figures. */
struct tally {
	char home[BUREAU_HOME_LEN];
	size_t gates;
	struct bureau_day_counts c;
	int64_t alerts;
	size_t silent;
	char *silent_names;	/* "gate-001, gate-007" (escaped later), or NULL */
};

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				fputs("\xef\xbf\xbd", f);	/* U+FFFD */
			else
				fputc(*s, f);
		}
	}
}

/* Local midnight of @day and of the next day, ms since the epoch (mktime in the process's zone, set by main). */
static int day_bounds(const char *day, int64_t *from, int64_t *to)
{
	struct tm tm, t2;
	int y, m, d;
	char tail;
	time_t a, b;

	if (!day || sscanf(day, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || strlen(day) != 10 || y < 1970 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_isdst = -1;
	t2 = tm;
	a = mktime(&tm);
	if (a == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != m - 1)
		return -1;
	t2.tm_mday = d + 1;
	t2.tm_isdst = -1;
	b = mktime(&t2);
	if (b == (time_t)-1)
		return -1;
	*from = (int64_t)a * 1000;
	*to = (int64_t)b * 1000;
	return 0;
}

static void add_counts(struct bureau_day_counts *to, const struct bureau_day_counts *c)
{
	to->entries += c->entries;
	to->denials += c->denials;
	to->referrals += c->referrals;
	to->fevers += c->fevers;
	to->staff_overdue += c->staff_overdue;
	for (int h = 0; h < 24; h++)
		to->hours[h] += c->hours[h];
}

static int append_name(char **list, const char *name)
{
	size_t old = *list ? strlen(*list) : 0;
	char *p = realloc(*list, old + strlen(name) + 3);

	if (!p)
		return -1;
	if (old)
		memcpy(p + old, ", ", 2), old += 2;
	strcpy(p + old, name);
	*list = p;
	return 0;
}

static void bar(FILE *f, const char *key, int64_t count, int x, int w, int64_t max, const char *fill)
{
	int base = CH_TOP + CH_PLOT, bh = 0;

	if (max > 0 && count > 0) {
		bh = (int)((count * CH_PLOT * 2 + max) / (2 * max));
		if (bh < 1)
			bh = 1;
	}
	fputs("<rect class=\"bar\" data-key=\"", f);
	esc(f, key);
	fprintf(f, "\" data-count=\"%" PRId64 "\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n", count,
		x, base - bh, w, bh, fill);
	if (count > 0)
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%" PRId64 "</text>\n", x + w / 2,
			base - bh - 4, count);
}

static void axes(FILE *f, int w, int64_t max)
{
	int base = CH_TOP + CH_PLOT;

	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#111\"/>\n", CH_LEFT, CH_TOP, CH_LEFT, base);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#111\"/>\n", CH_LEFT, base, w - CH_RIGHT,
		base);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", CH_LEFT - 6, base + 4);
	if (max > 0)
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%" PRId64 "</text>\n", CH_LEFT - 6, CH_TOP + 4,
			max);
}

static void chart_hours(FILE *f, const struct bureau_day_counts *c)
{
	int bw = 40, w = CH_LEFT + 24 * bw + CH_RIGHT, h = CH_TOP + CH_PLOT + CH_BOTTOM;
	int64_t max = 0;

	for (int i = 0; i < 24; i++)
		max = c->hours[i] > max ? c->hours[i] : max;
	fprintf(f, "<section>\n<h2>每小时入口记录 Entries per hour</h2>\n"
		   "<svg class=\"chart\" id=\"chart-hours\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "role=\"img\" aria-label=\"Entries per hour\">\n", w, h, w, h);
	axes(f, w, max);
	for (int i = 0; i < 24; i++) {
		char key[12];

		snprintf(key, sizeof(key), "%02d", i);
		bar(f, key, c->hours[i], CH_LEFT + i * bw + 3, bw - 6, max, FILL_HOURS);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", CH_LEFT + i * bw + bw / 2,
			CH_TOP + CH_PLOT + 16, i);
	}
	fputs("</svg>\n</section>\n", f);
}

static void chart_homes(FILE *f, const struct tally *t, size_t n)
{
	int gw = n > 24 ? 24 : n > 12 ? 40 : 72;	/* width of one home's pair of bars */
	int pad = 48;					/* room for the first slanted name */
	int w = CH_LEFT + pad + (int)n * gw + CH_RIGHT, h = CH_TOP + CH_PLOT + CH_BOTTOM;
	int64_t max = 0;

	if (w < 400)
		w = 400;
	for (size_t i = 0; i < n; i++) {
		max = t[i].c.fevers > max ? t[i].c.fevers : max;
		max = t[i].c.denials > max ? t[i].c.denials : max;
	}
	fprintf(f, "<section>\n<h2>各院体温异常与拒绝入内 Fevers and denials per home</h2>\n"
		   "<p class=\"legend\"><span style=\"background:%s\"></span>体温异常 fevers"
		   "<span style=\"background:%s\"></span>拒绝入内 denials</p>\n"
		   "<svg class=\"chart\" id=\"chart-homes\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "role=\"img\" aria-label=\"Fevers and denials per home\">\n", FILL_FEVER, FILL_DENY, w, h, w, h);
	axes(f, w, max);
	for (size_t i = 0; i < n; i++) {
		int x = CH_LEFT + pad + (int)i * gw, bw = gw / 2 - 2;
		char key[BUREAU_HOME_LEN + 16];

		snprintf(key, sizeof(key), "%s/fevers", t[i].home);
		bar(f, key, t[i].c.fevers, x + 2, bw, max, FILL_FEVER);
		snprintf(key, sizeof(key), "%s/denials", t[i].home);
		bar(f, key, t[i].c.denials, x + 2 + bw, bw, max, FILL_DENY);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" transform=\"rotate(-35 %d %d)\">",
			x + gw / 2, CH_TOP + CH_PLOT + 14, x + gw / 2, CH_TOP + CH_PLOT + 14);
		esc(f, t[i].home);
		fputs("</text>\n", f);
	}
	fputs("</svg>\n</section>\n", f);
}

static void row(FILE *f, const struct tally *t, bool home)
{
	bool warn = t->c.fevers || t->silent || t->alerts || t->c.staff_overdue;

	if (home) {
		/* i18n-exempt: a CSS class name */
		fprintf(f, "<tr class=\"home%s\" data-home=\"", warn ? " warn" : "");
		esc(f, t->home);
		fputs("\"><td>", f);
		esc(f, t->home);
		fputs("</td>", f);
	} else {
		fputs("<tr class=\"city\"><th>全市 City</th>", f);
	}
	fprintf(f, "<td class=\"n\">%zu</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%" PRId64
		   "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%" PRId64
		   "</td><td class=\"n\">%zu</td><td class=\"n\">%" PRId64 "</td>",
		t->gates, t->c.entries, t->c.fevers, t->c.denials, t->c.referrals, t->c.staff_overdue, t->silent,
		t->alerts);
	if (home) {
		fputs("<td>", f);
		esc(f, t->silent_names ? t->silent_names : "");
		fputs("</td>", f);
	}
	fputs("</tr>\n", f);
}

static const char thead[] =
	"<thead><tr><th>%s</th><th>闸机 gates</th><th>入口记录 entries</th><th>体温异常 fevers</th>"
	"<th>拒绝入内 denials</th><th>转人工 referrals</th><th>核酸检测超期 staff test overdue</th>"
	"<th>离线超一天 silent &gt; 1 day</th><th>未处理警报 open alerts</th>%s</tr></thead>\n";

static int tally_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tally *)a)->home, ((const struct tally *)b)->home);
}

enum bureau_err bureau_city_report(struct bureau_db *db, const char *day, int64_t now_ms, char **html, size_t *len,
				   char *why, size_t n)
{
	struct bureau_gate_day *gates = NULL;
	struct bureau_alert *alerts = NULL;
	struct tally *homes = NULL, city;
	size_t count = 0, nalerts = 0, nhomes = 0;
	int64_t from, to;
	enum bureau_err err;
	char made[40], tz[64] = "";
	FILE *f = NULL;
	char *buf = NULL;
	size_t size = 0;

	memset(&city, 0, sizeof(city));
	if (day_bounds(day, &from, &to)) {
		snprintf(why, n, _("--day: '%s' is not a valid YYYY-MM-DD date"), day ? day : "");
		return BUREAU_ERR_INVAL;
	}
	err = bureau_db_city_day(db, from, to, &gates, &count, why, n);
	if (!err)
		err = bureau_db_alerts(db, &alerts, &nalerts, why, n);
	if (err)
		goto out;
	homes = calloc(count ? count : 1, sizeof(*homes));
	if (!homes) {
		err = BUREAU_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		const struct bureau_gate_day *g = &gates[i];
		struct tally *t = NULL;
		const char *home = g->home[0] ? g->home : g->device;
		bool silent;

		for (size_t k = 0; k < nhomes && !t; k++)
			if (!strcmp(homes[k].home, home))
				t = &homes[k];
		if (!t) {
			t = &homes[nhomes++];
			snt_strlcpy(t->home, home, sizeof(t->home));
		}
		t->gates++;
		city.gates++;
		add_counts(&t->c, &g->c);
		add_counts(&city.c, &g->c);
		for (size_t k = 0; k < nalerts; k++)
			if (!strcmp(alerts[k].device, g->device))
				t->alerts++, city.alerts++;
		silent = g->revoked_utc_ms > 0 || g->last_contact_utc_ms <= 0 ||
			 now_ms - g->last_contact_utc_ms > BUREAU_CITY_SILENT_MS;
		if (silent) {
			t->silent++;
			city.silent++;
			if (append_name(&t->silent_names, g->device)) {
				err = BUREAU_ERR_NOMEM;
				goto out;
			}
		}
	}
	if (nhomes > 1)
		qsort(homes, nhomes, sizeof(*homes), tally_cmp);
	f = open_memstream(&buf, &size);
	if (!f) {
		err = BUREAU_ERR_NOMEM;
		goto out;
	}
	if (snt_clock_format_rfc3339(now_ms, made, sizeof(made)) != 0)
		snt_strlcpy(made, "-", sizeof(made));
	{
		time_t a = (time_t)(from / 1000);
		struct tm tm;

		if (localtime_r(&a, &tm))
			strftime(tz, sizeof(tz), "%Z (UTC%z)", &tm);
	}
	fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
	fputs("全市日报 City report ", f);
	esc(f, day);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>全市养老机构入口日报 "
		   "City report of the homes' gates</h1>\n<table class=\"meta\">\n", style);
	fputs("<tr><th>日期 Day</th><td>", f);
	esc(f, day);
	fputs(" ", f);
	esc(f, tz);
	fprintf(f, "</td></tr>\n<tr><th>机构 Homes</th><td>%zu</td></tr>\n<tr><th>闸机 Gates</th><td>%zu</td></tr>\n"
		   "<tr><th>生成时间 Made</th><td>%s</td></tr>\n</table>\n</header>\n", nhomes, city.gates, made);
	fputs("<section>\n<h2>全市合计 City totals</h2>\n<table class=\"totals\">\n", f);
	fprintf(f, thead, "", "");
	fputs("<tbody>\n", f);
	row(f, &city, false);
	fputs("</tbody>\n</table>\n</section>\n", f);
	chart_hours(f, &city.c);
	chart_homes(f, homes, nhomes);
	fputs("<section>\n<h2>各院 Per home</h2>\n<table class=\"homes\">\n", f);
	fprintf(f, thead, "机构 home", "<th>离线闸机 silent gates</th>");
	fputs("<tbody>\n", f);
	for (size_t i = 0; i < nhomes; i++)
		row(f, &homes[i], true);
	if (nhomes == 0)
		fputs("<tr><td colspan=\"10\">没有登记的闸机 no gates registered</td></tr>\n", f);
	fputs("</tbody>\n</table>\n</section>\n</body>\n</html>\n", f);
	if (fclose(f) != 0) {
		f = NULL;
		err = BUREAU_ERR_NOMEM;
		goto out;
	}
	f = NULL;
	*html = buf;
	*len = size;
	buf = NULL;
out:
	if (f)
		fclose(f);
	free(buf);
	for (size_t i = 0; i < nhomes; i++)
		free(homes[i].silent_names);
	free(homes);
	free(alerts);
	free(gates);
	return err;
}
