// SPDX-License-Identifier: MIT
/*
 * EU Digital COVID Certificate, "HC1:" (eHealth Network, DCC technical
 * specifications v1.3): base45 (§3.1), zlib (§3.1, compression is
 * mandatory), COSE_Sign1 (§3.3), CWT claims iss/iat/exp and hcert -260/1
 * (§3.3.1), ES256 or PS256 (§3.3.2), the document signer certificate's key
 * usage (§5.4) and validity period.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "codes/codes_internal.h"

/* CWT claim keys (RFC 8392 §3.1; DCC v1.3 §3.3.1). */
#define CWT_ISS 1
#define CWT_EXP 4
#define CWT_IAT 6
#define CWT_HCERT (-260)

static int64_t asn1_time_ms(const ASN1_TIME *t, int *ok)
{
	struct tm tm;

	*ok = t && ASN1_TIME_to_tm(t, &tm) == 1;
	if (!*ok)
		return 0;
	return (int64_t)timegm(&tm) * 1000;
}

/*
 * DCC v1.3 §5.4: a document signer certificate may restrict what it signs
 * with extended key usages; where it carries any, the type must be among them.
 */
static enum snt_verify_stage key_usage(X509 *cert, const char *types)
{
	static const char *const prefixes[] = { "1.3.6.1.4.1.1847.2021.1.", "1.3.6.1.4.1.0.1847.2021.1." };
	EXTENDED_KEY_USAGE *eku;
	int any = 0;
	char allowed[4] = "";
	size_t na = 0;

	if (!cert || !types[0])
		return SNT_VERIFY_OK;
	eku = X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL);
	if (!eku)
		return SNT_VERIFY_OK;
	for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		char oid[96];
		int n = OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_OBJECT_value(eku, i), 1);

		if (n <= 0 || (size_t)n >= sizeof(oid))
			continue;
		for (size_t p = 0; p < SNT_ARRAY_SIZE(prefixes); p++) {
			size_t pl = strlen(prefixes[p]);
			char want;

			if (strncmp(oid, prefixes[p], pl) || !oid[pl] || oid[pl + 1])
				continue;
			/* .1 test, .2 vaccination, .3 recovery */
			want = oid[pl] == '1' ? 't' : oid[pl] == '2' ? 'v' : oid[pl] == '3' ? 'r' : 0;
			if (!want)
				continue;
			any = 1;
			if (!strchr(allowed, want) && na < 3)
				allowed[na++] = want;
		}
	}
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	if (!any)
		return SNT_VERIFY_OK;
	for (const char *t = types; *t; t++)
		if (!strchr(allowed, *t))
			return SNT_VERIFY_KEY_USAGE;
	return SNT_VERIFY_OK;
}

/*
 * The DCC payload (DCC JSON schema 1.3: nam, dob, v/t/r).  The gate reads
 * the fields it uses; the JSON schema is not enforced, so an
 * entry array of null counts as absent and more than one type is kept
 * for the key-usage check (@types: the types present, e.g. "v" or "vr").
 */
static enum snt_verify_stage dcc_payload(const cbor_item_t *dcc, struct snt_verify_subject *s, char types_out[4])
{
	static const char types[] = "vtr";
	const cbor_item_t *nam = snt_cose_map_str(dcc, "nam"), *entries;
	size_t found = 0;

	types_out[0] = '\0';
	if (!dcc || !cbor_isa_map(dcc))
		return SNT_VERIFY_PAYLOAD;
	if (nam && cbor_isa_map(nam)) {
		if (snt_cose_cbor_text(snt_cose_map_str(nam, "gn"), s->given, sizeof(s->given)))
			(void)snt_cose_cbor_text(snt_cose_map_str(nam, "gnt"), s->given, sizeof(s->given));
		if (snt_cose_cbor_text(snt_cose_map_str(nam, "fn"), s->family, sizeof(s->family)))
			(void)snt_cose_cbor_text(snt_cose_map_str(nam, "fnt"), s->family, sizeof(s->family));
	}
	(void)snt_cose_cbor_text(snt_cose_map_str(dcc, "dob"), s->dob, sizeof(s->dob));
	for (size_t i = 0; i < 3; i++) {
		char key[2] = { types[i], '\0' };

		entries = snt_cose_map_str(dcc, key);
		if (!entries || (cbor_isa_float_ctrl(entries) && cbor_is_null(entries)))
			continue;
		if (!cbor_isa_array(entries) || !cbor_array_is_definite(entries))
			return SNT_VERIFY_PAYLOAD;
		types_out[found++] = types[i];
		types_out[found] = '\0';
		if (s->type)
			continue;
		s->type = types[i];
		s->entries = (unsigned int)cbor_array_size(entries);
		if (s->entries > 0)
			(void)snt_cose_cbor_text(snt_cose_map_str(cbor_array_handle(entries)[0], "co"), s->country,
					       sizeof(s->country));
	}
	return SNT_VERIFY_OK;
}

