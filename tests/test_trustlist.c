// SPDX-License-Identifier: MIT
/* Unit tests of the bureau's signed trust list (firmware/trustlist/): signing, reading, install. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cbor.h>
#include <cmocka.h>

#include "sign/sign.h"
#include "trust/trust.h"
#include "trustlist/trustlist.h"

#define HOME "阳光养老院"
#define JWKS "tests/fixtures/shc/spec-examples-issuer.jwks.json"

static uint8_t *jwks;
static size_t jwks_len;

static void read_fixture(void)
{
	FILE *f = fopen(JWKS, "rb");
	static uint8_t buf[65536];

	assert_non_null(f);
	jwks_len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(jwks_len > 0);
	jwks = buf;
}

/* A list of @home, @version with the fixture under each of @names (NULL-terminated). */
static void make_list(struct snt_trustlist *tl, const char *home, uint64_t version, const char *const *names)
{
	memset(tl, 0, sizeof(*tl));
	snprintf(tl->home, sizeof(tl->home), "%s", home);
	tl->version = version;
	tl->issued_ms = 1796083200000LL;
	for (size_t i = 0; names[i]; i++) {
		snprintf(tl->files[i].name, sizeof(tl->files[i].name), "%s", names[i]);
		tl->files[i].data = jwks;
		tl->files[i].len = jwks_len;
		tl->n_files = i + 1;
	}
}

static void sign_list(EVP_PKEY *key, const char *home, uint64_t version, const char *const *names, uint8_t **out,
		      size_t *len)
{
	struct snt_trustlist tl;
	char err[256] = "";

	make_list(&tl, home, version, names);
	assert_int_equal(snt_trustlist_sign(key, &tl, out, len, err, sizeof(err)), SNT_TRUSTLIST_OK);
}

/* A payload signed as it is, for the reader's checks: {"type","v","home","version","issued","files"} with @file. */
static void sign_raw(EVP_PKEY *key, const char *type, const char *name, const uint8_t *data, size_t dlen,
		     bool extra, uint8_t **out, size_t *len)
{
	cbor_item_t *m = cbor_new_definite_map(extra ? 7 : 6), *files = cbor_new_definite_map(1);
	unsigned char *p = NULL;
	size_t cap = 0, plen;

#define ADD(map, k, v) assert_true(cbor_map_add((map), (struct cbor_pair){ .key = cbor_move(cbor_build_string(k)), .value = cbor_move(v) }))
	ADD(m, "type", cbor_build_string(type));
	ADD(m, "v", cbor_build_uint8(1));
	ADD(m, "home", cbor_build_string(HOME));
	ADD(m, "version", cbor_build_uint8(9));
	ADD(m, "issued", cbor_build_uint8(0));
	ADD(files, name, cbor_build_bytestring(data, dlen));
	ADD(m, "files", files);
	if (extra)
		ADD(m, "url", cbor_build_string("http://x"));
#undef ADD
	plen = cbor_serialize_alloc(m, &p, &cap);
	cbor_decref(&m);
	assert_true(plen > 0);
	assert_int_equal(snt_sign1_es256(key, p, plen, out, len), SNT_SIGN_OK);
	free(p);
}

