// SPDX-License-Identifier: MIT
/*
 * idreader: the real SAM reader driver (board/linux/idreader.c) over a
 * pseudo-terminal, the simulated reader (board/sim/samcard.c) answering:
 * a good card, a wrong checksum, a frame cut short, a card taken away, no
 * card, no answer, line noise (10 s of it at 115200 baud, sent as fast as
 * the pty takes it), an unplugged reader.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hal.h"
#include "idcard/idcard.h"
#include "tests/idcard_sample.h"
#include "linux/idreader.h"
#include "sim/samcard.h"

/* The driver's answer timeout in these tests: only the fault cases wait it out. */
#define TIMEOUT_MS 1000

struct fixture {
	struct sim_samcard *card;
	struct snt_idreader *reader;
	char slave[64];
	uint8_t block[SNT_IDCARD_TEXT_LEN];
	uint8_t got[SNT_IDREADER_TEXT_LEN];
	char why[256];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	assert_int_equal(sim_samcard_new(fx->slave, sizeof(fx->slave), &fx->card), 0);
	assert_int_equal(snt_idreader_new(fx->slave, TIMEOUT_MS, &fx->reader), SNT_HAL_OK);
	assert_int_equal(snt_idcard_text_build(&idcard_sample, fx->block, NULL), SNT_IDCARD_OK);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	snt_idreader_free(fx->reader);
	sim_samcard_free(fx->card);
	free(fx);
	return 0;
}

static enum snt_hal_err read_card(struct fixture *fx)
{
	memset(fx->got, 0, sizeof(fx->got));
	return snt_idreader_tty_ops.read(fx->reader, fx->got, sizeof(fx->got), fx->why, sizeof(fx->why));
}

/* The three answers of a good read, as one byte string: found, selected, the text. */
static size_t good_answers(const uint8_t *block, uint8_t *out, size_t size)
{
	static const uint8_t found[3] = { 0, 0, SNT_IDCARD_SW_FOUND }, selected[3] = { 0, 0, SNT_IDCARD_SW_OK };
	uint8_t body[SNT_IDCARD_READ_BODY_LEN];
	size_t n, total = 0;

	assert_int_equal(snt_idcard_frame_encode(found, 3, out, size, &n), SNT_IDCARD_OK);
	total += n;
	assert_int_equal(snt_idcard_frame_encode(selected, 3, out + total, size - total, &n), SNT_IDCARD_OK);
	total += n;
	snt_idcard_read_response(block, body);
	assert_int_equal(snt_idcard_frame_encode(body, sizeof(body), out + total, size - total, &n), SNT_IDCARD_OK);
	return total + n;
}

static void test_good_card(void **state)
{
	struct fixture *fx = *state;
	struct snt_idcard_text t;

	assert_int_equal(sim_samcard_set(fx->card, SIM_CARD_TEXT, fx->block, sizeof(fx->block)), 0);
	assert_int_equal(read_card(fx), SNT_HAL_OK);
	assert_string_equal(fx->why, "");
	assert_memory_equal(fx->got, fx->block, sizeof(fx->block));
	assert_int_equal(sim_samcard_commands(fx->card), 3);
	assert_int_equal(snt_idcard_text_parse(fx->got, &t, NULL), SNT_IDCARD_OK);
	assert_string_equal(t.name, "张三丰");
	assert_string_equal(t.number, "11010519491231002X");
	assert_string_equal(t.valid_to, "20400101");
	/* Again, on the same open line. */
	assert_int_equal(read_card(fx), SNT_HAL_OK);
	assert_int_equal(sim_samcard_commands(fx->card), 6);
}

static void test_no_card(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(read_card(fx), SNT_HAL_ERR_NODATA);
	assert_int_equal(sim_samcard_commands(fx->card), 1);
	assert_int_equal(read_card(fx), SNT_HAL_ERR_NODATA);
	assert_int_equal(sim_samcard_commands(fx->card), 2);
}

