/* SPDX-License-Identifier: MIT */
/*
 * What the benchmark programs of tests/bench/ share: a monotonic clock in
 * milliseconds and the comparison qsort(3) sorts timings with.
 */
#ifndef SNT_TESTS_BENCH_UTIL_H
#define SNT_TESTS_BENCH_UTIL_H

#include <time.h>

/* now_ms() - CLOCK_MONOTONIC in milliseconds (fractions kept). */
static inline double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* cmp_double() - qsort(3) order of two doubles, ascending. */
static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#endif /* SNT_TESTS_BENCH_UTIL_H */
