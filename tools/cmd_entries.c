// SPDX-License-Identifier: MIT
/*
 * sentinelctl entries: list the gate's log, oldest first, as an aligned
 * table for staff or as JSON lines (interfaces.md, "sentinelctl entries
 * --json").  The log is opened read-only and read one entry at a time, so
 * the listing streams while sentineld keeps writing (SQLite WAL).  Every
 * entry is printed or the command fails loudly: rows are never dropped
 * silently (domain lesson 12).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "store/store.h"
#include "tools/common.h"

#define CMD "entries"
#define TIME_LEN 32
#define REASONS_LEN 512

/* Table layout: every column fixed but the last; reasons wrap within 80. */
#define TABLE_WIDTH 80
#define REASONS_COL 53	/* 5+1 + 19+1 + 7+1 + 4+1 + 6+1 + 6+1 */

struct config {
	const char *db;
	bool json;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: sentinelctl entries [--db PATH] [--json]\n"
		"\n"
		"List the gate's log entries, oldest first.\n"
		"\n"
		"Options:\n"
		"  --db PATH   log database (default: $SENTINEL_DB, else %s)\n"
		"  --json      one JSON object per entry and line: seq, time, clock, kind,\n"
		"              format, colour, verified, temp_c, decision, reasons, door,\n"
		"              subject (absent when unknown)\n"
		"  -h, --help  show this help\n"
		"\n"
		"The table shows times in UTC.  Exit status: 0 every entry listed; 1 an\n"
		"entry could not be read (the listing stops there); 2 usage error, or the\n"
		"log cannot be opened or output cannot be written.\n",
		SNT_DEFAULT_DB);
}

/* Return 0 to run, 1 after --help, -1 on a usage error (already reported). */
static int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL;
	int c;

	memset(cfg, 0, sizeof(*cfg));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'j':
			cfg->json = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return ctl_getopt_error(CMD, c, argv);
		}
	}
	return ctl_check_args(CMD, argc, argv, db, &cfg->db);
}

/* "36.5", "-0.5": tenths of a degree without going through a double. */
static void format_temp(int dc, char *buf, size_t size)
{
	long long v = dc;
	long long a = v < 0 ? -v : v;

	snprintf(buf, size, "%s%lld.%lld", v < 0 ? "-" : "", a / 10, a % 10);
}

static void print_table_header(void)
{
	printf("%5s %-19s %-7s %4s %-6s %-6s %s\n", "seq", "time (UTC)", "colour", "temp", "result",
	       "door", "reasons");
}

/*
 * Reasons from column REASONS_COL, comma-joined; a name that does not fit
 * starts an indented continuation line (no comma at the break, so every
 * name of up to 27 characters stays within 80 columns).
 */
static void print_reasons(snt_reasons_t set)
{
	const int width = TABLE_WIDTH - REASONS_COL;
	int used = 0;

	for (int r = 0; r < SNT_REASON_COUNT; r++) {
		const char *name;
		int len;

		if (!(set & SNT_REASON_BIT(r)))
			continue;
		name = snt_reason_name((enum snt_reason)r);
		if (!name)
			continue;
		len = (int)strlen(name);
		if (used > 0 && used + 1 + len > width) {
			printf("\n%*s", REASONS_COL, "");
			used = 0;
		} else if (used > 0) {
			putchar(',');
			used++;
		}
		fputs(name, stdout);
		used += len;
	}
	if (set == 0)
		putchar('-');
	putchar('\n');
}

static void print_table_row(const struct snt_entry *e)
{
	char t[TIME_LEN], temp[16];

	if (snt_clock_format_rfc3339(e->time_utc_ms, t, sizeof(t)) == 0 && strlen(t) == 20) {
		t[10] = ' ';	/* "YYYY-MM-DDTHH:MM:SSZ" -> "YYYY-MM-DD HH:MM:SS" */
		t[19] = '\0';
	} else {
		snt_strlcpy(t, "?", sizeof(t));
	}
	if (e->has_temp)
		format_temp(e->temp_dc, temp, sizeof(temp));
	else
		snt_strlcpy(temp, "-", sizeof(temp));
	/* Staff are marked on the seq; the kind column would push reasons past 80. */
	printf("%5lld%c%-19s %-7s %4s %-6s %-6s ", (long long)e->seq,
	       e->kind == SNT_KIND_STAFF ? '*' : ' ', t, snt_colour_name(e->colour), temp,
	       snt_decision_name(e->decision), snt_door_name(e->door));
	print_reasons(e->reasons);
}

