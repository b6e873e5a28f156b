// SPDX-License-Identifier: MIT
/*
 * sentinelctl selftest [--config FILE] [--iio-root DIR] [--outputs]
 *
 * Probes each device of the configured board (hal.h, snt_board_probe()) and prints one line
 * per device (interfaces.md): "<role> <backend> ok|FAIL|busy <detail>".
 * Backends: gpiod, iio, mlx90614-i2c, v4l2, file (display), sim.  `busy`
 * when a line or the camera is held by another program (sentineld).
 * --outputs drives each output once (on for SELFTEST_PULSE_MS, then off) and
 * shows a test message on the display; without it nothing a visitor can see
 * or hear changes (the display is only opened for writing).
 * Exit 0 when every device is ok, 1 when any is FAIL or busy, 2 usage or a
 * configuration that cannot be loaded.
 */
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "hal.h"
#include "thermo/thermo.h"
#include "tools/common.h"
#include "common/i18n.h"

#define CMD "selftest"
#define SELFTEST_PULSE_MS 300
/* What --outputs shows on the visitor display. */
#define SELFTEST_DISPLAY_TEXT "自检\nSelf-test"

struct config {
	const char *config;
	const char *iio_root;
	bool outputs;
};

struct tally {
	const struct snt_config *sc;
	int bad;
};

static void usage(FILE *f)
{
	fprintf(f, _("Usage: sentinelctl selftest [--config FILE] [--iio-root DIR] [--outputs]\n"
		     "Check each device of the gate: one line per device,\n"
		     "'<role> <backend> ok|FAIL|busy <detail>'.\n\n"
		     "  -c, --config FILE   configuration (default %s)\n"
		     "      --iio-root DIR  IIO sysfs devices directory (overrides the config)\n"
		     "  -o, --outputs       drive each output once (relay, LEDs, buzzer, display)\n"
		     "  -h, --help          show this help\n"
		     "Exit 0 all ok, 1 any FAIL or busy, 2 usage or configuration error.\n"), SNT_CONFIG_DEFAULT_PATH);
}

static int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		CTL_OPT_CONFIG,
		{ "iio-root", required_argument, NULL, 'I' },
		{ "outputs", no_argument, NULL, 'o' },
		CTL_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	ctl_getopt_start(cfg, sizeof(*cfg));
	cfg->config = SNT_CONFIG_DEFAULT_PATH;
	while ((c = ctl_getopt_keep(argc, argv, ":c:oh", opts, 'c', &cfg->config)) != -1) {
		switch (c) {
		case 'I':
			cfg->iio_root = optarg;
			break;
		case 'o':
			cfg->outputs = true;
			break;
		default:
			return ctl_getopt_other(CMD, c, argv, usage);
		}
	}
	if (optind < argc) {
		ctl_err(CMD, _("unexpected argument '%s'"), argv[optind]);
		return -1;
	}
	if (!*cfg->config || (cfg->iio_root && !*cfg->iio_root)) {
		ctl_err(CMD, "%s", _("empty path"));
		return -1;
	}
	return 0;
}

/*
 * The reading, then the compensation settings of [thermometer] and the body
 * estimate they give for it (thermo.h, steps 3-4: what each entry's
 * measurement record holds): "object=30.99C ambient=22.41C emissivity=0.980
 * offset=+1.00C ambient_coeff=0.100 ambient_ref=25.00C body=32.05C".
 */
static void fmt_temps(char *buf, size_t size, const struct snt_config *sc, int32_t obj, int32_t amb)
{
	struct snt_thermo_cfg tc = {
		.samples = 1,
		.skin_offset_mdc = sc->skin_offset_mdc,
		.ambient_coeff_pm = sc->ambient_coeff_pm,
		.ambient_ref_mdc = sc->ambient_ref_mdc,
		.emissivity_pm = sc->emissivity_pm,
	};
	struct snt_thermo_reading r;
	int n;

	/* i18n-exempt: selftest's detail, a format scripts read (interfaces.md) */
	n = snprintf(buf, size, "object=%.2fC ambient=%.2fC emissivity=%.3f offset=%+.2fC "
		     "ambient_coeff=%.3f ambient_ref=%.2fC", obj / 1000.0, amb / 1000.0,
		     (sc->emissivity_pm ? sc->emissivity_pm : 1000) / 1000.0,
		     sc->skin_offset_mdc / 1000.0, sc->ambient_coeff_pm / 1000.0,
		     sc->ambient_ref_mdc / 1000.0);
	if (n < 0 || (size_t)n >= size)
		return;
	if (snt_thermo_reduce(&tc, &obj, &amb, 1, 0, &r) == SNT_THERMO_OK)
		/* i18n-exempt: selftest's detail (interfaces.md) */
		snprintf(buf + n, size - (size_t)n, " body=%.2fC", r.body_mdc / 1000.0);
	else
		/* i18n-exempt: selftest's detail (interfaces.md) */
		snprintf(buf + n, size - (size_t)n, " body=out-of-range");
}

/* One probed device, one line; the thermometer's reading with its compensation. */
static void line(void *arg, const struct snt_probe *p)
{
	static const char *const status[] = {
		[SNT_PROBE_OK] = "ok",
		[SNT_PROBE_FAIL] = "FAIL",
		[SNT_PROBE_BUSY] = "busy",
	};
	struct tally *t = arg;
	char detail[sizeof(p->detail)];

	if (p->status != SNT_PROBE_OK)
		t->bad++;
	if (p->has_reading)
		fmt_temps(detail, sizeof(detail), t->sc, p->object_mdc, p->ambient_mdc);
	else
		snt_strlcpy(detail, p->detail, sizeof(detail));
	printf("%s %s %s %s\n", snt_role_name(p->role), p->backend,
	       (unsigned int)p->status < SNT_ARRAY_SIZE(status) ? status[p->status] : "FAIL", detail);
	fflush(stdout);
}

int cmd_selftest(int argc, char **argv)
{
	struct snt_config sc;
	struct config cfg;
	struct tally t = { .sc = &sc };
	struct snt_probe_opts opts = { .pulse_ms = SELFTEST_PULSE_MS, .display_text = SELFTEST_DISPLAY_TEXT };
	int rc;

	rc = parse_config(argc, argv, &cfg);
	if (rc)
		return ctl_parse_exit(CMD, rc);
	if (ctl_config_load(CMD, cfg.config, &sc))
		return SNT_EXIT_USAGE;
	if (cfg.iio_root)
		snt_strlcpy(sc.iio_root, cfg.iio_root, sizeof(sc.iio_root));
	opts.drive = cfg.outputs;
	if (snt_board_probe(&sc, &opts, line, &t) != SNT_HAL_OK) {
		ctl_err(CMD, _("%s: unknown board '%s'"), sc.path, sc.board);
		return SNT_EXIT_USAGE;
	}
	return t.bad ? SNT_EXIT_FAIL : SNT_EXIT_OK;
}
