// SPDX-License-Identifier: MIT
/*
 * sign (firmware/sign/sign.h): COSE_Sign1 ES256 round trips and tampering,
 * interop with the certificate verification path and with a Sig_structure
 * built independently with libcbor, sealing round trips and tampering, and
 * key files (mode, no overwrite, hostile files).  Files go to a mkdtemp()
 * directory under /tmp, removed afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <cbor.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "cose/cose.h"
#include "sign/sign.h"

struct fx {
	char dir[64];
	EVP_PKEY *a;	/* key pair A */
	EVP_PKEY *b;	/* key pair B */
	EVP_PKEY *a_pub;	/* A's public half only */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *pem;
	size_t len;

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/snt-sign-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	if (snt_sign_key_generate(&f->a) || snt_sign_key_generate(&f->b))
		return -1;
	if (snt_sign_key_public_pem(f->a, &pem, &len))
		return -1;
	if (snt_sign_key_public_from_pem(pem, len, &f->a_pub))
		return -1;
	free(pem);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	EVP_PKEY_free(f->a);
	EVP_PKEY_free(f->b);
	EVP_PKEY_free(f->a_pub);
	free(f);
	return 0;
}

static void path_in(const struct fx *f, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", f->dir, name);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static const uint8_t msg[] = "{\"type\":\"test\"} payload bytes \x00\x01\x02";

/* ---- COSE_Sign1 ---- */

static void test_sign_open_round_trip(void **state)
{
	struct fx *f = *state;
	uint8_t *cose, *payload, kid[8], kid2[8];
	size_t cose_len, payload_len;

	assert_int_equal(snt_sign1_es256(f->a, msg, sizeof(msg), &cose, &cose_len), SNT_SIGN_OK);
	assert_int_equal(cose[0], 0xd2);	/* tag 18 */
	/* The public half alone verifies. */
	assert_int_equal(snt_sign1_open(cose, cose_len, f->a_pub, &payload, &payload_len), SNT_SIGN_OK);
	assert_int_equal(payload_len, sizeof(msg));
	assert_memory_equal(payload, msg, sizeof(msg));
	free(payload);
	assert_int_equal(snt_sign1_kid(cose, cose_len, kid), SNT_SIGN_OK);
	assert_int_equal(snt_sign_key_kid(f->a, kid2), SNT_SIGN_OK);
	assert_memory_equal(kid, kid2, 8);
	free(cose);

	/* Empty payload. */
	assert_int_equal(snt_sign1_es256(f->a, NULL, 0, &cose, &cose_len), SNT_SIGN_OK);
	assert_int_equal(snt_sign1_open(cose, cose_len, f->a, &payload, &payload_len), SNT_SIGN_OK);
	assert_int_equal(payload_len, 0);
	free(payload);
	free(cose);
}

static void test_sign_large_payload(void **state)
{
	struct fx *f = *state;
	size_t n = 300000;
	uint8_t *big = malloc(n), *cose, *payload;
	size_t cose_len, payload_len;

	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		big[i] = (uint8_t)(i * 7);
	assert_int_equal(snt_sign1_es256(f->a, big, n, &cose, &cose_len), SNT_SIGN_OK);
	assert_int_equal(snt_sign1_open(cose, cose_len, f->a, &payload, &payload_len), SNT_SIGN_OK);
	assert_int_equal(payload_len, n);
	assert_memory_equal(payload, big, n);
	free(payload);
	free(cose);
	free(big);
}

static void test_sign_flip_every_byte(void **state)
{
	struct fx *f = *state;
	uint8_t *cose, *payload = NULL;
	size_t cose_len, payload_len;

	assert_int_equal(snt_sign1_es256(f->a, msg, sizeof(msg), &cose, &cose_len), SNT_SIGN_OK);
	for (size_t i = 0; i < cose_len; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			enum snt_sign_err rc;

			cose[i] ^= (uint8_t)(1u << bit);
			rc = snt_sign1_open(cose, cose_len, f->a, &payload, &payload_len);
			if (rc == SNT_SIGN_OK)
				fail_msg("byte %zu bit %d flipped still verifies", i, bit);
			assert_true(rc == SNT_SIGN_ERR_NOT_COSE || rc == SNT_SIGN_ERR_ALG || rc == SNT_SIGN_ERR_KID ||
				    rc == SNT_SIGN_ERR_SIGNATURE);
			cose[i] ^= (uint8_t)(1u << bit);
		}
	}
	/* A flipped bit in the payload or the signature is a bad signature, exactly. */
	cose[cose_len - 1] ^= 1;
	assert_int_equal(snt_sign1_open(cose, cose_len, f->a, &payload, &payload_len), SNT_SIGN_ERR_SIGNATURE);
	cose[cose_len - 1] ^= 1;
	cose[cose_len - 70] ^= 1;	/* last payload byte */
	assert_int_equal(snt_sign1_open(cose, cose_len, f->a, &payload, &payload_len), SNT_SIGN_ERR_SIGNATURE);
	cose[cose_len - 70] ^= 1;
	/* A flipped kid byte (offset 2 + 1 + 5) names another key. */
	cose[8] ^= 1;
	assert_int_equal(snt_sign1_open(cose, cose_len, f->a, &payload, &payload_len), SNT_SIGN_ERR_KID);
	cose[8] ^= 1;
	assert_int_equal(snt_sign1_open(cose, cose_len, f->a, &payload, &payload_len), SNT_SIGN_OK);
	free(payload);
	free(cose);
}

static void test_sign_other_key(void **state)
{
	struct fx *f = *state;
	uint8_t *cose, *payload = NULL;
	size_t cose_len, payload_len;

	assert_int_equal(snt_sign1_es256(f->b, msg, sizeof(msg), &cose, &cose_len), SNT_SIGN_OK);
	assert_int_equal(snt_sign1_open(cose, cose_len, f->a, &payload, &payload_len), SNT_SIGN_ERR_KID);
	assert_null(payload);
	free(cose);
}

static void test_sign_truncated_and_garbage(void **state)
{
	struct fx *f = *state;
	uint8_t *cose, *payload = NULL;
	size_t cose_len, payload_len;

	assert_int_equal(snt_sign1_es256(f->a, msg, sizeof(msg), &cose, &cose_len), SNT_SIGN_OK);
	for (size_t n = 0; n < cose_len; n++)
		assert_int_equal(snt_sign1_open(cose, n, f->a, &payload, &payload_len), SNT_SIGN_ERR_NOT_COSE);
	assert_int_equal(snt_sign1_open((const uint8_t *)"hello", 5, f->a, &payload, &payload_len),
			 SNT_SIGN_ERR_NOT_COSE);
	/* Trailing garbage after the message. */
	{
		uint8_t *longer = malloc(cose_len + 1);

		assert_non_null(longer);
		memcpy(longer, cose, cose_len);
		longer[cose_len] = 0;
		assert_int_equal(snt_sign1_open(longer, cose_len + 1, f->a, &payload, &payload_len),
				 SNT_SIGN_ERR_NOT_COSE);
		free(longer);
	}
	assert_null(payload);
	free(cose);
	assert_int_equal(snt_sign1_open(NULL, 0, f->a, &payload, &payload_len), SNT_SIGN_ERR_INVAL);
}

/*
 * Hostile layouts that libcbor would load: every one is refused from the raw
 * bytes ("not COSE_Sign1 as sentinel signs it") before any item is built.
 */
static void test_sign_strict_layout(void **state)
{
	struct fx *f = *state;
	uint8_t *cose, *payload = NULL, *bomb;
	size_t cose_len, payload_len, n, zeros = 2u << 20, prot_end = 2 + 1 + 13;

	assert_int_equal(snt_sign1_es256(f->a, msg, sizeof(msg), &cose, &cose_len), SNT_SIGN_OK);
	assert_int_equal(cose[prot_end], 0xa0);
	/* The bomb: unprotected header {5: [2 MiB x 0]} in an otherwise valid message (libcbor would build
	 * 2 million items, about 150 MB; the same with 60 MB costs 4.4 GB). */
	bomb = malloc(cose_len + zeros + 16);
	assert_non_null(bomb);
	memcpy(bomb, cose, prot_end);
	n = prot_end;
	bomb[n++] = 0xa1;
	bomb[n++] = 0x05;
	bomb[n++] = 0x9a;	/* array, 4-byte count */
	bomb[n++] = (uint8_t)(zeros >> 24);
	bomb[n++] = (uint8_t)(zeros >> 16);
	bomb[n++] = (uint8_t)(zeros >> 8);
	bomb[n++] = (uint8_t)zeros;
	memset(bomb + n, 0, zeros);
	n += zeros;
	memcpy(bomb + n, cose + prot_end + 1, cose_len - prot_end - 1);
	n += cose_len - prot_end - 1;
	assert_int_equal(snt_sign1_open(bomb, n, f->a, &payload, &payload_len), SNT_SIGN_ERR_NOT_COSE);
	assert_string_equal(snt_sign_strerror(SNT_SIGN_ERR_NOT_COSE), "not COSE_Sign1 as sentinel signs it");
	{
		uint8_t kid[SNT_SIGN_KID_LEN];

		assert_int_equal(snt_sign1_kid(bomb, n, kid), SNT_SIGN_ERR_NOT_COSE);
	}
	free(bomb);
	assert_null(payload);
	/* A trailing byte. */
	bomb = malloc(cose_len + 1);
	assert_non_null(bomb);
	memcpy(bomb, cose, cose_len);
	bomb[cose_len] = 0xf6;
	assert_int_equal(snt_sign1_open(bomb, cose_len + 1, f->a, &payload, &payload_len), SNT_SIGN_ERR_NOT_COSE);
	free(bomb);
	/* The payload as an indefinite-length byte string (0x5f, one chunk, 0xff): well-formed CBOR, refused. */
	bomb = malloc(cose_len + 2);
	assert_non_null(bomb);
	n = prot_end + 1;
	memcpy(bomb, cose, n);
	bomb[n++] = 0x5f;
	memcpy(bomb + n, cose + prot_end + 1, cose_len - 66 - prot_end - 1);	/* the definite chunk */
	n += cose_len - 66 - prot_end - 1;
	bomb[n++] = 0xff;
	memcpy(bomb + n, cose + cose_len - 66, 66);
	n += 66;
	assert_int_equal(snt_sign1_open(bomb, n, f->a, &payload, &payload_len), SNT_SIGN_ERR_NOT_COSE);
	/* An indefinite-length empty map as the unprotected header (0xbf 0xff). */
	memcpy(bomb, cose, prot_end);
	bomb[prot_end] = 0xbf;
	bomb[prot_end + 1] = 0xff;
	memcpy(bomb + prot_end + 2, cose + prot_end + 1, cose_len - prot_end - 1);
	assert_int_equal(snt_sign1_open(bomb, cose_len + 1, f->a, &payload, &payload_len), SNT_SIGN_ERR_NOT_COSE);
	/* The signature's length in a longer head (0x59 0x00 0x40): refused, only 0x58 0x40 is ours. */
	memcpy(bomb, cose, cose_len - 66);
	bomb[cose_len - 66] = 0x59;
	bomb[cose_len - 65] = 0x00;
	bomb[cose_len - 64] = 0x40;
	memcpy(bomb + cose_len - 63, cose + cose_len - 64, 64);
	assert_int_equal(snt_sign1_open(bomb, cose_len + 1, f->a, &payload, &payload_len), SNT_SIGN_ERR_NOT_COSE);
	/* Untagged (no 0xd2): refused although snt_cose_sign1_parse() would take it. */
	assert_int_equal(snt_sign1_open(cose + 1, cose_len - 1, f->a, &payload, &payload_len), SNT_SIGN_ERR_NOT_COSE);
	free(bomb);
	assert_null(payload);
	/* The original still opens. */
	assert_int_equal(snt_sign1_open(cose, cose_len, f->a, &payload, &payload_len), SNT_SIGN_OK);
	free(payload);
	free(cose);
}

/* A COSE_Sign1 built by hand with libcbor: @alg, kid protected or not. */
static void hand_sign1(EVP_PKEY *key, int64_t alg, int kid_protected, uint8_t **out, size_t *out_len)
{
	uint8_t kid[8], *prot, *tbs, der[80], sig[64];
	size_t prot_len, tbs_len, der_len = sizeof(der), cap;
	const uint8_t *p = der;
	cbor_item_t *pm = cbor_new_definite_map(2), *um = cbor_new_definite_map(2), *arr, *tagged;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ECDSA_SIG *es;
	const BIGNUM *r, *s;

	assert_int_equal(snt_sign_key_kid(key, kid), SNT_SIGN_OK);
	/* kid_protected 2: kid protected, alg unprotected */
	assert_true(cbor_map_add(kid_protected == 2 ? um : pm, (struct cbor_pair){ cbor_move(cbor_build_uint8(1)),
			alg < 0 ? cbor_move(cbor_build_negint8((uint8_t)(-1 - alg))) : cbor_move(cbor_build_uint8((uint8_t)alg)) }));
	if (kid_protected)
		assert_true(cbor_map_add(pm, (struct cbor_pair){ cbor_move(cbor_build_uint8(4)),
				cbor_move(cbor_build_bytestring(kid, 8)) }));
	else
		assert_true(cbor_map_add(um, (struct cbor_pair){ cbor_move(cbor_build_uint8(4)),
				cbor_move(cbor_build_bytestring(kid, 8)) }));
	prot_len = cbor_serialize_alloc(pm, &prot, &cap);
	assert_int_equal(snt_cose_sig_structure(prot, prot_len, msg, sizeof(msg), &tbs, &tbs_len), 0);
	assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
	assert_int_equal(EVP_DigestSign(md, der, &der_len, tbs, tbs_len), 1);
	es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	ECDSA_SIG_get0(es, &r, &s);
	BN_bn2binpad(r, sig, 32);
	BN_bn2binpad(s, sig + 32, 32);
	arr = cbor_new_definite_array(4);
	assert_true(cbor_array_push(arr, cbor_move(cbor_build_bytestring(prot, prot_len))));
	assert_true(cbor_array_push(arr, cbor_move(um)));
	assert_true(cbor_array_push(arr, cbor_move(cbor_build_bytestring(msg, sizeof(msg)))));
	assert_true(cbor_array_push(arr, cbor_move(cbor_build_bytestring(sig, 64))));
	tagged = cbor_build_tag(18, cbor_move(arr));
	*out_len = cbor_serialize_alloc(tagged, out, &cap);
	cbor_decref(&tagged);
	cbor_decref(&pm);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(md);
	free(prot);
	free(tbs);
}

static void test_sign_kid_alg_rules(void **state)
{
	struct fx *f = *state;
	uint8_t *cose, *payload = NULL;
	size_t cose_len, payload_len;

	/* Built independently, protected kid: verifies. */
	hand_sign1(f->a, SNT_COSE_ALG_ES256, 1, &cose, &cose_len);
	assert_int_equal(snt_sign1_open(cose, cose_len, f->a, &payload, &payload_len), SNT_SIGN_OK);
	assert_memory_equal(payload, msg, sizeof(msg));
	free(payload);
	free(cose);
	/* The kid only in the unprotected header: refused before parsing (the unprotected header must be {}). */
	hand_sign1(f->a, SNT_COSE_ALG_ES256, 0, &cose, &cose_len);
	assert_int_equal(snt_sign1_open(cose, cose_len, f->a, &payload, &payload_len), SNT_SIGN_ERR_NOT_COSE);
	free(cose);
	/* ES256 named only in the unprotected header: refused the same way. */
	hand_sign1(f->a, SNT_COSE_ALG_ES256, 2, &cose, &cose_len);
	assert_int_equal(snt_sign1_open(cose, cose_len, f->a, &payload, &payload_len), SNT_SIGN_ERR_NOT_COSE);
	free(cose);
	/* PS256 label: not ES256. */
	hand_sign1(f->a, SNT_COSE_ALG_PS256, 1, &cose, &cose_len);
	assert_int_equal(snt_sign1_open(cose, cose_len, f->a, &payload, &payload_len), SNT_SIGN_ERR_ALG);
	free(cose);
}

/* What we sign verifies through the certificate path and an independent Sig_structure. */
static void test_sign_interop(void **state)
{
	struct fx *f = *state;
	struct snt_cose_sign1 c;
	uint8_t *cose, *der = NULL;
	size_t cose_len, tbs_len, cap;
	cbor_item_t *sig_structure;
	unsigned char *tbs;
	struct cbor_load_result res;
	cbor_item_t *root, **items;
	EVP_MD_CTX *md;
	ECDSA_SIG *es;
	int der_len;

	assert_int_equal(snt_sign1_es256(f->a, msg, sizeof(msg), &cose, &cose_len), SNT_SIGN_OK);
	/* 1. The health-certificate verification path, unchanged. */
	assert_int_equal(snt_cose_sign1_parse(cose, cose_len, &c), SNT_COSE_OK);
	assert_int_equal(c.alg, SNT_COSE_ALG_ES256);
	assert_true(c.kid_protected);
	assert_int_equal(c.kid_len, 8);
	assert_int_equal(snt_cose_sign1_verify(&c, f->a_pub), SNT_COSE_OK);
	assert_int_equal(snt_cose_sign1_verify(&c, f->b), SNT_COSE_ERR_SIGNATURE);
	snt_cose_sign1_free(&c);

	/* 2. libcbor decodes it (tag 18 as a two-byte head) and builds the Sig_structure itself. */
	{
		uint8_t *copy = malloc(cose_len + 1);

		assert_non_null(copy);
		copy[0] = 0xd8;
		copy[1] = 18;
		memcpy(copy + 2, cose + 1, cose_len - 1);
		root = cbor_load(copy, cose_len + 1, &res);
		free(copy);
	}
	assert_non_null(root);
	assert_true(cbor_isa_tag(root) && cbor_tag_value(root) == 18);
	{
		cbor_item_t *arr = cbor_tag_item(root);

		assert_int_equal(cbor_array_size(arr), 4);
		items = cbor_array_handle(arr);
		assert_true(cbor_isa_map(items[1]) && cbor_map_size(items[1]) == 0);
		assert_int_equal(cbor_bytestring_length(items[3]), 64);
		sig_structure = cbor_new_definite_array(4);
		assert_true(cbor_array_push(sig_structure, cbor_move(cbor_build_string("Signature1"))));
		assert_true(cbor_array_push(sig_structure, items[0]));
		assert_true(cbor_array_push(sig_structure, cbor_move(cbor_build_bytestring(NULL, 0))));
		assert_true(cbor_array_push(sig_structure, items[2]));
		tbs_len = cbor_serialize_alloc(sig_structure, &tbs, &cap);
		/* r || s to DER */
		es = ECDSA_SIG_new();
		ECDSA_SIG_set0(es, BN_bin2bn(cbor_bytestring_handle(items[3]), 32, NULL),
			       BN_bin2bn(cbor_bytestring_handle(items[3]) + 32, 32, NULL));
		der_len = i2d_ECDSA_SIG(es, &der);
		md = EVP_MD_CTX_new();
		assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, f->a_pub), 1);
		assert_int_equal(EVP_DigestVerify(md, der, (size_t)der_len, tbs, tbs_len), 1);
		/* Protected header exactly {1: -7, 4: h'kid'}. */
		{
			uint8_t kid[8];

			assert_int_equal(snt_sign_key_kid(f->a, kid), SNT_SIGN_OK);
			assert_int_equal(cbor_bytestring_length(items[0]), 13);
			assert_memory_equal(cbor_bytestring_handle(items[0]), "\xa2\x01\x26\x04\x48", 5);
			assert_memory_equal(cbor_bytestring_handle(items[0]) + 5, kid, 8);
		}
		EVP_MD_CTX_free(md);
		ECDSA_SIG_free(es);
		OPENSSL_free(der);
		free(tbs);
		cbor_decref(&sig_structure);
		cbor_decref(&arr);
	}
	cbor_decref(&root);
	free(cose);
}

