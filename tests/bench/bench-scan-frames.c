// SPDX-License-Identifier: MIT
/*
 * bench-scan-frames: the scanner's figures on the shared test data
 * (interfaces.md, "Test data"; issue 4 targets).  Built and run by
 * tests/bench/bench-scan.sh; prints figures, never fails on them.
 *
 *   bench-scan-frames sets DATA          decode / colour / false-positive counts
 *   bench-scan-frames cost DATA [REPS]   scanner vs one plain zbar pass, same frames
 *   bench-scan-frames rss DATA [FRAMES]  resident memory over FRAMES scans
 *   bench-scan-frames one FILE scan|zbar one frame, for valgrind --tool=callgrind
 *
 * DATA is the test data root ($SENTINEL_TESTDATA).  With BENCH_VERBOSE=1
 * every miss is named on stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/videodev2.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zbar.h>

#include "common/common.h"
#include "config/config.h"
#include "image/image.h"
#include "scan/scan.h"
#include "scan/scan_internal.h"
#include "linux/v4l2.h"
#include "tests/yuyv.h"
#ifdef BENCH_ZXING
#include "bench_zxing.h"
#endif
#include "bench_util.h"

#define MAX_FILES 512
#define MAX_TEXT (4 * SNT_SCAN_MAX_PAYLOAD + 1)
#define MAX_EXPECTED_FILE (1 << 20)	/* a photo's expected payload file, in bytes */

static int verbose;
/* Frames decoded by each plane of the scanner's list (BENCH_VERBOSE=1). */
static unsigned int plane_hits[SCAN__MAX_PLANES];

/* The @q quantile (0..1) of @n values, sorted in place. */
static double quantile(double *v, size_t n, double q)
{
	size_t i;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

static struct snt_frame frame_of(const struct snt_image *img)
{
	struct snt_frame f = { SNT_PIXFMT_RGB24, img->width, img->height, img->stride, img->rgb };

	return f;
}

static const struct snt_scan_result *scan_one(struct snt_scanner *s, const struct snt_image *img,
					      double *ms)
{
	struct snt_frame f = frame_of(img);
	const struct snt_scan_result *r = NULL;
	double t0 = now_ms();

	if (snt_scanner_scan(s, &f, &r) != SNT_SCAN_OK)
		r = NULL;
	*ms = now_ms() - t0;
	if (r && s->last_plane >= 0)
		plane_hits[s->last_plane]++;
	return r;
}

/* @path's contents, NUL-terminated, or NULL; the caller frees it. */
static char *read_file(const char *path, size_t *len)
{
	uint8_t *buf;

	return snt_read_file(path, MAX_EXPECTED_FILE, &buf, len) ? NULL : (char *)buf;
}

/* CRLF to LF and trailing whitespace dropped, in place; returns the new length. */
static size_t normalise_text(char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		s[o++] = s[i];
	}
	while (o > 0 && (s[o - 1] == ' ' || s[o - 1] == '\t' || s[o - 1] == '\n' ||
			 s[o - 1] == '\r' || s[o - 1] == '\f' || s[o - 1] == '\v'))
		o--;
	s[o] = '\0';
	return o;
}

struct set_stats {
	unsigned int n, exact, right, wrong_green, decoded;
	double ms[MAX_FILES];
};

static void print_times(struct set_stats *st)
{
	printf(" ms_median=%.1f ms_p90=%.1f ms_max=%.1f\n", quantile(st->ms, st->n, 0.5),
	       quantile(st->ms, st->n, 0.9), quantile(st->ms, st->n, 1.0));
}

#ifdef BENCH_ZXING
static struct bench_zxing_code zx_codes[SNT_SCAN_MAX_CODES];

/* zxing-cpp on @img: how many codes (zx_codes[] holds them), -1 on an exception; @ms its time. */
static int zx_read(const struct snt_image *img, double *ms)
{
	double t0 = now_ms();
	int n = bench_zxing_read(img->rgb, img->width, img->height, img->stride, 1, zx_codes,
				 SNT_SCAN_MAX_CODES);

	*ms = now_ms() - t0;
	return n;
}
#endif

/*
 * @img as a V4L2 YUYV frame (BT.601 limited range, chroma of each pixel pair
 * averaged), the camera's own format, into @buf (2 * width * height bytes).
 */
static struct snt_frame to_yuyv(const struct snt_image *img, uint8_t *buf)
{
	unsigned int w = img->width & ~1u;
	struct snt_frame f = { SNT_PIXFMT_YUYV, w, img->height, (size_t)w * 2, buf };

	rgb_to_yuyv(img->rgb, img->stride, w, img->height, buf);
	return f;
}

/*
 * @root/manifest.tsv (root: healthcode, healthcode-small, healthcode-hard)
 * lines starting with @set "/"; @yuyv: each frame converted to YUYV first,
 * as the gate's camera delivers it.  With zxing-cpp built in, the RGB runs
 * also count zxing-cpp's exact payloads on the same frames.
 */
