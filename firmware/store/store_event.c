// SPDX-License-Identifier: MIT
/*
 * store: what is not a check-in: events (exits, fire alarm, device faults),
 * alerts staff must acknowledge, and the platforms' verdicts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_internal.h"

static const char *const event_kind_names[] = {
	[SNT_EVENT_EXIT] = "exit",
	[SNT_EVENT_FIRE_ALARM] = "fire-alarm",
	[SNT_EVENT_FIRE_CLEAR] = "fire-clear",
	[SNT_EVENT_DEVICE_FAULT] = "device-fault",
	[SNT_EVENT_RULES] = "rules",
	[SNT_EVENT_SYNC] = "sync",
};

_Static_assert(SNT_ARRAY_SIZE(event_kind_names) == SNT_EVENT_KIND_COUNT, "event names");

const char *snt_event_kind_name(enum snt_event_kind k)
{
	return (unsigned)k < SNT_EVENT_KIND_COUNT ? event_kind_names[k] : NULL;
}

static const char *const alert_kind_names[] = {
	[SNT_ALERT_FEVER] = "fever",
	[SNT_ALERT_REFERRAL] = "referral",
	[SNT_ALERT_CONTRADICTION] = "contradiction",
	[SNT_ALERT_DEVICE_FAULT] = "device-fault",
};

_Static_assert(SNT_ARRAY_SIZE(alert_kind_names) == SNT_ALERT_KIND_COUNT, "alert names");

const char *snt_alert_kind_name(enum snt_alert_kind k)
{
	return (unsigned)k < SNT_ALERT_KIND_COUNT ? alert_kind_names[k] : NULL;
}

/* Short operator text for events and alerts: "" or 1-255 bytes of UTF-8 without controls. */
static bool short_text_ok(const char *s, size_t size)
{
	if (!store__field_str_ok(s, size) || strlen(s) > 255)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* Run one write statement in its own committed transaction. */
static enum snt_store_err write_one(struct snt_store *st, sqlite3_stmt *s, int64_t *rowid)
{
	enum snt_store_err err;

	err = store__exec_sql(st, "BEGIN IMMEDIATE");
	if (err)
		return err;
	err = store__step_done(st, s);
	if (!err && rowid)
		*rowid = sqlite3_last_insert_rowid(st->db);
	if (!err)
		err = store__exec_sql(st, "COMMIT");
	if (err)
		store__rollback(st);
	return err;
}

enum snt_store_err snt_store_event_add(struct snt_store *st, struct snt_event *ev)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	const char *clock, *kind;
	int rc;

	if (!st || !ev)
		return SNT_STORE_ERR_INVAL;
	clock = snt_clock_state_name(ev->clock);
	kind = snt_event_kind_name(ev->kind);
	if (!clock || !kind || !store__field_str_ok(ev->boot_id, sizeof(ev->boot_id)) ||
	    !short_text_ok(ev->detail, sizeof(ev->detail)))
		return SNT_STORE_ERR_INVAL;
	if (st->readonly)
		return store__fail_msg(st, SNT_STORE_ERR_READONLY, _("store opened read-only"));
	rc = sqlite3_prepare_v2(st->db, "INSERT INTO events (boot_id, mono_ms, time_utc_ms, clock, kind, "
				"detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 1, ev->boot_id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 2, ev->mono_ms);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 3, ev->time_utc_ms);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 4, clock, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 5, kind, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = ev->detail[0] ? sqlite3_bind_text(s, 6, ev->detail, -1, SQLITE_STATIC)
				   : sqlite3_bind_null(s, 6);
	err = rc == SQLITE_OK ? write_one(st, s, &ev->id) : store__fail_sqlite(st, rc);
	sqlite3_finalize(s);
	return err;
}

enum snt_store_err snt_store_events_count(struct snt_store *st, enum snt_event_kind kind,
					  int64_t since_utc_ms, int64_t until_utc_ms, int64_t *n)
{
	struct snt_store_query q = { .since_utc_ms = since_utc_ms, .until_utc_ms = until_utc_ms };
	char sql[256];

	if (!st || !n || !snt_event_kind_name(kind) || since_utc_ms < 0 || until_utc_ms < 0)
		return SNT_STORE_ERR_INVAL;
	/* i18n-exempt: SQL */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM events WHERE kind = '%s'%s%s",
		 snt_event_kind_name(kind), since_utc_ms ? " AND time_utc_ms >= ?1" : "",
		 until_utc_ms ? " AND time_utc_ms < ?2" : "");
	return store__query_count(st, sql, &q, n);
}

