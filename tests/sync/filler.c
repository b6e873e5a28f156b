// SPDX-License-Identifier: MIT
/*
 * filler --hashes DB: print "seq hash" (lower-case hex) of every entry, for
 * the synctest's comparison with the bureau (sentinelctl entries --json has
 * no hash).
 *
 * filler DB N [SEED]: append N simulated entries to the gate's log DB with
 * snt_store_append_batch() (1000 per commit), after whatever it holds, for
 * `make synctest` (a test program, built by tests/sync/synctest.sh).  The
 * entries vary every field the bureau must carry: kinds, formats, colours,
 * verification results, temperatures (some absent), fevers and denials
 * (which go into priority bundles), reasons, doors, masked subjects (some
 * absent, some non-ASCII), payloads (some absent), detail records, and
 * clock states.  Times follow the last entry's.  Exit 0, or 1 with a
 * message naming the store error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

#define BATCH 1000

static uint64_t next(uint64_t *s)
{
	/* splitmix64 */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void make_entry(struct snt_entry *e, int64_t t, int64_t mono, uint64_t *rng, uint8_t *payload)
{
	uint64_t r = next(rng);
	static const char *const subjects[] = { "", "\xe5\xbc\xa0*", "\xe6\x9d\x8e**", "W*** M.", "O'B***" };

	memset(e, 0, sizeof(*e));
	snprintf(e->boot_id, sizeof(e->boot_id), "%s", "5a1b2c3d-0000-4000-8000-00000000f111");
	e->mono_ms = mono;
	e->time_utc_ms = t;
	e->clock = (r % 17 == 0) ? SNT_CLOCK_UNTRUSTED : SNT_CLOCK_TRUSTED;
	e->kind = (r >> 8) % 9 == 0 ? SNT_KIND_STAFF : SNT_KIND_VISITOR;
	e->format = (enum snt_code_format)((r >> 12) % 5);
	e->verified = (enum snt_verified)((r >> 16) % 4);
	e->colour = (enum snt_colour)((r >> 20) % 5);
	e->door = SNT_DOOR_OPENED;
	e->decision = SNT_DECISION_ADMIT;
	e->reasons = SNT_REASON_BIT(SNT_REASON_CODE_GREEN) | SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL);
	e->has_temp = (r >> 24) % 11 != 0;
	e->temp_dc = 355 + (int)((r >> 28) % 30);
	if (e->has_temp && e->temp_dc >= 373) {
		e->decision = SNT_DECISION_DENY;
		e->reasons = SNT_REASON_BIT(SNT_REASON_FEVER);
		e->door = SNT_DOOR_SHUT;
	} else if (e->colour == SNT_COLOUR_RED) {
		e->decision = SNT_DECISION_DENY;
		e->reasons = SNT_REASON_BIT(SNT_REASON_CODE_RED);
		e->door = SNT_DOOR_SHUT;
	} else if (e->colour == SNT_COLOUR_YELLOW) {
		e->decision = SNT_DECISION_REFER;
		e->reasons = SNT_REASON_BIT(SNT_REASON_CODE_YELLOW);
		e->door = SNT_DOOR_SHUT;
	}
	snprintf(e->subject, sizeof(e->subject), "%s", subjects[(r >> 36) % 5]);
	if ((r >> 40) % 7 != 0) {
		int n = snprintf((char *)payload, 129, "https://hc.example.gov.cn/v?t=%016llx%016llx",
				 (unsigned long long)next(rng), (unsigned long long)r);
		e->payload = payload;
		e->payload_len = (size_t)n;
	}
	if ((r >> 44) % 5 == 0 && e->has_temp)
		snprintf(e->detail, sizeof(e->detail),
			 "{\"measure\":{\"skin_mdc\":%d,\"samples\":5,\"used\":5}}", e->temp_dc * 100 - 700);
}

static int print_hashes(const char *db)
{
	struct snt_store_iter *it = NULL;
	struct snt_store *st = NULL;
	enum snt_store_err err;
	struct snt_entry e;
	char hex[2 * SNT_HASH_LEN + 1];

	err = snt_store_open(db, true, &st);
	if (!err)
		err = snt_store_iter_new(st, 0, &it);
	if (err) {
		fprintf(stderr, "filler: %s: %s\n", db, snt_store_strerror(err));
		snt_store_close(st);
		return 1;
	}
	while ((err = snt_store_iter_next(it, &e)) == SNT_STORE_OK) {
		snt_hex_encode(e.hash, SNT_HASH_LEN, hex);
		printf("%lld %s\n", (long long)e.seq, hex);
	}
	snt_store_iter_free(it);
	snt_store_close(st);
	if (err != SNT_STORE_ERR_DONE) {
		fprintf(stderr, "filler: %s: %s\n", db, snt_store_strerror(err));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct snt_store *st = NULL;
	struct snt_entry *batch;
	uint8_t (*payloads)[160];
	enum snt_store_err err;
	int64_t n, last = 0, t = INT64_C(1795000000000), mono = 1000;
	uint64_t rng;

	if (argc == 3 && !strcmp(argv[1], "--hashes"))
		return print_hashes(argv[2]);
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: filler DB N [SEED] | filler --hashes DB\n");
		return 2;
	}
	n = strtoll(argv[2], NULL, 10);
	rng = argc == 4 ? strtoull(argv[3], NULL, 10) : 1;
	err = snt_store_open(argv[1], false, &st);
	if (err) {
		fprintf(stderr, "filler: %s: %s\n", argv[1], snt_store_strerror(err));
		return 1;
	}
	if (snt_store_last_seq(st, &last) == SNT_STORE_OK && last > 0) {
		struct snt_entry e;

		if (snt_store_get(st, last, &e) == SNT_STORE_OK && e.time_utc_ms > t)
			t = e.time_utc_ms;
	}
	batch = calloc(BATCH, sizeof(*batch));
	payloads = calloc(BATCH, sizeof(*payloads));
	if (!batch || !payloads) {
		fprintf(stderr, "filler: out of memory\n");
		return 1;
	}
	for (int64_t done = 0; done < n;) {
		size_t k = (size_t)(n - done < BATCH ? n - done : BATCH);

		for (size_t i = 0; i < k; i++) {
			t += 5000 + (int64_t)(next(&rng) % 60000);
			mono += 7000;
			make_entry(&batch[i], t, mono, &rng, payloads[i]);
		}
		err = snt_store_append_batch(st, batch, k);
		if (err) {
			fprintf(stderr, "filler: %s: append: %s: %s\n", argv[1], snt_store_strerror(err),
				snt_store_errmsg(st));
			return 1;
		}
		done += (int64_t)k;
	}
	free(batch);
	free(payloads);
	snt_store_close(st);
	return 0;
}
