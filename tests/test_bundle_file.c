// SPDX-License-Identifier: MIT
/*
 * A bundle file read in pieces (firmware/sync/bundle.h,
 * snt_bundle_reader_open_file(), snt_bundle_fd_*()): a bundle of 3,000
 * entries (over 768 KiB, several of the reader's windows)
 * yields exactly what the whole-file reader yields; a file cut short or
 * with a byte flipped late is refused before any entry; a file that
 * changes on disk after it was verified (a byte rewritten, cut short) is
 * refused as soon as a changed chunk is read again, before the last batch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "sign/sign.h"
#include "store/store.h"
#include "sync/bundle.h"
#include "tests/entry_assert.h"

#define NE 3000

struct fx {
	EVP_PKEY *dev, *bureau;
	struct snt_entry e[NE];
	struct snt_bundle_seal s[NE];
	struct snt_bundle_record r[NE];
	uint8_t payload[NE][160];
	uint8_t rec[200];
	uint8_t *file;			/* the sealed bundle */
	size_t len;
};

static int lookup(void *ctx, const char *device, const uint8_t kid[SNT_SIGN_KID_LEN], EVP_PKEY **key)
{
	struct fx *f = ctx;

	(void)kid;
	if (strcmp(device, "gate-big") || EVP_PKEY_up_ref(f->dev) != 1)
		return -1;
	*key = f->dev;
	return 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct snt_bundle_manifest m;
	struct snt_bundle_diag d;
	uint8_t digest[SNT_HASH_LEN], *cbor = NULL;
	char hex[2 * SNT_HASH_LEN + 1];
	unsigned int dn;
	size_t len;

	if (!f || snt_sign_key_generate(&f->dev) || snt_sign_key_generate(&f->bureau))
		return -1;
	memset(f->rec, 0x41, sizeof(f->rec));
	if (!EVP_Digest(f->rec, sizeof(f->rec), digest, &dn, EVP_sha256(), NULL))
		return -1;
	snt_hex_encode(digest, sizeof(digest), hex);
	for (size_t i = 0; i < NE; i++) {
		struct snt_entry *e = &f->e[i];

		e->seq = (int64_t)i + 1;
		snprintf(e->boot_id, sizeof(e->boot_id), "0b1e8d52-5d9c-4b8e-9a59-%012zu", i / 500);
		e->mono_ms = 1000 + (int64_t)i * 250;
		e->time_utc_ms = 1700000000000LL + (int64_t)i * 60000;
		e->clock = SNT_CLOCK_TRUSTED;
		e->kind = i % 4 == 1 ? SNT_KIND_STAFF : SNT_KIND_VISITOR;
		e->format = SNT_FORMAT_HEALTHCODE;
		e->colour = SNT_COLOUR_GREEN;
		e->decision = SNT_DECISION_ADMIT;
		e->door = SNT_DOOR_OPENED;
		snprintf((char *)f->payload[i], sizeof(f->payload[i]),
			 "HC:110101:%06zu:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
			 "0123456789abcdef0123456789abcdef", i);
		e->payload = f->payload[i];
		e->payload_len = strlen((char *)f->payload[i]);
		if (i % 50 == 7) {
			snprintf(e->detail, sizeof(e->detail), "{\"idcard\":{\"last4\":\"002X\",\"sealed\":\"%s\"}}", hex);
			f->r[i].sealed = f->rec;
			f->r[i].len = sizeof(f->rec);
		}
		if (i % 3 == 0) {
			f->s[i].present = true;
			f->s[i].epoch = (int64_t)i / 100;
			f->s[i].tag[0] = (uint8_t)i;
		}
		if (i > 0)
			memcpy(e->prev_hash, f->e[i - 1].hash, SNT_HASH_LEN);
		if (snt_store_entry_hash(e, e->hash) != SNT_STORE_OK)
			return -1;
	}
	if (snt_bundle_manifest_fill("gate-big", SNT_BUNDLE_REGULAR, f->e, NE, 1, &m) ||
	    snt_bundle_encode_records(&m, f->e, f->s, f->r, NE, &cbor, &len, &d) ||
	    snt_bundle_seal(f->dev, f->bureau, cbor, len, &f->file, &f->len, &d))
		return -1;
	free(cbor);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	EVP_PKEY_free(f->dev);
	EVP_PKEY_free(f->bureau);
	free(f->file);
	free(f);
	return 0;
}

/* A file in memory, handed out in pieces. */
struct memfile {
	const uint8_t *p;
	size_t reads;
};

static int mem_read(void *ctx, size_t off, uint8_t *buf, size_t n)
{
	struct memfile *m = ctx;

	m->reads++;
	memcpy(buf, m->p + off, n);
	return 0;
}

