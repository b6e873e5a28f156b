// SPDX-License-Identifier: MIT
/*
 * sentinelctl enrol [--config FILE] [--gate ID] MOUNTPOINT
 * sentinelctl enrol [--config FILE] --online URL --token TOKEN [--ca FILE]
 *
 * Takes the bureau's enrolment package (tools/bureau/enrol.h has its
 * format) from a stick, MOUNTPOINT/sentinel/enrol/ID/package.json (the only
 * one there, or --gate ID's), or online: POST URL/v1/enrol with the one-time
 * token and this gate's new public key, the bureau registering the key at
 * once and answering with the package (asked only once [rules] dir is a
 * directory this run can write: preflight()).  Then, in this order:
 *   1. the package is checked whole before anything is written (hostile
 *      input: a key it does not know is refused by name; every field's
 *      type, length and form; the bureau's key must be a P-256 public key,
 *      the CA PEM certificates that decode, each trust file one that holds
 *      an issuer key (snt_trustlist_check_file()), the rule set and the
 *      signed trust list must verify with the bureau's key and be addressed
 *      to the home and gate);
 *   2. this gate's device key is made at [sync] device_key (kept when one
 *      is there already), 0600, and the log's seal key beside it
 *      (ctl_keys_seal(): DEVICE.seal0 and DEVICE.seal; a first key already
 *      there is taken as it is); online, the first key, seal0, goes in the
 *      request with the public key, so online these are made before the
 *      package comes (the answer) and step 1 follows;
 *   3. the bureau's key, CA, trust files and the enrolment file are
 *      written into a new temporary directory inside the enrolment
 *      directory (the directory of [station] enrolment, .enrol-XXXXXX);
 *      a package with a rule set makes the enrolment file say [rules]
 *      required = yes: from then on the gate without a rule set that
 *      verifies refers every visit (sentineld(8)), even before it first
 *      took one; one without says required = no (always explicit: an
 *      enrolment file that does not say means required);
 *   4. the rule set and the signed trust list go into [rules] dir
 *      (snt_rules_install(), snt_trustlist_install());
 *   5. by stick: the public key, the first seal key (seal0, 0600: secret,
 *      whoever holds it can seal a forged log) and a reply ({"gate",
 *      "token"}) are written back beside the package for
 *      `sentinel-bureau enrol-import`;
 *   6. the temporary directory's files are renamed into the enrolment
 *      directory, the enrolment file last: sentineld(8) sees it and
 *      restarts enrolled.  A failure before that (a package refused, the
 *      bureau refusing the token) removes the temporary directory and the
 *      key files this run made, and leaves the gate as it was (not
 *      enrolled; a rule set or trust list already installed stays, for the
 *      home named).
 * Once the first seal key is handed over (the bureau answered, or it is on
 * the stick), the gate's DEVICE.seal0 is removed: the gate keeps only the
 * evolving key, so it cannot seal a past epoch again.
 * Run as root (the udev-started unit, a technician with sudo), everything
 * written under the log's directory is given to that directory's owner
 * (the user sentinel).  A gate already enrolled is refused (remove the
 * enrolment file to enrol again).
 * Exit 0 enrolled; 1 the package was refused or the bureau said no; 2 usage,
 * configuration or I/O error.
 */
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "clock/clock.h"
#include "config/config.h"
#include "fss/fss.h"
#include "rules/rules.h"
#include "sign/sign.h"
#include "tools/common.h"
#include "common/i18n.h"
#include "tools/sync_rules.h"
#include "trustlist/trustlist.h"

#define CMD "enrol"
#define FORMAT "sentinel-enrolment/1"
#define PACKAGE_MAX (4 << 20)
#define MAX_TRUST 16

struct config {
	const char *config, *gate, *online, *token, *ca, *mount;
	bool if_needed;		/* the USB unit: nothing to do is no error */
};

/* The package, checked (pointers into the JSON object). */
struct package {
	json_t *root;
	const char *home, *gate, *duty_phone, *url, *token, *key_pem, *ca_pem;
	uint8_t *rules, *trust_list;
	size_t rules_len, trust_list_len;
	const char *trust_name[MAX_TRUST];
	uint8_t *trust[MAX_TRUST];
	size_t trust_len[MAX_TRUST], n_trust;
	EVP_PKEY *bureau;
};

static void usage(FILE *f)
{
	fprintf(f, _("Usage: sentinelctl enrol [--config FILE] [--gate ID] MOUNTPOINT\n"
			   "       sentinelctl enrol [--config FILE] --online URL --token TOKEN [--ca FILE]\n"
			   "\n"
			   "Enrol this gate with the bureau: take the enrolment package from a stick\n"
			   "(MOUNTPOINT/sentinel/enrol/ID/package.json) or online with the one-time token,\n"
			   "make the gate's device key, install the bureau's key, CA, trust list and rule\n"
			   "set, and register the key: online at once; by stick, the public key is written\n"
			   "back to the stick for 'sentinel-bureau enrol-import'.\n"
			   "\n"
			   "Options:\n"
			   "  -c, --config FILE  configuration (default %s)\n"
			   "  -g, --gate ID      the package of gate ID when the stick holds several\n"
			   "      --online URL   the bureau's address (sentinel-bureau serve)\n"
			   "      --token TOKEN  the one-time token the bureau gave for this gate\n"
			   "      --ca FILE      CA certificate the bureau's TLS certificate must chain to\n"
			   "      --if-needed    exit 0 quietly when already enrolled or the stick holds no\n"
			   "                     enrolment package (the USB unit runs it before each sync)\n"
			   "  -h, --help         show this help\n"
			   "\n"
			   "Exit status: 0 enrolled; 1 the package or the token was refused; 2 usage,\n"
			   "configuration or I/O error.\n"), SNT_CONFIG_DEFAULT_PATH);
}

