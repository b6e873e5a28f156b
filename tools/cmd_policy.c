// SPDX-License-Identifier: MIT
/*
 * sentinelctl policy install [--config FILE] [--now TIME] FILE
 * sentinelctl policy show [--config FILE] [--now TIME]
 *
 * install: verify FILE (a rule set signed by the bureau, rules/rules.h) with
 * [sync] bureau_key, require it to be addressed to this gate ([station] home
 * and device_id) and a version newer than the active (and pending) one and
 * not older than the one last in force by the log ([station] db, its last
 * rules event: sentineld would refuse it; a log that cannot be read refuses), and
 * make it the active set in [rules] dir atomically (the old set stays on any
 * error), or the pending set when its valid_from has not come yet.  A
 * running sentineld takes it at its next SIGHUP (a pending one when its time
 * comes on a trusted clock).
 * show: the active set - version, home, gates, mode, issued and its age,
 * validity, freshness, thresholds, lists, roster; the kept copy in use and a
 * pending set are said.
 * Exit: 0 done; 1 refused (signature, content, not newer, older than the last
 * in force) or, for show, no valid active set; 2 usage, configuration or I/O
 * error (a log that cannot be read included).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock/clock.h"
#include "config/config.h"
#include "rules/rules.h"
#include "sign/sign.h"
#include "store/store.h"
#include "tools/common.h"
#include "common/i18n.h"

#define CMD "policy"
#define DAY_MS ((int64_t)86400000)

struct config {
	const char *config;
	const char *now;	/* --now RFC 3339, else the system clock */
	const char *sub;	/* "install" or "show" */
	const char *file;	/* install: the rule-set file */
};

static void usage(FILE *f)
{
	fprintf(f, _("Usage: sentinelctl policy install [--config FILE] [--now TIME] RULES.cose\n"
		   "       sentinelctl policy show [--config FILE] [--now TIME]\n"
		   "\n"
		   "install: verify a rule set signed by the bureau ([sync] bureau_key), require it\n"
		   "to name this gate's home ([station] home and device_id) and a version newer\n"
		   "than the active one and make it active in [rules] dir (atomically; sentineld\n"
		   "takes it at SIGHUP); a set not valid yet is kept pending until its valid_from.\n"
		   "show: the active set, its age and freshness.\n"
		   "\n"
		   "  -c, --config FILE  configuration (default %s)\n"
		   "      --now TIME     judge freshness at this RFC 3339 time (default: now)\n"
		   "  -h, --help         show this help\n"
		   "\n"
		   "Exit 0 done, 1 refused or no valid active set, 2 usage, configuration or I/O error.\n"),
		SNT_CONFIG_DEFAULT_PATH);
}

static int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		CTL_OPT_CONFIG,
		{ "now", required_argument, NULL, 'n' },
		CTL_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	ctl_getopt_start(cfg, sizeof(*cfg));
	cfg->config = SNT_CONFIG_DEFAULT_PATH;
	while ((c = ctl_getopt_keep(argc, argv, ":c:h", opts, 'c', &cfg->config)) != -1) {
		switch (c) {
		case 'n':
			cfg->now = optarg;
			break;
		default:
			return ctl_getopt_other(CMD, c, argv, usage);
		}
	}
	if (optind >= argc) {
		ctl_err(CMD, _("missing subcommand (install or show)"));
		return -1;
	}
	cfg->sub = argv[optind++];
	if (!strcmp(cfg->sub, "install")) {
		if (optind >= argc) {
			ctl_err(CMD, _("install: missing FILE"));
			return -1;
		}
		cfg->file = argv[optind++];
	} else if (strcmp(cfg->sub, "show")) {
		ctl_err(CMD, _("unknown subcommand '%s' (install or show)"), cfg->sub);
		return -1;
	}
	if (optind < argc) {
		ctl_err(CMD, _("unexpected argument '%s'"), argv[optind]);
		return -1;
	}
	if (!*cfg->config || (cfg->file && !*cfg->file)) {
		ctl_err(CMD, _("empty path"));
		return -1;
	}
	return 0;
}

