// SPDX-License-Identifier: MIT
/*
 * sentinel-bureau trust sign, and each home's current trust list
 * (tools/bureau/trust.h).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "clock/clock.h"
#include "sign/sign.h"
#include "trustlist/trustlist.h"
#include "tools/bureau/cli.h"
#include "tools/bureau/trust.h"
#include "common/i18n.h"

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

#define HINT _("Try 'sentinel-bureau trust --help'.\n")
#define usage_error(cmd, ...) bureau_usage_error(cmd, HINT, __VA_ARGS__)

static void usage(void)
{
	fputs(_("Usage: sentinel-bureau --key KEY [--db DB] trust sign --home HOME --version N\n"
		"                        --in FILE [--in FILE]... --out F.cose\n"
		"\n"
		"Sign the issuer key files (certificates, DCC trust lists, DID documents, JWK\n"
		"sets) as the trust list of HOME, version N (each file must hold a key).  With\n"
		"--db it becomes HOME's current list (a newer version only): export puts it on\n"
		"the stick of every gate of HOME and serve sends it in the acknowledgement.\n"
		"--out - writes it to standard output.\n"),
	      stdout);
}

/* The kept list's path of @home in @dir: <dir>/<32 hex of SHA-256(home)>.cose. */
static int home_file(const char *dir, const char *home, char *out, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[33];

	if (!EVP_Digest(home, strlen(home), md, &mdlen, EVP_sha256(), NULL) || mdlen < 16)
		return -1;
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return snprintf(out, size, "%s/%s.cose", dir, hex) < (int)size ? 0 : -1;
}

/* The version of the list kept at @path (0: none, or one that does not verify with @key). */
static uint64_t kept_version(const char *path, EVP_PKEY *key)
{
	struct snt_trustlist *tl = NULL;
	uint8_t *buf;
	size_t len;
	uint64_t v = 0;

	if (snt_read_file(path, SNT_TRUSTLIST_MAX, &buf, &len))
		return 0;
	if (snt_trustlist_open(buf, len, key, &tl, NULL, 0) == SNT_TRUSTLIST_OK)
		v = tl->version;
	snt_trustlist_free(tl);
	free(buf);
	return v;
}

enum bureau_err bureau_trust_home(const char *db_path, const char *state_dir, EVP_PKEY *key, const char *home,
				  uint8_t **cose, size_t *len, uint64_t *version, char *why, size_t n)
{
	struct snt_trustlist *tl = NULL;
	char dir[4096], path[4200];
	int rc;

	*cose = NULL;
	*len = 0;
	*version = 0;
	if (!db_path || !key || !home)
		return BUREAU_ERR_INVAL;
	if (bureau_state_dir(db_path, state_dir, "trust", dir, sizeof(dir)) ||
	    home_file(dir, home, path, sizeof(path))) {
		snprintf(why, n, _("trust-list directory: path too long"));
		return BUREAU_ERR_INVAL;
	}
	rc = snt_read_file(path, SNT_TRUSTLIST_MAX, cose, len);
	if (rc == ENOENT) {
		snprintf(why, n, _("home '%s' has no trust list"), home);
		return BUREAU_ERR_NOTFOUND;
	}
	if (rc) {
		snprintf(why, n, _("trust list %s: %s"), path, snt_open_strerror(rc));
		return rc == ENOMEM ? BUREAU_ERR_NOMEM : BUREAU_ERR_IO;
	}
	if (snt_trustlist_open(*cose, *len, key, &tl, NULL, 0) != SNT_TRUSTLIST_OK || strcmp(tl->home, home)) {
		snprintf(why, n, _("trust list %s: does not verify with the bureau's key"), path);
		snt_trustlist_free(tl);
		free(*cose);
		*cose = NULL;
		*len = 0;
		return BUREAU_ERR_IO;
	}
	*version = tl->version;
	snt_trustlist_free(tl);
	return BUREAU_OK;
}

