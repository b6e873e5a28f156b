// SPDX-License-Identifier: MIT
/*
 * Unit tests of the home's issuer list (firmware/issuers/): signing,
 * strict reading of hostile lists, atomic install, and which badges and
 * passes it lets a gate take (issue 17).
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

#include <cbor.h>
#include <cmocka.h>

#include "common/common.h"
#include "files.h"
#include "issuers/issuers.h"
#include "rules/rules.h"
#include "sign/sign.h"

#define HOME "阳光养老院"
#define T0 1796083200000LL	/* 2026-12-01T00:00:00Z */

struct fx {
	EVP_PKEY *bureau, *other, *a, *b, *c;
	char dir[64];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	EVP_PKEY **keys[] = { &f->bureau, &f->other, &f->a, &f->b, &f->c };

	for (size_t i = 0; i < SNT_ARRAY_SIZE(keys); i++)
		assert_int_equal(snt_sign_key_generate(keys[i]), SNT_SIGN_OK);
	tmp_dir_make(f->dir, sizeof(f->dir), "test-issuers");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	static const char *const files[] = { SNT_ISSUERS_FILE };
	EVP_PKEY *keys[] = { f->bureau, f->other, f->a, f->b, f->c };

	tmp_dir_remove(f->dir, files, SNT_ARRAY_SIZE(files));
	for (size_t i = 0; i < SNT_ARRAY_SIZE(keys); i++)
		EVP_PKEY_free(keys[i]);
	free(f);
	return 0;
}

static void set_key(struct snt_issuers_key *k, const char *device, EVP_PKEY *key, int64_t at, const char *reason)
{
	char *pem = NULL;
	size_t len = 0;

	memset(k, 0, sizeof(*k));
	snprintf(k->device, sizeof(k->device), "%s", device);
	assert_int_equal(snt_sign_key_public_pem(key, &pem, &len), SNT_SIGN_OK);
	snprintf(k->pem, sizeof(k->pem), "%s", pem);
	free(pem);
	k->revoked_ms = at;
	snprintf(k->reason, sizeof(k->reason), "%s", reason ? reason : "");
}

/* A list of @home, @version: gates a and b active, c revoked at T0 ("board stolen"); with !@revoke c is active too. */
static struct snt_issuers *make_list(const struct fx *f, const char *home, uint64_t version, bool revoke)
{
	struct snt_issuers *l = calloc(1, sizeof(*l));

	assert_non_null(l);
	snprintf(l->home, sizeof(l->home), "%s", home);
	l->version = version;
	l->issued_ms = T0;
	set_key(&l->gates[l->n_gates++], "gate-a", f->a, 0, NULL);
	set_key(&l->gates[l->n_gates++], "gate-b", f->b, 0, NULL);
	if (revoke)
		set_key(&l->revoked[l->n_revoked++], "gate-c", f->c, T0, "board stolen");
	else
		set_key(&l->gates[l->n_gates++], "gate-c", f->c, 0, NULL);
	return l;
}

static void sign_list(const struct fx *f, EVP_PKEY *key, const char *home, uint64_t version, bool revoke,
		      uint8_t **out, size_t *len)
{
	struct snt_issuers *l = make_list(f, home, version, revoke);
	char err[256] = "";

	assert_int_equal(snt_issuers_sign(key, l, out, len, err, sizeof(err)), SNT_ISSUERS_OK);
	free(l);
}

/* A payload signed as it is (COSE_Sign1 by @key), for the reader's checks. */
static void sign_raw(EVP_PKEY *key, cbor_item_t *m, uint8_t **out, size_t *len)
{
	unsigned char *p = NULL;
	size_t cap = 0, plen = cbor_serialize_alloc(m, &p, &cap);

	assert_true(plen > 0);
	assert_int_equal(snt_sign1_es256(key, p, plen, out, len), SNT_SIGN_OK);
	free(p);
	cbor_decref(&m);
}

#define ADD(map, k, v) assert_true(cbor_map_add((map), (struct cbor_pair){ .key = cbor_move(cbor_build_string(k)), .value = cbor_move(v) }))

