// SPDX-License-Identifier: MIT
/*
 * Offline verification (firmware/codes/verify.h, trust/trust.h): each stage
 * with its exact error, the clock rule, hostile input.  Certificates, keys
 * and HC1 payloads are made here with OpenSSL, libcbor and zlib, so the
 * test needs no shared data.
 */
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
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <zlib.h>

#include "codes/codes_internal.h"
#include "codes/verify.h"
#include "trust/trust.h"

#define NOW_MS 1700000000000LL	/* 2023-11-14T22:13:20Z */
#define DAY 86400LL

struct signer {
	EVP_PKEY *pkey;
	X509 *cert;
	uint8_t kid[8];
	uint8_t der[4096];
	size_t der_len;
};

/* HC1 build options; zero = a valid ES256 vaccination certificate. */
struct hc1_opts {
	int rsa;		/* PS256 */
	int no_kid;
	int kid_unprotected;
	int wrong_kid;
	int bad_sig;
	int no_zlib;
	int not_cbor;		/* zlib of bytes that are not CBOR */
	int not_cose;		/* zlib of a CBOR map */
	int64_t iat, exp;	/* seconds; 0: NOW-1 day / NOW+30 days */
	char type;		/* 'v' unless set */
};

static struct signer ec_signer, rsa_signer, test_only_signer, expired_signer;

static void make_signer(struct signer *s, int rsa, const char *eku, int64_t nb_days, int64_t na_days)
{
	X509_NAME *name;
	uint8_t *p, hash[32];
	int len;

	s->pkey = rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
	assert_non_null(s->pkey);
	s->cert = X509_new();
	assert_non_null(s->cert);
	X509_set_version(s->cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(s->cert), 1);
	X509_time_adj_ex(X509_getm_notBefore(s->cert), (int)nb_days, 0, &(time_t){ NOW_MS / 1000 });
	X509_time_adj_ex(X509_getm_notAfter(s->cert), (int)na_days, 0, &(time_t){ NOW_MS / 1000 });
	X509_set_pubkey(s->cert, s->pkey);
	name = X509_get_subject_name(s->cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"DSC test", -1, -1, 0);
	X509_set_issuer_name(s->cert, name);
	if (eku) {
		X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_ext_key_usage, eku);

		assert_non_null(ext);
		X509_add_ext(s->cert, ext, -1);
		X509_EXTENSION_free(ext);
	}
	assert_true(X509_sign(s->cert, s->pkey, EVP_sha256()) > 0);
	p = s->der;
	len = i2d_X509(s->cert, &p);
	assert_true(len > 0 && (size_t)len <= sizeof(s->der));
	s->der_len = (size_t)len;
	SHA256(s->der, s->der_len, hash);
	memcpy(s->kid, hash, 8);
}

static int setup(void **state)
{
	(void)state;
	make_signer(&ec_signer, 0, NULL, -365, 365);
	make_signer(&rsa_signer, 1, NULL, -365, 365);
	make_signer(&test_only_signer, 0, "1.3.6.1.4.1.1847.2021.1.1", -365, 365);
	make_signer(&expired_signer, 0, NULL, -365, -10);
	return 0;
}

static int teardown(void **state)
{
	struct signer *all[] = { &ec_signer, &rsa_signer, &test_only_signer, &expired_signer };

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		EVP_PKEY_free(all[i]->pkey);
		X509_free(all[i]->cert);
	}
	return 0;
}

static cbor_item_t *text(const char *s)
{
	return cbor_build_string(s);
}

static void put(cbor_item_t *map, cbor_item_t *k, cbor_item_t *v)
{
	assert_true(cbor_map_add(map, (struct cbor_pair){ .key = cbor_move(k), .value = cbor_move(v) }));
}

static cbor_item_t *cbor_int(int64_t v)
{
	return v >= 0 ? cbor_build_uint64((uint64_t)v) : cbor_build_negint64((uint64_t)(-1 - v));
}

static size_t serialize(cbor_item_t *item, uint8_t **out)
{
	size_t cap = 0, n = cbor_serialize_alloc(item, out, &cap);

	assert_true(n > 0);
	return n;
}

