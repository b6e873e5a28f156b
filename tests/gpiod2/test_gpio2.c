// SPDX-License-Identifier: MIT
/*
 * Unit tests of the libgpiod 2.x backend (board/linux/gpiod2/gpio_v2.c),
 * linked against a stub of the gpiod_* functions it uses, compiled against
 * the real libgpiod 2 <gpiod.h> (Debian stable's libgpiod-dev, fetched by
 * tools/fetch-gpiod2.sh; `make gpiod2-check`).  Same cases as
 * tests/test_gpio.c for the 1.6 backend.  Two fake chips: gpiochip0
 * "pinctrl-bcm2711" (58 lines) and gpiochip4 "pinctrl-rp1" (54 lines),
 * opened by path.
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

struct fake_chip {
	const char *name, *label;
	unsigned int n_lines;
	struct fake_line lines[64];
};

struct gpiod_chip {
	struct fake_chip *fc;
};

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

static struct fake_chip fake[2] = {
	{ "gpiochip0", "pinctrl-bcm2711", 58, { { 0 } } },
	{ "gpiochip4", "pinctrl-rp1", 54, { { 0 } } },
};
static int chips_open;

static void stub_reset(void)
{
	for (size_t c = 0; c < 2; c++) {
		for (unsigned int i = 0; i < 64; i++) {
			struct fake_line *l = &fake[c].lines[i];

			if (l->pipe[0] > 0) {
				close(l->pipe[0]);
				close(l->pipe[1]);
			}
			memset(l, 0, sizeof(*l));
			l->offset = i;
			l->pipe[0] = l->pipe[1] = -1;
		}
	}
	chips_open = 0;
}

struct gpiod_chip *gpiod_chip_open(const char *path)
{
	for (size_t c = 0; c < 2; c++) {
		char dev[64];

		snprintf(dev, sizeof(dev), "/dev/%s", fake[c].name);
		if (!strcmp(path, dev)) {
			struct gpiod_chip *h = calloc(1, sizeof(*h));

			if (!h) {
				errno = ENOMEM;
				return NULL;
			}
			h->fc = &fake[c];
			chips_open++;
			return h;
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

/* The kernel sees the input's electrical level change to @phys. */
static void edge(struct fake_line *l, int phys)
{
	char c = (char)phys;

	l->phys = phys;
	assert_int_equal(write(l->pipe[1], &c, 1), 1);
	l->events++;
}

/* ---- tests ---- */

static struct snt_clock clk;

static struct fake_line *L0(unsigned int off)
{
	return &fake[0].lines[off];
}

static void set_line(struct snt_config_line *cl, const char *chip, unsigned int off, bool low)
{
	cl->set = true;
	snprintf(cl->chip, sizeof(cl->chip), "%s", chip);
	cl->offset = off;
	cl->active_low = low;
}

/* Pi 4 pin map of board/rpi/sentinel-pi4.conf. */
static void pi4_lines(struct snt_config_line *lines)
{
	memset(lines, 0, sizeof(struct snt_config_line) * SNT_CONFIG_GPIO_SLOTS);
	set_line(&lines[SNT_ROLE_RELAY], "gpiochip0", 17, false);
	set_line(&lines[SNT_ROLE_LED_GREEN], "gpiochip0", 27, false);
	set_line(&lines[SNT_ROLE_LED_RED], "gpiochip0", 22, false);
	set_line(&lines[SNT_ROLE_BUZZER], "gpiochip0", 23, true);
	set_line(&lines[SNT_ROLE_PRESENCE], "gpiochip0", 5, true);
	set_line(&lines[SNT_ROLE_BUTTON], "gpiochip0", 6, true);
	set_line(&lines[SNT_ROLE_EXIT_BUTTON], "gpiochip0", 13, true);
	set_line(&lines[SNT_ROLE_FIRE_ALARM], "gpiochip0", 19, false);
}

static int setup(void **state)
{
	(void)state;
	stub_reset();
	snt_clock_system(&clk);
	return 0;
}

static void assert_all_released(void)
{
	for (size_t c = 0; c < 2; c++)
		for (unsigned int i = 0; i < 64; i++)
			assert_false(fake[c].lines[i].requested);
	assert_int_equal(chips_open, 0);
}