static int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		CTL_OPT_CONFIG,
		{ "gate", required_argument, NULL, 'g' },
		{ "online", required_argument, NULL, 'O' },
		{ "token", required_argument, NULL, 'T' },
		{ "ca", required_argument, NULL, 'A' },
		{ "if-needed", no_argument, NULL, 'I' },
		CTL_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	ctl_getopt_start(cfg, sizeof(*cfg));
	cfg->config = SNT_CONFIG_DEFAULT_PATH;
	while ((c = ctl_getopt_keep(argc, argv, ":c:g:h", longopts, 'c', &cfg->config)) != -1) {
		switch (c) {
		case 'g': cfg->gate = optarg; break;
		case 'O': cfg->online = optarg; break;
		case 'T': cfg->token = optarg; break;
		case 'A': cfg->ca = optarg; break;
		case 'I': cfg->if_needed = true; break;
		default: return ctl_getopt_other(CMD, c, argv, usage);
		}
	}
	if (cfg->online) {
		if (!cfg->token) {
			ctl_err(CMD, _("--online needs --token"));
			return -1;
		}
		if (cfg->gate) {
			ctl_err(CMD, _("--gate is for a stick, not --online"));
			return -1;
		}
		return ctl_no_operands(CMD, argc, argv);
	}
	if (cfg->token || cfg->ca) {
		ctl_err(CMD, _("--token and --ca go with --online"));
		return -1;
	}
	if (optind != argc - 1) {
		ctl_err(CMD, optind >= argc ? _("missing MOUNTPOINT") : _("unexpected argument '%s'"),
			optind >= argc ? "" : argv[optind + 1]);
		return -1;
	}
	cfg->mount = argv[optind];
	return 0;
}

static void package_free(struct package *p)
{
	free(p->rules);
	free(p->trust_list);
	for (size_t i = 0; i < p->n_trust; i++)
		free(p->trust[i]);
	EVP_PKEY_free(p->bureau);
	json_decref(p->root);
	memset(p, 0, sizeof(*p));
}

/* A string member @name of @o: NULL when absent (*@bad names it when present but not a string). */
static const char *member(json_t *o, const char *name, const char **bad)
{
	json_t *v = json_object_get(o, name);

	if (!v)
		return NULL;
	if (!json_is_string(v)) {
		if (!*bad)
			*bad = name;
		return NULL;
	}
	return json_string_value(v);
}

