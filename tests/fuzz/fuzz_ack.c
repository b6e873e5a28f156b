// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the bureau's signed answers to a gate
 * (firmware/sync/bundle.h): raw bytes opened as an acknowledgement and as a
 * signed time (both must refuse: nothing is signed), then the bytes as the
 * signed payload with a fixed key, so the decoders behind the signature are
 * reached: snt_bundle_ack_open() (verdicts, seq ranges) and
 * snt_bundle_time_open().
 * Seeds: tests/fuzz/seeds/ack/ (an acknowledgement's payload).
 */
#include <stdint.h>
#include <stdlib.h>

#include "sign/sign.h"
#include "sync/bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *key;
	struct snt_bundle_ack *a = NULL;
	struct snt_bundle_diag d;
	char dev[SNT_DEVICE_ID_LEN];
	uint8_t *msg = NULL;
	size_t len;
	int64_t t;

	if (!key && snt_sign_key_generate(&key))
		abort();
	if (snt_bundle_ack_open(key, data, size, &a, &d) == SNT_BUNDLE_OK)
		abort();	/* unsigned bytes never verify */
	if (snt_sign1_es256(key, data, size, &msg, &len) != SNT_SIGN_OK)
		return 0;
	if (snt_bundle_ack_open(key, msg, len, &a, &d) == SNT_BUNDLE_OK)
		snt_bundle_ack_free(a);
	(void)snt_bundle_time_open(key, msg, len, dev, &t, &d);
	free(msg);
	return 0;
}
