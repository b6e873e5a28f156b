// SPDX-License-Identifier: MIT
/* Shared parts of the review commands; see review_cli.h. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "config/config.h"
#include "review/review.h"
#include "tools/common.h"
#include "common/i18n.h"
#include "tools/review_cli.h"

#define TIME_LEN 32

/* Table layout: every column fixed but the last; reasons wrap within 80. */
#define TABLE_WIDTH 80
#define SUBJECT_COLS 12
#define REASONS_COL 57	/* 7+1+1 + 8+1+1 + 7+1 + 4+1 + 6+1 + 4+1 + 12+1 */

const char rv_filter_help[] =
	N_("  --since T          entries at or after T\n"
	"  --until T          entries before T (a day alone: through its end)\n"
	"  --day D            entries of the local day D (YYYY-MM-DD)\n"
	"  --decision LIST    admit, deny, refer (comma-separated)\n"
	"  --fever            entries with the reason fever\n"
	"  --colour LIST      green, yellow, red, black, unknown (comma-separated)\n"
	"  --staff            staff only\n"
	"  --visitors         visitors only\n"
	"  --limit N          at most N entries\n"
	"  T is a local day YYYY-MM-DD, a local time YYYY-MM-DD HH:MM[:SS] (time\n"
	"  zone from TZ), or RFC 3339 with Z or an offset (2026-11-29T08:00:00+08:00).\n"
	"  Times are the ones the gate recorded.\n");

/* Each name of comma-separated @arg through @parse into bits of @mask. */
static int parse_list(const char *cmd, const char *opt, const char *arg,
		      int (*parse)(const char *name, unsigned *bit), unsigned *mask)
{
	char buf[128];
	char *save = NULL, *tok;

	if (snt_strlcpy(buf, arg, sizeof(buf)) >= sizeof(buf) || !*arg) {
		ctl_err(cmd, _("%s: '%s' is not a valid list."), opt, arg);
		return -1;
	}
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned bit;

		if (parse(tok, &bit) != 0) {
			ctl_err(cmd, _("%s: unknown value '%s'."), opt, tok);
			return -1;
		}
		*mask |= bit;
	}
	return 0;
}

static int parse_decision(const char *name, unsigned *bit)
{
	enum snt_decision d;

	if (snt_decision_from_name(name, &d) != 0)
		return -1;
	*bit = 1u << d;
	return 0;
}

static int parse_colour(const char *name, unsigned *bit)
{
	enum snt_colour c;

	if (snt_colour_from_name(name, &c) != 0)
		return -1;
	*bit = 1u << c;
	return 0;
}

static int parse_bound(const char *cmd, const char *opt, const char *arg,
		       enum snt_review_bound bound, int64_t *out)
{
	enum snt_review_err err = snt_review_parse_time(arg, bound, out);

	if (err) {
		ctl_err(cmd, _("%s: '%s': %s."), opt, arg, snt_review_strerror(err));
		return -1;
	}
	return 0;
}

int rv_filter_option(const char *cmd, int c, const char *arg, struct snt_store_query *q)
{
	enum snt_review_err err;
	char *end;
	long long n;

	switch (c) {
	case RV_OPT_SINCE:
		return parse_bound(cmd, "--since", arg, SNT_REVIEW_SINCE, &q->since_utc_ms) ? -1 : 1;
	case RV_OPT_UNTIL:
		return parse_bound(cmd, "--until", arg, SNT_REVIEW_UNTIL, &q->until_utc_ms) ? -1 : 1;
	case RV_OPT_DAY:
		err = snt_review_parse_day(arg, &q->since_utc_ms, &q->until_utc_ms);
		if (err) {
			ctl_err(cmd, _("--day: '%s': %s."), arg,
				err == SNT_REVIEW_ERR_SYNTAX ? _("not a day (YYYY-MM-DD)")
							     : snt_review_strerror(err));
			return -1;
		}
		return 1;
	case RV_OPT_DECISION:
		return parse_list(cmd, "--decision", arg, parse_decision, &q->decisions) ? -1 : 1;
	case RV_OPT_COLOUR:
		return parse_list(cmd, "--colour", arg, parse_colour, &q->colours) ? -1 : 1;
	case RV_OPT_FEVER:
		q->fever_only = true;
		return 1;
	case RV_OPT_STAFF:
		q->kinds |= 1u << SNT_KIND_STAFF;
		return 1;
	case RV_OPT_VISITORS:
		q->kinds |= 1u << SNT_KIND_VISITOR;
		return 1;
	case RV_OPT_LIMIT:
		errno = 0;
		n = strtoll(arg, &end, 10);
		if (errno || end == arg || *end || n < 1) {
			ctl_err(cmd, _("--limit: '%s' is not a positive whole number."), arg);
			return -1;
		}
		q->limit = n;
		return 1;
	default:
		return 0;
	}
}

