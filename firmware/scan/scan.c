// SPDX-License-Identifier: MIT
/*
 * scan: grey planes from a colour frame, fed to zbar one at a time, cheapest
 * first, until one yields a QR symbol.
 */
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include <zbar.h>

#include "scan/scan_internal.h"

/* Local contrast normalisation: block side in pixels, least range stretched. */
#define NORM_BLOCK 24
#define NORM_MIN_RANGE 32

/*
 * The planes, in the order tried: cheapest first, half scale before full.
 * The minimum channel leads because yellow on white has almost no luma
 * contrast while its blue channel is dark, and for black codes it is the
 * luma anyway; the 2x2 box filter of half scale evens out blur and sensor
 * noise, and costs zbar a quarter of a full-scale pass.  Local contrast
 * normalisation copes with glare and shade.  Luma at full scale catches
 * codes whose colour is lost in a tinted picture.  Each comes inverted too,
 * for phones in dark mode (light code on a dark ground).
 */
static const struct scan__plane default_planes[] = {
	/* base, inverted, norm, half */
	{ SCAN__BASE_MINRGB, 0, 0, 1 },
	{ SCAN__BASE_MINRGB, 1, 0, 1 },
	{ SCAN__BASE_LUMA, 0, 0, 1 },
	{ SCAN__BASE_MINRGB, 0, 1, 1 },
	{ SCAN__BASE_MINRGB, 1, 1, 1 },
	{ SCAN__BASE_MINRGB, 0, 0, 0 },
	{ SCAN__BASE_LUMA, 0, 0, 0 },
	{ SCAN__BASE_MINRGB, 0, 1, 0 },
	{ SCAN__BASE_MINRGB, 1, 0, 0 },
	{ SCAN__BASE_LUMA, 1, 0, 0 },
	{ SCAN__BASE_MINRGB, 1, 1, 0 },
};

/* @buf grown to at least @need bytes, or NULL (and @buf untouched) if out of memory. */
static void *grow(void *buf, size_t *cap, size_t need)
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

