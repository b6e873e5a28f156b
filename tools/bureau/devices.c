// SPDX-License-Identifier: MIT
/*
 * sentinel-bureau's listings (main_internal.h): devices, devices revoke,
 * the handover of register --replace, retention, entries and alerts.  See
 * sentinel-bureau(8).
 */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "clock/clock.h"
#include "codes/codes.h"
#include "common/i18n.h"
#include "fss/fss.h"
#include "rules/rules.h"
#include "sign/sign.h"
#include "tools/bureau/bureau.h"
#include "tools/bureau/enrol.h"
#include "common/i18n.h"
#include "tools/bureau/main_internal.h"

static void format_time(int64_t ms, char *buf, size_t size)
{
	if (ms <= 0 || snt_clock_format_rfc3339(ms, buf, size) != 0)
		snt_strlcpy(buf, "never", size);
}

/* devices revoke --device ID --reason TEXT */
int bureau__cmd_revoke(const struct config *cfg, int64_t now_ms)
{
	struct bureau_db *db = NULL;
	char why[BUREAU_WHY_LEN];
	enum bureau_err err;
	bool changed = false;
	int status;

	if (cfg->nargs > 2)
		return bureau__usage_error(_("unexpected argument '%s'"), cfg->args[2]);
	status = bureau__open_for(cfg, O_DEVICE | O_REASON, O_DEVICE | O_REASON, 0 + 1, &db);
	if (status)
		return status;
	err = bureau_db_revoke(db, cfg->device, cfg->reason, now_ms, &changed, why, sizeof(why));
	if (err == BUREAU_ERR_INVAL) {
		bureau_db_close(db);
		return bureau__usage_error("--%s", why);
	}
	if (err)
		return bureau__db_fail(db, why, err == BUREAU_ERR_NOTFOUND ? EXIT_FAIL : EXIT_USAGE);
	if (changed) {
		struct bureau_device_info info;

		printf(_("revoked %s: its later bundles are refused (%s)\n"), cfg->device, cfg->reason);
		if (bureau_db_device_state(db, cfg->device, &info, why, sizeof(why)) == BUREAU_OK && info.home[0])
			printf(_("the issuer list of home %s now revokes its key: the home's gates refuse its passes "
				 "from their next sync\n"), info.home);
	} else {
		struct bureau_device_info info;

		if (bureau_db_device_info(db, cfg->device, &info, why, sizeof(why)) == BUREAU_OK)
			printf(_("%s was revoked already (%s)\n"), cfg->device, info.revoked_reason);
	}
	bureau_db_close(db);
	return EXIT_OK;
}

int bureau__handover(const struct config *cfg, struct bureau_db *db, const char *pub_pem, const uint8_t kid[8],
		     int64_t now_ms)
{
	char why[BUREAU_WHY_LEN], old_hex[17], new_hex[17];
	struct bureau_handover *h = NULL;
	size_t count = 0;
	const char *by = cfg->by;
	struct passwd *pw;
	enum bureau_err err;
	bool changed = false;

	if (!cfg->reason)
		return bureau__usage_error(_("device %s is registered with another key: a handover to the new key "
					   "needs --reason (and --by)"), cfg->device);
	if (!by) {
		pw = getpwuid(geteuid());
		by = pw && pw->pw_name && pw->pw_name[0] ? pw->pw_name : "unknown";
	}
	err = bureau_db_rekey(db, cfg->device, pub_pem, kid, by, cfg->reason, now_ms, &changed, why, sizeof(why));
	if (err == BUREAU_ERR_INVAL)
		return bureau__usage_error("--%s", why);
	if (!err)
		err = bureau_db_handovers(db, cfg->device, &h, &count, why, sizeof(why));
	if (err) {
		bureau__err_line("%s", why);
		return err == BUREAU_ERR_NOTFOUND ? EXIT_FAIL : EXIT_USAGE;
	}
	if (!changed || count == 0) {	/* registered meanwhile with this key */
		bureau__kid_hex(kid, new_hex);
		printf(_("%s already registered with this key (kid %s)\n"), cfg->device, new_hex);
		free(h);
		return EXIT_OK;
	}
	bureau__kid_hex(h[count - 1].old_kid, old_hex);
	bureau__kid_hex(h[count - 1].new_kid, new_hex);
	printf(_("handed over %s from kid %s to kid %s after seq %" PRId64 " (%s, by %s): bundles signed with the "
		 "old key are refused\n"), cfg->device, old_hex, new_hex, h[count - 1].after_seq, cfg->reason, by);
	free(h);
	return EXIT_OK;
}

