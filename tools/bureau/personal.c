// SPDX-License-Identifier: MIT
/*
 * The sealed personal records at the bureau (personal.h): kept, opened with
 * an audit, purged by their retention; a gate's chain checked with them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sign/sign.h"
#include "sync/bundle.h"
#include "tools/bureau/bureau.h"
#include "tools/bureau/personal.h"
#include "common/i18n.h"

#define MS_PER_DAY 86400000LL

void bureau_person_wipe(struct bureau_person *p)
{
	if (p)
		explicit_bzero(p, sizeof(*p));
}

/* Field @key of @o, a string, into @out; -1 when present and not a string that fits. */
static int get_field(json_t *o, const char *key, char *out, size_t size)
{
	json_t *v = json_object_get(o, key);
	const char *s;

	out[0] = '\0';
	if (!v)
		return 0;
	s = json_string_value(v);
	if (!s || strlen(s) >= size)
		return -1;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* The record's plaintext (@len bytes of JSON) into @p; -1 when it is not a card's text. */
static int decode_person(const uint8_t *plain, size_t len, struct bureau_person *p)
{
	json_t *o = json_loadb((const char *)plain, len, JSON_REJECT_DUPLICATES, NULL);
	int rc = -1;

	if (o && json_is_object(o) && json_integer_value(json_object_get(o, "v")) == 1 &&
	    json_is_integer(json_object_get(o, "time")) && !get_field(o, "device", p->device, sizeof(p->device)) &&
	    !get_field(o, "name", p->name, sizeof(p->name)) && !get_field(o, "sex", p->sex, sizeof(p->sex)) &&
	    !get_field(o, "nation", p->nation, sizeof(p->nation)) &&
	    !get_field(o, "birth", p->birth, sizeof(p->birth)) &&
	    !get_field(o, "address", p->address, sizeof(p->address)) &&
	    !get_field(o, "number", p->number, sizeof(p->number)) &&
	    !get_field(o, "authority", p->authority, sizeof(p->authority)) &&
	    !get_field(o, "valid_from", p->valid_from, sizeof(p->valid_from)) &&
	    !get_field(o, "valid_to", p->valid_to, sizeof(p->valid_to)) && p->number[0]) {
		p->time_utc_ms = (int64_t)json_integer_value(json_object_get(o, "time"));
		rc = 0;
	}
	json_decref(o);
	return rc;
}

/* Append the opening to the audit with @outcome. */
static enum bureau_err audit(struct bureau_db *db, const char *device, int64_t seq, const char *staff,
			     const char *reason, int64_t now_ms, const char *outcome, char *why, size_t n)
{
	struct bureau_audit a;

	memset(&a, 0, sizeof(a));
	a.time_utc_ms = now_ms;
	snt_strlcpy(a.device, device, sizeof(a.device));
	a.seq = seq;
	snt_strlcpy(a.staff, staff, sizeof(a.staff));
	snt_strlcpy(a.reason, reason, sizeof(a.reason));
	snt_strlcpy(a.outcome, outcome, sizeof(a.outcome));
	return bureau_db_audit_add(db, &a, why, n);
}

/* The highest audit id (the opening just recorded); 0 when it cannot be read. */
static int64_t last_audit_id(struct bureau_db *db)
{
	struct bureau_audit *a = NULL;
	size_t count = 0;
	char why[BUREAU_WHY_LEN];
	int64_t id = 0;

	if (bureau_db_audit(db, &a, &count, why, sizeof(why)) == BUREAU_OK && count)
		id = a[count - 1].id;
	free(a);
	return id;
}

enum bureau_err bureau_person_open(struct bureau_db *db, EVP_PKEY *key, const char *device, int64_t seq,
				   const char *staff, const char *reason, int64_t now_ms, struct bureau_person *out,
				   char *why, size_t n)
{
	struct snt_entry e;
	uint8_t *sealed = NULL, *plain = NULL;
	size_t len = 0, plain_len = 0;
	char *detail = NULL;
	enum bureau_err err, aerr;
	enum snt_sign_err se;
	const char *outcome = "opened";

	if (!db || !key || !device || !staff || !reason || !out || seq < 1 || !staff[0] || !reason[0] ||
	    strlen(staff) >= BUREAU_STAFF_LEN || strlen(reason) >= BUREAU_AUDIT_TEXT_LEN || !snt_text_clean(staff) ||
	    !snt_text_clean(reason) || !bureau_device_id_valid(device))
		return BUREAU_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	err = bureau_db_record_get(db, device, seq, &sealed, &len, &detail, why, n);
	if (err == BUREAU_ERR_NOTFOUND)
		outcome = "not held";
	else if (err)
		return err;
	if (!err) {
		memset(&e, 0, sizeof(e));
		snt_strlcpy(e.detail, detail, sizeof(e.detail));
		if (!snt_bundle_record_matches(&e, sealed, len)) {
			snprintf(why, n, _("device %s seq %" PRId64 ": the record does not match its entry's digest"), device,
				 seq);
			err = BUREAU_ERR_REJECT;
		} else if ((se = snt_unseal(key, sealed, len, &plain, &plain_len)) != SNT_SIGN_OK) {
			snprintf(why, n, _("device %s seq %" PRId64 ": the record does not open with this key: %s"), device,
				 seq, snt_sign_strerror(se));
			err = se == SNT_SIGN_ERR_NOMEM ? BUREAU_ERR_NOMEM : BUREAU_ERR_REJECT;
		} else if (decode_person(plain, plain_len, out)) {
			snprintf(why, n, _("device %s seq %" PRId64 ": the record is not a card's text"), device, seq);
			err = BUREAU_ERR_REJECT;
		}
		if (err)
			outcome = "unreadable";
	}
	if (plain) {
		explicit_bzero(plain, plain_len);
		free(plain);
	}
	free(sealed);
	free(detail);
	/* Every opening is recorded, and nothing is handed out unless it was. */
	{
		char awhy[BUREAU_WHY_LEN];

		aerr = audit(db, device, seq, staff, reason, now_ms, outcome, awhy, sizeof(awhy));
		if (aerr) {
			bureau_person_wipe(out);
			snprintf(why, n, _("the opening could not be recorded in the audit, so nothing is opened: %s"), awhy);
			return BUREAU_ERR_DB;
		}
	}
	if (err) {
		bureau_person_wipe(out);
		return err;
	}
	out->audit_id = last_audit_id(db);
	return BUREAU_OK;
}

enum bureau_err bureau_personal_purge(struct bureau_db *db, int days, int64_t now_ms, int64_t *removed, char *why,
				      size_t n)
{
	if (removed)
		*removed = 0;
	if (!db || !removed || days < 1 || days > BUREAU_PERSONAL_DAYS_MAX)
		return BUREAU_ERR_INVAL;
	return bureau_db_records_purge(db, now_ms - (int64_t)days * MS_PER_DAY, now_ms, removed, why, n);
}

/*
 * The latest cutoff of the purges the audit records into *@cutoff: every
 * record of a visit before it was removed (INT64_MIN when none).
 */
static enum bureau_err purged_before(struct bureau_db *db, int64_t *cutoff, char *why, size_t n)
{
	struct bureau_audit *a = NULL;
	size_t count = 0;
	enum bureau_err err = bureau_db_audit(db, &a, &count, why, n);

	*cutoff = INT64_MIN;
	for (size_t i = 0; !err && i < count; i++)
		if (a[i].purge && a[i].cutoff_utc_ms > *cutoff)
			*cutoff = a[i].cutoff_utc_ms;
	free(a);
	return err;
}

enum bureau_err bureau_verify_device(struct bureau_db *db, const char *device, struct bureau_verify_result *r,
				     char *why, size_t n)
{
	static const uint8_t zero[SNT_HASH_LEN];
	struct bureau_entry_iter *it = NULL;
	uint8_t h[SNT_HASH_LEN], last[SNT_HASH_LEN];
	int64_t last_seq = 0, cutoff = INT64_MIN;
	struct snt_entry e;
	enum bureau_err err;

	if (!db || !device || !r)
		return BUREAU_ERR_INVAL;
	memset(r, 0, sizeof(*r));
	err = purged_before(db, &cutoff, why, n);
	if (err)
		return err;
	err = bureau_db_entries_new(db, device, &it, why, n);
	if (err)
		return err;
	while ((err = bureau_db_entries_next(it, &e, why, n)) == BUREAU_OK) {
		if (snt_store_entry_hash(&e, h) != SNT_STORE_OK || memcmp(h, e.hash, SNT_HASH_LEN)) {
			snprintf(why, n, _("device %s seq %" PRId64 ": its chain hash does not verify"), device, e.seq);
			err = BUREAU_ERR_REJECT;
			break;
		}
		if ((e.seq == 1 && memcmp(e.prev_hash, zero, SNT_HASH_LEN)) ||
		    (last_seq && e.seq == last_seq + 1 && memcmp(e.prev_hash, last, SNT_HASH_LEN))) {
			snprintf(why, n, _("device %s seq %" PRId64 ": does not link to the entry before"), device, e.seq);
			err = BUREAU_ERR_REJECT;
			break;
		}
		r->links += last_seq && e.seq == last_seq + 1;
		if (!r->entries)
			r->first = e.seq;
		r->last = e.seq;
		r->entries++;
		memcpy(last, e.hash, SNT_HASH_LEN);
		last_seq = e.seq;
		if (strstr(e.detail, "\"sealed\"")) {
			uint8_t *sealed = NULL;
			size_t len = 0;
			char *detail = NULL;
			enum bureau_err ge = bureau_db_record_get(db, device, e.seq, &sealed, &len, &detail, why, n);

			r->digests++;
			if (ge == BUREAU_OK && !snt_bundle_record_matches(&e, sealed, len)) {
				snprintf(why, n, _("device %s seq %" PRId64 ": its personal record does not match its digest"),
					 device, e.seq);
				ge = BUREAU_ERR_REJECT;
			}
			free(sealed);
			free(detail);
			if (ge == BUREAU_OK) {
				r->records++;
			} else if (ge == BUREAU_ERR_NOTFOUND) {
				if (e.time_utc_ms < cutoff)
					r->purged++;
				else
					r->missing++;
			} else {
				err = ge;
				break;
			}
		}
	}
	bureau_db_entries_free(it);
	return err == BUREAU_ERR_NOTFOUND ? BUREAU_OK : err;
}
