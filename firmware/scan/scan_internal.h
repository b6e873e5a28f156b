/* SPDX-License-Identifier: MIT */
/*
 * scan internals shared by the files of firmware/scan/ (scan.c, plane.c,
 * colour.c, text.c, find.c, edge.c, grid.c, deconv.c), and visible to
 * tests/test_scan.c.  Not part of the module's contract.
 */
#ifndef SNT_SCAN_INTERNAL_H
#define SNT_SCAN_INTERNAL_H

#include <iconv.h>
#include <stddef.h>
#include <stdint.h>

#include <zbar.h>

#include "scan/scan.h"

/* Grey plane sources: what one byte of a plane is computed from. */
enum scan__base {
	SCAN__BASE_LUMA = 0,	/* BT.601 luma; inverted: 255 - luma */
	SCAN__BASE_MINRGB,	/* min(R, G, B); inverted: 255 - max(R, G, B);
				 * on a grey frame, its luma */
};

/* Scale of a plane relative to the frame. */
enum scan__scale {
	SCAN__HALF = 0,		/* 2x2 box filter: a quarter of the pixels */
	SCAN__FULL,		/* the frame's own pixels */
	SCAN__DOUBLE,		/* bilinear, twice each way; small frames only */
	SCAN__THIRD,		/* 3x3 box filter: a ninth of the pixels */
	SCAN__UP,		/* the region around small finder candidates (module
				 * at most SCAN__UP_MODULE pixels), cut out and
				 * enlarged 2 or 3 times, bicubic */
	SCAN__GRID,		/* full scale, not given to zbar as it is: the module
				 * grid of three finder candidates sampled and drawn
				 * clean (scan__grid_read()) */
	SCAN__UP_GRID,		/* the SCAN__UP region, read as SCAN__GRID is */
};

/* One grey plane tried on zbar. */
struct scan__plane {
	uint8_t base;		/* enum scan__base */
	uint8_t inverted;	/* light code on a dark ground (dark mode) */
	uint8_t norm;		/* local contrast normalisation */
	uint8_t scale;		/* enum scan__scale */
	uint8_t pad;		/* light border, cut finders redrawn; tried only
				 * when a finder touches the frame's edge */
	uint8_t erode;		/* 3x3 minimum: dotted modules joined */
	uint8_t smooth;		/* 3x3 binomial filter (1 2 1 each way) before
				 * scaling: sensor noise and JPEG blocks evened */
	uint8_t binarise;	/* after scaling: black or white by the local mean */
	uint8_t sharpen;	/* after enlarging (SCAN__UP): unsharp masked, blur undone
				 * in part */
};

/* Frames that try the last code's region first after it was read (about a second at 10 fps). */
#define SCAN__TRACK_FRAMES 10

/* Most planes a scanner tries on one frame. */
#define SCAN__MAX_PLANES 24
/* Frames up to this many pixels on their longer side get SCAN__DOUBLE planes. */
#define SCAN__SMALL_SIDE 400
/* Most finders redrawn on one padded plane. */
#define SCAN__MAX_FINDERS 8

/* Largest module (pixels) of a finder candidate whose region gets SCAN__UP planes. */
#define SCAN__UP_MODULE 8.0f
/* Most pixels of a SCAN__UP plane (the enlargement is reduced to keep to it). */
#define SCAN__UP_PIXELS (1600u * 1250u)

/*
 * Where plane pixels land in the working frame:
 * (plane - border) * mul / div + (ox, oy); or, when @homog is set, through
 * the homography @h (x' = (h0 x + h1 y + h2) / (h6 x + h7 y + h8), y' the
 * same with h3 h4 h5).
 */
struct scan__plane_map {
	int border;
	int mul, div;
	int ox, oy;
	int homog;
	float h[9];
};

/* Highest QR version scan__grid_read() samples (73 modules a side). */
#define SCAN__GRID_MAX_VERSION 14
#define SCAN__GRID_MAX_N (17 + 4 * SCAN__GRID_MAX_VERSION)

