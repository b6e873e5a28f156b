// SPDX-License-Identifier: MIT
/*
 * New Zealand COVID Pass, "NZCP:/1/" (NZCP specification v1,
 * https://nzcp.covid19.health.nz): §"2D barcode encoding" (prefix, version,
 * base32 without padding), §"CWT headers" (COSE_Sign1, alg ES256 only, kid
 * in the protected header), §"CWT claims" (iss, nbf, exp, cti, vc), and
 * §"Steps to verify" (trusted issuer, key from the issuer's DID document,
 * nbf <= now < exp).
 */
#include <string.h>

#include "codes/codes_internal.h"

#define CWT_ISS 1
#define CWT_EXP 4
#define CWT_NBF 5
#define CWT_CTI 7

/* The vc claim: a W3C verifiable credential of type PublicCovidPass. */
static enum snt_verify_stage vc_payload(const cbor_item_t *vc, struct snt_verify_subject *s)
{
	const cbor_item_t *type = snt_cose_map_str(vc, "type"), *cs = snt_cose_map_str(vc, "credentialSubject");
	int has_vc = 0, has_pass = 0;

	if (!vc || !cbor_isa_map(vc) || !type || !cbor_isa_array(type) || !cs || !cbor_isa_map(cs))
		return SNT_VERIFY_PAYLOAD;
	for (size_t i = 0; i < cbor_array_size(type); i++) {
		char t[40];

		if (snt_cose_cbor_text(cbor_array_handle(type)[i], t, sizeof(t)))
			continue;
		has_vc |= !strcmp(t, "VerifiableCredential");
		has_pass |= !strcmp(t, "PublicCovidPass");
	}
	if (!has_vc || !has_pass)
		return SNT_VERIFY_PAYLOAD;
	/* givenName and dob are required, familyName optional. */
	if (snt_cose_cbor_text(snt_cose_map_str(cs, "givenName"), s->given, sizeof(s->given)) ||
	    snt_cose_cbor_text(snt_cose_map_str(cs, "dob"), s->dob, sizeof(s->dob)))
		return SNT_VERIFY_PAYLOAD;
	(void)snt_cose_cbor_text(snt_cose_map_str(cs, "familyName"), s->family, sizeof(s->family));
	return SNT_VERIFY_OK;
}

enum snt_verify_stage codes__nzcp_verify(const uint8_t *bytes, size_t len, const struct snt_trust *trust,
					 int64_t now_ms, struct snt_verify_info *out)
{
	static const char prefix[] = "NZCP:/1/";
	const size_t pl = sizeof(prefix) - 1;
	const struct snt_trust_key *k;
	struct snt_cose_sign1 cose;
	cbor_item_t *claims = NULL;
	uint8_t bin[CODES_MAX_BINARY];
	size_t bin_len, pos = 0;
	enum snt_verify_stage st;
	int64_t nbf = 0, exp = 0;

	out->format = SNT_FORMAT_NZCP;
	if (len < pl || memcmp(bytes, prefix, pl))
		return SNT_VERIFY_PREFIX;
	if (codes__base32_decode(bytes + pl, len - pl, bin, sizeof(bin), &bin_len))
		return SNT_VERIFY_BASE32;
	st = codes__cose_stage(snt_cose_sign1_parse(bin, bin_len, &cose));
	if (st)
		return st;
	if (cose.alg != SNT_COSE_ALG_ES256) {
		st = SNT_VERIFY_COSE;
		goto out_cose;
	}
	/* The kid must be in the protected header. */
	st = codes__take_kid(&cose, 1, out);
	if (st)
		goto out_cose;

	st = codes__claims(&cose, &claims);
	if (st)
		goto out_cose;
	if (snt_cose_cbor_text(snt_cose_map_int(claims, CWT_ISS), out->issuer, sizeof(out->issuer))) {
		st = SNT_VERIFY_PAYLOAD;
		goto out_claims;
	}
	/* The key: the issuer's DID document's verification method "<iss>#<kid>". */
	k = snt_trust_find(trust, cose.kid, cose.kid_len, out->issuer, &pos);
	if (!k || strcmp(k->issuer, out->issuer)) {
		st = SNT_VERIFY_TRUST;
		goto out_claims;
	}
	st = codes__cose_stage(snt_cose_sign1_verify(&cose, k->pkey));
	if (st)
		goto out_claims;
	/* cti: 16 bytes (a UUID); nbf and exp are required. */
	if (snt_cose_cbor_int(snt_cose_map_int(claims, CWT_NBF), &nbf) ||
	    snt_cose_cbor_int(snt_cose_map_int(claims, CWT_EXP), &exp) || nbf < 0 || exp < 0 ||
	    nbf > 9000000000000LL || exp > 9000000000000LL) {
		st = SNT_VERIFY_PAYLOAD;
		goto out_claims;
	}
	if (!snt_cose_map_int(claims, CWT_CTI) || !cbor_isa_bytestring(snt_cose_map_int(claims, CWT_CTI)) ||
	    !cbor_bytestring_is_definite(snt_cose_map_int(claims, CWT_CTI)) ||
	    cbor_bytestring_length(snt_cose_map_int(claims, CWT_CTI)) != 16) {
		st = SNT_VERIFY_PAYLOAD;
		goto out_claims;
	}
	out->issued_ms = nbf * 1000;
	out->has_issued = 1;
	out->expires_ms = exp * 1000;
	out->has_expires = 1;
	st = vc_payload(snt_cose_map_str(claims, "vc"), &out->subject);
	if (st)
		goto out_claims;
	out->has_subject = 1;
	st = codes__check_time(now_ms, 1, out->issued_ms, 1, out->expires_ms);
out_claims:
	cbor_decref(&claims);
out_cose:
	snt_cose_sign1_free(&cose);
	return st;
}
