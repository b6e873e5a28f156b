// SPDX-License-Identifier: MIT
/*
 * idcard: GB 11643 check digits, SAM frames, the UCS-2LE text block, the
 * card's validity, masking and the keyed hash of the number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/common.h"
#include "idcard/idcard.h"
#include "tests/idcard_sample.h"

/* The worked examples of GB 11643-1999 (annex: 11010519491231002X, 440524188001010014). */
static void test_check_digit_standard_examples(void **state)
{
	(void)state;
	assert_int_equal(snt_idcard_check_digit("11010519491231002"), 'X');
	assert_int_equal(snt_idcard_check_digit("44052418800101001"), '4');
	assert_int_equal(snt_idcard_number_check("11010519491231002X"), SNT_IDCARD_OK);
	assert_int_equal(snt_idcard_number_check("11010519491231002x"), SNT_IDCARD_OK);
	assert_int_equal(snt_idcard_number_check("440524188001010014"), SNT_IDCARD_OK);
	assert_int_equal(snt_idcard_number_check("110105194912310021"), SNT_IDCARD_ERR_CHECK_DIGIT);
	assert_int_equal(snt_idcard_number_check("440524188001010015"), SNT_IDCARD_ERR_CHECK_DIGIT);
}

static void test_check_digit_forms(void **state)
{
	(void)state;
	assert_int_equal(snt_idcard_check_digit(NULL), 0);
	assert_int_equal(snt_idcard_check_digit("1101051949123100"), 0);
	assert_int_equal(snt_idcard_check_digit("1101051949123100A"), 0);
	assert_int_equal(snt_idcard_number_check(NULL), SNT_IDCARD_ERR_INVAL);
	assert_int_equal(snt_idcard_number_check(""), SNT_IDCARD_ERR_NUMBER);
	assert_int_equal(snt_idcard_number_check("11010519491231002"), SNT_IDCARD_ERR_NUMBER);
	assert_int_equal(snt_idcard_number_check("11010519491231002X0"), SNT_IDCARD_ERR_NUMBER);
	assert_int_equal(snt_idcard_number_check("1101051949123100XX"), SNT_IDCARD_ERR_NUMBER);
	assert_int_equal(snt_idcard_number_check("11010519491231002Y"), SNT_IDCARD_ERR_NUMBER);
	assert_int_equal(snt_idcard_number_check("X10105194912310021"), SNT_IDCARD_ERR_NUMBER);
}

/*
 * Generated numbers: for each, exactly one of the eleven check characters
 * is accepted, and it is the one for which the ISO 7064 MOD 11-2 sum of all
 * 18 characters (weights 2^(i-1) mod 11, X = 10) is 1 mod 11.
 */
static void test_check_digit_generated(void **state)
{
	static const char checks[] = "0123456789X";
	uint32_t x = 20261207u;

	(void)state;
	for (int n = 0; n < 2000; n++) {
		char num[19];
		int accepted = 0;

		for (int i = 0; i < 17; i++) {
			x = x * 1103515245u + 12345u;
			num[i] = (char)('0' + (x >> 16) % 10);
		}
		num[18] = '\0';
		for (int c = 0; c < 11; c++) {
			int sum = 0, w = 1;

			num[17] = checks[c];
			for (int i = 17; i >= 0; i--) {
				int a = num[i] == 'X' ? 10 : num[i] - '0';

				sum += a * w;
				w = w * 2 % 11;
			}
			enum snt_idcard_err rc = snt_idcard_number_check(num);

			if (sum % 11 == 1) {
				assert_int_equal(rc, SNT_IDCARD_OK);
				assert_int_equal(snt_idcard_check_digit(num), checks[c]);
				accepted++;
			} else {
				assert_int_equal(rc, SNT_IDCARD_ERR_CHECK_DIGIT);
			}
		}
		assert_int_equal(accepted, 1);
	}
}

