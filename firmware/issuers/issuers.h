/* SPDX-License-Identifier: MIT */
/*
 * issuers: the bureau's signed issuer list of one care home - which gates of
 * the home may sign visit passes (their kid and public key), and which gate
 * keys are revoked (lost, stolen or replaced boards), versioned, signed by
 * the bureau, installed atomically; and the check of a scanned badge or
 * pass against it.
 *
 * Who signs what.  The bureau's key signs rule sets, trust lists, staff
 * badges and visit passes.  An enrolled gate's own device key signs visit
 * passes its staff issue at the home (`sentinelctl pass issue`), in the same
 * "SNB1:" format (rules.h; the COSE_Sign1 protected header carries the
 * signing key's kid, sign.h).  Staff badges stay the bureau's alone: a badge
 * names a member of the roster, which only the bureau files and signs, and
 * a badge is what lets staff override the door; a gate key that signs one
 * is refused here.  Every gate of the home verifies its sibling gates'
 * passes with this list.
 *
 * An issuer list is a COSE_Sign1 with ES256 (sign/sign.h, RFC 9052 §4.2,
 * RFC 9053 §2.1) made with the bureau's P-256 key, whose payload is one CBOR
 * map (RFC 8949) with exactly these text keys, in this order, each once:
 *   "type"     "issuers"
 *   "v"        1
 *   "home"     the care home it is for, as the gate's [station] home:
 *              tstr, 1-127 bytes
 *   "version"  uint >= 1: an install must be newer than the installed list
 *   "issued"   uint, ms since the epoch: the bureau's time stamp
 *   "gates"    array of 0-SNT_ISSUERS_MAX_GATES maps, the home's active
 *              gates, each exactly {"device": tstr 1-63 printable ASCII,
 *              "kid": bstr 8, "key": tstr, its P-256 public key as PEM
 *              SubjectPublicKeyInfo}; "kid" must be the key's kid (sign.h)
 *   "revoked"  array of 0-SNT_ISSUERS_MAX_REVOKED maps, the home's revoked
 *              gate keys, each exactly {"device", "kid", "key" as above,
 *              "at": uint ms, when the bureau revoked or replaced it,
 *              "reason": tstr 1-255 bytes}
 * No kid appears twice in the whole list.  Anything else (an unknown,
 * missing or repeated key, another order, a wrong type, a key that is no
 * P-256 key or does not match its kid, trailing bytes) is refused, naming
 * the field.  The whole message is at most SNT_ISSUERS_MAX bytes.
 *
 * Revocation is by key, not by date: a pass signed by a revoked key is
 * refused whatever its "issued" says, also when it claims a time before the
 * revocation, because whoever holds a stolen board holds its key and can
 * write any "issued" time.  Passes a gate issued before it was revoked are
 * issued again (by another gate of the home or by the bureau).  A handover
 * (`sentinel-bureau register --replace`) lists the replaced key as revoked
 * and the new key as the gate's.
 *
 * Installed in a directory <dir> (the gate's [rules] dir) as issuers.cose,
 * the verified COSE_Sign1 bytes as received (0644), replaced by
 * snt_write_atomic() (temporary file, fsync, rename, directory fsync): a
 * power cut leaves the old list or the new one.  Only a list for the gate's
 * own home that is newer than the installed one is taken.  A running
 * sentineld takes a new list by itself between visits when issuers.cose
 * changes (snt_file_stamp(), common.h).
 *
 * Nothing here prints.
 */
#ifndef SNT_ISSUERS_H
#define SNT_ISSUERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "common/common.h"
#include "rules/rules.h"
#include "sign/sign.h"

#define SNT_ISSUERS_FILE "issuers.cose"
#define SNT_ISSUERS_MAX 1048576		/* largest signed issuer list, bytes */
#define SNT_ISSUERS_MAX_GATES 64	/* active gates of one home */
#define SNT_ISSUERS_MAX_REVOKED 256	/* revoked keys of one home */
#define SNT_ISSUERS_DEVICE_LEN 64	/* as [station] device_id: 63 characters + NUL */
#define SNT_ISSUERS_PEM_LEN 512		/* a P-256 SubjectPublicKeyInfo PEM (178 bytes) + room */
#define SNT_ISSUERS_REASON_LEN 256	/* 255 bytes + NUL */

