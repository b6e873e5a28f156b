// SPDX-License-Identifier: MIT
/*
 * Unit tests of the measurement procedure: firmware/thermo/ (N samples,
 * median, outliers, emissivity, skin-to-body) and snt_temp_measure() of
 * firmware/checkin/ over it, with scripted sample series on a fake board:
 * cold arrival, fever then a normal re-measure, a confirmed fever, sensor
 * faults, a cold entrance hall.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "checkin/checkin.h"
#include "thermo/thermo.h"

#define FAULT INT32_MIN

struct sample {
	int32_t obj, amb;	/* obj FAULT: the read fails */
};

struct fake {
	struct snt_board board;
	const struct sample *script;
	size_t n, pos;
	int64_t now;
	int64_t read_at[64];
	int shows;
};

static enum snt_hal_err f_read(void *ctx, int32_t *obj, int32_t *amb)
{
	struct fake *f = ctx;
	const struct sample *s;

	assert_true(f->pos < f->n);
	f->read_at[f->pos] = f->now;
	s = &f->script[f->pos++];
	if (s->obj == FAULT)
		return SNT_HAL_ERR_IO;
	*obj = s->obj;
	*amb = s->amb;
	return SNT_HAL_OK;
}

static enum snt_hal_err f_show(void *ctx, const char *text)
{
	(void)text;
	((struct fake *)ctx)->shows++;
	return SNT_HAL_OK;
}

