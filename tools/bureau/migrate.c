// SPDX-License-Identifier: MIT
/*
 * Copy a bureau database into another and check the copy (migrate.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "sync/bundle.h"
#include "tools/bureau/migrate.h"
#include "common/i18n.h"

/* A run of entries being gathered for one merge; payloads copied out of the iterator's memory. */
struct run {
	struct snt_entry *e;
	uint8_t **payloads;
	size_t n;
	int64_t received;
};

static void run_clear(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->payloads[i]);
	r->n = 0;
}

static enum bureau_err run_add(struct run *r, const struct snt_entry *e, int64_t received)
{
	uint8_t *p = NULL;

	if (e->payload_len > 0) {
		p = malloc(e->payload_len);
		if (!p)
			return BUREAU_ERR_NOMEM;
		memcpy(p, e->payload, e->payload_len);
	}
	r->e[r->n] = *e;
	r->e[r->n].payload = p;
	r->payloads[r->n] = p;
	r->received = received;
	r->n++;
	return BUREAU_OK;
}

static enum bureau_err run_merge(struct bureau_db *to, const char *device, bool priority, struct run *r, char *why,
				 size_t n)
{
	struct bureau_manifest m;
	struct bureau_merge_result res;
	enum bureau_err err;

	if (r->n == 0)
		return BUREAU_OK;
	memset(&m, 0, sizeof(m));
	snt_strlcpy(m.device, device, sizeof(m.device));
	m.priority = priority;
	m.first = r->e[0].seq;
	m.last = r->e[r->n - 1].seq;
	m.count = (int64_t)r->n;
	memcpy(m.prev, r->e[0].prev_hash, SNT_HASH_LEN);
	memcpy(m.head, r->e[r->n - 1].hash, SNT_HASH_LEN);
	m.created_utc_ms = r->received;
	err = bureau_db_merge(to, &m, r->e, r->n, "migrate", r->received, &res, why, n);
	run_clear(r);
	return err;
}

/* The iterator over @device's regular entries (@copies false) or its priority copies in @db. */
static enum bureau_err entries_of(struct bureau_db *db, const char *device, bool copies,
				  struct bureau_entry_iter **it, char *why, size_t n)
{
	return copies ? bureau_db_copies_new(db, device, it, why, n) : bureau_db_entries_new(db, device, it, why, n);
}

/* What copy_entries() and copy_records() visit each entry with. */
struct copy {
	struct bureau_db *from, *to;
	const char *device;
	bool copies;
	struct run *r;		/* copy_entries(): the run being gathered */
	int64_t *records;	/* copy_records(): the count of records held in the copy */
};

/*
 * @fn on each of @device's regular entries (@copies false) or priority
 * copies in @from, in order, with its receipt time; the first error of @fn
 * (other than BUREAU_ERR_NOTFOUND) or of the reading ends it.
 */
static enum bureau_err each_entry(const struct copy *cp,
				  enum bureau_err (*fn)(const struct copy *cp, const struct snt_entry *e, int64_t received,
							char *why, size_t n),
				  char *why, size_t n)
{
	struct bureau_entry_iter *it = NULL;
	struct snt_entry e;
	enum bureau_err err;

	err = entries_of(cp->from, cp->device, cp->copies, &it, why, n);
	if (err)
		return err;
	while ((err = bureau_db_entries_next(it, &e, why, n)) == BUREAU_OK) {
		err = fn(cp, &e, bureau_db_entries_received(it), why, n);
		if (err)
			break;
	}
	bureau_db_entries_free(it);
	return err == BUREAU_ERR_NOTFOUND ? BUREAU_OK : err;
}

/* An entry into the run, merged first when it does not continue it. */
static enum bureau_err copy_entry(const struct copy *cp, const struct snt_entry *e, int64_t received, char *why,
				  size_t n)
{
	struct run *r = cp->r;

	/* A run ends at a gap (regular entries), a different receipt, or a full bundle. */
	if (r->n > 0 && ((!cp->copies && e->seq != r->e[r->n - 1].seq + 1) || received != r->received ||
			 r->n == SNT_BUNDLE_MAX_ENTRIES)) {
		enum bureau_err err = run_merge(cp->to, cp->device, cp->copies, r, why, n);

		if (err)
			return err;
	}
	return run_add(r, e, received);
}

