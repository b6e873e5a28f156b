// SPDX-License-Identifier: MIT
/*
 * sentinelctl stats: counts over a period of the gate's log: entries per
 * hour (for one day) and per day, admitted/denied/referred, fevers, staff
 * and visitors, code colours, exits, and the peak occupancy: admitted
 * entries whose door opened (+1) and exit events (-1) in time order,
 * starting from 0 at the period's start and never below 0.
 * One streaming pass over the store's indexed query and the exit events
 * (memory grows only with the number of days).  Bucketed by the time the
 * gate recorded, in local time (TZ).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clock/clock.h"
#include "review/review.h"
#include "store/store.h"
#include "tools/common.h"
#include "common/i18n.h"
#include "tools/review_cli.h"

#define CMD "stats"
#define COLOURS 5	/* enum snt_colour: unknown, green, yellow, red, black */
#define HOURS 24

struct config {
	struct rv_source src;
	struct snt_store_query q;
	bool day;		/* --day given: per-hour counts */
	bool period;		/* --since/--until/--day given */
	bool json;
};

struct counts {
	int64_t entries, admit, deny, refer, fever, staff, visitors, exits;
	int64_t colour[COLOURS];
};

struct day {
	char name[11];		/* YYYY-MM-DD, local */
	struct counts c;
};

struct stats {
	struct counts total;
	struct counts hour[HOURS];
	struct day *days;	/* sorted by name */
	size_t ndays, cap;
	size_t last;		/* index of the last day used (entries come in time order) */
	struct snt_review_hour hc;	/* local time of the last hour seen */
	struct snt_review_occupancy occ;
};

static void usage(FILE *f)
{
	fprintf(f,
		_("Usage: sentinelctl stats [--db PATH | --config FILE]\n"
		"                         [--day D | --since T [--until T]] [--json]\n"
		"\n"
		"Count the entries of a period: per hour (with --day) and per day, admitted,\n"
		"denied and referred, fevers, staff and visitors, code colours, exits, and\n"
		"the peak occupancy (admitted entries whose door opened, less exits, from 0\n"
		"at the start of the period, never below 0).\n"
		"\n"
		"Options:\n"
		"  --db PATH          log database (default: [station] db of --config, else\n"
		"                     $SENTINEL_DB, else %s)\n"
		"  -c, --config FILE  read the log's path from this configuration\n"
		"  --day D            the local day D (YYYY-MM-DD); the default is today\n"
		"  --since T          from T (see below) ...\n"
		"  --until T          ... until T (a day alone: through its end)\n"
		"  --json             one JSON object\n"
		"  -h, --help         show this help\n"
		"\n"
		"T is a local day YYYY-MM-DD, a local time YYYY-MM-DD HH:MM[:SS] (time zone\n"
		"from TZ) or RFC 3339 with Z or an offset.  Exit status: 0 counted; 1 the\n"
		"log could not be read to the end; 2 usage error, or the log cannot be opened.\n"),
		SNT_DEFAULT_DB);
}

/* Return 0 to run, 1 after --help, -1 on a usage error (already reported). */
static int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		RV_SOURCE_LONGOPTS,
		{ "day", required_argument, NULL, RV_OPT_DAY },
		{ "since", required_argument, NULL, RV_OPT_SINCE },
		{ "until", required_argument, NULL, RV_OPT_UNTIL },
		{ "json", no_argument, NULL, 'j' },
		CTL_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	bool range = false;
	int c;

	ctl_getopt_start(cfg, sizeof(*cfg));
	while ((c = rv_getopt(argc, argv, ":c:h", longopts, &cfg->src)) != -1) {
		switch (c) {
		case 'j':
			cfg->json = true;
			break;
		case RV_OPT_DAY:
		case RV_OPT_SINCE:
		case RV_OPT_UNTIL:
			if (rv_filter_option(CMD, c, optarg, &cfg->q) < 0)
				return -1;
			if (c == RV_OPT_DAY)
				cfg->day = true;
			else
				range = true;
			cfg->period = true;
			break;
		default:
			return ctl_getopt_other(CMD, c, argv, usage);
		}
	}
	if (ctl_no_operands(CMD, argc, argv))
		return -1;
	if (cfg->day && range) {
		ctl_err(CMD, _("--day cannot be used with --since or --until."));
		return -1;
	}
	return rv_filter_check(CMD, &cfg->q);
}

/* The day @name in @s, inserted in order when new.  Return: NULL when out of memory. */
static struct day *day_get(struct stats *s, const char *name)
{
	size_t lo = 0, hi = s->ndays;

	if (s->ndays && !strcmp(s->days[s->last].name, name))
		return &s->days[s->last];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int cmp = strcmp(s->days[mid].name, name);

