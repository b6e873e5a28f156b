// SPDX-License-Identifier: MIT
/*
 * Unit tests of firmware/image: the fixtures in tests/fixtures/image/ (see
 * make-fixtures.py there) cover each PNG colour type and JPEG path, and a
 * corpus of broken files, each of which must give its exact error.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "files.h"
#include "image/image.h"

#define FIX "tests/fixtures/image/"

static const uint8_t *px(const struct snt_image *img, unsigned int x, unsigned int y)
{
	return img->rgb + (size_t)y * img->stride + (size_t)x * 3;
}

static void assert_px(const struct snt_image *img, unsigned int x, unsigned int y, int r, int g,
		      int b, int tol)
{
	const uint8_t *p = px(img, x, y);

	assert_in_range(p[0], r - tol < 0 ? 0 : r - tol, r + tol);
	assert_in_range(p[1], g - tol < 0 ? 0 : g - tol, g + tol);
	assert_in_range(p[2], b - tol < 0 ? 0 : b - tol, b + tol);
}

/* Load @name from the fixtures by path and from memory; both must agree. */
static enum snt_image_err load_both(const char *name, struct snt_image *img)
{
	char path[256];
	struct snt_image m;
	enum snt_image_err e1, e2;
	uint8_t *data;
	size_t len;

	snprintf(path, sizeof(path), FIX "%s", name);
	e1 = snt_image_load(path, img);
	data = file_read(path, &len);
	e2 = snt_image_load_mem(data, len, &m);
	free(data);
	assert_int_equal(e1, e2);
	if (e1 == SNT_IMAGE_OK) {
		assert_int_equal(img->width, m.width);
		assert_int_equal(img->height, m.height);
		assert_memory_equal(img->rgb, m.rgb, img->stride * img->height);
	} else {
		assert_null(img->rgb);
		assert_int_equal(img->width, 0);
		assert_int_equal(img->height, 0);
	}
	snt_image_release(&m);
	return e1;
}

static void expect_error(const char *name, enum snt_image_err want)
{
	struct snt_image img;

	assert_int_equal(load_both(name, &img), want);
	snt_image_release(&img);
}

static void test_null_arguments(void **state)
{
	struct snt_image img;
	uint8_t byte = 0;

	(void)state;
	assert_int_equal(snt_image_load(NULL, &img), SNT_IMAGE_ERR_INVAL);
	assert_null(img.rgb);
	assert_int_equal(snt_image_load(FIX "qr-ascii.png", NULL), SNT_IMAGE_ERR_INVAL);
	assert_int_equal(snt_image_load_mem(NULL, 4, &img), SNT_IMAGE_ERR_INVAL);
	assert_int_equal(snt_image_load_mem(&byte, 1, NULL), SNT_IMAGE_ERR_INVAL);
	/* No bytes at all is an empty file, not a bad argument. */
	assert_int_equal(snt_image_load_mem(NULL, 0, &img), SNT_IMAGE_ERR_FORMAT);
	snt_image_release(NULL);
}

static void test_io_errors(void **state)
{
	struct snt_image img;

	(void)state;
	assert_int_equal(snt_image_load(FIX "no-such-file.png", &img), SNT_IMAGE_ERR_IO);
	assert_int_equal(img.sys_errno, ENOENT);
	assert_null(img.rgb);
	assert_int_equal(snt_image_load(FIX, &img), SNT_IMAGE_ERR_IO);
	assert_int_equal(img.sys_errno, EISDIR);
}

/*
 * A 199-byte PNG (found by fuzz_image) whose second tEXt chunk declares
 * 0x23b72500 bytes: libpng allocated and zeroed 600 MB before reading it.
 * Text chunks are skipped unread now: the file is simply cut short.
 */
