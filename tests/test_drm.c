// SPDX-License-Identifier: MIT
/*
 * Unit tests of the DRM/KMS display backend (board/linux/drm.c), linked
 * against a stub of the libdrm calls it uses.  The stub is compiled against
 * the real <xf86drm.h> and <xf86drmMode.h>, so every signature is checked by
 * the compiler; the executable's definitions take the place of libdrm's.
 * The "card" is a temporary file: dumb buffers are ranges of it, so the
 * backend's mmap() of the offset DRM_IOCTL_MODE_MAP_DUMB gives is real and
 * the pixels it shows can be read back.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include <cmocka.h>

#include "linux/drm.h"

/* ---- the libdrm stub ---- */

#define MAX_FB 8

static struct {
	drmModeConnection conn[2];	/* connector 31 (HDMI-A-1), 32 (HDMI-A-2) */
	int n_modes[2];
	drmModeModeInfo modes[2];	/* [0] 1280x720, [1] 1920x1080 preferred */
	uint64_t next_off;
	int dumb_live, fb_live, maps;
	uint32_t fbs[MAX_FB];		/* fb id -> buffer handle */
	uint64_t offs[MAX_FB];		/* handle -> offset in the file */
	uint32_t shown_fb;		/* the fb on the CRTC */
	uint64_t shown_off;		/* where its pixels are in the card file */
	uint32_t setcrtc_conn;
	drmModeModeInfo setcrtc_mode;
	int setcrtc_calls, flips, flip_fail_errno, setcrtc_fail_errno, events;
	bool pending;
	uint32_t pending_fb;
	void *pending_data;
} st;

/* The file of the fake card (stub_reset()). */
static dev_t card_dev;
static ino_t card_ino;

/*
 * The stub afresh for a test whose card is the file @path: the backend opens
 * it itself, so the stub knows it by its file, not by a descriptor number
 * another open may take.
 */
static void stub_reset(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	card_dev = sb.st_dev;
	card_ino = sb.st_ino;
	memset(&st, 0, sizeof(st));
	st.conn[0] = DRM_MODE_DISCONNECTED;
	st.conn[1] = DRM_MODE_CONNECTED;
	st.n_modes[0] = 0;
	st.n_modes[1] = 2;
	st.modes[0].hdisplay = 1280;
	st.modes[0].vdisplay = 720;
	st.modes[0].vrefresh = 60;
	st.modes[1].hdisplay = 1920;
	st.modes[1].vdisplay = 1080;
	st.modes[1].vrefresh = 60;
	st.modes[1].type = DRM_MODE_TYPE_PREFERRED;
}

/* @fd is the fake card of this test (stub_reset()). */
static void assert_card(int fd)
{
	struct stat sb;

	assert_int_equal(fstat(fd, &sb), 0);
	assert_true(sb.st_dev == card_dev && sb.st_ino == card_ino);
}

drmModeResPtr drmModeGetResources(int fd)
{
	drmModeResPtr r = calloc(1, sizeof(*r));

	assert_card(fd);
	r->count_connectors = 2;
	r->connectors = calloc(2, sizeof(uint32_t));
	r->connectors[0] = 31;
	r->connectors[1] = 32;
	r->count_crtcs = 1;
	r->crtcs = calloc(1, sizeof(uint32_t));
	r->crtcs[0] = 51;
	return r;
}

void drmModeFreeResources(drmModeResPtr r)
{
	if (!r)
		return;
	free(r->connectors);
	free(r->crtcs);
	free(r);
}

