// SPDX-License-Identifier: MIT
/*
 * Unit tests of the IIO sysfs thermometers (board/linux/iio.c) on fake
 * sysfs trees: tests/fixtures/iio/ (a bmp280 decoy, an mlx90614 with real
 * raw/offset/scale values, an mlx90632), and broken trees made in a
 * temporary directory (missing files, garbage, empty values).
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

#include "linux/iio.h"

#define FIX "tests/fixtures/iio"

static void test_mlx90614(void **state)
{
	struct snt_iio_therm *t;
	int32_t obj = 0, amb = 0;
	char err[256];

	(void)state;
	assert_int_equal(snt_iio_open(FIX, "mlx90614", &t, err, sizeof(err)), SNT_IIO_OK);
	assert_string_equal(snt_iio_dir(t), FIX "/iio:device1");
	assert_int_equal(snt_iio_read(t, &obj, &amb), SNT_IIO_OK);
	/* (15207 - 13657.5) * 20 = 30990 m°C; (14778 - 13657.5) * 20 = 22410. */
	assert_int_equal(obj, 30990);
	assert_int_equal(amb, 22410);
	assert_int_equal(snt_iio_ops.read(t, &obj, &amb), SNT_HAL_OK);
	snt_iio_close(t);
}

static void test_mlx90632(void **state)
{
	struct snt_iio_therm *t;
	int32_t obj = 0, amb = 0;
	char err[256];

	(void)state;
	assert_int_equal(snt_iio_open(FIX, "mlx90632", &t, err, sizeof(err)), SNT_IIO_OK);
	assert_int_equal(snt_iio_read(t, &obj, &amb), SNT_IIO_OK);
	assert_int_equal(obj, 36612);
	assert_int_equal(amb, 24875);
	snt_iio_close(t);
	snt_iio_close(NULL);
}

static void test_open_errors(void **state)
{
	struct snt_iio_therm *t = (struct snt_iio_therm *)&t;
	char err[256];

	(void)state;
	assert_int_equal(snt_iio_open(FIX, "mlx90615", &t, err, sizeof(err)), SNT_IIO_ERR_NODEV);
	assert_string_equal(err, FIX ": no IIO device named 'mlx90615'");
	assert_null(t);
	assert_int_equal(snt_iio_open(FIX "/none", "mlx90614", &t, err, sizeof(err)),
			 SNT_IIO_ERR_NODEV);
	assert_string_equal(err, FIX "/none: No such file or directory");
	assert_int_equal(snt_iio_open(FIX, "bmp280", &t, err, sizeof(err)), SNT_IIO_ERR_INVAL);
	assert_string_equal(err, "IIO device 'bmp280' is not supported");
	assert_int_equal(snt_iio_open(NULL, "mlx90614", &t, err, sizeof(err)), SNT_IIO_ERR_INVAL);
	assert_string_equal(snt_iio_strerror(SNT_IIO_ERR_PARSE), "attribute is empty or not a number");
}

static char tmp[64];

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/iio:device0/%s", tmp, name);
	if (!text) {
		assert_int_equal(unlink(path), 0);
		return;
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void write_good(void);

static int mk_tree(void **state)
{
	char dir[128];

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/snt-iio-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	snprintf(dir, sizeof(dir), "%s/iio:device0", tmp);
	assert_int_equal(mkdir(dir, 0700), 0);
	write_good();
	return 0;
}

static void write_good(void)
{
	put("name", "mlx90614\n");
	put("in_temp_object_raw", "15207\n");
	put("in_temp_ambient_raw", "14778\n");
	put("in_temp_offset", "-13657.500000\n");
	put("in_temp_scale", "20\n");
}

static int rm_tree(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
	return 0;
}

struct read_case {
	const char *attr, *text;
	enum snt_iio_err err;
};

static void test_broken_values(void **state)
{
	static const struct read_case cases[] = {
		{ "in_temp_object_raw", "", SNT_IIO_ERR_PARSE },
		{ "in_temp_object_raw", "\n", SNT_IIO_ERR_PARSE },
		{ "in_temp_object_raw", "15207.5\n", SNT_IIO_ERR_PARSE },
		{ "in_temp_object_raw", "abc\n", SNT_IIO_ERR_PARSE },
		{ "in_temp_ambient_raw", "99999999999999999999\n", SNT_IIO_ERR_PARSE },
		{ "in_temp_offset", "-13657.5x\n", SNT_IIO_ERR_PARSE },
		{ "in_temp_scale", "nan\n", SNT_IIO_ERR_PARSE },
		{ "in_temp_scale", "1e300\n", SNT_IIO_ERR_RANGE },
		{ "in_temp_scale", NULL, SNT_IIO_ERR_MISSING },
	};
	struct snt_iio_therm *t;
	char err[256];

	(void)state;
	assert_int_equal(snt_iio_open(tmp, "mlx90614", &t, err, sizeof(err)), SNT_IIO_OK);
	for (size_t i = 0; i < SNT_ARRAY_SIZE(cases); i++) {
		int32_t obj = 1, amb = 1;

		write_good();
		put(cases[i].attr, cases[i].text);
		assert_int_equal(snt_iio_read(t, &obj, &amb), cases[i].err);
		assert_int_equal(snt_iio_ops.read(t, &obj, &amb), SNT_HAL_ERR_IO);
	}
	snt_iio_close(t);
}

static void test_missing_at_open(void **state)
{
	struct snt_iio_therm *t;
	char err[256], want[256];

	(void)state;
	put("in_temp_offset", NULL);
	assert_int_equal(snt_iio_open(tmp, "mlx90614", &t, err, sizeof(err)), SNT_IIO_ERR_MISSING);
	snprintf(want, sizeof(want), "%s/iio:device0/in_temp_offset: No such file or directory",
		 tmp);
	assert_string_equal(err, want);
	assert_null(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mlx90614),
		cmocka_unit_test(test_mlx90632),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test_setup_teardown(test_broken_values, mk_tree, rm_tree),
		cmocka_unit_test_setup_teardown(test_missing_at_open, mk_tree, rm_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
