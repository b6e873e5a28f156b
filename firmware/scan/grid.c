// SPDX-License-Identifier: MIT
/*
 * Reading a QR code by sampling its module grid (ISO/IEC 18004:2015 §6.3,
 * §12): for codes whose modules are too few pixels, too blurred or too noisy
 * for zbar to sample them itself.
 *
 * Finder patterns are searched for (find.c) on the plane as it is and
 * binarised by the local mean over a few window sizes (blur fills a
 * finder's one-module light ring, the local mean brings it back).  Three
 * candidates that lie like the finders of one code (a corner, two arms of
 * about the same length at about a right angle; the most crossed
 * candidates and equal module sizes first) are refined to the centres of
 * their dark cores (weighted centroid of the pixels darker than the local
 * mean).
 *
 * Fitted grids come first.  For every version the finder distance allows,
 * the grid the three centres span is scored by how well the modules whose
 * shade the standard fixes (finder patterns and separators, timing and
 * alignment patterns, §6.3) correlate with their samples; the best of all
 * triples and versions are then fitted: the image points of the four
 * corner finder centres (the fourth where the grid puts it) moved half a
 * module at a time, then less, while that correlation grows, which makes
 * the grid perspective and places it to a fraction of a module where the
 * finder centres alone are a pixel off.  Then, as before fitting was done,
 * the grids of the best-shaped triples: the version chosen by the timing
 * patterns (§6.3.5: row and column 6 alternate dark and light), and for
 * versions 2 and up the bottom-right alignment pattern (§6.3.6) looked for
 * near where the grid puts it, the grid made perspective through it.
 *
 * Every module is sampled (the mean of five points a quarter module apart,
 * bilinear) and judged dark or light against the mean of the 7x7 modules
 * around it: as it is; with the share of its neighbours taken off (blur
 * mixes a module of a pixel or two into them: the sample modelled as a
 * linear function of its own shade and of how many of its edge and
 * diagonal neighbours are dark, fitted by least squares, and each module
 * judged again from its neighbours' last shades); by deconvolution in
 * module space, from there (deconv.c: the 5x5 modules around each and a
 * background that varies across the code, for codes of about two pixels a
 * module blurred over several); against that mean moved a little each way;
 * and sharpened against its four neighbours.  Each result
 * is drawn as a clean code, GRID_PX pixels a module with a quiet zone, its
 * function patterns as the standard has them, which zbar then reads, error
 * correction and all.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <zbar.h>

#include "scan/scan_internal.h"

/* Rendered pixels per module, and quiet-zone modules (§6.3.8 asks for 4). */
#define GRID_PX 4
#define GRID_QUIET 4
/* Finder candidates considered (the most crossed ones). */
#define GRID_CANDS 12
/*
 * Grid fitting: triples whose grids are ranked (best-shaped first), grids
 * fitted coarsely, grids fitted finely and tried; rounds per step; most
 * fixed modules of a code (finders, separators, timing and alignment
 * patterns of version SCAN__GRID_MAX_VERSION).
 */
#define GRID_FIT_TRIPLES 24
#define GRID_COARSE 12
#define GRID_FITS 6
#define GRID_FIT_ROUNDS 8
#define GRID_MAX_FIXED 640
/* Finder triples tried per frame, best-shaped first. */
#define GRID_TRIPLES 6
/* Versions tried per triple (the best-alternating timing patterns). */
#define GRID_VERSIONS 4
/* Most zbar passes one grid read makes. */
#define GRID_PASSES 48
/*
 * How the samples are judged, in the order tried: the threshold offset, as
 * a share of the grid's dark-to-light range; and whether each sample is
 * first sharpened against its four neighbours (blur spreads a module of one
 * or two pixels into them).
 */
static const struct {
	float offset;
	uint8_t sharpen;
	uint8_t equalise;
	uint8_t deconvolve;	/* equalised, then scan__grid_deconvolve() */
} grid_judge[] = { { 0.0f, 0, 0, 0 },	 { 0.0f, 0, 0, 1 }, { 0.0f, 0, 1, 0 },
		   { -0.08f, 0, 0, 0 }, { 0.08f, 0, 0, 0 }, { 0.0f, 1, 0, 0 } };
/* Rounds of judging again with the neighbours' share taken off (equalise()). */
#define GRID_EQ_ROUNDS 4
/* Sharpening: each sample less this much of its four neighbours' mean difference. */
#define GRID_SHARPEN 0.5f
/* Binarising windows (radius, pixels) of the finder searches; 0: the plane as it is. */
static const unsigned int grid_bin_radius[] = { 0, 4, 7, 12 };

/* Centres of the alignment patterns (§6.3.6, Annex E), versions 2..SCAN__GRID_MAX_VERSION. */
static const uint8_t align_pos[SCAN__GRID_MAX_VERSION + 1][4] = {
	{ 0 },		{ 0 },		{ 6, 18 },	{ 6, 22 },	{ 6, 26 },
	{ 6, 30 },	{ 6, 34 },	{ 6, 22, 38 },	{ 6, 24, 42 },	{ 6, 26, 46 },
	{ 6, 28, 50 },	{ 6, 30, 54 },	{ 6, 32, 58 },	{ 6, 34, 62 },	{ 6, 26, 46, 66 },
};

/* 1 when the frame's budget is spent (s->deadline_ms). */
static int late(const struct snt_scanner *s)
{
	return s->deadline_ms > 0 && scan__now_ms() >= s->deadline_ms;
}

