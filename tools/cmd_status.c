// SPDX-License-Identifier: MIT
/*
 * sentinelctl status [--config FILE] [--json] [--now TIME]: one screen on
 * the gate: enrolled or not, home, gate, the bureau it syncs with, the rule
 * set's version and age (or, without one that verifies on a gate that must
 * have one, that every visit is referred: rules-missing, as sentineld
 * decides it), the trust list's version, home, issue time and
 * age (the list installed in [rules] dir, trustlist.h), the clock's state, entries the bureau has not
 * acknowledged, the last sync (the bureau's newest signed acknowledgement)
 * and the open alerts.  Nothing personal: no names, no payloads.
 * Exit 0 when enrolled and healthy (the log readable or not made yet, a
 * fresh rule set, a trusted clock), 1 otherwise, 2 usage or configuration
 * error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "clock/clock.h"
#include "config/config.h"
#include "rules/rules.h"
#include "sign/sign.h"
#include "store/store.h"
#include "trustlist/trustlist.h"
#include "tools/common.h"
#include "common/i18n.h"

#define CMD "status"

struct config {
	const char *config, *now;
	bool json;
};

struct status {
	bool enrolled, log_ok, log_made, have_rules, have_trust, clock_trusted;
	bool had_rules;		/* the log has a rules event: the gate has had a rule set */
	bool rules_missing;	/* none verifies and one is required, or was had: every visit refers */
	const char *freshness;
	uint64_t rules_version, trust_version;
	uint64_t last_rules;	/* the version the log's last rules event names (0: none) */
	uint64_t rolled_back;	/* the version in [rules] dir, older than last_rules: refused (0: none) */
	int64_t rules_issued, trust_issued, now, contact;
	int64_t unsynced, alerts;
	char bureau[300], log_error[300];
};

static void usage(FILE *f)
{
	fprintf(f, _("Usage: sentinelctl status [--config FILE] [--json] [--now TIME]\n"
			   "\n"
			   "One screen on this gate: enrolled or not, home, gate, bureau, rule-set version\n"
			   "and age, trust-list version, home, issue time and age, clock state, entries\n"
			   "not yet synced, last sync, open alerts.\n"
			   "\n"
			   "Options:\n"
			   "  -c, --config FILE  configuration (default %s)\n"
			   "      --json         one JSON object\n"
			   "      --now TIME     judge ages at TIME (RFC 3339) instead of the clock\n"
			   "  -h, --help         show this help\n"
			   "\n"
			   "Exit status: 0 enrolled and healthy (fresh rule set, trusted clock, log\n"
			   "readable); 1 otherwise; 2 usage or configuration error.\n"), SNT_CONFIG_DEFAULT_PATH);
}

static int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		CTL_OPT_CONFIG,
		{ "json", no_argument, NULL, 'j' },
		{ "now", required_argument, NULL, 'n' },
		CTL_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	ctl_getopt_start(cfg, sizeof(*cfg));
	cfg->config = SNT_CONFIG_DEFAULT_PATH;
	while ((c = ctl_getopt_keep(argc, argv, ":c:h", longopts, 'c', &cfg->config)) != -1) {
		switch (c) {
		case 'j': cfg->json = true; break;
		case 'n': cfg->now = optarg; break;
		default: return ctl_getopt_other(CMD, c, argv, usage);
		}
	}
	return ctl_no_operands(CMD, argc, argv);
}

/* The log's rules events: whether there is one, and the version the last one names. */
static enum snt_store_err read_rules_events(struct snt_store *st, struct status *s)
{
	struct snt_event ev;
	enum snt_store_err e = snt_store_event_last(st, SNT_EVENT_RULES, &ev);

	if (e == SNT_STORE_OK) {
		s->had_rules = true;
		s->last_rules = snt_rules_event_version(ev.detail);
	}
	return e == SNT_STORE_ERR_DONE ? SNT_STORE_OK : e;
}

