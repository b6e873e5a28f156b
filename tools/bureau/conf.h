/* SPDX-License-Identifier: MIT */
/*
 * sentinel-bureau's configuration file (--config FILE, default
 * BUREAU_CONF_DEFAULT; sentinel-bureau(8)): an INI file read with inih,
 * one section [bureau] with the keys
 *
 *   db             the bureau database: an SQLite file or a postgresql://
 *                  (postgres://) URI, as --db
 *   key            the bureau's private key (PEM), as --key
 *   personal_days  the personal records' retention, 1-BUREAU_PERSONAL_DAYS_MAX
 *                  days, as --personal-days
 *   timezone       a tz database zone, as --timezone
 *   listen         serve's ADDR:PORT or [ADDR6]:PORT, as --listen
 *   workers        serve's worker threads, 1-BUREAU_SERVE_WORKERS_MAX, as --workers
 *   tls_cert, tls_key   serve's PEM files, as --tls-cert, --tls-key
 *   state_dir      the directory of the enrolment tokens and the trust
 *                  lists, as --state-dir (bureau_state_dir())
 *
 * each at most once; '#' and ';' start comments.  A relative file path
 * (db unless a URI, key, tls_cert, tls_key, state_dir) is relative to the directory of
 * the configuration file, as in sentinel.conf(5).  Options given on the
 * command line override the file.  Nothing here prints.
 */
#ifndef SNT_BUREAU_CONF_H
#define SNT_BUREAU_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "common/common.h"

#define BUREAU_CONF_DEFAULT "/etc/sentinel/bureau.conf"
#define BUREAU_CONF_PATH_LEN 4096	/* a path or URI + NUL */
#define BUREAU_CONF_LISTEN_LEN 160

enum bureau_conf_err {
	BUREAU_CONF_OK = 0,
	BUREAU_CONF_ERR_IO,	/* the file could not be read (why names it and the reason) */
	BUREAU_CONF_ERR_SYNTAX,	/* not an INI line, a NUL byte, a line too long, an unknown section */
	BUREAU_CONF_ERR_KEY,	/* an unknown key, a key outside [bureau], or one given twice */
	BUREAU_CONF_ERR_VALUE,	/* a value out of range or malformed */
	BUREAU_CONF_ERR_NOMEM,
};

/* Which keys the file gave (struct bureau_conf.set). */
enum bureau_conf_key {
	BUREAU_CONF_DB = 1u << 0,
	BUREAU_CONF_KEY = 1u << 1,
	BUREAU_CONF_PERSONAL_DAYS = 1u << 2,
	BUREAU_CONF_TIMEZONE = 1u << 3,
	BUREAU_CONF_LISTEN = 1u << 4,
	BUREAU_CONF_WORKERS = 1u << 5,
	BUREAU_CONF_TLS_CERT = 1u << 6,
	BUREAU_CONF_TLS_KEY = 1u << 7,
	BUREAU_CONF_STATE_DIR = 1u << 8,
};

/* The file's values; each valid only when its bit is in @set. */
struct bureau_conf {
	unsigned set;				/* enum bureau_conf_key bits */
	char db[BUREAU_CONF_PATH_LEN];		/* a URI as written, else a path (made absolute, see above) */
	char key[BUREAU_CONF_PATH_LEN];
	char tls_cert[BUREAU_CONF_PATH_LEN];
	char tls_key[BUREAU_CONF_PATH_LEN];
	char state_dir[BUREAU_CONF_PATH_LEN];
	char timezone[64];			/* checked with snt_clock_zone_valid() */
	char listen[BUREAU_CONF_LISTEN_LEN];	/* checked with bureau_serve_parse_listen() */
	int personal_days;
	unsigned workers;
	bool found;				/* the file existed (bureau_conf_load() with @missing_ok) */
};

/*
 * bureau_conf_load() - read the configuration file @path into @c (cleared
 * first).
 * @missing_ok: a file that does not exist is BUREAU_CONF_OK with
 *     @c->found false (the default path); otherwise it is an error.
 * @why: receives the error (@n bytes): "FILE: reason" when the file cannot
 *     be read, else "FILE:LINE: ..." naming the key or section; a value is
 *     never quoted for the key db (a URI may hold a password).
 * Return: BUREAU_CONF_OK; BUREAU_CONF_ERR_IO (missing, unreadable, not a
 * regular file); BUREAU_CONF_ERR_SYNTAX; BUREAU_CONF_ERR_KEY;
 * BUREAU_CONF_ERR_VALUE; BUREAU_CONF_ERR_NOMEM.
 */
enum bureau_conf_err bureau_conf_load(const char *path, bool missing_ok, struct bureau_conf *c, char *why,
				      size_t n) SNT_WUR;

#endif /* SNT_BUREAU_CONF_H */
