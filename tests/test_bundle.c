// SPDX-License-Identifier: MIT
/*
 * bundle (firmware/sync/bundle.h): round trips of bundles, acknowledgements
 * and signed time; every decoder error with its exact code, on payloads
 * altered with libcbor; files truncated, flipped, replayed from another
 * device; file names.  Keys are made here; nothing touches the disk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <cbor.h>
#include <openssl/evp.h>

#include "sign/sign.h"
#include "store/store.h"
#include "sync/bundle.h"
#include "sync/bundle_internal.h"
#include "tests/entry_assert.h"

#define N 10

struct fx {
	EVP_PKEY *dev_a, *dev_b, *bureau, *bureau2;
	struct snt_entry e[N];	/* seq 1..N, chained */
	uint8_t payload[N][16];
};

/* ---- fixtures ---- */

static void fill_entry(struct fx *f, size_t i)
{
	struct snt_entry *e = &f->e[i];

	memset(e, 0, sizeof(*e));
	e->seq = (int64_t)i + 1;
	snprintf(e->boot_id, sizeof(e->boot_id), "0b1e8d52-5d9c-4b8e-9a59-%012u", (unsigned)i);
	e->mono_ms = 1000 + (int64_t)i * 250;
	e->time_utc_ms = 1700000000000LL + (int64_t)i * 60000;
	e->clock = i % 3 == 0 ? SNT_CLOCK_UNTRUSTED : SNT_CLOCK_TRUSTED;
	e->kind = i % 4 == 1 ? SNT_KIND_STAFF : SNT_KIND_VISITOR;
	e->format = i % 2 ? SNT_FORMAT_HEALTHCODE : SNT_FORMAT_HCERT;
	e->colour = (enum snt_colour)(i % 5);
	e->verified = (enum snt_verified)(i % 4);
	e->has_temp = i % 3 != 2;
	e->temp_dc = 365 + (int)i;
	e->decision = (enum snt_decision)(i % 3);
	e->reasons = i % 4 == 3 ? 0 : (SNT_REASON_BIT(SNT_REASON_FEVER) | SNT_REASON_BIT(i % SNT_REASON_COUNT));
	e->door = i % 2 ? SNT_DOOR_OPENED : SNT_DOOR_SHUT;
	if (i % 2)
		snprintf(e->subject, sizeof(e->subject), "Z** S**%zu", i);
	if (i % 3 != 1) {
		snprintf((char *)f->payload[i], sizeof(f->payload[i]), "HC:110101:%04zu", i);
		e->payload = f->payload[i];
		e->payload_len = strlen((char *)f->payload[i]);
	}
	if (i % 2 == 0)
		snprintf(e->detail, sizeof(e->detail), "{\"rules\":{\"version\":%zu,\"stale\":false}}", i);
}

static void chain(struct snt_entry *e, size_t n, const uint8_t *prev)
{
	for (size_t i = 0; i < n; i++) {
		if (i == 0)
			memcpy(e[0].prev_hash, prev, SNT_HASH_LEN);
		else
			memcpy(e[i].prev_hash, e[i - 1].hash, SNT_HASH_LEN);
		assert_int_equal(snt_store_entry_hash(&e[i], e[i].hash), SNT_STORE_OK);
	}
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	static const uint8_t zero[SNT_HASH_LEN];

	if (!f)
		return -1;
	if (snt_sign_key_generate(&f->dev_a) || snt_sign_key_generate(&f->dev_b) ||
	    snt_sign_key_generate(&f->bureau) || snt_sign_key_generate(&f->bureau2))
		return -1;
	/* As the store logs them: a certificate's payload as its SHA-256. */
	for (size_t i = 0; i < N; i++) {
		fill_entry(f, i);
		if (snt_store_entry_digest(&f->e[i]) != SNT_STORE_OK)
			return -1;
	}
	chain(f->e, N, zero);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	EVP_PKEY_free(f->dev_a);
	EVP_PKEY_free(f->dev_b);
	EVP_PKEY_free(f->bureau);
	EVP_PKEY_free(f->bureau2);
	free(f);
	return 0;
}

/* Registry: gate-a -> dev_a, gate-b -> dev_b; "swap" maps gate-a to dev_b. */
struct registry {
	struct fx *f;
	int swap;
	int calls;
};

static int lookup(void *ctx, const char *device, const uint8_t kid[SNT_SIGN_KID_LEN], EVP_PKEY **key)
{
	struct registry *r = ctx;
	EVP_PKEY *k;

	(void)kid;
	r->calls++;
	if (!strcmp(device, "gate-a"))
		k = r->swap ? r->f->dev_b : r->f->dev_a;
	else if (!strcmp(device, "gate-b"))
		k = r->f->dev_b;
	else
		return -1;
	if (EVP_PKEY_up_ref(k) != 1)
		return -1;
	*key = k;
	return 0;
}

static void assert_entry_equal(const struct snt_entry *a, const struct snt_entry *b)
{
	assert_int_equal(a->seq, b->seq);
	assert_entry_fields_equal(a, b);
	assert_int_equal(a->payload_len, b->payload_len);
	if (a->payload_len)
		assert_memory_equal(a->payload, b->payload, a->payload_len);
	assert_memory_equal(a->prev_hash, b->prev_hash, SNT_HASH_LEN);
	assert_memory_equal(a->hash, b->hash, SNT_HASH_LEN);
}

static void encode_regular(struct fx *f, const char *device, size_t from, size_t n, uint8_t **cbor, size_t *len)
{
	struct snt_bundle_manifest m;
	struct snt_bundle_diag d;

	assert_int_equal(snt_bundle_manifest_fill(device, SNT_BUNDLE_REGULAR, f->e + from, n, 1700000999000LL, &m),
			 SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_encode(&m, f->e + from, n, cbor, len, &d), SNT_BUNDLE_OK);
}

static cbor_item_t *ack_item(int head_zero, uint64_t seq, const char *colour);

/* ---- libcbor mutation helpers ---- */

static cbor_item_t *load(const uint8_t *cbor, size_t len)
{
	struct cbor_load_result res;
	cbor_item_t *root = cbor_load(cbor, len, &res);

	assert_non_null(root);
	assert_int_equal(res.error.code, CBOR_ERR_NONE);
	return root;
}

static struct cbor_pair *pair_of(cbor_item_t *map, const char *key)
{
	struct cbor_pair *p = cbor_map_handle(map);

	for (size_t i = 0; i < cbor_map_size(map); i++)
		if (cbor_string_length(p[i].key) == strlen(key) &&
		    !memcmp(cbor_string_handle(p[i].key), key, strlen(key)))
			return &p[i];
	fail_msg("no key %s", key);
	return NULL;
}

/* Replace the value of @key (takes ownership of @v). */
static void map_set(cbor_item_t *map, const char *key, cbor_item_t *v)
{
	struct cbor_pair *p = pair_of(map, key);

	cbor_decref(&p->value);
	p->value = v;
}

static cbor_item_t *entry_at(cbor_item_t *root, size_t i)
{
	return cbor_array_handle(pair_of(root, "entries")->value)[i];
}

static void entry_set(cbor_item_t *root, size_t i, size_t col, cbor_item_t *v)
{
	assert_true(cbor_array_replace(entry_at(root, i), col, v));
	cbor_decref(&v);
}

static void dump(cbor_item_t *root, uint8_t **out, size_t *len)
{
	size_t cap;

	*len = cbor_serialize_alloc(root, out, &cap);
	assert_true(*len > 0);
}

static enum snt_bundle_err decode_mutated(cbor_item_t *root, struct snt_bundle_diag *d)
{
	uint8_t *buf;
	size_t len;
	struct snt_bundle *b = NULL;
	enum snt_bundle_err rc;

	dump(root, &buf, &len);
	rc = snt_bundle_decode(buf, len, &b, d);
	if (rc == SNT_BUNDLE_OK)
		snt_bundle_free(b);
	else
		assert_null(b);
	free(buf);
	return rc;
}

static cbor_item_t *fresh(struct fx *f)
{
	uint8_t *cbor;
	size_t len;
	cbor_item_t *root;

	encode_regular(f, "gate-a", 0, N, &cbor, &len);
	root = load(cbor, len);
	free(cbor);
	return root;
}

static cbor_item_t *u64(uint64_t v)
{
	return cbor_build_uint64(v);
}

static cbor_item_t *bytes(const uint8_t *p, size_t n)
{
	return cbor_build_bytestring(p, n);
}

/* ---- bundles ---- */

static void test_bundle_round_trip(void **state)
{
	struct fx *f = *state;
	struct registry r = { f, 0, 0 };
	uint8_t *cbor, *file;
	size_t len, file_len;
	struct snt_bundle *b = NULL;
	struct snt_bundle_manifest m;
	struct snt_bundle_diag d;
	uint8_t kid[8];

	encode_regular(f, "gate-a", 0, N, &cbor, &len);
	assert_int_equal(snt_bundle_seal(f->dev_a, f->bureau, cbor, len, &file, &file_len, &d), SNT_BUNDLE_OK);
	assert_memory_equal(file, "SNE1", 4);
	assert_int_equal(snt_bundle_open(f->bureau, lookup, &r, file, file_len, &b, &d), SNT_BUNDLE_OK);
	assert_int_equal(r.calls, 1);
	assert_string_equal(d.msg, "");
	assert_int_equal(b->n, N);
	for (size_t i = 0; i < N; i++)
		assert_entry_equal(&b->entries[i], &f->e[i]);
	assert_int_equal(snt_bundle_manifest_get(b, &m), SNT_BUNDLE_OK);
	assert_string_equal(m.device, "gate-a");
	assert_int_equal(m.kind, SNT_BUNDLE_REGULAR);
	assert_int_equal(m.first, 1);
	assert_int_equal(m.last, N);
	assert_int_equal(m.count, N);
	assert_memory_equal(m.prev, f->e[0].prev_hash, 32);
	assert_memory_equal(m.head, f->e[N - 1].hash, 32);
	assert_int_equal(m.created_ms, 1700000999000LL);
	assert_int_equal(snt_sign_key_kid(f->dev_a, kid), SNT_SIGN_OK);
	assert_memory_equal(b->kid, kid, 8);
	snt_bundle_free(b);
	/* The decoder alone gives the same. */
	assert_int_equal(snt_bundle_decode(cbor, len, &b, NULL), SNT_BUNDLE_OK);
	assert_int_equal(b->n, N);
	snt_bundle_free(b);
	free(file);
	free(cbor);

	/* Extreme but storable values travel unchanged. */
	{
		struct snt_entry x[2];
		struct snt_bundle_manifest mm;
		static const uint8_t z[32];

		memcpy(x, f->e, sizeof(x));
		x[0].temp_dc = -2147483647 - 1;
		x[1].temp_dc = 2147483647;
		x[1].has_temp = true;
		x[0].mono_ms = INT64_MIN;
		x[1].time_utc_ms = INT64_MAX;
		chain(x, 2, z);
		assert_int_equal(snt_bundle_manifest_fill("gate-a", SNT_BUNDLE_REGULAR, x, 2, -1, &mm), SNT_BUNDLE_OK);
		assert_int_equal(snt_bundle_encode(&mm, x, 2, &cbor, &len, &d), SNT_BUNDLE_OK);
		assert_int_equal(snt_bundle_decode(cbor, len, &b, &d), SNT_BUNDLE_OK);
		assert_entry_equal(&b->entries[0], &x[0]);
		assert_entry_equal(&b->entries[1], &x[1]);
		assert_int_equal(b->manifest.created_ms, -1);
		snt_bundle_free(b);
		free(cbor);
	}
	/* A bundle starting after seq 1 (prev = the previous entry's hash). */
	encode_regular(f, "gate-a", 4, 6, &cbor, &len);
	assert_int_equal(snt_bundle_decode(cbor, len, &b, &d), SNT_BUNDLE_OK);
	assert_int_equal(b->manifest.first, 5);
	assert_memory_equal(b->manifest.prev, f->e[3].hash, 32);
	snt_bundle_free(b);
	free(cbor);
}

