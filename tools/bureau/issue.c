// SPDX-License-Identifier: MIT
/*
 * sentinel-bureau policy sign / badge issue / pass issue (issue.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "card/card.h"
#include "clock/clock.h"
#include "common/i18n.h"
#include "codes/codes.h"
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
	const char *cmd;	/* the command word given (policy, badge, pass): its messages name it */
};

/* The rule-set JSON is read only by `policy sign`: its messages name that command. */
#define POLICY "policy"

/* Where the one-line summary goes: stderr when an output itself is standard output (--out -, --card -). */
static FILE *summary(const struct opts *o)
{
	return (o->out && !strcmp(o->out, "-")) || (o->card && !strcmp(o->card, "-")) ? stderr : stdout;
}

#define HINT _("Try 'sentinel-bureau --help'.\n")
#define usage_error(cmd, ...) bureau_usage_error(cmd, HINT, __VA_ARGS__)

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

/* ---- policy sign: rules.json -> rules.cose ---- */

static int json_err(const char *in, const char *field, const char *why)
{
	bureau_err(POLICY, _("%s: field '%s': %s"), in, field, why);
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

static int rules_from_json(const char *in, json_t *root, struct snt_rules *r)
{
	static const char *const known[] = {
		"type", "v", "home", "gates", "version", "mode", "fever_threshold_mdc", "colours", "formats", "max_visitors",
		"risk_regions", "staff", "max_test_age_days", "valid_from", "valid_until", "hard_limit_ms", "issued",
		"idcard_key", "min_age", "max_age",
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
		int k = json_is_string(v) ? snt_card_hex(json_string_value(v), r->idcard_key, SNT_RULES_IDCARD_KEY_MIN,
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
	/* The age rule (optional): whole years, each bound on its own. */
	for (int k = 0; k < 2; k++) {
		const char *name = k ? "max_age" : "min_age";

		if (!json_object_get(root, name))
			continue;
		if (json_uint(in, root, name, SNT_RULES_AGE_MAX, &u))
			return -1;
		*(k ? &r->max_age : &r->min_age) = (uint32_t)u;
		*(k ? &r->has_max_age : &r->has_min_age) = true;
	}
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

	/*
	 * A home's first rule set may come before any of its gates (enrol puts
	 * it in their packages): a new database is made, private (0600).
	 */
	if (!bureau_db_is_url(db_path) && snt_create_private(db_path) != 0)
		why[0] = '\0';
	err = bureau_db_open(db_path, &db, why, sizeof(why));
	if (err) {
		bureau_err(POLICY, "%s", why);
		return EXIT_USAGE;
	}
	snt_clock_system(&clk);
	err = bureau_db_rules_put(db, r->home, r->version, cose, len, snt_clock_utc_ms(&clk), &held, why,
				  sizeof(why));
	bureau_db_close(db);
	if (err == BUREAU_ERR_EXISTS) {
		bureau_err(POLICY, _("%s: not recorded"), why);
		return EXIT_FAIL;
	}
	if (err) {
		bureau_err(POLICY, "%s", why);
		return EXIT_USAGE;
	}
	fprintf(out, _("rule set version %llu recorded for home %s: %s\n"), (unsigned long long)r->version, r->home,
		db_path);
	return EXIT_OK;
}

/*
 * The rule set of the JSON file @in into @r and its encoded payload
 * (*@payload, *@plen: to free); the JSON document in *@root (to
 * json_decref(); NULL when it did not load).  Return: 0; -1 after saying
 * what is wrong (the line of a JSON error, or the field).
 */
static int rules_load(const char *in, struct snt_rules *r, json_t **root, uint8_t **payload, size_t *plen)
{
	enum snt_rules_err rerr;
	json_error_t jerr;
	char why[256];

	*root = json_load_file(in, JSON_REJECT_DUPLICATES, &jerr);
	if (!*root) {
		bureau_err(POLICY, "%s:%d: %s", in, jerr.line, jerr.text);
		return -1;
	}
	if (rules_from_json(in, *root, r))
		return -1;
	rerr = snt_rules_encode(r, payload, plen, why, sizeof(why));
	if (rerr) {
		bureau_err(POLICY, "%s: %s", in, rerr == SNT_RULES_ERR_INVAL && why[0] ? why : snt_rules_strerror(rerr));
		return -1;
	}
	return 0;
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
	json_t *root = NULL;
	int status = EXIT_FAIL;

	if (!r) {
		bureau_err(POLICY, _("out of memory"));
		return EXIT_USAGE;
	}
	if (rules_load(in, r, &root, &payload, &plen))
		goto out;
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
	json_t *root = NULL;
	int status = EXIT_FAIL;

	if (!r) {
		bureau_err(POLICY, _("out of memory"));
		return EXIT_USAGE;
	}
	if (rules_load(o->in, r, &root, &payload, &plen))
		goto out;
	if (snt_sign1_es256(key, payload, plen, &cose, &clen)) {
		bureau_err(POLICY, _("cannot sign with the key"));
		status = EXIT_USAGE;
		goto out;
	}
	if (snt_card_write_file(o->out, cose, clen)) {
		bureau_err(POLICY, _("cannot write %s: %s"), o->out, strerror(errno));
		status = EXIT_USAGE;
		goto out;
	}
	fprintf(summary(o), P_("rule set version %llu signed: %s (%zu byte)\n",
			       "rule set version %llu signed: %s (%zu bytes)\n", clen), (unsigned long long)r->version,
		strcmp(o->out, "-") ? o->out : _("standard output"), clen);
	status = o->db ? record_rules(o->db, r, cose, clen, summary(o)) : EXIT_OK;
out:
	json_decref(root);
	free(payload);
	free(cose);
	free(r);
	return status;
}

/* ---- badges and passes (card.h snt_card_issue(), shared with sentinelctl pass issue) ---- */

static int credential(const struct opts *o, EVP_PKEY *key, enum snt_credential_kind kind, int64_t now)
{
	struct snt_card_request r = {
		.kind = kind, .home = o->home, .n_gates = o->n_gates, .ref = o->ref, .id = o->id,
		.visitor = o->visitor, .from = o->from, .until = o->until, .uses = o->uses,
		.card_hash = o->card_hash, .issued = o->issued, .out = o->out, .card = o->card,
	};
	struct snt_credential c;
	enum snt_card_err cerr;
	char *text = NULL, why[512], line[1024];

	for (size_t i = 0; i < o->n_gates; i++)
		r.gates[i] = o->gates[i];
	cerr = snt_card_issue(&r, key, now, &c, &text, why, sizeof(why));
	if (cerr == SNT_CARD_ERR_USAGE)
		return usage_error(o->cmd, "%s", why);
	if (cerr) {
		bureau_err(o->cmd, "%s", why);
		return EXIT_USAGE;
	}
	if (o->text) {
		printf("%s\n", text);
	} else {
		snt_card_summary(&r, &c, text, line, sizeof(line));
		fputs(line, summary(o));
	}
	free(text);
	return EXIT_OK;
}

static int run(const char *word, int argc, char **argv)
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
	o.cmd = word;
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
				return usage_error(o.cmd, P_("--gate: at most %d gate", "--gate: at most %d gates",
						      SNT_CREDENTIAL_MAX_GATES), SNT_CREDENTIAL_MAX_GATES);
			o.gates[o.n_gates++] = optarg;
			break;
		case 't': o.text = true; break;
		case 'C': o.check = true; break;
		case 'h': o.help = true; break;
		default:
			return bureau_option_error(o.cmd, HINT, c, argv);
		}
	}
	if (o.help && argc - optind >= 1) {
		command_usage(argv[optind]);
		return EXIT_OK;
	}
	if (argc - optind != 2)
		return usage_error(o.cmd, _("usage: policy sign | badge issue | pass issue (see --help)"));
	cmd = argv[optind];
	sub = argv[optind + 1];
	o.cmd = cmd;
	if (strcmp(sub, !strcmp(cmd, "policy") ? "sign" : "issue"))
		return usage_error(o.cmd, _("unknown subcommand '%s'"), sub);
	if (o.check) {
		/* --db and --key, global options (a wrapper may always give them), are not used. */
		if (strcmp(cmd, "policy") || !o.in || o.out || o.card || o.ref || o.id || o.visitor || o.from ||
		    o.until || o.issued || o.text || o.home || o.n_gates || o.uses)
			return usage_error(o.cmd, _("policy sign --check takes --in only (no key is needed, nothing is written)"));
		return policy_check(o.in);
	}
	if (!o.key)
		return usage_error(o.cmd, _("--key PATH (the bureau's private key) is required"));
	if (!strcmp(cmd, "policy") ? !o.out || !*o.out : (!o.out || !*o.out) && (!o.card || !*o.card))
		return usage_error(o.cmd, "%s", !strcmp(cmd, "policy") ? _("--out is required (- for standard output)")
				   : _("--out, --card or both are required (- for standard output)"));
	if (o.out && o.card && !strcmp(o.out, "-") && !strcmp(o.card, "-"))
		return usage_error(o.cmd, _("--out - and --card - would both write to standard output"));
	if (o.text && ((o.out && !strcmp(o.out, "-")) || (o.card && !strcmp(o.card, "-"))))
		return usage_error(o.cmd, _("--text and %s - would both write to standard output"),
				   o.out && !strcmp(o.out, "-") ? "--out" : "--card");
	for (int i = 0; i < 2; i++) {
		const char *t = i ? o.card : o.out;

		/* lstat: a symbolic link (/dev/stdout) would be replaced by the rename, not written through. */
		if (t && strcmp(t, "-") && lstat(t, &sb) == 0 && !S_ISREG(sb.st_mode)) {
			bureau_err(o.cmd, _("cannot write %s: %s; give a regular file, or - for standard output"), t,
				   S_ISDIR(sb.st_mode) ? strerror(EISDIR) :
				   S_ISLNK(sb.st_mode) ? _("a symbolic link") : _("not a regular file"));
			return EXIT_USAGE;
		}
	}
	if (!strcmp(cmd, "policy") && (!o.in || o.ref || o.id || o.visitor || o.from || o.until || o.issued || o.text ||
				       o.home || o.n_gates || o.uses || o.card))
		return usage_error(o.cmd, _("policy sign takes --in and --out (the home and gates are in the JSON)"));
	if (strcmp(cmd, "pass") && o.card_hash)
		return usage_error(o.cmd, _("--card-hash is for pass issue only"));
	if (!strcmp(cmd, "badge") && (!o.ref || !o.home || o.in || o.id || o.visitor || o.from || o.until || o.uses))
		return usage_error(o.cmd, _("badge issue takes --home, --ref and --out or --card (and --gate, --issued, --text)"));
	if (!strcmp(cmd, "pass") && (!o.id || !o.home || !o.visitor || !o.from || !o.until || o.in || o.ref))
		return usage_error(o.cmd, _("pass issue takes --home, --id, --visitor, --from, --until and --out or --card "
				   "(and --uses, --gate, --issued, --text)"));
	serr = snt_sign_key_load_private(o.key, &key);
	if (serr) {
		bureau_err(o.cmd, _("cannot use the key %s: %s"), o.key,
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

	return bureau_dispatch(argc, argv, names, run, status);
}
