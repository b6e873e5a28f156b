/* SPDX-License-Identifier: MIT */
/*
 * What the text-decoder fuzz targets share: the input, with a code's
 * prefix in front, through the whole offline verification path
 * (codes/verify.h) without a trust store.
 */
#ifndef SNT_FUZZ_VERIFY_PREFIXED_H
#define SNT_FUZZ_VERIFY_PREFIXED_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codes/verify.h"

static inline void verify_prefixed(const char *prefix, const uint8_t *data, size_t size)
{
	size_t pl = strlen(prefix);
	struct snt_verify_info info;
	uint8_t *p;

	if (size > SNT_VERIFY_MAX_PAYLOAD)
		return;
	p = malloc(size + pl);
	if (!p)
		return;
	memcpy(p, prefix, pl);
	if (size)
		memcpy(p + pl, data, size);
	(void)snt_verify_payload(p, size + pl, NULL, 1700000000000LL, SNT_VCLOCK_GIVEN, &info);
	free(p);
}

#endif /* SNT_FUZZ_VERIFY_PREFIXED_H */
