// SPDX-License-Identifier: MIT
/*
 * scan: grey planes from a colour frame, fed to zbar one at a time, cheapest
 * first, until one yields a QR symbol.
 */
#include <iconv.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zbar.h>

#include "scan/scan_internal.h"

/* Binarising: how much darker than the local mean (grey levels) a pixel is black. */
#define BINARISE_OFFSET 3
/* Local contrast normalisation: block side in pixels, least range stretched. */
#define NORM_BLOCK 24
#define NORM_MIN_RANGE 32

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
 * no plane before it does (healthcode-hard 39 -> 43 of 60), and comes before
 * the enlarged region, which costs more; on the enlarged region, last, it
 * reads codes of two pixels a module or less (healthcode-small 6 -> 11 of
 * 45).
 *
 * Two kinds of plane are conditional, so they cost nothing on the frames
 * that do not need them: padded planes (a light border, and the part of a
 * finder pattern cut off by the frame's edge redrawn, see edge.c) only when
 * a finder touches the frame's edge; double-scale planes only for frames of
 * at most SCAN__SMALL_SIDE pixels, whose modules may be a pixel or two.
 */
static const struct scan__plane default_planes[] = {
	/* base, inverted, norm, scale, pad, erode, smooth, binarise */
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__HALF, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 1, 0, SCAN__HALF, 0, 0, 0, 0 },
	{ SCAN__BASE_LUMA, 0, 0, SCAN__HALF, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 1, SCAN__HALF, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__HALF, 1, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__FULL, 0, 0, 0, 0 },
	{ SCAN__BASE_LUMA, 0, 0, SCAN__FULL, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 1, 0, SCAN__FULL, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__FULL, 1, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 1, 0, SCAN__FULL, 1, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__FULL, 0, 0, 1, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__GRID, 0, 0, 1, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__UP, 0, 0, 1, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__UP, 0, 0, 1, 1 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__UP, 0, 0, 0, 1 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__UP_GRID, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__THIRD, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__HALF, 0, 1, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 0, SCAN__DOUBLE, 0, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 1, 0, SCAN__DOUBLE, 0, 0, 0, 0 },
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

static uint8_t clamp_u8(int v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

int scan__yuyv_to_rgb(struct snt_scanner *s, const struct snt_frame *f, struct scan__rgb *out)
{
	size_t stride = (size_t)f->width * 3;
	uint8_t *rgb = scan__grow(s->rgb, &s->rgb_cap, stride * f->height);

	if (!rgb)
		return -1;
	s->rgb = rgb;
	for (unsigned int y = 0; y < f->height; y++) {
		const uint8_t *in = f->data + (size_t)y * f->stride;
		uint8_t *o = s->rgb + (size_t)y * stride;

		for (unsigned int x = 0; x < f->width; x++) {
			const uint8_t *pair = in + (size_t)(x & ~1u) * 2;
			int c = 298 * (in[(size_t)x * 2] - 16);
			int d = pair[1] - 128;
			int e = pair[3] - 128;

			o[3 * x] = clamp_u8((c + 409 * e + 128) >> 8);
			o[3 * x + 1] = clamp_u8((c - 100 * d - 208 * e + 128) >> 8);
			o[3 * x + 2] = clamp_u8((c + 516 * d + 128) >> 8);
		}
	}
	out->px = s->rgb;
	out->width = f->width;
	out->height = f->height;
	out->stride = stride;
	return 0;
}

int scan__shrink(struct snt_scanner *s, const struct snt_frame *f, const struct scan__rgb *rgb,
		 unsigned int k, struct snt_frame *out, struct scan__rgb *rgb_out)
{
	unsigned int w = f->width / k, h = f->height / k, ch = rgb ? 3 : 1;
	size_t stride;
	uint8_t *buf;

	w = w ? w : 1;
	h = h ? h : 1;
	stride = (size_t)w * ch;
	buf = scan__grow(s->work, &s->work_cap, stride * h);
	if (!buf)
		return -1;
	s->work = buf;
	for (unsigned int y = 0; y < h; y++) {
		uint8_t *o = s->work + (size_t)y * stride;
		unsigned int y1 = (y + 1) * k < f->height ? (y + 1) * k : f->height;

		for (unsigned int x = 0; x < w; x++) {
			unsigned int x1 = (x + 1) * k < f->width ? (x + 1) * k : f->width;
			unsigned int area = (y1 - y * k) * (x1 - x * k);

			for (unsigned int c = 0; c < ch; c++) {
				unsigned int sum = 0;

				for (unsigned int yy = y * k; yy < y1; yy++) {
					const uint8_t *row = rgb ? rgb->px + (size_t)yy * rgb->stride
								 : f->data + (size_t)yy * f->stride;

					for (unsigned int xx = x * k; xx < x1; xx++)
						sum += row[(size_t)xx * ch + c];
				}
				o[(size_t)x * ch + c] = (uint8_t)((sum + area / 2) / area);
			}
		}
	}
	*out = (struct snt_frame){ rgb ? SNT_PIXFMT_RGB24 : SNT_PIXFMT_GREY, w, h, stride, s->work };
	if (rgb)
		*rgb_out = (struct scan__rgb){ s->work, w, h, stride };
	return 0;
}

/* Fill s->full (width x height) with the base plane. */
static void build_base(struct snt_scanner *s, const struct snt_frame *f,
		       const struct scan__rgb *rgb, const struct scan__plane *p)
{
	unsigned int w = f->width, h = f->height;

	for (unsigned int y = 0; y < h; y++) {
		uint8_t *o = s->full + (size_t)y * w;

		if (!rgb) {
			const uint8_t *in = f->data + (size_t)y * f->stride;

			if (p->inverted)
				for (unsigned int x = 0; x < w; x++)
					o[x] = (uint8_t)(255 - in[x]);
			else
				memcpy(o, in, w);
			continue;
		}
		const uint8_t *in = rgb->px + (size_t)y * rgb->stride;

		if (p->base == SCAN__BASE_LUMA) {
			for (unsigned int x = 0; x < w; x++, in += 3) {
				unsigned int l = (77u * in[0] + 150u * in[1] + 29u * in[2] + 128u) >> 8;

				o[x] = (uint8_t)(p->inverted ? 255 - l : l);
			}
		} else if (!p->inverted) {
			for (unsigned int x = 0; x < w; x++, in += 3) {
				uint8_t m = in[0] < in[1] ? in[0] : in[1];

				o[x] = m < in[2] ? m : in[2];
			}
		} else {
			for (unsigned int x = 0; x < w; x++, in += 3) {
				uint8_t m = in[0] > in[1] ? in[0] : in[1];

				o[x] = (uint8_t)(255 - (m > in[2] ? m : in[2]));
			}
		}
	}
}

/*
 * s->full (w x h) at twice the size into s->dbl, bilinear: output pixel
 * (X, Y) samples the input at ((X - 0.5) / 2, (Y - 0.5) / 2), i.e. weights
 * 3/4 and 1/4 of the two nearest pixels each way (edges repeated).
 */
static void twice(struct snt_scanner *s, unsigned int w, unsigned int h)
{
	size_t dw = (size_t)w * 2;

	for (unsigned int y = 0; y < 2 * h; y++) {
		/* Rows a (weight 3) and b (weight 1). */
		unsigned int a = y / 2;
		unsigned int b = y % 2 ? (a + 1 < h ? a + 1 : a) : (a > 0 ? a - 1 : 0);
		const uint8_t *ra = s->full + (size_t)a * w, *rb = s->full + (size_t)b * w;
		uint8_t *o = s->dbl + (size_t)y * dw;

		for (unsigned int x = 0; x < 2 * w; x++) {
			unsigned int c = x / 2;
			unsigned int d = x % 2 ? (c + 1 < w ? c + 1 : c) : (c > 0 ? c - 1 : 0);
			unsigned int v = 9u * ra[c] + 3u * ra[d] + 3u * rb[c] + rb[d];

			o[x] = (uint8_t)((v + 8) >> 4);
		}
	}
}

/* 2x2 box filter of @in (w x h) into @out ((w / 2) x (h / 2)). */
static void halve_into(const uint8_t *in, unsigned int w, unsigned int h, uint8_t *out)
{
	unsigned int hw = w / 2, hh = h / 2;

	for (unsigned int y = 0; y < hh; y++) {
		const uint8_t *a = in + (size_t)(2 * y) * w;
		const uint8_t *b = a + w;
		uint8_t *o = out + (size_t)y * hw;

		for (unsigned int x = 0; x < hw; x++)
			o[x] = (uint8_t)((a[2 * x] + a[2 * x + 1] + b[2 * x] + b[2 * x + 1] + 2) >> 2);
	}
}

/* 3x3 box filter of @in (w x h) into @out ((w / 3) x (h / 3)). */
static void third_into(const uint8_t *in, unsigned int w, unsigned int h, uint8_t *out)
{
	unsigned int tw = w / 3, th = h / 3;

	for (unsigned int y = 0; y < th; y++) {
		const uint8_t *a = in + (size_t)(3 * y) * w;
		const uint8_t *b = a + w, *c = b + w;
		uint8_t *o = out + (size_t)y * tw;

		for (unsigned int x = 0, i = 0; x < tw; x++, i += 3) {
			unsigned int sum = a[i] + a[i + 1] + a[i + 2] + b[i] + b[i + 1] + b[i + 2] +
					   c[i] + c[i + 1] + c[i + 2];

			o[x] = (uint8_t)((sum + 4) / 9);
		}
	}
}

/*
 * 3x3 minimum of @px (w x h) in place, through @tmp (w x h bytes): dark
 * modules grow by a pixel, so a code drawn in dots becomes solid.
 */
static void erode(uint8_t *px, unsigned int w, unsigned int h, uint8_t *tmp)
{
	/* Rows first into tmp, then columns back into px. */
	for (unsigned int y = 0; y < h; y++) {
		const uint8_t *in = px + (size_t)y * w;
		uint8_t *o = tmp + (size_t)y * w;

		for (unsigned int x = 0; x < w; x++) {
			uint8_t m = in[x];

			if (x > 0 && in[x - 1] < m)
				m = in[x - 1];
			if (x + 1 < w && in[x + 1] < m)
				m = in[x + 1];
			o[x] = m;
		}
	}
	for (unsigned int y = 0; y < h; y++) {
		const uint8_t *up = tmp + (size_t)(y > 0 ? y - 1 : y) * w;
		const uint8_t *mid = tmp + (size_t)y * w;
		const uint8_t *down = tmp + (size_t)(y + 1 < h ? y + 1 : y) * w;
		uint8_t *o = px + (size_t)y * w;

		for (unsigned int x = 0; x < w; x++) {
			uint8_t m = mid[x];

			m = up[x] < m ? up[x] : m;
			o[x] = down[x] < m ? down[x] : m;
		}
	}
}

/*
 * 3x3 binomial filter (1 2 1 / 4 each way) of @px (w x h) in place, through
 * @tmp (w x h bytes); edge pixels repeat.
 */
static void smooth(uint8_t *px, unsigned int w, unsigned int h, uint8_t *tmp)
{
	for (unsigned int y = 0; y < h; y++) {
		const uint8_t *in = px + (size_t)y * w;
		uint8_t *o = tmp + (size_t)y * w;

		for (unsigned int x = 0; x < w; x++) {
			unsigned int l = in[x > 0 ? x - 1 : x], r = in[x + 1 < w ? x + 1 : x];

			o[x] = (uint8_t)((l + 2u * in[x] + r + 2) >> 2);
		}
	}
	for (unsigned int y = 0; y < h; y++) {
		const uint8_t *up = tmp + (size_t)(y > 0 ? y - 1 : y) * w;
		const uint8_t *mid = tmp + (size_t)y * w;
		const uint8_t *down = tmp + (size_t)(y + 1 < h ? y + 1 : y) * w;
		uint8_t *o = px + (size_t)y * w;

		for (unsigned int x = 0; x < w; x++)
			o[x] = (uint8_t)((up[x] + 2u * mid[x] + down[x] + 2) >> 2);
	}
}

/* Catmull-Rom cubic through @p[0..3] at @t (0..1) between p[1] and p[2]. */
static float cubic(const float p[4], float t)
{
	return p[1] + 0.5f * t *
		(p[2] - p[0] + t * (2.0f * p[0] - 5.0f * p[1] + 4.0f * p[2] - p[3] +
				    t * (3.0f * (p[1] - p[2]) + p[3] - p[0])));
}

/*
 * The @cw x @ch region at (@x0, @y0) of @in (@w x @h) enlarged @k times
 * into @out (@cw k x @ch k), bicubic (Catmull-Rom; output pixel centres at
 * ((X + 0.5) / k - 0.5) input pixels; edges repeated).
 */
static void enlarge(const uint8_t *in, unsigned int w, unsigned int h, unsigned int x0,
		    unsigned int y0, unsigned int cw, unsigned int ch, unsigned int k, uint8_t *out)
{
	size_t ow = (size_t)cw * k;

	for (unsigned int y = 0; y < ch * k; y++) {
		float sy = ((float)y + 0.5f) / (float)k - 0.5f + (float)y0;
		int iy = (int)floorf(sy);
		float ty = sy - (float)iy;
		const uint8_t *rows[4];

		for (int j = 0; j < 4; j++) {
			int yy = iy - 1 + j;

			yy = yy < 0 ? 0 : yy >= (int)h ? (int)h - 1 : yy;
			rows[j] = in + (size_t)yy * w;
		}
		for (unsigned int x = 0; x < cw * k; x++) {
			float sx = ((float)x + 0.5f) / (float)k - 0.5f + (float)x0, col[4], v;
			int ix = (int)floorf(sx);
			float tx = sx - (float)ix;
			int xs[4];

			for (int i = 0; i < 4; i++) {
				int xx = ix - 1 + i;

				xs[i] = xx < 0 ? 0 : xx >= (int)w ? (int)w - 1 : xx;
			}
			for (int j = 0; j < 4; j++) {
				float p[4] = { rows[j][xs[0]], rows[j][xs[1]], rows[j][xs[2]],
					       rows[j][xs[3]] };

				col[j] = cubic(p, tx);
			}
			v = cubic(col, ty);
			out[(size_t)y * ow + x] = clamp_u8((int)lrintf(v));
		}
	}
}

void scan__binarise(uint8_t *px, unsigned int w, unsigned int h, unsigned int r, uint32_t *sat)
{
	size_t sw = (size_t)w + 1;

	memset(sat, 0, sw * sizeof(*sat));
	for (unsigned int y = 0; y < h; y++) {
		uint32_t row = 0;

		sat[(size_t)(y + 1) * sw] = 0;
		for (unsigned int x = 0; x < w; x++) {
			row += px[(size_t)y * w + x];
			sat[(size_t)(y + 1) * sw + x + 1] = sat[(size_t)y * sw + x + 1] + row;
		}
	}
	for (unsigned int y = 0; y < h; y++) {
		unsigned int ya = y > r ? y - r : 0, yb = y + r + 1 < h ? y + r + 1 : h;

		for (unsigned int x = 0; x < w; x++) {
			unsigned int xa = x > r ? x - r : 0, xb = x + r + 1 < w ? x + r + 1 : w;
			uint32_t sum = sat[(size_t)yb * sw + xb] - sat[(size_t)ya * sw + xb] -
				       sat[(size_t)yb * sw + xa] + sat[(size_t)ya * sw + xa];
			uint32_t n = (xb - xa) * (yb - ya);
			uint8_t *p = px + (size_t)y * w + x;

			*p = (uint32_t)(*p + BINARISE_OFFSET) * n < sum ? 0 : 255;
		}
	}
}

/*
 * The region SCAN__UP planes enlarge: around every finder candidate of at
 * most SCAN__UP_MODULE pixels, 40 modules each way (a code's far corner
 * lies under 54 modules from a finder's centre for versions up to 10), in
 * @w x @h; and the factor, 3, or 2 when 3 would exceed SCAN__UP_PIXELS.
 * 0 when there is no such candidate, or the region is too large for 2.
 */
static unsigned int up_region(const struct snt_scanner *s, unsigned int w, unsigned int h,
			      unsigned int *x0, unsigned int *y0, unsigned int *cw,
			      unsigned int *ch)
{
	float ax = 1e9f, ay = 1e9f, bx = -1e9f, by = -1e9f;
	unsigned int k;

	for (size_t i = 0; i < s->ncands; i++) {
		const struct scan__cand *c = &s->cands[i];
		float r = 40.0f * c->module;

		if (c->module > SCAN__UP_MODULE || c->inverted)
			continue;
		ax = fminf(ax, c->x - r);
		ay = fminf(ay, c->y - r);
		bx = fmaxf(bx, c->x + r);
		by = fmaxf(by, c->y + r);
	}
	if (bx < ax)
		return 0;
	ax = fmaxf(ax, 0);
	ay = fmaxf(ay, 0);
	bx = fminf(bx, (float)w);
	by = fminf(by, (float)h);
	if (bx - ax < 8 || by - ay < 8)
		return 0;
	*x0 = (unsigned int)ax;
	*y0 = (unsigned int)ay;
	*cw = (unsigned int)bx - *x0;
	*ch = (unsigned int)by - *y0;
	for (k = 3; k >= 2; k--)
		if ((size_t)*cw * *ch * k * k <= SCAN__UP_PIXELS)
			return k;
	return 0;
}

/* Bilinear interpolation between rows @r0 and @r1 with 8-bit weights. */
static int bilerp(const uint16_t *r0, const uint16_t *r1, unsigned int x0, unsigned int x1,
		  unsigned int wx, unsigned int wy)
{
	unsigned int top = r0[x0] * (256 - wx) + r0[x1] * wx;
	unsigned int bottom = r1[x0] * (256 - wx) + r1[x1] * wx;

	return (int)((top * (256 - wy) + bottom * wy) >> 16);
}

/*
 * Position @pos (pixels) between the centres of blocks of NORM_BLOCK pixels,
 * @n blocks in all: the two blocks to interpolate and the weight of the
 * second (0-255, 8.8 fixed point).
 */
static void block_coord(unsigned int pos, unsigned int n, unsigned int *i0, unsigned int *i1,
			unsigned int *w)
{
	int f = (int)(((pos * 2 + 1) * 256) / (2 * NORM_BLOCK)) - 128;

	f = f < 0 ? 0 : f;
	*i0 = (unsigned int)f >> 8;
	*w = (unsigned int)f & 255;
	if (*i0 >= n - 1) {
		*i0 = n - 1;
		*w = 0;
	}
	*i1 = *i0 + 1 < n ? *i0 + 1 : *i0;
}

/*
 * Local contrast normalisation in place: each pixel is stretched between the
 * darkest and lightest values of the 3x3 blocks around it (bilinearly
 * interpolated between block centres), so glare and shade do not hide
 * modules.  Ranges under NORM_MIN_RANGE are not stretched further.
 */
static int normalise(struct snt_scanner *s, uint8_t *px, unsigned int w, unsigned int h)
{
	unsigned int bw = (w + NORM_BLOCK - 1) / NORM_BLOCK;
	unsigned int bh = (h + NORM_BLOCK - 1) / NORM_BLOCK;
	size_t nb = (size_t)bw * bh;
	uint16_t *lo, *hi, *lo2, *hi2;

	lo = scan__grow(s->blk, &s->blk_cap, 4 * nb * sizeof(*s->blk));
	if (!lo)
		return -1;
	s->blk = lo;
	hi = lo + nb;
	lo2 = hi + nb;
	hi2 = lo2 + nb;

	for (unsigned int by = 0; by < bh; by++) {
		for (unsigned int bx = 0; bx < bw; bx++) {
			unsigned int mn = 255, mx = 0;
			unsigned int y1 = (by + 1) * NORM_BLOCK < h ? (by + 1) * NORM_BLOCK : h;
			unsigned int x1 = (bx + 1) * NORM_BLOCK < w ? (bx + 1) * NORM_BLOCK : w;

			for (unsigned int y = by * NORM_BLOCK; y < y1; y++) {
				const uint8_t *row = px + (size_t)y * w;

				for (unsigned int x = bx * NORM_BLOCK; x < x1; x++) {
					mn = row[x] < mn ? row[x] : mn;
					mx = row[x] > mx ? row[x] : mx;
				}
			}
			lo[(size_t)by * bw + bx] = (uint16_t)mn;
			hi[(size_t)by * bw + bx] = (uint16_t)mx;
		}
	}
	/* Widen each block's range over its 3x3 neighbourhood. */
	for (unsigned int by = 0; by < bh; by++) {
		for (unsigned int bx = 0; bx < bw; bx++) {
			unsigned int mn = 255, mx = 0;

			for (int dy = -1; dy <= 1; dy++) {
				for (int dx = -1; dx <= 1; dx++) {
					int yy = (int)by + dy, xx = (int)bx + dx;
					size_t i;

					if (yy < 0 || xx < 0 || yy >= (int)bh || xx >= (int)bw)
						continue;
					i = (size_t)yy * bw + (size_t)xx;
					mn = lo[i] < mn ? lo[i] : mn;
					mx = hi[i] > mx ? hi[i] : mx;
				}
			}
			if (mx - mn < NORM_MIN_RANGE) {
				unsigned int mid = (mx + mn) / 2;

				mn = mid > NORM_MIN_RANGE / 2 ? mid - NORM_MIN_RANGE / 2 : 0;
				mx = mn + NORM_MIN_RANGE;
			}
			lo2[(size_t)by * bw + bx] = (uint16_t)mn;
			hi2[(size_t)by * bw + bx] = (uint16_t)mx;
		}
	}
	/* Stretch, interpolating the range between block centres (8.8 fixed point). */
	for (unsigned int y = 0; y < h; y++) {
		unsigned int y0, y1, wy;
		uint8_t *row = px + (size_t)y * w;

		block_coord(y, bh, &y0, &y1, &wy);
		for (unsigned int x = 0; x < w; x++) {
			unsigned int x0, x1, wx;
			int l, r;

			block_coord(x, bw, &x0, &x1, &wx);
			l = bilerp(lo2 + (size_t)y0 * bw, lo2 + (size_t)y1 * bw, x0, x1, wx, wy);
			r = bilerp(hi2 + (size_t)y0 * bw, hi2 + (size_t)y1 * bw, x0, x1, wx, wy);
			if (r <= l)
				r = l + 1;
			row[x] = clamp_u8(((int)row[x] - l) * 255 / (r - l));
		}
	}
	return 0;
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

int scan__build_plane(struct snt_scanner *s, const struct snt_frame *f, const struct scan__rgb *rgb,
		      const struct scan__plane *p, uint8_t **out, unsigned int *w, unsigned int *h,
		      struct scan__plane_map *pm)
{
	unsigned int fw = f->width, fh = f->height;
	unsigned int ux = 0, uy = 0, uw = 0, uh = 0;
	size_t npix = (size_t)fw * fh;
	uint8_t *plane;

	if ((p->scale == SCAN__HALF && (fw < 2 || fh < 2)) ||
	    (p->scale == SCAN__THIRD && (fw < 3 || fh < 3)))
		return 0;
	if (p->scale == SCAN__DOUBLE && (fw > SCAN__SMALL_SIDE || fh > SCAN__SMALL_SIDE))
		return 0;
	if (p->scale == SCAN__UP && !up_region(s, fw, fh, &ux, &uy, &uw, &uh))
		return 0;
	plane = scan__grow(s->full, &s->full_cap, npix);
	if (!plane)
		return -1;
	s->full = plane;
	*pm = (struct scan__plane_map){ .mul = 1, .div = 1 };
	*w = fw;
	*h = fh;
	build_base(s, f, rgb, p);
	if (p->smooth) {
		uint8_t *buf = scan__grow(s->tmp, &s->tmp_cap, npix);

		if (!buf)
			return -1;
		s->tmp = buf;
		smooth(s->full, fw, fh, s->tmp);
	}
	if (p->scale == SCAN__HALF || p->scale == SCAN__THIRD) {
		unsigned int k = p->scale == SCAN__HALF ? 2 : 3;
		uint8_t *buf = scan__grow(s->half, &s->half_cap, npix / 4 + 1);

		if (!buf)
			return -1;
		s->half = buf;
		if (k == 2)
			halve_into(s->full, fw, fh, s->half);
		else
			third_into(s->full, fw, fh, s->half);
		*w = fw / k;
		*h = fh / k;
		pm->mul = (int)k;
		plane = s->half;
	} else if (p->scale == SCAN__DOUBLE) {
		uint8_t *buf = scan__grow(s->dbl, &s->dbl_cap, (size_t)fw * fh * 4);

		if (!buf)
			return -1;
		s->dbl = buf;
		twice(s, fw, fh);
		*w = fw * 2;
		*h = fh * 2;
		pm->div = 2;
		plane = s->dbl;
	} else if (p->scale == SCAN__UP) {
		unsigned int k = up_region(s, fw, fh, &ux, &uy, &uw, &uh);
		uint8_t *buf = scan__grow(s->dbl, &s->dbl_cap, (size_t)uw * uh * k * k);

		if (!buf)
			return -1;
		s->dbl = buf;
		enlarge(s->full, fw, fh, ux, uy, uw, uh, k, s->dbl);
		*w = uw * k;
		*h = uh * k;
		pm->div = (int)k;
		pm->ox = (int)ux;
		pm->oy = (int)uy;
		plane = s->dbl;
		if (p->binarise) {
			uint32_t *sat = scan__grow(s->integral, &s->integral_cap,
					     ((size_t)*w + 1) * ((size_t)*h + 1) * sizeof(uint32_t));

			if (!sat)
				return -1;
			s->integral = sat;
			/* A window of about four modules. */
			scan__binarise(plane, *w, *h, 6 * k, sat);
		}
	}
	if (p->norm && normalise(s, plane, *w, *h))
		return -1;
	if (p->erode) {
		uint8_t *buf = scan__grow(s->tmp, &s->tmp_cap, (size_t)*w * *h);

		if (!buf)
			return -1;
		s->tmp = buf;
		erode(plane, *w, *h, s->tmp);
	}
	if (p->pad) {
		size_t nf = scan__edge_finders(plane, *w, *h, s->finders, SCAN__MAX_FINDERS);
		unsigned int b = 8, side = *w > *h ? *w : *h;
		uint8_t *buf;

		if (nf == 0)
			return 0;
		for (size_t k = 0; k < nf; k++)
			if (s->finders[k].reach + 2 > (float)b)
				b = (unsigned int)(s->finders[k].reach + 2);
		/* A finder reaching further out than a quarter of the frame is not drawn whole. */
		b = b < side / 4 + 8 ? b : side / 4 + 8;
		buf = scan__grow(s->pad, &s->pad_cap, ((size_t)*w + 2 * b) * ((size_t)*h + 2 * b));
		if (!buf)
			return -1;
		s->pad = buf;
		scan__edge_pad(plane, *w, *h, b, s->finders, nf, 255, s->pad);
		*w += 2 * b;
		*h += 2 * b;
		pm->border = (int)b;
		plane = s->pad;
	}
	*out = plane;
	return 1;
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
	zbar_image_set_size(s->zimg, w, h);
	zbar_image_set_data(s->zimg, plane, (unsigned long)w * h, NULL);
	n = zbar_scan_image(s->zs, s->zimg);
	s->zbar_passes++;
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
	 * A frame with no finder pattern anywhere has no code zbar could read:
	 * it finishes here.  Small frames (whose modules may be under a pixel)
	 * always get the full search.  (One candidate crossed by two rows is
	 * enough: blur, tilt and a logo may hide the other two finders.)
	 */
	s->ncands = 0;
	if (work.width > SCAN__SMALL_SIDE || work.height > SCAN__SMALL_SIDE) {
		size_t strong = 0;

		s->ncands = scan__find_finders(s, &work, rgb, s->cands, SCAN__MAX_CANDS);
		if (s->ncands == SIZE_MAX) {
			s->ncands = 0;
			return SNT_SCAN_ERR_NOMEM;
		}
		for (size_t k = 0; k < s->ncands; k++)
			strong += s->cands[k].hits >= SCAN__FINDER_HITS;
		if (strong == 0) {
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
				zbar_image_set_size(s->zimg, w, h);
				zbar_image_set_data(s->zimg, plane, (unsigned long)w * h, NULL);
				n = zbar_scan_image(s->zs, s->zimg);
				s->zbar_passes++;
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

const char *snt_scan_strerror(enum snt_scan_err err)
{
	switch (err) {
	case SNT_SCAN_OK:
		return "success";
	case SNT_SCAN_ERR_INVAL:
		return "invalid argument";
	case SNT_SCAN_ERR_NOMEM:
		return "out of memory";
	case SNT_SCAN_ERR_ZBAR:
		return "zbar error";
	}
	return "unknown scan error";
}