/* Read FILE whole (at most SNT_RULES_MAX_FILE bytes); 0, or -1 after reporting. */
static int read_input(const char *path, uint8_t **out, size_t *len)
{
	int rc = snt_read_file(path, SNT_RULES_MAX_FILE, out, len);

	if (rc == ENOMEM)
		ctl_err(CMD, _("out of memory"));
	else if (rc)
		ctl_err(CMD, "%s: %s", path,
			rc == SNT_ETOOBIG ? _("larger than 1048576 bytes") :
			rc == SNT_EREAD ? strerror(errno) : snt_open_strerror(rc));
	return rc ? -1 : 0;
}

/* A line's label, translated, padded to the value column (18). */
static void label(const char *text)
{
	ctl_pad(stdout, text, 17, false);
}

static void print_time(const char *text, int64_t ms)
{
	char t[40];

	if (snt_clock_format_rfc3339(ms, t, sizeof(t)) < 0)
		snprintf(t, sizeof(t), "%" PRId64 " ms", ms);
	label(text);
	printf(" %s\n", t);
}

/* "3d 4h" for a duration in ms (negative: "in the future"). */
static void format_age(int64_t ms, char *buf, size_t size)
{
	if (ms < 0) {
		snprintf(buf, size, "%s", _("in the future"));
		return;
	}
	snprintf(buf, size, _("%lldd %lldh"), (long long)(ms / DAY_MS), (long long)(ms % DAY_MS / 3600000));
}

static void show(const struct snt_rules *r, int64_t now)
{
	char age[32], due[SNT_RULES_DATE_LEN];

	label(_("version"));
	printf(" %" PRIu64 "\n", r->version);
	label(_("home"));
	printf(" %s\n", r->home);
	label(_("gates"));
	for (size_t i = 0; i < r->n_gates; i++)
		printf(" %s", r->gates[i]);
	printf("%s%s\n", r->n_gates ? "" : " ", r->n_gates ? "" : _("all of the home"));
	label(_("mode"));
	printf(" %s\n", snt_rules_mode_name(r->mode));
	print_time(_("issued"), r->issued_ms);
	format_age(now - r->issued_ms, age, sizeof(age));
	label(_("age"));
	printf(" %s\n", age);
	print_time(_("valid from"), r->valid_from_ms);
	print_time(_("valid until"), r->valid_until_ms);
	print_time(_("hard limit"), r->valid_until_ms + r->hard_limit_ms);
	label(_("freshness"));
	printf(" %s\n", snt_rules_freshness_name(snt_rules_freshness(r, now)));
	label(_("fever threshold"));
	printf(" %d.%d\n", r->fever_threshold_mdc / 1000, r->fever_threshold_mdc % 1000 / 100);
	label(_("colours"));
	for (int c = SNT_COLOUR_GREEN; c <= SNT_COLOUR_YELLOW; c++)
		if (r->colours & (1u << c))
			printf(" %s", snt_colour_name((enum snt_colour)c));
	printf("\n");
	label(_("formats"));
	for (int f = SNT_FORMAT_HEALTHCODE; f < SNT_CODE_FORMAT_COUNT; f++)
		if (r->formats & (1u << f))
			printf(" %s", snt_code_format_name((enum snt_code_format)f));
	printf("\n");
	label(_("max visitors"));
	printf(" %" PRIu32 "%s\n", r->max_visitors, r->max_visitors ? "" : _(" (no cap)"));
	label(_("risk regions"));
	for (size_t i = 0; i < r->n_regions; i++)
		printf(" %s", r->regions[i]);
	printf("%s%s\n", r->n_regions ? "" : " ", r->n_regions ? "" : _("none"));
	if (snt_rules_age_rule(r)) {
		/* The visitors' age rule (min_age, max_age): only a set that has one shows it. */
		label(_("age rule"));
		if (r->has_min_age && r->has_max_age)
			printf(P_(" %u-%u year\n", " %u-%u years\n", r->max_age), (unsigned)r->min_age,
			       (unsigned)r->max_age);
		else if (r->has_min_age)
			printf(P_(" %u year or older\n", " %u years or older\n", r->min_age), (unsigned)r->min_age);
		else
			printf(P_(" up to %u year\n", " up to %u years\n", r->max_age), (unsigned)r->max_age);
	}
	label(_("max test age"));
	printf(" ");
	printf(P_("%u day\n", "%u days\n", r->max_test_age_days), (unsigned)r->max_test_age_days);
	label(_("staff"));
	printf(" %zu\n", r->n_staff);
	for (size_t i = 0; i < r->n_staff; i++) {
		snt_rules_format_date(r->staff[i].last_test_day + (int32_t)r->max_test_age_days, due, sizeof(due));
		printf("  %-15s %s  ", r->staff[i].ref, r->staff[i].name);
		printf(_("last test %s, due %s\n"), r->staff[i].last_test, due);
	}
}

