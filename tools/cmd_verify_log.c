// SPDX-License-Identifier: MIT
/*
 * sentinelctl verify-log: check the gate's log (snt_store_verify_ex()): the
 * hash chain from seq 1 or the last purge's anchor, the sequence without
 * gaps, every stored value, the acknowledgement cursor, the head file
 * ("<db>.head": a log that went backwards), the alerts and events against
 * the entries, SQLite's PRAGMA integrity_check, and with --seal-key every
 * entry's forward-secure seal (fss.h).  One summary line naming the first
 * bad entry by seq; with --json one JSON object in every case, errors
 * included ({"status": "error", "error": "..."}).  The log is opened
 * read-only and checked in one read transaction, so it may run while
 * sentineld writes.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "clock/clock.h"
#include "fss/fss.h"
#include "store/store.h"
#include "tools/common.h"
#include "common/i18n.h"

#define CMD "verify-log"

struct config {
	const char *db;
	const char *seal_key;
	char dbbuf[PATH_MAX];	/* [station] db of --config */
	bool json;
};

static void usage(FILE *f)
{
	fprintf(f,
		_("Usage: sentinelctl verify-log [--db PATH | -c FILE] [--json] [--seal-key FILE]\n"
		"\n"
		"Check the gate's log: hash chain, sequence without gaps, stored values,\n"
		"purge records, acknowledged entries present, the head file (a log that\n"
		"went backwards), alerts and events against entries, SQLite integrity_check;\n"
		"with --seal-key, every entry's forward-secure seal.\n"
		"\n"
		"Options:\n"
		"  --db PATH        log database (default: $SENTINEL_DB, else %s)\n"
		"  -c, --config FILE  the log of FILE's [station] db\n"
		"  --json           the summary as one JSON object (also for errors)\n"
		"  --seal-key FILE  the gate's first seal key (from 'sentinelctl keys init')\n"
		"  -h, --help       show this help\n"
		"\n"
		"Exit status: 0 clean; 1 damaged (the first bad entry is named by seq);\n"
		"2 usage error, or the log or the seal key cannot be opened or read.\n"),
		SNT_DEFAULT_DB);
}

/* Return 0 to run, 1 after --help, -1 on a usage error (already reported). */
static int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		CTL_OPT_CONFIG,
		{ "json", no_argument, NULL, 'j' },
		{ "seal-key", required_argument, NULL, 's' },
		CTL_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *conf = NULL;
	int c;

	ctl_getopt_start(cfg, sizeof(*cfg));
	while ((c = getopt_long(argc, argv, ":hc:", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'c':
			conf = optarg;
			break;
		case 'j':
			cfg->json = true;
			break;
		case 's':
			cfg->seal_key = optarg;
			break;
		default:
			return ctl_getopt_other(CMD, c, argv, usage);
		}
	}
	return ctl_check_args_config(CMD, argc, argv, db, conf, cfg->dbbuf, sizeof(cfg->dbbuf), &cfg->db);
}

/*
 * The findings of snt_store_verify() that are fixed texts (store_maint.c,
 * store_verify.c), marked here for the catalogue: the report shows them
 * through _() (a finding with a number in it stays as the store wrote it).
 */
static const char *const findings[] __attribute__((unused)) = {
	N_("entry inside a purged range"), N_("gap before"), N_("prev_hash does not link"), N_("hash mismatch"),
	N_("unknown hash form"), N_("purge record does not follow"), N_("rebase record invalid"),
	N_("seal missing"), N_("seal epoch out of order"), N_("seal does not verify"), N_("alert missing"),
	N_("personal record does not match its digest"), N_("head file missing"), N_("head file invalid"),
	N_("head file hash differs"), N_("unreadable: not a database, or its header is malformed"),
};

/*
 * The finding in the user's language: the store's reason_text, else (a
 * report made here) the reason when it is one of the above ("" stays "":
 * gettext's header).
 */
static const char *finding(const struct snt_store_verify_report *r)
{
	if (r->reason_text[0])
		return r->reason_text;
	return r->reason[0] ? _(r->reason) : r->reason;
}

static void print_text(const struct snt_store_verify_report *r)
{
	double s = (double)r->elapsed_ms / 1000.0;

	if (r->status == SNT_VERIFY_CLEAN) {
		if (r->entries > 0)
			printf(P_("clean: %lld entry checked (seq %lld-%lld), purged through seq %lld, ack %lld, %.3f s\n",
				  "clean: %lld entries checked (seq %lld-%lld), purged through seq %lld, ack %lld, "
				  "%.3f s\n", r->entries),
			       (long long)r->entries, (long long)r->first_seq, (long long)r->last_good_seq,
			       (long long)r->anchor_seq, (long long)r->ack_seq, s);
		else
			printf(_("clean: 0 entries checked, purged through seq %lld, ack %lld, %.3f s\n"),
			       (long long)r->anchor_seq, (long long)r->ack_seq, s);
		return;
	}
	if (r->first_bad_seq > 0)
		printf(P_("damaged: seq %lld: %s (%lld entry checked before it, last good seq %lld), %.3f s\n",
			  "damaged: seq %lld: %s (%lld entries checked before it, last good seq %lld), %.3f s\n",
			  r->entries),
		       (long long)r->first_bad_seq, finding(r), (long long)r->entries, (long long)r->last_good_seq, s);
	else
		printf(P_("damaged: %s (%lld entry checked), %.3f s\n", "damaged: %s (%lld entries checked), %.3f s\n",
			  r->entries),
		       finding(r), (long long)r->entries, s);
}