static void test_request_flags(void **state)
{
	struct snt_config_line lines[SNT_CONFIG_GPIO_SLOTS];
	struct snt_lgpio *g;
	char err[256];

	(void)state;
	pi4_lines(lines);
	assert_int_equal(snt_lgpio_open(lines, 0, "sentineld", &clk, &g, err, sizeof(err)),
			 SNT_LGPIO_OK);
	/* One chip handle for eight lines on it. */
	assert_int_equal(chips_open, 1);
	assert_true(L0(17)->requested);
	assert_string_equal(L0(17)->consumer, "sentineld");
	assert_int_equal(L0(17)->direction, GPIOD_LINE_DIRECTION_OUTPUT);
	assert_false(L0(17)->active_low);
	assert_int_equal(L0(17)->out_value, GPIOD_LINE_VALUE_INACTIVE);
	assert_int_equal(L0(17)->phys, 0);		/* relay de-energised: locked */
	assert_true(L0(23)->active_low);
	assert_int_equal(L0(23)->phys, 1);		/* active-low buzzer off = high */
	assert_int_equal(L0(5)->direction, GPIOD_LINE_DIRECTION_INPUT);
	assert_int_equal(L0(5)->edge, GPIOD_LINE_EDGE_BOTH);
	assert_true(L0(5)->active_low);
	assert_int_equal(L0(19)->edge, GPIOD_LINE_EDGE_BOTH);
	assert_false(L0(19)->active_low);
	assert_true(snt_lgpio_has(g, SNT_ROLE_RELAY));
	assert_false(snt_lgpio_has(g, SNT_ROLE_DISPLAY));
	snt_lgpio_close(g);
	assert_all_released();
}

static void test_relay_pulse_and_close(void **state)
{
	struct snt_config_line lines[SNT_CONFIG_GPIO_SLOTS];
	struct snt_lgpio *g;
	char err[256];
	int v;

	(void)state;
	pi4_lines(lines);
	assert_int_equal(snt_lgpio_open(lines, 0, "sentineld", &clk, &g, err, sizeof(err)),
			 SNT_LGPIO_OK);
	/* Through the hal ops, as the check-in module drives it. */
	assert_int_equal(snt_lgpio_ops.set(g, SNT_ROLE_RELAY, 1, 17), SNT_HAL_OK);
	assert_int_equal(L0(17)->phys, 1);
	assert_int_equal(snt_lgpio_get(g, SNT_ROLE_RELAY, &v), SNT_LGPIO_OK);
	assert_int_equal(v, 1);
	assert_int_equal(snt_lgpio_ops.set(g, SNT_ROLE_RELAY, 0, 0), SNT_HAL_OK);
	assert_int_equal(L0(17)->phys, 0);
	assert_int_equal(snt_lgpio_ops.set(g, SNT_ROLE_BUZZER, 1, 0), SNT_HAL_OK);
	assert_int_equal(L0(23)->phys, 0);		/* active-low: on = low */
	/* Inputs cannot be driven. */
	assert_int_equal(snt_lgpio_set(g, SNT_ROLE_PRESENCE, 1), SNT_LGPIO_ERR_INVAL);
	assert_int_equal(snt_lgpio_ops.set(g, SNT_ROLE_PRESENCE, 1, 0), SNT_HAL_ERR_INVAL);
	/* Close during a pulse: the relay drops before the lines are released. */
	assert_int_equal(snt_lgpio_set(g, SNT_ROLE_RELAY, 1), SNT_LGPIO_OK);
	snt_lgpio_close(g);
	assert_int_equal(L0(17)->phys, 0);
	assert_int_equal(L0(23)->phys, 1);
	assert_int_equal(L0(17)->n_releases, 1);
	assert_all_released();
}

static void test_set_fails(void **state)
{
	struct snt_config_line lines[SNT_CONFIG_GPIO_SLOTS];
	struct snt_lgpio *g;
	char err[256];

	(void)state;
	pi4_lines(lines);
	assert_int_equal(snt_lgpio_open(lines, 0, "sentineld", &clk, &g, err, sizeof(err)),
			 SNT_LGPIO_OK);
	L0(27)->requested = false;	/* the stub now refuses writes on it */
	assert_int_equal(snt_lgpio_set(g, SNT_ROLE_LED_GREEN, 1), SNT_LGPIO_ERR_IO);
	assert_int_equal(snt_lgpio_ops.set(g, SNT_ROLE_LED_GREEN, 1, 0), SNT_HAL_ERR_IO);
	L0(27)->requested = true;
	snt_lgpio_close(g);
	assert_all_released();
}

