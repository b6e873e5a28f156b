/* SPDX-License-Identifier: MIT */
/*
 * sign: the project's own signatures and encryption, shared by the gate
 * (`sentinelctl sync`, `sentinelctl keys`) and the bureau
 * (`sentinel-bureau`).  One crypto library, OpenSSL 3 (interfaces.md).
 *
 * Keys: ECDSA on NIST P-256 (prime256v1).  Private keys are stored as PEM
 * PKCS#8 ("-----BEGIN PRIVATE KEY-----", RFC 5208/5958, RFC 7468 §10),
 * unencrypted, mode 0600; public keys as PEM SubjectPublicKeyInfo
 * ("-----BEGIN PUBLIC KEY-----", RFC 5280 §4.1.2.7, RFC 7468 §13).
 * A key's kid is the first SNT_SIGN_KID_LEN (8) bytes of the SHA-256 of the
 * DER SubjectPublicKeyInfo of its public key (as interfaces.md's
 * certificate kid, taken over the SPKI instead of a certificate).
 *
 * Signatures: COSE_Sign1 (RFC 9052 §4.2), tagged (CBOR tag 18), algorithm
 * ES256 (RFC 9053 §2.1: ECDSA P-256 with SHA-256, signature = r || s, 32
 * bytes each, big-endian, left-padded).  The message is
 *     18([ protected = bstr .cbor {1: -7, 4: h'<kid, 8 bytes>'},
 *          unprotected = {},
 *          payload = bstr,
 *          signature = bstr (64 bytes) ])
 * and the signature covers the Sig_structure
 *     ["Signature1", protected, h'', payload] (RFC 9052 §4.4).
 * Verification goes through the same code as health-certificate
 * verification (snt_cose_sign1_parse()/snt_cose_sign1_verify() in
 * firmware/cose/, cose.h), which also builds the Sig_structure for signing.
 *
 * Sealing (encryption to one recipient, the bureau; interfaces.md):
 * ECDH on P-256, HKDF-SHA256 (RFC 5869), AES-256-GCM (NIST SP 800-38D).
 * A sealed message is, byte for byte:
 *     offset  0: "SNE1"                                       4 bytes
 *     offset  4: ephemeral public key, uncompressed SEC1
 *                point 0x04 || X || Y (SEC 1 v2 §2.3.3)       65 bytes
 *     offset 69: nonce (random)                               12 bytes
 *     offset 81: ciphertext                                   len(plaintext) bytes
 *     end - 16:  GCM authentication tag                       16 bytes
 * so a sealed message is SNT_SEAL_OVERHEAD (97) bytes longer than the
 * plaintext.  With E the fresh ephemeral key pair and R the recipient's key:
 *     Z   = ECDH(E, R): the shared point's x-coordinate, 32 bytes
 *           (SEC 1 v2 §3.3.1; OpenSSL EVP_PKEY_derive)
 *     key = HKDF-SHA256(IKM = Z,
 *                       salt = E's point (65 bytes) || R's point (65 bytes),
 *                               both uncompressed,
 *                       info = "sentinel seal v1 AES-256-GCM" (28 bytes, no NUL),
 *                       L = 32)
 *     AAD = the first 69 bytes ("SNE1" || E's point)
 *     ciphertext, tag = AES-256-GCM(key, nonce, AAD, plaintext), 16-byte tag.
 * The plaintext is at most SNT_SEAL_MAX_PLAINTEXT (256 MiB) bytes.
 *
 * No state: every function works on its arguments only.  Nothing here
 * prints.  Errors are returned; no function aborts.
 */
#ifndef SNT_SIGN_H
#define SNT_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "common/common.h"