static void test_commands_bytes(void **state)
{
	static const uint8_t find[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22 };
	static const uint8_t select[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x02, 0x21 };
	static const uint8_t read[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x30, 0x01, 0x32 };
	uint8_t out[16];
	size_t n = 0;

	(void)state;
	assert_int_equal(snt_idcard_command(SNT_IDCARD_CMD_FIND, SNT_IDCARD_PARA_FIND, out, sizeof(out), &n),
			 SNT_IDCARD_OK);
	assert_int_equal(n, sizeof(find));
	assert_memory_equal(out, find, sizeof(find));
	assert_int_equal(snt_idcard_command(SNT_IDCARD_CMD_SELECT, SNT_IDCARD_PARA_SELECT, out, sizeof(out), &n),
			 SNT_IDCARD_OK);
	assert_memory_equal(out, select, sizeof(select));
	assert_int_equal(snt_idcard_command(SNT_IDCARD_CMD_READ, SNT_IDCARD_PARA_READ_TEXT, out, sizeof(out), &n),
			 SNT_IDCARD_OK);
	assert_memory_equal(out, read, sizeof(read));
	assert_int_equal(snt_idcard_command(0x20, 0x01, out, 9, &n), SNT_IDCARD_ERR_NOSPACE);
	assert_int_equal(snt_idcard_frame_encode(out, 0, out, sizeof(out), &n), SNT_IDCARD_ERR_INVAL);
}

static void test_decode_response(void **state)
{
	/* A find-card answer "card found": SW 00 00 9F, XOR 00^04^00^00^9F = 9B. */
	static const uint8_t found[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x9F, 0x9B };
	struct snt_idcard_frame f;
	size_t used = 99;

	(void)state;
	assert_int_equal(snt_idcard_frame_decode(found, sizeof(found), &f, &used), SNT_IDCARD_OK);
	assert_int_equal(used, sizeof(found));
	assert_int_equal(f.body_len, 3);
	assert_ptr_equal(f.body, found + 7);
	assert_int_equal(f.body[2], SNT_IDCARD_SW_FOUND);

	/* Each prefix is incomplete; nothing of it may be dropped. */
	for (size_t k = 0; k < sizeof(found); k++) {
		assert_int_equal(snt_idcard_frame_decode(found, k, &f, &used), SNT_IDCARD_ERR_SHORT);
		assert_int_equal(used, 0);
	}
}

static void test_decode_noise(void **state)
{
	uint8_t buf[64];
	struct snt_idcard_frame f;
	size_t used, n;
	static const uint8_t body[] = { 0x00, 0x00, 0x80 };

	(void)state;
	/* Noise before a frame is skipped within the same call. */
	memcpy(buf, "\x01\xAA\x55\xAA\xAA\x96\x00", 7);
	assert_int_equal(snt_idcard_frame_encode(body, sizeof(body), buf + 7, sizeof(buf) - 7, &n), SNT_IDCARD_OK);
	assert_int_equal(snt_idcard_frame_decode(buf, 7 + n, &f, &used), SNT_IDCARD_OK);
	assert_int_equal(used, 7 + n);
	assert_int_equal(f.body[2], SNT_IDCARD_SW_NO_CARD);

	/* Pure noise: all dropped; a partial preamble at the end is kept. */
	memcpy(buf, "\x13\x37\xAA\x00\xAA\xAA", 6);
	assert_int_equal(snt_idcard_frame_decode(buf, 6, &f, &used), SNT_IDCARD_ERR_SHORT);
	assert_int_equal(used, 4);
	memcpy(buf, "\x13\x37\x99", 3);
	assert_int_equal(snt_idcard_frame_decode(buf, 3, &f, &used), SNT_IDCARD_ERR_SHORT);
	assert_int_equal(used, 3);
}