/* "seals": carried one per entry (null for an unsealed one), absent when none; bad shapes refused. */
static void test_bundle_seals(void **state)
{
	struct fx *f = *state;
	struct snt_bundle_seal sl[3];
	struct snt_bundle_manifest m;
	struct snt_bundle_diag d;
	struct snt_bundle *b = NULL;
	uint8_t *cbor, *plain;
	size_t len, plain_len;

	memset(sl, 0, sizeof(sl));
	sl[0].present = true;
	sl[0].epoch = 7;
	memset(sl[0].tag, 0xa5, sizeof(sl[0].tag));
	sl[2].present = true;
	sl[2].epoch = SNT_FSS_EPOCH_MAX;
	memset(sl[2].tag, 0x5a, sizeof(sl[2].tag));
	assert_int_equal(snt_bundle_manifest_fill("gate-a", SNT_BUNDLE_REGULAR, f->e, 3, 1, &m), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_encode_sealed(&m, f->e, sl, 3, &cbor, &len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_decode(cbor, len, &b, &d), SNT_BUNDLE_OK);
	assert_non_null(b->seals);
	assert_true(b->seals[0].present);
	assert_int_equal(b->seals[0].epoch, 7);
	assert_memory_equal(b->seals[0].tag, sl[0].tag, SNT_FSS_TAG_LEN);
	assert_false(b->seals[1].present);
	assert_int_equal(b->seals[2].epoch, SNT_FSS_EPOCH_MAX);
	snt_bundle_free(b);
	/* The tag of entry 3 ends the payload (0x58 0x20 and 32 bytes): one byte shorter is refused. */
	assert_int_equal(cbor[len - 34], 0x58);
	assert_int_equal(cbor[len - 33], 0x20);
	cbor[len - 33] = 31;
	assert_int_equal(snt_bundle_decode(cbor, len - 1, &b, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.field, "seals");
	assert_int_equal(d.seq, 3);
	assert_string_equal(d.msg, "entry seq 3: seal not [epoch, 32-byte tag] or null");
	free(cbor);
	/* No seal present: no "seals" (the bytes of snt_bundle_encode()). */
	memset(sl, 0, sizeof(sl));
	assert_int_equal(snt_bundle_encode_sealed(&m, f->e, sl, 3, &cbor, &len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_encode(&m, f->e, 3, &plain, &plain_len, &d), SNT_BUNDLE_OK);
	assert_int_equal(len, plain_len);
	assert_memory_equal(cbor, plain, len);
	assert_int_equal(snt_bundle_decode(cbor, len, &b, &d), SNT_BUNDLE_OK);
	assert_null(b->seals);
	snt_bundle_free(b);
	free(plain);
	free(cbor);
	/* An epoch past the bound is not encoded. */
	sl[1].present = true;
	sl[1].epoch = SNT_FSS_EPOCH_MAX + 1;
	assert_int_equal(snt_bundle_encode_sealed(&m, f->e, sl, 3, &cbor, &len, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.msg, "entry seq 2: seal epoch out of range");
}

/*
 * "records": the sealed personal records, one per entry (null where none),
 * after "seals" or alone, absent when none (the bytes of the older format);
 * a record that is not its entry's digest, or of the wrong size, is neither
 * written nor read.
 */
static void test_bundle_records(void **state)
{
	struct fx *f = *state;
	struct snt_entry x[3];
	struct snt_bundle_record r[3];
	struct snt_bundle_seal sl[3];
	struct snt_bundle_manifest m;
	struct snt_bundle_diag d;
	struct snt_bundle *b = NULL;
	uint8_t rec[2][200], digest[SNT_HASH_LEN], *cbor, *plain;
	static const uint8_t zero[SNT_HASH_LEN];
	char hex[2 * SNT_HASH_LEN + 1];
	unsigned int dn;
	size_t len, plain_len;

	memcpy(x, f->e, sizeof(x));
	memset(r, 0, sizeof(r));
	memset(sl, 0, sizeof(sl));
	for (int i = 0; i < 2; i++) {
		memset(rec[i], 0x30 + i, sizeof(rec[i]));
		assert_true(EVP_Digest(rec[i], sizeof(rec[i]), digest, &dn, EVP_sha256(), NULL));
		snt_hex_encode(digest, sizeof(digest), hex);
		snprintf(x[2 * i].detail, sizeof(x[2 * i].detail), "{\"idcard\":{\"last4\":\"002X\",\"sealed\":\"%s\"}}", hex);
		r[2 * i].sealed = rec[i];
		r[2 * i].len = sizeof(rec[i]);
	}
	chain(x, 3, zero);
	assert_true(snt_bundle_record_matches(&x[0], rec[0], sizeof(rec[0])));
	assert_false(snt_bundle_record_matches(&x[0], rec[1], sizeof(rec[1])));
	assert_false(snt_bundle_record_matches(&x[1], rec[0], sizeof(rec[0])));
	assert_int_equal(snt_bundle_manifest_fill("gate-a", SNT_BUNDLE_REGULAR, x, 3, 1, &m), SNT_BUNDLE_OK);
	/* Alone (no seals), then after seals. */
	for (int with_seals = 0; with_seals < 2; with_seals++) {
		sl[1].present = with_seals;
		sl[1].epoch = 3;
		assert_int_equal(snt_bundle_encode_records(&m, x, sl, r, 3, &cbor, &len, &d), SNT_BUNDLE_OK);
		assert_int_equal(snt_bundle_decode(cbor, len, &b, &d), SNT_BUNDLE_OK);
		assert_non_null(b->records);
		assert_int_equal(b->records[0].len, sizeof(rec[0]));
		assert_memory_equal(b->records[0].sealed, rec[0], sizeof(rec[0]));
		assert_null(b->records[1].sealed);
		assert_memory_equal(b->records[2].sealed, rec[1], sizeof(rec[1]));
		if (with_seals)
			assert_true(b->seals && b->seals[1].present);
		else
			assert_null(b->seals);
		snt_bundle_free(b);
		b = NULL;
		/* The last record's last byte changed: not its entry's digest, refused at its seq. */
		cbor[len - 1] ^= 1;
		assert_int_equal(snt_bundle_decode(cbor, len, &b, &d), SNT_BUNDLE_ERR_FIELD);
		assert_string_equal(d.field, "records");
		assert_int_equal(d.seq, 3);
		assert_string_equal(d.msg, "entry seq 3: personal record not of its size or digest");
		free(cbor);
	}
	/* No record: no "records", the bytes of the older format. */
	memset(sl, 0, sizeof(sl));
	memset(r, 0, sizeof(r));
	assert_int_equal(snt_bundle_encode_records(&m, x, sl, r, 3, &cbor, &len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_encode(&m, x, 3, &plain, &plain_len, &d), SNT_BUNDLE_OK);
	assert_int_equal(len, plain_len);
	assert_memory_equal(cbor, plain, len);
	assert_int_equal(snt_bundle_decode(cbor, len, &b, &d), SNT_BUNDLE_OK);
	assert_null(b->records);
	snt_bundle_free(b);
	free(plain);
	free(cbor);
	/* The encoder refuses a record for an entry without its digest, and one too short. */
	r[1].sealed = rec[0];
	r[1].len = sizeof(rec[0]);
	assert_int_equal(snt_bundle_encode_records(&m, x, NULL, r, 3, &cbor, &len, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.msg, "entry seq 2: personal record not of its size or digest");
	memset(r, 0, sizeof(r));
	r[0].sealed = rec[0];
	r[0].len = SNT_STORE_PERSONAL_MIN - 1;
	assert_int_equal(snt_bundle_encode_records(&m, x, NULL, r, 3, &cbor, &len, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.field, "records");
}

/*
 * A bundle read as a stream: the batches in order, each entry, seal and
 * record as snt_bundle_decode() gives them whole; a flaw in a later batch
 * refuses that batch (the first ones came already: the caller discards
 * them) and nothing after; the entries' times before decoding; the limit.
 */
static void collect_time(void *arg, int64_t t)
{
	int64_t **p = arg;

	*(*p)++ = t;
}

static void test_bundle_reader(void **state)
{
	struct fx *f = *state;
	struct snt_entry x[N];
	struct snt_bundle_record r[N];
	struct snt_bundle_seal sl[N];
	struct snt_bundle_manifest m;
	struct snt_bundle_diag d;
	struct snt_bundle *b = NULL;
	struct snt_bundle_reader *rd = NULL;
	struct snt_bundle_batch batch;
	uint8_t rec[200], digest[SNT_HASH_LEN], *cbor, *file;
	int64_t times[N], *tp = times;
	static const uint8_t zero[SNT_HASH_LEN];
	char hex[2 * SNT_HASH_LEN + 1];
	unsigned int dn;
	size_t len, file_len, got = 0, batches = 0;
	struct registry reg = { .f = f };

	memcpy(x, f->e, sizeof(x));
	memset(r, 0, sizeof(r));
	memset(sl, 0, sizeof(sl));
	memset(rec, 0x41, sizeof(rec));
	assert_true(EVP_Digest(rec, sizeof(rec), digest, &dn, EVP_sha256(), NULL));
	snt_hex_encode(digest, sizeof(digest), hex);
	snprintf(x[7].detail, sizeof(x[7].detail), "{\"idcard\":{\"last4\":\"002X\",\"sealed\":\"%s\"}}", hex);
	r[7].sealed = rec;
	r[7].len = sizeof(rec);
	sl[4].present = true;
	sl[4].epoch = 2;
	sl[4].tag[0] = 9;
	chain(x, N, zero);
	assert_int_equal(snt_bundle_manifest_fill("gate-a", SNT_BUNDLE_REGULAR, x, N, 1, &m), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_encode_records(&m, x, sl, r, N, &cbor, &len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_decode(cbor, len, &b, &d), SNT_BUNDLE_OK);
	/* Batches of 3: 3, 3, 3, 1, then none. */
	assert_int_equal(snt_bundle_reader_new(cbor, len, N, 3, &rd, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_reader_manifest(rd)->count, N);
	assert_true(snt_bundle_reader_has_records(rd));
	snt_bundle_reader_times(rd, collect_time, &tp);
	assert_int_equal(tp - times, N);
	for (;;) {
		assert_int_equal(snt_bundle_reader_next(rd, &batch, &d), SNT_BUNDLE_OK);
		if (batch.n == 0)
			break;
		batches++;
		assert_int_equal(batch.last, got + batch.n == N);
		assert_non_null(batch.seals);
		assert_non_null(batch.records);
		for (size_t i = 0; i < batch.n; i++, got++) {
			assert_int_equal(times[got], x[got].time_utc_ms);
			assert_entry_equal(&batch.entries[i], &b->entries[got]);
			assert_int_equal(batch.seals[i].present, b->seals[got].present);
			assert_int_equal(batch.seals[i].epoch, b->seals[got].epoch);
			assert_int_equal(batch.records[i].len, b->records[got].len);
			if (b->records[got].len)
				assert_memory_equal(batch.records[i].sealed, b->records[got].sealed, b->records[got].len);
		}
	}
	assert_int_equal(got, N);
	assert_int_equal(batches, 4);
	snt_bundle_reader_free(rd);
	snt_bundle_free(b);
	/* Entry seq 8's hash altered: the first two batches come, the third is refused at its seq, then nothing. */
	{
		cbor_item_t *root = load(cbor, len);
		uint8_t *bad, h[SNT_HASH_LEN];
		size_t bad_len;

		memcpy(h, x[7].hash, SNT_HASH_LEN);
		h[0] ^= 1;
		entry_set(root, 7, 17, bytes(h, SNT_HASH_LEN));
		dump(root, &bad, &bad_len);
		cbor_decref(&root);
		assert_int_equal(snt_bundle_reader_new(bad, bad_len, N, 3, &rd, &d), SNT_BUNDLE_OK);
		assert_int_equal(snt_bundle_reader_next(rd, &batch, &d), SNT_BUNDLE_OK);
		assert_int_equal(snt_bundle_reader_next(rd, &batch, &d), SNT_BUNDLE_OK);
		assert_int_equal(batch.n, 3);
		assert_int_not_equal(snt_bundle_reader_next(rd, &batch, &d), SNT_BUNDLE_OK);
		assert_int_equal(d.seq, 8);
		assert_int_equal(batch.n, 0);
		assert_int_equal(snt_bundle_reader_next(rd, &batch, &d), SNT_BUNDLE_ERR_INVAL);
		snt_bundle_reader_free(rd);
		free(bad);
	}
	/* More entries than the reader takes: refused at once, naming the limit. */
	assert_int_equal(snt_bundle_reader_new(cbor, len, N - 1, 3, &rd, &d), SNT_BUNDLE_ERR_COUNT);
	assert_null(rd);
	assert_string_equal(d.msg, "count 10 not within 1 to 9");
	assert_int_equal(d.limit, N - 1);	/* a limit, told without the message (bureau import) */
	assert_int_equal(snt_bundle_reader_new(cbor, len, SNT_BUNDLE_MAX_ACCEPT + 1, 3, &rd, &d), SNT_BUNDLE_ERR_INVAL);
	/* From the sealed file, in its own buffer: the same entries, the kid set. */
	assert_int_equal(snt_bundle_seal(f->dev_a, f->bureau, cbor, len, &file, &file_len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_reader_open(f->bureau, lookup, &reg, file, file_len, N, 4, &rd, &d), SNT_BUNDLE_OK);
	{
		uint8_t kid[SNT_SIGN_KID_LEN], want[SNT_SIGN_KID_LEN];

		snt_bundle_reader_kid(rd, kid);
		assert_int_equal(snt_sign_key_kid(f->dev_a, want), SNT_SIGN_OK);
		assert_memory_equal(kid, want, sizeof(kid));
	}
	got = 0;
	do {
		assert_int_equal(snt_bundle_reader_next(rd, &batch, &d), SNT_BUNDLE_OK);
		for (size_t i = 0; i < batch.n; i++, got++)
			assert_entry_equal(&batch.entries[i], &x[got]);
	} while (batch.n);
	assert_int_equal(got, N);
	snt_bundle_reader_free(rd);
	free(file);
	/* Signed by another key than the device's: refused before any entry. */
	assert_int_equal(snt_bundle_seal(f->dev_b, f->bureau, cbor, len, &file, &file_len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_reader_open(f->bureau, lookup, &reg, file, file_len, N, 4, &rd, &d), SNT_BUNDLE_ERR_KID);
	assert_null(rd);
	free(file);
	free(cbor);
}

static void test_bundle_priority(void **state)
{
	struct fx *f = *state;
	struct snt_entry pick[3];
	struct snt_bundle_manifest m;
	struct snt_bundle_diag d;
	struct snt_bundle *b = NULL;
	uint8_t *cbor;
	size_t len;

	pick[0] = f->e[1];
	pick[1] = f->e[4];
	pick[2] = f->e[8];
	assert_int_equal(snt_bundle_manifest_fill("gate-a", SNT_BUNDLE_PRIORITY, pick, 3, 5, &m), SNT_BUNDLE_OK);
	assert_int_equal(m.first, 2);
	assert_int_equal(m.last, 9);
	assert_int_equal(m.count, 3);
	assert_int_equal(snt_bundle_encode(&m, pick, 3, &cbor, &len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_decode(cbor, len, &b, &d), SNT_BUNDLE_OK);
	assert_int_equal(b->manifest.kind, SNT_BUNDLE_PRIORITY);
	for (size_t i = 0; i < 3; i++)
		assert_entry_equal(&b->entries[i], &pick[i]);
	snt_bundle_free(b);
	free(cbor);
	/* The same gap in a regular bundle is refused by the encoder. */
	m.kind = SNT_BUNDLE_REGULAR;
	assert_int_equal(snt_bundle_encode(&m, pick, 3, &cbor, &len, &d), SNT_BUNDLE_ERR_ORDER);
	assert_int_equal(d.seq, 5);
	/* Priority entries must ascend. */
	pick[1] = f->e[0];
	m.kind = SNT_BUNDLE_PRIORITY;
	assert_int_equal(snt_bundle_encode(&m, pick, 3, &cbor, &len, &d), SNT_BUNDLE_ERR_ORDER);
	assert_int_equal(d.seq, 1);
}

static void test_bundle_encoder_refuses(void **state)
{
	struct fx *f = *state;
	struct snt_bundle_manifest m;
	struct snt_bundle_diag d;
	struct snt_entry e[N];
	uint8_t *cbor = NULL;
	size_t len;

	memcpy(e, f->e, sizeof(e));
	assert_int_equal(snt_bundle_manifest_fill("gate-a", SNT_BUNDLE_REGULAR, e, N, 0, &m), SNT_BUNDLE_OK);
	m.count = N - 1;
	assert_int_equal(snt_bundle_encode(&m, e, N, &cbor, &len, &d), SNT_BUNDLE_ERR_COUNT);
	assert_string_equal(d.msg, "count 9 but 10 entries (1 to 100000 allowed)");
	assert_int_equal(d.limit, 0);
	m.count = N;
	m.head[0] ^= 1;
	assert_int_equal(snt_bundle_encode(&m, e, N, &cbor, &len, &d), SNT_BUNDLE_ERR_MANIFEST);
	assert_string_equal(d.field, "head");
	m.head[0] ^= 1;
	e[3].colour = SNT_COLOUR_RED == e[3].colour ? SNT_COLOUR_GREEN : SNT_COLOUR_RED;
	assert_int_equal(snt_bundle_encode(&m, e, N, &cbor, &len, &d), SNT_BUNDLE_ERR_HASH);
	assert_int_equal(d.seq, 4);
	assert_string_equal(d.msg, "entry seq 4: hash mismatch");
	assert_null(cbor);
	assert_int_equal(snt_bundle_manifest_fill("../x", SNT_BUNDLE_REGULAR, e, N, 0, &m), SNT_BUNDLE_ERR_INVAL);
	assert_int_equal(snt_bundle_manifest_fill("gate-a", SNT_BUNDLE_REGULAR, e, 0, 0, &m), SNT_BUNDLE_ERR_INVAL);
	assert_int_equal(snt_bundle_manifest_fill("gate-a", SNT_BUNDLE_REGULAR, e, SNT_BUNDLE_MAX_ACCEPT + 1, 0, &m),
			 SNT_BUNDLE_ERR_INVAL);
}

static void test_bundle_open_errors(void **state)
{
	struct fx *f = *state;
	struct registry r = { f, 0, 0 };
	uint8_t *cbor, *file, *cose, *payload;
	size_t len, file_len, cose_len, payload_len;
	struct snt_bundle *b = NULL;
	struct snt_bundle_diag d;

	encode_regular(f, "gate-a", 0, N, &cbor, &len);
	assert_int_equal(snt_bundle_seal(f->dev_a, f->bureau, cbor, len, &file, &file_len, &d), SNT_BUNDLE_OK);
	/* Truncated: every length. */
	for (size_t n = 0; n < file_len; n += 7) {
		assert_int_equal(snt_bundle_open(f->bureau, lookup, &r, file, n, &b, &d), SNT_BUNDLE_ERR_UNSEAL);
		assert_int_equal(d.sign, n < SNT_SEAL_OVERHEAD ? SNT_SIGN_ERR_TOO_SHORT : SNT_SIGN_ERR_AUTH);
	}
	/* One byte flipped anywhere. */
	for (size_t i = 0; i < file_len; i += 13) {
		file[i] ^= 0x40;
		assert_int_equal(snt_bundle_open(f->bureau, lookup, &r, file, file_len, &b, &d), SNT_BUNDLE_ERR_UNSEAL);
		file[i] ^= 0x40;
	}
	file[file_len - 1] ^= 1;
	assert_int_equal(snt_bundle_open(f->bureau, lookup, &r, file, file_len, &b, &d), SNT_BUNDLE_ERR_UNSEAL);
	assert_int_equal(d.sign, SNT_SIGN_ERR_AUTH);
	file[file_len - 1] ^= 1;
	/* Sealed to another bureau key. */
	assert_int_equal(snt_bundle_open(f->bureau2, lookup, &r, file, file_len, &b, &d), SNT_BUNDLE_ERR_UNSEAL);
	assert_int_equal(d.sign, SNT_SIGN_ERR_AUTH);
	assert_int_equal(r.calls, 0);
	/* Registered key of device A is device B's: kid mismatch. */
	r.swap = 1;
	assert_int_equal(snt_bundle_open(f->bureau, lookup, &r, file, file_len, &b, &d), SNT_BUNDLE_ERR_KID);
	r.swap = 0;
	free(file);
	/* Device B replays A's bundle content under its own id, with its own key: kid mismatch against A. */
	assert_int_equal(snt_bundle_seal(f->dev_b, f->bureau, cbor, len, &file, &file_len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_open(f->bureau, lookup, &r, file, file_len, &b, &d), SNT_BUNDLE_ERR_KID);
	assert_int_equal(d.sign, SNT_SIGN_ERR_KID);
	free(file);
	free(cbor);
	/* Unknown device. */
	encode_regular(f, "gate-z", 0, N, &cbor, &len);
	assert_int_equal(snt_bundle_seal(f->dev_a, f->bureau, cbor, len, &file, &file_len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_open(f->bureau, lookup, &r, file, file_len, &b, &d),
			 SNT_BUNDLE_ERR_UNKNOWN_DEVICE);
	assert_string_equal(d.msg, "device gate-z is not registered");
	free(file);
	free(cbor);
	/* Sealed but not signed. */
	encode_regular(f, "gate-a", 0, N, &cbor, &len);
	assert_int_equal(snt_seal(f->bureau, cbor, len, &file, &file_len), SNT_SIGN_OK);
	assert_int_equal(snt_bundle_open(f->bureau, lookup, &r, file, file_len, &b, &d), SNT_BUNDLE_ERR_SIGNATURE);
	assert_int_equal(d.sign, SNT_SIGN_ERR_NOT_COSE);
	free(file);
	/* Signed, then the payload altered inside the signature, then sealed. */
	assert_int_equal(snt_sign1_es256(f->dev_a, cbor, len, &cose, &cose_len), SNT_SIGN_OK);
	cose[cose_len - 80] ^= 1;
	assert_int_equal(snt_seal(f->bureau, cose, cose_len, &file, &file_len), SNT_SIGN_OK);
	assert_int_equal(snt_bundle_open(f->bureau, lookup, &r, file, file_len, &b, &d), SNT_BUNDLE_ERR_SIGNATURE);
	assert_int_equal(d.sign, SNT_SIGN_ERR_SIGNATURE);
	free(file);
	free(cose);
	/* A validly signed and sealed payload that fails decoding reports the decoder's error. */
	{
		cbor_item_t *root = load(cbor, len);
		uint8_t *bad;
		size_t bad_len;

		map_set(root, "count", u64(N + 1));
		dump(root, &bad, &bad_len);
		cbor_decref(&root);
		assert_int_equal(snt_bundle_seal(f->dev_a, f->bureau, bad, bad_len, &file, &file_len, &d),
				 SNT_BUNDLE_OK);
		assert_int_equal(snt_bundle_open(f->bureau, lookup, &r, file, file_len, &b, &d), SNT_BUNDLE_ERR_COUNT);
		free(file);
		free(bad);
	}
	/* A device id that is a path never reaches the lookup. */
	{
		cbor_item_t *root = load(cbor, len);
		uint8_t *bad;
		size_t bad_len;

		map_set(root, "device", cbor_build_string("../etc"));
		dump(root, &bad, &bad_len);
		cbor_decref(&root);
		assert_int_equal(snt_bundle_seal(f->dev_a, f->bureau, bad, bad_len, &file, &file_len, &d),
				 SNT_BUNDLE_OK);
		r.calls = 0;
		assert_int_equal(snt_bundle_open(f->bureau, lookup, &r, file, file_len, &b, &d), SNT_BUNDLE_ERR_FIELD);
		assert_string_equal(d.field, "device");
		assert_int_equal(r.calls, 0);
		free(file);
		free(bad);
	}
	assert_null(b);
	free(cbor);
	(void)payload;
	(void)payload_len;
}

static void test_bundle_decode_errors(void **state)
{
	struct fx *f = *state;
	struct snt_bundle_diag d;
	struct snt_bundle *b = NULL;
	cbor_item_t *root;
	uint8_t h[32];

	/* Not CBOR, not a map, trailing bytes. */
	assert_int_equal(snt_bundle_decode((const uint8_t *)"\xff\x00", 2, &b, &d), SNT_BUNDLE_ERR_CBOR);
	assert_int_equal(snt_bundle_decode((const uint8_t *)"\x83\x01\x02\x03", 4, &b, &d), SNT_BUNDLE_ERR_CBOR);
	{
		uint8_t *cbor, *longer;
		size_t len;

		encode_regular(f, "gate-a", 0, N, &cbor, &len);
		longer = malloc(len + 1);
		memcpy(longer, cbor, len);
		longer[len] = 0x00;
		assert_int_equal(snt_bundle_decode(longer, len + 1, &b, &d), SNT_BUNDLE_ERR_CBOR);
		assert_int_equal(snt_bundle_decode(cbor, len - 1, &b, &d), SNT_BUNDLE_ERR_CBOR);
		free(longer);
		free(cbor);
	}

#define EXPECT(mutation, err, fld)                                      \
	do {                                                            \
		root = fresh(f);                                        \
		mutation;                                               \
		assert_int_equal(decode_mutated(root, &d), err);        \
		if (fld)                                                \
			assert_string_equal(d.field, (const char *)fld); \
		cbor_decref(&root);                                     \
	} while (0)

	/* type, v */
	EXPECT(map_set(root, "type", cbor_build_string("ack")), SNT_BUNDLE_ERR_TYPE, "type");
	EXPECT(map_set(root, "type", u64(1)), SNT_BUNDLE_ERR_TYPE, "type");
	EXPECT(map_set(root, "v", u64(2)), SNT_BUNDLE_ERR_VERSION, "v");
	EXPECT(map_set(root, "v", cbor_build_string("1")), SNT_BUNDLE_ERR_VERSION, "v");
	/* manifest fields, wrong types and values */
	EXPECT(map_set(root, "device", cbor_build_string("")), SNT_BUNDLE_ERR_FIELD, "device");
	EXPECT(map_set(root, "device", cbor_build_string(".hidden")), SNT_BUNDLE_ERR_FIELD, "device");
	EXPECT(map_set(root, "device", cbor_build_string("a/b")), SNT_BUNDLE_ERR_FIELD, "device");
	EXPECT(map_set(root, "device", u64(7)), SNT_BUNDLE_ERR_FIELD, "device");
	EXPECT(map_set(root, "kind", cbor_build_string("urgent")), SNT_BUNDLE_ERR_FIELD, "kind");
	EXPECT(map_set(root, "first", cbor_build_string("1")), SNT_BUNDLE_ERR_FIELD, "first");
	EXPECT(map_set(root, "first", u64(0)), SNT_BUNDLE_ERR_FIELD, "first");
	EXPECT(map_set(root, "first", cbor_build_negint8(0)), SNT_BUNDLE_ERR_FIELD, "first");
	EXPECT(map_set(root, "last", cbor_build_float8(10.0)), SNT_BUNDLE_ERR_FIELD, "last");
	EXPECT(map_set(root, "count", cbor_build_bool(true)), SNT_BUNDLE_ERR_FIELD, "count");
	EXPECT(map_set(root, "prev", bytes(h, 31)), SNT_BUNDLE_ERR_FIELD, "prev");
	EXPECT(map_set(root, "head", cbor_build_string("00000000000000000000000000000000")), SNT_BUNDLE_ERR_FIELD,
	       "head");
	EXPECT(map_set(root, "created", cbor_build_float4(1.5f)), SNT_BUNDLE_ERR_FIELD, "created");
	EXPECT(map_set(root, "entries", cbor_new_definite_map(0)), SNT_BUNDLE_ERR_FIELD, "entries");
	/* counts: a mismatch has no limit, a count outside 1 to the maximum names it (diag.limit) */
	EXPECT(map_set(root, "count", u64(N - 1)), SNT_BUNDLE_ERR_COUNT, "count");
	assert_int_equal(d.limit, 0);
	EXPECT(map_set(root, "count", u64(0)), SNT_BUNDLE_ERR_COUNT, "count");
	assert_int_equal(d.limit, SNT_BUNDLE_MAX_ENTRIES);
	EXPECT(map_set(root, "count", u64(1000000000)), SNT_BUNDLE_ERR_COUNT, "count");
	assert_int_equal(d.limit, SNT_BUNDLE_MAX_ENTRIES);
	assert_string_equal(d.msg, "count 1000000000 not within 1 to 5000");
	EXPECT(map_set(root, "count", u64(UINT64_MAX)), SNT_BUNDLE_ERR_FIELD, "count");
	/* sequence numbers past SNT_BUNDLE_MAX_SEQ (2^53 - 1): refused by name, never summed */
	EXPECT(map_set(root, "last", u64(INT64_MAX)), SNT_BUNDLE_ERR_FIELD, "last");
	assert_string_equal(d.msg, "field \"last\": not an unsigned integer from first to 9007199254740991");
	EXPECT(map_set(root, "first", u64((uint64_t)SNT_BUNDLE_MAX_SEQ + 1)), SNT_BUNDLE_ERR_FIELD, "first");
	EXPECT(entry_set(root, 0, 0, u64((uint64_t)SNT_BUNDLE_MAX_SEQ + 1)), SNT_BUNDLE_ERR_FIELD, "entries[0].seq");
	/* manifest against entries */
	EXPECT(map_set(root, "last", u64(N + 1)), SNT_BUNDLE_ERR_MANIFEST, "last");
	EXPECT(map_set(root, "first", u64(2)), SNT_BUNDLE_ERR_MANIFEST, "first");
	memset(h, 0xaa, sizeof(h));
	EXPECT(map_set(root, "head", bytes(h, 32)), SNT_BUNDLE_ERR_MANIFEST, "head");
	EXPECT(map_set(root, "prev", bytes(h, 32)), SNT_BUNDLE_ERR_MANIFEST, "prev");
	/* entry columns */
	EXPECT(entry_set(root, 2, 7, cbor_build_string("purple")), SNT_BUNDLE_ERR_FIELD, "entries[2].colour");
	EXPECT(entry_set(root, 0, 0, cbor_build_string("1")), SNT_BUNDLE_ERR_FIELD, "entries[0].seq");
	EXPECT(entry_set(root, 1, 9, cbor_build_float2(36.5f)), SNT_BUNDLE_ERR_FIELD, "entries[1].temp_dc");
	EXPECT(entry_set(root, 1, 4, cbor_build_string("TRUSTED")), SNT_BUNDLE_ERR_FIELD, "entries[1].clock");
	EXPECT(entry_set(root, 3, 11, cbor_build_string("temp-normal,fever")), SNT_BUNDLE_ERR_FIELD,
	       "entries[3].reasons");
	EXPECT(entry_set(root, 3, 11, cbor_build_string("hot")), SNT_BUNDLE_ERR_FIELD, "entries[3].reasons");
	EXPECT(entry_set(root, 0, 13, cbor_build_string("")), SNT_BUNDLE_ERR_FIELD, "entries[0].subject");
	EXPECT(entry_set(root, 0, 14, bytes(h, 0)), SNT_BUNDLE_ERR_FIELD, "entries[0].payload");
	EXPECT(entry_set(root, 0, 15, u64(3)), SNT_BUNDLE_ERR_FIELD, "entries[0].detail");
	EXPECT(entry_set(root, 4, 16, bytes(h, 16)), SNT_BUNDLE_ERR_FIELD, "entries[4].prev_hash");
	EXPECT(entry_set(root, 4, 17, cbor_new_null()), SNT_BUNDLE_ERR_FIELD, "entries[4].hash");
	/* Text that is not UTF-8 (an overlong NUL, a surrogate): not well-formed CBOR, anywhere. */
	EXPECT(entry_set(root, 0, 13, cbor_build_stringn("\xc0\x80", 2)), SNT_BUNDLE_ERR_CBOR, NULL);
	EXPECT(entry_set(root, 2, 15, cbor_build_stringn("{\"a\":\"\xed\xa0\x80\"}", 10)), SNT_BUNDLE_ERR_CBOR, NULL);
	{
		/* A tagged integer where a plain one is due (tag 1; tag 6 in its one-byte head). */
		cbor_item_t *five = u64(5);

		EXPECT(entry_set(root, 1, 2, cbor_build_tag(1, five)), SNT_BUNDLE_ERR_FIELD, "entries[1].mono_ms");
		EXPECT(entry_set(root, 1, 3, cbor_build_tag(6, five)), SNT_BUNDLE_ERR_FIELD, "entries[1].time_utc_ms");
		cbor_decref(&five);
	}
	/* payload_hash: 32 bytes or null, never beside a payload (entry 3 has one) */
	EXPECT(entry_set(root, 0, 18, bytes(h, 31)), SNT_BUNDLE_ERR_FIELD, "entries[0].payload_hash");
	EXPECT(entry_set(root, 0, 18, cbor_build_string("x")), SNT_BUNDLE_ERR_FIELD, "entries[0].payload_hash");
	EXPECT(entry_set(root, 3, 18, bytes(h, 32)), SNT_BUNDLE_ERR_FIELD, "entries[3].payload_hash");
	/* another payload hash, the entry hash unchanged: hash mismatch at that seq */
	EXPECT(entry_set(root, 2, 18, bytes(h, 32)), SNT_BUNDLE_ERR_HASH, "hash");
	assert_int_equal(d.seq, 3);
	{
		/* an entry with 17 columns */
		root = fresh(f);
		{
			cbor_item_t *short_entry = cbor_new_definite_array(17);

			for (size_t c = 0; c < 17; c++)
				assert_true(cbor_array_push(short_entry, cbor_array_handle(entry_at(root, 0))[c]));
			assert_true(cbor_array_replace(pair_of(root, "entries")->value, 0, short_entry));
			cbor_decref(&short_entry);
		}
		assert_int_equal(decode_mutated(root, &d), SNT_BUNDLE_ERR_FIELD);
		assert_string_equal(d.field, "entries[0]");
		cbor_decref(&root);
	}
	/* an altered value without a new hash: hash mismatch at that seq */
	EXPECT(entry_set(root, 5, 2, u64(99999)), SNT_BUNDLE_ERR_HASH, "hash");
	assert_int_equal(d.seq, 6);
	assert_string_equal(d.msg, "entry seq 6: hash mismatch");
	/* an altered hash: hash mismatch at that seq (before the next entry's link) */
	memset(h, 0x55, sizeof(h));
	EXPECT(entry_set(root, 6, 17, bytes(h, 32)), SNT_BUNDLE_ERR_HASH, "hash");
	assert_int_equal(d.seq, 7);
	/* a prev_hash that does not link, the entry's own hash consistent with it */
	{
		struct snt_entry e = f->e[6];

		memset(e.prev_hash, 0x77, 32);
		assert_int_equal(snt_store_entry_hash(&e, e.hash), SNT_STORE_OK);
		root = fresh(f);
		entry_set(root, 6, 16, bytes(e.prev_hash, 32));
		entry_set(root, 6, 17, bytes(e.hash, 32));
		assert_int_equal(decode_mutated(root, &d), SNT_BUNDLE_ERR_CHAIN);
		assert_int_equal(d.seq, 7);
		assert_string_equal(d.msg, "entry seq 7: prev_hash does not link");
		cbor_decref(&root);
	}
	/* a regular bundle with a gap: entry 5 removed, count and last consistent */
	{
		cbor_item_t *arr = cbor_new_definite_array(N - 1);

		root = fresh(f);
		for (size_t i = 0; i < N; i++)
			if (i != 4)
				assert_true(cbor_array_push(arr, entry_at(root, i)));
		map_set(root, "entries", arr);
		map_set(root, "count", u64(N - 1));
		assert_int_equal(decode_mutated(root, &d), SNT_BUNDLE_ERR_ORDER);
		assert_int_equal(d.seq, 6);
		cbor_decref(&root);
	}
	/* two entries swapped */
	{
		cbor_item_t *arr = cbor_new_definite_array(N);

		root = fresh(f);
		for (size_t i = 0; i < N; i++)
			assert_true(cbor_array_push(arr, entry_at(root, i == 3 ? 4 : i == 4 ? 3 : i)));
		map_set(root, "entries", arr);
		assert_int_equal(decode_mutated(root, &d), SNT_BUNDLE_ERR_ORDER);
		cbor_decref(&root);
	}
	/* more entries than allowed (count and array both 5001) */
	{
		cbor_item_t *arr = cbor_new_definite_array(SNT_BUNDLE_MAX_ENTRIES + 1);

		root = fresh(f);
		for (size_t i = 0; i < SNT_BUNDLE_MAX_ENTRIES + 1; i++)
			assert_true(cbor_array_push(arr, entry_at(root, i % N)));
		map_set(root, "entries", arr);
		map_set(root, "count", u64(SNT_BUNDLE_MAX_ENTRIES + 1));
		assert_int_equal(decode_mutated(root, &d), SNT_BUNDLE_ERR_COUNT);
		cbor_decref(&root);
	}
	/* an unknown extra key; a missing key; keys out of order */
	{
		cbor_item_t *m = cbor_new_definite_map(12);

		root = fresh(f);
		for (size_t i = 0; i < 11; i++)
			assert_true(cbor_map_add(m, cbor_map_handle(root)[i]));
		assert_true(cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string("extra")),
								  cbor_move(u64(1)) }));
		assert_int_equal(decode_mutated(m, &d), SNT_BUNDLE_ERR_FIELD);
		assert_string_equal(d.field, "extra");
		assert_string_equal(d.msg, "unknown field \"extra\"");
		cbor_decref(&m);
		cbor_decref(&root);
	}
	{
		cbor_item_t *m = cbor_new_definite_map(10);

		root = fresh(f);
		for (size_t i = 0; i < 11; i++)
			if (i != 9)	/* no "created" */
				assert_true(cbor_map_add(m, cbor_map_handle(root)[i]));
		assert_int_equal(decode_mutated(m, &d), SNT_BUNDLE_ERR_FIELD);
		assert_string_equal(d.field, "created");
		cbor_decref(&m);
		cbor_decref(&root);
	}
	{
		cbor_item_t *m = cbor_new_definite_map(11);

		root = fresh(f);
		for (size_t i = 0; i < 11; i++)
			assert_true(cbor_map_add(m, cbor_map_handle(root)[i == 0 ? 1 : i == 1 ? 0 : i]));
		assert_int_equal(decode_mutated(m, &d), SNT_BUNDLE_ERR_TYPE);
		cbor_decref(&m);
		cbor_decref(&root);
	}
#undef EXPECT
	/* Hostile lengths: an array head claiming 2^32 entries, a string claiming 2^60 bytes. */
	{
		static const uint8_t huge_arr[] = { 0xa1, 0x61, 'x', 0x9a, 0xff, 0xff, 0xff, 0xff, 0x00 };
		static const uint8_t huge_str[] = { 0xa1, 0x61, 'x', 0x7b, 0x10, 0, 0, 0, 0, 0, 0, 0 };

		assert_int_equal(snt_bundle_decode(huge_arr, sizeof(huge_arr), &b, &d), SNT_BUNDLE_ERR_CBOR);
		assert_int_equal(snt_bundle_decode(huge_str, sizeof(huge_str), &b, &d), SNT_BUNDLE_ERR_CBOR);
	}
	assert_null(b);
}

/* @root's entry @i without its last column (payload_hash): an entry as bundles wrote it before. */
static void entry_drop_payload_hash(cbor_item_t *root, size_t i)
{
	cbor_item_t *old = entry_at(root, i), *e18 = cbor_new_definite_array(18);

	assert_int_equal(cbor_array_size(old), 19);
	for (size_t c = 0; c < 18; c++)
		assert_true(cbor_array_push(e18, cbor_array_handle(old)[c]));
	assert_true(cbor_array_replace(pair_of(root, "entries")->value, i, e18));
	cbor_decref(&e18);
}

/*
 * The payload hash in bundles: a certificate's payload travels as its
 * SHA-256 only (never its bytes); the 18 columns of older bundles decode,
 * with a certificate's payload as an older gate logged it.
 */
static void test_bundle_payload_hash(void **state)
{
	struct fx *f = *state;
	struct snt_bundle_manifest m;
	struct snt_bundle_diag d;
	struct snt_bundle *b = NULL;
	struct snt_entry old[2];
	static const uint8_t z[32];
	cbor_item_t *root;
	uint8_t *cbor, *buf;
	size_t len;

	/* Entry 0 is a DCC: its hash in the bundle, its payload nowhere. */
	assert_int_equal(f->e[0].format, SNT_FORMAT_HCERT);
	assert_true(f->e[0].has_payload_hash);
	assert_int_equal(f->e[0].payload_len, 0);
	encode_regular(f, "gate-a", 0, N, &cbor, &len);
	assert_null(memmem(cbor, len, "HC:110101:0000", 14));
	assert_non_null(memmem(cbor, len, f->e[0].payload_hash, SNT_HASH_LEN));
	assert_non_null(memmem(cbor, len, "HC:110101:0003", 14));	/* a health code's token travels */
	assert_int_equal(snt_bundle_decode(cbor, len, &b, &d), SNT_BUNDLE_OK);
	assert_true(b->entries[0].has_payload_hash);
	assert_memory_equal(b->entries[0].payload_hash, f->e[0].payload_hash, SNT_HASH_LEN);
	assert_false(b->entries[3].has_payload_hash);
	snt_bundle_free(b);
	free(cbor);

	/* Entries of 18 columns (no payload hash) among entries of 19. */
	root = fresh(f);
	entry_drop_payload_hash(root, 1);
	entry_drop_payload_hash(root, 3);
	dump(root, &buf, &len);
	assert_int_equal(snt_bundle_decode(buf, len, &b, &d), SNT_BUNDLE_OK);
	assert_entry_equal(&b->entries[3], &f->e[3]);
	snt_bundle_free(b);
	free(buf);
	/* ... but not one whose payload hash was cut off: its hash no longer matches. */
	entry_drop_payload_hash(root, 0);
	assert_int_equal(decode_mutated(root, &d), SNT_BUNDLE_ERR_HASH);
	assert_int_equal(d.seq, 1);
	cbor_decref(&root);

	/* A DCC logged before schema 5, with its payload, in an older bundle of 18 columns. */
	old[1] = f->e[0];
	fill_entry(f, 0);
	old[0] = f->e[0];
	f->e[0] = old[1];	/* the fixture as it was */
	old[1] = f->e[1];
	assert_true(old[0].payload_len > 0);
	chain(old, 2, z);
	assert_int_equal(snt_bundle_manifest_fill("gate-a", SNT_BUNDLE_REGULAR, old, 2, 1, &m), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_encode(&m, old, 2, &cbor, &len, &d), SNT_BUNDLE_OK);
	root = load(cbor, len);
	free(cbor);
	entry_drop_payload_hash(root, 0);
	entry_drop_payload_hash(root, 1);
	dump(root, &buf, &len);
	cbor_decref(&root);
	assert_int_equal(snt_bundle_decode(buf, len, &b, &d), SNT_BUNDLE_OK);
	assert_entry_equal(&b->entries[0], &old[0]);
	assert_false(b->entries[0].has_payload_hash);
	snt_bundle_free(b);
	free(buf);
}

/*
 * The birth year an age rule keeps: a 20th column only in an entry that has
 * one (the others stay 19 columns, what an older bureau reads), decoded
 * back, covered by the chain hash; out of range or not an integer: refused.
 */
static void test_bundle_birth_year(void **state)
{
	struct fx *f = *state;
	struct snt_bundle_manifest m;
	struct snt_bundle_diag d;
	struct snt_bundle *b = NULL;
	struct snt_entry x[3];
	static const uint8_t z[32];
	cbor_item_t *root;
	uint8_t *cbor;
	size_t len;

	memcpy(x, f->e, sizeof(x));
	x[1].birth_year = 1949;
	chain(x, 3, z);
	assert_int_equal(snt_bundle_manifest_fill("gate-a", SNT_BUNDLE_REGULAR, x, 3, 1, &m), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_encode(&m, x, 3, &cbor, &len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_decode(cbor, len, &b, &d), SNT_BUNDLE_OK);
	for (size_t i = 0; i < 3; i++)
		assert_entry_equal(&b->entries[i], &x[i]);
	assert_int_equal(b->entries[1].birth_year, 1949);
	assert_int_equal(b->entries[0].birth_year, 0);
	snt_bundle_free(b);
	root = load(cbor, len);
	free(cbor);
	assert_int_equal(cbor_array_size(entry_at(root, 0)), 19);
	assert_int_equal(cbor_array_size(entry_at(root, 1)), 20);
	/* Another year: the chain hash no longer matches. */
	assert_true(cbor_array_replace(entry_at(root, 1), 19, cbor_move(cbor_build_uint16(1950))));
	assert_int_equal(decode_mutated(root, &d), SNT_BUNDLE_ERR_HASH);
	/* Out of range, or text: the field is refused. */
	assert_true(cbor_array_replace(entry_at(root, 1), 19, cbor_move(cbor_build_uint16(1799))));
	assert_int_equal(decode_mutated(root, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.field, "entries[1].birth_year");
	assert_true(cbor_array_replace(entry_at(root, 1), 19, cbor_move(cbor_build_string("1949"))));
	assert_int_equal(decode_mutated(root, &d), SNT_BUNDLE_ERR_FIELD);
	cbor_decref(&root);
}

/* Every byte of a small bundle, ack and time altered: never a crash or an assertion in libcbor. */
static void test_mutations_do_not_crash(void **state)
{
	struct fx *f = *state;
	static const uint8_t xors[] = { 0x01, 0x20, 0x40, 0x80, 0xff, 0x1f, 0xe0 };
	struct snt_bundle_verdict v = { 3, SNT_COLOUR_RED, "p" };
	struct snt_bundle_ack a = { .device = "gate-a", .seq = 2, .verdicts = &v, .n_verdicts = 1 };
	struct snt_bundle_diag d;
	uint8_t *cbor;
	size_t len, ok = 0;

	encode_regular(f, "gate-a", 0, 2, &cbor, &len);
	for (size_t i = 0; i < len; i++) {
		for (size_t x = 0; x < SNT_ARRAY_SIZE(xors); x++) {
			struct snt_bundle *b = NULL;

			cbor[i] ^= xors[x];
			if (snt_bundle_decode(cbor, len, &b, &d) == SNT_BUNDLE_OK) {
				ok++;
				snt_bundle_free(b);
			} else {
				assert_null(b);
				assert_true(d.msg[0] != '\0');
			}
			cbor[i] ^= xors[x];
		}
	}
	/*
	 * Only the manifest's own values outside the hashes ("device",
	 * "created"; the signature covers them) may change and still decode:
	 * at most the bytes of "gate-a" and of the created time, 7 ways each.
	 */
	assert_true(ok <= (6 + 9) * SNT_ARRAY_SIZE(xors));
	free(cbor);
	{
		cbor_item_t *m = ack_item(0, 5, "red");
		uint8_t *buf;
		size_t n;

		dump(m, &buf, &n);
		cbor_decref(&m);
		for (size_t i = 0; i < n; i++) {
			for (size_t x = 0; x < SNT_ARRAY_SIZE(xors); x++) {
				uint8_t *msg;
				size_t mlen;
				struct snt_bundle_ack *got = NULL;
				char type[SNT_BUNDLE_TYPE_LEN];
				cbor_item_t *map = NULL;
				char dev[SNT_DEVICE_ID_LEN];
				int64_t t;

				buf[i] ^= xors[x];
				assert_int_equal(snt_sign1_es256(f->bureau, buf, n, &msg, &mlen), SNT_SIGN_OK);
				if (snt_bundle_ack_open(f->bureau, msg, mlen, &got, &d) == SNT_BUNDLE_OK)
					snt_bundle_ack_free(got);
				if (snt_bundle_open_signed(f->bureau, msg, mlen, type, &map, &d) == SNT_BUNDLE_OK)
					cbor_decref(&map);
				assert_int_not_equal(snt_bundle_time_open(f->bureau, msg, mlen, dev, &t, &d), SNT_BUNDLE_OK);
				free(msg);
				buf[i] ^= xors[x];
			}
		}
		free(buf);
	}
	(void)a;
}

/* ---- acknowledgement, time, generic ---- */

static void test_ack(void **state)
{
	struct fx *f = *state;
	struct snt_bundle_verdict v[2] = { { 3, SNT_COLOUR_RED, "fake-platform" }, { 7, SNT_COLOUR_GREEN, "p2" } };
	struct snt_bundle_ack a = { .seq = 7, .time_ms = 1700000123456LL, .verdicts = v, .n_verdicts = 2 };
	struct snt_bundle_ack *got = NULL;
	struct snt_bundle_diag d;
	uint8_t *msg;
	size_t len;

	strcpy(a.device, "gate-a");
	memcpy(a.head, f->e[6].hash, 32);
	assert_int_equal(snt_bundle_ack_sign(f->bureau, &a, &msg, &len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_OK);
	assert_string_equal(got->device, "gate-a");
	assert_int_equal(got->seq, 7);
	assert_memory_equal(got->head, f->e[6].hash, 32);
	assert_int_equal(got->time_ms, 1700000123456LL);
	assert_int_equal(got->n_verdicts, 2);
	assert_int_equal(got->verdicts[0].seq, 3);
	assert_int_equal(got->verdicts[0].colour, SNT_COLOUR_RED);
	assert_string_equal(got->verdicts[0].platform, "fake-platform");
	assert_int_equal(got->verdicts[1].colour, SNT_COLOUR_GREEN);
	snt_bundle_ack_free(got);
	got = NULL;
	/* Another key: kid mismatch; altered: signature. */
	assert_int_equal(snt_bundle_ack_open(f->dev_a, msg, len, &got, &d), SNT_BUNDLE_ERR_KID);
	msg[len - 1] ^= 1;
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_ERR_SIGNATURE);
	free(msg);
	/* Seq 0 with zero head and no verdicts. */
	a.seq = 0;
	memset(a.head, 0, 32);
	a.n_verdicts = 0;
	assert_int_equal(snt_bundle_ack_sign(f->bureau, &a, &msg, &len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_OK);
	assert_int_equal(got->seq, 0);
	assert_int_equal(got->n_verdicts, 0);
	snt_bundle_ack_free(got);
	got = NULL;
	/* An acknowledgement is not signed time, nor a bundle. */
	{
		char dev[SNT_DEVICE_ID_LEN];
		int64_t t;
		struct snt_bundle *b = NULL;

		assert_int_equal(snt_bundle_time_open(f->bureau, msg, len, dev, &t, &d), SNT_BUNDLE_ERR_TYPE);
		{
			uint8_t *file;
			size_t file_len;
			struct registry r = { f, 0, 0 };

			assert_int_equal(snt_seal(f->bureau, msg, len, &file, &file_len), SNT_SIGN_OK);
			assert_int_equal(snt_bundle_open(f->bureau, lookup, &r, file, file_len, &b, &d),
					 SNT_BUNDLE_ERR_TYPE);
			free(file);
		}
	}
	free(msg);
	/* The signer refuses what the decoder would. */
	a.seq = 0;
	a.head[0] = 1;
	assert_int_equal(snt_bundle_ack_sign(f->bureau, &a, &msg, &len, &d), SNT_BUNDLE_ERR_INVAL);
	a.seq = 7;
	a.n_verdicts = 2;
	v[1].colour = SNT_COLOUR_BLACK;
	assert_int_equal(snt_bundle_ack_sign(f->bureau, &a, &msg, &len, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.field, "verdicts[1].colour");
	v[1].colour = SNT_COLOUR_GREEN;
	strcpy(v[0].platform, "Fake Platform");
	assert_int_equal(snt_bundle_ack_sign(f->bureau, &a, &msg, &len, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.field, "verdicts[0].platform");
	strcpy(a.device, "../x");
	assert_int_equal(snt_bundle_ack_sign(f->bureau, &a, &msg, &len, &d), SNT_BUNDLE_ERR_INVAL);
}

/* Sign arbitrary CBOR built with libcbor. */
static void sign_item(EVP_PKEY *key, cbor_item_t *root, uint8_t **msg, size_t *len)
{
	uint8_t *buf;
	size_t n;

	dump(root, &buf, &n);
	assert_int_equal(snt_sign1_es256(key, buf, n, msg, len), SNT_SIGN_OK);
	free(buf);
}

static cbor_item_t *ack_item(int head_zero, uint64_t seq, const char *colour)
{
	cbor_item_t *m = cbor_new_definite_map(7), *vs = cbor_new_definite_array(1), *v = cbor_new_definite_map(3);
	uint8_t h[32];

	memset(h, head_zero ? 0 : 9, sizeof(h));
	assert_true(cbor_map_add(v, (struct cbor_pair){ cbor_move(cbor_build_string("seq")), cbor_move(u64(1)) }));
	assert_true(cbor_map_add(v, (struct cbor_pair){ cbor_move(cbor_build_string("colour")),
							  cbor_move(cbor_build_string(colour)) }));
	assert_true(cbor_map_add(v, (struct cbor_pair){ cbor_move(cbor_build_string("platform")),
							  cbor_move(cbor_build_string("p")) }));
	assert_true(cbor_array_push(vs, cbor_move(v)));
	assert_true(cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string("type")),
							  cbor_move(cbor_build_string("ack")) }));
	assert_true(cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string("v")), cbor_move(u64(1)) }));
	assert_true(cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string("device")),
							  cbor_move(cbor_build_string("gate-a")) }));
	assert_true(cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string("seq")), cbor_move(u64(seq)) }));
	assert_true(cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string("head")),
							  cbor_move(bytes(h, 32)) }));
	assert_true(cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string("time")),
							  cbor_move(u64(1700000000000ULL)) }));
	assert_true(cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string("verdicts")), cbor_move(vs) }));
	return m;
}