/* Copy the regular entries (@copies false) or the priority copies of @device. */
static enum bureau_err copy_entries(struct bureau_db *from, struct bureau_db *to, const char *device, bool copies,
				    struct run *r, char *why, size_t n)
{
	const struct copy cp = { .from = from, .to = to, .device = device, .copies = copies, .r = r };
	enum bureau_err err = each_entry(&cp, copy_entry, why, n);

	if (err) {
		run_clear(r);
		return err;
	}
	return run_merge(to, device, copies, r, why, n);
}

/* Both iterators in step: every entry equal, its hash recomputed and linked to the one before. */
static enum bureau_err check_entries(struct bureau_db *from, struct bureau_db *to, const char *device, bool copies,
				     int64_t *hashes, char *why, size_t n)
{
	struct bureau_entry_iter *a = NULL, *b = NULL;
	struct snt_entry ea, eb;
	uint8_t h[SNT_HASH_LEN], last[SNT_HASH_LEN];
	int64_t last_seq = 0;
	enum bureau_err err, ra, rb;
	const char *what = copies ? "priority copy" : "entry";
	struct bureau_device_info info;

	/* The chain starts at retention's cut, linked to its hash (seq 1: to zeros, not checked here). */
	err = bureau_db_device_info(to, device, &info, why, n);
	if (err)
		return err;
	if (info.cut_seq > 1) {
		last_seq = info.cut_seq - 1;
		memcpy(last, info.cut_hash, SNT_HASH_LEN);
	}
	err = entries_of(from, device, copies, &a, why, n);
	if (!err)
		err = entries_of(to, device, copies, &b, why, n);
	if (err)
		goto out;
	for (;;) {
		ra = bureau_db_entries_next(a, &ea, why, n);
		if (ra != BUREAU_OK && ra != BUREAU_ERR_NOTFOUND) {
			err = ra;
			break;
		}
		rb = bureau_db_entries_next(b, &eb, why, n);
		if (rb != BUREAU_OK && rb != BUREAU_ERR_NOTFOUND) {
			err = rb;
			break;
		}
		if (ra == BUREAU_ERR_NOTFOUND && rb == BUREAU_ERR_NOTFOUND)
			break;
		if (ra != rb || ea.seq != eb.seq) {
			snprintf(why, n, _("device %s: %s seq %" PRId64 " held in %s only"), device, what,
				 ra == BUREAU_OK && (rb != BUREAU_OK || ea.seq < eb.seq) ? ea.seq : eb.seq,
				 ra == BUREAU_OK && (rb != BUREAU_OK || ea.seq < eb.seq) ? _("the source") : _("the copy"));
			err = BUREAU_ERR_REJECT;
			break;
		}
		if (!snt_entry_equal(&ea, &eb)) {
			snprintf(why, n, _("device %s: %s seq %" PRId64 ": the copy differs"), device, what, ea.seq);
			err = BUREAU_ERR_REJECT;
			break;
		}
		if (snt_store_entry_hash(&eb, h) != SNT_STORE_OK || memcmp(h, eb.hash, SNT_HASH_LEN) != 0 ||
		    (!copies && last_seq > 0 && eb.seq == last_seq + 1 && memcmp(eb.prev_hash, last, SNT_HASH_LEN) != 0)) {
			snprintf(why, n, _("device %s: %s seq %" PRId64 ": chain hash does not verify"), device, what, eb.seq);
			err = BUREAU_ERR_REJECT;
			break;
		}
		memcpy(last, eb.hash, SNT_HASH_LEN);
		last_seq = eb.seq;
		(*hashes)++;
	}
out:
	bureau_db_entries_free(a);
	bureau_db_entries_free(b);
	return err;
}

static enum bureau_err check_device(struct bureau_db *from, struct bureau_db *to, const char *device,
				    struct bureau_migrate_device *d, char *why, size_t n)
{
	struct bureau_device_info ia, ib;
	struct bureau_verdict *va = NULL, *vb = NULL;
	int64_t *ga = NULL, *gb = NULL;
	size_t nva = 0, nvb = 0, nga = 0, ngb = 0;
	enum bureau_err err;