int bureau__cmd_retention(const struct config *cfg, int64_t now_ms)
{
	struct bureau_retention_result res;
	struct bureau_db *db = NULL;
	char why[BUREAU_WHY_LEN], tail;
	time_t now = (time_t)(now_ms / 1000);
	struct tm tm = { 0 }, cur;
	int y, m, status;
	int64_t before_ms;
	enum bureau_err err;

	if (bureau__check_options(cfg, O_BEFORE, O_BEFORE, 0))
		return EXIT_USAGE;
	if (sscanf(cfg->before, "%4d-%2d%c", &y, &m, &tail) != 2 || strlen(cfg->before) != 7 || y < 2000 ||
	    m < 1 || m > 12)
		return bureau__usage_error(_("--before: '%s' is not a month YYYY-MM (from 2000-01)"), cfg->before);
	if (!gmtime_r(&now, &cur) || y * 12 + m - 1 > (cur.tm_year + 1900) * 12 + cur.tm_mon)
		return bureau__usage_error(_("--before: %s is past the current month"), cfg->before);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = 1;
	before_ms = (int64_t)timegm(&tm) * 1000;
	status = bureau__open_db(cfg, false, &db);
	if (status)
		return status;
	err = bureau_db_retention(db, before_ms, now_ms, &res, why, sizeof(why));
	bureau_db_close(db);
	if (err) {
		bureau__err_line("%s", why);
		return EXIT_USAGE;
	}
	printf(_("retention before %s: entries %" PRId64 " copies %" PRId64 " removed, gates cut %" PRId64
		 ", partitions dropped %" PRId64 "\n"), cfg->before, res.entries, res.copies, res.devices,
	       res.partitions);
	if (res.records)
		printf(P_("personal records: %" PRId64 " of the entries removed, removed with them (in the audit)\n",
			  "personal records: %" PRId64 " of the entries removed, removed with them (in the audit)\n",
			  (unsigned long)res.records), res.records);
	return EXIT_OK;
}

/* The handovers of a device in `devices`: one line each, or the "handovers" array of --json. */
static int print_handovers(const struct bureau_handover *h, size_t count, json_t *o)
{
	json_t *a = o ? json_array() : NULL;
	char t[40], old_hex[17], new_hex[17];

	if (o && !a)
		return -1;
	for (size_t i = 0; i < count; i++) {
		format_time(h[i].time_utc_ms, t, sizeof(t));
		bureau__kid_hex(h[i].old_kid, old_hex);
		bureau__kid_hex(h[i].new_kid, new_hex);
		if (a)
			json_array_append_new(a, json_pack("{sssssssIssss}", "time", t, "old_kid", old_hex, "new_kid",
							   new_hex, "after_seq", (json_int_t)h[i].after_seq, "by",
							   h[i].by, "reason", h[i].reason));
		else
			/* i18n-exempt: a device record's line: its words are the --json keys */
			printf("  handover %s kid %s -> %s after seq %" PRId64 " by %s: %s\n", t, old_hex, new_hex,
			       h[i].after_seq, h[i].by, h[i].reason);
	}
	return a ? json_object_set_new(o, "handovers", a) : 0;
}

