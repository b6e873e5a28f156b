/* SPDX-License-Identifier: MIT */
/*
 * rules: the bureau's rule set for one care home - versioned, signed by the
 * bureau, installed atomically, judged for staleness.
 *
 * A rule set is a COSE_Sign1 with ES256 (sign/sign.h, RFC 9052 §4.2,
 * RFC 9053 §2.1) made with the bureau's P-256 key, whose payload is one
 * CBOR map (RFC 8949) with exactly these text keys, each once:
 *   "type"                "rules"
 *   "v"                   2 (format version of this map; version 1 named
 *                         no home and is refused)
 *   "home"                the care home the set is for, as the gate's
 *                         [station] home: tstr, 1-127 bytes of text
 *   "gates"               optional: array of 1-64 [station] device_id
 *                         values (1-63 printable ASCII, distinct); when
 *                         given, only these gates of the home take the set
 *   "version"             uint >= 1: the rule set's number; an install must
 *                         be newer than the active one
 *   "mode"                "open" | "closed"
 *   "fever_threshold_mdc" int, milli-°C, 37000-39000
 *   "colours"             array of "green" | "yellow": the health-code
 *                         colours the gate accepts; "green" is required;
 *                         "yellow" lets a yellow code be referred to staff
 *                         instead of denied (policy.h)
 *   "formats"             array of "healthcode" | "hcert" | "lt1" | "nzcp" |
 *                         "shc" (codes.h names): the code formats accepted
 *   "max_visitors"        uint: visitors inside at once in open mode; 0 = no cap
 *   "risk_regions"        array of six-digit GB/T 2260 codes as
 *                         snt_code_region() reports them; "xx0000" covers
 *                         a province, "xxxx00" a prefecture
 *   "staff"               array of maps {"ref": tstr 1-32 printable ASCII,
 *                         "name": masked name, tstr 1-63 bytes of text,
 *                         "last_test": "YYYY-MM-DD"} with distinct refs
 *   "max_test_age_days"   uint 1-366 (the notice: 7)
 *   "valid_from"          ms since the epoch (UTC): before it the set is
 *                         kept pending (below), not used
 *   "valid_until"         ms, > valid_from: past it the set is stale
 *   "hard_limit_ms"       uint ms after valid_until when unattended
 *                         admission stops (expired)
 *   "issued"              ms: the bureau's time stamp
 *   "idcard_key"          optional bstr of 16-64 bytes: the home's key of
 *                         the keyed hash of ID-card numbers
 *                         (snt_idcard_number_hash()): repeat visits and
 *                         passes naming their holder's card match by it
 *   "min_age", "max_age"  optional uint 0-150 each, whole years, min_age <=
 *                         max_age when both: the age rule.  A visitor whose
 *                         resident ID card shows an age outside it (on the
 *                         local day of the visit, from the card's birth
 *                         date) refers with age-out-of-range (policy.h); a
 *                         set with an age rule makes the gate keep the card
 *                         holder's birth year in the entry, one without it
 *                         keeps none
 * Lists hold at most SNT_RULES_MAX_* items.  Anything else (an unknown or
 * repeated key, a wrong type, a value out of range, trailing bytes) is
 * refused, naming the field.
 *
 * A set is for one home (and, with "gates", for some of its gates): a gate
 * whose [station] home or device_id it does not name refuses it at install
 * and at load (SNT_RULES_ERR_ELSEWHERE), whatever its version, and an active
 * or pending set addressed elsewhere counts as none when a new set's
 * version is compared (so a foreign set of version 999 never blocks the
 * home's own updates).
 *
 * Files in <dir>, each the verified COSE_Sign1 bytes as received:
 *   rules.cose          the active set
 *   rules.kept.cose     a second copy of the active set (the last good set):
 *                       used when rules.cose is missing, damaged or
 *                       addressed elsewhere (snt_rules_load() says so)
 *   rules.pending.cose  a set whose valid_from has not come yet; it takes
 *                       over (snt_rules_promote()) once the gate's trusted
 *                       clock reaches valid_from
 * Every write goes to <file>.tmp, is fsync'd, renamed over <file>, and the
 * directory is fsync'd, so a power cut leaves either the old or the new
 * file, never a mix; the old set stays until the new one is fully checked.
 * A running gate takes a new set at SIGHUP, and by itself between visits
 * when these files change (snt_rules_dir_stamp()); a visit in progress keeps
 * the set it started with.  The JSON the bureau signs is sentinel-rules(5).
 */