static enum snt_verify_stage signature(const struct snt_cose_sign1 *cose, const struct snt_trust *trust,
				       const struct snt_trust_key **signer)
{
	const struct snt_trust_key *k;
	enum snt_verify_stage st = SNT_VERIFY_TRUST;
	size_t pos = 0;

	while ((k = snt_trust_find(trust, cose->kid, cose->kid_len, NULL, &pos)) != NULL) {
		st = codes__cose_stage(snt_cose_sign1_verify(cose, k->pkey));
		if (st == SNT_VERIFY_OK) {
			*signer = k;
			return st;
		}
		if (st == SNT_VERIFY_NOMEM)
			return st;
	}
	return st;
}

enum snt_verify_stage codes__hcert_verify(const uint8_t *bytes, size_t len, const struct snt_trust *trust,
					  int64_t now_ms, struct snt_verify_info *out)
{
	static const char prefix[] = "HC1:";
	const size_t pl = sizeof(prefix) - 1;
	const struct snt_trust_key *signer = NULL;
	struct snt_cose_sign1 cose;
	cbor_item_t *claims = NULL, *hcert;
	uint8_t bin[CODES_MAX_BINARY], *raw = NULL;
	size_t bin_len, raw_len;
	enum snt_verify_stage st;
	int64_t v, nb_ms = 0, na_ms = 0;
	int nb_ok = 0, na_ok = 0, rc;
	char types[4];

	out->format = SNT_FORMAT_HCERT;
	if (len < pl || memcmp(bytes, prefix, pl))
		return SNT_VERIFY_PREFIX;
	if (snt_cose_base45_decode(bytes + pl, len - pl, bin, sizeof(bin), &bin_len))
		return SNT_VERIFY_BASE45;
	rc = codes__inflate(bin, bin_len, 0, &raw, &raw_len);
	if (rc)
		return rc == -2 ? SNT_VERIFY_NOMEM : SNT_VERIFY_ZLIB;
	st = codes__cose_stage(snt_cose_sign1_parse(raw, raw_len, &cose));
	if (st)
		goto out_raw;
	st = codes__take_kid(&cose, 0, out);
	if (!st)
		st = signature(&cose, trust, &signer);
	if (st)
		goto out_cose;

	/* CWT claims (RFC 8392) in the signed payload. */
	st = codes__claims(&cose, &claims);
	if (st)
		goto out_cose;
	(void)snt_cose_cbor_text(snt_cose_map_int(claims, CWT_ISS), out->issuer, sizeof(out->issuer));
	if (!snt_cose_cbor_int(snt_cose_map_int(claims, CWT_IAT), &v) && v > -9000000000000LL && v < 9000000000000LL) {
		out->issued_ms = v * 1000;
		out->has_issued = 1;
	}
	if (!snt_cose_cbor_int(snt_cose_map_int(claims, CWT_EXP), &v) && v > -9000000000000LL && v < 9000000000000LL) {
		out->expires_ms = v * 1000;
		out->has_expires = 1;
	}
	hcert = snt_cose_map_int(snt_cose_map_int(claims, CWT_HCERT), 1);
	st = dcc_payload(hcert, &out->subject, types);
	if (st)
		goto out_claims;
	out->has_subject = 1;
	st = key_usage(signer->cert, types);
	if (st)
		goto out_claims;

	/* Dates: the signing certificate's validity period, then iat/exp (DCC v1.3 §3.3.1). */
	if (signer->cert) {
		nb_ms = asn1_time_ms(X509_get0_notBefore(signer->cert), &nb_ok);
		na_ms = asn1_time_ms(X509_get0_notAfter(signer->cert), &na_ok);
	}
	st = codes__check_time(now_ms, nb_ok, nb_ms, na_ok, na_ms);
	if (st == SNT_VERIFY_OK)
		st = codes__check_time(now_ms, out->has_issued, out->issued_ms, out->has_expires, out->expires_ms);
out_claims:
	cbor_decref(&claims);
out_cose:
	snt_cose_sign1_free(&cose);
out_raw:
	free(raw);
	return st;
}