static int run_healthcode(struct snt_scanner *s, const char *data, const char *root,
			  const char *set, int yuyv)
{
	char path[4096], line[4096];
	struct set_stats *st = calloc(1, sizeof(*st)), *zx = calloc(1, sizeof(*zx));
	FILE *m;

	snprintf(path, sizeof(path), "%s/%s/manifest.tsv", data, root);
	m = fopen(path, "r");
	if (!m || !st || !zx) {
		fprintf(stderr, "bench-scan: cannot open %s\n", path);
		free(st);
		free(zx);
		if (m)
			fclose(m);
		return -1;
	}
	while (fgets(line, sizeof(line), m) && st->n < MAX_FILES) {
		char *save = NULL;
		char *file = strtok_r(line, "\t", &save);
		char *colour = strtok_r(NULL, "\t", &save);
		char *payload = strtok_r(NULL, "\t", &save);
		enum snt_colour want, got = SNT_COLOUR_UNKNOWN;
		struct snt_image img;
		const struct snt_scan_result *r;
		int exact = 0;

		if (!file || !colour || !payload || strncmp(file, set, strlen(set)) ||
		    file[strlen(set)] != '/' || snt_colour_from_name(colour, &want))
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", data, root, file);
		if (snt_image_load(path, &img) != SNT_IMAGE_OK) {
			fprintf(stderr, "bench-scan: cannot load %s\n", path);
			continue;
		}
		if (yuyv) {
			uint8_t *buf = malloc((size_t)img.width * img.height * 2);
			struct snt_frame f;
			double t0;

			if (!buf) {
				snt_image_release(&img);
				continue;
			}
			f = to_yuyv(&img, buf);
			t0 = now_ms();
			if (snt_scanner_scan(s, &f, &r) != SNT_SCAN_OK)
				r = NULL;
			st->ms[st->n] = now_ms() - t0;
			free(buf);
		} else {
			r = scan_one(s, &img, &st->ms[st->n]);
		}
		st->n++;
		if (r && r->n > 0) {
			exact = r->codes[0].len == strlen(payload) &&
				!memcmp(r->codes[0].bytes, payload, r->codes[0].len);
			got = r->codes[0].colour;
		}
		st->exact += (unsigned int)exact;
		st->right += exact && got == want;
		st->wrong_green += got == SNT_COLOUR_GREEN && want != SNT_COLOUR_GREEN;
		st->decoded += r && r->n > 0;
		if (verbose && (!exact || got != want))
			fprintf(stderr, "miss %s/%s: %s, colour %s (want %s)\n", root, file,
				exact ? "exact" : r && r->n ? "wrong payload" : "no code",
				snt_colour_name(got), colour);
#ifdef BENCH_ZXING
		if (!yuyv) {
			int zn = zx_read(&img, &zx->ms[zx->n]);

			zx->n++;
			zx->decoded += zn > 0;
			zx->exact += zn > 0 && zx_codes[0].len == strlen(payload) &&
				     !memcmp(zx_codes[0].bytes, payload, zx_codes[0].len);
		}
#endif
		snt_image_release(&img);
	}
	fclose(m);
	printf("scan %s/%s%s images=%u payload_exact=%u exact_and_colour_right=%u decoded=%u "
	       "yellow_red_as_green=%u",
	       root, set, yuyv ? "-yuyv" : "", st->n, st->exact, st->right, st->decoded,
	       st->wrong_green);
	print_times(st);
	if (zx->n) {
		printf("zxing %s/%s images=%u payload_exact=%u decoded=%u", root, set, zx->n, zx->exact,
		       zx->decoded);
		print_times(zx);
	}
	free(st);
	free(zx);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Image files (.png, .jpg) of @dir, sorted; returns how many (<= MAX_FILES). */
static size_t list_images(const char *dir, char **names)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < MAX_FILES) {
		size_t l = strlen(e->d_name);

		if (l > 4 && (!strcmp(e->d_name + l - 4, ".png") || !strcmp(e->d_name + l - 4, ".jpg")))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	return n;
}

/*
 * The expectation beside @img: the raw bytes of X.bin (*@bin 1) when
 * present, else the normalised text of X.txt (*@bin 0); NULL when there is
 * none (the image is not counted).  The caller frees it.
 */
static char *photo_want(const char *img, size_t *len, int *bin)
{
	char path[4096];
	size_t base = strlen(img) - 4;
	char *want;

	*bin = 1;
	snprintf(path, sizeof(path), "%.*s.bin", (int)base, img);
	want = read_file(path, len);
	if (!want) {
		*bin = 0;
		snprintf(path, sizeof(path), "%.*s.txt", (int)base, img);
		want = read_file(path, len);
		if (!want)
			return NULL;
		*len = normalise_text(want, *len);
	}
	return want;
}

/* 1 if the code (@bytes, @len; @ctext) matches @want (photo_want()). */
static int photo_code_ok(const uint8_t *bytes, size_t len, const char *ctext, const char *want,
			 size_t wlen, int bin)
{
	static char text[MAX_TEXT];
	size_t n;

	if (bin)
		return len == wlen && !memcmp(bytes, want, len);
	n = strlen(ctext);
	if (n >= sizeof(text))
		return 0;
	memcpy(text, ctext, n + 1);
	n = normalise_text(text, n);
	return n == wlen && !memcmp(text, want, wlen);
}

/* 1 if a code of @r matches the expectation beside @img; -1 when there is none. */
static int photo_match(const char *img, const struct snt_scan_result *r)
{
	size_t len;
	int bin, ok = 0;
	char *want = photo_want(img, &len, &bin);

	if (!want)
		return -1;
	for (size_t i = 0; r && i < r->n && !ok; i++)
		ok = photo_code_ok(r->codes[i].bytes, r->codes[i].len, r->codes[i].text, want, len,
				   bin);
	free(want);
	return ok;
}

#ifdef BENCH_ZXING
/* As photo_match(), for the @n codes zxing-cpp left in zx_codes[]. */
static int photo_match_zx(const char *img, int n)
{
	size_t len;
	int bin, ok = 0;
	char *want = photo_want(img, &len, &bin);

	if (!want)
		return -1;
	for (int i = 0; i < n && i < SNT_SCAN_MAX_CODES && !ok; i++)
		ok = photo_code_ok(zx_codes[i].bytes, zx_codes[i].len, zx_codes[i].text, want, len,
				   bin);
	free(want);
	return ok;
}
#endif

