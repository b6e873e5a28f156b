// SPDX-License-Identifier: MIT
/*
 * sentinel-bureau person, audit, purge and verify: the sealed personal
 * records at the bureau (personal.h) from the command line.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clock/clock.h"
#include "common/i18n.h"
#include "idcard/idcard.h"
#include "tools/bureau/bureau.h"
#include "tools/bureau/main_internal.h"
#include "tools/bureau/personal.h"

/* @ms as RFC 3339 UTC into @t (40 bytes), "?" when out of range. */
static void rfc3339(int64_t ms, char t[40])
{
	if (snt_clock_format_rfc3339(ms, t, 40) != 0)
		snt_strlcpy(t, "?", 40);
}

int bureau__cmd_person(const struct config *cfg, int64_t now_ms)
{
	struct bureau_person p;
	struct bureau_db *db = NULL;
	const char *sex_zh, *sex_en, *nation_zh, *nation_en;
	EVP_PKEY *key = NULL;
	char why[BUREAU_WHY_LEN], t[40];
	enum bureau_err err;
	int status;

	if (bureau__check_options(cfg, O_KEY | O_DEVICE | O_SEQ | O_REASON | O_STAFF | O_JSON,
				  O_KEY | O_DEVICE | O_SEQ | O_REASON | O_STAFF, 0))
		return EXIT_USAGE;
	if (!cfg->staff[0] || strlen(cfg->staff) >= BUREAU_STAFF_LEN || !snt_text_clean(cfg->staff))
		return bureau__usage_error(_("--staff: not a staff reference of 1-%d bytes of text"), BUREAU_STAFF_LEN - 1);
	if (!cfg->reason[0] || strlen(cfg->reason) >= BUREAU_AUDIT_TEXT_LEN || !snt_text_clean(cfg->reason))
		return bureau__usage_error(_("--reason: not a reason of 1-%d bytes of text"), BUREAU_AUDIT_TEXT_LEN - 1);
	if (!bureau_device_id_valid(cfg->device))
		return bureau__usage_error(_("--device: '%s' is not a device id"), cfg->device);
	if (bureau__load_key(cfg, &key))
		return EXIT_USAGE;
	status = bureau__open_db(cfg, false, &db);
	if (status) {
		EVP_PKEY_free(key);
		return status;
	}
	err = bureau_person_open(db, key, cfg->device, cfg->seq, cfg->staff, cfg->reason, now_ms, &p, why,
				 sizeof(why));
	EVP_PKEY_free(key);
	bureau_db_close(db);
	if (err) {
		bureau__err_line("%s", why);
		return err == BUREAU_ERR_NOTFOUND || err == BUREAU_ERR_REJECT ? EXIT_FAIL : EXIT_USAGE;
	}
	rfc3339(p.time_utc_ms, t);
	/* The card holds codes: GB/T 2261.1 for the sex, GB 3304 for the nationality (idcard.h). */
	if (snt_idcard_sex_name(p.sex, &sex_zh, &sex_en))
		sex_zh = sex_en = NULL;
	if (snt_idcard_nation_name(p.nation, &nation_zh, &nation_en))
		nation_zh = nation_en = NULL;
	if (cfg->json) {
		json_t *o = json_pack("{ss sI ss sI ss ss ss ss ss ss ss ss ss}", "device", cfg->device, "seq",
				      (json_int_t)cfg->seq, "time", t, "audit", (json_int_t)p.audit_id, "name", p.name,
				      "sex", p.sex, "nation", p.nation, "birth", p.birth, "address", p.address,
				      "number", p.number, "authority", p.authority, "valid_from", p.valid_from,
				      "valid_to", p.valid_to);
		/* Added after the fields: the codes' names, null for a code outside the standard. */
		if (o && (json_object_set_new(o, "sex_zh", sex_zh ? json_string(sex_zh) : json_null()) ||
			  json_object_set_new(o, "sex_en", sex_en ? json_string(sex_en) : json_null()) ||
			  json_object_set_new(o, "nation_zh", nation_zh ? json_string(nation_zh) : json_null()) ||
			  json_object_set_new(o, "nation_en", nation_en ? json_string(nation_en) : json_null()))) {
			json_decref(o);
			o = NULL;
		}
		char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

		json_decref(o);
		if (text) {
			puts(text);
			explicit_bzero(text, strlen(text));
			free(text);
		}
		bureau_person_wipe(&p);
		return text ? EXIT_OK : EXIT_FAIL;
	}
	printf(_("device %s seq %" PRId64 ", visit %s, opened (audit %" PRId64 ")\n"), cfg->device, cfg->seq, t,
	       p.audit_id);
	printf(_("name:       %s\n"), p.name);
	if (sex_zh)
		printf(_("sex:        %s %s\n"), sex_zh, sex_en);
	else
		printf(_("sex:        %s (not a GB/T 2261.1 code)\n"), p.sex);
	if (nation_zh)
		printf(_("nation:     %s %s\n"), nation_zh, nation_en);
	else
		printf(_("nation:     %s (not a GB 3304 code)\n"), p.nation);
	printf(_("birth:      %s\n"), p.birth);
	printf(_("address:    %s\n"), p.address);
	printf(_("number:     %s\n"), p.number);
	printf(_("authority:  %s\n"), p.authority);
	printf(_("valid:      %s - %s\n"), p.valid_from, p.valid_to);
	bureau_person_wipe(&p);
	return EXIT_OK;
}

