// SPDX-License-Identifier: MIT
/*
 * One visit at the gate: scan, de-duplicate, measure, decide, log, act.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "checkin/checkin_internal.h"
#include "codes/verify.h"
#include "common/i18n.h"
#include "journal/journal.h"
#include "config/config.h"

/* The badge and pass ("SNB1:" codes) seen during one scan. */
struct creds {
	bool badge_seen, badge_valid;
	bool badge_elsewhere;		/* a badge that verified, for another home or gate */
	char ref[SNT_RULES_REF_LEN];	/* badge_valid: the staff reference */
	bool pass_seen, pass_valid;
	bool pass_elsewhere;		/* a pass that verified, for another home or gate */
	bool pass_revoked;		/* a pass that verified with a revoked gate key (issuers.h) */
	struct snt_credential pass;	/* pass_valid: the pass */
	char pass_by[SNT_ISSUERS_DEVICE_LEN];	/* pass_valid: the gate that signed it ("": the bureau) */
};

/* Messages to the visitor: Chinese first, then English. */
#define MSG_SHOW_CODE "请出示健康码\nPlease show your health code"
#define MSG_NOT_ENROLLED "本机未登记，请联系管理人员\nNot enrolled: please call staff"
#define MSG_MEASURE "请看向测温区\nPlease face the thermometer"
#define MSG_AGAIN "请靠近重新测温\nPlease come closer and measure again"
#define MSG_CONFIRM "请再测一次体温\nPlease measure once more"
#define MSG_OVERRIDE "工作人员已放行 请通行\nAdmitted by staff: please enter"
#define MSG_OVERRIDE_DENY "工作人员已拒绝入内\nRefused by staff"
#define MSG_EXIT "请通行\nExit: please go through"
#define MSG_SHOW_HEALTH "请出示健康码 (工作证/预约码已读取)\nPlease show your health code (badge or pass read)"
#define MSG_SHOW_BADGE "请工作人员出示工作证\nStaff: please show your badge"
#define MSG_NO_BADGE "未读取到工作证 未放行\nNo staff badge read: not admitted"
#define MSG_FIRE "火警 门已打开 请疏散\nFire alarm: door released, please evacuate"

static const char *const err_text[] = {
	[SNT_CHECKIN_OK] = N_("success"),
	[SNT_CHECKIN_ERR_INVAL] = N_("invalid argument"),
	[SNT_CHECKIN_ERR_NOMEM] = N_("out of memory"),
	[SNT_CHECKIN_ERR_SCAN] = N_("scanner failure"),
	[SNT_CHECKIN_ERR_NO_VISIT] = N_("no refused visit to override"),
	[SNT_CHECKIN_ERR_NO_RECORD] = N_("neither the log nor the journal could record the override"),
	[SNT_CHECKIN_ERR_FIRE] = N_("fire alarm active"),
	[SNT_CHECKIN_ERR_EVENT] = N_("the event could not be written to the log"),
	[SNT_CHECKIN_ERR_NO_BADGE] = N_("no staff badge on the roster was shown for the override"),
	[SNT_CHECKIN_ERR_OUTPUT] = N_("an output could not be driven"),
	[SNT_CHECKIN_ERR_NOT_REFERRED] = N_("the visit was denied, not referred: nothing to deny"),
};

const char *snt_checkin_strerror(enum snt_checkin_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error"));
}

/*
 * The start of the local day of @utc_ms ([station] timezone, which main
 * made the process's zone); when it cannot be converted, the day held.
 */
static int64_t day_start(const struct snt_checkin *ci, int64_t utc_ms)
{
	int64_t m;

	return snt_clock_local_midnight(utc_ms, &m) ? ci->occ.day_start_ms : m;
}

void snt_checkin_cfg_from_config(const struct snt_config *cfg, struct snt_checkin_cfg *out)
{
	memset(out, 0, sizeof(*out));
	out->scan_timeout_ms = cfg->scan_timeout_ms;
	out->frame_interval_ms = cfg->frame_interval_ms;
	out->scan_budget_ms = cfg->scan_budget_ms > 0 ? (unsigned int)cfg->scan_budget_ms : 0;
	out->dedup_window_ms = (int64_t)cfg->dedup_window_s * 1000;
	out->temp_retry_ms = cfg->temp_retry_ms;
	out->relay_pulse_ms = cfg->relay_pulse_ms;
	out->alert_ms = cfg->alert_ms;
	out->temp_tries = cfg->temp_tries;
	out->override_window_ms = cfg->override_window_ms;
	out->expected_stay_ms = (int64_t)cfg->expected_stay_min * 60000;
	out->fever_threshold_mdc = cfg->fever_threshold_mdc;
	snt_strlcpy(out->duty_phone, cfg->duty_phone, sizeof(out->duty_phone));
	snt_strlcpy(out->home, cfg->home, sizeof(out->home));
	if (snt_screen_order_from_name(cfg->display_languages, &out->order))
		out->order = SNT_SCREEN_ZH_FIRST;
	out->quiet_from_min = cfg->audio_quiet_from;
	out->quiet_to_min = cfg->audio_quiet_to;
	out->thermo.samples = cfg->temp_samples;
	out->thermo.window_ms = cfg->temp_window_ms;
	out->thermo.skin_offset_mdc = cfg->skin_offset_mdc;
	out->thermo.ambient_coeff_pm = cfg->ambient_coeff_pm;
	out->thermo.ambient_ref_mdc = cfg->ambient_ref_mdc;
	out->thermo.emissivity_pm = cfg->emissivity_pm;
	out->card_timeout_ms = cfg->card_timeout_ms;
	out->personal_retention_ms = (int64_t)cfg->personal_days * 24 * 3600 * 1000;
	out->register_mode = !strcmp(cfg->register_mode, "idcard") ? SNT_REGISTER_IDCARD :
			     !strcmp(cfg->register_mode, "idcard-or-pass") ? SNT_REGISTER_IDCARD_OR_PASS :
									      SNT_REGISTER_NONE;
}

/*
 * The measuring bar after the readings and faults in @out: the share of the
 * most readings the procedure can take (@cfg's tries, plus one to confirm a
 * fever), below 100 while another reading follows.
 */
static int measure_progress(const struct snt_checkin_cfg *cfg, const struct snt_temp_result *out)
{
	const int most = cfg->temp_tries + 1;
	const int done = out->readings + out->faults;
	return done >= most ? 99 : 100 * done / most;
}

static int set(struct snt_board *b, enum snt_role role, int value, int64_t seq)
{
	return b->gpio->set(b->gpio_ctx, role, value, seq) == SNT_HAL_OK ? 0 : 1;
}