/*
 * A listing of events or alerts: its statement, read row by row.  Each
 * listing's iterator starts with one (struct rows r), so that a pointer to
 * the iterator is one to its rows (C11 6.7.2.1).
 */
struct rows {
	struct snt_store *st;
	sqlite3_stmt *stmt;
	bool done;
};

static void rows_free(struct rows *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->stmt);
	free(r);
}

/*
 * A new iterator of @size bytes (zeroed, its rows first) over @sql on @st,
 * its bounds bound from @q when not NULL; NULL with *@err set on failure.
 */
static struct rows *rows_new(struct snt_store *st, const char *sql, const struct snt_store_query *q,
			     size_t size, enum snt_store_err *err)
{
	struct rows *r = calloc(1, size);
	int rc;

	if (!r) {
		*err = store__fail_msg(st, SNT_STORE_ERR_NOMEM, _("out of memory"));
		return NULL;
	}
	r->st = st;
	rc = sqlite3_prepare_v2(st->db, sql, -1, &r->stmt, NULL);
	*err = rc != SQLITE_OK ? store__fail_sqlite(st, rc) : q ? store__query_bind(st, q, r->stmt) : SNT_STORE_OK;
	if (*err) {
		rows_free(r);
		return NULL;
	}
	return r;
}

/*
 * Step @r to its next row and decode it into @out (@size bytes, zeroed
 * first) with @decode, which returns NULL or what does not parse.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_INVAL (@r or @out NULL);
 * store__row_step()'s result; SNT_STORE_ERR_CORRUPT naming what @decode
 * said, after which the listing ends.
 */
static enum snt_store_err rows_next(struct rows *r, void *out, size_t size,
				    const char *(*decode)(sqlite3_stmt *s, void *out))
{
	enum snt_store_err err;
	const char *bad;

	if (!r || !out)
		return SNT_STORE_ERR_INVAL;
	err = store__row_step(r->st, r->stmt, &r->done);
	if (err)
		return err;
	memset(out, 0, size);
	bad = decode(r->stmt, out);
	if (!bad)
		return SNT_STORE_OK;
	r->done = true;
	return store__fail_msg(r->st, SNT_STORE_ERR_CORRUPT, bad);
}

struct snt_store_event_iter {
	struct rows r;
	enum snt_event_kind kind;
};

enum snt_store_err snt_store_events_new(struct snt_store *st, enum snt_event_kind kind,
					int64_t since_utc_ms, int64_t until_utc_ms,
					struct snt_store_event_iter **out)
{
	struct snt_store_query q = { .since_utc_ms = since_utc_ms, .until_utc_ms = until_utc_ms };
	struct snt_store_event_iter *it;
	enum snt_store_err err;
	char sql[256];

	if (!st || !out || !snt_event_kind_name(kind) || since_utc_ms < 0 || until_utc_ms < 0 ||
	    (since_utc_ms && until_utc_ms && since_utc_ms > until_utc_ms))
		return SNT_STORE_ERR_INVAL;
	/* i18n-exempt: SQL */
	snprintf(sql, sizeof(sql), "SELECT id, boot_id, mono_ms, time_utc_ms, clock, detail FROM events "
		 "WHERE kind = '%s'%s%s ORDER BY time_utc_ms, id", snt_event_kind_name(kind),
		 since_utc_ms ? " AND time_utc_ms >= ?1" : "", until_utc_ms ? " AND time_utc_ms < ?2" : "");
	it = (struct snt_store_event_iter *)rows_new(st, sql, &q, sizeof(*it), &err);
	if (!it)
		return err;
	it->kind = kind;
	*out = it;
	return SNT_STORE_OK;
}

