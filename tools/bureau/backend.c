// SPDX-License-Identifier: MIT
/*
 * The bureau database's functions (bureau.h), dispatched to the backend
 * that opened the handle (backend.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/bureau/backend.h"
#include "tools/bureau/bureau.h"
#include "common/i18n.h"

bool bureau_db_is_url(const char *path)
{
	return path && (!strncmp(path, "postgresql://", 13) || !strncmp(path, "postgres://", 11));
}

int bureau_state_dir(const char *db, const char *state_dir, const char *what, char *out, size_t size)
{
	int w;

	if (!db || !what || !out)
		return -1;
	if (state_dir && *state_dir)
		w = snprintf(out, size, "%s/%s", state_dir, what);
	else if (bureau_db_is_url(db))
		w = snprintf(out, size, "%s/%s", BUREAU_STATE_DIR_DEFAULT, what);
	else
		w = snprintf(out, size, "%s.%s", db, what);
	return w >= 0 && (size_t)w < size ? 0 : -1;
}

void bureau_db_shown(const char *path, char *out, size_t n)
{
	char *copy;

	if (!out || !n)
		return;
	if (!path || !bureau_db_is_url(path)) {
		bureau_escape(path, out, n);
		return;
	}
	copy = malloc(strlen(path) * 2 + 8);
	if (!copy) {
		bureau_escape("postgresql://***", out, n);
		return;
	}
	{
		const char *auth = strstr(path, "://") + 3;
		const char *end = auth + strcspn(auth, "/?#");
		const char *at = NULL, *colon;
		size_t k = 0;

		/* The last '@' of the authority ends the userinfo (RFC 3986 3.2). */
		for (const char *p = auth; p < end; p++)
			if (*p == '@')
				at = p;
		colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
		memcpy(copy, path, (size_t)(auth - path));
		k = (size_t)(auth - path);
		if (colon) {
			memcpy(copy + k, auth, (size_t)(colon - auth));
			k += (size_t)(colon - auth);
			memcpy(copy + k, ":***", 4);
			k += 4;
			auth = at;
		}
		/* The rest, with the value of a password= parameter hidden. */
		for (const char *p = auth; *p;) {
			if ((p[-1] == '?' || p[-1] == '&') && !strncmp(p, "password=", 9)) {
				memcpy(copy + k, "password=***", 12);
				k += 12;
				p += 9 + strcspn(p + 9, "&#");
				continue;
			}
			copy[k++] = *p++;
		}
		copy[k] = '\0';
	}
	bureau_escape(copy, out, n);
	free(copy);
}

enum bureau_err bureau_db_open_mode(const char *path, bool create, struct bureau_db **out, char *why, size_t n)
{
	if (!path || !*path || !out)
		return BUREAU_ERR_INVAL;
#ifdef SNT_BUREAU_NO_PG
	if (bureau_db_is_url(path)) {
		char shown[256];

		bureau_db_shown(path, shown, sizeof(shown));
		snprintf(why, n, _("cannot open %s: this sentinel-bureau was built without its PostgreSQL backend "
				 "(make BUREAU_PG=no): use an SQLite database file, or a build with PostgreSQL"), shown);
		return BUREAU_ERR_DB;
	}
#else
	if (bureau_db_is_url(path))
		return bureau_backend_pg.open(path, create, out, why, n);
#endif
	return bureau_backend_sqlite.open(path, create, out, why, n);
}

enum bureau_err bureau_db_open(const char *path, struct bureau_db **out, char *why, size_t n)
{
	return bureau_db_open_mode(path, true, out, why, n);
}

void bureau_db_close(struct bureau_db *db)
{
	if (db)
		db->ops->close(db);
}

const char *bureau_db_backend(const struct bureau_db *db)
{
	return db->ops->name;
}

enum bureau_err bureau_db_register(struct bureau_db *db, const char *device, const char *pub_pem,
				   const uint8_t kid[8], bool replace, int64_t now_ms, bool *changed,
				   char *why, size_t n)
{
	return db->ops->reg(db, device, pub_pem, kid, replace, now_ms, changed, why, n);
}

enum bureau_err bureau_db_device_key(struct bureau_db *db, const char *device, EVP_PKEY **key, char *why,
				     size_t n)
{
	return db->ops->device_key(db, device, key, why, n);
}

void *bureau__grow(void *arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return arr;
	while (ncap < need)
		ncap *= 2;
	p = realloc(arr, ncap * size);
	if (p)
		*cap = ncap;
	return p;
}

