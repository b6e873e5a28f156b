/* SPDX-License-Identifier: MIT */
/*
 * lgpio: the gate's GPIO lines by role through libgpiod (the GPIO character
 * device, /dev/gpiochipN).  gpio_common.c implements it over the libgpiod
 * calls of one backend (gpio_common.h): gpio_v1.c on the libgpiod 1.6 API
 * (Debian 12, Raspberry Pi OS bookworm: gpiod_chip_open_lookup(),
 * gpiod_line_request() with struct gpiod_line_request_config,
 * gpiod_line_event_read()) or gpiod2/gpio_v2.c on the 2.x API, picked by
 * the Makefile.
 *
 * Door safety (fail-secure strike): every line is requested once, at open,
 * and held until snt_lgpio_close(); outputs are requested with the inactive
 * level as their initial value, so the relay is de-energised (door locked)
 * from the first instant; the relay is driven active only while the caller
 * asks for the release pulse; close drives every output inactive before the
 * lines are released.  A failure while opening releases what was taken
 * (outputs inactive first) and reports the config key at fault.
 *
 * Inputs (presence, staff button, exit button, fire alarm) are requested
 * for edge events on both edges; an edge counts only when the level read
 * back debounce_ms after the last edge differs from the level last
 * reported, so contact bounce gives no events and a released button gives
 * exactly one.  Levels are logical: 1 = active, after active-low.
 */
#ifndef SNT_LGPIO_H
#define SNT_LGPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock/clock.h"
#include "common/common.h"
#include "config/config.h"
#include "hal.h"

enum snt_lgpio_err {
	SNT_LGPIO_OK = 0,
	SNT_LGPIO_ERR_INVAL,	/* NULL argument, a role that is not a line, no line configured */
	SNT_LGPIO_ERR_NOCHIP,	/* the chip does not exist (ENOENT/ENODEV from the lookup) */
	SNT_LGPIO_ERR_NOLINE,	/* the offset is not on that chip (EINVAL from get_line) */
	SNT_LGPIO_ERR_BUSY,	/* another program (or sentineld) holds the line (EBUSY) */
	SNT_LGPIO_ERR_DUPLICATE,/* two roles name the same line (by different chip aliases) */
	SNT_LGPIO_ERR_IO,	/* the request, a read or a write failed otherwise */
	SNT_LGPIO_ERR_NOMEM,
};

struct snt_lgpio;

/* snt_lgpio_is_output() - relay, LEDs and buzzer; the other line roles are inputs. */
bool snt_lgpio_is_output(enum snt_role role);

/*
 * snt_lgpio_open() - request every configured line of @lines.
 * @lines: SNT_CONFIG_GPIO_SLOTS entries indexed by enum snt_role (from
 *         struct snt_config.gpio); only entries with .set are requested; the
 *         display, thermometer and camera slots must be unset.  Borrowed.
 * @debounce_ms: input debounce, 0-1000 ms.
 * @consumer: consumer name shown by gpioinfo (e.g. "sentineld"); borrowed,
 *            must outlive the handle.
 * @clock: monotonic clock for event times and debounce; borrowed.
 * @out: receives the handle; release with snt_lgpio_close().
 * @errbuf, @errlen: on failure one line naming the key, the chip and the
 *                   line, e.g. "key 'relay' in [gpio]: gpiochip9: no such
 *                   GPIO chip".
 * Return: SNT_LGPIO_OK; SNT_LGPIO_ERR_INVAL; SNT_LGPIO_ERR_NOCHIP;
 * SNT_LGPIO_ERR_NOLINE; SNT_LGPIO_ERR_BUSY; SNT_LGPIO_ERR_DUPLICATE;
 * SNT_LGPIO_ERR_IO; SNT_LGPIO_ERR_NOMEM.  On failure nothing stays
 * requested or open.
 */
enum snt_lgpio_err snt_lgpio_open(const struct snt_config_line *lines, int debounce_ms,
				  const char *consumer, const struct snt_clock *clock,
				  struct snt_lgpio **out, char *errbuf, size_t errlen) SNT_WUR;

/*
 * snt_lgpio_close() - drive every output inactive (relay first: door
 * locked), release every line, close the chips.  NULL does nothing.
 */
void snt_lgpio_close(struct snt_lgpio *g);

/* snt_lgpio_has() - whether @role has a line in @g. */
bool snt_lgpio_has(const struct snt_lgpio *g, enum snt_role role);

/*
 * snt_lgpio_set() - drive output @role to logical @value (0/1).
 * Return: SNT_LGPIO_OK; SNT_LGPIO_ERR_INVAL for an input role or a role
 * without a line; SNT_LGPIO_ERR_IO when libgpiod fails to set the value.
 */
enum snt_lgpio_err snt_lgpio_set(struct snt_lgpio *g, enum snt_role role, int value) SNT_WUR;

/*
 * snt_lgpio_get() - the current logical level of @role's line.
 * Return: SNT_LGPIO_OK and *value; SNT_LGPIO_ERR_INVAL; SNT_LGPIO_ERR_IO.
 */
enum snt_lgpio_err snt_lgpio_get(struct snt_lgpio *g, enum snt_role role, int *value) SNT_WUR;

/*
 * snt_lgpio_wait_event() - the hal.h gpio wait_event(): the next debounced
 * input change, waiting at most @timeout_ms (-1: no limit) and watching
 * @extra_fd (-1: none).  Inputs active when the lines were requested are
 * reported first, as events.
 * Return: SNT_HAL_OK with *ev; SNT_HAL_TIMEOUT; SNT_HAL_FD_READY;
 * SNT_HAL_ERR_IO when poll() or reading an event or a level fails.
 */
enum snt_hal_err snt_lgpio_wait_event(struct snt_lgpio *g, int extra_fd, int64_t timeout_ms,
				      struct snt_input_event *ev) SNT_WUR;

/* The hal.h gpio ops over a struct snt_lgpio context. */
extern const struct snt_gpio_ops snt_lgpio_ops;

/* snt_lgpio_strerror() - static text for @err in the user's language (i18n.h); never NULL. */
const char *snt_lgpio_strerror(enum snt_lgpio_err err);

#endif /* SNT_LGPIO_H */