/* A grid: module coordinates (u, v) to plane pixels through a homography. */
struct grid_map {
	float h[9];
};

static void map_pt(const struct grid_map *g, float u, float v, float *x, float *y)
{
	float d = g->h[6] * u + g->h[7] * v + g->h[8];

	if (fabsf(d) < 1e-6f)
		d = 1e-6f;
	*x = (g->h[0] * u + g->h[1] * v + g->h[2]) / d;
	*y = (g->h[3] * u + g->h[4] * v + g->h[5]) / d;
}

void scan__grid_map_point(const float h[9], float u, float v, float *x, float *y)
{
	struct grid_map g;

	memcpy(g.h, h, sizeof(g.h));
	map_pt(&g, u, v, x, y);
}

/* Plane value at (@x, @y), bilinear; outside the plane, the nearest edge pixel. */
static float sample(const uint8_t *px, unsigned int w, unsigned int h, float x, float y)
{
	int x0, y0, x1, y1;
	float fx, fy, a, b;

	x = x < 0 ? 0 : x > (float)(w - 1) ? (float)(w - 1) : x;
	y = y < 0 ? 0 : y > (float)(h - 1) ? (float)(h - 1) : y;
	x0 = (int)x;
	y0 = (int)y;
	x1 = x0 + 1 < (int)w ? x0 + 1 : x0;
	y1 = y0 + 1 < (int)h ? y0 + 1 : y0;
	fx = x - (float)x0;
	fy = y - (float)y0;
	a = px[(size_t)y0 * w + x0] * (1 - fx) + px[(size_t)y0 * w + x1] * fx;
	b = px[(size_t)y1 * w + x0] * (1 - fx) + px[(size_t)y1 * w + x1] * fx;
	return a * (1 - fy) + b * fy;
}

/*
 * The homography taking the four points @uv (module coordinates) to @xy
 * (pixels); 0, or -1 when they are degenerate.  Solved as the 8x8 linear
 * system with h[8] = 1 (scan__solve()).
 */
static int homography(const float uv[4][2], const float xy[4][2], struct grid_map *g)
{
	double a[8][9], h[8];

	for (int i = 0; i < 4; i++) {
		double u = uv[i][0], v = uv[i][1], x = xy[i][0], y = xy[i][1];
		double r0[9] = { u, v, 1, 0, 0, 0, -u * x, -v * x, x };
		double r1[9] = { 0, 0, 0, u, v, 1, -u * y, -v * y, y };

		memcpy(a[2 * i], r0, sizeof(r0));
		memcpy(a[2 * i + 1], r1, sizeof(r1));
	}
	if (scan__solve(&a[0][0], 8, h))
		return -1;
	for (int i = 0; i < 8; i++)
		g->h[i] = (float)h[i];
	g->h[8] = 1;
	return 0;
}

/* The affine grid putting finder centres @tl, @tr, @bl at their modules of an @n-module code. */
static void affine(const float tl[2], const float tr[2], const float bl[2], unsigned int n,
		   struct grid_map *g)
{
	float k = 1.0f / (float)(n - 7);
	float ux = (tr[0] - tl[0]) * k, uy = (tr[1] - tl[1]) * k;
	float vx = (bl[0] - tl[0]) * k, vy = (bl[1] - tl[1]) * k;

	/* Finder centres sit at module coordinates 3.5 from the code's edges. */
	g->h[0] = ux;
	g->h[1] = vx;
	g->h[2] = tl[0] - 3.5f * (ux + vx);
	g->h[3] = uy;
	g->h[4] = vy;
	g->h[5] = tl[1] - 3.5f * (uy + vy);
	g->h[6] = 0;
	g->h[7] = 0;
	g->h[8] = 1;
}

/*
 * A finder's centre refined to the weighted centroid of the pixels darker
 * than the mean of the 9x9 modules around it, within two modules of the
 * centre (the 3x3 dark core and part of the light ring around it).  0, or
 * -1 when there is no dark core there.
 */
static int refine(const uint8_t *px, unsigned int w, unsigned int h, float m, float *cx,
		  float *cy)
{
	int r = (int)ceilf(4.5f * m), x0, x1, y0, y1;
	double sum = 0;
	unsigned int n = 0;
	float t;

	x0 = (int)*cx - r;
	x1 = (int)*cx + r;
	y0 = (int)*cy - r;
	y1 = (int)*cy + r;
	x0 = x0 < 0 ? 0 : x0;
	y0 = y0 < 0 ? 0 : y0;
	x1 = x1 >= (int)w ? (int)w - 1 : x1;
	y1 = y1 >= (int)h ? (int)h - 1 : y1;
	for (int y = y0; y <= y1; y++)
		for (int x = x0; x <= x1; x++, n++)
			sum += px[(size_t)y * w + x];
	if (n == 0)
		return -1;
	t = (float)(sum / n);
	for (int it = 0; it < 3; it++) {
		float rr = 2.0f * m, sw = 0, sx = 0, sy = 0;
		int ax = (int)floorf(*cx - rr), bx = (int)ceilf(*cx + rr);
		int ay = (int)floorf(*cy - rr), by = (int)ceilf(*cy + rr);

		for (int y = ay < 0 ? 0 : ay; y <= by && y < (int)h; y++)
			for (int x = ax < 0 ? 0 : ax; x <= bx && x < (int)w; x++) {
				float dx = (float)x - *cx, dy = (float)y - *cy;
				float d = t - px[(size_t)y * w + x];

				if (d <= 0 || dx * dx + dy * dy > rr * rr)
					continue;
				sw += d;
				sx += d * (float)x;
				sy += d * (float)y;
			}
		if (sw <= 0)
			return -1;
		*cx = sx / sw;
		*cy = sy / sw;
	}
	return 0;
}

