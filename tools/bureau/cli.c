// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <getopt.h>

#include "tools/bureau/cli.h"
#include "common/i18n.h"

static void verr(const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "sentinel-bureau: %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void bureau_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(cmd, fmt, ap);
	va_end(ap);
}

int bureau_usage_error(const char *cmd, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(cmd, fmt, ap);
	va_end(ap);
	if (hint)
		fputs(hint, stderr);
	return 2;
}

int bureau_option_error(const char *cmd, const char *hint, int c, char **argv)
{
	if (c == ':')
		return bureau_usage_error(cmd, hint, _("option '%s' needs an argument"), argv[optind - 1]);
	return bureau_usage_error(cmd, hint, _("unknown option '%s'"), argv[optind - 1]);
}

/* Whether sentinel-bureau's option @opt takes its value as the next word. */
static bool takes_value(const char *opt)
{
	static const char *const with_value[] = {
		"--db", "--key", "--platform-cmd", "--platform-timeout", "--device", "--pub", "--output",
		"--listen", "--tls-cert", "--tls-key", "--request-timeout", "--buffer-limit", "--in", "--out", "--card",
		"--ref", "--id", "--visitor", "--from", "--until", "--issued", "--home", "--gate", "--uses",
		"--bureau-key", "--duty-phone", "--bureau-url", "--ca", "--rules", "--trust", "--card-hash",
		"--seal-key", "--workers", "--to", "--reason", "--day", "--timezone", "--config", "--by", "--before",
		"--seq", "--staff", "--personal-days", "--state-dir",
	};

	if (strchr(opt, '='))
		return false;
	for (size_t i = 0; i < SNT_ARRAY_SIZE(with_value); i++)
		if (!strcmp(opt, with_value[i]))
			return true;
	return false;
}

const char *bureau_command_word(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return i + 1 < argc ? argv[i + 1] : NULL;
		if (argv[i][0] == '-' && argv[i][1]) {
			if (takes_value(argv[i]))
				i++;
			continue;
		}
		return argv[i];
	}
	return NULL;
}

int bureau_dispatch(int argc, char **argv, const char *const *names,
		    int (*run)(const char *cmd, int argc, char **argv), int *status)
{
	const char *word = bureau_command_word(argc, argv);
	char **copy;
	size_t i = 0;

	while (word && names[i] && strcmp(word, names[i]))
		i++;
	if (!word || !names[i])
		return 0;
	copy = calloc((size_t)argc + 1, sizeof(*copy));
	if (!copy) {
		*status = 2;
		return 1;
	}
	memcpy(copy, argv, (size_t)argc * sizeof(*copy));
	*status = run(word, argc, copy);
	free(copy);
	if (fflush(stdout) || ferror(stdout)) {
		bureau_err(word, _("cannot write the output: %s"), strerror(errno));
		*status = 2;
	}
	return 1;
}

int bureau_take_option(int *argc, char **argv, const char *opt, const char **value)
{
	size_t len = strlen(opt);
	int i = 1, o;

	*value = NULL;
	while (i < *argc && strcmp(argv[i], "--")) {
		const char *a = argv[i];
		int n = 1;

		if (!strcmp(a, opt)) {
			if (i + 1 >= *argc)
				return -1;
			*value = argv[i + 1];
			n = 2;
		} else if (!strncmp(a, opt, len) && a[len] == '=') {
			*value = a + len + 1;
		} else {
			i += a[0] == '-' && a[1] && takes_value(a) ? 2 : 1;
			continue;
		}
		for (o = i; o + n <= *argc; o++)
			argv[o] = argv[o + n];
		*argc -= n;
	}
	return 0;
}

int bureau_take_zone(int *argc, char **argv, const char **zone)
{
	return bureau_take_option(argc, argv, "--timezone", zone);
}