#ifndef SNT_RULES_H
#define SNT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "codes/codes.h"
#include "common/common.h"
#include "entry/entry.h"

#define SNT_RULES_FILE "rules.cose"
#define SNT_RULES_TMP_FILE "rules.cose.tmp"
#define SNT_RULES_KEPT_FILE "rules.kept.cose"
#define SNT_RULES_PENDING_FILE "rules.pending.cose"
#define SNT_RULES_DEFAULT_DIR "/var/lib/sentinel"
#define SNT_RULES_MAX_FILE 1048576	/* largest rule-set file read, bytes */
#define SNT_RULES_MAX_REGIONS 1024
#define SNT_RULES_MAX_STAFF 1024
#define SNT_RULES_REF_LEN 33		/* staff reference: 32 characters + NUL */
#define SNT_RULES_NAME_LEN 64		/* masked name: 63 bytes + NUL */
#define SNT_RULES_DATE_LEN 11		/* "YYYY-MM-DD" + NUL */
#define SNT_RULES_HOME_LEN 128		/* home: 127 bytes + NUL (as [station] home) */
#define SNT_RULES_GATE_LEN 64		/* gate: 63 characters + NUL (as [station] device_id) */
#define SNT_RULES_MAX_GATES 64		/* gates named by a rule set */

enum snt_rules_err {
	SNT_RULES_OK = 0,
	SNT_RULES_ERR_INVAL,	/* NULL argument */
	SNT_RULES_ERR_NOMEM,
	SNT_RULES_ERR_NONE,	/* no rule set installed (<dir>/rules.cose missing) */
	SNT_RULES_ERR_IO,	/* a file could not be read, written, fsync'd or renamed (errno kept) */
	SNT_RULES_ERR_TOO_LARGE,/* the file is larger than SNT_RULES_MAX_FILE */
	SNT_RULES_ERR_SIGNATURE,/* not a COSE_Sign1 ES256 by the bureau's key, or altered */
	SNT_RULES_ERR_PAYLOAD,	/* the signed payload is not a valid rule set (the message names the field) */
	SNT_RULES_ERR_OLD,	/* install: version not newer than the active (or pending) set's */
	SNT_RULES_ERR_ELSEWHERE,/* addressed to another home, or to other gates of this one */
};

/*
 * The gate a rule set, badge or pass must be addressed to: [station] home
 * and device_id (config.h).  Both borrowed.
 */
struct snt_rules_gate {
	const char *home;
	const char *device_id;
};

enum snt_rules_mode {
	SNT_RULES_OPEN = 0,	/* visitors come and go, up to max_visitors inside */
	SNT_RULES_CLOSED,	/* closed management: visitors need a visit pass */
};

/* Staleness of a rule set at a given time (snt_rules_freshness()). */
enum snt_rules_freshness {
	SNT_RULES_FRESH = 0,	/* before valid_until */
	SNT_RULES_STALE,	/* past valid_until: still used, every entry marked rules-stale */
	SNT_RULES_EXPIRED,	/* past valid_until + hard_limit_ms: no unattended admission */
};

struct snt_rules_staff {
	char ref[SNT_RULES_REF_LEN];		/* staff reference (badge) */
	char name[SNT_RULES_NAME_LEN];		/* masked name */
	char last_test[SNT_RULES_DATE_LEN];	/* "YYYY-MM-DD" */
	int32_t last_test_day;			/* the same as days since 1970-01-01 */
};

