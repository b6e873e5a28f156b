/* SPDX-License-Identifier: MIT */
/*
 * sign internals shared by sign.c and sign_stream.c (not for other
 * modules): the pieces of sealing and of COSE_Sign1 parsing that the
 * whole-message functions (sign.c) and the piecewise ones (sign_stream.c)
 * both use.
 */
#ifndef SNT_SIGN_INTERNAL_H
#define SNT_SIGN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "cose/cose.h"
#include "sign/sign.h"

/* sign__has_private() - whether @key holds its private half (1) or not (0). */
int sign__has_private(EVP_PKEY *key);

/* sign__key_point() - @key's public point, uncompressed (0x04 || X || Y). Return: SNT_SIGN_OK; _CRYPTO. */
enum snt_sign_err sign__key_point(EVP_PKEY *key, uint8_t point[SNT_SEAL_POINT_LEN]);

/*
 * sign__seal_key() - the AES-256-GCM key of a seal (sign.h): ECDH of @priv
 * and @peer, HKDF-SHA256 with salt @eph || @rcpt.  @peer_is_input: a
 * failing peer is the input's fault (SNT_SIGN_ERR_POINT), not OpenSSL's.
 * Return: SNT_SIGN_OK; _POINT; _CRYPTO; _NOMEM.
 */
enum snt_sign_err sign__seal_key(EVP_PKEY *priv, EVP_PKEY *peer, const uint8_t eph[SNT_SEAL_POINT_LEN],
				 const uint8_t rcpt[SNT_SEAL_POINT_LEN], uint8_t key[32], int peer_is_input);

/* sign__point_key() - an EC public key from an uncompressed P-256 point on the curve; NULL when not one. */
EVP_PKEY *sign__point_key(const uint8_t point[SNT_SEAL_POINT_LEN]);

/*
 * sign__unseal_check() - the checks every unseal makes before decrypting a
 * sealed message of @len bytes: a P-256 private key, at least
 * SNT_SEAL_OVERHEAD bytes, a plaintext within SNT_SEAL_MAX_PLAINTEXT.
 * Return: SNT_SIGN_OK; _INVAL; _NOT_EC; _NOT_P256; _TOO_SHORT; _TOO_LARGE.
 */
enum snt_sign_err sign__unseal_check(EVP_PKEY *recipient_priv, size_t len);

/*
 * sign__bstr_head() - one definite-length byte string head at *@pos of
 * @b (@len bytes), its length into *@n, *@pos past the head; with @whole
 * the string's bytes must lie within @len too.  Return: 0 or -1.
 */
int sign__bstr_head(const uint8_t *b, size_t len, size_t *pos, uint64_t *n, bool whole);

/*
 * sign__protected() - @c's protected header (protected_bytes/len set) as
 * sentinel signs it: a map with alg ES256 (label 1) and an 8-byte kid
 * (label 4); sets protected_map, alg, kid.  On error @c is released.
 * Return: SNT_SIGN_OK; SNT_SIGN_ERR_NOT_COSE; _ALG (PS256); _KID.
 */
enum snt_sign_err sign__protected(struct snt_cose_sign1 *c);

#endif /* SNT_SIGN_INTERNAL_H */
