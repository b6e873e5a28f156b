// SPDX-License-Identifier: MIT
/*
 * sentinelctl verify [--trust PATH]... [--at RFC3339] [--json] ARG: verify
 * one signed health certificate offline (interfaces.md, "sentinelctl
 * verify").  ARG is @FILE, an image (.png/.jpg/.jpeg, scanned first) or the
 * payload itself.  Names are printed masked; nothing personal goes to stderr.
 * A staff badge or visit pass of the bureau ("SNB1:", rules.h) is named as
 * one and checked with the bureau's key (--bureau-key, or [sync] bureau_key
 * of --config), not taken for a health code.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "clock/clock.h"
#include "codes/verify.h"
#include "config/config.h"
#include "image/image.h"
#include "rules/rules.h"
#include "scan/scan.h"
#include "sign/sign.h"
#include "tools/common.h"
#include "common/i18n.h"
#include "trust/trust.h"

static const char *const cmd = "verify";

#define MAX_TRUST 64

struct config {
	int json;
	int help;
	int has_at;
	int64_t at_ms;
	const char *trust[MAX_TRUST];
	int ntrust;
	const char *bureau_key;	/* --bureau-key: the bureau's public key (badges, passes) */
	const char *config;	/* --config: its [sync] bureau_key */
	const char *arg;
};

static void usage(FILE *f)
{
	fprintf(f, _("Usage: sentinelctl verify [--trust PATH]... [--bureau-key PUB | --config FILE]\n"
		   "                          [--at RFC3339] [--json] ARG\n"
		   "Verify one health certificate, staff badge or visit pass offline.  ARG: @FILE\n"
		   "(the payload in a file), an image (.png, .jpg, .jpeg; scanned first; a badge's\n"
		   "or pass's printed card too), or the payload itself.\n\n"
		   "  -t, --trust PATH       certificate (DER/PEM), DCC trust list, DID document,\n"
		   "                         JWK set, or a directory of them; repeatable\n"
		   "  -k, --bureau-key PUB   the bureau's public key, for badges and passes\n"
		   "  -c, --config FILE      take the bureau's key from its [sync] bureau_key\n"
		   "  -a, --at TIME          verification time (RFC 3339); the clock then counts as given\n"
		   "  -j, --json             one JSON object\n"
		   "  -h, --help             show this help\n\n"
		   "Exit status: 0 valid, 1 invalid or unverified, 2 usage or I/O error.\n"));
}

static int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "trust", required_argument, NULL, 't' },
		{ "at", required_argument, NULL, 'a' },
		{ "bureau-key", required_argument, NULL, 'k' },
		CTL_OPT_CONFIG,
		{ "json", no_argument, NULL, 'j' },
		CTL_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	ctl_getopt_start(cfg, sizeof(*cfg));
	while ((c = getopt_long(argc, argv, "t:a:k:c:jh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (cfg->ntrust >= MAX_TRUST) {
				ctl_err(cmd, _("at most %d --trust options"), MAX_TRUST);
				return -1;
			}
			cfg->trust[cfg->ntrust++] = optarg;
			break;
		case 'a':
			if (snt_clock_parse_rfc3339(optarg, &cfg->at_ms)) {
				ctl_err(cmd, _("--at: not an RFC 3339 time: '%s'"), optarg);
				return -1;
			}
			cfg->has_at = 1;
			break;
		case 'k':
			cfg->bureau_key = optarg;
			break;
		case 'c':
			cfg->config = optarg;
			break;
		case 'j':
			cfg->json = 1;
			break;
		case 'h':
			cfg->help = 1;
			return 0;
		default:
			if (optopt == 't' || optopt == 'a' || optopt == 'k' || optopt == 'c')
				ctl_err(cmd, _("option '%s' needs an argument"), argv[optind - 1]);
			else if (!strncmp(argv[optind - 1], "--", 2) || !optopt)
				ctl_err(cmd, _("unknown option '%s'"), argv[optind - 1]);
			else
				ctl_err(cmd, _("unknown option '-%c'"), optopt);
			return -1;
		}
	}
	if (cfg->bureau_key && cfg->config) {
		ctl_err(cmd, _("give --bureau-key or --config, not both"));
		return -1;
	}
	if (optind >= argc) {
		ctl_err(cmd, _("no payload, @FILE or image given"));
		return -1;
	}
	if (optind + 1 < argc) {
		ctl_err(cmd, _("one argument only"));
		return -1;
	}
	cfg->arg = argv[optind];
	return 0;
}

