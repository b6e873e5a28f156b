// SPDX-License-Identifier: MIT
/*
 * Conformance runner: every vector through snt_verify_payload_as() with the
 * case's own trust store and clock.  See runner.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "codes/verify.h"
#include "common/common.h"
#include "image/image.h"
#include "scan/scan.h"
#include "tests/conformance/runner.h"
#include "trust/trust.h"

#define MAX_CASES 2048
#define MAX_VECTOR_FILE (1 << 20)	/* a vector's text file, in bytes */

struct known_issue {
	char country[8];
	char set[64];
};

static struct known_issue issues[128];
static size_t n_issues;

static void collect(const char *dir, char **paths, size_t *n)
{
	struct dirent **names;
	int k = scandir(dir, &names, NULL, alphasort);

	if (k < 0)
		return;
	for (int i = 0; i < k; i++) {
		char p[4096];
		struct stat sb;
		size_t l = strlen(names[i]->d_name);

		if (names[i]->d_name[0] != '.' &&
		    (size_t)snprintf(p, sizeof(p), "%s/%s", dir, names[i]->d_name) < sizeof(p) && !stat(p, &sb)) {
			if (S_ISDIR(sb.st_mode))
				collect(p, paths, n);
			else if (l > 5 && !strcmp(names[i]->d_name + l - 5, ".json") && strcasestr(p, "/2DCode/raw/") &&
				 *n < MAX_CASES)
				paths[(*n)++] = strdup(p);
		}
		free(names[i]);
	}
	free(names);
}

/* tests/known_issues.csv rows for the verification, expiration and key-usage checks. */
static void load_issues(const char *root)
{
	char path[4096], line[512];
	FILE *f;

	n_issues = 0;
	snprintf(path, sizeof(path), "%s/dcc/tests/known_issues.csv", root);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && n_issues < SNT_ARRAY_SIZE(issues)) {
		char *test = strtok(line, ","), *country, *set;

		if (!test || (strcmp(test, "test_verification_check") && strcmp(test, "test_expiration_check") &&
			      strcmp(test, "test_expected_key_usage")))
			continue;
		country = strtok(NULL, ",");
		/* An empty test_set is the whole country: strtok would skip it. */
		set = country ? country + strlen(country) + 1 : NULL;
		if (!country || !set)
			continue;
		snt_strlcpy(issues[n_issues].country, country, sizeof(issues[n_issues].country));
		if (*set == ',')
			issues[n_issues].set[0] = '\0';
		else
			snt_strlcpy(issues[n_issues].set, strtok(set, ","), sizeof(issues[n_issues].set));
		n_issues++;
	}
	fclose(f);
}

static int excluded(const char *country, const char *set)
{
	for (size_t i = 0; i < n_issues; i++)
		if (!strcmp(issues[i].country, country) && (!issues[i].set[0] || !strcmp(issues[i].set, set)))
			return 1;
	return 0;
}

/* VALIDATIONCLOCK: RFC 3339 with or without a zone (then UTC), fractions kept to the ms. */
static int parse_clock(const char *s, int64_t *ms)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, n = 0, frac_ms = 0, sign = 0, zh = 0, zm = 0;
	const char *p;

	if (sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
		return -1;
	p = s + n;
	if (*p == '.') {
		int scale = 100;

		for (p++; isdigit((unsigned char)*p); p++, scale /= 10)
			frac_ms += (*p - '0') * scale;
	}
	if (*p == '+' || *p == '-') {
		/* +HH:MM, and +HHMM as some vectors write it. */
		sign = *p == '+' ? 1 : -1;
		if (sscanf(p + 1, "%2d:%2d", &zh, &zm) != 2 && sscanf(p + 1, "%2d%2d", &zh, &zm) != 2)
			return -1;
	}
	tm = (struct tm){ .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi,
			  .tm_sec = sec };
	*ms = ((int64_t)timegm(&tm) - sign * (zh * 3600 + zm * 60)) * 1000 + frac_ms;
	return 0;
}

