// SPDX-License-Identifier: MIT
/*
 * Unit tests of the gate's side of sync (firmware/sync/sync.c, online.c)
 * and of the USB stick handling (firmware/sync/usb.c) with a fake mount:
 * a temporary directory listed in an injected mountinfo file, with a fake
 * sysfs tree for its device number.  Time, randomness, sleeping and the
 * HTTP transport are injected.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"
#include "sync/bundle.h"
#include "sync/sync.h"
#include "sync/usb.h"
#include "tests/entry_make.h"

#define DEVICE "gate-7"
#define BOOT "11111111-2222-4333-8444-555555555555"
#define T0 INT64_C(1795910400000) /* 2026-11-29T00:00:00Z */

/* ---- fake clock ---- */

struct fake_clock {
	int64_t mono, utc;
	enum snt_clock_state state;
	int64_t slept;
	int sleeps;
};

static int64_t fc_mono(void *c) { return ((struct fake_clock *)c)->mono; }
static int64_t fc_utc(void *c) { return ((struct fake_clock *)c)->utc; }
static enum snt_clock_state fc_state(void *c) { return ((struct fake_clock *)c)->state; }
static void fc_sleep(void *c, int64_t ms)
{
	struct fake_clock *f = c;

	f->mono += ms;
	f->utc += ms;
	f->slept += ms;
	f->sleeps++;
}

static const struct snt_clock_ops fc_ops = { fc_mono, fc_utc, fc_state, fc_sleep };

/* ---- fixture ---- */

struct fx {
	char dir[64];
	char db[128];
	struct snt_store *st;
	EVP_PKEY *dev, *bureau, *other;
	struct fake_clock fc;
	struct snt_clock clock;
	struct snt_sync_ctx ctx;
	int64_t n;
};

/* Entry i: every 3rd is a fever (deny), every 5th a red code (deny); colour green otherwise. */
static void make_entry(struct snt_entry *e, int64_t i)
{
	entry_green_visitor(e, BOOT, 1000 * i, T0 - 3600000 + 1000 * i);
	if (i % 3 == 0) {
		e->temp_dc = 385;
		e->decision = SNT_DECISION_DENY;
		e->reasons = SNT_REASON_BIT(SNT_REASON_FEVER);
		e->door = SNT_DOOR_SHUT;
	} else if (i % 5 == 0) {
		e->colour = SNT_COLOUR_RED;
		e->decision = SNT_DECISION_DENY;
		e->reasons = SNT_REASON_BIT(SNT_REASON_CODE_RED);
		e->door = SNT_DOOR_SHUT;
	}
	e->payload = (const uint8_t *)"token";
	e->payload_len = 5;
}

