// SPDX-License-Identifier: MIT
/*
 * sentineld: the gate daemon.  Owns the board (camera, thermometer, GPIO
 * lines, display) and the log writer; one wait loop serves the board's
 * inputs and the signals (signalfd); each person at the gate is one visit
 * (checkin/).  The start-up steps are in sentineld_start.c.  See
 * sentineld(8).
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkin/checkin.h"
#include "common/i18n.h"
#include "config/config.h"
#include "hal.h"
#include "journal/journal.h"
#include "log/log.h"
#include "notify/notify.h"
#include "rules/rules.h"
#include "sign/sign.h"
#include "store/store.h"
#include "trust/trust.h"
#include "trustlist/trustlist.h"

#include "sentineld_internal.h"

/* How often an un-enrolled gate looks for its enrolment file (board clock ms). */
#define ENROLMENT_POLL_MS 5000

static void usage(FILE *f)
{
	fprintf(f,
		_("Usage: sentineld [-n] [-f] [-v] [-c FILE]\n"
		"\n"
		"The health-check gate daemon.\n"
		"\n"
		"  -c, --config FILE  configuration file (default %s)\n"
		"  -n, --check        check the configuration and exit\n"
		"  -f, --foreground   stay in the foreground and log to stderr\n"
		"  -v, --verbose      log debug messages too\n"
		"  -h, --help         show this help\n"
		"  -V, --version      show the version\n"),
		SNT_CONFIG_DEFAULT_PATH);
}

/* Return -1 to continue, or an exit status. */
static int parse_args(struct ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	opterr = 0;	/* our own messages, named "sentineld" not argv[0] */
	c->config_path = SNT_CONFIG_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "c:nfvhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			c->config_path = optarg;
			break;
		case 'n':
			c->check_only = true;
			break;
		case 'f':
			c->foreground = true;
			break;
		case 'v':
			c->verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("sentineld %s\n", SNT_VERSION);
			return 0;
		default:
			if (optopt && strchr("c", optopt))
				fprintf(stderr, _("sentineld: option -%c needs an argument\n"), optopt);
			else if (optopt)
				fprintf(stderr, _("sentineld: unknown option -%c\n"), optopt);
			else
				fprintf(stderr, _("sentineld: unknown option %s\n"), argv[optind - 1]);
			fprintf(stderr, _("Try 'sentineld --help'.\n"));
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, _("sentineld: unexpected argument '%s'\nTry 'sentineld --help'.\n"),
			argv[optind]);
		return 2;
	}
	return -1;
}

static void log_visit(struct ctx *c, const struct snt_visit *v)
{
	char reasons[512], temp[16];

	if (snt_reasons_format(v->result.reasons, ",", reasons, sizeof(reasons)) < 0)
		snt_strlcpy(reasons, "?", sizeof(reasons));
	if (v->temp.has_value)
		snprintf(temp, sizeof(temp), "%.1fC", v->temp.mdc / 1000.0);
	else
		snt_strlcpy(temp, "-", sizeof(temp));
	if (v->camera_faults)
		log_warnx(&c->log, P_("visit %lu: camera failed on %d frame", "visit %lu: camera failed on %d frames",
					    v->camera_faults), c->visits, v->camera_faults);
	if (v->temp.faults)
		log_warnx(&c->log, P_("visit %lu: thermometer failed %d time", "visit %lu: thermometer failed %d times",
					    v->temp.faults), c->visits, v->temp.faults);
	/* Only facts without personal data: no payload, no name. */
	if (v->duplicate)
		log_info(&c->log, _("visit %lu: repeat of entry %lld within the window: %s (%s) door %s"),
			 c->visits, (long long)v->seq, snt_decision_name(v->result.decision), reasons,
			 snt_door_name(v->door));
	else if (v->store_err == SNT_STORE_OK)
		log_info(&c->log, _("visit %lu: entry %lld: %s (%s) code %s/%s temp %s door %s"),
			 c->visits, (long long)v->seq, snt_decision_name(v->result.decision), reasons,
			 snt_code_format_name(v->format), snt_colour_name(v->colour), temp,
			 snt_door_name(v->door));
	else
		log_warnx(&c->log, _("visit %lu: NO ENTRY (log: %s: %s): %s (%s) door %s"), c->visits,
			  snt_store_strerror(v->store_err), snt_store_errmsg(c->store),
			  snt_decision_name(v->result.decision), reasons, snt_door_name(v->door));
	if (v->output_faults)
		log_warnx(&c->log, P_("visit %lu: %d output could not be driven",
					    "visit %lu: %d outputs could not be driven", v->output_faults), c->visits,
			  v->output_faults);
}

/* An event of @kind now with @detail (no personal data); false if the log refused it. */
static bool daemon_event(struct ctx *c, enum snt_event_kind kind, const char *detail)
{
	struct snt_event ev;

	snt_checkin_event_now(c->board, kind, detail, &ev);
	ev.clock = snt_checkin_clock_trusted(c->checkin) ? SNT_CLOCK_TRUSTED : SNT_CLOCK_UNTRUSTED;
	return snt_store_event_add(c->store, &ev) == SNT_STORE_OK;
}

/*
 * The detail of the last rules event in the log ("" when there is none):
 * the rule set last taken, and the mark that this gate has had one.
 * Return: 0, or -1 when the log could not be read.
 */