static uint8_t *unhex(const char *s, size_t max, size_t *len)
{
	uint8_t *buf;
	long n;

	if (strlen(s) / 2 > max)
		return NULL;
	buf = malloc(strlen(s) / 2 + 1);
	if (!buf)
		return NULL;
	n = snt_hex_decode(s, buf);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

/* The keys a package may hold (tools/bureau/enrol.h); any other is refused by name. */
static const char *const known_keys[] = {
	"format", "home", "gate", "duty_phone", "bureau_url", "token", "bureau_key", "bureau_ca", "rules",
	"trust", "trust_list", "created",
};

/* The signed rule set and trust list of the package: verified with the bureau's key, addressed to the gate. */
static int check_signed(struct package *p, char *field, size_t size)
{
	const struct snt_rules_gate gate = { p->home, p->gate };
	struct snt_trustlist *tl = NULL;
	struct snt_rules *r = NULL;
	char err[200] = "";

	if (p->rules) {
		enum snt_rules_err e = snt_rules_open(p->rules, p->rules_len, p->bureau, &r, err, sizeof(err));

		if (!e)
			e = snt_rules_addressed(r->home, (const char (*)[SNT_RULES_GATE_LEN])r->gates, r->n_gates,
						&gate, err, sizeof(err));
		snt_rules_free(r);
		if (e) {
			/* i18n-exempt: a package field's name, with the error that follows */
			snprintf(field, size, "rules (%s%s%s)", snt_rules_strerror(e), err[0] ? ": " : "", err);
			return -1;
		}
	}
	if (p->trust_list) {
		enum snt_trustlist_err e = snt_trustlist_open(p->trust_list, p->trust_list_len, p->bureau, &tl, err,
							      sizeof(err));

		if (!e && strcmp(tl->home, p->home)) {
			snprintf(err, sizeof(err), _("addressed to home '%s', not '%s'"), tl->home, p->home);
			e = SNT_TRUSTLIST_ERR_ELSEWHERE;
		}
		snt_trustlist_free(tl);
		if (e) {
			/* i18n-exempt: a package field's name, with the error that follows */
			snprintf(field, size, "trust_list (%s%s%s)", snt_trustlist_strerror(e), err[0] ? ": " : "",
				 err);
			return -1;
		}
	}
	return 0;
}

/* Check the package text @text (@where names it) into @p.  0, or -1 after naming the fault. */
static int package_check(const char *text, const char *where, struct package *p)
{
	json_error_t jerr;
	const char *fmt, *bad = NULL, *key, *field = NULL;
	char detail[400];
	json_t *trust, *v;

	memset(p, 0, sizeof(*p));
	p->root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!p->root || !json_is_object(p->root)) {
		ctl_err(CMD, _("%s: not an enrolment package (JSON: %s)"), where,
			p->root ? _("not an object") : jerr.text);
		package_free(p);
		return -1;
	}
	json_object_foreach(p->root, key, v) {
		size_t i = 0;

		while (i < SNT_ARRAY_SIZE(known_keys) && strcmp(key, known_keys[i]))
			i++;
		if (i == SNT_ARRAY_SIZE(known_keys)) {
			ctl_err(CMD, _("%s: refused: unknown field '%s'"), where, key);
			package_free(p);
			return -1;
		}
	}
	fmt = member(p->root, "format", &bad);
	p->home = member(p->root, "home", &bad);
	p->gate = member(p->root, "gate", &bad);
	p->duty_phone = member(p->root, "duty_phone", &bad);
	p->url = member(p->root, "bureau_url", &bad);
	p->token = member(p->root, "token", &bad);
	p->key_pem = member(p->root, "bureau_key", &bad);
	p->ca_pem = member(p->root, "bureau_ca", &bad);
	(void)member(p->root, "created", &bad);
	(void)member(p->root, "rules", &bad);
	(void)member(p->root, "trust_list", &bad);
	if (bad) {
		snprintf(detail, sizeof(detail), _("%s (not a string)"), bad);
		field = detail;
	} else if (!fmt || strcmp(fmt, FORMAT))
		field = "format (not " FORMAT ")";
	else if (!p->home || !*p->home || strlen(p->home) > 127 || !snt_text_clean(p->home))
		field = "home (1-127 bytes of text)";
	else if (!p->gate || !snt_device_id_valid(p->gate))
		field = "gate (a device id)";
	else if (p->duty_phone && (strlen(p->duty_phone) > 31 || !snt_text_clean(p->duty_phone) ||
				   strchr(p->duty_phone, '\n')))
		field = "duty_phone (0-31 bytes of text)";
	else if (p->url && (strlen(p->url) > 255 || strpbrk(p->url, " \t\r\n\"") ||
			    !((!strncmp(p->url, "https://", 8) && p->url[8]) ||
			      (!strncmp(p->url, "http://", 7) && p->url[7]))))
		field = "bureau_url (an http:// or https:// URL)";
	else if (!p->token || strlen(p->token) != 32 || strspn(p->token, "0123456789abcdef") != 32)
		field = "token (32 hex digits)";
	else if (!p->key_pem ||
		 snt_sign_key_public_from_pem(p->key_pem, strlen(p->key_pem), &p->bureau) != SNT_SIGN_OK)
		field = "bureau_key (a PEM P-256 public key)";
	else if (p->ca_pem && snt_sign_ca_pem_check(p->ca_pem, strlen(p->ca_pem)) != SNT_SIGN_OK)
		field = "bureau_ca (PEM certificates)";
	/* Each as the enrolment file will read it back (a home cut at " ;" would refuse its own rule set). */
	if (!field && !snt_config_value_writable("home", p->home))
		field = "home (as the enrolment file would read it back: no ' ;', no blank at either end)";
	else if (!field && p->duty_phone && !snt_config_value_writable("duty_phone", p->duty_phone))
		field = "duty_phone (as the enrolment file would read it back: no ' ;', no blank at either end)";
	else if (!field && p->url && !snt_config_value_writable("bureau_url", p->url))
		field = "bureau_url (as the enrolment file would read it back: at most 185 bytes, no ' ;')";
	if (!field && json_object_get(p->root, "rules") &&
	    !(p->rules = unhex(json_string_value(json_object_get(p->root, "rules")), SNT_RULES_MAX_FILE,
			       &p->rules_len)))
		field = "rules (hex of a rule set of at most 1 MiB)";
	if (!field && json_object_get(p->root, "trust_list") &&
	    !(p->trust_list = unhex(json_string_value(json_object_get(p->root, "trust_list")), SNT_TRUSTLIST_MAX,
				    &p->trust_list_len)))
		field = "trust_list (hex of a signed trust list of at most 1 MiB)";
	trust = json_object_get(p->root, "trust");
	if (!field && trust) {
		const char *name;

		if (!json_is_object(trust) || json_object_size(trust) > MAX_TRUST)
			field = "trust (an object of at most 16 files)";
		json_object_foreach(trust, name, v) {
			char err[200] = "";

			if (field)
				break;
			if (!snt_device_id_valid(name) || !json_is_string(v) ||
			    !(p->trust[p->n_trust] = unhex(json_string_value(v), 1 << 20,
							   &p->trust_len[p->n_trust]))) {
				field = "trust (file names of A-Z a-z 0-9 . _ -, hex of at most 1 MiB each)";
				break;
			}
			p->trust_name[p->n_trust] = name;
			p->n_trust++;
			if (snt_trustlist_check_file(name, p->trust[p->n_trust - 1], p->trust_len[p->n_trust - 1], err,
						     sizeof(err))) {
				snprintf(detail, sizeof(detail), _("trust (%s)"), err);
				field = detail;
			}
		}
	}
	if (!field && check_signed(p, detail, sizeof(detail)))
		field = detail;
	if (field) {
		ctl_err(CMD, _("%s: refused: bad %s"), where, field);
		package_free(p);
		return -1;
	}
	return 0;
}

/* Read a regular file (not through a symbolic link) of at most @max bytes, NUL-terminated. */
static int read_text(const char *path, size_t max, char **out)
{
	struct stat st;
	uint8_t *buf;
	size_t len;
	int rc;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		ctl_err(CMD, _("%s: a symbolic link: refused"), path);
		return -1;
	}
	rc = snt_read_file(path, max, &buf, &len);
	if (rc == ENOMEM) {
		ctl_err(CMD, _("out of memory"));
		return -1;
	}
	if (rc) {
		ctl_err(CMD, "%s: %s", path,
			rc == SNT_EREAD ? _("read error") : rc == SNT_ETOOBIG ? _("too large") : snt_open_strerror(rc));
		return -1;
	}
	*out = (char *)buf;
	return 0;
}