/*
 * 1 if module (@r, @c) of an @n-module code is in a finder pattern, its
 * separator or a timing pattern (§6.3.3, §6.3.5), with its shade in @dark.
 */
int scan__grid_fixed_module(unsigned int n, unsigned int r, unsigned int c, int *dark)
{
	int fr, fc, d;

	if (!((r < 8 || c < 8) && (r < 8 || r >= n - 8) && (c < 8 || c >= n - 8))) {
		if (r != 6 && c != 6)
			return 0;
		*dark = (r == 6 ? c : r) % 2 == 0;
		return 1;
	}
	/* Position in the finder's 7x7 modules (-1 or 7: the separator). */
	fr = r < 8 ? (int)r : (int)r - (int)(n - 7);
	fc = c < 8 ? (int)c : (int)c - (int)(n - 7);
	if (fr < 0 || fc < 0 || fr > 6 || fc > 6) {
		*dark = 0;
		return 1;
	}
	d = abs(fr - 3) > abs(fc - 3) ? abs(fr - 3) : abs(fc - 3);
	*dark = d == 3 || d <= 1;
	return 1;
}

/* 1 if module (@r, @c) lies in an alignment pattern of version @v (and its shade in @dark). */
int scan__grid_align_module(unsigned int v, unsigned int n, unsigned int r, unsigned int c,
			    int *dark)
{
	const uint8_t *pos = align_pos[v];

	for (int i = 0; i < 4 && pos[i]; i++)
		for (int j = 0; j < 4 && pos[j]; j++) {
			int ar = pos[i], ac = pos[j], dr = (int)r - ar, dc = (int)c - ac;
			int d;

			/* Not where a finder is. */
			if ((ar == 6 && ac == 6) || (ar == 6 && ac == (int)n - 7) ||
			    (ar == (int)n - 7 && ac == 6))
				continue;
			if (abs(dr) > 2 || abs(dc) > 2)
				continue;
			d = abs(dr) > abs(dc) ? abs(dr) : abs(dc);
			*dark = d != 1;
			return 1;
		}
	return 0;
}

/*
 * How well the timing patterns of grid @g (an @n-module code) alternate:
 * the mean of (light expected ? +1 : -1) * (sample - mean) over row and
 * column 6 between the separators, over the samples' spread.
 */
static float timing_score(const uint8_t *px, unsigned int w, unsigned int h,
			  const struct grid_map *g, unsigned int n)
{
	float vals[2 * 64], mean = 0, var = 0, score = 0;
	unsigned int k = 0;

	for (unsigned int i = 8; i + 8 < n && k + 2 <= SNT_ARRAY_SIZE(vals); i++) {
		float x, y;

		map_pt(g, (float)i + 0.5f, 6.5f, &x, &y);
		vals[k++] = sample(px, w, h, x, y);
		map_pt(g, 6.5f, (float)i + 0.5f, &x, &y);
		vals[k++] = sample(px, w, h, x, y);
	}
	if (k == 0)
		return -1;
	for (unsigned int i = 0; i < k; i++)
		mean += vals[i];
	mean /= (float)k;
	for (unsigned int i = 0; i < k; i++) {
		float d = vals[i] - mean;
		unsigned int idx = 8 + i / 2;

		var += d * d;
		score += idx % 2 ? d : -d;
	}
	var = sqrtf(var / (float)k);
	return var > 0 ? score / (float)k / var : 0;
}

/*
 * Look for the bottom-right alignment pattern of grid @g (an @n-module code
 * of version >= 2) within two modules of where @g puts it: the point where
 * the ring of the 8 modules around minus the mean of the centre and the 16
 * outer modules is largest.  Its centre in @x, @y; 0, or -1 if none stands
 * out.
 */
static int find_alignment(const uint8_t *px, unsigned int w, unsigned int h,
			  const struct grid_map *g, unsigned int n, float *ax, float *ay)
{
	float best = 0, cu = (float)n - 6.5f;
	float ux, uy, vx, vy, x0, y0;
	float range;

	map_pt(g, cu, cu, &x0, &y0);
	map_pt(g, cu + 1, cu, &ux, &uy);
	map_pt(g, cu, cu + 1, &vx, &vy);
	ux -= x0;
	uy -= y0;
	vx -= x0;
	vy -= y0;
	{
		float lo = 255, hi = 0;

		for (int j = -3; j <= 3; j++)
			for (int i = -3; i <= 3; i++) {
				float v = sample(px, w, h, x0 + (float)i * ux + (float)j * vx,
						 y0 + (float)i * uy + (float)j * vy);

				lo = v < lo ? v : lo;
				hi = v > hi ? v : hi;
			}
		range = hi - lo;
	}
	if (range < 16)
		return -1;
	for (int sj = -8; sj <= 8; sj++)
		for (int si = -8; si <= 8; si++) {
			float du = (float)si / 4, dv = (float)sj / 4, ring = 0, rest = 0, s;
			float px0 = x0 + du * ux + dv * vx, py0 = y0 + du * uy + dv * vy;

			for (int j = -2; j <= 2; j++)
				for (int i = -2; i <= 2; i++) {
					float v = sample(px, w, h, px0 + (float)i * ux + (float)j * vx,
							 py0 + (float)i * uy + (float)j * vy);
					int d = abs(i) > abs(j) ? abs(i) : abs(j);

					if (d == 1)
						ring += v;
					else
						rest += v;
				}
			s = ring / 8 - rest / 17;
			if (s > best) {
				best = s;
				*ax = px0;
				*ay = py0;
			}
		}
	return best > 0.35f * range ? 0 : -1;
}