struct bureau_gate_day *bureau__gate_day_add(struct bureau_gate_day **arr, size_t *cnt, size_t *cap,
					     const char *device, const char *home, int64_t last_contact_utc_ms,
					     int64_t revoked_utc_ms)
{
	struct bureau_gate_day *p = bureau__grow(*arr, cap, *cnt + 1, sizeof(**arr)), *g;

	if (!p)
		return NULL;
	*arr = p;
	g = &p[(*cnt)++];
	memset(g, 0, sizeof(*g));
	snt_strlcpy(g->device, device, sizeof(g->device));
	snt_strlcpy(g->home, home, sizeof(g->home));
	g->last_contact_utc_ms = last_contact_utc_ms;
	g->revoked_utc_ms = revoked_utc_ms;
	return g;
}

void bureau__day_add(struct bureau_day_counts *c, int64_t hour, int64_t k, int64_t deny, int64_t refer,
		     int64_t fever, int64_t staff)
{
	if (hour >= 0 && hour < 24)
		c->hours[hour] += k;
	c->entries += k;
	c->denials += deny;
	c->referrals += refer;
	c->fevers += fever;
	c->staff_overdue += staff;
}

int bureau__push_pair(int64_t **arr, size_t *cnt, size_t *cap, int64_t a, int64_t b)
{
	int64_t *p = bureau__grow(*arr, cap, *cnt + 2, sizeof(**arr));

	if (!p)
		return -1;
	*arr = p;
	p[(*cnt)++] = a;
	p[(*cnt)++] = b;
	return 0;
}

enum bureau_err bureau__payload_copy(const struct snt_entry *e, const char *device, int64_t seq, uint8_t **payload,
				     size_t *len, enum snt_colour *colour, char *why, size_t n)
{
	if (!e || e->payload_len == 0) {
		snprintf(why, n, _("device %s seq %" PRId64 ": no readable payload"), device, seq);
		return BUREAU_ERR_DB;
	}
	*payload = malloc(e->payload_len);
	if (!*payload)
		return BUREAU_ERR_NOMEM;
	memcpy(*payload, e->payload, e->payload_len);
	*len = e->payload_len;
	*colour = e->colour;
	return BUREAU_OK;
}

enum bureau_err bureau__held_other(bool same, const char *device, const char *what, char *why, size_t n)
{
	if (same)
		return BUREAU_OK;
	snprintf(why, n, _("device %s is registered with another %s; use --replace"), device, what);
	return BUREAU_ERR_EXISTS;
}

enum bureau_err bureau__cut_start(const struct bureau_manifest *m, struct bureau_cut *c,
				  struct bureau_manifest *kept, char *why, size_t n)
{
	*kept = *m;
	c->below = 0;
	c->none_kept = false;
	if (c->seq <= 1 || m->priority)
		return BUREAU_OK;
	if (m->first == c->seq && memcmp(m->prev, c->hash, SNT_HASH_LEN) != 0) {
		snprintf(why, n, _("device %s seq %" PRId64 ": does not link to the hash recorded at the retention "
			 "cut (seq %" PRId64 " kept first; fork or forgery)"), m->device, m->first, c->seq);
		return BUREAU_ERR_REJECT;
	}
	if (m->first < c->seq) {
		c->none_kept = m->last < c->seq;
		kept->first = c->seq;	/* its prev is the cut's hash */
		memcpy(kept->prev, c->hash, SNT_HASH_LEN);
	}
	return BUREAU_OK;
}

enum bureau_err bureau__cut_batch(const struct bureau_manifest *m, struct bureau_cut *c, const struct snt_entry **e,
				  size_t *count, const struct bureau_record **r, size_t *nr, char *why, size_t n)
{
	const struct snt_entry *b = *e;
	size_t k = 0, kr = 0;

	if (c->seq <= 1)
		return BUREAU_OK;
	for (size_t i = 0; !m->priority && i < *count; i++) {
		if ((b[i].seq == c->seq && memcmp(b[i].prev_hash, c->hash, SNT_HASH_LEN) != 0) ||
		    (b[i].seq == c->seq - 1 && memcmp(b[i].hash, c->hash, SNT_HASH_LEN) != 0)) {
			snprintf(why, n, _("device %s seq %" PRId64 ": does not link to the hash recorded at the "
				 "retention cut (seq %" PRId64 " kept first; fork or forgery)"), m->device, b[i].seq,
				 c->seq);
			return BUREAU_ERR_REJECT;
		}
	}
	while (k < *count && b[k].seq < c->seq)
		k++;
	while (kr < *nr && (*r)[kr].seq < c->seq)
		kr++;
	c->below += (int64_t)k;
	*e += k;
	*count -= k;
	*r += kr;
	*nr -= kr;
	return BUREAU_OK;
}

