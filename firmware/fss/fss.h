/* SPDX-License-Identifier: MIT */
/*
 * fss: forward-secure sealing of the gate's log (Bellare and Yee,
 * "Forward-Security in Private-Key Cryptography", CT-RSA 2003; the key
 * evolution of systemd-journald's Forward Secure Sealing, with HMAC in place
 * of its FSPRG).
 *
 * Keys.  The gate makes a random 32-byte first key k(0) when its device key
 * is made (`sentinelctl keys init`); the bureau receives k(0) when the gate
 * is registered (`sentinel-bureau register --seal-key FILE`).  Time is cut
 * into epochs of epoch_ms (default SNT_FSS_EPOCH_MS_DEFAULT, 15 minutes, as
 * journald's default) counted from start_utc_ms; the key of the next epoch
 * is
 *
 *   k(i+1) = HMAC-SHA256(k(i), "sentinel-seal-evolve-v1" || I64(i+1))
 *
 * (RFC 2104 HMAC, FIPS 180-4 SHA-256, OpenSSL's HMAC(); I64 is 8 bytes
 * big-endian), a one-way step: whoever holds k(i) can compute every later
 * key and no earlier one.  The gate keeps only the current key on disk and
 * overwrites the file (atomically, snt_write_atomic()) as soon as it moves
 * on, so someone who takes the gate at epoch i cannot seal anything as of
 * an earlier epoch.  (Erasing is as good as the file system: a journalling
 * file system or flash may keep old blocks; journald has the same limit.)
 * An epoch is never counted backwards: the epoch of a time before the
 * current epoch is the current epoch.  At most SNT_FSS_EPOCH_MAX epochs
 * (about 30 years of 15-minute epochs), so a verifier's work is bounded.
 *
 * Tags.  Each entry of the log is sealed with the key of its epoch over the
 * chain head it makes:
 *
 *   tag = HMAC-SHA256(k(epoch), "sentinel-seal-v1" || I64(epoch) || I64(seq) || hash[32])
 *
 * hash being the entry's chain hash (store.h), which covers every entry
 * before it.  A history rewritten with recomputed hashes therefore fails
 * the tags of every entry of an epoch whose key is gone, for whoever holds
 * k(0) (`sentinelctl verify-log --seal-key FILE`, the bureau on import),
 * both of which also require each entry's epoch to be the one its time
 * gives it (snt_store_seal_epoch() in store.h), so re-sealing such an entry
 * in the epoch of a taken key means moving its time into that epoch.
 *
 * The key file (the gate's current key, and the first-key file given to
 * the bureau, which is the same format at epoch 0): text, six lines,
 *
 *   sentinel-seal-v1
 *   epoch_ms <epoch length in ms, 1000 .. 86400000>
 *   start_utc_ms <ms since the epoch at which epoch 0 starts>
 *   first_seq <first seq of the log that is sealed, >= 1>
 *   epoch <current epoch, 0 .. SNT_FSS_EPOCH_MAX>
 *   key <64 lower-case hex digits>
 *
 * mode 0600.  Nothing else is accepted.
 */
#ifndef SNT_FSS_H
#define SNT_FSS_H

#include <stdint.h>

#include "common/common.h"

#define SNT_FSS_KEY_LEN 32
#define SNT_FSS_TAG_LEN 32
#define SNT_FSS_HASH_LEN 32			/* the chain hash sealed (SNT_HASH_LEN) */
#define SNT_FSS_EPOCH_MS_DEFAULT 900000	/* 15 minutes */
#define SNT_FSS_EPOCH_MS_MIN 1000
#define SNT_FSS_EPOCH_MS_MAX 86400000
#define SNT_FSS_EPOCH_MAX 1048576		/* 2^20 epochs */
#define SNT_FSS_FILE_MAX 512			/* longest key file read */

enum snt_fss_err {
	SNT_FSS_OK = 0,
	SNT_FSS_ERR_INVAL,	/* NULL or out-of-range argument */
	SNT_FSS_ERR_IO,	/* the key file cannot be read or written (errno kept by the caller's call) */
	SNT_FSS_ERR_FORMAT,	/* the key file is not in the format above */
	SNT_FSS_ERR_RANGE,	/* an epoch before the key's, or past SNT_FSS_EPOCH_MAX */
	SNT_FSS_ERR_CRYPTO,	/* OpenSSL failed (random bytes, HMAC) */
	SNT_FSS_ERR_MISMATCH,	/* a tag that does not verify */
};

/* A sealing key at one epoch, with its schedule. */
struct snt_fss {
	int64_t epoch_ms;		/* epoch length */
	int64_t start_utc_ms;		/* start of epoch 0, ms since the epoch */
	int64_t first_seq;		/* first seq sealed with this key */
	int64_t epoch;			/* the epoch of key */
	uint8_t key[SNT_FSS_KEY_LEN];	/* k(epoch) */
};

/*
 * snt_fss_init() - a new first key k(0) from OpenSSL's RAND_priv_bytes().
 * @s: receives the key at epoch 0.
 * @start_utc_ms: start of epoch 0 (the injected clock's time), >= 0.
 * @epoch_ms: epoch length, SNT_FSS_EPOCH_MS_MIN .. SNT_FSS_EPOCH_MS_MAX.
 * @first_seq: the first seq this key seals, >= 1.
 * Return: SNT_FSS_OK; SNT_FSS_ERR_INVAL for @s NULL or a value out of
 * range; SNT_FSS_ERR_CRYPTO when no random bytes could be had.
 */
enum snt_fss_err snt_fss_init(struct snt_fss *s, int64_t start_utc_ms, int64_t epoch_ms,
				int64_t first_seq) SNT_WUR;