/*
 * Sample every module of grid @g (an @n-module code) into @val: the mean of
 * the centre and four points a quarter module from it.
 */
static void sample_grid(const uint8_t *px, unsigned int w, unsigned int h,
			const struct grid_map *g, unsigned int n, float *val)
{
	static const float off[5][2] = { { 0, 0 }, { -0.25f, 0 }, { 0.25f, 0 }, { 0, -0.25f },
					 { 0, 0.25f } };

	for (unsigned int r = 0; r < n; r++)
		for (unsigned int c = 0; c < n; c++) {
			float sum = 0;

			for (int k = 0; k < 5; k++) {
				float x, y;

				map_pt(g, (float)c + 0.5f + off[k][0], (float)r + 0.5f + off[k][1], &x,
				       &y);
				sum += sample(px, w, h, x, y);
			}
			val[(size_t)r * n + c] = sum / 5;
		}
}

/*
 * Draw the code of version @v (@n modules) from the module shades @dark
 * (@n x @n, 1 dark), its function patterns as the standard has them, into
 * @out, @side x @side pixels, light 255 and dark 0.
 */
static void render(const uint8_t *dark, unsigned int v, unsigned int n, uint8_t *out,
		   unsigned int side)
{
	memset(out, 255, (size_t)side * side);
	for (unsigned int r = 0; r < n; r++)
		for (unsigned int c = 0; c < n; c++) {
			int d;

			if (!scan__grid_fixed_module(n, r, c, &d) &&
			    !scan__grid_align_module(v, n, r, c, &d))
				d = dark[(size_t)r * n + c];
			if (!d)
				continue;
			for (unsigned int y = 0; y < GRID_PX; y++)
				memset(out + (size_t)((r + GRID_QUIET) * GRID_PX + y) * side +
					       (c + GRID_QUIET) * GRID_PX,
				       0, GRID_PX);
		}
}

/* Dark modules of @val (@n x @n): under the mean of the 7x7 around them plus @offset. */
static void threshold(const float *val, const float *mean, unsigned int n, float offset,
		      uint8_t *dark)
{
	for (size_t i = 0; i < (size_t)n * n; i++)
		dark[i] = val[i] < mean[i] + offset;
}

/* Dark modules among the four edge neighbours (@o4) and four diagonal ones (@o8) of (@r, @c). */
static void neighbours(const uint8_t *dark, unsigned int n, unsigned int r, unsigned int c,
		       float *o4, float *o8)
{
	int a = 0, b = 0;

	for (int dy = -1; dy <= 1; dy++)
		for (int dx = -1; dx <= 1; dx++) {
			int y = (int)r + dy, x = (int)c + dx;

			if ((dx == 0 && dy == 0) || y < 0 || x < 0 || y >= (int)n || x >= (int)n)
				continue;
			if (dx == 0 || dy == 0)
				a += dark[(size_t)y * n + (size_t)x];
			else
				b += dark[(size_t)y * n + (size_t)x];
		}
	*o4 = (float)a;
	*o8 = (float)b;
}

/*
 * Dark modules of @val (@n x @n, version @v) with the blur between
 * neighbours taken out: each sample, less the mean of the 7x7 around it, is
 * modelled as a + b d + c (dark edge neighbours) + e (dark diagonal ones),
 * d its own shade; a, b, c, e fitted by least squares over all modules
 * (the fixed ones with their standard shades, the others as last judged),
 * and each module judged again with its neighbours' share taken off
 * (GRID_EQ_ROUNDS times, from the plain threshold).  0, or -1 when the fit
 * finds no contrast.
 */
static int equalise(const float *val, const float *mean, unsigned int v, unsigned int n,
		    uint8_t *dark)
{
	uint8_t prev[SCAN__GRID_MAX_N * SCAN__GRID_MAX_N];

	threshold(val, mean, n, 0, dark);
	for (int round = 0; round < GRID_EQ_ROUNDS; round++) {
		double a[4][5] = { { 0 } }, bd[4];
		float b[4];

		for (unsigned int r = 0; r < n; r++)
			for (unsigned int c = 0; c < n; c++) {
				int d;

				if (scan__grid_fixed_module(n, r, c, &d) ||
				    scan__grid_align_module(v, n, r, c, &d))
					dark[(size_t)r * n + c] = (uint8_t)d;
			}
		for (unsigned int r = 0; r < n; r++)
			for (unsigned int c = 0; c < n; c++) {
				size_t i = (size_t)r * n + c;
				float x[4] = { 1, dark[i], 0, 0 }, y = val[i] - mean[i];

				neighbours(dark, n, r, c, &x[2], &x[3]);
				for (int j = 0; j < 4; j++) {
					for (int k = 0; k < 4; k++)
						a[j][k] += (double)x[j] * x[k];
					a[j][4] += (double)x[j] * y;
				}
			}
		if (scan__solve(&a[0][0], 4, bd))
			return -1;
		for (int j = 0; j < 4; j++)
			b[j] = (float)bd[j];
		/* A dark module must lower its sample. */
		if (b[1] >= 0)
			return -1;
		memcpy(prev, dark, (size_t)n * n);
		for (unsigned int r = 0; r < n; r++)
			for (unsigned int c = 0; c < n; c++) {
				size_t i = (size_t)r * n + c;
				float o4, o8;

				neighbours(prev, n, r, c, &o4, &o8);
				dark[i] = val[i] - mean[i] - (b[0] + b[2] * o4 + b[3] * o8) < b[1] / 2;
			}
	}
	return 0;
}