		if (cmp == 0) {
			s->last = mid;
			return &s->days[mid];
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (s->ndays == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct day *d = realloc(s->days, cap * sizeof(*d));

		if (!d)
			return NULL;
		s->days = d;
		s->cap = cap;
	}
	memmove(&s->days[lo + 1], &s->days[lo], (s->ndays - lo) * sizeof(*s->days));
	memset(&s->days[lo], 0, sizeof(*s->days));
	snt_strlcpy(s->days[lo].name, name, sizeof(s->days[lo].name));
	s->ndays++;
	s->last = lo;
	return &s->days[lo];
}

/* The buckets of @utc_ms: its day (NULL: out of memory) and local hour. */
static struct day *buckets(struct stats *s, int64_t utc_ms, int *hour)
{
	struct snt_review_when w;
	char name[11];

	if (snt_review_hour_get(&s->hc, utc_ms, &w) != SNT_REVIEW_OK) {
		*hour = 0;
		return day_get(s, "?");
	}
	*hour = w.hour;
	snt_review_when_text(&w, name, NULL);
	return day_get(s, name);
}

static void count_entry(struct counts *c, const struct snt_entry *e)
{
	c->entries++;
	if (e->decision == SNT_DECISION_ADMIT)
		c->admit++;
	else if (e->decision == SNT_DECISION_DENY)
		c->deny++;
	else
		c->refer++;
	if (e->reasons & SNT_REASON_BIT(SNT_REASON_FEVER))
		c->fever++;
	if (e->kind == SNT_KIND_STAFF)
		c->staff++;
	else
		c->visitors++;
	if ((unsigned)e->colour < COLOURS)
		c->colour[e->colour]++;
}

/* One exit event: counted, and the occupancy goes down. */
static int add_exit(struct stats *s, const struct snt_event *ev)
{
	struct day *d;
	int hour;

	d = buckets(s, ev->time_utc_ms, &hour);
	if (!d)
		return -1;
	d->c.exits++;
	s->hour[hour].exits++;
	s->total.exits++;
	snt_review_occupancy_step(&s->occ, -1, ev->time_utc_ms);
	return 0;
}

/*
 * Exit events before @until_ms (INT64_MAX: all that are left) from @evit,
 * with one event of lookahead in *@ev (*@have).
 */
static enum snt_store_err drain_exits(struct stats *s, struct snt_store_event_iter *evit,
				      struct snt_event *ev, bool *have, int64_t until_ms)
{
	enum snt_store_err err;

	for (;;) {
		if (!*have) {
			err = snt_store_events_next(evit, ev);
			if (err == SNT_STORE_ERR_DONE)
				return SNT_STORE_OK;
			if (err)
				return err;
			*have = true;
		}
		if (ev->time_utc_ms >= until_ms)
			return SNT_STORE_OK;
		if (add_exit(s, ev))
			return SNT_STORE_ERR_NOMEM;
		*have = false;
	}
}

/* Read the period: entries and exits merged in time order. */
static enum snt_store_err gather(struct snt_store *st, const struct snt_store_query *q,
				 struct stats *s, int64_t *last)
{
	struct snt_store_event_iter *evit = NULL;
	struct snt_store_iter *it = NULL;
	struct snt_event ev;
	struct snt_entry e;
	enum snt_store_err err;
	bool have = false;