/* Round milli-°C to tenths, half away from zero. */
static int mdc_to_dc(int32_t mdc)
{
	return mdc >= 0 ? (mdc + 50) / 100 : -((-mdc + 50) / 100);
}

/* The temperature procedure (snt_temp_measure()); @ci may be NULL. */
static enum snt_checkin_err measure(struct snt_checkin *ci, const struct snt_checkin_cfg *cfg,
				    struct snt_board *b, struct snt_temp_result *out)
{
	bool fever_pending = false;
	int implausible = 0;

	if (!cfg || !b || !out || cfg->temp_tries < 1)
		return SNT_CHECKIN_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	(void)checkin__screen(ci, cfg, b, SNT_SCREEN_MEASURING, MSG_MEASURE, NULL);
	for (;;) {
		struct snt_thermo_reading r;
		enum snt_thermo_err terr = snt_thermo_take(&cfg->thermo, b, &r);
		int32_t obj, skin;

		if (terr == SNT_THERMO_ERR_INVAL)
			return SNT_CHECKIN_ERR_INVAL;
		if (terr != SNT_THERMO_OK) {
			if (++out->faults >= cfg->temp_tries) {
				out->status = SNT_TEMP_FAULT;
				return SNT_CHECKIN_OK;
			}
			snt_clock_sleep_ms(&b->clock, cfg->temp_retry_ms);
			continue;
		}
		/* Decide on the value that is logged: tenths of a degree. */
		obj = mdc_to_dc(r.body_mdc) * 100;
		skin = mdc_to_dc(r.skin_mdc) * 100;
		out->readings++;
		out->has_value = true;
		out->mdc = obj;
		out->skin_mdc = r.skin_mdc;
		out->ambient_mdc = r.ambient_mdc;
		out->last = r;
		if (skin < SNT_TEMP_PLAUSIBLE_MIN_MDC || skin > SNT_TEMP_PLAUSIBLE_MAX_MDC ||
		    r.ambient_mdc < SNT_TEMP_AMBIENT_MIN_MDC || r.ambient_mdc > SNT_TEMP_AMBIENT_MAX_MDC ||
		    obj < SNT_TEMP_PLAUSIBLE_MIN_MDC || obj > SNT_TEMP_PLAUSIBLE_MAX_MDC) {
			fever_pending = false;
			if (++implausible >= cfg->temp_tries) {
				out->status = SNT_TEMP_IMPLAUSIBLE;
				return SNT_CHECKIN_OK;
			}
			(void)checkin__screen_at(ci, cfg, b, SNT_SCREEN_REMEASURE, MSG_AGAIN, NULL,
						 measure_progress(cfg, out));
			snt_clock_sleep_ms(&b->clock, cfg->temp_retry_ms);
			continue;
		}
		if (obj >= cfg->fever_threshold_mdc) {
			if (fever_pending) {
				out->status = SNT_TEMP_FEVER;
				return SNT_CHECKIN_OK;
			}
			fever_pending = true;
			(void)checkin__screen_at(ci, cfg, b, SNT_SCREEN_REMEASURE, MSG_CONFIRM, NULL,
						 measure_progress(cfg, out));
			snt_clock_sleep_ms(&b->clock, cfg->temp_retry_ms);
			continue;
		}
		out->status = SNT_TEMP_NORMAL;
		return SNT_CHECKIN_OK;
	}
}

enum snt_checkin_err snt_temp_measure(const struct snt_checkin_cfg *cfg, struct snt_board *b,
				      struct snt_temp_result *out)
{
	return measure(NULL, cfg, b, out);
}

/*
 * Set member @key of @e's detail record (store.h) to @value (stolen), keeping
 * the other members in order.  False (the record unchanged) when the result
 * would not fit or allocation failed.
 */
static bool detail_set(struct snt_entry *e, const char *key, json_t *value)
{
	json_t *o = e->detail[0] ? json_loads(e->detail, 0, NULL) : json_object();
	char *text = NULL;
	bool ok = false;

	if (o && json_is_object(o) && value && json_object_set_new(o, key, value) == 0) {
		value = NULL;
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		ok = text && snt_strlcpy(e->detail, text, sizeof(e->detail)) < sizeof(e->detail);
	}
	if (text && !ok)
		e->detail[0] = '\0';
	free(text);
	json_decref(value);
	json_decref(o);
	return ok;
}

/*
 * The measurement record of @t (the last measurement's figures and the
 * compensation settings they were taken with) into @e's detail record.
 */
static void detail_measure(struct snt_entry *e, const struct snt_thermo_cfg *tc,
			   const struct snt_temp_result *t)
{
	json_t *m;

	if (t->has_value)
		m = json_pack("{si si si si si si si si si si si si}",
			      "skin_mdc", (int)t->last.skin_mdc, "ambient_mdc", (int)t->last.ambient_mdc,
			      "body_mdc", (int)t->last.body_mdc,
			      "emissivity_pm", tc->emissivity_pm ? tc->emissivity_pm : 1000,
			      "offset_mdc", (int)tc->skin_offset_mdc,
			      "ambient_coeff_pm", tc->ambient_coeff_pm,
			      "ambient_ref_mdc", (int)tc->ambient_ref_mdc,
			      "samples", t->last.samples, "used", t->last.used,
			      "rejected", t->last.rejected, "faults", t->faults,
			      "readings", t->readings);
	else
		m = json_pack("{si si}", "faults", t->faults, "readings", t->readings);
	(void)detail_set(e, "measure", m);
}

/* Staff reference, pass id and the rule set's version and staleness into @e's detail record. */
static void detail_rules(struct snt_entry *e, const struct snt_rules *rules, const struct snt_policy_input *in,
			 const struct snt_policy_result *res, const struct creds *cr)
{
	if (in->person == SNT_KIND_STAFF && in->staff_ref)
		(void)detail_set(e, "staff", json_string(in->staff_ref));
	if (cr->pass_valid && in->person == SNT_KIND_VISITOR)
		(void)detail_set(e, "pass", json_string(cr->pass.id));
	if (cr->pass_valid && in->person == SNT_KIND_VISITOR && cr->pass_by[0])
		(void)detail_set(e, "pass_by", json_string(cr->pass_by));
	if (rules)
		(void)detail_set(e, "rules", json_pack("{sI sb}", "version", (json_int_t)rules->version,
						       "stale", res->freshness != SNT_RULES_FRESH));
}

enum snt_checkin_err snt_checkin_new(const struct snt_checkin_cfg *cfg, struct snt_board *board,
				     struct snt_store *store, struct snt_checkin **out)
{
	struct snt_checkin *ci;

