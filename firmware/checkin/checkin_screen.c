// SPDX-License-Identifier: MIT
/*
 * What the visitor sees and hears during a visit: the screen of each state
 * with its facts (clock, home, duty phone, unsynced entries, offline and
 * stale-rules marks), its voice prompt outside the quiet hours, the camera
 * preview, and the message and result screen of a decision.
 */
#include <stdio.h>
#include <string.h>

#include "checkin/checkin_internal.h"

/* China Standard Time (UTC+8) minutes after midnight at @utc_ms. */
static int cst_minutes(int64_t utc_ms)
{
	int64_t m = (utc_ms / 60000 + 8 * 60) % 1440;

	return (int)(m < 0 ? m + 1440 : m);
}

static bool quiet_now(const struct snt_checkin_cfg *cfg, int minute)
{
	int from = cfg->quiet_from_min, to = cfg->quiet_to_min;

	if (from < 0 || to < 0 || from == to)
		return false;
	return from < to ? minute >= from && minute < to : minute >= from || minute < to;
}

/* A device role that failed: one device-fault event when it starts failing. */
static void device_down(struct snt_checkin *ci, bool *down, bool failed, const char *what,
			enum snt_hal_err err)
{
	char detail[96];

	if (!ci)
		return;
	if (failed && !*down) {
		snprintf(detail, sizeof(detail), "%s: %s", what, snt_hal_strerror(err));
		(void)checkin__log_event(ci, SNT_EVENT_DEVICE_FAULT, detail);
	}
	*down = failed;
}

/* The voice prompt of state @st, one clip per language in the screen order. */
static void prompt(struct snt_checkin *ci, const struct snt_checkin_cfg *cfg, struct snt_board *b,
		   enum snt_screen_state st, int minute)
{
	static const char *const langs[2][2] = { { "zh", "en" }, { "en", "zh" } };
	enum snt_hal_err err = SNT_HAL_OK;
	char clip[48];

	if (!b->audio || st == SNT_SCREEN_IDLE || st == SNT_SCREEN_NOT_ENROLLED)
		return;
	if (st != SNT_SCREEN_FIRE && quiet_now(cfg, minute))
		return;
	for (int i = 0; i < 2 && err != SNT_HAL_ERR_IO; i++) {
		snprintf(clip, sizeof(clip), "%s-%s", snt_screen_state_name(st),
			 langs[cfg->order == SNT_SCREEN_EN_FIRST][i]);
		err = b->audio->play(b->audio_ctx, clip);
	}
	if (ci)
		device_down(ci, &ci->audio_down, err == SNT_HAL_ERR_IO, "audio", err);
}

/*
 * Show the screen of state @st with message @text (and @temp's value on a
 * result; @progress, 0-100 percent or -1 for none, on the measuring
 * screens) on @b's display, then its voice prompt.  @ci may be NULL (no
 * state marks, no device-fault events).  Return 0, or 1 when the display
 * failed.
 */
int checkin__screen_at(struct snt_checkin *ci, const struct snt_checkin_cfg *cfg, struct snt_board *b,
		       enum snt_screen_state st, const char *text, const struct snt_temp_result *temp,
		       int progress)
{
	const int64_t utc = snt_clock_utc_ms(&b->clock);
	const int minute = cst_minutes(utc);
	struct snt_screen s;
	enum snt_hal_err err;
	char clock[8];

	memset(&s, 0, sizeof(s));
	s.state = st;
	s.text = text;
	s.home = cfg->home;
	s.duty_phone = cfg->duty_phone;
	snprintf(clock, sizeof(clock), "%02d:%02d", minute / 60, minute % 60);
	s.clock_text = clock;
	s.clock_untrusted = snt_clock_state_get(&b->clock) != SNT_CLOCK_TRUSTED;
	s.rules_stale = ci && ci->rules && snt_rules_freshness(ci->rules, utc) != SNT_RULES_FRESH;
	s.unsynced = -1;
	if (st == SNT_SCREEN_IDLE && ci) {
		/* Entries the bureau has not acknowledged yet. */
		int64_t last = 0, ack = 0;

		int64_t contact = 0;

		if (snt_store_last_seq(ci->store, &last) == SNT_STORE_OK &&
		    snt_store_get_ack(ci->store, &ack) == SNT_STORE_OK && last >= ack)
			s.unsynced = last - ack;
		/* No acknowledgement from the bureau for a day, or ever. */
		if (snt_store_get_contact(ci->store, &contact) == SNT_STORE_OK)
			s.offline = contact == 0 || utc - contact > SNT_CHECKIN_OFFLINE_MS;
	}
	s.progress = progress;
	if (temp && temp->has_value && (st == SNT_SCREEN_ADMIT || st == SNT_SCREEN_FEVER)) {
		s.has_temp = true;
		s.temp_mdc = temp->mdc;
	}
	if (b->display->draw)
		err = b->display->draw(b->display_ctx, &s);
	else
		err = b->display->show(b->display_ctx, text);
	if (ci)
		device_down(ci, &ci->display_down, err != SNT_HAL_OK, "display", err);
	prompt(ci, cfg, b, st, minute);
	return err == SNT_HAL_OK ? 0 : 1;
}