/*
 * A finder pattern touching or cut by the edge of a plane, in the plane's
 * pixel coordinates (the centre may lie outside the plane).
 */
struct scan__finder {
	float cx, cy;		/* centre */
	float ux, uy;		/* unit vector along the edge it touches */
	float vx, vy;		/* unit vector across it, into the plane */
	float module;		/* module size, pixels */
	float reach;		/* how far it (plus one module) reaches past the edge, pixels */
};

/* A possible finder pattern (find.c), in working-frame pixels. */
struct scan__cand {
	float x, y;		/* centre */
	float module;		/* module size, pixels */
	uint8_t inverted;	/* light centre: light modules on a dark ground */
	unsigned int hits;	/* searched rows that crossed it */
};

/* Rows that must cross a candidate before a frame gets the full search. */
#define SCAN__FINDER_HITS 2
/* Most finder candidates kept per frame. */
#define SCAN__MAX_CANDS 64

/* Text encodings a payload may be shown in (iconv descriptors, or (iconv_t)-1). */
struct scan__iconv {
	iconv_t gb18030;	/* GB 18030 -> UTF-8 */
	iconv_t sjis;		/* Shift_JIS (Windows-31J, CP932) -> UTF-8 */
};

/* A borrowed RGB24 view of the frame being scanned. */
struct scan__rgb {
	const uint8_t *px;
	unsigned int width;
	unsigned int height;
	size_t stride;
};

struct snt_scanner {
	zbar_image_scanner_t *zs;
	zbar_image_t *zimg;
	struct scan__iconv cd;

	struct scan__plane planes[SCAN__MAX_PLANES];	/* tried in order */
	size_t nplanes;
	int last_plane;			/* index that yielded codes, -1 if none */
	size_t resume;			/* plane the budget stopped at on the last frame, 0 if none */
	uint8_t order[SCAN__MAX_PLANES];	/* this frame's planes, in the order tried */
	unsigned int zbar_passes;	/* planes zbar scanned on the last frame */
	unsigned int budget_ms;		/* no new plane after this long; 0: no limit */
	double deadline_ms;		/* scan__now_ms() at which a grid read stops; 0: none */
	/*
	 * The last code's region (with a budget only): working-frame pixels
	 * x0, y0, x1, y1 (exclusive), the frame size it was seen in, the plane
	 * tried on it, and how many more frames try it first.
	 */
	unsigned int track_box[4];
	unsigned int track_w, track_h;
	uint8_t track_plane;
	unsigned int track_left;
	unsigned int tracked;		/* 1 when the last frame was read from the region */

	uint8_t *rgb;			/* YUYV frames converted to RGB24 */
	size_t rgb_cap;
	uint8_t *work;			/* frames over SNT_SCAN_WORK_SIDE, box-filtered */
	size_t work_cap;
	uint8_t *full;			/* full-scale plane */
	size_t full_cap;
	uint8_t *half;			/* half-scale plane */
	size_t half_cap;
	uint8_t *dbl;			/* double-scale plane */
	size_t dbl_cap;
	uint8_t *tmp;			/* scratch plane for the 3x3 minimum */
	size_t tmp_cap;
	uint8_t *pad;			/* plane with a border, cut finders redrawn */
	size_t pad_cap;
	struct scan__finder finders[SCAN__MAX_FINDERS];
	int raw_points[SNT_SCAN_MAX_CODES][4][2];	/* corners, not clamped to the frame */
	uint32_t *integral;		/* summed-area table for binarising */
	size_t integral_cap;
	uint16_t *blk;			/* per-block minima and maxima */
	size_t blk_cap;
	uint8_t *find;			/* finder search planes and thresholds */
	size_t find_cap;
	struct scan__cand cands[SCAN__MAX_CANDS];
	size_t ncands;
	float grid_val[3 * SCAN__GRID_MAX_N * SCAN__GRID_MAX_N];	/* module samples, local means, sharpened */
	uint8_t *grid_img;		/* a sampled grid drawn clean */
	size_t grid_img_cap;
	uint8_t *grid_bin;		/* the plane binarised, for the finder search */
	size_t grid_bin_cap;

