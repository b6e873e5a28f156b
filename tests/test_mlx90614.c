// SPDX-License-Identifier: MIT
/*
 * Unit tests of the raw MLX90614 SMBus reader (board/linux/mlx90614.c)
 * over a scripted transport: PEC vectors from the datasheet's rule
 * (rev 13 §8.4.3: CRC-8, polynomial 0x07, over SA<<1, command, SA<<1|1,
 * LSB, MSB), wrong PEC, the error flag, EREMOTEIO/EIO retries.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/i2c-dev.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmocka.h>

#include "linux/mlx90614.h"

/* One scripted reply: an errno (negative) or three bytes. */
struct reply {
	int rc;
	uint8_t bytes[3];
};

struct fake_bus {
	const struct reply *script;
	size_t n, pos;
	uint8_t cmds[16];	/* commands seen */
	uint8_t addr;
	int sleeps, slept_ms;
	int closed;
};

static int fake_read_block(void *ctx, uint8_t addr, uint8_t cmd, uint8_t *rx, size_t len)
{
	struct fake_bus *b = ctx;
	const struct reply *r;

	assert_int_equal(len, 3);
	assert_true(b->pos < b->n);
	b->addr = addr;
	b->cmds[b->pos] = cmd;
	r = &b->script[b->pos++];
	if (r->rc)
		return r->rc;
	memcpy(rx, r->bytes, 3);
	return 0;
}

static void fake_sleep_ms(void *ctx, int ms)
{
	struct fake_bus *b = ctx;

	b->sleeps++;
	b->slept_ms += ms;
}

static void fake_close(void *ctx)
{
	((struct fake_bus *)ctx)->closed++;
}

static const struct snt_smbus_ops fake_ops = {
	.read_block = fake_read_block,
	.sleep_ms = fake_sleep_ms,
	.close = fake_close,
};

/* A good reply at address 0x5a for @cmd carrying @word, PEC by the rule. */
static struct reply good(uint8_t cmd, uint16_t word)
{
	uint8_t f[5] = { 0x5a << 1, cmd, 0x5a << 1 | 1, (uint8_t)word, (uint8_t)(word >> 8) };
	struct reply r = { 0, { f[3], f[4], snt_mlx90614_pec(f, 5) } };

	return r;
}

static void test_pec_vectors(void **state)
{
	/* The datasheet's read-word example: SA 0x5a, RAM 0x07, 0x3ad2, PEC 0x30. */
	static const uint8_t example[] = { 0xb4, 0x07, 0xb5, 0xd2, 0x3a };
	static const uint8_t check[] = "123456789";

	(void)state;
	assert_int_equal(snt_mlx90614_pec(example, sizeof(example)), 0x30);
	/* The CRC-8 (poly 0x07, init 0) check value. */
	assert_int_equal(snt_mlx90614_pec(check, 9), 0xf4);
	assert_int_equal(snt_mlx90614_pec(check, 0), 0x00);
}

static void test_read_datasheet_example(void **state)
{
	/* Tobj 0x3ad2 = 15058 * 0.02 K = 301.16 K = 28.01 °C; Ta 0x39ba = 22.41 °C. */
	const struct reply script[] = { { 0, { 0xd2, 0x3a, 0x30 } }, good(0x06, 0x39ba) };
	struct fake_bus bus = { script, 2, 0, { 0 }, 0, 0, 0, 0 };
	struct snt_mlx90614 *m;
	int32_t obj = 0, amb = 0;

	(void)state;
	assert_int_equal(snt_mlx90614_new(&fake_ops, &bus, 0x5a, &m), SNT_MLX90614_OK);
	assert_int_equal(snt_mlx90614_read(m, &obj, &amb), SNT_MLX90614_OK);
	assert_int_equal(bus.addr, 0x5a);
	assert_int_equal(bus.cmds[0], SNT_MLX90614_RAM_TOBJ1);
	assert_int_equal(bus.cmds[1], SNT_MLX90614_RAM_TA);
	assert_int_equal(obj, 28010);
	assert_int_equal(amb, 0x39ba * 20 - 273150);
	assert_int_equal(amb, 22410);
	assert_int_equal(bus.sleeps, 0);
	snt_mlx90614_close(m);
	assert_int_equal(bus.closed, 1);
}

static void test_wrong_pec(void **state)
{
	struct reply bad = good(0x07, 0x3ad2);
	struct reply script[3];
	struct fake_bus bus = { script, 3, 0, { 0 }, 0, 0, 0, 0 };
	struct snt_mlx90614 *m;
	uint16_t w = 0;

	(void)state;
	bad.bytes[2] ^= 0x01;
	script[0] = script[1] = script[2] = bad;
	assert_int_equal(snt_mlx90614_new(&fake_ops, &bus, 0x5a, &m), SNT_MLX90614_OK);
	assert_int_equal(snt_mlx90614_read_word(m, 0x07, &w), SNT_MLX90614_ERR_PEC);
	assert_int_equal(bus.pos, 3);
	assert_int_equal(bus.sleeps, 2);
	assert_int_equal(bus.slept_ms, 2 * SNT_MLX90614_RETRY_MS);
	assert_int_equal(w, 0);
	/* A corrupted data byte with the old PEC is caught too. */
	bus.pos = 0;
	script[0] = good(0x07, 0x3ad2);
	script[0].bytes[0] ^= 0x80;
	script[1] = good(0x07, 0x3ad2);
	assert_int_equal(snt_mlx90614_read_word(m, 0x07, &w), SNT_MLX90614_OK);
	assert_int_equal(w, 0x3ad2);
	assert_int_equal(bus.pos, 2);
	snt_mlx90614_close(m);
}