int bureau__cmd_audit(const struct config *cfg)
{
	struct bureau_audit *a = NULL;
	struct bureau_db *db = NULL;
	size_t count = 0;
	char why[BUREAU_WHY_LEN], t[40], cut[40];
	int status;

	status = bureau__open_for(cfg, O_JSON, 0, 0, &db);
	if (status)
		return status;
	if (bureau_db_audit(db, &a, &count, why, sizeof(why)))
		return bureau__db_fail(db, why, EXIT_USAGE);
	bureau_db_close(db);
	if (count == 0 && !cfg->json)
		printf(_("The audit is empty: no personal record has been opened or purged.\n"));
	for (size_t i = 0; i < count; i++) {
		rfc3339(a[i].time_utc_ms, t);
		rfc3339(a[i].cutoff_utc_ms, cut);
		if (cfg->json) {
			json_t *o = a[i].purge ? json_pack("{sI ss ss ss sI}", "id", (json_int_t)a[i].id, "time", t,
							   "action", "purge", "before", cut, "removed",
							   (json_int_t)a[i].count)
					       : json_pack("{sI ss ss ss sI ss ss ss}", "id", (json_int_t)a[i].id,
							   "time", t, "action", "open", "device", a[i].device, "seq",
							   (json_int_t)a[i].seq, "staff", a[i].staff, "reason",
							   a[i].reason, "outcome", a[i].outcome);
			char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

			json_decref(o);
			if (!text) {
				free(a);
				bureau__err_line(_("audit %" PRId64 ": cannot format it as JSON"), a[i].id);
				return EXIT_FAIL;
			}
			puts(text);
			free(text);
		} else if (a[i].purge) {
			printf(_("%4" PRId64 "  %s  purge  %" PRId64 " records of visits before %s removed\n"), a[i].id, t,
			       a[i].count, cut);
		} else {
			char *reason = bureau_escape_dup(a[i].reason), *staff = bureau_escape_dup(a[i].staff);

			printf(_("%4" PRId64 "  %s  open   device %s seq %" PRId64 " by %s: %s (%s)\n"), a[i].id, t,
			       a[i].device, a[i].seq, staff ? staff : "?", a[i].outcome, reason ? reason : "?");
			free(reason);
			free(staff);
		}
	}
	free(a);
	return EXIT_OK;
}

