// SPDX-License-Identifier: MIT
/*
 * Cheap search for QR finder patterns (ISO/IEC 18004:2015 §6.3.3: 7x7
 * modules, 1:1:3:1:1 dark-light-dark-light-dark across the centre in every
 * direction), so that a frame with none skips zbar altogether.
 *
 * Two full-scale planes are made in one pass over the frame: the minimum
 * channel (green, yellow and red modules dark on white) and the maximum
 * channel (light modules on a dark ground, a phone in dark mode).  Each is
 * thresholded locally: blocks of FIND_BLOCK pixels give their darkest and
 * lightest values, each block's threshold is the middle of the range over
 * the blocks around it, and a block whose neighbourhood has too little
 * contrast is flat (no edge can be trusted there).  Every other row is
 * run-length coded against those thresholds and searched for 1:1:3:1:1 with
 * a dark centre on the minimum plane and a light centre on the maximum
 * plane; each hit is checked down the column through its centre, and hits
 * within a finder of each other are merged.
 *
 * The tolerances are looser than zbar's, so a frame in which zbar could find
 * a code has candidates here; a frame with texture may have some too, and
 * then simply costs the full search.  The threshold neighbourhood (3x3
 * blocks of 12 pixels) is small enough that a small code's finder is judged
 * against its own screen rather than the wall around the phone, where blur
 * leaves its one-module light ring only a little lighter than its dark ones.
 *
 * A small code whose finders are still crossed by one row at most is found
 * by looking again around such weak candidates (scan__confirm_finders()):
 * the minimum channel of a window around each, binarised by the local
 * mean (which brings a blurred light ring back), searched the same way;
 * the frame goes on when two finders of one code stand out there.  Sensor
 * noise gives weak candidates too, but not two crossed twice, alike and a
 * code apart.  This costs nothing on a frame with no candidate.
 *
 * A small code blurred so much that no row crosses even one of its finders
 * still leaves a busy spot (scan__busy_spot()): 4x4 blocks (about 48
 * pixels square) whose every one holds both near-black and near-white, in
 * a frame where few blocks do (sensor noise and texture make many blocks
 * busy; a sharp edge fills one row of blocks, a line of text two or three).
 * The frame then gets the full search, and the spot is looked at as a weak
 * candidate first.
 */
#include <stdlib.h>
#include <string.h>

#include "scan/scan_internal.h"

/* Block side for the local thresholds, pixels. */
#define FIND_BLOCK 12
/* Blocks either side whose range sets a block's threshold (3x3 blocks). */
#define FIND_REACH 1
/* Least dark-to-light range a threshold is trusted with, grey levels. */
#define FIND_MIN_RANGE 24
/* Smallest finder across, pixels (a module of one pixel). */
#define FIND_MIN_WIDTH 10
/* Least difference between the mean of a finder's dark and light runs, grey levels. */
#define FIND_MIN_CONTRAST 40
/* Rows skipped between searched rows. */
#define FIND_ROW_STEP 2

/* 1 if runs @r[0..4] are 1:1:3:1:1 within the search's tolerance. */
static int ratio_ok(const unsigned int r[5])
{
	unsigned int total = r[0] + r[1] + r[2] + r[3] + r[4];
	unsigned int u4 = total * 4;	/* 28 * module, in quarters of 7 */

	if (total < FIND_MIN_WIDTH)
		return 0;
	/* Outer runs 0.4..1.8 modules, centre 1.8..4.5 modules (module = total / 7). */
	for (int k = 0; k < 5; k++) {
		unsigned int v = r[k] * 70;

		if (k == 2) {
			if (v * 4 < u4 * 18 || v * 4 > u4 * 45)
				return 0;
		} else if (v * 4 < u4 * 4 || v * 4 > u4 * 18) {
			return 0;
		}
	}
	return 1;
}

/*
 * Each block's threshold from the darkest and lightest values @lo, @hi of
 * the blocks around it: the middle of the range, or 0 (flat) when the range
 * is under FIND_MIN_RANGE.
 */
