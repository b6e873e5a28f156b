// SPDX-License-Identifier: MIT
/*
 * Unit tests of the visitor screen renderer (firmware/screen/): every state
 * in both language orders, the panel's dominant colour by pixel counts, the
 * main line's height, the texts drawn (no name, no token), the preview's
 * mirrored camera area, bad arguments.  The PNGs stay as test artifacts in
 * $SNT_SCREEN_ARTIFACTS (default: screen-artifacts beside the tests
 * directory of this binary); tests/scenario/test-screen-ocr.sh reads them
 * back with Tesseract.
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

#include <cmocka.h>

#include "screen/screen.h"

#define W 1280
#define H 720

static char artifacts[PATH_MAX];

/* The dominant colour family of a screen: the family most pixels belong to. */
enum family { F_OTHER, F_GREEN, F_RED, F_AMBER, F_ORANGE, F_GREY, F_BLUE, F_TEAL, F_DARK, F_COUNT };

static const char *const family_names[F_COUNT] = { "other", "green", "red", "amber", "orange",
						   "grey", "blue", "teal", "dark" };

static enum family classify(uint32_t px)
{
	int r = (int)(px >> 16 & 0xff), g = (int)(px >> 8 & 0xff), b = (int)(px & 0xff);

	if (r < 40 && g < 40 && b < 40)
		return F_DARK;
	if (g > 110 && r < 80 && b < 100)
		return F_GREEN;
	if (r > 170 && g < 70 && b < 70)
		return F_RED;
	if (r > 220 && g > 150 && g < 200 && b < 40)
		return F_AMBER;
	if (r > 200 && g > 90 && g < 140 && b < 40)
		return F_ORANGE;
	if (abs(r - g) < 12 && abs(g - b) < 12 && r > 70 && r < 130)
		return F_GREY;
	if (b > 70 && r < 40 && g < 70)
		return F_BLUE;
	if (g > 70 && b > 90 && r < 30)
		return F_TEAL;
	return F_OTHER;
}

/* Counts per family; returns the dominant one and its share in percent. */
static enum family dominant(const uint32_t *px, size_t stride, int *share)
{
	size_t count[F_COUNT] = { 0 };
	enum family best = F_OTHER;

	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			count[classify(px[(size_t)y * (stride / 4) + (size_t)x])]++;
	for (int f = 0; f < F_COUNT; f++)
		if (count[f] > count[best])
			best = (enum family)f;
	*share = (int)(count[best] * 100 / ((size_t)W * H));
	return best;
}

struct want {
	enum snt_screen_state state;
	enum family colour;
};

static const struct want wants[] = {
	{ SNT_SCREEN_IDLE, F_BLUE },	    { SNT_SCREEN_PREVIEW, F_DARK },
	{ SNT_SCREEN_MEASURING, F_TEAL },   { SNT_SCREEN_REMEASURE, F_TEAL },
	{ SNT_SCREEN_ADMIT, F_GREEN },	    { SNT_SCREEN_DENY, F_RED },
	{ SNT_SCREEN_REFER, F_AMBER },	    { SNT_SCREEN_FEVER, F_RED },
	{ SNT_SCREEN_FAULT, F_GREY },	    { SNT_SCREEN_FIRE, F_ORANGE },
	{ SNT_SCREEN_STALE, F_AMBER },	    { SNT_SCREEN_EXIT, F_GREEN },
	{ SNT_SCREEN_NOT_ENROLLED, F_GREY },  { SNT_SCREEN_IDCARD, F_TEAL },
	{ SNT_SCREEN_AGE, F_AMBER },
};

