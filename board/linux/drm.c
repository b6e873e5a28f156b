// SPDX-License-Identifier: MIT
/*
 * The visitor screen on DRM/KMS (drm.h): dumb buffers, page flips.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "common/i18n.h"
#include "linux/drm.h"

#define FLIP_WAIT_MS 100
#define MAX_CARDS 8

struct fb {
	uint32_t handle, fb_id, pitch;
	uint64_t size;
	uint8_t *map;
};

struct snt_drm {
	int fd;
	enum snt_screen_order order;
	uint32_t conn_id, crtc_id;
	drmModeModeInfo mode;
	char conn_name[32];
	char card[64];			/* the card's path */
	drmModeCrtc *saved;		/* the CRTC as it was, restored at close */
	struct fb fb[2];
	int front;			/* index of the buffer shown */
	bool flip_pending;
	bool unplugged;			/* the connector was seen disconnected */
	bool modeset;			/* the mode must be set (again) before the next flip */
	bool last_preview;		/* the screen shown last is a preview */
	struct snt_screen_renderer *r;
};

static const char *const err_text[] = {
	[SNT_DRM_OK] = N_("success"),
	[SNT_DRM_ERR_INVAL] = N_("invalid argument"),
	[SNT_DRM_ERR_OPEN] = N_("no DRM card with KMS could be opened"),
	[SNT_DRM_ERR_NOCONNECTOR] = N_("no connected display (is the HDMI cable plugged in?)"),
	[SNT_DRM_ERR_CRTC] = N_("no CRTC can drive the connector"),
	[SNT_DRM_ERR_BUFFER] = N_("a frame buffer could not be made"),
	[SNT_DRM_ERR_MODESET] = N_("the mode could not be set"),
	[SNT_DRM_ERR_NOMEM] = N_("out of memory"),
	[SNT_DRM_ERR_RENDER] = N_("the screen could not be drawn"),
};