static int last_rules_event(struct ctx *c, char *detail, size_t size)
{
	struct snt_event ev;
	enum snt_store_err serr = snt_store_event_last(c->store, SNT_EVENT_RULES, &ev);

	detail[0] = '\0';
	if (serr == SNT_STORE_OK)
		snt_strlcpy(detail, ev.detail[0] ? ev.detail : "?", size);
	return serr == SNT_STORE_OK || serr == SNT_STORE_ERR_DONE ? 0 : -1;
}

/*
 * systemd's STATUS= (`systemctl status sentineld`) for what the gate does
 * now, with READY=1 first when @ready; nothing is sent before
 * snt_notify_open() nor outside systemd.
 */
static void notify_state(struct ctx *c, bool ready)
{
	/* i18n-exempt: STATUS= to systemd stays English (monitoring matches it) */
	const char *what = !c->cfg.enrolled ? "STATUS=not enrolled: opens for nobody until 'sentinelctl enrol'" :
			   c->rules_missing ? "STATUS=rule set missing: every visit referred (rules-missing)" :
			   "STATUS=serving the gate";
	char msg[128];

	snprintf(msg, sizeof(msg), "%s%s", ready ? "READY=1\n" : "", what);
	if (snt_notify_send(&c->notify, msg) != SNT_NOTIFY_OK)
		log_warn(&c->log, _("systemd notification"));
}

/*
 * No rule set could be taken (@why): a gate that has had one (a rules event
 * in the log) or must have one ([rules] required: its enrolment brought the
 * home's set, whether or not the daemon ever took it) and has none in force
 * now fails closed: every visit refers with rules-missing, and a
 * device-fault event raises an alert for staff.
 */
static void rules_missing(struct ctx *c, const char *when, const char *why)
{
	char last[SNT_EVENT_DETAIL_LEN], detail[SNT_EVENT_DETAIL_LEN];

	if (c->rules)
		return;	/* the set in force stays */
	if (last_rules_event(c, last, sizeof(last))) {
		log_warnx(&c->log, _("%s: log database %s: rules events cannot be read: %s"), when, c->cfg.db,
			  snt_store_errmsg(c->store));
		snt_strlcpy(last, "?", sizeof(last));	/* not knowing is having had one */
	}
	if (!last[0] && !c->cfg.rules_required)
		return;	/* never had a rule set and needs none: no closed management */
	if (!last[0])	/* i18n-exempt: part of the alert's detail, stored in the log */
		snt_strlcpy(last, "none, [rules] required", sizeof(last));
	if (!c->rules_missing)
		log_warnx(&c->log, _("%s: no rule set verifies (%s; last in force: %s): every visit is referred "
			  "(rules-missing)"), when, why, last);
	snt_checkin_set_rules_missing(c->checkin, true);
	if (!c->rules_missing) {
		/* i18n-exempt: an alert's detail, stored in the log */
		snprintf(detail, sizeof(detail), "rules: no rule set verifies, every visit referred (last: %.64s)",
			 last);
		if (!daemon_event(c, SNT_EVENT_DEVICE_FAULT, detail))
			log_warnx(&c->log, _("%s: the rules-missing alert could not be written to the log"), when);
		c->rules_missing = true;
		notify_state(c, false);
	}
}

/* A rule set @r was taken: the log records it when it is not the one last recorded. */
static void rules_taken(struct ctx *c, const struct snt_rules *r, const char *when)
{
	char last[SNT_EVENT_DETAIL_LEN], now[SNT_EVENT_DETAIL_LEN];

	/* i18n-exempt: the rules event's detail, stored in the log and compared */
	snprintf(now, sizeof(now), "version %llu (%s)", (unsigned long long)r->version,
		 snt_rules_mode_name(r->mode));
	if (last_rules_event(c, last, sizeof(last)) == 0 && !strcmp(last, now))
		return;
	if (!daemon_event(c, SNT_EVENT_RULES, now))
		log_warnx(&c->log, _("%s: the rules event could not be written to the log"), when);
}

/*
 * A rule set @r older than the one the log says was last in force (a rules
 * event "version N (mode)"): a rolled-back copy in [rules] dir (an older
 * signed set put back by hand or by a stick after the newer files were
 * lost; `policy install` refuses it too, by snt_rules_event_version() as
 * here) is refused, so the gate never goes back to rules the bureau has
 * replaced.  Return: true (and @why says so) when refused.
 */
static bool rules_rolled_back(struct ctx *c, const struct snt_rules *r, char *why, size_t size)
{
	char last[SNT_EVENT_DETAIL_LEN];
	uint64_t v;

	if (last_rules_event(c, last, sizeof(last)) || r->version >= (v = snt_rules_event_version(last)))
		return false;
	snprintf(why, size, _("version %llu is older than version %llu, last in force: refused (rolled back)"),
		 (unsigned long long)r->version, (unsigned long long)v);
	return true;
}

/*
 * The bureau's public key that personal records of ID cards are sealed to
 * ([sync] bureau_key), at start and at SIGHUP; without one none is made.
 */
