// SPDX-License-Identifier: MIT
/*
 * Unit tests of firmware/scan.  Frames are synthesised here from the QR
 * fixtures in tests/fixtures/image/ (recoloured, inverted, shrunk, tiled,
 * converted to YUYV and grey), then the shared health-code screens are
 * checked payload byte for byte and colour by colour (manifest.tsv).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testdata.h"

#include "common/common.h"
#include "image/image.h"
#include "scan/scan.h"
#include "scan/scan_internal.h"
#include "tests/yuyv.h"

#define FIX "tests/fixtures/image/"
#define ASCII_PAYLOAD "SENTINEL-TEST-0001"

/* An RGB24 picture built by a test. */
struct canvas {
	unsigned int w, h;
	size_t stride;
	uint8_t *px;
};

static const uint8_t white[3] = { 255, 255, 255 };
static const uint8_t black[3] = { 0, 0, 0 };
static const uint8_t green[3] = { 0x1a, 0xad, 0x19 };
static const uint8_t green2[3] = { 0x07, 0xc1, 0x60 };
static const uint8_t yellow[3] = { 0xff, 0xcc, 0x00 };
static const uint8_t yellow2[3] = { 0xff, 0xb8, 0x00 };
static const uint8_t red[3] = { 0xf5, 0x22, 0x2d };
static const uint8_t red2[3] = { 0xe6, 0x00, 0x12 };

static void canvas_new(struct canvas *c, unsigned int w, unsigned int h, size_t pad,
		       const uint8_t fill[3])
{
	c->w = w;
	c->h = h;
	c->stride = (size_t)w * 3 + pad;
	c->px = malloc(c->stride * h);
	assert_non_null(c->px);
	memset(c->px, 0x5a, c->stride * h);
	for (unsigned int y = 0; y < h; y++)
		for (unsigned int x = 0; x < w; x++)
			memcpy(c->px + (size_t)y * c->stride + (size_t)x * 3, fill, 3);
}

static void canvas_free(struct canvas *c)
{
	free(c->px);
	c->px = NULL;
}

static void load_fixture(const char *name, struct snt_image *img)
{
	char path[256];

	snprintf(path, sizeof(path), FIX "%s", name);
	assert_int_equal(snt_image_load(path, img), SNT_IMAGE_OK);
}

/*
 * Draw @qr (black on white) into @c at (@x0, @y0), scaled by @num/@den with
 * nearest-neighbour sampling, dark modules in @dark and light ones in @light.
 */
static void paste(struct canvas *c, const struct snt_image *qr, unsigned int x0, unsigned int y0,
		  unsigned int num, unsigned int den, const uint8_t dark[3], const uint8_t light[3])
{
	unsigned int w = qr->width * num / den, h = qr->height * num / den;

	for (unsigned int y = 0; y < h && y0 + y < c->h; y++) {
		for (unsigned int x = 0; x < w && x0 + x < c->w; x++) {
			const uint8_t *s = qr->rgb + (size_t)(y * den / num) * qr->stride +
					   (size_t)(x * den / num) * 3;
			uint8_t *d = c->px + (size_t)(y0 + y) * c->stride + (size_t)(x0 + x) * 3;

			memcpy(d, s[0] + s[1] + s[2] < 3 * 128 ? dark : light, 3);
		}
	}
}

static void negate(struct canvas *c)
{
	for (unsigned int y = 0; y < c->h; y++)
		for (size_t i = 0; i < (size_t)c->w * 3; i++)
			c->px[(size_t)y * c->stride + i] = (uint8_t)(255 - c->px[(size_t)y * c->stride + i]);
}

static struct snt_frame rgb_frame(const struct canvas *c)
{
	struct snt_frame f = { SNT_PIXFMT_RGB24, c->w, c->h, c->stride, c->px };

	return f;
}

static const struct snt_scan_result *scan_ok(struct snt_scanner *s, const struct snt_frame *f)
{
	const struct snt_scan_result *r = NULL;

	assert_int_equal(snt_scanner_scan(s, f, &r), SNT_SCAN_OK);
	assert_non_null(r);
	return r;
}

static void assert_payload(const struct snt_scan_code *c, const void *bytes, size_t len)
{
	assert_int_equal(c->len, len);
	assert_memory_equal(c->bytes, bytes, len);
	assert_int_equal(c->truncated, 0);
}

static int setup(void **state)
{
	struct snt_scanner *s;

	if (snt_scanner_new(&s) != SNT_SCAN_OK)
		return -1;
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	snt_scanner_free(*state);
	return 0;
}

static void test_new_inval(void **state)
{
	(void)state;
	assert_int_equal(snt_scanner_new(NULL), SNT_SCAN_ERR_INVAL);
	snt_scanner_free(NULL);
}

static void test_scan_inval(void **state)
{
	struct snt_scanner *s = *state;
	uint8_t px[4 * 4 * 3] = { 0 };
	struct snt_frame ok = { SNT_PIXFMT_RGB24, 4, 4, 12, px };
	struct snt_frame f;
	const struct snt_scan_result *r = (const void *)px;

	assert_int_equal(snt_scanner_scan(NULL, &ok, &r), SNT_SCAN_ERR_INVAL);
	assert_null(r);
	assert_int_equal(snt_scanner_scan(s, NULL, &r), SNT_SCAN_ERR_INVAL);
	assert_int_equal(snt_scanner_scan(s, &ok, NULL), SNT_SCAN_ERR_INVAL);
	f = ok;
	f.width = 0;
	assert_int_equal(snt_scanner_scan(s, &f, &r), SNT_SCAN_ERR_INVAL);
	f = ok;
	f.height = 0;
	assert_int_equal(snt_scanner_scan(s, &f, &r), SNT_SCAN_ERR_INVAL);
	f = ok;
	f.width = SNT_SCAN_MAX_SIDE + 1;
	f.stride = (size_t)f.width * 3;
	assert_int_equal(snt_scanner_scan(s, &f, &r), SNT_SCAN_ERR_INVAL);
	f = ok;
	f.height = SNT_SCAN_MAX_SIDE + 1;
	assert_int_equal(snt_scanner_scan(s, &f, &r), SNT_SCAN_ERR_INVAL);
	f = ok;
	f.stride = 11;
	assert_int_equal(snt_scanner_scan(s, &f, &r), SNT_SCAN_ERR_INVAL);
	f = ok;
	f.data = NULL;
	assert_int_equal(snt_scanner_scan(s, &f, &r), SNT_SCAN_ERR_INVAL);
	f = ok;
	f.fmt = (enum snt_pixfmt)42;
	assert_int_equal(snt_scanner_scan(s, &f, &r), SNT_SCAN_ERR_INVAL);
	f = ok;
	f.fmt = SNT_PIXFMT_YUYV;
	f.width = 3;
	f.stride = 6;
	assert_int_equal(snt_scanner_scan(s, &f, &r), SNT_SCAN_ERR_INVAL);
	/* A valid tiny frame: no code, no error. */
	r = scan_ok(s, &ok);
	assert_int_equal(r->n, 0);
}

/* The payload fixtures, as files: raw bytes kept, text by the documented order. */
static void test_fixture_payloads(void **state)
{
	struct {
		const char *file;
		const char *bytes;
		size_t len;
		const char *text;
	} cases[] = {
		{ "qr-ascii.png", ASCII_PAYLOAD, sizeof(ASCII_PAYLOAD) - 1, ASCII_PAYLOAD },
		{ "qr-ascii.jpg", ASCII_PAYLOAD, sizeof(ASCII_PAYLOAD) - 1, ASCII_PAYLOAD },
		{ "qr-utf8.png", "\xe5\x81\xa5\xe5\xba\xb7\xe7\xa0\x81 HC:620100:\xe7\xbb\xbf", 23,
		  "健康码 HC:620100:绿" },
		{ "qr-gb18030.png", "\xbd\xa1\xbf\xb5\xc2\xeb:\xc2\xcc\xc2\xeb", 11, "健康码:绿码" },
		{ "qr-latin1.png", "caf\xe9!", 5, "café!" },
		/* Kanji mode (ISO/IEC 18004:2015 §7.4.6): Shift_JIS bytes kept. */
		{ "qr-sjis.png", "\x8d\xa1\x93\xfa\x82\xcc\x83\x6f\x81\x5b\x83\x52\x81\x5b\x83\x68",
		  16, "今日のバーコード" },
		{ "qr-gb18030-4.png", "\xc2\xcc\xc2\xeb\x81\x30\x84\x38\x94\x39\xfc\x36", 12,
		  "绿码©😀" },
	};
	struct snt_scanner *s = *state;
	iconv_t gb = iconv_open("UTF-8", "GB18030");
	iconv_t sjis = iconv_open("UTF-8", "CP932");

	/* These converters come with glibc; the rule's fallbacks are tested below. */
	if (gb == (iconv_t)-1 || sjis == (iconv_t)-1)
		fail_msg("the C library lacks GB18030 or CP932 in iconv");
	iconv_close(gb);
	iconv_close(sjis);
	for (size_t i = 0; i < SNT_ARRAY_SIZE(cases); i++) {
		struct snt_image img;
		struct snt_frame f;
		const struct snt_scan_result *r;

		load_fixture(cases[i].file, &img);
		f = (struct snt_frame){ SNT_PIXFMT_RGB24, img.width, img.height, img.stride, img.rgb };
		r = scan_ok(s, &f);
		assert_int_equal(r->n, 1);
		assert_payload(&r->codes[0], cases[i].bytes, cases[i].len);
		assert_string_equal(r->codes[0].text, cases[i].text);
		assert_int_equal(r->codes[0].colour, SNT_COLOUR_BLACK);
		/* The code spans 16..116 (or 16..100) pixels inside its margin. */
		for (int k = 0; k < 4; k++) {
			assert_in_range(r->codes[0].points[k][0], 12, img.width - 12);
			assert_in_range(r->codes[0].points[k][1], 12, img.height - 12);
		}
		snt_image_release(&img);
	}
}