static void test_png_huge_text_chunk(void **state)
{
	static const uint8_t png[] = {
		0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
		0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x0c,
		0x08, 0x00, 0x00, 0x00, 0x00, 0x4e, 0x8c, 0x62, 0x5d, 0x00, 0x00, 0x00,
		0x04, 0x67, 0x41, 0x4d, 0x41, 0x00, 0x00, 0xb1, 0x8f, 0x0b, 0xfc, 0x61,
		0x05, 0x00, 0x00, 0x00, 0x20, 0x63, 0x48, 0x52, 0x4d, 0x00, 0x00, 0x7a,
		0x26, 0x00, 0x00, 0x80, 0x84, 0x00, 0x00, 0xfa, 0x00, 0x00, 0x00, 0x80,
		0xe8, 0xbc, 0xa4, 0x82, 0x00, 0x15, 0x0c, 0x65, 0x14, 0x67, 0x20, 0x00,
		0x00, 0xa5, 0x55, 0x09, 0x6c, 0x04, 0x3b, 0x10, 0xf4, 0x00, 0x00, 0x00,
		0x25, 0x74, 0x45, 0x58, 0x74, 0x64, 0x61, 0x74, 0x65, 0x3a, 0x63, 0x72,
		0x00, 0x65, 0x61, 0x65, 0x33, 0x74, 0x39, 0x39, 0x37, 0x2d, 0x31, 0x32,
		0x2d, 0x30, 0x37, 0x54, 0x30, 0x32, 0x3a, 0x32, 0x39, 0x3a, 0x34, 0x32,
		0x2b, 0x30, 0x30, 0x3a, 0x30, 0x30, 0x00, 0x45, 0xc1, 0x00, 0x23, 0xb7,
		0x25, 0x00, 0x74, 0x45, 0x58, 0x74, 0x64, 0x61, 0x74, 0x65, 0x3a, 0x6d,
		0x6f, 0x64, 0x69, 0x66, 0x79, 0x00, 0x32, 0x30, 0x32, 0x36, 0x2d, 0x31,
		0x32, 0x2d, 0x30, 0x37, 0x54, 0x30, 0x32, 0x3a, 0x32, 0x39, 0x30, 0x30,
		0x3a, 0x30, 0x30, 0xff, 0xc4, 0x00, 0x17, 0x11, 0x00, 0x03, 0x01, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x60, 0x82,
	};
	struct snt_image img;

	(void)state;
	assert_int_equal(snt_image_load_mem(png, sizeof(png), &img), SNT_IMAGE_ERR_CORRUPT);
	assert_null(img.rgb);
}

static void test_broken_files(void **state)
{
	(void)state;
	expect_error("empty.png", SNT_IMAGE_ERR_FORMAT);
	expect_error("text.png", SNT_IMAGE_ERR_FORMAT);
	expect_error("partial-sig.png", SNT_IMAGE_ERR_CORRUPT);
	expect_error("truncated.png", SNT_IMAGE_ERR_CORRUPT);
	expect_error("badcrc.png", SNT_IMAGE_ERR_CORRUPT);
	expect_error("huge.png", SNT_IMAGE_ERR_TOO_LARGE);
	expect_error("truncated.jpg", SNT_IMAGE_ERR_CORRUPT);
	expect_error("corrupt.jpg", SNT_IMAGE_ERR_CORRUPT);
	expect_error("huge.jpg", SNT_IMAGE_ERR_TOO_LARGE);
	expect_error("toomany.png", SNT_IMAGE_ERR_TOO_LARGE);
	expect_error("toomany.jpg", SNT_IMAGE_ERR_TOO_LARGE);
	expect_error("cmyk.jpg", SNT_IMAGE_ERR_CMYK);
	assert_string_equal(snt_image_strerror(SNT_IMAGE_ERR_CMYK),
			    "a CMYK JPEG: not supported (save it as an RGB or greyscale JPEG, or a PNG)");
}

static void test_png_palette(void **state)
{
	struct snt_image img;

	(void)state;
	assert_int_equal(load_both("qr-ascii.png", &img), SNT_IMAGE_OK);
	assert_int_equal(img.width, 132);
	assert_int_equal(img.height, 132);
	assert_int_equal(img.stride, 3 * 132);
	/* 4-module margin of 4-pixel modules, then the finder's black corner. */
	assert_px(&img, 0, 0, 255, 255, 255, 0);
	assert_px(&img, 15, 15, 255, 255, 255, 0);
	assert_px(&img, 16, 16, 0, 0, 0, 0);
	assert_px(&img, 131, 131, 255, 255, 255, 0);
	snt_image_release(&img);
	assert_null(img.rgb);
	assert_int_equal(img.width, 0);
	snt_image_release(&img);
}

static void test_png_rgba16_on_white(void **state)
{
	struct snt_image img;

	(void)state;
	assert_int_equal(load_both("rgba16.png", &img), SNT_IMAGE_OK);
	assert_int_equal(img.width, 2);
	assert_int_equal(img.height, 2);
	assert_px(&img, 0, 0, 255, 255, 255, 0);	/* transparent: white */
	assert_px(&img, 1, 0, 255, 127, 127, 1);	/* half red over white */
	assert_px(&img, 0, 1, 0, 0, 255, 0);
	assert_px(&img, 1, 1, 0, 255, 0, 0);
	snt_image_release(&img);
}

static void test_png_grey2(void **state)
{
	struct snt_image img;

	(void)state;
	assert_int_equal(load_both("grey2.png", &img), SNT_IMAGE_OK);
	assert_int_equal(img.width, 4);
	assert_int_equal(img.height, 1);
	for (unsigned int x = 0; x < 4; x++)
		assert_px(&img, x, 0, (int)x * 85, (int)x * 85, (int)x * 85, 0);
	snt_image_release(&img);
}

