/* SPDX-License-Identifier: MIT */
/*
 * linux: the real board (`board = linux`): GPIO lines by role through
 * libgpiod (gpio.h), the thermometer through IIO sysfs (iio.h) or raw SMBus
 * (mlx90614.h), the camera through V4L2 (v4l2.h), visitor messages to a file
 * or FIFO ([display] path), on the system clocks (clock.h).
 */
#ifndef SNT_LINUX_H
#define SNT_LINUX_H

#include <stddef.h>

#include "hal.h"

struct snt_config;

/*
 * snt_linux_open() - open every device of @cfg: GPIO lines first (outputs
 * inactive: the door locked), then the thermometer, the camera and the
 * display.  A failure releases everything opened before it.
 * @errbuf: "CONFIG: key 'x' in [section]: device: why".
 * Return: SNT_HAL_OK; SNT_HAL_ERR_CONFIG for what the configuration names
 * wrongly (no such chip, line or IIO device, a line used twice);
 * SNT_HAL_ERR_IO for a device that exists but fails or is busy;
 * SNT_HAL_ERR_NOMEM.
 */
enum snt_hal_err snt_linux_open(const struct snt_config *cfg, struct snt_board **out,
				char *errbuf, size_t errlen) SNT_WUR;

/*
 * snt_linux_check() - for `sentineld -n`: the device nodes and the IIO
 * device named by @cfg exist; opens no device.
 * Return: SNT_HAL_OK; SNT_HAL_ERR_CONFIG with the reason in @errbuf.
 */
enum snt_hal_err snt_linux_check(const struct snt_config *cfg, char *errbuf, size_t errlen) SNT_WUR;

/*
 * snt_linux_probe() - snt_board_probe() for the real board: each configured
 * GPIO line requested alone (backend "gpiod"; busy when sentineld holds it),
 * the display file opened for writing without creating it ("file"), the
 * thermometer opened and read once ("iio" or "mlx90614-i2c"), the camera
 * opened and its format negotiated ("v4l2"; busy when held).
 * Return: as snt_board_probe().
 */
enum snt_hal_err snt_linux_probe(const struct snt_config *cfg, const struct snt_probe_opts *opts,
				 snt_probe_fn *fn, void *arg) SNT_WUR;

/* The [thermometer] type names the real board takes, in this order. */
#define SNT_LINUX_THERMOMETER_COUNT 2
extern const char *const snt_linux_thermometers[SNT_LINUX_THERMOMETER_COUNT];

#endif /* SNT_LINUX_H */
