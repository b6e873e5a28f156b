// SPDX-License-Identifier: MIT
/*
 * sync: bundles out, acknowledgements and signed time in (sync.h).
 *
 * The log is read in chunks through short-lived iterators (one read
 * transaction per chunk, freed before the chunk goes to the sink), so a
 * sink that writes to the log (online: the acknowledgement moves the
 * cursor) never writes under an open read statement, and sentineld keeps
 * appending meanwhile (WAL).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "sync/bundle.h"
#include "sync/sync.h"

#define TIME_SOURCE "bureau"

static const char *const err_text[] = {
	[SNT_SYNC_OK] = N_("ok"),
	[SNT_SYNC_ERR_INVAL] = N_("invalid argument"),
	[SNT_SYNC_ERR_NOMEM] = N_("out of memory"),
	[SNT_SYNC_ERR_STORE] = N_("the log failed"),
	[SNT_SYNC_ERR_BUNDLE] = N_("a bundle could not be made"),
	[SNT_SYNC_ERR_SIGNATURE] = N_("not signed by the bureau's key"),
	[SNT_SYNC_ERR_MALFORMED] = N_("malformed message"),
	[SNT_SYNC_ERR_DEVICE] = N_("addressed to another device"),
	[SNT_SYNC_ERR_RANGE] = N_("acknowledges entries this gate never wrote"),
	[SNT_SYNC_ERR_HEAD] = N_("acknowledged head differs from the log's hash"),
	[SNT_SYNC_ERR_SINK] = N_("the bundle could not be delivered"),
	[SNT_SYNC_ERR_REJECTED] = N_("the bureau refused a bundle"),
	[SNT_SYNC_ERR_NETWORK] = N_("the bureau could not be reached"),
	[SNT_SYNC_ERR_CONFIG] = N_("sync configuration error"),
};

const char *snt_sync_strerror(enum snt_sync_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error"));
}

static const char *const time_names[] = {
	[SNT_SYNC_TIME_NONE] = "none",
	[SNT_SYNC_TIME_APPLIED] = "applied",
	[SNT_SYNC_TIME_NOT_NEEDED] = "not-needed",
	[SNT_SYNC_TIME_ALREADY] = "already",
	[SNT_SYNC_TIME_BEHIND] = "behind",
	[SNT_SYNC_TIME_NOT_FRESH] = "not-fresh",
	[SNT_SYNC_TIME_CORRECTED] = "corrected",
};

const char *snt_sync_time_status_name(enum snt_sync_time_status s)
{
	return snt_table_text(time_names, SNT_ARRAY_SIZE(time_names), s, NULL);
}

/* Error @e, its reason put in @why (@whylen bytes) first: snt_msg(). */
#define fail(e, why, whylen, ...) (snt_msg((why), (whylen), __VA_ARGS__), (e))

static enum snt_sync_err store_fail(const struct snt_sync_ctx *ctx, enum snt_store_err se,
				    const char *what, char *why, size_t whylen)
{
	if (se == SNT_STORE_ERR_NOMEM)
		return fail(SNT_SYNC_ERR_NOMEM, why, whylen, "%s: out of memory", what);
	return fail(SNT_SYNC_ERR_STORE, why, whylen, "log: %s: %s%s%s", what, snt_store_strerror(se),
		    snt_store_errmsg(ctx->st)[0] ? ": " : "", snt_store_errmsg(ctx->st));
}

static bool ctx_ok(const struct snt_sync_ctx *ctx)
{
	return ctx && ctx->st && ctx->device_key && ctx->bureau_key && ctx->clock &&
	       ctx->boot_id && snt_bundle_device_id_valid(ctx->device_id);
}

/* A fever or a denial: sent first, as a copy, in a priority bundle. */
static bool is_priority(const struct snt_entry *e)
{
	return e->decision == SNT_DECISION_DENY || (e->reasons & SNT_REASON_BIT(SNT_REASON_FEVER));
}

/* Entries read from the log, with their payloads copied out of the iterator. */
struct chunk {
	struct snt_entry *e;
	struct snt_bundle_seal *seal;	/* each entry's seal, read after the entries */
	struct snt_bundle_record *rec;	/* each entry's sealed personal record (owned), read after the seals */
	uint8_t **payload;
	size_t n, cap;
};

static void chunk_clear(struct chunk *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->payload[i]);
		c->payload[i] = NULL;
		free((void *)(uintptr_t)c->rec[i].sealed);
		c->rec[i].sealed = NULL;
		c->rec[i].len = 0;
	}
	c->n = 0;
}