	err = bureau_db_device_info(from, device, &ia, why, n);
	if (!err)
		err = bureau_db_device_info(to, device, &ib, why, n);
	if (!err)
		err = bureau_db_gaps(from, device, &ga, &nga, why, n);
	if (!err)
		err = bureau_db_gaps(to, device, &gb, &ngb, why, n);
	if (!err)
		err = bureau_db_verdicts_all(from, device, &va, &nva, why, n);
	if (!err)
		err = bureau_db_verdicts_all(to, device, &vb, &nvb, why, n);
	if (err)
		goto out;
	err = BUREAU_ERR_REJECT;
	if (ia.entries != ib.entries || ia.priority != ib.priority || ia.max_seq != ib.max_seq) {
		snprintf(why, n, _("device %s: counts differ (entries %" PRId64 "/%" PRId64 ", copies %" PRId64 "/%" PRId64
			 ", highest seq %" PRId64 "/%" PRId64 ")"), device, ia.entries, ib.entries, ia.priority,
			 ib.priority, ia.max_seq, ib.max_seq);
		goto out;
	}
	if (ia.ack_seq != ib.ack_seq || memcmp(ia.ack_hash, ib.ack_hash, SNT_HASH_LEN) != 0 ||
	    memcmp(ia.kid, ib.kid, sizeof(ia.kid)) != 0) {
		snprintf(why, n, _("device %s: acknowledgement (seq %" PRId64 "/%" PRId64 ") or kid differs"), device,
			 ia.ack_seq, ib.ack_seq);
		goto out;
	}
	if (strcmp(ia.home, ib.home) || ia.revoked_utc_ms != ib.revoked_utc_ms ||
	    strcmp(ia.revoked_reason, ib.revoked_reason)) {
		snprintf(why, n, _("device %s: home or revocation differs"), device);
		goto out;
	}
	if (ia.cut_seq != ib.cut_seq || memcmp(ia.cut_hash, ib.cut_hash, SNT_HASH_LEN) != 0 ||
	    ia.cut_time_utc_ms != ib.cut_time_utc_ms) {
		snprintf(why, n, _("device %s: retention's cut differs (first kept seq %" PRId64 "/%" PRId64 ")"), device,
			 ia.cut_seq, ib.cut_seq);
		goto out;
	}
	if (nga != ngb || (nga && memcmp(ga, gb, 2 * nga * sizeof(*ga)) != 0)) {
		snprintf(why, n, _("device %s: gaps differ"), device);
		goto out;
	}
	if (nva != nvb) {
		snprintf(why, n, _("device %s: verdicts differ (%zu/%zu)"), device, nva, nvb);
		goto out;
	}
	for (size_t i = 0; i < nva; i++) {
		if (va[i].seq != vb[i].seq || va[i].colour != vb[i].colour || strcmp(va[i].platform, vb[i].platform) ||
		    va[i].received_utc_ms != vb[i].received_utc_ms) {
			snprintf(why, n, _("device %s: verdict seq %" PRId64 " differs"), device, va[i].seq);
			goto out;
		}
	}
	d->entries = ib.entries;
	d->copies = ib.priority;
	d->verdicts = (int64_t)nvb;
	err = check_entries(from, to, device, false, &d->hashes, why, n);
	if (!err)
		err = check_entries(from, to, device, true, &d->hashes, why, n);
out:
	free(va);
	free(vb);
	free(ga);
	free(gb);
	return err;
}

/* The device's key handovers, each once. */
static enum bureau_err copy_handovers(struct bureau_db *from, struct bureau_db *to, const char *device, char *why,
				      size_t n)
{
	struct bureau_handover *h = NULL;
	size_t count = 0;
	enum bureau_err err;

	err = bureau_db_handovers(from, device, &h, &count, why, n);
	for (size_t i = 0; !err && i < count; i++)
		err = bureau_db_handover_copy(to, device, &h[i], why, n);
	free(h);
	return err;
}

