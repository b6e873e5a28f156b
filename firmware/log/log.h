/* SPDX-License-Identifier: MIT */
/*
 * log: the daemon's log layer, after OpenBSD ntpd's log.c.  In the
 * foreground it writes "sentineld: message" lines to stderr, otherwise to
 * syslog(3) (LOG_DAEMON), which journald collects.  The state lives in a
 * struct snt_log owned by main()'s context, never in a global.
 *
 * Privacy rule (domain.md lesson 13): callers never pass names, ID numbers,
 * code payloads or tokens to these functions.  Log sequence numbers,
 * decisions, reasons, colours and error texts instead.
 */
#ifndef SNT_LOG_H
#define SNT_LOG_H

#include <stdbool.h>

#include "common/common.h"

struct snt_log {
	bool foreground;	/* stderr instead of syslog */
	int verbose;		/* 0: info and up; 1: debug too */
	const char *ident;	/* program name, e.g. "sentineld" */
};

/*
 * snt_log_init() - set up @log; opens syslog when not in the foreground.
 * @ident: static string naming the program.
 */
void snt_log_init(struct snt_log *log, const char *ident, bool foreground, int verbose);

/* snt_log_close() - closes syslog if it was opened. */
void snt_log_close(struct snt_log *log);

/* log_warn() - warning with ": strerror(errno)" appended. */
void log_warn(const struct snt_log *log, const char *fmt, ...) SNT_PRINTF(2, 3);
/* log_warnx() - warning as given. */
void log_warnx(const struct snt_log *log, const char *fmt, ...) SNT_PRINTF(2, 3);
/* log_info() - normal operation (one line per visit). */
void log_info(const struct snt_log *log, const char *fmt, ...) SNT_PRINTF(2, 3);
/* log_debug() - only when verbose. */
void log_debug(const struct snt_log *log, const char *fmt, ...) SNT_PRINTF(2, 3);

#endif /* SNT_LOG_H */