static void fx_append(struct fx *f, int64_t n)
{
	for (int64_t i = 0; i < n; i++) {
		struct snt_entry e;

		make_entry(&e, ++f->n);
		assert_int_equal(snt_store_append(f->st, &e), SNT_STORE_OK);
	}
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test-sync-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/log.db", f->dir);
	assert_int_equal(snt_store_open(f->db, false, &f->st), SNT_STORE_OK);
	assert_int_equal(snt_sign_key_generate(&f->dev), SNT_SIGN_OK);
	assert_int_equal(snt_sign_key_generate(&f->bureau), SNT_SIGN_OK);
	assert_int_equal(snt_sign_key_generate(&f->other), SNT_SIGN_OK);
	f->fc.mono = 500000;
	f->fc.utc = T0;
	f->fc.state = SNT_CLOCK_UNTRUSTED;
	f->clock.ops = &fc_ops;
	f->clock.ctx = &f->fc;
	f->clock.source = "test";
	f->ctx.st = f->st;
	f->ctx.device_key = f->dev;
	f->ctx.bureau_key = f->bureau;
	f->ctx.device_id = DEVICE;
	f->ctx.clock = &f->clock;
	f->ctx.boot_id = BOOT;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	snt_store_close(f->st);
	EVP_PKEY_free(f->dev);
	EVP_PKEY_free(f->bureau);
	EVP_PKEY_free(f->other);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* ---- a capturing sink, and the bureau's side of opening bundles ---- */

#define MAX_CAP 16

struct capture {
	int n;
	struct snt_sync_bundle b[MAX_CAP];
	uint8_t *data[MAX_CAP];
	int fail_at;	/* 1-based bundle to refuse; 0 = none */
};

static int cap_sink(void *arg, const struct snt_sync_bundle *b, enum snt_sync_err *err, char *why,
		    size_t whylen)
{
	struct capture *c = arg;

	(void)err;
	if (c->fail_at && c->n + 1 == c->fail_at) {
		snprintf(why, whylen, "sink refused %s", b->name);
		return -1;
	}
	assert_true(c->n < MAX_CAP);
	c->b[c->n] = *b;
	c->data[c->n] = malloc(b->len);
	memcpy(c->data[c->n], b->data, b->len);
	c->b[c->n].data = c->data[c->n];
	c->n++;
	return 0;
}

static void cap_free(struct capture *c)
{
	for (int i = 0; i < c->n; i++)
		free(c->data[i]);
}

static int lookup_dev(void *ctx, const char *device, const uint8_t kid[SNT_SIGN_KID_LEN], EVP_PKEY **key)
{
	EVP_PKEY *k = ctx;

	(void)kid;
	if (strcmp(device, DEVICE) != 0)
		return -1;
	EVP_PKEY_up_ref(k);
	*key = k;
	return 0;
}

static struct snt_bundle *open_bundle(struct fx *f, const uint8_t *d, size_t n)
{
	struct snt_bundle *b = NULL;

	assert_int_equal(snt_bundle_open(f->bureau, lookup_dev, f->dev, d, n, &b, NULL), SNT_BUNDLE_OK);
	return b;
}

/* An acknowledgement signed with @key for @device up to @seq (head from the log unless @head). */
static uint8_t *make_ack(struct fx *f, EVP_PKEY *key, const char *device, int64_t seq,
			 const uint8_t *head, int64_t time_ms, const struct snt_bundle_verdict *v,
			 size_t nv, size_t *len)
{
	struct snt_bundle_ack a;
	struct snt_entry e;
	uint8_t *out = NULL;

	memset(&a, 0, sizeof(a));
	snprintf(a.device, sizeof(a.device), "%s", device);
	a.seq = seq;
	if (head)
		memcpy(a.head, head, SNT_HASH_LEN);
	else if (seq > 0) {
		assert_int_equal(snt_store_get(f->st, seq, &e), SNT_STORE_OK);
		memcpy(a.head, e.hash, SNT_HASH_LEN);
	}
	a.time_ms = time_ms;
	a.verdicts = (struct snt_bundle_verdict *)(uintptr_t)v;
	a.n_verdicts = nv;
	assert_int_equal(snt_bundle_ack_sign(key, &a, &out, len, NULL), SNT_BUNDLE_OK);
	return out;
}

/* ---- export ---- */

static void test_export_chunks_and_priority(void **state)
{
	struct fx *f = *state;
	struct snt_sync_export_result r;
	struct capture c = { 0 };
	char why[256];

	fx_append(f, 7);	/* priority: 3 and 6 (fever), 5 (red) */
	assert_int_equal(snt_sync_export(&f->ctx, 3, cap_sink, &c, &r, why, sizeof(why)), SNT_SYNC_OK);
	assert_int_equal(c.n, 4);
	assert_true(c.b[0].priority);
	assert_int_equal(c.b[0].count, 3);
	assert_int_equal(c.b[0].first, 3);
	assert_int_equal(c.b[0].last, 6);
	assert_string_equal(c.b[0].name, DEVICE "-3-6-priority.snb");
	assert_string_equal(c.b[1].name, DEVICE "-1-3-regular.snb");
	assert_string_equal(c.b[2].name, DEVICE "-4-6-regular.snb");
	assert_string_equal(c.b[3].name, DEVICE "-7-7-regular.snb");
	assert_int_equal(r.entries, 7);
	assert_int_equal(r.priority, 3);
	assert_int_equal(r.first, 1);
	assert_int_equal(r.last, 7);
	assert_int_equal(r.bundles, 4);
	assert_int_equal(r.ack_before, 0);
	/* What the bureau opens is the log, entry for entry, hash for hash. */
	for (int i = 0; i < c.n; i++) {
		struct snt_bundle *b = open_bundle(f, c.b[i].data, c.b[i].len);

		for (size_t k = 0; k < b->n; k++) {
			struct snt_entry e;

			assert_int_equal(snt_store_get(f->st, b->entries[k].seq, &e), SNT_STORE_OK);
			assert_memory_equal(e.hash, b->entries[k].hash, SNT_HASH_LEN);
			assert_memory_equal(e.prev_hash, b->entries[k].prev_hash, SNT_HASH_LEN);
		}
		snt_bundle_free(b);
	}
	cap_free(&c);
}

static void test_export_after_ack_and_empty(void **state)
{
	struct fx *f = *state;
	struct snt_sync_export_result r;
	struct capture c = { 0 };
	char why[256];

	/* An empty log: nothing to send, no bundle. */
	assert_int_equal(snt_sync_export(&f->ctx, 0, cap_sink, &c, &r, why, sizeof(why)), SNT_SYNC_OK);
	assert_int_equal(c.n, 0);
	assert_int_equal(r.entries, 0);
	fx_append(f, 4);
	assert_int_equal(snt_store_set_ack(f->st, 3), SNT_STORE_OK);
	assert_int_equal(snt_sync_export(&f->ctx, 0, cap_sink, &c, &r, why, sizeof(why)), SNT_SYNC_OK);
	assert_int_equal(c.n, 1);	/* entry 4: no fever, no denial */
	assert_string_equal(c.b[0].name, DEVICE "-4-4-regular.snb");
	assert_int_equal(r.ack_before, 3);
	assert_int_equal(r.priority, 0);
	cap_free(&c);
	/* Everything acknowledged: nothing. */
	assert_int_equal(snt_store_set_ack(f->st, 4), SNT_STORE_OK);
	memset(&c, 0, sizeof(c));
	assert_int_equal(snt_sync_export(&f->ctx, 0, cap_sink, &c, &r, why, sizeof(why)), SNT_SYNC_OK);
	assert_int_equal(c.n, 0);
}

static void test_export_sink_failure_and_inval(void **state)
{
	struct fx *f = *state;
	struct snt_sync_export_result r;
	struct capture c = { 0 };
	char why[256];

	fx_append(f, 7);
	c.fail_at = 2;
	assert_int_equal(snt_sync_export(&f->ctx, 3, cap_sink, &c, &r, why, sizeof(why)),
			 SNT_SYNC_ERR_SINK);
	assert_string_equal(why, "sink refused " DEVICE "-1-3-regular.snb");
	assert_int_equal(r.bundles, 1);
	assert_int_equal(r.entries, 0);
	cap_free(&c);
	assert_int_equal(snt_sync_export(&f->ctx, SNT_BUNDLE_MAX_ENTRIES + 1, cap_sink, &c, &r, why,
					 sizeof(why)),
			 SNT_SYNC_ERR_INVAL);
	f->ctx.device_id = "../x";
	assert_int_equal(snt_sync_export(&f->ctx, 0, cap_sink, &c, &r, why, sizeof(why)),
			 SNT_SYNC_ERR_INVAL);
}

/* ---- acknowledgements ---- */

static void test_ack_moves_cursor_and_stale(void **state)
{
	struct fx *f = *state;
	struct snt_sync_ack_result r;
	uint8_t *a;
	size_t len;
	int64_t ack;
	char why[256];

	fx_append(f, 6);
	f->fc.state = SNT_CLOCK_TRUSTED;
	a = make_ack(f, f->bureau, DEVICE, 5, NULL, T0, NULL, 0, &len);
	assert_int_equal(snt_sync_apply_ack(&f->ctx, a, len, &r, why, sizeof(why)), SNT_SYNC_OK);
	free(a);
	assert_int_equal(r.seq, 5);
	assert_false(r.stale);
	assert_int_equal(r.ack_before, 0);
	assert_int_equal(r.ack_after, 5);
	assert_int_equal(r.time, SNT_SYNC_TIME_NOT_NEEDED);
	assert_int_equal(snt_store_get_ack(f->st, &ack), SNT_STORE_OK);
	assert_int_equal(ack, 5);
	/* The bureau's time of the acknowledgement is the gate's last contact. */
	assert_int_equal(snt_store_get_contact(f->st, &ack), SNT_STORE_OK);
	assert_int_equal(ack, T0);
	/* An older one replayed: harmless, reported stale, cursor unchanged. */
	a = make_ack(f, f->bureau, DEVICE, 2, NULL, T0, NULL, 0, &len);
	assert_int_equal(snt_sync_apply_ack(&f->ctx, a, len, &r, why, sizeof(why)), SNT_SYNC_OK);
	assert_true(r.stale);
	assert_int_equal(r.ack_after, 5);
	/* The same one again: the same. */
	assert_int_equal(snt_sync_apply_ack(&f->ctx, a, len, &r, why, sizeof(why)), SNT_SYNC_OK);
	assert_true(r.stale);
	free(a);
	assert_int_equal(snt_store_get_ack(f->st, &ack), SNT_STORE_OK);
	assert_int_equal(ack, 5);
	/* Nothing was deleted by sync. */
	assert_int_equal(snt_store_last_seq(f->st, &ack), SNT_STORE_OK);
	assert_int_equal(ack, 6);
}

static void test_ack_refused(void **state)
{
	struct fx *f = *state;
	struct snt_sync_ack_result r;
	uint8_t head[SNT_HASH_LEN];
	uint8_t *a;
	size_t len;
	int64_t ack;
	char why[256];

	fx_append(f, 4);
	/* Signed by another key. */
	a = make_ack(f, f->other, DEVICE, 3, NULL, T0, NULL, 0, &len);
	assert_int_equal(snt_sync_apply_ack(&f->ctx, a, len, &r, why, sizeof(why)),
			 SNT_SYNC_ERR_SIGNATURE);
	assert_non_null(strstr(why, "acknowledgement: "));
	/* One byte flipped. */
	a[len - 3] ^= 0x40;
	f->ctx.bureau_key = f->other;
	assert_int_equal(snt_sync_apply_ack(&f->ctx, a, len, &r, why, sizeof(why)),
			 SNT_SYNC_ERR_SIGNATURE);
	f->ctx.bureau_key = f->bureau;
	free(a);
	/* Not COSE at all. */
	assert_int_equal(snt_sync_apply_ack(&f->ctx, (const uint8_t *)"hello", 5, &r, why, sizeof(why)),
			 SNT_SYNC_ERR_SIGNATURE);
	/* Another device's. */
	a = make_ack(f, f->bureau, "gate-8", 3, NULL, T0, NULL, 0, &len);
	assert_int_equal(snt_sync_apply_ack(&f->ctx, a, len, &r, why, sizeof(why)),
			 SNT_SYNC_ERR_DEVICE);
	assert_string_equal(why, "acknowledgement for device 'gate-8', this gate is 'gate-7': refused");
	free(a);
	/* Beyond our last seq. */
	memset(head, 7, sizeof(head));
	a = make_ack(f, f->bureau, DEVICE, 9, head, T0, NULL, 0, &len);
	assert_int_equal(snt_sync_apply_ack(&f->ctx, a, len, &r, why, sizeof(why)), SNT_SYNC_ERR_RANGE);
	assert_string_equal(why, "acknowledgement of seq 9, but the log ends at 4: refused");
	free(a);
	/* A head that is not our hash (another log with the same device id). */
	a = make_ack(f, f->bureau, DEVICE, 3, head, T0, NULL, 0, &len);
	assert_int_equal(snt_sync_apply_ack(&f->ctx, a, len, &r, why, sizeof(why)), SNT_SYNC_ERR_HEAD);
	assert_string_equal(why, "acknowledgement of seq 3: its head is not the log's hash of that "
				 "entry: refused");
	free(a);
	assert_int_equal(snt_store_get_ack(f->st, &ack), SNT_STORE_OK);
	assert_int_equal(ack, 0);
	/* A refused acknowledgement is no contact. */
	assert_int_equal(snt_store_get_contact(f->st, &ack), SNT_STORE_OK);
	assert_int_equal(ack, 0);
}

static void test_ack_verdicts(void **state)
{
	struct fx *f = *state;
	struct snt_sync_ack_result r;
	struct snt_bundle_verdict v[3];
	enum snt_colour col;
	uint8_t *a;
	size_t len;
	char why[256];

	fx_append(f, 4);	/* 1, 2 green; 3 fever (green code); 4 green */
	f->fc.state = SNT_CLOCK_TRUSTED;
	memset(v, 0, sizeof(v));
	v[0].seq = 1;
	v[0].colour = SNT_COLOUR_GREEN;
	snprintf(v[0].platform, sizeof(v[0].platform), "fake-platform");
	v[1].seq = 2;
	v[1].colour = SNT_COLOUR_RED;	/* the gate read green */
	snprintf(v[1].platform, sizeof(v[1].platform), "fake-platform");
	v[2].seq = 4;
	v[2].colour = SNT_COLOUR_GREEN;
	snprintf(v[2].platform, sizeof(v[2].platform), "fake-platform");
	a = make_ack(f, f->bureau, DEVICE, 4, NULL, T0, v, 3, &len);
	assert_int_equal(snt_sync_apply_ack(&f->ctx, a, len, &r, why, sizeof(why)), SNT_SYNC_OK);
	assert_int_equal(r.verdicts, 3);
	assert_int_equal(r.contradictions, 1);
	assert_int_equal(snt_store_verdict_get(f->st, 2, &col), SNT_STORE_OK);
	assert_int_equal(col, SNT_COLOUR_RED);
	/* Replayed: the same verdicts change nothing and are not counted again. */
	assert_int_equal(snt_sync_apply_ack(&f->ctx, a, len, &r, why, sizeof(why)), SNT_SYNC_OK);
	assert_int_equal(r.verdicts, 0);
	assert_int_equal(r.contradictions, 0);
	assert_int_equal(r.verdicts_conflict, 0);
	assert_int_equal(r.verdicts_skipped, 0);
	free(a);
	/* The three again with a new one (seq 3, red: a contradiction): only it counts. */
	{
		struct snt_bundle_verdict v4[4];
		struct snt_alert al;
		struct snt_store_alert_iter *it;
		int contra_alerts = 0;

		memcpy(v4, v, sizeof(v));
		v4[3] = v[1];
		v4[3].seq = 3;
		a = make_ack(f, f->bureau, DEVICE, 4, NULL, T0, v4, 4, &len);
		assert_int_equal(snt_sync_apply_ack(&f->ctx, a, len, &r, why, sizeof(why)),
				 SNT_SYNC_OK);
		assert_int_equal(r.verdicts, 1);
		assert_int_equal(r.contradictions, 1);
		assert_int_equal(r.verdicts_conflict, 0);
		free(a);
		/* Alerts raised: seq 2 once, seq 3 once. */
		assert_int_equal(snt_store_alerts_new(f->st, false, &it), SNT_STORE_OK);
		while (snt_store_alerts_next(it, &al) == SNT_STORE_OK)
			contra_alerts += al.kind == SNT_ALERT_CONTRADICTION;
		snt_store_alerts_free(it);
		assert_int_equal(contra_alerts, 2);
	}
	/* Another verdict for seq 2: kept as first recorded, counted as a conflict. */
	v[1].colour = SNT_COLOUR_YELLOW;
	a = make_ack(f, f->bureau, DEVICE, 4, NULL, T0, &v[1], 1, &len);
	assert_int_equal(snt_sync_apply_ack(&f->ctx, a, len, &r, why, sizeof(why)), SNT_SYNC_OK);
	assert_int_equal(r.verdicts_conflict, 1);
	free(a);
	assert_int_equal(snt_store_verdict_get(f->st, 2, &col), SNT_STORE_OK);
	assert_int_equal(col, SNT_COLOUR_RED);
}

static void test_time_rules(void **state)
{
	struct fx *f = *state;
	enum snt_sync_time_status s;
	int64_t at_boot, t;
	uint8_t *m = NULL;
	size_t len;
	char why[256];

	fx_append(f, 2);	/* trusted entries up to T0 - 3600000 + 2000 */
	/* Behind the latest trusted time: refused. */
	assert_int_equal(snt_sync_trusted_time(&f->ctx, T0 - 7200000, &s, why, sizeof(why)), SNT_SYNC_OK);
	assert_int_equal(s, SNT_SYNC_TIME_BEHIND);
	assert_int_equal(snt_store_get_rebase(f->st, BOOT, &at_boot), SNT_STORE_ERR_DONE);
	/* Trusted clock: not needed. */
	f->fc.state = SNT_CLOCK_TRUSTED;
	assert_int_equal(snt_sync_trusted_time(&f->ctx, T0, &s, why, sizeof(why)), SNT_SYNC_OK);
	assert_int_equal(s, SNT_SYNC_TIME_NOT_NEEDED);
	f->fc.state = SNT_CLOCK_UNTRUSTED;
	/* Signed time for another device: refused. */
	assert_int_equal(snt_bundle_time_sign(f->bureau, "gate-8", T0, &m, &len, NULL), SNT_BUNDLE_OK);
	assert_int_equal(snt_sync_apply_time(&f->ctx, m, len, &s, &t, why, sizeof(why)),
			 SNT_SYNC_ERR_DEVICE);
	free(m);
	/* Signed by another key: refused. */
	assert_int_equal(snt_bundle_time_sign(f->other, DEVICE, T0, &m, &len, NULL), SNT_BUNDLE_OK);
	assert_int_equal(snt_sync_apply_time(&f->ctx, m, len, &s, &t, why, sizeof(why)),
			 SNT_SYNC_ERR_SIGNATURE);
	free(m);
	/* Ours, read from a stick (ctx.stick_time): verified, reported as not fresh, never a rebase. */
	f->ctx.stick_time = true;
	assert_int_equal(snt_bundle_time_sign(f->bureau, DEVICE, T0, &m, &len, NULL), SNT_BUNDLE_OK);
	assert_int_equal(snt_sync_apply_time(&f->ctx, m, len, &s, &t, why, sizeof(why)), SNT_SYNC_OK);
	assert_int_equal(s, SNT_SYNC_TIME_NOT_FRESH);
	assert_int_equal(t, T0);
	assert_int_equal(snt_store_get_rebase(f->st, BOOT, &at_boot), SNT_STORE_ERR_DONE);
	assert_string_equal(snt_sync_time_status_name(s), "not-fresh");
	free(m);
	f->ctx.stick_time = false;
	/* Ours: applied as this boot's rebase, source bureau. */
	assert_int_equal(snt_bundle_time_sign(f->bureau, DEVICE, T0, &m, &len, NULL), SNT_BUNDLE_OK);
	assert_int_equal(snt_sync_apply_time(&f->ctx, m, len, &s, &t, why, sizeof(why)), SNT_SYNC_OK);
	assert_int_equal(s, SNT_SYNC_TIME_APPLIED);
	assert_int_equal(t, T0);
	assert_int_equal(snt_store_get_rebase(f->st, BOOT, &at_boot), SNT_STORE_OK);
	assert_int_equal(at_boot, T0 - f->fc.mono);
	/* Again: this boot has its time already. */
	assert_int_equal(snt_sync_apply_time(&f->ctx, m, len, &s, &t, why, sizeof(why)), SNT_SYNC_OK);
	assert_int_equal(s, SNT_SYNC_TIME_ALREADY);
	free(m);
	assert_string_equal(snt_sync_time_status_name(SNT_SYNC_TIME_BEHIND), "behind");
}

/*
 * Issue 14 item 6: a latest trusted time a year ahead (a clock set ahead while
 * it claimed sync) is corrected by the bureau's fresh signed time, with an event.
 */
static void test_time_corrects_poison(void **state)
{
	struct fx *f = *state;
	enum snt_sync_time_status s;
	struct snt_store_event_iter *it = NULL;
	struct snt_event ev;
	struct snt_entry e;
	int64_t last, t;
	uint8_t *m = NULL;
	size_t len;
	char why[256];

	fx_append(f, 2);
	memset(&e, 0, sizeof(e));
	snt_strlcpy(e.boot_id, BOOT, sizeof(e.boot_id));
	e.mono_ms = 5000;
	e.time_utc_ms = T0 + 365LL * 86400000;	/* poisoned: a year ahead, trusted */
	e.clock = SNT_CLOCK_TRUSTED;
	e.format = SNT_FORMAT_NONE;
	e.colour = SNT_COLOUR_UNKNOWN;
	e.decision = SNT_DECISION_REFER;
	e.reasons = SNT_REASON_BIT(SNT_REASON_NO_CODE);
	assert_int_equal(snt_store_append(f->st, &e), SNT_STORE_OK);
	assert_int_equal(snt_store_last_trusted_utc(f->st, &last), SNT_STORE_OK);
	assert_int_equal(last, e.time_utc_ms);
	/* From a stick: not fresh, nothing corrected. */
	f->ctx.stick_time = true;
	assert_int_equal(snt_bundle_time_sign(f->bureau, DEVICE, T0, &m, &len, NULL), SNT_BUNDLE_OK);
	assert_int_equal(snt_sync_apply_time(&f->ctx, m, len, &s, &t, why, sizeof(why)), SNT_SYNC_OK);
	assert_int_equal(s, SNT_SYNC_TIME_NOT_FRESH);
	assert_int_equal(snt_store_last_trusted_utc(f->st, &last), SNT_STORE_OK);
	assert_int_equal(last, e.time_utc_ms);
	/* Fresh, with the gate's clock claiming sync: corrected, recorded as an event. */
	f->ctx.stick_time = false;
	f->fc.state = SNT_CLOCK_TRUSTED;
	assert_int_equal(snt_sync_apply_time(&f->ctx, m, len, &s, &t, why, sizeof(why)), SNT_SYNC_OK);
	assert_int_equal(s, SNT_SYNC_TIME_CORRECTED);
	assert_string_equal(snt_sync_time_status_name(s), "corrected");
	free(m);
	assert_int_equal(snt_store_last_trusted_utc(f->st, &last), SNT_STORE_OK);
	assert_int_equal(last, T0);
	assert_int_equal(snt_store_events_new(f->st, SNT_EVENT_SYNC, 0, 0, &it), SNT_STORE_OK);
	assert_int_equal(snt_store_events_next(it, &ev), SNT_STORE_OK);
	assert_string_equal(ev.detail, "clock: latest trusted time 2027-11-29T00:00:00Z corrected to the "
				       "bureau's signed time 2026-11-29T00:00:00Z");
	snt_store_events_free(it);
	/* Trusted entries after the correction count again. */
	e.time_utc_ms = T0 + 60000;
	assert_int_equal(snt_store_append(f->st, &e), SNT_STORE_OK);
	assert_int_equal(snt_store_last_trusted_utc(f->st, &last), SNT_STORE_OK);
	assert_int_equal(last, T0 + 60000);
}

/* ---- online, with a fake transport playing the bureau ---- */

struct fake_bureau {
	struct fx *f;
	int fail_first;		/* transport failures before answering */
	long status;		/* status to answer with */
	int calls;
	int64_t held;		/* highest contiguous seq held */
};

static int fake_post(void *arg, const char *url, const uint8_t *body, size_t len, long *status,
		     uint8_t **resp, size_t *resp_len, char *why, size_t whylen)
{
	struct fake_bureau *fb = arg;
	struct snt_bundle *b;

	assert_string_equal(url, "https://bureau.example/v1/bundle");
	fb->calls++;
	*resp = NULL;
	*resp_len = 0;
	if (fb->fail_first > 0) {
		fb->fail_first--;
		snprintf(why, whylen, "connection reset");
		return -1;
	}
	if (fb->fail_first < 0) {
		snprintf(why, whylen, "SSL certificate problem: self-signed certificate");
		return -2;
	}
	*status = fb->status;
	if (fb->status != 200) {
		*resp = (uint8_t *)strdup("bundle gate-7-1-3-regular.snb: chain does not continue\n");
		*resp_len = strlen((char *)*resp);
		return 0;
	}
	b = open_bundle(fb->f, body, len);
	if (b->manifest.kind == SNT_BUNDLE_REGULAR && b->manifest.first <= fb->held + 1 &&
	    b->manifest.last > fb->held)
		fb->held = b->manifest.last;
	snt_bundle_free(b);
	*resp = make_ack(fb->f, fb->f->bureau, DEVICE, fb->held, NULL, T0 + 1000, NULL, 0, resp_len);
	return 0;
}

static uint32_t fixed_random(void *arg)
{
	(void)arg;
	return 0xffffffffu;
}

static void online_opts(struct snt_sync_online_opts *o, struct fake_bureau *fb)
{
	memset(o, 0, sizeof(*o));
	o->url = "https://bureau.example/";
	o->timeout_s = 5;
	o->retries = 3;
	o->backoff_base_ms = 1000;
	o->backoff_max_ms = 60000;
	o->post = fake_post;
	o->post_arg = fb;
	o->random = fixed_random;
}

static void test_online_retries_then_acks(void **state)
{
	struct fx *f = *state;
	struct fake_bureau fb = { f, 2, 200, 0, 0 };
	struct snt_sync_online_result r;
	struct snt_sync_online_opts o;
	int64_t ack;
	char why[256];

	fx_append(f, 4);
	online_opts(&o, &fb);
	assert_int_equal(snt_sync_online(&f->ctx, &o, &r, why, sizeof(why)), SNT_SYNC_OK);
	/* priority (3) then regular (1-4); two cuts before the first got through */
	assert_int_equal(r.attempts, 4);
	assert_int_equal(r.retried, 2);
	assert_int_equal(r.acks, 2);
	assert_int_equal(r.ack_after, 4);
	/* full jitter with r = 2^32-1: 4294967295 % 1001 = 619, then % 2001 = 885 */
	assert_int_equal(r.backoff_ms, 619 + 885);
	assert_int_equal(f->fc.slept, 619 + 885);
	assert_int_equal(r.time, SNT_SYNC_TIME_APPLIED);
	assert_int_equal(snt_store_get_ack(f->st, &ack), SNT_STORE_OK);
	assert_int_equal(ack, 4);
	/* Again: nothing to send, nothing posted. */
	fb.calls = 0;
	assert_int_equal(snt_sync_online(&f->ctx, &o, &r, why, sizeof(why)), SNT_SYNC_OK);
	assert_int_equal(fb.calls, 0);
}

static void test_online_failures(void **state)
{
	struct fx *f = *state;
	struct fake_bureau fb = { f, 100, 200, 0, 0 };
	struct snt_sync_online_result r;
	struct snt_sync_online_opts o;
	int64_t ack;
	char why[512];

	fx_append(f, 2);
	online_opts(&o, &fb);
	assert_int_equal(snt_sync_online(&f->ctx, &o, &r, why, sizeof(why)), SNT_SYNC_ERR_NETWORK);
	assert_string_equal(why, DEVICE "-1-2-regular.snb not delivered after 4 attempts: connection reset");
	assert_int_equal(fb.calls, 4);
	assert_int_equal(snt_store_get_ack(f->st, &ack), SNT_STORE_OK);
	assert_int_equal(ack, 0);
	/* A 400: the bureau's reason, no retry. */
	fb.fail_first = 0;
	fb.status = 400;
	fb.calls = 0;
	assert_int_equal(snt_sync_online(&f->ctx, &o, &r, why, sizeof(why)), SNT_SYNC_ERR_REJECTED);
	assert_int_equal(fb.calls, 1);
	assert_string_equal(why, "https://bureau.example/v1/bundle: the bureau refused "
				 DEVICE "-1-2-regular.snb (HTTP 400): bundle gate-7-1-3-regular.snb: "
				 "chain does not continue");
	/* A certificate that does not verify: not retried. */
	fb.fail_first = -1;
	fb.calls = 0;
	assert_int_equal(snt_sync_online(&f->ctx, &o, &r, why, sizeof(why)), SNT_SYNC_ERR_NETWORK);
	assert_int_equal(fb.calls, 1);
	assert_string_equal(why, DEVICE "-1-2-regular.snb not delivered (not retried): SSL certificate "
				 "problem: self-signed certificate");
	/* Plain http to another host: refused before anything is sent. */
	o.url = "http://bureau.example";
	fb.calls = 0;
	assert_int_equal(snt_sync_online(&f->ctx, &o, &r, why, sizeof(why)), SNT_SYNC_ERR_CONFIG);
	assert_int_equal(fb.calls, 0);
}

static void test_backoff_and_urls(void **state)
{
	(void)state;
	assert_int_equal(snt_sync_backoff_ms(1, 1000, 60000, 0), 0);
	assert_int_equal(snt_sync_backoff_ms(1, 1000, 60000, 1000), 1000);
	assert_int_equal(snt_sync_backoff_ms(1, 1000, 60000, 1001), 0);
	assert_int_equal(snt_sync_backoff_ms(3, 1000, 60000, 4000), 4000);
	assert_int_equal(snt_sync_backoff_ms(30, 1000, 60000, 60000), 60000);
	assert_int_equal(snt_sync_backoff_ms(30, 1000, 60000, 60001), 0);
	assert_int_equal(snt_sync_backoff_ms(0, 1000, 60000, 5), 0);
	assert_true(snt_sync_url_allowed("https://bureau.example"));
	assert_true(snt_sync_url_allowed("http://127.0.0.1:8080"));
	assert_true(snt_sync_url_allowed("http://localhost:1/"));
	assert_false(snt_sync_url_allowed("http://127.0.0.1.evil.example/"));
	assert_false(snt_sync_url_allowed("http://bureau.example"));
	assert_false(snt_sync_url_allowed("ftp://x"));
	assert_false(snt_sync_url_allowed("https://"));
	assert_false(snt_sync_url_allowed(NULL));
	/* Parsed with libcurl's URL API: user info, query and fragment refused; the password never printed. */
	{
		static const struct {
			const char *url, *why;
		} cases[] = {
			{ "http://localhost:@203.0.113.5", "bureau_url: a user name or password in the URL not allowed" },
			{ "http://127.0.0.1:x@127.0.0.2:18999", "bureau_url: a user name or password in the URL not allowed" },
			{ "https://:s3cret@bureau.example", "bureau_url: a user name or password in the URL not allowed" },
			{ "https://bureau.example/?k=v", "bureau_url: a query (?...) in the URL not allowed" },
			{ "https://bureau.example/#top", "bureau_url: a fragment (#...) in the URL not allowed" },
			{ "http://127.0.0.2:18999", "bureau_url: plain http to 127.0.0.2 not allowed "
						    "(https:// only; plain http only to 127.0.0.1, ::1 or localhost)" },
			{ "http://127.0.0.1.evil.example/", "bureau_url: plain http to 127.0.0.1.evil.example not "
				"allowed (https:// only; plain http only to 127.0.0.1, ::1 or localhost)" },
			{ "ftp://bureau.example", "bureau_url: scheme ftp not allowed "
						  "(https:// only; plain http only to 127.0.0.1, ::1 or localhost)" },
			{ "https://", "bureau_url: no host name (https://HOST[:PORT][/PATH])" },
			{ "bureau.example gate", "bureau_url: not a URL (https://HOST[:PORT][/PATH])" },
			{ "", "bureau_url: empty: not allowed" },
		};
		char why[256];

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			assert_int_equal(snt_sync_url_check(cases[i].url, why, sizeof(why)), -1);
			assert_string_equal(why, cases[i].why);
		}
		assert_int_equal(snt_sync_url_check("http://[::1]:8080/", why, sizeof(why)), 0);
		assert_int_equal(snt_sync_url_check("http://LOCALHOST:1", why, sizeof(why)), 0);
		assert_int_equal(snt_sync_url_check("https://bureau.example:8443/gate", why, sizeof(why)), 0);
		assert_string_equal(why, "");
	}
	assert_string_equal(snt_sync_strerror(SNT_SYNC_ERR_HEAD),
			    "acknowledged head differs from the log's hash");
	for (int e = SNT_SYNC_OK; e <= SNT_SYNC_ERR_CONFIG; e++)
		assert_string_not_equal(snt_sync_strerror((enum snt_sync_err)e), "unknown error");
	for (int e = SNT_USB_OK; e <= SNT_USB_ERR_NOMEM; e++)
		assert_string_not_equal(snt_usb_strerror((enum snt_usb_err)e), "unknown error");
}

