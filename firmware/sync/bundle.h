/* SPDX-License-Identifier: MIT */
/*
 * bundle: the wire formats between a gate and the bureau, in CBOR
 * (RFC 8949) with libcbor, signed as COSE_Sign1 ES256 and, for bundles,
 * sealed to the bureau (firmware/sign/sign.h).
 *
 * Every payload is one CBOR map with text-string keys, among them
 * "type" (tstr) and "v" (uint, 1).  Encoders write definite lengths, keys in
 * the order listed below, integers in their shortest form.  Decoders of the
 * types defined here are strict (every input is hostile): the top level is
 * exactly one well-formed map, every listed key present exactly once in
 * exactly the order listed (so "type", "v", "device" always come first),
 * with exactly the type given, no other key; an unknown "type" or a "v"
 * other than 1 is refused; sizes and counts are bounded and checked;
 * floats, tags and indefinite lengths are refused where not listed.
 *
 * ---- Bundle (gate -> bureau) ----
 * file = snt_seal(bureau public key,
 *                 snt_sign1_es256(device private key, CBOR payload))
 * payload = {
 *   "type": "bundle", "v": 1,
 *   "device": tstr, a device id (snt_bundle_device_id_valid()),
 *   "kind": "regular" | "priority",
 *   "first": uint, "last": uint, "count": uint,
 *   "prev": bstr 32 (prev_hash of the first entry),
 *   "head": bstr 32 (hash of the last entry),
 *   "created": int (ms since the epoch, the gate's clock),
 *   "entries": [entry, ...],
 *   "seals": [seal | null, ...]   (optional: absent when the gate
 *                                  sealed none of the entries),
 *   "records": [record | null, ...] (optional, last: absent when the gate
 *                                  holds no personal record of the entries)
 * }
 * seal = [epoch uint (0 .. SNT_FSS_EPOCH_MAX), tag bstr 32]: the entry's
 * forward-secure seal as its log holds it (fss.h, store.h), one per entry in
 * the order of "entries", null for an entry the gate did not seal.  The
 * bureau checks each one with its copy of the gate's first key.
 * record = bstr (SNT_STORE_PERSONAL_MIN .. SNT_STORE_PERSONAL_MAX bytes):
 * the entry's personal record sealed to the bureau's key as the gate's log
 * keeps it (store.h snt_store_personal_put(), checkin.h: the ID card's full
 * text), one per entry in the order of "entries", null for an entry whose
 * record the gate does not hold (none was made, or its retention removed
 * it).  A record is carried only for an entry whose detail record names its
 * digest, "idcard": {"sealed": hex SHA-256} (covered by the entry's hash),
 * and only when the record's SHA-256 is that digest: the chain vouches for
 * every record, and the bundle's signature is not needed for it.
 * Compatibility: "seals" and "records" are both optional; a bundle without
 * them is the format of gates before them, which every bureau reads.  A
 * bureau older than "records" refuses a bundle that carries them (an
 * unknown key), so a bureau is updated before its gates.
 * entry = [seq uint >= 1, boot_id tstr (< SNT_BOOT_ID_LEN bytes),
 *          mono_ms int, time_utc_ms int, clock tstr, kind tstr, format tstr,
 *          colour tstr, verified tstr, temp_dc int | null, decision tstr,
 *          reasons tstr (comma-joined names in weight order, "" when none,
 *          exactly as the log stores them), door tstr, subject tstr | null
 *          (null for ""), payload bstr | null (null for none; at most
 *          SNT_ENTRY_MAX_PAYLOAD bytes), detail tstr | null (null for "";
 *          < SNT_DETAIL_LEN bytes), prev_hash bstr 32, hash bstr 32,
 *          payload_hash bstr 32 | null (the SHA-256 of a payload the log
 *          keeps only as that, snt_code_format_keep(); null for none, and
 *          always null when payload is not),
 *          birth_year uint (SNT_ENTRY_BIRTH_YEAR_MIN ..
 *          SNT_ENTRY_BIRTH_YEAR_MAX; only in an entry that keeps one: the
 *          visitor's birth year under a rule set's age rule, entry.h)]
 * The encoder writes the 19 columns, and the 20th only for an entry that
 * keeps a birth year (so the bundles of a gate without an age rule stay
 * what an older bureau reads); the decoder takes 20, 19 or the first 18
 * alone (bundles written before payload_hash: read as null).
 * Enum names are those of the store: snt_clock_state_name(),
 * snt_person_kind_name(), snt_code_format_name(), snt_colour_name(),
 * snt_verified_name(), snt_decision_name(), snt_reasons_format(",") and
 * snt_door_name(), parsed back with the matching *_from_name().
 * Every entry's hash is recomputed with snt_store_entry_hash() and must
 * equal the "hash" carried.
 * - Regular bundle: entries are seq first, first+1, ..., last (no gap),
 *   count = last - first + 1, each entry's prev_hash equal to the previous
 *   entry's hash, prev = prev_hash of the first entry, head = hash of the
 *   last.  1 <= count <= SNT_BUNDLE_MAX_ENTRIES as a gate writes it
 *   (SNT_BUNDLE_MAX_ACCEPT as the bureau reads it).
 * - Priority bundle: copies of fever/deny entries (any subset of the log),
 *   strictly ascending seq, first/last = lowest/highest seq, count = number
 *   of entries, prev = prev_hash of the first, head = hash of the last; no
 *   contiguity is required (each entry's own hash is still checked).
 *   The regular stream still carries every entry; the bureau merges the
 *   copies by (device, seq).
 * Larger exports are several bundles.
 *
 * ---- Acknowledgement (bureau -> gate), COSE_Sign1 by the bureau key, not sealed ----
 * { "type": "ack", "v": 1, "device": tstr,
 *   "seq": uint (the highest seq such that the bureau holds every entry from
 *                1, or from the gate's first purged anchor, up to seq),
 *   "head": bstr 32 (hash of entry seq; 32 zero bytes when seq is 0),
 *   "time": int (the bureau's clock, ms since the epoch; also signed time),
 *   "verdicts": [ {"seq": uint, "colour": "green"|"yellow"|"red",
 *                  "platform": tstr (1-32 of [a-z0-9-])}, ... ],
 *   ["rules": bstr (1-SNT_BUNDLE_MAX_ACK_RULES bytes: the current rule set
 *              of the gate's home as the bureau signed it, a COSE_Sign1
 *              that the rules module verifies itself; online answers
 *              only)],
 *   ["trust": bstr (1-SNT_BUNDLE_MAX_ACK_RULES bytes: the current trust
 *              list of the gate's home as the bureau signed it, a
 *              COSE_Sign1 that the trustlist module verifies itself;
 *              online answers only)],
 *   ["issuers": bstr (1-SNT_BUNDLE_MAX_ACK_RULES bytes: the current issuer
 *              list of the gate's home as the bureau signed it, a
 *              COSE_Sign1 that the issuers module verifies itself;
 *              online answers only)] }
 * ("rules", "trust" and "issuers" each optional, in that order, after
 * "verdicts"; a gate built before "issuers" refuses an acknowledgement
 * that carries it: update the gates before the bureau)
 * (verdict map keys in that order; at most SNT_BUNDLE_MAX_VERDICTS).
 *
 * ---- Signed time (bureau -> gate), COSE_Sign1 by the bureau key ----
 * { "type": "time", "v": 1, "device": tstr, "time": int (ms since the epoch) }
 *
 * ---- Other signed documents ----
 * "rules", "trust", "badge", "pass" (another issue) share the envelope:
 * snt_bundle_open_signed() verifies and returns the type and the map.
 *
 * ---- File names (on sticks; hostile when read back) ----
 *   bundle:          <device>-<first>-<last>-<kind>.snb   e.g. gate-01-1-5000-regular.snb
 *   acknowledgement: ack-<device>-<seq>.cose               e.g. ack-gate-01-5000.cose
 *   signed time:     time-<device>-<ms>.cose               e.g. time-gate-01-1700000000000.cose
 * Numbers in decimal without leading zeros (0 itself is "0").  Device ids
 * may contain '-', so names are parsed from the right.
 *
 * Nothing here prints; nothing personal appears in an error message (the
 * messages name fields and sequence numbers only).
 */
