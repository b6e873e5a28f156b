/* SPDX-License-Identifier: MIT */
/*
 * trust: the issuer keys the gate accepts, loaded from local files and never
 * fetched at verification time.  Sources:
 *   - an X.509 certificate, DER or PEM (several PEM certificates may follow
 *     each other in one file): a DCC document signer certificate; its key id
 *     is the first 8 bytes of the SHA-256 of its DER encoding (DCC technical
 *     specifications v1.3, §3.3.1 "kid");
 *   - a DCC trust list: a JSON array of objects with "rawData" (base64 DER
 *     certificate), as the DCC gateway publishes them;
 *   - a DID document (W3C DID core; NZCP spec §"Trusted issuers"): every
 *     verificationMethod with a publicKeyJwk that assertionMethod lists;
 *     issuer = the document's "id", key id = the fragment after '#';
 *   - a JWK set (RFC 7517 §5; SMART Health Cards §"Determining keys"):
 *     every EC P-256 key with a "kid"; issuer = "" (any).
 *   - a directory: every regular file in it of the kinds above, in name
 *     order (files that are none of them are skipped, not errors).
 */
#ifndef SNT_TRUST_H
#define SNT_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/common.h"

enum snt_trust_err {
	SNT_TRUST_OK = 0,
	SNT_TRUST_ERR_INVAL,	/* NULL argument */
	SNT_TRUST_ERR_NOMEM,
	SNT_TRUST_ERR_IO,	/* the file or directory cannot be read (errno kept) */
	SNT_TRUST_ERR_FORMAT,	/* a file that is none of the kinds above, or malformed */
	SNT_TRUST_ERR_EMPTY,	/* a file or directory that yielded no key */
	SNT_TRUST_ERR_FULL,	/* more than SNT_TRUST_MAX_KEYS keys */
};

#define SNT_TRUST_MAX_KEYS 4096
#define SNT_TRUST_KID_MAX 64

struct snt_trust_key {
	uint8_t kid[SNT_TRUST_KID_MAX];
	size_t kid_len;
	char issuer[128];	/* DID document id; "" for certificates and JWK sets */
	EVP_PKEY *pkey;		/* owned by the store */
	X509 *cert;		/* owned by the store; NULL for JWK keys */
};

struct snt_trust;

/*
 * snt_trust_new() - an empty store.
 * @out: receives the store; free it with snt_trust_free().
 * Return: SNT_TRUST_OK; SNT_TRUST_ERR_INVAL if @out is NULL; SNT_TRUST_ERR_NOMEM.
 */
enum snt_trust_err snt_trust_new(struct snt_trust **out) SNT_WUR;

/* snt_trust_free() - free the store and its keys; NULL does nothing. */
void snt_trust_free(struct snt_trust *t);

/*
 * snt_trust_load() - add the keys of a file or directory (kinds above).
 * @path: the file or directory; not retained.
 * Return: SNT_TRUST_OK; SNT_TRUST_ERR_IO when it cannot be opened or read
 * (errno set); SNT_TRUST_ERR_FORMAT for a file of no known kind or a
 * malformed one (keys of a directory's earlier files stay added);
 * SNT_TRUST_ERR_EMPTY when nothing usable was found; SNT_TRUST_ERR_FULL;
 * SNT_TRUST_ERR_NOMEM.
 */
enum snt_trust_err snt_trust_load(struct snt_trust *t, const char *path) SNT_WUR;

/*
 * snt_trust_load_buffer() - add the keys of one file's content already in
 * memory (@buf, @len bytes; not retained; need not be NUL-terminated for
 * DER, JSON and PEM are parsed within @len), of the file kinds above.
 * Return: SNT_TRUST_OK; SNT_TRUST_ERR_INVAL (NULL); SNT_TRUST_ERR_EMPTY
 * for 0 bytes; SNT_TRUST_ERR_FORMAT for content of no known kind, a
 * malformed one or one over the file size limit; SNT_TRUST_ERR_FULL;
 * SNT_TRUST_ERR_NOMEM.
 */
enum snt_trust_err snt_trust_load_buffer(struct snt_trust *t, const char *buf, size_t len) SNT_WUR;

/*
 * snt_trust_add_der() - add one DER certificate (RFC 5280 §4.1).
 * @der, @len: the certificate; copied.
 * Return: SNT_TRUST_OK; SNT_TRUST_ERR_FORMAT when it does not parse or
 * has no usable public key; SNT_TRUST_ERR_FULL; SNT_TRUST_ERR_NOMEM.
 */
enum snt_trust_err snt_trust_add_der(struct snt_trust *t, const uint8_t *der, size_t len) SNT_WUR;

/* snt_trust_count() - number of keys in the store (0 for NULL). */
size_t snt_trust_count(const struct snt_trust *t);

/*
 * snt_trust_find() - the next key with this key id, and, when @issuer is
 * non-NULL, this issuer.
 * @kid, @kid_len: the key id bytes.
 * @pos: in: where to start (0 first); out: the position after the match,
 *	so repeated calls visit every key with the same id (DCC key ids may
 *	collide: DCC v1.3 §3.3.1).
 * Return: the key (owned by the store, valid until snt_trust_free()), or NULL.
 */
const struct snt_trust_key *snt_trust_find(const struct snt_trust *t, const uint8_t *kid, size_t kid_len,
					   const char *issuer, size_t *pos);

/* snt_trust_strerror() - one line describing @err; never NULL. */
const char *snt_trust_strerror(enum snt_trust_err err);

#endif /* SNT_TRUST_H */
