// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the SMART Health Card path.  The input is taken as a
 * compact JWS, turned into the numeric QR payload, and verified against a
 * JWK set holding one key under the kid the spec examples use.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codes/codes_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct snt_trust *trust_store(void)
{
	static const char jwks[] =
		"{\"keys\":[{\"kty\":\"EC\",\"kid\":\"3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s\",\"crv\":\"P-256\","
		"\"x\":\"11XvRWy1I2S0EyJlyf_bWfw_TQ5CJJNLw78bHXNxcgw\",\"y\":\"eZXwxvO1hvCY0KucrPfKo7yAyMT6Ajc3N7OkAB6VYy8\"}]}";
	char path[] = "/tmp/fuzz-jws-XXXXXX";
	struct snt_trust *t = NULL;
	int fd = mkstemp(path);

	if (fd < 0)
		abort();
	if (write(fd, jwks, sizeof(jwks) - 1) != (ssize_t)(sizeof(jwks) - 1))
		abort();
	close(fd);
	if (snt_trust_new(&t) || snt_trust_load(t, path))
		abort();
	unlink(path);
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct snt_trust *trust;
	struct snt_verify_info info;
	uint8_t *p;
	size_t n = 5;

	if (!trust)
		trust = trust_store();
	if (size > SNT_VERIFY_MAX_PAYLOAD / 2)
		return 0;
	p = malloc(5 + 2 * size);
	if (!p)
		return 0;
	memcpy(p, "shc:/", 5);
	for (size_t i = 0; i < size; i++) {
		unsigned int v = data[i] >= 45 ? (unsigned int)(data[i] - 45) : 99u;

		if (v > 99)
			v = 99;
		p[n++] = (uint8_t)('0' + v / 10);
		p[n++] = (uint8_t)('0' + v % 10);
	}
	(void)snt_verify_payload(p, n, trust, 1700000000000LL, SNT_VCLOCK_GIVEN, &info);
	free(p);
	return 0;
}