enum snt_sign_err {
	SNT_SIGN_OK = 0,
	SNT_SIGN_ERR_INVAL,	/* NULL or out-of-range argument */
	SNT_SIGN_ERR_NOMEM,
	SNT_SIGN_ERR_CRYPTO,	/* OpenSSL failed where it should not (key generation, RNG, ...) */
	/* key files */
	SNT_SIGN_ERR_OPEN,	/* the file cannot be opened (errno kept: ENOENT, EACCES, ...) */
	SNT_SIGN_ERR_NOTREG,	/* the path is not a regular file (directory, FIFO, device) */
	SNT_SIGN_ERR_READ,	/* reading failed, or the file is larger than SNT_SIGN_MAX_KEY_FILE */
	SNT_SIGN_ERR_EXISTS,	/* refusing to overwrite an existing file */
	SNT_SIGN_ERR_WRITE,	/* creating, writing, fsync or rename failed (errno kept) */
	SNT_SIGN_ERR_NOT_PEM,	/* no PEM key of the expected kind (private / public) in the file or buffer */
	SNT_SIGN_ERR_NOT_EC,	/* a key, but not an elliptic-curve key (RSA, Ed25519, ...) */
	SNT_SIGN_ERR_NOT_P256,	/* an EC key on a curve other than P-256 */
	/* COSE_Sign1 */
	SNT_SIGN_ERR_NOT_COSE,	/* not COSE_Sign1 as sentinel signs it (raw layout, CBOR, tag, headers) */
	SNT_SIGN_ERR_ALG,	/* algorithm not ES256 (PS256 from a certificate), or not in the protected header */
	SNT_SIGN_ERR_KID,	/* the kid is missing or is not the key's: signed by another key */
	SNT_SIGN_ERR_SIGNATURE,	/* the kid matches but the signature does not verify */
	/* sealing */
	SNT_SIGN_ERR_TOO_LARGE,	/* plaintext above SNT_SEAL_MAX_PLAINTEXT (or sealed input above it + overhead) */
	SNT_SIGN_ERR_TOO_SHORT,	/* sealed input shorter than SNT_SEAL_OVERHEAD bytes */
	SNT_SIGN_ERR_MAGIC,	/* sealed input not starting with "SNE1" */
	SNT_SIGN_ERR_POINT,	/* the ephemeral public key is not a point on P-256 */
	SNT_SIGN_ERR_AUTH,	/* GCM authentication failed: wrong recipient key, or tampered/truncated data */
};

#define SNT_SIGN_KID_LEN 8		/* bytes of kid */
#define SNT_SIGN_ES256_LEN 64		/* r || s */
#define SNT_SIGN_MAX_PROTECTED 64	/* largest protected header accepted, bytes (ours is 13) */
#define SNT_SIGN_MAX_KEY_FILE 65536	/* largest key file read, bytes */

#define SNT_SEAL_MAGIC "SNE1"
#define SNT_SEAL_MAGIC_LEN 4
#define SNT_SEAL_POINT_LEN 65		/* uncompressed SEC1 P-256 point */
#define SNT_SEAL_NONCE_LEN 12
#define SNT_SEAL_TAG_LEN 16
#define SNT_SEAL_AAD_LEN (SNT_SEAL_MAGIC_LEN + SNT_SEAL_POINT_LEN)	/* 69 */
#define SNT_SEAL_OVERHEAD (SNT_SEAL_AAD_LEN + SNT_SEAL_NONCE_LEN + SNT_SEAL_TAG_LEN)	/* 97 */
#define SNT_SEAL_MAX_PLAINTEXT ((size_t)256 << 20)	/* 256 MiB */
#define SNT_SEAL_INFO "sentinel seal v1 AES-256-GCM"

/*
 * ---- Keys ----
 * Every EVP_PKEY returned is owned by the caller: EVP_PKEY_free() it.
 * Functions taking a key accept any EVP_PKEY holding a P-256 key (public
 * only where only the public half is needed).
 */

/*
 * snt_sign_key_generate() - a new P-256 key pair from OpenSSL's CSPRNG.
 * @out: receives the key pair.
 * Return: SNT_SIGN_OK; SNT_SIGN_ERR_INVAL for @out NULL;
 * SNT_SIGN_ERR_CRYPTO when OpenSSL could not generate it.
 */
enum snt_sign_err snt_sign_key_generate(EVP_PKEY **out) SNT_WUR;

