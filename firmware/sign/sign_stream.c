// SPDX-License-Identifier: MIT
/*
 * sign in pieces: unsealing (AES-256-GCM, then AES-256-CTR for a second
 * reading) and COSE_Sign1 ES256 verification of a message fed piece by
 * piece (sign.h), for a file that is not held whole in memory.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "cose/cose.h"
#include "sign/sign.h"
#include "sign/sign_internal.h"

#define PIECE ((size_t)1 << 30)	/* EVP takes an int */

struct snt_unseal_stream {
	EVP_CIPHER_CTX *gcm;		/* until final */
	EVP_CIPHER_CTX *ctr;		/* after final, for snt_unseal_stream_at() */
	uint8_t key[32];
	uint8_t nonce[SNT_SEAL_NONCE_LEN];
	size_t ct_len, done;
	enum { UNSEAL_FEEDING, UNSEAL_AUTHENTIC, UNSEAL_REFUSED } state;
};

enum snt_sign_err snt_unseal_stream_begin(EVP_PKEY *recipient_priv, const uint8_t head[SNT_SEAL_HEAD_LEN], size_t len,
					  struct snt_unseal_stream **out)
{
	struct snt_unseal_stream *s;
	EVP_PKEY *eph = NULL;
	uint8_t rcpt[SNT_SEAL_POINT_LEN];
	enum snt_sign_err rc;
	int outl;

	if (!recipient_priv || !head || !out)
		return SNT_SIGN_ERR_INVAL;
	*out = NULL;
	rc = sign__unseal_check(recipient_priv, len);
	if (rc)
		return rc;
	if (memcmp(head, SNT_SEAL_MAGIC, SNT_SEAL_MAGIC_LEN))
		return SNT_SIGN_ERR_MAGIC;
	eph = sign__point_key(head + SNT_SEAL_MAGIC_LEN);
	if (!eph)
		return SNT_SIGN_ERR_POINT;
	s = calloc(1, sizeof(*s));
	if (!s) {
		EVP_PKEY_free(eph);
		return SNT_SIGN_ERR_NOMEM;
	}
	rc = sign__key_point(recipient_priv, rcpt);
	if (!rc)
		rc = sign__seal_key(recipient_priv, eph, head + SNT_SEAL_MAGIC_LEN, rcpt, s->key, 1);
	EVP_PKEY_free(eph);
	if (rc)
		goto err;
	memcpy(s->nonce, head + SNT_SEAL_AAD_LEN, SNT_SEAL_NONCE_LEN);
	s->ct_len = len - SNT_SEAL_OVERHEAD;
	rc = SNT_SIGN_ERR_NOMEM;
	s->gcm = EVP_CIPHER_CTX_new();
	if (!s->gcm)
		goto err;
	rc = SNT_SIGN_ERR_CRYPTO;
	if (EVP_DecryptInit_ex(s->gcm, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(s->gcm, EVP_CTRL_GCM_SET_IVLEN, SNT_SEAL_NONCE_LEN, NULL) != 1 ||
	    EVP_DecryptInit_ex(s->gcm, NULL, NULL, s->key, s->nonce) != 1 ||
	    EVP_DecryptUpdate(s->gcm, NULL, &outl, head, SNT_SEAL_AAD_LEN) != 1)
		goto err;
	*out = s;
	return SNT_SIGN_OK;
err:
	ERR_clear_error();
	snt_unseal_stream_free(s);
	return rc;
}

/* @n bytes @in through @ctx into @out, in pieces EVP takes. */
static enum snt_sign_err decrypt(EVP_CIPHER_CTX *ctx, const uint8_t *in, size_t n, uint8_t *out)
{
	int outl;

	for (size_t off = 0; off < n;) {
		size_t k = n - off < PIECE ? n - off : PIECE;

		if (EVP_DecryptUpdate(ctx, out + off, &outl, in + off, (int)k) != 1) {
			ERR_clear_error();
			return SNT_SIGN_ERR_CRYPTO;
		}
		off += k;
	}
	return SNT_SIGN_OK;
}

enum snt_sign_err snt_unseal_stream_update(struct snt_unseal_stream *s, const uint8_t *in, size_t n, uint8_t *out)
{
	enum snt_sign_err rc;