enum bureau_err bureau_db_merge_stream(struct bureau_db *db, const struct bureau_manifest *m,
				       const struct bureau_merge_src *src, const char *source, int64_t now_ms,
				       struct bureau_merge_result *res, char *why, size_t n_why)
{
	return db->ops->merge(db, m, src, source, now_ms, res, why, n_why);
}

/* An array of entries as one batch (bureau_db_merge()). */
struct array_src {
	const struct snt_entry *e;
	size_t n;
	bool given;
};

static enum bureau_err array_next(void *ctx, const struct snt_entry **e, size_t *count, const struct bureau_record **r,
				  size_t *nr, char *why, size_t n)
{
	struct array_src *a = ctx;

	(void)why;
	(void)n;
	*e = a->e;
	*count = a->given ? 0 : a->n;
	*r = NULL;
	*nr = 0;
	a->given = true;
	return BUREAU_OK;
}

static void array_times(void *ctx, void (*fn)(void *arg, int64_t time_utc_ms), void *arg)
{
	const struct array_src *a = ctx;

	for (size_t i = 0; i < a->n; i++)
		fn(arg, a->e[i].time_utc_ms);
}

enum bureau_err bureau_db_merge(struct bureau_db *db, const struct bureau_manifest *m, const struct snt_entry *e,
				size_t n, const char *source, int64_t now_ms, struct bureau_merge_result *res,
				char *why, size_t n_why)
{
	struct array_src a = { .e = e, .n = n };
	struct bureau_merge_src src = { .next = array_next, .times = array_times, .ctx = &a };

	return db->ops->merge(db, m, &src, source, now_ms, res, why, n_why);
}

enum bureau_err bureau_db_device_info(struct bureau_db *db, const char *device, struct bureau_device_info *out,
				      char *why, size_t n)
{
	return db->ops->device_info(db, device, out, why, n);
}

enum bureau_err bureau_db_device_state(struct bureau_db *db, const char *device, struct bureau_device_info *out,
				       char *why, size_t n)
{
	return db->ops->device_state(db, device, out, why, n);
}

enum bureau_err bureau_db_devices(struct bureau_db *db, char (**ids)[BUREAU_DEVICE_LEN], size_t *count,
				  char *why, size_t n)
{
	return db->ops->devices(db, ids, count, why, n);
}

enum bureau_err bureau_db_gaps(struct bureau_db *db, const char *device, int64_t **ranges, size_t *count,
			       char *why, size_t n)
{
	return db->ops->gaps(db, device, ranges, count, why, n);
}

enum bureau_err bureau_db_entries_new(struct bureau_db *db, const char *device, struct bureau_entry_iter **out,
				      char *why, size_t n)
{
	return db->ops->entries_new(db, device, false, out, why, n);
}

enum bureau_err bureau_db_copies_new(struct bureau_db *db, const char *device, struct bureau_entry_iter **out,
				     char *why, size_t n)
{
	return db->ops->entries_new(db, device, true, out, why, n);
}

int64_t bureau_db_entries_received(const struct bureau_entry_iter *it)
{
	return it->received_utc_ms;
}

enum bureau_err bureau_db_entries_next(struct bureau_entry_iter *it, struct snt_entry *e, char *why, size_t n)
{
	return it->ops->entries_next(it, e, why, n);
}

void bureau_db_entries_free(struct bureau_entry_iter *it)
{
	if (it)
		it->ops->entries_free(it);
}

enum bureau_err bureau_db_pending_verifications(struct bureau_db *db, const char *device, int64_t from,
						int64_t to, int64_t **seqs, size_t *count, char *why, size_t n)
{
	return db->ops->pending_verifications(db, device, from, to, seqs, count, why, n);
}

enum bureau_err bureau_db_payload(struct bureau_db *db, const char *device, int64_t seq, uint8_t **payload,
				  size_t *len, enum snt_colour *colour, char *why, size_t n)
{
	return db->ops->payload(db, device, seq, payload, len, colour, why, n);
}

enum bureau_err bureau_db_verdict_add(struct bureau_db *db, const char *device, const struct bureau_verdict *v,
				      int64_t now_ms, bool *contradiction, char *why, size_t n)
{
	return db->ops->verdict_add(db, device, v, now_ms, contradiction, why, n);
}

enum bureau_err bureau_db_verdicts(struct bureau_db *db, const char *device, struct bureau_verdict **out,
				   size_t *count, char *why, size_t n)
{
	return db->ops->verdicts(db, device, out, count, why, n);
}

enum bureau_err bureau_db_alerts(struct bureau_db *db, struct bureau_alert **out, size_t *count, char *why,
				 size_t n)
{
	return db->ops->alerts(db, out, count, why, n);
}

