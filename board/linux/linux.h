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

#include "backend.h"

/*
 * snt_linux_backend - the real board (backend.h).
 * open(): GPIO lines first (outputs inactive: the door locked), then the
 *   thermometer, the camera and the display; @errbuf: "CONFIG: key 'x' in
 *   [section]: device: why"; SNT_HAL_ERR_CONFIG for no such chip, line or
 *   IIO device, a line used twice; SNT_HAL_ERR_IO for a device that exists
 *   but fails or is busy.
 * check(): the device nodes and the IIO device named by @cfg exist
 *   (SNT_HAL_ERR_CONFIG otherwise).
 * probe(): each configured GPIO line requested alone (backend "gpiod"; busy
 *   when sentineld holds it), the display file opened for writing without
 *   creating it ("file"), the thermometer opened and read once ("iio" or
 *   "mlx90614-i2c"), the camera opened and its format negotiated ("v4l2";
 *   busy when held).
 */
extern const struct snt_board_backend snt_linux_backend;

/* The [thermometer] type names the real board takes, in this order. */
#define SNT_LINUX_THERMOMETER_COUNT 2
extern const char *const snt_linux_thermometers[SNT_LINUX_THERMOMETER_COUNT];

#endif /* SNT_LINUX_H */