	err = snt_store_query_new(st, q, &it);
	if (err)
		return err;
	err = snt_store_events_new(st, SNT_EVENT_EXIT, q->since_utc_ms, q->until_utc_ms, &evit);
	if (err)
		goto out;
	while ((err = snt_store_iter_next(it, &e)) == SNT_STORE_OK) {
		struct day *d;
		int hour;

		*last = e.seq;
		err = drain_exits(s, evit, &ev, &have, e.time_utc_ms);
		if (err)
			goto out;
		d = buckets(s, e.time_utc_ms, &hour);
		if (!d) {
			err = SNT_STORE_ERR_NOMEM;
			goto out;
		}
		count_entry(&d->c, &e);
		count_entry(&s->hour[hour], &e);
		count_entry(&s->total, &e);
		if (e.door == SNT_DOOR_OPENED)
			snt_review_occupancy_step(&s->occ, 1, e.time_utc_ms);
	}
	if (err != SNT_STORE_ERR_DONE)
		goto out;
	err = drain_exits(s, evit, &ev, &have, INT64_MAX);
out:
	snt_store_events_free(evit);
	snt_store_iter_free(it);
	return err;
}

/* The counts table's header, its first column @first ("hour" or "day"), translated. */
static void print_counts_header(const char *first)
{
	static const char *const cols[] = { N_("admit"), N_("deny"), N_("refer"), N_("fever"), N_("exits") };

	putchar('\n');
	ctl_pad(stdout, first, 10, false);
	putchar(' ');
	ctl_pad(stdout, _("entries"), 7, true);
	for (size_t i = 0; i < SNT_ARRAY_SIZE(cols); i++) {
		putchar(' ');
		ctl_pad(stdout, _(cols[i]), 6, true);
	}
	putchar('\n');
}

static void print_counts_row(const char *label, const struct counts *c)
{
	printf("%-10s %7lld %6lld %6lld %6lld %6lld %6lld\n", label, (long long)c->entries,
	       (long long)c->admit, (long long)c->deny, (long long)c->refer, (long long)c->fever,
	       (long long)c->exits);
}

/*
 * A day without entries or exits: no table of 24 zero hours but one line,
 * and, for the default day (today), the day of the log's last entry to ask
 * for instead (@last_utc_ms, 0: the log is empty).
 */
static void print_empty_day(const struct config *cfg, int64_t last_utc_ms)
{
	char day[SNT_REVIEW_LOCAL_LEN];

	rv_local_time(cfg->q.since_utc_ms, day, sizeof(day));
	day[10] = '\0';
	if (cfg->period) {
		printf(_("No entries on %s.\n"), day);
	} else if (last_utc_ms) {
		char lastday[SNT_REVIEW_LOCAL_LEN];

		rv_local_time(last_utc_ms, lastday, sizeof(lastday));
		lastday[10] = '\0';
		printf(_("No entries today (%s); the log's last entry is of %s: give --day %s (or --since,\n"
			 "--until).\n"), day, lastday, lastday);
	} else {
		printf(_("No entries today (%s): the log is empty.\n"), day);
	}
}

static void print_text(const struct config *cfg, const struct stats *s, int64_t last_utc_ms)
{
	const struct counts *t = &s->total;
	char a[SNT_REVIEW_LOCAL_LEN], b[SNT_REVIEW_LOCAL_LEN];

	if (cfg->q.since_utc_ms)
		rv_local_time(cfg->q.since_utc_ms, a, sizeof(a));
	else
		snt_strlcpy(a, _("the first entry"), sizeof(a));
	if (cfg->q.until_utc_ms)
		rv_local_time(cfg->q.until_utc_ms, b, sizeof(b));
	else
		snt_strlcpy(b, _("now"), sizeof(b));
	printf(_("Period: %s to %s (local time)\n"), a, b);
	printf(_("Entries: %lld (admitted %lld, denied %lld, referred %lld)\n"), (long long)t->entries,
	       (long long)t->admit, (long long)t->deny, (long long)t->refer);
	printf(_("Fevers: %lld\n"), (long long)t->fever);
	printf(_("Staff: %lld, visitors: %lld\n"), (long long)t->staff, (long long)t->visitors);
	printf(_("Code colours: green %lld, yellow %lld, red %lld, black %lld, unknown %lld\n"),
	       (long long)t->colour[SNT_COLOUR_GREEN], (long long)t->colour[SNT_COLOUR_YELLOW],
	       (long long)t->colour[SNT_COLOUR_RED], (long long)t->colour[SNT_COLOUR_BLACK],
	       (long long)t->colour[SNT_COLOUR_UNKNOWN]);
	printf(_("Exits: %lld\n"), (long long)t->exits);
	if (s->occ.peak > 0) {
		rv_local_time(s->occ.peak_utc_ms, a, sizeof(a));
		printf(_("Peak occupancy: %lld at %s\n"), (long long)s->occ.peak, a);
	} else {
		printf(_("Peak occupancy: 0\n"));
	}
	if (cfg->day && t->entries == 0 && t->exits == 0) {
		print_empty_day(cfg, last_utc_ms);
		return;
	}
	if (cfg->day) {
		print_counts_header(_("hour"));
		for (int h = 0; h < HOURS; h++) {
			char label[16];

			snprintf(label, sizeof(label), "%02d:00", h);
			print_counts_row(label, &s->hour[h]);
		}
	}
	print_counts_header(_("day"));
	for (size_t i = 0; i < s->ndays; i++)
		print_counts_row(s->days[i].name, &s->days[i].c);
	if (s->ndays == 0)
		printf(_("No entries.\n"));
}

/* The counts as members of @obj.  Return: 0; -1 out of memory. */
static int json_counts(json_t *obj, const struct counts *c, bool full)
{
	int rc = 0;

	rc |= json_object_set_new(obj, "entries", json_integer(c->entries));
	rc |= json_object_set_new(obj, "admit", json_integer(c->admit));
	rc |= json_object_set_new(obj, "deny", json_integer(c->deny));
	rc |= json_object_set_new(obj, "refer", json_integer(c->refer));
	rc |= json_object_set_new(obj, "fever", json_integer(c->fever));
	rc |= json_object_set_new(obj, "exits", json_integer(c->exits));
	if (full) {
		json_t *col = json_object();

		rc |= json_object_set_new(obj, "staff", json_integer(c->staff));
		rc |= json_object_set_new(obj, "visitors", json_integer(c->visitors));
		for (int i = 0; col && i < COLOURS; i++)
			rc |= json_object_set_new(col, snt_colour_name((enum snt_colour)i),
						  json_integer(c->colour[i]));
		rc |= json_object_set_new(obj, "colours", col);
	}
	return rc ? -1 : 0;
}

static json_t *json_time(int64_t utc_ms)
{
	char t[32];

	if (!utc_ms || snt_clock_format_rfc3339(utc_ms, t, sizeof(t)) != 0)
		return json_null();
	return json_string(t);
}

static int print_json(const struct config *cfg, const struct stats *s)
{
	json_t *obj = json_object(), *hours = json_array(), *days = json_array();
	int rc = 0;

	if (!obj || !hours || !days)
		rc = -1;
	rc |= json_object_set_new(obj, "since", json_time(cfg->q.since_utc_ms));
	rc |= json_object_set_new(obj, "until", json_time(cfg->q.until_utc_ms));
	rc |= json_counts(obj, &s->total, true);
	rc |= json_object_set_new(obj, "peak_occupancy", json_integer(s->occ.peak));
	rc |= json_object_set_new(obj, "peak_time", json_time(s->occ.peak_utc_ms));
	for (int h = 0; cfg->day && hours && h < HOURS; h++) {
		json_t *o = json_object();

		rc |= json_object_set_new(o, "hour", json_integer(h));
		rc |= json_counts(o, &s->hour[h], false);
		rc |= json_array_append_new(hours, o);
	}
	for (size_t i = 0; days && i < s->ndays; i++) {
		json_t *o = json_object();

		rc |= json_object_set_new(o, "day", json_string(s->days[i].name));
		rc |= json_counts(o, &s->days[i].c, false);
		rc |= json_array_append_new(days, o);
	}
	if (cfg->day)
		rc |= json_object_set(obj, "hours", hours);
	rc |= json_object_set(obj, "days", days);
	if (!rc) {
		rc = json_dumpf(obj, stdout, JSON_REAL_PRECISION(15));
		putchar('\n');
	}
	json_decref(hours);
	json_decref(days);
	json_decref(obj);
	return rc ? -1 : 0;
}

int cmd_stats(int argc, char **argv)
{
	struct snt_store *st = NULL;
	struct stats s;
	struct config cfg;
	enum snt_store_err err;
	char pathbuf[PATH_MAX];
	const char *db;
	int64_t last = 0;
	int status = SNT_EXIT_OK;
	int r;

	r = parse_config(argc, argv, &cfg);
	if (r)
		return ctl_parse_exit(CMD, r);
	if (!cfg.period) {
		/* Today: the one place the command reads the clock. */
		struct snt_clock clk;

		snt_clock_system(&clk);
		if (snt_review_day_start(snt_clock_utc_ms(&clk), &cfg.q.since_utc_ms,
					 &cfg.q.until_utc_ms) != SNT_REVIEW_OK) {
			ctl_err(CMD, _("cannot tell today's date from the system clock."));
			return SNT_EXIT_USAGE;
		}
		cfg.day = true;
	}
	db = rv_db_open(CMD, &cfg.src, false, pathbuf, sizeof(pathbuf), &st);
	if (!db)
		return SNT_EXIT_USAGE;
	memset(&s, 0, sizeof(s));
	err = gather(st, &cfg.q, &s, &last);
	if (err == SNT_STORE_ERR_NOMEM) {
		ctl_err(CMD, _("out of memory"));
		status = SNT_EXIT_FAIL;
	} else if (err) {
		rv_read_error(CMD, db, st, err, last);
		status = SNT_EXIT_FAIL;
	} else if (cfg.json) {
		if (print_json(&cfg, &s)) {
			ctl_err(CMD, _("cannot format the counts as JSON."));
			status = SNT_EXIT_FAIL;
		}
	} else {
		int64_t last_utc_ms = 0, seq = 0;
		struct snt_entry e;

		/* For a day without entries: the day of the log's last entry (none: 0). */
		if (cfg.day && s.total.entries == 0 && snt_store_last_seq(st, &seq) == SNT_STORE_OK && seq > 0 &&
		    snt_store_get(st, seq, &e) == SNT_STORE_OK)
			last_utc_ms = e.time_utc_ms;
		print_text(&cfg, &s, last_utc_ms);
	}
	free(s.days);
	snt_store_close(st);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ctl_err(CMD, _("cannot write the counts: %s"), strerror(errno));
		status = SNT_EXIT_USAGE;
	}
	return status;
}
