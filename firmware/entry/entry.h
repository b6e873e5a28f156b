/* SPDX-License-Identifier: MIT */
/*
 * entry: the vocabulary of one log entry, the ground floor every other
 * module builds on.  It holds the entry struct, every enum of an entry with
 * its name table and count, the conversions name <-> enum, and the
 * canonical form the chain hash is computed over.  No I/O, no allocation,
 * nothing but libc.
 *
 * Each enum is declared once, as a table: SNT_<ENUM>_TABLE(X) lists one
 * X(enumerator, "name"[, more columns]) row per value, in enum order.  The
 * enum, its count, its name table and the SQL CHECK lists of the log
 * (snt_entry_sql_check()) are all generated from that row, so a new value
 * (a reason, a code format) is one row here (plus, for an enum the log
 * checks by list, a schema migration of the store that rebuilds the CHECK).
 * Names are the contract of interfaces.md: they are what is stored, hashed,
 * exported and exchanged with the bureau, never the numbers.  Never reuse
 * a retired name.
 */
#ifndef SNT_ENTRY_H
#define SNT_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* Expanders of the tables below. */
#define SNT_ENTRY_ENUM_(e, ...) e,
#define SNT_ENTRY_PLUS1_(e, ...) +1

/* Trust of the wall time an entry carries. */
#define SNT_CLOCK_STATE_TABLE(X) \
	X(SNT_CLOCK_UNTRUSTED, "untrusted")	/* no NTP sync, no signed time: wall time may be wrong */ \
	X(SNT_CLOCK_TRUSTED, "trusted")		/* NTP-synchronised or signed bureau time */ \
	X(SNT_CLOCK_REBASED, "rebased")		/* computed afterwards from boot id + monotonic time */

/* Who is at the gate. */
#define SNT_PERSON_KIND_TABLE(X) \
	X(SNT_KIND_VISITOR, "visitor") \
	X(SNT_KIND_STAFF, "staff")	/* showed a staff badge that verified (bureau key) */

/*
 * What a scanned payload is, by its prefix (codes.h): "HC1:" EU DCC,
 * "LT1:" Swiss light certificate, "NZCP:/", "shc:/" SMART Health Card,
 * anything else an opaque health-code token (GB/T 38962-2020).
 * X(enumerator, "name", keeps): @keeps says what the log keeps of the
 * scanned payload: SNT_PAYLOAD_KEPT, the bytes themselves (a health code's
 * token, which the bureau's platform check needs); SNT_PAYLOAD_DIGEST,
 * only their SHA-256 (a signed certificate: it carries the holder's name
 * and birth date, and the decision and the audit need only the verified
 * result, the masked subject and the hash).
 */
#define SNT_CODE_FORMAT_TABLE(X) \
	X(SNT_FORMAT_NONE, "none", SNT_PAYLOAD_KEPT)		/* no code was read */ \
	X(SNT_FORMAT_HEALTHCODE, "healthcode", SNT_PAYLOAD_KEPT)/* opaque health-code token */ \
	X(SNT_FORMAT_HCERT, "hcert", SNT_PAYLOAD_DIGEST)	/* EU DCC, HC1: */ \
	X(SNT_FORMAT_LT1, "lt1", SNT_PAYLOAD_DIGEST)		/* Swiss light certificate, LT1: */ \
	X(SNT_FORMAT_NZCP, "nzcp", SNT_PAYLOAD_DIGEST)		/* NZCP:/ */ \
	X(SNT_FORMAT_SHC, "shc", SNT_PAYLOAD_DIGEST)		/* shc:/ */

/* What the log keeps of a scanned payload (SNT_CODE_FORMAT_TABLE). */
enum snt_payload_keep {
	SNT_PAYLOAD_KEPT = 0,	/* the raw bytes, in payload */
	SNT_PAYLOAD_DIGEST,	/* their SHA-256 only, in payload_hash */
};

/* Colour of a code's dark modules, judged against its quiet zone. */
#define SNT_COLOUR_TABLE(X) \
	X(SNT_COLOUR_UNKNOWN, "unknown")	/* evidence too weak to say */ \
	X(SNT_COLOUR_GREEN, "green") \
	X(SNT_COLOUR_YELLOW, "yellow") \
	X(SNT_COLOUR_RED, "red") \
	X(SNT_COLOUR_BLACK, "black")		/* neutral dark modules (ordinary QR) */