/* V4L2 YUYV (BT.601, limited range) to RGB24 in s->rgb. */
static int yuyv_to_rgb(struct snt_scanner *s, const struct snt_frame *f, struct scan__rgb *out)
{
	size_t stride = (size_t)f->width * 3;
	uint8_t *rgb = grow(s->rgb, &s->rgb_cap, stride * f->height);

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

/* 2x2 box filter of s->full (w x h) into s->half. */
static void halve(struct snt_scanner *s, unsigned int w, unsigned int h)
{
	unsigned int hw = w / 2, hh = h / 2;

	for (unsigned int y = 0; y < hh; y++) {
		const uint8_t *a = s->full + (size_t)(2 * y) * w;
		const uint8_t *b = a + w;
		uint8_t *o = s->half + (size_t)y * hw;

		for (unsigned int x = 0; x < hw; x++)
			o[x] = (uint8_t)((a[2 * x] + a[2 * x + 1] + b[2 * x] + b[2 * x + 1] + 2) >> 2);
	}
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

	lo = grow(s->blk, &s->blk_cap, 4 * nb * sizeof(*s->blk));
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

static void set_point(int pt[2], int x, int y, int scale, const struct snt_frame *f)
{
	x *= scale;
	y *= scale;
	pt[0] = x < 0 ? 0 : x >= (int)f->width ? (int)f->width - 1 : x;
	pt[1] = y < 0 ? 0 : y >= (int)f->height ? (int)f->height - 1 : y;
}

/* Copy zbar's QR symbols into s->res; return how many were kept. */
static size_t collect(struct snt_scanner *s, const struct snt_frame *f, int scale)
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

			set_point(c->points[i], zbar_symbol_get_loc_x(sym, k),
				  zbar_symbol_get_loc_y(sym, k), scale, f);
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

enum snt_scan_err snt_scanner_new(struct snt_scanner **out)
{
	struct snt_scanner *s;

	if (!out)
		return SNT_SCAN_ERR_INVAL;
	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return SNT_SCAN_ERR_NOMEM;
	s->gb18030 = iconv_open("UTF-8", "GB18030");
	s->zs = zbar_image_scanner_create();
	s->zimg = zbar_image_create();
	if (!s->zs || !s->zimg)
		goto err_free;
	if (zbar_image_scanner_set_config(s->zs, 0, ZBAR_CFG_ENABLE, 0) ||
	    zbar_image_scanner_set_config(s->zs, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1) ||
	    zbar_image_scanner_set_config(s->zs, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1)) {
		snt_scanner_free(s);
		return SNT_SCAN_ERR_ZBAR;
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
	if (s->gb18030 != (iconv_t)-1 && s->gb18030 != (iconv_t)0)
		iconv_close(s->gb18030);
	free(s->rgb);
	free(s->full);
	free(s->half);
	free(s->blk);
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

enum snt_scan_err snt_scanner_scan(struct snt_scanner *s, const struct snt_frame *frame,
				   const struct snt_scan_result **out)
{
	struct scan__rgb rgb_view;
	const struct scan__rgb *rgb = NULL;
	size_t bpp, npix;
	uint8_t *buf;

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
	s->last_plane = -1;
	npix = (size_t)frame->width * frame->height;
	buf = grow(s->full, &s->full_cap, npix);
	if (!buf)
		return SNT_SCAN_ERR_NOMEM;
	s->full = buf;
	buf = grow(s->half, &s->half_cap, npix / 4 + 1);
	if (!buf)
		return SNT_SCAN_ERR_NOMEM;
	s->half = buf;
	if (frame->fmt == SNT_PIXFMT_RGB24) {
		rgb_view.px = frame->data;
		rgb_view.width = frame->width;
		rgb_view.height = frame->height;
		rgb_view.stride = frame->stride;
		rgb = &rgb_view;
	} else if (frame->fmt == SNT_PIXFMT_YUYV) {
		if (yuyv_to_rgb(s, frame, &rgb_view))
			return SNT_SCAN_ERR_NOMEM;
		rgb = &rgb_view;
	}

	for (size_t i = 0; i < s->nplanes; i++) {
		const struct scan__plane *p = &s->planes[i];
		unsigned int w = frame->width, h = frame->height;
		uint8_t *plane = s->full;
		int n;

		/* A grey frame has one base: its luma. */
		if (!rgb && p->base != SCAN__BASE_LUMA)
			continue;
		if (p->half && (w < 2 || h < 2))
			continue;
		build_base(s, frame, rgb, p);
		if (p->half) {
			halve(s, w, h);
			w /= 2;
			h /= 2;
			plane = s->half;
		}
		if (p->norm && normalise(s, plane, w, h))
			return SNT_SCAN_ERR_NOMEM;

		zbar_image_set_size(s->zimg, w, h);
		zbar_image_set_data(s->zimg, plane, (unsigned long)w * h, NULL);
		n = zbar_scan_image(s->zs, s->zimg);
		if (n < 0)
			return SNT_SCAN_ERR_ZBAR;
		if (n == 0 || collect(s, frame, p->half ? 2 : 1) == 0)
			continue;
		s->last_plane = (int)i;
		for (size_t k = 0; k < s->res.n; k++) {
			struct snt_scan_code *c = &s->res.codes[k];

			scan__text_from_bytes(s->gb18030, c->bytes, c->len, c->text, sizeof(c->text));
			if (rgb)
				c->colour = scan__colour_classify(rgb, (const int (*)[2])c->points,
								  p->inverted);
		}
		break;
	}
	/* zbar keeps no pointer to the plane past the scan, but drop it anyway. */
	zbar_image_set_data(s->zimg, NULL, 0, NULL);
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

static const char *const colour_names[] = {
	[SNT_COLOUR_UNKNOWN] = "unknown",
	[SNT_COLOUR_GREEN] = "green",
	[SNT_COLOUR_YELLOW] = "yellow",
	[SNT_COLOUR_RED] = "red",
	[SNT_COLOUR_BLACK] = "black",
};

const char *snt_colour_name(enum snt_colour c)
{
	if ((size_t)c < SNT_ARRAY_SIZE(colour_names))
		return colour_names[c];
	return "unknown";
}

int snt_colour_from_name(const char *name, enum snt_colour *out)
{
	int i = snt_name_index(colour_names, SNT_ARRAY_SIZE(colour_names), name);

	if (i < 0 || !out)
		return -1;
	*out = (enum snt_colour)i;
	return 0;
}
