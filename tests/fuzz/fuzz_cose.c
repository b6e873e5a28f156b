// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: CBOR well-formedness and libcbor loading, COSE_Sign1
 * parsing and verification (with a fixed P-256 key), on raw bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "codes/codes_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *key;
	struct codes__cose_sign1 cose;
	cbor_item_t *item;

	if (!key)
		key = EVP_EC_gen("P-256");
	(void)codes__cbor_check(data, size);
	item = codes__cbor_load(data, size);
	if (item)
		cbor_decref(&item);
	if (codes__cose_sign1_parse(data, size, &cose) == SNT_VERIFY_OK) {
		(void)codes__cose_sign1_verify(&cose, key);
		codes__cose_sign1_free(&cose);
	}
	return 0;
}
