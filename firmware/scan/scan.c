// SPDX-License-Identifier: MIT
/*
 * scan: grey planes from a colour frame, fed to zbar one at a time, cheapest
 * first, until one yields a QR symbol; the planes are made in plane.c.
 */
#include <iconv.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zbar.h>

#include "common/i18n.h"
#include "scan/scan_internal.h"

/*
 * The planes, in the order tried: cheapest first, half scale before full.
 * The minimum channel leads because yellow on white has almost no luma
 * contrast while its blue channel is dark, and for black codes it is the
 * luma anyway; the 2x2 box filter of half scale evens out blur and sensor
 * noise, and costs zbar a quarter of a full-scale pass.  Local contrast
 * normalisation copes with glare and shade.  Luma catches codes whose colour
 * is lost in a tinted picture.  The minimum channel comes inverted too, for
 * phones in dark mode (light code on a dark ground).  Last, two cheap
 * planes for prints: a third scale smooths noise and halftone texture, and
 * a 3x3 minimum joins codes drawn in dots.
 *
 * On the shared test data (BENCH_VERBOSE=1 tests/bench/bench-scan.sh) the
 * first plane decodes about two frames in three, full scale most of the
 * rest; every plane here decodes some frame no earlier plane does (the
 * inverted padded plane: a dark-mode phone held too high, see test_scan.c).
 * Planes that never did (inverted luma, normalised full scale and others)
 * were dropped: each costs a frame with no code a whole zbar pass.
 *
 * The grid planes are not given to zbar as they are: the module grid
 * spanned by three finder patterns is sampled and drawn clean (grid.c).  On
 * the smoothed full-scale plane it reads noisy, blurred and tilted captures
 * no plane before it does (healthcode-hard 39 -> 48 of 60), and comes before
 * the enlarged region, which costs more.  On the full-scale luma, not
 * smoothed, it reads codes of one or two pixels a module whose modules the
 * minimum channel has lost: a camera's JPEG keeps the colour at half
 * resolution, and the minimum channel of a coloured code is mostly colour
 * (healthcode-small 15 -> 16 of 45; with the weak finder candidates
 * confirmed (find.c) and the finder thresholds over 36 pixels, 19, and
 * healthcode-hard 50); on the luma smoothed, noisier ones (20 of 45, hard
 * 51).  On the enlarged region, last, it
 * reads codes of two pixels a module or less (healthcode-small 6 -> 14 of
 * 45), the region sharpened (unsharp masking against the mean of about
 * three frame pixels square, which undoes part of the blur that merges
 * modules of one or two pixels; 14 -> 15).
 *
 * Two kinds of plane are conditional, so they cost nothing on the frames
 * that do not need them: padded planes (a light border, and the part of a
 * finder pattern cut off by the frame's edge redrawn, see edge.c) only when
 * a finder touches the frame's edge; double-scale planes only for frames of
 * at most SCAN__SMALL_SIDE pixels, whose modules may be a pixel or two.
 */
static const struct scan__plane default_planes[] = {
	/* base, inverted, norm, scale, pad, erode, smooth, binarise, sharpen */
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__HALF, 0, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 1, 0, SCAN__HALF, 0, 0, 0, 0, 0 },
	{ SCAN__BASE_LUMA, 0, 0, SCAN__HALF, 0, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 1, SCAN__HALF, 0, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__HALF, 1, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__FULL, 0, 0, 0, 0, 0 },
	{ SCAN__BASE_LUMA, 0, 0, SCAN__FULL, 0, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 1, 0, SCAN__FULL, 0, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__FULL, 1, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 1, 0, SCAN__FULL, 1, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__FULL, 0, 0, 1, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__GRID, 0, 0, 1, 0, 0 },
	{ SCAN__BASE_LUMA, 0, 0, SCAN__GRID, 0, 0, 0, 0, 0 },
	{ SCAN__BASE_LUMA, 0, 0, SCAN__GRID, 0, 0, 1, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__UP, 0, 0, 1, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__UP, 0, 0, 1, 1, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__UP, 0, 0, 0, 1, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__UP_GRID, 0, 0, 0, 0, 1 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__THIRD, 0, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__HALF, 0, 1, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__DOUBLE, 0, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 1, 0, SCAN__DOUBLE, 0, 0, 0, 0, 0 },
};

