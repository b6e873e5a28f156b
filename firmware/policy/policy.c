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

static const char *const reason_names[SNT_REASON_COUNT] = {
	[SNT_REASON_STORE_FAULT] = "store-fault",
	[SNT_REASON_SENSOR_FAULT] = "sensor-fault",
	[SNT_REASON_FEVER] = "fever",
	[SNT_REASON_CODE_RED] = "code-red",
	[SNT_REASON_CODE_YELLOW] = "code-yellow",
	[SNT_REASON_SIGNATURE_INVALID] = "signature-invalid",
	[SNT_REASON_EXPIRED] = "expired",
	[SNT_REASON_REVOKED] = "revoked",
	[SNT_REASON_CLOSED_MODE] = "closed-mode",
	[SNT_REASON_CAPACITY] = "capacity",
	[SNT_REASON_RISK_REGION] = "risk-region",
	[SNT_REASON_STAFF_TEST_OVERDUE] = "staff-test-overdue",
	[SNT_REASON_NO_CODE] = "no-code",
	[SNT_REASON_CODE_INVALID] = "code-invalid",
	[SNT_REASON_FORMAT_NOT_ACCEPTED] = "format-not-accepted",
	[SNT_REASON_COLOUR_UNKNOWN] = "colour-unknown",
	[SNT_REASON_TEMP_IMPLAUSIBLE] = "temp-implausible",
	[SNT_REASON_CLOCK_UNTRUSTED] = "clock-untrusted",
	[SNT_REASON_RULES_STALE] = "rules-stale",
	[SNT_REASON_DUPLICATE] = "duplicate",
	[SNT_REASON_OVERRIDE_ADMIT] = "override-admit",
	[SNT_REASON_OVERRIDE_DENY] = "override-deny",
	[SNT_REASON_CODE_GREEN] = "code-green",
	[SNT_REASON_TEMP_NORMAL] = "temp-normal",
};

/* Human text of each reason: [reason][SNT_LANG_ZH, SNT_LANG_EN]. */
static const char *const reason_texts[SNT_REASON_COUNT][2] = {
	[SNT_REASON_STORE_FAULT] = { "记录系统故障", "log cannot be written" },
	[SNT_REASON_SENSOR_FAULT] = { "测温设备故障", "thermometer fault" },
	[SNT_REASON_FEVER] = { "体温异常", "temperature too high" },
	[SNT_REASON_CODE_RED] = { "红码", "red health code" },
	[SNT_REASON_CODE_YELLOW] = { "黄码", "yellow health code" },
	[SNT_REASON_SIGNATURE_INVALID] = { "签名无效", "signature not valid" },
	[SNT_REASON_EXPIRED] = { "已过期或未生效", "expired or not yet valid" },
	[SNT_REASON_REVOKED] = { "已撤销", "revoked" },
	[SNT_REASON_CLOSED_MODE] = { "封闭管理 需有效探视预约", "closed management: a valid visit pass is needed" },
	[SNT_REASON_CAPACITY] = { "访客人数已满", "visitor limit reached" },
	[SNT_REASON_RISK_REGION] = { "来自中高风险地区", "from a risk region" },
	[SNT_REASON_STAFF_TEST_OVERDUE] = { "核酸检测超期", "test overdue" },
	[SNT_REASON_NO_CODE] = { "未出示健康码", "no health code" },
	[SNT_REASON_CODE_INVALID] = { "无法识别的码", "unreadable code" },
	[SNT_REASON_FORMAT_NOT_ACCEPTED] = { "不接受此类码", "code format not accepted" },
	[SNT_REASON_COLOUR_UNKNOWN] = { "健康码颜色无法识别", "health code colour unclear" },
	[SNT_REASON_TEMP_IMPLAUSIBLE] = { "体温读数无效", "temperature reading implausible" },
	[SNT_REASON_CLOCK_UNTRUSTED] = { "时钟未校准", "clock not trusted" },
	[SNT_REASON_RULES_STALE] = { "规则已过期", "rules stale" },
	[SNT_REASON_DUPLICATE] = { "重复扫码", "repeat scan" },
	[SNT_REASON_OVERRIDE_ADMIT] = { "工作人员放行", "admitted by staff" },
	[SNT_REASON_OVERRIDE_DENY] = { "工作人员拒绝", "refused by staff" },
	[SNT_REASON_CODE_GREEN] = { "绿码", "green health code" },
	[SNT_REASON_TEMP_NORMAL] = { "体温正常", "temperature normal" },
};