static cbor_item_t *claims(const struct hc1_opts *o)
{
	cbor_item_t *c = cbor_new_definite_map(4), *hc = cbor_new_definite_map(1), *dcc = cbor_new_definite_map(4);
	cbor_item_t *nam = cbor_new_definite_map(2), *arr = cbor_new_definite_array(1), *e = cbor_new_definite_map(1);
	char type[2] = { o->type ? o->type : 'v', '\0' };

	put(nam, text("fn"), text("Österreicher"));
	put(nam, text("gn"), text("Gabriele"));
	put(e, text("co"), text("AT"));
	assert_true(cbor_array_push(arr, cbor_move(e)));
	put(dcc, text("ver"), text("1.3.0"));
	put(dcc, text("nam"), nam);
	put(dcc, text("dob"), text("1998-02-26"));
	put(dcc, text(type), arr);
	put(hc, cbor_int(1), dcc);
	put(c, cbor_int(1), text("AT"));
	put(c, cbor_int(6), cbor_int(o->iat ? o->iat : NOW_MS / 1000 - DAY));
	put(c, cbor_int(4), cbor_int(o->exp ? o->exp : NOW_MS / 1000 + 30 * DAY));
	put(c, cbor_int(-260), hc);
	return c;
}

static void sign_raw(EVP_PKEY *pkey, int rsa, const uint8_t *tbs, size_t n, uint8_t *sig, size_t *sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	uint8_t der[256];
	size_t dl = sizeof(der);

	assert_int_equal(EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, pkey), 1);
	if (rsa) {
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), 1);
		*sig_len = 256;
		assert_int_equal(EVP_DigestSign(md, sig, sig_len, tbs, n), 1);
	} else {
		const unsigned char *p = der;
		ECDSA_SIG *es;
		const BIGNUM *r, *s;

		assert_int_equal(EVP_DigestSign(md, der, &dl, tbs, n), 1);
		es = d2i_ECDSA_SIG(NULL, &p, (long)dl);
		assert_non_null(es);
		ECDSA_SIG_get0(es, &r, &s);
		BN_bn2binpad(r, sig, 32);
		BN_bn2binpad(s, sig + 32, 32);
		ECDSA_SIG_free(es);
		*sig_len = 64;
	}
	EVP_MD_CTX_free(md);
}

static void base45(const uint8_t *in, size_t n, char *out)
{
	static const char a[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 2) {
		if (i + 1 < n) {
			unsigned int v = (unsigned int)in[i] * 256u + in[i + 1];

			out[o++] = a[v % 45];
			out[o++] = a[(v / 45) % 45];
			out[o++] = a[v / 2025];
		} else {
			out[o++] = a[in[i] % 45];
			out[o++] = a[in[i] / 45];
		}
	}
	out[o] = '\0';
}

