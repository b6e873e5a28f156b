// SPDX-License-Identifier: MIT
/*
 * GPIO lines by role on the libgpiod 2.x API (Debian 13, Raspberry Pi OS
 * trixie: gpiod_chip_open(), gpiod_line_settings, gpiod_line_config,
 * gpiod_request_config, gpiod_chip_request_lines(), edge event buffers);
 * the same interface and behaviour as gpio_v1.c (see gpio.h).  The Makefile
 * builds this file instead of gpio_v1.c when `pkg-config --atleast-version=2
 * libgpiod` holds.  One line request per role.  libgpiod 2 has no lookup by
 * label, so a label is matched against every /dev/gpiochip*.
 */
#include <errno.h>
#include <glob.h>
#include <gpiod.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/gpio.h"

#define MAX_CHIPS 8

struct role_line {
	struct gpiod_line_request *line;/* NULL: role not configured */
	unsigned int offset;
	const char *chip_name;		/* kernel name of its chip, owned by chips[] */
	int level;			/* inputs: last reported level; outputs: last driven */
	bool pending;			/* inputs: an edge waits for its debounce deadline */
	int64_t deadline_ms;
};

struct chip {
	struct gpiod_chip *chip;
	char name[32];			/* kernel name, e.g. "gpiochip0" */
	size_t n_lines;
};

struct snt_lgpio {
	struct chip chips[MAX_CHIPS];
	size_t n_chips;
	struct gpiod_edge_event_buffer *events;
	struct role_line r[SNT_ROLE_COUNT];
	int debounce_ms;
	const struct snt_clock *clock;
};

static const char *const err_text[] = {
	[SNT_LGPIO_OK] = "success",
	[SNT_LGPIO_ERR_INVAL] = "invalid argument",
	[SNT_LGPIO_ERR_NOCHIP] = "no such GPIO chip",
	[SNT_LGPIO_ERR_NOLINE] = "no such line on the chip",
	[SNT_LGPIO_ERR_BUSY] = "line busy (held by another program)",
	[SNT_LGPIO_ERR_DUPLICATE] = "line already used by another role",
	[SNT_LGPIO_ERR_IO] = "GPIO I/O error",
	[SNT_LGPIO_ERR_NOMEM] = "out of memory",
};

const char *snt_lgpio_strerror(enum snt_lgpio_err err)
{
	if ((unsigned int)err < SNT_ARRAY_SIZE(err_text))
		return err_text[err];
	return "unknown error";
}

bool snt_lgpio_is_output(enum snt_role role)
{
	return role == SNT_ROLE_RELAY || role == SNT_ROLE_LED_GREEN || role == SNT_ROLE_LED_RED ||
	       role == SNT_ROLE_BUZZER;
}

static bool is_input(enum snt_role role)
{
	return role == SNT_ROLE_PRESENCE || role == SNT_ROLE_BUTTON ||
	       role == SNT_ROLE_EXIT_BUTTON || role == SNT_ROLE_FIRE_ALARM;
}

bool snt_lgpio_has(const struct snt_lgpio *g, enum snt_role role)
{
	return g && (unsigned int)role < SNT_ROLE_COUNT && g->r[role].line;
}

void snt_lgpio_close(struct snt_lgpio *g)
{
	if (!g)
		return;
	/* Outputs inactive first, the relay before anything else. */
	for (int i = 0; i < SNT_ROLE_COUNT; i++)
		if (g->r[i].line && snt_lgpio_is_output((enum snt_role)i))
			(void)gpiod_line_request_set_value(g->r[i].line, g->r[i].offset,
							   GPIOD_LINE_VALUE_INACTIVE);
	for (int i = 0; i < SNT_ROLE_COUNT; i++)
		if (g->r[i].line)
			gpiod_line_request_release(g->r[i].line);
	for (size_t i = 0; i < g->n_chips; i++)
		gpiod_chip_close(g->chips[i].chip);
	gpiod_edge_event_buffer_free(g->events);
	free(g);
}

/* Open @path and read its name, label and size; NULL with errno on failure. */
static struct gpiod_chip *open_chip(const char *path, struct chip *out, char *label, size_t size)
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
	out->chip = c;
	gpiod_chip_info_free(info);
	return c;
}

