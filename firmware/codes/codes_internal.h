/* SPDX-License-Identifier: MIT */
/*
 * Internal interface between the files of the codes module (verify.h):
 * the text decoders other than base45, inflation, the date checks and the
 * per-format verifiers (CBOR and COSE_Sign1 are cose/cose.h).  Not for use
 * outside firmware/codes/.
 */
#ifndef SNT_CODES_INTERNAL_H
#define SNT_CODES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <cbor.h>
#include <openssl/evp.h>

#include "codes/verify.h"
#include "cose/cose.h"
#include "trust/trust.h"

/* Bounds on hostile input (interfaces.md: QR content is hostile). */
#define CODES_MAX_BINARY 8192		/* decoded text payloads */
#define CODES_MAX_INFLATED 65536	/* zlib/DEFLATE output */

/*
 * Text decoders: 0 and *out_len bytes written to @out (at most @cap), or -1
 * for a character outside the alphabet, a bad length or too little room.
 * base32: RFC 4648 §6 (padding optional); base64url: RFC 4648 §5 (padding
 * optional, '+' and '/' also accepted).  base45 is in cose/cose.h.
 */
int codes__base32_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);
int codes__b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/*
 * codes__cose_stage() - the verification stage of a cose.h error:
 * SNT_COSE_ERR_CBOR -> SNT_VERIFY_CBOR, _SHAPE -> SNT_VERIFY_COSE,
 * _SIGNATURE -> SNT_VERIFY_SIGNATURE, _NOMEM -> SNT_VERIFY_NOMEM.
 */
enum snt_verify_stage codes__cose_stage(enum snt_cose_err err);

/*
 * codes__take_kid() - the kid of @cose into @out->kid and @out->kid_len:
 * one of 1 to sizeof(@out->kid) bytes, and with @protected_only one from
 * the protected header.
 * Return: SNT_VERIFY_OK; SNT_VERIFY_KID when there is no such kid (@out's
 * kid untouched).
 */
enum snt_verify_stage codes__take_kid(const struct snt_cose_sign1 *cose, int protected_only,
				      struct snt_verify_info *out);

/*
 * codes__claims() - the CWT claims (RFC 8392) of @cose: its payload as one
 * CBOR map, into *@claims (cbor_decref()).
 * Return: SNT_VERIFY_OK; SNT_VERIFY_CBOR (not well-formed CBOR) or
 * SNT_VERIFY_PAYLOAD (not a map), *@claims then NULL.
 */
enum snt_verify_stage codes__claims(const struct snt_cose_sign1 *cose, cbor_item_t **claims);

/*
 * codes__inflate() - zlib (RFC 1950, @raw = 0) or raw DEFLATE (RFC 1951,
 * @raw = 1) into a new buffer of at most CODES_MAX_INFLATED bytes.
 * Return: 0 and *out (free()) / *out_len; -1 on a bad or oversized stream; -2 out of memory.
 */
int codes__inflate(const uint8_t *in, size_t len, int raw, uint8_t **out, size_t *out_len);

/*
 * codes__check_time() - the date checks against the verification time,
 * with the untrusted-clock rule of verify.h.  @nbf_ms / @exp_ms apply when
 * the matching has_ flag is set.
 * Return: SNT_VERIFY_OK, SNT_VERIFY_NOT_YET_VALID or SNT_VERIFY_EXPIRED.
 */
enum snt_verify_stage codes__check_time(int64_t now_ms, int has_nbf, int64_t nbf_ms, int has_exp, int64_t exp_ms);

/* Per-format verifiers; @out is zeroed with format, clock set by the caller. */
enum snt_verify_stage codes__hcert_verify(const uint8_t *bytes, size_t len, const struct snt_trust *trust,
					  int64_t now_ms, struct snt_verify_info *out);
enum snt_verify_stage codes__nzcp_verify(const uint8_t *bytes, size_t len, const struct snt_trust *trust,
					 int64_t now_ms, struct snt_verify_info *out);
enum snt_verify_stage codes__shc_verify(const uint8_t *bytes, size_t len, const struct snt_trust *trust,
					int64_t now_ms, struct snt_verify_info *out);

#endif /* SNT_CODES_INTERNAL_H */
