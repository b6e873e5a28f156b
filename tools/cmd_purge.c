// SPDX-License-Identifier: MIT
/*
 * sentinelctl purge: the retention purge (snt_store_purge()).  Removes the
 * oldest entries of the gate's log that the bureau has acknowledged and
 * that are older than --older-than DAYS, as one contiguous prefix of the
 * chain, and records the purge (range, count, chain anchor) so the rest of
 * the log still verifies (sentinelctl verify-log).  It may run while
 * sentineld writes: SQLite's write lock serialises the two.
 *
 * "Now" is --now, else the system clock when it is trusted (NTP), else the
 * bureau's time of this boot when the log holds one (a rebase record of the
 * current boot id, snt_store_get_rebase(): the time at boot plus the
 * monotonic time since), else unknown: never purge on an untrusted clock
 * (one set years ahead would remove entries that are not old).  Unknown is
 * exit 2, or with --if-trusted (the daily timer's, for a gate synced by
 * stick only, whose clock may never be trusted) one line and exit 0.
 * Hidden option, for tests only: --untrusted-clock (take the system clock
 * as untrusted whatever it says).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock/clock.h"
#include "store/store.h"
#include "tools/common.h"
#include "common/i18n.h"

#define CMD "purge"
#define MAX_DAYS 36500		/* a hundred years */
#define DAY_MS INT64_C(86400000)
#define TIME_LEN 32

struct config {
	const char *db;
	char dbbuf[PATH_MAX];	/* [station] db of --config */
	long long days;		/* -1: not given */
	bool has_now;		/* --now given */
	int64_t now_ms;		/* --now, ms since the epoch */
	bool if_trusted;	/* --if-trusted: an unknown time is nothing to do */
	bool untrusted_clock;	/* --untrusted-clock (tests) */
};

static void usage(FILE *f)
{
	fprintf(f,
		_("Usage: sentinelctl purge --older-than DAYS [--db PATH | -c FILE] [--now RFC3339]\n"
		"                         [--if-trusted]\n"
		"\n"
		"Remove the oldest log entries that the bureau has acknowledged and that\n"
		"are older than DAYS days, and record the purge so the log still verifies.\n"
		"\n"
		"Options:\n"
		"  --older-than DAYS  keep entries of the last DAYS days (0-%d)\n"
		"  --db PATH          log database (default: $SENTINEL_DB, else %s)\n"
		"  -c, --config FILE  the log of FILE's [station] db\n"
		"  --now RFC3339      the time now (default: the system clock when it is\n"
		"                     NTP-synchronised, else the bureau's time of this boot\n"
		"                     from an online sync)\n"
		"  --if-trusted       when the time is not known, say so and exit 0 (the\n"
		"                     timer's: nothing is purged on an untrusted clock)\n"
		"  -h, --help         show this help\n"
		"\n"
		"Exit status: 0 purged, or nothing to purge (with --if-trusted, also when the\n"
		"time is not known); 1 the purge failed (nothing was removed); 2 usage error,\n"
		"untrusted clock, or the log cannot be opened.\n"),
		MAX_DAYS, SNT_DEFAULT_DB);
}

/* A whole number of days, digits only, 0..MAX_DAYS; -1 otherwise. */
static long long parse_days(const char *s)
{
	char *end;
	long long v;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v > MAX_DAYS)
		return -1;
	return v;
}

/* Return 0 to run, 1 after --help, -1 on a usage error (already reported). */
static int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "older-than", required_argument, NULL, 'o' },
		{ "db", required_argument, NULL, 'd' },
		CTL_OPT_CONFIG,
		{ "now", required_argument, NULL, 'n' },
		{ "if-trusted", no_argument, NULL, 'T' },
		{ "untrusted-clock", no_argument, NULL, 'U' },
		CTL_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *conf = NULL;
	int c;

	ctl_getopt_start(cfg, sizeof(*cfg));
	cfg->days = -1;
	while ((c = getopt_long(argc, argv, ":hc:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			cfg->days = parse_days(optarg);
			if (cfg->days < 0) {
				ctl_err(CMD, _("--older-than needs a whole number of days from 0 to %d, "
					"not '%s'"), MAX_DAYS, optarg);
				return -1;
			}
			break;
		case 'd':
			db = optarg;
			break;
		case 'c':
			conf = optarg;
			break;
		case 'n':
			if (snt_clock_parse_rfc3339(optarg, &cfg->now_ms) != 0) {
				ctl_err(CMD, _("--now needs an RFC 3339 time such as 2022-01-31T00:00:00Z, "
					"not '%s'"), optarg);
				return -1;
			}
			cfg->has_now = true;
			break;
		case 'T':
			cfg->if_trusted = true;
			break;
		case 'U':
			cfg->untrusted_clock = true;
			break;
		default:
			return ctl_getopt_other(CMD, c, argv, usage);
		}
	}
	if (optind == argc && cfg->days < 0) {
		ctl_err(CMD, _("--older-than DAYS is required"));
		return -1;
	}
	return ctl_check_args_config(CMD, argc, argv, db, conf, cfg->dbbuf, sizeof(cfg->dbbuf), &cfg->db);
}

