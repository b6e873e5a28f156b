// SPDX-License-Identifier: MIT
/*
 * sentinel-bureau policy sign / badge issue / pass issue (issue.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "card/card.h"
#include "clock/clock.h"
#include "common/i18n.h"
#include "codes/codes.h"
#include "codes/verify.h"
#include "review/review.h"
#include "rules/rules.h"
#include "sign/sign.h"
#include "tools/bureau/bureau.h"
#include "tools/bureau/cli.h"
#include "tools/bureau/issue.h"

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

struct opts {
	const char *key, *db, *in, *out, *card, *ref, *id, *visitor, *from, *until, *issued, *home, *uses, *card_hash;
	const char *gates[SNT_CREDENTIAL_MAX_GATES + 1];
	size_t n_gates;
	bool text, help, check;
};

static const char *cur = "policy";

/* Where the one-line summary goes: stderr when an output itself is standard output (--out -, --card -). */
static FILE *summary(const struct opts *o)
{
	return (o->out && !strcmp(o->out, "-")) || (o->card && !strcmp(o->card, "-")) ? stderr : stdout;
}

static int usage_error(const char *fmt, ...) SNT_PRINTF(1, 2);
static int usage_error(const char *fmt, ...)
{
	char m[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	bureau_err(cur, "%s", m);
	fprintf(stderr, "%s\n", _("Try 'sentinel-bureau --help'."));
	return EXIT_USAGE;
}

/* `sentinel-bureau policy|badge|pass --help`. */
static void command_usage(const char *cmd)
{
	if (!strcmp(cmd, "policy"))
		fputs(_("Usage: sentinel-bureau [--db PATH] --key KEY policy sign --in RULES.json --out RULES.cose\n"
		      "       sentinel-bureau policy sign --check --in RULES.json\n"
		      "\n"
		      "Sign a rule set (JSON, the keys of sentinel-rules(5)) with the bureau's key\n"
		      "as a COSE_Sign1 ES256 for 'sentinelctl policy install'.  What the gate would\n"
		      "refuse is refused here, naming the field; nothing is written then.  With\n"
		      "--db the signed set also becomes its home's current set in that bureau\n"
		      "database (when newer than the one held): ack and export put it on the stick\n"
		      "for every gate registered with that --home.  --check only checks RULES.json\n"
		      "(no key needed, nothing written): exit 0 when it would be signed, 1 naming\n"
		      "the first field that is wrong.\n"), stdout);
	else if (!strcmp(cmd, "badge"))
		fputs(_("Usage: sentinel-bureau --key KEY badge issue --home HOME --ref REF\n"
		      "                       [--out BADGE.png] [--card CARD.png|CARD.pdf]\n"
		      "                       [--gate DEVICE]... [--issued TIME] [--text]\n"
		      "\n"
		      "A staff badge QR code (PNG, drawn by qrencode) for the roster reference REF of\n"
		      "the home HOME (as its gates' [station] home; --gate: only those gates, at most 8).\n"
		      "A gate honours it only while REF is on the staff roster of its active rule set.\n"
		      "--card writes its printable card (ID-1, 85.6 x 54 mm: the QR code, the home, the\n"
		      "reference, the issue date; a PNG at 300 dpi, or a PDF when the name ends in\n"
		      ".pdf); --out, --card or both.  --text prints the QR text instead of the summary\n"
		      "line.\n"), stdout);
	else
		fputs(_("Usage: sentinel-bureau --key KEY pass issue --home HOME --id ID --visitor NAME\n"
		      "                       --from TIME --until TIME [--out PASS.png]\n"
		      "                       [--card CARD.png|CARD.pdf] [--uses N]\n"
		      "                       [--gate DEVICE]... [--issued TIME] [--text]\n"
		      "\n"
		      "A visit pass QR code (PNG, drawn by qrencode) for the home HOME (as its gates'\n"
		      "[station] home; --gate: only those gates, at most 8) and the window\n"
		      "[from, until) (the times of 'sentinelctl entries --since').  --card writes its\n"
		      "printable card (ID-1: the QR code, the home, the masked name, the id, the\n"
		      "window in local time, the entries; a PNG at 300 dpi, or a PDF when the name\n"
		      "ends in .pdf); --out, --card or both.  It admits its holder once per\n"
		      "visit: not again while they are inside; after an exit again, up to N entries\n"
		      "in all (--uses, 1-100, default 1).  The name is masked before it is signed:\n"
		      "the first character of each of its first two words, each followed by '*'\n"
		      "(\"张三\" -> \"张*\", \"Gabriele Musterfrau\" -> \"G* M*\"); the QR code\n"
		      "never holds the full name.  --card-hash names the holder's resident ID card\n"
		      "by the keyed hash of its number (HMAC-SHA256 with the home's rule-set\n"
		      "idcard_key over \"sentinel-idcard-v1\", a NUL byte and the number): the pass\n"
		      "then admits only with that card on the gate's reader.\n"), stdout);
}

/* Write @len bytes to @path through PATH.tmp, fsync and rename. */
static int write_file(const char *path, const void *buf, size_t len)
{
	char tmp[4096];
	int fd, saved;

	if (!strcmp(path, "-"))	/* standard output */
		return fwrite(buf, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -1;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -1;
	if (snt_write_all(fd, buf, len))
		goto err;
	if (fsync(fd) || close(fd)) {
		fd = -1;
		goto err;
	}
	if (rename(tmp, path))
		goto err_unlink;
	return 0;
err:
	saved = errno;
	if (fd >= 0)
		close(fd);
	errno = saved;
err_unlink:
	saved = errno;
	unlink(tmp);
	errno = saved;
	return -1;
}

/*
 * A time option, in the syntax of every time option (snt_review_parse_time():
 * "YYYY-MM-DD HH:MM[:SS]" local time in Asia/Shanghai, a day, or RFC 3339),
 * or ms since the epoch.
 */
static int parse_time(const char *name, const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (snt_review_parse_time(s, SNT_REVIEW_SINCE, out) == SNT_REVIEW_OK)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!errno && end != s && !*end && v >= 0) {
		*out = v;
		return 0;
	}
	return usage_error(_("%s: '%s' is not a time ('YYYY-MM-DD HH:MM' in Asia/Shanghai, or RFC 3339) "
			   "nor ms since the epoch"), name, s), -1;
}

/* ---- policy sign: rules.json -> rules.cose ---- */

static int json_err(const char *in, const char *field, const char *why)
{
	bureau_err(cur, _("%s: field '%s': %s"), in, field, why);
	return -1;
}

static int json_uint(const char *in, json_t *root, const char *field, uint64_t max, uint64_t *out)
{
	json_t *v = json_object_get(root, field);

	if (!v)
		return json_err(in, field, "missing");
	if (!json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max)
		return json_err(in, field, "not an unsigned integer in range");
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* ms since the epoch, or an RFC 3339 string. */
static int json_time(const char *in, json_t *root, const char *field, int64_t *out)
{
	json_t *v = json_object_get(root, field);

	if (!v)
		return json_err(in, field, "missing");
	if (json_is_string(v) && !snt_clock_parse_rfc3339(json_string_value(v), out))
		return 0;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = json_integer_value(v);
		return 0;
	}
	return json_err(in, field, "not ms since the epoch or an RFC 3339 time");
}

static int json_names(const char *in, json_t *root, const char *field, unsigned *bits,
		      int (*parse)(const char *, int *))
{
	json_t *a = json_object_get(root, field), *v;
	size_t i;

	if (!a)
		return json_err(in, field, "missing");
	if (!json_is_array(a))
		return json_err(in, field, "not an array");
	json_array_foreach(a, i, v) {
		int bit;

		if (!json_is_string(v) || parse(json_string_value(v), &bit))
			return json_err(in, field, "an unknown name");
		*bits |= 1u << bit;
	}
	return 0;
}

static int colour_bit(const char *s, int *bit)
{
	enum snt_colour c;

	if (snt_colour_from_name(s, &c))
		return -1;
	*bit = (int)c;
	return 0;
}

static int format_bit(const char *s, int *bit)
{
	enum snt_code_format f;

	if (snt_code_format_from_name(s, &f))
		return -1;
	*bit = (int)f;
	return 0;
}

/* @hex (an even count of hex digits) into @out: the byte count, or -1 when not hex or not @min-@max bytes. */
static int hex_bytes(const char *hex, uint8_t *out, size_t min, size_t max)
{
	size_t n = strlen(hex);

	if (n % 2 || n / 2 < min || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v = 0;

		for (int k = 0; k < 2; k++) {
			char ch = hex[2 * i + (size_t)k];

			v <<= 4;
			if (ch >= '0' && ch <= '9')
				v |= (unsigned)(ch - '0');
			else if (ch >= 'a' && ch <= 'f')
				v |= (unsigned)(ch - 'a' + 10);
			else if (ch >= 'A' && ch <= 'F')
				v |= (unsigned)(ch - 'A' + 10);
			else
				return -1;
		}
		out[i] = (uint8_t)v;
	}
	return (int)(n / 2);
}

static int rules_from_json(const char *in, json_t *root, struct snt_rules *r)
{
	static const char *const known[] = {
		"type", "v", "home", "gates", "version", "mode", "fever_threshold_mdc", "colours", "formats", "max_visitors",
		"risk_regions", "staff", "max_test_age_days", "valid_from", "valid_until", "hard_limit_ms", "issued",
		"idcard_key",
	};
	const char *key, *mode;
	json_t *v, *a;
	uint64_t u;
	size_t i;

	if (!json_is_object(root))
		return json_err(in, "(top)", "not a JSON object");
	json_object_foreach(root, key, v) {
		if (snt_name_index(known, SNT_ARRAY_SIZE(known), key) < 0)
			return json_err(in, key, "unknown key");
	}
	v = json_object_get(root, "type");
	if (v && (!json_is_string(v) || strcmp(json_string_value(v), "rules")))
		return json_err(in, "type", "not \"rules\"");
	v = json_object_get(root, "idcard_key");
	if (v) {
		int k = json_is_string(v) ? hex_bytes(json_string_value(v), r->idcard_key, SNT_RULES_IDCARD_KEY_MIN,
						      SNT_RULES_IDCARD_KEY_MAX) : -1;

		if (k < 0)
			return json_err(in, "idcard_key", "not 32-128 hex digits (16-64 bytes)");
		r->idcard_key_len = (size_t)k;
	}
	v = json_object_get(root, "v");
	if (v && (!json_is_integer(v) || json_integer_value(v) != 2))
		return json_err(in, "v", "not 2");
	v = json_object_get(root, "home");
	if (!json_is_string(v) || snt_strlcpy(r->home, json_string_value(v), sizeof(r->home)) >= sizeof(r->home))
		return json_err(in, "home", "not a home name of 1-127 bytes (the gates' [station] home)");
	a = json_object_get(root, "gates");
	if (a && (!json_is_array(a) || json_array_size(a) > SNT_RULES_MAX_GATES))
		return json_err(in, "gates", "not an array of at most 64 device ids");
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) ||
		    snt_strlcpy(r->gates[i], json_string_value(v), SNT_RULES_GATE_LEN) >= SNT_RULES_GATE_LEN)
			return json_err(in, "gates", "not device ids of 1-63 characters");
		r->n_gates = i + 1;
	}
	if (json_uint(in, root, "version", INT64_MAX, &r->version))
		return -1;
	v = json_object_get(root, "mode");
	mode = json_is_string(v) ? json_string_value(v) : "";
	if (!strcmp(mode, "open"))
		r->mode = SNT_RULES_OPEN;
	else if (!strcmp(mode, "closed"))
		r->mode = SNT_RULES_CLOSED;
	else
		return json_err(in, "mode", "not \"open\" or \"closed\"");
	if (json_uint(in, root, "fever_threshold_mdc", 39000, &u))
		return -1;
	r->fever_threshold_mdc = (int32_t)u;
	if (json_names(in, root, "colours", &r->colours, colour_bit) ||
	    json_names(in, root, "formats", &r->formats, format_bit))
		return -1;
	if (json_uint(in, root, "max_visitors", UINT32_MAX, &u))
		return -1;
	r->max_visitors = (uint32_t)u;
	if (json_uint(in, root, "max_test_age_days", 366, &u))
		return -1;
	r->max_test_age_days = (uint32_t)u;
	if (json_time(in, root, "valid_from", &r->valid_from_ms) ||
	    json_time(in, root, "valid_until", &r->valid_until_ms) || json_time(in, root, "issued", &r->issued_ms))
		return -1;
	if (json_uint(in, root, "hard_limit_ms", INT64_MAX, &u))
		return -1;
	r->hard_limit_ms = (int64_t)u;
	a = json_object_get(root, "risk_regions");
	if (!json_is_array(a) || json_array_size(a) > SNT_RULES_MAX_REGIONS)
		return json_err(in, "risk_regions", "not an array of at most 1024 region codes");
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || snt_strlcpy(r->regions[i], json_string_value(v), SNT_REGION_LEN) >=
		    SNT_REGION_LEN)
			return json_err(in, "risk_regions", "not six-digit region codes");
		r->n_regions = i + 1;
	}
	a = json_object_get(root, "staff");
	if (!json_is_array(a) || json_array_size(a) > SNT_RULES_MAX_STAFF)
		return json_err(in, "staff", "not an array of at most 1024 staff");
	json_array_foreach(a, i, v) {
		struct snt_rules_staff *s = &r->staff[i];
		const char *fields[] = { "ref", "name", "last_test" };
		char *dst[] = { s->ref, s->name, s->last_test };
		size_t cap[] = { sizeof(s->ref), sizeof(s->name), sizeof(s->last_test) };

		if (!json_is_object(v) || json_object_size(v) != 3)
			return json_err(in, "staff", "each member must be {\"ref\", \"name\", \"last_test\"}");
		for (int k = 0; k < 3; k++) {
			json_t *f = json_object_get(v, fields[k]);

			if (!json_is_string(f) || snt_strlcpy(dst[k], json_string_value(f), cap[k]) >= cap[k])
				return json_err(in, "staff", "each member must be {\"ref\", \"name\", \"last_test\"}");
		}
		r->n_staff = i + 1;
	}
	return 0;
}

