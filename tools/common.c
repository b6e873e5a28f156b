// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tools/common.h"

void ctl_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sentinelctl: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int ctl_usage_hint(const char *cmd)
{
	fprintf(stderr, "Try 'sentinelctl %s --help'.\n", cmd);
	return SNT_EXIT_USAGE;
}

const char *ctl_db_path(const char *opt)
{
	const char *env;

	if (opt)
		return opt;
	env = getenv("SENTINEL_DB");
	if (env && *env)
		return env;
	return SNT_DEFAULT_DB;
}
