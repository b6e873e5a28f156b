// SPDX-License-Identifier: MIT
/*
 * Unit tests of firmware/fss: key evolution (one-way, deterministic, never
 * backwards, bounded), tags checked by a verifier holding k(0), the key
 * file's format with broken variants, and the key paths.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fss/fss.h"

#define T0 INT64_C(1641000000000)

static void test_evolve_and_check(void **state)
{
	struct snt_fss k0, gate, v, k3;
	uint8_t hash[SNT_FSS_HASH_LEN], tag[SNT_FSS_TAG_LEN];

	(void)state;
	assert_int_equal(snt_fss_init(&k0, T0, 1000, 1), SNT_FSS_OK);
	assert_int_equal(k0.epoch, 0);
	gate = k0;
	/* Epochs of the schedule, never below the key's. */
	assert_int_equal(snt_fss_epoch_at(&gate, T0 - 5000), 0);
	assert_int_equal(snt_fss_epoch_at(&gate, T0 + 999), 0);
	assert_int_equal(snt_fss_epoch_at(&gate, T0 + 3500), 3);
	assert_int_equal(snt_fss_epoch_at(&gate, INT64_MAX / 2), SNT_FSS_EPOCH_MAX);
	assert_int_equal(snt_fss_evolve(&gate, 3), SNT_FSS_OK);
	assert_int_equal(gate.epoch, 3);
	assert_memory_not_equal(gate.key, k0.key, SNT_FSS_KEY_LEN);
	assert_int_equal(snt_fss_epoch_at(&gate, T0 + 1000), 3);
	/* Deterministic: stepwise equals at once. */
	k3 = k0;
	for (int i = 1; i <= 3; i++)
		assert_int_equal(snt_fss_evolve(&k3, i), SNT_FSS_OK);
	assert_memory_equal(k3.key, gate.key, SNT_FSS_KEY_LEN);
	/* Never backwards, never past the bound. */
	assert_int_equal(snt_fss_evolve(&gate, 2), SNT_FSS_ERR_RANGE);
	assert_int_equal(gate.epoch, 3);
	assert_int_equal(snt_fss_evolve(&gate, SNT_FSS_EPOCH_MAX + 1), SNT_FSS_ERR_RANGE);

	memset(hash, 0xab, sizeof(hash));
	assert_int_equal(snt_fss_tag(&gate, 7, hash, tag), SNT_FSS_OK);
	v = k0;
	assert_int_equal(snt_fss_check(&v, 3, 7, hash, tag), SNT_FSS_OK);
	assert_int_equal(v.epoch, 3);
	/* Another seq, hash or epoch: no match; an epoch behind the verifier's: out of order. */
	assert_int_equal(snt_fss_check(&v, 3, 8, hash, tag), SNT_FSS_ERR_MISMATCH);
	hash[0] ^= 1;
	assert_int_equal(snt_fss_check(&v, 3, 7, hash, tag), SNT_FSS_ERR_MISMATCH);
	hash[0] ^= 1;
	assert_int_equal(snt_fss_check(&v, 4, 7, hash, tag), SNT_FSS_ERR_MISMATCH);
	assert_int_equal(snt_fss_check(&v, 3, 7, hash, tag), SNT_FSS_ERR_RANGE);
	assert_int_equal(snt_fss_tag(NULL, 7, hash, tag), SNT_FSS_ERR_INVAL);
	assert_int_equal(snt_fss_tag(&gate, 0, hash, tag), SNT_FSS_ERR_INVAL);
	assert_int_equal(snt_fss_init(&v, T0, 999, 1), SNT_FSS_ERR_INVAL);
	assert_int_equal(snt_fss_init(&v, T0, 1000, 0), SNT_FSS_ERR_INVAL);
}