/* Whether a credential's signature was checked (codes/, trust/). */
#define SNT_VERIFIED_TABLE(X) \
	X(SNT_VERIFIED_NONE, "none")		/* no code */ \
	X(SNT_VERIFIED_UNVERIFIED, "unverified")/* cannot be verified offline (health code) */ \
	X(SNT_VERIFIED_VALID, "valid") \
	X(SNT_VERIFIED_INVALID, "invalid")

/* The gate's decision. */
#define SNT_DECISION_TABLE(X) \
	X(SNT_DECISION_ADMIT, "admit") \
	X(SNT_DECISION_DENY, "deny") \
	X(SNT_DECISION_REFER, "refer")		/* staff must decide */

/* Whether the door opened for the entry. */
#define SNT_DOOR_TABLE(X) \
	X(SNT_DOOR_SHUT, "shut") \
	X(SNT_DOOR_OPENED, "opened")

/*
 * Reasons of a decision, in the order of weight of interfaces.md ("Decisions
 * and reasons"), which is the order they are listed in: X(enumerator,
 * "name", "Chinese text", "English text").  The texts are what the display
 * and the report show (static UTF-8).  Reasons are stored by name, so a new
 * one goes in at its weight.
 */
#define SNT_REASON_TABLE(X) \
	X(SNT_REASON_STORE_FAULT, "store-fault", "记录系统故障", "log cannot be written") \
	X(SNT_REASON_SENSOR_FAULT, "sensor-fault", "测温设备故障", "thermometer fault") \
	X(SNT_REASON_FEVER, "fever", "体温异常", "temperature too high") \
	X(SNT_REASON_CODE_RED, "code-red", "红码", "red health code") \
	X(SNT_REASON_CODE_YELLOW, "code-yellow", "黄码", "yellow health code") \
	X(SNT_REASON_SIGNATURE_INVALID, "signature-invalid", "签名无效", "signature not valid") \
	X(SNT_REASON_ID_INVALID, "id-invalid", "身份证无效", "ID card not valid") \
	X(SNT_REASON_WRONG_HOME, "wrong-home", "非本院证件", "badge or pass of another home") \
	X(SNT_REASON_EXPIRED, "expired", "已过期或未生效", "expired or not yet valid") \
	X(SNT_REASON_ID_EXPIRED, "id-expired", "身份证已过期", "ID card expired or not yet valid") \
	X(SNT_REASON_AGE_OUT_OF_RANGE, "age-out-of-range", "年龄不符合本院探视规定", \
	  "age outside the home's visiting rule") \
	X(SNT_REASON_REVOKED, "revoked", "已撤销", "revoked") \
	X(SNT_REASON_ISSUER_REVOKED, "issuer-revoked", "签发设备已撤销", "issued by a revoked gate") \
	X(SNT_REASON_RULES_MISSING, "rules-missing", "规则缺失 需工作人员核验", \
	  "rule set missing: staff check everyone") \
	X(SNT_REASON_CLOSED_MODE, "closed-mode", "封闭管理 需有效探视预约", \
	  "closed management: a valid visit pass is needed") \
	X(SNT_REASON_PASS_USED, "pass-used", "探视预约已使用", "visit pass already used") \
	X(SNT_REASON_CAPACITY, "capacity", "访客人数已满", "visitor limit reached") \
	X(SNT_REASON_RISK_REGION, "risk-region", "来自中高风险地区", "from a risk region") \
	X(SNT_REASON_STAFF_TEST_OVERDUE, "staff-test-overdue", "核酸检测超期", "test overdue") \
	X(SNT_REASON_NO_CODE, "no-code", "未出示健康码", "no health code") \
	X(SNT_REASON_ID_MISSING, "id-missing", "未读取身份证", "no ID card read") \
	X(SNT_REASON_CODE_INVALID, "code-invalid", "无法识别的码", "unreadable code") \
	X(SNT_REASON_FORMAT_NOT_ACCEPTED, "format-not-accepted", "不接受此类码", "code format not accepted") \
	X(SNT_REASON_COLOUR_UNKNOWN, "colour-unknown", "健康码颜色无法识别", "health code colour unclear") \
	X(SNT_REASON_TEMP_IMPLAUSIBLE, "temp-implausible", "体温读数无效", "temperature reading implausible") \
	X(SNT_REASON_CLOCK_UNTRUSTED, "clock-untrusted", "时钟未校准", "clock not trusted") \
	X(SNT_REASON_RULES_STALE, "rules-stale", "规则已过期", "rules stale") \
	X(SNT_REASON_DUPLICATE, "duplicate", "重复扫码", "repeat scan") \
	X(SNT_REASON_OVERRIDE_ADMIT, "override-admit", "工作人员放行", "admitted by staff") \
	X(SNT_REASON_OVERRIDE_DENY, "override-deny", "工作人员拒绝", "refused by staff") \
	X(SNT_REASON_CODE_GREEN, "code-green", "绿码", "green health code") \
	X(SNT_REASON_TEMP_NORMAL, "temp-normal", "体温正常", "temperature normal")

