// SPDX-License-Identifier: MIT
/*
 * SMART Health Card, "shc:/" (SMART Health Cards framework,
 * https://spec.smarthealth.cards): §"Encoding chunks as QR codes" (numeric
 * mode: two digits per character, value + 45), §"Health Cards are
 * small" (compact JWS, RFC 7515 §7.1; header alg ES256, zip DEF, kid),
 * raw DEFLATE (RFC 1951) of the JWT payload, ES256 (RFC 7518 §3.4) with a
 * key from the issuer's JWK set, and the JWT's nbf/exp (RFC 7519 §4.1).
 * Chunked QR codes ("shc:/1/2/...") are not assembled: one QR, one card.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "codes/codes_internal.h"

#define SHC_MAX_JWS CODES_MAX_BINARY
#define SHC_MAX_SINGLE_JWS 1195

/* The patient's name from the FHIR bundle (FHIR R4 Patient.name). */
static void fhir_subject(const json_t *bundle, struct snt_verify_subject *s)
{
	const json_t *entries = json_object_get(bundle, "entry"), *e;
	size_t i;

	if (!json_is_array(entries))
		return;
	s->entries = (unsigned int)json_array_size(entries);
	json_array_foreach(entries, i, e) {
		const json_t *res = json_object_get(e, "resource");
		const json_t *name = json_array_get(json_object_get(res, "name"), 0);
		const char *type = json_string_value(json_object_get(res, "resourceType"));
		const char *given = json_string_value(json_array_get(json_object_get(name, "given"), 0));
		const char *family = json_string_value(json_object_get(name, "family"));
		const char *dob = json_string_value(json_object_get(res, "birthDate"));

		if (!type || strcmp(type, "Patient"))
			continue;
		snt_strlcpy(s->given, given ? given : "", sizeof(s->given));
		snt_strlcpy(s->family, family ? family : "", sizeof(s->family));
		snt_strlcpy(s->dob, dob ? dob : "", sizeof(s->dob));
		return;
	}
}

/* A NumericDate (RFC 7519 §2): seconds, possibly with a fraction. */
static int numeric_date(const json_t *v, int64_t *ms)
{
	double d;

	if (!json_is_number(v))
		return -1;
	d = json_number_value(v);
	if (!(d >= 0 && d < 9e12))
		return -1;
	*ms = (int64_t)(d * 1000.0);
	return 0;
}

static int has_type(const json_t *types, const char *want)
{
	const json_t *t;
	size_t i;

	json_array_foreach(types, i, t) {
		if (json_is_string(t) && !strcmp(json_string_value(t), want))
			return 1;
	}
	return 0;
}

static enum snt_verify_stage jwt_payload(const uint8_t *buf, size_t len, struct snt_verify_info *out,
					 int64_t *nbf, int *has_nbf)
{
	json_t *root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
	const json_t *vc, *types;
	const char *iss;
	enum snt_verify_stage st = SNT_VERIFY_PAYLOAD;

	if (!root || !json_is_object(root))
		goto out;
	iss = json_string_value(json_object_get(root, "iss"));
	vc = json_object_get(root, "vc");
	types = json_object_get(vc, "type");
	/* iss: an https URL without a trailing slash (§"Issuer generates results"). */
	if (!iss || strncmp(iss, "https://", 8) || iss[strlen(iss) - 1] == '/' || !json_is_array(types) ||
	    !has_type(types, "https://smarthealth.cards#health-card"))
		goto out;
	snt_strlcpy(out->issuer, iss, sizeof(out->issuer));
	if (json_object_get(root, "nbf")) {
		if (numeric_date(json_object_get(root, "nbf"), nbf))
			goto out;
		*has_nbf = 1;
		out->issued_ms = *nbf;
		out->has_issued = 1;
	}
	if (json_object_get(root, "exp")) {
		if (numeric_date(json_object_get(root, "exp"), &out->expires_ms))
			goto out;
		out->has_expires = 1;
	}
	fhir_subject(json_object_get(json_object_get(vc, "credentialSubject"), "fhirBundle"), &out->subject);
	out->has_subject = 1;
	st = SNT_VERIFY_OK;
out:
	json_decref(root);
	return st;
}

