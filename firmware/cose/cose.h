/* SPDX-License-Identifier: MIT */
/*
 * cose: the binary encodings that health codes, the gate's signed files and
 * its sync bundles share:
 *  - CBOR (RFC 8949): a well-formedness check run before any decoder sees
 *    hostile bytes, loading through libcbor, map lookups, value readers and
 *    the shortest-form item head for writers;
 *  - COSE_Sign1 (RFC 9052 §4.2, §4.4): parsing, the Sig_structure and the
 *    ES256 / PS256 signature checks (RFC 9053 §2.1, RFC 8230 §2) with
 *    OpenSSL 3;
 *  - base45 (RFC 9285), the QR text form of HC1: payloads and credentials.
 * No I/O; nothing here prints.
 */
#ifndef SNT_COSE_H
#define SNT_COSE_H

#include <stddef.h>
#include <stdint.h>

#include <cbor.h>
#include <openssl/evp.h>

#include "common/common.h"

enum snt_cose_err {
	SNT_COSE_OK = 0,
	SNT_COSE_ERR_CBOR,	/* not exactly one well-formed CBOR data item */
	SNT_COSE_ERR_SHAPE,	/* well-formed CBOR, but not a COSE_Sign1 this module takes */
	SNT_COSE_ERR_SIGNATURE,	/* the signature does not verify with the key */
	SNT_COSE_ERR_NOMEM,
};

/* Nesting limit of arrays, maps and tags accepted by snt_cose_cbor_check(). */
#define SNT_COSE_CBOR_MAX_DEPTH 16

/* COSE algorithm identifiers (RFC 9053 §2.1; RFC 8230 §2). */
#define SNT_COSE_ALG_ES256 (-7)
#define SNT_COSE_ALG_PS256 (-37)

/*
 * snt_cose_cbor_check() - whether @buf (@len bytes) is exactly one
 * well-formed CBOR data item (RFC 8949 §3, appendix C) nested at most
 * SNT_COSE_CBOR_MAX_DEPTH deep, with every declared length within the bytes
 * left (so no decoder is led to allocate for a length the input cannot hold).
 * Return: 0 well-formed; -1 otherwise (also for @buf NULL or @len 0).
 */
int snt_cose_cbor_check(const uint8_t *buf, size_t len);

/*
 * snt_cose_cbor_load() - snt_cose_cbor_check(), then libcbor's cbor_load().
 * One-byte tag heads 6..20 (RFC 8949 §3.4), which libcbor 0.8 refuses, are
 * handed to libcbor in their equivalent two-byte form.
 * Return: the item, owned by the caller (cbor_decref() it); NULL when @buf
 * is not well-formed, libcbor refuses it, or memory runs out.
 */
cbor_item_t *snt_cose_cbor_load(const uint8_t *buf, size_t len) SNT_WUR;

/*
 * snt_cose_map_int(), snt_cose_map_str() - the value under integer key @key
 * (or text key @key, a NUL-terminated UTF-8 string) in @map.
 * Return: the value, borrowed from @map; NULL when @map is NULL or no map,
 * or the key is absent.
 */
cbor_item_t *snt_cose_map_int(const cbor_item_t *map, int64_t key);
cbor_item_t *snt_cose_map_str(const cbor_item_t *map, const char *key);

/*
 * snt_cose_cbor_int() - an unsigned or negative integer, a float, or either
 * inside tag 1 (epoch date/time, RFC 8949 §3.4.2), as int64 in *@out
 * (floats truncated toward zero).
 * Return: 0; -1 when @item is NULL, of another type, or out of int64 range.
 */
int snt_cose_cbor_int(const cbor_item_t *item, int64_t *out) SNT_WUR;

/*
 * snt_cose_cbor_text() - copy a definite text string into @buf (@size
 * bytes, NUL-terminated; truncated at a UTF-8 character boundary).
 * Return: 0; -1 when @size is 0, @item is not a definite text string, or it
 * holds a NUL byte (@buf then holds "" or the text up to the NUL).
 */
int snt_cose_cbor_text(const cbor_item_t *item, char *buf, size_t size);

/*
 * snt_cose_cbor_text_copy() - copy a definite text string whole into @buf
 * (@size bytes, NUL-terminated), for fields that must not be cut.
 * Return: 0; -1 when @item is NULL, not a definite text string, or holds a
 * NUL byte; -2 when it is @size bytes or longer.
 */
int snt_cose_cbor_text_copy(const cbor_item_t *item, char *buf, size_t size) SNT_WUR;

/*
 * snt_cose_cbor_put_head() - write the head of a CBOR data item of major
 * type @major (0-7) with argument @n in its shortest form (RFC 8949 §3,
 * §4.2.1, deterministic encoding) at @p, which must have room for 9 bytes.
 * Return: the bytes written (1, 2, 3, 5 or 9).
 */
size_t snt_cose_cbor_put_head(uint8_t *p, uint8_t major, uint64_t n);

