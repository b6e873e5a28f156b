// SPDX-License-Identifier: MIT
/*
 * The real board: libgpiod lines, an IIO or SMBus thermometer, a V4L2
 * camera, the visitor screen on HDMI (drm.h) or a display file, voice
 * prompts through ALSA (alsa.h); see linux.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/i18n.h"
#include "config/config.h"
#include "linux/alsa.h"
#include "linux/drm.h"
#include "linux/gpio.h"
#include "linux/iio.h"
#include "linux/linux.h"
#include "linux/mlx90614.h"
#include "linux/idreader.h"
#include "linux/v4l2.h"

#define CONSUMER "sentineld"

struct lboard {
	struct snt_board board;
	struct snt_lgpio *gpio;
	struct snt_iio_therm *iio;
	struct snt_mlx90614 *mlx;
	struct snt_v4l2 *cam;
	int display_fd;			/* -1: messages are not shown */
	struct snt_drm *drm;		/* [display] backend = drm, once opened */
	struct snt_alsa *alsa;		/* [audio] backend = alsa, once opened */
	struct snt_idreader *idreader;	/* [idreader] device, opened at each read while it fails */
	/* What the DRM and ALSA backends open (again, until they open). */
	char card[PATH_MAX];
	enum snt_screen_order order;
	char pcm[64];
	char clips[PATH_MAX];
	int volume;
};

/*
 * The HDMI screen and the sound card are opened when first used and, while
 * they cannot be, at every use after: a screen plugged in later is used; a
 * gate without one goes on deciding (the failure is a device fault).
 */
static enum snt_hal_err drm_ready(struct lboard *lb)
{
	char why[256];

	if (lb->drm)
		return SNT_HAL_OK;
	switch (snt_drm_open(lb->card, lb->order, &lb->drm, why, sizeof(why))) {
	case SNT_DRM_OK:
		return SNT_HAL_OK;
	case SNT_DRM_ERR_NOMEM:
		return SNT_HAL_ERR_NOMEM;
	default:
		return SNT_HAL_ERR_IO;
	}
}

static enum snt_hal_err drm_show(void *ctx, const char *text)
{
	struct lboard *lb = ctx;
	enum snt_hal_err err = drm_ready(lb);

	return err ? err : snt_drm_ops.show(lb->drm, text);
}

static enum snt_hal_err drm_draw(void *ctx, const struct snt_screen *scr)
{
	struct lboard *lb = ctx;
	enum snt_hal_err err = drm_ready(lb);

	return err ? err : snt_drm_draw(lb->drm, scr);
}

static enum snt_hal_err drm_preview(void *ctx, const struct snt_frame *frame, int frozen)
{
	struct lboard *lb = ctx;

	return lb->drm ? snt_drm_preview(lb->drm, frame, frozen) : SNT_HAL_ERR_IO;
}

static const struct snt_display_ops drm_display_ops = {
	.show = drm_show,
	.draw = drm_draw,
	.preview = drm_preview,
};

static enum snt_hal_err alsa_play(void *ctx, const char *clip_id)
{
	struct lboard *lb = ctx;
	char why[256];

	if (!lb->alsa && snt_alsa_open(lb->pcm, lb->clips, lb->volume, &lb->alsa, why, sizeof(why)))
		return SNT_HAL_ERR_IO;
	return snt_alsa_ops.play(lb->alsa, clip_id);
}

static const struct snt_audio_ops alsa_audio_ops = {
	.play = alsa_play,
};

/*
 * Write @text to the display file @fd as one line, the two language lines
 * joined by " / ".  Return 0, or -1 with errno (0 for a short write).
 */
