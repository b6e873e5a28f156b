// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the image loader (firmware/image/image.h) on raw bytes
 * as a file: PNG and JPEG headers, size limits, decoding to grey pixels.
 * Seeds: tests/fuzz/seeds/image/ (a small PNG, a baseline JPEG).
 */
#include <stdint.h>

#include "image/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snt_image img;

	if (snt_image_load_mem(data, size, &img) == SNT_IMAGE_OK)
		snt_image_release(&img);
	return 0;
}