void *scan__grow(void *buf, size_t *cap, size_t need)
{
	void *p;

	if (buf && *cap >= need)
		return buf;
	p = realloc(buf, need);
	if (p)
		*cap = need;
	return p;
}

int scan__zbar(struct snt_scanner *s, const uint8_t *plane, unsigned int w, unsigned int h)
{
	int n;

	zbar_image_set_size(s->zimg, w, h);
	zbar_image_set_data(s->zimg, plane, (unsigned long)w * h, NULL);
	n = zbar_scan_image(s->zs, s->zimg);
	s->zbar_passes++;
	return n;
}

/*
 * Copy zbar's QR symbols into s->res; return how many were kept.  @pm maps
 * the plane to the working frame, @shrunk (>= 1) the working frame to @f.
 */
static size_t collect(struct snt_scanner *s, const struct snt_frame *f,
		      const struct scan__plane_map *pm, int shrunk)
{
	struct snt_scan_result *r = &s->res;

	r->n = 0;
	for (const zbar_symbol_t *sym = zbar_image_first_symbol(s->zimg);
	     sym && r->n < SNT_SCAN_MAX_CODES; sym = zbar_symbol_next(sym)) {
		struct snt_scan_code *c = &r->codes[r->n];
		const char *data = zbar_symbol_get_data(sym);
		size_t len = zbar_symbol_get_data_length(sym);
		unsigned int nloc = zbar_symbol_get_loc_size(sym);

		if (zbar_symbol_get_type(sym) != ZBAR_QRCODE || !data || nloc == 0)
			continue;
		c->truncated = len > SNT_SCAN_MAX_PAYLOAD;
		c->len = c->truncated ? SNT_SCAN_MAX_PAYLOAD : len;
		memcpy(c->bytes, data, c->len);
		for (unsigned int i = 0; i < 4; i++) {
			unsigned int k = i < nloc ? i : nloc - 1;
			int x = (zbar_symbol_get_loc_x(sym, k) - pm->border) * pm->mul / pm->div + pm->ox;
			int y = (zbar_symbol_get_loc_y(sym, k) - pm->border) * pm->mul / pm->div + pm->oy;

			if (pm->homog) {
				float fx, fy;

				/* Through the grid into the plane, then as above. */
				scan__grid_map_point(pm->h, (float)zbar_symbol_get_loc_x(sym, k),
						     (float)zbar_symbol_get_loc_y(sym, k), &fx, &fy);
				x = (int)lrintf((fx - (float)pm->border) * (float)pm->mul / (float)pm->div) +
				    pm->ox;
				y = (int)lrintf((fy - (float)pm->border) * (float)pm->mul / (float)pm->div) +
				    pm->oy;
			}

			/* Unclamped, in the working frame, for judging the colour. */
			s->raw_points[r->n][i][0] = x;
			s->raw_points[r->n][i][1] = y;
			/* In the caller's frame, clamped to it. */
			x = x * shrunk + shrunk / 2;
			y = y * shrunk + shrunk / 2;
			c->points[i][0] = x < 0 ? 0 : x >= (int)f->width ? (int)f->width - 1 : x;
			c->points[i][1] = y < 0 ? 0 : y >= (int)f->height ? (int)f->height - 1 : y;
		}
		c->colour = SNT_COLOUR_UNKNOWN;
		r->n++;
	}
	return r->n;
}