static const char *const decision_names[] = {
	[SNT_DECISION_ADMIT] = "admit",
	[SNT_DECISION_DENY] = "deny",
	[SNT_DECISION_REFER] = "refer",
};

static const char *const verified_names[] = {
	[SNT_VERIFIED_NONE] = "none",
	[SNT_VERIFIED_UNVERIFIED] = "unverified",
	[SNT_VERIFIED_VALID] = "valid",
	[SNT_VERIFIED_INVALID] = "invalid",
};

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
		r |= SNT_REASON_BIT(SNT_REASON_SIGNATURE_INVALID);
	if (!rs)
		return r;
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
	case SNT_PASS_SIGNED:
		if (in->now_ms < in->pass_from_ms || in->now_ms >= in->pass_until_ms)
			r |= SNT_REASON_BIT(SNT_REASON_CLOSED_MODE) | SNT_REASON_BIT(SNT_REASON_EXPIRED);
		if (in->time_untrusted)
			r |= SNT_REASON_BIT(SNT_REASON_CLOCK_UNTRUSTED);
		break;
	}
	return r;
}

void snt_policy_decide(const struct snt_policy_input *in, struct snt_policy_result *out)
{
	const bool staff = in->person == SNT_PERSON_STAFF && !in->badge_invalid;
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

const char *snt_decision_name(enum snt_decision d)
{
	if ((unsigned int)d < SNT_ARRAY_SIZE(decision_names))
		return decision_names[d];
	return "?";
}

int snt_decision_from_name(const char *name, enum snt_decision *out)
{
	int i = snt_name_index(decision_names, SNT_ARRAY_SIZE(decision_names), name);

	if (i < 0)
		return -1;
	*out = (enum snt_decision)i;
	return 0;
}

const char *snt_reason_name(enum snt_reason r)
{
	if ((unsigned int)r < SNT_REASON_COUNT)
		return reason_names[r];
	return NULL;
}

int snt_reason_from_name(const char *name, enum snt_reason *out)
{
	int i = snt_name_index(reason_names, SNT_REASON_COUNT, name);

	if (i < 0)
		return -1;
	*out = (enum snt_reason)i;
	return 0;
}

int snt_reasons_format(snt_reasons_t set, const char *sep, char *buf, size_t size)
{
	size_t len = 0;
	int first = 1;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	for (size_t i = 0; i < SNT_REASON_COUNT; i++) {
		if (!(set & SNT_REASON_BIT(i)))
			continue;
		const char *parts[2] = { first ? "" : sep, reason_names[i] };

		for (int p = 0; p < 2; p++) {
			size_t n = strlen(parts[p]);

			if (len + n + 1 > size) {
				buf[len] = '\0';
				return -1;
			}
			memcpy(buf + len, parts[p], n);
			len += n;
		}
		first = 0;
	}
	buf[len] = '\0';
	return (int)len;
}

int snt_reasons_parse(const char *list, snt_reasons_t *out)
{
	char name[64];
	snt_reasons_t set = 0;
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");
		enum snt_reason r;

		if (n == 0 || n >= sizeof(name))
			return -1;
		memcpy(name, p, n);
		name[n] = '\0';
		if (snt_reason_from_name(name, &r))
			return -1;
		set |= SNT_REASON_BIT(r);
		p += n;
		if (*p == ',') {
			p++;
			if (!*p)
				return -1;
		}
	}
	*out = set;
	return 0;
}

const char *snt_reason_text(enum snt_reason r, enum snt_lang lang)
{
	if ((unsigned int)r >= SNT_REASON_COUNT || (unsigned int)lang > SNT_LANG_EN)
		return NULL;
	return reason_texts[r][lang];
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
			snprintf(text, sizeof(text), lang == SNT_LANG_ZH ? "核酸检测自 %s 起超期" : "test overdue since %s",
				 date);
		} else if (i == SNT_REASON_STAFF_TEST_OVERDUE) {
			snt_strlcpy(text, lang == SNT_LANG_ZH ? "无核酸检测记录" : "no test on record", sizeof(text));
		} else {
			snt_strlcpy(text, reason_texts[i][lang], sizeof(text));
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

const char *snt_verified_name(enum snt_verified v)
{
	if ((unsigned int)v < SNT_ARRAY_SIZE(verified_names))
		return verified_names[v];
	return "?";
}

int snt_verified_from_name(const char *name, enum snt_verified *out)
{
	int i = snt_name_index(verified_names, SNT_ARRAY_SIZE(verified_names), name);

	if (i < 0)
		return -1;
	*out = (enum snt_verified)i;
	return 0;
}