static void load_seal_key(struct ctx *c, const struct snt_config *cfg)
{
	EVP_PKEY *pub = NULL;

	if (cfg->sync_bureau_key[0] && snt_sign_key_load_public(cfg->sync_bureau_key, &pub) != SNT_SIGN_OK)
		pub = NULL;
	snt_checkin_set_seal_key(c->checkin, pub);
	EVP_PKEY_free(c->seal_pub);
	c->seal_pub = pub;
	if (!pub && cfg->register_mode[0] && strcmp(cfg->register_mode, "none"))
		log_warnx(&c->log, _("ID cards: no bureau key to seal their records to; none is kept"));
}

/*
 * The bureau's rule set from @cfg's [rules] dir, verified with [sync]
 * bureau_key, loaded whole before it replaces the active one (at start and
 * at SIGHUP, between visits); on any error the active set stays.  Nothing
 * personal is logged (versions, paths and reasons only).
 */
static void load_rules(struct ctx *c, const struct snt_config *cfg, const char *when)
{
	const struct snt_rules_gate gate = { cfg->home, cfg->device_id };
	struct snt_rules_load_info info;
	struct snt_rules *r = NULL;
	enum snt_rules_err rerr;
	enum snt_sign_err serr;
	EVP_PKEY *pub = NULL;
	char err[512] = "";

	/* Taken first: a change while this load runs is seen at the next check. */
	snt_rules_dir_stamp(cfg->rules_dir, &c->rules_stamp);
	serr = snt_sign_key_load_public(cfg->sync_bureau_key, &pub);
	if (serr) {
		if (c->rules)
			log_warnx(&c->log, _("%s: bureau key %s: %s; keeping rule set version %llu"), when,
				  cfg->sync_bureau_key, snt_sign_strerror(serr),
				  (unsigned long long)c->rules->version);
		else	/* a gate without closed management: nothing to report */
			log_debug(&c->log, _("%s: no rule set (bureau key %s: %s)"), when, cfg->sync_bureau_key,
				  snt_sign_strerror(serr));
		snprintf(err, sizeof(err), _("bureau key %.400s: %s"), cfg->sync_bureau_key, snt_sign_strerror(serr));
		rules_missing(c, when, err);
		return;
	}
	rerr = snt_rules_load(cfg->rules_dir, pub, &gate, &r, &info, err, sizeof(err));
	if (rerr == SNT_RULES_OK) {	/* on an error what was known stays */
		c->pending = info.pending;
		c->pending_from_ms = info.pending_from_ms;
	}
	if (rerr == SNT_RULES_OK && rules_rolled_back(c, r, err, sizeof(err))) {
		snt_rules_free(r);
		r = NULL;
		rerr = SNT_RULES_ERR_OLD;
	}
	if (rerr) {
		if (c->rules)
			log_warnx(&c->log, _("%s: rules: %s; keeping version %llu"), when, err,
				  (unsigned long long)c->rules->version);
		else if (rerr == SNT_RULES_ERR_NONE)
			log_debug(&c->log, _("%s: rules: %s"), when, err);
		else
			log_warnx(&c->log, _("%s: rules: %s; no rule set"), when, err);
		EVP_PKEY_free(pub);
		rules_missing(c, when, err);
		return;
	}
	if (info.kept)
		log_warnx(&c->log, _("%s: rules: %s; using the kept copy %s"), when, info.active_error,
			  SNT_RULES_KEPT_FILE);
	snt_checkin_set_rules(c->checkin, r, pub, &gate);
	snt_checkin_set_rules_missing(c->checkin, false);
	if (c->rules_missing) {
		c->rules_missing = false;
		notify_state(c, false);
	}
	rules_taken(c, r, when);
	snt_rules_free(c->rules);
	EVP_PKEY_free(c->bureau_pub);
	c->rules = r;
	c->bureau_pub = pub;
	log_info(&c->log, _("%s: rule set version %llu (%s, %s)"), _(when), (unsigned long long)r->version,
		 snt_rules_mode_name(r->mode),
		 snt_rules_freshness_name(snt_rules_freshness(r, snt_clock_utc_ms(&c->board->clock))));
	if (c->pending) {
		char from[32];

		if (snt_clock_format_rfc3339(c->pending_from_ms, from, sizeof(from)))
			snt_strlcpy(from, "?", sizeof(from));
		log_info(&c->log, _("%s: rule set version %llu pending until %s"), _(when),
			 (unsigned long long)info.pending_version, from);
	}
}

/*
 * Before a visit: a pending rule set whose valid_from has come on the
 * gate's trusted clock becomes the active one (snt_rules_promote()) and is
 * loaded as at SIGHUP.
 */
static void promote_rules(struct ctx *c)
{
	const struct snt_rules_gate gate = { c->cfg.home, c->cfg.device_id };
	enum snt_rules_err rerr;
	bool promoted = false;
	char err[512] = "";

	if (!c->pending || !c->bureau_pub || snt_clock_utc_ms(&c->board->clock) < c->pending_from_ms)
		return;
	rerr = snt_rules_promote(c->cfg.rules_dir, c->bureau_pub, &gate, snt_clock_utc_ms(&c->board->clock),
				 snt_checkin_clock_trusted(c->checkin), &promoted, err, sizeof(err));
	if (rerr) {
		log_warnx(&c->log, _("pending rule set: %s"), err[0] ? err : snt_rules_strerror(rerr));
		return;
	}
	if (promoted)
		load_rules(c, &c->cfg, "valid_from");
}

