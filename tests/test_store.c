// SPDX-License-Identifier: MIT
/*
 * Unit tests of firmware/store: append, read back, reopen, sequence without
 * gaps, hash chain, append-only triggers, durability pragmas, schema
 * versions and every open error, with exact error codes.  Each test works
 * in its own mkdtemp() directory under /tmp, removed afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "fss/fss.h"
#include "store/store.h"
#include "tests/entry_assert.h"
#include "tests/entry_make.h"

#define FIX_STORE "tests/fixtures/store/"
#define DAY_MS INT64_C(86400000)
#define T0 INT64_C(1641000000000)		/* 2022-01-01T01:20:00Z */
#define NOW (T0 + 400 * DAY_MS)
#define FAR_FUTURE INT64_C(253402300799999)

/* sentinelctl beside the test binaries' directory (build/tests/../sentinelctl). */
static char ctl_path[512];

struct fx {
	char dir[64];
	char path[128];
};

/* Three bytes of payload with a NUL inside: raw bytes must survive. */
static const uint8_t payload_a[] = { 'H', 'C', '1', ':', 0x00, 0xff, 0x80, 'x' };
static const char subject_zh[] = "\xe5\xbc\xa0*";	/* "张*", masked */

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		return rmdir(path);
	return unlink(path);
}

static int chmod_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DP || flag == FTW_DNR)
		chmod(path, 0700);
	return 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/snt-store-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/log.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	/* Directories made read-only by a test must become writable again. */
	nftw(f->dir, chmod_cb, 16, FTW_PHYS);
	nftw(f->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void make_entry(struct snt_entry *e, int i)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->boot_id, sizeof(e->boot_id), "0f6c3c5e-3a55-4d3c-9b7a-1c2d3e4f5a%02u",
		 (unsigned int)i % 100u);
	e->mono_ms = 1000 + i;
	e->time_utc_ms = INT64_C(1641000000000) + i * 1500;
	e->clock = i % 2 ? SNT_CLOCK_TRUSTED : SNT_CLOCK_UNTRUSTED;
	e->kind = i % 3 ? SNT_KIND_VISITOR : SNT_KIND_STAFF;
	e->format = i % 2 ? SNT_FORMAT_HEALTHCODE : SNT_FORMAT_HCERT;
	e->colour = i % 2 ? SNT_COLOUR_GREEN : SNT_COLOUR_YELLOW;
	e->verified = i % 2 ? SNT_VERIFIED_UNVERIFIED : SNT_VERIFIED_VALID;
	e->has_temp = i % 4 != 3;
	e->temp_dc = e->has_temp ? 360 + i : 0;
	e->decision = i % 2 ? SNT_DECISION_ADMIT : SNT_DECISION_DENY;
	e->reasons = i % 2 ? SNT_REASON_BIT(SNT_REASON_CODE_GREEN) | SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL)
			   : SNT_REASON_BIT(SNT_REASON_FEVER) | SNT_REASON_BIT(SNT_REASON_CODE_YELLOW);
	e->door = i % 2 ? SNT_DOOR_OPENED : SNT_DOOR_SHUT;
	if (i % 2)
		snprintf(e->subject, sizeof(e->subject), "%s", subject_zh);
	if (i % 3 != 2) {
		e->payload = payload_a;
		e->payload_len = sizeof(payload_a);
	}
}

/* Every field but seq, prev_hash and hash. */
static void assert_same_content(const struct snt_entry *a, const struct snt_entry *b)
{
	assert_entry_fields_equal(a, b);
	assert_int_equal(a->payload_len, b->payload_len);
	if (a->payload_len) {
		assert_non_null(b->payload);
		assert_memory_equal(a->payload, b->payload, a->payload_len);
	} else {
		assert_null(b->payload);
	}
}

static struct snt_store *open_rw(const char *path)
{
	struct snt_store *st = NULL;

	assert_int_equal(snt_store_open(path, false, &st), SNT_STORE_OK);
	assert_non_null(st);
	return st;
}

static struct snt_store *open_ro(const char *path)
{
	struct snt_store *st = NULL;

	assert_int_equal(snt_store_open(path, true, &st), SNT_STORE_OK);
	assert_non_null(st);
	return st;
}

static void append_n(struct snt_store *st, int first, int n)
{
	for (int i = first; i < first + n; i++) {
		struct snt_entry e;

		make_entry(&e, i);
		assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	}
}

static int64_t last_seq(struct snt_store *st)
{
	int64_t seq = -1;

	assert_int_equal(snt_store_last_seq(st, &seq), SNT_STORE_OK);
	return seq;
}

/* Raw SQLite connection to the same file, as another program would have. */
static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
			 SQLITE_OK);
	return db;
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void raw_text(sqlite3 *db, const char *sql, char *buf, size_t size)
{
	sqlite3_stmt *s = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(buf, size, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Copy a fixture into the test directory: fixtures stay read-only. */
static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	FILE *in = fopen(from, "rb");
	FILE *out;
	size_t n;

	if (!in)
		fail_msg("cannot open fixture %s: %s (run from the project root)", from, strerror(errno));
	out = fopen(to, "wb");
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	assert_int_equal(ferror(in), 0);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static bool files_equal(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	bool same = fa && fb;
	int ca, cb;

	while (same) {
		ca = fgetc(fa);
		cb = fgetc(fb);
		if (ca != cb)
			same = false;
		if (ca == EOF || cb == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

/* Whether the file at @path holds the @n bytes at @needle anywhere (a missing file holds nothing). */
static bool file_contains(const char *path, const void *needle, size_t n)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, got;
	bool found;

	if (!fp)
		return false;
	do {
		if (cap - len < 65536) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		got = fread(buf + len, 1, cap - len, fp);
		len += got;
	} while (got > 0);
	fclose(fp);
	found = len >= n && memmem(buf, len, needle, n) != NULL;
	free(buf);
	return found;
}

/* Raw SQL on the file; *@msg gets SQLite's message.  Return the result code. */
static int raw_exec(const char *path, const char *sql, char *msg, size_t size)
{
	sqlite3 *db = raw_open(path);
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	snprintf(msg, size, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc;
}

static int64_t count_rows(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	int64_t v = raw_int(db, sql);

	sqlite3_close(db);
	return v;
}

static bool file_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* Remove a log with its persisted -wal and -shm files. */
static void remove_log(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm", ".head" };
	char p[256];

	for (size_t i = 0; i < SNT_ARRAY_SIZE(sfx); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		if (unlink(p) != 0)
			assert_int_equal(errno, ENOENT);
		assert_false(file_exists(p));
	}
}

static void test_null_args(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = NULL;
	struct snt_store_iter *it = NULL;
	struct snt_store_info info;
	struct snt_entry e;
	uint8_t h[SNT_HASH_LEN];
	int64_t seq;

	assert_int_equal(snt_store_open(NULL, false, &st), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_open("", false, &st), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_open(f->path, false, NULL), SNT_STORE_ERR_INVAL);
	assert_null(st);
	assert_false(file_exists(f->path));

	st = open_rw(f->path);
	make_entry(&e, 1);
	assert_int_equal(snt_store_append(NULL, &e), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_append(st, NULL), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_last_seq(NULL, &seq), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_last_seq(st, NULL), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_get(NULL, 1, &e), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_get(st, 1, NULL), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_iter_new(NULL, 0, &it), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_iter_new(st, 0, NULL), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_iter_next(NULL, &e), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_get_info(NULL, &info), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_get_info(st, NULL), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_entry_hash(NULL, h), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_entry_hash(&e, NULL), SNT_STORE_ERR_INVAL);
	assert_string_equal(snt_store_errmsg(NULL), "");
	assert_int_equal(last_seq(st), 0);
	snt_store_close(st);

	snt_store_close(NULL);
	snt_store_iter_free(NULL);
}

static void test_append_read_back_reopen(void **state)
{
	struct fx *f = *state;
	struct snt_entry in[6], out;
	struct snt_store *st = open_rw(f->path);
	struct snt_store_iter *it = NULL;
	int64_t n = 0;

	assert_int_equal(last_seq(st), 0);
	assert_int_equal(snt_store_get(st, 1, &out), SNT_STORE_ERR_DONE);
	for (int i = 0; i < 3; i++) {
		make_entry(&in[i], i);
		in[i].seq = 99;	/* ignored: the store assigns it */
		assert_int_equal(snt_store_append(st, &in[i]), SNT_STORE_OK);
		assert_int_equal(in[i].seq, i + 1);
		assert_int_equal(last_seq(st), i + 1);
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(snt_store_get(st, i + 1, &out), SNT_STORE_OK);
		assert_int_equal(out.seq, i + 1);
		assert_same_content(&in[i], &out);
		assert_memory_equal(out.hash, in[i].hash, SNT_HASH_LEN);
		assert_memory_equal(out.prev_hash, in[i].prev_hash, SNT_HASH_LEN);
	}
	snt_store_close(st);

	/* Reopen: everything is still there and the sequence goes on. */
	st = open_rw(f->path);
	assert_int_equal(last_seq(st), 3);
	for (int i = 3; i < 6; i++) {
		make_entry(&in[i], i);
		assert_int_equal(snt_store_append(st, &in[i]), SNT_STORE_OK);
		assert_int_equal(in[i].seq, i + 1);
	}
	assert_int_equal(snt_store_iter_new(st, 0, &it), SNT_STORE_OK);
	while (snt_store_iter_next(it, &out) == SNT_STORE_OK) {
		assert_int_equal(out.seq, n + 1);	/* 1, 2, 3, ... without gaps */
		assert_same_content(&in[n], &out);
		n++;
	}
	assert_int_equal(n, 6);
	/* DONE stays DONE: the query does not restart. */
	assert_int_equal(snt_store_iter_next(it, &out), SNT_STORE_ERR_DONE);
	snt_store_iter_free(it);

	/* Iteration after a given seq. */
	assert_int_equal(snt_store_iter_new(st, 4, &it), SNT_STORE_OK);
	assert_int_equal(snt_store_iter_next(it, &out), SNT_STORE_OK);
	assert_int_equal(out.seq, 5);
	assert_int_equal(snt_store_iter_next(it, &out), SNT_STORE_OK);
	assert_int_equal(out.seq, 6);
	assert_int_equal(snt_store_iter_next(it, &out), SNT_STORE_ERR_DONE);
	snt_store_iter_free(it);
	snt_store_close(st);

	/* A read-only open sees the same entries. */
	assert_int_equal(snt_store_open(f->path, true, &st), SNT_STORE_OK);
	assert_int_equal(last_seq(st), 6);
	assert_int_equal(snt_store_get(st, 2, &out), SNT_STORE_OK);
	assert_same_content(&in[1], &out);
	snt_store_close(st);
}

static void test_stored_as_names(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_entry e;
	char buf[256];
	sqlite3 *db;

	make_entry(&e, 1);
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	make_entry(&e, 3);	/* no temperature */
	e.subject[0] = '\0';
	e.reasons = 0;
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	snt_store_close(st);

	db = raw_open(f->path);
	raw_text(db, "SELECT clock || '|' || kind || '|' || format || '|' || colour || '|' || "
		     "verified || '|' || decision || '|' || reasons || '|' || door || '|' || temp_dc "
		     "FROM entries WHERE seq = 1", buf, sizeof(buf));
	assert_string_equal(buf, "trusted|visitor|healthcode|green|unverified|admit|"
				 "code-green,temp-normal|opened|361");
	assert_int_equal(raw_int(db, "SELECT temp_dc IS NULL AND subject IS NULL AND reasons = '' "
				     "FROM entries WHERE seq = 2"), 1);
	raw_text(db, "SELECT value FROM meta WHERE key = 'hash_form'", buf, sizeof(buf));
	assert_string_equal(buf, "sentinel-entry-v4");
	sqlite3_close(db);
}

static void test_chain_links_and_recompute(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_store_iter *it = NULL;
	uint8_t zero[SNT_HASH_LEN] = { 0 };
	uint8_t prev[SNT_HASH_LEN], h[SNT_HASH_LEN];
	struct snt_entry e, m;
	int64_t n = 0;

	append_n(st, 0, 8);
	memcpy(prev, zero, sizeof(prev));
	assert_int_equal(snt_store_iter_new(st, 0, &it), SNT_STORE_OK);
	while (snt_store_iter_next(it, &e) == SNT_STORE_OK) {
		n++;
		/* prev_hash of n == hash of n - 1; zeros for the first. */
		assert_memory_equal(e.prev_hash, prev, SNT_HASH_LEN);
		assert_memory_not_equal(e.hash, zero, SNT_HASH_LEN);
		assert_int_equal(snt_store_entry_hash(&e, h), SNT_STORE_OK);
		assert_memory_equal(h, e.hash, SNT_HASH_LEN);
		memcpy(prev, e.hash, SNT_HASH_LEN);
	}
	snt_store_iter_free(it);
	assert_int_equal(n, 8);

	/* Any change of any hashed field changes the hash. */
	assert_int_equal(snt_store_get(st, 2, &e), SNT_STORE_OK);
	for (int k = 0; k < 17; k++) {
		uint8_t other[1] = { 'y' };

		m = e;
		switch (k) {
		case 0: m.seq++; break;
		case 1: m.boot_id[0] ^= 1; break;
		case 2: m.mono_ms++; break;
		case 3: m.time_utc_ms++; break;
		case 4: m.clock = SNT_CLOCK_REBASED; break;
		case 5: m.kind = m.kind == SNT_KIND_STAFF ? SNT_KIND_VISITOR : SNT_KIND_STAFF; break;
		case 6: m.format = SNT_FORMAT_NZCP; break;
		case 7: m.colour = SNT_COLOUR_RED; break;
		case 8: m.verified = SNT_VERIFIED_INVALID; break;
		case 9: m.temp_dc++; break;
		case 10: m.has_temp = !m.has_temp; break;
		case 11: m.decision = SNT_DECISION_REFER; break;
		case 12: m.reasons |= SNT_REASON_BIT(SNT_REASON_DUPLICATE); break;
		case 13: m.door = m.door == SNT_DOOR_OPENED ? SNT_DOOR_SHUT : SNT_DOOR_OPENED; break;
		case 14: snprintf(m.subject, sizeof(m.subject), "%s", "X*"); break;
		case 15: m.payload = other; m.payload_len = 1; break;
		case 16: m.prev_hash[31] ^= 0x80; break;
		}
		assert_int_equal(snt_store_entry_hash(&m, h), SNT_STORE_OK);
		if (!memcmp(h, e.hash, SNT_HASH_LEN))
			fail_msg("changing field %d did not change the hash", k);
	}
	snt_store_close(st);
}

/* A known-answer vector: pins the canonical form for verify-log and the bureau. */
static void test_hash_known_answer(void **state)
{
	static const uint8_t pl[] = { 'a', 'b', 0x00 };
	struct snt_entry e;
	uint8_t h[SNT_HASH_LEN];
	char hex[2 * SNT_HASH_LEN + 1];

	(void)state;
	entry_green_visitor(&e, "b", 2, 3);
	e.seq = 1;
	e.payload = pl;
	e.payload_len = sizeof(pl);
	assert_int_equal(snt_store_entry_hash(&e, h), SNT_STORE_OK);
	snt_hex_encode(h, sizeof(h), hex);
	/*
	 * Computed independently (Python, hashlib) from the documented form:
	 * 32 zero bytes, then STR("sentinel-entry-v1") I64(1) STR("b") I64(2)
	 * I64(3) STR("trusted") STR("visitor") STR("healthcode") STR("green")
	 * STR("unverified") 01 I64(365) STR("admit")
	 * STR("code-green,temp-normal") STR("opened") 00 01 STR("ab\0").
	 */
	assert_string_equal(hex, "15e8e4e03aa21fed3b471c7d37981dc89150a73ab55e2aa1b60a2ae7940857d1");

	/*
	 * "sentinel-entry-v3": a certificate's payload as its SHA-256 (here
	 * the bytes 0..31), 02 STR(hash) in the payload's place: STR("hcert")
	 * STR("valid") ... STR("temp-normal") STR("opened") 00 02 STR(00..1f).
	 */
	e.format = SNT_FORMAT_HCERT;
	e.verified = SNT_VERIFIED_VALID;
	e.reasons = SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL);
	e.payload = NULL;
	e.payload_len = 0;
	e.has_payload_hash = true;
	for (int i = 0; i < SNT_HASH_LEN; i++)
		e.payload_hash[i] = (uint8_t)i;
	assert_int_equal(snt_store_entry_hash(&e, h), SNT_STORE_OK);
	snt_hex_encode(h, sizeof(h), hex);
	assert_string_equal(hex, "b8e7273e1ee1c0dbe0f73019db52d4084f6ccf7cf6f12b7a99f6617ca27046ed");
}

static void test_invalid_entries_write_nothing(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_entry e, orig;
	uint8_t h[SNT_HASH_LEN];

	append_n(st, 0, 1);
	for (int k = 0; k < 14; k++) {
		make_entry(&e, 1);
		switch (k) {
		case 0: e.clock = (enum snt_clock_state)SNT_CLOCK_STATE_COUNT; break;
		case 1: e.kind = (enum snt_person_kind)SNT_PERSON_KIND_COUNT; break;
		case 2: e.format = (enum snt_code_format)SNT_CODE_FORMAT_COUNT; break;
		case 3: e.colour = (enum snt_colour)SNT_COLOUR_COUNT; break;
		case 4: e.verified = (enum snt_verified)SNT_VERIFIED_COUNT; break;
		case 5: e.decision = (enum snt_decision)SNT_DECISION_COUNT; break;
		case 6: e.door = (enum snt_door)SNT_DOOR_COUNT; break;
		case 7: e.reasons |= SNT_REASON_BIT(SNT_REASON_COUNT); break;
		case 8: memset(e.boot_id, 'a', sizeof(e.boot_id)); break;	/* no NUL */
		case 9: snprintf(e.subject, sizeof(e.subject), "%s", "\xc3\x28"); break;	/* bad UTF-8 */
		case 10: e.payload = NULL; e.payload_len = 4; break;
		case 11: e.payload_len = SNT_ENTRY_MAX_PAYLOAD + 1; break;
		case 12: snprintf(e.boot_id, sizeof(e.boot_id), "%s", "\xed\xa0\x80"); break;	/* surrogate */
		case 13: e.has_payload_hash = true; break;	/* a payload and a payload hash */
		}
		orig = e;
		assert_int_equal(snt_store_append(st, &e), SNT_STORE_ERR_INVAL);
		assert_memory_equal(&e, &orig, sizeof(e));	/* unchanged, seq too */
		assert_int_equal(snt_store_entry_hash(&e, h), SNT_STORE_ERR_INVAL);
		assert_int_equal(last_seq(st), 1);
	}
	assert_string_not_equal(snt_store_errmsg(st), "");
	snt_store_close(st);
}

static void test_triggers_refuse_update_delete(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_entry e;
	sqlite3 *db;
	int rc;

	append_n(st, 0, 3);
	snt_store_close(st);

	db = raw_open(f->path);
	rc = sqlite3_exec(db, "UPDATE entries SET temp_dc = 365 WHERE seq = 2", NULL, NULL, NULL);
	assert_int_equal(rc, SQLITE_CONSTRAINT);
	assert_int_equal(sqlite3_extended_errcode(db), SQLITE_CONSTRAINT_TRIGGER);
	assert_string_equal(sqlite3_errmsg(db), "entries are append-only");
	rc = sqlite3_exec(db, "DELETE FROM entries WHERE seq = 3", NULL, NULL, NULL);
	assert_int_equal(rc, SQLITE_CONSTRAINT);
	assert_string_equal(sqlite3_errmsg(db), "entries are append-only");
	rc = sqlite3_exec(db, "DELETE FROM entries", NULL, NULL, NULL);
	assert_int_equal(rc, SQLITE_CONSTRAINT);
	/* An insert that skips a seq or breaks the chain is refused too. */
	rc = sqlite3_exec(db, "INSERT INTO entries SELECT 5, boot_id, mono_ms, time_utc_ms, clock, kind, "
			      "format, colour, verified, temp_dc, decision, reasons, door, subject, payload, "
			      "hash, hash, detail, payload_hash, birth_year FROM entries WHERE seq = 3", NULL, NULL, NULL);
	assert_int_equal(rc, SQLITE_CONSTRAINT);
	assert_string_equal(sqlite3_errmsg(db), "entries must extend the chain");
	rc = sqlite3_exec(db, "INSERT INTO entries SELECT 4, boot_id, mono_ms, time_utc_ms, clock, kind, "
			      "format, colour, verified, temp_dc, decision, reasons, door, subject, payload, "
			      "prev_hash, hash, detail, payload_hash, birth_year FROM entries WHERE seq = 3", NULL, NULL, NULL);
	assert_int_equal(rc, SQLITE_CONSTRAINT);
	/* A name that is not an enum's is refused by CHECK. */
	rc = sqlite3_exec(db, "INSERT INTO entries SELECT 4, boot_id, mono_ms, time_utc_ms, 'bogus', kind, "
			      "format, colour, verified, temp_dc, decision, reasons, door, subject, payload, "
			      "hash, hash, detail, payload_hash, birth_year FROM entries WHERE seq = 3", NULL, NULL, NULL);
	assert_int_equal(rc, SQLITE_CONSTRAINT);
	assert_int_equal(sqlite3_extended_errcode(db), SQLITE_CONSTRAINT_CHECK);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM entries"), 3);
	assert_int_equal(raw_int(db, "SELECT temp_dc FROM entries WHERE seq = 2"), 361);
	sqlite3_close(db);

	st = open_rw(f->path);
	assert_int_equal(snt_store_get(st, 3, &e), SNT_STORE_OK);
	snt_store_close(st);
}

static void test_tampered_row_detected(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	uint8_t h[SNT_HASH_LEN];
	struct snt_entry e;
	sqlite3 *db;

	append_n(st, 0, 3);
	snt_store_close(st);

	/* Someone with raw access drops the trigger and lowers a fever. */
	db = raw_open(f->path);
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER entries_no_update; "
					  "UPDATE entries SET temp_dc = 365 WHERE seq = 2", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);

	st = open_rw(f->path);
	assert_int_equal(snt_store_get(st, 2, &e), SNT_STORE_OK);
	assert_int_equal(e.temp_dc, 365);
	assert_int_equal(snt_store_entry_hash(&e, h), SNT_STORE_OK);
	assert_memory_not_equal(h, e.hash, SNT_HASH_LEN);
	/* The untouched neighbour still verifies. */
	assert_int_equal(snt_store_get(st, 3, &e), SNT_STORE_OK);
	assert_int_equal(snt_store_entry_hash(&e, h), SNT_STORE_OK);
	assert_memory_equal(h, e.hash, SNT_HASH_LEN);
	snt_store_close(st);
}

static void test_bad_stored_values_are_corrupt(void **state)
{
	static const char *const bad[] = {
		"reasons = 'temp-normal,code-green'",	/* not in weight order */
		"reasons = 'no-such-reason'",
		"reasons = 'fever,'",
		"subject = ''",
		"boot_id = CAST(x'ff' AS TEXT)",		/* not UTF-8 */
	};
	struct fx *f = *state;
	struct snt_store *st;
	struct snt_store_iter *it = NULL;
	struct snt_entry e;
	sqlite3 *db;

	for (size_t k = 0; k < SNT_ARRAY_SIZE(bad); k++) {
		char sql[256];

		remove_log(f->path);
		st = open_rw(f->path);
		append_n(st, 0, 2);
		snt_store_close(st);
		db = raw_open(f->path);
		/* Bypass the schema's own guards the way a tamperer would. */
		snprintf(sql, sizeof(sql), "PRAGMA ignore_check_constraints = ON; "
			 "DROP TRIGGER entries_no_update; UPDATE entries SET %s WHERE seq = 2", bad[k]);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);

		st = open_rw(f->path);
		assert_int_equal(snt_store_get(st, 1, &e), SNT_STORE_OK);
		assert_int_equal(snt_store_get(st, 2, &e), SNT_STORE_ERR_CORRUPT);
		assert_non_null(strstr(snt_store_errmsg(st), "entry 2"));
		assert_int_equal(snt_store_iter_new(st, 0, &it), SNT_STORE_OK);
		assert_int_equal(snt_store_iter_next(it, &e), SNT_STORE_OK);
		assert_int_equal(snt_store_iter_next(it, &e), SNT_STORE_ERR_CORRUPT);
		assert_int_equal(snt_store_iter_next(it, &e), SNT_STORE_ERR_DONE);
		snt_store_iter_free(it);
		snt_store_close(st);
	}
}

static void test_wal_and_synchronous_full(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_store_info info;
	char mode[16];
	sqlite3 *db;

	assert_int_equal(snt_store_get_info(st, &info), SNT_STORE_OK);
	assert_string_equal(info.journal_mode, "wal");
	assert_int_equal(info.synchronous, 2);	/* FULL */
	assert_int_equal(info.user_version, SNT_STORE_SCHEMA_VERSION);
	assert_int_equal(info.busy_timeout_ms, 5000);
	assert_true(info.foreign_keys);
	assert_false(info.readonly);
	snt_store_close(st);

	/* WAL is persistent: another connection sees it in the file. */
	db = raw_open(f->path);
	raw_text(db, "PRAGMA journal_mode", mode, sizeof(mode));
	assert_string_equal(mode, "wal");
	assert_int_equal(raw_int(db, "PRAGMA user_version"), SNT_STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "PRAGMA application_id"), 0x534e544c);
	sqlite3_close(db);

	assert_int_equal(snt_store_open(f->path, true, &st), SNT_STORE_OK);
	assert_int_equal(snt_store_get_info(st, &info), SNT_STORE_OK);
	assert_string_equal(info.journal_mode, "wal");
	assert_int_equal(info.synchronous, 2);
	assert_true(info.readonly);
	snt_store_close(st);
}

static void test_newer_schema_refused(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = NULL;
	char mode[16], sql[128];
	sqlite3 *db;

	db = raw_open(f->path);
	snprintf(sql, sizeof(sql), "PRAGMA application_id = 1397642316; CREATE TABLE future (x); "
		 "PRAGMA user_version = %d", SNT_STORE_SCHEMA_VERSION + 1);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(snt_store_open(f->path, false, &st), SNT_STORE_ERR_SCHEMA);
	assert_null(st);
	assert_int_equal(snt_store_open(f->path, true, &st), SNT_STORE_ERR_SCHEMA);
	assert_null(st);

	/* Left as it was: still the newer version, a rollback journal, no entries. */
	db = raw_open(f->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), SNT_STORE_SCHEMA_VERSION + 1);
	raw_text(db, "PRAGMA journal_mode", mode, sizeof(mode));
	assert_string_equal(mode, "delete");
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'entries'"), 0);
	sqlite3_close(db);
}