int rv_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
	      struct rv_source *src)
{
	int c;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) == RV_OPT_DB || c == 'c') {
		if (c == RV_OPT_DB)
			src->db = optarg;
		else
			src->config = optarg;
	}
	return c;
}

int rv_getopt_other(const char *cmd, int c, char **argv, struct snt_store_query *q, void (*usage)(FILE *f))
{
	int r = rv_filter_option(cmd, c, optarg, q);

	if (r)
		return r < 0 ? -1 : 0;
	return ctl_getopt_other(cmd, c, argv, usage);
}

int rv_filter_check(const char *cmd, const struct snt_store_query *q)
{
	if (q->since_utc_ms && q->until_utc_ms && q->since_utc_ms >= q->until_utc_ms) {
		ctl_err(cmd, _("the period is empty: --since is not before --until."));
		return -1;
	}
	return 0;
}

const char *rv_db_path(const char *cmd, const struct rv_source *src, char *buf, size_t size)
{
	struct snt_config *sc;

	if (src->db) {
		if (!*src->db) {
			ctl_err(cmd, _("--db needs a path."));
			return NULL;
		}
		return src->db;
	}
	if (!src->config)
		return ctl_db_path(NULL);
	sc = malloc(sizeof(*sc));
	if (!sc) {
		ctl_err(cmd, _("out of memory"));
		return NULL;
	}
	if (ctl_config_load(cmd, src->config, sc)) {
		free(sc);
		return NULL;
	}
	if (snt_strlcpy(buf, sc->db, size) >= size) {
		ctl_err(cmd, _("%s: [station] db is too long."), src->config);
		free(sc);
		return NULL;
	}
	free(sc);
	return buf;
}

const char *rv_db_open(const char *cmd, const struct rv_source *src, bool write, char *buf, size_t size,
		       struct snt_store **st)
{
	const char *db = rv_db_path(cmd, src, buf, size);

	return db && !rv_open(cmd, db, write, st) ? db : NULL;
}

int rv_open(const char *cmd, const char *path, bool write, struct snt_store **st)
{
	enum snt_store_err err;

	/*
	 * sentinelctl is single-threaded: SQLite's multi-thread mode drops the
	 * per-call connection mutex (about a fifth of the instructions of a
	 * listing) and memory statistics.  Only possible before SQLite is first
	 * used in the process; later calls return SQLITE_MISUSE and change
	 * nothing, which is harmless.
	 */
	(void)sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);

	/* A writable open would create a missing file. */
	if (write && access(path, F_OK) != 0) {
		ctl_store_open_error(cmd, path, SNT_STORE_ERR_OPEN);
		return -1;
	}
	if (ctl_db_companions(cmd, path))
		return -1;
	err = snt_store_open(path, !write, st);
	if (err == SNT_STORE_OK)
		return 0;
	if (err == SNT_STORE_ERR_CORRUPT)
		ctl_err(cmd,
			_("cannot open %s: the log is damaged (%s); run 'sentinelctl verify-log --db %s' to find where."),
			path, snt_store_strerror(err), path);
	else
		ctl_store_open_error(cmd, path, err);
	return -1;
}

void rv_read_error(const char *cmd, const char *path, struct snt_store *st,
		   enum snt_store_err err, int64_t last)
{
	if (err == SNT_STORE_ERR_CORRUPT && last == 0)
		ctl_err(cmd,
			_("%s: the log is damaged (%s); run 'sentinelctl verify-log --db %s' to find where."),
			path, snt_store_errmsg(st), path);
	else if (err == SNT_STORE_ERR_CORRUPT)
		ctl_err(cmd,
			_("%s: the log is damaged after seq %lld (%s); run 'sentinelctl verify-log --db %s' to find where."),
			path, (long long)last, snt_store_errmsg(st), path);
	else
		ctl_err(cmd, _("%s: cannot read the entry after seq %lld: %s: %s"), path, (long long)last,
			snt_store_strerror(err), snt_store_errmsg(st));
}

