// SPDX-License-Identifier: MIT
/*
 * sentinelctl selftest [--config FILE] [--iio-root DIR] [--outputs]
 *
 * Opens each device of the configured board on its own and prints one line
 * per device (interfaces.md): "<role> <backend> ok|FAIL|busy <detail>".
 * Backends: gpiod, iio, mlx90614-i2c, v4l2, file (display), sim.  `busy`
 * when a line or the camera is held by another program (sentineld).
 * --outputs drives each output once (on for SELFTEST_PULSE_MS, then off) and
 * shows a test message on the display; without it nothing a visitor can see
 * or hear changes (the display is only opened for writing).
 * Exit 0 when every device is ok, 1 when any is FAIL or busy, 2 usage or a
 * configuration that cannot be loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "hal.h"
#include "linux/gpio.h"
#include "linux/iio.h"
#include "linux/mlx90614.h"
#include "linux/v4l2.h"
#include "thermo/thermo.h"
#include "tools/common.h"

#define CMD "selftest"
#define SELFTEST_PULSE_MS 300
/* What --outputs shows on the visitor display, and the note without it. */
#define SELFTEST_DISPLAY_TEXT "自检\nSelf-test"
#define NOT_DRIVEN " (not driven; --outputs to drive)"

struct config {
	const char *config;
	const char *iio_root;
	bool outputs;
};

struct tally {
	int bad;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: sentinelctl selftest [--config FILE] [--iio-root DIR] [--outputs]\n"
		   "Check each device of the gate: one line per device,\n"
		   "'<role> <backend> ok|FAIL|busy <detail>'.\n\n"
		   "  -c, --config FILE   configuration (default " SNT_CONFIG_DEFAULT_PATH ")\n"
		   "      --iio-root DIR  IIO sysfs devices directory (overrides the config)\n"
		   "  -o, --outputs       drive each output once (relay, LEDs, buzzer, display)\n"
		   "  -h, --help          show this help\n"
		   "Exit 0 all ok, 1 any FAIL or busy, 2 usage or configuration error.\n");
}

