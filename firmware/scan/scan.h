/* SPDX-License-Identifier: MIT */
/*
 * scan: camera frames to QR symbols, with raw bytes, display text, corner
 * points and the colour the code is drawn in.  Nothing here knows about
 * health codes; see codes/ for what a payload means.
 *
 * Decoding is done by zbar (0.23.92, Y800 input only) in binary mode
 * (ZBAR_CFG_BINARY) so the payload bytes are kept exactly as encoded
 * (ISO/IEC 18004:2015 §7.4).  A frame is first searched cheaply for finder
 * patterns (§6.3.3: 1:1:3:1:1 across the centre, found along a row and
 * checked down the column, dark centres on the minimum channel and light
 * ones on the maximum channel, thresholded by block); a frame of more than
 * 400 pixels a side with none crossed by two rows has no code zbar could
 * read, and is finished there, without zbar (a few milliseconds at 640x480,
 * where the search below costs tens), unless a weak candidate (crossed by
 * one row, a module of at most 6 pixels) is confirmed: the minimum
 * channel around it, binarised by the local mean, holds two finders of one
 * code (small blurred codes, whose finders' light rings the block
 * thresholds lose), or the frame has a busy spot: 4x4 blocks of 12 pixels,
 * each spanning at least 64 grey levels on the minimum channel, in a frame
 * where at most one block in 16 does (a code too small and blurred for any
 * row to cross a finder).  Otherwise zbar is tried on several grey planes built
 * from the colour frame, cheapest first, stopping at the first plane that
 * yields a symbol: a colour-aware plane in which green, yellow and red
 * modules are all dark (minimum channel), luma (ITU-R BT.601 weights), the
 * first also with local contrast normalisation (glare, shade); at half scale
 * (2x2 box filter: a quarter of the work, and steadier on blur and sensor
 * noise), then full scale (small codes), then full scale smoothed (3x3
 * binomial: sensor noise and JPEG blocks of tilted, blurred captures), then
 * a third (noisy or halftone prints) and a 3x3 minimum (codes drawn in
 * dots); and inverted (phones in dark mode).  Three kinds of plane are tried
 * only when the frame calls for them: a padded plane, with a light border
 * and the part of a finder pattern cut off by the frame's edge redrawn
 * (ISO/IEC 18004:2015 §6.3.3), when a finder touches the edge (a phone held
 * too high); the region around finder candidates of small modules, smoothed
 * and enlarged two or three times (bicubic), as it is and binarised by the
 * local mean (codes held far away, tilted or blurred); and a double-scale
 * plane for frames of at most 400 pixels a side.  A frame with finder
 * candidates is also read from its module grid, on the smoothed minimum
 * channel and on the luma as it is and smoothed (JPEG keeps the colour at
 * half resolution, so modules of one or two pixels survive in the luma
 * only) before the enlarged region, and on the enlarged region after it:
 * three finder patterns fix the grid (with the alignment pattern, its
 * perspective), every module is sampled and judged against its neighbours
 * (also sharpened against them, for modules of a pixel or two), and the code
 * drawn clean for zbar (noisy, blurred, tilted and far captures whose
 * modules zbar cannot sample).  A frame larger than
 * SNT_SCAN_WORK_SIDE is box-filtered down first.  A frame with a code that
 * cannot be read, or finder-like texture, goes through every plane that
 * applies and costs the most (several hundred milliseconds at 640x480 for
 * a far or blurred code); a per-frame time budget (snt_scanner_set_budget())
 * bounds that, and then spreads the planes over successive frames.

 * The colour is judged on the frame's RGB: the darkest samples inside the
 * code's corner polygon, divided by the white of its quiet zone (which
 * cancels the white balance), classified by hue.  A code found on an
 * inverted plane (light modules on a dark ground) is judged two ways: negated,
 * as a dark-mode screen that inverts everything shows it (so a negated red
 * code reads red), and as drawn, from its bright modules' hue and saturation
 * (an app's dark theme drawing the code green, yellow or red on black);
 * where both readings name a colour and differ, the colour is unknown.
 * Green needs the strongest evidence; a yellow or red code is reported
 * yellow, red or unknown, never green.
 *
 * One scanner per thread: a scanner owns one zbar image scanner and the
 * plane buffers, reused from frame to frame so memory stays flat (the zbar
 * scanner itself is renewed after each frame with a code, as zbar 0.23
 * otherwise keeps every decoded symbol until it is destroyed).
 */
#ifndef SNT_SCAN_H
#define SNT_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "entry/entry.h"

/* Most symbols reported for one frame; further ones are ignored. */
#define SNT_SCAN_MAX_CODES 8
/*
 * Largest payload kept, in bytes: a version-40 QR holds at most 7089
 * characters (numeric mode; 2953 in byte mode), ISO/IEC 18004:2015 Table 7.
 * Longer data (structured append joins up to 16 symbols) is truncated and
 * flagged.
 */
#define SNT_SCAN_MAX_PAYLOAD 7089
/* Largest frame accepted, per side, in pixels. */
#define SNT_SCAN_MAX_SIDE 8192
/*
 * Largest frame scanned at full size, per side, in pixels: a larger one is
 * first box-filtered by the smallest whole factor that brings it to this,
 * which bounds the time and memory a huge photograph costs.
 */
#define SNT_SCAN_WORK_SIDE 2048

enum snt_scan_err {
	SNT_SCAN_OK = 0,
	SNT_SCAN_ERR_INVAL,	/* NULL argument, zero or oversize frame, bad stride */
	SNT_SCAN_ERR_NOMEM,	/* allocation failed */
	SNT_SCAN_ERR_ZBAR,	/* zbar reported an internal error */
};