/*
 * @val (@n x @n) sharpened into @out: each sample moved away from the mean
 * of its four neighbours by GRID_SHARPEN of the difference (edges: the
 * neighbours there are).
 */
static void sharpen(const float *val, unsigned int n, float *out)
{
	for (unsigned int r = 0; r < n; r++)
		for (unsigned int c = 0; c < n; c++) {
			float sum = 0, v = val[(size_t)r * n + c];
			unsigned int k = 0;

			if (r > 0)
				sum += val[(size_t)(r - 1) * n + c], k++;
			if (r + 1 < n)
				sum += val[(size_t)(r + 1) * n + c], k++;
			if (c > 0)
				sum += val[(size_t)r * n + c - 1], k++;
			if (c + 1 < n)
				sum += val[(size_t)r * n + c + 1], k++;
			out[(size_t)r * n + c] = v + GRID_SHARPEN * (v - sum / (float)k);
		}
}

/* The mean of the 7x7 modules around each module of @val (@n x @n) into @mean. */
static void local_mean(const float *val, unsigned int n, float *mean)
{
	for (unsigned int r = 0; r < n; r++)
		for (unsigned int c = 0; c < n; c++) {
			unsigned int r0 = r > 3 ? r - 3 : 0, r1 = r + 3 < n ? r + 3 : n - 1;
			unsigned int c0 = c > 3 ? c - 3 : 0, c1 = c + 3 < n ? c + 3 : n - 1;
			float sum = 0;

			for (unsigned int y = r0; y <= r1; y++)
				for (unsigned int x = c0; x <= c1; x++)
					sum += val[(size_t)y * n + x];
			mean[(size_t)r * n + c] = sum / (float)((r1 - r0 + 1) * (c1 - c0 + 1));
		}
}

/* A module whose shade the standard fixes: its centre (module coordinates) and shade. */
struct fixed {
	float u, v;
	float e;		/* light +1, dark -1 */
};

/*
 * The modules of an @n-module code (version @v) whose shade the standard
 * fixes (finder patterns and separators, timing patterns, alignment
 * patterns) into @f (GRID_MAX_FIXED).  Returns how many.
 */
static size_t fixed_list(unsigned int v, unsigned int n, struct fixed *f)
{
	size_t k = 0;

	for (unsigned int r = 0; r < n; r++)
		for (unsigned int c = 0; c < n; c++) {
			int dark;

			if (k == GRID_MAX_FIXED)
				return k;
			if (!scan__grid_fixed_module(n, r, c, &dark) &&
			    !scan__grid_align_module(v, n, r, c, &dark))
				continue;
			f[k++] = (struct fixed){ (float)c + 0.5f, (float)r + 0.5f, dark ? -1.0f : 1.0f };
		}
	return k;
}

/*
 * How well grid @g lies on the code in @px: the correlation of the samples
 * at the fixed modules @f[0..nf-1] with their shades; -1 .. 1.
 */
static float fixed_score(const uint8_t *px, unsigned int w, unsigned int h,
			 const struct grid_map *g, const struct fixed *f, size_t nf)
{
	double sv = 0, svv = 0, se = 0, see = 0, sve = 0, cov, vv, ve;

	if (nf < 2)
		return -1;
	for (size_t k = 0; k < nf; k++) {
		float x, y, val;

		map_pt(g, f[k].u, f[k].v, &x, &y);
		val = sample(px, w, h, x, y);
		sv += val;
		svv += (double)val * val;
		se += f[k].e;
		see += (double)f[k].e * f[k].e;
		sve += (double)val * f[k].e;
	}
	cov = sve - sv * se / (double)nf;
	vv = svv - sv * sv / (double)nf;
	ve = see - se * se / (double)nf;
	return vv > 0 && ve > 0 ? (float)(cov / sqrt(vv * ve)) : -1;
}

/*
 * Grid @g of an @n-module code (version @v) moved to where its fixed
 * modules fit the plane best (fixed_score()): the image points of the
 * finder centres and of module (n - 3.5, n - 3.5) each moved in steps of
 * half a module down to 1/@finest of one, one coordinate at a time, while
 * the score grows (at most GRID_FIT_ROUNDS rounds a step).  Returns the
 * score of the result.
 */