static void thresholds(const uint8_t *lo, const uint8_t *hi, uint8_t *thr, unsigned int bw,
		       unsigned int bh)
{
	for (unsigned int by = 0; by < bh; by++) {
		for (unsigned int bx = 0; bx < bw; bx++) {
			unsigned int mn = 255, mx = 0;
			unsigned int y0 = by >= FIND_REACH ? by - FIND_REACH : 0;
			unsigned int x0 = bx >= FIND_REACH ? bx - FIND_REACH : 0;
			unsigned int y1 = by + FIND_REACH < bh ? by + FIND_REACH : bh - 1;
			unsigned int x1 = bx + FIND_REACH < bw ? bx + FIND_REACH : bw - 1;

			for (unsigned int y = y0; y <= y1; y++)
				for (unsigned int x = x0; x <= x1; x++) {
					size_t i = (size_t)y * bw + x;

					mn = lo[i] < mn ? lo[i] : mn;
					mx = hi[i] > mx ? hi[i] : mx;
				}
			thr[(size_t)by * bw + bx] =
				mx - mn < FIND_MIN_RANGE ? 0 : (uint8_t)((mn + mx + 1) / 2);
		}
	}
}

/* The frame being searched: its pixels and the thresholds of one plane. */
struct view {
	const struct snt_frame *f;
	const struct scan__rgb *rgb;
	const uint8_t *thr;
	unsigned int bw;
	int maxplane;		/* 1: maximum channel, 0: minimum channel */
};

/* Pixel (x, y) of the view's plane, straight from the frame. */
static uint8_t value(const struct view *v, unsigned int x, unsigned int y)
{
	const uint8_t *p;
	uint8_t a;

	if (!v->rgb)
		return v->f->data[(size_t)y * v->f->stride + x];
	p = v->rgb->px + (size_t)y * v->rgb->stride + (size_t)x * 3;
	if (v->maxplane) {
		a = p[0] > p[1] ? p[0] : p[1];
		return a > p[2] ? a : p[2];
	}
	a = p[0] < p[1] ? p[0] : p[1];
	return a < p[2] ? a : p[2];
}

/* The pixel's class: 1 dark, 0 light, -1 flat. */
static int cls(const struct view *v, unsigned int x, unsigned int y)
{
	uint8_t t = v->thr[(size_t)(y / FIND_BLOCK) * v->bw + x / FIND_BLOCK];

	if (t == 0)
		return -1;
	return value(v, x, y) < t;
}

/*
 * Down the column @x from row @y (inside the centre run of class @centre):
 * the centre run's extent and the two runs beyond it each way must be
 * 1:1:3:1:1 again, of a size near @width.  Returns 1 and the centre row in
 * @cy, or 0.
 */
static int cross_check(const struct view *v, unsigned int x, unsigned int y, int centre,
		       unsigned int width, float *cy)
{
	unsigned int r[5] = { 0 }, top, bottom, total, h = v->f->height;
	int yy;
	int want;

	/* Up: the centre run, then two runs of the other classes. */
	yy = (int)y;
	while (yy >= 0 && cls(v, x, (unsigned int)yy) == centre)
		yy--, r[2]++;
	top = (unsigned int)(yy + 1);
	want = !centre;
	for (int k = 1; k >= 0; k--, want = !want)
		while (yy >= 0 && cls(v, x, (unsigned int)yy) == want && r[k] <= width)
			yy--, r[k]++;
	yy = (int)y + 1;
	while (yy < (int)h && cls(v, x, (unsigned int)yy) == centre)
		yy++, r[2]++;
	bottom = (unsigned int)yy;
	want = !centre;
	for (int k = 3; k <= 4; k++, want = !want)
		while (yy < (int)h && cls(v, x, (unsigned int)yy) == want && r[k] <= width)
			yy++, r[k]++;
	total = r[0] + r[1] + r[2] + r[3] + r[4];
	/* Tilt and perspective: the height within 0.5..2 of the width. */
	if (!ratio_ok(r) || 2 * total < width || total > 2 * width)
		return 0;
	*cy = ((float)top + (float)bottom) / 2.0f;
	return 1;
}

