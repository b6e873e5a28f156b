// SPDX-License-Identifier: MIT
/*
 * Unit tests of the badge and pass cards (firmware/card/): a PNG card is
 * 1011 x 638 pixels and the scanner reads the credential's text back from
 * it, whole; a PDF card is one PDF document; what does not fit a QR code,
 * bad arguments and the format chosen by a file name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "card/card.h"
#include "image/image.h"
#include "scan/scan.h"

/* A QR text of the length and alphabet of a real pass ("SNB1:" + base45). */
static char *pass_text(size_t n)
{
	static const char b45[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
	char *t = malloc(n + 1);

	assert_non_null(t);
	memcpy(t, "SNB1:", 5);
	for (size_t i = 5; i < n; i++)
		t[i] = b45[(i * 7 + i / 3) % (sizeof(b45) - 1)];
	t[n] = '\0';
	return t;
}

static void make_pass(struct snt_credential *c)
{
	memset(c, 0, sizeof(*c));
	c->kind = SNT_CREDENTIAL_PASS;
	snprintf(c->home, sizeof(c->home), "%s", "阳光养老院");
	snprintf(c->id, sizeof(c->id), "%s", "P-7");
	snprintf(c->visitor, sizeof(c->visitor), "%s", "张*");
	c->from_ms = 1796000400000;	/* 2026-11-30 09:00 +08:00 */
	c->until_ms = 1796029200000;
	c->uses = 2;
	c->issued_ms = 1795996800000;
	c->n_gates = 1;
	snprintf(c->gates[0], sizeof(c->gates[0]), "%s", "gate-1");
}

/* The codes the scanner reads in a PNG of @len bytes. */
static const struct snt_scan_result *scan_png(struct snt_scanner *s, const uint8_t *png, size_t len,
					      struct snt_image *img)
{
	const struct snt_scan_result *r = NULL;
	struct snt_frame fr;

	assert_int_equal(snt_image_load_mem(png, len, img), SNT_IMAGE_OK);
	assert_int_equal(img->width, SNT_CARD_PNG_WIDTH);
	assert_int_equal(img->height, SNT_CARD_PNG_HEIGHT);
	fr.fmt = SNT_PIXFMT_RGB24;
	fr.width = img->width;
	fr.height = img->height;
	fr.stride = img->stride;
	fr.data = img->rgb;
	assert_int_equal(snt_scanner_scan(s, &fr, &r), SNT_SCAN_OK);
	return r;
}

static void check_png_reads_back(const struct snt_credential *c, size_t text_len)
{
	const struct snt_scan_result *r;
	struct snt_scanner *s = NULL;
	struct snt_image img;
	char *text = pass_text(text_len);
	uint8_t *png = NULL;
	size_t len = 0;

	assert_int_equal(snt_card_render(c, text, SNT_CARD_PNG, &png, &len), SNT_CARD_OK);
	assert_non_null(png);
	assert_true(len > 8);
	assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
	assert_int_equal(snt_scanner_new(&s), SNT_SCAN_OK);
	r = scan_png(s, png, len, &img);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->codes[0].len, strlen(text));
	assert_memory_equal(r->codes[0].bytes, text, strlen(text));
	assert_int_equal(r->codes[0].colour, SNT_COLOUR_BLACK);
	snt_image_release(&img);
	snt_scanner_free(s);
	free(png);
	free(text);
}

static void test_pass_png_reads_back(void **state)
{
	struct snt_credential c;

	(void)state;
	make_pass(&c);
	check_png_reads_back(&c, 260);
}

static void test_badge_png_reads_back(void **state)
{
	struct snt_credential c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.kind = SNT_CREDENTIAL_BADGE;
	snprintf(c.home, sizeof(c.home), "%s", "Sunshine Care Home with a rather long name that wraps");
	snprintf(c.ref, sizeof(c.ref), "%s", "S010");
	c.issued_ms = 1795996800000;
	check_png_reads_back(&c, 200);
}

/* A pass naming 8 gates (about the longest QR text issued) still reads back. */
static void test_longest_text_reads_back(void **state)
{
	struct snt_credential c;

	(void)state;
	make_pass(&c);
	c.n_gates = SNT_CREDENTIAL_MAX_GATES;
	for (size_t i = 0; i < c.n_gates; i++)
		snprintf(c.gates[i], sizeof(c.gates[i]), "gate-%zu", i);
	check_png_reads_back(&c, 700);
}

static void test_pdf(void **state)
{
	struct snt_credential c;
	char *text = pass_text(260);
	uint8_t *pdf = NULL;
	size_t len = 0;

	(void)state;
	make_pass(&c);
	assert_int_equal(snt_card_render(&c, text, SNT_CARD_PDF, &pdf, &len), SNT_CARD_OK);
	assert_non_null(pdf);
	assert_true(len > 100);
	assert_memory_equal(pdf, "%PDF-", 5);
	assert_memory_equal(pdf + len - 6, "%%EOF\n", 6);
	free(pdf);
	free(text);
}

static void test_too_long(void **state)
{
	struct snt_credential c;
	char *text = pass_text(4000);	/* more than version 40 holds at level M (2331 bytes) */
	uint8_t *out = (uint8_t *)"x";
	size_t len = 1;

	(void)state;
	make_pass(&c);
	assert_int_equal(snt_card_render(&c, text, SNT_CARD_PNG, &out, &len), SNT_CARD_ERR_TOO_LONG);
	assert_null(out);
	assert_int_equal(len, 0);
	free(text);
}

static void test_bad_arguments(void **state)
{
	struct snt_credential c;
	uint8_t *out = NULL;
	size_t len = 0;

	(void)state;
	make_pass(&c);
	assert_int_equal(snt_card_render(NULL, "SNB1:X", SNT_CARD_PNG, &out, &len), SNT_CARD_ERR_INVAL);
	assert_int_equal(snt_card_render(&c, NULL, SNT_CARD_PNG, &out, &len), SNT_CARD_ERR_INVAL);
	assert_int_equal(snt_card_render(&c, "", SNT_CARD_PNG, &out, &len), SNT_CARD_ERR_INVAL);
	assert_int_equal(snt_card_render(&c, "SNB1:X", (enum snt_card_format)7, &out, &len), SNT_CARD_ERR_INVAL);
	assert_int_equal(snt_card_render(&c, "SNB1:X", SNT_CARD_PNG, NULL, &len), SNT_CARD_ERR_INVAL);
	assert_int_equal(snt_card_render(&c, "SNB1:X", SNT_CARD_PNG, &out, NULL), SNT_CARD_ERR_INVAL);
	assert_null(out);
	assert_string_equal(snt_card_strerror(SNT_CARD_ERR_TOO_LONG), "text too long for a QR code");
	assert_string_equal(snt_card_strerror((enum snt_card_err)99), "unknown error");
}

static void test_format_for(void **state)
{
	(void)state;
	assert_int_equal(snt_card_format_for("pass.pdf"), SNT_CARD_PDF);
	assert_int_equal(snt_card_format_for("/tmp/P.PDF"), SNT_CARD_PDF);
	assert_int_equal(snt_card_format_for("pass.png"), SNT_CARD_PNG);
	assert_int_equal(snt_card_format_for("pdf"), SNT_CARD_PNG);
	assert_int_equal(snt_card_format_for("-"), SNT_CARD_PNG);
	assert_int_equal(snt_card_format_for(NULL), SNT_CARD_PNG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass_png_reads_back),
		cmocka_unit_test(test_badge_png_reads_back),
		cmocka_unit_test(test_longest_text_reads_back),
		cmocka_unit_test(test_pdf),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_format_for),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