void rv_format_temp(int dc, char *buf, size_t size)
{
	long long v = dc;
	long long a = v < 0 ? -v : v;
	char num[24], *p = num + sizeof(num);

	/* "%s%lld.%lld" without printf: every row of a listing has one. */
	*--p = '\0';
	*--p = (char)('0' + a % 10);
	*--p = '.';
	a /= 10;
	do {
		*--p = (char)('0' + a % 10);
		a /= 10;
	} while (a);
	if (v < 0)
		*--p = '-';
	snt_strlcpy(buf, p, size);
}

void rv_local_time(int64_t utc_ms, char *buf, size_t size)
{
	if (snt_review_format_local(utc_ms, buf, size) != SNT_REVIEW_OK)
		snt_strlcpy(buf, "?", size);
}

void rv_table_init(struct rv_table *t)
{
	memset(t, 0, sizeof(*t));
	t->use_locale = snt_review_locale_utf8();
}

void rv_table_header(FILE *f)
{
	static const struct {
		const char *label;
		int cols;
		bool right;
	} col[] = {
		/* TRANSLATORS: the entries table's headers: at most 7, 9, 7, 4, 6 and 4 columns wide. */
		{ N_("seq"), 7, true }, { N_("time"), 9, false }, { N_("colour"), 7, false },
		{ N_("temp"), 4, true }, { N_("result"), 6, false }, { N_("door"), 4, false },
		{ N_("subject"), SUBJECT_COLS, false },
	};

	for (size_t i = 0; i < SNT_ARRAY_SIZE(col); i++) {
		ctl_pad(f, _(col[i].label), col[i].cols, col[i].right);
		fputs(i ? " " : "  ", f);	/* two spaces after seq */
	}
	fprintf(f, "%s\n", _("reasons"));
}

/*
 * Reasons from column REASONS_COL, comma-joined; a name that does not fit
 * starts an indented continuation line (no comma at the break).  An
 * override reason is followed by " by @by" when @by is not "" and that
 * fits the column.
 */
static void print_reasons(FILE *f, snt_reasons_t set, const char *by, const char *const extra[3])
{
	const int width = TABLE_WIDTH - REASONS_COL;
	int used = 0;

	for (int r = 0; r < SNT_REASON_COUNT; r++) {
		const char *name;
		bool with_by;
		int len;

		if (!(set & SNT_REASON_BIT(r)))
			continue;
		name = snt_reason_name((enum snt_reason)r);
		if (!name)
			continue;
		len = (int)strlen(name);
		with_by = by[0] &&
			  (r == SNT_REASON_OVERRIDE_ADMIT || r == SNT_REASON_OVERRIDE_DENY) &&
			  len + 4 + (int)strlen(by) <= width;
		if (with_by)
			len += 4 + (int)strlen(by);
		if (used > 0 && used + 1 + len > width) {
			fprintf(f, "\n%*s", REASONS_COL, "");
			used = 0;
		} else if (used > 0) {
			fputc(',', f);
			used++;
		}
		fputs(name, f);
		if (with_by) {
			/* i18n-exempt: part of a reason as stored (override-admit by REF), its width counted */
			fputs(" by ", f);
			fputs(by, f);
		}
		used += len;
	}
	if (set == 0) {
		fputc('-', f);
		used = 1;
	}
	/* Then who: "staff S001", "pass P-7", "born 1949" (wrapped like the reasons). */
	for (int i = 0; i < 3; i++) {
		int len = extra[i] ? (int)strlen(extra[i]) : 0;

		if (!len)
			continue;
		if (used + 1 + len > width) {
			fprintf(f, "\n%*s", REASONS_COL, "");
			used = 0;
		} else {
			fputc(' ', f);
			used++;
		}
		fputs(extra[i], f);
		used += len;
	}
	fputc('\n', f);
}

