/* SPDX-License-Identifier: MIT */
/*
 * The cases shared by the unit tests of the two libgpiod backends,
 * tests/test_gpio.c (1.6, board/linux/gpio_v1.c) and
 * tests/gpiod2/test_gpio2.c (2.x, board/linux/gpiod2/gpio_v2.c): included
 * once by each, between its libgpiod stub's line type and the stub's
 * functions; not a test of its own (the Makefile builds tests/test_*.c).
 *
 * The including file first defines fake_line_t, its stub's line, with at
 * least these fields:
 *   unsigned int offset; int phys (electrical level); bool requested;
 *   bool held_elsewhere (request fails with EBUSY); int fail_request_errno;
 *   char consumer[32]; int pipe[2] (event fd: one byte per queued edge);
 *   int events (queued edges); int n_requests, n_releases;
 * and GPIO_PI5_RELAY_CHIP, how the config names the Pi 5's chip for the
 * relay (a string); after this header, the backend's hooks declared at its
 * end.  Here: the two fake chips - gpiochip0 "pinctrl-bcm2711" (58 lines, a
 * Pi 4) and gpiochip4 "pinctrl-rp1" (54 lines, a Pi 5) - the count of open
 * chip handles, the stub reset, the edge injector, every test case and the
 * test's main().
 */
#ifndef SNT_TESTS_GPIO_CASES_H
#define SNT_TESTS_GPIO_CASES_H

/* ---- stub state shared by both stubs ---- */

struct fake_chip {
	const char *name, *label;
	unsigned int n_lines;
	fake_line_t lines[64];
};

static struct fake_chip fake[2] = {
	{ "gpiochip0", "pinctrl-bcm2711", 58, { { 0 } } },
	{ "gpiochip4", "pinctrl-rp1", 54, { { 0 } } },
};
static int chips_open;		/* chip handles the stub has open */

/* Both stubs' chip handle: the fake chip it is open on. */
struct gpiod_chip {
	struct fake_chip *fc;
};

/* A new handle on @fc, counted in chips_open; NULL with errno ENOMEM. */
static struct gpiod_chip *chip_handle(struct fake_chip *fc)
{
	struct gpiod_chip *h = calloc(1, sizeof(*h));

	if (!h) {
		errno = ENOMEM;
		return NULL;
	}
	h->fc = fc;
	chips_open++;
	return h;
}

static void stub_reset(void)
{
	for (size_t c = 0; c < 2; c++) {
		for (unsigned int i = 0; i < 64; i++) {
			fake_line_t *l = &fake[c].lines[i];

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

/* The kernel sees the input's electrical level change to @phys. */
static void edge(fake_line_t *l, int phys)
{
	char c = (char)phys;

	l->phys = phys;
	assert_int_equal(write(l->pipe[1], &c, 1), 1);
	l->events++;
}

/* ---- the backend's hooks (defined by the including file) ---- */

struct open_case {
	enum snt_role role;
	const char *chip;
	unsigned int offset;
	enum snt_lgpio_err err;
	const char *msg;
};

/* Assert the request flags of the Pi 4 map just opened (17 relay, 23 buzzer, 5, 19 inputs). */
static void check_request_flags(void);
/* The backend's table for test_open_errors(): one line changed in the Pi 4 map each. */
static const struct open_case *open_cases(size_t *n);

/* ---- tests ---- */

static struct snt_clock clk;

static fake_line_t *L0(unsigned int off)
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

/* The Pi 4 map opened with @debounce_ms; the handle. */
static struct snt_lgpio *open_pi4(int debounce_ms)
{
	struct snt_config_line lines[SNT_CONFIG_GPIO_SLOTS];
	struct snt_lgpio *g;
	char err[256];

	pi4_lines(lines);
	assert_int_equal(snt_lgpio_open(lines, debounce_ms, "sentineld", &clk, &g, err,
					sizeof(err)), SNT_LGPIO_OK);
	return g;
}

static void test_request_flags(void **state)
{
	struct snt_lgpio *g;

	(void)state;
	g = open_pi4(0);
	/* One chip handle for eight lines on it. */
	assert_int_equal(chips_open, 1);
	assert_true(L0(17)->requested);
	assert_string_equal(L0(17)->consumer, "sentineld");
	assert_int_equal(L0(17)->phys, 0);		/* relay de-energised: locked */
	assert_int_equal(L0(23)->phys, 1);		/* active-low buzzer off = high */
	check_request_flags();
	assert_true(snt_lgpio_has(g, SNT_ROLE_RELAY));
	assert_false(snt_lgpio_has(g, SNT_ROLE_DISPLAY));
	snt_lgpio_close(g);
	assert_all_released();
}

static void test_relay_pulse_and_close(void **state)
{
	struct snt_lgpio *g;
	int v;

	(void)state;
	g = open_pi4(0);
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
	struct snt_lgpio *g;

	(void)state;
	g = open_pi4(0);
	L0(27)->requested = false;	/* the stub now refuses writes on it */
	assert_int_equal(snt_lgpio_set(g, SNT_ROLE_LED_GREEN, 1), SNT_LGPIO_ERR_IO);
	assert_int_equal(snt_lgpio_ops.set(g, SNT_ROLE_LED_GREEN, 1, 0), SNT_HAL_ERR_IO);
	L0(27)->requested = true;
	snt_lgpio_close(g);
	assert_all_released();
}

/* The cases every backend shares; then the backend's own (open_cases()). */
static const struct open_case common_open_cases[] = {
	{ SNT_ROLE_FIRE_ALARM, "gpiochip9", 19, SNT_LGPIO_ERR_NOCHIP,
	  "key 'fire-alarm' in [gpio]: gpiochip9:19: no such GPIO chip" },
	{ SNT_ROLE_EXIT_BUTTON, "gpiochip0", 60, SNT_LGPIO_ERR_NOLINE,
	  "key 'exit-button' in [gpio]: gpiochip0:60: no such line on the chip" },
	{ SNT_ROLE_EXIT_BUTTON, "/dev/gpiochip0", 17, SNT_LGPIO_ERR_DUPLICATE,
	  "key 'exit-button' in [gpio]: /dev/gpiochip0:17: line already used by another "
	  "role ('relay')" },
};

static void run_open_cases(const struct open_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
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

static void test_open_errors(void **state)
{
	const struct open_case *own;
	size_t n;

	(void)state;
	run_open_cases(common_open_cases, SNT_ARRAY_SIZE(common_open_cases));
	own = open_cases(&n);
	run_open_cases(own, n);
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
	set_line(&lines[SNT_ROLE_RELAY], GPIO_PI5_RELAY_CHIP, 17, false);
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
	struct snt_input_event ev;
	struct snt_lgpio *g;
	int pfd[2];
	char buf[1];
	int64_t t0;

	(void)state;
	L0(19)->phys = 1;	/* fire alarm active at start */
	L0(5)->phys = 1;	/* presence (active-low) idle = high */
	L0(6)->phys = 1;
	L0(13)->phys = 1;
	g = open_pi4(20);
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
	assert_int_equal(read(L0(6)->pipe[0], buf, 1), 1);
	L0(6)->pipe[1] = open("/dev/null", O_WRONLY);
	assert_int_equal(snt_lgpio_wait_event(g, -1, 1000, &ev), SNT_HAL_ERR_IO);
	snt_lgpio_close(g);
	assert_all_released();
}

/* Every case. */
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

#endif /* SNT_TESTS_GPIO_CASES_H */