/*
 * The version of the rule set last in force by the log ([station] db): the
 * one its last rules event names (snt_rules_event_version(); 0 when there
 * is no log yet or no rules event).  A log that cannot be read refuses the
 * install (fail-secure): a rolled-back set could not be told apart.
 * Return: 0, or -1 after saying why.
 */
static int last_in_force(const char *file, const struct snt_config *sc, uint64_t *version)
{
	struct snt_store *st = NULL;
	struct snt_event ev;
	enum snt_store_err e;
	struct stat sb;

	*version = 0;
	if (stat(sc->db, &sb) != 0 && errno == ENOENT)
		return 0;	/* sentineld has not made it yet: no set was ever in force */
	if (ctl_db_companions(CMD, sc->db))
		e = SNT_STORE_ERR_OPEN;
	else if ((e = snt_store_open(sc->db, true, &st)) != SNT_STORE_OK)
		ctl_store_open_error(CMD, sc->db, e);
	else if ((e = snt_store_event_last(st, SNT_EVENT_RULES, &ev)) == SNT_STORE_OK)
		*version = snt_rules_event_version(ev.detail);
	else if (e != SNT_STORE_ERR_DONE)
		ctl_err(CMD, _("log database %s: rules events cannot be read: %s"), sc->db, snt_store_strerror(e));
	snt_store_close(st);
	if (e == SNT_STORE_OK || e == SNT_STORE_ERR_DONE)
		return 0;
	ctl_err(CMD, _("%s: not installed: the log %s ([station] db of %s) cannot be read, so the version last "
		       "in force is not known"), file, sc->db, sc->path);
	return -1;
}

/*
 * A set in @buf older than @last, the version last in force (the log's
 * last rules event), is refused as sentineld would refuse to take it: the
 * gate does not go back to rules the bureau has replaced, e.g. after the
 * newer files were lost.  A file that does not verify is left to
 * snt_rules_install() to refuse.  Return: true (after saying so) when refused.
 */
static bool rolled_back(const char *file, const struct snt_config *sc, EVP_PKEY *pub, const uint8_t *buf,
			size_t len, uint64_t last)
{
	struct snt_rules *r = NULL;
	char err[512];
	bool older;

	if (!last || snt_rules_open(buf, len, pub, &r, err, sizeof(err)) != SNT_RULES_OK)
		return false;
	older = r->version < last;
	if (older)
		ctl_err(CMD, _("%s: refused: version %llu is older than version %llu, the last in force by the log "
			       "%s (rolled back): nothing installed"), file, (unsigned long long)r->version,
			(unsigned long long)last, sc->db);
	snt_rules_free(r);
	return older;
}

static void print_pending(uint64_t version, int64_t from_ms)
{
	char t[40];

	if (snt_clock_format_rfc3339(from_ms, t, sizeof(t)) < 0)
		snprintf(t, sizeof(t), "%" PRId64 " ms", from_ms);
	label(_("pending"));
	printf(" ");
	printf(_("version %llu, valid from %s\n"), (unsigned long long)version, t);
}