/*
 * snt_fss_epoch_at() - the epoch of @s's schedule that @utc_ms falls in,
 * never below @s->epoch (a time before the current epoch, or before epoch
 * 0, is the current epoch) and never above SNT_FSS_EPOCH_MAX.  NULL gives 0.
 */
int64_t snt_fss_epoch_at(const struct snt_fss *s, int64_t utc_ms);

/*
 * snt_fss_evolve() - move @s forward to epoch @to (k(i+1) = KDF(k(i)) for
 * each step; the keys in between are wiped from memory).  @to equal to the
 * current epoch changes nothing.
 * Return: SNT_FSS_OK; SNT_FSS_ERR_INVAL for @s NULL; SNT_FSS_ERR_RANGE for
 * @to before @s->epoch or past SNT_FSS_EPOCH_MAX (@s unchanged);
 * SNT_FSS_ERR_CRYPTO when HMAC failed (@s unchanged).
 */
enum snt_fss_err snt_fss_evolve(struct snt_fss *s, int64_t to) SNT_WUR;

/*
 * snt_fss_tag() - the tag of the chain head (@seq, @hash) under @s's key
 * at its current epoch (the formula above).
 * @tag: receives SNT_FSS_TAG_LEN bytes.
 * Return: SNT_FSS_OK; SNT_FSS_ERR_INVAL for a NULL argument or @seq < 1;
 * SNT_FSS_ERR_CRYPTO when HMAC failed.
 */
enum snt_fss_err snt_fss_tag(const struct snt_fss *s, int64_t seq,
			       const uint8_t hash[SNT_FSS_HASH_LEN],
			       uint8_t tag[SNT_FSS_TAG_LEN]) SNT_WUR;

/*
 * snt_fss_check() - verify @tag, sealed at @epoch over (@seq, @hash), with
 * the verifier's key @v, which is evolved forward to @epoch first (so check
 * tags in seq order: epochs never go backwards along the log).
 * Return: SNT_FSS_OK; SNT_FSS_ERR_MISMATCH when the tag is not the one
 * k(@epoch) makes (constant-time comparison, CRYPTO_memcmp); SNT_FSS_ERR_RANGE
 * for @epoch before @v's (a tag older than the key at hand, or epochs out
 * of order) or past SNT_FSS_EPOCH_MAX; SNT_FSS_ERR_INVAL for a NULL
 * argument or @seq < 1; SNT_FSS_ERR_CRYPTO.
 */
enum snt_fss_err snt_fss_check(struct snt_fss *v, int64_t epoch, int64_t seq,
				 const uint8_t hash[SNT_FSS_HASH_LEN],
				 const uint8_t tag[SNT_FSS_TAG_LEN]) SNT_WUR;

/*
 * snt_fss_format() - @s as the key file's text into @buf (NUL-terminated).
 * Return: SNT_FSS_OK; SNT_FSS_ERR_INVAL for a NULL argument, a value out
 * of range or @size below SNT_FSS_FILE_MAX.
 */
enum snt_fss_err snt_fss_format(const struct snt_fss *s, char *buf, size_t size) SNT_WUR;

/*
 * snt_fss_parse() - the key file's text (@len bytes at @text) into @s.
 * Return: SNT_FSS_OK; SNT_FSS_ERR_INVAL for a NULL argument;
 * SNT_FSS_ERR_FORMAT for anything but the six lines above with values in
 * range (@s is then unspecified).
 */
enum snt_fss_err snt_fss_parse(const char *text, size_t len, struct snt_fss *s) SNT_WUR;

/*
 * snt_fss_read() - read the key file at @path (a regular file, at most
 * SNT_FSS_FILE_MAX bytes, opened without following a symbolic link).
 * @err_no: receives the errno value of a failed open or read, 0 otherwise
 *     (may be NULL).
 * Return: SNT_FSS_OK; SNT_FSS_ERR_INVAL for a NULL @path or @s;
 * SNT_FSS_ERR_IO when it cannot be opened or read (ENOENT: there is none);
 * SNT_FSS_ERR_FORMAT as snt_fss_parse(), and for a file too long.
 */
enum snt_fss_err snt_fss_read(const char *path, struct snt_fss *s, int *err_no) SNT_WUR;

/*
 * snt_fss_write() - replace the key file at @path with @s, atomically and
 * durably, mode 0600 (snt_write_atomic()): the key it held before is gone
 * from the file system's namespace once this returns.
 * @err_no: receives the errno value of a failure, 0 otherwise (may be NULL).
 * Return: SNT_FSS_OK; SNT_FSS_ERR_INVAL as snt_fss_format();
 * SNT_FSS_ERR_IO when the file could not be written.
 */
enum snt_fss_err snt_fss_write(const char *path, const struct snt_fss *s, int *err_no) SNT_WUR;

/*
 * snt_fss_key_path() - where the gate keeps its evolving key, and where
 * `sentinelctl keys init` writes the first key for the bureau: @device_key
 * (the [sync] device_key path) with ".key" replaced by @suffix (".seal":
 * the evolving key; ".seal0": the first key, to be handed to the bureau and
 * then removed from the gate), else with @suffix appended.
 * Return: 0; -1 when it does not fit @size bytes or an argument is NULL.
 */
int snt_fss_key_path(const char *device_key, const char *suffix, char *out, size_t size) SNT_WUR;

/* snt_fss_wipe() - overwrite @s (OPENSSL_cleanse); NULL does nothing. */
void snt_fss_wipe(struct snt_fss *s);

/* snt_fss_strerror() - static English text for @err; never NULL. */
const char *snt_fss_strerror(enum snt_fss_err err);

#endif /* SNT_FSS_H */