#ifndef SNT_BUNDLE_H
#define SNT_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cbor.h>
#include <openssl/evp.h>

#include "common/common.h"
#include "entry/entry.h"
#include "fss/fss.h"
#include "sign/sign.h"
#include "store/store.h"

enum snt_bundle_err {
	SNT_BUNDLE_OK = 0,
	SNT_BUNDLE_ERR_INVAL,		/* NULL or out-of-range argument (also: encoder given inconsistent input) */
	SNT_BUNDLE_ERR_NOMEM,
	SNT_BUNDLE_ERR_UNSEAL,		/* snt_unseal() failed (diag.sign says why: too short, magic, auth, ...) */
	SNT_BUNDLE_ERR_SIGNATURE,	/* not a COSE_Sign1 ES256 with a protected kid, or the signature fails */
	SNT_BUNDLE_ERR_UNKNOWN_DEVICE,	/* the lookup callback does not know the device */
	SNT_BUNDLE_ERR_KID,		/* signed by a key that is not the device's (or not the bureau's) */
	SNT_BUNDLE_ERR_CBOR,		/* the payload is not exactly one well-formed CBOR map */
	SNT_BUNDLE_ERR_TYPE,		/* "type" missing, not text, or not the expected type */
	SNT_BUNDLE_ERR_VERSION,		/* "v" missing or not 1 */
	SNT_BUNDLE_ERR_FIELD,		/* a field missing, repeated, unknown, of the wrong type or out of range (diag.field) */
	SNT_BUNDLE_ERR_COUNT,		/* count disagrees with first/last or the entries, or exceeds the maximum */
	SNT_BUNDLE_ERR_MANIFEST,	/* first/last/prev/head disagree with the entries, or device differs */
	SNT_BUNDLE_ERR_ORDER,		/* entries not in strictly ascending seq (or a gap in a regular bundle; diag.seq) */
	SNT_BUNDLE_ERR_CHAIN,		/* entry diag.seq's prev_hash is not the previous entry's hash */
	SNT_BUNDLE_ERR_HASH,		/* entry diag.seq's hash does not match its recomputed hash */
	SNT_BUNDLE_ERR_CRYPTO,		/* signing or sealing failed (diag.sign) */
	SNT_BUNDLE_ERR_IO,		/* a file read in pieces could not be read, or not as it was checked */
};

#define SNT_BUNDLE_VERSION 1
/*
 * Bundle sizes.  A gate writes at most SNT_BUNDLE_MAX_ENTRIES entries per
 * bundle (sync.h cuts its exports there), and snt_bundle_decode() and
 * snt_bundle_open(), which hold a whole bundle's entries in memory, take
 * no more.  The bureau reads bundles as a stream (snt_bundle_reader_open():
 * its memory does not grow with the bundle) of up to SNT_BUNDLE_MAX_ACCEPT
 * entries, 20 of a gate's largest, so that a bundle another tool wrote
 * whole (the encoder writes up to that too) still imports; a bundle
 * counting more is refused (SNT_BUNDLE_ERR_COUNT, naming the limit).
 */
