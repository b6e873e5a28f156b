/* SPDX-License-Identifier: MIT */
/*
 * checkin: one visit at the gate, from "someone is here" to the door.
 *
 *   scan frames until a code is read or the scan timeout passes
 *   -> a repeat of a payload seen within the de-duplication window repeats
 *      the first decision and makes no entry (domain.md lesson 4: one
 *      person scanning twice).  Where the visit asks for an ID card
 *      (registration below, or a pass naming its holder's card) the card is
 *      read first and the repeat counts as one only with the card read the
 *      first time (the same number, compared by its HMAC under a random key
 *      the context makes and keeps in memory only), or with no card both
 *      times; another card, or none after a card, is another visitor: a new
 *      entry decided afresh, marked duplicate
 *   -> the temperature procedure (below)
 *   -> policy (policy.h) -> one entry, committed (store.h)
 *   -> outputs: LEDs, the relay pulse, which comes only after the entry is
 *      committed and carries its sequence number, then the screen and its
 *      voice prompt (a slow or failed screen never delays the door), and
 *      the buzzer.  A visit whose entry cannot be written keeps the door
 *      shut and refers to staff with store-fault.
 *
 * Screens (screen/screen.h) go through the board's display draw() (show()
 * for text-only backends): preview while scanning (each camera frame to
 * preview(), the frame read frozen), measuring and remeasure, then the
 * result state: admit, deny, refer, fever, fault (store-fault), stale
 * (referred because the rule set expired).  Each screen but idle plays its
 * voice prompt through the board's audio role, clip "<state>-<lang>" per
 * language in the screen order, except within the quiet hours (the fire
 * prompt always plays).  A display or sound card that fails becomes one
 * device-fault event (and so an alert) when it starts failing; the visit
 * goes on.
 *
 * Temperature procedure (interfaces.md, "Decisions and reasons"): each
 * reading is one measurement of thermo.h (N samples over a window, median,
 * outlier rejection, emissivity, skin-to-body offset and ambient term).  A
 * measurement with too few good samples (read errors, or values outside the
 * sensor's range -40.0 to 85.0 °C: e.g. -178 °C, domain.md lesson 9) counts
 * as a fault, and temp_tries faults give SNT_TEMP_FAULT; a skin reading
 * outside 34.0-43.0 °C or an ambient outside 10.0-40.0 °C asks the visitor
 * to measure again, up to temp_tries readings, then SNT_TEMP_IMPLAUSIBLE; a
 * body estimate at or above the fever threshold is measured once more and
 * gives SNT_TEMP_FEVER only if the second reading holds.  All waiting goes
 * through the board's clock.
 *
 * Registration ([checkin] register, board with an ID-card reader): after the
 * scan, a visitor who must register (snt_register) is asked on the screen
 * ("idcard") and by voice to place the card, and the reader is polled
 * every SNT_CARD_POLL_MS until card_timeout_ms.  A card read makes one
 * entry with the code and the temperature: its masked name ("张*") is the
 * entry's subject, and the detail record gets "idcard": {"last4": the
 * number's last four characters, "hash": the keyed hash of the number
 * (idcard.h) in hex when the rule set gives a key, "sealed": the SHA-256
 * of the sealed record in hex}.  The sealed record is the card's full text
 * as JSON ({"v": 1, "device", "time", "name", "sex", "nation", "birth",
 * "address", "number", "authority", "valid_from", "valid_to"}) sealed to
 * the bureau's key (snt_checkin_set_seal_key(); sign.h snt_seal(), the
 * bundles' layout), kept beside the entry (store.h
 * snt_store_personal_put()) and removed after personal_retention_ms
 * (snt_store_personal_purge(), after each visit, and snt_checkin_retention()
 * at the daemon's start and in its idle time); the chain covers its
 * digest, not the record.  Without a bureau key nothing is sealed.  The
 * card's text is wiped from memory once sealed.  A visit pass that names
 * its holder's card (rules.h "card") asks for the card whatever the mode
 * and is honoured only when the card read has that keyed hash; otherwise
 * it counts as a pass for another visitor (closed-mode).  A number failing its
 * check digit or a malformed text refers with id-invalid, a card outside
 * its validity on the day (China time) with id-expired.  A reader fault
 * (no answer, bad frame, card taken away, unplugged) is one device-fault
 * event naming it; the visit goes on as one without a card, as does a
 * visitor who places none in time.  A visitor who must register and has no
 * card read (none placed, a reader fault, or no reader on the board) refers
 * with id-missing, the screen saying so.  Under a rule set with an age
 * rule (rules.h min_age, max_age) the card's age on the visit's local day
 * (snt_idcard_age() of its birth date) is judged (policy.h
 * age-out-of-range; the "age" screen and prompt) and its holder's birth
 * year kept in the entry (entry.h birth_year); without an age rule no
 * birth year is kept.
 *
 * Clock: each entry's clock state is snt_clock_judge_step() of the board
 * clock against the latest trusted time seen (a wall clock that jumps ahead
 * of the monotonic time within a boot is untrusted); the first trusted entry of a boot
 * records the boot's start in UTC (snt_store_set_rebase()), from which the
 * boot's untrusted entries get a computed ("rebased") time when read.
 */