enum snt_clock_state { SNT_CLOCK_STATE_TABLE(SNT_ENTRY_ENUM_) };
enum snt_person_kind { SNT_PERSON_KIND_TABLE(SNT_ENTRY_ENUM_) };
enum snt_code_format { SNT_CODE_FORMAT_TABLE(SNT_ENTRY_ENUM_) };
enum snt_colour { SNT_COLOUR_TABLE(SNT_ENTRY_ENUM_) };
enum snt_verified { SNT_VERIFIED_TABLE(SNT_ENTRY_ENUM_) };
enum snt_decision { SNT_DECISION_TABLE(SNT_ENTRY_ENUM_) };
enum snt_door { SNT_DOOR_TABLE(SNT_ENTRY_ENUM_) };
/* The reasons' count is the last member: code indexes tables of reasons by it. */
enum snt_reason { SNT_REASON_TABLE(SNT_ENTRY_ENUM_) SNT_REASON_COUNT };

/*
 * How many values each other enum has (its table's rows), kept out of the
 * enums so that switches over them stay exhaustive.
 */
enum {
	SNT_CLOCK_STATE_COUNT = 0 SNT_CLOCK_STATE_TABLE(SNT_ENTRY_PLUS1_),
	SNT_PERSON_KIND_COUNT = 0 SNT_PERSON_KIND_TABLE(SNT_ENTRY_PLUS1_),
	SNT_CODE_FORMAT_COUNT = 0 SNT_CODE_FORMAT_TABLE(SNT_ENTRY_PLUS1_),
	SNT_COLOUR_COUNT = 0 SNT_COLOUR_TABLE(SNT_ENTRY_PLUS1_),
	SNT_VERIFIED_COUNT = 0 SNT_VERIFIED_TABLE(SNT_ENTRY_PLUS1_),
	SNT_DECISION_COUNT = 0 SNT_DECISION_TABLE(SNT_ENTRY_PLUS1_),
	SNT_DOOR_COUNT = 0 SNT_DOOR_TABLE(SNT_ENTRY_PLUS1_),
};

/* A set of reasons: bit (1 << reason), room for 63 reasons. */
typedef uint64_t snt_reasons_t;
#define SNT_REASON_BIT(r) ((snt_reasons_t)1 << (r))
_Static_assert(SNT_REASON_COUNT < 64, "snt_reasons_t holds every reason");
/* Every reason of the table. */
#define SNT_REASONS_ALL ((snt_reasons_t)(((uint64_t)1 << SNT_REASON_COUNT) - 1))

/* Languages of the human text of reasons. */
enum snt_lang {
	SNT_LANG_ZH = 0,	/* Simplified Chinese (UTF-8) */
	SNT_LANG_EN,
};

#define SNT_BOOT_ID_LEN 37	/* 36 characters + NUL */
#define SNT_SUBJECT_LEN 64	/* masked name, UTF-8, NUL-terminated */
#define SNT_HASH_LEN 32		/* SHA-256 */
#define SNT_ENTRY_MAX_PAYLOAD 65536	/* largest payload kept, bytes */
#define SNT_DETAIL_LEN 1024		/* detail record, JSON text + NUL (schema 3) */
#define SNT_ENTRY_BIRTH_YEAR_MIN 1800	/* struct snt_entry.birth_year when kept */
#define SNT_ENTRY_BIRTH_YEAR_MAX 9999
/* Every reason name joined by commas, with its terminating NUL: well under this. */
#define SNT_REASONS_TEXT_LEN 512

