// SPDX-License-Identifier: MIT
/*
 * gen_bundles: simulated gates for the bureau's tests and benchmark.  For
 * each device it keeps a real gate log (firmware/store, the store computes
 * every seq and hash), then exports it as sealed, signed bundles with the
 * library's own bundle code (firmware/sync/bundle.h), exactly as a gate
 * would.  A program for tests/scenario/test-bureau.sh and
 * tests/bench/bench-bureau.sh, not a test itself.
 *
 *   gen_bundles --bureau-pub FILE --keys DIR --logs DIR --out DIR
 *               [--devices N] [--entries M] [--per-bundle K] [--prefix P]
 *               [--variant V] [--priority] [--flat] [--sign-key FILE]
 *               [--start-ms MS] [--interval-s S] [--records] [--claim-count N]
 *
 * --keys DIR   device keys DIR/<device>.key (+ .pub), made when missing
 * --logs DIR   gate logs DIR/<device>.db; entries are appended up to M (an
 *              existing log is extended, so a later run exports more)
 * --out DIR    bundles into DIR/sentinel/<device>/out/ (--flat: DIR/)
 * --devices N  devices <prefix>-001 ... (default 1, prefix "gate")
 * --entries M  entries per device (default 100)
 * --per-bundle K  entries per regular bundle (default 5000, the most a gate
 *              writes, SNT_BUNDLE_MAX_ENTRIES; up to SNT_BUNDLE_MAX_ACCEPT,
 *              the most the bureau reads, for its memory benchmark)
 * --variant V  change the entries' content (a forked or forged log when
 *              the same device id and key export other entries)
 * --priority   also one priority bundle of the deny entries' copies
 * --sign-key F sign with this key instead of the device's (a bundle claiming
 *              a device whose key it does not hold)
 * --start-ms MS  the gate's time of entry 0 (default 1795910400000,
 *              2026-11-29T00:00:00Z); entry i is S seconds later each
 * --interval-s S  (default 20; 86400 spreads entries over months)
 * --claim-count N  write N as each bundle's "count" (its entries unchanged;
 *              signed and sealed all the same): a bundle over the bureau's
 *              limit (SNT_BUNDLE_MAX_ACCEPT) without writing that many
 * --records    every entry with a masked subject (every 4th) registers a
 *              resident ID card: its sealed personal record (a card's text
 *              sealed to the bureau, kept in the log) rides in the regular
 *              bundles ("records"), its digest in the entry's detail
 * Entry i: every 10th + 3 an unverified health code "HC:110000:tok<i>"
 * (green as read), every 10th + 5 a fever (deny), others admitted with a
 * temperature; some with a masked subject and a detail record.
 * Prints "devices=N entries=M bundles=B seconds=S".
 *
 *   gen_bundles --bureau-pub FILE --check-ack FILE
 *   gen_bundles --bureau-pub FILE --check-time FILE
 * verify an acknowledgement (or signed time) the way a gate does and print
 * "ack device=D seq=S verdicts=N[ seq:colour:platform...]" (or
 * "time device=D ms=T"); exit 1 when it does not verify.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/common.h"
#include "sign/sign.h"
#include "store/store.h"
#include "sync/bundle.h"

#define BATCH 5000

struct opts {
	const char *bureau_pub, *keys, *logs, *out, *prefix, *sign_key, *check_ack, *check_time;
	long devices, entries, per_bundle, variant, interval_s, claim_count;
	int64_t start_ms;
	int priority, flat, records;
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gen_bundles: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void make_entry(struct snt_entry *e, int64_t i, const struct opts *o, char *payload, size_t cap)
{
	long variant = o->variant;

	memset(e, 0, sizeof(*e));
	snprintf(e->boot_id, sizeof(e->boot_id), "0f6c3c5e-3a55-4d3c-9b7a-%012u",
		 (unsigned)(100 + variant) % 1000000u);
	e->mono_ms = 60000 + i * 1000 * (int64_t)o->interval_s;
	e->time_utc_ms = o->start_ms + i * 1000 * (int64_t)o->interval_s;
	e->clock = SNT_CLOCK_TRUSTED;
	e->kind = i % 17 ? SNT_KIND_VISITOR : SNT_KIND_STAFF;
	e->door = SNT_DOOR_OPENED;
	e->has_temp = true;
	e->temp_dc = 360 + (int)(i % 9);
	if (i % 10 == 3) {
		e->format = SNT_FORMAT_HEALTHCODE;
		e->colour = SNT_COLOUR_GREEN;
		e->verified = SNT_VERIFIED_UNVERIFIED;
		e->decision = SNT_DECISION_ADMIT;
		e->reasons = SNT_REASON_BIT(SNT_REASON_CODE_GREEN) | SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL);
		snprintf(payload, cap, "HC:110000:tok%" PRId64, i);
		e->payload = (const uint8_t *)payload;
		e->payload_len = strlen(payload);
	} else if (i % 10 == 5) {
		e->format = SNT_FORMAT_HCERT;
		e->colour = SNT_COLOUR_BLACK;
		e->verified = SNT_VERIFIED_VALID;
		e->temp_dc = 382;
		e->decision = SNT_DECISION_DENY;
		e->reasons = SNT_REASON_BIT(SNT_REASON_FEVER);
		e->door = SNT_DOOR_SHUT;
		snprintf(e->detail, sizeof(e->detail), "{\"rules\":{\"version\":1,\"stale\":false}}");
	} else {
		e->format = SNT_FORMAT_HCERT;
		e->colour = SNT_COLOUR_BLACK;
		e->verified = SNT_VERIFIED_VALID;
		e->decision = SNT_DECISION_ADMIT;
		e->reasons = SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL);
	}
	if (i % 4 == 0)
		snprintf(e->subject, sizeof(e->subject), "%s", "\xe5\xbc\xa0*");
}

/*
 * The sealed personal record of entry @e (seq @seq) of @device: a card's
 * text sealed to @bureau (*@out, free()), its SHA-256 into the detail.
 */
