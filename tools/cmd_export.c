// SPDX-License-Identifier: MIT
/*
 * sentinelctl export: write the entries matching the filters of
 * `sentinelctl entries` to a file, as CSV that opens right in Excel on
 * Chinese Windows (UTF-8 with a byte-order mark, CRLF line ends, RFC 4180
 * quoting, formula cells made inert: domain lesson 11) or as JSON lines
 * (the format of `entries --json`).
 *
 * Every row or nothing (domain lesson 12): rows stream from the store's
 * query into FILE.tmp-XXXXXX beside FILE; the number written is checked
 * against snt_store_count() for the same filter, read in the same SQLite
 * read transaction; then the file is fsync'd, renamed over FILE and the
 * directory fsync'd.  On any failure the temporary file is removed and
 * FILE is left as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "review/review.h"
#include "store/store.h"
#include "tools/common.h"
#include "common/i18n.h"
#include "tools/review_cli.h"

#define CMD "export"
#define OUT_BUFFER (1 << 20)

enum format { FMT_NONE = 0, FMT_CSV, FMT_JSON };

struct config {
	struct rv_source src;
	struct snt_store_query q;
	enum format format;
	const char *output;
	bool detail;		/* --detail: "detail" in the JSON lines */
};

static void usage(FILE *f)
{
	fprintf(f,
		_("Usage: sentinelctl export --format csv|json --output FILE\n"
		"                          [--db PATH | --config FILE] [FILTERS]\n"
		"\n"
		"Write the log's entries (oldest first) to FILE: every matching entry or\n"
		"nothing.  The file is written beside FILE under a temporary name and\n"
		"renamed over it once complete; the number of entries is checked against\n"
		"the log and printed.\n"
		"\n"
		"Options:\n"
		"  --format csv       CSV for spreadsheets: UTF-8 with a byte-order mark,\n"
		"                     CRLF line ends, RFC 4180 quoting, cells that start\n"
		"                     with = + - @ made inert with a leading '\n"
		"  --format json      JSON lines, as 'sentinelctl entries --json'\n"
		"  --detail           with --format json: add \"detail\", the entry's detail\n"
		"                     record, as 'sentinelctl entries --json --detail'\n"
		"  -o, --output FILE  the file to write (replaced when it exists)\n"
		"  --db PATH          log database (default: [station] db of --config, else\n"
		"                     $SENTINEL_DB, else %s)\n"
		"  -c, --config FILE  read the log's path from this configuration\n"
		"  -h, --help         show this help\n"
		"\n"
		"Filters (as for 'sentinelctl entries'):\n"
		"%s"
		"\n"
		"Exit status: 0 written; 1 the log could not be read or the file not\n"
		"written (FILE unchanged); 2 usage error, or the log cannot be opened.\n"),
		SNT_DEFAULT_DB, _(rv_filter_help));
}

/* Return 0 to run, 1 after --help, -1 on a usage error (already reported). */
static int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		RV_SOURCE_LONGOPTS,
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "detail", no_argument, NULL, 'D' },
		CTL_OPT_HELP,
		RV_FILTER_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c, r;

	ctl_getopt_start(cfg, sizeof(*cfg));
	while ((c = rv_getopt(argc, argv, ":c:o:h", longopts, &cfg->src)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "csv")) {
				cfg->format = FMT_CSV;
			} else if (!strcmp(optarg, "json")) {
				cfg->format = FMT_JSON;
			} else {
				ctl_err(CMD, _("--format: '%s' is not csv or json."), optarg);
				return -1;
			}
			break;
		case 'o':
			cfg->output = optarg;
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
	if (cfg->format == FMT_NONE) {
		ctl_err(CMD, _("--format csv or --format json is required."));
		return -1;
	}
	if (cfg->detail && cfg->format != FMT_JSON) {
		ctl_err(CMD, _("--detail needs --format json."));
		return -1;
	}
	if (!cfg->output || !*cfg->output) {
		ctl_err(CMD, _("--output FILE is required."));
		return -1;
	}
	return rv_filter_check(CMD, &cfg->q);
}

/*
 * Stream the entries of @q into @f.  *@rows: entries written; *@expected:
 * what the log holds for @q (limit applied).  Return: 0; -1 after reporting.
 */