enum snt_verify_stage codes__shc_verify(const uint8_t *bytes, size_t len, const struct snt_trust *trust,
					int64_t now_ms, struct snt_verify_info *out)
{
	static const char prefix[] = "shc:/";
	const size_t pl = sizeof(prefix) - 1;
	char jws[SHC_MAX_JWS + 1];
	const char *dot1, *dot2, *alg, *zip, *kid;
	uint8_t hdr[1024], sig[256], *comp = NULL, *raw = NULL;
	size_t n = 0, hdr_len, sig_len, comp_len, raw_len, pos = 0;
	const struct snt_trust_key *k;
	enum snt_verify_stage st;
	json_t *header = NULL;
	int64_t nbf = 0;
	int has_nbf = 0, rc;

	out->format = SNT_FORMAT_SHC;
	if (len < pl || memcmp(bytes, prefix, pl))
		return SNT_VERIFY_PREFIX;
	/* Numeric mode: each pair of digits is one character, value + 45 ('-' .. 'z'). */
	if ((len - pl) % 2 || len == pl || (len - pl) / 2 > SHC_MAX_JWS)
		return SNT_VERIFY_NUMERIC;
	for (size_t i = pl; i < len; i += 2) {
		unsigned int v;

		if (bytes[i] < '0' || bytes[i] > '9' || bytes[i + 1] < '0' || bytes[i + 1] > '9')
			return SNT_VERIFY_NUMERIC;
		v = (unsigned int)(bytes[i] - '0') * 10u + (unsigned int)(bytes[i + 1] - '0');
		if (v > 'z' - 45)
			return SNT_VERIFY_NUMERIC;
		jws[n++] = (char)(v + 45);
	}
	jws[n] = '\0';

	/* Compact JWS: header.payload.signature (RFC 7515 §7.1). */
	dot1 = strchr(jws, '.');
	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (!dot1 || !dot2 || strchr(dot2 + 1, '.') ||
	    codes__b64url_decode(jws, (size_t)(dot1 - jws), hdr, sizeof(hdr) - 1, &hdr_len) ||
	    codes__b64url_decode(dot2 + 1, strlen(dot2 + 1), sig, sizeof(sig), &sig_len))
		return SNT_VERIFY_JWS;
	header = json_loadb((const char *)hdr, hdr_len, JSON_REJECT_DUPLICATES, NULL);
	alg = json_string_value(json_object_get(header, "alg"));
	zip = json_string_value(json_object_get(header, "zip"));
	kid = json_string_value(json_object_get(header, "kid"));
	/* zip must be "DEF"; its absence is judged with the payload (below). */
	if (!header || !json_is_object(header) || !alg || strcmp(alg, "ES256") || (zip && strcmp(zip, "DEF"))) {
		st = SNT_VERIFY_JWS;
		goto out;
	}
	comp = malloc(SHC_MAX_JWS);
	if (!comp) {
		st = SNT_VERIFY_NOMEM;
		goto out;
	}
	if (codes__b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), comp, SHC_MAX_JWS, &comp_len)) {
		st = SNT_VERIFY_JWS;
		goto out;
	}
	/*
	 * The payload must be raw DEFLATE (checked before the key, as HC1's zlib
	 * is): one that is not fails at `deflate`; one that is, under a header
	 * without zip "DEF", fails at `jws`.
	 */
	rc = codes__inflate(comp, comp_len, 1, &raw, &raw_len);
	if (rc) {
		st = rc == -2 ? SNT_VERIFY_NOMEM : SNT_VERIFY_DEFLATE;
		goto out;
	}
	/* §"Chunking": a JWS in one QR code is at most 1195 characters. */
	if (!zip || n > SHC_MAX_SINGLE_JWS) {
		st = SNT_VERIFY_JWS;
		goto out;
	}
	if (!kid || !*kid || strlen(kid) > sizeof(out->kid)) {
		st = SNT_VERIFY_KID;
		goto out;
	}
	out->kid_len = strlen(kid);
	memcpy(out->kid, kid, out->kid_len);
	k = snt_trust_find(trust, (const uint8_t *)kid, strlen(kid), NULL, &pos);
	if (!k) {
		st = SNT_VERIFY_TRUST;
		goto out;
	}
	/* The signature covers the ASCII "header.payload" (RFC 7515 §5.2). */
	rc = snt_cose_sig_verify(k->pkey, SNT_COSE_ALG_ES256, (const uint8_t *)jws, (size_t)(dot2 - jws), sig, sig_len);
	if (rc) {
		st = rc == -2 ? SNT_VERIFY_NOMEM : SNT_VERIFY_SIGNATURE;
		goto out;
	}
	st = jwt_payload(raw, raw_len, out, &nbf, &has_nbf);
	if (st)
		goto out;
	st = codes__check_time(now_ms, has_nbf, nbf, out->has_expires, out->expires_ms);
out:
	free(raw);
	free(comp);
	json_decref(header);
	return st;
}