/*
 * One entry.  Strings are NUL-terminated arrays; the payload (the raw code
 * token, kept for online verification at sync) is a pointer: borrowed by
 * snt_store_append(), owned by the iterator for entries read back.
 */
struct snt_entry {
	int64_t seq;				/* assigned by the store on append */
	char boot_id[SNT_BOOT_ID_LEN];		/* kernel boot id at the time */
	int64_t mono_ms;			/* monotonic ms since that boot */
	int64_t time_utc_ms;			/* wall time, ms since the epoch */
	enum snt_clock_state clock;
	enum snt_person_kind kind;
	enum snt_code_format format;
	enum snt_colour colour;
	enum snt_verified verified;
	bool has_temp;
	int temp_dc;				/* tenths of °C, when has_temp */
	enum snt_decision decision;
	snt_reasons_t reasons;
	enum snt_door door;
	char subject[SNT_SUBJECT_LEN];		/* masked name; "" when unknown */
	const uint8_t *payload;			/* raw code bytes, or NULL */
	size_t payload_len;			/* 0 = no payload (read back as NULL) */
	/*
	 * SHA-256 of the scanned payload when the log keeps only that
	 * (snt_code_format_keep() SNT_PAYLOAD_DIGEST; the store replaces the
	 * payload by it on append, snt_store_entry_digest()).  An entry has
	 * a payload or a payload hash or neither, never both.  Entries
	 * logged before schema 5 keep the payload they were logged with.
	 */
	bool has_payload_hash;
	uint8_t payload_hash[SNT_HASH_LEN];
	/*
	 * Detail record: "" = none (NULL in the log), else one JSON object,
	 * compact, UTF-8, at most SNT_DETAIL_LEN - 1 bytes.  Members (all
	 * optional; writers add only these, readers ignore unknown ones):
	 *   "measure": {"skin_mdc", "ambient_mdc", "body_mdc": milli-°C,
	 *               "emissivity_pm": per mille, "offset_mdc": skin-to-body
	 *               offset, "ambient_coeff_pm", "ambient_ref_mdc": the
	 *               ambient term, "samples", "used", "rejected", "faults",
	 *               "readings": counts} - the temperature measurement
	 *   "staff": "<staff reference>"      - the person is staff (badge)
	 *   "override": {"by": "<staff reference>" or "button",
	 *                "original": "admit|deny|refer"}
	 *   "rules": {"version": n, "stale": true|false}
	 *   "pass": "<visit pass id>"
	 *   "idcard": {"last4": the ID number's last four characters,
	 *              "hash": keyed hash of the number, hex (checkin.h)}
	 * Nothing personal beyond what the entry already holds (masked subject).
	 */
	char detail[SNT_DETAIL_LEN];
	/*
	 * The registered visitor's birth year, from the resident ID card, kept
	 * in clear only when the home's rule set has an age rule (rules.h
	 * min_age, max_age); 0: none (every entry without one, and every entry
	 * logged before schema 8), else SNT_ENTRY_BIRTH_YEAR_MIN ..
	 * SNT_ENTRY_BIRTH_YEAR_MAX.
	 */
	int32_t birth_year;
	uint8_t prev_hash[SNT_HASH_LEN];	/* set by the store */
	uint8_t hash[SNT_HASH_LEN];		/* set by the store */
};

/*
 * Name <-> enum.  snt_X_name() returns the interfaces.md name of a value;
 * for a value out of range it returns what each always has: NULL for
 * reasons, kinds and doors, "unknown" for colours, "?" for the others.
 * snt_X_from_name() parses a name: 0 and *out set, or -1 when @name is NULL
 * or not one of them (then *out is untouched).
 */