/* ---- USB stick: a fake mount ---- */

struct stick {
	char root[64];		/* temporary directory */
	char mnt[128];		/* the "stick" */
	char sys[128];		/* fake sysfs root */
	char info[128];		/* fake mountinfo */
	unsigned maj, min;
};

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* @removable: the disk's attribute; @listed: whether mountinfo lists the mount. */
static void stick_make(struct stick *s, const char *removable, int listed, int right_dev)
{
	char p[512], t[512];
	struct stat st;

	snprintf(s->root, sizeof(s->root), "/tmp/test-usb-XXXXXX");
	assert_non_null(mkdtemp(s->root));
	snprintf(s->mnt, sizeof(s->mnt), "%s/stick", s->root);
	snprintf(s->sys, sizeof(s->sys), "%s/sys", s->root);
	snprintf(s->info, sizeof(s->info), "%s/mountinfo", s->root);
	assert_int_equal(mkdir(s->mnt, 0755), 0);
	assert_int_equal(stat(s->mnt, &st), 0);
	s->maj = major(st.st_dev);
	s->min = minor(st.st_dev);
	snprintf(p, sizeof(p), "mkdir -p %s/devices/usb1/block/sdz/sdz1 %s/dev/block", s->sys, s->sys);
	assert_int_equal(system(p), 0);
	if (removable) {
		snprintf(p, sizeof(p), "%s/devices/usb1/block/sdz/removable", s->sys);
		write_file(p, removable);
	}
	snprintf(p, sizeof(p), "%s/dev/block/%u:%u", s->sys, s->maj, s->min);
	assert_int_equal(symlink("../../devices/usb1/block/sdz/sdz1", p), 0);
	snprintf(t, sizeof(t), "1 0 0:1 / / rw - ext4 /dev/root rw\n%s", "");
	if (listed)
		snprintf(t + strlen(t), sizeof(t) - strlen(t),
			 "99 1 %u:%u / %s rw,nosuid - vfat /dev/sdz1 rw\n", s->maj,
			 right_dev ? s->min : s->min + 1, s->mnt);
	write_file(s->info, t);
}

