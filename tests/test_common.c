// SPDX-License-Identifier: MIT
/*
 * common: the shared escaping of outside text (snt_escape(),
 * snt_char_unsafe(), snt_utf8_decode()).
 */
#include <errno.h>
#include <limits.h>
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

#include "common/common.h"

static void expect_escape(const char *in, size_t len, unsigned flags, const char *want)
{
	char out[256];
	size_t n = snt_escape(in, len, flags, out, sizeof(out));

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void test_escape_controls(void **state)
{
	(void)state;
	/* C0, DEL, ESC sequences: \xNN. */
	expect_escape("a\x1b[31mb\x7f", 8, 0, "a\\x1b[31mb\\x7f");
	/* A NUL does not end the text. */
	expect_escape("a\0b", 3, 0, "a\\x00b");
	/* C1 controls (U+009B CSI) and bidi controls: \uNNNN. */
	expect_escape("x\xc2\x9by", 4, 0, "x\\u009by");
	expect_escape("txt\xe2\x80\xaegpj", 9, 0, "txt\\u202egpj");
	for (uint32_t cp = 0x202a; cp <= 0x202e; cp++) {
		char in[3] = { (char)0xe2, (char)0x80, (char)(0x80 | (cp & 0x3f)) }, want[8];

		snprintf(want, sizeof(want), "\\u%04x", cp);
		expect_escape(in, 3, 0, want);
	}
	for (uint32_t cp = 0x2066; cp <= 0x2069; cp++) {
		char in[3] = { (char)0xe2, (char)0x81, (char)(0x80 | (cp & 0x3f)) }, want[8];

		snprintf(want, sizeof(want), "\\u%04x", cp);
		expect_escape(in, 3, 0, want);
	}
	expect_escape("\xe2\x80\xa8", 3, 0, "\\u2028");
	/* Invalid UTF-8 (a lone C1 byte, an overlong NUL, a surrogate): byte by byte. */
	expect_escape("\x9b", 1, 0, "\\x9b");
	expect_escape("\xc0\x80", 2, 0, "\\xc0\\x80");
	expect_escape("\xed\xa0\x80", 3, 0, "\\xed\\xa0\\x80");
	/* Text stays as it is: Chinese, a mark that is no control (U+200F is kept), backslash. */
	expect_escape("张三 a\\b", 10, 0, "张三 a\\b");
	/* C style: backslash doubled, newline, tab, CR readable. */
	expect_escape("a\\b\n\t\r", 6, SNT_ESCAPE_C, "a\\\\b\\n\\t\\r");
	expect_escape("a\n", 2, 0, "a\\x0a");
}

static void test_escape_sizes(void **state)
{
	char out[8];

	(void)state;
	/* Measuring, then cut at an escape boundary: never half an escape. */
	assert_int_equal(snt_escape("\x1b\x1b\x1b", 3, 0, NULL, 0), 12);
	assert_int_equal(snt_escape("\x1b\x1b\x1b", 3, 0, out, sizeof(out)), 12);
	assert_string_equal(out, "\\x1b");
	/* Nor half a character. */
	assert_int_equal(snt_escape("ab张三", 8, 0, out, 6), 8);
	assert_string_equal(out, "ab张");
	assert_int_equal(snt_escape(NULL, 0, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	{
		char *d = snt_escape_dup("\xe2\x80\xae!", 0);

		assert_non_null(d);
		assert_string_equal(d, "\\u202e!");
		free(d);
	}
}

/* snt_hex_decode(): both cases, the inverse of snt_hex_encode(); odd length or a non-digit refused. */
static void test_hex_decode(void **state)
{
	const uint8_t want[] = { 0x00, 0x7f, 0xab, 0xff };
	uint8_t out[8];
	char hex[9];

	(void)state;
	assert_int_equal(snt_hex_decode("007fABff", out), 4);
	assert_memory_equal(out, want, sizeof(want));
	snt_hex_encode(out, 4, hex);
	assert_string_equal(hex, "007fabff");
	assert_int_equal(snt_hex_decode("", out), 0);
	assert_int_equal(snt_hex_decode("abc", out), -1);
	assert_int_equal(snt_hex_decode("0g", out), -1);
	assert_int_equal(snt_hex_decode("0 ", out), -1);
}

/* snt_hex_decode_lower(): @n bytes of lower-case digits, no terminator read; upper case refused. */
static void test_hex_decode_lower(void **state)
{
	const uint8_t want[] = { 0x00, 0x7f, 0xab, 0xff };
	const char text[] = { '0', '0', '7', 'f', 'a', 'b', 'f', 'f' };	/* no NUL */
	uint8_t out[4];

	(void)state;
	assert_int_equal(snt_hex_decode_lower(text, 4, out), 0);
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(snt_hex_decode_lower("007fabff and more", 2, out), 0);
	assert_memory_equal(out, want, 2);
	assert_int_equal(snt_hex_decode_lower("", 0, out), 0);
	assert_int_equal(snt_hex_decode_lower("007fABff", 4, out), -1);
	assert_int_equal(snt_hex_decode_lower("0A", 1, out), -1);
	assert_int_equal(snt_hex_decode_lower("0g", 1, out), -1);
	assert_int_equal(snt_hex_decode_lower("0\n", 1, out), -1);
}

static void test_utf8_decode(void **state)
{
	uint32_t cp = 0;

	(void)state;
	assert_int_equal(snt_utf8_decode((const uint8_t *)"\xe5\xbc\xa0", 3, &cp), 3);
	assert_int_equal(cp, 0x5f20);
	assert_int_equal(snt_utf8_decode((const uint8_t *)"\xe5\xbc", 2, &cp), 0);	/* cut */
	assert_int_equal(snt_utf8_decode((const uint8_t *)"\xf4\x90\x80\x80", 4, &cp), 0);	/* > U+10FFFF */
	assert_int_equal(snt_utf8_decode((const uint8_t *)"", 0, &cp), 0);
	assert_true(snt_char_unsafe(0x1b));
	assert_true(snt_char_unsafe(0x85));
	assert_true(snt_char_unsafe(0x2067));
	assert_false(snt_char_unsafe(0xa0));
	assert_false(snt_char_unsafe(0x5f20));
}

/* A whole file written through PATH.tmp: content and mode, no .tmp left, a stale .tmp replaced. */
static void test_write_atomic(void **state)
{
	char dir[] = "/tmp/snt-common-XXXXXX", path[64], tmp[64], buf[16] = "", longpath[PATH_MAX + 8];
	struct stat sb;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/file", dir);
	snprintf(tmp, sizeof(tmp), "%s/file.tmp", dir);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fputs("stale", f);
	fclose(f);
	assert_int_equal(snt_write_atomic(path, "old", 3, 0600), 0);
	assert_int_equal(snt_write_atomic(path, "new text", 8, 0600), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof(buf) - 1, f), 8);
	fclose(f);
	assert_string_equal(buf, "new text");
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(access(tmp, F_OK), -1);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(snt_write_atomic(longpath, "x", 1, 0600), ENAMETOOLONG);
	snprintf(path, sizeof(path), "%s/missing/file", dir);
	assert_int_equal(snt_write_atomic(path, "x", 1, 0600), ENOENT);
	unlink(tmp);
	snprintf(path, sizeof(path), "%s/file", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_controls),
		cmocka_unit_test(test_hex_decode),
		cmocka_unit_test(test_hex_decode_lower),
		cmocka_unit_test(test_escape_sizes),
		cmocka_unit_test(test_utf8_decode),
		cmocka_unit_test(test_write_atomic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