/* ack_item() with an eighth key @key: @val (taken). */
static cbor_item_t *ack_item8(const char *key, cbor_item_t *val)
{
	cbor_item_t *m7 = ack_item(0, 5, "red"), *m = cbor_new_definite_map(8);
	struct cbor_pair *p = cbor_map_handle(m7);

	for (size_t i = 0; i < cbor_map_size(m7); i++)
		assert_true(cbor_map_add(m, (struct cbor_pair){ p[i].key, p[i].value }));	/* the map takes a reference */
	assert_true(cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string(key)), cbor_move(val) }));
	cbor_decref(&m7);
	return m;
}

/* An acknowledgement may carry the home's rule set ("rules", the online answer): bytes kept whole. */
static void test_ack_rules(void **state)
{
	static uint8_t set[] = { 0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26, 0x00, 0xff };
	struct fx *f = *state;
	struct snt_bundle_ack a = { .device = "gate-a", .seq = 0, .time_ms = 1700000000000LL };
	struct snt_bundle_ack *got = NULL;
	struct snt_bundle_diag d;
	cbor_item_t *m;
	uint8_t *msg = NULL;
	size_t len = 0;

	a.rules = set;
	a.rules_len = sizeof(set);
	assert_int_equal(snt_bundle_ack_sign(f->bureau, &a, &msg, &len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_OK);
	assert_int_equal(got->rules_len, sizeof(set));
	assert_memory_equal(got->rules, set, sizeof(set));
	snt_bundle_ack_free(got);
	got = NULL;
	free(msg);

	/* None: no key, and none decoded. */
	a.rules = NULL;
	a.rules_len = 0;
	assert_int_equal(snt_bundle_ack_sign(f->bureau, &a, &msg, &len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_OK);
	assert_null(got->rules);
	assert_int_equal(got->rules_len, 0);
	snt_bundle_ack_free(got);
	got = NULL;
	free(msg);

	/* What the signer refuses. */
	a.rules_len = 3;
	assert_int_equal(snt_bundle_ack_sign(f->bureau, &a, &msg, &len, &d), SNT_BUNDLE_ERR_INVAL);
	a.rules = set;
	a.rules_len = SNT_BUNDLE_MAX_ACK_RULES + 1;
	assert_int_equal(snt_bundle_ack_sign(f->bureau, &a, &msg, &len, &d), SNT_BUNDLE_ERR_INVAL);

	/* What the reader refuses: not bytes, empty bytes, another eighth key. */
	m = ack_item8("rules", cbor_build_string("rules"));
	sign_item(f->bureau, m, &msg, &len);
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.field, "rules");
	assert_null(got);
	free(msg);
	cbor_decref(&m);
	m = ack_item8("rules", bytes(set, 0));
	sign_item(f->bureau, m, &msg, &len);
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.field, "rules");
	free(msg);
	cbor_decref(&m);
	m = ack_item8("other", bytes(set, sizeof(set)));
	sign_item(f->bureau, m, &msg, &len);
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.field, "other");
	free(msg);
	cbor_decref(&m);
}

