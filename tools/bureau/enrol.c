// SPDX-License-Identifier: MIT
/*
 * sentinel-bureau enrol / enrol-import (enrol.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "clock/clock.h"
#include "fss/fss.h"
#include "rules/rules.h"
#include "sign/sign.h"
#include "trustlist/trustlist.h"
#include "tools/bureau/cli.h"
#include "tools/bureau/enrol.h"
#include "tools/bureau/trust.h"
#include "common/i18n.h"

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define FORMAT "sentinel-enrolment/1"
#define MAX_TRUST 16
#define MAX_FILE (1 << 20)

struct opts {
	const char *db, *state_dir, *home, *gate, *bureau_key, *output, *duty_phone, *bureau_url, *ca, *rules;
	const char *trust[MAX_TRUST];
	size_t n_trust;
	bool help;
	const char *cmd;	/* the command word given (enrol, enrol-import): its messages name it */
};

static void usage(void)
{
	fputs(_("Usage: sentinel-bureau [--db DB] [--state-dir DIR] enrol --home HOME --gate ID\n"
	      "                       --bureau-key PUB --output DIR [--duty-phone P]\n"
	      "                       [--bureau-url URL] [--ca CA.pem]\n"
	      "                       [--rules RULES.cose] [--trust FILE]...\n"
	      "       sentinel-bureau [--db DB] [--state-dir DIR] enrol-import DIR\n"
	      "\n"
	      "enrol: write the enrolment package of gate ID of HOME to DIR/sentinel/enrol/ID/\n"
	      "(the bureau's public key PUB, its CA, the rule set, the trust list, the duty\n"
	      "phone and a one-time token), keep it under the token in the token directory\n"
	      "(--state-dir DIR: DIR/enrol/; else DB.enrol/ beside an SQLite file,\n"
	      "/var/lib/sentinel-bureau/enrol/ for PostgreSQL), and print a second token for\n"
	      "an online enrolment, which the stick never carries (spending either spends both).\n"
	      "enrol-import: register each gate that wrote its key back to DIR/sentinel/enrol/\n"
	      "(device.pub, reply.json), spending its token; a token works once.  The gate's\n"
	      "first seal key written back beside them (seal0, secret) is registered too, and\n"
	      "removed from the stick.\n"), stdout);
}

/* Read @path whole (a regular file of at most MAX_FILE bytes); NUL-terminated; errors said as @cmd's. */
static int read_all(const char *cmd, const char *path, char **out, size_t *len)
{
	uint8_t *buf;
	int rc = snt_read_file(path, MAX_FILE, &buf, len);

	if (rc == ENOMEM) {
		bureau_err(cmd, _("out of memory"));
		return -1;
	}
	if (rc) {
		bureau_err(cmd, "%s: %s", path, rc == SNT_ETOOBIG ? _("larger than 1 MiB") : snt_open_strerror(rc));
		return -1;
	}
	*out = (char *)buf;
	return 0;
}

static json_t *hex_of(const char *buf, size_t len)
{
	char *hex = malloc(2 * len + 1);
	json_t *j;

	if (!hex)
		return NULL;
	snt_hex_encode((const uint8_t *)buf, len, hex);
	j = json_string(hex);
	free(hex);
	return j;
}

/* mkdir -p of @path's components from @from on (each 0700 unless it exists). */
static int make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(path, 0755) && errno != EEXIST ? -1 : 0;
}

static bool stick_link(const char *cmd, const char *path);

/*
 * Whether @v, written as a value into the gate's enrolment file, reads back
 * as written (sentinelctl enrol refuses the rest, snt_config_value_writable()):
 * " ;" there starts a comment, blanks at either end are stripped.
 */
static bool reads_back(const char *v)
{
	size_t n = strlen(v);

	if (strstr(v, " ;") || strstr(v, "\t;"))
		return false;
	return n == 0 || (!strchr(" \t", v[0]) && !strchr(" \t", v[n - 1]));
}

/* @out/sentinel, its enrol/ and enrol/@gate/ on the stick: none may be a symbolic link (never followed). */
static bool stick_links(const char *cmd, const char *out, const char *gate)
{
	static const char *const parts[] = { "/sentinel", "/sentinel/enrol", "/sentinel/enrol/" };
	char path[4096];

	for (size_t i = 0; i < SNT_ARRAY_SIZE(parts); i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s%s%s", out, parts[i], i == 2 ? gate : "") >= sizeof(path))
			return false;	/* too long: said when the package is written */
		if (stick_link(cmd, path))
			return true;
	}
	return false;
}