	if (!cfg || !board || !store || !out || cfg->temp_tries < 1)
		return SNT_CHECKIN_ERR_INVAL;
	ci = calloc(1, sizeof(*ci));
	if (!ci)
		return SNT_CHECKIN_ERR_NOMEM;
	ci->cfg = *cfg;
	if (RAND_bytes(ci->card_key, sizeof(ci->card_key)) != 1) {
		free(ci);
		return SNT_CHECKIN_ERR_NOMEM;
	}
	snt_occupancy_init(&ci->occ, cfg->expected_stay_ms);
	ci->board = board;
	ci->store = store;
	switch (snt_scanner_new(&ci->scanner)) {
	case SNT_SCAN_OK:
		if (snt_scanner_set_budget(ci->scanner, cfg->scan_budget_ms) != SNT_SCAN_OK) {
			snt_scanner_free(ci->scanner);
			free(ci);
			return SNT_CHECKIN_ERR_SCAN;
		}
		break;
	case SNT_SCAN_ERR_NOMEM:
		free(ci);
		return SNT_CHECKIN_ERR_NOMEM;
	default:
		free(ci);
		return SNT_CHECKIN_ERR_SCAN;
	}
	*out = ci;
	return SNT_CHECKIN_OK;
}

enum snt_checkin_err snt_checkin_set_cfg(struct snt_checkin *ci, const struct snt_checkin_cfg *cfg)
{
	if (!ci || !cfg || cfg->temp_tries < 1)
		return SNT_CHECKIN_ERR_INVAL;
	if (snt_scanner_set_budget(ci->scanner, cfg->scan_budget_ms) != SNT_SCAN_OK)
		return SNT_CHECKIN_ERR_SCAN;
	ci->cfg = *cfg;
	snt_occupancy_set_stay(&ci->occ, cfg->expected_stay_ms);
	return SNT_CHECKIN_OK;
}

void snt_checkin_free(struct snt_checkin *ci)
{
	if (!ci)
		return;
	snt_scanner_free(ci->scanner);
	explicit_bzero(ci->card_key, sizeof(ci->card_key));
	free(ci);
}

/*
 * Drive the outputs for a decided visit (first time or repeated): the door
 * first, then the screen, so a slow or failed screen never delays it.
 */
static void act(struct snt_checkin *ci, struct snt_visit *v)
{
	struct snt_board *b = ci->board;
	char msg[512];

	checkin__decision_message(ci, v, msg, sizeof(msg));
	if (v->door == SNT_DOOR_OPENED && v->seq > 0) {
		v->output_faults += set(b, SNT_ROLE_LED_GREEN, 1, 0);
		v->output_faults += set(b, SNT_ROLE_RELAY, 1, v->seq);
		(void)checkin__screen(ci, &ci->cfg, b, checkin__result_state(v), msg, &v->temp);
		snt_clock_sleep_ms(&b->clock, ci->cfg.relay_pulse_ms);
		v->output_faults += set(b, SNT_ROLE_RELAY, 0, 0);
		v->output_faults += set(b, SNT_ROLE_LED_GREEN, 0, 0);
		return;
	}
	/* Door stays shut: red LED; a fever also sounds three beeps. */
	(void)checkin__screen(ci, &ci->cfg, b, checkin__result_state(v), msg, &v->temp);
	v->output_faults += set(b, SNT_ROLE_LED_RED, 1, 0);
	if (v->result.reasons & SNT_REASON_BIT(SNT_REASON_FEVER)) {
		for (int i = 0; i < 3; i++) {
			v->output_faults += set(b, SNT_ROLE_BUZZER, 1, 0);
			snt_clock_sleep_ms(&b->clock, 300);
			v->output_faults += set(b, SNT_ROLE_BUZZER, 0, 0);
			snt_clock_sleep_ms(&b->clock, 300);
		}
	} else {
		v->output_faults += set(b, SNT_ROLE_BUZZER, 1, 0);
		snt_clock_sleep_ms(&b->clock, 200);
		v->output_faults += set(b, SNT_ROLE_BUZZER, 0, 0);
	}
	snt_clock_sleep_ms(&b->clock, ci->cfg.alert_ms);
	v->output_faults += set(b, SNT_ROLE_LED_RED, 0, 0);
}

/* Repeat the first decision of @dup: its outputs again, no entry. */
static void repeat(struct snt_checkin *ci, struct snt_visit *v, const struct dedup_slot *dup,
		   int64_t t0)
{
	int faults = v->camera_faults;

	*v = dup->first;
	v->duplicate = true;
	v->camera_faults = faults;
	v->output_faults = 0;
	act(ci, v);
	v->duration_ms = snt_clock_mono_ms(&ci->board->clock) - t0;
}

/* How strongly a code's colour argues against entry: the worst one decides. */
static int colour_rank(enum snt_colour c)
{
	switch (c) {
	case SNT_COLOUR_RED:
		return 4;
	case SNT_COLOUR_YELLOW:
		return 3;
	case SNT_COLOUR_UNKNOWN:
		return 2;
	case SNT_COLOUR_BLACK:
		return 1;
	case SNT_COLOUR_GREEN:
		break;
	}
	return 0;
}

/*
 * Whether badge or pass @c names this gate's home (and this gate, when it
 * names gates).
 */
static bool addressed_here(const struct snt_checkin *ci, const struct snt_credential *c)
{
	const struct snt_rules_gate g = { ci->home, ci->device_id };

	return ci->have_gate && snt_rules_addressed(c->home, (const char (*)[SNT_RULES_GATE_LEN])c->gates, c->n_gates,
						    &g, NULL, 0) == SNT_RULES_OK;
}

/*
 * Several codes in view (two phones, a screenshot beside a code): the one
 * with the worst colour is the visitor's, so a green code held over a red one
 * never admits.  Under a rule set the "SNB1:" codes of @res (badge, pass:
 * rules.h) are set aside into @cr first; the worst of the others (the health
 * codes) is returned, or NULL when there is none.  With rules missing
 * (snt_checkin_set_rules_missing()) they are set aside unread.  Without a
 * rule set every code is a health code, as before.
 */
static const struct snt_scan_code *sort_codes(struct snt_checkin *ci, const struct snt_scan_result *res,
					      struct creds *cr)
{
	const struct snt_scan_code *w = NULL;

