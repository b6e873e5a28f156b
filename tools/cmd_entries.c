// SPDX-License-Identifier: MIT
/*
 * sentinelctl entries: list the gate's log, oldest first, filtered by time,
 * decision, fever, code colour and kind of person, as an aligned table for
 * staff (local time, fits 80 columns, Chinese names aligned), as JSON lines
 * (interfaces.md, "sentinelctl entries --json") or as CSV.  The log is
 * opened read-only and read one entry at a time through the store's
 * indexed query, so the listing streams while sentineld keeps writing
 * (SQLite WAL).  Every matching entry is printed or the command fails
 * loudly: rows are never dropped silently (domain lesson 12).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "tools/common.h"
#include "common/i18n.h"
#include "tools/review_cli.h"

#define CMD "entries"

enum format { FMT_TABLE = 0, FMT_JSON, FMT_CSV };

struct config {
	struct rv_source src;
	struct snt_store_query q;
	enum format format;
	bool detail;		/* --detail: "detail" in the JSON lines */
};

static void usage(FILE *f)
{
	fprintf(f,
		_("Usage: sentinelctl entries [--db PATH | --config FILE] [FILTERS]\n"
		"                           [--json [--detail] | --csv]\n"
		"\n"
		"List the gate's log entries, oldest first.\n"
		"\n"
		"Options:\n"
		"  --db PATH          log database (default: [station] db of --config, else\n"
		"                     $SENTINEL_DB, else %s)\n"
		"  -c, --config FILE  read the log's path from this configuration\n"
		"  --json             one JSON object per entry and line: seq, time, clock, kind,\n"
		"                     format, colour, verified, temp_c, decision, reasons, door,\n"
		"                     subject (absent when unknown)\n"
		"  --detail           with --json: add \"detail\", the entry's detail record\n"
		"                     (measurement, staff, override, rules, pass) when it has one\n"
		"  --csv              CSV (RFC 4180, CRLF line ends) with a header line; after\n"
		"                     subject: staff, override_by, override_original, pass\n"
		"  -h, --help         show this help\n"
		"\n"
		"Filters:\n"
		"%s"
		"\n"
		"The table shows local times under a line per day; '*' after seq marks staff,\n"
		"'?' after the time an untrusted clock, '~' a time computed afterwards\n"
		"(rebased).  Exit status: 0 every matching entry listed; 1 an entry could\n"
		"not be read (the listing stops there); 2 usage error, or the log cannot be\n"
		"opened or output cannot be written.\n"),
		SNT_DEFAULT_DB, _(rv_filter_help));
}

/* Return 0 to run, 1 after --help, -1 on a usage error (already reported). */
static int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		RV_SOURCE_LONGOPTS,
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'C' },
		{ "detail", no_argument, NULL, 'D' },
		CTL_OPT_HELP,
		RV_FILTER_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c, r;

	ctl_getopt_start(cfg, sizeof(*cfg));
	while ((c = rv_getopt(argc, argv, ":c:h", longopts, &cfg->src)) != -1) {
		switch (c) {
		case 'j':
		case 'C':
			if (cfg->format != FMT_TABLE) {
				ctl_err(CMD, _("--json and --csv cannot be used together."));
				return -1;
			}
			cfg->format = c == 'j' ? FMT_JSON : FMT_CSV;
			break;
		case 'D':
			cfg->detail = true;
			break;
		default:
			r = rv_getopt_other(CMD, c, argv, &cfg->q, usage);
			if (r)
				return r;
		}
	}
	if (ctl_no_operands(CMD, argc, argv))
		return -1;
	if (cfg->detail && cfg->format != FMT_JSON) {
		ctl_err(CMD, _("--detail needs --json."));
		return -1;
	}
	return rv_filter_check(CMD, &cfg->q);
}

int cmd_entries(int argc, char **argv)
{
	struct snt_store_iter *it = NULL;
	struct snt_store *st = NULL;
	struct rv_table table;
	struct config cfg;
	struct snt_entry e;
	enum snt_store_err err;
	char pathbuf[PATH_MAX];
	const char *db;
	int64_t last = 0;
	int status = SNT_EXIT_OK;
	int r;

	r = parse_config(argc, argv, &cfg);
	if (r)
		return ctl_parse_exit(CMD, r);
	db = rv_db_open(CMD, &cfg.src, false, pathbuf, sizeof(pathbuf), &st);
	if (!db)
		return SNT_EXIT_USAGE;
	err = snt_store_query_new(st, &cfg.q, &it);
	if (err) {
		rv_read_error(CMD, db, st, err, 0);
		status = SNT_EXIT_FAIL;
		goto out_close;
	}
	rv_table_init(&table);
	if (cfg.format == FMT_TABLE)
		rv_table_header(stdout);
	else if (cfg.format == FMT_CSV)
		rv_csv_header(stdout);
	while ((err = snt_store_iter_next(it, &e)) == SNT_STORE_OK) {
		/* Untrusted times of a boot later rebased are shown computed. */
		err = snt_store_rebase_entry(st, &e);
		if (err != SNT_STORE_OK)
			break;
		if (cfg.format == FMT_TABLE) {
			rv_table_row(stdout, &table, &e);
		} else if ((cfg.format == FMT_JSON ? rv_json_row(stdout, &e, cfg.detail)
						   : rv_csv_row(stdout, &table.hc, &e))) {
			ctl_err(CMD, _("entry %lld: cannot format it."), (long long)e.seq);
			status = SNT_EXIT_FAIL;
			goto out_free;
		}
		last = e.seq;
	}
	if (err != SNT_STORE_ERR_DONE) {
		rv_read_error(CMD, db, st, err, last);
		status = SNT_EXIT_FAIL;
	} else if (cfg.format == FMT_TABLE) {
		rv_table_footer(stdout, &table);
	}

out_free:
	snt_store_iter_free(it);
out_close:
	snt_store_close(st);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ctl_err(CMD, _("cannot write the listing: %s"), strerror(errno));
		status = SNT_EXIT_USAGE;
	}
	return status;
}