/* ack_item8()'s map with a ninth key @key: @val (taken). */
static cbor_item_t *ack_item9(const char *key8, cbor_item_t *val8, const char *key, cbor_item_t *val)
{
	cbor_item_t *m8 = ack_item8(key8, val8), *m = cbor_new_definite_map(9);
	struct cbor_pair *p = cbor_map_handle(m8);

	for (size_t i = 0; i < cbor_map_size(m8); i++)
		assert_true(cbor_map_add(m, (struct cbor_pair){ p[i].key, p[i].value }));
	assert_true(cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string(key)), cbor_move(val) }));
	cbor_decref(&m8);
	return m;
}

/* An acknowledgement may carry the home's trust list ("trust", after "rules" when both): kept whole. */
static void test_ack_trust(void **state)
{
	static uint8_t set[] = { 0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26, 0x00, 0xff }, list[] = { 0xd2, 0x84, 1, 2, 3 };
	struct fx *f = *state;
	struct snt_bundle_ack a = { .device = "gate-a", .seq = 0, .time_ms = 1700000000000LL };
	struct snt_bundle_ack *got = NULL;
	struct snt_bundle_diag d;
	cbor_item_t *m;
	uint8_t *msg = NULL;
	size_t len = 0;

	/* Both, and the trust list alone. */
	for (int both = 1; both >= 0; both--) {
		a.rules = both ? set : NULL;
		a.rules_len = both ? sizeof(set) : 0;
		a.trust = list;
		a.trust_len = sizeof(list);
		assert_int_equal(snt_bundle_ack_sign(f->bureau, &a, &msg, &len, &d), SNT_BUNDLE_OK);
		assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_OK);
		assert_int_equal(got->rules_len, both ? sizeof(set) : 0);
		assert_int_equal(got->trust_len, sizeof(list));
		assert_memory_equal(got->trust, list, sizeof(list));
		snt_bundle_ack_free(got);
		got = NULL;
		free(msg);
	}
	/* What the signer refuses. */
	a.trust = NULL;
	assert_int_equal(snt_bundle_ack_sign(f->bureau, &a, &msg, &len, &d), SNT_BUNDLE_ERR_INVAL);
	a.trust = list;
	a.trust_len = SNT_BUNDLE_MAX_ACK_RULES + 1;
	assert_int_equal(snt_bundle_ack_sign(f->bureau, &a, &msg, &len, &d), SNT_BUNDLE_ERR_INVAL);
	/* What the reader refuses: not bytes, empty, "trust" before "rules". */
	m = ack_item8("trust", cbor_build_string("trust"));
	sign_item(f->bureau, m, &msg, &len);
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.field, "trust");
	assert_null(got);
	free(msg);
	cbor_decref(&m);
	m = ack_item9("rules", bytes(set, sizeof(set)), "trust", bytes(list, 0));
	sign_item(f->bureau, m, &msg, &len);
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.field, "trust");
	free(msg);
	cbor_decref(&m);
	m = ack_item9("trust", bytes(list, sizeof(list)), "rules", bytes(set, sizeof(set)));
	sign_item(f->bureau, m, &msg, &len);
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.field, "rules");
	free(msg);
	cbor_decref(&m);
}