/* A "HC1:" payload into @out (malloc'd). */
static char *hc1(const struct signer *s, const struct hc1_opts *o)
{
	cbor_item_t *prot = cbor_new_definite_map(2), *unprot = cbor_new_definite_map(1), *c = claims(o);
	cbor_item_t *msg = cbor_new_definite_array(4), *tagged;
	uint8_t *prot_bytes, *payload, *tbs, *cose, sig[256], kid[8];
	size_t prot_len, payload_len, tbs_len, cose_len, sig_len;
	cbor_item_t *sig_struct = cbor_new_definite_array(4);
	uLongf zlen;
	uint8_t *z;
	char *out;

	memcpy(kid, s->kid, 8);
	if (o->wrong_kid)
		kid[0] ^= 0xff;
	put(prot, cbor_int(1), cbor_int(o->rsa ? -37 : -7));
	if (!o->no_kid && !o->kid_unprotected)
		put(prot, cbor_int(4), cbor_build_bytestring(kid, 8));
	if (o->kid_unprotected)
		put(unprot, cbor_int(4), cbor_build_bytestring(kid, 8));
	prot_len = serialize(prot, &prot_bytes);
	payload_len = serialize(c, &payload);
	assert_true(cbor_array_push(sig_struct, cbor_move(text("Signature1"))));
	assert_true(cbor_array_push(sig_struct, cbor_move(cbor_build_bytestring(prot_bytes, prot_len))));
	assert_true(cbor_array_push(sig_struct, cbor_move(cbor_build_bytestring(NULL, 0))));
	assert_true(cbor_array_push(sig_struct, cbor_move(cbor_build_bytestring(payload, payload_len))));
	tbs_len = serialize(sig_struct, &tbs);
	sign_raw(s->pkey, o->rsa, tbs, tbs_len, sig, &sig_len);
	if (o->bad_sig)
		sig[5] ^= 1;
	assert_true(cbor_array_push(msg, cbor_move(cbor_build_bytestring(prot_bytes, prot_len))));
	assert_true(cbor_array_push(msg, unprot));
	assert_true(cbor_array_push(msg, cbor_move(cbor_build_bytestring(payload, payload_len))));
	assert_true(cbor_array_push(msg, cbor_move(cbor_build_bytestring(sig, sig_len))));
	tagged = cbor_build_tag(18, msg);
	cose_len = serialize(o->not_cose ? c : tagged, &cose);
	if (o->not_cbor)
		cose[0] = 0xff;
	zlen = compressBound(cose_len);
	z = malloc(zlen);
	assert_non_null(z);
	if (o->no_zlib) {
		memcpy(z, cose, cose_len);
		zlen = cose_len;
	} else {
		assert_int_equal(compress2(z, &zlen, cose, cose_len, 9), Z_OK);
	}
	out = malloc(4 + zlen * 2 + zlen / 2 + 4);
	assert_non_null(out);
	memcpy(out, "HC1:", 4);
	base45(z, zlen, out + 4);
	free(z);
	free(cose);
	free(tbs);
	free(payload);
	free(prot_bytes);
	cbor_decref(&tagged);
	cbor_decref(&msg);
	cbor_decref(&sig_struct);
	cbor_decref(&c);
	cbor_decref(&prot);
	cbor_decref(&unprot);
	return out;
}

static struct snt_trust *store_of(const struct signer *s)
{
	struct snt_trust *t = NULL;

	assert_int_equal(snt_trust_new(&t), SNT_TRUST_OK);
	if (s)
		assert_int_equal(snt_trust_add_der(t, s->der, s->der_len), SNT_TRUST_OK);
	return t;
}

static enum snt_verify_stage run(const struct signer *s, const struct hc1_opts *o, enum snt_verify_clock clk,
				 struct snt_verify_info *info)
{
	struct snt_trust *t = store_of(s == &ec_signer || !s ? &ec_signer : s);
	char *p = hc1(s ? s : &ec_signer, o);
	enum snt_verify_stage st = snt_verify_payload((const uint8_t *)p, strlen(p), t, NOW_MS, clk, info);

	free(p);
	snt_trust_free(t);
	return st;
}

static void test_valid_es256(void **state)
{
	struct snt_verify_info v;
	struct hc1_opts o = { 0 };
	char masked[32];

	(void)state;
	assert_int_equal(run(&ec_signer, &o, SNT_VCLOCK_GIVEN, &v), SNT_VERIFY_OK);
	assert_int_equal(v.result, SNT_RESULT_VALID);
	assert_int_equal(v.format, SNT_FORMAT_HCERT);
	assert_int_equal(v.kid_len, 8);
	assert_memory_equal(v.kid, ec_signer.kid, 8);
	assert_string_equal(v.issuer, "AT");
	assert_int_equal(v.subject.type, 'v');
	assert_string_equal(v.subject.country, "AT");
	snt_verify_mask_name(&v.subject, masked, sizeof(masked));
	assert_string_equal(masked, "G* Ö*");
	assert_int_equal(v.expires_ms, NOW_MS + 30 * DAY * 1000);
	/* The same with the kid only in the unprotected header (DCC v1.3 §3.3.1). */
	o.kid_unprotected = 1;
	assert_int_equal(run(&ec_signer, &o, SNT_VCLOCK_TRUSTED, &v), SNT_VERIFY_OK);
	assert_int_equal(v.result, SNT_RESULT_VALID);
}

