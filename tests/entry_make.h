/* SPDX-License-Identifier: MIT */
/*
 * A log entry to start from in the tests and benchmarks that fill a log:
 * the common case, which each then varies.
 */
#ifndef SNT_TESTS_ENTRY_MAKE_H
#define SNT_TESTS_ENTRY_MAKE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "entry/entry.h"

/*
 * entry_green_visitor() - @e zeroed, then a visitor admitted on an
 * unverified green health code at 36.5 °C (reasons: code green, temperature
 * normal), door opened, clock trusted, in boot @boot_id at @mono_ms
 * (monotonic) and @utc_ms (ms since the epoch); seq 0, no payload.
 */
static inline void entry_green_visitor(struct snt_entry *e, const char *boot_id, int64_t mono_ms,
				       int64_t utc_ms)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->boot_id, sizeof(e->boot_id), "%s", boot_id);
	e->mono_ms = mono_ms;
	e->time_utc_ms = utc_ms;
	e->clock = SNT_CLOCK_TRUSTED;
	e->kind = SNT_KIND_VISITOR;
	e->format = SNT_FORMAT_HEALTHCODE;
	e->colour = SNT_COLOUR_GREEN;
	e->verified = SNT_VERIFIED_UNVERIFIED;
	e->has_temp = true;
	e->temp_dc = 365;
	e->decision = SNT_DECISION_ADMIT;
	e->reasons = SNT_REASON_BIT(SNT_REASON_CODE_GREEN) | SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL);
	e->door = SNT_DOOR_OPENED;
}

#endif /* SNT_TESTS_ENTRY_MAKE_H */