static bool token_valid(const char *t)
{
	if (strlen(t) != BUREAU_ENROL_TOKEN_HEX)
		return false;
	for (const char *p = t; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

bool bureau_enrol_own_key(EVP_PKEY *own, const uint8_t kid[SNT_SIGN_KID_LEN])
{
	uint8_t k[SNT_SIGN_KID_LEN];

	return own && kid && !snt_sign_key_kid(own, k) && !memcmp(k, kid, SNT_SIGN_KID_LEN);
}

/* Whether the signed rule set @cose verifies with @pub and is for gate @gate of @home (@why: why not). */
static bool rules_fit(const uint8_t *cose, size_t len, EVP_PKEY *pub, const char *home, const char *gate,
		      uint64_t *version, char *why, size_t n)
{
	const struct snt_rules_gate g = { home, gate };
	struct snt_rules *r = NULL;
	enum snt_rules_err e;
	char err[200] = "";

	e = snt_rules_open(cose, len, pub, &r, err, sizeof(err));
	if (!e)
		e = snt_rules_addressed(r->home, (const char (*)[SNT_RULES_GATE_LEN])r->gates, r->n_gates, &g, err,
					sizeof(err));
	*version = r ? r->version : 0;
	snt_rules_free(r);
	if (e)
		snprintf(why, n, "%s%s%s", snt_rules_strerror(e), err[0] ? ": " : "", err);
	return !e;
}

/*
 * The home's current rule set and trust list (kept with @o->db) into @pkg
 * as "rules" (unless --rules gave one) and "trust_list", each line said.
 * A database that does not exist yet holds neither (said, no error).
 * Return: 0, or -1 after the message.
 */
static int add_current(const struct opts *o, EVP_PKEY *pub, json_t *pkg)
{
	char why[BUREAU_WHY_LEN];
	struct bureau_db *db = NULL;
	uint8_t *cose = NULL;
	uint64_t version;
	size_t len;
	struct stat sb;
	enum bureau_err err;
	int status = -1;

	if (!o->rules) {
		if (!bureau_db_is_url(o->db) && stat(o->db, &sb) != 0) {
			printf(_("no rule set: %s does not exist yet (policy sign --db gives the home one)\n"), o->db);
		} else if (bureau_db_open_mode(o->db, false, &db, why, sizeof(why))) {
			bureau_err(o->cmd, "%s", why);
			return -1;
		} else {
			err = bureau_db_rules_home(db, o->home, &cose, &len, &version, why, sizeof(why));
			bureau_db_close(db);
			if (err == BUREAU_ERR_NOTFOUND) {
				printf(_("no rule set: home %s has none yet (policy sign --db gives it one)\n"), o->home);
			} else if (err) {
				bureau_err(o->cmd, "%s", why);
				return -1;
			} else if (!rules_fit(cose, len, pub, o->home, o->gate, &version, why, sizeof(why))) {
				printf(_("no rule set: the home's current one is not for this gate (%s)\n"), why);
			} else {
				if (json_object_set_new(pkg, "rules", hex_of((const char *)cose, len)))
					goto oom;
				printf(_("rule set: version %llu, the home's current one\n"), (unsigned long long)version);
			}
			free(cose);
			cose = NULL;
		}
	}
	err = bureau_trust_home(o->db, o->state_dir, pub, o->home, &cose, &len, &version, why, sizeof(why));
	if (err == BUREAU_ERR_NOTFOUND) {
		printf(_("no trust list: home %s has none yet (trust sign --db gives it one)\n"), o->home);
	} else if (err) {
		bureau_err(o->cmd, "%s", why);
		return -1;
	} else {
		if (json_object_set_new(pkg, "trust_list", hex_of((const char *)cose, len)))
			goto oom;
		printf(_("trust list: version %llu, the home's current one\n"), (unsigned long long)version);
	}
	status = 0;
	goto out;
oom:
	bureau_err(o->cmd, _("out of memory"));
out:
	free(cose);
	return status;
}

static int cmd_enrol(const struct opts *o)
{
	uint8_t raw[BUREAU_ENROL_TOKEN_HEX / 2], oraw[BUREAU_ENROL_TOKEN_HEX / 2];
	char token[BUREAU_ENROL_TOKEN_HEX + 1], online[BUREAU_ENROL_TOKEN_HEX + 1], dir[4096], path[4096];
	char *buf = NULL, *text = NULL;
	json_t *pkg = NULL, *trust = NULL;
	EVP_PKEY *pub = NULL;
	struct snt_clock clk;
	char created[40];
	size_t len;
	int status = EXIT_USAGE;

	if (!o->home || !o->gate || !o->bureau_key || !o->output) {
		bureau_err(o->cmd, _("--home, --gate, --bureau-key and --output are required"));
		return EXIT_USAGE;
	}
	if (!*o->home || !snt_text_clean(o->home) || strlen(o->home) > 127) {
		bureau_err(o->cmd, _("--home: not 1-127 bytes of UTF-8 text without control characters"));
		return EXIT_USAGE;
	}
	if (!reads_back(o->home) || (o->duty_phone && !reads_back(o->duty_phone))) {
		bureau_err(o->cmd, _("--%s: a gate's enrolment file would not read it back (' ;' starts a comment "
				     "there; no blank at either end)"),
			   /* i18n-exempt: option names */
			   reads_back(o->home) ? "duty-phone" : "home");
		return EXIT_USAGE;
	}
	if (!bureau_device_id_valid(o->gate) || !strcmp(o->gate, "enrol")) {
		bureau_err(o->cmd,
			   _("--gate: '%s' is not a device id (1-63 of A-Z a-z 0-9 . _ -, not starting with '.'; not 'enrol', the packages' folder)"),
			   o->gate);
		return EXIT_USAGE;
	}
	if (o->duty_phone && (strlen(o->duty_phone) > 31 || !snt_text_clean(o->duty_phone))) {
		bureau_err(o->cmd, _("--duty-phone: not 0-31 bytes of text"));
		return EXIT_USAGE;
	}
	/* At most 185 bytes: "bureau_url = URL" is a line of the gate's enrolment file (198 bytes at most). */
	if (o->bureau_url && (strlen(o->bureau_url) > 185 || !reads_back(o->bureau_url) ||
			      (strncmp(o->bureau_url, "https://", 8) && strncmp(o->bureau_url, "http://", 7)))) {
		bureau_err(o->cmd, _("--bureau-url: not an http:// or https:// URL of at most 185 bytes"));
		return EXIT_USAGE;
	}
	if (snt_sign_key_load_public(o->bureau_key, &pub)) {
		bureau_err(o->cmd, _("--bureau-key %s: not a PEM P-256 public key"), o->bureau_key);
		return EXIT_USAGE;
	}
	/* A stick whose folders point elsewhere would have the package, and its token, written there. */
	if (stick_links(o->cmd, o->output, o->gate)) {
		EVP_PKEY_free(pub);
		return EXIT_FAIL;
	}
	if (RAND_bytes(raw, sizeof(raw)) != 1 || RAND_bytes(oraw, sizeof(oraw)) != 1) {
		bureau_err(o->cmd, _("no random bytes for the token"));
		EVP_PKEY_free(pub);
		return EXIT_USAGE;
	}
	snt_hex_encode(raw, sizeof(raw), token);
	snt_hex_encode(oraw, sizeof(oraw), online);	/* never on the stick: whoever reads it cannot enrol online */
	snt_clock_system(&clk);
	if (snt_clock_format_rfc3339(snt_clock_utc_ms(&clk), created, sizeof(created)) < 0)
		created[0] = '\0';
	pkg = json_object();
	trust = json_object();
	if (!pkg || !trust)
		goto oom;
	if (json_object_set_new(pkg, "format", json_string(FORMAT)) ||
	    json_object_set_new(pkg, "home", json_string(o->home)) ||
	    json_object_set_new(pkg, "gate", json_string(o->gate)) ||
	    json_object_set_new(pkg, "token", json_string(token)) ||
	    json_object_set_new(pkg, "created", json_string(created)))
		goto oom;
	if (o->duty_phone && json_object_set_new(pkg, "duty_phone", json_string(o->duty_phone)))
		goto oom;
	if (o->bureau_url && json_object_set_new(pkg, "bureau_url", json_string(o->bureau_url)))
		goto oom;
	if (read_all(o->cmd, o->bureau_key, &buf, &len))
		goto out;
	if (json_object_set_new(pkg, "bureau_key", json_string(buf)))
		goto oom;
	free(buf);
	buf = NULL;
	if (o->ca) {
		if (read_all(o->cmd, o->ca, &buf, &len))
			goto out;
		if (snt_sign_ca_pem_check(buf, len) != SNT_SIGN_OK) {
			bureau_err(o->cmd, _("--ca %s: not PEM certificates"), o->ca);
			goto out;
		}
		if (json_object_set_new(pkg, "bureau_ca", json_string(buf)))
			goto oom;
		free(buf);
		buf = NULL;
	}
	if (o->rules) {
		char why[256];
		uint64_t version;

		if (read_all(o->cmd, o->rules, &buf, &len))
			goto out;
		if (!rules_fit((const uint8_t *)buf, len, pub, o->home, o->gate, &version, why, sizeof(why))) {
			bureau_err(o->cmd, _("--rules %s: refused: %s"), o->rules, why);
			goto out;
		}
		if (json_object_set_new(pkg, "rules", hex_of(buf, len)))
			goto oom;
		free(buf);
		buf = NULL;
	}
	for (size_t i = 0; i < o->n_trust; i++) {
		const char *base = strrchr(o->trust[i], '/');

		base = base ? base + 1 : o->trust[i];
		if (!snt_device_id_valid(base)) {
			bureau_err(o->cmd, _("--trust %s: its name is not 1-63 of A-Z a-z 0-9 . _ -"), o->trust[i]);
			goto out;
		}
		if (read_all(o->cmd, o->trust[i], &buf, &len))
			goto out;
		{
			char err[256] = "";

			if (snt_trustlist_check_file(base, (const uint8_t *)buf, len, err, sizeof(err))) {
				bureau_err(o->cmd, _("--trust %s: refused: %s"), o->trust[i], err);
				goto out;
			}
		}
		if (json_object_set_new(trust, base, hex_of(buf, len)))
			goto oom;
		free(buf);
		buf = NULL;
	}
	if (o->n_trust && json_object_set(pkg, "trust", trust))
		goto oom;
	if (add_current(o, pub, pkg))
		goto out;
	text = json_dumps(pkg, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (!text)
		goto oom;
	/* The bureau's copy first: a package on a stick always has its token. */
	if (bureau_state_dir(o->db, o->state_dir, "enrol", dir, sizeof(dir)) ||
	    (size_t)snprintf(path, sizeof(path), "%s/used", dir) >= sizeof(path)) {
		bureau_err(o->cmd, _("%s: path too long"), o->state_dir ? o->state_dir : o->db);
		goto out;
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		bureau_err(o->cmd, _("cannot make the token directory %s: %s"), dir, strerror(errno));
		goto out;
	}
	if (mkdir(path, 0700) && errno != EEXIST) {
		bureau_err(o->cmd, _("cannot make the token directory %s: %s"), path, strerror(errno));
		goto out;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.json", dir, token) >= sizeof(path) ||
	    (errno = snt_write_atomic(path, text, strlen(text), 0600))) {
		bureau_err(o->cmd, _("cannot write %s: %s"), path, strerror(errno));
		goto out;
	}
	/* The online token names the stick's: ONLINE.online holds TOKEN (bureau_enrol_redeem_online()). */
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.online", dir, online) >= sizeof(path) ||
	    (errno = snt_write_atomic(path, token, strlen(token), 0600))) {
		bureau_err(o->cmd, _("cannot write %s: %s"), path, strerror(errno));
		goto out;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/sentinel/enrol/%s", o->output, o->gate) >= sizeof(path) ||
	    make_dirs(path)) {
		bureau_err(o->cmd, _("cannot make %s/sentinel/enrol/%s: %s"), o->output, o->gate, strerror(errno));
		goto out;
	}
	strncat(path, "/package.json", sizeof(path) - strlen(path) - 1);
	if ((errno = snt_write_atomic(path, text, strlen(text), 0600))) {
		bureau_err(o->cmd, _("cannot write %s: %s"), path, strerror(errno));
		goto out;
	}
	printf(_("enrolment package for gate %s: %s\n"), o->gate, path);
	printf(_("one-time token (online enrolment): %s\n"), online);
	/* Where serve and enrol-import look for it (bureau_state_dir()). */
	{
		char *abs = realpath(dir, NULL);

		printf(_("its copy is kept in %s/ (serve and enrol-import with this --db and state directory "
			 "look there)\n"), abs ? abs : dir);
		free(abs);
	}
	status = EXIT_OK;
	goto out;
oom:
	bureau_err(o->cmd, _("out of memory"));
out:
	free(buf);
	free(text);
	json_decref(trust);
	json_decref(pkg);
	EVP_PKEY_free(pub);
	return status;
}

/* Put the spent token @to back to @from after a refusal (@why gets the reason, and a failure to put it back). */
static void unspend(const char *to, const char *from, const char *reason, char *why, size_t n)
{
	if (rename(to, from))
		snprintf(why, n, _("%s (and the token stays spent: %s)"), reason, strerror(errno));
	else
		snprintf(why, n, "%s", reason);
}

/* Online: the home's current rule set (newer than the package's) and trust list into @pkg. */
static void refresh(const char *db_path, const char *state_dir, struct bureau_db *db, EVP_PKEY *key,
		    const char *gate, json_t *pkg)
{
	char why[BUREAU_WHY_LEN];
	const char *hex = json_string_value(json_object_get(pkg, "rules"));
	uint8_t *cose = NULL, *old = NULL;
	uint64_t version, had = 0;
	size_t len, old_len = 0;

	if (hex && (old = malloc(strlen(hex) / 2 + 1)) && snt_hex_decode(hex, old) >= 0) {
		struct snt_rules *r = NULL;

		old_len = strlen(hex) / 2;
		if (!snt_rules_open(old, old_len, key, &r, NULL, 0))
			had = r->version;
		snt_rules_free(r);
	}
	free(old);
	if (!bureau_db_rules_for(db, gate, &cose, &len, &version, why, sizeof(why)) && version > had)
		(void)json_object_set_new(pkg, "rules", hex_of((const char *)cose, len));
	free(cose);
	cose = NULL;
	if (!bureau_trust_for(db_path, state_dir, db, key, gate, &cose, &len, &version, why, sizeof(why)))
		(void)json_object_set_new(pkg, "trust_list", hex_of((const char *)cose, len));
	free(cose);
}

int bureau_enrol_redeem(const char *db_path, const char *state_dir, struct bureau_db *db, EVP_PKEY *key,
			const char *token,
			const char *for_gate, const char *pub_pem, const char *seal0, int64_t now_ms,
			json_t **package, char *why, size_t n)
{
	char dir[4096], from[4096], to[4096], *buf = NULL, dbwhy[BUREAU_WHY_LEN], *pem = NULL;
	char seal_text[SNT_FSS_FILE_MAX] = "";
	uint8_t kid[SNT_SIGN_KID_LEN];
	EVP_PKEY *pub = NULL;
	json_error_t jerr;
	const char *gate, *home;
	enum bureau_err err;
	size_t len, pem_len;
	bool changed;
	json_t *pkg;

	*package = NULL;
	if (!token_valid(token)) {
		snprintf(why, n, _("the token is not %d hex digits"), BUREAU_ENROL_TOKEN_HEX);
		return 1;
	}
	if (snt_sign_key_public_from_pem(pub_pem, strlen(pub_pem), &pub) || snt_sign_key_kid(pub, kid) ||
	    snt_sign_key_public_pem(pub, &pem, &pem_len)) {
		EVP_PKEY_free(pub);
		snprintf(why, n, _("the gate's key is not a PEM P-256 public key"));
		return 1;
	}
	EVP_PKEY_free(pub);
	if (seal0 && seal0[0]) {
		struct snt_fss k;
		enum snt_fss_err fe = snt_fss_parse(seal0, strlen(seal0), &k);

		if (!fe && k.epoch != 0)
			fe = SNT_FSS_ERR_FORMAT;
		if (!fe)
			fe = snt_fss_format(&k, seal_text, sizeof(seal_text));
		snt_fss_wipe(&k);
		if (fe) {
			free(pem);
			snprintf(why, n, _("the gate's seal0 is not a first seal key: %s"), snt_fss_strerror(fe));
			return 1;
		}
	}
	if (bureau_state_dir(db_path, state_dir, "enrol", dir, sizeof(dir)) ||
	    (size_t)snprintf(from, sizeof(from), "%s/%s.json", dir, token) >= sizeof(from) ||
	    (size_t)snprintf(to, sizeof(to), "%s/used/%s.json", dir, token) >= sizeof(to)) {
		free(pem);
		snprintf(why, n, _("path too long"));
		return 2;
	}
	/* Spend it: of two uses only one rename finds the file. */
	if (rename(from, to)) {
		int e = errno;

		free(pem);
		if (e == ENOENT) {
			snprintf(why, n, _("unknown or already used enrolment token"));
			return 1;
		}
		snprintf(why, n, _("cannot spend the token in %s: %s"), dir, strerror(e));
		return 2;
	}
	{
		FILE *f;
		int rc = snt_fopen_regular(to, &f);

		if (rc) {
			free(pem);
			snprintf(why, n, "%s: %s", to, snt_open_strerror(rc));
			return 2;
		}
		buf = malloc(4 * MAX_FILE);
		len = buf ? fread(buf, 1, 4 * MAX_FILE - 1, f) : 0;
		fclose(f);
		if (!buf) {
			free(pem);
			snprintf(why, n, _("out of memory"));
			return 2;
		}
		buf[len] = '\0';
	}
	pkg = json_loads(buf, 0, &jerr);
	free(buf);
	gate = pkg ? json_string_value(json_object_get(pkg, "gate")) : NULL;
	home = pkg ? json_string_value(json_object_get(pkg, "home")) : NULL;
	if (!gate || !bureau_device_id_valid(gate) || !home) {
		json_decref(pkg);
		free(pem);
		snprintf(why, n, _("the kept package of that token is damaged"));
		return 2;
	}
	if (for_gate && strcmp(gate, for_gate)) {
		/* Another gate's token: nothing registered, and it stays that gate's. */
		explicit_bzero(seal_text, sizeof(seal_text));
		free(pem);
		json_decref(pkg);
		unspend(to, from, "the token was made for another gate", why, n);
		return 1;
	}
	/* The bureau's own key is no gate's: the one serving, and the one the package carries. */
	{
		const char *own_pem = json_string_value(json_object_get(pkg, "bureau_key"));
		EVP_PKEY *own = NULL;
		bool same = bureau_enrol_own_key(key, kid);

		if (!same && own_pem && !snt_sign_key_public_from_pem(own_pem, strlen(own_pem), &own))
			same = bureau_enrol_own_key(own, kid);
		EVP_PKEY_free(own);
		if (same) {
			explicit_bzero(seal_text, sizeof(seal_text));
			free(pem);
			json_decref(pkg);
			unspend(to, from, "the gate's key is the bureau's own key, not a gate's", why, n);
			return 1;
		}
	}
	err = bureau_db_register(db, gate, pem, kid, false, now_ms, &changed, dbwhy, sizeof(dbwhy));
	if (!err && seal_text[0])
		err = bureau_db_set_seal_key(db, gate, seal_text, false, &changed, dbwhy, sizeof(dbwhy));
	/* The gate serves the home the bureau made its package for: its rule sets and trust lists follow. */
	if (!err)
		err = bureau_db_set_home(db, gate, home, dbwhy, sizeof(dbwhy));
	explicit_bzero(seal_text, sizeof(seal_text));
	free(pem);
	if (err) {
		/* Not enrolled: the token is unspent again, for a retry once the bureau has settled it. */
		unspend(to, from, dbwhy, why, n);
		json_decref(pkg);
		return err == BUREAU_ERR_EXISTS || err == BUREAU_ERR_INVAL ? 1 : 2;
	}
	if (key)
		refresh(db_path, state_dir, db, key, gate, pkg);
	*package = pkg;
	return 0;
}

int bureau_enrol_redeem_online(const char *db_path, const char *state_dir, struct bureau_db *db, EVP_PKEY *key,
			       const char *token, const char *pub_pem, const char *seal0, int64_t now_ms,
			       json_t **package, char *why, size_t n)
{
	char dir[4096], alias[4096], stick[BUREAU_ENROL_TOKEN_HEX + 1];
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	*package = NULL;
	if (!token_valid(token)) {
		snprintf(why, n, _("the token is not %d hex digits"), BUREAU_ENROL_TOKEN_HEX);
		return 1;
	}
	if (bureau_state_dir(db_path, state_dir, "enrol", dir, sizeof(dir)) ||
	    (size_t)snprintf(alias, sizeof(alias), "%s/%s.online", dir, token) >= sizeof(alias)) {
		snprintf(why, n, _("path too long"));
		return 2;
	}
	rc = snt_read_file(alias, BUREAU_ENROL_TOKEN_HEX, &buf, &len);
	if (rc == ENOENT) {	/* no online token: unknown, or a stick's token (never good online) */
		snprintf(why, n, _("unknown or already used enrolment token"));
		return 1;
	}
	if (rc || len != BUREAU_ENROL_TOKEN_HEX) {
		free(buf);
		snprintf(why, n, "%s: %s", alias, rc ? snt_open_strerror(rc) : _("damaged"));
		return 2;
	}
	memcpy(stick, buf, len);
	stick[len] = '\0';
	free(buf);
	if (!token_valid(stick)) {
		snprintf(why, n, "%s: %s", alias, _("damaged"));
		return 2;
	}
	rc = bureau_enrol_redeem(db_path, state_dir, db, key, stick, NULL, pub_pem, seal0, now_ms, package, why, n);
	if (rc == 0)
		(void)unlink(alias);	/* spent with its stick token; a leftover would only be refused */
	return rc;
}

/* Whether @path on a stick is a symbolic link (said on stderr as @cmd's: refused, never followed). */
static bool stick_link(const char *cmd, const char *path)
{
	struct stat st;

	if (lstat(path, &st) || !S_ISLNK(st.st_mode))
		return false;
	bureau_err(cmd, _("%s: a symbolic link: refused"), path);
	return true;
}

/* One gate's reply in @dir (DIR/sentinel/enrol/ID): 0 registered, 1 refused, 2 error, -1 none. */
static int import_one(const struct opts *o, struct bureau_db *db, const char *dir, const char *id,
		      int64_t now_ms)
{
	char path[4096], seal_path[4096], why[BUREAU_WHY_LEN], *reply = NULL, *pub = NULL, *seal0 = NULL;
	const char *gate, *token;
	json_t *r = NULL, *pkg = NULL;
	struct stat st;
	bool had_seal;
	size_t len;
	int status;

	if ((size_t)snprintf(path, sizeof(path), "%s/reply.json", dir) >= sizeof(path) ||
	    (lstat(path, &st) && errno == ENOENT))
		return -1;
	if (stick_link(o->cmd, path))
		return 1;
	if (read_all(o->cmd, path, &reply, &len))
		return 2;
	r = json_loads(reply, 0, NULL);
	free(reply);
	gate = r ? json_string_value(json_object_get(r, "gate")) : NULL;
	token = r ? json_string_value(json_object_get(r, "token")) : NULL;
	if (!gate || !token || strcmp(gate, id)) {
		bureau_err(o->cmd, _("%s: not a reply of gate %s"), path, id);
		json_decref(r);
		return 1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/device.pub", dir) >= sizeof(path) || stick_link(o->cmd, path)) {
		json_decref(r);
		return 1;
	}
	if (read_all(o->cmd, path, &pub, &len)) {
		json_decref(r);
		return 2;
	}
	/* The first seal key, when the gate wrote one back (not through a symbolic link). */
	if ((size_t)snprintf(seal_path, sizeof(seal_path), "%s/seal0", dir) >= sizeof(seal_path) ||
	    stick_link(o->cmd, seal_path)) {
		free(pub);
		json_decref(r);
		return 1;
	}
	if (access(seal_path, F_OK) == 0 && read_all(o->cmd, seal_path, &seal0, &len)) {
		free(pub);
		json_decref(r);
		return 2;
	}
	status = bureau_enrol_redeem(o->db, o->state_dir, db, NULL, token, id, pub, seal0, now_ms, &pkg, why,
				     sizeof(why));
	free(pub);
	had_seal = seal0 != NULL;
	if (seal0) {
		explicit_bzero(seal0, strlen(seal0));
		free(seal0);
	}
	if (status) {
		bureau_err(o->cmd, _("gate %s: refused: %s"), id, why);
	} else {
		printf(_("registered %s (enrolled), home %s\n"), id,
		       json_string_value(json_object_get(pkg, "home")));
		if (had_seal) {
			printf(_("%s: seal key registered\n"), id);
			/* Secret: off the stick once the bureau has it. */
			if (unlink(seal_path))
				bureau_err(o->cmd, _("warning: %s: cannot remove it from the stick (%s): remove it by hand"),
					 seal_path, strerror(errno));
		}
	}
	json_decref(pkg);
	json_decref(r);
	return status;
}

static int cmd_import(const struct opts *o, const char *dir)
{
	char path[4096], why[BUREAU_WHY_LEN];
	struct bureau_db *db = NULL;
	struct dirent *de;
	struct snt_clock clk;
	int status = EXIT_OK, seen = 0;
	DIR *d;

	if ((size_t)snprintf(path, sizeof(path), "%s/sentinel/enrol", dir) >= sizeof(path)) {
		bureau_err(o->cmd, _("%s: path too long"), dir);
		return EXIT_USAGE;
	}
	d = opendir(path);
	if (!d) {
		bureau_err(o->cmd, "%s: %s", path, strerror(errno));
		return EXIT_USAGE;
	}
	if (snt_create_private(o->db) != 0)
		why[0] = '\0';
	if (bureau_db_open(o->db, &db, why, sizeof(why))) {
		bureau_err(o->cmd, "%s", why);
		closedir(d);
		return EXIT_USAGE;
	}
	snt_clock_system(&clk);
	while ((de = readdir(d))) {
		char sub[4096];
		struct stat st;
		int r;

		if (!bureau_device_id_valid(de->d_name))
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= sizeof(sub) ||
		    lstat(sub, &st) || !S_ISDIR(st.st_mode))
			continue;
		r = import_one(o, db, sub, de->d_name, snt_clock_utc_ms(&clk));
		if (r < 0)
			continue;
		seen++;
		if (r > status)
			status = r;
	}
	closedir(d);
	bureau_db_close(db);
	if (!seen)
		printf(_("no gate replies in %s\n"), path);
	return status;
}

static int run(const char *word, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "home", required_argument, NULL, 'H' },
		{ "gate", required_argument, NULL, 'g' },
		{ "bureau-key", required_argument, NULL, 'k' },
		{ "output", required_argument, NULL, 'o' },
		{ "duty-phone", required_argument, NULL, 'p' },
		{ "bureau-url", required_argument, NULL, 'u' },
		{ "ca", required_argument, NULL, 'c' },
		{ "rules", required_argument, NULL, 'r' },
		{ "trust", required_argument, NULL, 't' },
		{ "key", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *misplaced = NULL;	/* a global option no enrolment command takes */
	struct opts o;
	bool import;
	int c;

	memset(&o, 0, sizeof(o));
	o.db = "bureau.db";
	o.cmd = word;
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o.db = optarg; break;
		case 'S': o.state_dir = optarg; break;
		case 'H': o.home = optarg; break;
		case 'g': o.gate = optarg; break;
		case 'k': o.bureau_key = optarg; break;
		case 'o': o.output = optarg; break;
		case 'p': o.duty_phone = optarg; break;
		case 'u': o.bureau_url = optarg; break;
		case 'c': o.ca = optarg; break;
		case 'r': o.rules = optarg; break;
		case 't':
			if (o.n_trust == MAX_TRUST) {
				bureau_err(o.cmd, _("at most %d --trust files"), MAX_TRUST);
				return EXIT_USAGE;
			}
			o.trust[o.n_trust++] = optarg;
			break;
		case 'h': o.help = true; break;
		case 'K': misplaced = "--key"; break;
		default:
			return bureau_option_error(o.cmd, NULL, c, argv);
		}
	}
	if (o.help) {
		usage();
		return EXIT_OK;
	}
	if (optind >= argc)
		return EXIT_USAGE;
	import = !strcmp(argv[optind], "enrol-import");
	o.cmd = argv[optind];
	if (misplaced) {
		/* As the other commands say it (main.c). */
		bureau_err(o.cmd, _("option %s does not apply to this command"), misplaced);
		fprintf(stderr, _("Try 'sentinel-bureau --help'.\n"));
		return EXIT_USAGE;
	}
	if (!*o.db) {
		bureau_err(o.cmd, _("--db needs a path"));
		return EXIT_USAGE;
	}
	if (o.state_dir && !*o.state_dir) {
		bureau_err(o.cmd, _("--state-dir needs a directory"));
		return EXIT_USAGE;
	}
	if (import) {
		if (o.home || o.gate || o.bureau_key || o.output || o.duty_phone || o.bureau_url || o.ca ||
		    o.rules || o.n_trust) {
			bureau_err(o.cmd, _("enrol-import takes only --db, --state-dir and DIR"));
			return EXIT_USAGE;
		}
		if (argc - optind != 2) {
			bureau_err(o.cmd, "%s", argc - optind < 2 ? _("missing DIR") : _("unexpected argument"));
			return EXIT_USAGE;
		}
		return cmd_import(&o, argv[optind + 1]);
	}
	if (argc - optind != 1) {
		bureau_err(o.cmd, _("unexpected argument '%s'"), argv[optind + 1]);
		return EXIT_USAGE;
	}
	return cmd_enrol(&o);
}

int bureau_enrol_main(int argc, char **argv, int *status)
{
	static const char *const names[] = { "enrol", "enrol-import", NULL };

	return bureau_dispatch(argc, argv, names, run, status);
}
