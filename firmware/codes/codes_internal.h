/* SPDX-License-Identifier: MIT */
/*
 * Internal interface between the files of the codes module (verify.h):
 * text decoders, CBOR checks, COSE_Sign1, CWT claims, signature checks and
 * the per-format verifiers.  Not for use outside firmware/codes/.
 */
#ifndef SNT_CODES_INTERNAL_H
#define SNT_CODES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <cbor.h>
#include <openssl/evp.h>

#include "codes/verify.h"
#include "trust/trust.h"

/* Bounds on hostile input (interfaces.md: QR content is hostile). */
#define CODES_MAX_BINARY 8192		/* decoded text payloads */
#define CODES_MAX_INFLATED 65536	/* zlib/DEFLATE output */
#define CODES_CBOR_MAX_DEPTH 16		/* nesting of arrays/maps/tags */

/* COSE algorithm identifiers (RFC 9053 §2.1; RFC 8230 §2). */
#define COSE_ALG_ES256 (-7)
#define COSE_ALG_PS256 (-37)

/*
 * Text decoders: 0 and *out_len bytes written to @out (at most @cap), or -1
 * for a character outside the alphabet, a bad length or too little room.
 * base45: RFC 9285; base32: RFC 4648 §6 (padding optional); base64url:
 * RFC 4648 §5 (padding optional, '+' and '/' also accepted).
 */
int codes__base45_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/*
 * codes__base45_encode() - RFC 9285 §4 base45 of @len bytes into @out,
 * which must hold CODES_BASE45_LEN(@len) + 1 bytes; NUL-terminated.
 * Return: the characters written (without the NUL).
 */
#define CODES_BASE45_LEN(n) ((n) / 2 * 3 + (n) % 2 * 2)
size_t codes__base45_encode(const uint8_t *in, size_t len, char *out);
int codes__base32_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);
int codes__b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/*
 * codes__cbor_check() - whether @buf is exactly one well-formed CBOR data
 * item (RFC 8949 §3, appendix C) nested at most CODES_CBOR_MAX_DEPTH deep,
 * with every declared length within the bytes left (so no decoder is led
 * to allocate for a length the input cannot hold).
 * Return: 0, or -1.
 */
int codes__cbor_check(const uint8_t *buf, size_t len);

/*
 * codes__cbor_load() - codes__cbor_check() then libcbor's cbor_load().
 * Return: the item (cbor_decref() it), or NULL.
 */
cbor_item_t *codes__cbor_load(const uint8_t *buf, size_t len);

/* Map lookups: the value (borrowed from @map), or NULL. */
cbor_item_t *codes__map_int(const cbor_item_t *map, int64_t key);
cbor_item_t *codes__map_str(const cbor_item_t *map, const char *key);

/* codes__cbor_int() - an unsigned/negative integer or a float as int64; -1 if neither. */
int codes__cbor_int(const cbor_item_t *item, int64_t *out);

/* codes__cbor_text() - copy a definite text string into @buf (NUL-terminated, truncated at a UTF-8 boundary); -1 if not text. */
int codes__cbor_text(const cbor_item_t *item, char *buf, size_t size);

/* A parsed COSE_Sign1 (RFC 9052 §4.2); pointers borrow from @root. */
struct codes__cose_sign1 {
	cbor_item_t *root;
	cbor_item_t *protected_map;	/* decoded protected header (or NULL when empty) */
	const uint8_t *protected_bytes;
	size_t protected_len;
	const uint8_t *payload;
	size_t payload_len;
	const uint8_t *signature;
	size_t signature_len;
	int64_t alg;
	const uint8_t *kid;		/* protected kid, else unprotected (DCC v1.3 §3.3.1) */
	size_t kid_len;
	int kid_protected;		/* the kid came from the protected header */
};

/*
 * codes__cose_sign1_parse() - parse a COSE_Sign1, tagged (18) or not.
 * Return: SNT_VERIFY_OK; SNT_VERIFY_CBOR when @buf is not well-formed
 * CBOR; SNT_VERIFY_COSE for any other shape or an algorithm other than
 * ES256/PS256; SNT_VERIFY_NOMEM.  On success free with codes__cose_sign1_free().
 */
enum snt_verify_stage codes__cose_sign1_parse(const uint8_t *buf, size_t len, struct codes__cose_sign1 *out);
void codes__cose_sign1_free(struct codes__cose_sign1 *c);

/*
 * codes__cbor_put_head() - write the head of a CBOR data item of major type
 * @major (0-7) with argument @n in its shortest form (RFC 8949 §3, §4.2.1)
 * at @p, which must have room for 9 bytes.
 * Return: the bytes written (1, 2, 3, 5 or 9).
 */
size_t codes__cbor_put_head(uint8_t *p, uint8_t major, uint64_t n);

/*
 * codes__sig_structure() - the COSE Sig_structure for COSE_Sign1:
 * ["Signature1", @protected_bytes, h'', @payload] (RFC 9052 §4.4), the
 * bytes signed and verified (shared by verification here and signing in
 * firmware/sign/).
 * Return: 0 and *out (free()) / *out_len; -1 for lengths whose sum would
 * overflow size_t; -2 out of memory.
 */
int codes__sig_structure(const uint8_t *protected_bytes, size_t protected_len, const uint8_t *payload,
			 size_t payload_len, uint8_t **out, size_t *out_len);

/*
 * codes__cose_sign1_verify() - check the signature over the Sig_structure
 * ["Signature1", protected, h'', payload] (RFC 9052 §4.4) with @pkey.
 * Return: SNT_VERIFY_OK, SNT_VERIFY_SIGNATURE, or SNT_VERIFY_NOMEM.
 */
enum snt_verify_stage codes__cose_sign1_verify(const struct codes__cose_sign1 *c, EVP_PKEY *pkey);

/*
 * codes__sig_verify() - ES256 (raw r||s, 64 bytes; RFC 9053 §2.1, RFC 7518
 * §3.4) or PS256 (RSASSA-PSS, SHA-256, MGF1-SHA-256, salt = 32 bytes;
 * RFC 8230 §2, DCC v1.3 §3.3.2) over @data.
 * Return: 0 valid, -1 invalid (including a key of the wrong type), -2 out of memory.
 */
int codes__sig_verify(EVP_PKEY *pkey, int64_t alg, const uint8_t *data, size_t len, const uint8_t *sig,
		      size_t sig_len);

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