/* qr-photos/qrcode-1..4 (exact decodes) and falsepositives-1 (any decode). */
static int run_photos(struct snt_scanner *s, const char *data)
{
	static const char *const sets[] = { "qrcode-1", "qrcode-2", "qrcode-3", "qrcode-4",
					    "falsepositives-1" };
	struct set_stats *qr = calloc(1, sizeof(*qr)), *fp = calloc(1, sizeof(*fp));
	struct set_stats *zqr = calloc(1, sizeof(*zqr)), *zfp = calloc(1, sizeof(*zfp));
	char *names[MAX_FILES];

	if (!qr || !fp || !zqr || !zfp) {
		free(qr);
		free(fp);
		free(zqr);
		free(zfp);
		return -1;
	}
	for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
		char dir[4096], path[8192];
		size_t n;
		int false_pos = k == 4;
		struct set_stats *st = false_pos ? fp : qr;

		snprintf(dir, sizeof(dir), "%s/qr-photos/%s", data, sets[k]);
		n = list_images(dir, names);
		for (size_t i = 0; i < n; i++) {
			struct snt_image img;
			const struct snt_scan_result *r;
			double ms;
			int ok;

			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			if (snt_image_load(path, &img) != SNT_IMAGE_OK) {
				fprintf(stderr, "bench-scan: cannot load %s\n", path);
				free(names[i]);
				continue;
			}
			r = scan_one(s, &img, &ms);
			if (false_pos) {
				st->ms[st->n++] = ms;
				st->decoded += r && r->n > 0;
				if (verbose && r && r->n > 0)
					fprintf(stderr, "false positive %s/%s\n", sets[k], names[i]);
			} else if ((ok = photo_match(path, r)) >= 0) {
				st->ms[st->n++] = ms;
				st->exact += (unsigned int)ok;
				st->decoded += r && r->n > 0;
				if (verbose && !ok)
					fprintf(stderr, "miss %s/%s (%ux%u): %s %.1f ms\n", sets[k],
						names[i], img.width, img.height,
						r && r->n ? "wrong payload" : "no code", ms);
			}
#ifdef BENCH_ZXING
			{
				int zn = zx_read(&img, &ms);

				if (false_pos) {
					zfp->ms[zfp->n++] = ms;
					zfp->decoded += zn > 0;
				} else if ((ok = photo_match_zx(path, zn)) >= 0) {
					zqr->ms[zqr->n++] = ms;
					zqr->exact += (unsigned int)ok;
					zqr->decoded += zn > 0;
				}
			}
#endif
			snt_image_release(&img);
			free(names[i]);
		}
	}
	printf("scan photos images=%u payload_exact=%u decoded=%u", qr->n, qr->exact, qr->decoded);
	print_times(qr);
	printf("scan falsepositives images=%u decoded=%u", fp->n, fp->decoded);
	print_times(fp);
	if (zqr->n) {
		printf("zxing photos images=%u payload_exact=%u decoded=%u", zqr->n, zqr->exact,
		       zqr->decoded);
		print_times(zqr);
		printf("zxing falsepositives images=%u decoded=%u", zfp->n, zfp->decoded);
		print_times(zfp);
	}
	free(qr);
	free(fp);
	free(zqr);
	free(zfp);
	return 0;
}

/* The camera frames (640x480 each), loaded; returns how many. */
static size_t load_camera(const char *data, struct snt_image *imgs)
{
	char dir[4096], path[8192];
	char *names[MAX_FILES];
	size_t n, k = 0;

	snprintf(dir, sizeof(dir), "%s/healthcode/camera", data);
	n = list_images(dir, names);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (snt_image_load(path, &imgs[k]) == SNT_IMAGE_OK && imgs[k].width == 640 &&
		    imgs[k].height == 480)
			k++;
		else
			snt_image_release(&imgs[k]);
		free(names[i]);
	}
	return k;
}

/* BT.601 luma of @img into @out (width * height bytes), as zbarimg would see it. */
static void luma(const struct snt_image *img, uint8_t *out)
{
	for (unsigned int y = 0; y < img->height; y++) {
		const uint8_t *p = img->rgb + (size_t)y * img->stride;

		for (unsigned int x = 0; x < img->width; x++, p += 3)
			*out++ = (uint8_t)((77u * p[0] + 150u * p[1] + 29u * p[2] + 128u) >> 8);
	}
}

