// SPDX-License-Identifier: MIT
/*
 * The gate's decision function (see policy.h).  Pure: no I/O, no clock.
 */
#include <string.h>

#include "policy/policy.h"

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
	SNT_REASON_BIT(SNT_REASON_DUPLICATE);

void snt_policy_decide(const struct snt_policy_input *in, struct snt_policy_result *out)
{
	snt_reasons_t r = 0;

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

	if (!in->code_read || in->format == SNT_FORMAT_NONE) {
		r |= SNT_REASON_BIT(SNT_REASON_NO_CODE);
	} else if (!in->payload_text) {
		r |= SNT_REASON_BIT(SNT_REASON_CODE_INVALID);
	} else if (in->format != SNT_FORMAT_HEALTHCODE) {
		/* A signed certificate: its signature decides, not its colour. */
		if (in->verified == SNT_VERIFIED_UNVERIFIED && in->clock_untrusted) {
			/* Signature good, dates unknowable: staff check them. */
			r |= SNT_REASON_BIT(SNT_REASON_CLOCK_UNTRUSTED);
			if (in->cert_expired)
				r |= SNT_REASON_BIT(SNT_REASON_EXPIRED);
		} else if (in->verified == SNT_VERIFIED_INVALID && in->cert_expired) {
			r |= SNT_REASON_BIT(SNT_REASON_EXPIRED);
		} else if (in->verified != SNT_VERIFIED_VALID) {
			r |= SNT_REASON_BIT(SNT_REASON_SIGNATURE_INVALID);
		}
	} else {
		switch (in->colour) {
		case SNT_COLOUR_GREEN:
			r |= SNT_REASON_BIT(SNT_REASON_CODE_GREEN);
			break;
		case SNT_COLOUR_YELLOW:
			r |= SNT_REASON_BIT(SNT_REASON_CODE_YELLOW);
			break;
		case SNT_COLOUR_RED:
			r |= SNT_REASON_BIT(SNT_REASON_CODE_RED);
			break;
		case SNT_COLOUR_BLACK:
		case SNT_COLOUR_UNKNOWN:
			r |= SNT_REASON_BIT(SNT_REASON_COLOUR_UNKNOWN);
			break;
		}
	}

	if (in->duplicate)
		r |= SNT_REASON_BIT(SNT_REASON_DUPLICATE);

	out->reasons = r;
	if (r & deny_set)
		out->decision = SNT_DECISION_DENY;
	else if (r & ~info_set)
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
