// SPDX-License-Identifier: MIT
/*
 * Unit tests of the libgpiod 1.6 backend (board/linux/gpio_v1.c), linked
 * against a stub of the gpiod_* functions it uses.  The stub is compiled
 * against the real <gpiod.h>, so every signature is checked by the
 * compiler; the executable's definitions take the place of libgpiod's.
 * The cases, the fake chips and the stub's state are shared with the 2.x
 * backend's tests (tests/gpio_cases.h); here are the 1.6 stub and what
 * differs: the 1.6 request flags, lookup by label.
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

/* ---- the libgpiod stub ---- */

struct gpiod_line {
	unsigned int offset;
	int phys;			/* electrical level */
	bool requested;
	bool held_elsewhere;		/* another process holds it: EBUSY */
	int fail_request_errno;		/* request fails with this errno */
	char consumer[32];
	int request_type, flags, default_val;
	int pipe[2];			/* event fd: one byte per queued event */
	int events;			/* queued events */
	int n_requests, n_releases;
};

typedef struct gpiod_line fake_line_t;

/* How the config names the Pi 5's chip for the relay (a label, where the stub resolves one). */
#define GPIO_PI5_RELAY_CHIP "pinctrl-rp1"

#include "gpio_cases.h"

struct gpiod_chip *gpiod_chip_open_lookup(const char *descr)
{
	for (size_t c = 0; c < 2; c++) {
		char dev[64], num[8];

		snprintf(dev, sizeof(dev), "/dev/%s", fake[c].name);
		snprintf(num, sizeof(num), "%s", fake[c].name + strlen("gpiochip"));
		if (!strcmp(descr, fake[c].name) || !strcmp(descr, dev) ||
		    !strcmp(descr, fake[c].label) || !strcmp(descr, num)) {
			return chip_handle(&fake[c]);
		}
	}
	errno = ENOENT;
	return NULL;
}

const char *gpiod_chip_name(struct gpiod_chip *chip)
{
	return chip->fc->name;
}

void gpiod_chip_close(struct gpiod_chip *chip)
{
	chips_open--;
	free(chip);
}

struct gpiod_line *gpiod_chip_get_line(struct gpiod_chip *chip, unsigned int offset)
{
	if (offset >= chip->fc->n_lines) {
		errno = EINVAL;
		return NULL;
	}
	return &chip->fc->lines[offset];
}

int gpiod_line_request(struct gpiod_line *line, const struct gpiod_line_request_config *config,
		       int default_val)
{
	bool active_low = config->flags & GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW;

	if (line->held_elsewhere || line->requested) {
		errno = EBUSY;
		return -1;
	}
	if (line->fail_request_errno) {
		errno = line->fail_request_errno;
		return -1;
	}
	line->requested = true;
	line->n_requests++;
	snprintf(line->consumer, sizeof(line->consumer), "%s", config->consumer);
	line->request_type = config->request_type;
	line->flags = config->flags;
	line->default_val = default_val;
	if (config->request_type == GPIOD_LINE_REQUEST_DIRECTION_OUTPUT)
		line->phys = active_low ? !default_val : !!default_val;
	if (config->request_type == GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES) {
		if (pipe(line->pipe))
			return -1;
	}
	return 0;
}

void gpiod_line_release(struct gpiod_line *line)
{
	line->requested = false;
	line->n_releases++;
}

static int logical(const struct gpiod_line *l)
{
	return (l->flags & GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) ? !l->phys : l->phys;
}

int gpiod_line_get_value(struct gpiod_line *line)
{
	if (!line->requested) {
		errno = EPERM;
		return -1;
	}
	return logical(line);
}

int gpiod_line_set_value(struct gpiod_line *line, int value)
{
	if (!line->requested || line->request_type != GPIOD_LINE_REQUEST_DIRECTION_OUTPUT) {
		errno = EPERM;
		return -1;
	}
	line->phys = (line->flags & GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) ? !value : !!value;
	return 0;
}

int gpiod_line_event_get_fd(struct gpiod_line *line)
{
	if (!line->requested || line->pipe[0] < 0) {
		errno = EPERM;
		return -1;
	}
	return line->pipe[0];
}

int gpiod_line_event_read(struct gpiod_line *line, struct gpiod_line_event *event)
{
	char c;

	if (read(line->pipe[0], &c, 1) != 1)
		return -1;
	line->events--;
	memset(event, 0, sizeof(*event));
	event->event_type = c ? GPIOD_LINE_EVENT_RISING_EDGE : GPIOD_LINE_EVENT_FALLING_EDGE;
	return 0;
}

/* ---- what differs from the 2.x backend ---- */

static void check_request_flags(void)
{
	assert_int_equal(L0(17)->request_type, GPIOD_LINE_REQUEST_DIRECTION_OUTPUT);
	assert_int_equal(L0(17)->flags, 0);
	assert_int_equal(L0(17)->default_val, 0);
	assert_int_equal(L0(23)->flags, GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW);
	assert_int_equal(L0(5)->request_type, GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES);
	assert_int_equal(L0(5)->flags, GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW);
	assert_int_equal(L0(19)->request_type, GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES);
	assert_int_equal(L0(19)->flags, 0);
}

static const struct open_case *open_cases(size_t *n)
{
	/* gpiod_chip_open_lookup() finds a chip by its label. */
	static const struct open_case cases[] = {
		{ SNT_ROLE_BUTTON, "pinctrl-bcm2711", 27, SNT_LGPIO_ERR_DUPLICATE,
		  "key 'button' in [gpio]: pinctrl-bcm2711:27: line already used by another "
		  "role ('led-green')" },
	};

	*n = SNT_ARRAY_SIZE(cases);
	return cases;
}
