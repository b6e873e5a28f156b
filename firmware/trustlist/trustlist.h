/* SPDX-License-Identifier: MIT */
/*
 * trustlist: the bureau's signed trust list for one care home - the issuer
 * key files of [station] trust (trust/trust.h) as the bureau hands them to
 * its gates, versioned, signed, installed atomically.
 *
 * A trust list is a COSE_Sign1 with ES256 (sign/sign.h, RFC 9052 §4.2,
 * RFC 9053 §2.1) made with the bureau's P-256 key, whose payload is one
 * CBOR map (RFC 8949) with exactly these text keys, in this order, each
 * once:
 *   "type"      "trust"
 *   "v"         1
 *   "home"      the care home it is for, as the gate's [station] home:
 *               tstr, 1-127 bytes
 *   "version"   uint >= 1: an install must be newer than the installed one
 *   "issued"    int, ms since the epoch: the bureau's time stamp
 *   "files"     map of 1-SNT_TRUSTLIST_MAX_FILES entries, each
 *               file name (tstr, 1-63 of A-Z a-z 0-9 . _ -, not starting
 *               with '.') -> content (bstr, 1 byte or more): a certificate
 *               (DER/PEM), a DCC trust list, a DID document or a JWK set,
 *               each one that trust.h loads with at least one key
 * Anything else (an unknown, missing or repeated key, another order, a
 * wrong type, a file of no known kind, trailing bytes) is refused, naming
 * the field or the file.  The whole message is at most SNT_TRUSTLIST_MAX
 * bytes.
 *
 * Installed in a directory <dir> (the gate's [rules] dir) as:
 *   trust/        the list's files, one file each, 0644 (a directory
 *                 snt_trust_load() reads); it replaces [station] trust
 *                 while trust.cose below verifies
 *   trust.cose    the verified COSE_Sign1 bytes as received (0644)
 * An install writes the files into trust.new/ (each fsync'd, then the
 * directory), exchanges trust.new/ and trust/ with renameat2(2)
 * RENAME_EXCHANGE (one atomic step: a reader opens the whole old list or the
 * whole new one), removes the old files, then writes trust.cose by
 * snt_write_atomic().  A power cut in between leaves the old list, or the
 * new list with the old trust.cose (loaded as installed; a second install
 * of the new version completes it).  The old list stays until the new one
 * is fully checked.  A running sentineld takes a new list by itself between
 * visits when trust.cose changes (snt_file_stamp(), common.h).
 *
 * Nothing here prints.
 */
#ifndef SNT_TRUSTLIST_H
#define SNT_TRUSTLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "common/common.h"

#define SNT_TRUSTLIST_FILE "trust.cose"
#define SNT_TRUSTLIST_DIR "trust"
#define SNT_TRUSTLIST_MAX 1048576	/* largest signed trust list, bytes */
#define SNT_TRUSTLIST_MAX_FILES 16
#define SNT_TRUSTLIST_NAME_LEN 64	/* a file name: 63 bytes + NUL */
#define SNT_TRUSTLIST_HOME_LEN 128	/* as [station] home: 127 bytes + NUL */

enum snt_trustlist_err {
	SNT_TRUSTLIST_OK = 0,
	SNT_TRUSTLIST_ERR_INVAL,	/* NULL or out-of-range argument */
	SNT_TRUSTLIST_ERR_NOMEM,
	SNT_TRUSTLIST_ERR_NONE,		/* no trust list installed (<dir>/trust.cose missing) */
	SNT_TRUSTLIST_ERR_IO,		/* a file could not be read, written, fsync'd or renamed (errno kept) */
	SNT_TRUSTLIST_ERR_TOO_LARGE,	/* over SNT_TRUSTLIST_MAX bytes */
	SNT_TRUSTLIST_ERR_SIGNATURE,	/* not a COSE_Sign1 ES256 by the bureau's key, or altered */
	SNT_TRUSTLIST_ERR_PAYLOAD,	/* the payload is not a trust list (the message names the field) */
	SNT_TRUSTLIST_ERR_KEYS,		/* a file is no certificate, trust list, DID document or JWK set */
	SNT_TRUSTLIST_ERR_OLD,		/* install: version not newer than the installed one */
	SNT_TRUSTLIST_ERR_ELSEWHERE,	/* addressed to another home */
};

struct snt_trustlist_file {
	char name[SNT_TRUSTLIST_NAME_LEN];
	uint8_t *data;			/* owned by the list */
	size_t len;
};

struct snt_trustlist {
	char home[SNT_TRUSTLIST_HOME_LEN];
	uint64_t version;
	int64_t issued_ms;
	size_t n_files;
	struct snt_trustlist_file files[SNT_TRUSTLIST_MAX_FILES];
};

/* snt_trustlist_name_valid() - whether @name is a file name a list may carry (above). */
bool snt_trustlist_name_valid(const char *name);