/*
 * Between visits: when the files of [rules] dir changed since the last load
 * (an install by `sentinelctl sync` or `policy install`: snt_rules_dir_stamp()),
 * the set is loaded again as at SIGHUP, and the log says what changed.
 */
static void watch_rules(struct ctx *c)
{
	struct snt_rules_stamp now;
	uint64_t before = c->rules ? c->rules->version : 0;
	enum snt_rules_mode mode = c->rules ? c->rules->mode : SNT_RULES_OPEN;
	bool had = c->rules != NULL;

	snt_rules_dir_stamp(c->cfg.rules_dir, &now);
	if (snt_rules_stamp_equal(&now, &c->rules_stamp))
		return;
	log_info(&c->log, _("rules dir %s changed: loading the rule set"), c->cfg.rules_dir);
	load_rules(c, &c->cfg, N_("rules dir"));
	if (!c->rules || (had && c->rules->version == before))
		return;
	if (had)
		log_info(&c->log, _("rules dir: rule set version %llu (%s) replaced by version %llu (%s)"),
			 (unsigned long long)before, snt_rules_mode_name(mode),
			 (unsigned long long)c->rules->version, snt_rules_mode_name(c->rules->mode));
	else
		log_info(&c->log, _("rules dir: rule set version %llu (%s) taken up"),
			 (unsigned long long)c->rules->version, snt_rules_mode_name(c->rules->mode));
}

/*
 * Between visits and at start: when [rules] dir's trust.cose changed (an
 * install by `sentinelctl sync`: snt_trustlist_install()), the trust store
 * is loaded again, whole, before it replaces the one in use: the bureau's
 * list (<[rules] dir>/trust/) while trust.cose verifies with [sync]
 * bureau_key and names this home, else [station] trust's files.  A list
 * that does not load leaves the store in use, and the log says why.
 */
static void watch_trust(struct ctx *c)
{
	struct snt_file_stamp now;
	struct snt_config *tmp;
	struct snt_trust *trust = NULL;
	EVP_PKEY *pub = NULL;
	uint64_t version = 0;
	char path[PATH_MAX], err[512] = "";

	snt_file_stamp(c->cfg.rules_dir, SNT_TRUSTLIST_FILE, &now);
	if (snt_file_stamp_equal(&now, &c->trust_stamp))
		return;
	c->trust_stamp = now;
	tmp = malloc(sizeof(*tmp));
	if (!tmp) {
		log_warnx(&c->log, _("trust list: out of memory, trust store unchanged"));
		return;
	}
	*tmp = c->cfg;
	if (now.present && c->cfg.sync_bureau_key[0] &&
	    snt_sign_key_load_public(c->cfg.sync_bureau_key, &pub) == SNT_SIGN_OK) {
		enum snt_trustlist_err e = snt_trustlist_installed(c->cfg.rules_dir, pub, c->cfg.home, &version, NULL, path,
								   sizeof(path), err, sizeof(err));

		if (e == SNT_TRUSTLIST_OK)
			snt_strlcpy(tmp->trust, path, sizeof(tmp->trust));
		else
			log_warnx(&c->log, _("trust list in %s: %s%s%s; [station] trust kept"), c->cfg.rules_dir,
				  snt_trustlist_strerror(e), err[0] ? ": " : "", err);
	} else if (now.present) {
		log_warnx(&c->log, _("trust list in %s: no [sync] bureau_key to verify it; [station] trust kept"),
			  c->cfg.rules_dir);
	}
	EVP_PKEY_free(pub);
	if (!version && !c->trust_version) {
		free(tmp);
		return;		/* [station] trust's files, as loaded already */
	}
	if (sentineld__load_trust(tmp, &trust, err, sizeof(err))) {
		log_warnx(&c->log, _("trust list: %s; trust store unchanged"), err);
		free(tmp);
		return;
	}
	snt_checkin_set_trust(c->checkin, trust);
	snt_trust_free(c->trust);
	c->trust = trust;
	if (version)
		log_info(&c->log, P_("trust list version %llu of the bureau taken up (was %llu): %zu issuer key",
				     "trust list version %llu of the bureau taken up (was %llu): %zu issuer keys",
				     snt_trust_count(trust)),
			 (unsigned long long)version, (unsigned long long)c->trust_version, snt_trust_count(trust));
	else
		log_info(&c->log, P_("trust list: [station] trust taken up again (%zu issuer key)",
				     "trust list: [station] trust taken up again (%zu issuer keys)", snt_trust_count(trust)),
			 snt_trust_count(trust));
	c->trust_version = version;
	free(tmp);
}

/*
 * Between visits and at start: when [rules] dir's issuers.cose changed (an
 * install by `sentinelctl sync`: snt_issuers_install()), the home's issuer
 * list is loaded again, whole, and replaces the one in use.  One that does
 * not verify with [sync] bureau_key or names another home leaves none in
 * use, and the log says why: sibling gates' passes are then refused as
 * signed by another key (this gate's own still verify).
 */