/* As root, give @path to the owner of the log's directory (the daemon's user). */
static void give(const struct snt_config *sc, const char *path)
{
	char dir[PATH_MAX];
	struct stat st;

	if (geteuid() != 0)
		return;
	snt_strlcpy(dir, sc->db, sizeof(dir));
	if (stat(dirname(dir), &st) || st.st_uid == 0)
		return;
	if (lchown(path, st.st_uid, st.st_gid))
		ctl_err(CMD, _("%s: cannot give it to uid %u: %s"), path, (unsigned)st.st_uid, strerror(errno));
}

/* The key files this run made (removed again when the enrolment fails: unmake()). */
struct made {
	bool key, pub, seal;	/* [sync] device_key, its .pub, DEVICE.seal0 and DEVICE.seal */
	char pub_path[PATH_MAX], seal0[PATH_MAX];
};

/* This gate's device key: the one at [sync] device_key, or a new one.  *@pem: its public key. */
static int device_key(const struct snt_config *sc, char **pem, struct made *made)
{
	char pub[PATH_MAX];
	EVP_PKEY *key = NULL;
	size_t len;
	enum snt_sign_err e;

	if (ctl_public_key_path(sc->sync_device_key, pub, sizeof(pub))) {
		ctl_err(CMD, _("%s: path too long"), sc->sync_device_key);
		return -1;
	}
	if (access(sc->sync_device_key, F_OK) == 0) {
		e = snt_sign_key_load_private(sc->sync_device_key, &key);
		if (e) {
			ctl_err(CMD, "%s: %s", sc->sync_device_key, snt_sign_strerror(e));
			return -1;
		}
	} else {
		e = snt_sign_key_generate(&key);
		if (!e)
			e = snt_sign_key_write_private(key, sc->sync_device_key);
		if (e) {
			ctl_err(CMD, "%s: %s%s%s", sc->sync_device_key, snt_sign_strerror(e),
				errno ? ": " : "", errno ? strerror(errno) : "");
			EVP_PKEY_free(key);
			return -1;
		}
		made->key = true;
		give(sc, sc->sync_device_key);
	}
	e = snt_sign_key_public_pem(key, pem, &len);
	EVP_PKEY_free(key);
	if (e) {
		ctl_err(CMD, "%s: %s", sc->sync_device_key, snt_sign_strerror(e));
		return -1;
	}
	if (access(pub, F_OK) != 0) {
		if ((errno = snt_write_atomic(pub, *pem, len, 0644))) {
			ctl_err(CMD, _("cannot write %s: %s"), pub, strerror(errno));
			return -1;
		}
		made->pub = true;
		snt_strlcpy(made->pub_path, pub, sizeof(made->pub_path));
		give(sc, pub);
	}
	return 0;
}

/*
 * The log's first seal key, as text into @text (SNT_FSS_FILE_MAX bytes), made
 * now when the gate has neither DEVICE.seal0 nor DEVICE.seal; @text "" when
 * only the evolving key is left (the bureau then checks no seal of this gate).
 * @first: receives DEVICE.seal0's path.
 */
static int seal_key(const struct snt_config *sc, char *text, char *first, size_t size, struct made *made)
{
	char evolving[PATH_MAX];
	struct snt_fss k;
	enum snt_fss_err fe;
	int e = 0;

	text[0] = '\0';
	if (snt_fss_key_path(sc->sync_device_key, ".seal0", first, size) ||
	    snt_fss_key_path(sc->sync_device_key, ".seal", evolving, sizeof(evolving))) {
		ctl_err(CMD, _("%s: path too long"), sc->sync_device_key);
		return -1;
	}
	if (access(first, F_OK) != 0 && access(evolving, F_OK) == 0) {
		ctl_err(CMD, _("warning: %s: no first seal key beside it: the bureau will not check this "
			       "gate's seals"), evolving);
		return 0;
	}
	if (access(first, F_OK) != 0) {
		if (ctl_keys_seal(CMD, sc, SNT_FSS_EPOCH_MS_DEFAULT / 1000, true) != SNT_EXIT_OK)
			return -1;
		made->seal = true;
		snt_strlcpy(made->seal0, first, sizeof(made->seal0));
		give(sc, first);
		give(sc, evolving);
	}
	fe = snt_fss_read(first, &k, &e);
	if (!fe && k.epoch != 0)
		fe = SNT_FSS_ERR_FORMAT;
	if (!fe)
		fe = snt_fss_format(&k, text, SNT_FSS_FILE_MAX);
	snt_fss_wipe(&k);
	if (fe) {
		text[0] = '\0';
		ctl_err(CMD, "%s: %s%s%s", first, snt_fss_strerror(fe), e ? ": " : "", e ? strerror(e) : "");
		return -1;
	}
	return 0;
}