static void test_text(void **state)
{
	static const struct scan__iconv none = { (iconv_t)-1, (iconv_t)-1 };
	char out[64];

	(void)state;
	assert_true(scan__utf8_valid((const uint8_t *)"", 0));
	assert_true(scan__utf8_valid((const uint8_t *)"abc\xe7\xbb\xbf\xf0\x9f\x98\x80", 10));
	assert_false(scan__utf8_valid((const uint8_t *)"\xc0\xaf", 2));		/* overlong */
	assert_false(scan__utf8_valid((const uint8_t *)"\xe0\x80\xaf", 3));	/* overlong */
	assert_false(scan__utf8_valid((const uint8_t *)"\xed\xa0\x80", 3));	/* surrogate */
	assert_false(scan__utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	assert_false(scan__utf8_valid((const uint8_t *)"\xe7\xbb", 2));		/* cut short */
	assert_false(scan__utf8_valid((const uint8_t *)"\x80", 1));

	scan__text_from_bytes(&none, (const uint8_t *)"\xe7\xbb\xbf", 3, out, sizeof(out));
	assert_string_equal(out, "绿");
	/* Without converters, ISO-8859-1 is the fallback. */
	scan__text_from_bytes(&none, (const uint8_t *)"\xc2\xcc", 2, out, sizeof(out));
	assert_string_equal(out, "\xc3\x82\xc3\x8c");
	scan__text_from_bytes(NULL, (const uint8_t *)"\xc2\xcc", 2, out, sizeof(out));
	assert_string_equal(out, "\xc3\x82\xc3\x8c");
	scan__text_from_bytes(&none, (const uint8_t *)"", 0, out, sizeof(out));
	assert_string_equal(out, "");
	/* A buffer too small still gets valid, shorter text. */
	scan__text_from_bytes(&none, (const uint8_t *)"\xe9\xe9\xe9", 3, out, 4);
	assert_string_equal(out, "\xc3\xa9");
}

/* Converters as the scanner opens them; the test is skipped without them. */
static void open_converters(struct scan__iconv *cd)
{
	cd->gb18030 = iconv_open("UTF-8", "GB18030");
	cd->sjis = iconv_open("UTF-8", "CP932");
	if (cd->gb18030 == (iconv_t)-1 || cd->sjis == (iconv_t)-1)
		fail_msg("the C library lacks GB18030 or CP932 in iconv");
}

static void close_converters(struct scan__iconv *cd)
{
	iconv_close(cd->gb18030);
	iconv_close(cd->sjis);
}

static void test_text_gb18030(void **state)
{
	struct scan__iconv cd;
	char out[64];

	(void)state;
	open_converters(&cd);
	scan__text_from_bytes(&cd, (const uint8_t *)"\xc2\xcc\xc2\xeb", 4, out, sizeof(out));
	assert_string_equal(out, "绿码");
	/* Four-byte GB 18030 sequences: U+00A9 in the BMP, U+1F600 beyond it. */
	scan__text_from_bytes(&cd, (const uint8_t *)"(\x81\x30\x84\x38)\x94\x39\xfc\x36", 10, out,
			      sizeof(out));
	assert_string_equal(out, "(©)😀");
	/* A lead byte then '!' is GB 18030 nonsense: ISO-8859-1. */
	scan__text_from_bytes(&cd, (const uint8_t *)"caf\xe9!", 5, out, sizeof(out));
	assert_string_equal(out, "café!");
	/* Cut in the middle of a two-byte character. */
	scan__text_from_bytes(&cd, (const uint8_t *)"\xc2\xcc\xc2", 3, out, sizeof(out));
	assert_string_equal(out, "\xc3\x82\xc3\x8c\xc3\x82");
	close_converters(&cd);
}

/* Lesson 3: Japanese text is shown as Japanese, Chinese never as Japanese. */
static void test_text_sjis(void **state)
{
	struct scan__iconv cd, no_sjis;
	char out[64];

	(void)state;
	open_converters(&cd);
	/* Kana and kanji in Shift_JIS (ASCII kept: '\\' stays a backslash). */
	scan__text_from_bytes(&cd, (const uint8_t *)"\x8d\xa1\x93\xfa\x82\xcc\x83\x6f\x81\x5b"
			      "\x83\x57\x83\x87\x83\x93\\", 17, out, sizeof(out));
	assert_string_equal(out, "今日のバージョン\\");
	/* GB 2312 Chinese that is also valid Shift_JIS: Chinese wins. */
	scan__text_from_bytes(&cd, (const uint8_t *)"\xbd\xa1\xbf\xb5", 4, out, sizeof(out));
	assert_string_equal(out, "健康");
	/* Half-width katakana alone is no evidence: read as GB 2312 it is Chinese. */
	scan__text_from_bytes(&cd, (const uint8_t *)"\xc3\xde\xbb\xde\xb2\xdd", 6, out, sizeof(out));
	assert_string_equal(out, "棉晦草");
	/* Kanji without kana: GB 18030 (the rule needs kana or Japanese punctuation). */
	scan__text_from_bytes(&cd, (const uint8_t *)"\x93\xfa\x96\x7b", 4, out, sizeof(out));
	assert_string_equal(out, "擔杮");
	/* Kana, but not valid Shift_JIS (a lone lead byte at the end): GB 18030 or Latin-1. */
	scan__text_from_bytes(&cd, (const uint8_t *)"\x82\xcc\x83", 3, out, sizeof(out));
	assert_string_equal(out, "\xc2\x82\xc3\x8c\xc2\x83");
	/* Without a Shift_JIS converter, GB 18030 reads the same bytes. */
	no_sjis = (struct scan__iconv){ cd.gb18030, (iconv_t)-1 };
	scan__text_from_bytes(&no_sjis, (const uint8_t *)"\x82\xcc\x83\x6f", 4, out, sizeof(out));
	assert_true(scan__utf8_valid((const uint8_t *)out, strlen(out)));
	assert_string_not_equal(out, "のバ");
	close_converters(&cd);
}

/* A 640x480 frame with the ASCII fixture drawn in @dark at @num/@den scale. */
static void draw_one(struct canvas *c, const uint8_t dark[3], unsigned int num, unsigned int den)
{
	struct snt_image qr;
	static const uint8_t wall[3] = { 0x60, 0x58, 0x50 };
	static const uint8_t screen[3] = { 0xf6, 0xf6, 0xf6 };

	load_fixture("qr-ascii.png", &qr);
	canvas_new(c, 640, 480, 0, wall);
	/* A phone screen, then the code on it. */
	for (unsigned int y = 30; y < 450; y++)
		for (unsigned int x = 150; x < 490; x++)
			memcpy(c->px + (size_t)y * c->stride + (size_t)x * 3, screen, 3);
	paste(c, &qr, 320 - qr.width * num / den / 2, 240 - qr.height * num / den / 2, num, den,
	      dark, white);
	snt_image_release(&qr);
}

static void check_colour(struct snt_scanner *s, const uint8_t dark[3], int inverted,
			 unsigned int num, unsigned int den, enum snt_colour want)
{
	struct canvas c;
	struct snt_frame f;
	const struct snt_scan_result *r;

	draw_one(&c, dark, num, den);
	if (inverted)
		negate(&c);
	f = rgb_frame(&c);
	r = scan_ok(s, &f);
	assert_int_equal(r->n, 1);
	assert_payload(&r->codes[0], ASCII_PAYLOAD, sizeof(ASCII_PAYLOAD) - 1);
	assert_string_equal(r->codes[0].text, ASCII_PAYLOAD);
	if (r->codes[0].colour != want)
		fail_msg("colour %s, want %s (inverted %d, scale %u/%u)",
			 snt_colour_name(r->codes[0].colour), snt_colour_name(want), inverted, num, den);
	/* The corners are in frame pixels, around the centre. */
	for (int k = 0; k < 4; k++) {
		assert_in_range(r->codes[0].points[k][0], 150, 490);
		assert_in_range(r->codes[0].points[k][1], 30, 450);
	}
	canvas_free(&c);
}

/* A screen colour and the code colour it must read as. */
struct colour_case {
	const uint8_t *rgb;
	enum snt_colour want;
};

/* Lesson 1: yellow on white has little luma contrast, and must decode. */
static void test_colours(void **state)
{
	const struct colour_case cases[] = {
		{ black, SNT_COLOUR_BLACK }, { green, SNT_COLOUR_GREEN }, { green2, SNT_COLOUR_GREEN },
		{ yellow, SNT_COLOUR_YELLOW }, { yellow2, SNT_COLOUR_YELLOW }, { red, SNT_COLOUR_RED },
		{ red2, SNT_COLOUR_RED },
	};
	struct snt_scanner *s = *state;

	for (size_t i = 0; i < SNT_ARRAY_SIZE(cases); i++)
		check_colour(s, cases[i].rgb, 0, 2, 1, cases[i].want);
}

/* Lesson 2: a phone in dark mode shows the code inverted. */
static void test_dark_mode(void **state)
{
	struct snt_scanner *s = *state;

	check_colour(s, green, 1, 2, 1, SNT_COLOUR_GREEN);
	check_colour(s, yellow, 1, 2, 1, SNT_COLOUR_YELLOW);
	check_colour(s, red, 1, 2, 1, SNT_COLOUR_RED);
	check_colour(s, black, 1, 2, 1, SNT_COLOUR_BLACK);
}

/*
 * A code drawn light on dark: an app in a dark theme draws the modules
 * (qrencode's dark ones, from the fixture) in the code's colour on a black
 * screen, with no negation.  Its colour is read from the bright modules as
 * shown.
 */
static void check_drawn(struct snt_scanner *s, const uint8_t colour[3], enum snt_colour want)
{
	static const uint8_t wall[3] = { 0x60, 0x58, 0x50 };
	static const uint8_t screen[3] = { 0x08, 0x08, 0x08 };
	struct snt_image qr;
	struct canvas c;
	struct snt_frame f;
	const struct snt_scan_result *r;

	load_fixture("qr-ascii.png", &qr);
	canvas_new(&c, 640, 480, 0, wall);
	for (unsigned int y = 30; y < 450; y++)
		for (unsigned int x = 150; x < 490; x++)
			memcpy(c.px + (size_t)y * c.stride + (size_t)x * 3, screen, 3);
	paste(&c, &qr, 320 - qr.width, 240 - qr.height, 2, 1, colour, screen);
	snt_image_release(&qr);
	f = rgb_frame(&c);
	r = scan_ok(s, &f);
	assert_int_equal(r->n, 1);
	assert_payload(&r->codes[0], ASCII_PAYLOAD, sizeof(ASCII_PAYLOAD) - 1);
	if (r->codes[0].colour != want)
		fail_msg("drawn %02x%02x%02x on black: colour %s, want %s", colour[0], colour[1],
			 colour[2], snt_colour_name(r->codes[0].colour), snt_colour_name(want));
	canvas_free(&c);
}

/* Dark mode, drawn: green, yellow and red on black read as drawn; never green otherwise. */
static void test_dark_mode_drawn(void **state)
{
	static const uint8_t teal[3] = { 0x00, 0xa8, 0x70 };
	static const uint8_t green3[3] = { 0x2b, 0xa2, 0x45 };
	static const uint8_t red3[3] = { 0xff, 0x3b, 0x30 };
	static const uint8_t cyan[3] = { 0x10, 0xe0, 0xe0 };
	const struct colour_case cases[] = {
		{ green, SNT_COLOUR_GREEN }, { green2, SNT_COLOUR_GREEN }, { green3, SNT_COLOUR_GREEN },
		{ teal, SNT_COLOUR_GREEN }, { yellow, SNT_COLOUR_YELLOW }, { yellow2, SNT_COLOUR_YELLOW },
		{ red, SNT_COLOUR_RED }, { red2, SNT_COLOUR_RED }, { red3, SNT_COLOUR_RED },
		{ white, SNT_COLOUR_BLACK },
		/* A negated red screen shows cyan: red (negated), never green. */
		{ cyan, SNT_COLOUR_RED },
	};
	struct snt_scanner *s = *state;

	for (size_t i = 0; i < SNT_ARRAY_SIZE(cases); i++)
		check_drawn(s, cases[i].rgb, cases[i].want);
}

/*
 * @c blurred (3x3 box, @passes times) and given uniform noise of +-@noise
 * grey levels per channel (a fixed sequence): a far, shaky capture.
 */
static void degrade(struct canvas *c, unsigned int passes, int noise)
{
	size_t row = (size_t)c->w * 3;
	uint8_t *tmp = malloc(c->stride * c->h);
	uint32_t seed = 4242;

	assert_non_null(tmp);
	for (unsigned int k = 0; k < passes; k++) {
		memcpy(tmp, c->px, c->stride * c->h);
		for (unsigned int y = 1; y + 1 < c->h; y++)
			for (size_t x = 3; x + 3 < row; x++) {
				unsigned int sum = 0;

				for (int dy = -1; dy <= 1; dy++)
					for (int dx = -3; dx <= 3; dx += 3)
						sum += tmp[(size_t)((int)y + dy) * c->stride + x + dx];
				c->px[(size_t)y * c->stride + x] = (uint8_t)((sum + 4) / 9);
			}
	}
	for (unsigned int y = 0; y < c->h; y++)
		for (size_t x = 0; x < row; x++) {
			uint8_t *p = c->px + (size_t)y * c->stride + x;
			int v;

			seed = seed * 1103515245u + 12345u;
			v = *p + (int)((seed >> 16) % (unsigned int)(2 * noise + 1)) - noise;
			*p = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	free(tmp);
}

/*
 * The module grid read (grid.c) on its own: a blurred, noisy code of about
 * three pixels a module, in black, green and red, read from the smoothed
 * minimum channel, its corners mapped back around the code; a frame of
 * noise gives nothing.
 */
static void test_grid_read(void **state)
{
	static const struct scan__plane grid = { SCAN__BASE_MINRGB, 0, 0, SCAN__GRID, 0, 0, 1, 0, 0 };
	const uint8_t *darks[] = { black, green, red };
	struct snt_scanner *s = *state;

	for (size_t i = 0; i < SNT_ARRAY_SIZE(darks); i++) {
		struct canvas c;
		struct snt_frame f;
		struct scan__rgb rgb;
		struct scan__plane_map pm;
		const zbar_symbol_t *sym;
		uint8_t *plane;
		unsigned int w, h;

		draw_one(&c, darks[i], 3, 4);
		degrade(&c, 2, 40);
		f = rgb_frame(&c);
		rgb = (struct scan__rgb){ c.px, c.w, c.h, c.stride };
		assert_int_equal(scan__build_plane(s, &f, &rgb, &grid, &plane, &w, &h, &pm), 1);
		assert_int_equal(w, 640);
		assert_int_equal(h, 480);
		if (scan__grid_read(s, plane, w, h, &pm) != 1)
			fail_msg("case %zu: the grid read nothing", i);
		sym = zbar_image_first_symbol(s->zimg);
		assert_non_null(sym);
		assert_int_equal(zbar_symbol_get_data_length(sym), sizeof(ASCII_PAYLOAD) - 1);
		assert_memory_equal(zbar_symbol_get_data(sym), ASCII_PAYLOAD, sizeof(ASCII_PAYLOAD) - 1);
		assert_int_equal(pm.homog, 1);
		/* The code (21 modules, 3/4 of 132 pixels with its quiet zone) is around the centre. */
		for (unsigned int k = 0; k < zbar_symbol_get_loc_size(sym); k++) {
			float x, y;

			scan__grid_map_point(pm.h, (float)zbar_symbol_get_loc_x(sym, k),
					     (float)zbar_symbol_get_loc_y(sym, k), &x, &y);
			assert_in_range((long)x, 320 - 45, 320 + 45);
			assert_in_range((long)y, 240 - 45, 240 + 45);
		}
		canvas_free(&c);
	}
	{
		struct canvas c;
		struct snt_frame f;
		struct scan__rgb rgb;
		struct scan__plane_map pm;
		uint8_t *plane;
		unsigned int w, h;

		canvas_new(&c, 640, 480, 0, white);
		degrade(&c, 0, 100);
		f = rgb_frame(&c);
		rgb = (struct scan__rgb){ c.px, c.w, c.h, c.stride };
		assert_int_equal(scan__build_plane(s, &f, &rgb, &grid, &plane, &w, &h, &pm), 1);
		assert_int_equal(scan__grid_read(s, plane, w, h, &pm), 0);
		canvas_free(&c);
	}
}

/* How many of @c[0..n-1] are crossed by SCAN__FINDER_HITS rows or more. */
static size_t strong_count(const struct scan__cand *c, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += c[i].hits >= SCAN__FINDER_HITS;
	return k;
}

/* A frame to search: its image (when loaded), and its views as a frame and as RGB. */
struct capture {
	struct snt_image img;
	struct snt_frame f;
	struct scan__rgb rgb;
};

/* healthcode-small/camera/@name under @root into @cap. */
static void load_small(const char *root, const char *name, struct capture *cap)
{
	char path[4096];
	struct snt_image *img = &cap->img;

	snprintf(path, sizeof(path), "%s/healthcode-small/camera/%s", root, name);
	assert_int_equal(snt_image_load(path, img), SNT_IMAGE_OK);
	cap->f = (struct snt_frame){ SNT_PIXFMT_RGB24, img->width, img->height, img->stride,
				     img->rgb };
	cap->rgb = (struct scan__rgb){ img->rgb, img->width, img->height, img->stride };
}

/*
 * Weak finder candidates looked at again (scan__confirm_finders()): a green
 * code of about 2.2 pixels a module, 75 pixels wide, blurred, in a gate
 * camera's JPEG (healthcode-small camera/039), whose finders the frame's
 * search crosses once at most, is confirmed by its finders on the
 * binarised minimum channel, two or more near where the code is; a frame
 * of strong sensor noise (+-60), whose search gives weak candidates,
 * confirms none.
 */
static void test_confirm_finders(void **state)
{
	struct snt_scanner *s = *state;
	const char *root = testdata_dir("healthcode-small/camera");
	struct capture cap;
	struct snt_frame f;
	struct scan__rgb rgb;
	struct canvas c;
	size_t n, m, near = 0;

	if (!root)
		return;
	load_small(root, "039-green.jpg", &cap);
	f = cap.f;
	rgb = cap.rgb;
	n = scan__find_finders(s, &f, &rgb, s->cands, SCAN__MAX_CANDS);
	assert_true(n > 0);
	assert_int_equal(strong_count(s->cands, n), 0);
	m = scan__confirm_finders(s, &f, &rgb, s->cands, n, SCAN__MAX_CANDS);
	assert_true(m > n);
	for (size_t i = n; i < m; i++) {
		assert_true(s->cands[i].hits >= SCAN__FINDER_HITS);
		assert_int_equal(s->cands[i].inverted, 0);
		/* The code's finders lie about (324, 200), (382, 193) and (335, 256). */
		near += s->cands[i].x > 310 && s->cands[i].x < 400 && s->cands[i].y > 180 &&
			s->cands[i].y < 270;
	}
	assert_true(near >= 2);
	snt_image_release(&cap.img);

	canvas_new(&c, 640, 480, 0, white);
	degrade(&c, 0, 100);
	f = rgb_frame(&c);
	rgb = (struct scan__rgb){ c.px, c.w, c.h, c.stride };
	n = scan__find_finders(s, &f, &rgb, s->cands, SCAN__MAX_CANDS);
	assert_true(n > strong_count(s->cands, n));
	assert_int_equal(scan__confirm_finders(s, &f, &rgb, s->cands, n, SCAN__MAX_CANDS), n);
	canvas_free(&c);
}

/*
 * A busy spot (scan__busy_spot()): a red code of about 2.3 pixels a module,
 * blurred and washed out by glare (healthcode-small camera/020), none of
 * whose finders the frame's search finds, leaves one on the code (which
 * lies about x 309-384, y 189-264); a frame of strong sensor noise (+-100),
 * busy everywhere, and a blank one leave none.
 */
static void test_busy_spot(void **state)
{
	struct snt_scanner *s = *state;
	const char *root = testdata_dir("healthcode-small/camera");
	struct canvas c;
	struct capture k;
	float x = -1, y = -1;

	canvas_new(&c, 640, 480, 0, white);
	k.f = rgb_frame(&c);
	k.rgb = (struct scan__rgb){ c.px, c.w, c.h, c.stride };
	assert_int_equal(scan__find_finders(s, &k.f, &k.rgb, s->cands, SCAN__MAX_CANDS), 0);
	assert_int_equal(scan__busy_spot(s, c.w, c.h, &x, &y), 0);
	degrade(&c, 0, 100);
	assert_true(scan__find_finders(s, &k.f, &k.rgb, s->cands, SCAN__MAX_CANDS) != SIZE_MAX);
	assert_int_equal(scan__busy_spot(s, c.w, c.h, &x, &y), 0);
	canvas_free(&c);

	if (!root)
		return;
	load_small(root, "020-red.jpg", &k);
	assert_int_equal(scan__find_finders(s, &k.f, &k.rgb, s->cands, SCAN__MAX_CANDS), 0);
	assert_int_equal(scan__busy_spot(s, k.img.width, k.img.height, &x, &y), 1);
	assert_true(x > 309 && x < 384 && y > 189 && y < 264);
	snt_image_release(&k.img);
}

/*
 * Deconvolution in module space (scan__grid_deconvolve()): a version 3
 * grid (29 modules) of random data modules, each sample a sloping
 * background less the 5x5 modules around it blurred together (a module's
 * own shade weighs 60, an edge neighbour's 30, a diagonal one's 15, two
 * away 8, 4 and 2) with noise of +-6: judged against the local mean many
 * modules come out wrong, deconvolved from there none; a grid of one grey
 * has no contrast to fit (-1).
 */
static void test_grid_deconvolve(void **state)
{
	enum { N = 29, V = 3 };
	static const float w[6] = { 60, 30, 15, 8, 4, 2 };
	uint8_t truth[N * N], dark[N * N];
	float val[N * N];
	uint32_t seed = 777;
	unsigned int wrong = 0;

	(void)state;
	for (unsigned int r = 0; r < N; r++)
		for (unsigned int c = 0; c < N; c++) {
			int d;

			if (!scan__grid_fixed_module(N, r, c, &d) &&
			    !scan__grid_align_module(V, N, r, c, &d)) {
				seed = seed * 1103515245u + 12345u;
				d = (seed >> 16) & 1;
			}
			truth[r * N + c] = (uint8_t)d;
		}
	for (int r = 0; r < N; r++)
		for (int c = 0; c < N; c++) {
			float v = 200 + 1.5f * (float)c - 0.8f * (float)r;

			for (int dy = -2; dy <= 2; dy++)
				for (int dx = -2; dx <= 2; dx++) {
					int y = r + dy, x = c + dx, ay = abs(dy), ax = abs(dx);
					int k = ax + ay == 0 ? 0 : ax + ay == 1 ? 1 : ax == 1 && ay == 1 ? 2 :
						ax + ay == 2 ? 3 : ax + ay == 3 ? 4 : 5;

					if (y >= 0 && x >= 0 && y < N && x < N && truth[y * N + x])
						v -= w[k];
				}
			seed = seed * 1103515245u + 12345u;
			val[r * N + c] = v + (float)((seed >> 16) % 13) - 6;
		}
	/* The start: each sample against the mean of the 7x7 around it. */
	for (int r = 0; r < N; r++)
		for (int c = 0; c < N; c++) {
			float sum = 0;
			int k = 0;

			for (int y = r - 3; y <= r + 3; y++)
				for (int x = c - 3; x <= c + 3; x++)
					if (y >= 0 && x >= 0 && y < N && x < N)
						sum += val[y * N + x], k++;
			dark[r * N + c] = val[r * N + c] < sum / (float)k;
			wrong += dark[r * N + c] != truth[r * N + c];
		}
	assert_true(wrong > 20);
	assert_int_equal(scan__grid_deconvolve(val, V, N, dark), 0);
	assert_memory_equal(dark, truth, sizeof(truth));

	for (size_t i = 0; i < N * N; i++)
		val[i] = 128;
	assert_int_equal(scan__grid_deconvolve(val, V, N, dark), -1);
}

/*
 * A code held far away, blurred: about two pixels a module (half the
 * fixture's scale), a 3x3 box blur and noise of +-20.  Its module grid,
 * sampled on the enlarged region (and sharpened), reads; the planes alone
 * do not (the green one).  Green and red keep their colours.
 */
static void test_small_blurred(void **state)
{
	static const struct {
		const uint8_t *dark;
		enum snt_colour want;
	} cases[] = { { black, SNT_COLOUR_BLACK }, { green, SNT_COLOUR_GREEN }, { red, SNT_COLOUR_RED } };
	struct snt_scanner *s = *state;

	for (size_t i = 0; i < SNT_ARRAY_SIZE(cases); i++) {
		struct canvas c;
		struct snt_frame f;
		const struct snt_scan_result *r;

		draw_one(&c, cases[i].dark, 1, 2);
		degrade(&c, 1, 20);
		f = rgb_frame(&c);
		r = scan_ok(s, &f);
		if (r->n != 1)
			fail_msg("case %zu: %zu codes", i, r->n);
		assert_payload(&r->codes[0], ASCII_PAYLOAD, sizeof(ASCII_PAYLOAD) - 1);
		if (r->codes[0].colour != cases[i].want)
			fail_msg("case %zu: colour %s", i, snt_colour_name(r->codes[0].colour));
		for (int k = 0; k < 4; k++) {
			assert_in_range(r->codes[0].points[k][0], 280, 360);
			assert_in_range(r->codes[0].points[k][1], 200, 280);
		}
		canvas_free(&c);
	}
}

/*
 * A code held far away and blurred more: about two pixels a module, two
 * passes of a 3x3 box blur (each module's shade spread well into its
 * neighbours) and noise of +-20.  Its module grid reads once the
 * neighbours' share is taken off each sample (equalise() in grid.c); the
 * plain and sharpened thresholds read none of these.  Black, green, red and
 * yellow keep their colours.
 */
static void test_small_equalised(void **state)
{
	static const struct {
		const uint8_t *dark;
		enum snt_colour want;
	} cases[] = { { black, SNT_COLOUR_BLACK },
		      { green, SNT_COLOUR_GREEN },
		      { red, SNT_COLOUR_RED },
		      { yellow, SNT_COLOUR_YELLOW } };
	struct snt_scanner *s = *state;

	for (size_t i = 0; i < SNT_ARRAY_SIZE(cases); i++) {
		struct canvas c;
		struct snt_frame f;
		const struct snt_scan_result *r;

		draw_one(&c, cases[i].dark, 1, 2);
		degrade(&c, 2, 20);
		f = rgb_frame(&c);
		r = scan_ok(s, &f);
		if (r->n != 1)
			fail_msg("case %zu: %zu codes", i, r->n);
		assert_payload(&r->codes[0], ASCII_PAYLOAD, sizeof(ASCII_PAYLOAD) - 1);
		if (r->codes[0].colour != cases[i].want)
			fail_msg("case %zu: colour %s", i, snt_colour_name(r->codes[0].colour));
		for (int k = 0; k < 4; k++) {
			assert_in_range(r->codes[0].points[k][0], 280, 360);
			assert_in_range(r->codes[0].points[k][1], 200, 280);
		}
		canvas_free(&c);
	}
}

/* Lesson 2: a code held small in the frame (2-pixel modules) still decodes. */
static void test_small_code(void **state)
{
	struct snt_scanner *s = *state;

	check_colour(s, black, 0, 1, 2, SNT_COLOUR_BLACK);
	check_colour(s, yellow, 0, 1, 2, SNT_COLOUR_YELLOW);
	check_colour(s, red, 0, 1, 2, SNT_COLOUR_RED);
}

/* Several codes come back top to bottom, then left to right. */
static void test_order(void **state)
{
	static const char *const files[4] = { "qr-ascii.png", "qr-utf8.png", "qr-gb18030.png",
					       "qr-latin1.png" };
	/* Drawn in a shuffled order; the top-right one sits a little higher. */
	static const unsigned int at[4][2] = { { 60, 300 }, { 440, 40 }, { 420, 320 }, { 40, 60 } };
	static const size_t want[4] = { 3, 1, 0, 2 };
	struct snt_scanner *s = *state;
	struct canvas c;
	struct snt_frame f;
	const struct snt_scan_result *r;
	char text[4][64];

	canvas_new(&c, 800, 600, 0, white);
	for (size_t i = 0; i < 4; i++) {
		struct snt_image qr;
		const struct snt_scan_result *one;
		struct snt_frame qf;

		load_fixture(files[i], &qr);
		qf = (struct snt_frame){ SNT_PIXFMT_RGB24, qr.width, qr.height, qr.stride, qr.rgb };
		one = scan_ok(s, &qf);
		assert_int_equal(one->n, 1);
		snt_strlcpy(text[i], one->codes[0].text, sizeof(text[i]));
		paste(&c, &qr, at[i][0], at[i][1], 2, 1, black, white);
		snt_image_release(&qr);
	}
	f = rgb_frame(&c);
	r = scan_ok(s, &f);
	assert_int_equal(r->n, 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(r->codes[i].text, text[want[i]]);
	canvas_free(&c);
}

static uint8_t *to_yuyv(const struct canvas *c)
{
	uint8_t *out = malloc((size_t)c->w * 2 * c->h);

	assert_non_null(out);
	rgb_to_yuyv(c->px, c->stride, c->w, c->h, out);
	return out;
}

static void test_pixel_formats(void **state)
{
	struct snt_scanner *s = *state;
	struct canvas c, padded;
	struct snt_frame f;
	const struct snt_scan_result *r;
	uint8_t *yuyv, *grey;

	/* YUYV (the camera's format): payload and colour survive. */
	draw_one(&c, yellow, 2, 1);
	yuyv = to_yuyv(&c);
	f = (struct snt_frame){ SNT_PIXFMT_YUYV, c.w, c.h, (size_t)c.w * 2, yuyv };
	r = scan_ok(s, &f);
	assert_int_equal(r->n, 1);
	assert_payload(&r->codes[0], ASCII_PAYLOAD, sizeof(ASCII_PAYLOAD) - 1);
	assert_int_equal(r->codes[0].colour, SNT_COLOUR_YELLOW);
	free(yuyv);

	/* Grey: the payload, but no colour to judge. */
	grey = malloc((size_t)c.w * c.h);
	assert_non_null(grey);
	for (size_t i = 0; i < (size_t)c.w * c.h; i++)
		grey[i] = c.px[3 * i + 2];	/* blue: yellow modules are dark */
	f = (struct snt_frame){ SNT_PIXFMT_GREY, c.w, c.h, c.w, grey };
	r = scan_ok(s, &f);
	assert_int_equal(r->n, 1);
	assert_payload(&r->codes[0], ASCII_PAYLOAD, sizeof(ASCII_PAYLOAD) - 1);
	assert_int_equal(r->codes[0].colour, SNT_COLOUR_UNKNOWN);
	free(grey);

	/* RGB rows with padding past the pixels. */
	canvas_new(&padded, c.w, c.h, 17, white);
	for (unsigned int y = 0; y < c.h; y++)
		memcpy(padded.px + (size_t)y * padded.stride, c.px + (size_t)y * c.stride,
		       (size_t)c.w * 3);
	f = rgb_frame(&padded);
	r = scan_ok(s, &f);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->codes[0].colour, SNT_COLOUR_YELLOW);
	canvas_free(&padded);
	canvas_free(&c);
}

static void test_no_code(void **state)
{
	struct snt_scanner *s = *state;
	struct canvas c;
	struct snt_frame f;
	const struct snt_scan_result *r;
	uint32_t seed = 12345;

	canvas_new(&c, 320, 240, 0, white);
	f = rgb_frame(&c);
	r = scan_ok(s, &f);
	assert_int_equal(r->n, 0);
	for (size_t i = 0; i < (size_t)c.w * 3 * c.h; i++) {
		seed = seed * 1103515245u + 12345u;
		c.px[i] = (uint8_t)(seed >> 24);
	}
	r = scan_ok(s, &f);
	assert_int_equal(r->n, 0);
	canvas_free(&c);
}

/*
 * A 640x480 frame with no finder pattern (blank, sensor noise, a smooth
 * gradient) finishes without a zbar pass; the same frame with a code in it
 * gets the full search.
 */
static void test_no_code_fast(void **state)
{
	struct snt_scanner *s = *state;
	struct canvas c;
	struct snt_frame f;
	const struct snt_scan_result *r;
	uint32_t seed = 777;

	canvas_new(&c, 640, 480, 0, white);
	f = rgb_frame(&c);
	r = scan_ok(s, &f);
	assert_int_equal(r->n, 0);
	assert_int_equal(s->zbar_passes, 0);
	for (unsigned int y = 0; y < c.h; y++)
		for (unsigned int x = 0; x < c.w * 3; x++) {
			seed = seed * 1103515245u + 12345u;
			c.px[(size_t)y * c.stride + x] =
				(uint8_t)(60 + y / 4 + ((seed >> 24) % 41) - 20);
		}
	r = scan_ok(s, &f);
	assert_int_equal(r->n, 0);
	assert_int_equal(s->zbar_passes, 0);
	canvas_free(&c);

	draw_one(&c, black, 2, 1);
	f = rgb_frame(&c);
	r = scan_ok(s, &f);
	assert_int_equal(r->n, 1);
	assert_payload(&r->codes[0], ASCII_PAYLOAD, sizeof(ASCII_PAYLOAD) - 1);
	assert_true(s->zbar_passes >= 1);
	canvas_free(&c);
}

/*
 * Tracking, with a budget: once a code is read, the next frames try its
 * region first (one zbar pass on a crop, no finder search); a code that
 * moved out of it is read by the full search; without a budget no frame
 * depends on the last.
 */
static void test_tracking(void **state)
{
	struct snt_scanner *s = *state;
	struct snt_image qr;
	struct canvas a, b;
	struct snt_frame fa, fb;
	const struct snt_scan_result *r;

	draw_one(&a, black, 1, 1);
	load_fixture("qr-ascii.png", &qr);
	canvas_new(&b, 640, 480, 0, white);
	paste(&b, &qr, 10, 10, 1, 1, black, white);
	snt_image_release(&qr);
	fa = rgb_frame(&a);
	fb = rgb_frame(&b);

	assert_int_equal(snt_scanner_set_budget(s, 60000), SNT_SCAN_OK);
	r = scan_ok(s, &fa);
	assert_int_equal(r->n, 1);
	assert_int_equal(s->tracked, 0);
	assert_int_equal(s->track_left, SCAN__TRACK_FRAMES);
	/* The code (21 modules of 4.5 pixels) at the centre, half its size around it. */
	assert_in_range(s->track_box[0], 195, 235);
	assert_in_range(s->track_box[2], 405, 445);
	r = scan_ok(s, &fa);
	assert_int_equal(r->n, 1);
	assert_payload(&r->codes[0], ASCII_PAYLOAD, sizeof(ASCII_PAYLOAD) - 1);
	assert_int_equal(r->codes[0].colour, SNT_COLOUR_BLACK);
	assert_int_equal(s->tracked, 1);
	assert_int_equal(s->zbar_passes, 1);
	assert_int_equal(s->ncands, 0);
	for (int k = 0; k < 4; k++) {
		assert_in_range(r->codes[0].points[k][0], 250, 390);
		assert_in_range(r->codes[0].points[k][1], 170, 310);
	}
	/* Moved to the top-left corner: the region misses, the frame is searched. */
	r = scan_ok(s, &fb);
	assert_int_equal(r->n, 1);
	assert_payload(&r->codes[0], ASCII_PAYLOAD, sizeof(ASCII_PAYLOAD) - 1);
	assert_int_equal(s->tracked, 0);
	assert_true(s->zbar_passes >= 2);
	for (int k = 0; k < 4; k++) {
		assert_in_range(r->codes[0].points[k][0], 10, 142);
		assert_in_range(r->codes[0].points[k][1], 10, 142);
	}
	/* Its new region is tried next. */
	r = scan_ok(s, &fb);
	assert_int_equal(r->n, 1);
	assert_int_equal(s->tracked, 1);
	/* SCAN__TRACK_FRAMES frames with no code, and the region is given up. */
	{
		struct canvas blank;
		struct snt_frame fz;

		canvas_new(&blank, 640, 480, 0, white);
		fz = rgb_frame(&blank);
		for (unsigned int k = 0; k < SCAN__TRACK_FRAMES; k++) {
			assert_int_not_equal(s->track_left, 0);
			r = scan_ok(s, &fz);
			assert_int_equal(r->n, 0);
			assert_int_equal(s->zbar_passes, 1);
		}
		assert_int_equal(s->track_left, 0);
		r = scan_ok(s, &fz);
		assert_int_equal(s->zbar_passes, 0);
		canvas_free(&blank);
	}
	r = scan_ok(s, &fb);
	assert_int_equal(r->n, 1);
	assert_int_equal(s->tracked, 0);
	/* Without a budget, nothing is tracked. */
	assert_int_equal(snt_scanner_set_budget(s, 0), SNT_SCAN_OK);
	r = scan_ok(s, &fa);
	assert_int_equal(r->n, 1);
	assert_int_equal(s->tracked, 0);
	assert_true(s->ncands > 0);
	canvas_free(&a);
	canvas_free(&b);
}

/* Frames of changing sizes: buffers grow and are reused, results stay right. */
static void test_reuse(void **state)
{
	struct snt_scanner *s = *state;
	static const unsigned int sizes[][3] = { { 1280, 960, 4 }, { 200, 200, 1 }, { 640, 480, 2 },
						 { 1280, 960, 3 } };
	struct snt_image qr;
	const struct snt_scan_result *first = NULL;

	load_fixture("qr-ascii.png", &qr);
	for (size_t i = 0; i < SNT_ARRAY_SIZE(sizes); i++) {
		struct canvas c;
		struct snt_frame f;
		const struct snt_scan_result *r;

		canvas_new(&c, sizes[i][0], sizes[i][1], 0, white);
		paste(&c, &qr, 10, 10, sizes[i][2], 1, black, white);
		f = rgb_frame(&c);
		r = scan_ok(s, &f);
		if (!first)
			first = r;
		assert_ptr_equal(r, first);
		assert_int_equal(r->n, 1);
		assert_payload(&r->codes[0], ASCII_PAYLOAD, sizeof(ASCII_PAYLOAD) - 1);
		canvas_free(&c);
	}
	snt_image_release(&qr);
}

/* Build plane @p of @f (a colour frame when @rgb) and check its size and mapping. */
static const uint8_t *plane_of(struct snt_scanner *s, const struct snt_frame *f, int rgb,
			       struct scan__plane p, unsigned int want_w, unsigned int want_h,
			       struct scan__plane_map *pm)
{
	struct scan__rgb view = { f->data, f->width, f->height, f->stride };
	uint8_t *out = NULL;
	unsigned int w = 0, h = 0;

	assert_int_equal(scan__build_plane(s, f, rgb ? &view : NULL, &p, &out, &w, &h, pm), 1);
	assert_non_null(out);
	assert_int_equal(w, want_w);
	assert_int_equal(h, want_h);
	return out;
}

/* The grey planes zbar sees, pixel by pixel. */
static void test_planes(void **state)
{
	/* 4x2 RGB, rows padded to 16 bytes. */
	static const uint8_t px[2 * 16] = {
		200, 100, 50,	0, 0, 0,	255, 255, 255,	10, 200, 30,	9, 9, 9, 9,
		60, 70, 80,	255, 0, 0,	0, 0, 255,	120, 120, 120,	9, 9, 9, 9,
	};
	static const uint8_t minrgb[8] = { 50, 0, 255, 10, 60, 0, 0, 120 };
	static const uint8_t inv_max[8] = { 55, 255, 0, 55, 175, 0, 0, 135 };
	struct snt_scanner *s = *state;
	struct snt_frame f = { SNT_PIXFMT_RGB24, 4, 2, 16, px };
	struct scan__plane_map pm;
	const uint8_t *o;

	o = plane_of(s, &f, 1, (struct scan__plane){ SCAN__BASE_MINRGB, 0, 0, SCAN__FULL, 0, 0, 0, 0, 0 }, 4,
		     2, &pm);
	assert_memory_equal(o, minrgb, 8);
	assert_int_equal(pm.border, 0);
	assert_int_equal(pm.mul, 1);
	assert_int_equal(pm.div, 1);
	o = plane_of(s, &f, 1, (struct scan__plane){ SCAN__BASE_MINRGB, 1, 0, SCAN__FULL, 0, 0, 0, 0, 0 }, 4,
		     2, &pm);
	assert_memory_equal(o, inv_max, 8);
	/* BT.601 luma, (77 R + 150 G + 29 B + 128) >> 8, and its negative. */
	o = plane_of(s, &f, 1, (struct scan__plane){ SCAN__BASE_LUMA, 0, 0, SCAN__FULL, 0, 0, 0, 0, 0 }, 4, 2,
		     &pm);
	assert_int_equal(o[0], (77 * 200 + 150 * 100 + 29 * 50 + 128) >> 8);
	assert_int_equal(o[1], 0);
	assert_int_equal(o[2], 255);
	assert_int_equal(o[5], (77 * 255 + 128) >> 8);
	assert_int_equal(o[6], (29 * 255 + 128) >> 8);
	o = plane_of(s, &f, 1, (struct scan__plane){ SCAN__BASE_LUMA, 1, 0, SCAN__FULL, 0, 0, 0, 0, 0 }, 4, 2,
		     &pm);
	assert_int_equal(o[2], 0);
	assert_int_equal(o[1], 255);
	/* Half scale: rounded 2x2 means of the minimum channel. */
	o = plane_of(s, &f, 1, (struct scan__plane){ SCAN__BASE_MINRGB, 0, 0, SCAN__HALF, 0, 0, 0, 0, 0 }, 2,
		     1, &pm);
	assert_int_equal(o[0], (50 + 0 + 60 + 0 + 2) / 4);
	assert_int_equal(o[1], (255 + 10 + 0 + 120 + 2) / 4);
	assert_int_equal(pm.mul, 2);
	/* Double scale, bilinear: 9/16, 3/16, 3/16, 1/16 of the nearest four. */
	o = plane_of(s, &f, 1, (struct scan__plane){ SCAN__BASE_MINRGB, 0, 0, SCAN__DOUBLE, 0, 0, 0, 0, 0 },
		     8, 4, &pm);
	assert_int_equal(o[0], 50);			/* corner: edges repeated */
	assert_int_equal(o[1], (12 * 50 + 4 * 0 + 8) >> 4);	/* top row repeated */
	assert_int_equal(o[8 + 2], (9 * 0 + 3 * 50 + 3 * 0 + 60 + 8) >> 4);
	assert_int_equal(pm.div, 2);
	/* 3x3 minimum. */
	o = plane_of(s, &f, 1, (struct scan__plane){ SCAN__BASE_MINRGB, 0, 0, SCAN__FULL, 0, 1, 0, 0, 0 }, 4,
		     2, &pm);
	assert_int_equal(o[0], 0);
	assert_int_equal(o[3], 0);
	/* A grey frame: every base is its luma. */
	{
		static const uint8_t grey[4] = { 10, 20, 30, 40 };
		struct snt_frame g = { SNT_PIXFMT_GREY, 2, 2, 2, grey };

		o = plane_of(s, &g, 0,
			     (struct scan__plane){ SCAN__BASE_MINRGB, 0, 0, SCAN__FULL, 0, 0, 0, 0, 0 }, 2, 2,
			     &pm);
		assert_memory_equal(o, grey, 4);
		o = plane_of(s, &g, 0, (struct scan__plane){ SCAN__BASE_LUMA, 1, 0, SCAN__FULL, 0, 0, 0, 0, 0 },
			     2, 2, &pm);
		assert_int_equal(o[3], 255 - 40);
	}
}

/*
 * Local contrast normalisation stretches a faint pattern; half and double
 * scale apply only where they should.
 */
static void test_plane_norm_and_limits(void **state)
{
	struct snt_scanner *s = *state;
	struct scan__plane norm = { SCAN__BASE_LUMA, 0, 1, SCAN__FULL, 0, 0, 0, 0, 0 };
	struct scan__plane dbl = { SCAN__BASE_LUMA, 0, 0, SCAN__DOUBLE, 0, 0, 0, 0, 0 };
	struct scan__plane half = { SCAN__BASE_LUMA, 0, 0, SCAN__HALF, 0, 0, 0, 0, 0 };
	struct scan__plane_map pm;
	unsigned int w, h;
	uint8_t *out, *grey = malloc(96 * 96);
	struct snt_frame f = { SNT_PIXFMT_GREY, 96, 96, 96, grey };

	assert_non_null(grey);
	/* A faint checkerboard: 150 and 180. */
	for (unsigned int y = 0; y < 96; y++)
		for (unsigned int x = 0; x < 96; x++)
			grey[y * 96 + x] = ((x / 8) + (y / 8)) % 2 ? 150 : 180;
	assert_int_equal(scan__build_plane(s, &f, NULL, &norm, &out, &w, &h, &pm), 1);
	for (unsigned int i = 0; i < 96 * 96; i += 37) {
		if (grey[i] == 150)
			assert_true(out[i] < 40);
		else
			assert_true(out[i] > 215);
	}
	/* Double scale only for small frames; half scale needs two pixels a side. */
	f.width = SCAN__SMALL_SIDE + 1;
	f.height = 1;
	f.stride = f.width;
	{
		uint8_t *row = calloc(f.width, 1);

		assert_non_null(row);
		f.data = row;
		assert_int_equal(scan__build_plane(s, &f, NULL, &dbl, &out, &w, &h, &pm), 0);
		assert_int_equal(scan__build_plane(s, &f, NULL, &half, &out, &w, &h, &pm), 0);
		free(row);
	}
	free(grey);
}

/* Range of the grey values of @px (@w x @h) inside its middle half. */
static unsigned int middle_range(const uint8_t *px, unsigned int w, unsigned int h)
{
	unsigned int lo = 255, hi = 0;

	for (unsigned int y = h / 4; y < 3 * h / 4; y++)
		for (unsigned int x = w / 4; x < 3 * w / 4; x++) {
			lo = px[y * w + x] < lo ? px[y * w + x] : lo;
			hi = px[y * w + x] > hi ? px[y * w + x] : hi;
		}
	return hi - lo;
}

/*
 * The enlarged region sharpened (unsharp masking): modules of two pixels
 * that blur has brought to a faint checkerboard (120 and 136) stand out
 * again, at least twice the range of the same region enlarged plainly.
 */
static void test_plane_up_sharpen(void **state)
{
	static const struct scan__plane plain = { SCAN__BASE_LUMA, 0, 0, SCAN__UP, 0, 0, 0, 0, 0 };
	static const struct scan__plane sharp = { SCAN__BASE_LUMA, 0, 0, SCAN__UP, 0, 0, 0, 0, 1 };
	struct snt_scanner *s = *state;
	struct scan__plane_map pm;
	unsigned int w, h, r_plain, r_sharp;
	uint8_t *out, *grey = malloc(96 * 96);
	struct snt_frame f = { SNT_PIXFMT_GREY, 96, 96, 96, grey };

	assert_non_null(grey);
	for (unsigned int y = 0; y < 96; y++)
		for (unsigned int x = 0; x < 96; x++)
			grey[y * 96 + x] = ((x / 2) + (y / 2)) % 2 ? 120 : 136;
	s->cands[0] = (struct scan__cand){ 48, 48, 1.0f, 0, 2 };
	s->ncands = 1;
	assert_int_equal(scan__build_plane(s, &f, NULL, &plain, &out, &w, &h, &pm), 1);
	assert_true(w > 96 && h > 96);
	r_plain = middle_range(out, w, h);
	assert_int_equal(scan__build_plane(s, &f, NULL, &sharp, &out, &w, &h, &pm), 1);
	r_sharp = middle_range(out, w, h);
	assert_true(r_sharp >= 2 * r_plain);
	s->ncands = 0;
	free(grey);
}

/* V4L2 YUYV, BT.601 limited range: white, black, red. */
static void test_yuyv_conversion(void **state)
{
	static const uint8_t yuyv[8] = { 235, 128, 16, 128, 81, 90, 81, 240 };
	struct snt_scanner *s = *state;
	struct snt_frame f = { SNT_PIXFMT_YUYV, 4, 1, 8, yuyv };
	struct scan__rgb v;

	assert_int_equal(scan__yuyv_to_rgb(s, &f, &v), 0);
	assert_int_equal(v.width, 4);
	assert_int_equal(v.stride, 12);
	/* The first pair shares U = V = 128: white then black. */
	assert_in_range(v.px[0], 254, 255);
	assert_in_range(v.px[1], 254, 255);
	assert_in_range(v.px[2], 254, 255);
	assert_in_range(v.px[3], 0, 1);
	/* The second pair is BT.601 red (Y 81, Cb 90, Cr 240). */
	assert_in_range(v.px[6], 250, 255);
	assert_in_range(v.px[7], 0, 5);
	assert_in_range(v.px[8], 0, 5);
}

/* Frames larger than SNT_SCAN_WORK_SIDE are box-filtered first. */
static void test_shrink(void **state)
{
	static const uint8_t grey[16] = { 0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60 };
	static const uint8_t rgb[2 * 6] = { 10, 20, 30, 30, 40, 50, 50, 60, 70, 70, 80, 90 };
	struct snt_scanner *s = *state;
	struct snt_frame f = { SNT_PIXFMT_GREY, 4, 4, 4, grey }, out;
	struct scan__rgb in = { rgb, 2, 2, 6 }, view;

	assert_int_equal(scan__shrink(s, &f, NULL, 2, &out, &view), 0);
	assert_int_equal(out.fmt, SNT_PIXFMT_GREY);
	assert_int_equal(out.width, 2);
	assert_int_equal(out.height, 2);
	assert_int_equal(out.data[0], (0 + 4 + 16 + 20 + 2) / 4);
	assert_int_equal(out.data[3], (40 + 44 + 56 + 60 + 2) / 4);
	/* A strip one pixel high: boxes cut by the edge average what they cover. */
	f.height = 1;
	assert_int_equal(scan__shrink(s, &f, NULL, 4, &out, &view), 0);
	assert_int_equal(out.width, 1);
	assert_int_equal(out.height, 1);
	assert_int_equal(out.data[0], (0 + 4 + 8 + 12 + 2) / 4);
	/* Colour. */
	f = (struct snt_frame){ SNT_PIXFMT_RGB24, 2, 1, 6, rgb };
	assert_int_equal(scan__shrink(s, &f, &in, 2, &out, &view), 0);
	assert_int_equal(out.fmt, SNT_PIXFMT_RGB24);
	assert_int_equal(view.width, 1);
	assert_int_equal(view.px[0], 20);
	assert_int_equal(view.px[1], 30);
	assert_int_equal(view.px[2], 40);
}

/*
 * A code whose top finder patterns are cut by the frame's top edge (the
 * phone held too high): found, decoded, and its colour still judged.
 * @cut: pixels of the code (pasted at 8 px a module, 32 px quiet zone) above
 *       the frame.
 */
static void check_cut(struct snt_scanner *s, unsigned int cut, const uint8_t dark[3],
		      int inverted, enum snt_colour want)
{
	struct snt_image qr;
	struct canvas c;
	struct snt_frame f;
	const struct snt_scan_result *r;

	load_fixture("qr-ascii.png", &qr);
	canvas_new(&c, 400, 300, 0, white);
	/* Paste the fixture at 2x from row `cut` of it down. */
	for (unsigned int y = 0; y + cut / 2 < qr.height && y < 300 / 2; y++) {
		for (unsigned int x = 0; x < qr.width && 60 + 2 * x + 1 < 400; x++) {
			const uint8_t *p = qr.rgb + (size_t)(y + cut / 2) * qr.stride + (size_t)x * 3;
			const uint8_t *col = p[0] < 128 ? dark : white;

			for (unsigned int d = 0; d < 4; d++)
				memcpy(c.px + (size_t)(2 * y + d / 2) * c.stride + (size_t)(60 + 2 * x + d % 2) * 3,
				       col, 3);
		}
	}
	if (inverted)
		negate(&c);
	f = rgb_frame(&c);
	r = scan_ok(s, &f);
	assert_int_equal(r->n, 1);
	assert_payload(&r->codes[0], ASCII_PAYLOAD, sizeof(ASCII_PAYLOAD) - 1);
	assert_int_equal(r->codes[0].colour, want);
	/* Once the finders lose their outer ring, only a padded plane finds them. */
	assert_true(s->last_plane >= 0);
	if (cut > 32 && !s->planes[s->last_plane].pad)
		fail_msg("cut %u (inverted %d) found on plane %d, not padded", cut, inverted,
			 s->last_plane);
	for (int k = 0; k < 4; k++) {
		assert_in_range(r->codes[0].points[k][0], 50, 340);
		assert_in_range(r->codes[0].points[k][1], 0, 299);
	}
	canvas_free(&c);
	snt_image_release(&qr);
}

static void test_edge_cut(void **state)
{
	struct snt_scanner *s = *state;

	/*
	 * The quiet zone gone; then the finders' outer ring; then their light
	 * ring too; then half a module of their centre.
	 */
	check_cut(s, 32, black, 0, SNT_COLOUR_BLACK);
	check_cut(s, 40, green, 0, SNT_COLOUR_GREEN);
	check_cut(s, 48, yellow, 0, SNT_COLOUR_YELLOW);
	check_cut(s, 52, red, 0, SNT_COLOUR_RED);
	/* A dark-mode phone held too high. */
	check_cut(s, 48, red, 1, SNT_COLOUR_RED);
}

/* The edge detector: finders cut by an edge are found, a whole code is left alone. */
static void test_edge_finders(void **state)
{
	struct snt_image qr;
	struct scan__finder f[SCAN__MAX_FINDERS];
	uint8_t *grey, *pad;
	unsigned int w, h;
	size_t n;

	(void)state;
	load_fixture("qr-ascii.png", &qr);
	w = qr.width;
	h = qr.height;
	grey = malloc((size_t)w * h);
	pad = malloc((size_t)(w + 64) * (h + 64));
	assert_non_null(grey);
	assert_non_null(pad);
	for (size_t i = 0; i < (size_t)w * h; i++)
		grey[i] = qr.rgb[3 * i];
	/* Whole, with its quiet zone: nothing at the edges. */
	assert_int_equal(scan__edge_finders(grey, w, h, f, SCAN__MAX_FINDERS), 0);
	assert_int_equal(scan__edge_finders(NULL, w, h, f, SCAN__MAX_FINDERS), 0);
	assert_int_equal(scan__edge_finders(grey, 13, 13, f, SCAN__MAX_FINDERS), 0);
	/*
	 * 4 px a module, the finders on rows 16-43.  Cut 26 rows: the quiet
	 * zone, the outer and light rings, and half a module of the centre.
	 */
	n = scan__edge_finders(grey + (size_t)26 * w, w, h - 26, f, SCAN__MAX_FINDERS);
	assert_int_equal(n, 2);
	for (size_t k = 0; k < n; k++) {
		assert_true(f[k].cy > 3.5f - 1.0f && f[k].cy < 3.5f + 1.0f);
		assert_true(f[k].module > 3.5f && f[k].module < 4.5f);
		assert_true(f[k].vy > 0.99f);
		assert_true(f[k].reach > 10.0f);
	}
	assert_true(f[0].cx > 29.5f - 1.0f && f[0].cx < 29.5f + 1.0f);
	/* The pad redraws the cut part (rows -10..-1, padded rows 22..31). */
	scan__edge_pad(grey + (size_t)26 * w, w, h - 26, 32, f, n, 255, pad);
	{
		unsigned int pw = w + 64;
		unsigned int fx = (unsigned int)(f[0].cx + 0.5f) + 32;

		assert_int_equal(pad[(size_t)24 * pw + fx], 0);		/* outer ring */
		assert_int_equal(pad[(size_t)28 * pw + fx], 255);	/* light ring */
		assert_int_equal(pad[(size_t)31 * pw + fx], 0);		/* centre */
		assert_int_equal(pad[(size_t)28 * pw + fx - 8], 255);	/* light ring, beside */
		assert_int_equal(pad[(size_t)28 * pw + fx - 13], 0);	/* outer ring, beside */
		assert_int_equal(pad[(size_t)18 * pw + fx], 255);	/* above: quiet */
		/* The frame itself is copied unchanged. */
		assert_memory_equal(pad + (size_t)32 * pw + 32, grey + (size_t)26 * w, w);
	}
	free(grey);
	free(pad);
	snt_image_release(&qr);
}

/* Bad input: bounded, a clear error or an empty result. */
static void test_bad_frames(void **state)
{
	struct snt_scanner *s = *state;
	static uint8_t px[8192 * 3];
	struct snt_frame f;
	const struct snt_scan_result *r;

	/* 1x1 in every format. */
	f = (struct snt_frame){ SNT_PIXFMT_RGB24, 1, 1, 3, px };
	assert_int_equal(scan_ok(s, &f)->n, 0);
	f = (struct snt_frame){ SNT_PIXFMT_GREY, 1, 1, 1, px };
	assert_int_equal(scan_ok(s, &f)->n, 0);
	f = (struct snt_frame){ SNT_PIXFMT_YUYV, 2, 1, 4, px };
	assert_int_equal(scan_ok(s, &f)->n, 0);
	/* A 20000 x 20000 header: refused before any pixel is read. */
	f = (struct snt_frame){ SNT_PIXFMT_RGB24, 20000, 20000, 60000, px };
	assert_int_equal(snt_scanner_scan(s, &f, &r), SNT_SCAN_ERR_INVAL);
	assert_null(r);
	/* The largest side allowed, one pixel high: box-filtered, no code. */
	f = (struct snt_frame){ SNT_PIXFMT_RGB24, 8192, 1, 8192 * 3, px };
	assert_int_equal(scan_ok(s, &f)->n, 0);
	f = (struct snt_frame){ SNT_PIXFMT_GREY, 1, 8192, 1, px };
	assert_int_equal(scan_ok(s, &f)->n, 0);
	/* Zero stride. */
	f = (struct snt_frame){ SNT_PIXFMT_GREY, 4, 4, 0, px };
	assert_int_equal(snt_scanner_scan(s, &f, &r), SNT_SCAN_ERR_INVAL);
}

/*
 * A payload over SNT_SCAN_MAX_PAYLOAD (structured append joins symbols) is
 * truncated and flagged: bounded memory for "a QR holding megabytes".
 */
static void test_huge_payload(void **state)
{
	struct snt_scanner *s = *state;
	struct snt_image img;
	struct snt_frame f;
	const struct snt_scan_result *r;
	uint8_t *want = malloc(SNT_SCAN_MAX_PAYLOAD);
	uint32_t x = 1;

	assert_non_null(want);
	for (size_t i = 0; i < SNT_SCAN_MAX_PAYLOAD; i++) {
		x = x * 1103515245u + 12345u;
		want[i] = (uint8_t)(x >> 24);
	}
	load_fixture("qr-sa.png", &img);
	f = (struct snt_frame){ SNT_PIXFMT_RGB24, img.width, img.height, img.stride, img.rgb };
	r = scan_ok(s, &f);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->codes[0].truncated, 1);
	assert_int_equal(r->codes[0].len, SNT_SCAN_MAX_PAYLOAD);
	assert_memory_equal(r->codes[0].bytes, want, SNT_SCAN_MAX_PAYLOAD);
	assert_true(scan__utf8_valid((const uint8_t *)r->codes[0].text, strlen(r->codes[0].text)));
	snt_image_release(&img);
	free(want);
}

/* The time budget: errors, the first plane always tried, no further plane after it. */
static void test_budget(void **state)
{
	struct snt_scanner *s = *state;
	struct canvas c;
	struct snt_frame f;
	const struct snt_scan_result *r;
	uint32_t seed = 99;

	assert_int_equal(snt_scanner_set_budget(NULL, 10), SNT_SCAN_ERR_INVAL);
	assert_int_equal(snt_scanner_set_budget(s, 1), SNT_SCAN_OK);
	/* A code on the first plane decodes whatever the budget. */
	draw_one(&c, black, 2, 1);
	f = rgb_frame(&c);
	r = scan_ok(s, &f);
	assert_int_equal(r->n, 1);
	assert_int_equal(s->last_plane, 0);
	/* Noise: the scan ends early, with no code. */
	for (size_t i = 0; i < (size_t)c.w * 3 * c.h; i++) {
		seed = seed * 1103515245u + 12345u;
		c.px[i] = (uint8_t)(seed >> 24);
	}
	r = scan_ok(s, &f);
	assert_int_equal(r->n, 0);
	assert_int_equal(snt_scanner_set_budget(s, 0), SNT_SCAN_OK);
	canvas_free(&c);
}

/* A checkerboard of @dark on @ground inside the polygon 100..300, white or @ground around. */
static enum snt_colour classify_board(const uint8_t dark[3], const uint8_t ground[3], int inverted)
{
	static const int pts[4][2] = { { 100, 100 }, { 100, 300 }, { 300, 300 }, { 300, 100 } };
	struct canvas c;
	struct scan__rgb v;
	enum snt_colour col;

	canvas_new(&c, 400, 400, 0, ground);
	for (unsigned int y = 100; y < 300; y++)
		for (unsigned int x = 100; x < 300; x++)
			if (((x / 10) + (y / 10)) % 2)
				memcpy(c.px + (size_t)y * c.stride + (size_t)x * 3, dark, 3);
	v = (struct scan__rgb){ c.px, c.w, c.h, c.stride };
	col = scan__colour_classify(&v, pts, inverted);
	canvas_free(&c);
	return col;
}

static void test_colour_classifier(void **state)
{
	static const uint8_t cyan[3] = { 0x10, 0xd0, 0xd0 };
	static const uint8_t blue[3] = { 0x20, 0x40, 0xe0 };
	static const uint8_t light_grey[3] = { 0xd8, 0xd8, 0xd8 };
	static const uint8_t orange[3] = { 0xff, 0x6a, 0x00 };
	static const uint8_t nearly_black[3] = { 0x10, 0x10, 0x10 };
	static const int dot[4][2] = { { 5, 5 }, { 5, 5 }, { 5, 5 }, { 5, 5 } };
	static const int outside[4][2] = { { -50, -50 }, { -50, 50 }, { 50, 50 }, { 50, -50 } };
	static const int bowtie[4][2] = { { 100, 100 }, { 300, 300 }, { 100, 300 }, { 300, 100 } };
	uint8_t px[16 * 16 * 3];
	struct scan__rgb v = { px, 16, 16, 48 };

	(void)state;
	assert_int_equal(classify_board(green, white, 0), SNT_COLOUR_GREEN);
	assert_int_equal(classify_board(yellow, white, 0), SNT_COLOUR_YELLOW);
	assert_int_equal(classify_board(red, white, 0), SNT_COLOUR_RED);
	assert_int_equal(classify_board(black, white, 0), SNT_COLOUR_BLACK);
	/* Neither of the three colours, or too faint: unknown. */
	assert_int_equal(classify_board(cyan, white, 0), SNT_COLOUR_UNKNOWN);
	assert_int_equal(classify_board(blue, white, 0), SNT_COLOUR_UNKNOWN);
	assert_int_equal(classify_board(light_grey, white, 0), SNT_COLOUR_UNKNOWN);
	assert_int_equal(classify_board(orange, white, 0), SNT_COLOUR_UNKNOWN);
	/* Nothing but white: no modules. */
	assert_int_equal(classify_board(white, white, 0), SNT_COLOUR_UNKNOWN);
	/* A dark-mode screen that draws a red or yellow code as is, light on
	 * black: negated it would read cyan or blue, and it must never be green. */
	assert_int_not_equal(classify_board(red, nearly_black, 1), SNT_COLOUR_GREEN);
	assert_int_not_equal(classify_board(red2, nearly_black, 1), SNT_COLOUR_GREEN);
	assert_int_not_equal(classify_board(yellow, nearly_black, 1), SNT_COLOUR_GREEN);
	/* A quiet zone that is not white gives no reference. */
	assert_int_equal(classify_board(black, yellow, 0), SNT_COLOUR_UNKNOWN);
	/* Degenerate polygons. */
	memset(px, 255, sizeof(px));
	assert_int_equal(scan__colour_classify(&v, dot, 0), SNT_COLOUR_UNKNOWN);
	assert_int_equal(scan__colour_classify(&v, outside, 0), SNT_COLOUR_UNKNOWN);
	assert_int_equal(scan__colour_classify(&v, bowtie, 0), SNT_COLOUR_UNKNOWN);
}

/*
 * classify_board() with the whole picture (modules and ground) seen through
 * a white balance: each channel scaled by @gain[c] / 100, as a camera with a
 * wrong white point or a tinted light shows it.
 */
static enum snt_colour classify_shifted(const uint8_t dark[3], const unsigned int gain[3])
{
	static const int pts[4][2] = { { 40, 40 }, { 40, 180 }, { 180, 180 }, { 180, 40 } };
	struct canvas c;
	struct scan__rgb v;
	enum snt_colour col;

	canvas_new(&c, 220, 220, 0, white);
	for (unsigned int y = 40; y < 180; y++)
		for (unsigned int x = 40; x < 180; x++)
			if (((x / 10) + (y / 10)) % 2)
				memcpy(c.px + (size_t)y * c.stride + (size_t)x * 3, dark, 3);
	for (unsigned int y = 0; y < c.h; y++)
		for (unsigned int x = 0; x < c.w; x++)
			for (int k = 0; k < 3; k++) {
				uint8_t *p = c.px + (size_t)y * c.stride + (size_t)x * 3 + k;

				*p = (uint8_t)(*p * gain[k] / 100);
			}
	v = (struct scan__rgb){ c.px, c.w, c.h, c.stride };
	col = scan__colour_classify(&v, pts, 0);
	canvas_free(&c);
	return col;
}

/*
 * Lesson 1, and the absolute rule: under a white-balance shift each colour
 * still reads right, because it is judged against the quiet zone; under a
 * cast too strong to undo, and for grey or faint modules, the answer is
 * unknown; and a code that is not green never reads green.
 */
static void test_colour_white_balance(void **state)
{
	/* Gains in percent: neutral, tungsten, shade, fluorescent, magenta, dim. */
	static const unsigned int moderate[][3] = {
		{ 100, 100, 100 }, { 100, 88, 66 }, { 80, 90, 100 }, { 90, 100, 85 },
		{ 100, 85, 100 }, { 60, 60, 60 },
	};
	/* Casts too strong to judge by: the quiet zone is no longer white. */
	static const unsigned int strong[][3] = { { 100, 50, 25 }, { 30, 100, 40 }, { 25, 40, 100 } };
	static const struct {
		const uint8_t *rgb;
		enum snt_colour want;
	} codes[] = {
		{ green, SNT_COLOUR_GREEN }, { green2, SNT_COLOUR_GREEN },
		{ yellow, SNT_COLOUR_YELLOW }, { yellow2, SNT_COLOUR_YELLOW },
		{ red, SNT_COLOUR_RED }, { red2, SNT_COLOUR_RED }, { black, SNT_COLOUR_BLACK },
	};
	/* Grey, faint and low-contrast modules: never a colour. */
	static const uint8_t light_grey[3] = { 0xc8, 0xc8, 0xc8 };
	static const uint8_t faint_green[3] = { 0xd0, 0xf0, 0xd0 };
	static const uint8_t faint_yellow[3] = { 0xf8, 0xf0, 0xc8 };
	static const uint8_t faint_red[3] = { 0xf8, 0xd0, 0xd0 };
	static const uint8_t *const weak[] = { white, light_grey, faint_green, faint_yellow,
					       faint_red };

	(void)state;
	for (size_t g = 0; g < SNT_ARRAY_SIZE(moderate); g++) {
		for (size_t i = 0; i < SNT_ARRAY_SIZE(codes); i++) {
			enum snt_colour got = classify_shifted(codes[i].rgb, moderate[g]);

			if (got != codes[i].want)
				fail_msg("code %zu under gains %u/%u/%u: %s, want %s", i,
					 moderate[g][0], moderate[g][1], moderate[g][2],
					 snt_colour_name(got), snt_colour_name(codes[i].want));
		}
		for (size_t i = 0; i < SNT_ARRAY_SIZE(weak); i++)
			assert_int_equal(classify_shifted(weak[i], moderate[g]), SNT_COLOUR_UNKNOWN);
	}
	for (size_t g = 0; g < SNT_ARRAY_SIZE(strong); g++)
		for (size_t i = 0; i < SNT_ARRAY_SIZE(codes); i++)
			assert_int_equal(classify_shifted(codes[i].rgb, strong[g]), SNT_COLOUR_UNKNOWN);
	/* Never green for yellow or red, whatever the cast. */
	for (unsigned int r = 30; r <= 100; r += 35)
		for (unsigned int gg = 30; gg <= 100; gg += 35)
			for (unsigned int b = 30; b <= 100; b += 35) {
				const unsigned int gain[3] = { r, gg, b };

				for (size_t i = 2; i < 6; i++)
					assert_int_not_equal(classify_shifted(codes[i].rgb, gain),
							     SNT_COLOUR_GREEN);
			}
}

static void test_names(void **state)
{
	enum snt_colour c;

	(void)state;
	assert_string_equal(snt_colour_name(SNT_COLOUR_UNKNOWN), "unknown");
	assert_string_equal(snt_colour_name(SNT_COLOUR_GREEN), "green");
	assert_string_equal(snt_colour_name(SNT_COLOUR_YELLOW), "yellow");
	assert_string_equal(snt_colour_name(SNT_COLOUR_RED), "red");
	assert_string_equal(snt_colour_name(SNT_COLOUR_BLACK), "black");
	assert_string_equal(snt_colour_name((enum snt_colour)77), "unknown");
	for (int i = SNT_COLOUR_UNKNOWN; i <= SNT_COLOUR_BLACK; i++) {
		assert_int_equal(snt_colour_from_name(snt_colour_name((enum snt_colour)i), &c), 0);
		assert_int_equal(c, i);
	}
	assert_int_equal(snt_colour_from_name("purple", &c), -1);
	assert_int_equal(snt_colour_from_name(NULL, &c), -1);
	assert_int_equal(snt_colour_from_name("green", NULL), -1);
	for (int e = SNT_SCAN_OK; e <= SNT_SCAN_ERR_ZBAR; e++)
		assert_true(strlen(snt_scan_strerror((enum snt_scan_err)e)) > 0);
	assert_non_null(snt_scan_strerror((enum snt_scan_err)99));
}

/* ---- shared data: healthcode/manifest.tsv ---- */

struct tally {
	unsigned int total, exact, right, exact_right, wrong_green, inverted, inverted_ok;
};

/* The healthcode/ set. */
static void run_manifest(struct snt_scanner *s, const char *root, const char *prefix, int strict,
			 struct tally *t);

/* Scan every line of @set/manifest.tsv whose file starts with @prefix. */
static void run_set(struct snt_scanner *s, const char *root, const char *set, const char *prefix,
		    int strict, struct tally *t)
{
	char path[4096], line[4096];
	FILE *m;

	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), "%s/%s/manifest.tsv", root, set);
	m = fopen(path, "r");
	assert_non_null(m);
	while (fgets(line, sizeof(line), m)) {
		char *save = NULL;
		char *file = strtok_r(line, "\t", &save);
		char *colour = strtok_r(NULL, "\t", &save);
		char *payload = strtok_r(NULL, "\t", &save);
		char *notes = strtok_r(NULL, "\n", &save);
		enum snt_colour want;
		struct snt_image img;
		struct snt_frame f;
		const struct snt_scan_result *r;
		int exact, inverted;

		if (!notes || strncmp(file, prefix, strlen(prefix)))
			continue;
		assert_int_equal(snt_colour_from_name(colour, &want), 0);
		inverted = strstr(notes, "invert=1") != NULL;
		snprintf(path, sizeof(path), "%s/%s/%s", root, set, file);
		assert_int_equal(snt_image_load(path, &img), SNT_IMAGE_OK);
		f = (struct snt_frame){ SNT_PIXFMT_RGB24, img.width, img.height, img.stride, img.rgb };
		r = scan_ok(s, &f);
		exact = r->n == 1 && r->codes[0].len == strlen(payload) &&
			!memcmp(r->codes[0].bytes, payload, r->codes[0].len);
		/* A code read is the manifest's code: never a wrong payload. */
		if (r->n > 0 && !exact)
			fail_msg("%s/%s: %zu codes, not the manifest's payload", set, file, r->n);
		t->total++;
		t->exact += (unsigned int)exact;
		t->inverted += (unsigned int)inverted;
		t->inverted_ok += (unsigned int)(inverted && exact);
		if (r->n > 0 && r->codes[0].colour == want)
			t->right++;
		if (exact && r->codes[0].colour == want)
			t->exact_right++;
		if (r->n > 0 && r->codes[0].colour == SNT_COLOUR_GREEN && want != SNT_COLOUR_GREEN) {
			t->wrong_green++;
			fail_msg("%s: a %s code reported green", file, colour);
		}
		if (strict) {
			if (!exact)
				fail_msg("%s: payload not decoded exactly (%zu codes)", file, r->n);
			if (r->codes[0].colour != want)
				fail_msg("%s: colour %s, want %s", file,
					 snt_colour_name(r->codes[0].colour), colour);
			assert_string_equal(r->codes[0].text, payload);
		}
		snt_image_release(&img);
	}
	fclose(m);
}