/* A decoded rule set; one allocation, freed with snt_rules_free(). */
#define SNT_RULES_AGE_MAX 150		/* the largest min_age or max_age, years */
#define SNT_RULES_IDCARD_KEY_MIN 16
#define SNT_RULES_IDCARD_KEY_MAX 64

struct snt_rules {
	uint64_t version;
	char home[SNT_RULES_HOME_LEN];
	size_t n_gates;			/* 0: every gate of the home */
	char gates[SNT_RULES_MAX_GATES][SNT_RULES_GATE_LEN];
	enum snt_rules_mode mode;
	int32_t fever_threshold_mdc;
	unsigned int colours;		/* bit (1u << enum snt_colour) */
	unsigned int formats;		/* bit (1u << enum snt_code_format) */
	uint32_t max_visitors;		/* 0 = no cap */
	uint32_t max_test_age_days;
	int64_t valid_from_ms;
	int64_t valid_until_ms;
	int64_t hard_limit_ms;		/* after valid_until */
	int64_t issued_ms;
	size_t n_regions;
	char regions[SNT_RULES_MAX_REGIONS][SNT_REGION_LEN];
	size_t n_staff;
	struct snt_rules_staff staff[SNT_RULES_MAX_STAFF];
	size_t idcard_key_len;		/* 0: the set gives no key */
	uint8_t idcard_key[SNT_RULES_IDCARD_KEY_MAX];
	bool has_min_age, has_max_age;	/* the age rule's bounds given (neither: no age rule) */
	uint32_t min_age, max_age;	/* whole years, 0-SNT_RULES_AGE_MAX, when given */
};

/*
 * snt_rules_age_rule() - whether @r (may be NULL: no) has an age rule
 * ("min_age" or "max_age").
 */
bool snt_rules_age_rule(const struct snt_rules *r);

/*
 * snt_rules_age_allowed() - whether @age (whole years) is inside @r's age
 * rule: at least min_age and at most max_age, each when given.  True when
 * @r is NULL or has no age rule.
 */
bool snt_rules_age_allowed(const struct snt_rules *r, uint32_t age);

/*
 * snt_rules_decode() - strictly decode a rule-set payload (the CBOR map
 * above, already taken out of its verified COSE_Sign1).
 * @buf, @len: the payload; hostile.
 * @out: receives a new rule set (snt_rules_free()).
 * @errbuf, @errlen: on SNT_RULES_ERR_PAYLOAD, one line naming the field and
 *     what is wrong, e.g. "field 'staff[2].last_test': not a date
 *     YYYY-MM-DD"; may be NULL/0.
 * Return: SNT_RULES_OK; SNT_RULES_ERR_INVAL; SNT_RULES_ERR_NOMEM;
 * SNT_RULES_ERR_PAYLOAD.
 */
enum snt_rules_err snt_rules_decode(const uint8_t *buf, size_t len, struct snt_rules **out, char *errbuf,
				    size_t errlen) SNT_WUR;

/*
 * snt_rules_open() - verify a signed rule set (COSE_Sign1 ES256 with the
 * bureau's key, kid checked; snt_sign1_open()) and decode its payload.
 * @bureau_pub: the bureau's P-256 public key ([sync] bureau_key).
 * Return: SNT_RULES_OK and *out; SNT_RULES_ERR_INVAL; SNT_RULES_ERR_NOMEM;
 * SNT_RULES_ERR_SIGNATURE (@errbuf names the sign.h reason: not COSE, other
 * key, signature); SNT_RULES_ERR_PAYLOAD.
 */
enum snt_rules_err snt_rules_open(const uint8_t *buf, size_t len, EVP_PKEY *bureau_pub,
				  struct snt_rules **out, char *errbuf, size_t errlen) SNT_WUR;

