/* SPDX-License-Identifier: MIT */
/*
 * policy: the pure decision function of the gate: the facts of one
 * check-in to a decision and its reasons (whose names, order of weight and
 * human text are the entry module's tables, entry.h).  No I/O, no clock, no
 * allocation: the same input always gives the same result.
 */
#ifndef SNT_POLICY_H
#define SNT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "entry/entry.h"
#include "rules/rules.h"

/* Outcome of the temperature procedure (checkin/). */
enum snt_temp_status {
	SNT_TEMP_NONE = 0,	/* not measured (no subject / not reached) */
	SNT_TEMP_NORMAL,	/* plausible and below the fever threshold */
	SNT_TEMP_FEVER,		/* at or above the threshold, confirmed once */
	SNT_TEMP_IMPLAUSIBLE,	/* outside 34.0-43.0 °C after every try */
	SNT_TEMP_FAULT,		/* the sensor failed or read far off range */
};


/* A visit pass shown at the gate (closed mode). */
enum snt_pass {
	SNT_PASS_NONE = 0,	/* none shown */
	SNT_PASS_SIGNED,	/* signed by the bureau's key; its window is pass_from_ms/pass_until_ms */
	SNT_PASS_INVALID,	/* shown, but not signed by the bureau's key (or altered) */
	SNT_PASS_MISMATCH,	/* signed, but names another visitor than the certificate shown */
	SNT_PASS_ELSEWHERE,	/* signed, but for another home (or other gates) */
	SNT_PASS_REVOKED,	/* signed by a gate key the home's issuer list revokes (issuers.h) */
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

	/*
	 * Closed management (all zero: a visitor under no rule set, decided
	 * as before).
	 */
	enum snt_person_kind person;
	const char *staff_ref;		/* staff: the badge's reference (NULL for visitors) */
	bool badge_invalid;		/* a badge was shown that did not verify: a visitor, signature-invalid */
	bool badge_elsewhere;		/* with badge_invalid: it verified, but is another home's: wrong-home */
	bool rules_missing;		/* the gate had a rule set and has none that verifies now */
	const struct snt_rules *rules;	/* the active rule set, borrowed; NULL = none */
	int64_t now_ms;			/* the gate's time (UTC ms): test age, pass window, freshness */
	bool time_untrusted;		/* the gate's clock is not trusted (snt_clock_judge()) */
	const char *region;		/* the health code's region (snt_code_region()), NULL or "" = none */
	int64_t occupancy;		/* visitors inside now (entries admitted minus exits) */
	enum snt_pass pass;
	int64_t pass_from_ms;		/* SNT_PASS_SIGNED: the appointment window [from, until) */
	int64_t pass_until_ms;
	uint32_t pass_uses;		/* SNT_PASS_SIGNED: the entries the pass gives (1-100; 0 counts as 1) */
	uint32_t pass_admits;		/* the entries it has given so far */
	bool pass_inside;		/* its holder was admitted with it and no exit followed */

	/* A resident ID card read at the gate (idcard/idcard.h); all false: none read. */
	bool id_invalid;		/* its number fails the GB 11643 check, or its text is malformed */
	bool id_expired;		/* the day is outside its validity (expired or not yet valid) */
	bool id_missing;		/* [checkin] register asked this visitor for a card and none was read */
	bool has_id_age;		/* a card was read whose birth date gives the holder's age */
	uint32_t id_age;		/* that age, whole years on the local day of the visit (snt_idcard_age()) */
};

struct snt_policy_result {
	enum snt_decision decision;
	snt_reasons_t reasons;
	/*
	 * With staff-test-overdue: the day (days since 1970-01-01, China
	 * Standard Time) the test became overdue (last test + max age), or
	 * -1 when the roster has no test for the reference (or no rule set).
	 */
	int32_t test_due_day;
	enum snt_rules_freshness freshness;	/* of the rule set at now_ms (FRESH without one) */
};