/* The chip for @descr (path, gpiochipN, N or label), opened once per chip. */
static enum snt_lgpio_err get_chip(struct snt_lgpio *g, const char *descr, struct chip **out)
{
	char path[PATH_MAX], label[64];
	struct chip c = { 0 };

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
			for (size_t i = 0; i < gl.gl_pathc && !c.chip; i++) {
				if (open_chip(gl.gl_pathv[i], &c, label, sizeof(label)) &&
				    strcmp(label, descr)) {
					gpiod_chip_close(c.chip);
					c.chip = NULL;
				}
			}
			globfree(&gl);
		}
		errno = ENOENT;
	}
	if (!c.chip)
		return errno == ENOMEM ? SNT_LGPIO_ERR_NOMEM :
		       errno == EACCES || errno == EIO ? SNT_LGPIO_ERR_IO : SNT_LGPIO_ERR_NOCHIP;
	for (size_t i = 0; i < g->n_chips; i++) {
		if (!strcmp(g->chips[i].name, c.name)) {
			gpiod_chip_close(c.chip);
			*out = &g->chips[i];
			return SNT_LGPIO_OK;
		}
	}
	if (g->n_chips == MAX_CHIPS) {
		gpiod_chip_close(c.chip);
		return SNT_LGPIO_ERR_NOMEM;
	}
	g->chips[g->n_chips] = c;
	*out = &g->chips[g->n_chips++];
	return SNT_LGPIO_OK;
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

static enum snt_lgpio_err request(struct snt_lgpio *g, enum snt_role role,
				  const struct snt_config_line *cl, const char *consumer,
				  char *errbuf, size_t errlen)
{
	struct gpiod_line_settings *ls;
	struct gpiod_line_request *req;
	enum snt_lgpio_err err;
	struct chip *chip;
	int saved;

	err = get_chip(g, cl->chip, &chip);
	if (err)
		goto fail;
	if (cl->offset >= chip->n_lines) {
		err = SNT_LGPIO_ERR_NOLINE;
		goto fail;
	}
	for (int i = 0; i < SNT_ROLE_COUNT; i++) {
		if (g->r[i].line && g->r[i].offset == cl->offset &&
		    !strcmp(g->r[i].chip_name, chip->name)) {
			snprintf(errbuf, errlen, "key '%s' in [gpio]: %s:%u: %s ('%s')",
				 snt_role_name(role), cl->chip, cl->offset,
				 err_text[SNT_LGPIO_ERR_DUPLICATE], snt_role_name((enum snt_role)i));
			return SNT_LGPIO_ERR_DUPLICATE;
		}
	}
	ls = gpiod_line_settings_new();
	if (!ls) {
		err = SNT_LGPIO_ERR_NOMEM;
		goto fail;
	}
	gpiod_line_settings_set_active_low(ls, cl->active_low);
	if (snt_lgpio_is_output(role)) {
		/* Outputs start inactive: the relay de-energised, the door locked. */
		(void)gpiod_line_settings_set_direction(ls, GPIOD_LINE_DIRECTION_OUTPUT);
		(void)gpiod_line_settings_set_output_value(ls, GPIOD_LINE_VALUE_INACTIVE);
	} else {
		(void)gpiod_line_settings_set_direction(ls, GPIOD_LINE_DIRECTION_INPUT);
		(void)gpiod_line_settings_set_edge_detection(ls, GPIOD_LINE_EDGE_BOTH);
	}
	req = request_one(chip->chip, cl->offset, ls, consumer);
	saved = errno;
	gpiod_line_settings_free(ls);
	if (!req) {
		err = saved == EBUSY ? SNT_LGPIO_ERR_BUSY :
		      saved == ENOMEM ? SNT_LGPIO_ERR_NOMEM : SNT_LGPIO_ERR_IO;
		if (err == SNT_LGPIO_ERR_IO) {
			snprintf(errbuf, errlen, "key '%s' in [gpio]: %s:%u: request failed: %s",
				 snt_role_name(role), cl->chip, cl->offset, strerror(saved));
			return err;
		}
		goto fail;
	}
	g->r[role].line = req;
	g->r[role].offset = cl->offset;
	g->r[role].chip_name = chip->name;
	g->r[role].level = 0;
	if (is_input(role)) {
		enum gpiod_line_value v = gpiod_line_request_get_value(req, cl->offset);

		if (v == GPIOD_LINE_VALUE_ERROR) {
			snprintf(errbuf, errlen, "key '%s' in [gpio]: %s:%u: cannot read: %s",
				 snt_role_name(role), cl->chip, cl->offset, strerror(errno));
			return SNT_LGPIO_ERR_IO;
		}
		/* An input active from the start is reported by the first wait. */
		if (v == GPIOD_LINE_VALUE_ACTIVE) {
			g->r[role].pending = true;
			g->r[role].deadline_ms = 0;
		}
	}
	return SNT_LGPIO_OK;

fail:
	snprintf(errbuf, errlen, "key '%s' in [gpio]: %s:%u: %s", snt_role_name(role), cl->chip,
		 cl->offset, err_text[err]);
	return err;
}

