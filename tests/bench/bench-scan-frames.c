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
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zbar.h>

#include "image/image.h"
#include "scan/scan.h"
#include "scan/scan_internal.h"

#define MAX_FILES 512
#define MAX_TEXT (4 * SNT_SCAN_MAX_PAYLOAD + 1)

static int verbose;
/* Frames decoded by each plane of the scanner's list (BENCH_VERBOSE=1). */
static unsigned int plane_hits[SCAN__MAX_PLANES];

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

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

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
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

/*
 * @img as a V4L2 YUYV frame (BT.601 limited range, chroma of each pixel pair
 * averaged), the camera's own format, into @buf (2 * width * height bytes).
 */
static struct snt_frame to_yuyv(const struct snt_image *img, uint8_t *buf)
{
	unsigned int w = img->width & ~1u;
	struct snt_frame f = { SNT_PIXFMT_YUYV, w, img->height, (size_t)w * 2, buf };

	for (unsigned int y = 0; y < img->height; y++) {
		for (unsigned int x = 0; x < w; x += 2) {
			const uint8_t *p = img->rgb + (size_t)y * img->stride + (size_t)x * 3;
			uint8_t *o = buf + (size_t)y * w * 2 + (size_t)x * 2;
			int u = 0, v = 0;

			for (int k = 0; k < 2; k++) {
				int r = p[3 * k], g = p[3 * k + 1], b = p[3 * k + 2];

				o[2 * k] = (uint8_t)(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16);
				u += ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128;
				v += ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128;
			}
			o[1] = (uint8_t)(u / 2);
			o[3] = (uint8_t)(v / 2);
		}
	}
	return f;
}

/*
 * healthcode/manifest.tsv lines starting with @set "/"; @yuyv: each frame
 * converted to YUYV first, as the gate's camera delivers it.
 */
static int run_healthcode(struct snt_scanner *s, const char *data, const char *set, int yuyv)
{
	char path[4096], line[4096];
	struct set_stats *st = calloc(1, sizeof(*st));
	FILE *m;

	snprintf(path, sizeof(path), "%s/healthcode/manifest.tsv", data);
	m = fopen(path, "r");
	if (!m || !st) {
		fprintf(stderr, "bench-scan: cannot open %s\n", path);
		free(st);
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
		snprintf(path, sizeof(path), "%s/healthcode/%s", data, file);
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
		st->right += got == want;
		st->wrong_green += got == SNT_COLOUR_GREEN && want != SNT_COLOUR_GREEN;
		if (verbose && (!exact || got != want))
			fprintf(stderr, "miss %s: %s, colour %s (want %s)\n", file,
				exact ? "exact" : r && r->n ? "wrong payload" : "no code",
				snt_colour_name(got), colour);
		snt_image_release(&img);
	}
	fclose(m);
	printf("scan %s%s images=%u payload_exact=%u colour_right=%u yellow_red_as_green=%u", set,
	       yuyv ? "-yuyv" : "", st->n, st->exact, st->right, st->wrong_green);
	print_times(st);
	free(st);
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
 * 1 if a code of @r matches the expectation beside @img: the raw bytes of
 * X.bin when present, else the text of X.txt, both sides normalised.
 * -1 when there is no expectation (the image is not counted).
 */
static int photo_match(const char *img, const struct snt_scan_result *r)
{
	char path[4096], text[MAX_TEXT];
	size_t len, base = strlen(img) - 4;
	char *want;
	int bin = 1, ok = 0;

	snprintf(path, sizeof(path), "%.*s.bin", (int)base, img);
	want = read_file(path, &len);
	if (!want) {
		bin = 0;
		snprintf(path, sizeof(path), "%.*s.txt", (int)base, img);
		want = read_file(path, &len);
		if (!want)
			return -1;
		len = normalise_text(want, len);
	}
	for (size_t i = 0; r && i < r->n && !ok; i++) {
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

/* qr-photos/qrcode-1..4 (exact decodes) and falsepositives-1 (any decode). */
static int run_photos(struct snt_scanner *s, const char *data)
{
	static const char *const sets[] = { "qrcode-1", "qrcode-2", "qrcode-3", "qrcode-4",
					    "falsepositives-1" };
	struct set_stats *qr = calloc(1, sizeof(*qr)), *fp = calloc(1, sizeof(*fp));
	char *names[MAX_FILES];

	if (!qr || !fp) {
		free(qr);
		free(fp);
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
			snt_image_release(&img);
			free(names[i]);
		}
	}
	printf("scan photos images=%u payload_exact=%u decoded=%u", qr->n, qr->exact, qr->decoded);
	print_times(qr);
	printf("scan falsepositives images=%u decoded=%u", fp->n, fp->decoded);
	print_times(fp);
	free(qr);
	free(fp);
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
		fprintf(stderr, "usage: bench-scan-frames sets|cost|rss DATA [N] | one FILE scan|zbar\n");
		return 2;
	}
	if (snt_scanner_new(&s) != SNT_SCAN_OK) {
		fprintf(stderr, "bench-scan: no scanner\n");
		return 1;
	}
	if (!strcmp(argv[1], "sets")) {
		rc = run_healthcode(s, argv[2], "clean", 0);
		rc = rc ? rc : run_healthcode(s, argv[2], "camera", 0);
		rc = rc ? rc : run_healthcode(s, argv[2], "camera", 1);
		rc = rc ? rc : run_photos(s, argv[2]);
		for (size_t i = 0; verbose && i < s->nplanes; i++) {
			const struct scan__plane *p = &s->planes[i];

			fprintf(stderr, "plane %2zu base=%u inv=%u norm=%u scale=%u pad=%u erode=%u: %u\n",
				i, p->base, p->inverted, p->norm, p->scale, p->pad, p->erode,
				plane_hits[i]);
		}
	} else if (!strcmp(argv[1], "cost")) {
		rc = run_cost(s, argv[2], argc > 3 ? atoi(argv[3]) : 5);
	} else if (!strcmp(argv[1], "rss")) {
		rc = run_rss(s, argv[2], argc > 3 ? atol(argv[3]) : 10000);
	} else if (!strcmp(argv[1], "one") && argc > 3) {
		rc = run_one(s, argv[2], argv[3]);
	} else {
		fprintf(stderr, "bench-scan-frames: unknown mode '%s'\n", argv[1]);
	}
	snt_scanner_free(s);
	return rc ? 1 : 0;
}