/*
 * snt_rules_addressed() - whether a set, badge or pass naming @home and
 * @gates (@n_gates of them, 0: the whole home) is for @gate.
 * Return: SNT_RULES_OK; SNT_RULES_ERR_INVAL (NULL); SNT_RULES_ERR_ELSEWHERE
 * with @errbuf saying "addressed to home 'A', this gate's home is 'B'" or
 * "addressed to gates of home 'A' other than 'g'" (an unset home reads '').
 */
enum snt_rules_err snt_rules_addressed(const char *home, const char (*gates)[SNT_RULES_GATE_LEN],
				       size_t n_gates, const struct snt_rules_gate *gate, char *errbuf,
				       size_t errlen) SNT_WUR;

/*
 * What the files of a rules directory are now (snt_rules_dir_stamp()): for
 * each of rules.cose, rules.kept.cose and rules.pending.cose its inode,
 * size and change time (all 0 when it is absent).  An install replaces a
 * file by rename(2), which always gives it a new inode and change time, so
 * two stamps that differ mean the directory changed.
 */
struct snt_rules_stamp {
	struct {
		uint64_t dev, ino, size;
		int64_t ctime_ns, mtime_ns;
	} file[3];
};

/*
 * snt_rules_dir_stamp() - stat(2) the three files of @dir into @out (a
 * missing file, or one that cannot be stat'ed, reads as all 0).  Nothing
 * is opened or read; cheap enough to call between every two visits.
 */
void snt_rules_dir_stamp(const char *dir, struct snt_rules_stamp *out);

/* snt_rules_stamp_equal() - whether two stamps describe the same files. */
bool snt_rules_stamp_equal(const struct snt_rules_stamp *a, const struct snt_rules_stamp *b);

/* What snt_rules_load() found. */
struct snt_rules_load_info {
	bool kept;		/* rules.cose failed; the set came from rules.kept.cose */
	char active_error[256];	/* with kept: why rules.cose failed */
	bool pending;		/* a pending set verifies (rules.pending.cose), newer than the active one */
	uint64_t pending_version;
	int64_t pending_from_ms;/* its valid_from */
};

/*
 * snt_rules_load() - the active rule set for @gate (at start and at SIGHUP):
 * <@dir>/rules.cose, verified and decoded as snt_rules_open() and addressed
 * to @gate; when that fails, the kept copy rules.kept.cose (@info->kept,
 * with why in @info->active_error).  A pending set is looked at too
 * (@info->pending) but never returned here: snt_rules_promote() makes it
 * active.
 * @info: may be NULL.
 * Return: SNT_RULES_OK and *out; SNT_RULES_ERR_NONE when neither file
 * exists; otherwise the error of rules.cose (or, when rules.cose does not
 * exist, of the kept copy): SNT_RULES_ERR_IO; SNT_RULES_ERR_TOO_LARGE;
 * SNT_RULES_ERR_ELSEWHERE; and the errors of snt_rules_open(); @errbuf
 * names the file.
 */
enum snt_rules_err snt_rules_load(const char *dir, EVP_PKEY *bureau_pub, const struct snt_rules_gate *gate,
				  struct snt_rules **out, struct snt_rules_load_info *info, char *errbuf,
				  size_t errlen) SNT_WUR;

/*
 * snt_rules_promote() - a pending set whose time has come becomes the
 * active one: when rules.pending.cose verifies, is addressed to @gate, is
 * newer than the active set and @now_ms >= its valid_from on a clock that
 * is trusted (@clock_trusted), it is written as rules.cose and
 * rules.kept.cose and the pending file is removed (each step atomic, as
 * install).  A pending set that does not verify, is addressed elsewhere or
 * is not newer than the active one is removed.
 * @promoted: receives whether it was promoted (may be NULL).
 * Return: SNT_RULES_OK (promoted or not); SNT_RULES_ERR_INVAL;
 * SNT_RULES_ERR_NOMEM; SNT_RULES_ERR_IO (@errbuf names the file).
 */