enum snt_lgpio_err snt_lgpio_open(const struct snt_config_line *lines, int debounce_ms,
				  const char *consumer, const struct snt_clock *clock,
				  struct snt_lgpio **out, char *errbuf, size_t errlen)
{
	enum snt_lgpio_err err = SNT_LGPIO_OK;
	struct snt_lgpio *g;

	if (!lines || !consumer || !clock || !out || !errbuf || errlen == 0 || debounce_ms < 0 ||
	    debounce_ms > 1000)
		return SNT_LGPIO_ERR_INVAL;
	*out = NULL;
	errbuf[0] = '\0';
	for (int i = 0; i < SNT_CONFIG_GPIO_SLOTS; i++) {
		if (lines[i].set && (i >= SNT_ROLE_COUNT || (!snt_lgpio_is_output((enum snt_role)i) &&
							     !is_input((enum snt_role)i)))) {
			snprintf(errbuf, errlen, "[gpio]: slot %d is not a line role", i);
			return SNT_LGPIO_ERR_INVAL;
		}
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		snprintf(errbuf, errlen, "out of memory");
		return SNT_LGPIO_ERR_NOMEM;
	}
	g->debounce_ms = debounce_ms;
	g->clock = clock;
	g->events = gpiod_edge_event_buffer_new(16);
	if (!g->events) {
		free(g);
		snprintf(errbuf, errlen, "out of memory");
		return SNT_LGPIO_ERR_NOMEM;
	}
	/* Outputs first, so the relay is held locked before anything else. */
	for (int pass = 0; pass < 2 && !err; pass++) {
		for (int i = 0; i < SNT_ROLE_COUNT && !err; i++) {
			if (!lines[i].set || snt_lgpio_is_output((enum snt_role)i) != (pass == 0))
				continue;
			err = request(g, (enum snt_role)i, &lines[i], consumer, errbuf, errlen);
		}
	}
	if (err)
		goto err_release;
	*out = g;
	return SNT_LGPIO_OK;

err_release:
	snt_lgpio_close(g);
	return err;
}

enum snt_lgpio_err snt_lgpio_set(struct snt_lgpio *g, enum snt_role role, int value)
{
	if (!g || !snt_lgpio_is_output(role) || !g->r[role].line)
		return SNT_LGPIO_ERR_INVAL;
	value = value ? 1 : 0;
	if (gpiod_line_request_set_value(g->r[role].line, g->r[role].offset,
					 value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE) < 0)
		return SNT_LGPIO_ERR_IO;
	g->r[role].level = value;
	return SNT_LGPIO_OK;
}

enum snt_lgpio_err snt_lgpio_get(struct snt_lgpio *g, enum snt_role role, int *value)
{
	int v;

	if (!g || !value || !snt_lgpio_has(g, role))
		return SNT_LGPIO_ERR_INVAL;
	v = gpiod_line_request_get_value(g->r[role].line, g->r[role].offset);
	if (v == GPIOD_LINE_VALUE_ERROR)
		return SNT_LGPIO_ERR_IO;
	*value = v == GPIOD_LINE_VALUE_ACTIVE;
	return SNT_LGPIO_OK;
}

