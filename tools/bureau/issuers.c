// SPDX-License-Identifier: MIT
/*
 * Each home's issuer list, built from the bureau database (tools/bureau/issuers.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "issuers/issuers.h"
#include "tools/bureau/issuers.h"
#include "common/i18n.h"

/* Add @pem (kid @kid) of @device to @keys (*@count of @max), unless a key of that kid is in @list already. */
static void add_key(struct snt_issuers *list, struct snt_issuers_key *keys, size_t *count, size_t max,
		    const char *device, const char *pem, const uint8_t kid[8], int64_t at_ms, const char *reason)
{
	struct snt_issuers_key *k;

	for (size_t i = 0; i < list->n_gates; i++)
		if (!memcmp(list->gates[i].kid, kid, 8))
			return;
	for (size_t i = 0; i < list->n_revoked; i++)
		if (!memcmp(list->revoked[i].kid, kid, 8))
			return;
	if (*count >= max || strlen(device) >= SNT_ISSUERS_DEVICE_LEN || strlen(pem) >= SNT_ISSUERS_PEM_LEN)
		return;
	k = &keys[(*count)++];
	snt_strlcpy(k->device, device, sizeof(k->device));
	snt_strlcpy(k->pem, pem, sizeof(k->pem));
	memcpy(k->kid, kid, 8);
	k->revoked_ms = at_ms;
	snt_strlcpy(k->reason, reason ? reason : "", sizeof(k->reason));
}

/* @device's keys into @list when it serves @home; the latest event's time into *@latest. */
static enum bureau_err add_device(struct bureau_db *db, const char *device, const char *home,
				  struct snt_issuers *list, int64_t *latest, char *why, size_t n)
{
	struct bureau_device_info info;
	struct bureau_handover *h = NULL;
	enum bureau_err err;
	size_t nh = 0;
	char *pem = NULL;
	uint8_t kid[8];
	int64_t reg = 0;

	err = bureau_db_device_state(db, device, &info, why, n);
	if (err || strcmp(info.home, home))
		return err;
	err = bureau_db_device_row(db, device, &pem, kid, &reg, why, n);
	if (!err)
		err = bureau_db_handovers(db, device, &h, &nh, why, n);
	if (err) {
		free(pem);
		return err;
	}
	if (reg > *latest)
		*latest = reg;
	if (info.revoked_utc_ms) {
		add_key(list, list->revoked, &list->n_revoked, SNT_ISSUERS_MAX_REVOKED, device, pem, kid,
			info.revoked_utc_ms, info.revoked_reason[0] ? info.revoked_reason : "revoked");
		if (info.revoked_utc_ms > *latest)
			*latest = info.revoked_utc_ms;
	} else {
		add_key(list, list->gates, &list->n_gates, SNT_ISSUERS_MAX_GATES, device, pem, kid, 0, NULL);
	}
	for (size_t i = 0; i < nh; i++) {
		char reason[SNT_ISSUERS_REASON_LEN];

		snprintf(reason, sizeof(reason), "replaced: %s", h[i].reason[0] ? h[i].reason : "handover");
		add_key(list, list->revoked, &list->n_revoked, SNT_ISSUERS_MAX_REVOKED, device, h[i].old_pub_pem,
			h[i].old_kid, h[i].time_utc_ms, reason);
		if (h[i].time_utc_ms > *latest)
			*latest = h[i].time_utc_ms;
	}
	free(h);
	free(pem);
	return BUREAU_OK;
}

enum bureau_err bureau_issuers_for(struct bureau_db *db, EVP_PKEY *key, const char *device, int64_t now_ms,
				   uint8_t **cose, size_t *len, uint64_t *version, char *why, size_t n)
{
	struct bureau_device_info info;
	char (*ids)[BUREAU_DEVICE_LEN] = NULL;
	struct snt_issuers *list;
	enum snt_issuers_err ie;
	enum bureau_err err;
	size_t count = 0;
	int64_t latest = 0;
	char ierr[256] = "";

	*cose = NULL;
	*len = 0;
	*version = 0;
	err = bureau_db_device_state(db, device, &info, why, n);
	if (err)
		return err;
	if (!info.home[0]) {
		snprintf(why, n, _("device %s has no home (register --home)"), device);
		return BUREAU_ERR_NOTFOUND;
	}
	list = calloc(1, sizeof(*list));
	if (!list)
		return BUREAU_ERR_NOMEM;
	snt_strlcpy(list->home, info.home, sizeof(list->home));
	err = bureau_db_devices(db, &ids, &count, why, n);
	for (size_t i = 0; !err && i < count; i++)
		err = add_device(db, ids[i], info.home, list, &latest, why, n);
	free(ids);
	if (!err && (latest <= 0 || (!list->n_gates && !list->n_revoked))) {
		snprintf(why, n, _("home %s has no gate to list"), info.home);
		err = BUREAU_ERR_NOTFOUND;
	}
	if (!err) {
		list->version = (uint64_t)latest;
		list->issued_ms = now_ms;
		ie = snt_issuers_sign(key, list, cose, len, ierr, sizeof(ierr));
		if (ie == SNT_ISSUERS_ERR_NOMEM) {
			err = BUREAU_ERR_NOMEM;
		} else if (ie) {
			snprintf(why, n, _("the issuer list of home %s: %s"), info.home, ierr[0] ? ierr : snt_issuers_strerror(ie));
			err = BUREAU_ERR_IO;
		} else {
			*version = list->version;
		}
	}
	free(list);
	return err;
}