static void centre(const struct snt_scan_code *c, int *cx, int *cy, int *hgt)
{
	int x = 0, y = 0, ymin = c->points[0][1], ymax = c->points[0][1];

	for (int i = 0; i < 4; i++) {
		x += c->points[i][0];
		y += c->points[i][1];
		ymin = c->points[i][1] < ymin ? c->points[i][1] : ymin;
		ymax = c->points[i][1] > ymax ? c->points[i][1] : ymax;
	}
	*cx = x / 4;
	*cy = y / 4;
	*hgt = ymax - ymin;
}

/* 1 if @a goes after @b: top to bottom, and left to right within a row. */
static int after(const struct snt_scan_code *a, const struct snt_scan_code *b)
{
	int ax, ay, ah, bx, by, bh;
	int dy;

	centre(a, &ax, &ay, &ah);
	centre(b, &bx, &by, &bh);
	dy = ay - by;
	/* Centres within half the smaller height of each other share a row. */
	if (2 * abs(dy) < (ah < bh ? ah : bh))
		return ax > bx;
	return dy > 0;
}

/* Insertion sort: stable, and safe with a comparison that is not transitive. */
static void sort_codes(struct snt_scan_result *r, struct snt_scan_code *tmp)
{
	for (size_t i = 1; i < r->n; i++) {
		size_t j = i;

		if (!after(&r->codes[j - 1], &r->codes[j]))
			continue;
		*tmp = r->codes[i];
		while (j > 0 && after(&r->codes[j - 1], tmp)) {
			r->codes[j] = r->codes[j - 1];
			j--;
		}
		r->codes[j] = *tmp;
	}
}

/* A zbar image scanner for QR codes only, in binary mode. */
static enum snt_scan_err new_zbar(zbar_image_scanner_t **out)
{
	zbar_image_scanner_t *zs = zbar_image_scanner_create();

	*out = NULL;
	if (!zs)
		return SNT_SCAN_ERR_NOMEM;
	if (zbar_image_scanner_set_config(zs, 0, ZBAR_CFG_ENABLE, 0) ||
	    zbar_image_scanner_set_config(zs, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1) ||
	    zbar_image_scanner_set_config(zs, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1)) {
		zbar_image_scanner_destroy(zs);
		return SNT_SCAN_ERR_ZBAR;
	}
	*out = zs;
	return SNT_SCAN_OK;
}

/*
 * Replace the zbar image scanner with a fresh one.  zbar 0.23 keeps every
 * QR symbol it has decoded in its recycle lists until the scanner is
 * destroyed (a symbol with data is recycled into a bucket that symbol
 * allocation for QR never draws from), so a long-lived scanner grows by a
 * few hundred bytes per decoded code; renewing it after each frame with a
 * code keeps memory flat, for about 4 us.  Should the new one fail, the old
 * one is kept.
 */
static void renew_zbar(struct snt_scanner *s)
{
	zbar_image_scanner_t *zs;

	if (new_zbar(&zs) != SNT_SCAN_OK)
		return;
	zbar_image_scanner_recycle_image(s->zs, s->zimg);
	zbar_image_scanner_destroy(s->zs);
	s->zs = zs;
}

enum snt_scan_err snt_scanner_new(struct snt_scanner **out)
{
	enum snt_scan_err err;

	struct snt_scanner *s;

	if (!out)
		return SNT_SCAN_ERR_INVAL;
	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return SNT_SCAN_ERR_NOMEM;
	s->cd.gb18030 = iconv_open("UTF-8", "GB18030");
	s->cd.sjis = iconv_open("UTF-8", "CP932");
	s->zimg = zbar_image_create();
	if (!s->zimg)
		goto err_free;
	err = new_zbar(&s->zs);
	if (err != SNT_SCAN_OK) {
		snt_scanner_free(s);
		return err;
	}
	zbar_image_set_format(s->zimg, zbar_fourcc('Y', '8', '0', '0'));
	memcpy(s->planes, default_planes, sizeof(default_planes));
	s->nplanes = SNT_ARRAY_SIZE(default_planes);
	s->last_plane = -1;
	*out = s;
	return SNT_SCAN_OK;

err_free:
	snt_scanner_free(s);
	return SNT_SCAN_ERR_NOMEM;
}

