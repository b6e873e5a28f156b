/* SPDX-License-Identifier: MIT */
/*
 * samcard: the simulated board's ID-card reader, a SAM reader module with
 * or without a card, on the master side of a pseudo-terminal
 * (posix_openpt(3)).  The real driver (board/linux/idreader.h) talks to
 * the slave side as it would to /dev/ttyUSB0; a thread answers its command
 * frames (idcard/idcard.h) as the module would for the card now presented.
 */
#ifndef SNT_SIM_SAMCARD_H
#define SNT_SIM_SAMCARD_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

struct sim_samcard;

/* What is on the reader. */
enum sim_card {
	SIM_CARD_NONE = 0,	/* find: 80 (no card) */
	SIM_CARD_TEXT,		/* a card: find 9F, select 90, read 90 with the text block given */
	SIM_CARD_PULLED,	/* a card taken away while read: find 9F, select 90, read 41 */
	SIM_CARD_RAW,		/* the bytes given are sent, once, in answer to find; other commands get none */
};

/*
 * sim_samcard_new() - a reader with no card, its thread started.
 * @slave, @slavelen: receive the slave's path (e.g. /dev/pts/7).
 * @out: receives the reader; free with sim_samcard_free().
 * Return: 0, or an errno value (posix_openpt, grantpt, unlockpt, open of
 * the slave, pthread_create, ENOMEM).
 */
int sim_samcard_new(char *slave, size_t slavelen, struct sim_samcard **out) SNT_WUR;

/*
 * sim_samcard_set() - present @mode: @data is the 256-byte text block for
 * SIM_CARD_TEXT, the bytes to send for SIM_CARD_RAW (@len bytes), ignored
 * otherwise.  Copied.
 * Return: 0; ENOMEM; EINVAL for missing data or a reader unplugged.
 */
int sim_samcard_set(struct sim_samcard *c, enum sim_card mode, const uint8_t *data, size_t len) SNT_WUR;

/*
 * sim_samcard_unplug() - the reader's cable pulled: the thread stops and
 * both sides of the pseudo-terminal close, so the driver's line hangs up
 * and the path disappears.  For good: sim_samcard_set() fails after it.
 */
void sim_samcard_unplug(struct sim_samcard *c);

/* sim_samcard_commands() - how many command frames the reader received. */
unsigned sim_samcard_commands(struct sim_samcard *c);

/* sim_samcard_free() - unplug and release; NULL does nothing. */
void sim_samcard_free(struct sim_samcard *c);

#endif /* SNT_SIM_SAMCARD_H */