/* The home's issuer list in the acknowledgement ("issuers", after "trust"; issue 17). */
static void test_ack_issuers(void **state)
{
	static uint8_t list[] = { 0xd2, 0x84, 1, 2, 3 }, iss[] = { 0xd2, 0x84, 9, 8, 7, 6 };
	struct fx *f = *state;
	struct snt_bundle_ack a = { .device = "gate-a", .seq = 0, .time_ms = 1700000000000LL };
	struct snt_bundle_ack *got = NULL;
	struct snt_bundle_diag d;
	cbor_item_t *m;
	uint8_t *msg = NULL;
	size_t len = 0;

	/* With a trust list, and alone. */
	for (int both = 1; both >= 0; both--) {
		a.trust = both ? list : NULL;
		a.trust_len = both ? sizeof(list) : 0;
		a.issuers = iss;
		a.issuers_len = sizeof(iss);
		assert_int_equal(snt_bundle_ack_sign(f->bureau, &a, &msg, &len, &d), SNT_BUNDLE_OK);
		assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_OK);
		assert_int_equal(got->trust_len, both ? sizeof(list) : 0);
		assert_int_equal(got->issuers_len, sizeof(iss));
		assert_memory_equal(got->issuers, iss, sizeof(iss));
		snt_bundle_ack_free(got);
		got = NULL;
		free(msg);
	}
	/* What the signer refuses. */
	a.issuers = NULL;
	assert_int_equal(snt_bundle_ack_sign(f->bureau, &a, &msg, &len, &d), SNT_BUNDLE_ERR_INVAL);
	a.issuers = iss;
	a.issuers_len = SNT_BUNDLE_MAX_ACK_RULES + 1;
	assert_int_equal(snt_bundle_ack_sign(f->bureau, &a, &msg, &len, &d), SNT_BUNDLE_ERR_INVAL);
	/* What the reader refuses: not bytes, "issuers" before "trust". */
	m = ack_item8("issuers", cbor_build_string("issuers"));
	sign_item(f->bureau, m, &msg, &len);
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.field, "issuers");
	assert_null(got);
	free(msg);
	cbor_decref(&m);
	m = ack_item9("issuers", bytes(iss, sizeof(iss)), "trust", bytes(list, sizeof(list)));
	sign_item(f->bureau, m, &msg, &len);
	assert_int_not_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_OK);
	assert_null(got);
	free(msg);
	cbor_decref(&m);
}

