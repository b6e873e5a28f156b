// SPDX-License-Identifier: MIT
/*
 * The gate's decision function (see policy.h).  Pure: no I/O, no clock.
 */
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

#define MS_PER_DAY 86400000LL
/* The roster's dates are China Standard Time (UTC+8, no daylight saving). */
#define CST_OFFSET_MS (8LL * 3600000LL)

/* Reasons that deny on their own; the rest that are not informational refer. */
static const snt_reasons_t deny_set =
	SNT_REASON_BIT(SNT_REASON_FEVER) | SNT_REASON_BIT(SNT_REASON_CODE_RED) |
	SNT_REASON_BIT(SNT_REASON_CODE_YELLOW);
static const snt_reasons_t info_set =
	SNT_REASON_BIT(SNT_REASON_CODE_GREEN) | SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL) |
	SNT_REASON_BIT(SNT_REASON_DUPLICATE) | SNT_REASON_BIT(SNT_REASON_RULES_STALE);

/* Today in China Standard Time, as days since 1970-01-01. */
static int64_t cst_day(int64_t utc_ms)
{
	int64_t t = utc_ms + CST_OFFSET_MS;

	return t >= 0 ? t / MS_PER_DAY : -((-t + MS_PER_DAY - 1) / MS_PER_DAY);
}

/* The health credential itself: format, signature, colour. */
static snt_reasons_t code_reasons(const struct snt_policy_input *in)
{
	if (!in->code_read || in->format == SNT_FORMAT_NONE)
		return SNT_REASON_BIT(SNT_REASON_NO_CODE);
	if (!in->payload_text)
		return SNT_REASON_BIT(SNT_REASON_CODE_INVALID);
	if (in->rules && !(in->rules->formats & (1u << in->format)))
		return SNT_REASON_BIT(SNT_REASON_FORMAT_NOT_ACCEPTED);
	if (in->format != SNT_FORMAT_HEALTHCODE) {
		/* A signed certificate: its signature decides, not its colour. */
		if (in->verified == SNT_VERIFIED_UNVERIFIED && in->clock_untrusted) {
			/* Signature good, dates unknowable: staff check them. */
			return SNT_REASON_BIT(SNT_REASON_CLOCK_UNTRUSTED) |
			       (in->cert_expired ? SNT_REASON_BIT(SNT_REASON_EXPIRED) : 0);
		}
		if (in->verified == SNT_VERIFIED_INVALID && in->cert_expired)
			return SNT_REASON_BIT(SNT_REASON_EXPIRED);
		if (in->verified != SNT_VERIFIED_VALID)
			return SNT_REASON_BIT(SNT_REASON_SIGNATURE_INVALID);
		return 0;
	}
	switch (in->colour) {
	case SNT_COLOUR_GREEN:
		return SNT_REASON_BIT(SNT_REASON_CODE_GREEN);
	case SNT_COLOUR_YELLOW:
		return SNT_REASON_BIT(SNT_REASON_CODE_YELLOW);
	case SNT_COLOUR_RED:
		return SNT_REASON_BIT(SNT_REASON_CODE_RED);
	case SNT_COLOUR_BLACK:
	case SNT_COLOUR_UNKNOWN:
		break;
	}
	return SNT_REASON_BIT(SNT_REASON_COLOUR_UNKNOWN);
}

/* Staff: the roster's test date against max_test_age_days. */
static snt_reasons_t staff_reasons(const struct snt_policy_input *in, struct snt_policy_result *out)
{
	const struct snt_rules_staff *s = snt_rules_staff_find(in->rules, in->staff_ref);
	snt_reasons_t r = 0;
	int64_t due;

	if (!s) {
		out->test_due_day = -1;
		return SNT_REASON_BIT(SNT_REASON_STAFF_TEST_OVERDUE);
	}
	due = (int64_t)s->last_test_day + in->rules->max_test_age_days;
	if (cst_day(in->now_ms) > due) {
		r |= SNT_REASON_BIT(SNT_REASON_STAFF_TEST_OVERDUE);
		out->test_due_day = (int32_t)due;
	}
	if (in->time_untrusted)
		r |= SNT_REASON_BIT(SNT_REASON_CLOCK_UNTRUSTED);
	return r;
}

/* Visitors: a pass in closed mode, the cap in open mode. */
static snt_reasons_t visitor_reasons(const struct snt_policy_input *in)
{
	const struct snt_rules *rs = in->rules;
	snt_reasons_t r = 0;

	if (in->badge_invalid)
		r |= SNT_REASON_BIT(in->badge_elsewhere ? SNT_REASON_WRONG_HOME : SNT_REASON_SIGNATURE_INVALID);
	if (!rs)
		return r;
	if (in->pass == SNT_PASS_REVOKED)
		r |= SNT_REASON_BIT(SNT_REASON_ISSUER_REVOKED);
	if (rs->mode == SNT_RULES_OPEN) {
		if (rs->max_visitors > 0 && in->occupancy >= (int64_t)rs->max_visitors)
			r |= SNT_REASON_BIT(SNT_REASON_CAPACITY);
		return r;
	}
	switch (in->pass) {
	case SNT_PASS_NONE:
	case SNT_PASS_MISMATCH:
		r |= SNT_REASON_BIT(SNT_REASON_CLOSED_MODE);
		break;
	case SNT_PASS_INVALID:
		r |= SNT_REASON_BIT(SNT_REASON_CLOSED_MODE) | SNT_REASON_BIT(SNT_REASON_SIGNATURE_INVALID);
		break;
	case SNT_PASS_REVOKED:
		r |= SNT_REASON_BIT(SNT_REASON_CLOSED_MODE);
		break;
	case SNT_PASS_ELSEWHERE:
		r |= SNT_REASON_BIT(SNT_REASON_CLOSED_MODE) | SNT_REASON_BIT(SNT_REASON_WRONG_HOME);
		break;
	case SNT_PASS_SIGNED:
		if (in->now_ms < in->pass_from_ms || in->now_ms >= in->pass_until_ms)
			r |= SNT_REASON_BIT(SNT_REASON_CLOSED_MODE) | SNT_REASON_BIT(SNT_REASON_EXPIRED);
		else if (in->pass_inside || in->pass_admits >= (in->pass_uses ? in->pass_uses : 1))
			r |= SNT_REASON_BIT(SNT_REASON_PASS_USED);
		if (in->time_untrusted)
			r |= SNT_REASON_BIT(SNT_REASON_CLOCK_UNTRUSTED);
		break;
	}
	return r;
}

