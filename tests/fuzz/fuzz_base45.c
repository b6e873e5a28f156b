// SPDX-License-Identifier: MIT
/* libFuzzer target: base45 (RFC 9285), then the whole HC1 path with "HC1:" in front. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codes/codes_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[CODES_MAX_BINARY];
	struct snt_verify_info info;
	uint8_t *p;
	size_t n;

	(void)snt_cose_base45_decode(data, size, out, sizeof(out), &n);
	if (size > SNT_VERIFY_MAX_PAYLOAD)
		return 0;
	p = malloc(size + 4);
	if (!p)
		return 0;
	memcpy(p, "HC1:", 4);
	if (size)
		memcpy(p + 4, data, size);
	(void)snt_verify_payload(p, size + 4, NULL, 1700000000000LL, SNT_VCLOCK_GIVEN, &info);
	free(p);
	return 0;
}