static void seal_record(struct snt_entry *e, int64_t seq, const char *device, EVP_PKEY *bureau, uint8_t **out,
			size_t *len)
{
	char text[512], hex[2 * SNT_HASH_LEN + 1];
	uint8_t digest[SNT_HASH_LEN];
	unsigned int dn = 0;

	snprintf(text, sizeof(text), "{\"v\":1,\"device\":\"%s\",\"time\":%" PRId64 ",\"name\":\"\xe5\xbc\xa0%" PRId64
		 "\",\"sex\":\"1\",\"nation\":\"01\",\"birth\":\"19491231\",\"address\":\"x\",\"number\":"
		 "\"11010519491231002X\",\"authority\":\"y\",\"valid_from\":\"20200101\",\"valid_to\":\"20400101\"}",
		 device, e->time_utc_ms, seq);
	if (snt_seal(bureau, (const uint8_t *)text, strlen(text), out, len) ||
	    !EVP_Digest(*out, *len, digest, &dn, EVP_sha256(), NULL) || dn != SNT_HASH_LEN)
		die("%s: cannot seal the record of seq %" PRId64, device, seq);
	snt_hex_encode(digest, SNT_HASH_LEN, hex);
	snprintf(e->detail, sizeof(e->detail), "{\"idcard\":{\"sealed\":\"%s\"}}", hex);
}

static EVP_PKEY *device_key(const char *dir, const char *device)
{
	char path[4096], pub[4200];
	EVP_PKEY *k = NULL;
	enum snt_sign_err e;

	snprintf(path, sizeof(path), "%s/%s.key", dir, device);
	snprintf(pub, sizeof(pub), "%s.pub", path);
	if (access(path, F_OK) == 0) {
		e = snt_sign_key_load_private(path, &k);
		if (e)
			die("%s: %s", path, snt_sign_strerror(e));
		return k;
	}
	e = snt_sign_key_generate(&k);
	if (!e)
		e = snt_sign_key_write_private(k, path);
	if (!e)
		e = snt_sign_key_write_public(k, pub);
	if (e)
		die("%s: %s", path, snt_sign_strerror(e));
	return k;
}

static void mkdirs(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) != 0 && errno != EEXIST)
				die("mkdir %s: %s", buf, strerror(errno));
			*p = '/';
		}
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		die("mkdir %s: %s", buf, strerror(errno));
}

static void write_file(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
		die("cannot write %s", path);
}

/*
 * The payload @cbor (*@len bytes, malloc'd) with the value of its "count" key made @count (a CBOR
 * unsigned integer head of 1 to 9 bytes replaced by one of 9).
 */