enum bureau_err bureau_db_set_seal_key(struct bureau_db *db, const char *device, const char *text, bool replace,
				       bool *changed, char *why, size_t n)
{
	return db->ops->set_seal_key(db, device, text, replace, changed, why, n);
}

enum bureau_err bureau_db_seal_key(struct bureau_db *db, const char *device, char *buf, size_t size, char *why,
				   size_t n)
{
	return db->ops->seal_key(db, device, buf, size, why, n);
}

enum bureau_err bureau_db_verdicts_all(struct bureau_db *db, const char *device, struct bureau_verdict **out,
				       size_t *count, char *why, size_t n)
{
	return db->ops->verdicts_all(db, device, out, count, why, n);
}

enum bureau_err bureau_db_device_row(struct bureau_db *db, const char *device, char **pub_pem, uint8_t kid[8],
				     int64_t *registered_utc_ms, char *why, size_t n)
{
	return db->ops->device_row(db, device, pub_pem, kid, registered_utc_ms, why, n);
}

/* Text for a database: 1 to @size - 1 bytes of valid UTF-8, no control characters. */
static bool text_ok(const char *t, size_t size)
{
	size_t len = t ? strlen(t) : 0;

	if (len == 0 || len >= size || !snt_entry_utf8_valid((const unsigned char *)t, len))
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			return false;
	return true;
}

enum bureau_err bureau_db_revoke(struct bureau_db *db, const char *device, const char *reason, int64_t now_ms,
				 bool *changed, char *why, size_t n)
{
	if (!text_ok(reason, BUREAU_REASON_LEN)) {
		snprintf(why, n, _("reason: 1-%d bytes of printable UTF-8 text"), BUREAU_REASON_LEN - 1);
		return BUREAU_ERR_INVAL;
	}
	return db->ops->revoke(db, device, reason, now_ms, changed, why, n);
}

enum bureau_err bureau_db_set_home(struct bureau_db *db, const char *device, const char *home, char *why,
				   size_t n)
{
	if (!text_ok(home, BUREAU_HOME_LEN)) {
		snprintf(why, n, _("home: 1-%d bytes of printable UTF-8 text"), BUREAU_HOME_LEN - 1);
		return BUREAU_ERR_INVAL;
	}
	return db->ops->set_home(db, device, home, why, n);
}

enum bureau_err bureau_db_city_day(struct bureau_db *db, int64_t from_ms, int64_t to_ms,
				   struct bureau_gate_day **out, size_t *count, char *why, size_t n)
{
	*out = NULL;
	*count = 0;
	return db->ops->city_day(db, from_ms, to_ms, out, count, why, n);
}

enum bureau_err bureau_db_rules_put(struct bureau_db *db, const char *home, uint64_t version, const uint8_t *cose,
				    size_t len, int64_t now_ms, uint64_t *held, char *why, size_t n)
{
	*held = 0;
	if (!db || !home || !*home || !cose || !len || version < 1 || version > INT64_MAX || len > INT32_MAX)
		return BUREAU_ERR_INVAL;
	return db->ops->rules_put(db, home, version, cose, len, now_ms, held, why, n);
}

enum bureau_err bureau_db_rules_for(struct bureau_db *db, const char *device, uint8_t **cose, size_t *len,
				    uint64_t *version, char *why, size_t n)
{
	*cose = NULL;
	*len = 0;
	*version = 0;
	if (!db || !device)
		return BUREAU_ERR_INVAL;
	return db->ops->rules_for(db, device, cose, len, version, why, n);
}

enum bureau_err bureau_db_rules_home(struct bureau_db *db, const char *home, uint8_t **cose, size_t *len,
				     uint64_t *version, char *why, size_t n)
{
	*cose = NULL;
	*len = 0;
	*version = 0;
	if (!db || !home)
		return BUREAU_ERR_INVAL;
	return db->ops->rules_home(db, home, cose, len, version, why, n);
}

enum bureau_err bureau_db_rekey(struct bureau_db *db, const char *device, const char *pub_pem, const uint8_t kid[8],
				const char *by, const char *reason, int64_t now_ms, bool *changed, char *why, size_t n)
{
	*changed = false;
	if (!db || !device || !pub_pem || !kid || strlen(pub_pem) >= BUREAU_PEM_LEN)
		return BUREAU_ERR_INVAL;
	if (!text_ok(by, BUREAU_BY_LEN)) {
		snprintf(why, n, _("by: 1-%d bytes of printable UTF-8 text"), BUREAU_BY_LEN - 1);
		return BUREAU_ERR_INVAL;
	}
	if (!text_ok(reason, BUREAU_REASON_LEN)) {
		snprintf(why, n, _("reason: 1-%d bytes of printable UTF-8 text"), BUREAU_REASON_LEN - 1);
		return BUREAU_ERR_INVAL;
	}
	return db->ops->rekey(db, device, pub_pem, kid, by, reason, now_ms, changed, why, n);
}