static void test_checksum_error(void **state)
{
	struct fixture *fx = *state;
	uint8_t raw[2 * SNT_IDCARD_FRAME_MAX];
	size_t n = good_answers(fx->block, raw, sizeof(raw));

	raw[n - 1] ^= 0x5a;
	assert_int_equal(sim_samcard_set(fx->card, SIM_CARD_RAW, raw, n), 0);
	assert_int_equal(read_card(fx), SNT_HAL_ERR_IO);
	assert_string_equal(fx->why, "idreader: answer to read text has a wrong checksum");
	/* Nothing of the card was handed over. */
	for (size_t i = 0; i < sizeof(fx->got); i++)
		assert_int_equal(fx->got[i], 0);
	/* The next read opens the line again and gets the card. */
	assert_int_equal(sim_samcard_set(fx->card, SIM_CARD_TEXT, fx->block, sizeof(fx->block)), 0);
	assert_int_equal(read_card(fx), SNT_HAL_OK);
	assert_memory_equal(fx->got, fx->block, sizeof(fx->block));
}

static void test_truncated_frame(void **state)
{
	struct fixture *fx = *state;
	uint8_t raw[2 * SNT_IDCARD_FRAME_MAX];
	size_t n = good_answers(fx->block, raw, sizeof(raw));

	/* The text answer (1295 bytes) stops after 600 of them. */
	assert_int_equal(sim_samcard_set(fx->card, SIM_CARD_RAW, raw, n - 1295 + 600), 0);
	assert_int_equal(read_card(fx), SNT_HAL_ERR_IO);
	assert_string_equal(fx->why, "idreader: answer to read text cut short after 600 bytes");
}

static void test_card_pulled(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(sim_samcard_set(fx->card, SIM_CARD_PULLED, NULL, 0), 0);
	assert_int_equal(read_card(fx), SNT_HAL_ERR_IO);
	assert_string_equal(fx->why, "idreader: card taken away during the read");
	assert_int_equal(sim_samcard_commands(fx->card), 3);
}

static void test_no_answer(void **state)
{
	struct fixture *fx = *state;
	static const uint8_t one = 0x00;

	/* One byte of noise, then silence. */
	assert_int_equal(sim_samcard_set(fx->card, SIM_CARD_RAW, &one, 1), 0);
	assert_int_equal(read_card(fx), SNT_HAL_ERR_IO);
	assert_string_equal(fx->why, "idreader: no answer to find card within 1000 ms");
}

static void test_line_noise(void **state)
{
	struct fixture *fx = *state;
	/* 10 s at 115200 baud 8N1: 11520 bytes a second. */
	size_t n = 10 * 11520;
	uint8_t *noise = malloc(n + 2 * SNT_IDCARD_FRAME_MAX);
	uint32_t x = 18;
	static const char prefix[] = "idreader: line noise, no answer to find card in ";

	assert_non_null(noise);
	for (size_t i = 0; i < n; i++) {
		x = x * 1664525u + 1013904223u;
		noise[i] = (uint8_t)(x >> 24);
		/* No preamble can start in it: 0xAA never appears. */
		if (noise[i] == 0xAA)
			noise[i] = 0x55;
	}
	assert_int_equal(sim_samcard_set(fx->card, SIM_CARD_RAW, noise, n), 0);
	assert_int_equal(read_card(fx), SNT_HAL_ERR_IO);
	assert_memory_equal(fx->why, prefix, strlen(prefix));
	assert_true((size_t)atol(fx->why + strlen(prefix)) > SNT_IDREADER_NOISE_MAX);

	/* Noise within the bound before the answers: the card is read. */
	size_t k = good_answers(fx->block, noise + 3000, 2 * SNT_IDCARD_FRAME_MAX);

	assert_int_equal(sim_samcard_set(fx->card, SIM_CARD_RAW, noise, 3000 + k), 0);
	assert_int_equal(read_card(fx), SNT_HAL_OK);
	assert_memory_equal(fx->got, fx->block, sizeof(fx->block));

	/* After the noise stops, a card reads as ever. */
	assert_int_equal(sim_samcard_set(fx->card, SIM_CARD_TEXT, fx->block, sizeof(fx->block)), 0);
	assert_int_equal(read_card(fx), SNT_HAL_OK);
	assert_memory_equal(fx->got, fx->block, sizeof(fx->block));
	free(noise);
}