static void test_ack_decode_errors(void **state)
{
	struct fx *f = *state;
	struct snt_bundle_ack *got = NULL;
	struct snt_bundle_diag d;
	cbor_item_t *m;
	uint8_t *msg;
	size_t len;

	m = ack_item(0, 5, "red");
	sign_item(f->bureau, m, &msg, &len);
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_OK);
	snt_bundle_ack_free(got);
	got = NULL;
	free(msg);
	cbor_decref(&m);

	m = ack_item(0, 0, "red");	/* seq 0 with a non-zero head */
	sign_item(f->bureau, m, &msg, &len);
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.field, "head");
	free(msg);
	cbor_decref(&m);

	m = ack_item(1, 0, "black");
	sign_item(f->bureau, m, &msg, &len);
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.field, "verdicts[0].colour");
	free(msg);
	cbor_decref(&m);

	m = ack_item(1, 0, "red");
	map_set(m, "time", cbor_build_float8(1.0));
	sign_item(f->bureau, m, &msg, &len);
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.field, "time");
	free(msg);
	cbor_decref(&m);

	m = ack_item(1, 0, "red");
	map_set(m, "v", u64(2));
	sign_item(f->bureau, m, &msg, &len);
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_ERR_VERSION);
	free(msg);
	cbor_decref(&m);

	m = ack_item(1, 0, "red");
	{
		cbor_item_t *vs = pair_of(m, "verdicts")->value, *old = cbor_array_handle(vs)[0];
		cbor_item_t *vm = cbor_new_definite_map(4);

		for (size_t i = 0; i < 3; i++)
			assert_true(cbor_map_add(vm, cbor_map_handle(old)[i]));
		assert_true(cbor_map_add(vm, (struct cbor_pair){ cbor_move(cbor_build_string("note")),
								   cbor_move(u64(1)) }));
		assert_true(cbor_array_replace(vs, 0, vm));
		cbor_decref(&vm);
	}
	sign_item(f->bureau, m, &msg, &len);
	assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.field, "note");
	free(msg);
	cbor_decref(&m);

	/* Not a map. */
	{
		cbor_item_t *arr = cbor_new_definite_array(0);

		sign_item(f->bureau, arr, &msg, &len);
		assert_int_equal(snt_bundle_ack_open(f->bureau, msg, len, &got, &d), SNT_BUNDLE_ERR_CBOR);
		free(msg);
		cbor_decref(&arr);
	}
	assert_null(got);
}