/*
 * snt_sign_key_check() - whether @key is an EC key on P-256.
 * Return: SNT_SIGN_OK; SNT_SIGN_ERR_INVAL for NULL; SNT_SIGN_ERR_NOT_EC;
 * SNT_SIGN_ERR_NOT_P256.
 */
enum snt_sign_err snt_sign_key_check(EVP_PKEY *key) SNT_WUR;

/*
 * snt_sign_key_write_private() - write @key's private key as PEM PKCS#8
 * (unencrypted) to @path, mode 0600, durably: written to a temporary file
 * in the same directory ("<path>.tmp.XXXXXX", created O_EXCL, mode 0600),
 * fsync'd, renamed onto @path only if @path does not exist
 * (renameat2(RENAME_NOREPLACE); link(2) + unlink where the file system
 * lacks it, so a concurrent writer cannot be overwritten either), then the
 * directory fsync'd.  On any error the temporary is removed and @path is untouched.
 * Return: SNT_SIGN_OK; SNT_SIGN_ERR_INVAL for NULL, or a key without its
 * private half; SNT_SIGN_ERR_NOT_EC / _NOT_P256 for another kind of key;
 * SNT_SIGN_ERR_EXISTS when @path exists (any kind of file, a dangling
 * symlink included); SNT_SIGN_ERR_WRITE when the directory is missing or
 * not writable, the disk is full, or fsync failed (errno kept);
 * SNT_SIGN_ERR_NOMEM; SNT_SIGN_ERR_CRYPTO when OpenSSL could not encode.
 */
enum snt_sign_err snt_sign_key_write_private(EVP_PKEY *key, const char *path) SNT_WUR;

/*
 * snt_sign_key_write_public() - write @key's public key as PEM
 * SubjectPublicKeyInfo to @path, mode 0644, with the same durable
 * no-overwrite procedure and errors as snt_sign_key_write_private()
 * (@key may hold only the public half).
 */
enum snt_sign_err snt_sign_key_write_public(EVP_PKEY *key, const char *path) SNT_WUR;

/*
 * snt_sign_key_load_private() - read a PEM private key (PKCS#8 "PRIVATE
 * KEY", or SEC 1 "EC PRIVATE KEY"; unencrypted) from @path.
 * The file is opened with snt_fopen_regular() and must hold at most
 * SNT_SIGN_MAX_KEY_FILE bytes.  Its mode is not checked here (the caller
 * may warn about a key readable by others).
 * @out: receives the key pair.
 * Return: SNT_SIGN_OK; SNT_SIGN_ERR_INVAL for NULL; SNT_SIGN_ERR_OPEN
 * (errno kept); SNT_SIGN_ERR_NOTREG; SNT_SIGN_ERR_READ (I/O error or too
 * large); SNT_SIGN_ERR_NOT_PEM when no PEM private key is found (garbage,
 * empty file, a public key, an encrypted key); SNT_SIGN_ERR_NOT_EC (e.g.
 * an RSA key); SNT_SIGN_ERR_NOT_P256; SNT_SIGN_ERR_NOMEM.
 */
enum snt_sign_err snt_sign_key_load_private(const char *path, EVP_PKEY **out) SNT_WUR;

/*
 * snt_sign_key_load_public() - read a PEM SubjectPublicKeyInfo ("PUBLIC
 * KEY") from @path; the same file checks and errors as
 * snt_sign_key_load_private() (a private key file is SNT_SIGN_ERR_NOT_PEM:
 * public keys are installed as public keys).
 */
enum snt_sign_err snt_sign_key_load_public(const char *path, EVP_PKEY **out) SNT_WUR;

/*
 * snt_sign_key_public_from_pem() - parse a PEM SubjectPublicKeyInfo held in
 * memory (@len bytes, need not be NUL-terminated; at most
 * SNT_SIGN_MAX_KEY_FILE), e.g. a device key registered with the bureau.
 * Return: as snt_sign_key_load_public() without the file errors.
 */
enum snt_sign_err snt_sign_key_public_from_pem(const char *pem, size_t len, EVP_PKEY **out) SNT_WUR;