#define SNT_BUNDLE_MAX_ENTRIES 5000		/* per bundle a gate writes */
#define SNT_BUNDLE_MAX_ACCEPT 100000		/* per bundle the bureau reads */
/*
 * The highest sequence number a bundle, an acknowledgement or a verdict may
 * carry: 2^53 - 1, the largest integer every JSON reader (entries --json,
 * jq, JavaScript) holds exactly, and far from int64 overflow in any sum or
 * gap the bureau computes.  A gate logging one entry a millisecond would
 * take 285,000 years to reach it.  Past it the decoders refuse the field.
 */
#define SNT_BUNDLE_MAX_SEQ ((int64_t)9007199254740991)
#define SNT_BUNDLE_MAX_VERDICTS 100000		/* per acknowledgement */
#define SNT_BUNDLE_MAX_ACK_RULES 1048576	/* an acknowledgement's rule set, bytes (SNT_RULES_MAX_FILE) */
/*
 * CBOR items a verified payload may hold, counted by a streaming pass over
 * its bytes (definite lengths only, nesting at most 8 deep, no length
 * beyond the bytes left) before libcbor builds any: a bundle (40 per entry),
 * any other signed document (an ack's 7 per verdict, plus a bundle's worth).
 */
#define SNT_BUNDLE_ITEMS(entries) (40 * (size_t)(entries) + 1000)
#define SNT_BUNDLE_MAX_ITEMS (40 * SNT_BUNDLE_MAX_ENTRIES + 1000)
#define SNT_SIGNED_MAX_ITEMS (7 * SNT_BUNDLE_MAX_VERDICTS + SNT_BUNDLE_MAX_ITEMS)
#define SNT_DEVICE_ID_LEN 64			/* 1-63 characters + NUL */
#define SNT_PLATFORM_LEN 33			/* verdict platform: 1-32 of [a-z0-9-] + NUL */
#define SNT_BUNDLE_TYPE_LEN 16			/* "type" values: at most 15 bytes + NUL */
#define SNT_BUNDLE_NAME_LEN 128			/* room for any file name below */
#define SNT_BUNDLE_FIELD_LEN 40
#define SNT_BUNDLE_MSG_LEN 160
/* Largest sealed bundle file accepted (the seal's own limit). */
#define SNT_BUNDLE_MAX_FILE (SNT_SEAL_MAX_PLAINTEXT + SNT_SEAL_OVERHEAD)

#define SNT_BUNDLE_EXT ".snb"
#define SNT_BUNDLE_COSE_EXT ".cose"

enum snt_bundle_kind {
	SNT_BUNDLE_REGULAR = 0,
	SNT_BUNDLE_PRIORITY,
};

/*
 * What went wrong, for a one-line message: the stage is the error code;
 * @field names the CBOR field ("count", "entries[3].colour"), @seq the entry
 * (0 = none), @sign the sign-layer error under _UNSEAL/_SIGNATURE/_KID/
 * _CRYPTO, and @msg a ready sentence such as
 * "field \"kind\": not \"regular\" or \"priority\"" or
 * "entry seq 17: prev_hash does not link", in the user's language (gettext:
 * decide nothing on it).  @limit is set only under SNT_BUNDLE_ERR_COUNT
 * when a count is outside what the caller allows ("count" not within 1 to
 * the decoder's or reader's @max, "verdicts" above SNT_BUNDLE_MAX_VERDICTS):
 * that maximum; it stays 0 for a count that disagrees with the entries or
 * with first/last.  Every decoder takes an optional (NULL allowed) diag and
 * fills it on error; on success it is cleared.
 */
struct snt_bundle_diag {
	char field[SNT_BUNDLE_FIELD_LEN];
	int64_t seq;
	enum snt_sign_err sign;
	size_t limit;
	char msg[SNT_BUNDLE_MSG_LEN];
};

/* The bundle payload without "entries". */
struct snt_bundle_manifest {
	char device[SNT_DEVICE_ID_LEN];
	enum snt_bundle_kind kind;
	int64_t first;
	int64_t last;
	int64_t count;
	uint8_t prev[SNT_HASH_LEN];
	uint8_t head[SNT_HASH_LEN];
	int64_t created_ms;
};

/* One entry's seal as a bundle carries it. */
struct snt_bundle_seal {
	bool present;			/* false: the entry is not sealed (null) */
	int64_t epoch;			/* 0 .. SNT_FSS_EPOCH_MAX */
	uint8_t tag[SNT_FSS_TAG_LEN];
};

/* One entry's sealed personal record as a bundle carries it. */
struct snt_bundle_record {
	const uint8_t *sealed;		/* NULL: none carried for the entry; owned by a decoded bundle */
	size_t len;			/* SNT_STORE_PERSONAL_MIN .. SNT_STORE_PERSONAL_MAX when sealed */
};

/* A decoded bundle; owned, free with snt_bundle_free(). */
struct snt_bundle {
	struct snt_bundle_manifest manifest;
	struct snt_entry *entries;	/* manifest.count entries, ascending seq; payloads owned by the bundle */
	size_t n;			/* == manifest.count */
	struct snt_bundle_seal *seals;	/* n seals in the order of entries, or NULL: no "seals" */
	struct snt_bundle_record *records; /* n records in the order of entries, or NULL: no "records" */
	uint8_t kid[SNT_SIGN_KID_LEN];	/* kid of the device key that signed it (set by snt_bundle_open()) */
};

/*
 * snt_bundle_device_id_valid() - whether @id is a device id:
 * snt_device_id_valid() (common.h; SNT_DEVICE_ID_LEN - 1 = 63 characters).
 */
