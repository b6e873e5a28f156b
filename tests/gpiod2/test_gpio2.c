// SPDX-License-Identifier: MIT
/*
 * Unit tests of the libgpiod 2.x backend (board/linux/gpiod2/gpio_v2.c),
 * linked against a stub of the gpiod_* functions it uses, compiled against
 * the real libgpiod 2 <gpiod.h> (Debian stable's libgpiod-dev, fetched by
 * tools/fetch-gpiod2.sh; `make gpiod2-check`).  The cases, the fake chips
 * and the stub's state are shared with the 1.6 backend's tests
 * (tests/gpio_cases.h); here are the 2.x stub (chips opened by path) and
 * what differs: the 2.x line settings, chip names by number, no label.
 */
#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "linux/gpio.h"

/* ---- the libgpiod 2 stub ---- */

struct fake_line {
	unsigned int offset;
	int phys;			/* electrical level */
	bool requested;
	bool held_elsewhere;		/* another process holds it: EBUSY */
	int fail_request_errno;
	char consumer[32];
	int direction, edge;
	bool active_low;
	int out_value;			/* output value asked for at request */
	int pipe[2];
	int events;
	int n_requests, n_releases;
};

typedef struct fake_line fake_line_t;

/* How the config names the Pi 5's chip for the relay (a label, where the stub resolves one). */
#define GPIO_PI5_RELAY_CHIP "/dev/gpiochip4"

#include "../gpio_cases.h"

struct gpiod_chip_info {
	struct fake_chip *fc;
};

struct gpiod_line_settings {
	int direction, edge, out;
	bool active_low;
};

struct gpiod_line_config {
	unsigned int offset;
	int n;
	struct gpiod_line_settings s;
};

struct gpiod_request_config {
	char consumer[32];
};

struct gpiod_line_request {
	struct fake_line *l;
};

struct gpiod_edge_event_buffer {
	size_t capacity;
};

struct gpiod_chip *gpiod_chip_open(const char *path)
{
	for (size_t c = 0; c < 2; c++) {
		char dev[64];

		snprintf(dev, sizeof(dev), "/dev/%s", fake[c].name);
		if (!strcmp(path, dev)) {
			return chip_handle(&fake[c]);
		}
	}
	errno = ENOENT;
	return NULL;
}

void gpiod_chip_close(struct gpiod_chip *chip)
{
	if (!chip)
		return;
	chips_open--;
	free(chip);
}

struct gpiod_chip_info *gpiod_chip_get_info(struct gpiod_chip *chip)
{
	struct gpiod_chip_info *i = calloc(1, sizeof(*i));

	if (i)
		i->fc = chip->fc;
	return i;
}

const char *gpiod_chip_info_get_name(struct gpiod_chip_info *info)
{
	return info->fc->name;
}

const char *gpiod_chip_info_get_label(struct gpiod_chip_info *info)
{
	return info->fc->label;
}

size_t gpiod_chip_info_get_num_lines(struct gpiod_chip_info *info)
{
	return info->fc->n_lines;
}

void gpiod_chip_info_free(struct gpiod_chip_info *info)
{
	free(info);
}

struct gpiod_line_settings *gpiod_line_settings_new(void)
{
	struct gpiod_line_settings *s = calloc(1, sizeof(*s));

	if (s) {
		s->direction = GPIOD_LINE_DIRECTION_AS_IS;
		s->edge = GPIOD_LINE_EDGE_NONE;
		s->out = GPIOD_LINE_VALUE_INACTIVE;
	}
	return s;
}

void gpiod_line_settings_free(struct gpiod_line_settings *settings)
{
	free(settings);
}

int gpiod_line_settings_set_direction(struct gpiod_line_settings *settings,
				      enum gpiod_line_direction direction)
{
	settings->direction = (int)direction;
	return 0;
}

int gpiod_line_settings_set_edge_detection(struct gpiod_line_settings *settings,
					   enum gpiod_line_edge edge)
{
	settings->edge = (int)edge;
	return 0;
}

void gpiod_line_settings_set_active_low(struct gpiod_line_settings *settings, bool active_low)
{
	settings->active_low = active_low;
}

int gpiod_line_settings_set_output_value(struct gpiod_line_settings *settings,
					 enum gpiod_line_value value)
{
	settings->out = (int)value;
	return 0;
}

struct gpiod_line_config *gpiod_line_config_new(void)
{
	return calloc(1, sizeof(struct gpiod_line_config));
}

void gpiod_line_config_free(struct gpiod_line_config *config)
{
	free(config);
}

int gpiod_line_config_add_line_settings(struct gpiod_line_config *config,
					const unsigned int *offsets, size_t num_offsets,
					struct gpiod_line_settings *settings)
{
	assert_int_equal(num_offsets, 1);
	config->offset = offsets[0];
	config->n = 1;
	config->s = *settings;
	return 0;
}

struct gpiod_request_config *gpiod_request_config_new(void)
{
	return calloc(1, sizeof(struct gpiod_request_config));
}

void gpiod_request_config_free(struct gpiod_request_config *config)
{
	free(config);
}

void gpiod_request_config_set_consumer(struct gpiod_request_config *config, const char *consumer)
{
	snprintf(config->consumer, sizeof(config->consumer), "%s", consumer);
}

