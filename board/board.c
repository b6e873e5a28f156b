// SPDX-License-Identifier: MIT
/*
 * Backend selection by the config's `board` key, and role names.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "hal.h"
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
};

static const char *const err_text[] = {
	[SNT_HAL_OK] = "success",
	[SNT_HAL_ERR_INVAL] = "invalid argument",
	[SNT_HAL_ERR_IO] = "device I/O error",
	[SNT_HAL_ERR_NODATA] = "no data available",
	[SNT_HAL_ERR_NOMEM] = "out of memory",
	[SNT_HAL_ERR_CONFIG] = "bad board configuration",
	[SNT_HAL_TIMEOUT] = "timed out",
	[SNT_HAL_FD_READY] = "file descriptor ready",
	[SNT_HAL_END] = "end of script",
};

const char *snt_hal_strerror(enum snt_hal_err err)
{
	if ((unsigned int)err < SNT_ARRAY_SIZE(err_text))
		return err_text[err];
	return "unknown error";
}

const char *snt_role_name(enum snt_role r)
{
	if ((unsigned int)r < SNT_ROLE_COUNT)
		return role_names[r];
	return "?";
}

int snt_role_from_name(const char *name, enum snt_role *out)
{
	int i = snt_name_index(role_names, SNT_ROLE_COUNT, name);

	if (i < 0)
		return -1;
	*out = (enum snt_role)i;
	return 0;
}

enum snt_hal_err snt_board_open(const struct snt_config *cfg, struct snt_board **out, char *errbuf,
				size_t errlen)
{
	if (!cfg || !out || !errbuf || errlen == 0)
		return SNT_HAL_ERR_INVAL;
	*out = NULL;
	if (!strcmp(cfg->board, "sim"))
		return snt_sim_open(cfg, out, errbuf, errlen);
	if (!strcmp(cfg->board, "linux"))
		return snt_linux_open(cfg, out, errbuf, errlen);
	snprintf(errbuf, errlen, "%s: unknown board '%s' (known: sim, linux)", cfg->path, cfg->board);
	return SNT_HAL_ERR_CONFIG;
}

enum snt_hal_err snt_board_check(const struct snt_config *cfg, char *errbuf, size_t errlen)
{
	if (!cfg || !errbuf || errlen == 0)
		return SNT_HAL_ERR_INVAL;
	if (!strcmp(cfg->board, "sim"))
		return snt_sim_check(cfg, errbuf, errlen);
	if (!strcmp(cfg->board, "linux"))
		return snt_linux_check(cfg, errbuf, errlen);
	snprintf(errbuf, errlen, "%s: unknown board '%s' (known: sim, linux)", cfg->path, cfg->board);
	return SNT_HAL_ERR_CONFIG;
}

void snt_board_close(struct snt_board *b)
{
	if (b && b->close)
		b->close(b);
}
