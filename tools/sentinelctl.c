// SPDX-License-Identifier: MIT
/*
 * sentinelctl: the staff's companion CLI for the gate station.
 * Dispatches to one cmd_<name>() per command (tools/cmd_*.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock/clock.h"
#include "config/config.h"
#include "tools/common.h"
#include "common/i18n.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "alerts", cmd_alerts, N_("alerts staff must see, newest first; --ack closes one") },
	{ "enrol", cmd_enrol, N_("enrol this gate from the bureau's package (stick or online)") },
	{ "entries", cmd_entries, N_("list the gate's log entries (table or --json)") },
	{ "export", cmd_export, N_("write entries to CSV or JSON lines, every row or nothing") },
	{ "keys", cmd_keys, N_("make or show this gate's device key (for the bureau)") },
	{ "pass", cmd_pass, N_("issue a visit pass at the home, signed by this gate") },
	{ "policy", cmd_policy, N_("install or show the bureau's signed rule set") },
	{ "purge", cmd_purge, N_("remove acknowledged entries older than DAYS days") },
	{ "report", cmd_report, N_("write one day as a printable HTML page with charts") },
	{ "scan", cmd_scan, N_("decode QR codes in images the way the gate does") },
	{ "selftest", cmd_selftest, N_("check each device of the gate, one line per device") },
	{ "stats", cmd_stats, N_("counts per hour and day, decisions, fevers, peak occupancy") },
	{ "status", cmd_status, N_("one screen: enrolment, home, gate, rules, clock, sync, alerts") },
	{ "sync", cmd_sync, N_("exchange with the bureau: by USB stick or online") },
	{ "verify", cmd_verify, N_("verify a signed health certificate offline (JSON with --json)") },
	{ "verify-log", cmd_verify_log, N_("check the log's hash chain, sequence and integrity") },
};

/*
 * The zone of a --config given anywhere among @argv's options, so that time
 * options before it (--since, --day) are read in its [station] timezone
 * too.  A file that does not load changes nothing here (the command says why).
 */
static void zone_from_config(int argc, char **argv)
{
	struct snt_config *sc;
	const char *path = NULL;
	char err[256];

	for (int i = 2; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			path = argv[++i];
		else if (!strncmp(argv[i], "--config=", 9))
			path = argv[i] + 9;
	}
	if (!path || !(sc = malloc(sizeof(*sc))))
		return;
	if (snt_config_load(path, sc, err, sizeof(err)) == SNT_CONFIG_OK && snt_clock_use_zone(sc->timezone))
		fprintf(stderr, _("sentinelctl: %s: [station] timezone '%s' cannot be set\n"), path, sc->timezone);
	free(sc);
}

static void usage(FILE *f)
{
	fprintf(f, _("Usage: sentinelctl COMMAND [OPTIONS] [ARGS]\n\nCommands:\n"));
	for (size_t i = 0; i < SNT_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
	fprintf(f, _("\nOptions:\n  -h, --help     show this help\n  -V, --version  show the version\n"
		     "\n'sentinelctl COMMAND --help' describes one command.\n"));
}

int main(int argc, char **argv)
{
	snt_i18n_init();
	/* Local times in China Standard Time until a command's --config names [station] timezone. */
	if (snt_clock_use_zone(SNT_CLOCK_DEFAULT_ZONE)) {
		fprintf(stderr, _("sentinelctl: cannot set the time zone %s\n"), SNT_CLOCK_DEFAULT_ZONE);
		return SNT_EXIT_USAGE;
	}
	if (argc < 2) {
		usage(stderr);
		return SNT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return SNT_EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("sentinelctl %s\n", SNT_VERSION);
		return SNT_EXIT_OK;
	}
	zone_from_config(argc, argv);
	for (size_t i = 0; i < SNT_ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, _("sentinelctl: unknown command '%s'\n"), argv[1]);
	fprintf(stderr, _("Try 'sentinelctl --help'.\n"));
	return SNT_EXIT_USAGE;
}
