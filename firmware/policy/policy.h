/* SPDX-License-Identifier: MIT */
/*
 * policy: the pure decision function of the gate and its reasons.  No I/O,
 * no clock, no allocation: the same input always gives the same result.
 *
 * Decisions and reason names are the contract of interfaces.md ("Decisions
 * and reasons"); the enum order below is the order of weight given there and
 * is the order reasons are listed in.  Reasons are stored and exchanged by
 * name, never by number, so new ones can be added at their weight.
 */
#ifndef SNT_POLICY_H
#define SNT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codes/codes.h"
#include "common/common.h"
#include "scan/scan.h"

enum snt_decision {
	SNT_DECISION_ADMIT = 0,
	SNT_DECISION_DENY,
	SNT_DECISION_REFER,	/* staff must decide */
};

/* In order of weight (interfaces.md). */
enum snt_reason {
	SNT_REASON_STORE_FAULT = 0,
	SNT_REASON_SENSOR_FAULT,
	SNT_REASON_FEVER,
	SNT_REASON_CODE_RED,
	SNT_REASON_CODE_YELLOW,
	SNT_REASON_SIGNATURE_INVALID,
	SNT_REASON_EXPIRED,
	SNT_REASON_REVOKED,
	SNT_REASON_CLOSED_MODE,
	SNT_REASON_CAPACITY,
	SNT_REASON_RISK_REGION,
	SNT_REASON_STAFF_TEST_OVERDUE,
	SNT_REASON_NO_CODE,
	SNT_REASON_CODE_INVALID,	/* added: a payload that is no readable code (empty, binary) */
	SNT_REASON_COLOUR_UNKNOWN,
	SNT_REASON_TEMP_IMPLAUSIBLE,
	SNT_REASON_CLOCK_UNTRUSTED,
	SNT_REASON_RULES_STALE,
	SNT_REASON_DUPLICATE,
	SNT_REASON_OVERRIDE_ADMIT,
	SNT_REASON_OVERRIDE_DENY,
	SNT_REASON_CODE_GREEN,
	SNT_REASON_TEMP_NORMAL,
	SNT_REASON_COUNT
};

/* A set of reasons: bit (1u << reason). */
typedef uint32_t snt_reasons_t;
#define SNT_REASON_BIT(r) ((snt_reasons_t)1u << (r))

/* Outcome of the temperature procedure (checkin/). */
enum snt_temp_status {
	SNT_TEMP_NONE = 0,	/* not measured (no subject / not reached) */
	SNT_TEMP_NORMAL,	/* plausible and below the fever threshold */
	SNT_TEMP_FEVER,		/* at or above the threshold, confirmed once */
	SNT_TEMP_IMPLAUSIBLE,	/* outside 34.0-43.0 °C after every try */
	SNT_TEMP_FAULT,		/* the sensor failed or read far off range */
};

/* Whether a credential's signature was checked (codes/, trust/). */
enum snt_verified {
	SNT_VERIFIED_NONE = 0,	/* no code */
	SNT_VERIFIED_UNVERIFIED,/* cannot be verified offline (health code) */
	SNT_VERIFIED_VALID,
	SNT_VERIFIED_INVALID,
};

struct snt_policy_input {
	bool store_ok;			/* false: the log cannot take an entry */
	bool code_read;			/* a code was decoded */
	enum snt_code_format format;
	enum snt_colour colour;		/* colour read by the scanner */
	enum snt_verified verified;
	enum snt_temp_status temp;
	bool duplicate;			/* a repeat scan within the window, decided afresh */
	bool payload_text;		/* the payload is non-empty printable text (snt_code_is_text()) */
	bool cert_expired;		/* signed format: verification failed at expired/not-yet-valid */
	bool clock_untrusted;		/* signed format: verified against an untrusted clock */
};

struct snt_policy_result {
	enum snt_decision decision;
	snt_reasons_t reasons;
};

/*
 * snt_policy_decide() - the first rule set (skeleton issue): a green code
 * and a normal temperature admit; a yellow or red code or a fever deny; no
 * code, a colour that is not green/yellow/red, an implausible temperature,
 * a sensor fault or a store fault refer to staff.  Deny outweighs refer,
 * refer outweighs admit; every applicable reason is listed.  `duplicate`
 * is informational: it marks a repeat scan that was decided afresh.
 * A payload that is not printable text (empty, binary) refers with
 * code-invalid whatever its colour.  A signed certificate format (HC1:,
 * LT1:, NZCP:/, shc:/) is judged by its signature, not by colour: anything
 * but a valid signature refers with signature-invalid (domain.md: colour
 * only for the opaque health code), except: a certificate checked against
 * an untrusted clock (verified UNVERIFIED with clock_untrusted) refers with
 * clock-untrusted, plus expired when its dates failed against that clock;
 * one that failed only its dates against a trusted clock refers with
 * expired (verify.h, "Time").
 * @in: the facts of one check-in.
 * @out: receives decision and reasons.
 * Both must be non-NULL; there are no errors.
 */
void snt_policy_decide(const struct snt_policy_input *in, struct snt_policy_result *out);

/* snt_decision_name() - "admit", "deny" or "refer"; never NULL. */
const char *snt_decision_name(enum snt_decision d);

/* snt_decision_from_name() - parse; return 0 and *out, or -1 if unknown. */
int snt_decision_from_name(const char *name, enum snt_decision *out) SNT_WUR;

/* snt_reason_name() - the interfaces.md identifier, or NULL if out of range. */
const char *snt_reason_name(enum snt_reason r);

/* snt_reason_from_name() - parse; return 0 and *out, or -1 if unknown. */
int snt_reason_from_name(const char *name, enum snt_reason *out) SNT_WUR;

/*
 * snt_reasons_format() - the set as names in order of weight, joined by
 * @sep (for example "," or ", "), into @buf of @size bytes.
 * Return: the length written, or -1 if @buf was too small (then @buf holds
 * a truncated, terminated string).
 */
int snt_reasons_format(snt_reasons_t set, const char *sep, char *buf, size_t size) SNT_WUR;

/*
 * snt_reasons_parse() - parse a comma-separated list of names.
 * Return: 0 and *out; -1 if any name is unknown (then *out is undefined).
 */
int snt_reasons_parse(const char *list, snt_reasons_t *out) SNT_WUR;

/* snt_verified_name() - "none", "unverified", "valid" or "invalid". */
const char *snt_verified_name(enum snt_verified v);

/* snt_verified_from_name() - parse; return 0 and *out, or -1 if unknown. */
int snt_verified_from_name(const char *name, enum snt_verified *out) SNT_WUR;

#endif /* SNT_POLICY_H */