bool snt_bundle_device_id_valid(const char *id);

/* snt_bundle_kind_name() - "regular" or "priority"; NULL if out of range. */
const char *snt_bundle_kind_name(enum snt_bundle_kind k);

/* snt_bundle_kind_from_name() - parse; 0 and *out, or -1 if unknown. */
int snt_bundle_kind_from_name(const char *name, enum snt_bundle_kind *out) SNT_WUR;

/*
 * snt_bundle_manifest_fill() - the manifest for @n entries @e (already in
 * the log, so with seq, prev_hash and hash set): first/last = the first and
 * last entry's seq, count = @n, prev = e[0].prev_hash, head = e[n-1].hash.
 * @device: a valid device id; @kind; @created_ms: the gate's clock.
 * Return: SNT_BUNDLE_OK; SNT_BUNDLE_ERR_INVAL for NULL, @n 0 or above
 * SNT_BUNDLE_MAX_ENTRIES, an invalid device id or kind.
 */
enum snt_bundle_err snt_bundle_manifest_fill(const char *device, enum snt_bundle_kind kind,
					     const struct snt_entry *e, size_t n, int64_t created_ms,
					     struct snt_bundle_manifest *m) SNT_WUR;

/*
 * snt_bundle_encode() - the CBOR bundle payload for manifest @m and its @n
 * entries @e.  The encoder applies the decoder's rules to its input, so it
 * never writes a bundle the bureau would refuse: the rules of the kind
 * (contiguity and linking for regular, ascending seq for priority), count
 * = @n, first/last/prev/head agreeing with @e, every entry valid and its
 * hash equal to snt_store_entry_hash().
 * @cbor: receives the payload (free()), @len its size.
 * Return: SNT_BUNDLE_OK; SNT_BUNDLE_ERR_INVAL for NULL arguments;
 * SNT_BUNDLE_ERR_COUNT, _MANIFEST, _ORDER, _CHAIN, _HASH, _FIELD (an entry
 * value out of range, e.g. an unknown enum or a bad string; diag.field
 * names it) as the decoder would report them; SNT_BUNDLE_ERR_NOMEM.
 * @diag may be NULL.
 */
enum snt_bundle_err snt_bundle_encode(const struct snt_bundle_manifest *m, const struct snt_entry *e, size_t n,
				      uint8_t **cbor, size_t *len, struct snt_bundle_diag *diag) SNT_WUR;

/*
 * snt_bundle_encode_sealed() - snt_bundle_encode() with the entries' seals
 * @s (@n of them, in the order of @e) as "seals"; @s NULL, or no seal
 * present, writes no "seals".
 * Return: as snt_bundle_encode(); SNT_BUNDLE_ERR_FIELD ("seals") for an
 * epoch out of range.
 */
enum snt_bundle_err snt_bundle_encode_sealed(const struct snt_bundle_manifest *m, const struct snt_entry *e,
					     const struct snt_bundle_seal *s, size_t n, uint8_t **cbor,
					     size_t *len, struct snt_bundle_diag *diag) SNT_WUR;

/*
 * snt_bundle_encode_records() - snt_bundle_encode_sealed() with the
 * entries' sealed personal records @r (@n of them, in the order of @e) as
 * "records"; @r NULL, or no record present, writes no "records".
 * Return: as snt_bundle_encode_sealed(); SNT_BUNDLE_ERR_FIELD ("records",
 * diag.seq) for a record outside SNT_STORE_PERSONAL_MIN ..
 * SNT_STORE_PERSONAL_MAX bytes or one that does not match its entry
 * (snt_bundle_record_matches()).
 */
enum snt_bundle_err snt_bundle_encode_records(const struct snt_bundle_manifest *m, const struct snt_entry *e,
					      const struct snt_bundle_seal *s, const struct snt_bundle_record *r,
					      size_t n, uint8_t **cbor, size_t *len,
					      struct snt_bundle_diag *diag) SNT_WUR;

/*
 * snt_bundle_record_matches() - whether the sealed record @sealed (@len
 * bytes) belongs to entry @e: @e's detail record is a JSON object whose
 * "idcard" member has "sealed", 64 hex digits equal to the SHA-256 of the
 * record.  False for NULL arguments, a detail without that digest, or any
 * other digest.
 */
bool snt_bundle_record_matches(const struct snt_entry *e, const uint8_t *sealed, size_t len);

/*
 * snt_bundle_seal() - the bundle file: snt_seal(@bureau_pub,
 * snt_sign1_es256(@device_key, @cbor)).
 * @file: receives the file's bytes (free()), @file_len its size.
 * The signed message must fit the seal's limit: @len at most
 * SNT_SEAL_MAX_PLAINTEXT - 100 bytes (a bundle of 5,000 entries with
 * health-code payloads of a few KiB is a few tens of MiB; one whose entries
 * carry payloads near SNT_ENTRY_MAX_PAYLOAD must be split smaller).
 * Return: SNT_BUNDLE_OK; SNT_BUNDLE_ERR_INVAL for NULL; SNT_BUNDLE_ERR_CRYPTO
 * with diag.sign (a key that is not P-256 or has no private half: _NOT_EC,
 * _NOT_P256, _INVAL; too large: _INVAL from signing or _TOO_LARGE from
 * sealing); SNT_BUNDLE_ERR_NOMEM.
 */
enum snt_bundle_err snt_bundle_seal(EVP_PKEY *device_key, EVP_PKEY *bureau_pub, const uint8_t *cbor, size_t len,
				    uint8_t **file, size_t *file_len, struct snt_bundle_diag *diag) SNT_WUR;

