// SPDX-License-Identifier: MIT
/*
 * Log filler for bench-review.sh (a program, not a test).
 *
 *   bench_review_fill DB [N [DAYS]]
 *
 * Creates DB (removed first) with N entries (default 1,000,000) spread
 * evenly over DAYS days (default 100) from 2022-01-01T00:00:00+08:00,
 * through snt_store_append_batch() (the store computes every seq and hash,
 * and its triggers raise the fever and referral alerts), 10,000 entries per
 * commit.  A gate's mix: per 100 entries 85 admitted (green, normal), 5
 * yellow and 3 red denied, 2 fevers, 3 without a code and 2 implausible
 * temperatures referred; one in ten is staff; masked Chinese names.  Everyone
 * admitted leaves 30 minutes later: an exit event, inserted with
 * SQL in the same kind of bulk transactions (the store's
 * snt_store_event_add() commits one at a time, too slow for a filler).
 * Prints "fill entries=N exits=M seconds=S".  Exit 0, or 1 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"
#include "tests/entry_make.h"

#define BATCH 10000
#define PAYLOAD_LEN 118
#define T0 INT64_C(1640966400000)	/* 2022-01-01T00:00:00+08:00 */
#define DAY_MS INT64_C(86400000)
#define EXIT_AFTER_MS INT64_C(1800000)
#define BOOT_ID "0f6c3c5e-3a55-4d3c-9b7a-1c2d3e4f5a6b"

static const char *const names[] = {
	"\xe5\xbc\xa0*",			/* 张* */
	"\xe7\x8e\x8b*\xe6\x98\x8e",		/* 王*明 */
	"\xe6\x9d\x8e*",			/* 李* */
	"\xe6\xac\xa7\xe9\x98\xb3*\xe5\x8d\x8e",	/* 欧阳*华 */
	"L* Wei",
	"",
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t entry_time(int64_t i, int64_t n, int64_t days)
{
	return T0 + (int64_t)((double)i * (double)(days * DAY_MS) / (double)n);
}

static void make_entry(struct snt_entry *e, int64_t i, int64_t t, uint8_t *payload)
{
	int k = (int)(i % 100);

	entry_green_visitor(e, BOOT_ID, t - T0, t);
	e->kind = i % 10 ? SNT_KIND_VISITOR : SNT_KIND_STAFF;
	e->temp_dc = 360 + (int)(i % 9);
	if (k >= 85 && k < 90) {
		e->colour = SNT_COLOUR_YELLOW;
		e->decision = SNT_DECISION_DENY;
		e->reasons = SNT_REASON_BIT(SNT_REASON_CODE_YELLOW) | SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL);
	} else if (k >= 90 && k < 93) {
		e->colour = SNT_COLOUR_RED;
		e->decision = SNT_DECISION_DENY;
		e->reasons = SNT_REASON_BIT(SNT_REASON_CODE_RED) | SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL);
	} else if (k >= 93 && k < 95) {
		e->temp_dc = 380 + k % 5;
		e->decision = SNT_DECISION_DENY;
		e->reasons = SNT_REASON_BIT(SNT_REASON_FEVER) | SNT_REASON_BIT(SNT_REASON_CODE_GREEN);
	} else if (k >= 95 && k < 98) {
		e->format = SNT_FORMAT_NONE;
		e->colour = SNT_COLOUR_UNKNOWN;
		e->verified = SNT_VERIFIED_NONE;
		e->decision = SNT_DECISION_REFER;
		e->reasons = SNT_REASON_BIT(SNT_REASON_NO_CODE) | SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL);
	} else if (k >= 98) {
		e->temp_dc = 330;
		e->decision = SNT_DECISION_REFER;
		e->reasons = SNT_REASON_BIT(SNT_REASON_TEMP_IMPLAUSIBLE) |
			     SNT_REASON_BIT(SNT_REASON_CODE_GREEN);
	}
	if (e->decision != SNT_DECISION_ADMIT)
		e->door = SNT_DOOR_SHUT;
	snprintf(e->subject, sizeof(e->subject), "%s", names[i % SNT_ARRAY_SIZE(names)]);
	if (e->format != SNT_FORMAT_NONE) {
		snprintf((char *)payload, PAYLOAD_LEN + 1, "https://hc.example.gov.cn/v?t=%088llx",
			 (unsigned long long)i * 2654435761u);
		e->payload = payload;
		e->payload_len = PAYLOAD_LEN;
	}
}

static int sql_fail(sqlite3 *db, const char *what)
{
	fprintf(stderr, "bench_review_fill: %s: %s\n", what, sqlite3_errmsg(db));
	sqlite3_close(db);
	return 1;
}

/* An exit 30 minutes after each admitted visitor. */
static int add_exits(const char *path, int64_t n, int64_t days, long long *exits)
{
	sqlite3_stmt *s = NULL;
	sqlite3 *db = NULL;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return sql_fail(db, "open");
	if (sqlite3_exec(db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO events (boot_id, mono_ms, time_utc_ms, clock, kind) "
			       "VALUES ('" BOOT_ID "', ?1, ?2, 'trusted', 'exit')", -1, &s, NULL) != SQLITE_OK)
		return sql_fail(db, "prepare");
	*exits = 0;
	for (int64_t i = 0; i < n; i++) {
		int64_t t = entry_time(i, n, days) + EXIT_AFTER_MS;

		if (i % BATCH == 0 && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
			return sql_fail(db, "begin");
		if (i % 100 < 85) {
			sqlite3_bind_int64(s, 1, t - T0);
			sqlite3_bind_int64(s, 2, t);
			if (sqlite3_step(s) != SQLITE_DONE)
				return sql_fail(db, "insert");
			sqlite3_reset(s);
			(*exits)++;
		}
		if ((i % BATCH == BATCH - 1 || i == n - 1) &&
		    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			return sql_fail(db, "commit");
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t payloads[BATCH][PAYLOAD_LEN + 1];
	static struct snt_entry batch[BATCH];
	struct snt_store *st = NULL;
	enum snt_store_err err;
	char p[4200];
	long long n = argc > 2 ? atoll(argv[2]) : 1000000;
	long long days = argc > 3 ? atoll(argv[3]) : 100;
	long long exits = 0;
	double t0;

	if (argc < 2 || n < 1 || days < 1) {
		fprintf(stderr, "usage: bench_review_fill DB [N [DAYS]]\n");
		return 2;
	}
	for (int k = 0; k < 3; k++) {
		snprintf(p, sizeof(p), "%s%s", argv[1], k == 0 ? "" : k == 1 ? "-wal" : "-shm");
		unlink(p);
	}
	t0 = now_s();
	err = snt_store_open(argv[1], false, &st);
	for (long long done = 0; !err && done < n;) {
		size_t m = n - done < BATCH ? (size_t)(n - done) : BATCH;

		for (size_t k = 0; k < m; k++) {
			int64_t i = done + (long long)k;

			make_entry(&batch[k], i, entry_time(i, n, days), payloads[k]);
		}
		err = snt_store_append_batch(st, batch, m);
		done += (long long)m;
	}
	if (err) {
		fprintf(stderr, "bench_review_fill: %s: %s\n", snt_store_strerror(err),
			snt_store_errmsg(st));
		snt_store_close(st);
		return 1;
	}
	snt_store_close(st);
	if (add_exits(argv[1], n, days, &exits))
		return 1;
	printf("fill entries=%lld exits=%lld seconds=%.1f\n", n, exits, now_s() - t0);
	return 0;
}