static void test_valid_ps256(void **state)
{
	struct snt_verify_info v;
	struct hc1_opts o = { .rsa = 1 };

	(void)state;
	assert_int_equal(run(&rsa_signer, &o, SNT_VCLOCK_GIVEN, &v), SNT_VERIFY_OK);
	assert_int_equal(v.result, SNT_RESULT_VALID);
	/* A key of the wrong type for the algorithm is a signature failure, not a crash. */
	assert_int_equal(snt_cose_sig_verify(rsa_signer.pkey, SNT_COSE_ALG_ES256, (const uint8_t *)"x", 1,
					   (const uint8_t *)"0123456789012345678901234567890123456789012345678901234567890123",
					   64),
			 -1);
	assert_int_equal(snt_cose_sig_verify(ec_signer.pkey, SNT_COSE_ALG_PS256, (const uint8_t *)"x", 1,
					   (const uint8_t *)"0123", 4),
			 -1);
}

static void test_stages(void **state)
{
	struct snt_verify_info v;
	struct hc1_opts o;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.no_zlib = 1;
	assert_int_equal(run(&ec_signer, &o, SNT_VCLOCK_GIVEN, &v), SNT_VERIFY_ZLIB);
	assert_int_equal(v.result, SNT_RESULT_INVALID);
	assert_int_equal(v.stage, SNT_VERIFY_ZLIB);
	memset(&o, 0, sizeof(o));
	o.not_cbor = 1;
	assert_int_equal(run(&ec_signer, &o, SNT_VCLOCK_GIVEN, &v), SNT_VERIFY_CBOR);
	memset(&o, 0, sizeof(o));
	o.not_cose = 1;
	assert_int_equal(run(&ec_signer, &o, SNT_VCLOCK_GIVEN, &v), SNT_VERIFY_COSE);
	memset(&o, 0, sizeof(o));
	o.no_kid = 1;
	assert_int_equal(run(&ec_signer, &o, SNT_VCLOCK_GIVEN, &v), SNT_VERIFY_KID);
	memset(&o, 0, sizeof(o));
	o.wrong_kid = 1;
	assert_int_equal(run(&ec_signer, &o, SNT_VCLOCK_GIVEN, &v), SNT_VERIFY_TRUST);
	memset(&o, 0, sizeof(o));
	o.bad_sig = 1;
	assert_int_equal(run(&ec_signer, &o, SNT_VCLOCK_GIVEN, &v), SNT_VERIFY_SIGNATURE);
	assert_int_equal(v.result, SNT_RESULT_INVALID);
	assert_string_equal(snt_verify_stage_name(v.stage), "signature");
}

static void test_prefix_base45(void **state)
{
	struct snt_verify_info v;
	struct snt_trust *t = store_of(&ec_signer);
	static const char bad45[] = "HC1:NCF~~~";
	static const char hc2[] = "HC2:NCFOXN";

	(void)state;
	assert_int_equal(snt_verify_payload((const uint8_t *)bad45, strlen(bad45), t, NOW_MS, SNT_VCLOCK_GIVEN, &v),
			 SNT_VERIFY_BASE45);
	/* A wrong prefix is a health code to the gate, and a prefix failure as a DCC. */
	assert_int_equal(snt_verify_payload((const uint8_t *)hc2, strlen(hc2), t, NOW_MS, SNT_VCLOCK_GIVEN, &v),
			 SNT_VERIFY_OK);
	assert_int_equal(v.format, SNT_FORMAT_HEALTHCODE);
	assert_int_equal(v.result, SNT_RESULT_UNVERIFIED);
	assert_int_equal(snt_verify_payload_as(SNT_FORMAT_HCERT, (const uint8_t *)hc2, strlen(hc2), t, NOW_MS,
					       SNT_VCLOCK_GIVEN, &v),
			 SNT_VERIFY_PREFIX);
	assert_int_equal(v.result, SNT_RESULT_INVALID);
	assert_int_equal(snt_verify_payload(NULL, 0, t, NOW_MS, SNT_VCLOCK_GIVEN, &v), SNT_VERIFY_PREFIX);
	snt_trust_free(t);
}

static void test_no_trust_store(void **state)
{
	struct snt_verify_info v;
	struct hc1_opts o = { 0 };
	char *p = hc1(&ec_signer, &o);

	(void)state;
	assert_int_equal(snt_verify_payload((const uint8_t *)p, strlen(p), NULL, NOW_MS, SNT_VCLOCK_GIVEN, &v),
			 SNT_VERIFY_TRUST);
	assert_int_equal(v.result, SNT_RESULT_INVALID);
	free(p);
}

