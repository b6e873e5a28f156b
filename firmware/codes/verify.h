/* SPDX-License-Identifier: MIT */
/*
 * verify: offline verification of signed health certificates, one file per
 * format, chosen by prefix (codes.h):
 *   hcert.c  EU DCC "HC1:" (DCC technical specifications v1.3, §3: base45,
 *            zlib, COSE_Sign1, CWT with claim -260; §5 key usage)
 *   nzcp.c   New Zealand COVID Pass "NZCP:/1/" (NZCP spec v1: base32,
 *            COSE_Sign1, CWT, W3C verifiable credential, did:web issuer)
 *   shc.c    SMART Health Card "shc:/" (SMART Health Cards framework:
 *            numeric mode, compact JWS, raw DEFLATE, ES256, JWK set)
 * shared: base45/base32/base64url (base45.c), COSE_Sign1 (cose.c, RFC 9052
 * §4.2 and §4.4), CWT claims (cwt.c, RFC 8392).  Issuer keys come from a
 * trust store (trust/trust.h) loaded beforehand; nothing is ever fetched.
 *
 * Time.  The verification time is an argument.  Its trust decides what a
 * result can say (domain.md lesson 5):
 *   - GIVEN or TRUSTED: the credential's validity period, its CWT/JWT
 *     exp/nbf and the signing certificate's validity are checked against
 *     it: a failure is INVALID at stage `expired` or `not-yet-valid`.
 *   - UNTRUSTED: the signature and structure are checked in full (a
 *     failure there is INVALID as usual), but the outcome is never VALID:
 *     a credential that passes every check is UNVERIFIED with no stage;
 *     one whose dates fail against the untrusted time is UNVERIFIED at
 *     stage `expired` or `not-yet-valid` (the credential or the clock may
 *     be wrong).  The gate refers such a visitor with `clock-untrusted`.
 * Health codes (anything not recognised) are always UNVERIFIED: their
 * token can only be resolved online; the colour comes from the scanner.
 */
#ifndef SNT_CODES_VERIFY_H
#define SNT_CODES_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "codes/codes.h"
#include "common/common.h"

struct snt_trust;

/*
 * The module's error enum: 0 = the payload passed every step, otherwise
 * the first failing step; the names are the `stage` values of
 * `sentinelctl verify` (interfaces.md).
 */
enum snt_verify_stage {
	SNT_VERIFY_OK = 0,
	SNT_VERIFY_PREFIX,		/* no known prefix / wrong version */
	SNT_VERIFY_BASE45,		/* not base45 (RFC 9285) */
	SNT_VERIFY_BASE32,		/* not base32 (RFC 4648 §6) */
	SNT_VERIFY_NUMERIC,		/* not SHC numeric mode */
	SNT_VERIFY_ZLIB,		/* not a zlib stream (RFC 1950) */
	SNT_VERIFY_DEFLATE,		/* not a raw DEFLATE stream (RFC 1951) */
	SNT_VERIFY_CBOR,		/* not well-formed CBOR (RFC 8949), or too deep/large */
	SNT_VERIFY_COSE,		/* not a COSE_Sign1 (RFC 9052 §4.2), unknown alg */
	SNT_VERIFY_JWS,			/* not a compact JWS (RFC 7515 §7.1) */
	SNT_VERIFY_KID,			/* no key id */
	SNT_VERIFY_TRUST,		/* no trusted key for the key id / issuer */
	SNT_VERIFY_SIGNATURE,		/* the signature does not verify */
	SNT_VERIFY_KEY_USAGE,		/* the signing certificate may not sign this type */
	SNT_VERIFY_REVOKED,		/* the key or credential is revoked */
	SNT_VERIFY_EXPIRED,		/* exp, or the certificate's notAfter, is past */
	SNT_VERIFY_NOT_YET_VALID,	/* nbf/iat, or the certificate's notBefore, is ahead */
	SNT_VERIFY_PAYLOAD,		/* the claims or the certificate payload are malformed */
	SNT_VERIFY_SCAN,		/* no code in the image (sentinelctl) */
	SNT_VERIFY_NOMEM,		/* out of memory (no stage name) */
};

enum snt_verify_result {
	SNT_RESULT_VALID = 0,
	SNT_RESULT_INVALID,
	SNT_RESULT_UNVERIFIED,
};

/* How far the verification time can be relied on. */
enum snt_verify_clock {
	SNT_VCLOCK_GIVEN = 0,	/* given explicitly (sentinelctl --at, tests) */
	SNT_VCLOCK_TRUSTED,	/* the gate's clock, judged trusted (snt_clock_judge()) */
	SNT_VCLOCK_UNTRUSTED,	/* the gate's clock, judged untrusted */
};

