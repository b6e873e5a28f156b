// SPDX-License-Identifier: MIT
/*
 * sentinel-bureau's configuration file (conf.h), read with inih.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "clock/clock.h"
#include "common/i18n.h"
#include "tools/bureau/bureau.h"
#include "tools/bureau/conf.h"
#include "tools/bureau/personal.h"
#include "tools/bureau/serve.h"

#define SECTION "bureau"

struct parse_ctx {
	struct bureau_conf *c;
	const char *path;
	char dir[BUREAU_CONF_PATH_LEN];	/* the file's directory with its '/', "" for none */
	int line;			/* the line being handled (counted in the prescan) */
	enum bureau_conf_err err;
	char msg[BUREAU_WHY_LEN];
};

static const struct {
	const char *name;
	unsigned bit;
} keys[] = {
	{ "db", BUREAU_CONF_DB },
	{ "key", BUREAU_CONF_KEY },
	{ "personal_days", BUREAU_CONF_PERSONAL_DAYS },
	{ "timezone", BUREAU_CONF_TIMEZONE },
	{ "listen", BUREAU_CONF_LISTEN },
	{ "workers", BUREAU_CONF_WORKERS },
	{ "tls_cert", BUREAU_CONF_TLS_CERT },
	{ "tls_key", BUREAU_CONF_TLS_KEY },
	{ "state_dir", BUREAU_CONF_STATE_DIR },
};

static int fail(struct parse_ctx *pc, enum bureau_conf_err err, const char *fmt, ...) SNT_PRINTF(3, 4);

static int fail(struct parse_ctx *pc, enum bureau_conf_err err, const char *fmt, ...)
{
	va_list ap;

	if (pc->err == BUREAU_CONF_OK) {
		pc->err = err;
		va_start(ap, fmt);
		vsnprintf(pc->msg, sizeof(pc->msg), fmt, ap);
		va_end(ap);
	}
	return 0;	/* inih: a handler error, it reports the line */
}

/* A whole decimal number in [@lo, @hi] into *@out; -1 when it is not one. */
static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || s[0] == '+' || s[0] == ' ' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* @value as a path: relative ones below the file's directory. */
static int set_path(struct parse_ctx *pc, const char *name, const char *value, char *out)
{
	int w;

	if (!value[0])
		return fail(pc, BUREAU_CONF_ERR_VALUE, _("key '%s': empty"), name);
	if (value[0] == '/' || !pc->dir[0])
		w = snprintf(out, BUREAU_CONF_PATH_LEN, "%s", value);
	else
		w = snprintf(out, BUREAU_CONF_PATH_LEN, "%s%s", pc->dir, value);
	if (w < 0 || w >= BUREAU_CONF_PATH_LEN)
		return fail(pc, BUREAU_CONF_ERR_VALUE, _("key '%s': path too long"), name);
	return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *pc = user;
	struct bureau_conf *c = pc->c;
	unsigned bit = 0;
	long v;

	if (strcmp(section, SECTION))
		return fail(pc, BUREAU_CONF_ERR_KEY, section[0] ? _("unknown section [%s] (known: [bureau])")
				: _("key '%s' outside a section (put it under [bureau])"), section[0] ? section : name);
	for (size_t i = 0; i < SNT_ARRAY_SIZE(keys); i++)
		if (!strcmp(name, keys[i].name))
			bit = keys[i].bit;
	if (!bit)
		return fail(pc, BUREAU_CONF_ERR_KEY, _("unknown key '%.64s' in [bureau] (known: db, key, personal_days, timezone, listen, workers, "
			      "tls_cert, tls_key, state_dir)"),
			    name);
	if (c->set & bit)
		return fail(pc, BUREAU_CONF_ERR_KEY, _("key '%s' given twice"), name);
	c->set |= bit;
	switch (bit) {
	case BUREAU_CONF_DB:
		/* Never quoted: a URI may carry a password. */
		if (bureau_db_is_url(value)) {
			if (strlen(value) >= sizeof(c->db))
				return fail(pc, BUREAU_CONF_ERR_VALUE, _("key 'db': URI too long"));
			snt_strlcpy(c->db, value, sizeof(c->db));
			return 1;
		}
		return set_path(pc, name, value, c->db);
	case BUREAU_CONF_KEY:
		return set_path(pc, name, value, c->key);
	case BUREAU_CONF_TLS_CERT:
		return set_path(pc, name, value, c->tls_cert);
	case BUREAU_CONF_TLS_KEY:
		return set_path(pc, name, value, c->tls_key);
	case BUREAU_CONF_STATE_DIR:
		return set_path(pc, name, value, c->state_dir);
	case BUREAU_CONF_PERSONAL_DAYS:
		if (parse_int(value, 1, BUREAU_PERSONAL_DAYS_MAX, &v))
			return fail(pc, BUREAU_CONF_ERR_VALUE, _("key 'personal_days': '%.64s' is not 1-%d days"), value,
				    BUREAU_PERSONAL_DAYS_MAX);
		c->personal_days = (int)v;
		return 1;
	case BUREAU_CONF_WORKERS:
		if (parse_int(value, 1, BUREAU_SERVE_WORKERS_MAX, &v))
			return fail(pc, BUREAU_CONF_ERR_VALUE, _("key 'workers': '%.64s' is not 1-%d"), value,
				    BUREAU_SERVE_WORKERS_MAX);
		c->workers = (unsigned)v;
		return 1;
	case BUREAU_CONF_TIMEZONE:
		if (!snt_clock_zone_valid(value))
			return fail(pc, BUREAU_CONF_ERR_VALUE, _("key 'timezone': '%.64s' is not a time zone of the tz "
				    "database (e.g. %s)"), value, SNT_CLOCK_DEFAULT_ZONE);
		snt_strlcpy(c->timezone, value, sizeof(c->timezone));
		return 1;
	case BUREAU_CONF_LISTEN: {
		struct bureau_serve_opts o;
		char why[BUREAU_WHY_LEN];

		if (strlen(value) >= sizeof(c->listen) || bureau_serve_parse_listen(value, &o, why, sizeof(why)))
			return fail(pc, BUREAU_CONF_ERR_VALUE, _("key 'listen': %s"),
				    strlen(value) >= sizeof(c->listen) ? _("too long") : why);
		snt_strlcpy(c->listen, value, sizeof(c->listen));
		return 1;
	}
	default:
		return fail(pc, BUREAU_CONF_ERR_KEY, _("unknown key '%.64s'"), name);
	}
}

