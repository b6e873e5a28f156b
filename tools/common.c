// SPDX-License-Identifier: MIT
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "review/review.h"
#include "tools/common.h"
#include "common/i18n.h"

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
	fprintf(stderr, _("Try 'sentinelctl %s --help'.\n"), cmd);
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

void ctl_getopt_start(void *cfg, size_t size)
{
	memset(cfg, 0, size);
	optind = 0;
	opterr = 0;
}

int ctl_getopt_keep(int argc, char **argv, const char *shortopts, const struct option *longopts, int opt,
		    const char **value)
{
	int c;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) == opt)
		*value = optarg;
	return c;
}

int ctl_getopt_error(const char *cmd, int c, char **argv)
{
	if (c == ':')
		ctl_err(cmd, _("option '%s' needs an argument"), argv[optind - 1]);
	else if (optopt)
		ctl_err(cmd, _("unknown option '-%c'"), optopt);
	else
		ctl_err(cmd, _("unknown option '%s'"), argv[optind - 1]);
	return -1;
}

int ctl_getopt_other(const char *cmd, int c, char **argv, void (*usage)(FILE *f))
{
	if (c == 'h') {
		usage(stdout);
		return 1;
	}
	return ctl_getopt_error(cmd, c, argv);
}

int ctl_no_operands(const char *cmd, int argc, char **argv)
{
	if (optind < argc) {
		ctl_err(cmd, _("unexpected argument '%s'"), argv[optind]);
		return -1;
	}
	return 0;
}

int ctl_parse_exit(const char *cmd, int r)
{
	return r > 0 ? SNT_EXIT_OK : ctl_usage_hint(cmd);
}

int ctl_public_key_path(const char *priv, char *out, size_t size)
{
	size_t n = strlen(priv);

	if (n > 4 && !strcmp(priv + n - 4, ".key")) {
		if (n >= size)
			return -1;
		memcpy(out, priv, n - 4);
		memcpy(out + n - 4, ".pub", 5);
		return 0;
	}
	return snprintf(out, size, "%s.pub", priv) < (int)size ? 0 : -1;
}

int ctl_check_args(const char *cmd, int argc, char **argv, const char *db, const char **out)
{
	if (ctl_no_operands(cmd, argc, argv))
		return -1;
	if (db && !*db) {
		ctl_err(cmd, _("--db needs a path"));
		return -1;
	}
	*out = ctl_db_path(db);
	return 0;
}

int ctl_check_args_config(const char *cmd, int argc, char **argv, const char *db, const char *config, char *buf,
			  size_t size, const char **out)
{
	struct snt_config *sc;
	int rc = -1;

	if (!config)
		return ctl_check_args(cmd, argc, argv, db, out);
	if (ctl_no_operands(cmd, argc, argv))
		return -1;
	if (db) {
		ctl_err(cmd, _("give --db or --config, not both"));
		return -1;
	}
	sc = malloc(sizeof(*sc));
	if (!sc) {
		ctl_err(cmd, _("out of memory"));
		return -1;
	}
	if (ctl_config_load(cmd, config, sc) == 0) {
		if (snt_strlcpy(buf, sc->db, size) >= size) {
			ctl_err(cmd, _("%s: [station] db is too long."), config);
		} else {
			*out = buf;
			rc = 0;
		}
	}
	free(sc);
	return rc;
}

/*
 * Whether @path is an SQLite database whose header (https://sqlite.org/fileformat.html
 * §1.3) says user_version 0 and application_id 0 - a file that never got the
 * log's schema - while its write-ahead log "<path>-wal" is missing or empty: what is
 * left when the schema and entries were committed only to the WAL (before a
 * checkpoint) and the WAL was then deleted.
 */
static bool schema_only_in_lost_wal(const char *path)
{
	unsigned char h[72];
	char wal[4096];
	struct stat sb;
	FILE *f = NULL;
	bool r;

	if (snt_fopen_regular(path, &f) != 0)
		return false;
	r = fread(h, 1, sizeof(h), f) == sizeof(h) && !memcmp(h, "SQLite format 3", 16) &&
	    !memcmp(h + 60, "\0\0\0\0", 4) && !memcmp(h + 68, "\0\0\0\0", 4);
	fclose(f);
	if (!r || (size_t)snprintf(wal, sizeof(wal), "%s-wal", path) >= sizeof(wal))
		return false;
	/* Missing, or empty (a reader's own open makes an empty one). */
	if (stat(wal, &sb) != 0)
		return errno == ENOENT;
	return S_ISREG(sb.st_mode) && sb.st_size == 0;
}

