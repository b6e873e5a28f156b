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

#endif /* SNT_LINUX_H */