void snt_policy_decide(const struct snt_policy_input *in, struct snt_policy_result *out)
{
	const bool staff = in->person == SNT_KIND_STAFF && !in->badge_invalid;
	snt_reasons_t r = 0, deny = deny_set, info = info_set;
	bool expired = false;

	out->test_due_day = -1;
	out->freshness = SNT_RULES_FRESH;
	if (!in->store_ok)
		r |= SNT_REASON_BIT(SNT_REASON_STORE_FAULT);

	switch (in->temp) {
	case SNT_TEMP_NORMAL:
		r |= SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL);
		break;
	case SNT_TEMP_FEVER:
		r |= SNT_REASON_BIT(SNT_REASON_FEVER);
		break;
	case SNT_TEMP_IMPLAUSIBLE:
		r |= SNT_REASON_BIT(SNT_REASON_TEMP_IMPLAUSIBLE);
		break;
	case SNT_TEMP_FAULT:
	case SNT_TEMP_NONE:
		/* No temperature taken is never a pass. */
		r |= SNT_REASON_BIT(SNT_REASON_SENSOR_FAULT);
		break;
	}

	r |= code_reasons(in);
	if (in->format == SNT_FORMAT_HEALTHCODE && (r & SNT_REASON_BIT(SNT_REASON_CODE_YELLOW))) {
		/* Staff pass with a non-red code; an accepted yellow refers visitors. */
		if (staff) {
			deny &= ~SNT_REASON_BIT(SNT_REASON_CODE_YELLOW);
			info |= SNT_REASON_BIT(SNT_REASON_CODE_YELLOW);
		} else if (in->rules && (in->rules->colours & (1u << SNT_COLOUR_YELLOW))) {
			deny &= ~SNT_REASON_BIT(SNT_REASON_CODE_YELLOW);
		}
	}
	if (in->format == SNT_FORMAT_HEALTHCODE && in->region && snt_rules_region_at_risk(in->rules, in->region))
		r |= SNT_REASON_BIT(SNT_REASON_RISK_REGION);

	r |= staff ? staff_reasons(in, out) : visitor_reasons(in);
	if (in->rules_missing)
		r |= SNT_REASON_BIT(SNT_REASON_RULES_MISSING);
	if (in->id_invalid)
		r |= SNT_REASON_BIT(SNT_REASON_ID_INVALID);
	if (in->id_expired)
		r |= SNT_REASON_BIT(SNT_REASON_ID_EXPIRED);
	if (in->id_missing)
		r |= SNT_REASON_BIT(SNT_REASON_ID_MISSING);
	if (!staff && in->has_id_age && !snt_rules_age_allowed(in->rules, in->id_age))
		r |= SNT_REASON_BIT(SNT_REASON_AGE_OUT_OF_RANGE);

	if (in->rules) {
		out->freshness = snt_rules_freshness(in->rules, in->now_ms);
		if (out->freshness != SNT_RULES_FRESH)
			r |= SNT_REASON_BIT(SNT_REASON_RULES_STALE);
		expired = out->freshness == SNT_RULES_EXPIRED;
	}

	if (in->duplicate)
		r |= SNT_REASON_BIT(SNT_REASON_DUPLICATE);

	out->reasons = r;
	if (r & deny)
		out->decision = SNT_DECISION_DENY;
	else if (expired || (r & ~info))
		out->decision = SNT_DECISION_REFER;
	else
		out->decision = SNT_DECISION_ADMIT;
}

int snt_policy_explain(const struct snt_policy_result *res, enum snt_lang lang, const char *sep, char *buf,
		       size_t size)
{
	size_t len = 0;

	if (!res || !sep || !buf || size == 0 || (unsigned int)lang > SNT_LANG_EN)
		return -1;
	buf[0] = '\0';
	for (int i = 0; i < SNT_REASON_COUNT; i++) {
		char text[128], date[SNT_RULES_DATE_LEN];
		int n;

		if (!(res->reasons & SNT_REASON_BIT(i)))
			continue;
		if (i == SNT_REASON_STAFF_TEST_OVERDUE && res->test_due_day >= 0) {
			snt_rules_format_date(res->test_due_day, date, sizeof(date));
			/* i18n-exempt: the caller picks the language (@lang); both are written here */
			snprintf(text, sizeof(text), lang == SNT_LANG_ZH ? "核酸检测自 %s 起超期" : "test overdue since %s",
				 date);
		} else if (i == SNT_REASON_STAFF_TEST_OVERDUE) {
			snt_strlcpy(text, lang == SNT_LANG_ZH ? "无核酸检测记录" : "no test on record", sizeof(text));
		} else {
			snt_strlcpy(text, snt_reason_text((enum snt_reason)i, lang), sizeof(text));
		}
		n = snprintf(buf + len, size - len, "%s%s", len ? sep : "", text);
		if (n < 0 || (size_t)n >= size - len) {
			/* Truncated: keep what fits, terminated. */
			return -1;
		}
		len += (size_t)n;
	}
	return (int)len;
}
