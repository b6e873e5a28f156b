/* SPDX-License-Identifier: MIT */
/*
 * The rule-set, trust-list and issuer-list hooks of `sentinelctl sync`: a
 * signed rule set, trust list or issuer list the bureau left on the stick
 * (in/rules-*.cose, in/trust-*.cose, in/issuers-*.cose) or sent in its
 * acknowledgement is handed to the rules, trustlist or issuers module.
 */
#ifndef SNT_TOOLS_SYNC_RULES_H
#define SNT_TOOLS_SYNC_RULES_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "config/config.h"

/*
 * ctl_sync_rules_install() - install the rule set @buf (@len bytes) for the
 * station of @sc, verified with @bureau_pub, at @now_ms.
 * @msg: receives one line for the summary ("installed version N (was M)"
 *     or why not).
 * Return: 0 installed (or not newer: said in @msg); -1 refused or failed.
 */
int ctl_sync_rules_install(const struct snt_config *sc, EVP_PKEY *bureau_pub, const uint8_t *buf,
			   size_t len, int64_t now_ms, char *msg, size_t msglen);

/*
 * ctl_sync_trust_install() - install the signed trust list @buf (@len
 * bytes) for the station of @sc into its [rules] dir
 * (snt_trustlist_install(): verified with @bureau_pub, for [station] home,
 * newer than the installed one; sentineld takes it up by itself).
 * @msg: receives one line for the summary ("installed version N (was M),
 *     K files" or why not).
 * Return: 0 installed (or not newer: said in @msg); -1 refused or failed.
 */
int ctl_sync_trust_install(const struct snt_config *sc, EVP_PKEY *bureau_pub, const uint8_t *buf, size_t len,
			   char *msg, size_t msglen);

/*
 * ctl_sync_issuers_install() - install the signed issuer list @buf (@len
 * bytes) for the station of @sc into its [rules] dir
 * (snt_issuers_install(): verified with @bureau_pub, for [station] home,
 * newer than the installed one; sentineld takes it up by itself).
 * @msg: receives one line for the summary ("installed version N (was M):
 *     G gates, R revoked" or why not).
 * Return: 0 installed (or not newer: said in @msg); -1 refused or failed.
 */
int ctl_sync_issuers_install(const struct snt_config *sc, EVP_PKEY *bureau_pub, const uint8_t *buf, size_t len,
			     char *msg, size_t msglen);

#endif /* SNT_TOOLS_SYNC_RULES_H */
