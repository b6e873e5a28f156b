/* SPDX-License-Identifier: MIT */
/*
 * rules_internal: what rules.c and credential.c share (decoders, messages,
 * the bureau signature check; not part of the module's interface).
 */
#ifndef SNT_RULES_INTERNAL_H
#define SNT_RULES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <cbor.h>

#include "common/common.h"
#include "rules/rules.h"

/*
 * rules__gates() - a "gates" array (rules.h): 1-@max distinct device ids of
 * 1-63 printable ASCII characters into @gates, their number into *@n.
 * Return: SNT_RULES_OK; SNT_RULES_ERR_PAYLOAD (@errbuf names the field).
 */
enum snt_rules_err rules__gates(const cbor_item_t *v, size_t max, char (*gates)[SNT_RULES_GATE_LEN], size_t *n,
				char *errbuf, size_t errlen);

/*
 * rules__home() - a "home" (rules.h): 1-127 bytes of text into @home
 * (SNT_RULES_HOME_LEN bytes).
 * Return: SNT_RULES_OK; SNT_RULES_ERR_PAYLOAD (@errbuf names the field).
 */
enum snt_rules_err rules__home(const cbor_item_t *v, char *home, char *errbuf, size_t errlen);

/*
 * rules__sign1_open() - the payload of COSE_Sign1 @buf (@len bytes) signed
 * with @bureau_pub (snt_sign1_open()): *@payload (*@plen bytes; the caller
 * frees it).
 * Return: SNT_RULES_OK; SNT_RULES_ERR_NOMEM; SNT_RULES_ERR_INVAL (@bureau_pub
 * is no P-256 key); SNT_RULES_ERR_SIGNATURE (@errbuf says why).
 */
enum snt_rules_err rules__sign1_open(const uint8_t *buf, size_t len, EVP_PKEY *bureau_pub, uint8_t **payload,
				     size_t *plen, char *errbuf, size_t errlen);

#endif /* SNT_RULES_INTERNAL_H */