static void test_foreign_database_refused(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = NULL;
	sqlite3 *db;

	/* Someone else's database, no user_version: never migrate into it. */
	db = raw_open(f->path);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE photos (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(snt_store_open(f->path, false, &st), SNT_STORE_ERR_SCHEMA);
	assert_null(st);

	/* Another program's application_id with its own user_version. */
	db = raw_open(f->path);
	assert_int_equal(sqlite3_exec(db, "PRAGMA application_id = 42; PRAGMA user_version = 1",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(snt_store_open(f->path, false, &st), SNT_STORE_ERR_SCHEMA);
	assert_null(st);

	db = raw_open(f->path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'entries'"), 0);
	sqlite3_close(db);
}

static void test_not_a_database(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = NULL;
	char junk[4096], back[4096];
	FILE *fp;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)('a' + i % 26);
	write_file(f->path, junk, sizeof(junk));
	assert_int_equal(snt_store_open(f->path, false, &st), SNT_STORE_ERR_CORRUPT);
	assert_null(st);
	assert_int_equal(snt_store_open(f->path, true, &st), SNT_STORE_ERR_CORRUPT);
	assert_null(st);

	fp = fopen(f->path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(back, 1, sizeof(back), fp), sizeof(back));
	fclose(fp);
	assert_memory_equal(junk, back, sizeof(junk));
}

static void test_missing_directory_or_file(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = NULL;
	char path[192];

	snprintf(path, sizeof(path), "%s/no-such-dir/log.db", f->dir);
	assert_int_equal(snt_store_open(path, false, &st), SNT_STORE_ERR_OPEN);
	assert_null(st);
	assert_int_equal(snt_store_open(path, true, &st), SNT_STORE_ERR_OPEN);
	assert_null(st);
	/* Read-only open never creates the file. */
	assert_int_equal(snt_store_open(f->path, true, &st), SNT_STORE_ERR_OPEN);
	assert_null(st);
	assert_false(file_exists(f->path));
}

static void test_readonly_empty_file(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = NULL;
	struct stat sb;

	write_file(f->path, "", 0);
	assert_int_equal(snt_store_open(f->path, true, &st), SNT_STORE_ERR_SCHEMA);
	assert_null(st);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_size, 0);
}

static void test_readonly_writes_nothing(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_entry e, orig;
	char sub[128], subpath[192];

	append_n(st, 0, 2);
	snt_store_close(st);

	/* A store opened read-only refuses to append. */
	assert_int_equal(snt_store_open(f->path, true, &st), SNT_STORE_OK);
	make_entry(&e, 5);
	orig = e;
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_ERR_READONLY);
	assert_memory_equal(&e, &orig, sizeof(e));
	assert_int_equal(last_seq(st), 2);
	snt_store_close(st);

	if (geteuid() == 0) {
		fprintf(stderr, "SKIP (part): running as root, chmod does not block root: "
				"read-only file and directory cases not run\n");
		goto reopen;
	}

	/* A write-protected file: writable open refused. */
	st = NULL;
	assert_int_equal(chmod(f->path, 0444), 0);
	assert_int_equal(snt_store_open(f->path, false, &st), SNT_STORE_ERR_READONLY);
	assert_null(st);
	assert_int_equal(chmod(f->path, 0644), 0);

	/* A fresh log in a read-only directory cannot be created. */
	snprintf(sub, sizeof(sub), "%s/ro", f->dir);
	assert_int_equal(mkdir(sub, 0555), 0);
	snprintf(subpath, sizeof(subpath), "%s/log.db", sub);
	assert_int_equal(snt_store_open(subpath, false, &st), SNT_STORE_ERR_OPEN);
	assert_null(st);
	assert_false(file_exists(subpath));

	/*
	 * An existing log in a directory the reader cannot write (staff running
	 * sentinelctl while the daemon is stopped): the persisted -wal/-shm make
	 * a read-only open work; with the log files write-protected too, a
	 * writable open is refused.
	 */
	assert_int_equal(chmod(sub, 0755), 0);
	st = open_rw(subpath);
	append_n(st, 0, 1);
	snt_store_close(st);
	st = NULL;
	assert_int_equal(chmod(sub, 0555), 0);
	assert_int_equal(snt_store_open(subpath, true, &st), SNT_STORE_OK);
	assert_int_equal(last_seq(st), 1);
	snt_store_close(st);
	st = NULL;
	assert_int_equal(chmod(subpath, 0444), 0);
	assert_int_equal(snt_store_open(subpath, false, &st), SNT_STORE_ERR_READONLY);
	assert_null(st);
	assert_int_equal(chmod(sub, 0755), 0);
	assert_int_equal(chmod(subpath, 0644), 0);
	st = open_rw(subpath);
	assert_int_equal(last_seq(st), 1);
	snt_store_close(st);

reopen:
	st = open_rw(f->path);
	assert_int_equal(last_seq(st), 2);
	snt_store_close(st);
}

static void test_busy_writer(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_entry e, orig;
	sqlite3 *db;

	append_n(st, 0, 1);
	db = raw_open(f->path);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	make_entry(&e, 2);
	orig = e;
	/* Waits out the 5000 ms busy timeout, then gives up whole. */
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_ERR_BUSY);
	assert_memory_equal(&e, &orig, sizeof(e));
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(last_seq(st), 1);
	/* The store is usable again and the chain goes on. */
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	assert_int_equal(e.seq, 2);
	snt_store_close(st);
}

/*
 * The schema version 1 fixture (tests/fixtures/store/README), written by the
 * first release of the store: it opens, migrates to the current version,
 * keeps every entry and hash, and the chain goes on from it.
 */
static void test_fixture_v1_migrates(void **state)
{
	static const uint8_t payload[] = { 'H', 'C', '1', ':', 0x00, 0xff, 'x' };
	struct fx *f = *state;
	struct snt_store *st;
	struct snt_store_info info;
	struct snt_store_verify_report r;
	struct snt_store_purge_result pr;
	struct snt_entry e;
	uint8_t prev[SNT_HASH_LEN] = { 0 }, h[SNT_HASH_LEN];
	char hex[2 * SNT_HASH_LEN + 1];
	int64_t ack;

	copy_file(FIX_STORE "v1.db", f->path);
	st = open_rw(f->path);
	assert_int_equal(snt_store_get_info(st, &info), SNT_STORE_OK);
	assert_int_equal(info.user_version, SNT_STORE_SCHEMA_VERSION);
	assert_string_equal(info.journal_mode, "wal");
	assert_int_equal(last_seq(st), 3);
	for (int64_t seq = 1; seq <= 3; seq++) {
		assert_int_equal(snt_store_get(st, seq, &e), SNT_STORE_OK);
		assert_int_equal(e.seq, seq);
		assert_memory_equal(e.prev_hash, prev, SNT_HASH_LEN);
		assert_int_equal(snt_store_entry_hash(&e, h), SNT_STORE_OK);
		assert_memory_equal(h, e.hash, SNT_HASH_LEN);
		memcpy(prev, e.hash, SNT_HASH_LEN);
	}
	/* A certificate logged before schema 5 keeps its payload: its hash covers it. */
	assert_int_equal(snt_store_get(st, 1, &e), SNT_STORE_OK);
	assert_int_equal(e.format, SNT_FORMAT_HCERT);
	assert_string_equal(e.subject, "\xe5\xbc\xa0*");
	assert_int_equal(e.payload_len, sizeof(payload));
	assert_memory_equal(e.payload, payload, sizeof(payload));
	assert_false(e.has_payload_hash);
	assert_int_equal(e.temp_dc, 365);
	assert_int_equal(snt_store_get(st, 3, &e), SNT_STORE_OK);
	assert_false(e.has_temp);
	assert_int_equal(e.reasons, 0);
	snt_hex_encode(e.hash, SNT_HASH_LEN, hex);
	assert_string_equal(hex, "65fe29fdf9c6865ef5395e164fc8ee741dd83f6f5262a9054825f359166381bd");

	/* The chain goes on from the migrated entries. */
	make_entry(&e, 4);
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	assert_int_equal(e.seq, 4);
	assert_memory_equal(e.prev_hash, prev, SNT_HASH_LEN);

	/* Version 2: no acknowledgement yet, the log verifies, a purge works. */
	assert_int_equal(snt_store_get_ack(st, &ack), SNT_STORE_OK);
	assert_int_equal(ack, 0);
	assert_int_equal(snt_store_verify(st, NULL, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_CLEAN);
	assert_int_equal(r.entries, 4);
	assert_int_equal(snt_store_set_ack(st, 3), SNT_STORE_OK);
	assert_int_equal(snt_store_purge(st, FAR_FUTURE, NOW, &pr), SNT_STORE_OK);
	assert_int_equal(pr.count, 3);
	assert_int_equal(pr.last_seq, 3);
	snt_hex_encode(pr.anchor, SNT_HASH_LEN, hex);
	assert_string_equal(hex, "65fe29fdf9c6865ef5395e164fc8ee741dd83f6f5262a9054825f359166381bd");
	assert_int_equal(snt_store_verify(st, NULL, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_CLEAN);
	assert_int_equal(r.entries, 1);
	assert_int_equal(r.first_seq, 4);
	assert_int_equal(r.anchor_seq, 3);
	snt_store_close(st);
}

/* A migration step that fails leaves the version 1 file as it was. */
static void test_fixture_v1_failed_migration(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = NULL;
	char sql[512];
	sqlite3 *db;

	copy_file(FIX_STORE "v1.db", f->path);
	/* Read-only: an older schema is refused and nothing is written. */
	assert_int_equal(snt_store_open(f->path, true, &st), SNT_STORE_ERR_SCHEMA);
	assert_null(st);
	assert_true(files_equal(FIX_STORE "v1.db", f->path));

	/* A table in the way of step 1 -> 2: the step fails whole. */
	db = raw_open(f->path);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE rebase (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(snt_store_open(f->path, false, &st), SNT_STORE_ERR_SCHEMA);
	assert_null(st);
	db = raw_open(f->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE name IN "
				     "('ack', 'purges', 'purges_rule', 'ack_forward')"), 0);
	raw_text(db, "SELECT sql FROM sqlite_schema WHERE name = 'entries_chain'", sql, sizeof(sql));
	assert_null(strstr(sql, "purges"));
	assert_int_equal(raw_int(db, "SELECT count(*) FROM entries"), 3);
	sqlite3_close(db);
}

/* make_entry() at day @day after T0 on a trusted clock. */
static void make_entry_day(struct snt_entry *e, int i, int day)
{
	make_entry(e, i);
	e->clock = SNT_CLOCK_TRUSTED;
	e->time_utc_ms = T0 + day * DAY_MS;
}

/* Append entries on days @days[0..n-1], one each. */
static void append_days(struct snt_store *st, const int *days, int n)
{
	for (int i = 0; i < n; i++) {
		struct snt_entry e;

		make_entry_day(&e, i, days[i]);
		assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	}
}

static void verify_ok(struct snt_store *st, struct snt_store_verify_report *r)
{
	assert_int_equal(snt_store_verify(st, NULL, r), SNT_STORE_OK);
	if (r->status != SNT_VERIFY_CLEAN)
		fail_msg("verify: seq %lld: %s", (long long)r->first_bad_seq, r->reason);
	assert_string_equal(r->reason, "");
	assert_int_equal(r->first_bad_seq, 0);
}

static void test_ack_cursor(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	char msg[256];
	int64_t ack = -1;

	assert_int_equal(snt_store_get_ack(st, &ack), SNT_STORE_OK);
	assert_int_equal(ack, 0);
	assert_int_equal(snt_store_set_ack(st, 0), SNT_STORE_OK);
	assert_int_equal(snt_store_set_ack(st, 1), SNT_STORE_ERR_RANGE);
	append_n(st, 0, 5);
	assert_int_equal(snt_store_set_ack(st, 3), SNT_STORE_OK);
	assert_int_equal(snt_store_get_ack(st, &ack), SNT_STORE_OK);
	assert_int_equal(ack, 3);
	assert_int_equal(snt_store_set_ack(st, 3), SNT_STORE_OK);	/* again: no change */
	assert_int_equal(snt_store_set_ack(st, 2), SNT_STORE_ERR_STALE);
	assert_string_equal(snt_store_errmsg(st), "acknowledgement 2 is below the recorded 3");
	assert_int_equal(snt_store_set_ack(st, 6), SNT_STORE_ERR_RANGE);
	assert_string_equal(snt_store_errmsg(st), "acknowledgement 6 is past the last seq 5");
	assert_int_equal(snt_store_set_ack(st, -1), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_set_ack(NULL, 1), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_get_ack(NULL, &ack), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_get_ack(st, NULL), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_get_ack(st, &ack), SNT_STORE_OK);
	assert_int_equal(ack, 3);
	assert_int_equal(snt_store_set_ack(st, 5), SNT_STORE_OK);
	snt_store_close(st);

	/* Kept across a reopen; a read-only store reads it and cannot move it. */
	assert_int_equal(snt_store_open(f->path, true, &st), SNT_STORE_OK);
	assert_int_equal(snt_store_get_ack(st, &ack), SNT_STORE_OK);
	assert_int_equal(ack, 5);
	assert_int_equal(snt_store_set_ack(st, 5), SNT_STORE_ERR_READONLY);
	snt_store_close(st);

	/* Raw SQL cannot move it back, past the end, delete or replace it. */
	assert_int_equal(raw_exec(f->path, "UPDATE ack SET seq = 4", msg, sizeof(msg)), SQLITE_CONSTRAINT);
	assert_string_equal(msg, "the acknowledgement cursor only moves forward, up to the last entry");
	assert_int_equal(raw_exec(f->path, "UPDATE ack SET seq = 6", msg, sizeof(msg)), SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(f->path, "DELETE FROM ack", msg, sizeof(msg)), SQLITE_CONSTRAINT);
	assert_string_equal(msg, "the acknowledgement cursor is one row");
	assert_int_equal(raw_exec(f->path, "INSERT OR REPLACE INTO ack (id, seq) VALUES (1, 0)", msg,
				  sizeof(msg)), SQLITE_CONSTRAINT);
	assert_string_equal(msg, "the acknowledgement cursor is one row");
	assert_int_equal(raw_exec(f->path, "INSERT INTO ack (id, seq) VALUES (2, 0)", msg, sizeof(msg)),
			 SQLITE_CONSTRAINT);
	assert_int_equal(count_rows(f->path, "SELECT seq FROM ack"), 5);
}

static void test_append_batch(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_store_verify_report r;
	struct snt_entry b[4], out;
	uint8_t zero[SNT_HASH_LEN] = { 0 };

	assert_int_equal(snt_store_append_batch(st, NULL, 0), SNT_STORE_OK);
	assert_int_equal(snt_store_append_batch(st, NULL, 1), SNT_STORE_ERR_INVAL);
	append_n(st, 0, 2);
	for (int i = 0; i < 4; i++) {
		make_entry(&b[i], 10 + i);
		b[i].seq = 77;	/* ignored */
	}
	assert_int_equal(snt_store_append_batch(NULL, b, 4), SNT_STORE_ERR_INVAL);
	assert_int_equal(b[0].seq, 0);	/* zeroed: none of them is in the log */
	assert_int_equal(snt_store_append_batch(st, b, 4), SNT_STORE_OK);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(b[i].seq, 3 + i);
		assert_int_equal(snt_store_get(st, b[i].seq, &out), SNT_STORE_OK);
		assert_same_content(&b[i], &out);
		assert_memory_equal(out.hash, b[i].hash, SNT_HASH_LEN);
		if (i > 0)
			assert_memory_equal(b[i].prev_hash, b[i - 1].hash, SNT_HASH_LEN);
	}
	assert_int_equal(snt_store_get(st, 2, &out), SNT_STORE_OK);
	assert_memory_equal(b[0].prev_hash, out.hash, SNT_HASH_LEN);

	/* One bad entry fails the whole batch before anything is written. */
	for (int i = 0; i < 4; i++)
		make_entry(&b[i], 20 + i);
	b[2].colour = (enum snt_colour)9;
	assert_int_equal(snt_store_append_batch(st, b, 4), SNT_STORE_ERR_INVAL);
	assert_int_equal(last_seq(st), 6);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(b[i].seq, 0);
		assert_memory_equal(b[i].hash, zero, SNT_HASH_LEN);
	}
	/* A failing insert (busy) rolls the whole batch back. */
	b[2].colour = SNT_COLOUR_RED;
	{
		sqlite3 *db = raw_open(f->path);

		assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(snt_store_append_batch(st, b, 4), SNT_STORE_ERR_BUSY);
		assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
	}
	assert_int_equal(last_seq(st), 6);
	assert_int_equal(b[0].seq, 0);
	assert_int_equal(snt_store_append_batch(st, b, 4), SNT_STORE_OK);
	assert_int_equal(b[3].seq, 10);
	verify_ok(st, &r);
	assert_int_equal(r.entries, 10);
	snt_store_close(st);

	assert_int_equal(snt_store_open(f->path, true, &st), SNT_STORE_OK);
	assert_int_equal(snt_store_append_batch(st, b, 1), SNT_STORE_ERR_READONLY);
	assert_int_equal(b[0].seq, 0);
	snt_store_close(st);
}