/* An events row (id, boot_id, mono_ms, time_utc_ms, clock, detail) into snt_event @out. */
static const char *event_decode(sqlite3_stmt *s, void *out)
{
	struct snt_event *ev = out;
	char clock[NAME_LEN];
	bool present;

	if (!store__col_int(s, 0, false, &present, &ev->id) ||
	    !store__col_text(s, 1, false, ev->boot_id, sizeof(ev->boot_id)) ||
	    !store__col_int(s, 2, false, &present, &ev->mono_ms) ||
	    !store__col_int(s, 3, false, &present, &ev->time_utc_ms) ||
	    !store__col_text(s, 4, false, clock, sizeof(clock)) ||
	    snt_clock_state_from_name(clock, &ev->clock) != 0 ||
	    !store__col_text(s, 5, true, ev->detail, sizeof(ev->detail)))
		return "event row does not parse";
	return NULL;
}

enum snt_store_err snt_store_events_next(struct snt_store_event_iter *it, struct snt_event *ev)
{
	enum snt_store_err err = rows_next((struct rows *)it, ev, sizeof(*ev), event_decode);

	if (!err)
		ev->kind = it->kind;
	return err;
}

void snt_store_events_free(struct snt_store_event_iter *it)
{
	rows_free((struct rows *)it);
}

enum snt_store_err snt_store_event_last(struct snt_store *st, enum snt_event_kind kind, struct snt_event *ev)
{
	struct snt_store_event_iter *it = NULL;
	struct snt_event next;
	enum snt_store_err err;
	bool found = false;

	if (!ev)
		return SNT_STORE_ERR_INVAL;
	err = snt_store_events_new(st, kind, 0, 0, &it);
	while (err == SNT_STORE_OK && (err = snt_store_events_next(it, &next)) == SNT_STORE_OK) {
		*ev = next;
		found = true;
	}
	snt_store_events_free(it);
	return err != SNT_STORE_ERR_DONE ? err : found ? SNT_STORE_OK : SNT_STORE_ERR_DONE;
}

enum snt_store_err snt_store_alert_add(struct snt_store *st, enum snt_alert_kind kind, int64_t seq,
				       const char *detail, int64_t now_utc_ms, int64_t *id)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int rc;

	if (!st || !snt_alert_kind_name(kind) || seq < 0 || !detail ||
	    !short_text_ok(detail, strlen(detail) + 1))
		return SNT_STORE_ERR_INVAL;
	if (st->readonly)
		return store__fail_msg(st, SNT_STORE_ERR_READONLY, _("store opened read-only"));
	rc = sqlite3_prepare_v2(st->db, "INSERT INTO alerts (created_utc_ms, kind, seq, detail) "
				"VALUES (?1, ?2, nullif(?3, 0), nullif(?4, ''))", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, now_utc_ms);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 2, snt_alert_kind_name(kind), -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 3, seq);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 4, detail, -1, SQLITE_STATIC);
	err = rc == SQLITE_OK ? write_one(st, s, id) : store__fail_sqlite(st, rc);
	sqlite3_finalize(s);
	return err;
}

/* A staff reference: 1-32 characters of [A-Za-z0-9-]. */
static bool staff_ref_ok(const char *r)
{
	size_t n = strlen(r);

	if (n < 1 || n >= SNT_STAFF_REF_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= 'A' && r[i] <= 'Z') ||
		      (r[i] >= '0' && r[i] <= '9') || r[i] == '-'))
			return false;
	return true;
}

