// SPDX-License-Identifier: MIT
/*
 * sentinelctl alerts: what staff must see and close: fevers, referrals,
 * the issuing platform's verdicts that contradict the colour read, device
 * faults (raised by the store, schema 3), newest first; unacknowledged
 * ones unless --all.  `--ack ID --staff REF` closes one alert with the
 * staff member's reference, once (the store refuses a second
 * acknowledgement).
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

#define CMD "alerts"
#define TABLE_WIDTH 80
#define DETAIL_COL 49	/* 7+1 + 19+1 + 13+1 + 7 */

struct config {
	struct rv_source src;
	bool all;
	bool json;
	int64_t ack_id;		/* 0: list */
	const char *staff;	/* with --ack */
};

static void usage(FILE *f)
{
	fprintf(f,
		_("Usage: sentinelctl alerts [--db PATH | --config FILE] [--all] [--json]\n"
		"       sentinelctl alerts [--db PATH | --config FILE] --ack ID --staff REF\n"
		"\n"
		"List the alerts staff must see, newest first: fevers, referrals,\n"
		"contradicting platform verdicts and device faults.  With --ack, close alert\n"
		"ID as seen by the staff member REF (once).\n"
		"\n"
		"Options:\n"
		"  --db PATH          log database (default: [station] db of --config, else\n"
		"                     $SENTINEL_DB, else %s)\n"
		"  -c, --config FILE  read the log's path from this configuration\n"
		"  --all              acknowledged alerts too\n"
		"  --json             one JSON object per alert and line: id, time, kind, seq,\n"
		"                     event, detail, ack_time, ack_by (null when not set)\n"
		"  --ack ID           acknowledge alert ID (needs --staff)\n"
		"  --staff REF        the staff reference: 1-32 of A-Z a-z 0-9 -\n"
		"  -h, --help         show this help\n"
		"\n"
		"Exit status: 0 listed or acknowledged; 1 no such alert, already\n"
		"acknowledged, or the log could not be read or written; 2 usage error, or\n"
		"the log cannot be opened.\n"),
		SNT_DEFAULT_DB);
}

static bool staff_ref_ok(const char *r)
{
	size_t n = strlen(r);

	if (n < 1 || n >= SNT_STAFF_REF_LEN)
		return false;
	return strspn(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* Return 0 to run, 1 after --help, -1 on a usage error (already reported). */
static int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		RV_SOURCE_LONGOPTS,
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "ack", required_argument, NULL, 'k' },
		{ "staff", required_argument, NULL, 's' },
		CTL_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	ctl_getopt_start(cfg, sizeof(*cfg));
	while ((c = rv_getopt(argc, argv, ":c:h", longopts, &cfg->src)) != -1) {
		switch (c) {
		case 'a':
			cfg->all = true;
			break;
		case 'j':
			cfg->json = true;
			break;
		case 'k':
			errno = 0;
			cfg->ack_id = strtoll(optarg, &end, 10);
			if (errno || end == optarg || *end || cfg->ack_id < 1) {
				ctl_err(CMD, _("--ack: '%s' is not an alert number."), optarg);
				return -1;
			}
			break;
		case 's':
			if (!staff_ref_ok(optarg)) {
				ctl_err(CMD, _("--staff: a staff reference is 1-32 letters, digits or '-'."));
				return -1;
			}
			cfg->staff = optarg;
			break;
		default:
			return ctl_getopt_other(CMD, c, argv, usage);
		}
	}
	if (ctl_no_operands(CMD, argc, argv))
		return -1;
	if (cfg->ack_id && !cfg->staff) {
		ctl_err(CMD, _("--ack needs --staff REF: who acknowledges it."));
		return -1;
	}
	if (!cfg->ack_id && cfg->staff) {
		ctl_err(CMD, _("--staff is only used with --ack."));
		return -1;
	}
	if (cfg->ack_id && (cfg->all || cfg->json)) {
		ctl_err(CMD, _("--ack cannot be used with --all or --json."));
		return -1;
	}
	return 0;
}

static json_t *json_time_or_null(int64_t utc_ms)
{
	char t[32];

	if (!utc_ms || snt_clock_format_rfc3339(utc_ms, t, sizeof(t)) != 0)
		return json_null();
	return json_string(t);
}

static int print_json(const struct snt_alert *a)
{
	json_t *o = json_object();
	int rc = 0;

	if (!o)
		return -1;
	rc |= json_object_set_new(o, "id", json_integer(a->id));
	rc |= json_object_set_new(o, "time", json_time_or_null(a->created_utc_ms));
	rc |= json_object_set_new(o, "kind", json_string(snt_alert_kind_name(a->kind)));
	rc |= json_object_set_new(o, "seq", a->seq ? json_integer(a->seq) : json_null());
	rc |= json_object_set_new(o, "event", a->event_id ? json_integer(a->event_id) : json_null());
	rc |= json_object_set_new(o, "detail", a->detail[0] ? json_string(a->detail) : json_null());
	rc |= json_object_set_new(o, "ack_time", json_time_or_null(a->ack_utc_ms));
	rc |= json_object_set_new(o, "ack_by", a->ack_by[0] ? json_string(a->ack_by) : json_null());
	if (!rc)
		rc = json_dumpf(o, stdout, 0);
	if (!rc)
		putchar('\n');
	json_decref(o);
	return rc ? -1 : 0;
}

/* The detail column: the alert's text, or a fever's temperature from its entry. */
static void detail_text(struct snt_store *st, const struct snt_alert *a, char *buf, size_t size)
{
	struct snt_entry e;

	if (a->detail[0]) {
		snt_strlcpy(buf, a->detail, size);
		return;
	}
	buf[0] = '\0';
	if (a->kind == SNT_ALERT_FEVER && a->seq && snt_store_get(st, a->seq, &e) == SNT_STORE_OK &&
	    e.has_temp) {
		char t[16];

		rv_format_temp(e.temp_dc, t, sizeof(t));
		snprintf(buf, size, "%s C", t);
	}
}