static void assert_purge_row(const char *path, int64_t first, int64_t last, int64_t cutoff,
			     int64_t ack, int64_t now, const uint8_t anchor[SNT_HASH_LEN])
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *s = NULL;
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT first_seq, count, cutoff_utc_ms, ack_seq, purged_utc_ms, "
		 "anchor_hash FROM purges WHERE last_seq = %lld", (long long)last);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(s, 0), first);
	assert_int_equal(sqlite3_column_int64(s, 1), last - first + 1);
	assert_int_equal(sqlite3_column_int64(s, 2), cutoff);
	assert_int_equal(sqlite3_column_int64(s, 3), ack);
	assert_int_equal(sqlite3_column_int64(s, 4), now);
	assert_int_equal(sqlite3_column_bytes(s, 5), SNT_HASH_LEN);
	assert_memory_equal(sqlite3_column_blob(s, 5), anchor, SNT_HASH_LEN);
	sqlite3_finalize(s);
	sqlite3_close(db);
}

static void test_purge_rule(void **state)
{
	/* seq:            1  2  3  4  5  6  7   8  9  10 */
	static const int days[] = { 0, 1, 2, 3, 4, 5, 60, 6, 7, 8 };
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_store_purge_result pr;
	struct snt_store_verify_report r;
	struct snt_entry e;
	int64_t cutoff;

	/* Nothing at all, then nothing acknowledged. */
	assert_int_equal(snt_store_purge(st, FAR_FUTURE, NOW, &pr), SNT_STORE_OK);
	assert_int_equal(pr.count, 0);
	assert_int_equal(pr.stop, SNT_PURGE_STOP_END);
	assert_int_equal(pr.next_seq, 0);
	append_days(st, days, 10);
	assert_int_equal(snt_store_purge(st, FAR_FUTURE, NOW, &pr), SNT_STORE_OK);
	assert_int_equal(pr.count, 0);
	assert_int_equal(pr.stop, SNT_PURGE_STOP_ACK);
	assert_int_equal(pr.next_seq, 1);
	assert_int_equal(pr.ack_seq, 0);
	assert_int_equal(count_rows(f->path, "SELECT count(*) FROM purges"), 0);

	/* Older than day 3 (strictly), acknowledged up to 6: seq 1-3 go. */
	assert_int_equal(snt_store_set_ack(st, 6), SNT_STORE_OK);
	cutoff = T0 + 3 * DAY_MS;
	assert_int_equal(snt_store_purge(st, cutoff, NOW, &pr), SNT_STORE_OK);
	assert_int_equal(pr.count, 3);
	assert_int_equal(pr.first_seq, 1);
	assert_int_equal(pr.last_seq, 3);
	assert_int_equal(pr.stop, SNT_PURGE_STOP_CUTOFF);
	assert_int_equal(pr.next_seq, 4);
	assert_int_equal(pr.ack_seq, 6);
	assert_int_equal(snt_store_get(st, 3, &e), SNT_STORE_ERR_DONE);
	assert_int_equal(snt_store_get(st, 4, &e), SNT_STORE_OK);
	assert_memory_equal(e.prev_hash, pr.anchor, SNT_HASH_LEN);	/* the anchor is 3's hash */
	assert_purge_row(f->path, 1, 3, cutoff, 6, NOW, pr.anchor);
	assert_int_equal(last_seq(st), 10);
	verify_ok(st, &r);
	assert_int_equal(r.entries, 7);
	assert_int_equal(r.first_seq, 4);
	assert_int_equal(r.last_good_seq, 10);
	assert_int_equal(r.anchor_seq, 3);
	assert_int_equal(r.purges, 1);
	assert_int_equal(r.ack_seq, 6);

	/* Never above the cursor: 4-6 go, 7 is old enough but not acknowledged. */
	assert_int_equal(snt_store_purge(st, FAR_FUTURE, NOW, &pr), SNT_STORE_OK);
	assert_int_equal(pr.first_seq, 4);
	assert_int_equal(pr.last_seq, 6);
	assert_int_equal(pr.stop, SNT_PURGE_STOP_ACK);
	assert_int_equal(pr.next_seq, 7);

	/*
	 * A contiguous prefix only: 7 (day 60) is newer than the cutoff (day 10),
	 * so 8-10 stay although they are older and acknowledged.
	 */
	assert_int_equal(snt_store_set_ack(st, 10), SNT_STORE_OK);
	assert_int_equal(snt_store_purge(st, T0 + 10 * DAY_MS, NOW, &pr), SNT_STORE_OK);
	assert_int_equal(pr.count, 0);
	assert_int_equal(pr.stop, SNT_PURGE_STOP_CUTOFF);
	assert_int_equal(pr.next_seq, 7);
	/* An entry exactly at the cutoff is not older than it. */
	assert_int_equal(snt_store_purge(st, T0 + 60 * DAY_MS, NOW, &pr), SNT_STORE_OK);
	assert_int_equal(pr.count, 0);
	assert_int_equal(snt_store_purge(st, T0 + 60 * DAY_MS + 1, NOW + 1, &pr), SNT_STORE_OK);
	assert_int_equal(pr.first_seq, 7);
	assert_int_equal(pr.last_seq, 10);
	assert_int_equal(pr.stop, SNT_PURGE_STOP_END);
	assert_int_equal(pr.next_seq, 0);
	assert_purge_row(f->path, 7, 10, T0 + 60 * DAY_MS + 1, 10, NOW + 1, pr.anchor);
	verify_ok(st, &r);
	assert_int_equal(r.entries, 0);
	assert_int_equal(r.anchor_seq, 10);
	assert_int_equal(r.purges, 3);

	/* Empty, and the sequence and the chain go on from the anchor. */
	assert_int_equal(last_seq(st), 10);
	assert_int_equal(snt_store_purge(st, FAR_FUTURE, NOW, &pr), SNT_STORE_OK);
	assert_int_equal(pr.count, 0);
	assert_int_equal(pr.stop, SNT_PURGE_STOP_END);
	make_entry_day(&e, 11, 9);
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	assert_int_equal(e.seq, 11);
	assert_purge_row(f->path, 7, 10, T0 + 60 * DAY_MS + 1, 10, NOW + 1, e.prev_hash);
	verify_ok(st, &r);
	assert_int_equal(r.entries, 1);
	assert_int_equal(r.first_seq, 11);
	assert_int_equal(snt_store_set_ack(st, 11), SNT_STORE_OK);
	assert_int_equal(snt_store_set_ack(st, 12), SNT_STORE_ERR_RANGE);
	snt_store_close(st);

	/* Argument errors. */
	assert_int_equal(snt_store_purge(NULL, 0, 0, &pr), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_open(f->path, true, &st), SNT_STORE_OK);
	assert_int_equal(snt_store_purge(st, 0, 0, NULL), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_purge(st, FAR_FUTURE, NOW, &pr), SNT_STORE_ERR_READONLY);
	snt_store_close(st);
}

/* A long purge goes in chunks, one record each; the chain verifies throughout. */
static void test_purge_in_chunks(void **state)
{
	enum { N = 2 * SNT_STORE_PURGE_CHUNK + 7 };
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_store_purge_result pr;
	struct snt_store_verify_report r;
	struct snt_entry *b = calloc(N, sizeof(*b));
	uint8_t head[SNT_HASH_LEN];

	assert_non_null(b);
	for (int i = 0; i < N; i++)
		make_entry_day(&b[i], i, 1);
	assert_int_equal(snt_store_append_batch(st, b, N), SNT_STORE_OK);
	memcpy(head, b[SNT_STORE_PURGE_CHUNK + 1].hash, SNT_HASH_LEN);
	free(b);

	/* Stop by the cursor inside the second chunk. */
	assert_int_equal(snt_store_set_ack(st, SNT_STORE_PURGE_CHUNK + 2), SNT_STORE_OK);
	assert_int_equal(snt_store_purge(st, FAR_FUTURE, NOW, &pr), SNT_STORE_OK);
	assert_int_equal(pr.first_seq, 1);
	assert_int_equal(pr.last_seq, SNT_STORE_PURGE_CHUNK + 2);
	assert_int_equal(pr.count, SNT_STORE_PURGE_CHUNK + 2);
	assert_memory_equal(pr.anchor, head, SNT_HASH_LEN);
	assert_int_equal(pr.stop, SNT_PURGE_STOP_ACK);
	assert_int_equal(pr.next_seq, SNT_STORE_PURGE_CHUNK + 3);
	assert_int_equal(count_rows(f->path, "SELECT count(*) FROM purges"), 2);
	assert_int_equal(count_rows(f->path, "SELECT last_seq FROM purges WHERE first_seq = 1"),
			 SNT_STORE_PURGE_CHUNK);
	verify_ok(st, &r);
	assert_int_equal(r.entries, N - SNT_STORE_PURGE_CHUNK - 2);
	assert_int_equal(r.purges, 2);

	/* To the end: exactly one more full chunk and a last short one. */
	assert_int_equal(snt_store_set_ack(st, N), SNT_STORE_OK);
	assert_int_equal(snt_store_purge(st, FAR_FUTURE, NOW, &pr), SNT_STORE_OK);
	assert_int_equal(pr.first_seq, SNT_STORE_PURGE_CHUNK + 3);
	assert_int_equal(pr.last_seq, N);
	assert_int_equal(pr.count, N - SNT_STORE_PURGE_CHUNK - 2);
	assert_int_equal(pr.stop, SNT_PURGE_STOP_END);
	assert_int_equal(count_rows(f->path, "SELECT count(*) FROM purges"), 4);
	verify_ok(st, &r);
	assert_int_equal(r.entries, 0);
	assert_int_equal(r.anchor_seq, N);
	snt_store_close(st);
}

/*
 * Entries written under an untrusted clock count with their rebased time
 * when their boot was rebased: a clock stuck in 1970 does not make a fresh
 * entry old, and one years ahead does not keep an old entry forever.
 */
static void test_purge_rebased_time(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_store_purge_result pr;
	struct snt_store_verify_report r;
	struct snt_entry e;

	/* seq 1: boot A, clock years ahead, really day 1 (rebased). */
	make_entry_day(&e, 0, 4000);
	e.clock = SNT_CLOCK_UNTRUSTED;
	snprintf(e.boot_id, sizeof(e.boot_id), "%s", "boot-a");
	e.mono_ms = DAY_MS;
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	/* seq 2: boot B, clock at 1970, really day 100 (rebased). */
	make_entry_day(&e, 1, 0);
	e.time_utc_ms = 5000;
	e.clock = SNT_CLOCK_UNTRUSTED;
	snprintf(e.boot_id, sizeof(e.boot_id), "%s", "boot-b");
	e.mono_ms = 10 * DAY_MS;
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	assert_int_equal(snt_store_set_ack(st, 2), SNT_STORE_OK);

	/* Without the rebase rows: seq 1 looks newer than the cutoff. */
	assert_int_equal(snt_store_purge(st, T0 + 50 * DAY_MS, NOW, &pr), SNT_STORE_OK);
	assert_int_equal(pr.count, 0);
	assert_int_equal(pr.stop, SNT_PURGE_STOP_CUTOFF);
	assert_int_equal(pr.next_seq, 1);

	assert_int_equal(snt_store_set_rebase(st, "boot-a", T0, "ntp", T0 + 2 * DAY_MS), SNT_STORE_OK);
	assert_int_equal(snt_store_set_rebase(st, "boot-b", T0 + 90 * DAY_MS, "bureau",
					      T0 + 91 * DAY_MS), SNT_STORE_OK);
	assert_int_equal(snt_store_purge(st, T0 + 50 * DAY_MS, NOW, &pr), SNT_STORE_OK);
	assert_int_equal(pr.count, 1);
	assert_int_equal(pr.last_seq, 1);
	assert_int_equal(pr.stop, SNT_PURGE_STOP_CUTOFF);	/* seq 2 is really day 100 */
	assert_int_equal(pr.next_seq, 2);
	assert_int_equal(snt_store_purge(st, T0 + 101 * DAY_MS, NOW, &pr), SNT_STORE_OK);
	assert_int_equal(pr.last_seq, 2);
	verify_ok(st, &r);
	snt_store_close(st);
}

static void test_purge_raw_sql_refused(void **state)
{
	static const int days[] = { 0, 1, 2, 3, 4, 5 };
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_store_purge_result pr;
	struct snt_store_verify_report r;
	char msg[256];

	append_days(st, days, 6);
	assert_int_equal(snt_store_set_ack(st, 4), SNT_STORE_OK);
	snt_store_close(st);

#define PURGE_SQL(first, last, count, anchor_seq) \
	"INSERT INTO purges (first_seq, last_seq, count, anchor_hash, cutoff_utc_ms, ack_seq, " \
	"purged_utc_ms) VALUES (" #first ", " #last ", " #count ", (SELECT hash FROM entries " \
	"WHERE seq = " #anchor_seq "), 0, 4, 0)"
	static const char *const refused[] = {
		PURGE_SQL(2, 3, 2, 3),		/* not a prefix */
		PURGE_SQL(1, 5, 5, 5),		/* above the cursor */
		PURGE_SQL(1, 2, 2, 1),		/* anchor not the hash of last_seq */
		PURGE_SQL(1, 2, 3, 2),		/* count not the range's */
		PURGE_SQL(0, 2, 3, 2),		/* not from 1 */
		PURGE_SQL(3, 2, 0, 2),		/* backwards */
		"INSERT INTO purges (first_seq, last_seq, count, anchor_hash, cutoff_utc_ms, ack_seq, "
		"purged_utc_ms) VALUES (1, 2, 2, (SELECT hash FROM entries WHERE seq = 2), 0, 3, 0)",
	};

	for (size_t k = 0; k < SNT_ARRAY_SIZE(refused); k++) {
		int rc = raw_exec(f->path, refused[k], msg, sizeof(msg));

		if (rc != SQLITE_CONSTRAINT)
			fail_msg("raw purge %zu: rc %d, %s", k, rc, msg);
		if (k != 4)	/* first_seq 0 fails the CHECK first */
			assert_string_equal(msg, "a purge removes an acknowledged prefix of the chain");
	}
	/* Raw DELETE: refused for any row, acknowledged or not, and for all. */
	assert_int_equal(raw_exec(f->path, "DELETE FROM entries WHERE seq = 1", msg, sizeof(msg)),
			 SQLITE_CONSTRAINT);
	assert_string_equal(msg, "entries are append-only");
	assert_int_equal(raw_exec(f->path, "DELETE FROM entries WHERE seq = 6", msg, sizeof(msg)),
			 SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(f->path, "DELETE FROM entries", msg, sizeof(msg)), SQLITE_CONSTRAINT);
	assert_int_equal(count_rows(f->path, "SELECT count(*) FROM entries"), 6);

	/* The one way: a record the trigger accepts deletes exactly its range. */
	assert_int_equal(raw_exec(f->path, PURGE_SQL(1, 2, 2, 2), msg, sizeof(msg)), SQLITE_OK);
	assert_int_equal(count_rows(f->path, "SELECT min(seq) FROM entries"), 3);
	assert_int_equal(count_rows(f->path, "SELECT count(*) FROM entries"), 4);
	/* Purged: still no raw DELETE of the rest, and the record is permanent. */
	assert_int_equal(raw_exec(f->path, "DELETE FROM entries WHERE seq = 3", msg, sizeof(msg)),
			 SQLITE_CONSTRAINT);
	assert_string_equal(msg, "entries are append-only");
	assert_int_equal(raw_exec(f->path, "DELETE FROM purges", msg, sizeof(msg)), SQLITE_CONSTRAINT);
	assert_string_equal(msg, "purge records are append-only");
	assert_int_equal(raw_exec(f->path, "UPDATE purges SET last_seq = 4, count = 4", msg, sizeof(msg)),
			 SQLITE_CONSTRAINT);
	assert_string_equal(msg, "purge records are append-only");
	assert_int_equal(raw_exec(f->path, "INSERT OR REPLACE INTO purges (first_seq, last_seq, count, "
					   "anchor_hash, cutoff_utc_ms, ack_seq, purged_utc_ms) "
					   "SELECT 1, 2, 2, anchor_hash, 0, 4, 0 FROM purges",
				  msg, sizeof(msg)), SQLITE_CONSTRAINT);
	/* The chain after the anchor cannot be restarted from zeros. */
	assert_int_equal(raw_exec(f->path, "INSERT INTO entries SELECT 7, boot_id, mono_ms, time_utc_ms, "
					   "clock, kind, format, colour, verified, temp_dc, decision, "
					   "reasons, door, subject, payload, zeroblob(32), hash, detail, payload_hash, birth_year "
					   "FROM entries WHERE seq = 6", msg, sizeof(msg)),
			 SQLITE_CONSTRAINT);
	assert_string_equal(msg, "entries must extend the chain");

	st = open_rw(f->path);
	verify_ok(st, &r);
	assert_int_equal(r.anchor_seq, 2);
	assert_int_equal(r.entries, 4);
	assert_int_equal(snt_store_purge(st, FAR_FUTURE, NOW, &pr), SNT_STORE_OK);
	assert_int_equal(pr.first_seq, 3);
	assert_int_equal(pr.last_seq, 4);
	verify_ok(st, &r);
	snt_store_close(st);
#undef PURGE_SQL
}

