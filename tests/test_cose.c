// SPDX-License-Identifier: MIT
/*
 * CBOR well-formedness, COSE_Sign1 parsing and base45 (firmware/cose/cose.h):
 * hostile CBOR refused before libcbor sees it, COSE_Sign1 shapes, the
 * RFC 9285 examples.  Signing and verification of the gate's own
 * COSE_Sign1 are in test_sign.c, health codes in test_verify.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <cbor.h>

#include "cose/cose.h"

static void test_cbor_hostile(void **state)
{
	static uint8_t deep[20000];
	static const uint8_t huge_array[] = { 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t huge_bstr[] = { 0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };
	static const uint8_t huge_map[] = { 0xbb, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02 };

	(void)state;
	/* CBOR bombs: deep nesting and lengths the input cannot hold. */
	memset(deep, 0x81, sizeof(deep));
	deep[sizeof(deep) - 1] = 0x00;
	assert_int_equal(snt_cose_cbor_check(deep, sizeof(deep)), -1);
	assert_null(snt_cose_cbor_load(deep, sizeof(deep)));
	assert_int_equal(snt_cose_cbor_check(huge_array, sizeof(huge_array)), -1);
	assert_int_equal(snt_cose_cbor_check(huge_bstr, sizeof(huge_bstr)), -1);
	assert_int_equal(snt_cose_cbor_check(huge_map, sizeof(huge_map)), -1);
	/* Indefinite array never closed; a reserved additional-info value. */
	assert_int_equal(snt_cose_cbor_check((const uint8_t *)"\x9f\x01\x02", 3), -1);
	assert_int_equal(snt_cose_cbor_check((const uint8_t *)"\x1c", 1), -1);
	/* Trailing bytes after the item. */
	assert_int_equal(snt_cose_cbor_check((const uint8_t *)"\x01\x02", 2), -1);
	/* Well-formed: tag 18 around [h'', {}, h'', h''], loaded despite libcbor 0.8's tag quirk. */
	{
		static const uint8_t ok[] = { 0xd2, 0x84, 0x40, 0xa0, 0x40, 0x40 };
		cbor_item_t *item = snt_cose_cbor_load(ok, sizeof(ok));

		assert_non_null(item);
		assert_true(cbor_isa_tag(item));
		cbor_decref(&item);
	}
}

static void test_cbor_put_head(void **state)
{
	uint8_t p[9];

	(void)state;
	/* RFC 8949 §4.2.1: the shortest form of each argument size. */
	assert_int_equal(snt_cose_cbor_put_head(p, 0, 23), 1);
	assert_int_equal(p[0], 0x17);
	assert_int_equal(snt_cose_cbor_put_head(p, 2, 24), 2);
	assert_memory_equal(p, "\x58\x18", 2);
	assert_int_equal(snt_cose_cbor_put_head(p, 3, 0x100), 3);
	assert_memory_equal(p, "\x79\x01\x00", 3);
	assert_int_equal(snt_cose_cbor_put_head(p, 4, 0x10000), 5);
	assert_memory_equal(p, "\x9a\x00\x01\x00\x00", 5);
	assert_int_equal(snt_cose_cbor_put_head(p, 0, 0x100000000ull), 9);
	assert_memory_equal(p, "\x1b\x00\x00\x00\x01\x00\x00\x00\x00", 9);
}

