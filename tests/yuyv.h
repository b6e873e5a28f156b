/* SPDX-License-Identifier: MIT */
/*
 * RGB24 to YUYV (V4L2_PIX_FMT_YUYV, ITU-R BT.601 limited range, integer
 * form), for the tests and benchmarks that feed the scanner frames as the
 * gate's camera delivers them.
 */
#ifndef SNT_TESTS_YUYV_H
#define SNT_TESTS_YUYV_H

#include <stddef.h>
#include <stdint.h>

/*
 * rgb_to_yuyv() - the @w x @h pixels of @rgb (@stride bytes a row; @w even)
 * into @out, @w * 2 bytes a row: each pair of pixels its two Y and the
 * mean of their U and V.
 */
static inline void rgb_to_yuyv(const uint8_t *rgb, size_t stride, unsigned int w, unsigned int h,
			       uint8_t *out)
{
	for (unsigned int y = 0; y < h; y++) {
		for (unsigned int x = 0; x < w; x += 2) {
			const uint8_t *p = rgb + (size_t)y * stride + (size_t)x * 3;
			uint8_t *o = out + (size_t)y * w * 2 + (size_t)x * 2;
			int u = 0, v = 0;

			for (int k = 0; k < 2; k++) {
				int r = p[3 * k], g = p[3 * k + 1], b = p[3 * k + 2];

				o[2 * k] = (uint8_t)(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16);
				u += ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128;
				v += ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128;
			}
			o[1] = (uint8_t)(u / 2);
			o[3] = (uint8_t)(v / 2);
		}
	}
}

#endif /* SNT_TESTS_YUYV_H */
