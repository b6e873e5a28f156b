// SPDX-License-Identifier: MIT
/*
 * CBOR well-formedness (RFC 8949), COSE_Sign1 (RFC 9052 §4.2, §4.4) and the
 * ES256/PS256 signature checks (RFC 9053 §2.1, RFC 8230 §2) with OpenSSL 3.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "common/i18n.h"
#include "cose/cose.h"

/*
 * One data item at *pos; RFC 8949 §3 major types, §3.2 indefinite lengths.
 * Every item takes at least one byte, so a count beyond the bytes left
 * cannot be honest.  Return 0 or -1.
 */
/*
 * libcbor 0.8 refuses one-byte tag heads 6..20 (0xc6..0xd4) as malformed,
 * COSE_Sign1's tag 18 among them: their positions are noted so that
 * snt_cose_cbor_load() can hand libcbor the equivalent two-byte head 0xd8 NN.
 */
struct walk {
	size_t fix[32];
	size_t nfix;
};

static int cbor_item(const uint8_t *b, size_t len, size_t *pos, unsigned int depth, struct walk *w)
{
	uint8_t ib, mt, ai;
	uint64_t arg = 0;
	size_t left;

	if (depth > SNT_COSE_CBOR_MAX_DEPTH || *pos >= len)
		return -1;
	ib = b[(*pos)++];
	mt = ib >> 5;
	ai = ib & 0x1f;
	if (ai < 24) {
		arg = ai;
	} else if (ai <= 27) {
		size_t n = (size_t)1 << (ai - 24);

		if (len - *pos < n)
			return -1;
		for (size_t i = 0; i < n; i++)
			arg = arg << 8 | b[(*pos)++];
	} else if (ai == 31) {
		/* Indefinite length: strings, arrays, maps only (§3.2). */
		if (mt == 2 || mt == 3) {
			for (;;) {
				if (*pos >= len)
					return -1;
				if (b[*pos] == 0xff) {
					(*pos)++;
					return 0;
				}
				/* Chunks are definite strings of the same major type. */
				if ((b[*pos] >> 5) != mt || (b[*pos] & 0x1f) == 31)
					return -1;
				if (cbor_item(b, len, pos, depth + 1, w))
					return -1;
			}
		}
		if (mt == 4 || mt == 5) {
			for (unsigned int k = 0;; k++) {
				if (*pos >= len)
					return -1;
				if (b[*pos] == 0xff) {
					(*pos)++;
					return mt == 5 && (k & 1) ? -1 : 0;
				}
				if (cbor_item(b, len, pos, depth + 1, w))
					return -1;
			}
		}
		return -1;
	} else {
		return -1;	/* 28-30 reserved */
	}
	left = len - *pos;
	switch (mt) {
	case 0:
	case 1:
		return 0;
	case 2:
	case 3:
		if (arg > left)
			return -1;
		*pos += (size_t)arg;
		return 0;
	case 4:
	case 5:
		if (arg > left || (mt == 5 && arg > left / 2))
			return -1;
		for (uint64_t i = 0; i < (mt == 5 ? arg * 2 : arg); i++)
			if (cbor_item(b, len, pos, depth + 1, w))
				return -1;
		return 0;
	case 6:
		if (ai >= 6 && ai <= 20) {
			if (w->nfix >= SNT_ARRAY_SIZE(w->fix))
				return -1;
			w->fix[w->nfix++] = *pos - 1;
		}
		return cbor_item(b, len, pos, depth + 1, w);
	default:
		/* Major type 7: simple values and floats; simple values 24-31 are not well-formed (§3.3). */
		if (ai == 24 && arg < 32)
			return -1;
		return 0;
	}
}

static int walk_all(const uint8_t *buf, size_t len, struct walk *w)
{
	size_t pos = 0;

	w->nfix = 0;
	if (!buf || len == 0)
		return -1;
	if (cbor_item(buf, len, &pos, 0, w))
		return -1;
	return pos == len ? 0 : -1;
}

int snt_cose_cbor_check(const uint8_t *buf, size_t len)
{
	struct walk w;

	return walk_all(buf, len, &w);
}