static void chunk_free(struct chunk *c)
{
	chunk_clear(c);
	free(c->e);
	free(c->seal);
	free(c->rec);
	free(c->payload);
}

static int chunk_init(struct chunk *c, size_t cap)
{
	memset(c, 0, sizeof(*c));
	c->e = calloc(cap, sizeof(*c->e));
	c->seal = calloc(cap, sizeof(*c->seal));
	c->rec = calloc(cap, sizeof(*c->rec));
	c->payload = calloc(cap, sizeof(*c->payload));
	c->cap = cap;
	if (!c->e || !c->seal || !c->rec || !c->payload) {
		chunk_free(c);
		return -1;
	}
	return 0;
}

static int chunk_add(struct chunk *c, const struct snt_entry *e)
{
	struct snt_entry *d = &c->e[c->n];

	*d = *e;
	d->payload = NULL;
	if (e->payload_len) {
		c->payload[c->n] = malloc(e->payload_len);
		if (!c->payload[c->n])
			return -1;
		memcpy(c->payload[c->n], e->payload, e->payload_len);
		d->payload = c->payload[c->n];
	}
	c->n++;
	return 0;
}

/*
 * The sealed personal records the log still holds for @c's entries (those
 * whose detail names a record's digest), each carried only when it matches
 * that digest: a damaged record stays behind (verify-log names it) rather
 * than stop the sync.
 */
static enum snt_sync_err read_records(const struct snt_sync_ctx *ctx, struct chunk *c, char *why, size_t whylen)
{
	for (size_t i = 0; i < c->n; i++) {
		struct snt_bundle_record *r = &c->rec[i];
		enum snt_store_err se;
		uint8_t *sealed = NULL;
		size_t len = 0;

		if (!strstr(c->e[i].detail, "\"sealed\""))
			continue;
		se = snt_store_personal_get(ctx->st, c->e[i].seq, &sealed, &len);
		if (se == SNT_STORE_ERR_DONE)
			continue;
		if (se != SNT_STORE_OK) {
			char what[64];

			snprintf(what, sizeof(what), _("reading the personal record of seq %lld"),
				 (long long)c->e[i].seq);
			return store_fail(ctx, se, what, why, whylen);
		}
		if (len < SNT_STORE_PERSONAL_MIN || len > SNT_STORE_PERSONAL_MAX ||
		    !snt_bundle_record_matches(&c->e[i], sealed, len)) {
			free(sealed);
			continue;
		}
		r->sealed = sealed;
		r->len = len;
	}
	return SNT_SYNC_OK;
}

/*
 * Read entries after *@after (up to @until) into @c until it is full; with
 * @priority_only only the priority ones are kept.  *@after becomes the
 * last seq scanned.  The iterator is freed before returning.
 */
static enum snt_sync_err read_chunk(const struct snt_sync_ctx *ctx, int64_t *after, int64_t until,
				    bool priority_only, struct chunk *c, char *why, size_t whylen)
{
	struct snt_store_iter *it = NULL;
	enum snt_store_err se;
	struct snt_entry e;

	chunk_clear(c);
	se = snt_store_iter_new(ctx->st, *after, &it);
	if (se)
		return store_fail(ctx, se, "reading entries", why, whylen);
	while (c->n < c->cap && (se = snt_store_iter_next(it, &e)) == SNT_STORE_OK) {
		if (e.seq > until)
			break;
		if (e.seq != *after + 1 && !priority_only) {
			snt_store_iter_free(it);
			return fail(SNT_SYNC_ERR_STORE, why, whylen,
				    "log: entry %lld follows %lld: entries missing (run verify-log)",
				    (long long)e.seq, (long long)*after);
		}
		*after = e.seq;
		if (priority_only && !is_priority(&e))
			continue;
		if (chunk_add(c, &e)) {
			snt_store_iter_free(it);
			return fail(SNT_SYNC_ERR_NOMEM, why, whylen, "out of memory");
		}
	}
	snt_store_iter_free(it);
	if (se != SNT_STORE_OK && se != SNT_STORE_ERR_DONE) {
		char what[64];

		snprintf(what, sizeof(what), _("reading the entry after seq %lld"), (long long)*after);
		return store_fail(ctx, se, what, why, whylen);
	}
	for (size_t i = 0; i < c->n; i++) {
		struct snt_bundle_seal *s = &c->seal[i];

		se = snt_store_seal_get(ctx->st, c->e[i].seq, &s->epoch, s->tag);
		s->present = se == SNT_STORE_OK;
		if (se != SNT_STORE_OK && se != SNT_STORE_ERR_DONE) {
			char what[64];

			snprintf(what, sizeof(what), _("reading the seal of seq %lld"), (long long)c->e[i].seq);
			return store_fail(ctx, se, what, why, whylen);
		}
	}
	return read_records(ctx, c, why, whylen);
}