/* Whether @s is 1-32 printable ASCII characters without spaces (a pass id): safe to print as it is. */
static bool token_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

/* Whether @s is a staff reference (1-32 of [A-Za-z0-9-]) or "button": safe to print as it is. */
static bool override_by_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
	}
	return true;
}

/* One table line under construction (no printf per field: a day has 10,000 rows). */
struct line {
	char buf[4 * TABLE_WIDTH + 64];
	size_t n;
};

/* @s (ASCII) padded with spaces to @width columns, on the left when @right. */
static void put_field(struct line *l, const char *s, int width, bool right)
{
	size_t len = strlen(s);
	int pad = width > (int)len ? width - (int)len : 0;

	if (len + (size_t)pad + 1 > sizeof(l->buf) - l->n)
		return;
	if (right) {
		memset(l->buf + l->n, ' ', (size_t)pad);
		l->n += (size_t)pad;
	}
	memcpy(l->buf + l->n, s, len);
	l->n += len;
	if (!right) {
		memset(l->buf + l->n, ' ', (size_t)pad);
		l->n += (size_t)pad;
	}
}

static void put_char(struct line *l, char c)
{
	if (l->n + 1 < sizeof(l->buf))
		l->buf[l->n++] = c;
}

/* @v in decimal, as "%lld" (buf of 24). */
static const char *decimal(long long v, char *buf)
{
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	char *p = buf + 23;

	*p = '\0';
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return p;
}

void rv_table_row(FILE *f, struct rv_table *t, const struct snt_entry *e)
{
	char day[11], hms[9], temp[16], num[24], subj[4 * SUBJECT_COLS + 1], who[SNT_SUBJECT_LEN + 8];
	struct snt_review_detail *d = NULL;
	struct snt_review_when w;
	struct line l = { .n = 0 };
	char born[32] = "";
	int w_subj = 0;

	/* The detail record is parsed only when it may name an override, a staff member, a pass or a card. */
	if (e->detail[0] && ((e->reasons & (SNT_REASON_BIT(SNT_REASON_OVERRIDE_ADMIT) |
					    SNT_REASON_BIT(SNT_REASON_OVERRIDE_DENY))) ||
			     strstr(e->detail, "\"staff\"") || strstr(e->detail, "\"pass\"") ||
			     strstr(e->detail, "\"idcard\""))) {
		d = malloc(sizeof(*d));
		if (d)
			snt_review_detail_read(e->detail, d);
	}
	/* A registered visitor: the masked name and the ID number's last four ("张* 002X"). */
	if (d && d->idcard_last4[0])
		snprintf(who, sizeof(who), "%s%s%s", e->subject, e->subject[0] ? " " : "", d->idcard_last4);
	else
		snt_strlcpy(who, e->subject, sizeof(who));

	if (snt_review_hour_get(&t->hc, e->time_utc_ms, &w) == SNT_REVIEW_OK) {
		snt_review_when_text(&w, day, hms);
	} else {
		snt_strlcpy(day, "?", sizeof(day));
		snt_strlcpy(hms, "       ?", sizeof(hms));
	}
	if (strcmp(t->day, day) != 0) {
		snt_strlcpy(t->day, day, sizeof(t->day));
		fputs(t->day, f);
		fputc('\n', f);
	}
	if (e->has_temp)
		rv_format_temp(e->temp_dc, temp, sizeof(temp));
	else
		snt_strlcpy(temp, "-", sizeof(temp));
	if (snt_review_fit(who, SUBJECT_COLS, t->use_locale, subj, sizeof(subj), &w_subj)) {
		snt_strlcpy(subj, "?", sizeof(subj));
		w_subj = 1;
	}
	/* "%7lld%c %s%c %-7s %4s %-6s %-4s " + subject padded to its columns. */
	put_field(&l, decimal(e->seq, num), 7, true);
	put_char(&l, e->kind == SNT_KIND_STAFF ? '*' : ' ');	/* staff marked on the seq */
	put_char(&l, ' ');
	put_field(&l, hms, 8, false);
	/* The clock's state on the time. */
	put_char(&l, e->clock == SNT_CLOCK_UNTRUSTED ? '?' : e->clock == SNT_CLOCK_REBASED ? '~' : ' ');
	put_char(&l, ' ');
	put_field(&l, snt_colour_name(e->colour), 7, false);
	put_char(&l, ' ');
	put_field(&l, temp, 4, true);
	put_char(&l, ' ');
	put_field(&l, snt_decision_name(e->decision), 6, false);
	put_char(&l, ' ');
	put_field(&l, e->door == SNT_DOOR_OPENED ? "open" : "shut", 4, false);
	put_char(&l, ' ');
	put_field(&l, subj, 0, false);
	for (int i = w_subj; i < SUBJECT_COLS; i++)
		put_char(&l, ' ');
	put_char(&l, ' ');
	fwrite(l.buf, 1, l.n, f);
	/* The birth year an age rule kept (entry.h), after who the entry names. */
	if (e->birth_year) {
		/* TRANSLATORS: the entries table: the visitor's birth year (an age rule), e.g. "born 1949". */
		snprintf(born, sizeof(born), _("born %d"), (int)e->birth_year);
	}
	if (d) {
		char staff[8 + SNT_REVIEW_DETAIL_TEXT], pass[8 + SNT_REVIEW_DETAIL_TEXT];
		const char *extra[3] = { NULL, NULL, born[0] ? born : NULL };

		if (e->kind == SNT_KIND_STAFF && token_ok(d->staff)) {
			snprintf(staff, sizeof(staff), "staff %s", d->staff);
			extra[0] = staff;
		}
		if (token_ok(d->pass)) {
			snprintf(pass, sizeof(pass), "pass %s", d->pass);
			extra[1] = pass;
		}
		print_reasons(f, e->reasons, override_by_ok(d->override_by) ? d->override_by : "", extra);
		free(d);
	} else {
		const char *const none[3] = { NULL, NULL, born[0] ? born : NULL };

		print_reasons(f, e->reasons, "", none);
	}
	t->rows++;
}

