/* SPDX-License-Identifier: MIT */
/*
 * gpio_common: the part of the lgpio backends (gpio.h) that does not depend
 * on the libgpiod version.  Internal to the gpio backends: only gpio_v1.c
 * (libgpiod 1.6) and gpiod2/gpio_v2.c (libgpiod 2.x) include this header;
 * everything else uses gpio.h.
 *
 * gpio_common.c owns struct snt_lgpio and implements every gpio.h function
 * except snt_lgpio_open(), which each backend defines as a call of
 * lgpio__open() with its struct lgpio__ops (the libgpiod calls):
 *  - the role table: which roles are lines, outputs (relay, LEDs, buzzer)
 *    vs inputs, each role's request and offset, the level last reported
 *    (inputs) or driven (outputs, e.g. the relay during its pulse);
 *  - opening: argument checks, one handle per chip (shared by kernel name,
 *    at most LGPIO__MAX_CHIPS), a line used by two roles, outputs requested
 *    before inputs, errno mapped to enum snt_lgpio_err and the one-line
 *    error naming the key, the chip and the line;
 *  - closing, on every path including a failed open: every output driven
 *    inactive (relay first: door locked), every line released, the chips
 *    closed;
 *  - the debounce state machine and the poll() loop over the inputs' event
 *    fds and the caller's fd;
 *  - snt_lgpio_strerror() and the hal.h ops (snt_lgpio_ops).
 * This file and gpio_common.c include no <gpiod.h>: they are compiled with
 * either backend (the Makefile picks gpio_v1.c or gpiod2/gpio_v2.c).
 *
 * Every op fails the way libgpiod does: -1 or NULL with errno set.
 */
#ifndef SNT_LGPIO_COMMON_H
#define SNT_LGPIO_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include "linux/gpio.h"

/* Distinct chips one handle may hold open; one more is SNT_LGPIO_ERR_NOMEM. */
#define LGPIO__MAX_CHIPS 8

/* One open chip, filled by lgpio__ops.chip_open(). */
struct lgpio__chip {
	void *handle;		/* the backend's chip (struct gpiod_chip *) */
	char name[32];		/* kernel name, e.g. "gpiochip0": a chip named twice is opened once */
	size_t n_lines;		/* lines on the chip where the backend reads it (2.x), else 0 */
};

struct lgpio__ops {
	/*
	 * chip_open() - open the chip @descr as written in the config (kernel
	 * name, /dev path, number or label) and fill @out.
	 * Return: 0; -1 with errno ENOMEM (out of memory), EACCES or EIO
	 * (SNT_LGPIO_ERR_IO), anything else or 0 (no such chip).
	 */
	int (*chip_open)(const char *descr, struct lgpio__chip *out);
	/* chip_close() - close a handle from chip_open(). */
	void (*chip_close)(void *handle);
	/*
	 * line_find() - check that @offset is a line of @chip; *@line receives
	 * what request() takes as @line (1.6: the struct gpiod_line), or stays NULL.
	 * Return: 0; -1 with errno ENOMEM, anything else (no such line).
	 */
	int (*line_find)(const struct lgpio__chip *chip, unsigned int offset, void **line);
	/*
	 * request() - request one line for consumer @consumer, active-low as
	 * given: an output with the inactive level as its initial value (the
	 * relay de-energised), or an input with edge events on both edges.
	 * Return: the request, passed to release/get/set/event_*; NULL with
	 * errno EBUSY (held elsewhere), ENOMEM, or any other (request failed).
	 */
	void *(*request)(const struct lgpio__chip *chip, void *line, unsigned int offset,
			 bool output, bool active_low, const char *consumer);
	/* release() - give the line back to the kernel. */
	void (*release)(void *req);
	/* get() - the logical level (after active-low): 0 or 1; -1 with errno. */
	int (*get)(void *req, unsigned int offset);
	/* set() - drive the logical level @value (0 or 1). Return: 0; -1 with errno. */
	int (*set)(void *req, unsigned int offset, int value);
	/* event_fd() - the fd that polls readable while edge events are queued; -1. */
	int (*event_fd)(void *req);
	/* event_read() - read queued edge events (at least one). Return: >= 0; < 0 on failure. */
	int (*event_read)(void *priv, void *req);
	/*
	 * priv_new(), priv_free() - optional (NULL): backend state for the
	 * handle's life, passed to event_read() (2.x: the edge event buffer).
	 * priv_new() returning NULL is out of memory.
	 */
	void *(*priv_new)(void);
	void (*priv_free)(void *priv);
};

/*
 * lgpio__open() - snt_lgpio_open() (see gpio.h for every parameter, the
 * return values and the error lines) over the backend @ops (static,
 * borrowed for the handle's life).
 */
enum snt_lgpio_err lgpio__open(const struct lgpio__ops *ops, const struct snt_config_line *lines,
			       int debounce_ms, const char *consumer,
			       const struct snt_clock *clock, struct snt_lgpio **out, char *errbuf,
			       size_t errlen) SNT_WUR;

#endif /* SNT_LGPIO_COMMON_H */