static float fit_grid(const uint8_t *px, unsigned int w, unsigned int h, struct grid_map *g,
		      unsigned int v, unsigned int finest)
{
	struct fixed f[GRID_MAX_FIXED];
	unsigned int n = 17 + 4 * v;
	float uv[4][2] = { { 3.5f, 3.5f },
			   { (float)n - 3.5f, 3.5f },
			   { 3.5f, (float)n - 3.5f },
			   { (float)n - 3.5f, (float)n - 3.5f } };
	float xy[4][2], best, mod;
	size_t nf = fixed_list(v, n, f);

	for (int i = 0; i < 4; i++)
		map_pt(g, uv[i][0], uv[i][1], &xy[i][0], &xy[i][1]);
	mod = hypotf(xy[1][0] - xy[0][0], xy[1][1] - xy[0][1]) / (float)(n - 7);
	best = fixed_score(px, w, h, g, f, nf);
	for (float step = 0.5f * mod; step >= mod / (float)finest; step /= 2) {
		for (int round = 0, moved = 1; moved && round < GRID_FIT_ROUNDS; round++) {
			moved = 0;
			for (int i = 0; i < 8; i++)
				for (int sgn = -1; sgn <= 1; sgn += 2) {
					struct grid_map t;
					float keep = xy[i / 2][i % 2], sc;

					xy[i / 2][i % 2] = keep + (float)sgn * step;
					if (homography((const float(*)[2])uv, (const float(*)[2])xy, &t) ||
					    (sc = fixed_score(px, w, h, &t, f, nf)) <= best) {
						xy[i / 2][i % 2] = keep;
						continue;
					}
					best = sc;
					*g = t;
					moved = 1;
				}
		}
	}
	return best;
}

/* A triple of finder centres in code order, and how well it is shaped (lower is better). */
struct triple {
	float p[3][2];		/* top-left, top-right, bottom-left */
	float module;
	float score;
};

/*
 * @a, @b, @c as the finders of one code, if they can be: the corner is the
 * one whose arms are nearest a right angle and of equal length; the arms are
 * ordered so that top-right to bottom-left turns clockwise (image rows go
 * down).  0, or -1 when no corner fits.
 */
static int shape(const struct scan__cand *a, const struct scan__cand *b, const struct scan__cand *c,
		 struct triple *t)
{
	const struct scan__cand *p[3] = { a, b, c };
	float best = 1e9f;
	int found = -1;
	float m = (a->module + b->module + c->module) / 3;

	for (int i = 0; i < 3; i++) {
		const struct scan__cand *o = p[i], *j = p[(i + 1) % 3], *k = p[(i + 2) % 3];
		float ux = j->x - o->x, uy = j->y - o->y, vx = k->x - o->x, vy = k->y - o->y;
		float lu = sqrtf(ux * ux + uy * uy), lv = sqrtf(vx * vx + vy * vy);
		float cosang, ratio, sc;

		if (lu < 10 * m || lv < 10 * m || lu > 90 * m || lv > 90 * m)
			continue;
		cosang = (ux * vx + uy * vy) / (lu * lv);
		ratio = lu > lv ? lu / lv : lv / lu;
		if (fabsf(cosang) > 0.45f || ratio > 1.6f)
			continue;
		sc = fabsf(cosang) + (ratio - 1);
		if (sc >= best)
			continue;
		best = sc;
		found = 0;
		t->p[0][0] = o->x;
		t->p[0][1] = o->y;
		if (ux * vy - uy * vx > 0) {
			t->p[1][0] = j->x, t->p[1][1] = j->y;
			t->p[2][0] = k->x, t->p[2][1] = k->y;
		} else {
			t->p[1][0] = k->x, t->p[1][1] = k->y;
			t->p[2][0] = j->x, t->p[2][1] = j->y;
		}
	}
	if (found)
		return -1;
	for (int i = 0; i < 3; i++) {
		float mi = p[i]->module;

		for (int j = 0; j < 3; j++)
			if (mi > 2 * p[j]->module)
				return -1;
	}
	t->module = m;
	/* Shape, then candidates crossed by fewer rows and of unequal modules. */
	t->score = best;
	for (int i = 0; i < 3; i++) {
		float lo = fminf(fminf(a->module, b->module), c->module);
		float hi = fmaxf(fmaxf(a->module, b->module), c->module);

		t->score += (p[i]->hits < SCAN__FINDER_HITS ? 0.3f : 0) + (hi / lo - 1) / 6;
	}
	return 0;
}

/* Triples from @c (@nc candidates of one shade), best-shaped first, into @t (at most @max). */
static size_t triples(const struct scan__cand *c, size_t nc, struct triple *t, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < nc; i++)
		for (size_t j = i + 1; j < nc; j++)
			for (size_t k = j + 1; k < nc; k++) {
				struct triple x;
				size_t at;

				if (shape(&c[i], &c[j], &c[k], &x))
					continue;
				for (at = n; at > 0 && t[at - 1].score > x.score; at--)
					if (at < max)
						t[at] = t[at - 1];
				if (at < max)
					t[at] = x;
				n += n < max;
			}
	return n;
}

/* A grid fitted to the plane (fit_grid()), of version @v. */
struct fitted {
	struct grid_map g;
	unsigned int v;
	float score;
};

/*
 * The module counts triple @t's finder distance allows: 0.7 to 1.5 times
 * its estimate (finder distance over module size, plus 7).
 */
static void version_range(const struct triple *t, float *lo, float *hi)
{
	float d1 = hypotf(t->p[1][0] - t->p[0][0], t->p[1][1] - t->p[0][1]);
	float d2 = hypotf(t->p[2][0] - t->p[0][0], t->p[2][1] - t->p[0][1]);
	float est = (d1 + d2) / 2 / t->module + 7;

	*lo = 0.7f * est;
	*hi = 1.5f * est;
}

/*
 * The versions (at most GRID_VERSIONS) whose timing patterns alternate best
 * on the affine grid of triple @t, among those version_range() allows, best
 * first, into @vs (scores in @sc).  Returns how many.
 */