/* Encode, sign, seal one bundle of @c and hand it to @sink. */
static enum snt_sync_err emit(const struct snt_sync_ctx *ctx, enum snt_bundle_kind kind,
			      const struct chunk *c, snt_sync_sink_fn sink, void *arg,
			      struct snt_sync_export_result *res, char *why, size_t whylen)
{
	struct snt_bundle_manifest m;
	struct snt_bundle_diag diag;
	struct snt_sync_bundle b;
	enum snt_bundle_err be;
	enum snt_sync_err se = SNT_SYNC_OK;
	uint8_t *cbor = NULL, *file = NULL;
	size_t cbor_len = 0, file_len = 0;

	memset(&diag, 0, sizeof(diag));
	be = snt_bundle_manifest_fill(ctx->device_id, kind, c->e, c->n, snt_clock_utc_ms(ctx->clock), &m);
	if (!be)
		be = snt_bundle_encode_records(&m, c->e, c->seal, c->rec, c->n, &cbor, &cbor_len, &diag);
	if (!be)
		be = snt_bundle_seal(ctx->device_key, ctx->bureau_key, cbor, cbor_len, &file, &file_len,
				     &diag);
	free(cbor);
	if (be) {
		free(file);
		if (be == SNT_BUNDLE_ERR_NOMEM)
			return fail(SNT_SYNC_ERR_NOMEM, why, whylen, "out of memory");
		return fail(SNT_SYNC_ERR_BUNDLE, why, whylen, "%s bundle %lld-%lld: %s%s%s",
			    snt_bundle_kind_name(kind), (long long)c->e[0].seq,
			    (long long)c->e[c->n - 1].seq, snt_bundle_strerror(be),
			    diag.msg[0] ? ": " : "", diag.msg);
	}
	memset(&b, 0, sizeof(b));
	b.priority = kind == SNT_BUNDLE_PRIORITY;
	b.first = m.first;
	b.last = m.last;
	b.count = m.count;
	if (snt_bundle_file_name(&m, b.name, sizeof(b.name)) != SNT_BUNDLE_OK) {
		free(file);
		return fail(SNT_SYNC_ERR_BUNDLE, why, whylen, "bundle %lld-%lld: no file name",
			    (long long)m.first, (long long)m.last);
	}
	b.data = file;
	b.len = file_len;
	if (sink(arg, &b, &se, why, whylen) != 0) {
		free(file);
		return se ? se : SNT_SYNC_ERR_SINK;
	}
	free(file);
	res->bundles++;
	res->bytes += (int64_t)b.len;
	if (b.priority) {
		res->priority += b.count;
		res->priority_bundles++;
	} else {
		if (!res->first)
			res->first = b.first;
		res->last = b.last;
		res->entries += b.count;
	}
	return SNT_SYNC_OK;
}