static void test_decode_broken(void **state)
{
	uint8_t buf[SNT_IDCARD_FRAME_MAX + 16];
	struct snt_idcard_frame f;
	size_t used, n;
	static const uint8_t body[] = { 0x00, 0x00, 0x90, 0x12 };

	(void)state;
	assert_int_equal(snt_idcard_frame_encode(body, sizeof(body), buf, sizeof(buf), &n), SNT_IDCARD_OK);
	/* Checksum: one flipped bit anywhere after the preamble. */
	for (size_t k = 5; k < n; k++) {
		buf[k] ^= 0x01;
		enum snt_idcard_err rc = snt_idcard_frame_decode(buf, n, &f, &used);

		if (k < 7)
			/* LEN changed: the frame now seems longer (short) or fails on checksum. */
			assert_true(rc == SNT_IDCARD_ERR_SHORT || rc == SNT_IDCARD_ERR_CHECKSUM ||
				    rc == SNT_IDCARD_ERR_LENGTH);
		else
			assert_int_equal(rc, SNT_IDCARD_ERR_CHECKSUM);
		if (rc != SNT_IDCARD_ERR_SHORT)
			assert_int_equal(used, 1);
		buf[k] ^= 0x01;
	}
	/* LEN 0, 1 and above the maximum. */
	buf[5] = 0x00;
	buf[6] = 0x01;
	assert_int_equal(snt_idcard_frame_decode(buf, n, &f, &used), SNT_IDCARD_ERR_LENGTH);
	assert_int_equal(used, 1);
	buf[6] = 0x00;
	assert_int_equal(snt_idcard_frame_decode(buf, n, &f, &used), SNT_IDCARD_ERR_LENGTH);
	buf[5] = 0xFF;
	buf[6] = 0xFF;
	assert_int_equal(snt_idcard_frame_decode(buf, n, &f, &used), SNT_IDCARD_ERR_LENGTH);
	assert_int_equal(snt_idcard_frame_decode(NULL, n, &f, &used), SNT_IDCARD_ERR_INVAL);
}

static void test_text_layout_and_roundtrip(void **state)
{
	uint8_t block[SNT_IDCARD_TEXT_LEN];
	struct snt_idcard_text t;
	const char *field = "x";

	(void)state;
	assert_int_equal(snt_idcard_text_build(&idcard_sample, block, &field), SNT_IDCARD_OK);
	assert_null(field);
	/* Name at 0: U+5F20 U+4E09 U+4E30 in UCS-2LE, then spaces to byte 30. */
	assert_memory_equal(block, "\x20\x5f\x09\x4e\x30\x4e\x20\x00", 8);
	/* Sex at 30, nation at 32, birth at 36, address at 52, number at 122, ... */
	assert_memory_equal(block + 30, "1\0", 2);
	assert_memory_equal(block + 32, "0\0" "1\0", 4);
	assert_memory_equal(block + 36, "1\0" "9\0" "4\0" "9\0", 8);
	assert_memory_equal(block + 52, "\x17\x53", 2); /* 北 U+5317 */
	assert_memory_equal(block + 122, "1\0" "1\0", 4);
	assert_memory_equal(block + 156, "X\0", 2);
	assert_memory_equal(block + 158, "\x17\x53", 2);
	assert_memory_equal(block + 188, "2\0" "0\0" "2\0" "0\0", 8);
	assert_memory_equal(block + 204, "2\0" "0\0" "4\0" "0\0", 8);
	for (size_t i = 220; i < SNT_IDCARD_TEXT_LEN; i += 2)
		assert_memory_equal(block + i, " \0", 2);

	assert_int_equal(snt_idcard_text_parse(block, &t, &field), SNT_IDCARD_OK);
	assert_null(field);
	assert_string_equal(t.name, "张三丰");
	assert_string_equal(t.sex, "1");
	assert_string_equal(t.nation, "01");
	assert_string_equal(t.birth, "19491231");
	assert_string_equal(t.address, "北京市朝阳区某某路1号");
	assert_string_equal(t.number, "11010519491231002X");
	assert_string_equal(t.authority, "北京市公安局朝阳分局");
	assert_string_equal(t.valid_from, "20200101");
	assert_string_equal(t.valid_to, "20400101");

	/* NUL padding (some modules) reads the same. */
	memset(block + 6, 0, 24);
	assert_int_equal(snt_idcard_text_parse(block, &t, &field), SNT_IDCARD_OK);
	assert_string_equal(t.name, "张三丰");
}

static void expect_parse_fails(uint8_t *block, size_t off, const char *bytes, size_t n, const char *want_field)
{
	uint8_t copy[SNT_IDCARD_TEXT_LEN];
	struct snt_idcard_text t;
	const char *field = NULL;

	memcpy(copy, block, sizeof(copy));
	memcpy(copy + off, bytes, n);
	assert_int_equal(snt_idcard_text_parse(copy, &t, &field), SNT_IDCARD_ERR_TEXT);
	assert_non_null(field);
	assert_string_equal(field, want_field);
	assert_string_equal(t.name, "");
}

