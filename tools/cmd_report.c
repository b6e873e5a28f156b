// SPDX-License-Identifier: MIT
/*
 * sentinelctl report: one day of the gate's log as a self-contained
 * printable HTML page with charts (firmware/report/report.h).  The day runs
 * from local midnight to local midnight (TZ).  The log is opened read-only
 * and read one entry at a time (it may be read while sentineld writes);
 * the page is written to a temporary file beside FILE, fsync'd and renamed
 * over FILE, so FILE is either the old one or the whole new one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "clock/clock.h"
#include "config/config.h"
#include "report/report.h"
#include "rules/rules.h"
#include "sign/sign.h"
#include "store/store.h"
#include "tools/common.h"
#include "common/i18n.h"

#define CMD "report"

struct config {
	const char *day;
	const char *output;
	const char *db;		/* --db, or NULL */
	const char *conf;	/* --config, or NULL */
	bool has_now;
	int64_t now_ms;
	int64_t start_ms, end_ms;
};

static void usage(FILE *f)
{
	fprintf(f, _("Usage: sentinelctl report --day YYYY-MM-DD --output FILE.html\n"
		     "                          [--db PATH | --config FILE] [--now RFC3339]\n"
		     "\n"
		     "Write one day of the gate's log as a printable HTML page: entries per\n"
		     "hour, temperatures with the fever line, decisions and code colours, and\n"
		     "every denial, referral and fever with its reasons.  The page has no\n"
		     "scripts and loads nothing from elsewhere.\n"
		     "\n"
		     "Options:\n"
		     "  --day YYYY-MM-DD  the day, in local time (TZ)\n"
		     "  --output FILE     the page to write (replaced whole, or left as it was)\n"
		     "  --config FILE     the gate's configuration: home, gate name, fever\n"
		     "                    threshold and log (default: %s when it\n"
		     "                    exists and --db is not given)\n"
		     "  --db PATH         log database (default: the configuration's, else\n"
		     "                    $SENTINEL_DB, else %s)\n"
		     "  --now RFC3339     the time the report is made (default: the system clock)\n"
		     "  -h, --help        show this help\n"
		     "\n"
		     "Exit status: 0 written; 1 the configuration or log could not be read or\n"
		     "the page could not be written; 2 usage error (such as an invalid date).\n"),
		SNT_CONFIG_DEFAULT_PATH, SNT_DEFAULT_DB);
}

/* Return 0 to run, 1 after --help, -1 on a usage error (already reported). */
static int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "day", required_argument, NULL, 'D' },
		{ "output", required_argument, NULL, 'o' },
		{ "db", required_argument, NULL, 'd' },
		CTL_OPT_CONFIG,
		{ "now", required_argument, NULL, 'n' },
		CTL_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	enum snt_report_err rerr;
	int c;

	ctl_getopt_start(cfg, sizeof(*cfg));
	while ((c = getopt_long(argc, argv, ":ho:c:", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			cfg->day = optarg;
			break;
		case 'o':
			cfg->output = optarg;
			break;
		case 'd':
			cfg->db = optarg;
			break;
		case 'c':
			cfg->conf = optarg;
			break;
		case 'n':
			if (snt_clock_parse_rfc3339(optarg, &cfg->now_ms) != 0) {
				ctl_err(CMD, _("--now needs an RFC 3339 time such as "
					       "2022-01-31T00:00:00Z, not '%s'"), optarg);
				return -1;
			}
			cfg->has_now = true;
			break;
		default:
			return ctl_getopt_other(CMD, c, argv, usage);
		}
	}
	if (ctl_no_operands(CMD, argc, argv))
		return -1;
	if (!cfg->day) {
		ctl_err(CMD, _("--day YYYY-MM-DD is required"));
		return -1;
	}
	if (!cfg->output || !*cfg->output) {
		ctl_err(CMD, _("--output FILE is required"));
		return -1;
	}
	if (cfg->db && !*cfg->db) {
		ctl_err(CMD, _("--db needs a path"));
		return -1;
	}
	if (cfg->conf && !*cfg->conf) {
		ctl_err(CMD, _("--config needs a path"));
		return -1;
	}
	rerr = snt_report_day_bounds(cfg->day, &cfg->start_ms, &cfg->end_ms);
	if (rerr == SNT_REPORT_ERR_DATE) {
		ctl_err(CMD, _("invalid date '%s': give a calendar day as YYYY-MM-DD, "
			       "for example 2022-01-31"), cfg->day);
		return -1;
	}
	if (rerr != SNT_REPORT_OK) {
		ctl_err(CMD, _("the day '%s' cannot be represented in local time"), cfg->day);
		return -1;
	}
	return 0;
}