static void stick_rm(struct stick *s)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->root);
	assert_int_equal(system(cmd), 0);
}

static enum snt_usb_err stick_open(struct stick *s, struct snt_usb_stick **out, char *why, size_t n)
{
	struct snt_usb_opts o = { s->sys, s->info };

	return snt_usb_open(s->mnt, DEVICE, &o, out, why, n);
}

static void test_usb_mount_proof(void **state)
{
	struct snt_usb_stick *u = NULL;
	struct stick s;
	char why[SNT_USB_WHY_LEN], want[SNT_USB_WHY_LEN], p[256];

	(void)state;
	stick_make(&s, "1\n", 1, 1);
	assert_int_equal(stick_open(&s, &u, why, sizeof(why)), SNT_USB_OK);
	snt_usb_close(u);
	/* Not removable. */
	snprintf(p, sizeof(p), "%s/devices/usb1/block/sdz/removable", s.sys);
	write_file(p, "0\n");
	assert_int_equal(stick_open(&s, &u, why, sizeof(why)), SNT_USB_ERR_NOT_REMOVABLE);
	snprintf(want, sizeof(want), "%s: block device %u:%u is not removable (%s reads 0)", s.mnt, s.maj,
		 s.min, p);
	assert_string_equal(why, want);
	/* No block device behind the mount (tmpfs, NFS, or unplugged before we looked). */
	write_file(p, "1\n");
	snprintf(p, sizeof(p), "%s/dev/block/%u:%u", s.sys, s.maj, s.min);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(stick_open(&s, &u, why, sizeof(why)), SNT_USB_ERR_NOT_REMOVABLE);
	snprintf(want, sizeof(want), "%s: device %u:%u is not a block device (no %s)", s.mnt, s.maj,
		 s.min, p);
	assert_string_equal(why, want);
	stick_rm(&s);
	/* Not in mountinfo: a plain directory. */
	stick_make(&s, "1\n", 0, 1);
	assert_int_equal(stick_open(&s, &u, why, sizeof(why)), SNT_USB_ERR_NOT_MOUNT);
	snprintf(want, sizeof(want), "%s: not a mount point (not in %s)", s.mnt, s.info);
	assert_string_equal(why, want);
	stick_rm(&s);
	/* Listed, but the directory is on another device: stale. */
	stick_make(&s, "1\n", 1, 0);
	assert_int_equal(stick_open(&s, &u, why, sizeof(why)), SNT_USB_ERR_STALE);
	assert_non_null(strstr(why, "a stale directory (the stick is not there)"));
	stick_rm(&s);
	/* No removable attribute anywhere. */
	stick_make(&s, NULL, 1, 1);
	assert_int_equal(stick_open(&s, &u, why, sizeof(why)), SNT_USB_ERR_NOT_REMOVABLE);
	stick_rm(&s);
}

