// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the rule-set decoder (firmware/rules/rules.h): raw
 * bytes as the payload (snt_rules_decode()), re-encoded and decoded again
 * when accepted (the encoder must take what the decoder gives), and the
 * same bytes signed with a fixed key through snt_rules_open().
 * Seeds: tests/fuzz/seeds/rules/ (payloads from snt_rules_encode()).
 */
#include <stdint.h>
#include <stdlib.h>

#include "rules/rules.h"
#include "sign/sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *key;
	struct snt_rules *r = NULL, *back = NULL;
	uint8_t *msg = NULL, *enc = NULL;
	size_t len, enc_len;
	char err[256];

	if (!key && snt_sign_key_generate(&key))
		abort();
	if (snt_rules_decode(data, size, &r, err, sizeof(err)) == SNT_RULES_OK) {
		if (snt_rules_encode(r, &enc, &enc_len, err, sizeof(err)) != SNT_RULES_OK)
			abort();	/* what decodes must encode */
		if (snt_rules_decode(enc, enc_len, &back, err, sizeof(err)) != SNT_RULES_OK)
			abort();	/* and decode again */
		snt_rules_free(back);
		free(enc);
		snt_rules_free(r);
		r = NULL;
	}
	(void)snt_rules_open(data, size, key, &r, err, sizeof(err));
	snt_rules_free(r);
	r = NULL;
	if (snt_sign1_es256(key, data, size, &msg, &len) != SNT_SIGN_OK)
		return 0;
	if (snt_rules_open(msg, len, key, &r, err, sizeof(err)) == SNT_RULES_OK)
		snt_rules_free(r);
	free(msg);
	return 0;
}
