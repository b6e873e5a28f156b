// SPDX-License-Identifier: MIT
/*
 * One forehead temperature measurement from N samples (see thermo.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "thermo/thermo.h"

static const char *const err_text[] = {
	[SNT_THERMO_OK] = N_("success"),
	[SNT_THERMO_ERR_INVAL] = N_("invalid argument"),
	[SNT_THERMO_ERR_FAULT] = N_("too few good samples"),
};

const char *snt_thermo_strerror(enum snt_thermo_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error"));
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Median of @n values (sorted in place); the mean of the middle two for even n. */
static int32_t median(int32_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_i32);
	if (n % 2)
		return v[n / 2];
	return (int32_t)(((int64_t)v[n / 2 - 1] + v[n / 2]) / 2);
}

int32_t snt_thermo_emissivity(int32_t measured_mdc, int32_t ambient_mdc, int emissivity_pm)
{
	double e, tm, ta, t4;

	if (emissivity_pm <= 0 || emissivity_pm >= 1000)
		return measured_mdc;
	e = emissivity_pm / 1000.0;
	tm = measured_mdc / 1000.0 + 273.15;
	ta = ambient_mdc / 1000.0 + 273.15;
	t4 = (pow(tm, 4) - (1.0 - e) * pow(ta, 4)) / e;
	if (!(t4 > 0))
		return measured_mdc;
	return (int32_t)lround((pow(t4, 0.25) - 273.15) * 1000.0);
}

enum snt_thermo_err snt_thermo_reduce(const struct snt_thermo_cfg *cfg, const int32_t *obj,
				      const int32_t *amb, int n, int faults,
				      struct snt_thermo_reading *out)
{
	int32_t o[SNT_THERMO_MAX_SAMPLES], a[SNT_THERMO_MAX_SAMPLES], kept[SNT_THERMO_MAX_SAMPLES];
	int32_t med, skin;
	int k = 0;

	if (!cfg || !out || n < 0 || n > SNT_THERMO_MAX_SAMPLES || faults < 0 ||
	    (n > 0 && (!obj || !amb)))
		return SNT_THERMO_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	out->samples = n + faults;
	out->faults = faults;
	if (n == 0 || n < (n + faults + 1) / 2)
		return SNT_THERMO_ERR_FAULT;
	memcpy(o, obj, (size_t)n * sizeof(*o));
	memcpy(a, amb, (size_t)n * sizeof(*a));
	med = median(o, n);
	for (int i = 0; i < n; i++)
		if (labs((long)o[i] - med) <= SNT_THERMO_OUTLIER_MDC)
			kept[k++] = o[i];
	if (k == 0) {	/* an even count split in two far-apart halves */
		memcpy(kept, o, (size_t)n * sizeof(*o));
		k = n;
	}
	out->used = k;
	out->rejected = n - k;
	out->ambient_mdc = median(a, n);
	skin = snt_thermo_emissivity(median(kept, k), out->ambient_mdc, cfg->emissivity_pm);
	out->skin_mdc = skin;
	out->body_mdc = (int32_t)(skin + cfg->skin_offset_mdc +
				  (int64_t)cfg->ambient_coeff_pm *
					  (cfg->ambient_ref_mdc - out->ambient_mdc) / 1000);
	return SNT_THERMO_OK;
}

enum snt_thermo_err snt_thermo_take(const struct snt_thermo_cfg *cfg, struct snt_board *b,
				    struct snt_thermo_reading *out)
{
	int32_t obj[SNT_THERMO_MAX_SAMPLES], amb[SNT_THERMO_MAX_SAMPLES];
	int n, good = 0, faults = 0;

	if (!cfg || !b || !b->thermometer || !out || cfg->samples < 0 ||
	    cfg->samples > SNT_THERMO_MAX_SAMPLES || cfg->window_ms < 0)
		return SNT_THERMO_ERR_INVAL;
	n = cfg->samples ? cfg->samples : 1;
	for (int i = 0; i < n; i++) {
		int32_t o = 0, a = 0;
		enum snt_hal_err rc;

		if (i > 0)
			snt_clock_sleep_ms(&b->clock, cfg->window_ms / n);
		rc = b->thermometer->read(b->thermometer_ctx, &o, &a);
		if (rc != SNT_HAL_OK || o < SNT_THERMO_SENSOR_MIN_MDC ||
		    o > SNT_THERMO_SENSOR_MAX_MDC || a < SNT_THERMO_SENSOR_MIN_MDC ||
		    a > SNT_THERMO_SENSOR_MAX_MDC) {
			faults++;
			continue;
		}
		obj[good] = o;
		amb[good++] = a;
	}
	return snt_thermo_reduce(cfg, obj, amb, good, faults, out);
}