enum snt_rules_err snt_rules_promote(const char *dir, EVP_PKEY *bureau_pub, const struct snt_rules_gate *gate,
				     int64_t now_ms, bool clock_trusted, bool *promoted, char *errbuf,
				     size_t errlen) SNT_WUR;

/* What snt_rules_install() did. */
struct snt_rules_install_result {
	uint64_t version;		/* the installed set's version */
	uint64_t previous;		/* the active set's version before, 0 = none */
	enum snt_rules_freshness freshness;	/* of the new set at @now_ms */
	bool pending;			/* not valid yet at @now_ms: kept as rules.pending.cose */
	int64_t valid_from_ms;		/* the new set's valid_from */
};

/*
 * snt_rules_install() - take @buf (a signed rule set) if it verifies with
 * @bureau_pub, decodes, is addressed to @gate and its version is newer than
 * those of the active and the pending set in @dir (a file that does not
 * verify or is addressed elsewhere counts as none).  Valid at @now_ms
 * (valid_from <= @now_ms): it becomes the active set (rules.cose and
 * rules.kept.cose) and an older pending set is removed; not yet valid: it
 * becomes the pending set (@res->pending) and the active set stays until
 * snt_rules_promote().  Each file is replaced atomically (top of this
 * file), rules.cose first: an error before it is renamed changes nothing;
 * one after it (writing the kept copy, removing the pending set) leaves the
 * new set active and is still reported.
 * @now_ms: the time validity and freshness are judged at.
 * @res: may be NULL.
 * Return: SNT_RULES_OK; SNT_RULES_ERR_INVAL; SNT_RULES_ERR_NOMEM;
 * SNT_RULES_ERR_TOO_LARGE; SNT_RULES_ERR_SIGNATURE; SNT_RULES_ERR_PAYLOAD;
 * SNT_RULES_ERR_ELSEWHERE (@errbuf names the home or gate); SNT_RULES_ERR_OLD
 * (@errbuf names both versions); SNT_RULES_ERR_IO when a file cannot be
 * written, fsync'd or renamed, or an existing one cannot be read (errno
 * kept; @errbuf names the file).
 */
enum snt_rules_err snt_rules_install(const char *dir, EVP_PKEY *bureau_pub, const struct snt_rules_gate *gate,
				     const uint8_t *buf, size_t len, int64_t now_ms,
				     struct snt_rules_install_result *res, char *errbuf, size_t errlen) SNT_WUR;

/* snt_rules_free() - NULL does nothing. */
void snt_rules_free(struct snt_rules *r);

/* snt_rules_freshness() - FRESH before valid_until, STALE up to the hard limit, then EXPIRED. */
enum snt_rules_freshness snt_rules_freshness(const struct snt_rules *r, int64_t now_ms);

/* snt_rules_freshness_name() - "fresh", "stale" or "expired". */
const char *snt_rules_freshness_name(enum snt_rules_freshness f);

/* snt_rules_mode_name() - "open" or "closed". */
const char *snt_rules_mode_name(enum snt_rules_mode m);

/*
 * snt_rules_event_version() - the version that a rules event's @detail
 * names ("version N (mode)", as sentineld records a set it takes): with the
 * log's last rules event (snt_store_event_last()), the set last in force.
 * A set whose version is below it goes back to rules the bureau has
 * replaced: sentineld refuses to take it and `sentinelctl policy install`
 * to install it.  Return: N; 0 for NULL or a detail that names none.
 */
uint64_t snt_rules_event_version(const char *detail);

/*
 * snt_rules_staff_find() - the roster entry for staff reference @ref, or
 * NULL when @ref is not on the roster (or @r / @ref is NULL).
 */
