/* SPDX-License-Identifier: MIT */
/*
 * sync: the gate's side of the exchange with the bureau, by USB
 * stick or online.  Formats (bundle, acknowledgement, signed time, file
 * names) are those of sync/bundle.h; signatures and sealing of sign/sign.h.
 *
 * Outgoing: the entries after the acknowledgement cursor
 * (snt_store_get_ack()), in seq order, cut into regular bundles of at most
 * SNT_BUNDLE_MAX_ENTRIES entries, each signed with the device key and
 * sealed to the bureau's key; before them, a priority bundle with copies of
 * the fevers and denials among those entries (the regular bundles still
 * carry every entry in order; the bureau merges the copies idempotently).
 * snt_sync_export() hands the bundles, priority first, to a sink: the USB
 * writer (sync/usb.h) or the online poster (snt_sync_online()).
 *
 * Incoming: an acknowledgement (snt_sync_apply_ack()) is verified with the
 * bureau's key; its device must be ours, its seq must not exceed our last
 * seq, and its head must equal our stored hash of that seq; then the
 * cursor moves (snt_store_set_ack()).  An acknowledgement below the cursor
 * (stale, replayed) changes nothing and is reported, not an error.  Its
 * verdicts are recorded (snt_store_verdict_add(), which raises a
 * contradiction alert when the platform disagrees with the colour read),
 * and its time becomes the gate's last contact with the bureau
 * (snt_store_set_contact(); the visitor screen's "offline" mark).
 * A fresh bureau time far behind the latest trusted time the gate has seen
 * corrects that time instead (a poisoned clock: snt_sync_trusted_time()).
 * Its time, and the time of a signed time file (snt_sync_apply_time()),
 * becomes trusted time "bureau" only through the clock module's rule
 * (snt_clock_judge(): never behind the latest trusted time already seen),
 * only while the gate's clock is untrusted, and only as a rebase record for
 * the current boot (snt_store_set_rebase()): entries are never modified.
 * Only fresh time rebases: the acknowledgement of an online POST.  Time read
 * from a stick (acknowledgements and time files in in/, ctx->stick_time) is
 * as old as the day the bureau exported it, and a stale file left on the
 * stick would rebase every later boot: it is never applied
 * (SNT_SYNC_TIME_NOT_FRESH), only reported, and the caller may use the
 * newest such time as a lower bound ("clock behind the bureau's time of T").
 *
 * Sync never deletes anything from the log; only the retention purge does,
 * after acknowledgement.
 *
 * Time, the boot id, randomness, sleeping and the HTTP transport are
 * injected (struct snt_sync_ctx, struct snt_sync_online_opts), so tests pin
 * them.  Nothing here prints: results come back in structs, failures as an
 * error code and one line in @why naming the file, field or seq.
 */
#ifndef SNT_SYNC_H
#define SNT_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "clock/clock.h"
#include "common/common.h"
#include "store/store.h"

enum snt_sync_err {
	SNT_SYNC_OK = 0,
	SNT_SYNC_ERR_INVAL,	/* NULL or out-of-range argument */
	SNT_SYNC_ERR_NOMEM,
	SNT_SYNC_ERR_STORE,	/* the log failed (the store's error in @why) */
	SNT_SYNC_ERR_BUNDLE,	/* a bundle could not be made (signing, sealing, encoding) */
	SNT_SYNC_ERR_SIGNATURE,	/* not signed by the bureau's key, not COSE_Sign1, or altered */
	SNT_SYNC_ERR_MALFORMED,	/* signed, but the payload is not a valid acknowledgement / time */
	SNT_SYNC_ERR_DEVICE,	/* addressed to another device */
	SNT_SYNC_ERR_RANGE,	/* acknowledges a seq beyond our last seq */
	SNT_SYNC_ERR_HEAD,	/* its head differs from our hash of that seq (another log, a fork) */
	SNT_SYNC_ERR_SINK,	/* the sink (USB writer, poster) failed; its reason in @why */
	SNT_SYNC_ERR_REJECTED,	/* the bureau refused a bundle (HTTP 400; its reason in @why) */
	SNT_SYNC_ERR_NETWORK,	/* every online attempt failed (connection, timeout, 5xx) */
	SNT_SYNC_ERR_CONFIG,	/* online sync: no URL, a non-https URL to another host, CA unreadable */
};

