// SPDX-License-Identifier: MIT
/* libFuzzer target: base32 (RFC 4648 §6), then the whole NZCP path with "NZCP:/1/" in front. */
#include <stdint.h>

#include "codes/codes_internal.h"
#include "tests/fuzz/verify_prefixed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[CODES_MAX_BINARY];
	size_t n;

	(void)codes__base32_decode(data, size, out, sizeof(out), &n);
	verify_prefixed("NZCP:/1/", data, size);
	return 0;
}
