// SPDX-License-Identifier: MIT
/*
 * Backend selection by the config's `board` key, the names the board layer
 * takes, and role names.
 */
#include <stdio.h>
#include <string.h>

#include "common/i18n.h"
#include "config/config.h"
#include "hal.h"
#include "linux/iio.h"
#include "linux/linux.h"
#include "sim/sim.h"

static const char *const role_names[SNT_ROLE_COUNT] = {
	[SNT_ROLE_RELAY] = "relay",
	[SNT_ROLE_LED_GREEN] = "led-green",
	[SNT_ROLE_LED_RED] = "led-red",
	[SNT_ROLE_BUZZER] = "buzzer",
	[SNT_ROLE_DISPLAY] = "display",
	[SNT_ROLE_PRESENCE] = "presence",
	[SNT_ROLE_BUTTON] = "button",
	[SNT_ROLE_EXIT_BUTTON] = "exit-button",
	[SNT_ROLE_FIRE_ALARM] = "fire-alarm",
	[SNT_ROLE_THERMOMETER] = "thermometer",
	[SNT_ROLE_CAMERA] = "camera",
	[SNT_ROLE_AUDIO] = "audio",
};

/*
 * English, as snt_hal_strerror() returns them (a device-fault event keeps one
 * in the log); marked for the catalogue: _(snt_hal_strerror()) where a person
 * reads one.
 */
static const char *const err_text[] = {
	[SNT_HAL_OK] = N_("success"),
	[SNT_HAL_ERR_INVAL] = N_("invalid argument"),
	[SNT_HAL_ERR_IO] = N_("device I/O error"),
	[SNT_HAL_ERR_NODATA] = N_("no data available"),
	[SNT_HAL_ERR_NOMEM] = N_("out of memory"),
	[SNT_HAL_ERR_CONFIG] = N_("bad board configuration"),
	[SNT_HAL_TIMEOUT] = N_("timed out"),
	[SNT_HAL_FD_READY] = N_("file descriptor ready"),
	[SNT_HAL_END] = N_("end of script"),
};

const char *snt_hal_strerror(enum snt_hal_err err)
{
	return snt_table_text(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error"));
}

const char *snt_role_name(enum snt_role r)
{
	return snt_table_text(role_names, SNT_ARRAY_SIZE(role_names), r, "?");
}

int snt_role_from_name(const char *name, enum snt_role *out)
{
	int i = snt_name_index(role_names, SNT_ROLE_COUNT, name);

	if (i < 0)
		return -1;
	*out = (enum snt_role)i;
	return 0;
}

/* The backends' names, as the config's `board` key gives them, and the backends in that order. */
static const char *const backend_names[] = { "sim", "linux" };

static const struct snt_board_backend *const backends[] = { &snt_sim_backend, &snt_linux_backend };

_Static_assert(SNT_ARRAY_SIZE(backend_names) == SNT_ARRAY_SIZE(backends), "one name per backend");

static const struct snt_board_backend *find_backend(const struct snt_config *cfg, char *errbuf, size_t errlen)
{
	int i = snt_name_index(backend_names, SNT_ARRAY_SIZE(backend_names), cfg->board);
	char known[64];

	if (i >= 0)
		return backends[i];
	(void)snt_hal_name_known(SNT_HAL_NAME_BOARD, NULL, known, sizeof(known));
	if (errbuf)
		snprintf(errbuf, errlen, _("%s: unknown board '%s' (known: %s)"), cfg->path, cfg->board, known);
	return NULL;
}

bool snt_hal_name_known(enum snt_hal_name kind, const char *name, char *known, size_t knownlen)
{
	const char *const *names;
	size_t n, off = 0;

	switch (kind) {
	case SNT_HAL_NAME_BOARD:
		names = backend_names;
		n = SNT_ARRAY_SIZE(backend_names);
		break;
	case SNT_HAL_NAME_THERMOMETER:
		names = snt_linux_thermometers;
		n = SNT_LINUX_THERMOMETER_COUNT;
		break;
	case SNT_HAL_NAME_IIO_DEVICE:
		names = snt_iio_devices;
		n = SNT_IIO_DEVICE_COUNT;
		break;
	default:
		if (known && knownlen)
			known[0] = '\0';
		return false;
	}
	if (known && knownlen) {
		known[0] = '\0';
		for (size_t i = 0; i < n && off < knownlen; i++) {
			int w = snprintf(known + off, knownlen - off, "%s%s", i ? ", " : "", names[i]);

			if (w < 0)
				break;
			off += (size_t)w;
		}
	}
	return snt_name_index(names, n, name) >= 0;
}

enum snt_hal_err snt_board_open(const struct snt_config *cfg, struct snt_board **out, char *errbuf,
				size_t errlen)
{
	const struct snt_board_backend *be;

	if (!cfg || !out || !errbuf || errlen == 0)
		return SNT_HAL_ERR_INVAL;
	*out = NULL;
	be = find_backend(cfg, errbuf, errlen);
	return be ? be->open(cfg, out, errbuf, errlen) : SNT_HAL_ERR_CONFIG;
}

enum snt_hal_err snt_board_check(const struct snt_config *cfg, char *errbuf, size_t errlen)
{
	const struct snt_board_backend *be;

	if (!cfg || !errbuf || errlen == 0)
		return SNT_HAL_ERR_INVAL;
	be = find_backend(cfg, errbuf, errlen);
	return be ? be->check(cfg, errbuf, errlen) : SNT_HAL_ERR_CONFIG;
}

enum snt_hal_err snt_board_probe(const struct snt_config *cfg, const struct snt_probe_opts *opts,
				 snt_probe_fn *fn, void *arg)
{
	const struct snt_board_backend *be;

	if (!cfg || !opts || !fn)
		return SNT_HAL_ERR_INVAL;
	be = find_backend(cfg, NULL, 0);
	return be ? be->probe(cfg, opts, fn, arg) : SNT_HAL_ERR_CONFIG;
}

void snt_board_close(struct snt_board *b)
{
	if (b && b->close)
		b->close(b);
}