static void watch_issuers(struct ctx *c)
{
	struct snt_file_stamp now;
	struct snt_issuers *list = NULL;
	EVP_PKEY *pub = NULL;
	char err[512] = "";

	snt_file_stamp(c->cfg.rules_dir, SNT_ISSUERS_FILE, &now);
	if (snt_file_stamp_equal(&now, &c->issuers_stamp))
		return;
	c->issuers_stamp = now;
	if (now.present && c->cfg.sync_bureau_key[0] &&
	    snt_sign_key_load_public(c->cfg.sync_bureau_key, &pub) == SNT_SIGN_OK) {
		enum snt_issuers_err e = snt_issuers_load(c->cfg.rules_dir, pub, c->cfg.home, &list, err, sizeof(err));

		if (e)
			log_warnx(&c->log, _("issuer list in %s: %s%s%s; passes of the other gates refused"),
				  c->cfg.rules_dir, snt_issuers_strerror(e), err[0] ? ": " : "", err);
	} else if (now.present) {
		log_warnx(&c->log, _("issuer list in %s: no [sync] bureau_key to verify it; passes of the other "
				     "gates refused"), c->cfg.rules_dir);
	}
	EVP_PKEY_free(pub);
	snt_checkin_set_issuers(c->checkin, list, c->own_key);
	snt_issuers_free(c->issuers);
	c->issuers = list;
	if (list) {
		char gates[64], revoked[64];

		snprintf(gates, sizeof(gates), P_("%zu gate signs passes", "%zu gates sign passes", list->n_gates),
			 list->n_gates);
		snprintf(revoked, sizeof(revoked), P_("%zu key revoked", "%zu keys revoked", list->n_revoked),
			 list->n_revoked);
		log_info(&c->log, _("issuer list version %llu of the bureau taken up: %s, %s"),
			 (unsigned long long)list->version, gates, revoked);
	}
}

/*
 * SIGHUP: read the configuration again.  A file with an error changes
 * nothing.  Visit settings apply from the next visit; the board, the log
 * database and the device identity need a restart.
 */
static void reload(struct ctx *c)
{
	struct snt_checkin_cfg ccfg;
	struct snt_trust *trust;
	struct snt_config *n;
	char err[1024];

	n = malloc(sizeof(*n));
	if (!n) {
		log_warnx(&c->log, _("SIGHUP: out of memory, configuration unchanged"));
		return;
	}
	if (snt_config_load(c->config_path, n, err, sizeof(err)) != SNT_CONFIG_OK) {
		log_warnx(&c->log, _("SIGHUP: %s; configuration unchanged"), err);
		free(n);
		return;
	}
	if (strcmp(n->board, c->cfg.board) || strcmp(n->db, c->cfg.db) ||
	    strcmp(n->device_id, c->cfg.device_id) || strcmp(n->sim_scenario, c->cfg.sim_scenario) ||
	    strcmp(n->sim_output, c->cfg.sim_output))
		log_warnx(&c->log, _("SIGHUP: board, db, device_id and [sim] changes need a restart"));
	/* The new trust store is loaded whole before it replaces the old one (domain.md lesson 7). */
	if (sentineld__load_trust(n, &trust, err, sizeof(err))) {
		log_warnx(&c->log, _("SIGHUP: %s; configuration unchanged"), err);
		free(n);
		return;
	}
	snt_checkin_cfg_from_config(n, &ccfg);
	if (snt_checkin_set_cfg(c->checkin, &ccfg) != SNT_CHECKIN_OK) {
		log_warnx(&c->log, _("SIGHUP: visit settings refused; configuration unchanged"));
		snt_trust_free(trust);
		free(n);
		return;
	}
	snt_checkin_set_trust(c->checkin, trust);
	snt_trust_free(c->trust);
	c->trust = trust;
	snt_strlcpy(c->cfg.trust, n->trust, sizeof(c->cfg.trust));
	snt_strlcpy(c->cfg.home, n->home, sizeof(c->cfg.home));
	snt_strlcpy(c->cfg.duty_phone, n->duty_phone, sizeof(c->cfg.duty_phone));
	c->cfg.leave_timeout_ms = n->leave_timeout_ms;
	log_info(&c->log, _("SIGHUP: configuration %s reloaded"), c->config_path);
	snt_strlcpy(c->cfg.rules_dir, n->rules_dir, sizeof(c->cfg.rules_dir));
	snt_strlcpy(c->cfg.sync_bureau_key, n->sync_bureau_key, sizeof(c->cfg.sync_bureau_key));
	c->cfg.rules_required = n->rules_required;
	load_rules(c, n, N_("SIGHUP"));
	/* [station] trust's files replaced the bureau's list: look at trust.cose again. */
	memset(&c->trust_stamp, 0, sizeof(c->trust_stamp));
	c->trust_version = 0;
	watch_trust(c);
	memset(&c->issuers_stamp, 0, sizeof(c->issuers_stamp));
	watch_issuers(c);
	load_seal_key(c, n);
	sentineld__load_last_trusted(c);
	free(n);
}

/* Return true when the daemon should stop. */
static bool handle_signal(struct ctx *c)
{
	struct signalfd_siginfo si;
	ssize_t n = read(c->sigfd, &si, sizeof(si));

	if (n != (ssize_t)sizeof(si))
		return false;
	if (si.ssi_signo == SIGHUP) {
		reload(c);
		return false;
	}
	log_info(&c->log, _("signal %u: stopping"), si.ssi_signo);
	return true;
}