struct gpiod_line_request *gpiod_chip_request_lines(struct gpiod_chip *chip,
						    struct gpiod_request_config *req_cfg,
						    struct gpiod_line_config *line_cfg)
{
	struct gpiod_line_request *r;
	struct fake_line *l;

	assert_int_equal(line_cfg->n, 1);
	if (line_cfg->offset >= chip->fc->n_lines) {
		errno = EINVAL;
		return NULL;
	}
	l = &chip->fc->lines[line_cfg->offset];
	if (l->held_elsewhere || l->requested) {
		errno = EBUSY;
		return NULL;
	}
	if (l->fail_request_errno) {
		errno = l->fail_request_errno;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		errno = ENOMEM;
		return NULL;
	}
	r->l = l;
	l->requested = true;
	l->n_requests++;
	snprintf(l->consumer, sizeof(l->consumer), "%s", req_cfg->consumer);
	l->direction = line_cfg->s.direction;
	l->edge = line_cfg->s.edge;
	l->active_low = line_cfg->s.active_low;
	l->out_value = line_cfg->s.out;
	if (l->direction == GPIOD_LINE_DIRECTION_OUTPUT)
		l->phys = l->active_low ? l->out_value != GPIOD_LINE_VALUE_ACTIVE :
					  l->out_value == GPIOD_LINE_VALUE_ACTIVE;
	if (l->edge == GPIOD_LINE_EDGE_BOTH && pipe(l->pipe))
		return NULL;
	return r;
}

void gpiod_line_request_release(struct gpiod_line_request *request)
{
	request->l->requested = false;
	request->l->n_releases++;
	free(request);
}

enum gpiod_line_value gpiod_line_request_get_value(struct gpiod_line_request *request,
						   unsigned int offset)
{
	struct fake_line *l = request->l;

	if (!l->requested || offset != l->offset) {
		errno = EINVAL;
		return GPIOD_LINE_VALUE_ERROR;
	}
	return (l->active_low ? !l->phys : l->phys) ? GPIOD_LINE_VALUE_ACTIVE :
						      GPIOD_LINE_VALUE_INACTIVE;
}

int gpiod_line_request_set_value(struct gpiod_line_request *request, unsigned int offset,
				 enum gpiod_line_value value)
{
	struct fake_line *l = request->l;
	int v = value == GPIOD_LINE_VALUE_ACTIVE;

	if (!l->requested || offset != l->offset || l->direction != GPIOD_LINE_DIRECTION_OUTPUT) {
		errno = EPERM;
		return -1;
	}
	l->phys = l->active_low ? !v : v;
	return 0;
}

int gpiod_line_request_get_fd(struct gpiod_line_request *request)
{
	if (request->l->pipe[0] < 0) {
		errno = EPERM;
		return -1;
	}
	return request->l->pipe[0];
}

struct gpiod_edge_event_buffer *gpiod_edge_event_buffer_new(size_t capacity)
{
	struct gpiod_edge_event_buffer *b = calloc(1, sizeof(*b));

	if (b)
		b->capacity = capacity;
	return b;
}

void gpiod_edge_event_buffer_free(struct gpiod_edge_event_buffer *buffer)
{
	free(buffer);
}

int gpiod_line_request_read_edge_events(struct gpiod_line_request *request,
					struct gpiod_edge_event_buffer *buffer, size_t max_events)
{
	struct fake_line *l = request->l;
	char c[64];
	ssize_t n;

	assert_true(max_events <= buffer->capacity);
	n = read(l->pipe[0], c, max_events < sizeof(c) ? max_events : sizeof(c));
	if (n <= 0)
		return -1;
	l->events -= (int)n;
	return (int)n;
}

/* ---- what differs from the 1.6 backend ---- */

static void check_request_flags(void)
{
	assert_int_equal(L0(17)->direction, GPIOD_LINE_DIRECTION_OUTPUT);
	assert_false(L0(17)->active_low);
	assert_int_equal(L0(17)->out_value, GPIOD_LINE_VALUE_INACTIVE);
	assert_true(L0(23)->active_low);
	assert_int_equal(L0(5)->direction, GPIOD_LINE_DIRECTION_INPUT);
	assert_int_equal(L0(5)->edge, GPIOD_LINE_EDGE_BOTH);
	assert_true(L0(5)->active_low);
	assert_int_equal(L0(19)->edge, GPIOD_LINE_EDGE_BOTH);
	assert_false(L0(19)->active_low);
}

static const struct open_case *open_cases(size_t *n)
{
	/* A chip number is /dev/gpiochipN; a label is looked for in /dev (none here). */
	static const struct open_case cases[] = {
		{ SNT_ROLE_BUTTON, "0", 27, SNT_LGPIO_ERR_DUPLICATE,
		  "key 'button' in [gpio]: 0:27: line already used by another role ('led-green')" },
		{ SNT_ROLE_BUTTON, "pinctrl-nowhere", 27, SNT_LGPIO_ERR_NOCHIP,
		  "key 'button' in [gpio]: pinctrl-nowhere:27: no such GPIO chip" },
	};

	*n = SNT_ARRAY_SIZE(cases);
	return cases;
}
