/* SPDX-License-Identifier: MIT */
/*
 * thermo: one forehead temperature measurement from a board thermometer
 * (hal.h), independent of the sensor behind it.  The check-in module
 * (checkin.h, snt_temp_measure()) decides what a measurement means
 * (plausible, fever, measure again); this module only turns samples into
 * one measurement:
 *
 *  1. N samples (samples) spread over a window (window_ms) on the board
 *     clock.  A failed read, or an object or ambient value outside the
 *     sensor range (-40.0 to 85.0 °C: e.g. -178 °C, domain.md lesson 9) is
 *     a faulty sample.  Fewer than half good samples is a fault.
 *  2. The median of the good object samples; samples more than
 *     SNT_THERMO_OUTLIER_MDC (0.5 °C) from it are rejected (a hand or a
 *     hat passing the sensor) and the median of the rest is the skin value;
 *     ambient is the median of the good ambient samples.
 *  3. Emissivity: sensors are factory-set to emissivity 1.0 (MLX90614);
 *     for skin of emissivity e the radiation balance (Stefan-Boltzmann law
 *     for a grey body in surroundings at ambient) gives
 *       Tm^4 = e * Ts^4 + (1 - e) * Ta^4   (kelvin)
 *     so Ts = ((Tm^4 - (1 - e) * Ta^4) / e)^(1/4).
 *  4. Skin to body: body = skin + skin_offset + ambient_coeff * (ambient_ref
 *     - ambient).  Forehead skin runs below core temperature and cools in a
 *     cold entrance; screening-thermograph practice (IEC 80601-2-59:2017,
 *     ISO/TR 13154:2017) is to calibrate the offset against a reference
 *     (clinical) thermometer at the installation, so both terms are
 *     configuration, defaulting to 0 (off), not constants claimed here.
 */
#ifndef SNT_THERMO_H
#define SNT_THERMO_H

#include <stdint.h>

#include "common/common.h"
#include "hal.h"

#define SNT_THERMO_MAX_SAMPLES 32
#define SNT_THERMO_OUTLIER_MDC 500
#define SNT_THERMO_SENSOR_MIN_MDC (-40000)
#define SNT_THERMO_SENSOR_MAX_MDC 85000

enum snt_thermo_err {
	SNT_THERMO_OK = 0,
	SNT_THERMO_ERR_INVAL,	/* NULL argument or a setting out of range */
	SNT_THERMO_ERR_FAULT,	/* fewer than half of the samples were good */
};

struct snt_thermo_cfg {
	int samples;			/* 1-32; 0 counts as 1 */
	int64_t window_ms;		/* samples are window_ms / samples apart */
	int32_t skin_offset_mdc;	/* added to skin, milli-°C */
	int ambient_coeff_pm;		/* per mille of (ambient_ref - ambient) */
	int32_t ambient_ref_mdc;
	int emissivity_pm;		/* 500-1000; 0 counts as 1000 (no correction) */
};

struct snt_thermo_reading {
	int32_t skin_mdc;	/* median skin temperature after emissivity, milli-°C */
	int32_t ambient_mdc;	/* median ambient, milli-°C */
	int32_t body_mdc;	/* skin-to-body compensated, milli-°C */
	int samples;		/* taken */
	int used;		/* good and not rejected as outliers */
	int rejected;		/* good but outliers */
	int faults;		/* failed reads and far-off-range samples */
};

/*
 * snt_thermo_take() - one measurement on @board's thermometer (steps 1-4
 * above); waits through the board clock.
 * Return: SNT_THERMO_OK and *out; SNT_THERMO_ERR_INVAL; SNT_THERMO_ERR_FAULT
 * (out->faults says how many samples failed).
 */
enum snt_thermo_err snt_thermo_take(const struct snt_thermo_cfg *cfg, struct snt_board *board,
				    struct snt_thermo_reading *out) SNT_WUR;

/*
 * snt_thermo_reduce() - steps 2-4 over @n sample pairs already taken
 * (@obj[i], @amb[i] in milli-°C, each within the sensor range), with
 * @faults faulty samples besides them.
 * Return: SNT_THERMO_OK and *out; SNT_THERMO_ERR_INVAL (n > 32, NULL);
 * SNT_THERMO_ERR_FAULT when n < (n + faults + 1) / 2 or n == 0.
 */
enum snt_thermo_err snt_thermo_reduce(const struct snt_thermo_cfg *cfg, const int32_t *obj,
				      const int32_t *amb, int n, int faults,
				      struct snt_thermo_reading *out) SNT_WUR;

/*
 * snt_thermo_emissivity() - skin temperature from a reading @measured_mdc
 * taken at emissivity 1.0, for a surface of emissivity @emissivity_pm per
 * mille in surroundings at @ambient_mdc (step 3).  1000 returns
 * @measured_mdc unchanged.
 */
int32_t snt_thermo_emissivity(int32_t measured_mdc, int32_t ambient_mdc, int emissivity_pm);

/* snt_thermo_strerror() - static English text; never NULL. */
const char *snt_thermo_strerror(enum snt_thermo_err err);

#endif /* SNT_THERMO_H */