	for (size_t i = 0; i < res->n; i++) {
		const struct snt_scan_code *c = &res->codes[i];
		struct snt_issuers_signer who;
		struct snt_credential cred;
		enum snt_issuers_err ie;

		if ((!ci->rules && !ci->rules_missing) || !snt_credential_is(c->bytes, c->len)) {
			if (!w || colour_rank(c->colour) > colour_rank(w->colour))
				w = c;
			continue;
		}
		if (!ci->rules)
			continue;	/* rules missing: no roster to honour a badge or pass with; all refer */
		ie = ci->bureau_pub ? snt_issuers_credential_open(ci->issuers, ci->bureau_pub, ci->own_key, c->bytes,
								  c->len, &cred, &who, NULL, 0) :
				      SNT_ISSUERS_ERR_CREDENTIAL;
		if (ie == SNT_ISSUERS_ERR_REVOKED && cred.kind == SNT_CREDENTIAL_PASS) {
			/* A stolen or replaced board's pass: refused, whatever it says. */
			cr->pass_seen = cr->pass_revoked = true;
			continue;
		}
		if (ie != SNT_ISSUERS_OK) {
			/* Which kind cannot be told without a valid signature: count it as a badge. */
			cr->badge_seen = true;
			continue;
		}
		if (!addressed_here(ci, &cred)) {
			/* Another home's: makes no staff and admits no one. */
			if (cred.kind == SNT_CREDENTIAL_BADGE)
				cr->badge_seen = cr->badge_elsewhere = true;
			else
				cr->pass_seen = cr->pass_elsewhere = true;
			continue;
		}
		if (cred.kind == SNT_CREDENTIAL_BADGE) {
			cr->badge_seen = true;
			/* A badge for a reference no longer on the roster does not make staff. */
			if (snt_rules_staff_find(ci->rules, cred.ref)) {
				cr->badge_valid = true;
				snt_strlcpy(cr->ref, cred.ref, sizeof(cr->ref));
			}
		} else {
			cr->pass_seen = true;
			cr->pass_valid = true;
			cr->pass = cred;
			snt_strlcpy(cr->pass_by, who.by == SNT_ISSUERS_BY_SELF ? ci->device_id : who.device,
				    sizeof(cr->pass_by));
		}
	}
	return w;
}

/*
 * Scan frames until a health code is read or the timeout passes; badges and
 * passes seen on the way go to @cr (the health code may come in the same
 * frame or a later one).
 */
static enum snt_checkin_err scan_for_code(struct snt_checkin *ci, struct snt_visit *v,
					  const struct snt_scan_code **code, struct creds *cr)
{
	struct snt_board *b = ci->board;
	const int64_t t0 = snt_clock_mono_ms(&b->clock);
	bool asked = false;

	*code = NULL;
	memset(cr, 0, sizeof(*cr));
	(void)checkin__show(ci, SNT_SCREEN_PREVIEW, MSG_SHOW_CODE);
	for (;;) {
		struct snt_frame frame;
		const struct snt_scan_result *res;

		if (b->camera->grab(b->camera_ctx, &frame) == SNT_HAL_OK) {
			if (snt_scanner_scan(ci->scanner, &frame, &res) != SNT_SCAN_OK)
				return SNT_CHECKIN_ERR_SCAN;
			if (res->n > 0) {
				*code = sort_codes(ci, res, cr);
				checkin__preview(ci, &frame, *code != NULL);
				if (*code)
					return SNT_CHECKIN_OK;
				if (!asked) {
					(void)checkin__show(ci, SNT_SCREEN_PREVIEW, MSG_SHOW_HEALTH);
					asked = true;
				}
			} else {
				checkin__preview(ci, &frame, false);
			}
		} else {
			v->camera_faults++;
		}
		if (snt_clock_mono_ms(&b->clock) - t0 + ci->cfg.frame_interval_ms > ci->cfg.scan_timeout_ms)
			return SNT_CHECKIN_OK;
		snt_clock_sleep_ms(&b->clock, ci->cfg.frame_interval_ms);
	}
}

/*
 * Append to the log, first merging what the journal holds so the log stays
 * in order.  A journal that cannot be merged is a store fault.
 */
static enum snt_store_err store_append(struct snt_checkin *ci, struct snt_entry *e)
{
	enum snt_store_err serr = SNT_STORE_OK;

	if (snt_journal_pending(ci->journal)) {
		if (snt_journal_merge(ci->journal, ci->store, NULL, &serr) != SNT_JOURNAL_OK)
			return serr != SNT_STORE_OK ? serr : SNT_STORE_ERR_IO;
	}
	return snt_store_append(ci->store, e);
}

/* Keep the decided entry of this visit for a staff override. */
static void remember_last(struct snt_checkin *ci, const struct snt_entry *e)
{
	ci->last = *e;
	ci->last.payload = NULL;
	ci->last.payload_len = 0;
	if (e->payload && e->payload_len <= sizeof(ci->last_payload)) {
		memcpy(ci->last_payload, e->payload, e->payload_len);
		ci->last.payload = ci->last_payload;
		ci->last.payload_len = e->payload_len;
	}
	ci->last_mono_ms = snt_clock_mono_ms(&ci->board->clock);
	ci->have_last = true;
}

/* Whether the board's wall time @utc_ms at monotonic @mono_ms is trusted (snt_clock_judge_step()). */
static enum snt_clock_state judge(const struct snt_checkin *ci, int64_t utc_ms, int64_t mono_ms)
{
	const struct snt_board *b = ci->board;

	return snt_clock_judge_step(snt_clock_state_get(&b->clock), utc_ms, mono_ms, &ci->anchor);
}

/*
 * The clock state an entry gets now (snt_clock_judge_step()).  The first trusted
 * time of a boot also records when that boot started, so the log can give
 * the boot's untrusted entries a computed time.
 */
static enum snt_clock_state clock_now(struct snt_checkin *ci, int64_t mono_ms, int64_t utc_ms)
{
	struct snt_board *b = ci->board;
	enum snt_clock_state st;
	enum snt_store_err serr;

	st = judge(ci, utc_ms, mono_ms);
	if (st != SNT_CLOCK_TRUSTED)
		return st;
	if (utc_ms > ci->anchor.utc_ms) {
		ci->anchor.utc_ms = utc_ms;
		ci->anchor.mono_ms = mono_ms;
		ci->anchor.same_boot = true;
	}
	if (!ci->rebased) {
		serr = snt_store_set_rebase(ci->store, b->boot_id, utc_ms - mono_ms,
					    b->clock.source ? b->clock.source : "unknown", utc_ms);
		/* EXISTS: this boot was rebased before (a restart); keep the first. */
		ci->rebased = serr == SNT_STORE_OK || serr == SNT_STORE_ERR_EXISTS;
	}
	return st;
}

/*
 * Verify a scanned code offline (codes/verify.h) against the board's time,
 * judged as entries are (snt_clock_judge(), without its side effects):
 * signed formats become valid, invalid, or unverified when the clock is
 * untrusted; health codes stay unverified.  The masked name, when the
 * certificate gives one, goes to @subject (SNT_SUBJECT_LEN bytes).
 */