/* json_object_set_new() that also fails on a NULL value. */
static int set(json_t *obj, const char *key, json_t *value)
{
	if (!value)
		return -1;
	return json_object_set_new(obj, key, value);
}

static int print_json(const struct snt_store_verify_report *r, bool sealed)
{
	json_t *obj = json_object();
	bool clean = r->status == SNT_VERIFY_CLEAN;
	int rc = 0;

	if (!obj)
		return -1;
	rc |= set(obj, "status", json_string(clean ? "clean" : "damaged"));
	if (!clean) {
		rc |= set(obj, "seq", r->first_bad_seq > 0 ? json_integer(r->first_bad_seq) : json_null());
		rc |= set(obj, "reason", json_string(r->reason));
	}
	rc |= set(obj, "entries", json_integer(r->entries));
	rc |= set(obj, "first_seq", r->entries > 0 ? json_integer(r->first_seq) : json_null());
	rc |= set(obj, "last_good_seq", r->entries > 0 ? json_integer(r->last_good_seq) : json_null());
	rc |= set(obj, "purged_through", json_integer(r->anchor_seq));
	rc |= set(obj, "purges", json_integer(r->purges));
	rc |= set(obj, "ack", json_integer(r->ack_seq));
	rc |= set(obj, "seconds", json_real((double)r->elapsed_ms / 1000.0));
	rc |= set(obj, "head_seq", r->head_seq >= 0 ? json_integer(r->head_seq) : json_null());
	if (sealed)
		rc |= set(obj, "sealed", json_integer(r->sealed));
	if (!rc && json_dumpf(obj, stdout, JSON_REAL_PRECISION(6)) == 0)
		putchar('\n');
	else
		rc = -1;
	json_decref(obj);
	return rc;
}

/* With --json, an error that stops the check as the one JSON object. */
static void json_error(const struct config *cfg, const char *msg)
{
	json_t *obj;

	if (!cfg->json)
		return;
	obj = json_pack("{s:s, s:s}", "status", "error", "error", msg);
	if (obj && json_dumpf(obj, stdout, 0) == 0)
		putchar('\n');
	json_decref(obj);
}

/* An error that stops the check: the message on stderr, and with --json also as JSON. */
static void SNT_PRINTF(2, 3) fail(const struct config *cfg, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctl_err(CMD, "%s", msg);
	json_error(cfg, msg);
}

int cmd_verify_log(int argc, char **argv)
{
	struct snt_store_verify_opts opts = { .head = true };
	struct snt_store_verify_report r;
	struct snt_store *st = NULL;
	struct snt_fss key = { 0 };
	struct snt_clock clk;
	struct config cfg;
	enum snt_store_err err;
	enum snt_fss_err ferr;
	int status;
	int p, e;

	p = parse_config(argc, argv, &cfg);
	if (p)
		return ctl_parse_exit(CMD, p);

	if (cfg.seal_key) {
		ferr = snt_fss_read(cfg.seal_key, &key, &e);
		if (!ferr && key.epoch != 0) {
			fail(&cfg, _("%s: not a first seal key (epoch %lld, not 0)"), cfg.seal_key,
			     (long long)key.epoch);
			snt_fss_wipe(&key);
			return SNT_EXIT_USAGE;
		}
		if (ferr) {
			fail(&cfg, "%s: %s%s%s", cfg.seal_key, snt_fss_strerror(ferr), e ? ": " : "",
			     e ? snt_open_strerror(e) : "");
			return SNT_EXIT_USAGE;
		}
		opts.seal = &key;
	}
	if (ctl_db_companions(CMD, cfg.db)) {
		json_error(&cfg, "cannot open the log: a companion file (-wal, -shm, -journal) is refused");
		status = SNT_EXIT_USAGE;
		goto out;
	}
	err = snt_store_open(cfg.db, true, &st);
	if (err == SNT_STORE_ERR_CORRUPT) {
		/* SQLite cannot read even the header: damaged, no entry to name. */
		memset(&r, 0, sizeof(r));
		r.head_seq = -1;
		r.status = SNT_VERIFY_DAMAGED;
		snt_strlcpy(r.reason, "unreadable: not a database, or its header is malformed",
			    sizeof(r.reason));
	} else if (err) {
		ctl_store_open_error(CMD, cfg.db, err);
		json_error(&cfg, snt_store_strerror(err));
		status = SNT_EXIT_USAGE;
		goto out;
	} else {
		snt_clock_system(&clk);
		err = snt_store_verify_ex(st, &clk, &opts, &r);
		if (err) {
			fail(&cfg, _("cannot read %s: %s: %s"), cfg.db, snt_store_strerror(err),
			     snt_store_errmsg(st));
			status = SNT_EXIT_USAGE;
			goto out;
		}
	}
	status = r.status == SNT_VERIFY_CLEAN ? SNT_EXIT_OK : SNT_EXIT_FAIL;
	if (!cfg.json) {
		print_text(&r);
	} else if (print_json(&r, opts.seal != NULL)) {
		ctl_err(CMD, _("cannot format the report as JSON"));
		status = SNT_EXIT_USAGE;
	}

out:
	snt_store_close(st);
	snt_fss_wipe(&key);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ctl_err(CMD, _("cannot write the report: %s"), strerror(errno));
		status = SNT_EXIT_USAGE;
	}
	return status;
}