static void test_status_refused(void **state)
{
	struct fixture *fx = *state;
	static const uint8_t body[3] = { 0, 0, 0x60 };	/* SAM self-test failed */
	uint8_t raw[16];
	size_t n;

	assert_int_equal(snt_idcard_frame_encode(body, 3, raw, sizeof(raw), &n), SNT_IDCARD_OK);
	assert_int_equal(sim_samcard_set(fx->card, SIM_CARD_RAW, raw, n), 0);
	assert_int_equal(read_card(fx), SNT_HAL_ERR_IO);
	assert_string_equal(fx->why, "idreader: status 0x60 to find card");
}

static void test_unplugged(void **state)
{
	struct fixture *fx = *state;
	char want[128];

	assert_int_equal(read_card(fx), SNT_HAL_ERR_NODATA);
	sim_samcard_unplug(fx->card);
	assert_int_equal(read_card(fx), SNT_HAL_ERR_IO);
	assert_string_equal(fx->why, "idreader: reader unplugged");
	/* The next read finds no device. */
	assert_int_equal(read_card(fx), SNT_HAL_ERR_IO);
	snprintf(want, sizeof(want), "idreader %s: cannot open: ", fx->slave);
	assert_memory_equal(fx->why, want, strlen(want));
	assert_int_equal(sim_samcard_set(fx->card, SIM_CARD_NONE, NULL, 0), EINVAL);
}

static void test_arguments(void **state)
{
	struct fixture *fx = *state;
	struct snt_idreader *r = (struct snt_idreader *)1;

	assert_int_equal(snt_idreader_new("", 100, &r), SNT_HAL_ERR_INVAL);
	assert_null(r);
	assert_int_equal(snt_idreader_new("/dev/ttyUSB0", 0, &r), SNT_HAL_ERR_INVAL);
	assert_int_equal(snt_idreader_new("/dev/ttyUSB0", 60001, &r), SNT_HAL_ERR_INVAL);
	assert_int_equal(snt_idreader_tty_ops.read(fx->reader, fx->got, 255, fx->why, sizeof(fx->why)),
			 SNT_HAL_ERR_INVAL);
	/* A path that is not there: a fault naming it, every time. */
	assert_int_equal(snt_idreader_new("/nonexistent/ttyUSB9", 1000, &r), SNT_HAL_OK);
	assert_int_equal(snt_idreader_tty_ops.read(r, fx->got, sizeof(fx->got), fx->why, sizeof(fx->why)),
			 SNT_HAL_ERR_IO);
	assert_string_equal(fx->why, "idreader /nonexistent/ttyUSB9: cannot open: No such file or directory");
	snt_idreader_free(r);
	snt_idreader_free(NULL);
	sim_samcard_free(NULL);
}

/* A test with a fresh fixture: setup() before it, teardown() after. */
#define WITH_FIXTURE(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		WITH_FIXTURE(test_good_card),
		WITH_FIXTURE(test_no_card),
		WITH_FIXTURE(test_checksum_error),
		WITH_FIXTURE(test_truncated_frame),
		WITH_FIXTURE(test_card_pulled),
		WITH_FIXTURE(test_no_answer),
		WITH_FIXTURE(test_line_noise),
		WITH_FIXTURE(test_status_refused),
		WITH_FIXTURE(test_unplugged),
		WITH_FIXTURE(test_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