static void claim_count(uint8_t **cbor, size_t *len, uint64_t count)
{
	static const uint8_t key[] = { 0x65, 'c', 'o', 'u', 'n', 't' };
	static const size_t head[] = { [24] = 2, [25] = 3, [26] = 5, [27] = 9 };
	uint8_t *p = *cbor, *q;
	size_t at, old, n = *len;

	for (at = 0; at + sizeof(key) < n && memcmp(p + at, key, sizeof(key)); at++)
		;
	if (at + sizeof(key) >= n || (p[at + sizeof(key)] >> 5) != 0 || (p[at + sizeof(key)] & 0x1f) > 27)
		die("no count in the payload");
	at += sizeof(key);
	old = (p[at] & 0x1f) < 24 ? 1 : head[p[at] & 0x1f];
	q = malloc(n - old + 9);
	if (!q)
		die("out of memory");
	memcpy(q, p, at);
	q[at] = 0x1b;
	for (int i = 0; i < 8; i++)
		q[at + 1 + i] = (uint8_t)(count >> (56 - 8 * i));
	memcpy(q + at + 9, p + at + old, n - at - old);
	free(p);
	*cbor = q;
	*len = n - old + 9;
}

/*
 * Seal @n entries of @e (their records @r, or NULL) as a bundle of @kind into @dir, its "count"
 * @claim when not 0 (claim_count()); returns 1.
 */
static int export(const char *device, enum snt_bundle_kind kind, const struct snt_entry *e,
		  const struct snt_bundle_record *r, size_t n, EVP_PKEY *key, EVP_PKEY *bureau, const char *dir,
		  long claim)
{
	struct snt_bundle_manifest m;
	struct snt_bundle_diag d;
	uint8_t *cbor = NULL, *file = NULL;
	size_t cbor_len = 0, file_len = 0;
	char name[SNT_BUNDLE_NAME_LEN];

	memset(&d, 0, sizeof(d));
	if (snt_bundle_manifest_fill(device, kind, e, n, INT64_C(1795996800000), &m) ||
	    snt_bundle_encode_records(&m, e, NULL, r, n, &cbor, &cbor_len, &d))
		die("%s: cannot make a bundle: %s", device, d.msg);
	if (claim > 0)
		claim_count(&cbor, &cbor_len, (uint64_t)claim);
	if (snt_bundle_seal(key, bureau, cbor, cbor_len, &file, &file_len, &d) ||
	    snt_bundle_file_name(&m, name, sizeof(name)))
		die("%s: cannot make a bundle: %s", device, d.msg);
	write_file(dir, name, file, file_len);
	free(cbor);
	free(file);
	return 1;
}

static void free_records(struct snt_bundle_record *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((void *)(uintptr_t)r[i].sealed);
		r[i].sealed = NULL;
	}
}