/*
 * The time now (top of this file): --now, the trusted system clock, or the
 * bureau's time of this boot from @st.  0; 1 when it is not known (nothing
 * said); -1 on an error reported.
 */
static int get_now(const struct config *cfg, struct snt_store *st, int64_t *now)
{
	char boot_id[64];
	struct snt_clock clk;
	int64_t at_boot;
	enum snt_store_err e;

	if (cfg->has_now) {
		*now = cfg->now_ms;
		return 0;
	}
	snt_clock_system(&clk);
	if (!cfg->untrusted_clock && snt_clock_state_get(&clk) == SNT_CLOCK_TRUSTED) {
		*now = snt_clock_utc_ms(&clk);
		return 0;
	}
	if (snt_clock_boot_id(boot_id, sizeof(boot_id)) != 0)
		return 1;
	e = snt_store_get_rebase(st, boot_id, &at_boot);
	if (e == SNT_STORE_ERR_DONE)
		return 1;
	if (e) {
		ctl_err(CMD, _("%s: the bureau's time of this boot: %s"), cfg->db, snt_store_strerror(e));
		return -1;
	}
	*now = at_boot + snt_clock_mono_ms(&clk);
	return 0;
}

static void format_time(int64_t utc_ms, char *buf, size_t size)
{
	if (snt_clock_format_rfc3339(utc_ms, buf, size) != 0)
		snprintf(buf, size, "%lld ms", (long long)utc_ms);
}

static void print_result(const struct snt_store_purge_result *r, const char *cutoff)
{
	char anchor[2 * SNT_HASH_LEN + 1];
	long long next = r->next_seq;

	if (r->count > 0) {
		snt_hex_encode(r->anchor, SNT_HASH_LEN, anchor);
		printf(P_("purged seq %lld-%lld (%lld entry) older than %s, ack %lld; chain anchor %s; ",
			  "purged seq %lld-%lld (%lld entries) older than %s, ack %lld; chain anchor %s; ", r->count),
		       (long long)r->first_seq, (long long)r->last_seq, (long long)r->count, cutoff,
		       (long long)r->ack_seq, anchor);
		if (r->stop == SNT_PURGE_STOP_ACK)
			printf(_("kept from seq %lld: not acknowledged\n"), next);
		else if (r->stop == SNT_PURGE_STOP_CUTOFF)
			printf(_("kept from seq %lld: not older than the cutoff\n"), next);
		else
			printf("%s\n", _("no entry left"));
		return;
	}
	if (r->stop == SNT_PURGE_STOP_ACK)
		printf(_("nothing to purge: seq %lld is not acknowledged (ack %lld)\n"), next,
		       (long long)r->ack_seq);
	else if (r->stop == SNT_PURGE_STOP_CUTOFF)
		printf(_("nothing to purge: seq %lld is not older than %s\n"), next, cutoff);
	else
		printf("%s\n", _("nothing to purge: the log has no entries"));
}

int cmd_purge(int argc, char **argv)
{
	struct snt_store_purge_result r;
	struct snt_store *st = NULL;
	struct config cfg;
	enum snt_store_err err;
	char cutoff_text[TIME_LEN];
	int64_t now, cutoff;
	int status = SNT_EXIT_OK;
	int p;

	p = parse_config(argc, argv, &cfg);
	if (p)
		return ctl_parse_exit(CMD, p);
	if (ctl_db_companions(CMD, cfg.db))
		return SNT_EXIT_USAGE;
	err = snt_store_open(cfg.db, false, &st);
	if (err) {
		ctl_err(CMD, _("cannot open %s: %s"), cfg.db, snt_store_strerror(err));
		return SNT_EXIT_USAGE;
	}
	p = get_now(&cfg, st, &now);
	if (p) {
		snt_store_close(st);
		if (p < 0)
			return SNT_EXIT_USAGE;
		/* A clock years ahead would purge entries that are not old. */
		if (cfg.if_trusted) {
			printf(_("purge skipped: the clock is not trusted (not NTP-synchronised, no bureau time "
				 "this boot); nothing removed\n"));
			return SNT_EXIT_OK;
		}
		ctl_err(CMD, _("the system clock is not synchronised (NTP) and this boot has no bureau time, "
			       "so 'now' is not known: give --now (or --if-trusted to skip)"));
		return SNT_EXIT_USAGE;
	}
	cutoff = now - cfg.days * DAY_MS;
	format_time(cutoff, cutoff_text, sizeof(cutoff_text));

	err = snt_store_purge(st, cutoff, now, &r);
	if (err) {
		ctl_err(CMD, "%s: %s: %s", cfg.db, snt_store_strerror(err),
			snt_store_errmsg(st));
		status = SNT_EXIT_FAIL;
	} else {
		print_result(&r, cutoff_text);
	}
	snt_store_close(st);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ctl_err(CMD, _("cannot write the result: %s"), strerror(errno));
		status = SNT_EXIT_USAGE;
	}
	return status;
}