static void test_png_interlaced(void **state)
{
	struct snt_image img;

	(void)state;
	assert_int_equal(load_both("adam7.png", &img), SNT_IMAGE_OK);
	assert_int_equal(img.width, 9);
	assert_int_equal(img.height, 9);
	for (unsigned int y = 0; y < 9; y++)
		for (unsigned int x = 0; x < 9; x++)
			assert_px(&img, x, y, (int)x * 20, (int)y * 20, 100, 0);
	snt_image_release(&img);
}

static void test_jpeg(void **state)
{
	struct snt_image img;

	(void)state;
	assert_int_equal(load_both("grey.jpg", &img), SNT_IMAGE_OK);
	assert_int_equal(img.width, 16);
	assert_int_equal(img.height, 16);
	assert_int_equal(img.stride, 48);
	for (unsigned int y = 0; y < 16; y++)
		for (unsigned int x = 0; x < 16; x++)
			assert_px(&img, x, y, 128, 128, 128, 2);
	snt_image_release(&img);

	assert_int_equal(load_both("qr-ascii.jpg", &img), SNT_IMAGE_OK);
	assert_int_equal(img.width, 132);
	assert_int_equal(img.height, 132);
	assert_px(&img, 2, 2, 255, 255, 255, 8);
	assert_px(&img, 18, 18, 0, 0, 0, 8);
	snt_image_release(&img);
}

/* Every proper prefix of a good file is rejected, never decoded or crashed on. */
static void check_prefixes(const char *name)
{
	char path[256];
	struct snt_image img;
	uint8_t *data;
	size_t len;

	snprintf(path, sizeof(path), FIX "%s", name);
	data = file_read(path, &len);
	for (size_t n = 0; n < len; n++) {
		enum snt_image_err e = snt_image_load_mem(data, n, &img);

		assert_int_equal(e, n == 0 ? SNT_IMAGE_ERR_FORMAT : SNT_IMAGE_ERR_CORRUPT);
		assert_null(img.rgb);
	}
	assert_int_equal(snt_image_load_mem(data, len, &img), SNT_IMAGE_OK);
	snt_image_release(&img);
	free(data);
}

static void test_every_truncation(void **state)
{
	(void)state;
	check_prefixes("qr-ascii.png");
	check_prefixes("adam7.png");
	check_prefixes("qr-ascii.jpg");
}

/* Flip each bit of a small file: any documented result, no crash or leak. */
static void check_bit_flips(const char *name, size_t limit)
{
	char path[256];
	uint8_t *data;
	size_t len;

	snprintf(path, sizeof(path), FIX "%s", name);
	data = file_read(path, &len);
	for (size_t i = 0; i < len && i < limit; i++) {
		for (int bit = 0; bit < 8; bit++) {
			struct snt_image img;
			enum snt_image_err e;

			data[i] ^= (uint8_t)(1u << bit);
			e = snt_image_load_mem(data, len, &img);
			data[i] ^= (uint8_t)(1u << bit);
			assert_true(e == SNT_IMAGE_OK || e == SNT_IMAGE_ERR_FORMAT ||
				    e == SNT_IMAGE_ERR_CORRUPT || e == SNT_IMAGE_ERR_TOO_LARGE);
			if (e == SNT_IMAGE_OK) {
				assert_non_null(img.rgb);
				assert_true(img.width > 0 && img.width <= SNT_IMAGE_MAX_SIDE);
				assert_true(img.height > 0 && img.height <= SNT_IMAGE_MAX_SIDE);
			} else {
				assert_null(img.rgb);
			}
			snt_image_release(&img);
		}
	}
	free(data);
}

static void test_bit_flips(void **state)
{
	(void)state;
	check_bit_flips("adam7.png", SIZE_MAX);
	check_bit_flips("rgba16.png", SIZE_MAX);
	check_bit_flips("qr-ascii.jpg", 700);
}

static void test_strerror(void **state)
{
	(void)state;
	for (int e = SNT_IMAGE_OK; e <= SNT_IMAGE_ERR_NOMEM; e++) {
		const char *s = snt_image_strerror((enum snt_image_err)e);

		assert_non_null(s);
		assert_true(strlen(s) > 0);
		for (int k = SNT_IMAGE_OK; k < e; k++)
			assert_string_not_equal(s, snt_image_strerror((enum snt_image_err)k));
	}
	assert_string_equal(snt_image_strerror(SNT_IMAGE_ERR_FORMAT), "not a PNG or JPEG image");
	assert_string_equal(snt_image_strerror(SNT_IMAGE_ERR_CORRUPT), "corrupt image data");
	assert_non_null(snt_image_strerror((enum snt_image_err)99));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_arguments),
		cmocka_unit_test(test_io_errors),
		cmocka_unit_test(test_broken_files),
		cmocka_unit_test(test_png_huge_text_chunk),
		cmocka_unit_test(test_png_palette),
		cmocka_unit_test(test_png_rgba16_on_white),
		cmocka_unit_test(test_png_grey2),
		cmocka_unit_test(test_png_interlaced),
		cmocka_unit_test(test_jpeg),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_bit_flips),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