cbor_item_t *snt_cose_cbor_load(const uint8_t *buf, size_t len)
{
	struct cbor_load_result res;
	cbor_item_t *item;
	uint8_t *copy = NULL;
	struct walk w;

	if (walk_all(buf, len, &w))
		return NULL;
	if (w.nfix) {
		size_t o = 0, f = 0;

		copy = malloc(len + w.nfix);
		if (!copy)
			return NULL;
		for (size_t i = 0; i < len; i++) {
			if (f < w.nfix && w.fix[f] == i) {
				copy[o++] = 0xd8;
				copy[o++] = buf[i] & 0x1f;
				f++;
			} else {
				copy[o++] = buf[i];
			}
		}
		buf = copy;
		len = o;
	}
	item = cbor_load(buf, len, &res);
	free(copy);
	if (item && res.error.code != CBOR_ERR_NONE) {
		cbor_decref(&item);
		return NULL;
	}
	return item;
}

cbor_item_t *snt_cose_map_int(const cbor_item_t *map, int64_t key)
{
	struct cbor_pair *pairs;
	size_t n;

	if (!map || !cbor_isa_map(map))
		return NULL;
	pairs = cbor_map_handle(map);
	n = cbor_map_size(map);
	for (size_t i = 0; i < n; i++) {
		int64_t k;

		if ((cbor_isa_uint(pairs[i].key) || cbor_isa_negint(pairs[i].key)) &&
		    !snt_cose_cbor_int(pairs[i].key, &k) && k == key)
			return pairs[i].value;
	}
	return NULL;
}

cbor_item_t *snt_cose_map_str(const cbor_item_t *map, const char *key)
{
	struct cbor_pair *pairs;
	size_t n, kl = strlen(key);

	if (!map || !cbor_isa_map(map))
		return NULL;
	pairs = cbor_map_handle(map);
	n = cbor_map_size(map);
	for (size_t i = 0; i < n; i++) {
		cbor_item_t *k = pairs[i].key;

		if (cbor_isa_string(k) && cbor_string_is_definite(k) && cbor_string_length(k) == kl &&
		    !memcmp(cbor_string_handle(k), key, kl))
			return pairs[i].value;
	}
	return NULL;
}

int snt_cose_cbor_int(const cbor_item_t *item, int64_t *out)
{
	uint64_t v;

	if (!item)
		return -1;
	if (cbor_isa_uint(item) || cbor_isa_negint(item)) {
		v = cbor_get_int(item);
		if (v > INT64_MAX)
			return -1;
		*out = cbor_isa_uint(item) ? (int64_t)v : -1 - (int64_t)v;
		return 0;
	}
	if (cbor_isa_float_ctrl(item) && !cbor_float_ctrl_is_ctrl(item)) {
		double d = cbor_float_get_float(item);

		if (!(d >= -9.2e18 && d <= 9.2e18))
			return -1;
		*out = (int64_t)d;
		return 0;
	}
	if (cbor_isa_tag(item) && cbor_tag_value(item) == 1) {
		/* Tag 1: epoch-based date/time (RFC 8949 §3.4.2). */
		cbor_item_t *inner = cbor_tag_item(item);
		int rc = snt_cose_cbor_int(inner, out);

		cbor_decref(&inner);
		return rc;
	}
	return -1;
}