static drmModeConnectorPtr connector(uint32_t id)
{
	int i = (int)id - 31;
	drmModeConnectorPtr c;

	if (i < 0 || i > 1)
		return NULL;
	c = calloc(1, sizeof(*c));
	c->connector_id = id;
	c->connector_type = DRM_MODE_CONNECTOR_HDMIA;
	c->connector_type_id = (uint32_t)i + 1;
	c->connection = st.conn[i];
	c->encoder_id = 0;	/* no encoder yet: the backend searches the possible CRTCs */
	c->count_encoders = 1;
	c->encoders = calloc(1, sizeof(uint32_t));
	c->encoders[0] = 41;
	c->count_modes = st.conn[i] == DRM_MODE_CONNECTED ? st.n_modes[i] : 0;
	c->modes = calloc(2, sizeof(drmModeModeInfo));
	memcpy(c->modes, st.modes, sizeof(st.modes));
	return c;
}

drmModeConnectorPtr drmModeGetConnector(int fd, uint32_t id)
{
	assert_card(fd);
	return connector(id);
}

drmModeConnectorPtr drmModeGetConnectorCurrent(int fd, uint32_t id)
{
	assert_card(fd);
	return connector(id);
}

void drmModeFreeConnector(drmModeConnectorPtr c)
{
	if (!c)
		return;
	free(c->encoders);
	free(c->modes);
	free(c);
}

drmModeEncoderPtr drmModeGetEncoder(int fd, uint32_t id)
{
	drmModeEncoderPtr e = calloc(1, sizeof(*e));

	assert_card(fd);
	e->encoder_id = id;
	e->possible_crtcs = 1;
	return e;
}

void drmModeFreeEncoder(drmModeEncoderPtr e)
{
	free(e);
}

drmModeCrtcPtr drmModeGetCrtc(int fd, uint32_t id)
{
	drmModeCrtcPtr c = calloc(1, sizeof(*c));

	assert_card(fd);
	c->crtc_id = id;	/* nothing shown before: buffer_id 0 */
	return c;
}

void drmModeFreeCrtc(drmModeCrtcPtr c)
{
	free(c);
}

int drmModeCreateDumbBuffer(int fd, uint32_t width, uint32_t height, uint32_t bpp, uint32_t flags,
			    uint32_t *handle, uint32_t *pitch, uint64_t *size)
{
	uint32_t h = 1;

	assert_card(fd);
	assert_int_equal(bpp, 32);
	assert_int_equal(flags, 0);
	while (h < MAX_FB && st.offs[h])
		h++;
	if (h >= MAX_FB)
		return -ENOSPC;
	*pitch = width * 4 + 64;	/* a pitch wider than the row, as drivers align */
	*size = (uint64_t)*pitch * height;
	*handle = h;
	st.offs[h] = st.next_off + 4096;
	st.next_off += 4096 + ((*size + 4095) & ~(uint64_t)4095);
	assert_int_equal(ftruncate(fd, (off_t)(st.next_off + 4096)), 0);
	st.dumb_live++;
	return 0;
}

int drmModeMapDumbBuffer(int fd, uint32_t handle, uint64_t *offset)
{
	assert_card(fd);
	if (handle >= MAX_FB || !st.offs[handle])
		return -EINVAL;
	*offset = st.offs[handle];
	st.maps++;
	return 0;
}

int drmModeDestroyDumbBuffer(int fd, uint32_t handle)
{
	assert_card(fd);
	assert_true(handle < MAX_FB && st.offs[handle]);
	st.offs[handle] = 0;
	st.dumb_live--;
	return 0;
}

int drmModeAddFB(int fd, uint32_t width, uint32_t height, uint8_t depth, uint8_t bpp, uint32_t pitch,
		 uint32_t bo_handle, uint32_t *buf_id)
{
	(void)width;
	(void)height;
	(void)pitch;
	assert_card(fd);
	assert_int_equal(depth, 24);
	assert_int_equal(bpp, 32);
	for (uint32_t i = 1; i < MAX_FB; i++) {
		if (!st.fbs[i]) {
			st.fbs[i] = bo_handle;
			*buf_id = 100 + i;
			st.fb_live++;
			return 0;
		}
	}
	return -ENOSPC;
}