/* A purge checks its range first: it never erases the evidence of tampering. */
static void test_purge_refuses_damaged_range(void **state)
{
	static const int days[] = { 0, 1, 2, 3, 4 };
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_store_purge_result pr;
	char msg[256];

	append_days(st, days, 5);
	assert_int_equal(snt_store_set_ack(st, 4), SNT_STORE_OK);
	snt_store_close(st);
	assert_int_equal(raw_exec(f->path, "DROP TRIGGER entries_no_update; "
					   "UPDATE entries SET temp_dc = 365 WHERE seq = 2", msg, sizeof(msg)),
			 SQLITE_OK);
	st = open_rw(f->path);
	assert_int_equal(snt_store_purge(st, FAR_FUTURE, NOW, &pr), SNT_STORE_ERR_CORRUPT);
	assert_string_equal(snt_store_errmsg(st), "entry 2: hash mismatch; nothing purged");
	assert_int_equal(count_rows(f->path, "SELECT count(*) FROM entries"), 5);
	assert_int_equal(count_rows(f->path, "SELECT count(*) FROM purges"), 0);
	/* Up to before the damage is fine. */
	assert_int_equal(snt_store_purge(st, T0 + DAY_MS, NOW, &pr), SNT_STORE_OK);
	assert_int_equal(pr.count, 1);
	snt_store_close(st);

	/* A row missing inside the range, or at its end (trigger dropped): refused too. */
	for (int k = 0; k < 2; k++) {
		char sql[128];

		remove_log(f->path);
		st = open_rw(f->path);
		append_days(st, days, 5);
		assert_int_equal(snt_store_set_ack(st, 4), SNT_STORE_OK);
		snt_store_close(st);
		snprintf(sql, sizeof(sql), "DROP TRIGGER entries_no_delete; "
			 "DELETE FROM entries WHERE seq = %d", k == 0 ? 3 : 4);
		assert_int_equal(raw_exec(f->path, sql, msg, sizeof(msg)), SQLITE_OK);
		st = open_rw(f->path);
		assert_int_equal(snt_store_purge(st, FAR_FUTURE, NOW, &pr), SNT_STORE_ERR_CORRUPT);
		assert_string_equal(snt_store_errmsg(st), k == 0 ? "entry 4: gap before; nothing purged"
								 : "entry 4: missing; nothing purged");
		assert_int_equal(count_rows(f->path, "SELECT count(*) FROM purges"), 0);
		snt_store_close(st);
	}
}

static int64_t fake_mono(void *ctx)
{
	int64_t *t = ctx;

	*t += 250;
	return *t;
}

static int64_t fake_utc(void *ctx)
{
	(void)ctx;
	return T0;
}

static enum snt_clock_state fake_state(void *ctx)
{
	(void)ctx;
	return SNT_CLOCK_TRUSTED;
}

static void fake_sleep(void *ctx, int64_t ms)
{
	(void)ctx;
	(void)ms;
}

static void test_verify_clean(void **state)
{
	static const struct snt_clock_ops ops = {
		.mono_ms = fake_mono, .utc_ms = fake_utc, .state = fake_state, .sleep_ms = fake_sleep,
	};
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_store_verify_report r;
	int64_t t = 1000;
	struct snt_clock clk = { .ops = &ops, .ctx = &t };

	assert_int_equal(snt_store_verify(NULL, NULL, &r), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_verify(st, NULL, NULL), SNT_STORE_ERR_INVAL);
	/* Empty log. */
	assert_int_equal(snt_store_verify(st, &clk, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_CLEAN);
	assert_int_equal(r.entries, 0);
	assert_int_equal(r.first_seq, 0);
	assert_int_equal(r.last_good_seq, 0);
	assert_int_equal(r.elapsed_ms, 250);	/* two readings of the injected clock */
	append_n(st, 0, 9);
	assert_int_equal(snt_store_set_ack(st, 9), SNT_STORE_OK);
	snt_store_close(st);

	/* Read-only, as sentinelctl opens it. */
	assert_int_equal(snt_store_open(f->path, true, &st), SNT_STORE_OK);
	assert_int_equal(snt_store_verify(st, &clk, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_CLEAN);
	assert_string_equal(r.reason, "");
	assert_int_equal(r.first_bad_seq, 0);
	assert_int_equal(r.entries, 9);
	assert_int_equal(r.first_seq, 1);
	assert_int_equal(r.last_good_seq, 9);
	assert_int_equal(r.anchor_seq, 0);
	assert_int_equal(r.purges, 0);
	assert_int_equal(r.ack_seq, 9);
	assert_int_equal(r.elapsed_ms, 250);
	snt_store_close(st);
}

struct damage {
	const char *name;
	const char *sql;	/* raw SQL on a log of 6 entries (seq 1-3 purged when @purge) */
	bool purge;
	int64_t seq;		/* expected first bad seq */
	const char *reason;
	int64_t entries;	/* expected entries checked before it */
	int64_t last_good;	/* expected last good seq */
};

/* Each kind of damage is found and named with its exact seq and reason. */
static void test_verify_finds_damage(void **state)
{
	static const struct damage cases[] = {
		{ "edited row", "DROP TRIGGER entries_no_update; "
		  "UPDATE entries SET temp_dc = 365 WHERE seq = 4", false, 4, "hash mismatch", 3, 3 },
		{ "edited payload", "DROP TRIGGER entries_no_update; "
		  "UPDATE entries SET payload = x'00' WHERE seq = 4", false, 4, "hash mismatch", 3, 3 },
		{ "detail with a duplicate name", "DROP TRIGGER entries_no_update; "
		  "UPDATE entries SET detail = '{\"a\":1,\"a\":2}' WHERE seq = 4", false, 4, "invalid detail", 3, 3 },
		{ "edited payload hash", "DROP TRIGGER entries_no_update; "
		  "UPDATE entries SET payload_hash = zeroblob(32) WHERE seq = 5", false, 5, "hash mismatch", 4, 4 },
		{ "deleted row", "DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE seq = 4",
		  false, 5, "gap before", 3, 3 },
		{ "deleted first row", "DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE seq = 1",
		  false, 2, "gap before", 0, 0 },
		{ "swapped rows", "DROP TRIGGER entries_no_update; "
		  "CREATE TEMP TABLE t AS SELECT * FROM entries WHERE seq IN (3, 4); "
		  "UPDATE entries SET (boot_id, mono_ms, time_utc_ms, clock, kind, format, colour, verified, "
		  "temp_dc, decision, reasons, door, subject, payload, prev_hash, hash) = "
		  "(SELECT boot_id, mono_ms, time_utc_ms, clock, kind, format, colour, verified, temp_dc, "
		  "decision, reasons, door, subject, payload, prev_hash, hash FROM t "
		  "WHERE t.seq = 7 - entries.seq) WHERE seq IN (3, 4)",
		  false, 3, "prev_hash does not link", 2, 2 },
		{ "reordered rows", "DROP TRIGGER entries_no_update; "
		  "UPDATE entries SET seq = 100 WHERE seq = 3; UPDATE entries SET seq = 3 WHERE seq = 4; "
		  "UPDATE entries SET seq = 4 WHERE seq = 100", false, 3, "prev_hash does not link", 2, 2 },
		{ "row with a new seq", "DROP TRIGGER entries_no_update; "
		  "UPDATE entries SET seq = 7 WHERE seq = 6", false, 7, "gap before", 5, 5 },
		{ "bad enum name", "PRAGMA ignore_check_constraints = ON; DROP TRIGGER entries_no_update; "
		  "UPDATE entries SET clock = 'bogus' WHERE seq = 2", false, 2, "invalid clock", 1, 1 },
		{ "reasons out of order", "PRAGMA ignore_check_constraints = ON; "
		  "DROP TRIGGER entries_no_update; "
		  "UPDATE entries SET reasons = 'temp-normal,code-green' WHERE seq = 2", false, 2,
		  "invalid reasons", 1, 1 },
		{ "short hash", "PRAGMA ignore_check_constraints = ON; DROP TRIGGER entries_no_update; "
		  "UPDATE entries SET hash = x'00' WHERE seq = 6", false, 6, "invalid hash", 5, 5 },
		{ "acknowledged tail deleted", "DROP TRIGGER entries_no_delete; "
		  "DELETE FROM entries WHERE seq = 6", false, 6, "acknowledged entries missing", 5, 5 },
		{ "row inside a purged range", "DROP TRIGGER entries_chain; "
		  "INSERT INTO entries SELECT 2, boot_id, mono_ms, time_utc_ms, clock, kind, format, colour, "
		  "verified, temp_dc, decision, reasons, door, subject, payload, prev_hash, hash, detail, "
		  "payload_hash, birth_year FROM entries WHERE seq = 5", true, 2, "entry inside a purged range", 0, 3 },
		{ "anchor edited", "DROP TRIGGER purges_no_update; "
		  "UPDATE purges SET anchor_hash = zeroblob(32)", true, 4, "prev_hash does not link", 0, 3 },
		{ "purge record edited", "DROP TRIGGER purges_no_update; UPDATE purges SET count = 5",
		  true, 0, "purge record does not follow", 0, 0 },
		{ "purge record removed", "DROP TRIGGER purges_no_delete; DELETE FROM purges", true, 4,
		  "gap before", 0, 0 },
		{ "hash form", "UPDATE meta SET value = 'sentinel-entry-v0' WHERE key = 'hash_form'",
		  false, 0, "unknown hash form", 0, 0 },
		{ "bad rebase row", "PRAGMA ignore_check_constraints = ON; "
		  "INSERT INTO rebase VALUES ('b', 1, 'BAD!', 0)", false, 0, "rebase record invalid", 0, 0 },
	};
	struct fx *f = *state;

	for (size_t k = 0; k < SNT_ARRAY_SIZE(cases); k++) {
		const struct damage *c = &cases[k];
		struct snt_store_purge_result pr;
		struct snt_store_verify_report r;
		struct snt_store *st;
		char msg[256];

		remove_log(f->path);
		st = open_rw(f->path);
		append_n(st, 0, 6);
		assert_int_equal(snt_store_set_ack(st, c->purge ? 3 : 6), SNT_STORE_OK);
		if (c->purge) {
			assert_int_equal(snt_store_purge(st, FAR_FUTURE, NOW, &pr), SNT_STORE_OK);
			assert_int_equal(pr.last_seq, 3);
		}
		verify_ok(st, &r);
		snt_store_close(st);
		if (raw_exec(f->path, c->sql, msg, sizeof(msg)) != SQLITE_OK)
			fail_msg("%s: %s", c->name, msg);

		for (int ro = 0; ro < 2; ro++) {
			st = NULL;
			assert_int_equal(snt_store_open(f->path, ro, &st), SNT_STORE_OK);
			assert_int_equal(snt_store_verify(st, NULL, &r), SNT_STORE_OK);
			if (r.status != SNT_VERIFY_DAMAGED || r.first_bad_seq != c->seq ||
			    strcmp(r.reason, c->reason) || r.entries != c->entries)
				fail_msg("%s (%s): got %s seq %lld '%s' after %lld entries", c->name,
					 ro ? "read-only" : "writable",
					 r.status == SNT_VERIFY_CLEAN ? "clean" : "damaged",
					 (long long)r.first_bad_seq, r.reason, (long long)r.entries);
			assert_int_equal(r.last_good_seq, c->last_good);
			snt_store_close(st);
		}
	}
}

/* A row whose hash was recomputed after the edit: the next link breaks. */
static void test_verify_rehashed_row(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_store_verify_report r;
	struct snt_entry e;
	sqlite3_stmt *s = NULL;
	sqlite3 *db;

	append_n(st, 0, 6);
	assert_int_equal(snt_store_get(st, 4, &e), SNT_STORE_OK);
	e.temp_dc = 365;
	e.has_temp = true;
	assert_int_equal(snt_store_entry_hash(&e, e.hash), SNT_STORE_OK);
	snt_store_close(st);

	db = raw_open(f->path);
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER entries_no_update", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE entries SET temp_dc = 365, hash = ?1 "
					    "WHERE seq = 4", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_bind_blob(s, 1, e.hash, SNT_HASH_LEN, SQLITE_STATIC), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	sqlite3_close(db);

	assert_int_equal(snt_store_open(f->path, true, &st), SNT_STORE_OK);
	assert_int_equal(snt_store_verify(st, NULL, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_DAMAGED);
	assert_int_equal(r.first_bad_seq, 5);
	assert_string_equal(r.reason, "prev_hash does not link");
	assert_int_equal(r.entries, 4);
	assert_int_equal(r.last_good_seq, 4);
	snt_store_close(st);
}

/* Overwrite @len bytes at @off of page @page (1-based) of the file. */
static void poke_page(const char *path, int64_t page, int off, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, data, len, (off_t)((page - 1) * 4096 + off)), (ssize_t)len);
	assert_int_equal(fsync(fd), 0);
	close(fd);
}

static int64_t page_size_of(const char *path)
{
	return count_rows(path, "PRAGMA page_size");
}

/* Page-level damage: an index that disagrees, a table page SQLite cannot read. */
static void test_verify_page_damage(void **state)
{
	static const uint8_t junk[16] = { 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef,
					  0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef };
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_store_verify_report r;
	int64_t root, leaf;
	const uint8_t flip[1] = { 'c' };

	append_n(st, 0, 60);	/* several pages of entries */
	assert_int_equal(snt_store_set_rebase(st, "boot-x", T0, "ntp", T0), SNT_STORE_OK);
	snt_store_close(st);
	assert_int_equal(page_size_of(f->path), 4096);

	/* The rebase table's primary key index: one key byte changed. */
	root = count_rows(f->path, "SELECT rootpage FROM sqlite_schema "
				   "WHERE name = 'sqlite_autoindex_rebase_1'");
	poke_page(f->path, root, 4096 - 5, flip, 1);	/* "boot-x" -> "boot-c"... in the index */
	assert_int_equal(snt_store_open(f->path, true, &st), SNT_STORE_OK);
	assert_int_equal(snt_store_verify(st, NULL, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_DAMAGED);
	assert_int_equal(r.first_bad_seq, 0);
	assert_int_equal(r.entries, 60);
	assert_string_equal(r.reason, "integrity_check: row 1 missing from index sqlite_autoindex_rebase_1");
	snt_store_close(st);

	/*
	 * The last leaf page of entries overwritten (the rightmost child of the
	 * table's interior root page, header bytes 8-11): unreadable from there.
	 */
	remove_log(f->path);
	st = open_rw(f->path);
	append_n(st, 0, 60);
	snt_store_close(st);
	root = count_rows(f->path, "SELECT rootpage FROM sqlite_schema WHERE name = 'entries'");
	{
		uint8_t hdr[12];
		int fd = open(f->path, O_RDONLY);

		assert_true(fd >= 0);
		assert_int_equal(pread(fd, hdr, sizeof(hdr), (off_t)((root - 1) * 4096)), sizeof(hdr));
		close(fd);
		assert_int_equal(hdr[0], 0x05);	/* interior table page */
		leaf = (int64_t)hdr[8] << 24 | hdr[9] << 16 | hdr[10] << 8 | hdr[11];
	}
	poke_page(f->path, leaf, 0, junk, sizeof(junk));
	assert_int_equal(snt_store_open(f->path, true, &st), SNT_STORE_OK);
	assert_int_equal(snt_store_verify(st, NULL, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_DAMAGED);
	assert_string_equal(r.reason, "unreadable: database disk image is malformed");
	assert_true(r.first_bad_seq > 1 && r.first_bad_seq < 60);
	assert_int_equal(r.entries, r.first_bad_seq - 1);
	assert_int_equal(r.last_good_seq, r.first_bad_seq - 1);
	snt_store_close(st);
}

static void test_rebase(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	char boot37[SNT_BOOT_ID_LEN + 1], src33[SNT_REBASE_SOURCE_LEN + 1], msg[256];
	int64_t v = -1;

	assert_int_equal(snt_store_get_rebase(st, "boot-1", &v), SNT_STORE_ERR_DONE);
	assert_int_equal(snt_store_set_rebase(st, "boot-1", T0, "ntp", T0 + 5000), SNT_STORE_OK);
	assert_int_equal(snt_store_get_rebase(st, "boot-1", &v), SNT_STORE_OK);
	assert_int_equal(v, T0);
	/* Again with the same values: fine; with others: refused, the first stays. */
	assert_int_equal(snt_store_set_rebase(st, "boot-1", T0, "ntp", T0 + 9000), SNT_STORE_OK);
	assert_int_equal(snt_store_set_rebase(st, "boot-1", T0 + 1, "ntp", T0), SNT_STORE_ERR_EXISTS);
	assert_string_equal(snt_store_errmsg(st), "boot boot-1 is already rebased");
	assert_int_equal(snt_store_set_rebase(st, "boot-1", T0, "bureau", T0), SNT_STORE_ERR_EXISTS);
	assert_int_equal(snt_store_get_rebase(st, "boot-1", &v), SNT_STORE_OK);
	assert_int_equal(v, T0);
	assert_int_equal(count_rows(f->path, "SELECT recorded_utc_ms FROM rebase"), T0 + 5000);
	assert_int_equal(snt_store_set_rebase(st, "0f6c3c5e-3a55-4d3c-9b7a-1c2d3e4f5a6b", 0, "bureau-usb",
					      0), SNT_STORE_OK);
	assert_int_equal(snt_store_set_rebase(st, "\xe5\xbc\xa0", FAR_FUTURE, "a", 0), SNT_STORE_OK);

	memset(boot37, 'b', sizeof(boot37) - 1);
	boot37[sizeof(boot37) - 1] = '\0';
	memset(src33, 's', sizeof(src33) - 1);
	src33[sizeof(src33) - 1] = '\0';
	assert_int_equal(snt_store_set_rebase(NULL, "b", T0, "ntp", T0), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_set_rebase(st, NULL, T0, "ntp", T0), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_set_rebase(st, "b", T0, NULL, T0), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_set_rebase(st, "", T0, "ntp", T0), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_set_rebase(st, boot37, T0, "ntp", T0), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_set_rebase(st, "\xc3\x28", T0, "ntp", T0), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_set_rebase(st, "b", T0, "", T0), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_set_rebase(st, "b", T0, "NTP", T0), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_set_rebase(st, "b", T0, "ntp server", T0), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_set_rebase(st, "b", T0, src33, T0), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_set_rebase(st, "b", -1, "ntp", T0), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_set_rebase(st, "b", FAR_FUTURE + 1, "ntp", T0), SNT_STORE_ERR_INVAL);
	src33[SNT_REBASE_SOURCE_LEN - 1] = '\0';	/* 32 characters: the longest */
	assert_int_equal(snt_store_set_rebase(st, "b", T0, src33, T0), SNT_STORE_OK);
	assert_int_equal(snt_store_get_rebase(NULL, "b", &v), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_get_rebase(st, NULL, &v), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_get_rebase(st, "b", NULL), SNT_STORE_ERR_INVAL);
	snt_store_close(st);

	assert_int_equal(snt_store_open(f->path, true, &st), SNT_STORE_OK);
	assert_int_equal(snt_store_set_rebase(st, "c", T0, "ntp", T0), SNT_STORE_ERR_READONLY);
	assert_int_equal(snt_store_get_rebase(st, "boot-1", &v), SNT_STORE_OK);
	assert_int_equal(v, T0);
	snt_store_close(st);

	/* Written once, for raw SQL too. */
	assert_int_equal(raw_exec(f->path, "UPDATE rebase SET utc_at_boot_ms = 0", msg, sizeof(msg)),
			 SQLITE_CONSTRAINT);
	assert_string_equal(msg, "a boot is rebased once");
	assert_int_equal(raw_exec(f->path, "DELETE FROM rebase", msg, sizeof(msg)), SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(f->path, "INSERT OR REPLACE INTO rebase VALUES ('boot-1', 0, 'ntp', 0)",
				  msg, sizeof(msg)), SQLITE_CONSTRAINT);
	assert_string_equal(msg, "a boot is rebased once");
	assert_int_equal(count_rows(f->path, "SELECT utc_at_boot_ms FROM rebase WHERE boot_id = 'boot-1'"),
			 T0);
}

/*
 * Run sentinelctl with @args (NULL-terminated, without the program name),
 * stdout and stderr into files of the test directory, read back into @out
 * and @err.  Return the exit status.
 */
static int run_ctl(const struct fx *f, char *out, size_t outsz, char *err, size_t errsz, ...)
{
	const char *argv[16];
	char outp[192], errp[192];
	va_list ap;
	int n = 0, status;
	pid_t pid;
	FILE *fp;
	size_t len;

	/* A cross build's tests run under qemu-user (run-check.sh sets QEMU): so does the CLI. */
	if (getenv("QEMU") && *getenv("QEMU"))
		argv[n++] = getenv("QEMU");
	argv[n++] = ctl_path;
	va_start(ap, errsz);
	while (n < 15 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	snprintf(outp, sizeof(outp), "%s/ctl.out", f->dir);
	snprintf(errp, sizeof(errp), "%s/ctl.err", f->dir);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen(outp, "w", stdout) || !freopen(errp, "w", stderr))
			_exit(127);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	fp = fopen(outp, "r");
	assert_non_null(fp);
	len = fread(out, 1, outsz - 1, fp);
	out[len] = '\0';
	fclose(fp);
	fp = fopen(errp, "r");
	assert_non_null(fp);
	len = fread(err, 1, errsz - 1, fp);
	err[len] = '\0';
	fclose(fp);
	return WEXITSTATUS(status);
}

static bool have_ctl(void)
{
	if (access(ctl_path, X_OK) == 0)
		return true;
	print_message("SKIP: %s not built (run through make check)\n", ctl_path);
	return false;
}

/* The elapsed seconds vary: "..., 0.003 s\n" -> "..., N s\n". */
static void mask_seconds(char *s)
{
	char *p = strrchr(s, ',');

	if (p && strstr(p, " s\n"))
		strcpy(p, ", N s\n");
}

/* Schema 5: sealed personal records beside the chain, and their retention. */
/*
 * Schema 8: an entry's birth year (an age rule) is stored, read back,
 * hashed and verified; an entry without one stores NULL; a log of schema 7
 * is brought to 8 (the column added, the hash form v4), its entries
 * verifying unchanged; a stored birth year out of range is refused.
 */
static void test_birth_year(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_store_verify_report r;
	struct snt_store_value v[SNT_STORE_ROW_NCOLUMNS];
	struct snt_entry_names names;
	struct snt_entry e, back;
	const char *bad = NULL;
	char msg[256];
	sqlite3 *db;

	append_n(st, 0, 2);
	snt_store_close(st);
	/* Back to schema 7, as an older gate left it. */
	assert_int_equal(raw_exec(f->path, "ALTER TABLE entries DROP COLUMN birth_year; PRAGMA user_version = 7; "
				  "UPDATE meta SET value = 'sentinel-entry-v3' WHERE key = 'hash_form'", msg, sizeof(msg)),
			 SQLITE_OK);
	st = open_rw(f->path);
	verify_ok(st, &r);
	assert_int_equal(r.entries, 2);
	make_entry(&e, 3);
	e.birth_year = 1949;
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	make_entry(&e, 4);
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	assert_int_equal(snt_store_get(st, 3, &back), SNT_STORE_OK);
	assert_int_equal(back.birth_year, 1949);
	assert_int_equal(snt_store_get(st, 4, &back), SNT_STORE_OK);
	assert_int_equal(back.birth_year, 0);
	assert_int_equal(snt_store_get(st, 1, &back), SNT_STORE_OK);
	assert_int_equal(back.birth_year, 0);
	verify_ok(st, &r);
	assert_int_equal(r.entries, 4);
	/* Out of range: refused on append, and as a stored value. */
	make_entry(&e, 5);
	e.birth_year = 1799;
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_ERR_INVAL);
	snt_store_close(st);
	db = raw_open(f->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 8);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM meta WHERE key = 'hash_form' AND value = 'sentinel-entry-v4'"),
			 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM entries WHERE birth_year = 1949 AND seq = 3"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM entries WHERE birth_year IS NULL"), 3);
	sqlite3_close(db);
	make_entry(&e, 6);
	e.seq = 6;
	e.birth_year = 2008;
	assert_int_equal(snt_entry_check(&e, &names), 0);
	assert_int_equal(snt_store_row_values(&e, &names, v), 0);
	assert_int_equal(v[SNT_STORE_ROW_NCOLUMNS - 1].type, SNT_STORE_INTEGER);
	assert_int_equal(v[SNT_STORE_ROW_NCOLUMNS - 1].i, 2008);
	assert_int_equal(snt_store_row_from_values(v, &back, &bad), SNT_STORE_OK);
	assert_int_equal(back.birth_year, 2008);
	v[SNT_STORE_ROW_NCOLUMNS - 1].i = 10000;
	assert_int_equal(snt_store_row_from_values(v, &back, &bad), SNT_STORE_ERR_CORRUPT);
	assert_string_equal(bad, "birth_year");
	v[SNT_STORE_ROW_NCOLUMNS - 1].type = SNT_STORE_TEXT;
	v[SNT_STORE_ROW_NCOLUMNS - 1].p = "1949";
	v[SNT_STORE_ROW_NCOLUMNS - 1].len = 4;
	assert_int_equal(snt_store_row_from_values(v, &back, &bad), SNT_STORE_ERR_CORRUPT);
}