/* What sync works with; everything borrowed. */
struct snt_sync_ctx {
	struct snt_store *st;		/* the log, opened writable */
	EVP_PKEY *device_key;		/* this gate's P-256 private key (signs bundles) */
	EVP_PKEY *bureau_key;		/* the bureau's P-256 public key (seals, verifies acks) */
	const char *device_id;		/* this gate's id (snt_bundle_device_id_valid()) */
	const struct snt_clock *clock;	/* wall time (bundle creation, verdicts) and monotonic time */
	const char *boot_id;		/* the current boot's id, for rebase records */
	bool stick_time;		/* the messages come from a stick: their time is not fresh, never applied */
};

/* One bundle handed to a sink. */
struct snt_sync_bundle {
	bool priority;			/* a priority bundle (copies) */
	int64_t first, last, count;	/* seq range and number of entries */
	char name[128];			/* its file name (bundle.h) */
	const uint8_t *data;		/* sealed bytes, valid during the call */
	size_t len;
};

/*
 * A sink takes one bundle (write it to the stick, POST it).
 * Return: 0 to go on; -1 to stop, with @why filled (the export then
 * returns SNT_SYNC_ERR_SINK, or what the sink put in *@err when it is
 * non-zero).
 */
typedef int (*snt_sync_sink_fn)(void *arg, const struct snt_sync_bundle *b,
				enum snt_sync_err *err, char *why, size_t whylen);

struct snt_sync_export_result {
	int64_t ack_before;		/* the cursor when the export started */
	int64_t last_seq;		/* the log's last seq */
	int64_t first, last;		/* range sent in regular bundles (0, 0: nothing to send) */
	int64_t entries;		/* entries sent in regular bundles */
	int64_t priority;		/* priority copies sent */
	int bundles;			/* bundles handed to the sink and accepted */
	int priority_bundles;		/* of them, priority bundles */
	int64_t bytes;			/* their total size */
};

/*
 * snt_sync_export() - make the bundles for the entries after the cursor
 * (priority bundle first, when there are fevers or denials among them;
 * then regular bundles of at most @chunk entries in seq order) and hand
 * each to @sink.  The cursor is read once at the start; a sink that
 * applies acknowledgements (online) does not change what is sent.
 * @chunk: entries per bundle, 1..SNT_BUNDLE_MAX_ENTRIES (0 = the maximum).
 * @res: receives the counts (also on error: what was done before it).
 * Return: SNT_SYNC_OK (also when there was nothing to send);
 * SNT_SYNC_ERR_INVAL; _STORE (the log could not be read; @why has the
 * store's message); _BUNDLE (signing/sealing failed); _NOMEM; or the
 * sink's error, the bundles before it having been accepted.
 */
enum snt_sync_err snt_sync_export(const struct snt_sync_ctx *ctx, int64_t chunk, snt_sync_sink_fn sink,
				  void *arg, struct snt_sync_export_result *res, char *why,
				  size_t whylen) SNT_WUR;

/* Time applied (or not) from a signed message. */
enum snt_sync_time_status {
	SNT_SYNC_TIME_NONE = 0,		/* the message carried no time (never for acks/time files) */
	SNT_SYNC_TIME_APPLIED,		/* recorded as a rebase of this boot, source "bureau" */
	SNT_SYNC_TIME_NOT_NEEDED,	/* the gate's clock is trusted already */
	SNT_SYNC_TIME_ALREADY,		/* this boot was rebased already (by the same or an earlier time) */
	SNT_SYNC_TIME_BEHIND,		/* behind the latest trusted time the gate has seen: refused */
	SNT_SYNC_TIME_NOT_FRESH,	/* read from a stick (ctx->stick_time): not fresh, never applied */
	SNT_SYNC_TIME_CORRECTED,	/* the latest trusted time was far ahead of it: corrected to it */
};

/*
 * A latest trusted time further ahead of the bureau's fresh signed time than
 * this was poisoned (a clock set ahead while it claimed sync, clock.h); a
 * smaller lead is the gate's own (the bureau's time is then just behind).
 */
#define SNT_SYNC_POISONED_MS (24LL * 3600 * 1000)

/*
 * snt_sync_time_status_name() - "none", "applied", "not-needed", "already",
 * "behind", "not-fresh", "corrected".
 */
const char *snt_sync_time_status_name(enum snt_sync_time_status s);

struct snt_sync_ack_result {
	int64_t seq;			/* the seq acknowledged */
	bool stale;			/* below the cursor already recorded: nothing moved */
	int64_t ack_before, ack_after;	/* the cursor */
	int verdicts;			/* verdicts newly recorded (one already held, repeated by a later ack, is not counted) */
	int contradictions;		/* of them, contradicting the colour read (alerts raised) */
	int verdicts_skipped;		/* about entries no longer in the log (purged) */
	int verdicts_conflict;		/* another verdict was recorded before for that seq (kept) */
	int64_t time_utc_ms;		/* the acknowledgement's time */
	enum snt_sync_time_status time;
};