void rv_table_footer(FILE *f, const struct rv_table *t)
{
	if (t->rows == 0)
		fprintf(f, _("No entries.\n"));
	else if (t->rows == 1)
		fprintf(f, _("1 entry.\n"));
	else
		fprintf(f, P_("%lld entry.\n", "%lld entries.\n", t->rows), (long long)t->rows);
}

/* Append the JSON literal of @v to @buf at *@o.  Return: 0; -1 (invalid UTF-8, no room). */
static int json_put(char *buf, size_t size, size_t *o, const char *v)
{
	int n;

	if (!v)
		return -1;
	n = snt_review_json_string(v, buf + *o, size - *o);
	if (n < 0)
		return -1;
	*o += (size_t)n;
	return 0;
}

/* Append raw ASCII @t. */
static int raw_put(char *buf, size_t size, size_t *o, const char *t)
{
	size_t n = strlen(t);

	if (*o + n + 1 > size)
		return -1;
	memcpy(buf + *o, t, n + 1);
	*o += n;
	return 0;
}

/*
 * Append the detail record @d: as it is when it is one JSON object on one
 * line (what sentineld writes: jansson's compact form); otherwise (a log
 * changed outside the store) parsed and written again in that compact form,
 * so a line stays one JSON object.  Return: 0; -1 when it does not parse
 * or there is no room.
 */
static int detail_put(char *buf, size_t size, size_t *o, const char *d)
{
	char *text;
	json_t *j;
	int rc;

	if (snt_review_json_object_ok(d))
		return raw_put(buf, size, o, d);
	j = json_loads(d, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return -1;
	}
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!text)
		return -1;
	rc = snt_review_json_object_ok(text) ? raw_put(buf, size, o, text) : -1;
	free(text);
	return rc;
}

/* The enum fields @from..@to of @e as JSON members ', "<column>": "<name>"' (keys and names: entry.h). */
static int enum_put(char *buf, size_t size, size_t *o, const struct snt_entry *e, enum snt_entry_enum from,
		    enum snt_entry_enum to)
{
	const char *v;
	int rc = 0;

	for (int f = from; f <= (int)to; f++) {
		rc |= raw_put(buf, size, o, ", \"");
		rc |= raw_put(buf, size, o, snt_entry_enum_column((enum snt_entry_enum)f));
		rc |= raw_put(buf, size, o, "\": ");
		v = snt_entry_enum_value(e, (enum snt_entry_enum)f);
		rc |= v ? json_put(buf, size, o, v) : -1;
	}
	return rc;
}