/*
 * snt_policy_decide() - the decision (interfaces.md "Decisions and
 * reasons").
 *
 * The first rule set (skeleton issue): a green code and a normal
 * temperature admit; a yellow or red code or a fever deny; no code, a
 * colour that is not green/yellow/red, an implausible temperature, a sensor
 * fault or a store fault refer to staff.  Deny outweighs refer, refer
 * outweighs admit; every applicable reason is listed.  `duplicate` is
 * informational: it marks a repeat scan that was decided afresh.  A payload
 * that is not printable text (empty, binary) refers with code-invalid
 * whatever its colour.  A signed certificate format (HC1:, LT1:, NZCP:/,
 * shc:/) is judged by its signature, not by colour: anything but a valid
 * signature refers with signature-invalid (domain.md: colour only for the
 * opaque health code), except: a certificate checked against an untrusted
 * clock (verified UNVERIFIED with clock_untrusted) refers with
 * clock-untrusted, plus expired when its dates failed against that clock;
 * one that failed only its dates against a trusted clock refers with
 * expired (verify.h, "Time").
 *
 * Closed management, with the rule set @in->rules:
 * - Format: a code whose format is not in the set's "formats" refers with
 *   format-not-accepted.
 * - Colours: a visitor's yellow health code denies (code-yellow) unless the
 *   set accepts "yellow": then it refers (staff decide).
 * - Risk: a health code whose region is on the risk list (or inside a
 *   listed province/prefecture) refers with risk-region (staff too).
 * - Staff (person STAFF, badge verified): pass with a non-red health code
 *   (a yellow one is listed as code-yellow but does not deny: the issue's
 *   rule), a normal temperature and a nucleic-acid test within
 *   max_test_age_days: the age is today - last_test in days, today taken
 *   in China Standard Time (UTC+8, the roster's dates), overdue when the age
 *   exceeds the maximum; otherwise refer with staff-test-overdue
 *   (result.test_due_day = last test + max age, or -1 when the reference
 *   is not on the roster or there is no rule set).  Staff are not subject to
 *   the cap or to closed mode.  A red code or a fever still deny.
 * - Visitors in closed mode need a visit pass: none, one that is not in its
 *   window [from, until) at now_ms (also expired), not signed by the bureau
 *   (also signature-invalid), or for another visitor: refer with
 *   closed-mode.  The choice is refer, not deny: the door stays shut either
 *   way, and staff can admit with an accountable override (a relative at
 *   the door with a pass on another phone).  Passes are not looked at in
 *   open mode.
 * - Visitors in open mode: max_visitors > 0 and occupancy >= max_visitors
 *   refers with capacity (staff may admit).
 * - A badge that does not verify (badge_invalid): a visitor, plus
 *   signature-invalid (refer); one that verifies but is another home's
 *   (badge_elsewhere): a visitor, plus wrong-home (refer).
 * - A pass of another home (SNT_PASS_ELSEWHERE): closed-mode and wrong-home.
 * - A pass signed by a revoked gate key (SNT_PASS_REVOKED, issuers.h: a
 *   stolen or replaced board's): refer with issuer-revoked, in open mode
 *   too, and in closed mode with closed-mode; whatever its window or
 *   "issued" time says.
 * - A resident ID card whose number fails its check digit or whose text is
 *   malformed (id_invalid) refers with id-invalid; one outside its validity
 *   (id_expired) refers with id-expired.  Staff and visitors alike, with
 *   or without a rule set: the card is who registered.  A visitor whom
 *   [checkin] register asks for a card and who places none, or whose
 *   reader fails or is missing (id_missing), refers with id-missing.
 *   A visitor (not staff) whose card gives an age (has_id_age) outside the
 *   rule set's age rule (min_age, max_age: snt_rules_age_allowed()) refers
 *   with age-out-of-range; no card, or no age rule, no such reason.
 * - A pass used up (closed mode, signed, in its window): while its holder is
 *   inside (pass_inside), or when it has given pass_uses entries
 *   (pass_admits), refer with pass-used: a pass admits one visitor once per
 *   visit.
 * - A gate that had a rule set and has none that verifies (rules_missing):
 *   everyone, staff too, refers with rules-missing (no unattended admission
 *   without the set: fail closed).
 * - Clock: a decision that rests on a staff test age or a pass window made
 *   with an untrusted gate clock (time_untrusted) refers with
 *   clock-untrusted (domain.md lesson 5).
 * - Freshness (snt_rules_freshness() at now_ms): stale adds rules-stale
 *   (informational, the gate keeps working); expired (past the hard limit)
 *   adds rules-stale and turns admit into refer: no unattended admission.
 * Without a rule set: open mode, no cap, no risk list, every format and
 * only green accepted; staff have no roster (staff-test-overdue).
 *
 * @in: the facts of one check-in.
 * @out: receives decision, reasons, test_due_day and freshness.
 * Both must be non-NULL; there are no errors.
 */