enum snt_sync_err snt_sync_export(const struct snt_sync_ctx *ctx, int64_t chunk, snt_sync_sink_fn sink,
				  void *arg, struct snt_sync_export_result *res, char *why,
				  size_t whylen)
{
	enum snt_store_err se;
	enum snt_sync_err e = SNT_SYNC_OK;
	struct chunk c;
	int64_t after;

	if (why && whylen)
		why[0] = '\0';
	if (!ctx_ok(ctx) || !sink || !res || chunk < 0 || chunk > SNT_BUNDLE_MAX_ENTRIES)
		return fail(SNT_SYNC_ERR_INVAL, why, whylen, "invalid argument");
	if (chunk == 0)
		chunk = SNT_BUNDLE_MAX_ENTRIES;
	memset(res, 0, sizeof(*res));
	se = snt_store_get_ack(ctx->st, &res->ack_before);
	if (!se)
		se = snt_store_last_seq(ctx->st, &res->last_seq);
	if (se)
		return store_fail(ctx, se, "reading the cursor", why, whylen);
	if (res->last_seq <= res->ack_before)
		return SNT_SYNC_OK;
	if (chunk_init(&c, (size_t)chunk))
		return fail(SNT_SYNC_ERR_NOMEM, why, whylen, "out of memory");
	/* Priority copies first: fevers and denials among the entries to send. */
	after = res->ack_before;
	while (after < res->last_seq) {
		e = read_chunk(ctx, &after, res->last_seq, true, &c, why, whylen);
		if (e)
			goto out;
		if (c.n == 0)
			break;
		e = emit(ctx, SNT_BUNDLE_PRIORITY, &c, sink, arg, res, why, whylen);
		if (e)
			goto out;
	}
	/* Then every entry in order. */
	after = res->ack_before;
	while (after < res->last_seq) {
		e = read_chunk(ctx, &after, res->last_seq, false, &c, why, whylen);
		if (e)
			goto out;
		if (c.n == 0) {
			e = fail(SNT_SYNC_ERR_STORE, why, whylen,
				 "log: entries %lld-%lld missing (run verify-log)", (long long)after + 1,
				 (long long)res->last_seq);
			goto out;
		}
		e = emit(ctx, SNT_BUNDLE_REGULAR, &c, sink, arg, res, why, whylen);
		if (e)
			goto out;
	}
out:
	chunk_free(&c);
	return e;
}

/*
 * The latest trusted time @last is replaced by the bureau's @utc_ms
 * (snt_store_correct_trusted()) and an event of kind sync says so.
 */
static enum snt_store_err correct_trusted(const struct snt_sync_ctx *ctx, int64_t last, int64_t utc_ms)
{
	struct snt_event ev;
	enum snt_store_err se;
	char was[32], now[32];

	se = snt_store_correct_trusted(ctx->st, utc_ms);
	if (se)
		return se;
	if (snt_clock_format_rfc3339(last, was, sizeof(was)))
		snprintf(was, sizeof(was), "%lld ms", (long long)last);
	if (snt_clock_format_rfc3339(utc_ms, now, sizeof(now)))
		snprintf(now, sizeof(now), "%lld ms", (long long)utc_ms);
	memset(&ev, 0, sizeof(ev));
	snt_strlcpy(ev.boot_id, ctx->boot_id, sizeof(ev.boot_id));
	ev.mono_ms = snt_clock_mono_ms(ctx->clock);
	ev.time_utc_ms = utc_ms;
	ev.clock = SNT_CLOCK_UNTRUSTED;
	ev.kind = SNT_EVENT_SYNC;
	/* i18n-exempt: the sync event's detail, stored in the log */
	snprintf(ev.detail, sizeof(ev.detail),
		 "clock: latest trusted time %s corrected to the bureau's signed time %s", was, now);
	return snt_store_event_add(ctx->st, &ev);
}

enum snt_sync_err snt_sync_trusted_time(const struct snt_sync_ctx *ctx, int64_t utc_ms,
					enum snt_sync_time_status *status, char *why,
					size_t whylen)
{
	enum snt_store_err se;
	int64_t last = 0, mono, at_boot, existing;

	if (!ctx || !ctx->st || !ctx->clock || !ctx->boot_id || !status)
		return fail(SNT_SYNC_ERR_INVAL, why, whylen, "invalid argument");
	/* Time from a stick is as old as its export: reported, never applied (sync.h). */
	*status = SNT_SYNC_TIME_NOT_FRESH;
	if (ctx->stick_time)
		return SNT_SYNC_OK;
	se = snt_store_last_trusted_utc(ctx->st, &last);
	if (se)
		return store_fail(ctx, se, "latest trusted time", why, whylen);
	if (utc_ms > 0 && last - utc_ms > SNT_SYNC_POISONED_MS) {
		/* The latest trusted time is far ahead of the bureau's: a poisoned clock (clock.h). */
		se = correct_trusted(ctx, last, utc_ms);
		if (se)
			return store_fail(ctx, se, "correcting the latest trusted time", why, whylen);
		*status = SNT_SYNC_TIME_CORRECTED;
		return SNT_SYNC_OK;
	}
	*status = SNT_SYNC_TIME_NOT_NEEDED;
	if (snt_clock_state_get(ctx->clock) == SNT_CLOCK_TRUSTED)
		return SNT_SYNC_OK;
	if (snt_clock_judge(SNT_CLOCK_TRUSTED, utc_ms, last) != SNT_CLOCK_TRUSTED) {
		*status = SNT_SYNC_TIME_BEHIND;
		return SNT_SYNC_OK;
	}
	mono = snt_clock_mono_ms(ctx->clock);
	at_boot = utc_ms - mono;
	if (mono < 0 || at_boot < 0)
		return fail(SNT_SYNC_ERR_INVAL, why, whylen, "time %lld ms is before this boot",
			    (long long)utc_ms);
	se = snt_store_get_rebase(ctx->st, ctx->boot_id, &existing);
	if (se == SNT_STORE_OK) {
		*status = SNT_SYNC_TIME_ALREADY;
		return SNT_SYNC_OK;
	}
	if (se != SNT_STORE_ERR_DONE)
		return store_fail(ctx, se, "rebase record", why, whylen);
	se = snt_store_set_rebase(ctx->st, ctx->boot_id, at_boot, TIME_SOURCE, utc_ms);
	if (se == SNT_STORE_ERR_EXISTS) {
		*status = SNT_SYNC_TIME_ALREADY;
		return SNT_SYNC_OK;
	}
	if (se == SNT_STORE_ERR_INVAL)
		return fail(SNT_SYNC_ERR_INVAL, why, whylen, "time %lld ms out of range",
			    (long long)utc_ms);
	if (se)
		return store_fail(ctx, se, "recording the bureau's time", why, whylen);
	*status = SNT_SYNC_TIME_APPLIED;
	return SNT_SYNC_OK;
}