static void print_row(struct snt_store *st, const struct snt_alert *a, bool use_locale)
{
	char when[SNT_REVIEW_LOCAL_LEN], seq[24], detail[SNT_EVENT_DETAIL_LEN];
	char fitted[4 * TABLE_WIDTH + 1];
	const int room = TABLE_WIDTH - DETAIL_COL - 1;

	rv_local_time(a->created_utc_ms, when, sizeof(when));
	if (a->seq)
		snprintf(seq, sizeof(seq), "%lld", (long long)a->seq);
	else
		snt_strlcpy(seq, "-", sizeof(seq));
	detail_text(st, a, detail, sizeof(detail));
	printf("%7lld %-19s %-13s %7s", (long long)a->id, when, snt_alert_kind_name(a->kind), seq);
	if (detail[0]) {
		/* Short text on the line, longer text on its own line below. */
		int w = snt_review_width(detail, use_locale);

		if (w <= room) {
			if (snt_review_fit(detail, room, use_locale, fitted, sizeof(fitted), NULL) == 0)
				printf(" %s", fitted);
		} else if (snt_review_fit(detail, TABLE_WIDTH - 8, use_locale, fitted, sizeof(fitted),
					  NULL) == 0) {
			printf("\n        %s", fitted);
		}
	}
	putchar('\n');
	if (a->ack_utc_ms) {
		rv_local_time(a->ack_utc_ms, when, sizeof(when));
		printf(_("        acknowledged by %s at %s\n"), a->ack_by, when);
	}
}

static int list(const struct config *cfg, const char *db, struct snt_store *st)
{
	struct snt_store_alert_iter *it = NULL;
	struct snt_alert a;
	enum snt_store_err err;
	bool use_locale = snt_review_locale_utf8();
	int64_t n = 0;

	err = snt_store_alerts_new(st, !cfg->all, &it);
	if (err) {
		rv_read_error(CMD, db, st, err, 0);
		return SNT_EXIT_FAIL;
	}
	if (!cfg->json) {
		ctl_pad(stdout, _("id"), 7, true);
		putchar(' ');
		ctl_pad(stdout, _("time"), 19, false);
		putchar(' ');
		ctl_pad(stdout, _("kind"), 13, false);
		putchar(' ');
		ctl_pad(stdout, _("seq"), 7, true);
		printf(" %s\n", _("detail"));
	}
	while ((err = snt_store_alerts_next(it, &a)) == SNT_STORE_OK) {
		if (cfg->json) {
			if (print_json(&a)) {
				ctl_err(CMD, _("alert %lld: cannot format it as JSON."), (long long)a.id);
				snt_store_alerts_free(it);
				return SNT_EXIT_FAIL;
			}
		} else {
			print_row(st, &a, use_locale);
		}
		n++;
	}
	snt_store_alerts_free(it);
	if (err != SNT_STORE_ERR_DONE) {
		if (err == SNT_STORE_ERR_CORRUPT)
			ctl_err(CMD,
				_("%s: an alert does not parse (%s); run 'sentinelctl verify-log --db %s'."),
				db, snt_store_errmsg(st), db);
		else
			ctl_err(CMD, _("%s: cannot read the alerts: %s: %s"), db, snt_store_strerror(err),
				snt_store_errmsg(st));
		return SNT_EXIT_FAIL;
	}
	if (!cfg->json && n == 0)
		fputs(cfg->all ? _("No alerts.\n") : _("No open alerts.\n"), stdout);
	return SNT_EXIT_OK;
}

static int ack(const struct config *cfg, const char *db, struct snt_store *st)
{
	struct snt_clock clk;
	enum snt_store_err err;

	/* The acknowledgement's time: the one place this command reads the clock. */
	snt_clock_system(&clk);
	err = snt_store_alert_ack(st, cfg->ack_id, cfg->staff, snt_clock_utc_ms(&clk));
	switch (err) {
	case SNT_STORE_OK:
		printf(_("Alert %lld acknowledged by %s.\n"), (long long)cfg->ack_id, cfg->staff);
		return SNT_EXIT_OK;
	case SNT_STORE_ERR_DONE:
		ctl_err(CMD, _("there is no alert %lld."), (long long)cfg->ack_id);
		return SNT_EXIT_FAIL;
	case SNT_STORE_ERR_EXISTS:
		ctl_err(CMD, _("alert %lld was acknowledged already."), (long long)cfg->ack_id);
		return SNT_EXIT_FAIL;
	default:
		ctl_err(CMD, _("%s: cannot acknowledge alert %lld: %s: %s"), db, (long long)cfg->ack_id,
			snt_store_strerror(err), snt_store_errmsg(st));
		return SNT_EXIT_FAIL;
	}
}

int cmd_alerts(int argc, char **argv)
{
	struct snt_store *st = NULL;
	struct config cfg;
	char pathbuf[PATH_MAX];
	const char *db;
	int status, r;

	r = parse_config(argc, argv, &cfg);
	if (r)
		return ctl_parse_exit(CMD, r);
	db = rv_db_open(CMD, &cfg.src, cfg.ack_id != 0, pathbuf, sizeof(pathbuf), &st);
	if (!db)
		return SNT_EXIT_USAGE;
	status = cfg.ack_id ? ack(&cfg, db, st) : list(&cfg, db, st);
	snt_store_close(st);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ctl_err(CMD, _("cannot write to standard output: %s"), strerror(errno));
		status = SNT_EXIT_USAGE;
	}
	return status;
}