static void test_usb_write_read(void **state)
{
	struct snt_usb_stick *u = NULL;
	struct stick s;
	char why[SNT_USB_WHY_LEN], p[512], q[512];
	char **names = NULL;
	uint8_t *data = NULL;
	size_t n = 0, len = 0;
	struct stat st;

	(void)state;
	stick_make(&s, "1\n", 1, 1);
	/* A leftover temporary from an interrupted run is cleaned at open. */
	snprintf(p, sizeof(p), "mkdir -p %s/sentinel/%s/out && echo x > %s/sentinel/%s/out/.tmp-a.snb",
		 s.mnt, DEVICE, s.mnt, DEVICE);
	assert_int_equal(system(p), 0);
	assert_int_equal(stick_open(&s, &u, why, sizeof(why)), SNT_USB_OK);
	snprintf(p, sizeof(p), "%s/sentinel/%s/out/.tmp-a.snb", s.mnt, DEVICE);
	assert_int_equal(stat(p, &st), -1);
	assert_int_equal(snt_usb_write_out(u, "b-1-2-regular.snb", (const uint8_t *)"hello", 5, why,
					   sizeof(why)),
			 SNT_USB_OK);
	snprintf(p, sizeof(p), "%s/sentinel/%s/out/b-1-2-regular.snb", s.mnt, DEVICE);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 5);
	assert_int_equal(snt_usb_write_out(u, "../evil", (const uint8_t *)"x", 1, why, sizeof(why)),
			 SNT_USB_ERR_INVAL);
	assert_int_equal(snt_usb_write_out(u, ".hidden", (const uint8_t *)"x", 1, why, sizeof(why)),
			 SNT_USB_ERR_INVAL);
	assert_int_equal(snt_usb_list(u, SNT_USB_OUT, &names, &n, why, sizeof(why)), SNT_USB_OK);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "b-1-2-regular.snb");
	snt_usb_names_free(names, n);
	/* in/: a symlink, a FIFO, a file over the limit, a good file. */
	snprintf(p, sizeof(p), "%s/sentinel/%s/in/ack-x-1.cose", s.mnt, DEVICE);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	snprintf(p, sizeof(p), "%s/sentinel/%s/in/fifo", s.mnt, DEVICE);
	assert_int_equal(mkfifo(p, 0644), 0);
	snprintf(p, sizeof(p), "%s/sentinel/%s/in/big", s.mnt, DEVICE);
	write_file(p, "0123456789");
	snprintf(p, sizeof(p), "%s/sentinel/%s/in/good", s.mnt, DEVICE);
	write_file(p, "abc");
	assert_int_equal(snt_usb_read_in(u, "ack-x-1.cose", 100, &data, &len, why, sizeof(why)),
			 SNT_USB_ERR_UNSAFE);
	assert_non_null(strstr(why, "/in/ack-x-1.cose: a symlink: refused"));
	assert_int_equal(snt_usb_read_in(u, "fifo", 100, &data, &len, why, sizeof(why)),
			 SNT_USB_ERR_UNSAFE);
	assert_non_null(strstr(why, "/in/fifo: not a regular file: refused"));
	assert_int_equal(snt_usb_read_in(u, "big", 9, &data, &len, why, sizeof(why)), SNT_USB_ERR_TOO_BIG);
	assert_non_null(strstr(why, "/in/big: 10 bytes, over the limit of 9: refused"));
	assert_int_equal(snt_usb_read_in(u, "../../x", 9, &data, &len, why, sizeof(why)),
			 SNT_USB_ERR_INVAL);
	assert_int_equal(snt_usb_read_in(u, "good", 9, &data, &len, why, sizeof(why)), SNT_USB_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(data, "abc", 3);
	free(data);
	assert_int_equal(snt_usb_list(u, SNT_USB_IN, &names, &n, why, sizeof(why)), SNT_USB_OK);
	assert_int_equal(n, 4);
	assert_string_equal(names[0], "ack-x-1.cose");
	snt_usb_names_free(names, n);
	assert_int_equal(snt_usb_remove_out(u, "b-1-2-regular.snb", why, sizeof(why)), SNT_USB_OK);
	/* The station directory removed under us (stick pulled, dir deleted): gone, nothing written. */
	snprintf(p, sizeof(p), "rm -rf %s/sentinel", s.mnt);
	assert_int_equal(system(p), 0);
	assert_int_equal(snt_usb_write_out(u, "c-1-1-regular.snb", (const uint8_t *)"x", 1, why,
					   sizeof(why)),
			 SNT_USB_ERR_GONE);
	assert_non_null(strstr(why, "the station directory was removed"));
	snt_usb_close(u);
	/* The block device unplugged after open: gone. */
	assert_int_equal(stick_open(&s, &u, why, sizeof(why)), SNT_USB_OK);
	snprintf(p, sizeof(p), "%s/dev/block/%u:%u", s.sys, s.maj, s.min);
	snprintf(q, sizeof(q), "%s/unplugged", s.root);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(snt_usb_write_out(u, "c-1-1-regular.snb", (const uint8_t *)"x", 1, why,
					   sizeof(why)),
			 SNT_USB_ERR_GONE);
	assert_non_null(strstr(why, "is gone (No such file or directory): the stick was removed"));
	assert_int_equal(rename(q, p), 0);
	snt_usb_close(u);
	/* Unmounted after open: gone. */
	assert_int_equal(stick_open(&s, &u, why, sizeof(why)), SNT_USB_OK);
	write_file(s.info, "1 0 0:1 / / rw - ext4 /dev/root rw\n");
	assert_int_equal(snt_usb_write_out(u, "c-1-1-regular.snb", (const uint8_t *)"x", 1, why,
					   sizeof(why)),
			 SNT_USB_ERR_GONE);
	snt_usb_close(u);
	stick_rm(&s);
}

