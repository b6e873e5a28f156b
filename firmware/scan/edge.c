// SPDX-License-Identifier: MIT
/*
 * Codes cut by the frame's edge.  zbar finds a QR code by its three finder
 * patterns (ISO/IEC 18004:2015 §6.3.3: 7x7 modules, dark ring, light ring,
 * dark 3x3 centre; 1:1:3:1:1 across the centre in every direction), and it
 * needs each one crossed both along and across.  A phone held a little too
 * high shows a finder touching the frame's edge, or cut through its centre:
 * across the edge the pattern is no longer 1:1:3:1:1 and zbar gives up.
 *
 * Along each edge, rows parallel to it near the edge are searched for the
 * 1:1:3:1:1 run of a finder's centre.  Where one is found, the runs across it
 * (the light and dark rings on the far side) give the finder's module size,
 * its tilt and the position of its centre, which may lie outside the frame.
 * The plane is then copied into a larger one with a light border, and the
 * part of each such finder that falls outside the frame is drawn there: the
 * data modules cut off stay lost (the code's error correction may recover
 * them), but zbar can find the code again.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "scan/scan_internal.h"

/* Rows searched for a finder, at most, from each edge. */
#define EDGE_DEPTH_MAX 96
/* Candidate rows kept per edge. */
#define EDGE_CANDS 64
/* Smallest finder, in pixels across (7 modules). */
#define FINDER_MIN 7
/* Largest tilt accepted (tangent): about 27 degrees. */
#define TILT_MAX 0.5f

enum edge { EDGE_TOP, EDGE_BOTTOM, EDGE_LEFT, EDGE_RIGHT };

/* A plane seen from one edge: i runs along the edge, j into the frame. */
struct edge_view {
	const uint8_t *px;
	unsigned int w, h;
	enum edge e;
	unsigned int len;	/* pixels along the edge */
	unsigned int depth;	/* pixels into the frame */
	uint8_t thr;		/* dark below this */
};

struct cand {
	float mid;		/* centre of the 1:1:3:1:1 run along the edge */
	float width;		/* its length */
	unsigned int j;		/* row */
	unsigned int n;		/* rows merged into this one */
};

static uint8_t at(const struct edge_view *v, unsigned int i, unsigned int j)
{
	switch (v->e) {
	case EDGE_TOP:
		return v->px[(size_t)j * v->w + i];
	case EDGE_BOTTOM:
		return v->px[(size_t)(v->h - 1 - j) * v->w + i];
	case EDGE_LEFT:
		return v->px[(size_t)i * v->w + j];
	case EDGE_RIGHT:
		break;
	}
	return v->px[(size_t)i * v->w + (v->w - 1 - j)];
}

static int dark(const struct edge_view *v, unsigned int i, unsigned int j)
{
	return at(v, i, j) < v->thr;
}

unsigned int scan__otsu(const unsigned int *hist, unsigned int n, unsigned int none)
{
	double total = 0, sum = 0, wb = 0, sb = 0, best = -1;
	unsigned int t = none;

	for (unsigned int k = 0; k < n; k++) {
		total += hist[k];
		sum += (double)k * hist[k];
	}
	for (unsigned int k = 0; k < n; k++) {
		double wf, mb, mf, var;

		wb += hist[k];
		if (wb == 0)
			continue;
		wf = total - wb;
		if (wf == 0)
			break;
		sb += (double)k * hist[k];
		mb = sb / wb;
		mf = (sum - sb) / wf;
		var = wb * wf * (mb - mf) * (mb - mf);
		if (var > best) {
			best = var;
			t = k + 1;
		}
	}
	return t;
}

/* Otsu's threshold of the strip @depth rows deep along the edge. */
static uint8_t strip_threshold(const struct edge_view *v, unsigned int depth)
{
	unsigned int hist[256] = { 0 };
	unsigned int t;

	for (unsigned int j = 0; j < depth; j++)
		for (unsigned int i = 0; i < v->len; i++)
			hist[at(v, i, j)]++;
	t = scan__otsu(hist, 256, 128);
	return (uint8_t)(t > 255 ? 255 : t);
}

/* 1 if run lengths @r[0..4] (dark, light, dark, light, dark) are 1:1:3:1:1. */
static int finder_ratio(const unsigned int r[5])
{
	unsigned int total = r[0] + r[1] + r[2] + r[3] + r[4];
	float u = (float)total / 7.0f;

	if (total < FINDER_MIN)
		return 0;
	for (int k = 0; k < 5; k++) {
		float lo = k == 2 ? 2.0f : 0.5f, hi = k == 2 ? 4.0f : 1.6f;

		if ((float)r[k] < lo * u || (float)r[k] > hi * u)
			return 0;
	}
	return 1;
}