enum bureau_err bureau_trust_for(const char *db_path, const char *state_dir, struct bureau_db *db, EVP_PKEY *key,
				 const char *device, uint8_t **cose, size_t *len, uint64_t *version, char *why,
				 size_t n)
{
	struct bureau_device_info info;
	enum bureau_err err;

	*cose = NULL;
	*len = 0;
	*version = 0;
	if (!db_path || !db || !key || !device)
		return BUREAU_ERR_INVAL;
	err = bureau_db_device_info(db, device, &info, why, n);
	if (err)
		return err;
	if (!info.home[0]) {
		snprintf(why, n, _("device %s: no home (register --home), so no trust list"), device);
		return BUREAU_ERR_NOTFOUND;
	}
	err = bureau_trust_home(db_path, state_dir, key, info.home, cose, len, version, why, n);
	if (err == BUREAU_ERR_NOTFOUND)
		snprintf(why, n, _("device %s: no trust list for its home"), device);
	return err;
}

#define MAX_IN SNT_TRUSTLIST_MAX_FILES

struct opts {
	const char *key, *db, *state_dir, *home, *version, *out;
	const char *in[MAX_IN];
	size_t n_in;
	bool help;
	const char *cmd;	/* the command word given (trust): its messages name it */
};

/* Record @cose (@len bytes, version @version, of @home) as the home's current list in @db's directory. */
static int record(const struct opts *o, EVP_PKEY *key, const uint8_t *cose, size_t len, uint64_t version)
{
	char dir[4096], path[4200];
	uint64_t held;
	int rc;

	if (bureau_state_dir(o->db, o->state_dir, "trust", dir, sizeof(dir)) ||
	    home_file(dir, o->home, path, sizeof(path))) {
		bureau_err(o->cmd, _("%s: path too long"), o->state_dir ? o->state_dir : o->db);
		return EXIT_USAGE;
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		bureau_err(o->cmd, _("cannot make the trust-list directory %s: %s"), dir, strerror(errno));
		return EXIT_USAGE;
	}
	held = kept_version(path, key);
	if (held >= version) {
		bureau_err(o->cmd, _("home '%s' has trust list version %" PRIu64 " already: version %" PRIu64
				  " is not newer"), o->home, held, version);
		return EXIT_FAIL;
	}
	rc = snt_write_atomic(path, cose, len, 0600);
	if (rc) {
		bureau_err(o->cmd, _("cannot write %s: %s"), path, strerror(rc));
		return EXIT_USAGE;
	}
	printf(_("recorded as the current trust list of home %s (was version %" PRIu64 ")\n"), o->home, held);
	return EXIT_OK;
}

static int sign_list(const struct opts *o, EVP_PKEY *key, int64_t now_ms)
{
	struct snt_trustlist tl;
	enum snt_trustlist_err e;
	uint8_t *cose = NULL;
	size_t len = 0;
	char err[512] = "", *end;
	int status = EXIT_USAGE;

	memset(&tl, 0, sizeof(tl));
	errno = 0;
	tl.version = strtoull(o->version, &end, 10);
	if (errno || *end || end == o->version || o->version[0] == '-' || tl.version < 1 || tl.version > INT64_MAX)
		return usage_error(o->cmd, _("--version: '%s' is not a whole number of 1 or more"), o->version);
	if (snt_strlcpy(tl.home, o->home, sizeof(tl.home)) >= sizeof(tl.home) || !o->home[0])
		return usage_error(o->cmd, _("--home: not 1-127 bytes"));
	tl.issued_ms = now_ms;
	for (size_t i = 0; i < o->n_in; i++) {
		const char *base = strrchr(o->in[i], '/');
		int rc;

		base = base ? base + 1 : o->in[i];
		if (!snt_trustlist_name_valid(base)) {
			status = usage_error(o->cmd, _("--in %s: its name is not 1-63 of A-Z a-z 0-9 . _ - (not starting with '.')"),
					     o->in[i]);
			goto out;
		}
		snt_strlcpy(tl.files[i].name, base, sizeof(tl.files[i].name));
		rc = snt_read_file(o->in[i], SNT_TRUSTLIST_MAX, &tl.files[i].data, &tl.files[i].len);
		if (rc) {
			bureau_err(o->cmd, _("cannot read %s: %s"), o->in[i], rc == SNT_ETOOBIG ? _("over 1 MiB") :
				   rc == SNT_ENOTREG ? _("not a regular file") : snt_open_strerror(rc));
			goto out;
		}
		tl.n_files = i + 1;
	}
	e = snt_trustlist_sign(key, &tl, &cose, &len, err, sizeof(err));
	if (e) {
		bureau_err(o->cmd, _("trust list refused: %s"), err[0] ? err : snt_trustlist_strerror(e));
		status = e == SNT_TRUSTLIST_ERR_NOMEM || e == SNT_TRUSTLIST_ERR_SIGNATURE ? EXIT_USAGE : EXIT_FAIL;
		goto out;
	}
	if (!strcmp(o->out, "-")) {
		if (fwrite(cose, 1, len, stdout) != len || fflush(stdout)) {
			bureau_err(o->cmd, _("cannot write the output: %s"), strerror(errno));
			goto out;
		}
	} else {
		struct stat sb;
		int rc;

		/* lstat: a symbolic link (/dev/stdout) would be replaced by the rename, not written through. */
		if (lstat(o->out, &sb) == 0 && !S_ISREG(sb.st_mode)) {
			bureau_err(o->cmd, _("cannot write %s: %s; give a regular file, or - for standard output"), o->out,
				   S_ISDIR(sb.st_mode) ? strerror(EISDIR) :
				   S_ISLNK(sb.st_mode) ? _("a symbolic link") : _("not a regular file"));
			goto out;
		}
		rc = snt_write_atomic(o->out, cose, len, 0644);
		if (rc) {
			bureau_err(o->cmd, _("cannot write %s: %s"), o->out, strerror(rc));
			goto out;
		}
	}
	/* The summary on stderr when the list itself went to standard output. */
	fprintf(strcmp(o->out, "-") ? stdout : stderr,
		P_("trust list of home %s version %" PRIu64 ": %s (%zu file, %zu bytes)\n",
		   "trust list of home %s version %" PRIu64 ": %s (%zu files, %zu bytes)\n", tl.n_files),
		tl.home, tl.version, strcmp(o->out, "-") ? o->out : _("standard output"), tl.n_files, len);
	status = o->db ? record(o, key, cose, len, tl.version) : EXIT_OK;
out:
	for (size_t i = 0; i < tl.n_files; i++)
		free(tl.files[i].data);
	free(cose);
	return status;
}

