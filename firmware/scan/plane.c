// SPDX-License-Identifier: MIT
/*
 * scan: the grey planes zbar is given (scan_internal.h, scan__build_plane()):
 * a frame's colours to RGB and to a base plane (luma or the minimum
 * channel), scaled (halved, a third, doubled, a region enlarged bicubic),
 * filtered (3x3 minimum, binomial smoothing), binarised by the local mean
 * and normalised for local contrast.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan_internal.h"

/* Binarising: how much darker than the local mean (grey levels) a pixel is black. */
#define BINARISE_OFFSET 3
/* Unsharp masking of the enlarged region: the difference from the local mean, times. */
#define UNSHARP_AMOUNT 1.5f
/* Local contrast normalisation: block side in pixels, least range stretched. */
#define NORM_BLOCK 24
#define NORM_MIN_RANGE 32

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

/* The summed-area table of @px (@w x @h) into @sat ((@w + 1) x (@h + 1)). */
static void summed_area(const uint8_t *px, unsigned int w, unsigned int h, uint32_t *sat)
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
}

/*
 * Each pixel of @px (@w x @h) set, in place, from its value and the sum
 * and count of the pixels of the (2 @r + 1)-pixel square around it (cut at
 * the plane's edges): with @amount > 0, unsharp masking (moved @amount
 * times its difference from the square's mean further from that mean,
 * clamped to 0..255); with @amount 0, scan__binarise()'s rule.  @sat:
 * scratch of (@w + 1) x (@h + 1) entries for the summed-area table.
 */
static void box_filter(uint8_t *px, unsigned int w, unsigned int h, unsigned int r, float amount,
		       uint32_t *sat)
{
	size_t sw = (size_t)w + 1;

	summed_area(px, w, h, sat);
	for (unsigned int y = 0; y < h; y++) {
		unsigned int ya = y > r ? y - r : 0, yb = y + r + 1 < h ? y + r + 1 : h;

		for (unsigned int x = 0; x < w; x++) {
			unsigned int xa = x > r ? x - r : 0, xb = x + r + 1 < w ? x + r + 1 : w;
			uint32_t sum = sat[(size_t)yb * sw + xb] - sat[(size_t)ya * sw + xb] -
				       sat[(size_t)yb * sw + xa] + sat[(size_t)ya * sw + xa];
			uint32_t n = (xb - xa) * (yb - ya);
			uint8_t *p = px + (size_t)y * w + x;

			if (amount > 0)
				*p = clamp_u8((int)lrintf((float)*p + amount * ((float)*p - (float)sum / (float)n)));
			else
				*p = (uint32_t)(*p + BINARISE_OFFSET) * n < sum ? 0 : 255;
		}
	}
}

void scan__binarise(uint8_t *px, unsigned int w, unsigned int h, unsigned int r, uint32_t *sat)
{
	box_filter(px, w, h, r, 0, sat);
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
		if (p->sharpen || p->binarise) {
			uint32_t *sat = scan__grow(s->integral, &s->integral_cap,
					     ((size_t)*w + 1) * ((size_t)*h + 1) * sizeof(uint32_t));

			if (!sat)
				return -1;
			s->integral = sat;
			/* Sharpening: a box of about a pixel and a half of the frame each way. */
			if (p->sharpen)
				box_filter(plane, *w, *h, (5 * k + 1) / 2, UNSHARP_AMOUNT, sat);
			/* Binarising: a window of about four modules. */
			if (p->binarise)
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