int drmModeRmFB(int fd, uint32_t id)
{
	assert_card(fd);
	assert_true(id > 100 && id < 100 + MAX_FB && st.fbs[id - 100]);
	st.fbs[id - 100] = 0;
	st.fb_live--;
	return 0;
}

int drmModeSetCrtc(int fd, uint32_t crtc, uint32_t fb, uint32_t x, uint32_t y, uint32_t *conns, int count,
		   drmModeModeInfoPtr mode)
{
	assert_card(fd);
	assert_int_equal(crtc, 51);
	assert_int_equal(x, 0);
	assert_int_equal(y, 0);
	assert_int_equal(count, 1);
	st.setcrtc_calls++;
	if (st.setcrtc_fail_errno) {
		errno = st.setcrtc_fail_errno;
		return -errno;
	}
	st.shown_fb = fb;
	st.shown_off = st.offs[st.fbs[fb - 100]];
	st.setcrtc_conn = conns[0];
	st.setcrtc_mode = *mode;
	st.pending = false;
	return 0;
}

int drmModePageFlip(int fd, uint32_t crtc, uint32_t fb, uint32_t flags, void *data)
{
	assert_card(fd);
	assert_int_equal(crtc, 51);
	assert_int_equal(flags, DRM_MODE_PAGE_FLIP_EVENT);
	assert_false(st.pending);	/* never two flips in flight (EBUSY) */
	st.flips++;
	if (st.flip_fail_errno) {
		errno = st.flip_fail_errno;
		return -errno;
	}
	st.pending = true;
	st.pending_fb = fb;
	st.pending_data = data;
	return 0;
}

int drmHandleEvent(int fd, drmEventContextPtr ev)
{
	assert_card(fd);
	if (st.pending) {
		st.pending = false;
		st.shown_fb = st.pending_fb;
		st.shown_off = st.offs[st.fbs[st.pending_fb - 100]];
		st.events++;
		ev->page_flip_handler(fd, 1, 0, 0, st.pending_data);
	}
	return 0;
}

/* ---- tests ---- */

struct tctx {
	char path[64];
	int fd;
};