const char *snt_drm_strerror(enum snt_drm_err err)
{
	/* The text in the user's language: every caller shows it to a person. */
	return _(snt_table_text(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error")));
}

/* The mode to use: the preferred one, else the first. */
static const drmModeModeInfo *preferred(const drmModeConnector *c)
{
	for (int i = 0; i < c->count_modes; i++)
		if (c->modes[i].type & DRM_MODE_TYPE_PREFERRED)
			return &c->modes[i];
	return c->count_modes > 0 ? &c->modes[0] : NULL;
}

/* A CRTC for @c: its encoder's, else one that any of its encoders can reach. */
static uint32_t find_crtc(int fd, const drmModeRes *res, const drmModeConnector *c)
{
	if (c->encoder_id) {
		drmModeEncoder *e = drmModeGetEncoder(fd, c->encoder_id);
		uint32_t crtc = e ? e->crtc_id : 0;

		drmModeFreeEncoder(e);
		if (crtc)
			return crtc;
	}
	for (int i = 0; i < c->count_encoders; i++) {
		drmModeEncoder *e = drmModeGetEncoder(fd, c->encoders[i]);

		if (!e)
			continue;
		for (int j = 0; j < res->count_crtcs && j < 32; j++) {
			if (e->possible_crtcs & (1u << j)) {
				uint32_t crtc = res->crtcs[j];

				drmModeFreeEncoder(e);
				return crtc;
			}
		}
		drmModeFreeEncoder(e);
	}
	return 0;
}

static void fb_free(int fd, struct fb *f)
{
	if (f->map)
		munmap(f->map, f->size);
	if (f->fb_id)
		drmModeRmFB(fd, f->fb_id);
	if (f->handle)
		drmModeDestroyDumbBuffer(fd, f->handle);
	memset(f, 0, sizeof(*f));
}

static enum snt_drm_err fb_make(int fd, unsigned int w, unsigned int h, struct fb *f)
{
	uint64_t off;
	void *map;

	memset(f, 0, sizeof(*f));
	if (drmModeCreateDumbBuffer(fd, w, h, 32, 0, &f->handle, &f->pitch, &f->size))
		return SNT_DRM_ERR_BUFFER;
	if (drmModeAddFB(fd, w, h, 24, 32, f->pitch, f->handle, &f->fb_id) ||
	    drmModeMapDumbBuffer(fd, f->handle, &off)) {
		fb_free(fd, f);
		return SNT_DRM_ERR_BUFFER;
	}
	map = mmap(NULL, f->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
	if (map == MAP_FAILED) {
		fb_free(fd, f);
		return SNT_DRM_ERR_BUFFER;
	}
	f->map = map;
	memset(f->map, 0, f->size);
	return SNT_DRM_OK;
}

/* Buffers and renderer for the current mode (made again when the size changed). */
static enum snt_drm_err buffers(struct snt_drm *d)
{
	unsigned int w = d->mode.hdisplay, h = d->mode.vdisplay;
	enum snt_drm_err err;

	if (d->r && d->fb[0].map)
		return SNT_DRM_OK;
	for (int i = 0; i < 2; i++)
		fb_free(d->fd, &d->fb[i]);
	snt_screen_renderer_free(d->r);
	d->r = NULL;
	for (int i = 0; i < 2; i++) {
		err = fb_make(d->fd, w, h, &d->fb[i]);
		if (err)
			return err;
	}
	switch (snt_screen_renderer_new((int)w, (int)h, d->order, &d->r)) {
	case SNT_SCREEN_OK:
		break;
	case SNT_SCREEN_ERR_NOMEM:
		return SNT_DRM_ERR_NOMEM;
	default:
		return SNT_DRM_ERR_RENDER;
	}
	d->front = 0;
	return SNT_DRM_OK;
}

/*
 * Pick the first connected connector of @d->fd with a mode and a CRTC.
 * Return SNT_DRM_OK with conn_id, crtc_id, mode and name set.
 */
static enum snt_drm_err pick(struct snt_drm *d, char *why, size_t whylen)
{
	drmModeRes *res = drmModeGetResources(d->fd);
	enum snt_drm_err err = SNT_DRM_ERR_NOCONNECTOR;

	if (!res) {
		snprintf(why, whylen, _("no KMS resources: %s"), strerror(errno));
		return SNT_DRM_ERR_OPEN;
	}
	for (int i = 0; i < res->count_connectors; i++) {
		drmModeConnector *c = drmModeGetConnector(d->fd, res->connectors[i]);
		const drmModeModeInfo *m;
		const char *type;
		uint32_t crtc;

		if (!c)
			continue;
		m = preferred(c);
		if (c->connection != DRM_MODE_CONNECTED || !m) {
			drmModeFreeConnector(c);
			continue;
		}
		crtc = find_crtc(d->fd, res, c);
		if (!crtc) {
			err = SNT_DRM_ERR_CRTC;
			drmModeFreeConnector(c);
			continue;
		}
		type = drmModeGetConnectorTypeName(c->connector_type);
		snprintf(d->conn_name, sizeof(d->conn_name), "%s-%u", type ? type : "Unknown",
			 c->connector_type_id);
		if (d->mode.hdisplay != m->hdisplay || d->mode.vdisplay != m->vdisplay) {
			/* A new size: new buffers. */
			for (int k = 0; k < 2; k++)
				fb_free(d->fd, &d->fb[k]);
		}
		d->conn_id = c->connector_id;
		d->crtc_id = crtc;
		d->mode = *m;
		drmModeFreeConnector(c);
		drmModeFreeResources(res);
		return SNT_DRM_OK;
	}
	drmModeFreeResources(res);
	snprintf(why, whylen, "%s", snt_drm_strerror(err));
	return err;
}

static enum snt_drm_err set_crtc(struct snt_drm *d, int idx)
{
	if (drmModeSetCrtc(d->fd, d->crtc_id, d->fb[idx].fb_id, 0, 0, &d->conn_id, 1, &d->mode))
		return SNT_DRM_ERR_MODESET;
	d->front = idx;
	d->modeset = false;
	return SNT_DRM_OK;
}

static void flip_done(int fd, unsigned int seq, unsigned int sec, unsigned int usec, void *data)
{
	struct snt_drm *d = data;

	(void)fd;
	(void)seq;
	(void)sec;
	(void)usec;
	d->flip_pending = false;
}

/* Wait for a pending flip, at most FLIP_WAIT_MS; false when it did not come. */
static bool wait_flip(struct snt_drm *d)
{
	drmEventContext ev = { .version = 2, .page_flip_handler = flip_done };

	while (d->flip_pending) {
		struct pollfd pfd = { .fd = d->fd, .events = POLLIN };
		int n = poll(&pfd, 1, FLIP_WAIT_MS);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || drmHandleEvent(d->fd, &ev) != 0) {
			/* Lost: the next screen sets the mode instead of flipping. */
			d->flip_pending = false;
			d->modeset = true;
			return false;
		}
	}
	return true;
}

/* Whether the connector is still connected; reconnected: pick the mode again. */
static bool connected(struct snt_drm *d)
{
	drmModeConnector *c = drmModeGetConnectorCurrent(d->fd, d->conn_id);
	bool on = c && c->connection == DRM_MODE_CONNECTED;
	char why[128];

	drmModeFreeConnector(c);
	if (!on) {
		d->unplugged = true;
		d->flip_pending = false;
		return false;
	}
	if (d->unplugged) {
		/* Back: the (maybe other) screen's preferred mode, set before the next flip. */
		if (pick(d, why, sizeof(why)) != SNT_DRM_OK)
			return false;
		d->unplugged = false;
		d->modeset = true;
	}
	return true;
}

/* Copy the renderer's buffer into the back buffer and show it. */
static enum snt_hal_err present(struct snt_drm *d)
{
	int back = !d->front;
	size_t stride;
	const uint8_t *src = (const uint8_t *)snt_screen_pixels(d->r, &stride);
	struct fb *f = &d->fb[back];

	for (unsigned int y = 0; y < d->mode.vdisplay; y++)
		memcpy(f->map + (size_t)y * f->pitch, src + y * stride, stride);
	if (!d->modeset && drmModePageFlip(d->fd, d->crtc_id, f->fb_id, DRM_MODE_PAGE_FLIP_EVENT, d) == 0) {
		d->flip_pending = true;
		d->front = back;
		return SNT_HAL_OK;
	}
	/* No flip (refused, or the mode must be set): set the CRTC to this buffer. */
	return set_crtc(d, back) == SNT_DRM_OK ? SNT_HAL_OK : SNT_HAL_ERR_IO;
}

/* Ready to draw: connected, last flip done, buffers for the mode. */
static enum snt_hal_err prepare(struct snt_drm *d)
{
	if (!connected(d))
		return SNT_HAL_ERR_IO;
	(void)wait_flip(d);
	if (buffers(d) != SNT_DRM_OK)
		return SNT_HAL_ERR_IO;
	return SNT_HAL_OK;
}

enum snt_hal_err snt_drm_draw(struct snt_drm *d, const struct snt_screen *scr)
{
	enum snt_hal_err err;

	if (!d || !scr)
		return SNT_HAL_ERR_INVAL;
	err = prepare(d);
	if (err)
		return err;
	if (snt_screen_render_own(d->r, scr, NULL) != SNT_SCREEN_OK)
		return SNT_HAL_ERR_IO;
	d->last_preview = scr->state == SNT_SCREEN_PREVIEW;
	return present(d);
}

enum snt_hal_err snt_drm_preview(struct snt_drm *d, const struct snt_frame *frame, int frozen)
{
	enum snt_hal_err err;
	size_t stride;
	uint32_t *px;

	if (!d || !frame)
		return SNT_HAL_ERR_INVAL;
	if (!d->last_preview || !d->r)
		return SNT_HAL_ERR_INVAL;
	err = prepare(d);
	if (err)
		return err;
	if (!d->last_preview)	/* new buffers after a replug: no preview to update */
		return SNT_HAL_ERR_INVAL;
	px = snt_screen_pixels(d->r, &stride);
	if (snt_screen_render_preview(d->r, frame, frozen != 0, px, stride) != SNT_SCREEN_OK)
		return SNT_HAL_ERR_IO;
	return present(d);
}

void snt_drm_describe(const struct snt_drm *d, char *buf, size_t size)
{
	if (!d || !buf || size == 0)
		return;
	snprintf(buf, size, "%s %ux%u@%u%s", d->conn_name, d->mode.hdisplay, d->mode.vdisplay,
		 d->mode.vrefresh, d->unplugged ? _(" (unplugged)") : "");
}

static enum snt_drm_err open_card(struct snt_drm *d, const char *path, char *why, size_t whylen)
{
	enum snt_drm_err err;

	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return SNT_DRM_ERR_OPEN;
	}
	err = pick(d, why, whylen);
	if (err) {
		char inner[160];

		snt_strlcpy(inner, why, sizeof(inner));
		snprintf(why, whylen, "%s: %s", path, inner);
		close(d->fd);
		d->fd = -1;
	}
	return err;
}

/* Open @card, or the first card with a connected screen, and pick its connector. */
static enum snt_drm_err find_card(struct snt_drm *d, const char *card, char *why, size_t whylen)
{
	enum snt_drm_err err = SNT_DRM_ERR_OPEN, best = SNT_DRM_ERR_OPEN;

	if (card && card[0])
		return open_card(d, card, why, whylen);
	/* The first card with a connected screen; the most telling reason otherwise. */
	snprintf(why, whylen, "/dev/dri/card0..%d: %s", MAX_CARDS - 1, snt_drm_strerror(err));
	for (int i = 0; i < MAX_CARDS; i++) {
		char path[32], w[256];

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		err = open_card(d, path, w, sizeof(w));
		if (err == SNT_DRM_OK) {
			snt_strlcpy(d->card, path, sizeof(d->card));
			return SNT_DRM_OK;
		}
		if (i == 0 || (err != SNT_DRM_ERR_OPEN && best == SNT_DRM_ERR_OPEN)) {
			snt_strlcpy(why, w, whylen);
			if (err != SNT_DRM_ERR_OPEN)
				best = err;
		}
	}
	return best;
}

enum snt_drm_err snt_drm_find(const char *card, char *desc, size_t desclen, char *why, size_t whylen)
{
	enum snt_drm_err err;
	struct snt_drm *d;

	if (!desc || desclen == 0 || !why || whylen == 0)
		return SNT_DRM_ERR_INVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return SNT_DRM_ERR_NOMEM;
	d->fd = -1;
	if (card && card[0])
		snt_strlcpy(d->card, card, sizeof(d->card));
	err = find_card(d, card, why, whylen);
	if (err == SNT_DRM_OK) {
		const char *base = strrchr(d->card, '/');

		snprintf(desc, desclen, "%s %ux%u@%u %s", d->conn_name, d->mode.hdisplay, d->mode.vdisplay,
			 d->mode.vrefresh, base ? base + 1 : d->card);
	}
	snt_drm_close(d);
	return err;
}

enum snt_drm_err snt_drm_open(const char *card, enum snt_screen_order order, struct snt_drm **out,
			      char *why, size_t whylen)
{
	enum snt_drm_err err = SNT_DRM_ERR_OPEN;
	struct snt_drm *d;

	if (!out || !why || whylen == 0)
		return SNT_DRM_ERR_INVAL;
	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return SNT_DRM_ERR_NOMEM;
	d->fd = -1;
	d->order = order;
	err = find_card(d, card, why, whylen);
	if (err)
		goto err_free;
	d->saved = drmModeGetCrtc(d->fd, d->crtc_id);
	err = buffers(d);
	if (err) {
		snprintf(why, whylen, "%s %ux%u: %s", d->conn_name, d->mode.hdisplay, d->mode.vdisplay,
			 snt_drm_strerror(err));
		goto err_free;
	}
	err = set_crtc(d, 0);
	if (err) {
		snprintf(why, whylen, "%s %ux%u: %s: %s", d->conn_name, d->mode.hdisplay, d->mode.vdisplay,
			 snt_drm_strerror(err), strerror(errno));
		goto err_free;
	}
	*out = d;
	return SNT_DRM_OK;

err_free:
	snt_drm_close(d);
	return err;
}

void snt_drm_close(struct snt_drm *d)
{
	if (!d)
		return;
	if (d->fd >= 0) {
		(void)wait_flip(d);
		if (d->saved && d->saved->buffer_id)
			(void)drmModeSetCrtc(d->fd, d->saved->crtc_id, d->saved->buffer_id, d->saved->x,
					     d->saved->y, &d->conn_id, 1, &d->saved->mode);
		for (int i = 0; i < 2; i++)
			fb_free(d->fd, &d->fb[i]);
		close(d->fd);
	}
	drmModeFreeCrtc(d->saved);
	snt_screen_renderer_free(d->r);
	free(d);
}

static enum snt_hal_err ops_show(void *ctx, const char *text)
{
	struct snt_screen s;

	memset(&s, 0, sizeof(s));
	s.state = SNT_SCREEN_IDLE;
	s.text = text;
	s.unsynced = -1;
	s.progress = -1;
	return snt_drm_draw(ctx, &s);
}

static enum snt_hal_err ops_draw(void *ctx, const struct snt_screen *scr)
{
	return snt_drm_draw(ctx, scr);
}

static enum snt_hal_err ops_preview(void *ctx, const struct snt_frame *frame, int frozen)
{
	return snt_drm_preview(ctx, frame, frozen);
}

const struct snt_display_ops snt_drm_ops = {
	.show = ops_show,
	.draw = ops_draw,
	.preview = ops_preview,
};