/*
 * snt_bundle_decode() - decode and check a bundle payload (the CBOR inside
 * the signature), without any key: every rule of the format above.
 * @out: receives the bundle (snt_bundle_free()); kid is zero.
 * Return: SNT_BUNDLE_OK; SNT_BUNDLE_ERR_INVAL for NULL; SNT_BUNDLE_ERR_CBOR
 * (not well-formed, trailing bytes, nesting deeper than 16, a length longer
 * than the input, not a map); _TYPE; _VERSION; _FIELD (diag.field names it:
 * "device", "kind", "first", ..., "entries", "entries[2]" (not an array of
 * 20, 19 or 18), "entries[2].clock"; an unknown key is named by itself; also
 * "entries" with diag.seq when an entry's strings fail the store's checks,
 * e.g. a boot_id that is not UTF-8); _COUNT (count not within 1 to
 * SNT_BUNDLE_MAX_ENTRIES, or not the number of entries); _MANIFEST (first /
 * last not the first / last entry's seq, prev not the first entry's
 * prev_hash, head not the last entry's hash); _ORDER (diag.seq: an entry
 * whose seq does not follow the previous one: out of order, repeated, or
 * after a gap in a regular bundle); _CHAIN (diag.seq: its prev_hash is not
 * the previous entry's hash in a regular bundle, or entry seq 1's prev_hash
 * is not 32 zero bytes); _HASH (diag.seq: its hash is not
 * snt_store_entry_hash() of its fields); _NOMEM.  Checks run in that
 * order; per entry: order, chain, hash, so an entry whose hash was altered
 * is reported as _HASH at its own seq.  Then "seals" and "records"
 * (_FIELD "seals" / "records", diag.seq: not one item or null per entry, a
 * record of the wrong size, or one whose SHA-256 is not the digest its
 * entry's detail names).
 */
enum snt_bundle_err snt_bundle_decode(const uint8_t *cbor, size_t len, struct snt_bundle **out,
				      struct snt_bundle_diag *diag) SNT_WUR;

/*
 * The bureau's device registry, asked by snt_bundle_open(): for @device (a
 * valid device id, read from the still unverified payload) and @kid (the
 * kid in the signature's protected header) set *@key to the device's
 * registered public key, a new reference (snt_bundle_open() frees it with
 * EVP_PKEY_free(); take EVP_PKEY_up_ref() of a cached key).  When the
 * device has several keys, return the one whose kid is @kid if any, else
 * any of them (the kid check then fails with SNT_BUNDLE_ERR_KID).
 * Return: 0 with *key set; -1 when the device is not registered.
 */
typedef int (*snt_bundle_lookup_fn)(void *ctx, const char *device, const uint8_t kid[SNT_SIGN_KID_LEN],
				    EVP_PKEY **key);

/*
 * snt_bundle_open() - open a bundle file: snt_unseal() with @bureau_priv,
 * read kid and the payload's "device" (unverified), look the device up,
 * check the kid is the device key's, verify the COSE_Sign1
 * (snt_sign1_open()), then snt_bundle_decode().  Nothing of the content is
 * trusted before the signature verified, except the device id used to pick
 * the key (checked with snt_bundle_device_id_valid() first).
 * @file, @len: the whole file (at most SNT_BUNDLE_MAX_FILE bytes).
 * @out: receives the bundle with kid set (snt_bundle_free()).
 * Return: SNT_BUNDLE_OK; SNT_BUNDLE_ERR_INVAL for NULL; SNT_BUNDLE_ERR_UNSEAL
 * (diag.sign: _TOO_SHORT, _TOO_LARGE, _MAGIC, _POINT, _AUTH: truncated,
 * flipped, or sealed to another bureau key); SNT_BUNDLE_ERR_SIGNATURE (not
 * a COSE_Sign1 ES256 with a protected 8-byte kid, or the signature does not
 * verify: diag.sign _NOT_COSE/_ALG/_SIGNATURE); SNT_BUNDLE_ERR_CBOR /
 * _TYPE / _FIELD "device" when no valid device id can be read before
 * verification; SNT_BUNDLE_ERR_UNKNOWN_DEVICE; SNT_BUNDLE_ERR_KID (signed
 * by a key that is not the device's, e.g. a bundle replayed from another
 * device with its device id); then every error of snt_bundle_decode().
 */
enum snt_bundle_err snt_bundle_open(EVP_PKEY *bureau_priv, snt_bundle_lookup_fn lookup, void *ctx,
				    const uint8_t *file, size_t len, struct snt_bundle **out,
				    struct snt_bundle_diag *diag) SNT_WUR;

/* snt_bundle_free() - the bundle, its entries and their payloads; NULL does nothing. */
void snt_bundle_free(struct snt_bundle *b);

/*
 * ---- Reading a bundle as a stream (the bureau) ----
 * A reader holds no tree of items and no array of the bundle's entries: it
 * hands them out in batches of a fixed size, decoded from the payload's
 * bytes (which it borrows), so what it costs beyond those bytes does not
 * grow with the bundle.  Every rule of snt_bundle_decode() applies, per
 * batch in its order (the entries' fields, their order, chain and hashes,
 * then their seals and records), first/prev checked with the first batch
 * and last/head with the last: a bundle is known good only once the batch
 * with .last set was returned, and a refused batch refuses the bundle.
 */
struct snt_bundle_reader;