static void test_key_usage(void **state)
{
	struct snt_verify_info v;
	struct hc1_opts o = { 0 };

	(void)state;
	/* A test-only signer (EKU .1) may not sign a vaccination ... */
	assert_int_equal(run(&test_only_signer, &o, SNT_VCLOCK_GIVEN, &v), SNT_VERIFY_KEY_USAGE);
	assert_int_equal(v.result, SNT_RESULT_INVALID);
	/* ... but may sign a test. */
	o.type = 't';
	assert_int_equal(run(&test_only_signer, &o, SNT_VCLOCK_GIVEN, &v), SNT_VERIFY_OK);
}

static void test_dates_and_clock(void **state)
{
	struct snt_verify_info v;
	struct hc1_opts o = { 0 };

	(void)state;
	o.exp = NOW_MS / 1000 - 1;
	assert_int_equal(run(&ec_signer, &o, SNT_VCLOCK_GIVEN, &v), SNT_VERIFY_EXPIRED);
	assert_int_equal(v.result, SNT_RESULT_INVALID);
	/* Untrusted clock: never "valid but expired", never valid. */
	assert_int_equal(run(&ec_signer, &o, SNT_VCLOCK_UNTRUSTED, &v), SNT_VERIFY_EXPIRED);
	assert_int_equal(v.result, SNT_RESULT_UNVERIFIED);
	assert_int_equal(v.clock, SNT_VCLOCK_UNTRUSTED);
	o.exp = 0;
	assert_int_equal(run(&ec_signer, &o, SNT_VCLOCK_UNTRUSTED, &v), SNT_VERIFY_OK);
	assert_int_equal(v.result, SNT_RESULT_UNVERIFIED);
	/* A signature failure stays invalid whatever the clock. */
	o.bad_sig = 1;
	assert_int_equal(run(&ec_signer, &o, SNT_VCLOCK_UNTRUSTED, &v), SNT_VERIFY_SIGNATURE);
	assert_int_equal(v.result, SNT_RESULT_INVALID);
	o.bad_sig = 0;
	o.iat = NOW_MS / 1000 + DAY;
	assert_int_equal(run(&ec_signer, &o, SNT_VCLOCK_TRUSTED, &v), SNT_VERIFY_NOT_YET_VALID);
	o.iat = 0;
	/* The signing certificate's own validity. */
	assert_int_equal(run(&expired_signer, &o, SNT_VCLOCK_GIVEN, &v), SNT_VERIFY_EXPIRED);
}

static void test_hostile(void **state)
{
	struct snt_verify_info v;
	struct snt_trust *t = store_of(&ec_signer);
	size_t big = 1u << 20;
	uint8_t *buf = malloc(big), rnd[512];
	unsigned int seed = 1;

	(void)state;
	assert_non_null(buf);
	/* 1 MB payload: refused before decoding. */
	memcpy(buf, "HC1:", 4);
	memset(buf + 4, 'A', big - 4);
	assert_int_equal(snt_verify_payload(buf, big, t, NOW_MS, SNT_VCLOCK_GIVEN, &v), SNT_VERIFY_PAYLOAD);
	free(buf);
	/* Random bytes after each prefix. */
	for (int round = 0; round < 200; round++) {
		static const char *const prefixes[] = { "HC1:", "NZCP:/1/", "shc:/" };
		const char *pre = prefixes[round % 3];
		size_t pl = strlen(pre);

		memcpy(rnd, pre, pl);
		for (size_t i = pl; i < sizeof(rnd); i++)
			rnd[i] = (uint8_t)(rand_r(&seed) & 0xff);
		assert_int_not_equal(snt_verify_payload(rnd, sizeof(rnd), t, NOW_MS, SNT_VCLOCK_GIVEN, &v), SNT_VERIFY_OK);
		assert_int_equal(v.result, SNT_RESULT_INVALID);
	}
	snt_trust_free(t);
}