/*
 * What inih would take silently: a NUL byte cutting a line short, a line of
 * INI_MAX_LINE bytes or more (split, its tail read as another line), and a
 * section header with no key under it.  Checked on the raw bytes first.
 */
static enum bureau_conf_err prescan(FILE *f, struct parse_ctx *pc)
{
	char buf[INI_MAX_LINE + 1];
	size_t len = 0;
	int line = 1, c;

	do {
		c = getc(f);
		if (c == '\0') {
			pc->line = line;
			fail(pc, BUREAU_CONF_ERR_SYNTAX, _("NUL byte in line"));
			return pc->err;
		}
		if (c != '\n' && c != EOF) {
			if (len == INI_MAX_LINE - 2) {
				pc->line = line;
				fail(pc, BUREAU_CONF_ERR_SYNTAX, P_("line longer than %d byte", "line longer than %d bytes",
								   INI_MAX_LINE - 2), INI_MAX_LINE - 2);
				return pc->err;
			}
			buf[len++] = (char)c;
			continue;
		}
		buf[len] = '\0';
		{
			const char *p = buf + strspn(buf, " \t\r");
			const char *end = strchr(p, ']');

			if (*p == '[' && end && ((size_t)(end - p - 1) != strlen(SECTION) ||
						 memcmp(p + 1, SECTION, strlen(SECTION)))) {
				pc->line = line;
				fail(pc, BUREAU_CONF_ERR_SYNTAX, _("unknown section [%.*s] (known: [bureau])"),
				     (int)(end - p - 1 > 40 ? 40 : end - p - 1), p + 1);
				return pc->err;
			}
		}
		len = 0;
		line++;
	} while (c != EOF);
	if (ferror(f)) {
		pc->line = 0;
		fail(pc, BUREAU_CONF_ERR_IO, _("read error: %s"), strerror(errno));
		return pc->err;
	}
	return BUREAU_CONF_OK;
}

enum bureau_conf_err bureau_conf_load(const char *path, bool missing_ok, struct bureau_conf *c, char *why, size_t n)
{
	struct parse_ctx pc;
	const char *slash;
	FILE *f;
	int rc, line;

	if (!path || !c || !why)
		return BUREAU_CONF_ERR_VALUE;
	memset(c, 0, sizeof(*c));
	memset(&pc, 0, sizeof(pc));
	pc.c = c;
	pc.path = path;
	slash = strrchr(path, '/');
	if (slash) {
		size_t d = (size_t)(slash - path) + 1;

		if (d >= sizeof(pc.dir)) {
			snprintf(why, n, _("%s: path too long"), path);
			return BUREAU_CONF_ERR_IO;
		}
		memcpy(pc.dir, path, d);
		pc.dir[d] = '\0';
	}
	rc = snt_fopen_regular(path, &f);
	if (rc == ENOENT && missing_ok)
		return BUREAU_CONF_OK;
	if (rc) {
		snprintf(why, n, "%s: %s", path, snt_open_strerror(rc));
		return BUREAU_CONF_ERR_IO;
	}
	c->found = true;
	if (prescan(f, &pc)) {
		fclose(f);
		if (pc.line)
			snprintf(why, n, "%s:%d: %s", path, pc.line, pc.msg);
		else
			snprintf(why, n, "%s: %s", path, pc.msg);
		return pc.err;
	}
	rewind(f);
	line = ini_parse_file(f, handler, &pc);
	fclose(f);
	if (line == -2) {
		snprintf(why, n, _("%s: out of memory"), path);
		return BUREAU_CONF_ERR_NOMEM;
	}
	if (line != 0) {
		if (pc.err == BUREAU_CONF_OK)
			fail(&pc, BUREAU_CONF_ERR_SYNTAX, _("not a 'key = value' line or a '[bureau]' header"));
		snprintf(why, n, "%s:%d: %s", path, line, pc.msg);
		return pc.err;
	}
	return BUREAU_CONF_OK;
}