/*
 * snt_trustlist_check_file() - whether the content @data (@len bytes) of
 * the issuer key file @name loads (trust.h) with at least one key, as each
 * file of a list must: the check snt_trustlist_sign() and
 * snt_trustlist_open() make, for a file that travels outside a list (an
 * enrolment package's trust files).
 * @err, @errlen: on failure one line naming the file, e.g. "file 'x.pem':
 *     not a certificate, DCC trust list, DID document or JWK set"; may be
 *     NULL/0.
 * Return: SNT_TRUSTLIST_OK; SNT_TRUSTLIST_ERR_INVAL (NULL @name);
 * SNT_TRUSTLIST_ERR_PAYLOAD (empty); SNT_TRUSTLIST_ERR_KEYS (no key, or more
 * than SNT_TRUST_MAX_KEYS); SNT_TRUSTLIST_ERR_NOMEM.
 */
enum snt_trustlist_err snt_trustlist_check_file(const char *name, const uint8_t *data, size_t len, char *err,
						size_t errlen) SNT_WUR;

/*
 * snt_trustlist_sign() - encode @tl (the layout above; its files checked as
 * the reader checks them) and sign it with the bureau's private @key.
 * @out: receives the message (free()), @out_len its size.
 * @err, @errlen: one line naming what is wrong; may be NULL/0.
 * Return: SNT_TRUSTLIST_OK; SNT_TRUSTLIST_ERR_INVAL (NULL);
 * SNT_TRUSTLIST_ERR_PAYLOAD (a bad home, version, name, count);
 * SNT_TRUSTLIST_ERR_KEYS (a file of no known kind);
 * SNT_TRUSTLIST_ERR_TOO_LARGE; SNT_TRUSTLIST_ERR_SIGNATURE (signing
 * failed); SNT_TRUSTLIST_ERR_NOMEM.
 */
enum snt_trustlist_err snt_trustlist_sign(EVP_PKEY *key, const struct snt_trustlist *tl, uint8_t **out,
					  size_t *out_len, char *err, size_t errlen) SNT_WUR;

/*
 * snt_trustlist_open() - verify a signed trust list with the bureau's
 * public key @pub (snt_sign1_open()), decode its payload strictly and check
 * that every file loads (trust.h) with at least one key.
 * @buf, @len: the message; hostile.
 * @out: receives the list (snt_trustlist_free()).
 * @err, @errlen: on failure one line naming the field or the file, e.g.
 *     "file 'x.pem': not a certificate, DCC trust list, DID document or JWK
 *     set"; may be NULL/0.
 * Return: SNT_TRUSTLIST_OK; SNT_TRUSTLIST_ERR_INVAL;
 * SNT_TRUSTLIST_ERR_TOO_LARGE; SNT_TRUSTLIST_ERR_SIGNATURE;
 * SNT_TRUSTLIST_ERR_PAYLOAD; SNT_TRUSTLIST_ERR_KEYS; SNT_TRUSTLIST_ERR_NOMEM.
 */
enum snt_trustlist_err snt_trustlist_open(const uint8_t *buf, size_t len, EVP_PKEY *pub,
					  struct snt_trustlist **out, char *err, size_t errlen) SNT_WUR;

/* snt_trustlist_free() - the list and its files; NULL does nothing. */
void snt_trustlist_free(struct snt_trustlist *tl);

struct snt_trustlist_install_result {
	uint64_t version;	/* the list installed */
	uint64_t previous;	/* the version it replaced; 0: none */
	size_t n_files;
};

/*
 * snt_trustlist_install() - open @buf (@len bytes) as snt_trustlist_open()
 * does, check it is for @home and newer than the list installed in @dir
 * (one that does not verify, or is for another home, counts as none), and
 * install it there (the steps above).
 * @dir: the directory (the gate's [rules] dir); it must exist.
 * @res: receives what was installed; on SNT_TRUSTLIST_ERR_OLD its previous
 *     is the installed version.
 * Return: as snt_trustlist_open(); SNT_TRUSTLIST_ERR_ELSEWHERE (@err:
 * "addressed to home 'A', this gate's home is 'B'");
 * SNT_TRUSTLIST_ERR_OLD (@err: "version N is not newer than the
 * installed version M"); SNT_TRUSTLIST_ERR_IO (@err names the file; errno
 * kept).  On any error the installed list is left as it was.
 */
enum snt_trustlist_err snt_trustlist_install(const char *dir, EVP_PKEY *pub, const char *home,
					     const uint8_t *buf, size_t len,
					     struct snt_trustlist_install_result *res, char *err,
					     size_t errlen) SNT_WUR;

/*
 * snt_trustlist_installed() - the list installed in @dir, when
 * <dir>/trust.cose verifies with @pub and is for @home: its version, its
 * issue time into *@issued_ms (ms since the epoch, UTC; @issued_ms may be
 * NULL), and the path of its files' directory (<dir>/trust) into @path.
 * Return: SNT_TRUSTLIST_OK; SNT_TRUSTLIST_ERR_NONE (no trust.cose);
 * SNT_TRUSTLIST_ERR_INVAL; SNT_TRUSTLIST_ERR_IO; otherwise the error of
 * snt_trustlist_open() or SNT_TRUSTLIST_ERR_ELSEWHERE (@err says why).
 */
enum snt_trustlist_err snt_trustlist_installed(const char *dir, EVP_PKEY *pub, const char *home,
					       uint64_t *version, int64_t *issued_ms, char *path, size_t pathlen,
					       char *err, size_t errlen) SNT_WUR;

/* snt_trustlist_strerror() - one line describing @err; never NULL. */
const char *snt_trustlist_strerror(enum snt_trustlist_err err);

#endif /* SNT_TRUSTLIST_H */