	struct snt_scan_result res;
	struct snt_scan_code sort_tmp;	/* scratch for sorting res */
};

/* What scan__colour_measure() saw; all colours are 0..1 per channel. */
struct scan__colour_stats {
	int ok;			/* 1 when the samples allow a judgement */
	float bg[3];		/* quiet-zone colour, after negation when inverted */
	int bg_inside;		/* no quiet zone in the frame: bg from the light modules */
	float fg[3];		/* module core colour, divided by bg */
	float hue;		/* degrees 0..360 of fg */
	float chroma;		/* max - min of fg */
	float shown[3];		/* module core colour as displayed (not negated) */
	float shown_hue;
	float shown_chroma;
	int inverted;		/* measured as a dark-mode code */
	unsigned int n_ring;	/* quiet-zone samples */
	unsigned int n_inner;	/* samples inside the code */
	unsigned int n_core;	/* module core samples judged */
	float vote[5];		/* share of core samples per enum snt_colour */
	float drawn_vote[5];	/* the same, judged as shown on a dark ground (inverted only) */
};

/*
 * scan__colour_measure() - sample a code and its quiet zone (see
 * scan__colour_classify()) into @st.
 */
void scan__colour_measure(const struct scan__rgb *img, const int pts[4][2], int inverted,
			  struct scan__colour_stats *st);

/*
 * scan__colour_decide() - the colour scan__colour_classify() reports for
 * the measurement @st.
 */
enum snt_colour scan__colour_decide(const struct scan__colour_stats *st);

/*
 * scan__colour_classify() - colour of a code's dark modules, judged inside
 * the polygon @pts (frame pixels, in order around the code) against the
 * quiet zone around it.
 * @img: the frame as RGB24.
 * @pts: the four corners from zbar, scaled to frame pixels.
 * @inverted: the code was found on an inverted plane (light modules on a
 *            dark ground): judged negated (a screen inverted whole, so a
 *            dark-mode red code reads red) and as drawn (the bright modules'
 *            hue and saturation as shown: a code drawn in its colour on
 *            black); differing readings give unknown (scan__colour_decide()).
 * Return: the colour; SNT_COLOUR_UNKNOWN when the evidence is weak.
 */
enum snt_colour scan__colour_classify(const struct scan__rgb *img, const int pts[4][2],
				      int inverted);

/*
 * scan__text_from_bytes() - display text for a payload, by this rule:
 *  1. @in as is when it is valid UTF-8 (RFC 3629);
 *  2. else Shift_JIS (Windows-31J) when @in is valid Shift_JIS, holds at
 *     least one two-byte kana or Japanese punctuation mark (hiragana
 *     0x829F-0x82F1, katakana 0x8340-0x8396, 0x8141 、 0x8142 。 0x8145 ・
 *     0x815B ー), and is not GB 2312 text (some multi-byte character has a
 *     byte outside 0xA1-0xFE): Japanese payloads of the QR 2000 edition's
 *     Kanji mode and of Japanese encoders, never Chinese legacy text;
 *  3. else GB 18030 (GB 18030-2022) when valid;
 *  4. else ISO-8859-1 (ISO/IEC 18004:2015 §7.4.3 default), which never fails.
 * @cd: the converters; NULL or (iconv_t)-1 members skip steps 2 and 3.
 * @in, @len: the payload; @len <= SNT_SCAN_MAX_PAYLOAD.
 * @out: receives the NUL-terminated UTF-8 text; @outsize >= 4 * @len + 1
 *       (shorter buffers get a shorter, still valid, text).  A NUL byte of
 *       the payload stays a NUL inside the text (U+0000), so the text
 *       holds everything: use the length returned, not strlen().
 * Return: the bytes of text written before the final NUL.
 */
size_t scan__text_from_bytes(const struct scan__iconv *cd, const uint8_t *in, size_t len,
			   char *out, size_t outsize);