static void run_manifest(struct snt_scanner *s, const char *root, const char *prefix, int strict,
			 struct tally *t)
{
	run_set(s, root, "healthcode", prefix, strict, t);
}

/* Every clean screen: exact payload bytes and the right colour, dark mode included. */
static void test_clean_screens(void **state)
{
	const char *root = testdata_dir("healthcode/clean");
	struct tally t;

	if (!root)
		return;
	run_manifest(*state, root, "clean/", 1, &t);
	assert_int_equal(t.total, 24);
	assert_int_equal(t.exact, t.total);
	assert_int_equal(t.right, t.total);
	assert_true(t.inverted > 0);
	assert_int_equal(t.inverted_ok, t.inverted);
}

/*
 * Camera captures (issue 4 targets): at least 118 of 120 decoded exactly and
 * 118 with the right colour, every dark-mode code decoded, and never a
 * yellow or red code reported green.
 */
static void test_camera_captures(void **state)
{
	const char *root = testdata_dir("healthcode/camera");
	struct tally t;

	if (!root)
		return;
	run_manifest(*state, root, "camera/", 0, &t);
	print_message("camera: %u images, %u exact, %u right colour, %u dark mode of which %u decoded\n",
		      t.total, t.exact, t.right, t.inverted, t.inverted_ok);
	assert_int_equal(t.total, 120);
	assert_int_equal(t.wrong_green, 0);
	assert_true(t.exact >= 118);
	assert_true(t.right >= 118);
	assert_int_equal(t.inverted_ok, t.inverted);
}

