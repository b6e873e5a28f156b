/* SPDX-License-Identifier: MIT */
/*
 * clock: time, injected.  Logic never calls clock_gettime() or time(); it
 * asks a struct snt_clock, which is the system clock on a board and a
 * virtual clock on the simulated board and in tests.
 *
 * Two time lines: monotonic milliseconds since boot (never jumps) and UTC
 * wall time in milliseconds since the Unix epoch (may jump; see state).
 */
#ifndef SNT_CLOCK_H
#define SNT_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "entry/entry.h"

struct snt_clock_ops {
	int64_t (*mono_ms)(void *ctx);		/* monotonic ms since boot */
	int64_t (*utc_ms)(void *ctx);		/* wall time, ms since 1970-01-01T00:00:00Z */
	enum snt_clock_state (*state)(void *ctx);
	void (*sleep_ms)(void *ctx, int64_t ms);/* wait; virtual clocks just advance */
};

struct snt_clock {
	const struct snt_clock_ops *ops;
	void *ctx;
	const char *source;	/* where trusted time comes from: "ntp", "sim", ... ([a-z0-9-]) */
};

/* A synchronised clock may step back this much (NTP corrections) and stay trusted. */
#define SNT_CLOCK_BACKSTEP_TOLERANCE_MS 2000

/*
 * snt_clock_judge() - whether the wall time can be trusted now (domain.md
 * lesson 5: a board without a real-time clock can be years off after a
 * power cut).  Trusted only when the time source says it is synchronised
 * AND the time is not earlier than the latest trusted time the gate has
 * already seen (less SNT_CLOCK_BACKSTEP_TOLERANCE_MS): a clock that jumps
 * back behind what was once trusted is untrusted even if it claims sync.
 * A clock that jumps ahead is trusted only if the source is synchronised.
 * @source: the state the clock reports (snt_clock_state_get()).
 * @utc_ms: the wall time now.
 * @last_trusted_utc_ms: the latest trusted wall time seen so far (0: none).
 * Return: SNT_CLOCK_TRUSTED or SNT_CLOCK_UNTRUSTED; never SNT_CLOCK_REBASED
 * (that is a property of entries, computed afterwards).
 */
enum snt_clock_state snt_clock_judge(enum snt_clock_state source, int64_t utc_ms,
				     int64_t last_trusted_utc_ms);

/*
 * The latest trusted time a gate has seen, and where on the monotonic time
 * line it was seen.
 */
struct snt_clock_anchor {
	int64_t utc_ms;		/* latest trusted wall time (0: none) */
	int64_t mono_ms;	/* the monotonic time then */
	bool same_boot;		/* seen in this boot: mono_ms is on today's monotonic line */
};

/* A trusted clock may run ahead of the monotonic time since the anchor by this much. */
#define SNT_CLOCK_STEP_TOLERANCE_MS 60000

/*
 * snt_clock_judge_step() - snt_clock_judge() against @a->utc_ms, and one
 * more rule (clock poisoning: a wall clock set ahead while it claims sync
 * would make every later, correct time look like a step back): within one
 * boot, a wall time further ahead of the anchor than the monotonic time
 * elapsed since it, plus SNT_CLOCK_STEP_TOLERANCE_MS, is untrusted.  Such a
 * step needs a second source (the bureau's signed time, sync.h).  Across
 * boots the monotonic time says nothing and the time source's word counts,
 * as in snt_clock_judge().
 * @mono_ms: the monotonic time now.
 * @a: the anchor; NULL or utc_ms 0: none.
 * Return: SNT_CLOCK_TRUSTED or SNT_CLOCK_UNTRUSTED.
 */
enum snt_clock_state snt_clock_judge_step(enum snt_clock_state source, int64_t utc_ms, int64_t mono_ms,
					  const struct snt_clock_anchor *a);

/*
 * snt_clock_system() - the board's clocks: CLOCK_MONOTONIC, CLOCK_REALTIME,
 * and trust from the kernel's NTP status (adjtimex(2): trusted when
 * STA_UNSYNC is clear and the maximum error is under 1 s); source "ntp".
 * @clk: filled in; needs no release.
 */
void snt_clock_system(struct snt_clock *clk);

static inline int64_t snt_clock_mono_ms(const struct snt_clock *c) { return c->ops->mono_ms(c->ctx); }
static inline int64_t snt_clock_utc_ms(const struct snt_clock *c) { return c->ops->utc_ms(c->ctx); }
static inline enum snt_clock_state snt_clock_state_get(const struct snt_clock *c) { return c->ops->state(c->ctx); }
static inline void snt_clock_sleep_ms(const struct snt_clock *c, int64_t ms) { c->ops->sleep_ms(c->ctx, ms); }

/*
 * snt_clock_format_rfc3339() - "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339 §5.6, UTC,
 * whole seconds, truncated) into @buf of at least 21 bytes.
 * Return: 0, or -1 if @size is too small or the year is outside 0000-9999.
 */
int snt_clock_format_rfc3339(int64_t utc_ms, char *buf, size_t size) SNT_WUR;

/*
 * snt_clock_parse_rfc3339() - parse "YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)"
 * (RFC 3339 §5.6; 't'/'z' and a space separator accepted).
 * Return: 0 and *utc_ms; -1 if the text is not such a time.
 */
int snt_clock_parse_rfc3339(const char *s, int64_t *utc_ms) SNT_WUR;

/* The zone of local times when nothing else is configured (China Standard Time). */
#define SNT_CLOCK_DEFAULT_ZONE "Asia/Shanghai"
#define SNT_CLOCK_ZONE_LEN 64		/* a zone name: 63 bytes + NUL */
#define SNT_CLOCK_ZONEINFO "/usr/share/zoneinfo"

/*
 * snt_clock_zone_valid() - whether @zone names a time zone of the tz
 * database installed here: a relative name of letters, digits, '_', '-',
 * '+' and '/', without "..", shorter than SNT_CLOCK_ZONE_LEN, that is a
 * regular file under SNT_CLOCK_ZONEINFO (package tzdata).  NULL: false.
 */
bool snt_clock_zone_valid(const char *zone);

/*
 * snt_clock_use_zone() - make @zone (a tz database name, e.g.
 * "Asia/Shanghai", as [station] timezone) the zone of every local time
 * this process shows or parses (localtime_r(), mktime(),
 * snt_clock_local_midnight()), whatever TZ it inherited: sets TZ to
 * ":@zone" and calls tzset().  For main() only, before any other thread.
 * Return: 0; -1 when @zone is NULL or empty or the environment cannot be set.
 */
int snt_clock_use_zone(const char *zone) SNT_WUR;

/*
 * snt_clock_local_midnight() - the UTC time (ms) of the local midnight that
 * began the day of @utc_ms, in the process's zone (snt_clock_use_zone()).
 * Return: 0 and *@out (<= @utc_ms); -1 when the time cannot be converted.
 */
int snt_clock_local_midnight(int64_t utc_ms, int64_t *out) SNT_WUR;

/*
 * snt_clock_boot_id() - the kernel's boot id (/proc/sys/kernel/random/boot_id,
 * 36 characters + NUL) into @buf of at least 37 bytes.
 * Return: 0; -1 with errno if it cannot be read.
 */
int snt_clock_boot_id(char *buf, size_t size) SNT_WUR;

#endif /* SNT_CLOCK_H */
