/* SPDX-License-Identifier: MIT */
/*
 * sentineld_internal.h: what the files of the gate daemon share, for use
 * only by firmware/sentineld*.c: the daemon's context (main's struct, the
 * one place for its mutable state) and the start-up steps of
 * sentineld_start.c: the configuration check, the log's lock, head, journal
 * and seal, the trust store, and what the log tells of the time before this
 * start (trusted time, visitors inside, visit passes used).
 */
#ifndef SNT_SENTINELD_INTERNAL_H
#define SNT_SENTINELD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checkin/checkin.h"
#include "config/config.h"
#include "hal.h"
#include "journal/journal.h"
#include "log/log.h"
#include "notify/notify.h"
#include "rules/rules.h"
#include "store/store.h"
#include "issuers/issuers.h"
#include "trust/trust.h"
#include "trustlist/trustlist.h"

/* Everything the daemon owns: the one place for mutable state. */
struct ctx {
	const char *config_path;
	bool check_only;
	bool foreground;
	int verbose;
	struct snt_config cfg;
	struct snt_log log;
	struct snt_board *board;
	struct snt_store *store;
	struct snt_checkin *checkin;
	struct snt_journal *journal;
	struct snt_trust *trust;	/* [station] trust; NULL when not configured */
	struct snt_rules *rules;	/* the bureau's rule set ([rules] dir); NULL = none */
	EVP_PKEY *bureau_pub;		/* [sync] bureau_key, which verifies it; NULL = none */
	EVP_PKEY *seal_pub;		/* [sync] bureau_key, which ID-card records are sealed to; NULL = none */
	bool pending;			/* a pending set waits for its valid_from (rules.h) */
	bool rules_missing;		/* the gate had a rule set and none verifies: everyone refers */
	int64_t pending_from_ms;	/* its valid_from */
	struct snt_rules_stamp rules_stamp;	/* [rules] dir's files when last loaded (rules.h) */
	struct snt_file_stamp trust_stamp;	/* [rules] dir's trust.cose when last looked at (trustlist.h) */
	uint64_t trust_version;		/* the bureau's trust list in use; 0: [station] trust's files */
	struct snt_issuers *issuers;	/* the home's issuer list ([rules] dir); NULL = none */
	struct snt_file_stamp issuers_stamp;	/* [rules] dir's issuers.cose when last looked at (issuers.h) */
	EVP_PKEY *own_key;		/* [sync] device_key: this gate's own passes verify with it; NULL = none */
	int sigfd;
	int lockfd;			/* "<db>.lock", flock'd: one daemon per log */
	unsigned long visits;
	struct snt_notify notify;	/* systemd: READY, WATCHDOG, STOPPING */
	int64_t watchdog_sent;		/* board clock ms of the last WATCHDOG=1 */
	bool press_armed;		/* staff button pressed once after a referral: */
	int64_t press_deadline;		/* board clock ms until which a second press denies */
};

/* sentineld_start.c */

/*
 * The trust store of [station] trust (trust/trust.h): NULL without the key.
 * Return: 0 and *@out; -1 with a message in @err (names the key and path).
 */
int sentineld__load_trust(const struct snt_config *cfg, struct snt_trust **out, char *err, size_t size);

/*
 * Visitors inside at start, for the rule set's cap: today's ([station]
 * timezone) admitted visitor entries and exit-button releases in the log,
 * replayed in time order (each admission counts for the expected stay).
 */
void sentineld__restore_occupancy(struct ctx *c);

/*
 * The latest trusted time from the log (at start and at SIGHUP: a sync may
 * have corrected it, sync.h), and where it lies on this boot's monotonic
 * line when this boot had trusted time before (a restart: its rebase
 * record), for snt_clock_judge_step().
 */
void sentineld__load_last_trusted(struct ctx *c);

/*
 * What the visit passes gave before this start, from the log: admitted
 * visitor entries of the last SNT_PASS_MEMORY_MS with a "pass" in their
 * detail, and whether an exit followed each pass's last entry.
 */
void sentineld__restore_passes(struct ctx *c);

/*
 * Why the log database at @path cannot be used, for the operator: checked
 * without creating anything.  Return 0 when it looks usable.
 */
int sentineld__explain_db(const char *path, char *buf, size_t size);

/*
 * `sentineld -n`: everything start-up would check, creating nothing; says
 * what is wrong on stderr.  Return the exit status: 0 when start-up would
 * get past these checks, 1 otherwise.
 */
int sentineld__check_config(struct ctx *c);

/*
 * The fallback journal beside the log ("<db>.journal"): overrides recorded
 * while the log could not be written go into the log now, in order.
 * Return 0 (a merge that stopped part-way is logged), -1 when the journal
 * cannot be opened (logged).
 */
int sentineld__open_journal(struct ctx *c);

/*
 * Before anything is appended (the fallback journal's merge included): the
 * log's head against its head file (store.h).  A log that went backwards or
 * forked is refused with both figures, so no sequence number is ever given
 * twice; a log without a head file yet (new, or from before schema 5) gets
 * one.  Return 0 to go on, -1 when refused (logged).
 */
int sentineld__check_head(struct ctx *c);

/*
 * Seal the entries with the gate's evolving key (fss.h) beside [sync]
 * device_key, when `sentinelctl keys init` made one.  Without it the gate
 * serves unsealed (logged).
 */
void sentineld__attach_seal(struct ctx *c);

/*
 * One daemon per log: a second one would drive the same door and chain.
 * Holds an exclusive flock(2) on "<db>.lock" in c->lockfd.  Return 0, or
 * -1 when another daemon holds it or the file cannot be used (logged).
 */
int sentineld__lock_instance(struct ctx *c);

/*
 * SIGPIPE ignored; SIGINT, SIGTERM and SIGHUP blocked and read from
 * c->sigfd (signalfd(2)).  Return 0, or -1 with errno set.
 */
int sentineld__setup_signals(struct ctx *c);

#endif