/* A parsed COSE_Sign1 (RFC 9052 §4.2); every pointer borrows from @root. */
struct snt_cose_sign1 {
	cbor_item_t *root;
	cbor_item_t *protected_map;	/* decoded protected header (NULL when empty) */
	const uint8_t *protected_bytes;
	size_t protected_len;
	const uint8_t *payload;
	size_t payload_len;
	const uint8_t *signature;
	size_t signature_len;
	int64_t alg;			/* SNT_COSE_ALG_ES256 or SNT_COSE_ALG_PS256 */
	const uint8_t *kid;		/* protected kid, else unprotected (DCC v1.3 §3.3.1); may be NULL */
	size_t kid_len;
	int kid_protected;		/* the kid came from the protected header */
};

/*
 * snt_cose_sign1_parse() - parse a COSE_Sign1 from @buf (@len bytes):
 * tag 18 (RFC 9052 §2), optionally inside tag 61 (CWT, RFC 8392 §6), or
 * untagged.  alg (label 1) is read from the protected header, else from the
 * unprotected one (as DCC issuers write it); kid (label 4) likewise.
 * @out: filled on success; release with snt_cose_sign1_free().
 * Return: SNT_COSE_OK; SNT_COSE_ERR_CBOR when @buf is not well-formed CBOR;
 * SNT_COSE_ERR_SHAPE for any other shape, another tag, or an algorithm
 * other than ES256 / PS256 (@out is then zeroed).
 */
enum snt_cose_err snt_cose_sign1_parse(const uint8_t *buf, size_t len, struct snt_cose_sign1 *out) SNT_WUR;

/* snt_cose_sign1_free() - release what snt_cose_sign1_parse() holds and zero @c; NULL does nothing. */
void snt_cose_sign1_free(struct snt_cose_sign1 *c);

/*
 * snt_cose_sig_structure() - the COSE Sig_structure for COSE_Sign1,
 * ["Signature1", @protected_bytes, h'', @payload] (RFC 9052 §4.4): the bytes
 * signed and verified.
 * @out: receives a malloc()ed buffer (the caller free()s it), @out_len its length.
 * Return: 0; -1 for lengths whose sum would overflow size_t; -2 out of memory.
 */
int snt_cose_sig_structure(const uint8_t *protected_bytes, size_t protected_len, const uint8_t *payload,
			   size_t payload_len, uint8_t **out, size_t *out_len) SNT_WUR;

/*
 * snt_cose_sign1_verify() - check @c's signature over its Sig_structure
 * (RFC 9052 §4.4) with @pkey (borrowed).  The Sig_structure is fed to the
 * digest in pieces (EVP_DigestVerifyUpdate()): the payload is not copied.
 * Return: SNT_COSE_OK; SNT_COSE_ERR_SIGNATURE when it does not verify
 * (also a key of the wrong type); SNT_COSE_ERR_NOMEM.
 */
enum snt_cose_err snt_cose_sign1_verify(const struct snt_cose_sign1 *c, EVP_PKEY *pkey) SNT_WUR;

/*
 * snt_cose_sig_verify() - an ES256 signature (raw r||s, 64 bytes; RFC 9053
 * §2.1, RFC 7518 §3.4) or a PS256 one (RSASSA-PSS, SHA-256, MGF1-SHA-256,
 * salt 32 bytes; RFC 8230 §2, DCC v1.3 §3.3.2) of @alg over @data (@len
 * bytes) with @pkey (borrowed; NULL fails).
 * Return: 0 valid; -1 invalid (including another algorithm or a key of the
 * wrong type); -2 out of memory.
 */
int snt_cose_sig_verify(EVP_PKEY *pkey, int64_t alg, const uint8_t *data, size_t len, const uint8_t *sig,
			size_t sig_len) SNT_WUR;

/*
 * snt_cose_es256_verify_digest() - an ES256 signature (raw r||s, 64 bytes)
 * over data whose SHA-256 is @digest (computed in pieces by the caller),
 * with the EC key @pkey (borrowed).
 * Return: 0 valid; -1 invalid (also NULL, a key that is not EC or a
 * signature not of 64 bytes); -2 out of memory.
 */
int snt_cose_es256_verify_digest(EVP_PKEY *pkey, const uint8_t digest[32], const uint8_t *sig,
				 size_t sig_len) SNT_WUR;

/*
 * snt_cose_base45_decode() - RFC 9285 §4 base45 text @in (@len characters)
 * into @out (room for @cap bytes).
 * Return: 0 and *@out_len bytes written; -1 for a character outside the
 * alphabet, a length of 3k+1, a group above its range, or too little room.
 */
int snt_cose_base45_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len) SNT_WUR;

/* SNT_COSE_BASE45_LEN() - the characters base45 makes of @n bytes (RFC 9285 §4). */
#define SNT_COSE_BASE45_LEN(n) ((n) / 2 * 3 + (n) % 2 * 2)

/*
 * snt_cose_base45_encode() - RFC 9285 §4 base45 of @len bytes into @out,
 * which must hold SNT_COSE_BASE45_LEN(@len) + 1 bytes; NUL-terminated.
 * Return: the characters written (without the NUL).
 */
size_t snt_cose_base45_encode(const uint8_t *in, size_t len, char *out);

/* snt_cose_strerror() - static English text for @err; never NULL. */
const char *snt_cose_strerror(enum snt_cose_err err);

#endif /* SNT_COSE_H */