void snt_scanner_free(struct snt_scanner *s)
{
	if (!s)
		return;
	if (s->zimg)
		zbar_image_destroy(s->zimg);
	if (s->zs)
		zbar_image_scanner_destroy(s->zs);
	if (s->cd.gb18030 != (iconv_t)-1 && s->cd.gb18030 != (iconv_t)0)
		iconv_close(s->cd.gb18030);
	if (s->cd.sjis != (iconv_t)-1 && s->cd.sjis != (iconv_t)0)
		iconv_close(s->cd.sjis);
	free(s->rgb);
	free(s->full);
	free(s->half);
	free(s->dbl);
	free(s->work);
	free(s->tmp);
	free(s->pad);
	free(s->blk);
	free(s->integral);
	free(s->find);
	free(s->grid_img);
	free(s->grid_bin);
	free(s);
}

static size_t bytes_per_pixel(enum snt_pixfmt fmt)
{
	switch (fmt) {
	case SNT_PIXFMT_RGB24:
		return 3;
	case SNT_PIXFMT_YUYV:
		return 2;
	case SNT_PIXFMT_GREY:
		return 1;
	}
	return 0;
}

enum snt_scan_err snt_scanner_set_budget(struct snt_scanner *s, unsigned int ms)
{
	if (!s)
		return SNT_SCAN_ERR_INVAL;
	s->budget_ms = ms;
	return SNT_SCAN_OK;
}

/*
 * The order of this frame's planes in s->order: the plane that read the
 * last frame's code first (the visitor's phone is still there), then the
 * first plane, then on from the plane where the last frame's budget ran out
 * (so frames cut short by the budget try every plane in turn), then the
 * rest.  Without a budget the planes go in their own order (results do
 * not depend on earlier frames).  Clears s->last_plane and s->resume for
 * this frame.
 */
static void plane_order(struct snt_scanner *s)
{
	size_t n = 0;
	uint8_t used[SCAN__MAX_PLANES] = { 0 };
	int live = s->budget_ms > 0;
	size_t first[3] = { live && s->last_plane > 0 ? (size_t)s->last_plane : 0, 0,
			    live && s->resume < s->nplanes ? s->resume : 0 };

	for (size_t k = 0; k < 3; k++)
		if (!used[first[k]]) {
			used[first[k]] = 1;
			s->order[n++] = (uint8_t)first[k];
		}
	for (size_t k = 0; k < s->nplanes; k++) {
		size_t i = (first[2] + k) % s->nplanes;

		if (!used[i]) {
			used[i] = 1;
			s->order[n++] = (uint8_t)i;
		}
	}
	s->last_plane = -1;
	s->resume = 0;
}

/* 1 if plane @i, on a grey frame, repeats an earlier one (bases aside). */
static int seen_grey(const struct scan__plane *planes, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (planes[j].inverted == planes[i].inverted && planes[j].norm == planes[i].norm &&
		    planes[j].scale == planes[i].scale && planes[j].pad == planes[i].pad &&
		    planes[j].erode == planes[i].erode && planes[j].smooth == planes[i].smooth)
			return 1;
	return 0;
}

double scan__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The display text and colour of each code read from a plane of shade @inverted. */
static void finish_codes(struct snt_scanner *s, const struct scan__rgb *rgb, int inverted)
{
	for (size_t k = 0; k < s->res.n; k++) {
		struct snt_scan_code *c = &s->res.codes[k];

		c->text_len = scan__text_from_bytes(&s->cd, c->bytes, c->len, c->text, sizeof(c->text));
		if (rgb)
			c->colour = scan__colour_classify(rgb, (const int (*)[2])s->raw_points[k],
							  inverted);
	}
}

/*
 * Remember where the first code read lies (working frame @w x @h), grown by
 * half its size each way (the phone moves), and plane @i, for the next
 * SCAN__TRACK_FRAMES frames: a plane that needs the finder search (grid,
 * enlarged region) or a small frame (double scale) gives the first plane.
 */