static int write_rows(const struct config *cfg, const char *db, struct snt_store *st, FILE *f,
		      int64_t *rows, int64_t *expected)
{
	struct snt_store_iter *it = NULL;
	struct snt_review_hour hc = { 0 };
	struct snt_entry e;
	struct ctl_progress pg;
	enum snt_store_err err;
	bool counted = false;
	int64_t last = 0;
	int rc = -1;

	*rows = 0;
	ctl_progress_init(&pg, CMD);
	err = snt_store_query_new(st, &cfg->q, &it);
	if (err) {
		rv_read_error(CMD, db, st, err, 0);
		return -1;
	}
	if (cfg->format == FMT_CSV && (fputs("\xef\xbb\xbf", f) == EOF || rv_csv_header(f)))
		goto out;
	for (;;) {
		err = snt_store_iter_next(it, &e);
		/*
		 * Count while the query's statement is active: both read the
		 * same snapshot even while sentineld appends.
		 */
		if (!counted && (err == SNT_STORE_OK || err == SNT_STORE_ERR_DONE)) {
			enum snt_store_err cerr = snt_store_count(st, &cfg->q, expected);

			if (cerr) {
				rv_read_error(CMD, db, st, cerr, 0);
				goto out;
			}
			if (cfg->q.limit && *expected > cfg->q.limit)
				*expected = cfg->q.limit;
			counted = true;
		}
		if (err != SNT_STORE_OK)
			break;
		err = snt_store_rebase_entry(st, &e);
		if (err)
			break;
		if (cfg->format == FMT_CSV ? rv_csv_row(f, &hc, &e) : rv_json_row(f, &e, cfg->detail)) {
			ctl_err(CMD, _("entry %lld: cannot format it."), (long long)e.seq);
			goto out;
		}
		last = e.seq;
		(*rows)++;
		ctl_progress_count(&pg, *rows, *expected);
	}
	if (err != SNT_STORE_ERR_DONE) {
		rv_read_error(CMD, db, st, err, last);
		goto out;
	}
	rc = 0;
out:
	ctl_progress_done(&pg);
	snt_store_iter_free(it);
	return rc;
}

int cmd_export(int argc, char **argv)
{
	struct snt_store *st = NULL;
	struct config cfg;
	char pathbuf[PATH_MAX], *tmp = NULL, *vbuf = NULL;
	const char *db;
	int64_t rows = 0, expected = -1;
	FILE *f = NULL;
	int fd, r, to_stdout, status = SNT_EXIT_FAIL;

	r = parse_config(argc, argv, &cfg);
	if (r)
		return ctl_parse_exit(CMD, r);
	to_stdout = ctl_output_target(CMD, cfg.output);
	if (to_stdout < 0)
		return SNT_EXIT_FAIL;	/* not written (as any file that cannot be) */
	db = rv_db_open(CMD, &cfg.src, false, pathbuf, sizeof(pathbuf), &st);
	if (!db)
		return SNT_EXIT_USAGE;
	if (to_stdout) {
		/* -o -: the rows on standard output, the count on stderr (what was written is written). */
		if (write_rows(&cfg, db, st, stdout, &rows, &expected))
			goto out;
		if (fflush(stdout) != 0 || ferror(stdout))
			goto out;	/* said below */
		if (rows != expected) {
			ctl_err(CMD, P_("wrote %lld entry but the log holds %lld for this filter.",
				   "wrote %lld entries but the log holds %lld for this filter.", rows),
				(long long)rows, (long long)expected);
			goto out;
		}
		fprintf(stderr, P_("export: %lld entry to standard output\n",
				   "export: %lld entries to standard output\n", rows), (long long)rows);
		status = SNT_EXIT_OK;
		goto out;
	}

	if (asprintf(&tmp, "%s.tmp-XXXXXX", cfg.output) < 0) {
		tmp = NULL;
		ctl_err(CMD, _("out of memory"));
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		ctl_err(CMD, _("cannot create a temporary file beside %s: %s"), cfg.output, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	f = fdopen(fd, "w");
	vbuf = malloc(OUT_BUFFER);
	if (!f || !vbuf) {
		ctl_err(CMD, _("cannot write %s: %s"), tmp, strerror(errno));
		if (!f)
			close(fd);
		goto out_unlink;
	}
	setvbuf(f, vbuf, _IOFBF, OUT_BUFFER);
	if (write_rows(&cfg, db, st, f, &rows, &expected))
		goto out_unlink;
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
		ctl_err(CMD, _("cannot write %s: %s"), tmp, strerror(errno));
		goto out_unlink;
	}
	r = fclose(f);
	f = NULL;
	if (r != 0) {
		ctl_err(CMD, _("cannot write %s: %s"), tmp, strerror(errno));
		goto out_unlink;
	}
	if (rows != expected) {
		ctl_err(CMD, P_("wrote %lld entry but the log holds %lld for this filter; %s is unchanged.",
			   "wrote %lld entries but the log holds %lld for this filter; %s is unchanged.", rows),
			(long long)rows, (long long)expected, cfg.output);
		goto out_unlink;
	}
	if (rename(tmp, cfg.output) != 0) {
		ctl_err(CMD, _("cannot rename %s to %s: %s"), tmp, cfg.output, strerror(errno));
		goto out_unlink;
	}
	free(tmp);
	tmp = NULL;
	r = snt_fsync_dir_of(cfg.output);
	if (r != 0 && r != EINVAL) {	/* EINVAL: a filesystem without directory fsync */
		ctl_err(CMD, _("%s: cannot sync its directory: %s"), cfg.output, strerror(r));
		goto out;
	}
	printf(P_("export: %lld entry to %s\n", "export: %lld entries to %s\n", rows), (long long)rows, cfg.output);
	status = SNT_EXIT_OK;
	goto out;

out_unlink:
	if (f)
		fclose(f);
	f = NULL;
	unlink(tmp);
out:
	free(tmp);
	free(vbuf);
	snt_store_close(st);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ctl_err(CMD, _("cannot write to standard output: %s"), strerror(errno));
		status = SNT_EXIT_USAGE;
	}
	return status;
}