/* policy sign --db: the signed set @cose becomes the current set of its home in @db. */
static int record_rules(const char *db_path, const struct snt_rules *r, const uint8_t *cose, size_t len,
			FILE *out)
{
	struct bureau_db *db = NULL;
	struct snt_clock clk;
	char why[BUREAU_WHY_LEN];
	enum bureau_err err;
	uint64_t held = 0;
	struct stat sb;

	if (stat(db_path, &sb) != 0) {
		bureau_err(cur, _("bureau database %s: %s (register the gates first)"), db_path, strerror(errno));
		return EXIT_USAGE;
	}
	err = bureau_db_open(db_path, &db, why, sizeof(why));
	if (err) {
		bureau_err(cur, "%s", why);
		return EXIT_USAGE;
	}
	snt_clock_system(&clk);
	err = bureau_db_rules_put(db, r->home, r->version, cose, len, snt_clock_utc_ms(&clk), &held, why,
				  sizeof(why));
	bureau_db_close(db);
	if (err == BUREAU_ERR_EXISTS) {
		bureau_err(cur, _("%s: not recorded"), why);
		return EXIT_FAIL;
	}
	if (err) {
		bureau_err(cur, "%s", why);
		return EXIT_USAGE;
	}
	fprintf(out, _("rule set version %llu recorded for home %s: %s\n"), (unsigned long long)r->version, r->home,
		db_path);
	return EXIT_OK;
}

