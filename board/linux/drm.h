/* SPDX-License-Identifier: MIT */
/*
 * drm: the visitor screen on HDMI through DRM/KMS (libdrm), with no X or
 * Wayland: the Raspberry Pi 4/5 with the vc4-kms-v3d overlay, or any KMS
 * driver.  The first connector that is connected (in the card's order) and
 * its preferred mode (DRM_MODE_TYPE_PREFERRED, else its first) drive a CRTC
 * its encoder can reach; two XRGB8888 dumb buffers (DRM_IOCTL_MODE_CREATE_DUMB,
 * mapped with DRM_IOCTL_MODE_MAP_DUMB) take turns: each screen is drawn
 * (screen/screen.h) and copied into the one not shown, which is then page
 * flipped in at the next vertical blank (drmModePageFlip with an event; a
 * flip still pending is waited for, at most 100 ms).  A flip the driver
 * refuses falls back to drmModeSetCrtc.
 *
 * Hot-plug: before each screen the connector's state is read without a
 * probe (drmModeGetConnectorCurrent).  Unplugged, drawing fails with
 * SNT_HAL_ERR_IO (the caller's device fault) until the cable is back; then
 * the preferred mode is set again (new buffers when it changed).
 */
#ifndef SNT_DRM_H
#define SNT_DRM_H

#include <stddef.h>

#include "hal.h"
#include "screen/screen.h"

enum snt_drm_err {
	SNT_DRM_OK = 0,
	SNT_DRM_ERR_INVAL,
	SNT_DRM_ERR_OPEN,	/* no card could be opened, or it has no KMS resources */
	SNT_DRM_ERR_NOCONNECTOR,/* no connector is connected (no screen plugged in) */
	SNT_DRM_ERR_CRTC,	/* no CRTC reaches the connector */
	SNT_DRM_ERR_BUFFER,	/* a dumb buffer could not be made, added or mapped */
	SNT_DRM_ERR_MODESET,	/* drmModeSetCrtc failed */
	SNT_DRM_ERR_NOMEM,
	SNT_DRM_ERR_RENDER,	/* the renderer failed */
};

struct snt_drm;

/*
 * snt_drm_open() - open @card (e.g. "/dev/dri/card0"; "" or NULL: the first
 * of /dev/dri/card0..card7 with a connected connector), set the mode and
 * show a blank screen.
 * @order: the screens' language order.
 * @why, @whylen: receive the reason on failure (card, connector, errno text).
 * Return: SNT_DRM_OK and *out (close with snt_drm_close()); the errors above.
 */
enum snt_drm_err snt_drm_open(const char *card, enum snt_screen_order order, struct snt_drm **out,
			      char *why, size_t whylen) SNT_WUR;

/*
 * snt_drm_find() - what snt_drm_open() would use, without setting a mode or
 * making buffers (nothing on the screen changes; works while another
 * program holds the card): @desc receives "HDMI-A-1 1920x1080@60 card0".
 * Return: SNT_DRM_OK; SNT_DRM_ERR_OPEN, SNT_DRM_ERR_NOCONNECTOR or
 * SNT_DRM_ERR_CRTC with the reason in @why; SNT_DRM_ERR_INVAL; SNT_DRM_ERR_NOMEM.
 */
enum snt_drm_err snt_drm_find(const char *card, char *desc, size_t desclen, char *why,
			      size_t whylen) SNT_WUR;

/*
 * snt_drm_draw() - show @scr (see the top of this file).
 * Return: SNT_HAL_OK; SNT_HAL_ERR_IO when the connector is unplugged or
 * the mode, buffer or flip failed; SNT_HAL_ERR_INVAL for NULL.
 */
enum snt_hal_err snt_drm_draw(struct snt_drm *d, const struct snt_screen *scr) SNT_WUR;

/*
 * snt_drm_preview() - @frame in the camera area of the preview screen shown
 * last (@frozen: the frame read), then flipped in.
 * Return: SNT_HAL_OK; SNT_HAL_ERR_INVAL when the last screen is no preview;
 * SNT_HAL_ERR_IO as snt_drm_draw().
 */
enum snt_hal_err snt_drm_preview(struct snt_drm *d, const struct snt_frame *frame, int frozen) SNT_WUR;

/*
 * snt_drm_describe() - "HDMI-A-1 1920x1080@60" (connector, mode) into @buf
 * (@size bytes), with " (unplugged)" while the connector is disconnected.
 */
void snt_drm_describe(const struct snt_drm *d, char *buf, size_t size);

/* snt_drm_close() - remove the buffers, restore the CRTC shown before; NULL does nothing. */
void snt_drm_close(struct snt_drm *d);

/* snt_drm_strerror() - static text in the user's language (i18n.h); never NULL. */
const char *snt_drm_strerror(enum snt_drm_err err);

/* The display ops over a struct snt_drm context (show() draws the text on an idle-coloured screen). */
extern const struct snt_display_ops snt_drm_ops;

#endif /* SNT_DRM_H */