/*
 * The harder captures (issue 19): healthcode-hard (tilt up to 35 degrees,
 * blur, glare, JPEG loss; 60) and healthcode-small (codes 50-80 pixels
 * wide, about 2 pixels a module; 45).  Every code read is the manifest's
 * exact payload, none of them a yellow or red code reported green; at least
 * HARD_MIN and SMALL_MIN read exactly with the right colour (52 and 24 on
 * x86-64; one less allows for floating-point contraction elsewhere).  The
 * issue asks for 42 and 23; the counts printed say where the scanner stands.
 */
#define HARD_MIN 51
#define SMALL_MIN 23

static void test_hard_captures(void **state)
{
	const char *root = testdata_dir("healthcode-hard/camera");
	struct tally t;

	if (!root)
		return;
	run_set(*state, root, "healthcode-hard", "camera/", 0, &t);
	print_message("healthcode-hard: %u images, %u exact, %u exact with the right colour\n",
		      t.total, t.exact, t.exact_right);
	assert_int_equal(t.total, 60);
	assert_int_equal(t.wrong_green, 0);
	assert_true(t.exact_right >= HARD_MIN);
}

static void test_small_captures(void **state)
{
	const char *root = testdata_dir("healthcode-small/camera");
	struct tally t;

	if (!root)
		return;
	run_set(*state, root, "healthcode-small", "camera/", 0, &t);
	print_message("healthcode-small: %u images, %u exact, %u exact with the right colour\n",
		      t.total, t.exact, t.exact_right);
	assert_int_equal(t.total, 45);
	assert_int_equal(t.wrong_green, 0);
	assert_true(t.exact_right >= SMALL_MIN);
}