/* Add the 1:1:3:1:1 runs of row @j to @c (merging a run seen on the row before). */
static size_t scan_row(const struct edge_view *v, unsigned int j, struct cand *c, size_t n)
{
	unsigned int runs[6] = { 0 }, starts[6] = { 0 };
	unsigned int nr = 0, start = 0;
	int cur = dark(v, 0, j);

	/* Run-length along the row; check each time a dark run ends. */
	for (unsigned int i = 1; i <= v->len; i++) {
		int d = i < v->len ? dark(v, i, j) : !cur;

		if (d == cur)
			continue;
		/* A run [start, i) of colour cur ended. */
		if (nr == 6) {
			memmove(runs, runs + 1, 5 * sizeof(runs[0]));
			memmove(starts, starts + 1, 5 * sizeof(starts[0]));
			nr = 5;
		}
		runs[nr] = i - start;
		starts[nr] = start;
		nr++;
		/* runs[nr-5..nr-1] = dark light dark light dark, light before it. */
		if (cur && nr >= 6 && finder_ratio(runs + nr - 5) && i < v->len) {
			unsigned int s0 = starts[nr - 5];
			float mid = ((float)s0 + (float)(i - 1)) / 2.0f;
			float width = (float)(i - s0);
			size_t k;

			for (k = 0; k < n; k++)
				if (fabsf(c[k].mid - mid) < width / 4 &&
				    fabsf(c[k].width - width) < width / 3 && c[k].j + 2 >= j)
					break;
			if (k < n) {
				c[k].j = j;
				c[k].n++;
			} else if (n < EDGE_CANDS) {
				c[n++] = (struct cand){ mid, width, j, 1 };
			}
		}
		cur = d;
		start = i;
	}
	return n;
}

/*
 * From row @j at position @i, walk into the frame: the rows where the
 * pixel first differs from @from_dark, then where it changes back, and so
 * on, @n changes in all.  Returns 0 and @b[0..n-1] set, or -1 when the frame
 * ends first.
 */
static int walk(const struct edge_view *v, float i, unsigned int j, int from_dark, unsigned int *b,
		unsigned int n)
{
	int col = (int)lroundf(i);
	int want = !from_dark;
	unsigned int k = 0;

	if (col < 0 || col >= (int)v->len)
		return -1;
	for (unsigned int y = j; y < v->depth && k < n; y++) {
		if (dark(v, (unsigned int)col, y) == want) {
			b[k++] = y;
			want = !want;
		}
	}
	return k == n ? 0 : -1;
}

/* Map edge coordinates (i, j) to plane coordinates (x, y). */
static void to_plane(const struct edge_view *v, float i, float j, float *x, float *y)
{
	switch (v->e) {
	case EDGE_TOP:
		*x = i;
		*y = j;
		return;
	case EDGE_BOTTOM:
		*x = i;
		*y = (float)v->h - 1 - j;
		return;
	case EDGE_LEFT:
		*x = j;
		*y = i;
		return;
	case EDGE_RIGHT:
		break;
	}
	*x = (float)v->w - 1 - j;
	*y = i;
}

/*
 * The finder around candidate @c, if its far rings are where a finder's are
 * and the finder reaches within a module of the edge.  0 and @f set, or -1.
 */
static int locate(const struct edge_view *v, const struct cand *c, struct scan__finder *f)
{
	float m0 = c->width / 7.0f, t, cs, m, jfar, jc, ic, near;
	unsigned int b[3], bl[2], br[2];
	float ux, uy, vx, vy, x0, y0, x1, y1;

	/* Across the centre: dark centre, light ring, dark ring, then light. */
	if (walk(v, c->mid, c->j, 1, b, 3))
		return -1;
	if ((float)(b[1] - b[0]) < 0.5f * m0 || (float)(b[1] - b[0]) > 1.6f * m0 ||
	    (float)(b[2] - b[1]) < 0.5f * m0 || (float)(b[2] - b[1]) > 1.6f * m0 ||
	    (float)(b[0] - c->j) > 3.4f * m0)
		return -1;
	/*
	 * Two modules either side: inside the light ring, then the dark ring,
	 * a module thick and level with the centre's (allowing for the tilt).
	 */
	if (walk(v, c->mid - 2 * m0, c->j, 0, bl, 2) || walk(v, c->mid + 2 * m0, c->j, 0, br, 2))
		return -1;
	if ((float)(bl[1] - bl[0]) < 0.5f * m0 || (float)(bl[1] - bl[0]) > 1.6f * m0 ||
	    (float)(br[1] - br[0]) < 0.5f * m0 || (float)(br[1] - br[0]) > 1.6f * m0 ||
	    fabsf(((float)bl[0] + (float)br[0]) / 2 - (float)b[1]) > 0.6f * m0)
		return -1;
	t = ((float)br[0] - (float)bl[0] + (float)br[1] - (float)bl[1]) / (8.0f * m0);
	if (fabsf(t) > TILT_MAX)
		return -1;
	/* The outer ring's sides: dark from the centre row down to its bottom. */
	for (int side = -1; side <= 1; side += 2) {
		float i = c->mid + (float)side * 3.0f * m0;
		float bottom = (float)b[1] + (float)side * 3.0f * m0 * t;
		unsigned int n = 0, nd = 0;

		if (i < 0 || i > (float)v->len - 1)
			return -1;
		for (unsigned int j = c->j; (float)j < bottom && j < v->depth; j++, n++)
			nd += (unsigned int)dark(v, (unsigned int)lroundf(i), j);
		if (n == 0 || nd * 5 < n * 4)
			return -1;
	}
	cs = 1.0f / sqrtf(1.0f + t * t);
	m = c->width * cs / 7.0f;
	jfar = (float)b[2] - 0.5f;
	jc = (jfar - 3.5f * m / cs + t * t * (float)c->j) / (1.0f + t * t);
	ic = c->mid + t * ((float)c->j - jc);
	/* Nearest corner of the finder, in rows from the edge. */
	near = jc - 3.5f * m * (cs + fabsf(t) * cs);
	if (near > m)
		return -1;

	/* Axes of the finder in the edge's frame: u along, w across. */
	ux = cs;
	uy = t * cs;
	vx = -t * cs;
	vy = cs;
	/* Into plane coordinates: the same rotation applied to unit vectors. */
	to_plane(v, ic, jc, &f->cx, &f->cy);
	to_plane(v, ic + ux, jc + uy, &x0, &y0);
	to_plane(v, ic + vx, jc + vy, &x1, &y1);
	f->ux = x0 - f->cx;
	f->uy = y0 - f->cy;
	f->vx = x1 - f->cx;
	f->vy = y1 - f->cy;
	f->module = m;
	f->reach = -near + m;
	return 0;
}