/* Verifying and unsealing without copies: the payload and plaintext where they lie in the caller's buffer. */
static void test_no_copy(void **state)
{
	struct fx *f = *state;
	uint8_t *cose, *sealed, *plain, kid[8], kid2[8];
	const uint8_t *payload, *peek;
	size_t cose_len, sealed_len, payload_len, plain_len, peek_len;

	assert_int_equal(snt_sign1_es256(f->a, msg, sizeof(msg), &cose, &cose_len), SNT_SIGN_OK);
	assert_int_equal(snt_sign1_peek(cose, cose_len, kid, &peek, &peek_len), SNT_SIGN_OK);
	assert_int_equal(snt_sign_key_kid(f->a, kid2), SNT_SIGN_OK);
	assert_memory_equal(kid, kid2, 8);
	assert_int_equal(snt_sign1_verify(cose, cose_len, f->a_pub, &payload, &payload_len), SNT_SIGN_OK);
	assert_ptr_equal(payload, peek);
	assert_true(payload > cose && payload + payload_len <= cose + cose_len);
	assert_int_equal(payload_len, sizeof(msg));
	assert_memory_equal(payload, msg, sizeof(msg));
	assert_int_equal(snt_sign1_verify(cose, cose_len, f->b, &payload, &payload_len), SNT_SIGN_ERR_KID);
	cose[cose_len - 70] ^= 1;	/* in the payload */
	assert_int_equal(snt_sign1_verify(cose, cose_len, f->a, &payload, &payload_len), SNT_SIGN_ERR_SIGNATURE);
	/* Sealed, then unsealed in its own buffer. */
	assert_int_equal(snt_seal(f->a_pub, msg, sizeof(msg), &sealed, &sealed_len), SNT_SIGN_OK);
	assert_int_equal(snt_unseal_inplace(f->a, sealed, sealed_len, &plain, &plain_len), SNT_SIGN_OK);
	assert_ptr_equal(plain, sealed + SNT_SEAL_AAD_LEN + SNT_SEAL_NONCE_LEN);
	assert_int_equal(plain_len, sizeof(msg));
	assert_memory_equal(plain, msg, sizeof(msg));
	free(sealed);
	/* A flipped byte: nothing usable left, the decrypted bytes zeroed. */
	assert_int_equal(snt_seal(f->a_pub, msg, sizeof(msg), &sealed, &sealed_len), SNT_SIGN_OK);
	sealed[SNT_SEAL_AAD_LEN + SNT_SEAL_NONCE_LEN + 3] ^= 1;
	plain = NULL;
	assert_int_equal(snt_unseal_inplace(f->a, sealed, sealed_len, &plain, &plain_len), SNT_SIGN_ERR_AUTH);
	assert_null(plain);
	for (size_t i = 0; i < sizeof(msg); i++)
		assert_int_equal(sealed[SNT_SEAL_AAD_LEN + SNT_SEAL_NONCE_LEN + i], 0);
	assert_int_equal(snt_unseal_inplace(f->a, sealed, SNT_SEAL_OVERHEAD - 1, &plain, &plain_len),
			 SNT_SIGN_ERR_TOO_SHORT);
	free(sealed);
	free(cose);
}

