// SPDX-License-Identifier: MIT
/*
 * Visitor screen figures (issue 15 targets), printed, not asserted:
 *   bench_screen draw N            result screen (admit) at 1280x720: median
 *                                  and 90th percentile ms over N draws
 *   bench_screen one K             K result screens in draw_screens(), after a
 *                                  warm-up (for callgrind
 *                                  --toggle-collect=draw_screens)
 *   bench_screen preview DIR SECS  camera frames of DIR/healthcode/camera
 *                                  (640x480 JPEG) replayed for SECS seconds:
 *                                  each scanned (scan/scan.h) and drawn into
 *                                  the preview's camera area of a 1280x720
 *                                  screen and copied out as to a scan-out
 *                                  buffer; frames per second, scan and draw
 *                                  shares of the time
 *   bench_screen rss N             RSS after 1,000 and after N screen changes
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "image/image.h"
#include "scan/scan.h"
#include "screen/screen.h"
#include "bench_util.h"

#define W 1280
#define H 720

static void result_screen(struct snt_screen *s, enum snt_screen_state st)
{
	memset(s, 0, sizeof(*s));
	s->state = st;
	s->text = "绿码 体温正常 请通行\nGreen code, temperature normal: please enter";
	s->home = "城关区福寿养老院";
	s->duty_phone = "0931-8888-0001";
	s->clock_text = "08:15";
	s->has_temp = true;
	s->temp_mdc = 36500;
	s->unsynced = -1;
	s->progress = -1;
}

static struct snt_screen_renderer *renderer(void)
{
	struct snt_screen_renderer *r;

	if (snt_screen_renderer_new(W, H, SNT_SCREEN_ZH_FIRST, &r) != SNT_SCREEN_OK) {
		fprintf(stderr, "bench_screen: no renderer\n");
		exit(1);
	}
	return r;
}

/* Draw @k result screens (the function callgrind counts). */
__attribute__((noinline)) static void draw_screens(struct snt_screen_renderer *r, int k)
{
	struct snt_screen s;

	for (int i = 0; i < k; i++) {
		result_screen(&s, i & 1 ? SNT_SCREEN_DENY : SNT_SCREEN_ADMIT);
		if (snt_screen_render_own(r, &s, NULL) != SNT_SCREEN_OK)
			exit(1);
	}
}

/* Fonts loaded and glyphs cached before counting, as on a gate that has been running. */
__attribute__((noinline)) static void warm_up(struct snt_screen_renderer *r)
{
	struct snt_screen s;

	for (int i = 0; i < 4; i++) {
		result_screen(&s, i & 1 ? SNT_SCREEN_DENY : SNT_SCREEN_ADMIT);
		if (snt_screen_render_own(r, &s, NULL) != SNT_SCREEN_OK)
			exit(1);
	}
}

static int draw(int n)
{
	struct snt_screen_renderer *r = renderer();
	double *t = calloc((size_t)n, sizeof(*t));
	struct snt_screen s;

	result_screen(&s, SNT_SCREEN_ADMIT);
	warm_up(r);
	for (int i = 0; i < n; i++) {
		double t0 = now_ms();

		if (snt_screen_render_own(r, &s, NULL) != SNT_SCREEN_OK)
			return 1;
		t[i] = now_ms() - t0;
	}
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	printf("draw result screen %dx%d: median %.2f ms, p90 %.2f ms over %d draws (target <= 15 ms)\n", W, H,
	       t[n / 2], t[n * 9 / 10], n);
	free(t);
	snt_screen_renderer_free(r);
	return 0;
}

static int one(int k)
{
	struct snt_screen_renderer *r = renderer();

	warm_up(r);
	draw_screens(r, k);
	snt_screen_renderer_free(r);
	return 0;
}

