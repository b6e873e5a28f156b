// SPDX-License-Identifier: MIT
/* Unit tests of the fallback journal (firmware/journal/). */
#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "journal/journal.h"
#include "store/store.h"
#include "tests/entry_make.h"

struct tctx {
	char dir[64];
	char jpath[96];
	char db[96];
};

static int setup(void **state)
{
	struct tctx *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "/tmp/snt-journal-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->jpath, sizeof(t->jpath), "%s/log.db.journal", t->dir);
	snprintf(t->db, sizeof(t->db), "%s/log.db", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tctx *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	assert_int_equal(system(cmd), 0);
	free(t);
	return 0;
}

static void make_entry(struct snt_entry *e, int64_t seq, const char *payload)
{
	entry_green_visitor(e, "0f1e2d3c-4b5a-4697-8877-665544332211", 1000 * seq, 1795910400000LL + 1000 * seq);
	e->seq = seq;
	e->reasons = SNT_REASON_BIT(SNT_REASON_STORE_FAULT) | SNT_REASON_BIT(SNT_REASON_OVERRIDE_ADMIT);
	if (payload) {
		e->payload = (const uint8_t *)payload;
		e->payload_len = strlen(payload);
	}
}

static off_t file_size(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

static void test_append_reopen(void **state)
{
	struct tctx *t = *state;
	struct snt_journal *j = NULL;
	struct snt_entry e;

	assert_int_equal(snt_journal_open(t->jpath, &j), SNT_JOURNAL_OK);
	assert_int_equal(snt_journal_pending(j), 0);
	assert_int_equal(snt_journal_last_seq(j), 0);
	make_entry(&e, 5, "HC:620102:token\"with\\quotes");
	assert_int_equal(snt_journal_append(j, &e), SNT_JOURNAL_OK);
	make_entry(&e, 6, NULL);
	e.has_temp = false;
	snt_strlcpy(e.subject, "张*", sizeof(e.subject));
	assert_int_equal(snt_journal_append(j, &e), SNT_JOURNAL_OK);
	make_entry(&e, 8, NULL);
	assert_int_equal(snt_journal_append(j, &e), SNT_JOURNAL_ERR_ORDER);
	e.seq = 0;
	assert_int_equal(snt_journal_append(j, &e), SNT_JOURNAL_ERR_INVAL);
	snt_journal_close(j);
	assert_true((file_size(t->jpath) & 0) == 0);

	assert_int_equal(snt_journal_open(t->jpath, &j), SNT_JOURNAL_OK);
	assert_int_equal(snt_journal_pending(j), 2);
	assert_int_equal(snt_journal_last_seq(j), 6);
	snt_journal_close(j);
	snt_journal_close(NULL);
}

static void test_torn_tail_dropped(void **state)
{
	struct tctx *t = *state;
	struct snt_journal *j = NULL;
	struct snt_entry e;
	off_t good;
	FILE *f;

	assert_int_equal(snt_journal_open(t->jpath, &j), SNT_JOURNAL_OK);
	make_entry(&e, 1, "tok");
	assert_int_equal(snt_journal_append(j, &e), SNT_JOURNAL_OK);
	snt_journal_close(j);
	good = file_size(t->jpath);
	/* A power cut in the middle of the second record's write. */
	f = fopen(t->jpath, "a");
	assert_non_null(f);
	fputs("1234abcd {\"seq\": 2, \"boot_", f);
	fclose(f);
	assert_int_equal(snt_journal_open(t->jpath, &j), SNT_JOURNAL_OK);
	assert_int_equal(snt_journal_pending(j), 1);
	assert_int_equal(file_size(t->jpath), good);
	/* The next record follows the good one. */
	make_entry(&e, 2, NULL);
	assert_int_equal(snt_journal_append(j, &e), SNT_JOURNAL_OK);
	snt_journal_close(j);
	assert_int_equal(snt_journal_open(t->jpath, &j), SNT_JOURNAL_OK);
	assert_int_equal(snt_journal_pending(j), 2);
	snt_journal_close(j);
}

static void test_damaged_record_refused(void **state)
{
	struct tctx *t = *state;
	struct snt_journal *j = NULL;
	struct snt_entry e;
	FILE *f;
	char buf[4096];
	size_t n;

	assert_int_equal(snt_journal_open(t->jpath, &j), SNT_JOURNAL_OK);
	make_entry(&e, 1, "tok");
	assert_int_equal(snt_journal_append(j, &e), SNT_JOURNAL_OK);
	make_entry(&e, 2, "tok");
	assert_int_equal(snt_journal_append(j, &e), SNT_JOURNAL_OK);
	snt_journal_close(j);
	/* Flip the decision of the first record: its CRC no longer matches. */
	f = fopen(t->jpath, "r+");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	char *p = strstr(buf, "\"admit\"");

	assert_non_null(p);
	memcpy(p, "\"refer\"", 7);
	rewind(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	fclose(f);
	assert_int_equal(snt_journal_open(t->jpath, &j), SNT_JOURNAL_ERR_CORRUPT);
	assert_null(j);
	assert_int_equal(snt_journal_open(NULL, &j), SNT_JOURNAL_ERR_INVAL);
	assert_int_equal(snt_journal_open("/nonexistent-dir/j", &j), SNT_JOURNAL_ERR_IO);
}

static void test_merge(void **state)
{
	struct tctx *t = *state;
	struct snt_journal *j = NULL;
	struct snt_store *st = NULL;
	struct snt_entry e, got;
	enum snt_store_err serr;
	size_t merged = 99;
	int64_t last;

	assert_int_equal(snt_store_open(t->db, false, &st), SNT_STORE_OK);
	make_entry(&e, 0, "first");
	e.decision = SNT_DECISION_REFER;
	e.reasons = SNT_REASON_BIT(SNT_REASON_NO_CODE);
	e.door = SNT_DOOR_SHUT;
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);	/* seq 1 */

	assert_int_equal(snt_journal_open(t->jpath, &j), SNT_JOURNAL_OK);
	make_entry(&e, 2, "HC:620102:override");
	assert_int_equal(snt_journal_append(j, &e), SNT_JOURNAL_OK);
	make_entry(&e, 3, NULL);
	assert_int_equal(snt_journal_append(j, &e), SNT_JOURNAL_OK);

	assert_int_equal(snt_journal_merge(j, st, &merged, &serr), SNT_JOURNAL_OK);
	assert_int_equal(merged, 2);
	assert_int_equal(serr, SNT_STORE_OK);
	assert_int_equal(snt_journal_pending(j), 0);
	assert_int_equal(file_size(t->jpath), 0);
	assert_int_equal(snt_store_last_seq(st, &last), SNT_STORE_OK);
	assert_int_equal(last, 3);
	assert_int_equal(snt_store_get(st, 2, &got), SNT_STORE_OK);
	assert_int_equal(got.decision, SNT_DECISION_ADMIT);
	assert_int_equal(got.reasons, e.reasons);
	assert_int_equal(got.payload_len, strlen("HC:620102:override"));
	assert_memory_equal(got.payload, "HC:620102:override", got.payload_len);
	assert_int_equal(got.temp_dc, 365);
	/* Nothing pending: a merge is a no-op. */
	assert_int_equal(snt_journal_merge(j, st, &merged, NULL), SNT_JOURNAL_OK);
	assert_int_equal(merged, 0);
	snt_journal_close(j);
	snt_store_close(st);
}

/* Whether the file at @path holds the string @needle. */
static bool file_has(const char *path, const char *needle)
{
	static char buf[65536];
	FILE *fp = fopen(path, "rb");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	return memmem(buf, n, needle, strlen(needle)) != NULL;
}

/*
 * A signed certificate's payload goes to the journal as its SHA-256 only,
 * comes back so and is merged so; the caller's entry is untouched.
 */
static void test_certificate_digested(void **state)
{
	static const char dcc[] = "HC1:NCF Musterfrau-Goessinger Gabriele 1998-02-26";
	struct tctx *t = *state;
	struct snt_journal *j = NULL;
	struct snt_store *st = NULL;
	struct snt_entry e, want, got;
	size_t merged = 0;

	assert_int_equal(snt_store_open(t->db, false, &st), SNT_STORE_OK);
	assert_int_equal(snt_journal_open(t->jpath, &j), SNT_JOURNAL_OK);
	make_entry(&e, 1, dcc);
	e.format = SNT_FORMAT_HCERT;
	e.verified = SNT_VERIFIED_VALID;
	e.reasons = SNT_REASON_BIT(SNT_REASON_STORE_FAULT) | SNT_REASON_BIT(SNT_REASON_OVERRIDE_ADMIT);
	snt_strlcpy(e.subject, "G* M*", sizeof(e.subject));
	assert_int_equal(snt_journal_append(j, &e), SNT_JOURNAL_OK);
	assert_int_equal(e.payload_len, strlen(dcc));	/* the caller's entry as it was */
	want = e;
	assert_int_equal(snt_store_entry_digest(&want), SNT_STORE_OK);
	snt_journal_close(j);
	/* 023bf512...: SHA-256 of dcc (Python's hashlib). */
	assert_false(file_has(t->jpath, "Gabriele"));
	assert_false(file_has(t->jpath, "HC1:"));
	assert_true(file_has(t->jpath, "\"payload_hex\":null"));
	assert_true(file_has(t->jpath, "\"payload_sha256_hex\":"
				       "\"023bf51267b7aa033bdbba52874d74e6e3aa1ffa9e1671643066211e94a55e0a\""));

	assert_int_equal(snt_journal_open(t->jpath, &j), SNT_JOURNAL_OK);
	assert_int_equal(snt_journal_pending(j), 1);
	assert_int_equal(snt_journal_merge(j, st, &merged, NULL), SNT_JOURNAL_OK);
	assert_int_equal(merged, 1);
	assert_int_equal(snt_store_get(st, 1, &got), SNT_STORE_OK);
	assert_null(got.payload);
	assert_true(got.has_payload_hash);
	assert_memory_equal(got.payload_hash, want.payload_hash, SNT_HASH_LEN);
	snt_journal_close(j);
	snt_store_close(st);
}

static void test_merge_replayed_after_power_cut(void **state)
{
	struct tctx *t = *state;
	struct snt_journal *j = NULL;
	struct snt_store *st = NULL;
	struct snt_entry e;
	size_t merged;
	int64_t last;

	assert_int_equal(snt_store_open(t->db, false, &st), SNT_STORE_OK);
	assert_int_equal(snt_journal_open(t->jpath, &j), SNT_JOURNAL_OK);
	make_entry(&e, 1, "a");
	assert_int_equal(snt_journal_append(j, &e), SNT_JOURNAL_OK);
	make_entry(&e, 2, "b");
	assert_int_equal(snt_journal_append(j, &e), SNT_JOURNAL_OK);
	snt_journal_close(j);
	/* The first record reached the log, then the power went. */
	make_entry(&e, 1, "a");
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	assert_int_equal(snt_journal_open(t->jpath, &j), SNT_JOURNAL_OK);
	assert_int_equal(snt_journal_pending(j), 2);
	assert_int_equal(snt_journal_merge(j, st, &merged, NULL), SNT_JOURNAL_OK);
	assert_int_equal(merged, 1);
	assert_int_equal(snt_store_last_seq(st, &last), SNT_STORE_OK);
	assert_int_equal(last, 2);
	snt_journal_close(j);
	snt_store_close(st);
}

static void test_merge_order_conflict(void **state)
{
	struct tctx *t = *state;
	struct snt_journal *j = NULL;
	struct snt_store *st = NULL;
	struct snt_entry e;
	int64_t last;

	assert_int_equal(snt_store_open(t->db, false, &st), SNT_STORE_OK);
	make_entry(&e, 0, NULL);
	e.mono_ms = 42;		/* another entry holds seq 1 */
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	assert_int_equal(snt_journal_open(t->jpath, &j), SNT_JOURNAL_OK);
	make_entry(&e, 1, NULL);
	assert_int_equal(snt_journal_append(j, &e), SNT_JOURNAL_OK);
	assert_int_equal(snt_journal_merge(j, st, NULL, NULL), SNT_JOURNAL_ERR_ORDER);
	assert_int_equal(snt_journal_pending(j), 1);
	/* A gap: the log is at 1, the journal starts at 3. */
	snt_journal_close(j);
	assert_int_equal(unlink(t->jpath), 0);
	assert_int_equal(snt_journal_open(t->jpath, &j), SNT_JOURNAL_OK);
	make_entry(&e, 3, NULL);
	assert_int_equal(snt_journal_append(j, &e), SNT_JOURNAL_OK);
	assert_int_equal(snt_journal_merge(j, st, NULL, NULL), SNT_JOURNAL_ERR_ORDER);
	assert_int_equal(snt_store_last_seq(st, &last), SNT_STORE_OK);
	assert_int_equal(last, 1);
	snt_journal_close(j);
	snt_store_close(st);
	assert_string_equal(snt_journal_strerror(SNT_JOURNAL_ERR_ORDER),
			    "journal sequence does not follow the log");
}

/* A journal that cannot be opened: the cause is in errno for the message. */
static void test_open_io_error_keeps_errno(void **state)
{
	struct tctx *t = *state;
	struct snt_journal *j = (struct snt_journal *)1;
	char path[160];

	snprintf(path, sizeof(path), "%s/no-such-dir/log.db.journal", t->dir);
	errno = 0;
	assert_int_equal(snt_journal_open(path, &j), SNT_JOURNAL_ERR_IO);
	assert_int_equal(errno, ENOENT);
	assert_null(j);
}

/* A test with a fresh fixture: setup() before it, teardown() after. */
#define WITH_FIXTURE(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		WITH_FIXTURE(test_append_reopen),
		WITH_FIXTURE(test_torn_tail_dropped),
		WITH_FIXTURE(test_damaged_record_refused),
		WITH_FIXTURE(test_merge),
		WITH_FIXTURE(test_certificate_digested),
		WITH_FIXTURE(test_merge_replayed_after_power_cut),
		WITH_FIXTURE(test_merge_order_conflict),
		WITH_FIXTURE(test_open_io_error_keeps_errno),
	};

	return cmocka_run_group_tests_name("journal", tests, NULL, NULL);
}