/* ---- sealing ---- */

static void test_seal_round_trip(void **state)
{
	struct fx *f = *state;
	uint8_t *sealed, *plain, *sealed2;
	size_t sealed_len, plain_len, sealed2_len;

	assert_int_equal(snt_seal(f->a_pub, msg, sizeof(msg), &sealed, &sealed_len), SNT_SIGN_OK);
	assert_int_equal(sealed_len, sizeof(msg) + SNT_SEAL_OVERHEAD);
	assert_memory_equal(sealed, "SNE1\x04", 5);
	assert_int_equal(snt_unseal(f->a, sealed, sealed_len, &plain, &plain_len), SNT_SIGN_OK);
	assert_int_equal(plain_len, sizeof(msg));
	assert_memory_equal(plain, msg, sizeof(msg));
	free(plain);
	/* Fresh ephemeral key and nonce each time. */
	assert_int_equal(snt_seal(f->a_pub, msg, sizeof(msg), &sealed2, &sealed2_len), SNT_SIGN_OK);
	assert_memory_not_equal(sealed + 4, sealed2 + 4, 65);
	assert_memory_not_equal(sealed + 69, sealed2 + 69, 12);
	free(sealed2);
	/* Wrong recipient. */
	assert_int_equal(snt_unseal(f->b, sealed, sealed_len, &plain, &plain_len), SNT_SIGN_ERR_AUTH);
	/* A public key cannot unseal. */
	assert_int_equal(snt_unseal(f->a_pub, sealed, sealed_len, &plain, &plain_len), SNT_SIGN_ERR_INVAL);
	free(sealed);
	/* Empty plaintext. */
	assert_int_equal(snt_seal(f->a, NULL, 0, &sealed, &sealed_len), SNT_SIGN_OK);
	assert_int_equal(sealed_len, SNT_SEAL_OVERHEAD);
	assert_int_equal(snt_unseal(f->a, sealed, sealed_len, &plain, &plain_len), SNT_SIGN_OK);
	assert_int_equal(plain_len, 0);
	free(plain);
	free(sealed);
}