	if (!s || (n && (!in || !out)) || s->state != UNSEAL_FEEDING || n > s->ct_len - s->done)
		return SNT_SIGN_ERR_INVAL;
	rc = decrypt(s->gcm, in, n, out);
	if (!rc)
		s->done += n;
	return rc;
}

enum snt_sign_err snt_unseal_stream_final(struct snt_unseal_stream *s, const uint8_t tag[SNT_SEAL_TAG_LEN])
{
	uint8_t t[SNT_SEAL_TAG_LEN], last[1];
	int outl;

	if (!s || !tag || s->state != UNSEAL_FEEDING || s->done != s->ct_len)
		return SNT_SIGN_ERR_INVAL;
	memcpy(t, tag, sizeof(t));
	s->state = UNSEAL_REFUSED;
	if (EVP_CIPHER_CTX_ctrl(s->gcm, EVP_CTRL_GCM_SET_TAG, SNT_SEAL_TAG_LEN, t) != 1) {
		ERR_clear_error();
		return SNT_SIGN_ERR_CRYPTO;
	}
	if (EVP_DecryptFinal_ex(s->gcm, last, &outl) != 1) {
		ERR_clear_error();
		return SNT_SIGN_ERR_AUTH;
	}
	EVP_CIPHER_CTX_free(s->gcm);
	s->gcm = NULL;
	s->state = UNSEAL_AUTHENTIC;
	return SNT_SIGN_OK;
}

enum snt_sign_err snt_unseal_stream_at(struct snt_unseal_stream *s, size_t off, const uint8_t *in, size_t n,
				       uint8_t *out)
{
	uint8_t iv[SNT_SEAL_BLOCK];
	uint64_t ctr;

	if (!s || (n && (!in || !out)) || s->state != UNSEAL_AUTHENTIC || off % SNT_SEAL_BLOCK || off > s->ct_len ||
	    n > s->ct_len - off)
		return SNT_SIGN_ERR_INVAL;
	if (!s->ctr && !(s->ctr = EVP_CIPHER_CTX_new()))
		return SNT_SIGN_ERR_NOMEM;
	/* GCM's first block of plaintext takes counter 2 (J0 = nonce || 1, then inc32); the plaintext is < 2^32 blocks. */
	ctr = 2 + off / SNT_SEAL_BLOCK;
	memcpy(iv, s->nonce, SNT_SEAL_NONCE_LEN);
	for (int i = 0; i < 4; i++)
		iv[SNT_SEAL_NONCE_LEN + i] = (uint8_t)(ctr >> (24 - 8 * i));
	if (EVP_DecryptInit_ex(s->ctr, EVP_aes_256_ctr(), NULL, s->key, iv) != 1) {
		ERR_clear_error();
		return SNT_SIGN_ERR_CRYPTO;
	}
	return decrypt(s->ctr, in, n, out);
}

void snt_unseal_stream_free(struct snt_unseal_stream *s)
{
	if (!s)
		return;
	EVP_CIPHER_CTX_free(s->gcm);
	EVP_CIPHER_CTX_free(s->ctr);
	OPENSSL_cleanse(s->key, sizeof(s->key));
	free(s);
}

/* 0xd2 0x84, protected bstr head and bytes, 0xa0, payload bstr head */
#define SIGN1_HEAD_MAX (2 + 9 + SNT_SIGN_MAX_PROTECTED + 1 + 9)
#define SIGN1_TAIL (2 + SNT_SIGN_ES256_LEN)	/* 0x58 0x40 r||s */

struct snt_sign1_stream {
	enum { SIGN1_HEAD, SIGN1_PAYLOAD, SIGN1_SIG, SIGN1_ENDED, SIGN1_FAILED } st;
	enum snt_sign_err err;		/* SIGN1_FAILED: why */
	uint8_t head[SIGN1_HEAD_MAX];
	size_t head_len;
	uint8_t kid[SNT_SIGN_KID_LEN];
	size_t payload_len, seen;
	uint8_t tail[SIGN1_TAIL];
	size_t tail_len;
	EVP_MD_CTX *md;			/* SHA-256 of the Sig_structure (RFC 9052 §4.4) */
};

enum snt_sign_err snt_sign1_stream_new(struct snt_sign1_stream **out)
{
	if (!out)
		return SNT_SIGN_ERR_INVAL;
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return SNT_SIGN_ERR_NOMEM;
	(*out)->md = EVP_MD_CTX_new();
	if (!(*out)->md) {
		free(*out);
		*out = NULL;
		return SNT_SIGN_ERR_NOMEM;
	}
	return SNT_SIGN_OK;
}

static enum snt_sign_err sign1_fail(struct snt_sign1_stream *s, enum snt_sign_err err)
{
	s->st = SIGN1_FAILED;
	s->err = err;
	return err;
}

/*
 * The head as far as it was fed, checked as sentinel_shape() checks it:
 * 1 complete (the protected header checked, the digest begun), 0 not yet,
 * or an error.
 */
static int sign1_head(struct snt_sign1_stream *s, enum snt_sign_err *err)
{
	static const char context[] = "Signature1";
	struct snt_cose_sign1 c;
	uint8_t pre[32];
	size_t pos = 2, np = 0;
	uint64_t n;

	if (s->head_len < 2)
		return 0;
	if (s->head[0] != 0xd2 || s->head[1] != 0x84) {
		*err = SNT_SIGN_ERR_NOT_COSE;
		return -1;
	}
	if (sign__bstr_head(s->head, s->head_len, &pos, &n, true))
		return 0;
	if (n > SNT_SIGN_MAX_PROTECTED) {
		*err = SNT_SIGN_ERR_NOT_COSE;
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.protected_bytes = s->head + pos;
	c.protected_len = (size_t)n;
	pos += (size_t)n;
	if (pos >= s->head_len)
		return 0;
	if (s->head[pos++] != 0xa0) {
		*err = SNT_SIGN_ERR_NOT_COSE;
		return -1;
	}
	if (sign__bstr_head(s->head, s->head_len, &pos, &n, false) || pos != s->head_len)
		return 0;
	if (n > SIZE_MAX - SIGN1_HEAD_MAX - SIGN1_TAIL) {
		*err = SNT_SIGN_ERR_NOT_COSE;
		return -1;
	}
	s->payload_len = (size_t)n;
	*err = sign__protected(&c);
	if (*err)
		return -1;
	memcpy(s->kid, c.kid, SNT_SIGN_KID_LEN);
	/* ["Signature1", protected, h'', payload] up to the payload's bytes. */
	pre[np++] = 0x84;
	np += snt_cose_cbor_put_head(pre + np, 3, sizeof(context) - 1);
	memcpy(pre + np, context, sizeof(context) - 1);
	np += sizeof(context) - 1;
	np += snt_cose_cbor_put_head(pre + np, 2, c.protected_len);
	if (EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(s->md, pre, np) != 1 ||
	    (c.protected_len && EVP_DigestUpdate(s->md, c.protected_bytes, c.protected_len) != 1)) {
		snt_cose_sign1_free(&c);
		ERR_clear_error();
		*err = SNT_SIGN_ERR_CRYPTO;
		return -1;
	}
	snt_cose_sign1_free(&c);
	np = 0;
	pre[np++] = 0x40;
	np += snt_cose_cbor_put_head(pre + np, 2, s->payload_len);
	if (EVP_DigestUpdate(s->md, pre, np) != 1) {
		ERR_clear_error();
		*err = SNT_SIGN_ERR_CRYPTO;
		return -1;
	}
	return 1;
}

enum snt_sign_err snt_sign1_stream_update(struct snt_sign1_stream *s, const uint8_t *p, size_t n)
{
	enum snt_sign_err err = SNT_SIGN_OK;

	if (!s || (n && !p))
		return SNT_SIGN_ERR_INVAL;
	if (s->st == SIGN1_FAILED)
		return s->err;
	if (s->st == SIGN1_ENDED)
		return SNT_SIGN_ERR_INVAL;
	while (n > 0) {
		if (s->st == SIGN1_HEAD) {
			int r;

			/* Byte by byte: the head is complete at exactly its own length. */
			s->head[s->head_len++] = *p++;
			n--;
			r = sign1_head(s, &err);
			if (r < 0)
				return sign1_fail(s, err);
			if (r == 0 && s->head_len == sizeof(s->head))
				return sign1_fail(s, SNT_SIGN_ERR_NOT_COSE);
			if (r > 0)
				s->st = s->payload_len ? SIGN1_PAYLOAD : SIGN1_SIG;
		} else if (s->st == SIGN1_PAYLOAD) {
			size_t k = n < s->payload_len - s->seen ? n : s->payload_len - s->seen;

			if (EVP_DigestUpdate(s->md, p, k) != 1) {
				ERR_clear_error();
				return sign1_fail(s, SNT_SIGN_ERR_CRYPTO);
			}
			s->seen += k;
			p += k;
			n -= k;
			if (s->seen == s->payload_len)
				s->st = SIGN1_SIG;
		} else {
			if (n > SIGN1_TAIL - s->tail_len)
				return sign1_fail(s, SNT_SIGN_ERR_NOT_COSE);
			memcpy(s->tail + s->tail_len, p, n);
			s->tail_len += n;
			n = 0;
		}
	}
	return SNT_SIGN_OK;
}

enum snt_sign_err snt_sign1_stream_end(struct snt_sign1_stream *s, uint8_t kid[SNT_SIGN_KID_LEN], size_t *off,
				       size_t *len)
{
	if (!s || !kid || !off || !len)
		return SNT_SIGN_ERR_INVAL;
	if (s->st == SIGN1_FAILED)
		return s->err;
	if (s->st != SIGN1_SIG || s->tail_len != SIGN1_TAIL || s->tail[0] != 0x58 ||
	    s->tail[1] != SNT_SIGN_ES256_LEN)
		return sign1_fail(s, SNT_SIGN_ERR_NOT_COSE);
	s->st = SIGN1_ENDED;
	memcpy(kid, s->kid, SNT_SIGN_KID_LEN);
	*off = s->head_len;
	*len = s->payload_len;
	return SNT_SIGN_OK;
}

enum snt_sign_err snt_sign1_stream_verify(struct snt_sign1_stream *s, EVP_PKEY *pub)
{
	uint8_t kid[SNT_SIGN_KID_LEN], digest[32];
	unsigned int dl = 0;
	enum snt_sign_err rc;
	int v;

	if (!s || !pub || s->st != SIGN1_ENDED)
		return SNT_SIGN_ERR_INVAL;
	rc = snt_sign_key_kid(pub, kid);
	if (rc)
		return rc;
	if (memcmp(kid, s->kid, SNT_SIGN_KID_LEN))
		return SNT_SIGN_ERR_KID;
	s->st = SIGN1_FAILED;	/* the digest is spent: verified once */
	s->err = SNT_SIGN_ERR_INVAL;
	if (EVP_DigestFinal_ex(s->md, digest, &dl) != 1 || dl != sizeof(digest)) {
		ERR_clear_error();
		return SNT_SIGN_ERR_NOMEM;
	}
	v = snt_cose_es256_verify_digest(pub, digest, s->tail + 2, SNT_SIGN_ES256_LEN);
	if (v == -2)
		return SNT_SIGN_ERR_NOMEM;
	if (v) {
		ERR_clear_error();
		return SNT_SIGN_ERR_SIGNATURE;
	}
	return SNT_SIGN_OK;
}

void snt_sign1_stream_free(struct snt_sign1_stream *s)
{
	if (!s)
		return;
	EVP_MD_CTX_free(s->md);
	free(s);
}