/* A staff override of the last refused visit (admit or deny), logged. */
static void override(struct ctx *c, enum snt_decision decision)
{
	const char *what = snt_decision_name(decision);
	enum snt_checkin_err err;
	struct snt_visit v;

	err = snt_checkin_override(c->checkin, decision, &v);
	if (err == SNT_CHECKIN_OK && v.journaled)
		log_warnx(&c->log, _("staff override: entry %lld in the fallback journal (log: %s): %s: door %s"),
			  (long long)v.seq, snt_store_strerror(v.store_err), what, snt_door_name(v.door));
	else if (err == SNT_CHECKIN_OK && decision == SNT_DECISION_ADMIT)
		log_info(&c->log, _("staff override: entry %lld: admit: door opened"), (long long)v.seq);
	else if (err == SNT_CHECKIN_OK)
		log_info(&c->log, _("staff override: entry %lld: %s: door %s"), (long long)v.seq, what,
			 snt_door_name(v.door));
	else
		log_warnx(&c->log, _("staff button%s: %s; door shut"),
			  decision == SNT_DECISION_DENY ? _(" (deny)") : "", snt_checkin_strerror(err));
}

/*
 * A first press that waits for a second one (c->press_armed) becomes an
 * admit when the wait ends without it: at its deadline, or at once when
 * another input or a new visit comes first.
 */
static void settle_press(struct ctx *c)
{
	if (!c->press_armed)
		return;
	c->press_armed = false;
	override(c, SNT_DECISION_ADMIT);
}

/*
 * The staff button, the exit button and the fire alarm.  The staff button
 * after a referral: one press admits (when SNT_OVERRIDE_DENY_PRESS_MS pass
 * without a second), a second press within that time denies; after a deny
 * (nothing to deny) one press admits at once.
 */
static void handle_input(struct ctx *c, const struct snt_input_event *ev)
{
	enum snt_checkin_err err;

	if (c->press_armed && ev->value && ev->role == SNT_ROLE_FIRE_ALARM) {
		/* The alarm ends every override (checkin.h): nothing to settle. */
		c->press_armed = false;
		log_warnx(&c->log, _("staff button: override dropped by the fire alarm; door shut"));
	} else if (ev->value && ev->role != SNT_ROLE_BUTTON) {
		settle_press(c);	/* another input first: the single press admits */
	}
	switch (ev->role) {
	case SNT_ROLE_FIRE_ALARM:
		err = snt_checkin_fire_alarm(c->checkin, ev->value);
		if (ev->value)
			log_warnx(&c->log, _("FIRE ALARM: door released%s"),
				  err == SNT_CHECKIN_ERR_OUTPUT ? _(" (an output could not be driven)") :
				  err ? _(" (not written to the log)") : "");
		else
			log_warnx(&c->log, _("fire alarm cleared: door locked%s"),
				  err == SNT_CHECKIN_ERR_OUTPUT ? _(" (an output could not be driven)") :
				  err ? _(" (not written to the log)") : "");
		break;
	case SNT_ROLE_EXIT_BUTTON:
		if (!ev->value)
			break;
		err = snt_checkin_exit(c->checkin);
		if (err == SNT_CHECKIN_OK)
			log_info(&c->log, _("exit: door released for leaving"));
		else if (err != SNT_CHECKIN_ERR_FIRE)
			log_warnx(&c->log, _("exit: %s"), snt_checkin_strerror(err));
		break;
	case SNT_ROLE_BUTTON:
		if (!ev->value)
			break;
		if (c->press_armed) {
			c->press_armed = false;
			override(c, SNT_DECISION_DENY);
		} else if (snt_checkin_override_can_deny(c->checkin)) {
			c->press_armed = true;
			c->press_deadline = snt_clock_mono_ms(&c->board->clock) + SNT_OVERRIDE_DENY_PRESS_MS;
			log_debug(&c->log, _("staff button: admit in %d ms unless pressed again (deny)"),
				  SNT_OVERRIDE_DENY_PRESS_MS);
		} else {
			override(c, SNT_DECISION_ADMIT);
		}
		break;
	default:
		log_debug(&c->log, _("input %s=%d ignored"), snt_role_name(ev->role), ev->value);
		break;
	}
}