int bureau__cmd_devices(const struct config *cfg, int64_t now_ms)
{
	struct bureau_db *db = NULL;
	char (*ids)[BUREAU_DEVICE_LEN] = NULL;
	size_t count = 0;
	char why[BUREAU_WHY_LEN];
	int status = EXIT_OK;

	if (cfg->nargs >= 2 && !strcmp(cfg->args[1], "revoke"))
		return bureau__cmd_revoke(cfg, now_ms);
	status = bureau__open_for(cfg, O_JSON, 0, 0, &db);
	if (status)
		return status;
	if (bureau_db_devices(db, &ids, &count, why, sizeof(why)))
		return bureau__db_fail(db, why, EXIT_USAGE);
	for (size_t i = 0; i < count && status == EXIT_OK; i++) {
		struct bureau_device_info info;
		struct bureau_handover *ho = NULL;
		int64_t *gaps = NULL;
		size_t ngaps = 0, nho = 0;
		char hex[17], t[40];

		if (bureau_db_device_info(db, ids[i], &info, why, sizeof(why)) ||
		    bureau_db_gaps(db, ids[i], &gaps, &ngaps, why, sizeof(why)) ||
		    bureau_db_handovers(db, ids[i], &ho, &nho, why, sizeof(why))) {
			bureau__err_line("%s", why);
			free(gaps);
			status = EXIT_USAGE;
			break;
		}
		bureau__kid_hex(info.kid, hex);
		format_time(info.last_contact_utc_ms, t, sizeof(t));
		if (cfg->json) {
			json_t *o = json_object(), *g = json_array();

			for (size_t k = 0; g && k < ngaps; k++)
				json_array_append_new(g, json_pack("[II]", (json_int_t)gaps[2 * k],
								   (json_int_t)gaps[2 * k + 1]));
			json_object_set_new(o, "device", json_string(info.device));
			json_object_set_new(o, "kid", json_string(hex));
			json_object_set_new(o, "last", json_integer(info.ack_seq));
			json_object_set_new(o, "gaps", g);
			json_object_set_new(o, "entries", json_integer(info.entries));
			json_object_set_new(o, "priority", json_integer(info.priority));
			json_object_set_new(o, "last_contact",
					    info.last_contact_utc_ms > 0 ? json_string(t) : json_null());
			json_object_set_new(o, "home", info.home[0] ? json_string(info.home) : json_null());
			/* What the bureau holds without a gap reaches up to the gate's time of entry "last". */
			format_time(info.ack_time_utc_ms, t, sizeof(t));
			json_object_set_new(o, "synced_until", info.ack_time_utc_ms > 0 ? json_string(t) : json_null());
			json_object_set_new(o, "unsynced_s", info.ack_time_utc_ms > 0 && now_ms > info.ack_time_utc_ms
					    ? json_integer((now_ms - info.ack_time_utc_ms) / 1000) : json_null());
			format_time(info.revoked_utc_ms, t, sizeof(t));
			json_object_set_new(o, "revoked", info.revoked_utc_ms > 0
					    ? json_pack("{ssss}", "time", t, "reason", info.revoked_reason) : json_null());
			if (info.cut_seq > 1) {
				char h[2 * SNT_HASH_LEN + 1];

				snt_hex_encode(info.cut_hash, SNT_HASH_LEN, h);
				format_time(info.cut_time_utc_ms, t, sizeof(t));
				json_object_set_new(o, "kept_from", json_pack("{sIssss}", "seq", (json_int_t)info.cut_seq,
									      "prev_hash", h, "prev_time", t));
			} else {
				json_object_set_new(o, "kept_from", json_null());
			}
			if (print_handovers(ho, nho, o) || json_dumpf(o, stdout, JSON_COMPACT) != 0)
				status = EXIT_USAGE;
			putchar('\n');
			json_decref(o);
		} else {
			/* i18n-exempt: a device record's line: its words are the --json keys */
			printf("%s kid %s last %" PRId64 " entries %" PRId64 " priority %" PRId64 " gaps ",
			       info.device, hex, info.ack_seq, info.entries, info.priority);
			if (ngaps == 0)
				/* i18n-exempt: a device record's line (gaps none) */
				fputs("none", stdout);
			for (size_t k = 0; k < ngaps; k++)
				printf("%s%" PRId64 "-%" PRId64, k ? "," : "", gaps[2 * k], gaps[2 * k + 1]);
			/* i18n-exempt: a device record's line */
			printf(" contact %s%s", t, info.revoked_utc_ms > 0 ? " revoked" : "");
			if (info.cut_seq > 1)
				/* i18n-exempt: a device record's line */
				printf(" kept from %" PRId64, info.cut_seq);
			putchar('\n');
			(void)print_handovers(ho, nho, NULL);
		}
		free(ho);
		free(gaps);
	}
	free(ids);
	bureau_db_close(db);
	return status;
}