/* ---- shared data: qr-photos ---- */

/* @path's contents, NUL-terminated, or NULL; the caller frees it. */
static char *slurp(const char *path, size_t *len)
{
	uint8_t *buf;

	return snt_read_file(path, 1 << 20, &buf, len) ? NULL : (char *)buf;
}

/* CRLF to LF and trailing whitespace dropped, in place: the data set's comparison rule. */
static size_t normalise_text(char *t, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++)
		if (!(t[i] == '\r' && i + 1 < n && t[i + 1] == '\n'))
			t[o++] = t[i];
	while (o > 0 && strchr(" \t\r\n\f\v", t[o - 1]))
		o--;
	t[o] = '\0';
	return o;
}

/*
 * 1 if a code of @r is what the data set expects for image @path: the bytes
 * of X.bin when it exists, else the text of X.txt (both normalised); -1 when
 * there is no expectation.
 */
static int photo_exact(const char *path, const struct snt_scan_result *r)
{
	static char text[4 * SNT_SCAN_MAX_PAYLOAD + 1];
	char exp[4096];
	size_t len, base = strlen(path) - 4;
	char *want;
	int bin = 1, ok = 0;

	snprintf(exp, sizeof(exp), "%.*s.bin", (int)base, path);
	want = slurp(exp, &len);
	if (!want) {
		bin = 0;
		snprintf(exp, sizeof(exp), "%.*s.txt", (int)base, path);
		want = slurp(exp, &len);
		if (!want)
			return -1;
		len = normalise_text(want, len);
	}
	for (size_t i = 0; i < r->n && !ok; i++) {
		const struct snt_scan_code *c = &r->codes[i];

		if (bin) {
			ok = c->len == len && !memcmp(c->bytes, want, len);
		} else {
			size_t n = strlen(c->text);

			memcpy(text, c->text, n + 1);
			n = normalise_text(text, n);
			ok = n == len && !memcmp(text, want, len);
		}
	}
	free(want);
	return ok;
}