/*
 * Write @len bytes of @data to @path: a temporary file in the same
 * directory, fsync'd, renamed over @path, and the directory fsync'd.
 * Return 0, or -1 after reporting (the temporary file removed, @path as it was).
 */
static int write_atomic(const char *path, const char *data, size_t len)
{
	char *tmp = NULL;
	struct stat sb;
	mode_t mask;
	int fd = -1;

	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		ctl_err(CMD, _("cannot write %s: %s"), path,
			S_ISDIR(sb.st_mode) ? strerror(EISDIR) : _("not a regular file"));
		return -1;
	}
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		tmp = NULL;
		goto err_nomem;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		ctl_err(CMD, _("cannot write %s: %s"), path, strerror(errno));
		goto err_free;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0)
		goto err_io;
	if (snt_write_all(fd, data, len) != 0 || fsync(fd) != 0)
		goto err_io;
	if (close(fd) != 0) {
		fd = -1;
		goto err_io;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto err_io;
	(void)snt_fsync_dir_of(path);	/* best effort: the report is written */
	free(tmp);
	return 0;

err_io:
	ctl_err(CMD, _("cannot write %s: %s"), path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	goto err_free;
err_nomem:
	ctl_err(CMD, _("cannot write %s: %s"), path, strerror(ENOMEM));
err_free:
	free(tmp);
	return -1;
}

/*
 * The installed rule set (<[rules] dir>/rules.cose, verified with [sync]
 * bureau_key) for the header: its version, issue time and freshness at
 * @now, or why it cannot be read (@err, @errlen hold the text).  When none
 * is installed the header shows what the day's entries recorded.
 */
static void read_rules(const struct snt_config *gate, int64_t now, struct snt_report_header *hdr,
		       char *err, size_t errlen)
{
	static const enum snt_report_freshness fresh[] = {
		[SNT_RULES_FRESH] = SNT_REPORT_RULES_FRESH,
		[SNT_RULES_STALE] = SNT_REPORT_RULES_STALE,
		[SNT_RULES_EXPIRED] = SNT_REPORT_RULES_EXPIRED,
	};
	struct snt_rules *rs = NULL;
	struct snt_rules_gate id;
	enum snt_rules_err rerr;
	enum snt_rules_freshness f;
	EVP_PKEY *pub = NULL;
	char why[256];
	struct stat sb;
	char path[PATH_MAX + 16];

	/* No installed set (nor its kept copy): the header shows what the entries recorded. */
	snprintf(path, sizeof(path), "%s/" SNT_RULES_FILE, gate->rules_dir);
	if (!gate->rules_dir[0])
		return;
	if (stat(path, &sb) != 0) {
		snprintf(path, sizeof(path), "%s/" SNT_RULES_KEPT_FILE, gate->rules_dir);
		if (stat(path, &sb) != 0)
			return;
	}
	if (!gate->sync_bureau_key[0]) {
		snprintf(err, errlen, _("no bureau key ([sync] bureau_key) to verify it with"));
		hdr->rules_error = err;
		return;
	}
	if (snt_sign_key_load_public(gate->sync_bureau_key, &pub) != SNT_SIGN_OK) {
		snprintf(err, errlen, _("the bureau key %s cannot be read"), gate->sync_bureau_key);
		hdr->rules_error = err;
		return;
	}
	why[0] = '\0';
	id.home = gate->home;
	id.device_id = gate->device_id;
	rerr = snt_rules_load(gate->rules_dir, pub, &id, &rs, NULL, why, sizeof(why));
	if (rerr == SNT_RULES_OK) {
		hdr->rules_version = rs->version > INT64_MAX ? INT64_MAX : (int64_t)rs->version;
		hdr->rules_issued_utc_ms = rs->issued_ms;
		f = snt_rules_freshness(rs, now);
		if ((unsigned)f < SNT_ARRAY_SIZE(fresh))
			hdr->rules_freshness = fresh[f];
	} else if (rerr != SNT_RULES_ERR_NONE) {
		snprintf(err, errlen, "%s%s%s", snt_rules_strerror(rerr), why[0] ? ": " : "", why);
		hdr->rules_error = err;
	}
	snt_rules_free(rs);
	EVP_PKEY_free(pub);
}

/* The time the report is made: --now, else the system clock (shown, not judged). */
static int64_t report_now(const struct config *cfg)
{
	struct snt_clock clk;

	if (cfg->has_now)
		return cfg->now_ms;
	snt_clock_system(&clk);
	return snt_clock_utc_ms(&clk);
}

int cmd_report(int argc, char **argv)
{
	struct snt_config *gate = NULL;	/* large (paths): on the heap */
	struct snt_report_header hdr;
	struct snt_store_query q;
	struct snt_store_iter *it = NULL;
	struct snt_report *rep = NULL;
	struct snt_store *st = NULL;
	struct snt_entry e;
	struct config cfg;
	enum snt_store_err err;
	enum snt_report_err rerr;
	const char *conf, *db;
	char errbuf[512], rules_err[512], entries[64], rows[96];
	char *html = NULL;
	size_t len = 0;
	int64_t exits = -1, last = 0;
	int status = SNT_EXIT_FAIL, to_stdout;
	int r;

	r = parse_config(argc, argv, &cfg);
	if (r)
		return ctl_parse_exit(CMD, r);
	to_stdout = ctl_output_target(CMD, cfg.output);
	if (to_stdout < 0)
		return SNT_EXIT_FAIL;	/* not written (as any file that cannot be) */

	/* The configuration: --config, else the default one when the log is not named. */
	gate = malloc(sizeof(*gate));
	if (!gate) {
		ctl_err(CMD, "%s", strerror(ENOMEM));
		return SNT_EXIT_FAIL;
	}
	snt_config_defaults(gate);
	conf = cfg.conf;
	if (!conf && !cfg.db && !getenv("SENTINEL_DB") && access(SNT_CONFIG_DEFAULT_PATH, R_OK) == 0)
		conf = SNT_CONFIG_DEFAULT_PATH;
	if (conf && snt_config_load(conf, gate, errbuf, sizeof(errbuf)) != SNT_CONFIG_OK) {
		ctl_err(CMD, "%s", errbuf);
		free(gate);
		return SNT_EXIT_FAIL;
	}
	if (conf && snt_clock_use_zone(gate->timezone)) {	/* the report's hours in [station] timezone */
		ctl_err(CMD, _("%s: [station] timezone '%s' cannot be set"), conf, gate->timezone);
		free(gate);
		return SNT_EXIT_FAIL;
	}
	db = cfg.db ? cfg.db : conf ? gate->db : ctl_db_path(NULL);

	if (ctl_db_companions(CMD, db)) {
		free(gate);
		return SNT_EXIT_FAIL;
	}
	err = snt_store_open(db, true, &st);
	if (err) {
		ctl_store_open_error(CMD, db, err);
		if (err == SNT_STORE_ERR_CORRUPT)
			ctl_err(CMD, _("the log is damaged: run 'sentinelctl verify-log --db %s' to find where"),
				db);
		free(gate);
		return SNT_EXIT_FAIL;
	}

	memset(&hdr, 0, sizeof(hdr));
	hdr.home = conf ? gate->home : "";
	hdr.gate = conf ? gate->device_id : "";
	hdr.day = cfg.day;
	hdr.day_start_utc_ms = cfg.start_ms;
	hdr.day_end_utc_ms = cfg.end_ms;
	hdr.fever_threshold_mdc = gate->fever_threshold_mdc;
	hdr.now_utc_ms = report_now(&cfg);
	if (conf)
		read_rules(gate, hdr.now_utc_ms, &hdr, rules_err, sizeof(rules_err));
	err = snt_store_events_count(st, SNT_EVENT_EXIT, cfg.start_ms, cfg.end_ms, &exits);
	if (err) {
		ctl_err(CMD, _("cannot read %s: %s: %s"), db, snt_store_strerror(err),
			snt_store_errmsg(st));
		goto out_close;
	}
	hdr.exits = exits;
	rerr = snt_report_new(&hdr, &rep);
	if (rerr) {
		ctl_err(CMD, "%s", snt_report_strerror(rerr));
		goto out_close;
	}

	memset(&q, 0, sizeof(q));
	q.since_utc_ms = cfg.start_ms;
	q.until_utc_ms = cfg.end_ms;
	err = snt_store_query_new(st, &q, &it);
	if (err) {
		ctl_err(CMD, _("cannot read %s: %s: %s"), db, snt_store_strerror(err),
			snt_store_errmsg(st));
		goto out_free;
	}
	while ((err = snt_store_iter_next(it, &e)) == SNT_STORE_OK) {
		err = snt_store_rebase_entry(st, &e);
		if (err)
			break;
		rerr = snt_report_add(rep, &e);
		if (rerr) {
			ctl_err(CMD, _("entry %lld: %s"), (long long)e.seq, snt_report_strerror(rerr));
			goto out_free;
		}
		last = e.seq;
	}
	if (err != SNT_STORE_ERR_DONE) {
		ctl_err(CMD, _("%s: cannot read the log after seq %lld: %s: %s"), db, (long long)last,
			snt_store_strerror(err), snt_store_errmsg(st));
		if (err == SNT_STORE_ERR_CORRUPT)
			ctl_err(CMD, _("the log is damaged: run 'sentinelctl verify-log --db %s' to find where"),
				db);
		goto out_free;
	}
	snt_store_iter_free(it);
	it = NULL;

	rerr = snt_report_render(rep, &html, &len);
	if (rerr) {
		ctl_err(CMD, "%s", snt_report_strerror(rerr));
		goto out_free;
	}
	if (to_stdout) {	/* -o -: the page on standard output, the summary on stderr */
		if (fwrite(html, 1, len, stdout) != len)
			goto out_free;	/* said below */
	} else if (write_atomic(cfg.output, html, len) != 0) {
		goto out_free;
	}
	snprintf(entries, sizeof(entries), P_("%lld entry", "%lld entries", snt_report_entries(rep)),
		 (long long)snt_report_entries(rep));
	snprintf(rows, sizeof(rows), P_("%lld denial, referral or fever", "%lld denials, referrals and fevers",
					 snt_report_rows(rep)), (long long)snt_report_rows(rep));
	fprintf(to_stdout ? stderr : stdout, _("%s: %s, %s\n"), to_stdout ? _("standard output") : cfg.output,
		entries, rows);
	status = SNT_EXIT_OK;

out_free:
	free(html);
	snt_store_iter_free(it);
	snt_report_free(rep);
out_close:
	snt_store_close(st);
	free(gate);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ctl_err(CMD, _("cannot write to standard output: %s"), strerror(errno));
		status = SNT_EXIT_FAIL;
	}
	return status;
}