static int set(json_t *obj, const char *key, json_t *value)
{
	if (!value)
		return -1;
	return json_object_set_new(obj, key, value);
}

/* The fields of `sentinelctl entries --json` (interfaces.md) plus hash. */
static int print_entry_json(const struct snt_entry *e)
{
	json_t *obj = json_object(), *reasons = json_array();
	char t[40], hex[2 * SNT_HASH_LEN + 1];
	int rc = 0;

	if (!obj || !reasons)
		goto err;
	for (int r = 0; r < SNT_REASON_COUNT; r++) {
		const char *name = snt_reason_name((enum snt_reason)r);

		if ((e->reasons & SNT_REASON_BIT(r)) && (!name || json_array_append_new(reasons, json_string(name))))
			goto err;
	}
	rc |= set(obj, "seq", json_integer(e->seq));
	if (snt_clock_format_rfc3339(e->time_utc_ms, t, sizeof(t)) == 0)
		rc |= set(obj, "time", json_string(t));
	else
		rc |= set(obj, "time", json_null());
	rc |= set(obj, "clock", json_string(snt_clock_state_name(e->clock)));
	rc |= set(obj, "kind", json_string(snt_person_kind_name(e->kind)));
	rc |= set(obj, "format", json_string(snt_code_format_name(e->format)));
	rc |= set(obj, "colour", json_string(snt_colour_name(e->colour)));
	rc |= set(obj, "verified", json_string(snt_verified_name(e->verified)));
	rc |= set(obj, "temp_c", e->has_temp ? json_real(e->temp_dc / 10.0) : json_null());
	rc |= set(obj, "decision", json_string(snt_decision_name(e->decision)));
	rc |= json_object_set(obj, "reasons", reasons);
	rc |= set(obj, "door", json_string(snt_door_name(e->door)));
	if (e->subject[0])
		rc |= set(obj, "subject", json_string(e->subject));
	if (e->birth_year)	/* kept by the gate only under an age rule */
		rc |= set(obj, "birth_year", json_integer(e->birth_year));
	snt_hex_encode(e->hash, SNT_HASH_LEN, hex);
	rc |= set(obj, "hash", json_string(hex));
	if (rc || json_dumpf(obj, stdout, JSON_REAL_PRECISION(15)) != 0)
		goto err;
	putchar('\n');
	json_decref(reasons);
	json_decref(obj);
	return 0;
err:
	json_decref(reasons);
	json_decref(obj);
	return -1;
}

int bureau__cmd_entries(const struct config *cfg)
{
	struct bureau_entry_iter *it = NULL;
	struct bureau_db *db = NULL;
	struct snt_entry e;
	char why[BUREAU_WHY_LEN], t[40], hex[2 * SNT_HASH_LEN + 1];
	enum bureau_err err;
	int status = EXIT_OK;

	status = bureau__open_for(cfg, O_DEVICE | O_JSON, O_DEVICE, 0, &db);
	if (status)
		return status;
	err = bureau_db_entries_new(db, cfg->device, &it, why, sizeof(why));
	if (err)
		return bureau__db_fail(db, why, err == BUREAU_ERR_NOTFOUND ? EXIT_FAIL : EXIT_USAGE);
	while ((err = bureau_db_entries_next(it, &e, why, sizeof(why))) == BUREAU_OK) {
		if (cfg->json) {
			if (print_entry_json(&e)) {
				bureau__err_line(_("seq %" PRId64 ": cannot format it as JSON"), e.seq);
				status = EXIT_FAIL;
				break;
			}
			continue;
		}
		if (snt_clock_format_rfc3339(e.time_utc_ms, t, sizeof(t)) != 0)
			snt_strlcpy(t, "?", sizeof(t));
		snt_hex_encode(e.hash, 8, hex);
		printf("%6" PRId64 " %-20s %-7s %-6s %s\n", e.seq, t, snt_colour_name(e.colour),
		       snt_decision_name(e.decision), hex);
	}
	if (err != BUREAU_OK && err != BUREAU_ERR_NOTFOUND) {
		bureau__err_line("%s", why);
		status = EXIT_FAIL;
	}
	bureau_db_entries_free(it);
	bureau_db_close(db);
	return status;
}