static int gen_device(const struct opts *o, const char *device, EVP_PKEY *bureau, EVP_PKEY *override)
{
	struct snt_store *st = NULL;
	struct snt_store_iter *it = NULL;
	struct snt_entry *batch, *prio;
	struct snt_bundle_record *rec;
	uint8_t **sealed;
	size_t *sealed_len;
	char path[4096], outdir[4096];
	char (*payloads)[64];
	EVP_PKEY *key = device_key(o->keys, device);
	int64_t last = 0;
	size_t nb = 0, np = 0, cap = (size_t)o->per_bundle > BATCH ? (size_t)o->per_bundle : BATCH;
	int bundles = 0;
	enum snt_store_err err;

	snprintf(path, sizeof(path), "%s/%s.db", o->logs, device);
	if (snt_store_open(path, false, &st) || snt_store_last_seq(st, &last))
		die("%s: cannot open the gate log", path);
	batch = calloc(cap, sizeof(*batch));
	prio = calloc(cap, sizeof(*prio));
	payloads = calloc(cap, sizeof(*payloads));
	rec = calloc(cap, sizeof(*rec));
	sealed = calloc(cap, sizeof(*sealed));
	sealed_len = calloc(cap, sizeof(*sealed_len));
	if (!batch || !prio || !payloads || !rec || !sealed || !sealed_len)
		die("out of memory");
	while (last < o->entries) {
		size_t k = 0;

		for (; k < BATCH && last + (int64_t)k < o->entries; k++) {
			int64_t seq = last + (int64_t)k + 1;

			make_entry(&batch[k], seq, o, payloads[k], sizeof(payloads[k]));
			if (o->records && batch[k].subject[0])
				seal_record(&batch[k], seq, device, bureau, &sealed[k], &sealed_len[k]);
		}
		err = snt_store_append_batch(st, batch, k);
		for (size_t j = 0; !err && j < k; j++) {
			if (sealed[j])
				err = snt_store_personal_put(st, last + (int64_t)j + 1, batch[j].time_utc_ms, sealed[j],
							     sealed_len[j]);
			free(sealed[j]);
			sealed[j] = NULL;
		}
		if (err)
			die("%s: append: %s", path, snt_store_strerror(err));
		last += (int64_t)k;
	}
	if (o->flat)
		snprintf(outdir, sizeof(outdir), "%s", o->out);
	else
		snprintf(outdir, sizeof(outdir), "%s/sentinel/%s/out", o->out, device);
	mkdirs(outdir);
	/* Read back from the log, as the gate's export does. */
	if (snt_store_iter_new(st, 0, &it))
		die("%s: iterate", path);
	for (;;) {
		err = snt_store_iter_next(it, &batch[nb]);
		if (err == SNT_STORE_ERR_DONE)
			break;
		if (err)
			die("%s: read: %s", path, snt_store_strerror(err));
		/* Keep the payload past the next call. */
		if (batch[nb].payload_len) {
			memcpy(payloads[nb], batch[nb].payload, batch[nb].payload_len);
			batch[nb].payload = (const uint8_t *)payloads[nb];
		}
		if (o->records) {
			uint8_t *r = NULL;
			size_t rl = 0;

			err = snt_store_personal_get(st, batch[nb].seq, &r, &rl);
			if (err && err != SNT_STORE_ERR_DONE)
				die("%s: record %" PRId64 ": %s", path, batch[nb].seq, snt_store_strerror(err));
			rec[nb].sealed = err ? NULL : r;
			rec[nb].len = err ? 0 : rl;
		}
		if (o->priority && batch[nb].decision == SNT_DECISION_DENY && np < cap)
			prio[np++] = batch[nb];
		nb++;
		if (nb == (size_t)o->per_bundle) {
			bundles += export(device, SNT_BUNDLE_REGULAR, batch, o->records ? rec : NULL, nb,
					  override ? override : key, bureau, outdir, o->claim_count);
			if (np) {
				bundles += export(device, SNT_BUNDLE_PRIORITY, prio, NULL, np, override ? override : key,
						  bureau, outdir, o->claim_count);
				np = 0;
			}
			free_records(rec, nb);
			nb = 0;
		}
	}
	if (nb)
		bundles += export(device, SNT_BUNDLE_REGULAR, batch, o->records ? rec : NULL, nb,
				  override ? override : key, bureau, outdir, o->claim_count);
	if (np)
		bundles += export(device, SNT_BUNDLE_PRIORITY, prio, NULL, np, override ? override : key, bureau,
				  outdir, o->claim_count);
	free_records(rec, nb);
	free(rec);
	free(sealed);
	free(sealed_len);
	snt_store_iter_free(it);
	snt_store_close(st);
	EVP_PKEY_free(key);
	free(batch);
	free(prio);
	free(payloads);
	return bundles;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	static uint8_t buf[1 << 22];
	FILE *f = fopen(path, "rb");

	if (!f)
		die("cannot open %s", path);
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

static int check(const char *pub_path, const char *ack_path, const char *time_path)
{
	struct snt_bundle_diag d;
	EVP_PKEY *pub = NULL;
	size_t len;
	uint8_t *buf;

	memset(&d, 0, sizeof(d));
	if (snt_sign_key_load_public(pub_path, &pub))
		die("%s: not a public key", pub_path);
	if (ack_path) {
		struct snt_bundle_ack *a = NULL;
		enum snt_bundle_err e;

		buf = slurp(ack_path, &len);
		e = snt_bundle_ack_open(pub, buf, len, &a, &d);
		EVP_PKEY_free(pub);
		if (e) {
			printf("ack invalid: %s %s\n", snt_bundle_strerror(e), d.msg);
			return 1;
		}
		printf("ack device=%s seq=%" PRId64 " verdicts=%zu", a->device, a->seq, a->n_verdicts);
		for (size_t i = 0; i < a->n_verdicts; i++)
			printf(" %" PRId64 ":%s:%s", a->verdicts[i].seq, snt_colour_name(a->verdicts[i].colour),
			       a->verdicts[i].platform);
		putchar('\n');
		snt_bundle_ack_free(a);
		return 0;
	} else {
		char device[SNT_DEVICE_ID_LEN];
		int64_t ms = 0;
		enum snt_bundle_err e;

		buf = slurp(time_path, &len);
		e = snt_bundle_time_open(pub, buf, len, device, &ms, &d);
		EVP_PKEY_free(pub);
		if (e) {
			printf("time invalid: %s %s\n", snt_bundle_strerror(e), d.msg);
			return 1;
		}
		printf("time device=%s ms=%" PRId64 "\n", device, ms);
		return 0;
	}
}

/*
 * Every option once: its name, getopt code, whether it takes an argument,
 * and what it sets in main()'s struct opts o; main()'s option table and switch
 * are made from this list.
 */
#define GEN_OPTIONS(X) \
	X("bureau-pub", 'b', required_argument, o.bureau_pub = optarg) \
	X("keys", 'k', required_argument, o.keys = optarg) \
	X("logs", 'l', required_argument, o.logs = optarg) \
	X("out", 'o', required_argument, o.out = optarg) \
	X("devices", 'd', required_argument, o.devices = strtol(optarg, NULL, 10)) \
	X("entries", 'e', required_argument, o.entries = strtol(optarg, NULL, 10)) \
	X("per-bundle", 'K', required_argument, o.per_bundle = strtol(optarg, NULL, 10)) \
	X("prefix", 'p', required_argument, o.prefix = optarg) \
	X("variant", 'v', required_argument, o.variant = strtol(optarg, NULL, 10)) \
	X("priority", 'P', no_argument, o.priority = 1) \
	X("flat", 'f', no_argument, o.flat = 1) \
	X("sign-key", 's', required_argument, o.sign_key = optarg) \
	X("check-ack", 'A', required_argument, o.check_ack = optarg) \
	X("check-time", 't', required_argument, o.check_time = optarg) \
	X("start-ms", 'S', required_argument, o.start_ms = strtoll(optarg, NULL, 10)) \
	X("interval-s", 'I', required_argument, o.interval_s = strtol(optarg, NULL, 10)) \
	X("records", 'r', no_argument, o.records = 1) \
	X("claim-count", 'C', required_argument, o.claim_count = strtol(optarg, NULL, 10))
#define AS_LONGOPT(name, code, arg, set) { name, arg, NULL, code },
#define AS_CASE(name, code, arg, set) case code: set; break;

int main(int argc, char **argv)
{
	static const struct option longopts[] = { GEN_OPTIONS(AS_LONGOPT) { NULL, 0, NULL, 0 } };
	struct opts o = { .devices = 1, .entries = 100, .per_bundle = BATCH, .prefix = "gate", .interval_s = 20,
			  .start_ms = INT64_C(1795910400000) };	/* 2026-11-29T00:00:00Z */
	EVP_PKEY *bureau = NULL, *override = NULL;
	struct timespec t0, t1;
	long bundles = 0;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		GEN_OPTIONS(AS_CASE)
		default:
			fprintf(stderr, "usage: gen_bundles --bureau-pub F --keys D --logs D --out D [...]\n");
			return 2;
		}
	}
	if (o.bureau_pub && (o.check_ack || o.check_time))
		return check(o.bureau_pub, o.check_ack, o.check_time);
	if (!o.bureau_pub || !o.keys || !o.logs || !o.out || o.devices < 1 || o.entries < 1 ||
	    o.per_bundle < 1 || o.per_bundle > SNT_BUNDLE_MAX_ACCEPT) {
		fprintf(stderr, "usage: gen_bundles --bureau-pub F --keys D --logs D --out D [...]\n");
		return 2;
	}
	if (snt_sign_key_load_public(o.bureau_pub, &bureau))
		die("%s: not a public key", o.bureau_pub);
	if (o.sign_key && snt_sign_key_load_private(o.sign_key, &override))
		die("%s: not a private key", o.sign_key);
	mkdirs(o.keys);
	mkdirs(o.logs);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 1; i <= o.devices; i++) {
		char device[SNT_DEVICE_ID_LEN];

		snprintf(device, sizeof(device), "%s-%03ld", o.prefix, i);
		bundles += gen_device(&o, device, bureau, override);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("devices=%ld entries=%ld bundles=%ld seconds=%.2f\n", o.devices, o.entries, bundles,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	EVP_PKEY_free(bureau);
	EVP_PKEY_free(override);
	return 0;
}
