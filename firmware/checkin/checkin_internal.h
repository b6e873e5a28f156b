/* SPDX-License-Identifier: MIT */
/*
 * checkin_internal.h: what the files of firmware/checkin/ share, for use only
 * inside firmware/checkin/: the check-in's struct, its memory of recent scans
 * and visit passes (checkin_memory.c), the screens and voice prompts of a
 * visit (checkin_screen.c), registration with a resident ID card
 * (checkin_card.c) and the event log call the screens and registration use
 * (checkin.c).
 */
#ifndef SNT_CHECKIN_INTERNAL_H
#define SNT_CHECKIN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "checkin/checkin.h"

struct snt_journal;

struct dedup_slot {
	bool used;
	int64_t mono_ms;		/* when the first scan was decided */
	size_t len;
	uint8_t payload[SNT_SCAN_MAX_PAYLOAD];
	struct snt_visit first;		/* what the gate did then */
	bool card_read;			/* a card was read then (registration) */
	bool has_card;			/* card holds its number's hash under the gate's key of the day */
	uint8_t card[32];
};

/* What a visit pass has given (checkin.h, snt_checkin_pass_restore()). */
struct pass_use {
	bool used;
	char id[SNT_CREDENTIAL_ID_LEN];
	uint32_t admits;		/* entries it gave */
	uint64_t exit_mark;		/* ci->exits at its last entry: holder inside while equal */
	int64_t last_mono_ms;		/* when, for reuse of the slot */
};

struct snt_checkin {
	struct snt_checkin_cfg cfg;
	struct snt_board *board;
	struct snt_store *store;
	struct snt_journal *journal;	/* fallback for overrides; may be NULL */
	const struct snt_trust *trust;	/* issuer keys for signed codes; may be NULL */
	struct snt_scanner *scanner;
	struct dedup_slot dedup[SNT_DEDUP_SLOTS];
	/* The last decided visit, for a staff override. */
	bool have_last;
	int64_t last_mono_ms;
	struct snt_entry last;
	uint8_t last_payload[SNT_SCAN_MAX_PAYLOAD];
	bool fire;			/* fire alarm active: door held released */
	bool not_enrolled;		/* the idle screen is the not-enrolled one */
	struct snt_clock_anchor anchor;	/* latest trusted wall time seen, and when */
	bool rebased;			/* this boot's start time is in the log */
	const struct snt_rules *rules;	/* the bureau's rule set; may be NULL */
	EVP_PKEY *bureau_pub;		/* verifies badges and passes; may be NULL */
	const struct snt_issuers *issuers;	/* the home's issuer list: sibling gates' passes; may be NULL */
	EVP_PKEY *own_key;		/* this gate's device key: its own passes; may be NULL */
	EVP_PKEY *seal_pub;		/* personal records are sealed to it; may be NULL */
	bool have_gate;			/* home and device_id are set */
	char home[SNT_RULES_HOME_LEN];	/* this gate's home and device id: badges and passes must name them */
	char device_id[SNT_RULES_GATE_LEN];
	struct snt_occupancy occ;	/* visitors inside, for the cap (policy.h) */
	bool display_down;		/* the display failed; reported once until it works */
	bool audio_down;		/* the sound card failed; likewise */
	bool rules_missing;		/* had a rule set, none verifies: everyone refers */
	uint64_t exits;			/* exit-button releases so far */
	struct pass_use passes[SNT_PASS_SLOTS];
	bool retention_done;		/* personal records purged at retention_mono_ms */
	int64_t retention_mono_ms;
	/*
	 * Random, made with the context and held only in memory: the key of the
	 * card hashes the de-duplication window compares (a repeat counts as one
	 * only with the card read the first time), with or without a rule set.
	 */
	uint8_t card_key[32];
};
/* What registration kept of a card: nothing of it but this. */
struct checkin__card {
	bool read;			/* a card was read */
	bool invalid;			/* malformed text or a wrong check digit */
	bool expired;			/* outside its validity on the day */
	bool has_age;			/* age holds the holder's age (the birth date is a real date) */
	uint32_t age;			/* whole years on the local day of the visit (snt_idcard_age()) */
	int32_t birth_year;		/* the birth date's year when has_age, else 0 */
	char masked[SNT_SUBJECT_LEN];	/* "张*" */
	char last4[8];
	bool has_hash;			/* hash holds the keyed hash (the rule set has idcard_key) */
	uint8_t hash[32];
	bool has_repeat;		/* repeat holds the number's hash under ci->card_key */
	uint8_t repeat[32];
	uint8_t *sealed;		/* the full record sealed to the bureau, or NULL; owned */
	size_t sealed_len;
	uint8_t digest[32];		/* SHA-256 of sealed */
};