/*
 * policy sign --check: whether @in would be signed, naming the field that
 * would not (exit 1), or its version, home and mode (exit 0).
 */
static int policy_check(const char *in)
{
	struct snt_rules *r = calloc(1, sizeof(*r));
	uint8_t *payload = NULL;
	size_t plen = 0;
	enum snt_rules_err rerr;
	json_error_t jerr;
	json_t *root;
	char why[256];
	int status = EXIT_FAIL;

	if (!r) {
		bureau_err(cur, _("out of memory"));
		return EXIT_USAGE;
	}
	root = json_load_file(in, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		bureau_err(cur, "%s:%d: %s", in, jerr.line, jerr.text);
		goto out;
	}
	if (rules_from_json(in, root, r))
		goto out;
	rerr = snt_rules_encode(r, &payload, &plen, why, sizeof(why));
	if (rerr) {
		bureau_err(cur, "%s: %s", in, rerr == SNT_RULES_ERR_INVAL && why[0] ? why : snt_rules_strerror(rerr));
		goto out;
	}
	printf(P_("%s: rule set version %llu for home %s (%s, %zu staff, %zu risk region): every field valid\n",
		  "%s: rule set version %llu for home %s (%s, %zu staff, %zu risk regions): every field valid\n",
		  r->n_regions),
	       in, (unsigned long long)r->version, r->home, snt_rules_mode_name(r->mode), r->n_staff, r->n_regions);
	status = EXIT_OK;
out:
	json_decref(root);
	free(payload);
	free(r);
	return status;
}

