// SPDX-License-Identifier: MIT
/*
 * sentinelctl: the staff's companion CLI for the gate station.
 * Dispatches to one cmd_<name>() per command (tools/cmd_*.c).
 */
#include <stdio.h>
#include <string.h>

#include "tools/common.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "entries", cmd_entries, "list the gate's log entries (table or --json)" },
	{ "purge", cmd_purge, "remove acknowledged entries older than DAYS days" },
	{ "scan", cmd_scan, "decode QR codes in images the way the gate does" },
	{ "selftest", cmd_selftest, "check each device of the gate, one line per device" },
	{ "verify", cmd_verify, "verify a signed health certificate offline (JSON with --json)" },
	{ "verify-log", cmd_verify_log, "check the log's hash chain, sequence and integrity" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: sentinelctl COMMAND [OPTIONS] [ARGS]\n\nCommands:\n");
	for (size_t i = 0; i < SNT_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nOptions:\n  -h, --help     show this help\n  -V, --version  show the version\n"
		   "\n'sentinelctl COMMAND --help' describes one command.\n");
}

int main(int argc, char **argv)
{
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
	for (size_t i = 0; i < SNT_ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "sentinelctl: unknown command '%s'\n", argv[1]);
	fprintf(stderr, "Try 'sentinelctl --help'.\n");
	return SNT_EXIT_USAGE;
}