static void test_time(void **state)
{
	struct fx *f = *state;
	struct snt_bundle_diag d;
	char dev[SNT_DEVICE_ID_LEN];
	int64_t t = 0;
	uint8_t *msg;
	size_t len;

	assert_int_equal(snt_bundle_time_sign(f->bureau, "gate-b", 1700000000123LL, &msg, &len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_time_open(f->bureau, msg, len, dev, &t, &d), SNT_BUNDLE_OK);
	assert_string_equal(dev, "gate-b");
	assert_int_equal(t, 1700000000123LL);
	assert_int_equal(snt_bundle_time_open(f->dev_b, msg, len, dev, &t, &d), SNT_BUNDLE_ERR_KID);
	for (size_t n = 0; n < len; n++)
		assert_int_not_equal(snt_bundle_time_open(f->bureau, msg, n, dev, &t, &d), SNT_BUNDLE_OK);
	free(msg);
	/* Negative times are integers too (before 1970: the caller judges plausibility). */
	assert_int_equal(snt_bundle_time_sign(f->bureau, "gate-b", -5, &msg, &len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_time_open(f->bureau, msg, len, dev, &t, &d), SNT_BUNDLE_OK);
	assert_int_equal(t, -5);
	free(msg);
	assert_int_equal(snt_bundle_time_sign(f->bureau, "", 1, &msg, &len, &d), SNT_BUNDLE_ERR_INVAL);
}

static void test_open_signed(void **state)
{
	struct fx *f = *state;
	struct snt_bundle_diag d;
	char type[SNT_BUNDLE_TYPE_LEN];
	cbor_item_t *m, *got = NULL;
	uint8_t *msg;
	size_t len;

	m = cbor_new_definite_map(3);
	assert_true(cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string("v")), cbor_move(u64(1)) }));
	assert_true(cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string("rules")), cbor_move(u64(4)) }));
	assert_true(cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string("type")),
							  cbor_move(cbor_build_string("rules")) }));
	sign_item(f->bureau, m, &msg, &len);
	assert_int_equal(snt_bundle_open_signed(f->bureau, msg, len, type, &got, &d), SNT_BUNDLE_OK);
	assert_string_equal(type, "rules");
	assert_true(cbor_isa_map(got) && cbor_map_size(got) == 3);
	cbor_decref(&got);
	assert_int_equal(snt_bundle_open_signed(f->dev_a, msg, len, type, &got, &d), SNT_BUNDLE_ERR_KID);
	free(msg);
	map_set(m, "v", u64(3));
	sign_item(f->bureau, m, &msg, &len);
	assert_int_equal(snt_bundle_open_signed(f->bureau, msg, len, type, &got, &d), SNT_BUNDLE_ERR_VERSION);
	free(msg);
	map_set(m, "v", u64(1));
	map_set(m, "type", cbor_build_string("a-type-name-too-long"));
	sign_item(f->bureau, m, &msg, &len);
	assert_int_equal(snt_bundle_open_signed(f->bureau, msg, len, type, &got, &d), SNT_BUNDLE_ERR_TYPE);
	free(msg);
	map_set(m, "type", u64(5));
	sign_item(f->bureau, m, &msg, &len);
	assert_int_equal(snt_bundle_open_signed(f->bureau, msg, len, type, &got, &d), SNT_BUNDLE_ERR_TYPE);
	free(msg);
	cbor_decref(&m);
	assert_int_equal(snt_sign1_es256(f->bureau, (const uint8_t *)"\xff", 1, &msg, &len), SNT_SIGN_OK);
	assert_int_equal(snt_bundle_open_signed(f->bureau, msg, len, type, &got, &d), SNT_BUNDLE_ERR_CBOR);
	free(msg);
	assert_null(got);
}

#define REFUSED_SIGNED "payload refused before decoding (more than 901000 items, nested deeper than 8, " \
	"an indefinite length, or a length beyond its bytes)"

