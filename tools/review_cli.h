/* SPDX-License-Identifier: MIT */
/*
 * What the review commands (entries, stats, export, alerts) share: the
 * filter options and their parsing into a struct snt_store_query, finding
 * the log (--db, --config, $SENTINEL_DB), opening it read-only with errors
 * that name the file (a damaged log points to verify-log), and the three
 * row formats of an entry: the aligned table, JSON lines (interfaces.md,
 * "sentinelctl entries --json") and CSV (RFC 4180).
 *
 * Messages are whole printf-style sentences so they can be wrapped for
 * gettext as they are.
 */
#ifndef SNT_TOOLS_REVIEW_CLI_H
#define SNT_TOOLS_REVIEW_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "review/review.h"
#include "store/store.h"

/* getopt_long values of the shared options (above any short option). */
enum {
	RV_OPT_DB = 256,
	RV_OPT_CONFIG,
	RV_OPT_SINCE,
	RV_OPT_UNTIL,
	RV_OPT_DAY,
	RV_OPT_DECISION,
	RV_OPT_FEVER,
	RV_OPT_COLOUR,
	RV_OPT_STAFF,
	RV_OPT_VISITORS,
	RV_OPT_LIMIT,
};

/* The filter options' struct option lines, for a command's longopts. */
#define RV_FILTER_LONGOPTS                                                   \
	{ "since", required_argument, NULL, RV_OPT_SINCE },                  \
	{ "until", required_argument, NULL, RV_OPT_UNTIL },                  \
	{ "day", required_argument, NULL, RV_OPT_DAY },                      \
	{ "decision", required_argument, NULL, RV_OPT_DECISION },            \
	{ "fever", no_argument, NULL, RV_OPT_FEVER },                        \
	{ "colour", required_argument, NULL, RV_OPT_COLOUR },                \
	{ "color", required_argument, NULL, RV_OPT_COLOUR },                 \
	{ "staff", no_argument, NULL, RV_OPT_STAFF },                        \
	{ "visitors", no_argument, NULL, RV_OPT_VISITORS },                  \
	{ "limit", required_argument, NULL, RV_OPT_LIMIT }

/* The --db and -c/--config options' struct option lines (rv_getopt() reads them). */
#define RV_SOURCE_LONGOPTS                                                   \
	{ "db", required_argument, NULL, RV_OPT_DB },                        \
	{ "config", required_argument, NULL, 'c' }

/* The filter options' help text (each line indented two spaces). */
extern const char rv_filter_help[];

/* Where the log is: --db, --config or neither. */
struct rv_source {
	const char *db;		/* --db value or NULL */
	const char *config;	/* --config value or NULL */
};

/*
 * rv_filter_option() - apply filter option @c (RV_OPT_SINCE...) with its
 * argument @arg to @q.  --day sets both bounds; --decision and --colour
 * take comma-separated lists and add to earlier ones; --staff and
 * --visitors together mean both.
 * Return: 1 when @c is a filter option and was applied; 0 when @c is not
 * one; -1 after reporting a bad value (usage error).
 */
int rv_filter_option(const char *cmd, int c, const char *arg, struct snt_store_query *q);

/*
 * rv_getopt() - getopt_long(@argc, @argv, @shortopts, @longopts) of a
 * review command, keeping the --db and -c/--config values (the last one
 * given) in @src.  @shortopts holds "c:"; @longopts RV_SOURCE_LONGOPTS.
 * Return: the next other option's value, or -1 at the end.
 */
int rv_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
	      struct rv_source *src);

/*
 * rv_getopt_other() - the end of a review command's option switch: filter
 * option @c (with optarg) applied to @q (rv_filter_option()); any other @c
 * as ctl_getopt_other() with @usage.
 * Return: 0 applied; 1 after --help; -1 after reporting a usage error.
 */
int rv_getopt_other(const char *cmd, int c, char **argv, struct snt_store_query *q, void (*usage)(FILE *f));

/*
 * rv_filter_check() - after parsing: the bounds in order (since < until).
 * Return: 0; -1 after reporting.
 */
int rv_filter_check(const char *cmd, const struct snt_store_query *q);

/*
 * rv_db_path() - the log's path: --db; else [station] db of --config
 * (loaded and validated; copied into @buf); else $SENTINEL_DB or the
 * default (ctl_db_path()).
 * Return: the path; NULL after reporting a configuration error.
 */
const char *rv_db_path(const char *cmd, const struct rv_source *src, char *buf, size_t size);

/*
 * rv_open() - open the log read-only (or writable for @write); on failure
 * report it, naming @path (a damaged log: run verify-log).
 * Return: 0 and *st; -1 after reporting.
 */
int rv_open(const char *cmd, const char *path, bool write, struct snt_store **st);

/*
 * rv_db_open() - rv_db_path() of @src (@buf, @size as there), then rv_open()
 * of that path (writable for @write).
 * Return: the path, *@st open; NULL after reporting.
 */
const char *rv_db_open(const char *cmd, const struct rv_source *src, bool write, char *buf, size_t size,
		       struct snt_store **st);

/*
 * rv_read_error() - report a failure to read the log @path after seq
 * @last (0: before the first row); SNT_STORE_ERR_CORRUPT points to
 * verify-log.
 */
void rv_read_error(const char *cmd, const char *path, struct snt_store *st,
		   enum snt_store_err err, int64_t last);

/* Table state: the local day of the last row printed (a day line starts each day). */
struct rv_table {
	bool use_locale;	/* UTF-8 LC_CTYPE: widths from wcwidth(3) */
	char day[11];		/* "YYYY-MM-DD" of the previous row, "" at the start */
	int64_t rows;
	struct snt_review_hour hc;	/* local time of the last hour shown */
};

/* rv_table_init() - reset @t and check the locale. */
void rv_table_init(struct rv_table *t);
/* rv_table_header() - the column names line. */
void rv_table_header(FILE *f);
/*
 * rv_table_row() - one entry (time in local time); a day line before the
 * first row of a day.  A registered visitor's subject is followed by the ID
 * number's last four from the detail record ("张* 002X").
 */
void rv_table_row(FILE *f, struct rv_table *t, const struct snt_entry *e);
/* rv_table_footer() - "N entries." or "No entries." */
void rv_table_footer(FILE *f, const struct rv_table *t);

/*
 * rv_json_row() - one JSON line: the fields of interfaces.md in order,
 * then "idcard_last4" (the ID number's last four from the detail record's
 * "idcard"; absent when none), then with @detail the entry's detail record
 * as the member "detail" (a JSON object as stored; absent when the entry
 * has none).
 * Return: 0; -1 when it could not be formatted (a detail that is not a
 * JSON object included).
 */
int rv_json_row(FILE *f, const struct snt_entry *e, bool detail);

/*
 * rv_csv_header() / rv_csv_row() - CSV with CRLF line ends; @hc caches the
 * local hour between rows (zero-initialise).  After subject come staff,
 * override_by, override_original, pass and idcard_last4 from the detail
 * record (empty when absent).  Return: 0; -1 (formatting).
 */
int rv_csv_header(FILE *f);
int rv_csv_row(FILE *f, struct snt_review_hour *hc, const struct snt_entry *e);

/* rv_format_temp() - tenths of a degree as "36.5", "-0.5". */
void rv_format_temp(int dc, char *buf, size_t size);

/* rv_local_or_utc() - "YYYY-MM-DD HH:MM:SS" local, or "?" when out of range. */
void rv_local_time(int64_t utc_ms, char *buf, size_t size);

#endif /* SNT_TOOLS_REVIEW_CLI_H */