static void verify_code(struct snt_checkin *ci, const struct snt_scan_code *code, struct snt_policy_input *in,
			char *subject)
{
	struct snt_board *b = ci->board;
	struct snt_verify_info info;
	enum snt_verify_stage st;
	int64_t now = snt_clock_utc_ms(&b->clock);
	enum snt_clock_state cs = judge(ci, now, snt_clock_mono_ms(&b->clock));

	st = snt_verify_payload(code->bytes, code->len, ci->trust, now,
				cs == SNT_CLOCK_TRUSTED ? SNT_VCLOCK_TRUSTED : SNT_VCLOCK_UNTRUSTED, &info);
	if (info.format == SNT_FORMAT_HEALTHCODE || info.format == SNT_FORMAT_NONE) {
		in->verified = SNT_VERIFIED_UNVERIFIED;
		return;
	}
	in->verified = info.result == SNT_RESULT_VALID ? SNT_VERIFIED_VALID
		     : info.result == SNT_RESULT_UNVERIFIED ? SNT_VERIFIED_UNVERIFIED : SNT_VERIFIED_INVALID;
	in->clock_untrusted = cs != SNT_CLOCK_TRUSTED;
	in->cert_expired = st == SNT_VERIFY_EXPIRED || st == SNT_VERIFY_NOT_YET_VALID;
	if (info.has_subject)
		snt_verify_mask_name(&info.subject, subject, SNT_SUBJECT_LEN);
}

void snt_checkin_set_last_trusted(struct snt_checkin *ci, int64_t utc_ms, int64_t mono_ms, bool same_boot)
{
	if (ci) {
		ci->anchor.utc_ms = utc_ms;
		ci->anchor.mono_ms = mono_ms;
		ci->anchor.same_boot = same_boot;
	}
}


/*
 * Whether [checkin] register makes this visitor register with a card: every
 * visitor under idcard, one without a valid pass under idcard-or-pass;
 * staff with a valid badge never.
 */
static bool card_required(const struct snt_checkin *ci, const struct creds *cr)
{
	if (cr->badge_valid || ci->cfg.register_mode == SNT_REGISTER_NONE)
		return false;
	return ci->cfg.register_mode == SNT_REGISTER_IDCARD || !cr->pass_valid;
}

/* Whether the gate asks this visitor for a card: required, or named by the pass shown. */
static bool card_wanted(const struct snt_checkin *ci, const struct creds *cr)
{
	if (!ci->board->idreader || cr->badge_valid)
		return false;
	/* A pass that names its holder's card needs that card, whatever the mode. */
	if (cr->pass_valid && cr->pass.has_card)
		return true;
	return card_required(ci, cr);
}

/*
 * Devices that failed during visit @v become device-fault events (and so
 * alerts for staff, store.h); best effort: the visit's entry is what counts.
 */
static void device_faults(struct snt_checkin *ci, const struct snt_visit *v)
{
	char detail[96];

	if (v->temp.status == SNT_TEMP_FAULT) {
		/* i18n-exempt: a device-fault event's detail, stored in the log */
		snprintf(detail, sizeof(detail), "thermometer: %d failed or far off-range readings",
			 v->temp.faults);
		(void)checkin__log_event(ci, SNT_EVENT_DEVICE_FAULT, detail);
	}
	if (v->camera_faults) {
		/* i18n-exempt: a device-fault event's detail, stored in the log */
		snprintf(detail, sizeof(detail), "camera: %d frames could not be captured",
			 v->camera_faults);
		(void)checkin__log_event(ci, SNT_EVENT_DEVICE_FAULT, detail);
	}
	if (v->output_faults) {
		/* i18n-exempt: a device-fault event's detail, stored in the log */
		snprintf(detail, sizeof(detail), "outputs: %d could not be driven", v->output_faults);
		(void)checkin__log_event(ci, SNT_EVENT_DEVICE_FAULT, detail);
	}
}

enum snt_checkin_err snt_checkin_visit(struct snt_checkin *ci, struct snt_visit *v)
{
	const struct snt_scan_code *code;
	struct snt_policy_input in;
	struct snt_entry e;
	struct snt_board *b;
	struct dedup_slot *dup = NULL;
	enum snt_checkin_err err;
	char subject[SNT_SUBJECT_LEN] = "";
	char region[SNT_REGION_LEN] = "";
	const struct snt_rules *rules;
	struct snt_checkin_cfg tcfg;
	struct creds cr;
	struct checkin__card card = { 0 };
	bool duplicate = false;
	int64_t t0;

	if (!ci || !v)
		return SNT_CHECKIN_ERR_INVAL;
	rules = ci->rules;	/* this visit's set, whatever happens meanwhile */
	b = ci->board;
	memset(v, 0, sizeof(*v));
	v->door = SNT_DOOR_SHUT;
	t0 = snt_clock_mono_ms(&b->clock);

	err = scan_for_code(ci, v, &code, &cr);
	if (err)
		return err;
	if (code) {
		v->code_read = true;
		v->format = snt_code_classify(code->bytes, code->len);
		v->colour = code->colour;
		dup = checkin__dedup_find(ci, code->bytes, code->len, t0);
		if (dup && dup->first.result.decision != SNT_DECISION_ADMIT && !card_wanted(ci, &cr)) {
			/* A repeat of a refusal is refused again: no re-measuring to shop for a pass. */
			repeat(ci, v, dup, t0);
			return SNT_CHECKIN_OK;
		}
	}

	if (card_wanted(ci, &cr)) {
		checkin__card_read(ci, &card);
		v->card_read = card.read;
		/*
		 * Whoever must register is registered: the code's repeat counts
		 * as one only with the card read the first time; another card,
		 * or none, is a new visitor with a new entry (marked duplicate).
		 */
		if (dup && !checkin__dedup_same_card(dup, &card)) {
			dup = NULL;
			duplicate = true;
		}
		if (dup && dup->first.result.decision != SNT_DECISION_ADMIT) {
			checkin__card_drop(&card);
			repeat(ci, v, dup, t0);
			return SNT_CHECKIN_OK;
		}
	}

	tcfg = ci->cfg;
	if (rules)
		tcfg.fever_threshold_mdc = rules->fever_threshold_mdc;
	err = measure(ci, &tcfg, b, &v->temp);
	if (err) {
		checkin__card_drop(&card);
		return err;
	}
	if (dup) {
		/*
		 * A repeat of an admission: whoever stands here now had their
		 * temperature taken.  Normal: the first decision stands and no
		 * second entry is made; otherwise a new entry, marked duplicate.
		 */
		if (v->temp.status == SNT_TEMP_NORMAL) {
			struct snt_temp_result now = v->temp;

			repeat(ci, v, dup, t0);
			v->temp = now;
			checkin__card_drop(&card);	/* no entry: nothing to keep */
			return SNT_CHECKIN_OK;
		}
		duplicate = true;
	}