const char *snt_clock_state_name(enum snt_clock_state s);
int snt_clock_state_from_name(const char *name, enum snt_clock_state *out) SNT_WUR;
const char *snt_person_kind_name(enum snt_person_kind k);
int snt_person_kind_from_name(const char *name, enum snt_person_kind *out) SNT_WUR;
const char *snt_code_format_name(enum snt_code_format f);
int snt_code_format_from_name(const char *name, enum snt_code_format *out) SNT_WUR;
const char *snt_colour_name(enum snt_colour c);
int snt_colour_from_name(const char *name, enum snt_colour *out) SNT_WUR;
const char *snt_verified_name(enum snt_verified v);
int snt_verified_from_name(const char *name, enum snt_verified *out) SNT_WUR;
const char *snt_decision_name(enum snt_decision d);
int snt_decision_from_name(const char *name, enum snt_decision *out) SNT_WUR;
const char *snt_door_name(enum snt_door d);
int snt_door_from_name(const char *name, enum snt_door *out) SNT_WUR;
const char *snt_reason_name(enum snt_reason r);
int snt_reason_from_name(const char *name, enum snt_reason *out) SNT_WUR;

/*
 * snt_code_format_keep() - what the log keeps of a payload of format @f
 * (SNT_CODE_FORMAT_TABLE): SNT_PAYLOAD_KEPT or SNT_PAYLOAD_DIGEST; a value
 * out of range gives SNT_PAYLOAD_DIGEST (keep the least).
 */
enum snt_payload_keep snt_code_format_keep(enum snt_code_format f);

/*
 * snt_reason_text() - the human text of one reason in @lang (a static
 * UTF-8 string), for the display and the report; staff-test-overdue's text
 * here has no date (snt_policy_explain() adds it).
 * Return: the text, or NULL when @r or @lang is out of range.
 */
const char *snt_reason_text(enum snt_reason r, enum snt_lang lang);

/*
 * snt_reasons_format() - the set as names in order of weight, joined by
 * @sep (for example "," or ", "), into @buf of @size bytes.
 * Return: the length written, or -1 if @buf was too small (then @buf holds
 * a truncated, terminated string).
 */
int snt_reasons_format(snt_reasons_t set, const char *sep, char *buf, size_t size) SNT_WUR;

/*
 * snt_reasons_parse() - parse a comma-separated list of names ("" is the
 * empty set).
 * Return: 0 and *out; -1 if any name is unknown or empty (then *out is
 * undefined).
 */
int snt_reasons_parse(const char *list, snt_reasons_t *out) SNT_WUR;

/* The enum fields of an entry, in the order of the log's columns. */
enum snt_entry_enum {
	SNT_ENTRY_ENUM_CLOCK = 0,
	SNT_ENTRY_ENUM_KIND,
	SNT_ENTRY_ENUM_FORMAT,
	SNT_ENTRY_ENUM_COLOUR,
	SNT_ENTRY_ENUM_VERIFIED,
	SNT_ENTRY_ENUM_DECISION,
	SNT_ENTRY_ENUM_DOOR,
	SNT_ENTRY_ENUM_COUNT
};

/*
 * snt_entry_enum_column() - the column (and key) name of an enum field:
 * "clock", "kind", "format", "colour", "verified", "decision", "door".
 * Return: the name, or NULL when @f is out of range.
 */
const char *snt_entry_enum_column(enum snt_entry_enum f);

/*
 * snt_entry_enum_names() - the name table of an enum field, in enum order.
 * @n: receives the number of names.
 * Return: the table (static), or NULL when @f is out of range or @n NULL.
 */
const char *const *snt_entry_enum_names(enum snt_entry_enum f, size_t *n);

/*
 * snt_entry_enum_value() - the name of @e's value of the enum field @f
 * (@e->clock for SNT_ENTRY_ENUM_CLOCK, ...), as stored and exported.
 * Return: the name, or NULL when @e is NULL or @f or the value is out of
 * range.
 */
const char *snt_entry_enum_value(const struct snt_entry *e, enum snt_entry_enum f);

/*
 * snt_entry_sql_check() - the SQL CHECK condition that admits exactly the
 * names of @f in column @column (NULL: the field's own column), in the
 * form the log's schema uses: "clock IN ('untrusted', 'trusted',
 * 'rebased')", names in enum order, "', '" between them, no line breaks.
 * @buf, @size: the output, NUL-terminated.
 * Return: the length written; -1 when @f is out of range, @buf NULL or too
 * small (then @buf holds a truncated, terminated string when @size > 0).
 */
int snt_entry_sql_check(enum snt_entry_enum f, const char *column, char *buf, size_t size) SNT_WUR;

/* An entry's enum fields and reasons as their names: what is stored and hashed. */
struct snt_entry_names {
	const char *clock;
	const char *kind;
	const char *format;
	const char *colour;
	const char *verified;
	const char *decision;
	const char *door;
	char reasons[SNT_REASONS_TEXT_LEN];	/* comma-joined in weight order, "" when none */
};