/* One batch, owned by the reader and valid until its next call. */
struct snt_bundle_batch {
	const struct snt_entry *entries;	/* n entries, ascending seq; payloads borrowed from the payload */
	const struct snt_bundle_seal *seals;	/* n seals, or NULL: the bundle carries no "seals" */
	const struct snt_bundle_record *records; /* n records (sealed borrowed), or NULL: no "records" */
	size_t n;				/* 0: no more entries */
	bool last;				/* the bundle's last entry is in this batch: all of it checked */
};

/*
 * snt_bundle_reader_new() - a reader of the verified payload @cbor (@len
 * bytes, borrowed until snt_bundle_reader_free()): the payload's shape
 * (bounded to SNT_BUNDLE_ITEMS(@max) items, well-formed, texts UTF-8), its
 * keys and its manifest are checked here.
 * @max: the most entries taken, 1 to SNT_BUNDLE_MAX_ACCEPT.
 * @batch: entries per batch, at least 1.
 * @out: receives the reader (snt_bundle_reader_free()).
 * Return: SNT_BUNDLE_OK; SNT_BUNDLE_ERR_INVAL (NULL, @max or @batch out of
 * range); _CBOR; _TYPE; _VERSION; _FIELD (the manifest's fields);
 * _COUNT (count not within 1 to @max, or not the number of entries);
 * _NOMEM.
 */
enum snt_bundle_err snt_bundle_reader_new(const uint8_t *cbor, size_t len, size_t max, size_t batch,
					  struct snt_bundle_reader **out, struct snt_bundle_diag *diag) SNT_WUR;

/*
 * snt_bundle_reader_open() - snt_bundle_open() as a stream: the bundle
 * file @file (@len bytes) is unsealed in its own buffer
 * (snt_unseal_inplace(): @file is spent, and borrowed by the reader until
 * snt_bundle_reader_free()), its signature verified without a copy
 * (snt_sign1_verify()), then snt_bundle_reader_new() on its payload.  Of
 * the bundle's size only @file is held: nothing else grows with it.
 * Return: the errors of snt_bundle_open() before decoding, then those of
 * snt_bundle_reader_new().
 */
enum snt_bundle_err snt_bundle_reader_open(EVP_PKEY *bureau_priv, snt_bundle_lookup_fn lookup, void *ctx,
					   uint8_t *file, size_t len, size_t max, size_t batch,
					   struct snt_bundle_reader **out, struct snt_bundle_diag *diag) SNT_WUR;

/*
 * A sealed bundle file read in pieces (snt_bundle_reader_open_file()):
 * @len bytes, of which @read copies @n at @off into @buf.  @read must hand
 * out the same bytes every time it is asked for them (the bureau hashes
 * what it read first and compares) or fail.
 * Return of @read: 0, or -1 (a read error, the file changed).
 */
struct snt_bundle_file {
	size_t len;
	int (*read)(void *ctx, size_t off, uint8_t *buf, size_t n);
	void *ctx;
};

/*
 * snt_bundle_reader_open_file() - snt_bundle_reader_open() of a file read
 * in pieces, so that what the bundle costs in memory does not grow with
 * it.  A first reading goes over every byte once: the seal's GCM tag
 * (snt_unseal_stream_*()) and the COSE_Sign1 digest (snt_sign1_stream_*())
 * in pieces of 64 KiB, nothing kept but the payload's first bytes (to name
 * the device whose key is then looked up) and the signature; only when tag
 * and signature verified is the payload decoded, from a second reading in
 * windows of 256 KiB (decrypted again with snt_unseal_stream_at()), with
 * every check of snt_bundle_reader_new() (those over the whole payload
 * made item by item).  The entries' payloads and records are copies, held
 * until the next batch.  @f is borrowed until snt_bundle_reader_free().
 * Return: as snt_bundle_reader_open(); SNT_BUNDLE_ERR_INVAL for NULL or a
 * file larger than SNT_BUNDLE_MAX_FILE; SNT_BUNDLE_ERR_IO when @f->read
 * fails (also from snt_bundle_reader_next(), which reads on).
 */
enum snt_bundle_err snt_bundle_reader_open_file(EVP_PKEY *bureau_priv, snt_bundle_lookup_fn lookup, void *ctx,
						const struct snt_bundle_file *f, size_t max, size_t batch,
						struct snt_bundle_reader **out, struct snt_bundle_diag *diag) SNT_WUR;

/*
 * A bundle file open as @fd, read for snt_bundle_reader_open_file() in
 * chunks of 64 KiB with pread(2), each hashed (SHA-256) the first time it
 * is read and compared every time after: a file that changes between the
 * readings (a byte rewritten, cut short) fails the read, and with it the
 * bundle (SNT_BUNDLE_ERR_IO), instead of handing out bytes that were not
 * verified.  Only the @size bytes given are read (what is appended later is
 * not part of the bundle).  Memory: 64 KiB and 33 bytes per chunk.
 */
struct snt_bundle_fd;

/*
 * snt_bundle_fd_new() - the reader of @fd (borrowed: the caller closes it
 * after snt_bundle_fd_free()), @size bytes long.
 * Return: SNT_BUNDLE_OK; SNT_BUNDLE_ERR_INVAL (NULL, @fd < 0, @size above
 * SNT_BUNDLE_MAX_FILE); SNT_BUNDLE_ERR_NOMEM.
 */
enum snt_bundle_err snt_bundle_fd_new(int fd, size_t size, struct snt_bundle_fd **out) SNT_WUR;

/* snt_bundle_fd_file() - the file to hand snt_bundle_reader_open_file(); valid until snt_bundle_fd_free(). */
const struct snt_bundle_file *snt_bundle_fd_file(const struct snt_bundle_fd *r);