/* Map a decoder's error on a bureau message. */
static enum snt_sync_err open_fail(enum snt_bundle_err be, const struct snt_bundle_diag *d,
				   const char *what, char *why, size_t whylen)
{
	enum snt_sync_err e;

	switch (be) {
	case SNT_BUNDLE_ERR_NOMEM:
		return fail(SNT_SYNC_ERR_NOMEM, why, whylen, "out of memory");
	case SNT_BUNDLE_ERR_INVAL:
		e = SNT_SYNC_ERR_INVAL;
		break;
	case SNT_BUNDLE_ERR_KID:
	case SNT_BUNDLE_ERR_SIGNATURE:
	case SNT_BUNDLE_ERR_UNSEAL:
		e = SNT_SYNC_ERR_SIGNATURE;
		break;
	default:
		e = SNT_SYNC_ERR_MALFORMED;
		break;
	}
	return fail(e, why, whylen, "%s: %s%s%s", what, snt_bundle_strerror(be), d->msg[0] ? ": " : "",
		    d->msg);
}

enum snt_sync_err snt_sync_apply_ack(const struct snt_sync_ctx *ctx, const uint8_t *buf, size_t len,
				     struct snt_sync_ack_result *res, char *why, size_t whylen)
{
	struct snt_bundle_ack *a = NULL;
	struct snt_bundle_diag diag;
	enum snt_bundle_err be;
	enum snt_store_err se;
	enum snt_sync_err e = SNT_SYNC_OK;
	struct snt_entry ent;
	int64_t last = 0;
	int64_t now;

