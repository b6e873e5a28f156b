// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: CBOR well-formedness and libcbor loading, COSE_Sign1
 * parsing and verification (with a fixed P-256 key), on raw bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include "cose/cose.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *key;
	struct snt_cose_sign1 cose;
	cbor_item_t *item;

	if (!key)
		key = EVP_EC_gen("P-256");
	(void)snt_cose_cbor_check(data, size);
	item = snt_cose_cbor_load(data, size);
	if (item)
		cbor_decref(&item);
	if (snt_cose_sign1_parse(data, size, &cose) == SNT_COSE_OK) {
		(void)snt_cose_sign1_verify(&cose, key);
		snt_cose_sign1_free(&cose);
	}
	return 0;
}