/*
 * One JSON line with the fields of interfaces.md in that order, then (with
 * @detail) the entry's detail record as "detail" when it has one, written by
 * hand (jansson costs several allocations per row: an export of 1,000,000
 * entries took 17 s): byte for byte what json_dumpf() with
 * JSON_REAL_PRECISION(15) gave, string escaping included
 * (snt_review_json_string(), tested against jansson).
 */
int rv_json_row(FILE *f, const struct snt_entry *e, bool detail)
{
	char buf[4 * SNT_DETAIL_LEN], t[TIME_LEN], num[24], temp[16];
	size_t o = 0;
	int rc = 0;
	bool first = true;

	rc |= raw_put(buf, sizeof(buf), &o, "{\"seq\": ");
	rc |= raw_put(buf, sizeof(buf), &o, decimal(e->seq, num));
	rc |= raw_put(buf, sizeof(buf), &o, ", \"time\": ");
	if (snt_clock_format_rfc3339(e->time_utc_ms, t, sizeof(t)) == 0)
		rc |= json_put(buf, sizeof(buf), &o, t);
	else
		rc |= raw_put(buf, sizeof(buf), &o, "null");
	rc |= enum_put(buf, sizeof(buf), &o, e, SNT_ENTRY_ENUM_CLOCK, SNT_ENTRY_ENUM_VERIFIED);
	/* Exact tenths, as jansson's %.15g with ".0" added: 365 -> 36.5, 370 -> 37.0. */
	rc |= raw_put(buf, sizeof(buf), &o, ", \"temp_c\": ");
	if (e->has_temp) {
		rv_format_temp(e->temp_dc, temp, sizeof(temp));
		rc |= raw_put(buf, sizeof(buf), &o, temp);
	} else {
		rc |= raw_put(buf, sizeof(buf), &o, "null");
	}
	rc |= enum_put(buf, sizeof(buf), &o, e, SNT_ENTRY_ENUM_DECISION, SNT_ENTRY_ENUM_DECISION);
	rc |= raw_put(buf, sizeof(buf), &o, ", \"reasons\": [");
	for (int r = 0; r < SNT_REASON_COUNT; r++) {
		if (!(e->reasons & SNT_REASON_BIT(r)))
			continue;
		if (!first)
			rc |= raw_put(buf, sizeof(buf), &o, ", ");
		rc |= json_put(buf, sizeof(buf), &o, snt_reason_name((enum snt_reason)r));
		first = false;
	}
	rc |= raw_put(buf, sizeof(buf), &o, "]");
	rc |= enum_put(buf, sizeof(buf), &o, e, SNT_ENTRY_ENUM_DOOR, SNT_ENTRY_ENUM_DOOR);
	if (e->subject[0]) {
		rc |= raw_put(buf, sizeof(buf), &o, ", \"subject\": ");
		rc |= json_put(buf, sizeof(buf), &o, e->subject);
	}
	if (strstr(e->detail, "\"idcard\"")) {
		/* Added after the keys of interfaces.md: the ID number's last four (absent when none). */
		struct snt_review_detail *d = malloc(sizeof(*d));

		if (!d)
			return -1;
		snt_review_detail_read(e->detail, d);
		if (d->idcard_last4[0]) {
			rc |= raw_put(buf, sizeof(buf), &o, ", \"idcard_last4\": ");
			rc |= json_put(buf, sizeof(buf), &o, d->idcard_last4);
		}
		free(d);
	}
	/* Only an entry that keeps a birth year (an age rule) has the key. */
	if (e->birth_year) {
		rc |= raw_put(buf, sizeof(buf), &o, ", \"birth_year\": ");
		rc |= raw_put(buf, sizeof(buf), &o, decimal(e->birth_year, num));
	}
	if (detail && e->detail[0]) {
		rc |= raw_put(buf, sizeof(buf), &o, ", \"detail\": ");
		rc |= detail_put(buf, sizeof(buf), &o, e->detail);
	}
	rc |= raw_put(buf, sizeof(buf), &o, "}\n");
	if (rc)
		return -1;
	fwrite(buf, 1, o, f);
	return 0;
}

