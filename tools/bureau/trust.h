/* SPDX-License-Identifier: MIT */
/*
 * The homes' trust lists at the bureau, tools/bureau/trust.c:
 *
 *   sentinel-bureau --key KEY [--db DB [--state-dir DIR]] trust sign --home HOME
 *                   --version N --in FILE [--in FILE]... --out F.cose
 *
 * signs the issuer key files (certificates, DCC trust lists, DID documents,
 * JWK sets; trust/trust.h) as one trust list for HOME (the format is
 * firmware/trustlist/trustlist.h; each file is checked to hold a key, a
 * file that holds none is refused naming it).  With --db the list becomes
 * HOME's current one (a newer version only): it is kept in the trust-list
 * directory (bureau_state_dir(): DIR/trust/ with --state-dir, else DB.trust/
 * beside an SQLite file, BUREAU_STATE_DIR_DEFAULT/trust/ for a postgresql://
 * URI), as <first 32 hex digits of SHA-256(HOME)>.cose
 * (0600 in a 0700 directory); `export` puts it on the stick of every gate
 * registered with that home (in/trust-N.cose) and `serve` sends it in the
 * acknowledgement of an online sync ("trust", bundle.h).
 */
#ifndef SNT_BUREAU_TRUST_H
#define SNT_BUREAU_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "tools/bureau/bureau.h"

/*
 * bureau_trust_main() - run the command when the first operand of @argv
 * (after the options) is "trust".
 * @status: receives the exit status (0 done; 1 refused input: a file of no
 * key, not newer than the recorded list; 2 usage, file or key error).
 * Return: 1 when the command was "trust" (and was run), 0 otherwise.
 */
int bureau_trust_main(int argc, char **argv, int *status);

/*
 * bureau_trust_for() - the current trust list of @device's home (registered
 * with register --home) from the trust-list directory of the database
 * @db_path and the state directory @state_dir (NULL: none given;
 * bureau_state_dir(..., "trust")), verified with @key (the bureau's key
 * pair).
 * @cose, @len: receive the signed list (free()); @version its version.
 * Return: BUREAU_OK; BUREAU_ERR_NOTFOUND when the device has no home or its
 * home no list (@why says which); BUREAU_ERR_IO when the kept list cannot
 * be read or does not verify; the errors of bureau_db_device_info();
 * BUREAU_ERR_NOMEM.
 */
enum bureau_err bureau_trust_for(const char *db_path, const char *state_dir, struct bureau_db *db, EVP_PKEY *key,
				 const char *device, uint8_t **cose, size_t *len, uint64_t *version, char *why,
				 size_t n) SNT_WUR;

/*
 * bureau_trust_home() - the current trust list of the home @home (as
 * bureau_trust_for(), by home: an enrolment package is made before its gate
 * is registered), verified with @key (the bureau's public key is enough)
 * and checked to be @home's.
 * Return: BUREAU_OK; BUREAU_ERR_NOTFOUND when the home has no list;
 * BUREAU_ERR_IO when the kept list cannot be read or does not verify;
 * BUREAU_ERR_INVAL; BUREAU_ERR_NOMEM.
 */
enum bureau_err bureau_trust_home(const char *db_path, const char *state_dir, EVP_PKEY *key, const char *home,
				  uint8_t **cose, size_t *len, uint64_t *version, char *why, size_t n) SNT_WUR;

#endif /* SNT_BUREAU_TRUST_H */