/* The top map of a list with one gate entry {device, kid, key} built by the caller. */
static cbor_item_t *raw_list(const char *type, cbor_item_t *gate, bool extra)
{
	cbor_item_t *m = cbor_new_definite_map(extra ? 8 : 7), *gates = cbor_new_definite_array(1);

	ADD(m, "type", cbor_build_string(type));
	ADD(m, "v", cbor_build_uint8(1));
	ADD(m, "home", cbor_build_string(HOME));
	ADD(m, "version", cbor_build_uint8(9));
	ADD(m, "issued", cbor_build_uint8(0));
	assert_true(cbor_array_push(gates, cbor_move(gate)));
	ADD(m, "gates", gates);
	ADD(m, "revoked", cbor_new_definite_array(0));
	if (extra)
		ADD(m, "url", cbor_build_string("http://x"));
	return m;
}

static cbor_item_t *raw_gate(EVP_PKEY *key, EVP_PKEY *kid_of)
{
	cbor_item_t *g = cbor_new_definite_map(3);
	uint8_t kid[SNT_SIGN_KID_LEN];
	char *pem = NULL;
	size_t len = 0;

	assert_int_equal(snt_sign_key_kid(kid_of, kid), SNT_SIGN_OK);
	assert_int_equal(snt_sign_key_public_pem(key, &pem, &len), SNT_SIGN_OK);
	ADD(g, "device", cbor_build_string("gate-a"));
	ADD(g, "kid", cbor_build_bytestring(kid, sizeof(kid)));
	ADD(g, "key", cbor_build_string(pem));
	free(pem);
	return g;
}

static void test_round_trip(void **state)
{
	struct fx *f = *state;
	struct snt_issuers *l = NULL;
	uint8_t *buf = NULL, kid[SNT_SIGN_KID_LEN];
	size_t len = 0;
	char err[256] = "";

	sign_list(f, f->bureau, HOME, 7, true, &buf, &len);
	assert_int_equal(snt_issuers_open(buf, len, f->bureau, &l, err, sizeof(err)), SNT_ISSUERS_OK);
	assert_string_equal(l->home, HOME);
	assert_int_equal(l->version, 7);
	assert_int_equal(l->issued_ms, T0);
	assert_int_equal(l->n_gates, 2);
	assert_int_equal(l->n_revoked, 1);
	assert_string_equal(l->gates[1].device, "gate-b");
	assert_int_equal(snt_sign_key_kid(f->b, kid), SNT_SIGN_OK);
	assert_memory_equal(l->gates[1].kid, kid, sizeof(kid));
	assert_non_null(l->gates[1].key);
	assert_string_equal(l->revoked[0].reason, "board stolen");
	assert_int_equal(l->revoked[0].revoked_ms, T0);
	snt_issuers_free(l);
	free(buf);
	snt_issuers_free(NULL);
}