/* The package directory on the stick: MOUNT/sentinel/enrol/ID (the only one, or @gate's). */
static int find_package(const char *mount, const char *gate, char *dir, size_t size)
{
	char base[PATH_MAX], found[NAME_MAX + 1] = "";
	struct dirent *de;
	struct stat st;
	int n = 0;
	DIR *d;

	/* Neither sentinel/ nor sentinel/enrol/ nor the gate's folder may be a symbolic link. */
	if ((size_t)snprintf(base, sizeof(base), "%s/sentinel", mount) >= sizeof(base) - 6) {
		ctl_err(CMD, _("%s: path too long"), mount);
		return -1;
	}
	if (lstat(base, &st) == 0 && !S_ISDIR(st.st_mode)) {
		ctl_err(CMD, _("%s: not a directory (a symbolic link?): refused"), base);
		return -1;
	}
	strcat(base, "/enrol");
	if (lstat(base, &st) || !S_ISDIR(st.st_mode)) {
		ctl_err(CMD, _("%s: no enrolment package on the stick (%s)"), base,
			errno && !S_ISDIR(st.st_mode) ? strerror(errno) : _("not a directory"));
		return -1;
	}
	d = opendir(base);
	if (!d) {
		ctl_err(CMD, "%s: %s", base, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char pkg[PATH_MAX];

		if (!snt_device_id_valid(de->d_name) || (gate && strcmp(gate, de->d_name)))
			continue;
		if ((size_t)snprintf(pkg, sizeof(pkg), "%s/%s", base, de->d_name) >= sizeof(pkg) - 16 ||
		    lstat(pkg, &st) || !S_ISDIR(st.st_mode))
			continue;
		strcat(pkg, "/package.json");
		if (lstat(pkg, &st) || !S_ISREG(st.st_mode))
			continue;
		n++;
		snt_strlcpy(found, de->d_name, sizeof(found));
	}
	closedir(d);
	if (n == 0) {
		ctl_err(CMD, gate ? _("%s: no package for gate %s") : _("%s: no package%s"), base,
			gate ? gate : "");
		return -1;
	}
	if (n > 1) {
		ctl_err(CMD, P_("%s: %d package: choose one with --gate ID",
				"%s: %d packages: choose one with --gate ID", n),
			base, n);
		return -1;
	}
	if ((size_t)snprintf(dir, size, "%s/%s", base, found) >= size) {
		ctl_err(CMD, _("%s: path too long"), base);
		return -1;
	}
	return 0;
}

struct buf {
	char *data;
	size_t len;
};

static size_t collect(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;
	size_t n = size * nmemb;
	char *p;

	if (b->len + n > PACKAGE_MAX)
		return 0;
	p = realloc(b->data, b->len + n + 1);
	if (!p)
		return 0;
	memcpy(p + b->len, ptr, n);
	b->len += n;
	p[b->len] = '\0';
	b->data = p;
	return n;
}

/* POST {"token", "device_pub", "seal0"} to URL/enrol (seal0 left out when ""); the answer (the package) into *@out. */
static int fetch_online(const struct config *cfg, const char *pub_pem, const char *seal0,
			const struct snt_config *sc, char **out)
{
	struct curl_slist *hdr = NULL;
	char url[512], errbuf[CURL_ERROR_SIZE] = "";
	struct buf b = { NULL, 0 };
	json_t *req;
	char *body;
	long code = 0;
	CURLcode rc;
	CURL *h;
	int status = -1;
	size_t n = strlen(cfg->online);
	bool local = false;

	/* Plain http only to this machine: the host part exactly 127.0.0.1 or localhost. */
	for (const char *const *host = (const char *const[]){ "http://127.0.0.1", "http://localhost", NULL }; *host; host++)
		if (!strncmp(cfg->online, *host, strlen(*host)) && strchr(":/", cfg->online[strlen(*host)]))
			local = true;

	if (strncmp(cfg->online, "https://", 8) && !local) {
		ctl_err(CMD, _("--online: '%s' is not https:// (plain http only to 127.0.0.1 or localhost)"),
			cfg->online);
		return -1;
	}
	if ((size_t)snprintf(url, sizeof(url), "%.*s/v1/enrol", (int)(n && cfg->online[n - 1] == '/' ? n - 1 : n),
			     cfg->online) >= sizeof(url)) {
		ctl_err(CMD, _("--online: URL too long"));
		return -1;
	}
	req = json_pack("{s:s, s:s}", "token", cfg->token, "device_pub", pub_pem);
	if (req && seal0[0] && json_object_set_new(req, "seal0", json_string(seal0))) {
		json_decref(req);
		req = NULL;
	}
	body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	h = curl_easy_init();
	if (!body || !h) {
		free(body);
		if (h)
			curl_easy_cleanup(h);
		ctl_err(CMD, _("out of memory"));
		return -1;
	}
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)sc->sync_timeout_s);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (cfg->ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK) {
		ctl_err(CMD, _("%s: %s"), url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
		status = -2;
	} else if (code == 200 && b.data) {
		*out = b.data;
		b.data = NULL;
		status = 0;
	} else {
		ctl_err(CMD, _("%s: the bureau refused the enrolment (HTTP %ld): %.200s"), url, code,
			b.data ? b.data : "");
	}
	free(b.data);
	explicit_bzero(body, strlen(body));
	free(body);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	return status;
}

/* The enrolment directory (of [station] enrolment) and the files a package puts there. */
struct staged {
	char dir[PATH_MAX];		/* the enrolment directory */
	char tmp[PATH_MAX];		/* its new .enrol-XXXXXX, "" when none */
	const char *conf;		/* the enrolment file's name in it */
};

/* Remove the temporary directory of @st with the files a package puts in it. */
static void stage_remove(struct staged *st, const struct package *p)
{
	char path[PATH_MAX + 80];

	if (!st->tmp[0])
		return;
	for (size_t i = 0; i < p->n_trust; i++) {
		snprintf(path, sizeof(path), "%s/trust/%s", st->tmp, p->trust_name[i]);
		(void)unlink(path);
	}
	for (const char *const *n = (const char *const[]){ "trust", "bureau.pub", "bureau-ca.pem", st->conf, NULL };
	     *n; n++) {
		snprintf(path, sizeof(path), "%s/%s", st->tmp, *n);
		if (remove(path) && errno != ENOENT)
			ctl_err(CMD, _("warning: cannot remove %s: %s"), path, strerror(errno));
	}
	if (rmdir(st->tmp))
		ctl_err(CMD, _("warning: cannot remove %s: %s"), st->tmp, strerror(errno));
	st->tmp[0] = '\0';
}