static void test_personal(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_store_verify_report r;
	uint8_t rec[200], *got = NULL;
	size_t len = 0;
	int64_t n = -1;

	for (size_t i = 0; i < sizeof(rec); i++)
		rec[i] = (uint8_t)i;
	append_n(st, 0, 3);
	assert_int_equal(snt_store_personal_put(st, 1, 1000, rec, sizeof(rec)), SNT_STORE_OK);
	assert_int_equal(snt_store_personal_put(st, 2, 5000, rec, 97), SNT_STORE_OK);
	assert_int_equal(snt_store_personal_put(st, 2, 5000, rec, 97), SNT_STORE_ERR_EXISTS);
	assert_int_equal(snt_store_personal_put(st, 3, 5000, rec, 96), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_personal_put(st, 0, 5000, rec, 100), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_personal_put(NULL, 3, 5000, rec, 100), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_personal_get(st, 1, &got, &len), SNT_STORE_OK);
	assert_int_equal(len, sizeof(rec));
	assert_memory_equal(got, rec, sizeof(rec));
	free(got);
	assert_int_equal(snt_store_personal_get(st, 3, &got, &len), SNT_STORE_ERR_DONE);
	assert_null(got);

	/* Nothing old enough: no purge recorded. */
	assert_int_equal(snt_store_personal_purge(st, 1000, 9000, &n), SNT_STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(count_rows(f->path, "SELECT count(*) FROM personal_purges"), 0);
	/* Records before the cutoff go, the purge is recorded, entries stay and verify. */
	assert_int_equal(snt_store_personal_purge(st, 2000, 9000, &n), SNT_STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(snt_store_personal_get(st, 1, &got, &len), SNT_STORE_ERR_DONE);
	assert_int_equal(snt_store_personal_get(st, 2, &got, &len), SNT_STORE_OK);
	free(got);
	assert_int_equal(count_rows(f->path, "SELECT count(*) || '/' || sum(count) || '/' || max(cutoff_utc_ms)"
					     " = '1/1/2000' FROM personal_purges"), 1);
	assert_int_equal(snt_store_verify(st, NULL, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_CLEAN);
	assert_int_equal(r.entries, 3);
	snt_store_close(st);
}

/* A sealed personal record is checked against the digest its entry holds (idcard.sealed). */
static void test_personal_digest(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_store_verify_report r;
	uint8_t rec[120], md[32];
	unsigned int md_len = 0;
	char hex[65], msg[256];
	struct snt_entry e;

	for (size_t i = 0; i < sizeof(rec); i++)
		rec[i] = (uint8_t)(i * 7);
	assert_int_equal(EVP_Digest(rec, sizeof(rec), md, &md_len, EVP_sha256(), NULL), 1);
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	append_n(st, 0, 1);
	make_entry(&e, 1);
	snprintf(e.detail, sizeof(e.detail), "{\"idcard\":{\"last4\":\"002X\",\"sealed\":\"%s\"}}", hex);
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	assert_int_equal(snt_store_personal_put(st, 2, 1000, rec, sizeof(rec)), SNT_STORE_OK);
	assert_int_equal(snt_store_verify(st, NULL, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_CLEAN);
	snt_store_close(st);
	/* The record replaced by another of its size: found at its entry. */
	assert_int_equal(raw_exec(f->path, "UPDATE personal SET sealed = CAST(zeroblob(120) AS BLOB) WHERE seq = 2",
				  msg, sizeof(msg)), SQLITE_OK);
	st = open_ro(f->path);
	assert_int_equal(snt_store_verify(st, NULL, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_DAMAGED);
	assert_int_equal(r.first_bad_seq, 2);
	assert_string_equal(r.reason, "personal record does not match its digest");
	snt_store_close(st);
}

static void test_cli_verify_log(void **state)
{
	struct fx *f = *state;
	struct snt_store *st;
	char out[1024], err[1024], msg[256];

	if (!have_ctl()) {
		skip();
		return;
	}
	st = open_rw(f->path);
	append_n(st, 0, 5);
	assert_int_equal(snt_store_set_ack(st, 2), SNT_STORE_OK);
	snt_store_close(st);

	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--db", f->path,
				 NULL), 0);
	mask_seconds(out);
	assert_string_equal(out, "clean: 5 entries checked (seq 1-5), purged through seq 0, ack 2, N s\n");
	assert_string_equal(err, "");
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--json", "--db",
				 f->path, NULL), 0);
	assert_non_null(strstr(out, "{\"status\": \"clean\", \"entries\": 5, \"first_seq\": 1, "
				    "\"last_good_seq\": 5, \"purged_through\": 0, \"purges\": 0, "
				    "\"ack\": 2, \"seconds\": "));

	assert_int_equal(raw_exec(f->path, "DROP TRIGGER entries_no_update; "
					   "UPDATE entries SET decision = 'refer' WHERE seq = 4", msg,
				  sizeof(msg)), SQLITE_OK);
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--db", f->path,
				 NULL), 1);
	mask_seconds(out);
	assert_string_equal(out, "damaged: seq 4: hash mismatch (3 entries checked before it, "
				 "last good seq 3), N s\n");
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--db", f->path,
				 "--json", NULL), 1);
	assert_non_null(strstr(out, "{\"status\": \"damaged\", \"seq\": 4, \"reason\": \"hash mismatch\", "
				    "\"entries\": 3, "));

	/* Usage and open errors: 2. */
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--bogus", NULL), 2);
	assert_string_equal(out, "");
	assert_string_equal(err, "sentinelctl: verify-log: unknown option '--bogus'\n"
				 "Try 'sentinelctl verify-log --help'.\n");
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--db",
				 "/nonexistent/log.db", NULL), 2);
	assert_string_equal(err, "sentinelctl: verify-log: cannot open /nonexistent/log.db: "
				 "No such file or directory\n");
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--help", NULL), 0);
	assert_non_null(strstr(out, "Usage: sentinelctl verify-log [--db PATH | -c FILE] [--json] [--seal-key FILE]\n"));

	/* A file SQLite cannot read at all is damaged: 1. */
	write_file(f->path, "this is not a database, just text that is long enough......", 60);
	remove(f->path);
	{
		char junk[8192];

		memset(junk, 'x', sizeof(junk));
		write_file(f->path, junk, sizeof(junk));
	}
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--db", f->path,
				 NULL), 1);
	mask_seconds(out);
	assert_string_equal(out, "damaged: unreadable: not a database, or its header is malformed "
				 "(0 entries checked), N s\n");
}

static void test_cli_purge(void **state)
{
	static const int days[] = { 0, 1, 2, 40, 41 };
	struct fx *f = *state;
	struct snt_store *st;
	char out[1024], err[1024];

	if (!have_ctl()) {
		skip();
		return;
	}
	st = open_rw(f->path);
	append_days(st, days, 5);
	snt_store_close(st);

	/* 2022-02-10: 30 days back is 2022-01-11, after seq 1-3, before 4. */
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "purge", "--db", f->path,
				 "--older-than", "30", "--now", "2022-02-10T00:00:00Z", NULL), 0);
	assert_string_equal(out, "nothing to purge: seq 1 is not acknowledged (ack 0)\n");
	st = open_rw(f->path);
	assert_int_equal(snt_store_set_ack(st, 5), SNT_STORE_OK);
	snt_store_close(st);
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "purge", "--db", f->path,
				 "--older-than", "30", "--now", "2022-02-10T00:00:00Z", NULL), 0);
	assert_non_null(strstr(out, "purged seq 1-3 (3 entries) older than 2022-01-11T00:00:00Z, ack 5; "
				    "chain anchor "));
	assert_non_null(strstr(out, "; kept from seq 4: not older than the cutoff\n"));
	assert_string_equal(err, "");
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "purge", "--db", f->path,
				 "--older-than", "30", "--now", "2022-02-10T00:00:00Z", NULL), 0);
	assert_string_equal(out, "nothing to purge: seq 4 is not older than 2022-01-11T00:00:00Z\n");
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--db", f->path,
				 NULL), 0);
	mask_seconds(out);
	assert_string_equal(out, "clean: 2 entries checked (seq 4-5), purged through seq 3, ack 5, N s\n");
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "purge", "--db", f->path,
				 "--older-than", "0", "--now", "2022-03-01T00:00:00+08:00", NULL), 0);
	assert_non_null(strstr(out, "purged seq 4-5 (2 entries) older than 2022-02-28T16:00:00Z, ack 5; "));
	assert_non_null(strstr(out, "; no entry left\n"));
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "purge", "--db", f->path,
				 "--older-than", "0", "--now", "2022-03-01T00:00:00Z", NULL), 0);
	assert_string_equal(out, "nothing to purge: the log has no entries\n");

	/* Usage errors: 2, nothing touched. */
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "purge", "--db", f->path, NULL), 2);
	assert_string_equal(err, "sentinelctl: purge: --older-than DAYS is required\n"
				 "Try 'sentinelctl purge --help'.\n");
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "purge", "--db", f->path,
				 "--older-than", "-1", "--now", "2022-03-01T00:00:00Z", NULL), 2);
	assert_string_equal(err, "sentinelctl: purge: --older-than needs a whole number of days from 0 "
				 "to 36500, not '-1'\nTry 'sentinelctl purge --help'.\n");
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "purge", "--db", f->path,
				 "--older-than", "1.5", "--now", "2022-03-01T00:00:00Z", NULL), 2);
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "purge", "--db", f->path,
				 "--older-than", "36501", "--now", "2022-03-01T00:00:00Z", NULL), 2);
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "purge", "--db", f->path,
				 "--older-than", "3", "--now", "yesterday", NULL), 2);
	assert_string_equal(err, "sentinelctl: purge: --now needs an RFC 3339 time such as "
				 "2022-01-31T00:00:00Z, not 'yesterday'\nTry 'sentinelctl purge --help'.\n");
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "purge", "--db",
				 "/nonexistent/log.db", "--older-than", "3", "--now",
				 "2022-03-01T00:00:00Z", NULL), 2);
	assert_string_equal(out, "");
}

/*
 * The schema version 2 fixture: purged through seq 2, cursor at 3, a rebase
 * row.  It opens (and, once there is a version 3, migrates), verifies from
 * its anchor, and the chain goes on.
 */
static void test_fixture_v2(void **state)
{
	struct fx *f = *state;
	struct snt_store_purge_result pr;
	struct snt_store_verify_report r;
	struct snt_store *st;
	struct snt_entry e;
	char hex[2 * SNT_HASH_LEN + 1];
	int64_t v;

	copy_file(FIX_STORE "v2.db", f->path);
	st = open_rw(f->path);
	verify_ok(st, &r);
	assert_int_equal(r.entries, 3);
	assert_int_equal(r.first_seq, 3);
	assert_int_equal(r.last_good_seq, 5);
	assert_int_equal(r.anchor_seq, 2);
	assert_int_equal(r.purges, 1);
	assert_int_equal(r.ack_seq, 3);
	assert_int_equal(last_seq(st), 5);
	assert_int_equal(snt_store_get(st, 2, &e), SNT_STORE_ERR_DONE);
	assert_int_equal(snt_store_get(st, 3, &e), SNT_STORE_OK);
	snt_hex_encode(e.prev_hash, SNT_HASH_LEN, hex);
	assert_string_equal(hex, "06d3e8de935cc3e075d439c1ea25acaa927b9598f27308ba027c859abd6159b8");
	assert_int_equal(snt_store_get(st, 5, &e), SNT_STORE_OK);
	snt_hex_encode(e.hash, SNT_HASH_LEN, hex);
	assert_string_equal(hex, "5745ff3723da3a02e0e101565914a547a233faa8f5386004e00e168a919eabc5");
	assert_int_equal(snt_store_get_rebase(st, "0f6c3c5e-3a55-4d3c-9b7a-1c2d3e4f5a6b", &v),
			 SNT_STORE_OK);
	assert_int_equal(v, INT64_C(1640999940000));
	assert_int_equal(snt_store_get_ack(st, &v), SNT_STORE_OK);
	assert_int_equal(v, 3);
	assert_int_equal(snt_store_set_ack(st, 2), SNT_STORE_ERR_STALE);

	make_entry(&e, 6);
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	assert_int_equal(e.seq, 6);
	assert_int_equal(snt_store_set_ack(st, 6), SNT_STORE_OK);
	assert_int_equal(snt_store_purge(st, FAR_FUTURE, NOW, &pr), SNT_STORE_OK);
	assert_int_equal(pr.first_seq, 3);
	assert_int_equal(pr.last_seq, 6);
	verify_ok(st, &r);
	assert_int_equal(r.purges, 2);
	assert_int_equal(r.anchor_seq, 6);
	snt_store_close(st);
}