/*
 * snt_bundle_fd_why() - why a read failed, a sentence without a final
 * period ("the file changed while it was read", "the file shrank while it
 * was read", "read error: <strerror>"), or "" when none did.
 */
const char *snt_bundle_fd_why(const struct snt_bundle_fd *r);

/* snt_bundle_fd_free() - NULL does nothing. */
void snt_bundle_fd_free(struct snt_bundle_fd *r);

/* snt_bundle_reader_manifest() - the bundle's manifest (as checked so far: see above). */
const struct snt_bundle_manifest *snt_bundle_reader_manifest(const struct snt_bundle_reader *rd);

/* snt_bundle_reader_kid() - the kid of the key that signed it (zero from snt_bundle_reader_new()). */
void snt_bundle_reader_kid(const struct snt_bundle_reader *rd, uint8_t kid[SNT_SIGN_KID_LEN]);

/* snt_bundle_reader_has_records() - whether the bundle carries "records". */
bool snt_bundle_reader_has_records(const struct snt_bundle_reader *rd);

/*
 * snt_bundle_reader_next() - the next batch into @out (n 0 after the last).
 * Return: SNT_BUNDLE_OK; every decoding error of snt_bundle_decode() met
 * in this batch (then every later call fails with SNT_BUNDLE_ERR_INVAL);
 * SNT_BUNDLE_ERR_INVAL for NULL.
 */
enum snt_bundle_err snt_bundle_reader_next(struct snt_bundle_reader *rd, struct snt_bundle_batch *out,
					   struct snt_bundle_diag *diag) SNT_WUR;

/*
 * snt_bundle_reader_times() - call @fn with each entry's time_utc_ms as
 * the payload holds it, in order, before the entries are decoded (to
 * prepare storage for their months).  Unchecked: it stops silently at
 * anything that is not an entry's shape, which snt_bundle_reader_next()
 * then refuses.
 */
void snt_bundle_reader_times(const struct snt_bundle_reader *rd, void (*fn)(void *arg, int64_t time_utc_ms),
			     void *arg);

/* snt_bundle_reader_free() - the reader (not the bytes it borrows); NULL does nothing. */
void snt_bundle_reader_free(struct snt_bundle_reader *rd);

/*
 * snt_bundle_manifest_get() - the manifest of a decoded bundle (the
 * payload without "entries"), copied to @m.
 * Return: SNT_BUNDLE_OK; SNT_BUNDLE_ERR_INVAL for NULL.
 */
enum snt_bundle_err snt_bundle_manifest_get(const struct snt_bundle *b, struct snt_bundle_manifest *m) SNT_WUR;

/* ---- Acknowledgement ---- */

struct snt_bundle_verdict {
	int64_t seq;				/* >= 1 */
	enum snt_colour colour;			/* SNT_COLOUR_GREEN, _YELLOW or _RED */
	char platform[SNT_PLATFORM_LEN];	/* 1-32 of [a-z0-9-] */
};

struct snt_bundle_ack {
	char device[SNT_DEVICE_ID_LEN];
	int64_t seq;				/* >= 0 */
	uint8_t head[SNT_HASH_LEN];		/* hash of entry seq; zeros when seq is 0 */
	int64_t time_ms;			/* bureau clock, ms since the epoch */
	struct snt_bundle_verdict *verdicts;	/* n_verdicts of them; owned when decoded */
	size_t n_verdicts;
	uint8_t *rules;				/* the home's signed rule set, or NULL; owned when decoded */
	size_t rules_len;
	uint8_t *trust;				/* the home's signed trust list, or NULL; owned when decoded */
	size_t trust_len;
	uint8_t *issuers;			/* the home's signed issuer list, or NULL; owned when decoded */
	size_t issuers_len;
};

/*
 * snt_bundle_ack_sign() - encode @a and sign it with the bureau's key
 * (COSE_Sign1 ES256).
 * @out: receives the message (free()), @out_len its size.
 * Return: SNT_BUNDLE_OK; SNT_BUNDLE_ERR_INVAL for NULL, an invalid device
 * id, seq < 0, seq 0 with a non-zero head, more than SNT_BUNDLE_MAX_VERDICTS
 * verdicts or verdicts NULL with n > 0, rules NULL with rules_len > 0 or
 * rules_len over SNT_BUNDLE_MAX_ACK_RULES (rules_len 0: no "rules" key), the same of trust and
 * trust_len ("trust") and of issuers and issuers_len ("issuers"); SNT_BUNDLE_ERR_FIELD for a verdict
 * with seq < 1, a colour other than green/yellow/red, or a bad platform
 * (diag.field "verdicts[i].colour"...); SNT_BUNDLE_ERR_CRYPTO (diag.sign);
 * SNT_BUNDLE_ERR_NOMEM.
 */
enum snt_bundle_err snt_bundle_ack_sign(EVP_PKEY *bureau_key, const struct snt_bundle_ack *a, uint8_t **out,
					size_t *out_len, struct snt_bundle_diag *diag) SNT_WUR;

/*
 * snt_bundle_ack_open() - verify an acknowledgement with the bureau's public
 * key (snt_sign1_open()) and decode it strictly.
 * @out: receives the acknowledgement (free with snt_bundle_ack_free()).
 * Return: SNT_BUNDLE_OK; SNT_BUNDLE_ERR_INVAL; SNT_BUNDLE_ERR_KID (signed by
 * another key); SNT_BUNDLE_ERR_SIGNATURE (diag.sign); SNT_BUNDLE_ERR_CBOR;
 * _TYPE (not "ack"); _VERSION; _FIELD (diag.field: "device", "seq",
 * "head" (not 32 bytes, or not zero for seq 0), "time", "verdicts",
 * "verdicts[i].seq" ..., "rules", "trust" or "issuers" (not a byte string of 1 to
 * SNT_BUNDLE_MAX_ACK_RULES bytes)); _COUNT (more than SNT_BUNDLE_MAX_VERDICTS);
 * _NOMEM.  The caller checks "device" is its own id.
 */