/* Write @len bytes of @data to @name in the temporary directory (0644, given to the daemon's user). */
static int stage_file(const struct snt_config *sc, const struct staged *st, const char *name, const void *data,
		      size_t len)
{
	char path[PATH_MAX + 80];

	snprintf(path, sizeof(path), "%s/%s", st->tmp, name);
	if ((errno = snt_write_atomic(path, data, len, 0644))) {
		ctl_err(CMD, _("cannot write %s: %s"), path, strerror(errno));
		return -1;
	}
	give(sc, path);
	return 0;
}

/* Steps 3: the enrolment directory's new files, into a temporary directory inside it. */
static int stage(const struct snt_config *sc, const struct package *p, struct staged *st)
{
	char copy[PATH_MAX], *conf = NULL;
	size_t n;
	FILE *m;
	int rc;

	snt_strlcpy(copy, sc->enrolment, sizeof(copy));
	snt_strlcpy(st->dir, dirname(copy), sizeof(st->dir));
	st->conf = strrchr(sc->enrolment, '/') ? strrchr(sc->enrolment, '/') + 1 : sc->enrolment;
	st->tmp[0] = '\0';
	if (mkdir(st->dir, 0750) && errno != EEXIST) {
		ctl_err(CMD, _("cannot make %s: %s"), st->dir, strerror(errno));
		return -1;
	}
	give(sc, st->dir);
	if ((size_t)snprintf(st->tmp, sizeof(st->tmp), "%s/.enrol-XXXXXX", st->dir) >= sizeof(st->tmp) ||
	    !mkdtemp(st->tmp)) {
		ctl_err(CMD, _("cannot make a temporary directory in %s: %s"), st->dir, strerror(errno));
		st->tmp[0] = '\0';
		return -1;
	}
	(void)chmod(st->tmp, 0750);
	give(sc, st->tmp);
	if (stage_file(sc, st, "bureau.pub", p->key_pem, strlen(p->key_pem)) ||
	    (p->ca_pem && stage_file(sc, st, "bureau-ca.pem", p->ca_pem, strlen(p->ca_pem))))
		return -1;
	if (p->n_trust) {
		char path[PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/trust", st->tmp);
		if (mkdir(path, 0750)) {
			ctl_err(CMD, _("cannot make %s: %s"), path, strerror(errno));
			return -1;
		}
		give(sc, path);
		for (size_t i = 0; i < p->n_trust; i++) {
			snprintf(path, sizeof(path), "trust/%s", p->trust_name[i]);
			if (stage_file(sc, st, path, p->trust[i], p->trust_len[i]))
				return -1;
		}
	}
	m = open_memstream(&conf, &n);
	if (!m) {
		ctl_err(CMD, _("out of memory"));
		return -1;
	}
	/* i18n-exempt: the enrolment file, read by the configuration parser */
	fprintf(m, "# Written by 'sentinelctl enrol' from the bureau's enrolment package.\n"
		   "# Remove this file to enrol the gate again.\n"
		   "[station]\nhome = %s\ndevice_id = %s\nduty_phone = %s\n", p->home, p->gate,
		p->duty_phone ? p->duty_phone : "");
	if (p->n_trust)
		/* i18n-exempt: the enrolment file */
		fprintf(m, "trust = trust\n");
	/* i18n-exempt: the enrolment file */
	fprintf(m, "\n[sync]\nbureau_key = bureau.pub\n");
	if (p->url)
		/* i18n-exempt: the enrolment file */
		fprintf(m, "bureau_url = %s\n", p->url);
	if (p->ca_pem)
		/* i18n-exempt: the enrolment file */
		fprintf(m, "bureau_ca = bureau-ca.pem\n");
	/* Always explicit: an enrolment file that does not say means required (fail-secure). */
	/* i18n-exempt: the enrolment file; yes when the home's rule set came with the package */
	fprintf(m, "\n[rules]\nrequired = %s\n", p->rules ? "yes" : "no");
	if (fclose(m)) {
		free(conf);
		ctl_err(CMD, _("out of memory"));
		return -1;
	}
	rc = stage_file(sc, st, st->conf, conf, n);
	free(conf);
	return rc;
}

/* Step 4: the package's rule set and trust list into [rules] dir (both checked already). */
static int install_signed(const struct snt_config *sc, const struct package *p, char *rules_msg, size_t rmlen,
			  char *trust_msg, size_t tmlen)
{
	static const char *const files[] = { SNT_RULES_FILE, SNT_RULES_KEPT_FILE, SNT_RULES_PENDING_FILE,
					     SNT_TRUSTLIST_FILE, SNT_TRUSTLIST_DIR };
	struct snt_config gate = *sc;
	char path[PATH_MAX + 64];
	struct snt_clock clk;

	snt_strlcpy(gate.home, p->home, sizeof(gate.home));
	snt_strlcpy(gate.device_id, p->gate, sizeof(gate.device_id));
	rules_msg[0] = trust_msg[0] = '\0';
	if (p->rules) {
		snt_clock_system(&clk);
		if (ctl_sync_rules_install(&gate, p->bureau, p->rules, p->rules_len, snt_clock_utc_ms(&clk),
					   rules_msg, rmlen)) {
			ctl_err(CMD, _("the package's rule set: %s"), rules_msg);
			return -1;
		}
	}
	if (p->trust_list && ctl_sync_trust_install(&gate, p->bureau, p->trust_list, p->trust_list_len, trust_msg,
						    tmlen)) {
		ctl_err(CMD, _("the package's trust list: %s"), trust_msg);
		return -1;
	}
	for (size_t i = 0; i < SNT_ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", sc->rules_dir, files[i]);
		if (access(path, F_OK) == 0)
			give(sc, path);
	}
	if (p->trust_list && geteuid() == 0) {
		DIR *d;
		struct dirent *de;

		snprintf(path, sizeof(path), "%s/%s", sc->rules_dir, SNT_TRUSTLIST_DIR);
		d = opendir(path);
		while (d && (de = readdir(d))) {
			char file[PATH_MAX + 400];

			if (de->d_name[0] == '.')
				continue;
			snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
			give(sc, file);
		}
		if (d)
			closedir(d);
	}
	return 0;
}

/* Step 6: the staged files renamed into the enrolment directory, the enrolment file last. */
static int commit(struct staged *st, const struct package *p)
{
	char from[PATH_MAX + 80], to[PATH_MAX + 80];
	const char *names[4];
	size_t n = 0;

	names[n++] = "bureau.pub";
	if (p->ca_pem)
		names[n++] = "bureau-ca.pem";
	if (p->n_trust)
		names[n++] = "trust";
	names[n++] = st->conf;
	for (size_t i = 0; i < n; i++) {
		snprintf(from, sizeof(from), "%s/%s", st->tmp, names[i]);
		snprintf(to, sizeof(to), "%s/%s", st->dir, names[i]);
		if (!strcmp(names[i], "trust")) {
			/* A trust/ left by an earlier package: exchanged for the new one, then removed. */
			if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE) == 0) {
				DIR *d = opendir(from);
				struct dirent *de;

				while (d && (de = readdir(d))) {
					char old[PATH_MAX + 400];

					if (de->d_name[0] == '.')
						continue;
					snprintf(old, sizeof(old), "%s/%s", from, de->d_name);
					(void)unlink(old);
				}
				if (d)
					closedir(d);
				(void)rmdir(from);
				continue;
			}
			if (errno != ENOENT)
				goto fail;
		}
		if (rename(from, to))
			goto fail;
	}
	if (rmdir(st->tmp))
		ctl_err(CMD, _("warning: cannot remove %s: %s"), st->tmp, strerror(errno));
	st->tmp[0] = '\0';
	return 0;