/*
 * Scan every image of qr-photos/@set; count those with an expectation
 * (@with), decoded exactly (@exact), and with any code at all (@any).
 */
static void run_photo_set(struct snt_scanner *s, const char *root, const char *set,
			  unsigned int *with, unsigned int *exact, unsigned int *any)
{
	char dir[4096], path[8192];
	struct dirent **names;
	int n;

	snprintf(dir, sizeof(dir), "%s/qr-photos/%s", root, set);
	n = scandir(dir, &names, NULL, alphasort);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		size_t l = strlen(name);
		struct snt_image img;
		struct snt_frame f;
		const struct snt_scan_result *r;
		int ok;

		if (l > 4 && (!strcmp(name + l - 4, ".png") || !strcmp(name + l - 4, ".jpg"))) {
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			assert_int_equal(snt_image_load(path, &img), SNT_IMAGE_OK);
			f = (struct snt_frame){ SNT_PIXFMT_RGB24, img.width, img.height, img.stride,
						img.rgb };
			r = scan_ok(s, &f);
			*any += r->n > 0;
			ok = photo_exact(path, r);
			if (ok >= 0) {
				(*with)++;
				*exact += (unsigned int)ok;
			}
			snt_image_release(&img);
		}
		free(names[i]);
	}
	free(names);
}