static void test_text_bad_fields(void **state)
{
	uint8_t block[SNT_IDCARD_TEXT_LEN];
	struct snt_idcard_text t = idcard_sample;
	const char *field;

	(void)state;
	assert_int_equal(snt_idcard_text_build(&t, block, &field), SNT_IDCARD_OK);
	expect_parse_fails(block, 0, "\x00\xd8\x41\x00", 4, "name");	/* lone surrogate */
	expect_parse_fails(block, 0, " \0 \0 \0 \0 \0 \0 \0 \0 \0 \0 \0 \0 \0 \0 \0", 30, "name"); /* none */
	expect_parse_fails(block, 2, "\x1b\0", 2, "name");		/* ESC in it */
	expect_parse_fails(block, 30, "M\0", 2, "sex");
	expect_parse_fails(block, 36, "1\0" "9\0" "4\0" "9\0" "-\0", 10, "birth");
	expect_parse_fails(block, 122, "A\0", 2, "number");
	expect_parse_fails(block, 156, " \0", 2, "number");
	expect_parse_fails(block, 204, "2\0" "0\0" "4\0" "0\0" "0\0" "1\0" "0\0" " \0", 16, "valid_to");

	/* Built: a field too long for its width, or not UTF-8. */
	snt_strlcpy(t.name, "一二三四五六七八九十一二三四五六", sizeof(t.name));
	assert_int_equal(snt_idcard_text_build(&t, block, &field), SNT_IDCARD_ERR_TEXT);
	assert_string_equal(field, "name");
	t = idcard_sample;
	t.authority[0] = (char)0xff;
	assert_int_equal(snt_idcard_text_build(&t, block, &field), SNT_IDCARD_ERR_TEXT);
	assert_string_equal(field, "authority");
}

static void test_long_term_and_validity(void **state)
{
	uint8_t block[SNT_IDCARD_TEXT_LEN];
	struct snt_idcard_text t = idcard_sample, back;

	(void)state;
	snt_strlcpy(t.valid_to, "长期", sizeof(t.valid_to));
	assert_int_equal(snt_idcard_text_build(&t, block, NULL), SNT_IDCARD_OK);
	assert_int_equal(snt_idcard_text_parse(block, &back, NULL), SNT_IDCARD_OK);
	assert_string_equal(back.valid_to, "长期");
	assert_int_equal(snt_idcard_validity(&back, 20991231), SNT_IDCARD_VALID);
	assert_int_equal(snt_idcard_validity(&back, 20191231), SNT_IDCARD_NOT_YET);

	assert_int_equal(snt_idcard_validity(&idcard_sample, 20200101), SNT_IDCARD_VALID);
	assert_int_equal(snt_idcard_validity(&idcard_sample, 20400101), SNT_IDCARD_VALID);
	assert_int_equal(snt_idcard_validity(&idcard_sample, 20400102), SNT_IDCARD_EXPIRED);
	assert_int_equal(snt_idcard_validity(&idcard_sample, 20191231), SNT_IDCARD_NOT_YET);
	t = idcard_sample;
	t.valid_to[0] = '\0';
	assert_int_equal(snt_idcard_validity(&t, 20261207), SNT_IDCARD_EXPIRED);
	assert_int_equal(snt_idcard_validity(NULL, 20261207), SNT_IDCARD_EXPIRED);
}