static size_t versions(const uint8_t *px, unsigned int w, unsigned int h, const struct triple *t,
		       unsigned int vs[GRID_VERSIONS], float sc[GRID_VERSIONS])
{
	size_t nv = 0;
	float lo, hi;

	version_range(t, &lo, &hi);
	for (unsigned int v = 1; v <= SCAN__GRID_MAX_VERSION; v++) {
		unsigned int n = 17 + 4 * v;
		struct grid_map g;
		float x;
		size_t at;

		if ((float)n < lo || (float)n > hi)
			continue;
		affine(t->p[0], t->p[1], t->p[2], n, &g);
		x = timing_score(px, w, h, &g, n);
		for (at = nv < GRID_VERSIONS ? nv : GRID_VERSIONS; at > 0 && sc[at - 1] < x; at--)
			if (at < GRID_VERSIONS) {
				vs[at] = vs[at - 1];
				sc[at] = sc[at - 1];
			}
		if (at < GRID_VERSIONS) {
			vs[at] = v;
			sc[at] = x;
		}
		nv += nv < GRID_VERSIONS;
	}
	return nv;
}

/* @x into @f (*@n of at most @max, best score first), when it ranks. */
static void keep_best(struct fitted *f, size_t *n, size_t max, const struct fitted *x)
{
	size_t at;

	for (at = *n < max ? *n : max; at > 0 && f[at - 1].score < x->score; at--)
		if (at < max)
			f[at] = f[at - 1];
	if (at < max)
		f[at] = *x;
	*n += *n < max;
}

/* @f[0..n-1] in order of score, best first. */
static void sort_fits(struct fitted *f, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct fitted x = f[i];
		size_t j = i;

		for (; j > 0 && f[j - 1].score < x.score; j--)
			f[j] = f[j - 1];
		f[j] = x;
	}
}

/*
 * Draw grid @g (version @v) with each threshold offset and hand it to zbar
 * until one reads.  1 when zbar found a symbol (left in s->zimg, the plane
 * map in @pm), 0 when none, -1 out of memory, -2 zbar error.
 */
static int try_grid(struct snt_scanner *s, const uint8_t *px, unsigned int w, unsigned int h,
		    const struct grid_map *g, unsigned int v, const unsigned int *passes_end,
		    struct scan__plane_map *pm)
{
	unsigned int n = 17 + 4 * v, side = (n + 2 * GRID_QUIET) * GRID_PX;
	float lo = 255, hi = 0;
	float *val = s->grid_val, *mean = val + (size_t)n * n, *sharp = mean + (size_t)n * n;
	uint8_t *img = scan__grow(s->grid_img, &s->grid_img_cap, (size_t)side * side);
	uint8_t dark[SCAN__GRID_MAX_N * SCAN__GRID_MAX_N];

	if (!img)
		return -1;
	s->grid_img = img;
	sample_grid(px, w, h, g, n, val);
	local_mean(val, n, mean);
	for (size_t i = 0; i < (size_t)n * n; i++) {
		lo = val[i] < lo ? val[i] : lo;
		hi = val[i] > hi ? val[i] : hi;
	}
	if (hi - lo < 8)
		return 0;
	sharpen(val, n, sharp);
	for (size_t k = 0; k < SNT_ARRAY_SIZE(grid_judge); k++) {
		int r;

		if (s->zbar_passes >= *passes_end || late(s))
			return 0;
		if (grid_judge[k].deconvolve) {
			if (equalise(val, mean, v, n, dark) ||
			    scan__grid_deconvolve(val, v, n, dark))
				continue;
		} else if (grid_judge[k].equalise) {
			if (equalise(val, mean, v, n, dark))
				continue;
		} else {
			threshold(grid_judge[k].sharpen ? sharp : val, mean, n,
				  grid_judge[k].offset * (hi - lo), dark);
		}
		render(dark, v, n, img, side);
		r = scan__zbar(s, img, side, side);
		if (r < 0)
			return -2;
		if (r > 0) {
			/* Rendered pixels to module coordinates, then through the grid. */
			float k1 = 1.0f / GRID_PX, k0 = -(float)GRID_QUIET;
			const float *m = g->h;

			pm->homog = 1;
			pm->h[0] = m[0] * k1;
			pm->h[1] = m[1] * k1;
			pm->h[2] = m[0] * k0 + m[1] * k0 + m[2];
			pm->h[3] = m[3] * k1;
			pm->h[4] = m[4] * k1;
			pm->h[5] = m[3] * k0 + m[4] * k0 + m[5];
			pm->h[6] = m[6] * k1;
			pm->h[7] = m[7] * k1;
			pm->h[8] = m[6] * k0 + m[7] * k0 + m[8];
			return 1;
		}
	}
	return 0;
}

int scan__grid_read(struct snt_scanner *s, const uint8_t *px, unsigned int w, unsigned int h,
		    struct scan__plane_map *pm)
{
	struct scan__cand all[SCAN__MAX_CANDS], c[GRID_CANDS];
	struct triple t[GRID_TRIPLES];
	struct snt_frame f = { SNT_PIXFMT_GREY, w, h, w, px };
	size_t nall, nc = 0, nt;
	unsigned int passes_end = s->zbar_passes + GRID_PASSES;