struct open_case {
	enum snt_role role;
	const char *chip;
	unsigned int offset;
	enum snt_lgpio_err err;
	const char *msg;
};

static void test_open_errors(void **state)
{
	static const struct open_case cases[] = {
		{ SNT_ROLE_FIRE_ALARM, "gpiochip9", 19, SNT_LGPIO_ERR_NOCHIP,
		  "key 'fire-alarm' in [gpio]: gpiochip9:19: no such GPIO chip" },
		{ SNT_ROLE_EXIT_BUTTON, "gpiochip0", 60, SNT_LGPIO_ERR_NOLINE,
		  "key 'exit-button' in [gpio]: gpiochip0:60: no such line on the chip" },
		{ SNT_ROLE_EXIT_BUTTON, "/dev/gpiochip0", 17, SNT_LGPIO_ERR_DUPLICATE,
		  "key 'exit-button' in [gpio]: /dev/gpiochip0:17: line already used by another "
		  "role ('relay')" },
		{ SNT_ROLE_BUTTON, "0", 27, SNT_LGPIO_ERR_DUPLICATE,
		  "key 'button' in [gpio]: 0:27: line already used by another role ('led-green')" },
		{ SNT_ROLE_BUTTON, "pinctrl-nowhere", 27, SNT_LGPIO_ERR_NOCHIP,
		  "key 'button' in [gpio]: pinctrl-nowhere:27: no such GPIO chip" },
	};

	(void)state;
	for (size_t i = 0; i < SNT_ARRAY_SIZE(cases); i++) {
		struct snt_config_line lines[SNT_CONFIG_GPIO_SLOTS];
		struct snt_lgpio *g = (struct snt_lgpio *)&g;
		char err[256];

		stub_reset();
		pi4_lines(lines);
		set_line(&lines[cases[i].role], cases[i].chip, cases[i].offset, false);
		assert_int_equal(snt_lgpio_open(lines, 0, "sentineld", &clk, &g, err, sizeof(err)),
				 cases[i].err);
		assert_string_equal(err, cases[i].msg);
		assert_null(g);
		/* Nothing half-opened; the relay was held low until released. */
		assert_all_released();
		assert_int_equal(L0(17)->phys, 0);
	}
}

static void test_busy_and_eio(void **state)
{
	struct snt_config_line lines[SNT_CONFIG_GPIO_SLOTS];
	struct snt_lgpio *g;
	char err[256];

	(void)state;
	pi4_lines(lines);
	L0(13)->held_elsewhere = true;
	assert_int_equal(snt_lgpio_open(lines, 0, "sentineld", &clk, &g, err, sizeof(err)),
			 SNT_LGPIO_ERR_BUSY);
	assert_string_equal(err, "key 'exit-button' in [gpio]: gpiochip0:13: line busy (held by "
				 "another program)");
	assert_all_released();
	assert_int_equal(L0(17)->n_requests, 1);
	assert_int_equal(L0(17)->n_releases, 1);

	stub_reset();
	L0(22)->fail_request_errno = EIO;
	assert_int_equal(snt_lgpio_open(lines, 0, "sentineld", &clk, &g, err, sizeof(err)),
			 SNT_LGPIO_ERR_IO);
	assert_string_equal(err, "key 'led-red' in [gpio]: gpiochip0:22: request failed: "
				 "Input/output error");
	assert_all_released();

	/* A line outside the roles is refused before anything is opened. */
	stub_reset();
	pi4_lines(lines);
	set_line(&lines[SNT_ROLE_CAMERA], "gpiochip0", 2, false);
	assert_int_equal(snt_lgpio_open(lines, 0, "sentineld", &clk, &g, err, sizeof(err)),
			 SNT_LGPIO_ERR_INVAL);
	assert_all_released();
	assert_int_equal(snt_lgpio_open(NULL, 0, "sentineld", &clk, &g, err, sizeof(err)),
			 SNT_LGPIO_ERR_INVAL);
	pi4_lines(lines);
	assert_int_equal(snt_lgpio_open(lines, 1001, "sentineld", &clk, &g, err, sizeof(err)),
			 SNT_LGPIO_ERR_INVAL);
	assert_string_equal(snt_lgpio_strerror(SNT_LGPIO_ERR_BUSY),
			    "line busy (held by another program)");
}