/* The age in whole years on a local day, from the card's full birth date. */
static void test_age(void **state)
{
	(void)state;
	assert_int_equal(snt_idcard_age("19491231", 20261207), 76);
	assert_int_equal(snt_idcard_age("19491231", 20261231), 77);	/* the birthday itself */
	assert_int_equal(snt_idcard_age("19491231", 20261230), 76);	/* the day before */
	assert_int_equal(snt_idcard_age("20081207", 20261207), 18);
	assert_int_equal(snt_idcard_age("20081208", 20261207), 17);
	assert_int_equal(snt_idcard_age("20261207", 20261207), 0);
	/* Born on 29 February: a year older on 1 March in other years, on the 29th in leap years. */
	assert_int_equal(snt_idcard_age("20000229", 20260228), 25);
	assert_int_equal(snt_idcard_age("20000229", 20260301), 26);
	assert_int_equal(snt_idcard_age("20000229", 20280229), 28);
	/* Not a real date, not digits, or after the day. */
	assert_int_equal(snt_idcard_age("19490229", 20261207), -1);
	assert_int_equal(snt_idcard_age("19491331", 20261207), -1);
	assert_int_equal(snt_idcard_age("19490431", 20261207), -1);
	assert_int_equal(snt_idcard_age("19490100", 20261207), -1);
	assert_int_equal(snt_idcard_age("1949123", 20261207), -1);
	assert_int_equal(snt_idcard_age("1949123x", 20261207), -1);
	assert_int_equal(snt_idcard_age("", 20261207), -1);
	assert_int_equal(snt_idcard_age(NULL, 20261207), -1);
	assert_int_equal(snt_idcard_age("20261208", 20261207), -1);
}

static void test_read_response(void **state)
{
	uint8_t block[SNT_IDCARD_TEXT_LEN], body[SNT_IDCARD_READ_BODY_LEN];
	uint8_t frame[SNT_IDCARD_FRAME_MAX];
	const uint8_t *text;
	struct snt_idcard_frame f;
	size_t n, used;

	(void)state;
	assert_int_equal(snt_idcard_text_build(&idcard_sample, block, NULL), SNT_IDCARD_OK);
	snt_idcard_read_response(block, body);
	assert_int_equal(snt_idcard_frame_encode(body, sizeof(body), frame, sizeof(frame), &n), SNT_IDCARD_OK);
	/* 1295 bytes, LEN 0x0508, as a module sends it. */
	assert_int_equal(n, 1295);
	assert_int_equal(frame[5], 0x05);
	assert_int_equal(frame[6], 0x08);
	assert_int_equal(frame[9], SNT_IDCARD_SW_OK);
	assert_int_equal(snt_idcard_frame_decode(frame, n, &f, &used), SNT_IDCARD_OK);
	assert_int_equal(snt_idcard_read_text(f.body, f.body_len, &text), SNT_IDCARD_OK);
	assert_memory_equal(text, block, sizeof(block));
	/* The text block begins 14 bytes into the frame. */
	assert_ptr_equal(text, frame + 14);
	assert_int_equal(snt_idcard_read_text(f.body, 100, &text), SNT_IDCARD_ERR_LENGTH);
	assert_null(text);
	body[3] = 0x02;
	assert_int_equal(snt_idcard_read_text(body, sizeof(body), &text), SNT_IDCARD_ERR_LENGTH);
}

/* The codes' names: GB/T 2261.1 (sex) and GB 3304 (nationality). */
static void test_code_names(void **state)
{
	const char *zh, *en;

	(void)state;
	assert_int_equal(snt_idcard_sex_name("1", &zh, &en), 0);
	assert_string_equal(zh, "男");
	assert_string_equal(en, "male");
	assert_int_equal(snt_idcard_sex_name("2", &zh, &en), 0);
	assert_string_equal(zh, "女");
	assert_string_equal(en, "female");
	assert_int_equal(snt_idcard_sex_name("9", &zh, &en), 0);
	assert_string_equal(zh, "未说明的性别");
	assert_int_equal(snt_idcard_sex_name("0", &zh, &en), 0);
	assert_string_equal(en, "unknown");
	assert_int_equal(snt_idcard_sex_name("3", &zh, &en), -1);
	assert_null(zh);
	assert_null(en);
	assert_int_equal(snt_idcard_sex_name("", &zh, &en), -1);
	assert_int_equal(snt_idcard_sex_name(NULL, &zh, &en), -1);

	assert_int_equal(snt_idcard_nation_name("01", &zh, &en), 0);
	assert_string_equal(zh, "汉族");
	assert_string_equal(en, "Han");
	assert_int_equal(snt_idcard_nation_name("03", &zh, &en), 0);
	assert_string_equal(zh, "回族");
	assert_int_equal(snt_idcard_nation_name("05", &zh, &en), 0);
	assert_string_equal(en, "Uygur");
	assert_int_equal(snt_idcard_nation_name("10", &zh, &en), 0);
	assert_string_equal(zh, "朝鲜族");
	assert_int_equal(snt_idcard_nation_name("56", &zh, &en), 0);
	assert_string_equal(zh, "基诺族");
	assert_string_equal(en, "Jino");
	assert_int_equal(snt_idcard_nation_name("97", &zh, &en), 0);
	assert_string_equal(zh, "其他");
	assert_int_equal(snt_idcard_nation_name("98", &zh, &en), 0);
	assert_string_equal(zh, "外国血统中国籍人士");
	for (const char *const *c = (const char *const[]){ "00", "57", "96", "99", "1", "001", "0a", "", NULL }; *c; c++) {
		assert_int_equal(snt_idcard_nation_name(*c, &zh, &en), -1);
		assert_null(zh);
		assert_null(en);
	}
	assert_int_equal(snt_idcard_nation_name(NULL, &zh, &en), -1);
}