static void test_cbor_text_copy(void **state)
{
	static const uint8_t abc[] = { 0x63, 'a', 'b', 'c' };
	static const uint8_t nul[] = { 0x63, 'a', 0x00, 'c' };
	static const uint8_t bytes[] = { 0x43, 'a', 'b', 'c' };
	static const uint8_t chunked[] = { 0x7f, 0x61, 'a', 0xff };
	static const uint8_t empty[] = { 0x60 };
	cbor_item_t *item;
	char buf[4];

	(void)state;
	item = snt_cose_cbor_load(abc, sizeof(abc));
	assert_int_equal(snt_cose_cbor_text_copy(item, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "abc");
	/* Whole or not at all: 3 bytes need 4. */
	assert_int_equal(snt_cose_cbor_text_copy(item, buf, 3), -2);
	cbor_decref(&item);
	item = snt_cose_cbor_load(empty, sizeof(empty));
	assert_int_equal(snt_cose_cbor_text_copy(item, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	cbor_decref(&item);
	item = snt_cose_cbor_load(nul, sizeof(nul));
	assert_int_equal(snt_cose_cbor_text_copy(item, buf, sizeof(buf)), -1);
	cbor_decref(&item);
	item = snt_cose_cbor_load(bytes, sizeof(bytes));
	assert_int_equal(snt_cose_cbor_text_copy(item, buf, sizeof(buf)), -1);
	cbor_decref(&item);
	item = snt_cose_cbor_load(chunked, sizeof(chunked));
	assert_non_null(item);
	assert_int_equal(snt_cose_cbor_text_copy(item, buf, sizeof(buf)), -1);
	cbor_decref(&item);
	assert_int_equal(snt_cose_cbor_text_copy(NULL, buf, sizeof(buf)), -1);
}

static void test_sign1_shapes(void **state)
{
	/* 18([h'a10126', {4: h'01'}, h'70', h'00']): ES256 in the protected header, kid unprotected. */
	static const uint8_t es256[] = { 0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26, 0xa1, 0x04, 0x41, 0x01,
					 0x41, 0x70, 0x41, 0x00 };
	/* The same with alg 1 = -8 (EdDSA), which is not taken. */
	static const uint8_t eddsa[] = { 0xd2, 0x84, 0x43, 0xa1, 0x01, 0x27, 0xa1, 0x04, 0x41, 0x01,
					 0x41, 0x70, 0x41, 0x00 };
	/* Tag 17 (COSE_Mac0) around the ES256 array. */
	static const uint8_t mac0[] = { 0xd1, 0x84, 0x43, 0xa1, 0x01, 0x26, 0xa1, 0x04, 0x41, 0x01,
					0x41, 0x70, 0x41, 0x00 };
	struct snt_cose_sign1 c;

	(void)state;
	assert_int_equal(snt_cose_sign1_parse(es256, sizeof(es256), &c), SNT_COSE_OK);
	assert_int_equal(c.alg, SNT_COSE_ALG_ES256);
	assert_int_equal(c.kid_len, 1);
	assert_int_equal(c.kid[0], 0x01);
	assert_false(c.kid_protected);
	assert_int_equal(c.payload_len, 1);
	assert_int_equal(c.payload[0], 0x70);
	snt_cose_sign1_free(&c);
	/* Untagged is taken too. */
	assert_int_equal(snt_cose_sign1_parse(es256 + 1, sizeof(es256) - 1, &c), SNT_COSE_OK);
	snt_cose_sign1_free(&c);
	assert_int_equal(snt_cose_sign1_parse(eddsa, sizeof(eddsa), &c), SNT_COSE_ERR_SHAPE);
	assert_int_equal(snt_cose_sign1_parse(mac0, sizeof(mac0), &c), SNT_COSE_ERR_SHAPE);
	assert_int_equal(snt_cose_sign1_parse(es256, sizeof(es256) - 1, &c), SNT_COSE_ERR_CBOR);
	assert_null(c.root);
	snt_cose_sign1_free(NULL);
	assert_string_equal(snt_cose_strerror(SNT_COSE_ERR_SHAPE), "not a COSE_Sign1 with ES256 or PS256");
	assert_string_equal(snt_cose_strerror((enum snt_cose_err)99), "unknown error");
}

static void test_base45_rfc9285(void **state)
{
	uint8_t out[32];
	size_t n;

	(void)state;
	/* RFC 9285 §4.3 examples. */
	assert_int_equal(snt_cose_base45_decode((const uint8_t *)"BB8", 3, out, sizeof(out), &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "AB", 2);
	assert_int_equal(snt_cose_base45_decode((const uint8_t *)"%69 VD92EX0", 11, out, sizeof(out), &n), 0);
	assert_int_equal(n, 7);
	assert_memory_equal(out, "Hello!!", 7);
	assert_int_equal(snt_cose_base45_decode((const uint8_t *)"UJCLQE7W581", 11, out, sizeof(out), &n), 0);
	assert_memory_equal(out, "base-45", 7);
	/* "GGW" is 65535 + 1: out of range (§6); one leftover character; a bad character. */
	assert_int_equal(snt_cose_base45_decode((const uint8_t *)"GGW", 3, out, sizeof(out), &n), -1);
	assert_int_equal(snt_cose_base45_decode((const uint8_t *)"BB8A", 4, out, sizeof(out), &n), -1);
	assert_int_equal(snt_cose_base45_decode((const uint8_t *)"bb8", 3, out, sizeof(out), &n), -1);
}

static void test_base45_encode(void **state)
{
	char out[SNT_COSE_BASE45_LEN(7) + 1];

	(void)state;
	assert_int_equal(snt_cose_base45_encode((const uint8_t *)"Hello!!", 7, out), 11);
	assert_string_equal(out, "%69 VD92EX0");
	assert_int_equal(snt_cose_base45_encode((const uint8_t *)"AB", 2, out), 3);
	assert_string_equal(out, "BB8");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cbor_hostile),
		cmocka_unit_test(test_cbor_put_head),
		cmocka_unit_test(test_cbor_text_copy),
		cmocka_unit_test(test_sign1_shapes),
		cmocka_unit_test(test_base45_rfc9285),
		cmocka_unit_test(test_base45_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