#ifndef SNT_CHECKIN_H
#define SNT_CHECKIN_H

#include <stdbool.h>
#include <stdint.h>

#include "common/common.h"
#include "hal.h"
#include "issuers/issuers.h"
#include "policy/policy.h"
#include "rules/rules.h"
#include "scan/scan.h"
#include "screen/screen.h"
#include "store/store.h"
#include "thermo/thermo.h"

#define SNT_TEMP_PLAUSIBLE_MIN_MDC 34000
#define SNT_TEMP_PLAUSIBLE_MAX_MDC 43000
#define SNT_TEMP_SENSOR_MIN_MDC (-40000)
#define SNT_TEMP_SENSOR_MAX_MDC 85000
#define SNT_TEMP_AMBIENT_MIN_MDC 10000
#define SNT_TEMP_AMBIENT_MAX_MDC 40000
#define SNT_DEDUP_SLOTS 32
/* The idle screen marks the gate offline when the bureau's last acknowledgement is older than this. */
#define SNT_CHECKIN_OFFLINE_MS (24LL * 3600 * 1000)
#define SNT_PASS_SLOTS 256		/* visit passes whose entries are remembered */
#define SNT_PASS_MEMORY_MS (48LL * 3600 * 1000)	/* sentineld restores pass use from this far back */
#define SNT_OVERRIDE_BADGE_MS 30000	/* a staff override needs a badge within this long (with rules) */
#define SNT_OVERRIDE_DENY_PRESS_MS 2000	/* a second staff-button press within this long denies */
#define SNT_CARD_POLL_MS 250		/* between reads of the ID-card reader while waiting for a card */

enum snt_checkin_err {
	SNT_CHECKIN_OK = 0,
	SNT_CHECKIN_ERR_INVAL,	/* NULL argument or bad configuration value */
	SNT_CHECKIN_ERR_NOMEM,
	SNT_CHECKIN_ERR_SCAN,	/* the scanner failed internally */
	SNT_CHECKIN_ERR_NO_VISIT,/* override: no refused visit within the window */
	SNT_CHECKIN_ERR_NO_RECORD,/* override: neither log nor journal took it; door shut */
	SNT_CHECKIN_ERR_FIRE,	/* refused while the fire alarm holds the door */
	SNT_CHECKIN_ERR_NO_BADGE,/* override under a rule set: no staff badge on the roster within 30 s */
	SNT_CHECKIN_ERR_OUTPUT,	/* an output could not be driven */
	SNT_CHECKIN_ERR_EVENT,	/* the door action was done but its event could not be logged */
	SNT_CHECKIN_ERR_NOT_REFERRED,/* deny override: the visit was denied already, not referred */
};

struct snt_config;

/* Who registers with a resident ID card ([checkin] register). */
enum snt_register {
	SNT_REGISTER_NONE = 0,		/* no one: the reader is not used */
	SNT_REGISTER_IDCARD,		/* every visitor (staff show their badge) */
	SNT_REGISTER_IDCARD_OR_PASS,	/* visitors without a valid visit pass */
};