static void test_usb_symlinked_dirs(void **state)
{
	struct snt_usb_stick *u = NULL;
	struct stick s;
	char why[SNT_USB_WHY_LEN], p[512], want[600];

	(void)state;
	stick_make(&s, "1\n", 1, 1);
	snprintf(p, sizeof(p), "%s/sentinel", s.mnt);
	assert_int_equal(symlink("/tmp", p), 0);
	assert_int_equal(stick_open(&s, &u, why, sizeof(why)), SNT_USB_ERR_UNSAFE);
	snprintf(want, sizeof(want), "%s/sentinel: a symlink, not a directory: refused", s.mnt);
	assert_string_equal(why, want);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/sentinel/%s", s.mnt, DEVICE);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/sentinel/%s/out", s.mnt, DEVICE);
	assert_int_equal(symlink("../../..", p), 0);
	assert_int_equal(stick_open(&s, &u, why, sizeof(why)), SNT_USB_ERR_UNSAFE);
	assert_non_null(strstr(why, "/out: a symlink, not a directory: refused"));
	stick_rm(&s);
}

/* A test with a fresh fixture: setup() before it, teardown() after. */
#define WITH_FIXTURE(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		WITH_FIXTURE(test_export_chunks_and_priority),
		WITH_FIXTURE(test_export_after_ack_and_empty),
		WITH_FIXTURE(test_export_sink_failure_and_inval),
		WITH_FIXTURE(test_ack_moves_cursor_and_stale),
		WITH_FIXTURE(test_ack_refused),
		WITH_FIXTURE(test_ack_verdicts),
		WITH_FIXTURE(test_time_rules),
		WITH_FIXTURE(test_time_corrects_poison),
		WITH_FIXTURE(test_online_retries_then_acks),
		WITH_FIXTURE(test_online_failures),
		cmocka_unit_test(test_backoff_and_urls),
		cmocka_unit_test(test_usb_mount_proof),
		cmocka_unit_test(test_usb_write_read),
		cmocka_unit_test(test_usb_symlinked_dirs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