size_t scan__edge_finders(const uint8_t *px, unsigned int w, unsigned int h,
			  struct scan__finder *out, size_t max)
{
	size_t nf = 0;

	if (!px || w < 2 * FINDER_MIN || h < 2 * FINDER_MIN)
		return 0;
	for (int e = EDGE_TOP; e <= EDGE_RIGHT && nf < max; e++) {
		struct edge_view v = { px, w, h, (enum edge)e, 0, 0, 0 };
		struct cand c[EDGE_CANDS];
		unsigned int depth;
		size_t n = 0;

		v.len = e <= EDGE_BOTTOM ? w : h;
		v.depth = e <= EDGE_BOTTOM ? h : w;
		depth = v.depth / 4 < EDGE_DEPTH_MAX ? v.depth / 4 : EDGE_DEPTH_MAX;
		v.thr = strip_threshold(&v, depth);
		for (unsigned int j = 0; j < depth; j++)
			n = scan_row(&v, j, c, n);
		for (size_t k = 0; k < n && nf < max; k++) {
			/* The row with the centre run nearest the middle of those seen. */
			struct cand mid = c[k];

			mid.j = c[k].j >= c[k].n / 2 ? c[k].j - c[k].n / 2 : 0;
			size_t q;

			if (c[k].n < 2 || locate(&v, &mid, &out[nf]))
				continue;
			/* The same finder seen from another row: keep the first. */
			for (q = 0; q < nf; q++)
				if (hypotf(out[q].cx - out[nf].cx, out[q].cy - out[nf].cy) <
				    2 * out[nf].module)
					break;
			if (q == nf)
				nf++;
		}
	}
	return nf;
}

void scan__edge_pad(const uint8_t *px, unsigned int w, unsigned int h, unsigned int border,
		    const struct scan__finder *f, size_t nf, uint8_t light, uint8_t *out)
{
	unsigned int pw = w + 2 * border, ph = h + 2 * border;

	memset(out, light, (size_t)pw * border);
	for (unsigned int y = 0; y < h; y++) {
		uint8_t *row = out + (size_t)(y + border) * pw;

		memset(row, light, border);
		memcpy(row + border, px + (size_t)y * w, w);
		memset(row + border + w, light, border);
	}
	memset(out + (size_t)(h + border) * pw, light, (size_t)pw * border);

	/* Draw each finder's missing part: concentric squares, outside the frame only. */
	for (size_t k = 0; k < nf; k++) {
		const struct scan__finder *q = &f[k];
		float r = 3.5f * q->module * 1.5f + 1.0f;
		int x0 = (int)floorf(fmaxf(q->cx - r, -(float)border));
		int x1 = (int)ceilf(fminf(q->cx + r, (float)(w + border)));
		int y0 = (int)floorf(fmaxf(q->cy - r, -(float)border));
		int y1 = (int)ceilf(fminf(q->cy + r, (float)(h + border)));
		uint8_t dk = 0;

		for (int y = y0; y <= y1; y++) {
			for (int x = x0; x <= x1; x++) {
				float dx = (float)x - q->cx, dy = (float)y - q->cy;
				float a = fmaxf(fabsf(dx * q->ux + dy * q->uy),
						fabsf(dx * q->vx + dy * q->vy)) / q->module;
				int px_ = x + (int)border, py_ = y + (int)border;

				if (px_ < 0 || py_ < 0 || px_ >= (int)pw || py_ >= (int)ph)
					continue;
				if (x >= 0 && y >= 0 && x < (int)w && y < (int)h)
					continue;
				if (a >= 3.5f)
					continue;
				out[(size_t)py_ * pw + (size_t)px_] =
					a < 1.5f || a >= 2.5f ? dk : light;
			}
		}
	}
}