/* Report the first input whose debounce deadline has passed and whose level changed. */
static enum snt_hal_err due(struct snt_lgpio *g, int64_t now, bool *found,
			    struct snt_input_event *ev)
{
	*found = false;
	for (int i = 0; i < SNT_ROLE_COUNT; i++) {
		struct role_line *rl = &g->r[i];
		int v;

		if (!rl->line || !rl->pending || rl->deadline_ms > now)
			continue;
		rl->pending = false;
		v = gpiod_line_request_get_value(rl->line, rl->offset);
		if (v == GPIOD_LINE_VALUE_ERROR)
			return SNT_HAL_ERR_IO;
		v = v == GPIOD_LINE_VALUE_ACTIVE;
		if (v == rl->level)
			continue;	/* bounced back: no event */
		rl->level = v;
		ev->role = (enum snt_role)i;
		ev->value = v;
		ev->mono_ms = now;
		*found = true;
		return SNT_HAL_OK;
	}
	return SNT_HAL_OK;
}

enum snt_hal_err snt_lgpio_wait_event(struct snt_lgpio *g, int extra_fd, int64_t timeout_ms,
				      struct snt_input_event *ev)
{
	struct pollfd pfd[SNT_ROLE_COUNT + 1];
	enum snt_role who[SNT_ROLE_COUNT + 1];
	int64_t end;

	if (!g || !ev)
		return SNT_HAL_ERR_INVAL;
	end = timeout_ms >= 0 ? snt_clock_mono_ms(g->clock) + timeout_ms : -1;
	for (;;) {
		int64_t now = snt_clock_mono_ms(g->clock), wait = -1;
		enum snt_hal_err rc;
		nfds_t n = 0;
		bool found;
		int k;

		rc = due(g, now, &found, ev);
		if (rc != SNT_HAL_OK || found)
			return rc;
		if (end >= 0) {
			if (now >= end)
				return SNT_HAL_TIMEOUT;
			wait = end - now;
		}
		if (extra_fd >= 0) {
			pfd[n].fd = extra_fd;
			pfd[n].events = POLLIN;
			who[n++] = SNT_ROLE_COUNT;
		}
		for (int i = 0; i < SNT_ROLE_COUNT; i++) {
			const struct role_line *rl = &g->r[i];

			if (!rl->line || !is_input((enum snt_role)i))
				continue;
			if (rl->pending && (wait < 0 || rl->deadline_ms - now < wait))
				wait = rl->deadline_ms - now;
			pfd[n].fd = gpiod_line_request_get_fd(rl->line);
			if (pfd[n].fd < 0)
				return SNT_HAL_ERR_IO;
			pfd[n].events = POLLIN;
			who[n++] = (enum snt_role)i;
		}
		k = poll(pfd, n, wait > INT32_MAX ? INT32_MAX : (int)wait);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return SNT_HAL_ERR_IO;
		for (nfds_t i = 0; k > 0 && i < n; i++) {
			struct role_line *rl;

			if (!(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
				continue;
			if (who[i] == SNT_ROLE_COUNT)
				return SNT_HAL_FD_READY;
			rl = &g->r[who[i]];
			/* Drain what is queued; the level is read after the debounce. */
			if (gpiod_line_request_read_edge_events(rl->line, g->events, 16) < 0)
				return SNT_HAL_ERR_IO;
			/* Each edge restarts the debounce window. */
			rl->pending = true;
			rl->deadline_ms = snt_clock_mono_ms(g->clock) + g->debounce_ms;
		}
	}
}

static enum snt_hal_err ops_set(void *ctx, enum snt_role role, int value, int64_t seq)
{
	enum snt_lgpio_err err;

	(void)seq;
	err = snt_lgpio_set(ctx, role, value);
	/* A role without a line (e.g. no buzzer fitted) is not an error. */
	if (err == SNT_LGPIO_ERR_INVAL && snt_lgpio_is_output(role))
		return SNT_HAL_OK;
	return err == SNT_LGPIO_OK ? SNT_HAL_OK :
	       err == SNT_LGPIO_ERR_INVAL ? SNT_HAL_ERR_INVAL : SNT_HAL_ERR_IO;
}

static enum snt_hal_err ops_wait_event(void *ctx, int extra_fd, int64_t timeout_ms,
				       struct snt_input_event *ev)
{
	return snt_lgpio_wait_event(ctx, extra_fd, timeout_ms, ev);
}

const struct snt_gpio_ops snt_lgpio_ops = {
	.set = ops_set,
	.wait_event = ops_wait_event,
};