static void test_mask_last4_hash(void **state)
{
	static const uint8_t want[32] = {
		0x4d, 0x47, 0x94, 0xec, 0x35, 0xf4, 0xed, 0x40, 0xc1, 0x38, 0xc8, 0xf7, 0x94, 0x76, 0x23, 0x89,
		0x89, 0xe2, 0x21, 0x67, 0x41, 0x15, 0x5e, 0xa5, 0x29, 0xa6, 0x64, 0x18, 0x6e, 0x50, 0x07, 0xc4,
	};
	uint8_t key[32], h[32], h2[32];
	char buf[16];

	(void)state;
	snt_idcard_mask_name("张三丰", buf, sizeof(buf));
	assert_string_equal(buf, "张*");
	snt_idcard_mask_name("Li", buf, sizeof(buf));
	assert_string_equal(buf, "L*");
	snt_idcard_mask_name("", buf, sizeof(buf));
	assert_string_equal(buf, "");
	snt_idcard_mask_name("\xff", buf, sizeof(buf));
	assert_string_equal(buf, "");
	snt_idcard_mask_name("张三", buf, 4);
	assert_string_equal(buf, "");
	snt_idcard_last4("11010519491231002x", buf, sizeof(buf));
	assert_string_equal(buf, "002X");
	snt_idcard_last4("12", buf, sizeof(buf));
	assert_string_equal(buf, "");

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	/* HMAC-SHA256(key 00..1f, "sentinel-idcard-v1\0" "11010519491231002X"), Python's hmac. */
	assert_int_equal(snt_idcard_number_hash(key, sizeof(key), "11010519491231002X", h), SNT_IDCARD_OK);
	assert_memory_equal(h, want, 32);
	assert_int_equal(snt_idcard_number_hash(key, sizeof(key), "11010519491231002x", h2), SNT_IDCARD_OK);
	assert_memory_equal(h2, want, 32);
	key[0] ^= 1;
	assert_int_equal(snt_idcard_number_hash(key, sizeof(key), "11010519491231002X", h2), SNT_IDCARD_OK);
	assert_memory_not_equal(h2, want, 32);
	assert_int_equal(snt_idcard_number_hash(key, 15, "11010519491231002X", h), SNT_IDCARD_ERR_INVAL);
	assert_int_equal(snt_idcard_number_hash(key, 32, "1101051949123100", h), SNT_IDCARD_ERR_INVAL);
	assert_string_equal(snt_idcard_strerror(SNT_IDCARD_ERR_CHECK_DIGIT), "ID number check digit wrong");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_digit_standard_examples),
		cmocka_unit_test(test_check_digit_forms),
		cmocka_unit_test(test_check_digit_generated),
		cmocka_unit_test(test_commands_bytes),
		cmocka_unit_test(test_decode_response),
		cmocka_unit_test(test_decode_noise),
		cmocka_unit_test(test_decode_broken),
		cmocka_unit_test(test_text_layout_and_roundtrip),
		cmocka_unit_test(test_text_bad_fields),
		cmocka_unit_test(test_long_term_and_validity),
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_read_response),
		cmocka_unit_test(test_mask_last4_hash),
		cmocka_unit_test(test_code_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