static int display_write(int fd, const char *text)
{
	char line[1024];
	size_t n = 0, off = 0;

	/*
	 * One message, one line: the two language lines joined by " / ", each
	 * with its controls escaped (snt_escape()): text from a code is hostile.
	 */
	for (const char *p = text; *p && n + 4 < sizeof(line);) {
		size_t seg = strcspn(p, "\n"), w;

		if (p != text)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " / ");
		w = snt_escape(p, seg, 0, line + n, sizeof(line) - 1 - n);
		n += w < sizeof(line) - 1 - n ? w : strlen(line + n);
		p += seg;
		if (*p == '\n')
			p++;
	}
	line[n++] = '\n';
	while (off < n) {
		ssize_t w = write(fd, line + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = 0;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

static enum snt_hal_err display_show(void *ctx, const char *text)
{
	struct lboard *lb = ctx;

	if (lb->display_fd < 0)
		return SNT_HAL_OK;
	return display_write(lb->display_fd, text) ? SNT_HAL_ERR_IO : SNT_HAL_OK;
}

static const struct snt_display_ops display_ops = {
	.show = display_show,
};

static void lboard_close(struct snt_board *b)
{
	struct lboard *lb = b->priv;

	/* The lines first: the door is locked before anything else goes. */
	snt_lgpio_close(lb->gpio);
	snt_v4l2_close(lb->cam);
	snt_iio_close(lb->iio);
	snt_mlx90614_close(lb->mlx);
	snt_alsa_close(lb->alsa);
	snt_idreader_free(lb->idreader);
	snt_drm_close(lb->drm);
	if (lb->display_fd >= 0)
		close(lb->display_fd);
	free(lb);
}

const char *const snt_linux_thermometers[SNT_LINUX_THERMOMETER_COUNT] = { "iio", "mlx90614-i2c" };

/* The thermometer [thermometer] type names: one of the two drivers open. */
struct therm {
	const char *backend;		/* snt_linux_thermometers[] entry */
	const char *key;		/* the [thermometer] key naming the device */
	struct snt_iio_therm *iio;
	struct snt_mlx90614 *mlx;
};

/*
 * Open the thermometer @cfg names, the IIO device under @iio_root or the
 * MLX90614 on the SMBus.  @why: the driver's reason on failure.
 */
static enum snt_hal_err therm_open(const struct snt_config *cfg, const char *iio_root, struct therm *t,
				   char *why, size_t whylen)
{
	memset(t, 0, sizeof(*t));
	if (!strcmp(cfg->therm_type, "iio")) {
		enum snt_iio_err err = snt_iio_open(iio_root, cfg->iio_name, &t->iio, why, whylen);

		t->backend = "iio";
		t->key = "iio_name";
		if (err)
			return err == SNT_IIO_ERR_NOMEM ? SNT_HAL_ERR_NOMEM : SNT_HAL_ERR_CONFIG;
		return SNT_HAL_OK;
	}
	{
		enum snt_mlx90614_err err = snt_mlx90614_open(cfg->i2c_dev, cfg->i2c_address, &t->mlx, why,
							      whylen);

		t->backend = "mlx90614-i2c";
		t->key = "i2c_device";
		if (err)
			return err == SNT_MLX90614_ERR_NOMEM ? SNT_HAL_ERR_NOMEM : SNT_HAL_ERR_CONFIG;
	}
	return SNT_HAL_OK;
}

static void therm_close(struct therm *t)
{
	snt_iio_close(t->iio);
	snt_mlx90614_close(t->mlx);
	t->iio = NULL;
	t->mlx = NULL;
}

static enum snt_hal_err open_thermometer(const struct snt_config *cfg, struct lboard *lb,
					 char *errbuf, size_t errlen)
{
	char why[PATH_MAX + 128];
	struct therm t;
	enum snt_hal_err herr = therm_open(cfg, cfg->iio_root, &t, why, sizeof(why));

	if (herr) {
		snprintf(errbuf, errlen, _("%s: key '%s' in [thermometer]: %s"), cfg->path, t.key, why);
		return herr;
	}
	lb->iio = t.iio;
	lb->mlx = t.mlx;
	if (t.iio) {
		lb->board.thermometer = &snt_iio_ops;
		lb->board.thermometer_ctx = lb->iio;
	} else {
		lb->board.thermometer = &snt_mlx90614_ops;
		lb->board.thermometer_ctx = lb->mlx;
	}
	return SNT_HAL_OK;
}

static enum snt_hal_err snt_linux_open(const struct snt_config *cfg, struct snt_board **out,
				       char *errbuf, size_t errlen)
{
	enum snt_lgpio_err gerr;
	enum snt_v4l2_err verr;
	enum snt_hal_err herr;
	struct lboard *lb;
	char why[PATH_MAX + 128];

	if (!cfg || !out || !errbuf || errlen == 0)
		return SNT_HAL_ERR_INVAL;
	*out = NULL;
	lb = calloc(1, sizeof(*lb));
	if (!lb) {
		snprintf(errbuf, errlen, "%s", _("out of memory"));
		return SNT_HAL_ERR_NOMEM;
	}
	lb->display_fd = -1;
	lb->board.name = "linux";
	lb->board.close = lboard_close;
	lb->board.priv = lb;
	snt_clock_system(&lb->board.clock);
	if (snt_clock_boot_id(lb->board.boot_id, sizeof(lb->board.boot_id))) {
		snprintf(errbuf, errlen, _("boot id: %s"), strerror(errno));
		herr = SNT_HAL_ERR_IO;
		goto err_close;
	}

	gerr = snt_lgpio_open(cfg->gpio, cfg->debounce_ms, CONSUMER, &lb->board.clock, &lb->gpio,
			      why, sizeof(why));
	if (gerr) {
		snprintf(errbuf, errlen, "%s: %s", cfg->path, why);
		herr = gerr == SNT_LGPIO_ERR_NOMEM ? SNT_HAL_ERR_NOMEM :
		       gerr == SNT_LGPIO_ERR_BUSY || gerr == SNT_LGPIO_ERR_IO ? SNT_HAL_ERR_IO :
										 SNT_HAL_ERR_CONFIG;
		goto err_close;
	}
	lb->board.gpio = &snt_lgpio_ops;
	lb->board.gpio_ctx = lb->gpio;

	herr = open_thermometer(cfg, lb, errbuf, errlen);
	if (herr)
		goto err_close;

	verr = snt_v4l2_open(&snt_v4l2_sys_io, NULL, cfg->camera_device, &lb->cam, why, sizeof(why));
	if (verr) {
		snprintf(errbuf, errlen, _("%s: key 'device' in [camera]: %s"), cfg->path, why);
		herr = verr == SNT_V4L2_ERR_NOMEM ? SNT_HAL_ERR_NOMEM :
		       verr == SNT_V4L2_ERR_OPEN || verr == SNT_V4L2_ERR_CAPS ||
				       verr == SNT_V4L2_ERR_FORMAT ? SNT_HAL_ERR_CONFIG : SNT_HAL_ERR_IO;
		goto err_close;
	}
	lb->board.camera = &snt_v4l2_ops;
	lb->board.camera_ctx = lb->cam;

	if (!strcmp(cfg->display_backend, "drm")) {
		snt_strlcpy(lb->card, cfg->display_card, sizeof(lb->card));
		if (snt_screen_order_from_name(cfg->display_languages, &lb->order))
			lb->order = SNT_SCREEN_ZH_FIRST;
		/* Not plugged in yet is no reason to refuse to start (drm_ready()). */
		(void)drm_ready(lb);
		lb->board.display = &drm_display_ops;
		lb->board.display_ctx = lb;
	} else if (cfg->display_path[0] && strcmp(cfg->display_backend, "none")) {
		lb->display_fd = open(cfg->display_path,
				      O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0644);
		if (lb->display_fd < 0) {
			snprintf(errbuf, errlen, _("%s: key 'path' in [display]: %s: %s"), cfg->path,
				 cfg->display_path, strerror(errno));
			herr = SNT_HAL_ERR_IO;
			goto err_close;
		}
	}
	if (!lb->board.display) {
		lb->board.display = &display_ops;
		lb->board.display_ctx = lb;
	}
	if (!strcmp(cfg->audio_backend, "alsa")) {
		snt_strlcpy(lb->pcm, cfg->audio_device, sizeof(lb->pcm));
		snt_strlcpy(lb->clips, cfg->audio_clips, sizeof(lb->clips));
		lb->volume = cfg->audio_volume;
		/* As the screen: a sound card that fails now is tried again at each prompt. */
		if (snt_alsa_open(lb->pcm, lb->clips, lb->volume, &lb->alsa, why, sizeof(why)) != SNT_ALSA_OK)
			lb->alsa = NULL;
		lb->board.audio = &alsa_audio_ops;
		lb->board.audio_ctx = lb;
	}
	/* The ID-card reader's line is opened at its first read: one missing now is a fault then. */
	if (cfg->idreader_device[0]) {
		herr = snt_idreader_new(cfg->idreader_device, cfg->idreader_timeout_ms, &lb->idreader);
		if (herr != SNT_HAL_OK) {
			snprintf(errbuf, errlen, _("%s: key 'device' in [idreader]: %s"), cfg->path,
				 _(snt_hal_strerror(herr)));
			goto err_close;
		}
		lb->board.idreader = &snt_idreader_tty_ops;
		lb->board.idreader_ctx = lb->idreader;
	}
	*out = &lb->board;
	return SNT_HAL_OK;

err_close:
	lboard_close(&lb->board);
	return herr;
}

/* Whether the gpiochip @descr (name, path, number or label) may exist here. */
static bool chip_exists(const char *descr)
{
	char path[PATH_MAX];
	glob_t g;
	bool any;

	if (descr[0] == '/')
		return access(descr, F_OK) == 0;
	if (!strncmp(descr, "gpiochip", 8)) {
		snprintf(path, sizeof(path), "/dev/%s", descr);
		return access(path, F_OK) == 0;
	}
	if (strspn(descr, "0123456789") == strlen(descr)) {
		snprintf(path, sizeof(path), "/dev/gpiochip%s", descr);
		return access(path, F_OK) == 0;
	}
	/* A label: only libgpiod can resolve it; at least some chip must exist. */
	any = glob("/dev/gpiochip*", 0, NULL, &g) == 0;
	globfree(&g);
	return any;
}

static enum snt_hal_err snt_linux_check(const struct snt_config *cfg, char *errbuf, size_t errlen)
{
	if (!cfg || !errbuf || errlen == 0)
		return SNT_HAL_ERR_INVAL;
	for (int i = 0; i < SNT_ROLE_COUNT; i++) {
		const struct snt_config_line *cl = &cfg->gpio[i];

		if (cl->set && !chip_exists(cl->chip)) {
			snprintf(errbuf, errlen, _("%s: key '%s' in [gpio]: %s:%u: %s"), cfg->path,
				 snt_role_name((enum snt_role)i), cl->chip, cl->offset,
				 snt_lgpio_strerror(SNT_LGPIO_ERR_NOCHIP));
			return SNT_HAL_ERR_CONFIG;
		}
	}
	if (!strcmp(cfg->therm_type, "iio")) {
		struct therm t;
		char why[PATH_MAX + 128];

		if (therm_open(cfg, cfg->iio_root, &t, why, sizeof(why))) {
			snprintf(errbuf, errlen, _("%s: key '%s' in [thermometer]: %s"), cfg->path, t.key,
				 why);
			return SNT_HAL_ERR_CONFIG;
		}
		therm_close(&t);
	} else if (access(cfg->i2c_dev, F_OK)) {
		snprintf(errbuf, errlen, _("%s: key 'i2c_device' in [thermometer]: %s: %s"), cfg->path,
			 cfg->i2c_dev, strerror(errno));
		return SNT_HAL_ERR_CONFIG;
	}
	if (access(cfg->camera_device, F_OK)) {
		snprintf(errbuf, errlen, _("%s: key 'device' in [camera]: %s: %s"), cfg->path,
			 cfg->camera_device, strerror(errno));
		return SNT_HAL_ERR_CONFIG;
	}
	return SNT_HAL_OK;
}

/* ---- probes (sentinelctl selftest) ---- */

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void report(snt_probe_fn *fn, void *arg, struct snt_probe *p, enum snt_role role, const char *backend,
		   enum snt_probe_status status)
{
	p->role = role;
	p->backend = backend;
	p->status = status;
	fn(arg, p);
}

/* One GPIO line requested alone: its level, or (outputs, with opts->drive) one pulse. */
static void probe_line(const struct snt_config *cfg, const struct snt_probe_opts *opts, enum snt_role role,
		       snt_probe_fn *fn, void *arg)
{
	struct snt_config_line one[SNT_CONFIG_GPIO_SLOTS];
	const struct snt_config_line *cl = &cfg->gpio[role];
	struct snt_probe p = { 0 };
	enum snt_lgpio_err err;
	struct snt_lgpio *g;
	struct snt_clock clk;
	char why[512];
	int v = 0;

	if (!cl->set)
		return;
	memset(one, 0, sizeof(one));
	one[role] = *cl;
	snt_clock_system(&clk);
	err = snt_lgpio_open(one, 0, "sentinelctl-selftest", &clk, &g, why, sizeof(why));
	if (err == SNT_LGPIO_ERR_BUSY) {
		snprintf(p.detail, sizeof(p.detail), _("%s:%u held by another program"), cl->chip, cl->offset);
		report(fn, arg, &p, role, "gpiod", SNT_PROBE_BUSY);
		return;
	}
	if (err) {
		snprintf(p.detail, sizeof(p.detail), "%s", why);
		report(fn, arg, &p, role, "gpiod", SNT_PROBE_FAIL);
		return;
	}
	if (snt_lgpio_is_output(role) && opts->drive) {
		err = snt_lgpio_set(g, role, 1);
		if (!err) {
			sleep_ms(opts->pulse_ms);
			err = snt_lgpio_set(g, role, 0);
		}
		snprintf(p.detail, sizeof(p.detail), _("%s:%u%s pulsed"), cl->chip, cl->offset,
			 cl->active_low ? _(" active-low") : "");
	} else {
		err = snt_lgpio_get(g, role, &v);
		/* i18n-exempt: level=N as key=value, like the thermometer's detail (interfaces.md) */
		snprintf(p.detail, sizeof(p.detail), "%s:%u%s level=%d", cl->chip, cl->offset,
			 cl->active_low ? " active-low" : "", v);
	}
	snt_lgpio_close(g);
	if (err)
		snprintf(p.detail, sizeof(p.detail), "%s", snt_lgpio_strerror(err));
	report(fn, arg, &p, role, "gpiod", err ? SNT_PROBE_FAIL : SNT_PROBE_OK);
}

/*
 * The HDMI screen: the connector and mode found without touching the
 * screen; with opts->drive the text is shown (which needs the card, so not
 * while sentineld holds it: "busy").
 */
static void probe_drm(const struct snt_config *cfg, const struct snt_probe_opts *opts, snt_probe_fn *fn,
		      void *arg)
{
	struct snt_probe p = { 0 };
	enum snt_screen_order order;
	struct snt_drm *d;
	char why[256];

	if (snt_drm_find(cfg->display_card, p.detail, sizeof(p.detail), why, sizeof(why)) != SNT_DRM_OK) {
		snt_strlcpy(p.detail, why, sizeof(p.detail));
		report(fn, arg, &p, SNT_ROLE_DISPLAY, "drm", SNT_PROBE_FAIL);
		return;
	}
	if (!opts->drive) {
		snt_strlcpy(p.detail + strlen(p.detail), _(" (not driven; --outputs to drive)"),
			    sizeof(p.detail) - strlen(p.detail));
		report(fn, arg, &p, SNT_ROLE_DISPLAY, "drm", SNT_PROBE_OK);
		return;
	}
	if (snt_screen_order_from_name(cfg->display_languages, &order))
		order = SNT_SCREEN_ZH_FIRST;
	if (snt_drm_open(cfg->display_card, order, &d, why, sizeof(why)) != SNT_DRM_OK) {
		snprintf(p.detail, sizeof(p.detail), "%s", why);
		report(fn, arg, &p, SNT_ROLE_DISPLAY, "drm", errno == EACCES || errno == EBUSY ?
			SNT_PROBE_BUSY : SNT_PROBE_FAIL);
		return;
	}
	if (snt_drm_ops.show(d, opts->display_text) != SNT_HAL_OK) {
		snt_drm_close(d);
		snt_strlcpy(p.detail + strlen(p.detail), _(": the screen could not be drawn"),
			    sizeof(p.detail) - strlen(p.detail));
		report(fn, arg, &p, SNT_ROLE_DISPLAY, "drm", SNT_PROBE_FAIL);
		return;
	}
	sleep_ms(opts->pulse_ms > 0 ? opts->pulse_ms : 500);
	snt_drm_close(d);
	snt_strlcpy(p.detail + strlen(p.detail), _(" shown"), sizeof(p.detail) - strlen(p.detail));
	report(fn, arg, &p, SNT_ROLE_DISPLAY, "drm", SNT_PROBE_OK);
}

/*
 * The display file or FIFO: opened for writing (O_NONBLOCK: a FIFO without a
 * reader fails with ENXIO instead of hanging; never created); the text is
 * written only with opts->drive, as display_show() writes it.
 */
static void probe_display(const struct snt_config *cfg, const struct snt_probe_opts *opts, snt_probe_fn *fn,
			  void *arg)
{
	struct snt_probe p = { 0 };
	int fd;

	if (!strcmp(cfg->display_backend, "drm")) {
		probe_drm(cfg, opts, fn, arg);
		return;
	}
	if (!cfg->display_path[0] || !strcmp(cfg->display_backend, "none")) {
		snprintf(p.detail, sizeof(p.detail), "%s", _("none configured"));
		report(fn, arg, &p, SNT_ROLE_DISPLAY, "file", SNT_PROBE_OK);
		return;
	}
	fd = open(cfg->display_path, O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || (opts->drive && display_write(fd, opts->display_text))) {
		snprintf(p.detail, sizeof(p.detail), "%s: %s", cfg->display_path,
			 errno ? strerror(errno) : _("short write"));
		if (fd >= 0)
			close(fd);
		report(fn, arg, &p, SNT_ROLE_DISPLAY, "file", SNT_PROBE_FAIL);
		return;
	}
	close(fd);
	snprintf(p.detail, sizeof(p.detail), "%s%s", cfg->display_path,
		 opts->drive ? _(" shown") : _(" (not driven; --outputs to drive)"));
	report(fn, arg, &p, SNT_ROLE_DISPLAY, "file", SNT_PROBE_OK);
}

/*
 * The audio device: the PCM opened for playback and closed; with
 * opts->drive the admit prompt is played.
 */
static void probe_audio(const struct snt_config *cfg, const struct snt_probe_opts *opts, snt_probe_fn *fn,
			void *arg)
{
	struct snt_probe p = { 0 };
	struct snt_alsa *a;

	if (strcmp(cfg->audio_backend, "alsa")) {
		snprintf(p.detail, sizeof(p.detail), "%s", _("none configured"));
		report(fn, arg, &p, SNT_ROLE_AUDIO, "none", SNT_PROBE_OK);
		return;
	}
	if (snt_alsa_open(cfg->audio_device, cfg->audio_clips, cfg->audio_volume, &a, p.detail,
			  sizeof(p.detail)) != SNT_ALSA_OK) {
		report(fn, arg, &p, SNT_ROLE_AUDIO, "alsa", SNT_PROBE_FAIL);
		return;
	}
	snt_alsa_describe(a, p.detail, sizeof(p.detail));
	if (opts->drive && snt_alsa_ops.play(a, "admit-zh") == SNT_HAL_OK)
		snt_strlcpy(p.detail + strlen(p.detail), _(" played"), sizeof(p.detail) - strlen(p.detail));
	else if (!opts->drive)
		snt_strlcpy(p.detail + strlen(p.detail), _(" (not driven; --outputs to drive)"),
			    sizeof(p.detail) - strlen(p.detail));
	snt_alsa_close(a);
	report(fn, arg, &p, SNT_ROLE_AUDIO, "alsa", SNT_PROBE_OK);
}

static void probe_thermometer(const struct snt_config *cfg, snt_probe_fn *fn, void *arg)
{
	struct snt_probe p = { 0 };
	struct therm t;
	bool bad = false;

	if (therm_open(cfg, cfg->iio_root, &t, p.detail, sizeof(p.detail))) {
		report(fn, arg, &p, SNT_ROLE_THERMOMETER, t.backend, SNT_PROBE_FAIL);
		return;
	}
	if (t.iio) {
		enum snt_iio_err err = snt_iio_read(t.iio, &p.object_mdc, &p.ambient_mdc);

		if (err) {
			snprintf(p.detail, sizeof(p.detail), "%s: %s", snt_iio_dir(t.iio), snt_iio_strerror(err));
			bad = true;
		}
	} else {
		enum snt_mlx90614_err err = snt_mlx90614_read(t.mlx, &p.object_mdc, &p.ambient_mdc);

		if (err == SNT_MLX90614_ERR_IO)
			snprintf(p.detail, sizeof(p.detail), "%s 0x%02x: %s: %s", cfg->i2c_dev, cfg->i2c_address,
				 snt_mlx90614_strerror(err), strerror(snt_mlx90614_last_errno(t.mlx)));
		else if (err)
			snprintf(p.detail, sizeof(p.detail), "%s 0x%02x: %s", cfg->i2c_dev, cfg->i2c_address,
				 snt_mlx90614_strerror(err));
		bad = err != SNT_MLX90614_OK;
	}
	therm_close(&t);
	p.has_reading = !bad;
	report(fn, arg, &p, SNT_ROLE_THERMOMETER, t.backend, bad ? SNT_PROBE_FAIL : SNT_PROBE_OK);
}

static void probe_camera(const struct snt_config *cfg, snt_probe_fn *fn, void *arg)
{
	struct snt_probe p = { 0 };
	struct snt_v4l2 *v;
	enum snt_v4l2_err err;

	err = snt_v4l2_open(&snt_v4l2_sys_io, NULL, cfg->camera_device, &v, p.detail, sizeof(p.detail));
	if (err) {
		report(fn, arg, &p, SNT_ROLE_CAMERA, "v4l2", err == SNT_V4L2_ERR_BUSY ? SNT_PROBE_BUSY : SNT_PROBE_FAIL);
		return;
	}
	snprintf(p.detail, sizeof(p.detail), "%s %s", cfg->camera_device, snt_v4l2_fourcc(v));
	snt_v4l2_close(v);
	report(fn, arg, &p, SNT_ROLE_CAMERA, "v4l2", SNT_PROBE_OK);
}

static enum snt_hal_err snt_linux_probe(const struct snt_config *cfg, const struct snt_probe_opts *opts,
					snt_probe_fn *fn, void *arg)
{
	if (!cfg || !opts || !fn)
		return SNT_HAL_ERR_INVAL;
	for (int r = 0; r < SNT_ROLE_COUNT; r++) {
		if (r == SNT_ROLE_DISPLAY)
			probe_display(cfg, opts, fn, arg);
		else if (r == SNT_ROLE_THERMOMETER)
			probe_thermometer(cfg, fn, arg);
		else if (r == SNT_ROLE_CAMERA)
			probe_camera(cfg, fn, arg);
		else if (r == SNT_ROLE_AUDIO)
			probe_audio(cfg, opts, fn, arg);
		else
			probe_line(cfg, opts, (enum snt_role)r, fn, arg);
	}
	return SNT_HAL_OK;
}

const struct snt_board_backend snt_linux_backend = { snt_linux_open, snt_linux_check, snt_linux_probe };
