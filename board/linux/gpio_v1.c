// SPDX-License-Identifier: MIT
/*
 * GPIO lines by role on the libgpiod 1.6 API (see gpio.h): only the
 * libgpiod calls; the role table, request order, errors, debounce and
 * poll loop are in gpio_common.c.
 */
#include <gpiod.h>

#include "linux/gpio_common.h"

static int v1_chip_open(const char *descr, struct lgpio__chip *out)
{
	struct gpiod_chip *c = gpiod_chip_open_lookup(descr);

	if (!c)
		return -1;
	out->handle = c;
	snt_strlcpy(out->name, gpiod_chip_name(c), sizeof(out->name));
	return 0;
}

static void v1_chip_close(void *handle)
{
	gpiod_chip_close(handle);
}

static int v1_line_find(const struct lgpio__chip *chip, unsigned int offset, void **line)
{
	*line = gpiod_chip_get_line(chip->handle, offset);
	return *line ? 0 : -1;
}

/* The request is the line itself: 1.6 requests a struct gpiod_line. */
static void *v1_request(const struct lgpio__chip *chip, void *line, unsigned int offset,
			bool output, bool active_low, const char *consumer)
{
	struct gpiod_line_request_config rc = {
		.consumer = consumer,
		.request_type = output ? GPIOD_LINE_REQUEST_DIRECTION_OUTPUT :
					 GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES,
		.flags = active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0,
	};

	(void)chip;
	(void)offset;
	/* Default value 0: an output starts inactive. */
	return gpiod_line_request(line, &rc, 0) < 0 ? NULL : line;
}

static void v1_release(void *req)
{
	gpiod_line_release(req);
}

static int v1_get(void *req, unsigned int offset)
{
	(void)offset;
	return gpiod_line_get_value(req);
}

static int v1_set(void *req, unsigned int offset, int value)
{
	(void)offset;
	return gpiod_line_set_value(req, value);
}

static int v1_event_fd(void *req)
{
	return gpiod_line_event_get_fd(req);
}

/* One event per wake-up; another queued one keeps the fd readable. */
static int v1_event_read(void *priv, void *req)
{
	struct gpiod_line_event e;

	(void)priv;
	return gpiod_line_event_read(req, &e);
}

static const struct lgpio__ops v1_ops = {
	.chip_open = v1_chip_open,
	.chip_close = v1_chip_close,
	.line_find = v1_line_find,
	.request = v1_request,
	.release = v1_release,
	.get = v1_get,
	.set = v1_set,
	.event_fd = v1_event_fd,
	.event_read = v1_event_read,
};

enum snt_lgpio_err snt_lgpio_open(const struct snt_config_line *lines, int debounce_ms,
				  const char *consumer, const struct snt_clock *clock,
				  struct snt_lgpio **out, char *errbuf, size_t errlen)
{
	return lgpio__open(&v1_ops, lines, debounce_ms, consumer, clock, out, errbuf, errlen);
}
