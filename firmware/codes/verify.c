// SPDX-License-Identifier: MIT
/*
 * Offline verification: dispatch by prefix, the shared date rule, zlib and
 * raw DEFLATE with a bounded output, names and masking.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <zlib.h>

#include "codes/codes_internal.h"
#include "common/i18n.h"

static const char *const stage_names[] = {
	[SNT_VERIFY_OK] = NULL,
	[SNT_VERIFY_PREFIX] = "prefix",
	[SNT_VERIFY_BASE45] = "base45",
	[SNT_VERIFY_BASE32] = "base32",
	[SNT_VERIFY_NUMERIC] = "numeric",
	[SNT_VERIFY_ZLIB] = "zlib",
	[SNT_VERIFY_DEFLATE] = "deflate",
	[SNT_VERIFY_CBOR] = "cbor",
	[SNT_VERIFY_COSE] = "cose",
	[SNT_VERIFY_JWS] = "jws",
	[SNT_VERIFY_KID] = "kid",
	[SNT_VERIFY_TRUST] = "trust",
	[SNT_VERIFY_SIGNATURE] = "signature",
	[SNT_VERIFY_KEY_USAGE] = "key-usage",
	[SNT_VERIFY_REVOKED] = "revoked",
	[SNT_VERIFY_EXPIRED] = "expired",
	[SNT_VERIFY_NOT_YET_VALID] = "not-yet-valid",
	[SNT_VERIFY_PAYLOAD] = "payload",
	[SNT_VERIFY_SCAN] = "scan",
	[SNT_VERIFY_NOMEM] = "nomem",
};

static const char *const stage_text[] = {
	[SNT_VERIFY_OK] = N_("verified"),
	[SNT_VERIFY_PREFIX] = N_("unknown prefix or version"),
	[SNT_VERIFY_BASE45] = N_("not valid base45"),
	[SNT_VERIFY_BASE32] = N_("not valid base32"),
	[SNT_VERIFY_NUMERIC] = N_("not valid SMART Health Card numeric encoding"),
	[SNT_VERIFY_ZLIB] = N_("not a valid zlib stream"),
	[SNT_VERIFY_DEFLATE] = N_("not a valid DEFLATE stream"),
	[SNT_VERIFY_CBOR] = N_("not well-formed CBOR"),
	[SNT_VERIFY_COSE] = N_("not a supported COSE_Sign1 message"),
	[SNT_VERIFY_JWS] = N_("not a supported compact JWS"),
	[SNT_VERIFY_KID] = N_("no key id"),
	[SNT_VERIFY_TRUST] = N_("no trusted key for the key id"),
	[SNT_VERIFY_SIGNATURE] = N_("signature does not verify"),
	[SNT_VERIFY_KEY_USAGE] = N_("signing certificate not allowed for this certificate type"),
	[SNT_VERIFY_REVOKED] = N_("revoked"),
	[SNT_VERIFY_EXPIRED] = N_("expired"),
	[SNT_VERIFY_NOT_YET_VALID] = N_("not yet valid"),
	[SNT_VERIFY_PAYLOAD] = N_("malformed claims or certificate payload"),
	[SNT_VERIFY_SCAN] = N_("no code found in the image"),
	[SNT_VERIFY_NOMEM] = N_("out of memory"),
};

static const char *const result_names[] = {
	[SNT_RESULT_VALID] = "valid",
	[SNT_RESULT_INVALID] = "invalid",
	[SNT_RESULT_UNVERIFIED] = "unverified",
};

static const char *const clock_names[] = {
	[SNT_VCLOCK_GIVEN] = "given",
	[SNT_VCLOCK_TRUSTED] = "trusted",
	[SNT_VCLOCK_UNTRUSTED] = "untrusted",
};

const char *snt_verify_stage_name(enum snt_verify_stage s)
{
	return snt_table_text(stage_names, SNT_ARRAY_SIZE(stage_names), s, "?");
}

const char *snt_verify_strerror(enum snt_verify_stage s)
{
	return snt_table_msg(stage_text, SNT_ARRAY_SIZE(stage_text), s, N_("unknown verification error"));
}

const char *snt_verify_result_name(enum snt_verify_result r)
{
	return snt_table_text(result_names, SNT_ARRAY_SIZE(result_names), r, "?");
}

const char *snt_verify_clock_name(enum snt_verify_clock c)
{
	return snt_table_text(clock_names, SNT_ARRAY_SIZE(clock_names), c, "?");
}

enum snt_verify_stage codes__cose_stage(enum snt_cose_err err)
{
	switch (err) {
	case SNT_COSE_OK:
		return SNT_VERIFY_OK;
	case SNT_COSE_ERR_CBOR:
		return SNT_VERIFY_CBOR;
	case SNT_COSE_ERR_SIGNATURE:
		return SNT_VERIFY_SIGNATURE;
	case SNT_COSE_ERR_NOMEM:
		return SNT_VERIFY_NOMEM;
	case SNT_COSE_ERR_SHAPE:
	default:
		return SNT_VERIFY_COSE;
	}
}

enum snt_verify_stage codes__take_kid(const struct snt_cose_sign1 *cose, int protected_only,
				      struct snt_verify_info *out)
{
	if (!cose->kid || (protected_only && !cose->kid_protected) || cose->kid_len == 0 ||
	    cose->kid_len > sizeof(out->kid))
		return SNT_VERIFY_KID;
	memcpy(out->kid, cose->kid, cose->kid_len);
	out->kid_len = cose->kid_len;
	return SNT_VERIFY_OK;
}

enum snt_verify_stage codes__claims(const struct snt_cose_sign1 *cose, cbor_item_t **claims)
{
	*claims = snt_cose_cbor_load(cose->payload, cose->payload_len);
	if (!*claims)
		return SNT_VERIFY_CBOR;
	if (!cbor_isa_map(*claims)) {
		cbor_decref(claims);
		return SNT_VERIFY_PAYLOAD;
	}
	return SNT_VERIFY_OK;
}

enum snt_verify_stage codes__check_time(int64_t now_ms, int has_nbf, int64_t nbf_ms, int has_exp, int64_t exp_ms)
{
	if (has_nbf && now_ms < nbf_ms)
		return SNT_VERIFY_NOT_YET_VALID;
	/* Both ends inclusive: the DCC vectors verify at exactly exp (dgc-testdata ES/1501, IE/1). */
	if (has_exp && now_ms > exp_ms)
		return SNT_VERIFY_EXPIRED;
	return SNT_VERIFY_OK;
}