enum snt_store_err snt_store_alert_ack(struct snt_store *st, int64_t id, const char *staff_ref,
				       int64_t now_utc_ms)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int64_t acked = -1;
	int rc;

	if (!st || !staff_ref || !staff_ref_ok(staff_ref) || id < 1)
		return SNT_STORE_ERR_INVAL;
	err = store__begin(st);
	if (err)
		return err;
	err = store__prepare_bind(st, "SELECT ack_utc_ms IS NOT NULL FROM alerts WHERE id = ?1", &s, 1, &id);
	if (!err) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			acked = sqlite3_column_int64(s, 0);
		else if (rc == SQLITE_DONE)
			err = SNT_STORE_ERR_DONE;
		else
			err = store__fail_sqlite(st, rc);
	}
	sqlite3_finalize(s);
	s = NULL;
	if (!err && acked)
		err = store__fail_msg(st, SNT_STORE_ERR_EXISTS, _("alert already acknowledged"));
	if (!err) {
		rc = sqlite3_prepare_v2(st->db, "UPDATE alerts SET ack_utc_ms = ?1, ack_by = ?2 "
					"WHERE id = ?3", -1, &s, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 1, now_utc_ms);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_text(s, 2, staff_ref, -1, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 3, id);
		err = rc == SQLITE_OK ? store__step_done(st, s) : store__fail_sqlite(st, rc);
		sqlite3_finalize(s);
	}
	if (!err)
		err = store__exec_sql(st, "COMMIT");
	if (err)
		store__rollback(st);
	return err;
}

struct snt_store_alert_iter {
	struct rows r;
};

enum snt_store_err snt_store_alerts_new(struct snt_store *st, bool unacked_only,
					struct snt_store_alert_iter **out)
{
	struct snt_store_alert_iter *it;
	enum snt_store_err err;

	if (!st || !out)
		return SNT_STORE_ERR_INVAL;
	it = (struct snt_store_alert_iter *)rows_new(st, unacked_only ?
			"SELECT id, created_utc_ms, kind, seq, event_id, detail, ack_utc_ms, ack_by "
			"FROM alerts WHERE ack_utc_ms IS NULL ORDER BY id DESC" :
			"SELECT id, created_utc_ms, kind, seq, event_id, detail, ack_utc_ms, ack_by "
			"FROM alerts ORDER BY id DESC", NULL, sizeof(*it), &err);
	if (!it)
		return err;
	*out = it;
	return SNT_STORE_OK;
}

/*
 * An alerts row (id, created_utc_ms, kind, seq, event_id, detail,
 * ack_utc_ms, ack_by) into snt_alert @out.
 */
static const char *alert_decode(sqlite3_stmt *s, void *out)
{
	struct snt_alert *a = out;
	char kind[NAME_LEN];
	bool present;

	if (!store__col_int(s, 0, false, &present, &a->id) ||
	    !store__col_int(s, 1, false, &present, &a->created_utc_ms) ||
	    !store__col_text(s, 2, false, kind, sizeof(kind)) ||
	    !store__col_int(s, 3, true, &present, &a->seq) ||
	    !store__col_int(s, 4, true, &present, &a->event_id) ||
	    !store__col_text(s, 5, true, a->detail, sizeof(a->detail)) ||
	    !store__col_int(s, 6, true, &present, &a->ack_utc_ms) ||
	    !store__col_text(s, 7, true, a->ack_by, sizeof(a->ack_by)))
		return "alert row does not parse";
	for (a->kind = 0; a->kind < SNT_ALERT_KIND_COUNT; a->kind++)
		if (!strcmp(kind, alert_kind_names[a->kind]))
			return NULL;
	return "alert kind unknown";
}

enum snt_store_err snt_store_alerts_next(struct snt_store_alert_iter *it, struct snt_alert *a)
{
	return rows_next((struct rows *)it, a, sizeof(*a), alert_decode);
}

void snt_store_alerts_free(struct snt_store_alert_iter *it)
{
	rows_free((struct rows *)it);
}

