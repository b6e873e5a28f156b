// SPDX-License-Identifier: MIT
/*
 * Conformance figures over the shared vectors (tests/conformance/runner.c):
 * DCC, NZCP, SMART Health Cards.  Skips without $SENTINEL_TESTDATA (fails
 * under CI=true); prints the figures lines the issue asks for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/conformance/runner.h"
#include "tests/testdata.h"

static void test_dcc(void **state)
{
	struct conf_figures f;
	const char *root = testdata_dir("dcc");

	(void)state;
	if (!root)
		return;
	assert_int_equal(conf_dcc(root, stdout, &f), 0);
	assert_true(f.cases > 400);
	assert_int_equal(f.wrong, 0);
	assert_int_equal(f.pictures_exact, f.pictures);
}

static void test_nzcp(void **state)
{
	struct conf_figures f;
	const char *root = testdata_dir("nzcp");

	(void)state;
	if (!root)
		return;
	assert_int_equal(conf_nzcp(root, stdout, &f), 0);
	assert_int_equal(f.cases, 8);
	assert_int_equal(f.wrong, 0);
}

static void test_shc(void **state)
{
	struct conf_figures f;
	const char *root = testdata_dir("shc");

	(void)state;
	if (!root)
		return;
	assert_int_equal(conf_shc(root, "tests/fixtures/shc/spec-examples-issuer.jwks.json", stdout, &f), 0);
	assert_int_equal(f.wrong, 0);
	assert_true(f.valid_ok >= 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dcc),
		cmocka_unit_test(test_nzcp),
		cmocka_unit_test(test_shc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