/* A message as checkin.c gives it for each state (Chinese line, English line). */
static const char *message(enum snt_screen_state st)
{
	switch (st) {
	case SNT_SCREEN_DENY:
		return "红码 禁止入内 值班电话 0931-1\nRed code: entry refused. Duty phone 0931-1";
	case SNT_SCREEN_FEVER:
		return "体温异常 请在此等候 已通知值班人员\nTemperature too high: please wait here, staff are called.";
	case SNT_SCREEN_REFER:
		return "未识别到健康码 请等待工作人员\nNo health code read: please wait for staff.";
	case SNT_SCREEN_ADMIT:
		return "绿码 体温正常 请通行\nGreen code, temperature normal: please enter";
	default:
		return NULL;
	}
}

static void fill(struct snt_screen *s, enum snt_screen_state st, uint8_t *cam)
{
	static struct snt_frame frame;

	memset(s, 0, sizeof(*s));
	s->state = st;
	s->text = message(st);
	s->home = "城关区福寿养老院";
	s->duty_phone = "0931-8888-0001";
	s->clock_text = "08:15";
	s->unsynced = -1;
	s->progress = 40;
	if (st == SNT_SCREEN_ADMIT || st == SNT_SCREEN_FEVER) {
		s->has_temp = true;
		s->temp_mdc = st == SNT_SCREEN_ADMIT ? 36500 : 38600;
	}
	if (st == SNT_SCREEN_IDLE) {
		s->clock_untrusted = true;
		s->unsynced = 12;
	}
	if (st == SNT_SCREEN_PREVIEW) {
		frame.fmt = SNT_PIXFMT_RGB24;
		frame.width = 64;
		frame.height = 48;
		frame.stride = 64 * 3;
		frame.data = cam;
		s->frame = &frame;
	}
}

static void test_states(void **state)
{
	(void)state;
	static uint8_t cam[64 * 48 * 3];

	for (int order = 0; order < 2; order++) {
		struct snt_screen_renderer *r;

		assert_int_equal(snt_screen_renderer_new(W, H, (enum snt_screen_order)order, &r), SNT_SCREEN_OK);
		for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
			struct snt_screen s;
			size_t stride;
			uint32_t *px;
			int main_px = 0, share;
			enum family f;
			char path[PATH_MAX + 64];

			fill(&s, wants[i].state, cam);
			assert_int_equal(snt_screen_render_own(r, &s, &main_px), SNT_SCREEN_OK);
			px = snt_screen_pixels(r, &stride);
			f = dominant(px, stride, &share);
			if (f != wants[i].colour)
				fail_msg("%s: dominant colour %s (%d%%), want %s",
					 snt_screen_state_name(wants[i].state), family_names[f], share,
					 family_names[wants[i].colour]);
			assert_true(share >= 45);
			/* Readable at 1.5 m: the main line at least 1/12 of the height. */
			if (main_px < H / 12)
				fail_msg("%s: main line %d px < %d", snt_screen_state_name(wants[i].state), main_px,
					 H / 12);
			snprintf(path, sizeof(path), "%s/%s-%s.png", artifacts, order ? "en" : "zh",
				 snt_screen_state_name(wants[i].state));
			assert_int_equal(snt_screen_write_png(r, path), SNT_SCREEN_OK);
		}
		snt_screen_renderer_free(r);
	}
}