/*
 * snt_sync_apply_ack() - verify and apply an acknowledgement (@buf, @len:
 * a COSE_Sign1 from the bureau, bundle.h).
 * Return: SNT_SYNC_OK with @res (a stale one too: res->stale);
 * SNT_SYNC_ERR_INVAL; _SIGNATURE (not the bureau's signature, altered,
 * not COSE_Sign1); _MALFORMED (payload); _DEVICE (another device's);
 * _RANGE (seq > our last seq); _HEAD (head is not our hash of that seq);
 * _STORE; _NOMEM.  On the errors up to _HEAD nothing changed in the log.
 * The cursor, each verdict and the rebase are committed one by one, each
 * idempotent: a store failure after the cursor moved leaves what was
 * committed, and applying the same acknowledgement again completes it.
 */
enum snt_sync_err snt_sync_apply_ack(const struct snt_sync_ctx *ctx, const uint8_t *buf, size_t len,
				     struct snt_sync_ack_result *res, char *why,
				     size_t whylen) SNT_WUR;

/*
 * snt_sync_apply_time() - verify and apply a signed time message (bundle.h
 * "signed time") under the rule at the top of this file.
 * @status: receives what was done; @utc_ms (may be NULL) the time carried.
 * Return: SNT_SYNC_OK (whether applied or not: see *@status);
 * SNT_SYNC_ERR_INVAL; _SIGNATURE; _MALFORMED; _DEVICE; _STORE; _NOMEM.
 */
enum snt_sync_err snt_sync_apply_time(const struct snt_sync_ctx *ctx, const uint8_t *buf, size_t len,
				      enum snt_sync_time_status *status, int64_t *utc_ms, char *why,
				      size_t whylen) SNT_WUR;

/*
 * snt_sync_trusted_time() - the rule itself, for a time already verified:
 * with ctx->stick_time set nothing is applied (*@status
 * SNT_SYNC_TIME_NOT_FRESH); otherwise, when the latest trusted time of the
 * log is more than SNT_SYNC_POISONED_MS ahead of @utc_ms, it is corrected
 * to @utc_ms (snt_store_correct_trusted(), and an event of kind sync
 * "clock: latest trusted time T1 corrected to the bureau's signed time T2";
 * *@status SNT_SYNC_TIME_CORRECTED; sentineld judges its clock against it
 * from its next start or SIGHUP); otherwise @utc_ms (the bureau's time, ms since
 * the epoch) is applied when the clock of @ctx is untrusted and snt_clock_judge(TRUSTED, @utc_ms, latest
 * trusted time of the log) says trusted; recorded as
 * snt_store_set_rebase(boot_id, @utc_ms - mono now, "bureau", @utc_ms).
 * Return: SNT_SYNC_OK and *@status; SNT_SYNC_ERR_INVAL (@utc_ms below the
 * monotonic time, or out of the store's range); _STORE.
 */
enum snt_sync_err snt_sync_trusted_time(const struct snt_sync_ctx *ctx, int64_t utc_ms,
					enum snt_sync_time_status *status, char *why,
					size_t whylen) SNT_WUR;

/*
 * ---- Online ----
 */

/*
 * One HTTP POST.  @body/@len the request; on return *@status is the HTTP
 * status (0 when no response came) and *@resp (malloc'd, the caller frees
 * it; may be NULL) the response body.
 * Return: 0 when a response came (any status); -1 on a transport failure
 * worth retrying (connection refused or cut, timeout), -2 on one that is
 * not (the server's certificate does not verify against the pinned CA, the
 * CA file is unreadable), both with @why filled.
 */
typedef int (*snt_sync_post_fn)(void *arg, const char *url, const uint8_t *body, size_t len,
				long *status, uint8_t **resp, size_t *resp_len, char *why,
				size_t whylen);

struct snt_sync_online_opts {
	const char *url;		/* base URL; "/v1/bundle" is appended */
	const char *ca;			/* pinned CA file for https (CURLOPT_CAINFO); "" or NULL = system */
	int timeout_s;			/* per request */
	int retries;			/* attempts after the first, per bundle */
	int64_t backoff_base_ms;	/* first backoff ceiling (doubles per attempt) */
	int64_t backoff_max_ms;		/* ceiling of the ceilings */
	/* Injected for tests; NULL = the real ones. */
	snt_sync_post_fn post;		/* NULL: libcurl (snt_sync_curl_post()) */
	void *post_arg;
	uint32_t (*random)(void *arg);	/* NULL: OpenSSL RAND_bytes */
	void *random_arg;
	/* sleep through ctx->clock (snt_clock_sleep_ms()) */
};

