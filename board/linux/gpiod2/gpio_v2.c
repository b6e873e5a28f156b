// SPDX-License-Identifier: MIT
/*
 * GPIO lines by role on the libgpiod 2.x API (Debian 13, Raspberry Pi OS
 * trixie: gpiod_chip_open(), gpiod_line_settings, gpiod_line_config,
 * gpiod_request_config, gpiod_chip_request_lines(), edge event buffers);
 * the same interface and behaviour as gpio_v1.c (see gpio.h): only the
 * libgpiod calls are here, the rest is gpio_common.c.  The Makefile builds
 * this file instead of gpio_v1.c when `pkg-config --atleast-version=2
 * libgpiod` holds.  One line request per role.  libgpiod 2 has no lookup by
 * label, so a label is matched against every /dev/gpiochip*.
 */
#include <errno.h>
#include <glob.h>
#include <gpiod.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "linux/gpio_common.h"

/* Edge events read at once; the level itself is read after the debounce. */
#define EVENT_BATCH 16

/* Open @path and read its name, label and size; NULL with errno on failure. */
static struct gpiod_chip *open_chip(const char *path, struct lgpio__chip *out, char *label,
				    size_t size)
{
	struct gpiod_chip_info *info;
	struct gpiod_chip *c = gpiod_chip_open(path);

	if (!c)
		return NULL;
	info = gpiod_chip_get_info(c);
	if (!info) {
		int e = errno;

		gpiod_chip_close(c);
		errno = e;
		return NULL;
	}
	snt_strlcpy(out->name, gpiod_chip_info_get_name(info), sizeof(out->name));
	snt_strlcpy(label, gpiod_chip_info_get_label(info), size);
	out->n_lines = gpiod_chip_info_get_num_lines(info);
	out->handle = c;
	gpiod_chip_info_free(info);
	return c;
}

/* The chip for @descr: a path, gpiochipN, N or a label. */
static int v2_chip_open(const char *descr, struct lgpio__chip *out)
{
	char path[PATH_MAX], label[64];
	struct lgpio__chip c = { 0 };

	errno = ENOENT;
	if (descr[0] == '/') {
		snt_strlcpy(path, descr, sizeof(path));
		open_chip(path, &c, label, sizeof(label));
	} else if (!strncmp(descr, "gpiochip", 8) ||
		   strspn(descr, "0123456789") == strlen(descr)) {
		snprintf(path, sizeof(path), "/dev/%s%s", descr[0] == 'g' ? "" : "gpiochip", descr);
		open_chip(path, &c, label, sizeof(label));
	} else {
		glob_t gl;

		if (glob("/dev/gpiochip*", 0, NULL, &gl) == 0) {
			for (size_t i = 0; i < gl.gl_pathc && !c.handle; i++) {
				if (open_chip(gl.gl_pathv[i], &c, label, sizeof(label)) &&
				    strcmp(label, descr)) {
					gpiod_chip_close(c.handle);
					c.handle = NULL;
				}
			}
			globfree(&gl);
		}
		errno = ENOENT;
	}
	if (!c.handle)
		return -1;
	*out = c;
	return 0;
}

static void v2_chip_close(void *handle)
{
	gpiod_chip_close(handle);
}

static int v2_line_find(const struct lgpio__chip *chip, unsigned int offset, void **line)
{
	*line = NULL;
	if (offset >= chip->n_lines) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* One request of one line with @settings; NULL with errno on failure. */
static struct gpiod_line_request *request_one(struct gpiod_chip *chip, unsigned int offset,
					      struct gpiod_line_settings *settings,
					      const char *consumer)
{
	struct gpiod_request_config *rc = gpiod_request_config_new();
	struct gpiod_line_config *lc = gpiod_line_config_new();
	struct gpiod_line_request *req = NULL;
	int e = ENOMEM;

	if (rc && lc && gpiod_line_config_add_line_settings(lc, &offset, 1, settings) == 0) {
		gpiod_request_config_set_consumer(rc, consumer);
		req = gpiod_chip_request_lines(chip, rc, lc);
		e = errno;
	} else if (rc && lc) {
		e = errno;
	}
	gpiod_line_config_free(lc);
	gpiod_request_config_free(rc);
	errno = e;
	return req;
}

static void *v2_request(const struct lgpio__chip *chip, void *line, unsigned int offset,
			bool output, bool active_low, const char *consumer)
{
	struct gpiod_line_settings *ls = gpiod_line_settings_new();
	struct gpiod_line_request *req;
	int saved;

	(void)line;
	if (!ls) {
		errno = ENOMEM;
		return NULL;
	}
	gpiod_line_settings_set_active_low(ls, active_low);
	if (output) {
		(void)gpiod_line_settings_set_direction(ls, GPIOD_LINE_DIRECTION_OUTPUT);
		(void)gpiod_line_settings_set_output_value(ls, GPIOD_LINE_VALUE_INACTIVE);
	} else {
		(void)gpiod_line_settings_set_direction(ls, GPIOD_LINE_DIRECTION_INPUT);
		(void)gpiod_line_settings_set_edge_detection(ls, GPIOD_LINE_EDGE_BOTH);
	}
	req = request_one(chip->handle, offset, ls, consumer);
	saved = errno;
	gpiod_line_settings_free(ls);
	errno = saved;
	return req;
}

static void v2_release(void *req)
{
	gpiod_line_request_release(req);
}

static int v2_get(void *req, unsigned int offset)
{
	enum gpiod_line_value v = gpiod_line_request_get_value(req, offset);

	if (v == GPIOD_LINE_VALUE_ERROR)
		return -1;
	return v == GPIOD_LINE_VALUE_ACTIVE;
}

static int v2_set(void *req, unsigned int offset, int value)
{
	return gpiod_line_request_set_value(req, offset, value ? GPIOD_LINE_VALUE_ACTIVE :
								 GPIOD_LINE_VALUE_INACTIVE);
}

static int v2_event_fd(void *req)
{
	return gpiod_line_request_get_fd(req);
}

/* Drain what is queued, up to EVENT_BATCH events. */
static int v2_event_read(void *priv, void *req)
{
	return gpiod_line_request_read_edge_events(req, priv, EVENT_BATCH);
}

static void *v2_priv_new(void)
{
	return gpiod_edge_event_buffer_new(EVENT_BATCH);
}

static void v2_priv_free(void *priv)
{
	gpiod_edge_event_buffer_free(priv);
}

static const struct lgpio__ops v2_ops = {
	.chip_open = v2_chip_open,
	.chip_close = v2_chip_close,
	.line_find = v2_line_find,
	.request = v2_request,
	.release = v2_release,
	.get = v2_get,
	.set = v2_set,
	.event_fd = v2_event_fd,
	.event_read = v2_event_read,
	.priv_new = v2_priv_new,
	.priv_free = v2_priv_free,
};

enum snt_lgpio_err snt_lgpio_open(const struct snt_config_line *lines, int debounce_ms,
				  const char *consumer, const struct snt_clock *clock,
				  struct snt_lgpio **out, char *errbuf, size_t errlen)
{
	return lgpio__open(&v2_ops, lines, debounce_ms, consumer, clock, out, errbuf, errlen);
}