/* The texts drawn: the titles in order, the message, the phone; never more. */
static void test_texts(void **state)
{
	struct snt_screen_renderer *r;
	struct snt_screen s;
	char buf[2048];

	(void)state;
	assert_int_equal(snt_screen_renderer_new(320, 240, SNT_SCREEN_ZH_FIRST, &r), SNT_SCREEN_OK);
	fill(&s, SNT_SCREEN_DENY, NULL);
	assert_true(snt_screen_texts(r, &s, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "城关区福寿养老院\n08:15\n禁止入内\nEntry refused\n"
				 "红码 禁止入内 值班电话 0931-1\nRed code: entry refused. Duty phone 0931-1\n"
				 "值班电话 Duty phone 0931-8888-0001\n");
	/* A message line equal to a title is not repeated; temperature with one decimal. */
	fill(&s, SNT_SCREEN_ADMIT, NULL);
	s.text = "请通行\nPlease enter";
	assert_true(snt_screen_texts(r, &s, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "城关区福寿养老院\n08:15\n请通行\nPlease enter\n36.5 °C\n");
	/* Too small a buffer: truncated, the length needed returned. */
	assert_int_equal(snt_screen_texts(r, &s, buf, 8), (int)strlen("城关区福寿养老院\n08:15\n请通行\nPlease enter\n36.5 °C\n"));
	assert_true(strlen(buf) < 8);

	/* Invalid UTF-8 (a config's home name) and a line cut in a character: valid text only. */
	fill(&s, SNT_SCREEN_IDLE, NULL);
	{
		char longline[600];

		memset(longline, 'a', 254);
		memcpy(longline + 254, "测测", 7);	/* a 3-byte character across byte 255 */
		s.text = longline;
		s.home = "Home \xff\xfe";
		assert_true(snt_screen_texts(r, &s, buf, sizeof(buf)) > 0);
		assert_non_null(strstr(buf, "Home \xef\xbf\xbd\xef\xbf\xbd\n"));
		assert_non_null(strstr(buf, "aaaa\n"));
		assert_null(strstr(buf, "a\xe6"));
		assert_int_equal(snt_screen_render_own(r, &s, NULL), SNT_SCREEN_OK);
	}
	snt_screen_renderer_free(r);

	assert_int_equal(snt_screen_renderer_new(320, 240, SNT_SCREEN_EN_FIRST, &r), SNT_SCREEN_OK);
	fill(&s, SNT_SCREEN_IDLE, NULL);
	s.home = NULL;
	s.clock_text = NULL;
	s.offline = true;
	s.rules_stale = true;
	assert_true(snt_screen_texts(r, &s, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "Show your health code\n请出示健康码\nDuty phone 值班电话 0931-8888-0001\n"
				 "Clock not trusted 时钟未校准\nRules stale 规则过期\nOffline 离线\n"
				 "Unsynced 12 未同步\n");
	snt_screen_renderer_free(r);
}

/* The preview: the camera frame mirrored left-right in the camera area. */
static void test_preview_mirrored(void **state)
{
	struct snt_screen_renderer *r;
	struct snt_screen s;
	static uint8_t cam[64 * 48 * 3];
	size_t stride;
	uint32_t *px;
	int left_red = 0, right_red = 0;

	(void)state;
	/* Left half of the camera frame red, right half blue. */
	for (int y = 0; y < 48; y++)
		for (int x = 0; x < 64; x++) {
			uint8_t *p = cam + (y * 64 + x) * 3;

			p[0] = x < 32 ? 220 : 0;
			p[1] = 0;
			p[2] = x < 32 ? 0 : 220;
		}
	assert_int_equal(snt_screen_renderer_new(W, H, SNT_SCREEN_ZH_FIRST, &r), SNT_SCREEN_OK);
	fill(&s, SNT_SCREEN_PREVIEW, cam);
	assert_int_equal(snt_screen_render_own(r, &s, NULL), SNT_SCREEN_OK);
	px = snt_screen_pixels(r, &stride);
	/* Sample a row through the middle of the camera area (left part of the screen). */
	for (int x = 40; x < 700; x++) {
		uint32_t p = px[(size_t)(H / 2 + 200) * (stride / 4) + (size_t)x];

		if ((p >> 16 & 0xff) > 200 && (p & 0xff) < 30)
			*(x < 370 ? &left_red : &right_red) += 1;
	}
	/* Mirrored: the frame's left (red) shows on the right. */
	assert_true(right_red > 100);
	assert_int_equal(left_red, 0);
	/* The fast path redraws the camera area with a new frame. */
	memset(cam, 0, sizeof(cam));
	assert_int_equal(snt_screen_render_preview(r, s.frame, true, px, stride), SNT_SCREEN_OK);
	assert_int_equal(px[(size_t)(H / 2 + 200) * (stride / 4) + 500] & 0xffffff, 0);
	snt_screen_renderer_free(r);
}

static void test_errors(void **state)
{
	struct snt_screen_renderer *r;
	struct snt_screen s;
	enum snt_screen_state st;
	enum snt_screen_order o;
	uint32_t px[64 * 64];
	char buf[16];

	(void)state;
	assert_int_equal(snt_screen_renderer_new(10, 720, SNT_SCREEN_ZH_FIRST, &r), SNT_SCREEN_ERR_INVAL);
	assert_null(r);
	assert_int_equal(snt_screen_renderer_new(1280, 5000, SNT_SCREEN_ZH_FIRST, &r), SNT_SCREEN_ERR_INVAL);
	assert_int_equal(snt_screen_renderer_new(1280, 720, (enum snt_screen_order)7, &r), SNT_SCREEN_ERR_INVAL);
	assert_int_equal(snt_screen_renderer_new(64, 64, SNT_SCREEN_ZH_FIRST, NULL), SNT_SCREEN_ERR_INVAL);
	assert_int_equal(snt_screen_renderer_new(64, 64, SNT_SCREEN_ZH_FIRST, &r), SNT_SCREEN_OK);
	fill(&s, SNT_SCREEN_ADMIT, NULL);
	assert_int_equal(snt_screen_render(r, &s, px, 64 * 4 - 4, NULL), SNT_SCREEN_ERR_INVAL);
	assert_int_equal(snt_screen_render(r, &s, px, 64 * 4 + 2, NULL), SNT_SCREEN_ERR_INVAL);
	assert_int_equal(snt_screen_render(r, NULL, px, 64 * 4, NULL), SNT_SCREEN_ERR_INVAL);
	s.state = SNT_SCREEN_STATE_COUNT;
	assert_int_equal(snt_screen_render(r, &s, px, 64 * 4, NULL), SNT_SCREEN_ERR_INVAL);
	assert_int_equal(snt_screen_texts(r, &s, buf, sizeof(buf)), -1);
	/* No preview drawn yet: no camera area to redraw. */
	assert_int_equal(snt_screen_render_preview(r, NULL, false, px, 64 * 4), SNT_SCREEN_ERR_INVAL);
	assert_int_equal(snt_screen_write_png(r, "/nonexistent-dir/x.png"), SNT_SCREEN_ERR_IO);
	snt_screen_renderer_free(r);
	snt_screen_renderer_free(NULL);

	assert_int_equal(snt_screen_state_from_name("not-enrolled", &st), 0);
	assert_int_equal(st, SNT_SCREEN_NOT_ENROLLED);
	assert_int_equal(snt_screen_state_from_name("Admit", &st), -1);
	assert_string_equal(snt_screen_state_name(SNT_SCREEN_STATE_COUNT), "?");
	assert_int_equal(snt_screen_order_from_name("en,zh", &o), 0);
	assert_int_equal(o, SNT_SCREEN_EN_FIRST);
	assert_int_equal(snt_screen_order_from_name("zh", &o), -1);
	assert_string_equal(snt_screen_strerror(SNT_SCREEN_ERR_IO), "the image could not be written");
	assert_string_equal(snt_screen_strerror((enum snt_screen_err)99), "unknown error");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_texts),
		cmocka_unit_test(test_preview_mirrored),
		cmocka_unit_test(test_errors),
	};
	const char *dir = getenv("SNT_SCREEN_ARTIFACTS");

	(void)argc;
	if (dir && dir[0]) {
		snprintf(artifacts, sizeof(artifacts), "%s", dir);
	} else {
		const char *slash = strrchr(argv[0], '/');
		int n = slash ? (int)(slash - argv[0]) : 1;

		snprintf(artifacts, sizeof(artifacts), "%.*s/../screen-artifacts", n, slash ? argv[0] : ".");
	}
	if (mkdir(artifacts, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "test_screen: %s: %s\n", artifacts, strerror(errno));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