static void test_seal_tamper(void **state)
{
	struct fx *f = *state;
	uint8_t *sealed, *plain = NULL;
	size_t sealed_len, plain_len;

	assert_int_equal(snt_seal(f->a_pub, msg, sizeof(msg), &sealed, &sealed_len), SNT_SIGN_OK);
	for (size_t i = 0; i < sealed_len; i++) {
		enum snt_sign_err rc, want;

		sealed[i] ^= 0x01;
		rc = snt_unseal(f->a, sealed, sealed_len, &plain, &plain_len);
		want = i < 4 ? SNT_SIGN_ERR_MAGIC : SNT_SIGN_ERR_AUTH;
		/* A flipped coordinate bit almost always leaves the curve. */
		if (i >= 4 && i < 69 && rc == SNT_SIGN_ERR_POINT)
			want = SNT_SIGN_ERR_POINT;
		if (rc != want)
			fail_msg("byte %zu: %s", i, snt_sign_strerror(rc));
		sealed[i] ^= 0x01;
	}
	/* The point's format byte. */
	sealed[4] = 0x02;
	assert_int_equal(snt_unseal(f->a, sealed, sealed_len, &plain, &plain_len), SNT_SIGN_ERR_POINT);
	sealed[4] = 0x04;
	/* Truncations: below the overhead too short, above it the tag fails. */
	for (size_t n = 0; n < sealed_len; n++)
		assert_int_equal(snt_unseal(f->a, sealed, n, &plain, &plain_len),
				 n < SNT_SEAL_OVERHEAD ? SNT_SIGN_ERR_TOO_SHORT : SNT_SIGN_ERR_AUTH);
	assert_null(plain);
	assert_int_equal(snt_unseal(f->a, sealed, sealed_len, &plain, &plain_len), SNT_SIGN_OK);
	free(plain);
	free(sealed);
}

