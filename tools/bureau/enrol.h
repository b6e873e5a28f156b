/* SPDX-License-Identifier: MIT */
/*
 * Enrolment of new gates, tools/bureau/enrol.c:
 *
 *   sentinel-bureau --db DB [--state-dir S] enrol --home HOME --gate ID
 *                   --bureau-key PUB --output DIR [--duty-phone P]
 *                   [--bureau-url URL] [--ca CA.pem] [--rules RULES.cose]
 *                   [--trust FILE]...
 *   sentinel-bureau --db DB [--state-dir S] enrol-import DIR
 *
 * enrol writes the enrolment package DIR/sentinel/enrol/ID/package.json
 * (for a stick; the gate takes it with `sentinelctl enrol MOUNTPOINT`) and
 * keeps a copy under the token it holds, in the token directory
 * (bureau_state_dir(DB, S, "enrol"): S/enrol/ with --state-dir, else
 * DB.enrol/ beside an SQLite file, BUREAU_STATE_DIR_DEFAULT/enrol/ for
 * PostgreSQL; 0700).  It prints a second token for an online enrolment,
 * which the stick never carries: kept as ONLINE.online holding the stick's
 * token (bureau_enrol_redeem_online()), so whoever reads the stick (copied
 * on its way, or before enrol-import) cannot enrol a gate of theirs online
 * under that gate's id.  Spending either spends both.  The package is
 * one JSON object:
 *
 *   {"format": "sentinel-enrolment/1", "home": HOME, "gate": ID,
 *    "duty_phone": P, "bureau_url": URL, "token": 32 hex digits,
 *    "created": RFC 3339 time, "bureau_key": PEM, "bureau_ca": PEM,
 *    "rules": hex of RULES.cose, "trust": {NAME: hex of the file, ...},
 *    "trust_list": hex of the home's signed trust list (trustlist.h)}
 *
 * (duty_phone, bureau_url, bureau_ca, rules, trust and trust_list may be
 * absent; a gate refuses any other key).  Without --rules, "rules" is the
 * home's current rule set in DB (bureau_db_rules_home(), when addressed to
 * ID); "trust_list" is the home's current list (bureau_trust_home()).
 * --rules must verify with PUB and be addressed to HOME and ID; each --trust
 * file must hold an issuer key (snt_trustlist_check_file()); --ca must be
 * PEM certificates (snt_sign_ca_pem_check()).  The token is 16 bytes from
 * OpenSSL's CSPRNG.
 *
 * enrol-import takes what gates wrote back on a stick: for every
 * DIR/sentinel/enrol/ID/ holding device.pub (the gate's new public key)
 * and reply.json ({"gate": ID, "token": T}), it spends the token and
 * registers ID with that key as serving HOME (`register --home`); with
 * DIR/sentinel/enrol/ID/seal0, the gate's first seal key (fss.h; secret),
 * it registers that too, as `register --seal-key`, and removes the file
 * from the stick.  A token works once: spending moves T.json to used/ in
 * the token directory with rename(2), so of two uses (two
 * sticks, a stick and an online request, two HTTP workers) one wins; a
 * token of another gate, an unknown or spent one is refused.
 */
#ifndef SNT_BUREAU_ENROL_H
#define SNT_BUREAU_ENROL_H

#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "sign/sign.h"

#include "tools/bureau/bureau.h"

#define BUREAU_ENROL_TOKEN_HEX 32

/*
 * bureau_enrol_main() - run the command when the first operand of @argv
 * (after the options) is "enrol" or "enrol-import".
 * @status: receives the exit status (0 done; 1 a reply refused: unknown or
 * spent token, another gate's; 2 usage, file or database error).
 * Return: 1 when the command was one of these (and was run), 0 otherwise.
 */
int bureau_enrol_main(int argc, char **argv, int *status);

/*
 * bureau_enrol_redeem() - spend @token (for any gate) from the token
 * directory of the database @db_path and the state directory @state_dir
 * (NULL: none given; bureau_state_dir(..., "enrol")) and register the gate
 * of its package
 * with @pub_pem in @db, and with its first seal key @seal0 (the text of a
 * DEVICE.seal0 file, fss.h; NULL or "" for none) when given, as serving the
 * package's home (bureau_db_set_home()).  @pub_pem is refused when it is
 * the bureau's own key: @key's or the package's bureau_key
 * (bureau_enrol_own_key()).
 * @key: the bureau's key (serve's), or NULL.  With it, the package
 *     answered carries the home's current rule set (when newer than the
 *     package's) and trust list (bureau_trust_for()), as an online
 *     acknowledgement would.
 * @gate: the gate the caller holds the reply of (a stick's folder), or
 *     NULL for any (online: the token names its gate); a token made for
 *     another gate is refused before anything is registered.
 * @package: receives the package (the caller json_decref()s it).
 * @why: one line on failure (no token in it).
 * Return: 0; 1 when the token is unknown or spent, made for a gate other
 * than @gate, @pub_pem is not a P-256 public key or is the bureau's own,
 * @seal0 is not a first seal key (epoch 0), or the gate is registered
 * already with another key or seal key (in the last three cases and for
 * another gate's token the token is unspent again, unless putting it back
 * fails, which @why says); 2 on a file or database error (the token
 * unspent again likewise).
 */
int bureau_enrol_redeem(const char *db_path, const char *state_dir, struct bureau_db *db, EVP_PKEY *key,
			const char *token, const char *gate, const char *pub_pem, const char *seal0, int64_t now_ms, json_t **package,
			char *why, size_t n);

/*
 * bureau_enrol_redeem_online() - bureau_enrol_redeem() for a gate enrolling
 * online (serve) with @token, the online token `enrol` printed: its stick
 * token, which ONLINE.online in the token directory holds, is spent, and
 * ONLINE.online removed.  A stick's token itself (on every stick with the
 * package) is unknown here.
 * Return: as bureau_enrol_redeem() (1 for an unknown online token).
 */
int bureau_enrol_redeem_online(const char *db_path, const char *state_dir, struct bureau_db *db, EVP_PKEY *key,
			       const char *token, const char *pub_pem, const char *seal0, int64_t now_ms,
			       json_t **package, char *why, size_t n);

/*
 * bureau_enrol_own_key() - whether @kid (a key id, sign.h) is that of @own,
 * the bureau's key (public or private; NULL: false).  The one check of
 * register and enrolment: a gate registered with the bureau's own key would
 * be trusted for anything the bureau signs.
 */
bool bureau_enrol_own_key(EVP_PKEY *own, const uint8_t kid[SNT_SIGN_KID_LEN]);

#endif /* SNT_BUREAU_ENROL_H */