/* A known answer: pins the KDF and the tag for other implementations (the bureau's). */
static void test_known_answer(void **state)
{
	static const char text[] = "sentinel-seal-v1\nepoch_ms 900000\nstart_utc_ms 0\nfirst_seq 1\nepoch 0\n"
				   "key 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
	struct snt_fss k;
	uint8_t hash[SNT_FSS_HASH_LEN] = { 0 }, tag[SNT_FSS_TAG_LEN];
	char hex[2 * SNT_FSS_TAG_LEN + 1], buf[SNT_FSS_FILE_MAX];

	(void)state;
	assert_int_equal(snt_fss_parse(text, strlen(text), &k), SNT_FSS_OK);
	assert_int_equal(snt_fss_format(&k, buf, sizeof(buf)), SNT_FSS_OK);
	assert_string_equal(buf, text);
	assert_int_equal(snt_fss_evolve(&k, 1), SNT_FSS_OK);
	assert_int_equal(snt_fss_tag(&k, 1, hash, tag), SNT_FSS_OK);
	snt_hex_encode(tag, sizeof(tag), hex);
	/* Python: hmac.new(k1, b"sentinel-seal-v1" + pack(">qq", 1, 1) + bytes(32), sha256) */
	assert_string_equal(hex, "6fc7d1d65823fb322ff420decdccbe3adb36234c482debc15db5e34c0e42ac87");
}

static void test_file_format(void **state)
{
	static const char *const bad[] = {
		"",
		"sentinel-seal-v2\nepoch_ms 900000\nstart_utc_ms 0\nfirst_seq 1\nepoch 0\nkey "
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
		"sentinel-seal-v1\nepoch_ms 999\nstart_utc_ms 0\nfirst_seq 1\nepoch 0\nkey "
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
		"sentinel-seal-v1\nepoch_ms 900000\nstart_utc_ms 0\nfirst_seq 0\nepoch 0\nkey "
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
		"sentinel-seal-v1\nepoch_ms 900000\nstart_utc_ms 0\nfirst_seq 1\nepoch 01\nkey "
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
		"sentinel-seal-v1\nepoch_ms 900000\nstart_utc_ms 0\nfirst_seq 1\nepoch 0\nkey "
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e\n",
		"sentinel-seal-v1\nepoch_ms 900000\nstart_utc_ms 0\nfirst_seq 1\nepoch 0\nkey "
		"000102030405060708090A0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
		"sentinel-seal-v1\nepoch_ms 900000\nstart_utc_ms 0\nfirst_seq 1\nepoch 0\nkey "
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\nextra\n",
		"sentinel-seal-v1\nepoch_ms 99999999999999999999\nstart_utc_ms 0\nfirst_seq 1\nepoch 0\nkey "
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
	};
	char dir[] = "/tmp/snt-fss-XXXXXX", path[64], tmp[80];
	struct snt_fss k, r;
	int e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(snt_fss_parse(bad[i], strlen(bad[i]), &k), SNT_FSS_ERR_FORMAT);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/gate.seal", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(snt_fss_read(path, &k, &e), SNT_FSS_ERR_IO);
	assert_int_equal(e, ENOENT);
	assert_int_equal(snt_fss_init(&k, T0, 60000, 42), SNT_FSS_OK);
	assert_int_equal(snt_fss_write(path, &k, &e), SNT_FSS_OK);
	assert_int_equal(e, 0);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(snt_fss_read(path, &r, &e), SNT_FSS_OK);
	assert_memory_equal(&r, &k, sizeof(k));
	unlink(path);
	rmdir(dir);
}

static void test_key_path(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(snt_fss_key_path("/etc/sentinel/device.key", ".seal", out, sizeof(out)), 0);
	assert_string_equal(out, "/etc/sentinel/device.seal");
	assert_int_equal(snt_fss_key_path("/k/dev.pem", ".seal0", out, sizeof(out)), 0);
	assert_string_equal(out, "/k/dev.pem.seal0");
	assert_int_equal(snt_fss_key_path("/a/very/long/path/to/the/device.key", ".seal0", out, sizeof(out)), -1);
	assert_string_equal(snt_fss_strerror(SNT_FSS_ERR_MISMATCH), "the seal does not verify");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evolve_and_check),
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_file_format),
		cmocka_unit_test(test_key_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