/* One CSV field, then @sep (',' or '\n' for CRLF). */
static int csv_put(FILE *f, const char *s, bool text, char sep)
{
	char buf[4 * SNT_DETAIL_LEN];
	size_t n = snt_review_csv_cell(s, text, buf, sizeof(buf));

	if (n >= sizeof(buf))
		return -1;
	fwrite(buf, 1, n, f);
	if (sep == '\n')
		fputs("\r\n", f);
	else
		fputc(sep, f);
	return 0;
}

/* The enum field @c of @e as a CSV cell (names: entry.h); -1 for a value out of range. */
static int csv_enum(FILE *f, const struct snt_entry *e, enum snt_entry_enum c)
{
	const char *v = snt_entry_enum_value(e, c);

	return v ? csv_put(f, v, false, ',') : -1;
}

int rv_csv_header(FILE *f)
{
	/* i18n-exempt: the CSV header (interfaces.md) */
	fputs("seq,time,time_utc", f);
	for (int c = SNT_ENTRY_ENUM_CLOCK; c <= SNT_ENTRY_ENUM_VERIFIED; c++)
		fprintf(f, ",%s", snt_entry_enum_column((enum snt_entry_enum)c));
	/* i18n-exempt: the CSV header */
	fprintf(f, ",temp_c,%s,reasons,%s", snt_entry_enum_column(SNT_ENTRY_ENUM_DECISION),
		snt_entry_enum_column(SNT_ENTRY_ENUM_DOOR));
	/* i18n-exempt: the CSV header */
	fputs(",subject,staff,override_by,override_original,pass,idcard_last4,birth_year\r\n", f);
	return 0;
}

int rv_csv_row(FILE *f, struct snt_review_hour *hc, const struct snt_entry *e)
{
	char seq[24], lt[SNT_REVIEW_LOCAL_LEN], ut[TIME_LEN], temp[16], reasons[512], born[16] = "";
	struct snt_review_when w;
	int rc = 0;

	snprintf(seq, sizeof(seq), "%lld", (long long)e->seq);
	if (snt_review_hour_get(hc, e->time_utc_ms, &w) == SNT_REVIEW_OK && w.year >= 0 &&
	    w.year <= 9999) {
		snt_review_when_text(&w, lt, lt + 11);
		lt[10] = ' ';
	} else {
		lt[0] = '\0';
	}
	if (snt_clock_format_rfc3339(e->time_utc_ms, ut, sizeof(ut)) != 0)
		snt_strlcpy(ut, "", sizeof(ut));
	if (e->has_temp)
		rv_format_temp(e->temp_dc, temp, sizeof(temp));
	else
		temp[0] = '\0';
	if (snt_reasons_format(e->reasons, " ", reasons, sizeof(reasons)) < 0)
		return -1;
	rc |= csv_put(f, seq, false, ',');
	rc |= csv_put(f, lt, false, ',');
	rc |= csv_put(f, ut, false, ',');
	for (int c = SNT_ENTRY_ENUM_CLOCK; c <= SNT_ENTRY_ENUM_VERIFIED; c++)
		rc |= csv_enum(f, e, (enum snt_entry_enum)c);
	rc |= csv_put(f, temp, false, ',');
	rc |= csv_enum(f, e, SNT_ENTRY_ENUM_DECISION);
	rc |= csv_put(f, reasons, false, ',');
	rc |= csv_enum(f, e, SNT_ENTRY_ENUM_DOOR);
	rc |= csv_put(f, e->subject, true, ',');
	if (e->detail[0]) {
		struct snt_review_detail *d = malloc(sizeof(*d));

		if (!d)
			return -1;
		snt_review_detail_read(e->detail, d);
		rc |= csv_put(f, d->staff, true, ',');
		rc |= csv_put(f, d->override_by, true, ',');
		rc |= csv_put(f, d->override_original, true, ',');
		rc |= csv_put(f, d->pass, true, ',');
		rc |= csv_put(f, d->idcard_last4, true, ',');
		free(d);
	} else {
		fputs(",,,,,", f);
	}
	if (e->birth_year)
		snprintf(born, sizeof(born), "%d", (int)e->birth_year);
	rc |= csv_put(f, born, false, '\n');
	return rc ? -1 : 0;
}
