/* SPDX-License-Identifier: MIT */
/*
 * rules_internal: the decoders rules.c and credential.c share (not part of
 * the module's interface).
 */
#ifndef SNT_RULES_INTERNAL_H
#define SNT_RULES_INTERNAL_H

#include <stddef.h>

#include <cbor.h>

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

#endif /* SNT_RULES_INTERNAL_H */