static void test_base32_rfc4648(void **state)
{
	uint8_t out[32];
	size_t n;

	(void)state;
	/* base32 (RFC 4648 §10): "foobar" = MZXW6YTBOI. */
	assert_int_equal(codes__base32_decode((const uint8_t *)"MZXW6YTBOI", 10, out, sizeof(out), &n), 0);
	assert_int_equal(n, 6);
	assert_memory_equal(out, "foobar", 6);
	assert_int_equal(codes__base32_decode((const uint8_t *)"MZXW6YTBO1", 10, out, sizeof(out), &n), -1);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void test_trust_files(void **state)
{
	char dir[] = "/tmp/snt-trust-XXXXXX", path[512], sub[64];
	struct snt_trust *t = NULL;
	const struct snt_trust_key *k;
	size_t pos = 0;
	FILE *f;
	static const char did[] =
		"{\"id\":\"did:web:example.nz\",\"verificationMethod\":[{\"id\":\"did:web:example.nz#key-1\","
		"\"type\":\"JsonWebKey2020\",\"publicKeyJwk\":{\"kty\":\"EC\",\"crv\":\"P-256\","
		"\"x\":\"zRR-XGsCp12Vvbgui4DD6O6cqmhfPuXMhi1OxPl8760\",\"y\":\"Iv5SU6FuW-TRYh5_GOrJlcV_gpF_GpFQhCOD8LSk3T0\"}},"
		"{\"id\":\"did:web:example.nz#key-2\",\"publicKeyJwk\":{\"kty\":\"EC\",\"crv\":\"P-256\","
		"\"x\":\"zRR-XGsCp12Vvbgui4DD6O6cqmhfPuXMhi1OxPl8760\",\"y\":\"Iv5SU6FuW-TRYh5_GOrJlcV_gpF_GpFQhCOD8LSk3T0\"}}],"
		"\"assertionMethod\":[\"did:web:example.nz#key-1\"]}";
	static const char jwks[] =
		"{\"keys\":[{\"kty\":\"EC\",\"kid\":\"abc\",\"crv\":\"P-256\","
		"\"x\":\"zRR-XGsCp12Vvbgui4DD6O6cqmhfPuXMhi1OxPl8760\",\"y\":\"Iv5SU6FuW-TRYh5_GOrJlcV_gpF_GpFQhCOD8LSk3T0\"}]}";

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/certs", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	/* A directory: one DER, one PEM with two certificates, a README that is skipped. */
	snprintf(path, sizeof(path), "%s/a.der", sub);
	write_file(path, ec_signer.der, ec_signer.der_len);
	snprintf(path, sizeof(path), "%s/b.pem", sub);
	f = fopen(path, "w");
	assert_non_null(f);
	PEM_write_X509(f, rsa_signer.cert);
	PEM_write_X509(f, test_only_signer.cert);
	fclose(f);
	snprintf(path, sizeof(path), "%s/README", sub);
	write_file(path, "not a key\n", 10);
	assert_int_equal(snt_trust_new(&t), SNT_TRUST_OK);
	assert_int_equal(snt_trust_load(t, sub), SNT_TRUST_OK);
	assert_int_equal(snt_trust_count(t), 3);
	k = snt_trust_find(t, rsa_signer.kid, 8, NULL, &pos);
	assert_non_null(k);
	assert_non_null(k->cert);
	/* DID document: only the key assertionMethod lists; issuer = the DID. */
	snprintf(path, sizeof(path), "%s/did.json", dir);
	write_file(path, did, strlen(did));
	assert_int_equal(snt_trust_load(t, path), SNT_TRUST_OK);
	assert_int_equal(snt_trust_count(t), 4);
	pos = 0;
	assert_non_null(snt_trust_find(t, (const uint8_t *)"key-1", 5, "did:web:example.nz", &pos));
	pos = 0;
	assert_null(snt_trust_find(t, (const uint8_t *)"key-1", 5, "did:web:other.nz", &pos));
	pos = 0;
	assert_null(snt_trust_find(t, (const uint8_t *)"key-2", 5, NULL, &pos));
	/* JWK set. */
	snprintf(path, sizeof(path), "%s/jwks.json", dir);
	write_file(path, jwks, strlen(jwks));
	assert_int_equal(snt_trust_load(t, path), SNT_TRUST_OK);
	assert_int_equal(snt_trust_count(t), 5);
	/* Errors. */
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(snt_trust_load(t, path), SNT_TRUST_ERR_IO);
	snprintf(path, sizeof(path), "%s/junk", dir);
	write_file(path, "junk", 4);
	assert_int_equal(snt_trust_load(t, path), SNT_TRUST_ERR_FORMAT);
	snprintf(path, sizeof(path), "%s/empty.json", dir);
	write_file(path, "{\"keys\":[]}", 11);
	assert_int_equal(snt_trust_load(t, path), SNT_TRUST_ERR_EMPTY);
	assert_int_equal(snt_trust_load(NULL, path), SNT_TRUST_ERR_INVAL);
	assert_string_equal(snt_trust_strerror(SNT_TRUST_ERR_EMPTY), "no usable key found");
	snt_trust_free(t);
	snt_trust_free(NULL);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

static void test_nzcp_shc_early_stages(void **state)
{
	static const struct {
		const char *payload;
		enum snt_verify_stage stage;
	} cases[] = {
		{ "NZCP:/2/2KCEVIQEIVVWK6JNGEASNICZAEP2KALYDZSGSZB2O5SWEOTOPJRXALTDN53GSZBRHEXGQZLBNR2GQLTOPICRU",
		  SNT_VERIFY_PREFIX },
		{ "NZCP:/1/2KCE1", SNT_VERIFY_BASE32 },
		{ "NZCP:/1/AE", SNT_VERIFY_COSE },		/* one byte 0x01: CBOR, not COSE */
		{ "NZCP:/1/74", SNT_VERIFY_CBOR },		/* one byte 0xff: not CBOR */
		{ "shc:/5676", SNT_VERIFY_JWS },		/* "ey": no dots */
		{ "shc:/567", SNT_VERIFY_NUMERIC },		/* odd count */
		{ "shc:/99", SNT_VERIFY_NUMERIC },		/* 99 + 45 is past 'z' */
		{ "shc:/1/2/5676", SNT_VERIFY_NUMERIC },	/* chunks are not assembled */
		{ "shc:/", SNT_VERIFY_NUMERIC },
	};
	struct snt_verify_info v;

	(void)state;
	for (size_t i = 0; i < SNT_ARRAY_SIZE(cases); i++) {
		enum snt_verify_stage st = snt_verify_payload((const uint8_t *)cases[i].payload,
							      strlen(cases[i].payload), NULL, NOW_MS,
							      SNT_VCLOCK_GIVEN, &v);

		if (st != cases[i].stage)
			fail_msg("%s: stage %s, want %s", cases[i].payload, snt_verify_stage_name(st),
				 snt_verify_stage_name(cases[i].stage));
		assert_int_equal(v.result, SNT_RESULT_INVALID);
	}
}

static void test_names(void **state)
{
	struct snt_verify_subject s;
	char buf[32];

	(void)state;
	assert_null(snt_verify_stage_name(SNT_VERIFY_OK));
	assert_string_equal(snt_verify_stage_name(SNT_VERIFY_NOT_YET_VALID), "not-yet-valid");
	assert_string_equal(snt_verify_stage_name(SNT_VERIFY_KEY_USAGE), "key-usage");
	assert_string_equal(snt_verify_strerror(SNT_VERIFY_ZLIB), "not a valid zlib stream");
	assert_string_equal(snt_verify_result_name(SNT_RESULT_UNVERIFIED), "unverified");
	assert_string_equal(snt_verify_clock_name(SNT_VCLOCK_GIVEN), "given");
	memset(&s, 0, sizeof(s));
	snt_verify_mask_name(&s, buf, sizeof(buf));
	assert_string_equal(buf, "");
	snt_strlcpy(s.given, "张三", sizeof(s.given));
	snt_verify_mask_name(&s, buf, sizeof(buf));
	assert_string_equal(buf, "张*");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_es256),
		cmocka_unit_test(test_valid_ps256),
		cmocka_unit_test(test_stages),
		cmocka_unit_test(test_prefix_base45),
		cmocka_unit_test(test_no_trust_store),
		cmocka_unit_test(test_key_usage),
		cmocka_unit_test(test_dates_and_clock),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_base32_rfc4648),
		cmocka_unit_test(test_trust_files),
		cmocka_unit_test(test_nzcp_shc_early_stages),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