static void test_round_trip(void **state)
{
	static const char *const names[] = { "issuers.jwks.json", "more_issuers-2.json", NULL };
	EVP_PKEY *key = NULL, *other = NULL;
	struct snt_trustlist *tl = NULL, bad;
	uint8_t *buf = NULL;
	size_t len = 0;
	char err[256] = "";

	(void)state;
	assert_int_equal(snt_sign_key_generate(&key), SNT_SIGN_OK);
	assert_int_equal(snt_sign_key_generate(&other), SNT_SIGN_OK);
	sign_list(key, HOME, 3, names, &buf, &len);
	assert_int_equal(snt_trustlist_open(buf, len, key, &tl, err, sizeof(err)), SNT_TRUSTLIST_OK);
	assert_string_equal(tl->home, HOME);
	assert_int_equal(tl->version, 3);
	assert_int_equal(tl->n_files, 2);
	assert_string_equal(tl->files[1].name, "more_issuers-2.json");
	assert_memory_equal(tl->files[0].data, jwks, jwks_len);
	snt_trustlist_free(tl);
	tl = NULL;
	/* Another key: refused. */
	assert_int_equal(snt_trustlist_open(buf, len, other, &tl, err, sizeof(err)), SNT_TRUSTLIST_ERR_SIGNATURE);
	assert_null(tl);
	/* One byte of the payload changed: refused. */
	buf[len / 2] ^= 1;
	assert_int_equal(snt_trustlist_open(buf, len, key, &tl, err, sizeof(err)), SNT_TRUSTLIST_ERR_SIGNATURE);
	free(buf);
	/* The signer refuses what the reader would. */
	make_list(&bad, HOME, 1, (const char *const[]){ "../evil", NULL });
	assert_int_equal(snt_trustlist_sign(key, &bad, &buf, &len, err, sizeof(err)), SNT_TRUSTLIST_ERR_PAYLOAD);
	make_list(&bad, HOME, 1, (const char *const[]){ "x.pem", NULL });
	bad.files[0].data = (uint8_t *)"not a key";
	bad.files[0].len = 9;
	assert_int_equal(snt_trustlist_sign(key, &bad, &buf, &len, err, sizeof(err)), SNT_TRUSTLIST_ERR_KEYS);
	assert_non_null(strstr(err, "file 'x.pem': not a certificate, DCC trust list, DID document or JWK set"));
	make_list(&bad, "", 1, (const char *const[]){ "a.json", NULL });
	assert_int_equal(snt_trustlist_sign(key, &bad, &buf, &len, err, sizeof(err)), SNT_TRUSTLIST_ERR_PAYLOAD);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

/* Hostile payloads signed by the right key: each refused naming what is wrong. */
static void test_hostile(void **state)
{
	static const struct {
		const char *type, *name, *data;
		bool extra;
		enum snt_trustlist_err want;
		const char *msg;
	} cases[] = {
		{ "trust", "../../etc/passwd", NULL, false, SNT_TRUSTLIST_ERR_PAYLOAD, "field 'files': a name" },
		{ "trust", ".hidden", NULL, false, SNT_TRUSTLIST_ERR_PAYLOAD, "field 'files': a name" },
		{ "trust", "a.pem", "-----BEGIN CERTIFICATE-----\nxx\n", false, SNT_TRUSTLIST_ERR_KEYS,
		  "file 'a.pem': not a certificate" },
		{ "trust", "a.json", NULL, true, SNT_TRUSTLIST_ERR_PAYLOAD, "not a map of exactly the keys" },
		{ "rules", "a.json", NULL, false, SNT_TRUSTLIST_ERR_PAYLOAD, "field 'type': not \"trust\"" },
	};
	EVP_PKEY *key = NULL;

	(void)state;
	assert_int_equal(snt_sign_key_generate(&key), SNT_SIGN_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct snt_trustlist *tl = NULL;
		uint8_t *buf = NULL;
		size_t len = 0;
		char err[256] = "";

		sign_raw(key, cases[i].type, cases[i].name,
			 cases[i].data ? (const uint8_t *)cases[i].data : jwks,
			 cases[i].data ? strlen(cases[i].data) : jwks_len, cases[i].extra, &buf, &len);
		assert_int_equal(snt_trustlist_open(buf, len, key, &tl, err, sizeof(err)), cases[i].want);
		assert_null(tl);
		if (!strstr(err, cases[i].msg))
			fail_msg("case %zu: '%s' does not say '%s'", i, err, cases[i].msg);
		free(buf);
	}
	EVP_PKEY_free(key);
}

static bool exists(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void test_install(void **state)
{
	static const char *const v1[] = { "a.json", "b.json", NULL }, *const v2[] = { "c.json", NULL };
	char dir[] = "/tmp/test-trustlist-XXXXXX", err[256] = "", path[256];
	struct snt_trustlist_install_result res;
	struct snt_file_stamp s0, s1, s2;
	struct snt_trust *t = NULL;
	EVP_PKEY *key = NULL, *other = NULL;
	uint8_t *l1, *l2, *l3, *lx;
	size_t n1, n2, n3, nx;
	uint64_t version;
	int64_t issued = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(snt_sign_key_generate(&key), SNT_SIGN_OK);
	assert_int_equal(snt_sign_key_generate(&other), SNT_SIGN_OK);
	sign_list(key, HOME, 1, v1, &l1, &n1);
	sign_list(key, HOME, 2, v2, &l2, &n2);
	sign_list(key, "另一养老院", 5, v2, &l3, &n3);
	sign_list(other, HOME, 7, v2, &lx, &nx);
	assert_int_equal(snt_trustlist_installed(dir, key, HOME, &version, NULL, path, sizeof(path), err, sizeof(err)),
			 SNT_TRUSTLIST_ERR_NONE);
	snt_file_stamp(dir, SNT_TRUSTLIST_FILE, &s0);
	assert_false(s0.present);

	assert_int_equal(snt_trustlist_install(dir, key, HOME, l1, n1, &res, err, sizeof(err)), SNT_TRUSTLIST_OK);
	assert_int_equal(res.version, 1);
	assert_int_equal(res.previous, 0);
	assert_true(exists(dir, "trust/a.json") && exists(dir, "trust/b.json"));
	snt_file_stamp(dir, SNT_TRUSTLIST_FILE, &s1);
	assert_true(s1.present);
	assert_false(snt_file_stamp_equal(&s0, &s1));
	assert_int_equal(snt_trustlist_installed(dir, key, HOME, &version, &issued, path, sizeof(path), err,
						 sizeof(err)), SNT_TRUSTLIST_OK);
	assert_int_equal(version, 1);
	assert_int_equal(issued, 1796083200000LL);	/* the list's issue time (sentinelctl status) */
	assert_int_equal(snt_trust_new(&t), SNT_TRUST_OK);
	assert_int_equal(snt_trust_load(t, path), SNT_TRUST_OK);
	assert_int_equal(snt_trust_count(t), 2);
	snt_trust_free(t);

	/* Not newer, another home, another key: refused, the installed list kept. */
	assert_int_equal(snt_trustlist_install(dir, key, HOME, l1, n1, &res, err, sizeof(err)), SNT_TRUSTLIST_ERR_OLD);
	assert_string_equal(err, "version 1 is not newer than the installed version 1");
	assert_int_equal(snt_trustlist_install(dir, key, HOME, l3, n3, &res, err, sizeof(err)),
			 SNT_TRUSTLIST_ERR_ELSEWHERE);
	assert_string_equal(err, "addressed to home '另一养老院', this gate's home is '阳光养老院'");
	assert_int_equal(snt_trustlist_install(dir, key, HOME, lx, nx, &res, err, sizeof(err)),
			 SNT_TRUSTLIST_ERR_SIGNATURE);
	snt_file_stamp(dir, SNT_TRUSTLIST_FILE, &s2);
	assert_true(snt_file_stamp_equal(&s1, &s2));
	assert_true(exists(dir, "trust/a.json") && !exists(dir, "trust/c.json"));

	/* Version 2: its files replace the old ones whole. */
	assert_int_equal(snt_trustlist_install(dir, key, HOME, l2, n2, &res, err, sizeof(err)), SNT_TRUSTLIST_OK);
	assert_int_equal(res.version, 2);
	assert_int_equal(res.previous, 1);
	assert_true(exists(dir, "trust/c.json"));
	assert_false(exists(dir, "trust/a.json") || exists(dir, "trust/b.json") || exists(dir, "trust.new"));
	snt_file_stamp(dir, SNT_TRUSTLIST_FILE, &s2);
	assert_false(snt_file_stamp_equal(&s1, &s2));
	assert_int_equal(snt_trustlist_installed(dir, key, HOME, &version, NULL, NULL, 0, err, sizeof(err)),
			 SNT_TRUSTLIST_OK);
	assert_int_equal(version, 2);
	/* The installed list read with another home's eyes: not this gate's. */
	assert_int_equal(snt_trustlist_installed(dir, key, "x", &version, NULL, NULL, 0, err, sizeof(err)),
			 SNT_TRUSTLIST_ERR_ELSEWHERE);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
	free(l1);
	free(l2);
	free(l3);
	free(lx);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

/* One file checked outside a list, as an enrolment package's trust files are. */
static void test_check_file(void **state)
{
	static const uint8_t junk[] = "not a key\n";
	char err[256] = "";

	(void)state;
	assert_int_equal(snt_trustlist_check_file("issuers.jwks.json", jwks, jwks_len, err, sizeof(err)),
			 SNT_TRUSTLIST_OK);
	assert_int_equal(snt_trustlist_check_file("junk.pem", junk, sizeof(junk) - 1, err, sizeof(err)),
			 SNT_TRUSTLIST_ERR_KEYS);
	assert_string_equal(err, "file 'junk.pem': not a certificate, DCC trust list, DID document or JWK set");
	assert_int_equal(snt_trustlist_check_file("a.pem", (const uint8_t *)"\0", 1, err, sizeof(err)),
			 SNT_TRUSTLIST_ERR_KEYS);
	assert_int_equal(snt_trustlist_check_file("e.pem", junk, 0, err, sizeof(err)), SNT_TRUSTLIST_ERR_PAYLOAD);
	assert_string_equal(err, "file 'e.pem': empty");
	assert_int_equal(snt_trustlist_check_file(NULL, junk, 1, NULL, 0), SNT_TRUSTLIST_ERR_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_install),
		cmocka_unit_test(test_check_file),
	};

	read_fixture();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