static int b64(const char *in, uint8_t **out, size_t *len)
{
	size_t n = strlen(in), m = 0;
	char *s = malloc(n + 1);
	int r;

	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)in[i]))
			s[m++] = in[i];
	s[m] = '\0';
	*out = malloc(m / 4 * 3 + 3);
	if (!*out || m % 4) {
		free(s);
		free(*out);
		*out = NULL;
		return -1;
	}
	r = EVP_DecodeBlock(*out, (const unsigned char *)s, (int)m);
	if (r < 0) {
		free(s);
		free(*out);
		*out = NULL;
		return -1;
	}
	*len = (size_t)r;
	if (m >= 1 && s[m - 1] == '=')
		(*len)--;
	if (m >= 2 && s[m - 2] == '=')
		(*len)--;
	free(s);
	return 0;
}

static const char *const dcc_flags[] = {
	"EXPECTEDUNPREFIX", "EXPECTEDB45DECODE", "EXPECTEDCOMPRESSION", "EXPECTEDDECODE",
	"EXPECTEDVERIFY", "EXPECTEDEXPIRATIONCHECK", "EXPECTEDKEYUSAGE", "EXPECTEDVALIDOBJECT",
};

static int picture_exact(struct snt_scanner *sc, const char *png_b64, const char *prefix)
{
	const struct snt_scan_result *r;
	struct snt_image img;
	struct snt_frame fr;
	uint8_t *png;
	size_t len;
	int ok = 0;

	if (b64(png_b64, &png, &len))
		return 0;
	if (snt_image_load_mem(png, len, &img) == SNT_IMAGE_OK) {
		fr.fmt = SNT_PIXFMT_RGB24;
		fr.width = img.width;
		fr.height = img.height;
		fr.stride = img.stride;
		fr.data = img.rgb;
		if (snt_scanner_scan(sc, &fr, &r) == SNT_SCAN_OK && r->n >= 1 && r->codes[0].len == strlen(prefix) &&
		    !memcmp(r->codes[0].bytes, prefix, r->codes[0].len))
			ok = 1;
		snt_image_release(&img);
	}
	free(png);
	return ok;
}

