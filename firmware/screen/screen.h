/* SPDX-License-Identifier: MIT */
/*
 * screen: the visitor screen.  A screen is a state (one of the lower-case
 * words below, interfaces.md "Visitor screen on the simulated board") plus
 * the facts it shows; the renderer draws it with Cairo and Pango (proper CJK
 * shaping, Noto Sans CJK from Debian's fonts-noto-cjk) into a caller's
 * 32-bit buffer (CAIRO_FORMAT_RGB24: one uint32_t per pixel, 0x00RRGGBB,
 * the layout of a DRM XRGB8888 dumb buffer), which a display backend scans
 * out (board/linux/drm.h) or writes as a PNG (board/sim/).
 *
 * What every screen keeps to: it is bilingual, Chinese first unless the
 * language order says otherwise; a result never relies on colour alone (an
 * icon and words go with it); it shows no name and no code token (the
 * caller gives only the message, the home, the duty phone, a temperature
 * and state marks, and snt_screen_texts() lists everything drawn so tests
 * can check that); its main line is at least 1/12 of the screen height, so
 * it is readable at 1.5 m.
 *
 * States:
 *   idle          the home's name, "请出示健康码 / Show your health code", the
 *                 duty phone, the time and the state marks
 *   preview       the live camera picture, mirrored, with the frame the code
 *                 must be held in; frozen on the frame read (green frame,
 *                 "已读取 / Code read"), which is shown pixelated (1/16 of
 *                 its resolution) so no image of the screen carries a
 *                 readable code
 *   measuring     "请看向测温区 / Look at the sensor", with progress
 *   remeasure     measure again (too far, or confirming a high reading)
 *   admit         green, a tick, "请通行 / Please enter", the temperature
 *   deny          red, a cross, the reason in plain words, the duty phone
 *   refer         amber, a clock, "请稍候，工作人员马上到 / Please wait for staff"
 *   fever         red, a thermometer, "体温异常 / Temperature too high"
 *   fault         grey, a wrench: the log cannot be written, gate locked
 *   fire          orange, a warning sign: doors released, evacuate
 *   stale         amber: the bureau's rules are out of date, staff check
 *   exit          green, an arrow: the door opened for someone leaving
 *   not-enrolled  grey: the gate is not enrolled with the bureau
 *   idcard        teal, a card: "请放置身份证 / Place your ID card" on the reader
 */
#ifndef SNT_SCREEN_H
#define SNT_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "scan/scan.h"

enum snt_screen_state {
	SNT_SCREEN_IDLE = 0,
	SNT_SCREEN_PREVIEW,
	SNT_SCREEN_MEASURING,
	SNT_SCREEN_REMEASURE,
	SNT_SCREEN_ADMIT,
	SNT_SCREEN_DENY,
	SNT_SCREEN_REFER,
	SNT_SCREEN_FEVER,
	SNT_SCREEN_FAULT,
	SNT_SCREEN_FIRE,
	SNT_SCREEN_STALE,
	SNT_SCREEN_EXIT,
	SNT_SCREEN_NOT_ENROLLED,
	SNT_SCREEN_IDCARD,
	SNT_SCREEN_AGE,		/* referred: the card's age is outside the rule set's age rule */
	SNT_SCREEN_STATE_COUNT
};

enum snt_screen_err {
	SNT_SCREEN_OK = 0,
	SNT_SCREEN_ERR_INVAL,	/* NULL argument, size out of range, unknown state */
	SNT_SCREEN_ERR_NOMEM,
	SNT_SCREEN_ERR_CAIRO,	/* Cairo or Pango failed (the status is not kept) */
	SNT_SCREEN_ERR_IO,	/* snt_screen_write_png(): the file could not be written */
};

/* Language order of every bilingual line pair. */
enum snt_screen_order {
	SNT_SCREEN_ZH_FIRST = 0,
	SNT_SCREEN_EN_FIRST,
};

#define SNT_SCREEN_MIN_SIDE 64
#define SNT_SCREEN_MAX_SIDE 4096

/* What one screen shows.  Every pointer is borrowed for the call only. */
struct snt_screen {
	enum snt_screen_state state;
	const char *text;		/* the message: UTF-8 lines separated by '\n', Chinese
					 * then English (as hal.h show() gets it); NULL = none */
	bool has_temp;
	int32_t temp_mdc;		/* body temperature shown on results, milli-°C */
	int progress;			/* measuring: 0-100 percent; -1 = no bar */
	const char *duty_phone;		/* NULL or "" = none */
	const char *home;		/* the home's name; NULL or "" = none */
	const char *clock_text;		/* e.g. "08:15", local time; NULL = none */
	/* state marks along the bottom (idle and results) */
	bool clock_untrusted;		/* the gate's clock is not trusted */
	bool rules_stale;		/* the bureau's rule set is stale or expired */
	bool offline;			/* the bureau has not been reached lately */
	int64_t unsynced;		/* entries not yet synced; < 0 = unknown (not shown) */
	/* preview */
	const struct snt_frame *frame;	/* camera frame, or NULL (a dark area) */
	bool frozen;			/* the frame a code was read from */
};