static void read_log(const struct snt_config *sc, struct status *s)
{
	struct snt_store_alert_iter *it = NULL;
	struct snt_store *st = NULL;
	enum snt_store_err e;
	int64_t last = 0, ack = 0;
	struct stat sb;

	s->log_ok = true;
	if (stat(sc->db, &sb) != 0 && errno == ENOENT)
		return;		/* sentineld has not made it yet: nothing to sync, nothing open */
	s->log_made = true;
	if (ctl_db_companions(CMD, sc->db)) {
		s->log_ok = false;
		snt_strlcpy(s->log_error, "refused", sizeof(s->log_error));
		return;
	}
	e = snt_store_open(sc->db, true, &st);
	if (e == SNT_STORE_OK)
		e = snt_store_last_seq(st, &last);
	if (e == SNT_STORE_OK)
		e = snt_store_get_ack(st, &ack);
	if (e == SNT_STORE_OK)
		e = snt_store_get_contact(st, &s->contact);
	if (e == SNT_STORE_OK)
		e = read_rules_events(st, s);
	if (e == SNT_STORE_OK)
		e = snt_store_alerts_new(st, true, &it);
	if (e == SNT_STORE_OK) {
		struct snt_alert a;

		while ((e = snt_store_alerts_next(it, &a)) == SNT_STORE_OK)
			s->alerts++;
		if (e == SNT_STORE_ERR_DONE)
			e = SNT_STORE_OK;
	}
	snt_store_alerts_free(it);
	snt_store_close(st);
	if (e != SNT_STORE_OK) {
		s->log_ok = false;
		snt_strlcpy(s->log_error, snt_store_strerror(e), sizeof(s->log_error));
		return;
	}
	s->unsynced = last > ack ? last - ack : 0;
}

static void read_rules(const struct snt_config *sc, struct status *s)
{
	const struct snt_rules_gate gate = { sc->home, sc->device_id };
	struct snt_rules_load_info info;
	struct snt_rules *r = NULL;
	EVP_PKEY *pub = NULL;
	char err[256];

	/* As sentineld(8) decides it: a gate that must have a rule set, or has had one, refers everyone without. */
	s->rules_missing = sc->enrolled && (sc->rules_required || s->had_rules);
	if (!sc->enrolled || snt_sign_key_load_public(sc->sync_bureau_key, &pub) != SNT_SIGN_OK)
		return;
	if (snt_rules_load(sc->rules_dir, pub, &gate, &r, &info, err, sizeof(err)) != SNT_RULES_OK)
		r = NULL;
	if (r && r->version < s->last_rules) {
		s->rolled_back = r->version;	/* sentineld refuses to go back to it */
		snt_rules_free(r);
	} else if (r) {
		s->have_rules = true;
		s->rules_version = r->version;
		s->rules_issued = r->issued_ms;
		s->freshness = snt_rules_freshness_name(snt_rules_freshness(r, s->now));
		s->rules_missing = false;
		snt_rules_free(r);
	}
	/* The trust list sentineld would take: verified with the bureau's key, for this home; else none. */
	s->have_trust = snt_trustlist_installed(sc->rules_dir, pub, sc->home, &s->trust_version, &s->trust_issued,
						NULL, 0, err, sizeof(err)) == SNT_TRUSTLIST_OK;
	EVP_PKEY_free(pub);
}

/* "3d 4h" (negative: "in the future"). */
static void age(int64_t ms, char *buf, size_t size)
{
	if (ms < 0)
		snprintf(buf, size, "%s", _("in the future"));
	else
		snprintf(buf, size, _("%lldd %lldh"), (long long)(ms / 86400000), (long long)(ms % 86400000 / 3600000));
}

static int print_json(const struct snt_config *sc, const struct status *s)
{
	char issued[40] = "", contact[40] = "", tissued[40] = "";
	json_t *o;
	char *text;

	if (s->have_rules && snt_clock_format_rfc3339(s->rules_issued, issued, sizeof(issued)) < 0)
		issued[0] = '\0';
	if (s->contact && snt_clock_format_rfc3339(s->contact, contact, sizeof(contact)) < 0)
		contact[0] = '\0';
	if (s->have_trust && snt_clock_format_rfc3339(s->trust_issued, tissued, sizeof(tissued)) < 0)
		tissued[0] = '\0';
	/* The keys of interfaces.md in their order, "rules_missing" after "rules"; "trust" last (null: none installed). */
	o = json_pack("{s:b, s:s?, s:s?, s:s?, s:o, s:b, s:s, s:o, s:o, s:o, s:o}",
		      "enrolled", s->enrolled,
		      "home", s->enrolled ? sc->home : NULL,
		      "gate", s->enrolled ? sc->device_id : NULL,
		      "bureau", s->enrolled ? s->bureau : NULL,
		      "rules", s->have_rules ? json_pack("{s:I, s:s, s:I, s:s}", "version",
							 (json_int_t)s->rules_version, "issued", issued,
							 "age_s", (json_int_t)((s->now - s->rules_issued) / 1000),
							 "freshness", s->freshness) : json_null(),
		      "rules_missing", s->rules_missing,
		      "clock", s->clock_trusted ? "trusted" : "untrusted",
		      "unsynced", s->log_ok ? json_integer(s->unsynced) : json_null(),
		      "last_sync", s->contact ? json_string(contact) : json_null(),
		      "alerts_open", s->log_ok ? json_integer(s->alerts) : json_null(),
		      "trust", s->have_trust ? json_pack("{s:I, s:s, s:s, s:I}", "version",
							 (json_int_t)s->trust_version, "home", sc->home,
							 "issued", tissued,
							 "age_s", (json_int_t)((s->now - s->trust_issued) / 1000))
					     : json_null());
	text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!text)
		return -1;
	printf("%s\n", text);
	free(text);
	return 0;
}