enum bureau_err bureau_db_handovers(struct bureau_db *db, const char *device, struct bureau_handover **out,
				    size_t *count, char *why, size_t n)
{
	*out = NULL;
	*count = 0;
	if (!db || !device)
		return BUREAU_ERR_INVAL;
	return db->ops->handovers(db, device, out, count, why, n);
}

enum bureau_err bureau_db_handover_copy(struct bureau_db *db, const char *device, const struct bureau_handover *h,
					char *why, size_t n)
{
	if (!db || !device || !h)
		return BUREAU_ERR_INVAL;
	return db->ops->handover_copy(db, device, h, why, n);
}

enum bureau_err bureau_db_retention(struct bureau_db *db, int64_t before_ms, int64_t now_ms,
				    struct bureau_retention_result *res, char *why, size_t n)
{
	time_t t = (time_t)(before_ms / 1000);
	struct tm tm;

	memset(res, 0, sizeof(*res));
	if (!db || before_ms <= 0 || before_ms % 1000 || !gmtime_r(&t, &tm) || tm.tm_mday != 1 || tm.tm_hour ||
	    tm.tm_min || tm.tm_sec) {
		snprintf(why, n, _("before: not the first millisecond of a month (UTC)"));
		return BUREAU_ERR_INVAL;
	}
	return db->ops->retention(db, before_ms, now_ms, res, why, n);
}

enum bureau_err bureau_db_cut_copy(struct bureau_db *db, const char *device, int64_t seq,
				   const uint8_t hash[SNT_HASH_LEN], int64_t time_ms, char *why, size_t n)
{
	if (!db || !device || !hash || seq < 1)
		return BUREAU_ERR_INVAL;
	if (seq == 1)
		return BUREAU_OK;
	return db->ops->cut_copy(db, device, seq, hash, time_ms, why, n);
}

enum bureau_err bureau_db_records_put(struct bureau_db *db, const char *device, const struct bureau_record *r,
				      size_t count, int64_t now_ms, int64_t *stored, char *why, size_t n)
{
	if (stored)
		*stored = 0;
	if (!db || !device || (!r && count) || !stored)
		return BUREAU_ERR_INVAL;
	for (size_t i = 0; i < count; i++)
		if (!r[i].sealed || r[i].len < SNT_STORE_PERSONAL_MIN || r[i].len > SNT_STORE_PERSONAL_MAX ||
		    r[i].seq < 1)
			return BUREAU_ERR_INVAL;
	if (!count)
		return BUREAU_OK;
	return db->ops->records_put(db, device, r, count, now_ms, stored, why, n);
}

enum bureau_err bureau_db_record_get(struct bureau_db *db, const char *device, int64_t seq, uint8_t **sealed,
				     size_t *len, char **detail, char *why, size_t n)
{
	if (sealed)
		*sealed = NULL;
	if (len)
		*len = 0;
	if (detail)
		*detail = NULL;
	if (!db || !device || !sealed || !len || !detail)
		return BUREAU_ERR_INVAL;
	return db->ops->record_get(db, device, seq, sealed, len, detail, why, n);
}

enum bureau_err bureau_db_records_purge(struct bureau_db *db, int64_t cutoff_ms, int64_t now_ms, int64_t *removed,
					char *why, size_t n)
{
	if (removed)
		*removed = 0;
	if (!db || !removed)
		return BUREAU_ERR_INVAL;
	return db->ops->records_purge(db, cutoff_ms, now_ms, removed, why, n);
}

enum bureau_err bureau_db_audit_add(struct bureau_db *db, const struct bureau_audit *a, char *why, size_t n)
{
	if (!db || !a || !a->outcome[0] ||
	    (a->purge ? a->count < 1 : !a->device[0] || a->seq < 1 || !a->staff[0] || !a->reason[0]))
		return BUREAU_ERR_INVAL;
	return db->ops->audit_add(db, a, why, n);
}

enum bureau_err bureau_db_audit(struct bureau_db *db, struct bureau_audit **out, size_t *count, char *why, size_t n)
{
	if (out)
		*out = NULL;
	if (count)
		*count = 0;
	if (!db || !out || !count)
		return BUREAU_ERR_INVAL;
	return db->ops->audit(db, out, count, why, n);
}