struct snt_screen_renderer;

/*
 * snt_screen_renderer_new() - a renderer for a @width x @height screen
 * (pixels, SNT_SCREEN_MIN_SIDE..SNT_SCREEN_MAX_SIDE) with its own Pango font
 * map (fontconfig, "Noto Sans CJK SC") and a frame buffer of its own for
 * snt_screen_render_own().
 * Return: SNT_SCREEN_OK and *out (free with snt_screen_renderer_free());
 * SNT_SCREEN_ERR_INVAL; SNT_SCREEN_ERR_NOMEM; SNT_SCREEN_ERR_CAIRO.
 */
enum snt_screen_err snt_screen_renderer_new(int width, int height, enum snt_screen_order order,
					    struct snt_screen_renderer **out) SNT_WUR;

/* snt_screen_renderer_free() - NULL does nothing. */
void snt_screen_renderer_free(struct snt_screen_renderer *r);

/*
 * snt_screen_render() - draw @s whole into @pixels: @width x @height of the
 * renderer, rows of @stride bytes (>= 4 * width, a multiple of 4), 32-bit
 * 0x00RRGGBB pixels in host order (XRGB8888).
 * @main_px: NULL, or receives the height in pixels of the main line's
 *           logical extent (at least height / 12 on every state).
 * Return: SNT_SCREEN_OK; SNT_SCREEN_ERR_INVAL (NULL, bad stride, unknown
 * state); SNT_SCREEN_ERR_CAIRO.
 */
enum snt_screen_err snt_screen_render(struct snt_screen_renderer *r, const struct snt_screen *s,
				      uint32_t *pixels, size_t stride, int *main_px) SNT_WUR;

/*
 * snt_screen_render_preview() - redraw only the camera area of a preview
 * screen drawn before by snt_screen_render() into the same @pixels, with
 * @frame (mirrored, scaled to fit) and the code frame over it: the fast path
 * for live frames.
 * Return: as snt_screen_render().
 */
enum snt_screen_err snt_screen_render_preview(struct snt_screen_renderer *r,
					      const struct snt_frame *frame, bool frozen,
					      uint32_t *pixels, size_t stride) SNT_WUR;

/*
 * snt_screen_render_own() - snt_screen_render() into the renderer's own
 * buffer, whose pixels and stride are then given by snt_screen_pixels().
 */
enum snt_screen_err snt_screen_render_own(struct snt_screen_renderer *r, const struct snt_screen *s,
					  int *main_px) SNT_WUR;

/* snt_screen_pixels() - the renderer's own buffer (owned by it) and its stride in bytes. */
uint32_t *snt_screen_pixels(struct snt_screen_renderer *r, size_t *stride);

/*
 * snt_screen_write_png() - write the renderer's own buffer to @path as an
 * 8-bit RGB PNG (libpng through Cairo), replacing the file.
 * Return: SNT_SCREEN_OK; SNT_SCREEN_ERR_INVAL; SNT_SCREEN_ERR_IO (errno
 * set when the system said why).
 */
enum snt_screen_err snt_screen_write_png(struct snt_screen_renderer *r, const char *path) SNT_WUR;

/*
 * snt_screen_texts() - every text @s puts on the screen in the renderer's
 * language order, one per line, into @buf (@size bytes, NUL-terminated,
 * truncated when short): what tests check for names and tokens.
 * Return: the length it needed (as snprintf), or -1 for a NULL argument or
 * an unknown state.
 */
int snt_screen_texts(const struct snt_screen_renderer *r, const struct snt_screen *s, char *buf,
		     size_t size);

/* snt_screen_state_name() - "idle", "preview", ...; "?" when out of range. */
const char *snt_screen_state_name(enum snt_screen_state s);

/* snt_screen_state_from_name() - parse; 0 and *out, or -1 when unknown. */
int snt_screen_state_from_name(const char *name, enum snt_screen_state *out) SNT_WUR;

/*
 * snt_screen_order_from_name() - "zh,en" or "en,zh" (the config's
 * [display] languages); 0 and *out, or -1 otherwise.
 */
int snt_screen_order_from_name(const char *name, enum snt_screen_order *out) SNT_WUR;

/* snt_screen_strerror() - static English text for @err; never NULL. */
const char *snt_screen_strerror(enum snt_screen_err err);

#endif /* SNT_SCREEN_H */