/* The layout in sign.h, recomputed here from its parts. */
static void test_seal_layout(void **state)
{
	struct fx *f = *state;
	uint8_t *sealed, z[32], key[32], salt[130], rpt[65], out[64];
	size_t sealed_len, zlen = sizeof(z);
	EVP_PKEY *eph = NULL;
	EVP_PKEY_CTX *pctx;
	EVP_CIPHER_CTX *c;
	int outl, n;

	assert_int_equal(snt_seal(f->a_pub, (const uint8_t *)"layout", 6, &sealed, &sealed_len), SNT_SIGN_OK);
	/* Ephemeral key from the 65 bytes. */
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	{
		OSSL_PARAM p[3];
		char grp[] = "prime256v1";

		p[0] = OSSL_PARAM_construct_utf8_string("group", grp, 0);
		p[1] = OSSL_PARAM_construct_octet_string("pub", sealed + 4, 65);
		p[2] = OSSL_PARAM_construct_end();
		assert_int_equal(EVP_PKEY_fromdata_init(pctx), 1);
		assert_int_equal(EVP_PKEY_fromdata(pctx, &eph, EVP_PKEY_PUBLIC_KEY, p), 1);
	}
	EVP_PKEY_CTX_free(pctx);
	pctx = EVP_PKEY_CTX_new(f->a, NULL);
	assert_int_equal(EVP_PKEY_derive_init(pctx), 1);
	assert_int_equal(EVP_PKEY_derive_set_peer(pctx, eph), 1);
	assert_int_equal(EVP_PKEY_derive(pctx, z, &zlen), 1);
	assert_int_equal(zlen, 32);
	EVP_PKEY_CTX_free(pctx);
	/* Recipient point via the PEM encoder's DER: last 65 bytes of the SPKI. */
	{
		uint8_t *der = NULL;
		int dl = i2d_PUBKEY(f->a, &der);

		assert_true(dl > 65);
		memcpy(rpt, der + dl - 65, 65);
		OPENSSL_free(der);
	}
	memcpy(salt, sealed + 4, 65);
	memcpy(salt + 65, rpt, 65);
	pctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	{
		size_t kl = 32;

		assert_int_equal(EVP_PKEY_derive_init(pctx), 1);
		assert_int_equal(EVP_PKEY_CTX_set_hkdf_md(pctx, EVP_sha256()), 1);
		assert_int_equal(EVP_PKEY_CTX_set1_hkdf_salt(pctx, salt, 130), 1);
		assert_int_equal(EVP_PKEY_CTX_set1_hkdf_key(pctx, z, 32), 1);
		assert_int_equal(EVP_PKEY_CTX_add1_hkdf_info(pctx, (const unsigned char *)"sentinel seal v1 AES-256-GCM", 28), 1);
		assert_int_equal(EVP_PKEY_derive(pctx, key, &kl), 1);
	}
	EVP_PKEY_CTX_free(pctx);
	c = EVP_CIPHER_CTX_new();
	assert_int_equal(EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, sealed + 69), 1);
	assert_int_equal(EVP_DecryptUpdate(c, NULL, &outl, sealed, 69), 1);
	assert_int_equal(EVP_DecryptUpdate(c, out, &outl, sealed + 81, 6), 1);
	n = outl;
	assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, sealed + 87), 1);
	assert_int_equal(EVP_DecryptFinal_ex(c, out + n, &outl), 1);
	assert_memory_equal(out, "layout", 6);
	EVP_CIPHER_CTX_free(c);
	EVP_PKEY_free(eph);
	free(sealed);
}