enum snt_issuers_err {
	SNT_ISSUERS_OK = 0,
	SNT_ISSUERS_ERR_INVAL,		/* NULL or out-of-range argument */
	SNT_ISSUERS_ERR_NOMEM,
	SNT_ISSUERS_ERR_NONE,		/* no issuer list installed (<dir>/issuers.cose missing) */
	SNT_ISSUERS_ERR_IO,		/* a file could not be read, written, fsync'd or renamed (errno kept) */
	SNT_ISSUERS_ERR_TOO_LARGE,	/* over SNT_ISSUERS_MAX bytes */
	SNT_ISSUERS_ERR_SIGNATURE,	/* not a COSE_Sign1 ES256 by the bureau's key, or altered */
	SNT_ISSUERS_ERR_PAYLOAD,	/* the payload is not an issuer list (the message names the field) */
	SNT_ISSUERS_ERR_OLD,		/* install: version not newer than the installed one */
	SNT_ISSUERS_ERR_ELSEWHERE,	/* addressed to another home */
	SNT_ISSUERS_ERR_REVOKED,	/* a badge or pass signed by a revoked gate key */
	SNT_ISSUERS_ERR_CREDENTIAL,	/* a badge or pass that does not verify (the message says why) */
};

/* One gate key of a list: an active gate's, or a revoked one (revoked_ms, reason). */
struct snt_issuers_key {
	char device[SNT_ISSUERS_DEVICE_LEN];
	uint8_t kid[SNT_SIGN_KID_LEN];
	char pem[SNT_ISSUERS_PEM_LEN];		/* PEM SubjectPublicKeyInfo text */
	EVP_PKEY *key;				/* decoded lists: @pem's key (owned); ignored by the encoder */
	int64_t revoked_ms;			/* revoked: when (ms since the epoch) */
	char reason[SNT_ISSUERS_REASON_LEN];	/* revoked: why */
};

/* A decoded list (snt_issuers_open()); one allocation, freed with snt_issuers_free(). */
struct snt_issuers {
	char home[SNT_RULES_HOME_LEN];
	uint64_t version;
	int64_t issued_ms;
	size_t n_gates;
	struct snt_issuers_key gates[SNT_ISSUERS_MAX_GATES];
	size_t n_revoked;
	struct snt_issuers_key revoked[SNT_ISSUERS_MAX_REVOKED];
};

/*
 * snt_issuers_sign() - the bureau's side: encode @list (the layout above;
 * each key parsed from its pem and its kid computed from it, @list's kid
 * fields ignored) and sign it with the bureau's private @key.
 * @out: receives the message (free()), @out_len its size.
 * @err, @errlen: one line naming what is wrong; may be NULL/0.
 * Return: SNT_ISSUERS_OK; SNT_ISSUERS_ERR_INVAL (NULL);
 * SNT_ISSUERS_ERR_PAYLOAD (a field the gate would refuse, named);
 * SNT_ISSUERS_ERR_TOO_LARGE; SNT_ISSUERS_ERR_SIGNATURE (signing failed);
 * SNT_ISSUERS_ERR_NOMEM.
 */
enum snt_issuers_err snt_issuers_sign(EVP_PKEY *key, const struct snt_issuers *list, uint8_t **out,
				      size_t *out_len, char *err, size_t errlen) SNT_WUR;

/*
 * snt_issuers_open() - verify a signed issuer list with the bureau's
 * public key @pub (snt_sign1_open()) and decode its payload strictly.
 * @buf, @len: the message; hostile.
 * @out: receives the list (snt_issuers_free()).
 * @err, @errlen: on failure one line naming the field, e.g. "field
 *     'gates[1].kid': not the kid of its key"; may be NULL/0.
 * Return: SNT_ISSUERS_OK; SNT_ISSUERS_ERR_INVAL; SNT_ISSUERS_ERR_TOO_LARGE;
 * SNT_ISSUERS_ERR_SIGNATURE; SNT_ISSUERS_ERR_PAYLOAD; SNT_ISSUERS_ERR_NOMEM.
 */
enum snt_issuers_err snt_issuers_open(const uint8_t *buf, size_t len, EVP_PKEY *pub, struct snt_issuers **out,
				      char *err, size_t errlen) SNT_WUR;

/* snt_issuers_free() - the list and its keys; NULL does nothing. */
void snt_issuers_free(struct snt_issuers *list);

/*
 * snt_issuers_load() - the list installed in @dir, when <dir>/issuers.cose
 * verifies with @pub and is for @home.
 * @out: receives the list (snt_issuers_free()).
 * Return: SNT_ISSUERS_OK; SNT_ISSUERS_ERR_NONE (no issuers.cose);
 * SNT_ISSUERS_ERR_INVAL; SNT_ISSUERS_ERR_IO, SNT_ISSUERS_ERR_TOO_LARGE
 * (@err names the file); the errors of snt_issuers_open();
 * SNT_ISSUERS_ERR_ELSEWHERE (@err: "addressed to home 'A', this gate's home
 * is 'B'").
 */