/*
 * 1 if the runs @r (starting at @x0 on @row) are far enough apart in grey:
 * the mean of the runs of the centre's class against the others'.
 */
static int contrast_ok(const uint8_t *row, unsigned int x0, const unsigned int r[5], int centre)
{
	unsigned int sum[2] = { 0, 0 }, cnt[2] = { 0, 0 }, x = x0;
	int d;

	for (int k = 0; k < 5; k++) {
		int c = k % 2 == 0;	/* 1: the centre's class */

		for (unsigned int i = 0; i < r[k]; i++)
			sum[c] += row[x + i];
		cnt[c] += r[k];
		x += r[k];
	}
	d = (int)(sum[0] / cnt[0]) - (int)(sum[1] / cnt[1]);
	return (centre ? d : -d) >= FIND_MIN_CONTRAST;
}

/*
 * Search the plane of @v for finders with a dark (@centre 1) or light (0)
 * centre, along every FIND_ROW_STEP-th row: @rows holds those rows of the
 * plane (row k is frame row k * FIND_ROW_STEP); @cl is scratch for one row.
 */
static size_t search(const struct view *v, const uint8_t *rows, int8_t *cl, int centre,
		     struct scan__cand *out, size_t n, size_t max)
{
	unsigned int w = v->f->width, h = v->f->height;

	for (unsigned int y = 0; y < h; y += FIND_ROW_STEP) {
		const uint8_t *row = rows + (size_t)(y / FIND_ROW_STEP) * w;
		const uint8_t *thr = v->thr + (size_t)(y / FIND_BLOCK) * v->bw;
		unsigned int runs[5] = { 0 };
		int cols[5] = { -2, -2, -2, -2, -2 };
		unsigned int start = 0;
		int cur;

		/* Classes of the row, a block (one threshold) at a time. */
		for (unsigned int x0 = 0, b = 0; x0 < w; x0 += FIND_BLOCK, b++) {
			unsigned int x1 = x0 + FIND_BLOCK < w ? x0 + FIND_BLOCK : w;
			uint8_t t = thr[b];

			if (t == 0) {
				memset(cl + x0, -1, x1 - x0);
				continue;
			}
			for (unsigned int x = x0; x < x1; x++)
				cl[x] = (int8_t)(row[x] < t);
		}
		cur = cl[0];
		for (unsigned int x = 1; x <= w; x++) {
			int c = x < w ? cl[x] : -2;
			float cx, cy;
			unsigned int width;

			if (c == cur)
				continue;
			memmove(runs, runs + 1, 4 * sizeof(runs[0]));
			memmove(cols, cols + 1, 4 * sizeof(cols[0]));
			runs[4] = x - start;
			cols[4] = cur;
			start = x;
			cur = c;
			if (cols[2] != centre || cols[0] != centre || cols[4] != centre ||
			    cols[1] != !centre || cols[3] != !centre || !ratio_ok(runs))
				continue;
			width = runs[0] + runs[1] + runs[2] + runs[3] + runs[4];
			if (!contrast_ok(row, x - width, runs, centre))
				continue;
			cx = (float)(x - runs[4] - runs[3]) - (float)runs[2] / 2.0f;
			if (!cross_check(v, (unsigned int)cx, y, centre, width, &cy))
				continue;
			{
				float m = (float)width / 7.0f;
				size_t k;

				for (k = 0; k < n; k++)
					if (out[k].inverted == !centre &&
					    out[k].x - cx < 3 * m && cx - out[k].x < 3 * m &&
					    out[k].y - cy < 3 * m && cy - out[k].y < 3 * m)
						break;
				if (k < n) {
					out[k].hits++;
				} else if (n < max) {
					out[n] = (struct scan__cand){ cx, cy, m, (uint8_t)!centre, 1 };
					n++;
				}
			}
		}
	}
	return n;
}