struct snt_checkin_cfg {
	int64_t scan_timeout_ms;
	int64_t frame_interval_ms;
	unsigned int scan_budget_ms;	/* per-frame decode budget, 0: none (snt_scanner_set_budget()) */
	int64_t dedup_window_ms;
	int64_t temp_retry_ms;
	int64_t relay_pulse_ms;
	int64_t alert_ms;
	int temp_tries;
	int64_t override_window_ms;	/* staff may override a refusal this long after it */
	int64_t expected_stay_ms;	/* an admitted visitor counts as inside this long (the
					 * cap, snt_occupancy_*() of policy.h); 0: until an exit */
	int32_t fever_threshold_mdc;
	char duty_phone[32];
	char home[128];			/* the home's name, on every screen */
	enum snt_screen_order order;	/* language order of the screens */
	int quiet_from_min, quiet_to_min;	/* no voice prompts then (China time, minutes
						 * after midnight; fire excepted); -1 = none */
	struct snt_thermo_cfg thermo;	/* samples, window, compensation (thermo.h) */
	enum snt_register register_mode;
	int64_t card_timeout_ms;	/* how long a visitor has to place the ID card */
	int64_t personal_retention_ms;	/* sealed personal records are kept this long */
};

struct snt_temp_result {
	enum snt_temp_status status;
	bool has_value;		/* a reading was taken (the last one is kept) */
	int32_t mdc;		/* last reading used (body estimate, tenths), milli-°C */
	int32_t skin_mdc;	/* its skin value after emissivity, milli-°C */
	int32_t ambient_mdc;	/* its ambient, milli-°C */
	int readings;		/* plausible-range readings taken */
	int faults;		/* failed reads and far-off-range readings */
	struct snt_thermo_reading last;	/* the last measurement's figures (thermo.h), when has_value */
};

/* What one visit did; filled by snt_checkin_visit(). */
struct snt_visit {
	bool code_read;
	bool card_read;			/* a resident ID card was read (registration) */
	bool duplicate;			/* repeat scan: no entry, first decision repeated */
	enum snt_code_format format;
	enum snt_colour colour;
	struct snt_temp_result temp;
	struct snt_policy_result result;
	enum snt_door door;
	int64_t seq;			/* entry written (or repeated); 0 when none */
	enum snt_store_err store_err;	/* SNT_STORE_OK unless the entry failed */
	int camera_faults;		/* frames the camera could not deliver */
	int output_faults;		/* outputs that could not be driven */
	bool journaled;			/* override recorded in the fallback journal */
	int64_t duration_ms;
};

struct snt_checkin;
struct snt_journal;

/*
 * snt_checkin_cfg_from_config() - the visit settings of a loaded config
 * (units converted to milliseconds / milli-°C).
 */
void snt_checkin_cfg_from_config(const struct snt_config *cfg, struct snt_checkin_cfg *out);

/*
 * snt_checkin_new() - a check-in context over @board and @store (both
 * borrowed; they must outlive it), with its own scanner.
 * Return: SNT_CHECKIN_OK and *out; SNT_CHECKIN_ERR_INVAL for a NULL
 * argument or temp_tries < 1; SNT_CHECKIN_ERR_NOMEM (also when no random
 * key for the repeat window's card hashes can be made, RAND_bytes());
 * SNT_CHECKIN_ERR_SCAN when the scanner cannot be made.
 */
enum snt_checkin_err snt_checkin_new(const struct snt_checkin_cfg *cfg, struct snt_board *board,
				     struct snt_store *store, struct snt_checkin **out) SNT_WUR;

/*
 * snt_checkin_set_cfg() - replace the visit settings (after a configuration
 * reload); takes effect from the next visit.  The de-duplication memory is
 * kept.
 * Return: SNT_CHECKIN_OK; SNT_CHECKIN_ERR_INVAL for a NULL argument or
 * temp_tries < 1 (then nothing changes).
 */
enum snt_checkin_err snt_checkin_set_cfg(struct snt_checkin *ci,
					 const struct snt_checkin_cfg *cfg) SNT_WUR;

/* snt_checkin_free() - NULL does nothing. */
void snt_checkin_free(struct snt_checkin *ci);

/*
 * snt_checkin_visit() - run one visit (see the top of this file).
 * @out: receives what happened, also on error.
 * Return: SNT_CHECKIN_OK when the visit ran to a decision (whatever it was,
 * including a store fault, which out->store_err reports);
 * SNT_CHECKIN_ERR_INVAL; SNT_CHECKIN_ERR_SCAN when the scanner failed (the
 * door stays shut and no entry is written).
 */
enum snt_checkin_err snt_checkin_visit(struct snt_checkin *ci, struct snt_visit *out) SNT_WUR;