	memset(&in, 0, sizeof(in));
	in.store_ok = true;
	in.code_read = v->code_read;
	in.format = v->format;
	in.colour = v->colour;
	in.verified = SNT_VERIFIED_NONE;
	if (code)
		verify_code(ci, code, &in, subject);
	in.temp = v->temp.status;
	in.duplicate = duplicate;
	in.payload_text = code && snt_code_is_text(code->bytes, code->len);
	in.rules = rules;
	in.now_ms = snt_clock_utc_ms(&b->clock);
	in.time_untrusted = judge(ci, in.now_ms, snt_clock_mono_ms(&b->clock)) != SNT_CLOCK_TRUSTED;
	in.occupancy = snt_checkin_occupancy(ci);
	if (code && snt_code_region(code->bytes, code->len, region) == 0)
		in.region = region;
	if (cr.badge_valid) {
		in.person = SNT_KIND_STAFF;
		in.staff_ref = cr.ref;
	}
	in.badge_invalid = cr.badge_seen && !cr.badge_valid;
	in.badge_elsewhere = in.badge_invalid && cr.badge_elsewhere;
	in.rules_missing = ci->rules_missing && !rules;
	if (cr.pass_valid) {
		const struct pass_use *pu = checkin__pass_find(ci, cr.pass.id);

		/* A certificate's masked name must match the pass's; a health code has none. */
		in.pass = subject[0] && strcmp(subject, cr.pass.visitor) ? SNT_PASS_MISMATCH : SNT_PASS_SIGNED;
		/* A pass naming its holder's card admits only with that card (its keyed hash). */
		if (cr.pass.has_card && !(card.has_hash && !CRYPTO_memcmp(card.hash, cr.pass.card, sizeof(card.hash))))
			in.pass = SNT_PASS_MISMATCH;
		in.pass_from_ms = cr.pass.from_ms;
		in.pass_until_ms = cr.pass.until_ms;
		in.pass_uses = cr.pass.uses;
		in.pass_admits = pu ? pu->admits : 0;
		in.pass_inside = pu && pu->admits > 0 && pu->exit_mark == ci->exits;
	} else if (cr.pass_revoked) {
		in.pass = SNT_PASS_REVOKED;
	} else if (cr.pass_elsewhere) {
		in.pass = SNT_PASS_ELSEWHERE;
	} else if (cr.pass_seen) {
		in.pass = SNT_PASS_INVALID;
	}
	in.id_invalid = card.invalid;
	in.id_expired = card.read && !card.invalid && card.expired;
	/* No card placed, a reader that failed or none at all: not registered. */
	in.id_missing = card_required(ci, &cr) && !card.read;
	/* The age rule judges a valid card's holder by the age its birth date gives on the visit's day. */
	in.has_id_age = card.read && !card.invalid && card.has_age;
	in.id_age = card.age;
	/* The card names who registered: its masked name is the entry's subject. */
	if (card.masked[0])
		snt_strlcpy(subject, card.masked, sizeof(subject));
	snt_policy_decide(&in, &v->result);

	memset(&e, 0, sizeof(e));
	snt_strlcpy(e.boot_id, b->boot_id, sizeof(e.boot_id));
	e.mono_ms = snt_clock_mono_ms(&b->clock);
	e.time_utc_ms = snt_clock_utc_ms(&b->clock);
	e.clock = clock_now(ci, e.mono_ms, e.time_utc_ms);
	e.kind = in.person;
	e.format = v->format;
	e.colour = v->code_read ? v->colour : SNT_COLOUR_UNKNOWN;
	e.verified = in.verified;
	snt_strlcpy(e.subject, subject, sizeof(e.subject));
	e.has_temp = v->temp.has_value;
	e.temp_dc = v->temp.has_value ? mdc_to_dc(v->temp.mdc) : 0;
	e.decision = v->result.decision;
	e.reasons = v->result.reasons;
	e.door = v->result.decision == SNT_DECISION_ADMIT ? SNT_DOOR_OPENED : SNT_DOOR_SHUT;
	if (code) {
		e.payload = code->bytes;
		e.payload_len = code->len;
	}
	detail_measure(&e, &ci->cfg.thermo, &v->temp);
	detail_rules(&e, rules, &in, &v->result, &cr);
	(void)detail_set(&e, "idcard", checkin__card_detail(&card));
	/* The birth year in clear only when the home's rule set has an age rule (rules.h). */
	if (card.read && !card.invalid && card.has_age && snt_rules_age_rule(rules) &&
	    card.birth_year >= SNT_ENTRY_BIRTH_YEAR_MIN && card.birth_year <= SNT_ENTRY_BIRTH_YEAR_MAX)
		e.birth_year = card.birth_year;

	v->store_err = store_append(ci, &e);
	if (v->store_err == SNT_STORE_OK) {
		v->seq = e.seq;
		v->door = e.door;
		if (e.door == SNT_DOOR_OPENED && e.kind == SNT_KIND_VISITOR) {
			snt_occupancy_admit(&ci->occ, e.time_utc_ms, day_start(ci, e.time_utc_ms));
			if (cr.pass_valid)
				checkin__pass_admitted(ci, cr.pass.id);
		}
		if (code)
			checkin__dedup_remember(ci, code->bytes, code->len, t0, v,
						card_wanted(ci, &cr) ? &card : NULL);
	} else {
		/* No entry, no unattended entry: the door stays shut. */
		in.store_ok = false;
		snt_policy_decide(&in, &v->result);
		v->door = SNT_DOOR_SHUT;
		e.seq = 0;
		e.decision = v->result.decision;
		e.reasons = v->result.reasons;
		e.door = SNT_DOOR_SHUT;
	}
	remember_last(ci, &e);
	if (v->door == SNT_DOOR_OPENED)
		ci->have_last = false;
	checkin__card_keep(ci, &e, &card);
	act(ci, v);
	device_faults(ci, v);
	v->duration_ms = snt_clock_mono_ms(&b->clock) - t0;
	return SNT_CHECKIN_OK;
}

void snt_checkin_set_trust(struct snt_checkin *ci, const struct snt_trust *trust)
{
	if (ci)
		ci->trust = trust;
}

void snt_checkin_set_journal(struct snt_checkin *ci, struct snt_journal *journal)
{
	if (ci)
		ci->journal = journal;
}

/*
 * The staff override under a rule set: scan for up to SNT_OVERRIDE_BADGE_MS
 * for a verified staff badge whose reference is on the roster and is not
 * @self (the referred person's own badge does not count); its reference goes
 * to @by.
 */
