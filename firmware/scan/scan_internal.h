/* SPDX-License-Identifier: MIT */
/*
 * scan internals shared by scan.c, colour.c and text.c, and visible to
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
	SCAN__BASE_MINRGB,	/* min(R, G, B); inverted: 255 - max(R, G, B) */
};

/* One grey plane tried on zbar. */
struct scan__plane {
	uint8_t base;		/* enum scan__base */
	uint8_t inverted;	/* light code on a dark ground (dark mode) */
	uint8_t norm;		/* local contrast normalisation */
	uint8_t half;		/* 2x2 box-filtered half scale */
};

/* Most planes a scanner tries on one frame. */
#define SCAN__MAX_PLANES 16

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
	iconv_t gb18030;		/* GB 18030 -> UTF-8, or (iconv_t)-1 */

	struct scan__plane planes[SCAN__MAX_PLANES];	/* tried in order */
	size_t nplanes;
	int last_plane;			/* index that yielded codes, -1 if none */

	uint8_t *rgb;			/* YUYV frames converted to RGB24 */
	size_t rgb_cap;
	uint8_t *full;			/* full-scale plane */
	size_t full_cap;
	uint8_t *half;			/* half-scale plane */
	size_t half_cap;
	uint16_t *blk;			/* per-block minima and maxima */
	size_t blk_cap;

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
 *            dark ground, as a phone in dark mode shows it): the colours are
 *            negated before judging, so a dark-mode red code reads red.
 * Return: the colour; SNT_COLOUR_UNKNOWN when the evidence is weak.
 */
enum snt_colour scan__colour_classify(const struct scan__rgb *img, const int pts[4][2],
				      int inverted);

/*
 * scan__text_from_bytes() - display text for a payload: @in as is when it
 * is valid UTF-8, else converted from GB 18030 through @gb18030 when valid,
 * else from ISO-8859-1.
 * @gb18030: iconv descriptor GB 18030 -> UTF-8, or (iconv_t)-1 to skip.
 * @in, @len: the payload; @len <= SNT_SCAN_MAX_PAYLOAD.
 * @out: receives the NUL-terminated UTF-8 text; @outsize >= 4 * @len + 1.
 */
void scan__text_from_bytes(iconv_t gb18030, const uint8_t *in, size_t len, char *out,
			   size_t outsize);

/* scan__utf8_valid() - 1 if @in is well-formed UTF-8 (RFC 3629), else 0. */
int scan__utf8_valid(const uint8_t *in, size_t len);

#endif /* SNT_SCAN_INTERNAL_H */