/*
 * snt_temp_measure() - the temperature procedure alone, on @board's
 * thermometer, display and clock.
 * Return: SNT_CHECKIN_OK and *out; SNT_CHECKIN_ERR_INVAL.
 */
enum snt_checkin_err snt_temp_measure(const struct snt_checkin_cfg *cfg, struct snt_board *board,
				      struct snt_temp_result *out) SNT_WUR;

struct snt_trust;

/*
 * snt_checkin_set_trust() - the trust store (trust/trust.h) every scanned
 * code is verified with (codes/verify.h); borrowed, NULL for none: then no
 * signed format verifies (they refer with signature-invalid) and health
 * codes are unverified as always.
 */
void snt_checkin_set_trust(struct snt_checkin *ci, const struct snt_trust *trust);

/*
 * snt_checkin_set_journal() - the fallback journal (journal.h) for
 * overrides the log cannot take, and whose records are merged before every
 * append; borrowed, NULL for none.
 */
void snt_checkin_set_journal(struct snt_checkin *ci, struct snt_journal *journal);

/*
 * snt_checkin_override() - the staff button after a refused visit: staff
 * admit the visitor (@decision SNT_DECISION_ADMIT, after a deny or a refer,
 * including one whose entry the log could not take) or turn them away
 * (@decision SNT_DECISION_DENY, after a refer only).  A new entry with the
 * first one's facts is written: decision admit with the reason
 * override-admit, or decision deny with the reason override-deny; its detail
 * record gets "override": {"by": the staff reference or "button",
 * "original": the first decision}.  It goes to the log, or, if the log
 * cannot take it, to the fallback journal under the sequence number the log
 * will give it; only then does the door open with that number (admit), or
 * the display says the visitor was refused by staff and the door stays shut
 * (deny).  One override per visit, within override_window_ms of it (checked
 * when this is called); under a rule set either needs a staff badge
 * (snt_checkin_set_rules()).  sentineld(8) maps the button to @decision:
 * one press admits, a second press within SNT_OVERRIDE_DENY_PRESS_MS of the
 * first denies (snt_checkin_override_can_deny()).
 * @out: what happened (seq, journaled, door, result).
 * Return: SNT_CHECKIN_OK; SNT_CHECKIN_ERR_INVAL (NULL, or @decision neither
 * admit nor deny); SNT_CHECKIN_ERR_NO_VISIT when there is no refused visit
 * within the window; SNT_CHECKIN_ERR_NOT_REFERRED for a deny when the visit
 * was denied already (it can still be admitted); SNT_CHECKIN_ERR_FIRE while
 * the fire alarm is active; SNT_CHECKIN_ERR_NO_BADGE (rule set: no staff
 * badge within SNT_OVERRIDE_BADGE_MS; the visit can still be overridden);
 * SNT_CHECKIN_ERR_SCAN; SNT_CHECKIN_ERR_NO_RECORD when neither the log nor the
 * journal could record it (the door stays shut).
 */
enum snt_checkin_err snt_checkin_override(struct snt_checkin *ci, enum snt_decision decision,
					  struct snt_visit *out) SNT_WUR;

/*
 * snt_checkin_override_can_deny() - whether a deny override would apply now:
 * the last visit was referred, within override_window_ms, and no fire alarm
 * holds the door.  Only then does a first press of the staff button wait
 * SNT_OVERRIDE_DENY_PRESS_MS for a second one (sentineld); otherwise it
 * admits at once.  False for NULL.
 */
bool snt_checkin_override_can_deny(const struct snt_checkin *ci);

/*
 * snt_checkin_exit() - the exit button: release the door for one pulse for
 * someone leaving; no entry (the relay line carries no sequence number), an
 * exit event in the log (store.h, SNT_EVENT_EXIT: occupancy counts it).
 * Return: SNT_CHECKIN_OK; SNT_CHECKIN_ERR_INVAL; SNT_CHECKIN_ERR_FIRE while
 * the fire alarm holds the door; SNT_CHECKIN_ERR_OUTPUT; SNT_CHECKIN_ERR_EVENT
 * when the door was released but the log refused the event.
 */
enum snt_checkin_err snt_checkin_exit(struct snt_checkin *ci) SNT_WUR;