static long rss_kb(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static int rss(int n)
{
	static const enum snt_screen_state cycle[] = { SNT_SCREEN_IDLE, SNT_SCREEN_PREVIEW,
						       SNT_SCREEN_MEASURING, SNT_SCREEN_ADMIT,
						       SNT_SCREEN_DENY, SNT_SCREEN_REFER, SNT_SCREEN_FEVER };
	struct snt_screen_renderer *r = renderer();
	struct snt_screen s;
	long at1000 = 0;

	for (int i = 1; i <= n; i++) {
		result_screen(&s, cycle[i % 7]);
		if (snt_screen_render_own(r, &s, NULL) != SNT_SCREEN_OK)
			return 1;
		if (i == 1000)
			at1000 = rss_kb();
	}
	printf("rss after 1000 screen changes: %ld kB; after %d: %ld kB\n", at1000, n, rss_kb());
	snt_screen_renderer_free(r);
	return 0;
}

static int preview(const char *data, double secs)
{
	char dir[4096];
	struct snt_image img[64];
	int n = 0;
	struct dirent *de;
	DIR *d;
	struct snt_scanner *sc;
	struct snt_screen_renderer *r = renderer();
	struct snt_screen s;
	uint32_t *scanout = malloc((size_t)W * H * 4);
	double scan_ms = 0, draw_ms = 0, t_end, t_start;
	long frames = 0, read = 0;

	snprintf(dir, sizeof(dir), "%s/healthcode/camera", data);
	d = opendir(dir);
	if (!d || !scanout) {
		fprintf(stderr, "bench_screen: %s: cannot read\n", dir);
		return 1;
	}
	while ((de = readdir(d)) && n < 64) {
		char path[8192];

		if (!strstr(de->d_name, ".jpg"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (snt_image_load(path, &img[n]) == SNT_IMAGE_OK && img[n].width == 640 && img[n].height == 480)
			n++;
	}
	closedir(d);
	if (n == 0 || snt_scanner_new(&sc) != SNT_SCAN_OK) {
		fprintf(stderr, "bench_screen: no 640x480 frames in %s\n", dir);
		return 1;
	}
	memset(&s, 0, sizeof(s));
	s.state = SNT_SCREEN_PREVIEW;
	s.text = "请出示健康码\nPlease show your health code";
	s.unsynced = -1;
	s.progress = -1;
	if (snt_screen_render_own(r, &s, NULL) != SNT_SCREEN_OK)
		return 1;
	t_start = now_ms();
	t_end = t_start + secs * 1000;
	while (now_ms() < t_end) {
		const struct snt_image *im = &img[frames % n];
		struct snt_frame f = { .fmt = SNT_PIXFMT_RGB24, .width = im->width, .height = im->height,
				       .stride = im->stride, .data = im->rgb };
		const struct snt_scan_result *res;
		size_t stride;
		uint32_t *px = snt_screen_pixels(r, &stride);
		double t0 = now_ms(), t1;

		if (snt_scanner_scan(sc, &f, &res) != SNT_SCAN_OK)
			return 1;
		read += res->n > 0;
		t1 = now_ms();
		scan_ms += t1 - t0;
		if (snt_screen_render_preview(r, &f, false, px, stride) != SNT_SCREEN_OK)
			return 1;
		memcpy(scanout, px, (size_t)W * H * 4);
		draw_ms += now_ms() - t1;
		frames++;
	}
	{
		double total = now_ms() - t_start;

		printf("preview 640x480 -> %dx%d with the scanner: %.1f frames/s (target >= 15) over %ld frames "
		       "(%ld with a code); scan %.1f ms/frame (%.0f%%), draw+copy %.1f ms/frame (%.0f%%)\n",
		       W, H, frames * 1000.0 / total, frames, read, scan_ms / frames, 100 * scan_ms / total,
		       draw_ms / frames, 100 * draw_ms / total);
	}
	for (int i = 0; i < n; i++)
		snt_image_release(&img[i]);
	snt_scanner_free(sc);
	snt_screen_renderer_free(r);
	free(scanout);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "draw"))
		return draw(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "one"))
		return one(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "rss"))
		return rss(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "preview"))
		return preview(argv[2], atof(argv[3]));
	fprintf(stderr, "usage: bench_screen draw N | one K | rss N | preview DATA SECONDS\n");
	return 2;
}
