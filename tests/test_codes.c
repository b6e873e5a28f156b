// SPDX-License-Identifier: MIT
/* Unit tests of payload classification and health-code regions (firmware/codes/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "codes/codes.h"

static enum snt_code_format cls(const char *s)
{
	return snt_code_classify((const uint8_t *)s, strlen(s));
}

static int region(const char *s, char out[SNT_REGION_LEN])
{
	return snt_code_region((const uint8_t *)s, strlen(s), out);
}

static void test_classify(void **state)
{
	(void)state;
	assert_int_equal(cls("HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH"), SNT_FORMAT_HCERT);
	assert_int_equal(cls("LT1:6BFU90V10RDWT"), SNT_FORMAT_LT1);
	assert_int_equal(cls("NZCP:/1/2KCEVIQEIVVWK6JNGEASNICZAEP2K"), SNT_FORMAT_NZCP);
	assert_int_equal(cls("shc:/567629095243206034602924374044603122295953"), SNT_FORMAT_SHC);
	assert_int_equal(cls("HC:620100:wsIy3PEXjudgySlouF-QpsZmx5Iym-EM"), SNT_FORMAT_HEALTHCODE);
	assert_int_equal(cls("hc1:lower case is not the DCC prefix"), SNT_FORMAT_HEALTHCODE);
	assert_int_equal(cls("HC1"), SNT_FORMAT_HEALTHCODE);
	assert_int_equal(cls(""), SNT_FORMAT_NONE);
	assert_int_equal(snt_code_classify(NULL, 4), SNT_FORMAT_NONE);
	/* Embedded NUL bytes do not confuse the prefix test. */
	assert_int_equal(snt_code_classify((const uint8_t *)"HC1:\0\0", 6), SNT_FORMAT_HCERT);
}

static void test_region(void **state)
{
	char r[SNT_REGION_LEN];

	(void)state;
	assert_int_equal(region("HC:620100:wsIy3PEXjudgySlouF", r), 0);
	assert_string_equal(r, "620100");
	assert_int_equal(region("https://hc.example.gov.cn/v2/scan?code=abc&region=620103", r), 0);
	assert_string_equal(r, "620103");
	assert_int_equal(region("https://x.cn/scan?region=620111&code=abc", r), 0);
	assert_string_equal(r, "620111");
	assert_int_equal(region("https://jkm.example.cn/q/DyKvX810frXX9mp2j9C01dcYhdWvHh6z", r), -1);
	assert_string_equal(r, "");
	assert_int_equal(region("HC:62010:short", r), -1);
	assert_int_equal(region("HC:6201000:seven", r), -1);
	assert_int_equal(region("https://x.cn/?myregion=620103", r), -1);
	assert_int_equal(region("https://x.cn/?region=62010x", r), -1);
	assert_int_equal(region("https://x.cn/?region=6201031", r), -1);
	assert_int_equal(region("https://x.cn/?region=620103", r), 0);
	assert_int_equal(snt_code_region(NULL, 0, r), -1);
}

static int text(const char *s, size_t n)
{
	return snt_code_is_text((const uint8_t *)s, n);
}

static void test_is_text(void **state)
{
	(void)state;
	assert_int_equal(text("HC:620100:wsIy3PEXjudgySlouF", 28), 1);
	assert_int_equal(text("https://x.cn/q?a=1&b=2", 22), 1);
	assert_int_equal(text("健康码 绿码", strlen("健康码 绿码")), 1);
	assert_int_equal(text("\xf0\x9f\x98\x80", 4), 1);		/* U+1F600 */
	assert_int_equal(text("", 0), 0);
	assert_int_equal(text("\0", 1), 0);
	assert_int_equal(text("abc\ndef", 7), 0);
	assert_int_equal(text("tab\there", 8), 0);
	assert_int_equal(text("del\x7f", 4), 0);
	assert_int_equal(text("\xc2\x85", 2), 0);			/* C1 NEL */
	assert_int_equal(text("\xc0\xaf", 2), 0);			/* overlong */
	assert_int_equal(text("\xe0\x80\xaf", 3), 0);		/* overlong */
	assert_int_equal(text("\xed\xa0\x80", 3), 0);		/* surrogate */
	assert_int_equal(text("\xf4\x90\x80\x80", 4), 0);	/* > U+10FFFF */
	assert_int_equal(text("\xe5\x81", 2), 0);			/* truncated */
	assert_int_equal(text("\xff", 1), 0);
	assert_int_equal(snt_code_is_text(NULL, 3), 0);
}

static void test_names(void **state)
{
	enum snt_code_format f;

	(void)state;
	assert_string_equal(snt_code_format_name(SNT_FORMAT_HCERT), "hcert");
	assert_string_equal(snt_code_format_name(SNT_FORMAT_HEALTHCODE), "healthcode");
	assert_string_equal(snt_code_format_name(SNT_FORMAT_NZCP), "nzcp");
	assert_string_equal(snt_code_format_name(SNT_FORMAT_SHC), "shc");
	assert_int_equal(snt_code_format_from_name("lt1", &f), 0);
	assert_int_equal(f, SNT_FORMAT_LT1);
	assert_int_equal(snt_code_format_from_name("dcc", &f), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_region),
		cmocka_unit_test(test_is_text),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("codes", tests, NULL, NULL);
}