const struct snt_rules_staff *snt_rules_staff_find(const struct snt_rules *r, const char *ref);

/*
 * snt_rules_region_at_risk() - whether @region (six digits, from
 * snt_code_region()) is on the risk list: equal to an entry, or inside a
 * province ("xx0000") or prefecture ("xxxx00") entry (GB/T 2260 levels).
 * Return: false for NULL, "" or no rule set.
 */
bool snt_rules_region_at_risk(const struct snt_rules *r, const char *region);

/*
 * snt_rules_parse_date() - "YYYY-MM-DD" (a real Gregorian date, years
 * 1970-9999) to days since 1970-01-01.  Return: 0 and *day, or -1.
 */
int snt_rules_parse_date(const char *s, int32_t *day) SNT_WUR;

/* snt_rules_format_date() - days since 1970-01-01 as "YYYY-MM-DD" into @buf (>= SNT_RULES_DATE_LEN bytes). */
void snt_rules_format_date(int32_t day, char *buf, size_t size);

/*
 * ---- Staff badges and visit passes ----
 * A credential is a COSE_Sign1 ES256 made with the bureau's key whose
 * payload is one CBOR map with exactly these keys:
 *   badge: {"type": "badge", "v": 2, "home": as a rule set's, ["gates":
 *           as a rule set's, at most SNT_CREDENTIAL_MAX_GATES], "ref": staff
 *           reference (as the roster's), "issued": ms}
 *   pass:  {"type": "pass", "v": 2, "home", ["gates"], "id": tstr 1-32
 *           printable ASCII, "visitor": masked name (1-63 bytes of text),
 *           "from": ms, "until": ms (> from), "uses": uint 1-100 (entries
 *           the pass gives in its window), "issued": ms, ["card": bstr 32,
 *           the keyed hash of its holder's ID number (idcard.h
 *           snt_idcard_number_hash() with the home's rule-set idcard_key):
 *           the pass then admits only with that card (checkin.h)]}
 * A gate honours only badges and passes addressed to it
 * (snt_rules_addressed()).  A pass admits its holder once per visit: while
 * the holder is inside (admitted with it and no exit-button release since)
 * it admits no one else; after an exit it admits again, up to "uses"
 * entries in all (checkin.h).
 * Its QR text is "SNB1:" followed by the base45 (RFC 9285) of the
 * COSE_Sign1 bytes.  "SNB1:" is not a health-code format: the gate sets such
 * codes aside (snt_credential_is()) and looks for the health code in the
 * same frame or the following ones (checkin.h).
 */
#define SNT_CREDENTIAL_PREFIX "SNB1:"
#define SNT_CREDENTIAL_ID_LEN 33	/* pass id: 32 characters + NUL */
#define SNT_CREDENTIAL_MAX_TEXT 2048	/* longest QR text accepted */
#define SNT_CREDENTIAL_MAX_GATES 8	/* gates a badge or pass may name */
#define SNT_CREDENTIAL_MAX_USES 100	/* a pass's "uses" */

enum snt_credential_kind {
	SNT_CREDENTIAL_BADGE = 0,
	SNT_CREDENTIAL_PASS,
};

#define SNT_CREDENTIAL_CARD_LEN 32	/* the keyed hash of an ID number, HMAC-SHA256 */

struct snt_credential {
	enum snt_credential_kind kind;
	char home[SNT_RULES_HOME_LEN];		/* the home it is for */
	size_t n_gates;				/* 0: every gate of the home */
	char gates[SNT_CREDENTIAL_MAX_GATES][SNT_RULES_GATE_LEN];
	uint32_t uses;				/* pass: entries it gives, 1-100 */
	char ref[SNT_RULES_REF_LEN];		/* badge: staff reference */
	char id[SNT_CREDENTIAL_ID_LEN];		/* pass: its id */
	char visitor[SNT_RULES_NAME_LEN];	/* pass: masked visitor name */
	int64_t from_ms;			/* pass: appointment window [from, until) */
	int64_t until_ms;
	int64_t issued_ms;
	bool has_card;				/* pass: it names its holder's ID card */
	uint8_t card[SNT_CREDENTIAL_CARD_LEN];	/* pass: the keyed hash of that card's number (idcard.h) */
};