/*
 * snt_checkin_fire_alarm() - the fire-alarm input changed: while @active the
 * door is held released (relay energised), the red LED and buzzer are on and
 * the display says so; no check-ins or overrides happen.  When it clears the
 * door locks again.  Both changes are logged as events (SNT_EVENT_FIRE_ALARM,
 * SNT_EVENT_FIRE_CLEAR), also when an output failed.
 * Return: SNT_CHECKIN_OK; SNT_CHECKIN_ERR_INVAL; SNT_CHECKIN_ERR_OUTPUT (an
 * output could not be driven); SNT_CHECKIN_ERR_EVENT (outputs done, the log
 * refused the event).
 */
enum snt_checkin_err snt_checkin_fire_alarm(struct snt_checkin *ci, bool active) SNT_WUR;

/*
 * snt_checkin_idle() - the idle screen between visitors: the home, "请出示健康码
 * / Show your health code", the duty phone, the time and the state marks
 * (clock not trusted, rules stale, entries the bureau has not acknowledged);
 * no voice prompt; nothing while the fire alarm holds the door (its screen
 * stays).  sentineld(8) shows it at start and when the visitor leaves
 * (presence clears).
 * Return: SNT_CHECKIN_OK; SNT_CHECKIN_ERR_INVAL; SNT_CHECKIN_ERR_OUTPUT when
 * the display failed (a device-fault event, once).
 */
enum snt_checkin_err snt_checkin_idle(struct snt_checkin *ci) SNT_WUR;

/*
 * snt_checkin_set_not_enrolled() - while @not_enrolled, snt_checkin_idle()
 * (and the end of a fire alarm) shows the not-enrolled screen (grey, "本机未登记
 * / Not enrolled: please call staff", no voice prompt) instead of the idle
 * one.  The caller runs no visit meanwhile (sentineld(8)); the fire alarm
 * and the exit button still work.  NULL @ci does nothing.
 */
void snt_checkin_set_not_enrolled(struct snt_checkin *ci, bool not_enrolled);

/* snt_checkin_fire_active() - whether the fire alarm holds the door. */
bool snt_checkin_fire_active(const struct snt_checkin *ci);

/*
 * snt_checkin_set_last_trusted() - the latest trusted wall time the gate saw
 * before this start (from the log), in ms since the epoch, the monotonic
 * time it was seen at and whether that was in this boot: entries are
 * trusted only when the board's clock is synchronised, not behind it and,
 * within one boot, not further ahead of it than the monotonic time elapsed
 * (snt_clock_judge_step()).  The context keeps it up to date afterwards;
 * a call replaces what it holds (at start, and at SIGHUP after a sync may
 * have corrected a poisoned time, store.h snt_store_correct_trusted()).
 */
void snt_checkin_set_last_trusted(struct snt_checkin *ci, int64_t utc_ms, int64_t mono_ms, bool same_boot);

/*
 * snt_checkin_set_rules() - the bureau's rule set (rules/rules.h) visits are
 * decided under from the next visit on, and the bureau's key that verifies
 * badges and passes ("SNB1:" codes); both borrowed, NULL for none.  Called
 * between visits (at start and SIGHUP), so a visit in progress keeps the set
 * it started with.
 *
 * With a rule set: the fever threshold is the set's; a frame's "SNB1:"
 * codes (badge, pass) are set aside and the health code is looked for in
 * the same frame or the following ones until the scan timeout (the display
 * asks for it), so badge and health code may be shown together or one after
 * the other; a verified badge whose reference is on the roster makes the
 * person staff (entry kind staff, detail "staff"); a verified pass goes to
 * the decision (closed mode) and its id to the detail ("pass"); every entry
 * records the set's version and staleness (detail "rules") and a stale set
 * is shown on the display.  Occupancy (snt_checkin_occupancy()) counts
 * admitted visitors minus exit-button releases.  The staff override needs a
 * staff badge (verified, on the roster) scanned within SNT_OVERRIDE_BADGE_MS
 * after the button (admit or deny), and records its reference ("override":
 * {"by"}).  Badges and passes are honoured only when addressed to @gate
 * (snt_rules_addressed(): its home, and its device id when they name
 * gates): another home's badge makes no staff and another home's pass
 * admits no one (wrong-home).  A pass admits one visitor once per visit
 * (snt_checkin_pass_restore(): pass-used while its holder is inside or its
 * entries are used up); an admitted entry with a pass, or an override
 * admitting one, counts as one of its entries, and every exit-button
 * release counts as its holder's leaving.
 * @gate: this gate's home and device id, copied; NULL: none (then no badge
 * or pass is addressed to it).
 */