static int run(const char *word, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "db", required_argument, NULL, 'd' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "home", required_argument, NULL, 'H' },
		{ "version", required_argument, NULL, 'v' },
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct snt_clock clk;
	struct opts o;
	EVP_PKEY *key = NULL;
	enum snt_sign_err serr;
	int c, status;

	memset(&o, 0, sizeof(o));
	o.cmd = word;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': o.key = optarg; break;
		case 'd': o.db = optarg; break;
		case 'S': o.state_dir = optarg; break;
		case 'H': o.home = optarg; break;
		case 'v': o.version = optarg; break;
		case 'o': o.out = optarg; break;
		case 'i':
			if (o.n_in == MAX_IN)
				return usage_error(o.cmd, P_("--in: at most %d file", "--in: at most %d files", MAX_IN), MAX_IN);
			o.in[o.n_in++] = optarg;
			break;
		case 'h': o.help = true; break;
		default:
			return bureau_option_error(o.cmd, HINT, c, argv);
		}
	}
	if (o.help) {
		usage();
		return EXIT_OK;
	}
	if (argc - optind != 2 || strcmp(argv[optind + 1], "sign"))
		return usage_error(o.cmd, _("usage: trust sign (see --help)"));
	if (!o.key)
		return usage_error(o.cmd, _("--key PATH (the bureau's private key) is required"));
	if (o.state_dir && !*o.state_dir)
		return usage_error(o.cmd, "%s", _("--state-dir needs a directory"));
	if (!o.home || !o.version || !o.n_in || !o.out || !*o.out)
		return usage_error(o.cmd, _("trust sign takes --home, --version, --in (one or more) and --out"));
	serr = snt_sign_key_load_private(o.key, &key);
	if (serr) {
		bureau_err(o.cmd, _("cannot use the key %s: %s"), o.key,
			   serr == SNT_SIGN_ERR_OPEN ? strerror(errno) : snt_sign_strerror(serr));
		return EXIT_USAGE;
	}
	snt_clock_system(&clk);
	status = sign_list(&o, key, snt_clock_utc_ms(&clk));
	EVP_PKEY_free(key);
	return status;
}

int bureau_trust_main(int argc, char **argv, int *status)
{
	static const char *const names[] = { "trust", NULL };

	return bureau_dispatch(argc, argv, names, run, status);
}