int bureau__cmd_purge(const struct config *cfg, int64_t now_ms)
{
	struct bureau_db *db = NULL;
	char why[BUREAU_WHY_LEN];
	int64_t removed = 0;
	int status;

	status = bureau__open_for(cfg, O_PERSONAL_DAYS, 0, 0, &db);
	if (status)
		return status;
	if (bureau_personal_purge(db, cfg->personal_days, now_ms, &removed, why, sizeof(why)))
		return bureau__db_fail(db, why, EXIT_USAGE);
	bureau_db_close(db);
	printf(P_("personal records: %" PRId64 " of visits over %d day old removed; the entries stay\n",
		  "personal records: %" PRId64 " of visits over %d days old removed; the entries stay\n",
		  (unsigned long)cfg->personal_days), removed, cfg->personal_days);
	return EXIT_OK;
}

/*
 * verify one device: its line, and EXIT_OK, or EXIT_FAIL when its chain is
 * damaged or a record is missing with no purge recorded in the audit.
 */
static int verify_one(struct bureau_db *db, const char *device, bool json)
{
	struct bureau_verify_result r;
	char why[BUREAU_WHY_LEN];
	enum bureau_err err = bureau_verify_device(db, device, &r, why, sizeof(why));

	if (err && err != BUREAU_ERR_REJECT) {
		bureau__err_line("%s", why);
		return EXIT_USAGE;
	}
	if (json) {
		json_t *o = err ? json_pack("{ss ss ss}", "device", device, "result", "damaged", "finding", why)
				: json_pack("{ss ss sI sI sI sI sI sI sI}", "device", device, "result",
					    r.missing ? "records-missing" : "verified", "entries", (json_int_t)r.entries,
					    "first", (json_int_t)r.first, "last", (json_int_t)r.last, "digests",
					    (json_int_t)r.digests, "records", (json_int_t)r.records, "purged",
					    (json_int_t)r.purged, "missing", (json_int_t)r.missing);
		char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

		json_decref(o);
		if (text)
			puts(text);
		free(text);
	} else if (err) {
		printf(_("%s: damaged: %s\n"), device, why);
	} else if (r.missing) {
		printf(_("%s: records missing: %" PRId64 " entries (seq %" PRId64 "-%" PRId64 "), chain intact; "
			 "personal records: %" PRId64 " of %" PRId64 " held, %" PRId64 " removed by the retention, %"
			 PRId64 " missing with no purge in the audit (lost, or never sent by the gate)\n"),
		       device, r.entries, r.first, r.last, r.records, r.digests, r.purged, r.missing);
	} else if (r.purged) {
		printf(_("%s: verified: %" PRId64 " entries (seq %" PRId64 "-%" PRId64 "), chain intact; personal "
			 "records: %" PRId64 " of %" PRId64 " held, each matching its entry's digest, %" PRId64
			 " removed by the retention (in the audit)\n"),
		       device, r.entries, r.first, r.last, r.records, r.digests, r.purged);
	} else {
		printf(_("%s: verified: %" PRId64 " entries (seq %" PRId64 "-%" PRId64 "), chain intact; personal "
			 "records: %" PRId64 " of %" PRId64 " held, each matching its entry's digest\n"),
		       device, r.entries, r.first, r.last, r.records, r.digests);
	}
	return err || r.missing ? EXIT_FAIL : EXIT_OK;
}

int bureau__cmd_verify(const struct config *cfg)
{
	char (*ids)[BUREAU_DEVICE_LEN] = NULL;
	struct bureau_db *db = NULL;
	char why[BUREAU_WHY_LEN];
	size_t count = 0;
	int status, worst = EXIT_OK;

	status = bureau__open_for(cfg, O_DEVICE | O_JSON, 0, 0, &db);
	if (status)
		return status;
	if (cfg->device) {
		worst = verify_one(db, cfg->device, cfg->json);
	} else if (bureau_db_devices(db, &ids, &count, why, sizeof(why))) {
		bureau__err_line("%s", why);
		worst = EXIT_USAGE;
	} else {
		for (size_t i = 0; i < count; i++) {
			status = verify_one(db, ids[i], cfg->json);
			if (status > worst)
				worst = status;
		}
	}
	free(ids);
	bureau_db_close(db);
	return worst;
}
