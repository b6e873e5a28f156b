/* SPDX-License-Identifier: MIT */
/*
 * bench_zxing: zxing-cpp (1.4, libzxing-dev) as the benchmark's second
 * opinion on the same frames: ReadBarcodes() with default hints, formats
 * restricted to QR Code.  Benchmark only; the scanner does not use it.
 */
#ifndef BENCH_ZXING_H
#define BENCH_ZXING_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The first code zxing-cpp found: raw bytes and UTF-8 text, NUL-terminated (truncated to fit). */
struct bench_zxing_code {
	uint8_t bytes[8192];
	size_t len;
	char text[4 * 8192 + 1];
};

/*
 * bench_zxing_read() - decode the RGB24 (@rgb 1) or grey (@rgb 0) picture
 * @px (@w x @h, @stride bytes a row) with zxing-cpp.
 * @out: receives up to @max codes (may be NULL when @max is 0).
 * Return: the number of valid QR codes found, or -1 if zxing-cpp threw.
 */
int bench_zxing_read(const uint8_t *px, unsigned int w, unsigned int h, size_t stride, int rgb,
		     struct bench_zxing_code *out, size_t max);

#ifdef __cplusplus
}
#endif

#endif /* BENCH_ZXING_H */