int conf_dcc(const char *root, FILE *out, struct conf_figures *f)
{
	char dir[4096], *paths[MAX_CASES];
	struct snt_scanner *sc = NULL;
	size_t n = 0;

	memset(f, 0, sizeof(*f));
	snprintf(dir, sizeof(dir), "%s/dcc", root);
	collect(dir, paths, &n);
	if (n == 0)
		return -1;
	load_issues(root);
	if (snt_scanner_new(&sc) != SNT_SCAN_OK)
		sc = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *rel = paths[i] + strlen(dir) + 1;
		char country[8] = "", set[64];
		const char *slash = strchr(rel, '/'), *base = strrchr(rel, '/') + 1;
		json_t *doc = json_load_file(paths[i], 0, NULL), *ctx, *exp;
		const char *prefix, *cert, *clock, *pic;
		struct snt_trust *trust = NULL;
		struct snt_verify_info info;
		enum snt_verify_stage st;
		int expect_valid = 1, got_valid;
		int64_t now = 0;

		snprintf(country, sizeof(country), "%.*s", (int)(slash - rel), rel);
		snprintf(set, sizeof(set), "%.*s", (int)(strlen(base) - 5), base);
		ctx = json_object_get(doc, "TESTCTX");
		exp = json_object_get(doc, "EXPECTEDRESULTS");
		prefix = json_string_value(json_object_get(doc, "PREFIX"));
		if (!doc || !prefix || !json_is_object(exp)) {
			json_decref(doc);
			free(paths[i]);
			continue;
		}
		if (excluded(country, set)) {
			f->excluded++;
			json_decref(doc);
			free(paths[i]);
			continue;
		}
		for (size_t k = 0; k < SNT_ARRAY_SIZE(dcc_flags); k++)
			if (json_is_false(json_object_get(exp, dcc_flags[k])))
				expect_valid = 0;
		if (snt_trust_new(&trust) == SNT_TRUST_OK) {
			cert = json_string_value(json_object_get(ctx, "CERTIFICATE"));
			if (cert) {
				uint8_t *der;
				size_t dl;

				/* A bad certificate leaves the store empty: the case then fails at `trust`. */
				if (!b64(cert, &der, &dl)) {
					if (snt_trust_add_der(trust, der, dl) != SNT_TRUST_OK)
						fprintf(out, "dcc note: %s: CERTIFICATE does not parse\n", rel);
					free(der);
				}
			}
		}
		clock = json_string_value(json_object_get(ctx, "VALIDATIONCLOCK"));
		if (!clock || parse_clock(clock, &now))
			now = (int64_t)time(NULL) * 1000;
		st = snt_verify_payload_as(SNT_FORMAT_HCERT, (const uint8_t *)prefix, strlen(prefix), trust, now,
					   SNT_VCLOCK_GIVEN, &info);
		got_valid = info.result == SNT_RESULT_VALID;
		/*
		 * A missing flag is not checked: a case whose only failure is a
		 * step it does not test (dates without EXPECTEDEXPIRATIONCHECK,
		 * key usage without EXPECTEDKEYUSAGE) counts as passing it.
		 */
		if (!got_valid && expect_valid &&
		    (((st == SNT_VERIFY_EXPIRED || st == SNT_VERIFY_NOT_YET_VALID) &&
		      !json_object_get(exp, "EXPECTEDEXPIRATIONCHECK")) ||
		     (st == SNT_VERIFY_KEY_USAGE && !json_object_get(exp, "EXPECTEDKEYUSAGE")))) {
			got_valid = 1;
			f->unchecked++;
		}
		f->cases++;
		if (got_valid == expect_valid) {
			if (expect_valid)
				f->valid_ok++;
			else
				f->invalid_ok++;
		} else {
			f->wrong++;
			fprintf(out, "dcc wrong: %s expected %s got %s stage %s\n", rel, expect_valid ? "valid" : "invalid",
				snt_verify_result_name(info.result), st ? snt_verify_stage_name(st) : "-");
		}
		pic = json_string_value(json_object_get(doc, "2DCODE"));
		if (sc && pic && json_is_true(json_object_get(exp, "EXPECTEDPICTUREDECODE"))) {
			f->pictures++;
			if (picture_exact(sc, pic, prefix))
				f->pictures_exact++;
			else
				fprintf(out, "dcc picture wrong: %s\n", rel);
		}
		snt_trust_free(trust);
		json_decref(doc);
		free(paths[i]);
	}
	snt_scanner_free(sc);
	fprintf(out,
		"dcc cases=%u valid_ok=%u invalid_ok=%u wrong=%u excluded=%u unchecked=%u pictures=%u pictures_exact=%u\n",
		f->cases, f->valid_ok, f->invalid_ok, f->wrong, f->excluded, f->unchecked, f->pictures,
		f->pictures_exact);
	return 0;
}

static char *read_text(const char *path, size_t *len)
{
	uint8_t *buf;

	if (snt_read_file(path, MAX_VECTOR_FILE, &buf, len))
		return NULL;
	while (*len && (buf[*len - 1] == '\n' || buf[*len - 1] == '\r'))
		buf[--(*len)] = '\0';
	return (char *)buf;
}

/* The payload of the first QR code in a PNG file (for vectors shipped only as images). */
static char *scan_png(const char *path, size_t *len)
{
	const struct snt_scan_result *r;
	struct snt_scanner *sc = NULL;
	struct snt_image img;
	struct snt_frame fr;
	char *text = NULL;

	/* snt_image_load() reads PNG and JPEG alike. */
	if (snt_image_load(path, &img) != SNT_IMAGE_OK)
		return NULL;
	if (snt_scanner_new(&sc) == SNT_SCAN_OK) {
		fr.fmt = SNT_PIXFMT_RGB24;
		fr.width = img.width;
		fr.height = img.height;
		fr.stride = img.stride;
		fr.data = img.rgb;
		if (snt_scanner_scan(sc, &fr, &r) == SNT_SCAN_OK && r->n >= 1 && (text = malloc(r->codes[0].len + 1))) {
			memcpy(text, r->codes[0].bytes, r->codes[0].len);
			text[r->codes[0].len] = '\0';
			*len = r->codes[0].len;
		}
		snt_scanner_free(sc);
	}
	snt_image_release(&img);
	return text;
}

struct vector {
	const char *file;		/* relative to the folder */
	enum snt_verify_stage stage;	/* expected: SNT_VERIFY_OK = valid */
	const char *note;		/* an exception: why the gate accepts what the name calls broken */
};