static int run(struct ctx *c)
{
	const struct snt_gpio_ops *gpio = c->board->gpio;
	bool occupied = false;
	int64_t occupied_since = 0;

	for (;;) {
		struct snt_input_event ev;
		struct snt_visit v;
		int64_t timeout = -1;
		enum snt_hal_err rc;

		bool watchdog_wait = false, press_wait = false, enrol_wait = false;

		if (!c->cfg.enrolled) {
			struct stat sb;

			/* sentinelctl enrol wrote the file: restart (systemd: Restart=always) to take it up. */
			if (stat(c->cfg.enrolment, &sb) == 0) {
				log_info(&c->log, _("enrolment %s found: restarting to take it up"),
					 c->cfg.enrolment);
				return 0;
			}
			timeout = ENROLMENT_POLL_MS;
			enrol_wait = true;
		}
		if (occupied) {
			int64_t left = c->cfg.leave_timeout_ms -
				       (snt_clock_mono_ms(&c->board->clock) - occupied_since);

			timeout = left > 0 ? left : 0;
			enrol_wait = false;
		}
		if (c->notify.watchdog_ms > 0) {
			/* systemd's watchdog: a ping at half its interval. */
			int64_t now = snt_clock_mono_ms(&c->board->clock);
			int64_t half = c->notify.watchdog_ms / 2, left;

			if (now - c->watchdog_sent >= half) {
				if (snt_notify_send(&c->notify, "WATCHDOG=1") != SNT_NOTIFY_OK)
					log_warn(&c->log, _("systemd watchdog"));
				c->watchdog_sent = now;
			}
			left = half - (now - c->watchdog_sent);
			if (timeout < 0 || left < timeout) {
				timeout = left;
				watchdog_wait = true;
				enrol_wait = false;
			}
		}
		if (c->press_armed) {
			/* Waiting for a second press of the staff button (deny). */
			int64_t left = c->press_deadline - snt_clock_mono_ms(&c->board->clock);

			if (left < 0)
				left = 0;
			if (timeout < 0 || left <= timeout) {
				timeout = left;
				watchdog_wait = false;
				enrol_wait = false;
				press_wait = true;
			}
		}
		rc = gpio->wait_event(c->board->gpio_ctx, c->sigfd, timeout, &ev);
		if (rc == SNT_HAL_FD_READY) {
			if (handle_signal(c)) {
				if (c->press_armed)
					log_warnx(&c->log, _("staff button: pending override dropped at stop"));
				return 0;
			}
			continue;
		}
		if (rc == SNT_HAL_END) {
			/* The board's script ends: the time left for a second press passes without one. */
			if (c->press_armed) {
				int64_t left = c->press_deadline - snt_clock_mono_ms(&c->board->clock);

				snt_clock_sleep_ms(&c->board->clock, left);
				settle_press(c);
			}
			log_info(&c->log, P_("board script ended after %lu visit", "board script ended after %lu visits",
					     c->visits), c->visits);
			return 0;
		}
		if (rc == SNT_HAL_TIMEOUT && press_wait) {
			settle_press(c);	/* no second press: admit */
			continue;
		}
		if (rc == SNT_HAL_TIMEOUT && (watchdog_wait || enrol_wait)) {
			if (!occupied) {
				watch_rules(c);	/* idle: a new set is taken up before anyone comes */
				watch_trust(c);
				watch_issuers(c);
				snt_checkin_retention(c->checkin);
			}
			continue;
		}
		if (rc == SNT_HAL_TIMEOUT) {
			/*
			 * Still someone there after the leave timeout.  No new
			 * visit on its own (a held sensor must not reopen the
			 * door): the next person needs the sensor to clear.
			 */
			log_warnx(&c->log, _("presence held for %d s after visit %lu: check the presence "
					   "sensor; the next check-in waits for it to clear"),
				  c->cfg.leave_timeout_ms / 1000, c->visits);
			occupied_since = snt_clock_mono_ms(&c->board->clock);
			continue;
		} else if (rc != SNT_HAL_OK) {
			log_warnx(&c->log, _("board inputs: %s"), _(snt_hal_strerror(rc)));
			return 1;
		}
		if (ev.role != SNT_ROLE_PRESENCE) {
			handle_input(c, &ev);
			continue;
		}
		if (!ev.value) {
			/* The visitor left: the idle screen for the next one. */
			if (occupied && snt_checkin_idle(c->checkin) != SNT_CHECKIN_OK)
				log_warnx(&c->log, _("display: the idle screen could not be drawn"));
			occupied = false;
			continue;
		}
		if (occupied)
			continue;
		settle_press(c);	/* a new visit: a single press before it admits */
		if (!c->cfg.enrolled) {
			/* Nobody is checked in, so nobody is let in, until the bureau enrols the gate. */
			log_warnx(&c->log, "%s", _("not enrolled: visitor not checked in, door kept shut "
						   "(enrol the gate: sentinelctl enrol)"));
			occupied = true;
			occupied_since = snt_clock_mono_ms(&c->board->clock);
			continue;
		}
		if (snt_checkin_fire_active(c->checkin)) {
			log_info(&c->log, "%s", _("fire alarm active: no check-in"));
			continue;
		}
		watch_rules(c);
		watch_trust(c);
		watch_issuers(c);
		promote_rules(c);
		c->visits++;
		if (snt_checkin_visit(c->checkin, &v) != SNT_CHECKIN_OK) {
			log_warnx(&c->log, _("visit %lu: scanner failure, door kept shut"), c->visits);
		} else {
			log_visit(c, &v);
		}
		occupied = true;
		occupied_since = snt_clock_mono_ms(&c->board->clock);
	}
}