enum snt_bundle_err snt_bundle_ack_open(EVP_PKEY *bureau_pub, const uint8_t *buf, size_t len,
					struct snt_bundle_ack **out, struct snt_bundle_diag *diag) SNT_WUR;

/* snt_bundle_ack_free() - an acknowledgement from snt_bundle_ack_open(); NULL does nothing. */
void snt_bundle_ack_free(struct snt_bundle_ack *a);

/* ---- Signed time ---- */

/*
 * snt_bundle_time_sign() - {"type":"time","v":1,"device","time"} signed with
 * the bureau's key.
 * Return: SNT_BUNDLE_OK; SNT_BUNDLE_ERR_INVAL (NULL, invalid device id);
 * SNT_BUNDLE_ERR_CRYPTO; SNT_BUNDLE_ERR_NOMEM.
 */
enum snt_bundle_err snt_bundle_time_sign(EVP_PKEY *bureau_key, const char *device, int64_t time_ms,
					 uint8_t **out, size_t *out_len, struct snt_bundle_diag *diag) SNT_WUR;

/*
 * snt_bundle_time_open() - verify and decode signed time.
 * @device: receives the device id (SNT_DEVICE_ID_LEN bytes); the caller
 *     checks it is its own.
 * @time_ms: receives the time.
 * Return: as snt_bundle_ack_open() (type "time", fields "device", "time").
 */
enum snt_bundle_err snt_bundle_time_open(EVP_PKEY *bureau_pub, const uint8_t *buf, size_t len,
					 char device[SNT_DEVICE_ID_LEN], int64_t *time_ms,
					 struct snt_bundle_diag *diag) SNT_WUR;

/* ---- Any signed document ---- */

/*
 * snt_bundle_open_signed() - verify a COSE_Sign1 with @pub and return its
 * payload's "type" and the whole map, for callers that dispatch on the type
 * ("rules", "trust", "badge", "pass", ...).  Checks: signature (kid and
 * ES256), the payload is exactly one well-formed CBOR map (nesting at most
 * 16 deep), "type" a text string of 1-15 bytes, "v" equal to 1.  The rest
 * of the map is the caller's to check.
 * @type: receives the type (NUL-terminated).
 * @map: receives the map (cbor_decref() it).
 * Return: SNT_BUNDLE_OK; SNT_BUNDLE_ERR_INVAL; SNT_BUNDLE_ERR_KID;
 * SNT_BUNDLE_ERR_SIGNATURE; SNT_BUNDLE_ERR_CBOR; SNT_BUNDLE_ERR_TYPE;
 * SNT_BUNDLE_ERR_VERSION; SNT_BUNDLE_ERR_NOMEM.
 */
enum snt_bundle_err snt_bundle_open_signed(EVP_PKEY *pub, const uint8_t *buf, size_t len,
					   char type[SNT_BUNDLE_TYPE_LEN], cbor_item_t **map,
					   struct snt_bundle_diag *diag) SNT_WUR;

/* ---- File names ---- */

/*
 * snt_bundle_file_name() - "<device>-<first>-<last>-<kind>.snb" for @m into
 * @buf (SNT_BUNDLE_NAME_LEN bytes suffice).
 * Return: SNT_BUNDLE_OK; SNT_BUNDLE_ERR_INVAL for NULL, an invalid device
 * id, negative numbers, an unknown kind or @size too small.
 */
enum snt_bundle_err snt_bundle_file_name(const struct snt_bundle_manifest *m, char *buf, size_t size) SNT_WUR;

/* snt_bundle_ack_file_name() - "ack-<device>-<seq>.cose"; errors as snt_bundle_file_name(). */
enum snt_bundle_err snt_bundle_ack_file_name(const char *device, int64_t seq, char *buf, size_t size) SNT_WUR;

/* snt_bundle_time_file_name() - "time-<device>-<ms>.cose"; errors as snt_bundle_file_name(). */
enum snt_bundle_err snt_bundle_time_file_name(const char *device, int64_t time_ms, char *buf,
					      size_t size) SNT_WUR;

/*
 * snt_bundle_file_name_parse() - parse a bundle file name (no directory
 * part).  Numbers: decimal, no sign, no leading zero, at most 18 digits;
 * 1 <= first <= last; the device id must be valid.
 * @device (SNT_DEVICE_ID_LEN bytes), @first, @last, @kind: receive the
 * parts; any may be NULL.
 * Return: 0, or -1 for anything else (a path, '..', a bad number, another
 * extension).
 */
int snt_bundle_file_name_parse(const char *name, char *device, int64_t *first, int64_t *last,
			       enum snt_bundle_kind *kind) SNT_WUR;

/* snt_bundle_ack_file_name_parse() - parse "ack-<device>-<seq>.cose"; 0 or -1 as above. */
int snt_bundle_ack_file_name_parse(const char *name, char *device, int64_t *seq) SNT_WUR;

/* snt_bundle_time_file_name_parse() - parse "time-<device>-<ms>.cose"; 0 or -1 as above. */
int snt_bundle_time_file_name_parse(const char *name, char *device, int64_t *time_ms) SNT_WUR;

/* snt_bundle_strerror() - static text for @err in the user's language (gettext); never NULL. */
const char *snt_bundle_strerror(enum snt_bundle_err err);

#endif /* SNT_BUNDLE_H */