/*
 * Real photographs (issue 4 target): more than zxing-cpp's 79 of the 106
 * with an expected text decoded exactly, and nothing at all decoded from the
 * pictures without a code.
 */
static void test_photos(void **state)
{
	static const char *const sets[] = { "qrcode-1", "qrcode-2", "qrcode-3", "qrcode-4" };
	const char *root = testdata_dir("qr-photos/qrcode-1");
	unsigned int with = 0, exact = 0, any = 0, fp_with = 0, fp_exact = 0, fp_any = 0;

	if (!root)
		return;
	for (size_t i = 0; i < SNT_ARRAY_SIZE(sets); i++)
		run_photo_set(*state, root, sets[i], &with, &exact, &any);
	run_photo_set(*state, root, "falsepositives-1", &fp_with, &fp_exact, &fp_any);
	print_message("qr-photos: %u with a text, %u exact, %u with a code; "
		      "falsepositives-1: %u decoded\n", with, exact, any, fp_any);
	assert_int_equal(with, 106);
	assert_true(exact > 79);
	assert_int_equal(fp_any, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_inval),
		cmocka_unit_test_setup_teardown(test_scan_inval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fixture_payloads, setup, teardown),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_gb18030),
		cmocka_unit_test(test_text_sjis),
		cmocka_unit_test_setup_teardown(test_planes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plane_norm_and_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plane_up_sharpen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_yuyv_conversion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shrink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edge_cut, setup, teardown),
		cmocka_unit_test(test_edge_finders),
		cmocka_unit_test_setup_teardown(test_bad_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_payload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_colours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dark_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dark_mode_drawn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_code, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grid_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_confirm_finders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_spot, setup, teardown),
		cmocka_unit_test(test_grid_deconvolve),
		cmocka_unit_test_setup_teardown(test_small_blurred, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_equalised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pixel_formats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_code, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_code_fast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tracking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reuse, setup, teardown),
		cmocka_unit_test(test_colour_classifier),
		cmocka_unit_test(test_colour_white_balance),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_clean_screens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_camera_captures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hard_captures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_captures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_photos, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