void snt_policy_decide(const struct snt_policy_input *in, struct snt_policy_result *out);

/*
 * snt_policy_explain() - the human text of every reason of @res in order
 * of weight, joined by @sep, into @buf of @size bytes.  staff-test-overdue
 * reads "test overdue since YYYY-MM-DD" / "核酸检测自 YYYY-MM-DD 起超期"
 * with res->test_due_day (or "no test on record" when it is -1).
 * Return: the length written, or -1 when @buf was too small (then @buf
 * holds a truncated, terminated string) or an argument is NULL.
 */
int snt_policy_explain(const struct snt_policy_result *res, enum snt_lang lang, const char *sep, char *buf,
		       size_t size) SNT_WUR;

/*
 * ---- Occupancy for the visitor cap (occupancy.c) ----
 * Who is inside, as the cap counts them: each admitted visitor (door
 * opened) counts from the entry's time for the expected stay (@stay_ms;
 * 0: until an exit or midnight), an exit-button release takes off the
 * visitor inside longest, and the count starts again from 0 at local
 * midnight (the caller gives the start of the current local day,
 * snt_clock_local_midnight()).  At most SNT_OCCUPANCY_MAX visits are held;
 * past that the oldest is dropped.  Pure: times are given, nothing is read.
 */
#define SNT_OCCUPANCY_MAX 1024

struct snt_occupancy {
	int64_t stay_ms;		/* expected stay, ms; 0 = no expiry */
	int64_t day_start_ms;		/* the local day the visits belong to (UTC ms of its midnight) */
	size_t n;			/* visits held, oldest first */
	int64_t admitted_ms[SNT_OCCUPANCY_MAX];	/* their admission times (UTC ms) */
};

/* snt_occupancy_init() - empty, with the expected stay @stay_ms (>= 0; 0: no expiry). */
void snt_occupancy_init(struct snt_occupancy *o, int64_t stay_ms);

/* snt_occupancy_set_stay() - a new expected stay (a configuration reload); the visits held stay. */
void snt_occupancy_set_stay(struct snt_occupancy *o, int64_t stay_ms);

/*
 * snt_occupancy_admit() - a visitor admitted at @now_ms, in the local day
 * that began at @day_start_ms (a new day first clears what was held).
 */
void snt_occupancy_admit(struct snt_occupancy *o, int64_t now_ms, int64_t day_start_ms);

/* snt_occupancy_exit() - an exit at @now_ms: the visitor inside longest leaves (none: nothing). */
void snt_occupancy_exit(struct snt_occupancy *o, int64_t now_ms, int64_t day_start_ms);

/*
 * snt_occupancy_count() - visitors inside at @now_ms: those admitted this
 * local day whose expected stay has not passed (drops the others).
 */
int64_t snt_occupancy_count(struct snt_occupancy *o, int64_t now_ms, int64_t day_start_ms);

#endif /* SNT_POLICY_H */