/* An entry's sealed personal record, when it has one held, into the copy and read back equal. */
static enum bureau_err copy_record(const struct copy *cp, const struct snt_entry *e, int64_t received, char *why,
				   size_t n)
{
	struct bureau_record rec = { .seq = e->seq, .time_utc_ms = e->time_utc_ms };
	uint8_t *a = NULL, *b = NULL;
	char *da = NULL, *db = NULL;
	size_t la = 0, lb = 0;
	int64_t stored = 0;
	enum bureau_err err;

	if (!strstr(e->detail, "\"sealed\""))
		return BUREAU_OK;
	err = bureau_db_record_get(cp->from, cp->device, e->seq, &a, &la, &da, why, n);
	if (err == BUREAU_ERR_NOTFOUND)
		return BUREAU_OK;	/* none held (never received, or purged) */
	rec.sealed = a;
	rec.len = la;
	if (!err)
		err = bureau_db_records_put(cp->to, cp->device, &rec, 1, received, &stored, why, n);
	if (!err)
		err = bureau_db_record_get(cp->to, cp->device, e->seq, &b, &lb, &db, why, n);
	if (!err && (la != lb || memcmp(a, b, la))) {
		snprintf(why, n, _("device %s: personal record seq %" PRId64 ": the copy differs"), cp->device, e->seq);
		err = BUREAU_ERR_REJECT;
	}
	free(a);
	free(b);
	free(da);
	free(db);
	if (!err && (!cp->copies || stored))
		(*cp->records)++;
	return err;
}

/*
 * The sealed personal records of @device's entries (@copies: of its priority
 * copies) held in @from, into @to, each read back equal; *@records counts
 * those held in the copy afterwards.
 */
static enum bureau_err copy_records(struct bureau_db *from, struct bureau_db *to, const char *device, bool copies,
				    int64_t *records, char *why, size_t n)
{
	const struct copy cp = { .from = from, .to = to, .device = device, .copies = copies, .records = records };

	return each_entry(&cp, copy_record, why, n);
}

/*
 * The audit of personal records: the rows @to lacks (it holds a prefix of
 * @from's after an interrupted run) appended in order, then every row
 * compared; *@rows: how many.
 */
static enum bureau_err copy_audit(struct bureau_db *from, struct bureau_db *to, int64_t *rows, char *why, size_t n)
{
	struct bureau_audit *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	enum bureau_err err;

	err = bureau_db_audit(from, &a, &na, why, n);
	if (!err)
		err = bureau_db_audit(to, &b, &nb, why, n);
	for (size_t i = nb; !err && i < na; i++)
		err = bureau_db_audit_add(to, &a[i], why, n);
	free(b);
	b = NULL;
	if (!err)
		err = bureau_db_audit(to, &b, &nb, why, n);
	if (!err && nb != na) {
		snprintf(why, n, P_("the audit of personal records differs (%zu row in the source, %zu in the copy)",
				    "the audit of personal records differs (%zu rows in the source, %zu in the copy)", na),
			 na, nb);
		err = BUREAU_ERR_REJECT;
	}
	for (size_t i = 0; !err && i < na; i++) {
		if (a[i].time_utc_ms != b[i].time_utc_ms || a[i].purge != b[i].purge || strcmp(a[i].device, b[i].device) ||
		    a[i].seq != b[i].seq || strcmp(a[i].staff, b[i].staff) || strcmp(a[i].reason, b[i].reason) ||
		    strcmp(a[i].outcome, b[i].outcome) || a[i].cutoff_utc_ms != b[i].cutoff_utc_ms ||
		    a[i].count != b[i].count) {
			snprintf(why, n, _("the audit of personal records: row %zu differs in the copy"), i + 1);
			err = BUREAU_ERR_REJECT;
		}
	}
	if (!err)
		*rows = (int64_t)na;
	free(a);
	free(b);
	return err;
}