/*
 * snt_entry_check() - check every field of @e that is stored and hashed,
 * except the detail record's JSON (the store checks that): every enum in
 * range, no reason bit beyond the table, boot_id, subject and detail
 * NUL-terminated within their arrays and valid UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, at most U+10FFFF), payload_len at most
 * SNT_ENTRY_MAX_PAYLOAD and a payload when payload_len > 0, not both a
 * payload and a payload hash.  (A payload of a format whose payload is
 * digested passes: entries logged before schema 5 hold one.)
 * @names: receives the names (may be NULL).
 * Return: 0, or -1 when @e is NULL or any field is out of range.
 */
int snt_entry_check(const struct snt_entry *e, struct snt_entry_names *names) SNT_WUR;

/*
 * snt_entry_utf8_valid() - whether @n bytes at @s are valid UTF-8 (RFC
 * 3629: no overlong forms, no surrogates, at most U+10FFFF):
 * snt_utf8_valid().
 */
bool snt_entry_utf8_valid(const unsigned char *s, size_t n);

/* Receives the bytes of the canonical form in order, @n > 0. */
typedef void (*snt_entry_sink_fn)(void *ctx, const void *bytes, size_t n);

/*
 * snt_entry_hash_input() - the input of an entry's chain hash, in order,
 * to @sink: hash = SHA-256(prev_hash[32] || C), canonical form
 * "sentinel-entry-v4":
 *
 *   C    = STR("sentinel-entry-v1")
 *          I64(seq) STR(boot_id) I64(mono_ms) I64(time_utc_ms)
 *          STR(clock) STR(kind) STR(format) STR(colour) STR(verified)
 *          OPT_I64(temp_dc) STR(decision) STR(reasons) STR(door)
 *          OPT_STR(subject) PAYLOAD
 *          [0x01 STR(detail)]     only when the entry has a detail record
 *          [0x02 I64(birth_year)] only when the entry keeps a birth year
 *
 *   U32(n)      4 bytes, unsigned, big-endian
 *   I64(v)      8 bytes, two's complement, big-endian
 *   STR(b)      U32(byte length of b) then the bytes of b: text as UTF-8
 *               without a terminating NUL, the payload as its raw bytes
 *   OPT_I64(v)  0x00 when absent; 0x01 then I64(v)
 *   OPT_STR(b)  0x00 when absent; 0x01 then STR(b)
 *   PAYLOAD     0x00 when the entry has neither payload nor payload hash;
 *               0x01 then STR(payload); 0x02 then STR(payload_hash), the
 *               32 bytes of the SHA-256
 *
 * An entry without a birth year has exactly the form "sentinel-entry-v3"
 * of schema 5 to 7; one without a payload hash either, exactly the form
 * "sentinel-entry-v2"
 * of schema 3 and 4, and one without a detail record nor a payload hash
 * exactly the form "sentinel-entry-v1" of schema 1 and 2 (the label inside
 * C stays "sentinel-entry-v1"), so logs migrated from those versions
 * verify unchanged.  Every value is as stored in the log's row: enum
 * fields and reasons by name (@names, from snt_entry_check()), temp_dc
 * absent when has_temp is false, subject absent when "", payload absent
 * when payload_len is 0, so anyone holding the rows (verify-log, the
 * bureau) can recompute every hash.
 * @e: a checked entry; @names: its names; @sink, @ctx: the receiver.
 */
void snt_entry_hash_input(const struct snt_entry *e, const struct snt_entry_names *names, snt_entry_sink_fn sink,
			  void *ctx);

/*
 * snt_entry_equal() - whether @a and @b hold the same entry, field by
 * field: seq, boot id, times, every enum, the temperature (temp_dc only
 * when has_temp), reasons, subject, detail, the payload's bytes, the
 * payload hash (when there is one), the birth year, prev_hash and hash.
 * Both must be non-NULL.
 */
bool snt_entry_equal(const struct snt_entry *a, const struct snt_entry *b);

/* The canonical form's name, kept in the log (meta 'hash_form'). */
#define SNT_ENTRY_HASH_FORM "sentinel-entry-v4"

#endif /* SNT_ENTRY_H */