struct snt_sync_online_result {
	struct snt_sync_export_result exp;
	int attempts;			/* POSTs made */
	int retried;			/* of them, repeats after a failure */
	int acks;			/* acknowledgements applied */
	int64_t ack_after;		/* the cursor at the end */
	int verdicts, contradictions;
	enum snt_sync_time_status time;
	int64_t time_utc_ms;		/* the time of the acknowledgement that gave @time */
	int64_t backoff_ms;		/* total time slept in backoff */
	uint8_t *rules;			/* the rule set the last applied acknowledgement carried
					 * (its "rules": the home's signed set, not yet verified as
					 * one), or NULL; malloc(): the caller frees it, whatever
					 * snt_sync_online() returned */
	size_t rules_len;
	uint8_t *trust;			/* the same of its "trust": the home's signed trust list */
	size_t trust_len;
	uint8_t *issuers;		/* the same of its "issuers": the home's signed issuer list */
	size_t issuers_len;
};

/*
 * snt_sync_backoff_ms() - the wait before retry @attempt (1 = the first
 * retry): "full jitter" (a uniform draw in [0, min(@max, @base * 2^(attempt-1))]).
 * @r: a uniform 32-bit random number.
 */
int64_t snt_sync_backoff_ms(int attempt, int64_t base, int64_t max, uint32_t r);

/*
 * snt_sync_url_check() - whether @url may be used as [sync] bureau_url,
 * parsed with libcurl's URL API (curl_url()): scheme https, or http with
 * the host exactly 127.0.0.1, [::1] or localhost (tests); never a user
 * name, password, query or fragment.
 * @why: on refusal one line, "bureau_url: ..." (it names the part, the
 * scheme or the host, never the URL: it may hold a password):
 * "bureau_url: empty: not allowed", "bureau_url: not a URL
 * (https://HOST[:PORT][/PATH])", "bureau_url: no host name
 * (https://HOST[:PORT][/PATH])", "bureau_url: a user name or password in
 * the URL not allowed"
 * (also "a query (?...)", "a fragment (#...)"), "bureau_url: plain
 * http to HOST not allowed (...)", "bureau_url: scheme S not allowed (...)".
 * Return: 0 allowed, -1 refused.
 */
int snt_sync_url_check(const char *url, char *why, size_t whylen);

/* snt_sync_url_allowed() - snt_sync_url_check() == 0. */
bool snt_sync_url_allowed(const char *url);

/*
 * snt_sync_online() - POST every bundle (priority first) to @o->url +
 * "/v1/bundle"; a 200 response must carry the bureau's signed
 * acknowledgement, which is applied (snt_sync_apply_ack()) before the next
 * bundle; a transport failure or a 5xx is retried up to @o->retries times
 * after a backoff (snt_sync_backoff_ms(), slept through the clock), except
 * a certificate that does not verify (not retried); a 4xx stops the sync
 * with the bureau's one-line reason.  The cursor moves only
 * on a verified acknowledgement, so a cut connection loses nothing, and a
 * bundle sent twice is merged once by the bureau.
 * Return: SNT_SYNC_OK; SNT_SYNC_ERR_CONFIG (URL not allowed); _REJECTED;
 * _NETWORK (retries exhausted, or a certificate that does not verify;
 * @why has the last failure); the errors of
 * snt_sync_apply_ack() for a bad acknowledgement; those of
 * snt_sync_export().
 */
enum snt_sync_err snt_sync_online(const struct snt_sync_ctx *ctx, const struct snt_sync_online_opts *o,
				  struct snt_sync_online_result *res, char *why, size_t whylen) SNT_WUR;

/*
 * snt_sync_curl_post() - the real snt_sync_post_fn: libcurl, POST with
 * Content-Type application/cose, TLS peer and host verification on,
 * CURLOPT_CAINFO = @arg (a const char * CA path, or NULL for the system's),
 * CURLOPT_TIMEOUT from the URL's options (see sync.c), responses over 16 MiB refused.
 * @arg: a struct snt_sync_curl_opts.
 */
struct snt_sync_curl_opts {
	const char *ca;
	int timeout_s;
};
int snt_sync_curl_post(void *arg, const char *url, const uint8_t *body, size_t len, long *status,
		       uint8_t **resp, size_t *resp_len, char *why, size_t whylen);

/* snt_sync_strerror() - static English text for @err; never NULL. */
const char *snt_sync_strerror(enum snt_sync_err err);

#endif /* SNT_SYNC_H */