/* One plain zbar scanner: QR only, as the baseline pass. */
static zbar_image_scanner_t *plain_zbar(void)
{
	zbar_image_scanner_t *zs = zbar_image_scanner_create();

	if (zs) {
		zbar_image_scanner_set_config(zs, 0, ZBAR_CFG_ENABLE, 0);
		zbar_image_scanner_set_config(zs, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	}
	return zs;
}

/* One zbar pass over @grey; returns the symbols found. */
static int zbar_pass(zbar_image_scanner_t *zs, const uint8_t *grey, unsigned int w, unsigned int h)
{
	zbar_image_t *zi = zbar_image_create();
	int n;

	zbar_image_set_format(zi, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(zi, w, h);
	zbar_image_set_data(zi, grey, (unsigned long)w * h, NULL);
	n = zbar_scan_image(zs, zi);
	zbar_image_destroy(zi);
	return n;
}

/* Paint the bounding box of @c, grown by a fifth each way, light grey: the code is gone. */
static void blank_code(struct snt_image *img, const struct snt_scan_code *c)
{
	int x0 = c->points[0][0], x1 = x0, y0 = c->points[0][1], y1 = y0, dx, dy;

	for (int k = 1; k < 4; k++) {
		x0 = c->points[k][0] < x0 ? c->points[k][0] : x0;
		x1 = c->points[k][0] > x1 ? c->points[k][0] : x1;
		y0 = c->points[k][1] < y0 ? c->points[k][1] : y0;
		y1 = c->points[k][1] > y1 ? c->points[k][1] : y1;
	}
	dx = (x1 - x0) / 5;
	dy = (y1 - y0) / 5;
	x0 = x0 - dx < 0 ? 0 : x0 - dx;
	y0 = y0 - dy < 0 ? 0 : y0 - dy;
	x1 = x1 + dx >= (int)img->width ? (int)img->width - 1 : x1 + dx;
	y1 = y1 + dy >= (int)img->height ? (int)img->height - 1 : y1 + dy;
	for (int y = y0; y <= y1; y++)
		memset(img->rgb + (size_t)y * img->stride + (size_t)x0 * 3, 0xe8,
		       (size_t)(x1 - x0 + 1) * 3);
}

/*
 * Per frame, @reps alternating timings of the scanner and of one plain zbar
 * pass over the frame's luma plane (luma computed beforehand, not timed);
 * each frame's figure is its fastest run, the least disturbed by the machine.
 * @blank: first paint the code out, for the cost of a frame with no code.
 */
static int cost_set(struct snt_scanner *s, struct snt_image *imgs, size_t n, int reps, int blank)
{
	double *tz = calloc(MAX_FILES, sizeof(double)), *ts = calloc(MAX_FILES, sizeof(double));
	double *ratio = calloc(MAX_FILES, sizeof(double));
	uint8_t *grey = malloc(640 * 480);
	zbar_image_scanner_t *zs = plain_zbar();
	unsigned int zbar_found = 0, scan_found = 0;
	size_t m = 0;
	double mz, mscan;

	if (!tz || !ts || !ratio || !grey || !zs)
		return -1;
	for (size_t i = 0; i < n; i++) {
		double ms;

		if (blank) {
			const struct snt_scan_result *r = scan_one(s, &imgs[i], &ms);

			if (!r || r->n == 0)
				continue;
			blank_code(&imgs[i], &r->codes[0]);
		}
		luma(&imgs[i], grey);
		tz[m] = ts[m] = 1e30;
		for (int r = 0; r < reps; r++) {
			double t0 = now_ms();
			int found = zbar_pass(zs, grey, 640, 480);
			const struct snt_scan_result *res;

			ms = now_ms() - t0;
			tz[m] = ms < tz[m] ? ms : tz[m];
			res = scan_one(s, &imgs[i], &ms);
			ts[m] = ms < ts[m] ? ms : ts[m];
			if (r == 0) {
				zbar_found += found > 0;
				scan_found += res && res->n > 0;
			}
		}
		ratio[m] = ts[m] / tz[m];
		m++;
	}
	mz = quantile(tz, m, 0.5);
	mscan = quantile(ts, m, 0.5);
	printf("cost %s frames=%zu size=640x480 reps=%d zbar_luma_ms_median=%.2f "
	       "scanner_ms_median=%.2f ratio=%.2f per_frame_ratio_median=%.2f scanner_ms_p90=%.2f "
	       "scanner_ms_max=%.2f zbar_decoded=%u scanner_decoded=%u\n",
	       blank ? "camera-code-painted-out" : "camera", m, reps, mz, mscan, mscan / mz,
	       quantile(ratio, m, 0.5), quantile(ts, m, 0.9), quantile(ts, m, 1.0), zbar_found,
	       scan_found);
	zbar_image_scanner_destroy(zs);
	free(tz);
	free(ts);
	free(ratio);
	free(grey);
	return 0;
}

/* The camera frames as they are, then with their code painted out. */
static int run_cost(struct snt_scanner *s, const char *data, int reps)
{
	struct snt_image *imgs = calloc(MAX_FILES, sizeof(*imgs));
	size_t n;
	int rc;

	if (!imgs)
		return -1;
	n = load_camera(data, imgs);
	rc = cost_set(s, imgs, n, reps, 0);
	if (!rc)
		rc = cost_set(s, imgs, n, reps, 1);
	for (size_t i = 0; i < n; i++)
		snt_image_release(&imgs[i]);
	free(imgs);
	return rc;
}

/* ---- frames with no code: generated, the same on every run ---- */

#define EMPTY_FRAMES 60
#define EMPTY_KINDS 5
static const char *const empty_kind[EMPTY_KINDS] = { "noise", "hand", "coat", "screen", "scene" };

/* xorshift32: deterministic pseudo-random numbers. */
static uint32_t rnd(uint32_t *st)
{
	uint32_t x = *st;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*st = x;
	return x;
}

/* Roughly Gaussian noise, about +-@sigma (sum of three uniforms). */
static int noise(uint32_t *st, int sigma)
{
	int v = 0;

	if (sigma <= 0)
		return 0;
	for (int k = 0; k < 3; k++)
		v += (int)(rnd(st) % (unsigned int)(2 * sigma + 1)) - sigma;
	return v * 2 / 3;
}

static void put(struct snt_image *img, int x, int y, int r, int g, int b)
{
	uint8_t *p;

	if (x < 0 || y < 0 || x >= (int)img->width || y >= (int)img->height)
		return;
	p = img->rgb + (size_t)y * img->stride + (size_t)x * 3;
	p[0] = (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : r);
	p[1] = (uint8_t)(g < 0 ? 0 : g > 255 ? 255 : g);
	p[2] = (uint8_t)(b < 0 ? 0 : b > 255 ? 255 : b);
}

static void fill_rect(struct snt_image *img, int x0, int y0, int x1, int y1, int r, int g, int b)
{
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++)
			put(img, x, y, r, g, b);
}

static void fill_ellipse(struct snt_image *img, int cx, int cy, int rx, int ry, int r, int g,
			 int b)
{
	for (int y = cy - ry; y <= cy + ry; y++)
		for (int x = cx - rx; x <= cx + rx; x++) {
			double dx = (double)(x - cx) / rx, dy = (double)(y - cy) / ry;
			double shade = 1.0 - 0.25 * (dx * dx + dy * dy);

			if (dx * dx + dy * dy <= 1.0)
				put(img, x, y, (int)(r * shade), (int)(g * shade), (int)(b * shade));
		}
}

/* Add sensor noise and a 3x3 blur (the lens), in place. */
static void camera_finish(struct snt_image *img, uint32_t *st, int sigma)
{
	size_t n = img->stride * img->height;
	uint8_t *tmp = malloc(n);

	if (tmp) {
		memcpy(tmp, img->rgb, n);
		for (unsigned int y = 1; y + 1 < img->height; y++)
			for (unsigned int x = 1; x + 1 < img->width; x++)
				for (int c = 0; c < 3; c++) {
					unsigned int sum = 0;

					for (int dy = -1; dy <= 1; dy++)
						for (int dx = -1; dx <= 1; dx++)
							sum += tmp[(size_t)(y + dy) * img->stride +
								   (size_t)(x + dx) * 3 + c];
					img->rgb[(size_t)y * img->stride + (size_t)x * 3 + c] =
						(uint8_t)((sum + 4) / 9);
				}
		free(tmp);
	}
	for (size_t i = 0; i < n; i++) {
		int v = img->rgb[i] + noise(st, sigma);

		img->rgb[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
	}
}

/*
 * Empty frame @k (0..EMPTY_FRAMES-1), 640x480 RGB24, of kind k % EMPTY_KINDS:
 * sensor noise over a dim or lit field; a hand held up before a wall; a coat
 * (woven fabric, buttons, a zip) filling the view; a phone showing a blank
 * lit screen; a room with a door and a poster of text.  Returns 0, or -1
 * when out of memory; release with free(img->rgb).
 */
static int empty_frame(unsigned int k, struct snt_image *img)
{
	uint32_t st = 0x9e3779b9u ^ (k * 2654435761u);
	unsigned int kind = k % EMPTY_KINDS, v = k / EMPTY_KINDS;

	memset(img, 0, sizeof(*img));
	img->width = 640;
	img->height = 480;
	img->stride = 640 * 3;
	img->rgb = malloc(img->stride * img->height);
	if (!img->rgb)
		return -1;
	switch (kind) {
	case 0: {	/* noise: level 20..230, sigma 4..40 */
		int level = 20 + (int)(v * 19 % 211), sigma = 4 + (int)(v * 3);

		fill_rect(img, 0, 0, 640, 480, level, level + 3, level - 2);
		camera_finish(img, &st, sigma);
		break;
	}
	case 1: {	/* hand before a wall */
		int cx = 200 + (int)(rnd(&st) % 240), cy = 260 + (int)(rnd(&st) % 80);
		int sr = 200 + (int)(v * 5), sg = 150 + (int)(v * 3), sb = 120 + (int)(v * 2);

		for (int y = 0; y < 480; y++)
			fill_rect(img, 0, y, 640, y + 1, 210 - y / 8, 200 - y / 8, 180 - y / 8);
		fill_ellipse(img, cx, cy, 110, 130, sr, sg, sb);
		for (int f = 0; f < 4; f++)
			fill_ellipse(img, cx - 75 + f * 50, cy - 170, 20, 75, sr, sg, sb);
		fill_ellipse(img, cx + 130, cy - 20, 60, 22, sr, sg, sb);
		fill_rect(img, cx - 70, cy + 110, cx + 70, 480, sr - 30, sg - 30, sb - 30);
		camera_finish(img, &st, 6);
		break;
	}
	case 2: {	/* coat: weave, buttons, a zip */
		static const int base[4][3] = { { 30, 35, 60 }, { 25, 25, 28 }, { 90, 70, 50 },
						{ 110, 110, 115 } };
		const int *b = base[v % 4];

		for (int y = 0; y < 480; y++)
			for (int x = 0; x < 640; x++) {
				int t = ((x / 3 + y / 3) % 4 < 2 ? 10 : -10) +
					((x * 7 + y * 3) % 11 < 5 ? 6 : -6);

				put(img, x, y, b[0] + t, b[1] + t, b[2] + t);
			}
		for (int y = 0; y < 480; y += 6)
			fill_rect(img, 316, y, 324, y + 3, 180, 180, 170);
		for (int i = 0; i < 4; i++)
			fill_ellipse(img, 420, 60 + i * 110, 14, 14, 200, 190, 170);
		camera_finish(img, &st, 8 + (int)v);
		break;
	}
	case 3: {	/* phone with a blank lit screen */
		int px = 150 + (int)(rnd(&st) % 120), py = 20 + (int)(rnd(&st) % 40);
		int lit = 200 + (int)(v * 4);

		for (int y = 0; y < 480; y++)
			fill_rect(img, 0, y, 640, y + 1, 120 + y / 10, 110 + y / 10, 100 + y / 10);
		fill_rect(img, px, py, px + 240, py + 440, 20, 20, 22);
		fill_rect(img, px + 12, py + 30, px + 228, py + 410, lit, lit, lit + 2);
		fill_rect(img, px + 12, py + 30, px + 228, py + 44, lit - 60, lit - 60, lit - 55);
		camera_finish(img, &st, 5);
		break;
	}
	default: {	/* a room: wall, door, a poster with lines of text */
		for (int y = 0; y < 480; y++)
			fill_rect(img, 0, y, 640, y + 1, 180 - y / 6, 175 - y / 6, 160 - y / 6);
		fill_rect(img, 40 + (int)v * 10, 60, 220 + (int)v * 10, 480, 120, 80, 50);
		fill_rect(img, 360, 80, 600, 400, 240, 240, 235);
		for (int line = 0; line < 14; line++)
			for (int x = 380; x < 580;) {
				int w = 4 + (int)(rnd(&st) % 30);

				fill_rect(img, x, 100 + line * 20, x + w, 110 + line * 20, 30, 30, 30);
				x += w + 4 + (int)(rnd(&st) % 8);
			}
		camera_finish(img, &st, 6);
		break;
	}
	}
	return 0;
}

/*
 * The empty frames: per frame the fastest of @reps runs of the scanner and
 * of zxing-cpp (when built in), alternating; medians per kind and overall,
 * and how many frames either reported a code (false positives).
 */
static int run_empty(struct snt_scanner *s, int reps)
{
	double ts[EMPTY_FRAMES], tz[EMPTY_FRAMES], kind_s[EMPTY_FRAMES], kind_z[EMPTY_FRAMES];
	unsigned int found = 0, zfound = 0;

	for (unsigned int k = 0; k < EMPTY_FRAMES; k++) {
		struct snt_image img;

		if (empty_frame(k, &img))
			return -1;
		ts[k] = tz[k] = 1e30;
		for (int r = 0; r < reps; r++) {
			double ms;
			const struct snt_scan_result *res = scan_one(s, &img, &ms);

			ts[k] = ms < ts[k] ? ms : ts[k];
			found += r == 0 && res && res->n > 0;
#ifdef BENCH_ZXING
			{
				int zn = zx_read(&img, &ms);

				tz[k] = ms < tz[k] ? ms : tz[k];
				zfound += r == 0 && zn > 0;
			}
#endif
		}
		free(img.rgb);
	}
	for (unsigned int kind = 0; kind < EMPTY_KINDS; kind++) {
		size_t m = 0;

		for (unsigned int k = kind; k < EMPTY_FRAMES; k += EMPTY_KINDS, m++) {
			kind_s[m] = ts[k];
			kind_z[m] = tz[k];
		}
		printf("empty kind=%s frames=%zu scanner_ms_median=%.2f", empty_kind[kind], m,
		       quantile(kind_s, m, 0.5));
#ifdef BENCH_ZXING
		printf(" zxing_ms_median=%.2f", quantile(kind_z, m, 0.5));
#endif
		printf("\n");
	}
	{
		double ms = quantile(ts, EMPTY_FRAMES, 0.5);

		printf("empty frames=%d size=640x480 reps=%d scanner_ms_median=%.2f scanner_ms_p90=%.2f "
		       "scanner_ms_max=%.2f scanner_codes=%u",
		       EMPTY_FRAMES, reps, ms, quantile(ts, EMPTY_FRAMES, 0.9),
		       quantile(ts, EMPTY_FRAMES, 1.0), found);
#ifdef BENCH_ZXING
		{
			double z = quantile(tz, EMPTY_FRAMES, 0.5);

			printf(" zxing_ms_median=%.2f zxing_codes=%u ratio=%.2f", z, zfound, ms / z);
		}
#endif
		printf("\n");
	}
	(void)zfound;
	(void)kind_z;
	return 0;
}

/* ---- the V4L2 replay backend: recorded frames served as a camera ---- */

#define REPLAY_BUFS 4
#define REPLAY_LEN (640 * 480 * 2)

struct replay {
	uint8_t **frames;	/* YUYV, REPLAY_LEN bytes each */
	size_t n, next;
	int queued[REPLAY_BUFS];
	uint8_t mem[REPLAY_BUFS][REPLAY_LEN];
};

static int r_open(void *ctx, const char *path, int flags)
{
	(void)ctx;
	(void)path;
	(void)flags;
	return 3;
}

static int r_close(void *ctx, int fd)
{
	(void)ctx;
	(void)fd;
	return 0;
}

static int r_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	struct replay *d = ctx;

	(void)fd;
	if (req == VIDIOC_QUERYCAP) {
		struct v4l2_capability *c = arg;

		c->capabilities = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
		return 0;
	}
	if (req == VIDIOC_ENUM_FMT) {
		struct v4l2_fmtdesc *f = arg;

		if (f->index > 0) {
			errno = EINVAL;
			return -1;
		}
		f->pixelformat = V4L2_PIX_FMT_YUYV;
		return 0;
	}
	if (req == VIDIOC_S_FMT) {
		struct v4l2_format *f = arg;

		f->fmt.pix.width = 640;
		f->fmt.pix.height = 480;
		f->fmt.pix.bytesperline = 1280;
		return 0;
	}
	if (req == VIDIOC_REQBUFS) {
		struct v4l2_requestbuffers *r = arg;

		if (r->count)
			r->count = REPLAY_BUFS;
		return 0;
	}
	if (req == VIDIOC_QUERYBUF) {
		struct v4l2_buffer *b = arg;

		b->length = REPLAY_LEN;
		b->m.offset = b->index * 4096;
		return 0;
	}
	if (req == VIDIOC_QBUF) {
		d->queued[((struct v4l2_buffer *)arg)->index % REPLAY_BUFS] = 1;
		return 0;
	}
	if (req == VIDIOC_DQBUF) {
		struct v4l2_buffer *b = arg;
		unsigned int i;

		for (i = 0; i < REPLAY_BUFS && !d->queued[i]; i++)
			;
		if (i == REPLAY_BUFS || d->n == 0) {
			errno = EAGAIN;
			return -1;
		}
		d->queued[i] = 0;
		/* The driver's DMA, as a copy. */
		memcpy(d->mem[i], d->frames[d->next++ % d->n], REPLAY_LEN);
		b->index = i;
		b->bytesused = REPLAY_LEN;
		return 0;
	}
	if (req == VIDIOC_STREAMON || req == VIDIOC_STREAMOFF)
		return 0;
	errno = ENOTTY;
	return -1;
}

static void *r_mmap(void *ctx, size_t length, int prot, int flags, int fd, off_t offset)
{
	(void)length;
	(void)prot;
	(void)flags;
	(void)fd;
	return ((struct replay *)ctx)->mem[(offset / 4096) % REPLAY_BUFS];
}

static int r_munmap(void *ctx, void *addr, size_t length)
{
	(void)ctx;
	(void)addr;
	(void)length;
	return 0;
}

static const struct snt_v4l2_io replay_io = { r_open, r_close, r_ioctl, r_mmap, r_munmap };

/*
 * @frames grab-and-scan turns through the V4L2 camera over @d, as the
 * check-in loop does them; prints frames per second on one core.
 */
static int replay_run(struct snt_scanner *s, struct replay *d, const char *what, long frames)
{
	struct snt_v4l2 *v;
	char err[256];
	long read = 0;
	double t0;

	if (snt_v4l2_open(&replay_io, d, "/dev/video0", &v, err, sizeof(err)) != SNT_V4L2_OK) {
		fprintf(stderr, "bench-scan: replay: %s\n", err);
		return -1;
	}
	d->next = 0;
	t0 = now_ms();
	for (long i = 0; i < frames; i++) {
		struct snt_frame f;
		const struct snt_scan_result *r;

		if (snt_v4l2_grab(v, &f) != SNT_V4L2_OK ||
		    snt_scanner_scan(s, &f, &r) != SNT_SCAN_OK) {
			snt_v4l2_close(v);
			return -1;
		}
		read += r->n > 0;
	}
	{
		double sec = (now_ms() - t0) / 1e3;

		printf("replay %s frames=%ld size=640x480 format=%s budget_ms=%u fps=%.1f "
		       "ms_per_frame=%.2f frames_with_a_code=%ld\n",
		       what, frames, snt_v4l2_fourcc(v), s->budget_ms, (double)frames / sec,
		       sec * 1e3 / (double)frames, read);
	}
	snt_v4l2_close(v);
	return 0;
}

/* The empty frames, then the camera frames, replayed as YUYV through the V4L2 backend. */
static int run_replay(struct snt_scanner *s, const char *data, long frames)
{
	struct replay *d = calloc(1, sizeof(*d));
	struct snt_image *imgs = calloc(MAX_FILES, sizeof(*imgs));
	size_t n;
	int rc = -1;

	if (!d || !imgs)
		goto out;
	/* The gate's budget (the default of a real board) unless BENCH_SCAN_BUDGET_MS says. */
	if (!getenv("BENCH_SCAN_BUDGET_MS") &&
	    snt_scanner_set_budget(s, SNT_CONFIG_SCAN_BUDGET_MS) != SNT_SCAN_OK)
		goto out;
	d->frames = calloc(MAX_FILES, sizeof(*d->frames));
	if (!d->frames)
		goto out;
	for (unsigned int k = 0; k < EMPTY_FRAMES; k++) {
		struct snt_image img;

		d->frames[k] = malloc(REPLAY_LEN);
		if (!d->frames[k] || empty_frame(k, &img))
			goto out;
		(void)to_yuyv(&img, d->frames[k]);
		free(img.rgb);
		d->n++;
	}
	if (replay_run(s, d, "no-code", frames))
		goto out;
	for (size_t k = 0; k < d->n; k++)
		free(d->frames[k]);
	d->n = 0;
	n = load_camera(data, imgs);
	for (size_t k = 0; k < n; k++) {
		d->frames[k] = malloc(REPLAY_LEN);
		if (!d->frames[k])
			goto out;
		(void)to_yuyv(&imgs[k], d->frames[k]);
		d->n++;
	}
	rc = replay_run(s, d, "camera-codes", frames);
out:
	if (d && d->frames) {
		for (size_t k = 0; k < d->n; k++)
			free(d->frames[k]);
		free(d->frames);
	}
	for (size_t i = 0; imgs && i < MAX_FILES; i++)
		if (imgs[i].rgb)
			snt_image_release(&imgs[i]);
	free(imgs);
	free(d);
	return rc;
}

/* Resident set size in KiB (/proc/self/statm). */
static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size, res = -1;

	if (f) {
		if (fscanf(f, "%ld %ld", &size, &res) != 2)
			res = -1;
		fclose(f);
	}
	return res < 0 ? -1 : res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Heap bytes in use, in KiB (glibc mallinfo2). */
static size_t heap_kib(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks / 1024;
}

/*
 * @frames scans cycling through the camera frames.  Prints the RSS before
 * the first frame, after the first pass over them (every buffer at its
 * working size) and after the second (the allocator settled), every tenth of
 * the run, and at the end; growth is counted from the second pass on.
 */
static int run_rss(struct snt_scanner *s, const char *data, long frames)
{
	struct snt_image *imgs = calloc(MAX_FILES, sizeof(*imgs));
	size_t n;
	long first = -1, warm = -1, max = 0, cur;
	double t0 = now_ms(), ms;

	if (!imgs)
		return -1;
	n = load_camera(data, imgs);
	if (n == 0) {
		free(imgs);
		return -1;
	}
	printf("rss before_first_frame_kib=%ld\n", rss_kib());
	for (long i = 0; i < frames; i++) {
		(void)scan_one(s, &imgs[(size_t)i % n], &ms);
		cur = rss_kib();
		if ((size_t)i + 1 == n)
			first = cur;
		if ((size_t)i + 1 == 2 * n)
			warm = cur;
		if (warm >= 0)
			max = cur > max ? cur : max;
		if ((i + 1) % (frames / 10 > 0 ? frames / 10 : 1) == 0)
			printf("rss frame=%ld kib=%ld heap_in_use_kib=%zu\n", i + 1, cur, heap_kib());
	}
	cur = rss_kib();
	printf("rss frames=%ld first_pass_kib=%ld start_kib=%ld end_kib=%ld max_kib=%ld "
	       "growth_kib=%ld heap_in_use_kib=%zu s=%.1f\n",
	       frames, first, warm, cur, max, warm >= 0 ? cur - warm : 0, heap_kib(),
	       (now_ms() - t0) / 1e3);
	for (size_t i = 0; i < n; i++)
		snt_image_release(&imgs[i]);
	free(imgs);
	return 0;
}

/* One frame, scanned once by the scanner or by one plain zbar pass. */
static int run_one(struct snt_scanner *s, const char *file, const char *what)
{
	struct snt_image img;
	int rc = 0;

	if (snt_image_load(file, &img) != SNT_IMAGE_OK)
		return -1;
	if (!strcmp(what, "zbar")) {
		uint8_t *grey = malloc((size_t)img.width * img.height);
		zbar_image_scanner_t *zs = plain_zbar();

		if (grey && zs) {
			luma(&img, grey);
			printf("one zbar symbols=%d\n", zbar_pass(zs, grey, img.width, img.height));
		} else {
			rc = -1;
		}
		if (zs)
			zbar_image_scanner_destroy(zs);
		free(grey);
	} else {
		double ms;
		const struct snt_scan_result *r = scan_one(s, &img, &ms);

		printf("one scan codes=%zu\n", r ? r->n : 0);
	}
	snt_image_release(&img);
	return rc;
}

int main(int argc, char **argv)
{
	struct snt_scanner *s;
	const char *v = getenv("BENCH_VERBOSE");
	int rc = -1;

	verbose = v && *v == '1';
	if (argc < 3) {
		fprintf(stderr, "usage: bench-scan-frames sets|cost|rss|replay DATA [N] | empty REPS | "
				"one-empty K | one FILE scan|zbar\n");
		return 2;
	}
	if (snt_scanner_new(&s) != SNT_SCAN_OK) {
		fprintf(stderr, "bench-scan: no scanner\n");
		return 1;
	}
	v = getenv("BENCH_SCAN_BUDGET_MS");
	if (v && *v && snt_scanner_set_budget(s, (unsigned int)atoi(v)) != SNT_SCAN_OK) {
		snt_scanner_free(s);
		return 1;
	}
	if (!strcmp(argv[1], "sets")) {
		rc = run_healthcode(s, argv[2], "healthcode", "clean", 0);
		rc = rc ? rc : run_healthcode(s, argv[2], "healthcode", "camera", 0);
		rc = rc ? rc : run_healthcode(s, argv[2], "healthcode", "camera", 1);
		rc = rc ? rc : run_healthcode(s, argv[2], "healthcode-small", "camera", 0);
		rc = rc ? rc : run_healthcode(s, argv[2], "healthcode-hard", "camera", 0);
		rc = rc ? rc : run_photos(s, argv[2]);
		for (size_t i = 0; verbose && i < s->nplanes; i++) {
			const struct scan__plane *p = &s->planes[i];

			fprintf(stderr, "plane %2zu base=%u inv=%u norm=%u scale=%u pad=%u erode=%u: %u\n",
				i, p->base, p->inverted, p->norm, p->scale, p->pad, p->erode,
				plane_hits[i]);
		}
	} else if (!strcmp(argv[1], "set") && argc > 3) {
		rc = run_healthcode(s, argv[2], argv[3], "camera", 0);
	} else if (!strcmp(argv[1], "cost")) {
		rc = run_cost(s, argv[2], argc > 3 ? atoi(argv[3]) : 5);
	} else if (!strcmp(argv[1], "rss")) {
		rc = run_rss(s, argv[2], argc > 3 ? atol(argv[3]) : 10000);
	} else if (!strcmp(argv[1], "finders")) {
		for (int a = 2; a < argc; a++) {
			struct snt_image img;
			struct snt_frame f;
			struct scan__rgb rv;
			size_t n;
			unsigned int best = 0, strong = 0;
			int k = a;

			if (!strncmp(argv[a], "empty:", 6)) {
				if (empty_frame((unsigned int)atoi(argv[a] + 6), &img))
					continue;
			} else if (snt_image_load(argv[a], &img) != SNT_IMAGE_OK) {
				continue;
			}
			f = frame_of(&img);
			rv = (struct scan__rgb){ img.rgb, img.width, img.height, img.stride };
			n = scan__find_finders(s, &f, &rv, s->cands, SCAN__MAX_CANDS);
			for (size_t i = 0; i < n; i++) {
				best = s->cands[i].hits > best ? s->cands[i].hits : best;
				strong += s->cands[i].hits >= 2;
			}
			printf("finders %s n=%zu strong=%u best_hits=%u\n", argv[k], n, strong, best);
			if (!strncmp(argv[a], "empty:", 6))
				free(img.rgb);
			else
				snt_image_release(&img);
		}
		rc = 0;
	} else if (!strcmp(argv[1], "empty")) {
		rc = run_empty(s, argc > 2 ? atoi(argv[2]) : 3);
	} else if (!strcmp(argv[1], "replay")) {
		rc = run_replay(s, argv[2], argc > 3 ? atol(argv[3]) : 600);
	} else if (!strcmp(argv[1], "one-empty")) {
		struct snt_image img;
		const struct snt_scan_result *r;
		double ms;

		if (!empty_frame((unsigned int)atoi(argv[2]) % EMPTY_FRAMES, &img)) {
#ifdef BENCH_ZXING
			if (argc > 3 && !strcmp(argv[3], "zxing")) {
				printf("one-empty zxing codes=%d\n",
				       bench_zxing_read(img.rgb, img.width, img.height, img.stride, 1,
							NULL, 0));
				free(img.rgb);
				snt_scanner_free(s);
				return 0;
			}
#endif
			r = scan_one(s, &img, &ms);
			printf("one-empty codes=%zu\n", r ? r->n : 0);
			free(img.rgb);
			rc = 0;
		}
	} else if (!strcmp(argv[1], "one") && argc > 3) {
		rc = run_one(s, argv[2], argv[3]);
	} else {
		fprintf(stderr, "bench-scan-frames: unknown mode '%s'\n", argv[1]);
	}
	snt_scanner_free(s);
	return rc ? 1 : 0;
}