int cmd_policy(int argc, char **argv)
{
	struct snt_rules_install_result res;
	struct snt_rules_gate gate;
	struct snt_rules *rules = NULL;
	struct snt_config sc;
	struct snt_clock clk;
	enum snt_rules_err rerr;
	enum snt_sign_err serr;
	struct config cfg;
	EVP_PKEY *pub = NULL;
	uint8_t *buf = NULL;
	uint64_t last = 0;
	size_t len = 0;
	char err[512];
	int64_t now;
	int rc;

	rc = parse_config(argc, argv, &cfg);
	if (rc)
		return ctl_parse_exit(CMD, rc);
	if (cfg.now) {
		if (snt_clock_parse_rfc3339(cfg.now, &now)) {
			ctl_err(CMD, _("--now: '%s' is not an RFC 3339 time"), cfg.now);
			return ctl_usage_hint(CMD);
		}
	} else {
		snt_clock_system(&clk);
		now = snt_clock_utc_ms(&clk);
	}
	if (ctl_config_load(CMD, cfg.config, &sc))
		return SNT_EXIT_USAGE;
	serr = snt_sign_key_load_public(sc.sync_bureau_key, &pub);
	if (serr) {
		ctl_err(CMD, _("%s: [sync] bureau_key %s: %s"), sc.path, sc.sync_bureau_key, snt_sign_strerror(serr));
		return SNT_EXIT_USAGE;
	}

	gate.home = sc.home;
	gate.device_id = sc.device_id;
	if (!strcmp(cfg.sub, "show")) {
		struct snt_rules_load_info info;

		rerr = snt_rules_load(sc.rules_dir, pub, &gate, &rules, &info, err, sizeof(err));
		EVP_PKEY_free(pub);
		if (rerr) {
			ctl_err(CMD, _("%s ([rules] dir %s of %s)"), err[0] ? err : snt_rules_strerror(rerr), sc.rules_dir,
				sc.path);
			return rerr == SNT_RULES_ERR_IO || rerr == SNT_RULES_ERR_NOMEM ? SNT_EXIT_USAGE : SNT_EXIT_FAIL;
		}
		if (info.kept)
			ctl_err(CMD, _("%s; showing the kept copy %s"), info.active_error, SNT_RULES_KEPT_FILE);
		show(rules, now);
		if (info.pending)
			print_pending(info.pending_version, info.pending_from_ms);
		snt_rules_free(rules);
		return SNT_EXIT_OK;
	}

	if (last_in_force(cfg.file, &sc, &last) || read_input(cfg.file, &buf, &len)) {
		EVP_PKEY_free(pub);
		return SNT_EXIT_USAGE;
	}
	if (rolled_back(cfg.file, &sc, pub, buf, len, last)) {
		free(buf);
		EVP_PKEY_free(pub);
		return SNT_EXIT_FAIL;
	}
	err[0] = '\0';
	rerr = snt_rules_install(sc.rules_dir, pub, &gate, buf, len, now, &res, err, sizeof(err));
	free(buf);
	EVP_PKEY_free(pub);
	switch (rerr) {
	case SNT_RULES_OK:
		if (res.pending) {
			char from[40];

			if (snt_clock_format_rfc3339(res.valid_from_ms, from, sizeof(from)) < 0)
				snprintf(from, sizeof(from), "%" PRId64 " ms", res.valid_from_ms);
			printf(_("rule set version %llu pending: valid from %s (active version %llu%s)\n"),
			       (unsigned long long)res.version, from, (unsigned long long)res.previous,
			       res.previous ? "" : _(": none"));
			return SNT_EXIT_OK;
		}
		printf(_("installed rule set version %llu (was %llu%s), %s\n"), (unsigned long long)res.version,
		       (unsigned long long)res.previous, res.previous ? "" : _(": none"),
		       snt_rules_freshness_name(res.freshness));
		return SNT_EXIT_OK;
	case SNT_RULES_ERR_SIGNATURE:
	case SNT_RULES_ERR_PAYLOAD:
	case SNT_RULES_ERR_OLD:
	case SNT_RULES_ERR_ELSEWHERE:
	case SNT_RULES_ERR_TOO_LARGE:
		ctl_err(CMD, _("%s: refused: %s"), cfg.file, err[0] ? err : snt_rules_strerror(rerr));
		return SNT_EXIT_FAIL;
	default:	/* the directory it goes into: say which key sets it */
		ctl_err(CMD, _("%s: not installed: %s ([rules] dir %s of %s)"), cfg.file,
			err[0] ? err : snt_rules_strerror(rerr), sc.rules_dir, sc.path);
		return SNT_EXIT_USAGE;
	}
}