/* json_object_set_new() that also fails on a NULL value. */
static int set(json_t *obj, const char *key, json_t *value)
{
	if (!value)
		return -1;
	return json_object_set_new(obj, key, value);
}

/* One JSON line with the fields of interfaces.md, in that order. */
static int print_json_row(const struct snt_entry *e)
{
	json_t *obj = json_object();
	json_t *reasons = json_array();
	char t[TIME_LEN];
	int rc = 0;

	if (!obj || !reasons)
		goto err_free;
	for (int r = 0; r < SNT_REASON_COUNT; r++) {
		const char *name = snt_reason_name((enum snt_reason)r);

		if (!(e->reasons & SNT_REASON_BIT(r)))
			continue;
		if (!name || json_array_append_new(reasons, json_string(name)))
			goto err_free;
	}
	rc |= set(obj, "seq", json_integer(e->seq));
	if (snt_clock_format_rfc3339(e->time_utc_ms, t, sizeof(t)) == 0)
		rc |= set(obj, "time", json_string(t));
	else
		rc |= set(obj, "time", json_null());
	rc |= set(obj, "clock", json_string(snt_clock_state_name(e->clock)));
	rc |= set(obj, "kind", json_string(snt_person_kind_name(e->kind)));
	rc |= set(obj, "format", json_string(snt_code_format_name(e->format)));
	rc |= set(obj, "colour", json_string(snt_colour_name(e->colour)));
	rc |= set(obj, "verified", json_string(snt_verified_name(e->verified)));
	/* Exact tenths: printed with 15 significant digits, 365 -> 36.5, 370 -> 37.0. */
	rc |= set(obj, "temp_c", e->has_temp ? json_real(e->temp_dc / 10.0) : json_null());
	rc |= set(obj, "decision", json_string(snt_decision_name(e->decision)));
	rc |= json_object_set(obj, "reasons", reasons);
	rc |= set(obj, "door", json_string(snt_door_name(e->door)));
	if (e->subject[0])
		rc |= set(obj, "subject", json_string(e->subject));
	if (rc)
		goto err_free;
	if (json_dumpf(obj, stdout, JSON_REAL_PRECISION(15)) != 0)
		goto err_free;
	putchar('\n');
	json_decref(reasons);
	json_decref(obj);
	return 0;

err_free:
	json_decref(reasons);
	json_decref(obj);
	return -1;
}

/* One line naming the path and why it cannot be read. */
int cmd_entries(int argc, char **argv)
{
	struct snt_store_iter *it = NULL;
	struct snt_store *st = NULL;
	struct config cfg;
	struct snt_entry e;
	enum snt_store_err err;
	int64_t last = 0;
	int status = SNT_EXIT_OK;
	int r;

	r = parse_config(argc, argv, &cfg);
	if (r < 0)
		return ctl_usage_hint(CMD);
	if (r > 0)
		return SNT_EXIT_OK;

	err = snt_store_open(cfg.db, true, &st);
	if (err) {
		ctl_store_open_error(CMD, cfg.db, err);
		return SNT_EXIT_USAGE;
	}
	err = snt_store_iter_new(st, 0, &it);
	if (err) {
		ctl_err(CMD, "cannot read %s: %s: %s", cfg.db, snt_store_strerror(err),
			snt_store_errmsg(st));
		status = SNT_EXIT_USAGE;
		goto out_close;
	}
	if (!cfg.json)
		print_table_header();
	while ((err = snt_store_iter_next(it, &e)) == SNT_STORE_OK) {
		/* Untrusted times of a boot later rebased are shown computed. */
		err = snt_store_rebase_entry(st, &e);
		if (err != SNT_STORE_OK)
			break;
		if (!cfg.json) {
			print_table_row(&e);
		} else if (print_json_row(&e)) {
			ctl_err(CMD, "entry %lld: cannot format it as JSON", (long long)e.seq);
			status = SNT_EXIT_FAIL;
			goto out_free;
		}
		last = e.seq;
	}
	if (err != SNT_STORE_ERR_DONE) {
		ctl_err(CMD, "%s: cannot read the entry after seq %lld: %s: %s", cfg.db, (long long)last,
			snt_store_strerror(err), snt_store_errmsg(st));
		status = SNT_EXIT_FAIL;
	}

out_free:
	snt_store_iter_free(it);
out_close:
	snt_store_close(st);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ctl_err(CMD, "cannot write the listing: %s", strerror(errno));
		status = SNT_EXIT_USAGE;
	}
	return status;
}
