/* SPDX-License-Identifier: MIT */
/*
 * Each home's issuer list at the bureau, tools/bureau/issuers.c: which gates
 * of a home sign visit passes, and which gate keys are revoked
 * (firmware/issuers/issuers.h), built from the database when it is sent:
 *   gates    every gate registered with that home (register --home) and not
 *            revoked, with its current key;
 *   revoked  every gate of that home revoked (devices revoke: its key, the
 *            revocation's time and reason), and every key a handover
 *            replaced (register --replace: the handover's time, "replaced:
 *            <reason>"), so a stolen or replaced board's passes are refused
 *            at every gate of the home.
 * Its version is the time in ms of the latest of those events (a gate's
 * registration, a revocation, a handover): it grows with every change the
 * list shows, needs no state of its own, and is the same on both database
 * backends and for export and serve.  A gate whose home is set after its
 * registration (register --home on a registered gate) shows in the list
 * from the home's next event on.
 * `export` puts it on the stick of every gate of the home
 * (in/issuers-N.cose) and `serve` sends it in the acknowledgement
 * ("issuers", bundle.h).
 */
#ifndef SNT_BUREAU_ISSUERS_H
#define SNT_BUREAU_ISSUERS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "tools/bureau/bureau.h"

/*
 * bureau_issuers_for() - the current issuer list of @device's home, signed
 * with @key (the bureau's key pair) and issued at @now_ms.
 * @cose, @len: receive the signed list (free()); @version its version.
 * Return: BUREAU_OK; BUREAU_ERR_NOTFOUND when the device has no home, or
 * its home has no gate to list (@why says which); BUREAU_ERR_NOMEM;
 * BUREAU_ERR_IO when the list cannot be signed (@why says why); the
 * errors of the database reads.
 */
enum bureau_err bureau_issuers_for(struct bureau_db *db, EVP_PKEY *key, const char *device, int64_t now_ms,
				   uint8_t **cose, size_t *len, uint64_t *version, char *why, size_t n) SNT_WUR;

#endif /* SNT_BUREAU_ISSUERS_H */