static int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "iio-root", required_argument, NULL, 'I' },
		{ "outputs", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->config = SNT_CONFIG_DEFAULT_PATH;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:oh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfg->config = optarg;
			break;
		case 'I':
			cfg->iio_root = optarg;
			break;
		case 'o':
			cfg->outputs = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return ctl_getopt_error(CMD, c, argv);
		}
	}
	if (optind < argc) {
		ctl_err(CMD, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (!*cfg->config || (cfg->iio_root && !*cfg->iio_root)) {
		ctl_err(CMD, "empty path");
		return -1;
	}
	return 0;
}

static void line(struct tally *t, enum snt_role role, const char *backend, const char *status,
		 const char *detail)
{
	if (strcmp(status, "ok"))
		t->bad++;
	printf("%s %s %s %s\n", snt_role_name(role), backend, status, detail);
	fflush(stdout);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
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

	n = snprintf(buf, size, "object=%.2fC ambient=%.2fC emissivity=%.3f offset=%+.2fC "
		     "ambient_coeff=%.3f ambient_ref=%.2fC", obj / 1000.0, amb / 1000.0,
		     (sc->emissivity_pm ? sc->emissivity_pm : 1000) / 1000.0,
		     sc->skin_offset_mdc / 1000.0, sc->ambient_coeff_pm / 1000.0,
		     sc->ambient_ref_mdc / 1000.0);
	if (n < 0 || (size_t)n >= size)
		return;
	if (snt_thermo_reduce(&tc, &obj, &amb, 1, 0, &r) == SNT_THERMO_OK)
		snprintf(buf + n, size - (size_t)n, " body=%.2fC", r.body_mdc / 1000.0);
	else
		snprintf(buf + n, size - (size_t)n, " body=out-of-range");
}

/* ---- board = sim ---- */

static void selftest_sim(const struct snt_config *sc, const struct config *cfg, struct tally *t)
{
	static const enum snt_role outs[] = { SNT_ROLE_RELAY, SNT_ROLE_LED_GREEN, SNT_ROLE_LED_RED,
					      SNT_ROLE_BUZZER };
	static const enum snt_role ins[] = { SNT_ROLE_PRESENCE, SNT_ROLE_BUTTON,
					     SNT_ROLE_EXIT_BUTTON, SNT_ROLE_FIRE_ALARM };
	struct snt_board *b;
	struct snt_frame f;
	char err[PATH_MAX + 256], detail[192];
	int32_t obj, amb;
	enum snt_hal_err rc;

	rc = snt_board_open(sc, &b, err, sizeof(err));
	if (rc != SNT_HAL_OK) {
		for (int r = 0; r < SNT_ROLE_COUNT; r++)
			line(t, (enum snt_role)r, "sim", "FAIL", err);
		return;
	}
	for (size_t i = 0; i < SNT_ARRAY_SIZE(outs); i++) {
		if (cfg->outputs) {
			rc = b->gpio->set(b->gpio_ctx, outs[i], 1, 0);
			if (rc == SNT_HAL_OK)
				rc = b->gpio->set(b->gpio_ctx, outs[i], 0, 0);
		}
		line(t, outs[i], "sim", rc == SNT_HAL_OK ? "ok" : "FAIL",
		     rc == SNT_HAL_OK ? (cfg->outputs ? "pulsed" : "output log") :
					snt_hal_strerror(rc));
	}
	/* The display is the visitor's screen: written only with --outputs. */
	rc = SNT_HAL_OK;
	if (cfg->outputs)
		rc = b->display->show(b->display_ctx, SELFTEST_DISPLAY_TEXT);
	line(t, SNT_ROLE_DISPLAY, "sim", rc == SNT_HAL_OK ? "ok" : "FAIL",
	     rc == SNT_HAL_OK ? (cfg->outputs ? "output log" : "output log" NOT_DRIVEN) :
				snt_hal_strerror(rc));
	for (size_t i = 0; i < SNT_ARRAY_SIZE(ins); i++)
		line(t, ins[i], "sim", "ok", "scenario");
	rc = b->thermometer->read(b->thermometer_ctx, &obj, &amb);
	if (rc == SNT_HAL_OK)
		fmt_temps(detail, sizeof(detail), sc, obj, amb);
	else if (rc == SNT_HAL_ERR_NODATA)
		snprintf(detail, sizeof(detail), "no reading scripted at the start");
	else
		snprintf(detail, sizeof(detail), "%s", snt_hal_strerror(rc));
	line(t, SNT_ROLE_THERMOMETER, "sim", rc == SNT_HAL_ERR_IO ? "FAIL" : "ok", detail);
	rc = b->camera->grab(b->camera_ctx, &f);
	if (rc == SNT_HAL_OK)
		snprintf(detail, sizeof(detail), "%ux%u", f.width, f.height);
	line(t, SNT_ROLE_CAMERA, "sim", rc == SNT_HAL_OK ? "ok" : "FAIL",
	     rc == SNT_HAL_OK ? detail : snt_hal_strerror(rc));
	snt_board_close(b);
}

/* ---- board = linux ---- */

static void selftest_line(const struct snt_config *sc, const struct config *cfg,
			  enum snt_role role, struct tally *t)
{
	struct snt_config_line one[SNT_CONFIG_GPIO_SLOTS];
	const struct snt_config_line *cl = &sc->gpio[role];
	enum snt_lgpio_err err;
	struct snt_lgpio *g;
	struct snt_clock clk;
	char why[512], detail[600];
	int v = 0;

	if (!cl->set)
		return;
	memset(one, 0, sizeof(one));
	one[role] = *cl;
	snt_clock_system(&clk);
	err = snt_lgpio_open(one, 0, "sentinelctl-selftest", &clk, &g, why, sizeof(why));
	if (err == SNT_LGPIO_ERR_BUSY) {
		snprintf(detail, sizeof(detail), "%s:%u held by another program", cl->chip,
			 cl->offset);
		line(t, role, "gpiod", "busy", detail);
		return;
	}
	if (err) {
		line(t, role, "gpiod", "FAIL", why);
		return;
	}
	if (snt_lgpio_is_output(role) && cfg->outputs) {
		err = snt_lgpio_set(g, role, 1);
		if (!err) {
			sleep_ms(SELFTEST_PULSE_MS);
			err = snt_lgpio_set(g, role, 0);
		}
		snprintf(detail, sizeof(detail), "%s:%u%s pulsed", cl->chip, cl->offset,
			 cl->active_low ? " active-low" : "");
	} else {
		err = snt_lgpio_get(g, role, &v);
		snprintf(detail, sizeof(detail), "%s:%u%s level=%d", cl->chip, cl->offset,
			 cl->active_low ? " active-low" : "", v);
	}
	snt_lgpio_close(g);
	line(t, role, "gpiod", err ? "FAIL" : "ok", err ? snt_lgpio_strerror(err) : detail);
}

/*
 * The display file or FIFO: opened for writing (O_NONBLOCK: a FIFO without a
 * reader fails with ENXIO instead of hanging); the test message is written
 * only with --outputs, in the form the daemon writes (one line, the two
 * languages joined by " / ").
 */
static void selftest_display(const struct snt_config *sc, const struct config *cfg,
			     struct tally *t)
{
	static const char msg[] = "自检 / Self-test\n";
	char detail[PATH_MAX + 64];
	size_t off = 0;
	int fd;

	if (!sc->display_path[0]) {
		line(t, SNT_ROLE_DISPLAY, "file", "ok", "none configured");
		return;
	}
	fd = open(sc->display_path, O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(detail, sizeof(detail), "%s: %s", sc->display_path, strerror(errno));
		line(t, SNT_ROLE_DISPLAY, "file", "FAIL", detail);
		return;
	}
	while (cfg->outputs && off < sizeof(msg) - 1) {
		ssize_t w = write(fd, msg + off, sizeof(msg) - 1 - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(detail, sizeof(detail), "%s: %s", sc->display_path,
				 w < 0 ? strerror(errno) : "short write");
			close(fd);
			line(t, SNT_ROLE_DISPLAY, "file", "FAIL", detail);
			return;
		}
		off += (size_t)w;
	}
	close(fd);
	snprintf(detail, sizeof(detail), "%s%s", sc->display_path,
		 cfg->outputs ? " shown" : NOT_DRIVEN);
	line(t, SNT_ROLE_DISPLAY, "file", "ok", detail);
}

static void selftest_thermometer(const struct snt_config *sc, const char *iio_root,
				 struct tally *t)
{
	char why[PATH_MAX + 128], detail[PATH_MAX + 160];
	int32_t obj = 0, amb = 0;

	if (!strcmp(sc->therm_type, "iio")) {
		struct snt_iio_therm *th;
		enum snt_iio_err err = snt_iio_open(iio_root, sc->iio_name, &th, why, sizeof(why));

		if (!err) {
			err = snt_iio_read(th, &obj, &amb);
			if (err)
				snprintf(why, sizeof(why), "%s: %s", snt_iio_dir(th),
					 snt_iio_strerror(err));
			snt_iio_close(th);
		}
		if (err) {
			line(t, SNT_ROLE_THERMOMETER, "iio", "FAIL", why);
			return;
		}
		fmt_temps(detail, sizeof(detail), sc, obj, amb);
		line(t, SNT_ROLE_THERMOMETER, "iio", "ok", detail);
		return;
	}
	{
		struct snt_mlx90614 *m;
		enum snt_mlx90614_err err = snt_mlx90614_open(sc->i2c_dev, sc->i2c_address, &m, why,
							      sizeof(why));

		if (!err) {
			err = snt_mlx90614_read(m, &obj, &amb);
			if (err && err == SNT_MLX90614_ERR_IO)
				snprintf(why, sizeof(why), "%s 0x%02x: %s: %s", sc->i2c_dev,
					 sc->i2c_address, snt_mlx90614_strerror(err),
					 strerror(snt_mlx90614_last_errno(m)));
			else if (err)
				snprintf(why, sizeof(why), "%s 0x%02x: %s", sc->i2c_dev,
					 sc->i2c_address, snt_mlx90614_strerror(err));
			snt_mlx90614_close(m);
		}
		if (err) {
			line(t, SNT_ROLE_THERMOMETER, "mlx90614-i2c", "FAIL", why);
			return;
		}
		fmt_temps(detail, sizeof(detail), sc, obj, amb);
		line(t, SNT_ROLE_THERMOMETER, "mlx90614-i2c", "ok", detail);
	}
}

static void selftest_camera(const struct snt_config *sc, struct tally *t)
{
	char why[PATH_MAX + 128];
	struct snt_v4l2 *v;
	enum snt_v4l2_err err;

	err = snt_v4l2_open(&snt_v4l2_sys_io, NULL, sc->camera_device, &v, why, sizeof(why));
	if (err) {
		line(t, SNT_ROLE_CAMERA, "v4l2", err == SNT_V4L2_ERR_BUSY ? "busy" : "FAIL", why);
		return;
	}
	snprintf(why, sizeof(why), "%s %s", sc->camera_device, snt_v4l2_fourcc(v));
	snt_v4l2_close(v);
	line(t, SNT_ROLE_CAMERA, "v4l2", "ok", why);
}

static void selftest_linux(const struct snt_config *sc, const struct config *cfg,
			   struct tally *t)
{
	static const enum snt_role before[] = { SNT_ROLE_RELAY, SNT_ROLE_LED_GREEN,
						SNT_ROLE_LED_RED, SNT_ROLE_BUZZER };
	static const enum snt_role after[] = { SNT_ROLE_PRESENCE, SNT_ROLE_BUTTON,
					       SNT_ROLE_EXIT_BUTTON, SNT_ROLE_FIRE_ALARM };

	for (size_t i = 0; i < SNT_ARRAY_SIZE(before); i++)
		selftest_line(sc, cfg, before[i], t);
	selftest_display(sc, cfg, t);
	for (size_t i = 0; i < SNT_ARRAY_SIZE(after); i++)
		selftest_line(sc, cfg, after[i], t);
	selftest_thermometer(sc, cfg->iio_root ? cfg->iio_root : sc->iio_root, t);
	selftest_camera(sc, t);
}

int cmd_selftest(int argc, char **argv)
{
	struct snt_config sc;
	struct config cfg;
	struct tally t = { 0 };
	char err[PATH_MAX + 256];
	int rc;

	rc = parse_config(argc, argv, &cfg);
	if (rc > 0)
		return SNT_EXIT_OK;
	if (rc < 0)
		return ctl_usage_hint(CMD);
	if (snt_config_load(cfg.config, &sc, err, sizeof(err)) != SNT_CONFIG_OK) {
		ctl_err(CMD, "%s", err);
		return SNT_EXIT_USAGE;
	}
	if (!strcmp(sc.board, "sim"))
		selftest_sim(&sc, &cfg, &t);
	else
		selftest_linux(&sc, &cfg, &t);
	return t.bad ? SNT_EXIT_FAIL : SNT_EXIT_OK;
}
