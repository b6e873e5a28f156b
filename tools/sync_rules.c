// SPDX-License-Identifier: MIT
/*
 * Rule-set hook of `sentinelctl sync usb` (tools/sync_rules.h): a rule set
 * the bureau left on the stick is installed with snt_rules_install() into
 * [rules] dir (verified with [sync] bureau_key; only a newer version
 * replaces the active one; the running sentineld takes it up before the next
 * visit).
 */
#include <stdio.h>

#include "clock/clock.h"
#include "issuers/issuers.h"
#include "rules/rules.h"
#include "trustlist/trustlist.h"
#include "common/i18n.h"
#include "tools/sync_rules.h"

int ctl_sync_rules_install(const struct snt_config *sc, EVP_PKEY *bureau_pub, const uint8_t *buf,
			   size_t len, int64_t now_ms, char *msg, size_t msglen)
{
	struct snt_rules_install_result res;
	enum snt_rules_err e;
	char err[256] = "";

	const struct snt_rules_gate gate = { sc->home, sc->device_id };

	e = snt_rules_install(sc->rules_dir, bureau_pub, &gate, buf, len, now_ms, &res, err, sizeof(err));
	if (e == SNT_RULES_ERR_OLD) {
		snprintf(msg, msglen, _("not newer than the active set: %s"), err[0] ? err : _("kept"));
		return 0;
	}
	if (e != SNT_RULES_OK) {
		snprintf(msg, msglen, _("not installed: %s%s%s"), snt_rules_strerror(e), err[0] ? ": " : "",
			 err);
		return -1;
	}
	if (res.pending) {
		char from[32];

		if (snt_clock_format_rfc3339(res.valid_from_ms, from, sizeof(from)))
			snt_strlcpy(from, "?", sizeof(from));
		snprintf(msg, msglen, _("version %llu pending until %s (active: %llu); sentineld applies it then"),
			 (unsigned long long)res.version, from, (unsigned long long)res.previous);
		return 0;
	}
	snprintf(msg, msglen, _("installed version %llu (was %llu), %s; sentineld applies it before the next visit"),
		 (unsigned long long)res.version, (unsigned long long)res.previous,
		 snt_rules_freshness_name(res.freshness));
	return 0;
}

int ctl_sync_trust_install(const struct snt_config *sc, EVP_PKEY *bureau_pub, const uint8_t *buf, size_t len,
			   char *msg, size_t msglen)
{
	struct snt_trustlist_install_result res;
	enum snt_trustlist_err e;
	char err[256] = "";

	e = snt_trustlist_install(sc->rules_dir, bureau_pub, sc->home, buf, len, &res, err, sizeof(err));
	if (e == SNT_TRUSTLIST_ERR_OLD) {
		snprintf(msg, msglen, _("not newer than the installed list: %s"), err);
		return 0;
	}
	if (e != SNT_TRUSTLIST_OK) {
		snprintf(msg, msglen, _("not installed: %s%s%s"), snt_trustlist_strerror(e), err[0] ? ": " : "", err);
		return -1;
	}
	snprintf(msg, msglen,
		 P_("installed version %llu (was %llu), %zu file; sentineld takes it up before the next visit",
		    "installed version %llu (was %llu), %zu files; sentineld takes it up before the next visit",
		    res.n_files),
		 (unsigned long long)res.version, (unsigned long long)res.previous, res.n_files);
	return 0;
}

int ctl_sync_issuers_install(const struct snt_config *sc, EVP_PKEY *bureau_pub, const uint8_t *buf, size_t len,
			     char *msg, size_t msglen)
{
	struct snt_issuers_install_result res;
	enum snt_issuers_err e;
	char err[256] = "", gates[64], revoked[64];

	e = snt_issuers_install(sc->rules_dir, bureau_pub, sc->home, buf, len, &res, err, sizeof(err));
	if (e == SNT_ISSUERS_ERR_OLD) {
		snprintf(msg, msglen, _("not newer than the installed list: %s"), err);
		return 0;
	}
	if (e != SNT_ISSUERS_OK) {
		snprintf(msg, msglen, _("not installed: %s%s%s"), snt_issuers_strerror(e), err[0] ? ": " : "", err);
		return -1;
	}
	snprintf(gates, sizeof(gates), P_("%zu gate signs passes", "%zu gates sign passes", res.n_gates), res.n_gates);
	snprintf(revoked, sizeof(revoked), P_("%zu key revoked", "%zu keys revoked", res.n_revoked), res.n_revoked);
	snprintf(msg, msglen,
		 _("installed version %llu (was %llu): %s, %s; sentineld takes it up before the next visit"),
		 (unsigned long long)res.version, (unsigned long long)res.previous, gates, revoked);
	return 0;
}