size_t scan__find_finders(struct snt_scanner *s, const struct snt_frame *f,
			  const struct scan__rgb *rgb, struct scan__cand *out, size_t max)
{
	unsigned int w = f->width, h = f->height;
	unsigned int bw = (w + FIND_BLOCK - 1) / FIND_BLOCK, bh = (h + FIND_BLOCK - 1) / FIND_BLOCK;
	unsigned int nrows = (h + FIND_ROW_STEP - 1) / FIND_ROW_STEP;
	size_t nrow = (size_t)w * nrows, nb = (size_t)bw * bh, n;
	uint8_t *mn, *mx, *buf, *lo_a, *hi_a, *lo_b, *hi_b, *thr_min, *thr_max;
	int8_t *cl;

	if (w < FIND_MIN_WIDTH || h < FIND_MIN_WIDTH)
		return 0;
	buf = scan__grow(s->find, &s->find_cap, 2 * nrow + 6 * nb + w);
	if (!buf)
		return SIZE_MAX;
	s->find = buf;
	mn = buf;
	mx = mn + nrow;
	lo_a = mx + nrow;
	hi_a = lo_a + nb;
	lo_b = hi_a + nb;
	hi_b = lo_b + nb;
	thr_min = hi_b + nb;
	thr_max = thr_min + nb;
	cl = (int8_t *)(thr_max + nb);
	memset(lo_a, 255, nb);
	memset(hi_a, 0, nb);
	memset(lo_b, 255, nb);
	memset(hi_b, 0, nb);
	/*
	 * The searched rows of both planes, and each block's darkest and
	 * lightest values on them (the rows between add little to a block's
	 * range).
	 */
	for (unsigned int y = 0; y < h; y += FIND_ROW_STEP) {
		uint8_t *a = mn + (size_t)(y / FIND_ROW_STEP) * w;
		uint8_t *b = mx + (size_t)(y / FIND_ROW_STEP) * w;
		size_t brow = (size_t)(y / FIND_BLOCK) * bw;

		if (!rgb) {
			memcpy(a, f->data + (size_t)y * f->stride, w);
			memcpy(b, a, w);
		} else {
			const uint8_t *in = rgb->px + (size_t)y * rgb->stride;

			for (unsigned int x = 0; x < w; x++, in += 3) {
				uint8_t p = in[0], q = in[1], r = in[2];
				uint8_t lo = p < q ? p : q, hi = p < q ? q : p;

				a[x] = lo < r ? lo : r;
				b[x] = hi > r ? hi : r;
			}
		}
		for (unsigned int x0 = 0, k = 0; x0 < w; x0 += FIND_BLOCK, k++) {
			unsigned int x1 = x0 + FIND_BLOCK < w ? x0 + FIND_BLOCK : w;
			uint8_t l1 = lo_a[brow + k], h1 = hi_a[brow + k];
			uint8_t l2 = lo_b[brow + k], h2 = hi_b[brow + k];

			for (unsigned int x = x0; x < x1; x++) {
				l1 = a[x] < l1 ? a[x] : l1;
				h1 = a[x] > h1 ? a[x] : h1;
				l2 = b[x] < l2 ? b[x] : l2;
				h2 = b[x] > h2 ? b[x] : h2;
			}
			lo_a[brow + k] = l1;
			hi_a[brow + k] = h1;
			lo_b[brow + k] = l2;
			hi_b[brow + k] = h2;
		}
	}
	thresholds(lo_a, hi_a, thr_min, bw, bh);
	thresholds(lo_b, hi_b, thr_max, bw, bh);
	{
		struct view vmin = { f, rgb, thr_min, bw, 0 }, vmax = { f, rgb, thr_max, bw, 1 };

		n = search(&vmin, mn, cl, 1, out, 0, max);
		n = search(&vmax, mx, cl, 0, out, n, max);
	}
	return n;
}