fail:
	ctl_err(CMD, _("cannot rename %s to %s: %s"), from, to, strerror(errno));
	return -1;
}

/* By stick: the gate's public key, its first seal key (0600; none when "") and its reply beside the package. */
static int write_back(const char *pkgdir, const struct package *p, const char *pub_pem, const char *seal0)
{
	char path[PATH_MAX + 16], *text;
	json_t *r = json_pack("{s:s, s:s}", "gate", p->gate, "token", p->token);
	int rc;

	text = r ? json_dumps(r, JSON_SORT_KEYS) : NULL;
	json_decref(r);
	if (!text) {
		ctl_err(CMD, _("out of memory"));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/device.pub", pkgdir);
	rc = errno = snt_write_atomic(path, pub_pem, strlen(pub_pem), 0644);
	if (!rc && seal0[0]) {
		snprintf(path, sizeof(path), "%s/seal0", pkgdir);
		rc = errno = snt_write_atomic(path, seal0, strlen(seal0), 0600);
	}
	if (!rc) {
		snprintf(path, sizeof(path), "%s/reply.json", pkgdir);
		rc = errno = snt_write_atomic(path, text, strlen(text), 0644);
	}
	free(text);
	if (rc)
		ctl_err(CMD, _("cannot write %s: %s"), path, strerror(errno));
	return rc;
}

/*
 * The key files this run made, removed: an enrolment that failed (a bad
 * package, a refusal, a write) leaves the gate's keys as they were.
 */
static void unmake(const struct snt_config *sc, const struct made *m)
{
	char evolving[PATH_MAX];

	if (m->key)
		(void)unlink(sc->sync_device_key);
	if (m->pub)
		(void)unlink(m->pub_path);
	if (m->seal) {
		(void)unlink(m->seal0);
		if (!snt_fss_key_path(sc->sync_device_key, ".seal", evolving, sizeof(evolving)))
			(void)unlink(evolving);
	}
}

/*
 * The bureau's key the configuration names before enrolment ([sync]
 * bureau_key, e.g. /etc/sentinel/bureau.pub placed by the installer): when
 * that file is there, the package must carry the same key, so a stick made
 * by anyone else cannot enrol this gate (the udev rule enrols a gate that is
 * not enrolled from any stick labelled SENTINEL).  No file there: the
 * package's key is taken as it is.  0, or -1 after saying why.
 */
static int check_pinned(const struct snt_config *sc, const struct package *p, const char *where)
{
	EVP_PKEY *pin = NULL;
	enum snt_sign_err e;
	bool same;

	if (!sc->sync_bureau_key[0] || access(sc->sync_bureau_key, F_OK) != 0)
		return 0;
	e = snt_sign_key_load_public(sc->sync_bureau_key, &pin);
	if (e) {
		ctl_err(CMD, _("%s ([sync] bureau_key): %s: refused"), sc->sync_bureau_key, snt_sign_strerror(e));
		return -1;
	}
	same = EVP_PKEY_eq(pin, p->bureau) == 1;
	EVP_PKEY_free(pin);
	if (same)
		return 0;
	ctl_err(CMD, _("%s: refused: the package is from another bureau (its key is not %s, [sync] bureau_key)"),
		where, sc->sync_bureau_key);
	return -1;
}

/*
 * Before the bureau is asked (online it registers the key and spends the
 * token at once): [rules] dir, where the package's rule set and trust list
 * go, must be a directory this run can write, so a gate that cannot take
 * the package does not leave the bureau holding a key it then removes.
 */
static int preflight(const struct snt_config *sc)
{
	struct stat st;
	int e = 0;

	if (stat(sc->rules_dir, &st))
		e = errno;
	else if (!S_ISDIR(st.st_mode))
		e = ENOTDIR;
	else if (access(sc->rules_dir, W_OK | X_OK))
		e = errno;
	if (!e)
		return 0;
	ctl_err(CMD, _("[rules] dir %s: %s: nothing sent to the bureau"), sc->rules_dir, strerror(e));
	return -1;
}

int cmd_enrol(int argc, char **argv)
{
	char pkgdir[PATH_MAX], where[PATH_MAX + 16], rules_msg[256], trust_msg[256], *text = NULL, *pub = NULL;
	struct staged stg = { .tmp = "" };
	char seal0[SNT_FSS_FILE_MAX] = "", first[PATH_MAX];
	struct snt_config sc;
	struct package p;
	struct config cfg;
	struct made made = { .key = false };
	int r;

	r = parse_config(argc, argv, &cfg);
	if (r)
		return ctl_parse_exit(CMD, r);
	if (ctl_config_load(CMD, cfg.config, &sc))
		return SNT_EXIT_USAGE;
	if (!sc.enrolment[0]) {
		ctl_err(CMD, _("%s names no enrolment file ([station] enrolment)"), sc.path);
		return SNT_EXIT_USAGE;
	}
	if (sc.enrolled && cfg.if_needed)
		return SNT_EXIT_OK;
	if (!cfg.online && cfg.if_needed) {
		char base[PATH_MAX];
		struct stat st;

		if ((size_t)snprintf(base, sizeof(base), "%s/sentinel/enrol", cfg.mount) < sizeof(base) &&
		    lstat(base, &st) != 0 && errno == ENOENT)
			return SNT_EXIT_OK;
	}
	if (sc.enrolled) {
		ctl_err(CMD, _("already enrolled as gate %s (%s); remove it to enrol again"), sc.device_id,
			sc.enrolment);
		return SNT_EXIT_FAIL;
	}
	if (cfg.online) {
		if (preflight(&sc))
			return SNT_EXIT_USAGE;
		snt_strlcpy(where, cfg.online, sizeof(where));
		/* The key goes with the request: made now, removed again if the bureau's answer is refused. */
		if (device_key(&sc, &pub, &made) || seal_key(&sc, seal0, first, sizeof(first), &made)) {
			unmake(&sc, &made);
			free(pub);
			return SNT_EXIT_USAGE;
		}
		r = fetch_online(&cfg, pub, seal0, &sc, &text);
		if (r) {
			unmake(&sc, &made);
			explicit_bzero(seal0, sizeof(seal0));
			free(pub);
			return r == -2 ? SNT_EXIT_USAGE : SNT_EXIT_FAIL;
		}
	} else {
		if (find_package(cfg.mount, cfg.gate, pkgdir, sizeof(pkgdir)))
			return SNT_EXIT_FAIL;
		snprintf(where, sizeof(where), "%s/package.json", pkgdir);
		if (read_text(where, PACKAGE_MAX, &text))
			return SNT_EXIT_FAIL;
	}
	r = package_check(text, where, &p);
	free(text);
	if (r) {
		unmake(&sc, &made);
		explicit_bzero(seal0, sizeof(seal0));
		free(pub);
		return SNT_EXIT_FAIL;
	}
	if (!cfg.online && strcmp(strrchr(pkgdir, '/') + 1, p.gate)) {
		ctl_err(CMD, _("%s: refused: the package is for gate %s, not %s"), where, p.gate,
			strrchr(pkgdir, '/') + 1);
		package_free(&p);
		return SNT_EXIT_FAIL;
	}
	if (check_pinned(&sc, &p, where)) {
		unmake(&sc, &made);
		explicit_bzero(seal0, sizeof(seal0));
		package_free(&p);
		free(pub);
		return SNT_EXIT_FAIL;
	}
	if (!cfg.online && (device_key(&sc, &pub, &made) || seal_key(&sc, seal0, first, sizeof(first), &made))) {
		unmake(&sc, &made);
		package_free(&p);
		free(pub);
		return SNT_EXIT_USAGE;
	}
	r = stage(&sc, &p, &stg);
	if (!r)
		r = install_signed(&sc, &p, rules_msg, sizeof(rules_msg), trust_msg, sizeof(trust_msg));
	if (!r && !cfg.online && write_back(pkgdir, &p, pub, seal0))
		r = -1;
	if (!r)
		r = commit(&stg, &p);
	if (r == 0 && seal0[0] && unlink(first)) {
		ctl_err(CMD, _("warning: cannot remove %s (handed over: remove it by hand): %s"), first,
			strerror(errno));
		first[0] = '\0';
	}
	if (r) {
		/* Not enrolled: the enrolment file, renamed last, is not there. */
		stage_remove(&stg, &p);
		unmake(&sc, &made);
		explicit_bzero(seal0, sizeof(seal0));
		package_free(&p);
		free(pub);
		return SNT_EXIT_USAGE;
	}
	printf(_("enrolled: gate %s of %s\n"), p.gate, p.home);
	printf(_("device key %s\n"), sc.sync_device_key);
	if (p.rules)
		printf(_("rule set: %s\n"), rules_msg);
	if (p.trust_list)
		printf(_("trust list: %s\n"), trust_msg);
	if (seal0[0] && first[0])
		printf(_("first seal key handed over and removed from the gate: %s\n"), first);
	if (cfg.online)
		printf(_("registered with the bureau at %s\n"), cfg.online);
	else
		printf(_("public key written back to %s/device.pub: take the stick to the bureau "
			 "(sentinel-bureau enrol-import)\n"), pkgdir);
	if (!cfg.online && seal0[0])
		printf(_("first seal key written back to %s/seal0: secret, for the bureau only "
			 "(enrol-import registers it and removes it from the stick)\n"), pkgdir);
	explicit_bzero(seal0, sizeof(seal0));
	package_free(&p);
	free(pub);
	return SNT_EXIT_OK;
}