	/*
	 * Finders of this plane (dark centres), searched as it is and binarised
	 * by the local mean over three window sizes (blur fills the light ring
	 * of a finder, which the local mean brings back), merged.
	 */
	nall = 0;
	for (size_t pass = 0; pass < SNT_ARRAY_SIZE(grid_bin_radius); pass++) {
		struct scan__cand found[SCAN__MAX_CANDS];
		size_t nf;

		if (grid_bin_radius[pass]) {
			uint8_t *bin = scan__grow(s->grid_bin, &s->grid_bin_cap, (size_t)w * h);
			uint32_t *sat;

			if (!bin)
				return -1;
			s->grid_bin = bin;
			sat = scan__grow(s->integral, &s->integral_cap,
					 ((size_t)w + 1) * ((size_t)h + 1) * sizeof(*sat));
			if (!sat)
				return -1;
			s->integral = sat;
			memcpy(bin, px, (size_t)w * h);
			scan__binarise(bin, w, h, grid_bin_radius[pass], sat);
			f.data = bin;
		}
		if (late(s))
			return 0;
		nf = scan__find_finders(s, &f, NULL, found, SCAN__MAX_CANDS);
		if (nf == SIZE_MAX)
			return -1;
		for (size_t i = 0; i < nf; i++) {
			size_t k;

			if (found[i].inverted)
				continue;
			for (k = 0; k < nall; k++)
				if (fabsf(all[k].x - found[i].x) < 2 * all[k].module &&
				    fabsf(all[k].y - found[i].y) < 2 * all[k].module)
					break;
			if (k < nall) {
				if (found[i].hits > all[k].hits)
					all[k] = found[i];
			} else if (nall < SCAN__MAX_CANDS) {
				all[nall++] = found[i];
			}
		}
	}
	/* The most crossed of them. */
	for (size_t i = 0; i < nall; i++) {
		const struct scan__cand *x = &all[i];
		size_t at;

		if (x->inverted)
			continue;
		for (at = nc; at > 0 && c[at - 1].hits < x->hits; at--)
			if (at < GRID_CANDS)
				c[at] = c[at - 1];
		if (at < GRID_CANDS)
			c[at] = *x;
		nc += nc < GRID_CANDS;
	}
	for (size_t i = 0; i < nc; i++)
		if (refine(px, w, h, c[i].module, &c[i].x, &c[i].y)) {
			c[i--] = c[--nc];
		}
	/*
	 * Grids of every version the finder distance allows, over the best-shaped
	 * triples of all candidates, ranked by how well their fixed modules lie
	 * on the plane; the best fitted (fit_grid()) coarsely, the best of those
	 * finely, and tried in that order.
	 */
	{
		struct triple ft[GRID_FIT_TRIPLES];
		struct fitted fits[GRID_COARSE];
		size_t nft = triples(c, nc, ft, GRID_FIT_TRIPLES), nfit = 0;

		for (unsigned int v = 1; v <= SCAN__GRID_MAX_VERSION; v++) {
			struct fixed fx[GRID_MAX_FIXED];
			unsigned int n = 17 + 4 * v;
			size_t nfx = 0;

			for (size_t i = 0; i < nft; i++) {
				struct fitted x;
				float lo, hi;

				version_range(&ft[i], &lo, &hi);
				if ((float)n < lo || (float)n > hi)
					continue;
				if (nfx == 0)
					nfx = fixed_list(v, n, fx);
				x.v = v;
				affine(ft[i].p[0], ft[i].p[1], ft[i].p[2], n, &x.g);
				x.score = fixed_score(px, w, h, &x.g, fx, nfx);
				keep_best(fits, &nfit, GRID_COARSE, &x);
			}
		}
		for (size_t k = 0; k < nfit; k++) {
			if (late(s))
				return 0;
			fits[k].score = fit_grid(px, w, h, &fits[k].g, fits[k].v, 4);
		}
		sort_fits(fits, nfit);
		for (size_t k = 0; k < nfit && k < GRID_FITS; k++) {
			int r;

			if (late(s))
				return 0;
			fit_grid(px, w, h, &fits[k].g, fits[k].v, 16);
			r = try_grid(s, px, w, h, &fits[k].g, fits[k].v, &passes_end, pm);
			if (r)
				return r;
		}
	}
	nt = triples(c, nc, t, GRID_TRIPLES);
	for (size_t i = 0; i < nt; i++) {
		unsigned int best[GRID_VERSIONS];
		float bscore[GRID_VERSIONS];
		size_t nv = versions(px, w, h, &t[i], best, bscore);

		for (size_t k = 0; k < nv; k++) {
			unsigned int v = best[k], n = 17 + 4 * v;
			struct grid_map g, hg;
			float ax = 0, ay = 0;
			int r;

			affine(t[i].p[0], t[i].p[1], t[i].p[2], n, &g);
			if (v >= 2 && !find_alignment(px, w, h, &g, n, &ax, &ay)) {
				const float uv[4][2] = { { 3.5f, 3.5f },
							 { (float)n - 3.5f, 3.5f },
							 { 3.5f, (float)n - 3.5f },
							 { (float)n - 6.5f, (float)n - 6.5f } };
				const float xy[4][2] = { { t[i].p[0][0], t[i].p[0][1] },
							 { t[i].p[1][0], t[i].p[1][1] },
							 { t[i].p[2][0], t[i].p[2][1] },
							 { ax, ay } };

				if (!homography(uv, xy, &hg)) {
					r = try_grid(s, px, w, h, &hg, v, &passes_end, pm);
					if (r)
						return r;
				}
			}
			r = try_grid(s, px, w, h, &g, v, &passes_end, pm);
			if (r)
				return r;
		}
	}
	return 0;
}