/* A line's label, translated, padded to the value column (15). */
static void label(const char *text)
{
	ctl_pad(stdout, text, 14, false);
}

static void print_text(const struct snt_config *sc, const struct status *s)
{
	char a[32], t[40];

	label(_("enrolled"));
	if (s->enrolled)
		printf(" %s\n", _("yes"));
	else
		printf(" %s (%s %s)\n", _("NO: the gate opens for nobody"), _("no"), sc->enrolment);
	label(_("home"));
	printf(" %s\n", s->enrolled ? sc->home : "-");
	label(_("gate"));
	printf(" %s\n", s->enrolled ? sc->device_id : "-");
	label(_("bureau"));
	printf(" %s\n", s->enrolled ? s->bureau : "-");
	if (s->have_rules) {
		age(s->now - s->rules_issued, a, sizeof(a));
		label(_("rule set"));
		printf(" %s %" PRIu64 ", %s %s, %s\n", _("version"), s->rules_version, _("age"), a, s->freshness);
	} else {
		label(_("rule set"));
		if (s->rolled_back)
			printf(_(" version %llu refused: older than version %llu, last in force: every visit is "
				 "referred (rules-missing)\n"), (unsigned long long)s->rolled_back,
			       (unsigned long long)s->last_rules);
		else
			printf(" %s\n", s->rules_missing ? _("none: every visit is referred (rules-missing)") :
			       _("none"));
	}
	label(_("trust list"));
	if (s->have_trust && snt_clock_format_rfc3339(s->trust_issued, t, sizeof(t)) >= 0) {
		age(s->now - s->trust_issued, a, sizeof(a));
		printf(" %s %" PRIu64 ", %s %s, %s %s, %s %s\n", _("version"), s->trust_version, _("home"), sc->home,
		       _("issued"), t, _("age"), a);
	} else {
		printf(" %s\n", _("none"));
	}
	label(_("clock"));
	printf(" %s\n", s->clock_trusted ? _("trusted") : _("not trusted"));
	if (!s->log_ok) {
		label(_("log"));
		printf(" %s: %s\n", sc->db, s->log_error);
		return;
	}
	label(_("unsynced"));
	printf(" %" PRId64 "\n", s->unsynced);
	if (s->contact && snt_clock_format_rfc3339(s->contact, t, sizeof(t)) >= 0) {
		age(s->now - s->contact, a, sizeof(a));
		label(_("last sync"));
		printf(" %s (%s %s)\n", t, a, _("ago"));
	} else {
		label(_("last sync"));
		printf(" %s\n", _("never"));
	}
	label(_("alerts open"));
	printf(" %" PRId64 "\n", s->alerts);
}

int cmd_status(int argc, char **argv)
{
	struct snt_config sc;
	struct snt_clock clk;
	struct status s;
	struct config cfg;
	int r;

	r = parse_config(argc, argv, &cfg);
	if (r)
		return ctl_parse_exit(CMD, r);
	memset(&s, 0, sizeof(s));
	snt_clock_system(&clk);
	s.now = snt_clock_utc_ms(&clk);
	s.clock_trusted = snt_clock_state_get(&clk) == SNT_CLOCK_TRUSTED;
	if (cfg.now && snt_clock_parse_rfc3339(cfg.now, &s.now)) {
		ctl_err(CMD, _("--now: '%s' is not an RFC 3339 time"), cfg.now);
		return ctl_usage_hint(CMD);
	}
	if (ctl_config_load(CMD, cfg.config, &sc))
		return SNT_EXIT_USAGE;
	s.enrolled = sc.enrolled;
	if (sc.sync_bureau_url[0])
		snt_strlcpy(s.bureau, sc.sync_bureau_url, sizeof(s.bureau));
	else
		snt_strlcpy(s.bureau, _("by stick only"), sizeof(s.bureau));
	read_log(&sc, &s);
	read_rules(&sc, &s);
	if (cfg.json ? print_json(&sc, &s) : (print_text(&sc, &s), 0)) {
		ctl_err(CMD, _("out of memory"));
		return SNT_EXIT_USAGE;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ctl_err(CMD, _("cannot write the output: %s"), strerror(errno));
		return SNT_EXIT_USAGE;
	}
	return s.enrolled && s.log_ok && s.have_rules && !strcmp(s.freshness, "fresh") && s.clock_trusted ?
	       SNT_EXIT_OK : SNT_EXIT_FAIL;
}
