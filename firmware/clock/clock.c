// SPDX-License-Identifier: MIT
/*
 * The system clock behind struct snt_clock, and time formatting.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "clock/clock.h"

static int64_t ts_ms(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts))
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t system_mono_ms(void *ctx)
{
	(void)ctx;
	return ts_ms(CLOCK_MONOTONIC);
}

static int64_t system_utc_ms(void *ctx)
{
	(void)ctx;
	return ts_ms(CLOCK_REALTIME);
}

static enum snt_clock_state system_state(void *ctx)
{
	struct timex tx;
	int rc;

	(void)ctx;
	memset(&tx, 0, sizeof(tx));
	rc = adjtimex(&tx);	/* modes == 0: read only */
	if (rc < 0 || rc == TIME_ERROR || (tx.status & STA_UNSYNC) || tx.maxerror >= 1000000)
		return SNT_CLOCK_UNTRUSTED;
	return SNT_CLOCK_TRUSTED;
}

static void system_sleep_ms(void *ctx, int64_t ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	(void)ctx;
	if (ms <= 0)
		return;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static const struct snt_clock_ops system_ops = {
	.mono_ms = system_mono_ms,
	.utc_ms = system_utc_ms,
	.state = system_state,
	.sleep_ms = system_sleep_ms,
};

void snt_clock_system(struct snt_clock *clk)
{
	clk->ops = &system_ops;
	clk->ctx = NULL;
	clk->source = "ntp";
}

enum snt_clock_state snt_clock_judge(enum snt_clock_state source, int64_t utc_ms,
				     int64_t last_trusted_utc_ms)
{
	if (source != SNT_CLOCK_TRUSTED)
		return SNT_CLOCK_UNTRUSTED;
	if (last_trusted_utc_ms > INT64_MIN + SNT_CLOCK_BACKSTEP_TOLERANCE_MS &&
	    utc_ms < last_trusted_utc_ms - SNT_CLOCK_BACKSTEP_TOLERANCE_MS)
		return SNT_CLOCK_UNTRUSTED;
	return SNT_CLOCK_TRUSTED;
}

enum snt_clock_state snt_clock_judge_step(enum snt_clock_state source, int64_t utc_ms, int64_t mono_ms,
					  const struct snt_clock_anchor *a)
{
	if (!a || a->utc_ms <= 0)
		return snt_clock_judge(source, utc_ms, 0);
	if (snt_clock_judge(source, utc_ms, a->utc_ms) != SNT_CLOCK_TRUSTED)
		return SNT_CLOCK_UNTRUSTED;
	/* No overflow: utc_ms >= a->utc_ms - the back-step tolerance here, and 0 <= a->mono_ms <= mono_ms. */
	if (a->same_boot && a->mono_ms >= 0 && mono_ms >= a->mono_ms &&
	    utc_ms - a->utc_ms - SNT_CLOCK_STEP_TOLERANCE_MS > mono_ms - a->mono_ms)
		return SNT_CLOCK_UNTRUSTED;
	return SNT_CLOCK_TRUSTED;
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned int yoe = (unsigned int)(y - era * 400);
	const unsigned int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned int *m, unsigned int *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned int doe = (unsigned int)(z - era * 146097);
	const unsigned int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned int mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z in ms since the epoch. */
#define UTC_MS_YEAR_0 (-62167219200000LL)
#define UTC_MS_YEAR_10000 253402300800000LL

int snt_clock_format_rfc3339(int64_t utc_ms, char *buf, size_t size)
{
	int64_t secs;
	int64_t days, sod, y;
	unsigned int m, d;
	int n;

	/* Out of RFC 3339's four-digit years (and of overflow's way). */
	if (utc_ms < UTC_MS_YEAR_0 || utc_ms >= UTC_MS_YEAR_10000 || size < 21)
		return -1;
	secs = utc_ms >= 0 ? utc_ms / 1000 : -((-utc_ms + 999) / 1000);
	days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	sod = secs - days * 86400;
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999 || size < 21)
		return -1;
	n = snprintf(buf, size, "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)y, m, d,
		     (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
	return n > 0 && (size_t)n < size ? 0 : -1;
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int snt_clock_parse_rfc3339(const char *s, int64_t *utc_ms)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, se, ms = 0, off = 0;
	const char *p = s;

	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' ||
	    digits(&p, 2, &se))
		return -1;
	if (*p == '.') {
		int scale = 100, any = 0;

		for (p++; *p >= '0' && *p <= '9'; p++, any = 1) {
			ms += (*p - '0') * scale;
			scale /= 10;
		}
		if (!any)
			return -1;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;

		if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 60 + om);
	} else {
		return -1;
	}
	if (*p)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 60)
		return -1;
	if (d > mdays[mo - 1] + (mo == 2 && is_leap(y)))
		return -1;
	if (se == 60)	/* leap second: the instant after hh:mm:59 */
		se = 59, ms = 999;
	*utc_ms = ((days_from_civil(y, (unsigned int)mo, (unsigned int)d) * 86400 +
		    h * 3600 + mi * 60 + se) - (int64_t)off * 60) * 1000 + ms;
	return 0;
}

int snt_clock_boot_id(char *buf, size_t size)
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (size < 37) {
		errno = EINVAL;
		return -1;
	}
	if (fd < 0)
		return -1;
	n = read(fd, buf, 36);
	close(fd);
	if (n != 36) {
		errno = EIO;
		return -1;
	}
	buf[36] = '\0';
	return 0;
}

bool snt_clock_zone_valid(const char *zone)
{
	char path[sizeof(SNT_CLOCK_ZONEINFO) + SNT_CLOCK_ZONE_LEN + 1];
	struct stat sb;
	const char *p;

	/* A name of the tz database: letters, digits, '_', '-', '+' and '/' between parts, no "..". */
	if (!zone || !zone[0] || zone[0] == '/' || strstr(zone, "..") || strlen(zone) >= SNT_CLOCK_ZONE_LEN)
		return false;
	for (p = zone; *p; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-' || *p == '+' || *p == '/'))
			return false;
	}
	snprintf(path, sizeof(path), "%s/%s", SNT_CLOCK_ZONEINFO, zone);
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

int snt_clock_use_zone(const char *zone)
{
	char tz[128];

	if (!zone || !*zone || snprintf(tz, sizeof(tz), ":%s", zone) >= (int)sizeof(tz))
		return -1;
	if (setenv("TZ", tz, 1) != 0)
		return -1;
	tzset();
	return 0;
}

int snt_clock_local_midnight(int64_t utc_ms, int64_t *out)
{
	time_t t = (time_t)(utc_ms >= 0 ? utc_ms / 1000 : (utc_ms - 999) / 1000), m;
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return -1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	m = mktime(&tm);
	if (m == (time_t)-1)
		return -1;
	*out = (int64_t)m * 1000;
	if (*out > utc_ms)	/* no midnight that day (a zone that skips it): the day began at 01:00 */
		*out = utc_ms;
	return 0;
}