enum snt_store_err snt_store_verdict_add(struct snt_store *st, int64_t seq, enum snt_colour colour,
					 const char *platform, int64_t now_utc_ms,
					 bool *contradiction)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	char held[NAME_LEN] = "", held_platform[SNT_REBASE_SOURCE_LEN] = "";
	char entry_colour[NAME_LEN] = "";
	const char *name = snt_colour_name(colour);
	int rc;

	if (!st || !platform || !contradiction || seq < 1 || !store__source_ok(platform, 32) ||
	    (colour != SNT_COLOUR_GREEN && colour != SNT_COLOUR_YELLOW && colour != SNT_COLOUR_RED))
		return SNT_STORE_ERR_INVAL;
	*contradiction = false;
	err = store__begin(st);
	if (err)
		return err;
	err = store__prepare_bind(st, "SELECT colour FROM entries WHERE seq = ?1", &s, 1, &seq);
	if (!err) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			if (!store__col_text(s, 0, false, entry_colour, sizeof(entry_colour)))
				err = store__fail_msg(st, SNT_STORE_ERR_CORRUPT, _("entry colour does not parse"));
		} else {
			err = rc == SQLITE_DONE ? SNT_STORE_ERR_DONE : store__fail_sqlite(st, rc);
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	if (!err)
		err = store__prepare_bind(st, "SELECT colour, platform FROM verdicts WHERE seq = ?1", &s, 1, &seq);
	if (!err) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			if (!store__col_text(s, 0, false, held, sizeof(held)) ||
			    !store__col_text(s, 1, false, held_platform, sizeof(held_platform)))
				err = store__fail_msg(st, SNT_STORE_ERR_CORRUPT, _("verdict row does not parse"));
		} else if (rc != SQLITE_DONE) {
			err = store__fail_sqlite(st, rc);
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	if (!err && held[0]) {
		if (strcmp(held, name) || strcmp(held_platform, platform))
			err = store__fail_msg(st, SNT_STORE_ERR_EXISTS, _("another verdict is recorded for this entry"));
		store__rollback(st);
		return err;
	}
	if (!err) {
		rc = sqlite3_prepare_v2(st->db, "INSERT INTO verdicts (seq, colour, platform, "
					"received_utc_ms) VALUES (?1, ?2, ?3, ?4)", -1, &s, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 1, seq);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_text(s, 3, platform, -1, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 4, now_utc_ms);
		err = rc == SQLITE_OK ? store__step_done(st, s) : store__fail_sqlite(st, rc);
		sqlite3_finalize(s);
		s = NULL;
	}
	if (!err && strcmp(entry_colour, name)) {
		char detail[96];

		/* i18n-exempt: an alert's detail, stored in the log */
		snprintf(detail, sizeof(detail), "read %s, platform %s says %s", entry_colour, platform,
			 name);
		rc = sqlite3_prepare_v2(st->db, "INSERT INTO alerts (created_utc_ms, kind, seq, detail) "
					"VALUES (?1, 'contradiction', ?2, ?3)", -1, &s, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 1, now_utc_ms);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 2, seq);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_text(s, 3, detail, -1, SQLITE_TRANSIENT);
		err = rc == SQLITE_OK ? store__step_done(st, s) : store__fail_sqlite(st, rc);
		sqlite3_finalize(s);
		if (!err)
			*contradiction = true;
	}
	if (!err)
		err = store__exec_sql(st, "COMMIT");
	if (err) {
		store__rollback(st);
		*contradiction = false;
	}
	return err;
}

enum snt_store_err snt_store_verdict_get(struct snt_store *st, int64_t seq, enum snt_colour *colour)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	char name[NAME_LEN];
	int rc;

	if (!st || !colour)
		return SNT_STORE_ERR_INVAL;
	err = store__prepare_bind(st, "SELECT colour FROM verdicts WHERE seq = ?1", &s, 1, &seq);
	if (!err) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			if (!store__col_text(s, 0, false, name, sizeof(name)) ||
			    snt_colour_from_name(name, colour))
				err = store__fail_msg(st, SNT_STORE_ERR_CORRUPT, _("verdict row does not parse"));
		} else {
			err = rc == SQLITE_DONE ? SNT_STORE_ERR_DONE : store__fail_sqlite(st, rc);
		}
	}
	sqlite3_finalize(s);
	return err;
}