/* snt_credential_is() - whether a scanned payload starts with "SNB1:". */
bool snt_credential_is(const uint8_t *bytes, size_t len);

/*
 * snt_credential_open() - verify and decode a scanned badge or pass.
 * @bytes, @len: the QR text ("SNB1:..."), hostile.
 * @bureau_pub: the bureau's P-256 public key.
 * @out: receives the credential.
 * Return: SNT_RULES_OK; SNT_RULES_ERR_INVAL (NULL); SNT_RULES_ERR_NOMEM;
 * SNT_RULES_ERR_PAYLOAD for a missing prefix, bad base45, text longer than
 * SNT_CREDENTIAL_MAX_TEXT or a payload that is no badge or pass (@errbuf
 * names the field); SNT_RULES_ERR_SIGNATURE when not signed by @bureau_pub
 * or altered.
 */
enum snt_rules_err snt_credential_open(const uint8_t *bytes, size_t len, EVP_PKEY *bureau_pub,
				       struct snt_credential *out, char *errbuf, size_t errlen) SNT_WUR;

/*
 * snt_credential_kid() - the kid of the key that signed a scanned badge or
 * pass (its COSE_Sign1 protected header, snt_sign1_kid()), without
 * verifying anything: to choose the key to verify it with.
 * @bytes, @len: the QR text ("SNB1:..."), hostile.
 * @kid: receives SNT_SIGN_KID_LEN (8) bytes.
 * Return: SNT_RULES_OK; SNT_RULES_ERR_INVAL (NULL); SNT_RULES_ERR_NOMEM;
 * SNT_RULES_ERR_PAYLOAD (no "SNB1:", too long, not base45);
 * SNT_RULES_ERR_SIGNATURE (no COSE_Sign1 ES256 with a kid).
 */
enum snt_rules_err snt_credential_kid(const uint8_t *bytes, size_t len, uint8_t kid[8]) SNT_WUR;

/*
 * snt_credential_issue() - sign @c (kind, home, gates, and ref or
 * id/visitor/from/until/uses, issued) with @bureau_priv and return its QR
 * text.  The bureau signs badges and passes with its key; a gate signs the
 * passes its staff issue with its device key (issuers/issuers.h).
 * @text: receives "SNB1:..." (NUL-terminated, free()).
 * Return: SNT_RULES_OK; SNT_RULES_ERR_INVAL for NULL, a field that would
 * not decode (empty or too long home/reference/id/name, bad gates, uses out
 * of 1-100, until <= from, negative times) or a key without its private
 * half; SNT_RULES_ERR_NOMEM.
 */
enum snt_rules_err snt_credential_issue(const struct snt_credential *c, EVP_PKEY *bureau_priv,
					char **text) SNT_WUR;

/*
 * snt_rules_encode() - the bureau's side: @r as the rule-set payload map
 * (top of this file), for snt_sign1_es256().  The result decodes with
 * snt_rules_decode() to the same values.
 * @out: receives the CBOR (free()), @out_len its size.
 * Return: SNT_RULES_OK; SNT_RULES_ERR_INVAL for NULL or values
 * snt_rules_decode() would refuse (@errbuf names the field);
 * SNT_RULES_ERR_NOMEM.
 */
enum snt_rules_err snt_rules_encode(const struct snt_rules *r, uint8_t **out, size_t *out_len, char *errbuf,
				    size_t errlen) SNT_WUR;

/* snt_rules_strerror() - static English text; never NULL. */
const char *snt_rules_strerror(enum snt_rules_err err);

#endif /* SNT_RULES_H */
