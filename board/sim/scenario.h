/* SPDX-License-Identifier: MIT */
/*
 * scenario: the script of the simulated board (grammar in scenario.md).
 * Parsing is strict; every error names the file and line.
 */
#ifndef SNT_SCENARIO_H
#define SNT_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "hal.h"
#include "image/image.h"

#define SNT_SCENARIO_MAX_LINE 4095
#define SNT_SCENARIO_MAX_WAIT_MS 86400000
/* All the scenario's images together, decoded (each distinct file once). */
#define SNT_SCENARIO_MAX_IMAGE_BYTES (512 << 20)
/* A temperature sample that is a read failure rather than a value. */
#define SNT_SCENARIO_TEMP_FAULT INT32_MIN

enum snt_scenario_err {
	SNT_SCENARIO_OK = 0,
	SNT_SCENARIO_ERR_INVAL,	/* NULL argument */
	SNT_SCENARIO_ERR_IO,	/* the scenario file cannot be read */
	SNT_SCENARIO_ERR_SYNTAX,/* unknown command, wrong word count, line too long */
	SNT_SCENARIO_ERR_VALUE,	/* a number that does not parse or is out of range */
	SNT_SCENARIO_ERR_IMAGE,	/* an image is missing or cannot be decoded */
	SNT_SCENARIO_ERR_NOMEM,
};

enum snt_scenario_op {
	SNT_SCN_WAIT = 0,	/* u.wait_ms */
	SNT_SCN_INPUT,		/* u.input: presence or a button */
	SNT_SCN_SHOW,		/* u.show: indices into images[]; n == 0 is "none" */
	SNT_SCN_TEMP,		/* u.temp: samples in milli-°C or SNT_SCENARIO_TEMP_FAULT; n == 0 is "none" */
	SNT_SCN_SIGNAL,		/* u.signo: the board sends this signal to its own process */
	SNT_SCN_CLOCK,		/* u.clock: the wall clock's trust, or a new reading */
	SNT_SCN_CARD,		/* u.card: what is on the ID-card reader */
};

/* What a `card` line puts on the ID-card reader. */
enum snt_scenario_card {
	SNT_SCN_CARD_NONE = 0,		/* no card */
	SNT_SCN_CARD_TEXT,		/* a card: data is its 256-byte text block (UCS-2LE) */
	SNT_SCN_CARD_PULLED,		/* a card taken away while it is read */
	SNT_SCN_CARD_FRAMES,		/* the reader answers with data's bytes (a frames file) */
	SNT_SCN_CARD_UNPLUGGED,		/* the reader's cable pulled, for good */
};

/* Largest frames file of a `card frames` line. */
#define SNT_SCENARIO_MAX_FRAMES_BYTES (1 << 20)

struct snt_scenario_step {
	enum snt_scenario_op op;
	int line;		/* line number in the file, from 1 */
	union {
		int64_t wait_ms;
		int signo;
		struct {
			int set;		/* 1: utc_ms is the new wall time; 0: trust change */
			int64_t utc_ms;
			enum snt_clock_state state;
		} clock;
		struct {
			enum snt_role role;
			int value;
		} input;
		struct {
			size_t n;
			size_t *image;
		} show;
		struct {
			size_t n;
			int32_t *mdc;
		} temp;
		struct {
			enum snt_scenario_card what;
			uint8_t *data;		/* owned; NULL for none, pulled, unplugged */
			size_t len;
		} card;
	} u;
};

struct snt_scenario_image {
	char *path;		/* as resolved */
	struct snt_image img;	/* decoded once, shared by every step naming it */
};

struct snt_scenario {
	struct snt_scenario_step *steps;
	size_t n_steps;
	struct snt_scenario_image *images;
	size_t n_images;
};

/*
 * snt_scenario_load() - parse the scenario at @path and decode every image
 * it names (each distinct path once).
 * @out: receives the scenario; free with snt_scenario_free().
 * @errbuf, @errlen: on failure "FILE:LINE: why" (or "FILE: why").
 * Return: SNT_SCENARIO_OK or the error enum value matching the first
 * problem found; on error nothing needs freeing.
 */
enum snt_scenario_err snt_scenario_load(const char *path, struct snt_scenario **out,
					char *errbuf, size_t errlen) SNT_WUR;

/* snt_scenario_free() - NULL does nothing. */
void snt_scenario_free(struct snt_scenario *scn);

/* snt_scenario_strerror() - static text in the user's language (i18n.h); never NULL. */
const char *snt_scenario_strerror(enum snt_scenario_err err);

#endif /* SNT_SCENARIO_H */