static void test_fixture_v3(void **state)
{
	struct fx *f = *state;
	struct snt_store_verify_report r;
	struct snt_store_alert_iter *ai;
	struct snt_store *st;
	struct snt_entry e;
	struct snt_alert a;
	enum snt_colour c;
	char hex[2 * SNT_HASH_LEN + 1];
	int64_t n;

	copy_file(FIX_STORE "v3.db", f->path);
	st = open_rw(f->path);
	verify_ok(st, &r);
	assert_int_equal(r.entries, 4);
	assert_int_equal(r.last_good_seq, 6);
	assert_int_equal(snt_store_get(st, 6, &e), SNT_STORE_OK);
	snt_hex_encode(e.hash, SNT_HASH_LEN, hex);
	assert_string_equal(hex, "85fe87f3300ae46c7af7e365d7d6b67b0dfca87b23453d2d8a7f9215aa3c7377");
	assert_non_null(strstr(e.detail, "\"emissivity_pm\":980"));
	assert_int_equal(snt_store_get(st, 5, &e), SNT_STORE_OK);
	assert_string_equal(e.detail, "");
	assert_int_equal(snt_store_events_count(st, SNT_EVENT_EXIT, 0, 0, &n), SNT_STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(snt_store_verdict_get(st, 4, &c), SNT_STORE_OK);
	assert_int_equal(c, SNT_COLOUR_RED);
	assert_int_equal(snt_store_alerts_new(st, true, &ai), SNT_STORE_OK);
	assert_int_equal(snt_store_alerts_next(ai, &a), SNT_STORE_OK);
	assert_int_equal(a.id, 3);
	assert_int_equal(a.kind, SNT_ALERT_CONTRADICTION);
	assert_int_equal(a.seq, 4);
	assert_int_equal(snt_store_alerts_next(ai, &a), SNT_STORE_OK);
	assert_int_equal(a.kind, SNT_ALERT_DEVICE_FAULT);
	assert_int_equal(a.event_id, 2);
	assert_string_equal(a.detail, "thermometer: read failed");
	assert_int_equal(snt_store_alerts_next(ai, &a), SNT_STORE_ERR_DONE);
	snt_store_alerts_free(ai);
	assert_int_equal(snt_store_alert_ack(st, 1, "S0002", NOW), SNT_STORE_ERR_EXISTS);
	snt_store_close(st);
}

/* The CREATE TABLE text of entries in the log at @path (the caller frees it). */
static char *entries_sql(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	char *sql = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE name = 'entries'", -1, &s, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	sql = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	assert_non_null(sql);
	return sql;
}

/* Every enum column of entries is checked by the list the entry module generates, and only by it. */
static void assert_checks_generated(const char *path)
{
	char *sql = entries_sql(path), check[256], msg[256];

	for (int f = 0; f < SNT_ENTRY_ENUM_COUNT; f++) {
		assert_true(snt_entry_sql_check((enum snt_entry_enum)f, NULL, check, sizeof(check)) > 0);
		if (!strstr(sql, check))
			fail_msg("entries of %s lacks \"%s\":\n%s", path, check, sql);
	}
	free(sql);
	/* A name no table has is refused by the CHECK. */
	assert_int_equal(raw_exec(path,
				  "INSERT INTO entries (" SNT_STORE_ROW_COLUMNS ") SELECT max(seq) + 1, boot_id, "
				  "mono_ms, time_utc_ms, clock, kind, 'xyz', colour, verified, temp_dc, decision, "
				  "reasons, door, subject, payload, detail, hash, hash, payload_hash, birth_year FROM entries",
				  msg, sizeof(msg)),
			 SQLITE_CONSTRAINT);
	assert_non_null(strstr(msg, "CHECK constraint failed"));
}

/*
 * A log of schema 4 whose last entry is a DCC with its whole payload: the
 * migration to 5 keeps that row as it is (its hash covers the payload),
 * the log verifies, and a new DCC is logged as its SHA-256 only.
 */
static void test_fixture_v4(void **state)
{
	static const char dcc[] = "HC1:NCF Musterfrau-Goessinger Gabriele 1998-02-26";
	struct fx *f = *state;
	struct snt_store_verify_report r;
	struct snt_store *st;
	struct snt_entry e;
	char hex[2 * SNT_HASH_LEN + 1];
	sqlite3 *db;

	copy_file(FIX_STORE "v4.db", f->path);
	st = open_rw(f->path);
	verify_ok(st, &r);
	assert_int_equal(r.entries, 5);
	assert_int_equal(r.last_good_seq, 7);
	assert_int_equal(snt_store_get(st, 7, &e), SNT_STORE_OK);
	assert_int_equal(e.format, SNT_FORMAT_HCERT);
	assert_string_equal(e.subject, "G* M*");
	assert_int_equal(e.payload_len, strlen(dcc));
	assert_memory_equal(e.payload, dcc, strlen(dcc));
	assert_false(e.has_payload_hash);
	snt_hex_encode(e.hash, SNT_HASH_LEN, hex);
	assert_string_equal(hex, "45fdd5406b3f65b8d8f2e700e17bd190b4a8259ed556f340420a9aec85ebc250");
	/* The same DCC again: now its SHA-256 only, the chain going on. */
	e.seq = 0;
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	assert_int_equal(e.seq, 8);
	assert_true(e.has_payload_hash);
	snt_hex_encode(e.payload_hash, SNT_HASH_LEN, hex);
	assert_string_equal(hex, "023bf51267b7aa033bdbba52874d74e6e3aa1ffa9e1671643066211e94a55e0a");
	verify_ok(st, &r);
	assert_int_equal(r.entries, 6);
	snt_store_close(st);
	db = raw_open(f->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), SNT_STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM meta WHERE key = 'hash_form' AND value = 'sentinel-entry-v4'"),
			 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM entries WHERE payload IS NOT NULL AND format = 'hcert'"), 1);
	sqlite3_close(db);
	assert_checks_generated(f->path);
}

/*
 * A purge removes the bytes of what it removes (PRAGMA secure_delete): a
 * certificate logged with its payload before schema 5 is gone from the
 * file once its entry is purged, not left in a free page.
 */
static void test_purge_erases_old_payload(void **state)
{
	static const char dcc[] = "HC1:NCF Musterfrau-Goessinger Gabriele 1998-02-26";
	struct fx *f = *state;
	struct snt_store_purge_result pr;
	struct snt_store *st;
	char wal[160];
	sqlite3 *db;

	copy_file(FIX_STORE "v4.db", f->path);
	assert_true(file_contains(f->path, dcc, strlen(dcc)));
	st = open_rw(f->path);
	assert_int_equal(snt_store_set_ack(st, 7), SNT_STORE_OK);
	assert_int_equal(snt_store_purge(st, FAR_FUTURE, NOW, &pr), SNT_STORE_OK);
	assert_int_equal(pr.last_seq, 7);
	snt_store_close(st);
	db = raw_open(f->path);
	assert_int_equal(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_false(file_contains(f->path, dcc, strlen(dcc)));
	assert_false(file_contains(wal, dcc, strlen(dcc)));
}

/*
 * Schema 4: a new log's entries table and a v3 log migrated to 4 both carry
 * the CHECK lists generated from the entry module's tables; the migrated
 * log keeps every row and hash, its triggers (chain, append-only, alerts,
 * purge) and index, and the chain goes on.
 */
static void test_schema_checks_from_entry_tables(void **state)
{
	struct fx *f = *state;
	struct snt_store *st;
	struct snt_store_verify_report r;
	struct snt_store_alert_iter *ai;
	struct snt_alert a;
	struct snt_entry e;
	char msg[256];
	int n_alerts = 0;
	int64_t n_triggers;

	st = open_rw(f->path);
	make_entry(&e, 0);
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	snt_store_close(st);
	assert_checks_generated(f->path);
	remove_log(f->path);

	copy_file(FIX_STORE "v3.db", f->path);
	assert_int_equal(count_rows(f->path, "PRAGMA user_version"), 3);
	n_triggers = count_rows(f->path, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'");
	assert_int_equal(n_triggers, 21);
	st = open_rw(f->path);
	snt_store_close(st);
	assert_int_equal(count_rows(f->path, "PRAGMA user_version"), SNT_STORE_SCHEMA_VERSION);
	assert_checks_generated(f->path);
	/* Every trigger kept through the rebuild, and schema 6's two on seals. */
	assert_int_equal(count_rows(f->path, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"),
			 n_triggers + 2);
	assert_int_equal(count_rows(f->path, "SELECT count(*) FROM sqlite_schema WHERE name = 'entries_time'"), 1);
	assert_int_equal(raw_exec(f->path, "UPDATE entries SET door = 'shut'", msg, sizeof(msg)), SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(f->path, "DELETE FROM entries", msg, sizeof(msg)), SQLITE_CONSTRAINT);
	st = open_rw(f->path);
	verify_ok(st, &r);
	assert_int_equal(r.entries, 4);
	assert_int_equal(r.last_good_seq, 6);
	make_entry(&e, 7);
	e.reasons = SNT_REASON_BIT(SNT_REASON_FEVER);
	e.decision = SNT_DECISION_DENY;
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	assert_int_equal(e.seq, 7);
	assert_int_equal(snt_store_alerts_new(st, false, &ai), SNT_STORE_OK);
	while (snt_store_alerts_next(ai, &a) == SNT_STORE_OK)
		n_alerts += a.kind == SNT_ALERT_FEVER && a.seq == 7;
	snt_store_alerts_free(ai);
	assert_int_equal(n_alerts, 1);
	verify_ok(st, &r);
	assert_int_equal(r.entries, 5);
	snt_store_close(st);
}

/* The row codec: an entry bound from any first parameter reads back field for field. */
static void test_row_codec(void **state)
{
	static const uint8_t payload[] = { 'H', 'C', '1', ':', 0x00, 0xff };
	struct fx *f = *state;
	struct snt_entry e, back;
	struct snt_entry_names names;
	sqlite3 *db;
	sqlite3_stmt *ins, *sel;
	const char *bad = "x";

	make_entry(&e, 3);
	e.seq = 3;
	e.payload = payload;
	e.payload_len = sizeof(payload);
	snt_strlcpy(e.detail, "{\"staff\":\"S0001\"}", sizeof(e.detail));
	memset(e.hash, 0x5a, sizeof(e.hash));
	assert_int_equal(snt_entry_check(&e, &names), 0);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (dev INTEGER, " SNT_STORE_ROW_COLUMNS ", extra INTEGER)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
					     "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)", -1, &ins, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_bind_int(ins, 1, 9), SQLITE_OK);
	assert_int_equal(snt_store_row_bind(ins, 2, &e, &names), SQLITE_OK);
	assert_int_equal(sqlite3_bind_int(ins, 2 + SNT_STORE_ROW_NCOLUMNS, 7), SQLITE_OK);
	assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
	sqlite3_finalize(ins);
	assert_int_equal(snt_store_row_bind(NULL, 1, &e, &names), SQLITE_MISUSE);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT " SNT_STORE_ROW_COLUMNS " FROM t", -1, &sel, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(sel), SQLITE_ROW);
	if (snt_store_row_decode(sel, &back, &bad) != SNT_STORE_OK)
		fail_msg("row decode failed at %s", bad ? bad : "?");
	assert_null(bad);
	assert_true(snt_entry_equal(&e, &back));
	sqlite3_finalize(sel);
	/* A stored name that is no name of the entry module: the column is named. */
	assert_int_equal(sqlite3_exec(db, "UPDATE t SET colour = 'purple'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT " SNT_STORE_ROW_COLUMNS " FROM t", -1, &sel, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(sel), SQLITE_ROW);
	assert_int_equal(snt_store_row_decode(sel, &back, &bad), SNT_STORE_ERR_CORRUPT);
	assert_string_equal(bad, "colour");
	sqlite3_finalize(sel);
	sqlite3_close(db);
}

/*
 * A signed certificate's payload is logged as its SHA-256 only (schema 5):
 * the entry, the row, the files of the log; a health-code token is kept.
 */
static void test_certificate_payload_digested(void **state)
{
	static const char dcc[] = "HC1:NCF Musterfrau-Goessinger Gabriele 1998-02-26";
	/* SHA-256 of the 50 bytes of dcc, by Python's hashlib. */
	static const char dcc_sha[] = "023bf51267b7aa033bdbba52874d74e6e3aa1ffa9e1671643066211e94a55e0a";
	struct fx *f = *state;
	struct snt_store_verify_report r;
	struct snt_store *st = open_rw(f->path);
	struct snt_entry e, g, batch[2];
	char hex[2 * SNT_HASH_LEN + 1], path[160], msg[256];
	sqlite3 *db;

	make_entry(&e, 0);
	assert_int_equal(e.format, SNT_FORMAT_HCERT);
	e.payload = (const uint8_t *)dcc;
	e.payload_len = strlen(dcc);
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	/* The caller's entry says what was logged. */
	assert_null(e.payload);
	assert_int_equal(e.payload_len, 0);
	assert_true(e.has_payload_hash);
	snt_hex_encode(e.payload_hash, SNT_HASH_LEN, hex);
	assert_string_equal(hex, dcc_sha);
	assert_int_equal(snt_store_get(st, 1, &g), SNT_STORE_OK);
	assert_null(g.payload);
	assert_true(snt_entry_equal(&e, &g));
	/* A health code's token stays: the bureau's platform check needs it. */
	make_entry(&e, 1);
	assert_int_equal(e.format, SNT_FORMAT_HEALTHCODE);
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	assert_false(e.has_payload_hash);
	assert_int_equal(snt_store_get(st, 2, &g), SNT_STORE_OK);
	assert_false(g.has_payload_hash);
	assert_int_equal(g.payload_len, sizeof(payload_a));
	assert_memory_equal(g.payload, payload_a, sizeof(payload_a));
	/* A batch digests each entry in its array too. */
	make_entry(&batch[0], 2);
	make_entry(&batch[1], 4);
	batch[1].payload = (const uint8_t *)dcc;
	batch[1].payload_len = strlen(dcc);
	assert_int_equal(snt_store_append_batch(st, batch, 2), SNT_STORE_OK);
	assert_false(batch[0].has_payload_hash);
	assert_true(batch[1].has_payload_hash);
	assert_null(batch[1].payload);
	snt_hex_encode(batch[1].payload_hash, SNT_HASH_LEN, hex);
	assert_string_equal(hex, dcc_sha);
	verify_ok(st, &r);
	assert_int_equal(r.entries, 4);
	snt_store_close(st);

	db = raw_open(f->path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM entries WHERE payload IS NULL AND lower(hex(payload_hash)) = "
				     "'023bf51267b7aa033bdbba52874d74e6e3aa1ffa9e1671643066211e94a55e0a'"), 2);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM entries WHERE payload_hash IS NULL AND payload IS NOT NULL"),
			 1);
	sqlite3_close(db);
	/* Never a payload beside its hash, not even from a raw writer. */
	assert_int_equal(raw_exec(f->path, "DROP TRIGGER entries_chain; UPDATE entries SET payload = x'00' "
				  "WHERE seq = 1", msg, sizeof(msg)), SQLITE_CONSTRAINT);
	/* Nothing of the certificate in the log's files. */
	snprintf(path, sizeof(path), "%s-wal", f->path);
	assert_false(file_contains(f->path, dcc, strlen(dcc)));
	assert_false(file_contains(path, dcc, strlen(dcc)));
	assert_false(file_contains(f->path, "Gabriele", 8));
	assert_false(file_contains(path, "Gabriele", 8));
	assert_true(file_contains(f->path, payload_a, sizeof(payload_a)) ||
		    file_contains(path, payload_a, sizeof(payload_a)));
}

/* snt_store_entry_digest(): what it changes, and what it refuses. */
static void test_entry_digest(void **state)
{
	struct snt_entry e, orig;

	(void)state;
	assert_int_equal(snt_store_entry_digest(NULL), SNT_STORE_ERR_INVAL);
	/* Health code, or no payload: unchanged. */
	make_entry(&e, 1);
	orig = e;
	assert_int_equal(snt_store_entry_digest(&e), SNT_STORE_OK);
	assert_memory_equal(&e, &orig, sizeof(e));
	make_entry(&e, 2);
	assert_int_equal(e.payload_len, 0);
	orig = e;
	assert_int_equal(snt_store_entry_digest(&e), SNT_STORE_OK);
	assert_memory_equal(&e, &orig, sizeof(e));
	/* Each certificate format: digested, once (again it does nothing). */
	for (int f = 0; f < SNT_CODE_FORMAT_COUNT; f++) {
		if (snt_code_format_keep((enum snt_code_format)f) != SNT_PAYLOAD_DIGEST)
			continue;
		make_entry(&e, 0);
		e.format = (enum snt_code_format)f;
		assert_int_equal(snt_store_entry_digest(&e), SNT_STORE_OK);
		assert_true(e.has_payload_hash);
		assert_null(e.payload);
		assert_int_equal(e.payload_len, 0);
		orig = e;
		assert_int_equal(snt_store_entry_digest(&e), SNT_STORE_OK);
		assert_memory_equal(&e, &orig, sizeof(e));
	}
	/* Refused, unchanged: a payload beside a hash, a length without bytes, too long. */
	make_entry(&e, 0);
	e.has_payload_hash = true;
	orig = e;
	assert_int_equal(snt_store_entry_digest(&e), SNT_STORE_ERR_INVAL);
	assert_memory_equal(&e, &orig, sizeof(e));
	make_entry(&e, 0);
	e.payload = NULL;
	assert_int_equal(snt_store_entry_digest(&e), SNT_STORE_ERR_INVAL);
	make_entry(&e, 0);
	e.payload_len = SNT_ENTRY_MAX_PAYLOAD + 1;
	assert_int_equal(snt_store_entry_digest(&e), SNT_STORE_ERR_INVAL);
}

/*
 * The row as values (for a database other than SQLite): what bind writes,
 * read back field for field; each wrong type or value names its column.
 */
static void test_row_values(void **state)
{
	static const uint8_t payload[] = { 'H', 'C', '1', ':', 0x00, 0xff };
	struct snt_store_value v[SNT_STORE_ROW_NCOLUMNS], w[SNT_STORE_ROW_NCOLUMNS];
	struct snt_entry e, back;
	struct snt_entry_names names;
	const char *bad = "x";

	(void)state;
	make_entry(&e, 4);
	e.seq = 4;
	e.payload = payload;
	e.payload_len = sizeof(payload);
	snt_strlcpy(e.detail, "{\"staff\":\"S0001\"}", sizeof(e.detail));
	memset(e.hash, 0x5a, sizeof(e.hash));
	assert_int_equal(snt_entry_check(&e, &names), 0);
	assert_int_equal(snt_store_row_values(NULL, &names, v), -1);
	assert_int_equal(snt_store_row_values(&e, &names, v), 0);
	assert_int_equal(v[0].type, SNT_STORE_INTEGER);
	assert_int_equal(v[0].i, 4);
	assert_int_equal(v[14].type, SNT_STORE_BLOB);
	assert_int_equal(v[14].len, sizeof(payload));
	assert_int_equal(v[13].type, e.subject[0] ? SNT_STORE_TEXT : SNT_STORE_NULL);
	assert_int_equal(snt_store_row_from_values(v, &back, &bad), SNT_STORE_OK);
	assert_null(bad);
	assert_true(snt_entry_equal(&e, &back));
	assert_int_equal(snt_store_row_from_values(NULL, &back, NULL), SNT_STORE_ERR_INVAL);
	/* Each column's fault is named: an integer as text, a name not in the tables, a NUL inside text, short hashes. */
	memcpy(w, v, sizeof(w));
	w[0] = (struct snt_store_value){ .type = SNT_STORE_TEXT, .p = "4", .len = 1 };
	assert_int_equal(snt_store_row_from_values(w, &back, &bad), SNT_STORE_ERR_CORRUPT);
	assert_string_equal(bad, "seq");
	memcpy(w, v, sizeof(w));
	w[7] = (struct snt_store_value){ .type = SNT_STORE_TEXT, .p = "purple", .len = 6 };
	assert_int_equal(snt_store_row_from_values(w, &back, &bad), SNT_STORE_ERR_CORRUPT);
	assert_string_equal(bad, "colour");
	memcpy(w, v, sizeof(w));
	w[1] = (struct snt_store_value){ .type = SNT_STORE_TEXT, .p = "bo\0t", .len = 4 };
	assert_int_equal(snt_store_row_from_values(w, &back, &bad), SNT_STORE_ERR_CORRUPT);
	assert_string_equal(bad, "boot_id");
	memcpy(w, v, sizeof(w));
	w[17].len = 31;
	assert_int_equal(snt_store_row_from_values(w, &back, &bad), SNT_STORE_ERR_CORRUPT);
	assert_string_equal(bad, "hash");
	memcpy(w, v, sizeof(w));
	w[9] = (struct snt_store_value){ .type = SNT_STORE_FLOAT };
	assert_int_equal(snt_store_row_from_values(w, &back, &bad), SNT_STORE_ERR_CORRUPT);
	assert_string_equal(bad, "temp_dc");
	/* A payload hash beside a payload. */
	assert_int_equal(v[18].type, SNT_STORE_NULL);
	memcpy(w, v, sizeof(w));
	w[18] = (struct snt_store_value){ .type = SNT_STORE_BLOB, .p = e.hash, .len = SNT_HASH_LEN };
	assert_int_equal(snt_store_row_from_values(w, &back, &bad), SNT_STORE_ERR_CORRUPT);
	assert_string_equal(bad, "payload_hash");
}

/* Detail records: stored, read back, hashed; bad ones refused. */
static void test_detail(void **state)
{
	struct fx *f = *state;
	struct snt_store_verify_report r;
	struct snt_store *st = open_rw(f->path);
	struct snt_entry e, g;
	uint8_t h1[SNT_HASH_LEN], h2[SNT_HASH_LEN];
	static const char *const bad[] = {
		"[1]", "{", "{\"a\":1,\"a\":2}", "\"x\"", " {}", "{}x",
	};

	make_entry(&e, 1);
	snprintf(e.detail, sizeof(e.detail), "%s", "{\"staff\":\"S0042\",\"rules\":{\"version\":3,\"stale\":false}}");
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	assert_int_equal(snt_store_get(st, 1, &g), SNT_STORE_OK);
	assert_same_content(&e, &g);
	/* The hash covers the detail record. */
	assert_int_equal(snt_store_entry_hash(&g, h1), SNT_STORE_OK);
	assert_memory_equal(h1, g.hash, SNT_HASH_LEN);
	g.detail[10] = 'X';
	assert_int_equal(snt_store_entry_hash(&g, h2), SNT_STORE_OK);
	assert_memory_not_equal(h1, h2, SNT_HASH_LEN);
	for (size_t i = 0; i < SNT_ARRAY_SIZE(bad); i++) {
		make_entry(&e, 2);
		snprintf(e.detail, sizeof(e.detail), "%s", bad[i]);
		assert_int_equal(snt_store_append(st, &e), SNT_STORE_ERR_INVAL);
	}
	make_entry(&e, 2);
	memset(e.detail, 'x', sizeof(e.detail));	/* unterminated */
	assert_int_equal(snt_store_append(st, &e), SNT_STORE_ERR_INVAL);
	assert_int_equal(last_seq(st), 1);
	verify_ok(st, &r);
	snt_store_close(st);
	/* A raw writer cannot store a detail that is not a JSON object. */
	assert_int_equal(raw_exec(f->path, "DROP TRIGGER entries_chain; INSERT INTO entries SELECT 2, "
				  "boot_id, mono_ms, time_utc_ms, clock, kind, format, colour, verified, "
				  "temp_dc, decision, reasons, door, subject, payload, hash, hash, '[1]', NULL, NULL "
				  "FROM entries WHERE seq = 1", NULL, 0), SQLITE_CONSTRAINT);
}

/* Filtered queries, counts, and the alerts the triggers raise. */
static void test_query_alerts(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_store_iter *it;
	struct snt_store_alert_iter *ai;
	struct snt_store_query q;
	struct snt_entry e;
	struct snt_alert a;
	struct snt_event ev;
	int64_t n, id;
	bool contra;
	int got;

	for (int i = 1; i <= 10; i++) {
		make_entry(&e, i);
		if (i == 4)
			e.decision = SNT_DECISION_REFER;
		assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	}
	/* Even i: deny with fever (5 of them); odd: admit green. */
	memset(&q, 0, sizeof(q));
	assert_int_equal(snt_store_count(st, &q, &n), SNT_STORE_OK);
	assert_int_equal(n, 10);
	q.fever_only = true;
	assert_int_equal(snt_store_count(st, &q, &n), SNT_STORE_OK);
	assert_int_equal(n, 5);
	memset(&q, 0, sizeof(q));
	q.decisions = 1u << SNT_DECISION_ADMIT;
	q.colours = 1u << SNT_COLOUR_GREEN;
	q.since_utc_ms = INT64_C(1641000000000) + 3 * 1500;	/* from entry 3 */
	q.until_utc_ms = INT64_C(1641000000000) + 9 * 1500;	/* before entry 9 */
	q.newest_first = true;
	q.limit = 2;
	assert_int_equal(snt_store_query_new(st, &q, &it), SNT_STORE_OK);
	assert_int_equal(snt_store_iter_next(it, &e), SNT_STORE_OK);
	assert_int_equal(e.seq, 7);
	assert_int_equal(snt_store_iter_next(it, &e), SNT_STORE_OK);
	assert_int_equal(e.seq, 5);
	assert_int_equal(snt_store_iter_next(it, &e), SNT_STORE_ERR_DONE);
	snt_store_iter_free(it);
	assert_int_equal(snt_store_count(st, &q, &n), SNT_STORE_OK);
	assert_int_equal(n, 3);		/* 3, 5, 7: the limit does not count */
	q.kinds = 1u << SNT_KIND_STAFF;	/* i % 3 == 0: 3 */
	assert_int_equal(snt_store_count(st, &q, &n), SNT_STORE_OK);
	assert_int_equal(n, 1);
	/* Bad queries. */
	memset(&q, 0, sizeof(q));
	q.since_utc_ms = 5;
	q.until_utc_ms = 4;
	assert_int_equal(snt_store_query_new(st, &q, &it), SNT_STORE_ERR_INVAL);
	q.until_utc_ms = 0;
	q.decisions = 1u << 3;
	assert_int_equal(snt_store_count(st, &q, &n), SNT_STORE_ERR_INVAL);
	q.decisions = 0;
	q.limit = -1;
	assert_int_equal(snt_store_query_new(st, &q, &it), SNT_STORE_ERR_INVAL);

	/* Fevers (2, 4 is refer+fever, 6, 8, 10): fever alerts; no other refer. */
	memset(&ev, 0, sizeof(ev));
	snprintf(ev.boot_id, sizeof(ev.boot_id), "%s", "b");
	ev.kind = SNT_EVENT_DEVICE_FAULT;
	snprintf(ev.detail, sizeof(ev.detail), "%s", "camera: unplugged");
	assert_int_equal(snt_store_event_add(st, &ev), SNT_STORE_OK);
	assert_int_equal(ev.id, 1);
	ev.kind = SNT_EVENT_EXIT;
	ev.detail[0] = '\0';
	ev.time_utc_ms = 100;
	assert_int_equal(snt_store_event_add(st, &ev), SNT_STORE_OK);
	assert_int_equal(snt_store_events_count(st, SNT_EVENT_EXIT, 100, 101, &n), SNT_STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(snt_store_events_count(st, SNT_EVENT_EXIT, 101, 0, &n), SNT_STORE_OK);
	assert_int_equal(n, 0);
	snprintf(ev.detail, sizeof(ev.detail), "%s", "line\nbreak");
	assert_int_equal(snt_store_event_add(st, &ev), SNT_STORE_ERR_INVAL);
	ev.kind = SNT_EVENT_KIND_COUNT;
	ev.detail[0] = '\0';
	assert_int_equal(snt_store_event_add(st, &ev), SNT_STORE_ERR_INVAL);

	/* A verdict agreeing with the colour read: no alert; red on a green entry: one. */
	assert_int_equal(snt_store_verdict_add(st, 1, SNT_COLOUR_GREEN, "fake", NOW, &contra),
			 SNT_STORE_OK);
	assert_false(contra);
	assert_int_equal(snt_store_verdict_add(st, 1, SNT_COLOUR_GREEN, "fake", NOW, &contra),
			 SNT_STORE_OK);
	assert_int_equal(snt_store_verdict_add(st, 1, SNT_COLOUR_RED, "fake", NOW, &contra),
			 SNT_STORE_ERR_EXISTS);
	assert_int_equal(snt_store_verdict_add(st, 3, SNT_COLOUR_RED, "fake", NOW, &contra),
			 SNT_STORE_OK);
	assert_true(contra);
	assert_int_equal(snt_store_verdict_add(st, 99, SNT_COLOUR_RED, "fake", NOW, &contra),
			 SNT_STORE_ERR_DONE);
	assert_int_equal(snt_store_verdict_add(st, 5, SNT_COLOUR_BLACK, "fake", NOW, &contra),
			 SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_verdict_add(st, 5, SNT_COLOUR_RED, "Bad Name", NOW, &contra),
			 SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_alert_add(st, SNT_ALERT_CONTRADICTION, 7, "by hand", NOW, &id),
			 SNT_STORE_OK);

	/* Newest first: 7 (by hand), contradiction on 3, device fault, fevers 10, 8, 6, 4, 2. */
	assert_int_equal(snt_store_alerts_new(st, true, &ai), SNT_STORE_OK);
	got = 0;
	while (snt_store_alerts_next(ai, &a) == SNT_STORE_OK) {
		if (got == 0)
			assert_int_equal(a.id, id);
		if (got == 1) {
			assert_int_equal(a.kind, SNT_ALERT_CONTRADICTION);
			assert_int_equal(a.seq, 3);
			assert_string_equal(a.detail, "read green, platform fake says red");
		}
		if (got == 2)
			assert_int_equal(a.kind, SNT_ALERT_DEVICE_FAULT);
		if (got == 3) {
			assert_int_equal(a.kind, SNT_ALERT_FEVER);
			assert_int_equal(a.seq, 10);
		}
		got++;
	}
	snt_store_alerts_free(ai);
	assert_int_equal(got, 8);
	assert_int_equal(snt_store_alert_ack(st, id, "S0001", NOW), SNT_STORE_OK);
	assert_int_equal(snt_store_alert_ack(st, id, "S0001", NOW), SNT_STORE_ERR_EXISTS);
	assert_int_equal(snt_store_alert_ack(st, 999, "S0001", NOW), SNT_STORE_ERR_DONE);
	assert_int_equal(snt_store_alert_ack(st, 1, "bad ref!", NOW), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_alerts_new(st, true, &ai), SNT_STORE_OK);
	got = 0;
	while (snt_store_alerts_next(ai, &a) == SNT_STORE_OK)
		got++;
	snt_store_alerts_free(ai);
	assert_int_equal(got, 7);
	snt_store_close(st);
	/* Raw SQL cannot re-acknowledge or delete an alert. */
	assert_int_equal(raw_exec(f->path, "UPDATE alerts SET ack_by = 'X' WHERE ack_by IS NOT NULL",
				  NULL, 0), SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(f->path, "DELETE FROM alerts", NULL, 0), SQLITE_CONSTRAINT);
}

/* Events of one kind in time order (then id), bounded like entries; read-only store too. */
static void test_events_iter(void **state)
{
	struct fx *f = *state;
	struct snt_store *st = open_rw(f->path);
	struct snt_store_event_iter *it;
	struct snt_event ev;
	static const int64_t times[] = { 300, 100, 200, 100 };	/* added in this order */
	static const int64_t want_id[] = { 2, 5, 3, 1 };	/* by time, then id: ids 2 (100), 5 (100), 3 (200), 1 (300) */

	memset(&ev, 0, sizeof(ev));
	snprintf(ev.boot_id, sizeof(ev.boot_id), "%s", "b");
	ev.clock = SNT_CLOCK_TRUSTED;
	for (size_t i = 0; i < SNT_ARRAY_SIZE(times); i++) {
		ev.kind = SNT_EVENT_EXIT;
		ev.time_utc_ms = times[i];
		ev.mono_ms = (int64_t)i;
		assert_int_equal(snt_store_event_add(st, &ev), SNT_STORE_OK);
		if (i == 2) {	/* another kind in between: id 4, not listed */
			ev.kind = SNT_EVENT_FIRE_ALARM;
			snprintf(ev.detail, sizeof(ev.detail), "%s", "zone 1");
			assert_int_equal(snt_store_event_add(st, &ev), SNT_STORE_OK);
			ev.detail[0] = '\0';
		}
	}
	snt_store_close(st);
	assert_int_equal(snt_store_open(f->path, true, &st), SNT_STORE_OK);
	assert_int_equal(snt_store_events_new(st, SNT_EVENT_EXIT, 0, 0, &it), SNT_STORE_OK);
	for (size_t i = 0; i < SNT_ARRAY_SIZE(want_id); i++) {
		assert_int_equal(snt_store_events_next(it, &ev), SNT_STORE_OK);
		assert_int_equal(ev.id, want_id[i]);
		assert_int_equal(ev.kind, SNT_EVENT_EXIT);
		assert_int_equal(ev.clock, SNT_CLOCK_TRUSTED);
		assert_string_equal(ev.boot_id, "b");
		assert_string_equal(ev.detail, "");
	}
	assert_int_equal(snt_store_events_next(it, &ev), SNT_STORE_ERR_DONE);
	assert_int_equal(snt_store_events_next(it, &ev), SNT_STORE_ERR_DONE);
	snt_store_events_free(it);
	/* [100, 300): three; [200, 0): two; the fire alarm alone with its detail. */
	assert_int_equal(snt_store_events_new(st, SNT_EVENT_EXIT, 100, 300, &it), SNT_STORE_OK);
	for (int i = 0; i < 3; i++)
		assert_int_equal(snt_store_events_next(it, &ev), SNT_STORE_OK);
	assert_int_equal(ev.time_utc_ms, 200);
	assert_int_equal(snt_store_events_next(it, &ev), SNT_STORE_ERR_DONE);
	snt_store_events_free(it);
	assert_int_equal(snt_store_events_new(st, SNT_EVENT_EXIT, 200, 0, &it), SNT_STORE_OK);
	assert_int_equal(snt_store_events_next(it, &ev), SNT_STORE_OK);
	assert_int_equal(ev.id, 3);
	assert_int_equal(snt_store_events_next(it, &ev), SNT_STORE_OK);
	assert_int_equal(ev.id, 1);
	assert_int_equal(snt_store_events_next(it, &ev), SNT_STORE_ERR_DONE);
	snt_store_events_free(it);
	assert_int_equal(snt_store_events_new(st, SNT_EVENT_FIRE_ALARM, 0, 0, &it), SNT_STORE_OK);
	assert_int_equal(snt_store_events_next(it, &ev), SNT_STORE_OK);
	assert_int_equal(ev.id, 4);
	assert_int_equal(ev.kind, SNT_EVENT_FIRE_ALARM);
	assert_string_equal(ev.detail, "zone 1");
	assert_int_equal(snt_store_events_next(it, &ev), SNT_STORE_ERR_DONE);
	snt_store_events_free(it);
	/* Bad arguments. */
	assert_int_equal(snt_store_events_new(st, SNT_EVENT_KIND_COUNT, 0, 0, &it), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_events_new(st, SNT_EVENT_EXIT, 300, 100, &it), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_events_new(st, SNT_EVENT_EXIT, -1, 0, &it), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_events_new(NULL, SNT_EVENT_EXIT, 0, 0, &it), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_events_new(st, SNT_EVENT_EXIT, 0, 0, NULL), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_events_next(NULL, &ev), SNT_STORE_ERR_INVAL);
	snt_store_events_free(NULL);
	/* The last of a kind (by time, then id): exit id 1 (300); the fire alarm; none of another kind. */
	assert_int_equal(snt_store_event_last(st, SNT_EVENT_EXIT, &ev), SNT_STORE_OK);
	assert_int_equal(ev.id, 1);
	assert_int_equal(snt_store_event_last(st, SNT_EVENT_FIRE_ALARM, &ev), SNT_STORE_OK);
	assert_int_equal(ev.id, 4);
	assert_string_equal(ev.detail, "zone 1");
	assert_int_equal(snt_store_event_last(st, SNT_EVENT_RULES, &ev), SNT_STORE_ERR_DONE);
	assert_int_equal(ev.id, 4);	/* untouched */
	assert_int_equal(snt_store_event_last(st, SNT_EVENT_KIND_COUNT, &ev), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_event_last(NULL, SNT_EVENT_EXIT, &ev), SNT_STORE_ERR_INVAL);
	assert_int_equal(snt_store_event_last(st, SNT_EVENT_EXIT, NULL), SNT_STORE_ERR_INVAL);
	snt_store_close(st);
}

/* The head file's text for (@seq, @hash). */
static void head_text(int64_t seq, const uint8_t hash[SNT_HASH_LEN], char *buf, size_t size)
{
	char hex[2 * SNT_HASH_LEN + 1];

	snt_hex_encode(hash, SNT_HASH_LEN, hex);
	snprintf(buf, size, "sentinel-head-v1\nseq %lld\nhash %s\n", (long long)seq, hex);
}

static void read_text(const char *path, char *buf, size_t size)
{
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

/*
 * Issue 14 item 5a: with the triggers dropped, the last entries (or all of
 * them) deleted leave a valid chain; the head file beside the log says the
 * log went backwards.  A head file behind the log by the last append (a
 * crash between the commit and its rename) is not damage.
 */
static void test_head_file(void **state)
{
	struct fx *f = *state;
	struct snt_store_head h;
	struct snt_store *st;
	struct snt_entry e;
	char head[256], want[256], saved[256], msg[256], out[1024], err[1024];

	snprintf(head, sizeof(head), "%s.head", f->path);
	st = open_rw(f->path);
	assert_int_equal(snt_store_head_check(st, &h), SNT_STORE_OK);
	assert_int_equal(h.state, SNT_HEAD_NONE);
	assert_int_equal(h.file_seq, -1);
	assert_false(file_exists(head));
	append_n(st, 0, 5);
	assert_int_equal(snt_store_get(st, 5, &e), SNT_STORE_OK);
	head_text(5, e.hash, want, sizeof(want));
	read_text(head, saved, sizeof(saved));
	assert_string_equal(saved, want);
	assert_int_equal(snt_store_head_check(st, &h), SNT_STORE_OK);
	assert_int_equal(h.state, SNT_HEAD_OK);
	assert_int_equal(h.log_seq, 5);
	assert_int_equal(h.file_seq, 5);
	assert_int_equal(snt_store_head_errno(st), 0);

	/* A crash after the commit of seq 6, before its head file: fine. */
	append_n(st, 5, 1);
	write_file(head, saved, strlen(saved));
	assert_int_equal(snt_store_head_check(st, &h), SNT_STORE_OK);
	assert_int_equal(h.state, SNT_HEAD_OK);
	assert_int_equal(h.log_seq, 6);
	snt_store_close(st);
	if (have_ctl()) {
		assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--db", f->path,
					 NULL), 0);
		mask_seconds(out);
		assert_string_equal(out, "clean: 6 entries checked (seq 1-6), purged through seq 0, ack 0, N s\n");
	}

	/* A head file naming another hash at its seq: the log was rewritten. */
	head_text(3, e.hash, want, sizeof(want));
	write_file(head, want, strlen(want));
	st = open_ro(f->path);
	assert_int_equal(snt_store_head_check(st, &h), SNT_STORE_OK);
	assert_int_equal(h.state, SNT_HEAD_FORKED);
	assert_int_equal(h.file_seq, 3);
	snt_store_close(st);
	/* Gone, after the log recorded that it had one; then not a head file. */
	assert_int_equal(unlink(head), 0);
	st = open_ro(f->path);
	assert_int_equal(snt_store_head_check(st, &h), SNT_STORE_OK);
	assert_int_equal(h.state, SNT_HEAD_MISSING);
	snt_store_close(st);
	if (have_ctl()) {
		assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--db", f->path,
					 NULL), 1);
		mask_seconds(out);
		assert_string_equal(out, "damaged: head file missing (6 entries checked), N s\n");
	}
	write_file(head, "sentinel-head-v1\nseq 5\n", 23);
	st = open_ro(f->path);
	assert_int_equal(snt_store_head_check(st, &h), SNT_STORE_OK);
	assert_int_equal(h.state, SNT_HEAD_INVALID);
	snt_store_close(st);
	write_file(head, saved, strlen(saved));

	/* The attack: triggers dropped, the last entries deleted. */
	assert_int_equal(raw_exec(f->path, "DROP TRIGGER entries_no_delete; DROP TRIGGER alerts_no_delete; "
					   "DELETE FROM alerts WHERE seq >= 4; DELETE FROM entries WHERE seq >= 4",
				  msg, sizeof(msg)), SQLITE_OK);
	st = open_ro(f->path);
	assert_int_equal(snt_store_head_check(st, &h), SNT_STORE_OK);
	assert_int_equal(h.state, SNT_HEAD_BEHIND);
	assert_int_equal(h.log_seq, 3);
	assert_int_equal(h.file_seq, 5);
	snt_store_close(st);
	if (have_ctl()) {
		assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--db", f->path,
					 NULL), 1);
		mask_seconds(out);
		assert_string_equal(out, "damaged: seq 4: head went backwards: the log ends at seq 3, its head "
					 "file records seq 5 (3 entries checked before it, last good seq 3), N s\n");
		assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--json", "--db",
					 f->path, NULL), 1);
		assert_non_null(strstr(out, "{\"status\": \"damaged\", \"seq\": 4, \"reason\": \"head went "
					    "backwards: the log ends at seq 3, its head file records seq 5\", "));
		assert_non_null(strstr(out, "\"head_seq\": 5}"));
	}
	/* Every entry deleted. */
	assert_int_equal(raw_exec(f->path, "DROP TRIGGER IF EXISTS entries_no_delete; DROP TRIGGER IF EXISTS "
					   "alerts_no_delete; DELETE FROM alerts; DELETE FROM entries", msg, sizeof(msg)), SQLITE_OK);
	st = open_ro(f->path);
	assert_int_equal(snt_store_head_check(st, &h), SNT_STORE_OK);
	assert_int_equal(h.state, SNT_HEAD_BEHIND);
	assert_int_equal(h.log_seq, 0);
	snt_store_close(st);
	if (have_ctl()) {
		assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--db", f->path,
					 NULL), 1);
		mask_seconds(out);
		assert_string_equal(out, "damaged: seq 1: head went backwards: the log ends at seq 0, its head "
					 "file records seq 5 (0 entries checked before it, last good seq 0), N s\n");
	}
}