static int64_t f_mono(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static int64_t f_utc(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static enum snt_clock_state f_state(void *ctx)
{
	(void)ctx;
	return SNT_CLOCK_TRUSTED;
}

static void f_sleep(void *ctx, int64_t ms)
{
	((struct fake *)ctx)->now += ms;
}

static const struct snt_thermometer_ops f_thermo = { f_read };
static const struct snt_display_ops f_disp = { .show = f_show };
static const struct snt_clock_ops f_clock = { f_mono, f_utc, f_state, f_sleep };

static void fake_init(struct fake *f, const struct sample *script, size_t n)
{
	memset(f, 0, sizeof(*f));
	f->script = script;
	f->n = n;
	f->board.name = "fake";
	f->board.thermometer = &f_thermo;
	f->board.thermometer_ctx = f;
	f->board.display = &f_disp;
	f->board.display_ctx = f;
	f->board.clock.ops = &f_clock;
	f->board.clock.ctx = f;
}

static void cfg_init(struct snt_checkin_cfg *c, int samples)
{
	memset(c, 0, sizeof(*c));
	c->temp_tries = 3;
	c->temp_retry_ms = 1000;
	c->fever_threshold_mdc = 37300;
	c->thermo.samples = samples;
	c->thermo.window_ms = 500;
	c->thermo.ambient_ref_mdc = 25000;
	c->thermo.emissivity_pm = 1000;
}

#define S5(o, a) { o, a }, { o, a }, { o, a }, { o, a }, { o, a }

/* snt_temp_measure() over @script (@n samples), @samples per measurement: it must succeed. */
static void measure_ok(struct fake *f, const struct sample *script, size_t n, int samples,
		       struct snt_temp_result *r)
{
	struct snt_checkin_cfg cfg;

	fake_init(f, script, n);
	cfg_init(&cfg, samples);
	assert_int_equal(snt_temp_measure(&cfg, &f->board, r), SNT_CHECKIN_OK);
}

static void test_cold_arrival(void **state)
{
	/* Straight in from the cold: 33.2 °C skin, then 36.4 °C a second later. */
	static const struct sample script[] = { S5(33200, 21000), S5(36400, 21000) };
	struct snt_temp_result r;
	struct fake f;

	(void)state;
	measure_ok(&f, script, SNT_ARRAY_SIZE(script), 5, &r);
	assert_int_equal(r.status, SNT_TEMP_NORMAL);
	assert_int_equal(r.readings, 2);
	assert_int_equal(r.mdc, 36400);
	assert_int_equal(r.skin_mdc, 36400);
	assert_int_equal(r.ambient_mdc, 21000);
	assert_int_equal(f.pos, 10);
	/* 5 samples 100 ms apart, the retry pause, 5 more. */
	assert_int_equal(f.read_at[0], 0);
	assert_int_equal(f.read_at[4], 400);
	assert_int_equal(f.read_at[5], 1400);
	assert_int_equal(f.read_at[9], 1800);
}

static void test_fever_then_normal(void **state)
{
	static const struct sample script[] = { S5(37800, 22000), S5(36900, 22000) };
	struct snt_temp_result r;
	struct fake f;

	(void)state;
	measure_ok(&f, script, SNT_ARRAY_SIZE(script), 5, &r);
	assert_int_equal(r.status, SNT_TEMP_NORMAL);
	assert_int_equal(r.mdc, 36900);
	assert_int_equal(r.readings, 2);
}

static void test_fever_confirmed(void **state)
{
	static const struct sample script[] = { S5(37800, 22000), S5(37600, 22000) };
	struct snt_temp_result r;
	struct fake f;

	(void)state;
	measure_ok(&f, script, SNT_ARRAY_SIZE(script), 5, &r);
	assert_int_equal(r.status, SNT_TEMP_FEVER);
	assert_int_equal(r.mdc, 37600);
}

static void test_sensor_fault(void **state)
{
	/* -178 °C and failed reads: three faulty measurements, no temperature. */
	static const struct sample script[] = {
		S5(-178000, 22000), S5(FAULT, 0),
		{ FAULT, 0 }, { FAULT, 0 }, { FAULT, 0 }, { 36500, 22000 }, { 36500, 22000 },
	};
	struct snt_temp_result r;
	struct fake f;

	(void)state;
	measure_ok(&f, script, SNT_ARRAY_SIZE(script), 5, &r);
	assert_int_equal(r.status, SNT_TEMP_FAULT);
	assert_int_equal(r.faults, 3);
	assert_false(r.has_value);
}

static void test_some_faulty_samples(void **state)
{
	/* 2 of 5 samples fail (EREMOTEIO): the other 3 still make a reading. */
	static const struct sample script[] = {
		{ FAULT, 0 }, { 36500, 22000 }, { 99000, 22000 }, { 36700, 22000 }, { 36600, 22000 },
	};
	struct snt_temp_result r;
	struct fake f;

	(void)state;
	measure_ok(&f, script, SNT_ARRAY_SIZE(script), 5, &r);
	assert_int_equal(r.status, SNT_TEMP_NORMAL);
	assert_int_equal(r.mdc, 36600);
	assert_int_equal(r.faults, 0);	/* the measurement as a whole was good */
}

static void test_cold_hall(void **state)
{
	/* Ambient 5 °C is outside 10-40 °C: measure again, then refer. */
	static const struct sample script[] = { { 35000, 5000 }, { 35000, 5000 }, { 35000, 5000 } };
	struct snt_temp_result r;
	struct fake f;

	(void)state;
	measure_ok(&f, script, SNT_ARRAY_SIZE(script), 1, &r);
	assert_int_equal(r.status, SNT_TEMP_IMPLAUSIBLE);
	assert_int_equal(r.readings, 3);
	assert_int_equal(r.ambient_mdc, 5000);
}

static void test_one_sample_is_the_reading(void **state)
{
	/* The simulated board: one sample per measurement (samples = 1, or 0). */
	static const struct sample script[] = { { 36540, 22000 } };
	struct snt_checkin_cfg cfg;
	struct snt_temp_result r;
	struct fake f;

	(void)state;
	fake_init(&f, script, 1);
	cfg_init(&cfg, 0);
	cfg.thermo.emissivity_pm = 0;
	assert_int_equal(snt_temp_measure(&cfg, &f.board, &r), SNT_CHECKIN_OK);
	assert_int_equal(r.status, SNT_TEMP_NORMAL);
	assert_int_equal(r.mdc, 36500);		/* tenths, half away from zero */
	assert_int_equal(f.now, 0);
}

static void test_reduce_outliers(void **state)
{
	const int32_t obj[] = { 36500, 36600, 36400, 30000, 36500 };
	const int32_t amb[] = { 22000, 22100, 21900, 22000, 22000 };
	struct snt_thermo_cfg c = { 5, 500, 0, 0, 25000, 1000 };
	struct snt_thermo_reading r;

	(void)state;
	assert_int_equal(snt_thermo_reduce(&c, obj, amb, 5, 0, &r), SNT_THERMO_OK);
	assert_int_equal(r.used, 4);
	assert_int_equal(r.rejected, 1);
	assert_int_equal(r.skin_mdc, 36500);
	assert_int_equal(r.ambient_mdc, 22000);
	assert_int_equal(r.body_mdc, 36500);
	/* Even count: mean of the middle two. */
	assert_int_equal(snt_thermo_reduce(&c, obj, amb, 4, 0, &r), SNT_THERMO_OK);
	assert_int_equal(r.skin_mdc, 36500);
	/* Half or more faulty: a fault. */
	assert_int_equal(snt_thermo_reduce(&c, obj, amb, 2, 3, &r), SNT_THERMO_ERR_FAULT);
	assert_int_equal(r.faults, 3);
	assert_int_equal(snt_thermo_reduce(&c, obj, amb, 0, 0, &r), SNT_THERMO_ERR_FAULT);
	assert_int_equal(snt_thermo_reduce(&c, obj, amb, 33, 0, &r), SNT_THERMO_ERR_INVAL);
	assert_int_equal(snt_thermo_reduce(NULL, obj, amb, 1, 0, &r), SNT_THERMO_ERR_INVAL);
}

static void test_compensation(void **state)
{
	const int32_t obj[] = { 36000 };
	const int32_t amb[] = { 15000 };
	struct snt_thermo_cfg c = { 1, 0, 500, 100, 25000, 1000 };
	struct snt_thermo_reading r;

	(void)state;
	/* body = skin + 0.5 + 0.1 * (25 - 15) = skin + 1.5 °C */
	assert_int_equal(snt_thermo_reduce(&c, obj, amb, 1, 0, &r), SNT_THERMO_OK);
	assert_int_equal(r.skin_mdc, 36000);
	assert_int_equal(r.body_mdc, 37500);
	/* Emissivity 0.98 at 22 °C ambient: 36.0 °C read at e = 1 is 36.267 °C skin. */
	assert_int_equal(snt_thermo_emissivity(36000, 22000, 980), 36267);
	assert_int_equal(snt_thermo_emissivity(36000, 22000, 1000), 36000);
	/* Object at ambient: emissivity changes nothing. */
	assert_int_equal(snt_thermo_emissivity(22000, 22000, 950), 22000);
	assert_string_equal(snt_thermo_strerror(SNT_THERMO_ERR_FAULT), "too few good samples");
}

static void test_bad_cfg(void **state)
{
	struct snt_checkin_cfg cfg;
	struct snt_temp_result r;
	struct fake f;

	(void)state;
	fake_init(&f, NULL, 0);
	cfg_init(&cfg, 33);
	assert_int_equal(snt_temp_measure(&cfg, &f.board, &r), SNT_CHECKIN_ERR_INVAL);
	assert_int_equal(f.pos, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cold_arrival),
		cmocka_unit_test(test_fever_then_normal),
		cmocka_unit_test(test_fever_confirmed),
		cmocka_unit_test(test_sensor_fault),
		cmocka_unit_test(test_some_faulty_samples),
		cmocka_unit_test(test_cold_hall),
		cmocka_unit_test(test_one_sample_is_the_reading),
		cmocka_unit_test(test_reduce_outliers),
		cmocka_unit_test(test_compensation),
		cmocka_unit_test(test_bad_cfg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