/* A verified payload is counted before libcbor loads it: too many items, indefinite lengths, deep nesting. */
static void test_payload_bounded(void **state)
{
	struct fx *f = *state;
	struct snt_bundle_diag d;
	struct snt_bundle *b = NULL;
	char type[SNT_BUNDLE_TYPE_LEN];
	cbor_item_t *got = NULL;
	/* {"type": "rules", "v": 1} as an indefinite-length map: well-formed CBOR, refused. */
	static const uint8_t indef[] = { 0xbf, 0x64, 't', 'y', 'p', 'e', 0x65, 'r', 'u', 'l', 'e', 's',
					 0x61, 'v', 0x01, 0xff };
	static const uint8_t head[] = { 0xa3, 0x64, 't', 'y', 'p', 'e', 0x65, 'r', 'u', 'l', 'e', 's',
					0x61, 'v', 0x01, 0x61, 'x', 0x9a };
	size_t zeros = SNT_SIGNED_MAX_ITEMS, len, n;
	uint8_t *p, *msg;

	assert_int_equal(SNT_SIGNED_MAX_ITEMS, 901000);
	assert_int_equal(snt_sign1_es256(f->bureau, indef, sizeof(indef), &msg, &len), SNT_SIGN_OK);
	assert_int_equal(snt_bundle_open_signed(f->bureau, msg, len, type, &got, &d), SNT_BUNDLE_ERR_CBOR);
	assert_string_equal(d.msg, REFUSED_SIGNED);
	free(msg);
	/* The same map with definite length opens (the walker is not the refusal's cause above). */
	p = malloc(sizeof(head) + 4 + zeros);
	assert_non_null(p);
	memcpy(p, indef, sizeof(indef) - 1);
	p[0] = 0xa2;
	assert_int_equal(snt_sign1_es256(f->bureau, p, sizeof(indef) - 1, &msg, &len), SNT_SIGN_OK);
	assert_int_equal(snt_bundle_open_signed(f->bureau, msg, len, type, &got, &d), SNT_BUNDLE_OK);
	cbor_decref(&got);
	free(msg);
	/* {"type": "rules", "v": 1, "x": [901000 x 0]}: signed, valid CBOR, too many items. */
	memcpy(p, head, sizeof(head));
	n = sizeof(head);
	p[n++] = (uint8_t)(zeros >> 24);
	p[n++] = (uint8_t)(zeros >> 16);
	p[n++] = (uint8_t)(zeros >> 8);
	p[n++] = (uint8_t)zeros;
	memset(p + n, 0, zeros);
	n += zeros;
	assert_int_equal(snt_sign1_es256(f->bureau, p, n, &msg, &len), SNT_SIGN_OK);
	assert_int_equal(snt_bundle_open_signed(f->bureau, msg, len, type, &got, &d), SNT_BUNDLE_ERR_CBOR);
	assert_string_equal(d.msg, REFUSED_SIGNED);
	free(msg);
	/* An array declaring more elements than bytes remain. */
	n = sizeof(head) + 4 + 10;
	assert_int_equal(snt_sign1_es256(f->bureau, p, n, &msg, &len), SNT_SIGN_OK);
	assert_int_equal(snt_bundle_open_signed(f->bureau, msg, len, type, &got, &d), SNT_BUNDLE_ERR_CBOR);
	assert_string_equal(d.msg, REFUSED_SIGNED);
	free(msg);
	/* Nine nested arrays under the map: deeper than 8. */
	memcpy(p, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	for (int i = 0; i < 9; i++)
		p[n++] = 0x81;
	p[n++] = 0x00;
	assert_int_equal(snt_sign1_es256(f->bureau, p, n, &msg, &len), SNT_SIGN_OK);
	assert_int_equal(snt_bundle_open_signed(f->bureau, msg, len, type, &got, &d), SNT_BUNDLE_ERR_CBOR);
	assert_string_equal(d.msg, REFUSED_SIGNED);
	free(msg);
	assert_null(got);
	/* A bundle payload: the same bound before decoding (40 per entry). */
	assert_int_equal(snt_bundle_decode(indef, sizeof(indef), &b, &d), SNT_BUNDLE_ERR_CBOR);
	assert_string_equal(d.msg, "payload refused before decoding (more than 201000 items, nested deeper than 8, "
			   "an indefinite length, or a length beyond its bytes)");
	assert_null(b);
	free(p);
}

/* Entries written by the store and read back travel unchanged, hashes included. */
static void test_bundle_from_store(void **state)
{
	struct fx *f = *state;
	char dir[] = "/tmp/snt-bundle-XXXXXX", path[64], cmd[96];
	struct snt_store *st = NULL;
	struct snt_store_iter *it = NULL;
	struct snt_entry got[N], e;
	uint8_t payloads[N][SNT_HASH_LEN];
	struct snt_bundle_manifest m;
	struct snt_bundle_diag d;
	struct snt_bundle *b = NULL;
	struct registry r = { f, 0, 0 };
	uint8_t *cbor, *file;
	size_t len, file_len, n = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log.db", dir);
	assert_int_equal(snt_store_open(path, false, &st), SNT_STORE_OK);
	for (size_t i = 0; i < N; i++) {
		e = f->e[i];
		assert_int_equal(snt_store_append(st, &e), SNT_STORE_OK);
		assert_memory_equal(e.hash, f->e[i].hash, SNT_HASH_LEN);	/* same chain as computed here */
	}
	assert_int_equal(snt_store_iter_new(st, 0, &it), SNT_STORE_OK);
	while (snt_store_iter_next(it, &e) == SNT_STORE_OK) {
		assert_true(n < N && e.payload_len <= sizeof(payloads[n]));
		got[n] = e;
		if (e.payload_len) {
			memcpy(payloads[n], e.payload, e.payload_len);
			got[n].payload = payloads[n];
		}
		n++;
	}
	snt_store_iter_free(it);
	snt_store_close(st);
	assert_int_equal(n, N);
	assert_int_equal(snt_bundle_manifest_fill("gate-a", SNT_BUNDLE_REGULAR, got, n, 1, &m), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_encode(&m, got, n, &cbor, &len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_seal(f->dev_a, f->bureau, cbor, len, &file, &file_len, &d), SNT_BUNDLE_OK);
	assert_int_equal(snt_bundle_open(f->bureau, lookup, &r, file, file_len, &b, &d), SNT_BUNDLE_OK);
	for (size_t i = 0; i < N; i++) {
		assert_entry_equal(&b->entries[i], &got[i]);
		assert_entry_equal(&b->entries[i], &f->e[i]);
	}
	snt_bundle_free(b);
	free(file);
	free(cbor);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* ---- names ---- */

/* A message cut to SNT_BUNDLE_MSG_LEN (a translated one is UTF-8) ends on a whole character. */
static void test_fail_cut(void **state)
{
	static const struct {
		const char *head, *ch;
		size_t want;
	} cases[] = {
		{ "a", "\xe4\xb8\xad", 1 + 3 * 52 },	/* 中: 2 bytes of the 53rd cut off */
		{ "ab", "\xf0\x9f\x98\x80", 2 + 4 * 39 },	/* U+1F600: 1 byte of the 40th */
		{ "", "\xc3\xa9", 2 * 79 },		/* é: 1 byte of the 80th */
		{ "", "x", SNT_BUNDLE_MSG_LEN - 1 },	/* ASCII: every byte that fits */
	};
	struct snt_bundle_diag d;
	char text[4 * SNT_BUNDLE_MSG_LEN];

	(void)state;
	for (size_t i = 0; i < SNT_ARRAY_SIZE(cases); i++) {
		snprintf(text, sizeof(text), "%s", cases[i].head);
		while (strlen(text) + strlen(cases[i].ch) < sizeof(text))
			strcat(text, cases[i].ch);
		assert_int_equal(bundle__fail(&d, SNT_BUNDLE_ERR_FIELD, "x", 0, "%s", text), SNT_BUNDLE_ERR_FIELD);
		assert_int_equal(strlen(d.msg), cases[i].want);
		assert_true(snt_utf8_valid((const uint8_t *)d.msg, strlen(d.msg)));
	}
	/* Not cut: left as it is. */
	assert_int_equal(bundle__fail(&d, SNT_BUNDLE_ERR_FIELD, "x", 0, "%s", "\xe4\xb8\xad"), SNT_BUNDLE_ERR_FIELD);
	assert_string_equal(d.msg, "\xe4\xb8\xad");
}

static void test_names(void **state)
{
	struct snt_bundle_manifest m = { .kind = SNT_BUNDLE_REGULAR, .first = 1, .last = 5000 };
	char buf[SNT_BUNDLE_NAME_LEN], dev[SNT_DEVICE_ID_LEN];
	enum snt_bundle_kind k;
	int64_t a, b;

	(void)state;
	assert_true(snt_bundle_device_id_valid("gate-01"));
	assert_true(snt_bundle_device_id_valid("A.b_c-9"));
	assert_true(snt_bundle_device_id_valid("x"));
	assert_false(snt_bundle_device_id_valid(""));
	assert_false(snt_bundle_device_id_valid(NULL));
	assert_false(snt_bundle_device_id_valid("."));
	assert_false(snt_bundle_device_id_valid(".."));
	assert_false(snt_bundle_device_id_valid(".gate"));
	assert_false(snt_bundle_device_id_valid("a/b"));
	assert_false(snt_bundle_device_id_valid("a b"));
	assert_false(snt_bundle_device_id_valid("gate\n"));
	assert_false(snt_bundle_device_id_valid("g\xc3\xa9"));
	memset(buf, 'a', 63);
	buf[63] = '\0';
	assert_true(snt_bundle_device_id_valid(buf));
	buf[63] = 'a';
	buf[64] = '\0';
	assert_false(snt_bundle_device_id_valid(buf));

	strcpy(m.device, "gate-01");
	assert_int_equal(snt_bundle_file_name(&m, buf, sizeof(buf)), SNT_BUNDLE_OK);
	assert_string_equal(buf, "gate-01-1-5000-regular.snb");
	assert_int_equal(snt_bundle_file_name_parse(buf, dev, &a, &b, &k), 0);
	assert_string_equal(dev, "gate-01");
	assert_int_equal(a, 1);
	assert_int_equal(b, 5000);
	assert_int_equal(k, SNT_BUNDLE_REGULAR);
	m.kind = SNT_BUNDLE_PRIORITY;
	assert_int_equal(snt_bundle_file_name(&m, buf, 10), SNT_BUNDLE_ERR_INVAL);
	assert_int_equal(snt_bundle_file_name(&m, buf, sizeof(buf)), SNT_BUNDLE_OK);
	assert_string_equal(buf, "gate-01-1-5000-priority.snb");
	assert_int_equal(snt_bundle_file_name_parse(buf, NULL, NULL, NULL, &k), 0);
	assert_int_equal(k, SNT_BUNDLE_PRIORITY);

	assert_int_equal(snt_bundle_ack_file_name("gate-01", 5000, buf, sizeof(buf)), SNT_BUNDLE_OK);
	assert_string_equal(buf, "ack-gate-01-5000.cose");
	assert_int_equal(snt_bundle_ack_file_name_parse(buf, dev, &a), 0);
	assert_string_equal(dev, "gate-01");
	assert_int_equal(a, 5000);
	assert_int_equal(snt_bundle_ack_file_name("gate-01", 0, buf, sizeof(buf)), SNT_BUNDLE_OK);
	assert_string_equal(buf, "ack-gate-01-0.cose");
	assert_int_equal(snt_bundle_ack_file_name_parse(buf, dev, &a), 0);
	assert_int_equal(a, 0);
	assert_int_equal(snt_bundle_time_file_name("g", 1700000000000LL, buf, sizeof(buf)), SNT_BUNDLE_OK);
	assert_string_equal(buf, "time-g-1700000000000.cose");
	assert_int_equal(snt_bundle_time_file_name_parse(buf, dev, &a), 0);
	assert_string_equal(dev, "g");
	assert_int_equal(a, 1700000000000LL);
	assert_int_equal(snt_bundle_ack_file_name("../x", 1, buf, sizeof(buf)), SNT_BUNDLE_ERR_INVAL);

	/* Hostile names. */
	{
		static const char *const bad[] = {
			"../x-1-2-regular.snb", "a/b-1-2-regular.snb", ".hidden-1-2-regular.snb", "x-01-2-regular.snb",
			"x-3-2-regular.snb",    "x-1-2-urgent.snb",	"x-1-2-regular.snb.tmp",   "x-1-2-regular",
			"-1-2-regular.snb",     "x-1-regular.snb",	 "x-1-2-3-regular.sn",
			"x-+1-2-regular.snb",   "x-1-1234567890123456789-regular.snb", "x 1-2-regular.snb", "",
			"-regular.snb",	     "x-1-2-.snb",	      "x-0-2-regular.snb",
		};

		for (size_t i = 0; i < SNT_ARRAY_SIZE(bad); i++)
			if (snt_bundle_file_name_parse(bad[i], dev, &a, &b, &k) == 0)
				fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(snt_bundle_ack_file_name_parse("ack-../x-1.cose", dev, &a), -1);
		assert_int_equal(snt_bundle_ack_file_name_parse("ack--1.cose", dev, &a), -1);
		assert_int_equal(snt_bundle_ack_file_name_parse("ack-g-1.cose/x", dev, &a), -1);
		assert_int_equal(snt_bundle_ack_file_name_parse("ack-g-007.cose", dev, &a), -1);
		assert_int_equal(snt_bundle_ack_file_name_parse("time-g-7.cose", dev, &a), -1);
		assert_int_equal(snt_bundle_time_file_name_parse("ack-g-7.cose", dev, &a), -1);
		assert_int_equal(snt_bundle_ack_file_name_parse("ack-.g-7.cose", dev, &a), -1);
	}
	/* "x--1-2" is device "x-" with first 1: allowed (ids may end with '-'). */
	assert_int_equal(snt_bundle_file_name_parse("x--1-2-regular.snb", dev, &a, &b, &k), 0);
	assert_string_equal(dev, "x-");
	assert_string_equal(snt_bundle_strerror(SNT_BUNDLE_ERR_CHAIN), "chain broken (prev_hash does not link)");
	for (int e = SNT_BUNDLE_OK; e <= SNT_BUNDLE_ERR_CRYPTO; e++)
		assert_string_not_equal(snt_bundle_strerror((enum snt_bundle_err)e), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundle_round_trip),
		cmocka_unit_test(test_bundle_priority),
		cmocka_unit_test(test_bundle_seals),
		cmocka_unit_test(test_bundle_records),
		cmocka_unit_test(test_bundle_reader),
		cmocka_unit_test(test_bundle_encoder_refuses),
		cmocka_unit_test(test_bundle_open_errors),
		cmocka_unit_test(test_bundle_decode_errors),
		cmocka_unit_test(test_bundle_payload_hash),
		cmocka_unit_test(test_bundle_birth_year),
		cmocka_unit_test(test_mutations_do_not_crash),
		cmocka_unit_test(test_bundle_from_store),
		cmocka_unit_test(test_ack),
		cmocka_unit_test(test_ack_decode_errors),
		cmocka_unit_test(test_ack_rules),
		cmocka_unit_test(test_ack_trust),
		cmocka_unit_test(test_ack_issuers),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_open_signed),
		cmocka_unit_test(test_payload_bounded),
		cmocka_unit_test(test_fail_cut),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