static void track_set(struct snt_scanner *s, unsigned int w, unsigned int h, size_t i)
{
	int x0 = INT32_MAX, y0 = INT32_MAX, x1 = INT32_MIN, y1 = INT32_MIN, mx, my;
	uint8_t sc = s->planes[i].scale;

	for (int k = 0; k < 4; k++) {
		int x = s->raw_points[0][k][0], y = s->raw_points[0][k][1];

		x0 = x < x0 ? x : x0;
		y0 = y < y0 ? y : y0;
		x1 = x > x1 ? x : x1;
		y1 = y > y1 ? y : y1;
	}
	mx = (x1 - x0) / 2 + 8;
	my = (y1 - y0) / 2 + 8;
	x0 = x0 - mx < 0 ? 0 : x0 - mx;
	y0 = y0 - my < 0 ? 0 : y0 - my;
	x1 = x1 + mx > (int)w ? (int)w : x1 + mx;
	y1 = y1 + my > (int)h ? (int)h : y1 + my;
	if (x1 - x0 < 16 || y1 - y0 < 16) {
		s->track_left = 0;
		return;
	}
	s->track_box[0] = (unsigned int)x0;
	s->track_box[1] = (unsigned int)y0;
	s->track_box[2] = (unsigned int)x1;
	s->track_box[3] = (unsigned int)y1;
	s->track_w = w;
	s->track_h = h;
	s->track_plane = sc == SCAN__HALF || sc == SCAN__FULL || sc == SCAN__THIRD ? (uint8_t)i : 0;
	s->track_left = SCAN__TRACK_FRAMES;
}

/*
 * Try the last code's region of the working frame @work (colour @rgb, or
 * NULL) with the plane that read it.  1 when it yields codes (in s->res,
 * finished), 0 when not or when there is no region to try, -1 when out of
 * memory, -2 when zbar failed.  @zbar_hit is set when zbar found a symbol.
 */
static int track_try(struct snt_scanner *s, const struct snt_frame *frame,
		     const struct snt_frame *work, const struct scan__rgb *rgb, unsigned int shrunk,
		     int *zbar_hit)
{
	const struct scan__plane *p = &s->planes[s->track_plane];
	const uint8_t *base = rgb ? rgb->px : work->data;
	size_t stride = rgb ? rgb->stride : work->stride, bpp = rgb ? 3 : 1;
	unsigned int x0 = s->track_box[0], y0 = s->track_box[1];
	struct snt_frame sub;
	struct scan__rgb subrgb;
	struct scan__plane_map pm;
	uint8_t *plane;
	unsigned int w, h;
	int n;

	if (!s->budget_ms || !s->track_left || s->track_w != work->width ||
	    s->track_h != work->height)
		return 0;
	s->track_left--;
	sub = (struct snt_frame){ rgb ? SNT_PIXFMT_RGB24 : SNT_PIXFMT_GREY, s->track_box[2] - x0,
				  s->track_box[3] - y0, stride,
				  base + (size_t)y0 * stride + (size_t)x0 * bpp };
	subrgb = (struct scan__rgb){ sub.data, sub.width, sub.height, stride };
	n = scan__build_plane(s, &sub, rgb ? &subrgb : NULL, p, &plane, &w, &h, &pm);
	if (n <= 0)
		return n;
	n = scan__zbar(s, plane, w, h);
	if (n < 0)
		return -2;
	*zbar_hit |= n > 0;
	pm.ox += (int)x0;
	pm.oy += (int)y0;
	if (n == 0 || collect(s, frame, &pm, (int)shrunk) == 0)
		return 0;
	finish_codes(s, rgb, p->inverted);
	track_set(s, work->width, work->height, s->track_plane);
	s->last_plane = s->track_plane;
	s->resume = 0;
	return 1;
}