static int is_image(const char *arg)
{
	static const char *const ext[] = { ".png", ".jpg", ".jpeg" };
	size_t n = strlen(arg);

	for (size_t i = 0; i < SNT_ARRAY_SIZE(ext); i++) {
		size_t e = strlen(ext[i]);

		if (n > e && !strcasecmp(arg + n - e, ext[i]))
			return 1;
	}
	return 0;
}

/* @FILE: the payload, trailing newline (LF or CRLF) removed. */
static int read_payload(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
	FILE *f;
	int err = snt_fopen_regular(path, &f);

	if (err) {
		ctl_err(cmd, "%s: %s", path, snt_open_strerror(err));
		return -1;
	}
	*len = fread(buf, 1, cap, f);
	if (ferror(f)) {
		ctl_err(cmd, "%s: %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	if (*len == cap && fgetc(f) != EOF) {
		ctl_err(cmd, P_("%s: longer than %zu byte: no QR code holds that",
				"%s: longer than %zu bytes: no QR code holds that", cap - 1), path, cap - 1);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (*len && buf[*len - 1] == '\n')
		(*len)--;
	if (*len && buf[*len - 1] == '\r')
		(*len)--;
	return 0;
}

/* Scan an image: 0 with a code, 1 without one, -1 on an I/O or decode error. */
static int scan_image(const char *path, uint8_t *buf, size_t cap, size_t *len, enum snt_colour *colour)
{
	const struct snt_scan_result *r;
	struct snt_scanner *s = NULL;
	enum snt_image_err ierr;
	struct snt_image img;
	struct snt_frame fr;
	int rc = -1;

	ierr = snt_image_load(path, &img);
	if (ierr) {
		ctl_err(cmd, "%s: %s", path, snt_image_strerror(ierr));
		return -1;
	}
	if (snt_scanner_new(&s) != SNT_SCAN_OK) {
		ctl_err(cmd, _("cannot make a scanner"));
		snt_image_release(&img);
		return -1;
	}
	fr.fmt = SNT_PIXFMT_RGB24;
	fr.width = img.width;
	fr.height = img.height;
	fr.stride = img.stride;
	fr.data = img.rgb;
	if (snt_scanner_scan(s, &fr, &r) != SNT_SCAN_OK) {
		ctl_err(cmd, _("%s: cannot scan"), path);
	} else if (r->n == 0) {
		rc = 1;
	} else {
		*len = r->codes[0].len < cap ? r->codes[0].len : cap;
		memcpy(buf, r->codes[0].bytes, *len);
		*colour = r->codes[0].colour;
		rc = 0;
	}
	snt_scanner_free(s);
	snt_image_release(&img);
	return rc;
}

static void set_time(json_t *o, const char *key, int has, int64_t ms)
{
	char buf[32];

	if (has && !snt_clock_format_rfc3339(ms, buf, sizeof(buf)))
		json_object_set_new(o, key, json_string(buf));
}

static json_t *result_json(const struct snt_verify_info *v, int scanned, enum snt_colour colour)
{
	json_t *o = json_object();
	char masked[64];

	if (!o)
		return NULL;
	if (v->stage != SNT_VERIFY_SCAN)
		json_object_set_new(o, "format", json_string(snt_code_format_name(v->format)));
	json_object_set_new(o, "result", json_string(snt_verify_result_name(v->result)));
	json_object_set_new(o, "stage", v->stage == SNT_VERIFY_OK ? json_null() : json_string(snt_verify_stage_name(v->stage)));
	json_object_set_new(o, "clock", json_string(snt_verify_clock_name(v->clock)));
	if (v->kid_len) {
		char b64[4 * ((sizeof(v->kid) + 2) / 3) + 1];

		EVP_EncodeBlock((unsigned char *)b64, v->kid, (int)v->kid_len);
		json_object_set_new(o, "kid", json_string(b64));
	}
	if (v->issuer[0])
		json_object_set_new(o, "issuer", json_string(v->issuer));
	set_time(o, "issued", v->has_issued, v->issued_ms);
	set_time(o, "expires", v->has_expires, v->expires_ms);
	if (v->has_subject) {
		snt_verify_mask_name(&v->subject, masked, sizeof(masked));
		if (masked[0])
			json_object_set_new(o, "subject", json_string(masked));
	}
	if (scanned)
		json_object_set_new(o, "colour", json_string(snt_colour_name(colour)));
	if (v->region[0])
		json_object_set_new(o, "region", json_string(v->region));
	return o;
}

/*
 * The bureau's public key for a badge or pass: --bureau-key, or [sync]
 * bureau_key of --config.  Return: 0 with *@key (NULL when neither is
 * given); -1 after saying why (a key or configuration that cannot be read).
 */
static int load_bureau_key(const struct config *cfg, EVP_PKEY **key)
{
	struct snt_config *sc = NULL;
	enum snt_sign_err serr;
	const char *path = cfg->bureau_key;
	int rc = -1;

	*key = NULL;
	if (cfg->config) {
		sc = calloc(1, sizeof(*sc));
		if (!sc) {
			ctl_err(cmd, _("out of memory"));
			return -1;
		}
		if (ctl_config_load(cmd, cfg->config, sc))
			goto out;
		if (!sc->sync_bureau_key[0]) {
			ctl_err(cmd, _("%s: no [sync] bureau_key to check a badge or pass with"), cfg->config);
			goto out;
		}
		path = sc->sync_bureau_key;
	}
	rc = 0;
	if (!path)
		goto out;
	serr = snt_sign_key_load_public(path, key);
	if (serr) {
		ctl_err(cmd, "%s%s: %s", cfg->config ? _("[sync] bureau_key ") : "--bureau-key ", path,
			snt_sign_strerror(serr));
		rc = -1;
	}
out:
	free(sc);
	return rc;
}

/*
 * A staff badge or visit pass: format "badge" or "pass" ("credential"
 * while it is not checked: no key), checked with @key at @now; a pass
 * outside its window is expired or not yet valid, and on a clock that is
 * not trusted a pass is never "valid" (as a certificate).  Sets *@valid.
 */
static json_t *credential_json(const uint8_t *payload, size_t len, EVP_PKEY *key, int64_t now,
			       enum snt_verify_clock vclock, int scanned, enum snt_colour colour, int *valid)
{
	struct snt_credential c;
	enum snt_rules_err rerr = SNT_RULES_ERR_INVAL;
	const char *stage = NULL, *result = "valid";
	char why[160] = "";
	json_t *o = json_object(), *gates;

	*valid = 0;
	if (!o)
		return NULL;
	memset(&c, 0, sizeof(c));
	if (key)
		rerr = snt_credential_open(payload, len, key, &c, why, sizeof(why));
	if (!key) {
		result = "unverified";
		stage = "trust";
	} else if (rerr == SNT_RULES_ERR_NOMEM) {
		json_decref(o);
		return NULL;
	} else if (rerr == SNT_RULES_ERR_SIGNATURE) {
		result = "invalid";
		stage = "signature";
	} else if (rerr) {
		result = "invalid";
		stage = "payload";
	} else if (c.kind == SNT_CREDENTIAL_PASS && (now >= c.until_ms || now < c.from_ms)) {
		/* Its window judged by a clock that is not trusted proves nothing. */
		result = vclock == SNT_VCLOCK_UNTRUSTED ? "unverified" : "invalid";
		stage = now >= c.until_ms ? "expired" : "not-yet-valid";
	} else if (c.kind == SNT_CREDENTIAL_PASS && vclock == SNT_VCLOCK_UNTRUSTED) {
		result = "unverified";
	}
	json_object_set_new(o, "format", json_string(rerr ? "credential"
						     : c.kind == SNT_CREDENTIAL_PASS ? "pass" : "badge"));
	json_object_set_new(o, "result", json_string(result));
	json_object_set_new(o, "stage", stage ? json_string(stage) : json_null());
	json_object_set_new(o, "clock", json_string(snt_verify_clock_name(vclock)));
	if (!rerr) {
		json_object_set_new(o, "home", json_string(c.home));
		if (c.n_gates && (gates = json_array())) {
			for (size_t i = 0; i < c.n_gates; i++)
				json_array_append_new(gates, json_string(c.gates[i]));
			json_object_set_new(o, "gates", gates);
		}
		set_time(o, "issued", 1, c.issued_ms);
		if (c.kind == SNT_CREDENTIAL_BADGE) {
			json_object_set_new(o, "ref", json_string(c.ref));
		} else {
			json_object_set_new(o, "id", json_string(c.id));
			set_time(o, "valid_from", 1, c.from_ms);
			set_time(o, "expires", 1, c.until_ms);
			json_object_set_new(o, "uses", json_integer(c.uses));
			json_object_set_new(o, "subject", json_string(c.visitor));
		}
	}
	if (scanned)
		json_object_set_new(o, "colour", json_string(snt_colour_name(colour)));
	*valid = !strcmp(result, "valid");
	return o;
}

int cmd_verify(int argc, char **argv)
{
	static uint8_t payload[SNT_VERIFY_MAX_PAYLOAD + 1];
	enum snt_colour colour = SNT_COLOUR_UNKNOWN;
	struct snt_trust *trust = NULL;
	struct snt_verify_info info;
	enum snt_verify_clock vclock;
	struct config cfg;
	struct snt_clock clk;
	int64_t now;
	size_t len = 0;
	int scanned = 0, valid = 0, rc = SNT_EXIT_USAGE;
	EVP_PKEY *bureau = NULL;
	json_t *o;
	char *text = NULL;

	if (parse_config(argc, argv, &cfg))
		return ctl_usage_hint(cmd);
	if (cfg.help) {
		usage(stdout);
		return SNT_EXIT_OK;
	}
	if (snt_trust_new(&trust) != SNT_TRUST_OK) {
		ctl_err(cmd, _("out of memory"));
		return SNT_EXIT_USAGE;
	}
	for (int i = 0; i < cfg.ntrust; i++) {
		enum snt_trust_err terr = snt_trust_load(trust, cfg.trust[i]);

		if (terr) {
			ctl_err(cmd, "--trust %s: %s%s%s", cfg.trust[i], snt_trust_strerror(terr),
				terr == SNT_TRUST_ERR_IO ? ": " : "", terr == SNT_TRUST_ERR_IO ? strerror(errno) : "");
			goto out;
		}
	}
	if (cfg.arg[0] == '@') {
		if (read_payload(cfg.arg + 1, payload, sizeof(payload), &len))
			goto out;
	} else if (is_image(cfg.arg)) {
		int s = scan_image(cfg.arg, payload, sizeof(payload), &len, &colour);

		if (s < 0)
			goto out;
		scanned = s == 0;
		if (s == 1)
			len = 0;
	} else {
		len = strlen(cfg.arg);
		if (len > SNT_VERIFY_MAX_PAYLOAD) {
			ctl_err(cmd, P_("payload longer than %d byte: no QR code holds that",
				       "payload longer than %d bytes: no QR code holds that", SNT_VERIFY_MAX_PAYLOAD),
				SNT_VERIFY_MAX_PAYLOAD);
			goto out;
		}
		memcpy(payload, cfg.arg, len);
	}

	if (cfg.has_at) {
		now = cfg.at_ms;
		vclock = SNT_VCLOCK_GIVEN;
	} else {
		snt_clock_system(&clk);
		now = snt_clock_utc_ms(&clk);
		vclock = snt_clock_judge(snt_clock_state_get(&clk), now, 0) == SNT_CLOCK_TRUSTED ? SNT_VCLOCK_TRUSTED
												 : SNT_VCLOCK_UNTRUSTED;
	}
	if (is_image(cfg.arg) && !scanned) {
		memset(&info, 0, sizeof(info));
		info.result = SNT_RESULT_INVALID;
		info.stage = SNT_VERIFY_SCAN;
		info.clock = vclock;
		o = result_json(&info, scanned, colour);
		valid = 0;
	} else if (snt_credential_is(payload, len)) {
		if (load_bureau_key(&cfg, &bureau))
			goto out;
		o = credential_json(payload, len, bureau, now, vclock, scanned, colour, &valid);
	} else if (snt_verify_payload(payload, len, trust, now, vclock, &info) == SNT_VERIFY_NOMEM) {
		ctl_err(cmd, _("out of memory"));
		goto out;
	} else {
		o = result_json(&info, scanned, colour);
		valid = info.result == SNT_RESULT_VALID;
	}
	if (!o) {
		ctl_err(cmd, _("out of memory"));
		goto out;
	}
	if (cfg.json) {
		text = json_dumps(o, JSON_PRESERVE_ORDER);
		if (text)
			printf("%s\n", text);
		free(text);
	} else {
		/* One line of key=value; values are masked or issuer data, never raw names. */
		const char *key;
		json_t *val;
		int first = 1;

		/* Issuer data is signed, not safe: controls escaped (snt_escape()). */
		json_object_foreach(o, key, val) {
			char *e = json_is_string(val) ? snt_escape_dup(json_string_value(val), SNT_ESCAPE_C) : NULL;

			printf("%s%s=", first ? "" : " ", key);
			if (json_is_integer(val)) {
				printf("%lld", (long long)json_integer_value(val));
			} else if (json_is_array(val)) {
				size_t i;
				json_t *item;

				json_array_foreach(val, i, item) {
					char *ie = snt_escape_dup(json_string_value(item) ? json_string_value(item) : "-",
								  SNT_ESCAPE_C);

					printf("%s%s", i ? "," : "", ie ? ie : "-");
					free(ie);
				}
			} else {
				printf("%s", e ? e : "-");
			}
			free(e);
			first = 0;
		}
		printf("\n");
	}
	json_decref(o);
	rc = valid ? SNT_EXIT_OK : SNT_EXIT_FAIL;
out:
	EVP_PKEY_free(bureau);
	snt_trust_free(trust);
	return rc;
}