/* Every batch of @rd against the fixture's entries; the number of entries read, or -1 at a refusal. */
static long read_all(struct fx *f, struct snt_bundle_reader *rd, struct snt_bundle_diag *d, enum snt_bundle_err *err)
{
	struct snt_bundle_batch b;
	size_t got = 0;

	for (;;) {
		*err = snt_bundle_reader_next(rd, &b, d);
		if (*err)
			return -1;
		if (b.n == 0)
			return (long)got;
		for (size_t i = 0; i < b.n; i++, got++) {
			const struct snt_entry *e = &b.entries[i];

			assert_int_equal(e->seq, f->e[got].seq);
			assert_entry_fields_equal(e, &f->e[got]);
			assert_int_equal(e->payload_len, f->e[got].payload_len);
			assert_memory_equal(e->payload, f->e[got].payload, e->payload_len);
			assert_memory_equal(e->hash, f->e[got].hash, SNT_HASH_LEN);
			assert_int_equal(b.seals[i].present, f->s[got].present);
			assert_int_equal(b.seals[i].epoch, f->s[got].epoch);
			assert_int_equal(b.records[i].len, f->r[got].len);
			if (f->r[got].len)
				assert_memory_equal(b.records[i].sealed, f->rec, sizeof(f->rec));
		}
		assert_int_equal(b.last, got == NE);
	}
}

static void collect_time(void *arg, int64_t t)
{
	int64_t **p = arg;

	*(*p)++ = t;
}

