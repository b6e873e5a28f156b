// SPDX-License-Identifier: MIT
/* libFuzzer target: base45 (RFC 9285), then the whole HC1 path with "HC1:" in front. */
#include <stdint.h>

#include "codes/codes_internal.h"
#include "tests/fuzz/verify_prefixed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[CODES_MAX_BINARY];
	size_t n;

	(void)snt_cose_base45_decode(data, size, out, sizeof(out), &n);
	verify_prefixed("HC1:", data, size);
	return 0;
}
