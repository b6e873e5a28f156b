// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log/log.h"

void snt_log_init(struct snt_log *log, const char *ident, bool foreground, int verbose)
{
	log->foreground = foreground;
	log->verbose = verbose;
	log->ident = ident;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void snt_log_close(struct snt_log *log)
{
	if (!log->foreground)
		closelog();
}

static void vlog(const struct snt_log *log, int pri, const char *fmt, va_list ap, const char *suffix)
	SNT_PRINTF(3, 0);

static void vlog(const struct snt_log *log, int pri, const char *fmt, va_list ap, const char *suffix)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log->foreground) {
		/* One write per line, so concurrent lines never interleave. */
		fprintf(stderr, "%s: %s%s%s\n", log->ident, msg, suffix ? ": " : "",
			suffix ? suffix : "");
		fflush(stderr);
	} else {
		syslog(pri, "%s%s%s", msg, suffix ? ": " : "", suffix ? suffix : "");
	}
}

void log_warn(const struct snt_log *log, const char *fmt, ...)
{
	char err[128];
	va_list ap;
	int saved = errno;

	snt_strlcpy(err, strerror(saved), sizeof(err));
	va_start(ap, fmt);
	vlog(log, LOG_WARNING, fmt, ap, err);
	va_end(ap);
	errno = saved;
}

void log_warnx(const struct snt_log *log, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(log, LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void log_info(const struct snt_log *log, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(log, LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void log_debug(const struct snt_log *log, const char *fmt, ...)
{
	va_list ap;

	if (!log->verbose)
		return;
	va_start(ap, fmt);
	vlog(log, LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}