/*
 * snt_sign_ca_pem_check() - whether @pem (@len bytes, need not be
 * NUL-terminated) is a CA bundle as TLS clients read one: one or more PEM
 * "CERTIFICATE" blocks (RFC 7468 §5), each an X.509 certificate
 * (RFC 5280) that decodes, and nothing else but text between them.
 * Return: SNT_SIGN_OK; SNT_SIGN_ERR_INVAL for NULL; SNT_SIGN_ERR_NOT_PEM
 * when there is no certificate, a block is of another kind or one does not
 * decode; SNT_SIGN_ERR_NOMEM.
 */
enum snt_sign_err snt_sign_ca_pem_check(const char *pem, size_t len) SNT_WUR;

/*
 * snt_sign_key_public_pem() - @key's public key as PEM SubjectPublicKeyInfo
 * text into a new NUL-terminated buffer *@pem (free()), *@len without the NUL.
 * Return: SNT_SIGN_OK; SNT_SIGN_ERR_INVAL; SNT_SIGN_ERR_NOT_EC / _NOT_P256;
 * SNT_SIGN_ERR_NOMEM; SNT_SIGN_ERR_CRYPTO.
 */
enum snt_sign_err snt_sign_key_public_pem(EVP_PKEY *key, char **pem, size_t *len) SNT_WUR;

/*
 * snt_sign_key_kid() - @key's kid: the first 8 bytes of SHA-256 over the
 * DER SubjectPublicKeyInfo of its public key.
 * @kid: receives SNT_SIGN_KID_LEN bytes.
 * Return: SNT_SIGN_OK; SNT_SIGN_ERR_INVAL; SNT_SIGN_ERR_NOT_EC / _NOT_P256;
 * SNT_SIGN_ERR_NOMEM; SNT_SIGN_ERR_CRYPTO.
 */
enum snt_sign_err snt_sign_key_kid(EVP_PKEY *key, uint8_t kid[SNT_SIGN_KID_LEN]) SNT_WUR;

/*
 * ---- COSE_Sign1 ES256 ----
 */

/*
 * snt_sign1_es256() - sign @payload (@len bytes, may be 0) as a tagged
 * COSE_Sign1 with ES256 and the key's kid in the protected header (layout
 * at the top of this file).  ECDSA nonces come from OpenSSL (random), so
 * two signatures of the same payload differ; both verify.
 * @key: a P-256 private key.
 * @out: receives the message (free()), @out_len its size.
 * Return: SNT_SIGN_OK; SNT_SIGN_ERR_INVAL for NULL (@payload may be NULL
 * when @len is 0), a key without private half, or @len above
 * SNT_SEAL_MAX_PLAINTEXT; SNT_SIGN_ERR_NOT_EC / _NOT_P256;
 * SNT_SIGN_ERR_NOMEM; SNT_SIGN_ERR_CRYPTO.
 */
enum snt_sign_err snt_sign1_es256(EVP_PKEY *key, const uint8_t *payload, size_t len, uint8_t **out,
				  size_t *out_len) SNT_WUR;

/*
 * snt_sign1_kid() - the kid of a COSE_Sign1 without verifying it (to find
 * the key to verify with).  The raw bytes are first checked to be exactly
 * the layout snt_sign1_es256() writes (below), then parsed with
 * snt_cose_sign1_parse().
 * @kid: receives SNT_SIGN_KID_LEN bytes.
 * Return: SNT_SIGN_OK; SNT_SIGN_ERR_INVAL for NULL; SNT_SIGN_ERR_NOT_COSE;
 * SNT_SIGN_ERR_ALG when not ES256 in the protected header; SNT_SIGN_ERR_KID when the protected
 * header has no kid of 8 bytes; SNT_SIGN_ERR_NOMEM.
 */
enum snt_sign_err snt_sign1_kid(const uint8_t *buf, size_t len, uint8_t kid[SNT_SIGN_KID_LEN]) SNT_WUR;