/* Certificate type of a DCC (DCC v1.3 §5.4 key usage): v, t or r. */
#define SNT_DCC_TYPE_NONE '\0'

/* The decoded certificate: names are personal data, never logged. */
struct snt_verify_subject {
	char given[96];		/* UTF-8, truncated at a character boundary */
	char family[96];
	char dob[16];		/* as issued: "YYYY", "YYYY-MM" or "YYYY-MM-DD" */
	char type;		/* DCC: 'v', 't', 'r'; else SNT_DCC_TYPE_NONE */
	unsigned int entries;	/* DCC: entries in the v/t/r array; SHC: FHIR entries */
	char country[4];	/* DCC: "co" of the first entry (ISO 3166-1 alpha-2) */
};

struct snt_verify_info {
	enum snt_code_format format;
	enum snt_verify_result result;
	enum snt_verify_stage stage;	/* SNT_VERIFY_OK when nothing failed */
	enum snt_verify_clock clock;
	uint8_t kid[64];		/* raw key id (DCC: 8 bytes; NZCP/SHC: text bytes) */
	size_t kid_len;			/* 0: none read */
	char issuer[128];		/* CWT iss / JWT iss; "" when absent */
	int64_t issued_ms;		/* iat; has_issued */
	int64_t expires_ms;		/* exp; has_expires */
	int has_issued, has_expires, has_subject;
	struct snt_verify_subject subject;
	char region[SNT_REGION_LEN];	/* health code: issuing region, or "" */
};

/* Upper bound of a payload: a QR code holds at most 7089 numeric digits. */
#define SNT_VERIFY_MAX_PAYLOAD 8192

/*
 * snt_verify_payload() - verify one scanned payload offline.
 * @bytes, @len: the raw QR payload (not NUL-terminated; not retained).
 * @trust: the trust store (may be NULL: then no signed format can be
 *	verified and they fail at stage `trust`); only read.
 * @now_ms: verification time, ms since the Unix epoch (UTC).
 * @clock: how far @now_ms can be relied on (see the top of this file).
 * @out: filled in completely (zeroed first).
 * Return: SNT_VERIFY_OK when @out->result is VALID, or UNVERIFIED with no
 * failing stage; else the first failing stage, also in @out->stage, with
 * @out->result INVALID (UNVERIFIED for date stages under an untrusted
 * clock); SNT_VERIFY_NOMEM when memory ran out; SNT_VERIFY_PAYLOAD when
 * @len exceeds SNT_VERIFY_MAX_PAYLOAD.  Health codes return SNT_VERIFY_OK
 * with result UNVERIFIED; an empty payload returns SNT_VERIFY_PREFIX.
 */
enum snt_verify_stage snt_verify_payload(const uint8_t *bytes, size_t len, const struct snt_trust *trust,
					 int64_t now_ms, enum snt_verify_clock clock,
					 struct snt_verify_info *out) SNT_WUR;

/*
 * snt_verify_payload_as() - snt_verify_payload() for a payload known to be
 * of @format (SNT_FORMAT_HCERT, _NZCP or _SHC), for conformance vectors
 * whose prefix is the fault: a wrong prefix fails at stage `prefix`
 * instead of making the payload a health code.  Other formats: as
 * snt_verify_payload().  Return: as snt_verify_payload().
 */
enum snt_verify_stage snt_verify_payload_as(enum snt_code_format format, const uint8_t *bytes, size_t len,
					    const struct snt_trust *trust, int64_t now_ms,
					    enum snt_verify_clock clock, struct snt_verify_info *out) SNT_WUR;

/*
 * snt_verify_stage_name() - the interfaces.md stage name ("prefix", ...,
 * "scan"); NULL for SNT_VERIFY_OK; "nomem" for SNT_VERIFY_NOMEM.
 */
const char *snt_verify_stage_name(enum snt_verify_stage s);

/* snt_verify_strerror() - one line describing @s; never NULL. */
const char *snt_verify_strerror(enum snt_verify_stage s);

/* snt_verify_result_name() - "valid", "invalid" or "unverified". */
const char *snt_verify_result_name(enum snt_verify_result r);

/* snt_verify_clock_name() - "given", "trusted" or "untrusted". */
const char *snt_verify_clock_name(enum snt_verify_clock c);

/*
 * snt_verify_mask_name() - the subject's name masked for display and the
 * log: the first character (UTF-8) of the given name and of the family
 * name, each followed by '*' ("G* M*"); "" when no name is known.
 * @s: the subject.  @buf, @size: receives the text (at least 16 bytes).
 */
void snt_verify_mask_name(const struct snt_verify_subject *s, char *buf, size_t size);

#endif /* SNT_CODES_VERIFY_H */
