// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the strict decoders of firmware/sync/bundle.h on raw
 * bytes as the signed payload: bundle (snt_bundle_decode(), every entry's
 * hash recomputed), and, signed with a fixed key and opened again,
 * acknowledgement, signed time and the generic signed-document opener;
 * sealed to the same key, the whole bundle-file path (snt_bundle_open():
 * the device id read before verification included).
 * Seeds: a bundle from tests/test_bundle.c's encoder is a good start.
 */
#include <stdint.h>
#include <stdlib.h>

#include "sign/sign.h"
#include "sync/bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int lookup(void *ctx, const char *device, const uint8_t kid[SNT_SIGN_KID_LEN], EVP_PKEY **key)
{
	(void)device;
	(void)kid;
	if (EVP_PKEY_up_ref(ctx) != 1)
		return -1;
	*key = ctx;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *key;
	struct snt_bundle *b = NULL;
	struct snt_bundle_ack *a = NULL;
	struct snt_bundle_diag d;
	char type[SNT_BUNDLE_TYPE_LEN], dev[SNT_DEVICE_ID_LEN];
	cbor_item_t *map = NULL;
	uint8_t *msg = NULL;
	size_t len;
	int64_t t;

	if (!key && snt_sign_key_generate(&key))
		abort();
	if (snt_bundle_decode(data, size, &b, &d) == SNT_BUNDLE_OK)
		snt_bundle_free(b);
	if (snt_sign1_es256(key, data, size, &msg, &len) != SNT_SIGN_OK)
		return 0;
	if (snt_bundle_ack_open(key, msg, len, &a, &d) == SNT_BUNDLE_OK)
		snt_bundle_ack_free(a);
	if (snt_bundle_time_open(key, msg, len, dev, &t, &d) == SNT_BUNDLE_OK)
		(void)t;
	if (snt_bundle_open_signed(key, msg, len, type, &map, &d) == SNT_BUNDLE_OK)
		cbor_decref(&map);
	{
		uint8_t *file;
		size_t file_len;

		if (snt_seal(key, msg, len, &file, &file_len) == SNT_SIGN_OK) {
			if (snt_bundle_open(key, lookup, key, file, file_len, &b, &d) == SNT_BUNDLE_OK)
				snt_bundle_free(b);
			free(file);
		}
	}
	free(msg);
	return 0;
}
