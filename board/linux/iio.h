/* SPDX-License-Identifier: MIT */
/*
 * iio: forehead IR thermometers through the Linux IIO sysfs interface
 * (Documentation/ABI/testing/sysfs-bus-iio: in_temp_<mod>_raw,
 * in_temp_offset, in_temp_scale, in_temp_<mod>_input).
 *
 *   mlx90614, mlx90615 (drivers/iio/temperature/mlx90614.c, mlx90615):
 *     milli-°C = (in_temp_object_raw + in_temp_offset) * in_temp_scale,
 *     and the same with in_temp_ambient_raw; e.g. raw 15207, offset
 *     -13657.5, scale 20 -> 30990 m°C.
 *   mlx90632 (drivers/iio/temperature/mlx90632.c): in_temp_object_input
 *     and in_temp_ambient_input, already in milli-°C.
 *
 * The device is found under the root directory (default
 * /sys/bus/iio/devices) as the iio:deviceN whose `name` attribute matches.
 * Every read opens the attribute files afresh (sysfs values are produced at
 * open/read time); nothing is cached between reads.
 */
#ifndef SNT_IIO_H
#define SNT_IIO_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "hal.h"

enum snt_iio_err {
	SNT_IIO_OK = 0,
	SNT_IIO_ERR_INVAL,	/* NULL argument, unsupported device name, path too long */
	SNT_IIO_ERR_NODEV,	/* no device with that name under the root */
	SNT_IIO_ERR_MISSING,	/* an attribute file the driver must have is absent */
	SNT_IIO_ERR_PARSE,	/* an attribute is empty or not a number */
	SNT_IIO_ERR_IO,		/* reading failed (the driver's EIO/EREMOTEIO from the bus) */
	SNT_IIO_ERR_RANGE,	/* the computed value does not fit in milli-°C as int32 */
	SNT_IIO_ERR_NOMEM,
};

struct snt_iio_therm;

/* The IIO device names snt_iio_open() takes ([thermometer] iio_name), in this order. */
#define SNT_IIO_DEVICE_COUNT 3
extern const char *const snt_iio_devices[SNT_IIO_DEVICE_COUNT];

/*
 * snt_iio_open() - find the IIO device named @name under @root and check
 * that its attribute files exist.
 * @root: IIO devices directory, e.g. "/sys/bus/iio/devices"; borrowed.
 * @name: "mlx90614", "mlx90615" or "mlx90632".
 * @out: receives the handle; release with snt_iio_close().
 * @errbuf, @errlen: on failure one line naming the root, the device or the
 *                   attribute at fault.
 * Return: SNT_IIO_OK; SNT_IIO_ERR_INVAL; SNT_IIO_ERR_NODEV (also when @root
 * cannot be listed); SNT_IIO_ERR_MISSING; SNT_IIO_ERR_NOMEM.
 */
enum snt_iio_err snt_iio_open(const char *root, const char *name, struct snt_iio_therm **out,
			      char *errbuf, size_t errlen) SNT_WUR;

/*
 * snt_iio_read() - one sample of object and ambient temperature, milli-°C.
 * Return: SNT_IIO_OK; SNT_IIO_ERR_INVAL; SNT_IIO_ERR_MISSING when a file has
 * gone (device unbound); SNT_IIO_ERR_PARSE for an empty or non-numeric
 * value; SNT_IIO_ERR_IO when read(2) fails; SNT_IIO_ERR_RANGE.
 */
enum snt_iio_err snt_iio_read(struct snt_iio_therm *t, int32_t *object_mdc,
			      int32_t *ambient_mdc) SNT_WUR;

/* snt_iio_dir() - the device directory found by snt_iio_open(); owned by @t. */
const char *snt_iio_dir(const struct snt_iio_therm *t);

/* snt_iio_close() - NULL does nothing. */
void snt_iio_close(struct snt_iio_therm *t);

/* The hal.h thermometer ops over a struct snt_iio_therm (errors: SNT_HAL_ERR_IO). */
extern const struct snt_thermometer_ops snt_iio_ops;

/* snt_iio_strerror() - static text for @err in the user's language (i18n.h); never NULL. */
const char *snt_iio_strerror(enum snt_iio_err err);

#endif /* SNT_IIO_H */