/* A first seal key at @path (epochs of 1 s from T0, sealing from seq 1), kept in *@k0. */
static void make_seal_key(const char *path, struct snt_fss *k0)
{
	assert_int_equal(snt_fss_init(k0, T0, 1000, 1), SNT_FSS_OK);
	assert_int_equal(snt_fss_write(path, k0, NULL), SNT_FSS_OK);
}

/* Recompute the chain from @from on in place, as an attacker with raw access would. */
static void rehash_from(const char *path, int64_t from)
{
	struct snt_store *st = open_rw(path);
	uint8_t prev[SNT_HASH_LEN], h[SNT_HASH_LEN];
	int64_t last = last_seq(st);
	struct snt_entry e;
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *s = NULL;

	assert_int_equal(snt_store_get(st, from - 1, &e), SNT_STORE_OK);
	memcpy(prev, e.hash, SNT_HASH_LEN);
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER IF EXISTS entries_no_update", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE entries SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
					    -1, &s, NULL), SQLITE_OK);
	for (int64_t q = from; q <= last; q++) {
		assert_int_equal(snt_store_get(st, q, &e), SNT_STORE_OK);
		memcpy(e.prev_hash, prev, SNT_HASH_LEN);
		assert_int_equal(snt_store_entry_hash(&e, h), SNT_STORE_OK);
		sqlite3_bind_blob(s, 1, prev, SNT_HASH_LEN, SQLITE_TRANSIENT);
		sqlite3_bind_blob(s, 2, h, SNT_HASH_LEN, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 3, q);
		assert_int_equal(sqlite3_step(s), SQLITE_DONE);
		sqlite3_reset(s);
		memcpy(prev, h, SNT_HASH_LEN);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	snt_store_close(st);
}