enum snt_pixfmt {
	SNT_PIXFMT_RGB24 = 0,	/* 3 bytes per pixel, R G B */
	SNT_PIXFMT_YUYV,	/* V4L2_PIX_FMT_YUYV, 4 bytes per 2 pixels */
	SNT_PIXFMT_GREY,	/* 1 byte per pixel (Y800) */
};

/* A borrowed frame: the scanner never keeps the pointer past the call. */
struct snt_frame {
	enum snt_pixfmt fmt;
	unsigned int width;	/* pixels, 1..SNT_SCAN_MAX_SIDE */
	unsigned int height;	/* pixels, 1..SNT_SCAN_MAX_SIDE */
	size_t stride;		/* bytes per row, >= width * bytes per pixel */
	const uint8_t *data;	/* height * stride bytes */
};

struct snt_scan_code {
	uint8_t bytes[SNT_SCAN_MAX_PAYLOAD];	/* raw payload */
	size_t len;				/* bytes used in bytes[] */
	int truncated;				/* 1 when the payload was longer */
	/*
	 * Display text, UTF-8, NUL-terminated: the bytes as UTF-8 when valid;
	 * else Shift_JIS when they are valid Shift_JIS holding Japanese kana or
	 * punctuation and are not GB 2312 text (Japanese encoders; never
	 * Chinese legacy text); else GB 18030 when valid; else ISO-8859-1
	 * (GB 18030-2022; ISO/IEC 18004:2015 §7.4.3 default is ISO-8859-1 when
	 * no ECI is present).  When the code carries an ECI, zbar has already
	 * converted the bytes to UTF-8 by it.  A NUL byte in the payload stays
	 * a NUL in the text (text_len counts it; C-string readers stop there,
	 * bytes[] keeps everything).  Hostile input: escape it
	 * (snt_escape()) before any terminal or shell.
	 */
	char text[4 * SNT_SCAN_MAX_PAYLOAD + 1];
	size_t text_len;	/* bytes of text[] before its final NUL */
	enum snt_colour colour;	/* SNT_COLOUR_UNKNOWN for SNT_PIXFMT_GREY frames */
	int points[4][2];	/* corners in frame pixels, in order around the code
				 * (zbar's: top-left, bottom-left, bottom-right,
				 * top-right in the code's own orientation) */
};

/* Result of one frame.  Owned by the scanner; valid until the next scan. */
struct snt_scan_result {
	size_t n;	/* codes found, 0..SNT_SCAN_MAX_CODES */
	struct snt_scan_code codes[SNT_SCAN_MAX_CODES];	/* top to bottom, then left to right */
};

struct snt_scanner;

/*
 * snt_scanner_new() - make a scanner (one zbar image scanner, QR only,
 * binary mode).
 * @out: receives the scanner; the caller frees it with snt_scanner_free().
 * Return: SNT_SCAN_OK; SNT_SCAN_ERR_INVAL if @out is NULL;
 * SNT_SCAN_ERR_NOMEM if allocation failed; SNT_SCAN_ERR_ZBAR if zbar refused
 * the configuration.
 */
enum snt_scan_err snt_scanner_new(struct snt_scanner **out) SNT_WUR;

/* snt_scanner_free() - free a scanner and its buffers; NULL does nothing. */
void snt_scanner_free(struct snt_scanner *s);

/*
 * snt_scanner_scan() - find QR codes in one frame.
 * @s: scanner from snt_scanner_new().
 * @frame: the frame; borrowed for the call only.
 * @out: receives a pointer to the scanner's result, valid until the next
 *       call on @s or snt_scanner_free().  n == 0 means no code was found.
 * Return: SNT_SCAN_OK (with or without codes); SNT_SCAN_ERR_INVAL for a NULL
 * argument or frame data, an unknown pixel format, a zero or oversize
 * dimension, a stride too small for the width, or an odd width in YUYV;
 * SNT_SCAN_ERR_NOMEM when a plane buffer could not be grown;
 * SNT_SCAN_ERR_ZBAR if zbar failed on a plane.  On error *@out is NULL
 * (when @out is not).
 */
enum snt_scan_err snt_scanner_scan(struct snt_scanner *s, const struct snt_frame *frame,
				   const struct snt_scan_result **out) SNT_WUR;

/*
 * snt_scanner_set_budget() - bound the time one frame may take.
 * @s: scanner from snt_scanner_new().
 * @ms: milliseconds of wall-clock (CLOCK_MONOTONIC) time after which
 *      snt_scanner_scan() starts no further plane; the plane under way is
 *      finished, so a frame may take one plane longer, except a module-grid
 *      read, which stops there too (it may cost tens of milliseconds).  The
 *      first plane tried is always finished.  0 (the default) means no limit: every
 *      plane that applies is tried in its order, and results do not depend
 *      on the machine's speed or on earlier frames.  With a budget (a gate
 *      keeping up with its camera, say 80 ms at 10 frames a second) the
 *      scanner follows the live picture: once a code has been read, each of
 *      the next 10 frames (SCAN__TRACK_FRAMES) first tries its region (the
 *      code's box grown by half its size each way) with the plane that read
 *      it, one zbar pass on a crop, and is done when that reads; otherwise
 *      a frame tries the plane that read the last frame's code, then the
 *      first plane, then goes on from the plane where the last frame's
 *      budget ran out, so a hard code held still is tried with every plane
 *      over a few frames.
 * Return: SNT_SCAN_OK; SNT_SCAN_ERR_INVAL if @s is NULL.
 */
enum snt_scan_err snt_scanner_set_budget(struct snt_scanner *s, unsigned int ms) SNT_WUR;

/* snt_scan_strerror() - static English text for @err; never NULL. */
const char *snt_scan_strerror(enum snt_scan_err err);

#endif /* SNT_SCAN_H */