/* checkin__screen_at() with the measuring screen's bar at 0 and no bar elsewhere. */
int checkin__screen(struct snt_checkin *ci, const struct snt_checkin_cfg *cfg, struct snt_board *b,
		    enum snt_screen_state st, const char *text, const struct snt_temp_result *temp)
{
	return checkin__screen_at(ci, cfg, b, st, text, temp, st == SNT_SCREEN_MEASURING ? 0 : -1);
}

/* A camera frame on the preview screen (@frozen: the one a code was read from). */
void checkin__preview(struct snt_checkin *ci, const struct snt_frame *frame, bool frozen)
{
	struct snt_board *b = ci->board;

	if (b->display->preview && !ci->display_down)
		(void)b->display->preview(b->display_ctx, frame, frozen);
}

/* The screen of a check-in: its facts from @ci. */
int checkin__show(struct snt_checkin *ci, enum snt_screen_state st, const char *text)
{
	return checkin__screen(ci, &ci->cfg, ci->board, st, text, NULL);
}

/* The message for a decision, naming the duty phone when staff are needed. */
void checkin__decision_message(const struct snt_checkin *ci, const struct snt_visit *v, char *buf,
			       size_t size)
{
	const snt_reasons_t r = v->result.reasons;
	char phone_zh[64] = "", phone_en[64] = "";

	if (ci->cfg.duty_phone[0]) {
		snprintf(phone_zh, sizeof(phone_zh), " 值班电话 %s", ci->cfg.duty_phone);
		/* i18n-exempt: the screen shows Chinese and English, each written here */
		snprintf(phone_en, sizeof(phone_en), " Duty phone %s", ci->cfg.duty_phone);
	}
	const snt_reasons_t explained = SNT_REASON_BIT(SNT_REASON_CLOSED_MODE) |
		SNT_REASON_BIT(SNT_REASON_PASS_USED) | SNT_REASON_BIT(SNT_REASON_WRONG_HOME) |
		SNT_REASON_BIT(SNT_REASON_CAPACITY) | SNT_REASON_BIT(SNT_REASON_RISK_REGION) |
		SNT_REASON_BIT(SNT_REASON_STAFF_TEST_OVERDUE) | SNT_REASON_BIT(SNT_REASON_FORMAT_NOT_ACCEPTED) |
		SNT_REASON_BIT(SNT_REASON_ID_MISSING) | SNT_REASON_BIT(SNT_REASON_ISSUER_REVOKED) |
		SNT_REASON_BIT(SNT_REASON_AGE_OUT_OF_RANGE);
	size_t n = 0;

	if (r & SNT_REASON_BIT(SNT_REASON_RULES_MISSING)) {
		/* No rule set that verifies: shown on every message, like stale rules. */
		n = (size_t)snprintf(buf, size, "%s", "规则缺失 需工作人员核验 / Rule set missing: staff check everyone\n");
		if (n >= size)
			return;
		buf += n;
		size -= n;
	}
	if (r & SNT_REASON_BIT(SNT_REASON_RULES_STALE)) {
		/* Stale rules are shown on every message (domain.md lesson 6). */
		n = (size_t)snprintf(buf, size, "%s", v->result.freshness == SNT_RULES_EXPIRED ?
				     "规则已过期 需工作人员核验 / Rules expired: staff check everyone\n" :
				     "规则已过期 / Rules stale\n");
		if (n >= size)
			return;
		buf += n;
		size -= n;
	}
	if (v->result.decision != SNT_DECISION_ADMIT && !(r & SNT_REASON_BIT(SNT_REASON_STORE_FAULT)) &&
	    !(r & SNT_REASON_BIT(SNT_REASON_FEVER)) && (r & explained)) {
		char zh[200], en[200];
		snt_reasons_t only = r & explained;
		struct snt_policy_result why = v->result;

		why.reasons = only;
		if (snt_policy_explain(&why, SNT_LANG_ZH, "，", zh, sizeof(zh)) < 0)
			zh[0] = '\0';
		if (snt_policy_explain(&why, SNT_LANG_EN, "; ", en, sizeof(en)) < 0)
			en[0] = '\0';
		char msg[sizeof(zh) + sizeof(en) + 2 * sizeof(phone_zh) + 64];

		snprintf(msg, sizeof(msg), "%s 请等待工作人员%s\n%s: please wait for staff.%s", zh, phone_zh, en,
			 phone_en);
		snt_strlcpy(buf, msg, size);
	} else if (r & SNT_REASON_BIT(SNT_REASON_STORE_FAULT))
		snprintf(buf, size, "系统故障 请联系值班人员%s\nSystem fault: please call staff.%s",
			 phone_zh, phone_en);
	else if (v->result.decision == SNT_DECISION_ADMIT)
		snprintf(buf, size, "绿码 体温正常 请通行\nGreen code, temperature normal: please enter");
	else if (r & SNT_REASON_BIT(SNT_REASON_FEVER))
		snprintf(buf, size, "体温异常 请在此等候 已通知值班人员%s\n"
			 "Temperature too high: please wait here, staff are called.%s",
			 phone_zh, phone_en);
	else if (r & SNT_REASON_BIT(SNT_REASON_CODE_RED))
		snprintf(buf, size, "红码 禁止入内%s\nRed code: entry refused.%s", phone_zh, phone_en);
	else if (r & SNT_REASON_BIT(SNT_REASON_CODE_YELLOW))
		snprintf(buf, size, "黄码 禁止入内%s\nYellow code: entry refused.%s", phone_zh, phone_en);
	else if (r & SNT_REASON_BIT(SNT_REASON_NO_CODE))
		snprintf(buf, size, "未识别到健康码 请等待工作人员%s\n"
			 "No health code read: please wait for staff.%s", phone_zh, phone_en);
	else
		snprintf(buf, size, "请等待工作人员核验%s\nPlease wait for staff to check you.%s",
			 phone_zh, phone_en);
}

/* The result screen of a decided visit. */
enum snt_screen_state checkin__result_state(const struct snt_visit *v)
{
	const snt_reasons_t r = v->result.reasons;

	if (r & SNT_REASON_BIT(SNT_REASON_STORE_FAULT))
		return SNT_SCREEN_FAULT;
	if (v->result.decision == SNT_DECISION_ADMIT)
		return SNT_SCREEN_ADMIT;
	if (r & SNT_REASON_BIT(SNT_REASON_FEVER))
		return SNT_SCREEN_FEVER;
	if (v->result.decision == SNT_DECISION_DENY)
		return SNT_SCREEN_DENY;
	if ((r & SNT_REASON_BIT(SNT_REASON_RULES_STALE)) && v->result.freshness == SNT_RULES_EXPIRED)
		return SNT_SCREEN_STALE;
	/* Referred for the age rule: the screen and the voice say so. */
	if (r & SNT_REASON_BIT(SNT_REASON_AGE_OUT_OF_RANGE))
		return SNT_SCREEN_AGE;
	return SNT_SCREEN_REFER;
}