int main(int argc, char **argv)
{
	struct snt_checkin_cfg ccfg;
	struct ctx c;
	char err[1024];
	enum snt_config_err cerr;
	enum snt_hal_err herr;
	enum snt_store_err serr;
	enum snt_checkin_err kerr;
	int status;

	memset(&c, 0, sizeof(c));
	c.notify.fd = -1;
	c.sigfd = -1;
	c.lockfd = -1;
	snt_i18n_init();	/* the log's lines in the language of LANG (the journal's readers') */
	status = parse_args(&c, argc, argv);
	if (status >= 0)
		return status;

	cerr = snt_config_load(c.config_path, &c.cfg, err, sizeof(err));
	if (cerr != SNT_CONFIG_OK) {
		fprintf(stderr, "sentineld: %s\n", err);
		return 1;
	}
	/* Every local time (quiet hours, the day of the cap) in [station] timezone, not the inherited TZ. */
	if (snt_clock_use_zone(c.cfg.timezone)) {
		fprintf(stderr, _("sentineld: [station] timezone '%s' cannot be set\n"), c.cfg.timezone);
		return 1;
	}
	if (c.check_only)
		return sentineld__check_config(&c);

	snt_log_init(&c.log, "sentineld", c.foreground, c.verbose);
	status = 1;
	if (sentineld__setup_signals(&c)) {
		log_warn(&c.log, _("signals"));
		goto out;
	}
	herr = snt_board_open(&c.cfg, &c.board, err, sizeof(err));
	if (herr != SNT_HAL_OK) {
		log_warnx(&c.log, _("board %s: %s"), c.cfg.board, err[0] ? err : _(snt_hal_strerror(herr)));
		goto out;
	}
	{
		char which[PATH_MAX];
		int rc = snt_db_companions_check(c.cfg.db, which, sizeof(which));

		if (rc) {
			log_warnx(&c.log, _("log database %s: %s: %s"), c.cfg.db, which, snt_open_strerror(rc));
			goto out;
		}
	}
	/*
	 * A new log is created private (0600, and so its -wal and -shm),
	 * whatever the umask; when that fails the open below says why.
	 */
	if (snt_create_private(c.cfg.db) != 0)
		log_debug(&c.log, _("log database %s: not created here"), c.cfg.db);
	serr = snt_store_open(c.cfg.db, false, &c.store);
	if (serr != SNT_STORE_OK) {
		char why[512];

		if (sentineld__explain_db(c.cfg.db, why, sizeof(why)) == 0)
			snt_strlcpy(why, snt_store_strerror(serr), sizeof(why));
		log_warnx(&c.log, _("log database %s: %s"), c.cfg.db, why);
		goto out;
	}
	if (sentineld__lock_instance(&c) || sentineld__check_head(&c) || sentineld__open_journal(&c))
		goto out;
	sentineld__attach_seal(&c);
	snt_checkin_cfg_from_config(&c.cfg, &ccfg);
	kerr = snt_checkin_new(&ccfg, c.board, c.store, &c.checkin);
	if (kerr != SNT_CHECKIN_OK) {
		log_warnx(&c.log, _("check-in: %s"), snt_checkin_strerror(kerr));
		goto out;
	}
	snt_checkin_set_journal(c.checkin, c.journal);
	if (sentineld__load_trust(&c.cfg, &c.trust, err, sizeof(err))) {
		log_warnx(&c.log, "%s: %s", c.config_path, err);
		goto out;
	}
	snt_checkin_set_trust(c.checkin, c.trust);
	sentineld__load_last_trusted(&c);
	load_rules(&c, &c.cfg, N_("start"));
	watch_trust(&c);	/* the bureau's trust list, when one is installed */
	/* This gate's own passes (sentinelctl pass issue) verify with its own key. */
	if (c.cfg.sync_device_key[0] && snt_sign_key_load_private(c.cfg.sync_device_key, &c.own_key) != SNT_SIGN_OK)
		c.own_key = NULL;
	snt_checkin_set_issuers(c.checkin, NULL, c.own_key);
	watch_issuers(&c);	/* the home's issuer list, when one is installed */
	load_seal_key(&c, &c.cfg);
	sentineld__restore_occupancy(&c);
	sentineld__restore_passes(&c);
	snt_checkin_set_not_enrolled(c.checkin, !c.cfg.enrolled);
	if (c.cfg.enrolled)
		log_info(&c.log, _("started: board %s, log %s, gate %s"), c.board->name, c.cfg.db,
			 c.cfg.device_id);
	else
		log_warnx(&c.log, _("started: board %s, log %s: not enrolled (no %s); the gate checks "
				    "nobody in and opens for nobody until 'sentinelctl enrol'"),
			  c.board->name, c.cfg.db, c.cfg.enrolment);
	snt_checkin_retention(c.checkin);	/* personal records past [retention] personal_days */
	/* A screen that fails is a device fault (checkin.h); the gate serves without it. */
	if (snt_checkin_idle(c.checkin) != SNT_CHECKIN_OK)
		log_warnx(&c.log, _("display: the idle screen could not be drawn"));
	if (snt_notify_open(&c.notify, getenv("NOTIFY_SOCKET"), getenv("WATCHDOG_USEC"),
			    getenv("WATCHDOG_PID"), getpid()) != SNT_NOTIFY_OK)
		log_warnx(&c.log, _("systemd notification: %s"), _("NOTIFY_SOCKET or WATCHDOG_USEC invalid"));
	c.watchdog_sent = snt_clock_mono_ms(&c.board->clock);
	notify_state(&c, true);
	status = run(&c);
	if (snt_notify_send(&c.notify, "STOPPING=1") != SNT_NOTIFY_OK)
		log_warn(&c.log, _("systemd notification"));
	snt_notify_close(&c.notify);

out:
	snt_checkin_free(c.checkin);
	snt_trust_free(c.trust);
	snt_rules_free(c.rules);
	snt_issuers_free(c.issuers);
	EVP_PKEY_free(c.own_key);
	EVP_PKEY_free(c.bureau_pub);
	EVP_PKEY_free(c.seal_pub);
	snt_journal_close(c.journal);
	snt_store_close(c.store);
	snt_board_close(c.board);
	if (c.sigfd >= 0)
		close(c.sigfd);
	if (c.lockfd >= 0)
		close(c.lockfd);
	snt_log_close(&c.log);
	return status;
}