enum snt_issuers_err snt_issuers_load(const char *dir, EVP_PKEY *pub, const char *home, struct snt_issuers **out,
				      char *err, size_t errlen) SNT_WUR;

struct snt_issuers_install_result {
	uint64_t version;	/* the list installed */
	uint64_t previous;	/* the version it replaced; 0: none */
	size_t n_gates, n_revoked;
};

/*
 * snt_issuers_install() - open @buf (@len bytes) as snt_issuers_open()
 * does, check it is for @home and newer than the list installed in @dir
 * (one that does not verify, or is for another home, counts as none), and
 * write it as <dir>/issuers.cose (snt_write_atomic(), 0644).
 * @dir: the directory (the gate's [rules] dir); it must exist.
 * @res: receives what was installed; on SNT_ISSUERS_ERR_OLD its previous is
 *     the installed version.
 * Return: as snt_issuers_open(); SNT_ISSUERS_ERR_ELSEWHERE;
 * SNT_ISSUERS_ERR_OLD (@err: "version N is not newer than the installed
 * version M"); SNT_ISSUERS_ERR_IO (@err names the file; errno kept).  On
 * any error the installed list is left as it was.
 */
enum snt_issuers_err snt_issuers_install(const char *dir, EVP_PKEY *pub, const char *home, const uint8_t *buf,
					 size_t len, struct snt_issuers_install_result *res, char *err,
					 size_t errlen) SNT_WUR;

/* Who signed a badge or pass (snt_issuers_credential_open()). */
enum snt_issuers_by {
	SNT_ISSUERS_BY_BUREAU = 0,	/* the bureau's key */
	SNT_ISSUERS_BY_SELF,		/* this gate's own device key */
	SNT_ISSUERS_BY_GATE,		/* an active gate of the issuer list */
	SNT_ISSUERS_BY_REVOKED,		/* a revoked gate key of the issuer list */
};

struct snt_issuers_signer {
	enum snt_issuers_by by;
	uint8_t kid[SNT_SIGN_KID_LEN];
	char device[SNT_ISSUERS_DEVICE_LEN];	/* BY_GATE, BY_REVOKED: the gate; "" otherwise */
	int64_t revoked_ms;			/* BY_REVOKED: when */
	char reason[SNT_ISSUERS_REASON_LEN];	/* BY_REVOKED: why */
};

/*
 * snt_issuers_credential_open() - verify a scanned badge or pass with the
 * key its kid names: the bureau's (@bureau_pub), this gate's own (@own, when
 * @list does not revoke it), an active gate of @list, or a revoked gate key
 * of @list; any other kid is verified against @bureau_pub and so refused as
 * signed by another key, as before there were lists.
 * @list: the home's installed issuer list, borrowed; NULL: none.
 * @bureau_pub: the bureau's P-256 public key.
 * @own: this gate's device key (public half used), borrowed; NULL: none.
 * @bytes, @len: the QR text ("SNB1:..."), hostile.
 * @out: receives the credential (also on SNT_ISSUERS_ERR_REVOKED: what the
 *     revoked key signed).
 * @who: receives who signed it (also on SNT_ISSUERS_ERR_REVOKED); may be
 *     NULL.
 * Return: SNT_ISSUERS_OK; SNT_ISSUERS_ERR_INVAL (NULL @bytes, @bureau_pub,
 * @out); SNT_ISSUERS_ERR_NOMEM; SNT_ISSUERS_ERR_REVOKED when it verifies
 * with a revoked gate key (refused whatever its "issued" time: the top of
 * this file); SNT_ISSUERS_ERR_CREDENTIAL when it does not verify, is no
 * badge or pass, or is a badge signed by a gate key (@err says which).
 */
enum snt_issuers_err snt_issuers_credential_open(const struct snt_issuers *list, EVP_PKEY *bureau_pub, EVP_PKEY *own,
						 const uint8_t *bytes, size_t len, struct snt_credential *out,
						 struct snt_issuers_signer *who, char *err, size_t errlen) SNT_WUR;

/* snt_issuers_strerror() - one line describing @err; never NULL. */
const char *snt_issuers_strerror(enum snt_issuers_err err);

#endif /* SNT_ISSUERS_H */