enum snt_scan_err snt_scanner_scan(struct snt_scanner *s, const struct snt_frame *frame,
				   const struct snt_scan_result **out)
{
	struct scan__rgb rgb_view;
	const struct scan__rgb *rgb = NULL;
	struct snt_frame work;
	size_t bpp;
	unsigned int side, shrunk = 1;
	int zbar_hit = 0;
	double t0 = scan__now_ms();

	if (out)
		*out = NULL;
	if (!s || !frame || !out || !frame->data)
		return SNT_SCAN_ERR_INVAL;
	bpp = bytes_per_pixel(frame->fmt);
	if (bpp == 0 || frame->width == 0 || frame->height == 0 ||
	    frame->width > SNT_SCAN_MAX_SIDE || frame->height > SNT_SCAN_MAX_SIDE ||
	    frame->stride < frame->width * bpp)
		return SNT_SCAN_ERR_INVAL;
	if (frame->fmt == SNT_PIXFMT_YUYV && frame->width % 2)
		return SNT_SCAN_ERR_INVAL;

	s->res.n = 0;
	s->zbar_passes = 0;
	if (frame->fmt == SNT_PIXFMT_RGB24) {
		rgb_view.px = frame->data;
		rgb_view.width = frame->width;
		rgb_view.height = frame->height;
		rgb_view.stride = frame->stride;
		rgb = &rgb_view;
	} else if (frame->fmt == SNT_PIXFMT_YUYV) {
		if (scan__yuyv_to_rgb(s, frame, &rgb_view))
			return SNT_SCAN_ERR_NOMEM;
		rgb = &rgb_view;
	}
	/* A frame too large to scan at full size is scanned box-filtered. */
	work = *frame;
	if (rgb)
		work = (struct snt_frame){ SNT_PIXFMT_RGB24, rgb->width, rgb->height, rgb->stride,
					   rgb->px };
	side = frame->width > frame->height ? frame->width : frame->height;
	if (side > SNT_SCAN_WORK_SIDE) {
		shrunk = (side + SNT_SCAN_WORK_SIDE - 1) / SNT_SCAN_WORK_SIDE;
		if (scan__shrink(s, &work, rgb, shrunk, &work, &rgb_view))
			return SNT_SCAN_ERR_NOMEM;
	}

	/*
	 * A code read on one of the last frames is looked for first where it
	 * was (a visitor holds the phone there), on a crop of the frame.
	 */
	s->tracked = 0;
	s->ncands = 0;
	{
		int n = track_try(s, frame, &work, rgb, shrunk, &zbar_hit);

		if (n == -1)
			return SNT_SCAN_ERR_NOMEM;
		if (n == -2)
			return SNT_SCAN_ERR_ZBAR;
		if (n == 1) {
			s->tracked = 1;
			zbar_image_set_data(s->zimg, NULL, 0, NULL);
			renew_zbar(s);
			sort_codes(&s->res, &s->sort_tmp);
			*out = &s->res;
			return SNT_SCAN_OK;
		}
	}

	/*
	 * A frame with no finder pattern anywhere and no busy spot has no code
	 * zbar could read: it finishes here.  Small frames (whose modules may be under a pixel)
	 * always get the full search.  (One candidate crossed by two rows is
	 * enough: blur, tilt and a logo may hide the other two finders.)
	 */
	s->ncands = 0;
	if (work.width > SCAN__SMALL_SIDE || work.height > SCAN__SMALL_SIDE) {
		size_t strong = 0;
		float bx, by;
		int busy = 0;

		s->ncands = scan__find_finders(s, &work, rgb, s->cands, SCAN__MAX_CANDS);
		if (s->ncands == SIZE_MAX) {
			s->ncands = 0;
			return SNT_SCAN_ERR_NOMEM;
		}
		for (size_t k = 0; k < s->ncands; k++)
			strong += s->cands[k].hits >= SCAN__FINDER_HITS;
		/*
		 * A busy spot with no finder found (a small code blurred past
		 * the row search): the frame goes on, the spot first as a weak
		 * candidate (scan__busy_spot()).
		 */
		if (strong == 0 && s->ncands < SCAN__MAX_CANDS &&
		    scan__busy_spot(s, work.width, work.height, &bx, &by)) {
			memmove(s->cands + 1, s->cands, s->ncands * sizeof(s->cands[0]));
			s->cands[0] = (struct scan__cand){ bx, by, 2.0f, 0, 1 };
			s->ncands++;
			busy = 1;
		}
		if (strong == 0 && s->ncands > 0) {
			/* Small blurred finders: weak candidates looked at again. */
			size_t n = scan__confirm_finders(s, &work, rgb, s->cands, s->ncands,
							 SCAN__MAX_CANDS);

			if (n == SIZE_MAX) {
				s->ncands = 0;
				return SNT_SCAN_ERR_NOMEM;
			}
			strong = n - s->ncands;
			s->ncands = n;
		}
		if (strong == 0 && !busy) {
			s->last_plane = -1;
			s->resume = 0;
			*out = &s->res;
			return SNT_SCAN_OK;
		}
	}

	plane_order(s);
	for (size_t j = 0; j < s->nplanes; j++) {
		size_t i = s->order[j];
		const struct scan__plane *p = &s->planes[i];
		struct scan__plane_map pm;
		unsigned int w, h;
		uint8_t *plane;
		int n;

		if (j > 0 && s->budget_ms && scan__now_ms() - t0 >= (double)s->budget_ms) {
			/* The next frame goes on from here (after its first planes). */
			s->resume = i;
			break;
		}
		/* A grey frame has one base, its luma: each plane once. */
		if (!rgb && seen_grey(s->planes, i))
			continue;
		/* A grid read stops at the budget, unless it is the first plane. */
		s->deadline_ms = j > 0 && s->budget_ms ? t0 + (double)s->budget_ms : 0;
		if (p->scale == SCAN__GRID || p->scale == SCAN__UP_GRID) {
			struct scan__plane q = *p;

			/* Only where the finder search found candidates. */
			if (s->ncands == 0)
				continue;
			q.scale = p->scale == SCAN__GRID ? SCAN__FULL : SCAN__UP;
			n = scan__build_plane(s, &work, rgb, &q, &plane, &w, &h, &pm);
			if (n > 0) {
				n = scan__grid_read(s, plane, w, h, &pm);
				if (n == -2)
					return SNT_SCAN_ERR_ZBAR;
			}
		} else {
			n = scan__build_plane(s, &work, rgb, p, &plane, &w, &h, &pm);
			if (n > 0) {
				n = scan__zbar(s, plane, w, h);
				if (n < 0)
					return SNT_SCAN_ERR_ZBAR;
			}
		}
		if (n < 0)
			return SNT_SCAN_ERR_NOMEM;
		if (n == 0)
			continue;
		zbar_hit |= n > 0;
		if (n == 0 || collect(s, frame, &pm, (int)shrunk) == 0)
			continue;
		s->last_plane = (int)i;
		s->resume = 0;
		finish_codes(s, rgb, p->inverted);
		if (s->budget_ms)
			track_set(s, work.width, work.height, i);
		break;
	}
	s->deadline_ms = 0;
	/* zbar keeps no pointer to the plane past the scan, but drop it anyway. */
	zbar_image_set_data(s->zimg, NULL, 0, NULL);
	if (zbar_hit)
		renew_zbar(s);
	sort_codes(&s->res, &s->sort_tmp);
	*out = &s->res;
	return SNT_SCAN_OK;
}

static const char *const err_text[] = {
	[SNT_SCAN_OK] = N_("success"),
	[SNT_SCAN_ERR_INVAL] = N_("invalid argument"),
	[SNT_SCAN_ERR_NOMEM] = N_("out of memory"),
	[SNT_SCAN_ERR_ZBAR] = N_("zbar error"),
};

const char *snt_scan_strerror(enum snt_scan_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown scan error"));
}