/* ---- key files ---- */

static void test_key_files(void **state)
{
	struct fx *f = *state;
	char priv[128], pub[128];
	struct stat sb;
	EVP_PKEY *k = NULL, *p = NULL;
	uint8_t kid1[8], kid2[8];
	uint8_t *cose, *payload;
	size_t cose_len, payload_len;

	path_in(f, "device.key", priv, sizeof(priv));
	path_in(f, "device.pub", pub, sizeof(pub));
	assert_int_equal(snt_sign_key_write_private(f->a, priv), SNT_SIGN_OK);
	assert_int_equal(stat(priv, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(snt_sign_key_write_public(f->a, pub), SNT_SIGN_OK);
	assert_int_equal(stat(pub, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);
	/* No overwrite, the file unchanged; no temporary left behind. */
	assert_int_equal(snt_sign_key_write_private(f->b, priv), SNT_SIGN_ERR_EXISTS);
	assert_int_equal(snt_sign_key_write_public(f->b, pub), SNT_SIGN_ERR_EXISTS);
	{
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "test $(ls '%s' | wc -l) -eq 2", f->dir);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(snt_sign_key_load_private(priv, &k), SNT_SIGN_OK);
	assert_int_equal(snt_sign_key_load_public(pub, &p), SNT_SIGN_OK);
	assert_int_equal(snt_sign_key_kid(k, kid1), SNT_SIGN_OK);
	assert_int_equal(snt_sign_key_kid(f->a, kid2), SNT_SIGN_OK);
	assert_memory_equal(kid1, kid2, 8);
	assert_int_equal(snt_sign_key_kid(p, kid1), SNT_SIGN_OK);
	assert_memory_equal(kid1, kid2, 8);
	/* Loaded keys sign and verify. */
	assert_int_equal(snt_sign1_es256(k, msg, sizeof(msg), &cose, &cose_len), SNT_SIGN_OK);
	assert_int_equal(snt_sign1_open(cose, cose_len, p, &payload, &payload_len), SNT_SIGN_OK);
	free(payload);
	free(cose);
	/* The private PEM is PKCS#8. */
	{
		FILE *fp = fopen(priv, "r");
		char line[64];

		assert_non_null(fp);
		assert_non_null(fgets(line, sizeof(line), fp));
		assert_string_equal(line, "-----BEGIN PRIVATE KEY-----\n");
		fclose(fp);
	}
	/* Kinds crossed: a public file is no private key and vice versa. */
	EVP_PKEY_free(k);
	k = NULL;
	assert_int_equal(snt_sign_key_load_private(pub, &k), SNT_SIGN_ERR_NOT_PEM);
	assert_int_equal(snt_sign_key_load_public(priv, &k), SNT_SIGN_ERR_NOT_PEM);
	assert_null(k);
	/* A public key cannot be written as a private one. */
	{
		char other[128];

		path_in(f, "other.key", other, sizeof(other));
		assert_int_equal(snt_sign_key_write_private(p, other), SNT_SIGN_ERR_INVAL);
		assert_int_equal(access(other, F_OK), -1);
	}
	EVP_PKEY_free(p);
	/* Missing directory. */
	{
		char bad[160];

		path_in(f, "nodir/x.key", bad, sizeof(bad));
		assert_int_equal(snt_sign_key_write_private(f->a, bad), SNT_SIGN_ERR_WRITE);
	}
	/* A dangling symlink is an existing file. */
	{
		char link_path[128];

		path_in(f, "dangling.key", link_path, sizeof(link_path));
		assert_int_equal(symlink("/nonexistent/target", link_path), 0);
		assert_int_equal(snt_sign_key_write_private(f->a, link_path), SNT_SIGN_ERR_EXISTS);
	}
}

static void test_key_hostile_files(void **state)
{
	struct fx *f = *state;
	char path[128];
	EVP_PKEY *k = NULL, *rsa, *p384;
	BIO *bio;

	path_in(f, "missing.key", path, sizeof(path));
	assert_int_equal(snt_sign_key_load_private(path, &k), SNT_SIGN_ERR_OPEN);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(snt_sign_key_load_private(f->dir, &k), SNT_SIGN_ERR_NOTREG);
	path_in(f, "fifo", path, sizeof(path));
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(snt_sign_key_load_public(path, &k), SNT_SIGN_ERR_NOTREG);
	path_in(f, "garbage.key", path, sizeof(path));
	write_file(path, "not a key at all\n", 17);
	assert_int_equal(snt_sign_key_load_private(path, &k), SNT_SIGN_ERR_NOT_PEM);
	assert_int_equal(snt_sign_key_load_public(path, &k), SNT_SIGN_ERR_NOT_PEM);
	path_in(f, "empty.key", path, sizeof(path));
	write_file(path, "", 0);
	assert_int_equal(snt_sign_key_load_private(path, &k), SNT_SIGN_ERR_NOT_PEM);
	path_in(f, "bad-base64.key", path, sizeof(path));
	write_file(path, "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n", 58);
	assert_int_equal(snt_sign_key_load_private(path, &k), SNT_SIGN_ERR_NOT_PEM);
	/* Too large. */
	{
		size_t n = SNT_SIGN_MAX_KEY_FILE + 10;
		char *big = malloc(n);

		assert_non_null(big);
		memset(big, 'A', n);
		path_in(f, "big.key", path, sizeof(path));
		write_file(path, big, n);
		free(big);
		assert_int_equal(snt_sign_key_load_private(path, &k), SNT_SIGN_ERR_READ);
	}
	/* RSA key: refused as not EC, private and public. */
	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	assert_non_null(rsa);
	path_in(f, "rsa.key", path, sizeof(path));
	bio = BIO_new_file(path, "w");
	assert_int_equal(PEM_write_bio_PrivateKey(bio, rsa, NULL, NULL, 0, NULL, NULL), 1);
	BIO_free(bio);
	assert_int_equal(snt_sign_key_load_private(path, &k), SNT_SIGN_ERR_NOT_EC);
	path_in(f, "rsa.pub", path, sizeof(path));
	bio = BIO_new_file(path, "w");
	assert_int_equal(PEM_write_bio_PUBKEY(bio, rsa), 1);
	BIO_free(bio);
	assert_int_equal(snt_sign_key_load_public(path, &k), SNT_SIGN_ERR_NOT_EC);
	path_in(f, "rsa-out.key", path, sizeof(path));
	assert_int_equal(snt_sign_key_write_private(rsa, path), SNT_SIGN_ERR_NOT_EC);
	{
		uint8_t *out;
		size_t out_len;

		assert_int_equal(snt_sign1_es256(rsa, msg, 4, &out, &out_len), SNT_SIGN_ERR_NOT_EC);
		assert_int_equal(snt_seal(rsa, msg, 4, &out, &out_len), SNT_SIGN_ERR_NOT_EC);
	}
	EVP_PKEY_free(rsa);
	/* P-384: EC but not P-256. */
	p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	assert_non_null(p384);
	path_in(f, "p384.key", path, sizeof(path));
	bio = BIO_new_file(path, "w");
	assert_int_equal(PEM_write_bio_PrivateKey(bio, p384, NULL, NULL, 0, NULL, NULL), 1);
	BIO_free(bio);
	assert_int_equal(snt_sign_key_load_private(path, &k), SNT_SIGN_ERR_NOT_P256);
	EVP_PKEY_free(p384);
	assert_null(k);
	assert_string_equal(snt_sign_strerror(SNT_SIGN_ERR_KID), "signed by another key (kid does not match)");
	for (int e = SNT_SIGN_OK; e <= SNT_SIGN_ERR_AUTH; e++)
		assert_string_not_equal(snt_sign_strerror((enum snt_sign_err)e), "unknown error");
}

/* A self-signed certificate of a new P-256 key, as PEM text (free()). */
static char *self_signed_pem(void)
{
	EVP_PKEY *k = NULL;
	X509 *x = X509_new();
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;

	assert_int_equal(snt_sign_key_generate(&k), SNT_SIGN_OK);
	assert_non_null(x);
	assert_non_null(b);
	assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 1));
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
	assert_true(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
					       (const unsigned char *)"bureau CA", -1, -1, 0));
	assert_true(X509_set_issuer_name(x, X509_get_subject_name(x)));
	assert_true(X509_set_pubkey(x, k));
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	assert_true(PEM_write_bio_X509(b, x));
	n = BIO_get_mem_data(b, &data);
	out = calloc(1, (size_t)n + 1);
	assert_non_null(out);
	memcpy(out, data, (size_t)n);
	BIO_free(b);
	X509_free(x);
	EVP_PKEY_free(k);
	return out;
}

