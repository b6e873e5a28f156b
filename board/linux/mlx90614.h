/* SPDX-License-Identifier: MIT */
/*
 * mlx90614: the Melexis MLX90614 IR thermometer read directly over SMBus
 * (/dev/i2c-N), without the kernel's IIO driver.
 *
 * MLX90614 datasheet rev 13, §8.4.3 (SMBus "read word"): the master writes
 * the slave address (SA<<1), the command (RAM address 0x07 = Tobj1, 0x06 =
 * Ta), a repeated start, SA<<1|1, then reads LSB, MSB and the PEC.  The PEC
 * is the CRC-8 with polynomial x^8+x^2+x+1 (0x07), initial value 0, over
 * every byte of the transaction: SA<<1, command, SA<<1|1, LSB, MSB.  It is
 * checked on every read.  A RAM temperature is in units of 0.02 K; bit 15 set
 * is the device's error flag (the value is not a temperature).
 *
 * Back-to-back reads fail intermittently with EREMOTEIO (NAK) or EIO
 * (domain.md lesson 9): a failed transfer or a wrong PEC is retried up to
 * SNT_MLX90614_TRIES times in all, SNT_MLX90614_RETRY_MS apart.
 *
 * The bus is reached through a small transport (struct snt_smbus_ops), so
 * tests replace it with a scripted one; snt_mlx90614_open() uses the Linux
 * i2c-dev I2C_RDWR ioctl.
 */
#ifndef SNT_MLX90614_H
#define SNT_MLX90614_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "hal.h"

#define SNT_MLX90614_RAM_TA 0x06
#define SNT_MLX90614_RAM_TOBJ1 0x07
#define SNT_MLX90614_TRIES 3
#define SNT_MLX90614_RETRY_MS 5

enum snt_mlx90614_err {
	SNT_MLX90614_OK = 0,
	SNT_MLX90614_ERR_INVAL,	/* NULL argument or address outside 0x03-0x77 */
	SNT_MLX90614_ERR_OPEN,	/* the i2c-dev device cannot be opened */
	SNT_MLX90614_ERR_IO,	/* every try failed on the bus (last errno kept) */
	SNT_MLX90614_ERR_PEC,	/* every try had a wrong PEC */
	SNT_MLX90614_ERR_FLAG,	/* the device set its error flag (bit 15) */
	SNT_MLX90614_ERR_NOMEM,
};

/* The SMBus transport; tests provide a scripted one. */
struct snt_smbus_ops {
	/*
	 * read_block() - write @cmd to 7-bit @addr, repeated start, read @len
	 * bytes into @rx.
	 * Return: 0, or a negative errno (-EREMOTEIO for a NAK, -EIO, ...).
	 */
	int (*read_block)(void *ctx, uint8_t addr, uint8_t cmd, uint8_t *rx, size_t len);
	/* sleep_ms() - pause between retries. */
	void (*sleep_ms)(void *ctx, int ms);
	/* close() - release the transport; may be NULL. */
	void (*close)(void *ctx);
};

struct snt_mlx90614;

/*
 * snt_mlx90614_pec() - CRC-8, polynomial 0x07, initial 0, no reflection,
 * over @len bytes of @data (datasheet rev 13 §8.4.3).
 */
uint8_t snt_mlx90614_pec(const uint8_t *data, size_t len);

/*
 * snt_mlx90614_new() - a sensor at @addr over the transport @ops/@ctx
 * (borrowed; @ops->close, if any, is called by snt_mlx90614_close()).
 * Return: SNT_MLX90614_OK and *out; SNT_MLX90614_ERR_INVAL;
 * SNT_MLX90614_ERR_NOMEM.
 */
enum snt_mlx90614_err snt_mlx90614_new(const struct snt_smbus_ops *ops, void *ctx, int addr,
				       struct snt_mlx90614 **out) SNT_WUR;

/*
 * snt_mlx90614_open() - a sensor at @addr on the i2c-dev device @dev
 * ("/dev/i2c-1"), read with the I2C_RDWR ioctl.
 * @errbuf, @errlen: on failure "DEV: strerror".
 * Return: SNT_MLX90614_OK; SNT_MLX90614_ERR_INVAL; SNT_MLX90614_ERR_OPEN;
 * SNT_MLX90614_ERR_NOMEM.
 */
enum snt_mlx90614_err snt_mlx90614_open(const char *dev, int addr, struct snt_mlx90614 **out,
					char *errbuf, size_t errlen) SNT_WUR;

/*
 * snt_mlx90614_read_word() - SMBus read word of RAM/EEPROM address @cmd,
 * PEC checked, retried as described above.
 * Return: SNT_MLX90614_OK and *word; SNT_MLX90614_ERR_INVAL;
 * SNT_MLX90614_ERR_IO (snt_mlx90614_last_errno() tells which);
 * SNT_MLX90614_ERR_PEC.
 */
enum snt_mlx90614_err snt_mlx90614_read_word(struct snt_mlx90614 *m, uint8_t cmd,
					     uint16_t *word) SNT_WUR;

/*
 * snt_mlx90614_read() - object (Tobj1) and ambient (Ta) in milli-°C:
 * raw * 20 - 273150.
 * Return: as snt_mlx90614_read_word(), and SNT_MLX90614_ERR_FLAG when bit 15
 * of either word is set.
 */
enum snt_mlx90614_err snt_mlx90614_read(struct snt_mlx90614 *m, int32_t *object_mdc,
					int32_t *ambient_mdc) SNT_WUR;

/* snt_mlx90614_last_errno() - errno of the last failed transfer (0: none). */
int snt_mlx90614_last_errno(const struct snt_mlx90614 *m);

/* snt_mlx90614_close() - closes the transport; NULL does nothing. */
void snt_mlx90614_close(struct snt_mlx90614 *m);

/* The hal.h thermometer ops over a struct snt_mlx90614 (errors: SNT_HAL_ERR_IO). */
extern const struct snt_thermometer_ops snt_mlx90614_ops;

/* snt_mlx90614_strerror() - static text for @err in the user's language (i18n.h); never NULL. */
const char *snt_mlx90614_strerror(enum snt_mlx90614_err err);

#endif /* SNT_MLX90614_H */