static void test_hostile(void **state)
{
	struct fx *f = *state;
	struct snt_issuers *l = NULL, *bad;
	uint8_t *buf = NULL, *raw = NULL;
	size_t len = 0, rlen = 0;
	char err[256] = "";

	sign_list(f, f->bureau, HOME, 7, true, &buf, &len);
	/* Another key: refused. */
	assert_int_equal(snt_issuers_open(buf, len, f->other, &l, err, sizeof(err)), SNT_ISSUERS_ERR_SIGNATURE);
	assert_null(l);
	/* A byte flipped anywhere in the signed bytes: refused. */
	for (size_t i = 20; i < len; i += len / 7) {
		buf[i] ^= 0x01;
		assert_int_not_equal(snt_issuers_open(buf, len, f->bureau, &l, NULL, 0), SNT_ISSUERS_OK);
		assert_null(l);
		buf[i] ^= 0x01;
	}
	/* Truncated at every length: refused, never read past the end (ASan). */
	for (size_t n = 0; n < len; n += 13)
		assert_int_not_equal(snt_issuers_open(buf, n, f->bureau, &l, NULL, 0), SNT_ISSUERS_OK);
	/* Too large. */
	assert_int_equal(snt_issuers_open(buf, SNT_ISSUERS_MAX + 1, f->bureau, &l, err, sizeof(err)),
			 SNT_ISSUERS_ERR_TOO_LARGE);
	free(buf);

	/* Signed by the bureau, but not a list: another type, an extra key, a kid not its key's. */
	sign_raw(f->bureau, raw_list("trust", raw_gate(f->a, f->a), false), &raw, &rlen);
	assert_int_equal(snt_issuers_open(raw, rlen, f->bureau, &l, err, sizeof(err)), SNT_ISSUERS_ERR_PAYLOAD);
	assert_string_equal(err, "field 'type': not \"issuers\"");
	free(raw);
	sign_raw(f->bureau, raw_list("issuers", raw_gate(f->a, f->a), true), &raw, &rlen);
	assert_int_equal(snt_issuers_open(raw, rlen, f->bureau, &l, err, sizeof(err)), SNT_ISSUERS_ERR_PAYLOAD);
	assert_string_equal(err, "not a map of exactly the keys type, v, home, version, issued, gates, revoked");
	free(raw);
	sign_raw(f->bureau, raw_list("issuers", raw_gate(f->a, f->b), false), &raw, &rlen);
	assert_int_equal(snt_issuers_open(raw, rlen, f->bureau, &l, err, sizeof(err)), SNT_ISSUERS_ERR_PAYLOAD);
	assert_string_equal(err, "field 'gates[0].kid': not the kid of its key");
	free(raw);
	sign_raw(f->bureau, raw_list("issuers", raw_gate(f->a, f->a), false), &raw, &rlen);
	assert_int_equal(snt_issuers_open(raw, rlen, f->bureau, &l, err, sizeof(err)), SNT_ISSUERS_OK);
	snt_issuers_free(l);
	free(raw);

	/* The signer refuses what the reader would: a key listed twice, an empty reason. */
	bad = make_list(f, HOME, 3, true);
	set_key(&bad->revoked[0], "gate-c", f->a, T0, "again");
	assert_int_equal(snt_issuers_sign(f->bureau, bad, &raw, &rlen, err, sizeof(err)), SNT_ISSUERS_ERR_PAYLOAD);
	assert_string_equal(err, "field 'revoked': the key of device 'gate-c' is listed twice");
	set_key(&bad->revoked[0], "gate-c", f->c, T0, "");
	assert_int_equal(snt_issuers_sign(f->bureau, bad, &raw, &rlen, err, sizeof(err)), SNT_ISSUERS_ERR_PAYLOAD);
	snprintf(bad->gates[0].pem, sizeof(bad->gates[0].pem), "not a key");
	set_key(&bad->revoked[0], "gate-c", f->c, T0, "stolen");
	assert_int_equal(snt_issuers_sign(f->bureau, bad, &raw, &rlen, err, sizeof(err)), SNT_ISSUERS_ERR_PAYLOAD);
	free(bad);
}

static void read_installed(const struct fx *f, uint8_t **buf, size_t *len)
{
	char path[128];
	struct stat sb;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, SNT_ISSUERS_FILE);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	*buf = malloc((size_t)sb.st_size);
	assert_non_null(*buf);
	*len = fread(*buf, 1, (size_t)sb.st_size, fp);
	fclose(fp);
}