	if (why && whylen)
		why[0] = '\0';
	if (!ctx_ok(ctx) || !buf || !res)
		return fail(SNT_SYNC_ERR_INVAL, why, whylen, "invalid argument");
	memset(res, 0, sizeof(*res));
	memset(&diag, 0, sizeof(diag));
	be = snt_bundle_ack_open(ctx->bureau_key, buf, len, &a, &diag);
	if (be)
		return open_fail(be, &diag, "acknowledgement", why, whylen);
	res->seq = a->seq;
	res->time_utc_ms = a->time_ms;
	if (strcmp(a->device, ctx->device_id) != 0) {
		e = fail(SNT_SYNC_ERR_DEVICE, why, whylen,
			 "acknowledgement for device '%s', this gate is '%s': refused", a->device,
			 ctx->device_id);
		goto out;
	}
	se = snt_store_last_seq(ctx->st, &last);
	if (!se)
		se = snt_store_get_ack(ctx->st, &res->ack_before);
	if (se) {
		e = store_fail(ctx, se, "reading the cursor", why, whylen);
		goto out;
	}
	res->ack_after = res->ack_before;
	if (a->seq > last) {
		e = fail(SNT_SYNC_ERR_RANGE, why, whylen,
			 "acknowledgement of seq %lld, but the log ends at %lld: refused",
			 (long long)a->seq, (long long)last);
		goto out;
	}
	if (a->seq > 0) {
		se = snt_store_get(ctx->st, a->seq, &ent);
		if (se == SNT_STORE_OK) {
			if (memcmp(ent.hash, a->head, SNT_HASH_LEN) != 0) {
				e = fail(SNT_SYNC_ERR_HEAD, why, whylen,
					 "acknowledgement of seq %lld: its head is not the log's hash "
					 "of that entry: refused",
					 (long long)a->seq);
				goto out;
			}
		} else if (se == SNT_STORE_ERR_DONE && a->seq <= res->ack_before) {
			/* Purged after an earlier acknowledgement: stale, nothing to check against. */
		} else {
			e = store_fail(ctx, se == SNT_STORE_ERR_DONE ? SNT_STORE_ERR_CORRUPT : se,
				       "reading the acknowledged entry", why, whylen);
			goto out;
		}
	}
	if (a->seq < res->ack_before) {
		res->stale = true;
	} else {
		se = snt_store_set_ack(ctx->st, a->seq);
		if (se) {
			e = store_fail(ctx, se, "moving the cursor", why, whylen);
			goto out;
		}
		res->ack_after = a->seq;
	}
	now = snt_clock_utc_ms(ctx->clock);
	for (size_t i = 0; i < a->n_verdicts; i++) {
		const struct snt_bundle_verdict *v = &a->verdicts[i];
		enum snt_colour held;
		bool contra = false, had;

		/*
		 * An acknowledgement may repeat verdicts recorded from an earlier
		 * one (the bureau resends them until it sees them): the store
		 * accepts the same verdict again and changes nothing, so only
		 * verdicts not recorded before are counted, and their
		 * contradictions once.
		 */
		se = snt_store_verdict_get(ctx->st, v->seq, &held);
		if (se != SNT_STORE_OK && se != SNT_STORE_ERR_DONE) {
			char what[64];

			snprintf(what, sizeof(what), _("reading the verdict on seq %lld"), (long long)v->seq);
			e = store_fail(ctx, se, what, why, whylen);
			goto out;
		}
		had = se == SNT_STORE_OK;
		se = snt_store_verdict_add(ctx->st, v->seq, v->colour, v->platform, now, &contra);
		if (se == SNT_STORE_OK) {
			if (!had) {
				res->verdicts++;
				res->contradictions += contra ? 1 : 0;
			}
		} else if (se == SNT_STORE_ERR_DONE) {
			res->verdicts_skipped++;
		} else if (se == SNT_STORE_ERR_EXISTS) {
			res->verdicts_conflict++;
		} else {
			char what[64];

			snprintf(what, sizeof(what), _("recording the verdict on seq %lld"), (long long)v->seq);
			e = store_fail(ctx, se, what, why, whylen);
			goto out;
		}
	}
	/* The bureau was reached: its signed time is the gate's last contact. */
	if (a->time_ms > 0) {
		se = snt_store_set_contact(ctx->st, a->time_ms);
		if (se) {
			e = store_fail(ctx, se, "recording the bureau's contact", why, whylen);
			goto out;
		}
	}
	e = snt_sync_trusted_time(ctx, a->time_ms, &res->time, why, whylen);
out:
	snt_bundle_ack_free(a);
	return e;
}

enum snt_sync_err snt_sync_apply_time(const struct snt_sync_ctx *ctx, const uint8_t *buf, size_t len,
				      enum snt_sync_time_status *status, int64_t *utc_ms, char *why,
				      size_t whylen)
{
	char device[SNT_DEVICE_ID_LEN];
	struct snt_bundle_diag diag;
	enum snt_bundle_err be;
	int64_t t = 0;

	if (why && whylen)
		why[0] = '\0';
	if (!ctx_ok(ctx) || !buf || !status)
		return fail(SNT_SYNC_ERR_INVAL, why, whylen, "invalid argument");
	*status = SNT_SYNC_TIME_NONE;
	memset(&diag, 0, sizeof(diag));
	be = snt_bundle_time_open(ctx->bureau_key, buf, len, device, &t, &diag);
	if (be)
		return open_fail(be, &diag, "signed time", why, whylen);
	if (utc_ms)
		*utc_ms = t;
	if (strcmp(device, ctx->device_id) != 0)
		return fail(SNT_SYNC_ERR_DEVICE, why, whylen,
			    "signed time for device '%s', this gate is '%s': refused", device,
			    ctx->device_id);
	return snt_sync_trusted_time(ctx, t, status, why, whylen);
}
