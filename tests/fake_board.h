/* SPDX-License-Identifier: MIT */
/*
 * What the check-in tests' fake boards share (test_checkin.c,
 * test_checkin_rules.c): wiring a board's roles to one test context, a
 * camera frame from a loaded image, a GPIO that never has input, and the
 * check-in timings the tests are written against.
 */
#ifndef SNT_TESTS_FAKE_BOARD_H
#define SNT_TESTS_FAKE_BOARD_H

#include <string.h>

#include "checkin/checkin.h"
#include "image/image.h"

#define FAKE_BOOT_ID "0f1e2d3c-4b5a-4697-8877-665544332211"

/*
 * fake_board_wire() - @b named "fake", boot FAKE_BOOT_ID, its camera,
 * thermometer, GPIO, display and clock the given ops, each with context
 * @ctx (owned by the test); no other role.
 */
static inline void fake_board_wire(struct snt_board *b, void *ctx, const struct snt_camera_ops *cam,
				   const struct snt_thermometer_ops *thermo, const struct snt_gpio_ops *gpio,
				   const struct snt_display_ops *disp, const struct snt_clock_ops *clock)
{
	*b = (struct snt_board){ .name = "fake", .camera = cam, .camera_ctx = ctx, .thermometer = thermo,
				 .thermometer_ctx = ctx, .gpio = gpio, .gpio_ctx = ctx, .display = disp,
				 .display_ctx = ctx, .clock = { .ops = clock, .ctx = ctx } };
	snt_strlcpy(b->boot_id, FAKE_BOOT_ID, sizeof(b->boot_id));
}

/* fake_frame() - @fr shows image @img (RGB24; @img keeps the pixels). */
static inline void fake_frame(struct snt_frame *fr, const struct snt_image *img)
{
	*fr = (struct snt_frame){ .fmt = SNT_PIXFMT_RGB24, .width = img->width, .height = img->height,
				  .stride = img->stride, .data = img->rgb };
}

/* fake_gpio_wait() - a GPIO wait that has no input: SNT_HAL_END at once. */
static inline enum snt_hal_err fake_gpio_wait(void *ctx, int fd, int64_t t, struct snt_input_event *ev)
{
	(void)ctx, (void)fd, (void)t, (void)ev;
	return SNT_HAL_END;
}

/*
 * fake_checkin_cfg() - the timings the check-in tests count with: scan 2 s
 * at 100 ms frames, de-duplication 60 s, 1 s between tries (3), relay 3 s,
 * alert 2 s, override window 60 s, fever from 37.3 °C; every other field
 * zero.
 */
static inline void fake_checkin_cfg(struct snt_checkin_cfg *cfg)
{
	*cfg = (struct snt_checkin_cfg){
		.scan_timeout_ms = 2000, .frame_interval_ms = 100, .dedup_window_ms = 60000,
		.temp_retry_ms = 1000, .relay_pulse_ms = 3000, .alert_ms = 2000, .temp_tries = 3,
		.override_window_ms = 60000, .fever_threshold_mdc = 37300,
	};
}

#endif /* SNT_TESTS_FAKE_BOARD_H */