/*
 * Issue 14 item 5c: a row edited (a red code now admitted) and every later
 * hash recomputed, the head file rewritten, verifies clean without the seal
 * key; with the first seal key the rewritten entry is named, whether the
 * attacker re-tags with the gate's current key in the entries' own epochs
 * or moves them into the current one.
 */
static void test_seal_rewrite_detected(void **state)
{
	struct fx *f = *state;
	struct snt_store_verify_opts opts = { .head = true };
	struct snt_store_verify_report r;
	struct snt_fss k0, now;
	struct snt_store *st;
	struct snt_entry e;
	char key[200], first[200], head[200], text[512], msg[256], out[1024], err[1024];
	uint8_t tag[SNT_FSS_TAG_LEN];

	snprintf(key, sizeof(key), "%s/gate.seal", f->dir);
	snprintf(first, sizeof(first), "%s/gate.seal0", f->dir);
	snprintf(head, sizeof(head), "%s.head", f->path);
	make_seal_key(key, &k0);
	assert_int_equal(snt_fss_write(first, &k0, NULL), SNT_FSS_OK);
	st = open_rw(f->path);
	assert_int_equal(snt_store_seal_attach(st, key), SNT_STORE_OK);
	for (int i = 0; i < 6; i++) {
		make_entry(&e, i);
		e.clock = SNT_CLOCK_TRUSTED;
		if (i == 2) {	/* a red code, denied */
			e.colour = SNT_COLOUR_RED;
			e.decision = SNT_DECISION_DENY;
			e.reasons = SNT_REASON_BIT(SNT_REASON_CODE_RED);
			e.door = SNT_DOOR_SHUT;
		}
		assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
	}
	snt_store_close(st);
	/* The key moved on to the last entry's epoch (T0 + 7500 ms: 7); k(0) is gone from it. */
	assert_int_equal(snt_fss_read(key, &now, NULL), SNT_FSS_OK);
	assert_int_equal(now.epoch, 7);
	assert_memory_not_equal(now.key, k0.key, SNT_FSS_KEY_LEN);
	assert_int_equal(count_rows(f->path, "SELECT count(*) FROM seals"), 6);
	/* Entries 1.5 s apart, epochs of 1 s. */
	assert_int_equal(count_rows(f->path, "SELECT group_concat(epoch) = '0,1,3,4,6,7' FROM (SELECT epoch "
				    "FROM seals ORDER BY seq)"), 1);
	opts.seal = &k0;
	st = open_ro(f->path);
	assert_int_equal(snt_store_verify_ex(st, NULL, &opts, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_CLEAN);
	assert_int_equal(r.sealed, 6);
	assert_int_equal(r.head_seq, 6);
	snt_store_close(st);

	/* The attack: seq 3 (red, denied) now admitted, the chain and head file recomputed. */
	assert_int_equal(raw_exec(f->path, "DROP TRIGGER entries_no_update; UPDATE entries SET "
					   "decision = 'admit', reasons = 'code-green', colour = 'green', door = "
					   "'opened' WHERE seq = 3", msg, sizeof(msg)), SQLITE_OK);
	rehash_from(f->path, 3);
	st = open_ro(f->path);
	assert_int_equal(snt_store_get(st, 6, &e), SNT_STORE_OK);
	head_text(6, e.hash, text, sizeof(text));
	write_file(head, text, strlen(text));
	/* Without the first key the rewrite cannot be seen. */
	opts.seal = NULL;
	assert_int_equal(snt_store_verify_ex(st, NULL, &opts, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_CLEAN);
	/* With it, the first rewritten entry's seal fails. */
	opts.seal = &k0;
	assert_int_equal(snt_store_verify_ex(st, NULL, &opts, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_DAMAGED);
	assert_int_equal(r.first_bad_seq, 3);
	assert_string_equal(r.reason, "seal does not verify");
	assert_int_equal(r.sealed, 2);
	snt_store_close(st);
	if (have_ctl()) {
		assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--db", f->path,
					 NULL), 0);
		assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--db", f->path,
					 "--seal-key", first, NULL), 1);
		mask_seconds(out);
		assert_string_equal(out, "damaged: seq 3: seal does not verify (2 entries checked before it, "
					 "last good seq 2), N s\n");
		assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--json", "--db",
					 f->path, "--seal-key", first, NULL), 1);
		assert_non_null(strstr(out, "\"reason\": \"seal does not verify\""));
		assert_non_null(strstr(out, "\"sealed\": 2}"));
		/* The evolving key is not a first key. */
		assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--db", f->path,
					 "--seal-key", key, NULL), 2);
		snprintf(text, sizeof(text), "sentinelctl: verify-log: %s: not a first seal key (epoch 7, not 0)\n",
			 key);
		assert_string_equal(err, text);
	}

	/* Re-tagged with the gate's current key, each entry in the current epoch. */
	{
		sqlite3 *db = raw_open(f->path);
		sqlite3_stmt *s = NULL;

		assert_int_equal(sqlite3_exec(db, "DROP TRIGGER seals_no_update", NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "UPDATE seals SET epoch = ?1, tag = ?2 WHERE seq = ?3",
						    -1, &s, NULL), SQLITE_OK);
		st = open_ro(f->path);
		for (int64_t q = 3; q <= 6; q++) {
			assert_int_equal(snt_store_get(st, q, &e), SNT_STORE_OK);
			assert_int_equal(snt_fss_tag(&now, q, e.hash, tag), SNT_FSS_OK);
			sqlite3_bind_int64(s, 1, now.epoch);
			sqlite3_bind_blob(s, 2, tag, sizeof(tag), SQLITE_TRANSIENT);
			sqlite3_bind_int64(s, 3, q);
			assert_int_equal(sqlite3_step(s), SQLITE_DONE);
			sqlite3_reset(s);
		}
		sqlite3_finalize(s);
		sqlite3_close(db);
		assert_int_equal(snt_store_verify_ex(st, NULL, &opts, &r), SNT_STORE_OK);
		assert_int_equal(r.status, SNT_VERIFY_DAMAGED);
		assert_int_equal(r.first_bad_seq, 3);
		assert_string_equal(r.reason, "seal epoch out of order");
		snt_store_close(st);
	}
	snt_fss_wipe(&k0);
	snt_fss_wipe(&now);
}

/*
 * Issue 14 item 5, verify-log: a row whose values decode but do not form
 * an entry is named by its seq (it was "decoded entry out of range", exit
 * 2); --json prints a JSON object in every case; alerts are checked against
 * their entries.
 */
static void test_verify_names_bad_entry(void **state)
{
	struct fx *f = *state;
	struct snt_store_verify_report r;
	struct snt_store *st;
	char msg[256], out[1024], err[1024];

	st = open_rw(f->path);
	append_n(st, 0, 5);
	snt_store_close(st);
	/* A fever alert removed: the entry is there, its alert is not. */
	assert_int_equal(raw_exec(f->path, "DROP TRIGGER alerts_no_delete; DELETE FROM alerts WHERE seq = 3",
				  msg, sizeof(msg)), SQLITE_OK);
	assert_int_equal(count_rows(f->path, "SELECT count(*) FROM alerts WHERE seq = 3"), 0);
	st = open_ro(f->path);
	assert_int_equal(snt_store_verify(st, NULL, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_DAMAGED);
	assert_int_equal(r.first_bad_seq, 3);
	assert_string_equal(r.reason, "alert missing");
	snt_store_close(st);
	assert_int_equal(raw_exec(f->path, "INSERT INTO alerts (created_utc_ms, kind, seq) VALUES (1, 'fever', 3)",
				  msg, sizeof(msg)), SQLITE_OK);
	/* A fever alert for an entry admitted on a green code. */
	assert_int_equal(raw_exec(f->path, "INSERT INTO alerts (created_utc_ms, kind, seq) VALUES (1, 'fever', 2)",
				  msg, sizeof(msg)), SQLITE_OK);
	st = open_ro(f->path);
	assert_int_equal(snt_store_verify(st, NULL, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_DAMAGED);
	assert_int_equal(r.first_bad_seq, 2);
	assert_string_equal(r.reason, "alert 5 does not match its entry");
	snt_store_close(st);
	assert_int_equal(raw_exec(f->path, "DROP TRIGGER IF EXISTS alerts_no_delete; DELETE FROM alerts WHERE id = 5",
				  msg, sizeof(msg)), SQLITE_OK);

	/* A detail record that is no JSON object's text, past the CHECK. */
	assert_int_equal(raw_exec(f->path, "PRAGMA ignore_check_constraints = 1; DROP TRIGGER IF EXISTS entries_no_update; "
					   "UPDATE entries SET detail = '{not json}' WHERE seq = 4", msg, sizeof(msg)),
			 SQLITE_OK);
	st = open_ro(f->path);
	assert_int_equal(snt_store_verify(st, NULL, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_DAMAGED);
	assert_int_equal(r.first_bad_seq, 4);
	assert_string_equal(r.reason, "invalid detail");
	snt_store_close(st);
	if (!have_ctl())
		return;
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--db", f->path, NULL), 1);
	mask_seconds(out);
	assert_string_equal(out, "damaged: seq 4: invalid detail (3 entries checked before it, last good seq 3), "
				 "N s\n");
	assert_string_equal(err, "");
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--json", "--db", f->path,
				 NULL), 1);
	assert_non_null(strstr(out, "{\"status\": \"damaged\", \"seq\": 4, \"reason\": \"invalid detail\", "));
	/* Errors too are one JSON object with --json. */
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--json", "--db",
				 "/nonexistent/log.db", NULL), 2);
	assert_string_equal(out, "{\"status\": \"error\", \"error\": \"cannot open the log database\"}\n");
	assert_string_equal(err, "sentinelctl: verify-log: cannot open /nonexistent/log.db: "
				 "No such file or directory\n");
	assert_int_equal(run_ctl(f, out, sizeof(out), err, sizeof(err), "verify-log", "--json", "--db", f->path,
				 "--seal-key", "/nonexistent/gate.seal0", NULL), 2);
	assert_string_equal(out, "{\"status\": \"error\", \"error\": \"/nonexistent/gate.seal0: the seal key "
				 "file cannot be read or written: No such file or directory\"}\n");
}

/*
 * Issue 14 item 5, verify-log's cross-checks of alerts and events: a
 * device-fault event whose alert was deleted, an alert naming an event
 * that is not there, and an alert naming an entry deleted from the end of
 * the log are each found (each verified clean without the check).
 */
static void test_verify_cross_checks_events(void **state)
{
	struct fx *f = *state;
	struct snt_store_verify_report r;
	struct snt_store *st;
	struct snt_event ev;
	char msg[256], want[64];
	int64_t id;

	st = open_rw(f->path);
	append_n(st, 0, 5);
	memset(&ev, 0, sizeof(ev));
	snprintf(ev.boot_id, sizeof(ev.boot_id), "%s", "b");
	ev.clock = SNT_CLOCK_TRUSTED;
	ev.kind = SNT_EVENT_DEVICE_FAULT;
	ev.time_utc_ms = INT64_C(1641000000000);
	snprintf(ev.detail, sizeof(ev.detail), "%s", "camera: no frames");
	assert_int_equal(snt_store_event_add(st, &ev), SNT_STORE_OK);
	snt_store_close(st);
	st = open_ro(f->path);
	assert_int_equal(snt_store_verify(st, NULL, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_CLEAN);
	snt_store_close(st);

	/* The fault's alert deleted: the event is there without it. */
	assert_int_equal(count_rows(f->path, "SELECT count(*) FROM alerts WHERE event_id = 1 AND kind = "
				    "'device-fault'"), 1);
	assert_int_equal(raw_exec(f->path, "DROP TRIGGER alerts_no_delete; DELETE FROM alerts WHERE event_id = 1",
				  msg, sizeof(msg)), SQLITE_OK);
	st = open_ro(f->path);
	assert_int_equal(snt_store_verify(st, NULL, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_DAMAGED);
	assert_int_equal(r.first_bad_seq, 0);
	assert_string_equal(r.reason, "event 1 has no alert");
	snt_store_close(st);

	/* Put back, and an alert for an event that never was. */
	assert_int_equal(raw_exec(f->path, "INSERT INTO alerts (created_utc_ms, kind, event_id, detail) VALUES "
					   "(1, 'device-fault', 1, 'camera: no frames'); INSERT INTO alerts "
					   "(created_utc_ms, kind, event_id, detail) VALUES (1, 'device-fault', 9, 'x')",
				  msg, sizeof(msg)), SQLITE_OK);
	id = count_rows(f->path, "SELECT id FROM alerts WHERE event_id = 9");
	snprintf(want, sizeof(want), "alert %lld names a missing event", (long long)id);
	st = open_ro(f->path);
	assert_int_equal(snt_store_verify(st, NULL, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_DAMAGED);
	assert_int_equal(r.first_bad_seq, 0);
	assert_string_equal(r.reason, want);
	snt_store_close(st);
	assert_int_equal(raw_exec(f->path, "DELETE FROM alerts WHERE event_id = 9", msg, sizeof(msg)), SQLITE_OK);

	/* The entries from seq 3 on deleted (triggers dropped), the fever alert of seq 3 kept. */
	assert_int_equal(count_rows(f->path, "SELECT count(*) FROM alerts WHERE seq = 3 AND kind = 'fever'"), 1);
	assert_int_equal(raw_exec(f->path, "DROP TRIGGER entries_no_delete; DELETE FROM alerts WHERE seq > 3; "
					   "DELETE FROM entries WHERE seq >= 3", msg, sizeof(msg)), SQLITE_OK);
	id = count_rows(f->path, "SELECT id FROM alerts WHERE seq = 3");
	snprintf(want, sizeof(want), "alert %lld names a missing entry", (long long)id);
	st = open_ro(f->path);
	assert_int_equal(snt_store_verify(st, NULL, &r), SNT_STORE_OK);
	assert_int_equal(r.status, SNT_VERIFY_DAMAGED);
	assert_int_equal(r.first_bad_seq, 3);
	assert_string_equal(r.reason, want);
	assert_int_equal(r.entries, 2);
	snt_store_close(st);
}

static void test_names_and_strerror(void **state)
{
	enum snt_person_kind k;
	enum snt_door d;

	(void)state;
	assert_string_equal(snt_person_kind_name(SNT_KIND_VISITOR), "visitor");
	assert_string_equal(snt_person_kind_name(SNT_KIND_STAFF), "staff");
	assert_null(snt_person_kind_name((enum snt_person_kind)7));
	assert_int_equal(snt_person_kind_from_name("staff", &k), 0);
	assert_int_equal(k, SNT_KIND_STAFF);
	assert_int_equal(snt_person_kind_from_name("visitor", &k), 0);
	assert_int_equal(k, SNT_KIND_VISITOR);
	assert_int_equal(snt_person_kind_from_name("Staff", &k), -1);
	assert_int_equal(snt_person_kind_from_name(NULL, &k), -1);

	assert_string_equal(snt_door_name(SNT_DOOR_OPENED), "opened");
	assert_string_equal(snt_door_name(SNT_DOOR_SHUT), "shut");
	assert_null(snt_door_name((enum snt_door)7));
	assert_int_equal(snt_door_from_name("opened", &d), 0);
	assert_int_equal(d, SNT_DOOR_OPENED);
	assert_int_equal(snt_door_from_name("shut", &d), 0);
	assert_int_equal(d, SNT_DOOR_SHUT);
	assert_int_equal(snt_door_from_name("open", &d), -1);

	for (int err = SNT_STORE_OK; err <= SNT_STORE_ERR_EXISTS; err++) {
		const char *s = snt_store_strerror((enum snt_store_err)err);

		assert_non_null(s);
		assert_string_not_equal(s, "unknown store error");
	}
	assert_string_equal(snt_store_strerror((enum snt_store_err)99), "unknown store error");
}

/* A test with a fresh fixture: setup() before it, teardown() after. */
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(int argc, char **argv)
{
	const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
	const struct CMUnitTest tests[] = {
		T(test_null_args),
		T(test_append_read_back_reopen),
		T(test_stored_as_names),
		T(test_chain_links_and_recompute),
		cmocka_unit_test(test_hash_known_answer),
		T(test_certificate_payload_digested),
		cmocka_unit_test(test_entry_digest),
		T(test_invalid_entries_write_nothing),
		T(test_triggers_refuse_update_delete),
		T(test_tampered_row_detected),
		T(test_bad_stored_values_are_corrupt),
		T(test_wal_and_synchronous_full),
		T(test_newer_schema_refused),
		T(test_foreign_database_refused),
		T(test_not_a_database),
		T(test_missing_directory_or_file),
		T(test_readonly_empty_file),
		T(test_readonly_writes_nothing),
		T(test_busy_writer),
		T(test_fixture_v1_migrates),
		T(test_fixture_v1_failed_migration),
		T(test_fixture_v2),
		T(test_ack_cursor),
		T(test_append_batch),
		T(test_purge_rule),
		T(test_purge_in_chunks),
		T(test_purge_rebased_time),
		T(test_purge_raw_sql_refused),
		T(test_purge_refuses_damaged_range),
		T(test_verify_clean),
		T(test_verify_finds_damage),
		T(test_verify_rehashed_row),
		T(test_verify_page_damage),
		T(test_rebase),
		T(test_cli_verify_log),
		T(test_cli_purge),
		T(test_birth_year),
		T(test_personal),
		T(test_personal_digest),
		T(test_fixture_v3),
		T(test_fixture_v4),
		T(test_purge_erases_old_payload),
		T(test_schema_checks_from_entry_tables),
		T(test_row_codec),
		T(test_row_values),
		T(test_detail),
		T(test_query_alerts),
		T(test_events_iter),
		T(test_head_file),
		T(test_seal_rewrite_detected),
		T(test_verify_names_bad_entry),
		T(test_verify_cross_checks_events),
		cmocka_unit_test(test_names_and_strerror),
	};

	/* build/check/tests/test_store -> build/check/sentinelctl */
	if (slash)
		snprintf(ctl_path, sizeof(ctl_path), "%.*s/../sentinelctl", (int)(slash - argv[0]), argv[0]);
	else
		snprintf(ctl_path, sizeof(ctl_path), "../sentinelctl");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