/*
 * A busy spot (scan__busy_spot()): BUSY_SIDE x BUSY_SIDE blocks, each with
 * a range of at least BUSY_RANGE grey levels, in a frame where at most one
 * block in BUSY_SHARE has one.
 */
#define BUSY_SIDE 4
#define BUSY_RANGE 64
#define BUSY_SHARE 16

int scan__busy_spot(const struct snt_scanner *s, unsigned int w, unsigned int h, float *x,
		    float *y)
{
	unsigned int bw = (w + FIND_BLOCK - 1) / FIND_BLOCK, bh = (h + FIND_BLOCK - 1) / FIND_BLOCK;
	unsigned int nrows = (h + FIND_ROW_STEP - 1) / FIND_ROW_STEP, best = 0, bx0 = 0, by0 = 0;
	size_t nrow = (size_t)w * nrows, nb = (size_t)bw * bh, busy = 0;
	const uint8_t *lo, *hi;

	/* The minimum channel's block ranges, where scan__find_finders() left them. */
	if (!s->find || w < FIND_MIN_WIDTH || h < FIND_MIN_WIDTH || bw < BUSY_SIDE ||
	    bh < BUSY_SIDE || s->find_cap < 2 * nrow + 2 * nb)
		return 0;
	lo = s->find + 2 * nrow;
	hi = lo + nb;
	for (size_t i = 0; i < nb; i++)
		busy += (unsigned int)(hi[i] - lo[i]) >= BUSY_RANGE;
	if (busy < BUSY_SIDE * BUSY_SIDE || busy * BUSY_SHARE > nb)
		return 0;
	for (unsigned int by = 0; by + BUSY_SIDE <= bh; by++)
		for (unsigned int bx = 0; bx + BUSY_SIDE <= bw; bx++) {
			unsigned int least = 255;

			for (unsigned int j = 0; j < BUSY_SIDE; j++)
				for (unsigned int i = 0; i < BUSY_SIDE; i++) {
					size_t q = (size_t)(by + j) * bw + bx + i;
					unsigned int r = (unsigned int)(hi[q] - lo[q]);

					least = r < least ? r : least;
				}
			if (least > best) {
				best = least;
				bx0 = bx;
				by0 = by;
			}
		}
	if (best < BUSY_RANGE)
		return 0;
	*x = ((float)bx0 + BUSY_SIDE / 2.0f) * FIND_BLOCK;
	*y = ((float)by0 + BUSY_SIDE / 2.0f) * FIND_BLOCK;
	return 1;
}

/*
 * Confirming weak candidates: the largest module of a weak candidate looked
 * at again (pixels), the half side of the window searched around it
 * (pixels: a code of up to about 200 pixels across, any of its finders at
 * the centre), the most windows searched per frame, the radius of the
 * local mean the window is binarised by (pixels), and the largest ratio of
 * module sizes, and the least and most finder distance (modules), of two
 * finders of one code.
 */
#define CONFIRM_MODULE 6.0f
#define CONFIRM_REACH 100
#define CONFIRM_WINDOWS 4
#define CONFIRM_RADIUS 4
#define CONFIRM_MODULE_RATIO 1.5f
#define CONFIRM_MIN_DIST 10.0f
#define CONFIRM_MAX_DIST 60.0f

/* 1 if @a and @b can be two finders of one code (sizes alike, a plausible distance apart). */
static int finder_pair(const struct scan__cand *a, const struct scan__cand *b)
{
	float m = (a->module + b->module) / 2, dx = a->x - b->x, dy = a->y - b->y;
	float d2 = dx * dx + dy * dy;

	if (a->module > CONFIRM_MODULE_RATIO * b->module || b->module > CONFIRM_MODULE_RATIO * a->module)
		return 0;
	return d2 >= CONFIRM_MIN_DIST * CONFIRM_MIN_DIST * m * m &&
	       d2 <= CONFIRM_MAX_DIST * CONFIRM_MAX_DIST * m * m;
}