void snt_checkin_set_rules(struct snt_checkin *ci, const struct snt_rules *rules, EVP_PKEY *bureau_pub,
			   const struct snt_rules_gate *gate);

/*
 * snt_checkin_set_issuers() - who besides the bureau signs the passes this
 * gate honours, from the next visit on (issuers/issuers.h
 * snt_issuers_credential_open()): @issuers, the home's issuer list (its
 * active gates' keys, and its revoked keys, whose passes refer with
 * issuer-revoked), and @own, this gate's device key (the passes its staff
 * issue with `sentinelctl pass issue`; its public half is used).  Both
 * borrowed, NULL for none; badges stay the bureau's alone.
 */
void snt_checkin_set_issuers(struct snt_checkin *ci, const struct snt_issuers *issuers, EVP_PKEY *own);

/*
 * snt_checkin_set_seal_key() - the bureau's public key ([sync] bureau_key)
 * that personal records of ID cards are sealed to; borrowed, NULL for none
 * (then none is made).
 */
void snt_checkin_set_seal_key(struct snt_checkin *ci, EVP_PKEY *bureau_pub);

/*
 * snt_checkin_retention() - remove the sealed personal records older than
 * personal_retention_ms (the removal recorded by the store,
 * snt_store_personal_purge()), unless that was done less than
 * SNT_RETENTION_EVERY_MS ago (monotonic); each visit does it too.  For the
 * daemon's start and its idle time, so records do not outlive their
 * retention at a gate nobody visits.  A failure is one device-fault event.
 */
#define SNT_RETENTION_EVERY_MS (3600 * 1000)
void snt_checkin_retention(struct snt_checkin *ci);

/*
 * snt_checkin_event_now() - @ev made ready for snt_store_event_add() at the
 * board @b now: its boot id, monotonic and wall time, @kind and @detail
 * (NULL: none; cut to fit).  ev->clock, left 0, is the caller's to judge.
 */
void snt_checkin_event_now(const struct snt_board *b, enum snt_event_kind kind, const char *detail,
			   struct snt_event *ev);

/*
 * snt_checkin_clock_trusted() - whether the board's wall time would be
 * trusted for an entry now (snt_clock_judge_step() against what the context has
 * seen), without recording anything.  False for NULL.
 */
bool snt_checkin_clock_trusted(const struct snt_checkin *ci);

/*
 * snt_checkin_set_rules_missing() - the gate had a rule set (the log says
 * so) and none verifies now (rules.h: neither rules.cose nor its kept
 * copy): while set and no rule set is given (snt_checkin_set_rules()),
 * every visit refers with rules-missing and the display says "rule set
 * missing: staff check everyone" (fail closed; the staff override works
 * with the button alone, as without a rule set).
 */
void snt_checkin_set_rules_missing(struct snt_checkin *ci, bool missing);

/*
 * snt_checkin_pass_restore() - what visit pass @id gave before this start
 * (from the log): @admits entries, and whether its holder is still inside
 * (no exit-button release after its last entry).  A pass admits one
 * visitor once per visit: while its holder is inside it refers with
 * pass-used, and after an exit it admits again up to its "uses" entries
 * (rules.h).  SNT_PASS_SLOTS passes are remembered, the longest unused one
 * giving way.  Nothing happens for NULL, "" or @admits 0.
 */
void snt_checkin_pass_restore(struct snt_checkin *ci, const char *id, uint32_t admits, bool inside);

/*
 * snt_checkin_occupancy_restore() - at start, replay the log's admitted
 * visitor entries (@exit false) and exit-button releases (@exit true) of
 * the current local day, in time order, at their times @utc_ms.
 */
void snt_checkin_occupancy_restore(struct snt_checkin *ci, bool exit, int64_t utc_ms);

/*
 * snt_checkin_occupancy() - visitors inside now, as the cap counts them:
 * admitted this local day ([station] timezone), within the expected stay,
 * less exits (snt_occupancy_count() of policy.h).
 */
int64_t snt_checkin_occupancy(struct snt_checkin *ci);

/* snt_checkin_strerror() - static English text; never NULL. */
const char *snt_checkin_strerror(enum snt_checkin_err err);

#endif /* SNT_CHECKIN_H */