static int policy_sign(const struct opts *o, EVP_PKEY *key)
{
	struct snt_rules *r = calloc(1, sizeof(*r));
	uint8_t *payload = NULL, *cose = NULL;
	size_t plen = 0, clen = 0;
	enum snt_rules_err rerr;
	json_error_t jerr;
	json_t *root;
	char why[256];
	int status = EXIT_FAIL;

	if (!r) {
		bureau_err(cur, _("out of memory"));
		return EXIT_USAGE;
	}
	root = json_load_file(o->in, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		bureau_err(cur, "%s:%d: %s", o->in, jerr.line, jerr.text);
		goto out;
	}
	if (rules_from_json(o->in, root, r))
		goto out;
	rerr = snt_rules_encode(r, &payload, &plen, why, sizeof(why));
	if (rerr) {
		bureau_err(cur, "%s: %s", o->in, rerr == SNT_RULES_ERR_INVAL && why[0] ? why : snt_rules_strerror(rerr));
		goto out;
	}
	if (snt_sign1_es256(key, payload, plen, &cose, &clen)) {
		bureau_err(cur, _("cannot sign with the key"));
		status = EXIT_USAGE;
		goto out;
	}
	if (write_file(o->out, cose, clen)) {
		bureau_err(cur, _("cannot write %s: %s"), o->out, strerror(errno));
		status = EXIT_USAGE;
		goto out;
	}
	fprintf(summary(o), _("rule set version %llu signed: %s (%zu bytes)\n"), (unsigned long long)r->version,
		strcmp(o->out, "-") ? o->out : _("standard output"), clen);
	status = o->db ? record_rules(o->db, r, cose, clen, summary(o)) : EXIT_OK;
out:
	json_decref(root);
	free(payload);
	free(cose);
	free(r);
	return status;
}