static enum snt_checkin_err scan_for_badge(struct snt_checkin *ci, struct snt_visit *v, const char *self,
					   char *by, size_t size)
{
	struct snt_board *b = ci->board;
	const int64_t t0 = snt_clock_mono_ms(&b->clock);

	(void)checkin__show(ci, SNT_SCREEN_PREVIEW, MSG_SHOW_BADGE);
	for (;;) {
		struct snt_frame frame;
		const struct snt_scan_result *res;
		struct creds cr;

		if (b->camera->grab(b->camera_ctx, &frame) == SNT_HAL_OK) {
			if (snt_scanner_scan(ci->scanner, &frame, &res) != SNT_SCAN_OK)
				return SNT_CHECKIN_ERR_SCAN;
			memset(&cr, 0, sizeof(cr));
			(void)sort_codes(ci, res, &cr);
			if (cr.badge_valid && strcmp(cr.ref, self)) {
				snt_strlcpy(by, cr.ref, size);
				return SNT_CHECKIN_OK;
			}
		} else {
			v->camera_faults++;
		}
		if (snt_clock_mono_ms(&b->clock) - t0 + ci->cfg.frame_interval_ms > SNT_OVERRIDE_BADGE_MS) {
			(void)checkin__show(ci, SNT_SCREEN_REFER, MSG_NO_BADGE);
			return SNT_CHECKIN_ERR_NO_BADGE;
		}
		snt_clock_sleep_ms(&b->clock, ci->cfg.frame_interval_ms);
	}
}

bool snt_checkin_override_can_deny(const struct snt_checkin *ci)
{
	return ci && !ci->fire && ci->have_last && ci->last.decision == SNT_DECISION_REFER &&
	       snt_clock_mono_ms(&ci->board->clock) - ci->last_mono_ms <= ci->cfg.override_window_ms;
}

enum snt_checkin_err snt_checkin_override(struct snt_checkin *ci, enum snt_decision decision,
					  struct snt_visit *v)
{
	const bool deny = decision == SNT_DECISION_DENY;
	struct snt_board *b;
	struct snt_entry e;
	enum snt_checkin_err err;
	char by[SNT_RULES_REF_LEN] = "button";
	int64_t now, last_seq = 0;

	if (!ci || !v || (decision != SNT_DECISION_ADMIT && !deny))
		return SNT_CHECKIN_ERR_INVAL;
	b = ci->board;
	memset(v, 0, sizeof(*v));
	v->door = SNT_DOOR_SHUT;
	now = snt_clock_mono_ms(&b->clock);
	if (ci->fire)
		return SNT_CHECKIN_ERR_FIRE;
	if (!ci->have_last || now - ci->last_mono_ms > ci->cfg.override_window_ms)
		return SNT_CHECKIN_ERR_NO_VISIT;
	/* Denying is for referrals: a denied visit is refused already (staff may still admit it). */
	if (deny && ci->last.decision != SNT_DECISION_REFER)
		return SNT_CHECKIN_ERR_NOT_REFERRED;
	if (ci->rules) {
		/* Accountability: the button plus a staff badge on the roster, not the person's own. */
		json_t *d = ci->last.detail[0] ? json_loads(ci->last.detail, 0, NULL) : NULL;
		const char *self = json_string_value(json_object_get(d, "staff"));
		char me[SNT_RULES_REF_LEN];

		snt_strlcpy(me, self ? self : "", sizeof(me));
		json_decref(d);
		err = scan_for_badge(ci, v, me, by, sizeof(by));
		if (err)
			return err;
	}
	ci->have_last = false;

	e = ci->last;
	e.seq = 0;
	e.mono_ms = now;
	e.time_utc_ms = snt_clock_utc_ms(&b->clock);
	e.clock = clock_now(ci, e.mono_ms, e.time_utc_ms);
	(void)detail_set(&e, "override", json_pack("{ss ss}", "by", by, "original",
						    snt_decision_name(e.decision)));
	e.decision = decision;
	e.reasons |= SNT_REASON_BIT(deny ? SNT_REASON_OVERRIDE_DENY : SNT_REASON_OVERRIDE_ADMIT);
	e.door = deny ? SNT_DOOR_SHUT : SNT_DOOR_OPENED;

	v->code_read = e.format != SNT_FORMAT_NONE;
	v->format = e.format;
	v->colour = e.colour;
	v->result.decision = e.decision;
	v->result.reasons = e.reasons;
	v->store_err = store_append(ci, &e);
	if (v->store_err != SNT_STORE_OK) {
		/*
		 * The log cannot take it: the journal records it first, under
		 * the sequence number the log will give it when it recovers.
		 */
		if (snt_journal_pending(ci->journal))
			last_seq = snt_journal_last_seq(ci->journal);
		else if (snt_store_last_seq(ci->store, &last_seq) != SNT_STORE_OK)
			last_seq = -1;
		e.seq = last_seq + 1;
		if (!ci->journal || last_seq < 0 ||
		    snt_journal_append(ci->journal, &e) != SNT_JOURNAL_OK) {
			v->result.decision = SNT_DECISION_REFER;
			return SNT_CHECKIN_ERR_NO_RECORD;
		}
		v->journaled = true;
	}
	v->seq = e.seq;
	if (deny) {
		/* Recorded; the door stays shut. */
		(void)checkin__show(ci, SNT_SCREEN_DENY, MSG_OVERRIDE_DENY);
		v->output_faults += set(b, SNT_ROLE_LED_RED, 1, 0);
		snt_clock_sleep_ms(&b->clock, ci->cfg.alert_ms);
		v->output_faults += set(b, SNT_ROLE_LED_RED, 0, 0);
		return SNT_CHECKIN_OK;
	}
	v->door = SNT_DOOR_OPENED;
	if (e.kind == SNT_KIND_VISITOR) {
		json_t *d = json_loads(e.detail, 0, NULL);
		const char *pass = json_string_value(json_object_get(d, "pass"));

		snt_occupancy_admit(&ci->occ, e.time_utc_ms, day_start(ci, e.time_utc_ms));
		if (pass)
			checkin__pass_admitted(ci, pass);
		json_decref(d);
	}
	v->output_faults += set(b, SNT_ROLE_LED_GREEN, 1, 0);
	v->output_faults += set(b, SNT_ROLE_RELAY, 1, v->seq);
	(void)checkin__show(ci, SNT_SCREEN_ADMIT, MSG_OVERRIDE);
	snt_clock_sleep_ms(&b->clock, ci->cfg.relay_pulse_ms);
	v->output_faults += set(b, SNT_ROLE_RELAY, 0, 0);
	v->output_faults += set(b, SNT_ROLE_LED_GREEN, 0, 0);
	return SNT_CHECKIN_OK;
}