int bureau__cmd_alerts(const struct config *cfg)
{
	struct bureau_alert *a = NULL;
	struct bureau_db *db = NULL;
	size_t count = 0;
	char why[BUREAU_WHY_LEN], t[40];
	int status;

	status = bureau__open_for(cfg, O_JSON, 0, 0, &db);
	if (status)
		return status;
	if (bureau_db_alerts(db, &a, &count, why, sizeof(why)))
		return bureau__db_fail(db, why, EXIT_USAGE);
	for (size_t i = 0; i < count; i++) {
		format_time(a[i].created_utc_ms, t, sizeof(t));
		if (cfg->json) {
			json_t *o = json_pack("{sIsssIssssss}", "id", (json_int_t)a[i].id, "device", a[i].device,
					      "seq", (json_int_t)a[i].seq, "kind", a[i].kind, "detail", a[i].detail,
					      "time", t);

			if (o)
				json_dumpf(o, stdout, JSON_COMPACT);
			putchar('\n');
			json_decref(o);
		} else {
			/* i18n-exempt: an alert's line: stored kind and detail */
			printf("%" PRId64 " %s %s seq %" PRId64 " %s: %s\n", a[i].id, t, a[i].device, a[i].seq,
			       a[i].kind, a[i].detail);
		}
	}
	free(a);
	bureau_db_close(db);
	return EXIT_OK;
}

/*
 * Refuse @kid when it is the bureau's own key: the one given with --key, or
 * ./bureau.key (or its .pub) when present.  A gate registered with the
 * bureau's key would be trusted for anything the bureau signs.
 * Return: 0 when it is not, -1 (*status set) after the message.
 */
static int own_key(const struct config *cfg, const uint8_t kid[SNT_SIGN_KID_LEN], int *status)
{
	EVP_PKEY *key = NULL;
	const char *path = cfg->key;
	bool same;

	if (path) {
		if (bureau__load_key(cfg, &key)) {
			*status = EXIT_USAGE;
			return -1;
		}
	} else if (access(DEFAULT_KEY, F_OK) == 0 && !snt_sign_key_load_private(DEFAULT_KEY, &key)) {
		path = DEFAULT_KEY;
	} else if (access(DEFAULT_KEY ".pub", F_OK) == 0 && !snt_sign_key_load_public(DEFAULT_KEY ".pub", &key)) {
		path = DEFAULT_KEY ".pub";
	} else {
		return 0;	/* no bureau key to compare with */
	}
	same = bureau_enrol_own_key(key, kid);
	EVP_PKEY_free(key);
	if (!same)
		return 0;
	bureau__err_line(_("%s: that is the bureau's own key (%s), not a gate's: register the key that "
		 "'sentinelctl keys init' made on the gate"), cfg->pub, path);
	*status = EXIT_USAGE;
	return -1;
}