static enum bureau_err copy_device(struct bureau_db *from, struct bureau_db *to, const char *device, struct run *r,
				   int64_t *records, char *why, size_t n)
{
	struct bureau_device_info info;
	struct bureau_verdict *v = NULL;
	char seal[1024];
	uint8_t kid[8];
	int64_t registered;
	size_t nv = 0;
	char *pem = NULL;
	bool changed;
	enum bureau_err err;

	err = bureau_db_device_row(from, device, &pem, kid, &registered, why, n);
	if (err)
		return err;
	err = bureau_db_register(to, device, pem, kid, false, registered, &changed, why, n);
	free(pem);
	/*
	 * A device revoked in the copy was copied whole before (the revocation
	 * is copied last, and refuses merges): nothing more to copy.
	 */
	if (!err)
		err = bureau_db_device_info(to, device, &info, why, n);
	if (!err && info.revoked_utc_ms)
		return BUREAU_OK;
	if (!err)
		err = copy_handovers(from, to, device, why, n);
	/* Retention's cut before the entries: the first of them links to it. */
	if (!err)
		err = bureau_db_device_info(from, device, &info, why, n);
	if (!err && info.cut_seq > 1)
		err = bureau_db_cut_copy(to, device, info.cut_seq, info.cut_hash, info.cut_time_utc_ms, why, n);
	if (!err)
		err = copy_entries(from, to, device, false, r, why, n);
	if (!err)
		err = copy_entries(from, to, device, true, r, why, n);
	if (!err)
		err = bureau_db_verdicts_all(from, device, &v, &nv, why, n);
	for (size_t i = 0; !err && i < nv; i++) {
		bool contradiction;

		err = bureau_db_verdict_add(to, device, &v[i], v[i].received_utc_ms, &contradiction, why, n);
	}
	free(v);
	if (!err)
		err = copy_records(from, to, device, false, records, why, n);
	if (!err)
		err = copy_records(from, to, device, true, records, why, n);
	if (!err)
		err = bureau_db_seal_key(from, device, seal, sizeof(seal), why, n);
	if (!err && seal[0])
		err = bureau_db_set_seal_key(to, device, seal, false, &changed, why, n);
	/* Home and revocation last: a revoked device's entries are merged first. */
	if (!err)
		err = bureau_db_device_info(from, device, &info, why, n);
	if (!err && info.home[0])
		err = bureau_db_set_home(to, device, info.home, why, n);
	if (!err && info.revoked_utc_ms)
		err = bureau_db_revoke(to, device, info.revoked_reason, info.revoked_utc_ms, &changed, why, n);
	return err;
}

enum bureau_err bureau_migrate(struct bureau_db *from, struct bureau_db *to, bureau_migrate_cb cb, void *arg,
			       struct bureau_migrate_report *rep, char *why, size_t n)
{
	char (*ids)[BUREAU_DEVICE_LEN] = NULL;
	struct bureau_alert *aa = NULL, *ab = NULL;
	size_t count = 0, na = 0, nb = 0;
	struct run r = { 0 };
	enum bureau_err err;

	memset(rep, 0, sizeof(*rep));
	r.e = calloc(SNT_BUNDLE_MAX_ENTRIES, sizeof(*r.e));
	r.payloads = calloc(SNT_BUNDLE_MAX_ENTRIES, sizeof(*r.payloads));
	if (!r.e || !r.payloads) {
		err = BUREAU_ERR_NOMEM;
		goto out;
	}
	err = bureau_db_devices(from, &ids, &count, why, n);
	for (size_t i = 0; !err && i < count; i++) {
		struct bureau_migrate_device d = { .device = ids[i] };

		err = copy_device(from, to, ids[i], &r, &d.records, why, n);
		if (!err)
			err = check_device(from, to, ids[i], &d, why, n);
		if (err)
			break;
		rep->devices++;
		rep->entries += d.entries;
		rep->copies += d.copies;
		rep->verdicts += d.verdicts;
		rep->hashes += d.hashes;
		rep->records += d.records;
		if (cb)
			cb(arg, &d);
	}
	if (!err)
		err = bureau_db_alerts(from, &aa, &na, why, n);
	if (!err)
		err = bureau_db_alerts(to, &ab, &nb, why, n);
	if (!err && na != nb) {
		snprintf(why, n, _("alerts differ (%zu in the source, %zu in the copy)"), na, nb);
		err = BUREAU_ERR_REJECT;
	}
	rep->alerts = (int64_t)nb;
	if (!err)
		err = copy_audit(from, to, &rep->audit, why, n);
out:
	free(aa);
	free(ab);
	free(ids);
	free(r.e);
	free(r.payloads);
	return err;
}