/* Log an event of @kind now, with @detail (NULL: none); false if the log refused it. */
void snt_checkin_event_now(const struct snt_board *b, enum snt_event_kind kind, const char *detail,
			   struct snt_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	snt_strlcpy(ev->boot_id, b->boot_id, sizeof(ev->boot_id));
	ev->mono_ms = snt_clock_mono_ms(&b->clock);
	ev->time_utc_ms = snt_clock_utc_ms(&b->clock);
	ev->kind = kind;
	if (detail)
		snt_strlcpy(ev->detail, detail, sizeof(ev->detail));
}

bool checkin__log_event(struct snt_checkin *ci, enum snt_event_kind kind, const char *detail)
{
	struct snt_event ev;

	snt_checkin_event_now(ci->board, kind, detail, &ev);
	ev.clock = clock_now(ci, ev.mono_ms, ev.time_utc_ms);
	return snt_store_event_add(ci->store, &ev) == SNT_STORE_OK;
}

enum snt_checkin_err snt_checkin_exit(struct snt_checkin *ci)
{
	struct snt_board *b;
	int faults = 0;
	bool logged;

	if (!ci)
		return SNT_CHECKIN_ERR_INVAL;
	if (ci->fire)
		return SNT_CHECKIN_ERR_FIRE;
	b = ci->board;
	faults += set(b, SNT_ROLE_RELAY, 1, 0);
	(void)checkin__show(ci, SNT_SCREEN_EXIT, MSG_EXIT);
	snt_clock_sleep_ms(&b->clock, ci->cfg.relay_pulse_ms);
	faults += set(b, SNT_ROLE_RELAY, 0, 0);
	logged = checkin__log_event(ci, SNT_EVENT_EXIT, NULL);
	snt_occupancy_exit(&ci->occ, snt_clock_utc_ms(&b->clock), day_start(ci, snt_clock_utc_ms(&b->clock)));
	ci->exits++;	/* every pass holder inside may be the one who left */
	if (faults)
		return SNT_CHECKIN_ERR_OUTPUT;
	return logged ? SNT_CHECKIN_OK : SNT_CHECKIN_ERR_EVENT;
}

enum snt_checkin_err snt_checkin_fire_alarm(struct snt_checkin *ci, bool active)
{
	struct snt_board *b;
	int faults = 0;
	bool logged;

	if (!ci)
		return SNT_CHECKIN_ERR_INVAL;
	b = ci->board;
	ci->fire = active;
	ci->have_last = false;
	if (active) {
		faults += set(b, SNT_ROLE_RELAY, 1, 0);
		(void)checkin__show(ci, SNT_SCREEN_FIRE, MSG_FIRE);
		faults += set(b, SNT_ROLE_LED_RED, 1, 0);
		faults += set(b, SNT_ROLE_BUZZER, 1, 0);
	} else {
		faults += set(b, SNT_ROLE_BUZZER, 0, 0);
		faults += set(b, SNT_ROLE_LED_RED, 0, 0);
		faults += set(b, SNT_ROLE_RELAY, 0, 0);
		if (ci->not_enrolled)
			(void)checkin__show(ci, SNT_SCREEN_NOT_ENROLLED, MSG_NOT_ENROLLED);
		else
			(void)checkin__show(ci, SNT_SCREEN_IDLE, MSG_SHOW_CODE);
	}
	logged = checkin__log_event(ci, active ? SNT_EVENT_FIRE_ALARM : SNT_EVENT_FIRE_CLEAR, NULL);
	if (faults)
		return SNT_CHECKIN_ERR_OUTPUT;
	return logged ? SNT_CHECKIN_OK : SNT_CHECKIN_ERR_EVENT;
}

enum snt_checkin_err snt_checkin_idle(struct snt_checkin *ci)
{
	if (!ci)
		return SNT_CHECKIN_ERR_INVAL;
	if (ci->fire)
		return SNT_CHECKIN_OK;	/* the fire screen stays while the alarm holds the door */
	if (ci->not_enrolled)
		return checkin__show(ci, SNT_SCREEN_NOT_ENROLLED, MSG_NOT_ENROLLED) ? SNT_CHECKIN_ERR_OUTPUT :
		       SNT_CHECKIN_OK;
	return checkin__show(ci, SNT_SCREEN_IDLE, MSG_SHOW_CODE) ? SNT_CHECKIN_ERR_OUTPUT : SNT_CHECKIN_OK;
}

void snt_checkin_set_not_enrolled(struct snt_checkin *ci, bool not_enrolled)
{
	if (ci)
		ci->not_enrolled = not_enrolled;
}

bool snt_checkin_fire_active(const struct snt_checkin *ci)
{
	return ci && ci->fire;
}

void snt_checkin_set_rules(struct snt_checkin *ci, const struct snt_rules *rules, EVP_PKEY *bureau_pub,
			   const struct snt_rules_gate *gate)
{
	if (!ci)
		return;
	ci->rules = rules;
	ci->bureau_pub = bureau_pub;
	ci->have_gate = gate != NULL;
	snt_strlcpy(ci->home, gate && gate->home ? gate->home : "", sizeof(ci->home));
	snt_strlcpy(ci->device_id, gate && gate->device_id ? gate->device_id : "", sizeof(ci->device_id));
}

void snt_checkin_set_issuers(struct snt_checkin *ci, const struct snt_issuers *issuers, EVP_PKEY *own)
{
	if (!ci)
		return;
	ci->issuers = issuers;
	ci->own_key = own;
}

void snt_checkin_set_seal_key(struct snt_checkin *ci, EVP_PKEY *bureau_pub)
{
	if (ci)
		ci->seal_pub = bureau_pub;
}

bool snt_checkin_clock_trusted(const struct snt_checkin *ci)
{
	const struct snt_board *b;

	if (!ci)
		return false;
	b = ci->board;
	return judge(ci, snt_clock_utc_ms(&b->clock), snt_clock_mono_ms(&b->clock)) == SNT_CLOCK_TRUSTED;
}

void snt_checkin_set_rules_missing(struct snt_checkin *ci, bool missing)
{
	if (ci)
		ci->rules_missing = missing;
}

void snt_checkin_occupancy_restore(struct snt_checkin *ci, bool exit, int64_t utc_ms)
{
	if (!ci)
		return;
	if (exit)
		snt_occupancy_exit(&ci->occ, utc_ms, day_start(ci, utc_ms));
	else
		snt_occupancy_admit(&ci->occ, utc_ms, day_start(ci, utc_ms));
}

int64_t snt_checkin_occupancy(struct snt_checkin *ci)
{
	int64_t now;

	if (!ci)
		return 0;
	now = snt_clock_utc_ms(&ci->board->clock);
	return snt_occupancy_count(&ci->occ, now, day_start(ci, now));
}
