// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: badges and passes (snt_credential_open(),
 * firmware/rules/rules.h): raw bytes as the scanned text, and the bytes as
 * the signed payload (signed with a fixed key, base45, "SNB1:") so the
 * payload decoder behind the signature is reached.
 * Seeds: tests/fuzz/seeds/credential/ (badge and pass payloads).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cose/cose.h"
#include "rules/rules.h"
#include "sign/sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *key;
	struct snt_credential c;
	uint8_t *msg = NULL;
	size_t len;
	char err[256], *text;

	if (!key && snt_sign_key_generate(&key))
		abort();
	(void)snt_credential_open(data, size, key, &c, err, sizeof(err));
	if (snt_sign1_es256(key, data, size, &msg, &len) != SNT_SIGN_OK)
		return 0;
	text = malloc(5 + SNT_COSE_BASE45_LEN(len) + 1);
	if (!text)
		abort();
	memcpy(text, "SNB1:", 5);
	len = 5 + snt_cose_base45_encode(msg, len, text + 5);
	(void)snt_credential_open((const uint8_t *)text, len, key, &c, err, sizeof(err));
	free(text);
	free(msg);
	return 0;
}