static int setup(void **state)
{
	struct tctx *t = calloc(1, sizeof(*t));

	snprintf(t->path, sizeof(t->path), "/tmp/snt-drm-card-XXXXXX");
	t->fd = mkstemp(t->path);
	assert_true(t->fd >= 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tctx *t = *state;

	close(t->fd);
	unlink(t->path);
	free(t);
	return 0;
}

/* The stub reset for @t's card, and the card opened (Chinese first). */
static struct snt_drm *open_card(const struct tctx *t)
{
	struct snt_drm *d = NULL;
	char why[256];

	stub_reset(t->path);
	assert_int_equal(snt_drm_open(t->path, SNT_SCREEN_ZH_FIRST, &d, why, sizeof(why)), SNT_DRM_OK);
	return d;
}

/* The pixel at (@x, @y) of the buffer last put on the CRTC (also after close). */
static uint32_t shown_pixel(const struct tctx *t, unsigned int x, unsigned int y)
{
	uint32_t pitch = st.setcrtc_mode.hdisplay * 4 + 64, px;
	off_t at = (off_t)(st.shown_off + (uint64_t)y * pitch + x * 4);

	assert_int_equal(pread(t->fd, &px, 4, at), 4);
	return px & 0xffffff;
}

static void screen_of(struct snt_screen *s, enum snt_screen_state st_)
{
	memset(s, 0, sizeof(*s));
	s->state = st_;
	s->text = "绿码 体温正常 请通行\nGreen code, temperature normal: please enter";
	s->unsynced = -1;
	s->progress = -1;
}

static void test_open_picks_connected_preferred(void **state)
{
	struct tctx *t = *state;
	struct snt_drm *d;
	char desc[64];

	d = open_card(t);
	snt_drm_describe(d, desc, sizeof(desc));
	assert_string_equal(desc, "HDMI-A-2 1920x1080@60");
	assert_int_equal(st.setcrtc_conn, 32);
	assert_int_equal(st.setcrtc_mode.hdisplay, 1920);
	assert_int_equal(st.dumb_live, 2);
	assert_int_equal(st.fb_live, 2);
	snt_drm_close(d);
	assert_int_equal(st.dumb_live, 0);
	assert_int_equal(st.fb_live, 0);
}

static void test_no_screen(void **state)
{
	struct tctx *t = *state;
	struct snt_drm *d;
	char why[256];

	stub_reset(t->path);
	st.conn[1] = DRM_MODE_DISCONNECTED;
	assert_int_equal(snt_drm_open(t->path, SNT_SCREEN_ZH_FIRST, &d, why, sizeof(why)),
			 SNT_DRM_ERR_NOCONNECTOR);
	assert_null(d);
	assert_non_null(strstr(why, "no connected display (is the HDMI cable plugged in?)"));
	assert_int_equal(st.dumb_live, 0);
	assert_int_equal(snt_drm_open("/nonexistent/card9", SNT_SCREEN_ZH_FIRST, &d, why, sizeof(why)),
			 SNT_DRM_ERR_OPEN);
	assert_string_equal(why, "/nonexistent/card9: No such file or directory");
}

/* Screens are page flipped in turn to the two buffers; a flip pending is waited for. */
static void test_draw_flips(void **state)
{
	struct tctx *t = *state;
	struct snt_drm *d;
	struct snt_screen s;
	uint32_t first;

	d = open_card(t);
	first = st.shown_fb;
	screen_of(&s, SNT_SCREEN_ADMIT);
	assert_int_equal(snt_drm_draw(d, &s), SNT_HAL_OK);
	assert_int_equal(st.flips, 1);
	assert_true(st.pending);
	screen_of(&s, SNT_SCREEN_DENY);
	assert_int_equal(snt_drm_draw(d, &s), SNT_HAL_OK);
	assert_int_equal(st.flips, 2);
	assert_int_equal(st.events, 1);
	assert_int_equal(st.shown_fb, first == 101 ? 102 : 101);
	/* Let the second flip land: the deny screen's red is shown. */
	snt_drm_close(d);
	assert_int_equal(st.events, 2);
	assert_int_equal(st.shown_fb, first);
	assert_int_equal(shown_pixel(t, 1900, 540), 0xc5211e);
	assert_int_equal(st.setcrtc_calls, 1);
}

/* A refused page flip falls back to setting the CRTC; when that fails too, the screen failed. */
static void test_failed_flip(void **state)
{
	struct tctx *t = *state;
	struct snt_drm *d;
	struct snt_screen s;

	d = open_card(t);
	st.flip_fail_errno = EINVAL;
	screen_of(&s, SNT_SCREEN_ADMIT);
	assert_int_equal(snt_drm_draw(d, &s), SNT_HAL_OK);
	assert_int_equal(st.flips, 1);
	assert_int_equal(st.setcrtc_calls, 2);
	assert_int_equal(shown_pixel(t, 1900, 540), 0x1e8f3d);
	st.setcrtc_fail_errno = EIO;
	assert_int_equal(snt_drm_draw(d, &s), SNT_HAL_ERR_IO);
	/* The driver takes flips again: the next screen is flipped in. */
	st.flip_fail_errno = 0;
	st.setcrtc_fail_errno = 0;
	assert_int_equal(snt_drm_draw(d, &s), SNT_HAL_OK);
	assert_int_equal(st.flips, 3);
	assert_true(st.pending);
	snt_drm_close(d);
	assert_int_equal(st.dumb_live, 0);
}

/* The cable pulled: drawing fails until it is back, then the mode is set again. */
static void test_hot_unplug(void **state)
{
	struct tctx *t = *state;
	struct snt_drm *d;
	struct snt_screen s;
	char desc[64];
	int calls;

	d = open_card(t);
	screen_of(&s, SNT_SCREEN_ADMIT);
	assert_int_equal(snt_drm_draw(d, &s), SNT_HAL_OK);
	st.conn[1] = DRM_MODE_DISCONNECTED;
	st.pending = false;	/* no vblank without a screen */
	assert_int_equal(snt_drm_draw(d, &s), SNT_HAL_ERR_IO);
	assert_int_equal(snt_drm_draw(d, &s), SNT_HAL_ERR_IO);
	snt_drm_describe(d, desc, sizeof(desc));
	assert_string_equal(desc, "HDMI-A-2 1920x1080@60 (unplugged)");
	assert_int_equal(st.flips, 1);
	/* Plugged in again, into a 1280x720 screen: new buffers, the mode set. */
	st.conn[1] = DRM_MODE_CONNECTED;
	st.modes[1].type = 0;
	st.modes[0].type = DRM_MODE_TYPE_PREFERRED;
	calls = st.setcrtc_calls;
	screen_of(&s, SNT_SCREEN_DENY);
	assert_int_equal(snt_drm_draw(d, &s), SNT_HAL_OK);
	assert_int_equal(st.setcrtc_calls, calls + 1);
	assert_int_equal(st.setcrtc_mode.hdisplay, 1280);
	assert_int_equal(shown_pixel(t, 1260, 360), 0xc5211e);
	snt_drm_describe(d, desc, sizeof(desc));
	assert_string_equal(desc, "HDMI-A-2 1280x720@60");
	assert_int_equal(st.dumb_live, 2);
	/* And flips from then on. */
	assert_int_equal(snt_drm_draw(d, &s), SNT_HAL_OK);
	assert_int_equal(st.flips, 2);
	snt_drm_close(d);
	assert_int_equal(st.dumb_live, 0);
	assert_int_equal(st.fb_live, 0);
}

/* The preview: a live frame redraws the camera area only of the preview shown. */
static void test_preview(void **state)
{
	struct tctx *t = *state;
	static uint8_t cam[64 * 48 * 3];
	struct snt_frame f = { .fmt = SNT_PIXFMT_RGB24, .width = 64, .height = 48, .stride = 64 * 3,
			       .data = cam };
	struct snt_drm *d;
	struct snt_screen s;

	d = open_card(t);
	screen_of(&s, SNT_SCREEN_ADMIT);
	assert_int_equal(snt_drm_draw(d, &s), SNT_HAL_OK);
	assert_int_equal(snt_drm_preview(d, &f, 0), SNT_HAL_ERR_INVAL);
	screen_of(&s, SNT_SCREEN_PREVIEW);
	assert_int_equal(snt_drm_draw(d, &s), SNT_HAL_OK);
	memset(cam, 0xff, sizeof(cam));
	assert_int_equal(snt_drm_preview(d, &f, 0), SNT_HAL_OK);
	assert_int_equal(st.flips, 3);
	snt_drm_close(d);
	/* The camera area (left) shows the white frame. */
	assert_int_equal(shown_pixel(t, 500, 540), 0xffffff);
	assert_int_equal(snt_drm_preview(NULL, &f, 0), SNT_HAL_ERR_INVAL);
	assert_string_equal(snt_drm_strerror(SNT_DRM_ERR_MODESET), "the mode could not be set");
	assert_string_equal(snt_drm_strerror((enum snt_drm_err)77), "unknown error");
}

/* A test with a fresh fixture: setup() before it, teardown() after. */
#define WITH_FIXTURE(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		WITH_FIXTURE(test_open_picks_connected_preferred),
		WITH_FIXTURE(test_no_screen),
		WITH_FIXTURE(test_draw_flips),
		WITH_FIXTURE(test_failed_flip),
		WITH_FIXTURE(test_hot_unplug),
		WITH_FIXTURE(test_preview),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