static void test_pi5_chip(void **state)
{
	struct snt_config_line lines[SNT_CONFIG_GPIO_SLOTS];
	struct snt_lgpio *g;
	char err[256];

	(void)state;
	memset(lines, 0, sizeof(lines));
	set_line(&lines[SNT_ROLE_RELAY], "/dev/gpiochip4", 17, false);
	set_line(&lines[SNT_ROLE_PRESENCE], "gpiochip4", 5, true);
	assert_int_equal(snt_lgpio_open(lines, 0, "sentineld", &clk, &g, err, sizeof(err)),
			 SNT_LGPIO_OK);
	assert_int_equal(chips_open, 1);
	assert_true(fake[1].lines[17].requested);
	assert_true(fake[1].lines[5].requested);
	snt_lgpio_close(g);
	assert_all_released();
}

static void test_events_debounce(void **state)
{
	struct snt_config_line lines[SNT_CONFIG_GPIO_SLOTS];
	struct snt_input_event ev;
	struct snt_lgpio *g;
	int pfd[2];
	char err[256];
	int64_t t0;

	(void)state;
	pi4_lines(lines);
	L0(19)->phys = 1;	/* fire alarm active at start */
	L0(5)->phys = 1;	/* presence (active-low) idle = high */
	L0(6)->phys = 1;
	L0(13)->phys = 1;
	assert_int_equal(snt_lgpio_open(lines, 20, "sentineld", &clk, &g, err, sizeof(err)),
			 SNT_LGPIO_OK);
	/* The active input is reported first. */
	assert_int_equal(snt_lgpio_wait_event(g, -1, 0, &ev), SNT_HAL_OK);
	assert_int_equal(ev.role, SNT_ROLE_FIRE_ALARM);
	assert_int_equal(ev.value, 1);
	assert_int_equal(snt_lgpio_wait_event(g, -1, 0, &ev), SNT_HAL_TIMEOUT);

	/* Bouncing contact: low, high, low within the window: one event, 1. */
	edge(L0(5), 0);
	edge(L0(5), 1);
	edge(L0(5), 0);
	t0 = snt_clock_mono_ms(&clk);
	assert_int_equal(snt_lgpio_ops.wait_event(g, -1, 1000, &ev), SNT_HAL_OK);
	assert_true(snt_clock_mono_ms(&clk) - t0 >= 20);
	assert_int_equal(ev.role, SNT_ROLE_PRESENCE);
	assert_int_equal(ev.value, 1);
	assert_int_equal(L0(5)->events, 0);
	/* A glitch that returns to the same level gives no event. */
	edge(L0(6), 0);
	edge(L0(6), 1);
	assert_int_equal(snt_lgpio_wait_event(g, -1, 60, &ev), SNT_HAL_TIMEOUT);
	/* The exit button pressed and released: two events. */
	edge(L0(13), 0);
	assert_int_equal(snt_lgpio_wait_event(g, -1, 1000, &ev), SNT_HAL_OK);
	assert_int_equal(ev.role, SNT_ROLE_EXIT_BUTTON);
	assert_int_equal(ev.value, 1);
	edge(L0(13), 1);
	assert_int_equal(snt_lgpio_wait_event(g, -1, 1000, &ev), SNT_HAL_OK);
	assert_int_equal(ev.role, SNT_ROLE_EXIT_BUTTON);
	assert_int_equal(ev.value, 0);
	/* The caller's fd (the daemon's signalfd) ends the wait. */
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(write(pfd[1], "x", 1), 1);
	assert_int_equal(snt_lgpio_wait_event(g, pfd[0], 1000, &ev), SNT_HAL_FD_READY);
	close(pfd[0]);
	close(pfd[1]);
	/* A failing event read is an I/O error. */
	edge(L0(6), 0);
	close(L0(6)->pipe[1]);
	assert_int_equal(read(L0(6)->pipe[0], err, 1), 1);
	L0(6)->pipe[1] = open("/dev/null", O_WRONLY);
	assert_int_equal(snt_lgpio_wait_event(g, -1, 1000, &ev), SNT_HAL_ERR_IO);
	snt_lgpio_close(g);
	assert_all_released();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_request_flags, setup),
		cmocka_unit_test_setup(test_relay_pulse_and_close, setup),
		cmocka_unit_test_setup(test_set_fails, setup),
		cmocka_unit_test_setup(test_open_errors, setup),
		cmocka_unit_test_setup(test_busy_and_eio, setup),
		cmocka_unit_test_setup(test_pi5_chip, setup),
		cmocka_unit_test_setup(test_events_debounce, setup),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	stub_reset();
	return rc;
}
