// SPDX-License-Identifier: MIT
/*
 * Occupancy for the open-mode visitor cap (policy.h).
 */
#include <string.h>

#include "policy/policy.h"

void snt_occupancy_init(struct snt_occupancy *o, int64_t stay_ms)
{
	memset(o, 0, sizeof(*o));
	o->stay_ms = stay_ms > 0 ? stay_ms : 0;
}

void snt_occupancy_set_stay(struct snt_occupancy *o, int64_t stay_ms)
{
	o->stay_ms = stay_ms > 0 ? stay_ms : 0;
}

/* Drop what is no longer inside at @now_ms: another day's visits, stays that have passed. */
static void expire(struct snt_occupancy *o, int64_t now_ms, int64_t day_start_ms)
{
	size_t keep = 0;

	if (day_start_ms != o->day_start_ms) {
		o->day_start_ms = day_start_ms;
		o->n = 0;
		return;
	}
	for (size_t i = 0; i < o->n; i++) {
		int64_t t = o->admitted_ms[i];

		if (t < day_start_ms || (o->stay_ms > 0 && now_ms - t >= o->stay_ms))
			continue;
		o->admitted_ms[keep++] = t;
	}
	o->n = keep;
}

void snt_occupancy_admit(struct snt_occupancy *o, int64_t now_ms, int64_t day_start_ms)
{
	expire(o, now_ms, day_start_ms);
	if (o->n == SNT_OCCUPANCY_MAX) {
		memmove(o->admitted_ms, o->admitted_ms + 1, (o->n - 1) * sizeof(o->admitted_ms[0]));
		o->n--;
	}
	o->admitted_ms[o->n++] = now_ms;
}

void snt_occupancy_exit(struct snt_occupancy *o, int64_t now_ms, int64_t day_start_ms)
{
	expire(o, now_ms, day_start_ms);
	if (o->n == 0)
		return;
	memmove(o->admitted_ms, o->admitted_ms + 1, (o->n - 1) * sizeof(o->admitted_ms[0]));
	o->n--;
}

int64_t snt_occupancy_count(struct snt_occupancy *o, int64_t now_ms, int64_t day_start_ms)
{
	expire(o, now_ms, day_start_ms);
	return (int64_t)o->n;
}
