// SPDX-License-Identifier: MIT
/*
 * MLX90614 over SMBus with PEC (see mlx90614.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "common/i18n.h"
#include "linux/mlx90614.h"

struct snt_mlx90614 {
	const struct snt_smbus_ops *ops;
	void *ctx;
	uint8_t addr;
	int last_errno;
};

static const char *const err_text[] = {
	[SNT_MLX90614_OK] = N_("success"),
	[SNT_MLX90614_ERR_INVAL] = N_("invalid argument"),
	[SNT_MLX90614_ERR_OPEN] = N_("cannot open the I2C device"),
	[SNT_MLX90614_ERR_IO] = N_("I2C transfer failed"),
	[SNT_MLX90614_ERR_PEC] = N_("PEC mismatch"),
	[SNT_MLX90614_ERR_FLAG] = N_("sensor error flag set"),
	[SNT_MLX90614_ERR_NOMEM] = N_("out of memory"),
};

const char *snt_mlx90614_strerror(enum snt_mlx90614_err err)
{
	/* The text in the user's language: every caller shows it to a person. */
	return _(snt_table_text(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error")));
}

uint8_t snt_mlx90614_pec(const uint8_t *data, size_t len)
{
	uint8_t crc = 0;

	for (size_t i = 0; i < len; i++) {
		crc ^= data[i];
		for (int b = 0; b < 8; b++)
			crc = (uint8_t)(crc & 0x80 ? (crc << 1) ^ 0x07 : crc << 1);
	}
	return crc;
}

enum snt_mlx90614_err snt_mlx90614_new(const struct snt_smbus_ops *ops, void *ctx, int addr,
				       struct snt_mlx90614 **out)
{
	struct snt_mlx90614 *m;

	if (!ops || !ops->read_block || !ops->sleep_ms || !out || addr < 0x03 || addr > 0x77)
		return SNT_MLX90614_ERR_INVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return SNT_MLX90614_ERR_NOMEM;
	m->ops = ops;
	m->ctx = ctx;
	m->addr = (uint8_t)addr;
	*out = m;
	return SNT_MLX90614_OK;
}

enum snt_mlx90614_err snt_mlx90614_read_word(struct snt_mlx90614 *m, uint8_t cmd, uint16_t *word)
{
	enum snt_mlx90614_err err = SNT_MLX90614_ERR_IO;

	if (!m || !word)
		return SNT_MLX90614_ERR_INVAL;
	for (int try = 0; try < SNT_MLX90614_TRIES; try++) {
		uint8_t rx[3] = { 0 }, frame[5];
		int rc;

		if (try > 0)
			m->ops->sleep_ms(m->ctx, SNT_MLX90614_RETRY_MS);
		rc = m->ops->read_block(m->ctx, m->addr, cmd, rx, sizeof(rx));
		if (rc < 0) {
			m->last_errno = -rc;
			err = SNT_MLX90614_ERR_IO;
			continue;
		}
		frame[0] = (uint8_t)(m->addr << 1);
		frame[1] = cmd;
		frame[2] = (uint8_t)(m->addr << 1 | 1);
		frame[3] = rx[0];
		frame[4] = rx[1];
		if (snt_mlx90614_pec(frame, sizeof(frame)) != rx[2]) {
			err = SNT_MLX90614_ERR_PEC;
			continue;
		}
		*word = (uint16_t)(rx[0] | rx[1] << 8);
		return SNT_MLX90614_OK;
	}
	return err;
}

static enum snt_mlx90614_err temp_mdc(struct snt_mlx90614 *m, uint8_t cmd, int32_t *out)
{
	enum snt_mlx90614_err err;
	uint16_t w;

	err = snt_mlx90614_read_word(m, cmd, &w);
	if (err)
		return err;
	if (w & 0x8000)
		return SNT_MLX90614_ERR_FLAG;
	*out = (int32_t)w * 20 - 273150;	/* 0.02 K per LSB */
	return SNT_MLX90614_OK;
}

enum snt_mlx90614_err snt_mlx90614_read(struct snt_mlx90614 *m, int32_t *object_mdc,
					int32_t *ambient_mdc)
{
	enum snt_mlx90614_err err;

	if (!m || !object_mdc || !ambient_mdc)
		return SNT_MLX90614_ERR_INVAL;
	err = temp_mdc(m, SNT_MLX90614_RAM_TOBJ1, object_mdc);
	if (!err)
		err = temp_mdc(m, SNT_MLX90614_RAM_TA, ambient_mdc);
	return err;
}

int snt_mlx90614_last_errno(const struct snt_mlx90614 *m)
{
	return m ? m->last_errno : 0;
}

void snt_mlx90614_close(struct snt_mlx90614 *m)
{
	if (!m)
		return;
	if (m->ops->close)
		m->ops->close(m->ctx);
	free(m);
}

/* ---- the i2c-dev transport ---- */

struct i2cdev {
	int fd;
};

static int i2cdev_read_block(void *ctx, uint8_t addr, uint8_t cmd, uint8_t *rx, size_t len)
{
	struct i2cdev *d = ctx;
	struct i2c_rdwr_ioctl_data data;
	struct i2c_msg msgs[2];

	/* Whole structs zeroed: no uninitialised padding goes to the kernel. */
	memset(msgs, 0, sizeof(msgs));
	memset(&data, 0, sizeof(data));
	msgs[0].addr = addr;
	msgs[0].len = 1;
	msgs[0].buf = &cmd;
	msgs[1].addr = addr;
	msgs[1].flags = I2C_M_RD;
	msgs[1].len = (uint16_t)len;
	msgs[1].buf = rx;
	data.msgs = msgs;
	data.nmsgs = 2;

	if (ioctl(d->fd, I2C_RDWR, &data) < 0)
		return -errno;
	return 0;
}

static void i2cdev_sleep_ms(void *ctx, int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	(void)ctx;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void i2cdev_close(void *ctx)
{
	struct i2cdev *d = ctx;

	close(d->fd);
	free(d);
}

static const struct snt_smbus_ops i2cdev_ops = {
	.read_block = i2cdev_read_block,
	.sleep_ms = i2cdev_sleep_ms,
	.close = i2cdev_close,
};

enum snt_mlx90614_err snt_mlx90614_open(const char *dev, int addr, struct snt_mlx90614 **out,
					char *errbuf, size_t errlen)
{
	enum snt_mlx90614_err err;
	struct i2cdev *d;

	if (!dev || !out || !errbuf || errlen == 0 || addr < 0x03 || addr > 0x77)
		return SNT_MLX90614_ERR_INVAL;
	*out = NULL;
	d = malloc(sizeof(*d));
	if (!d) {
		snprintf(errbuf, errlen, "%s", _("out of memory"));
		return SNT_MLX90614_ERR_NOMEM;
	}
	d->fd = open(dev, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		snprintf(errbuf, errlen, "%s: %s", dev, strerror(errno));
		free(d);
		return SNT_MLX90614_ERR_OPEN;
	}
	err = snt_mlx90614_new(&i2cdev_ops, d, addr, out);
	if (err) {
		snprintf(errbuf, errlen, "%s: %s", dev, _(err_text[err]));
		i2cdev_close(d);
	}
	return err;
}

static enum snt_hal_err ops_read(void *ctx, int32_t *object_mdc, int32_t *ambient_mdc)
{
	return snt_mlx90614_read(ctx, object_mdc, ambient_mdc) == SNT_MLX90614_OK ?
		       SNT_HAL_OK : SNT_HAL_ERR_IO;
}

const struct snt_thermometer_ops snt_mlx90614_ops = {
	.read = ops_read,
};