/* ---- badges and passes: QR PNG via qrencode ---- */

static int qr_png(const char *text, const char *out)
{
	char tmp[4096];
	bool to_stdout = !strcmp(out, "-");
	int st;
	pid_t pid;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", out) >= sizeof(tmp))
		return -1;
	if (to_stdout && fflush(stdout))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* No shell: the text is one argument. */
		execlp("qrencode", "qrencode", "-t", "PNG", "-l", "M", "-s", "6", "-m", "4", "-o",
		       to_stdout ? "-" : tmp, "--", text, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		if (!to_stdout)
			unlink(tmp);
		return -1;
	}
	if (!to_stdout && rename(tmp, out)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/*
 * The visitor's name as the pass carries it, masked as the gate masks the
 * names it logs (snt_verify_mask_name(): "张三" -> "张*", "Gabriele
 * Musterfrau" -> "G* M*"): the first word is taken as the given name, the
 * rest as the family name.  An already masked name stays as it is.
 * Return: 0, or -1 for text that is not a name (empty, not UTF-8, control
 * characters, too long).
 */
static int mask_visitor(const char *name, char out[SNT_RULES_NAME_LEN])
{
	struct snt_verify_subject s;
	size_t len = strlen(name), g;
	const char *rest;

	memset(&s, 0, sizeof(s));
	out[0] = '\0';
	if (len == 0 || len >= sizeof(s.given) || !snt_code_is_text((const uint8_t *)name, len))
		return -1;
	name += strspn(name, " ");
	g = strcspn(name, " ");
	memcpy(s.given, name, g);
	rest = name + g;
	rest += strspn(rest, " ");
	snt_strlcpy(s.family, rest, sizeof(s.family));
	snt_verify_mask_name(&s, out, SNT_RULES_NAME_LEN);
	return out[0] ? 0 : -1;
}

static int credential(const struct opts *o, EVP_PKEY *key, enum snt_credential_kind kind, int64_t now)
{
	struct snt_credential c;
	char *text = NULL, where[PATH_MAX * 2 + 16];
	enum snt_rules_err rerr;

	memset(&c, 0, sizeof(c));
	c.kind = kind;
	c.issued_ms = now;
	c.uses = 1;
	if (snt_strlcpy(c.home, o->home, sizeof(c.home)) >= sizeof(c.home) || !c.home[0] ||
	    !snt_code_is_text((const uint8_t *)c.home, strlen(c.home)))
		return usage_error(_("--home: not a home name of 1-127 bytes of text (the gates' [station] home)"));
	for (size_t i = 0; i < o->n_gates; i++)
		if (snt_strlcpy(c.gates[i], o->gates[i], SNT_RULES_GATE_LEN) >= SNT_RULES_GATE_LEN)
			return usage_error(_("--gate: longer than 63 characters"));
	c.n_gates = o->n_gates;
	if (o->uses) {
		char *end;
		long v;

		errno = 0;
		v = strtol(o->uses, &end, 10);
		if (errno || end == o->uses || *end || v < 1 || v > SNT_CREDENTIAL_MAX_USES)
			return usage_error(_("--uses: '%s' is not a number 1-100"), o->uses);
		c.uses = (uint32_t)v;
	}
	if (o->issued && parse_time("--issued", o->issued, &c.issued_ms))
		return EXIT_USAGE;
	if (kind == SNT_CREDENTIAL_BADGE) {
		if (snt_strlcpy(c.ref, o->ref, sizeof(c.ref)) >= sizeof(c.ref))
			return usage_error(_("--ref: longer than 32 characters"));
	} else {
		if (snt_strlcpy(c.id, o->id, sizeof(c.id)) >= sizeof(c.id))
			return usage_error(_("--id: longer than 32 characters"));
		if (mask_visitor(o->visitor, c.visitor))
			return usage_error(_("--visitor: not a name (1-95 bytes of printable UTF-8 text)"));
		if (parse_time("--from", o->from, &c.from_ms) || parse_time("--until", o->until, &c.until_ms))
			return EXIT_USAGE;
		if (o->card_hash) {
			if (hex_bytes(o->card_hash, c.card, SNT_CREDENTIAL_CARD_LEN, SNT_CREDENTIAL_CARD_LEN) !=
			    SNT_CREDENTIAL_CARD_LEN)
				return usage_error(_("--card-hash: not 64 hex digits (the keyed hash of the holder's "
						   "ID number)"));
			c.has_card = true;
		}
	}
	rerr = snt_credential_issue(&c, key, &text);
	if (rerr == SNT_RULES_ERR_INVAL)
		return usage_error("%s", kind == SNT_CREDENTIAL_BADGE ?
				   "--ref: 1-32 printable ASCII characters; --gate: 1-63 printable ASCII, distinct" :
				   "--id 1-32 printable ASCII, --until after --from; --gate: 1-63 printable ASCII, "
				   "distinct");
	if (rerr) {
		bureau_err(cur, "%s", snt_rules_strerror(rerr));
		return EXIT_USAGE;
	}
	if (o->out && qr_png(text, o->out)) {
		bureau_err(cur, _("cannot write %s with qrencode"), o->out);
		free(text);
		return EXIT_USAGE;
	}
	if (o->card) {
		enum snt_card_format fmt = snt_card_format_for(o->card);
		enum snt_card_err cerr;
		uint8_t *card = NULL;
		size_t card_len = 0;

		cerr = snt_card_render(&c, text, fmt, &card, &card_len);
		if (cerr) {
			bureau_err(cur, _("cannot draw the card %s: %s"), o->card, snt_card_strerror(cerr));
			free(text);
			return EXIT_USAGE;
		}
		if (write_file(o->card, card, card_len)) {
			bureau_err(cur, _("cannot write %s: %s"), o->card, strerror(errno));
			free(card);
			free(text);
			return EXIT_USAGE;
		}
		free(card);
	}
	snprintf(where, sizeof(where), "%s%s%s%s", o->out ? (strcmp(o->out, "-") ? o->out : _("standard output")) : "",
		 o->out && o->card ? ", " : "", o->card ? _("card ") : "",
		 o->card ? (strcmp(o->card, "-") ? o->card : _("standard output")) : "");
	if (o->text)
		printf("%s\n", text);
	else if (kind == SNT_CREDENTIAL_BADGE)
		fprintf(summary(o), _("badge %s: %s (%zu characters)\n"), c.ref, where, strlen(text));
	else {
		char from[32], until[32];

		if (snt_clock_format_rfc3339(c.from_ms, from, sizeof(from)))
			snt_strlcpy(from, "?", sizeof(from));
		if (snt_clock_format_rfc3339(c.until_ms, until, sizeof(until)))
			snt_strlcpy(until, "?", sizeof(until));
		fprintf(summary(o), P_("pass %s: %s (visitor %s, %u entry, %s to %s, %zu characters)\n",
				       "pass %s: %s (visitor %s, %u entries, %s to %s, %zu characters)\n", c.uses),
			c.id, where, c.visitor, c.uses, from, until, strlen(text));
	}
	free(text);
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "db", required_argument, NULL, 'd' },
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "card", required_argument, NULL, 'c' },
		{ "ref", required_argument, NULL, 'r' },
		{ "id", required_argument, NULL, 'I' },
		{ "visitor", required_argument, NULL, 'v' },
		{ "from", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' },
		{ "issued", required_argument, NULL, 's' },
		{ "home", required_argument, NULL, 'H' },
		{ "gate", required_argument, NULL, 'g' },
		{ "uses", required_argument, NULL, 'U' },
		{ "card-hash", required_argument, NULL, 'K' },
		{ "text", no_argument, NULL, 't' },
		{ "check", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct snt_clock clk;
	struct stat sb;
	struct opts o;
	const char *cmd, *sub;
	EVP_PKEY *key = NULL;
	enum snt_sign_err serr;
	int c, status;

	memset(&o, 0, sizeof(o));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': o.key = optarg; break;
		case 'd': o.db = optarg; break;	/* policy sign: record the set there */
		case 'i': o.in = optarg; break;
		case 'o': o.out = optarg; break;
		case 'c': o.card = optarg; break;
		case 'r': o.ref = optarg; break;
		case 'I': o.id = optarg; break;
		case 'v': o.visitor = optarg; break;
		case 'f': o.from = optarg; break;
		case 'u': o.until = optarg; break;
		case 's': o.issued = optarg; break;
		case 'H': o.home = optarg; break;
		case 'U': o.uses = optarg; break;
		case 'K': o.card_hash = optarg; break;
		case 'g':
			if (o.n_gates == SNT_CREDENTIAL_MAX_GATES)
				return usage_error(_("--gate: at most %d gates"), SNT_CREDENTIAL_MAX_GATES);
			o.gates[o.n_gates++] = optarg;
			break;
		case 't': o.text = true; break;
		case 'C': o.check = true; break;
		case 'h': o.help = true; break;
		case ':':
			return usage_error(_("option '%s' needs an argument"), argv[optind - 1]);
		default:
			return usage_error(_("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (o.help && argc - optind >= 1) {
		command_usage(argv[optind]);
		return EXIT_OK;
	}
	if (argc - optind != 2)
		return usage_error(_("usage: policy sign | badge issue | pass issue (see --help)"));
	cmd = argv[optind];
	sub = argv[optind + 1];
	cur = cmd;
	if (strcmp(sub, !strcmp(cmd, "policy") ? "sign" : "issue"))
		return usage_error(_("unknown subcommand '%s'"), sub);
	if (o.check) {
		if (strcmp(cmd, "policy") || !o.in || o.out || o.card || o.db || o.ref || o.id || o.visitor || o.from ||
		    o.until || o.issued || o.text || o.home || o.n_gates || o.uses)
			return usage_error(_("policy sign --check takes --in only (no key is needed, nothing is written)"));
		return policy_check(o.in);
	}
	if (!o.key)
		return usage_error(_("--key PATH (the bureau's private key) is required"));
	if (!strcmp(cmd, "policy") ? !o.out || !*o.out : (!o.out || !*o.out) && (!o.card || !*o.card))
		return usage_error("%s", !strcmp(cmd, "policy") ? "--out is required (- for standard output)"
				   : "--out, --card or both are required (- for standard output)");
	if (o.out && o.card && !strcmp(o.out, "-") && !strcmp(o.card, "-"))
		return usage_error(_("--out - and --card - would both write to standard output"));
	if (o.text && ((o.out && !strcmp(o.out, "-")) || (o.card && !strcmp(o.card, "-"))))
		return usage_error(_("--text and %s - would both write to standard output"),
				   o.out && !strcmp(o.out, "-") ? "--out" : "--card");
	for (int i = 0; i < 2; i++) {
		const char *t = i ? o.card : o.out;

		/* lstat: a symbolic link (/dev/stdout) would be replaced by the rename, not written through. */
		if (t && strcmp(t, "-") && lstat(t, &sb) == 0 && !S_ISREG(sb.st_mode)) {
			bureau_err(cur, _("cannot write %s: %s; give a regular file, or - for standard output"), t,
				   S_ISDIR(sb.st_mode) ? strerror(EISDIR) :
				   S_ISLNK(sb.st_mode) ? "a symbolic link" : "not a regular file");
			return EXIT_USAGE;
		}
	}
	if (!strcmp(cmd, "policy") && (!o.in || o.ref || o.id || o.visitor || o.from || o.until || o.issued || o.text ||
				       o.home || o.n_gates || o.uses || o.card))
		return usage_error(_("policy sign takes --in and --out (the home and gates are in the JSON)"));
	if (strcmp(cmd, "pass") && o.card_hash)
		return usage_error(_("--card-hash is for pass issue only"));
	if (!strcmp(cmd, "badge") && (!o.ref || !o.home || o.in || o.id || o.visitor || o.from || o.until || o.uses))
		return usage_error(_("badge issue takes --home, --ref and --out or --card (and --gate, --issued, --text)"));
	if (!strcmp(cmd, "pass") && (!o.id || !o.home || !o.visitor || !o.from || !o.until || o.in || o.ref))
		return usage_error(_("pass issue takes --home, --id, --visitor, --from, --until and --out or --card "
				   "(and --uses, --gate, --issued, --text)"));
	serr = snt_sign_key_load_private(o.key, &key);
	if (serr) {
		bureau_err(cur, _("cannot use the key %s: %s"), o.key,
			 serr == SNT_SIGN_ERR_OPEN ? strerror(errno) : snt_sign_strerror(serr));
		return EXIT_USAGE;
	}
	snt_clock_system(&clk);
	if (!strcmp(cmd, "policy"))
		status = policy_sign(&o, key);
	else
		status = credential(&o, key, strcmp(cmd, "badge") ? SNT_CREDENTIAL_PASS : SNT_CREDENTIAL_BADGE,
				    snt_clock_utc_ms(&clk));
	EVP_PKEY_free(key);
	return status;
}

int bureau_issue_main(int argc, char **argv, int *status)
{
	static const char *const names[] = { "policy", "badge", "pass", NULL };

	return bureau_dispatch(argc, argv, names, run, &cur, status);
}
