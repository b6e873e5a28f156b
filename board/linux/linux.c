// SPDX-License-Identifier: MIT
/*
 * The real board: libgpiod lines, an IIO or SMBus thermometer, a V4L2
 * camera, a display file (see linux.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "linux/gpio.h"
#include "linux/iio.h"
#include "linux/linux.h"
#include "linux/mlx90614.h"
#include "linux/v4l2.h"

#define CONSUMER "sentineld"

struct lboard {
	struct snt_board board;
	struct snt_lgpio *gpio;
	struct snt_iio_therm *iio;
	struct snt_mlx90614 *mlx;
	struct snt_v4l2 *cam;
	int display_fd;			/* -1: messages are not shown */
};

static enum snt_hal_err display_show(void *ctx, const char *text)
{
	struct lboard *lb = ctx;
	char line[1024];
	size_t n = 0, off = 0;

	if (lb->display_fd < 0)
		return SNT_HAL_OK;
	/* One message, one line: the two language lines joined by " / ". */
	for (const char *p = text; *p && n + 4 < sizeof(line); p++) {
		if (*p == '\n') {
			memcpy(line + n, " / ", 3);
			n += 3;
		} else if ((unsigned char)*p >= 0x20 && *p != 0x7f) {
			line[n++] = *p;
		}
	}
	line[n++] = '\n';
	while (off < n) {
		ssize_t w = write(lb->display_fd, line + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return SNT_HAL_ERR_IO;
		off += (size_t)w;
	}
	return SNT_HAL_OK;
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
	if (lb->display_fd >= 0)
		close(lb->display_fd);
	free(lb);
}

static enum snt_hal_err open_thermometer(const struct snt_config *cfg, struct lboard *lb,
					 char *errbuf, size_t errlen)
{
	char why[PATH_MAX + 128];

	if (!strcmp(cfg->therm_type, "iio")) {
		enum snt_iio_err err = snt_iio_open(cfg->iio_root, cfg->iio_name, &lb->iio, why,
						    sizeof(why));

		if (err) {
			snprintf(errbuf, errlen, "%s: key 'iio_name' in [thermometer]: %s", cfg->path,
				 why);
			return err == SNT_IIO_ERR_NOMEM ? SNT_HAL_ERR_NOMEM : SNT_HAL_ERR_CONFIG;
		}
		lb->board.thermometer = &snt_iio_ops;
		lb->board.thermometer_ctx = lb->iio;
		return SNT_HAL_OK;
	}
	{
		enum snt_mlx90614_err err = snt_mlx90614_open(cfg->i2c_dev, cfg->i2c_address, &lb->mlx,
							      why, sizeof(why));

		if (err) {
			snprintf(errbuf, errlen, "%s: key 'i2c_device' in [thermometer]: %s",
				 cfg->path, why);
			return err == SNT_MLX90614_ERR_NOMEM ? SNT_HAL_ERR_NOMEM : SNT_HAL_ERR_CONFIG;
		}
		lb->board.thermometer = &snt_mlx90614_ops;
		lb->board.thermometer_ctx = lb->mlx;
	}
	return SNT_HAL_OK;
}

enum snt_hal_err snt_linux_open(const struct snt_config *cfg, struct snt_board **out,
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
		snprintf(errbuf, errlen, "out of memory");
		return SNT_HAL_ERR_NOMEM;
	}
	lb->display_fd = -1;
	lb->board.name = "linux";
	lb->board.close = lboard_close;
	lb->board.priv = lb;
	snt_clock_system(&lb->board.clock);
	if (snt_clock_boot_id(lb->board.boot_id, sizeof(lb->board.boot_id))) {
		snprintf(errbuf, errlen, "boot id: %s", strerror(errno));
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
		snprintf(errbuf, errlen, "%s: key 'device' in [camera]: %s", cfg->path, why);
		herr = verr == SNT_V4L2_ERR_NOMEM ? SNT_HAL_ERR_NOMEM :
		       verr == SNT_V4L2_ERR_OPEN || verr == SNT_V4L2_ERR_CAPS ||
				       verr == SNT_V4L2_ERR_FORMAT ? SNT_HAL_ERR_CONFIG : SNT_HAL_ERR_IO;
		goto err_close;
	}
	lb->board.camera = &snt_v4l2_ops;
	lb->board.camera_ctx = lb->cam;

	if (cfg->display_path[0]) {
		lb->display_fd = open(cfg->display_path,
				      O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0644);
		if (lb->display_fd < 0) {
			snprintf(errbuf, errlen, "%s: key 'path' in [display]: %s: %s", cfg->path,
				 cfg->display_path, strerror(errno));
			herr = SNT_HAL_ERR_IO;
			goto err_close;
		}
	}
	lb->board.display = &display_ops;
	lb->board.display_ctx = lb;
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

enum snt_hal_err snt_linux_check(const struct snt_config *cfg, char *errbuf, size_t errlen)
{
	if (!cfg || !errbuf || errlen == 0)
		return SNT_HAL_ERR_INVAL;
	for (int i = 0; i < SNT_ROLE_COUNT; i++) {
		const struct snt_config_line *cl = &cfg->gpio[i];

		if (cl->set && !chip_exists(cl->chip)) {
			snprintf(errbuf, errlen, "%s: key '%s' in [gpio]: %s:%u: %s", cfg->path,
				 snt_role_name((enum snt_role)i), cl->chip, cl->offset,
				 snt_lgpio_strerror(SNT_LGPIO_ERR_NOCHIP));
			return SNT_HAL_ERR_CONFIG;
		}
	}
	if (!strcmp(cfg->therm_type, "iio")) {
		struct snt_iio_therm *t;
		char why[PATH_MAX + 128];

		if (snt_iio_open(cfg->iio_root, cfg->iio_name, &t, why, sizeof(why))) {
			snprintf(errbuf, errlen, "%s: key 'iio_name' in [thermometer]: %s", cfg->path,
				 why);
			return SNT_HAL_ERR_CONFIG;
		}
		snt_iio_close(t);
	} else if (access(cfg->i2c_dev, F_OK)) {
		snprintf(errbuf, errlen, "%s: key 'i2c_device' in [thermometer]: %s: %s", cfg->path,
			 cfg->i2c_dev, strerror(errno));
		return SNT_HAL_ERR_CONFIG;
	}
	if (access(cfg->camera_device, F_OK)) {
		snprintf(errbuf, errlen, "%s: key 'device' in [camera]: %s: %s", cfg->path,
			 cfg->camera_device, strerror(errno));
		return SNT_HAL_ERR_CONFIG;
	}
	return SNT_HAL_OK;
}