static void test_same_as_whole(void **state)
{
	struct fx *f = *state;
	struct memfile m = { .p = f->file };
	struct snt_bundle_file file = { .len = f->len, .read = mem_read, .ctx = &m };
	struct snt_bundle_reader *rd = NULL;
	struct snt_bundle_diag d;
	enum snt_bundle_err err;
	uint8_t kid[SNT_SIGN_KID_LEN], want[SNT_SIGN_KID_LEN], *copy;
	static int64_t times[NE];
	int64_t *tp = times;

	assert_true(f->len > 3 * ((size_t)256 << 10));	/* several windows */
	assert_int_equal(snt_bundle_reader_open_file(f->bureau, lookup, f, &file, NE, 1000, &rd, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_reader_manifest(rd)->count, NE);
	snt_bundle_reader_kid(rd, kid);
	assert_int_equal(snt_sign_key_kid(f->dev, want), SNT_SIGN_OK);
	assert_memory_equal(kid, want, sizeof(kid));
	snt_bundle_reader_times(rd, collect_time, &tp);
	assert_int_equal(tp - times, NE);
	assert_int_equal(times[NE - 1], f->e[NE - 1].time_utc_ms);
	assert_int_equal(read_all(f, rd, &d, &err), NE);
	snt_bundle_reader_free(rd);
	/* The whole-file reader, for comparison: the same entries. */
	copy = malloc(f->len);
	assert_non_null(copy);
	memcpy(copy, f->file, f->len);
	assert_int_equal(snt_bundle_reader_open(f->bureau, lookup, f, copy, f->len, NE, 1000, &rd, &d), SNT_BUNDLE_OK);
	assert_int_equal(read_all(f, rd, &d, &err), NE);
	snt_bundle_reader_free(rd);
	free(copy);
	/* Another bureau's key: not unsealed. */
	assert_int_equal(snt_bundle_reader_open_file(f->dev, lookup, f, &file, NE, 1000, &rd, &d), SNT_BUNDLE_ERR_UNSEAL);
	assert_null(rd);
}

static void test_cut_and_flipped(void **state)
{
	struct fx *f = *state;
	uint8_t *bad = malloc(f->len);
	struct memfile m = { .p = bad };
	struct snt_bundle_file file = { .read = mem_read, .ctx = &m };
	struct snt_bundle_reader *rd = NULL;
	struct snt_bundle_diag d;
	const size_t cuts[] = { 0, 50, SNT_SEAL_OVERHEAD - 1, f->len / 2, f->len - 17, f->len - 1 };
	const size_t flips[] = { 3, 70, 100, f->len / 2, f->len - 40, f->len - 17, f->len - 1 };

	assert_non_null(bad);
	memcpy(bad, f->file, f->len);
	for (size_t i = 0; i < SNT_ARRAY_SIZE(cuts); i++) {
		file.len = cuts[i];
		assert_int_equal(snt_bundle_reader_open_file(f->bureau, lookup, f, &file, NE, 1000, &rd, &d),
				 SNT_BUNDLE_ERR_UNSEAL);
		assert_null(rd);
		assert_int_equal(d.sign, cuts[i] < SNT_SEAL_OVERHEAD ? SNT_SIGN_ERR_TOO_SHORT : SNT_SIGN_ERR_AUTH);
	}
	file.len = f->len;
	for (size_t i = 0; i < SNT_ARRAY_SIZE(flips); i++) {
		bad[flips[i]] ^= 0x10;
		assert_int_equal(snt_bundle_reader_open_file(f->bureau, lookup, f, &file, NE, 1000, &rd, &d),
				 SNT_BUNDLE_ERR_UNSEAL);
		assert_null(rd);
		bad[flips[i]] ^= 0x10;
	}
	/* Unflipped again: read. */
	assert_int_equal(snt_bundle_reader_open_file(f->bureau, lookup, f, &file, NE, 1000, &rd, &d), SNT_BUNDLE_OK);
	snt_bundle_reader_free(rd);
	free(bad);
}

/*
 * The file on disk, read through snt_bundle_fd_*(); once the first reading
 * took the tag (the file verified), @how changes it: 1 a byte rewritten at
 * @at, 2 cut to @at bytes.
 */
struct tamper {
	const struct snt_bundle_file *inner;
	int fd, how;
	size_t at;
	bool done;
};

static int tamper_read(void *ctx, size_t off, uint8_t *buf, size_t n)
{
	struct tamper *t = ctx;
	int rc = t->inner->read(t->inner->ctx, off, buf, n);

	if (!rc && !t->done && t->how && off + n == t->inner->len && n == SNT_SEAL_TAG_LEN) {
		uint8_t c;

		t->done = true;
		if (t->how == 1) {
			assert_int_equal(pread(t->fd, &c, 1, (off_t)t->at), 1);
			c ^= 0x01;
			assert_int_equal(pwrite(t->fd, &c, 1, (off_t)t->at), 1);
		} else {
			assert_int_equal(ftruncate(t->fd, (off_t)t->at), 0);
		}
	}
	return rc;
}

/* Open the bundle from a temporary file changed as @how/@at says; the reader's outcome, its why. */
static enum snt_bundle_err from_disk(struct fx *f, int how, size_t at, long *entries, char *why, size_t n)
{
	char path[] = "/tmp/test_bundle_file.XXXXXX";
	int fd = mkstemp(path);
	struct snt_bundle_fd *r = NULL;
	struct snt_bundle_reader *rd = NULL;
	struct snt_bundle_diag d;
	enum snt_bundle_err err;
	struct tamper t = { .fd = fd, .how = how, .at = at };
	struct snt_bundle_file file;

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, f->file, f->len), (ssize_t)f->len);
	assert_int_equal(snt_bundle_fd_new(fd, f->len, &r), SNT_BUNDLE_OK);
	t.inner = snt_bundle_fd_file(r);
	file = (struct snt_bundle_file){ .len = f->len, .read = tamper_read, .ctx = &t };
	*entries = -1;
	err = snt_bundle_reader_open_file(f->bureau, lookup, f, &file, NE, 1000, &rd, &d);
	if (!err) {
		*entries = read_all(f, rd, &d, &err);
		snt_bundle_reader_free(rd);
	} else {
		assert_null(rd);
	}
	snprintf(why, n, "%s", snt_bundle_fd_why(r));
	snt_bundle_fd_free(r);
	close(fd);
	return err;
}

static void test_changed_on_disk(void **state)
{
	struct fx *f = *state;
	char why[SNT_BUNDLE_MSG_LEN];
	long got;

	/* Unchanged: every entry. */
	assert_int_equal(from_disk(f, 0, 0, &got, why, sizeof(why)), SNT_BUNDLE_OK);
	assert_int_equal(got, NE);
	assert_string_equal(why, "");
	/* A byte rewritten early, in the middle, late (the last entries, the records): never the last batch. */
	for (size_t k = 0; k < 3; k++) {
		size_t at = k == 0 ? 200 : k == 1 ? f->len / 2 : f->len - 100;

		assert_int_equal(from_disk(f, 1, at, &got, why, sizeof(why)), SNT_BUNDLE_ERR_IO);
		assert_true(got < NE);
		assert_string_equal(why, "the file changed while it was read");
	}
	/* Cut short after it was verified. */
	assert_int_equal(from_disk(f, 2, f->len / 3, &got, why, sizeof(why)), SNT_BUNDLE_ERR_IO);
	assert_true(got < NE);
	assert_string_equal(why, "the file shrank while it was read");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_whole),
		cmocka_unit_test(test_cut_and_flipped),
		cmocka_unit_test(test_changed_on_disk),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