int snt_cose_cbor_text(const cbor_item_t *item, char *buf, size_t size)
{
	size_t n;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	if (!item || !cbor_isa_string(item) || !cbor_string_is_definite(item))
		return -1;
	n = cbor_string_length(item);
	if (n >= size) {
		n = size - 1;
		/* Do not cut a UTF-8 sequence in two. */
		while (n > 0 && (cbor_string_handle(item)[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, cbor_string_handle(item), n);
	buf[n] = '\0';
	/* NUL bytes inside would truncate silently: refuse them. */
	return memchr(buf, '\0', n) ? -1 : 0;
}

int snt_cose_cbor_text_copy(const cbor_item_t *item, char *buf, size_t size)
{
	size_t n;

	if (!item || !cbor_isa_string(item) || !cbor_string_is_definite(item))
		return -1;
	n = cbor_string_length(item);
	if (n >= size)
		return -2;
	if (n && memchr(cbor_string_handle(item), '\0', n))
		return -1;
	if (n)
		memcpy(buf, cbor_string_handle(item), n);
	buf[n] = '\0';
	return 0;
}

static int definite_bytes(const cbor_item_t *item, const uint8_t **p, size_t *n)
{
	if (!item || !cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item))
		return -1;
	*p = cbor_bytestring_handle(item);
	*n = cbor_bytestring_length(item);
	return 0;
}

/* A kid header value: a byte string (RFC 9052 §3.1), or text as some issuers write it. */
static int kid_value(const cbor_item_t *v, const uint8_t **p, size_t *n)
{
	if (!v)
		return -1;
	if (!definite_bytes(v, p, n))
		return 0;
	if (cbor_isa_string(v) && cbor_string_is_definite(v)) {
		*p = cbor_string_handle(v);
		*n = cbor_string_length(v);
		return 0;
	}
	return -1;
}

void snt_cose_sign1_free(struct snt_cose_sign1 *c)
{
	if (!c)
		return;
	if (c->protected_map)
		cbor_decref(&c->protected_map);
	if (c->root)
		cbor_decref(&c->root);
	memset(c, 0, sizeof(*c));
}

enum snt_cose_err snt_cose_sign1_parse(const uint8_t *buf, size_t len, struct snt_cose_sign1 *out)
{
	cbor_item_t *arr, **items, *unprot, *v;

	memset(out, 0, sizeof(*out));
	out->root = snt_cose_cbor_load(buf, len);
	if (!out->root)
		return SNT_COSE_ERR_CBOR;
	arr = out->root;
	/*
	 * Tag 18: COSE_Sign1 (RFC 9052 §2), optionally inside tag 61: CWT
	 * (RFC 8392 §6); untagged is accepted where the context says so.
	 */
	for (int depth = 0; cbor_isa_tag(arr) && depth < 2; depth++) {
		uint64_t tag = cbor_tag_value(arr);

		if (tag != 18 && !(tag == 61 && depth == 0))
			goto bad;
		v = cbor_tag_item(arr);
		cbor_decref(&out->root);
		out->root = v;
		arr = v;
		if (tag == 18)
			break;
	}
	if (!cbor_isa_array(arr) || !cbor_array_is_definite(arr) || cbor_array_size(arr) != 4)
		goto bad;
	items = cbor_array_handle(arr);
	if (definite_bytes(items[0], &out->protected_bytes, &out->protected_len) || !cbor_isa_map(items[1]) ||
	    definite_bytes(items[2], &out->payload, &out->payload_len) ||
	    definite_bytes(items[3], &out->signature, &out->signature_len))
		goto bad;
	if (out->protected_len > 0) {
		out->protected_map = snt_cose_cbor_load(out->protected_bytes, out->protected_len);
		if (!out->protected_map || !cbor_isa_map(out->protected_map))
			goto bad;
	}
	unprot = items[1];
	/*
	 * alg (label 1) belongs in the protected header (RFC 9052 §3.1); some
	 * DCC issuers put it in the unprotected one, which the DCC test vectors
	 * accept (dgc-testdata common/CO20).  kid (4): protected, else unprotected.
	 */
	if (snt_cose_cbor_int(snt_cose_map_int(out->protected_map, 1), &out->alg) &&
	    snt_cose_cbor_int(snt_cose_map_int(unprot, 1), &out->alg))
		goto bad;
	if (out->alg != SNT_COSE_ALG_ES256 && out->alg != SNT_COSE_ALG_PS256)
		goto bad;
	if (!kid_value(snt_cose_map_int(out->protected_map, 4), &out->kid, &out->kid_len))
		out->kid_protected = 1;
	else if (kid_value(snt_cose_map_int(unprot, 4), &out->kid, &out->kid_len)) {
		out->kid = NULL;
		out->kid_len = 0;
	}
	return SNT_COSE_OK;
bad:
	snt_cose_sign1_free(out);
	return SNT_COSE_ERR_SHAPE;
}

size_t snt_cose_cbor_put_head(uint8_t *p, uint8_t major, uint64_t n)
{
	size_t len;

	if (n < 24) {
		p[0] = (uint8_t)(major << 5 | n);
		return 1;
	}
	if (n <= 0xff) {
		p[0] = (uint8_t)(major << 5 | 24);
		len = 1;
	} else if (n <= 0xffff) {
		p[0] = (uint8_t)(major << 5 | 25);
		len = 2;
	} else if (n <= 0xffffffffu) {
		p[0] = (uint8_t)(major << 5 | 26);
		len = 4;
	} else {
		p[0] = (uint8_t)(major << 5 | 27);
		len = 8;
	}
	for (size_t i = 0; i < len; i++)
		p[1 + i] = (uint8_t)(n >> (8 * (len - 1 - i)));
	return 1 + len;
}

int snt_cose_sig_structure(const uint8_t *protected_bytes, size_t protected_len, const uint8_t *payload,
			 size_t payload_len, uint8_t **out, size_t *out_len)
{
	static const char context[] = "Signature1";
	size_t cap, n = 0;
	uint8_t *tbs;

	if (protected_len > SIZE_MAX / 2 - 64 || payload_len > SIZE_MAX / 2 - 64)
		return -1;
	cap = 32 + protected_len + payload_len;
	tbs = malloc(cap);
	if (!tbs)
		return -2;
	/* Sig_structure = ["Signature1", body_protected, external_aad = h'', payload] (RFC 9052 §4.4). */
	tbs[n++] = 0x84;
	n += snt_cose_cbor_put_head(tbs + n, 3, sizeof(context) - 1);
	memcpy(tbs + n, context, sizeof(context) - 1);
	n += sizeof(context) - 1;
	n += snt_cose_cbor_put_head(tbs + n, 2, protected_len);
	if (protected_len)
		memcpy(tbs + n, protected_bytes, protected_len);
	n += protected_len;
	tbs[n++] = 0x40;
	n += snt_cose_cbor_put_head(tbs + n, 2, payload_len);
	if (payload_len)
		memcpy(tbs + n, payload, payload_len);
	n += payload_len;
	*out = tbs;
	*out_len = n;
	return 0;
}

/* One piece of the bytes a signature covers. */
struct sig_part {
	const uint8_t *p;
	size_t len;
};

static int sig_verify_parts(EVP_PKEY *pkey, int64_t alg, const struct sig_part *parts, size_t nparts,
			    const uint8_t *sig, size_t sig_len);

enum snt_cose_err snt_cose_sign1_verify(const struct snt_cose_sign1 *c, EVP_PKEY *pkey)
{
	static const char context[] = "Signature1";
	uint8_t head[32], mid[16];
	size_t nh = 0, nm = 0;
	struct sig_part parts[4];
	int rc;

	/*
	 * Sig_structure = ["Signature1", body_protected, external_aad = h'',
	 * payload] (RFC 9052 §4.4), as snt_cose_sig_structure() writes it, fed to
	 * the digest piece by piece: the payload is never copied.
	 */
	head[nh++] = 0x84;
	nh += snt_cose_cbor_put_head(head + nh, 3, sizeof(context) - 1);
	memcpy(head + nh, context, sizeof(context) - 1);
	nh += sizeof(context) - 1;
	nh += snt_cose_cbor_put_head(head + nh, 2, c->protected_len);
	mid[nm++] = 0x40;
	nm += snt_cose_cbor_put_head(mid + nm, 2, c->payload_len);
	parts[0] = (struct sig_part){ head, nh };
	parts[1] = (struct sig_part){ c->protected_bytes, c->protected_len };
	parts[2] = (struct sig_part){ mid, nm };
	parts[3] = (struct sig_part){ c->payload, c->payload_len };
	rc = sig_verify_parts(pkey, c->alg, parts, 4, c->signature, c->signature_len);
	if (rc == -2)
		return SNT_COSE_ERR_NOMEM;
	return rc ? SNT_COSE_ERR_SIGNATURE : SNT_COSE_OK;
}

/* Raw r||s (RFC 9053 §2.1) to the DER ECDSA-Sig-Value OpenSSL verifies (RFC 3279 §2.2.3). */
static int es256_der(const uint8_t *sig, size_t sig_len, uint8_t **der, int *der_len)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r, *s;

	if (!es)
		return -2;
	r = BN_bin2bn(sig, (int)(sig_len / 2), NULL);
	s = BN_bin2bn(sig + sig_len / 2, (int)(sig_len / 2), NULL);
	if (!r || !s || !ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return -2;
	}
	*der = NULL;
	*der_len = i2d_ECDSA_SIG(es, der);
	ECDSA_SIG_free(es);
	return *der_len > 0 ? 0 : -2;
}

int snt_cose_sig_verify(EVP_PKEY *pkey, int64_t alg, const uint8_t *data, size_t len, const uint8_t *sig,
		      size_t sig_len)
{
	struct sig_part part = { data, len };

	return sig_verify_parts(pkey, alg, &part, 1, sig, sig_len);
}

int snt_cose_es256_verify_digest(EVP_PKEY *pkey, const uint8_t digest[32], const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *pctx;
	uint8_t *der = NULL;
	int der_len = 0, rc;

	if (!pkey || !digest || !sig || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC || sig_len != 64)
		return -1;
	rc = es256_der(sig, sig_len, &der, &der_len);
	if (rc)
		return rc;
	pctx = EVP_PKEY_CTX_new(pkey, NULL);
	if (!pctx) {
		OPENSSL_free(der);
		return -2;
	}
	rc = EVP_PKEY_verify_init(pctx) == 1 && EVP_PKEY_CTX_set_signature_md(pctx, EVP_sha256()) == 1 &&
	     EVP_PKEY_verify(pctx, der, (size_t)der_len, digest, 32) == 1 ? 0 : -1;
	EVP_PKEY_CTX_free(pctx);
	OPENSSL_free(der);
	return rc;
}

/* snt_cose_sig_verify() over the concatenation of @parts (EVP_DigestVerifyUpdate() for each). */
static int sig_verify_parts(EVP_PKEY *pkey, int64_t alg, const struct sig_part *parts, size_t nparts,
			    const uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	uint8_t *der = NULL;
	int der_len = 0, rc = -1;

	if (!pkey)
		return -1;
	if (alg == SNT_COSE_ALG_ES256) {
		if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC || sig_len != 64)
			return -1;
		rc = es256_der(sig, sig_len, &der, &der_len);
		if (rc)
			return rc;
		rc = -1;
	} else if (alg == SNT_COSE_ALG_PS256) {
		if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA && EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA_PSS)
			return -1;
		if (sig_len == 0 || sig_len > 1024)
			return -1;
	} else {
		return -1;
	}
	md = EVP_MD_CTX_new();
	if (!md) {
		OPENSSL_free(der);
		return -2;
	}
	if (EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pkey) != 1)
		goto out;
	if (alg == SNT_COSE_ALG_PS256 &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
		goto out;
	for (size_t i = 0; i < nparts; i++)
		if (parts[i].len && EVP_DigestVerifyUpdate(md, parts[i].p, parts[i].len) != 1)
			goto out;
	if (alg == SNT_COSE_ALG_ES256)
		rc = EVP_DigestVerifyFinal(md, der, (size_t)der_len) == 1 ? 0 : -1;
	else
		rc = EVP_DigestVerifyFinal(md, sig, sig_len) == 1 ? 0 : -1;
out:
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	return rc;
}

static const char *const err_text[] = {
	[SNT_COSE_OK] = N_("success"),
	[SNT_COSE_ERR_CBOR] = N_("not well-formed CBOR"),
	[SNT_COSE_ERR_SHAPE] = N_("not a COSE_Sign1 with ES256 or PS256"),
	[SNT_COSE_ERR_SIGNATURE] = N_("signature does not verify"),
	[SNT_COSE_ERR_NOMEM] = N_("out of memory"),
};

const char *snt_cose_strerror(enum snt_cose_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error"));
}