int codes__inflate(const uint8_t *in, size_t len, int raw, uint8_t **out, size_t *out_len)
{
	z_stream zs;
	uint8_t *buf;
	int rc;

	buf = malloc(CODES_MAX_INFLATED);
	if (!buf)
		return -2;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, raw ? -15 : 15) != Z_OK) {
		free(buf);
		return -2;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = buf;
	zs.avail_out = CODES_MAX_INFLATED;
	rc = inflate(&zs, Z_FINISH);
	*out_len = zs.total_out;
	/* The stream must end within the output bound, exactly at the end of the input. */
	if (rc != Z_STREAM_END || zs.avail_in != 0) {
		inflateEnd(&zs);
		free(buf);
		return -1;
	}
	inflateEnd(&zs);
	*out = buf;
	return 0;
}

/* First UTF-8 character of @s into @buf; returns bytes written. */
static size_t first_char(const char *s, char *buf, size_t size)
{
	size_t n = 1;

	if (!s[0])
		return 0;
	while (s[n] && ((unsigned char)s[n] & 0xc0) == 0x80 && n < 4)
		n++;
	if (n + 1 > size)
		return 0;
	memcpy(buf, s, n);
	return n;
}

void snt_verify_mask_name(const struct snt_verify_subject *s, char *buf, size_t size)
{
	size_t n = 0;

	if (!buf || size == 0)
		return;
	buf[0] = '\0';
	if (!s || size < 16)
		return;
	n += first_char(s->given, buf + n, size - n - 1);
	if (n)
		buf[n++] = '*';
	if (s->family[0]) {
		if (n)
			buf[n++] = ' ';
		n += first_char(s->family, buf + n, size - n - 2);
		buf[n++] = '*';
	}
	buf[n] = '\0';
}

enum snt_verify_stage snt_verify_payload(const uint8_t *bytes, size_t len, const struct snt_trust *trust,
					 int64_t now_ms, enum snt_verify_clock clock,
					 struct snt_verify_info *out)
{
	return snt_verify_payload_as(snt_code_classify(bytes, len), bytes, len, trust, now_ms, clock, out);
}

enum snt_verify_stage snt_verify_payload_as(enum snt_code_format format, const uint8_t *bytes, size_t len,
					    const struct snt_trust *trust, int64_t now_ms,
					    enum snt_verify_clock clock, struct snt_verify_info *out)
{
	enum snt_verify_stage st;

	memset(out, 0, sizeof(*out));
	out->clock = clock;
	out->format = bytes && len ? format : SNT_FORMAT_NONE;
	out->result = SNT_RESULT_INVALID;
	if (out->format == SNT_FORMAT_NONE) {
		out->stage = SNT_VERIFY_PREFIX;
		return out->stage;
	}
	if (len > SNT_VERIFY_MAX_PAYLOAD) {
		out->stage = SNT_VERIFY_PAYLOAD;
		return out->stage;
	}
	switch (out->format) {
	case SNT_FORMAT_HCERT:
		st = codes__hcert_verify(bytes, len, trust, now_ms, out);
		break;
	case SNT_FORMAT_NZCP:
		st = codes__nzcp_verify(bytes, len, trust, now_ms, out);
		break;
	case SNT_FORMAT_SHC:
		st = codes__shc_verify(bytes, len, trust, now_ms, out);
		break;
	case SNT_FORMAT_LT1:
		/* Swiss light certificates are signed with keys only the Swiss verifier app holds. */
		st = SNT_VERIFY_TRUST;
		break;
	default:
		/* A health code: only the issuing platform can resolve it, online. */
		(void)snt_code_region(bytes, len, out->region);
		out->result = SNT_RESULT_UNVERIFIED;
		out->stage = SNT_VERIFY_OK;
		return SNT_VERIFY_OK;
	}
	ERR_clear_error();
	out->stage = st;
	if (st == SNT_VERIFY_OK) {
		out->result = clock == SNT_VCLOCK_UNTRUSTED ? SNT_RESULT_UNVERIFIED : SNT_RESULT_VALID;
	} else if ((st == SNT_VERIFY_EXPIRED || st == SNT_VERIFY_NOT_YET_VALID) && clock == SNT_VCLOCK_UNTRUSTED) {
		out->result = SNT_RESULT_UNVERIFIED;
	} else {
		out->result = SNT_RESULT_INVALID;
	}
	return st;
}