int bureau__cmd_register(const struct config *cfg, int64_t now_ms)
{
	struct bureau_db *db = NULL;
	EVP_PKEY *pub = NULL;
	uint8_t kid[SNT_SIGN_KID_LEN];
	char why[BUREAU_WHY_LEN], hex[17], *pem = NULL;
	size_t pem_len;
	enum snt_sign_err serr;
	enum bureau_err err;
	char seal_text[SNT_FSS_FILE_MAX] = "";
	struct snt_fss seal;
	enum snt_fss_err fe;
	bool changed;
	int status = EXIT_USAGE;

	if (bureau__check_options(cfg, O_DEVICE | O_PUB | O_REPLACE | O_KEY | O_SEAL_KEY | O_HOME | O_REASON | O_BY,
				  O_DEVICE | O_PUB, 0))
		return EXIT_USAGE;
	if ((cfg->given & (O_REASON | O_BY)) && !cfg->replace)
		return bureau__usage_error(_("--reason and --by go with --replace (a handover to a new key)"));
	if (cfg->seal_key) {
		int e;

		fe = snt_fss_read(cfg->seal_key, &seal, &e);
		if (fe) {
			bureau__err_line("%s: %s%s%s", cfg->seal_key, snt_fss_strerror(fe), e ? ": " : "",
				 e ? snt_open_strerror(e) : "");
			return EXIT_USAGE;
		}
		if (seal.epoch != 0) {
			bureau__err_line(_("%s: not a first seal key (epoch %lld, not 0): register the .seal0 file"),
				 cfg->seal_key, (long long)seal.epoch);
			snt_fss_wipe(&seal);
			return EXIT_USAGE;
		}
		fe = snt_fss_format(&seal, seal_text, sizeof(seal_text));
		snt_fss_wipe(&seal);
		if (fe) {
			bureau__err_line("%s: %s", cfg->seal_key, snt_fss_strerror(fe));
			return EXIT_USAGE;
		}
	}
	if (!bureau_device_id_valid(cfg->device))
		return bureau__usage_error(_("--device: '%s' is not a device id (1-63 of A-Z a-z 0-9 . _ -, not "
				   "starting with '.')"), cfg->device);
	if (cfg->home && (!cfg->home[0] || strlen(cfg->home) >= SNT_RULES_HOME_LEN ||
			  !snt_code_is_text((const uint8_t *)cfg->home, strlen(cfg->home))))
		return bureau__usage_error(_("--home: not a home name of 1-127 bytes of text (the gate's [station] home)"));
	serr = snt_sign_key_load_public(cfg->pub, &pub);
	if (!serr)
		serr = snt_sign_key_kid(pub, kid);
	if (!serr)
		serr = snt_sign_key_public_pem(pub, &pem, &pem_len);
	if (serr) {
		if (serr == SNT_SIGN_ERR_OPEN)
			bureau__err_line(_("cannot read %s: %s"), cfg->pub, strerror(errno));
		else
			bureau__err_line("%s: %s", cfg->pub, snt_sign_strerror(serr));
		goto out;
	}
	if (own_key(cfg, kid, &status))
		goto out;
	status = bureau__open_db(cfg, true, &db);
	if (status)
		goto out;
	status = EXIT_USAGE;
	bureau__kid_hex(kid, hex);
	err = bureau_db_register(db, cfg->device, pem, kid, false, now_ms, &changed, why, sizeof(why));
	if (err == BUREAU_ERR_EXISTS && cfg->replace) {
		status = bureau__handover(cfg, db, pem, kid, now_ms);
		if (status)
			goto out;
		status = EXIT_USAGE;
	} else if (err) {
		bureau__err_line("%s", why);
		status = err == BUREAU_ERR_EXISTS ? EXIT_FAIL : EXIT_USAGE;
		goto out;
	}
	if (err == BUREAU_ERR_EXISTS)
		;	/* the handover's lines are printed */
	else if (changed)
		printf(_("registered %s kid %s\n"), cfg->device, hex);
	else
		printf(_("%s already registered with this key (kid %s)\n"), cfg->device, hex);
	if (seal_text[0]) {
		err = bureau_db_set_seal_key(db, cfg->device, seal_text, cfg->replace, &changed, why, sizeof(why));
		if (err) {
			bureau__err_line("%s", why);
			status = err == BUREAU_ERR_EXISTS ? EXIT_FAIL : EXIT_USAGE;
			goto out;
		}
		printf(changed ? _("%s: seal key registered\n") : _("%s: seal key already registered\n"), cfg->device);
	}
	if (cfg->home) {
		err = bureau_db_set_home(db, cfg->device, cfg->home, why, sizeof(why));
		if (err) {
			bureau__err_line("%s", why);
			goto out;
		}
		printf(_("%s serves home %s\n"), cfg->device, cfg->home);
	}
	status = EXIT_OK;
out:
	explicit_bzero(seal_text, sizeof(seal_text));
	free(pem);
	EVP_PKEY_free(pub);
	bureau_db_close(db);
	return status;
}