/*
 * scan__grow() - @buf (with *@cap bytes; NULL, 0 for none) grown to at
 * least @need bytes with realloc(3), *@cap updated.  Return: the buffer, or
 * NULL when out of memory (@buf untouched, still the caller's to free).
 */
void *scan__grow(void *buf, size_t *cap, size_t need);

/*
 * scan__zbar() - one zbar pass: the grey @plane of @w x @h pixels (a byte a
 * pixel, no padding) read by s->zs into s->zimg, counted in s->zbar_passes.
 * Return: what zbar_scan_image(3) returns: the number of symbols found (its
 * results left in s->zimg), 0 for none, or below 0 on an error.
 */
int scan__zbar(struct snt_scanner *s, const uint8_t *plane, unsigned int w, unsigned int h);

/*
 * scan__yuyv_to_rgb() - V4L2_PIX_FMT_YUYV (ITU-R BT.601, limited range) to
 * RGB24 in the scanner's buffer.
 * @f: a YUYV frame (even width); @out: receives a view of the result.
 * Return: 0, or -1 when the buffer could not be grown.
 */
int scan__yuyv_to_rgb(struct snt_scanner *s, const struct snt_frame *f, struct scan__rgb *out);

/*
 * scan__shrink() - box-filter a frame by @k (>= 1) each way into the
 * scanner's working buffer: each output pixel is the rounded mean of the
 * @k x @k input pixels it covers (fewer at the right and bottom edges); the
 * output is at least 1x1.
 * @f: the frame, read through @rgb when it has colour (RGB24 or converted
 *     YUYV), else as SNT_PIXFMT_GREY.
 * @out: receives the working frame (RGB24 or GREY); @rgb_out a view of it
 *       when @rgb is not NULL.
 * Return: 0, or -1 when the buffer could not be grown.
 */
int scan__shrink(struct snt_scanner *s, const struct snt_frame *f, const struct scan__rgb *rgb,
		 unsigned int k, struct snt_frame *out, struct scan__rgb *rgb_out);

/*
 * scan__build_plane() - the grey plane @p of a working frame, in one of the
 * scanner's buffers: base (BT.601 luma 77/150/29 of 256, or min(R, G, B);
 * inverted: 255 - luma, or 255 - max(R, G, B)); scaled (2x2 or 3x3 box mean,
 * or bilinear double for frames of at most SCAN__SMALL_SIDE); local contrast
 * normalisation; 3x3 minimum; padded (scan__edge_pad(), border 255).
 * @f: the working frame; @rgb: its colour view, or NULL for a grey frame
 *     (whose only base is its luma).
 * @out, @w, @h: receive the plane (owned by @s, valid until the next call)
 *               and its size; @pm how its pixels map back to @f.
 * Return: 1 when built; 0 when @p does not apply to this frame (half or
 * third scale of a side under 2 or 3 pixels, double scale of a large frame, padding with no finder
 * at the edge); -1 when out of memory.
 */
int scan__build_plane(struct snt_scanner *s, const struct snt_frame *f, const struct scan__rgb *rgb,
		      const struct scan__plane *p, uint8_t **out, unsigned int *w, unsigned int *h,
		      struct scan__plane_map *pm);

/*
 * scan__edge_finders() - finder patterns of @px (a @w x @h grey plane, dark
 * modules dark) that touch or are cut by the plane's edge, i.e. whose outer
 * ring comes within one module of it (see edge.c).
 * @out: receives up to @max finders.
 * Return: how many were found; 0 for a NULL plane or one under 14 pixels a side.
 */
size_t scan__edge_finders(const uint8_t *px, unsigned int w, unsigned int h,
			  struct scan__finder *out, size_t max);

/*
 * scan__otsu() - Otsu's threshold (N. Otsu, 1979) of the histogram @hist
 * of @n bins: the bin just above the split that best divides it in two.
 * Return: that bin; @none when no split has samples on both sides.
 */
unsigned int scan__otsu(const unsigned int *hist, unsigned int n, unsigned int none);