static void test_error_flag(void **state)
{
	const struct reply script[] = { good(0x07, 0x8000 | 0x3ad2) };
	struct fake_bus bus = { script, 1, 0, { 0 }, 0, 0, 0, 0 };
	struct snt_mlx90614 *m;
	int32_t obj = 7, amb = 7;

	(void)state;
	assert_int_equal(snt_mlx90614_new(&fake_ops, &bus, 0x5a, &m), SNT_MLX90614_OK);
	assert_int_equal(snt_mlx90614_read(m, &obj, &amb), SNT_MLX90614_ERR_FLAG);
	assert_int_equal(obj, 7);
	assert_int_equal(bus.pos, 1);	/* not retried: the device said so */
	snt_mlx90614_close(m);
}

static void test_eremoteio_retries(void **state)
{
	/* EREMOTEIO on 2 of 3 tries still yields a reading; EIO likewise. */
	const struct reply script[] = {
		{ -EREMOTEIO, { 0 } }, { -EREMOTEIO, { 0 } }, good(0x07, 0x3ad2),
		{ -EIO, { 0 } }, good(0x06, 0x39ba),
	};
	struct fake_bus bus = { script, 5, 0, { 0 }, 0, 0, 0, 0 };
	struct snt_mlx90614 *m;
	int32_t obj = 0, amb = 0;

	(void)state;
	assert_int_equal(snt_mlx90614_new(&fake_ops, &bus, 0x5a, &m), SNT_MLX90614_OK);
	assert_int_equal(snt_mlx90614_ops.read(m, &obj, &amb), SNT_HAL_OK);
	assert_int_equal(obj, 28010);
	assert_int_equal(amb, 22410);
	assert_int_equal(bus.sleeps, 3);
	snt_mlx90614_close(m);
}

static void test_bus_down(void **state)
{
	const struct reply script[] = { { -EREMOTEIO, { 0 } }, { -EIO, { 0 } }, { -ENXIO, { 0 } } };
	struct fake_bus bus = { script, 3, 0, { 0 }, 0, 0, 0, 0 };
	struct snt_mlx90614 *m;
	int32_t obj, amb;

	(void)state;
	assert_int_equal(snt_mlx90614_new(&fake_ops, &bus, 0x5a, &m), SNT_MLX90614_OK);
	assert_int_equal(snt_mlx90614_read(m, &obj, &amb), SNT_MLX90614_ERR_IO);
	assert_int_equal(snt_mlx90614_last_errno(m), ENXIO);
	bus.pos = 0;
	assert_int_equal(snt_mlx90614_ops.read(m, &obj, &amb), SNT_HAL_ERR_IO);
	snt_mlx90614_close(m);
}

/* What an unknown ioctl on /dev/null fails with here. */
static int unknown_ioctl_errno(void)
{
	struct i2c_rdwr_ioctl_data none;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC), e;

	memset(&none, 0, sizeof(none));
	assert_true(fd >= 0);
	assert_int_equal(ioctl(fd, I2C_RDWR, &none), -1);
	e = errno;
	close(fd);
	return e;
}

static void test_args(void **state)
{
	struct snt_mlx90614 *m = NULL;
	char err[256];

	(void)state;
	assert_int_equal(snt_mlx90614_new(&fake_ops, NULL, 0x78, &m), SNT_MLX90614_ERR_INVAL);
	assert_int_equal(snt_mlx90614_new(&fake_ops, NULL, 0x02, &m), SNT_MLX90614_ERR_INVAL);
	assert_int_equal(snt_mlx90614_new(NULL, NULL, 0x5a, &m), SNT_MLX90614_ERR_INVAL);
	assert_int_equal(snt_mlx90614_open("/nonexistent/i2c-1", 0x5a, &m, err, sizeof(err)),
			 SNT_MLX90614_ERR_OPEN);
	assert_string_equal(err, "/nonexistent/i2c-1: No such file or directory");
	assert_null(m);
	/* A file that is not an i2c-dev: the ioctl fails, the read is an I/O error. */
	assert_int_equal(snt_mlx90614_open("/dev/null", 0x5a, &m, err, sizeof(err)),
			 SNT_MLX90614_OK);
	{
		int32_t obj, amb;

		assert_int_equal(snt_mlx90614_read(m, &obj, &amb), SNT_MLX90614_ERR_IO);
		/* ENOTTY from the kernel; ENOSYS under qemu-user, which does not know I2C_RDWR. */
		assert_int_equal(snt_mlx90614_last_errno(m), unknown_ioctl_errno());
	}
	snt_mlx90614_close(m);
	snt_mlx90614_close(NULL);
	assert_string_equal(snt_mlx90614_strerror(SNT_MLX90614_ERR_PEC), "PEC mismatch");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pec_vectors),
		cmocka_unit_test(test_read_datasheet_example),
		cmocka_unit_test(test_wrong_pec),
		cmocka_unit_test(test_error_flag),
		cmocka_unit_test(test_eremoteio_retries),
		cmocka_unit_test(test_bus_down),
		cmocka_unit_test(test_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