static void test_install(void **state)
{
	struct fx *f = *state;
	struct snt_issuers_install_result res;
	struct snt_file_stamp s0, s1, s2;
	struct snt_issuers *l = NULL;
	uint8_t *v5 = NULL, *v6 = NULL, *other_home = NULL, *forged = NULL, *got = NULL;
	size_t n5, n6, nh, nf, ng;
	char err[256] = "";

	snt_file_stamp(f->dir, SNT_ISSUERS_FILE, &s0);
	assert_false(s0.present);
	assert_int_equal(snt_issuers_load(f->dir, f->bureau, HOME, &l, err, sizeof(err)), SNT_ISSUERS_ERR_NONE);
	sign_list(f, f->bureau, HOME, 5, false, &v5, &n5);
	sign_list(f, f->bureau, HOME, 6, true, &v6, &n6);
	sign_list(f, f->bureau, "月亮养老院", 99, true, &other_home, &nh);
	sign_list(f, f->other, HOME, 99, true, &forged, &nf);

	assert_int_equal(snt_issuers_install(f->dir, f->bureau, HOME, v5, n5, &res, err, sizeof(err)), SNT_ISSUERS_OK);
	assert_int_equal(res.version, 5);
	assert_int_equal(res.previous, 0);
	assert_int_equal(res.n_gates, 3);
	snt_file_stamp(f->dir, SNT_ISSUERS_FILE, &s1);
	assert_true(s1.present);
	assert_false(snt_file_stamp_equal(&s0, &s1));
	read_installed(f, &got, &ng);
	assert_int_equal(ng, n5);
	assert_memory_equal(got, v5, n5);
	free(got);

	/* Another home's list, whatever its version; a forged one; truncated; the same or an older version. */
	assert_int_equal(snt_issuers_install(f->dir, f->bureau, HOME, other_home, nh, &res, err, sizeof(err)),
			 SNT_ISSUERS_ERR_ELSEWHERE);
	assert_string_equal(err, "addressed to home '月亮养老院', this gate's home is '阳光养老院'");
	assert_int_equal(snt_issuers_install(f->dir, f->bureau, HOME, forged, nf, &res, err, sizeof(err)),
			 SNT_ISSUERS_ERR_SIGNATURE);
	assert_int_equal(snt_issuers_install(f->dir, f->bureau, HOME, v6, n6 - 1, &res, err, sizeof(err)),
			 SNT_ISSUERS_ERR_SIGNATURE);
	assert_int_equal(snt_issuers_install(f->dir, f->bureau, HOME, v5, n5, &res, err, sizeof(err)),
			 SNT_ISSUERS_ERR_OLD);
	assert_string_equal(err, "version 5 is not newer than the installed version 5");
	assert_int_equal(res.previous, 5);
	snt_file_stamp(f->dir, SNT_ISSUERS_FILE, &s2);
	assert_true(snt_file_stamp_equal(&s1, &s2));	/* nothing refused was written */
	read_installed(f, &got, &ng);
	assert_memory_equal(got, v5, n5);
	free(got);

	/* A newer one replaces it. */
	assert_int_equal(snt_issuers_install(f->dir, f->bureau, HOME, v6, n6, &res, err, sizeof(err)), SNT_ISSUERS_OK);
	assert_int_equal(res.version, 6);
	assert_int_equal(res.previous, 5);
	assert_int_equal(res.n_revoked, 1);
	assert_int_equal(snt_issuers_install(f->dir, f->bureau, HOME, v5, n5, &res, err, sizeof(err)),
			 SNT_ISSUERS_ERR_OLD);
	assert_int_equal(snt_issuers_load(f->dir, f->bureau, HOME, &l, err, sizeof(err)), SNT_ISSUERS_OK);
	assert_int_equal(l->version, 6);
	snt_issuers_free(l);
	/* Loaded for another home, or with another key: refused. */
	assert_int_equal(snt_issuers_load(f->dir, f->bureau, "月亮养老院", &l, err, sizeof(err)),
			 SNT_ISSUERS_ERR_ELSEWHERE);
	assert_int_equal(snt_issuers_load(f->dir, f->other, HOME, &l, err, sizeof(err)), SNT_ISSUERS_ERR_SIGNATURE);
	assert_int_equal(snt_issuers_install(NULL, f->bureau, HOME, v6, n6, &res, err, sizeof(err)),
			 SNT_ISSUERS_ERR_INVAL);
	free(v5);
	free(v6);
	free(other_home);
	free(forged);
}

/* A pass (or badge) for HOME signed with @key, issued at @issued_ms. */
static char *credential(EVP_PKEY *key, enum snt_credential_kind kind, int64_t issued_ms)
{
	struct snt_credential c;
	char *text = NULL;

	memset(&c, 0, sizeof(c));
	c.kind = kind;
	snprintf(c.home, sizeof(c.home), "%s", HOME);
	c.issued_ms = issued_ms;
	if (kind == SNT_CREDENTIAL_BADGE) {
		snprintf(c.ref, sizeof(c.ref), "S001");
	} else {
		snprintf(c.id, sizeof(c.id), "P-1");
		snprintf(c.visitor, sizeof(c.visitor), "王*");
		c.from_ms = T0;
		c.until_ms = T0 + 3600000;
		c.uses = 1;
	}
	assert_int_equal(snt_credential_issue(&c, key, &text), SNT_RULES_OK);
	return text;
}

static enum snt_issuers_err open_with(const struct snt_issuers *l, const struct fx *f, EVP_PKEY *own, const char *t,
				      struct snt_issuers_signer *who, char *err, size_t errlen)
{
	struct snt_credential c;

	return snt_issuers_credential_open(l, f->bureau, own, (const uint8_t *)t, strlen(t), &c, who, err, errlen);
}