/*
 * snt_sign1_peek() - snt_sign1_kid() and where the still unverified
 * payload lies in @buf (*@payload, borrowed; *@payload_len), to find the
 * key that is to verify it.  Nothing of the payload is decoded or copied.
 * Return: as snt_sign1_kid().
 */
enum snt_sign_err snt_sign1_peek(const uint8_t *buf, size_t len, uint8_t kid[SNT_SIGN_KID_LEN],
				 const uint8_t **payload, size_t *payload_len) SNT_WUR;

/*
 * snt_sign1_open() - verify a COSE_Sign1 made by snt_sign1_es256() with
 * @pub and return its payload.  Steps: before libcbor loads anything, the
 * raw bytes must be exactly what snt_sign1_es256() writes: 0xd2 (tag 18),
 * 0x84 (array of 4), the protected header a definite-length byte string of
 * at most SNT_SIGN_MAX_PROTECTED bytes, the unprotected header exactly the
 * empty map 0xa0, the payload a definite-length byte string, the signature
 * 0x58 0x40 and 64 bytes, nothing after (anything else is
 * SNT_SIGN_ERR_NOT_COSE, "not COSE_Sign1 as sentinel signs it": a hostile
 * header of millions of items is refused without allocating); then
 * snt_cose_sign1_parse(), algorithm ES256 in the protected header, kid
 * in the protected header (8 bytes) equal to @pub's kid,
 * snt_cose_sign1_verify().  The payload is not decoded here: callers
 * decode it only after this verified it.
 * @pub: a P-256 public key (or key pair).
 * @payload: receives a copy of the payload (free(); a 1-byte allocation
 *     when it is empty), @payload_len its size.  Untouched on error.
 * Return: SNT_SIGN_OK; SNT_SIGN_ERR_INVAL for NULL; SNT_SIGN_ERR_NOT_EC /
 * _NOT_P256 for @pub; SNT_SIGN_ERR_NOT_COSE; SNT_SIGN_ERR_ALG;
 * SNT_SIGN_ERR_KID (no protected kid, or another key's: the message was
 * signed by a key other than @pub); SNT_SIGN_ERR_SIGNATURE (the payload,
 * header or signature was altered); SNT_SIGN_ERR_NOMEM.
 */
enum snt_sign_err snt_sign1_open(const uint8_t *buf, size_t len, EVP_PKEY *pub, uint8_t **payload,
				 size_t *payload_len) SNT_WUR;

/*
 * snt_sign1_verify() - snt_sign1_open() without the copy: the same checks
 * and errors, the payload handed back where it lies in @buf.  Only the
 * protected header is decoded and the Sig_structure is digested in pieces,
 * so verifying costs no memory in proportion to the payload.
 * @payload: receives a pointer into @buf (borrowed: valid while @buf is),
 *     @payload_len its size.  Untouched on error.
 * Return: as snt_sign1_open().
 */
enum snt_sign_err snt_sign1_verify(const uint8_t *buf, size_t len, EVP_PKEY *pub, const uint8_t **payload,
				   size_t *payload_len) SNT_WUR;

/*
 * ---- Sealing: ECDH P-256 + HKDF-SHA256 + AES-256-GCM ----
 */

/*
 * snt_seal() - encrypt @in (@len bytes, may be 0) to @recipient_pub with a
 * fresh ephemeral key and a random nonce; layout at the top of this file.
 * @out: receives @len + SNT_SEAL_OVERHEAD bytes (free()), @out_len its size.
 * Return: SNT_SIGN_OK; SNT_SIGN_ERR_INVAL for NULL (@in may be NULL when
 * @len is 0); SNT_SIGN_ERR_TOO_LARGE above SNT_SEAL_MAX_PLAINTEXT;
 * SNT_SIGN_ERR_NOT_EC / _NOT_P256 for the key; SNT_SIGN_ERR_NOMEM;
 * SNT_SIGN_ERR_CRYPTO.
 */
enum snt_sign_err snt_seal(EVP_PKEY *recipient_pub, const uint8_t *in, size_t len, uint8_t **out,
			   size_t *out_len) SNT_WUR;