/* A CA bundle: certificates only, each one decoding; anything else named NOT_PEM. */
static void test_ca_pem_check(void **state)
{
	char *cert = self_signed_pem(), two[8192], damaged[4096];
	const char *junk = "-----BEGIN CERTIFICATE-----\nnot base64 of a certificate\n-----END CERTIFICATE-----\n";
	const char *pub = "-----BEGIN PUBLIC KEY-----\n"
			  "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEH0rC4kM0gL7eYJ6ZpSZ5ws0Cq8aZ\n"
			  "-----END PUBLIC KEY-----\n";
	char *b64;

	(void)state;
	assert_int_equal(snt_sign_ca_pem_check(cert, strlen(cert)), SNT_SIGN_OK);
	snprintf(two, sizeof(two), "bureau CA\n%s\nthe old one\n%s", cert, cert);
	assert_int_equal(snt_sign_ca_pem_check(two, strlen(two)), SNT_SIGN_OK);
	assert_int_equal(snt_sign_ca_pem_check(junk, strlen(junk)), SNT_SIGN_ERR_NOT_PEM);
	assert_int_equal(snt_sign_ca_pem_check(pub, strlen(pub)), SNT_SIGN_ERR_NOT_PEM);
	assert_int_equal(snt_sign_ca_pem_check("", 0), SNT_SIGN_ERR_NOT_PEM);
	assert_int_equal(snt_sign_ca_pem_check("just text\n", 10), SNT_SIGN_ERR_NOT_PEM);
	/* A certificate with one base64 character changed inside its signature part. */
	snprintf(damaged, sizeof(damaged), "%s", cert);
	b64 = strstr(damaged, "\n") + 1;
	b64[0] = b64[0] == 'M' ? 'Q' : 'M';
	assert_int_equal(snt_sign_ca_pem_check(damaged, strlen(damaged)), SNT_SIGN_ERR_NOT_PEM);
	/* A good one followed by a damaged one. */
	snprintf(two, sizeof(two), "%s%s", cert, junk);
	assert_int_equal(snt_sign_ca_pem_check(two, strlen(two)), SNT_SIGN_ERR_NOT_PEM);
	assert_int_equal(snt_sign_ca_pem_check(NULL, 0), SNT_SIGN_ERR_INVAL);
	free(cert);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_open_round_trip),
		cmocka_unit_test(test_sign_large_payload),
		cmocka_unit_test(test_sign_flip_every_byte),
		cmocka_unit_test(test_sign_other_key),
		cmocka_unit_test(test_sign_truncated_and_garbage),
		cmocka_unit_test(test_sign_kid_alg_rules),
		cmocka_unit_test(test_sign_strict_layout),
		cmocka_unit_test(test_sign_interop),
		cmocka_unit_test(test_no_copy),
		cmocka_unit_test(test_seal_round_trip),
		cmocka_unit_test(test_seal_tamper),
		cmocka_unit_test(test_seal_layout),
		cmocka_unit_test(test_key_files),
		cmocka_unit_test(test_key_hostile_files),
		cmocka_unit_test(test_ca_pem_check),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