/*
 * scan__edge_pad() - copy @px (@w x @h) into @out ((@w + 2 @border) x
 * (@h + 2 @border)) inside a border of value @light, and draw there the part
 * of each finder @f[0..nf-1] that lies outside the plane (dark 0, light
 * @light, ISO/IEC 18004:2015 §6.3.3 proportions).  Pixels of the plane
 * itself are copied unchanged.
 */
void scan__edge_pad(const uint8_t *px, unsigned int w, unsigned int h, unsigned int border,
		    const struct scan__finder *f, size_t nf, uint8_t light, uint8_t *out);

/*
 * scan__find_finders() - possible QR finder patterns in the working frame
 * @f (colour through @rgb, or NULL for a grey frame), see find.c: dark
 * centres on the minimum channel, light centres (dark mode) on the maximum
 * channel, each crossed along a row and down its column.
 * @out: receives up to @max candidates.
 * Return: how many; SIZE_MAX when the search buffers could not be grown.
 */
size_t scan__find_finders(struct snt_scanner *s, const struct snt_frame *f,
			  const struct scan__rgb *rgb, struct scan__cand *out, size_t max);

/*
 * scan__busy_spot() - where a small code may be whose finders
 * scan__find_finders() missed (blur fills their light ring): the centre of
 * the 4x4 blocks of the search's local thresholds (12 pixels a side) whose
 * least dark-to-light range on the minimum channel is largest, when every
 * one of them has a range of at least 64 grey levels and at most one block
 * of the frame in 16 has (so not a frame of sensor noise or texture).
 * Reads the block ranges scan__find_finders() left in s->find: call it
 * right after scan__find_finders() on the @w x @h working frame.
 * @x, @y: receive the centre, working-frame pixels.
 * Return: 1 when there is such a spot, else 0.
 */
int scan__busy_spot(const struct snt_scanner *s, unsigned int w, unsigned int h, float *x,
		    float *y);

/*
 * scan__confirm_finders() - weak finder candidates looked at again (find.c):
 * around each candidate of @c[0..n-1] crossed by fewer than
 * SCAN__FINDER_HITS rows, with a dark centre and a module of at most 6
 * pixels (at most 4 windows, each 200 pixels square, cut at the frame's
 * edges, none around a candidate inside an earlier window), the minimum
 * channel of the working frame @f (colour through @rgb; a grey frame as it
 * is) is binarised by the local mean (radius 4 pixels), where blur no longer
 * fills a small finder's light ring, and searched again
 * (scan__find_finders()).  When the window holds two dark-centred finders
 * crossed by SCAN__FINDER_HITS rows or more, of modules within 1.5 times of
 * each other and 10 to 60 modules apart (two finders of one code), all its
 * finders crossed that often are appended to @c (up to @max in all, in
 * working-frame pixels) and the search stops.  Uses s->grid_bin,
 * s->integral and s->find.
 * Return: the candidates in @c now (@n when none was confirmed); SIZE_MAX
 * when a buffer could not be grown.
 */
size_t scan__confirm_finders(struct snt_scanner *s, const struct snt_frame *f,
			     const struct scan__rgb *rgb, struct scan__cand *c, size_t n, size_t max);

/*
 * scan__grid_read() - read a code from its module grid (grid.c): finder
 * patterns searched on @px as it is and binarised by the local mean (radii
 * 4, 7 and 12 pixels), the most crossed GRID_CANDS refined to their cores'
 * centres and taken three at a time as a code's corners (best-shaped
 * first); first the grids of all versions over the best-shaped
 * GRID_FIT_TRIPLES, the best by the correlation of their fixed modules
 * (finders, separators, timing and alignment patterns) with the plane
 * fitted to it (perspective, a sixteenth of a module); then for each of
 * the GRID_TRIPLES best-shaped, the versions whose timing patterns
 * alternate best, the grid made perspective through the bottom-right
 * alignment pattern when one is found, else affine; each module sampled and
 * judged against the mean of the 7x7 around it (as it is; by
 * deconvolution in module space, scan__grid_deconvolve(); with its
 * neighbours' share, fitted by least squares, taken off; that mean moved
 * 8 % of the range each way; the sample sharpened against its four
 * neighbours); each
 * grid drawn clean, its function patterns as ISO/IEC 18004:2015 §6.3 draws
 * them, and read by zbar (s->zs, s->zimg), at most GRID_PASSES (48) zbar
 * passes in all (s->zbar_passes counts them), none started (nor a finder
 * search) once scan__now_ms() reaches s->deadline_ms (when not 0).  Uses s->find, s->integral
 * and s->grid_*; s->cands is left alone.
 * @px: @w x @h grey plane, the code's dark modules dark.
 * @pm: on success, how the drawn image's pixels map to @px (homography).
 * Return: 1 when zbar read a symbol (its results left in s->zimg), 0 when
 * none, -1 when out of memory, -2 when zbar failed.
 */