int ctl_config_load(const char *cmd, const char *path, struct snt_config *sc)
{
	char err[PATH_MAX + 256];

	if (snt_config_load(path, sc, err, sizeof(err)) != SNT_CONFIG_OK) {
		ctl_err(cmd, "%s", err);
		return -1;
	}
	/* Every local time shown or parsed from here on is in [station] timezone. */
	if (snt_clock_use_zone(sc->timezone)) {
		ctl_err(cmd, _("%s: [station] timezone '%s' cannot be set"), path, sc->timezone);
		return -1;
	}
	return 0;
}

int ctl_output_target(const char *cmd, const char *path)
{
	struct stat sb;

	if (!strcmp(path, "-"))
		return 1;
	if (!*path) {
		ctl_err(cmd, _("the output needs a file name (or - for standard output)"));
		return -1;
	}
	/* Not followed: the rename would replace the link itself (/dev/stdout with stdout a file). */
	if (lstat(path, &sb) != 0)
		return 0;	/* to be created; the open says why it cannot be */
	if (S_ISREG(sb.st_mode))
		return 0;
	ctl_err(cmd, _("cannot write %s: %s; give a regular file, or - for standard output"), path,
		S_ISDIR(sb.st_mode) ? strerror(EISDIR) :
		S_ISLNK(sb.st_mode) ? _("a symbolic link") : _("not a regular file"));
	return -1;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ctl_progress_init(struct ctl_progress *p, const char *what)
{
	memset(p, 0, sizeof(*p));
	p->tty = isatty(STDERR_FILENO) == 1;
	p->what = what;
}

void ctl_progress_count(struct ctl_progress *p, int64_t done, int64_t total)
{
	int64_t now;

	if (!p->tty)
		return;
	now = mono_ms();
	if (p->drawn && done != total && now - p->shown_ms < 100)
		return;
	if (total >= 0)
		fprintf(stderr, "\r%s: %lld/%lld (%lld%%)\033[K", p->what, (long long)done, (long long)total,
			total ? (long long)(done * 100 / total) : 100LL);
	else
		fprintf(stderr, "\r%s: %lld\033[K", p->what, (long long)done);
	fflush(stderr);
	p->drawn = true;
	p->shown_ms = now;
}

void ctl_progress_note(struct ctl_progress *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->tty)
		return;
	fprintf(stderr, "\r%s: ", p->what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\033[K", stderr);
	fflush(stderr);
	p->drawn = true;
	p->shown_ms = mono_ms();
}

void ctl_pad(FILE *f, const char *s, int cols, bool right)
{
	int pad = cols - snt_review_width(s, snt_review_locale_utf8());

	if (right)
		fprintf(f, "%*s%s", pad > 0 ? pad : 0, "", s);
	else
		fprintf(f, "%s%*s", s, pad > 0 ? pad : 0, "");
}

void ctl_progress_done(struct ctl_progress *p)
{
	if (p->tty && p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->drawn = false;
}

int ctl_db_companions(const char *cmd, const char *path)
{
	char which[4096];
	int rc = snt_db_companions_check(path, which, sizeof(which));

	if (rc)
		ctl_err(cmd, _("cannot open %s: %s: %s"), path, which, snt_open_strerror(rc));
	return rc ? -1 : 0;
}

void ctl_store_open_error(const char *cmd, const char *path, enum snt_store_err err)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		ctl_err(cmd, _("cannot open %s: %s"), path, strerror(errno));
	else if (S_ISDIR(sb.st_mode))
		ctl_err(cmd, _("cannot open %s: %s"), path, strerror(EISDIR));
	else if (!S_ISREG(sb.st_mode))
		ctl_err(cmd, _("cannot open %s: not a regular file"), path);
	else if (err == SNT_STORE_ERR_OPEN && access(path, R_OK) != 0)
		ctl_err(cmd, _("cannot open %s: %s"), path, strerror(errno));
	else if (sb.st_size == 0)
		ctl_err(cmd, _("cannot open %s: empty file, not a sentinel log"), path);
	else if (err == SNT_STORE_ERR_SCHEMA && schema_only_in_lost_wal(path))
		ctl_err(cmd,
			_("cannot open %s: the file holds no log: its tables and entries were only in the "
			  "write-ahead log %s-wal, which is missing or empty (put it back beside the file, or restore a backup)"),
			path, path);
	else
		ctl_err(cmd, _("cannot open %s: %s"), path, snt_store_strerror(err));
}
