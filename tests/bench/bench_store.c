// SPDX-License-Identifier: MIT
/*
 * Store figures for `make bench` (built and run by bench-store.sh; a
 * program, not a test: it prints figures and asserts nothing).
 *
 *   bench_store DIR [LATENCY_N [BULK_N]]
 *   bench_store --purge DIR
 *
 * In DIR, which must be on the real filesystem (fsync is what is measured):
 *   latency.db  LATENCY_N (default 1000) entries appended one by one with
 *               snt_store_append(), each its own fsync'd commit: the commit
 *               latency per entry (median, p99) and the entries per second
 *               of that burst;
 *   bulk.db     BULK_N (default 1000000) entries bulk-inserted with
 *               snt_store_append_batch() (the store computes every seq and
 *               hash; 10000 per commit): entries per second, and database
 *               bytes per entry (main file after close; the kept -wal file
 *               is printed apart).  bulk.db stays for verify-log.
 * --purge: on DIR/bulk.db, move the acknowledgement cursor to the last seq
 * and purge the older half (cutoff: the time of the middle entry), timing
 * snt_store_purge(), which checks the range's chain before deleting it.
 * Entries look like the gate's: a 118-byte health-code token, a masked
 * subject, a temperature, two reasons.
 * Prints one line of key=value figures.  Exit 0, or 1 with a message on
 * stderr when the store fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "tests/entry_make.h"
#include "bench_util.h"

#define BATCH 10000
#define PAYLOAD_LEN 118

/* Entry @i; @payload (PAYLOAD_LEN bytes) is the caller's, filled here. */
static void make_entry(struct snt_entry *e, int64_t i, uint8_t *payload)
{
	entry_green_visitor(e, "0f6c3c5e-3a55-4d3c-9b7a-1c2d3e4f5a6b", 60000 + i * 20000,
			    INT64_C(1641000000000) + i * 20000);
	e->kind = i % 10 ? SNT_KIND_VISITOR : SNT_KIND_STAFF;
	e->temp_dc = 360 + (int)(i % 13);
	snprintf(e->subject, sizeof(e->subject), "%s", "\xe5\xbc\xa0*");
	/* "https://hc.example.gov.cn/v?t=" + a per-entry token */
	snprintf((char *)payload, PAYLOAD_LEN + 1, "https://hc.example.gov.cn/v?t=%088llx",
		 (unsigned long long)i * 2654435761u);
	e->payload = payload;
	e->payload_len = PAYLOAD_LEN;
}

static void remove_db(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char p[4096];

	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
}

static int fail(const char *what, struct snt_store *st, enum snt_store_err err)
{
	fprintf(stderr, "bench_store: %s: %s: %s\n", what, snt_store_strerror(err),
		snt_store_errmsg(st));
	snt_store_close(st);
	return 1;
}

static long long file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

/* The --purge mode: ack everything, purge the older half of bulk.db. */
static int bench_purge(const char *dir)
{
	struct snt_store_purge_result r;
	struct snt_store *st = NULL;
	enum snt_store_err err;
	char path[4096];
	int64_t last;
	double t0, ms;

	snprintf(path, sizeof(path), "%s/bulk.db", dir);
	err = snt_store_open(path, false, &st);
	if (err)
		return fail("open", st, err);
	err = snt_store_last_seq(st, &last);
	if (!err)
		err = snt_store_set_ack(st, last);
	if (err)
		return fail("set_ack", st, err);
	t0 = now_ms();
	/* make_entry(): entry i is at 1641000000000 + i * 20000. */
	err = snt_store_purge(st, INT64_C(1641000000000) + last / 2 * 20000,
			      INT64_C(1641000000000) + last * 20000, &r);
	ms = now_ms() - t0;
	if (err)
		return fail("purge", st, err);
	snt_store_close(st);
	printf("purge_s=%.2f purged=%lld\n", ms / 1e3, (long long)r.count);
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t payloads[BATCH][PAYLOAD_LEN + 1];
	static struct snt_entry batch[BATCH];
	struct snt_store *st = NULL;
	enum snt_store_err err;
	char lat_path[4096], bulk_path[4096], wal[4200];
	long long lat_n = argc > 2 ? atoll(argv[2]) : 1000;
	long long bulk_n = argc > 3 ? atoll(argv[3]) : 1000000;
	double *lat, t0, burst_ms, bulk_ms, median, p99;

	if (argc == 3 && !strcmp(argv[1], "--purge"))
		return bench_purge(argv[2]);
	if (argc < 2 || lat_n < 1 || bulk_n < 1) {
		fprintf(stderr, "usage: bench_store DIR [LATENCY_N [BULK_N]] | --purge DIR\n");
		return 2;
	}
	snprintf(lat_path, sizeof(lat_path), "%s/latency.db", argv[1]);
	snprintf(bulk_path, sizeof(bulk_path), "%s/bulk.db", argv[1]);

	/* Commit latency: one entry, one transaction, one fsync each. */
	lat = calloc((size_t)lat_n, sizeof(*lat));
	if (!lat)
		return 1;
	remove_db(lat_path);
	err = snt_store_open(lat_path, false, &st);
	if (err)
		return fail("open", st, err);
	t0 = now_ms();
	for (long long i = 0; i < lat_n; i++) {
		double t = now_ms();

		make_entry(&batch[0], i, payloads[0]);
		err = snt_store_append(st, &batch[0]);
		if (err) {
			free(lat);
			return fail("append", st, err);
		}
		lat[i] = now_ms() - t;
	}
	burst_ms = now_ms() - t0;
	snt_store_close(st);
	st = NULL;
	remove_db(lat_path);
	qsort(lat, (size_t)lat_n, sizeof(*lat), cmp_double);
	median = lat[lat_n / 2];
	p99 = lat[(lat_n * 99 + 99) / 100 - 1];
	free(lat);

	/* Bulk: BATCH entries per transaction through the store's own chain code. */
	remove_db(bulk_path);
	err = snt_store_open(bulk_path, false, &st);
	if (err)
		return fail("open", st, err);
	t0 = now_ms();
	for (long long done = 0; done < bulk_n;) {
		size_t n = bulk_n - done < BATCH ? (size_t)(bulk_n - done) : BATCH;

		for (size_t k = 0; k < n; k++)
			make_entry(&batch[k], done + (long long)k, payloads[k]);
		err = snt_store_append_batch(st, batch, n);
		if (err)
			return fail("append_batch", st, err);
		done += (long long)n;
	}
	bulk_ms = now_ms() - t0;
	snt_store_close(st);
	snprintf(wal, sizeof(wal), "%s-wal", bulk_path);

	printf("commit_ms_median=%.2f commit_ms_p99=%.2f burst_entries_per_s=%.0f "
	       "bulk_entries_per_s=%.0f bytes_per_entry=%.0f entries=%lld db_bytes=%lld wal_bytes=%lld "
	       "payload_bytes=%d\n",
	       median, p99, (double)lat_n / (burst_ms / 1e3), (double)bulk_n / (bulk_ms / 1e3),
	       (double)file_size(bulk_path) / (double)bulk_n, bulk_n, file_size(bulk_path),
	       file_size(wal), PAYLOAD_LEN);
	return 0;
}