/* A compact JWS as the SHC numeric QR payload; characters numeric mode cannot carry become "99". */
static char *shc_numeric(const char *jws, size_t *len)
{
	size_t n = strlen(jws);
	char *out = malloc(5 + 2 * n + 1);

	if (!out)
		return NULL;
	memcpy(out, "shc:/", 5);
	for (size_t i = 0; i < n; i++) {
		int v = (unsigned char)jws[i] - 45;

		if (v < 0 || v > 77)
			v = 99;
		out[5 + 2 * i] = (char)('0' + v / 10);
		out[6 + 2 * i] = (char)('0' + v % 10);
	}
	*len = 5 + 2 * n;
	out[*len] = '\0';
	return out;
}

/* The first JWS of a .smart-health-card file ({"verifiableCredential": [JWS...]}). */
static char *shc_file(const char *path, size_t *len)
{
	json_t *doc = json_load_file(path, 0, NULL);
	const char *jws = json_string_value(json_array_get(json_object_get(doc, "verifiableCredential"), 0));
	char *out = jws ? shc_numeric(jws, len) : NULL;

	json_decref(doc);
	return out;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static void run_vectors(const char *name, const char *dir, const struct vector *v, size_t nv,
			const struct snt_trust *trust, enum snt_code_format fmt, int64_t now, FILE *out,
			struct conf_figures *f)
{
	for (size_t i = 0; i < nv; i++) {
		char path[8192];
		struct snt_verify_info info;
		enum snt_verify_stage st;
		size_t len;
		char *text;

		snprintf(path, sizeof(path), "%s/%s", dir, v[i].file);
		if (ends_with(path, ".png") || ends_with(path, ".jpg")) {
			text = scan_png(path, &len);
		} else if (ends_with(path, ".smart-health-card")) {
			text = shc_file(path, &len);
		} else {
			text = read_text(path, &len);
			if (text && strstr(v[i].file, "-d-jws-")) {
				/* A bare JWS: what a QR code of it would carry. */
				char *num = shc_numeric(text, &len);

				free(text);
				text = num;
			}
		}
		if (!text && v[i].stage == SNT_VERIFY_SCAN) {
			f->invalid_ok++;
			continue;
		}
		f->cases++;
		if (!text) {
			f->wrong++;
			fprintf(out, "%s wrong: %s missing\n", name, v[i].file);
			continue;
		}
		st = snt_verify_payload_as(fmt, (const uint8_t *)text, len, trust, now, SNT_VCLOCK_GIVEN, &info);
		free(text);
		if (st == v[i].stage && (st != SNT_VERIFY_OK || info.result == SNT_RESULT_VALID)) {
			if (v[i].note) {
				f->excluded++;
				fprintf(out, "%s exception: %s: %s\n", name, v[i].file, v[i].note);
			}
			if (st == SNT_VERIFY_OK)
				f->valid_ok++;
			else
				f->invalid_ok++;
		} else {
			f->wrong++;
			fprintf(out, "%s wrong: %s expected %s got %s stage %s\n", name, v[i].file,
				v[i].stage ? snt_verify_stage_name(v[i].stage) : "valid",
				snt_verify_result_name(info.result), st ? snt_verify_stage_name(st) : "-");
		}
	}
}

/*
 * NZCP examples, pinned to 2021-11-03T00:00:00Z: the valid example holds
 * from 2021-11-02T20:05:30Z to 2031, the expired one ended 2021-10-26, the
 * not-yet-active one starts 2026-11-02 (so an unpinned run would flip it
 * soon).  The revoked key's issuer (did:web:mattrglobal...) is not in the
 * trusted DID document: NZCP revokes a key by removing it from the
 * issuer's DID document, so it fails at `trust`.  The revoked example
 * exists only as a PNG and is scanned first.
 */
int conf_nzcp(const char *root, FILE *out, struct conf_figures *f)
{
	static const struct vector vectors[] = {
		{ "valid/nzcp.txt", SNT_VERIFY_OK, NULL },
		{ "invalid/nzcp-bad-public-key.txt", SNT_VERIFY_SIGNATURE, NULL },
		{ "invalid/nzcp-not-associated-public-key.txt", SNT_VERIFY_TRUST, NULL },
		{ "invalid/nzcp-revoked-public-key.png", SNT_VERIFY_TRUST, NULL },
		{ "invalid/nzcp-modified-payload.txt", SNT_VERIFY_SIGNATURE, NULL },
		{ "invalid/nzcp-modified-sig.txt", SNT_VERIFY_SIGNATURE, NULL },
		{ "invalid/nzcp-expired-payload.txt", SNT_VERIFY_EXPIRED, NULL },
		{ "invalid/nzcp-notactive-payload.txt", SNT_VERIFY_NOT_YET_VALID, NULL },
	};
	char dir[4096], did[8192];
	struct snt_trust *trust = NULL;
	int64_t now = 1635897600000LL; /* 2021-11-03T00:00:00Z */

	memset(f, 0, sizeof(*f));
	snprintf(dir, sizeof(dir), "%s/nzcp/spec/examples", root);
	snprintf(did, sizeof(did), "%s/valid/did.json", dir);
	if (snt_trust_new(&trust) || snt_trust_load(trust, did)) {
		snt_trust_free(trust);
		return -1;
	}
	run_vectors("nzcp", dir, vectors, SNT_ARRAY_SIZE(vectors), trust, SNT_FORMAT_NZCP, now, out, f);
	snt_trust_free(trust);
	fprintf(out, "nzcp cases=%u valid_ok=%u invalid_ok=%u wrong=%u\n", f->cases, f->valid_ok, f->invalid_ok,
		f->wrong);
	return 0;
}

/*
 * SMART Health Cards (health-cards-dev-tools testdata), verified with the
 * specification's example issuer key set (tests/fixtures/shc/, public key
 * only), pinned to 2023-01-01T00:00:00Z.  Bare JWS files are turned into
 * the numeric QR payload; .smart-health-card files give their first JWS;
 * images are scanned.  Each broken file fails at the stage its name gives;
 * the exceptions say why the gate cannot see the fault offline.
 */
int conf_shc(const char *root, const char *jwks, FILE *out, struct conf_figures *f)
{
#define D "test-example-00-d-jws-"
#define F "test-example-00-f-qr-code-numeric-value-"
#define E "test-example-00-e-file-"
#define G "test-example-00-g-qr-code-"
	static const struct vector vectors[] = {
		{ "test-example-1195-byte-qrnumeric.txt", SNT_VERIFY_OK, NULL },
		{ G "0-scaled-23.jpg", SNT_VERIFY_OK, NULL },
		{ G "0-scaled-85.jpg", SNT_VERIFY_OK, NULL },
		{ G "0-single_qr_segment.png", SNT_VERIFY_OK, NULL },
		{ G "inflated-to-v22.png", SNT_VERIFY_OK, NULL },
		{ E "multi-jws.smart-health-card", SNT_VERIFY_OK, NULL },
		{ D "der-signature.txt", SNT_VERIFY_SIGNATURE, NULL },
		{ D "der-signature-r-neg.txt", SNT_VERIFY_SIGNATURE, NULL },
		{ D "der-signature-s-neg.txt", SNT_VERIFY_SIGNATURE, NULL },
		{ D "der-signature-rs-neg.txt", SNT_VERIFY_SIGNATURE, NULL },
		{ D "invalid-signature.txt", SNT_VERIFY_SIGNATURE, NULL },
		{ D "issuer-kid-mismatch.txt", SNT_VERIFY_TRUST, NULL },
		{ D "wrong_jws_header_kid.txt", SNT_VERIFY_TRUST, NULL },
		{ D "jws_too_long.txt", SNT_VERIFY_JWS, NULL },
		{ D "no_deflate.txt", SNT_VERIFY_DEFLATE, NULL },
		{ D "no_jws_header_alg.txt", SNT_VERIFY_JWS, NULL },
		{ D "no_jws_header_kid.txt", SNT_VERIFY_KID, NULL },
		{ D "no_jws_header_zip.txt", SNT_VERIFY_JWS, NULL },
		{ D "utf8_bom_prefix.txt", SNT_VERIFY_PAYLOAD, NULL },
		/* Leading whitespace: numeric mode cannot carry it. */
		{ D "trailing_chars.txt", SNT_VERIFY_NUMERIC, NULL },
		{ D "bad-fhir-metadata.txt", SNT_VERIFY_OK,
		  "FHIR meta.security is not checked: the gate reads the name and birth date only" },
		{ D "issuer-not-valid-with-smart-key.txt", SNT_VERIFY_OK,
		  "binding iss to the key set published at iss needs that URL; a local JWK set names no issuer" },
		{ F "0-index-out-of-range.txt", SNT_VERIFY_NUMERIC, NULL },
		{ F "0-number-too-big.txt", SNT_VERIFY_NUMERIC, NULL },
		{ F "0-odd-count.txt", SNT_VERIFY_NUMERIC, NULL },
		{ F "0-wrong-multi-chunk.txt", SNT_VERIFY_NUMERIC, NULL },
		{ F "0-qr_chunk_too_small.txt", SNT_VERIFY_NUMERIC, NULL },
		{ F "1-qr_chunk_too_small.txt", SNT_VERIFY_NUMERIC, NULL },
		{ F "16-qr_chunk_too_small.txt", SNT_VERIFY_NUMERIC, NULL },
		{ "test-example-02-f-qr-code-numeric-value-0-qr_chunk_too_big.txt", SNT_VERIFY_NUMERIC, NULL },
		{ "test-example-02-f-qr-code-numeric-value-1-qr_chunk_too_big.txt", SNT_VERIFY_NUMERIC, NULL },
		{ F "0-trailing_chars.txt", SNT_VERIFY_PREFIX, NULL },
		{ F "0-wrong_qr_header.txt", SNT_VERIFY_PREFIX, NULL },
		{ G "0-corrupted.png", SNT_VERIFY_SCAN, NULL },
		{ G "0-qr_chunk_too_small.png", SNT_VERIFY_NUMERIC, NULL },
		{ G "1-qr_chunk_too_small.png", SNT_VERIFY_NUMERIC, NULL },
		{ G "0-too_many_qr_segment.png", SNT_VERIFY_NUMERIC, NULL },
		{ G "0-bad_qr_version.png", SNT_VERIFY_OK,
		  "the QR version an issuer should pick is the encoder's rule; the gate reads any version" },
		/* Signed with a key that is not the example issuer's: refused before its payload is read. */
		{ "test-invalid-jws-payload.png", SNT_VERIFY_TRUST, NULL },
		{ E "invalid_deflate.smart-health-card", SNT_VERIFY_DEFLATE, NULL },
		{ E "no_deflate.smart-health-card", SNT_VERIFY_DEFLATE, NULL },
		{ E "jws_too_long.smart-health-card", SNT_VERIFY_JWS, NULL },
		{ E "multi-jws-issues.smart-health-card", SNT_VERIFY_JWS, NULL },
		{ E "invalid_issuer_url_http.smart-health-card", SNT_VERIFY_PAYLOAD, NULL },
		{ E "issuer_url_with_trailing_slash.smart-health-card", SNT_VERIFY_PAYLOAD, NULL },
		{ E "invalid_issuer_url.smart-health-card", SNT_VERIFY_OK,
		  "an https iss that resolves nowhere: only fetching its key set would tell, and the gate never fetches" },
		{ E "bad_jwks.smart-health-card", SNT_VERIFY_OK,
		  "the fault is in the key set published at iss, which the gate never fetches" },
		{ E "trailing_chars.smart-health-card", SNT_VERIFY_OK,
		  "the trailing characters are in the file wrapper, not in the JWS a QR code carries" },
	};
#undef D
#undef F
#undef E
#undef G
	char dir[4096];
	struct snt_trust *trust = NULL;
	int64_t now = 1672531200000LL; /* 2023-01-01T00:00:00Z */

	memset(f, 0, sizeof(*f));
	snprintf(dir, sizeof(dir), "%s/shc/testdata", root);
	if (snt_trust_new(&trust) || snt_trust_load(trust, jwks)) {
		snt_trust_free(trust);
		return -1;
	}
	run_vectors("shc", dir, vectors, SNT_ARRAY_SIZE(vectors), trust, SNT_FORMAT_SHC, now, out, f);
	snt_trust_free(trust);
	fprintf(out, "shc cases=%u valid_ok=%u invalid_ok=%u wrong=%u exceptions=%u\n", f->cases, f->valid_ok,
		f->invalid_ok, f->wrong, f->excluded);
	return 0;
}