static void test_credentials(void **state)
{
	struct fx *f = *state;
	struct snt_issuers_signer who;
	struct snt_issuers *l;
	uint8_t *buf = NULL;
	size_t len = 0;
	char *by_bureau = credential(f->bureau, SNT_CREDENTIAL_PASS, T0);
	char *by_a = credential(f->a, SNT_CREDENTIAL_PASS, T0);
	char *by_c_before = credential(f->c, SNT_CREDENTIAL_PASS, T0 - 86400000);	/* "issued" before the revocation */
	char *by_other = credential(f->other, SNT_CREDENTIAL_PASS, T0);
	char *badge_by_a = credential(f->a, SNT_CREDENTIAL_BADGE, T0);
	char err[256] = "";

	sign_list(f, f->bureau, HOME, 2, true, &buf, &len);
	assert_int_equal(snt_issuers_open(buf, len, f->bureau, &l, NULL, 0), SNT_ISSUERS_OK);
	free(buf);

	/* The bureau's pass, with or without a list. */
	assert_int_equal(open_with(NULL, f, NULL, by_bureau, &who, err, sizeof(err)), SNT_ISSUERS_OK);
	assert_int_equal(who.by, SNT_ISSUERS_BY_BUREAU);
	assert_int_equal(open_with(l, f, f->a, by_bureau, &who, err, sizeof(err)), SNT_ISSUERS_OK);
	/* A gate's own pass verifies on itself without a list; a sibling's only with the list. */
	assert_int_equal(open_with(NULL, f, f->a, by_a, &who, err, sizeof(err)), SNT_ISSUERS_OK);
	assert_int_equal(who.by, SNT_ISSUERS_BY_SELF);
	assert_int_equal(open_with(NULL, f, f->b, by_a, &who, err, sizeof(err)), SNT_ISSUERS_ERR_CREDENTIAL);
	assert_int_equal(open_with(l, f, f->b, by_a, &who, err, sizeof(err)), SNT_ISSUERS_OK);
	assert_int_equal(who.by, SNT_ISSUERS_BY_GATE);
	assert_string_equal(who.device, "gate-a");
	/* A revoked gate's pass: refused, also one whose "issued" is before the revocation, also on itself. */
	assert_int_equal(open_with(l, f, f->b, by_c_before, &who, err, sizeof(err)), SNT_ISSUERS_ERR_REVOKED);
	assert_int_equal(who.by, SNT_ISSUERS_BY_REVOKED);
	assert_string_equal(who.device, "gate-c");
	assert_string_equal(who.reason, "board stolen");
	assert_string_equal(err, "signed by gate 'gate-c', whose key was revoked (board stolen)");
	assert_int_equal(open_with(l, f, f->c, by_c_before, &who, err, sizeof(err)), SNT_ISSUERS_ERR_REVOKED);
	/* An unknown key: refused as before there were lists. */
	assert_int_equal(open_with(l, f, f->b, by_other, &who, err, sizeof(err)), SNT_ISSUERS_ERR_CREDENTIAL);
	/* Badges are the bureau's alone. */
	assert_int_equal(open_with(l, f, f->a, badge_by_a, &who, err, sizeof(err)), SNT_ISSUERS_ERR_CREDENTIAL);
	assert_string_equal(err, "a staff badge signed by a gate's key: badges are signed by the bureau alone");
	/* Not a credential; altered. */
	assert_int_equal(open_with(l, f, f->a, "HC1:xyz", &who, err, sizeof(err)), SNT_ISSUERS_ERR_CREDENTIAL);
	by_a[strlen(by_a) - 3] = by_a[strlen(by_a) - 3] == 'A' ? 'B' : 'A';
	assert_int_equal(open_with(l, f, f->b, by_a, &who, err, sizeof(err)), SNT_ISSUERS_ERR_CREDENTIAL);
	assert_int_equal(snt_issuers_credential_open(l, NULL, NULL, (const uint8_t *)by_bureau, strlen(by_bureau), NULL,
						     NULL, NULL, 0), SNT_ISSUERS_ERR_INVAL);
	snt_issuers_free(l);
	free(by_bureau);
	free(by_a);
	free(by_c_before);
	free(by_other);
	free(badge_by_a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_install),
		cmocka_unit_test(test_credentials),
	};

	return cmocka_run_group_tests_name("issuers", tests, setup, teardown);
}