/*
 * snt_unseal() - decrypt a message made by snt_seal() with the recipient's
 * private key.  Nothing is returned unless the GCM tag verifies.
 * @out: receives the plaintext (free(); a 1-byte allocation when empty),
 *     @out_len its size.  Untouched on error.
 * Return: SNT_SIGN_OK; SNT_SIGN_ERR_INVAL for NULL or a key without its
 * private half; SNT_SIGN_ERR_NOT_EC / _NOT_P256 for the key;
 * SNT_SIGN_ERR_TOO_SHORT below SNT_SEAL_OVERHEAD bytes;
 * SNT_SIGN_ERR_TOO_LARGE above SNT_SEAL_MAX_PLAINTEXT + SNT_SEAL_OVERHEAD;
 * SNT_SIGN_ERR_MAGIC; SNT_SIGN_ERR_POINT (not an uncompressed point on
 * P-256); SNT_SIGN_ERR_AUTH (wrong key, or any byte altered, or truncated
 * past the header); SNT_SIGN_ERR_NOMEM; SNT_SIGN_ERR_CRYPTO.
 */
enum snt_sign_err snt_unseal(EVP_PKEY *recipient_priv, const uint8_t *in, size_t len, uint8_t **out,
			     size_t *out_len) SNT_WUR;

/*
 * snt_unseal_inplace() - snt_unseal() decrypting in @buf itself (@len
 * bytes, the whole sealed message): no second buffer of the message's size.
 * @out: receives a pointer into @buf where the plaintext now lies
 *     (buf + SNT_SEAL_AAD_LEN + SNT_SEAL_NONCE_LEN), @out_len its size.
 * On error @buf's ciphertext may have been overwritten (with zeros where
 * it was decrypted but did not authenticate): the message is spent.
 * Return: as snt_unseal().
 */
enum snt_sign_err snt_unseal_inplace(EVP_PKEY *recipient_priv, uint8_t *buf, size_t len, uint8_t **out,
				     size_t *out_len) SNT_WUR;

/*
 * ---- In pieces: a sealed, signed message read from a file ----
 * What snt_unseal() and snt_sign1_verify() check, for a message that is
 * not held whole in memory: it is fed in pieces in order, and what either
 * costs does not grow with it.  Nothing decrypted may be trusted before
 * snt_unseal_stream_final() returned SNT_SIGN_OK, nor the payload before
 * snt_sign1_stream_verify() did.
 */
struct snt_unseal_stream;

#define SNT_SEAL_HEAD_LEN (SNT_SEAL_AAD_LEN + SNT_SEAL_NONCE_LEN)	/* 81: before the ciphertext */
#define SNT_SEAL_BLOCK 16					/* AES block: snt_unseal_stream_at() offsets */

/*
 * snt_unseal_stream_begin() - start unsealing a sealed message of @len
 * bytes in all whose first SNT_SEAL_HEAD_LEN bytes are @head: its
 * ciphertext is then len - SNT_SEAL_OVERHEAD bytes, its tag the last
 * SNT_SEAL_TAG_LEN.
 * @out: receives the stream (snt_unseal_stream_free()).
 * Return: SNT_SIGN_OK; the errors of snt_unseal() but _AUTH (which
 * snt_unseal_stream_final() reports).
 */
enum snt_sign_err snt_unseal_stream_begin(EVP_PKEY *recipient_priv, const uint8_t head[SNT_SEAL_HEAD_LEN], size_t len,
					  struct snt_unseal_stream **out) SNT_WUR;

/*
 * snt_unseal_stream_update() - decrypt the ciphertext's next @n bytes @in
 * into @out (@n bytes; may be @in itself).
 * Return: SNT_SIGN_OK; SNT_SIGN_ERR_INVAL for NULL, more bytes than the
 * ciphertext holds, or a stream already finished; SNT_SIGN_ERR_CRYPTO.
 */
enum snt_sign_err snt_unseal_stream_update(struct snt_unseal_stream *s, const uint8_t *in, size_t n,
					   uint8_t *out) SNT_WUR;