int scan__grid_read(struct snt_scanner *s, const uint8_t *px, unsigned int w, unsigned int h,
		    struct scan__plane_map *pm);

/*
 * scan__grid_fixed_module() - 1 if module (@r, @c) (row, column from 0) of
 * an @n-module code is in a finder pattern, its separator or a timing
 * pattern (ISO/IEC 18004:2015 §6.3.3, §6.3.5), its shade (1 dark) in *@dark;
 * else 0, *@dark untouched (grid.c).
 */
int scan__grid_fixed_module(unsigned int n, unsigned int r, unsigned int c, int *dark);

/*
 * scan__grid_align_module() - 1 if module (@r, @c) of an @n-module code of
 * version @v (at most SCAN__GRID_MAX_VERSION) lies in one of its alignment
 * patterns (§6.3.6, Annex E), its shade in *@dark; else 0 (grid.c).
 */
int scan__grid_align_module(unsigned int v, unsigned int n, unsigned int r, unsigned int c,
			    int *dark);

/*
 * scan__grid_deconvolve() - the modules of a sampled grid judged by
 * deconvolution in module space (deconv.c): each sample of @val (@n x @n,
 * version @v) modelled as a quadratic background plus the shades of the
 * 5x5 modules around it, one weight per distance class, fitted by least
 * squares, the shades solved for in [0, 1] by Gauss-Seidel sweeps (four
 * rounds of each), the fixed modules (scan__grid_fixed_module(),
 * scan__grid_align_module()) held at their shades.
 * @dark: on entry, the modules as judged already (1 dark; the start);
 *        on return, 1 where a module's shade came out above one half.
 * Return: 0; -1 when the fit is singular or a dark module does not lower
 * its own sample (@dark then partly updated).
 */
int scan__grid_deconvolve(const float *val, unsigned int v, unsigned int n, uint8_t *dark);

/*
 * scan__solve() - the linear system @a (@n rows of @n + 1: the matrix, then
 * the right-hand side) solved by Gauss-Jordan elimination with partial
 * pivoting into @x[0..n-1]; @a is overwritten.
 * Return: 0, or -1 when a pivot is under 1e-9 (singular).
 */
int scan__solve(double *a, unsigned int n, double *x);

/* scan__grid_map_point() - (@u, @v) through the homography @h into (*@x, *@y). */
void scan__grid_map_point(const float h[9], float u, float v, float *x, float *y);

/*
 * scan__binarise() - @px (@w x @h) black (0) or white (255) in place: black
 * where a pixel is darker than the mean of the (2 @r + 1)-pixel square
 * around it (cut at the plane's edges), less 3 grey levels.
 * @sat: scratch of (@w + 1) x (@h + 1) entries (a summed-area table).
 */
void scan__binarise(uint8_t *px, unsigned int w, unsigned int h, unsigned int r, uint32_t *sat);

/* scan__now_ms() - CLOCK_MONOTONIC in milliseconds (the budget's clock). */
double scan__now_ms(void);

/* scan__utf8_valid() - 1 if @in is well-formed UTF-8 (RFC 3629), else 0. */
int scan__utf8_valid(const uint8_t *in, size_t len);

#endif /* SNT_SCAN_INTERNAL_H */
