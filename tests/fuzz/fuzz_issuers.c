// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the issuer-list reader (firmware/issuers/issuers.h):
 * the raw bytes as a signed list (snt_issuers_open(): refused before any
 * payload is read), and the same bytes as the payload of a list signed with
 * a fixed key, so the strict decoder sees every input.
 */
#include <stdint.h>
#include <stdlib.h>

#include "issuers/issuers.h"
#include "sign/sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *key;
	struct snt_issuers *l = NULL;
	uint8_t *msg = NULL;
	size_t len;
	char err[256];

	if (!key && snt_sign_key_generate(&key))
		abort();
	if (snt_issuers_open(data, size, key, &l, err, sizeof(err)) == SNT_ISSUERS_OK)
		snt_issuers_free(l);
	l = NULL;
	if (snt_sign1_es256(key, data, size, &msg, &len) != SNT_SIGN_OK)
		return 0;
	if (snt_issuers_open(msg, len, key, &l, err, sizeof(err)) == SNT_ISSUERS_OK)
		snt_issuers_free(l);
	free(msg);
	return 0;
}