/*
 * snt_unseal_stream_final() - check the GCM tag @tag once every byte of the
 * ciphertext went through snt_unseal_stream_update().
 * Return: SNT_SIGN_OK: everything decrypted is authentic; SNT_SIGN_ERR_AUTH
 * (a byte altered, the wrong recipient key); SNT_SIGN_ERR_INVAL (NULL,
 * ciphertext missing, called twice).
 */
enum snt_sign_err snt_unseal_stream_final(struct snt_unseal_stream *s, const uint8_t tag[SNT_SEAL_TAG_LEN]) SNT_WUR;

/*
 * snt_unseal_stream_at() - after snt_unseal_stream_final() returned
 * SNT_SIGN_OK, decrypt any part of the same ciphertext again: @n bytes @in
 * that lie at @off of the ciphertext (@off a multiple of SNT_SEAL_BLOCK)
 * into @out (may be @in), with AES-256-CTR from @off's counter block as GCM
 * (NIST SP 800-38D §7.2) encrypted them.  No tag covers the part by
 * itself: the caller makes sure @in are the bytes that were authenticated.
 * Return: SNT_SIGN_OK; SNT_SIGN_ERR_INVAL (NULL, not authenticated, @off not
 * aligned, past the ciphertext); SNT_SIGN_ERR_CRYPTO.
 */
enum snt_sign_err snt_unseal_stream_at(struct snt_unseal_stream *s, size_t off, const uint8_t *in, size_t n,
				       uint8_t *out) SNT_WUR;

/* snt_unseal_stream_free() - the stream, its key wiped; NULL does nothing. */
void snt_unseal_stream_free(struct snt_unseal_stream *s);

struct snt_sign1_stream;

/* snt_sign1_stream_new() - a verifier of one COSE_Sign1 fed in pieces. Return: SNT_SIGN_OK; _INVAL; _NOMEM. */
enum snt_sign_err snt_sign1_stream_new(struct snt_sign1_stream **out) SNT_WUR;

/*
 * snt_sign1_stream_update() - the message's next @n bytes: its head is
 * checked as snt_sign1_verify() checks it, the Sig_structure digested.
 * Return: SNT_SIGN_OK; SNT_SIGN_ERR_NOT_COSE (not the layout
 * snt_sign1_es256() writes: a bad head, bytes after the signature), _ALG,
 * _KID (no 8-byte kid in the protected header); once one is returned,
 * every later call returns it again; _NOMEM; _CRYPTO; _INVAL for NULL.
 */
enum snt_sign_err snt_sign1_stream_update(struct snt_sign1_stream *s, const uint8_t *p, size_t n) SNT_WUR;

/*
 * snt_sign1_stream_end() - the whole message was fed: its kid (unverified,
 * to find the key) and where its payload lies in it (@off, @len bytes).
 * Return: as snt_sign1_stream_update(); SNT_SIGN_ERR_NOT_COSE too for a
 * message that ended early.
 */
enum snt_sign_err snt_sign1_stream_end(struct snt_sign1_stream *s, uint8_t kid[SNT_SIGN_KID_LEN], size_t *off,
				       size_t *len) SNT_WUR;

/*
 * snt_sign1_stream_verify() - after snt_sign1_stream_end(): the signature
 * with @pub, as snt_sign1_verify().
 * Return: SNT_SIGN_OK; SNT_SIGN_ERR_KID (@pub's kid is not the message's);
 * SNT_SIGN_ERR_SIGNATURE; SNT_SIGN_ERR_NOT_EC / _NOT_P256; SNT_SIGN_ERR_INVAL
 * (NULL, or not ended); SNT_SIGN_ERR_NOMEM.
 */
enum snt_sign_err snt_sign1_stream_verify(struct snt_sign1_stream *s, EVP_PKEY *pub) SNT_WUR;

/* snt_sign1_stream_free() - NULL does nothing. */
void snt_sign1_stream_free(struct snt_sign1_stream *s);

/* snt_sign_strerror() - static English text for @err; never NULL. */
const char *snt_sign_strerror(enum snt_sign_err err);

#endif /* SNT_SIGN_H */