size_t scan__confirm_finders(struct snt_scanner *s, const struct snt_frame *f,
			     const struct scan__rgb *rgb, struct scan__cand *c, size_t n, size_t max)
{
	unsigned int done[CONFIRM_WINDOWS][4];
	size_t nwin = 0, n0 = n;

	for (size_t i = 0; i < n0 && nwin < CONFIRM_WINDOWS; i++) {
		struct scan__cand found[SCAN__MAX_CANDS];
		const struct scan__cand *k = &c[i];
		unsigned int x0, y0, x1, y1, w, h;
		struct snt_frame win;
		uint8_t *px;
		uint32_t *sat;
		size_t nf, nstrong = 0, first = n;
		int covered = 0, pair = 0;

		if (k->hits >= SCAN__FINDER_HITS || k->inverted || k->module > CONFIRM_MODULE)
			continue;
		for (size_t j = 0; j < nwin; j++)
			covered |= k->x >= (float)done[j][0] && k->x < (float)done[j][2] &&
				   k->y >= (float)done[j][1] && k->y < (float)done[j][3];
		if (covered)
			continue;
		x0 = k->x > CONFIRM_REACH ? (unsigned int)k->x - CONFIRM_REACH : 0;
		y0 = k->y > CONFIRM_REACH ? (unsigned int)k->y - CONFIRM_REACH : 0;
		x1 = (unsigned int)k->x + CONFIRM_REACH < f->width ? (unsigned int)k->x + CONFIRM_REACH
								     : f->width;
		y1 = (unsigned int)k->y + CONFIRM_REACH < f->height ? (unsigned int)k->y + CONFIRM_REACH
								      : f->height;
		done[nwin][0] = x0;
		done[nwin][1] = y0;
		done[nwin][2] = x1;
		done[nwin][3] = y1;
		nwin++;
		w = x1 - x0;
		h = y1 - y0;
		if (w < 2 * FIND_MIN_WIDTH || h < 2 * FIND_MIN_WIDTH)
			continue;
		px = scan__grow(s->grid_bin, &s->grid_bin_cap, (size_t)w * h);
		if (!px)
			return SIZE_MAX;
		s->grid_bin = px;
		sat = scan__grow(s->integral, &s->integral_cap,
				 ((size_t)w + 1) * ((size_t)h + 1) * sizeof(*sat));
		if (!sat)
			return SIZE_MAX;
		s->integral = sat;
		/* The window's minimum channel, binarised by the local mean. */
		for (unsigned int y = 0; y < h; y++) {
			uint8_t *o = px + (size_t)y * w;

			if (!rgb) {
				memcpy(o, f->data + (size_t)(y0 + y) * f->stride + x0, w);
				continue;
			}
			const uint8_t *in = rgb->px + (size_t)(y0 + y) * rgb->stride + (size_t)x0 * 3;

			for (unsigned int x = 0; x < w; x++, in += 3) {
				uint8_t m = in[0] < in[1] ? in[0] : in[1];

				o[x] = m < in[2] ? m : in[2];
			}
		}
		scan__binarise(px, w, h, CONFIRM_RADIUS, sat);
		win = (struct snt_frame){ SNT_PIXFMT_GREY, w, h, w, px };
		nf = scan__find_finders(s, &win, NULL, found, SCAN__MAX_CANDS);
		if (nf == SIZE_MAX)
			return SIZE_MAX;
		/* Dark centres crossed twice, two of them alike and a code's size apart. */
		for (size_t a = 0; a < nf; a++) {
			if (found[a].inverted || found[a].hits < SCAN__FINDER_HITS)
				continue;
			for (size_t b = 0; b < a && !pair; b++)
				pair = !found[b].inverted && found[b].hits >= SCAN__FINDER_HITS &&
				       finder_pair(&found[a], &found[b]);
			found[nstrong++] = found[a];
		}
		if (!pair)
			continue;
		for (size_t a = 0; a < nstrong && n < max; a++) {
			found[a].x += (float)x0;
			found[a].y += (float)y0;
			c[n++] = found[a];
		}
		if (n > first)
			return n;
	}
	return n0;
}