/* checkin.c */

/* Log an event of @kind now, with @detail (NULL: none); false if the log refused it. */
bool checkin__log_event(struct snt_checkin *ci, enum snt_event_kind kind, const char *detail);

/* checkin_screen.c: what the visitor sees and hears. */

/*
 * Show the screen of state @st with message @text (and @temp's value on a
 * result; @progress, 0-100 percent or -1 for none, on the measuring
 * screens) on @b's display, then its voice prompt.  @ci may be NULL (no
 * state marks, no device-fault events).  Return 0, or 1 when the display
 * failed.
 */
int checkin__screen_at(struct snt_checkin *ci, const struct snt_checkin_cfg *cfg, struct snt_board *b,
		       enum snt_screen_state st, const char *text, const struct snt_temp_result *temp,
		       int progress);
/* checkin__screen_at() with the measuring screen's bar at 0 and no bar elsewhere. */
int checkin__screen(struct snt_checkin *ci, const struct snt_checkin_cfg *cfg, struct snt_board *b,
		    enum snt_screen_state st, const char *text, const struct snt_temp_result *temp);
/* The screen of a check-in, its facts from @ci: checkin__screen() on @ci's board. */
int checkin__show(struct snt_checkin *ci, enum snt_screen_state st, const char *text);
/* Camera frame @frame on the preview screen (@frozen: the one a code was read from). */
void checkin__preview(struct snt_checkin *ci, const struct snt_frame *frame, bool frozen);
/*
 * The message for decided visit @v into @buf (@size bytes, NUL-terminated,
 * cut to fit), naming @ci's duty phone when staff are needed.
 */
void checkin__decision_message(const struct snt_checkin *ci, const struct snt_visit *v, char *buf,
			       size_t size);
/* The result screen of decided visit @v. */
enum snt_screen_state checkin__result_state(const struct snt_visit *v);

/* checkin_memory.c: recent scans and visit passes. */

/* The slot of payload @p (@len bytes) decided within the window before @now (monotonic ms), or NULL. */
struct dedup_slot *checkin__dedup_find(struct snt_checkin *ci, const uint8_t *p, size_t len, int64_t now);
/*
 * Remember visit @v decided at @now for payload @p (@len bytes, at most
 * SNT_SCAN_MAX_PAYLOAD) with card @card read for it (NULL: none asked
 * for): in the payload's own slot, else an empty or expired one, else the
 * oldest.
 */
void checkin__dedup_remember(struct snt_checkin *ci, const uint8_t *p, size_t len, int64_t now,
			     const struct snt_visit *v, const struct checkin__card *card);
/*
 * Whether card @c (what was read now; NULL: none asked for) is the one read
 * for @d's first visit: both with no card read, or both with the same
 * number (its hash under ci->card_key).  A card read whose number could not
 * be hashed matches nothing.
 */
bool checkin__dedup_same_card(const struct dedup_slot *d, const struct checkin__card *c);
/* The use record of pass @id, or NULL. */
struct pass_use *checkin__pass_find(struct snt_checkin *ci, const char *id);
/* Pass @id's record, made (in a free slot or the longest unused one) when new. */
struct pass_use *checkin__pass_slot(struct snt_checkin *ci, const char *id);
/* Pass @id gave an entry now: its holder is inside. */
void checkin__pass_admitted(struct snt_checkin *ci, const char *id);

/* checkin_card.c: registration with a resident ID card. */

/*
 * Ask for the card (screen and voice) and poll @ci's reader every
 * SNT_CARD_POLL_MS until a card is read, [checkin] card_timeout_ms passes
 * or the reader faults (one device-fault event naming the fault); @c is
 * cleared first, then holds what was read (its sealed record owned by @c:
 * checkin__card_drop() or checkin__card_keep()).  The card's text is wiped
 * before returning.
 */
void checkin__card_read(struct snt_checkin *ci, struct checkin__card *c);
/*
 * The detail record's "idcard" member for @c: {last4, hash when keyed,
 * sealed: the sealed record's SHA-256 in hex}, new reference; NULL when no
 * card text was read.
 */
json_t *checkin__card_detail(const struct checkin__card *c);
/*
 * After entry @e was appended: keep @c's sealed record beside it
 * (snt_store_personal_put()), then remove the records older than [retention]
 * personal_days (the purge recorded by the store); a failure is one
 * device-fault event.  @c's sealed record is freed.
 */
void checkin__card_keep(struct snt_checkin *ci, const struct snt_entry *e, struct checkin__card *c);
/* Free @c's sealed record, if any (a visit that makes no entry). */
void checkin__card_drop(struct checkin__card *c);

#endif
